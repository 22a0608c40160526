//! Commerce (issue 22): money in integer minor units, the product catalogue's wire types and
//! the parsing of a product form into a valid product (parse, don't validate).
//!
//! Money is always an `i64` count of the currency's minor units (cents for EUR, yen for JPY)
//! next to its ISO 4217 code; no float ever holds an amount. Amounts typed by people
//! ("19.99", "19,99", "1 299.00") are parsed with the currency's number of decimals, and
//! percentages are basis points (1250 = 12.5 %) rounded half up to the minor unit.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::inputs::check_url;
use super::rich_text::check_rich_text;
use crate::error::AppError;

/// Currencies a shop may sell in, with their number of decimals (ISO 4217 minor units).
pub const CURRENCIES: &[(&str, u32)] = &[
    ("EUR", 2),
    ("USD", 2),
    ("GBP", 2),
    ("CHF", 2),
    ("CAD", 2),
    ("AUD", 2),
    ("NZD", 2),
    ("SEK", 2),
    ("NOK", 2),
    ("DKK", 2),
    ("PLN", 2),
    ("CZK", 2),
    ("JPY", 0),
];

/// The largest price accepted: 10 million in major units (checked before any arithmetic, so
/// sums of a few thousand lines cannot overflow).
pub const PRICE_MAX_MAJOR: i64 = 10_000_000;
pub const STOCK_MAX: i32 = 1_000_000;
pub const PRODUCT_TITLE_MAX: usize = 200;
pub const PRODUCT_SLUG_MAX: usize = 100;
pub const PRODUCT_DESCRIPTION_MAX: usize = 20_000;
pub const PRODUCT_IMAGES_MAX: usize = 20;
pub const PRODUCT_OPTIONS_MAX: usize = 3;
pub const OPTION_NAME_MAX: usize = 40;
pub const OPTION_VALUE_MAX: usize = 60;
pub const VARIANTS_MAX: usize = 100;
pub const SKU_MAX: usize = 64;
pub const PRODUCT_SEO_TITLE_MAX: usize = 200;
pub const PRODUCT_SEO_DESCRIPTION_MAX: usize = 500;
/// Products listed at once on the team's page.
pub const PRODUCT_LIST_LIMIT: i64 = 500;

/// The number of decimals of `currency`, `None` for a currency shops cannot use.
pub fn currency_exponent(currency: &str) -> Option<u32> {
    CURRENCIES
        .iter()
        .find(|(c, _)| *c == currency)
        .map(|(_, e)| *e)
}

/// `raw` as an ISO code this app sells in.
pub fn parse_currency(field: &str, raw: &str) -> Result<String, AppError> {
    let c = raw.trim().to_ascii_uppercase();
    if currency_exponent(&c).is_some() {
        Ok(c)
    } else {
        let list: Vec<&str> = CURRENCIES.iter().map(|(c, _)| *c).collect();
        Err(AppError::invalid(
            field,
            format!("Choose one of these currencies: {}.", list.join(", ")),
        ))
    }
}

/// An amount typed by a person, in `currency`, as minor units. Accepts `19.99`, `19,99`, `19`,
/// thin or normal spaces and `'` as thousands separators; refuses negatives, more decimals than
/// the currency has, anything that is not a number and amounts above [`PRICE_MAX_MAJOR`].
pub fn parse_money(field: &str, raw: &str, currency: &str) -> Result<i64, AppError> {
    let exp = currency_exponent(currency)
        .ok_or_else(|| AppError::invalid("currency", "Choose a currency first."))?;
    let s: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{202f}' | '\u{a0}' | '\''))
        .collect();
    if s.is_empty() {
        return Err(AppError::invalid(field, "Enter a price, e.g. 19.99."));
    }
    if s.starts_with('-') {
        return Err(AppError::invalid(field, "A price cannot be negative."));
    }
    let s = s.strip_prefix('+').unwrap_or(&s);
    let (int, frac) = match s.rsplit_once(['.', ',']) {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    let digits = |p: &str| p.chars().all(|c| c.is_ascii_digit());
    // A separator between thousands ("1,299.00") is allowed in the integer part.
    let int: String = int.chars().filter(|c| !matches!(c, ',' | '.')).collect();
    if (int.is_empty() && frac.is_empty()) || !digits(&int) || !digits(frac) {
        return Err(AppError::invalid(
            field,
            "Enter the price as a number, e.g. 19.99.",
        ));
    }
    if frac.len() > exp as usize {
        let msg = if exp == 0 {
            format!("{currency} has no decimals: enter a whole amount.")
        } else {
            format!("{currency} has {exp} decimals at most.")
        };
        return Err(AppError::invalid(field, msg));
    }
    let int = int.trim_start_matches('0');
    if int.len() > 9 {
        return Err(too_large(field, currency));
    }
    let major: i64 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| too_large(field, currency))?
    };
    if major > PRICE_MAX_MAJOR {
        return Err(too_large(field, currency));
    }
    let scale = 10_i64.pow(exp);
    let mut frac_padded = frac.to_string();
    while frac_padded.len() < exp as usize {
        frac_padded.push('0');
    }
    let minor: i64 = if frac_padded.is_empty() {
        0
    } else {
        frac_padded.parse().unwrap_or(0)
    };
    let cents = major * scale + minor;
    if cents > PRICE_MAX_MAJOR * scale {
        return Err(too_large(field, currency));
    }
    Ok(cents)
}

fn too_large(field: &str, currency: &str) -> AppError {
    AppError::invalid(
        field,
        format!("Prices go up to {PRICE_MAX_MAJOR} {currency}."),
    )
}

/// Minor units written back as a plain decimal number, as [`parse_money`] reads it
/// (`1999` EUR → `19.99`, `500` JPY → `500`).
pub fn money_input(cents: i64, currency: &str) -> String {
    let exp = currency_exponent(currency).unwrap_or(2);
    if exp == 0 {
        return cents.to_string();
    }
    let scale = 10_i64.pow(exp);
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    let scale = scale as u64;
    format!(
        "{sign}{}.{:0width$}",
        c / scale,
        c % scale,
        width = exp as usize
    )
}

/// An amount for people: `€19.99`, `$5.00`, `£3.50`, otherwise `19.99 CHF`.
pub fn format_money(cents: i64, currency: &str) -> String {
    let n = money_input(cents, currency);
    match currency {
        "EUR" => format!("€{n}"),
        "USD" => format!("${n}"),
        "GBP" => format!("£{n}"),
        "JPY" => format!("¥{n}"),
        other => format!("{n} {other}"),
    }
}

/// `basis_points` (1/100 of a percent) of `amount`, rounded half up to the minor unit.
/// Negative inputs count as zero.
pub fn percent_of(amount: i64, basis_points: i64) -> i64 {
    let (a, bp) = (i128::from(amount.max(0)), i128::from(basis_points.max(0)));
    let v = (a * bp + 5_000) / 10_000;
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// How a discount code reduces an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "value")]
pub enum Discount {
    /// Basis points: 1250 = 12.5 %.
    Percentage(i64),
    /// Minor units of the order's currency.
    Fixed(i64),
}

/// What `discount` takes off `subtotal` (minor units): never negative, never more than the
/// subtotal, never more than `cap` when there is one; nothing below `minimum`.
pub fn discount_amount(
    subtotal: i64,
    discount: Discount,
    minimum: Option<i64>,
    cap: Option<i64>,
) -> i64 {
    let subtotal = subtotal.max(0);
    if minimum.is_some_and(|m| subtotal < m) {
        return 0;
    }
    let raw = match discount {
        Discount::Percentage(bp) => percent_of(subtotal, bp.min(10_000)),
        Discount::Fixed(c) => c.max(0),
    };
    let capped = match cap {
        Some(c) => raw.min(c.max(0)),
        None => raw,
    };
    capped.clamp(0, subtotal)
}

/// Splits `discount` over lines of `subtotals` in proportion (largest remainders get the
/// leftover minor units), so the line discounts add up to the order's exactly and none goes
/// below zero or above its line.
pub fn allocate_discount(subtotals: &[i64], discount: i64) -> Vec<i64> {
    let total: i128 = subtotals.iter().map(|s| i128::from((*s).max(0))).sum();
    if total == 0 || discount <= 0 {
        return vec![0; subtotals.len()];
    }
    let discount = i128::from(discount).min(total);
    let mut shares: Vec<(usize, i128, i128)> = subtotals
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let num = i128::from((*s).max(0)) * discount;
            (i, num / total, num % total)
        })
        .collect();
    let given: i128 = shares.iter().map(|s| s.1).sum();
    let mut left = discount - given;
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|a, b| shares[*b].2.cmp(&shares[*a].2).then(a.cmp(b)));
    for i in order {
        if left == 0 {
            break;
        }
        if shares[i].1 < i128::from(subtotals[i].max(0)) {
            shares[i].1 += 1;
            left -= 1;
        }
    }
    shares
        .into_iter()
        .map(|s| i64::try_from(s.1).unwrap_or(0))
        .collect()
}

/// A product's state: only active products are shown to visitors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ProductStatus {
    #[default]
    Draft,
    Active,
    Archived,
}

impl ProductStatus {
    pub const ALL: [ProductStatus; 3] = [Self::Draft, Self::Active, Self::Archived];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Active => "active",
            Self::Archived => "archived",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::Active => "Active",
            Self::Archived => "Archived",
        }
    }
}

/// One variant as the form holds it: amounts and stock as typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct VariantInput {
    /// The variant being edited; `None` for a new one.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// One value per option name of the product, in order.
    #[serde(default)]
    pub option_values: Vec<String>,
    #[serde(default)]
    pub sku: String,
    pub price: String,
    #[serde(default)]
    pub compare_at_price: String,
    #[serde(default)]
    pub stock: String,
    #[serde(default)]
    pub track_inventory: bool,
}

/// A product as the form holds it (and as the edit form is filled from a saved product).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ProductInput {
    pub title: String,
    /// Empty: made from the title.
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub description: String,
    pub status: ProductStatus,
    pub currency: String,
    /// Option names (Size, Colour), at most three; empty for a product with one variant.
    #[serde(default)]
    pub option_names: Vec<String>,
    #[serde(default)]
    pub images: Vec<String>,
    #[serde(default)]
    pub seo_title: String,
    #[serde(default)]
    pub seo_description: String,
    pub variants: Vec<VariantInput>,
    /// The categories it is listed in.
    #[serde(default)]
    pub category_ids: Vec<Uuid>,
}

/// A variant that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidVariant {
    pub id: Option<Uuid>,
    pub option_values: Vec<String>,
    pub sku: Option<String>,
    pub price_cents: i64,
    pub compare_at_price_cents: Option<i64>,
    pub stock: i32,
    pub track_inventory: bool,
}

/// A product that passed every check: what the database layer writes.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidProduct {
    pub title: String,
    pub slug: String,
    pub description: String,
    pub status: ProductStatus,
    pub currency: String,
    pub option_names: Vec<String>,
    pub images: Vec<String>,
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    pub variants: Vec<ValidVariant>,
    /// Distinct, in the form's order.
    pub category_ids: Vec<Uuid>,
}

/// Is `s` a product address: lower-case letters and digits in groups joined by single dashes.
pub fn is_product_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= PRODUCT_SLUG_MAX
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

pub(super) fn text(field: &str, raw: &str, max: usize, what: &str) -> Result<String, AppError> {
    let v = raw.trim();
    if v.chars().count() > max {
        return Err(AppError::invalid(
            field,
            format!("Keep {what} under {max} characters."),
        ));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(AppError::invalid(
            field,
            format!("{what} cannot contain control characters."),
        ));
    }
    Ok(v.to_string())
}

fn parse_variant(
    i: usize,
    v: &VariantInput,
    options: usize,
    currency: &str,
) -> Result<ValidVariant, AppError> {
    let f = |name: &str| format!("variants.{i}.{name}");
    let n = i + 1;
    if v.option_values.len() != options {
        return Err(AppError::invalid(
            &f("options"),
            format!("Variant {n} needs a value for each of the {options} options."),
        ));
    }
    let mut values = Vec::with_capacity(options);
    for (j, raw) in v.option_values.iter().enumerate() {
        let value = text(
            &f(&format!("options.{j}")),
            raw,
            OPTION_VALUE_MAX,
            "An option value",
        )?;
        if value.is_empty() {
            return Err(AppError::invalid(
                &f(&format!("options.{j}")),
                format!("Variant {n}: enter a value for every option."),
            ));
        }
        values.push(value);
    }
    let sku = v.sku.trim();
    let sku = if sku.is_empty() {
        None
    } else {
        if sku.len() > SKU_MAX
            || !sku
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | '-'))
        {
            return Err(AppError::invalid(
                &f("sku"),
                format!(
                    "Variant {n}: a SKU is up to {SKU_MAX} letters, digits, dots, dashes, underscores or slashes."
                ),
            ));
        }
        Some(sku.to_string())
    };
    let price_cents =
        parse_money(&f("price"), &v.price, currency).map_err(|e| prefix_variant(e, n))?;
    let compare_at_price_cents = if v.compare_at_price.trim().is_empty() {
        None
    } else {
        let c = parse_money(&f("compare_at_price"), &v.compare_at_price, currency)
            .map_err(|e| prefix_variant(e, n))?;
        if c <= price_cents {
            return Err(AppError::invalid(
                &f("compare_at_price"),
                format!("Variant {n}: the compare-at price must be higher than the price (or left empty)."),
            ));
        }
        Some(c)
    };
    let stock = match v.stock.trim() {
        "" => 0,
        s => match s.parse::<i64>() {
            Ok(x) if x < 0 => {
                return Err(AppError::invalid(
                    &f("stock"),
                    format!("Variant {n}: stock cannot be negative."),
                ))
            }
            Ok(x) if x <= i64::from(STOCK_MAX) => x as i32,
            Ok(_) => {
                return Err(AppError::invalid(
                    &f("stock"),
                    format!("Variant {n}: stock goes up to {STOCK_MAX}."),
                ))
            }
            Err(_) => {
                return Err(AppError::invalid(
                    &f("stock"),
                    format!("Variant {n}: enter the stock as a whole number."),
                ))
            }
        },
    };
    Ok(ValidVariant {
        id: v.id,
        option_values: values,
        sku,
        price_cents,
        compare_at_price_cents,
        stock,
        track_inventory: v.track_inventory,
    })
}

fn prefix_variant(e: AppError, n: usize) -> AppError {
    match e {
        AppError::Invalid { field, message } if field.starts_with("variants.") => {
            AppError::Invalid {
                field,
                message: format!("Variant {n}: {message}"),
            }
        }
        other => other,
    }
}

/// Checks a product form. Fields of errors: `title`, `slug`, `description`, `currency`,
/// `option_names`, `images`, `seo_title`, `seo_description`, `variants`, and
/// `variants.{i}.{price|compare_at_price|stock|sku|options}` for one variant.
pub fn parse_product(input: &ProductInput) -> Result<ValidProduct, AppError> {
    let title = text("title", &input.title, PRODUCT_TITLE_MAX, "The title")?;
    if title.is_empty() {
        return Err(AppError::invalid("title", "Enter the product's title."));
    }
    let slug = match input.slug.trim() {
        "" => super::inputs::slugify(&title, PRODUCT_SLUG_MAX),
        s => {
            if !is_product_slug(s) {
                return Err(AppError::invalid(
                    "slug",
                    format!(
                        "Use lower-case letters, digits and single dashes for the address (like blue-mug), {PRODUCT_SLUG_MAX} characters at most."
                    ),
                ));
            }
            s.to_string()
        }
    };
    if !is_product_slug(&slug) {
        return Err(AppError::invalid(
            "slug",
            "Enter an address for the product (like blue-mug): the title has no letters or digits to make one from.",
        ));
    }
    if input.description.chars().count() > PRODUCT_DESCRIPTION_MAX {
        return Err(AppError::invalid(
            "description",
            format!("Keep the description under {PRODUCT_DESCRIPTION_MAX} characters."),
        ));
    }
    check_rich_text("description", &input.description)?;
    let currency = parse_currency("currency", &input.currency)?;
    if input.option_names.len() > PRODUCT_OPTIONS_MAX {
        return Err(AppError::invalid(
            "option_names",
            format!("A product has {PRODUCT_OPTIONS_MAX} options at most (like Size, Colour, Material)."),
        ));
    }
    let mut option_names: Vec<String> = Vec::new();
    for raw in &input.option_names {
        let name = text("option_names", raw, OPTION_NAME_MAX, "An option name")?;
        if name.is_empty() {
            return Err(AppError::invalid(
                "option_names",
                "Give every option a name (like Size), or remove it.",
            ));
        }
        if option_names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            return Err(AppError::invalid(
                "option_names",
                format!("The option “{name}” is listed twice."),
            ));
        }
        option_names.push(name);
    }
    if input.images.len() > PRODUCT_IMAGES_MAX {
        return Err(AppError::invalid(
            "images",
            format!("A product has {PRODUCT_IMAGES_MAX} images at most."),
        ));
    }
    let mut images = Vec::new();
    for raw in &input.images {
        let url = raw.trim();
        if url.is_empty() {
            continue;
        }
        check_url("images", url)?;
        if !(url.starts_with("https://") || url.starts_with("http://") || url.starts_with('/')) {
            return Err(AppError::invalid(
                "images",
                "An image address starts with https:// or / (a file of this site).",
            ));
        }
        images.push(url.to_string());
    }
    let seo_title = text(
        "seo_title",
        &input.seo_title,
        PRODUCT_SEO_TITLE_MAX,
        "The SEO title",
    )?;
    let seo_description = text(
        "seo_description",
        &input.seo_description,
        PRODUCT_SEO_DESCRIPTION_MAX,
        "The SEO description",
    )?;
    if input.variants.is_empty() {
        return Err(AppError::invalid(
            "variants",
            "Add at least one variant with its price.",
        ));
    }
    if input.variants.len() > VARIANTS_MAX {
        return Err(AppError::invalid(
            "variants",
            format!("A product has {VARIANTS_MAX} variants at most."),
        ));
    }
    if option_names.is_empty() && input.variants.len() > 1 {
        return Err(AppError::invalid(
            "option_names",
            "Name the option the variants differ by (like Size) before adding a second variant.",
        ));
    }
    let mut variants: Vec<ValidVariant> = Vec::with_capacity(input.variants.len());
    for (i, v) in input.variants.iter().enumerate() {
        let valid = parse_variant(i, v, option_names.len(), &currency)?;
        let key: Vec<String> = valid
            .option_values
            .iter()
            .map(|s| s.to_lowercase())
            .collect();
        if let Some(j) = variants.iter().position(|o| {
            o.option_values
                .iter()
                .map(|s| s.to_lowercase())
                .collect::<Vec<_>>()
                == key
        }) {
            return Err(AppError::invalid(
                &format!("variants.{i}.options"),
                format!(
                    "Variants {} and {} have the same options ({}).",
                    j + 1,
                    i + 1,
                    valid.option_values.join(" / ")
                ),
            ));
        }
        if let Some(sku) = &valid.sku {
            if let Some(j) = variants.iter().position(|o| o.sku.as_ref() == Some(sku)) {
                return Err(AppError::invalid(
                    &format!("variants.{i}.sku"),
                    format!("Variants {} and {} have the same SKU {sku}.", j + 1, i + 1),
                ));
            }
        }
        if let Some(id) = valid.id {
            if variants.iter().any(|o| o.id == Some(id)) {
                return Err(AppError::invalid("variants", "A variant is listed twice."));
            }
        }
        variants.push(valid);
    }
    let mut category_ids: Vec<Uuid> = Vec::new();
    for id in &input.category_ids {
        if !category_ids.contains(id) {
            category_ids.push(*id);
        }
    }
    if category_ids.len() > super::PRODUCT_CATEGORIES_MAX {
        return Err(AppError::invalid(
            "category_ids",
            format!(
                "A product is in {} categories at most.",
                super::PRODUCT_CATEGORIES_MAX
            ),
        ));
    }
    Ok(ValidProduct {
        title,
        slug,
        description: input.description.trim().to_string(),
        status: input.status,
        currency,
        option_names,
        images,
        seo_title: (!seo_title.is_empty()).then_some(seo_title),
        seo_description: (!seo_description.is_empty()).then_some(seo_description),
        variants,
        category_ids,
    })
}

/// A saved product, for its edit form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductDetail {
    pub id: Uuid,
    pub website_id: Uuid,
    pub product: ProductInput,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// One line of the products list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductSummary {
    pub id: Uuid,
    pub title: String,
    pub slug: String,
    pub status: ProductStatus,
    pub currency: String,
    pub variants: i64,
    pub price_min_cents: i64,
    pub price_max_cents: i64,
    /// Units in stock over the tracked variants; `None` when no variant is tracked.
    pub stock: Option<i64>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl ProductSummary {
    /// `€12.00` or `€12.00 – €18.00`.
    pub fn price_label(&self) -> String {
        if self.price_min_cents == self.price_max_cents {
            format_money(self.price_min_cents, &self.currency)
        } else {
            format!(
                "{} – {}",
                format_money(self.price_min_cents, &self.currency),
                format_money(self.price_max_cents, &self.currency)
            )
        }
    }
}

/// The filter of the products list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ProductQuery {
    /// Words to find in the title, address or a SKU.
    #[serde(default)]
    pub search: String,
    #[serde(default)]
    pub status: Option<ProductStatus>,
    /// Only products in this category (or one under it).
    #[serde(default)]
    pub category: Option<Uuid>,
}

/// A website's products page: the list and what the caller may do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductsOverview {
    pub website_id: Uuid,
    pub website_name: String,
    /// Owners, admins and editors change the catalogue.
    pub can_edit: bool,
    /// Why the plan does not allow selling (the upgrade message), `None` when it does.
    pub plan_refusal: Option<AppError>,
    /// Products of the whole account, and the plan's maximum.
    pub products_used: i64,
    pub products_max: i64,
    pub products: Vec<ProductSummary>,
    /// The website's categories in tree order, for the filter and the form.
    pub categories: Vec<super::Category>,
}

/// A variant as visitors see it: the live price and whether it can be bought.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StorefrontVariant {
    pub id: Uuid,
    pub option_values: Vec<String>,
    pub sku: Option<String>,
    pub price_cents: i64,
    pub compare_at_price_cents: Option<i64>,
    /// Units left, when the variant's stock is tracked.
    pub stock: Option<i32>,
    /// Untracked, or tracked with stock left.
    pub available: bool,
}

/// An active product of a selling website, read live for its visitor page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StorefrontProduct {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub currency: String,
    pub option_names: Vec<String>,
    pub images: Vec<String>,
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    pub variants: Vec<StorefrontVariant>,
}

/// One card of the shop's index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StorefrontCard {
    pub slug: String,
    pub title: String,
    pub image: Option<String>,
    pub currency: String,
    pub price_min_cents: i64,
    pub price_max_cents: i64,
    pub available: bool,
}

/// Cards on the shop's index page.
pub const STOREFRONT_LIST_LIMIT: i64 = 48;

#[cfg(test)]
mod tests {
    use super::*;

    fn variant(price: &str) -> VariantInput {
        VariantInput {
            price: price.into(),
            stock: "3".into(),
            track_inventory: true,
            ..Default::default()
        }
    }

    fn product() -> ProductInput {
        ProductInput {
            title: "Blue Mug".into(),
            currency: "EUR".into(),
            variants: vec![variant("12.50")],
            ..Default::default()
        }
    }

    #[test]
    fn money_is_parsed_in_minor_units_with_the_currency_decimals() {
        assert_eq!(parse_money("p", "19.99", "EUR").unwrap(), 1999);
        assert_eq!(parse_money("p", "19,9", "EUR").unwrap(), 1990);
        assert_eq!(parse_money("p", " 1 299.00 ", "USD").unwrap(), 129_900);
        assert_eq!(parse_money("p", "1,299.50", "USD").unwrap(), 129_950);
        assert_eq!(parse_money("p", "0", "EUR").unwrap(), 0);
        assert_eq!(parse_money("p", ".5", "EUR").unwrap(), 50);
        assert_eq!(parse_money("p", "500", "JPY").unwrap(), 500);
        for bad in [
            "",
            "-1",
            "abc",
            "1.999",
            "1e5",
            "99999999999",
            "10000000.01",
        ] {
            let e = parse_money("p", bad, "EUR").unwrap_err();
            assert_eq!(e.field(), Some("p"), "{bad}");
            assert_eq!(e.status(), 400);
        }
        assert!(parse_money("p", "5.5", "JPY").is_err());
        assert_eq!(money_input(1999, "EUR"), "19.99");
        assert_eq!(money_input(5, "EUR"), "0.05");
        assert_eq!(money_input(500, "JPY"), "500");
        assert_eq!(format_money(1250, "EUR"), "€12.50");
        assert_eq!(format_money(1250, "CHF"), "12.50 CHF");
        // Written back and read again, an amount stays the same.
        for c in [0, 1, 99, 100, 123_456] {
            assert_eq!(parse_money("p", &money_input(c, "EUR"), "EUR").unwrap(), c);
        }
    }

    #[test]
    fn percentages_round_half_up_and_discounts_never_go_negative_or_past_the_subtotal() {
        assert_eq!(percent_of(1000, 1250), 125);
        assert_eq!(percent_of(999, 1000), 100); // 99.9 → 100
        assert_eq!(percent_of(995, 1000), 100); // 99.5 → 100 (half up)
        assert_eq!(percent_of(994, 1000), 99);
        assert_eq!(percent_of(1, 3333), 0);
        assert_eq!(percent_of(-500, 1000), 0);
        assert_eq!(percent_of(i64::MAX, 10_000), i64::MAX);
        assert_eq!(
            discount_amount(1000, Discount::Fixed(1500), None, None),
            1000
        );
        assert_eq!(discount_amount(1000, Discount::Fixed(-5), None, None), 0);
        assert_eq!(
            discount_amount(1000, Discount::Percentage(20_000), None, None),
            1000
        );
        assert_eq!(
            discount_amount(1000, Discount::Percentage(5000), None, Some(300)),
            300
        );
        assert_eq!(
            discount_amount(1000, Discount::Percentage(5000), Some(2000), None),
            0
        );
        assert_eq!(discount_amount(-10, Discount::Fixed(5), None, None), 0);
        assert_eq!(
            discount_amount(1000, Discount::Fixed(200), None, Some(-1)),
            0
        );
    }

    #[test]
    fn a_discount_is_split_over_lines_exactly() {
        let lines = [1000, 333, 1];
        for d in [0, 1, 100, 777, 1334, 5000] {
            let parts = allocate_discount(&lines, d);
            assert_eq!(parts.iter().sum::<i64>(), d.min(1334), "{d}");
            for (p, l) in parts.iter().zip(lines) {
                assert!(*p >= 0 && *p <= l, "{d}: {parts:?}");
            }
        }
        assert_eq!(allocate_discount(&[0, 0], 50), vec![0, 0]);
    }

    #[test]
    fn a_valid_product_is_parsed_and_its_slug_made_from_the_title() {
        let p = parse_product(&product()).unwrap();
        assert_eq!(p.slug, "blue-mug");
        assert_eq!(p.variants[0].price_cents, 1250);
        assert_eq!(p.variants[0].stock, 3);
        assert_eq!(p.seo_title, None);
    }

    #[test]
    fn bad_products_name_the_field() {
        type Change = Box<dyn Fn(&mut ProductInput)>;
        let cases: Vec<(&str, Change)> = vec![
            ("title", Box::new(|p| p.title = "  ".into())),
            ("slug", Box::new(|p| p.slug = "Blue Mug".into())),
            ("slug", Box::new(|p| p.slug = "a--b".into())),
            ("slug", Box::new(|p| p.title = "!!!".into())),
            ("currency", Box::new(|p| p.currency = "XYZ".into())),
            ("variants", Box::new(|p| p.variants.clear())),
            (
                "variants.0.price",
                Box::new(|p| p.variants[0].price = "-3".into()),
            ),
            (
                "variants.0.stock",
                Box::new(|p| p.variants[0].stock = "-1".into()),
            ),
            (
                "variants.0.stock",
                Box::new(|p| p.variants[0].stock = "2.5".into()),
            ),
            (
                "variants.0.compare_at_price",
                Box::new(|p| p.variants[0].compare_at_price = "10".into()),
            ),
            (
                "variants.0.sku",
                Box::new(|p| p.variants[0].sku = "a b".into()),
            ),
            ("option_names", Box::new(|p| p.variants.push(variant("1")))),
            (
                "variants.0.options",
                Box::new(|p| p.option_names = vec!["Size".into()]),
            ),
            (
                "variants.1.options",
                Box::new(|p| {
                    p.option_names = vec!["Size".into()];
                    p.variants[0].option_values = vec!["M".into()];
                    let mut v = variant("2");
                    v.option_values = vec!["m".into()];
                    p.variants.push(v);
                }),
            ),
            (
                "variants.1.sku",
                Box::new(|p| {
                    p.option_names = vec!["Size".into()];
                    p.variants[0].option_values = vec!["M".into()];
                    p.variants[0].sku = "MUG-1".into();
                    let mut v = variant("2");
                    v.option_values = vec!["L".into()];
                    v.sku = "MUG-1".into();
                    p.variants.push(v);
                }),
            ),
            (
                "images",
                Box::new(|p| p.images = vec!["javascript:alert(1)".into()]),
            ),
            (
                "description",
                Box::new(|p| p.description = "[x](javascript:alert(1))".into()),
            ),
        ];
        for (field, change) in cases {
            let mut p = product();
            change(&mut p);
            let e = parse_product(&p).unwrap_err();
            assert_eq!(e.field(), Some(field), "{p:?}: {e}");
            assert_eq!(e.status(), 400);
        }
    }

    #[test]
    fn two_variants_with_options_are_accepted() {
        let mut p = product();
        p.option_names = vec!["Size".into()];
        p.variants[0].option_values = vec!["M".into()];
        let mut v = variant("14");
        v.option_values = vec!["L".into()];
        v.compare_at_price = "16".into();
        p.variants.push(v);
        let valid = parse_product(&p).unwrap();
        assert_eq!(valid.variants.len(), 2);
        assert_eq!(valid.variants[1].compare_at_price_cents, Some(1600));
    }
}
