//! The builder: its route (palette, canvas and inspector for one page) and every piece of
//! the editor UI. `editor` holds the edit queue, `persist` what is not yet saved,
//! `canvas`/`inspector` the two main views, `pages`/`branding`/`versions`/`deployments` the
//! side panels (loaded on demand through `lazy_panels`), `publish_control` the publish button.

pub(crate) mod ai_assist;
mod branding;
mod branding_save;
mod canvas;
mod deployments;
mod editor;
mod global_ui;
mod inspector;
mod lazy_panels;
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

use self::canvas::{start_palette_drag, Canvas};
use self::editor::{start_background, Editor, SaveState};
use self::inspector::Inspector;
use self::lazy_panels::{lazy_view, PanelArgs};
use super::LoadError;
use crate::api::builder::load_builder;
use crate::api::wire::wire_resource;
use crate::error::AppError;
use crate::model::{BlockProps, BuilderData, ComponentKind};

/// The tabs of the builder's left sidebar. Each panel lives in its own module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SidePanel {
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

#[component]
fn Builder(
    data: BuilderData,
    reload: Callback<()>,
    #[prop(optional)] prefs: crate::model::Preferences,
) -> impl IntoView {
    let ed = Editor::new(&data);
    start_background(ed, prefs.builder.auto_save_interval);
    live::start(ed);
    // The canvas reads branding live, so panels can change it before it is saved.
    let branding = RwSignal::new(data.branding.clone());
    let brand_style = Signal::derive(move || branding.with(|b| b.css_vars()));
    let panel = RwSignal::new(SidePanel::Blocks);
    let title = format!("{} · {} · SitePilot", data.page_title, data.website_name);
    history_shortcuts(ed);
    global_ui::clipboard_shortcuts(ed);
    #[cfg(feature = "hydrate")]
    global_ui::refresh_globals(ed);
    let collapsed = RwSignal::new(prefs.sidebar_collapsed);
    let device = canvas::Device::from_view(prefs.builder.default_view);
    let show_grid = prefs.builder.show_grid;
    let prefs = StoredValue::new(prefs);
    // The other panels and the inspector's form are separate chunks (`lazy_panels`), fetched
    // once the builder is on screen.
    let args = PanelArgs {
        ed,
        branding,
        reload,
    };
    lazy_panels::preload_in_background();
    view! {
        <Title text=title/>
        <div class="builder" class:builder-collapsed=move || collapsed.get()>
            <header class="builder-bar">
                <ExitLink/>
                <h1>{data.page_title.clone()} <small>{data.website_name.clone()}</small></h1>
                {ed.can_edit().then(|| view! {
                    <div class="builder-history" role="group" aria-label="History">
                        <button type="button" title="Undo (Ctrl+Z)" disabled=move || !ed.can_undo.get() on:click=move |_| ed.undo()>"Undo"</button>
                        <button type="button" title="Redo (Shift+Ctrl+Z)" disabled=move || !ed.can_redo.get() on:click=move |_| ed.redo()>"Redo"</button>
                    </div>
                })}
                <sidebar_toggle::SidebarToggle collapsed=collapsed prefs=prefs/>
                <live::PresenceBar ed=ed/>
                <SaveStatus ed=ed reload=reload/>
                <global_ui::BlockNote ed=ed/>
                <live::DeployLive ed=ed/>
                {(!ed.can_edit()).then(|| view! {
                    <p class="builder-readonly">"View only: your role cannot change this page."</p>
                })}
                {data.role.can_publish().then(|| view! { <publish_control::PublishControl ed=ed/> })}
            </header>
            <div class="builder-side" hidden=move || collapsed.get()>
                <div class="side-tabs" role="tablist" aria-label="Builder panels">
                    {SidePanel::ALL.into_iter().map(|p| view! {
                        <button type="button" role="tab" aria-selected=move || (panel.get() == p).to_string()
                            on:click=move |_| panel.set(p)>{p.label()}</button>
                    }).collect_view()}
                </div>
                {move || match panel.get() {
                    SidePanel::Blocks if ed.can_edit() => view! { <Palette ed=ed/> }.into_any(),
                    SidePanel::Blocks => view! {
                        <p class="app-muted side-note">"Your role can look at blocks but not add them."</p>
                    }.into_any(),
                    SidePanel::Pages => lazy_view(move || lazy_panels::pages_panel(args)),
                    SidePanel::Versions => lazy_view(move || lazy_panels::versions_panel(args)),
                    SidePanel::Branding => lazy_view(move || lazy_panels::branding_panel(args)),
                    SidePanel::Deployments => lazy_view(move || lazy_panels::deployments_panel(args)),
                }}
            </div>
            <Canvas ed=ed brand_style=brand_style initial_device=device show_grid=show_grid/>
            <Inspector ed=ed pages=data.pages.clone()/>
        </div>
    }
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
                (SaveState::Failed(m), Some(e)) if m == e.to_string() => Some(view! { <super::new_website::LimitAlert error=e/> }),
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

#[component]
fn Palette(ed: Editor) -> impl IntoView {
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
                                    on:dragstart=move |ev| start_palette_drag(ed, kind, &ev)
                                    on:dragend=move |_| ed.dragging.set(None)
                                    on:click=move |_| ed.add(kind)>{format!("Add {}", kind.label())}</button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }).collect_view()}
            {move || BlockProps::PLACEABLE.into_iter().all(|k| !matches(k)).then(|| view! {
                <p class="app-muted">"No block matches that search."</p>
            })}
            <global_ui::GlobalPalette ed=ed/>
        </aside>
    }
}
