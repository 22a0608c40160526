//! The text block's safe markup through the builder's server functions: a body linking to a
//! script address is refused with nothing saved; good markup is published as real elements.

use crate::common::*;
use app::error::AppError;
use app::model::{BlockProps, ComponentKind, Published, SaveAck};
use serde_json::json;

#[tokio::test]
async fn a_javascript_link_is_refused_and_good_markup_reaches_visitors_as_elements() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Rich Text Co").await;
    let cookie = cookie_for(&a);
    let page = load_page(&router, &cookie, a.home_page_id).await;
    let added = insert(
        &router,
        &cookie,
        page.page_id,
        BlockProps::starter(ComponentKind::RichText),
        Some(page.components[1].id),
        page.revision,
    )
    .await
    .ok();
    let id = added.component.id;
    let before = load_page(&router, &cookie, a.home_page_id).await;

    for body in [
        "Hello [click me](javascript:alert(document.cookie))",
        "**[x](JaVaScRiPt:alert(1))**",
        "- [x](data:text/html;base64,PHNjcmlwdD4=)",
    ] {
        let mut block = added.component.block.clone();
        assert!(block.set_text("body", body.into()));
        let err = call_json(&router, "/api/builder/update", Some(&cookie),
            json!({ "page_id": page.page_id, "component_id": id, "block": block, "base_revision": added.revision })).await.error();
        assert!(
            matches!(&err, AppError::Invalid { field, .. } if field == "body"),
            "{body}: {err:?}"
        );
    }
    assert_eq!(
        load_page(&router, &cookie, a.home_page_id).await,
        before,
        "nothing saved"
    );

    let body = "## Opening hours\n\nWe bake **every day**. See [the menu](/menu).\n\n- Bread\n- Cakes\n\n<script>alert(1)</script>";
    let mut block = added.component.block.clone();
    assert!(block.set_text("body", body.into()));
    let _: SaveAck = call_json(&router, "/api/builder/update", Some(&cookie),
        json!({ "page_id": page.page_id, "component_id": id, "block": block, "base_revision": added.revision })).await.json();
    let saved = load_page(&router, &cookie, a.home_page_id).await;
    let stored = saved
        .components
        .iter()
        .find(|c| c.id == id)
        .map(|c| c.block.clone());
    assert!(
        matches!(stored, Some(BlockProps::RichText(p)) if p.body == body),
        "stored as written"
    );

    let _: Published = call_json(
        &router,
        "/api/websites/publish",
        Some(&cookie),
        json!({ "website_id": a.website_id }),
    )
    .await
    .json();
    let html = get(&router, &format!("{}.localhost", a.subdomain), "/")
        .await
        .text()
        .replace("<!>", "");
    for part in [
        "<h3>Opening hours</h3>",
        "<strong>every day</strong>",
        "<a href=\"/menu\">the menu</a>",
        "<li>Bread</li><li>Cakes</li>",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
    ] {
        assert!(html.contains(part), "lacks {part}: {html}");
    }
    assert!(!html.contains("<script>alert"), "no raw HTML from the body");
}
