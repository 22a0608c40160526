//! Notification emails to a tenant's owner (issue 18 Part B): a contact-form submission, a
//! failed payment or a suspension, a custom domain verified or lost.
//!
//! The event's own transaction only enqueues a job (`email.form_notice`,
//! `email.billing_notice`; `email.domain_notice` comes from the domains worker), so the event
//! commits with its notice and no link base has to reach it. The job's handler
//! (server/src/mail.rs) renders the message with the app's public origin and queues it in the
//! outbox, whose own `email.send` job delivers it.
//!
//! Every notice carries the preferences link (`/settings`, where email notifications are
//! switched) as a footer and as `List-Unsubscribe`. Form notices follow the website's switch
//! (`websites.notify_form_submissions`), billing notices the owner's `email_on_billing`.

use sqlx::PgPool;
use uuid::Uuid;

use super::{jobs, tenant_tx, Tx};
use crate::error::AppError;

pub const FORM_NOTICE: &str = "email.form_notice";
pub const BILLING_NOTICE: &str = "email.billing_notice";
pub const DOMAIN_NOTICE: &str = "email.domain_notice";
pub const ORDER_NOTICE: &str = "email.order_notice";

/// When a shop order is paid (same transaction): one job that emails the customer their
/// confirmation and the owner a notice.
pub async fn enqueue_order_notice(
    tx: &mut Tx,
    tenant_id: Uuid,
    order_id: Uuid,
) -> Result<(), AppError> {
    jobs::enqueue(
        &mut **tx,
        jobs::NewJob::new(
            ORDER_NOTICE,
            serde_json::json!({ "tenant_id": tenant_id, "order_id": order_id }),
        )
        .tenant(tenant_id)
        .dedupe(format!("order-notice:{order_id}")),
    )
    .await?;
    Ok(())
}

/// The `email.order_notice` job: the customer's confirmation and the owner's notice of a paid
/// order, queued together. `false` when the order is gone or not paid.
pub async fn queue_order_notices(
    pool: &PgPool,
    tenant_id: Uuid,
    order_id: Uuid,
    link_base: &str,
) -> Result<bool, AppError> {
    let mut tx = tenant_tx(pool, tenant_id).await?;
    let order: Option<(String, String, String, i64, String, Uuid)> = sqlx::query_as(
        r#"SELECT w.name, o.order_number, o.customer_email, o.total_cents, o.currency, w.id
             FROM website_orders o JOIN websites w ON w.id = o.website_id
            WHERE o.id = $1 AND o.payment_status = 'paid'"#,
    )
    .bind(order_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((website_name, number, customer, total_cents, currency, website_id)) = order else {
        return Ok(false);
    };
    let items: Vec<(i32, String, Vec<String>, i64)> = sqlx::query_as(
        r#"SELECT quantity, title, option_values, total_cents FROM website_order_items
            WHERE order_id = $1 ORDER BY created_at, id"#,
    )
    .bind(order_id)
    .fetch_all(&mut *tx)
    .await?;
    let money = |cents: i64| crate::model::format_money(cents, &currency);
    let lines: Vec<crate::mail::OrderLine> = items
        .into_iter()
        .map(|(quantity, title, options, total)| {
            let label = if options.is_empty() {
                title
            } else {
                format!("{title} ({})", options.join(", "))
            };
            crate::mail::OrderLine {
                quantity,
                label,
                total: money(total),
            }
        })
        .collect();
    let total = money(total_cents);
    let receipt = crate::mail::order_confirmation(&website_name, &number, &lines, &total);
    super::mail::queue(
        &mut tx,
        tenant_id,
        &super::mail::Envelope {
            kind: "order_confirmation",
            to: &customer,
            link: None,
            unsubscribe_url: None,
            secret: false,
            invitation_id: None,
        },
        &receipt,
    )
    .await?;
    if let Some((to, _)) = owner(&mut tx).await? {
        let prefs = format!("{link_base}/settings");
        let orders = format!("{link_base}/websites/{website_id}/orders");
        let msg = crate::mail::order_notice(
            &website_name,
            &number,
            &customer,
            &lines,
            &total,
            &orders,
            &prefs,
        );
        super::mail::queue(
            &mut tx,
            tenant_id,
            &envelope("order_notice", &to, &prefs),
            &msg,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// After a submission is stored (same transaction): a notice job when the website wants one.
pub async fn enqueue_form_notice(
    tx: &mut Tx,
    tenant_id: Uuid,
    website_id: Uuid,
    submission_id: Uuid,
) -> Result<(), AppError> {
    let on: Option<bool> =
        sqlx::query_scalar("SELECT notify_form_submissions FROM websites WHERE id = $1")
            .bind(website_id)
            .fetch_optional(&mut **tx)
            .await?;
    if on != Some(true) {
        return Ok(());
    }
    jobs::enqueue(
        &mut **tx,
        jobs::NewJob::new(
            FORM_NOTICE,
            serde_json::json!({ "tenant_id": tenant_id, "submission_id": submission_id }),
        )
        .tenant(tenant_id)
        .dedupe(format!("form-notice:{submission_id}")),
    )
    .await?;
    Ok(())
}

/// A billing event worth telling the owner: `payment_failed` or `suspended`.
pub async fn enqueue_billing_notice(
    tx: &mut Tx,
    tenant_id: Uuid,
    event: &str,
) -> Result<(), AppError> {
    jobs::enqueue(
        &mut **tx,
        jobs::NewJob::new(
            BILLING_NOTICE,
            serde_json::json!({ "tenant_id": tenant_id, "event": event }),
        )
        .tenant(tenant_id),
    )
    .await?;
    Ok(())
}

/// Turns the website's contact-form notices on or off.
pub async fn set_form_notices(tx: &mut Tx, website_id: Uuid, on: bool) -> Result<(), AppError> {
    let n = sqlx::query("UPDATE websites SET notify_form_submissions = $2 WHERE id = $1")
        .bind(website_id)
        .bind(on)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound("Website".into()));
    }
    Ok(())
}

pub async fn form_notices_on(tx: &mut Tx, website_id: Uuid) -> Result<bool, AppError> {
    sqlx::query_scalar("SELECT notify_form_submissions FROM websites WHERE id = $1")
        .bind(website_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| AppError::NotFound("Website".into()))
}

/// The active owner's address and whether they want billing emails.
async fn owner(tx: &mut Tx) -> Result<Option<(String, bool)>, AppError> {
    Ok(sqlx::query_as::<_, (String, bool)>(
        r#"SELECT email, COALESCE((preferences #>> '{notifications,email_on_billing}')::boolean, true)
             FROM users WHERE role = 'owner' AND is_active ORDER BY created_at LIMIT 1"#,
    )
    .fetch_optional(&mut **tx)
    .await?)
}

fn envelope<'a>(kind: &'a str, to: &'a str, prefs: &'a str) -> super::mail::Envelope<'a> {
    super::mail::Envelope {
        kind,
        to,
        link: None,
        unsubscribe_url: Some(prefs),
        secret: false,
        invitation_id: None,
    }
}

/// The `email.form_notice` job: the submission, rendered for the owner. `false` when there is
/// nothing to send (no owner, switched off since, submission gone).
pub async fn queue_form_notice(
    pool: &PgPool,
    tenant_id: Uuid,
    submission_id: Uuid,
    link_base: &str,
) -> Result<bool, AppError> {
    let mut tx = tenant_tx(pool, tenant_id).await?;
    type Row = (
        String,
        bool,
        serde_json::Value,
        chrono::DateTime<chrono::Utc>,
    );
    let row: Option<Row> = sqlx::query_as(
        r#"SELECT w.name, w.notify_form_submissions, s.data, s.created_at
             FROM form_submissions s JOIN websites w ON w.id = s.website_id
            WHERE s.id = $1"#,
    )
    .bind(submission_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((website_name, true, data, sent_at)) = row else {
        return Ok(false);
    };
    // When it was sent, in the organisation's timezone.
    let sent_at = super::organisation::local_time(&mut tx, sent_at, true).await?;
    let Some((to, _)) = owner(&mut tx).await? else {
        return Ok(false);
    };
    let fields: Vec<crate::model::SubmittedField> =
        serde_json::from_value(data).unwrap_or_default();
    let pairs: Vec<(String, String)> = fields.into_iter().map(|f| (f.label, f.value)).collect();
    let prefs = format!("{link_base}/settings");
    let msg = crate::mail::form_submission(
        &website_name,
        &sent_at,
        &pairs,
        &format!("{link_base}/forms"),
        &prefs,
    );
    super::mail::queue(
        &mut tx,
        tenant_id,
        &envelope("form_submission", &to, &prefs),
        &msg,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// The `email.billing_notice` job.
pub async fn queue_billing_notice(
    pool: &PgPool,
    tenant_id: Uuid,
    event: &str,
    link_base: &str,
) -> Result<bool, AppError> {
    let mut tx = tenant_tx(pool, tenant_id).await?;
    let Some((to, wants)) = owner(&mut tx).await? else {
        return Ok(false);
    };
    if !wants {
        return Ok(false);
    }
    let name: String = sqlx::query_scalar("SELECT name FROM tenants WHERE id = $1")
        .bind(tenant_id)
        .fetch_one(&mut *tx)
        .await?;
    let prefs = format!("{link_base}/settings");
    let msg = crate::mail::billing_notice(&name, event, &format!("{link_base}/billing"), &prefs);
    super::mail::queue(
        &mut tx,
        tenant_id,
        &envelope("billing_notice", &to, &prefs),
        &msg,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// The `email.domain_notice` job: `event` is `verified` or `lost`.
pub async fn queue_domain_notice(
    pool: &PgPool,
    tenant_id: Uuid,
    website_id: Uuid,
    domain: &str,
    event: &str,
    link_base: &str,
) -> Result<bool, AppError> {
    let mut tx = tenant_tx(pool, tenant_id).await?;
    let Some(website_name) =
        sqlx::query_scalar::<_, String>("SELECT name FROM websites WHERE id = $1")
            .bind(website_id)
            .fetch_optional(&mut *tx)
            .await?
    else {
        return Ok(false);
    };
    let Some((to, _)) = owner(&mut tx).await? else {
        return Ok(false);
    };
    let prefs = format!("{link_base}/settings");
    let msg = crate::mail::domain_notice(
        domain,
        &website_name,
        event,
        &format!("{link_base}/dashboard"),
        &prefs,
    );
    super::mail::queue(
        &mut tx,
        tenant_id,
        &envelope("domain_notice", &to, &prefs),
        &msg,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// An outgoing webhook endpoint was disabled after repeated failure (in the transaction that
/// disables it): the owner's email, linking to the website's webhooks page.
pub async fn queue_webhook_notice(
    tx: &mut Tx,
    tenant_id: Uuid,
    website_id: Uuid,
    url: &str,
    reason: &str,
    link_base: &str,
) -> Result<bool, AppError> {
    let Some(website_name) =
        sqlx::query_scalar::<_, String>("SELECT name FROM websites WHERE id = $1")
            .bind(website_id)
            .fetch_optional(&mut **tx)
            .await?
    else {
        return Ok(false);
    };
    let Some((to, _)) = owner(tx).await? else {
        return Ok(false);
    };
    let prefs = format!("{link_base}/settings");
    let msg = crate::mail::webhook_disabled(
        url,
        &website_name,
        reason,
        &format!("{link_base}/websites/{website_id}/webhooks"),
        &prefs,
    );
    super::mail::queue(
        tx,
        tenant_id,
        &envelope("webhook_notice", &to, &prefs),
        &msg,
    )
    .await?;
    Ok(true)
}
