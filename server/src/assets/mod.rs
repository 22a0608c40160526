//! Uploaded files (issue 17): `POST /media/upload` streams one file per request to storage,
//! `GET /media/{tenant}/{asset}/{file}` serves stored files, and the variants job makes the
//! responsive WebP widths in the background. The library's metadata is `app::db::assets`.
//!
//! Upload path: the multipart body is read chunk by chunk into a temporary file (never whole
//! in memory), its first bytes decide the type (`process::sniff`), the plan's per-file cap is
//! enforced while reading, images are measured from their header before decoding (pixel
//! bombs are refused unread), decoded once and written back without EXIF/GPS, the result is
//! copied to the object store in parts, and the row is inserted under the tenant row's lock so
//! concurrent uploads cannot overshoot the quota.

pub mod metadata;
pub mod process;
pub mod storage;

use std::path::PathBuf;

use app::api::ctx::Caller;
use app::error::AppError;
use app::model::{has_variants, original_key, variant_key, AssetInfo, MediaFile, MediaRef};
use app::state::AppState;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRef, Multipart, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

use crate::http::api_errors::typed;
use crate::jobs::{JobCtx, JobError};
use futures_util::future::BoxFuture;
pub use storage::{Backend, S3Settings, Storage};

/// What the media routes need besides the app's state.
#[derive(Clone, FromRef)]
pub struct MediaState {
    pub app: AppState,
    pub storage: Storage,
    pub tmp_dir: TmpDir,
}

/// Where uploads are spooled while they are checked.
#[derive(Clone)]
pub struct TmpDir(pub PathBuf);

/// The media routes, with their state.
pub fn routes<S: Clone + Send + Sync + 'static>(state: MediaState) -> Router<S> {
    Router::new()
        .route(
            UPLOAD_PATH,
            // The plan's per-file cap is enforced while reading (`upload`), not by axum's
            // default 2 MB body limit.
            post(upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/media/{tenant}/{asset}/{file}", get(serve))
        .route(
            "/websites/{website_id}/export.zip",
            get(crate::backup_export::export_zip),
        )
        .route(
            "/organisation/exports/{export_id}/download",
            get(crate::org_export::download),
        )
        .with_state(state)
}

pub const UPLOAD_PATH: &str = "/media/upload";

/// Removes the spooled files however the request ends.
struct Spool(Vec<PathBuf>);

impl Drop for Spool {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// `POST /media/upload`: one multipart field `file`. Answers 201 with the new `AssetInfo`, or
/// the typed error (400 for a refused file with the reason, 402 for a plan limit).
pub async fn upload(
    State(state): State<MediaState>,
    caller: Caller,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    match upload_inner(&state, caller, multipart).await {
        Ok(info) => (StatusCode::CREATED, Json(info)).into_response(),
        Err(e) => typed(&e),
    }
}

async fn upload_inner(
    state: &MediaState,
    caller: Caller,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<AssetInfo, AppError> {
    let member = caller.member()?.cloned().ok_or(AppError::Unauthorized)?;
    if !member.role.can_manage_assets() {
        return Err(AppError::forbidden(
            "Viewers can browse the media library but not upload. Ask an owner or admin for editor access.",
        ));
    }
    let pool = &state.app.pool;
    let limits = {
        let mut tx = app::db::tenant_tx(pool, member.tenant_id).await?;
        let limits = app::db::assets::upload_limits(&mut tx, member.tenant_id).await?;
        if limits.used_bytes >= limits.storage_bytes {
            let err = app::db::limits::storage_reached(&mut tx, member.tenant_id).await;
            return Err(err);
        }
        tx.commit().await?;
        limits
    };
    let mut multipart = multipart.map_err(|_| {
        AppError::invalid(
            "file",
            "Send the file as multipart/form-data in a field named file.",
        )
    })?;
    let bad_body = |_| AppError::invalid("file", "The upload was cut short. Try again.");
    let mut field = loop {
        match multipart.next_field().await.map_err(bad_body)? {
            Some(f) if f.name() == Some("file") => break f,
            Some(_) => continue,
            None => return Err(AppError::invalid("file", "Choose a file to upload.")),
        }
    };
    let file_name: String = field
        .file_name()
        .unwrap_or("upload")
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let file_name = if file_name.trim().is_empty() {
        "upload".to_string()
    } else {
        file_name.trim().to_string()
    };

    tokio::fs::create_dir_all(&state.tmp_dir.0)
        .await
        .map_err(internal("creating the upload folder"))?;
    let id = Uuid::new_v4();
    let raw_path = state.tmp_dir.0.join(format!("{id}.upload"));
    let clean_path = state.tmp_dir.0.join(format!("{id}.clean"));
    let _spool = Spool(vec![raw_path.clone(), clean_path.clone()]);
    let mut raw = tokio::fs::File::create(&raw_path)
        .await
        .map_err(internal("creating the upload file"))?;
    let mut head: Vec<u8> = Vec::with_capacity(process::SNIFF_LEN);
    let mut format = None;
    let mut size: i64 = 0;
    while let Some(chunk) = field.chunk().await.map_err(bad_body)? {
        size += chunk.len() as i64;
        if size > limits.max_file_bytes {
            let mut tx = app::db::tenant_tx(pool, member.tenant_id).await?;
            return Err(app::db::limits::upload_too_large(&mut tx, member.tenant_id).await);
        }
        if format.is_none() {
            let take = (process::SNIFF_LEN - head.len()).min(chunk.len());
            head.extend_from_slice(&chunk[..take]);
            if head.len() >= process::SNIFF_LEN {
                format = Some(process::sniff(&head, &file_name)?);
            }
        }
        raw.write_all(&chunk)
            .await
            .map_err(internal("writing the upload file"))?;
    }
    raw.flush().await.map_err(internal("flushing the upload"))?;
    drop(raw);
    if size == 0 {
        return Err(AppError::invalid("file", "This file is empty."));
    }
    let format = match format {
        Some(f) => f,
        None => process::sniff(&head, &file_name)?,
    };

    let (stored_path, dims) = if format.is_image() {
        let (input, out) = (raw_path.clone(), clean_path.clone());
        let done =
            tokio::task::spawn_blocking(move || process::process_image(format, &input, &out))
                .await
                .map_err(internal("processing the image"))??;
        (clean_path.clone(), Some((done.width, done.height)))
    } else {
        (raw_path.clone(), None)
    };
    let key = original_key(member.tenant_id, id, format.ext());
    let stored = state
        .storage
        .put_file(&key, &stored_path)
        .await
        .map_err(internal("storing the upload"))?;

    let mut tx = app::db::tenant_tx(pool, member.tenant_id).await?;
    let new = app::db::assets::NewAsset {
        id,
        original_filename: &file_name,
        kind: format.kind(),
        format: format.ext(),
        content_type: format.content_type(),
        size_bytes: stored as i64,
        size: dims,
        uploaded_by: member.user_id,
    };
    let info = match app::db::assets::insert_within_quota(&mut tx, member.tenant_id, &new).await {
        Ok(info) => info,
        Err(e) => {
            drop(tx);
            let _ = state.storage.delete(&key).await;
            return Err(e);
        }
    };
    app::db::audit(
        &mut tx,
        member.tenant_id,
        Some(member.user_id),
        "asset.uploaded",
        ("asset", id),
        serde_json::json!({ "format": format.ext(), "size_bytes": stored }),
    )
    .await?;
    if dims.is_some() && has_variants(format.ext()) {
        app::db::assets::enqueue_variants(&mut tx, member.tenant_id, id).await?;
    }
    tx.commit().await?;
    Ok(info)
}

/// The `assets.variants` job handler (`jobs::registry`): payload `{tenant_id, asset_id}`.
pub fn variants_job(
    storage: Storage,
) -> impl Fn(JobCtx) -> BoxFuture<'static, Result<(), JobError>> + Send + Sync + 'static {
    move |ctx: JobCtx| {
        let storage = storage.clone();
        Box::pin(async move {
            let (tenant, asset) = ids_of(&ctx.payload)?;
            make_variants(&ctx.pool, &storage, tenant, asset)
                .await
                .map(|_| ())
                .map_err(JobError::Retry)
        })
    }
}

/// The `assets.purge` job handler: removes the files of a deleted asset that no deployment
/// published (payload `{tenant_id, asset_id, keys}`). Rechecks the publications first.
pub fn purge_job(
    storage: Storage,
) -> impl Fn(JobCtx) -> BoxFuture<'static, Result<(), JobError>> + Send + Sync + 'static {
    move |ctx: JobCtx| {
        let storage = storage.clone();
        Box::pin(async move {
            let (tenant, asset) = ids_of(&ctx.payload)?;
            if app::db::system::asset_is_published(&ctx.pool, tenant, asset).await? {
                return Ok(());
            }
            let prefix = format!("tenants/{tenant}/{asset}/");
            let keys = ctx.payload["keys"].as_array().cloned().unwrap_or_default();
            for key in keys.iter().filter_map(|k| k.as_str()) {
                // Only this asset's own keys, whatever the payload says.
                if key.starts_with(&prefix) && !key.contains("..") {
                    storage
                        .delete(key)
                        .await
                        .map_err(|e| JobError::Retry(e.to_string()))?;
                }
            }
            Ok(())
        })
    }
}

fn ids_of(payload: &serde_json::Value) -> Result<(Uuid, Uuid), JobError> {
    let id = |name: &str| {
        payload[name]
            .as_str()
            .and_then(|s| Uuid::parse_str(s).ok())
            .ok_or_else(|| JobError::Fatal(format!("payload without {name}")))
    };
    Ok((id("tenant_id")?, id("asset_id")?))
}

/// The variants job: decodes the stored original once, writes each narrower WebP width and
/// records which exist. Safe to run twice (keys are fixed, writes are whole objects).
pub async fn make_variants(
    pool: &sqlx::PgPool,
    storage: &Storage,
    tenant: Uuid,
    asset: Uuid,
) -> Result<Vec<i32>, String> {
    let mut tx = app::db::tenant_tx(pool, tenant)
        .await
        .map_err(|e| e.to_string())?;
    let Some((ext, _)) = app::db::assets::original_of(&mut tx, asset)
        .await
        .map_err(|e| e.to_string())?
    else {
        return Ok(Vec::new()); // deleted meanwhile
    };
    tx.commit().await.map_err(|e| e.to_string())?;
    let format = match ext.as_str() {
        "jpg" => process::Format::Jpeg,
        "png" => process::Format::Png,
        "webp" => process::Format::Webp,
        _ => return Ok(Vec::new()),
    };
    let Some(bytes) = storage
        .get_bytes(&original_key(tenant, asset, &ext))
        .await
        .map_err(|e| e.to_string())?
    else {
        return Err("the original is missing from storage".into());
    };
    let made = tokio::task::spawn_blocking(move || process::variants(format, &bytes))
        .await
        .map_err(|e| e.to_string())??;
    let mut widths = Vec::new();
    for (w, data) in made {
        storage
            .put_bytes(&variant_key(tenant, asset, w), data)
            .await
            .map_err(|e| e.to_string())?;
        widths.push(w as i32);
    }
    let mut tx = app::db::tenant_tx(pool, tenant)
        .await
        .map_err(|e| e.to_string())?;
    app::db::assets::set_variants(&mut tx, asset, &widths)
        .await
        .map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())?;
    Ok(widths)
}

fn internal<E: std::fmt::Display>(what: &'static str) -> impl Fn(E) -> AppError {
    move |e| {
        tracing::error!(error = %e, "{what}");
        AppError::Internal
    }
}

/// `GET /media/{tenant}/{asset}/{file}`: a member of the tenant gets any of its files; anyone
/// else only files of assets a served deployment published. Everything else is 404, so
/// another tenant's private ids cannot even be confirmed.
pub async fn serve(
    State(state): State<MediaState>,
    axum::extract::Path((tenant, asset, file)): axum::extract::Path<(String, String, String)>,
    caller: Caller,
) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, "File not found.").into_response();
    let Some(r) = MediaRef::parse(&format!("/media/{tenant}/{asset}/{file}")) else {
        return not_found();
    };
    let member_of_tenant = matches!(caller.member(), Ok(Some(m)) if m.tenant_id == r.tenant);
    let public = if member_of_tenant {
        false
    } else {
        match app::db::system::asset_is_published(&state.app.pool, r.tenant, r.asset).await {
            Ok(true) => true,
            Ok(false) => return not_found(),
            Err(e) => return typed(&e),
        }
    };
    let cache = if public {
        "public, max-age=31536000, immutable"
    } else {
        "private, max-age=31536000, immutable"
    };
    let (key, content_type, cache) = match state.storage.get(&r.storage_key()).await {
        Ok(Some(obj)) => return file_response(obj, &r, content_type_of(&r.ext), cache),
        Ok(None) => match r.file {
            // A variant not made yet: the original stands in, uncached.
            MediaFile::Variant { .. } => match original_for(&state.storage, &r).await {
                Some((key, ext)) => (key, content_type_of(ext), "no-cache"),
                None => return not_found(),
            },
            _ => return not_found(),
        },
        Err(e) => {
            tracing::error!(error = %e, "reading a stored file");
            return typed(&AppError::Internal);
        }
    };
    match state.storage.get(&key).await {
        Ok(Some(obj)) => file_response(obj, &r, content_type, cache),
        _ => not_found(),
    }
}

async fn original_for(storage: &Storage, r: &MediaRef) -> Option<(String, &'static str)> {
    for ext in ["jpg", "png", "webp"] {
        let key = original_key(r.tenant, r.asset, ext);
        if storage.exists(&key).await.ok()? {
            return Some((key, ext));
        }
    }
    None
}

fn content_type_of(ext: &str) -> &'static str {
    match ext {
        "jpg" => "image/jpeg",
        "png" => "image/png",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "gif" => "image/gif",
        "pdf" => "application/pdf",
        "mp4" => "video/mp4",
        _ => "application/octet-stream",
    }
}

fn file_response(
    obj: storage::Object,
    r: &MediaRef,
    content_type: &'static str,
    cache: &'static str,
) -> Response {
    let mut res = Response::new(Body::from_stream(obj.stream));
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(obj.size));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    // A stored file is never a document of this origin.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if matches!(r.file, MediaFile::Download) {
        if let Ok(v) = HeaderValue::from_str(&format!(
            "attachment; filename=\"{}.{}\"",
            r.asset.simple(),
            r.ext
        )) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
    }
    res
}
