//! "Delete my account" on `/settings`, for every member but the owner (who transfers ownership
//! first). The password is asked again; the server checks the role and the password.

use leptos::prelude::*;

use crate::api::auth::who_am_i;
use crate::api::settings::delete_my_account;
use crate::error::AppError;
use crate::model::Role;

#[component]
pub fn DeleteAccountCard() -> impl IntoView {
    // Client-side only, like the organisation cards beside it.
    let me = LocalResource::new(who_am_i);
    let can = move || matches!(me.get(), Some(Ok(Some(u))) if u.role != Role::Owner && u.impersonated_by.is_none());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        busy.set(true);
        let pw = password.get_untracked();
        leptos::task::spawn_local(async move {
            match delete_my_account(pw).await {
                Ok(()) =>
                {
                    #[cfg(feature = "hydrate")]
                    if let Some(w) = web_sys::window() {
                        let _ = w.location().set_href("/login?account_deleted=1");
                    }
                }
                Err(e) => {
                    busy.try_set(false);
                    error.try_set(Some(e));
                }
            }
        });
    };
    let field_error = move || {
        error
            .get()
            .filter(|e| e.field() == Some("password"))
            .map(|e| e.to_string())
    };
    view! {
        <Show when=can>
            <section class="app-card danger-zone" aria-labelledby="delete-account-heading">
                <h2 id="delete-account-heading">"Delete my account"</h2>
                <p class="app-hint">"Your user account is deleted for good and you are signed out everywhere. What you made (websites, pages, media) stays with the organisation; the audit log keeps your actions, shown as \u{201c}deleted user\u{201d}."</p>
                <form on:submit=submit>
                    <div class="app-field">
                        <label for="delete-account-password">"Your password"</label>
                        <input id="delete-account-password" type="password" autocomplete="current-password" required
                            aria-invalid=move || field_error().is_some().to_string()
                            prop:value=move || password.get()
                            on:input=move |ev| password.set(event_target_value(&ev))/>
                        <p class="app-field-error">{field_error}</p>
                    </div>
                    <button type="submit" class="app-button app-button-danger" disabled=move || busy.get()>"Delete my account"</button>
                </form>
                <p role="alert" class="app-error">{move || error.get().filter(|e| e.field() != Some("password")).map(|e| e.to_string())}</p>
            </section>
        </Show>
    }
    .into_any()
}
