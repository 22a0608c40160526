//! `/media`: the media library. Upload (several files, drag and drop, progress and cancel per
//! file), a grid of thumbnails with search, type and tag filters and sorting, rename and tags,
//! where each file is used, delete (asking first when pages use it) and the quota meter.
//! [`AssetPicker`] is the same library as a chooser for image fields.

mod upload;

use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

use super::LoadError;
use crate::api::assets::{delete_asset, list_assets, update_asset};
use crate::api::wire::wire_resource;
use crate::model::{AssetDeleted, AssetInfo, AssetKind, AssetQuery};
pub use upload::Uploader;

fn megabytes(bytes: i64) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if mb >= 10.0 {
        format!("{mb:.0} MB")
    } else {
        format!("{mb:.1} MB")
    }
}

#[component]
pub fn MediaPage() -> impl IntoView {
    let search = RwSignal::new(String::new());
    let kind = RwSignal::new(String::new());
    let tag = RwSignal::new(String::new());
    let sort = RwSignal::new("date".to_string());
    let version = RwSignal::new(0u32);
    let library = wire_resource(
        move || {
            (
                AssetQuery {
                    search: search.get(),
                    kind: kind.get(),
                    tag: tag.get(),
                    sort: sort.get(),
                },
                version.get(),
            )
        },
        |(query, _)| list_assets(query),
    );
    let on_uploaded = Callback::new(move |_: AssetInfo| version.update(|v| *v += 1));
    // The uploader lives outside the library's Transition: every finished upload refreshes the
    // library, and a view rebuilt under it would drop the other uploads still on their way.
    let can_upload = RwSignal::new(false);
    view! {
        <header class="app-topbar">
            <strong class="app-logo">"SitePilot"</strong>
            <A href="/dashboard">"Your websites"</A>
        </header>
        <main class="app-page media-page">
            <h1>"Media"</h1>
            <Show when=move || can_upload.get()>
                <Uploader on_uploaded/>
            </Show>
            <Transition fallback=|| view! { <p>"Loading your files…"</p> }>
                {move || Suspend::new(async move {
                    match library.await {
                        Ok(lib) => {
                            let pct = if lib.limit_bytes > 0 { (lib.used_bytes as f64 / lib.limit_bytes as f64 * 100.0).min(100.0) } else { 0.0 };
                            let meter = view! {
                                <p class="media-quota">
                                    <label for="media-quota">{format!("Storage: {} of {} used", megabytes(lib.used_bytes), megabytes(lib.limit_bytes))}</label>
                                    <meter id="media-quota" min="0" max="100" value=format!("{pct:.1}")></meter>
                                    <span class="app-muted">{format!(" · files up to {} each", megabytes(lib.max_file_bytes))}</span>
                                </p>
                            };
                            if lib.can_upload != can_upload.get_untracked() {
                                can_upload.set(lib.can_upload);
                            }
                            let tags = lib.all_tags.clone();
                            let current_tag = tag.get_untracked();
                            let grid = if lib.assets.is_empty() {
                                view! { <p class="app-muted">"No files yet."</p> }.into_any()
                            } else {
                                let can_edit = lib.can_upload;
                                view! {
                                    <ul class="media-grid" aria-label="Files">
                                        {lib.assets.into_iter().map(|a| view! { <AssetCard asset=a can_edit version/> }).collect_view()}
                                    </ul>
                                }.into_any()
                            };
                            view! {
                                {meter}
                                <div class="media-filters">
                                    <label>"Search " <input type="search" prop:value=search.get_untracked()
                                        on:change=move |ev| search.set(event_target_value(&ev))/></label>
                                    <label>"Type "
                                        <select on:change=move |ev| kind.set(event_target_value(&ev))>
                                            {[("", "All"), ("image", "Images"), ("video", "Videos"), ("raw", "Documents")].into_iter().map(|(v, l)| {
                                                let selected = kind.get_untracked() == v;
                                                view! { <option value=v selected=selected>{l}</option> }
                                            }).collect_view()}
                                        </select>
                                    </label>
                                    <label>"Tag "
                                        <select on:change=move |ev| tag.set(event_target_value(&ev))>
                                            <option value="">"All"</option>
                                            {tags.into_iter().map(|t| {
                                                let selected = t == current_tag;
                                                view! { <option value=t.clone() selected=selected>{t.clone()}</option> }
                                            }).collect_view()}
                                        </select>
                                    </label>
                                    <label>"Sort by "
                                        <select on:change=move |ev| sort.set(event_target_value(&ev))>
                                            {[("date", "Newest"), ("size", "Largest"), ("name", "Name")].into_iter().map(|(v, l)| {
                                                let selected = sort.get_untracked() == v;
                                                view! { <option value=v selected=selected>{l}</option> }
                                            }).collect_view()}
                                        </select>
                                    </label>
                                </div>
                                {grid}
                            }.into_any()
                        }
                        Err(e) => view! { <LoadError error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

#[component]
fn AssetCard(asset: AssetInfo, can_edit: bool, version: RwSignal<u32>) -> impl IntoView {
    let id: Uuid = asset.id;
    let name = RwSignal::new(asset.name.clone());
    let tags = RwSignal::new(asset.tags.join(", "));
    let message = RwSignal::new(None::<String>);
    let in_use = RwSignal::new(None::<Vec<String>>);
    let heading_id = format!("asset-{id}");
    let labelled_by = heading_id.clone();
    let save = Action::new(move |_: &()| {
        let tags: Vec<String> = tags
            .get_untracked()
            .split(',')
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        let display_name = name.get_untracked();
        async move {
            match update_asset(id, display_name, tags).await {
                Ok(_) => {
                    message.set(Some("Saved.".into()));
                    version.update(|v| *v += 1);
                }
                Err(e) => message.set(Some(e.to_string())),
            }
        }
    });
    let delete = Action::new(move |force: &bool| {
        let force = *force;
        async move {
            match delete_asset(id, force).await {
                Ok(AssetDeleted::Deleted) => version.update(|v| *v += 1),
                Ok(AssetDeleted::InUse { pages }) => in_use.set(Some(pages)),
                Err(e) => message.set(Some(e.to_string())),
            }
        }
    });
    let preview = match asset.kind {
        AssetKind::Image => {
            view! { <img src=asset.thumb_url.clone() alt="" loading="lazy" decoding="async"/> }
                .into_any()
        }
        AssetKind::Video => {
            view! { <span class="media-icon" aria-hidden="true">"▶"</span> }.into_any()
        }
        AssetKind::Raw => {
            view! { <span class="media-icon" aria-hidden="true">"PDF"</span> }.into_any()
        }
    };
    let dims = asset
        .width
        .zip(asset.height)
        .map(|(w, h)| format!(" · {w}×{h}"))
        .unwrap_or_default();
    let used = if asset.used_in.is_empty() {
        "Not used yet".to_string()
    } else {
        format!("Used in {}", asset.used_in.join(", "))
    };
    let display = asset.name.clone();
    let editor = can_edit.then(|| {
        let display = display.clone();
        view! {
            <label>"Name " <input type="text" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/></label>
            <label>"Tags " <input type="text" placeholder="comma, separated" prop:value=move || tags.get() on:input=move |ev| tags.set(event_target_value(&ev))/></label>
            <div class="media-actions">
                <button type="button" class="app-button" on:click=move |_| { save.dispatch(()); }>{format!("Save {display}")}</button>
                <button type="button" class="app-button app-button-ghost" on:click=move |_| { delete.dispatch(false); }>{format!("Delete {}", display.clone())}</button>
            </div>
        }
    });
    view! {
        <li class="media-card" aria-labelledby=labelled_by>
            <a class="media-thumb" href=asset.url.clone() target="_blank" rel="noopener">{preview}</a>
            <h2 id=heading_id class="media-name">{display.clone()}</h2>
            <p class="app-muted">{format!("{} · {}{dims}", asset.format.to_uppercase(), megabytes(asset.size_bytes))}</p>
            <p class="app-muted">{used}</p>
            {(!asset.tags.is_empty()).then(|| view! { <p class="media-tags">{asset.tags.iter().map(|t| format!("#{t}")).collect::<Vec<_>>().join(" ")}</p> })}
            {editor}
            {move || in_use.get().map(|pages| {
                let display = display.clone();
                view! {
                    <div role="alertdialog" aria-label="Delete a file in use" class="media-confirm">
                        <p>{format!("{display} is used on: {}. Published pages keep showing it; pages you edit will lose it.", pages.join(", "))}</p>
                        <button type="button" class="app-button" on:click=move |_| { in_use.set(None); delete.dispatch(true); }>"Delete anyway"</button>
                        <button type="button" class="app-button app-button-ghost" on:click=move |_| in_use.set(None)>"Keep it"</button>
                    </div>
                }
            })}
            {move || message.get().map(|m| view! { <p role="status">{m}</p> })}
        </li>
    }
}

/// The library as a chooser for an image field: pick an image (its address goes to
/// `on_pick`) or upload one in place.
#[component]
pub fn AssetPicker(on_pick: Callback<String>, label: &'static str) -> impl IntoView {
    let open = RwSignal::new(false);
    let version = RwSignal::new(0u32);
    let library = wire_resource(
        move || (open.get(), version.get()),
        |(open, _)| async move {
            if !open {
                return Ok(None);
            }
            list_assets(AssetQuery {
                kind: "image".into(),
                ..Default::default()
            })
            .await
            .map(Some)
        },
    );
    let on_uploaded = Callback::new(move |a: AssetInfo| {
        on_pick.run(a.url);
        open.set(false);
    });
    view! {
        <button type="button" class="app-button app-button-ghost media-pick-open" aria-label=format!("Choose {label} from library")
            on:click=move |_| open.update(|o| *o = !*o)>
            "Choose from library"
        </button>
        <Show when=move || open.get()>
            <div class="media-picker" role="group" aria-label=format!("Media library for {label}")>
                <Uploader on_uploaded accept_images=true/>
                <Transition fallback=|| view! { <p>"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match library.await {
                            Ok(Some(lib)) => view! {
                                <ul class="media-picker-grid">
                                    {lib.assets.into_iter().map(|a| {
                                        let url = a.url.clone();
                                        view! {
                                            <li>
                                                <button type="button" class="media-pick" aria-label=format!("Use {}", a.name)
                                                    on:click=move |_| { on_pick.run(url.clone()); open.set(false); }>
                                                    <img src=a.thumb_url.clone() alt="" loading="lazy"/>
                                                </button>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                            Ok(None) => ().into_any(),
                            Err(e) => view! { <p role="alert" class="app-error">{e.to_string()}</p> }.into_any(),
                        }
                    })}
                </Transition>
            </div>
        </Show>
    }
}
