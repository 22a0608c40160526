//! The shop's payment account: Stripe Connect **Express** (issue 22 "Deliver 3"). The owner
//! connects once per organisation; Stripe hosts the onboarding (identity, bank account), and
//! the shop's Checkout sessions are then created on the platform as destination charges to the
//! account (`payment_intent_data[transfer_data][destination]`), so every event about them
//! reaches the platform's one webhook endpoint. Owner only, like billing.

use super::wire::WireJson;
use leptos::prelude::*;

use crate::error::AppError;
use crate::model::PaymentsAccount;

#[cfg(feature = "ssr")]
pub use ssr::*;

/// The "Payments" card: whether the server has Stripe keys and where the account stands. An
/// account that cannot take payments yet is read from Stripe first (the owner may just have
/// come back from onboarding); if Stripe cannot be reached the stored state is shown.
#[server(endpoint = "shop/payments", output = WireJson)]
pub async fn payments_status() -> Result<PaymentsAccount, AppError> {
    use crate::model::{PaymentsState, Role};
    let (member, mut tx) = super::ctx::member_tx(Role::can_manage_billing, ssr::OWNER_ONLY).await?;
    let state = super::ctx::state()?;
    let mut account = crate::db::shop_payments::account(&mut tx, member.tenant_id).await?;
    let api = use_context::<super::billing_stripe::StripeApi>();
    if let (Some(api), Some(id), false) = (&api, &account.account_id, account.charges_enabled) {
        match ssr::sync_account(&mut tx, member.tenant_id, api, id).await {
            Ok(()) => {
                account = crate::db::shop_payments::account(&mut tx, member.tenant_id).await?
            }
            Err(e) => tracing::warn!(error = %e, "connected account not refreshed from Stripe"),
        }
    }
    tx.commit().await?;
    Ok(PaymentsAccount {
        stripe_configured: api.is_some(),
        test_mode: state.payments.test_mode.is_some(),
        state: PaymentsState::of(account.account_id.is_some(), account.charges_enabled),
        details_submitted: account.details_submitted,
    })
}

/// Starts (or continues) Stripe's onboarding of the shop's payment account: creates the
/// Express account once per organisation, then a fresh onboarding link; returns the link for
/// the browser to open. Owner only; needs `STRIPE_SECRET_KEY`.
#[server(endpoint = "shop/payments/connect", output = WireJson)]
pub async fn connect_payments() -> Result<String, AppError> {
    let (member, mut tx) =
        super::ctx::member_tx(crate::model::Role::can_manage_billing, ssr::OWNER_ONLY).await?;
    let api = super::billing_stripe::stripe()?;
    let account = ssr::ensure_account(&mut tx, member.tenant_id, &api).await?;
    // The account is kept even if the link fails below: it is valid and reused next time.
    tx.commit().await?;
    let base = super::ctx::link_base()?;
    let form = vec![
        ("account".into(), account),
        ("type".into(), "account_onboarding".into()),
        (
            "refresh_url".into(),
            format!("{base}/billing?payments=refresh"),
        ),
        (
            "return_url".into(),
            format!("{base}/billing?payments=return"),
        ),
    ];
    let key = format!("sitepilot-account-link-{}", uuid::Uuid::new_v4());
    let link = api.post(ssr::ACCOUNT_LINKS, form, Some(key)).await?;
    super::billing_stripe::url_of(&link)
}

#[cfg(feature = "ssr")]
mod ssr {
    use uuid::Uuid;

    use crate::api::billing_stripe::StripeApi;
    use crate::db::{shop_payments as db, Tx};
    use crate::error::AppError;

    pub const OWNER_ONLY: &str =
        "Only the account owner can connect the shop's payment account. Ask your owner to do it.";
    pub const ACCOUNTS: &str = "/v1/accounts";
    pub const ACCOUNT_LINKS: &str = "/v1/account_links";

    /// The tenant's connected account, created (and stored in `tx`) if it has none. The tenant
    /// row stays locked until `tx` ends, so concurrent calls (on any server instance) create one
    /// account; the idempotency key makes Stripe answer a retry with the same account.
    pub async fn ensure_account(
        tx: &mut Tx,
        tenant: Uuid,
        api: &StripeApi,
    ) -> Result<String, AppError> {
        if let Some(id) = db::lock_account(tx, tenant).await? {
            return Ok(id);
        }
        let who = crate::db::billing_stripe::customer_details(tx, tenant).await?;
        let form = vec![
            ("type".into(), "express".into()),
            ("email".into(), who.email),
            ("business_profile[name]".into(), who.name),
            (
                "capabilities[card_payments][requested]".into(),
                "true".into(),
            ),
            ("capabilities[transfers][requested]".into(), "true".into()),
            ("metadata[tenant_id]".into(), tenant.to_string()),
        ];
        let key = format!("sitepilot-connect-account-{tenant}");
        let account = api.post(ACCOUNTS, form, Some(key)).await?;
        let Some(id) = account
            .get("id")
            .and_then(|v| v.as_str())
            .filter(|id| id.starts_with("acct_"))
        else {
            tracing::error!(object = %account, "stripe account without an id");
            return Err(AppError::Internal);
        };
        db::store_account(tx, tenant, id).await?;
        tracing::info!(%tenant, account = id, "stripe connected account created");
        Ok(id.to_string())
    }

    /// Reads the account from Stripe (`GET /v1/accounts/{id}`) and stores whether it can take
    /// charges, stamped with this moment: any `account.updated` event older than the read
    /// is then stale.
    pub async fn sync_account(
        tx: &mut Tx,
        tenant: Uuid,
        api: &StripeApi,
        account_id: &str,
    ) -> Result<(), AppError> {
        let object = api.get(&format!("{ACCOUNTS}/{account_id}"), vec![]).await?;
        let flag = |k: &str| object.get(k).and_then(|v| v.as_bool()).unwrap_or(false);
        let state = (flag("charges_enabled"), flag("details_submitted"));
        db::set_state(
            tx,
            tenant,
            account_id,
            state,
            chrono::Utc::now().timestamp(),
        )
        .await?;
        Ok(())
    }
}
