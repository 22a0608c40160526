//! Publishing a website.

use super::wire::WireJson;
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::Published;

/// Publishes the website's draft. `notes` (optional, at most `DEPLOYMENT_NOTES_MAX` characters)
/// are kept with the deployment and shown in the deployments panel.
#[server(endpoint = "websites/publish", input = WireJson, output = WireJson)]
pub async fn publish_website(
    website_id: Uuid,
    notes: Option<String>,
) -> Result<Published, AppError> {
    use crate::model::{parse_deployment_notes, Role};
    let (member, mut tx) = super::ctx::member_tx(
        Role::can_publish,
        "Only owners, admins and developers can publish. Ask one of them to publish your changes.",
    )
    .await?;
    let notes = parse_deployment_notes(notes)?;
    if !crate::db::user_tokens::is_verified(&mut tx, member.user_id).await? {
        return Err(AppError::EmailUnverified {
            email: member.email,
        });
    }
    let published = crate::db::publish::publish_with_notes(
        &mut tx,
        member.tenant_id,
        member.user_id,
        website_id,
        notes.as_deref(),
    )
    .await?;
    tx.commit().await?;
    Ok(published)
}
