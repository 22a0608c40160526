//! `/ai/generations/{id}`: the progress of "Build my site from a prompt". The steps the job has
//! reached arrive over Server-Sent Events (`GET /ai/generations/{id}/events`, whose first event
//! is the current state, so a reload re-attaches); a member may cancel while it runs, and the
//! finished page links to the new website in the builder.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::team::AppNav;
use super::LoadError;
use crate::api::ai::{cancel_generation, get_generation};
use crate::api::wire::wire_resource;
use crate::error::AppError;
use crate::model::{Generation, GenerationStatus};

#[component]
pub fn GenerationPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("generation_id")
            .and_then(|s| s.parse::<uuid::Uuid>().ok())
    };
    let loaded = wire_resource(id, |id| async move {
        match id {
            Some(id) => get_generation(id).await,
            None => Err(AppError::NotFound("Generation".into())),
        }
    });
    view! {
        <AppNav/>
        <main class="app-page ai-generation-page">
            <Suspense fallback=|| view! { <p>"Loading the generation…"</p> }>
                {move || Suspend::new(async move {
                    match loaded.await {
                        Ok(g) => view! { <GenerationView data=g/> }.into_any(),
                        Err(e) => view! { <h1>"Build with AI"</h1><LoadError error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

fn sentence(g: &Generation) -> String {
    match g.status {
        GenerationStatus::Queued => "Waiting for the assistant to start…".into(),
        GenerationStatus::Running => format!(
            "{}…",
            g.steps.last().map_or("Starting", |s| s.label.as_str())
        ),
        GenerationStatus::Succeeded => format!("{} is ready.", g.name),
        GenerationStatus::Failed => g
            .error
            .clone()
            .unwrap_or_else(|| "The generation failed.".into()),
        GenerationStatus::Cancelled => "Cancelled. No credits were used.".into(),
    }
}

#[component]
fn GenerationView(data: Generation) -> impl IntoView {
    let id = data.id;
    let current = RwSignal::new(data);
    crate::ui::live::follow_generation(id, move |json| {
        if let Ok(g) = serde_json::from_str::<Generation>(json) {
            current.set(g);
        }
    });
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let cancel = move |_| {
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match cancel_generation(id).await {
                Ok(g) => current.set(g),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let title = move || current.with(|g| format!("Building {}", g.name));
    view! {
        <h1>{title}</h1>
        <section class="app-card" aria-labelledby="ai-progress">
            <h2 id="ai-progress">"Progress"</h2>
            <ol class="ai-steps" aria-label="Steps">
                {move || current.with(|g| {
                    let n = g.steps.len();
                    let running = g.status == GenerationStatus::Running;
                    g.steps.iter().enumerate().map(|(i, s)| {
                        let now = running && i + 1 == n;
                        view! {
                            <li class:ai-step-now=now aria-current=now.then_some("step")>{s.label.clone()}</li>
                        }
                    }).collect_view()
                })}
            </ol>
            <p role="status" data-status=move || current.with(|g| g.status.as_str())>{move || current.with(sentence)}</p>
            {move || current.with(|g| match (g.status, g.home_page_id) {
                (GenerationStatus::Succeeded, Some(page)) => {
                    let name = g.name.clone();
                    // A full page load into the builder (its own bundle).
                    view! { <p><a class="app-button" href=format!("/builder/{page}") rel="external">{format!("Open {name} in the builder")}</a></p> }.into_any()
                }
                (s, _) if !s.is_final() => view! {
                    <p><button type="button" class="app-button app-button-ghost" disabled=move || busy.get() on:click=cancel>"Cancel"</button></p>
                }.into_any(),
                _ => view! { <p><a href="/dashboard" rel="external">"Back to your websites"</a></p> }.into_any(),
            })}
            {move || error.get().map(|e| view! { <p role="alert" class="app-error">{e.to_string()}</p> })}
        </section>
    }
}
