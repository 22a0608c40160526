//! A website's outgoing webhooks (issue 21 part 4): endpoints, their secrets and the
//! deliveries log with "Resend". Owners and admins only (`Role::can_manage_integrations`): the
//! secrets sign what receivers trust, and the log carries form submissions.
//!
//! Whether an address may be called at all (it must not resolve to a private, loopback,
//! link-local or metadata address) is checked by the server (`server::webhooks`, which resolves
//! it) and reaches these functions as [`WebhookUrlGuard`] in context, so no DNS code enters the
//! wasm build. The sender checks again at connect time.

use super::wire::WireJson;
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::WebhooksOverview;

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
const ONLY_MANAGERS: &str = "Only the owner and admins can manage webhooks. Ask one of them.";

#[server(endpoint = "webhooks/overview", input = WireJson, output = WireJson)]
pub async fn load_webhooks(website_id: Uuid) -> Result<WebhooksOverview, AppError> {
    use crate::model::Role;
    let (_, mut tx) = super::ctx::member_tx(Role::can_manage_integrations, ONLY_MANAGERS).await?;
    let o = crate::db::webhooks::overview(&mut tx, website_id).await?;
    tx.commit().await?;
    Ok(o)
}

/// Adds an endpoint for `events`; its secret is generated here and shown on the page.
#[server(endpoint = "webhooks/add", input = WireJson, output = WireJson)]
pub async fn add_webhook(
    website_id: Uuid,
    url: String,
    events: Vec<String>,
) -> Result<WebhooksOverview, AppError> {
    use crate::model::{parse_webhook_events, parse_webhook_url, Role};
    let (member, tx) = super::ctx::member_tx(Role::can_manage_integrations, ONLY_MANAGERS).await?;
    let url = parse_webhook_url(&url)?;
    let events = parse_webhook_events(&events)?;
    // No transaction is held while DNS answers.
    tx.rollback().await?;
    ssr::guard()?.check(url.clone()).await?;
    let state = super::ctx::state()?;
    let mut tx = crate::db::tenant_tx(&state.pool, member.tenant_id).await?;
    super::ctx::request_meta().apply(&mut tx).await?;
    crate::db::webhooks::add(
        &mut tx,
        member.tenant_id,
        member.user_id,
        website_id,
        &url,
        &events,
    )
    .await?;
    let o = crate::db::webhooks::overview(&mut tx, website_id).await?;
    tx.commit().await?;
    Ok(o)
}

#[server(endpoint = "webhooks/delete", input = WireJson, output = WireJson)]
pub async fn delete_webhook(webhook_id: Uuid) -> Result<WebhooksOverview, AppError> {
    use crate::model::Role;
    let (member, mut tx) =
        super::ctx::member_tx(Role::can_manage_integrations, ONLY_MANAGERS).await?;
    let website =
        crate::db::webhooks::delete(&mut tx, member.tenant_id, member.user_id, webhook_id).await?;
    let o = crate::db::webhooks::overview(&mut tx, website).await?;
    tx.commit().await?;
    Ok(o)
}

/// Turns a disabled endpoint back on.
#[server(endpoint = "webhooks/enable", input = WireJson, output = WireJson)]
pub async fn enable_webhook(webhook_id: Uuid) -> Result<WebhooksOverview, AppError> {
    use crate::model::Role;
    let (_, mut tx) = super::ctx::member_tx(Role::can_manage_integrations, ONLY_MANAGERS).await?;
    let website = crate::db::webhooks::enable(&mut tx, webhook_id).await?;
    let o = crate::db::webhooks::overview(&mut tx, website).await?;
    tx.commit().await?;
    Ok(o)
}

/// "Resend": the delivery's event again, as a new delivery sent now.
#[server(endpoint = "webhooks/resend", input = WireJson, output = WireJson)]
pub async fn resend_delivery(delivery_id: Uuid) -> Result<WebhooksOverview, AppError> {
    use crate::model::Role;
    let (member, mut tx) =
        super::ctx::member_tx(Role::can_manage_integrations, ONLY_MANAGERS).await?;
    let website = crate::db::webhooks::resend(&mut tx, member.tenant_id, delivery_id).await?;
    let o = crate::db::webhooks::overview(&mut tx, website).await?;
    tx.commit().await?;
    Ok(o)
}

#[cfg(feature = "ssr")]
mod ssr {
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Arc;

    use leptos::prelude::use_context;

    use crate::error::AppError;

    pub type UrlCheckFuture = Pin<Box<dyn Future<Output = Result<(), AppError>> + Send>>;

    /// Resolves an endpoint address and refuses one that reaches a private, loopback,
    /// link-local, shared (CGNAT), metadata or unspecified address. Provided by the server.
    #[derive(Clone)]
    pub struct WebhookUrlGuard {
        pub check_fn: Arc<dyn Fn(String) -> UrlCheckFuture + Send + Sync>,
    }

    impl WebhookUrlGuard {
        pub fn check(&self, url: String) -> UrlCheckFuture {
            (self.check_fn)(url)
        }
    }

    pub fn guard() -> Result<WebhookUrlGuard, AppError> {
        use_context::<WebhookUrlGuard>().ok_or_else(|| {
            tracing::error!("WebhookUrlGuard missing from context");
            AppError::Internal
        })
    }
}
