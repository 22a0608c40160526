//! Buying AI credits (issue 19 §5): a one-off Stripe Checkout payment for a fixed pack. The
//! session's metadata names the tenant and the pack; Stripe's signed
//! `checkout.session.completed` adds a `top_up` ledger row once per session
//! (`server::stripe::apply`). Without Stripe, the local billing test mode sends the same
//! signed event through the same handler; with neither, buying is refused and the page says why.

use leptos::prelude::use_context;

use crate::api::billing::{test_event, TestModeWebhook};
use crate::api::billing_stripe::{self as stripe, StripeApi};
use crate::error::AppError;
use crate::model::{CreditPack, Role, TopUpStarted, CREDIT_PACKS, CREDIT_PACK_CURRENCY};

const OWNER_ONLY: &str = "Only the account owner can buy AI credits.";
const NO_PAYMENTS: &str = "Buying credits needs online payment, which this server has not configured (STRIPE_SECRET_KEY is not set).";

/// Whether `role` can buy credits on this server, or why not.
pub fn available(role: Role) -> Result<(), String> {
    if !role.can_manage_billing() {
        return Err(OWNER_ONLY.into());
    }
    if use_context::<StripeApi>().is_none() && use_context::<TestModeWebhook>().is_none() {
        return Err(NO_PAYMENTS.into());
    }
    Ok(())
}

/// What the webhook reads back from the session's metadata: the tenant and the pack.
fn metadata(tenant: uuid::Uuid, pack: &CreditPack) -> [(&'static str, String); 3] {
    [
        ("sitepilot_kind", "ai_credits".into()),
        ("sitepilot_tenant", tenant.to_string()),
        ("sitepilot_pack", pack.id.into()),
    ]
}

pub async fn buy(pack: String) -> Result<TopUpStarted, AppError> {
    let (member, mut tx) = crate::api::ctx::member_tx(Role::can_manage_billing, OWNER_ONLY).await?;
    let Some(pack) = CreditPack::find(pack.trim()) else {
        let known = CREDIT_PACKS.map(|p| p.id).join(", ");
        return Err(AppError::invalid(
            "pack",
            format!("Choose one of the credit packs ({known})."),
        ));
    };
    let tenant = member.tenant_id;
    if let Some(api) = use_context::<StripeApi>() {
        let customer = stripe::ensure_customer(&mut tx, tenant, &api).await?;
        tx.commit().await?;
        let base = stripe::return_base()?;
        let mut form: Vec<(String, String)> = vec![
            ("mode".into(), "payment".into()),
            ("customer".into(), customer),
            (
                "line_items[0][price_data][currency]".into(),
                CREDIT_PACK_CURRENCY.into(),
            ),
            (
                "line_items[0][price_data][unit_amount]".into(),
                pack.price_cents.to_string(),
            ),
            (
                "line_items[0][price_data][product_data][name]".into(),
                format!("SitePilot AI credits ({})", pack.credits),
            ),
            ("line_items[0][quantity]".into(), "1".into()),
            (
                "success_url".into(),
                format!("{base}/billing?credits=bought"),
            ),
            (
                "cancel_url".into(),
                format!("{base}/billing?credits=cancelled"),
            ),
            ("client_reference_id".into(), tenant.to_string()),
        ];
        form.extend(metadata(tenant, &pack).map(|(k, v)| (format!("metadata[{k}]"), v)));
        let key = format!("sitepilot-credits-{}", uuid::Uuid::new_v4());
        let session = api.post(stripe::CHECKOUT_SESSIONS, form, Some(key)).await?;
        return Ok(TopUpStarted {
            checkout_url: Some(stripe::url_of(&session)?),
        });
    }
    tx.commit().await?;
    let Some(hook) = use_context::<TestModeWebhook>() else {
        return Err(AppError::forbidden(NO_PAYMENTS));
    };
    let id = uuid::Uuid::new_v4().simple();
    let event = test_event::checkout_completed(
        &format!("cs_test_{id}"),
        &format!("pi_test_{id}"),
        Some((pack.price_cents, CREDIT_PACK_CURRENCY)),
        serde_json::Value::Object(
            metadata(tenant, &pack)
                .map(|(k, v)| (k.to_string(), v.into()))
                .into_iter()
                .collect(),
        ),
    );
    crate::api::billing::deliver(&hook, event).await?;
    Ok(TopUpStarted { checkout_url: None })
}
