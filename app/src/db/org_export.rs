//! The organisation export's rows (migration 0046) and the tenant data the export job reads.
//! Everything runs in the tenant's own transaction under RLS; the job that builds the zip is
//! `server::org_export`.

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use uuid::Uuid;

use super::{audit, Tx};
use crate::error::AppError;
use crate::model::{ExportStatus, OrgExport, EXPORT_DAYS};

/// The job that builds one export.
pub const JOB: &str = "organisation.export";

#[derive(FromRow)]
struct Row {
    id: Uuid,
    status: String,
    phase: String,
    percent: i32,
    size_bytes: Option<i64>,
    error: Option<String>,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
}

impl Row {
    fn into_export(self) -> OrgExport {
        OrgExport {
            id: self.id,
            status: ExportStatus::parse(&self.status).unwrap_or(ExportStatus::Failed),
            phase: self.phase,
            percent: self.percent,
            size_bytes: self.size_bytes,
            error: self.error,
            created_at: self.created_at,
            expires_at: self.expires_at,
        }
    }
}

const COLUMNS: &str = "id, status, phase, percent, size_bytes, error, created_at, expires_at";

/// Starts an export for the tenant, or answers the one already queued or running (at most one
/// per tenant: the partial unique index decides between concurrent requests). The job is
/// queued in the same transaction as the row.
pub async fn start(tx: &mut Tx, tenant: Uuid, user: Uuid) -> Result<OrgExport, AppError> {
    let created: Option<Uuid> = sqlx::query_scalar(
        r#"INSERT INTO organisation_exports (tenant_id, requested_by) VALUES ($1, $2)
           ON CONFLICT (tenant_id) WHERE status IN ('queued', 'running') DO NOTHING
           RETURNING id"#,
    )
    .bind(tenant)
    .bind(user)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(id) = created {
        super::jobs::enqueue(
            &mut **tx,
            super::jobs::NewJob::new(
                JOB,
                serde_json::json!({ "tenant_id": tenant, "export_id": id }),
            )
            .tenant(tenant)
            .dedupe(format!("org-export:{id}"))
            .max_attempts(3),
        )
        .await?;
    }
    let live = sqlx::query_as::<_, Row>(&format!(
        "SELECT {COLUMNS} FROM organisation_exports WHERE status IN ('queued', 'running')"
    ))
    .fetch_optional(&mut **tx)
    .await?;
    live.map(Row::into_export)
        .ok_or_else(|| AppError::NotFound("Export".into()))
}

/// The tenant's newest export, if any.
pub async fn latest(tx: &mut Tx) -> Result<Option<OrgExport>, AppError> {
    Ok(sqlx::query_as::<_, Row>(&format!(
        "SELECT {COLUMNS} FROM organisation_exports ORDER BY created_at DESC, id LIMIT 1"
    ))
    .fetch_optional(&mut **tx)
    .await?
    .map(Row::into_export))
}

/// One export of the tenant.
pub async fn get(tx: &mut Tx, id: Uuid) -> Result<OrgExport, AppError> {
    sqlx::query_as::<_, Row>(&format!(
        "SELECT {COLUMNS} FROM organisation_exports WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .map(Row::into_export)
    .ok_or_else(|| AppError::NotFound("Export".into()))
}

/// Records where the job is. `running` once it started; a finished export is left alone.
pub async fn progress(tx: &mut Tx, id: Uuid, phase: &str, percent: i32) -> Result<(), AppError> {
    sqlx::query(
        r#"UPDATE organisation_exports SET status = 'running', phase = $2, percent = $3
           WHERE id = $1 AND status IN ('queued', 'running')"#,
    )
    .bind(id)
    .bind(phase)
    .bind(percent.clamp(0, 100))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The zip is stored at `key`: downloadable for [`EXPORT_DAYS`] from `now`. Audited
/// (`organisation.exported`) as the member who asked.
pub async fn finish(
    tx: &mut Tx,
    tenant: Uuid,
    id: Uuid,
    key: &str,
    size: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let by: Option<Option<Uuid>> = sqlx::query_scalar(
        r#"UPDATE organisation_exports
              SET status = 'ready', phase = 'Ready', percent = 100, storage_key = $2,
                  size_bytes = $3, finished_at = $4, expires_at = $4 + make_interval(days => $5)
            WHERE id = $1 AND status IN ('queued', 'running')
           RETURNING requested_by"#,
    )
    .bind(id)
    .bind(key)
    .bind(size)
    .bind(now)
    .bind(EXPORT_DAYS as i32)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(by) = by {
        audit(
            tx,
            tenant,
            by,
            "organisation.exported",
            ("organisation_export", id),
            serde_json::json!({ "size_bytes": size }),
        )
        .await?;
    }
    Ok(())
}

/// The export failed for good; `why` is shown to the owner (no internal detail).
pub async fn fail(tx: &mut Tx, id: Uuid, why: &str) -> Result<(), AppError> {
    let why: String = why.chars().take(500).collect();
    sqlx::query(
        r#"UPDATE organisation_exports SET status = 'failed', error = $2, finished_at = now()
           WHERE id = $1 AND status IN ('queued', 'running')"#,
    )
    .bind(id)
    .bind(why)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The stored file of a ready export and its size, while its download has not expired at `now`.
pub async fn download(
    tx: &mut Tx,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<(String, i64), AppError> {
    type Stored = (String, Option<String>, Option<i64>, Option<DateTime<Utc>>);
    let row: Option<Stored> = sqlx::query_as(
        "SELECT status, storage_key, size_bytes, expires_at FROM organisation_exports WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    match row {
        Some((status, Some(key), Some(size), Some(expires)))
            if status == "ready" && expires > now =>
        {
            Ok((key, size))
        }
        Some(_) => Err(AppError::NotFound(
            "This export is not ready or its download has expired. Start a new export.".into(),
        )),
        None => Err(AppError::NotFound("Export".into())),
    }
}

/// Marks an expired export 'expired' and answers its file's key to delete (`None` when it was
/// not a ready export any more).
pub async fn expire(tx: &mut Tx, id: Uuid) -> Result<Option<String>, AppError> {
    Ok(sqlx::query_scalar::<_, Option<String>>(
        r#"UPDATE organisation_exports SET status = 'expired'
           WHERE id = $1 AND status = 'ready' RETURNING storage_key"#,
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .flatten())
}

/// What the manifest says of the organisation: id, name, creation time.
pub async fn organisation(tx: &mut Tx) -> Result<(Uuid, String, DateTime<Utc>), AppError> {
    Ok(
        sqlx::query_as("SELECT id, name, created_at FROM tenants WHERE id = app_current_tenant()")
            .fetch_one(&mut **tx)
            .await?,
    )
}

/// The tenant's websites (deleted ones too, until they are purged), oldest first.
pub async fn websites(tx: &mut Tx) -> Result<Vec<(Uuid, String, Option<String>)>, AppError> {
    Ok(
        sqlx::query_as("SELECT id, name, subdomain FROM websites ORDER BY created_at, id")
            .fetch_all(&mut **tx)
            .await?,
    )
}

/// A stored media file of the tenant.
#[derive(FromRow, Debug, Clone)]
pub struct ExportAsset {
    pub id: Uuid,
    pub original_filename: String,
    pub format: Option<String>,
    pub size_bytes: i64,
}

impl ExportAsset {
    /// Where its original is stored.
    pub fn key(&self, tenant: Uuid) -> String {
        crate::model::original_key(tenant, self.id, self.format.as_deref().unwrap_or_default())
    }
}

/// Every file in the tenant's media library, oldest first.
pub async fn assets(tx: &mut Tx) -> Result<Vec<ExportAsset>, AppError> {
    Ok(sqlx::query_as::<_, ExportAsset>(
        "SELECT id, original_filename, format, size_bytes FROM assets ORDER BY created_at, id",
    )
    .fetch_all(&mut **tx)
    .await?)
}

/// The whole audit log, oldest first, as JSON objects (who by id and, while they exist, by
/// name or email).
pub async fn audit_log(tx: &mut Tx) -> Result<Vec<serde_json::Value>, AppError> {
    Ok(sqlx::query_scalar(
        r#"SELECT jsonb_build_object(
                    'id', a.id, 'created_at', a.created_at, 'action', a.action,
                    'performed_by', a.performed_by, 'performer', coalesce(u.full_name, u.email),
                    'resource_type', a.resource_type, 'resource_id', a.resource_id,
                    'metadata', a.metadata, 'ip_address', host(a.ip_address), 'user_agent', a.user_agent)
           FROM audit_logs a
           LEFT JOIN users u ON u.tenant_id = a.tenant_id AND u.id = a.performed_by
           ORDER BY a.created_at, a.id"#,
    )
    .fetch_all(&mut **tx)
    .await?)
}
