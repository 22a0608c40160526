//! The builder: its route (palette, canvas and inspector for one page) and every piece of
//! the editor UI. This module is the shell the route opens with (the bar, the tabs, the
//! palette and the canvas as the server drew it); `editor_ui` is the editor, which arrives as
//! its own download (`editor_chunk`) right after and takes over. `editor` holds the edit
//! queue, `persist` what is not yet saved, `canvas`/`inspector` the two main views,
//! `pages`/`branding`/`versions`/`deployments` the side panels, `publish_control` the publish
//! button.

pub(crate) mod ai_assist;
mod branding;
mod branding_save;
mod canvas;
mod deployments;
mod editor;
mod editor_chunk;
mod editor_ui;
mod global_ui;
mod inspector;
mod live;
mod pages;
mod persist;
mod publish_control;
mod shop_fields;
mod sidebar_toggle;
mod versions;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use std::sync::Arc;

use self::canvas::start_palette_drag;
use self::editor::Drag;
use self::editor_ui::{Boot, EditorUi};
use super::LoadError;
use crate::api::builder::load_builder;
use crate::api::wire::{wire_resource, Raw};
use crate::error::AppError;
use crate::model::{BlockProps, BuilderData, ComponentKind, Role};

/// The tabs of the builder's left sidebar. Each panel lives in its own module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SidePanel {
    Blocks,
    Pages,
    Branding,
    Versions,
    Deployments,
}

impl SidePanel {
    const ALL: [SidePanel; 5] = [
        SidePanel::Blocks,
        SidePanel::Pages,
        SidePanel::Branding,
        SidePanel::Versions,
        SidePanel::Deployments,
    ];

    fn label(self) -> &'static str {
        match self {
            Self::Blocks => "Blocks",
            Self::Pages => "Pages",
            Self::Branding => "Branding",
            Self::Versions => "Versions",
            Self::Deployments => "Deployments",
        }
    }
}

#[component]
pub fn BuilderPage() -> impl IntoView {
    let params = use_params_map();
    let page_id = move || {
        params
            .read()
            .get("page_id")
            .and_then(|s| Uuid::parse_str(&s).ok())
    };
    let data = wire_resource(page_id, |id| async move {
        match id {
            Some(id) => load_builder(id).await,
            None => Err(AppError::NotFound("Page".into())),
        }
    });
    // The user's builder preferences (default device, collapsed sidebar); defaults if unreadable.
    let prefs = wire_resource(|| (), |_| crate::api::settings::my_settings());
    view! {
        <Suspense fallback=|| view! { <p class="app-narrow">"Opening the builder…"</p> }>
            {move || Suspend::new(async move {
                let prefs = prefs.await.map(|s| s.preferences).unwrap_or_default();
                match data.await {
                    // Reloading refetches the page (after a version restore, say): a new editor
                    // with the server's blocks and revision.
                    Ok(d) => view! { <Builder data=d reload=Callback::new(move |()| data.refetch()) prefs=prefs/> }.into_any(),
                    Err(e) => view! { <LoadError error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// What the builder's shell and the editor share. The shell (this module) is what the opening
/// download hydrates; the editor (`editor_ui`) arrives as a chunk right after and takes over
/// the slots in `ui`.
#[derive(Clone, Copy)]
pub struct Shell {
    /// The selected block, the editor's own from the start.
    pub selected: RwSignal<Option<Uuid>>,
    /// A block or palette entry being dragged, the editor's own from the start.
    pub dragging: RwSignal<Option<Drag>>,
    /// The width the canvas previews.
    pub device: RwSignal<canvas::Device>,
    /// Blocks added from the palette and not yet placed: the editor places them as they come,
    /// and those added before it arrived when it does.
    pub adds: RwSignal<Vec<PaletteAdd>>,
    /// The editor's live parts, once its chunk is in.
    pub ui: RwSignal<Option<Arc<EditorUi>>>,
    /// Why the editor is not there (its chunk could not be fetched, or the page not read).
    pub failed: RwSignal<Option<String>>,
}

/// A block asked for from the palette.
#[derive(Debug, Clone, Copy)]
pub struct PaletteAdd {
    pub kind: ComponentKind,
    /// Its id, chosen when it is asked for.
    pub id: Uuid,
    /// The block it goes after: the one selected then (last when none).
    pub after: Option<Uuid>,
}

impl Shell {
    /// Adds a block of `kind` after the selected one. Before the editor is in, the new block
    /// counts as selected at once, so a second one goes after the first, as it would in the
    /// editor (which selects each block it adds).
    fn add(self, kind: ComponentKind) {
        let id = Uuid::new_v4();
        let after = self.selected.get_untracked();
        if self.ui.with_untracked(Option::is_none) {
            self.selected.set(Some(id));
        }
        self.adds.update(|a| a.push(PaletteAdd { kind, id, after }));
    }
}

#[component]
fn Builder(
    data: Raw<BuilderData>,
    reload: Callback<()>,
    #[prop(optional)] prefs: crate::model::Preferences,
) -> impl IntoView {
    let role = Role::parse(data.text("role")).unwrap_or(Role::Viewer);
    let can_edit = role.can_edit_content();
    let page_title = data.text("page_title").to_string();
    let website_name = data.text("website_name").to_string();
    let title = format!("{page_title} · {website_name} · SitePilot");
    let shell = Shell {
        selected: RwSignal::new(None),
        dragging: RwSignal::new(None),
        device: RwSignal::new(canvas::Device::from_view(prefs.builder.default_view)),
        adds: RwSignal::new(Vec::new()),
        ui: RwSignal::new(None),
        failed: RwSignal::new(None),
    };
    let panel = RwSignal::new(SidePanel::Blocks);
    let collapsed = RwSignal::new(prefs.sidebar_collapsed);
    let show_grid = prefs.builder.show_grid;
    let autosave_secs = prefs.builder.auto_save_interval;
    let prefs = StoredValue::new(prefs);
    let boot = move || Boot {
        data: data.clone(),
        shell,
        reload,
        autosave_secs,
        show_grid,
    };
    // The server draws the canvas with the editor's own view; the browser keeps that HTML as
    // it is until the editor's chunk replaces it.
    #[cfg(feature = "ssr")]
    let drawn = editor_ui::build(boot())
        .map(|ui| (ui.canvas)().to_html())
        .unwrap_or_default();
    #[cfg(not(feature = "ssr"))]
    let drawn = String::new();
    // Whether this builder came from the server's HTML (hydrating) rather than a link inside
    // the app, which renders it in the browser with nothing drawn.
    let drawn_here = cfg!(feature = "ssr")
        || Owner::current_shared_context().is_some_and(|c| c.during_hydration());
    let attempt = RwSignal::new(0u32);
    #[cfg(feature = "hydrate")]
    {
        let owner = Owner::current();
        Effect::new(move |_| {
            attempt.track();
            let boot = boot.clone();
            let owner = owner.clone();
            leptos::task::spawn_local(async move {
                let loaded = editor_chunk::editor(boot()).await;
                let set = move || match loaded {
                    Ok(Ok(ui)) => {
                        shell.failed.try_set(None);
                        shell.ui.try_set(Some(Arc::new(ui)));
                    }
                    Ok(Err(why)) => {
                        shell.failed.try_set(Some(why));
                    }
                    Err(editor_chunk::ChunkUnavailable) => {
                        shell.failed.try_set(Some(
                            "The editor could not be downloaded. Check the connection; your page is not affected.".into(),
                        ));
                    }
                };
                match owner {
                    Some(o) => o.with(set),
                    None => set(),
                }
            });
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (boot, attempt);
    view! {
        <Title text=title/>
        <div class="builder" class:builder-collapsed=move || collapsed.get()
            data-editor=move || if shell.ui.with(Option::is_some) { "ready" } else { "loading" }>
            <header class="builder-bar">
                <ExitLink/>
                <h1>{page_title} <small>{website_name}</small></h1>
                {move || shell.ui.get().map(|ui| (ui.history)())}
                <sidebar_toggle::SidebarToggle collapsed=collapsed prefs=prefs/>
                {move || shell.ui.get().map(|ui| (ui.status)())}
            </header>
            <div class="builder-side" hidden=move || collapsed.get()>
                <div class="side-tabs" role="tablist" aria-label="Builder panels">
                    {SidePanel::ALL.into_iter().map(|p| view! {
                        <button type="button" role="tab" aria-selected=move || (panel.get() == p).to_string()
                            on:click=move |_| panel.set(p)>{p.label()}</button>
                    }).collect_view()}
                </div>
                {move || match panel.get() {
                    SidePanel::Blocks if can_edit => view! { <Palette shell=shell/> }.into_any(),
                    SidePanel::Blocks => view! {
                        <p class="app-muted side-note">"Your role can look at blocks but not add them."</p>
                    }.into_any(),
                    p => side_panel(shell, p),
                }}
            </div>
            <main class="builder-canvas" aria-label="Canvas" data-device=move || shell.device.get().label()
                on:click=|ev| ev.prevent_default()>
                <div class="canvas-toolbar" role="group" aria-label="Device preview">
                    {canvas::Device::ALL.into_iter().map(|d| view! {
                        <button type="button" aria-pressed=move || (shell.device.get() == d).to_string()
                            on:click=move |_| shell.device.set(d)>{d.label()}</button>
                    }).collect_view()}
                </div>
                {move || match shell.ui.get() {
                    Some(ui) => (ui.canvas)(),
                    // Opened by a link inside the app: nothing was drawn, the editor draws it.
                    None if !drawn_here => view! {
                        <p class="app-muted canvas-empty">"Opening the editor…"</p>
                    }.into_any(),
                    None => view! {
                        <div class="canvas-static" inner_html=drawn.clone()
                            on:click=move |ev| select_drawn(shell, &ev)
                            on:keydown=move |ev| if ev.key() == "Enter" { select_drawn(shell, &ev) }/>
                    }.into_any(),
                }}
            </main>
            {move || match shell.ui.get() {
                Some(ui) => (ui.inspector)(),
                None => view! {
                    <aside class="builder-inspector" aria-label="Inspector">
                        {move || match shell.failed.get() {
                            Some(why) => view! {
                                <div role="alert">
                                    <p>{why}</p>
                                    <button type="button" on:click=move |_| attempt.update(|n| *n += 1)>"Try again"</button>
                                </div>
                            }.into_any(),
                            None if shell.selected.with(Option::is_some) => view! {
                                <p class="app-muted">"Opening the editor…"</p>
                            }.into_any(),
                            None => view! {
                                <p class="app-muted">"Select a block on the canvas to edit it."</p>
                            }.into_any(),
                        }}
                    </aside>
                }.into_any(),
            }}
        </div>
    }
}

/// Fetches the editor's download in the background, for a page that links to the builder
/// (the dashboard): a builder opened from there then does not wait for it. A failure is
/// dropped; the builder fetches again and explains.
pub fn preload_editor() {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async {
        let _ = editor_chunk::preload_editor().await;
    });
}

/// A side panel other than Blocks, once the editor it works with is in.
fn side_panel(shell: Shell, panel: SidePanel) -> AnyView {
    match shell.ui.get() {
        Some(ui) => (ui.panel)(panel),
        None => view! { <p class="app-muted side-note">"Loading…"</p> }.into_any(),
    }
}

/// A click (or Enter) on the canvas the server drew, before the editor is in: selects the
/// block under it, marked the way the live canvas marks it. The editor opens on it.
fn select_drawn(shell: Shell, ev: &leptos::ev::Event) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(block) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest(".canvas-block").ok().flatten())
        else {
            return;
        };
        let Some(id) = block
            .get_attribute("data-block")
            .and_then(|s| Uuid::parse_str(&s).ok())
        else {
            return;
        };
        if let Some(Ok(Some(before))) = block
            .parent_element()
            .map(|list| list.query_selector(".canvas-block.selected"))
        {
            before.set_class_name(&before.class_name().replace(" selected", ""));
        }
        block.set_class_name(&format!("{} selected", block.class_name()));
        shell.selected.set(Some(id));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (shell, ev);
}

/// The way out of the builder. It is a full page load (`rel="external"`), not a client-side
/// route change: the dashboard's code is a separate chunk, and leptos's router panics when a
/// route's chunk cannot be fetched, which would end the builder with unsent edits on screen.
/// Offline no page can load anyway, so the link stays put and says why instead.
#[component]
fn ExitLink() -> impl IntoView {
    let offline = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        let online = window_event_listener_untyped("online", move |_| offline.set(false));
        on_cleanup(move || online.remove());
    }
    view! {
        <a href="/dashboard" rel="external" on:click=move |ev| {
            if !browser_online() {
                ev.prevent_default();
                offline.set(true);
            }
        }>"← Websites"</a>
        {move || offline.get().then(|| view! {
            <p role="alert" class="builder-readonly">
                "You are offline, so your websites cannot open. Your changes are kept on this device."
            </p>
        })}
    }
}

/// Whether the browser thinks it has a network connection (always true on the server).
fn browser_online() -> bool {
    #[cfg(feature = "hydrate")]
    return window().navigator().on_line();
    #[cfg(not(feature = "hydrate"))]
    true
}

#[component]
fn Palette(shell: Shell) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let matches = move |kind: ComponentKind| {
        let q = query.with(|q| q.trim().to_lowercase());
        q.is_empty()
            || kind.label().to_lowercase().contains(&q)
            || kind.as_str().replace('_', " ").contains(&q)
    };
    view! {
        <aside class="builder-palette" aria-label="Blocks">
            <h2>"Add a block"</h2>
            <input type="search" class="palette-search" aria-label="Search blocks" placeholder="Search blocks"
                on:input=move |ev| query.set(event_target_value(&ev))/>
            {[(false, None), (true, Some("Shop"))].into_iter().map(|(shop, group)| view! {
                {group.map(|g| view! { <h3 class="palette-group" class:palette-hidden=move || ComponentKind::SHOP.into_iter().all(|k| !matches(k))>{g}</h3> })}
                <ul aria-label=group>
                    {BlockProps::PLACEABLE.into_iter().filter(move |k| k.is_shop() == shop).map(|kind| {
                        // Every kind stays visible; the server refuses Pro-only kinds with a message
                        // the status line shows, and the tooltip says so up front.
                        let hint = match kind {
                            ComponentKind::CustomHtml => Some("Available on the Pro plan"),
                            k if k.is_shop() => Some("Shows your shop's products (Growth and Pro plans sell)"),
                            _ => None,
                        };
                        view! {
                            <li class:palette-hidden=move || !matches(kind)>
                                <button type="button" title=hint draggable="true"
                                    on:dragstart=move |ev| start_palette_drag(shell.dragging, kind, &ev)
                                    on:dragend=move |_| shell.dragging.set(None)
                                    on:click=move |_| shell.add(kind)>{format!("Add {}", kind.label())}</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }).collect_view()}
            {move || BlockProps::PLACEABLE.into_iter().all(|k| !matches(k)).then(|| view! {
                <p class="app-muted">"No block matches that search."</p>
            })}
            {move || shell.ui.get().map(|ui| (ui.globals)())}
        </aside>
    }
}
