//! Uploading files: pick several or drop them, one request per file (`POST /media/upload`)
//! with a progress bar and a cancel button each, and the server's reason for each refused file.
//! The request is an `XMLHttpRequest` in the browser (fetch has no upload progress).

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::AssetInfo;

// Uploads run only in the browser: the server renders the empty list.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Clone, Debug, PartialEq)]
enum State {
    Sending,
    Done,
    Failed(String),
    /// 402: the message and a link to billing.
    Limit(String),
    Cancelled,
}

/// One file on its way.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Clone)]
struct Item {
    key: u32,
    name: String,
    /// 0.0 ..= 1.0
    progress: RwSignal<f64>,
    state: RwSignal<State>,
    cancel: StoredValue<Option<Box<dyn Fn()>>, LocalStorage>,
}

/// The drop zone, the file picker and the list of uploads. `on_uploaded` gets each stored
/// asset (the library refreshes, the picker selects it). `accept_images` narrows the picker
/// to images.
#[component]
pub fn Uploader(
    on_uploaded: Callback<AssetInfo>,
    #[prop(optional)] accept_images: bool,
) -> impl IntoView {
    let items = RwSignal::new(Vec::<Item>::new());
    let next = StoredValue::new(0u32);
    let dragging = RwSignal::new(false);
    let input_id = if accept_images {
        "media-upload-picker"
    } else {
        "media-upload-files"
    };
    let accept = if accept_images {
        "image/jpeg,image/png,image/webp,image/avif,image/gif"
    } else {
        "image/jpeg,image/png,image/webp,image/avif,image/gif,application/pdf,video/mp4"
    };
    #[cfg(feature = "hydrate")]
    let start = move |files: web_sys::FileList| {
        for i in 0..files.length() {
            let Some(file) = files.item(i) else { continue };
            let key = next.get_value();
            next.set_value(key + 1);
            let item = Item {
                key,
                name: file.name(),
                progress: RwSignal::new(0.0),
                state: RwSignal::new(State::Sending),
                cancel: StoredValue::new_local(None),
            };
            items.update(|v| v.push(item.clone()));
            send(file, item, on_uploaded);
        }
    };
    #[cfg(not(feature = "hydrate"))]
    let start = move |_: ()| {
        let _ = (next, on_uploaded);
    };
    let _ = &start;
    view! {
        <div class="media-drop" class:media-drop-active=move || dragging.get()
            on:dragover=move |ev| { ev.prevent_default(); dragging.set(true); }
            on:dragleave=move |_| dragging.set(false)
            on:drop=move |ev| {
                ev.prevent_default();
                dragging.set(false);
                #[cfg(feature = "hydrate")]
                if let Some(files) = ev.data_transfer().and_then(|d| d.files()) {
                    start(files);
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = ev;
            }>
            <label for=input_id>"Upload files"</label>
            <input id=input_id type="file" multiple=true accept=accept
                on:change=move |ev| {
                    #[cfg(feature = "hydrate")]
                    {
                        use wasm_bindgen::JsCast;
                        if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                            if let Some(files) = input.files() {
                                start(files);
                            }
                            input.set_value("");
                        }
                    }
                    #[cfg(not(feature = "hydrate"))]
                    let _ = ev;
                }/>
            <p class="app-muted">"or drop files here · JPEG, PNG, WebP, AVIF, GIF, PDF, MP4"</p>
        </div>
        <ul class="media-uploads" aria-label="Uploads">
            <For each=move || items.get() key=|i| i.key let:item>
                <UploadRow item/>
            </For>
        </ul>
    }
}

#[component]
fn UploadRow(item: Item) -> impl IntoView {
    let Item {
        name,
        progress,
        state,
        cancel,
        ..
    } = item;
    let label = format!("Uploading {name}");
    view! {
        <li class="media-upload">
            <span class="media-upload-name">{name.clone()}</span>
            {move || match state.get() {
                State::Sending => view! {
                    <progress aria-label=label.clone() max="100" value=move || format!("{:.0}", progress.get() * 100.0)></progress>
                    <button type="button" class="app-button app-button-ghost"
                        on:click=move |_| cancel.with_value(|c| if let Some(c) = c { c() })>
                        {format!("Cancel {name}")}
                    </button>
                }.into_any(),
                State::Done => view! { <span class="media-ok">"Uploaded"</span> }.into_any(),
                State::Cancelled => view! { <span class="app-muted">"Cancelled"</span> }.into_any(),
                State::Failed(m) => view! { <span role="alert" class="app-error">{m}</span> }.into_any(),
                State::Limit(m) => view! {
                    <span role="alert" class="app-error">{m}" "<a href="/billing">"See plans"</a></span>
                }.into_any(),
            }}
        </li>
    }
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
/// The refusal as people read it, from the server's typed error body.
fn failure(status: u16, body: &str) -> State {
    match serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| crate::model::value_reader::from_value::<AppError>(v).ok())
    {
        Some(e @ AppError::LimitReached { .. }) => State::Limit(e.to_string()),
        Some(e) => State::Failed(e.to_string()),
        None if status == 0 => State::Failed("The upload was interrupted. Try again.".into()),
        None => State::Failed(format!("The upload failed ({status}). Try again.")),
    }
}

#[cfg(feature = "hydrate")]
fn send(file: web_sys::File, item: Item, on_uploaded: Callback<AssetInfo>) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let fail = |m: &str| item.state.set(State::Failed(m.to_string()));
    let Ok(xhr) = web_sys::XmlHttpRequest::new() else {
        return fail("This browser cannot upload files.");
    };
    let Ok(form) = web_sys::FormData::new() else {
        return fail("This browser cannot upload files.");
    };
    if form
        .append_with_blob_and_filename("file", &file, &file.name())
        .is_err()
        || xhr.open("POST", "/media/upload").is_err()
    {
        return fail("This browser cannot upload files.");
    }
    let progress = item.progress;
    let on_progress =
        Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
            if e.length_computable() && e.total() > 0.0 {
                progress.set((e.loaded() / e.total()).min(1.0));
            }
        });
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    }
    let state = item.state;
    let done_xhr = xhr.clone();
    let on_done = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
        if state.get_untracked() == State::Cancelled {
            return;
        }
        let status = done_xhr.status().unwrap_or(0);
        let body = done_xhr.response_text().ok().flatten().unwrap_or_default();
        if status == 201 {
            progress.set(1.0);
            match serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| crate::model::value_reader::from_value::<AssetInfo>(v).ok())
            {
                Some(info) => {
                    state.set(State::Done);
                    on_uploaded.run(info);
                }
                None => state.set(State::Failed(
                    "The server's answer could not be read.".into(),
                )),
            }
        } else {
            state.set(failure(status, &body));
        }
    });
    xhr.set_onloadend(Some(on_done.as_ref().unchecked_ref()));
    // The closures live as long as the request; a handful per upload.
    on_progress.forget();
    on_done.forget();
    let abort_xhr = xhr.clone();
    item.cancel.set_value(Some(Box::new(move || {
        state.set(State::Cancelled);
        let _ = abort_xhr.abort();
    })));
    if xhr.send_with_opt_form_data(Some(&form)).is_err() {
        fail("The upload could not start.");
    }
}
