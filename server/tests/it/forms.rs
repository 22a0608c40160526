//! Contact forms on visitor sites: submissions checked against the published
//! block, honeypot, per-address rate limit; the owners' inbox (list, view, mark processed,
//! CSV export) with its role checks and tenant isolation.

use app::db::accounts::NewAccount;
use app::model::{BlockProps, ComponentKind, SubmissionDetail, SubmissionSummary};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;
use uuid::Uuid;

use crate::common::*;

const HOST: &str = "127.0.0.1:3000";

struct Site {
    a: NewAccount,
    owner: String,
    form: Uuid,
    path: String,
}

/// A published site whose home page has a contact form (the starter fields: name, email,
/// phone, message) after the hero.
async fn site_with_form(router: &Router, pool: &sqlx::PgPool, org: &str) -> Site {
    let a = account(pool, org).await;
    let owner = cookie_for(&a);
    let data = load_page(router, &owner, a.home_page_id).await;
    let after = data.components.get(1).map(|c| c.id);
    let added = insert(
        router,
        &owner,
        a.home_page_id,
        BlockProps::starter(ComponentKind::ContactForm),
        after,
        data.revision,
    )
    .await
    .ok();
    let r = call_json(
        router,
        "/api/websites/publish",
        Some(&owner),
        json!({ "website_id": a.website_id }),
    )
    .await;
    assert!(r.status.is_success(), "publish refused: {}", r.text());
    let path = format!("/sites/{}/", a.subdomain);
    Site {
        form: added.component.id,
        a,
        owner,
        path,
    }
}

async fn send(router: &Router, req: Request<Body>) -> Reply {
    let res = router.clone().oneshot(req).await.expect("request");
    let status = res.status();
    let h = res.headers().clone();
    let location = h
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let mut set_cookie = Vec::new();
    if let Some(ct) = h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) {
        // Not a cookie: the export's content type and disposition ride along for assertions.
        set_cookie.push(format!("content-type: {ct}"));
    }
    if let Some(cd) = h
        .get(header::CONTENT_DISPOSITION)
        .and_then(|v| v.to_str().ok())
    {
        set_cookie.push(format!("content-disposition: {cd}"));
    }
    for name in ["ratelimit-limit", "ratelimit-remaining"] {
        if let Some(v) = h.get(name).and_then(|v| v.to_str().ok()) {
            set_cookie.push(format!("{name}: {v}"));
        }
    }
    let body = res
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Reply {
        status,
        set_cookie,
        location,
        body,
    }
}

/// A visitor's POST of the form on `s`'s home page.
async fn submit(router: &Router, s: &Site, form: Uuid, pairs: &[(&str, &str)]) -> Reply {
    let mut all = vec![
        ("_sp_form".to_string(), form.to_string()),
        ("sp-website".into(), String::new()),
    ];
    all.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let body = all
        .iter()
        .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let req = Request::post(&s.path)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::USER_AGENT, "forms-test")
        .body(Body::from(body))
        .expect("request");
    send(router, req).await
}

const GOOD: &[(&str, &str)] = &[
    ("name", "Ann Visitor"),
    ("email", "ann@example.com"),
    ("message", "Table for four?"),
];

async fn list(router: &Router, cookie: &str, unprocessed_only: bool) -> Reply {
    call_json(
        router,
        "/api/forms/list",
        Some(cookie),
        json!({ "unprocessed_only": unprocessed_only }),
    )
    .await
}

async fn list_ok(router: &Router, cookie: &str, unprocessed_only: bool) -> Vec<SubmissionSummary> {
    let r = list(router, cookie, unprocessed_only).await;
    assert!(r.status.is_success(), "list refused: {}", r.text());
    r.json()
}

async fn get(router: &Router, cookie: &str, id: Uuid) -> Reply {
    call_json(router, "/api/forms/get", Some(cookie), json!({ "id": id })).await
}

async fn mark(router: &Router, cookie: &str, id: Uuid, processed: bool) -> Reply {
    call_json(
        router,
        "/api/forms/mark",
        Some(cookie),
        json!({ "id": id, "processed": processed }),
    )
    .await
}

async fn export(router: &Router, cookie: Option<&str>, website: Uuid) -> Reply {
    let mut req = Request::get(format!("/forms/export/{website}")).header(header::HOST, HOST);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    send(router, req.body(Body::empty()).expect("request")).await
}

async fn stored(pool: &sqlx::PgPool, s: &Site) -> i64 {
    let mut tx = app::db::tenant_tx(pool, s.a.tenant_id).await.expect("tx");
    sqlx::query_scalar("SELECT count(*) FROM form_submissions")
        .fetch_one(&mut *tx)
        .await
        .expect("count")
}

#[tokio::test]
async fn the_published_form_posts_back_to_its_page_with_its_id_and_a_honeypot() {
    let pool = pool().await;
    let router = router(pool.clone());
    let s = site_with_form(&router, &pool, "Form Render").await;
    let page = crate::common::get(&router, HOST, &s.path).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    let anchor = format!("form-{}", s.form.simple());
    assert!(html.contains(&format!(r##"action="#{anchor}""##)), "{html}");
    assert!(
        html.contains(&format!(r#"name="_sp_form" value="{}""#, s.form)),
        "{html}"
    );
    assert!(
        html.contains("Leave this empty") && html.contains(r#"name="sp-website""#),
        "{html}"
    );
    assert!(html.contains(r#"<p aria-hidden="true" class="sp-hp">"#));
    assert!(html.contains(&format!(
        r#"<section id="{anchor}" class="sp-block sp-contact-form">"#
    )));
}

#[tokio::test]
async fn a_valid_submission_is_stored_and_the_visitor_sees_the_success_message() {
    let pool = pool().await;
    let router = router(pool.clone());
    let s = site_with_form(&router, &pool, "Form Valid").await;
    let mut pairs = GOOD.to_vec();
    pairs.push(("is_admin", "true"));
    let r = submit(&router, &s, s.form, &pairs).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    assert!(
        html.contains("Thanks! We&#x27;ll get back to you within 24 hours.")
            || html.contains("Thanks! We'll get back"),
        "{html}"
    );
    assert!(html.contains(r#"role="status""#));
    assert!(
        !html.contains(r#"name="_sp_form""#),
        "the sent form gives way to the message"
    );

    let inbox = list_ok(&router, &s.owner, false).await;
    assert_eq!(inbox.len(), 1);
    let row = &inbox[0];
    assert_eq!(
        (
            row.website_id,
            row.page_slug.as_str(),
            row.form_name.as_str()
        ),
        (s.a.website_id, "/", "Get in touch")
    );
    assert!(
        !row.processed
            && row.preview.contains("Ann Visitor")
            && row.preview.contains("ann@example.com")
    );
    let detail: SubmissionDetail = get(&router, &s.owner, row.id).await.json();
    let names: Vec<_> = detail
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.label.as_str(), f.value.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("name", "Your name", "Ann Visitor"),
            ("email", "Email", "ann@example.com"),
            ("phone", "Phone", ""),
            ("message", "Message", "Table for four?"),
        ],
        "fields the block does not define are dropped"
    );
    let mut tx = app::db::tenant_tx(&pool, s.a.tenant_id).await.expect("tx");
    let agent: Option<String> = sqlx::query_scalar("SELECT user_agent FROM form_submissions")
        .fetch_one(&mut *tx)
        .await
        .expect("row");
    assert_eq!(agent.as_deref(), Some("forms-test"));
}

#[tokio::test]
async fn each_invalid_field_is_reported_with_the_visitors_values_and_nothing_is_stored() {
    let pool = pool().await;
    let router = router(pool.clone());
    let s = site_with_form(&router, &pool, "Form Invalid").await;
    let long = "x".repeat(301);
    // (posted fields, failing field, its message)
    type Case<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec![("email", "ann@example.com"), ("message", "Hi")],
            "name",
            "Your name is required.",
        ),
        (
            vec![
                ("name", "Ann"),
                ("email", "not-an-email"),
                ("message", "Hi"),
            ],
            "email",
            "Enter an email address like name@example.com.",
        ),
        (
            vec![
                ("name", "Ann"),
                ("email", "ann@example.com"),
                ("phone", "call me"),
                ("message", "Hi"),
            ],
            "phone",
            "Enter a phone number",
        ),
        (
            vec![
                ("name", &long),
                ("email", "ann@example.com"),
                ("message", "Hi"),
            ],
            "name",
            "Your name can be at most 300 characters.",
        ),
        (
            vec![
                ("name", "Ann"),
                ("email", "ann@example.com"),
                ("message", "   "),
            ],
            "message",
            "Message is required.",
        ),
    ];
    for (pairs, field, message) in cases {
        let r = submit(&router, &s, s.form, &pairs).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let html = r.text();
        assert!(
            html.contains("Please correct the fields marked below."),
            "{html}"
        );
        let error_id = format!("form-{}-{field}-error", s.form.simple());
        assert!(
            html.contains(&format!(r#"aria-describedby="{error_id}""#)),
            "{field}: {html}"
        );
        assert!(
            html.contains(&format!(
                r#"<span id="{error_id}" class="sp-field-error">{message}"#
            )),
            "{field}: {html}"
        );
        // The visitor's other input is kept.
        assert!(
            html.contains(r#"value="ann@example.com""#) || field == "email",
            "{html}"
        );
    }
    assert_eq!(stored(&pool, &s).await, 0);
    assert!(list_ok(&router, &s.owner, false).await.is_empty());
}

#[tokio::test]
async fn a_filled_honeypot_looks_sent_but_stores_nothing() {
    let pool = pool().await;
    let router = router(pool.clone());
    let s = site_with_form(&router, &pool, "Form Honeypot").await;
    let mut pairs = GOOD.to_vec();
    pairs.push(("sp-website", "http://spam.example"));
    let r = submit(&router, &s, s.form, &pairs).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("get back to you within 24 hours"));
    assert_eq!(stored(&pool, &s).await, 0);
}

#[tokio::test]
async fn too_many_submissions_from_one_address_get_429() {
    let pool = pool().await;
    let router = router(pool.clone());
    // A second server instance on the same database: the count is shared through PostgreSQL.
    let second_instance = crate::common::router(pool.clone());
    let s = site_with_form(&router, &pool, "Form Flood").await;
    for n in 0..server::visitor::forms::MAX_SUBMISSIONS {
        let instance = if n % 2 == 0 {
            &router
        } else {
            &second_instance
        };
        assert_eq!(
            submit(instance, &s, s.form, GOOD).await.status,
            StatusCode::OK,
            "submission {n}"
        );
    }
    let r = submit(&router, &s, s.form, GOOD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text().contains("Please wait 10 minutes"), "{}", r.text());
    assert_eq!(
        stored(&pool, &s).await,
        i64::from(server::visitor::forms::MAX_SUBMISSIONS)
    );
    // Another site is counted separately.
    let other = site_with_form(&router, &pool, "Form Calm").await;
    assert_eq!(
        submit(&router, &other, other.form, GOOD).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn unknown_or_non_form_components_are_refused() {
    let pool = pool().await;
    let router = router(pool.clone());
    let s = site_with_form(&router, &pool, "Form Unknown").await;
    assert_eq!(
        submit(&router, &s, Uuid::new_v4(), GOOD).await.status,
        StatusCode::NOT_FOUND
    );
    let hero = load_page(&router, &s.owner, s.a.home_page_id)
        .await
        .components[1]
        .id;
    assert_eq!(
        submit(&router, &s, hero, GOOD).await.status,
        StatusCode::NOT_FOUND,
        "a hero is not a form"
    );
    // Another tenant's form id does not reach this site's page.
    let other = site_with_form(&router, &pool, "Form Elsewhere").await;
    assert_eq!(
        submit(&router, &s, other.form, GOOD).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(stored(&pool, &s).await + stored(&pool, &other).await, 0);
}

#[tokio::test]
async fn owners_mark_processed_filter_and_export_csv() {
    let pool = pool().await;
    let router = router(pool.clone());
    let s = site_with_form(&router, &pool, "Form Inbox").await;
    submit(&router, &s, s.form, GOOD).await;
    let formula = [
        ("name", "=HYPERLINK(\"http://evil\")"),
        ("email", "bob@example.com"),
        ("message", "Line one,\nline \"two\""),
    ];
    submit(&router, &s, s.form, &formula).await;
    let all = list_ok(&router, &s.owner, false).await;
    assert_eq!(all.len(), 2);
    assert!(all[0].preview.contains("HYPERLINK"), "newest first");
    let done: SubmissionDetail = mark(&router, &s.owner, all[1].id, true).await.json();
    assert!(done.summary.processed && done.processed_at.is_some());
    let open = list_ok(&router, &s.owner, true).await;
    assert_eq!(open.iter().map(|r| r.id).collect::<Vec<_>>(), [all[0].id]);
    let back: SubmissionDetail = mark(&router, &s.owner, all[1].id, false).await.json();
    assert!(!back.summary.processed && back.processed_at.is_none());
    assert_eq!(list_ok(&router, &s.owner, true).await.len(), 2);

    let csv = export(&router, Some(&s.owner), s.a.website_id).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.set_cookie
            .iter()
            .any(|h| h == "content-type: text/csv; charset=utf-8"),
        "{:?}",
        csv.set_cookie
    );
    assert!(csv
        .set_cookie
        .iter()
        .any(|h| h.starts_with("content-disposition: attachment;")));
    // An export counts against the plan's export rate, and the answer says where it stands.
    assert!(
        csv.set_cookie.iter().any(|h| h == "ratelimit-limit: 20")
            && csv
                .set_cookie
                .iter()
                .any(|h| h == "ratelimit-remaining: 19"),
        "{:?}",
        csv.set_cookie
    );
    let text = csv.text();
    let mut lines = text.split("\r\n");
    assert_eq!(
        lines.next(),
        Some("Received (UTC),Page,Form,Status,Your name,Email,Phone,Message")
    );
    assert!(
        text.contains(",/,Get in touch,new,Ann Visitor,ann@example.com,,Table for four?\r\n"),
        "{text}"
    );
    assert!(text.contains(",\"'=HYPERLINK(\"\"http://evil\"\")\",bob@example.com,,\"Line one,\nline \"\"two\"\"\"\r\n"), "{text}");
    assert_eq!(
        export(&router, None, s.a.website_id).await.status,
        StatusCode::UNAUTHORIZED
    );
}

/// Issue 15 §6: formula cells are neutralised whatever separator the spreadsheet splits on: a
/// `;` (or tab) inside a cell is quoted, so `x;=1+1` cannot become a formula cell.
#[tokio::test]
async fn csv_export_cells_cannot_become_formulas_in_a_semicolon_locale() {
    let pool = pool().await;
    let router = router(pool.clone());
    let s = site_with_form(&router, &pool, "Form Csv Locale").await;
    let payload = [
        ("name", "x;=1+1"),
        ("email", "eve@example.com"),
        ("message", "+SUM(A1);@cmd\t-2"),
    ];
    submit(&router, &s, s.form, &payload).await;
    let csv = export(&router, Some(&s.owner), s.a.website_id).await;
    assert_eq!(csv.status, StatusCode::OK);
    let text = csv.text();
    let row = text
        .split("\r\n")
        .find(|l| l.contains("eve@example.com"))
        .expect("the submission's row");
    assert!(row.contains(",\"x;=1+1\",eve@example.com,"), "{row}");
    assert!(row.contains(",\"'+SUM(A1);@cmd\t-2\""), "{row}");
    // Split on `;` like a semicolon locale: no piece outside quotes starts a formula.
    let mut in_quotes = false;
    let mut pieces = vec![String::new()];
    for ch in row.chars() {
        match ch {
            '"' => in_quotes = !in_quotes,
            ';' | ',' | '\t' if !in_quotes => pieces.push(String::new()),
            _ => pieces.last_mut().expect("piece").push(ch),
        }
    }
    assert!(
        pieces.iter().all(|p| !p.starts_with(['=', '+', '-', '@'])),
        "{pieces:?}"
    );
}

#[tokio::test]
async fn only_owners_and_admins_use_the_inbox() {
    let pool = pool().await;
    let router = router(pool.clone());
    let s = site_with_form(&router, &pool, "Form Roles").await;
    submit(&router, &s, s.form, GOOD).await;
    let id = list_ok(&router, &s.owner, false).await[0].id;
    for role in ["owner", "admin"] {
        let c = if role == "owner" {
            s.owner.clone()
        } else {
            member_cookie(&pool, &s.a, role).await
        };
        assert_eq!(list_ok(&router, &c, false).await.len(), 1, "{role}");
        assert!(get(&router, &c, id).await.status.is_success(), "{role}");
        assert!(
            mark(&router, &c, id, true).await.status.is_success(),
            "{role}"
        );
        assert_eq!(
            export(&router, Some(&c), s.a.website_id).await.status,
            StatusCode::OK,
            "{role}"
        );
    }
    for role in ["editor", "developer", "viewer"] {
        let c = member_cookie(&pool, &s.a, role).await;
        let refused = |r: Reply| {
            assert_eq!(
                r.error(),
                app::error::AppError::Forbidden(
                    "Only the owner and admins can read form submissions.".into()
                )
            );
        };
        refused(list(&router, &c, false).await);
        refused(get(&router, &c, id).await);
        refused(mark(&router, &c, id, false).await);
        assert_eq!(
            export(&router, Some(&c), s.a.website_id).await.status,
            StatusCode::FORBIDDEN,
            "{role}"
        );
    }
    let detail: SubmissionDetail = get(&router, &s.owner, id).await.json();
    assert!(detail.summary.processed, "refused calls changed nothing");
    assert_eq!(
        list(&router, "sp_session=nobody", false).await.error(),
        app::error::AppError::Unauthorized
    );
}

#[tokio::test]
async fn another_tenant_cannot_list_view_mark_or_export() {
    let pool = pool().await;
    let router = router(pool.clone());
    let s = site_with_form(&router, &pool, "Form Mine").await;
    submit(&router, &s, s.form, GOOD).await;
    let id = list_ok(&router, &s.owner, false).await[0].id;
    let other = account(&pool, "Form Theirs").await;
    let theirs = cookie_for(&other);
    assert!(list_ok(&router, &theirs, false).await.is_empty());
    assert_eq!(
        get(&router, &theirs, id).await.error(),
        app::error::AppError::NotFound("Submission".into())
    );
    assert_eq!(
        mark(&router, &theirs, id, true).await.error(),
        app::error::AppError::NotFound("Submission".into())
    );
    assert_eq!(
        export(&router, Some(&theirs), s.a.website_id).await.status,
        StatusCode::NOT_FOUND
    );
    let mine: SubmissionDetail = get(&router, &s.owner, id).await.json();
    assert!(
        !mine.summary.processed,
        "the other tenant's mark changed nothing"
    );
}

/// The owner's address, read in the tenant.
async fn owner_email(pool: &sqlx::PgPool, tenant: Uuid) -> String {
    let mut tx = app::db::tenant_tx(pool, tenant).await.expect("tx");
    let e = sqlx::query_scalar("SELECT email FROM users WHERE role = 'owner'")
        .fetch_one(&mut *tx)
        .await
        .expect("owner");
    tx.commit().await.expect("commit");
    e
}

#[tokio::test]
async fn the_owner_is_emailed_each_submission_unless_the_website_says_no() {
    use crate::common::smtp::{header, sink};
    let pool = pool().await;
    let router = router(pool.clone());
    let s = site_with_form(&router, &pool, "Form Notice <Cafe>").await;
    let to = owner_email(&pool, s.a.tenant_id).await;
    // Emails show times in the organisation's timezone.
    let mut tx = app::db::tenant_tx(&pool, s.a.tenant_id).await.expect("tx");
    sqlx::query("UPDATE tenants SET timezone = 'Asia/Kolkata' WHERE id = $1")
        .bind(s.a.tenant_id)
        .execute(&mut *tx)
        .await
        .expect("timezone");
    tx.commit().await.expect("commit");
    let before = chrono::Utc::now();
    let reg = crate::email::registry(&pool);
    let r = submit(&router, &s, s.form, GOOD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // The notice job renders the message; its email.send job delivers it.
    assert!(server::jobs::run_due_for(&pool, &reg, s.a.tenant_id).await >= 2);
    let got = sink().messages_to(&to);
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(
        header(m, "subject"),
        Some("New message from your website Form Notice <Cafe>")
    );
    assert_eq!(
        header(m, "list-unsubscribe"),
        Some("<http://127.0.0.1:3000/settings>")
    );
    let text = m["text"].as_str().expect("text");
    let html = m["html"].as_str().expect("html");
    assert!(text.contains("Table for four?") && text.contains("ann@example.com"));
    let kolkata = chrono::FixedOffset::east_opt(5 * 3600 + 1800).expect("offset");
    let local = before
        .with_timezone(&kolkata)
        .format("%Y-%m-%d")
        .to_string();
    assert!(text.contains(&format!("on {local} ")), "{text}");
    assert!(text.contains("(Asia/Kolkata):"), "{text}");
    assert!(text.contains("http://127.0.0.1:3000/forms"));
    assert!(html.contains("Form Notice &lt;Cafe&gt;") && html.contains("Table for four?"));
    assert!(html.contains("href=\"http://127.0.0.1:3000/settings\""));

    // Switched off for this website: no more emails.
    let r = call_json(
        &router,
        "/api/forms/set_notices",
        Some(&s.owner),
        json!({ "website_id": s.a.website_id, "on": false }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    let on: bool = call_json(
        &router,
        "/api/forms/notices",
        Some(&s.owner),
        json!({ "website_id": s.a.website_id }),
    )
    .await
    .json();
    assert!(!on);
    let r = submit(&router, &s, s.form, GOOD).await;
    assert_eq!(r.status, StatusCode::OK);
    server::jobs::run_due_for(&pool, &reg, s.a.tenant_id).await;
    assert_eq!(
        sink().messages_to(&to).len(),
        1,
        "no email once switched off"
    );
    assert_eq!(stored(&pool, &s).await, 2, "the submission itself is kept");
}
