//! `/settings`: the member's profile, password and preferences (schema reference §18), and the theme
//! applied to the whole app (`data-theme` on `<html>`, read by the CSS variables).

use std::future::Future;

use leptos::prelude::*;

use super::team::AppNav;
use super::LoadError;
use crate::api::settings::*;
use crate::api::wire::wire_resource;
use crate::error::AppError;
use crate::model::{DeviceView, Preferences, Theme, UserSettings};

/// Sets the theme on the document root.
pub fn apply_theme(theme: Theme) {
    #[cfg(feature = "hydrate")]
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-theme", theme.as_str());
    }
    let _ = theme;
}

/// Loads the signed-in member's theme once per page load and applies it.
#[component]
pub fn ThemeSync() -> impl IntoView {
    let theme = LocalResource::new(my_theme);
    Effect::new(move |_| {
        if let Some(Ok(t)) = theme.get() {
            apply_theme(t);
        }
    });
}

/// One form's state: busy, the last error, the last success.
#[derive(Clone, Copy)]
struct FormState {
    error: RwSignal<Option<AppError>>,
    done: RwSignal<Option<String>>,
}

impl FormState {
    fn new() -> Self {
        Self {
            error: RwSignal::new(None),
            done: RwSignal::new(None),
        }
    }

    fn run(
        self,
        change: impl Future<Output = Result<(), AppError>> + 'static,
        ok: &'static str,
        after: impl FnOnce() + 'static,
    ) {
        self.error.set(None);
        self.done.set(None);
        leptos::task::spawn_local(async move {
            match change.await {
                Ok(()) => {
                    self.done.try_set(Some(ok.to_string()));
                    after();
                }
                Err(e) => {
                    self.error.try_set(Some(e));
                }
            }
        });
    }

    fn field(self, f: &'static str) -> impl Fn() -> Option<String> {
        move || {
            self.error
                .get()
                .filter(|e| e.field() == Some(f))
                .map(|e| e.to_string())
        }
    }

    fn messages(self, fields: &'static [&'static str]) -> impl IntoView {
        view! {
            <p role="status" class="app-notice">{move || self.done.get()}</p>
            <p role="alert" class="app-error">{move || self.error.get().filter(|e| !e.field().is_some_and(|f| fields.contains(&f))).map(|e| e.to_string())}</p>
        }
    }
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let settings = wire_resource(|| (), |_| my_settings());
    view! {
        <AppNav/>
        <main class="app-page settings-page">
            <h1>"Settings"</h1>
            <Suspense fallback=|| view! { <p>"Loading your settings…"</p> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(s) => view! { <Profile s=s.clone()/> <PasswordForm/> <PreferencesForm prefs=s.preferences/> <SessionsCard/> }.into_any(),
                        Err(e) => view! { <LoadError error=e/> }.into_any(),
                    }
                })}
            </Suspense>
            // Outside the Suspend above: its resources must exist when hydration starts.
            <super::organisation::OrganisationCard/>
            <super::org_lifecycle::OrgLifecycleCard/>
            <super::account_deletion::DeleteAccountCard/>
        </main>
    }
}

#[component]
fn TextInput(
    id: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    value: RwSignal<String>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <div class="app-field">
            <label for=id>{label}</label>
            <input id=id type=kind aria-invalid=move || error.get().is_some().to_string()
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
            <p class="app-field-error">{move || error.get()}</p>
        </div>
    }
}

#[component]
fn Profile(s: UserSettings) -> impl IntoView {
    let name = RwSignal::new(s.full_name.unwrap_or_default());
    let avatar = RwSignal::new(s.avatar_url.unwrap_or_default());
    let st = FormState::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        st.run(
            update_profile(name.get_untracked(), avatar.get_untracked()),
            "Profile saved.",
            || (),
        );
    };
    view! {
        <section class="app-card" aria-labelledby="profile-heading">
            <h2 id="profile-heading">"Profile"</h2>
            <p class="app-muted">{format!("Signed in as {}", s.email)}</p>
            <form on:submit=submit>
                <TextInput id="settings-name" label="Name" value=name error=Signal::derive(st.field("full_name"))/>
                <TextInput id="settings-avatar" label="Avatar URL" kind="url" value=avatar error=Signal::derive(st.field("avatar_url"))/>
                {st.messages(&["full_name", "avatar_url"])}
                <button type="submit" class="app-button">"Save profile"</button>
            </form>
        </section>
    }
}

/// "Log out everywhere": ends every session of this member (other browsers and devices too),
/// then opens the log-in page.
#[component]
fn SessionsCard() -> impl IntoView {
    let st = FormState::new();
    let click = move |_| {
        st.run(logout_everywhere(), "Signed out everywhere.", || {
            #[cfg(feature = "hydrate")]
            if let Some(w) = web_sys::window() {
                let _ = w.location().set_href("/login");
            }
        });
    };
    view! {
        <section class="app-card" aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">"Sessions"</h2>
            <p>"Signed in on a computer you no longer use? End every session of your account, this one included."</p>
            {st.messages(&[])}
            <button type="button" class="app-button" on:click=click>"Log out everywhere"</button>
        </section>
    }
}

#[component]
fn PasswordForm() -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let st = FormState::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        st.run(
            change_password(current.get_untracked(), new.get_untracked()),
            "Password changed. Your other sessions were signed out.",
            move || {
                current.try_set(String::new());
                new.try_set(String::new());
            },
        );
    };
    view! {
        <section class="app-card" aria-labelledby="password-heading">
            <h2 id="password-heading">"Password"</h2>
            <form on:submit=submit>
                <TextInput id="settings-current" label="Current password" kind="password" value=current error=Signal::derive(st.field("current_password"))/>
                <TextInput id="settings-new" label="New password" kind="password" value=new error=Signal::derive(st.field("new_password"))/>
                {st.messages(&["current_password", "new_password"])}
                <button type="submit" class="app-button">"Change password"</button>
            </form>
        </section>
    }
}

#[component]
fn PreferencesForm(prefs: Preferences) -> impl IntoView {
    let prefs = RwSignal::new(prefs);
    let st = FormState::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let p = prefs.get_untracked();
        let theme = p.theme;
        st.run(update_preferences(p), "Preferences saved.", move || {
            apply_theme(theme)
        });
    };
    let check = |id: &'static str,
                 label: &'static str,
                 get: fn(&Preferences) -> bool,
                 set: fn(&mut Preferences, bool)| {
        view! {
            <label class="settings-check" for=id>
                <input id=id type="checkbox" prop:checked=move || prefs.with(get)
                    on:change=move |ev| { let on = event_target_checked(&ev); prefs.update(|p| set(p, on)); }/>
                {label}
            </label>
        }
    };
    view! {
        <section class="app-card" aria-labelledby="prefs-heading">
            <h2 id="prefs-heading">"Preferences"</h2>
            <form novalidate=true on:submit=submit>
                <div class="app-field">
                    <label for="settings-theme">"Theme"</label>
                    <select id="settings-theme" on:change=move |ev| {
                        let dark = event_target_value(&ev) == "dark";
                        prefs.update(|p| p.theme = if dark { Theme::Dark } else { Theme::Light });
                    }>
                        <option value="light" selected=prefs.get_untracked().theme == Theme::Light>"Light"</option>
                        <option value="dark" selected=prefs.get_untracked().theme == Theme::Dark>"Dark"</option>
                    </select>
                    <p class="app-hint">"Light or dark screens for the app (never your visitors' site)."</p>
                </div>
                <div class="app-field">
                    <label for="settings-view">"Builder default device view"</label>
                    <select id="settings-view" on:change=move |ev| {
                        let v = match event_target_value(&ev).as_str() { "tablet" => DeviceView::Tablet, "mobile" => DeviceView::Mobile, _ => DeviceView::Desktop };
                        prefs.update(|p| p.builder.default_view = v);
                    }>
                        {[(DeviceView::Desktop, "desktop", "Desktop"), (DeviceView::Tablet, "tablet", "Tablet"), (DeviceView::Mobile, "mobile", "Mobile")]
                            .into_iter()
                            .map(|(v, value, text)| view! { <option value=value selected=prefs.get_untracked().builder.default_view == v>{text}</option> })
                            .collect_view()}
                    </select>
                    <p class="app-hint">"The width the builder's canvas opens at: desktop, tablet or phone."</p>
                </div>
                <div class="app-field">
                    <label for="settings-autosave">"Autosave a version every (seconds)"</label>
                    <input id="settings-autosave" type="number" min="10" max="600" step="1"
                        aria-describedby="settings-autosave-hint settings-autosave-error"
                        prop:value=move || prefs.with(|p| p.builder.auto_save_interval.to_string())
                        on:input=move |ev| {
                            // Out-of-range or empty input is sent as typed (0 when not a number),
                            // so the server's check names the bounds.
                            let secs = event_target_value(&ev).trim().parse::<u32>().unwrap_or(0);
                            prefs.update(|p| p.builder.auto_save_interval = secs);
                        }/>
                    <p class="app-hint" id="settings-autosave-hint">"While you edit, the builder records a version of the page this often (10 to 600 seconds), so you can go back to it in Versions. Your edits themselves are saved as you make them."</p>
                    <p class="app-field-error" id="settings-autosave-error">{st.field("auto_save_interval")}</p>
                </div>
                <div class="app-field">
                    {check("settings-grid", "Show a layout grid on the builder canvas", |p| p.builder.show_grid, |p, v| p.builder.show_grid = v)}
                    <p class="app-hint">"Draws a 12-column grid behind the blocks while you edit, to line things up. Visitors never see it."</p>
                </div>
                <DefaultWebsite prefs=prefs error=Signal::derive(st.field("default_website_id"))/>
                <fieldset class="settings-notifications">
                    <legend>"Email notifications"</legend>
                    <p class="app-hint">"Which emails SitePilot sends you. Billing covers failed payments and suspensions (owners)."</p>
                    {check("settings-n-comment", "Comments", |p| p.notifications.email_on_comment, |p, v| p.notifications.email_on_comment = v)}
                    {check("settings-n-publish", "Publishing", |p| p.notifications.email_on_publish, |p, v| p.notifications.email_on_publish = v)}
                    {check("settings-n-billing", "Billing", |p| p.notifications.email_on_billing, |p, v| p.notifications.email_on_billing = v)}
                </fieldset>
                {st.messages(&["auto_save_interval", "default_website_id"])}
                <button type="submit" class="app-button">"Save preferences"</button>
            </form>
        </section>
    }
}

/// "Open after log-in": the dashboard, or one of the tenant's websites, whose home page then
/// opens in the builder right after logging in (`preferences.default_website_id`).
#[component]
fn DefaultWebsite(prefs: RwSignal<Preferences>, error: Signal<Option<String>>) -> impl IntoView {
    let sites = wire_resource(|| (), |_| crate::api::websites::list_websites());
    view! {
        <div class="app-field">
            <label for="settings-default-site">"Open after log-in"</label>
            <Suspense fallback=|| view! { <p>"Loading your websites…"</p> }>
                {move || Suspend::new(async move {
                    let sites = sites.await.unwrap_or_default();
                    let chosen = prefs.get_untracked().default_website_id;
                    view! {
                        <select id="settings-default-site" aria-describedby="settings-default-site-hint"
                            on:change=move |ev| {
                                let v = event_target_value(&ev).parse::<uuid::Uuid>().ok();
                                prefs.update(|p| p.default_website_id = v);
                            }>
                            <option value="" selected=chosen.is_none()>"The dashboard"</option>
                            {sites.into_iter().map(|w| {
                                let selected = chosen == Some(w.id);
                                view! { <option value=w.id.to_string() selected=selected>{w.name}</option> }
                            }).collect_view()}
                        </select>
                    }
                })}
            </Suspense>
            <p class="app-hint" id="settings-default-site-hint">"Where you land after logging in: the dashboard with all your websites, or the chosen website's home page in the builder."</p>
            <p class="app-field-error">{move || error.get()}</p>
        </div>
    }
}
