//! The tenant's websites and their pages.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::components::A;

use super::LoadError;
use crate::api::auth::{who_am_i, Logout};
use crate::api::websites::list_websites;
use crate::api::wire::wire_resource;
use crate::model::WebsiteSummary;

#[component]
pub fn DashboardPage() -> impl IntoView {
    // "Edit" opens a page in the builder from here: have its editor ready by then.
    super::builder::preload_editor();
    let create = ServerAction::<crate::api::websites::CreateWebsite>::new();
    let import = ServerAction::<crate::api::backup::ImportWebsite>::new();
    let from_template = ServerAction::<crate::api::templates::CreateFromTemplate>::new();
    let save_template = ServerAction::<crate::api::templates::SaveTemplate>::new();
    let sites = wire_resource(
        move || {
            (
                create.version().get(),
                import.version().get(),
                from_template.version().get(),
            )
        },
        |_| list_websites(),
    );
    let me = wire_resource(|| (), |_| who_am_i());
    let logout = ServerAction::<Logout>::new();
    // Publishes and rollbacks of the tenant's websites, live from any tab or teammate.
    let deploy = RwSignal::new(None::<crate::model::DeployStatus>);
    super::live::follow(String::new(), move |name, data| {
        if name == "deploy" {
            if let Ok(crate::model::LiveEvent::Deploy(d)) = serde_json::from_str(data) {
                deploy.set(Some(d));
            }
        }
    });
    view! {
        <header class="app-topbar">
            <strong class="app-logo">"SitePilot"</strong>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    me.await.ok().flatten().map(|u| view! {
                        <span class="app-who">{format!("{} · {}", u.tenant_name, u.email)}</span>
                    })
                })}
            </Suspense>
            <nav class="app-nav" aria-label="Account">
                <A href="/media">"Media"</A>
                <A href="/analytics">"Analytics"</A>
                <A href="/forms">"Form submissions"</A>
                <A href="/team">"Team"</A>
                <A href="/audit">"Audit log"</A>
                <A href="/api-keys">"API keys"</A>
                <A href="/settings">"Settings"</A>
                <A href="/billing">"Billing"</A>
            </nav>
            <ActionForm action=logout>
                <button type="submit" class="app-button app-button-ghost">"Log out"</button>
            </ActionForm>
        </header>
        <main class="app-page">
            <super::billing::PastDueBanner/>
            <super::organisation::OnboardingChecklist/>
            <h1>"Your websites"</h1>
            <super::live::DeployStatusRegion status=deploy.into()/>
            <Suspense fallback=|| view! { <p>"Loading your websites…"</p> }>
                {move || Suspend::new(async move {
                    match sites.await {
                        Ok(list) => list.into_iter().map(|w| view! { <WebsiteCard site=w save_template/> }).collect_view().into_any(),
                        Err(e) => view! { <LoadError error=e/> }.into_any(),
                    }
                })}
            </Suspense>
            <super::new_website::NewWebsiteForm create from_template saved=Signal::derive(move || save_template.version().get())/>
            <super::import_website::ImportWebsiteForm import/>
            <super::deleted_websites::DeletedWebsites/>
        </main>
    }
}

#[component]
fn WebsiteCard(
    site: WebsiteSummary,
    save_template: ServerAction<crate::api::templates::SaveTemplate>,
) -> impl IntoView {
    let heading_id = format!("site-{}", site.id);
    let labelled_by = heading_id.clone();
    let live = (site.status == "published")
        .then(|| site.subdomain.clone())
        .flatten();
    view! {
        <section class="app-card" aria-labelledby=labelled_by>
            <h2 id=heading_id>{site.name.clone()}</h2>
            <p class="app-muted">
                {format!("Status: {}", site.status)}
                {site.subdomain.clone().map(|sub| view! { " · Address: " <code>{sub}</code> })}
                {live.map(|sub| view! { " · " <a href=format!("/sites/{sub}/")>"View live site"</a> })}
                " · "
                <A href=format!("/websites/{}/domain", site.id) attr:aria-label=format!("Custom domain of {}", site.name)>"Custom domain"</A>
                " · "
                <A href=format!("/websites/{}/webhooks", site.id) attr:aria-label=format!("Webhooks of {}", site.name)>"Webhooks"</A>
                " · "
                <A href=format!("/websites/{}/products", site.id) attr:aria-label=format!("Products of {}", site.name)>"Products"</A>
                " · "
                <A href=format!("/websites/{}/orders", site.id) attr:aria-label=format!("Orders of {}", site.name)>"Orders"</A>
                " · "
                <A href=format!("/websites/{}/settings", site.id) attr:aria-label=format!("Settings of {}", site.name)>"Website settings"</A>
            </p>
            // A plain download (Content-Disposition: attachment), not a client-side route.
            <p>
                <a href=format!("/websites/{}/export", site.id) rel="external" download=""
                    aria-label=format!("Download a backup of {}", site.name)>"Download backup"</a>
                " · "
                <a href=format!("/websites/{}/export.zip", site.id) rel="external" download=""
                    aria-label=format!("Download a backup of {} with media", site.name)>"Download backup with media"</a>
            </p>
            <h3>"Pages"</h3>
            <ul class="app-list">
                {site.pages.into_iter().map(|p| view! {
                    <li>
                        <span>{p.title.clone()}</span>
                        <code>{p.slug.clone()}</code>
                        <span class="app-muted">{p.status.clone()}</span>
                        <A href=format!("/builder/{}", p.id) attr:aria-label=format!("Edit {}", p.title)>"Edit"</A>
                    </li>
                }).collect_view()}
            </ul>
            <super::backups_panel::BackupsPanel website_id=site.id site_name=site.name.clone()/>
            <super::new_website::SaveTemplateForm website_id=site.id site_name=site.name.clone() save=save_template/>
        </section>
    }
}
