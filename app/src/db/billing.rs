//! Billing reads for the owner's billing page, the state test mode needs to build Stripe
//! events, and what a subscription webhook does to websites and the tenant's status once the
//! plan has changed (called by the webhook handler in the same transaction).
//!
//! `subscriptions` and `tenants.plan_id` are written by the webhook only; this module never
//! changes them.

use sqlx::FromRow;
use uuid::Uuid;

use super::{audit, Tx};
use crate::error::AppError;
use crate::model::{BillingOverview, BillingStatus, BillingWebsite, PlanCard, UsageMeter};

#[derive(FromRow)]
struct PlanRow {
    slug: String,
    name: String,
    description: Option<String>,
    badge_text: Option<String>,
    display_order: i32,
    price_monthly_cents: i32,
    price_yearly_cents: i32,
    max_websites: i32,
    max_pages_per_site: i32,
    storage_limit_mb: i32,
    ai_credits_per_month: i32,
    version_history_limit: i32,
    max_collaborators: i32,
    custom_domain_allowed: bool,
    collaboration_enabled: bool,
    analytics_enabled: bool,
    priority_support: bool,
}

impl From<PlanRow> for PlanCard {
    fn from(p: PlanRow) -> Self {
        PlanCard {
            custom_html: p.slug == "pro",
            slug: p.slug,
            name: p.name,
            description: p.description,
            badge: p.badge_text,
            display_order: p.display_order,
            price_monthly_cents: p.price_monthly_cents,
            price_yearly_cents: p.price_yearly_cents,
            max_websites: p.max_websites,
            max_pages_per_site: p.max_pages_per_site,
            storage_limit_mb: p.storage_limit_mb,
            ai_credits_per_month: p.ai_credits_per_month,
            version_history_limit: p.version_history_limit,
            max_collaborators: p.max_collaborators,
            custom_domain_allowed: p.custom_domain_allowed,
            collaboration_enabled: p.collaboration_enabled,
            analytics_enabled: p.analytics_enabled,
            priority_support: p.priority_support,
        }
    }
}

const PLAN_COLUMNS: &str = "slug, name, description, badge_text, display_order, price_monthly_cents, price_yearly_cents, \
    max_websites, max_pages_per_site, storage_limit_mb, ai_credits_per_month, version_history_limit, max_collaborators, \
    custom_domain_allowed, collaboration_enabled, analytics_enabled, priority_support";

/// The active plans, in display order.
pub async fn plans(tx: &mut Tx) -> Result<Vec<PlanCard>, AppError> {
    let sql = format!("SELECT {PLAN_COLUMNS} FROM plans WHERE is_active ORDER BY display_order");
    Ok(sqlx::query_as::<_, PlanRow>(&sql)
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(PlanCard::from)
        .collect())
}

#[derive(FromRow)]
struct SubRow {
    plan_slug: String,
    plan_name: String,
    status: String,
    billing_cycle: String,
    period_end: Option<String>,
    cancel_at_period_end: bool,
    tenant_status: String,
}

#[derive(FromRow)]
struct Usage {
    websites: i64,
    most_pages: i64,
    storage_mb: f64,
    ai_credits: i32,
}

/// Everything the billing page shows. RLS limits every query to the transaction's tenant.
pub async fn overview(
    tx: &mut Tx,
    tenant: Uuid,
    test_mode: bool,
) -> Result<BillingOverview, AppError> {
    let sub = sqlx::query_as::<_, SubRow>(
        r#"SELECT p.slug AS plan_slug, p.name AS plan_name, s.status, s.billing_cycle,
                  to_char(s.current_period_end AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS period_end,
                  s.cancel_at_period_end, t.status AS tenant_status
             FROM tenants t JOIN plans p ON p.id = t.plan_id
             JOIN subscriptions s ON s.tenant_id = t.id
            WHERE t.id = $1"#,
    )
    .bind(tenant)
    .fetch_one(&mut **tx)
    .await?;
    let usage = sqlx::query_as::<_, Usage>(
        r#"SELECT (SELECT count(*) FROM websites WHERE status <> 'archived' AND deleted_at IS NULL) AS websites,
                  (SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM pages p
                     JOIN websites w ON w.id = p.website_id WHERE w.status <> 'archived' AND w.deleted_at IS NULL
                     GROUP BY p.website_id) c) AS most_pages,
                  get_tenant_storage_mb($1)::float8 AS storage_mb,
                  get_monthly_ai_credits($1) AS ai_credits"#,
    )
    .bind(tenant)
    .fetch_one(&mut **tx)
    .await?;
    let collaborators = super::limits::collaborators_used(tx).await?;
    let plans = plans(tx).await?;
    let mine = plans
        .iter()
        .find(|p| p.slug == sub.plan_slug)
        .cloned()
        .ok_or(AppError::Internal)?;
    let meter = |label: &str, used: f64, max: i32, unit: &str| UsageMeter {
        label: label.into(),
        used,
        max: i64::from(max),
        unit: unit.into(),
    };
    let usage = vec![
        meter("Websites", usage.websites as f64, mine.max_websites, ""),
        meter(
            "Pages on your largest website",
            usage.most_pages as f64,
            mine.max_pages_per_site,
            "",
        ),
        meter(
            "Storage",
            (usage.storage_mb * 10.0).round() / 10.0,
            mine.storage_limit_mb,
            "MB",
        ),
        meter(
            "AI credits this month",
            f64::from(usage.ai_credits),
            mine.ai_credits_per_month,
            "",
        ),
        meter(
            "Team members (including pending invitations)",
            collaborators as f64,
            mine.max_collaborators,
            "",
        ),
    ];
    let websites = sqlx::query_as::<_, (Uuid, String, String, String)>(
        r#"SELECT id, name, status, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')
             FROM websites WHERE deleted_at IS NULL ORDER BY (status = 'archived'), updated_at DESC, id"#,
    )
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(|(id, name, status, updated_at)| BillingWebsite {
        id,
        name,
        status,
        updated_at,
    })
    .collect();
    Ok(BillingOverview {
        plan_slug: sub.plan_slug,
        plan_name: sub.plan_name,
        status: sub.status,
        billing_cycle: sub.billing_cycle,
        period_end: sub.period_end,
        cancel_at_period_end: sub.cancel_at_period_end,
        tenant_status: sub.tenant_status,
        test_mode,
        stripe_enabled: false,
        usage,
        plans,
        websites,
    })
}

/// Subscription status and plan name, for the banner every member sees.
pub async fn status(tx: &mut Tx, tenant: Uuid) -> Result<BillingStatus, AppError> {
    let (status, plan_name): (String, String) = sqlx::query_as(
        r#"SELECT s.status, p.name FROM tenants t JOIN plans p ON p.id = t.plan_id
             JOIN subscriptions s ON s.tenant_id = t.id WHERE t.id = $1"#,
    )
    .bind(tenant)
    .fetch_one(&mut **tx)
    .await?;
    Ok(BillingStatus {
        status,
        plan_name,
        can_manage_billing: false,
    })
}

/// What test mode needs to build the next Stripe event for this tenant.
#[derive(Debug, FromRow)]
pub struct StripeState {
    pub customer: String,
    pub subscription: Option<String>,
    pub status: String,
    pub price: Option<String>,
}

/// A test-mode plan the owner picked: its price id for the cycle (`None` for a free plan) and
/// how many websites it allows.
#[derive(Debug, FromRow)]
pub struct Target {
    pub price: Option<String>,
    pub max_websites: i32,
}

pub async fn target(tx: &mut Tx, slug: &str, cycle: &str) -> Result<Target, AppError> {
    let row = sqlx::query_as::<_, Target>(
        r#"SELECT CASE WHEN price_monthly_cents = 0 AND price_yearly_cents = 0 THEN NULL
                       WHEN $2 = 'yearly' THEN stripe_yearly_price_id ELSE stripe_monthly_price_id END AS price,
                  max_websites
             FROM plans WHERE slug = $1 AND is_active"#,
    )
    .bind(slug)
    .bind(cycle)
    .fetch_optional(&mut **tx)
    .await?;
    row.ok_or_else(|| AppError::invalid("plan", "Choose one of the plans shown."))
}

/// Records the tenant's Stripe customer id (test mode: `cus_test_<tenant>`, schema reference §4) if it
/// has none yet, and returns the state the next event is built from.
pub async fn stripe_state(
    tx: &mut Tx,
    tenant: Uuid,
    test_customer: &str,
) -> Result<StripeState, AppError> {
    sqlx::query(
        "UPDATE tenants SET stripe_customer_id = $2 WHERE id = $1 AND stripe_customer_id IS NULL",
    )
    .bind(tenant)
    .bind(test_customer)
    .execute(&mut **tx)
    .await?;
    Ok(sqlx::query_as::<_, StripeState>(
        r#"SELECT t.stripe_customer_id AS customer, s.stripe_subscription_id AS subscription, s.status,
                  s.stripe_price_id AS price
             FROM tenants t JOIN subscriptions s ON s.tenant_id = t.id WHERE t.id = $1"#,
    )
    .bind(tenant)
    .fetch_one(&mut **tx)
    .await?)
}

/// Stores which websites to keep if the coming plan change lowers `max_websites`. Every id
/// must be one of the tenant's non-archived websites (RLS hides other tenants' ones).
pub async fn choose_websites_to_keep(
    tx: &mut Tx,
    tenant: Uuid,
    keep: &[Uuid],
    max: i32,
) -> Result<(), AppError> {
    if keep.len() > max.max(0) as usize {
        return Err(AppError::invalid(
            "keep",
            format!("Choose at most {max} website(s) to keep on this plan."),
        ));
    }
    let found: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM websites WHERE id = ANY($1) AND status <> 'archived' AND deleted_at IS NULL",
    )
    .bind(keep)
    .fetch_one(&mut **tx)
    .await?;
    if found != keep.len() as i64 {
        return Err(AppError::invalid(
            "keep",
            "Choose only among your active websites.",
        ));
    }
    sqlx::query("UPDATE tenants SET billing_keep_website_ids = $2 WHERE id = $1")
        .bind(tenant)
        .bind(keep)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// After a subscription webhook changed the plan: websites over the plan's `max_websites` are
/// archived (never deleted), keeping the owner's choice first, then the most recently
/// updated; and the tenant is suspended while the subscription is unpaid or paused, and
/// restored when it is paid again. Archived websites stay archived (the owner restores them).
pub async fn after_subscription_change(
    tx: &mut Tx,
    tenant: Uuid,
    sub_status: &str,
) -> Result<(), AppError> {
    if sync_suspension(tx, tenant, sub_status).await? {
        // Nothing is archived while access is merely withheld: paying again restores it all.
        return Ok(());
    }
    let archived: Vec<(Uuid, String)> = sqlx::query_as(
        r#"WITH ranked AS (
               SELECT w.id, row_number() OVER (
                          ORDER BY (w.id = ANY(t.billing_keep_website_ids)) DESC, w.updated_at DESC, w.id) AS n,
                      p.max_websites
                 FROM websites w JOIN tenants t ON t.id = w.tenant_id JOIN plans p ON p.id = t.plan_id
                WHERE w.status <> 'archived' AND w.deleted_at IS NULL AND t.id = $1
           )
           UPDATE websites w SET status = 'archived'
             FROM ranked r WHERE r.id = w.id AND r.n > r.max_websites
           RETURNING w.id, w.name"#,
    )
    .bind(tenant)
    .fetch_all(&mut **tx)
    .await?;
    for (id, name) in &archived {
        let meta = serde_json::json!({ "name": name, "reason": "plan_limit" });
        audit(tx, tenant, None, "website.archived", ("website", *id), meta).await?;
    }
    if archived.is_empty() {
        // The choice waits for the downgrade it was made for (e.g. the end of a cancelled period).
        return Ok(());
    }
    sqlx::query("UPDATE tenants SET billing_keep_website_ids = '{}' WHERE id = $1")
        .bind(tenant)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Suspends the tenant while the subscription is unpaid or paused and lifts the suspension
/// otherwise (offboarded and pending tenants are left alone). Returns whether it is suspended.
pub async fn sync_suspension(
    tx: &mut Tx,
    tenant: Uuid,
    sub_status: &str,
) -> Result<bool, AppError> {
    let suspend = matches!(sub_status, "unpaid" | "paused");
    let tenant_status = if suspend { "suspended" } else { "active" };
    // A staff suspension (operator console, migration 0049) outlasts billing's own: paying
    // does not lift it.
    let changed = sqlx::query("UPDATE tenants SET status = $2 WHERE id = $1 AND status IN ('active', 'suspended') AND status <> $2 AND ($2 = 'suspended' OR staff_suspended_at IS NULL)")
        .bind(tenant)
        .bind(tenant_status)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if suspend && changed == 1 {
        // Newly suspended: the owner is told by email (commits with the suspension).
        super::notify::enqueue_billing_notice(tx, tenant, "suspended").await?;
    }
    Ok(suspend)
}
