//! A website's custom domain (schema reference §7, §15): see it, connect one, remove it, and
//! "Check now". Owners, admins and developers manage domains (schema reference §5,
//! `Role::can_manage_domains`); every member may see the settings.
//!
//! DNS lookups happen in the server crate (`server::domains`, hickory-resolver) and reach
//! "Check now" as [`DomainChecker`] in context, so no DNS code enters the wasm build.

use super::wire::WireJson;
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::DomainSettings;

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
const MANAGE_ONLY: &str =
    "Only the owner, admins and developers can change custom domains. Ask one of them.";

#[server(endpoint = "websites/domain", input = WireJson, output = WireJson)]
pub async fn website_domain(website_id: Uuid) -> Result<DomainSettings, AppError> {
    let (member, mut tx) = super::ctx::member_tx(|_| true, "").await?;
    let s = ssr::settings(&mut tx, website_id, member.role).await?;
    tx.commit().await?;
    Ok(s)
}

/// Connects `domain` to the website (replacing its current one), and queues its first check.
#[server(endpoint = "websites/domain/add", input = WireJson, output = WireJson)]
pub async fn add_domain(website_id: Uuid, domain: String) -> Result<DomainSettings, AppError> {
    use crate::model::{DomainName, Role};
    let (member, mut tx) = super::ctx::member_tx(Role::can_manage_domains, MANAGE_ONLY).await?;
    let state = super::ctx::state()?;
    let domain = DomainName::parse(&domain)?;
    ssr::refuse_platform_domain(&domain, &state.config)?;
    let id = crate::db::domains::add(
        &mut tx,
        member.tenant_id,
        member.user_id,
        website_id,
        &domain,
        &state.config.sites_domain,
    )
    .await?;
    crate::db::domains::queue_check(&mut tx, member.tenant_id, id).await?;
    let s = ssr::settings(&mut tx, website_id, member.role).await?;
    tx.commit().await?;
    Ok(s)
}

/// Disconnects the website's domain; visitors stop reaching the site there at once.
#[server(endpoint = "websites/domain/remove", input = WireJson, output = WireJson)]
pub async fn remove_domain(website_id: Uuid) -> Result<DomainSettings, AppError> {
    use crate::model::Role;
    let (member, mut tx) = super::ctx::member_tx(Role::can_manage_domains, MANAGE_ONLY).await?;
    crate::db::domains::remove(&mut tx, member.tenant_id, member.user_id, website_id).await?;
    let s = ssr::settings(&mut tx, website_id, member.role).await?;
    tx.commit().await?;
    Ok(s)
}

/// "Check now": looks the records up at once and records what it found (at most one manual
/// check per domain every [`ssr::MANUAL_CHECK_GAP`]).
#[server(endpoint = "websites/domain/check", input = WireJson, output = WireJson)]
pub async fn check_domain(website_id: Uuid) -> Result<DomainSettings, AppError> {
    use crate::model::Role;
    let checker = ssr::checker()?;
    let (member, mut tx) = super::ctx::member_tx(Role::can_manage_domains, MANAGE_ONLY).await?;
    let target =
        crate::db::domains::claim_manual_check(&mut tx, website_id, ssr::MANUAL_CHECK_GAP).await?;
    tx.commit().await?;
    // No transaction is held while DNS answers (it may take seconds).
    let outcome = checker.check(target.clone()).await;
    let state = super::ctx::state()?;
    let mut tx = crate::db::tenant_tx(&state.pool, member.tenant_id).await?;
    crate::db::domains::apply_check(&mut tx, &target, &outcome, checker.grace).await?;
    let s = ssr::settings(&mut tx, website_id, member.role).await?;
    tx.commit().await?;
    Ok(s)
}

#[cfg(feature = "ssr")]
mod ssr {
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Arc;
    use std::time::Duration;

    use leptos::prelude::use_context;
    use uuid::Uuid;

    use crate::db::domains::CheckTarget;
    use crate::db::Tx;
    use crate::error::AppError;
    use crate::model::{DomainName, DomainSettings, Role};
    use crate::state::Config;

    /// Least time between two "Check now" of one domain.
    pub const MANUAL_CHECK_GAP: Duration = Duration::from_secs(10);

    pub type DomainCheckFuture = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;

    /// Looks up a domain's records and says what is wrong, in people's words. Provided by the
    /// server (`server::domains`), with the grace period a verified domain keeps serving
    /// while its checks fail.
    #[derive(Clone)]
    pub struct DomainChecker {
        pub check_fn: Arc<dyn Fn(CheckTarget) -> DomainCheckFuture + Send + Sync>,
        pub grace: Duration,
    }

    impl DomainChecker {
        pub fn check(&self, target: CheckTarget) -> DomainCheckFuture {
            (self.check_fn)(target)
        }
    }

    pub fn checker() -> Result<DomainChecker, AppError> {
        use_context::<DomainChecker>().ok_or_else(|| {
            tracing::error!("DomainChecker missing from context");
            AppError::Internal
        })
    }

    pub async fn settings(
        tx: &mut Tx,
        website_id: Uuid,
        role: Role,
    ) -> Result<DomainSettings, AppError> {
        let state = super::super::ctx::state()?;
        crate::db::domains::settings(
            tx,
            website_id,
            &state.config.sites_domain,
            &state.config.domain_apex_ips,
            role.can_manage_domains(),
        )
        .await
    }

    /// The platform's own names (the sites domain and everything under it, the app's host)
    /// are never a customer's domain.
    pub fn refuse_platform_domain(domain: &DomainName, config: &Config) -> Result<(), AppError> {
        let app_host = config
            .public_origin
            .split_once("://")
            .map_or(config.public_origin.as_str(), |(_, rest)| rest);
        let app_host = app_host.rsplit_once(':').map_or(app_host, |(h, port)| {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                h
            } else {
                app_host
            }
        });
        if domain.is_within(&config.sites_domain)
            || domain.is_within(app_host)
            || domain.is_within("localhost")
        {
            return Err(AppError::invalid(
                "domain",
                "This address belongs to SitePilot itself. Enter a domain you own, such as www.mybakery.com.",
            ));
        }
        Ok(())
    }
}
