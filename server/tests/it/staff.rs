//! The operator console (migration 0049, `app::db::staff`): staff accounts made by the owner
//! role (as `server staff create` does), the two-step log-in with a TOTP code (no replay),
//! search by name / email / domain / Stripe customer, plan-usage-status, suspend and unsuspend
//! with a reason (the site answers "suspended" on a second instance too, billing cannot lift
//! it), trial extension, and read-only impersonation with its banner and audit rows. The
//! refusals to tenant roles are in `permissions` (`Rule::Staff`).

use app::api::ctx::READ_ONLY_IMPERSONATION;
use app::error::AppError;
use app::model::staff::{StaffState, TenantDetail, TenantHit};
use app::model::CurrentUser;
use axum::http::StatusCode;
use axum::Router;
use chrono::{Duration, Utc};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::common::*;
use crate::visitor_site::{eventually, published_site};

const PASSWORD: &str = "staff-password-42";

async fn owner_pool() -> PgPool {
    PgPool::connect(&std::env::var("DATABASE_URL").expect("DATABASE_URL"))
        .await
        .expect("owner pool")
}

/// A new staff account: (email, TOTP secret).
pub async fn staff_account() -> (String, String) {
    let email = format!("{}@staff.example.com", unique("ops-"));
    let (_, secret) = app::db::staff::create_account(&owner_pool().await, &email, PASSWORD)
        .await
        .expect("staff account");
    (email, secret)
}

fn staff_cookie(r: &Reply) -> String {
    r.set_cookie
        .iter()
        .find(|c| c.starts_with("sp_staff="))
        .and_then(|c| c.split(';').next())
        .expect("a staff cookie")
        .to_string()
}

fn now() -> u64 {
    u64::try_from(Utc::now().timestamp()).expect("time")
}

/// Step 1 only: a staff session that passed the password and not the code.
pub async fn password_only_session(router: &Router) -> String {
    let (email, _) = staff_account().await;
    let r = call_json(
        router,
        "/api/staff/login",
        None,
        json!({ "email": email, "password": PASSWORD }),
    )
    .await;
    assert!(r.status.is_success(), "staff login: {}", r.text());
    staff_cookie(&r)
}

/// A signed-in staff member (both factors): their cookie and email.
pub async fn staff_signed_in(router: &Router) -> (String, String) {
    let (email, secret) = staff_account().await;
    let r = call_json(
        router,
        "/api/staff/login",
        None,
        json!({ "email": email, "password": PASSWORD }),
    )
    .await;
    assert!(r.status.is_success(), "staff login: {}", r.text());
    let cookie = staff_cookie(&r);
    let code = app::db::staff::totp_code(&secret, now()).expect("code");
    let r = call_json(
        router,
        "/api/staff/verify",
        Some(&cookie),
        json!({ "code": code }),
    )
    .await;
    assert!(r.status.is_success(), "staff verify: {}", r.text());
    (cookie, email)
}

async fn search(router: &Router, cookie: &str, q: &str) -> Vec<TenantHit> {
    let r = call_json(
        router,
        "/api/staff/search",
        Some(cookie),
        json!({ "query": q }),
    )
    .await;
    assert!(r.status.is_success(), "search {q}: {}", r.text());
    r.json()
}

async fn detail(router: &Router, cookie: &str, tenant: Uuid) -> TenantDetail {
    let r = call_json(
        router,
        "/api/staff/tenant",
        Some(cookie),
        json!({ "tenant_id": tenant }),
    )
    .await;
    assert!(r.status.is_success(), "detail: {}", r.text());
    r.json()
}

async fn tenant_audit(pool: &PgPool, tenant: Uuid, action: &str) -> Vec<serde_json::Value> {
    let mut tx = app::db::tenant_tx(pool, tenant).await.expect("tx");
    let rows: Vec<serde_json::Value> =
        sqlx::query_scalar("SELECT metadata FROM audit_logs WHERE action = $1 ORDER BY created_at")
            .bind(action)
            .fetch_all(&mut *tx)
            .await
            .expect("audit");
    tx.commit().await.expect("commit");
    rows
}

async fn staff_audit_count(email: &str, action: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM staff_audit_log WHERE staff_email = $1 AND action = $2",
    )
    .bind(email)
    .bind(action)
    .fetch_one(&owner_pool().await)
    .await
    .expect("staff audit")
}

#[tokio::test]
async fn staff_log_in_needs_the_totp_code_once_and_the_app_role_cannot_reach_staff_tables() {
    let pool = pool().await;
    let router = router(pool.clone());
    let (email, secret) = staff_account().await;

    // A wrong password: a field error, no cookie.
    let r = call_json(
        &router,
        "/api/staff/login",
        None,
        json!({ "email": email, "password": "wrong-password-1" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.set_cookie.iter().all(|c| !c.starts_with("sp_staff=")));

    let r = call_json(
        &router,
        "/api/staff/login",
        None,
        json!({ "email": email, "password": PASSWORD }),
    )
    .await;
    let cookie = staff_cookie(&r);
    let me: StaffState = call_json(&router, "/api/staff/me", Some(&cookie), json!({}))
        .await
        .json();
    assert_eq!(
        me,
        StaffState::SecondFactor {
            email: email.clone()
        }
    );
    // Nothing works before the code.
    let r = call_json(
        &router,
        "/api/staff/search",
        Some(&cookie),
        json!({ "query": "a" }),
    )
    .await;
    assert!(matches!(r.error(), AppError::Unauthorized), "{}", r.text());

    // A wrong code, then one of another secret: refused with a field error.
    for code in ["12345", "abcdef", "000000"] {
        let r = call_json(
            &router,
            "/api/staff/verify",
            Some(&cookie),
            json!({ "code": code }),
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{code}: {}", r.text());
        assert_eq!(r.error().field(), Some("code"));
    }
    let code = app::db::staff::totp_code(&secret, now()).expect("code");
    let r = call_json(
        &router,
        "/api/staff/verify",
        Some(&cookie),
        json!({ "code": code }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let me: StaffState = call_json(&router, "/api/staff/me", Some(&cookie), json!({}))
        .await
        .json();
    assert_eq!(
        me,
        StaffState::SignedIn {
            email: email.clone(),
            impersonating: None
        }
    );
    assert_eq!(staff_audit_count(&email, "staff.logged_in").await, 1);

    // The same code again, in a new session: refused (no replay).
    let r = call_json(
        &router,
        "/api/staff/login",
        None,
        json!({ "email": email, "password": PASSWORD }),
    )
    .await;
    let second = staff_cookie(&r);
    let r = call_json(
        &router,
        "/api/staff/verify",
        Some(&second),
        json!({ "code": code }),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());

    // Log-out ends the session.
    let r = call_json(&router, "/api/staff/logout", Some(&cookie), json!({})).await;
    assert!(r.status.is_success());
    let me: StaffState = call_json(&router, "/api/staff/me", Some(&cookie), json!({}))
        .await
        .json();
    assert_eq!(me, StaffState::SignedOut);

    // The request role has no privilege on the staff tables at all.
    for table in ["staff_accounts", "staff_sessions", "staff_audit_log"] {
        let err = sqlx::query(&format!("SELECT 1 FROM {table} LIMIT 1"))
            .execute(&pool)
            .await
            .expect_err("app role reads staff tables");
        assert!(
            err.to_string().contains("permission denied"),
            "{table}: {err}"
        );
    }
    let err = sqlx::query(
        "INSERT INTO staff_accounts (email, password_hash, totp_secret) VALUES ('x@y.z', 'h', 's')",
    )
    .execute(&pool)
    .await
    .expect_err("app role creates staff");
    assert!(err.to_string().contains("permission denied"), "{err}");
}

#[tokio::test]
async fn staff_find_a_tenant_suspend_it_everywhere_and_lift_it() {
    let pool = pool().await;
    let router = router(pool.clone());
    // A second instance on the same database, with its own visitor cache.
    let other = crate::common::router(pool.clone());
    let name = unique("Staffed Bakery ");
    let s = published_site(&router, &pool, &name).await;
    let tenant = s.a.tenant_id;
    let stripe = unique("cus_staff");
    let mut tx = app::db::tenant_tx(&pool, tenant).await.expect("tx");
    sqlx::query("UPDATE tenants SET stripe_customer_id = $1 WHERE id = $2")
        .bind(&stripe)
        .bind(tenant)
        .execute(&mut *tx)
        .await
        .expect("customer");
    tx.commit().await.expect("commit");
    // The other instance serves (and caches) the live site first.
    eventually(&other, &s.host, "/", "live", |g| g.status == StatusCode::OK).await;

    let (staff, staff_email) = staff_signed_in(&router).await;
    let owner_email: String = {
        let mut tx = app::db::tenant_tx(&pool, tenant).await.expect("tx");
        let e = sqlx::query_scalar("SELECT email FROM users WHERE role = 'owner'")
            .fetch_one(&mut *tx)
            .await
            .expect("owner");
        tx.commit().await.expect("commit");
        e
    };
    for q in [
        name.as_str(),
        &owner_email.to_uppercase(),
        &s.a.subdomain,
        &stripe,
    ] {
        let hits = search(&router, &staff, q).await;
        assert!(hits.iter().any(|h| h.id == tenant), "search {q}: {hits:?}");
    }
    assert!(search(&router, &staff, "%").await.len() <= 50);
    let r = call_json(
        &router,
        "/api/staff/search",
        Some(&staff),
        json!({ "query": "  " }),
    )
    .await;
    assert_eq!(r.error().field(), Some("query"));

    let d = detail(&router, &staff, tenant).await;
    assert_eq!(d.status, "active");
    assert_eq!(d.websites, 1);
    assert_eq!(d.members, 1);
    assert_eq!(d.owner_email.as_deref(), Some(owner_email.as_str()));
    let r = call_json(
        &router,
        "/api/staff/tenant",
        Some(&staff),
        json!({ "tenant_id": Uuid::new_v4() }),
    )
    .await;
    assert!(matches!(r.error(), AppError::NotFound(_)));

    // No reason: refused, nothing changed.
    let r = call_json(
        &router,
        "/api/staff/suspend",
        Some(&staff),
        json!({ "tenant_id": tenant, "reason": " " }),
    )
    .await;
    assert_eq!(r.error().field(), Some("reason"));
    assert_eq!(detail(&router, &staff, tenant).await.status, "active");

    let r = call_json(
        &router,
        "/api/staff/suspend",
        Some(&staff),
        json!({ "tenant_id": tenant, "reason": "Phishing reported" }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let d: TenantDetail = r.json();
    assert_eq!(d.status, "suspended");
    assert_eq!(
        d.staff_suspension_reason.as_deref(),
        Some("Phishing reported")
    );
    // Twice: refused with a sentence.
    let r = call_json(
        &router,
        "/api/staff/suspend",
        Some(&staff),
        json!({ "tenant_id": tenant, "reason": "again" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // Both instances answer "suspended" (the other one heard it over LISTEN/NOTIFY).
    for r in [&router, &other] {
        let got = eventually(r, &s.host, "/", "suspended", |g| {
            g.status == StatusCode::FORBIDDEN
        })
        .await;
        assert!(got.body.contains("suspended"), "{}", got.body);
    }
    // Its members get the suspension answer.
    let r = call_json(
        &router,
        "/api/websites/create",
        Some(&s.owner),
        json!({ "name": "x", "subdomain": unique("x-") }),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Billing lifting its own suspension leaves the staff's in place.
    let mut tx = app::db::tenant_tx(&pool, tenant).await.expect("tx");
    app::db::billing::sync_suspension(&mut tx, tenant, "active")
        .await
        .expect("sync");
    tx.commit().await.expect("commit");
    assert_eq!(detail(&router, &staff, tenant).await.status, "suspended");

    let audit = tenant_audit(&pool, tenant, "staff.suspended").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0]["staff"], staff_email.as_str());
    assert_eq!(audit[0]["reason"], "Phishing reported");

    let r = call_json(
        &router,
        "/api/staff/unsuspend",
        Some(&staff),
        json!({ "tenant_id": tenant, "reason": "Cleared" }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(r.json::<TenantDetail>().status, "active");
    for r in [&router, &other] {
        eventually(r, &s.host, "/", "live again", |g| {
            g.status == StatusCode::OK
        })
        .await;
    }
    assert_eq!(
        tenant_audit(&pool, tenant, "staff.unsuspended").await.len(),
        1
    );
    assert_eq!(staff_audit_count(&staff_email, "staff.suspended").await, 1);
    assert_eq!(
        staff_audit_count(&staff_email, "staff.unsuspended").await,
        1
    );
    assert!(staff_audit_count(&staff_email, "staff.searched").await >= 4);
    // Not suspended any more: a second unsuspend is refused.
    let r = call_json(
        &router,
        "/api/staff/unsuspend",
        Some(&staff),
        json!({ "tenant_id": tenant, "reason": "again" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn staff_extend_a_trial_within_bounds() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Trial Shop").await;
    let (staff, _) = staff_signed_in(&router).await;
    let extend = |days: i32| {
        let router = router.clone();
        let staff = staff.clone();
        async move {
            call_json(
                &router,
                "/api/staff/extend_trial",
                Some(&staff),
                json!({ "tenant_id": a.tenant_id, "days": days }),
            )
            .await
        }
    };
    // No trial yet: refused with a sentence.
    let r = extend(14).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    let end = Utc::now() + Duration::days(3);
    sqlx::query(
        "UPDATE subscriptions SET status = 'trialing', trial_end = $2 WHERE tenant_id = $1",
    )
    .bind(a.tenant_id)
    .bind(end)
    .execute(&owner_pool().await)
    .await
    .expect("subscription");
    for bad in [0, 91, -5] {
        assert_eq!(extend(bad).await.error().field(), Some("days"));
    }
    let r = extend(14).await;
    assert!(r.status.is_success(), "{}", r.text());
    let d: TenantDetail = r.json();
    let got = d.trial_end.expect("trial end");
    assert!(
        (got - (end + Duration::days(14))).num_seconds().abs() < 2,
        "{got}"
    );
    assert_eq!(
        tenant_audit(&pool, a.tenant_id, "staff.trial_extended")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn staff_impersonation_is_read_only_with_a_banner_and_audited() {
    let pool = pool().await;
    let router = router(pool.clone());
    let s = published_site(&router, &pool, "Impersonated Cafe").await;
    let tenant = s.a.tenant_id;
    let (staff, staff_email) = staff_signed_in(&router).await;
    let r = call_json(
        &router,
        "/api/staff/impersonate",
        Some(&staff),
        json!({ "tenant_id": tenant }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let me: StaffState = call_json(&router, "/api/staff/me", Some(&staff), json!({}))
        .await
        .json();
    assert!(matches!(me, StaffState::SignedIn { impersonating: Some((t, _)), .. } if t == tenant));

    // The app as the owner sees it, with the staff named (the banner).
    let who: Option<CurrentUser> = call_form(&router, "/api/me", Some(&staff), &[])
        .await
        .json();
    let who = who.expect("impersonated member");
    assert_eq!(who.tenant_id, tenant);
    assert_eq!(who.impersonated_by.as_deref(), Some(staff_email.as_str()));
    let r = call_form(&router, "/api/websites", Some(&staff), &[]).await;
    assert!(r.status.is_success(), "{}", r.text());
    let r = call_json(&router, "/api/org/get", Some(&staff), json!({})).await;
    assert!(r.status.is_success(), "{}", r.text());

    // Every change is refused, and nothing is saved.
    let before = crate::permissions::fixtures::fingerprint(&pool, tenant).await;
    let writes = [
        (
            "/api/websites/create",
            json!({ "name": "Nope", "subdomain": unique("nope-") }),
        ),
        (
            "/api/websites/rename",
            json!({ "website_id": s.a.website_id, "name": "Renamed" }),
        ),
        (
            "/api/org/update",
            json!({ "settings": { "name": "Taken over", "logo_url": "", "timezone": "UTC", "locale": "en" } }),
        ),
        (
            "/api/websites/publish",
            json!({ "website_id": s.a.website_id }),
        ),
        ("/api/settings/logout_everywhere", json!({})),
    ];
    for (path, body) in writes {
        let r = call_json(&router, path, Some(&staff), body).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}: {}", r.text());
        assert_eq!(
            r.error(),
            AppError::Forbidden(READ_ONLY_IMPERSONATION.into()),
            "{path}"
        );
    }
    assert_eq!(
        crate::permissions::fixtures::fingerprint(&pool, tenant).await,
        before
    );
    // A write outside the server functions (an upload) too.
    let r = send_request(
        &router,
        axum::http::Request::post(server::assets::UPLOAD_PATH)
            .header(axum::http::header::ORIGIN, APP_ORIGIN)
            .header(axum::http::header::COOKIE, &staff)
            .header(
                axum::http::header::CONTENT_TYPE,
                "multipart/form-data; boundary=x",
            )
            .body(axum::body::Body::from("--x--"))
            .expect("request"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());

    let started = tenant_audit(&pool, tenant, "staff.impersonation_started").await;
    assert_eq!(started.len(), 1);
    assert_eq!(started[0]["staff"], staff_email.as_str());

    let r = call_json(
        &router,
        "/api/staff/impersonate_end",
        Some(&staff),
        json!({}),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let who: Option<CurrentUser> = call_form(&router, "/api/me", Some(&staff), &[])
        .await
        .json();
    assert_eq!(who, None);
    assert_eq!(
        tenant_audit(&pool, tenant, "staff.impersonation_ended")
            .await
            .len(),
        1
    );
}
