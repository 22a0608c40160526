//! Organisation settings, the first-run checklist, activity and ownership transfer (issue 23,
//! migration 0041).

use app::db::tenant_tx;
use app::error::AppError;
use app::model::{AnalyticsReport, Onboarding, Organisation};
use chrono::NaiveDate;
use serde_json::json;
use uuid::Uuid;

use crate::common::*;

fn settings(name: &str, tz: &str) -> serde_json::Value {
    json!({ "settings": { "name": name, "logo_url": "/media/x/y/o64x64.png", "timezone": tz, "locale": "de" } })
}

async fn org(router: &axum::Router, cookie: &str) -> Organisation {
    let r = call_json(router, "/api/org/get", Some(cookie), json!({})).await;
    assert!(r.status.is_success(), "{}", r.text());
    r.json()
}

async fn audit_count(pool: &sqlx::PgPool, tenant: Uuid, action: &str) -> i64 {
    let mut tx = tenant_tx(pool, tenant).await.expect("tx");
    sqlx::query_scalar("SELECT count(*) FROM audit_logs WHERE action = $1")
        .bind(action)
        .fetch_one(&mut *tx)
        .await
        .expect("audit")
}

#[tokio::test]
async fn organisation_settings_are_checked_saved_audited_and_read_only_for_others() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Org Settings").await;
    let owner = cookie_for(&a);
    let viewer = member_cookie(&pool, &a, "viewer").await;
    let admin = member_cookie(&pool, &a, "admin").await;

    let before = org(&router, &owner).await;
    assert_eq!(
        (before.timezone.as_str(), before.locale.as_str()),
        ("UTC", "en")
    );
    assert!(before.can_edit);
    let seen = org(&router, &viewer).await;
    assert!(!seen.can_edit, "a viewer reads the settings only");
    assert_eq!(seen.name, before.name);

    // A name PostgreSQL does not know, a malformed one, a script as logo: refused, nothing saved.
    for (body, field) in [
        (settings("Renamed Org", "Mars/Olympus_Mons"), "timezone"),
        (settings("Renamed Org", "Europe/Berlin; DROP"), "timezone"),
        (
            json!({ "settings": { "name": "Renamed Org", "logo_url": "javascript:alert(1)", "timezone": "UTC", "locale": "en" } }),
            "logo_url",
        ),
        (
            json!({ "settings": { "name": "Renamed Org", "logo_url": "", "timezone": "UTC", "locale": "xx" } }),
            "locale",
        ),
    ] {
        let r = call_json(&router, "/api/org/update", Some(&owner), body).await;
        assert_eq!(r.status, 400, "{}", r.text());
        assert!(
            matches!(r.error(), AppError::Invalid { field: ref f, .. } if f == field),
            "{}",
            r.text()
        );
    }
    assert_eq!(org(&router, &owner).await, before);

    let r = call_json(
        &router,
        "/api/org/update",
        Some(&viewer),
        settings("Viewer Org", "UTC"),
    )
    .await;
    assert!(matches!(r.error(), AppError::Forbidden(_)), "{}", r.text());

    let r = call_json(
        &router,
        "/api/org/update",
        Some(&admin),
        settings("Renamed Org", "Europe/Berlin"),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let after = org(&router, &owner).await;
    assert_eq!(after.name, "Renamed Org");
    assert_eq!(after.timezone, "Europe/Berlin");
    assert_eq!(after.locale, "de");
    assert_eq!(after.logo_url.as_deref(), Some("/media/x/y/o64x64.png"));
    assert_eq!(
        audit_count(&pool, a.tenant_id, "organisation.updated").await,
        1
    );
    // Saving the same values again changes nothing and writes no audit row.
    let r = call_json(
        &router,
        "/api/org/update",
        Some(&admin),
        settings("Renamed Org", "Europe/Berlin"),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(
        audit_count(&pool, a.tenant_id, "organisation.updated").await,
        1
    );
}

fn views_on(report: &AnalyticsReport, day: NaiveDate) -> i64 {
    report
        .days
        .iter()
        .find(|d| d.date == day)
        .map_or(0, |d| d.page_views)
}

/// Two page views half an hour either side of midnight UTC: two UTC days, one New York day.
#[tokio::test]
async fn analytics_days_follow_the_tenant_timezone() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Timezone Bakery").await;
    set_plan(&pool, a.tenant_id, GROWTH).await;
    let owner = cookie_for(&a);
    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    for minutes in [-30, 30] {
        sqlx::query(
            r#"INSERT INTO raw_page_events (tenant_id, website_id, page_slug, visitor_id, created_at)
               VALUES ($1, $2, '/', $3,
                       (date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')
                         + make_interval(mins => $4))"#,
        )
        .bind(a.tenant_id)
        .bind(a.website_id)
        .bind(format!("v{minutes}"))
        .bind(minutes)
        .execute(&mut *tx)
        .await
        .expect("event");
    }
    tx.commit().await.expect("commit");
    let today = chrono::Utc::now().date_naive();
    let yesterday = today - chrono::Duration::days(1);
    for day in [yesterday, today] {
        app::db::analytics::rollup_all(&pool, day)
            .await
            .expect("rollup");
    }
    let report = |router: axum::Router, cookie: String| async move {
        let r = call_json(
            &router,
            "/api/analytics/report",
            Some(&cookie),
            json!({ "website_id": a.website_id, "days": 7 }),
        )
        .await;
        assert!(r.status.is_success(), "{}", r.text());
        r.json::<AnalyticsReport>()
    };
    let utc = report(router.clone(), owner.clone()).await;
    assert_eq!(
        (views_on(&utc, yesterday), views_on(&utc, today)),
        (1, 1),
        "{utc:?}"
    );

    let r = call_json(
        &router,
        "/api/org/update",
        Some(&owner),
        settings("Timezone Bakery", "America/New_York"),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let ny = report(router.clone(), owner.clone()).await;
    assert_eq!(
        (views_on(&ny, yesterday), views_on(&ny, today)),
        (2, 0),
        "both views fall on the same New York evening: {ny:?}"
    );
    assert_eq!(ny.page_views, 2);
    // The recurring job keeps the local days too.
    for day in [yesterday, today] {
        app::db::analytics::rollup_all(&pool, day)
            .await
            .expect("rollup");
    }
    let again = report(router, owner).await;
    assert_eq!(views_on(&again, yesterday), 2);
    assert_eq!(views_on(&again, today), 0);
}

async fn onboarding(router: &axum::Router, cookie: &str) -> Option<Onboarding> {
    let r = call_json(router, "/api/org/onboarding", Some(cookie), json!({})).await;
    assert!(r.status.is_success(), "{}", r.text());
    r.json()
}

fn ticked(o: &Onboarding) -> Vec<(&str, bool)> {
    o.items.iter().map(|i| (i.key.as_str(), i.done)).collect()
}

#[tokio::test]
async fn the_checklist_ticks_from_real_data_and_completes() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Checklist Cafe").await;
    let owner = cookie_for(&a);
    let first = onboarding(&router, &owner).await.expect("shown");
    assert_eq!(
        ticked(&first),
        vec![
            ("publish", false),
            ("page", false),
            ("invite", false),
            ("domain", false)
        ]
    );
    assert!(first.can_dismiss);

    let r = call_json(
        &router,
        "/api/websites/publish",
        Some(&owner),
        json!({ "website_id": a.website_id }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let editor = member_cookie(&pool, &a, "editor").await;
    let seen = onboarding(&router, &editor).await.expect("shown");
    assert_eq!(
        ticked(&seen),
        vec![
            ("publish", true),
            ("page", false),
            ("invite", true),
            ("domain", false)
        ]
    );
    assert!(!seen.can_dismiss);
    let r = call_json(
        &router,
        "/api/org/onboarding_dismiss",
        Some(&editor),
        json!({}),
    )
    .await;
    assert!(matches!(r.error(), AppError::Forbidden(_)), "{}", r.text());

    // A page and a domain: everything is done, onboarding is recorded as complete.
    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    sqlx::query(
        "INSERT INTO pages (tenant_id, website_id, title, slug) VALUES ($1, $2, 'About', '/about')",
    )
    .bind(a.tenant_id)
    .bind(a.website_id)
    .execute(&mut *tx)
    .await
    .expect("page");
    sqlx::query("UPDATE websites SET custom_domain = $2 WHERE id = $1")
        .bind(a.website_id)
        .bind(format!("{}.example.com", unique("shop-")))
        .execute(&mut *tx)
        .await
        .expect("domain");
    tx.commit().await.expect("commit");
    assert_eq!(onboarding(&router, &owner).await, None);
    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let done: bool = sqlx::query_scalar("SELECT onboarding_completed FROM tenants")
        .fetch_one(&mut *tx)
        .await
        .expect("flag");
    drop(tx);
    assert!(done);
    assert_eq!(
        audit_count(&pool, a.tenant_id, "organisation.onboarding_completed").await,
        1
    );

    // The owner may close it before that.
    let b = account(&pool, "Dismiss Cafe").await;
    let r = call_json(
        &router,
        "/api/org/onboarding_dismiss",
        Some(&cookie_for(&b)),
        json!({}),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(onboarding(&router, &cookie_for(&b)).await, None);
}

#[tokio::test]
async fn logging_in_records_activity_at_most_every_five_minutes() {
    let pool = pool().await;
    let router = router(pool.clone());
    let email = format!("{}@example.com", unique("active-"));
    let a = app::db::accounts::signup(
        &pool,
        app::db::accounts::SignupInput {
            full_name: "Active Owner".into(),
            org_name: "Active Org".into(),
            email: email.clone(),
            password: "correct-horse-7".into(),
        },
    )
    .await
    .expect("signup");
    let last = || {
        let pool = pool.clone();
        async move {
            let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
            let at: Option<chrono::DateTime<chrono::Utc>> =
                sqlx::query_scalar("SELECT last_active_at FROM tenants")
                    .fetch_one(&mut *tx)
                    .await
                    .expect("read");
            at
        }
    };
    let login = || {
        let router = router.clone();
        let email = email.clone();
        async move {
            let r = call_form(
                &router,
                "/api/login",
                None,
                &[("email", &email), ("password", "correct-horse-7")],
            )
            .await;
            assert!(r.status.is_success(), "{}", r.text());
        }
    };
    login().await;
    let first = last().await.expect("recorded at log-in");
    login().await;
    assert_eq!(last().await, Some(first), "not again within five minutes");
    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    sqlx::query("UPDATE tenants SET last_active_at = now() - interval '6 minutes'")
        .execute(&mut *tx)
        .await
        .expect("age");
    tx.commit().await.expect("commit");
    login().await;
    assert!(last().await.expect("set") > first);
}

async fn role_of(pool: &sqlx::PgPool, tenant: Uuid, user: Uuid) -> String {
    let mut tx = tenant_tx(pool, tenant).await.expect("tx");
    sqlx::query_scalar("SELECT role FROM users WHERE id = $1")
        .bind(user)
        .fetch_one(&mut *tx)
        .await
        .expect("role")
}

async fn owners(pool: &sqlx::PgPool, tenant: Uuid) -> Vec<Uuid> {
    let mut tx = tenant_tx(pool, tenant).await.expect("tx");
    sqlx::query_scalar("SELECT id FROM users WHERE role = 'owner'")
        .fetch_all(&mut *tx)
        .await
        .expect("owners")
}

/// The token in the newest queued transfer email (its body is kept until it is sent).
async fn emailed_token(pool: &sqlx::PgPool, tenant: Uuid, to: &str) -> String {
    let mut tx = tenant_tx(pool, tenant).await.expect("tx");
    let body: String = sqlx::query_scalar(
        "SELECT body_text FROM email_outbox WHERE kind = 'ownership_transfer' AND to_email = $1 ORDER BY created_at DESC LIMIT 1",
    )
    .bind(to)
    .fetch_one(&mut *tx)
    .await
    .expect("email");
    let at = body.find("transfer=").expect("link") + "transfer=".len();
    body[at..at + 64].to_string()
}

async fn email_of(pool: &sqlx::PgPool, tenant: Uuid, user: Uuid) -> String {
    let mut tx = tenant_tx(pool, tenant).await.expect("tx");
    sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(user)
        .fetch_one(&mut *tx)
        .await
        .expect("email")
}

#[tokio::test]
async fn ownership_moves_to_the_admin_who_confirms_the_emailed_link() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Transfer Studio").await;
    let owner = cookie_for(&a);
    let (admin, admin_id) = member(&pool, &a, "admin", Some("Ada Admin")).await;
    let (editor, editor_id) = member(&pool, &a, "editor", None).await;

    // Only an admin can receive it; only the owner can ask.
    let r = call_json(
        &router,
        "/api/org/transfer_start",
        Some(&owner),
        json!({ "to_user_id": editor_id }),
    )
    .await;
    assert!(
        matches!(r.error(), AppError::Invalid { .. }),
        "{}",
        r.text()
    );
    let r = call_json(
        &router,
        "/api/org/transfer_start",
        Some(&admin),
        json!({ "to_user_id": admin_id }),
    )
    .await;
    assert!(matches!(r.error(), AppError::Forbidden(_)), "{}", r.text());

    let r = call_json(
        &router,
        "/api/org/transfer_start",
        Some(&owner),
        json!({ "to_user_id": admin_id }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let state: app::model::TransferState =
        call_json(&router, "/api/org/transfer_state", Some(&owner), json!({}))
            .await
            .json();
    assert_eq!(state.pending.as_ref().map(|p| p.to_user_id), Some(admin_id));
    assert!(state
        .admins
        .iter()
        .any(|c| c.user_id == admin_id && c.label.contains("Ada Admin")));
    let admin_email = email_of(&pool, a.tenant_id, admin_id).await;
    let token = emailed_token(&pool, a.tenant_id, &admin_email).await;

    // The link works only for its admin, and only whole.
    let r = call_json(
        &router,
        "/api/org/transfer_confirm",
        Some(&editor),
        json!({ "token": token }),
    )
    .await;
    assert!(matches!(r.error(), AppError::Forbidden(_)), "{}", r.text());
    let r = call_json(
        &router,
        "/api/org/transfer_confirm",
        Some(&admin),
        json!({ "token": "ab".repeat(32) }),
    )
    .await;
    assert!(
        matches!(r.error(), AppError::Invalid { .. }),
        "{}",
        r.text()
    );
    assert_eq!(owners(&pool, a.tenant_id).await, vec![a.user_id]);

    let r = call_json(
        &router,
        "/api/org/transfer_confirm",
        Some(&admin),
        json!({ "token": token }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(owners(&pool, a.tenant_id).await, vec![admin_id]);
    assert_eq!(role_of(&pool, a.tenant_id, a.user_id).await, "admin");
    assert_eq!(
        audit_count(&pool, a.tenant_id, "organisation.ownership_transferred").await,
        1
    );
    // Used once; the old owner cannot take it back with it either.
    let r = call_json(
        &router,
        "/api/org/transfer_confirm",
        Some(&admin),
        json!({ "token": token }),
    )
    .await;
    assert!(r.status.is_client_error(), "{}", r.text());
    let r = call_json(
        &router,
        "/api/org/transfer_confirm",
        Some(&owner),
        json!({ "token": token }),
    )
    .await;
    assert!(r.status.is_client_error(), "{}", r.text());
    assert_eq!(owners(&pool, a.tenant_id).await, vec![admin_id]);
    // The new owner now has the owner's powers, the old one an admin's.
    let r = call_json(&router, "/api/org/transfer_state", Some(&admin), json!({})).await;
    assert!(r.status.is_success(), "{}", r.text());
    let r = call_json(&router, "/api/org/transfer_state", Some(&owner), json!({})).await;
    assert!(matches!(r.error(), AppError::Forbidden(_)), "{}", r.text());

    // Withdrawing ends a pending link.
    let r = call_json(
        &router,
        "/api/org/transfer_start",
        Some(&admin),
        json!({ "to_user_id": a.user_id }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let owner_email = email_of(&pool, a.tenant_id, a.user_id).await;
    let back = emailed_token(&pool, a.tenant_id, &owner_email).await;
    let r = call_json(&router, "/api/org/transfer_cancel", Some(&admin), json!({})).await;
    assert!(r.status.is_success(), "{}", r.text());
    let r = call_json(
        &router,
        "/api/org/transfer_confirm",
        Some(&owner),
        json!({ "token": back }),
    )
    .await;
    assert!(
        matches!(r.error(), AppError::Invalid { .. }),
        "{}",
        r.text()
    );
    assert_eq!(owners(&pool, a.tenant_id).await, vec![admin_id]);
}

/// Two live links (to two admins) and the same link twice, confirmed at the same moment:
/// exactly one confirmation wins and the tenant keeps exactly one owner.
#[tokio::test]
async fn concurrent_confirmations_leave_exactly_one_owner() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Race Studio").await;
    let (first, first_id) = member(&pool, &a, "admin", None).await;
    let (second, second_id) = member(&pool, &a, "admin", None).await;
    let mut tx = tenant_tx(&pool, a.tenant_id).await.expect("tx");
    let t1 = app::db::organisation::start_transfer(
        &mut tx,
        a.tenant_id,
        a.user_id,
        "Owner",
        first_id,
        "http://x",
    )
    .await
    .expect("first");
    // A second live link beside the first (the app keeps one; the database must cope anyway).
    let (t2, hash) = app::db::accounts::new_session_token();
    sqlx::query(
        r#"INSERT INTO user_tokens (token_hash, tenant_id, user_id, purpose, email, expires_at, issued_by)
           VALUES ($1, $2, $3, 'ownership_transfer', 'x@example.com', now() + interval '1 day', $4)"#,
    )
    .bind(hash)
    .bind(a.tenant_id)
    .bind(second_id)
    .bind(a.user_id)
    .execute(&mut *tx)
    .await
    .expect("second");
    tx.commit().await.expect("commit");

    let (r1, r2) = tokio::join!(
        call_json(
            &router,
            "/api/org/transfer_confirm",
            Some(&first),
            json!({ "token": t1 })
        ),
        call_json(
            &router,
            "/api/org/transfer_confirm",
            Some(&second),
            json!({ "token": t2 })
        ),
    );
    let wins = [&r1, &r2].iter().filter(|r| r.status.is_success()).count();
    assert_eq!(wins, 1, "{} / {}", r1.text(), r2.text());
    let left = owners(&pool, a.tenant_id).await;
    assert_eq!(left.len(), 1);
    assert!(left[0] == first_id || left[0] == second_id);
    assert_eq!(role_of(&pool, a.tenant_id, a.user_id).await, "admin");

    // The same link twice at once.
    let b = account(&pool, "Race Twice").await;
    let (admin, admin_id) = member(&pool, &b, "admin", None).await;
    let mut tx = tenant_tx(&pool, b.tenant_id).await.expect("tx");
    let t = app::db::organisation::start_transfer(
        &mut tx,
        b.tenant_id,
        b.user_id,
        "Owner",
        admin_id,
        "http://x",
    )
    .await
    .expect("link");
    tx.commit().await.expect("commit");
    let (r1, r2) = tokio::join!(
        call_json(
            &router,
            "/api/org/transfer_confirm",
            Some(&admin),
            json!({ "token": t.clone() })
        ),
        call_json(
            &router,
            "/api/org/transfer_confirm",
            Some(&admin),
            json!({ "token": t })
        ),
    );
    assert_eq!(
        [&r1, &r2].iter().filter(|r| r.status.is_success()).count(),
        1
    );
    assert_eq!(owners(&pool, b.tenant_id).await, vec![admin_id]);
    assert_eq!(
        audit_count(&pool, b.tenant_id, "organisation.ownership_transferred").await,
        1
    );
}
