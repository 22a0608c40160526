//! Issue 15 §1: log-in and sign-up throttling (per account, per client address, shared through
//! PostgreSQL by every server instance), no account enumeration, bounded argon2, and a failed
//! log-in flood that neither fills the audit log nor the server's memory.
//!
//! Requests carry `ConnectInfo` like the real listener gives them, each test from its own
//! addresses, so tests running in parallel do not share counters.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU32, Ordering};

use app::db::accounts::{self, SignupInput, BAD_CREDENTIALS};
use app::error::AppError;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use sqlx::PgPool;

use crate::common::*;

const PASSWORD: &str = "correct-horse-7";

/// A client address no other test uses (10.x.y.z from a process-wide counter and a random base).
fn fresh_ip() -> IpAddr {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    static BASE: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    let base = *BASE.get_or_init(|| uuid::Uuid::new_v4().as_u128() as u32 & 0x00ff_0000);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let v = 0x0a00_0000 | ((base + (n & 0xffff)) & 0x00ff_ffff);
    IpAddr::V4(Ipv4Addr::from(v))
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn error(&self) -> AppError {
        assert!(
            !self.status.is_success(),
            "expected an error, got {}",
            self.status
        );
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not an AppError ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    fn ok(&self) -> bool {
        self.status.is_success() || self.status.is_redirection()
    }

    fn retry_after(&self) -> Option<u64> {
        self.headers
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
    }
}

async fn post_from(
    router: &Router,
    ip: IpAddr,
    path: &str,
    ua: &str,
    form: &[(&str, &str)],
) -> Answer {
    let body = form
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut req = Request::post(path)
        .header(header::HOST, "127.0.0.1")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .header(header::USER_AGENT, ua)
        .body(Body::from(body))
        .expect("request");
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::new(ip, 40_000)));
    let crate::common::Raw {
        status,
        headers,
        body,
    } = crate::common::send_raw(router, req).await;
    Answer {
        status,
        headers,
        body,
    }
}

async fn login(router: &Router, ip: IpAddr, email: &str, password: &str) -> Answer {
    post_from(
        router,
        ip,
        "/api/login",
        "throttle-test",
        &[("email", email), ("password", password)],
    )
    .await
}

/// A fresh account; returns its email.
async fn member(pool: &PgPool) -> (String, uuid::Uuid) {
    let email = format!("{}@example.com", unique("throttle-"));
    let acc = accounts::signup(
        pool,
        SignupInput {
            full_name: "Throttle Test".into(),
            org_name: "Throttle Org".into(),
            email: email.clone(),
            password: PASSWORD.into(),
        },
    )
    .await
    .expect("signup");
    (email, acc.tenant_id)
}

fn assert_bad_credentials(a: &Answer) {
    let e = a.error();
    assert!(
        matches!(&e, AppError::Invalid { field, message } if field == "password" && message == BAD_CREDENTIALS),
        "expected the one bad-credentials answer, got {} {e:?}",
        a.status
    );
}

fn assert_throttled(a: &Answer) {
    assert_eq!(
        a.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        String::from_utf8_lossy(&a.body)
    );
    let secs = a.retry_after().expect("Retry-After");
    assert!((1..=900).contains(&secs), "Retry-After {secs}");
    let e = a.error();
    assert!(
        matches!(e, AppError::TooManyRequests { retry_after_secs } if retry_after_secs == secs)
    );
    let minutes = secs.div_ceil(60);
    let unit = if minutes == 1 { "minute" } else { "minutes" };
    assert_eq!(
        e.to_string(),
        format!("Too many attempts. Try again in {minutes} {unit}.")
    );
}

async fn failed_login_rows(
    pool: &PgPool,
    tenant: uuid::Uuid,
    email: &str,
) -> Vec<serde_json::Value> {
    let mut tx = app::db::tenant_tx(pool, tenant).await.expect("tx");
    sqlx::query_scalar(
        "SELECT metadata FROM audit_logs WHERE action = 'user.login_failed' AND metadata->>'email' = $1 ORDER BY created_at",
    )
    .bind(email)
    .fetch_all(&mut *tx)
    .await
    .expect("audit rows")
}

/// Two server instances (separate routers and pools on the same database): the account limit
/// holds across them, a success resets it, and over it even the right password gets 429.
#[tokio::test]
async fn the_account_limit_trips_across_two_instances_and_a_success_resets_it() {
    let pool_a = pool().await;
    let (email, _) = member(&pool_a).await;
    let a = router(pool_a);
    let b = router(pool().await);

    // Nine failures, alternating instances and addresses, then a success: the count restarts.
    for i in 0..9 {
        let r = if i % 2 == 0 { &a } else { &b };
        assert_bad_credentials(&login(r, fresh_ip(), &email, "wrong-horse-1").await);
    }
    assert!(
        login(&b, fresh_ip(), &email, PASSWORD).await.ok(),
        "a success under the limit"
    );

    // Ten more failures are allowed again ...
    for i in 0..10 {
        let r = if i % 2 == 0 { &b } else { &a };
        assert_bad_credentials(&login(r, fresh_ip(), &email, "wrong-horse-2").await);
    }
    // ... and the eleventh attempt, on either instance and even with the right password, is refused.
    assert_throttled(&login(&a, fresh_ip(), &email, PASSWORD).await);
    assert_throttled(&login(&b, fresh_ip(), &email, "wrong-horse-3").await);
}

/// One address trying many accounts (unknown ones included) is stopped after 30 failures; the
/// same account from another address still logs in. Successes from an address never count.
#[tokio::test]
async fn the_address_limit_trips_and_successes_do_not_count() {
    let pool = pool().await;
    let (email, _) = member(&pool).await;
    let router = router(pool);
    let ip = fresh_ip();

    for _ in 0..40 {
        assert!(
            login(&router, ip, &email, PASSWORD).await.ok(),
            "successes never count"
        );
    }
    for i in 0..30 {
        let stranger = format!("{}@example.com", unique(&format!("nobody{i}-")));
        assert_bad_credentials(&login(&router, ip, &stranger, "wrong-horse-4").await);
    }
    assert_throttled(&login(&router, ip, &email, PASSWORD).await);
    assert!(
        login(&router, fresh_ip(), &email, PASSWORD).await.ok(),
        "another address is not affected"
    );
}

/// An unknown email and a wrong password: the same status, the same body.
#[tokio::test]
async fn an_unknown_email_and_a_wrong_password_get_the_same_answer() {
    let pool = pool().await;
    let (email, _) = member(&pool).await;
    let router = router(pool);
    let unknown = login(
        &router,
        fresh_ip(),
        &format!("{}@example.com", unique("ghost-")),
        "wrong-horse-5",
    )
    .await;
    let wrong = login(&router, fresh_ip(), &email, "wrong-horse-5").await;
    assert_bad_credentials(&unknown);
    assert_eq!(unknown.status, wrong.status);
    assert_eq!(unknown.body, wrong.body);
}

/// Sign-ups are limited per address (20 an hour by default), with 429 and Retry-After.
#[tokio::test]
async fn sign_ups_are_throttled_per_address() {
    let pool = pool().await;
    let router = router(pool);
    let ip = fresh_ip();
    let limit = app::db::throttle::limits().signups_per_ip;
    for _ in 0..limit {
        let email = format!("{}@example.com", unique("signup-"));
        let r = post_from(
            &router,
            ip,
            "/api/signup",
            "throttle-test",
            &[
                ("full_name", "Sign Up"),
                ("org_name", "Signup Throttle"),
                ("email", &email),
                ("password", PASSWORD),
            ],
        )
        .await;
        assert!(
            r.ok(),
            "sign-up under the limit: {}",
            String::from_utf8_lossy(&r.body)
        );
    }
    let email = format!("{}@example.com", unique("signup-"));
    let r = post_from(
        &router,
        ip,
        "/api/signup",
        "throttle-test",
        &[
            ("full_name", "Sign Up"),
            ("org_name", "Signup Throttle"),
            ("email", &email),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.retry_after().is_some_and(|s| s > 0));
    assert!(matches!(r.error(), AppError::TooManyRequests { .. }));
}

/// A flood of wrong passwords writes one audit row per window (with the previous window's
/// count), and the stored user agent is cut to 256 characters.
#[tokio::test]
async fn failed_log_ins_are_audited_once_per_window_with_the_count() {
    let pool = pool().await;
    let (email, tenant) = member(&pool).await;
    let router = router(pool.clone());
    let long_ua = "A".repeat(5000);
    for _ in 0..15 {
        let r = post_from(
            &router,
            fresh_ip(),
            "/api/login",
            &long_ua,
            &[("email", &email), ("password", "wrong-horse-6")],
        )
        .await;
        assert!(!r.ok());
    }
    let rows = failed_log_ins_checked(&pool, tenant, &email, 1).await;
    assert_eq!(rows[0]["previous_window_failures"], serde_json::Value::Null);

    // The window ends (moved back as the owner role, which the app role cannot do): the next
    // failure writes the second row, carrying the previous window's count.
    let owner = sqlx::PgPool::connect(&std::env::var("DATABASE_URL").expect("DATABASE_URL"))
        .await
        .expect("owner pool");
    sqlx::query("UPDATE auth_throttle SET window_start = window_start - interval '16 minutes' WHERE key = $1")
        .bind(app::db::throttle::account_key(&email))
        .execute(&owner)
        .await
        .expect("age the window");
    assert_bad_credentials(&login(&router, fresh_ip(), &email, "wrong-horse-6").await);
    let rows = failed_log_ins_checked(&pool, tenant, &email, 2).await;
    assert_eq!(rows[1]["previous_window_failures"], serde_json::json!(15));

    let mut tx = app::db::tenant_tx(&pool, tenant).await.expect("tx");
    let ua: Vec<Option<String>> =
        sqlx::query_scalar("SELECT user_agent FROM audit_logs WHERE action = 'user.login_failed'")
            .fetch_all(&mut *tx)
            .await
            .expect("ua");
    assert!(
        ua.iter().flatten().all(|u| u.chars().count() <= 256),
        "user agent cut"
    );
    assert!(ua.iter().flatten().any(|u| u.chars().count() == 256));
}

async fn failed_log_ins_checked(
    pool: &PgPool,
    tenant: uuid::Uuid,
    email: &str,
    n: usize,
) -> Vec<serde_json::Value> {
    let rows = failed_login_rows(pool, tenant, email).await;
    assert_eq!(
        rows.len(),
        n,
        "failed log-ins audited once per window: {rows:?}"
    );
    rows
}

fn rss_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// 300 concurrent wrong-password log-ins (30 accounts, each from 300 different addresses, so
/// every one reaches argon2): argon2 runs behind its semaphore, `/healthz` keeps answering, the
/// process stays far below 1 GiB, and every answer is the bad-credentials one or a 503 with
/// Retry-After, never an internal error.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_300_wrong_password_log_ins_keeps_healthz_answering_and_memory_bounded() {
    let pool = pool().await;
    let mut emails = Vec::new();
    for _ in 0..30 {
        emails.push(member(&pool).await.0);
    }
    let router = router(pool);
    let before = rss_kib("VmRSS:");

    let burst: Vec<_> = (0..300)
        .map(|i| {
            let router = router.clone();
            let email = emails[i % emails.len()].clone();
            tokio::spawn(async move { login(&router, fresh_ip(), &email, "wrong-horse-7").await })
        })
        .collect();

    // /healthz answers promptly while the burst runs.
    let mut health = Vec::new();
    for _ in 0..10 {
        let started = std::time::Instant::now();
        let r = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            get(&router, "127.0.0.1", "/healthz"),
        )
        .await
        .expect("/healthz answered within 5 s during the burst");
        assert_eq!(r.status, StatusCode::OK);
        health.push(started.elapsed());
        tokio::task::yield_now().await;
    }

    let mut bad = 0;
    let mut busy = 0;
    for task in burst {
        let a = task.await.expect("task");
        match a.error() {
            AppError::Invalid { message, .. } if message == BAD_CREDENTIALS => bad += 1,
            AppError::Unavailable { .. } => {
                assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE);
                assert!(a.retry_after().is_some(), "503 carries Retry-After");
                busy += 1;
            }
            other => panic!("unexpected answer in the burst: {} {other:?}", a.status),
        }
    }
    assert_eq!(bad + busy, 300);
    let after = rss_kib("VmRSS:");
    let peak = rss_kib("VmHWM:");
    eprintln!(
        "burst: {bad} refused, {busy} busy; RSS {before} -> {after} KiB, peak {peak} KiB; healthz max {:?}",
        health.iter().max()
    );
    assert!(peak < 1024 * 1024, "peak RSS {peak} KiB is under 1 GiB");
    assert!(
        after.saturating_sub(before) < 512 * 1024,
        "the burst grew RSS by {} KiB",
        after.saturating_sub(before)
    );
}
