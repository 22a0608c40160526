//! The pages of a website (schema reference §8): list, create (within the plan's page limit), change
//! settings, navigation order, home page, password, delete.
//!
//! Concurrency: page *settings* are guarded by `pages.settings_revision` (migration 0011).
//! Every change names the settings revision it was based on and bumps it on every page row it
//! writes; a stale one gets `Conflict`. `pages.revision` is left alone: it guards the page's
//! blocks, and bumping it here would make the builder tab that renamed its own page fail its
//! next block edit as "changed elsewhere" although no block changed.

use sqlx::FromRow;
use uuid::Uuid;

use super::{audit, Tx};
// Navigation order and the home page live in `page_order`; callers find them here.
pub use super::page_order::{move_in_nav, set_home};
use crate::error::AppError;
use crate::model::{
    parse_nav_label, parse_page_title, PageConfig, PageInfo, PagePatch, PageSlug, PageStatus,
    PagesOverview, SeoMeta,
};

/// Never includes `password_hash`: page rows read here may be sent to the browser.
const COLUMNS: &str = "id, title, slug, status, is_home, show_in_nav, nav_order, nav_label, \
                       password_protected, seo_meta, page_config, settings_revision";

#[derive(FromRow)]
pub(super) struct PageRow {
    id: Uuid,
    title: String,
    pub(super) slug: String,
    status: String,
    pub(super) is_home: bool,
    show_in_nav: bool,
    nav_order: i32,
    nav_label: Option<String>,
    password_protected: bool,
    seo_meta: serde_json::Value,
    page_config: serde_json::Value,
    settings_revision: i64,
}

impl PageRow {
    fn into_info(self) -> PageInfo {
        // Stored JSON was checked on the way in; rows written by other tools may still hold
        // something else, which reads as the defaults rather than failing the whole list.
        let seo_meta = serde_json::from_value(self.seo_meta).unwrap_or_else(|e| {
            tracing::warn!(page = %self.id, error = %e, "stored seo_meta does not parse");
            SeoMeta::default()
        });
        let page_config = serde_json::from_value(self.page_config).unwrap_or_else(|e| {
            tracing::warn!(page = %self.id, error = %e, "stored page_config does not parse");
            PageConfig::default()
        });
        PageInfo {
            id: self.id,
            title: self.title,
            slug: self.slug,
            // The CHECK constraint allows only the three statuses.
            status: PageStatus::parse(&self.status).unwrap_or(PageStatus::Draft),
            is_home: self.is_home,
            show_in_nav: self.show_in_nav,
            nav_order: self.nav_order,
            nav_label: self.nav_label,
            password_protected: self.password_protected,
            seo_meta,
            page_config,
            settings_revision: self.settings_revision,
        }
    }
}

pub(super) fn page_not_found() -> AppError {
    AppError::NotFound("Page".into())
}

fn website_not_found() -> AppError {
    AppError::NotFound("Website".into())
}

/// The tenant's plan: name and pages allowed per website.
async fn plan_pages(tx: &mut Tx, tenant_id: Uuid) -> Result<(String, i64), AppError> {
    let row: Option<(String, i32)> = sqlx::query_as(
        "SELECT p.name, p.max_pages_per_site FROM tenants t JOIN plans p ON p.id = t.plan_id WHERE t.id = $1",
    )
    .bind(tenant_id)
    .fetch_optional(&mut **tx)
    .await?;
    let (name, max) = row.ok_or_else(|| {
        tracing::error!(tenant = %tenant_id, "tenant has no plan row");
        AppError::Internal
    })?;
    Ok((name, i64::from(max)))
}

/// The website's pages in navigation order, with the plan's limit. RLS hides other tenants'
/// websites, so theirs are `NotFound` like missing ones.
pub async fn overview(
    tx: &mut Tx,
    tenant_id: Uuid,
    website_id: Uuid,
) -> Result<PagesOverview, AppError> {
    super::websites::require(tx, website_id).await?;
    let sql = format!(
        "SELECT {COLUMNS} FROM pages WHERE website_id = $1 ORDER BY nav_order, created_at, id"
    );
    let pages = sqlx::query_as::<_, PageRow>(&sql)
        .bind(website_id)
        .fetch_all(&mut **tx)
        .await?;
    let (plan_name, max_pages) = plan_pages(tx, tenant_id).await?;
    Ok(PagesOverview {
        website_id,
        pages: pages.into_iter().map(PageRow::into_info).collect(),
        max_pages,
        plan_name,
    })
}

/// Whether another page of the website already has `slug`.
async fn slug_taken(
    tx: &mut Tx,
    website_id: Uuid,
    slug: &str,
    except: Option<Uuid>,
) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM pages WHERE website_id = $1 AND slug = $2 AND ($3::uuid IS NULL OR id <> $3))",
    )
    .bind(website_id)
    .bind(slug)
    .bind(except)
    .fetch_one(&mut **tx)
    .await?)
}

fn slug_in_use(slug: &str) -> AppError {
    AppError::invalid(
        "slug",
        format!("Another page already uses {slug}. Choose a different address."),
    )
}

/// Creates a draft page at the end of the navigation, with a navbar and footer like the home
/// page's and a heading with the page title. Refused past the plan's page limit.
pub async fn create(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Uuid,
    website_id: Uuid,
    title: &str,
    slug: &str,
) -> Result<Uuid, AppError> {
    create_with(tx, tenant_id, user_id, website_id, title, slug, None).await
}

/// [`create`] with the given (checked) blocks instead of the starter blocks: a page written
/// by the AI assistant (`generate_page`).
pub async fn create_with(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Uuid,
    website_id: Uuid,
    title: &str,
    slug: &str,
    blocks: Option<Vec<crate::model::ValidBlock>>,
) -> Result<Uuid, AppError> {
    let title = parse_page_title(title)?;
    let slug = PageSlug::parse(slug)?;
    // Locking the website row makes concurrent creates count one after the other, so two
    // requests cannot both take the last free page.
    let locked: Option<Uuid> =
        sqlx::query_scalar("SELECT id FROM websites WHERE id = $1 FOR UPDATE")
            .bind(website_id)
            .fetch_optional(&mut **tx)
            .await?;
    locked.ok_or_else(website_not_found)?;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM pages WHERE website_id = $1")
        .bind(website_id)
        .fetch_one(&mut **tx)
        .await?;
    super::limits::check_pages(tx, tenant_id, count).await?;
    if slug_taken(tx, website_id, slug.as_str(), None).await? {
        return Err(slug_in_use(slug.as_str()));
    }
    let page_id: Uuid = sqlx::query_scalar(
        r#"INSERT INTO pages (tenant_id, website_id, title, slug, status, is_home, nav_order)
           VALUES ($1, $2, $3, $4, 'draft', false,
                   (SELECT COALESCE(max(nav_order) + 1, 0) FROM pages WHERE website_id = $2))
           RETURNING id"#,
    )
    .bind(tenant_id)
    .bind(website_id)
    .bind(&title)
    .bind(slug.as_str())
    .fetch_one(&mut **tx)
    .await?;
    match blocks {
        None => {
            super::page_blocks::insert_starter_blocks(tx, tenant_id, website_id, page_id, &title)
                .await?
        }
        Some(blocks) => {
            let page = crate::model::ValidPage {
                title: title.clone(),
                slug: slug.as_str().to_string(),
                status: crate::model::PageStatus::Draft,
                show_in_nav: true,
                nav_label: None,
                seo: Default::default(),
                page_config: Default::default(),
                blocks,
            };
            super::backup::insert_blocks(tx, tenant_id, &[(page_id, &page)], &[]).await?;
        }
    }
    let meta = serde_json::json!({ "title": title, "slug": slug.as_str() });
    audit(
        tx,
        tenant_id,
        Some(user_id),
        "page.created",
        ("page", page_id),
        meta,
    )
    .await?;
    Ok(page_id)
}

/// The row of `page_id`, locked, if its settings are still at `base`.
pub(super) async fn lock_page(
    tx: &mut Tx,
    page_id: Uuid,
    base: i64,
) -> Result<(PageRow, Uuid), AppError> {
    let sql = format!("SELECT {COLUMNS}, website_id FROM pages WHERE id = $1 FOR UPDATE");
    let row = sqlx::query(&sql)
        .bind(page_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(page_not_found)?;
    let page = PageRow::from_row(&row)?;
    let website_id: Uuid = sqlx::Row::try_get(&row, "website_id")?;
    if page.settings_revision != base {
        return Err(AppError::Conflict {
            current_revision: page.settings_revision,
        });
    }
    Ok((page, website_id))
}

/// Applies `patch` to the page's settings in one statement; returns the website id.
pub async fn update(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Uuid,
    page_id: Uuid,
    base: i64,
    patch: PagePatch,
) -> Result<Uuid, AppError> {
    let (page, website_id) = lock_page(tx, page_id, base).await?;
    let mut changed: Vec<&str> = Vec::new();
    let mut mark = |name: &'static str, differs: bool| {
        if differs {
            changed.push(name);
        }
    };
    let title = match patch.title {
        Some(t) => parse_page_title(&t)?,
        None => page.title.clone(),
    };
    mark("title", title != page.title);
    let slug = match patch.slug {
        Some(s) if page.is_home => {
            if s.trim() != "/" {
                return Err(AppError::invalid(
                    "slug",
                    "The home page's address is always /. Make another page the home page first.",
                ));
            }
            page.slug.clone()
        }
        Some(s) => PageSlug::parse(&s)?.as_str().to_string(),
        None => page.slug.clone(),
    };
    if slug != page.slug && slug_taken(tx, website_id, &slug, Some(page_id)).await? {
        return Err(slug_in_use(&slug));
    }
    mark("slug", slug != page.slug);
    let nav_label = match patch.nav_label {
        Some(l) => parse_nav_label(&l)?,
        None => page.nav_label.clone(),
    };
    mark("nav_label", nav_label != page.nav_label);
    let status = patch
        .status
        .unwrap_or(PageStatus::parse(&page.status).unwrap_or(PageStatus::Draft));
    mark("status", status.as_str() != page.status);
    let show_in_nav = patch.show_in_nav.unwrap_or(page.show_in_nav);
    mark("show_in_nav", show_in_nav != page.show_in_nav);
    let seo_meta = match patch.seo_meta {
        Some(s) => serde_json::to_value(s.parse()?).map_err(|_| AppError::Internal)?,
        None => page.seo_meta.clone(),
    };
    mark("seo_meta", seo_meta != page.seo_meta);
    let page_config = match patch.page_config {
        Some(c) => serde_json::to_value(c.parse()?).map_err(|_| AppError::Internal)?,
        None => page.page_config.clone(),
    };
    mark("page_config", page_config != page.page_config);
    if changed.is_empty() {
        return Ok(website_id);
    }
    sqlx::query(
        r#"UPDATE pages SET title = $2, slug = $3, nav_label = $4, status = $5, show_in_nav = $6,
                  seo_meta = $7, page_config = $8, settings_revision = settings_revision + 1
           WHERE id = $1"#,
    )
    .bind(page_id)
    .bind(&title)
    .bind(&slug)
    .bind(&nav_label)
    .bind(status.as_str())
    .bind(show_in_nav)
    .bind(&seo_meta)
    .bind(&page_config)
    .execute(&mut **tx)
    .await?;
    audit(
        tx,
        tenant_id,
        Some(user_id),
        "page.updated",
        ("page", page_id),
        serde_json::json!({ "changed": changed }),
    )
    .await?;
    super::webhooks::emit_page_updated(tx, page_id).await?;
    Ok(website_id)
}

/// Sets (`Some(hash)`) or removes (`None`) the visitor password. Only the argon2 hash is stored.
pub async fn set_password(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Uuid,
    page_id: Uuid,
    base: i64,
    hash: Option<String>,
) -> Result<Uuid, AppError> {
    let (_, website_id) = lock_page(tx, page_id, base).await?;
    sqlx::query(
        r#"UPDATE pages SET password_protected = $2, password_hash = $3, settings_revision = settings_revision + 1
           WHERE id = $1"#,
    )
    .bind(page_id)
    .bind(hash.is_some())
    .bind(&hash)
    .execute(&mut **tx)
    .await?;
    let action = if hash.is_some() {
        "page.password_set"
    } else {
        "page.password_removed"
    };
    audit(
        tx,
        tenant_id,
        Some(user_id),
        action,
        ("page", page_id),
        serde_json::json!({}),
    )
    .await?;
    Ok(website_id)
}

/// Deletes a page that is not the home page (its blocks and versions go with it). The live
/// site keeps it until the next publish. A page holding locked blocks is deleted only by a
/// role that may change locked blocks (owners and admins): deleting the page would delete them.
pub async fn delete(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Uuid,
    role: crate::model::Role,
    page_id: Uuid,
    base: i64,
) -> Result<Uuid, AppError> {
    let (page, website_id) = lock_page(tx, page_id, base).await?;
    if page.is_home {
        return Err(AppError::invalid(
            "page",
            "The home page cannot be deleted. Make another page the home page first, then delete this one.",
        ));
    }
    if !role.can_edit_locked() {
        let locked: i64 =
            sqlx::query_scalar("SELECT count(*) FROM components WHERE page_id = $1 AND is_locked")
                .bind(page_id)
                .fetch_one(&mut **tx)
                .await?;
        if locked > 0 {
            return Err(AppError::forbidden(
                "This page has locked blocks. Only owners and admins can delete it.",
            ));
        }
    }
    sqlx::query("DELETE FROM pages WHERE id = $1")
        .bind(page_id)
        .execute(&mut **tx)
        .await?;
    let meta = serde_json::json!({ "title": page.title, "slug": page.slug });
    audit(
        tx,
        tenant_id,
        Some(user_id),
        "page.deleted",
        ("page", page_id),
        meta,
    )
    .await?;
    Ok(website_id)
}

/// The website a page of the tenant belongs to (`NotFound` for another tenant's page).
pub async fn website_of(tx: &mut Tx, page_id: Uuid) -> Result<Uuid, AppError> {
    sqlx::query_scalar("SELECT website_id FROM pages WHERE id = $1")
        .bind(page_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(page_not_found)
}
