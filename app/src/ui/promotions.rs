//! `/websites/{id}/promotions`: a website's discount codes (issue 22 part 5), reached from the
//! Products page. Every member sees the codes with their uses; owners, admins and editors add
//! one (percentage or fixed amount, minimum order, start and end, total and per-customer
//! limits, products and categories it applies to), switch it on or off, or delete it. The
//! server checks the role, the plan and every field again.

use leptos::prelude::*;

use super::new_website::LimitAlert;
use crate::api::promotions::{
    create_promotion, delete_promotion, load_promotion, load_promotions, set_promotion_active,
    update_promotion,
};
use crate::error::AppError;
use crate::model::{
    discount_label, DiscountKind, PromotionInput, PromotionSummary, PromotionsOverview,
    ScopeChoice, CURRENCIES,
};

#[component]
pub fn PromotionsPage() -> impl IntoView {
    super::website_page(
        "Discount codes",
        "promotions-page",
        "Loading the discount codes…",
        load_promotions,
        |data| view! { <PromotionsView data/> },
    )
}

#[component]
fn PromotionsView(data: PromotionsOverview) -> impl IntoView {
    let current = RwSignal::new(data);
    let error = RwSignal::new(None::<AppError>);
    let notice = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // The code in the form: `None` adds one.
    let editing = RwSignal::new(None::<(uuid::Uuid, PromotionInput)>);
    // Every change answers the page as it now stands.
    let run = move |what: String,
                    call: std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<PromotionsOverview, AppError>>>,
    >| {
        error.set(None);
        notice.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            match call.await {
                Ok(o) => {
                    current.try_set(o);
                    editing.try_set(None);
                    notice.try_set(Some(what));
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
            busy.try_set(false);
        });
    };
    let (website, products_href) =
        current.with_untracked(|o| (o.website_id, format!("/websites/{}/products", o.website_id)));
    let can_edit = move || current.with(|o| o.can_edit && o.plan_refusal.is_none());
    // Each part is its own view (type-erased), which keeps the page's view type shallow.
    let header = view! {
        <p>
            "Website: " <strong>{move || current.with(|o| o.website_name.clone())}</strong>
            " · " <a href=products_href>"Products"</a>
            " · " <a href=format!("/websites/{website}/orders")>"Orders"</a>
        </p>
    }
    .into_any();
    let messages = view! {
        {move || current.with(|o| o.plan_refusal.clone()).map(|e| view! { <LimitAlert error=e/> })}
        {move || (!current.with(|o| o.can_edit)).then(|| view! {
            <p class="app-muted">"Only the owner, admins and editors can change the discount codes."</p>
        })}
        {move || notice.get().map(|n| view! { <p role="status" class="app-notice">{n}</p> })}
        {move || error.get().map(|e| view! { <p role="alert" class="app-error">{e.to_string()}</p> })}
    }
    .into_any();
    let form = move || {
        can_edit().then(|| {
            let o = current.get_untracked();
            let initial = editing.get();
            let id = initial.as_ref().map(|(id, _)| *id);
            let submit = Callback::new(move |input: PromotionInput| {
                let code = input.code.trim().to_uppercase();
                match id {
                    Some(id) => run(
                        format!("Saved code {code}."),
                        Box::pin(update_promotion(id, input)),
                    ),
                    None => run(
                        format!("Created code {code}."),
                        Box::pin(create_promotion(website, input)),
                    ),
                }
            });
            let cancel = Callback::new(move |()| editing.set(None));
            view! { <PromotionForm data=o initial=initial.map(|(_, f)| f) busy submit cancel/> }
                .into_any()
        })
    };
    let list = move || {
        let o = current.get();
        if o.promotions.is_empty() {
            return view! { <p>"No discount codes yet."</p> }.into_any();
        }
        let editable = o.can_edit;
        let rows = o
            .promotions
            .into_iter()
            .map(|p| {
                let (id, code, active) = (p.id, p.code.clone(), p.is_active);
                let toggle = move |_| {
                    let what = format!(
                        "Code {code} switched {}.",
                        if active { "off" } else { "on" }
                    );
                    run(what, Box::pin(set_promotion_active(id, !active)));
                };
                let open = move |_| {
                    error.set(None);
                    notice.set(None);
                    leptos::task::spawn_local(async move {
                        match load_promotion(id).await {
                            Ok(f) => {
                                editing.try_set(Some((id, f)));
                            }
                            Err(e) => {
                                error.try_set(Some(e));
                            }
                        }
                    });
                };
                let code = p.code.clone();
                let remove = move |_| {
                    run(
                        format!("Deleted code {code}."),
                        Box::pin(delete_promotion(id)),
                    );
                };
                view! { <PromotionRow p editable busy open toggle remove/> }.into_any()
            })
            .collect_view();
        view! {
            <table class="team-table" aria-label="Discount codes">
                <thead>
                    <tr>
                        <th>"Code"</th><th>"Name"</th><th>"Discount"</th><th>"Conditions"</th>
                        <th>"Valid"</th><th>"Used"</th><th>"State"</th><th></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    view! {
        {header}
        {messages}
        {form}
        <section class="app-card" aria-labelledby="promotions-heading">
            <h2 id="promotions-heading">"Codes"</h2>
            {list}
        </section>
    }
}

#[component]
fn PromotionRow(
    p: PromotionSummary,
    editable: bool,
    busy: RwSignal<bool>,
    open: impl Fn(leptos::ev::MouseEvent) + 'static,
    toggle: impl Fn(leptos::ev::MouseEvent) + 'static,
    remove: impl Fn(leptos::ev::MouseEvent) + 'static,
) -> impl IntoView {
    let valid = format!(
        "{} – {}",
        p.valid_from.format("%Y-%m-%d %H:%M"),
        p.valid_until
            .map(|u| u.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_else(|| "no end".into())
    );
    let toggle_label = if p.is_active {
        "Deactivate"
    } else {
        "Activate"
    };
    let buttons = editable.then(|| {
        view! {
            <button type="button" class="app-button app-button-ghost"
                aria-label=format!("Edit {}", p.code)
                disabled=move || busy.get() on:click=open>"Edit"</button>
            <button type="button" class="app-button app-button-ghost"
                aria-label=format!("{toggle_label} {}", p.code)
                disabled=move || busy.get() on:click=toggle>{toggle_label}</button>
            <button type="button" class="app-button app-button-ghost"
                aria-label=format!("Delete {}", p.code)
                disabled=move || busy.get() on:click=remove>"Delete"</button>
        }
    });
    view! {
        <tr>
            <td><code>{p.code.clone()}</code></td>
            <td>{p.name.clone()}</td>
            <td>{discount_label(p.discount, p.currency.as_deref())}</td>
            <td>{p.conditions_label()}</td>
            <td>{valid}</td>
            <td>{p.uses_label()}</td>
            <td>{p.state.clone()}</td>
            <td>{buttons}</td>
        </tr>
    }
}

/// Checkboxes for the products or categories a code applies to.
#[component]
fn ScopeList(
    legend: &'static str,
    choices: Vec<ScopeChoice>,
    chosen: RwSignal<Vec<uuid::Uuid>>,
) -> impl IntoView {
    if choices.is_empty() {
        return ().into_any();
    }
    view! {
        <fieldset class="app-field">
            <legend>{legend}</legend>
            {choices.into_iter().map(|c| {
                let id = c.id;
                view! {
                    <label class="app-check">
                        <input type="checkbox"
                            prop:checked=move || chosen.with(|s| s.contains(&id))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                chosen.update(|s| {
                                    s.retain(|x| *x != id);
                                    if on { s.push(id); }
                                });
                            }/>
                        " " {c.name}
                    </label>
                }
            }).collect_view()}
        </fieldset>
    }
    .into_any()
}

#[component]
fn PromotionForm(
    data: PromotionsOverview,
    /// The code being edited; `None` for a new one.
    initial: Option<PromotionInput>,
    busy: RwSignal<bool>,
    submit: Callback<PromotionInput>,
    cancel: Callback<()>,
) -> impl IntoView {
    let default_currency = data
        .currencies
        .first()
        .cloned()
        .unwrap_or_else(|| "EUR".to_string());
    let currencies: Vec<String> = if data.currencies.is_empty() {
        CURRENCIES.iter().map(|(c, _)| c.to_string()).collect()
    } else {
        data.currencies.clone()
    };
    let editing = initial.is_some();
    let f = initial.unwrap_or_else(|| PromotionInput {
        currency: default_currency,
        ..Default::default()
    });
    let text = RwSignal::new;
    let (code, name, value) = (text(f.code), text(f.name), text(f.value));
    let (minimum, maximum) = (text(f.minimum_order), text(f.maximum_discount));
    let (starts, ends) = (text(f.starts_at), text(f.ends_at));
    let (limit, per_customer) = (text(f.usage_limit), text(f.usage_limit_per_customer));
    let currency = RwSignal::new(f.currency);
    let kind = RwSignal::new(f.kind);
    let products = RwSignal::new(f.product_ids);
    let categories = RwSignal::new(f.category_ids);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submit.run(PromotionInput {
            code: code.get_untracked(),
            name: name.get_untracked(),
            kind: kind.get_untracked(),
            value: value.get_untracked(),
            currency: currency.get_untracked(),
            minimum_order: minimum.get_untracked(),
            maximum_discount: maximum.get_untracked(),
            starts_at: starts.get_untracked(),
            ends_at: ends.get_untracked(),
            usage_limit: limit.get_untracked(),
            usage_limit_per_customer: per_customer.get_untracked(),
            product_ids: products.get_untracked(),
            category_ids: categories.get_untracked(),
        });
    };
    let field =
        |id: &'static str, label: &'static str, sig: RwSignal<String>, kind: &'static str| {
            view! {
                <div class="app-field">
                    <label for=id>{label}</label>
                    <input id=id type=kind prop:value=move || sig.get()
                        on:input=move |ev| sig.set(event_target_value(&ev))/>
                </div>
            }
            .into_any()
        };
    let value_label = move || match kind.get() {
        DiscountKind::Percentage => "Percentage off",
        DiscountKind::Fixed => "Amount off",
    };
    let discount = view! {
                <fieldset class="app-field">
                    <legend>"Type"</legend>
                    <label class="app-check">
                        <input type="radio" name="promotion-kind"
                            prop:checked=move || kind.get() == DiscountKind::Percentage
                            on:change=move |_| kind.set(DiscountKind::Percentage)/>
                        " Percentage"
                    </label>
                    <label class="app-check">
                        <input type="radio" name="promotion-kind"
                            prop:checked=move || kind.get() == DiscountKind::Fixed
                            on:change=move |_| kind.set(DiscountKind::Fixed)/>
                        " Fixed amount"
                    </label>
                </fieldset>
                <div class="app-field">
                    <label for="promotion-value">{value_label}</label>
                    <input id="promotion-value" type="text" inputmode="decimal"
                        prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
                </div>
                <div class="app-field">
                    <label for="promotion-currency">"Currency"</label>
                    <select id="promotion-currency" on:change=move |ev| currency.set(event_target_value(&ev))>
                        {currencies.into_iter().map(|c| {
                            let selected = c == currency.get_untracked();
                            view! { <option value=c.clone() selected=selected>{c.clone()}</option> }
                        }).collect_view()}
                    </select>
                </div>
    }
    .into_any();
    let scope = view! {
        <ScopeList legend="Only these products (none: the whole order)" choices=data.products.clone() chosen=products/>
        <ScopeList legend="Only these categories" choices=data.categories.clone() chosen=categories/>
    }
    .into_any();
    view! {
        <section class="app-card" aria-labelledby="promotion-form-heading">
            <h2 id="promotion-form-heading">{if editing { "Edit discount code" } else { "New discount code" }}</h2>
            <form on:submit=on_submit novalidate>
                {field("promotion-code", "Code", code, "text")}
                {field("promotion-name", "Name", name, "text")}
                {discount}
                {field("promotion-minimum", "Minimum order (optional)", minimum, "text")}
                {field("promotion-maximum", "Largest discount (optional)", maximum, "text")}
                {field("promotion-starts", "Starts (UTC, optional)", starts, "datetime-local")}
                {field("promotion-ends", "Ends (UTC, optional)", ends, "datetime-local")}
                {field("promotion-limit", "Total uses (optional)", limit, "number")}
                {field("promotion-per-customer", "Uses per customer (optional)", per_customer, "number")}
                {scope}
                <button type="submit" class="app-button" disabled=move || busy.get()>
                    {if editing { "Save code" } else { "Create code" }}
                </button>
                {editing.then(|| view! {
                    <button type="button" class="app-button app-button-ghost"
                        on:click=move |_| cancel.run(())>"Cancel"</button>
                })}
            </form>
        </section>
    }
    .into_any()
}
