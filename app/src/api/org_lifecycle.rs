//! The organisation's data export and deletion (issue 23 part 5), for the owner only
//! (`Role::can_export_organisation`, `can_delete_tenant`). The export is built by the
//! `organisation.export` job and downloaded from `/organisation/exports/{id}/download`; a
//! deleted organisation is purged by the `organisation.lifecycle` job after its retention.

use super::wire::WireJson;
use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{DeletionState, OrgExport};

#[cfg(feature = "ssr")]
const EXPORT_OWNER_ONLY: &str = "Only the owner can export the organisation.";
#[cfg(feature = "ssr")]
const DELETE_OWNER_ONLY: &str =
    "Only the owner can delete the organisation or cancel its deletion.";

/// Starts an export of the whole organisation, or answers the one already being built.
#[server(endpoint = "org/export_start", input = WireJson, output = WireJson)]
pub async fn start_export() -> Result<OrgExport, AppError> {
    use crate::model::Role;
    let (m, mut tx) =
        super::ctx::member_tx(Role::can_export_organisation, EXPORT_OWNER_ONLY).await?;
    let export = crate::db::org_export::start(&mut tx, m.tenant_id, m.user_id).await?;
    tx.commit().await?;
    Ok(export)
}

/// The newest export (its progress while it is built, its link once ready), if any.
#[server(endpoint = "org/export_latest", input = WireJson, output = WireJson)]
pub async fn latest_export() -> Result<Option<OrgExport>, AppError> {
    use crate::model::Role;
    let (_m, mut tx) =
        super::ctx::member_tx(Role::can_export_organisation, EXPORT_OWNER_ONLY).await?;
    let export = crate::db::org_export::latest(&mut tx).await?;
    tx.commit().await?;
    Ok(export)
}

/// Deletes the organisation once the owner typed its name: every website goes offline at
/// once, and everything is purged after the retention unless the owner cancels.
#[server(endpoint = "org/delete", input = WireJson, output = WireJson)]
pub async fn delete_organisation(confirm_name: String) -> Result<DeletionState, AppError> {
    use crate::model::Role;
    let (m, mut tx) = super::ctx::member_tx(Role::can_delete_tenant, DELETE_OWNER_ONLY).await?;
    let state = crate::db::org_deletion::request(
        &mut tx,
        m.tenant_id,
        m.user_id,
        &confirm_name,
        chrono::Utc::now(),
        &super::ctx::link_base()?,
    )
    .await?;
    tx.commit().await?;
    // The subscription stops renewing (test mode); a failure there does not undo the deletion.
    if let Err(e) = super::billing::follow_organisation_deletion(m.tenant_id, true).await {
        tracing::warn!(error = %e, "cancelling the subscription after the organisation's deletion");
    }
    Ok(state)
}

/// Cancels the deletion during the retention (the owner, signed in to the deleted
/// organisation). A plain form post from the deletion notice: works without JavaScript and
/// goes back to the dashboard.
#[server(endpoint = "org/deletion_cancel", output = WireJson)]
pub async fn cancel_deletion() -> Result<(), AppError> {
    use crate::model::Role;
    let (m, mut tx) =
        super::ctx::closing_member_tx(Role::can_delete_tenant, DELETE_OWNER_ONLY).await?;
    crate::db::org_deletion::cancel(&mut tx, m.tenant_id, m.user_id).await?;
    tx.commit().await?;
    if let Err(e) = super::billing::follow_organisation_deletion(m.tenant_id, false).await {
        tracing::warn!(error = %e, "resuming the subscription after the deletion was cancelled");
    }
    leptos_axum::redirect("/dashboard");
    Ok(())
}
