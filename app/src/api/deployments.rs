//! A website's deployments: every member may list them (schema reference §5: viewers "can view websites");
//! rolling back changes what visitors see, so it needs `Role::can_publish` like publishing.

use super::wire::WireJson;
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::{DeploymentSummary, RolledBack};

/// The website's deployments, newest first.
#[server(endpoint = "websites/deployments", input = WireJson, output = WireJson)]
pub async fn list_deployments(website_id: Uuid) -> Result<Vec<DeploymentSummary>, AppError> {
    let (_, mut tx) = super::ctx::member_tx(|_| true, "").await?;
    let list = crate::db::deployments::list(&mut tx, website_id).await?;
    tx.commit().await?;
    Ok(list)
}

/// Makes an earlier deployment of the website live again.
#[server(endpoint = "websites/rollback", input = WireJson, output = WireJson)]
pub async fn rollback_deployment(
    website_id: Uuid,
    deployment_id: Uuid,
) -> Result<RolledBack, AppError> {
    use crate::model::Role;
    let (member, mut tx) = super::ctx::member_tx(
        Role::can_publish,
        "Only owners, admins and developers can roll back. Ask one of them to change the live version.",
    )
    .await?;
    use crate::db::realtime::{deploy, deploy_now};
    use crate::model::{DeployAction::Rollback, DeployPhase};
    let pool = super::ctx::state()?.pool;
    let tenant_id = member.tenant_id;
    // Live status, as for publishing (`api::publish`).
    let _ = deploy_now(
        &pool,
        tenant_id,
        website_id,
        Rollback,
        DeployPhase::Started,
        None,
    )
    .await;
    let result = async {
        let rolled_back = crate::db::deployments::rollback(
            &mut tx,
            tenant_id,
            member.user_id,
            website_id,
            deployment_id,
        )
        .await?;
        deploy(
            &mut tx,
            tenant_id,
            website_id,
            Rollback,
            DeployPhase::Succeeded,
            Some(rolled_back.deployment_id),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok::<_, AppError>(rolled_back)
    }
    .await;
    let rolled_back = match result {
        Ok(r) => r,
        Err(e) => {
            let message = e.to_string();
            let _ = deploy_now(
                &pool,
                tenant_id,
                website_id,
                Rollback,
                DeployPhase::Failed,
                Some(&message),
            )
            .await;
            return Err(e);
        }
    };
    Ok(rolled_back)
}
