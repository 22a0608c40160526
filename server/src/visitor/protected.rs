//! Password-protected pages: the page for visitors holding a valid unlock cookie, the unlock
//! form for everyone else, and the form's submission (rate-limited, argon2-checked).

use app::model::{Snapshot, SnapshotPage};
use app::state::AppState;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use uuid::Uuid;

use super::{not_found, Visit};
use crate::unlock;

/// Longer input is refused before argon2 sees it, so a huge body cannot cost CPU time.
const PASSWORD_MAX: usize = 256;

/// The page's address as the browser sees it (`/about`, or `/sites/{sub}/about`), built from
/// the matched slug rather than echoed from the request.
pub(super) fn address(prefix: &str, slug: &str) -> String {
    format!("/{}", format!("{prefix}{slug}").trim_start_matches('/'))
}

pub(super) fn see_other(location: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// Responses about a protected page are per visitor: never stored by shared caches, never
/// indexed.
fn private(mut res: Response, status: StatusCode) -> Response {
    *res.status_mut() = status;
    let h = res.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    res
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Whether the visitor's cookies hold a valid unlock for this page.
pub(super) fn unlocked(
    state: &AppState,
    website_id: Uuid,
    page: &SnapshotPage,
    cookies: Option<&str>,
) -> bool {
    let hash = page.password_hash.as_deref().unwrap_or("");
    let name = unlock::cookie_name(page.id);
    !hash.is_empty()
        && cookies.is_some_and(|c| {
            c.split(';')
                .filter_map(|kv| kv.trim().split_once('='))
                .filter(|(k, _)| *k == name)
                .any(|(_, v)| {
                    unlock::verify(
                        &state.config.page_unlock_key.0,
                        v,
                        website_id,
                        page.id,
                        hash,
                        now(),
                    )
                })
        })
}

pub(super) async fn serve(
    state: &AppState,
    (tenant_id, website_id): (Uuid, Uuid),
    snapshot: &Snapshot,
    page: &SnapshotPage,
    visit: Visit,
) -> Response {
    let key = &state.config.page_unlock_key.0;
    // No hash means protected but never given a password: it stays locked.
    let hash = page.password_hash.as_deref().unwrap_or("");
    let action = address(&visit.prefix, &page.slug);
    let name = unlock::cookie_name(page.id);

    if let Some(password) = visit.password {
        if let Err(wait_secs) = unlock::attempt(&state.pool, visit.ip, page.id).await {
            let mut res = private(
                Html(app::site::render_too_many_attempts()).into_response(),
                StatusCode::TOO_MANY_REQUESTS,
            );
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(wait_secs));
            return res;
        }
        let right = !hash.is_empty()
            && !password.is_empty()
            && password.len() <= PASSWORD_MAX
            && app::db::accounts::verify_password(password, hash.to_string()).await;
        if !right {
            let html = app::site::render_password_form(
                snapshot,
                page,
                &action,
                Some("That password is not right."),
            );
            return private(Html(html).into_response(), StatusCode::UNAUTHORIZED);
        }
        let value = unlock::sign(
            key,
            website_id,
            page.id,
            now() + unlock::UNLOCK_TTL_SECS,
            hash,
        );
        let cookie_path = match action.trim_end_matches('/') {
            "" => "/",
            p => p,
        };
        let cookie =
            unlock::set_cookie_header(&name, &value, cookie_path, state.config.secure_cookies);
        let mut res = private(see_other(&action), StatusCode::SEE_OTHER);
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            res.headers_mut().insert(header::SET_COOKIE, v);
        }
        return res;
    }

    if !unlocked(state, website_id, page, visit.cookies.as_deref()) {
        let html = app::site::render_password_form(snapshot, page, &action, None);
        return private(Html(html).into_response(), StatusCode::UNAUTHORIZED);
    }
    let addr = visit.address();
    let shelf =
        match super::storefront::shelf_for(state, (tenant_id, website_id), page, &addr).await {
            Ok(s) => s,
            Err(res) => return res,
        };
    match app::site::render_page(snapshot, &visit.path, &addr, shelf) {
        Some(html) => private(Html(html).into_response(), StatusCode::OK),
        None => not_found("page"),
    }
}
