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

/// Who is asking: the session cookie, looked up at most once per request (on first use) and
/// kept in the request's [`CallerSlot`]. Server functions read it through [`try_member`] /
/// [`member_tx`]; axum handlers take it as an extractor.
#[derive(Clone, Default)]
pub enum Caller {
    /// No valid session.
    #[default]
    Anonymous,
    Member(Member),
    /// A member of a suspended tenant: the app answers with the suspension page.
    Suspended,
    /// A member of a deleted organisation during its retention: the app answers with the
    /// deletion notice (`server::org_lifecycle::closing_guard`); only the owner's "Cancel
    /// deletion" gets through ([`closing_member`]).
    Closing(Member),
    /// The session could not be looked up (the database failed); the error to answer with.
    Unavailable(AppError),
}

impl Caller {
    /// Resolves the session cookie in `headers`: the one lookup behind every request.
    pub async fn resolve(pool: &sqlx::PgPool, headers: &http::HeaderMap) -> Self {
        // Staff viewing an organisation read-only (operator console): the staff cookie wins.
        if let Some(staff) = cookie(headers, db::staff::STAFF_COOKIE) {
            match db::staff::impersonation(pool, &staff).await {
                Ok(Some(i)) => {
                    return Self::Member(Member {
                        session_id: String::new(),
                        user_id: i.user_id,
                        tenant_id: i.tenant_id,
                        role: crate::model::Role::Owner,
                        email: i.email,
                        full_name: i.full_name,
                        tenant_name: i.tenant_name,
                        impersonator: Some(i.staff_email),
                    })
                }
                Ok(None) => {}
                Err(e) => return Self::Unavailable(e),
            }
        }
        let Some(token) = cookie(headers, SESSION_COOKIE) else {
            return Self::Anonymous;
        };
        match db::accounts::resolve_session(pool, &token).await {
            Ok(db::accounts::SessionOutcome::Member(m)) => Self::Member(m),
            Ok(db::accounts::SessionOutcome::Suspended) => Self::Suspended,
            Ok(db::accounts::SessionOutcome::Closing(m)) => Self::Closing(m),
            Ok(db::accounts::SessionOutcome::None) => Self::Anonymous,
            Err(e) => Self::Unavailable(e),
        }
    }

    /// The member of an active tenant, `None` when anonymous or suspended, or the lookup's
    /// error.
    pub fn member(&self) -> Result<Option<&Member>, AppError> {
        match self {
            Self::Member(m) => Ok(Some(m)),
            Self::Anonymous | Self::Suspended | Self::Closing(_) => Ok(None),
            Self::Unavailable(e) => Err(e.clone()),
        }
    }

    /// The caller of this request: resolved once into the [`CallerSlot`] the server's auth
    /// middleware put on the request (shared by every clone of the request's parts), or, for a
    /// request that did not pass through it, looked up now.
    pub async fn of_request(pool: &sqlx::PgPool, parts: &http::request::Parts) -> Self {
        match parts.extensions.get::<CallerSlot>() {
            Some(slot) => slot
                .0
                .get_or_init(|| Self::resolve(pool, &parts.headers))
                .await
                .clone(),
            None => Self::resolve(pool, &parts.headers).await,
        }
    }
}

/// The request extension holding the request's [`Caller`] once somebody asked for it. Static
/// files never ask, so they cost no session query.
#[derive(Clone, Default)]
pub struct CallerSlot(std::sync::Arc<tokio::sync::OnceCell<Caller>>);

impl<S> axum::extract::FromRequestParts<S> for Caller
where
    AppState: axum::extract::FromRef<S>,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let state = <AppState as axum::extract::FromRef<S>>::from_ref(state);
        Ok(Self::of_request(&state.pool, parts).await)
    }
}

/// The signed-in member, or `None` for anonymous requests.
pub async fn try_member() -> Result<Option<(AppState, Member)>, AppError> {
    let state = state()?;
    let Some(parts) = use_context::<http::request::Parts>() else {
        return Ok(None);
    };
    let caller = Caller::of_request(&state.pool, &parts).await;
    let member = caller.member()?.cloned();
    Ok(member.map(|m| (state, m)))
}

/// The member of a deleted organisation still in its retention, with an open tenant
/// transaction, after checking the role with `allowed`; `Unauthorized` for anyone else (an
/// active organisation's members included: there is nothing to cancel).
pub async fn closing_member_tx(
    allowed: fn(crate::model::Role) -> bool,
    denied: &str,
) -> Result<(Member, Tx), AppError> {
    let state = state()?;
    let parts = use_context::<http::request::Parts>().ok_or(AppError::Unauthorized)?;
    let member = match Caller::of_request(&state.pool, &parts).await {
        Caller::Closing(m) => m,
        Caller::Member(_) => {
            return Err(AppError::invalid(
                "organisation",
                "The organisation is not scheduled for deletion.",
            ))
        }
        Caller::Unavailable(e) => return Err(e),
        Caller::Anonymous | Caller::Suspended => return Err(AppError::Unauthorized),
    };
    if !allowed(member.role) {
        return Err(AppError::forbidden(denied));
    }
    let mut tx = db::tenant_tx(&state.pool, member.tenant_id).await?;
    request_meta().apply(&mut tx).await?;
    Ok((member, tx))
}

/// What staff viewing an organisation (read-only impersonation) get from anything that would
/// change it.
pub const READ_ONLY_IMPERSONATION: &str =
    "Staff are viewing this organisation read-only: nothing can be changed.";

/// The signed-in member, or `Unauthorized`, for server functions that act outside one tenant
/// transaction (publish, AI): refused during a staff impersonation, which may change nothing.
pub async fn member() -> Result<(AppState, Member), AppError> {
    let (state, member) = try_member().await?.ok_or(AppError::Unauthorized)?;
    if member.impersonator.is_some() {
        return Err(AppError::forbidden(READ_ONLY_IMPERSONATION));
    }
    Ok((state, member))
}

/// The member and an open tenant transaction, after checking the role with `allowed`: THE
/// entry point of tenant server functions. During a staff impersonation the transaction is
/// `READ ONLY`, so PostgreSQL itself refuses every write, which answers Forbidden
/// ([`READ_ONLY_IMPERSONATION`]) with nothing saved.
pub async fn member_tx(
    allowed: fn(crate::model::Role) -> bool,
    denied: &str,
) -> Result<(Member, Tx), AppError> {
    let (state, member) = try_member().await?.ok_or(AppError::Unauthorized)?;
    if !allowed(member.role) {
        return Err(AppError::forbidden(denied));
    }
    if member.impersonator.is_some() {
        let tx = db::tenant_tx_read_only(&state.pool, member.tenant_id).await?;
        return Ok((member, tx));
    }
    let mut tx = db::tenant_tx(&state.pool, member.tenant_id).await?;
    request_meta().apply(&mut tx).await?;
    Ok((member, tx))
}

/// For a download route (outside server functions): the member `caller` is, after checking
/// the role with `allowed` and the tenant's export rate limit, with the rate state for the
/// response headers and an open tenant transaction.
pub async fn export_tx<'a>(
    pool: &sqlx::PgPool,
    caller: &'a Caller,
    allowed: fn(crate::model::Role) -> bool,
    denied: &str,
) -> Result<(&'a Member, db::rate_limits::RateState, Tx), AppError> {
    let member = caller.member()?.ok_or(AppError::Unauthorized)?;
    if !allowed(member.role) {
        return Err(AppError::forbidden(denied));
    }
    let rate =
        db::rate_limits::check(pool, member.tenant_id, db::rate_limits::Bucket::Export).await?;
    let tx = db::tenant_tx(pool, member.tenant_id).await?;
    Ok((member, rate, tx))
}

pub use crate::state::ClientIp;

/// The client's IP address for a request: the one place server functions learn it (throttles,
/// audit rows). The [`ClientIp`] extension the server computed once per request (the peer, or a
/// trusted proxy's forwarded client) wins; otherwise the TCP peer. A header a client could forge
/// is never read here.
pub fn client_ip_of(parts: &http::request::Parts) -> Option<std::net::IpAddr> {
    if let Some(ClientIp(ip)) = parts.extensions.get::<ClientIp>() {
        return Some(*ip);
    }
    parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
}

/// [`client_ip_of`] the current request.
pub fn client_ip() -> Option<std::net::IpAddr> {
    use_context::<http::request::Parts>().and_then(|p| client_ip_of(&p))
}

/// The caller's IP ([`client_ip`]) and user agent (cut to a bounded length), for audit rows.
pub fn request_meta() -> db::audit_log::RequestMeta {
    let Some(parts) = use_context::<http::request::Parts>() else {
        return db::audit_log::RequestMeta::default();
    };
    db::audit_log::RequestMeta {
        ip: client_ip_of(&parts),
        user_agent: parts
            .headers
            .get(http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(db::audit_log::truncate_user_agent),
    }
}

/// The app's public origin (`SITEPILOT_PUBLIC_URL`), for links in emails and Stripe return
/// addresses. Never the request's `Host` header, which a client chooses.
pub fn link_base() -> Result<String, AppError> {
    Ok(state()?.config.public_origin.clone())
}

fn set_cookie(value: String) {
    if let (Some(res), Ok(v)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(&value),
    ) {
        res.append_header(SET_COOKIE, v);
    }
}

/// The `RateLimit-Limit` / `-Remaining` / `-Reset` headers of a rate-limited action (publish,
/// AI) on the server function's answer, as the REST API sends them.
pub fn set_rate_headers(rate: &db::rate_limits::RateState) {
    let Some(res) = use_context::<ResponseOptions>() else {
        return;
    };
    for (name, value) in rate.headers() {
        res.insert_header(
            http::HeaderName::from_static(name),
            HeaderValue::from(value),
        );
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

/// The operator console's cookie: HttpOnly, SameSite=Strict, for the staff session's life.
pub fn set_staff_cookie(token: &str, secure: bool) {
    let max_age = db::staff::STAFF_SESSION_HOURS * 3600;
    let secure = if secure { "; Secure" } else { "" };
    set_cookie(format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}",
        db::staff::STAFF_COOKIE
    ));
}

pub fn clear_staff_cookie(secure: bool) {
    let secure = if secure { "; Secure" } else { "" };
    set_cookie(format!(
        "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}",
        db::staff::STAFF_COOKIE
    ));
}

pub fn clear_session_cookie(secure: bool) {
    let secure = if secure { "; Secure" } else { "" };
    set_cookie(format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"
    ));
}
