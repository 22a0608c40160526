//! The durable job queue (migration 0023): every call goes through the queue's SECURITY
//! DEFINER functions, the only way the app role reaches the `jobs` table. The worker that runs
//! jobs is `server::jobs`; features queue work with [`enqueue`], inside their own transaction
//! when the job belongs with a write.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgExecutor, PgPool};
use uuid::Uuid;

use crate::error::AppError;

/// Attempts a job gets unless it says otherwise.
pub const DEFAULT_MAX_ATTEMPTS: i32 = 8;

/// A job to queue: `kind` names the handler (`server::jobs::registry`), `payload` is its input.
#[derive(Debug, Clone)]
pub struct NewJob<'a> {
    pub kind: &'a str,
    pub payload: serde_json::Value,
    pub run_at: Option<DateTime<Utc>>,
    pub dedupe_key: Option<String>,
    pub max_attempts: i32,
    pub tenant_id: Option<Uuid>,
}

impl<'a> NewJob<'a> {
    /// A job to run as soon as a worker is free, with [`DEFAULT_MAX_ATTEMPTS`].
    pub fn new(kind: &'a str, payload: serde_json::Value) -> Self {
        Self {
            kind,
            payload,
            run_at: None,
            dedupe_key: None,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            tenant_id: None,
        }
    }

    /// Not before `run_at`.
    pub fn at(mut self, run_at: DateTime<Utc>) -> Self {
        self.run_at = Some(run_at);
        self
    }

    /// At most one queued or running job per key: [`enqueue`] answers `None` when one exists.
    pub fn dedupe(mut self, key: impl Into<String>) -> Self {
        self.dedupe_key = Some(key.into());
        self
    }

    pub fn max_attempts(mut self, attempts: i32) -> Self {
        self.max_attempts = attempts.clamp(1, 100);
        self
    }

    /// The tenant the job concerns, for operators' listings (`server jobs`).
    pub fn tenant(mut self, tenant_id: Uuid) -> Self {
        self.tenant_id = Some(tenant_id);
        self
    }
}

/// Queues `job` and returns its id, or `None` when a live job with its dedupe key exists.
/// Pass `&mut **tx` to queue inside a tenant transaction: the job then commits with the write.
pub async fn enqueue<'e>(
    ex: impl PgExecutor<'e>,
    job: NewJob<'_>,
) -> Result<Option<i64>, AppError> {
    Ok(
        sqlx::query_scalar::<_, Option<i64>>("SELECT job_enqueue($1, $2, $3, $4, $5, $6)")
            .bind(job.kind)
            .bind(&job.payload)
            .bind(job.run_at)
            .bind(job.dedupe_key)
            .bind(job.max_attempts)
            .bind(job.tenant_id)
            .fetch_one(ex)
            .await?,
    )
}

/// A job a worker holds the lease on.
#[derive(FromRow, Debug, Clone)]
pub struct ClaimedJob {
    pub id: i64,
    pub kind: String,
    pub payload: serde_json::Value,
    pub tenant_id: Option<Uuid>,
    /// 1 on the first run.
    pub attempts: i32,
    pub max_attempts: i32,
}

/// Which due jobs to claim.
#[derive(Debug, Clone, Copy)]
pub struct Claim<'a> {
    pub kinds: &'a [String],
    pub limit: i32,
    pub lease_secs: i32,
    pub worker: &'a str,
    /// Only this tenant's jobs (tests); `None` for all.
    pub tenant_id: Option<Uuid>,
}

/// Claims up to `limit` due jobs of `kinds` for `worker`, leased for `lease_secs` (`SKIP
/// LOCKED`: instances never claim the same job).
pub async fn claim(pool: &PgPool, c: Claim<'_>) -> Result<Vec<ClaimedJob>, AppError> {
    Ok(sqlx::query_as::<_, ClaimedJob>(
        "SELECT id, kind, payload, tenant_id, attempts, max_attempts FROM job_claim($1, $2, $3, $4, $5)",
    )
    .bind(c.kinds)
    .bind(c.limit)
    .bind(c.lease_secs)
    .bind(c.worker)
    .bind(c.tenant_id)
    .fetch_all(pool)
    .await?)
}

/// How a claimed job ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    Done,
    /// Failed; run again at the time given, unless that was the last attempt.
    Retry {
        error: String,
        at: DateTime<Utc>,
    },
    /// Failed for good (dead letter).
    Dead {
        error: String,
    },
}

/// Records `outcome` for a job `worker` holds; `next_run_at` queues the next run of a recurring
/// job once this one is done or dead. `false` when the lease was lost to another worker.
pub async fn end(
    pool: &PgPool,
    id: i64,
    worker: &str,
    outcome: Outcome,
    next_run_at: Option<DateTime<Utc>>,
) -> Result<bool, AppError> {
    let (error, retry_at) = match outcome {
        Outcome::Done => (None, None),
        Outcome::Retry { error, at } => (Some(error), Some(at)),
        Outcome::Dead { error } => (Some(error), None),
    };
    Ok(
        sqlx::query_scalar::<_, bool>("SELECT job_end($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(worker)
            .bind(error)
            .bind(retry_at)
            .bind(next_run_at)
            .fetch_one(pool)
            .await?,
    )
}

/// Deletes done jobs older than 7 days and dead ones older than 30; returns how many.
pub async fn purge(pool: &PgPool) -> Result<i32, AppError> {
    Ok(sqlx::query_scalar::<_, i32>("SELECT job_purge()")
        .fetch_one(pool)
        .await?)
}

#[derive(FromRow, Debug, Clone)]
pub struct KindCount {
    pub kind: String,
    pub status: String,
    pub jobs: i64,
    pub oldest_run_at: Option<DateTime<Utc>>,
}

/// Jobs per kind and state, for operators.
pub async fn overview(pool: &PgPool) -> Result<Vec<KindCount>, AppError> {
    Ok(sqlx::query_as::<_, KindCount>(
        "SELECT kind, status, jobs, oldest_run_at FROM job_overview()",
    )
    .fetch_all(pool)
    .await?)
}

#[derive(FromRow, Debug, Clone)]
pub struct DeadJob {
    pub id: i64,
    pub kind: String,
    pub tenant_id: Option<Uuid>,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// The newest dead letters.
pub async fn dead(pool: &PgPool, limit: i32) -> Result<Vec<DeadJob>, AppError> {
    Ok(sqlx::query_as::<_, DeadJob>(
        "SELECT id, kind, tenant_id, attempts, last_error, finished_at FROM job_dead($1)",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// Queues a dead job again with fresh attempts; `false` when `id` is not a dead job.
pub async fn retry(pool: &PgPool, id: i64) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar::<_, bool>("SELECT job_retry($1)")
        .bind(id)
        .fetch_one(pool)
        .await?)
}
