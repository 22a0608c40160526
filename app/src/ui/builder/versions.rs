//! The builder's "Versions" side panel: save a named version, browse the page's history,
//! preview a version read-only with the shared block renderer, and restore it.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::api::versions::{list_versions, preview_version, restore_version, save_version};
use crate::blocks::BlockView;
use crate::error::AppError;
use crate::model::{Role, VersionPreview, VersionSummary};

/// Lists, saves, previews and restores versions of one page. Viewers get the list and preview.
#[component]
pub fn VersionsPanel(
    page_id: Uuid,
    role: Role,
    /// Changes whenever the editor's autosave recorded a version, so the list refetches.
    #[prop(into)]
    changes: Signal<u32>,
    /// The page revision the editor last saw; a restore based on an older one is refused.
    #[prop(into)]
    revision: Signal<i64>,
    /// Refetches the builder's data, so the canvas shows the restored blocks.
    reload: Callback<()>,
) -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let versions = LocalResource::new(move || {
        changes.track();
        refresh.track();
        list_versions(page_id)
    });
    let previewing = RwSignal::new(None::<Uuid>);
    let can_edit = role.can_edit_content();
    view! {
        <section class="versions-panel" aria-labelledby="versions-heading">
            <h2 id="versions-heading">"Versions"</h2>
            {can_edit.then(|| view! {
                <SaveVersionForm page_id=page_id on_saved=Callback::new(move |()| refresh.update(|n| *n += 1))/>
            })}
            <Transition fallback=|| view! { <p class="app-muted">"Loading versions…"</p> }>
                {move || Suspend::new(async move {
                    match versions.await {
                        Ok(list) => view! { <VersionList list=list previewing=previewing/> }.into_any(),
                        Err(e) => view! { <p role="alert" class="app-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            {move || previewing.get().map(|version_id| view! {
                <PreviewDialog
                    page_id=page_id
                    version_id=version_id
                    can_restore=can_edit
                    revision=revision
                    reload=reload
                    on_close=Callback::new(move |()| previewing.set(None))
                />
            })}
        </section>
    }
    .into_any()
}

#[component]
fn SaveVersionForm(page_id: Uuid, on_saved: Callback<()>) -> impl IntoView {
    let label = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match save_version(page_id, Some(label.get_untracked())).await {
                Ok(_) => {
                    label.try_set(String::new());
                    error.try_set(None);
                    on_saved.run(());
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
            busy.try_set(false);
        });
    };
    let field_error = move || {
        error
            .get()
            .filter(|e| e.field() == Some("label"))
            .map(|e| e.to_string())
    };
    let other_error = move || {
        error
            .get()
            .filter(|e| e.field() != Some("label"))
            .map(|e| e.to_string())
    };
    view! {
        <form class="version-save" on:submit=submit>
            <div class="app-field">
                <label for="version-label">"Version label (optional)"</label>
                <input
                    id="version-label"
                    type="text"
                    placeholder="e.g. Before the redesign"
                    aria-invalid=move || field_error().is_some().to_string()
                    aria-describedby="version-label-error"
                    prop:value=move || label.get()
                    on:input=move |ev| label.set(event_target_value(&ev))
                />
                <p class="app-field-error" id="version-label-error">{field_error}</p>
            </div>
            <p role="alert" class="app-error">{other_error}</p>
            <button type="submit" class="app-button" disabled=move || busy.get()>"Save version"</button>
        </form>
    }
}

#[component]
fn VersionList(list: Vec<VersionSummary>, previewing: RwSignal<Option<Uuid>>) -> impl IntoView {
    if list.is_empty() {
        return view! {
            <p class="app-muted">"No versions yet. One is saved automatically every 30 seconds while you edit."</p>
        }
        .into_any();
    }
    view! {
        <ul class="versions-list" aria-label="Saved versions">
            {list.into_iter().map(|v| {
                let id = v.id;
                let when = version_time(&v);
                let blocks = if v.component_count == 1 { "1 block".to_string() } else { format!("{} blocks", v.component_count) };
                view! {
                    <li class="version-item">
                        <span class="version-trigger">{v.trigger.label()}</span>
                        {v.label.map(|l| view! { <strong class="version-label">{l}</strong> })}
                        <span class="version-meta">
                            {v.author} " · " <time datetime=v.saved_at.to_rfc3339()>{when}</time>
                            " · " {blocks}
                        </span>
                        <button type="button" class="app-button app-button-ghost" on:click=move |_| previewing.set(Some(id))>
                            "Preview"
                        </button>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// The save time in the organisation's timezone (issue 23), or, from a server that did not
/// send it, in the reader's.
fn version_time(v: &crate::model::VersionSummary) -> String {
    if v.saved_at_local.is_empty() {
        saved_at_text(v.saved_at)
    } else {
        v.saved_at_local.clone()
    }
}

/// The save time in the reader's time zone ("14 Jan 2025, 14:32:05"); UTC when rendered on
/// the server.
pub(super) fn saved_at_text(at: DateTime<Utc>) -> String {
    #[cfg(feature = "hydrate")]
    {
        use web_sys::js_sys::{Date, Object, Reflect};
        let date = Date::new(&wasm_bindgen::JsValue::from_f64(
            at.timestamp_millis() as f64
        ));
        let options = Object::new();
        let _ = Reflect::set(&options, &"dateStyle".into(), &"medium".into());
        let _ = Reflect::set(&options, &"timeStyle".into(), &"medium".into());
        String::from(date.to_locale_string("en-GB", &options))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        at.format("%-d %b %Y, %H:%M:%S UTC").to_string()
    }
}

/// A read-only view of one version over the builder, with "Restore this version" (after a
/// confirmation) for roles that may edit.
#[component]
fn PreviewDialog(
    page_id: Uuid,
    version_id: Uuid,
    can_restore: bool,
    revision: Signal<i64>,
    reload: Callback<()>,
    on_close: Callback<()>,
) -> impl IntoView {
    let preview = LocalResource::new(move || preview_version(version_id));
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let close_button = NodeRef::<leptos::html::Button>::new();
    // Keyboard users land in the dialog, not behind it.
    Effect::new(move |_| {
        if let Some(el) = close_button.get() {
            let _ = el.focus();
        }
    });
    let restore = move |_| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match restore_version(page_id, version_id, revision.get_untracked()).await {
                Ok(_) => {
                    on_close.run(());
                    reload.run(());
                }
                Err(e) => {
                    error.try_set(Some(e));
                    busy.try_set(false);
                }
            }
        });
    };
    let title = move || {
        preview
            .get()
            .and_then(|r| r.ok())
            .map(|p| match p.version.label {
                Some(l) => format!("Preview: {l}"),
                None => format!(
                    "Preview: {} · {}",
                    p.version.trigger.label(),
                    version_time(&p.version)
                ),
            })
    };
    view! {
        <div class="version-overlay" on:keydown=move |ev| if ev.key() == "Escape" { on_close.run(()) }>
            <div class="version-dialog" role="dialog" aria-modal="true" aria-labelledby="version-preview-title">
                <header class="version-dialog-bar">
                    <h2 id="version-preview-title">{move || title().unwrap_or_else(|| "Version preview".into())}</h2>
                    {move || (can_restore && !confirming.get()).then(|| view! {
                        <button type="button" class="app-button" on:click=move |_| confirming.set(true)>"Restore this version"</button>
                    })}
                    <button type="button" class="app-button app-button-ghost" node_ref=close_button on:click=move |_| on_close.run(())>
                        "Close"
                    </button>
                </header>
                {move || confirming.get().then(|| view! {
                    <div class="version-confirm">
                        <p>"Replace the page with this version? What is on the page now is kept as a “Before restore” version, so you can undo this."</p>
                        <button type="button" class="app-button" disabled=move || busy.get() on:click=restore>"Yes, restore"</button>
                        <button type="button" class="app-button app-button-ghost" on:click=move |_| confirming.set(false)>"Cancel"</button>
                    </div>
                })}
                {move || error.get().map(|e| {
                    let conflict = matches!(e, AppError::Conflict { .. });
                    view! {
                        <div class="version-error">
                            <p role="alert" class="app-error">{e.to_string()}</p>
                            {conflict.then(|| view! {
                                <button type="button" class="app-button" on:click=move |_| { on_close.run(()); reload.run(()) }>"Reload page"</button>
                            })}
                        </div>
                    }
                })}
                <div class="version-dialog-body">
                    <Suspense fallback=|| view! { <p class="app-muted">"Loading the preview…"</p> }>
                        {move || Suspend::new(async move {
                            match preview.await {
                                Ok(p) => preview_blocks(p),
                                Err(e) => view! { <p role="alert" class="app-error">{e.to_string()}</p> }.into_any(),
                            }
                        })}
                    </Suspense>
                </div>
            </div>
        </div>
    }
    .into_any()
}

/// The version's blocks as the canvas draws them; links and forms inside do nothing here.
fn preview_blocks(p: VersionPreview) -> AnyView {
    if p.components.is_empty() {
        return view! { <p class="canvas-empty">"This version has no blocks."</p> }.into_any();
    }
    view! {
        <ol class="sp-site canvas-page version-page" style=p.branding.css_vars()
            on:click=|ev| ev.prevent_default() on:submit=|ev| ev.prevent_default()>
            {p.components.into_iter().map(|c| view! {
                <li class="version-block" class:hidden-block=!c.is_visible>
                    {(!c.is_visible || c.is_locked).then(|| view! {
                        <span class="canvas-badges">
                            {(!c.is_visible).then(|| view! { <span class="canvas-badge">"Hidden"</span> })}
                            {c.is_locked.then(|| view! { <span class="canvas-badge">"Locked"</span> })}
                        </span>
                    })}
                    <BlockView block=c.block/>
                </li>
            }).collect_view()}
        </ol>
    }
    .into_any()
}
