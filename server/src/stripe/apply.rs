//! Applying a parsed Stripe event: one transaction that claims the event id, resolves the
//! tenant, and changes `subscriptions`, `tenants.plan_id` and `audit_logs` under that
//! tenant's RLS context. Either all of it commits, or none of it (and the id stays unclaimed,
//! so Stripe's retry is processed normally).

use app::db::{audit, Tx};
use sqlx::{FromRow, PgPool};
use uuid::Uuid;

use super::event::{
    Body, Event, Invoice, Subscription, INVOICE_PAYMENT_FAILED, SUBSCRIPTION_CREATED,
    SUBSCRIPTION_DELETED,
};

#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Applied,
    /// The event id was already recorded; nothing was done.
    Duplicate,
    /// Older than the last event applied to this subscription; recorded, not applied.
    Stale,
    /// Recorded without side effects, for the reason given.
    Ignored(&'static str),
}

impl Outcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Duplicate => "duplicate",
            Self::Stale => "stale",
            Self::Ignored(why) => why,
        }
    }
}

#[derive(Debug)]
pub enum ApplyError {
    /// The price is not configured on any plan: refused so Stripe retries once it is.
    UnknownPrice(String),
    Db(String),
}

impl From<sqlx::Error> for ApplyError {
    fn from(e: sqlx::Error) -> Self {
        Self::Db(e.to_string())
    }
}

impl From<app::error::AppError> for ApplyError {
    fn from(e: app::error::AppError) -> Self {
        Self::Db(e.to_string())
    }
}

pub async fn process(pool: &PgPool, ev: &Event) -> Result<Outcome, ApplyError> {
    let mut tx: Tx = pool.begin().await?;
    let fresh: bool = sqlx::query_scalar("SELECT stripe_event_claim($1, $2, to_timestamp($3))")
        .bind(&ev.id)
        .bind(&ev.kind)
        .bind(ev.created as f64)
        .fetch_one(&mut *tx)
        .await?;
    if !fresh {
        tx.rollback().await?;
        return Ok(Outcome::Duplicate);
    }
    let (tenant, outcome) = match &ev.body {
        Body::Other => (None, Outcome::Ignored("ignored_type")),
        Body::Subscription(sub) => subscription(&mut tx, ev, sub).await?,
        Body::Invoice(inv) => invoice(&mut tx, ev, inv).await?,
    };
    sqlx::query("SELECT stripe_event_finish($1, $2, $3)")
        .bind(&ev.id)
        .bind(tenant)
        .bind(outcome.as_str())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(outcome)
}

/// The tenant of a Stripe customer, then the rest of the transaction runs as that tenant.
async fn enter_tenant(
    tx: &mut Tx,
    customer: &str,
    hint: Option<Uuid>,
) -> Result<Option<Uuid>, ApplyError> {
    let tenant: Option<Uuid> = sqlx::query_scalar("SELECT billing_tenant_for_customer($1, $2)")
        .bind(customer)
        .bind(hint)
        .fetch_one(&mut **tx)
        .await?;
    if let Some(t) = tenant {
        sqlx::query("SELECT set_config('app.current_tenant_id', $1, true)")
            .bind(t.to_string())
            .execute(&mut **tx)
            .await?;
    }
    Ok(tenant)
}

#[derive(FromRow)]
struct Current {
    id: Uuid,
    stripe_subscription_id: Option<String>,
    /// A later event was already applied.
    newer_applied: bool,
    plan_id: Uuid,
    plan_slug: String,
    plan_order: i32,
}

/// The tenant's subscription row, locked so concurrent events for it apply one at a time.
async fn current(tx: &mut Tx, created: i64) -> Result<Option<Current>, ApplyError> {
    Ok(sqlx::query_as::<_, Current>(
        r#"SELECT s.id, s.stripe_subscription_id,
                  coalesce(s.stripe_event_at > to_timestamp($1), false) AS newer_applied,
                  p.id AS plan_id, p.slug AS plan_slug, p.display_order AS plan_order
             FROM subscriptions s
             JOIN tenants t ON t.id = s.tenant_id
             JOIN plans p ON p.id = t.plan_id
            FOR UPDATE OF s, t"#,
    )
    .bind(created as f64)
    .fetch_optional(&mut **tx)
    .await?)
}

#[derive(FromRow)]
struct Plan {
    id: Uuid,
    slug: String,
    display_order: i32,
    cycle: String,
}

async fn plan_for_price(tx: &mut Tx, price: &str) -> Result<Plan, ApplyError> {
    let plan = sqlx::query_as::<_, Plan>(
        r#"SELECT id, slug, display_order,
                  CASE WHEN stripe_yearly_price_id = $1 THEN 'yearly' ELSE 'monthly' END AS cycle
             FROM plans WHERE stripe_monthly_price_id = $1 OR stripe_yearly_price_id = $1"#,
    )
    .bind(price)
    .fetch_optional(&mut **tx)
    .await?;
    plan.ok_or_else(|| ApplyError::UnknownPrice(price.to_string()))
}

/// The plan a tenant without a paid subscription is on: the cheapest, first-listed free one.
async fn free_plan(tx: &mut Tx) -> Result<Plan, ApplyError> {
    Ok(sqlx::query_as::<_, Plan>(
        r#"SELECT id, slug, display_order, 'none' AS cycle FROM plans
            WHERE price_monthly_cents = 0 AND price_yearly_cents = 0
            ORDER BY display_order LIMIT 1"#,
    )
    .fetch_one(&mut **tx)
    .await?)
}

async fn subscription(
    tx: &mut Tx,
    ev: &Event,
    sub: &Subscription,
) -> Result<(Option<Uuid>, Outcome), ApplyError> {
    let Some(tenant) = enter_tenant(tx, &sub.customer, sub.tenant_hint).await? else {
        return Ok((None, Outcome::Ignored("no_tenant")));
    };
    let Some(cur) = current(tx, ev.created).await? else {
        return Ok((Some(tenant), Outcome::Ignored("no_subscription")));
    };
    if cur.newer_applied {
        return Ok((Some(tenant), Outcome::Stale));
    }
    // Only `created` may replace the subscription we mirror; late news about an older one is not ours to apply.
    if ev.kind != SUBSCRIPTION_CREATED
        && cur
            .stripe_subscription_id
            .as_deref()
            .is_some_and(|s| s != sub.id)
    {
        return Ok((Some(tenant), Outcome::Ignored("other_subscription")));
    }
    let deleted = ev.kind == SUBSCRIPTION_DELETED;
    let priced = match &sub.price_id {
        Some(price) if !deleted => Some(plan_for_price(tx, price).await?),
        _ => None,
    };
    let status = if deleted { "cancelled" } else { sub.status };
    let cycle = priced
        .as_ref()
        .map_or("none", |p| p.cycle.as_str())
        .to_string();
    // Seed §6: active/trialing/past_due keep the paid features; anything else falls back to free.
    let plan = match priced {
        Some(p) if matches!(status, "active" | "trialing" | "past_due") => p,
        _ => free_plan(tx).await?,
    };
    let cancelled_at = sub.canceled_at.or(deleted.then_some(ev.created));
    sqlx::query(
        r#"UPDATE subscriptions
              SET stripe_subscription_id = $2, stripe_customer_id = $3, stripe_price_id = $4,
                  status = $5, billing_cycle = $6,
                  current_period_start = to_timestamp($7), current_period_end = to_timestamp($8),
                  trial_end = to_timestamp($9), cancel_at_period_end = $10,
                  cancelled_at = to_timestamp($11), stripe_event_at = to_timestamp($12)
            WHERE id = $1"#,
    )
    .bind(cur.id)
    .bind(&sub.id)
    .bind(&sub.customer)
    .bind(&sub.price_id)
    .bind(status)
    .bind(&cycle)
    .bind(sub.period_start.map(|t| t as f64))
    .bind(sub.period_end.map(|t| t as f64))
    .bind(sub.trial_end.map(|t| t as f64))
    .bind(sub.cancel_at_period_end)
    .bind(cancelled_at.map(|t| t as f64))
    .bind(ev.created as f64)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE tenants SET plan_id = $2, stripe_customer_id = $3 WHERE id = $1")
        .bind(tenant)
        .bind(plan.id)
        .bind(&sub.customer)
        .execute(&mut **tx)
        .await?;
    // Archive websites over the new plan's limit; suspend or restore the tenant (issue 5).
    app::db::billing::after_subscription_change(tx, tenant, status).await?;
    if plan.id != cur.plan_id {
        let action = if plan.display_order > cur.plan_order {
            "billing.plan_upgraded"
        } else {
            "billing.plan_downgraded"
        };
        let meta = serde_json::json!({
            "from": cur.plan_slug, "to": plan.slug, "billing_cycle": cycle,
            "stripe_event_id": ev.id, "stripe_subscription_id": sub.id,
        });
        audit(tx, tenant, None, action, ("subscription", cur.id), meta).await?;
    }
    Ok((Some(tenant), Outcome::Applied))
}

async fn invoice(
    tx: &mut Tx,
    ev: &Event,
    inv: &Invoice,
) -> Result<(Option<Uuid>, Outcome), ApplyError> {
    let Some(sub_id) = &inv.subscription else {
        return Ok((None, Outcome::Ignored("no_subscription")));
    };
    let Some(tenant) = enter_tenant(tx, &inv.customer, None).await? else {
        return Ok((None, Outcome::Ignored("no_tenant")));
    };
    let Some(cur) = current(tx, ev.created).await? else {
        return Ok((Some(tenant), Outcome::Ignored("no_subscription")));
    };
    if cur.newer_applied {
        return Ok((Some(tenant), Outcome::Stale));
    }
    if cur.stripe_subscription_id.as_deref() != Some(sub_id.as_str()) {
        return Ok((Some(tenant), Outcome::Ignored("other_subscription")));
    }
    // Seed §6: a failed payment is past_due (features kept while Stripe retries); a paid one is active.
    let status = if ev.kind == INVOICE_PAYMENT_FAILED {
        "past_due"
    } else {
        "active"
    };
    sqlx::query(
        "UPDATE subscriptions SET status = $2, stripe_event_at = to_timestamp($3) WHERE id = $1",
    )
    .bind(cur.id)
    .bind(status)
    .bind(ev.created as f64)
    .execute(&mut **tx)
    .await?;
    // A paid invoice lifts a suspension (issue 5); the plan itself follows the subscription events.
    app::db::billing::sync_suspension(tx, tenant, status).await?;
    Ok((Some(tenant), Outcome::Applied))
}
