//! A visitor's cart and the orders checkout makes (issue 22 parts 3 and 4), as the visitor
//! pages show them. Money is in minor units of the cart's currency, like the catalogue's.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::promotions::{CartCode, ScopedLine};

/// Different variants one cart may hold.
pub const CART_LINES_MAX: usize = 50;
/// Units of one variant one cart may hold.
pub const CART_QUANTITY_MAX: i32 = 99;
/// How long checkout holds the stock it reserved for an unpaid order.
pub const RESERVATION_MINUTES: i64 = 30;

/// One variant in a cart, read live (price, stock, availability).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CartLine {
    pub variant_id: Uuid,
    pub product_id: Uuid,
    /// The product's categories (a discount code may be scoped to them).
    pub category_ids: Vec<Uuid>,
    pub product_slug: String,
    pub title: String,
    pub option_values: Vec<String>,
    pub quantity: i32,
    pub unit_price_cents: i64,
    /// Units left when the variant's stock is tracked.
    pub stock: Option<i32>,
    /// The product is still on sale and (when tracked) has stock for this quantity.
    pub available: bool,
}

impl CartLine {
    pub fn total_cents(&self) -> i64 {
        self.unit_price_cents * i64::from(self.quantity)
    }

    /// "Mug" or "T-shirt (M / Blue)".
    pub fn label(&self) -> String {
        if self.option_values.is_empty() {
            self.title.clone()
        } else {
            format!("{} ({})", self.title, self.option_values.join(" / "))
        }
    }
}

/// A visitor's open cart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CartView {
    pub id: Uuid,
    pub currency: String,
    pub lines: Vec<CartLine>,
    /// The discount code the visitor entered, with its discount or why it does not apply.
    pub code: Option<CartCode>,
}

impl CartView {
    pub fn subtotal_cents(&self) -> i64 {
        self.lines.iter().map(CartLine::total_cents).sum()
    }

    pub fn items(&self) -> i64 {
        self.lines.iter().map(|l| i64::from(l.quantity)).sum()
    }

    /// What the code takes off (0 without a code, or when it does not apply).
    pub fn discount_cents(&self) -> i64 {
        self.code
            .as_ref()
            .and_then(|c| c.outcome.as_ref().ok())
            .map_or(0, |a| a.discount_cents)
    }

    /// The subtotal less the discount, never below zero.
    pub fn total_cents(&self) -> i64 {
        (self.subtotal_cents() - self.discount_cents()).max(0)
    }

    /// The lines as a discount code's rules see them.
    pub fn scoped_lines(&self) -> Vec<ScopedLine> {
        self.lines
            .iter()
            .map(|l| ScopedLine {
                product_id: l.product_id,
                category_ids: l.category_ids.clone(),
                subtotal_cents: l.total_cents(),
            })
            .collect()
    }
}

/// What checkout created: a pending order holding its stock until `reserved_until`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderPlaced {
    pub id: Uuid,
    pub order_number: String,
    pub currency: String,
    pub total_cents: i64,
    pub customer_email: String,
    pub reserved_until: DateTime<Utc>,
}

/// An order as its customer sees it after paying (or while it waits for payment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderReceipt {
    pub id: Uuid,
    pub order_number: String,
    pub status: String,
    pub payment_status: String,
    pub currency: String,
    pub total_cents: i64,
    /// Taken off by `promotion_code` (0 without a code).
    pub discount_cents: i64,
    pub promotion_code: Option<String>,
    pub customer_email: String,
    /// (label, quantity, line total after its share of the discount)
    pub lines: Vec<(String, i32, i64)>,
}

/// Where an order can go next, as the team moves it along (pending → paid by the payment;
/// then fulfilled → shipped → delivered). A pending order may be cancelled (its stock goes
/// back).
pub fn next_order_status(current: &str) -> Option<&'static str> {
    match current {
        "paid" => Some("fulfilled"),
        "fulfilled" => Some("shipped"),
        "shipped" => Some("delivered"),
        _ => None,
    }
}

/// "Mark fulfilled" for the team's button.
pub fn order_action_label(next: &str) -> &'static str {
    match next {
        "fulfilled" => "Mark fulfilled",
        "shipped" => "Mark shipped",
        "delivered" => "Mark delivered",
        "cancelled" => "Cancel order",
        _ => "Update",
    }
}

/// One row of the team's order list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderSummary {
    pub id: Uuid,
    pub order_number: String,
    pub customer_email: String,
    pub status: String,
    pub payment_status: String,
    pub currency: String,
    pub total_cents: i64,
    /// Taken off by `promotion_code` (0 without a code).
    pub discount_cents: i64,
    pub promotion_code: Option<String>,
    pub items: i64,
    pub created_at: DateTime<Utc>,
    /// Its status changes, oldest first.
    pub history: Vec<OrderEvent>,
}

/// A status change of an order, newest last.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderEvent {
    pub status: String,
    pub payment_status: Option<String>,
    pub notes: Option<String>,
    pub at: DateTime<Utc>,
}

/// A website's orders for the team (newest first, at most [`ORDER_LIST_LIMIT`]), with the
/// status history of each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrdersOverview {
    pub website_id: Uuid,
    pub website_name: String,
    pub can_edit: bool,
    /// The caller may refund paid orders (`Role::can_refund_orders`).
    #[serde(default)]
    pub can_refund: bool,
    pub orders: Vec<OrderSummary>,
}

pub const ORDER_LIST_LIMIT: i64 = 200;

/// Where the shop's payment account (Stripe Connect Express) stands, as the billing page's
/// "Payments" card shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaymentsState {
    /// No connected account yet.
    NotConnected,
    /// The account exists but Stripe cannot charge for it yet (onboarding unfinished, or
    /// Stripe needs more details).
    Incomplete,
    /// Stripe says the account can take payments: live checkout is on.
    Ready,
}

impl PaymentsState {
    pub fn of(account: bool, charges_enabled: bool) -> Self {
        match (account, charges_enabled) {
            (false, _) => Self::NotConnected,
            (true, false) => Self::Incomplete,
            (true, true) => Self::Ready,
        }
    }
}

/// The "Payments" card: whether the server has Stripe keys, and the tenant's account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentsAccount {
    /// `STRIPE_SECRET_KEY` is set: live payments are possible once the account is ready.
    pub stripe_configured: bool,
    /// The server runs the local signed test mode (no real money).
    pub test_mode: bool,
    pub state: PaymentsState,
    pub details_submitted: bool,
}
