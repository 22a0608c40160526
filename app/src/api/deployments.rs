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
    let (member, mut tx) =
        super::ctx::member_tx(Role::can_publish, super::ops::CANNOT_ROLL_BACK).await?;
    let actor = (&member).into();
    // Live status, as for publishing.
    super::ops::with_deploy_status(
        &super::ctx::state()?.pool,
        &actor,
        website_id,
        crate::model::DeployAction::Rollback,
        async {
            let rolled_back =
                super::ops::rollback(&mut tx, &actor, website_id, deployment_id).await?;
            tx.commit().await?;
            Ok(rolled_back)
        },
    )
    .await
}
