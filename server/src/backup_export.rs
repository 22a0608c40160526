//! `GET /websites/{id}/export` (a website's backup document) and `GET /backups/{id}/download`
//! (a stored backup) as JSON downloads, for any signed-in member of the tenant (the checks are
//! in `app::api::backup`). Background: the `backups.daily` job.

use app::api::ctx::Caller;
use app::db::rate_limits::RateState;
use app::error::AppError;
use app::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

pub async fn export(
    State(state): State<AppState>,
    Path(website_id): Path<String>,
    caller: Caller,
) -> Response {
    let Ok(website_id) = Uuid::parse_str(&website_id) else {
        return (StatusCode::NOT_FOUND, "Website not found.").into_response();
    };
    let export = app::api::backup::export_for(&state.pool, &caller, website_id).await;
    attachment(export.map(|(json, name, rate)| (json, name, Some(rate))))
}

/// `GET /backups/{id}/download`: one stored backup (daily, manual or before a restore).
pub async fn stored(
    State(state): State<AppState>,
    Path(backup_id): Path<String>,
    caller: Caller,
) -> Response {
    let Ok(backup_id) = Uuid::parse_str(&backup_id) else {
        return (StatusCode::NOT_FOUND, "Backup not found.").into_response();
    };
    let stored = app::api::backup::backup_download_for(&state.pool, &caller, backup_id).await;
    attachment(stored.map(|(json, name)| (json, name, None)))
}

/// The JSON as a `{slug}-{date}.sitepilot.json` download, or the error with its status.
fn attachment(result: Result<(String, String, Option<RateState>), AppError>) -> Response {
    let date = chrono::Utc::now().format("%Y-%m-%d");
    // `name` is a slug (lowercase letters, digits, hyphens): safe in the header.
    crate::http::download::attachment(
        result.map(|(json, name, rate)| (json, format!("{name}-{date}.sitepilot.json"), rate)),
        "application/json; charset=utf-8",
    )
}

/// The `backups.daily` job (hourly): an automatic backup of every website that has none from
/// the last 23 hours, 200 websites a run, each in its own tenant transaction. Expired backups
/// of each website are deleted as its new one is stored.
pub async fn daily_job(ctx: crate::jobs::JobCtx) -> Result<(), crate::jobs::JobError> {
    let due = app::db::system::site_backups_due(&ctx.pool, 200).await?;
    let mut failed = 0;
    for (tenant, website) in &due {
        let result = async {
            let mut tx = app::db::tenant_tx(&ctx.pool, *tenant).await?;
            app::db::site_backups::take(&mut tx, *tenant, None, *website, "auto").await?;
            tx.commit().await?;
            Ok::<_, app::error::AppError>(())
        }
        .await;
        if let Err(e) = result {
            failed += 1;
            tracing::warn!(%website, error = %e, "daily backup failed");
        }
    }
    tracing::debug!(taken = due.len() - failed, failed, "daily backups");
    if failed > 0 {
        return Err(crate::jobs::JobError::Retry(format!(
            "{failed} of {} daily backups failed",
            due.len()
        )));
    }
    Ok(())
}
