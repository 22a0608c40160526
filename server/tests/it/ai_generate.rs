//! "Build my site from a prompt" (issue 19, `generate_layout`): the `ai.generate_site` job
//! against the AI stand-in — the exact requests of the new tools, a whole website saved in one
//! transaction, an invalid page answer retried once then failed and refunded, a cancel
//! mid-way, the job running once however often the queue is run, the progress stream, roles
//! and tenancy.

use std::time::Duration;

use app::db;
use app::model::{Generation, GenerationStatus};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use chrono::Utc;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use server::ai::Provider;
use sqlx::PgPool;
use tower::ServiceExt;
use uuid::Uuid;

use crate::ai::{settings, MODEL};
use crate::ai_standin::{AiStandIn, Reply as Script, USAGE};
use crate::common::*;

const JOB: &str = app::api::ai::generate::JOB;

struct Setup {
    pool: PgPool,
    router: Router,
    config: server::ServerConfig,
    standin: AiStandIn,
    account: app::db::accounts::NewAccount,
    cookie: String,
}

async fn setup() -> Setup {
    let pool = pool().await;
    let (standin, addr) = AiStandIn::start().await;
    let config = server::ServerConfig {
        ai: Some(settings(Provider::Anthropic, addr)),
        ..config()
    };
    let router = build(&config, pool.clone());
    let account = account(&pool, "Prompt Bakery").await;
    // Growth: three websites and 50 credits a month (a whole website costs 20).
    set_plan(&pool, account.tenant_id, GROWTH).await;
    let cookie = cookie_for(&account);
    Setup {
        pool,
        router,
        config,
        standin,
        account,
        cookie,
    }
}

fn brief(subdomain: &str) -> Value {
    json!({ "brief": {
        "business": "A neighbourhood bakery: sourdough, pastries, coffee.",
        "audience": "Families and commuters nearby",
        "tone": "Warm and plain",
        "pages": "home, menu, contact",
        "name": "Crumb & Co",
        "subdomain": subdomain,
    } })
}

impl Setup {
    async fn start(&self, cookie: &str) -> Reply {
        call_json(
            &self.router,
            "/api/ai/generate-site",
            Some(cookie),
            brief(&unique("crumb")),
        )
        .await
    }

    async fn started(&self) -> Uuid {
        let reply = self.start(&self.cookie).await;
        assert!(reply.status.is_success(), "{}", reply.text());
        reply.json()
    }

    async fn run_jobs(&self) -> usize {
        let reg = server::jobs::registry(&self.config, &self.pool).only(&[JOB]);
        server::jobs::run_due_for(&self.pool, &reg, self.account.tenant_id).await
    }

    async fn generation(&self, id: Uuid) -> Generation {
        let reply = call_json(
            &self.router,
            "/api/ai/generation",
            Some(&self.cookie),
            json!({ "generation_id": id }),
        )
        .await;
        assert!(reply.status.is_success(), "{}", reply.text());
        reply.json()
    }

    async fn balance(&self) -> i64 {
        let mut tx = db::tenant_tx(&self.pool, self.account.tenant_id)
            .await
            .expect("tx");
        let (left, _) = db::ai::balance(&mut tx, self.account.tenant_id, Utc::now())
            .await
            .expect("balance");
        tx.commit().await.expect("commit");
        left
    }

    async fn websites(&self) -> i64 {
        let mut tx = db::tenant_tx(&self.pool, self.account.tenant_id)
            .await
            .expect("tx");
        let n = sqlx::query_scalar("SELECT count(*) FROM websites")
            .fetch_one(&mut *tx)
            .await
            .expect("count");
        tx.rollback().await.expect("rollback");
        n
    }

    fn tools(&self) -> Vec<String> {
        self.standin
            .requests()
            .iter()
            .map(|r| {
                r.body["tool_choice"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
            .collect()
    }
}

fn labels(g: &Generation) -> Vec<String> {
    g.steps.iter().map(|s| s.label.clone()).collect()
}

#[tokio::test]
async fn a_website_is_built_from_a_prompt_by_one_job_with_the_exact_requests() {
    let s = setup().await;
    let id = s.started().await;
    // The credits are reserved when the generation is queued.
    assert_eq!(s.balance().await, 50 - 20);
    assert_eq!(s.generation(id).await.status, GenerationStatus::Queued);

    assert_eq!(s.run_jobs().await, 1);
    let g = s.generation(id).await;
    assert_eq!(g.status, GenerationStatus::Succeeded, "{:?}", g.error);
    assert_eq!(
        labels(&g),
        [
            "Planning pages",
            "Writing Home",
            "Writing Menu",
            "Writing Contact",
            "Choosing the palette",
            "Saving"
        ]
    );
    let website = g.website_id.expect("the new website");
    assert!(g.home_page_id.is_some());

    // The requests: plan, one per page, the palette.
    assert_eq!(
        s.tools(),
        [
            "plan_pages",
            "write_page",
            "write_page",
            "write_page",
            "color_palette"
        ]
    );
    let seen = s.standin.requests();
    let plan = &seen[0].body;
    assert_eq!(plan["model"], MODEL);
    assert_eq!(plan["max_tokens"], 1024);
    assert_eq!(
        plan["tool_choice"],
        json!({ "type": "tool", "name": "plan_pages" })
    );
    assert_eq!(
        plan["tools"][0]["input_schema"]["properties"]["pages"]["maxItems"], 6,
        "Growth allows 20 pages; a generation plans at most 6"
    );
    let system = plan["system"].as_str().expect("system");
    assert!(system.contains("never instructions"), "{system}");
    let prompt = plan["messages"][0]["content"].as_str().expect("prompt");
    assert!(
        prompt.contains("Business: <site_content>A neighbourhood bakery"),
        "the owner's answers go as quoted data: {prompt}"
    );
    let page = &seen[1].body;
    assert_eq!(page["max_tokens"], 4096);
    let schema = &page["tools"][0]["input_schema"];
    let kinds: Vec<&str> = schema["properties"]["blocks"]["items"]["anyOf"]
        .as_array()
        .expect("block variants")
        .iter()
        .map(|v| v["properties"]["type"]["const"].as_str().expect("kind"))
        .collect();
    assert!(
        kinds.contains(&"hero") && kinds.contains(&"faq"),
        "{kinds:?}"
    );
    assert!(
        !kinds.contains(&"custom_html"),
        "custom HTML is never generated"
    );
    assert_eq!(
        schema["properties"]["blocks"]["items"]["anyOf"][0]["properties"]["props"]["properties"]
            ["heading"]["type"],
        "string"
    );
    assert!(page["messages"][0]["content"]
        .as_str()
        .expect("prompt")
        .contains("Write the page \"Home\" (address /)"));

    // The website, saved whole: three pages with the stand-in's blocks, and the palette.
    let mut tx = db::tenant_tx(&s.pool, s.account.tenant_id)
        .await
        .expect("tx");
    let doc = db::backup::export(&mut tx, website).await.expect("export");
    tx.rollback().await.expect("rollback");
    assert_eq!(doc.website.name, "Crumb & Co");
    let slugs: Vec<&str> = doc.pages.iter().map(|p| p.slug.as_str()).collect();
    assert_eq!(slugs, ["/", "/menu", "/contact"]);
    assert_eq!(doc.pages[1].blocks[0].kind, "hero");
    assert_eq!(
        doc.pages[1].blocks[0].props["heading"],
        "Menu: made fresh every morning"
    );
    assert_eq!(doc.website.branding["colors"]["primary"], "#0F766E");

    // One usage row for the whole generation, with every call's tokens; the credits stay spent.
    let mut tx = db::tenant_tx(&s.pool, s.account.tenant_id)
        .await
        .expect("tx");
    let log: Vec<(String, String, i32, i32, i32)> = sqlx::query_as(
        "SELECT action_type, status, prompt_tokens, completion_tokens, credits FROM ai_usage_log",
    )
    .fetch_all(&mut *tx)
    .await
    .expect("log");
    tx.rollback().await.expect("rollback");
    assert_eq!(
        log,
        [(
            "generate_layout".to_string(),
            "success".to_string(),
            5 * USAGE.0 as i32,
            5 * USAGE.1 as i32,
            20
        )]
    );
    assert_eq!(s.balance().await, 30);

    // Running the queue again (another instance) does nothing: the job ran once.
    assert_eq!(s.run_jobs().await, 0);
    assert_eq!(s.standin.requests().len(), 5);
    assert_eq!(s.websites().await, 2);
}

#[tokio::test]
async fn an_invalid_page_is_retried_once_with_the_reasons_then_fails_and_refunds() {
    let s = setup().await;
    let id = s.started().await;
    let html = json!({ "blocks": [{ "type": "custom_html", "props": { "html": "<script>alert(1)</script>" } }] });
    s.standin.push(Script::Tool(json!({ "pages": [
        { "title": "Home", "purpose": "Welcome" },
        { "title": "Menu", "purpose": "What we bake" }
    ] })));
    s.standin.push(Script::Tool(html.clone()));
    s.standin.push(Script::Tool(html));
    assert_eq!(s.run_jobs().await, 1);
    let g = s.generation(id).await;
    assert_eq!(g.status, GenerationStatus::Failed);
    let error = g.error.clone().expect("error");
    assert!(error.contains("not allowed"), "{error}");
    assert!(error.contains("No credits were used"), "{error}");
    assert_eq!(labels(&g), ["Planning pages", "Writing Home"]);
    // The retry carried the reasons; nothing after the failed page was asked.
    assert_eq!(s.tools(), ["plan_pages", "write_page", "write_page"]);
    let retry = s.standin.requests()[2].body["messages"][0]["content"]
        .as_str()
        .expect("prompt")
        .to_string();
    assert!(
        retry.contains("Your previous answer was refused"),
        "{retry}"
    );
    assert!(retry.contains("block 1 (custom_html)"), "{retry}");
    // Nothing saved, everything refunded, and the failure logged.
    assert_eq!(s.websites().await, 1);
    assert_eq!(s.balance().await, 50);
    assert_eq!(s.run_jobs().await, 0, "a failed generation is not retried");
}

#[tokio::test]
async fn a_plan_that_breaks_the_rules_is_sent_back_once() {
    let s = setup().await;
    let id = s.started().await;
    // Two pages whose addresses would clash, then a good plan.
    s.standin.push(Script::Tool(json!({ "pages": [
        { "title": "Home", "purpose": "" },
        { "title": "Menu", "purpose": "" },
        { "title": "menu!", "purpose": "" }
    ] })));
    assert_eq!(s.run_jobs().await, 1);
    let g = s.generation(id).await;
    assert_eq!(g.status, GenerationStatus::Succeeded, "{:?}", g.error);
    let second = s.standin.requests()[1].body["messages"][0]["content"]
        .as_str()
        .expect("prompt")
        .to_string();
    assert!(
        second.contains("two pages would share the address /menu"),
        "{second}"
    );
}

#[tokio::test]
async fn cancelling_mid_way_refunds_at_once_and_the_job_stops() {
    let s = setup().await;
    *s.standin.site_delay.lock().expect("lock") = Duration::from_millis(400);
    let id = s.started().await;
    let (pool, config, tenant) = (s.pool.clone(), s.config.clone(), s.account.tenant_id);
    let job = tokio::spawn(async move {
        let reg = server::jobs::registry(&config, &pool).only(&[JOB]);
        server::jobs::run_due_for(&pool, &reg, tenant).await
    });
    // Wait until the first page is being written.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let g = s.generation(id).await;
        if labels(&g).iter().any(|l| l.starts_with("Writing")) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the job did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let reply = call_json(
        &s.router,
        "/api/ai/cancel-generation",
        Some(&s.cookie),
        json!({ "generation_id": id }),
    )
    .await;
    assert!(reply.status.is_success(), "{}", reply.text());
    let g: Generation = reply.json();
    assert_eq!(g.status, GenerationStatus::Cancelled);
    assert_eq!(s.balance().await, 50, "refunded at once");
    assert_eq!(job.await.expect("job"), 1);
    // The job stopped at its next step: no palette, nothing saved, no second refund.
    let g = s.generation(id).await;
    assert_eq!(g.status, GenerationStatus::Cancelled);
    assert!(
        !s.tools().contains(&"color_palette".to_string()),
        "{:?}",
        s.tools()
    );
    assert!(s.tools().len() <= 3, "{:?}", s.tools());
    assert_eq!(s.websites().await, 1);
    assert_eq!(s.balance().await, 50);
    // A finished generation cannot be cancelled again.
    let again = call_json(
        &s.router,
        "/api/ai/cancel-generation",
        Some(&s.cookie),
        json!({ "generation_id": id }),
    )
    .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "{}", again.text());
}

#[tokio::test]
async fn viewers_other_tenants_and_unconfigured_servers_are_refused() {
    let s = setup().await;
    let viewer = member_cookie(&s.pool, &s.account, "viewer").await;
    let refused = s.start(&viewer).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text());
    let id = s.started().await;
    // A viewer may watch but not cancel.
    let cancel = call_json(
        &s.router,
        "/api/ai/cancel-generation",
        Some(&viewer),
        json!({ "generation_id": id }),
    )
    .await;
    assert_eq!(cancel.status, StatusCode::FORBIDDEN);

    // Another tenant sees nothing of it.
    let other = account(&s.pool, "Other Bakery").await;
    let other_cookie = cookie_for(&other);
    for path in ["/api/ai/generation", "/api/ai/cancel-generation"] {
        let r = call_json(
            &s.router,
            path,
            Some(&other_cookie),
            json!({ "generation_id": id }),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.text());
    }
    let (status, _) = open(&s.router, &other_cookie, id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(s.generation(id).await.status, GenerationStatus::Queued);

    // Without a provider nothing is reserved or queued.
    let plain = build(&config(), s.pool.clone());
    let r = call_json(
        &plain,
        "/api/ai/generate-site",
        Some(&s.cookie),
        brief(&unique("plain")),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text().contains("AI is not configured"), "{}", r.text());
    assert_eq!(s.balance().await, 30);
}

#[tokio::test]
async fn starter_accounts_at_their_website_limit_are_told_before_anything_is_spent() {
    let pool = pool().await;
    let (_standin, addr) = AiStandIn::start().await;
    let config = server::ServerConfig {
        ai: Some(settings(Provider::Anthropic, addr)),
        ..config()
    };
    let router = build(&config, pool.clone());
    let a = account(&pool, "Starter Bakery").await;
    let r = call_json(
        &router,
        "/api/ai/generate-site",
        Some(&cookie_for(&a)),
        brief(&unique("starter")),
    )
    .await;
    assert_eq!(r.status, StatusCode::PAYMENT_REQUIRED, "{}", r.text());
}

/// `GET /ai/generations/{id}/events`: the status and, when 200, the body.
async fn open(router: &Router, cookie: &str, id: Uuid) -> (StatusCode, Body) {
    let req = Request::get(format!("/ai/generations/{id}/events"))
        .header(header::HOST, "127.0.0.1")
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .expect("request");
    let res = router.clone().oneshot(req).await.expect("response");
    (res.status(), res.into_body())
}

/// The next `generation` event's state within `wait`.
async fn next_state(body: &mut Body, buf: &mut String, wait: Duration) -> Option<Generation> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        if let Some(i) = buf.find("\n\n") {
            let block: String = buf.drain(..i + 2).collect();
            let data: String = block
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .map(str::trim_start)
                .collect();
            if block.contains("event: generation") && !data.is_empty() {
                return serde_json::from_str(&data).ok();
            }
            continue;
        }
        let frame = tokio::time::timeout_at(deadline, body.frame())
            .await
            .ok()??
            .ok()?;
        if let Ok(bytes) = frame.into_data() {
            buf.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
}

#[tokio::test]
async fn the_progress_stream_sends_the_state_first_then_every_step_until_the_end() {
    let s = setup().await;
    // Each model call of the generator takes a moment, as a real one does.
    *s.standin.site_delay.lock().expect("lock") = Duration::from_millis(200);
    let id = s.started().await;
    let (status, mut body) = open(&s.router, &s.cookie, id).await;
    assert_eq!(status, StatusCode::OK);
    let mut buf = String::new();
    let first = next_state(&mut body, &mut buf, Duration::from_secs(5))
        .await
        .expect("the current state first");
    assert_eq!(first.status, GenerationStatus::Queued);
    let (pool, config, tenant) = (s.pool.clone(), s.config.clone(), s.account.tenant_id);
    let job = tokio::spawn(async move {
        let reg = server::jobs::registry(&config, &pool).only(&[JOB]);
        server::jobs::run_due_for(&pool, &reg, tenant).await
    });
    let mut seen = Vec::new();
    while let Some(g) = next_state(&mut body, &mut buf, Duration::from_secs(5)).await {
        seen.push(g);
    }
    assert_eq!(job.await.expect("job"), 1);
    let last = seen.last().expect("updates");
    assert_eq!(last.status, GenerationStatus::Succeeded);
    assert!(last.website_id.is_some());
    assert_eq!(labels(last).len(), 6);
    for step in [
        "Planning pages",
        "Writing Home",
        "Writing Menu",
        "Writing Contact",
    ] {
        assert!(
            seen.iter()
                .any(|g| labels(g).last().map(String::as_str) == Some(step)),
            "{step} was streamed while it ran: {seen:?}"
        );
    }
    // The stream ended after the final state; a new one re-attaches with it at once.
    let (status, mut body) = open(&s.router, &s.cookie, id).await;
    assert_eq!(status, StatusCode::OK);
    let again = next_state(&mut body, &mut String::new(), Duration::from_secs(5))
        .await
        .expect("state");
    assert_eq!(again.status, GenerationStatus::Succeeded);
}

/// `POST /api/ai/generate-page` as the holder of `cookie`.
async fn new_page(router: &Router, cookie: &str, website: Uuid, prompt: &str) -> Reply {
    call_json(
        router,
        "/api/ai/generate-page",
        Some(cookie),
        json!({ "website_id": website, "prompt": prompt }),
    )
    .await
}

#[tokio::test]
async fn a_page_is_written_from_a_prompt_as_a_new_draft_in_one_call() {
    let s = setup().await;
    let w = s.account.website_id;
    let reply = new_page(&s.router, &s.cookie, w, "opening hours and how to find us").await;
    assert!(reply.status.is_success(), "{}", reply.text());
    let created: app::model::PageCreated = reply.json();
    let page = created
        .overview
        .pages
        .iter()
        .find(|p| p.id == created.id)
        .expect("listed");
    assert_eq!(page.title, "Opening hours and");
    assert_eq!(page.slug, "/opening-hours-and");
    assert_eq!(page.status, app::model::PageStatus::Draft);
    assert_eq!(s.balance().await, 50 - 5);

    // One request: the new tool, its schema (a title and blocks of the allowed kinds).
    let seen = s.standin.requests();
    assert_eq!(seen.len(), 1);
    let body = &seen[0].body;
    assert_eq!(body["tool_choice"]["name"], "new_page");
    assert_eq!(body["max_tokens"], 4096);
    let schema = &body["tools"][0]["input_schema"];
    assert_eq!(schema["required"], json!(["title", "blocks"]));
    assert_eq!(schema["properties"]["title"]["maxLength"], 60);
    assert!(body["messages"][0]["content"]
        .as_str()
        .expect("prompt")
        .contains("<site_content>opening hours and how to find us</site_content>"));

    // The blocks, as the builder loads them.
    let data = load_page(&s.router, &s.cookie, created.id).await;
    let kinds: Vec<&str> = data
        .components
        .iter()
        .map(|c| c.block.kind().as_str())
        .collect();
    assert_eq!(kinds, ["hero", "cta"]);
    assert_eq!(
        data.components[0].block.props_json()["heading"],
        "Opening hours and, at a glance"
    );

    // The same title again gets the next free address.
    let again: app::model::PageCreated =
        new_page(&s.router, &s.cookie, w, "opening hours and holidays")
            .await
            .json();
    let page = again
        .overview
        .pages
        .iter()
        .find(|p| p.id == again.id)
        .expect("listed");
    assert_eq!(page.slug, "/opening-hours-and-2");
}

#[tokio::test]
async fn a_bad_page_answer_is_refused_twice_then_refunded_and_nothing_is_saved() {
    let s = setup().await;
    let w = s.account.website_id;
    let html = json!({ "title": "Evil", "blocks": [{ "type": "custom_html", "props": { "html": "<script>x</script>" } }] });
    s.standin.push(Script::Tool(html.clone()));
    s.standin.push(Script::Tool(html));
    let reply = new_page(&s.router, &s.cookie, w, "a page").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text());
    assert!(reply.text().contains("not allowed"), "{}", reply.text());
    assert_eq!(s.standin.requests().len(), 2);
    assert_eq!(s.balance().await, 50);
    let mut tx = db::tenant_tx(&s.pool, s.account.tenant_id)
        .await
        .expect("tx");
    let pages: i64 = sqlx::query_scalar("SELECT count(*) FROM pages")
        .fetch_one(&mut *tx)
        .await
        .expect("count");
    tx.rollback().await.expect("rollback");
    assert_eq!(pages, 1, "only the home page");
}

#[tokio::test]
async fn new_pages_from_prompts_check_the_role_the_tenant_and_the_page_limit_first() {
    let s = setup().await;
    let w = s.account.website_id;
    let viewer = member_cookie(&s.pool, &s.account, "viewer").await;
    assert_eq!(
        new_page(&s.router, &viewer, w, "about us").await.status,
        StatusCode::FORBIDDEN
    );
    let other = account(&s.pool, "Other Pages").await;
    assert_eq!(
        new_page(&s.router, &cookie_for(&other), w, "about us")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Starter allows 5 pages: at the limit, 402 before anything is asked or spent.
    set_plan(&s.pool, s.account.tenant_id, STARTER).await;
    for i in 0..4 {
        let r = call_json(
            &s.router,
            "/api/pages/create",
            Some(&s.cookie),
            json!({ "website_id": w, "title": format!("Page {i}"), "slug": format!("/p{i}") }),
        )
        .await;
        assert!(r.status.is_success(), "{}", r.text());
    }
    let before = s.balance().await;
    let full = new_page(&s.router, &s.cookie, w, "about us").await;
    assert_eq!(full.status, StatusCode::PAYMENT_REQUIRED, "{}", full.text());
    assert!(s.standin.requests().is_empty());
    assert_eq!(s.balance().await, before);
}
