//! The custom-domain jobs in the queue (`server::jobs`):
//!
//! - `domains.verify` checks one domain's records and records what it found
//!   (`app::db::domains::apply_check`). A pending domain whose records are not there yet, and a
//!   verified one whose records fail within the grace period, are retried with the queue's
//!   backoff (1, 5, 30 minutes, then hourly); the queue's `SKIP LOCKED` claim means one check
//!   per job across every server instance.
//! - `domains.recheck` (hourly) queues a `domains.verify` for every verified domain not
//!   checked for a day: the daily re-check.

use std::time::Duration;

use app::db::domains::{self as db, Transition};
use app::db::{jobs, system};
use uuid::Uuid;

use super::dns::DnsChecker;
use crate::jobs::{Backoff, JobCtx, JobError};

/// Between two re-checks of a verified domain.
pub const RECHECK_EVERY: Duration = Duration::from_secs(24 * 3600);
/// How often the re-check job looks for domains due.
pub const RECHECK_SCAN: Duration = Duration::from_secs(3600);

/// 1 minute, 5 minutes, 30 minutes, then hourly.
pub fn verify_backoff() -> Backoff {
    Backoff::steps(vec![
        Duration::from_secs(60),
        Duration::from_secs(300),
        Duration::from_secs(1800),
        Duration::from_secs(3600),
    ])
}

fn uuid_of(ctx: &JobCtx, key: &str) -> Result<Uuid, JobError> {
    ctx.payload
        .get(key)
        .and_then(|v| v.as_str())
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| JobError::Fatal(format!("payload without a valid {key}")))
}

/// `domains.verify`: payload `{ "verification_id", "tenant_id" }`.
pub async fn verify(ctx: JobCtx, dns: DnsChecker, grace: Duration) -> Result<(), JobError> {
    let id = uuid_of(&ctx, "verification_id")?;
    let tenant = uuid_of(&ctx, "tenant_id")?;
    let mut tx = app::db::tenant_tx(&ctx.pool, tenant).await?;
    let target = db::target(&mut tx, id).await?;
    tx.commit().await.map_err(app::error::AppError::from)?;
    // Removed or replaced since the job was queued: nothing to check.
    let Some(target) = target else { return Ok(()) };
    // No transaction is held while DNS answers.
    let outcome = dns.check(&target).await;
    let mut tx = app::db::tenant_tx(&ctx.pool, tenant).await?;
    let transition = db::apply_check(&mut tx, &target, &outcome, grace).await?;
    tx.commit().await.map_err(app::error::AppError::from)?;
    match (transition, outcome) {
        // Records not there (yet): try again after the backoff. On the last attempt the job
        // ends quietly: the domain stays pending with its error for the owner to see (and
        // "Check now"), which is not an operator's dead letter.
        (Transition::Pending | Transition::Failing, Err(why)) if !ctx.last_attempt() => {
            Err(JobError::Retry(why))
        }
        _ => Ok(()),
    }
}

/// `domains.recheck`: queues the daily check of every verified domain that is due.
pub async fn recheck(ctx: JobCtx) -> Result<(), JobError> {
    let before = chrono::Utc::now() - RECHECK_EVERY;
    let due = system::domains_due_for_recheck(&ctx.pool, before, 1000).await?;
    for (id, tenant) in due {
        jobs::enqueue(&ctx.pool, db::verify_job(tenant, id)).await?;
    }
    Ok(())
}
