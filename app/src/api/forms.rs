//! The owners' inbox of contact form submissions: list, view, mark processed. The CSV
//! export is a plain download route in the server (`/forms/export/{website_id}`), which uses
//! [`export_csv_for`]. Every call needs `Role::can_view_submissions`.

use super::wire::WireJson;
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::model::Role;
use crate::model::{SubmissionDetail, SubmissionSummary};

#[cfg(feature = "ssr")]
pub const CANNOT_VIEW: &str = "Only the owner and admins can read form submissions.";

/// The tenant's submissions, newest first (only unprocessed ones when asked).
#[server(endpoint = "forms/list", input = WireJson, output = WireJson)]
pub async fn list_submissions(unprocessed_only: bool) -> Result<Vec<SubmissionSummary>, AppError> {
    let (member, mut tx) = super::ctx::member_tx(Role::can_view_submissions, CANNOT_VIEW).await?;
    let list = crate::db::forms::list(&mut tx, member.tenant_id, unprocessed_only).await?;
    tx.commit().await?;
    Ok(list)
}

/// One submission with all its fields.
#[server(endpoint = "forms/get", input = WireJson, output = WireJson)]
pub async fn get_submission(id: Uuid) -> Result<SubmissionDetail, AppError> {
    let (member, mut tx) = super::ctx::member_tx(Role::can_view_submissions, CANNOT_VIEW).await?;
    let detail = crate::db::forms::detail(&mut tx, member.tenant_id, id).await?;
    tx.commit().await?;
    Ok(detail)
}

/// Marks a submission processed, or (with `processed: false`) back to new.
#[server(endpoint = "forms/mark", input = WireJson, output = WireJson)]
pub async fn mark_submission(id: Uuid, processed: bool) -> Result<SubmissionDetail, AppError> {
    let (member, mut tx) = super::ctx::member_tx(Role::can_view_submissions, CANNOT_VIEW).await?;
    crate::db::forms::set_processed(&mut tx, member.tenant_id, member.user_id, id, processed)
        .await?;
    let action = if processed {
        "form_submission.processed"
    } else {
        "form_submission.reopened"
    };
    crate::db::audit(
        &mut tx,
        member.tenant_id,
        Some(member.user_id),
        action,
        ("form_submission", id),
        serde_json::json!({}),
    )
    .await?;
    let detail = crate::db::forms::detail(&mut tx, member.tenant_id, id).await?;
    tx.commit().await?;
    Ok(detail)
}

/// The CSV of one website's submissions for `caller` (the request's session): the same
/// role check and tenant transaction as the server functions, for the download route.
#[cfg(feature = "ssr")]
pub async fn export_csv_for(
    pool: &sqlx::PgPool,
    caller: &super::ctx::Caller,
    website_id: Uuid,
) -> Result<(String, crate::db::rate_limits::RateState), AppError> {
    let (member, rate, mut tx) =
        super::ctx::export_tx(pool, caller, Role::can_view_submissions, CANNOT_VIEW).await?;
    let csv = crate::db::forms::export_csv(&mut tx, member.tenant_id, website_id).await?;
    tx.commit().await?;
    Ok((csv, rate))
}

/// Whether the owner gets an email for each contact-form submission on the website.
#[server(endpoint = "forms/notices", input = WireJson, output = WireJson)]
pub async fn form_notices(website_id: Uuid) -> Result<bool, AppError> {
    let (_, mut tx) = super::ctx::member_tx(Role::can_view_submissions, CANNOT_VIEW).await?;
    let on = crate::db::notify::form_notices_on(&mut tx, website_id).await?;
    tx.commit().await?;
    Ok(on)
}

/// Switches the owner's email per contact-form submission on or off for the website.
#[server(endpoint = "forms/set_notices", input = WireJson, output = WireJson)]
pub async fn set_form_notices(website_id: Uuid, on: bool) -> Result<bool, AppError> {
    let (member, mut tx) = super::ctx::member_tx(Role::can_view_submissions, CANNOT_VIEW).await?;
    crate::db::notify::set_form_notices(&mut tx, website_id, on).await?;
    crate::db::audit(
        &mut tx,
        member.tenant_id,
        Some(member.user_id),
        "website.form_notices_changed",
        ("website", website_id),
        serde_json::json!({ "on": on }),
    )
    .await?;
    tx.commit().await?;
    Ok(on)
}
