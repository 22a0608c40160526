//! The dashboard's "Import a website" form: a backup file (read in the browser), the new
//! website's address and an optional name. The server checks the whole document; its error
//! names the page and block at fault, and nothing is written unless everything is valid.

use leptos::prelude::*;

use super::new_website::LimitAlert;
use crate::api::backup::ImportWebsite;
use crate::error::AppError;

fn message_for(error: RwSignal<Option<AppError>>, field: &'static str) -> Option<String> {
    error.with(|e| {
        e.as_ref()
            .filter(|e| e.field() == Some(field))
            .map(ToString::to_string)
    })
}

/// Reads the chosen file's text into `document` (`None` when no file is chosen).
#[cfg(feature = "hydrate")]
pub(super) fn read_file(
    ev: leptos::ev::Event,
    document: RwSignal<Option<String>>,
    error: RwSignal<Option<AppError>>,
) {
    use wasm_bindgen::JsCast;
    document.set(None);
    let file = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .and_then(|input| input.files())
        .and_then(|files| files.get(0));
    let Some(file) = file else { return };
    let promise = file.text();
    leptos::task::spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(promise).await {
            Ok(text) => document.set(text.as_string()),
            Err(_) => error.set(Some(AppError::invalid(
                "document",
                "The file could not be read. Choose it again.",
            ))),
        }
    });
}

#[cfg(not(feature = "hydrate"))]
pub(super) fn read_file(
    _ev: leptos::ev::Event,
    _document: RwSignal<Option<String>>,
    _error: RwSignal<Option<AppError>>,
) {
}

/// `import` is the dashboard's action, so the website list refetches after an import.
#[component]
pub fn ImportWebsiteForm(import: ServerAction<ImportWebsite>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let subdomain = RwSignal::new(String::new());
    let document = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(false);
    Effect::new(move |_| match import.value().get() {
        Some(Ok(_)) => {
            name.set(String::new());
            subdomain.set(String::new());
            error.set(None);
            done.set(true);
        }
        Some(Err(e)) => {
            done.set(false);
            error.set(Some(e));
        }
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(false);
        let Some(doc) = document.get_untracked() else {
            error.set(Some(AppError::invalid(
                "file",
                "Choose a backup file (.sitepilot.json) first.",
            )));
            return;
        };
        error.set(None);
        import.dispatch(ImportWebsite {
            name: name.get_untracked(),
            subdomain: subdomain.get_untracked(),
            document: doc,
        });
    };
    let field = move |id: &'static str,
                      label: &'static str,
                      value: RwSignal<String>,
                      key: &'static str| {
        let err_id = format!("{id}-error");
        view! {
            <div class="app-field">
                <label for=id>{label}</label>
                <input id=id type="text" aria-describedby=err_id.clone()
                    aria-invalid=move || message_for(error, key).is_some().to_string()
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
                <p class="app-field-error" id=err_id>{move || message_for(error, key)}</p>
            </div>
        }
    };
    view! {
        <section class="app-card" aria-labelledby="import-website">
            <h2 id="import-website">"Import a website"</h2>
            <p class="app-muted">"Create a new website from a backup downloaded with “Download backup”."</p>
            <form on:submit=submit novalidate>
                <div class="app-field">
                    <label for="import-file">"Backup file"</label>
                    <input id="import-file" type="file" accept=".json,application/json"
                        aria-describedby="import-file-error"
                        on:change=move |ev| read_file(ev, document, error)/>
                    <p class="app-field-error" id="import-file-error">{move || message_for(error, "file")}</p>
                </div>
                {field("import-name", "New website name (optional)", name, "name")}
                {field("import-subdomain", "Address (subdomain)", subdomain, "subdomain")}
                <button type="submit" class="app-button" disabled=move || import.pending().get()>"Import website"</button>
            </form>
            {move || done.get().then(|| view! { <p role="status">"Website imported. It is listed above as a draft."</p> })}
            {move || error.get().filter(|e| !matches!(e.field(), Some("name" | "subdomain" | "file"))).map(|e| match e {
                e @ AppError::LimitReached { .. } => view! { <LimitAlert error=e/> }.into_any(),
                other => view! { <p role="alert" class="app-error">{other.to_string()}</p> }.into_any(),
            })}
        </section>
    }
}
