//! Sign-up and log-in forms. They are plain HTML forms posting to server functions, so they
//! work before the WASM has loaded too.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::auth::{Login, Signup};
use crate::error::AppError;

/// The message for `field`, if the last submission failed on it.
fn field_error(result: Option<Result<(), AppError>>, field: &str) -> Option<String> {
    match result {
        Some(Err(e)) if e.field() == Some(field) => Some(e.to_string()),
        _ => None,
    }
}

/// The message for a failure not tied to one field.
fn form_error(result: Option<Result<(), AppError>>) -> Option<String> {
    match result {
        Some(Err(e)) if e.field().is_none() || e.field() == Some("request") => Some(e.to_string()),
        _ => None,
    }
}

#[component]
fn Field(
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    autocomplete: &'static str,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let err_id = format!("{id}-error");
    view! {
        <div class="app-field">
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                required
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=err_id.clone()
            />
            <p class="app-field-error" id=err_id>{move || error.get()}</p>
        </div>
    }
}

#[component]
pub fn SignupPage() -> impl IntoView {
    let action = ServerAction::<Signup>::new();
    let value = action.value();
    let err = move |f: &'static str| Signal::derive(move || field_error(value.get(), f));
    view! {
        <main class="app-narrow app-auth">
            <h1>"Create your SitePilot account"</h1>
            <p>"You'll get a website with a home page ready to edit."</p>
            <ActionForm action=action>
                <Field name="full_name" label="Your name" autocomplete="name" error=err("full_name")/>
                <Field name="org_name" label="Organisation name" autocomplete="organization" error=err("org_name")/>
                <Field name="email" label="Email" kind="email" autocomplete="email" error=err("email")/>
                <Field name="password" label="Password" kind="password" autocomplete="new-password" error=err("password")/>
                <p class="app-hint">"At least 10 characters, mixing letters with numbers or symbols."</p>
                <p role="alert" class="app-error">{move || form_error(value.get())}</p>
                <button type="submit" class="app-button" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Creating your site…" } else { "Create account" }}
                </button>
            </ActionForm>
            <p>"Already have an account? " <A href="/login">"Log in"</A></p>
        </main>
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<Login>::new();
    let value = action.value();
    let err = move |f: &'static str| Signal::derive(move || field_error(value.get(), f));
    view! {
        <main class="app-narrow app-auth">
            <h1>"Log in to SitePilot"</h1>
            <ActionForm action=action>
                <Field name="email" label="Email" kind="email" autocomplete="email" error=err("email")/>
                <Field name="password" label="Password" kind="password" autocomplete="current-password" error=err("password")/>
                <p role="alert" class="app-error">{move || form_error(value.get())}</p>
                <button type="submit" class="app-button" disabled=move || action.pending().get()>"Log in"</button>
            </ActionForm>
            <p>"New here? " <A href="/signup">"Create an account"</A></p>
        </main>
    }
}
