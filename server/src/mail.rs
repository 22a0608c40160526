//! Email delivery over SMTP (issue 18 Part B): the `email.send` job's work.
//!
//! Messages are rendered and stored by the app (`app::db::mail::queue`, templates in
//! `app::mail`); this module sends one stored row with lettre and records the outcome:
//!
//! - the row is claimed with `FOR UPDATE SKIP LOCKED` on `status = 'queued'`
//!   (`db::mail::claim`) and the lock is held through the SMTP conversation, so two workers,
//!   or a job re-run after a restart, cannot both send it; a row already `sent`/`failed`, or
//!   held by another worker, is skipped;
//! - a transient SMTP answer (4xx, a network error) is recorded on the row and the job is
//!   retried with exponential backoff; a permanent answer (5xx), or the last attempt, marks
//!   the row `failed` with the server's words;
//! - with no SMTP server configured (`SITEPILOT_SMTP_URL` unset) nothing is sent: the row
//!   stays `queued` in the outbox, shown on the team page.
//!
//! The one window that can send twice is a crash after the server accepted the message and
//! before the row's `sent` committed; delivery is at least once, never silently dropped.

use std::time::Duration;

use app::db::mail::{self as outbox, Outgoing};
use app::error::AppError;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::PgPool;
use uuid::Uuid;

use crate::config::SmtpSettings;
use crate::jobs::{Backoff, JobCtx, JobError};
use crate::ServerConfig;

/// How long one SMTP conversation may take before it counts as a failed attempt.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Checks `SITEPILOT_SMTP_URL` and `SITEPILOT_MAIL_FROM` at startup.
pub fn check_settings(url: &str, from: &str) -> Result<(), String> {
    from.parse::<Mailbox>().map_err(|e| {
        format!(
            "SITEPILOT_MAIL_FROM is not an email address (`Name <addr@host>` or `addr@host`): {e}"
        )
    })?;
    AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map_err(|e| {
        format!("SITEPILOT_SMTP_URL is not a mail server URL (smtp://, smtp://…?tls=required or smtps://): {e}")
    })?;
    Ok(())
}

/// The configured mail server, or none.
#[derive(Clone)]
pub struct Mailer {
    inner: Option<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)>,
}

impl Mailer {
    pub fn new(settings: Option<&SmtpSettings>) -> Result<Self, String> {
        let Some(s) = settings else {
            return Ok(Self { inner: None });
        };
        check_settings(&s.url, &s.from)?;
        let from: Mailbox = s.from.parse().map_err(|e| format!("{e}"))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&s.url)
            .map_err(|e| e.to_string())?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        Ok(Self {
            inner: Some((transport, from)),
        })
    }

    pub fn is_configured(&self) -> bool {
        self.inner.is_some()
    }

    /// The mailer `config` describes (checked at startup by `ServerConfig`); a setting that
    /// still fails to build is logged and leaves delivery off rather than stopping the worker.
    pub fn from_config(config: &ServerConfig) -> Self {
        Self::new(config.smtp.as_ref()).unwrap_or_else(|e| {
            tracing::error!(error = %e, "SMTP settings refused; emails stay in the outbox");
            Self { inner: None }
        })
    }
}

/// Retries of a message the mail server did not take: 30 s, 1 min, 2 min, … up to an hour
/// (with [`outbox::MAX_ATTEMPTS`] attempts, about 15 minutes from first try to giving up).
pub fn backoff() -> Backoff {
    Backoff::exponential(Duration::from_secs(30), Duration::from_secs(3600))
}

/// The `email.send` handler: payload `{"outbox_id", "tenant_id"}`.
pub fn send_handler(
    config: &ServerConfig,
) -> impl Fn(
    JobCtx,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), JobError>> + Send>>
       + Send
       + Sync
       + 'static {
    let mailer = Mailer::from_config(config);
    move |ctx: JobCtx| {
        let mailer = mailer.clone();
        Box::pin(async move { send_job(&mailer, ctx).await })
    }
}

async fn send_job(mailer: &Mailer, ctx: JobCtx) -> Result<(), JobError> {
    let id = |k: &str| {
        ctx.payload[k]
            .as_str()
            .and_then(|s| s.parse::<Uuid>().ok())
            .ok_or_else(|| JobError::Fatal(format!("payload without a valid {k}")))
    };
    let (outbox_id, tenant_id) = (id("outbox_id")?, id("tenant_id")?);
    match deliver(
        &ctx.pool,
        mailer,
        tenant_id,
        outbox_id,
        ctx.attempt,
        ctx.max_attempts,
    )
    .await?
    {
        Outcome::Sent | Outcome::Skipped => Ok(()),
        Outcome::Retry(e) => Err(JobError::Retry(e)),
        Outcome::Failed(e) => Err(JobError::Fatal(e)),
    }
}

/// What one delivery attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The server accepted the message; the row is `sent`.
    Sent,
    /// Nothing to do: the row is not `queued`, another worker holds it, or no SMTP server is
    /// configured.
    Skipped,
    /// A transient failure, recorded on the row: try again later.
    Retry(String),
    /// Given up: the row is `failed` with this error.
    Failed(String),
}

/// Builds the MIME message for a stored row: both parts, and `List-Unsubscribe` for
/// notifications.
pub fn build_message(from: &Mailbox, row: &Outgoing) -> Result<Message, String> {
    let to: Mailbox = row
        .to_email
        .parse()
        .map_err(|e| format!("the address {} cannot receive email: {e}", row.to_email))?;
    let mut builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(row.subject.clone())
        .message_id(None);
    if let Some(url) = &row.unsubscribe_url {
        builder = builder.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{url}>"),
        ));
    }
    let html = row.body_html.clone().unwrap_or_else(|| {
        format!(
            "<!DOCTYPE html><html><body><pre>{}</pre></body></html>",
            app::mail::escape(&row.body_text)
        )
    });
    builder
        .multipart(MultiPart::alternative_plain_html(
            row.body_text.clone(),
            html,
        ))
        .map_err(|e| format!("the message could not be built: {e}"))
}

/// One delivery attempt of outbox row `outbox_id` in `tenant_id`. `attempt` is 1-based; at
/// `max_attempts` a transient failure gives up too.
pub async fn deliver(
    pool: &PgPool,
    mailer: &Mailer,
    tenant_id: Uuid,
    outbox_id: Uuid,
    attempt: i32,
    max_attempts: i32,
) -> Result<Outcome, AppError> {
    let Some((transport, from)) = &mailer.inner else {
        tracing::debug!(%outbox_id, "no SMTP server configured; the email stays in the outbox");
        return Ok(Outcome::Skipped);
    };
    let Some((tx, row)) = outbox::claim(pool, tenant_id, outbox_id).await? else {
        return Ok(Outcome::Skipped);
    };
    let message = match build_message(from, &row) {
        Ok(m) => m,
        Err(e) => {
            outbox::mark_attempt_failed(tx, row.id, &e, true).await?;
            return Ok(Outcome::Failed(e));
        }
    };
    match transport.send(message).await {
        Ok(_) => {
            outbox::mark_sent(tx, row.id).await?;
            tracing::info!(%outbox_id, "email delivered");
            Ok(Outcome::Sent)
        }
        Err(e) => {
            let words = smtp_error_words(&e);
            let give_up = e.is_permanent() || attempt >= max_attempts;
            outbox::mark_attempt_failed(tx, row.id, &words, give_up).await?;
            tracing::warn!(%outbox_id, attempt, give_up, error = %words, "email not delivered");
            Ok(if give_up {
                Outcome::Failed(words)
            } else {
                Outcome::Retry(words)
            })
        }
    }
}

/// The SMTP error as people read it: the server's code and text when it answered.
fn smtp_error_words(e: &lettre::transport::smtp::Error) -> String {
    let s = e.to_string();
    match s.split_once(": ") {
        Some((kind, detail)) if e.status().is_some() => format!("{kind}: {}", detail.trim()),
        _ => s,
    }
}

/// A notice handler: renders the owner's message with the app's origin and queues it (its own
/// `email.send` job delivers it).
type NoticeHandler = Box<
    dyn Fn(
            JobCtx,
        )
            -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), JobError>> + Send>>
        + Send
        + Sync,
>;

fn payload_uuid(ctx: &JobCtx, k: &str) -> Result<Uuid, JobError> {
    ctx.payload[k]
        .as_str()
        .and_then(|s| s.parse::<Uuid>().ok())
        .ok_or_else(|| JobError::Fatal(format!("payload without a valid {k}")))
}

fn payload_str(ctx: &JobCtx, k: &str, allowed: &[&str]) -> Result<String, JobError> {
    ctx.payload[k]
        .as_str()
        .filter(|v| allowed.contains(v) || allowed.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| JobError::Fatal(format!("payload without a valid {k}")))
}

/// `email.form_notice` {"tenant_id", "submission_id"}.
pub fn form_notice_handler(config: &ServerConfig) -> NoticeHandler {
    let base = config.public_origin();
    Box::new(move |ctx| {
        let base = base.clone();
        Box::pin(async move {
            let (tenant, submission) = (
                payload_uuid(&ctx, "tenant_id")?,
                payload_uuid(&ctx, "submission_id")?,
            );
            app::db::notify::queue_form_notice(&ctx.pool, tenant, submission, &base).await?;
            Ok(())
        })
    })
}

/// `email.billing_notice` {"tenant_id", "event": "payment_failed" | "suspended"}.
pub fn billing_notice_handler(config: &ServerConfig) -> NoticeHandler {
    let base = config.public_origin();
    Box::new(move |ctx| {
        let base = base.clone();
        Box::pin(async move {
            let tenant = payload_uuid(&ctx, "tenant_id")?;
            let event = payload_str(&ctx, "event", &["payment_failed", "suspended"])?;
            app::db::notify::queue_billing_notice(&ctx.pool, tenant, &event, &base).await?;
            Ok(())
        })
    })
}

/// `email.order_notice` {"tenant_id", "order_id"} (queued when a shop order is paid).
pub fn order_notice_handler(config: &ServerConfig) -> NoticeHandler {
    let base = config.public_origin();
    Box::new(move |ctx| {
        let base = base.clone();
        Box::pin(async move {
            let (tenant, order) = (
                payload_uuid(&ctx, "tenant_id")?,
                payload_uuid(&ctx, "order_id")?,
            );
            app::db::notify::queue_order_notices(&ctx.pool, tenant, order, &base).await?;
            Ok(())
        })
    })
}

/// `email.domain_notice` {"tenant_id", "website_id", "domain", "event": "verified" | "lost"}
/// (queued by the custom domains worker).
pub fn domain_notice_handler(config: &ServerConfig) -> NoticeHandler {
    let base = config.public_origin();
    Box::new(move |ctx| {
        let base = base.clone();
        Box::pin(async move {
            let tenant = payload_uuid(&ctx, "tenant_id")?;
            let website = payload_uuid(&ctx, "website_id")?;
            let domain = payload_str(&ctx, "domain", &[])?;
            let event = payload_str(&ctx, "event", &["verified", "lost"])?;
            app::db::notify::queue_domain_notice(
                &ctx.pool, tenant, website, &domain, &event, &base,
            )
            .await?;
            Ok(())
        })
    })
}
