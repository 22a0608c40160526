//! Global blocks (issue 20 §2) and pasting copied blocks (issue 20 §3): an edit reaches every
//! use's draft at once and the live site only on publish; detaching leaves a plain copy;
//! deleting a used global block is refused with the uses; a pasted payload is validated again.

use crate::common::*;
use app::error::AppError;
use app::model::{
    clipboard_payload, BlockPlaced, BlockProps, BuilderData, ComponentKind, GlobalBlock,
    GlobalBlockCreated, GlobalBlockSaved, GlobalBlockUses, PageCreated, SaveAck,
};
use axum::Router;
use serde_json::json;
use uuid::Uuid;

fn footer_of(d: &BuilderData) -> &app::model::ComponentDto {
    d.components
        .iter()
        .rev()
        .find(|c| c.block.kind() == ComponentKind::Footer)
        .expect("a footer")
}

fn tagline(b: &BlockProps) -> String {
    b.props_json()["tagline"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn new_page(router: &Router, cookie: &str, website: Uuid, title: &str, slug: &str) -> Uuid {
    let r = call_json(
        router,
        "/api/pages/create",
        Some(cookie),
        json!({ "website_id": website, "title": title, "slug": slug }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let id = r.json::<PageCreated>().id;
    let rev = load_page(router, cookie, id).await.revision;
    let r = call_json(
        router,
        "/api/pages/update",
        Some(cookie),
        json!({ "page_id": id, "base_revision": rev, "patch": { "status": "published" } }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    id
}

/// Saves the home page's footer as global block "Site footer" and places it on a second page
/// "/about" (at the end, after that page's own plain footer). Returns (global, the about page).
async fn global_footer_on_two_pages(
    router: &Router,
    cookie: &str,
    a: &app::db::accounts::NewAccount,
) -> (GlobalBlock, Uuid) {
    let home = load_page(router, cookie, a.home_page_id).await;
    let r = call_json(
        router,
        "/api/global-blocks/create",
        Some(cookie),
        json!({
        "page_id": home.page_id, "component_id": footer_of(&home).id,
        "name": "Site footer", "base_revision": home.revision }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let created: GlobalBlockCreated = r.json();
    assert_eq!(created.global.uses, 1);
    let about = new_page(router, cookie, a.website_id, "About", "/about").await;
    let page = load_page(router, cookie, about).await;
    let r = call_json(
        router,
        "/api/global-blocks/insert",
        Some(cookie),
        json!({
        "page_id": about, "global_block_id": created.global.id, "id": Uuid::new_v4(),
        "after": page.components.last().map(|c| c.id), "base_revision": page.revision }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let placed: BlockPlaced = r.json();
    assert_eq!(placed.component.global_block_id, Some(created.global.id));
    (created.global, about)
}

#[tokio::test]
async fn editing_a_global_block_changes_every_draft_and_the_live_site_only_on_publish() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Global Grocer").await;
    let owner = cookie_for(&a);
    let host = format!("{}.localhost:3000", a.subdomain);
    let (global, about) = global_footer_on_two_pages(&router, &owner, &a).await;
    let r = call_json(
        &router,
        "/api/websites/publish",
        Some(&owner),
        json!({ "website_id": a.website_id }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());

    // The confirmation lists both pages.
    let uses: GlobalBlockUses = call_json(
        &router,
        "/api/global-blocks/uses",
        Some(&owner),
        json!({ "global_block_id": global.id }),
    )
    .await
    .json();
    let mut titles: Vec<_> = uses.uses.iter().map(|u| u.page_title.clone()).collect();
    titles.sort();
    assert_eq!(titles, ["About", "Home"]);

    let about_before = load_page(&router, &owner, about).await;
    let mut edited = global.block.clone();
    assert!(edited.set_text("tagline", "Fresh every morning".into()));
    let r = call_json(
        &router,
        "/api/global-blocks/update",
        Some(&owner),
        json!({
        "global_block_id": global.id, "block": edited, "base_revision": global.revision }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let saved: GlobalBlockSaved = r.json();
    assert_eq!(saved.revision, global.revision + 1);
    assert_eq!(saved.pages.len(), 2);
    assert_eq!(saved.page_revision(about), Some(about_before.revision + 1));

    // Both drafts show the edit ...
    for page in [a.home_page_id, about] {
        let d = load_page(&router, &owner, page).await;
        assert_eq!(
            tagline(&footer_of(&d).block),
            "Fresh every morning",
            "page {page}"
        );
    }
    // ... the live site does not, until it is published.
    assert!(!get(&router, &host, "/")
        .await
        .text()
        .contains("Fresh every morning"));
    assert!(!get(&router, &host, "/about")
        .await
        .text()
        .contains("Fresh every morning"));
    let r = call_json(
        &router,
        "/api/websites/publish",
        Some(&owner),
        json!({ "website_id": a.website_id }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert!(get(&router, &host, "/")
        .await
        .text()
        .contains("Fresh every morning"));
    assert!(get(&router, &host, "/about")
        .await
        .text()
        .contains("Fresh every morning"));

    // A stale revision is a conflict, and nothing changes.
    let mut stale = edited.clone();
    stale.set_text("tagline", "Stale tab".into());
    let r = call_json(
        &router,
        "/api/global-blocks/update",
        Some(&owner),
        json!({
        "global_block_id": global.id, "block": stale, "base_revision": global.revision }),
    )
    .await;
    assert_eq!(r.status.as_u16(), 409, "{}", r.text());
    assert_eq!(
        r.error(),
        AppError::Conflict {
            current_revision: saved.revision
        }
    );
    // Another kind, or unsafe props, are refused by the block validators.
    let r = call_json(
        &router,
        "/api/global-blocks/update",
        Some(&owner),
        json!({
        "global_block_id": global.id, "block": BlockProps::starter(ComponentKind::Hero),
        "base_revision": saved.revision }),
    )
    .await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text());
    let mut bad = edited.props_json();
    bad["logo_url"] = json!("javascript:alert(1)");
    let r = call_json(
        &router,
        "/api/global-blocks/update",
        Some(&owner),
        json!({
        "global_block_id": global.id, "block": {"type": "footer", "props": bad},
        "base_revision": saved.revision }),
    )
    .await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text());
    let d = load_page(&router, &owner, about).await;
    assert_eq!(tagline(&footer_of(&d).block), "Fresh every morning");

    // The audit log records it.
    let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let n: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_logs WHERE tenant_id = $1 AND action LIKE 'global_block.%'",
    )
    .bind(a.tenant_id)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.rollback().await.expect("rollback");
    assert_eq!(n, 2, "created and updated");
}

#[tokio::test]
async fn a_detached_use_keeps_its_copy_and_a_used_global_block_cannot_be_deleted() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Detach Deli").await;
    let owner = cookie_for(&a);
    let (global, about) = global_footer_on_two_pages(&router, &owner, &a).await;

    // Deleting is refused with every use named.
    let r = call_json(
        &router,
        "/api/global-blocks/delete",
        Some(&owner),
        json!({ "global_block_id": global.id }),
    )
    .await;
    assert_eq!(r.status.as_u16(), 409, "{}", r.text());
    let AppError::InUse(message) = r.error() else {
        panic!("expected InUse: {}", r.text())
    };
    assert!(
        message.contains("Home (/)") && message.contains("About (/about)"),
        "{message}"
    );

    // Detach the About page's use; a later edit no longer reaches it.
    let d = load_page(&router, &owner, about).await;
    let use_id = footer_of(&d).id;
    let r = call_json(
        &router,
        "/api/global-blocks/detach",
        Some(&owner),
        json!({
        "page_id": about, "component_id": use_id, "base_revision": d.revision }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let ack: SaveAck = r.json();
    let d = load_page(&router, &owner, about).await;
    assert_eq!(d.revision, ack.revision);
    assert_eq!(footer_of(&d).global_block_id, None);
    assert_eq!(footer_of(&d).block, global.block);
    let mut edited = global.block.clone();
    edited.set_text("tagline", "Only home".into());
    let r = call_json(
        &router,
        "/api/global-blocks/update",
        Some(&owner),
        json!({
        "global_block_id": global.id, "block": edited, "base_revision": global.revision }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(r.json::<GlobalBlockSaved>().pages.len(), 1);
    assert_eq!(
        tagline(&footer_of(&load_page(&router, &owner, about).await).block),
        tagline(&global.block)
    );
    assert_eq!(
        tagline(&footer_of(&load_page(&router, &owner, a.home_page_id).await).block),
        "Only home"
    );

    // Still used on Home: refused. Delete that block, then the global block can go.
    let r = call_json(
        &router,
        "/api/global-blocks/delete",
        Some(&owner),
        json!({ "global_block_id": global.id }),
    )
    .await;
    assert_eq!(r.status.as_u16(), 409);
    let home = load_page(&router, &owner, a.home_page_id).await;
    let r = call_json(&router, "/api/builder/delete", Some(&owner), json!({
        "page_id": home.page_id, "component_id": footer_of(&home).id, "base_revision": home.revision })).await;
    assert!(r.status.is_success(), "{}", r.text());
    let r = call_json(
        &router,
        "/api/global-blocks/delete",
        Some(&owner),
        json!({ "global_block_id": global.id }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let list: Vec<GlobalBlock> =
        call_json(&router, "/api/global-blocks/list", Some(&owner), json!({}))
            .await
            .json();
    assert!(list.is_empty());

    // Names are unique per tenant; a viewer cannot create, edit or place global blocks.
    let home = load_page(&router, &owner, a.home_page_id).await;
    let body = json!({ "page_id": home.page_id, "component_id": home.components[0].id,
        "name": "Top bar", "base_revision": home.revision });
    let viewer = member_cookie(&pool, &a, "viewer").await;
    let r = call_json(
        &router,
        "/api/global-blocks/create",
        Some(&viewer),
        body.clone(),
    )
    .await;
    assert!(matches!(r.error(), AppError::Forbidden(_)));
    assert!(
        call_json(&router, "/api/global-blocks/create", Some(&owner), body)
            .await
            .status
            .is_success()
    );
    let home = load_page(&router, &owner, a.home_page_id).await;
    let r = call_json(
        &router,
        "/api/global-blocks/create",
        Some(&owner),
        json!({
        "page_id": home.page_id, "component_id": home.components[1].id,
        "name": "Top bar", "base_revision": home.revision }),
    )
    .await;
    assert_eq!(r.status.as_u16(), 400, "{}", r.text());
    assert_eq!(r.error().field(), Some("name"));
}

#[tokio::test]
async fn a_pasted_block_is_validated_again_and_a_forged_payload_saves_nothing() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Paste Pantry").await;
    let b = account(&pool, "Other Pantry").await;
    let owner = cookie_for(&a);
    let home = load_page(&router, &owner, a.home_page_id).await;
    let hero = home.components[1].clone();
    let paste = |payload: String, base: i64| {
        let (router, owner) = (router.clone(), owner.clone());
        let after = hero.id;
        async move {
            call_json(
                &router,
                "/api/builder/paste",
                Some(&owner),
                json!({
                "page_id": a.home_page_id, "payload": payload, "id": Uuid::new_v4(),
                "after": after, "base_revision": base }),
            )
            .await
        }
    };
    // A copied block pastes after the selection.
    let r = paste(clipboard_payload(a.tenant_id, &hero.block), home.revision).await;
    assert!(r.status.is_success(), "{}", r.text());
    let placed: BlockPlaced = r.json();
    let after = load_page(&router, &owner, a.home_page_id).await;
    assert_eq!(after.revision, placed.revision);
    assert_eq!(after.components.len(), home.components.len() + 1);
    assert_eq!(after.components[2].id, placed.component.id);
    assert_eq!(after.components[2].block, hero.block);

    let forged = |block: serde_json::Value, tenant: Uuid| {
        json!({ "format": "sitepilot.block", "version": 1, "tenant": tenant, "block": block })
            .to_string()
    };
    for (what, payload) in [
        ("not json", "<b>hi</b>".to_string()),
        (
            "unknown kind",
            forged(json!({"type": "marquee", "props": {}}), a.tenant_id),
        ),
        (
            "unsafe url",
            forged(
                json!({"type": "cta", "props": {"heading": "Hi", "body": "",
            "button_label": "Go", "button_href": "javascript:alert(1)"}}),
                a.tenant_id,
            ),
        ),
        (
            "wrong shape",
            forged(
                json!({"type": "hero", "props": {"heading": 7}}),
                a.tenant_id,
            ),
        ),
        (
            "another account",
            clipboard_payload(b.tenant_id, &hero.block),
        ),
        (
            "old version",
            json!({"format": "sitepilot.block", "version": 0, "tenant": a.tenant_id,
            "block": hero.block})
            .to_string(),
        ),
    ] {
        let r = paste(payload, after.revision).await;
        assert_eq!(r.status.as_u16(), 400, "{what}: {}", r.text());
    }
    // Custom HTML on a plan without it: the plan limit, with the upgrade.
    let r = paste(
        clipboard_payload(a.tenant_id, &BlockProps::starter(ComponentKind::CustomHtml)),
        after.revision,
    )
    .await;
    assert_eq!(r.status.as_u16(), 402, "{}", r.text());
    let unchanged = load_page(&router, &owner, a.home_page_id).await;
    assert_eq!(unchanged.revision, after.revision);
    assert_eq!(unchanged.components, after.components);
    // A viewer cannot paste.
    let viewer = member_cookie(&pool, &a, "viewer").await;
    let r = call_json(
        &router,
        "/api/builder/paste",
        Some(&viewer),
        json!({
        "page_id": a.home_page_id, "payload": clipboard_payload(a.tenant_id, &hero.block),
        "id": Uuid::new_v4(), "after": null, "base_revision": after.revision }),
    )
    .await;
    assert!(matches!(r.error(), AppError::Forbidden(_)));
}

/// The website's backup document, as the Export button downloads it.
async fn export_doc(router: &Router, cookie: &str, website: Uuid) -> serde_json::Value {
    let req = axum::http::Request::get(format!("/websites/{website}/export"))
        .header(axum::http::header::HOST, "127.0.0.1")
        .header(axum::http::header::COOKIE, cookie)
        .body(axum::body::Body::empty())
        .expect("request");
    let r = send_raw(router, req).await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.text());
    serde_json::from_slice(&r.body).expect("backup JSON")
}

async fn import_doc(router: &Router, cookie: &str, doc: &serde_json::Value) -> Reply {
    call_json(
        router,
        "/api/websites/import",
        Some(cookie),
        json!({ "name": "", "subdomain": unique("gbcopy-"), "document": doc.to_string() }),
    )
    .await
}

/// (name, number of uses) of the tenant's global blocks, by name.
async fn global_uses(pool: &sqlx::PgPool, tenant: Uuid) -> Vec<(String, i64)> {
    let mut tx = app::db::tenant_tx(pool, tenant).await.expect("tx");
    sqlx::query_as(
        r#"SELECT g.name, (SELECT count(*) FROM components c WHERE c.global_block_id = g.id)
           FROM global_blocks g ORDER BY g.name"#,
    )
    .fetch_all(&mut *tx)
    .await
    .expect("global blocks")
}

#[tokio::test]
async fn a_backup_carries_the_global_blocks_it_uses_and_an_import_links_them_again() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Backup Globals").await;
    set_plan(&pool, a.tenant_id, PRO).await;
    let owner = cookie_for(&a);
    let (global, _) = global_footer_on_two_pages(&router, &owner, &a).await;

    // The export names the global block once and marks both uses.
    let doc = export_doc(&router, &owner, a.website_id).await;
    let globals = doc["global_blocks"].as_array().expect("global_blocks");
    assert_eq!(globals.len(), 1, "{doc}");
    assert_eq!(globals[0]["name"], "Site footer");
    assert_eq!(globals[0]["type"], "footer");
    let uses = doc["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .flat_map(|p| p["blocks"].as_array().cloned().unwrap_or_default())
        .filter(|b| b["global"] == "Site footer")
        .count();
    assert_eq!(uses, 2);

    // Imported into the same tenant, the uses link to the same global block (same content).
    let r = import_doc(&router, &owner, &doc).await;
    assert!(r.status.is_success(), "import: {}", r.text());
    let copy: Uuid = r.json();
    assert_eq!(
        global_uses(&pool, a.tenant_id).await,
        vec![("Site footer".to_string(), 4)]
    );
    let again = export_doc(&router, &owner, copy).await;
    let strip = |mut d: serde_json::Value| {
        d.as_object_mut().map(|o| o.remove("exported_at"));
        d
    };
    assert_eq!(strip(doc.clone()), strip(again));

    // After the global block changed, importing the old backup does not overwrite it: the
    // backup's content becomes a new global block, "Site footer (2)".
    let mut edited = global.block.clone();
    edited.set_text("tagline", "Changed since the backup".into());
    let r = call_json(
        &router,
        "/api/global-blocks/update",
        Some(&owner),
        json!({ "global_block_id": global.id, "block": edited, "base_revision": global.revision }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let r = import_doc(&router, &owner, &doc).await;
    assert!(r.status.is_success(), "import: {}", r.text());
    assert_eq!(
        global_uses(&pool, a.tenant_id).await,
        vec![
            ("Site footer".to_string(), 4),
            ("Site footer (2)".to_string(), 2)
        ]
    );

    // A block naming a global block the backup lacks, or one of another kind, is refused
    // with its place, and nothing is written.
    let before = global_uses(&pool, a.tenant_id).await;
    let mut missing = doc.clone();
    missing["global_blocks"] = json!([]);
    let mut wrong_kind = doc.clone();
    wrong_kind["global_blocks"][0]["type"] = json!("cta");
    wrong_kind["global_blocks"][0]["props"] = BlockProps::starter(ComponentKind::Cta).props_json();
    for (bad, words) in [
        (missing, "which the backup does not include"),
        (wrong_kind, "is a Call to action block"),
    ] {
        let r = import_doc(&router, &owner, &bad).await;
        assert_eq!(r.status.as_u16(), 400, "{}", r.text());
        let AppError::Invalid { field, message } = r.error() else {
            panic!("expected Invalid: {}", r.text())
        };
        assert!(
            field.starts_with("pages.0.blocks.") && field.ends_with(".global"),
            "{field}"
        );
        assert!(
            message.contains("Page 1") && message.contains(words),
            "{message}"
        );
    }
    assert_eq!(global_uses(&pool, a.tenant_id).await, before);
}
