//! The invite link: what it leads to, and accepting it. No session is needed (the person is
//! not a member yet); the token is the credential.

use super::wire::WireJson;
use leptos::prelude::*;

use crate::error::AppError;
use crate::model::InviteState;

#[server(endpoint = "invite/state", input = WireJson, output = WireJson)]
pub async fn get_invite(token: String) -> Result<InviteState, AppError> {
    let state = super::ctx::state()?;
    crate::db::invite::state(&state.pool, &token).await
}

#[server(endpoint = "invite/accept", input = WireJson, output = WireJson)]
pub async fn accept_invite(
    token: String,
    full_name: String,
    password: String,
) -> Result<(), AppError> {
    use super::ctx;
    let state = ctx::state()?;
    let session = crate::db::invite::accept(
        &state.pool,
        &token,
        &full_name,
        &password,
        &ctx::request_meta(),
    )
    .await?;
    // Whoever was signed in on this browser before (perhaps another account) is signed out.
    if let Some((_, previous)) = ctx::try_member().await? {
        crate::db::accounts::logout(&state.pool, &previous).await?;
    }
    ctx::set_session_cookie(&session, state.config.secure_cookies);
    Ok(())
}
