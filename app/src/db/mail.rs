//! The email outbox as a delivery queue (migrations 0015, 0024).
//!
//! [`queue`] stores a rendered message in the tenant's `email_outbox` and, in the same
//! transaction, enqueues an `email.send` job naming it, so a message exists exactly when its
//! delivery is scheduled. The job (server/src/mail.rs) claims the row with
//! [`claim`] (`FOR UPDATE SKIP LOCKED` on a `queued` row, held while the SMTP conversation runs),
//! then commits [`mark_sent`] or [`mark_attempt_failed`]. A row another worker holds, or one
//! already `sent`/`failed`, is skipped: two workers, or a job run again after a restart, never
//! send a message twice once it is marked.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgPool};
use uuid::Uuid;

use super::Tx;
use crate::error::AppError;
use crate::mail::Rendered;

/// The job kind that delivers one outbox row.
pub const SEND_JOB: &str = "email.send";
/// Delivery attempts before a message is marked `failed`.
pub const MAX_ATTEMPTS: i32 = 6;

/// What to store besides the rendered parts.
pub struct Envelope<'a> {
    pub kind: &'a str,
    pub to: &'a str,
    /// A link shown on the team page (invitations), copied by hand when nothing is sent.
    pub link: Option<&'a str>,
    /// Notifications: the preferences page, also sent as `List-Unsubscribe`.
    pub unsubscribe_url: Option<&'a str>,
    /// The body holds a one-time secret (reset, verification): never shown on the team page,
    /// blanked once delivered or given up on.
    pub secret: bool,
    pub invitation_id: Option<Uuid>,
}

/// Stores `msg` for `env.to` and schedules its delivery, inside the caller's tenant
/// transaction. Returns the outbox id.
pub async fn queue(
    tx: &mut Tx,
    tenant_id: Uuid,
    env: &Envelope<'_>,
    msg: &Rendered,
) -> Result<Uuid, AppError> {
    let id: Uuid = sqlx::query_scalar(
        r#"INSERT INTO email_outbox (tenant_id, to_email, subject, body_text, body_html, link, kind,
                                     invitation_id, unsubscribe_url, secret)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           RETURNING id"#,
    )
    .bind(tenant_id)
    .bind(env.to)
    .bind(&msg.subject)
    .bind(&msg.text)
    .bind(&msg.html)
    .bind(env.link)
    .bind(env.kind)
    .bind(env.invitation_id)
    .bind(env.unsubscribe_url)
    .bind(env.secret)
    .fetch_one(&mut **tx)
    .await?;
    enqueue_delivery(tx, tenant_id, id).await?;
    Ok(id)
}

/// The `email.send` job for outbox row `id`, committed with the row. Its dedupe key is the row:
/// one live delivery job per message.
async fn enqueue_delivery(tx: &mut Tx, tenant_id: Uuid, id: Uuid) -> Result<(), AppError> {
    super::jobs::enqueue(
        &mut **tx,
        super::jobs::NewJob::new(
            SEND_JOB,
            serde_json::json!({ "outbox_id": id, "tenant_id": tenant_id }),
        )
        .tenant(tenant_id)
        .dedupe(format!("email:{id}"))
        .max_attempts(MAX_ATTEMPTS),
    )
    .await?;
    Ok(())
}

/// One message claimed for delivery.
#[derive(FromRow, Debug, Clone)]
pub struct Outgoing {
    pub id: Uuid,
    pub to_email: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub unsubscribe_url: Option<String>,
    pub attempts: i32,
}

/// Locks outbox row `id` of `tenant_id` for delivery: `None` when it is not `queued` (already
/// sent or failed) or another worker holds it right now. The returned transaction keeps the lock
/// until [`mark_sent`] / [`mark_attempt_failed`] commit it.
pub async fn claim(
    pool: &PgPool,
    tenant_id: Uuid,
    id: Uuid,
) -> Result<Option<(Tx, Outgoing)>, AppError> {
    let mut tx = super::tenant_tx(pool, tenant_id).await?;
    let row = sqlx::query_as::<_, Outgoing>(
        r#"SELECT id, to_email, subject, body_text, body_html, unsubscribe_url, attempts
             FROM email_outbox
            WHERE id = $1 AND status = 'queued'
            FOR UPDATE SKIP LOCKED"#,
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    Ok(row.map(|r| (tx, r)))
}

/// Blanks the body of a secret-bearing message once it is out of the queue.
const SCRUB: &str = r#"body_text = CASE WHEN secret THEN '(not kept: it held a one-time link)' ELSE body_text END,
                       body_html = CASE WHEN secret THEN NULL ELSE body_html END,
                       link = CASE WHEN secret THEN NULL ELSE link END"#;

pub async fn mark_sent(mut tx: Tx, id: Uuid) -> Result<(), AppError> {
    sqlx::query(&format!(
        "UPDATE email_outbox SET status = 'sent', sent_at = now(), attempts = attempts + 1, \
         last_attempt_at = now(), last_error = NULL, {SCRUB} WHERE id = $1"
    ))
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records a failed attempt with the SMTP server's words; `give_up` marks the row `failed`.
pub async fn mark_attempt_failed(
    mut tx: Tx,
    id: Uuid,
    error: &str,
    give_up: bool,
) -> Result<(), AppError> {
    let error: String = error.chars().take(1000).collect();
    let sql = if give_up {
        format!(
            "UPDATE email_outbox SET status = 'failed', attempts = attempts + 1, \
             last_attempt_at = now(), last_error = $2, {SCRUB} WHERE id = $1"
        )
    } else {
        "UPDATE email_outbox SET attempts = attempts + 1, last_attempt_at = now(), last_error = $2 \
         WHERE id = $1"
            .to_string()
    };
    sqlx::query(&sql)
        .bind(id)
        .bind(error)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A row's delivery state, for tests and the team page.
#[derive(FromRow, Debug, Clone)]
pub struct DeliveryState {
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub body_text: String,
}

pub async fn delivery_state(
    pool: &PgPool,
    tenant_id: Uuid,
    id: Uuid,
) -> Result<Option<DeliveryState>, AppError> {
    let mut tx = super::tenant_tx(pool, tenant_id).await?;
    let row = sqlx::query_as::<_, DeliveryState>(
        "SELECT status, attempts, last_error, sent_at, body_text FROM email_outbox WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(row)
}
