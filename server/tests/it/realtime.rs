//! Realtime events (issue 21 part 5): the SSE stream `GET /events`, fanned out across two
//! server instances on one database through LISTEN/NOTIFY; tenant isolation; the role check;
//! deploy status, page-changed and presence events.

use std::time::Duration;

use app::model::{BlockProps, LiveEvent, PagePresence, SaveAck};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;
use uuid::Uuid;

use crate::common::*;

/// One open event stream, read frame by frame.
struct Stream {
    body: Body,
    buf: String,
}

/// A parsed SSE event: its name and data.
#[derive(Debug)]
struct Ev {
    name: String,
    data: String,
}

impl Stream {
    /// The next event within `wait` (comments skipped), or `None`.
    async fn next(&mut self, wait: Duration) -> Option<Ev> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(i) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..i + 2).collect();
                let mut name = "message".to_string();
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim_start());
                    }
                }
                if data.is_empty() {
                    continue; // a keep-alive comment or a bare retry hint
                }
                return Some(Ev { name, data });
            }
            let frame = tokio::time::timeout_at(deadline, self.body.frame())
                .await
                .ok()??
                .ok()?;
            if let Ok(bytes) = frame.into_data() {
                self.buf.push_str(&String::from_utf8_lossy(&bytes));
            }
        }
    }

    /// The next live event matching `want`, skipping others, within `wait`.
    async fn until(&mut self, wait: Duration, want: impl Fn(&LiveEvent) -> bool) -> LiveEvent {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let ev = self
                .next(left)
                .await
                .expect("the expected event arrived in time");
            if matches!(ev.name.as_str(), "hello" | "resync") {
                continue;
            }
            let live: LiveEvent = serde_json::from_str(&ev.data).expect("event JSON");
            assert_eq!(live.name(), ev.name, "the event is named by its kind");
            if want(&live) {
                return live;
            }
        }
    }

    /// Every event that arrives within `wait`.
    async fn drain(&mut self, wait: Duration) -> Vec<Ev> {
        let mut out = Vec::new();
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next(left).await {
                Some(ev) => out.push(ev),
                None => return out,
            }
        }
    }
}

/// `GET /events?{query}` as the holder of `cookie`: the status, and the stream when it is 200.
async fn open(
    router: &Router,
    cookie: Option<&str>,
    query: &str,
) -> (StatusCode, Option<Stream>, String) {
    let mut req = Request::get(format!("/events?{query}")).header(header::HOST, "127.0.0.1");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let res = router
        .clone()
        .oneshot(req.body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let status = res.status();
    if status != StatusCode::OK {
        let body = res.into_body().collect().await.expect("body").to_bytes();
        return (status, None, String::from_utf8_lossy(&body).into_owned());
    }
    assert_eq!(
        res.headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("text/event-stream")
    );
    (
        status,
        Some(Stream {
            body: res.into_body(),
            buf: String::new(),
        }),
        String::new(),
    )
}

/// Opens a builder stream and returns it with its stream id (from `hello`).
async fn builder_stream(router: &Router, cookie: &str, page: Uuid, tab: Uuid) -> (Stream, Uuid) {
    let (status, stream, body) =
        open(router, Some(cookie), &format!("page={page}&tab={tab}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut stream = stream.expect("stream");
    let hello = stream.next(Duration::from_secs(5)).await.expect("hello");
    assert_eq!(hello.name, "hello");
    let v: serde_json::Value = serde_json::from_str(&hello.data).expect("hello JSON");
    assert_eq!(v["resumed"], false);
    let id = Uuid::parse_str(v["stream"].as_str().expect("stream id")).expect("uuid");
    (stream, id)
}

async fn heartbeat(
    router: &Router,
    cookie: &str,
    page: Uuid,
    tab: Uuid,
    selected: Option<Uuid>,
    stream: Option<Uuid>,
) -> Reply {
    call_json(
        router,
        "/api/builder/presence",
        Some(cookie),
        json!({ "page_id": page, "tab": tab, "selected": selected, "stream": stream }),
    )
    .await
}

/// Sends heartbeats through `via` until `stream` hears of them: both instances' listeners are
/// then up (they connect in the background after `server::build`).
async fn until_listening(via: &Router, stream: &mut Stream, cookie: &str, page: Uuid) {
    let tab = Uuid::new_v4();
    for _ in 0..50 {
        let r = heartbeat(via, cookie, page, tab, None, None).await;
        assert!(r.status.is_success(), "{}", r.text());
        if let Some(ev) = stream.next(Duration::from_millis(200)).await {
            if ev.name == "presence" {
                return;
            }
        }
    }
    panic!("the realtime listener never delivered");
}

async fn edit_heading(router: &Router, cookie: &str, page: Uuid, text: &str) -> (Uuid, i64) {
    let data = load_page(router, cookie, page).await;
    let hero = data
        .components
        .iter()
        .find(|c| matches!(c.block, BlockProps::Hero(_)))
        .expect("a hero block")
        .clone();
    let mut block = hero.block.clone();
    block.set_text("heading", text.into());
    let ack: SaveAck = call_json(
        router,
        "/api/builder/update",
        Some(cookie),
        json!({ "page_id": page, "component_id": hero.id, "block": block, "base_revision": data.revision }),
    )
    .await
    .json();
    (hero.id, ack.revision)
}

#[tokio::test]
async fn events_fan_out_across_two_instances() {
    let pool = pool().await;
    let first = router(pool.clone());
    let second = router(pool.clone());
    let a = account(&pool, "Live Bakery").await;
    let cookie = cookie_for(&a);
    let (mut stream, _) = builder_stream(&first, &cookie, a.home_page_id, Uuid::new_v4()).await;
    until_listening(&second, &mut stream, &cookie, a.home_page_id).await;

    // An edit saved through the second instance reaches the first one's stream.
    let (component, revision) = edit_heading(&second, &cookie, a.home_page_id, "Fresh bread").await;
    let live = stream
        .until(Duration::from_secs(5), |e| matches!(e, LiveEvent::Page(_)))
        .await;
    let LiveEvent::Page(changed) = live else {
        unreachable!()
    };
    assert_eq!(changed.page_id, a.home_page_id);
    assert_eq!(changed.revision, revision);
    assert_eq!(changed.by, a.user_id);
    assert_eq!(changed.component_id, Some(component));

    // Publishing through the second instance: started, then succeeded with the deployment.
    let published: app::model::Published = call_json(
        &second,
        "/api/websites/publish",
        Some(&cookie),
        json!({ "website_id": a.website_id }),
    )
    .await
    .json();
    let started = stream
        .until(Duration::from_secs(5), |e| {
            matches!(e, LiveEvent::Deploy(_))
        })
        .await;
    let LiveEvent::Deploy(started) = started else {
        unreachable!()
    };
    assert_eq!(started.phase, app::model::DeployPhase::Started);
    assert_eq!(started.website_id, a.website_id);
    assert_eq!(started.website_name, "Live Bakery");
    let done = stream
        .until(Duration::from_secs(5), |e| {
            matches!(e, LiveEvent::Deploy(_))
        })
        .await;
    let LiveEvent::Deploy(done) = done else {
        unreachable!()
    };
    assert_eq!(done.phase, app::model::DeployPhase::Succeeded);
    assert_eq!(done.deployment_id, Some(published.deployment_id));
    assert!(
        done.sentence().contains("is published"),
        "{}",
        done.sentence()
    );

    // The dashboard's stream (no website) hears deploy status of every website of the tenant,
    // from either instance, and no page events.
    let (status, dash, _) = open(&second, Some(&cookie), "").await;
    assert_eq!(status, StatusCode::OK);
    let mut dash = dash.expect("stream");
    let _ = dash.next(Duration::from_secs(5)).await.expect("hello");
    edit_heading(&first, &cookie, a.home_page_id, "Rye on Fridays").await;
    let r = call_json(
        &first,
        "/api/websites/rollback",
        Some(&cookie),
        json!({ "website_id": a.website_id, "deployment_id": Uuid::new_v4() }),
    )
    .await;
    // Rolling back to a deployment that does not exist is refused: the failure is live too.
    assert!(!r.status.is_success(), "{}", r.text());
    let failed = dash
        .until(
            Duration::from_secs(5),
            |e| matches!(e, LiveEvent::Deploy(d) if d.phase == app::model::DeployPhase::Failed),
        )
        .await;
    let LiveEvent::Deploy(failed) = failed else {
        unreachable!()
    };
    assert_eq!(failed.action, app::model::DeployAction::Rollback);
    assert!(failed.message.is_some());
    let rest = dash.drain(Duration::from_millis(300)).await;
    assert!(rest.iter().all(|e| e.name != "page"), "{rest:?}");
}

#[tokio::test]
async fn a_stream_never_carries_another_tenants_events() {
    let pool = pool().await;
    let first = router(pool.clone());
    let second = router(pool.clone());
    let a = account(&pool, "Tenant A").await;
    let b = account(&pool, "Tenant B").await;
    let (ca, cb) = (cookie_for(&a), cookie_for(&b));

    // B cannot follow A's website or page, nor be present on A's page.
    let (status, _, body) = open(&first, Some(&cb), &format!("website={}", a.website_id)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, _, _) = open(&first, Some(&cb), &format!("page={}", a.home_page_id)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let r = heartbeat(&first, &cb, a.home_page_id, Uuid::new_v4(), None, None).await;
    assert!(matches!(r.error(), app::error::AppError::NotFound(_)));

    // B's own streams (its builder and its dashboard) while A edits, publishes and is present.
    let (mut a_stream, _) = builder_stream(&first, &ca, a.home_page_id, Uuid::new_v4()).await;
    let (mut b_stream, _) = builder_stream(&first, &cb, b.home_page_id, Uuid::new_v4()).await;
    let (_, b_dash, _) = open(&first, Some(&cb), "").await;
    let mut b_dash = b_dash.expect("stream");
    until_listening(&second, &mut a_stream, &ca, a.home_page_id).await;
    edit_heading(&second, &ca, a.home_page_id, "Only for A").await;
    let r = call_json(
        &second,
        "/api/websites/publish",
        Some(&ca),
        json!({ "website_id": a.website_id }),
    )
    .await;
    assert!(r.status.is_success(), "{}", r.text());
    a_stream
        .until(
            Duration::from_secs(5),
            |e| matches!(e, LiveEvent::Deploy(d) if d.phase == app::model::DeployPhase::Succeeded),
        )
        .await;
    // A's stream has had everything; B's got only its hello (and perhaps keep-alives).
    for s in [&mut b_stream, &mut b_dash] {
        let got = s.drain(Duration::from_millis(500)).await;
        assert!(
            got.iter().all(|e| e.name == "hello"),
            "tenant B received: {got:?}"
        );
        assert!(got
            .iter()
            .all(|e| !e.data.contains(&a.website_id.to_string())));
    }
}

#[tokio::test]
async fn every_member_may_follow_a_website_and_nobody_else() {
    let pool = pool().await;
    let router = router(pool.clone());
    let a = account(&pool, "Role Cafe").await;
    // Nobody: 401.
    let (status, _, _) = open(&router, None, &format!("website={}", a.website_id)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A malformed id: 400 naming it.
    let (status, _, body) = open(&router, Some(&cookie_for(&a)), "website=nope").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("website"), "{body}");
    // A page with a website it does not belong to: not found.
    let (status, _, _) = open(
        &router,
        Some(&cookie_for(&a)),
        &format!("website={}&page={}", Uuid::new_v4(), a.home_page_id),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Every role, the viewer included, sees the website's live status.
    for role in ["admin", "editor", "developer", "viewer"] {
        let cookie = member_cookie(&pool, &a, role).await;
        let (status, stream, body) =
            open(&router, Some(&cookie), &format!("website={}", a.website_id)).await;
        assert_eq!(status, StatusCode::OK, "{role}: {body}");
        let hello = stream.expect("stream").next(Duration::from_secs(5)).await;
        assert_eq!(hello.map(|e| e.name).as_deref(), Some("hello"), "{role}");
        // And may say they are on the page.
        let r = heartbeat(&router, &cookie, a.home_page_id, Uuid::new_v4(), None, None).await;
        assert!(r.status.is_success(), "{role}: {}", r.text());
    }
}

#[tokio::test]
async fn presence_is_shared_by_instances_and_ends_with_the_stream() {
    let pool = pool().await;
    let first = router(pool.clone());
    let second = router(pool.clone());
    let a = account(&pool, "Presence Studio").await;
    let owner = cookie_for(&a);
    let (editor, editor_id) = member(&pool, &a, "editor", Some("Grace Hopper")).await;
    let page = a.home_page_id;
    let block = load_page(&first, &owner, page).await.components[0].id;

    let (owner_tab, editor_tab) = (Uuid::new_v4(), Uuid::new_v4());
    let (mut owner_stream, _) = builder_stream(&first, &owner, page, owner_tab).await;
    let (editor_stream, editor_stream_id) =
        builder_stream(&second, &editor, page, editor_tab).await;
    until_listening(&second, &mut owner_stream, &owner, page).await;

    // The editor, on the second instance, selects a block: the owner on the first sees it.
    let list: PagePresence = heartbeat(
        &second,
        &editor,
        page,
        editor_tab,
        Some(block),
        Some(editor_stream_id),
    )
    .await
    .json();
    assert!(list
        .people
        .iter()
        .any(|p| p.tab == editor_tab && p.selected == Some(block)));
    let seen = owner_stream
        .until(
            Duration::from_secs(5),
            |e| matches!(e, LiveEvent::Presence(p) if p.people.iter().any(|p| p.tab == editor_tab)),
        )
        .await;
    let LiveEvent::Presence(seen) = seen else {
        unreachable!()
    };
    let grace = seen
        .people
        .iter()
        .find(|p| p.tab == editor_tab)
        .expect("listed");
    assert_eq!(grace.user_id, editor_id);
    assert_eq!(grace.initials, "GH");
    assert_eq!(grace.name, "Grace Hopper");
    assert_eq!(grace.selected, Some(block));

    // The owner's heartbeat answers with both (the truth is the table, not an instance).
    let list: PagePresence = heartbeat(&first, &owner, page, owner_tab, None, None)
        .await
        .json();
    assert!(list.people.iter().any(|p| p.tab == editor_tab));
    assert!(list.people.iter().any(|p| p.tab == owner_tab));

    // The editor closes the tab: their stream ends and everybody is told they left.
    drop(editor_stream);
    owner_stream
        .until(Duration::from_secs(5), |e| {
            matches!(e, LiveEvent::Presence(p) if !p.people.iter().any(|p| p.tab == editor_tab))
        })
        .await;
    let list: PagePresence = heartbeat(&first, &owner, page, owner_tab, None, None)
        .await
        .json();
    assert!(!list.people.iter().any(|p| p.tab == editor_tab));

    // Someone else's tab id is not taken over.
    let r = heartbeat(&first, &editor, page, owner_tab, Some(block), None).await;
    let list: PagePresence = r.json();
    let owners = list
        .people
        .iter()
        .find(|p| p.tab == owner_tab)
        .expect("owner");
    assert_eq!(owners.user_id, a.user_id);
    assert_eq!(owners.selected, None);
}
