//! Publishing a website.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::Published;

#[server(endpoint = "websites/publish", input = Json)]
pub async fn publish_website(website_id: Uuid) -> Result<Published, AppError> {
    use crate::model::Role;
    let (member, mut tx) = super::ctx::member_tx(
        Role::can_publish,
        "Only owners, admins and developers can publish. Ask one of them to publish your changes.",
    )
    .await?;
    let published = crate::db::publish::publish(&mut tx, member.tenant_id, member.user_id, website_id).await?;
    tx.commit().await?;
    Ok(published)
}
