//! Contact form submissions from visitor sites. The form is plain HTML posting to its own
//! page with the block's id in `_sp_form`; the answer is the page again, showing either the
//! visitor's values with field errors or the block's success message. Works without
//! JavaScript.

use std::net::IpAddr;
use std::time::Duration;

use app::db::forms::NewSubmission;
use app::model::{
    check_submission, BlockProps, ComponentKind, FormSlot, Snapshot, SnapshotPage, FORM_ID_FIELD,
    HONEYPOT_FIELD,
};
use app::state::AppState;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use sqlx::PgPool;
use uuid::Uuid;

use super::{not_found, protected, Visit};

/// Submissions allowed per visitor address and website within [`WINDOW`].
pub const MAX_SUBMISSIONS: u32 = 5;
pub const WINDOW: Duration = Duration::from_secs(10 * 60);

/// Counts one submission from `ip` to `website_id` in PostgreSQL (shared by every instance);
/// `Err(seconds to wait)` over the limit. A database error refuses it too: nothing could be
/// stored then anyway.
async fn count_submission(pool: &PgPool, ip: Option<IpAddr>, website_id: Uuid) -> Result<(), u64> {
    let key = app::db::throttle::form_key(ip, website_id);
    match app::db::throttle::count(pool, &key, MAX_SUBMISSIONS, WINDOW.as_secs() as u32).await {
        Ok(()) => Ok(()),
        Err(app::error::AppError::TooManyRequests { retry_after_secs }) => Err(retry_after_secs),
        Err(e) => {
            tracing::warn!(error = %e, "counting a form submission failed; refusing it");
            Err(60)
        }
    }
}

/// The answer to a submission is about this visitor's input: never cached, never indexed.
fn private(html: String, status: StatusCode) -> Response {
    let mut res = Html(html).into_response();
    *res.status_mut() = status;
    let h = res.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    res
}

/// The contact form block `id` as visitors see it on `page`, if there is one.
fn contact_form(page: &SnapshotPage, id: Uuid) -> Option<app::model::ContactFormProps> {
    let config = page.page_config.checked();
    let c = page
        .components
        .iter()
        .find(|c| c.id == id && c.kind == ComponentKind::ContactForm)?;
    if !c.is_visible || !config.shows(c.kind) {
        return None;
    }
    match BlockProps::from_parts(c.kind.as_str(), c.props.clone()) {
        Ok(BlockProps::ContactForm(p)) => Some(p),
        _ => None,
    }
}

/// The page again with the form in `slot`'s state (and its storefront blocks, read live).
async fn page_with(
    state: &AppState,
    site: (Uuid, Uuid),
    (snapshot, page): (&Snapshot, &SnapshotPage),
    visit: &Visit,
    slot: &FormSlot,
    status: StatusCode,
) -> Response {
    let addr = visit.address();
    let shelf = match super::storefront::shelf_for(state, site, page, &addr).await {
        Ok(s) => s,
        Err(res) => return res,
    };
    match app::site::render_page_with_form(snapshot, &visit.path, &addr, Some(slot), shelf) {
        Some(html) => private(html, status),
        None => not_found("page"),
    }
}

/// Handles one submission; `site` is the website's (tenant id, website id).
pub(super) async fn submit(
    state: &AppState,
    site: (Uuid, Uuid),
    snapshot: &Snapshot,
    page: &SnapshotPage,
    mut visit: Visit,
) -> Response {
    let (tenant_id, website_id) = site;
    let posted = visit.form.take().unwrap_or_default();
    // A protected page's forms are for visitors who unlocked it; anyone else gets the lock.
    if page.password_protected
        && !protected::unlocked(state, website_id, page, visit.cookies.as_deref())
    {
        return protected::serve(state, site, snapshot, page, visit).await;
    }
    if let Err(wait_secs) = count_submission(&state.pool, visit.ip, website_id).await {
        let mut res = private(
            app::site::render_too_many_submissions(),
            StatusCode::TOO_MANY_REQUESTS,
        );
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(wait_secs));
        return res;
    }
    let value = |name: &str| {
        posted
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let Some(component_id) = Uuid::parse_str(value(FORM_ID_FIELD).trim()).ok() else {
        return not_found("form");
    };
    let Some(form) = contact_form(page, component_id) else {
        return not_found("form");
    };
    let mut slot = FormSlot {
        component_id,
        ..FormSlot::default()
    };
    // A filled honeypot is a bot: it is told "sent" and nothing is stored.
    if posted
        .iter()
        .any(|(k, v)| k == HONEYPOT_FIELD && !v.trim().is_empty())
    {
        tracing::info!(website = %website_id, "contact form honeypot filled; submission dropped");
        slot.sent = true;
        return page_with(state, site, (snapshot, page), &visit, &slot, StatusCode::OK).await;
    }
    let fields = match check_submission(&form, &posted) {
        Ok(fields) => fields,
        Err((values, errors)) => {
            slot.values = values;
            slot.errors = errors;
            return page_with(
                state,
                site,
                (snapshot, page),
                &visit,
                &slot,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let stored = async {
        let mut tx = app::db::tenant_tx(&state.pool, tenant_id).await?;
        let new = NewSubmission {
            website_id,
            page_id: page.id,
            component_id,
            page_slug: &page.slug,
            page_title: &page.title,
            form_name: &form.heading,
            fields: &fields,
            ip: visit.ip,
            user_agent: visit.user_agent.as_deref(),
        };
        let id = app::db::forms::insert(&mut tx, tenant_id, new).await?;
        // The owner's notice email, if the website wants one, commits with the submission.
        app::db::notify::enqueue_form_notice(&mut tx, tenant_id, website_id, id).await?;
        tx.commit().await?;
        Ok::<_, app::error::AppError>(())
    };
    if let Err(e) = stored.await {
        tracing::error!(website = %website_id, error = %e, "could not store a contact form submission");
        return private(
            app::site::render_submission_failed(),
            StatusCode::SERVICE_UNAVAILABLE,
        );
    }
    slot.sent = true;
    page_with(state, site, (snapshot, page), &visit, &slot, StatusCode::OK).await
}
