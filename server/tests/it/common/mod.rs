//! Test harness: a real PostgreSQL (URLs from the environment, as `scripts/test.sh` sets
//! them), migrations applied by the owner role, and the app's router driven in-process with
//! `tower::ServiceExt::oneshot`. All queries run as the app role, so RLS applies.

#![allow(dead_code)]

pub mod smtp;

use app::db::accounts::{self, NewAccount, SignupInput};
use app::error::AppError;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde::de::DeserializeOwned;
use server::ServerConfig;
use sqlx::PgPool;
use tokio::sync::OnceCell;
use tower::ServiceExt;
use uuid::Uuid;

static MIGRATED: OnceCell<()> = OnceCell::const_new();

fn env(name: &str) -> String {
    std::env::var(name)
        .unwrap_or_else(|_| panic!("{name} must be set (run the tests through scripts/test.sh)"))
}

/// Pool of the app role, after migrating once per test binary.
pub async fn pool() -> PgPool {
    MIGRATED
        .get_or_init(|| async {
            server::migrate(&env("DATABASE_URL"))
                .await
                .expect("migrations")
        })
        .await;
    server::connect_app_pool(&env("APP_DATABASE_URL"))
        .await
        .expect("app pool")
}

/// The app's origin in the test routers (`app_state` defaults it to the listen address,
/// `LeptosOptions`' default `127.0.0.1:3000`). Calls carry it as `Origin`, as a browser would.
pub const APP_ORIGIN: &str = "http://127.0.0.1:3000";

/// The Stripe webhook signing secret the test router is configured with.
pub const STRIPE_WEBHOOK_SECRET: &str = "whsec_sitepilot_test";

/// The test configuration, with the webhook secret the tests sign their events with.
pub fn config() -> ServerConfig {
    ServerConfig {
        stripe_webhook_secret: Some(server::config::WebhookSecret::new(STRIPE_WEBHOOK_SECRET)),
        ..ServerConfig::for_tests()
    }
}

/// [`server::build`] from `config`, as a `Router` the tests drive with `oneshot`.
pub fn build(config: &ServerConfig, pool: PgPool) -> Router {
    Router::new().fallback_service(server::build(config, pool).expect("build"))
}

pub fn router(pool: PgPool) -> Router {
    build(&config(), pool)
}

pub fn unique(prefix: &str) -> String {
    format!("{prefix}{}", &Uuid::new_v4().simple().to_string()[..10])
}

/// A fresh tenant created through the real sign-up code.
pub async fn account(pool: &PgPool, org: &str) -> NewAccount {
    accounts::signup(
        pool,
        SignupInput {
            full_name: "Test Owner".into(),
            org_name: org.into(),
            email: format!("{}@example.com", unique("owner-")),
            password: "correct-horse-7".into(),
        },
    )
    .await
    .expect("signup")
}

pub fn cookie_for(account: &NewAccount) -> String {
    format!("sp_session={}", account.session_token)
}

pub struct Reply {
    pub status: StatusCode,
    pub set_cookie: Vec<String>,
    pub location: Option<String>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not the expected JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn error(&self) -> AppError {
        assert!(
            !self.status.is_success(),
            "expected an error, got {}",
            self.status
        );
        self.json()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends any request through the router and reads the reply.
pub async fn send_request(router: &Router, req: Request<Body>) -> Reply {
    send(router, req).await
}

async fn send(router: &Router, req: Request<Body>) -> Reply {
    let Raw {
        status,
        headers,
        body,
    } = send_raw(router, req).await;
    let set_cookie = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(String::from))
        .collect();
    let location = headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    Reply {
        status,
        set_cookie,
        location,
        body,
    }
}

async fn post(
    router: &Router,
    path: &str,
    cookie: Option<&str>,
    content_type: &str,
    body: String,
) -> Reply {
    let mut req = Request::post(path)
        .header(header::HOST, "127.0.0.1")
        .header(header::ORIGIN, APP_ORIGIN)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ACCEPT, "application/json");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    send(router, req.body(Body::from(body)).expect("request")).await
}

/// Calls a JSON-input server function as the holder of `cookie`.
pub async fn call_json(
    router: &Router,
    path: &str,
    cookie: Option<&str>,
    body: serde_json::Value,
) -> Reply {
    post(router, path, cookie, "application/json", body.to_string()).await
}

/// Calls a form-encoded server function (the default encoding) as a browser's fetch would.
pub async fn call_form(
    router: &Router,
    path: &str,
    cookie: Option<&str>,
    form: &[(&str, &str)],
) -> Reply {
    let body = form
        .iter()
        .map(|(k, v)| format!("{}={}", k, urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    post(
        router,
        path,
        cookie,
        "application/x-www-form-urlencoded",
        body,
    )
    .await
}

/// Opens a page in the builder as the holder of `cookie`.
pub async fn load_page(router: &Router, cookie: &str, page: Uuid) -> app::model::BuilderData {
    call_form(
        router,
        "/api/builder/load",
        Some(cookie),
        &[("page_id", &page.to_string())],
    )
    .await
    .json()
}

pub async fn get(router: &Router, host: &str, path: &str) -> Reply {
    let req = Request::get(path)
        .header(header::HOST, host)
        .body(Body::empty())
        .expect("request");
    send(router, req).await
}

/// A visitor's request to a site page with the cookies in `cookie` (GET without `form`, else a
/// plain HTML form POST, as a browser without JavaScript sends it).
pub async fn visit(
    router: &Router,
    path: &str,
    cookie: Option<&str>,
    form: Option<&[(&str, &str)]>,
) -> Reply {
    let mut req = match form {
        Some(_) => {
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        }
        None => Request::get(path),
    }
    .header(header::HOST, "127.0.0.1");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let body = form
        .unwrap_or_default()
        .iter()
        .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    send(router, req.body(Body::from(body)).expect("request")).await
}

/// Percent-encodes a form value (RFC 3986 unreserved characters pass through).
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A block inserted through `/api/builder/insert`: the server's reply and the block as sent
/// (the client chooses the id).
pub struct Inserted {
    pub reply: Reply,
    pub component: app::model::ComponentDto,
}

/// The server accepted the insert: the page's new revision and the block as it now stands.
pub struct Added {
    pub revision: i64,
    pub component: app::model::ComponentDto,
}

impl Inserted {
    pub fn ok(self) -> Added {
        assert!(
            self.reply.status.is_success(),
            "insert refused: {}",
            self.reply.text()
        );
        let ack: app::model::ComponentMoved = self.reply.json();
        let mut component = self.component;
        component.order_key = ack.order_key;
        Added {
            revision: ack.revision,
            component,
        }
    }

    pub fn error(&self) -> AppError {
        self.reply.error()
    }
}

/// Inserts `block` (a fresh id, visible, unlocked) after `after` on `page`, as the builder does.
pub async fn insert(
    router: &Router,
    cookie: &str,
    page: Uuid,
    block: app::model::BlockProps,
    after: Option<Uuid>,
    rev: i64,
) -> Inserted {
    let component = app::model::ComponentDto {
        id: Uuid::new_v4(),
        block,
        order_key: String::new(),
        is_visible: true,
        is_locked: false,
        global_block_id: None,
    };
    let body = serde_json::json!({
        "page_id": page,
        "block": { "id": component.id, "block": component.block, "is_visible": true, "is_locked": false },
        "after": after,
        "base_revision": rev,
    });
    Inserted {
        reply: call_json(router, "/api/builder/insert", Some(cookie), body).await,
        component,
    }
}

/// Plan ids as migrations/0010 seeds them.
pub const STARTER: Uuid = Uuid::from_u128(1);
pub const GROWTH: Uuid = Uuid::from_u128(2);
pub const PRO: Uuid = Uuid::from_u128(3);

/// Moves the tenant to another plan (billing is not wired to the UI yet), as the app role inside
/// the tenant's own transaction.
pub async fn set_plan(pool: &PgPool, tenant: Uuid, plan: Uuid) {
    let mut tx = app::db::tenant_tx(pool, tenant).await.expect("tx");
    sqlx::query("UPDATE tenants SET plan_id = $2 WHERE id = $1")
        .bind(tenant)
        .bind(plan)
        .execute(&mut *tx)
        .await
        .expect("change plan");
    tx.commit().await.expect("commit");
}

/// Adds a member with `role` (and optionally a name) to the tenant: their session cookie and
/// user id.
pub async fn member(
    pool: &PgPool,
    a: &NewAccount,
    role: &str,
    name: Option<&str>,
) -> (String, Uuid) {
    let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
    let user: Uuid = sqlx::query_scalar(
        "INSERT INTO users (tenant_id, email, full_name, password_hash, role, email_verified_at) VALUES ($1, $2, $3, 'x', $4, now()) RETURNING id",
    )
    .bind(a.tenant_id)
    .bind(format!("{}@example.com", unique(role)))
    .bind(name)
    .bind(role)
    .fetch_one(&mut *tx)
    .await
    .expect("user");
    let (token, id) = accounts::new_session_token();
    sqlx::query("INSERT INTO sessions (id, tenant_id, user_id, expires_at) VALUES ($1, $2, $3, now() + interval '1 day')")
        .bind(id)
        .bind(a.tenant_id)
        .bind(user)
        .execute(&mut *tx)
        .await
        .expect("session");
    tx.commit().await.expect("commit");
    (format!("sp_session={token}"), user)
}

/// [`member`] without a name, when only the cookie matters.
pub async fn member_cookie(pool: &PgPool, a: &NewAccount, role: &str) -> String {
    member(pool, a, role, None).await.0
}

/// The whole server ([`server::build`], as `main` builds it) on a loopback TCP port, so
/// requests carry a real peer address. `trusted` is `SITEPILOT_TRUSTED_PROXIES`. Returns the
/// base URL; the server task ends with the test's runtime.
pub async fn serve_tcp(pool: PgPool, trusted: &str) -> String {
    let service = server::build(&config(), pool)
        .expect("build")
        .trusting(server::http::client_ip::TrustedProxies::parse(trusted).expect("proxies"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, server::visitor::split::MakeSplit(service)).await;
    });
    format!("http://{addr}")
}

/// A whole answer as the tests read it: status, headers and the body bytes.
pub struct Raw {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Raw {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The typed error in the body.
    pub fn error(&self) -> AppError {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "not a typed AppError ({e}): {} {}",
                self.status,
                self.text()
            )
        })
    }
}

/// Sends `req` through `router` and reads the whole answer.
/// How long a GET may take before [`send_raw`] retries it once.
const GET_DEADLINE: std::time::Duration = std::time::Duration::from_secs(15);

/// Sends `req` and reads the whole answer.
///
/// A GET that has not finished after [`GET_DEADLINE`] is sent once more, with a warning on
/// stderr, and fails the test if it stalls again. Under heavy CPU load, two of seven full runs
/// of this binary had one server-rendered page (`/`, `/dashboard`) never finish its body, with
/// no query running and no panic. The cause is not found yet (README, "Notes for
/// developers"). GETs have no side effects, so sending one again is safe; other methods are
/// sent once.
pub async fn send_raw(router: &Router, req: Request<Body>) -> Raw {
    if req.method() != axum::http::Method::GET {
        return send_once(router, req).await;
    }
    let (parts, _) = req.into_parts();
    let again = || {
        let mut r = Request::builder()
            .method(parts.method.clone())
            .uri(parts.uri.clone());
        for (k, v) in &parts.headers {
            r = r.header(k, v);
        }
        r.body(Body::empty()).expect("request")
    };
    match tokio::time::timeout(GET_DEADLINE, send_once(router, again())).await {
        Ok(raw) => raw,
        Err(_) => {
            eprintln!(
                "WARNING: GET {} did not finish within {GET_DEADLINE:?}; sending it once more",
                parts.uri
            );
            tokio::time::timeout(GET_DEADLINE, send_once(router, again()))
                .await
                .unwrap_or_else(|_| panic!("GET {} stalled twice", parts.uri))
        }
    }
}

async fn send_once(router: &Router, req: Request<Body>) -> Raw {
    let res = router.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let headers = res.headers().clone();
    let body = res
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Raw {
        status,
        headers,
        body,
    }
}

/// `event` signed with the test webhook secret and posted to `/webhooks/stripe`, as Stripe
/// delivers it.
pub async fn send_stripe_event(router: &Router, event: &serde_json::Value) -> Reply {
    let body = event.to_string();
    let t = chrono::Utc::now().timestamp();
    let v1 = server::stripe::signature::sign(STRIPE_WEBHOOK_SECRET.as_bytes(), t, body.as_bytes());
    let req = axum::http::Request::post("/webhooks/stripe")
        .header(axum::http::header::HOST, "127.0.0.1")
        .header(axum::http::header::CONTENT_TYPE, "application/json")
        .header("stripe-signature", format!("t={t},v1={v1}"))
        .body(axum::body::Body::from(body))
        .expect("request");
    send_request(router, req).await
}
