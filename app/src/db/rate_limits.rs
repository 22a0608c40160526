//! Per-plan request rates (issue 21 part 3, migration 0037): the REST API, and the expensive
//! actions (publish, AI, export) however they are asked for (builder or API). Each is counted
//! per tenant in two fixed windows, a minute and an hour, with the numbers of the tenant's plan
//! (`plans.api_requests_per_*`, `plans.heavy_actions_per_*`). The counters are the log-in
//! throttle's (`auth_throttle`, through `system::throttle_hit`): one row per tenant, bucket and
//! window in PostgreSQL, so every server instance counts into the same numbers.

use sqlx::PgPool;
use uuid::Uuid;

use super::system::{self, ThrottleHit};
use super::{tenant_tx, Tx};
use crate::error::AppError;

/// What is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// Every REST API request of the tenant.
    Api,
    Publish,
    Ai,
    Export,
}

impl Bucket {
    fn as_str(self) -> &'static str {
        match self {
            Self::Api => "api",
            Self::Publish => "publish",
            Self::Ai => "ai",
            Self::Export => "export",
        }
    }
}

/// The state of the window nearest to its limit, for the `RateLimit-*` headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateState {
    /// The window's limit (`RateLimit-Limit`).
    pub limit: u32,
    /// Requests left in it (`RateLimit-Remaining`).
    pub remaining: u32,
    /// Seconds until it starts again (`RateLimit-Reset`).
    pub reset_secs: u32,
    /// Over the limit: refuse with 429 and `Retry-After: reset_secs`.
    pub exceeded: bool,
}

impl RateState {
    /// The `RateLimit-*` response headers (lower-case names) and their values.
    pub fn headers(&self) -> [(&'static str, u32); 3] {
        [
            ("ratelimit-limit", self.limit),
            ("ratelimit-remaining", self.remaining),
            ("ratelimit-reset", self.reset_secs),
        ]
    }

    /// The typed 429 for a refused request.
    pub fn error(&self) -> AppError {
        AppError::TooManyRequests {
            retry_after_secs: u64::from(self.reset_secs.max(1)),
        }
    }
}

/// The tenant's plan numbers for `bucket`: (per minute, per hour).
async fn plan_limits(tx: &mut Tx, tenant: Uuid, bucket: Bucket) -> Result<(u32, u32), AppError> {
    let row: Option<(i32, i32, i32, i32)> = sqlx::query_as(
        r#"SELECT p.api_requests_per_minute, p.api_requests_per_hour,
                  p.heavy_actions_per_minute, p.heavy_actions_per_hour
             FROM tenants t JOIN plans p ON p.id = t.plan_id WHERE t.id = $1"#,
    )
    .bind(tenant)
    .fetch_optional(&mut **tx)
    .await?;
    let (api_m, api_h, heavy_m, heavy_h) = row.ok_or_else(|| {
        tracing::error!(%tenant, "tenant has no plan row");
        AppError::Internal
    })?;
    let (m, h) = match bucket {
        Bucket::Api => (api_m, api_h),
        _ => (heavy_m, heavy_h),
    };
    Ok((m.max(1) as u32, h.max(1) as u32))
}

fn window(hit: &ThrottleHit, limit: u32) -> RateState {
    let hits = hit.hits.max(0) as u32;
    RateState {
        limit,
        remaining: limit.saturating_sub(hits),
        reset_secs: hit.window_left_secs.max(1) as u32,
        exceeded: hits > limit,
    }
}

/// Counts one request of the tenant in `bucket` (minute and hour windows) and tells whether it
/// is within the plan's numbers. A refused request counts too (fixed windows: a client that
/// keeps hammering stays refused until the window ends).
pub async fn hit(pool: &PgPool, tenant: Uuid, bucket: Bucket) -> Result<RateState, AppError> {
    // One transaction and one commit for the plan and both windows. A counter is not worth
    // waiting for the disk: a crash may forget the last few milliseconds of counts.
    let mut tx = tenant_tx(pool, tenant).await?;
    sqlx::query("SET LOCAL synchronous_commit = off")
        .execute(&mut *tx)
        .await?;
    let (per_minute, per_hour) = plan_limits(&mut tx, tenant, bucket).await?;
    let name = bucket.as_str();
    let minute = system::throttle_hit_in(&mut tx, &format!("rate:{name}:m:{tenant}"), 60).await?;
    let hour = system::throttle_hit_in(&mut tx, &format!("rate:{name}:h:{tenant}"), 3600).await?;
    tx.commit().await?;
    let (m, h) = (window(&minute, per_minute), window(&hour, per_hour));
    // The headers describe the window that refuses (the longer wait when both do), else the
    // one with the fewest requests left.
    Ok(match (m.exceeded, h.exceeded) {
        (_, true) => h,
        (true, false) => m,
        _ if h.remaining < m.remaining => h,
        _ => m,
    })
}

/// [`hit`] for an expensive action asked for by a member (server functions and app routes):
/// `TooManyRequests` (429 with `Retry-After`) over the plan's numbers.
pub async fn check(pool: &PgPool, tenant: Uuid, bucket: Bucket) -> Result<RateState, AppError> {
    let state = hit(pool, tenant, bucket).await?;
    if state.exceeded {
        return Err(state.error());
    }
    Ok(state)
}
