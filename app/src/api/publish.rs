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
    use crate::db::realtime::{deploy, deploy_now};
    use crate::model::{DeployAction::Publish, DeployPhase};
    let pool = super::ctx::state()?.pool;
    let (tenant_id, user_id) = (member.tenant_id, member.user_id);
    // Live status for every open builder and dashboard of the website: "started" at once,
    // "succeeded" with the deployment in the publishing transaction (delivered on commit),
    // "failed" after it rolled back. A status that cannot be sent never fails the publish.
    let _ = deploy_now(
        &pool,
        tenant_id,
        website_id,
        Publish,
        DeployPhase::Started,
        None,
    )
    .await;
    let result = async {
        let published = crate::db::publish::publish_with_notes(
            &mut tx,
            tenant_id,
            user_id,
            website_id,
            notes.as_deref(),
        )
        .await?;
        deploy(
            &mut tx,
            tenant_id,
            website_id,
            Publish,
            DeployPhase::Succeeded,
            Some(published.deployment_id),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok::<_, AppError>(published)
    }
    .await;
    let published = match result {
        Ok(p) => p,
        Err(e) => {
            let message = e.to_string();
            let _ = deploy_now(
                &pool,
                tenant_id,
                website_id,
                Publish,
                DeployPhase::Failed,
                Some(&message),
            )
            .await;
            return Err(e);
        }
    };
    Ok(published)
}
