//! The `shop.reservations` job (issue 22 part 3), every minute: gives back the stock of shop
//! orders still unpaid when their reservation ends. The work list is one cross-tenant
//! SECURITY DEFINER call (ids only, migration 0042); each release runs in its tenant's own
//! transaction under RLS (`app::db::shop::release`), which re-checks the order under a row
//! lock, so two instances never release one order twice and a payment that commits first wins.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use crate::jobs::{JobCtx, JobError};

pub const JOB: &str = "shop.reservations";

/// Releases the reservations ended by `now` (a parameter: tests move the clock), for `tenant`
/// only when given; answers (released, failed).
pub async fn sweep(pool: &PgPool, now: DateTime<Utc>, tenant: Option<Uuid>) -> (usize, usize) {
    let due = match app::db::system::shop_reservations_due(pool, now, tenant, 500).await {
        Ok(due) => due,
        Err(e) => {
            tracing::warn!(error = %e, "shop reservations: listing due orders failed");
            return (0, 1);
        }
    };
    let (mut released, mut failed) = (0, 0);
    for (tenant_id, order_id) in due {
        let done = async {
            let mut tx = app::db::tenant_tx(pool, tenant_id).await?;
            let done = app::db::shop::release(&mut tx, tenant_id, order_id, now, false).await?;
            tx.commit().await?;
            Ok::<_, app::error::AppError>(done)
        }
        .await;
        match done {
            Ok(true) => released += 1,
            Ok(false) => {}
            Err(e) => {
                failed += 1;
                tracing::warn!(order = %order_id, error = %e, "releasing a shop reservation failed");
            }
        }
    }
    (released, failed)
}

/// The job handler: [`sweep`] now; retried when a release failed.
pub async fn job(ctx: JobCtx) -> Result<(), JobError> {
    let (released, failed) = sweep(&ctx.pool, Utc::now(), None).await;
    tracing::debug!(released, failed, "shop reservations");
    if failed > 0 {
        return Err(JobError::Retry(format!(
            "{failed} shop reservation release(s) failed"
        )));
    }
    Ok(())
}
