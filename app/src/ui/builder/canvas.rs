//! The canvas: the page's blocks drawn by the visitor renderer, at a chosen device width, with
//! selection, drag and drop (blocks, and new blocks from the palette) and keyboard reordering.
//!
//! Each block reads its own memo, so an edit re-renders only the block it changed: typing in
//! the inspector stays fast on a page with a thousand blocks.

use leptos::prelude::*;
use uuid::Uuid;

use super::editor::{Drag, Editor};
use crate::blocks::BlockView;
use crate::model::{ComponentDto, ComponentKind};

/// The canvas widths editors can preview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Device {
    Desktop,
    Tablet,
    Mobile,
}

impl Device {
    pub const ALL: [Device; 3] = [Device::Desktop, Device::Tablet, Device::Mobile];

    pub fn label(self) -> &'static str {
        match self {
            Self::Desktop => "Desktop",
            Self::Tablet => "Tablet",
            Self::Mobile => "Mobile",
        }
    }

    /// The canvas width a user's `builder.default_view` preference opens with.
    pub fn from_view(view: crate::model::DeviceView) -> Self {
        match view {
            crate::model::DeviceView::Desktop => Self::Desktop,
            crate::model::DeviceView::Tablet => Self::Tablet,
            crate::model::DeviceView::Mobile => Self::Mobile,
        }
    }
}

/// The page's blocks, live: what replaces the server-drawn canvas once the editor is in
/// (`editor_ui`). The device buttons above it belong to the shell, which owns `device`.
#[component]
pub fn Canvas(
    ed: Editor,
    brand_style: Signal<String>,
    /// The width being previewed; its `max-width` comes from the stylesheet
    /// (`.builder-canvas[data-device=…]`), so the static canvas follows it too.
    device: RwSignal<Device>,
    /// The member's `builder.show_grid`: a 12-column layout grid behind the blocks (never on
    /// the visitor site).
    show_grid: bool,
) -> impl IntoView {
    // Only the order of ids drives the list; a prop edit does not touch it.
    let order = Memo::new(move |_| {
        ed.blocks
            .with(|b| b.iter().map(|c| c.id).collect::<Vec<_>>())
    });
    // The shop blocks render the website's real products: load them once one is on the page.
    Effect::new(move |_| {
        if ed
            .blocks
            .with(|b| b.iter().any(|c| c.block.kind().is_shop()))
        {
            ed.load_shelf();
        }
    });
    view! {
        <ol class="sp-site canvas-page" class:canvas-grid=show_grid style=move || brand_style.get() data-device=move || device.get().label()
            data-grid=if show_grid { "on" } else { "off" }>
            <For each=move || order.get() key=|id| *id let(id)>
                <CanvasBlock ed=ed id=id/>
            </For>
        </ol>
        {move || ed.blocks.with(Vec::is_empty).then(|| view! {
            <p class="canvas-empty"
                on:dragover=|ev| ev.prevent_default()
                on:drop=move |ev| { ev.prevent_default(); drop_at(ed, None) }>
                "This page is empty. Add a block from the palette, or drag one here."
            </p>
        })}
    }
}

/// Drops what is being dragged so that it follows `after` (first when `None`).
fn drop_at(ed: Editor, after: Option<Uuid>) {
    match ed.dragging.get_untracked() {
        Some(Drag::Block(id)) => ed.move_after(id, after),
        Some(Drag::New(kind)) => ed.insert_kind(kind, after),
        None => {}
    }
    ed.dragging.set(None);
}

/// Starts dragging a new block of `kind` from the palette (`dragging` is the shell's, which
/// the editor shares).
pub fn start_palette_drag(
    dragging: RwSignal<Option<Drag>>,
    kind: ComponentKind,
    ev: &leptos::ev::DragEvent,
) {
    dragging.set(Some(Drag::New(kind)));
    set_drag_data(ev, kind.as_str(), "copy");
}

fn set_drag_data(ev: &leptos::ev::DragEvent, data: &str, effect: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(dt) = ev.data_transfer() {
        let _ = dt.set_data("text/plain", data);
        dt.set_effect_allowed(effect);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ev, data, effect);
}

/// Whether the pointer is over the lower half of the element the event is bound to.
fn in_lower_half(ev: &leptos::ev::DragEvent) -> bool {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        ev.current_target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .map(|el| {
                let r = el.get_bounding_client_rect();
                f64::from(ev.client_y()) > r.top() + r.height() / 2.0
            })
            .unwrap_or(true)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        true
    }
}

#[component]
fn CanvasBlock(ed: Editor, id: Uuid) -> impl IntoView {
    // Every block's memo runs on every edit, so it must be cheap: it looks at the index where the
    // block was last time before searching, and hands back the previous value (no clone) when
    // this block did not change.
    let hint = StoredValue::new(0usize);
    // The write generation this memo last looked at: when every write since changed another
    // block's props only (typing elsewhere), this block is as it was (`Writes`).
    let seen = StoredValue::new(0u64);
    let me = Memo::new_owning(move |prev: Option<Option<ComponentDto>>| {
        ed.blocks.with(|bs| {
            let (now, untouched) = ed
                .writes
                .with_value(|w| (w.generation(), w.untouched_since(seen.get_value(), id)));
            seen.set_value(now);
            let prev = match prev {
                Some(p) if untouched => return (p, false),
                other => other,
            };
            let at = hint.get_value();
            let i = if bs.get(at).is_some_and(|c| c.id == id) {
                Some(at)
            } else {
                bs.iter().position(|c| c.id == id)
            };
            if let Some(i) = i {
                hint.set_value(i);
            }
            let current = i.map(|i| &bs[i]);
            match prev {
                Some(p) if p.as_ref() == current => (p, false),
                _ => (current.cloned(), true),
            }
        })
    });
    let label = move || {
        me.with(|c| {
            c.as_ref()
                .map(|c| format!("{} block", c.block.kind().label()))
                .unwrap_or_default()
        })
    };
    let editable = ed.can_edit();
    let node = NodeRef::<leptos::html::Li>::new();
    // Which edge a drop would land on, for the drop marker.
    let drop_edge = RwSignal::new(None::<bool>);
    // Moving a block re-inserts its element, which drops keyboard focus; give it back.
    let refocus = move || {
        #[cfg(feature = "hydrate")]
        request_animation_frame(move || {
            if let Some(el) = node.get_untracked() {
                let _ = el.focus();
            }
        });
    };
    let content = Memo::new(move |_| me.with(|c| c.as_ref().map(|c| c.block.clone())));
    view! {
        <li
            node_ref=node
            class="canvas-block"
            data-block=id.to_string()
            class:selected=move || ed.selected.get() == Some(id)
            class:held=move || !ed.holders(id).is_empty()
            class:hidden-block=move || me.with(|c| c.as_ref().is_some_and(|c| !c.is_visible))
            class:drop-before=move || drop_edge.get() == Some(false)
            class:drop-after=move || drop_edge.get() == Some(true)
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
                ed.dragging.set(Some(Drag::Block(id)));
                set_drag_data(&ev, &id.to_string(), "move");
            }
            on:dragend=move |_| { ed.dragging.set(None); drop_edge.set(None) }
            on:dragover=move |ev| {
                if ed.dragging.get_untracked().is_some_and(|d| d != Drag::Block(id)) {
                    ev.prevent_default();
                    drop_edge.set(Some(in_lower_half(&ev)));
                }
            }
            on:dragleave=move |_| drop_edge.set(None)
            on:drop=move |ev| {
                ev.prevent_default();
                drop_edge.set(None);
                let lower = in_lower_half(&ev);
                let after = if lower {
                    Some(id)
                } else {
                    ed.blocks.with_untracked(|b| {
                        let i = b.iter().position(|c| c.id == id)?;
                        i.checked_sub(1).map(|j| b[j].id)
                    })
                };
                drop_at(ed, after);
            }
        >
            {move || me.with(|c| c.as_ref().map(badges))}
            {move || {
                let holders = ed.holders(id);
                (!holders.is_empty()).then(|| {
                    let names = holders.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", ");
                    let initials = holders.iter().map(|p| p.initials.as_str()).collect::<Vec<_>>().join(" ");
                    view! {
                        <span class="canvas-badge canvas-held" title=format!("Selected by {names}")>
                            {format!("Selected by {initials}")}
                        </span>
                    }
                })
            }}
            {move || content.get().map(|b| {
                // Only shop blocks track the catalogue, so its arrival re-renders only them.
                let shelf = if b.kind().is_shop() { ed.shelf_now() } else { None };
                view! { <BlockView block=b shelf=shelf/> }
            })}
        </li>
    }
    // Erased so the canvas's view type stays shallow enough for the compiler.
    .into_any()
}

fn badges(c: &ComponentDto) -> impl IntoView {
    let (visible, locked) = (c.is_visible, c.is_locked);
    view! {
        <span class="canvas-badges">
            {(!visible).then(|| view! { <span class="canvas-badge">"Hidden"</span> })}
            {locked.then(|| view! { <span class="canvas-badge">"Locked"</span> })}
        </span>
    }
}
