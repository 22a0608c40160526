//! The tenant's API keys (issue 21 part 1): list, create (the full key is in this one answer
//! and never again) and revoke. Owners and admins only (`Role::can_manage_integrations`); a
//! key's scopes cannot exceed its creator's role, now or later (`db::api_keys::authenticate`).

use super::wire::WireJson;
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::{ApiKeyCreated, ApiKeysOverview};

#[cfg(feature = "ssr")]
const ONLY_MANAGERS: &str = "Only the owner and admins can manage API keys. Ask one of them.";

#[cfg(feature = "ssr")]
async fn overview(
    tx: &mut crate::db::Tx,
    role: crate::model::Role,
) -> Result<ApiKeysOverview, AppError> {
    use crate::model::ApiScope;
    Ok(ApiKeysOverview {
        keys: crate::db::api_keys::list(tx).await?,
        grantable: ApiScope::ALL
            .into_iter()
            .filter(|s| s.allowed_for(role))
            .collect(),
    })
}

#[server(endpoint = "api_keys/list", input = WireJson, output = WireJson)]
pub async fn list_api_keys() -> Result<ApiKeysOverview, AppError> {
    use crate::model::Role;
    let (member, mut tx) =
        super::ctx::member_tx(Role::can_manage_integrations, ONLY_MANAGERS).await?;
    let o = overview(&mut tx, member.role).await?;
    tx.commit().await?;
    Ok(o)
}

/// Creates a key named `name` with `scopes`, valid for `expires_in_days` days (or until
/// revoked).
#[server(endpoint = "api_keys/create", input = WireJson, output = WireJson)]
pub async fn create_api_key(
    name: String,
    scopes: Vec<String>,
    expires_in_days: Option<u32>,
) -> Result<ApiKeyCreated, AppError> {
    use crate::model::{parse_api_key_name, parse_api_scopes, Role, API_KEY_MAX_DAYS};
    let (member, mut tx) =
        super::ctx::member_tx(Role::can_manage_integrations, ONLY_MANAGERS).await?;
    let name = parse_api_key_name(&name)?;
    let scopes = parse_api_scopes(&scopes, member.role)?;
    let expires_at = match expires_in_days {
        None => None,
        Some(d) if (1..=API_KEY_MAX_DAYS).contains(&d) => {
            Some(chrono::Utc::now() + chrono::Duration::days(i64::from(d)))
        }
        Some(_) => {
            return Err(AppError::invalid(
                "expires_in_days",
                format!("Choose between 1 and {API_KEY_MAX_DAYS} days, or no expiry."),
            ))
        }
    };
    let (key, id) = crate::db::api_keys::create(
        &mut tx,
        member.tenant_id,
        member.user_id,
        &name,
        &scopes,
        expires_at,
    )
    .await?;
    let o = overview(&mut tx, member.role).await?;
    tx.commit().await?;
    let info = o
        .keys
        .iter()
        .find(|k| k.id == id)
        .cloned()
        .ok_or(AppError::Internal)?;
    Ok(ApiKeyCreated {
        key,
        info,
        overview: o,
    })
}

#[server(endpoint = "api_keys/revoke", input = WireJson, output = WireJson)]
pub async fn revoke_api_key(key_id: Uuid) -> Result<ApiKeysOverview, AppError> {
    use crate::model::Role;
    let (member, mut tx) =
        super::ctx::member_tx(Role::can_manage_integrations, ONLY_MANAGERS).await?;
    crate::db::api_keys::revoke(&mut tx, member.tenant_id, member.user_id, key_id).await?;
    let o = overview(&mut tx, member.role).await?;
    tx.commit().await?;
    Ok(o)
}
