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
    use crate::db::rate_limits::{self, Bucket};
    use crate::model::Role;
    // The plan's publish rate (shared with the REST API's publish), counted for allowed
    // callers only, before the transaction takes a pooled connection.
    let (state, m) = super::ctx::member().await?;
    if m.role.can_publish() {
        let rate = rate_limits::check(&state.pool, m.tenant_id, Bucket::Publish).await?;
        super::ctx::set_rate_headers(&rate);
    }
    let (member, mut tx) =
        super::ctx::member_tx(Role::can_publish, super::ops::CANNOT_PUBLISH).await?;
    let actor = (&member).into();
    // Live status in every open builder and dashboard of the website (`api::ops`).
    super::ops::with_deploy_status(
        &state.pool,
        &actor,
        website_id,
        crate::model::DeployAction::Publish,
        async {
            let published = super::ops::publish(&mut tx, &actor, website_id, notes).await?;
            tx.commit().await?;
            Ok(published)
        },
    )
    .await
}
