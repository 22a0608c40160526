//! Global blocks and the block clipboard in the builder (issue 20 §2, §3).
//!
//! - The palette's "Global blocks" group places a use of a global block, or deletes one that
//!   no page uses (the server names the uses otherwise).
//! - The inspector saves the selected block as a global block, or, for a use, says so,
//!   offers to detach it, and — once it was edited — lists every page that uses it before
//!   the change is saved to all of them (`Editor::global_pending`).
//! - Copy and paste: Ctrl/Cmd+C and Ctrl/Cmd+V outside text fields, and the "Copy block" and
//!   "Paste block" buttons. The clipboard holds a typed JSON envelope
//!   (`model::clipboard_payload`); the server validates a paste again.

use leptos::prelude::*;
use uuid::Uuid;

use super::editor::{Editor, SaveState};
use crate::api::global_blocks::*;
use crate::model::{clipboard_payload, GlobalBlockUse};

/// Loads the account's global blocks into the editor (once when the builder opens, and after
/// each change of the list).
pub fn refresh_globals(ed: Editor) {
    leptos::task::spawn_local(async move {
        if let Ok(list) = list_global_blocks().await {
            ed.globals.try_set(list);
        }
    });
}

fn note(ed: Editor, r: Result<String, String>) {
    ed.block_note.set(Some(r));
}

const WAIT: &str = "Wait until your changes are saved, then try again.";

/// The palette's "Global blocks" group.
#[component]
pub fn GlobalPalette(ed: Editor) -> impl IntoView {
    let place = move |global: Uuid| {
        if !ed.idle() {
            return note(ed, Err(WAIT.into()));
        }
        let after = ed
            .selected
            .get_untracked()
            .or_else(|| ed.blocks.with_untracked(|b| b.last().map(|c| c.id)));
        let (page, base) = (ed.page_id, ed.revision.get_untracked());
        leptos::task::spawn_local(async move {
            match ed
                .while_busy(insert_global_block(
                    page,
                    global,
                    Uuid::new_v4(),
                    after,
                    base,
                ))
                .await
            {
                Ok(placed) => {
                    ed.placed(placed, after);
                    note(ed, Ok("Global block added.".into()));
                    refresh_globals(ed);
                }
                Err(e) => note(ed, Err(e.to_string())),
            }
            ed.replay_remote();
        });
    };
    let remove = move |global: Uuid| {
        leptos::task::spawn_local(async move {
            match delete_global_block(global).await {
                Ok(()) => {
                    note(ed, Ok("Global block deleted.".into()));
                    refresh_globals(ed);
                }
                Err(e) => note(ed, Err(e.to_string())),
            }
        });
    };
    view! {
        <section class="palette-globals" aria-label="Global blocks">
            <h3>"Global blocks"</h3>
            {move || ed.globals.with(|g| g.is_empty()).then(|| view! {
                <p class="app-muted">"None yet: select a block and choose “Save as global block”."</p>
            })}
            <ul>
                {move || ed.globals.get().into_iter().map(|g| {
                    let (id, name) = (g.id, g.name.clone());
                    let uses = match g.uses { 1 => "1 use".to_string(), n => format!("{n} uses") };
                    view! {
                        <li>
                            <button type="button" on:click=move |_| place(id)>{format!("Add {name}")}</button>
                            <small class="app-muted">{format!(" {} · {uses} ", g.block.kind().label())}</small>
                            <button type="button" class="app-button-ghost danger"
                                aria-label=format!("Delete global block {}", g.name)
                                on:click=move |_| remove(id)>"Delete"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// The note under the palette and inspector: what the last copy, paste or global block action did.
#[component]
pub fn BlockNote(ed: Editor) -> impl IntoView {
    move || {
        ed.block_note.get().map(|r| match r {
            Ok(m) => view! { <p role="status" class="block-note">{m}</p> }.into_any(),
            Err(m) => view! { <p role="alert" class="block-note app-error">{m}</p> }.into_any(),
        })
    }
}

/// Copies block `id` to the clipboard as a typed payload.
pub fn copy_block(ed: Editor, id: Uuid) {
    let Some(c) = ed.block(id) else { return };
    let text = clipboard_payload(ed.tenant_id, &c.block);
    leptos::task::spawn_local(async move {
        match clipboard::write(text).await {
            Ok(()) => note(
                ed,
                Ok(format!(
                    "{} block copied. Paste it on any page with Ctrl+V.",
                    c.block.kind().label()
                )),
            ),
            Err(e) => note(ed, Err(e)),
        }
    });
}

/// Pastes the clipboard's block after the selection (or at the end).
pub fn paste_block_here(ed: Editor) {
    if !ed.can_edit() {
        return;
    }
    if !ed.idle() {
        return note(ed, Err(WAIT.into()));
    }
    let after = ed
        .selected
        .get_untracked()
        .or_else(|| ed.blocks.with_untracked(|b| b.last().map(|c| c.id)));
    let (page, base) = (ed.page_id, ed.revision.get_untracked());
    leptos::task::spawn_local(async move {
        let text = match clipboard::read().await {
            Ok(t) => t,
            Err(e) => return note(ed, Err(e)),
        };
        match ed
            .while_busy(paste_block(page, text, Uuid::new_v4(), after, base))
            .await
        {
            Ok(placed) => {
                let label = placed.component.block.kind().label();
                ed.placed(placed, after);
                note(ed, Ok(format!("{label} block pasted.")));
            }
            Err(e) => note(ed, Err(e.to_string())),
        }
        ed.replay_remote();
    });
}

/// Ctrl/Cmd+C copies the selected block and Ctrl/Cmd+V pastes, unless a text field has the
/// focus (there they copy and paste text as usual).
pub fn clipboard_shortcuts(ed: Editor) {
    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener(leptos::ev::keydown, move |ev| {
            if !(ev.ctrl_key() || ev.meta_key()) || ev.shift_key() || ev.alt_key() {
                return;
            }
            if clipboard::typing_in_a_field() {
                return;
            }
            match ev.key().to_lowercase().as_str() {
                "c" => {
                    if let Some(id) = ed.selected.get_untracked() {
                        ev.prevent_default();
                        copy_block(ed, id);
                    }
                }
                "v" if ed.can_edit() => {
                    ev.prevent_default();
                    paste_block_here(ed);
                }
                _ => {}
            }
        });
        on_cleanup(move || handle.remove());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ed;
}

/// The inspector's part for global blocks and the clipboard, under the block's fields.
#[component]
pub fn BlockTools(ed: Editor, id: Uuid) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let uses = RwSignal::new(None::<Vec<GlobalBlockUse>>);
    let save_as = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !ed.idle() {
            return note(ed, Err(WAIT.into()));
        }
        let (page, base, n) = (
            ed.page_id,
            ed.revision.get_untracked(),
            name.get_untracked(),
        );
        leptos::task::spawn_local(async move {
            match create_global_block(page, id, n, base).await {
                Ok(created) => {
                    ed.set_global_link(id, Some(created.global.id));
                    ed.server_saved(created.revision);
                    note(
                        ed,
                        Ok(format!("Saved as global block “{}”.", created.global.name)),
                    );
                    refresh_globals(ed);
                }
                Err(e) => note(ed, Err(e.to_string())),
            }
        });
    };
    let detach = move |_| {
        if !ed.idle() || ed.global_pending.get_untracked().is_some() {
            return note(ed, Err(WAIT.into()));
        }
        let (page, base) = (ed.page_id, ed.revision.get_untracked());
        leptos::task::spawn_local(async move {
            match detach_global_block(page, id, base).await {
                Ok(ack) => {
                    ed.set_global_link(id, None);
                    ed.server_saved(ack.revision);
                    note(ed, Ok("Detached: this block is now a plain copy.".into()));
                    refresh_globals(ed);
                }
                Err(e) => note(ed, Err(e.to_string())),
            }
        });
    };
    let review = move |_| {
        let Some(g) = ed.global_of(id) else { return };
        leptos::task::spawn_local(async move {
            match list_global_block_uses(g.id).await {
                Ok(u) => uses.set(Some(u.uses)),
                Err(e) => note(ed, Err(e.to_string())),
            }
        });
    };
    let confirm = move |_| {
        let (Some(g), Some(c)) = (ed.global_of(id), ed.block(id)) else {
            return;
        };
        if !ed.idle() {
            return note(ed, Err(WAIT.into()));
        }
        leptos::task::spawn_local(async move {
            match update_global_block(g.id, c.block, g.revision).await {
                Ok(saved) => {
                    uses.set(None);
                    ed.global_pending.set(None);
                    if let Some(r) = saved.page_revision(ed.page_id) {
                        ed.revision.set(r);
                    }
                    ed.save.set(SaveState::Saved);
                    note(
                        ed,
                        Ok(format!(
                            "Global block “{}” saved on {} {}.",
                            g.name,
                            saved.pages.len(),
                            if saved.pages.len() == 1 {
                                "page"
                            } else {
                                "pages"
                            }
                        )),
                    );
                    refresh_globals(ed);
                }
                Err(e) => {
                    uses.set(None);
                    note(ed, Err(e.to_string()));
                }
            }
        });
    };
    let cancel = move |_| {
        uses.set(None);
        ed.reload_blocks();
        ed.save.set(SaveState::Saved);
    };
    let is_global = move || {
        ed.blocks
            .with(|b| b.iter().any(|c| c.id == id && c.global_block_id.is_some()))
    };
    let global_name = move || {
        ed.globals.track();
        ed.global_of(id)
            .map(|g| g.name)
            .unwrap_or_else(|| "…".into())
    };
    view! {
        <div class="inspector-actions" role="group" aria-label="Clipboard">
            <button type="button" on:click=move |_| copy_block(ed, id)>"Copy block"</button>
            {ed.can_edit().then(|| view! {
                <button type="button" on:click=move |_| paste_block_here(ed)>"Paste block"</button>
            })}
        </div>
        {move || if is_global() {
            view! {
                <div class="global-use">
                    <p>{move || format!("Global block “{}”: a change here is saved to every page that uses it.", global_name())}</p>
                    {move || (ed.global_pending.get() == Some(id)).then(|| view! {
                        <button type="button" class="app-button" on:click=review>"Review and save global block"</button>
                    })}
                    <button type="button" class="app-button-ghost" on:click=detach>"Detach from global block"</button>
                    {move || uses.get().map(|list| {
                        let n = list.len();
                        view! {
                            <div role="dialog" aria-modal="true" aria-label="Save global block" class="global-confirm">
                                <p>{format!("This change updates the global block on {n} {}:", if n == 1 { "page" } else { "pages" })}</p>
                                <ul>{list.iter().map(|u| view! { <li>{u.label()}</li> }).collect_view()}</ul>
                                <button type="button" class="app-button" on:click=confirm>"Save to all pages"</button>
                                <button type="button" class="app-button-ghost" on:click=cancel>"Discard change"</button>
                            </div>
                        }
                    })}
                </div>
            }.into_any()
        } else if ed.can_edit_block(id) {
            view! {
                <form class="global-save" on:submit=save_as>
                    <label class="app-field">
                        <span>"Global block name"</span>
                        <input type="text" maxlength="80" prop:value=move || name.get()
                            on:input=move |ev| name.set(event_target_value(&ev))/>
                    </label>
                    <button type="submit" class="app-button-ghost">"Save as global block"</button>
                </form>
            }.into_any()
        } else {
            ().into_any()
        }}
    }
}

/// The browser clipboard (text), through `navigator.clipboard`.
mod clipboard {
    const DENIED: &str =
        "The browser did not allow access to the clipboard. Allow it for this site and try again.";

    #[cfg(feature = "hydrate")]
    pub async fn write(text: String) -> Result<(), String> {
        let p = window().navigator().clipboard().write_text(&text);
        wasm_bindgen_futures::JsFuture::from(p)
            .await
            .map(|_| ())
            .map_err(|_| DENIED.to_string())
    }

    #[cfg(feature = "hydrate")]
    pub async fn read() -> Result<String, String> {
        let p = window().navigator().clipboard().read_text();
        wasm_bindgen_futures::JsFuture::from(p)
            .await
            .ok()
            .and_then(|v| v.as_string())
            .ok_or_else(|| DENIED.to_string())
    }

    #[cfg(feature = "hydrate")]
    fn window() -> web_sys::Window {
        leptos::prelude::window()
    }

    /// Whether the focus is in a text input, text area or editable text.
    #[cfg(feature = "hydrate")]
    pub fn typing_in_a_field() -> bool {
        use wasm_bindgen::JsCast;
        let Some(el) = leptos::prelude::document().active_element() else {
            return false;
        };
        let tag = el.tag_name().to_ascii_uppercase();
        tag == "INPUT"
            || tag == "TEXTAREA"
            || tag == "SELECT"
            || el
                .dyn_ref::<web_sys::HtmlElement>()
                .is_some_and(|h| h.is_content_editable())
    }

    #[cfg(not(feature = "hydrate"))]
    pub async fn write(_text: String) -> Result<(), String> {
        Err(DENIED.to_string())
    }

    #[cfg(not(feature = "hydrate"))]
    pub async fn read() -> Result<String, String> {
        Err(DENIED.to_string())
    }
}
