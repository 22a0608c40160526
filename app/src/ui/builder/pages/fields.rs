//! Labelled form controls for the Pages panel. A server `Invalid` error for a control's field
//! is shown under it (and marks it `aria-invalid`); other errors go to [`FormAlert`].

use leptos::prelude::*;

use super::PagesState;
use crate::error::AppError;

/// The message of `error` when it belongs to `field`.
pub fn message_for(error: RwSignal<Option<AppError>>, field: &'static str) -> Option<String> {
    error.with(|e| {
        e.as_ref()
            .filter(|e| e.field() == Some(field))
            .map(ToString::to_string)
    })
}

#[component]
pub fn TextField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    error: RwSignal<Option<AppError>>,
    /// The server's name for this field, as in `AppError::Invalid { field }`.
    field: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] long: bool,
    #[prop(optional)] readonly: bool,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] placeholder: Option<&'static str>,
) -> impl IntoView {
    let err_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = if hint.is_some() {
        format!("{err_id} {hint_id}")
    } else {
        err_id.clone()
    };
    let invalid = move || message_for(error, field).is_some().to_string();
    let on_input = move |ev: leptos::ev::Event| value.set(event_target_value(&ev));
    let control = if long {
        view! {
            <textarea id=id rows="3" readonly=readonly aria-invalid=invalid aria-describedby=described
                prop:value=move || value.get() on:input=on_input></textarea>
        }
        .into_any()
    } else {
        view! {
            <input id=id type=kind readonly=readonly aria-invalid=invalid aria-describedby=described
                placeholder=placeholder prop:value=move || value.get() on:input=on_input/>
        }
        .into_any()
    };
    view! {
        <div class="app-field">
            <label for=id>{label}</label>
            {control}
            {hint.map(|h| view! { <p class="app-hint" id=hint_id>{h}</p> })}
            <p class="app-field-error" id=err_id>{move || message_for(error, field)}</p>
        </div>
    }
    .into_any()
}

#[component]
pub fn CheckField(id: &'static str, label: &'static str, value: RwSignal<bool>) -> impl IntoView {
    view! {
        <div class="pages-check">
            <input id=id type="checkbox" prop:checked=move || value.get()
                on:change=move |ev| value.set(event_target_checked(&ev))/>
            <label for=id>{label}</label>
        </div>
    }
    .into_any()
}

/// A `<select>` over `(value, label)` pairs.
#[component]
pub fn SelectField(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    options: Vec<(&'static str, &'static str)>,
    error: RwSignal<Option<AppError>>,
    field: &'static str,
) -> impl IntoView {
    let err_id = format!("{id}-error");
    view! {
        <div class="app-field">
            <label for=id>{label}</label>
            <select id=id aria-describedby=err_id.clone() on:change=move |ev| value.set(event_target_value(&ev))>
                {options.into_iter().map(|(v, l)| view! {
                    <option value=v selected=move || value.get() == v>{l}</option>
                }).collect_view()}
            </select>
            <p class="app-field-error" id=err_id>{move || message_for(error, field)}</p>
        </div>
    }
    .into_any()
}

/// Errors not tied to one of `fields`: the plan limit (with a way to upgrade), a conflict (with
/// a way to reload), anything else as plain text. Rendered only when there is something to say.
#[component]
pub fn FormAlert(
    state: PagesState,
    error: RwSignal<Option<AppError>>,
    fields: &'static [&'static str],
) -> impl IntoView {
    move || {
        let e = error
            .get()
            .filter(|e| !e.field().is_some_and(|f| fields.contains(&f)))?;
        Some(match e {
            AppError::LimitReached { .. } => view! {
                <div role="alert" class="app-error pages-alert">
                    <p>{e.to_string()}</p>
                    // A full page load, as every link out of the builder (see `builder::ExitLink`).
                    <p><a href="/billing" rel="external">"See plans and upgrade"</a></p>
                </div>
            }
            .into_any(),
            AppError::Conflict { .. } => view! {
                <div role="alert" class="app-error pages-alert">
                    <p>"These page settings were changed in another tab or by someone else."</p>
                    <button type="button" class="app-button app-button-ghost" on:click=move |_| state.reload.run(())>
                        "Reload pages"
                    </button>
                </div>
            }
            .into_any(),
            other => view! { <p role="alert" class="app-error pages-alert">{other.to_string()}</p> }.into_any(),
        })
    }
}
