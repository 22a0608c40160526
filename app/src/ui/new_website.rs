//! The dashboard's "New website" form: name + address, field errors under each input,
//! and the plan limit as an alert with a link to the billing page.

use leptos::prelude::*;

use crate::api::websites::CreateWebsite;
use crate::error::AppError;

fn message_for(error: RwSignal<Option<AppError>>, field: &'static str) -> Option<String> {
    error.with(|e| {
        e.as_ref()
            .filter(|e| e.field() == Some(field))
            .map(ToString::to_string)
    })
}

/// The plan-limit alert (any `LimitReached`), naming the limit and linking to /billing.
#[component]
pub fn LimitAlert(error: AppError) -> impl IntoView {
    let upgrade = match &error {
        AppError::LimitReached {
            upgrade_to: Some(plan),
            ..
        } => format!("Upgrade to {plan} on the Billing page"),
        _ => "See plans on the Billing page".to_string(),
    };
    view! {
        <div role="alert" class="app-error billing-limit">
            <p>{error.to_string()}</p>
            // A full page load: a client-side change to a route whose chunk cannot be fetched panics
            // (see `builder::ExitLink`), and this alert also shows in the builder.
            <p><a href="/billing" rel="external">{upgrade}</a></p>
        </div>
    }
}

/// `create` is the dashboard's action, so the website list refetches after a create.
#[component]
pub fn NewWebsiteForm(create: ServerAction<CreateWebsite>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let subdomain = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    Effect::new(move |_| match create.value().get() {
        Some(Ok(_)) => {
            name.set(String::new());
            subdomain.set(String::new());
            error.set(None);
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch(CreateWebsite {
            name: name.get_untracked(),
            subdomain: subdomain.get_untracked(),
        });
    };
    let field = move |id: &'static str,
                      label: &'static str,
                      value: RwSignal<String>,
                      key: &'static str| {
        let err_id = format!("{id}-error");
        view! {
            <div class="app-field">
                <label for=id>{label}</label>
                <input id=id type="text" aria-describedby=err_id.clone()
                    aria-invalid=move || message_for(error, key).is_some().to_string()
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
                <p class="app-field-error" id=err_id>{move || message_for(error, key)}</p>
            </div>
        }
    };
    view! {
        <section class="app-card" aria-labelledby="new-website">
            <h2 id="new-website">"New website"</h2>
            <form on:submit=submit novalidate>
                {field("new-website-name", "Website name", name, "name")}
                {field("new-website-subdomain", "Address (subdomain)", subdomain, "subdomain")}
                <button type="submit" class="app-button" disabled=move || create.pending().get()>"Create website"</button>
            </form>
            {move || error.get().filter(|e| !matches!(e.field(), Some("name" | "subdomain"))).map(|e| match e {
                e @ AppError::LimitReached { .. } => view! { <LimitAlert error=e/> }.into_any(),
                other => view! { <p role="alert" class="app-error">{other.to_string()}</p> }.into_any(),
            })}
        </section>
    }
}
