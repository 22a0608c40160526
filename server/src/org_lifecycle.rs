//! The organisation's lifecycle after the owner deleted it or exported it (issue 23 part 5):
//!
//! - the `organisation.lifecycle` job (hourly) deletes export files whose download expired and
//!   purges organisations whose 90-day retention is over: first every stored file under the
//!   tenant's prefixes (media and exports), then the tenant row with everything it owns. Its
//!   work lists are cross-tenant SECURITY DEFINER calls returning ids only (migration 0046);
//!   the time is a parameter of [`sweep`], so tests move the clock instead of waiting;
//! - [`closing_guard`]: members of a deleted organisation still in its retention get the
//!   deletion notice (the purge date, and "Cancel deletion" for the owner) instead of the app.

use app::api::ctx::Caller;
use app::state::AppState;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use sqlx::PgPool;
use uuid::Uuid;

use crate::assets::Storage;
use crate::jobs::{JobCtx, JobError};

pub const JOB: &str = "organisation.lifecycle";

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub exports_expired: usize,
    pub purged: usize,
    pub failed: usize,
}

/// Does the work due at `now`, for `tenant` only when given (tests), else for all.
pub async fn sweep(
    pool: &PgPool,
    storage: &Storage,
    now: DateTime<Utc>,
    tenant: Option<Uuid>,
) -> Swept {
    let mut out = Swept::default();
    match app::db::system::organisation_exports_expired(pool, now, tenant, 200).await {
        Ok(expired) => {
            for (tenant_id, export) in expired {
                match expire_export(pool, storage, tenant_id, export).await {
                    Ok(()) => out.exports_expired += 1,
                    Err(e) => {
                        out.failed += 1;
                        tracing::warn!(%export, error = %e, "deleting an expired export failed");
                    }
                }
            }
        }
        Err(e) => {
            out.failed += 1;
            tracing::warn!(error = %e, "listing expired exports failed");
        }
    }
    match app::db::system::organisations_due_purge(pool, now, tenant, 50).await {
        Ok(due) => {
            for tenant_id in due {
                match purge(pool, storage, tenant_id, now).await {
                    Ok(true) => out.purged += 1,
                    Ok(false) => {}
                    Err(e) => {
                        out.failed += 1;
                        tracing::warn!(tenant = %tenant_id, error = %e, "purging an organisation failed");
                    }
                }
            }
        }
        Err(e) => {
            out.failed += 1;
            tracing::warn!(error = %e, "listing organisations to purge failed");
        }
    }
    out
}

async fn expire_export(
    pool: &PgPool,
    storage: &Storage,
    tenant: Uuid,
    export: Uuid,
) -> Result<(), String> {
    let mut tx = app::db::tenant_tx(pool, tenant)
        .await
        .map_err(|e| e.to_string())?;
    if let Some(key) = app::db::org_export::expire(&mut tx, export)
        .await
        .map_err(|e| e.to_string())?
    {
        // The file goes first: a failure leaves the row 'ready' (uncommitted) for the next run.
        storage.delete(&key).await.map_err(|e| e.to_string())?;
    }
    tx.commit().await.map_err(|e| e.to_string())
}

/// Deletes the tenant's stored files, then its rows. Safe to run again after a failure.
async fn purge(
    pool: &PgPool,
    storage: &Storage,
    tenant: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, String> {
    for prefix in app::db::org_deletion::storage_prefixes(tenant) {
        let n = storage
            .delete_prefix(&prefix)
            .await
            .map_err(|e| e.to_string())?;
        tracing::debug!(%tenant, %prefix, files = n, "purged stored files");
    }
    let purged = app::db::system::organisation_purge(pool, tenant, now)
        .await
        .map_err(|e| e.to_string())?;
    if purged {
        tracing::info!(%tenant, "organisation purged after its retention");
    }
    Ok(purged)
}

/// The job handler: [`sweep`] at the current time; retried when a step failed.
pub fn job(
    storage: Storage,
) -> impl Fn(JobCtx) -> BoxFuture<'static, Result<(), JobError>> + Send + Sync + 'static {
    move |ctx: JobCtx| {
        let storage = storage.clone();
        Box::pin(async move {
            let s = sweep(&ctx.pool, &storage, Utc::now(), None).await;
            tracing::debug!(
                expired = s.exports_expired,
                purged = s.purged,
                failed = s.failed,
                "organisation lifecycle"
            );
            if s.failed > 0 {
                return Err(JobError::Retry(format!(
                    "{} organisation lifecycle step(s) failed",
                    s.failed
                )));
            }
            Ok(())
        })
    }
}

/// What a deleted organisation's members are told by the API.
pub const CLOSING: &str = "This organisation has been deleted and is waiting to be purged. Only its owner can cancel the deletion.";

/// Paths a deleted organisation's members may still use: leaving, who am I, and the owner's
/// "Cancel deletion". Static files and the log-in page are not app routes of the tenant.
fn open(path: &str) -> bool {
    [
        "/api/login",
        "/api/logout",
        "/api/me",
        "/api/org/deletion_cancel",
        "/login",
    ]
    .contains(&path)
        || path.starts_with("/pkg/")
        || path.starts_with("/starter/")
        || path == "/favicon.ico"
}

/// Members of a deleted organisation get the deletion notice on every app page (403) and a
/// typed Forbidden from every server function, except [`open`] paths.
pub async fn closing_guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if open(req.uri().path()) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let caller = Caller::of_request(&state.pool, &parts).await;
    let Caller::Closing(member) = caller else {
        return next.run(Request::from_parts(parts, body)).await;
    };
    if let Some(refused) = crate::billing::refuse_api_call(&parts, CLOSING) {
        return refused;
    }
    let state_of = async {
        let mut tx = app::db::tenant_tx(&state.pool, member.tenant_id).await?;
        let s = app::db::org_deletion::state(&mut tx).await?;
        tx.commit().await?;
        Ok::<_, app::error::AppError>(s)
    }
    .await;
    let purge = match state_of {
        Ok(Some(s)) => s.purge_at.format("%Y-%m-%d").to_string(),
        _ => "the end of its 90-day retention".into(),
    };
    let name = app::mail::escape(&member.tenant_name);
    let cancel = if member.role.can_delete_tenant() {
        r#"<form method="post" action="/api/org/deletion_cancel"><button type="submit" class="app-button">Cancel deletion</button></form>"#
    } else {
        "<p>Only the organisation's owner can cancel the deletion.</p>"
    };
    let page = format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Organisation deleted · SitePilot</title>
<link rel="stylesheet" href="/pkg/sitepilot.css"></head><body><main class="app-narrow">
<h1>{name} is scheduled for deletion</h1>
<p role="alert" class="app-banner">This organisation was deleted. Its websites are offline, and everything it holds will be deleted for good on {purge}.</p>
{cancel}
<form method="post" action="/api/logout"><button type="submit" class="app-button app-button-ghost">Log out</button></form>
</main></body></html>"#
    );
    (StatusCode::FORBIDDEN, Html(page)).into_response()
}
