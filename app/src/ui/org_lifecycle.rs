//! The owner's "Export all data" and "Delete the organisation" on `/settings` (issue 23 part
//! 5). Shown to the owner only: the server refuses everyone else, and the card stays empty.
//! The export's progress is polled once a second while its job runs; once ready, the page
//! links to the download.

use leptos::prelude::*;

use crate::api::org_lifecycle::*;
use crate::error::AppError;
use crate::model::{ExportStatus, OrgExport, RETENTION_DAYS};

/// How often the page asks about a running export.
#[cfg(feature = "hydrate")]
const POLL_MS: u32 = 1000;

fn megabytes(bytes: i64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

fn sentence(e: &OrgExport) -> String {
    match e.status {
        ExportStatus::Queued => "Waiting for the export to start…".into(),
        ExportStatus::Running => format!("Building the export: {} ({}%)", e.phase, e.percent),
        ExportStatus::Ready => format!(
            "Your export is ready ({}). The link works until {}.",
            e.size_bytes.map(megabytes).unwrap_or_default(),
            e.expires_at
                .map(|t| t.format("%Y-%m-%d").to_string())
                .unwrap_or_default()
        ),
        ExportStatus::Failed => e
            .error
            .clone()
            .unwrap_or_else(|| "The export failed.".into()),
        ExportStatus::Expired => "Your last export has expired. Start a new one.".into(),
    }
}

#[component]
pub fn OrgLifecycleCard() -> impl IntoView {
    let tick = RwSignal::new(0u32);
    // Client-side only: nothing of it is in the server's HTML, so hydration has nothing to match.
    let latest = LocalResource::new(move || {
        tick.get();
        latest_export()
    });
    let owner = RwSignal::new(false);
    let current = RwSignal::new(None::<OrgExport>);
    Effect::new(move |_| {
        if let Some(Ok(e)) = latest.get() {
            owner.set(true);
            current.set(e);
        }
    });
    // While the export is being built, ask again in a moment.
    Effect::new(move |_| {
        let live = current.with(|c| c.as_ref().is_some_and(|e| e.status.is_live()));
        #[cfg(feature = "hydrate")]
        if live {
            gloo_timers::callback::Timeout::new(POLL_MS, move || {
                tick.try_update(|t| *t += 1);
            })
            .forget();
        }
        let _ = live;
    });
    view! {
        <Show when=move || owner.get()>
            <section class="app-card" aria-labelledby="org-data-heading">
                <h2 id="org-data-heading">"Your organisation's data"</h2>
                <ExportPanel current=current/>
                <DeletePanel/>
            </section>
        </Show>
    }
    .into_any()
}

#[component]
fn ExportPanel(current: RwSignal<Option<OrgExport>>) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let start = move |_| {
        error.set(None);
        leptos::task::spawn_local(async move {
            match start_export().await {
                Ok(e) => {
                    current.try_set(Some(e));
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    let live = move || current.with(|c| c.as_ref().is_some_and(|e| e.status.is_live()));
    view! {
        <h3>"Export all data"</h3>
        <p class="app-hint">"One zip with every website (in the backup format), the form submissions, the audit log and your media files, with a manifest listing each file. It is built in the background; the download link works for 7 days."</p>
        <button type="button" class="app-button" disabled=live on:click=start>"Export organisation data"</button>
        {move || current.get().map(|e| {
            let link = e.download_url();
            let percent = e.percent;
            let running = e.status.is_live();
            view! {
                <p role="status" data-status=e.status.as_str()>{sentence(&e)}</p>
                {running.then(|| view! { <progress max="100" value=percent aria-label="Export progress"></progress> })}
                {link.map(|href| view! { <p><a class="app-button" href=href rel="external" download>"Download the export"</a></p> })}
            }
        })}
        <p role="alert" class="app-error">{move || error.get().map(|e| e.to_string())}</p>
    }
    .into_any()
}

#[component]
fn DeletePanel() -> impl IntoView {
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        busy.set(true);
        let typed = name.get_untracked();
        leptos::task::spawn_local(async move {
            match delete_organisation(typed).await {
                // A full navigation: the app now answers with the deletion notice.
                Ok(_) =>
                {
                    #[cfg(feature = "hydrate")]
                    if let Some(w) = web_sys::window() {
                        let _ = w.location().set_href("/dashboard");
                    }
                }
                Err(e) => {
                    busy.try_set(false);
                    error.try_set(Some(e));
                }
            }
        });
    };
    let field_error = move || {
        error
            .get()
            .filter(|e| e.field() == Some("confirm_name"))
            .map(|e| e.to_string())
    };
    view! {
        <div class="danger-zone" role="group" aria-labelledby="org-delete-heading">
            <h3 id="org-delete-heading">"Delete the organisation"</h3>
            <p class="app-hint">{format!(
                "Every website goes offline at once and members can no longer work in it. Everything is deleted for good after {RETENTION_DAYS} days; until then you can cancel the deletion by signing in."
            )}</p>
            <form on:submit=submit>
                <div class="app-field">
                    <label for="org-delete-name">"Type the organisation's name to confirm"</label>
                    <input id="org-delete-name" type="text" autocomplete="off" required
                        aria-invalid=move || field_error().is_some().to_string()
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))/>
                    <p class="app-field-error">{field_error}</p>
                </div>
                <button type="submit" class="app-button app-button-danger" disabled=move || busy.get()>"Delete organisation"</button>
            </form>
            <p role="alert" class="app-error">{move || error.get().filter(|e| e.field() != Some("confirm_name")).map(|e| e.to_string())}</p>
        </div>
    }
    .into_any()
}
