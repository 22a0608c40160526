//! Discount codes (issue 22 part 5, tables of migration 0036): the team's list and changes,
//! the rule of a code as the cart and checkout read it, and the record of each use. Every
//! function runs in the caller's tenant transaction, so RLS keeps one tenant's codes and uses
//! out of every other's reach.
//!
//! Limits hold under concurrency because checkout reads the rule with [`rule_by_code`]
//! `lock = true` (`SELECT … FOR UPDATE`): concurrent checkouts with one code run one after the
//! other from there, each sees the uses the previous one committed, and [`record_use`] bumps
//! `times_used` in the same transaction as the order. An unpaid order that is cancelled gives
//! its use back ([`give_back`], in the release's transaction).

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use uuid::Uuid;

use super::Tx;
use crate::error::AppError;
use crate::model::{
    discount_label, money_input, Discount, DiscountKind, PromotionInput, PromotionRule,
    PromotionSummary, ScopeChoice, ValidPromotion, PROMOTION_LIST_LIMIT,
};

fn promotion_not_found() -> AppError {
    AppError::NotFound("Promotion".into())
}

/// The audit row of a change to code `code` (`promotion.created`, `.deleted`, …).
async fn audit(
    tx: &mut Tx,
    (tenant_id, user_id): (Uuid, Uuid),
    action: &str,
    (promotion_id, website_id): (Uuid, Uuid),
    code: &str,
) -> Result<(), AppError> {
    super::audit(
        tx,
        tenant_id,
        Some(user_id),
        action,
        ("promotion", promotion_id),
        serde_json::json!({ "website_id": website_id, "code": code }),
    )
    .await
}

#[derive(FromRow)]
struct RuleRow {
    id: Uuid,
    code: String,
    name: String,
    discount_type: String,
    discount_value: i64,
    currency: Option<String>,
    minimum_order_cents: Option<i64>,
    maximum_discount_cents: Option<i64>,
    valid_from: DateTime<Utc>,
    valid_until: Option<DateTime<Utc>>,
    usage_limit: Option<i32>,
    usage_limit_per_customer: Option<i32>,
    times_used: i32,
    is_active: bool,
    product_ids: Vec<Uuid>,
    category_ids: Vec<Uuid>,
}

const RULE_COLUMNS: &str = "id, code, name, discount_type, discount_value, currency,
    minimum_order_cents, maximum_discount_cents, valid_from, valid_until, usage_limit,
    usage_limit_per_customer, times_used, is_active, product_ids, category_ids";

impl RuleRow {
    fn discount(&self) -> Discount {
        if self.discount_type == "fixed" {
            Discount::Fixed(self.discount_value)
        } else {
            Discount::Percentage(self.discount_value)
        }
    }

    fn rule(self) -> PromotionRule {
        PromotionRule {
            discount: self.discount(),
            id: self.id,
            code: self.code,
            currency: self.currency,
            minimum_order_cents: self.minimum_order_cents,
            maximum_discount_cents: self.maximum_discount_cents,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            usage_limit: self.usage_limit,
            usage_limit_per_customer: self.usage_limit_per_customer,
            times_used: self.times_used,
            is_active: self.is_active,
            product_ids: self.product_ids,
            category_ids: self.category_ids,
        }
    }

    fn summary(self, now: DateTime<Utc>) -> PromotionSummary {
        let mut s = PromotionSummary {
            discount: self.discount(),
            id: self.id,
            code: self.code,
            name: self.name,
            currency: self.currency,
            minimum_order_cents: self.minimum_order_cents,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            usage_limit: self.usage_limit,
            usage_limit_per_customer: self.usage_limit_per_customer,
            times_used: self.times_used,
            products: self.product_ids.len(),
            categories: self.category_ids.len(),
            is_active: self.is_active,
            state: String::new(),
        };
        s.state = s.state_at(now).to_string();
        s
    }
}

/// The website's codes, newest first.
pub async fn list(tx: &mut Tx, website_id: Uuid) -> Result<Vec<PromotionSummary>, AppError> {
    let rows = sqlx::query_as::<_, RuleRow>(&format!(
        "SELECT {RULE_COLUMNS} FROM website_promotions
          WHERE website_id = $1 ORDER BY created_at DESC, id LIMIT $2"
    ))
    .bind(website_id)
    .bind(PROMOTION_LIST_LIMIT)
    .fetch_all(&mut **tx)
    .await?;
    let now = Utc::now();
    Ok(rows.into_iter().map(|r| r.summary(now)).collect())
}

/// The currencies the website's products are priced in, most used first.
pub async fn shop_currencies(tx: &mut Tx, website_id: Uuid) -> Result<Vec<String>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT currency FROM website_products WHERE website_id = $1
          GROUP BY currency ORDER BY count(*) DESC, currency",
    )
    .bind(website_id)
    .fetch_all(&mut **tx)
    .await?)
}

/// The website's products and categories a code may be scoped to, by name.
pub async fn scope_choices(
    tx: &mut Tx,
    website_id: Uuid,
) -> Result<(Vec<ScopeChoice>, Vec<ScopeChoice>), AppError> {
    let pick = |rows: Vec<(Uuid, String)>| {
        rows.into_iter()
            .map(|(id, name)| ScopeChoice { id, name })
            .collect::<Vec<_>>()
    };
    let products = sqlx::query_as(
        "SELECT id, title FROM website_products WHERE website_id = $1
          ORDER BY lower(title), id LIMIT 500",
    )
    .bind(website_id)
    .fetch_all(&mut **tx)
    .await?;
    let categories = sqlx::query_as(
        "SELECT id, name FROM website_categories WHERE website_id = $1
          ORDER BY sort_order, lower(name), id LIMIT 500",
    )
    .bind(website_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok((pick(products), pick(categories)))
}

/// Refuses ids that are not rows of `table` on the website (another website's, another
/// tenant's, or made up), naming `field`.
async fn check_scope(
    tx: &mut Tx,
    website_id: Uuid,
    table: &str,
    field: &str,
    ids: &[Uuid],
) -> Result<(), AppError> {
    if ids.is_empty() {
        return Ok(());
    }
    let found: i64 = sqlx::query_scalar(&format!(
        "SELECT count(*) FROM {table} WHERE website_id = $1 AND id = ANY($2)"
    ))
    .bind(website_id)
    .bind(ids)
    .fetch_one(&mut **tx)
    .await?;
    if found != ids.len() as i64 {
        return Err(AppError::invalid(
            field,
            "Choose products and categories of this website only.",
        ));
    }
    Ok(())
}

/// The checks a code's fields need beyond its form: the end after the start `from`, and
/// products and categories of the website.
async fn check_code(
    tx: &mut Tx,
    website_id: Uuid,
    p: &ValidPromotion,
    from: DateTime<Utc>,
) -> Result<(), AppError> {
    if p.valid_until.is_some_and(|u| u <= from) {
        return Err(AppError::invalid(
            "ends_at",
            "The end must come after the start (which is now when left empty).",
        ));
    }
    check_scope(
        tx,
        website_id,
        "website_products",
        "product_ids",
        &p.product_ids,
    )
    .await?;
    check_scope(
        tx,
        website_id,
        "website_categories",
        "category_ids",
        &p.category_ids,
    )
    .await
}

fn kind_value(d: Discount) -> (&'static str, i64) {
    match d {
        Discount::Percentage(bp) => ("percentage", bp),
        Discount::Fixed(c) => ("fixed", c),
    }
}

/// A code as its edit form shows it, with its website.
pub async fn form(tx: &mut Tx, promotion_id: Uuid) -> Result<(Uuid, PromotionInput), AppError> {
    let (website_id,): (Uuid,) =
        sqlx::query_as("SELECT website_id FROM website_promotions WHERE id = $1")
            .bind(promotion_id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(promotion_not_found)?;
    let r = sqlx::query_as::<_, RuleRow>(&format!(
        "SELECT {RULE_COLUMNS} FROM website_promotions WHERE id = $1"
    ))
    .bind(promotion_id)
    .fetch_one(&mut **tx)
    .await?;
    let currency = r.currency.clone().unwrap_or_else(|| "EUR".into());
    let money = |c: Option<i64>| c.map(|c| money_input(c, &currency)).unwrap_or_default();
    let time = |t: Option<DateTime<Utc>>| {
        t.map(|t| t.format("%Y-%m-%dT%H:%M").to_string())
            .unwrap_or_default()
    };
    let limit = |n: Option<i32>| n.map(|n| n.to_string()).unwrap_or_default();
    let (kind, value) = match r.discount() {
        Discount::Percentage(bp) => (
            DiscountKind::Percentage,
            discount_label(Discount::Percentage(bp), None)
                .trim_end_matches(" %")
                .to_string(),
        ),
        Discount::Fixed(c) => (DiscountKind::Fixed, money_input(c, &currency)),
    };
    Ok((
        website_id,
        PromotionInput {
            code: r.code.clone(),
            name: r.name.clone(),
            kind,
            value,
            currency: currency.clone(),
            minimum_order: money(r.minimum_order_cents),
            maximum_discount: money(r.maximum_discount_cents),
            starts_at: time(Some(r.valid_from)),
            ends_at: time(r.valid_until),
            usage_limit: limit(r.usage_limit),
            usage_limit_per_customer: limit(r.usage_limit_per_customer),
            product_ids: r.product_ids,
            category_ids: r.category_ids,
        },
    ))
}

/// Saves a code's fields. The row is locked first, so a checkout using the code finishes
/// before (and counts against the old limits) or starts after (the new ones). A total limit
/// below the uses so far is refused. Answers its website.
pub async fn update(
    tx: &mut Tx,
    (tenant_id, user_id): (Uuid, Uuid),
    promotion_id: Uuid,
    p: &ValidPromotion,
) -> Result<Uuid, AppError> {
    let (website_id, valid_from, times_used): (Uuid, DateTime<Utc>, i32) = sqlx::query_as(
        "SELECT website_id, valid_from, times_used FROM website_promotions
          WHERE id = $1 FOR UPDATE",
    )
    .bind(promotion_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(promotion_not_found)?;
    let from = p.valid_from.unwrap_or(valid_from);
    check_code(tx, website_id, p, from).await?;
    if p.usage_limit.is_some_and(|l| l < times_used) {
        return Err(AppError::invalid(
            "usage_limit",
            format!("The code was already used {times_used} times: the total cannot be lower."),
        ));
    }
    let (kind, value) = kind_value(p.discount);
    sqlx::query(
        "UPDATE website_promotions
            SET code = $2, name = $3, discount_type = $4, discount_value = $5, currency = $6,
                minimum_order_cents = $7, maximum_discount_cents = $8, valid_from = $9,
                valid_until = $10, usage_limit = $11, usage_limit_per_customer = $12,
                product_ids = $13, category_ids = $14, updated_at = now()
          WHERE id = $1",
    )
    .bind(promotion_id)
    .bind(&p.code)
    .bind(&p.name)
    .bind(kind)
    .bind(value)
    .bind(&p.currency)
    .bind(p.minimum_order_cents)
    .bind(p.maximum_discount_cents)
    .bind(from)
    .bind(p.valid_until)
    .bind(p.usage_limit)
    .bind(p.usage_limit_per_customer)
    .bind(&p.product_ids)
    .bind(&p.category_ids)
    .execute(&mut **tx)
    .await?;
    audit(
        tx,
        (tenant_id, user_id),
        "promotion.updated",
        (promotion_id, website_id),
        &p.code,
    )
    .await?;
    Ok(website_id)
}

/// Adds a code to the website (a taken code is a 400 on `code`). Answers its id.
pub async fn create(
    tx: &mut Tx,
    (tenant_id, user_id): (Uuid, Uuid),
    website_id: Uuid,
    p: &ValidPromotion,
) -> Result<Uuid, AppError> {
    let from = p.valid_from.unwrap_or_else(Utc::now);
    check_code(tx, website_id, p, from).await?;
    let (kind, value) = kind_value(p.discount);
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO website_promotions
                (tenant_id, website_id, code, name, discount_type, discount_value, currency,
                 minimum_order_cents, maximum_discount_cents, valid_from, valid_until,
                 usage_limit, usage_limit_per_customer, product_ids, category_ids)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         RETURNING id",
    )
    .bind(tenant_id)
    .bind(website_id)
    .bind(&p.code)
    .bind(&p.name)
    .bind(kind)
    .bind(value)
    .bind(&p.currency)
    .bind(p.minimum_order_cents)
    .bind(p.maximum_discount_cents)
    .bind(from)
    .bind(p.valid_until)
    .bind(p.usage_limit)
    .bind(p.usage_limit_per_customer)
    .bind(&p.product_ids)
    .bind(&p.category_ids)
    .fetch_one(&mut **tx)
    .await?;
    audit(
        tx,
        (tenant_id, user_id),
        "promotion.created",
        (id, website_id),
        &p.code,
    )
    .await?;
    Ok(id)
}

/// Switches a code on or off (an off code is unknown to visitors). Answers its website.
pub async fn set_active(
    tx: &mut Tx,
    (tenant_id, user_id): (Uuid, Uuid),
    promotion_id: Uuid,
    active: bool,
) -> Result<Uuid, AppError> {
    let (website_id, code): (Uuid, String) = sqlx::query_as(
        "UPDATE website_promotions SET is_active = $2, updated_at = now()
          WHERE id = $1 RETURNING website_id, code",
    )
    .bind(promotion_id)
    .bind(active)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or_else(promotion_not_found)?;
    let action = if active {
        "promotion.activated"
    } else {
        "promotion.deactivated"
    };
    audit(
        tx,
        (tenant_id, user_id),
        action,
        (promotion_id, website_id),
        &code,
    )
    .await?;
    Ok(website_id)
}

/// Deletes a code and its use records; orders keep the code's text and their discount.
/// Answers its website.
pub async fn delete(
    tx: &mut Tx,
    (tenant_id, user_id): (Uuid, Uuid),
    promotion_id: Uuid,
) -> Result<Uuid, AppError> {
    let (website_id, code): (Uuid, String) =
        sqlx::query_as("DELETE FROM website_promotions WHERE id = $1 RETURNING website_id, code")
            .bind(promotion_id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(promotion_not_found)?;
    audit(
        tx,
        (tenant_id, user_id),
        "promotion.deleted",
        (promotion_id, website_id),
        &code,
    )
    .await?;
    Ok(website_id)
}

/// The website's code `code` (already upper case), locked for the rest of the transaction
/// when `lock` (checkout).
pub async fn rule_by_code(
    tx: &mut Tx,
    website_id: Uuid,
    code: &str,
    lock: bool,
) -> Result<Option<PromotionRule>, AppError> {
    let lock = if lock { "FOR UPDATE" } else { "" };
    let row = sqlx::query_as::<_, RuleRow>(&format!(
        "SELECT {RULE_COLUMNS} FROM website_promotions
          WHERE website_id = $1 AND code = $2 {lock}"
    ))
    .bind(website_id)
    .bind(code)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(RuleRow::rule))
}

/// How often `email` has used the code (compared case-insensitively).
pub async fn customer_uses(tx: &mut Tx, promotion_id: Uuid, email: &str) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM website_promotion_usage
          WHERE promotion_id = $1 AND lower(customer_email) = lower($2)",
    )
    .bind(promotion_id)
    .bind(email)
    .fetch_one(&mut **tx)
    .await?)
}

/// Records a use by order `order_id` and counts it, in the order's transaction (the caller
/// holds the code's row lock from [`rule_by_code`]).
pub async fn record_use(
    tx: &mut Tx,
    tenant_id: Uuid,
    promotion_id: Uuid,
    (order_id, email): (Uuid, &str),
    discount_cents: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO website_promotion_usage
                (tenant_id, promotion_id, order_id, customer_email, discount_cents)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(tenant_id)
    .bind(promotion_id)
    .bind(order_id)
    .bind(email)
    .bind(discount_cents)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE website_promotions SET times_used = times_used + 1, updated_at = now()
          WHERE id = $1",
    )
    .bind(promotion_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Gives back the use of a cancelled unpaid order: its usage row goes and `times_used` drops
/// by one, in the release's transaction. Answers whether there was one.
pub async fn give_back(tx: &mut Tx, order_id: Uuid) -> Result<bool, AppError> {
    let freed: Vec<Uuid> = sqlx::query_scalar(
        "DELETE FROM website_promotion_usage WHERE order_id = $1 RETURNING promotion_id",
    )
    .bind(order_id)
    .fetch_all(&mut **tx)
    .await?;
    if freed.is_empty() {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE website_promotions SET times_used = greatest(times_used - 1, 0), updated_at = now()
          WHERE id = ANY($1)",
    )
    .bind(&freed)
    .execute(&mut **tx)
    .await?;
    Ok(true)
}
