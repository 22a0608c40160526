//! Email delivery (issue 18 Part B) against a real SMTP server (`common::smtp`, aiosmtpd):
//! what arrives (headers, both parts, links), retries after refusals, giving up, and no
//! duplicate delivery when two workers race.

use app::db::mail::delivery_state;
use app::model::{Email, Role};
use server::config::SmtpSettings;
use server::mail::{deliver, Mailer, Outcome};
use sqlx::PgPool;
use uuid::Uuid;

use crate::common::smtp::{header, link_containing, sink};
use crate::common::*;

pub const FROM: &str = "SitePilot <no-reply@sitepilot.test>";

pub fn smtp_settings() -> SmtpSettings {
    SmtpSettings {
        url: sink().url(),
        from: FROM.into(),
    }
}

pub fn mailer() -> Mailer {
    Mailer::new(Some(&smtp_settings())).expect("mailer")
}

/// The id of the newest outbox row addressed to `to` in `tenant`.
pub async fn outbox_id(pool: &PgPool, tenant: Uuid, to: &str) -> Uuid {
    let mut tx = app::db::tenant_tx(pool, tenant).await.expect("tx");
    let id = sqlx::query_scalar(
        "SELECT id FROM email_outbox WHERE to_email = $1 ORDER BY created_at DESC LIMIT 1",
    )
    .bind(to)
    .fetch_one(&mut *tx)
    .await
    .expect("outbox row");
    tx.commit().await.expect("commit");
    id
}

/// A tenant on Growth that invited `to`: the tenant and the invitation email's outbox id.
async fn invited(pool: &PgPool, to: &str) -> (app::db::accounts::NewAccount, Uuid) {
    let a = account(pool, "Mail <Cafe> & Co").await;
    set_plan(pool, a.tenant_id, GROWTH).await;
    let mut tx = app::db::tenant_tx(pool, a.tenant_id).await.expect("tx");
    app::db::team::invite(
        &mut tx,
        &app::db::team::Inviter {
            tenant_id: a.tenant_id,
            user_id: a.user_id,
            tenant_name: "Mail <Cafe> & Co",
            link_base: "http://app.test",
        },
        &Email::parse(to).expect("email"),
        Role::Editor,
    )
    .await
    .expect("invite");
    tx.commit().await.expect("commit");
    let id = outbox_id(pool, a.tenant_id, to).await;
    (a, id)
}

fn address(prefix: &str) -> String {
    format!("{}@example.com", unique(prefix))
}

#[tokio::test]
async fn an_invitation_is_delivered_with_headers_and_both_parts() {
    let pool = pool().await;
    let to = address("mail-");
    let (a, id) = invited(&pool, &to).await;
    let out = deliver(&pool, &mailer(), a.tenant_id, id, 1, 6)
        .await
        .expect("deliver");
    assert_eq!(out, Outcome::Sent);

    let got = sink().messages_to(&to);
    assert_eq!(got.len(), 1, "one message arrived");
    let m = &got[0];
    assert_eq!(m["mail_from"], "no-reply@sitepilot.test");
    assert_eq!(
        header(m, "from"),
        Some("SitePilot <no-reply@sitepilot.test>")
    );
    assert_eq!(header(m, "to"), Some(to.as_str()));
    assert_eq!(
        header(m, "subject"),
        Some("You're invited to join Mail <Cafe> & Co on SitePilot")
    );
    assert!(header(m, "message-id").is_some_and(|v| v.contains('@')));
    assert!(header(m, "date").is_some());
    assert!(header(m, "content-type").is_some_and(|v| v.starts_with("multipart/alternative")));
    assert!(
        header(m, "list-unsubscribe").is_none(),
        "not a notification"
    );

    let text = m["text"].as_str().expect("text part");
    let html = m["html"].as_str().expect("html part");
    let link = link_containing(text, "/invite/").expect("link in the text part");
    assert!(link.starts_with("http://app.test/invite/"), "{link}");
    assert_eq!(link.len(), "http://app.test/invite/".len() + 64);
    assert!(html.contains(&format!("href=\"{link}\"")), "{html}");
    assert!(
        html.contains("Mail &lt;Cafe&gt; &amp; Co"),
        "escaped in HTML"
    );
    assert!(!html.contains("<Cafe>"));
    assert!(text.contains("Mail <Cafe> & Co"), "plain in text");

    let state = delivery_state(&pool, a.tenant_id, id)
        .await
        .expect("state")
        .expect("row");
    assert_eq!(state.status, "sent");
    assert_eq!(state.attempts, 1);
    assert!(state.sent_at.is_some());

    // Delivering again (a job re-run after a restart) sends nothing.
    let again = deliver(&pool, &mailer(), a.tenant_id, id, 2, 6)
        .await
        .expect("deliver");
    assert_eq!(again, Outcome::Skipped);
    assert_eq!(sink().messages_to(&to).len(), 1);
}

#[tokio::test]
async fn a_refused_message_is_retried_then_accepted() {
    let pool = pool().await;
    // The sink answers 451 to this address twice, then accepts it.
    let to = address("refuse2-");
    let (a, id) = invited(&pool, &to).await;
    let m = mailer();
    for attempt in 1..=2 {
        let out = deliver(&pool, &m, a.tenant_id, id, attempt, 6)
            .await
            .expect("deliver");
        let Outcome::Retry(err) = out else {
            panic!("attempt {attempt}: expected a retry, got {out:?}")
        };
        assert!(err.contains("451"), "{err}");
        let s = delivery_state(&pool, a.tenant_id, id)
            .await
            .expect("state")
            .expect("row");
        assert_eq!((s.status.as_str(), s.attempts), ("queued", attempt));
        assert!(s.last_error.is_some_and(|e| e.contains("Try again later")));
        assert!(sink().messages_to(&to).is_empty());
    }
    let out = deliver(&pool, &m, a.tenant_id, id, 3, 6)
        .await
        .expect("deliver");
    assert_eq!(out, Outcome::Sent);
    assert_eq!(sink().messages_to(&to).len(), 1);
    let s = delivery_state(&pool, a.tenant_id, id)
        .await
        .expect("state")
        .expect("row");
    assert_eq!((s.status.as_str(), s.attempts), ("sent", 3));
    assert_eq!(s.last_error, None);
}

#[tokio::test]
async fn a_message_fails_after_its_last_attempt_or_a_permanent_refusal() {
    let pool = pool().await;
    let m = mailer();
    let to = address("refuse9-");
    let (a, id) = invited(&pool, &to).await;
    assert!(matches!(
        deliver(&pool, &m, a.tenant_id, id, 1, 2)
            .await
            .expect("deliver"),
        Outcome::Retry(_)
    ));
    let last = deliver(&pool, &m, a.tenant_id, id, 2, 2)
        .await
        .expect("deliver");
    assert!(
        matches!(&last, Outcome::Failed(e) if e.contains("451")),
        "{last:?}"
    );
    let s = delivery_state(&pool, a.tenant_id, id)
        .await
        .expect("state")
        .expect("row");
    assert_eq!((s.status.as_str(), s.attempts), ("failed", 2));
    assert!(s.last_error.is_some_and(|e| e.contains("451")));

    let to = address("reject-");
    let (b, id) = invited(&pool, &to).await;
    let out = deliver(&pool, &m, b.tenant_id, id, 1, 6)
        .await
        .expect("deliver");
    assert!(
        matches!(&out, Outcome::Failed(e) if e.contains("550")),
        "{out:?}"
    );
    let s = delivery_state(&pool, b.tenant_id, id)
        .await
        .expect("state")
        .expect("row");
    assert_eq!(s.status, "failed");
    assert!(sink().messages_to(&to).is_empty());
}

#[tokio::test]
async fn two_workers_delivering_one_message_send_it_once() {
    let pool = pool().await;
    for _ in 0..3 {
        let to = address("race-");
        let (a, id) = invited(&pool, &to).await;
        let (p1, p2) = (pool.clone(), pool.clone());
        let (m1, m2) = (mailer(), mailer());
        let t = a.tenant_id;
        let one = tokio::spawn(async move { deliver(&p1, &m1, t, id, 1, 6).await });
        let two = tokio::spawn(async move { deliver(&p2, &m2, t, id, 1, 6).await });
        let mut outcomes = vec![
            one.await.expect("join").expect("deliver"),
            two.await.expect("join").expect("deliver"),
        ];
        outcomes.sort_by_key(|o| format!("{o:?}"));
        assert_eq!(outcomes, vec![Outcome::Sent, Outcome::Skipped]);
        assert_eq!(sink().messages_to(&to).len(), 1, "delivered exactly once");
    }
}

#[tokio::test]
async fn without_an_smtp_server_messages_stay_queued_in_the_outbox() {
    let pool = pool().await;
    let to = address("nosmtp-");
    let (a, id) = invited(&pool, &to).await;
    let none = Mailer::new(None).expect("mailer");
    assert!(!none.is_configured());
    let out = deliver(&pool, &none, a.tenant_id, id, 1, 6)
        .await
        .expect("deliver");
    assert_eq!(out, Outcome::Skipped);
    let s = delivery_state(&pool, a.tenant_id, id)
        .await
        .expect("state")
        .expect("row");
    assert_eq!((s.status.as_str(), s.attempts), ("queued", 0));
    // The team page says so plainly.
    let router = router(pool.clone());
    let overview: app::model::TeamOverview = call_json(
        &router,
        "/api/team/overview",
        Some(&cookie_for(&a)),
        serde_json::json!({}),
    )
    .await
    .json();
    assert!(!overview.email_delivery);
    let row = overview
        .outbox
        .iter()
        .find(|m| m.to_email == to)
        .expect("listed");
    assert_eq!(row.status, "queued");
    assert!(row.link.is_some(), "the invite link can be copied by hand");
}

/// The job registry of a server whose SMTP server is the sink.
pub fn registry(pool: &PgPool) -> server::jobs::Registry {
    let config = server::ServerConfig {
        smtp: Some(smtp_settings()),
        ..config()
    };
    server::jobs::registry(&config, pool)
}

/// Makes the tenant's queued jobs due now (as the owner role: the app role cannot touch the
/// jobs table), standing in for the backoff's wait.
async fn make_due(tenant: Uuid) {
    let owner = PgPool::connect(&std::env::var("DATABASE_URL").expect("DATABASE_URL"))
        .await
        .expect("owner pool");
    sqlx::query("UPDATE jobs SET run_at = now() WHERE tenant_id = $1 AND status = 'queued'")
        .bind(tenant)
        .execute(&owner)
        .await
        .expect("make due");
    owner.close().await;
}

#[tokio::test]
async fn the_email_send_job_queued_with_the_invitation_delivers_it() {
    let pool = pool().await;
    let to = address("job-");
    let (a, id) = invited(&pool, &to).await;
    assert!(
        sink().messages_to(&to).is_empty(),
        "nothing is sent before the job runs"
    );
    let ran = server::jobs::run_due_for(&pool, &registry(&pool), a.tenant_id).await;
    assert_eq!(ran, 1, "one email.send job, committed with the invitation");
    assert_eq!(sink().messages_to(&to).len(), 1);
    let s = delivery_state(&pool, a.tenant_id, id)
        .await
        .expect("state")
        .expect("row");
    assert_eq!(s.status, "sent");
    // Nothing is left to run.
    assert_eq!(
        server::jobs::run_due_for(&pool, &registry(&pool), a.tenant_id).await,
        0
    );
}

#[tokio::test]
async fn the_queue_retries_a_refused_message_with_backoff_then_delivers_it() {
    let pool = pool().await;
    let to = address("refuse1-");
    let (a, id) = invited(&pool, &to).await;
    let reg = registry(&pool);
    assert_eq!(server::jobs::run_due_for(&pool, &reg, a.tenant_id).await, 1);
    assert!(sink().messages_to(&to).is_empty(), "refused with 451");
    let s = delivery_state(&pool, a.tenant_id, id)
        .await
        .expect("state")
        .expect("row");
    assert_eq!((s.status.as_str(), s.attempts), ("queued", 1));
    // The retry waits for its backoff: not due yet.
    assert_eq!(server::jobs::run_due_for(&pool, &reg, a.tenant_id).await, 0);
    make_due(a.tenant_id).await;
    assert_eq!(server::jobs::run_due_for(&pool, &reg, a.tenant_id).await, 1);
    assert_eq!(
        sink().messages_to(&to).len(),
        1,
        "accepted on the second try"
    );
    let s = delivery_state(&pool, a.tenant_id, id)
        .await
        .expect("state")
        .expect("row");
    assert_eq!((s.status.as_str(), s.attempts), ("sent", 2));
}

#[tokio::test]
async fn two_workers_running_due_jobs_deliver_each_message_once() {
    let pool = pool().await;
    let a = account(&pool, "Race Mail").await;
    set_plan(&pool, a.tenant_id, GROWTH).await;
    let mut to = Vec::new();
    for _ in 0..4 {
        let addr = address("race2-");
        let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
        app::db::team::invite(
            &mut tx,
            &app::db::team::Inviter {
                tenant_id: a.tenant_id,
                user_id: a.user_id,
                tenant_name: "Race Mail",
                link_base: "http://app.test",
            },
            &Email::parse(&addr).expect("email"),
            Role::Viewer,
        )
        .await
        .expect("invite");
        tx.commit().await.expect("commit");
        to.push(addr);
    }
    let reg = registry(&pool);
    let (p1, p2, r1, r2) = (pool.clone(), pool.clone(), reg.clone(), reg.clone());
    let t = a.tenant_id;
    let one = tokio::spawn(async move { server::jobs::run_due_for(&p1, &r1, t).await });
    let two = tokio::spawn(async move { server::jobs::run_due_for(&p2, &r2, t).await });
    let ran = one.await.expect("join") + two.await.expect("join");
    assert_eq!(ran, 4, "each job ran once across both workers");
    for addr in &to {
        assert_eq!(
            sink().messages_to(addr).len(),
            1,
            "{addr} got exactly one message"
        );
    }
}

#[tokio::test]
async fn a_domain_notice_job_emails_the_owner() {
    let pool = pool().await;
    let a = account(&pool, "Domain Notice").await;
    let to: String = {
        let mut tx = app::db::tenant_tx(&pool, a.tenant_id).await.expect("tx");
        let e = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
            .bind(a.user_id)
            .fetch_one(&mut *tx)
            .await
            .expect("owner");
        tx.commit().await.expect("commit");
        e
    };
    for event in ["verified", "lost"] {
        app::db::jobs::enqueue(
            &pool,
            app::db::jobs::NewJob::new(
                app::db::notify::DOMAIN_NOTICE,
                serde_json::json!({
                    "tenant_id": a.tenant_id, "website_id": a.website_id,
                    "domain": "www.domain-notice.test", "event": event,
                }),
            )
            .tenant(a.tenant_id),
        )
        .await
        .expect("enqueue");
    }
    server::jobs::run_due_for(&pool, &registry(&pool), a.tenant_id).await;
    let got = sink().messages_to(&to);
    let subjects: Vec<&str> = got.iter().filter_map(|m| header(m, "subject")).collect();
    assert_eq!(got.len(), 2, "{subjects:?}");
    assert!(subjects.contains(&"www.domain-notice.test is now connected to Domain Notice"));
    assert!(subjects.contains(&"www.domain-notice.test no longer points to Domain Notice"));
    for m in &got {
        assert_eq!(
            header(m, "list-unsubscribe"),
            Some("<http://127.0.0.1:3000/settings>")
        );
        assert!(m["html"]
            .as_str()
            .is_some_and(|h| h.contains("www.domain-notice.test")));
    }
    // A malformed payload is dead at once, not retried.
    app::db::jobs::enqueue(
        &pool,
        app::db::jobs::NewJob::new(
            app::db::notify::DOMAIN_NOTICE,
            serde_json::json!({ "tenant_id": a.tenant_id, "event": "exploded" }),
        )
        .tenant(a.tenant_id),
    )
    .await
    .expect("enqueue");
    assert_eq!(
        server::jobs::run_due_for(&pool, &registry(&pool), a.tenant_id).await,
        1
    );
    assert_eq!(sink().messages_to(&to).len(), 2);
}
