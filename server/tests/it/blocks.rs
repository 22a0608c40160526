//! All 22 component kinds through the builder's server functions: each can be added with its
//! starter content and have its heading edited; custom HTML is Pro only, enforced by the
//! server, and reaches visitors only inside a sandboxed iframe's `srcdoc`.

use crate::common::*;
use app::db::tenant_tx;
use app::error::AppError;
use app::model::{BlockProps, ComponentKind, Published, SaveAck};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

const PRO_ONLY: &str = "Custom HTML blocks are available on the Pro plan. Upgrade to use them.";

/// The typed plan-limit refusal for custom HTML, with the same message as before.
fn assert_pro_only(err: &AppError) {
    assert!(
        matches!(err, AppError::LimitReached { limit, upgrade_to: Some(plan), .. } if limit == "custom_html" && plan == "Pro"),
        "{err:?}"
    );
    assert_eq!(err.to_string(), PRO_ONLY);
}

async fn add(
    router: &axum::Router,
    cookie: &str,
    page: Uuid,
    kind: ComponentKind,
    after: Option<Uuid>,
    rev: i64,
) -> Inserted {
    insert(router, cookie, page, BlockProps::starter(kind), after, rev).await
}

async fn update(
    router: &axum::Router,
    cookie: &str,
    page: Uuid,
    id: Uuid,
    block: &BlockProps,
    rev: i64,
) -> Reply {
    call_json(
        router,
        "/api/builder/update",
        Some(cookie),
        json!({ "page_id": page, "component_id": id, "block": block, "base_revision": rev }),
    )
    .await
}

async fn custom_html_rows(pool: &PgPool, tenant: Uuid) -> i64 {
    let mut tx = tenant_tx(pool, tenant).await.expect("tx");
    sqlx::query_scalar("SELECT count(*) FROM components WHERE type = 'custom_html'")
        .fetch_one(&mut *tx)
        .await
        .expect("count")
}

#[tokio::test]
async fn every_kind_but_custom_html_can_be_added_and_its_heading_edited_on_starter() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "All Kinds Co").await;
    let cookie = cookie_for(&a);
    let page = load_page(&router, &cookie, a.home_page_id).await;
    let mut rev = page.revision;
    let mut after = page.components.last().map(|c| c.id);
    let mut added = Vec::new();

    for kind in ComponentKind::ALL
        .into_iter()
        .filter(|k| *k != ComponentKind::CustomHtml)
    {
        let new = add(&router, &cookie, page.page_id, kind, after, rev)
            .await
            .ok();
        assert_eq!(
            new.component.block,
            BlockProps::starter(kind),
            "{kind:?} starts with its starter content"
        );

        let mut block = new.component.block.clone();
        let heading = format!("{} heading, edited", kind.label());
        // The lead text: the heading, or a shop block's button label.
        let key = block.text_fields()[0].key;
        assert!(
            block.set_text(key, heading.clone()),
            "{kind:?} has a heading"
        );
        let reply = update(
            &router,
            &cookie,
            page.page_id,
            new.component.id,
            &block,
            new.revision,
        )
        .await;
        assert!(reply.status.is_success(), "{kind:?}: {}", reply.text());
        rev = reply.json::<SaveAck>().revision;
        after = Some(new.component.id);
        added.push((kind, new.component.id, heading));
    }
    assert_eq!(added.len(), ComponentKind::ALL.len() - 1);

    let reloaded = load_page(&router, &cookie, a.home_page_id).await;
    assert_eq!(reloaded.revision, rev);
    assert_eq!(
        reloaded.components.len(),
        page.components.len() + added.len()
    );
    // In the order they were added, after the sign-up blocks, each with its edited heading.
    let tail = &reloaded.components[page.components.len()..];
    for ((kind, id, heading), c) in added.iter().zip(tail) {
        assert_eq!((c.id, c.block.kind()), (*id, *kind));
        assert_eq!(&c.block.text_fields()[0].value, heading, "{kind:?}");
    }
}

#[tokio::test]
async fn custom_html_is_refused_on_starter_and_allowed_on_pro() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Html Shop").await;
    let cookie = cookie_for(&a);
    let page = load_page(&router, &cookie, a.home_page_id).await;
    let hero = page.components[1].id;

    let err = add(
        &router,
        &cookie,
        page.page_id,
        ComponentKind::CustomHtml,
        Some(hero),
        page.revision,
    )
    .await
    .error();
    assert_pro_only(&err);
    assert_eq!(
        err.to_string(),
        PRO_ONLY,
        "the editor's status line shows exactly this"
    );
    assert_eq!(
        load_page(&router, &cookie, a.home_page_id).await,
        page,
        "nothing inserted, revision unchanged"
    );
    assert_eq!(custom_html_rows(&pool, a.tenant_id).await, 0);

    set_plan(&pool, a.tenant_id, PRO).await;
    let new = add(
        &router,
        &cookie,
        page.page_id,
        ComponentKind::CustomHtml,
        Some(hero),
        page.revision,
    )
    .await
    .ok();
    assert_eq!(new.component.block.kind(), ComponentKind::CustomHtml);
    let mut block = new.component.block.clone();
    assert!(block.set_text("html", "<p>Opening hours widget</p>".into()));
    let ack: SaveAck = update(
        &router,
        &cookie,
        page.page_id,
        new.component.id,
        &block,
        new.revision,
    )
    .await
    .json();
    let reloaded = load_page(&router, &cookie, a.home_page_id).await;
    assert_eq!(
        reloaded.components[2].id, new.component.id,
        "placed after the hero"
    );
    assert_eq!(reloaded.components[2].block, block);

    // Back on Starter, the existing block can no longer be changed (deleting stays possible).
    set_plan(&pool, a.tenant_id, STARTER).await;
    block.set_text("html", "<p>Sneaky edit</p>".into());
    let err = update(
        &router,
        &cookie,
        page.page_id,
        new.component.id,
        &block,
        ack.revision,
    )
    .await
    .error();
    assert_pro_only(&err);
    assert_eq!(
        load_page(&router, &cookie, a.home_page_id).await.revision,
        ack.revision
    );
    let deleted: SaveAck = call_json(&router, "/api/builder/delete", Some(&cookie),
        json!({ "page_id": page.page_id, "component_id": new.component.id, "base_revision": ack.revision })).await.json();
    assert_eq!(deleted.revision, ack.revision + 1);
    assert_eq!(custom_html_rows(&pool, a.tenant_id).await, 0);
}

/// Escapes text the way a double-quoted HTML attribute needs.
fn attr_escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[tokio::test]
async fn published_custom_html_reaches_visitors_only_inside_the_sandboxed_srcdoc() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Pro Publisher").await;
    let cookie = cookie_for(&a);
    set_plan(&pool, a.tenant_id, PRO).await;
    let page = load_page(&router, &cookie, a.home_page_id).await;

    let new = add(
        &router,
        &cookie,
        page.page_id,
        ComponentKind::CustomHtml,
        Some(page.components[1].id),
        page.revision,
    )
    .await
    .ok();
    let raw = r#"<script>parent.document.body.dataset.pwned = "yes"</script><div class="tenant-widget">Hours & prices</div>"#;
    let mut block = new.component.block.clone();
    block.set_text("html", raw.into());
    let _: SaveAck = update(
        &router,
        &cookie,
        page.page_id,
        new.component.id,
        &block,
        new.revision,
    )
    .await
    .json();
    let _: Published = call_json(
        &router,
        "/api/websites/publish",
        Some(&cookie),
        json!({ "website_id": a.website_id }),
    )
    .await
    .json();

    for (host, path) in [
        (format!("{}.localhost:3000", a.subdomain), "/".to_string()),
        ("127.0.0.1:3000".into(), format!("/sites/{}/", a.subdomain)),
    ] {
        let html = get(&router, &host, &path).await.text();
        let escaped = attr_escaped(raw);
        let attribute = format!("srcdoc=\"{escaped}\"");
        assert_eq!(
            html.matches(&attribute).count(),
            1,
            "the HTML sits escaped in one srcdoc: {html}"
        );
        // The frame that carries it is sandboxed without same-origin access.
        let frame_start = html[..html.find(&attribute).expect("srcdoc")]
            .rfind("<iframe")
            .expect("inside an iframe");
        let frame = &html[frame_start
            ..html[frame_start..]
                .find('>')
                .map(|i| frame_start + i)
                .expect("tag end")];
        assert!(
            frame.contains("sandbox=\"allow-scripts\"") && frame.contains("title=\"Custom HTML\""),
            "{frame}"
        );
        assert!(!frame.contains("allow-same-origin"));
        // Outside that attribute, none of it is live markup.
        let rest = html.replacen(&attribute, "", 1);
        assert!(
            !rest.contains("tenant-widget") && !rest.contains("pwned"),
            "{rest}"
        );
        // The only scripts are the same-origin analytics beacon and JSON-LD data blocks,
        // which browsers never run.
        let scripts = html
            .replace(r#"<script src="/_sp/beacon.js" defer></script>"#, "")
            .replace("<script type=\"application/ld+json\">", "");
        assert!(
            !scripts.contains("<script") && !html.contains("<div class=\"tenant-widget\""),
            "{html}"
        );
    }
}
