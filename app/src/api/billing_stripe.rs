//! Plan changes through the real Stripe API, when the server has
//! `STRIPE_SECRET_KEY`: a Checkout session for a new subscription and the customer portal for
//! changing or cancelling one. The tenant's Stripe customer is created once (at sign-up, or
//! here on first use) and kept in `tenants.stripe_customer_id`. The plan itself still changes
//! only when Stripe's signed webhook says so.
//!
//! The HTTP client lives in the server crate (`server::stripe::client`) and reaches these
//! functions as [`StripeApi`] in context, so no HTTP or TLS code enters the wasm build.

use super::wire::WireJson;
use leptos::prelude::*;

use crate::error::AppError;

#[cfg(feature = "ssr")]
pub use ssr::*;

/// Starts Stripe Checkout for `plan` (slug) on `cycle` (monthly | yearly); returns the
/// Checkout page's URL for the browser to open. Owner only; needs a tenant without a live
/// paid subscription (a live one is changed in the portal, so nobody pays twice).
#[server(endpoint = "billing/checkout", input = WireJson, output = WireJson)]
pub async fn start_checkout(plan: String, cycle: String) -> Result<String, AppError> {
    use crate::db::billing_stripe as db;
    let (member, mut tx) =
        super::ctx::member_tx(crate::model::Role::can_manage_billing, ssr::OWNER_ONLY).await?;
    let api = ssr::stripe()?;
    if !matches!(cycle.as_str(), "monthly" | "yearly") {
        return Err(AppError::invalid(
            "cycle",
            "Choose monthly or yearly billing.",
        ));
    }
    let target = db::checkout_target(&mut tx, member.tenant_id, &plan, &cycle).await?;
    if !target.paid {
        return Err(AppError::invalid("plan", "The free plan needs no checkout. To leave a paid plan, cancel it in the customer portal."));
    }
    let Some(price) = target.price else {
        return Err(AppError::invalid("plan", format!("This plan has no Stripe price for {cycle} billing yet. Choose the other cycle or ask support.")));
    };
    if target.live_subscription && target.current_price.as_deref() == Some(price.as_str()) {
        return Err(AppError::invalid(
            "plan",
            "You are already on this plan and billing cycle.",
        ));
    }
    if target.live_subscription {
        return Err(AppError::invalid("plan", "You already have a subscription: change or cancel it in the Stripe customer portal (Manage subscription)."));
    }
    let customer = ssr::ensure_customer(&mut tx, member.tenant_id, &api).await?;
    // The customer is kept even if Checkout fails below: it is valid and reused next time.
    tx.commit().await?;
    let base = ssr::return_base()?;
    let tenant = member.tenant_id.to_string();
    let form = vec![
        ("mode".into(), "subscription".into()),
        ("customer".into(), customer),
        ("line_items[0][price]".into(), price),
        ("line_items[0][quantity]".into(), "1".into()),
        (
            "success_url".into(),
            format!("{base}/billing?checkout=success&session_id={{CHECKOUT_SESSION_ID}}"),
        ),
        (
            "cancel_url".into(),
            format!("{base}/billing?checkout=cancelled"),
        ),
        ("client_reference_id".into(), tenant.clone()),
        ("metadata[tenant_id]".into(), tenant.clone()),
        // The webhook's subscription events carry this, naming the tenant (schema reference Flow 5).
        ("subscription_data[metadata][tenant_id]".into(), tenant),
    ];
    let key = format!("sitepilot-checkout-{}", uuid::Uuid::new_v4());
    let session = api.post(ssr::CHECKOUT_SESSIONS, form, Some(key)).await?;
    ssr::url_of(&session)
}

/// Opens the Stripe customer portal (change plan or cycle, cancel, payment method, invoices);
/// returns its URL. Owner only.
#[server(endpoint = "billing/portal", output = WireJson)]
pub async fn open_portal() -> Result<String, AppError> {
    let (member, mut tx) =
        super::ctx::member_tx(crate::model::Role::can_manage_billing, ssr::OWNER_ONLY).await?;
    let api = ssr::stripe()?;
    let customer = ssr::ensure_customer(&mut tx, member.tenant_id, &api).await?;
    tx.commit().await?;
    let form = vec![
        ("customer".into(), customer),
        (
            "return_url".into(),
            format!("{}/billing", ssr::return_base()?),
        ),
    ];
    let key = format!("sitepilot-portal-{}", uuid::Uuid::new_v4());
    let session = api.post(ssr::PORTAL_SESSIONS, form, Some(key)).await?;
    ssr::url_of(&session)
}

#[cfg(feature = "ssr")]
mod ssr {
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Arc;

    use leptos::prelude::use_context;
    use uuid::Uuid;

    use crate::db::{billing_stripe as db, Tx};
    use crate::error::AppError;

    pub const OWNER_ONLY: &str =
        "Only the account owner can see and change billing. Ask your owner to change the plan.";
    pub const CUSTOMERS: &str = "/v1/customers";
    pub const CHECKOUT_SESSIONS: &str = "/v1/checkout/sessions";
    pub const PORTAL_SESSIONS: &str = "/v1/billing_portal/sessions";

    pub type StripeFuture =
        Pin<Box<dyn Future<Output = Result<serde_json::Value, AppError>> + Send>>;

    pub const INVOICES: &str = "/v1/invoices";

    /// How a call reaches Stripe: a POST sends its fields as the form body, a GET (the list
    /// endpoints) as the query string.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum StripeMethod {
        Get,
        Post,
    }

    /// The call behind [`StripeApi`]: method, `path`, fields, optional `Idempotency-Key`.
    pub type StripeCall = dyn Fn(StripeMethod, String, Vec<(String, String)>, Option<String>) -> StripeFuture
        + Send
        + Sync;

    /// One call to the Stripe API (a form-encoded POST, or a GET with a query string),
    /// answering Stripe's JSON object or a clear error. Provided by the server only when
    /// `STRIPE_SECRET_KEY` is set.
    #[derive(Clone)]
    pub struct StripeApi(pub Arc<StripeCall>);

    impl StripeApi {
        pub fn post(
            &self,
            path: &str,
            form: Vec<(String, String)>,
            key: Option<String>,
        ) -> StripeFuture {
            (self.0)(StripeMethod::Post, path.to_string(), form, key)
        }

        /// A GET of `path` with `query` (a list endpoint, e.g. the customer's invoices).
        pub fn get(&self, path: &str, query: Vec<(String, String)>) -> StripeFuture {
            (self.0)(StripeMethod::Get, path.to_string(), query, None)
        }
    }

    pub fn stripe() -> Result<StripeApi, AppError> {
        use_context::<StripeApi>().ok_or_else(|| {
            AppError::forbidden(
                "Online payment is not configured on this server (STRIPE_SECRET_KEY is not set).",
            )
        })
    }

    /// Where Stripe sends the browser back to: the app's public origin.
    pub fn return_base() -> Result<String, AppError> {
        super::super::ctx::link_base()
    }

    pub fn url_of(object: &serde_json::Value) -> Result<String, AppError> {
        match object.get("url").and_then(|u| u.as_str()) {
            Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
                Ok(url.to_string())
            }
            _ => {
                tracing::error!(object = %object, "stripe session without a url");
                Err(AppError::Internal)
            }
        }
    }

    /// The tenant's Stripe customer, created (and stored in `tx`) if it has none yet. The
    /// tenant row stays locked until `tx` ends, so concurrent calls create one customer; the
    /// idempotency key makes Stripe answer a retry (say, after a failed commit) with the same one.
    pub async fn ensure_customer(
        tx: &mut Tx,
        tenant: Uuid,
        api: &StripeApi,
    ) -> Result<String, AppError> {
        if let Some(id) = db::lock_customer(tx, tenant).await? {
            return Ok(id);
        }
        let who = db::customer_details(tx, tenant).await?;
        let form = vec![
            ("email".into(), who.email),
            ("name".into(), who.name),
            ("metadata[tenant_id]".into(), tenant.to_string()),
        ];
        let customer = api
            .post(
                CUSTOMERS,
                form,
                Some(format!("sitepilot-customer-{tenant}")),
            )
            .await?;
        let Some(id) = customer
            .get("id")
            .and_then(|v| v.as_str())
            .filter(|id| id.starts_with("cus_"))
        else {
            tracing::error!(object = %customer, "stripe customer without an id");
            return Err(AppError::Internal);
        };
        db::store_customer(tx, tenant, id).await?;
        tracing::info!(%tenant, customer = id, "stripe customer created");
        Ok(id.to_string())
    }

    /// Schema reference Flow 1 step 6: a Stripe customer for every new tenant. Called after the sign-up
    /// transaction committed; if Stripe is down the account still opens, and checkout creates
    /// the customer later.
    pub async fn customer_at_signup(pool: &sqlx::PgPool, tenant: Uuid) {
        let Some(api) = use_context::<StripeApi>() else {
            return;
        };
        let result = async {
            let mut tx = crate::db::tenant_tx(pool, tenant).await?;
            ensure_customer(&mut tx, tenant, &api).await?;
            tx.commit().await?;
            Ok::<_, AppError>(())
        };
        if let Err(e) = result.await {
            tracing::warn!(%tenant, error = %e, "stripe customer not created at sign-up; checkout will create it");
        }
    }
}
