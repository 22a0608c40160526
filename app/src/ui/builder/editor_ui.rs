//! The editor's half of the builder: everything the opening download leaves out.
//!
//! The builder opens as a shell (`super::Builder`): its bar, the tabs, the palette, and the
//! canvas as the server drew it, kept as static HTML. [`build`] runs once the editor's chunk
//! has arrived (`editor_chunk::editor`, fetched right after hydration): it reads the page's
//! blocks into their types, starts the edit queue, autosave, offline storage and the event
//! stream, applies the blocks added from the palette while it was on its way, and hands the
//! shell the live parts to put in place of the static ones ([`EditorUi`]). On the server the
//! same function draws the canvas the shell then keeps static, so the two cannot disagree.

use std::sync::Arc;

use leptos::prelude::*;

use super::canvas::Canvas;
use super::editor::{start_background, Editor, SaveState};
use super::inspector::Inspector;
use super::{
    branding, deployments, global_ui, live, pages, publish_control, versions, Shell, SidePanel,
};
use crate::api::wire::Raw;
use crate::model::{Branding, BuilderData};

/// A live part of the builder, drawn where the shell has its slot.
pub type Part = Arc<dyn Fn() -> AnyView + Send + Sync>;

/// What the editor's chunk hands the shell once it has taken over.
pub struct EditorUi {
    /// A side panel other than Blocks (Pages, Branding, Versions, Deployments).
    pub panel: Arc<dyn Fn(SidePanel) -> AnyView + Send + Sync>,
    /// Undo and redo, in the bar.
    pub history: Part,
    /// Presence, the save status, notes and the publish control, in the bar.
    pub status: Part,
    /// The canvas's blocks, live.
    pub canvas: Part,
    /// The inspector.
    pub inspector: Part,
    /// The palette's global blocks.
    pub globals: Part,
}

/// What the side panels read from the editor.
#[derive(Clone, Copy)]
struct PanelArgs {
    ed: Editor,
    branding: RwSignal<Branding>,
    reload: Callback<()>,
}

/// What the editor starts from.
pub struct Boot {
    pub data: Raw<BuilderData>,
    pub shell: Shell,
    pub reload: Callback<()>,
    /// The member's autosave period in seconds (`builder.auto_save_interval`).
    pub autosave_secs: u32,
    /// The member's `builder.show_grid`.
    pub show_grid: bool,
}

/// Reads the page and starts the editor. `Err` says why the page could not be read.
pub fn build(boot: Boot) -> Result<EditorUi, String> {
    let data = boot
        .data
        .read()
        .map_err(|e| format!("This page could not be read ({e}). Reload to try again."))?;
    let shell = boot.shell;
    let ed = Editor::new(&data, shell.selected, shell.dragging);
    // Edits kept on this device from an earlier visit go first.
    let restored = RwSignal::new(false);
    start_background(ed, boot.autosave_secs, move || restored.set(true));
    live::start(ed);
    history_shortcuts(ed);
    global_ui::clipboard_shortcuts(ed);
    #[cfg(feature = "hydrate")]
    global_ui::refresh_globals(ed);
    // Blocks added from the palette, also those added while this chunk was downloading.
    Effect::new(move |_| {
        if !restored.get() {
            return;
        }
        shell.adds.track();
        let kinds = shell
            .adds
            .try_update_untracked(std::mem::take)
            .unwrap_or_default();
        for add in kinds {
            ed.add(add.kind, add.id, add.after);
        }
    });
    // The canvas reads branding live, so panels can change it before it is saved.
    let branding = RwSignal::new(data.branding.clone());
    let brand_style = Signal::derive(move || branding.with(|b| b.css_vars()));
    let reload = boot.reload;
    let can_publish = data.role.can_publish();
    let device = shell.device;
    let show_grid = boot.show_grid;
    let pages = data.pages;
    Ok(EditorUi {
        panel: Arc::new(move |p| {
            side_panel(
                p,
                PanelArgs {
                    ed,
                    branding,
                    reload,
                },
            )
        }),
        history: Arc::new(move || {
            ed.can_edit()
                .then(|| {
                    view! {
                        <div class="builder-history" role="group" aria-label="History">
                            <button type="button" title="Undo (Ctrl+Z)" disabled=move || !ed.can_undo.get() on:click=move |_| ed.undo()>"Undo"</button>
                            <button type="button" title="Redo (Shift+Ctrl+Z)" disabled=move || !ed.can_redo.get() on:click=move |_| ed.redo()>"Redo"</button>
                        </div>
                    }
                })
                .into_any()
        }),
        status: Arc::new(move || {
            view! {
                <live::PresenceBar ed=ed/>
                <SaveStatus ed=ed reload=reload/>
                <global_ui::BlockNote ed=ed/>
                <live::DeployLive ed=ed/>
                {(!ed.can_edit()).then(|| view! {
                    <p class="builder-readonly">"View only: your role cannot change this page."</p>
                })}
                {can_publish.then(|| view! { <publish_control::PublishControl ed=ed/> })}
            }
            .into_any()
        }),
        canvas: Arc::new(move || {
            view! { <Canvas ed=ed brand_style=brand_style device=device show_grid=show_grid/> }
                .into_any()
        }),
        inspector: Arc::new(move || view! { <Inspector ed=ed pages=pages.clone()/> }.into_any()),
        globals: Arc::new(move || view! { <global_ui::GlobalPalette ed=ed/> }.into_any()),
    })
}

/// The Pages, Branding, Versions or Deployments panel.
fn side_panel(panel: SidePanel, a: PanelArgs) -> AnyView {
    let ed = a.ed;
    match panel {
        SidePanel::Pages => view! {
            <pages::PagesPanel website_id=ed.website_id page_id=ed.page_id role=ed.role/>
        }
        .into_any(),
        SidePanel::Branding => view! {
            <branding::BrandingPanel website_id=ed.website_id role=ed.role branding=a.branding/>
        }
        .into_any(),
        SidePanel::Versions => view! {
            <versions::VersionsPanel page_id=ed.page_id role=ed.role changes=ed.versions_recorded
                revision=Signal::from(ed.revision) reload=a.reload/>
        }
        .into_any(),
        SidePanel::Deployments | SidePanel::Blocks => view! {
            <deployments::DeploymentsPanel website_id=ed.website_id role=ed.role publishes=ed.publish_note/>
        }
        .into_any(),
    }
}

/// Ctrl/Cmd+Z undoes, Shift+Ctrl/Cmd+Z (or Ctrl+Y) redoes, anywhere in the builder.
fn history_shortcuts(ed: Editor) {
    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener(leptos::ev::keydown, move |ev| {
            if !(ev.ctrl_key() || ev.meta_key()) {
                return;
            }
            match (ev.key().to_lowercase().as_str(), ev.shift_key()) {
                ("z", false) => {
                    ev.prevent_default();
                    ed.undo();
                }
                ("z", true) | ("y", false) => {
                    ev.prevent_default();
                    ed.redo();
                }
                _ => {}
            }
        });
        on_cleanup(move || handle.remove());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ed;
}

#[component]
fn SaveStatus(ed: Editor, reload: Callback<()>) -> impl IntoView {
    view! {
        <div class="builder-save">
            <p role="status" class="save-state" data-state=move || format!("{:?}", ed.save.get())>
                {move || ed.save.get().label()}
            </p>
            {move || (ed.versions_recorded.get() > 0).then(|| view! {
                <p class="autosave-note">"Version saved automatically"</p>
            })}
            // A plan limit refused the last change: the same alert as elsewhere, with its upgrade link.
            {move || match (ed.save.get(), ed.limit_error.get()) {
                (SaveState::Failed(m), Some(e)) if m == e.to_string() => Some(view! { <crate::ui::new_website::LimitAlert error=e/> }),
                _ => None,
            }}
            {move || match ed.save.get() {
                SaveState::Conflict => Some(view! {
                    <button type="button" class="app-button" on:click=move |_| ed.keep_mine()>"Keep my changes"</button>
                    <button type="button" class="app-button app-button-ghost"
                        on:click=move |_| { ed.discard_pending(); reload.run(()) }>"Reload their version"</button>
                }.into_any()),
                SaveState::Offline | SaveState::Failed(_) if ed.has_pending() => Some(view! {
                    <button type="button" class="app-button app-button-ghost" on:click=move |_| ed.retry()>"Retry now"</button>
                }.into_any()),
                _ => None,
            }}
        </div>
    }
    // Type-erased: the builder's view type is otherwise too deep for the compiler's query limit.
    .into_any()
}
