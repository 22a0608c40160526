//! Parsing a (signature-checked) Stripe event into exactly what the handler applies. Every
//! field the handler needs is checked here, before any database work, so a malformed event
//! is refused whole and nothing of it is recorded or applied.

use serde_json::Value;
use uuid::Uuid;

/// The event types schema reference §6 maps onto `subscriptions`; anything else is recorded and ignored.
pub const SUBSCRIPTION_CREATED: &str = "customer.subscription.created";
pub const SUBSCRIPTION_UPDATED: &str = "customer.subscription.updated";
pub const SUBSCRIPTION_DELETED: &str = "customer.subscription.deleted";
pub const INVOICE_PAYMENT_FAILED: &str = "invoice.payment_failed";
pub const INVOICE_PAYMENT_SUCCEEDED: &str = "invoice.payment_succeeded";
/// A one-off Checkout session our app created, completed: a shop order's payment (issue 22)
/// or a pack of AI credits (issue 19).
pub const CHECKOUT_COMPLETED: &str = "checkout.session.completed";
/// A shop order's Checkout session ended unpaid: its stock goes back.
pub const CHECKOUT_EXPIRED: &str = "checkout.session.expired";
/// A shop payment refunded (in full or in part), also from the Stripe dashboard.
pub const CHARGE_REFUNDED: &str = "charge.refunded";
/// A shop's connected account changed (onboarding finished, Stripe needs more details).
pub const ACCOUNT_UPDATED: &str = "account.updated";

pub struct Event {
    pub id: String,
    pub kind: String,
    /// Unix seconds, Stripe's clock.
    pub created: i64,
    pub body: Body,
}

pub enum Body {
    Subscription(Subscription),
    Invoice(Invoice),
    ShopPayment(ShopPayment),
    CreditTopUp(CreditTopUp),
    ShopExpired(ShopOrderRef),
    ShopRefund(ShopRefund),
    ConnectAccount(ConnectAccount),
    /// A type we do not act on.
    Other,
}

pub struct Subscription {
    pub id: String,
    pub customer: String,
    /// Already mapped to our CHECK values (schema reference §6).
    pub status: &'static str,
    pub price_id: Option<String>,
    pub period_start: Option<i64>,
    pub period_end: Option<i64>,
    pub trial_end: Option<i64>,
    pub cancel_at_period_end: bool,
    pub canceled_at: Option<i64>,
    /// `metadata.tenant_id`, set by our checkout; links a customer seen for the first time.
    pub tenant_hint: Option<Uuid>,
}

pub struct Invoice {
    pub customer: String,
    /// The subscription the invoice bills; `None` for one-off invoices.
    pub subscription: Option<String>,
    /// What the billing page's invoice history keeps; `None` when the event's invoice lacks
    /// those fields.
    pub record: Option<app::db::invoices::InvoiceRecord>,
}

/// A shop order's completed Checkout session: the order and tenant come from the metadata our
/// checkout set on the session, and the order must carry that very session id.
pub struct ShopPayment {
    pub session: String,
    pub tenant: Uuid,
    pub order: Uuid,
    /// The payment intent, or the session when Stripe sends none.
    pub reference: String,
    /// `payment_status` is `paid` (asynchronous methods complete unpaid first).
    pub paid: bool,
    /// `amount_total` and `currency` of the session: what the customer was charged, which
    /// must be the order's total after its discount.
    pub charged: Option<(i64, String)>,
}

/// A shop order's Checkout session, named by the metadata our checkout set on it.
pub struct ShopOrderRef {
    pub session: String,
    pub tenant: Uuid,
    pub order: Uuid,
}

/// A shop payment's charge refunded: the order from the metadata our checkout set on the
/// payment (Stripe copies it onto the charge), which must carry this payment intent.
pub struct ShopRefund {
    pub charge: String,
    pub payment_intent: String,
    pub tenant: Uuid,
    pub order: Uuid,
    /// Stripe's running total refunded on the charge.
    pub amount_refunded: i64,
}

/// A connected account's state; the tenant from the metadata our onboarding set on it.
pub struct ConnectAccount {
    pub account: String,
    pub tenant: Option<Uuid>,
    pub charges_enabled: bool,
    pub details_submitted: bool,
}

fn is_shop_order(obj: &Value) -> bool {
    obj.pointer("/metadata/sitepilot_kind")
        .and_then(Value::as_str)
        == Some("shop_order")
}

fn shop_order_ref(obj: &Value) -> Result<Option<ShopOrderRef>, Malformed> {
    if !is_shop_order(obj) {
        return Ok(None);
    }
    Ok(Some(ShopOrderRef {
        session: str_at(obj, "id", "data.object.id")?.to_string(),
        tenant: uuid_at(
            obj,
            "/metadata/sitepilot_tenant",
            "data.object.metadata.sitepilot_tenant",
        )?,
        order: uuid_at(
            obj,
            "/metadata/sitepilot_order",
            "data.object.metadata.sitepilot_order",
        )?,
    }))
}

fn shop_refund(obj: &Value) -> Result<Option<ShopRefund>, Malformed> {
    if !is_shop_order(obj) {
        return Ok(None);
    }
    Ok(Some(ShopRefund {
        charge: str_at(obj, "id", "data.object.id")?.to_string(),
        payment_intent: id_at(obj, "payment_intent")
            .ok_or_else(|| missing("data.object.payment_intent"))?,
        tenant: uuid_at(
            obj,
            "/metadata/sitepilot_tenant",
            "data.object.metadata.sitepilot_tenant",
        )?,
        order: uuid_at(
            obj,
            "/metadata/sitepilot_order",
            "data.object.metadata.sitepilot_order",
        )?,
        amount_refunded: obj
            .get("amount_refunded")
            .and_then(Value::as_i64)
            .filter(|a| *a >= 0)
            .ok_or_else(|| missing("data.object.amount_refunded"))?,
    }))
}

fn connect_account(obj: &Value) -> Result<ConnectAccount, Malformed> {
    let account = str_at(obj, "id", "data.object.id")?;
    if !account.starts_with("acct_") {
        return Err(missing("data.object.id"));
    }
    let flag = |k: &str| obj.get(k).and_then(Value::as_bool).unwrap_or(false);
    Ok(ConnectAccount {
        account: account.to_string(),
        tenant: obj
            .pointer("/metadata/tenant_id")
            .and_then(Value::as_str)
            .and_then(|s| Uuid::parse_str(s).ok()),
        charges_enabled: flag("charges_enabled"),
        details_submitted: flag("details_submitted"),
    })
}

/// A pack of AI credits paid through Checkout (issue 19): tenant and pack from the metadata
/// our checkout set.
pub struct CreditTopUp {
    pub session: String,
    pub tenant: Uuid,
    pub pack: app::model::CreditPack,
    /// `payment_status` is `paid`.
    pub paid: bool,
    /// The session charged the pack's price in its currency.
    pub amount_matches: bool,
}

fn credit_top_up(obj: &Value) -> Result<CreditTopUp, Malformed> {
    let pack = obj
        .pointer("/metadata/sitepilot_pack")
        .and_then(Value::as_str)
        .and_then(app::model::CreditPack::find)
        .ok_or_else(|| missing("data.object.metadata.sitepilot_pack"))?;
    let amount_matches = obj.get("amount_total").and_then(Value::as_i64) == Some(pack.price_cents)
        && obj.get("currency").and_then(Value::as_str) == Some(app::model::CREDIT_PACK_CURRENCY);
    Ok(CreditTopUp {
        session: str_at(obj, "id", "data.object.id")?.to_string(),
        tenant: uuid_at(
            obj,
            "/metadata/sitepilot_tenant",
            "data.object.metadata.sitepilot_tenant",
        )?,
        pack,
        paid: obj.get("payment_status").and_then(Value::as_str) == Some("paid"),
        amount_matches,
    })
}

fn uuid_at(obj: &Value, pointer: &str, path: &str) -> Result<Uuid, Malformed> {
    obj.pointer(pointer)
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| missing(path))
}

/// `None` for a session that is not a shop order's (billing's own checkout).
fn shop_payment(obj: &Value) -> Result<Option<ShopPayment>, Malformed> {
    if obj
        .pointer("/metadata/sitepilot_kind")
        .and_then(Value::as_str)
        != Some("shop_order")
    {
        return Ok(None);
    }
    let session = str_at(obj, "id", "data.object.id")?.to_string();
    Ok(Some(ShopPayment {
        tenant: uuid_at(
            obj,
            "/metadata/sitepilot_tenant",
            "data.object.metadata.sitepilot_tenant",
        )?,
        order: uuid_at(
            obj,
            "/metadata/sitepilot_order",
            "data.object.metadata.sitepilot_order",
        )?,
        reference: id_at(obj, "payment_intent").unwrap_or_else(|| session.clone()),
        paid: obj.get("payment_status").and_then(Value::as_str) == Some("paid"),
        charged: obj
            .get("amount_total")
            .and_then(Value::as_i64)
            .zip(obj.get("currency").and_then(Value::as_str))
            .map(|(a, c)| (a, c.to_string())),
        session,
    }))
}

/// Why an event was refused; the message names the missing or wrong field.
#[derive(Debug)]
pub struct Malformed(pub String);

fn missing(path: &str) -> Malformed {
    Malformed(format!("The event has no valid `{path}`."))
}

fn str_at<'a>(v: &'a Value, key: &str, path: &str) -> Result<&'a str, Malformed> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| missing(path))
}

/// Stripe sends either an id or, when expanded, the object with its id.
fn id_at(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(id_of)
}

fn id_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Object(o) => o.get("id").and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
}

fn time_at(v: &Value, key: &str) -> Option<i64> {
    v.get(key).and_then(Value::as_i64)
}

/// Stripe's subscription statuses onto ours (schema reference §6 spells "cancelled").
fn map_status(stripe: &str) -> Option<&'static str> {
    Some(match stripe {
        "active" => "active",
        "trialing" => "trialing",
        "past_due" => "past_due",
        "unpaid" => "unpaid",
        "incomplete" => "incomplete",
        "paused" => "paused",
        "canceled" | "incomplete_expired" => "cancelled",
        _ => return None,
    })
}

fn subscription(obj: &Value) -> Result<Subscription, Malformed> {
    let status = str_at(obj, "status", "data.object.status")?;
    // `items.data[0]` in Stripe's API; schema reference Flow 5 abbreviates it to `items[0]`.
    let items = obj.get("items");
    let first = items.and_then(|i| i.get("data").unwrap_or(i).get(0));
    let price_id = first.and_then(|item| item.get("price")).and_then(id_of);
    // Newer API versions moved the period onto the item; older ones have it on the subscription.
    let period =
        |key: &str| time_at(obj, key).or_else(|| first.and_then(|item| time_at(item, key)));
    let tenant_hint = obj.pointer("/metadata/tenant_id").and_then(Value::as_str);
    let tenant_hint = match tenant_hint {
        Some(s) => Some(Uuid::parse_str(s).map_err(|_| missing("data.object.metadata.tenant_id"))?),
        None => None,
    };
    Ok(Subscription {
        id: str_at(obj, "id", "data.object.id")?.to_string(),
        customer: id_at(obj, "customer").ok_or_else(|| missing("data.object.customer"))?,
        status: map_status(status).ok_or_else(|| missing("data.object.status"))?,
        price_id,
        period_start: period("current_period_start"),
        period_end: period("current_period_end"),
        trial_end: time_at(obj, "trial_end"),
        cancel_at_period_end: obj
            .get("cancel_at_period_end")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        canceled_at: time_at(obj, "canceled_at"),
        tenant_hint,
    })
}

fn invoice(obj: &Value) -> Result<Invoice, Malformed> {
    // Older API versions: `subscription`; newer: `parent.subscription_details.subscription`.
    let subscription = id_at(obj, "subscription").or_else(|| {
        obj.pointer("/parent/subscription_details")
            .and_then(|d| id_at(d, "subscription"))
    });
    Ok(Invoice {
        customer: id_at(obj, "customer").ok_or_else(|| missing("data.object.customer"))?,
        subscription,
        record: app::api::invoices::record_of(obj),
    })
}

pub fn parse(raw: &[u8]) -> Result<Event, Malformed> {
    let v: Value = serde_json::from_slice(raw)
        .map_err(|e| Malformed(format!("The body is not JSON: {e}.")))?;
    let id = str_at(&v, "id", "id")?.to_string();
    let kind = str_at(&v, "type", "type")?.to_string();
    let created = time_at(&v, "created").ok_or_else(|| missing("created"))?;
    let obj = v
        .pointer("/data/object")
        .filter(|o| o.is_object())
        .ok_or_else(|| missing("data.object"))?;
    let body = match kind.as_str() {
        SUBSCRIPTION_CREATED | SUBSCRIPTION_UPDATED | SUBSCRIPTION_DELETED => {
            let sub = subscription(obj)?;
            // A live subscription must say what it is for; a deleted one ends whatever it was.
            if kind != SUBSCRIPTION_DELETED && sub.price_id.is_none() {
                return Err(missing("data.object.items.data[0].price.id"));
            }
            Body::Subscription(sub)
        }
        INVOICE_PAYMENT_FAILED | INVOICE_PAYMENT_SUCCEEDED => Body::Invoice(invoice(obj)?),
        CHECKOUT_COMPLETED => match obj
            .pointer("/metadata/sitepilot_kind")
            .and_then(Value::as_str)
        {
            Some("ai_credits") => Body::CreditTopUp(credit_top_up(obj)?),
            _ => match shop_payment(obj)? {
                Some(p) => Body::ShopPayment(p),
                None => Body::Other,
            },
        },
        CHECKOUT_EXPIRED => shop_order_ref(obj)?.map_or(Body::Other, Body::ShopExpired),
        CHARGE_REFUNDED => shop_refund(obj)?.map_or(Body::Other, Body::ShopRefund),
        ACCOUNT_UPDATED => Body::ConnectAccount(connect_account(obj)?),
        _ => Body::Other,
    };
    Ok(Event {
        id,
        kind,
        created,
        body,
    })
}
