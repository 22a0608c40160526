//! The builder's parts that are not on screen when it opens: the pages, branding, versions and
//! deployments panels, and the inspector's form for a selected block. With
//! `cargo leptos build --split` each function below goes into its own WASM chunk. The builder
//! fetches them in the background once it has hydrated (`preload_in_background`), so a
//! connection lost later does not leave a panel unable to open; a panel used before that
//! finishes waits for its chunk. Without `--split` (and on the server) they are ordinary calls.
//! None of them is rendered by the server (the builder opens on the Blocks tab with nothing
//! selected), so hydration never waits for a chunk.
//!
//! These are wasm-split points declared directly rather than with leptos's `#[lazy]`, for one
//! reason: `#[lazy]` panics when a chunk cannot be fetched, and a panic aborts the whole WASM
//! module, so one failed download (offline, a dropped connection) would kill the builder with
//! the editor's unsent work on screen. With `fallible` a failed fetch is an `Err`, shown as a
//! message with a retry, and not remembered: the next attempt fetches again.
//!
//! The split point expands to an `unsafe extern "C"` import/export pair, which is why this
//! module allows `unsafe_code` (see app/Cargo.toml).
#![allow(unsafe_code)]

use std::future::Future;

use leptos::prelude::*;
use leptos::wasm_split::{wasm_split, SplitLoaderError};
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

/// A chunk the browser could not fetch. Nothing is cached about the failure.
#[derive(Debug, Clone, Copy)]
pub struct ChunkUnavailable;

impl From<SplitLoaderError> for ChunkUnavailable {
    fn from(_: SplitLoaderError) -> Self {
        ChunkUnavailable
    }
}

/// What a split point hands back once its chunk is in.
pub type Loaded = Result<AnyView, ChunkUnavailable>;

#[wasm_split(sp_pages_panel, wasm_split_path = ::leptos::wasm_split, preload(preload_pages_panel), fallible)]
pub fn pages_panel(a: PanelArgs) -> Loaded {
    Ok(view! { <super::pages::PagesPanel website_id=a.ed.website_id page_id=a.ed.page_id role=a.ed.role/> }
        .into_any())
}

#[wasm_split(sp_branding_panel, wasm_split_path = ::leptos::wasm_split, preload(preload_branding_panel), fallible)]
pub fn branding_panel(a: PanelArgs) -> Loaded {
    Ok(view! { <super::branding::BrandingPanel website_id=a.ed.website_id role=a.ed.role branding=a.branding/> }
        .into_any())
}

#[wasm_split(sp_versions_panel, wasm_split_path = ::leptos::wasm_split, preload(preload_versions_panel), fallible)]
pub fn versions_panel(a: PanelArgs) -> Loaded {
    let ed = a.ed;
    Ok(view! {
        <super::versions::VersionsPanel page_id=ed.page_id role=ed.role changes=ed.versions_recorded
            revision=Signal::from(ed.revision) reload=a.reload/>
    }
    .into_any())
}

#[wasm_split(sp_deployments_panel, wasm_split_path = ::leptos::wasm_split, preload(preload_deployments_panel), fallible)]
pub fn deployments_panel(a: PanelArgs) -> Loaded {
    Ok(view! {
        <super::deployments::DeploymentsPanel website_id=a.ed.website_id role=a.ed.role publishes=a.ed.publish_note/>
    }
    .into_any())
}

#[wasm_split(sp_block_inspector, wasm_split_path = ::leptos::wasm_split, preload(preload_block_inspector), fallible)]
pub fn block_inspector(ed: Editor, id: Uuid, pages: StoredValue<Vec<PageLink>>) -> Loaded {
    Ok(super::inspector::block_inspector(ed, id, pages))
}

/// Fetches every chunk above without waiting for anyone to need it, the inspector's first (it
/// is what an editor reaches for first). Called once the builder is on screen; on the server it
/// does nothing. A chunk that fails here is fetched again on first use.
pub fn preload_in_background() {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async {
        // Failures are deliberately dropped: first use retries and explains.
        let _ = preload_block_inspector().await;
        in_background(preload_pages_panel());
        in_background(preload_branding_panel());
        in_background(preload_versions_panel());
        in_background(preload_deployments_panel());
    });
}

/// Runs one chunk's preload as its own task, so the four panels download side by side.
#[cfg(feature = "hydrate")]
fn in_background(preload: impl Future + 'static) {
    leptos::task::spawn_local(async move {
        let _ = preload.await;
    });
}

/// Shows what `load` resolves to, with a loading note while its chunk downloads. If the chunk
/// cannot be fetched it says so, with a button that tries again.
pub fn lazy_view<L, F>(load: L) -> AnyView
where
    L: Fn() -> F + Send + Sync + 'static,
    F: Future<Output = Loaded> + MaybeSend + 'static,
{
    let attempt = RwSignal::new(0u32);
    view! {
        <Suspense fallback=|| view! { <p class="app-muted side-note">"Loading…"</p> }>
            {move || {
                attempt.track();
                let view = send(load());
                Suspend::new(async move {
                    match view.await {
                        Ok(view) => view,
                        Err(ChunkUnavailable) => view! {
                            <div class="side-note" role="alert">
                                <p>"This part of the builder could not be downloaded. Check the connection; your page is not affected."</p>
                                <button type="button" on:click=move |_| attempt.update(|n| *n += 1)>"Try again"</button>
                            </div>
                        }
                        .into_any(),
                    }
                })
            }}
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
