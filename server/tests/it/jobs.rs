//! The job queue (issue 18 part 0): claims, retries with backoff, dead letters, recurring
//! jobs, dedupe, leases, and two workers racing on one queue. Every test uses kinds of its own
//! (`kind()`), so tests sharing the database never run each other's jobs.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use app::db::jobs::{self, NewJob};
use server::jobs::{run_due, Backoff, JobCtx, JobError, Registry};
use sqlx::PgPool;

use crate::common::{pool, unique};

/// A kind no other test uses.
fn kind() -> &'static str {
    Box::leak(unique("test.k").into_boxed_str())
}

fn no_wait() -> Backoff {
    Backoff::steps(vec![Duration::ZERO])
}

/// A registry whose one `kind` counts its runs and fails its first `failures` runs.
fn counting(kind: &'static str, failures: usize, fatal: bool) -> (Registry, Arc<AtomicUsize>) {
    let runs = Arc::new(AtomicUsize::new(0));
    let seen = runs.clone();
    let registry = Registry::new().handle(kind, no_wait(), move |_ctx: JobCtx| {
        let n = seen.fetch_add(1, Ordering::SeqCst);
        async move {
            if n < failures {
                if fatal {
                    Err(JobError::Fatal(format!("fatal failure {n}")))
                } else {
                    Err(JobError::Retry(format!("smtp said no ({n})")))
                }
            } else {
                Ok(())
            }
        }
    });
    (registry, runs)
}

#[derive(sqlx::FromRow, Debug)]
struct Row {
    status: String,
    attempts: i32,
    last_error: Option<String>,
}

/// The test reads the table through the owner role: the app role has no privilege on it.
async fn row(id: i64) -> Row {
    let owner = PgPool::connect(&std::env::var("DATABASE_URL").expect("DATABASE_URL"))
        .await
        .expect("owner pool");
    let row =
        sqlx::query_as::<_, Row>("SELECT status, attempts, last_error FROM jobs WHERE id = $1")
            .bind(id)
            .fetch_one(&owner)
            .await
            .expect("job row");
    owner.close().await;
    row
}

#[tokio::test]
async fn a_queued_job_runs_once_and_is_done() {
    let pool = pool().await;
    let kind = kind();
    let (registry, runs) = counting(kind, 0, false);
    let id = jobs::enqueue(&pool, NewJob::new(kind, serde_json::json!({"n": 1})))
        .await
        .unwrap()
        .expect("queued");
    assert_eq!(run_due(&pool, &registry).await, 1);
    assert_eq!(
        run_due(&pool, &registry).await,
        0,
        "a done job never runs again"
    );
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    let r = row(id).await;
    assert_eq!((r.status.as_str(), r.attempts), ("done", 1));
}

#[tokio::test]
async fn the_handler_gets_the_payload_and_the_attempt() {
    let pool = pool().await;
    let kind = kind();
    let seen = Arc::new(std::sync::Mutex::new(None));
    let s = seen.clone();
    let registry = Registry::new().handle(kind, no_wait(), move |ctx: JobCtx| {
        *s.lock().unwrap() = Some((ctx.payload.clone(), ctx.attempt, ctx.max_attempts));
        async { Ok(()) }
    });
    jobs::enqueue(
        &pool,
        NewJob::new(kind, serde_json::json!({"to": "a@b.c"})).max_attempts(3),
    )
    .await
    .unwrap();
    run_due(&pool, &registry).await;
    assert_eq!(
        seen.lock().unwrap().clone(),
        Some((serde_json::json!({"to": "a@b.c"}), 1, 3))
    );
}

#[tokio::test]
async fn a_failing_job_is_retried_then_succeeds() {
    let pool = pool().await;
    let kind = kind();
    let (registry, runs) = counting(kind, 2, false);
    let id = jobs::enqueue(&pool, NewJob::new(kind, serde_json::json!({})))
        .await
        .unwrap()
        .unwrap();
    // The zero backoff makes each retry due at once, so one call runs all three attempts.
    assert_eq!(run_due(&pool, &registry).await, 3);
    assert_eq!(runs.load(Ordering::SeqCst), 3);
    let r = row(id).await;
    assert_eq!(r.status, "done");
    assert_eq!(r.attempts, 3);
    assert_eq!(r.last_error.as_deref(), Some("smtp said no (1)"));
}

#[tokio::test]
async fn a_retry_waits_for_its_backoff() {
    let pool = pool().await;
    let kind = kind();
    let registry = Registry::new().handle(
        kind,
        Backoff::exponential(Duration::from_secs(60), Duration::from_secs(3600)),
        |_ctx: JobCtx| async { Err(JobError::Retry("not yet".into())) },
    );
    let id = jobs::enqueue(&pool, NewJob::new(kind, serde_json::json!({})))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(run_due(&pool, &registry).await, 1);
    assert_eq!(
        run_due(&pool, &registry).await,
        0,
        "the retry is a minute away"
    );
    let r = row(id).await;
    assert_eq!((r.status.as_str(), r.attempts), ("queued", 1));
    assert_eq!(r.last_error.as_deref(), Some("not yet"));
}

#[tokio::test]
async fn a_job_that_keeps_failing_ends_dead_with_its_last_error() {
    let pool = pool().await;
    let kind = kind();
    let (registry, runs) = counting(kind, 100, false);
    let id = jobs::enqueue(
        &pool,
        NewJob::new(kind, serde_json::json!({})).max_attempts(3),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(run_due(&pool, &registry).await, 3);
    assert_eq!(runs.load(Ordering::SeqCst), 3);
    let r = row(id).await;
    assert_eq!((r.status.as_str(), r.attempts), ("dead", 3));
    assert_eq!(r.last_error.as_deref(), Some("smtp said no (2)"));
    // Operators see it, and can queue it again with fresh attempts.
    let dead = jobs::dead(&pool, 1000).await.unwrap();
    assert!(dead.iter().any(|d| d.id == id && d.kind == kind));
    assert!(jobs::retry(&pool, id).await.unwrap());
    assert!(
        !jobs::retry(&pool, id).await.unwrap(),
        "only dead jobs are retried"
    );
    assert_eq!(run_due(&pool, &registry).await, 3);
    assert_eq!(row(id).await.status, "dead");
}

#[tokio::test]
async fn a_fatal_error_is_dead_at_once() {
    let pool = pool().await;
    let kind = kind();
    let (registry, runs) = counting(kind, 1, true);
    let id = jobs::enqueue(&pool, NewJob::new(kind, serde_json::json!({})))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(run_due(&pool, &registry).await, 1);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    let r = row(id).await;
    assert_eq!((r.status.as_str(), r.attempts), ("dead", 1));
}

#[tokio::test]
async fn a_dedupe_key_allows_one_live_job() {
    let pool = pool().await;
    let kind = kind();
    let (registry, runs) = counting(kind, 0, false);
    let key = unique("check:www.example.");
    let first = jobs::enqueue(&pool, NewJob::new(kind, serde_json::json!({})).dedupe(&key))
        .await
        .unwrap();
    let second = jobs::enqueue(&pool, NewJob::new(kind, serde_json::json!({})).dedupe(&key))
        .await
        .unwrap();
    assert!(first.is_some());
    assert_eq!(second, None, "a live job with the key exists");
    run_due(&pool, &registry).await;
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    let third = jobs::enqueue(&pool, NewJob::new(kind, serde_json::json!({})).dedupe(&key))
        .await
        .unwrap();
    assert!(third.is_some(), "once done, the key is free again");
}

#[tokio::test]
async fn a_job_queued_in_a_rolled_back_transaction_never_exists() {
    let pool = pool().await;
    let kind = kind();
    let (registry, runs) = counting(kind, 0, false);
    let mut tx = pool.begin().await.unwrap();
    jobs::enqueue(&mut *tx, NewJob::new(kind, serde_json::json!({})))
        .await
        .unwrap()
        .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(run_due(&pool, &registry).await, 0);
    assert_eq!(runs.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn two_workers_racing_run_each_job_exactly_once() {
    let pool = pool().await;
    let kind = kind();
    let runs = Arc::new(std::sync::Mutex::new(Vec::<i64>::new()));
    let seen = runs.clone();
    let registry = Registry::new().handle(kind, no_wait(), move |ctx: JobCtx| {
        let seen = seen.clone();
        async move {
            // Long enough that both workers are claiming while jobs are running.
            tokio::task::yield_now().await;
            seen.lock().unwrap().push(ctx.id);
            Ok(())
        }
    });
    let mut ids = Vec::new();
    for n in 0..60 {
        ids.push(
            jobs::enqueue(&pool, NewJob::new(kind, serde_json::json!({ "n": n })))
                .await
                .unwrap()
                .unwrap(),
        );
    }
    let (a, b) = tokio::join!(
        tokio::spawn({
            let (pool, registry) = (pool.clone(), registry.clone());
            async move { run_due(&pool, &registry).await }
        }),
        tokio::spawn({
            let (pool, registry) = (pool.clone(), registry.clone());
            async move { run_due(&pool, &registry).await }
        }),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a + b, 60, "every job claimed once between the two workers");
    let mut ran = runs.lock().unwrap().clone();
    ran.sort();
    ids.sort();
    assert_eq!(ran, ids, "each job ran exactly once");
}

#[tokio::test]
async fn a_job_whose_worker_died_is_taken_again_after_its_lease() {
    let pool = pool().await;
    let kind = kind();
    let (registry, runs) = counting(kind, 0, false);
    let id = jobs::enqueue(&pool, NewJob::new(kind, serde_json::json!({})))
        .await
        .unwrap()
        .unwrap();
    // A worker claims the job with a lease that has already run out, then "dies".
    let kinds = vec![kind.to_string()];
    let claimed = jobs::claim(
        &pool,
        jobs::Claim {
            kinds: &kinds,
            limit: 1,
            lease_secs: 0,
            worker: "dead-worker",
            tenant_id: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(run_due(&pool, &registry).await, 1, "taken again");
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    let r = row(id).await;
    assert_eq!((r.status.as_str(), r.attempts), ("done", 2));
    // The dead worker's late report is refused: the job is not its own any more.
    assert!(
        !jobs::end(&pool, id, "dead-worker", jobs::Outcome::Done, None)
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn a_recurring_job_is_queued_once_and_queues_its_next_run() {
    let pool = pool().await;
    let kind = kind();
    let (registry, runs) = counting(kind, 0, false);
    let registry = registry.every(kind, Duration::from_secs(3600));
    // Two instances seeding at once queue one job.
    registry.seed_recurring(&pool).await.unwrap();
    registry.seed_recurring(&pool).await.unwrap();
    assert_eq!(run_due(&pool, &registry).await, 1);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert_eq!(
        run_due(&pool, &registry).await,
        0,
        "the next run is an hour away"
    );
    // The next run is queued (the dedupe key is taken), so seeding again adds nothing.
    let again = jobs::enqueue(&pool, NewJob::new(kind, serde_json::json!({})).dedupe(kind))
        .await
        .unwrap();
    assert_eq!(again, None);
}

#[tokio::test]
async fn tests_can_run_one_tenants_jobs_only() {
    let pool = pool().await;
    let kind = kind();
    let (registry, runs) = counting(kind, 0, false);
    let (mine, theirs) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    for tenant in [mine, theirs] {
        jobs::enqueue(
            &pool,
            NewJob::new(kind, serde_json::json!({})).tenant(tenant),
        )
        .await
        .unwrap();
    }
    assert_eq!(server::jobs::run_due_for(&pool, &registry, mine).await, 1);
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert_eq!(server::jobs::run_due_for(&pool, &registry, theirs).await, 1);
}

#[tokio::test]
async fn the_app_role_cannot_touch_the_jobs_table_directly() {
    let pool = pool().await;
    let err = sqlx::query("SELECT count(*) FROM jobs")
        .execute(&pool)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("permission denied"), "{err}");
}

#[tokio::test]
async fn the_worker_wakes_on_notify_without_waiting_for_its_poll() {
    let pool = pool().await;
    let kind = kind();
    let done = Arc::new(tokio::sync::Notify::new());
    let signal = done.clone();
    let registry = Registry::new().handle(kind, no_wait(), move |_ctx: JobCtx| {
        signal.notify_one();
        async { Ok(()) }
    });
    // Polling once an hour: only the NOTIFY sent by enqueue can wake it in time.
    let worker = server::jobs::Worker::start(pool.clone(), registry, Duration::from_secs(3600), 2);
    // Let the worker finish its first (empty) look and start listening before the job exists.
    let started = std::time::Instant::now();
    loop {
        jobs::enqueue(&pool, NewJob::new(kind, serde_json::json!({})))
            .await
            .unwrap();
        if tokio::time::timeout(Duration::from_millis(500), done.notified())
            .await
            .is_ok()
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the worker never ran the job"
        );
    }
    worker.abort();
}
