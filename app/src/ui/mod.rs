//! Routes: auth, dashboard and the builder.

mod account_deletion;
mod ai_generation;
mod analytics;
mod api_keys;
mod audit;
mod auth;
mod backups_panel;
mod billing;
mod builder;
mod categories;
mod dashboard;
mod deleted_websites;
mod domain;
mod forms_inbox;
mod import_website;
mod invite;
mod lazy_routes;
pub(crate) mod live;
pub(crate) mod media;
mod new_website;
mod orders;
mod org_lifecycle;
mod organisation;
mod payments_card;
mod products;
mod promotions;
mod settings;
mod staff;
mod team;
mod webhooks;
mod website_settings;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::path;
use leptos_router::Lazy;

use crate::error::AppError;

/// The response header the shell hands the page's CSP nonce to the server in; the server
/// builds the Content-Security-Policy from it and removes it (`server/src/http`).
pub const CSP_NONCE_HEADER: &str = "x-sitepilot-csp-nonce";

/// The HTML document the server renders around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    pass_nonce_to_server();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="stylesheet" id="leptos" href=crate::assets::stylesheet_href()/>
                <link rel="icon" href=crate::assets::FAVICON r#type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The nonce `leptos_axum` made for this render (the hydration scripts carry it), as a
/// response header for the server's Content-Security-Policy.
#[cfg(feature = "ssr")]
fn pass_nonce_to_server() {
    let (Some(nonce), Some(res)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    if let Ok(value) = http::HeaderValue::from_str(&nonce) {
        res.insert_header(http::HeaderName::from_static(CSP_NONCE_HEADER), value);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // `body[data-hydrated=true]` is set by `crate::hydrate` once hydration has finished.
    view! {
        <Title text="SitePilot"/>
        <settings::ThemeSync/>
        <Router>
            <billing::ShellPastDueBanner/>
            <staff::ImpersonationBanner/>
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=path!("/") view=Landing/>
                <Route path=path!("/signup") view={Lazy::<lazy_routes::SignupRoute>::new()}/>
                <Route path=path!("/login") view={Lazy::<lazy_routes::LoginRoute>::new()}/>
                <Route path=path!("/forgot-password") view={Lazy::<lazy_routes::ForgotPasswordRoute>::new()}/>
                // Rendered whole before sending (not streamed), so the link pages work without JavaScript.
                <Route path=path!("/reset-password/:token") view={Lazy::<lazy_routes::ResetPasswordRoute>::new()} ssr=leptos_router::SsrMode::Async/>
                <Route path=path!("/verify-email/:token") view={Lazy::<lazy_routes::VerifyEmailRoute>::new()} ssr=leptos_router::SsrMode::Async/>
                <Route path=path!("/dashboard") view={Lazy::<lazy_routes::DashboardRoute>::new()}/>
                <Route path=path!("/billing") view={Lazy::<lazy_routes::BillingRoute>::new()}/>
                <Route path=path!("/builder/:page_id") view=builder::BuilderPage/>
                <Route path=path!("/analytics") view={Lazy::<lazy_routes::AnalyticsRoute>::new()}/>
                <Route path=path!("/forms") view={Lazy::<lazy_routes::FormsInboxRoute>::new()}/>
                <Route path=path!("/media") view={Lazy::<lazy_routes::MediaRoute>::new()}/>
                <Route path=path!("/team") view={Lazy::<lazy_routes::TeamRoute>::new()}/>
                <Route path=path!("/invite/:token") view={Lazy::<lazy_routes::InviteRoute>::new()}/>
                <Route path=path!("/audit") view={Lazy::<lazy_routes::AuditRoute>::new()}/>
                <Route path=path!("/settings") view={Lazy::<lazy_routes::SettingsRoute>::new()}/>
                <Route path=path!("/websites/:website_id/domain") view={Lazy::<lazy_routes::DomainRoute>::new()}/>
                <Route path=path!("/websites/:website_id/webhooks") view={Lazy::<lazy_routes::WebhooksRoute>::new()}/>
                <Route path=path!("/websites/:website_id/products") view={Lazy::<lazy_routes::ProductsRoute>::new()}/>
                <Route path=path!("/websites/:website_id/orders") view={Lazy::<lazy_routes::OrdersRoute>::new()}/>
                <Route path=path!("/websites/:website_id/promotions") view={Lazy::<lazy_routes::PromotionsRoute>::new()}/>
                <Route path=path!("/websites/:website_id/categories") view={Lazy::<lazy_routes::CategoriesRoute>::new()}/>
                <Route path=path!("/ai/generations/:generation_id") view={Lazy::<lazy_routes::GenerationRoute>::new()}/>
                <Route path=path!("/api-keys") view={Lazy::<lazy_routes::ApiKeysRoute>::new()}/>
                <Route path=path!("/websites/:website_id/settings") view={Lazy::<lazy_routes::WebsiteSettingsRoute>::new()}/>
                <Route path=path!("/staff") view={Lazy::<lazy_routes::StaffRoute>::new()}/>
            </Routes>
        </Router>
    }
}

#[component]
fn Landing() -> impl IntoView {
    view! {
        <main class="app-landing">
            <h1>"SitePilot"</h1>
            <p>"Build a fast, beautiful website for your business, then publish it in one click."</p>
            <p class="app-actions">
                <A href="/signup" attr:class="app-button">"Create your site"</A>
                <A href="/login" attr:class="app-button app-button-ghost">"Log in"</A>
            </p>
        </main>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="app-narrow">
            <h1>"Page not found"</h1>
            <p><A href="/dashboard">"Back to your websites"</A></p>
        </main>
    }
}

/// A full-width message for a failed load, with a way out.
#[component]
fn LoadError(error: AppError) -> impl IntoView {
    if error == AppError::Unauthorized {
        return view! { <leptos_router::components::Redirect path="/login"/> }.into_any();
    }
    view! {
        <main class="app-narrow">
            <p role="alert" class="app-error">{error.to_string()}</p>
            <p><A href="/dashboard">"Back to your websites"</A></p>
        </main>
    }
    .into_any()
}

/// The `website_id` parameter of a `/websites/{website_id}/…` route, when it is a UUID.
fn website_param() -> impl Fn() -> Option<uuid::Uuid> + Clone + Send + Sync + 'static {
    let params = leptos_router::hooks::use_params_map();
    move || {
        params
            .read()
            .get("website_id")
            .and_then(|s| s.parse::<uuid::Uuid>().ok())
    }
}

/// The frame of a page about one website (`/websites/{website_id}/…`): the app navigation, the
/// heading `title`, then `show` with what `load` answers for the route's website, or the
/// error. `loading` is said while it loads.
fn website_page<T, Fut, V>(
    title: &'static str,
    class: &'static str,
    loading: &'static str,
    load: impl Fn(uuid::Uuid) -> Fut + Copy + Send + Sync + 'static,
    show: impl Fn(T) -> V + Copy + Send + Sync + 'static,
) -> impl IntoView
where
    T: serde::Serialize + serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<T, AppError>> + Send + 'static,
    V: IntoView + 'static,
{
    let data = crate::api::wire::wire_resource(website_param(), move |id| async move {
        match id {
            Some(id) => load(id).await,
            None => Err(AppError::NotFound("Website".into())),
        }
    });
    view! {
        <team::AppNav/>
        <main class=format!("app-page {class}")>
            <h1>{title}</h1>
            <Suspense fallback=move || view! { <p>{loading}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(d) => show(d).into_any(),
                        Err(e) => view! { <LoadError error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}
