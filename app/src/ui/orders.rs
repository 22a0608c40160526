//! `/websites/{id}/orders`: a website's shop orders (issue 22 part 4), newest first, with each
//! order's status history. Owners, admins and editors move a paid order along (fulfilled,
//! shipped, delivered) or cancel a pending one, which gives its stock back; the server checks
//! the role and the step again.

use leptos::prelude::*;

use crate::api::commerce::{load_orders, set_order_status};
use crate::api::orders::refund_order;
use crate::error::AppError;
use crate::model::{
    format_money, next_order_status, order_action_label, OrderSummary, OrdersOverview,
};

#[component]
pub fn OrdersPage() -> impl IntoView {
    super::website_page(
        "Orders",
        "orders-page",
        "Loading the orders…",
        load_orders,
        |data| view! { <OrdersView data/> },
    )
}

#[component]
fn OrdersView(data: OrdersOverview) -> impl IntoView {
    let current = RwSignal::new(data);
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let change = move |order: uuid::Uuid, status: &'static str| {
        error.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            match set_order_status(order, status.to_string()).await {
                Ok(o) => current.set(o),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let refund = move |order: uuid::Uuid, restock: bool| {
        error.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            match refund_order(order, restock).await {
                Ok(o) => current.set(o),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let csv = current.with_untracked(|o| format!("/websites/{}/orders.csv", o.website_id));
    view! {
        <p class="app-muted">{move || current.with(|o| format!("Shop orders of {}.", o.website_name))}</p>
        <p><a href=csv download="">"Download all orders (CSV)"</a></p>
        {move || error.get().map(|e| view! { <p role="alert" class="app-error">{e.to_string()}</p> })}
        {move || {
            let o = current.get();
            if o.orders.is_empty() {
                return view! { <p>"No orders yet."</p> }.into_any();
            }
            let can_edit = o.can_edit;
            let can_refund = o.can_refund;
            view! {
                <table class="team-table" aria-label="Orders">
                    <thead>
                        <tr>
                            <th>"Order"</th><th>"Placed"</th><th>"Customer"</th><th>"Items"</th>
                            <th>"Total"</th><th>"Status"</th><th>"Payment"</th><th></th>
                        </tr>
                    </thead>
                    <tbody>
                        {o.orders.into_iter().map(|order| view! {
                            <OrderRow order can_edit can_refund busy change refund/>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}

#[component]
fn OrderRow(
    order: OrderSummary,
    can_edit: bool,
    can_refund: bool,
    busy: RwSignal<bool>,
    change: impl Fn(uuid::Uuid, &'static str) + Copy + 'static,
    refund: impl Fn(uuid::Uuid, bool) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let id = order.id;
    let number = order.order_number.clone();
    let next = next_order_status(&order.status).filter(|_| can_edit);
    let cancel = (can_edit && order.status == "pending").then_some("cancelled");
    let history = order
        .history
        .iter()
        .map(|e| {
            let line = format!(
                "{} · {}{}",
                e.at.format("%Y-%m-%d %H:%M UTC"),
                e.status,
                e.notes
                    .as_deref()
                    .map(|n| format!(": {n}"))
                    .unwrap_or_default()
            );
            view! { <li>{line}</li> }
        })
        .collect_view();
    let buttons = next
        .into_iter()
        .chain(cancel)
        .map(|to| {
            let label = format!("{} (order {number})", order_action_label(to));
            view! {
                <button type="button" class="app-button app-button-ghost" aria-label=label
                    disabled=move || busy.get() on:click=move |_| change(id, to)>
                    {order_action_label(to)}
                </button>
            }
        })
        .collect_view();
    let refundable = can_refund
        && order.payment_status == "paid"
        && matches!(
            order.status.as_str(),
            "paid" | "fulfilled" | "shipped" | "delivered"
        );
    let refund_form = refundable.then(|| {
        let amount = format_money(order.total_cents, &order.currency);
        let restock = RwSignal::new(true);
        let open = RwSignal::new(false);
        let label = format!("Refund order {number}");
        let confirm = format!("Refund {amount} to {}", order.customer_email);
        view! {
            <button type="button" class="app-button app-button-ghost" aria-label=label.clone()
                aria-expanded=move || open.get().to_string()
                disabled=move || busy.get() on:click=move |_| open.update(|o| *o = !*o)>
                "Refund"
            </button>
            <Show when=move || open.get()>
                <div role="group" aria-label=label.clone() class="orders-refund">
                    <label>
                        <input type="checkbox" prop:checked=move || restock.get()
                            on:change=move |ev| restock.set(event_target_checked(&ev))/>
                        " Put the items back in stock"
                    </label>
                    <button type="button" class="app-button" disabled=move || busy.get()
                        on:click=move |_| { open.set(false); refund(id, restock.get_untracked()); }>
                        {confirm.clone()}
                    </button>
                </div>
            </Show>
        }
        .into_any()
    });
    view! {
        <tr>
            <td>
                <details>
                    <summary>{format!("#{}", order.order_number)}</summary>
                    <ul class="app-muted">{history}</ul>
                </details>
            </td>
            <td>{order.created_at.format("%Y-%m-%d %H:%M").to_string()}</td>
            <td>{order.customer_email.clone()}</td>
            <td>{order.items.to_string()}</td>
            <td>
                {format_money(order.total_cents, &order.currency)}
                {order.promotion_code.clone().map(|code| view! {
                    <br/><span class="app-muted">
                        {format!("−{} with {code}", format_money(order.discount_cents, &order.currency))}
                    </span>
                })}
            </td>
            <td>{order.status.clone()}</td>
            <td>{order.payment_status.clone()}</td>
            <td>{buttons}{refund_form}</td>
        </tr>
    }
}
