//! `/websites/{id}/webhooks`: a website's outgoing webhooks. Owners and admins add endpoints
//! (address, events), see each endpoint's signing secret and whether it was disabled, and read
//! the deliveries log with "Resend". The server checks the role, the address and the events.

use leptos::prelude::*;

use crate::api::webhooks::{
    add_webhook, delete_webhook, enable_webhook, load_webhooks, resend_delivery,
};
use crate::error::AppError;
use crate::model::{WebhookDelivery, WebhookEndpoint, WebhooksOverview, WEBHOOK_EVENTS};

fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

type Call =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<WebhooksOverview, AppError>>>>;

#[component]
pub fn WebhooksPage() -> impl IntoView {
    super::website_page(
        "Webhooks",
        "webhooks-page",
        "Loading the webhooks…",
        load_webhooks,
        |data| view! { <WebhooksView data/> },
    )
}

#[component]
fn WebhooksView(data: WebhooksOverview) -> impl IntoView {
    let website = data.website_id;
    let current = RwSignal::new(data);
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let run = move |call: Call| {
        error.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            match call.await {
                Ok(o) => {
                    current.try_set(o);
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
            busy.try_set(false);
        });
    };
    let general_error = move || {
        error
            .get()
            .filter(|e| !matches!(e.field(), Some("url" | "events")))
            .map(|e| view! { <p role="alert" class="app-error">{e.to_string()}</p> })
    };
    view! {
        <p>"Website: " <strong>{move || current.with(|o| o.website_name.clone())}</strong></p>
        <p class="app-muted">
            "SitePilot sends a signed POST to each endpoint when one of its events happens. "
            "Check the "<code>"SitePilot-Signature"</code>" header with the endpoint's secret (see the README's Webhooks section)."
        </p>
        {general_error}
        <AddEndpoint website=website error=error run=run busy=busy/>
        <section class="app-card" aria-labelledby="endpoints-heading">
            <h2 id="endpoints-heading">"Endpoints"</h2>
            {move || {
                let eps = current.with(|o| o.endpoints.clone());
                if eps.is_empty() {
                    view! { <p>"No endpoints yet."</p> }.into_any()
                } else {
                    view! {
                        <ul class="app-list webhook-endpoints">
                            {eps.into_iter().map(|e| view! { <Endpoint e=e run=run busy=busy/> }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
        </section>
        <section class="app-card" aria-labelledby="deliveries-heading">
            <h2 id="deliveries-heading">"Deliveries"</h2>
            <p class="app-actions">
                <button type="button" class="app-button app-button-ghost" disabled=move || busy.get()
                    on:click=move |_| run(Box::pin(load_webhooks(website)))>"Refresh log"</button>
            </p>
            {move || {
                let ds = current.with(|o| o.deliveries.clone());
                if ds.is_empty() {
                    view! { <p>"Nothing sent yet."</p> }.into_any()
                } else {
                    view! {
                        <table class="team-table webhook-log" aria-label="Deliveries">
                            <thead>
                                <tr>
                                    <th>"Time"</th><th>"Event"</th><th>"Endpoint"</th><th>"Status"</th>
                                    <th>"Response"</th><th>"Duration"</th><th>"Answer"</th><th></th>
                                </tr>
                            </thead>
                            <tbody>
                                {ds.into_iter().map(|d| view! { <Delivery d=d run=run busy=busy/> }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }
            }}
        </section>
    }
}

#[component]
fn AddEndpoint(
    website: uuid::Uuid,
    error: RwSignal<Option<AppError>>,
    run: impl Fn(Call) + Copy + 'static,
    busy: RwSignal<bool>,
) -> impl IntoView {
    let url = RwSignal::new(String::new());
    let chosen = RwSignal::new(Vec::<String>::new());
    let field_error = move |field: &'static str| {
        move || {
            error.with(|e| {
                e.as_ref()
                    .filter(|e| e.field() == Some(field))
                    .map(ToString::to_string)
            })
        }
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        run(Box::pin(add_webhook(
            website,
            url.get_untracked(),
            chosen.get_untracked(),
        )));
    };
    let boxes = WEBHOOK_EVENTS
        .iter()
        .map(|(event, about)| {
            let event = event.to_string();
            let id = format!("event-{}", event.replace('.', "-"));
            let e2 = event.clone();
            let label = format!("{event}: {about}");
            view! {
                <div class="app-check">
                    <input type="checkbox" id=id.clone()
                        prop:checked=move || chosen.with(|c| c.contains(&e2))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            let e = event.clone();
                            chosen.update(|c| {
                                c.retain(|x| x != &e);
                                if on { c.push(e); }
                            });
                        }/>
                    <label for=id>{label}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <section class="app-card" aria-labelledby="add-endpoint">
            <h2 id="add-endpoint">"Add an endpoint"</h2>
            <form on:submit=submit novalidate>
                <div class="app-field">
                    <label for="webhook-url">"Endpoint URL"</label>
                    <input id="webhook-url" type="url" autocomplete="off" spellcheck="false"
                        placeholder="https://example.com/hooks/sitepilot"
                        aria-describedby="webhook-url-error"
                        aria-invalid=move || field_error("url")().is_some().to_string()
                        prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev))/>
                    <p class="app-field-error" id="webhook-url-error">{field_error("url")}</p>
                </div>
                <fieldset class="app-field" aria-describedby="webhook-events-error">
                    <legend>"Events to send"</legend>
                    {boxes}
                    <p class="app-field-error" id="webhook-events-error">{field_error("events")}</p>
                </fieldset>
                <button type="submit" class="app-button" disabled=move || busy.get()>"Add endpoint"</button>
            </form>
        </section>
    }
}

#[component]
fn Endpoint(
    e: WebhookEndpoint,
    run: impl Fn(Call) + Copy + 'static,
    busy: RwSignal<bool>,
) -> impl IntoView {
    let id = e.id;
    let state = if e.is_active {
        view! { <p role="status">"Active"</p> }.into_any()
    } else {
        let since = e.disabled_at.map(when).unwrap_or_default();
        let why = e.disabled_reason.clone().unwrap_or_default();
        view! {
            <p role="alert" class="app-error">{format!("Disabled since {since}: {why}")}</p>
            <button type="button" class="app-button" disabled=move || busy.get()
                on:click=move |_| run(Box::pin(enable_webhook(id)))>"Enable again"</button>
        }
        .into_any()
    };
    let url = e.url.clone();
    view! {
        <li class="webhook-endpoint">
            <p><strong>{e.url.clone()}</strong></p>
            <p class="app-muted">"Events: " {e.events.join(", ")}</p>
            <p>"Signing secret: " <code aria-label=format!("Signing secret of {}", e.url)>{e.secret.clone()}</code></p>
            {state}
            <button type="button" class="app-button app-button-ghost" disabled=move || busy.get()
                aria-label=format!("Remove endpoint {url}")
                on:click=move |_| run(Box::pin(delete_webhook(id)))>"Remove"</button>
        </li>
    }
}

#[component]
fn Delivery(
    d: WebhookDelivery,
    run: impl Fn(Call) + Copy + 'static,
    busy: RwSignal<bool>,
) -> impl IntoView {
    let id = d.id;
    let status = match (d.status.as_str(), d.next_attempt_at) {
        ("pending", Some(next)) => {
            format!("retrying ({} attempts; next {})", d.attempts, when(next))
        }
        ("pending", None) => "pending".to_string(),
        (s, _) if d.attempts > 1 => format!("{s} after {} attempts", d.attempts),
        (s, _) => s.to_string(),
    };
    let answer = d
        .response_excerpt
        .clone()
        .or(d.error.clone())
        .map(|s| s.chars().take(200).collect::<String>())
        .unwrap_or_default();
    view! {
        <tr>
            <td>{when(d.created_at)}</td>
            <td>{d.event.clone()}</td>
            <td><code>{d.url.clone()}</code></td>
            <td>{status}</td>
            <td>{d.response_status.map(|s| s.to_string()).unwrap_or_else(|| "—".into())}</td>
            <td>{d.duration_ms.map(|ms| format!("{ms} ms")).unwrap_or_default()}</td>
            <td><code class="webhook-excerpt">{answer}</code></td>
            <td>
                <button type="button" class="app-button app-button-ghost" disabled=move || busy.get()
                    aria-label=format!("Resend {} delivery {}", d.event, d.id)
                    on:click=move |_| run(Box::pin(resend_delivery(id)))>"Resend"</button>
            </td>
        </tr>
    }
}
