//! `Idempotency-Key` on REST API POSTs (issue 21 part 2, migration 0037). The key is claimed
//! with an INSERT in the same tenant transaction as the write it guards, and the answer is
//! stored in that transaction too: either both commit or neither does. A retry that arrives
//! while the first request is still running waits on the primary key (PostgreSQL blocks the
//! second INSERT until the first transaction ends), then reads the stored answer; a first
//! request that failed left nothing, so the retry runs the write. Correct with any number of
//! server instances.

use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::Tx;
use crate::error::AppError;

/// The longest key accepted.
pub const KEY_MAX: usize = 255;

/// The hash a retry must match: method, path and body bytes.
pub fn request_hash(method: &str, path: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_bytes());
    h.update(b"\n");
    h.update(path.as_bytes());
    h.update(b"\n");
    h.update(body);
    hex::encode(h.finalize())
}

/// Checks the header's value: 1 to 255 visible ASCII characters.
pub fn parse_key(raw: &str) -> Result<String, AppError> {
    let k = raw.trim();
    if k.is_empty() || k.len() > KEY_MAX || !k.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::invalid(
            "Idempotency-Key",
            format!("An Idempotency-Key is 1 to {KEY_MAX} visible ASCII characters (a UUID is a good choice)."),
        ));
    }
    Ok(k.to_string())
}

/// What the claim found.
pub enum Claim {
    /// The key is new: run the write, then [`store`] its answer in the same transaction.
    Fresh,
    /// The key was used before for this same request: answer with the stored status and body.
    Replay {
        status: u16,
        body: serde_json::Value,
    },
}

/// Claims `key` for this request in the caller's tenant transaction. `IdempotencyKeyReused`
/// (422) when the key was used for a request with another hash.
pub async fn claim(
    tx: &mut Tx,
    tenant: Uuid,
    api_key: Uuid,
    key: &str,
    hash: &str,
) -> Result<Claim, AppError> {
    let inserted = sqlx::query(
        r#"INSERT INTO api_idempotency_keys (tenant_id, api_key_id, idempotency_key, request_hash)
           VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING"#,
    )
    .bind(tenant)
    .bind(api_key)
    .bind(key)
    .bind(hash)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(Claim::Fresh);
    }
    let (stored_hash, status, body): (String, i16, serde_json::Value) = sqlx::query_as(
        r#"SELECT request_hash, response_status, response_body FROM api_idempotency_keys
            WHERE tenant_id = $1 AND api_key_id = $2 AND idempotency_key = $3"#,
    )
    .bind(tenant)
    .bind(api_key)
    .bind(key)
    .fetch_one(&mut **tx)
    .await?;
    if stored_hash != hash {
        return Err(AppError::IdempotencyKeyReused);
    }
    Ok(Claim::Replay {
        status: status as u16,
        body,
    })
}

/// Stores the answer of a [`Claim::Fresh`] request (before the transaction commits).
pub async fn store(
    tx: &mut Tx,
    tenant: Uuid,
    api_key: Uuid,
    key: &str,
    status: u16,
    body: &serde_json::Value,
) -> Result<(), AppError> {
    sqlx::query(
        r#"UPDATE api_idempotency_keys SET response_status = $4, response_body = $5
            WHERE tenant_id = $1 AND api_key_id = $2 AND idempotency_key = $3"#,
    )
    .bind(tenant)
    .bind(api_key)
    .bind(key)
    .bind(status as i16)
    .bind(body)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
