//! API keys (issue 21 part 1, migration 0033). A key is `sp_live_` and 64 hex characters of a
//! 256-bit random secret; only its SHA-256 (a fast hash is enough for a secret that cannot be
//! guessed) and a visible prefix are stored. A key belongs to the tenant and to the member who
//! made it, and acts with its scopes capped by that member's role *now*: every request looks
//! the key up in the database (no cache), so revoking it, deactivating its creator or lowering
//! the creator's role takes effect at once on every instance.

use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::{FromRow, PgPool};
use uuid::Uuid;

use super::{system, tenant_tx, Tx};
use crate::error::AppError;
use crate::model::{ApiKeyInfo, ApiScope, Role};

pub const KEY_PREFIX: &str = "sp_live_";
/// Characters of the secret kept as the visible prefix.
const VISIBLE: usize = 8;
/// How often a key's last use is written (and always when the address changes).
const TOUCH_SECS: i64 = 30;

/// The stored form of a key.
pub fn key_hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

fn well_formed(key: &str) -> bool {
    key.strip_prefix(KEY_PREFIX)
        .is_some_and(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Makes a key for `created_by` (whose role is `role`; the scopes were checked against it).
/// Returns the full key, which exists only in this answer, and the key's id.
pub async fn create(
    tx: &mut Tx,
    tenant_id: Uuid,
    created_by: Uuid,
    name: &str,
    scopes: &[ApiScope],
    expires_at: Option<DateTime<Utc>>,
) -> Result<(String, Uuid), AppError> {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    let key = format!("{KEY_PREFIX}{secret}");
    let prefix = format!("{KEY_PREFIX}{}", &secret[..VISIBLE]);
    let scope_names: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
    let id: Uuid = sqlx::query_scalar(
        r#"INSERT INTO api_keys (tenant_id, created_by, name, key_hash, key_prefix, scopes, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"#,
    )
    .bind(tenant_id)
    .bind(created_by)
    .bind(name)
    .bind(key_hash(&key))
    .bind(&prefix)
    .bind(&scope_names)
    .bind(expires_at)
    .fetch_one(&mut **tx)
    .await?;
    super::audit(
        tx,
        tenant_id,
        Some(created_by),
        "api_key.created",
        ("api_key", id),
        serde_json::json!({ "name": name, "prefix": prefix, "scopes": scope_names, "expires_at": expires_at }),
    )
    .await?;
    Ok((key, id))
}

#[derive(FromRow)]
struct KeyRow {
    id: Uuid,
    name: String,
    key_prefix: String,
    scopes: Vec<String>,
    created_by: Option<String>,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
    last_used_ip: Option<String>,
    revoked_at: Option<DateTime<Utc>>,
    expired: bool,
}

/// The tenant's keys, newest first (never the keys themselves).
pub async fn list(tx: &mut Tx) -> Result<Vec<ApiKeyInfo>, AppError> {
    let rows: Vec<KeyRow> = sqlx::query_as(
        r#"SELECT k.id, k.name, k.key_prefix, k.scopes, u.email AS created_by, k.created_at,
                  k.expires_at, k.last_used_at, host(k.last_used_ip) AS last_used_ip, k.revoked_at,
                  COALESCE(k.expires_at <= now(), false) AS expired
             FROM api_keys k LEFT JOIN users u ON u.tenant_id = k.tenant_id AND u.id = k.created_by
            ORDER BY k.created_at DESC, k.id"#,
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ApiKeyInfo {
            id: r.id,
            name: r.name,
            prefix: r.key_prefix,
            scopes: r.scopes.iter().filter_map(|s| ApiScope::parse(s)).collect(),
            created_by: r.created_by,
            created_at: r.created_at,
            expires_at: r.expires_at,
            last_used_at: r.last_used_at,
            last_used_ip: r.last_used_ip,
            revoked_at: r.revoked_at,
            expired: r.expired,
        })
        .collect())
}

/// Revokes a key of the tenant; from the next request on it is refused everywhere.
pub async fn revoke(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Uuid,
    key_id: Uuid,
) -> Result<(), AppError> {
    let row: Option<(String, Option<DateTime<Utc>>)> =
        sqlx::query_as("SELECT key_prefix, revoked_at FROM api_keys WHERE id = $1 FOR UPDATE")
            .bind(key_id)
            .fetch_optional(&mut **tx)
            .await?;
    let (prefix, revoked) = row.ok_or_else(|| AppError::NotFound("API key".into()))?;
    if revoked.is_some() {
        return Ok(());
    }
    sqlx::query("UPDATE api_keys SET revoked_at = now() WHERE id = $1")
        .bind(key_id)
        .execute(&mut **tx)
        .await?;
    super::audit(
        tx,
        tenant_id,
        Some(user_id),
        "api_key.revoked",
        ("api_key", key_id),
        serde_json::json!({ "prefix": prefix }),
    )
    .await?;
    Ok(())
}

/// Who an API request acts as: the key's tenant, its creator's current role, and the key's
/// scopes that role still allows.
#[derive(Debug, Clone)]
pub struct ApiCaller {
    pub key_id: Uuid,
    pub tenant_id: Uuid,
    pub user_id: Uuid,
    pub role: Role,
    pub scopes: Vec<ApiScope>,
}

impl ApiCaller {
    /// `Forbidden` unless the key has `scope` (and its creator's role allows it).
    pub fn require(&self, scope: ApiScope) -> Result<(), AppError> {
        if self.scopes.contains(&scope) {
            Ok(())
        } else {
            Err(AppError::forbidden(format!(
                "This API key does not have the {} scope (or its creator's role no longer allows it).",
                scope.as_str()
            )))
        }
    }
}

/// Checks a bearer key: well formed, known, not revoked or expired, its creator still an
/// active member of an active tenant. Records the last use (time and address). `Unauthorized`
/// for any key that does not let the request in; `Forbidden` for a suspended tenant.
pub async fn authenticate(
    pool: &PgPool,
    key: &str,
    ip: Option<std::net::IpAddr>,
) -> Result<ApiCaller, AppError> {
    if !well_formed(key) {
        return Err(AppError::Unauthorized);
    }
    let Some(row) = system::api_key_lookup(pool, &key_hash(key)).await? else {
        return Err(AppError::Unauthorized);
    };
    if row.revoked_at.is_some()
        || row.expires_at.is_some_and(|t| t <= Utc::now())
        || !row.creator_active
    {
        return Err(AppError::Unauthorized);
    }
    match row.tenant_status.as_str() {
        "active" => {}
        "suspended" => {
            return Err(AppError::forbidden(
                "This account is suspended; its API keys are refused until billing is settled.",
            ))
        }
        _ => return Err(AppError::Unauthorized),
    }
    let role = Role::parse(&row.creator_role).ok_or(AppError::Unauthorized)?;
    let scopes = row
        .scopes
        .iter()
        .filter_map(|s| ApiScope::parse(s))
        .filter(|s| s.allowed_for(role))
        .collect();
    let mut tx = tenant_tx(pool, row.tenant_id).await?;
    sqlx::query(
        r#"UPDATE api_keys SET last_used_at = now(), last_used_ip = COALESCE($2::inet, last_used_ip)
            WHERE id = $1
              AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $3)
                   OR ($2::inet IS NOT NULL AND last_used_ip IS DISTINCT FROM $2::inet))"#,
    )
    .bind(row.key_id)
    .bind(ip.map(|i| i.to_string()))
    .bind(TOUCH_SECS as f64)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(ApiCaller {
        key_id: row.key_id,
        tenant_id: row.tenant_id,
        user_id: row.created_by,
        role,
        scopes,
    })
}
