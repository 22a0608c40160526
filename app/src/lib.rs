//! SitePilot's shared library: compiled into the axum server (`ssr`) and into the WASM
//! builder (`hydrate`). Wire types, block renderers, server functions and routes live here.

// Leptos view types nest deeply; the builder's view tree needs more than the default 128.
#![recursion_limit = "256"]

pub mod api;
pub mod assets;
pub mod blocks;
pub mod error;
pub mod model;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod mail;
#[cfg(feature = "ssr")]
pub mod site;
#[cfg(feature = "ssr")]
pub mod state;

pub use ui::{shell, App, CSP_NONCE_HEADER};

/// Entry point for the browser bundle. Hydration runs as a task because the lazy routes
/// (`ui/lazy_routes.rs`) hydrate only once their WASM chunk has loaded; when it has finished,
/// `body[data-hydrated=true]` tells tests (and CSS) that the page is interactive.
#[cfg(feature = "hydrate")]
pub fn hydrate() {
    let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        let owner = leptos::mount::hydrate_from_async(body.clone(), App).await;
        let _ = body.set_attribute("data-hydrated", "true");
        owner.forget();
    });
}
