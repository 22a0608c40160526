//! Members-only preview of any deployment of their tenant's websites, live or not:
//! `/preview/deployments/{id}/` and `/preview/deployments/{id}/{*path}`. Rendered by the same
//! `app::site` renderer as the visitor site, with a banner naming the deployment; never
//! indexed or cached. Anonymous requests are sent to log in; another tenant's deployment is
//! simply not found (RLS hides it), so its existence is not revealed.

use app::api::ctx::Caller;
use app::model::Snapshot;
use app::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use uuid::Uuid;

use crate::visitor::not_found;

pub async fn deployment(
    State(state): State<AppState>,
    Path(params): Path<Vec<(String, String)>>,
    caller: Caller,
) -> Response {
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let Some(id) = param("id").and_then(|s| Uuid::parse_str(s).ok()) else {
        return private(not_found("deployment"));
    };
    let path = format!("/{}", param("path").unwrap_or(""));

    let member = match caller.member() {
        Ok(Some(m)) => m,
        Ok(None) => return private(login_redirect()),
        Err(_) => return unavailable(),
    };
    let row = match app::db::tenant_tx(&state.pool, member.tenant_id).await {
        Ok(mut tx) => app::db::deployments::for_preview(&mut tx, id).await,
        Err(e) => Err(e),
    };
    let row = match row {
        Ok(Some(row)) => row,
        Ok(None) => return private(not_found("deployment")),
        Err(_) => return unavailable(),
    };
    let snapshot: Snapshot = match serde_json::from_value(row.snapshot_json) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(deployment = %id, error = %e, "snapshot does not parse");
            return unavailable();
        }
    };
    let live = if row.is_live { "live now" } else { "not live" };
    let banner = format!(
        "Preview of the deployment from {} ({live}). Visitors do not see this banner.",
        row.deployed_at.format("%-d %b %Y, %H:%M UTC")
    );
    // Links inside the preview stay inside it; the canonical address is the preview's own.
    let prefix = format!("/preview/deployments/{id}");
    let addr = app::site::SiteAddress {
        base: prefix.clone(),
        prefix,
    };
    match app::site::render_preview(&snapshot, &path, &addr, banner) {
        Some(html) => private(Html(html).into_response()),
        None => private(not_found("page")),
    }
}

/// Previews are per member: never stored by shared caches, never indexed.
fn private(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    res
}

fn login_redirect() -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    res.headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static("/login"));
    res
}

fn unavailable() -> Response {
    private(
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "Preview temporarily unavailable",
        )
            .into_response(),
    )
}

/// Members-only preview of a template, without saving anything: `/preview/templates/{key}/`
/// and `/preview/templates/{key}/{*path}`, where `key` is a built-in template's name or the id
/// of one of the tenant's own templates (another tenant's is simply not found). The template
/// document passes the backup validators, becomes an in-memory snapshot and is drawn by the
/// visitor renderer (`app::site`), so the preview is what the published site will show.
///
/// `?thumbnail` answers the gallery card's thumbnail: the home page without the banner. The
/// gallery shows it in a scaled-down, non-interactive frame, so these responses carry the
/// visitor sites' policy (`frame-ancestors 'self'`) instead of the app's `'none'`.
pub async fn template(
    State(state): State<AppState>,
    Path(params): Path<Vec<(String, String)>>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
    caller: Caller,
) -> Response {
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let key = param("key").unwrap_or("").to_string();
    let path = format!("/{}", param("path").unwrap_or(""));
    let thumbnail = query
        .as_deref()
        .is_some_and(|q| q.split('&').any(|p| p == "thumbnail"));

    let member = match caller.member() {
        Ok(Some(m)) => m,
        Ok(None) => return private(login_redirect()),
        Err(_) => return unavailable(),
    };
    let template = app::db::templates::TemplateRef::parse(&key);
    let site = match app::db::tenant_tx(&state.pool, member.tenant_id).await {
        Ok(mut tx) => app::db::templates::site_of(&mut tx, template).await,
        Err(e) => Err(e),
    };
    let site = match site {
        Ok(site) => site,
        Err(app::error::AppError::NotFound(_)) => return private(not_found("template")),
        Err(e) => {
            tracing::error!(template = %key, error = %e, "template does not load");
            return unavailable();
        }
    };
    let snapshot = site.preview_snapshot();
    let prefix = format!("/preview/templates/{key}");
    let addr = app::site::SiteAddress {
        base: prefix.clone(),
        prefix,
    };
    let html = if thumbnail {
        app::site::render_thumbnail(&snapshot, &addr)
    } else {
        let banner = format!(
            "Preview of the template “{}”. Nothing is saved until you create a website from it.",
            snapshot.website_name
        );
        app::site::render_preview(&snapshot, &path, &addr, banner)
    };
    match html {
        Some(html) => framable(private(Html(html).into_response())),
        None => private(not_found("page")),
    }
}

/// The visitor sites' security headers, which allow framing by the app's own pages only.
fn framable(res: Response) -> Response {
    let mut res = crate::visitor::headers::secure(res);
    res.headers_mut().insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    res
}
