//! The billing page's "Payments" card: the shop's payment account (Stripe Connect Express).
//! It says plainly where the account stands (not connected, onboarding unfinished, ready to
//! take payments) and, without Stripe keys on the server, that live payments need them while
//! the local test mode works. "Connect Stripe" opens Stripe's hosted onboarding.

use leptos::prelude::*;

use super::LoadError;
use crate::api::shop_payments::{payments_status, ConnectPayments};
use crate::api::wire::wire_resource;
use crate::model::{PaymentsAccount, PaymentsState};

#[component]
pub fn PaymentsCard() -> impl IntoView {
    let connect = ServerAction::<ConnectPayments>::new();
    Effect::new(move |_| {
        if let Some(Ok(url)) = connect.value().get() {
            super::billing::open_stripe(&url);
        }
    });
    let status = wire_resource(|| (), |_| payments_status());
    // Only the owner connects the shop's account: for other members the card is not shown
    // (the page above already says that billing is the owner's).
    let card = move |body: AnyView| {
        view! {
            <section class="app-card" aria-labelledby="billing-payments">
                <h2 id="billing-payments">"Payments"</h2>
                <p class="app-muted">"Where your shop's customers pay: your own Stripe account, connected to SitePilot."</p>
                {body}
            </section>
        }
        .into_any()
    };
    view! {
        <Suspense fallback=|| view! { <p>"Loading payments…"</p> }>
            {move || Suspend::new(async move {
                match status.await {
                    Ok(account) => card(view! { <PaymentsBody account connect/> }.into_any()),
                    Err(crate::error::AppError::Forbidden(_)) => ().into_any(),
                    Err(e) => card(view! { <LoadError error=e/> }.into_any()),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PaymentsBody(account: PaymentsAccount, connect: ServerAction<ConnectPayments>) -> impl IntoView {
    if !account.stripe_configured {
        let test = account.test_mode.then(|| {
            view! { <p>"Test mode works: visitors can check out with “Pay (test mode)”, and no money moves."</p> }
        });
        return view! {
            <p role="status" data-payments-state="unconfigured">
                "Live payments need Stripe keys on the server (STRIPE_SECRET_KEY). Ask the administrator of this SitePilot server to set them."
            </p>
            {test}
        }
        .into_any();
    }
    let (state, text, button) = match account.state {
        PaymentsState::NotConnected => (
            "not-connected",
            "Not connected: your shop cannot take payments yet. Connect a Stripe account to get paid.",
            Some("Connect Stripe"),
        ),
        PaymentsState::Incomplete if account.details_submitted => (
            "incomplete",
            "Stripe is reviewing your details, or needs more: your shop cannot take payments until Stripe enables them.",
            Some("Update details in Stripe"),
        ),
        PaymentsState::Incomplete => (
            "incomplete",
            "Onboarding incomplete: finish setting up your Stripe account to take payments.",
            Some("Continue Stripe setup"),
        ),
        PaymentsState::Ready => (
            "ready",
            "Ready to take payments: orders are paid through Stripe into your connected account.",
            None,
        ),
    };
    let error = move || {
        connect
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| view! { <p role="alert" class="app-error">{e.to_string()}</p> })
    };
    view! {
        <p role="status" data-payments-state=state>{text}</p>
        {button.map(|label| view! {
            <button type="button" class="app-button" disabled=move || connect.pending().get()
                on:click=move |_| { connect.dispatch(ConnectPayments {}); }>{label}</button>
        })}
        {error}
    }
    .into_any()
}
