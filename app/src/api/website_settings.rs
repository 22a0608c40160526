//! The website settings page (issue 23 part 1): rename, subdomain, site-wide SEO defaults,
//! the analytics switch, unpublish / publish again, archive / restore and delete. Every member
//! may see the settings; [`Role`] says who may change what. All endpoints live under
//! `/api/websites/…` and name `website_id`, so this instance's visitor cache forgets the
//! website at once (`evict_after_writes`) and other instances hear it through NOTIFY.

use super::wire::WireJson;
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::model::Role;
use crate::model::{SiteSeoDefaults, WebsiteSettings};

#[cfg(feature = "ssr")]
const CONTENT_ONLY: &str = "Viewers cannot change website settings.";
#[cfg(feature = "ssr")]
const MANAGE_ONLY: &str =
    "Only the owner, admins and developers can change the address or take the site offline.";
#[cfg(feature = "ssr")]
const DELETE_ONLY: &str = "Only the owner and admins can delete a website.";

/// Runs `f` in a transaction of a member `allowed` lets in, then answers with the settings.
#[cfg(feature = "ssr")]
async fn change<F>(
    allowed: fn(Role) -> bool,
    refused: &str,
    website_id: Uuid,
    f: F,
) -> Result<WebsiteSettings, AppError>
where
    F: for<'a> FnOnce(
        &'a mut crate::db::Tx,
        crate::db::accounts::Member,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<(), AppError>> + Send + 'a>,
    >,
{
    let (member, mut tx) = super::ctx::member_tx(allowed, refused).await?;
    let role = member.role;
    f(&mut tx, member).await?;
    let s = crate::db::website_lifecycle::settings(&mut tx, website_id)
        .await?
        .for_role(role);
    tx.commit().await?;
    Ok(s)
}

#[server(endpoint = "websites/settings", input = WireJson, output = WireJson)]
pub async fn load_website_settings(website_id: Uuid) -> Result<WebsiteSettings, AppError> {
    let (member, mut tx) = super::ctx::member_tx(|_| true, "").await?;
    let s = crate::db::website_lifecycle::settings(&mut tx, website_id)
        .await?
        .for_role(member.role);
    tx.commit().await?;
    Ok(s)
}

#[server(endpoint = "websites/rename", input = WireJson, output = WireJson)]
pub async fn rename_website(website_id: Uuid, name: String) -> Result<WebsiteSettings, AppError> {
    change(
        Role::can_change_branding,
        CONTENT_ONLY,
        website_id,
        |tx, m| {
            Box::pin(async move {
                crate::db::website_lifecycle::rename(tx, m.tenant_id, m.user_id, website_id, &name)
                    .await
            })
        },
    )
    .await
}

#[server(endpoint = "websites/subdomain", input = WireJson, output = WireJson)]
pub async fn change_subdomain(
    website_id: Uuid,
    subdomain: String,
) -> Result<WebsiteSettings, AppError> {
    change(
        Role::can_manage_website,
        MANAGE_ONLY,
        website_id,
        |tx, m| {
            Box::pin(async move {
                crate::db::website_lifecycle::change_subdomain(
                    tx,
                    m.tenant_id,
                    m.user_id,
                    website_id,
                    &subdomain,
                )
                .await
            })
        },
    )
    .await
}

#[server(endpoint = "websites/seo_defaults", input = WireJson, output = WireJson)]
pub async fn set_seo_defaults(
    website_id: Uuid,
    seo: SiteSeoDefaults,
) -> Result<WebsiteSettings, AppError> {
    change(
        Role::can_change_branding,
        CONTENT_ONLY,
        website_id,
        |tx, m| {
            Box::pin(async move {
                crate::db::website_lifecycle::set_seo_defaults(
                    tx,
                    m.tenant_id,
                    m.user_id,
                    website_id,
                    seo,
                )
                .await
            })
        },
    )
    .await
}

/// The favicon visitors get after the next publish; an empty address goes back to the default.
#[server(endpoint = "websites/favicon", input = WireJson, output = WireJson)]
pub async fn set_website_favicon(
    website_id: Uuid,
    favicon_url: String,
) -> Result<WebsiteSettings, AppError> {
    change(
        Role::can_change_branding,
        CONTENT_ONLY,
        website_id,
        |tx, m| {
            Box::pin(async move {
                crate::db::website_lifecycle::set_favicon(
                    tx,
                    m.tenant_id,
                    m.user_id,
                    website_id,
                    &favicon_url,
                )
                .await
            })
        },
    )
    .await
}

/// The websites deleted in the last 30 days (owners and admins, who may delete).
#[server(endpoint = "websites/deleted", input = WireJson, output = WireJson)]
pub async fn deleted_websites() -> Result<Vec<crate::model::DeletedWebsite>, AppError> {
    let (_m, mut tx) = super::ctx::member_tx(Role::can_delete_website, DELETE_ONLY).await?;
    let list = crate::db::website_lifecycle::deleted_websites(&mut tx).await?;
    tx.commit().await?;
    Ok(list)
}

/// Undoes a deletion within the 30 days, within the plan's websites.
#[server(endpoint = "websites/undelete", input = WireJson, output = WireJson)]
pub async fn undelete_website(website_id: Uuid) -> Result<(), AppError> {
    let (m, mut tx) = super::ctx::member_tx(Role::can_delete_website, DELETE_ONLY).await?;
    crate::db::website_lifecycle::undelete(&mut tx, m.tenant_id, m.user_id, website_id).await?;
    tx.commit().await?;
    Ok(())
}

#[server(endpoint = "websites/analytics", input = WireJson, output = WireJson)]
pub async fn set_website_analytics(
    website_id: Uuid,
    enabled: bool,
) -> Result<WebsiteSettings, AppError> {
    change(
        Role::can_manage_website,
        MANAGE_ONLY,
        website_id,
        |tx, m| {
            Box::pin(async move {
                crate::db::website_lifecycle::set_analytics(
                    tx,
                    m.tenant_id,
                    m.user_id,
                    website_id,
                    enabled,
                )
                .await
            })
        },
    )
    .await
}

#[server(endpoint = "websites/unpublish", input = WireJson, output = WireJson)]
pub async fn unpublish_website(website_id: Uuid) -> Result<WebsiteSettings, AppError> {
    change(
        Role::can_manage_website,
        MANAGE_ONLY,
        website_id,
        |tx, m| {
            Box::pin(async move {
                crate::db::website_lifecycle::unpublish(tx, m.tenant_id, m.user_id, website_id)
                    .await
            })
        },
    )
    .await
}

#[server(endpoint = "websites/republish", input = WireJson, output = WireJson)]
pub async fn republish_website(website_id: Uuid) -> Result<WebsiteSettings, AppError> {
    change(
        Role::can_manage_website,
        MANAGE_ONLY,
        website_id,
        |tx, m| {
            Box::pin(async move {
                crate::db::website_lifecycle::republish(tx, m.tenant_id, m.user_id, website_id)
                    .await
            })
        },
    )
    .await
}

#[server(endpoint = "websites/archive", input = WireJson, output = WireJson)]
pub async fn archive_website(website_id: Uuid) -> Result<WebsiteSettings, AppError> {
    change(
        Role::can_manage_website,
        MANAGE_ONLY,
        website_id,
        |tx, m| {
            Box::pin(async move {
                crate::db::website_lifecycle::archive(tx, m.tenant_id, m.user_id, website_id).await
            })
        },
    )
    .await
}

/// Brings an archived website back as a draft, within the plan's website limit.
#[server(endpoint = "websites/restore", input = WireJson, output = WireJson)]
pub async fn restore_website(website_id: Uuid) -> Result<WebsiteSettings, AppError> {
    change(
        Role::can_manage_website,
        MANAGE_ONLY,
        website_id,
        |tx, m| {
            Box::pin(async move {
                crate::db::websites::restore(tx, m.tenant_id, m.user_id, website_id).await
            })
        },
    )
    .await
}

/// Deletes the website (`confirm` must be its name): offline at once, purged after 30 days.
/// Answers with the purge date.
#[server(endpoint = "websites/delete", input = WireJson, output = WireJson)]
pub async fn delete_website(
    website_id: Uuid,
    confirm: String,
) -> Result<chrono::DateTime<chrono::Utc>, AppError> {
    let (member, mut tx) = super::ctx::member_tx(Role::can_delete_website, DELETE_ONLY).await?;
    let at = crate::db::website_lifecycle::delete(
        &mut tx,
        member.tenant_id,
        member.user_id,
        website_id,
        &confirm,
    )
    .await?;
    tx.commit().await?;
    Ok(at)
}
