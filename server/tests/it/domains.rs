//! Custom domains end to end against a real DNS server (hickory-server on a random loopback
//! port, `support/test_dns.rs`) that the app's resolver is pointed at: adding a domain and the
//! records shown, each check outcome in people's words, serving once verified, removal, the
//! plan gate, a domain another website holds, the TLS `ask` endpoint, and losing a domain whose
//! records disappear.

use app::error::AppError;
use app::model::DomainSettings;
use axum::http::StatusCode;
use axum::Router;
use serde_json::json;
use sqlx::PgPool;

use crate::common::*;
use crate::test_dns::TestDns;

pub struct Setup {
    pub dns: TestDns,
    pub router: Router,
    pub pool: PgPool,
}

/// A DNS server for the zone `test` and the app pointed at it.
pub async fn setup(grace: std::time::Duration) -> Setup {
    let pool = pool().await;
    let dns = TestDns::start("test").await;
    let config = server::ServerConfig {
        dns_server: Some(dns.addr),
        domain_grace: grace,
        ..config()
    };
    let router = build(&config, pool.clone());
    Setup { dns, router, pool }
}

/// A fresh tenant on Growth (custom domains allowed) with a published website.
pub async fn growth_site(s: &Setup) -> app::db::accounts::NewAccount {
    let a = account(&s.pool, "Domain Bakery").await;
    set_plan(&s.pool, a.tenant_id, GROWTH).await;
    let r = call_json(
        &s.router,
        "/api/websites/publish",
        Some(&cookie_for(&a)),
        json!({ "website_id": a.website_id }),
    )
    .await;
    assert!(r.status.is_success(), "publish: {}", r.text());
    a
}

/// A fresh name under the test zone.
pub fn fresh_domain() -> String {
    format!("www.{}.test", unique("bakery-"))
}

pub async fn add(s: &Setup, a: &app::db::accounts::NewAccount, domain: &str) -> Reply {
    call_json(
        &s.router,
        "/api/websites/domain/add",
        Some(&cookie_for(a)),
        json!({ "website_id": a.website_id, "domain": domain }),
    )
    .await
}

pub async fn check(s: &Setup, a: &app::db::accounts::NewAccount) -> DomainSettings {
    let r = call_json(
        &s.router,
        "/api/websites/domain/check",
        Some(&cookie_for(a)),
        json!({ "website_id": a.website_id }),
    )
    .await;
    assert!(r.status.is_success(), "check: {}", r.text());
    r.json()
}

/// Publishes the records `settings` asks for (the CNAME and the TXT).
pub async fn publish_records(dns: &TestDns, settings: &DomainSettings) {
    let d = settings.domain.as_ref().expect("domain");
    for r in &d.records {
        match r.kind.as_str() {
            "CNAME" => dns.set_cname(&r.name, &r.value).await,
            "TXT" => dns.set_txt(&r.name, &r.value).await,
            _ => {}
        }
    }
}

#[tokio::test]
async fn a_domain_goes_from_pending_to_verified_and_serves_the_site() {
    let s = setup(std::time::Duration::from_secs(3600)).await;
    let a = growth_site(&s).await;
    let domain = fresh_domain();
    let r = add(&s, &a, &format!("  {}. ", domain.to_uppercase())).await;
    assert!(r.status.is_success(), "add: {}", r.text());
    let settings: DomainSettings = r.json();
    let d = settings.domain.clone().expect("domain");
    assert_eq!(
        d.domain, domain,
        "stored lower case, without the trailing dot"
    );
    assert!(!d.verified);
    assert_eq!(d.cname_target, format!("{}.localhost", a.subdomain));
    let kinds: Vec<(&str, &str)> = d
        .records
        .iter()
        .map(|r| (r.kind.as_str(), r.name.as_str()))
        .collect();
    let txt_name = format!("_sitepilot-verify.{domain}");
    assert_eq!(
        kinds,
        vec![("CNAME", domain.as_str()), ("TXT", txt_name.as_str())]
    );
    // Not verified: visitors on the domain get nothing, and Caddy may not get a certificate.
    assert_eq!(
        get(&s.router, &domain, "/").await.status,
        StatusCode::NOT_FOUND
    );
    let ask = get(
        &s.router,
        "127.0.0.1:3000",
        &format!("/_sp/tls/ask?domain={domain}"),
    )
    .await;
    assert_eq!(ask.status, StatusCode::NOT_FOUND);

    publish_records(&s.dns, &settings).await;
    let after = check(&s, &a).await;
    let d = after.domain.expect("domain");
    assert!(d.verified, "verified: {:?}", d.last_error);
    assert_eq!(d.last_error, None);
    assert_eq!(d.verification_attempts, 1);
    assert!(d.last_checked_at.is_some() && d.first_verified_at.is_some());

    let page = get(&s.router, &domain, "/").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());

    // The ask endpoint says yes, on the app's host and on any other, and records it once.
    assert!(!d.ssl_provisioned);
    for host in ["127.0.0.1:3000", "localhost:2019"] {
        let ask = get(&s.router, host, &format!("/_sp/tls/ask?domain={domain}")).await;
        assert_eq!(ask.status, StatusCode::OK, "ask on {host}");
    }
    let settings = settings_of(&s, &a).await;
    let d = settings.domain.expect("domain");
    assert!(d.ssl_provisioned);

    // Removing the domain stops serving at once.
    let r = call_json(
        &s.router,
        "/api/websites/domain/remove",
        Some(&cookie_for(&a)),
        json!({ "website_id": a.website_id }),
    )
    .await;
    assert!(r.status.is_success(), "remove: {}", r.text());
    assert!(r.json::<DomainSettings>().domain.is_none());
    assert_eq!(
        get(&s.router, &domain, "/").await.status,
        StatusCode::NOT_FOUND
    );
    let ask = get(
        &s.router,
        "127.0.0.1:3000",
        &format!("/_sp/tls/ask?domain={domain}"),
    )
    .await;
    assert_eq!(ask.status, StatusCode::NOT_FOUND);
}

pub async fn settings_of(s: &Setup, a: &app::db::accounts::NewAccount) -> DomainSettings {
    let r = call_json(
        &s.router,
        "/api/websites/domain",
        Some(&cookie_for(a)),
        json!({ "website_id": a.website_id }),
    )
    .await;
    assert!(r.status.is_success(), "settings: {}", r.text());
    r.json()
}

/// The last error after a "Check now", for a domain whose DNS `arrange` set up.
async fn error_after(s: &Setup, a: &app::db::accounts::NewAccount) -> String {
    let d = check(s, a).await.domain.expect("domain");
    assert!(!d.verified);
    d.last_error.expect("an error")
}

#[tokio::test]
async fn each_dns_problem_is_said_in_words_people_understand() {
    let s = setup(std::time::Duration::from_secs(3600)).await;

    // NXDOMAIN: nothing exists under the name yet.
    let a = growth_site(&s).await;
    let domain = fresh_domain();
    let settings: DomainSettings = add(&s, &a, &domain).await.json();
    let token = settings.domain.as_ref().expect("d").records[1]
        .value
        .clone();
    let e = error_after(&s, &a).await;
    assert!(
        e.starts_with(&format!("NXDOMAIN: {domain} does not exist")),
        "{e}"
    );
    assert!(
        e.contains("The TXT record is missing") && e.contains(&token),
        "{e}"
    );

    // The CNAME points elsewhere, the TXT is right.
    let b = growth_site(&s).await;
    let domain = fresh_domain();
    let settings: DomainSettings = add(&s, &b, &domain).await.json();
    publish_records(&s.dns, &settings).await;
    s.dns.set_cname(&domain, "elsewhere.example.net").await;
    let e = error_after(&s, &b).await;
    assert_eq!(
        e,
        format!(
            "The CNAME record of {domain} points to elsewhere.example.net, not {}.localhost. Change it to {}.localhost.",
            b.subdomain, b.subdomain
        )
    );

    // The CNAME is right, the TXT is missing, then wrong.
    let c = growth_site(&s).await;
    let domain = fresh_domain();
    let settings: DomainSettings = add(&s, &c, &domain).await.json();
    s.dns
        .set_cname(&domain, &format!("{}.localhost", c.subdomain))
        .await;
    let token = settings.domain.as_ref().expect("d").records[1]
        .value
        .clone();
    let e = error_after(&s, &c).await;
    assert_eq!(
        e,
        format!("The TXT record is missing: create a TXT record named _sitepilot-verify.{domain} with the value {token}.")
    );
    s.dns
        .set_txt(&format!("_sitepilot-verify.{domain}"), "someone-else")
        .await;
    // A second "Check now" within the gap is refused with 429, and changes nothing.
    let again = call_json(
        &s.router,
        "/api/websites/domain/check",
        Some(&cookie_for(&c)),
        json!({ "website_id": c.website_id }),
    )
    .await;
    assert_eq!(again.status, StatusCode::TOO_MANY_REQUESTS);
    let d = settings_of(&s, &c).await.domain.expect("domain");
    assert_eq!(d.verification_attempts, 1);
    assert!(d
        .last_error
        .expect("error")
        .contains("TXT record is missing"));
}

#[tokio::test]
async fn a_domain_is_refused_on_a_plan_without_it_when_taken_or_when_it_is_ours() {
    let s = setup(std::time::Duration::from_secs(3600)).await;
    // Starter has no custom domains: the typed limit with the plan that lifts it.
    let starter = account(&s.pool, "Starter Bakery").await;
    let r = add(&s, &starter, &fresh_domain()).await;
    assert_eq!(r.status, StatusCode::PAYMENT_REQUIRED);
    match r.error() {
        AppError::LimitReached {
            limit, upgrade_to, ..
        } => {
            assert_eq!(limit, "custom_domain_allowed");
            assert_eq!(upgrade_to.as_deref(), Some("Growth"));
        }
        other => panic!("expected LimitReached, got {other:?}"),
    }
    assert!(settings_of(&s, &starter).await.domain.is_none());

    // A domain another tenant's website holds (even unverified): a clear 400, nothing saved.
    let first = growth_site(&s).await;
    let second = growth_site(&s).await;
    let domain = fresh_domain();
    assert!(add(&s, &first, &domain).await.status.is_success());
    let r = add(&s, &second, &domain.to_uppercase()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let e = r.error();
    assert_eq!(e.field(), Some("domain"));
    assert!(
        e.to_string()
            .contains("already connected to another website"),
        "{e}"
    );
    assert!(settings_of(&s, &second).await.domain.is_none());

    // The platform's own names, and what is not a domain at all.
    for bad in [
        "localhost",
        "shop.localhost",
        "127.0.0.1",
        "https://www.mybakery.test",
        "www.mybakery.test/menu",
        "www.mybakery.test:8443",
        "*.mybakery.test",
    ] {
        let r = add(&s, &second, bad).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.text());
        assert_eq!(r.error().field(), Some("domain"), "{bad}");
    }
    // IDNA: stored as punycode.
    let r = add(&s, &second, &format!("bäckerei-{}.test", unique(""))).await;
    assert!(r.status.is_success(), "{}", r.text());
    let d = r.json::<DomainSettings>().domain.expect("domain");
    assert!(d.domain.starts_with("xn--"), "{}", d.domain);
}

#[tokio::test]
async fn the_ask_endpoint_refuses_what_is_not_a_verified_domain() {
    let s = setup(std::time::Duration::from_secs(3600)).await;
    for (query, status) in [
        ("", StatusCode::BAD_REQUEST),
        ("?domain=", StatusCode::BAD_REQUEST),
        ("?domain=not%20a%20domain", StatusCode::BAD_REQUEST),
        ("?domain=nobody-has-this.test", StatusCode::NOT_FOUND),
    ] {
        let r = get(&s.router, "127.0.0.1:3000", &format!("/_sp/tls/ask{query}")).await;
        assert_eq!(r.status, status, "{query}");
    }
}

/// Editors and viewers see the domain settings but may not change them (the full matrix is in
/// `permissions`).
#[tokio::test]
async fn editors_and_viewers_cannot_change_domains() {
    let s = setup(std::time::Duration::from_secs(3600)).await;
    let a = growth_site(&s).await;
    for role in ["editor", "viewer"] {
        let cookie = member_cookie(&s.pool, &a, role).await;
        let r = call_json(
            &s.router,
            "/api/websites/domain/add",
            Some(&cookie),
            json!({ "website_id": a.website_id, "domain": fresh_domain() }),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{role}");
        let r = call_json(
            &s.router,
            "/api/websites/domain",
            Some(&cookie),
            json!({ "website_id": a.website_id }),
        )
        .await;
        assert!(r.status.is_success());
        assert!(!r.json::<DomainSettings>().can_manage, "{role}");
    }
}

/// The queue's registry for `s`'s configuration, as `server::build` would run it.
fn registry(s: &Setup, grace: std::time::Duration) -> server::jobs::Registry {
    let config = server::ServerConfig {
        dns_server: Some(s.dns.addr),
        domain_grace: grace,
        ..config()
    };
    // The domain jobs only: the notices they queue stay in the queue for the tests to read.
    server::jobs::registry(&config, &s.pool).only(&["domains.verify", "domains.recheck"])
}

/// Jobs of `kind` and their payloads, read through the owner role (the app role has no
/// privilege on the queue's table).
async fn queued(kind: &str, tenant: uuid::Uuid) -> Vec<(serde_json::Value, String)> {
    let owner = PgPool::connect(&std::env::var("DATABASE_URL").expect("DATABASE_URL"))
        .await
        .expect("owner pool");
    let rows = sqlx::query_as(
        "SELECT payload, status::text FROM jobs WHERE kind = $1 AND tenant_id = $2 ORDER BY id",
    )
    .bind(kind)
    .bind(tenant)
    .fetch_all(&owner)
    .await
    .expect("jobs");
    owner.close().await;
    rows
}

#[tokio::test]
async fn the_queued_check_verifies_once_even_with_two_workers_racing() {
    let s = setup(std::time::Duration::from_secs(3600)).await;
    let a = growth_site(&s).await;
    let domain = fresh_domain();
    let settings: DomainSettings = add(&s, &a, &domain).await.json();
    publish_records(&s.dns, &settings).await;
    let reg = registry(&s, std::time::Duration::from_secs(3600));
    let (x, y) = tokio::join!(
        server::jobs::run_due_for(&s.pool, &reg, a.tenant_id),
        server::jobs::run_due_for(&s.pool, &reg, a.tenant_id)
    );
    assert_eq!(x + y, 1, "the one queued check ran once");
    let d = settings_of(&s, &a).await.domain.expect("domain");
    assert!(d.verified, "{:?}", d.last_error);
    assert_eq!(d.verification_attempts, 1);
    assert_eq!(get(&s.router, &domain, "/").await.status, StatusCode::OK);
    let notices = queued("email.domain_notice", a.tenant_id).await;
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].0["event"], "verified");
    assert_eq!(notices[0].0["domain"], domain.as_str());
    assert_eq!(notices[0].0["website_id"], a.website_id.to_string());
}

#[tokio::test]
async fn a_pending_check_that_fails_is_retried_with_backoff() {
    let s = setup(std::time::Duration::from_secs(3600)).await;
    let a = growth_site(&s).await;
    let domain = fresh_domain();
    assert!(add(&s, &a, &domain).await.status.is_success());
    let reg = registry(&s, std::time::Duration::from_secs(3600));
    assert_eq!(
        server::jobs::run_due_for(&s.pool, &reg, a.tenant_id).await,
        1
    );
    let d = settings_of(&s, &a).await.domain.expect("domain");
    assert!(!d.verified);
    assert!(d.last_error.expect("error").starts_with("NXDOMAIN"));
    // The retry waits a minute: nothing is due now, and the job is queued, not dead.
    assert_eq!(
        server::jobs::run_due_for(&s.pool, &reg, a.tenant_id).await,
        0
    );
    let jobs = queued("domains.verify", a.tenant_id).await;
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].1, "queued");
}

/// Makes the tenant's verified domains due for their daily re-check and runs it.
async fn recheck(s: &Setup, a: &app::db::accounts::NewAccount, reg: &server::jobs::Registry) {
    let mut tx = app::db::tenant_tx(&s.pool, a.tenant_id).await.expect("tx");
    sqlx::query("UPDATE domain_verifications SET last_checked_at = now() - interval '2 days'")
        .execute(&mut *tx)
        .await
        .expect("age");
    tx.commit().await.expect("commit");
    let ctx = server::jobs::JobCtx {
        pool: s.pool.clone(),
        id: 0,
        kind: "domains.recheck".into(),
        payload: json!({}),
        attempt: 1,
        max_attempts: 1,
    };
    server::domains::jobs::recheck(ctx).await.expect("recheck");
    assert_eq!(
        server::jobs::run_due_for(&s.pool, reg, a.tenant_id).await,
        1
    );
}

#[tokio::test]
async fn a_verified_domain_whose_records_disappear_keeps_serving_through_the_grace_then_is_lost() {
    let s = setup(std::time::Duration::from_secs(3600)).await;
    let a = growth_site(&s).await;
    let domain = fresh_domain();
    let settings: DomainSettings = add(&s, &a, &domain).await.json();
    publish_records(&s.dns, &settings).await;
    let within_grace = registry(&s, std::time::Duration::from_secs(3600));
    server::jobs::run_due_for(&s.pool, &within_grace, a.tenant_id).await;
    assert!(settings_of(&s, &a).await.domain.expect("d").verified);

    // The daily re-check passes while the records are there.
    recheck(&s, &a, &within_grace).await;
    let d = settings_of(&s, &a).await.domain.expect("d");
    assert!(d.verified && d.failing_since.is_none());
    assert_eq!(d.verification_attempts, 2);

    // The TXT record disappears: within the grace period the site keeps serving.
    s.dns
        .remove(
            &format!("_sitepilot-verify.{domain}"),
            hickory_server::proto::rr::RecordType::TXT,
        )
        .await;
    let mut tx = app::db::tenant_tx(&s.pool, a.tenant_id).await.expect("tx");
    let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM domain_verifications")
        .fetch_one(&mut *tx)
        .await
        .expect("id");
    tx.commit().await.expect("commit");
    let mut tx = app::db::tenant_tx(&s.pool, a.tenant_id).await.expect("tx");
    app::db::jobs::enqueue(&mut *tx, app::db::domains::verify_job(a.tenant_id, id))
        .await
        .expect("enqueue");
    tx.commit().await.expect("commit");
    assert_eq!(
        server::jobs::run_due_for(&s.pool, &within_grace, a.tenant_id).await,
        1
    );
    let d = settings_of(&s, &a).await.domain.expect("d");
    assert!(d.verified && d.failing_since.is_some());
    assert!(d
        .last_error
        .expect("error")
        .contains("TXT record is missing"));
    assert_eq!(get(&s.router, &domain, "/").await.status, StatusCode::OK);

    // Past the grace period the next failed check unverifies it, and the owner is told.
    let past_grace = registry(&s, std::time::Duration::ZERO);
    let mut tx = app::db::tenant_tx(&s.pool, a.tenant_id).await.expect("tx");
    sqlx::query("UPDATE domain_verifications SET last_checked_at = now() - interval '2 days'")
        .execute(&mut *tx)
        .await
        .expect("age");
    tx.commit().await.expect("commit");
    // The retry of the failing check is a minute away; the loss comes from the next run of it,
    // made due here.
    let owner = PgPool::connect(&std::env::var("DATABASE_URL").expect("DATABASE_URL"))
        .await
        .expect("owner pool");
    sqlx::query("UPDATE jobs SET run_at = now() WHERE kind = 'domains.verify' AND tenant_id = $1 AND status = 'queued'")
        .bind(a.tenant_id)
        .execute(&owner)
        .await
        .expect("due");
    owner.close().await;
    assert_eq!(
        server::jobs::run_due_for(&s.pool, &past_grace, a.tenant_id).await,
        1
    );
    let d = settings_of(&s, &a).await.domain.expect("d");
    assert!(!d.verified, "lost");
    assert_eq!(
        get(&s.router, &domain, "/").await.status,
        StatusCode::NOT_FOUND
    );
    let ask = get(
        &s.router,
        "127.0.0.1:3000",
        &format!("/_sp/tls/ask?domain={domain}"),
    )
    .await;
    assert_eq!(ask.status, StatusCode::NOT_FOUND);
    let events: Vec<String> = queued("email.domain_notice", a.tenant_id)
        .await
        .into_iter()
        .map(|(p, _)| p["event"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(events, vec!["verified", "lost"]);
}

#[tokio::test]
async fn an_apex_domain_is_pointed_with_a_records_to_the_edge() {
    let pool = pool().await;
    let dns = TestDns::start("test").await;
    let edge: std::net::IpAddr = "192.0.2.10".parse().expect("ip");
    let config = server::ServerConfig {
        dns_server: Some(dns.addr),
        domain_apex_ips: vec![edge],
        ..config()
    };
    let s = Setup {
        router: build(&config, pool.clone()),
        pool,
        dns,
    };
    let a = growth_site(&s).await;
    let apex = format!("{}.test", unique("bakery-"));
    let settings: DomainSettings = add(&s, &a, &apex).await.json();
    let d = settings.domain.clone().expect("domain");
    let kinds: Vec<(&str, &str)> = d
        .records
        .iter()
        .map(|r| (r.kind.as_str(), r.value.as_str()))
        .collect();
    assert_eq!(
        kinds[0],
        ("A", "192.0.2.10"),
        "no CNAME at an apex: {kinds:?}"
    );
    assert_eq!(kinds.len(), 2);
    publish_records(&s.dns, &settings).await;

    // Pointed elsewhere: the queued check says where, and what it should be.
    s.dns
        .add_ip(&apex, "198.51.100.7".parse().expect("ip"))
        .await;
    let reg = server::jobs::registry(&config, &s.pool);
    assert_eq!(
        server::jobs::run_due_for(&s.pool, &reg, a.tenant_id).await,
        1
    );
    let d = settings_of(&s, &a).await.domain.expect("domain");
    assert_eq!(
        d.last_error.as_deref(),
        Some(
            format!("{apex} points to 198.51.100.7, not 192.0.2.10. Change its A/AAAA records to 192.0.2.10 and remove the others.")
                .as_str()
        )
    );
    s.dns
        .remove(&apex, hickory_server::proto::rr::RecordType::A)
        .await;
    s.dns.add_ip(&apex, edge).await;
    let d = check(&s, &a).await.domain.expect("domain");
    assert!(d.verified, "{:?}", d.last_error);
    assert_eq!(get(&s.router, &apex, "/").await.status, StatusCode::OK);
}

#[tokio::test]
async fn removing_a_domain_on_one_instance_stops_it_on_every_instance() {
    use crate::visitor_site::eventually;
    let s = setup(std::time::Duration::from_secs(3600)).await;
    // A second server instance: its own visitor cache and change listener, the same database.
    let config = server::ServerConfig {
        dns_server: Some(s.dns.addr),
        ..config()
    };
    let second = build(&config, s.pool.clone());
    let a = growth_site(&s).await;
    let domain = fresh_domain();
    let settings: DomainSettings = add(&s, &a, &domain).await.json();
    publish_records(&s.dns, &settings).await;
    assert!(check(&s, &a).await.domain.expect("d").verified);
    // Both instances serve the domain from memory.
    for r in [&s.router, &second] {
        eventually(r, &domain, "/", "cached on the custom domain", |g| {
            g.header("x-sitepilot-cache") == "hit"
        })
        .await;
    }
    let r = call_json(
        &s.router,
        "/api/websites/domain/remove",
        Some(&cookie_for(&a)),
        json!({ "website_id": a.website_id }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    assert_eq!(
        get(&s.router, &domain, "/").await.status,
        StatusCode::NOT_FOUND,
        "at once on the instance that removed it"
    );
    eventually(&second, &domain, "/", "gone on the other instance", |g| {
        g.status == StatusCode::NOT_FOUND
    })
    .await;
}
