//! The `websites.lifecycle` job (issue 23 part 1, migration 0032), hourly: purges websites
//! deleted 30 days ago and releases old subdomains whose 30-day redirect is over. The work
//! list is one cross-tenant SECURITY DEFINER call (ids only); each purge or release runs in
//! its tenant's own transaction under RLS and is audited there. The time is a parameter of
//! [`sweep`], so tests move the clock instead of waiting.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use crate::jobs::{JobCtx, JobError};

pub const JOB: &str = "websites.lifecycle";

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub purged: usize,
    pub released: usize,
    pub failed: usize,
}

/// Does the lifecycle work due at `now`, for `tenant` only when given (tests), else for all.
pub async fn sweep(pool: &PgPool, now: DateTime<Utc>, tenant: Option<Uuid>) -> Swept {
    let mut out = Swept::default();
    let due = match app::db::system::website_lifecycle_due(pool, now, tenant, 200).await {
        Ok(due) => due,
        Err(e) => {
            tracing::warn!(error = %e, "website lifecycle: listing due work failed");
            out.failed += 1;
            return out;
        }
    };
    for item in due {
        let result = async {
            let mut tx = app::db::tenant_tx(pool, item.tenant_id).await?;
            let done = match (item.action.as_str(), item.subdomain.as_deref()) {
                ("purge", _) => {
                    app::db::website_lifecycle::purge(&mut tx, item.tenant_id, item.website_id, now)
                        .await?
                }
                ("release", Some(sub)) => {
                    app::db::website_lifecycle::release_subdomain(&mut tx, item.tenant_id, sub, now)
                        .await?
                }
                _ => false,
            };
            tx.commit().await?;
            Ok::<_, app::error::AppError>(done)
        }
        .await;
        match (result, item.action.as_str()) {
            (Ok(true), "purge") => out.purged += 1,
            (Ok(true), _) => out.released += 1,
            (Ok(false), _) => {}
            (Err(e), _) => {
                out.failed += 1;
                tracing::warn!(website = %item.website_id, action = %item.action, error = %e, "website lifecycle step failed");
            }
        }
    }
    out
}

/// The job handler: [`sweep`] at the current time; retried when a step failed.
pub async fn job(ctx: JobCtx) -> Result<(), JobError> {
    let s = sweep(&ctx.pool, Utc::now(), None).await;
    tracing::debug!(
        purged = s.purged,
        released = s.released,
        failed = s.failed,
        "website lifecycle"
    );
    if s.failed > 0 {
        return Err(JobError::Retry(format!(
            "{} website lifecycle step(s) failed",
            s.failed
        )));
    }
    Ok(())
}
