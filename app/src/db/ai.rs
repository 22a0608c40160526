//! The AI credit ledger and usage log (migration 0035, issue 19). Every function runs in the
//! caller's tenant transaction. `now` is passed in, so tests move the clock across a billing
//! period instead of waiting.
//!
//! An action first [`reserve`]s its credits: the tenant row is locked, the period's monthly
//! grant is added if it is missing, the balance (the sum of the ledger) is checked and the
//! `usage` row written, all in one transaction. That transaction commits before the model is
//! called, so a slow model never holds the lock. Afterwards [`succeeded`] logs the call, or
//! [`failed`] refunds the reservation and logs why.

use chrono::{DateTime, Datelike, Months, Utc};
use uuid::Uuid;

use super::Tx;
use crate::error::AppError;
use crate::model::{AiAction, AiActionUse, AiDay};

/// The start of the billing period that contains `now`: the subscription's current period when
/// it has one covering `now`, otherwise monthly periods anchored on the day the tenant signed
/// up (a tenant created on the 31st renews on the last day of shorter months).
pub fn period_start(
    anchor: DateTime<Utc>,
    subscription: Option<(DateTime<Utc>, DateTime<Utc>)>,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    if let Some((start, end)) = subscription {
        if start <= now && now < end {
            return start;
        }
    }
    if now <= anchor {
        return anchor;
    }
    let months = (now.year() - anchor.year()) * 12 + now.month() as i32 - anchor.month() as i32;
    let at = |m: i32| anchor.checked_add_months(Months::new(m.max(0) as u32));
    match at(months) {
        Some(start) if start <= now => start,
        _ => at(months - 1).unwrap_or(anchor),
    }
}

/// The tenant's current period start and the plan's monthly credits.
async fn period(
    tx: &mut Tx,
    tenant: Uuid,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, i64), AppError> {
    let (anchor, per_month): (DateTime<Utc>, i32) = sqlx::query_as(
        "SELECT t.created_at, p.ai_credits_per_month FROM tenants t JOIN plans p ON p.id = t.plan_id WHERE t.id = $1",
    )
    .bind(tenant)
    .fetch_one(&mut **tx)
    .await?;
    let sub: Option<(DateTime<Utc>, DateTime<Utc>)> = sqlx::query_as(
        "SELECT current_period_start, current_period_end FROM subscriptions
          WHERE tenant_id = $1 AND status IN ('active', 'trialing', 'past_due')
            AND current_period_start IS NOT NULL AND current_period_end IS NOT NULL",
    )
    .bind(tenant)
    .fetch_optional(&mut **tx)
    .await?;
    Ok((period_start(anchor, sub, now), i64::from(per_month)))
}

/// Adds the period's monthly grant unless it is there (the unique index keeps it to one even
/// when two instances race). Returns the plan's monthly credits.
async fn ensure_grant(tx: &mut Tx, tenant: Uuid, now: DateTime<Utc>) -> Result<i64, AppError> {
    let (start, per_month) = period(tx, tenant, now).await?;
    if per_month > 0 {
        sqlx::query(
            "INSERT INTO credit_transactions (tenant_id, kind, amount, period_start, note, created_at)
             VALUES ($1, 'monthly_grant', $2, $3, 'Monthly AI credits of the plan', $4)
             ON CONFLICT (tenant_id, period_start) WHERE kind = 'monthly_grant' DO NOTHING",
        )
        .bind(tenant)
        .bind(per_month as i32)
        .bind(start)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(per_month)
}

async fn sum(tx: &mut Tx) -> Result<i64, AppError> {
    Ok(
        sqlx::query_scalar("SELECT COALESCE(SUM(amount), 0)::bigint FROM credit_transactions")
            .fetch_one(&mut **tx)
            .await?,
    )
}

/// Credits left and the plan's monthly credits (granting this period's credits if due).
pub async fn balance(
    tx: &mut Tx,
    tenant: Uuid,
    now: DateTime<Utc>,
) -> Result<(i64, i64), AppError> {
    let per_month = ensure_grant(tx, tenant, now).await?;
    Ok((sum(tx).await?, per_month))
}

/// A reservation: the `usage` row to refund if the action fails, and the credits left after it.
#[derive(Debug, Clone, Copy)]
pub struct Reservation {
    pub usage_id: Uuid,
    pub credits_left: i64,
    pub cost: i32,
}

/// Takes `action`'s credits, or refuses with `LimitReached` (402, naming the plan that grants
/// more) when the balance is short. Serialised per tenant by the tenant row's lock.
pub async fn reserve(
    tx: &mut Tx,
    tenant: Uuid,
    user: Uuid,
    action: AiAction,
    now: DateTime<Utc>,
) -> Result<Reservation, AppError> {
    sqlx::query("SELECT 1 FROM tenants WHERE id = $1 FOR UPDATE")
        .bind(tenant)
        .execute(&mut **tx)
        .await?;
    let per_month = ensure_grant(tx, tenant, now).await?;
    let left = sum(tx).await?;
    let cost = action.credits();
    if left < i64::from(cost) {
        let next: Option<String> = sqlx::query_scalar(
            "SELECT name FROM plans WHERE is_active AND ai_credits_per_month > $1
              ORDER BY display_order, ai_credits_per_month LIMIT 1",
        )
        .bind(per_month as i32)
        .fetch_optional(&mut **tx)
        .await?;
        return Err(AppError::LimitReached {
            what: format!("AI credits a month; {left} left, and this needs {cost}"),
            max: per_month,
            limit: "ai_credits_per_month".into(),
            upgrade_to: next,
        });
    }
    let usage_id: Uuid = sqlx::query_scalar(
        "INSERT INTO credit_transactions (tenant_id, kind, amount, action, user_id, created_at)
         VALUES ($1, 'usage', $2, $3, $4, $5) RETURNING id",
    )
    .bind(tenant)
    .bind(-cost)
    .bind(action.as_str())
    .bind(user)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(Reservation {
        usage_id,
        credits_left: left - i64::from(cost),
        cost,
    })
}

/// What one model call reported, for the usage log.
#[derive(Debug, Clone, Default)]
pub struct CallLog<'a> {
    pub action: Option<AiAction>,
    pub user: Option<Uuid>,
    pub website: Option<Uuid>,
    pub page: Option<Uuid>,
    pub model: &'a str,
    pub prompt_tokens: i32,
    pub completion_tokens: i32,
    pub cost_usd: f64,
}

async fn log(
    tx: &mut Tx,
    tenant: Uuid,
    call: &CallLog<'_>,
    credits: i32,
    status: &str,
    error: Option<&str>,
) -> Result<(), AppError> {
    let action = call
        .action
        .map(AiAction::as_str)
        .ok_or(AppError::Internal)?;
    sqlx::query(
        "INSERT INTO ai_usage_log (tenant_id, user_id, action_type, website_id, page_id, prompt_tokens,
                                   completion_tokens, estimated_cost_usd, status, error_message, model, credits)
         VALUES ($1, $2, $3, $4, $5, $6, $7, round($8::numeric, 6), $9, $10, $11, $12)",
    )
    .bind(tenant)
    .bind(call.user)
    .bind(action)
    .bind(call.website)
    .bind(call.page)
    .bind(call.prompt_tokens)
    .bind(call.completion_tokens)
    .bind(call.cost_usd)
    .bind(status)
    .bind(error.map(|e| e.chars().take(500).collect::<String>()))
    .bind(call.model.chars().take(100).collect::<String>())
    .bind(credits)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Logs a successful call; its credits stay spent.
pub async fn succeeded(
    tx: &mut Tx,
    tenant: Uuid,
    r: &Reservation,
    call: &CallLog<'_>,
) -> Result<(), AppError> {
    log(tx, tenant, call, r.cost, "success", None).await
}

/// Refunds the reservation (once: a second refund of the same usage row is a no-op) and logs
/// the failure; `rate_limited` when the provider said so.
pub async fn failed(
    tx: &mut Tx,
    tenant: Uuid,
    r: &Reservation,
    call: &CallLog<'_>,
    rate_limited: bool,
    error: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO credit_transactions (tenant_id, kind, amount, action, user_id, usage_id, note)
         VALUES ($1, 'refund', $2, $3, $4, $5, 'The AI action failed; its credits were returned')
         ON CONFLICT (usage_id) WHERE kind = 'refund' DO NOTHING",
    )
    .bind(tenant)
    .bind(r.cost)
    .bind(call.action.map(AiAction::as_str))
    .bind(call.user)
    .bind(r.usage_id)
    .execute(&mut **tx)
    .await?;
    let status = if rate_limited {
        "rate_limited"
    } else {
        "failed"
    };
    log(tx, tenant, call, 0, status, Some(error)).await
}

/// Whether `tenant` exists (and is the transaction's tenant, under RLS): a signed payment may
/// name a tenant deleted since its checkout.
pub async fn tenant_visible(tx: &mut Tx, tenant: Uuid) -> Result<bool, AppError> {
    Ok(
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM tenants WHERE id = $1)")
            .bind(tenant)
            .fetch_one(&mut **tx)
            .await?,
    )
}

/// Adds bought credits (a Stripe top-up, or the local billing test mode). With a `reference`
/// (the Checkout session that paid) the credits are added at most once per reference: `false`
/// when that payment was already counted.
pub async fn top_up(
    tx: &mut Tx,
    tenant: Uuid,
    amount: i32,
    note: &str,
    reference: Option<&str>,
) -> Result<bool, AppError> {
    if amount <= 0 {
        return Err(AppError::invalid(
            "amount",
            "A top-up adds at least one credit.",
        ));
    }
    let added = sqlx::query(
        "INSERT INTO credit_transactions (tenant_id, kind, amount, note, reference)
         VALUES ($1, 'top_up', $2, $3, $4)
         ON CONFLICT (tenant_id, reference) WHERE kind = 'top_up' DO NOTHING",
    )
    .bind(tenant)
    .bind(amount)
    .bind(note)
    .bind(reference)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(added == 1)
}

/// Calls per action over the last 30 days (credits net of refunds), most used first.
pub async fn use_by_action(tx: &mut Tx, now: DateTime<Utc>) -> Result<Vec<AiActionUse>, AppError> {
    let rows: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT action_type, count(*) FILTER (WHERE status = 'success'),
                count(*) FILTER (WHERE status <> 'success'), COALESCE(SUM(credits), 0)::bigint
           FROM ai_usage_log WHERE created_at > $1 - interval '30 days'
          GROUP BY action_type ORDER BY 4 DESC, 1",
    )
    .bind(now)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(action, calls, failed, credits)| AiActionUse {
            label: AiAction::parse(&action)
                .map(AiAction::label)
                .unwrap_or("Other")
                .into(),
            action,
            calls,
            failed,
            credits,
        })
        .collect())
}

/// The last 30 days, one row per UTC day with any call, oldest first.
pub async fn use_by_day(tx: &mut Tx, now: DateTime<Utc>) -> Result<Vec<AiDay>, AppError> {
    let rows: Vec<(String, i64, i64, f64)> = sqlx::query_as(
        "SELECT to_char(date_trunc('day', created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD'), count(*),
                COALESCE(SUM(credits), 0)::bigint, COALESCE(SUM(estimated_cost_usd), 0)::float8
           FROM ai_usage_log WHERE created_at > $1 - interval '30 days'
          GROUP BY 1 ORDER BY 1",
    )
    .bind(now)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(day, calls, credits, cost_usd)| AiDay {
            day,
            calls,
            credits,
            cost_usd,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::period_start;
    use chrono::{TimeZone, Utc};

    #[test]
    fn periods_are_monthly_from_sign_up_or_the_subscription() {
        let at = |y, m, d| Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap();
        let anchor = at(2026, 1, 31);
        assert_eq!(period_start(anchor, None, at(2026, 1, 31)), anchor);
        // February has no 31st: the period starts on its last day.
        assert_eq!(period_start(anchor, None, at(2026, 2, 27)), anchor);
        assert_eq!(period_start(anchor, None, at(2026, 2, 28)), at(2026, 2, 28));
        assert_eq!(period_start(anchor, None, at(2026, 3, 30)), at(2026, 2, 28));
        assert_eq!(period_start(anchor, None, at(2026, 3, 31)), at(2026, 3, 31));
        assert_eq!(period_start(anchor, None, at(2027, 1, 31)), at(2027, 1, 31));
        // A paid subscription's period wins while it covers now.
        let sub = Some((at(2026, 3, 10), at(2026, 4, 10)));
        assert_eq!(period_start(anchor, sub, at(2026, 3, 20)), at(2026, 3, 10));
        assert_eq!(period_start(anchor, sub, at(2026, 4, 20)), at(2026, 3, 31));
    }
}
