//! The owner's billing page: current plan and subscription, usage against the
//! plan's limits, the plan cards, and (local test mode only) plan changes that go through
//! simulated Stripe events. Other roles get the server's refusal as the page's message.

use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

use super::LoadError;
use crate::api::ai::BuyCredits;
use crate::api::billing::{
    load_billing, load_billing_status, RestoreWebsite, TestCancel, TestChangePlan, TestInvoice,
};
use crate::api::billing_stripe::{OpenPortal, StartCheckout};
use crate::api::invoices::load_invoices;
use crate::api::wire::wire_resource;
use crate::model::{
    format_money, BillingOverview, Invoice, InvoiceHistory, InvoiceSource, PlanCard, TopUpStarted,
    CREDIT_PACKS,
};

fn money(cents: i32) -> String {
    format!("${}", cents / 100)
}

#[component]
pub fn BillingPage() -> impl IntoView {
    let change = ServerAction::<TestChangePlan>::new();
    let cancel = ServerAction::<TestCancel>::new();
    let restore = ServerAction::<RestoreWebsite>::new();
    let stripe = StripeActions {
        checkout: ServerAction::new(),
        portal: ServerAction::new(),
        invoice: ServerAction::new(),
    };
    stripe.redirect();
    let data = wire_resource(
        move || {
            (
                change.version().get(),
                cancel.version().get(),
                restore.version().get(),
                stripe.invoice.version().get(),
            )
        },
        |_| load_billing(),
    );
    // Created here, beside the billing data (not inside its Suspend), so hydration finds it.
    let buy = ServerAction::<BuyCredits>::new();
    redirect_to_checkout(buy);
    let ai = wire_resource(move || buy.version().get(), |_| crate::api::ai::ai_usage());
    let invoices = wire_resource(
        move || (change.version().get(), stripe.invoice.version().get()),
        |_| load_invoices(),
    );
    view! {
        <header class="app-topbar">
            <strong class="app-logo">"SitePilot"</strong>
            <A href="/dashboard">"Your websites"</A>
        </header>
        <main class="app-page">
            <h1>"Billing"</h1>
            <Suspense fallback=|| view! { <p>"Loading billing…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(o) => {
                            let ai = ai.await;
                            let invoices = invoices.await;
                            view! {
                                <BillingBody overview=o change cancel restore stripe/>
                                <Invoices history=invoices/>
                                <AiCredits report=ai buy/>
                            }.into_any()
                        }
                        Err(e) => view! { <LoadError error=e/> }.into_any(),
                    }
                })}
            </Suspense>
            <super::payments_card::PaymentsCard/>
        </main>
    }
}

/// The organisation's invoices, newest first, with Stripe's invoice page and PDF where Stripe
/// provides them (issue 23 part 6).
#[component]
fn Invoices(history: Result<InvoiceHistory, crate::error::AppError>) -> impl IntoView {
    let body = match history {
        Err(e) => view! { <LoadError error=e/> }.into_any(),
        Ok(h) if h.source == InvoiceSource::Unconfigured => view! {
            <p class="app-muted">"Invoices appear here once online payment is set up on this server (STRIPE_SECRET_KEY)."</p>
        }
        .into_any(),
        Ok(h) if h.invoices.is_empty() => view! {
            {h.notice.map(|n| view! { <p role="note" class="app-muted">{n}</p> })}
            <p>"No invoices yet. Each payment for a paid plan adds one here."</p>
        }
        .into_any(),
        Ok(h) => {
            let test_mode = h.source == InvoiceSource::TestMode;
            view! {
                {h.notice.map(|n| view! { <p role="note" class="app-muted">{n}</p> })}
                {test_mode.then(|| view! { <p class="app-muted">"Test mode: these invoices are simulated, so Stripe has no invoice page or PDF for them."</p> })}
                <table class="app-table" aria-label="Invoices">
                    <thead><tr>
                        <th scope="col">"Date"</th><th scope="col">"Number"</th><th scope="col">"Period"</th>
                        <th scope="col">"Amount"</th><th scope="col">"Status"</th><th scope="col">"Documents"</th>
                    </tr></thead>
                    <tbody>
                        {h.invoices.into_iter().map(|i| view! { <InvoiceRow invoice=i/> }).collect_view()}
                    </tbody>
                </table>
            }
            .into_any()
        }
    };
    view! {
        <section class="app-card" aria-labelledby="billing-invoices">
            <h2 id="billing-invoices">"Invoices"</h2>
            {body}
        </section>
    }
}

#[component]
fn InvoiceRow(invoice: Invoice) -> impl IntoView {
    let name = invoice
        .number
        .clone()
        .unwrap_or_else(|| invoice.stripe_id.clone());
    let status = match invoice.status.as_str() {
        "paid" => "Paid",
        "open" => "Due",
        "draft" => "Draft",
        "void" => "Void",
        _ => "Uncollectible",
    };
    let amount = if invoice.status == "paid" {
        invoice.amount_paid_cents
    } else {
        invoice.amount_due_cents
    };
    let page = invoice.hosted_url.map(|href| {
        let label = format!("View invoice {name}");
        view! { <a href=href rel="noopener noreferrer" target="_blank" aria-label=label>"View"</a> }
    });
    let pdf = invoice.pdf_url.map(|href| {
        let label = format!("Download invoice {name} as PDF");
        view! { " " <a href=href rel="noopener noreferrer" aria-label=label>"PDF"</a> }
    });
    let none = (page.is_none() && pdf.is_none()).then_some("—");
    view! {
        <tr>
            <td>{invoice.issued_on}</td>
            <td>{name.clone()}</td>
            <td>{invoice.period.unwrap_or_else(|| "—".into())}</td>
            <td>{format_money(amount, &invoice.currency)}</td>
            <td>{status}</td>
            <td>{page}{pdf}{none}</td>
        </tr>
    }
}

/// AI credits left, use per action and cost per day over the last 30 days (issue 19).
#[component]
fn AiCredits(
    report: Result<crate::model::AiUsageReport, crate::error::AppError>,
    buy: ServerAction<BuyCredits>,
) -> impl IntoView {
    view! {
        <section class="app-card" aria-labelledby="ai-credits-heading">
            <h2 id="ai-credits-heading">"AI credits"</h2>
            {match report {
                Ok(r) => view! { <AiCreditsBody report=r buy/> }.into_any(),
                Err(e) => view! { <LoadError error=e/> }.into_any(),
            }}
        </section>
    }
}

/// Opens Stripe Checkout when a top-up answered with its page.
fn redirect_to_checkout(buy: ServerAction<BuyCredits>) {
    Effect::new(move |_| {
        let Some(Ok(TopUpStarted {
            checkout_url: Some(url),
        })) = buy.value().get()
        else {
            return;
        };
        open_stripe(&url);
    });
}

/// Sends the browser to a Stripe page (Checkout or the customer portal).
pub(super) fn open_stripe(url: &str) {
    #[cfg(feature = "hydrate")]
    if let Err(e) = window().location().set_href(url) {
        leptos::logging::error!("cannot open Stripe: {e:?}");
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = url;
}

/// The credit packs for sale, or why they cannot be bought here.
#[component]
fn BuyCreditsForm(top_up: Result<(), String>, buy: ServerAction<BuyCredits>) -> impl IntoView {
    if let Err(why) = top_up {
        return view! { <p class="app-muted">{why}</p> }.into_any();
    }
    let outcome = move || match buy.value().get() {
        Some(Err(e)) => {
            Some(view! { <p role="alert" class="app-error">{e.to_string()}</p> }.into_any())
        }
        Some(Ok(TopUpStarted { checkout_url: None })) => {
            Some(view! { <p role="status" class="app-notice">"Credits added."</p> }.into_any())
        }
        _ => None,
    };
    view! {
        <div class="ai-credit-packs" role="group" aria-label="Buy AI credits">
            {CREDIT_PACKS.iter().map(|p| {
                let pack = p.id.to_string();
                view! {
                    <button type="button" class="app-button"
                        disabled=move || buy.pending().get()
                        on:click=move |_| { buy.dispatch(BuyCredits { pack: pack.clone() }); }>
                        {p.label()}
                    </button>
                }
            }).collect_view()}
        </div>
        {outcome}
    }
    .into_any()
}

#[component]
fn AiCreditsBody(
    report: crate::model::AiUsageReport,
    buy: ServerAction<BuyCredits>,
) -> impl IntoView {
    let s = report.status;
    let max_credits = report
        .days
        .iter()
        .map(|d| d.credits)
        .max()
        .unwrap_or(0)
        .max(1);
    let costs = crate::model::AiAction::ALL
        .iter()
        .map(|a| format!("{} {}", a.label(), a.credits()))
        .collect::<Vec<_>>()
        .join(" · ");
    view! {
        <p class="ai-credits-left" role="status">
            {format!("{} credits left · your plan adds {} at the start of each billing period.", s.credits_left, s.credits_per_month)}
        </p>
        {(!s.configured).then(|| view! { <p class="app-muted">{crate::model::AI_NOT_CONFIGURED}</p> })}
        <BuyCreditsForm top_up=report.top_up buy/>
        <p class="app-hint">{format!("Credits per action: {costs}. A failed action gives its credits back.")}</p>
        {if report.by_action.is_empty() {
            view! { <p class="app-muted">"No AI use in the last 30 days."</p> }.into_any()
        } else {
            view! {
                <table class="app-table">
                    <caption>"AI use in the last 30 days"</caption>
                    <thead><tr><th scope="col">"Action"</th><th scope="col">"Runs"</th><th scope="col">"Failed"</th><th scope="col">"Credits"</th></tr></thead>
                    <tbody>
                        {report.by_action.into_iter().map(|a| view! {
                            <tr><th scope="row">{a.label}</th><td>{a.calls}</td><td>{a.failed}</td><td>{a.credits}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <h3>"Credits and estimated cost per day"</h3>
                <ul class="ai-usage-bars" aria-label="AI use per day">
                    {report.days.into_iter().map(|d| {
                        let width = format!("width: {}%", (d.credits * 100 / max_credits).max(1));
                        let label = format!("{} credits · ${:.4}", d.credits, d.cost_usd);
                        view! { <li><span>{d.day}</span><span class="ai-usage-bar" style=width></span><span>{label}</span></li> }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

#[component]
fn BillingBody(
    overview: BillingOverview,
    change: ServerAction<TestChangePlan>,
    cancel: ServerAction<TestCancel>,
    restore: ServerAction<RestoreWebsite>,
    stripe: StripeActions,
) -> impl IntoView {
    let o = overview;
    let cycle = RwSignal::new(
        if o.billing_cycle == "yearly" {
            "yearly"
        } else {
            "monthly"
        }
        .to_string(),
    );
    let keep = RwSignal::new(Vec::<Uuid>::new());
    let error = move || {
        let e = change
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| cancel.value().get().and_then(Result::err));
        let e = e
            .or_else(|| restore.value().get().and_then(Result::err))
            .or_else(|| stripe.error())?;
        Some(match e {
            e @ crate::error::AppError::LimitReached { .. } => {
                view! { <super::new_website::LimitAlert error=e/> }.into_any()
            }
            e => view! { <p role="alert" class="app-error">{e.to_string()}</p> }.into_any(),
        })
    };
    let current_order = o
        .plans
        .iter()
        .find(|p| p.slug == o.plan_slug)
        .map_or(0, |p| p.display_order);
    let active: Vec<_> = o
        .websites
        .iter()
        .filter(|w| w.status != "archived")
        .cloned()
        .collect();
    let paid = o.billing_cycle != "none" && o.status != "cancelled";
    let yes_no = |b: bool| if b { "Yes" } else { "No" };
    view! {
        {o.test_mode.then(|| view! { <p class="billing-test-mode" role="note"><strong>"Test mode — no real payment"</strong>" · plan changes are simulated Stripe events."</p> })}
        {(!o.test_mode && !o.stripe_enabled).then(|| view! { <p class="app-muted">"Online payment is not available on this server yet."</p> })}
        {o.stripe_enabled.then(|| view! { <p class="app-muted">"Payments are handled by Stripe: plan changes open Stripe Checkout or the Stripe customer portal."</p> })}
        <CheckoutReturn/>
        {(o.status == "past_due").then(|| view! { <p role="alert" class="billing-banner">"Your last payment failed. Your plan stays active while the payment is retried."</p> })}
        {error}
        <section class="app-card" aria-labelledby="billing-current">
            <h2 id="billing-current">"Current plan"</h2>
            <dl class="billing-facts">
                <dt>"Plan"</dt><dd>{o.plan_name.clone()}</dd>
                <dt>"Status"</dt><dd>{o.status.clone()}</dd>
                <dt>"Billing cycle"</dt><dd>{o.billing_cycle.clone()}</dd>
                <dt>"Current period ends"</dt><dd>{o.period_end.clone().unwrap_or_else(|| "—".into())}</dd>
                <dt>"Cancels at period end"</dt><dd>{yes_no(o.cancel_at_period_end)}</dd>
            </dl>
            {(o.test_mode && paid && !o.cancel_at_period_end).then(|| view! {
                <button type="button" class="app-button app-button-ghost" on:click=move |_| { cancel.dispatch(TestCancel {}); }>
                    "Cancel subscription"
                </button>
            })}
            {(o.test_mode && paid).then(|| {
                let failed = o.status == "past_due";
                let label = if failed { "Simulate a successful payment" } else { "Simulate a failed payment" };
                view! {
                    <button type="button" class="app-button app-button-ghost"
                        on:click=move |_| { stripe.invoice.dispatch(TestInvoice { paid: failed }); }>{label}</button>
                }
            })}
            {(o.stripe_enabled && paid).then(|| view! {
                <button type="button" class="app-button app-button-ghost" disabled=move || stripe.pending()
                    on:click=move |_| { stripe.portal.dispatch(OpenPortal {}); }>
                    "Manage subscription (change, cancel, payment method)"
                </button>
            })}
        </section>
        <section class="app-card" aria-labelledby="billing-usage">
            <h2 id="billing-usage">"Usage"</h2>
            <ul class="billing-meters">
                {o.usage.iter().map(|m| {
                    let text = format!("{}: {} of {}{}", m.label, m.used, m.max, if m.unit.is_empty() { String::new() } else { format!(" {}", m.unit) });
                    view! {
                        <li>
                            <span>{text}</span>
                            <meter min="0" max=m.max.to_string() value=m.used.to_string() aria-label=m.label.clone()></meter>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
        {(o.test_mode || o.stripe_enabled).then(|| view! {
            <fieldset class="billing-cycle">
                <legend>"Billing cycle for a new plan"</legend>
                <label><input type="radio" name="cycle" prop:checked=move || cycle.get() == "monthly"
                    on:change=move |_| cycle.set("monthly".into())/>"Monthly"</label>
                <label><input type="radio" name="cycle" prop:checked=move || cycle.get() == "yearly"
                    on:change=move |_| cycle.set("yearly".into())/>"Yearly"</label>
            </fieldset>
        })}
        {(o.test_mode && active.len() > 1).then(|| view! {
            <fieldset class="billing-keep">
                <legend>"Websites to keep if you downgrade"</legend>
                <p class="app-hint">"Websites over the new plan's limit are archived, never deleted. Unless you choose, the most recently updated are kept."</p>
                {active.iter().map(|w| {
                    let id = w.id;
                    view! {
                        <label>
                            <input type="checkbox" prop:checked=move || keep.with(|k| k.contains(&id))
                                on:change=move |ev| keep.update(|k| if event_target_checked(&ev) { k.push(id) } else { k.retain(|x| *x != id) })/>
                            {format!("Keep {}", w.name)}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
        })}
        <div class="billing-plans">
            {o.plans.iter().map(|p| view! {
                <PlanCardView plan=p.clone() current=p.slug == o.plan_slug current_order paid current_cycle=o.billing_cycle.clone()
                    test_mode=o.test_mode change cycle keep stripe_enabled=o.stripe_enabled stripe/>
            }).collect_view()}
        </div>
        <section class="app-card" aria-labelledby="billing-sites">
            <h2 id="billing-sites">"Your websites"</h2>
            <ul class="app-list">
                {o.websites.iter().map(|w| {
                    let id = w.id;
                    let restorable = (w.status == "archived").then(|| view! {
                        <button type="button" class="app-button app-button-ghost"
                            on:click=move |_| { restore.dispatch(RestoreWebsite { website_id: id }); }>
                            {format!("Restore {}", w.name)}
                        </button>
                    });
                    view! {
                        <li>
                            <span>{w.name.clone()}</span>
                            <span class="app-muted">{format!("{} · updated {}", w.status, w.updated_at)}</span>
                            {restorable}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
    .into_any()
}

#[component]
fn PlanCardView(
    plan: PlanCard,
    current: bool,
    current_order: i32,
    paid: bool,
    current_cycle: String,
    test_mode: bool,
    change: ServerAction<TestChangePlan>,
    cycle: RwSignal<String>,
    keep: RwSignal<Vec<Uuid>>,
    stripe_enabled: bool,
    stripe: StripeActions,
) -> impl IntoView {
    let heading = format!("plan-{}", plan.slug);
    let labelled_by = heading.clone();
    let price = if plan.is_free() {
        "Free".to_string()
    } else {
        format!(
            "{}/month or {}/year",
            money(plan.price_monthly_cents),
            money(plan.price_yearly_cents)
        )
    };
    let slug = plan.slug.clone();
    let go = move |c: String| {
        change.dispatch(TestChangePlan {
            plan: slug.clone(),
            cycle: c,
            keep: keep.get_untracked(),
        });
    };
    let action = if stripe_enabled && !test_mode {
        stripe_action(&plan, current, current_order, paid, stripe, cycle)
    } else if !test_mode {
        None
    } else if current && paid {
        // Same plan, the other cycle.
        let other = if current_cycle == "yearly" {
            "monthly"
        } else {
            "yearly"
        };
        let go = go.clone();
        Some(view! { <button type="button" class="app-button app-button-ghost" on:click=move |_| go(other.to_string())>{format!("Switch to {other} billing")}</button> }.into_any())
    } else if current {
        None
    } else {
        let verb = if plan.display_order > current_order {
            "Upgrade"
        } else {
            "Downgrade"
        };
        let label = format!("{verb} to {}", plan.name);
        Some(view! { <button type="button" class="app-button" on:click=move |_| go(cycle.get_untracked())>{label}</button> }.into_any())
    };
    view! {
        <section class="app-card billing-plan" class:billing-plan-current=current aria-labelledby=labelled_by>
            <h3 id=heading>{plan.name.clone()}</h3>
            {plan.badge.clone().map(|b| view! { <p class="billing-badge">{b}</p> })}
            {current.then(|| view! { <p class="billing-badge">"Your plan"</p> })}
            <p class="billing-price">{price}</p>
            {plan.description.clone().map(|d| view! { <p class="app-muted">{d}</p> })}
            <ul aria-label=format!("{} includes", plan.name)>
                {plan.features().into_iter().map(|f| view! { <li>{f}</li> }).collect_view()}
            </ul>
            {action}
        </section>
    }
    .into_any()
}

/// Shown to every member while a payment is past due (features stay on meanwhile).
#[component]
pub fn PastDueBanner() -> impl IntoView {
    let status = wire_resource(|| (), |_| load_billing_status());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                status.await.ok().filter(|s| s.status == "past_due").map(|_| view! {
                    <p role="alert" class="billing-banner">
                        "Your last payment failed. Everything keeps working while the payment is retried; "
                        <a href="/billing">"check billing"</a>"."
                    </p>
                })
            })}
        </Suspense>
    }
}

/// Checkout and the customer portal (server has Stripe keys): both answer a Stripe URL, which
/// the browser then opens.
#[derive(Clone, Copy)]
struct StripeActions {
    checkout: ServerAction<StartCheckout>,
    portal: ServerAction<OpenPortal>,
    /// Test mode's simulated invoice outcome (past_due and back).
    invoice: ServerAction<TestInvoice>,
}

impl StripeActions {
    fn redirect(self) {
        Effect::new(move |_| {
            let url = match (self.checkout.value().get(), self.portal.value().get()) {
                (Some(Ok(url)), _) | (_, Some(Ok(url))) => url,
                _ => return,
            };
            open_stripe(&url);
        });
    }

    fn error(self) -> Option<crate::error::AppError> {
        self.checkout
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| self.portal.value().get().and_then(Result::err))
            .or_else(|| self.invoice.value().get().and_then(Result::err))
    }

    fn pending(self) -> bool {
        self.checkout.pending().get() || self.portal.pending().get()
    }
}

/// With Stripe: a new subscription starts in Checkout; an existing one is changed or
/// cancelled in the customer portal (so nobody ends up paying for two).
fn stripe_action(
    plan: &PlanCard,
    current: bool,
    current_order: i32,
    paid: bool,
    stripe: StripeActions,
    cycle: RwSignal<String>,
) -> Option<AnyView> {
    let verb = if plan.display_order > current_order {
        "Upgrade"
    } else {
        "Downgrade"
    };
    let label = format!("{verb} to {}", plan.name);
    if !paid && (current || plan.is_free()) {
        return None;
    }
    if paid {
        let label = if current {
            "Change billing cycle in Stripe".to_string()
        } else {
            label
        };
        return Some(
            view! {
                <button type="button" class="app-button" disabled=move || stripe.pending()
                    on:click=move |_| { stripe.portal.dispatch(OpenPortal {}); }>{label}</button>
            }
            .into_any(),
        );
    }
    let slug = plan.slug.clone();
    Some(view! {
        <button type="button" class="app-button" disabled=move || stripe.pending()
            on:click=move |_| { stripe.checkout.dispatch(StartCheckout { plan: slug.clone(), cycle: cycle.get_untracked() }); }>{label}</button>
    }.into_any())
}

/// Back from Stripe Checkout (`?checkout=success|cancelled`): the plan changes when Stripe's
/// webhook arrives, usually within seconds, so say so rather than show the old plan silently.
#[component]
fn CheckoutReturn() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    move || {
        match query.read().get("checkout").as_deref() {
        Some("success") => Some(view! {
            <p role="status" class="billing-test-mode">"Payment received by Stripe. Your new plan applies as soon as Stripe confirms it; reload in a moment."</p>
        }.into_any()),
        Some("cancelled") => Some(view! { <p role="status" class="app-muted">"Checkout was cancelled; nothing changed."</p> }.into_any()),
        _ => match query.read().get("credits").as_deref() {
            Some("bought") => Some(view! {
                <p role="status" class="billing-test-mode">"Payment received by Stripe. Your AI credits are added as soon as Stripe confirms it; reload in a moment."</p>
            }.into_any()),
            Some("cancelled") => Some(view! { <p role="status" class="app-muted">"Checkout was cancelled; no credits were bought."</p> }.into_any()),
            _ => None,
        },
    }
    }
}

/// The past-due banner across the member pages (the builder, analytics, forms, team, audit,
/// settings); the dashboard and billing pages show their own. The owner gets the link to
/// billing; other members are told who can fix it.
#[component]
pub fn ShellPastDueBanner() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let member_page = move || {
        let path = location.pathname.get();
        [
            "/builder/",
            "/analytics",
            "/forms",
            "/team",
            "/audit",
            "/settings",
        ]
        .iter()
        .any(|p| path.starts_with(p))
    };
    let status = wire_resource(member_page, |on| async move {
        if on {
            load_billing_status().await.ok()
        } else {
            None
        }
    });
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                status.await.filter(|s| s.status == "past_due").map(|s| view! {
                    <p role="alert" class="billing-banner billing-shell-banner">
                        "Your last payment failed. Everything keeps working while the payment is retried. "
                        {if s.can_manage_billing {
                            // A full page load, as every link out of the builder (see `builder::ExitLink`).
                            view! { <a href="/billing" rel="external">"Update your payment on the Billing page"</a> }.into_any()
                        } else {
                            view! { <span>"Ask the account owner to update the payment method."</span> }.into_any()
                        }}
                    </p>
                })
            })}
        </Suspense>
    }
}
