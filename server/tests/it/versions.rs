//! Page versions: save, list, preview, restore (with its pre_restore safety copy and the
//! revision check), pruning to each plan's limit, roles, locked blocks, custom HTML gating and
//! tenant isolation.

use crate::common::*;
use app::db::tenant_tx;
use app::error::AppError;
use app::model::{
    BlockProps, BuilderData, ComponentKind, SaveAck, VersionPreview, VersionSummary, VersionTrigger,
};
use axum::Router;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

async fn save(router: &Router, cookie: &str, page: Uuid, label: Option<&str>) -> Reply {
    call_json(
        router,
        "/api/versions/save",
        Some(cookie),
        json!({ "page_id": page, "label": label }),
    )
    .await
}

async fn list(router: &Router, cookie: &str, page: Uuid) -> Reply {
    call_json(
        router,
        "/api/versions/list",
        Some(cookie),
        json!({ "page_id": page }),
    )
    .await
}

async fn versions(router: &Router, cookie: &str, page: Uuid) -> Vec<VersionSummary> {
    list(router, cookie, page).await.json()
}

async fn preview(router: &Router, cookie: &str, version: Uuid) -> Reply {
    call_json(
        router,
        "/api/versions/preview",
        Some(cookie),
        json!({ "version_id": version }),
    )
    .await
}

async fn restore(router: &Router, cookie: &str, page: Uuid, version: Uuid, rev: i64) -> Reply {
    call_json(
        router,
        "/api/versions/restore",
        Some(cookie),
        json!({ "page_id": page, "version_id": version, "base_revision": rev }),
    )
    .await
}

/// Sets the hero's heading through the builder and returns the new revision.
async fn set_heading(router: &Router, cookie: &str, page: &BuilderData, text: &str) -> i64 {
    let hero = page
        .components
        .iter()
        .find(|c| c.block.kind() == ComponentKind::Hero)
        .expect("hero")
        .clone();
    let mut block = hero.block.clone();
    assert!(block.set_text("heading", text.into()));
    let ack: SaveAck = call_json(router, "/api/builder/update", Some(cookie),
        json!({ "page_id": page.page_id, "component_id": hero.id, "block": block, "base_revision": page.revision })).await.json();
    ack.revision
}

async fn version_count(pool: &PgPool, tenant: Uuid, page: Uuid) -> i64 {
    let mut tx = tenant_tx(pool, tenant).await.expect("tx");
    sqlx::query_scalar("SELECT count(*) FROM page_versions WHERE page_id = $1")
        .bind(page)
        .fetch_one(&mut *tx)
        .await
        .expect("count")
}

#[tokio::test]
async fn save_list_and_preview_versions() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Save Co").await;
    let cookie = cookie_for(&a);
    let original = load_page(&router, &cookie, a.home_page_id).await;

    let first: VersionSummary = save(&router, &cookie, a.home_page_id, Some("  First draft  "))
        .await
        .json();
    assert_eq!(
        first.label.as_deref(),
        Some("First draft"),
        "label is trimmed"
    );
    assert_eq!(first.trigger, VersionTrigger::Manual);
    assert_eq!(first.author, "Test Owner");
    assert_eq!(first.component_count, 5);

    // A manual save is recorded even when nothing changed; an empty label means none.
    let second: VersionSummary = save(&router, &cookie, a.home_page_id, Some("   "))
        .await
        .json();
    assert_eq!(second.label, None);

    // Too long a label is refused on its field and nothing is saved.
    let err = save(&router, &cookie, a.home_page_id, Some(&"x".repeat(121)))
        .await
        .error();
    assert!(
        matches!(&err, AppError::Invalid { field, message } if field == "label" && message.contains("120")),
        "{err:?}"
    );
    assert!(
        save(&router, &cookie, a.home_page_id, Some(&"é".repeat(120)))
            .await
            .status
            .is_success(),
        "120 characters are fine"
    );

    // Newest first; authors by name, by e-mail when unnamed, "System" and "Deleted user" when gone.
    let (editor, editor_id) = member(&pool, &a, "editor", None).await;
    let by_editor: VersionSummary = save(&router, &editor, a.home_page_id, Some("Editor's"))
        .await
        .json();
    assert!(
        by_editor.author.ends_with("@example.com"),
        "{}",
        by_editor.author
    );
    let (named, _) = member(&pool, &a, "editor", Some("Robin Named")).await;
    let by_named: VersionSummary = save(&router, &named, a.home_page_id, None).await.json();
    assert_eq!(by_named.author, "Robin Named");
    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    sqlx::query("INSERT INTO page_versions (tenant_id, page_id, content_snapshot, trigger) VALUES ($1, $2, '[]', 'auto')")
        .bind(a.tenant_id)
        .bind(a.home_page_id)
        .execute(&mut *tx)
        .await
        .expect("system version");
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(editor_id)
        .execute(&mut *tx)
        .await
        .expect("delete user");
    tx.commit().await.expect("commit");

    // (The row inserted directly above skipped pruning, so all six are still there.)
    let all = versions(&router, &cookie, a.home_page_id).await;
    let summary: Vec<(Option<&str>, &str)> = all
        .iter()
        .map(|v| (v.label.as_deref(), v.author.as_str()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (None, "System"),
            (None, "Robin Named"),
            (Some("Editor's"), "Deleted user"),
            (Some("é".repeat(120).as_str()), "Test Owner"),
            (None, "Test Owner"),
            (Some("First draft"), "Test Owner"),
        ]
    );
    assert!(all.windows(2).all(|w| w[0].saved_at >= w[1].saved_at));
    assert_eq!(all[0].trigger, VersionTrigger::Auto);
    assert_eq!(all[0].component_count, 0);

    // The preview shows the blocks as they were, even after the page changed.
    set_heading(&router, &cookie, &original, "Changed later").await;
    let p: VersionPreview = preview(&router, &cookie, second.id).await.json();
    assert_eq!(p.version, all[4]);
    assert_eq!(p.components, original.components);
    assert_eq!(p.branding, original.branding);
}

#[tokio::test]
async fn restore_saves_the_current_content_first_then_replaces_it_exactly() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Restore Co").await;
    let cookie = cookie_for(&a);
    let original = load_page(&router, &cookie, a.home_page_id).await;
    let v1: VersionSummary = save(&router, &cookie, a.home_page_id, Some("Original"))
        .await
        .json();

    // Change the page in every way: text, delete, add, hide, move.
    let rev = set_heading(&router, &cookie, &original, "Something else").await;
    let ids: Vec<Uuid> = original.components.iter().map(|c| c.id).collect();
    let ack: SaveAck = call_json(
        &router,
        "/api/builder/delete",
        Some(&cookie),
        json!({ "page_id": a.home_page_id, "component_id": ids[3], "base_revision": rev }),
    )
    .await
    .json();
    let added = insert(
        &router,
        &cookie,
        a.home_page_id,
        BlockProps::starter(ComponentKind::Cta),
        Some(ids[0]),
        ack.revision,
    )
    .await
    .ok();
    let ack: SaveAck = call_json(&router, "/api/builder/flags", Some(&cookie),
        json!({ "page_id": a.home_page_id, "component_id": ids[2], "is_visible": false, "is_locked": null, "base_revision": added.revision })).await.json();
    let _: app::model::ComponentMoved = call_json(&router, "/api/builder/move", Some(&cookie),
        json!({ "page_id": a.home_page_id, "component_id": ids[4], "after": null, "base_revision": ack.revision })).await.json();
    let changed = load_page(&router, &cookie, a.home_page_id).await;
    assert_ne!(changed.components, original.components);

    let restored: SaveAck = restore(&router, &cookie, a.home_page_id, v1.id, changed.revision)
        .await
        .json();
    assert_eq!(restored.revision, changed.revision + 1);
    let now = load_page(&router, &cookie, a.home_page_id).await;
    assert_eq!(
        now.components, original.components,
        "ids, blocks, order keys and flags are back"
    );
    assert_eq!(now.revision, restored.revision);

    // The content it replaced was saved first, labelled after the version restored.
    let all = versions(&router, &cookie, a.home_page_id).await;
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].trigger, VersionTrigger::PreRestore);
    assert_eq!(all[0].label.as_deref(), Some("Before restoring “Original”"));
    assert_eq!(all[0].author, "Test Owner");
    let before: VersionPreview = preview(&router, &cookie, all[0].id).await.json();
    assert_eq!(before.components, changed.components);

    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_logs WHERE action = 'page.version_restored' AND resource_id = $1 AND metadata->>'version_id' = $2",
    )
    .bind(a.home_page_id)
    .bind(v1.id.to_string())
    .fetch_one(&mut *tx)
    .await
    .expect("audit");
    assert_eq!(audited, 1);
    drop(tx);

    // A stale revision is refused and changes nothing: no content, no version.
    set_heading(&router, &cookie, &now, "After the restore").await;
    let current = load_page(&router, &cookie, a.home_page_id).await;
    let err = restore(&router, &cookie, a.home_page_id, all[0].id, now.revision)
        .await
        .error();
    assert_eq!(
        err,
        AppError::Conflict {
            current_revision: current.revision
        }
    );
    assert_eq!(load_page(&router, &cookie, a.home_page_id).await, current);
    assert_eq!(versions(&router, &cookie, a.home_page_id).await, all);

    // Restoring the safety copy undoes the restore.
    let _: SaveAck = restore(
        &router,
        &cookie,
        a.home_page_id,
        all[0].id,
        current.revision,
    )
    .await
    .json();
    assert_eq!(
        load_page(&router, &cookie, a.home_page_id).await.components,
        changed.components
    );
}

#[tokio::test]
async fn every_trigger_counts_towards_each_plans_limit() {
    let pool = pool().await;
    let router = router(pool.clone());
    for (plan, limit) in [(STARTER, 5usize), (GROWTH, 20), (PRO, 50)] {
        let a = account(&pool, "Prune Co").await;
        let cookie = cookie_for(&a);
        set_plan(&pool, a.tenant_id, plan).await;
        for i in 0..limit + 2 {
            let _: VersionSummary = save(&router, &cookie, a.home_page_id, Some(&format!("v{i}")))
                .await
                .json();
        }
        let all = versions(&router, &cookie, a.home_page_id).await;
        let labels: Vec<String> = all.iter().filter_map(|v| v.label.clone()).collect();
        let expected: Vec<String> = (2..limit + 2).rev().map(|i| format!("v{i}")).collect();
        assert_eq!(
            labels, expected,
            "limit {limit}: the newest {limit} are kept"
        );

        // A restore's safety copy is a version like any other: the oldest goes.
        let rev = load_page(&router, &cookie, a.home_page_id).await.revision;
        let _: SaveAck = restore(&router, &cookie, a.home_page_id, all[0].id, rev)
            .await
            .json();
        let all = versions(&router, &cookie, a.home_page_id).await;
        assert_eq!(all.len(), limit);
        assert_eq!(all[0].trigger, VersionTrigger::PreRestore);
        assert_eq!(all[limit - 1].label.as_deref(), Some("v3"));
        assert_eq!(
            version_count(&pool, a.tenant_id, a.home_page_id).await,
            limit as i64
        );
    }
}

#[tokio::test]
async fn each_role_may_list_and_preview_and_only_editing_roles_may_save_and_restore() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Roles Co").await;
    // Pro keeps 50 versions, so "Base" outlives the saves and restores below.
    set_plan(&pool, a.tenant_id, PRO).await;
    let v: VersionSummary = save(&router, &cookie_for(&a), a.home_page_id, Some("Base"))
        .await
        .json();

    let no_cookie = call_json(
        &router,
        "/api/versions/list",
        None,
        json!({ "page_id": a.home_page_id }),
    )
    .await
    .error();
    assert_eq!(no_cookie, AppError::Unauthorized);

    for role in ["owner", "admin", "editor", "developer", "viewer"] {
        let cookie = if role == "owner" {
            cookie_for(&a)
        } else {
            member(&pool, &a, role, None).await.0
        };
        assert!(
            !versions(&router, &cookie, a.home_page_id).await.is_empty(),
            "{role} lists"
        );
        let p: VersionPreview = preview(&router, &cookie, v.id).await.json();
        assert_eq!(p.components.len(), 5, "{role} previews");

        let before = version_count(&pool, a.tenant_id, a.home_page_id).await;
        let rev = load_page(&router, &cookie, a.home_page_id).await.revision;
        let saved = save(&router, &cookie, a.home_page_id, Some(role)).await;
        let restored = restore(&router, &cookie, a.home_page_id, v.id, rev).await;
        if role == "viewer" {
            assert!(matches!(saved.error(), AppError::Forbidden(m) if m.contains("Viewers")));
            assert!(matches!(restored.error(), AppError::Forbidden(_)));
            assert_eq!(
                version_count(&pool, a.tenant_id, a.home_page_id).await,
                before
            );
            assert_eq!(
                load_page(&router, &cookie, a.home_page_id).await.revision,
                rev
            );
        } else {
            assert!(saved.status.is_success(), "{role} saves");
            let ack: SaveAck = restored.json();
            assert_eq!(ack.revision, rev + 1, "{role} restores");
        }
    }
}

#[tokio::test]
async fn restoring_over_a_locked_block_needs_an_owner_or_admin() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Lock Co").await;
    let owner = cookie_for(&a);
    let page = load_page(&router, &owner, a.home_page_id).await;
    let v0: VersionSummary = save(&router, &owner, a.home_page_id, Some("Unlocked"))
        .await
        .json();
    let footer = page
        .components
        .iter()
        .find(|c| c.block.kind() == ComponentKind::Footer)
        .expect("footer")
        .id;
    let _: SaveAck = call_json(&router, "/api/builder/flags", Some(&owner),
        json!({ "page_id": a.home_page_id, "component_id": footer, "is_visible": null, "is_locked": true, "base_revision": page.revision })).await.json();
    let v1: VersionSummary = save(&router, &owner, a.home_page_id, Some("Locked footer"))
        .await
        .json();
    let locked = load_page(&router, &owner, a.home_page_id).await;
    set_heading(&router, &owner, &locked, "Changed hero").await;

    // The locked footer is the same in v1: an editor may restore it (only the hero changes).
    let (editor, _) = member(&pool, &a, "editor", None).await;
    let rev = load_page(&router, &editor, a.home_page_id).await.revision;
    let _: SaveAck = restore(&router, &editor, a.home_page_id, v1.id, rev)
        .await
        .json();
    assert_eq!(
        load_page(&router, &editor, a.home_page_id).await.components,
        locked.components
    );

    // v0 would unlock the footer: editors and developers are refused, nothing changes.
    let before = load_page(&router, &editor, a.home_page_id).await;
    let count = version_count(&pool, a.tenant_id, a.home_page_id).await;
    let (developer, _) = member(&pool, &a, "developer", None).await;
    for cookie in [&editor, &developer] {
        let err = restore(&router, cookie, a.home_page_id, v0.id, before.revision)
            .await
            .error();
        assert_eq!(err, AppError::Forbidden(
            "This would change the locked Footer block. Only owners and admins can change locked blocks.".into()));
    }
    assert_eq!(load_page(&router, &editor, a.home_page_id).await, before);
    assert_eq!(
        version_count(&pool, a.tenant_id, a.home_page_id).await,
        count
    );

    // Admins may.
    let (admin, _) = member(&pool, &a, "admin", None).await;
    let _: SaveAck = restore(&router, &admin, a.home_page_id, v0.id, before.revision)
        .await
        .json();
    assert_eq!(
        load_page(&router, &admin, a.home_page_id).await.components,
        page.components
    );
}

#[tokio::test]
async fn restoring_custom_html_needs_the_pro_plan() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Html Co").await;
    let cookie = cookie_for(&a);
    set_plan(&pool, a.tenant_id, PRO).await;
    let page = load_page(&router, &cookie, a.home_page_id).await;
    let added = insert(
        &router,
        &cookie,
        a.home_page_id,
        BlockProps::starter(ComponentKind::CustomHtml),
        None,
        page.revision,
    )
    .await
    .ok();
    let with_html: VersionSummary = save(&router, &cookie, a.home_page_id, Some("With HTML"))
        .await
        .json();

    // Still on the page unchanged: restoring after a downgrade keeps it.
    set_plan(&pool, a.tenant_id, STARTER).await;
    let _: SaveAck = restore(
        &router,
        &cookie,
        a.home_page_id,
        with_html.id,
        added.revision,
    )
    .await
    .json();

    // Deleted, then brought back by a restore: that adds custom HTML, which Starter cannot.
    let rev = load_page(&router, &cookie, a.home_page_id).await.revision;
    let ack: SaveAck = call_json(&router, "/api/builder/delete", Some(&cookie),
        json!({ "page_id": a.home_page_id, "component_id": added.component.id, "base_revision": rev })).await.json();
    let err = restore(&router, &cookie, a.home_page_id, with_html.id, ack.revision)
        .await
        .error();
    assert!(
        matches!(&err, AppError::LimitReached { limit, .. } if limit == "custom_html"),
        "{err:?}"
    );
    assert_eq!(err.to_string(), app::db::builder::CUSTOM_HTML_NEEDS_PRO);
    assert_eq!(
        load_page(&router, &cookie, a.home_page_id)
            .await
            .components
            .len(),
        5
    );

    set_plan(&pool, a.tenant_id, PRO).await;
    let _: SaveAck = restore(&router, &cookie, a.home_page_id, with_html.id, ack.revision)
        .await
        .json();
    assert_eq!(
        load_page(&router, &cookie, a.home_page_id).await.components[0].id,
        added.component.id
    );
}

#[tokio::test]
async fn other_tenants_and_other_pages_versions_are_refused() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Tenant A").await;
    let b = account(&pool, "Tenant B").await;
    let (ca, cb) = (cookie_for(&a), cookie_for(&b));
    let va: VersionSummary = save(&router, &ca, a.home_page_id, Some("A's")).await.json();
    let vb: VersionSummary = save(&router, &cb, b.home_page_id, Some("B's")).await.json();
    let page_a = load_page(&router, &ca, a.home_page_id).await;
    let rev_b = load_page(&router, &cb, b.home_page_id).await.revision;

    let not_found = |r: Reply| assert!(matches!(r.error(), AppError::NotFound(_)));
    not_found(list(&router, &cb, a.home_page_id).await);
    not_found(preview(&router, &cb, va.id).await);
    not_found(save(&router, &cb, a.home_page_id, Some("intruder")).await);
    not_found(restore(&router, &cb, a.home_page_id, va.id, page_a.revision).await);
    // B's own page with A's version id.
    not_found(restore(&router, &cb, b.home_page_id, va.id, rev_b).await);

    // Another page of the same tenant: its versions cannot be restored onto the home page.
    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let about: Uuid = sqlx::query_scalar(
        "INSERT INTO pages (tenant_id, website_id, title, slug) VALUES ($1, $2, 'About', '/about') RETURNING id",
    )
    .bind(a.tenant_id)
    .bind(a.website_id)
    .fetch_one(&mut *tx)
    .await
    .expect("page");
    tx.commit().await.expect("commit");
    let v_about: VersionSummary = save(&router, &ca, about, Some("About")).await.json();
    assert_eq!(v_about.component_count, 0);
    not_found(restore(&router, &ca, a.home_page_id, v_about.id, page_a.revision).await);

    // Nothing changed for A, and B still has only its own version.
    let now_a = load_page(&router, &ca, a.home_page_id).await;
    assert_eq!(
        (now_a.revision, &now_a.components),
        (page_a.revision, &page_a.components)
    );
    assert_eq!(versions(&router, &ca, a.home_page_id).await.len(), 1);
    assert_eq!(
        versions(&router, &cb, b.home_page_id)
            .await
            .iter()
            .map(|v| v.id)
            .collect::<Vec<_>>(),
        vec![vb.id]
    );
}

#[tokio::test]
async fn replace_components_takes_new_ids_and_computes_missing_order_keys() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Replace Co").await;
    let b = account(&pool, "Other Co").await;
    let page = load_page(&router, &cookie_for(&a), a.home_page_id).await;
    let other = load_page(&router, &cookie_for(&b), b.home_page_id).await;

    // Reversed order with placeholder keys, one brand-new id and one id taken by tenant B.
    let mut list: Vec<_> = page.components.iter().rev().cloned().collect();
    for c in &mut list {
        c.order_key = String::new();
    }
    list[0].id = Uuid::new_v4();
    list[1].id = other.components[0].id;
    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let stored = app::db::versions::replace_components(&mut tx, a.tenant_id, a.home_page_id, &list)
        .await
        .expect("replace");
    tx.commit().await.expect("commit");

    let now = load_page(&router, &cookie_for(&a), a.home_page_id).await;
    assert_eq!(now.components, stored);
    let blocks: Vec<_> = now.components.iter().map(|c| c.block.clone()).collect();
    assert_eq!(
        blocks,
        list.iter().map(|c| c.block.clone()).collect::<Vec<_>>(),
        "list order kept"
    );
    assert_eq!(now.components[0].id, list[0].id, "a new id is kept");
    assert_ne!(
        now.components[1].id, other.components[0].id,
        "a taken id is replaced"
    );
    assert_eq!(
        load_page(&router, &cookie_for(&b), b.home_page_id).await,
        other,
        "tenant B untouched"
    );

    // The same block twice is refused.
    let twice = vec![list[2].clone(), list[2].clone()];
    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let err = app::db::versions::replace_components(&mut tx, a.tenant_id, a.home_page_id, &twice)
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("components"));
}
