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
    assert_eq!(d.domain, domain, "stored lower case, without the trailing dot");
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
    let ask = get(&s.router, "127.0.0.1:3000", &format!("/_sp/tls/ask?domain={domain}")).await;
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
    let ask = get(&s.router, "127.0.0.1:3000", &format!("/_sp/tls/ask?domain={domain}")).await;
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
    let token = settings.domain.as_ref().expect("d").records[1].value.clone();
    let e = error_after(&s, &a).await;
    assert!(e.starts_with(&format!("NXDOMAIN: {domain} does not exist")), "{e}");
    assert!(e.contains("The TXT record is missing") && e.contains(&token), "{e}");

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
    let token = settings.domain.as_ref().expect("d").records[1].value.clone();
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
    assert!(d.last_error.expect("error").contains("TXT record is missing"));
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
    assert!(e.to_string().contains("already connected to another website"), "{e}");
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
