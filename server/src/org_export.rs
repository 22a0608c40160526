//! The organisation export (issue 23 part 5): the `organisation.export` job builds one zip of
//! everything the tenant holds and stores it beside the tenant's media in the object store
//! (`exports/{tenant}/{export}.zip`, never served by the media route); the owner downloads it
//! from `GET /organisation/exports/{id}/download` until it expires (`model::EXPORT_DAYS`), after
//! which the `organisation.lifecycle` job deletes the file.
//!
//! The zip holds, each file listed in `manifest.json` with its size and SHA-256:
//! - `websites/{subdomain}/website.json`: each website in the backup export format
//!   (`app::model::SiteBackup`, the same document as `GET /websites/{id}/export`);
//! - `websites/{subdomain}/form-submissions.csv`: its contact-form submissions (the inbox's
//!   CSV export; one row per submission, the form named in a column);
//! - `audit-log.json`: the whole audit log, oldest first;
//! - `media/{asset}/{file name}`: every file of the media library, streamed from storage.
//!
//! The zip is written to a temporary file (never whole in memory) and copied to the store in
//! parts. A retried job starts again from the beginning and overwrites the same key.

use std::path::{Path, PathBuf};

use app::api::ctx::Caller;
use app::error::AppError;
use app::model::{
    ExportManifest, ManifestFile, ManifestOrganisation, ManifestWebsite, EXPORT_FORMAT_VERSION,
};
use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use futures_util::future::BoxFuture;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::assets::{MediaState, Storage};
use crate::jobs::{JobCtx, JobError};

/// What the owner is told when the export failed for good (the cause is in the server log).
const FAILED: &str = "The export could not be built. Try again later.";

/// The job handler, with the store the zip goes to and the folder it is written in first.
pub fn job(
    storage: Storage,
    tmp_dir: PathBuf,
) -> impl Fn(JobCtx) -> BoxFuture<'static, Result<(), JobError>> + Send + Sync + 'static {
    move |ctx: JobCtx| {
        let storage = storage.clone();
        let tmp_dir = tmp_dir.clone();
        Box::pin(async move {
            let id = |key: &str| {
                ctx.payload[key]
                    .as_str()
                    .and_then(|s| Uuid::parse_str(s).ok())
                    .ok_or_else(|| JobError::Fatal(format!("the job has no {key}")))
            };
            let (tenant, export) = (id("tenant_id")?, id("export_id")?);
            match build(&ctx.pool, &storage, &tmp_dir, tenant, export).await {
                Ok(()) => Ok(()),
                Err(e) => {
                    tracing::error!(%tenant, %export, error = %e, "organisation export failed");
                    if ctx.last_attempt() {
                        let mut tx = app::db::tenant_tx(&ctx.pool, tenant).await?;
                        app::db::org_export::fail(&mut tx, export, FAILED).await?;
                        tx.commit().await.map_err(AppError::from)?;
                    }
                    Err(JobError::Retry(e.to_string()))
                }
            }
        })
    }
}

/// Why building failed (logged, never shown).
#[derive(Debug, thiserror::Error)]
enum BuildError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Storage(#[from] crate::assets::storage::StorageError),
    #[error("writing the zip: {0}")]
    Zip(String),
}

async fn progress(
    pool: &sqlx::PgPool,
    tenant: Uuid,
    export: Uuid,
    phase: &str,
    percent: usize,
) -> Result<(), AppError> {
    let mut tx = app::db::tenant_tx(pool, tenant).await?;
    app::db::org_export::progress(&mut tx, export, phase, percent.min(100) as i32).await?;
    tx.commit().await?;
    Ok(())
}

/// Builds the zip for `export`, stores it and marks the export ready.
async fn build(
    pool: &sqlx::PgPool,
    storage: &Storage,
    tmp_dir: &Path,
    tenant: Uuid,
    export: Uuid,
) -> Result<(), BuildError> {
    // An export that is no longer wanted (finished, or its tenant purged) is left alone.
    {
        let mut tx = app::db::tenant_tx(pool, tenant).await?;
        let live = match app::db::org_export::get(&mut tx, export).await {
            Ok(e) => e.status.is_live(),
            Err(AppError::NotFound(_)) => false,
            Err(e) => return Err(e.into()),
        };
        tx.commit().await?;
        if !live {
            return Ok(());
        }
    }
    progress(pool, tenant, export, "Websites", 2).await?;
    tokio::fs::create_dir_all(tmp_dir)
        .await
        .map_err(|e| BuildError::Zip(e.to_string()))?;
    let path = tmp_dir.join(format!("org-export-{export}.zip"));
    let _cleanup = RemoveOnDrop(path.clone());
    let mut zip = ZipBuilder::create(&path).await?;

    // Websites and their submissions, read in one transaction (one consistent view).
    let mut tx = app::db::tenant_tx(pool, tenant).await?;
    let (org_id, org_name, org_created) = app::db::org_export::organisation(&mut tx).await?;
    let sites = app::db::org_export::websites(&mut tx).await?;
    let mut websites = Vec::new();
    let mut documents = Vec::new();
    for (id, name, subdomain) in &sites {
        let folder = format!(
            "websites/{}",
            subdomain.clone().unwrap_or_else(|| id.to_string())
        );
        let backup = app::db::backup::export(&mut tx, *id).await?;
        let json =
            serde_json::to_vec_pretty(&backup).map_err(|e| BuildError::Zip(e.to_string()))?;
        let csv = app::db::forms::export_csv(&mut tx, tenant, *id).await?;
        documents.push((format!("{folder}/website.json"), json));
        documents.push((format!("{folder}/form-submissions.csv"), csv.into_bytes()));
        websites.push(ManifestWebsite {
            id: *id,
            name: name.clone(),
            subdomain: subdomain.clone(),
            folder,
        });
    }
    let audit = app::db::org_export::audit_log(&mut tx).await?;
    let assets = app::db::org_export::assets(&mut tx).await?;
    tx.commit().await?;

    for (path, bytes) in documents {
        zip.add_bytes(&path, bytes).await?;
    }
    progress(pool, tenant, export, "Audit log", 20).await?;
    let audit = serde_json::to_vec_pretty(&audit).map_err(|e| BuildError::Zip(e.to_string()))?;
    zip.add_bytes("audit-log.json", audit).await?;

    let total = assets.len().max(1);
    for (i, asset) in assets.iter().enumerate() {
        if i % 10 == 0 {
            let phase = format!("Media files ({i} of {})", assets.len());
            progress(pool, tenant, export, &phase, 25 + i * 65 / total).await?;
        }
        let key = asset.key(tenant);
        match storage.get(&key).await? {
            Some(object) => {
                let name = format!(
                    "media/{}/{}",
                    asset.id,
                    safe_file_name(&asset.original_filename)
                );
                zip.add_stream(&name, object.stream).await?;
            }
            None => tracing::warn!(%key, "a media file of the export is not in the store"),
        }
    }
    progress(pool, tenant, export, "Saving the zip", 92).await?;
    let manifest = ExportManifest {
        format_version: EXPORT_FORMAT_VERSION,
        organisation: ManifestOrganisation {
            id: org_id,
            name: org_name,
            created_at: org_created,
        },
        created_at: Utc::now(),
        websites,
        files: zip.files.clone(),
    };
    zip.finish(&manifest).await?;
    let key = format!("exports/{tenant}/{export}.zip");
    let size = storage.put_file(&key, &path).await?;
    let mut tx = app::db::tenant_tx(pool, tenant).await?;
    app::db::org_export::finish(&mut tx, tenant, export, &key, size as i64, Utc::now()).await?;
    tx.commit().await?;
    Ok(())
}

/// A name safe as one path segment inside the zip: letters, digits, `.`, `-`, `_`.
fn safe_file_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .take(120)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let trimmed = cleaned.trim_start_matches('.');
    if trimmed.is_empty() {
        "file".into()
    } else {
        trimmed.to_string()
    }
}

struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

type Writer = zip::ZipWriter<std::fs::File>;

/// A zip being written to a file: every write runs on the blocking pool, and each file's
/// size and SHA-256 are recorded for the manifest.
struct ZipBuilder {
    writer: Option<Writer>,
    files: Vec<ManifestFile>,
}

fn zip_error(e: impl std::fmt::Display) -> BuildError {
    BuildError::Zip(e.to_string())
}

impl ZipBuilder {
    async fn create(path: &Path) -> Result<Self, BuildError> {
        let path = path.to_owned();
        let file = tokio::task::spawn_blocking(move || std::fs::File::create(path))
            .await
            .map_err(zip_error)?
            .map_err(zip_error)?;
        Ok(Self {
            writer: Some(zip::ZipWriter::new(file)),
            files: Vec::new(),
        })
    }

    /// Runs `f` on the writer on the blocking pool.
    async fn with_writer<F>(&mut self, f: F) -> Result<(), BuildError>
    where
        F: FnOnce(&mut Writer) -> Result<(), BuildError> + Send + 'static,
    {
        let mut w = self
            .writer
            .take()
            .ok_or_else(|| zip_error("the zip is closed"))?;
        let (w, result) = tokio::task::spawn_blocking(move || {
            let r = f(&mut w);
            (w, r)
        })
        .await
        .map_err(zip_error)?;
        self.writer = Some(w);
        result
    }

    async fn start(&mut self, path: &str, deflate: bool) -> Result<(), BuildError> {
        use zip::write::SimpleFileOptions;
        let method = if deflate {
            zip::CompressionMethod::Deflated
        } else {
            zip::CompressionMethod::Stored
        };
        let options = SimpleFileOptions::default()
            .compression_method(method)
            .large_file(false);
        let path = path.to_owned();
        self.with_writer(move |w| w.start_file(path, options).map_err(zip_error))
            .await
    }

    async fn write(&mut self, bytes: bytes::Bytes) -> Result<(), BuildError> {
        use std::io::Write;
        self.with_writer(move |w| w.write_all(&bytes).map_err(zip_error))
            .await
    }

    /// A file built in memory (documents: deflated).
    async fn add_bytes(&mut self, path: &str, bytes: Vec<u8>) -> Result<(), BuildError> {
        self.files.push(ManifestFile {
            path: path.to_owned(),
            size: bytes.len() as u64,
            sha256: hex::encode(Sha256::digest(&bytes)),
        });
        self.start(path, true).await?;
        self.write(bytes.into()).await
    }

    /// A stored file, chunk by chunk as the store sends it (media: stored as is, already
    /// compressed).
    async fn add_stream(
        &mut self,
        path: &str,
        mut stream: futures_util::stream::BoxStream<
            'static,
            Result<bytes::Bytes, object_store::Error>,
        >,
    ) -> Result<(), BuildError> {
        self.start(path, false).await?;
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(crate::assets::storage::StorageError::from)?;
            hasher.update(&chunk);
            size += chunk.len() as u64;
            self.write(chunk).await?;
        }
        self.files.push(ManifestFile {
            path: path.to_owned(),
            size,
            sha256: hex::encode(hasher.finalize()),
        });
        Ok(())
    }

    /// Writes `manifest.json` and closes the zip.
    async fn finish(mut self, manifest: &ExportManifest) -> Result<(), BuildError> {
        let json = serde_json::to_vec_pretty(manifest).map_err(zip_error)?;
        self.start("manifest.json", true).await?;
        self.write(json.into()).await?;
        let w = self
            .writer
            .take()
            .ok_or_else(|| zip_error("the zip is closed"))?;
        tokio::task::spawn_blocking(move || w.finish().map(drop).map_err(zip_error))
            .await
            .map_err(zip_error)?
    }
}

/// `GET /organisation/exports/{id}/download`: the finished zip, streamed from the store, for
/// the owner only and until it expires (then 404 with a sentence saying so).
pub async fn download(
    State(media): State<MediaState>,
    UrlPath(id): UrlPath<String>,
    caller: Caller,
) -> Response {
    let result = async {
        let id = Uuid::parse_str(&id).map_err(|_| AppError::NotFound("Export".into()))?;
        let member = caller.member()?.cloned().ok_or(AppError::Unauthorized)?;
        if !member.role.can_export_organisation() {
            return Err(AppError::forbidden(
                "Only the owner can download the organisation's export.",
            ));
        }
        let mut tx = app::db::tenant_tx(&media.app.pool, member.tenant_id).await?;
        let (key, _size) = app::db::org_export::download(&mut tx, id, Utc::now()).await?;
        tx.commit().await?;
        let object = media
            .storage
            .get(&key)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "reading an organisation export");
                AppError::Internal
            })?
            .ok_or_else(|| AppError::NotFound("Export".into()))?;
        Ok((object, member.tenant_id))
    }
    .await;
    match result {
        Ok((object, tenant)) => {
            let mut res = Body::from_stream(object.stream).into_response();
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/zip"),
            );
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
            h.insert(header::CONTENT_LENGTH, object.size.into());
            let name = format!(
                "attachment; filename=\"sitepilot-export-{}-{}.zip\"",
                tenant.simple(),
                Utc::now().format("%Y-%m-%d")
            );
            if let Ok(v) = HeaderValue::from_str(&name) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            res
        }
        Err(e) => {
            let status =
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, e.to_string()).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::safe_file_name;

    #[test]
    fn file_names_stay_one_harmless_segment() {
        assert_eq!(safe_file_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_file_name("Café menu.pdf"), "Caf__menu.pdf");
        assert_eq!(safe_file_name(".."), "file");
        assert_eq!(safe_file_name("logo.png"), "logo.png");
    }
}
