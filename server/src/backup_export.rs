//! `GET /websites/{id}/export` (a website's backup document) and `GET /backups/{id}/download`
//! (a stored backup) as JSON downloads, and `GET /websites/{id}/export.zip` (the document with
//! the tenant's media files it names), for any signed-in member of the tenant (the checks are
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

/// `GET /websites/{id}/export.zip` ("Download backup with media"): a zip holding
/// `website.json` (the same document as `/export`) and every file of the tenant's media
/// library that the document's asset manifest names, at its address without the leading slash
/// (`media/{tenant}/{asset}/original.png`). Local images (`/starter/…`) ship with SitePilot and
/// are not included; a named file missing from the store is left out and logged.
pub async fn export_zip(
    State(media): State<crate::assets::MediaState>,
    Path(website_id): Path<String>,
    caller: Caller,
) -> Response {
    let Ok(website_id) = Uuid::parse_str(&website_id) else {
        return (StatusCode::NOT_FOUND, "Website not found.").into_response();
    };
    let result = async {
        let (json, name, rate) =
            app::api::backup::export_for(&media.app.pool, &caller, website_id).await?;
        let tenant = caller
            .member()?
            .map(|m| m.tenant_id)
            .ok_or(AppError::Unauthorized)?;
        let manifest: Vec<String> = serde_json::from_str::<serde_json::Value>(&json)
            .ok()
            .and_then(|v| serde_json::from_value(v["assets"].clone()).ok())
            .unwrap_or_default();
        let mut files = Vec::new();
        for url in manifest {
            let Some(r) = app::model::MediaRef::parse(&url).filter(|r| r.tenant == tenant) else {
                continue;
            };
            match media.storage.get_bytes(&r.storage_key()).await {
                Ok(Some(bytes)) => files.push((url.trim_start_matches('/').to_string(), bytes)),
                Ok(None) => tracing::warn!(%url, "a file named in the export is not in the store"),
                Err(e) => {
                    tracing::error!(error = %e, "reading a stored file for the export");
                    return Err(AppError::Internal);
                }
            }
        }
        let zip = tokio::task::spawn_blocking(move || zip_of(&json, &files))
            .await
            .map_err(|_| AppError::Internal)??;
        let date = chrono::Utc::now().format("%Y-%m-%d");
        Ok((zip, format!("{name}-{date}.sitepilot.zip"), Some(rate)))
    }
    .await;
    crate::http::download::attachment_bytes(result, "application/zip")
}

/// The zip: `website.json` first (deflated), then the files as they are (already compressed).
fn zip_of(json: &str, files: &[(String, bytes::Bytes)]) -> Result<Vec<u8>, AppError> {
    use std::io::Write;
    use zip::write::SimpleFileOptions;
    let fail = |e: &dyn std::fmt::Display| {
        tracing::error!(error = %e, "writing the export zip");
        AppError::Internal
    };
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    w.start_file("website.json", deflated)
        .map_err(|e| fail(&e))?;
    w.write_all(json.as_bytes()).map_err(|e| fail(&e))?;
    for (path, bytes) in files {
        w.start_file(path.as_str(), stored).map_err(|e| fail(&e))?;
        w.write_all(bytes).map_err(|e| fail(&e))?;
    }
    Ok(w.finish().map_err(|e| fail(&e))?.into_inner())
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
