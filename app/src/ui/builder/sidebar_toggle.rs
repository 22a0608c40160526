//! The builder's "Collapse sidebar" control: hides the left panels to give the canvas room,
//! and stores the choice in `users.preferences.sidebar_collapsed` so the builder opens the
//! same way next time.

use leptos::prelude::*;

use crate::api::settings::update_preferences;
use crate::model::Preferences;

#[component]
pub fn SidebarToggle(
    /// Whether the sidebar is collapsed now; the builder hides its panels from it.
    collapsed: RwSignal<bool>,
    /// The user's preferences as loaded, so saving keeps every other preference.
    prefs: StoredValue<Preferences>,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let toggle = move |_| {
        let now = !collapsed.get_untracked();
        collapsed.set(now);
        prefs.update_value(|p| p.sidebar_collapsed = now);
        let p = prefs.get_value();
        error.set(None);
        leptos::task::spawn_local(async move {
            if let Err(e) = update_preferences(p).await {
                error.try_set(Some(format!("Could not remember the sidebar: {e}")));
            }
        });
    };
    view! {
        <button type="button" class="app-button app-button-ghost" aria-pressed=move || collapsed.get().to_string()
            on:click=toggle>"Collapse sidebar"</button>
        {move || error.get().map(|e| view! { <p role="alert" class="app-error">{e}</p> })}
    }
}
