//! The builder route: palette, canvas and inspector for one page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use super::editor::{start_autosave, Editor, SaveState};
use super::LoadError;
use crate::api::builder::load_builder;
use crate::blocks::BlockView;
use crate::error::AppError;
use crate::model::{BlockProps, BuilderData, ComponentKind};

/// The tabs of the builder's left sidebar. Each panel lives in its own module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SidePanel {
    Blocks,
    Branding,
}

impl SidePanel {
    const ALL: [SidePanel; 2] = [SidePanel::Blocks, SidePanel::Branding];

    fn label(self) -> &'static str {
        match self {
            Self::Blocks => "Blocks",
            Self::Branding => "Branding",
        }
    }
}

#[component]
pub fn BuilderPage() -> impl IntoView {
    let params = use_params_map();
    let page_id = move || params.read().get("page_id").and_then(|s| Uuid::parse_str(&s).ok());
    let data = Resource::new(page_id, |id| async move {
        match id {
            Some(id) => load_builder(id).await,
            None => Err(AppError::NotFound("Page".into())),
        }
    });
    view! {
        <Suspense fallback=|| view! { <p class="app-narrow">"Opening the builder…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    // Reloading refetches the page (after a version restore, say): a new editor
                    // with the server's blocks and revision.
                    Ok(d) => view! { <Builder data=d reload=Callback::new(move |()| data.refetch())/> }.into_any(),
                    Err(e) => view! { <LoadError error=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Builder(data: BuilderData, reload: Callback<()>) -> impl IntoView {
    let ed = Editor::new(&data);
    start_autosave(ed);
    // The canvas reads branding live, so panels can change it before it is saved.
    let branding = RwSignal::new(data.branding.clone());
    let brand_style = move || branding.with(|b| b.css_vars());
    let panel = RwSignal::new(SidePanel::Blocks);
    let _ = reload;
    let title = format!("{} · {} · SitePilot", data.page_title, data.website_name);
    view! {
        <Title text=title/>
        <div class="builder">
            <header class="builder-bar">
                <A href="/dashboard">"← Websites"</A>
                <h1>{data.page_title.clone()} <small>{data.website_name.clone()}</small></h1>
                <SaveStatus ed=ed/>
                {(!ed.can_edit()).then(|| view! {
                    <p class="builder-readonly">"View only: your role cannot change this page."</p>
                })}
                {data.role.can_publish().then(|| view! { <PublishControl ed=ed/> })}
            </header>
            <div class="builder-side">
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
                    SidePanel::Branding => view! {
                        <super::branding_panel::BrandingPanel website_id=data.website_id role=data.role branding=branding/>
                    }.into_any(),
                }}
            </div>
            <main class="builder-canvas" aria-label="Canvas" on:click=|ev| ev.prevent_default()>
                <ol class="sp-site canvas-page" style=brand_style>
                    <For each=move || ed.blocks.get() key=|c| c.id let(c)>
                        <CanvasBlock ed=ed id=c.id/>
                    </For>
                </ol>
                {move || ed.blocks.with(Vec::is_empty).then(|| view! {
                    <p class="canvas-empty">"This page is empty. Add a block from the palette."</p>
                })}
            </main>
            <Inspector ed=ed/>
        </div>
    }
}

#[component]
fn SaveStatus(ed: Editor) -> impl IntoView {
    view! {
        <div class="builder-save">
            <p role="status" class="save-state" data-state=move || format!("{:?}", ed.save.get())>
                {move || ed.save.get().label()}
            </p>
            {move || (ed.versions_recorded.get() > 0).then(|| view! {
                <p class="autosave-note">"Version saved automatically"</p>
            })}
            {move || match ed.save.get() {
                SaveState::Conflict => Some(view! {
                    <button type="button" class="app-button" on:click=|_| reload()>"Reload page"</button>
                }.into_any()),
                // Only a failure that left edits queued can be retried; a refused edit is dropped.
                SaveState::Failed(_) if ed.has_pending() => Some(view! {
                    <button type="button" class="app-button app-button-ghost" on:click=move |_| ed.retry()>"Retry"</button>
                }.into_any()),
                _ => None,
            }}
        </div>
    }
}

fn reload() {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}

#[component]
fn PublishControl(ed: Editor) -> impl IntoView {
    view! {
        <div class="builder-publish">
            <button type="button" class="app-button" on:click=move |_| ed.publish()>"Publish"</button>
            {move || ed.publish_note.get().map(|r| match r {
                Ok(p) => view! {
                    <p class="publish-ok">"Published. " <a href=p.site_path target="_blank">"View live site"</a></p>
                }.into_any(),
                Err(m) => view! { <p role="alert" class="app-error">{m}</p> }.into_any(),
            })}
        </div>
    }
}

#[component]
fn Palette(ed: Editor) -> impl IntoView {
    view! {
        <aside class="builder-palette" aria-label="Blocks">
            <h2>"Add a block"</h2>
            <ul>
                {BlockProps::PLACEABLE.into_iter().map(|kind| {
                    // Every kind stays visible; the server refuses Pro-only kinds with a message
                    // the status line shows, and the tooltip says so up front.
                    let hint = (kind == ComponentKind::CustomHtml).then_some("Available on the Pro plan");
                    view! {
                        <li>
                            <button type="button" title=hint on:click=move |_| ed.add(kind)>{format!("Add {}", kind.label())}</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </aside>
    }
}

#[component]
fn CanvasBlock(ed: Editor, id: Uuid) -> impl IntoView {
    let block = move || ed.blocks.with(|bs| bs.iter().find(|c| c.id == id).map(|c| c.block.clone()));
    let label = move || block().map(|b| format!("{} block", b.kind().label())).unwrap_or_default();
    let flags = move || ed.blocks.with(|bs| bs.iter().find(|c| c.id == id).map(|c| (c.is_visible, c.is_locked)));
    let editable = ed.can_edit();
    let node = NodeRef::<leptos::html::Li>::new();
    // Moving a block re-inserts its element, which drops keyboard focus; give it back.
    let refocus = move || {
        #[cfg(feature = "hydrate")]
        request_animation_frame(move || {
            if let Some(el) = node.get_untracked() {
                let _ = el.focus();
            }
        });
    };
    view! {
        <li
            node_ref=node
            class="canvas-block"
            class:selected=move || ed.selected.get() == Some(id)
            class:hidden-block=move || flags().is_some_and(|(visible, _)| !visible)
            class:drop-target=move || ed.dragging.get().is_some_and(|d| d != id)
            aria-label=label
            tabindex="0"
            draggable=if editable { "true" } else { "false" }
            on:click=move |_| ed.selected.set(Some(id))
            on:keydown=move |ev| {
                match (ev.alt_key(), ev.key().as_str()) {
                    (true, "ArrowUp") => { ev.prevent_default(); ed.nudge(id, -1); refocus() }
                    (true, "ArrowDown") => { ev.prevent_default(); ed.nudge(id, 1); refocus() }
                    (false, "Enter") => ed.selected.set(Some(id)),
                    _ => {}
                }
            }
            on:dragstart=move |ev| {
                ed.dragging.set(Some(id));
                #[cfg(feature = "hydrate")]
                if let Some(dt) = ev.data_transfer() {
                    let _ = dt.set_data("text/plain", &id.to_string());
                    dt.set_effect_allowed("move");
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = ev;
            }
            on:dragend=move |_| ed.dragging.set(None)
            on:dragover=|ev| ev.prevent_default()
            on:drop=move |ev| {
                ev.prevent_default();
                if let Some(from) = ed.dragging.get_untracked() {
                    ed.dragging.set(None);
                    ed.move_onto(from, id);
                }
            }
        >
            {move || flags().map(|(visible, locked)| view! {
                <span class="canvas-badges">
                    {(!visible).then(|| view! { <span class="canvas-badge">"Hidden"</span> })}
                    {locked.then(|| view! { <span class="canvas-badge">"Locked"</span> })}
                </span>
            })}
            {move || block().map(|b| view! { <BlockView block=b/> })}
        </li>
    }
    // Erased so the canvas's view type stays shallow enough for the compiler.
    .into_any()
}

#[component]
fn Inspector(ed: Editor) -> impl IntoView {
    view! {
        <aside class="builder-inspector" aria-label="Inspector">
            {move || match ed.selected.get() {
                None => view! { <p class="app-muted">"Select a block on the canvas to edit it."</p> }.into_any(),
                Some(id) => view! { <BlockInspector ed=ed id=id/> }.into_any(),
            }}
        </aside>
    }
}

/// Fields for one block. Built once per selection (values read untracked), so typing does not
/// rebuild the inputs and the caret stays put.
#[component]
fn BlockInspector(ed: Editor, id: Uuid) -> impl IntoView {
    let Some(block) = ed.blocks.with_untracked(|bs| bs.iter().find(|c| c.id == id).map(|c| c.block.clone())) else {
        return ().into_any();
    };
    let editable = ed.can_edit();
    let kind = block.kind();
    let flag = move |f: fn(&crate::model::ComponentDto) -> bool| {
        ed.blocks.with(|bs| bs.iter().find(|c| c.id == id).map(f).unwrap_or(false))
    };
    let fields = block.text_fields().into_iter().map(|f| {
        let input_id = format!("prop-{}", f.key);
        let key = f.key;
        let on_input = move |ev: leptos::ev::Event| ed.edit_text(id, key, event_target_value(&ev));
        let control = if f.long {
            view! { <textarea id=input_id.clone() rows="4" readonly=!editable prop:value=f.value on:input=on_input></textarea> }.into_any()
        } else {
            view! { <input id=input_id.clone() type="text" readonly=!editable prop:value=f.value on:input=on_input/> }.into_any()
        };
        view! {
            <div class="app-field">
                <label for=input_id>{f.label}</label>
                {control}
            </div>
        }
    }).collect_view();
    view! {
        <h2>{kind.label()}</h2>
        <form class="inspector-form" on:submit=|ev| ev.prevent_default()>{fields}</form>
        {editable.then(|| view! {
            <div class="inspector-actions">
                <button type="button" on:click=move |_| ed.nudge(id, -1)>"Move up"</button>
                <button type="button" on:click=move |_| ed.nudge(id, 1)>"Move down"</button>
                <button type="button" on:click=move |_| ed.duplicate(id)>"Duplicate block"</button>
                {move || {
                    let visible = flag(|c| c.is_visible);
                    view! {
                        <button type="button" on:click=move |_| ed.set_flags(id, Some(!visible), None)>
                            {if visible { "Hide block" } else { "Show block" }}
                        </button>
                    }
                }}
                {ed.role.can_edit_locked().then(|| move || {
                    let locked = flag(|c| c.is_locked);
                    view! {
                        <button type="button" on:click=move |_| ed.set_flags(id, None, Some(!locked))>
                            {if locked { "Unlock block" } else { "Lock block" }}
                        </button>
                    }
                })}
                <button type="button" class="danger" on:click=move |_| ed.delete(id)>"Delete block"</button>
            </div>
        })}
    }
    .into_any()
}
