//! Outgoing webhooks (issue 21 part 4, migration 0033): endpoints per website, the outbox of
//! deliveries, and the bookkeeping of each attempt. Sending (HTTP, signatures, the address
//! checks) is the server's `webhooks` module; it calls [`begin_attempt`] and
//! [`finish_attempt`] around each request.
//!
//! [`emit`] runs inside the transaction of the event it reports: the delivery rows and their
//! `webhooks.deliver` jobs commit with the event or not at all.

use chrono::{DateTime, Utc};
use rand::RngCore;
use sqlx::{FromRow, PgPool};
use uuid::Uuid;

use super::{jobs, tenant_tx, Tx};
use crate::error::AppError;
use crate::model::{
    WebhookDelivery, WebhookEndpoint, WebhooksOverview, WEBHOOKS_PER_WEBSITE, WEBHOOK_LOG_LIMIT,
};

/// The job that sends one delivery: `{ "tenant_id", "delivery_id" }`.
pub const DELIVER_JOB: &str = "webhooks.deliver";
/// Attempts per delivery: with the server's backoff (1 minute doubling, at most 8 hours) the
/// last one is about 24 hours after the first.
pub const DELIVER_ATTEMPTS: i32 = 12;
/// Failed attempts in a row (over all deliveries) after which an endpoint is disabled.
pub const DISABLE_AFTER_FAILURES: i32 = 15;
/// How much of an answer the log keeps.
pub const EXCERPT_MAX: usize = 1024;

fn deliver_job(tenant_id: Uuid, delivery_id: Uuid) -> jobs::NewJob<'static> {
    jobs::NewJob::new(
        DELIVER_JOB,
        serde_json::json!({ "tenant_id": tenant_id, "delivery_id": delivery_id }),
    )
    .tenant(tenant_id)
    .max_attempts(DELIVER_ATTEMPTS)
    .dedupe(format!("webhook:{delivery_id}"))
}

/// Records `event` for every active endpoint of `website_id` that subscribed to it, each with
/// its delivery job, in the caller's transaction. `subject_id` names what the event is about
/// when quick repeats should fold into the one delivery not yet sent (a page saved again and
/// again: `page.updated`); the waiting delivery then carries the newest body. Returns how many
/// deliveries were queued.
pub async fn emit(
    tx: &mut Tx,
    website_id: Uuid,
    event: &str,
    subject_id: Option<Uuid>,
    data: serde_json::Value,
) -> Result<usize, AppError> {
    debug_assert!(
        crate::model::is_webhook_event(event),
        "unknown event {event}"
    );
    let event_id = Uuid::new_v4();
    let body = serde_json::json!({
        "id": event_id,
        "type": event,
        "created": Utc::now().timestamp(),
        "website_id": website_id,
        "data": data,
    })
    .to_string();
    if let Some(subject) = subject_id {
        // Fold into a delivery nobody has started sending yet (the worker stamps
        // `last_attempt_at` under the row lock before it reads the body).
        sqlx::query(
            r#"UPDATE website_webhook_deliveries
                  SET payload = $4, event_id = $5
                WHERE website_id = $1 AND event = $2 AND subject_id = $3
                  AND status = 'pending' AND last_attempt_at IS NULL"#,
        )
        .bind(website_id)
        .bind(event)
        .bind(subject)
        .bind(&body)
        .bind(event_id)
        .execute(&mut **tx)
        .await?;
    }
    let rows: Vec<(Uuid, Uuid)> = sqlx::query_as(
        r#"INSERT INTO website_webhook_deliveries
               (tenant_id, website_id, webhook_id, event, event_id, subject_id, payload)
           SELECT w.tenant_id, w.website_id, w.id, $2, $3, $4, $5
             FROM website_webhooks w
            WHERE w.website_id = $1 AND w.is_active AND $2 = ANY (w.events)
              AND ($4::uuid IS NULL OR NOT EXISTS (
                    SELECT 1 FROM website_webhook_deliveries d
                     WHERE d.webhook_id = w.id AND d.event = $2 AND d.subject_id = $4
                       AND d.status = 'pending' AND d.last_attempt_at IS NULL))
           RETURNING tenant_id, id"#,
    )
    .bind(website_id)
    .bind(event)
    .bind(event_id)
    .bind(subject_id)
    .bind(&body)
    .fetch_all(&mut **tx)
    .await?;
    for (tenant, id) in &rows {
        jobs::enqueue(&mut **tx, deliver_job(*tenant, *id)).await?;
    }
    Ok(rows.len())
}

/// `page.updated` for `page_id`: cheap when nobody listens (one indexed lookup).
pub async fn emit_page_updated(tx: &mut Tx, page_id: Uuid) -> Result<(), AppError> {
    let page: Option<(Uuid, String, String, i64)> = sqlx::query_as(
        r#"SELECT p.website_id, p.title, p.slug, p.revision
             FROM pages p
            WHERE p.id = $1
              AND EXISTS (SELECT 1 FROM website_webhooks w
                           WHERE w.website_id = p.website_id AND w.is_active
                             AND 'page.updated' = ANY (w.events))"#,
    )
    .bind(page_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((website_id, title, slug, revision)) = page else {
        return Ok(());
    };
    emit(
        tx,
        website_id,
        "page.updated",
        Some(page_id),
        serde_json::json!({ "page_id": page_id, "title": title, "slug": slug, "revision": revision }),
    )
    .await?;
    Ok(())
}

/// A fresh signing secret: `whsec_` and 32 random bytes in hex.
fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("whsec_{}", hex::encode(bytes))
}

/// Adds an endpoint (`url` and `events` already checked) to the website.
pub async fn add(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Uuid,
    website_id: Uuid,
    url: &str,
    events: &[String],
) -> Result<Uuid, AppError> {
    super::websites::require(tx, website_id).await?;
    // Lock the website so two adds cannot both pass the count.
    sqlx::query("SELECT 1 FROM websites WHERE id = $1 FOR UPDATE")
        .bind(website_id)
        .execute(&mut **tx)
        .await?;
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM website_webhooks WHERE website_id = $1")
        .bind(website_id)
        .fetch_one(&mut **tx)
        .await?;
    if n >= WEBHOOKS_PER_WEBSITE {
        return Err(AppError::invalid(
            "url",
            format!(
                "A website can have {WEBHOOKS_PER_WEBSITE} endpoints at most. Remove one first."
            ),
        ));
    }
    let id: Uuid = sqlx::query_scalar(
        r#"INSERT INTO website_webhooks (tenant_id, website_id, url, events, secret, created_by)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"#,
    )
    .bind(tenant_id)
    .bind(website_id)
    .bind(url)
    .bind(events)
    .bind(new_secret())
    .bind(user_id)
    .fetch_one(&mut **tx)
    .await?;
    super::audit(
        tx,
        tenant_id,
        Some(user_id),
        "webhook.added",
        ("website", website_id),
        serde_json::json!({ "webhook_id": id, "url": url, "events": events }),
    )
    .await?;
    Ok(id)
}

fn endpoint_not_found() -> AppError {
    AppError::NotFound("Webhook endpoint".into())
}

/// The website an endpoint belongs to.
pub async fn website_of(tx: &mut Tx, webhook_id: Uuid) -> Result<Uuid, AppError> {
    sqlx::query_scalar("SELECT website_id FROM website_webhooks WHERE id = $1")
        .bind(webhook_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(endpoint_not_found)
}

/// Removes an endpoint and its log.
pub async fn delete(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Uuid,
    webhook_id: Uuid,
) -> Result<Uuid, AppError> {
    let row: Option<(Uuid, String)> =
        sqlx::query_as("DELETE FROM website_webhooks WHERE id = $1 RETURNING website_id, url")
            .bind(webhook_id)
            .fetch_optional(&mut **tx)
            .await?;
    let (website_id, url) = row.ok_or_else(endpoint_not_found)?;
    super::audit(
        tx,
        tenant_id,
        Some(user_id),
        "webhook.removed",
        ("website", website_id),
        serde_json::json!({ "webhook_id": webhook_id, "url": url }),
    )
    .await?;
    Ok(website_id)
}

/// Turns a disabled endpoint back on (its failure count starts again).
pub async fn enable(tx: &mut Tx, webhook_id: Uuid) -> Result<Uuid, AppError> {
    sqlx::query_scalar(
        r#"UPDATE website_webhooks
              SET is_active = true, disabled_at = NULL, disabled_reason = NULL,
                  consecutive_failures = 0, updated_at = now()
            WHERE id = $1 RETURNING website_id"#,
    )
    .bind(webhook_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(endpoint_not_found)
}

/// "Resend": the same event (id and body) as a new delivery to the same endpoint, sent now.
pub async fn resend(tx: &mut Tx, tenant_id: Uuid, delivery_id: Uuid) -> Result<Uuid, AppError> {
    let row: Option<(Uuid, bool)> = sqlx::query_as(
        r#"SELECT d.website_id, w.is_active
             FROM website_webhook_deliveries d JOIN website_webhooks w ON w.id = d.webhook_id
            WHERE d.id = $1"#,
    )
    .bind(delivery_id)
    .fetch_optional(&mut **tx)
    .await?;
    let (website_id, active) = row.ok_or_else(|| AppError::NotFound("Delivery".into()))?;
    if !active {
        return Err(AppError::invalid(
            "delivery_id",
            "This endpoint is disabled. Enable it before resending.",
        ));
    }
    let id: Uuid = sqlx::query_scalar(
        r#"INSERT INTO website_webhook_deliveries
               (tenant_id, website_id, webhook_id, event, event_id, payload)
           SELECT tenant_id, website_id, webhook_id, event, event_id, payload
             FROM website_webhook_deliveries WHERE id = $1
           RETURNING id"#,
    )
    .bind(delivery_id)
    .fetch_one(&mut **tx)
    .await?;
    jobs::enqueue(&mut **tx, deliver_job(tenant_id, id)).await?;
    Ok(website_id)
}

#[derive(FromRow)]
struct EndpointRow {
    id: Uuid,
    url: String,
    events: Vec<String>,
    secret: String,
    is_active: bool,
    disabled_at: Option<DateTime<Utc>>,
    disabled_reason: Option<String>,
    consecutive_failures: i32,
    created_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct DeliveryRow {
    id: Uuid,
    webhook_id: Uuid,
    url: String,
    event: String,
    event_id: Uuid,
    status: String,
    attempts: i32,
    response_status: Option<i32>,
    response_excerpt: Option<String>,
    duration_ms: Option<i32>,
    error: Option<String>,
    created_at: DateTime<Utc>,
    last_attempt_at: Option<DateTime<Utc>>,
    next_attempt_at: Option<DateTime<Utc>>,
}

/// The website's endpoints and newest deliveries.
pub async fn overview(tx: &mut Tx, website_id: Uuid) -> Result<WebhooksOverview, AppError> {
    let name: String = sqlx::query_scalar("SELECT name FROM websites WHERE id = $1")
        .bind(website_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| AppError::NotFound("Website".into()))?;
    let endpoints: Vec<EndpointRow> = sqlx::query_as(
        r#"SELECT id, url, events, secret, is_active, disabled_at, disabled_reason,
                  consecutive_failures, created_at
             FROM website_webhooks WHERE website_id = $1 ORDER BY created_at, id"#,
    )
    .bind(website_id)
    .fetch_all(&mut **tx)
    .await?;
    let deliveries: Vec<DeliveryRow> = sqlx::query_as(
        r#"SELECT d.id, d.webhook_id, w.url, d.event, d.event_id, d.status, d.attempts,
                  d.response_status, d.response_excerpt, d.duration_ms, d.error, d.created_at,
                  d.last_attempt_at, d.next_attempt_at
             FROM website_webhook_deliveries d JOIN website_webhooks w ON w.id = d.webhook_id
            WHERE d.website_id = $1
            ORDER BY d.created_at DESC, d.id
            LIMIT $2"#,
    )
    .bind(website_id)
    .bind(WEBHOOK_LOG_LIMIT)
    .fetch_all(&mut **tx)
    .await?;
    Ok(WebhooksOverview {
        website_id,
        website_name: name,
        endpoints: endpoints
            .into_iter()
            .map(|e| WebhookEndpoint {
                id: e.id,
                url: e.url,
                events: e.events,
                secret: e.secret,
                is_active: e.is_active,
                disabled_at: e.disabled_at,
                disabled_reason: e.disabled_reason,
                consecutive_failures: e.consecutive_failures,
                created_at: e.created_at,
            })
            .collect(),
        deliveries: deliveries
            .into_iter()
            .map(|d| WebhookDelivery {
                id: d.id,
                webhook_id: d.webhook_id,
                url: d.url,
                event: d.event,
                event_id: d.event_id,
                status: d.status,
                attempts: d.attempts,
                response_status: d.response_status,
                response_excerpt: d.response_excerpt,
                duration_ms: d.duration_ms,
                error: d.error,
                created_at: d.created_at,
                last_attempt_at: d.last_attempt_at,
                next_attempt_at: d.next_attempt_at,
            })
            .collect(),
    })
}

/// What one attempt sends.
#[derive(Debug, Clone, FromRow)]
pub struct Attempt {
    pub delivery_id: Uuid,
    pub webhook_id: Uuid,
    pub website_id: Uuid,
    pub event: String,
    pub url: String,
    pub secret: String,
    pub payload: String,
}

/// Starts an attempt: stamps it (so no later event folds into a body being sent) and returns
/// what to send, or `None` when the delivery is already settled or its endpoint was disabled
/// or removed (then it is cancelled).
pub async fn begin_attempt(
    pool: &PgPool,
    tenant_id: Uuid,
    delivery_id: Uuid,
) -> Result<Option<Attempt>, AppError> {
    let mut tx = tenant_tx(pool, tenant_id).await?;
    let row: Option<(Attempt, bool)> = sqlx::query_as::<_, (Uuid, Uuid, Uuid, String, String, String, String, bool)>(
        r#"UPDATE website_webhook_deliveries d
              SET last_attempt_at = now()
             FROM website_webhooks w
            WHERE d.id = $1 AND w.id = d.webhook_id AND d.status = 'pending'
        RETURNING d.id, d.webhook_id, d.website_id, d.event, w.url, w.secret, d.payload, w.is_active"#,
    )
    .bind(delivery_id)
    .fetch_optional(&mut *tx)
    .await?
    .map(|(delivery_id, webhook_id, website_id, event, url, secret, payload, active)| {
        (
            Attempt {
                delivery_id,
                webhook_id,
                website_id,
                event,
                url,
                secret,
                payload,
            },
            active,
        )
    });
    let out = match row {
        Some((attempt, true)) => Some(attempt),
        Some((_, false)) => {
            sqlx::query(
                "UPDATE website_webhook_deliveries SET status = 'cancelled', error = 'The endpoint was disabled before this delivery was sent.' WHERE id = $1",
            )
            .bind(delivery_id)
            .execute(&mut *tx)
            .await?;
            None
        }
        None => None,
    };
    tx.commit().await?;
    Ok(out)
}

/// What an attempt found.
#[derive(Debug, Clone, Default)]
pub struct AttemptResult {
    /// The receiver answered 2xx.
    pub ok: bool,
    pub response_status: Option<i32>,
    pub response_excerpt: Option<String>,
    pub duration_ms: i32,
    /// Why it failed, in words (no answer, refused address, non-2xx).
    pub error: Option<String>,
}

/// How a delivery stands after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    Succeeded,
    /// Failed; sent again at the time given to [`finish_attempt`].
    WillRetry,
    /// Failed for good (no attempts left).
    Failed,
    /// Failed, and the endpoint was disabled (the owner is told by email).
    EndpointDisabled,
}

/// Records an attempt. `retry_at` is when the queue will run the job again (`None` on its last
/// attempt). Repeated failure disables the endpoint and queues the owner's notice in the same
/// transaction.
pub async fn finish_attempt(
    pool: &PgPool,
    tenant_id: Uuid,
    attempt: &Attempt,
    result: &AttemptResult,
    retry_at: Option<DateTime<Utc>>,
    link_base: &str,
) -> Result<Settled, AppError> {
    let mut tx = tenant_tx(pool, tenant_id).await?;
    let excerpt = result
        .response_excerpt
        .as_deref()
        .map(|s| s.chars().take(EXCERPT_MAX).collect::<String>());
    if result.ok {
        sqlx::query(
            r#"UPDATE website_webhook_deliveries
                  SET status = 'succeeded', attempts = attempts + 1, response_status = $2,
                      response_excerpt = $3, duration_ms = $4, error = NULL,
                      delivered_at = now(), next_attempt_at = NULL
                WHERE id = $1"#,
        )
        .bind(attempt.delivery_id)
        .bind(result.response_status)
        .bind(&excerpt)
        .bind(result.duration_ms)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE website_webhooks SET consecutive_failures = 0 WHERE id = $1")
            .bind(attempt.webhook_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        return Ok(Settled::Succeeded);
    }
    let failures: Option<(i32, bool)> = sqlx::query_as(
        r#"UPDATE website_webhooks SET consecutive_failures = consecutive_failures + 1
            WHERE id = $1 RETURNING consecutive_failures, is_active"#,
    )
    .bind(attempt.webhook_id)
    .fetch_optional(&mut *tx)
    .await?;
    let (failures, active) = failures.unwrap_or((0, false));
    let disable = active && (failures >= DISABLE_AFTER_FAILURES || retry_at.is_none());
    let settled = if disable {
        Settled::EndpointDisabled
    } else if retry_at.is_none() || !active {
        Settled::Failed
    } else {
        Settled::WillRetry
    };
    let (status, next) = match settled {
        Settled::WillRetry => ("pending", retry_at),
        _ => ("failed", None),
    };
    sqlx::query(
        r#"UPDATE website_webhook_deliveries
              SET status = $2, attempts = attempts + 1, response_status = $3,
                  response_excerpt = $4, duration_ms = $5, error = $6, next_attempt_at = $7
            WHERE id = $1"#,
    )
    .bind(attempt.delivery_id)
    .bind(status)
    .bind(result.response_status)
    .bind(&excerpt)
    .bind(result.duration_ms)
    .bind(&result.error)
    .bind(next)
    .execute(&mut *tx)
    .await?;
    if disable {
        let reason = if retry_at.is_none() {
            format!(
                "A delivery failed on every attempt for about a day. Last error: {}",
                result.error.as_deref().unwrap_or("unknown")
            )
        } else {
            format!(
                "{failures} deliveries in a row failed. Last error: {}",
                result.error.as_deref().unwrap_or("unknown")
            )
        };
        sqlx::query(
            r#"UPDATE website_webhooks
                  SET is_active = false, disabled_at = now(), disabled_reason = $2, updated_at = now()
                WHERE id = $1"#,
        )
        .bind(attempt.webhook_id)
        .bind(&reason)
        .execute(&mut *tx)
        .await?;
        super::audit(
            &mut tx,
            tenant_id,
            None,
            "webhook.disabled",
            ("website", attempt.website_id),
            serde_json::json!({ "webhook_id": attempt.webhook_id, "url": attempt.url, "reason": reason }),
        )
        .await?;
        super::notify::queue_webhook_notice(
            &mut tx,
            tenant_id,
            attempt.website_id,
            &attempt.url,
            &reason,
            link_base,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(settled)
}
