//! Website backups (issue 20): building the export document from the draft tables, and
//! importing a checked document as a new website in the caller's transaction.

use chrono::Utc;
use fractional_index::FractionalIndex;
use sqlx::FromRow;
use uuid::Uuid;

use super::{audit, limits, Tx};
use crate::error::AppError;
use crate::model::{
    BackupBlock, BackupGlobalBlock, BackupPage, BackupWebsite, BlockProps, Branding, PageConfig,
    SeoMeta, SiteBackup, ValidGlobalBlock, ValidPage, ValidSite, BACKUP_FORMAT, BACKUP_VERSION,
};

#[derive(FromRow)]
struct SiteRow {
    name: String,
    branding_config: serde_json::Value,
    seo_defaults: serde_json::Value,
}

#[derive(FromRow)]
struct PageRow {
    id: Uuid,
    title: String,
    slug: String,
    status: String,
    show_in_nav: bool,
    nav_label: Option<String>,
    password_protected: bool,
    seo_meta: serde_json::Value,
    page_config: serde_json::Value,
}

#[derive(FromRow)]
struct BlockRow {
    page_id: Uuid,
    #[sqlx(rename = "type")]
    kind: String,
    props: serde_json::Value,
    is_visible: bool,
    is_locked: bool,
    global_name: Option<String>,
}

#[derive(FromRow)]
struct GlobalRow {
    name: String,
    component_type: String,
    props: serde_json::Value,
}

/// A block's props in their normal form, or as stored when they no longer parse.
fn normal_props(kind: &str, props: serde_json::Value) -> serde_json::Value {
    BlockProps::from_parts(kind, props.clone())
        .map(|p| p.props_json())
        .unwrap_or(props)
}

/// Stored JSON in its normal form (what an import would store), or as stored when it no
/// longer parses, so an export never loses data and a round trip compares equal.
fn normal<T: serde::Serialize + serde::de::DeserializeOwned>(
    v: serde_json::Value,
    parse: impl Fn(T) -> Result<T, AppError>,
) -> serde_json::Value {
    serde_json::from_value::<T>(v.clone())
        .ok()
        .and_then(|t| parse(t).ok())
        .and_then(|t| serde_json::to_value(t).ok())
        .unwrap_or(v)
}

/// The website's draft content as a backup document. RLS hides other tenants' websites.
#[tracing::instrument(skip(tx))]
pub async fn export(tx: &mut Tx, website_id: Uuid) -> Result<SiteBackup, AppError> {
    let site = sqlx::query_as::<_, SiteRow>(
        "SELECT name, branding_config, seo_defaults FROM websites WHERE id = $1",
    )
    .bind(website_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| AppError::NotFound("Website".into()))?;
    let pages = sqlx::query_as::<_, PageRow>(
        r#"SELECT id, title, slug, status, show_in_nav, nav_label, password_protected, seo_meta, page_config
           FROM pages WHERE website_id = $1 ORDER BY is_home DESC, nav_order, title, id"#,
    )
    .bind(website_id)
    .fetch_all(&mut **tx)
    .await?;
    let blocks = sqlx::query_as::<_, BlockRow>(
        r#"SELECT c.page_id, c.type, c.props, c.is_visible, c.is_locked, g.name AS global_name
           FROM components c
           JOIN pages p ON p.id = c.page_id
           LEFT JOIN global_blocks g ON g.id = c.global_block_id
           WHERE p.website_id = $1 ORDER BY c.page_id, c.order_key"#,
    )
    .bind(website_id)
    .fetch_all(&mut **tx)
    .await?;
    let global_blocks = sqlx::query_as::<_, GlobalRow>(
        r#"SELECT g.name, g.component_type, g.props FROM global_blocks g
           WHERE EXISTS (SELECT 1 FROM components c JOIN pages p ON p.id = c.page_id
                         WHERE c.global_block_id = g.id AND p.website_id = $1)
           ORDER BY g.name"#,
    )
    .bind(website_id)
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(|g| BackupGlobalBlock {
        props: normal_props(&g.component_type, g.props),
        name: g.name,
        kind: g.component_type,
    })
    .collect();
    let mut by_page: std::collections::HashMap<Uuid, Vec<BackupBlock>> = Default::default();
    for b in blocks {
        by_page.entry(b.page_id).or_default().push(BackupBlock {
            props: normal_props(&b.kind, b.props),
            kind: b.kind,
            visible: b.is_visible,
            locked: b.is_locked,
            global: b.global_name,
        });
    }
    let branding: Branding =
        serde_json::from_value(site.branding_config.clone()).unwrap_or_default();
    let pages: Vec<BackupPage> = pages
        .into_iter()
        .map(|p| BackupPage {
            blocks: by_page.remove(&p.id).unwrap_or_default(),
            title: p.title,
            slug: p.slug,
            status: p.status,
            show_in_nav: p.show_in_nav,
            nav_label: p.nav_label,
            password_protected: p.password_protected,
            seo: normal::<SeoMeta>(p.seo_meta, SeoMeta::parse),
            page_config: normal::<PageConfig>(p.page_config, PageConfig::parse),
        })
        .collect();
    let assets = SiteBackup::asset_manifest(&branding, pages.iter().flat_map(|p| &p.blocks));
    Ok(SiteBackup {
        format: BACKUP_FORMAT.into(),
        version: BACKUP_VERSION,
        exported_at: Utc::now(),
        website: BackupWebsite {
            name: site.name,
            branding: normal::<Branding>(site.branding_config, |b| b.validate().map(|_| b)),
            seo_defaults: site.seo_defaults,
        },
        pages,
        assets,
        global_blocks,
    })
}

/// Writes a checked backup as a new website at `subdomain` (already parsed), within the
/// plan's website, page and custom-HTML limits. Everything happens in the caller's
/// transaction: on any error nothing is kept.
#[tracing::instrument(skip(tx, site))]
pub async fn import(
    tx: &mut Tx,
    tenant: Uuid,
    user: Uuid,
    site: &ValidSite,
    subdomain: &str,
) -> Result<Uuid, AppError> {
    limits::check_websites(tx, tenant).await?;
    limits::check_pages(tx, tenant, site.pages.len() as i64 - 1).await?;
    if site.uses_custom_html() {
        limits::check_custom_html(tx, tenant).await?;
    }
    let branding = serde_json::to_value(&site.branding).map_err(|_| AppError::Internal)?;
    let id: Option<Uuid> = sqlx::query_scalar(
        r#"INSERT INTO websites (tenant_id, name, subdomain, status, branding_config, seo_defaults)
           VALUES ($1, $2, $3, 'draft', $4, $5)
           ON CONFLICT (subdomain) DO NOTHING RETURNING id"#,
    )
    .bind(tenant)
    .bind(&site.name)
    .bind(subdomain)
    .bind(&branding)
    .bind(&site.seo_defaults)
    .fetch_optional(&mut **tx)
    .await?;
    let website = id.ok_or_else(|| {
        AppError::invalid(
            "subdomain",
            format!("The address {subdomain} is taken. Choose another."),
        )
    })?;
    let mut written = Vec::with_capacity(site.pages.len());
    for (order, p) in site.pages.iter().enumerate() {
        let page = insert_page(tx, tenant, website, order, p).await?;
        written.push((page, p));
    }
    let globals = link_global_blocks(tx, tenant, user, &site.global_blocks).await?;
    let blocks = insert_blocks(tx, tenant, &written, &globals).await?;
    audit(
        tx,
        tenant,
        Some(user),
        "website.imported",
        ("website", website),
        serde_json::json!({
            "subdomain": subdomain,
            "pages": site.pages.len(),
            "blocks": blocks,
        }),
    )
    .await?;
    Ok(website)
}

/// Inserts one page of a checked backup at navigation position `order`; returns its id.
pub(crate) async fn insert_page(
    tx: &mut Tx,
    tenant: Uuid,
    website: Uuid,
    order: usize,
    p: &ValidPage,
) -> Result<Uuid, AppError> {
    let seo = serde_json::to_value(&p.seo).map_err(|_| AppError::Internal)?;
    let config = serde_json::to_value(&p.page_config).map_err(|_| AppError::Internal)?;
    Ok(sqlx::query_scalar(
        r#"INSERT INTO pages (tenant_id, website_id, title, slug, status, is_home, show_in_nav,
                              nav_order, nav_label, seo_meta, page_config)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id"#,
    )
    .bind(tenant)
    .bind(website)
    .bind(&p.title)
    .bind(&p.slug)
    .bind(p.status.as_str())
    .bind(p.slug == "/")
    .bind(p.show_in_nav)
    .bind(order as i32)
    .bind(&p.nav_label)
    .bind(&seo)
    .bind(&config)
    .fetch_one(&mut **tx)
    .await?)
}

/// The tenant's global block for each of a backup's global blocks, in order: the one of the
/// same name when its type and content are the same, otherwise a new one, named
/// "Footer (2)", "Footer (3)"… when the name is taken by different content.
pub(crate) async fn link_global_blocks(
    tx: &mut Tx,
    tenant: Uuid,
    user: Uuid,
    globals: &[ValidGlobalBlock],
) -> Result<Vec<Uuid>, AppError> {
    let mut ids = Vec::with_capacity(globals.len());
    for g in globals {
        let kind = g.block.kind().as_str();
        let props = g.block.props_json();
        let mut found = None;
        for n in 1..=50 {
            let name = if n == 1 {
                g.name.clone()
            } else {
                let suffix = format!(" ({n})");
                let base: String = g.name.chars().take(80 - suffix.chars().count()).collect();
                format!("{}{suffix}", base.trim_end())
            };
            let existing: Option<(Uuid, String, serde_json::Value)> = sqlx::query_as(
                "SELECT id, component_type, props FROM global_blocks WHERE name = $1",
            )
            .bind(&name)
            .fetch_optional(&mut **tx)
            .await?;
            match existing {
                Some((id, k, p)) if k == kind && normal_props(&k, p.clone()) == props => {
                    found = Some(id);
                    break;
                }
                Some(_) => continue,
                None => {
                    let id: Uuid = sqlx::query_scalar(
                        r#"INSERT INTO global_blocks (tenant_id, name, component_type, props, created_by)
                           VALUES ($1, $2, $3, $4, $5) RETURNING id"#,
                    )
                    .bind(tenant)
                    .bind(&name)
                    .bind(kind)
                    .bind(&props)
                    .bind(user)
                    .fetch_one(&mut **tx)
                    .await?;
                    found = Some(id);
                    break;
                }
            }
        }
        ids.push(found.ok_or_else(|| {
            AppError::invalid(
                "global_blocks",
                format!(
                    "Global block “{}”: 50 global blocks with this name already exist. Rename some first.",
                    g.name
                ),
            )
        })?);
    }
    Ok(ids)
}

/// Inserts the blocks of every (page id, checked page) in one statement, in order, linking
/// uses of global blocks to `globals` (from [`link_global_blocks`]); returns how many.
pub(crate) async fn insert_blocks(
    tx: &mut Tx,
    tenant: Uuid,
    pages: &[(Uuid, &ValidPage)],
    globals: &[Uuid],
) -> Result<usize, AppError> {
    let (mut page_ids, mut kinds, mut keys, mut props, mut visible, mut locked, mut global) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    for (page, p) in pages {
        let mut key = FractionalIndex::default();
        for b in &p.blocks {
            page_ids.push(*page);
            kinds.push(b.block.kind().as_str().to_string());
            keys.push(key.as_bytes().to_vec());
            props.push(b.block.props_json());
            visible.push(b.visible);
            locked.push(b.locked);
            global.push(b.global.and_then(|i| globals.get(i).copied()));
            key = FractionalIndex::new_after(&key);
        }
    }
    sqlx::query(
        r#"INSERT INTO components (tenant_id, page_id, type, order_key, props, is_visible, is_locked, global_block_id)
           SELECT $1, * FROM UNNEST($2::uuid[], $3::text[], $4::bytea[], $5::jsonb[], $6::bool[], $7::bool[], $8::uuid[])"#,
    )
    .bind(tenant)
    .bind(&page_ids)
    .bind(&kinds)
    .bind(&keys)
    .bind(&props)
    .bind(&visible)
    .bind(&locked)
    .bind(&global)
    .execute(&mut **tx)
    .await?;
    Ok(page_ids.len())
}
