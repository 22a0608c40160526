//! The builder's parts that are not on screen when it opens, loaded on first use: the pages,
//! branding, versions and deployments panels, and the inspector's form for a selected block.
//! With `cargo leptos build --split` each `#[lazy]` function below goes into its own WASM chunk
//! that the browser fetches the first time the panel opens or a block is selected; later calls
//! run at once. Without `--split` (and on the server) they are ordinary functions. None of them
//! is rendered by the server (the builder opens on the Blocks tab with nothing selected), so
//! hydration never waits for a chunk.
//!
//! `#[lazy]` expands to wasm-split's `unsafe extern "C"` import/export pair, which is why this
//! module allows `unsafe_code` (see app/Cargo.toml).
#![allow(unsafe_code)]

use std::future::Future;

use leptos::lazy;
use leptos::prelude::*;
use uuid::Uuid;

use super::editor::Editor;
use crate::model::{Branding, PageLink};

/// What the side panels read from the builder.
#[derive(Clone, Copy)]
pub struct PanelArgs {
    pub ed: Editor,
    pub branding: RwSignal<Branding>,
    pub reload: Callback<()>,
}

#[lazy]
pub fn pages_panel(a: PanelArgs) -> AnyView {
    view! { <super::pages_panel::PagesPanel website_id=a.ed.website_id page_id=a.ed.page_id role=a.ed.role/> }
        .into_any()
}

#[lazy]
pub fn branding_panel(a: PanelArgs) -> AnyView {
    view! { <super::branding_panel::BrandingPanel website_id=a.ed.website_id role=a.ed.role branding=a.branding/> }
        .into_any()
}

#[lazy]
pub fn versions_panel(a: PanelArgs) -> AnyView {
    let ed = a.ed;
    view! {
        <super::versions_panel::VersionsPanel page_id=ed.page_id role=ed.role changes=ed.versions_recorded
            revision=Signal::from(ed.revision) reload=a.reload/>
    }
    .into_any()
}

#[lazy]
pub fn deployments_panel(a: PanelArgs) -> AnyView {
    view! {
        <super::deployments_panel::DeploymentsPanel website_id=a.ed.website_id role=a.ed.role publishes=a.ed.publish_note/>
    }
    .into_any()
}

#[lazy]
pub fn block_inspector(ed: Editor, id: Uuid, pages: StoredValue<Vec<PageLink>>) -> AnyView {
    super::inspector::block_inspector(ed, id, pages)
}

/// Shows what `view` resolves to, with a loading note while its chunk downloads (a moment, the
/// first time only).
pub fn lazy_view<F>(view: F) -> AnyView
where
    F: Future<Output = AnyView> + MaybeSend + 'static,
{
    let view = send(view);
    view! {
        <Suspense fallback=|| view! { <p class="app-muted side-note">"Loading…"</p> }>
            {Suspend::new(view)}
        </Suspense>
    }
    .into_any()
}

/// `Send` off the browser. The browser runs on one thread and the chunk loader's future is not
/// `Send`, which `Suspend` asks for, so there it is wrapped.
#[cfg(feature = "hydrate")]
pub trait MaybeSend {}
#[cfg(feature = "hydrate")]
impl<T> MaybeSend for T {}
#[cfg(not(feature = "hydrate"))]
pub trait MaybeSend: Send {}
#[cfg(not(feature = "hydrate"))]
impl<T: Send> MaybeSend for T {}

#[cfg(feature = "hydrate")]
fn send<F: Future>(f: F) -> send_wrapper::SendWrapper<F> {
    send_wrapper::SendWrapper::new(f)
}

#[cfg(not(feature = "hydrate"))]
fn send<F: Future + Send>(f: F) -> F {
    f
}
