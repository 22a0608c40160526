//! Outgoing webhooks end to end (issue 21 part 4): a real local receiver (a tiny axum server on
//! 127.0.0.1) that answers what each test scripts, the real job handler run with `run_due`,
//! and a real DNS server (hickory, `support/test_dns.rs`) for names that resolve to private
//! addresses. Signatures are checked here with an HMAC computed independently of the server.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use app::db::accounts::NewAccount;
use app::error::AppError;
use app::model::WebhooksOverview;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use sqlx::PgPool;
use uuid::Uuid;

use crate::common::*;
use crate::test_dns::TestDns;

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: String,
}

/// A local HTTP server that records every POST and answers the scripted statuses in order
/// (then 200).
pub struct Receiver {
    pub port: u16,
    pub got: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<VecDeque<u16>>>,
    always: Arc<Mutex<Option<u16>>>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let got = Arc::new(Mutex::new(Vec::<Received>::new()));
        let script = Arc::new(Mutex::new(VecDeque::<u16>::new()));
        let always = Arc::new(Mutex::new(None::<u16>));
        let (g, s, a) = (got.clone(), script.clone(), always.clone());
        let app = axum::Router::new().fallback(move |headers: HeaderMap, body: String| {
            let (g, s, a) = (g.clone(), s.clone(), a.clone());
            async move {
                g.lock().expect("lock").push(Received { headers, body });
                let code = s
                    .lock()
                    .expect("lock")
                    .pop_front()
                    .or(*a.lock().expect("lock"))
                    .unwrap_or(200);
                (
                    StatusCode::from_u16(code).expect("status"),
                    format!("receiver says {code}"),
                )
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        tokio::spawn(async move {
            axum::serve(listener, app).await.expect("serve");
        });
        Receiver {
            port,
            got,
            script,
            always,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    pub fn answer(&self, codes: &[u16]) {
        self.script.lock().expect("lock").extend(codes);
    }

    pub fn always(&self, code: u16) {
        *self.always.lock().expect("lock") = Some(code);
    }

    pub fn requests(&self) -> Vec<Received> {
        self.got.lock().expect("lock").clone()
    }
}

pub struct Setup {
    pub pool: PgPool,
    pub router: axum::Router,
    pub registry: server::jobs::Registry,
    pub a: NewAccount,
    pub cookie: String,
}

/// A tenant and the app; `allow_private` is the dev switch (the receiver is on 127.0.0.1).
async fn setup(allow_private: bool, dns: Option<std::net::SocketAddr>) -> Setup {
    let pool = pool().await;
    let config = server::ServerConfig {
        webhooks_allow_private: allow_private,
        dns_server: dns,
        ..config()
    };
    let router = build(&config, pool.clone());
    let registry = server::jobs::registry(&config, &pool).only(&["webhooks.deliver"]);
    let a = account(&pool, "Hook Bakery").await;
    let cookie = cookie_for(&a);
    Setup {
        pool,
        router,
        registry,
        a,
        cookie,
    }
}

async fn add(s: &Setup, url: &str, events: &[&str]) -> Reply {
    call_json(
        &s.router,
        "/api/webhooks/add",
        Some(&s.cookie),
        json!({ "website_id": s.a.website_id, "url": url, "events": events }),
    )
    .await
}

async fn overview(s: &Setup) -> WebhooksOverview {
    let r = call_json(
        &s.router,
        "/api/webhooks/overview",
        Some(&s.cookie),
        json!({ "website_id": s.a.website_id }),
    )
    .await;
    assert!(r.status.is_success(), "overview: {}", r.text());
    r.json()
}

async fn publish(s: &Setup) {
    let r = call_json(
        &s.router,
        "/api/websites/publish",
        Some(&s.cookie),
        json!({ "website_id": s.a.website_id }),
    )
    .await;
    assert!(r.status.is_success(), "publish: {}", r.text());
}

/// A contact-form submission stored the way the visitor path stores it (`db::forms::insert`).
async fn submit_form(s: &Setup, email: &str) -> Uuid {
    let mut tx = app::db::tenant_tx(&s.pool, s.a.tenant_id)
        .await
        .expect("tx");
    let fields = vec![app::model::SubmittedField {
        name: "email".into(),
        label: "Email".into(),
        value: email.into(),
    }];
    let id = app::db::forms::insert(
        &mut tx,
        s.a.tenant_id,
        app::db::forms::NewSubmission {
            website_id: s.a.website_id,
            page_id: s.a.home_page_id,
            component_id: Uuid::new_v4(),
            page_slug: "/",
            page_title: "Home",
            form_name: "Contact",
            fields: &fields,
            ip: None,
            user_agent: None,
        },
    )
    .await
    .expect("submission");
    tx.commit().await.expect("commit");
    id
}

async fn run(s: &Setup) -> usize {
    server::jobs::run_due_for(&s.pool, &s.registry, s.a.tenant_id).await
}

async fn owner_pool() -> PgPool {
    PgPool::connect(&std::env::var("DATABASE_URL").expect("DATABASE_URL"))
        .await
        .expect("owner pool")
}

/// Makes the tenant's waiting delivery jobs due now (instead of waiting for the backoff).
async fn make_due(s: &Setup) {
    sqlx::query(
        "UPDATE jobs SET run_at = now() WHERE kind = 'webhooks.deliver' AND tenant_id = $1 AND status = 'queued'",
    )
    .bind(s.a.tenant_id)
    .execute(&owner_pool().await)
    .await
    .expect("make due");
}

/// Verifies `SitePilot-Signature` the way the README tells receivers to.
fn verify(secret: &str, header: &str, body: &str) -> bool {
    let mut t = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => t = Some(v.to_string()),
            Some(("v1", v)) => v1.push(v.to_string()),
            _ => {}
        }
    }
    let Some(t) = t else { return false };
    let age = chrono::Utc::now().timestamp() - t.parse::<i64>().unwrap_or(0);
    if !(0..300).contains(&age) {
        return false;
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(format!("{t}.{body}").as_bytes());
    let expected = mac.finalize().into_bytes();
    v1.iter().any(|sig| {
        hex::decode(sig).is_ok_and(|bytes| {
            let mut m = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
            m.update(format!("{t}.{body}").as_bytes());
            m.verify_slice(&bytes).is_ok() && bytes.as_slice() == expected.as_slice()
        })
    })
}

fn header<'a>(r: &'a Received, name: &str) -> &'a str {
    r.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn deliveries_are_signed_the_documented_way_and_logged() {
    let s = setup(true, None).await;
    let rx = Receiver::start().await;
    let r = add(&s, &rx.url(), &["site.published", "form.submitted"]).await;
    assert!(r.status.is_success(), "add: {}", r.text());
    let o: WebhooksOverview = r.json();
    let endpoint = o.endpoints[0].clone();
    assert!(endpoint.secret.starts_with("whsec_") && endpoint.secret.len() == 70);
    assert_eq!(endpoint.events, vec!["form.submitted", "site.published"]);

    publish(&s).await;
    assert_eq!(run(&s).await, 1);
    let got = rx.requests();
    assert_eq!(got.len(), 1);
    let req = &got[0];
    let sig = header(req, "sitepilot-signature");
    assert!(
        verify(&endpoint.secret, sig, &req.body),
        "signature {sig} does not verify"
    );
    assert!(!verify("whsec_wrong", sig, &req.body));
    assert!(!verify(
        &endpoint.secret,
        sig,
        &req.body.replace("site", "file")
    ));
    assert_eq!(header(req, "sitepilot-event"), "site.published");
    assert_eq!(header(req, "content-type"), "application/json");
    let body: Value = serde_json::from_str(&req.body).expect("json body");
    assert_eq!(body["type"], "site.published");
    assert_eq!(body["website_id"], json!(s.a.website_id));
    assert!(body["data"]["deployment_id"].is_string());

    let o = overview(&s).await;
    let d = &o.deliveries[0];
    assert_eq!(header(req, "sitepilot-delivery"), d.id.to_string());
    assert_eq!(body["id"], json!(d.event_id));
    assert_eq!(d.status, "succeeded");
    assert_eq!(d.response_status, Some(200));
    assert_eq!(d.response_excerpt.as_deref(), Some("receiver says 200"));
    assert!(d.duration_ms.is_some());

    // A form submission reaches the same endpoint with the visitor's fields.
    let submission = submit_form(&s, "visitor@example.com").await;
    assert_eq!(run(&s).await, 1);
    let got = rx.requests();
    assert_eq!(got.len(), 2);
    let body: Value = serde_json::from_str(&got[1].body).expect("json");
    assert_eq!(body["type"], "form.submitted");
    assert_eq!(body["data"]["submission_id"], json!(submission));
    assert_eq!(body["data"]["fields"][0]["value"], "visitor@example.com");
    assert_ne!(
        header(&got[0], "sitepilot-delivery"),
        header(&got[1], "sitepilot-delivery")
    );

    // Resend: the same event (id and body) as a new delivery.
    let first = o.deliveries[0].clone();
    let r = call_json(
        &s.router,
        "/api/webhooks/resend",
        Some(&s.cookie),
        json!({ "delivery_id": first.id }),
    )
    .await;
    assert!(r.status.is_success(), "resend: {}", r.text());
    assert_eq!(run(&s).await, 1);
    let got = rx.requests();
    assert_eq!(got.len(), 3);
    assert_eq!(got[2].body, got[0].body);
    assert_ne!(header(&got[2], "sitepilot-delivery"), first.id.to_string());
}

#[tokio::test]
async fn a_failing_receiver_is_retried_with_exponential_backoff_until_it_succeeds() {
    let s = setup(true, None).await;
    let rx = Receiver::start().await;
    rx.answer(&[500, 503]);
    assert!(add(&s, &rx.url(), &["form.submitted"])
        .await
        .status
        .is_success());
    submit_form(&s, "retry@example.com").await;

    // 1st attempt: 500, retried a minute later.
    assert_eq!(run(&s).await, 1);
    let d = overview(&s).await.deliveries[0].clone();
    assert_eq!(
        (d.status.as_str(), d.attempts, d.response_status),
        ("pending", 1, Some(500))
    );
    let wait = d.next_attempt_at.expect("next") - d.last_attempt_at.expect("last");
    assert!((55..=65).contains(&wait.num_seconds()), "first wait {wait}");
    assert_eq!(run(&s).await, 0, "not due before the backoff");

    // 2nd attempt: 503, twice as long.
    make_due(&s).await;
    assert_eq!(run(&s).await, 1);
    let d = overview(&s).await.deliveries[0].clone();
    assert_eq!(
        (d.status.as_str(), d.attempts, d.response_status),
        ("pending", 2, Some(503))
    );
    let wait = d.next_attempt_at.expect("next") - d.last_attempt_at.expect("last");
    assert!(
        (115..=125).contains(&wait.num_seconds()),
        "second wait {wait}"
    );

    // 3rd attempt: 200.
    make_due(&s).await;
    assert_eq!(run(&s).await, 1);
    let d = overview(&s).await.deliveries[0].clone();
    assert_eq!(
        (d.status.as_str(), d.attempts, d.response_status),
        ("succeeded", 3, Some(200))
    );
    let got = rx.requests();
    assert_eq!(got.len(), 3);
    assert!(got
        .iter()
        .all(|r| r.body == got[0].body && header(r, "sitepilot-delivery") == d.id.to_string()));

    // The schedule spans about a day over the delivery's attempts.
    let b = server::webhooks::backoff();
    let total: u64 = (1..app::db::webhooks::DELIVER_ATTEMPTS)
        .map(|n| b.delay(n).as_secs())
        .sum();
    assert!(
        (20 * 3600..=28 * 3600).contains(&total),
        "retries span {total} s"
    );
}

#[tokio::test]
async fn no_delivery_is_lost_when_the_server_dies_between_the_event_and_the_send() {
    let s = setup(true, None).await;
    let rx = Receiver::start().await;
    assert!(add(&s, &rx.url(), &["site.published"])
        .await
        .status
        .is_success());

    // An event whose transaction rolls back leaves no delivery behind.
    let mut tx = app::db::tenant_tx(&s.pool, s.a.tenant_id)
        .await
        .expect("tx");
    app::db::publish::publish(&mut tx, s.a.tenant_id, s.a.user_id, s.a.website_id)
        .await
        .expect("publish");
    tx.rollback().await.expect("rollback");
    assert!(overview(&s).await.deliveries.is_empty());

    // The committed event: its delivery row and its job are there, nothing was sent, and this
    // "server" goes away without running its worker.
    publish(&s).await;
    let o = overview(&s).await;
    assert_eq!(o.deliveries.len(), 1);
    assert_eq!(o.deliveries[0].status, "pending");
    let queued: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM jobs WHERE kind = 'webhooks.deliver' AND tenant_id = $1 AND status = 'queued' AND payload->>'delivery_id' = $2",
    )
    .bind(s.a.tenant_id)
    .bind(o.deliveries[0].id.to_string())
    .fetch_one(&owner_pool().await)
    .await
    .expect("jobs");
    assert_eq!(queued, 1);
    assert!(rx.requests().is_empty());
    drop(s.router);

    // Another instance (a fresh registry and client) sends it.
    let config = server::ServerConfig {
        webhooks_allow_private: true,
        ..config()
    };
    let registry = server::jobs::registry(&config, &s.pool).only(&["webhooks.deliver"]);
    assert_eq!(
        server::jobs::run_due_for(&s.pool, &registry, s.a.tenant_id).await,
        1
    );
    assert_eq!(rx.requests().len(), 1);
    let mut tx = app::db::tenant_tx(&s.pool, s.a.tenant_id)
        .await
        .expect("tx");
    let o = app::db::webhooks::overview(&mut tx, s.a.website_id)
        .await
        .expect("overview");
    assert_eq!(o.deliveries[0].status, "succeeded");
}

#[tokio::test]
async fn addresses_in_private_networks_are_refused_when_saved_and_when_sent() {
    let dns = TestDns::start("test").await;
    let s = setup(false, Some(dns.addr)).await;
    let rx = Receiver::start().await;
    let loopback_name = format!("{}.test", unique("loop-"));
    dns.add_ip(&loopback_name, "127.0.0.1".parse().expect("ip"))
        .await;
    let private_v6 = format!("{}.test", unique("ula-"));
    dns.add_ip(&private_v6, "fd00::1".parse().expect("ip"))
        .await;

    for url in [
        format!("http://{loopback_name}:{}/hook", rx.port),
        format!("https://{private_v6}/hook"),
        rx.url(),
        "http://localhost:8080/".into(),
        "http://[::1]/".into(),
        "http://[::ffff:127.0.0.1]/".into(),
        "http://169.254.169.254/latest/meta-data/".into(),
        "http://10.0.0.8/".into(),
        "http://172.20.1.1/".into(),
        "http://192.168.0.10/".into(),
        "http://100.64.0.1/".into(),
        "http://0.0.0.0/".into(),
        "http://[fe80::1]/".into(),
        // 2130706433 is 127.0.0.1 written as one number.
        "http://2130706433/".into(),
    ] {
        let r = add(&s, &url, &["site.published"]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{url}: {}", r.text());
        match r.error() {
            AppError::Invalid { field, message } => {
                assert_eq!(field, "url", "{url}");
                assert!(message.contains("public addresses"), "{url}: {message}");
            }
            other => panic!("{url}: {other:?}"),
        }
    }
    let r = add(&s, &format!("http://{loopback_name}/"), &["site.published"]).await;
    assert!(r.text().contains("resolves to 127.0.0.1"), "{}", r.text());
    assert!(overview(&s).await.endpoints.is_empty(), "nothing was saved");

    // DNS rebinding: a name that was public when saved points at 127.0.0.1 when sent.
    let rebind = format!("{}.test", unique("rebind-"));
    dns.add_ip(&rebind, "93.184.216.34".parse().expect("ip"))
        .await;
    let r = add(
        &s,
        &format!("http://{rebind}:{}/hook", rx.port),
        &["site.published"],
    )
    .await;
    assert!(r.status.is_success(), "public name: {}", r.text());
    dns.remove(&rebind, hickory_server::proto::rr::RecordType::A)
        .await;
    dns.add_ip(&rebind, "127.0.0.1".parse().expect("ip")).await;
    publish(&s).await;
    assert_eq!(run(&s).await, 1);
    let d = overview(&s).await.deliveries[0].clone();
    assert_eq!(d.status, "pending", "a refused send is retried later");
    assert_eq!(d.response_status, None);
    let error = d.error.unwrap_or_default();
    assert!(error.contains("resolves to 127.0.0.1"), "{error}");
    assert!(
        rx.requests().is_empty(),
        "the receiver on 127.0.0.1 got nothing"
    );
}

#[tokio::test]
async fn an_endpoint_that_keeps_failing_is_disabled_and_the_owner_is_told() {
    let s = setup(true, None).await;
    let rx = Receiver::start().await;
    rx.always(500);
    assert!(add(&s, &rx.url(), &["form.submitted"])
        .await
        .status
        .is_success());
    let n = app::db::webhooks::DISABLE_AFTER_FAILURES as usize;
    for i in 0..n {
        submit_form(&s, &format!("v{i}@example.com")).await;
    }
    assert_eq!(run(&s).await, n);
    assert_eq!(rx.requests().len(), n);
    let o = overview(&s).await;
    let e = &o.endpoints[0];
    assert!(!e.is_active, "disabled after {n} failures in a row");
    assert!(e.disabled_at.is_some());
    assert!(
        e.disabled_reason
            .as_deref()
            .is_some_and(|r| r.contains("500")),
        "{:?}",
        e.disabled_reason
    );

    // The owner's email is queued (the email.send job delivers it).
    let mut tx = app::db::tenant_tx(&s.pool, s.a.tenant_id)
        .await
        .expect("tx");
    let mails: Vec<(String, String)> =
        sqlx::query_as("SELECT subject, body_text FROM email_outbox WHERE kind = 'webhook_notice'")
            .fetch_all(&mut *tx)
            .await
            .expect("outbox");
    tx.rollback().await.expect("rollback");
    assert_eq!(mails.len(), 1);
    assert!(mails[0].0.contains("was disabled"), "{}", mails[0].0);
    assert!(mails[0].1.contains(&rx.url()));

    // Nothing more is sent: new events skip it, waiting retries are cancelled.
    submit_form(&s, "late@example.com").await;
    make_due(&s).await;
    run(&s).await;
    assert_eq!(rx.requests().len(), n);
    let o = overview(&s).await;
    assert!(o.deliveries.iter().all(|d| d.status != "pending"));

    // Enabled again, it receives events.
    rx.answer(&[200]);
    *rx.always.lock().expect("lock") = None;
    let r = call_json(
        &s.router,
        "/api/webhooks/enable",
        Some(&s.cookie),
        json!({ "webhook_id": e.id }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    submit_form(&s, "back@example.com").await;
    assert_eq!(run(&s).await, 1);
    assert_eq!(rx.requests().len(), n + 1);
}

#[tokio::test]
async fn quick_page_edits_fold_into_the_one_delivery_not_yet_sent() {
    let s = setup(true, None).await;
    let rx = Receiver::start().await;
    assert!(add(&s, &rx.url(), &["page.updated"])
        .await
        .status
        .is_success());
    let page = load_page(&s.router, &s.cookie, s.a.home_page_id).await;
    let hero = page
        .components
        .iter()
        .find(|c| c.block.kind().as_str() == "hero")
        .expect("hero");
    let mut revision = page.revision;
    for heading in ["One", "Two", "Three"] {
        let mut block = hero.block.clone();
        block.set_text("heading", heading.into());
        let r = call_json(
            &s.router,
            "/api/builder/update",
            Some(&s.cookie),
            json!({ "page_id": s.a.home_page_id, "component_id": hero.id, "block": block, "base_revision": revision }),
        )
        .await;
        assert!(r.status.is_success(), "{}", r.text());
        revision = r.json::<app::model::SaveAck>().revision;
    }
    assert_eq!(overview(&s).await.deliveries.len(), 1);
    assert_eq!(run(&s).await, 1);
    let got = rx.requests();
    assert_eq!(got.len(), 1);
    let body: Value = serde_json::from_str(&got[0].body).expect("json");
    assert_eq!(body["type"], "page.updated");
    assert_eq!(body["data"]["revision"], json!(revision));
}

#[tokio::test]
async fn bad_endpoints_are_refused_with_the_field_and_nothing_is_saved() {
    let s = setup(true, None).await;
    for (url, events, field) in [
        ("ftp://example.com/", vec!["site.published"], "url"),
        ("", vec!["site.published"], "url"),
        (
            "https://user:pw@example.com/",
            vec!["site.published"],
            "url",
        ),
        ("https://93.184.216.34/", vec![], "events"),
        ("https://93.184.216.34/", vec!["order.deleted"], "events"),
    ] {
        let r = add(&s, url, &events).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{url}: {}", r.text());
        assert_eq!(r.error().field(), Some(field), "{url}");
    }
    assert!(overview(&s).await.endpoints.is_empty());
}
