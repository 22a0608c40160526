//! The blocks a page created in the Pages panel starts with: the home page's navbar and
//! footer (so the new page looks like part of the same site), a heading with the page title
//! and a text section to replace. [`fill_empty_page`] also fills sign-up's home page.

use fractional_index::FractionalIndex;
use uuid::Uuid;

use super::Tx;
use crate::error::AppError;
use crate::model::{BlockProps, ComponentKind, HeroProps};

/// The home page's first navbar and last footer as (type, props), when it has them.
async fn home_frame(
    tx: &mut Tx,
    website_id: Uuid,
) -> Result<(Option<serde_json::Value>, Option<serde_json::Value>), AppError> {
    let rows: Vec<(String, serde_json::Value)> = sqlx::query_as(
        r#"SELECT c.type, c.props FROM components c JOIN pages p ON p.id = c.page_id
           WHERE p.website_id = $1 AND p.is_home AND c.type IN ('navbar', 'footer')
           ORDER BY c.order_key"#,
    )
    .bind(website_id)
    .fetch_all(&mut **tx)
    .await?;
    let navbar = rows.iter().find(|r| r.0 == "navbar").map(|r| r.1.clone());
    let footer = rows
        .iter()
        .rev()
        .find(|r| r.0 == "footer")
        .map(|r| r.1.clone());
    Ok((navbar, footer))
}

/// Props of `kind` from the home page if they still parse as that kind, else the starter.
fn reuse(kind: ComponentKind, props: Option<serde_json::Value>) -> BlockProps {
    props
        .and_then(|p| BlockProps::from_parts(kind.as_str(), p).ok())
        .unwrap_or_else(|| BlockProps::starter(kind))
}

pub async fn insert_starter_blocks(
    tx: &mut Tx,
    tenant_id: Uuid,
    website_id: Uuid,
    page_id: Uuid,
    title: &str,
) -> Result<(), AppError> {
    let (navbar, footer) = home_frame(tx, website_id).await?;
    let hero = HeroProps {
        heading: title.to_string(),
        subheading: "Tell visitors what this page is about.".into(),
        cta_primary_label: String::new(),
        cta_secondary_label: String::new(),
        min_height: "40vh".into(),
        ..HeroProps::default()
    };
    let blocks = [
        reuse(ComponentKind::Navbar, navbar),
        BlockProps::Hero(hero),
        BlockProps::starter(ComponentKind::RichText),
        reuse(ComponentKind::Footer, footer),
    ];
    fill_empty_page(tx, tenant_id, page_id, blocks).await
}

/// Inserts `blocks` in order on a page that has none yet (a new page, or sign-up's home page).
pub async fn fill_empty_page(
    tx: &mut Tx,
    tenant_id: Uuid,
    page_id: Uuid,
    blocks: impl IntoIterator<Item = BlockProps>,
) -> Result<(), AppError> {
    let mut key = FractionalIndex::default();
    for block in blocks {
        sqlx::query(
            r#"INSERT INTO components (tenant_id, page_id, type, order_key, props)
               VALUES ($1, $2, $3, $4, $5)"#,
        )
        .bind(tenant_id)
        .bind(page_id)
        .bind(block.kind().as_str())
        .bind(key.as_bytes())
        .bind(block.props_json())
        .execute(&mut **tx)
        .await?;
        key = FractionalIndex::new_after(&key);
    }
    Ok(())
}
