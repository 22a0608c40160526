//! The signed-in member's own settings: profile, password, preferences (schema reference §18).

use super::wire::WireJson;
use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{Preferences, Theme, UserSettings};

#[server(endpoint = "settings/get", input = WireJson, output = WireJson)]
pub async fn my_settings() -> Result<UserSettings, AppError> {
    use crate::model::Role;
    let (m, mut tx) = super::ctx::member_tx(Role::can_edit_own_settings, "").await?;
    let s = crate::db::settings::get(&mut tx, m.user_id).await?;
    tx.commit().await?;
    Ok(s)
}

/// The theme to apply to the app; light for anonymous visitors of the app pages.
#[server(endpoint = "settings/theme", input = WireJson, output = WireJson)]
pub async fn my_theme() -> Result<Theme, AppError> {
    if super::ctx::try_member().await?.is_none() {
        return Ok(Theme::Light);
    }
    Ok(my_settings().await?.preferences.theme)
}

#[server(endpoint = "settings/profile", input = WireJson, output = WireJson)]
pub async fn update_profile(full_name: String, avatar_url: String) -> Result<(), AppError> {
    use crate::model::Role;
    let (m, mut tx) = super::ctx::member_tx(Role::can_edit_own_settings, "").await?;
    crate::db::settings::update_profile(&mut tx, m.user_id, &full_name, &avatar_url).await?;
    tx.commit().await?;
    Ok(())
}

/// Changes the password after checking the current one; every other session of the member
/// ends (this one stays signed in).
#[server(endpoint = "settings/password", input = WireJson, output = WireJson)]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    use crate::model::Role;
    let (m, mut tx) = super::ctx::member_tx(Role::can_edit_own_settings, "").await?;
    crate::db::settings::change_password(
        &mut tx,
        m.tenant_id,
        m.user_id,
        &m.session_id,
        &current_password,
        &new_password,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[server(endpoint = "settings/preferences", input = WireJson, output = WireJson)]
pub async fn update_preferences(preferences: Preferences) -> Result<(), AppError> {
    use crate::model::Role;
    let (m, mut tx) = super::ctx::member_tx(Role::can_edit_own_settings, "").await?;
    crate::db::settings::set_preferences(&mut tx, m.user_id, &preferences).await?;
    tx.commit().await?;
    Ok(())
}

/// "Delete my account": a member (not the owner) deletes their own user account, after typing
/// their password again. Signed out at once (every session of theirs is gone with the row).
#[server(endpoint = "settings/delete_account", input = WireJson, output = WireJson)]
pub async fn delete_my_account(password: String) -> Result<(), AppError> {
    use crate::model::Role;
    let state = super::ctx::state()?;
    let (m, mut tx) = super::ctx::member_tx(
        Role::can_delete_own_account,
        "The owner cannot delete their account. Transfer ownership to an admin first.",
    )
    .await?;
    crate::db::account_deletion::delete_own_account(&mut tx, m.tenant_id, m.user_id, &password)
        .await?;
    tx.commit().await?;
    super::ctx::clear_session_cookie(state.config.secure_cookies);
    Ok(())
}

/// "Log out everywhere": ends every session of the signed-in member, this one included.
#[server(endpoint = "settings/logout_everywhere", input = WireJson, output = WireJson)]
pub async fn logout_everywhere() -> Result<(), AppError> {
    use crate::model::Role;
    let state = super::ctx::state()?;
    let (m, mut tx) = super::ctx::member_tx(Role::can_edit_own_settings, "").await?;
    crate::db::accounts::logout_everywhere(&mut tx, &m).await?;
    tx.commit().await?;
    super::ctx::clear_session_cookie(state.config.secure_cookies);
    Ok(())
}
