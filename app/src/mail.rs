//! (ssr) The emails SitePilot sends: one small template function per message, each giving a
//! subject, a plain-text part and an HTML part. Every value put into the HTML goes through
//! [`escape`]; links are built by the caller from the app's public origin
//! (`api::ctx::link_base`, `SITEPILOT_PUBLIC_URL`), never from a request's `Host`.
//!
//! Rendering happens when the message is queued (`db::mail::queue`); the stored parts are what
//! the delivery job sends.

use crate::model::{Role, INVITE_DAYS};

/// A rendered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Escapes text for HTML element content and double-quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One message's content before layout: paragraphs of plain text, an optional button, and the
/// preferences link notifications carry.
struct Body<'a> {
    subject: String,
    paragraphs: Vec<String>,
    action: Option<(&'a str, &'a str)>,
    /// Preferences / unsubscribe page (notifications only).
    preferences: Option<&'a str>,
}

fn render(body: Body<'_>) -> Rendered {
    let mut text = String::new();
    let mut html = String::from("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>");
    html.push_str(&escape(&body.subject));
    html.push_str(
        "</title></head><body style=\"font-family:sans-serif;line-height:1.5;color:#1a1a2e\">",
    );
    for p in &body.paragraphs {
        text.push_str(p);
        text.push_str("\n\n");
        html.push_str("<p>");
        html.push_str(&escape(p).replace('\n', "<br>"));
        html.push_str("</p>");
    }
    if let Some((label, url)) = body.action {
        text.push_str(&format!("{label}: {url}\n\n"));
        html.push_str(&format!(
            "<p><a href=\"{}\" style=\"display:inline-block;padding:10px 16px;background:#3b5bdb;color:#fff;text-decoration:none;border-radius:6px\">{}</a></p>\
             <p style=\"font-size:13px;color:#555\">Or copy this link: {}</p>",
            escape(url),
            escape(label),
            escape(url)
        ));
    }
    text.push_str("-- \nSitePilot\n");
    html.push_str("<hr><p style=\"font-size:13px;color:#555\">SitePilot");
    if let Some(prefs) = body.preferences {
        text.push_str(&format!(
            "You get this email because of your notification settings. Change them or unsubscribe: {prefs}\n"
        ));
        html.push_str(&format!(
            "<br>You get this email because of your notification settings. <a href=\"{}\">Change them or unsubscribe</a>.",
            escape(prefs)
        ));
    }
    html.push_str("</p></body></html>");
    Rendered {
        subject: body.subject,
        text,
        html,
    }
}

pub fn invitation(tenant_name: &str, role: Role, link: &str) -> Rendered {
    render(Body {
        subject: format!("You're invited to join {tenant_name} on SitePilot"),
        paragraphs: vec![
            "Hello,".into(),
            format!(
                "You have been invited to join {tenant_name} on SitePilot as {}.",
                role.as_str()
            ),
            format!("The invitation is valid for {INVITE_DAYS} days."),
        ],
        action: Some(("Accept the invitation", link)),
        preferences: None,
    })
}

pub fn password_reset(link: &str) -> Rendered {
    render(Body {
        subject: "Reset your SitePilot password".into(),
        paragraphs: vec![
            "Hello,".into(),
            "Someone asked to reset the password of the SitePilot account for this email address. \
             If it was you, choose a new password with the link below. It works once, for one hour."
                .into(),
            "If it was not you, ignore this email: your password stays as it is.".into(),
        ],
        action: Some(("Choose a new password", link)),
        preferences: None,
    })
}

pub fn email_verification(link: &str) -> Rendered {
    render(Body {
        subject: "Confirm your email address for SitePilot".into(),
        paragraphs: vec![
            "Welcome to SitePilot!".into(),
            "Confirm that this is your email address to publish your website. The link works for 7 days."
                .into(),
        ],
        action: Some(("Confirm my email address", link)),
        preferences: None,
    })
}

/// To the admin the owner chose as the next owner: the link confirms the transfer.
pub fn ownership_transfer(tenant_name: &str, from: &str, link: &str) -> Rendered {
    render(Body {
        subject: format!("Become the owner of {tenant_name} on SitePilot"),
        paragraphs: vec![
            "Hello,".into(),
            format!(
                "{from} would like to make you the owner of {tenant_name} on SitePilot. \
                 As the owner you manage billing and can delete the organisation; {from} stays on the team as an admin."
            ),
            "Confirm with the link below while signed in to your account. It works once, for 7 days. \
             If you do not want to become the owner, ignore this email."
                .into(),
        ],
        action: Some(("Become the owner", link)),
        preferences: None,
    })
}

/// To the owner: the organisation is deleted, its websites are offline, and everything is
/// purged on `purge_date` unless they cancel before then.
pub fn organisation_deletion(tenant_name: &str, purge_date: &str, link: &str) -> Rendered {
    render(Body {
        subject: format!("{tenant_name} is scheduled for deletion on SitePilot"),
        paragraphs: vec![
            "Hello,".into(),
            format!(
                "You deleted the organisation {tenant_name}. Its websites are offline from now on, \
                 and its members can only sign in to see this notice."
            ),
            format!(
                "Everything it holds (websites, form submissions, media files, the audit log) is \
                 deleted for good on {purge_date}. Until then you can cancel the deletion by signing in: \
                 everything comes back as it was."
            ),
        ],
        action: Some(("Sign in to cancel the deletion", link)),
        preferences: None,
    })
}

/// To the owner: a contact form was sent on `sent_at` (a time in the organisation's timezone,
/// named).
pub fn form_submission(
    website_name: &str,
    sent_at: &str,
    fields: &[(String, String)],
    inbox_link: &str,
    preferences: &str,
) -> Rendered {
    let mut paragraphs = vec![format!(
        "Someone sent the contact form on your website {website_name} on {sent_at}:"
    )];
    paragraphs.extend(fields.iter().map(|(k, v)| format!("{k}:\n{v}")));
    render(Body {
        subject: format!("New message from your website {website_name}"),
        paragraphs,
        action: Some(("Open the forms inbox", inbox_link)),
        preferences: Some(preferences),
    })
}

/// One line of an order as its emails list it: "2 × T-shirt (Large): €28.00".
pub struct OrderLine {
    pub quantity: i32,
    pub label: String,
    pub total: String,
}

fn order_lines(lines: &[OrderLine], total: &str) -> String {
    let mut out: Vec<String> = lines
        .iter()
        .map(|l| format!("{} × {}: {}", l.quantity, l.label, l.total))
        .collect();
    out.push(format!("Total: {total}"));
    out.join("\n")
}

/// To the customer, once their order is paid.
pub fn order_confirmation(
    website_name: &str,
    order_number: &str,
    lines: &[OrderLine],
    total: &str,
) -> Rendered {
    render(Body {
        subject: format!("Your order {order_number} from {website_name}"),
        paragraphs: vec![
            "Hello,".into(),
            format!("Thank you for your order. {website_name} has received your payment for order {order_number}:"),
            order_lines(lines, total),
            format!("{website_name} will let you know when it ships. Reply to the shop if anything is wrong."),
        ],
        action: None,
        preferences: None,
    })
}

/// To the owner, when an order of one of their websites is paid.
pub fn order_notice(
    website_name: &str,
    order_number: &str,
    customer: &str,
    lines: &[OrderLine],
    total: &str,
    orders_link: &str,
    preferences: &str,
) -> Rendered {
    render(Body {
        subject: format!("New order {order_number} on {website_name}"),
        paragraphs: vec![
            format!("{customer} paid order {order_number} on your website {website_name}:"),
            order_lines(lines, total),
        ],
        action: Some(("Open the orders", orders_link)),
        preferences: Some(preferences),
    })
}

/// Billing notices: `event` is `payment_failed` or `suspended`.
pub fn billing_notice(
    tenant_name: &str,
    event: &str,
    billing_link: &str,
    preferences: &str,
) -> Rendered {
    let (subject, text) = if event == "suspended" {
        (
            format!("{tenant_name}'s SitePilot subscription is suspended"),
            "Your subscription is suspended because payment did not succeed. Your websites are offline \
             until the payment method is updated.",
        )
    } else {
        (
            format!("A payment for {tenant_name} on SitePilot failed"),
            "The last payment for your SitePilot subscription failed. Update your payment method to \
             keep your websites online.",
        )
    };
    render(Body {
        subject,
        paragraphs: vec!["Hello,".into(), text.into()],
        action: Some(("Open billing", billing_link)),
        preferences: Some(preferences),
    })
}

/// Custom domain notices: `event` is `verified` or `lost`.
pub fn domain_notice(
    domain: &str,
    website_name: &str,
    event: &str,
    settings_link: &str,
    preferences: &str,
) -> Rendered {
    let (subject, text) = if event == "lost" {
        (
            format!("{domain} no longer points to {website_name}"),
            format!(
                "We could no longer find the DNS records for {domain}, so SitePilot stopped serving \
                 {website_name} there. Check the records in your DNS provider."
            ),
        )
    } else {
        (
            format!("{domain} is now connected to {website_name}"),
            format!("The DNS records for {domain} are in place: {website_name} now answers there."),
        )
    };
    render(Body {
        subject,
        paragraphs: vec!["Hello,".into(), text],
        action: Some(("Open the website settings", settings_link)),
        preferences: Some(preferences),
    })
}

/// An outgoing webhook endpoint was disabled after repeated failure.
pub fn webhook_disabled(
    url: &str,
    website_name: &str,
    reason: &str,
    webhooks_link: &str,
    preferences: &str,
) -> Rendered {
    render(Body {
        subject: format!("A webhook endpoint of {website_name} was disabled"),
        paragraphs: vec![
            "Hello,".into(),
            format!(
                "SitePilot stopped sending events of {website_name} to {url} because deliveries kept failing. {reason}"
            ),
            "Fix the receiving server, then enable the endpoint again on the website's webhooks page; failed deliveries can be resent from its log.".into(),
        ],
        action: Some(("Open the webhooks page", webhooks_link)),
        preferences: Some(preferences),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped_and_both_parts_carry_the_link() {
        let m = invitation(
            "<b>Bakery & Co</b>",
            Role::Editor,
            "https://app.test/invite/a\"b",
        );
        assert!(m.html.contains("&lt;b&gt;Bakery &amp; Co&lt;/b&gt;"));
        assert!(!m.html.contains("<b>Bakery"));
        assert!(m.html.contains("https://app.test/invite/a&quot;b"));
        assert!(m.text.contains("https://app.test/invite/a\"b"));
        assert_eq!(
            m.subject,
            "You're invited to join <b>Bakery & Co</b> on SitePilot"
        );
    }

    #[test]
    fn notifications_carry_the_preferences_link() {
        let m = billing_notice(
            "Acme",
            "payment_failed",
            "https://a/billing",
            "https://a/settings",
        );
        assert!(m.text.contains("https://a/settings"));
        assert!(m.html.contains("href=\"https://a/settings\""));
        assert!(!password_reset("https://a/r").text.contains("unsubscribe"));
    }
}
