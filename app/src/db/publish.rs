//! Publishing (schema reference Flow 3): freeze the website's current draft into an immutable deployment
//! and make it the live one.

use chrono::Utc;
use sqlx::FromRow;
use uuid::Uuid;

use super::{audit, builder, Tx};
use crate::error::AppError;
use crate::model::{
    Branding, ComponentKind, PageConfig, Published, Snapshot, SnapshotComponent, SnapshotPage,
};

#[derive(FromRow)]
struct SiteRow {
    name: String,
    subdomain: Option<String>,
    branding_config: serde_json::Value,
    seo_defaults: serde_json::Value,
    favicon_url: Option<String>,
}

#[derive(FromRow)]
struct PageRow {
    id: Uuid,
    title: String,
    slug: String,
    seo_meta: serde_json::Value,
    show_in_nav: bool,
    nav_label: Option<String>,
    password_protected: bool,
    password_hash: Option<String>,
    page_config: serde_json::Value,
}

#[derive(FromRow)]
struct BlockRow {
    id: Uuid,
    page_id: Uuid,
    #[sqlx(rename = "type")]
    kind: String,
    props: serde_json::Value,
}

/// Builds the snapshot from the draft: pages that are not drafts, and their visible blocks
/// in order. Hidden blocks are left out, so the snapshot holds only what visitors see.
async fn build_snapshot(
    tx: &mut Tx,
    website_id: Uuid,
) -> Result<(Snapshot, Option<String>), AppError> {
    let site = sqlx::query_as::<_, SiteRow>(
        "SELECT name, subdomain, branding_config, seo_defaults, favicon_url FROM websites WHERE id = $1",
    )
    .bind(website_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(|| AppError::NotFound("Website".into()))?;
    let pages = sqlx::query_as::<_, PageRow>(
        // A `hidden` page is published but kept out of the navigation (schema reference §8): the snapshot
        // records that as `show_in_nav = false`, so it stays reachable by its URL only.
        r#"SELECT id, title, slug, seo_meta, show_in_nav AND status <> 'hidden' AS show_in_nav, nav_label,
                  password_protected, password_hash, page_config FROM pages
           WHERE website_id = $1 AND status <> 'draft'
           ORDER BY is_home DESC, nav_order, title"#,
    )
    .bind(website_id)
    .fetch_all(&mut **tx)
    .await?;
    let blocks = sqlx::query_as::<_, BlockRow>(
        r#"SELECT c.id, c.page_id, c.type, c.props FROM components c
           JOIN pages p ON p.id = c.page_id
           WHERE p.website_id = $1 AND p.status <> 'draft' AND c.is_visible
           ORDER BY c.page_id, c.order_key"#,
    )
    .bind(website_id)
    .fetch_all(&mut **tx)
    .await?;
    let pages = pages
        .into_iter()
        .map(|p| SnapshotPage {
            components: blocks
                .iter()
                .filter(|b| b.page_id == p.id)
                .filter_map(|b| {
                    ComponentKind::parse(&b.kind).map(|kind| SnapshotComponent {
                        id: b.id,
                        kind,
                        props: b.props.clone(),
                        is_visible: true,
                    })
                })
                .collect(),
            id: p.id,
            title: p.title,
            slug: p.slug,
            seo_meta: p.seo_meta,
            show_in_nav: p.show_in_nav,
            nav_label: p.nav_label,
            // A protected page without a hash stays protected (and cannot be unlocked) rather
            // than turning public.
            password_protected: p.password_protected || p.password_hash.is_some(),
            password_hash: p.password_hash,
            page_config: serde_json::from_value::<PageConfig>(p.page_config)
                .ok()
                .and_then(|c| c.parse().ok())
                .unwrap_or_default(),
        })
        .collect();
    let snapshot = Snapshot {
        website_id,
        website_name: site.name,
        published_at: Utc::now(),
        branding: serde_json::from_value::<Branding>(site.branding_config).unwrap_or_default(),
        seo_defaults: site.seo_defaults,
        favicon_url: site.favicon_url,
        pages,
    };
    Ok((snapshot, site.subdomain))
}

/// [`publish_with_notes`] without notes (sign-up's demo data, tests).
pub async fn publish(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Uuid,
    website_id: Uuid,
) -> Result<Published, AppError> {
    publish_with_notes(tx, tenant_id, user_id, website_id, None).await
}

/// Publishes the draft as a new live deployment; `notes` must already be parsed
/// (`model::parse_deployment_notes`).
#[tracing::instrument(skip(tx, notes))]
pub async fn publish_with_notes(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Uuid,
    website_id: Uuid,
    notes: Option<&str>,
) -> Result<Published, AppError> {
    // Lock the website row so two publishes of one site run one after the other.
    let status: Option<String> = sqlx::query_scalar(
        "SELECT status FROM websites WHERE id = $1 AND deleted_at IS NULL FOR UPDATE",
    )
    .bind(website_id)
    .fetch_optional(&mut **tx)
    .await?;
    match status.as_deref() {
        None => return Err(AppError::NotFound("Website".into())),
        Some("suspended") => {
            return Err(AppError::forbidden(
                "This website is suspended and cannot be published.",
            ))
        }
        Some("archived") => {
            return Err(AppError::forbidden(
                "Restore this website before publishing it.",
            ))
        }
        Some(_) => {}
    }
    let (snapshot, subdomain) = build_snapshot(tx, website_id).await?;
    if snapshot.page("/").is_none() {
        return Err(AppError::invalid(
            "pages",
            "Publish needs a home page that is not a draft.",
        ));
    }
    let page_ids: Vec<Uuid> = snapshot.pages.iter().map(|p| p.id).collect();
    let snapshot_json = serde_json::to_value(&snapshot).map_err(|_| AppError::Internal)?;

    sqlx::query("UPDATE deployments SET is_live = false WHERE website_id = $1 AND is_live")
        .bind(website_id)
        .execute(&mut **tx)
        .await?;
    let deployment_id: Uuid = sqlx::query_scalar(
        r#"INSERT INTO deployments (tenant_id, website_id, deployed_by, snapshot_json, is_live, notes)
           VALUES ($1, $2, $3, $4, true, $5) RETURNING id"#,
    )
    .bind(tenant_id)
    .bind(website_id)
    .bind(user_id)
    .bind(&snapshot_json)
    .bind(notes)
    .fetch_one(&mut **tx)
    .await?;
    super::assets::record_publication(tx, tenant_id, deployment_id, &snapshot_json.to_string())
        .await?;
    sqlx::query(
        r#"UPDATE websites SET status = 'published', published_at = COALESCE(published_at, now()),
                  last_deployed_at = now()
           WHERE id = $1"#,
    )
    .bind(website_id)
    .execute(&mut **tx)
    .await?;
    for page_id in &page_ids {
        builder::record_version(
            tx,
            tenant_id,
            *page_id,
            Some(user_id),
            "pre_publish",
            Some("Published".into()),
        )
        .await?;
    }
    audit(
        tx,
        tenant_id,
        Some(user_id),
        "website.published",
        ("website", website_id),
        serde_json::json!({ "deployment_id": deployment_id, "pages_count": page_ids.len() }),
    )
    .await?;
    super::assets::sync_usage(tx, tenant_id, website_id).await?;
    super::webhooks::emit(
        tx,
        website_id,
        "site.published",
        None,
        serde_json::json!({
            "deployment_id": deployment_id,
            "pages": page_ids.len(),
            "notes": notes,
        }),
    )
    .await?;
    Ok(Published {
        deployment_id,
        pages: page_ids.len(),
        site_path: format!("/sites/{}/", subdomain.unwrap_or_default()),
    })
}
