//! Invoice history on the billing page (issue 23 part 6), for the owner. With Stripe keys the
//! list is asked of the Stripe API (it knows invoices from before our webhook was set up) and
//! kept in `billing_invoices`; in local test mode the simulated invoice events are the list.
//! Either way the page reads the table, so dates come out in the organisation's timezone.

use super::wire::WireJson;
use leptos::prelude::*;

use crate::error::AppError;
use crate::model::InvoiceHistory;

#[cfg(feature = "ssr")]
pub use ssr::*;

/// How many invoices the billing page lists, newest first.
pub const INVOICES_SHOWN: i64 = 24;

/// The organisation's invoices, newest first. Owner only.
#[server(endpoint = "billing/invoices", output = WireJson)]
pub async fn load_invoices() -> Result<InvoiceHistory, AppError> {
    use crate::api::billing::TestModeWebhook;
    use crate::api::billing_stripe::{StripeApi, INVOICES, OWNER_ONLY};
    use crate::model::{InvoiceSource, Role};

    let (member, mut tx) = super::ctx::member_tx(Role::can_manage_billing, OWNER_ONLY).await?;
    let stripe = use_context::<StripeApi>();
    let source = match (&stripe, use_context::<TestModeWebhook>().is_some()) {
        (Some(_), _) => InvoiceSource::Stripe,
        (None, true) => InvoiceSource::TestMode,
        (None, false) => InvoiceSource::Unconfigured,
    };
    let mut notice = None;
    if let Some(api) = stripe {
        let customer = crate::db::invoices::stripe_customer(&mut tx).await?;
        // No transaction stays open across the call to Stripe.
        tx.commit().await?;
        if let Some(customer) = customer {
            let query = vec![
                ("customer".to_string(), customer),
                ("limit".to_string(), INVOICES_SHOWN.to_string()),
            ];
            match api.get(INVOICES, query).await {
                Ok(list) => {
                    let records = records_of_list(&list);
                    let mut tx = fresh_tx(member.tenant_id).await?;
                    for r in &records {
                        crate::db::invoices::upsert(&mut tx, r).await?;
                    }
                    tx.commit().await?;
                }
                Err(e) => {
                    tracing::warn!(tenant = %member.tenant_id, error = %e, "stripe invoice list failed");
                    notice = Some(
                        "Stripe could not be asked just now: these are the invoices SitePilot has recorded from Stripe's events."
                            .to_string(),
                    );
                }
            }
        }
        tx = fresh_tx(member.tenant_id).await?;
    }
    let invoices = crate::db::invoices::list(&mut tx, INVOICES_SHOWN).await?;
    tx.commit().await?;
    Ok(InvoiceHistory {
        source,
        invoices,
        notice,
    })
}

#[cfg(feature = "ssr")]
async fn fresh_tx(tenant: uuid::Uuid) -> Result<crate::db::Tx, AppError> {
    let state = super::ctx::state()?;
    crate::db::tenant_tx(&state.pool, tenant).await
}

#[cfg(feature = "ssr")]
mod ssr {
    use chrono::{DateTime, Utc};
    use serde_json::Value;

    use crate::db::invoices::InvoiceRecord;

    const STATUSES: &[&str] = &["draft", "open", "paid", "uncollectible", "void"];

    fn time(v: &Value, key: &str) -> Option<DateTime<Utc>> {
        v.get(key)
            .and_then(Value::as_i64)
            .and_then(|t| DateTime::from_timestamp(t, 0))
    }

    fn https(v: &Value, key: &str) -> Option<String> {
        v.get(key)
            .and_then(Value::as_str)
            .filter(|u| u.starts_with("https://") && u.len() <= 2000)
            .map(str::to_string)
    }

    fn cents(v: &Value, key: &str) -> Option<i64> {
        v.get(key).and_then(Value::as_i64).filter(|c| *c >= 0)
    }

    /// The invoice Stripe describes in `obj` (an `invoice` object), or `None` when it lacks
    /// what the billing page needs (id, status, amounts, currency, creation time).
    pub fn record_of(obj: &Value) -> Option<InvoiceRecord> {
        let stripe_id = obj
            .get("id")
            .and_then(Value::as_str)
            .filter(|id| {
                id.len() <= 253
                    && id.strip_prefix("in_").is_some_and(|rest| {
                        !rest.is_empty()
                            && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    })
            })?
            .to_string();
        let status = obj
            .get("status")
            .and_then(Value::as_str)
            .filter(|s| STATUSES.contains(s))?
            .to_string();
        let currency = obj
            .get("currency")
            .and_then(Value::as_str)
            .filter(|c| c.len() == 3 && c.chars().all(|ch| ch.is_ascii_alphabetic()))?
            .to_ascii_uppercase();
        Some(InvoiceRecord {
            number: obj
                .get("number")
                .and_then(Value::as_str)
                .filter(|n| !n.is_empty() && n.len() <= 100)
                .map(str::to_string),
            amount_due_cents: cents(obj, "amount_due")?,
            amount_paid_cents: cents(obj, "amount_paid")?,
            hosted_url: https(obj, "hosted_invoice_url"),
            pdf_url: https(obj, "invoice_pdf"),
            period_start: time(obj, "period_start"),
            period_end: time(obj, "period_end"),
            issued_at: time(obj, "created")?,
            stripe_id,
            status,
            currency,
        })
    }

    /// The invoices of a Stripe list answer (`{"object": "list", "data": [...]}`); entries that
    /// are not whole invoices are left out.
    pub fn records_of_list(list: &Value) -> Vec<InvoiceRecord> {
        list.get("data")
            .and_then(Value::as_array)
            .map(|items| items.iter().filter_map(record_of).collect())
            .unwrap_or_default()
    }
}
