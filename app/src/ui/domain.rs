//! `/websites/{id}/domain`: a website's custom domain. Owners, admins and developers connect
//! one, see the DNS records to create, "Check now" and remove it; other members see where it
//! stands. The server checks the role and the plan again.

use leptos::prelude::*;

use super::new_website::LimitAlert;
use crate::api::domains::{add_domain, check_domain, remove_domain, website_domain};
use crate::error::AppError;
use crate::model::{DomainSettings, DomainStatus};

fn when(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| "never".into())
}

#[component]
pub fn DomainPage() -> impl IntoView {
    super::website_page(
        "Custom domain",
        "domain-page",
        "Loading the domain settings…",
        website_domain,
        |data| view! { <DomainView data/> },
    )
}

#[component]
fn DomainView(data: DomainSettings) -> impl IntoView {
    let current = RwSignal::new(data);
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let run = move |call: Call| {
        error.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            match call.await {
                Ok(s) => {
                    current.try_set(s);
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
            busy.try_set(false);
        });
    };
    let header = move || {
        current.with(|s| {
            let address = s.site_address.clone().map(|a| {
                view! { <p class="app-muted">"Your site's own address: " <code>{a}</code></p> }
            });
            view! {
                <p>"Website: " <strong>{s.website_name.clone()}</strong></p>
                {address}
            }
        })
    };
    let general_error = move || {
        error
            .get()
            .filter(|e| e.field() != Some("domain"))
            .map(|e| match e {
                e @ AppError::LimitReached { .. } => view! { <LimitAlert error=e/> }.into_any(),
                other => {
                    view! { <p role="alert" class="app-error">{other.to_string()}</p> }.into_any()
                }
            })
    };
    view! {
        {header}
        {general_error}
        {move || {
            let s = current.get();
            match s.domain {
                Some(d) => view! { <Connected d=d website=s.website_id manage=s.can_manage run=run busy=busy/> }.into_any(),
                None if s.can_manage => view! { <ConnectForm website=s.website_id error=error run=run busy=busy/> }.into_any(),
                None => view! {
                    <p>"This website has no custom domain. The owner, an admin or a developer can connect one."</p>
                }.into_any(),
            }
        }}
    }
}

type Call = std::pin::Pin<Box<dyn std::future::Future<Output = Result<DomainSettings, AppError>>>>;

#[component]
fn ConnectForm(
    website: uuid::Uuid,
    error: RwSignal<Option<AppError>>,
    run: impl Fn(Call) + Copy + 'static,
    busy: RwSignal<bool>,
) -> impl IntoView {
    let domain = RwSignal::new(String::new());
    let field_error = move || {
        error.with(|e| {
            e.as_ref()
                .filter(|e| e.field() == Some("domain"))
                .map(ToString::to_string)
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let d = domain.get_untracked();
        run(Box::pin(add_domain(website, d)));
    };
    view! {
        <section class="app-card" aria-labelledby="connect-domain">
            <h2 id="connect-domain">"Connect a domain"</h2>
            <p>"Use a domain you own, such as www.mybakery.com. We will show the DNS records to create at your domain's provider."</p>
            <form on:submit=submit novalidate>
                <div class="app-field">
                    <label for="custom-domain">"Domain"</label>
                    <input id="custom-domain" type="text" autocomplete="off" spellcheck="false"
                        aria-describedby="custom-domain-error"
                        aria-invalid=move || field_error().is_some().to_string()
                        prop:value=move || domain.get() on:input=move |ev| domain.set(event_target_value(&ev))/>
                    <p class="app-field-error" id="custom-domain-error">{field_error}</p>
                </div>
                <button type="submit" class="app-button" disabled=move || busy.get()>"Connect domain"</button>
            </form>
        </section>
    }
}

#[component]
fn Connected(
    d: DomainStatus,
    website: uuid::Uuid,
    manage: bool,
    run: impl Fn(Call) + Copy + 'static,
    busy: RwSignal<bool>,
) -> impl IntoView {
    let status = if d.verified {
        match d.failing_since {
            Some(since) => format!(
                "Verified, but the last checks failed (since {}). Fix the records below before the grace period ends, or the domain stops serving.",
                when(Some(since))
            ),
            None => format!("Verified: visitors reach your site at {}.", d.domain),
        }
    } else {
        "Pending: waiting for the DNS records below.".to_string()
    };
    let checked = format!(
        "Checked {} {}; last check {}{}.",
        d.verification_attempts,
        if d.verification_attempts == 1 {
            "time"
        } else {
            "times"
        },
        when(d.last_checked_at),
        d.first_verified_at
            .map(|t| format!("; first verified {}", when(Some(t))))
            .unwrap_or_default()
    );
    let tls_text = if d.ssl_provisioned {
        "HTTPS certificate: requested."
    } else {
        "HTTPS certificate: obtained on the first visit over HTTPS."
    };
    let tls = d
        .verified
        .then_some(tls_text)
        .map(|t| view! { <p class="app-muted">{t}</p> });
    let last_error = d.last_error.clone().map(|e| {
        view! {
            <section class="domain-problem" aria-labelledby="domain-problem-heading">
                <h3 id="domain-problem-heading">"What the last check found"</h3>
                <p>{e}</p>
            </section>
        }
    });
    let has_alternative = d.records.iter().any(|r| r.alternative);
    let rows = d
        .records
        .iter()
        .map(|r| {
            let note = if r.alternative {
                "Instead of the CNAME, if your provider cannot set one here"
            } else {
                ""
            };
            view! {
                <tr>
                    <td>{r.kind.clone()}</td>
                    <td><code>{r.name.clone()}</code></td>
                    <td><code>{r.value.clone()}</code></td>
                    {has_alternative.then(|| view! { <td>{note}</td> })}
                </tr>
            }
        })
        .collect_view();
    let controls = manage.then(|| {
        view! {
            <p class="app-actions">
                <button type="button" class="app-button" disabled=move || busy.get()
                    on:click=move |_| run(Box::pin(check_domain(website)))>"Check now"</button>
                <button type="button" class="app-button app-button-ghost" disabled=move || busy.get()
                    on:click=move |_| run(Box::pin(remove_domain(website)))>"Remove domain"</button>
            </p>
        }
    });
    view! {
        <section class="app-card" aria-labelledby="domain-heading">
            <h2 id="domain-heading">{d.domain.clone()}</h2>
            <p role="status">{status}</p>
            <p class="app-muted">{checked}</p>
            {tls}
            {last_error}
            <h3>"DNS records to create"</h3>
            <p>"At your domain's DNS provider, create these records. Changes can take a few minutes to an hour to be seen."</p>
            <table class="team-table domain-records" aria-label="DNS records to create">
                <thead>
                    <tr>
                        <th>"Type"</th><th>"Name"</th><th>"Value"</th>
                        {has_alternative.then(|| view! { <th>"Note"</th> })}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            {controls}
        </section>
    }
}
