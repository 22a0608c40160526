//! The organisation's data export and deletion (issue 23 part 5): the export zip holds exactly
//! the tenant's data (two tenants, each with a site, a submission and a media file; the zip is
//! opened and every file checked against the manifest), one export at a time, owner only,
//! expiry; deletion takes every site offline at once, members see only the notice, cancel
//! restores, and the purge runs after 90 days and not before. Time passes through
//! `server::org_lifecycle::sweep`'s clock parameter, never by waiting.

use std::io::Read;

use app::error::AppError;
use app::model::{ExportManifest, ExportStatus, OrgExport};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use chrono::{Duration, Utc};
use serde_json::json;
use server::assets::{Backend, Storage};
use server::ServerConfig;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;

use crate::common::*;
use crate::visitor_site::{eventually, fetch, published_site};

/// The test configuration with its own storage folder.
fn own_storage() -> ServerConfig {
    ServerConfig {
        asset_storage: Backend::Local(std::env::temp_dir().join(unique("sp-orgx-"))),
        ..config()
    }
}

fn storage(config: &ServerConfig) -> Storage {
    Storage::open(&config.asset_storage).expect("storage")
}

/// Runs the tenant's export job (and nothing else of its queue).
async fn run_export_job(config: &ServerConfig, pool: &PgPool, tenant: Uuid) -> usize {
    let registry = server::jobs::registry(config, pool).only(&[app::db::org_export::JOB]);
    server::jobs::run_due_for(pool, &registry, tenant).await
}

/// A tenant with a published site, a form submission and one uploaded image.
struct Tenant {
    a: app::db::accounts::NewAccount,
    owner: String,
    asset: Uuid,
    marker: String,
}

async fn tenant_with_data(router: &Router, pool: &PgPool, name: &str) -> Tenant {
    let s = published_site(router, pool, name).await;
    let marker = format!("{}@example.com", unique("visitor-"));
    let mut tx = app::db::tenant_tx(pool, s.a.tenant_id).await.expect("tx");
    sqlx::query(
        "INSERT INTO form_submissions (tenant_id, website_id, page_id, component_id, page_slug, data)
         VALUES ($1, $2, $3, $4, '/', $5)",
    )
    .bind(s.a.tenant_id)
    .bind(s.a.website_id)
    .bind(s.a.home_page_id)
    .bind(Uuid::new_v4())
    .bind(json!([{ "name": "email", "label": "Email", "value": marker }]))
    .execute(&mut *tx)
    .await
    .expect("submission");
    tx.commit().await.expect("commit");
    let raw = crate::assets::upload(
        router,
        Some(&s.owner),
        "logo.png",
        &crate::assets::png(40, 30),
    )
    .await;
    assert_eq!(
        raw.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&raw.body)
    );
    let info: app::model::AssetInfo = serde_json::from_slice(&raw.body).expect("asset");
    Tenant {
        a: s.a,
        owner: s.owner,
        asset: info.id,
        marker,
    }
}

async fn download(router: &Router, url: &str, cookie: Option<&str>) -> Raw {
    let mut req = Request::get(url).header(header::HOST, "127.0.0.1");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    send_raw(router, req.body(Body::empty()).expect("request")).await
}

async fn latest(router: &Router, cookie: &str) -> Option<OrgExport> {
    let r = call_json(router, "/api/org/export_latest", Some(cookie), json!({})).await;
    assert!(r.status.is_success(), "{}", r.text());
    r.json()
}

async fn actions(pool: &PgPool, tenant: Uuid) -> Vec<String> {
    let mut tx = app::db::tenant_tx(pool, tenant).await.expect("tx");
    sqlx::query_scalar(
        "SELECT action FROM audit_logs WHERE action LIKE 'organisation.%' ORDER BY created_at",
    )
    .fetch_all(&mut *tx)
    .await
    .expect("audit")
}

#[tokio::test]
async fn the_export_holds_exactly_the_tenants_data_and_nothing_of_another() {
    let pool = pool().await;
    let config = own_storage();
    let router = build(&config, pool.clone());
    let a = tenant_with_data(&router, &pool, "Export Bakery").await;
    let b = tenant_with_data(&router, &pool, "Export Rival").await;
    let admin = member_cookie(&pool, &a.a, "admin").await;

    // Two requests at once: one export, both answers name it.
    let (r1, r2) = tokio::join!(
        call_json(&router, "/api/org/export_start", Some(&a.owner), json!({})),
        call_json(&router, "/api/org/export_start", Some(&a.owner), json!({})),
    );
    assert!(
        r1.status.is_success() && r2.status.is_success(),
        "{} {}",
        r1.text(),
        r2.text()
    );
    let (e1, e2): (OrgExport, OrgExport) = (r1.json(), r2.json());
    assert_eq!(e1.id, e2.id, "one export per tenant at a time");
    assert!(e1.status.is_live());
    assert!(e1.download_url().is_none());
    // Another while it is queued: still the same one.
    let again: OrgExport = call_json(&router, "/api/org/export_start", Some(&a.owner), json!({}))
        .await
        .json();
    assert_eq!(again.id, e1.id);
    // Not the admin's business, nor B's owner's (who sees only B's nothing).
    let r = call_json(&router, "/api/org/export_start", Some(&admin), json!({})).await;
    assert!(matches!(r.error(), AppError::Forbidden(_)), "{}", r.text());
    assert_eq!(latest(&router, &b.owner).await, None);

    assert_eq!(run_export_job(&config, &pool, a.a.tenant_id).await, 1);
    let done = latest(&router, &a.owner).await.expect("export");
    assert_eq!(done.status, ExportStatus::Ready, "{done:?}");
    assert_eq!((done.percent, done.phase.as_str()), (100, "Ready"));
    let expires = done.expires_at.expect("expiry") - Utc::now();
    assert!(
        (6..=7).contains(&expires.num_days()),
        "expires in {expires:?}"
    );
    let url = done.download_url().expect("link");
    assert!(actions(&pool, a.a.tenant_id)
        .await
        .contains(&"organisation.exported".to_string()));

    // The download: owner only; another tenant's owner does not even learn it exists.
    assert_eq!(
        download(&router, &url, Some(&admin)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        download(&router, &url, Some(&b.owner)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        download(&router, &url, None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let zip = download(&router, &url, Some(&a.owner)).await;
    assert_eq!(zip.status, StatusCode::OK);
    assert_eq!(zip.headers[header::CONTENT_TYPE], "application/zip");
    assert_eq!(zip.body.len() as i64, done.size_bytes.expect("size"));

    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.body.clone())).expect("a zip");
    let entries = archive.len();
    let mut read = |name: &str| {
        let mut f = archive
            .by_name(name)
            .unwrap_or_else(|_| panic!("{name} in the zip"));
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).expect("read");
        bytes
    };
    let manifest: ExportManifest =
        serde_json::from_slice(&read("manifest.json")).expect("manifest");
    assert_eq!(manifest.format_version, 1);
    assert_eq!(manifest.organisation.id, a.a.tenant_id);
    assert_eq!(manifest.organisation.name, "Export Bakery");
    assert_eq!(manifest.websites.len(), 1);
    assert_eq!(manifest.websites[0].id, a.a.website_id);
    let folder = &manifest.websites[0].folder;
    let paths: Vec<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    let media = format!("media/{}/logo.png", a.asset);
    for want in [
        format!("{folder}/website.json"),
        format!("{folder}/form-submissions.csv"),
        "audit-log.json".to_string(),
        media.clone(),
    ] {
        assert!(paths.contains(&want.as_str()), "{want} listed in {paths:?}");
    }
    // Every listed file is in the zip with the stated size and hash; nothing else is.
    let mut everything = String::new();
    for f in &manifest.files {
        let bytes = read(&f.path);
        assert_eq!(bytes.len() as u64, f.size, "{}", f.path);
        assert_eq!(hex::encode(Sha256::digest(&bytes)), f.sha256, "{}", f.path);
        everything.push_str(&String::from_utf8_lossy(&bytes));
    }
    assert_eq!(
        entries,
        manifest.files.len() + 1,
        "only listed files and the manifest"
    );
    let site: serde_json::Value =
        serde_json::from_slice(&read(&format!("{folder}/website.json"))).expect("json");
    assert_eq!(site["format"], "sitepilot.website");
    assert!(
        String::from_utf8_lossy(&read(&format!("{folder}/form-submissions.csv")))
            .contains(&a.marker)
    );
    let audit: Vec<serde_json::Value> =
        serde_json::from_slice(&read("audit-log.json")).expect("audit");
    assert!(
        audit
            .iter()
            .any(|r| r["action"] == "user.signup" || r["action"] == "website.published"),
        "{audit:?}"
    );
    // The stored image, byte for byte.
    let stored = storage(&config)
        .get_bytes(&app::model::original_key(a.a.tenant_id, a.asset, "png"))
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(read(&media), stored.to_vec());
    // Nothing of B anywhere.
    for m in [
        b.a.tenant_id.to_string(),
        b.a.website_id.to_string(),
        b.a.subdomain.clone(),
        b.asset.to_string(),
        b.marker.clone(),
    ] {
        assert!(!everything.contains(&m), "B's {m} leaked into A's export");
    }

    // A new export may start now; the old link expires after 7 days and its file is deleted.
    let lc = server::org_lifecycle::sweep(
        &pool,
        &storage(&config),
        Utc::now() + Duration::days(6),
        Some(a.a.tenant_id),
    )
    .await;
    assert_eq!(lc.exports_expired, 0);
    assert_eq!(
        download(&router, &url, Some(&a.owner)).await.status,
        StatusCode::OK
    );
    let lc = server::org_lifecycle::sweep(
        &pool,
        &storage(&config),
        Utc::now() + Duration::days(8),
        Some(a.a.tenant_id),
    )
    .await;
    assert_eq!((lc.exports_expired, lc.failed), (1, 0));
    assert_eq!(
        latest(&router, &a.owner).await.expect("row").status,
        ExportStatus::Expired
    );
    assert_eq!(
        download(&router, &url, Some(&a.owner)).await.status,
        StatusCode::NOT_FOUND
    );
    let key = format!("exports/{}/{}.zip", a.a.tenant_id, done.id);
    assert!(!storage(&config).exists(&key).await.expect("head"));
}

#[tokio::test]
async fn the_export_page_shows_progress_from_the_row() {
    // The job writes its phase and percent as it goes; the page polls `export_latest`.
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Progress Cafe").await;
    let owner = cookie_for(&a);
    let e: OrgExport = call_json(&router, "/api/org/export_start", Some(&owner), json!({}))
        .await
        .json();
    assert_eq!((e.status, e.percent), (ExportStatus::Queued, 0));
    let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
    app::db::org_export::progress(&mut tx, e.id, "Media files (3 of 9)", 47)
        .await
        .expect("progress");
    tx.commit().await.expect("commit");
    let now = latest(&router, &owner).await.expect("export");
    assert_eq!(
        (now.status, now.percent, now.phase.as_str()),
        (ExportStatus::Running, 47, "Media files (3 of 9)")
    );
    // While it runs, asking again answers the running one.
    let again: OrgExport = call_json(&router, "/api/org/export_start", Some(&owner), json!({}))
        .await
        .json();
    assert_eq!(again.id, e.id);
}

#[tokio::test]
async fn deleting_the_organisation_takes_its_sites_offline_at_once_and_cancel_restores_them() {
    let pool = pool().await;
    let (_smtp, config) = (0, config());
    let first = build(&config, pool.clone());
    let second = build(&config, pool.clone());
    let s = published_site(&first, &pool, "Closing Deli").await;
    let admin = member_cookie(&pool, &s.a, "admin").await;
    eventually(&second, &s.host, "/", "warm", |g| {
        g.header("x-sitepilot-cache") == "hit"
    })
    .await;

    // The name must be typed; a wrong one changes nothing.
    let r = call_json(
        &first,
        "/api/org/delete",
        Some(&s.owner),
        json!({ "confirm_name": "Closing Del" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        matches!(r.error(), AppError::Invalid { ref field, .. } if field == "confirm_name"),
        "{}",
        r.text()
    );
    assert_eq!(
        fetch(&first, &s.host, "/", &[]).await.status,
        StatusCode::OK
    );
    // Not the admin's to do.
    let r = call_json(
        &first,
        "/api/org/delete",
        Some(&admin),
        json!({ "confirm_name": "Closing Deli" }),
    )
    .await;
    assert!(matches!(r.error(), AppError::Forbidden(_)), "{}", r.text());

    let r = call_json(
        &first,
        "/api/org/delete",
        Some(&s.owner),
        json!({ "confirm_name": " Closing Deli " }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let state: app::model::DeletionState = r.json();
    assert_eq!((state.purge_at - state.deleted_at).num_days(), 90);

    // Offline at once, on both instances: the clear "not available" page.
    for router in [&first, &second] {
        let gone = eventually(router, &s.host, "/", "offline", |g| {
            g.status == StatusCode::NOT_FOUND
        })
        .await;
        assert!(
            gone.body.contains("This website is not available"),
            "{}",
            gone.body
        );
    }
    // Members can sign in only to see the notice; the owner may cancel, the admin may not.
    let page = download(&first, "/dashboard", Some(&s.owner)).await;
    let html = String::from_utf8_lossy(&page.body);
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(
        html.contains(&state.purge_at.format("%Y-%m-%d").to_string()),
        "{html}"
    );
    assert!(html.contains("Cancel deletion"));
    let page = download(&first, "/settings", Some(&admin)).await;
    assert!(!String::from_utf8_lossy(&page.body).contains("Cancel deletion"));
    let r = call_json(&first, "/api/websites", Some(&s.owner), json!({})).await;
    assert!(matches!(r.error(), AppError::Forbidden(_)), "{}", r.text());
    let r = call_form(&first, "/api/org/deletion_cancel", Some(&admin), &[]).await;
    assert!(matches!(r.error(), AppError::Forbidden(_)), "{}", r.text());
    let email = {
        let mut tx = app::db::tenant_tx(&pool, s.a.tenant_id).await.expect("tx");
        let row: (String, String) = sqlx::query_as(
            "SELECT subject, body_text FROM email_outbox WHERE kind = 'organisation_deletion'",
        )
        .fetch_one(&mut *tx)
        .await
        .expect("the owner is emailed");
        row
    };
    assert!(
        email
            .1
            .contains(&state.purge_at.format("%Y-%m-%d").to_string()),
        "{email:?}"
    );

    // The owner cancels: everything is back.
    let r = call_form(&first, "/api/org/deletion_cancel", Some(&s.owner), &[]).await;
    assert!(
        r.status.is_success() || r.status.is_redirection(),
        "{} {}",
        r.status,
        r.text()
    );
    for router in [&first, &second] {
        eventually(router, &s.host, "/", "back online", |g| {
            g.status == StatusCode::OK
        })
        .await;
    }
    let r = call_json(&first, "/api/websites", Some(&s.owner), json!({})).await;
    assert!(r.status.is_success(), "{}", r.text());
    let r = call_form(&first, "/api/org/deletion_cancel", Some(&s.owner), &[]).await;
    assert!(
        matches!(r.error(), AppError::Invalid { .. }),
        "nothing to cancel: {}",
        r.text()
    );
    assert_eq!(
        actions(&pool, s.a.tenant_id).await,
        [
            "organisation.deletion_requested",
            "organisation.deletion_cancelled"
        ]
    );
}

#[tokio::test]
async fn a_deleted_organisation_is_purged_after_90_days_and_not_before() {
    let pool = pool().await;
    let config = own_storage();
    let router = build(&config, pool.clone());
    let t = tenant_with_data(&router, &pool, "Purged Diner").await;
    let other = tenant_with_data(&router, &pool, "Staying Diner").await;
    call_json(&router, "/api/org/export_start", Some(&t.owner), json!({})).await;
    assert_eq!(run_export_job(&config, &pool, t.a.tenant_id).await, 1);
    let r = call_json(
        &router,
        "/api/org/delete",
        Some(&t.owner),
        json!({ "confirm_name": "Purged Diner" }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let store = storage(&config);
    let key = app::model::original_key(t.a.tenant_id, t.asset, "png");
    let kept = app::model::original_key(other.a.tenant_id, other.asset, "png");
    let exists = |tenant: Uuid| {
        let pool = pool.clone();
        async move {
            let mut tx = app::db::tenant_tx(&pool, tenant).await.expect("tx");
            let n: i64 = sqlx::query_scalar("SELECT count(*) FROM tenants")
                .fetch_one(&mut *tx)
                .await
                .expect("count");
            n == 1
        }
    };

    let s = server::org_lifecycle::sweep(
        &pool,
        &store,
        Utc::now() + Duration::days(89),
        Some(t.a.tenant_id),
    )
    .await;
    assert_eq!((s.purged, s.failed), (0, 0));
    assert!(exists(t.a.tenant_id).await);
    assert!(store.exists(&key).await.expect("head"));
    // Other tenants' deleted-or-not state is never touched by a sweep for all.
    let s = server::org_lifecycle::sweep(
        &pool,
        &store,
        Utc::now() + Duration::days(91),
        Some(t.a.tenant_id),
    )
    .await;
    assert_eq!((s.purged, s.failed), (1, 0));
    assert!(
        !exists(t.a.tenant_id).await,
        "the tenant and its rows are gone"
    );
    assert!(
        !store.exists(&key).await.expect("head"),
        "its files are gone"
    );
    let mut tx = app::db::tenant_tx(&pool, t.a.tenant_id).await.expect("tx");
    let left: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM websites) + (SELECT count(*) FROM assets) + (SELECT count(*) FROM form_submissions)
              + (SELECT count(*) FROM organisation_exports) + (SELECT count(*) FROM users)",
    )
    .fetch_one(&mut *tx)
    .await
    .expect("count");
    tx.commit().await.expect("commit");
    assert_eq!(left, 0);
    assert!(exists(other.a.tenant_id).await);
    assert!(
        store.exists(&kept).await.expect("head"),
        "another tenant's files stay"
    );
    // The owner cannot sign in any more; the site is unknown.
    let r = call_json(&router, "/api/websites", Some(&t.owner), json!({})).await;
    assert!(matches!(r.error(), AppError::Unauthorized), "{}", r.text());
    // Purging an active tenant is refused by the database function itself.
    assert!(!app::db::system::organisation_purge(
        &pool,
        other.a.tenant_id,
        Utc::now() + Duration::days(365)
    )
    .await
    .expect("call"));
    assert!(exists(other.a.tenant_id).await);
}

#[tokio::test]
async fn deleting_stops_the_test_mode_subscription_renewing_and_cancel_resumes_it() {
    let pool = pool().await;
    let config = ServerConfig {
        billing_test_mode: true,
        ..config()
    };
    let router = build(&config, pool.clone());
    let a = account(&pool, "Paying Deli").await;
    let owner = cookie_for(&a);
    let r = call_json(
        &router,
        "/api/billing/test_change",
        Some(&owner),
        json!({ "plan": "growth", "cycle": "monthly", "keep": [] }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let tenant = a.tenant_id;
    let renewing = |pool: PgPool| async move {
        let mut tx = app::db::tenant_tx(&pool, tenant).await.expect("tx");
        let (status, cancel): (String, bool) =
            sqlx::query_as("SELECT status, cancel_at_period_end FROM subscriptions")
                .fetch_one(&mut *tx)
                .await
                .expect("subscription");
        (status, !cancel)
    };
    assert_eq!(renewing(pool.clone()).await, ("active".to_string(), true));
    let r = call_json(
        &router,
        "/api/org/delete",
        Some(&owner),
        json!({ "confirm_name": "Paying Deli" }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(renewing(pool.clone()).await, ("active".to_string(), false));
    let r = call_form(&router, "/api/org/deletion_cancel", Some(&owner), &[]).await;
    assert!(
        r.status.is_success() || r.status.is_redirection(),
        "{}",
        r.text()
    );
    assert_eq!(renewing(pool.clone()).await, ("active".to_string(), true));
}

#[tokio::test]
async fn with_stripe_keys_deleting_stops_the_live_subscription_renewing_and_cancel_resumes_it() {
    let pool = pool().await;
    let (stripe, base) = crate::stripe_api::stand_in().await;
    let router = crate::stripe_api::stripe_router(pool.clone(), &base);
    let a = account(&pool, "Live Deli").await;
    let owner = cookie_for(&a);
    let sub = format!("sub_1Live{}", &Uuid::new_v4().simple().to_string()[..10]);
    let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
    sqlx::query("UPDATE subscriptions SET stripe_subscription_id = $1, status = 'active'")
        .bind(&sub)
        .execute(&mut *tx)
        .await
        .expect("subscription");
    tx.commit().await.expect("commit");
    let path = format!("/v1/subscriptions/{sub}");

    let r = call_json(
        &router,
        "/api/org/delete",
        Some(&owner),
        json!({ "confirm_name": "Live Deli" }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let sent = stripe.seen(&path);
    assert_eq!(sent.len(), 1, "one call to Stripe");
    assert_eq!(sent[0].field("cancel_at_period_end"), Some("true"));

    let r = call_form(&router, "/api/org/deletion_cancel", Some(&owner), &[]).await;
    assert!(
        r.status.is_success() || r.status.is_redirection(),
        "{}",
        r.text()
    );
    let sent = stripe.seen(&path);
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1].field("cancel_at_period_end"), Some("false"));

    // Without a live subscription nothing is sent to Stripe.
    let b = account(&pool, "Free Deli").await;
    let r = call_json(
        &router,
        "/api/org/delete",
        Some(&cookie_for(&b)),
        json!({ "confirm_name": "Free Deli" }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(stripe.seen(&path).len(), 2);
}
