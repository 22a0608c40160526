//! Applying a parsed Stripe event: one transaction that claims the event id, resolves the
//! tenant, and changes `subscriptions`, `tenants.plan_id` and `audit_logs` under that
//! tenant's RLS context. Either all of it commits, or none of it (and the id stays unclaimed,
//! so Stripe's retry is processed normally).

use app::db::billing_stripe::{self as stripe_db, PricedPlan};
use app::db::{audit, system, Tx};
use app::error::AppError;
use sqlx::PgPool;
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

#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The price is not configured on any plan: refused so Stripe retries once it is.
    #[error("the Stripe price {0} is not configured on any plan")]
    UnknownPrice(String),
    #[error(transparent)]
    Db(#[from] AppError),
}

impl From<sqlx::Error> for ApplyError {
    fn from(e: sqlx::Error) -> Self {
        Self::Db(e.into())
    }
}

pub async fn process(pool: &PgPool, ev: &Event) -> Result<Outcome, ApplyError> {
    let mut tx: Tx = pool.begin().await?;
    if !system::stripe_event_claim(&mut tx, &ev.id, &ev.kind, ev.created).await? {
        tx.rollback().await?;
        return Ok(Outcome::Duplicate);
    }
    let (tenant, outcome) = match &ev.body {
        Body::Other => (None, Outcome::Ignored("ignored_type")),
        Body::Subscription(sub) => subscription(&mut tx, ev, sub).await?,
        Body::Invoice(inv) => invoice(&mut tx, ev, inv).await?,
        Body::ShopPayment(p) => shop_payment(&mut tx, p).await?,
        Body::CreditTopUp(t) => credit_top_up(&mut tx, t).await?,
        Body::ShopExpired(o) => shop_expired(&mut tx, o).await?,
        Body::ShopRefund(r) => shop_refund(&mut tx, r).await?,
        Body::ConnectAccount(a) => connect_account(&mut tx, ev, a).await?,
    };
    system::stripe_event_finish(&mut tx, &ev.id, tenant, outcome.as_str()).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// A shop order paid through Checkout: marked paid once, in the order's tenant (RLS), only
/// when the order carries this very session. A payment that arrives after the reservation ended
/// is recorded on the order for the team to settle.
async fn shop_payment(
    tx: &mut Tx,
    p: &super::event::ShopPayment,
) -> Result<(Option<Uuid>, Outcome), ApplyError> {
    if !p.paid {
        return Ok((None, Outcome::Ignored("payment_not_complete")));
    }
    // The metadata names the tenant; RLS then only shows that tenant's order, which must also
    // carry this session, so a wrong pair finds nothing.
    app::db::enter_tenant(tx, p.tenant).await?;
    use app::db::shop::Paid;
    let charged = p.charged.as_ref().map(|(a, c)| (*a, c.as_str()));
    let paid = app::db::shop::mark_paid(tx, (p.tenant, p.order), &p.session, &p.reference, charged)
        .await?;
    let outcome = match paid {
        Paid::Now => Outcome::Applied,
        Paid::Already => Outcome::Ignored("already_paid"),
        Paid::AfterRelease => Outcome::Ignored("paid_after_release"),
        Paid::AmountMismatch => Outcome::Ignored("amount_mismatch"),
        Paid::Unknown => return Ok((None, Outcome::Ignored("unknown_order"))),
    };
    Ok((Some(p.tenant), outcome))
}

/// A shop order's Checkout session expired unpaid: the order gives its stock back, once, when
/// it is still pending under this very session (a payment that won the race keeps it paid).
async fn shop_expired(
    tx: &mut Tx,
    o: &super::event::ShopOrderRef,
) -> Result<(Option<Uuid>, Outcome), ApplyError> {
    app::db::enter_tenant(tx, o.tenant).await?;
    let released =
        app::db::shop_payments::release_expired(tx, o.tenant, o.order, &o.session).await?;
    if !released {
        return Ok((None, Outcome::Ignored("not_pending")));
    }
    Ok((Some(o.tenant), Outcome::Applied))
}

/// A shop payment refunded at Stripe (also from its dashboard): mirrored onto the order, by
/// Stripe's running total, so our own refund's event and repeated events change nothing.
async fn shop_refund(
    tx: &mut Tx,
    r: &super::event::ShopRefund,
) -> Result<(Option<Uuid>, Outcome), ApplyError> {
    use app::db::shop_payments::Mirrored;
    app::db::enter_tenant(tx, r.tenant).await?;
    let done = app::db::shop_payments::mirror_refund(
        tx,
        r.tenant,
        r.order,
        &r.payment_intent,
        (r.amount_refunded, &r.charge),
    )
    .await?;
    Ok(match done {
        Mirrored::Now => (Some(r.tenant), Outcome::Applied),
        Mirrored::Already => (Some(r.tenant), Outcome::Ignored("already_refunded")),
        Mirrored::Unknown => (None, Outcome::Ignored("unknown_order")),
    })
}

/// A connected account changed: its state is stored on the tenant the account's metadata
/// names, only when that tenant has this very account, and only when newer than what is stored
/// (deliveries are unordered).
async fn connect_account(
    tx: &mut Tx,
    ev: &Event,
    a: &super::event::ConnectAccount,
) -> Result<(Option<Uuid>, Outcome), ApplyError> {
    let Some(tenant) = a.tenant else {
        return Ok((None, Outcome::Ignored("no_tenant")));
    };
    app::db::enter_tenant(tx, tenant).await?;
    let state = (a.charges_enabled, a.details_submitted);
    if !app::db::shop_payments::set_state(tx, tenant, &a.account, state, ev.created).await? {
        return Ok((None, Outcome::Ignored("stale_or_unknown_account")));
    }
    Ok((Some(tenant), Outcome::Applied))
}

/// A pack of AI credits paid through Checkout: a `top_up` ledger row once per session, in the
/// tenant the metadata names, and an audit row. A session that did not charge the pack's price
/// is recorded and adds nothing.
async fn credit_top_up(
    tx: &mut Tx,
    t: &super::event::CreditTopUp,
) -> Result<(Option<Uuid>, Outcome), ApplyError> {
    if !t.paid {
        return Ok((None, Outcome::Ignored("payment_not_complete")));
    }
    if !t.amount_matches {
        tracing::warn!(session = %t.session, tenant = %t.tenant, pack = t.pack.id, "credit top-up paid another amount than the pack's price");
        return Ok((None, Outcome::Ignored("amount_mismatch")));
    }
    app::db::enter_tenant(tx, t.tenant).await?;
    if !app::db::ai::tenant_visible(tx, t.tenant).await? {
        return Ok((None, Outcome::Ignored("unknown_tenant")));
    }
    let note = format!("{} credits bought", t.pack.credits);
    if !app::db::ai::top_up(tx, t.tenant, t.pack.credits, &note, Some(&t.session)).await? {
        return Ok((Some(t.tenant), Outcome::Ignored("already_applied")));
    }
    audit(
        tx,
        t.tenant,
        None,
        "ai.credits_bought",
        ("tenant", t.tenant),
        serde_json::json!({ "credits": t.pack.credits, "pack": t.pack.id, "session": t.session }),
    )
    .await?;
    Ok((Some(t.tenant), Outcome::Applied))
}

/// The tenant of a Stripe customer, then the rest of the transaction runs as that tenant.
async fn enter_tenant(
    tx: &mut Tx,
    customer: &str,
    hint: Option<Uuid>,
) -> Result<Option<Uuid>, ApplyError> {
    let tenant = system::billing_tenant_for_customer(tx, customer, hint).await?;
    if let Some(t) = tenant {
        app::db::enter_tenant(tx, t).await?;
    }
    Ok(tenant)
}

async fn plan_for_price(tx: &mut Tx, price: &str) -> Result<PricedPlan, ApplyError> {
    stripe_db::plan_for_price(tx, price)
        .await?
        .ok_or_else(|| ApplyError::UnknownPrice(price.to_string()))
}

async fn subscription(
    tx: &mut Tx,
    ev: &Event,
    sub: &Subscription,
) -> Result<(Option<Uuid>, Outcome), ApplyError> {
    let Some(tenant) = enter_tenant(tx, &sub.customer, sub.tenant_hint).await? else {
        return Ok((None, Outcome::Ignored("no_tenant")));
    };
    let Some(cur) = stripe_db::current_subscription(tx, ev.created).await? else {
        return Ok((Some(tenant), Outcome::Ignored("no_subscription")));
    };
    let deleted = ev.kind == SUBSCRIPTION_DELETED;
    let status = if deleted { "cancelled" } else { sub.status };
    // A new subscription (another id) does not revive the cancelled one; it replaces it.
    let same_sub = cur.stripe_subscription_id.as_deref() == Some(sub.id.as_str());
    if superseded(&cur, same_sub, status) {
        return Ok((Some(tenant), Outcome::Stale));
    }
    // Only `created` may replace the subscription we mirror; late news about an older one is
    // not ours to apply.
    if ev.kind != SUBSCRIPTION_CREATED
        && cur
            .stripe_subscription_id
            .as_deref()
            .is_some_and(|s| s != sub.id)
    {
        return Ok((Some(tenant), Outcome::Ignored("other_subscription")));
    }
    let priced = match &sub.price_id {
        Some(price) if !deleted => Some(plan_for_price(tx, price).await?),
        _ => None,
    };
    let cycle = priced
        .as_ref()
        .map_or("none", |p| p.cycle.as_str())
        .to_string();
    // Schema reference §6: active/trialing/past_due keep the paid features; anything else
    // falls back to free.
    let plan = match priced {
        Some(p) if matches!(status, "active" | "trialing" | "past_due") => p,
        _ => stripe_db::free_plan(tx).await?,
    };
    let cancelled_at = sub.canceled_at.or(deleted.then_some(ev.created));
    let mirror = stripe_db::SubscriptionMirror {
        stripe_subscription_id: &sub.id,
        customer: &sub.customer,
        price_id: sub.price_id.as_deref(),
        status,
        cycle: &cycle,
        period_start: sub.period_start,
        period_end: sub.period_end,
        trial_end: sub.trial_end,
        cancel_at_period_end: sub.cancel_at_period_end,
        cancelled_at,
        event_at: ev.created,
    };
    stripe_db::mirror_subscription(tx, cur.id, &mirror).await?;
    stripe_db::set_tenant_plan(tx, tenant, plan.id, &sub.customer).await?;
    // Archive websites over the new plan's limit; suspend or restore the tenant.
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
    let Some(tenant) = enter_tenant(tx, &inv.customer, None).await? else {
        return Ok((None, Outcome::Ignored("no_tenant")));
    };
    // The invoice history keeps every invoice, whatever it does to the subscription.
    if let Some(record) = &inv.record {
        app::db::invoices::upsert(tx, record).await?;
    }
    let Some(sub_id) = &inv.subscription else {
        return Ok((Some(tenant), Outcome::Ignored("no_subscription")));
    };
    let Some(cur) = stripe_db::current_subscription(tx, ev.created).await? else {
        return Ok((Some(tenant), Outcome::Ignored("no_subscription")));
    };
    // Schema reference §6: a failed payment is past_due (features kept while Stripe retries);
    // a paid one is active.
    let status = if ev.kind == INVOICE_PAYMENT_FAILED {
        "past_due"
    } else {
        "active"
    };
    let same_sub = cur.stripe_subscription_id.as_deref() == Some(sub_id.as_str());
    if superseded(&cur, same_sub, status) {
        return Ok((Some(tenant), Outcome::Stale));
    }
    if !same_sub {
        return Ok((Some(tenant), Outcome::Ignored("other_subscription")));
    }
    stripe_db::set_subscription_status(tx, cur.id, status, ev.created).await?;
    if status == "past_due" && cur.status != "past_due" {
        // The owner is told by email, once per failure streak (Stripe retries fail again).
        app::db::notify::enqueue_billing_notice(tx, tenant, "payment_failed").await?;
    }
    // A paid invoice lifts a suspension; the plan itself follows the subscription events.
    app::db::billing::sync_suspension(tx, tenant, status).await?;
    Ok((Some(tenant), Outcome::Applied))
}

/// Whether the mirrored state must stay: a later event was applied, or the subscription was
/// cancelled by an event of the same second and this one would bring it back. Stripe's
/// `created` has one-second resolution and deliveries are unordered; a cancellation is
/// terminal at Stripe, so it wins every tie whichever arrives first. Between live statuses a
/// tie goes to the later delivery (a payment that failed and then went through in the same
/// second ends active).
fn superseded(cur: &stripe_db::CurrentSubscription, same_sub: bool, incoming: &str) -> bool {
    cur.newer_applied || (same_sub && cur.same_second && revives(&cur.status, incoming))
}

/// Going from `stored` to `incoming` would bring a cancelled subscription back.
fn revives(stored: &str, incoming: &str) -> bool {
    stored == CANCELLED && incoming != CANCELLED
}

const CANCELLED: &str = "cancelled";

#[cfg(test)]
mod tie_tests {
    use super::revives;

    #[test]
    fn only_a_cancellation_is_kept_in_a_tie() {
        assert!(revives("cancelled", "active"));
        assert!(revives("cancelled", "past_due"));
        assert!(!revives("cancelled", "cancelled"));
        assert!(!revives("active", "cancelled"));
        assert!(!revives("active", "past_due"));
        assert!(!revives("past_due", "active"));
    }
}
