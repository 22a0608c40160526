//! Pages panel server functions: list, create, settings, navigation order, home page,
//! password and delete. Every member may list; changing pages needs `can_edit_content`
//! (owner, admin, editor, developer — schema reference §5: viewers are read-only). Each change returns
//! the website's pages afresh, since one change can touch several rows (home, order).

use super::wire::WireJson;
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::model::{parse_page_password, Role};
use crate::model::{NavMove, PageCreated, PagePatch, PagesOverview};

#[cfg(feature = "ssr")]
use super::ops::CANNOT_EDIT;

#[server(endpoint = "pages/list", input = WireJson, output = WireJson)]
pub async fn list_pages(website_id: Uuid) -> Result<PagesOverview, AppError> {
    let (member, mut tx) = super::ctx::member_tx(|_| true, "").await?;
    let overview = crate::db::pages::overview(&mut tx, member.tenant_id, website_id).await?;
    tx.commit().await?;
    Ok(overview)
}

#[server(endpoint = "pages/create", input = WireJson, output = WireJson)]
pub async fn create_page(
    website_id: Uuid,
    title: String,
    slug: String,
) -> Result<PageCreated, AppError> {
    let (m, mut tx) = super::ctx::member_tx(Role::can_edit_content, CANNOT_EDIT).await?;
    let created = super::ops::create_page(&mut tx, &(&m).into(), website_id, &title, &slug).await?;
    tx.commit().await?;
    Ok(created)
}

/// Title, address, status, navigation, SEO and layout; all checked before anything is saved.
#[server(endpoint = "pages/update", input = WireJson, output = WireJson)]
pub async fn update_page(
    page_id: Uuid,
    base_revision: i64,
    patch: PagePatch,
) -> Result<PagesOverview, AppError> {
    let (m, mut tx) = super::ctx::member_tx(Role::can_edit_content, CANNOT_EDIT).await?;
    let overview =
        super::ops::update_page(&mut tx, &(&m).into(), page_id, base_revision, patch).await?;
    tx.commit().await?;
    Ok(overview)
}

#[server(endpoint = "pages/move", input = WireJson, output = WireJson)]
pub async fn move_page(
    page_id: Uuid,
    base_revision: i64,
    step: NavMove,
) -> Result<PagesOverview, AppError> {
    let (m, mut tx) = super::ctx::member_tx(Role::can_edit_content, CANNOT_EDIT).await?;
    let overview =
        super::ops::move_page(&mut tx, &(&m).into(), page_id, base_revision, step).await?;
    tx.commit().await?;
    Ok(overview)
}

#[server(endpoint = "pages/set_home", input = WireJson, output = WireJson)]
pub async fn set_home_page(page_id: Uuid, base_revision: i64) -> Result<PagesOverview, AppError> {
    let (m, mut tx) = super::ctx::member_tx(Role::can_edit_content, CANNOT_EDIT).await?;
    let website =
        crate::db::pages::set_home(&mut tx, m.tenant_id, m.user_id, page_id, base_revision).await?;
    let overview = crate::db::pages::overview(&mut tx, m.tenant_id, website).await?;
    tx.commit().await?;
    Ok(overview)
}

/// `Some(password)` protects the page (stored as an argon2 hash), `None` removes protection.
#[server(endpoint = "pages/password", input = WireJson, output = WireJson)]
pub async fn set_page_password(
    page_id: Uuid,
    base_revision: i64,
    password: Option<String>,
) -> Result<PagesOverview, AppError> {
    let (m, mut tx) = super::ctx::member_tx(Role::can_edit_content, CANNOT_EDIT).await?;
    // Checked and hashed after the role check (no hashing work for refused callers) and
    // before the page row is locked (argon2 is slow on purpose).
    let hash = match password {
        Some(p) => Some(crate::db::accounts::hash_password(parse_page_password(&p)?).await?),
        None => None,
    };
    let website = crate::db::pages::set_password(
        &mut tx,
        m.tenant_id,
        m.user_id,
        page_id,
        base_revision,
        hash,
    )
    .await?;
    let overview = crate::db::pages::overview(&mut tx, m.tenant_id, website).await?;
    tx.commit().await?;
    Ok(overview)
}

#[server(endpoint = "pages/delete", input = WireJson, output = WireJson)]
pub async fn delete_page(page_id: Uuid, base_revision: i64) -> Result<PagesOverview, AppError> {
    let (m, mut tx) = super::ctx::member_tx(Role::can_edit_content, CANNOT_EDIT).await?;
    let overview = super::ops::delete_page(&mut tx, &(&m).into(), page_id, base_revision).await?;
    tx.commit().await?;
    Ok(overview)
}
