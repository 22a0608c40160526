//! Builder server functions: edits with revisions, a move writes one row, roles, autosave
//! versions.

use crate::common::*;
use app::db::tenant_tx;
use app::error::AppError;
use app::model::{BlockProps, ComponentKind, ComponentMoved, SaveAck, VersionRecorded};
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn edits_carry_the_revision_and_a_stale_one_is_refused() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Rev Cafe").await;
    let cookie = cookie_for(&a);
    let page = load_page(&router, &cookie, a.home_page_id).await;
    let hero = page.components[1].clone();
    let mut block = hero.block.clone();
    assert!(block.set_text("heading", "Fresh bread daily".into()));

    let body = json!({ "page_id": page.page_id, "component_id": hero.id, "block": block, "base_revision": page.revision });
    let ack: SaveAck = call_json(&router, "/api/builder/update", Some(&cookie), body.clone())
        .await
        .json();
    assert_eq!(ack.revision, page.revision + 1);

    // A second tab still on the old revision is refused, and its change is not applied.
    let mut stale = hero.block.clone();
    stale.set_text("heading", "Stale tab wins?".into());
    let body = json!({ "page_id": page.page_id, "component_id": hero.id, "block": stale, "base_revision": page.revision });
    let err = call_json(&router, "/api/builder/update", Some(&cookie), body)
        .await
        .error();
    assert_eq!(
        err,
        AppError::Conflict {
            current_revision: ack.revision
        }
    );

    let reloaded = load_page(&router, &cookie, a.home_page_id).await;
    assert_eq!(reloaded.components[1].block, block);
    assert_eq!(reloaded.revision, ack.revision);
}

#[tokio::test]
async fn unsafe_or_malformed_props_are_refused_and_nothing_is_saved() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Safe Shop").await;
    let cookie = cookie_for(&a);
    let page = load_page(&router, &cookie, a.home_page_id).await;
    let hero = &page.components[1];

    let mut props = serde_json::to_value(&hero.block).expect("json");
    props["props"]["cta_primary_href"] = json!("javascript:alert(1)");
    let r = call_json(&router, "/api/builder/update", Some(&cookie),
        json!({ "page_id": page.page_id, "component_id": hero.id, "block": props, "base_revision": page.revision })).await;
    assert!(matches!(r.error(), AppError::Invalid { field, .. } if field == "cta_primary_href"));

    let mut props = serde_json::to_value(&hero.block).expect("json");
    props["props"]["heading"] = json!("x".repeat(201));
    let r = call_json(&router, "/api/builder/update", Some(&cookie),
        json!({ "page_id": page.page_id, "component_id": hero.id, "block": props, "base_revision": page.revision })).await;
    assert!(matches!(r.error(), AppError::Invalid { field, .. } if field == "heading"));

    // Wrong type for a prop: the request itself is refused.
    let mut props = serde_json::to_value(&hero.block).expect("json");
    props["props"]["heading"] = json!(42);
    let r = call_json(&router, "/api/builder/update", Some(&cookie),
        json!({ "page_id": page.page_id, "component_id": hero.id, "block": props, "base_revision": page.revision })).await;
    assert!(!r.status.is_success());

    // Unknown kind.
    let r = call_json(
        &router,
        "/api/builder/insert",
        Some(&cookie),
        json!({ "page_id": page.page_id, "after": null, "base_revision": page.revision,
                "block": { "id": Uuid::new_v4(), "is_visible": true, "is_locked": false,
                           "block": { "type": "marquee", "props": {} } } }),
    )
    .await;
    assert!(!r.status.is_success());

    // A javascript: link inside a list item, on insert: refused, nothing inserted.
    let mut nav = page.components[0].block.props_json();
    nav["links"][0]["href"] = json!("JaVaScRiPt:alert(1)");
    let bad = BlockProps::from_parts("navbar", nav.clone());
    assert!(
        matches!(bad, Err(AppError::Invalid { ref field, .. }) if field == "links.href"),
        "{bad:?}"
    );
    let r = call_json(
        &router,
        "/api/builder/insert",
        Some(&cookie),
        json!({ "page_id": page.page_id, "after": null, "base_revision": page.revision,
                "block": { "id": Uuid::new_v4(), "is_visible": true, "is_locked": false,
                           "block": { "type": "navbar", "props": nav } } }),
    )
    .await;
    assert!(matches!(r.error(), AppError::Invalid { ref field, .. } if field == "links.href"));

    // An over-long string in a list item and a colour that tries to escape its CSS property.
    let mut faq = BlockProps::starter(ComponentKind::Faq).props_json();
    faq["items"][0]["question"] = json!("?".repeat(201));
    assert!(
        matches!(BlockProps::from_parts("faq", faq), Err(AppError::Invalid { ref field, .. }) if field == "items.question")
    );
    let mut hero_props = hero.block.props_json();
    hero_props["background_color"] = json!("red;}body{display:none");
    let hero_bad = serde_json::json!({ "type": "hero", "props": hero_props });
    let r = call_json(&router, "/api/builder/update", Some(&cookie),
        json!({ "page_id": page.page_id, "component_id": hero.id, "block": hero_bad, "base_revision": page.revision })).await;
    assert!(
        matches!(r.error(), AppError::Invalid { ref field, .. } if field == "background_color")
    );

    assert_eq!(
        load_page(&router, &cookie, a.home_page_id).await,
        page,
        "nothing changed"
    );
}

#[tokio::test]
async fn a_move_writes_exactly_one_component_row() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Move Co").await;
    let cookie = cookie_for(&a);
    let page = load_page(&router, &cookie, a.home_page_id).await;
    let ids: Vec<Uuid> = page.components.iter().map(|c| c.id).collect();

    let versions = |pool: sqlx::PgPool| async move {
        let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
        let rows: Vec<(Uuid, String)> =
            sqlx::query_as("SELECT id, xmin::text FROM components WHERE page_id = $1 ORDER BY id")
                .bind(a.home_page_id)
                .fetch_all(&mut *tx)
                .await
                .expect("rows");
        rows
    };
    let before = versions(pool.clone()).await;

    // Move the footer (last) to sit right after the navbar (first).
    let moved: ComponentMoved = call_json(&router, "/api/builder/move", Some(&cookie),
        json!({ "page_id": page.page_id, "component_id": ids[4], "after": ids[0], "base_revision": page.revision })).await.json();
    assert_eq!(moved.revision, page.revision + 1);

    let after = versions(pool.clone()).await;
    let changed: Vec<Uuid> = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| b.1 != a.1)
        .map(|(b, _)| b.0)
        .collect();
    assert_eq!(
        changed,
        vec![ids[4]],
        "only the moved block's row is written"
    );

    let order: Vec<Uuid> = load_page(&router, &cookie, a.home_page_id)
        .await
        .components
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(order, vec![ids[0], ids[4], ids[1], ids[2], ids[3]]);

    // And to the very top.
    let _: ComponentMoved = call_json(&router, "/api/builder/move", Some(&cookie),
        json!({ "page_id": page.page_id, "component_id": ids[2], "after": null, "base_revision": moved.revision })).await.json();
    let order: Vec<Uuid> = load_page(&router, &cookie, a.home_page_id)
        .await
        .components
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(order, vec![ids[2], ids[0], ids[4], ids[1], ids[3]]);
}

#[tokio::test]
async fn add_and_delete_blocks() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Add Co").await;
    let cookie = cookie_for(&a);
    let page = load_page(&router, &cookie, a.home_page_id).await;
    let hero = page.components[1].id;
    let added = insert(
        &router,
        &cookie,
        page.page_id,
        BlockProps::starter(ComponentKind::Cta),
        Some(hero),
        page.revision,
    )
    .await
    .ok();
    let now = load_page(&router, &cookie, a.home_page_id).await;
    assert_eq!(
        now.components[2].id, added.component.id,
        "placed right after the hero"
    );
    assert_eq!(now.components.len(), 6);

    let ack: SaveAck = call_json(&router, "/api/builder/delete", Some(&cookie),
        json!({ "page_id": page.page_id, "component_id": added.component.id, "base_revision": added.revision })).await.json();
    assert_eq!(ack.revision, added.revision + 1);
    assert_eq!(
        load_page(&router, &cookie, a.home_page_id)
            .await
            .components
            .len(),
        5
    );
}

#[tokio::test]
async fn roles_gate_editing_publishing_and_locked_blocks() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Roles Inc").await;
    let page = load_page(&router, &cookie_for(&a), a.home_page_id).await;
    let hero = page.components[1].clone();
    let edit = |rev: i64| json!({ "page_id": page.page_id, "component_id": hero.id, "block": hero.block, "base_revision": rev });
    let publish = json!({ "website_id": a.website_id });

    // Viewer: may read, may not edit or publish.
    let viewer = member_cookie(&pool, &a, "viewer").await;
    assert_eq!(
        load_page(&router, &viewer, a.home_page_id)
            .await
            .components
            .len(),
        5
    );
    assert!(matches!(
        call_json(
            &router,
            "/api/builder/update",
            Some(&viewer),
            edit(page.revision)
        )
        .await
        .error(),
        AppError::Forbidden(_)
    ));
    assert!(matches!(
        call_json(
            &router,
            "/api/builder/autosave",
            Some(&viewer),
            json!({ "page_id": page.page_id })
        )
        .await
        .error(),
        AppError::Forbidden(_)
    ));
    assert!(matches!(
        call_json(
            &router,
            "/api/websites/publish",
            Some(&viewer),
            publish.clone()
        )
        .await
        .error(),
        AppError::Forbidden(_)
    ));
    let ins = insert(
        &router,
        &viewer,
        page.page_id,
        BlockProps::starter(ComponentKind::Cta),
        None,
        page.revision,
    )
    .await;
    assert!(matches!(ins.error(), AppError::Forbidden(_)));
    for (path, body) in [
        (
            "/api/builder/move",
            json!({ "page_id": page.page_id, "component_id": hero.id, "after": null, "base_revision": page.revision }),
        ),
        (
            "/api/builder/delete",
            json!({ "page_id": page.page_id, "component_id": hero.id, "base_revision": page.revision }),
        ),
        (
            "/api/builder/flags",
            json!({ "page_id": page.page_id, "component_id": hero.id, "is_visible": false, "is_locked": null, "base_revision": page.revision }),
        ),
    ] {
        assert!(
            matches!(
                call_json(&router, path, Some(&viewer), body).await.error(),
                AppError::Forbidden(_)
            ),
            "viewer on {path}"
        );
    }
    let after = load_page(&router, &viewer, a.home_page_id).await;
    assert_eq!(
        (after.revision, &after.components),
        (page.revision, &page.components),
        "the viewer changed nothing"
    );

    // Editor: may edit, may not publish, may not insert a block already locked.
    let editor = member_cookie(&pool, &a, "editor").await;
    let locked_insert = json!({ "page_id": page.page_id, "after": null, "base_revision": page.revision,
        "block": { "id": Uuid::new_v4(), "is_visible": true, "is_locked": true, "block": hero.block } });
    assert!(matches!(
        call_json(&router, "/api/builder/insert", Some(&editor), locked_insert)
            .await
            .error(),
        AppError::Forbidden(_)
    ));
    let ack: SaveAck = call_json(
        &router,
        "/api/builder/update",
        Some(&editor),
        edit(page.revision),
    )
    .await
    .json();
    assert!(matches!(
        call_json(
            &router,
            "/api/websites/publish",
            Some(&editor),
            publish.clone()
        )
        .await
        .error(),
        AppError::Forbidden(_)
    ));

    // Developer and admin may publish.
    for role in ["developer", "admin"] {
        let c = member_cookie(&pool, &a, role).await;
        assert!(
            call_json(&router, "/api/websites/publish", Some(&c), publish.clone())
                .await
                .status
                .is_success(),
            "{role}"
        );
    }

    // A locked block: editors are refused, admins are not.
    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    sqlx::query("UPDATE components SET is_locked = true WHERE id = $1")
        .bind(hero.id)
        .execute(&mut *tx)
        .await
        .expect("lock");
    tx.commit().await.expect("commit");
    assert!(matches!(
        call_json(
            &router,
            "/api/builder/update",
            Some(&editor),
            edit(ack.revision)
        )
        .await
        .error(),
        AppError::Forbidden(_)
    ));
    let admin = member_cookie(&pool, &a, "admin").await;
    assert!(call_json(
        &router,
        "/api/builder/update",
        Some(&admin),
        edit(ack.revision)
    )
    .await
    .status
    .is_success());
}

#[tokio::test]
async fn autosave_records_a_version_only_when_the_page_changed_and_prunes_to_the_plan() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Versions Ltd").await;
    let cookie = cookie_for(&a);
    let body = json!({ "page_id": a.home_page_id });
    let first: VersionRecorded = call_json(
        &router,
        "/api/builder/autosave",
        Some(&cookie),
        body.clone(),
    )
    .await
    .json();
    assert!(first.recorded);
    let again: VersionRecorded = call_json(
        &router,
        "/api/builder/autosave",
        Some(&cookie),
        body.clone(),
    )
    .await
    .json();
    assert!(!again.recorded, "unchanged page records nothing");

    // Starter keeps 5 versions per page.
    let mut page = load_page(&router, &cookie, a.home_page_id).await;
    for i in 0..7 {
        let hero = page.components[1].clone();
        let mut block = hero.block.clone();
        block.set_text("heading", format!("Heading {i}"));
        let _: SaveAck = call_json(&router, "/api/builder/update", Some(&cookie),
            json!({ "page_id": page.page_id, "component_id": hero.id, "block": block, "base_revision": page.revision })).await.json();
        let v: VersionRecorded = call_json(
            &router,
            "/api/builder/autosave",
            Some(&cookie),
            body.clone(),
        )
        .await
        .json();
        assert!(v.recorded);
        page = load_page(&router, &cookie, a.home_page_id).await;
    }
    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let (n, newest): (i64, Option<String>) = sqlx::query_as(
        "SELECT count(*), (SELECT content_snapshot->1->'props'->>'heading' FROM page_versions WHERE page_id = $1 ORDER BY saved_at DESC, id DESC LIMIT 1)
         FROM page_versions WHERE page_id = $1 AND trigger = 'auto'",
    )
    .bind(a.home_page_id)
    .fetch_one(&mut *tx)
    .await
    .expect("count");
    assert_eq!(n, 5);
    assert_eq!(newest.as_deref(), Some("Heading 6"));
}

#[tokio::test]
async fn duplicate_hide_and_lock_blocks() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Flags Co").await;
    let owner = cookie_for(&a);
    let page = load_page(&router, &owner, a.home_page_id).await;
    let features = page.components[2].clone();

    // A duplicate (made in the browser) lands right after the original, with the same content.
    let copy = insert(
        &router,
        &owner,
        page.page_id,
        features.block.clone(),
        Some(features.id),
        page.revision,
    )
    .await
    .ok();
    let now = load_page(&router, &owner, a.home_page_id).await;
    assert_eq!(now.components[3].id, copy.component.id);
    assert_eq!(now.components[3].block, features.block);

    // Hidden blocks stay in the builder but are left out of the published snapshot.
    let hide = json!({ "page_id": page.page_id, "component_id": copy.component.id, "is_visible": false, "is_locked": null, "base_revision": copy.revision });
    let ack: SaveAck = call_json(&router, "/api/builder/flags", Some(&owner), hide)
        .await
        .json();
    let now = load_page(&router, &owner, a.home_page_id).await;
    assert!(!now.components[3].is_visible);
    let _: app::model::Published = call_json(
        &router,
        "/api/websites/publish",
        Some(&owner),
        json!({ "website_id": a.website_id }),
    )
    .await
    .json();
    let html = get(&router, &format!("{}.localhost", a.subdomain), "/")
        .await
        .text();
    assert_eq!(
        html.matches("Why choose us").count(),
        1,
        "the hidden copy is not published"
    );

    // Editors cannot lock; owners can, and then editors cannot change the block.
    let editor = member_cookie(&pool, &a, "editor").await;
    let lock = |rev: i64| json!({ "page_id": page.page_id, "component_id": features.id, "is_visible": null, "is_locked": true, "base_revision": rev });
    assert!(matches!(
        call_json(
            &router,
            "/api/builder/flags",
            Some(&editor),
            lock(ack.revision)
        )
        .await
        .error(),
        AppError::Forbidden(_)
    ));
    let locked: SaveAck = call_json(
        &router,
        "/api/builder/flags",
        Some(&owner),
        lock(ack.revision),
    )
    .await
    .json();
    let unhide = json!({ "page_id": page.page_id, "component_id": features.id, "is_visible": false, "is_locked": null, "base_revision": locked.revision });
    assert!(matches!(
        call_json(&router, "/api/builder/flags", Some(&editor), unhide)
            .await
            .error(),
        AppError::Forbidden(_)
    ));
    assert!(load_page(&router, &owner, a.home_page_id).await.components[2].is_locked);
}
