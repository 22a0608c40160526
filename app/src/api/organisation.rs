//! The organisation's settings, the dashboard's first-run checklist and ownership transfer
//! (issue 23). Permission rules: `Role::can_manage_organisation`, `can_transfer_ownership`,
//! `can_accept_ownership`.

use super::wire::WireJson;
use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{Onboarding, Organisation, OrganisationInput, TransferState};

/// Every member reads the settings; `can_edit` says whether they may change them.
#[server(endpoint = "org/get", input = WireJson, output = WireJson)]
pub async fn get_organisation() -> Result<Organisation, AppError> {
    let (m, mut tx) = super::ctx::member_tx(|_| true, "").await?;
    let org = crate::db::organisation::get(&mut tx, m.tenant_id, m.role).await?;
    tx.commit().await?;
    Ok(org)
}

#[server(endpoint = "org/update", input = WireJson, output = WireJson)]
pub async fn update_organisation(settings: OrganisationInput) -> Result<(), AppError> {
    use crate::model::Role;
    let (m, mut tx) = super::ctx::member_tx(
        Role::can_manage_organisation,
        "Only the owner and admins can change the organisation's settings.",
    )
    .await?;
    let valid = settings.parse()?;
    crate::db::organisation::update(&mut tx, m.tenant_id, m.user_id, &valid).await?;
    tx.commit().await?;
    Ok(())
}

/// The first-run checklist, `None` once onboarding is complete.
#[server(endpoint = "org/onboarding", input = WireJson, output = WireJson)]
pub async fn onboarding_state() -> Result<Option<Onboarding>, AppError> {
    let (m, mut tx) = super::ctx::member_tx(|_| true, "").await?;
    let state =
        crate::db::organisation::onboarding(&mut tx, m.tenant_id, m.user_id, m.role).await?;
    tx.commit().await?;
    Ok(state)
}

#[server(endpoint = "org/onboarding_dismiss", input = WireJson, output = WireJson)]
pub async fn dismiss_onboarding() -> Result<(), AppError> {
    use crate::model::Role;
    let (m, mut tx) = super::ctx::member_tx(
        Role::can_transfer_ownership,
        "Only the owner can close the checklist.",
    )
    .await?;
    crate::db::organisation::dismiss_onboarding(&mut tx, m.tenant_id, m.user_id).await?;
    tx.commit().await?;
    Ok(())
}

#[server(endpoint = "org/transfer_state", input = WireJson, output = WireJson)]
pub async fn get_transfer_state() -> Result<TransferState, AppError> {
    use crate::model::Role;
    let (_m, mut tx) = super::ctx::member_tx(
        Role::can_transfer_ownership,
        "Only the owner can transfer ownership.",
    )
    .await?;
    let state = TransferState {
        admins: crate::db::organisation::transfer_candidates(&mut tx).await?,
        pending: crate::db::organisation::pending_transfer(&mut tx).await?,
    };
    tx.commit().await?;
    Ok(state)
}

/// The owner asks admin `to_user_id` to become the owner; they confirm from an emailed link.
#[server(endpoint = "org/transfer_start", input = WireJson, output = WireJson)]
pub async fn start_transfer(to_user_id: uuid::Uuid) -> Result<(), AppError> {
    use crate::model::Role;
    let (m, mut tx) = super::ctx::member_tx(
        Role::can_transfer_ownership,
        "Only the owner can transfer ownership.",
    )
    .await?;
    let from = m.full_name.clone().unwrap_or_else(|| m.email.clone());
    crate::db::organisation::start_transfer(
        &mut tx,
        m.tenant_id,
        m.user_id,
        &from,
        to_user_id,
        &super::ctx::link_base()?,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[server(endpoint = "org/transfer_cancel", input = WireJson, output = WireJson)]
pub async fn cancel_transfer() -> Result<(), AppError> {
    use crate::model::Role;
    let (m, mut tx) = super::ctx::member_tx(
        Role::can_transfer_ownership,
        "Only the owner can withdraw a transfer.",
    )
    .await?;
    crate::db::organisation::cancel_transfer(&mut tx, m.tenant_id, m.user_id).await?;
    tx.commit().await?;
    Ok(())
}

/// The admin named in the emailed link becomes the owner; the owner who asked becomes an admin.
#[server(endpoint = "org/transfer_confirm", input = WireJson, output = WireJson)]
pub async fn confirm_transfer(token: String) -> Result<(), AppError> {
    use crate::model::Role;
    let (m, mut tx) = super::ctx::member_tx(
        Role::can_accept_ownership,
        "Only an admin the owner chose can become the owner. Log in as the member the email was sent to.",
    )
    .await?;
    crate::db::organisation::confirm_transfer(&mut tx, m.tenant_id, m.user_id, &token).await?;
    tx.commit().await?;
    Ok(())
}
