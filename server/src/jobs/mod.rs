//! The one background worker (issue 18 part 0). Every kind of background work is a handler in
//! [`registry`]; jobs live in PostgreSQL (`app::db::jobs`, migration 0023), so they survive
//! restarts and any number of server instances share them:
//!
//! - a worker claims due jobs with `FOR UPDATE SKIP LOCKED` under a lease ([`LEASE`]); a
//!   worker that dies mid-job loses its lease and another instance runs the job again, so
//!   handlers are idempotent (they check what is already done before doing it);
//! - a failed job is retried after its kind's [`Backoff`] until its attempts run out, then it
//!   is dead: kept with its last error, listed by `server jobs` and queued again by
//!   `server jobs retry <id>`;
//! - recurring work ([`Registry::every`]) is one queued job per kind across all instances (its
//!   dedupe key), and finishing a run queues the next one in the same transaction;
//! - workers wake on `NOTIFY sitepilot_jobs` (sent when a job is queued) and otherwise look for
//!   due jobs every `poll` ([`Worker::start`]).
//!
//! Tests call [`run_due`] instead of starting a worker.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use app::db::jobs::{self, ClaimedJob, NewJob, Outcome};
use chrono::Utc;
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tokio::task::JoinSet;

use crate::ServerConfig;

/// How long a claimed job is its worker's. A handler still running then is cancelled and its
/// attempt counts as failed, so no other worker can run the job while it does.
pub const LEASE: Duration = Duration::from_secs(300);

/// What a handler gets: the job and the request pool.
#[derive(Debug, Clone)]
pub struct JobCtx {
    pub pool: PgPool,
    pub id: i64,
    pub kind: String,
    pub payload: serde_json::Value,
    /// 1 on the first run.
    pub attempt: i32,
    pub max_attempts: i32,
}

impl JobCtx {
    /// Whether a failure now would be the job's last.
    pub fn last_attempt(&self) -> bool {
        self.attempt >= self.max_attempts
    }
}

/// Why a handler failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum JobError {
    /// Worth another try (a server that did not answer): retried after the kind's backoff.
    #[error("{0}")]
    Retry(String),
    /// Will never work (the thing the job was about is gone): dead at once.
    #[error("{0}")]
    Fatal(String),
}

impl From<app::error::AppError> for JobError {
    fn from(e: app::error::AppError) -> Self {
        JobError::Retry(e.to_string())
    }
}

/// When a failed job runs again.
#[derive(Debug, Clone)]
pub enum Backoff {
    /// `base`, then twice as long each time, never more than `cap`.
    Exponential { base: Duration, cap: Duration },
    /// The delays in order; the last one repeats.
    Steps(Vec<Duration>),
}

impl Backoff {
    pub fn exponential(base: Duration, cap: Duration) -> Self {
        Backoff::Exponential { base, cap }
    }

    pub fn steps(steps: Vec<Duration>) -> Self {
        assert!(!steps.is_empty(), "Backoff::steps needs at least one delay");
        Backoff::Steps(steps)
    }

    /// The delay after failed attempt number `attempt` (1-based).
    pub fn delay(&self, attempt: i32) -> Duration {
        let n = attempt.max(1) as u32 - 1;
        match self {
            Backoff::Exponential { base, cap } => base
                .checked_mul(2u32.saturating_pow(n.min(30)))
                .map_or(*cap, |d| d.min(*cap)),
            Backoff::Steps(steps) => steps[(n as usize).min(steps.len() - 1)],
        }
    }
}

type BoxFuture = Pin<Box<dyn Future<Output = Result<(), JobError>> + Send>>;
type Handler = Arc<dyn Fn(JobCtx) -> BoxFuture + Send + Sync>;

struct Kind {
    handler: Handler,
    backoff: Backoff,
    /// Recurring kinds: the period between runs.
    every: Option<Duration>,
}

/// The handlers this instance runs, by kind. An instance claims only kinds it knows, so a
/// rolling deploy never hands a job to a server that cannot run it.
#[derive(Default, Clone)]
pub struct Registry {
    kinds: HashMap<&'static str, Arc<Kind>>,
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs jobs of `kind` with `handler`; failures are retried after `backoff`.
    pub fn handle<F, Fut>(mut self, kind: &'static str, backoff: Backoff, handler: F) -> Self
    where
        F: Fn(JobCtx) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), JobError>> + Send + 'static,
    {
        let handler: Handler = Arc::new(move |ctx| Box::pin(handler(ctx)));
        let previous = self.kinds.insert(
            kind,
            Arc::new(Kind {
                handler,
                backoff,
                every: None,
            }),
        );
        assert!(previous.is_none(), "job kind {kind} registered twice");
        self
    }

    /// Makes the already registered `kind` recurring: one run every `period`, across all
    /// instances. A failed run is retried once after `period / 4` at the earliest, then the
    /// next regular run takes over.
    pub fn every(mut self, kind: &'static str, period: Duration) -> Self {
        let entry = self
            .kinds
            .get_mut(kind)
            .unwrap_or_else(|| panic!("job kind {kind} must be registered before .every"));
        let kind_entry = Arc::get_mut(entry).expect("registry is built before it is shared");
        kind_entry.every = Some(period);
        self
    }

    /// Only the given kinds (tests that run one feature's jobs with the real registry, leaving
    /// the jobs those queue for other features, such as emails, in the queue to be checked).
    pub fn only(mut self, kinds: &[&str]) -> Self {
        self.kinds.retain(|k, _| kinds.contains(k));
        self
    }

    fn kind_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.kinds.keys().map(|k| k.to_string()).collect();
        names.sort();
        names
    }

    /// Queues the first run of every recurring kind (a no-op for those already queued).
    pub async fn seed_recurring(&self, pool: &PgPool) -> Result<(), app::error::AppError> {
        for (kind, entry) in &self.kinds {
            if entry.every.is_some() {
                jobs::enqueue(
                    pool,
                    NewJob::new(kind, serde_json::json!({}))
                        .dedupe(*kind)
                        .max_attempts(2),
                )
                .await?;
            }
        }
        Ok(())
    }
}

/// THE list of background work. Each feature adds its kinds here, one line each, pointing at a
/// function in its own module.
pub fn registry(config: &ServerConfig, _pool: &PgPool) -> Registry {
    let dns = crate::domains::dns::DnsChecker::new(config.dns_server, &config.domain_apex_ips);
    let grace = config.domain_grace;
    let reg = Registry::new()
        .handle(
            "domains.verify",
            crate::domains::jobs::verify_backoff(),
            move |ctx| crate::domains::jobs::verify(ctx, dns.clone(), grace),
        )
        .handle(
            "domains.recheck",
            Backoff::exponential(Duration::from_secs(60), Duration::from_secs(3600)),
            crate::domains::jobs::recheck,
        )
        .every("domains.recheck", crate::domains::jobs::RECHECK_SCAN)
        .handle(
            "jobs.purge",
            Backoff::exponential(Duration::from_secs(60), Duration::from_secs(3600)),
            purge,
        )
        .every("jobs.purge", Duration::from_secs(6 * 3600))
        .handle(
            "throttle.purge",
            Backoff::exponential(Duration::from_secs(60), Duration::from_secs(3600)),
            throttle_purge,
        )
        .every("throttle.purge", Duration::from_secs(3600))
        .handle(
            "analytics.rollup",
            Backoff::exponential(Duration::from_secs(30), Duration::from_secs(600)),
            crate::analytics::rollup_job,
        )
        .every("analytics.rollup", config.analytics_rollup_every)
        .handle(
            app::db::mail::SEND_JOB,
            crate::mail::backoff(),
            crate::mail::send_handler(config),
        )
        .handle(
            app::db::notify::FORM_NOTICE,
            crate::mail::backoff(),
            crate::mail::form_notice_handler(config),
        )
        .handle(
            app::db::notify::BILLING_NOTICE,
            crate::mail::backoff(),
            crate::mail::billing_notice_handler(config),
        )
        .handle(
            app::db::notify::DOMAIN_NOTICE,
            crate::mail::backoff(),
            crate::mail::domain_notice_handler(config),
        )
        .handle(
            app::db::notify::ORDER_NOTICE,
            crate::mail::backoff(),
            crate::mail::order_notice_handler(config),
        )
        .handle(
            "backups.daily",
            Backoff::exponential(Duration::from_secs(300), Duration::from_secs(3600)),
            crate::backup_export::daily_job,
        )
        .every("backups.daily", Duration::from_secs(3600))
        .handle(
            app::db::webhooks::DELIVER_JOB,
            crate::webhooks::backoff(),
            {
                let sender = crate::webhooks::Sender::new(
                    config.dns_server,
                    config.webhooks_allow_private,
                    config.public_origin(),
                );
                move |ctx| crate::webhooks::deliver(ctx, sender.clone())
            },
        )
        .handle(
            crate::lifecycle::JOB,
            Backoff::exponential(Duration::from_secs(300), Duration::from_secs(3600)),
            crate::lifecycle::job,
        )
        .every(crate::lifecycle::JOB, Duration::from_secs(3600))
        .handle(
            crate::shop::JOB,
            Backoff::exponential(Duration::from_secs(30), Duration::from_secs(600)),
            crate::shop::job,
        )
        .every(crate::shop::JOB, Duration::from_secs(60))
        .handle(
            app::api::ai::generate::JOB,
            Backoff::exponential(Duration::from_secs(10), Duration::from_secs(120)),
            {
                // The same provider settings as the server functions; `None` (AI not
                // configured) fails a generation plainly and refunds it.
                let ai = config
                    .ai
                    .clone()
                    .and_then(|s| crate::ai::AiClient::new(s).ok())
                    .map(crate::ai::AiClient::into_api);
                move |ctx| generate_site(ctx, ai.clone())
            },
        );

    // The storage the upload routes write to; opening it again here is cheap (no I/O for S3,
    // a folder check for the local disk). If it cannot open, `build` has already refused.
    match crate::assets::Storage::open(&config.asset_storage).ok() {
        Some(storage) => reg
            .handle(
                app::db::assets::JOB_VARIANTS,
                Backoff::exponential(Duration::from_secs(10), Duration::from_secs(600)),
                crate::assets::variants_job(storage.clone()),
            )
            .handle(
                app::db::assets::JOB_PURGE,
                Backoff::exponential(Duration::from_secs(60), Duration::from_secs(3600)),
                crate::assets::purge_job(storage.clone()),
            )
            .handle(
                app::db::org_export::JOB,
                Backoff::exponential(Duration::from_secs(30), Duration::from_secs(600)),
                crate::org_export::job(storage.clone(), config.upload_tmp_dir.clone()),
            )
            .handle(
                crate::org_lifecycle::JOB,
                Backoff::exponential(Duration::from_secs(300), Duration::from_secs(3600)),
                crate::org_lifecycle::job(storage),
            )
            .every(crate::org_lifecycle::JOB, Duration::from_secs(3600)),
        None => reg,
    }
}

/// `ai.generate_site`: one "build my site from a prompt" generation
/// (`app::api::ai::generate::run_job`).
async fn generate_site(ctx: JobCtx, ai: Option<app::api::ai::AiApi>) -> Result<(), JobError> {
    let id = |key: &str| {
        ctx.payload
            .get(key)
            .and_then(|v| v.as_str())
            .and_then(|s| uuid::Uuid::parse_str(s).ok())
            .ok_or_else(|| JobError::Fatal(format!("the job has no {key}")))
    };
    let (tenant, generation) = (id("tenant_id")?, id("generation_id")?);
    // Within the lease (with room to record the failure): a generation that takes longer
    // fails and is refunded instead of running again from the start.
    let limit = LEASE - Duration::from_secs(40);
    let run = app::api::ai::generate::run_job(
        &ctx.pool,
        ai.as_ref(),
        tenant,
        generation,
        ctx.last_attempt(),
    );
    match tokio::time::timeout(limit, run).await {
        Ok(result) => result.map_err(JobError::from),
        Err(_) => {
            let why = format!("it took longer than {} s", limit.as_secs());
            app::api::ai::generate::give_up(&ctx.pool, tenant, generation, &why).await?;
            Ok(())
        }
    }
}

/// Forgets old finished jobs (the table stays bounded).
async fn purge(ctx: JobCtx) -> Result<(), JobError> {
    let n = jobs::purge(&ctx.pool).await?;
    tracing::debug!(purged = n, "old jobs purged");
    Ok(())
}

/// Forgets rate-limit windows older than a day (log-in, page-password, form and beacon
/// counters share the table).
async fn throttle_purge(ctx: JobCtx) -> Result<(), JobError> {
    let n = app::db::system::throttle_purge(&ctx.pool).await?;
    tracing::debug!(purged = n, "old rate-limit windows purged");
    Ok(())
}

/// Claims and runs every job that is due now, until none is left, and returns how many ran.
/// For tests and tools: the same claim, lease and bookkeeping as the worker, without waiting.
pub async fn run_due(pool: &PgPool, registry: &Registry) -> usize {
    run_due_inner(pool, registry, None).await
}

/// [`run_due`] for the jobs of one tenant only (those queued with `NewJob::tenant`): tests that
/// share a database run their own tenant's jobs and nobody else's.
pub async fn run_due_for(pool: &PgPool, registry: &Registry, tenant_id: uuid::Uuid) -> usize {
    run_due_inner(pool, registry, Some(tenant_id)).await
}

async fn run_due_inner(pool: &PgPool, registry: &Registry, tenant_id: Option<uuid::Uuid>) -> usize {
    let worker = worker_id();
    let mut ran = 0;
    loop {
        let n = run_batch(pool, registry, &worker, 16, tenant_id).await;
        if n == 0 {
            return ran;
        }
        ran += n;
    }
}

/// Claims up to `limit` due jobs and runs them concurrently; returns how many were claimed.
async fn run_batch(
    pool: &PgPool,
    registry: &Registry,
    worker: &str,
    limit: i32,
    tenant_id: Option<uuid::Uuid>,
) -> usize {
    let kinds = registry.kind_names();
    let claim = jobs::Claim {
        kinds: &kinds,
        limit,
        lease_secs: LEASE.as_secs() as i32,
        worker,
        tenant_id,
    };
    let claimed = match jobs::claim(pool, claim).await {
        Ok(claimed) => claimed,
        Err(e) => {
            tracing::warn!(error = %e, "claiming jobs failed");
            return 0;
        }
    };
    let n = claimed.len();
    let mut running = JoinSet::new();
    for job in claimed {
        let Some(kind) = registry.kinds.get(job.kind.as_str()).cloned() else {
            continue;
        };
        let pool = pool.clone();
        let worker = worker.to_owned();
        running.spawn(async move { run_one(pool, kind, job, &worker).await });
    }
    while running.join_next().await.is_some() {}
    n
}

async fn run_one(pool: PgPool, kind: Arc<Kind>, job: ClaimedJob, worker: &str) {
    let ctx = JobCtx {
        pool: pool.clone(),
        id: job.id,
        kind: job.kind.clone(),
        payload: job.payload,
        attempt: job.attempts,
        max_attempts: job.max_attempts,
    };
    // A little less than the lease, so the outcome is written while the job is still ours.
    let limit = LEASE - Duration::from_secs(10);
    let result = match tokio::time::timeout(limit, (kind.handler)(ctx)).await {
        Ok(result) => result,
        Err(_) => Err(JobError::Retry(format!(
            "did not finish within {} s",
            limit.as_secs()
        ))),
    };
    let outcome = match result {
        Ok(()) => Outcome::Done,
        Err(JobError::Fatal(error)) => Outcome::Dead { error },
        Err(JobError::Retry(error)) if job.attempts >= job.max_attempts => Outcome::Dead { error },
        Err(JobError::Retry(error)) => {
            let mut delay = kind.backoff.delay(job.attempts);
            if let Some(period) = kind.every {
                delay = delay.max(period / 4).min(period);
            }
            Outcome::Retry {
                error,
                at: Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default(),
            }
        }
    };
    match &outcome {
        Outcome::Done => tracing::debug!(id = job.id, kind = %job.kind, "job done"),
        Outcome::Retry { error, at } => {
            tracing::warn!(id = job.id, kind = %job.kind, attempt = job.attempts, %error, %at, "job failed; will retry")
        }
        Outcome::Dead { error } => {
            tracing::error!(id = job.id, kind = %job.kind, attempt = job.attempts, %error, "job failed for good (dead)")
        }
    }
    let next_run_at = kind
        .every
        .map(|period| Utc::now() + chrono::Duration::from_std(period).unwrap_or_default());
    match jobs::end(&pool, job.id, worker, outcome, next_run_at).await {
        Ok(true) => {}
        Ok(false) => {
            tracing::warn!(id = job.id, kind = %job.kind, "job's lease was lost before it ended")
        }
        Err(e) => tracing::warn!(id = job.id, error = %e, "recording a job's outcome failed"),
    }
}

fn worker_id() -> String {
    format!(
        "{}:{}:{}",
        hostname(),
        std::process::id(),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "host".into())
}

/// The running worker of this instance.
pub struct Worker;

impl Worker {
    /// Starts the worker: seeds the recurring jobs, then claims due jobs (up to `concurrency`
    /// at a time) whenever a job is queued anywhere (`LISTEN sitepilot_jobs`) and at least
    /// every `poll`.
    pub fn start(
        pool: PgPool,
        registry: Registry,
        poll: Duration,
        concurrency: i32,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let worker = worker_id();
            tracing::info!(%worker, kinds = ?registry.kind_names(), "job worker started");
            let mut listener = listen(&pool).await;
            let mut last_seed: Option<tokio::time::Instant> = None;
            loop {
                // Recurring jobs are re-seeded now and then, in case an instance stopped between
                // ending a run and queueing the next one.
                if last_seed.is_none_or(|t| t.elapsed() > Duration::from_secs(60)) {
                    if let Err(e) = registry.seed_recurring(&pool).await {
                        tracing::warn!(error = %e, "queueing recurring jobs failed");
                    }
                    last_seed = Some(tokio::time::Instant::now());
                }
                if run_batch(&pool, &registry, &worker, concurrency, None).await > 0 {
                    continue;
                }
                wait_for_work(&pool, &mut listener, poll).await;
            }
        })
    }
}

async fn listen(pool: &PgPool) -> Option<PgListener> {
    match PgListener::connect_with(pool).await {
        Ok(mut listener) => match listener.listen("sitepilot_jobs").await {
            Ok(()) => Some(listener),
            Err(e) => {
                tracing::warn!(error = %e, "LISTEN sitepilot_jobs failed; polling only");
                None
            }
        },
        Err(e) => {
            tracing::warn!(error = %e, "job listener could not connect; polling only");
            None
        }
    }
}

/// Returns when a job was queued (a notification) or after `poll`, whichever is first.
async fn wait_for_work(pool: &PgPool, listener: &mut Option<PgListener>, poll: Duration) {
    match listener {
        Some(l) => {
            tokio::select! {
                got = l.recv() => {
                    if let Err(e) = got {
                        tracing::warn!(error = %e, "job listener lost; reconnecting");
                        *listener = listen(pool).await;
                    }
                }
                () = tokio::time::sleep(poll) => {}
            }
        }
        None => tokio::time::sleep(poll).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponential_backoff_doubles_up_to_the_cap() {
        let b = Backoff::exponential(Duration::from_secs(30), Duration::from_secs(300));
        assert_eq!(b.delay(1), Duration::from_secs(30));
        assert_eq!(b.delay(2), Duration::from_secs(60));
        assert_eq!(b.delay(4), Duration::from_secs(240));
        assert_eq!(b.delay(5), Duration::from_secs(300));
        assert_eq!(b.delay(60), Duration::from_secs(300));
    }

    #[test]
    fn steps_repeat_the_last_delay() {
        let b = Backoff::steps(vec![Duration::from_secs(60), Duration::from_secs(300)]);
        assert_eq!(b.delay(1), Duration::from_secs(60));
        assert_eq!(b.delay(2), Duration::from_secs(300));
        assert_eq!(b.delay(9), Duration::from_secs(300));
    }
}
