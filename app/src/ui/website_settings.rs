//! `/websites/{id}/settings`: a website's name, address, site-wide SEO defaults, analytics,
//! visibility (unpublish / publish again, archive / restore) and deletion (issue 23 part 1).
//! Every member sees the settings; the controls follow the flags the server computed from the
//! caller's role (`WebsiteSettings::for_role`), and the server checks the role again.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::new_website::LimitAlert;
use super::team::AppNav;
use super::LoadError;
use crate::api::website_settings::{
    archive_website, change_subdomain, delete_website, load_website_settings, rename_website,
    republish_website, restore_website, set_seo_defaults, set_website_analytics,
    set_website_favicon, unpublish_website,
};
use crate::api::wire::wire_resource;
use crate::error::AppError;
use crate::model::{SiteSeoDefaults, WebsiteSettings};

type Call = std::pin::Pin<Box<dyn std::future::Future<Output = Result<WebsiteSettings, AppError>>>>;

fn day(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

#[component]
pub fn WebsiteSettingsPage() -> impl IntoView {
    let params = use_params_map();
    let website = move || {
        params
            .read()
            .get("website_id")
            .and_then(|s| s.parse::<uuid::Uuid>().ok())
    };
    let settings = wire_resource(website, |id| async move {
        match id {
            Some(id) => load_website_settings(id).await,
            None => Err(AppError::NotFound("Website".into())),
        }
    });
    view! {
        <AppNav/>
        <main class="app-page website-settings-page">
            <h1>"Website settings"</h1>
            <Suspense fallback=|| view! { <p>"Loading the website settings…"</p> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(s) => view! { <SettingsView data=s/> }.into_any(),
                        Err(e) => view! { <LoadError error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn SettingsView(data: WebsiteSettings) -> impl IntoView {
    let id = data.id;
    let current = RwSignal::new(data.clone());
    let error = RwSignal::new(None::<AppError>);
    let notice = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let run = move |call: Call, done: &'static str| {
        error.set(None);
        notice.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            match call.await {
                Ok(s) => {
                    current.try_set(s);
                    notice.try_set(Some(done.to_string()));
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
            busy.try_set(false);
        });
    };
    let field_error = move |field: &'static str| {
        move || {
            error.with(|e| {
                e.as_ref()
                    .filter(|e| e.field() == Some(field))
                    .map(ToString::to_string)
            })
        }
    };
    let fields = [
        "name",
        "subdomain",
        "title_template",
        "description",
        "og_image",
        "favicon_url",
        "confirm",
    ];
    let general_error = move || {
        error
            .get()
            .filter(|e| !e.field().is_some_and(|f| fields.contains(&f)))
            .map(|e| match e {
                e @ AppError::LimitReached { .. } => view! { <LimitAlert error=e/> }.into_any(),
                other => {
                    view! { <p role="alert" class="app-error">{other.to_string()}</p> }.into_any()
                }
            })
    };

    // Name.
    let name = RwSignal::new(data.name.clone());
    let save_name = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        run(
            Box::pin(rename_website(id, name.get_untracked())),
            "Name saved. Visitors see it after the next publish.",
        );
    };
    // Address.
    let subdomain = RwSignal::new(data.subdomain.clone().unwrap_or_default());
    let save_subdomain = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        run(
            Box::pin(change_subdomain(id, subdomain.get_untracked())),
            "Address changed. The old address redirects here for 30 days.",
        );
    };
    // SEO defaults.
    let seo = data.seo.clone();
    let template = RwSignal::new(seo.title_template.clone().unwrap_or_default());
    let description = RwSignal::new(seo.description.clone().unwrap_or_default());
    let og_image = RwSignal::new(seo.og_image.clone().unwrap_or_default());
    let no_index = RwSignal::new(seo.no_index);
    let save_seo = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let seo = SiteSeoDefaults {
            title_template: Some(template.get_untracked()),
            description: Some(description.get_untracked()),
            og_image: Some(og_image.get_untracked()),
            no_index: no_index.get_untracked(),
        };
        run(
            Box::pin(set_seo_defaults(id, seo)),
            "SEO defaults saved. Visitors see them after the next publish.",
        );
    };
    // Favicon.
    let favicon = RwSignal::new(data.favicon_url.clone().unwrap_or_default());
    let save_favicon = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        run(
            Box::pin(set_website_favicon(id, favicon.get_untracked())),
            "Favicon saved. Visitors see it after the next publish.",
        );
    };
    // Deletion.
    let confirm = RwSignal::new(String::new());
    let navigate = leptos_router::hooks::use_navigate();
    let delete = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        busy.set(true);
        let typed = confirm.get_untracked();
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match delete_website(id, typed).await {
                Ok(_) => {
                    navigate("/dashboard", Default::default());
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
            busy.try_set(false);
        });
    };

    let s = move || current.get();
    let status_text = move || {
        let s = s();
        match s.status.as_str() {
            "published" => "Published: visitors can see this website.".to_string(),
            "archived" => "Archived: offline, and not counted against your plan. Restore it to work on it again.".to_string(),
            "suspended" => "Suspended.".to_string(),
            _ if s.unpublished_at.is_some() => format!(
                "Unpublished on {}: visitors see a “not available” page. Your deployments are kept.",
                day(s.unpublished_at.expect("checked"))
            ),
            _ => "Draft: not published yet.".to_string(),
        }
    };
    let live_link = move || {
        let s = s();
        (s.status == "published")
            .then_some(s.subdomain)
            .flatten()
            .map(|sub| view! { <p><a href=format!("/sites/{sub}/")>"View live site"</a></p> })
    };
    let redirects = move || {
        let r = s().redirects;
        (!r.is_empty()).then(|| {
            view! {
                <ul class="app-list" aria-label="Old addresses">
                    {r.into_iter().map(|r| view! {
                        <li><code>{r.subdomain.clone()}</code>
                            {format!(" redirects here until {}, then it is released.", day(r.release_at))}</li>
                    }).collect_view()}
                </ul>
            }
        })
    };
    let visibility = move || {
        let s = s();
        if !s.can_manage {
            return view! { <p class="app-muted">"The owner, an admin or a developer can change this."</p> }.into_any();
        }
        let published = s.status == "published";
        let archived = s.status == "archived";
        let can_republish = s.status == "draft" && s.has_live_deployment;
        view! {
            <p class="app-actions">
                {published.then(|| view! {
                    <button type="button" class="app-button" disabled=move || busy.get()
                        on:click=move |_| run(Box::pin(unpublish_website(id)), "Unpublished: the site is offline.")>"Unpublish"</button>
                })}
                {can_republish.then(|| view! {
                    <button type="button" class="app-button" disabled=move || busy.get()
                        on:click=move |_| run(Box::pin(republish_website(id)), "Published again.")>"Publish again"</button>
                })}
                {(!archived).then(|| view! {
                    <button type="button" class="app-button app-button-ghost" disabled=move || busy.get()
                        on:click=move |_| run(Box::pin(archive_website(id)), "Archived.")>"Archive"</button>
                })}
                {archived.then(|| view! {
                    <button type="button" class="app-button" disabled=move || busy.get()
                        on:click=move |_| run(Box::pin(restore_website(id)), "Restored as a draft.")>"Restore"</button>
                })}
            </p>
        }
        .into_any()
    };
    let can_edit = data.can_edit;
    let can_manage = data.can_manage;
    let can_delete = data.can_delete;
    let analytics_on = move || s().analytics_enabled;

    view! {
        <p>"Website: " <strong>{move || s().name}</strong></p>
        {general_error}
        <p role="status" class="app-notice">{move || notice.get()}</p>

        <section class="app-card" aria-labelledby="ws-name-heading">
            <h2 id="ws-name-heading">"Name"</h2>
            <form on:submit=save_name>
                <div class="app-field">
                    <label for="ws-name">"Website name"</label>
                    <input id="ws-name" type="text" disabled=!can_edit aria-describedby="ws-name-error"
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                    <p class="app-field-error" id="ws-name-error">{field_error("name")}</p>
                </div>
                <button type="submit" class="app-button" disabled=move || busy.get() || !can_edit>"Save name"</button>
            </form>
        </section>

        <section class="app-card" aria-labelledby="ws-address-heading">
            <h2 id="ws-address-heading">"Address"</h2>
            <p class="app-muted">{move || s().subdomain.map(|sub| format!("Visitors reach this site at {sub}. Changing it keeps the old address redirecting here for 30 days; then anyone may take it."))}</p>
            {live_link}
            <form on:submit=save_subdomain>
                <div class="app-field">
                    <label for="ws-subdomain">"Subdomain"</label>
                    <input id="ws-subdomain" type="text" autocomplete="off" spellcheck="false" disabled=!can_manage
                        aria-describedby="ws-subdomain-error"
                        prop:value=move || subdomain.get() on:input=move |ev| subdomain.set(event_target_value(&ev))/>
                    <p class="app-field-error" id="ws-subdomain-error">{field_error("subdomain")}</p>
                </div>
                <button type="submit" class="app-button" disabled=move || busy.get() || !can_manage>"Change address"</button>
            </form>
            {redirects}
        </section>

        <section class="app-card" aria-labelledby="ws-seo-heading">
            <h2 id="ws-seo-heading">"Search engines and sharing"</h2>
            <p class="app-muted">"Defaults for every page; a page's own SEO settings win. Visitors see changes after the next publish."</p>
            <form on:submit=save_seo>
                <div class="app-field">
                    <label for="ws-title-template">"Title template"</label>
                    <input id="ws-title-template" type="text" placeholder="%s | My Bakery" disabled=!can_edit
                        aria-describedby="ws-title-template-error"
                        prop:value=move || template.get() on:input=move |ev| template.set(event_target_value(&ev))/>
                    <p class="app-field-error" id="ws-title-template-error">{field_error("title_template")}</p>
                </div>
                <div class="app-field">
                    <label for="ws-description">"Default description"</label>
                    <textarea id="ws-description" disabled=!can_edit aria-describedby="ws-description-error"
                        prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))></textarea>
                    <p class="app-field-error" id="ws-description-error">{field_error("description")}</p>
                </div>
                <div class="app-field">
                    <label for="ws-og-image">"Default share image address"</label>
                    <input id="ws-og-image" type="text" placeholder="https://… or /media/…" disabled=!can_edit
                        aria-describedby="ws-og-image-error"
                        prop:value=move || og_image.get() on:input=move |ev| og_image.set(event_target_value(&ev))/>
                    <p class="app-field-error" id="ws-og-image-error">{field_error("og_image")}</p>
                </div>
                <label class="settings-check" for="ws-noindex">
                    <input id="ws-noindex" type="checkbox" disabled=!can_edit prop:checked=move || no_index.get()
                        on:change=move |ev| no_index.set(event_target_checked(&ev))/>
                    "Hide the whole site from search engines (noindex)"
                </label>
                <button type="submit" class="app-button" disabled=move || busy.get() || !can_edit>"Save SEO defaults"</button>
            </form>
        </section>

        <section class="app-card" aria-labelledby="ws-favicon-heading">
            <h2 id="ws-favicon-heading">"Favicon"</h2>
            <p class="app-muted">"The small icon browsers show in the tab. Copy an image's address from the media library, or use an https:// address. Empty uses SitePilot's. Visitors see it after the next publish."</p>
            <form on:submit=save_favicon>
                <div class="app-field">
                    <label for="ws-favicon">"Favicon address"</label>
                    <input id="ws-favicon" type="text" placeholder="/media/… or https://…" disabled=!can_edit
                        aria-describedby="ws-favicon-error"
                        prop:value=move || favicon.get() on:input=move |ev| favicon.set(event_target_value(&ev))/>
                    <p class="app-field-error" id="ws-favicon-error">{field_error("favicon_url")}</p>
                </div>
                <button type="submit" class="app-button" disabled=move || busy.get() || !can_edit>"Save favicon"</button>
            </form>
        </section>

        <section class="app-card" aria-labelledby="ws-analytics-heading">
            <h2 id="ws-analytics-heading">"Analytics"</h2>
            <label class="settings-check" for="ws-analytics">
                <input id="ws-analytics" type="checkbox" disabled=move || busy.get() || !can_manage
                    prop:checked=analytics_on
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        run(Box::pin(set_website_analytics(id, on)), if on { "Analytics on." } else { "Analytics off." });
                    }/>
                "Count visits to this website (analytics)"
            </label>
        </section>

        <section class="app-card" aria-labelledby="ws-visibility-heading">
            <h2 id="ws-visibility-heading">"Visibility"</h2>
            <p>{status_text}</p>
            {visibility}
        </section>

        {can_delete.then(|| view! {
            <section class="app-card app-danger" aria-labelledby="ws-delete-heading">
                <h2 id="ws-delete-heading">"Delete website"</h2>
                <p>"The site goes offline at once and disappears from your dashboard. It is kept for 30 days, then deleted for good with its pages, versions, deployments and backups."</p>
                <form on:submit=delete>
                    <div class="app-field">
                        <label for="ws-confirm">"Type the website's name to confirm"</label>
                        <input id="ws-confirm" type="text" autocomplete="off" aria-describedby="ws-confirm-error"
                            prop:value=move || confirm.get() on:input=move |ev| confirm.set(event_target_value(&ev))/>
                        <p class="app-field-error" id="ws-confirm-error">{field_error("confirm")}</p>
                    </div>
                    <button type="submit" class="app-button app-button-danger" disabled=move || busy.get()>"Delete website"</button>
                </form>
            </section>
        })}
    }
}
