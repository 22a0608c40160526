//! SitePilot's shared library: compiled into the axum server (`ssr`) and into the WASM
//! builder (`hydrate`). Wire types, block renderers, server functions and routes live here.

// Leptos view types nest deeply; the builder's view tree needs more than the default 128.
#![recursion_limit = "256"]

pub mod api;
pub mod blocks;
pub mod error;
pub mod model;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod site;
#[cfg(feature = "ssr")]
pub mod state;

pub use ui::{shell, App};

/// Entry point for the browser bundle.
#[cfg(feature = "hydrate")]
pub fn hydrate() {
    leptos::mount::hydrate_body(App);
}
