//! Discount codes (issue 22 part 5): the team's form parsed into a valid promotion (parse,
//! don't validate), the rule a code follows, and the one function that decides whether a code
//! applies to a cart and how much it takes off. The cart page and checkout both call
//! [`apply_promotion`]; checkout calls it again on the row it has just locked, so what the
//! visitor saw is re-checked against the live counts before the order is written.
//!
//! Money is in minor units (see `commerce`): a percentage is basis points, a fixed amount is
//! minor units of the promotion's currency. The discount is computed on the lines in scope
//! only (all lines when the code names no product and no category) with
//! [`discount_amount`] and split over those lines with [`allocate_discount`], so the line
//! discounts add up to the order's exactly.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::commerce::{
    allocate_discount, discount_amount, format_money, money_input, parse_currency, parse_money,
    Discount,
};
use crate::error::AppError;

pub const PROMOTION_CODE_MAX: usize = 50;
pub const PROMOTION_NAME_MAX: usize = 200;
/// Products or categories one code may be scoped to.
pub const PROMOTION_SCOPE_MAX: usize = 200;
/// Codes listed at once on the team's page.
pub const PROMOTION_LIST_LIMIT: i64 = 500;

/// Percentage or fixed amount, as the form's radio buttons name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DiscountKind {
    #[default]
    Percentage,
    Fixed,
}

/// The team's promotion form as typed. Amounts are decimal text in `currency` ("5.00"),
/// the percentage is text too ("12.5"); times are UTC, `YYYY-MM-DDTHH:MM` (what a
/// `datetime-local` input sends) or RFC 3339. Empty optional fields mean "no limit".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct PromotionInput {
    pub code: String,
    pub name: String,
    pub kind: DiscountKind,
    /// Percent for `Percentage` ("10", "12.5"), amount for `Fixed` ("5.00").
    pub value: String,
    pub currency: String,
    pub minimum_order: String,
    pub maximum_discount: String,
    pub starts_at: String,
    pub ends_at: String,
    pub usage_limit: String,
    pub usage_limit_per_customer: String,
    pub product_ids: Vec<Uuid>,
    pub category_ids: Vec<Uuid>,
}

/// A promotion that passed [`parse_promotion`]; what `db::promotions::create` writes.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidPromotion {
    pub code: String,
    pub name: String,
    pub discount: Discount,
    /// Set for a fixed amount, and for a percentage with a minimum or a cap (their amounts
    /// are in it); `None` otherwise (the code then fits a cart in any currency).
    pub currency: Option<String>,
    pub minimum_order_cents: Option<i64>,
    pub maximum_discount_cents: Option<i64>,
    /// `None`: from now.
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
    pub usage_limit: Option<i32>,
    pub usage_limit_per_customer: Option<i32>,
    pub product_ids: Vec<Uuid>,
    pub category_ids: Vec<Uuid>,
}

/// A visitor's code as stored and compared: trimmed, upper case.
pub fn normalize_code(raw: &str) -> String {
    raw.trim().to_uppercase()
}

/// Whether `code` (already normalized) is a code the schema accepts: 2–50 of A–Z, 0–9, `_`, `-`.
pub fn is_promotion_code(code: &str) -> bool {
    (2..=PROMOTION_CODE_MAX).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// "12.5" percent as basis points (1250); 0 < p ≤ 100 with at most two decimals.
fn parse_percent(raw: &str) -> Result<i64, AppError> {
    let s = raw.trim().trim_end_matches('%').trim().replace(',', ".");
    let bad = || {
        AppError::invalid(
            "value",
            "Enter a percentage between 0 and 100, e.g. 10 or 12.5.",
        )
    };
    let (int, frac) = s.split_once('.').unwrap_or((s.as_str(), ""));
    let digits = |p: &str| p.chars().all(|c| c.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) || frac.len() > 2 {
        return Err(bad());
    }
    if int.len() > 3 {
        return Err(bad());
    }
    let whole: i64 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| bad())?
    };
    let mut f = frac.to_string();
    while f.len() < 2 {
        f.push('0');
    }
    let bp = whole * 100 + f.parse::<i64>().map_err(|_| bad())?;
    if bp <= 0 || bp > 10_000 {
        return Err(bad());
    }
    Ok(bp)
}

/// A time typed in the form: RFC 3339, or `YYYY-MM-DDTHH:MM[:SS]` read as UTC.
fn parse_time(field: &str, raw: &str) -> Result<Option<DateTime<Utc>>, AppError> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    for f in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Ok(Some(t.and_utc()));
        }
    }
    Err(AppError::invalid(
        field,
        "Enter a date and time, e.g. 2026-12-24T18:00 (UTC).",
    ))
}

fn parse_limit(field: &str, raw: &str) -> Result<Option<i32>, AppError> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<i32>() {
        Ok(n) if n >= 1 => Ok(Some(n)),
        _ => Err(AppError::invalid(
            field,
            "Enter a whole number of uses of at least 1, or leave it empty for no limit.",
        )),
    }
}

fn optional_money(field: &str, raw: &str, currency: &str) -> Result<Option<i64>, AppError> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        parse_money(field, raw, currency).map(Some)
    }
}

/// The form checked field by field; `shop_currencies` are the currencies the website's
/// products are priced in (empty: the shop has no product yet, so any currency we sell in).
/// Errors name the form field: `code`, `name`, `value`, `currency`, `minimum_order`,
/// `maximum_discount`, `starts_at`, `ends_at`, `usage_limit`, `usage_limit_per_customer`,
/// `product_ids`, `category_ids`.
pub fn parse_promotion(
    input: &PromotionInput,
    shop_currencies: &[String],
) -> Result<ValidPromotion, AppError> {
    let code = normalize_code(&input.code);
    if !is_promotion_code(&code) {
        return Err(AppError::invalid(
            "code",
            "Use 2 to 50 letters, digits, - or _ for the code, e.g. SUMMER10.",
        ));
    }
    let name = input.name.trim().to_string();
    if name.is_empty() || name.chars().count() > PROMOTION_NAME_MAX {
        return Err(AppError::invalid(
            "name",
            format!("Give the promotion a name of 1 to {PROMOTION_NAME_MAX} characters."),
        ));
    }
    let currency = parse_currency("currency", &input.currency)?;
    if !shop_currencies.is_empty() && !shop_currencies.contains(&currency) {
        return Err(AppError::invalid(
            "currency",
            format!(
                "This shop sells in {}; amounts of a code must be in that currency.",
                shop_currencies.join(", ")
            ),
        ));
    }
    let discount = match input.kind {
        DiscountKind::Percentage => Discount::Percentage(parse_percent(&input.value)?),
        DiscountKind::Fixed => {
            let v = parse_money("value", &input.value, &currency)?;
            if v <= 0 {
                return Err(AppError::invalid(
                    "value",
                    "A fixed discount must be more than zero.",
                ));
            }
            Discount::Fixed(v)
        }
    };
    let minimum = optional_money("minimum_order", &input.minimum_order, &currency)?;
    let maximum = optional_money("maximum_discount", &input.maximum_discount, &currency)?;
    let valid_from = parse_time("starts_at", &input.starts_at)?;
    let valid_until = parse_time("ends_at", &input.ends_at)?;
    if let (Some(from), Some(until)) = (valid_from, valid_until) {
        if until <= from {
            return Err(AppError::invalid(
                "ends_at",
                "The end must come after the start.",
            ));
        }
    }
    let usage_limit = parse_limit("usage_limit", &input.usage_limit)?;
    let per_customer = parse_limit("usage_limit_per_customer", &input.usage_limit_per_customer)?;
    let dedup = |field: &str, ids: &[Uuid]| {
        let mut v = ids.to_vec();
        v.sort();
        v.dedup();
        if v.len() > PROMOTION_SCOPE_MAX {
            return Err(AppError::invalid(
                field,
                format!("Choose at most {PROMOTION_SCOPE_MAX}."),
            ));
        }
        Ok(v)
    };
    let needs_currency =
        matches!(discount, Discount::Fixed(_)) || minimum.is_some() || maximum.is_some();
    Ok(ValidPromotion {
        code,
        name,
        discount,
        currency: needs_currency.then_some(currency),
        minimum_order_cents: minimum,
        maximum_discount_cents: maximum,
        valid_from,
        valid_until,
        usage_limit,
        usage_limit_per_customer: per_customer,
        product_ids: dedup("product_ids", &input.product_ids)?,
        category_ids: dedup("category_ids", &input.category_ids)?,
    })
}

/// A stored promotion as the rules need it (read live, or under the row lock at checkout).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromotionRule {
    pub id: Uuid,
    pub code: String,
    pub discount: Discount,
    pub currency: Option<String>,
    pub minimum_order_cents: Option<i64>,
    pub maximum_discount_cents: Option<i64>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: Option<DateTime<Utc>>,
    pub usage_limit: Option<i32>,
    pub usage_limit_per_customer: Option<i32>,
    pub times_used: i32,
    pub is_active: bool,
    pub product_ids: Vec<Uuid>,
    pub category_ids: Vec<Uuid>,
}

/// Why a code does not take anything off; `Display` is what the visitor reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotApplied {
    /// No such code on this website, or the team switched it off.
    Unknown,
    NotStarted(DateTime<Utc>),
    Expired,
    UsedUp,
    /// The code's amounts are in another currency than the cart.
    OtherCurrency(String),
    /// The order's subtotal is below the code's minimum (cents, currency).
    BelowMinimum(i64, String),
    /// No line of the cart is one of the code's products or categories.
    NothingInScope,
    /// This email address has used the code as often as it may.
    UsedByCustomer,
}

impl std::fmt::Display for NotApplied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unknown => write!(f, "This code is not valid on this shop."),
            Self::NotStarted(at) => write!(
                f,
                "This code is valid from {}.",
                at.format("%Y-%m-%d %H:%M UTC")
            ),
            Self::Expired => write!(f, "This code has expired."),
            Self::UsedUp => write!(f, "This code has been used up."),
            Self::OtherCurrency(c) => write!(f, "This code is for orders in {c}."),
            Self::BelowMinimum(cents, c) => write!(
                f,
                "This code needs an order of at least {}.",
                format_money(*cents, c)
            ),
            Self::NothingInScope => {
                write!(f, "This code does not apply to the products in your cart.")
            }
            Self::UsedByCustomer => write!(
                f,
                "This code was already used with this email address as often as it may be."
            ),
        }
    }
}

/// One cart line as the rules see it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScopedLine {
    pub product_id: Uuid,
    pub category_ids: Vec<Uuid>,
    pub subtotal_cents: i64,
}

/// What a code takes off: the total, and per line (same order as the lines; 0 for lines out
/// of scope), adding up to the total exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applied {
    pub discount_cents: i64,
    pub line_discounts: Vec<i64>,
}

impl PromotionRule {
    fn in_scope(&self, line: &ScopedLine) -> bool {
        (self.product_ids.is_empty() && self.category_ids.is_empty())
            || self.product_ids.contains(&line.product_id)
            || line
                .category_ids
                .iter()
                .any(|c| self.category_ids.contains(c))
    }
}

/// Whether `rule` applies at `now` to a cart in `currency` with `lines`, and what it takes
/// off. `customer_uses` is how often the customer's email has used it (`None` before
/// checkout, when the email is not known yet). Checked in this order: active, started, not
/// expired, uses left, currency, customer's uses, minimum (on the whole subtotal), scope.
pub fn apply_promotion(
    rule: &PromotionRule,
    now: DateTime<Utc>,
    currency: &str,
    lines: &[ScopedLine],
    customer_uses: Option<i64>,
) -> Result<Applied, NotApplied> {
    if !rule.is_active {
        return Err(NotApplied::Unknown);
    }
    if now < rule.valid_from {
        return Err(NotApplied::NotStarted(rule.valid_from));
    }
    if rule.valid_until.is_some_and(|u| now >= u) {
        return Err(NotApplied::Expired);
    }
    if rule.usage_limit.is_some_and(|l| rule.times_used >= l) {
        return Err(NotApplied::UsedUp);
    }
    if let Some(c) = rule.currency.as_deref().filter(|c| *c != currency) {
        return Err(NotApplied::OtherCurrency(c.to_string()));
    }
    if let (Some(limit), Some(used)) = (rule.usage_limit_per_customer, customer_uses) {
        if used >= i64::from(limit) {
            return Err(NotApplied::UsedByCustomer);
        }
    }
    let subtotal: i64 = lines.iter().map(|l| l.subtotal_cents.max(0)).sum();
    if let Some(min) = rule.minimum_order_cents.filter(|m| subtotal < *m) {
        return Err(NotApplied::BelowMinimum(min, currency.to_string()));
    }
    let scoped: Vec<i64> = lines
        .iter()
        .map(|l| {
            if rule.in_scope(l) {
                l.subtotal_cents.max(0)
            } else {
                0
            }
        })
        .collect();
    let in_scope: i64 = scoped.iter().sum();
    if in_scope == 0 {
        return Err(NotApplied::NothingInScope);
    }
    let discount = discount_amount(in_scope, rule.discount, None, rule.maximum_discount_cents);
    Ok(Applied {
        discount_cents: discount,
        line_discounts: allocate_discount(&scoped, discount),
    })
}

/// The code a cart carries and what it does to the cart, for the cart page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CartCode {
    pub code: String,
    /// The discount, or why the code takes nothing off.
    pub outcome: Result<Applied, NotApplied>,
}

/// "10 %" or "€5.00 off" for lists.
pub fn discount_label(discount: Discount, currency: Option<&str>) -> String {
    match discount {
        Discount::Percentage(bp) => {
            let whole = bp / 100;
            let frac = bp % 100;
            if frac == 0 {
                format!("{whole} %")
            } else {
                let frac = format!("{frac:02}");
                format!("{whole}.{} %", frac.trim_end_matches('0'))
            }
        }
        Discount::Fixed(c) => format!("{} off", format_money(c, currency.unwrap_or("EUR"))),
    }
}

/// One row of the team's promotion list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromotionSummary {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub discount: Discount,
    pub currency: Option<String>,
    pub minimum_order_cents: Option<i64>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: Option<DateTime<Utc>>,
    pub usage_limit: Option<i32>,
    pub usage_limit_per_customer: Option<i32>,
    pub times_used: i32,
    pub products: usize,
    pub categories: usize,
    pub is_active: bool,
    /// [`PromotionSummary::state_at`] when the server read it (the browser has no clock
    /// chrono can read on wasm32).
    pub state: String,
}

impl PromotionSummary {
    /// "Active", "Off", "Scheduled", "Expired" or "Used up" at `now`.
    pub fn state_at(&self, now: DateTime<Utc>) -> &'static str {
        if !self.is_active {
            "Off"
        } else if now < self.valid_from {
            "Scheduled"
        } else if self.valid_until.is_some_and(|u| now >= u) {
            "Expired"
        } else if self.usage_limit.is_some_and(|l| self.times_used >= l) {
            "Used up"
        } else {
            "Active"
        }
    }

    /// "3 of 10" or "3".
    pub fn uses_label(&self) -> String {
        match self.usage_limit {
            Some(l) => format!("{} of {l}", self.times_used),
            None => self.times_used.to_string(),
        }
    }

    /// "Min. €20.00, 1 per customer, 2 products" — empty when the code has no condition.
    pub fn conditions_label(&self) -> String {
        let mut parts = Vec::new();
        if let (Some(m), Some(c)) = (self.minimum_order_cents, self.currency.as_deref()) {
            parts.push(format!("Min. {}", format_money(m, c)));
        }
        if let Some(n) = self.usage_limit_per_customer {
            parts.push(format!("{n} per customer"));
        }
        if self.products > 0 {
            parts.push(format!("{} product(s)", self.products));
        }
        if self.categories > 0 {
            parts.push(format!("{} categor(y/ies)", self.categories));
        }
        parts.join(", ")
    }
}

/// A choice in the scope lists of the form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScopeChoice {
    pub id: Uuid,
    pub name: String,
}

/// The promotions page: the website's codes and what the form may choose from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromotionsOverview {
    pub website_id: Uuid,
    pub website_name: String,
    pub can_edit: bool,
    /// Set when the plan does not sell (the form is then not offered).
    pub plan_refusal: Option<AppError>,
    /// The currencies the shop's products are priced in (the first is the form's default).
    pub currencies: Vec<String>,
    pub products: Vec<ScopeChoice>,
    pub categories: Vec<ScopeChoice>,
    pub promotions: Vec<PromotionSummary>,
}

/// An amount back in the form's text, for defaults ("20.00").
pub fn amount_text(cents: Option<i64>, currency: &str) -> String {
    cents.map(|c| money_input(c, currency)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> PromotionRule {
        PromotionRule {
            id: Uuid::nil(),
            code: "SAVE".into(),
            discount: Discount::Percentage(1000),
            currency: None,
            minimum_order_cents: None,
            maximum_discount_cents: None,
            valid_from: DateTime::from_timestamp(1_000, 0).expect("t"),
            valid_until: None,
            usage_limit: None,
            usage_limit_per_customer: None,
            times_used: 0,
            is_active: true,
            product_ids: vec![],
            category_ids: vec![],
        }
    }

    fn line(product: u128, cats: &[u128], cents: i64) -> ScopedLine {
        ScopedLine {
            product_id: Uuid::from_u128(product),
            category_ids: cats.iter().map(|c| Uuid::from_u128(*c)).collect(),
            subtotal_cents: cents,
        }
    }

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).expect("t")
    }

    #[test]
    fn percent_text_is_basis_points_within_0_to_100() {
        assert_eq!(parse_percent("10"), Ok(1000));
        assert_eq!(parse_percent("12.5"), Ok(1250));
        assert_eq!(parse_percent("12,55 %"), Ok(1255));
        assert_eq!(parse_percent("100"), Ok(10_000));
        for bad in ["0", "100.01", "101", "-5", "", "ten", "1.234", "1000"] {
            let e = parse_percent(bad).expect_err(bad);
            assert_eq!(e.field(), Some("value"), "{bad}");
        }
    }

    fn form() -> PromotionInput {
        PromotionInput {
            code: " save10 ".into(),
            name: "Winter".into(),
            kind: DiscountKind::Percentage,
            value: "10".into(),
            currency: "EUR".into(),
            ..Default::default()
        }
    }

    #[test]
    fn the_form_is_checked_field_by_field() {
        let v = parse_promotion(&form(), &["EUR".into()]).expect("valid");
        assert_eq!(v.code, "SAVE10");
        assert_eq!(v.discount, Discount::Percentage(1000));
        assert_eq!(v.currency, None);
        let field = |f: PromotionInput, shop: &[String]| {
            parse_promotion(&f, shop)
                .expect_err("refused")
                .field()
                .map(str::to_string)
        };
        let shop = ["EUR".to_string()];
        assert_eq!(
            field(
                PromotionInput {
                    code: "a b".into(),
                    ..form()
                },
                &shop
            )
            .as_deref(),
            Some("code")
        );
        assert_eq!(
            field(
                PromotionInput {
                    name: " ".into(),
                    ..form()
                },
                &shop
            )
            .as_deref(),
            Some("name")
        );
        let fixed_usd = PromotionInput {
            kind: DiscountKind::Fixed,
            value: "5".into(),
            currency: "USD".into(),
            ..form()
        };
        assert_eq!(field(fixed_usd.clone(), &shop).as_deref(), Some("currency"));
        // A shop without products yet takes any currency we sell in.
        let v = parse_promotion(&fixed_usd, &[]).expect("no products yet");
        assert_eq!(
            (v.discount, v.currency.as_deref()),
            (Discount::Fixed(500), Some("USD"))
        );
        let backwards = PromotionInput {
            starts_at: "2026-12-10T10:00".into(),
            ends_at: "2026-12-10T09:00".into(),
            ..form()
        };
        assert_eq!(field(backwards, &shop).as_deref(), Some("ends_at"));
        assert_eq!(
            field(
                PromotionInput {
                    starts_at: "soon".into(),
                    ..form()
                },
                &shop
            )
            .as_deref(),
            Some("starts_at")
        );
        assert_eq!(
            field(
                PromotionInput {
                    usage_limit: "0".into(),
                    ..form()
                },
                &shop
            )
            .as_deref(),
            Some("usage_limit")
        );
        assert_eq!(
            field(
                PromotionInput {
                    usage_limit_per_customer: "x".into(),
                    ..form()
                },
                &shop
            )
            .as_deref(),
            Some("usage_limit_per_customer")
        );
        assert_eq!(
            field(
                PromotionInput {
                    value: "150".into(),
                    ..form()
                },
                &shop
            )
            .as_deref(),
            Some("value")
        );
        assert_eq!(
            field(
                PromotionInput {
                    minimum_order: "-1".into(),
                    ..form()
                },
                &shop
            )
            .as_deref(),
            Some("minimum_order")
        );
        // A minimum gives a percentage code its currency.
        let v = parse_promotion(
            &PromotionInput {
                minimum_order: "20".into(),
                ..form()
            },
            &shop,
        )
        .expect("valid");
        assert_eq!(
            (v.minimum_order_cents, v.currency.as_deref()),
            (Some(2000), Some("EUR"))
        );
    }

    #[test]
    fn a_code_applies_only_inside_its_window_and_limits() {
        let lines = [line(1, &[], 5000)];
        let r = rule();
        let ok = apply_promotion(&r, at(2_000), "EUR", &lines, None).expect("applies");
        assert_eq!(ok.discount_cents, 500);
        assert_eq!(
            apply_promotion(&r, at(999), "EUR", &lines, None),
            Err(NotApplied::NotStarted(at(1_000)))
        );
        let ends = PromotionRule {
            valid_until: Some(at(3_000)),
            ..rule()
        };
        assert!(apply_promotion(&ends, at(2_999), "EUR", &lines, None).is_ok());
        assert_eq!(
            apply_promotion(&ends, at(3_000), "EUR", &lines, None),
            Err(NotApplied::Expired)
        );
        let used = PromotionRule {
            usage_limit: Some(3),
            times_used: 3,
            ..rule()
        };
        assert_eq!(
            apply_promotion(&used, at(2_000), "EUR", &lines, None),
            Err(NotApplied::UsedUp)
        );
        let per = PromotionRule {
            usage_limit_per_customer: Some(1),
            ..rule()
        };
        assert!(apply_promotion(&per, at(2_000), "EUR", &lines, None).is_ok());
        assert!(apply_promotion(&per, at(2_000), "EUR", &lines, Some(0)).is_ok());
        assert_eq!(
            apply_promotion(&per, at(2_000), "EUR", &lines, Some(1)),
            Err(NotApplied::UsedByCustomer)
        );
        let off = PromotionRule {
            is_active: false,
            ..rule()
        };
        assert_eq!(
            apply_promotion(&off, at(2_000), "EUR", &lines, None),
            Err(NotApplied::Unknown)
        );
        let usd = PromotionRule {
            currency: Some("USD".into()),
            ..rule()
        };
        assert_eq!(
            apply_promotion(&usd, at(2_000), "EUR", &lines, None),
            Err(NotApplied::OtherCurrency("USD".into()))
        );
        let min = PromotionRule {
            minimum_order_cents: Some(5001),
            currency: Some("EUR".into()),
            ..rule()
        };
        let e = apply_promotion(&min, at(2_000), "EUR", &lines, None).expect_err("below");
        assert_eq!(
            e.to_string(),
            "This code needs an order of at least €50.01."
        );
    }

    #[test]
    fn only_lines_in_scope_are_discounted_and_never_below_zero() {
        let lines = [
            line(1, &[10], 3000),
            line(2, &[20], 1000),
            line(3, &[], 999),
        ];
        let by_product = PromotionRule {
            product_ids: vec![Uuid::from_u128(2)],
            ..rule()
        };
        let a = apply_promotion(&by_product, at(2_000), "EUR", &lines, None).expect("applies");
        assert_eq!(a.line_discounts, vec![0, 100, 0]);
        let by_category = PromotionRule {
            category_ids: vec![Uuid::from_u128(10), Uuid::from_u128(20)],
            discount: Discount::Fixed(10_000),
            ..rule()
        };
        // A fixed amount above the lines in scope takes those lines to zero, no further.
        let a = apply_promotion(&by_category, at(2_000), "EUR", &lines, None).expect("applies");
        assert_eq!(a.discount_cents, 4000);
        assert_eq!(a.line_discounts, vec![3000, 1000, 0]);
        let nothing = PromotionRule {
            product_ids: vec![Uuid::from_u128(9)],
            ..rule()
        };
        assert_eq!(
            apply_promotion(&nothing, at(2_000), "EUR", &lines, None),
            Err(NotApplied::NothingInScope)
        );
        // The cap, and line discounts that add up exactly.
        let capped = PromotionRule {
            discount: Discount::Percentage(3333),
            maximum_discount_cents: Some(777),
            ..rule()
        };
        let a = apply_promotion(&capped, at(2_000), "EUR", &lines, None).expect("applies");
        assert_eq!(a.discount_cents, 777);
        assert_eq!(a.line_discounts.iter().sum::<i64>(), 777);
        assert!(a
            .line_discounts
            .iter()
            .zip(&lines)
            .all(|(d, l)| *d >= 0 && *d <= l.subtotal_cents));
    }

    #[test]
    fn labels() {
        assert_eq!(discount_label(Discount::Percentage(1000), None), "10 %");
        assert_eq!(discount_label(Discount::Percentage(1250), None), "12.5 %");
        assert_eq!(discount_label(Discount::Percentage(1255), None), "12.55 %");
        assert_eq!(
            discount_label(Discount::Fixed(500), Some("EUR")),
            "€5.00 off"
        );
    }
}
