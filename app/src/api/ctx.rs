//! Request context for server functions: state, the signed-in member, session cookies.

use http::header::{COOKIE, SET_COOKIE};
use http::HeaderValue;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use crate::db::{self, accounts::Member, Tx};
use crate::error::AppError;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "sp_session";

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from context");
        AppError::Internal
    })
}

/// The value of cookie `name` in the request headers.
pub fn cookie(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The signed-in member, or `None` for anonymous requests.
pub async fn try_member() -> Result<Option<(AppState, Member)>, AppError> {
    let state = state()?;
    let Some(parts) = use_context::<http::request::Parts>() else {
        return Ok(None);
    };
    let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    Ok(db::accounts::member_from_token(&state.pool, &token)
        .await?
        .map(|m| (state, m)))
}

/// The signed-in member, or `Unauthorized`.
pub async fn member() -> Result<(AppState, Member), AppError> {
    try_member().await?.ok_or(AppError::Unauthorized)
}

/// The member and an open tenant transaction, after checking the role with `allowed`.
pub async fn member_tx(
    allowed: fn(crate::model::Role) -> bool,
    denied: &str,
) -> Result<(Member, Tx), AppError> {
    let (state, member) = member().await?;
    if !allowed(member.role) {
        return Err(AppError::forbidden(denied));
    }
    let mut tx = db::tenant_tx(&state.pool, member.tenant_id).await?;
    request_meta().apply(&mut tx).await?;
    Ok((member, tx))
}

/// The caller's IP and user agent, for audit rows. The IP is the one the server computed once
/// for the request (`state::ClientIp`: the peer, or a trusted proxy's forwarded client), never a
/// header a client could forge.
pub fn request_meta() -> db::audit_log::RequestMeta {
    let Some(parts) = use_context::<http::request::Parts>() else {
        return db::audit_log::RequestMeta::default();
    };
    let user_agent = parts
        .headers
        .get(http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    db::audit_log::RequestMeta {
        ip: parts
            .extensions
            .get::<crate::state::ClientIp>()
            .map(|c| c.0),
        user_agent,
    }
}

/// `http(s)://host` of the current request, for links in emails.
pub fn link_base(secure: bool) -> String {
    let host = use_context::<http::request::Parts>()
        .and_then(|p| {
            p.headers
                .get(http::header::HOST)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        })
        .unwrap_or_else(|| "localhost".into());
    format!("{}://{host}", if secure { "https" } else { "http" })
}

fn set_cookie(value: String) {
    if let (Some(res), Ok(v)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(&value),
    ) {
        res.append_header(SET_COOKIE, v);
    }
}

/// HttpOnly + SameSite=Lax session cookie (+ Secure behind https).
pub fn set_session_cookie(token: &str, secure: bool) {
    let max_age = db::accounts::SESSION_DAYS * 24 * 3600;
    let secure = if secure { "; Secure" } else { "" };
    set_cookie(format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ));
}

pub fn clear_session_cookie(secure: bool) {
    let secure = if secure { "; Secure" } else { "" };
    set_cookie(format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"
    ));
}
