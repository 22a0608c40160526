//! Where a page sits: its place in the navigation and which page is the home page. Part of
//! the Pages panel's writes (see `pages` for the settings-revision rule they follow).

use uuid::Uuid;

use super::pages::{lock_page, page_not_found};
use super::{audit, Tx};
use crate::error::AppError;
use crate::model::{NavMove, PageSlug};

/// Moves the page one place up or down in the navigation. The website's pages are renumbered
/// 0..n in their current order first, so equal or sparse `nav_order` values move predictably.
pub async fn move_in_nav(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Uuid,
    page_id: Uuid,
    base: i64,
    step: NavMove,
) -> Result<Uuid, AppError> {
    let (_, website_id) = lock_page(tx, page_id, base).await?;
    let rows: Vec<(Uuid, i32)> = sqlx::query_as(
        "SELECT id, nav_order FROM pages WHERE website_id = $1 ORDER BY nav_order, created_at, id FOR UPDATE",
    )
    .bind(website_id)
    .fetch_all(&mut **tx)
    .await?;
    let mut ids: Vec<Uuid> = rows.iter().map(|r| r.0).collect();
    let from = ids
        .iter()
        .position(|id| *id == page_id)
        .ok_or_else(page_not_found)?;
    let to = match step {
        NavMove::Up => from.checked_sub(1),
        NavMove::Down => Some(from + 1).filter(|i| *i < ids.len()),
    };
    // Already first (or last): nothing to do.
    let Some(to) = to else { return Ok(website_id) };
    ids.swap(from, to);
    for (index, id) in ids.iter().enumerate() {
        let old = rows.iter().find(|r| r.0 == *id).map(|r| r.1);
        if old != Some(index as i32) {
            sqlx::query("UPDATE pages SET nav_order = $2, settings_revision = settings_revision + 1 WHERE id = $1")
                .bind(id)
                .bind(index as i32)
                .execute(&mut **tx)
                .await?;
        }
    }
    let meta = serde_json::json!({ "direction": step, "position": to });
    audit(
        tx,
        tenant_id,
        Some(user_id),
        "page.moved",
        ("page", page_id),
        meta,
    )
    .await?;
    Ok(website_id)
}

/// Makes the page the website's home page (schema reference §8: the home page is the one page at `/`).
/// The old home page first gets an address of its own, derived from its title and made
/// unique, then this page moves to `/`; both in the caller's transaction, so the UNIQUE and
/// CHECK constraints hold after every statement.
pub async fn set_home(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Uuid,
    page_id: Uuid,
    base: i64,
) -> Result<Uuid, AppError> {
    let (page, website_id) = lock_page(tx, page_id, base).await?;
    if page.is_home {
        return Ok(website_id);
    }
    let old: Option<(Uuid, String)> =
        sqlx::query_as("SELECT id, title FROM pages WHERE website_id = $1 AND is_home FOR UPDATE")
            .bind(website_id)
            .fetch_optional(&mut **tx)
            .await?;
    let mut old_home_slug = None;
    if let Some((old_id, old_title)) = old {
        let slug = free_slug(tx, website_id, &PageSlug::suggest(&old_title)).await?;
        sqlx::query(
            "UPDATE pages SET is_home = false, slug = $2, settings_revision = settings_revision + 1 WHERE id = $1",
        )
        .bind(old_id)
        .bind(&slug)
        .execute(&mut **tx)
        .await?;
        old_home_slug = Some((old_id, slug));
    }
    sqlx::query("UPDATE pages SET is_home = true, slug = '/', settings_revision = settings_revision + 1 WHERE id = $1")
        .bind(page_id)
        .execute(&mut **tx)
        .await?;
    let meta = serde_json::json!({
        "previous_slug": page.slug,
        "previous_home": old_home_slug.as_ref().map(|o| o.0),
        "previous_home_slug": old_home_slug.as_ref().map(|o| o.1.clone()),
    });
    audit(
        tx,
        tenant_id,
        Some(user_id),
        "page.home_changed",
        ("page", page_id),
        meta,
    )
    .await?;
    Ok(website_id)
}

/// `wanted`, or `wanted-2`, `wanted-3`, … — the first address no page of the website uses.
async fn free_slug(tx: &mut Tx, website_id: Uuid, wanted: &str) -> Result<String, AppError> {
    let taken: Vec<String> = sqlx::query_scalar("SELECT slug FROM pages WHERE website_id = $1")
        .bind(website_id)
        .fetch_all(&mut **tx)
        .await?;
    let mut candidate = wanted.to_string();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{wanted}-{n}");
        n += 1;
    }
    Ok(candidate)
}
