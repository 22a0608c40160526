//! `/invite/{token}`: the page an invite link opens. A new person sets a name and password and
//! joins the team; expired, revoked and used links each get their own explanation.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::invite::{accept_invite, get_invite};
use crate::api::wire::wire_resource;
use crate::error::AppError;
use crate::model::InviteState;

#[component]
pub fn InvitePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let state = wire_resource(token, get_invite);
    view! {
        <main class="app-narrow app-auth">
            <Suspense fallback=|| view! { <p>"Checking your invitation…"</p> }>
                {move || Suspend::new(async move {
                    match state.await {
                        Ok(InviteState::Pending { tenant_name, email, role }) => view! {
                            <AcceptForm token=token() tenant=tenant_name email=email role=role.as_str()/>
                        }.into_any(),
                        Ok(other) => view! { <Unusable state=other/> }.into_any(),
                        Err(e) => view! { <p role="alert" class="app-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn Unusable(state: InviteState) -> impl IntoView {
    let (title, text) = match state {
        InviteState::Expired => (
            "This invitation has expired",
            "Invitations are valid for 7 days. Ask your team's owner or admin to resend it.",
        ),
        InviteState::Revoked => (
            "This invitation was revoked",
            "It can no longer be used. Ask your team's owner or admin for a new invitation.",
        ),
        InviteState::Accepted => (
            "This invitation has already been used",
            "Log in with the email and password you chose when you accepted it.",
        ),
        _ => (
            "Invitation not found",
            "Check that you copied the whole link. A resent invitation replaces the old link.",
        ),
    };
    view! {
        <h1>{title}</h1>
        <p>{text}</p>
        <p><A href="/login">"Log in"</A></p>
    }
}

#[component]
fn AcceptForm(token: String, tenant: String, email: String, role: &'static str) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error: RwSignal<Option<AppError>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let field = move |f: &'static str| {
        move || {
            error
                .get()
                .filter(|e| e.field() == Some(f))
                .map(|e| e.to_string())
        }
    };
    let general = move || {
        error
            .get()
            .filter(|e| !matches!(e.field(), Some("full_name" | "password")))
            .map(|e| e.to_string())
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (t, n, p) = (
            token.clone(),
            name.get_untracked(),
            password.get_untracked(),
        );
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match accept_invite(t, n, p).await {
                // A full navigation, so the dashboard loads with the new session cookie.
                Ok(()) =>
                {
                    #[cfg(feature = "hydrate")]
                    if let Some(w) = web_sys::window() {
                        let _ = w.location().set_href("/dashboard");
                    }
                }
                Err(e) => {
                    busy.try_set(false);
                    error.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <h1>{format!("Join {tenant} on SitePilot")}</h1>
        <p>{format!("You were invited as {role} with the email {email}. Choose your name and a password.")}</p>
        <form on:submit=submit>
            <div class="app-field">
                <label for="invite-name">"Your name"</label>
                <input id="invite-name" autocomplete="name" required
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                <p class="app-field-error">{field("full_name")}</p>
            </div>
            <div class="app-field">
                <label for="invite-password">"Password"</label>
                <input id="invite-password" type="password" autocomplete="new-password" required
                    prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
                <p class="app-field-error">{field("password")}</p>
            </div>
            <p class="app-hint">"At least 10 characters, mixing letters with numbers or symbols."</p>
            <p role="alert" class="app-error">{general}</p>
            <button type="submit" class="app-button" disabled=move || busy.get()>"Join the team"</button>
        </form>
    }
}
