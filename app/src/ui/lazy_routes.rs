//! Every route except the builder and the landing page, as a lazily loaded route. With
//! `cargo leptos build --split` their view code leaves the main WASM, so the builder route
//! downloads none of it (the builder's opening-download budget in end2end/bench/BENCHMARKS.md).
//! Without `--split` (e.g. `cargo leptos watch`) they behave like ordinary routes. The server
//! renders them synchronously and preloads their download in the page head.
//!
//! The routes are split in four downloads, not one each: the sign-in pages, the dashboard, the
//! organisation's pages and a website's pages. wasm-split puts code that several downloads use
//! into a shared file per combination of users, so with one download per route (24, plus the
//! builder's editor) the browser fetched hundreds of files of a few hundred bytes each for one
//! page (the editor alone needed 385): on HTTP/1.1, round trips, not bytes, decided how long a
//! page took. Four downloads leave at most sixteen combinations.
//!
//! A download is a wasm-split module: its function expands to an `unsafe extern "C"`
//! import/export pair, which is why this module allows `unsafe_code` (see app/Cargo.toml).
#![allow(unsafe_code)]

use leptos::prelude::*;
use leptos::wasm_split::wasm_split;
use leptos_router::LazyRoute;

use super::{
    ai_generation, analytics, api_keys, audit, auth, billing, categories, dashboard, domain,
    forms_inbox, invite, media, orders, products, promotions, settings, staff, team, webhooks,
    website_settings,
};

/// One download (`$module`, a wasm-split module) holding the pages listed, each a route type
/// (`$route`) that shows its page (`$page`).
macro_rules! download {
    ($module:ident, $preload:ident, $pick:ident, $which:ident { $($route:ident => $m:ident :: $page:ident),+ $(,)? }) => {
        /// Which page of this download to show: one variant per route type.
        #[derive(Clone, Copy)]
        #[allow(clippy::enum_variant_names)]
        enum $which {
            $($route),+
        }

        #[wasm_split($module, wasm_split_path = ::leptos::wasm_split, preload($preload))]
        fn $pick(which: $which) -> AnyView {
            // The server names the download, so the page's head preloads its files.
            #[cfg(feature = "ssr")]
            leptos::prefetch_lazy_fn_on_server(stringify!($module));
            match which {
                $($which::$route => view! { <$m::$page/> }.into_any()),+
            }
        }

        $(
            pub struct $route;

            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                async fn view(_this: Self) -> AnyView {
                    $pick($which::$route).await
                }

                async fn preload() {
                    $preload().await
                }
            }
        )+
    };
}

download!(pages_account, preload_account, account_page, AccountPages {
    SignupRoute => auth::SignupPage,
    LoginRoute => auth::LoginPage,
    ForgotPasswordRoute => auth::ForgotPasswordPage,
    ResetPasswordRoute => auth::ResetPasswordPage,
    VerifyEmailRoute => auth::VerifyEmailPage,
    InviteRoute => invite::InvitePage,
});

download!(pages_dashboard, preload_dashboard, dashboard_page, DashboardPages {
    DashboardRoute => dashboard::DashboardPage,
});

download!(pages_organisation, preload_organisation, organisation_page, OrganisationPages {
    BillingRoute => billing::BillingPage,
    AnalyticsRoute => analytics::AnalyticsPage,
    FormsInboxRoute => forms_inbox::FormsInboxPage,
    TeamRoute => team::TeamPage,
    AuditRoute => audit::AuditLogPage,
    SettingsRoute => settings::SettingsPage,
    MediaRoute => media::MediaPage,
    ApiKeysRoute => api_keys::ApiKeysPage,
    GenerationRoute => ai_generation::GenerationPage,
    StaffRoute => staff::StaffPage,
});

download!(pages_website, preload_website, website_page, WebsitePages {
    DomainRoute => domain::DomainPage,
    WebhooksRoute => webhooks::WebhooksPage,
    WebsiteSettingsRoute => website_settings::WebsiteSettingsPage,
    ProductsRoute => products::ProductsPage,
    OrdersRoute => orders::OrdersPage,
    PromotionsRoute => promotions::PromotionsPage,
    CategoriesRoute => categories::CategoriesPage,
});
