//! Sign-up and log-in forms. They are plain HTML forms posting to server functions, so they
//! work before the WASM has loaded too.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::auth::{ForgotPassword, Login, ResetPassword, Signup};
use crate::error::AppError;
use crate::model::ResetLinkState;

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
    let query = leptos_router::hooks::use_query_map();
    let after_reset = move || query.read().get("reset").is_some_and(|v| v == "1");
    view! {
        <main class="app-narrow app-auth">
            <h1>"Log in to SitePilot"</h1>
            {move || after_reset().then(|| view! {
                <p role="status" class="app-notice">"Your password was changed and every session of your account was signed out. Log in with the new password."</p>
            })}
            <ActionForm action=action>
                <Field name="email" label="Email" kind="email" autocomplete="email" error=err("email")/>
                <Field name="password" label="Password" kind="password" autocomplete="current-password" error=err("password")/>
                <p role="alert" class="app-error">{move || form_error(value.get())}</p>
                <button type="submit" class="app-button" disabled=move || action.pending().get()>"Log in"</button>
            </ActionForm>
            <p><A href="/forgot-password">"Forgot password?"</A></p>
            <p>"New here? " <A href="/signup">"Create an account"</A></p>
        </main>
    }
}

/// "Forgot password?": one email field. The answer is the same whether or not an account uses
/// the address. A plain form post, so it works without JavaScript.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<ForgotPassword>::new();
    let value = action.value();
    let err = move |f: &'static str| Signal::derive(move || field_error(value.get(), f));
    let query = leptos_router::hooks::use_query_map();
    let sent = move || {
        query.read().get("sent").is_some_and(|v| v == "1") || matches!(value.get(), Some(Ok(())))
    };
    view! {
        <main class="app-narrow app-auth">
            <h1>"Reset your password"</h1>
            {move || sent().then(|| view! {
                <p role="status" class="app-notice">"If an account uses this email address, we have sent it a link to choose a new password. The link works once, for one hour."</p>
            })}
            <p>"Enter the email address you log in with. We will email you a link to choose a new password."</p>
            <ActionForm action=action>
                <Field name="email" label="Email" kind="email" autocomplete="email" error=err("email")/>
                <p role="alert" class="app-error">{move || form_error(value.get())}</p>
                <button type="submit" class="app-button" disabled=move || action.pending().get()>"Send the reset link"</button>
            </ActionForm>
            <p><A href="/login">"Back to log in"</A></p>
        </main>
    }
}

/// `/reset-password/{token}`: the page a reset link opens.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let state = crate::api::wire::wire_resource(token, crate::api::auth::reset_link_state);
    view! {
        <main class="app-narrow app-auth">
            <Suspense fallback=|| view! { <p>"Checking your link…"</p> }>
                {move || Suspend::new(async move {
                    match state.await {
                        Ok(ResetLinkState::Valid { email }) => view! { <ResetForm token=token() email=email/> }.into_any(),
                        Ok(other) => {
                            let (title, text) = match other {
                                ResetLinkState::Expired => ("This reset link has expired", "Reset links work for one hour. Ask for a new one."),
                                ResetLinkState::Used => ("This reset link has already been used", "Each link works once. Ask for a new one if you need to."),
                                _ => ("Reset link not found", "Check that you copied the whole link, or ask for a new one."),
                            };
                            view! {
                                <h1>{title}</h1>
                                <p>{text}</p>
                                <p><A href="/forgot-password">"Ask for a new link"</A></p>
                            }.into_any()
                        }
                        Err(e) => view! { <p role="alert" class="app-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn ResetForm(token: String, email: String) -> impl IntoView {
    let action = ServerAction::<ResetPassword>::new();
    let value = action.value();
    let err = move |f: &'static str| Signal::derive(move || field_error(value.get(), f));
    view! {
        <h1>"Choose a new password"</h1>
        <p>{format!("For the account {email}. Every session of this account will be signed out.")}</p>
        <ActionForm action=action>
            <input type="hidden" name="token" value=token/>
            <Field name="password" label="New password" kind="password" autocomplete="new-password" error=err("password")/>
            <p class="app-hint">"At least 10 characters, mixing letters with numbers or symbols."</p>
            <p role="alert" class="app-error">{move || form_error(value.get())}</p>
            <button type="submit" class="app-button" disabled=move || action.pending().get()>"Set the new password"</button>
        </ActionForm>
    }
}

/// `/verify-email/{token}`: the page a verification link opens.
#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let result = crate::api::wire::wire_resource(token, crate::api::auth::verify_email);
    view! {
        <main class="app-narrow app-auth">
            <Suspense fallback=|| view! { <p>"Checking your link…"</p> }>
                {move || Suspend::new(async move {
                    match result.await {
                        Ok(true) => view! {
                            <h1>"Your email address is verified"</h1>
                            <p>"You can now publish your websites."</p>
                            <p><A href="/dashboard">"Go to your websites"</A></p>
                        }.into_any(),
                        Ok(false) => view! {
                            <h1>"This verification link does not work"</h1>
                            <p>"It may have expired (links work for 7 days) or been replaced by a newer one. Log in and send a new one from the builder's Publish button."</p>
                            <p><A href="/login">"Log in"</A></p>
                        }.into_any(),
                        Err(e) => view! { <p role="alert" class="app-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}
