//! Billing wire types: the owner's billing page and the plan cards, plus the
//! subdomain rule for new websites.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

/// One row of `plans`, as a plan card shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanCard {
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub badge: Option<String>,
    pub display_order: i32,
    pub price_monthly_cents: i32,
    pub price_yearly_cents: i32,
    pub max_websites: i32,
    pub max_pages_per_site: i32,
    pub storage_limit_mb: i32,
    pub ai_credits_per_month: i32,
    pub version_history_limit: i32,
    pub max_collaborators: i32,
    pub custom_domain_allowed: bool,
    pub collaboration_enabled: bool,
    pub analytics_enabled: bool,
    pub priority_support: bool,
    /// Custom HTML blocks (Pro plan only).
    pub custom_html: bool,
}

impl PlanCard {
    pub fn is_free(&self) -> bool {
        self.price_monthly_cents == 0 && self.price_yearly_cents == 0
    }

    /// What the plan unlocks, one line each, for the card's list.
    pub fn features(&self) -> Vec<String> {
        let plural =
            |n: i32, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut out = vec![
            plural(self.max_websites, "website", "websites"),
            plural(
                self.max_pages_per_site,
                "page per website",
                "pages per website",
            ),
            format!("{} MB storage", self.storage_limit_mb),
            plural(
                self.ai_credits_per_month,
                "AI credit a month",
                "AI credits a month",
            ),
            plural(
                self.version_history_limit,
                "saved version per page",
                "saved versions per page",
            ),
            plural(self.max_collaborators, "team member", "team members"),
        ];
        let flags = [
            (self.custom_domain_allowed, "Custom domain"),
            (self.collaboration_enabled, "Team collaboration"),
            (self.analytics_enabled, "Analytics"),
            (self.custom_html, "Custom HTML blocks"),
            (self.priority_support, "Priority support"),
        ];
        out.extend(
            flags
                .iter()
                .filter(|(on, _)| *on)
                .map(|(_, l)| l.to_string()),
        );
        out
    }
}

/// "used of max" for one limit on the billing page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageMeter {
    pub label: String,
    pub used: f64,
    pub max: i64,
    pub unit: String,
}

/// A website as the billing page lists it (archived ones included).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BillingWebsite {
    pub id: Uuid,
    pub name: String,
    pub status: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BillingOverview {
    pub plan_slug: String,
    pub plan_name: String,
    /// `subscriptions.status` (schema reference §6).
    pub status: String,
    /// monthly | yearly | none
    pub billing_cycle: String,
    /// `YYYY-MM-DD`, when there is a paid period.
    pub period_end: Option<String>,
    pub cancel_at_period_end: bool,
    pub tenant_status: String,
    /// Local test mode: plan changes are simulated Stripe events, no real payment.
    pub test_mode: bool,
    /// The server has Stripe keys: plan changes go through Checkout and the customer portal.
    #[serde(default)]
    pub stripe_enabled: bool,
    pub usage: Vec<UsageMeter>,
    pub plans: Vec<PlanCard>,
    pub websites: Vec<BillingWebsite>,
}

/// One invoice of the organisation's subscription on the billing page (issue 23 part 6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Invoice {
    pub stripe_id: String,
    /// Stripe's invoice number; drafts have none.
    pub number: Option<String>,
    /// draft | open | paid | uncollectible | void
    pub status: String,
    pub amount_due_cents: i64,
    pub amount_paid_cents: i64,
    /// ISO 4217, upper case.
    pub currency: String,
    /// Stripe's page for the invoice, and its PDF, where Stripe provides them.
    pub hosted_url: Option<String>,
    pub pdf_url: Option<String>,
    /// `YYYY-MM-DD` in the organisation's timezone.
    pub issued_on: String,
    /// `YYYY-MM-DD – YYYY-MM-DD`, the period billed.
    pub period: Option<String>,
}

/// Where the invoice list comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceSource {
    /// The Stripe API (the server has `STRIPE_SECRET_KEY`).
    Stripe,
    /// The local test mode's simulated invoices.
    TestMode,
    /// No payment route: there are no invoices to show.
    Unconfigured,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceHistory {
    pub source: InvoiceSource,
    pub invoices: Vec<Invoice>,
    /// Set when Stripe could not be asked: the list is what SitePilot recorded from its events.
    pub notice: Option<String>,
}

/// Billing state every member may see (for the past-due banner).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BillingStatus {
    pub status: String,
    pub plan_name: String,
    /// The caller may open billing (the owner), so the banner links there.
    #[serde(default)]
    pub can_manage_billing: bool,
}

/// Addresses the service keeps for itself (its own hosts, and names visitors would trust as
/// the service's): refused as website subdomains and as sign-up slugs.
pub const RESERVED_SUBDOMAINS: &[&str] = &[
    "www",
    "app",
    "api",
    "admin",
    "administrator",
    "root",
    "login",
    "logout",
    "signin",
    "signup",
    "auth",
    "account",
    "accounts",
    "billing",
    "pay",
    "payments",
    "mail",
    "email",
    "smtp",
    "imap",
    "pop",
    "ftp",
    "status",
    "help",
    "support",
    "docs",
    "dashboard",
    "static",
    "assets",
    "cdn",
    "ns1",
    "ns2",
    "sitepilot",
    "security",
    "abuse",
    "postmaster",
    "webmaster",
    "hostmaster",
];

pub fn is_reserved_subdomain(label: &str) -> bool {
    RESERVED_SUBDOMAINS.contains(&label)
}

/// A website subdomain: one DNS label, 3-63 lowercase letters, digits and single hyphens
/// (the `websites_subdomain_format_check` constraint, checked here first for a clear message).
pub fn parse_subdomain(raw: &str) -> Result<String, AppError> {
    let s = raw.trim().to_ascii_lowercase();
    let bad = |m: &str| Err(AppError::invalid("subdomain", m));
    if s.len() < 3 || s.len() > 63 {
        return bad("Use 3 to 63 characters for the address.");
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return bad("Use only letters, digits and hyphens in the address.");
    }
    if s.starts_with('-') || s.ends_with('-') || s.contains("--") {
        return bad("The address cannot start or end with a hyphen or have two in a row.");
    }
    if is_reserved_subdomain(&s) {
        return Err(AppError::invalid(
            "subdomain",
            format!("The address {s} is reserved. Choose another."),
        ));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subdomains_follow_the_dns_label_rule() {
        assert_eq!(parse_subdomain(" My-Shop2 ").as_deref(), Ok("my-shop2"));
        let long = "a".repeat(64);
        for bad in [
            "ab",
            "a_b-c",
            "-abc",
            "abc-",
            "ab--c",
            "über",
            long.as_str(),
            "www",
            "Admin",
            "api",
        ] {
            assert_eq!(
                parse_subdomain(bad).unwrap_err().field(),
                Some("subdomain"),
                "{bad}"
            );
        }
    }
}
