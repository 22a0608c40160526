//! `/forms`: the inbox of contact form submissions from the tenant's visitor sites. A list
//! (newest first, optionally only unprocessed), the selected submission in full with
//! "Mark processed" / "Mark as new", and a CSV download per website.

use leptos::prelude::*;
use leptos_router::components::A;
use uuid::Uuid;

use super::LoadError;
use crate::api::forms::{get_submission, list_submissions, mark_submission};
use crate::api::websites::list_websites;
use crate::api::wire::wire_resource;
use crate::model::{SubmissionDetail, SubmissionSummary};

fn when(s: &SubmissionSummary) -> String {
    s.created_at.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn form_title(s: &SubmissionSummary) -> String {
    let form = if s.form_name.is_empty() {
        "Contact form"
    } else {
        s.form_name.as_str()
    };
    format!("{} ({}) · {form}", s.page_title, s.page_slug)
}

#[component]
pub fn FormsInboxPage() -> impl IntoView {
    let unprocessed_only = RwSignal::new(false);
    let selected = RwSignal::new(None::<Uuid>);
    // Bumped after a mark, so the list shows the new state.
    let version = RwSignal::new(0u32);
    let list = wire_resource(
        move || (unprocessed_only.get(), version.get()),
        |(only, _)| list_submissions(only),
    );
    view! {
        <header class="app-topbar">
            <strong class="app-logo">"SitePilot"</strong>
            <A href="/dashboard">"Your websites"</A>
        </header>
        <main class="app-page forms-inbox">
            <h1>"Form submissions"</h1>
            <Exports/>
            <label class="app-check">
                <input type="checkbox" prop:checked=move || unprocessed_only.get()
                    on:change=move |ev| unprocessed_only.set(event_target_checked(&ev))/>
                "Show only unprocessed"
            </label>
            <Transition fallback=|| view! { <p>"Loading submissions…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(rows) if rows.is_empty() => {
                            let text = if unprocessed_only.get_untracked() { "No unprocessed submissions." } else { "No submissions yet." };
                            view! { <p class="app-muted">{text}</p> }.into_any()
                        }
                        Ok(rows) => view! { <SubmissionTable rows=rows selected=selected/> }.into_any(),
                        Err(e) => view! { <LoadError error=e/> }.into_any(),
                    }
                })}
            </Transition>
            {move || selected.get().map(|id| view! { <SubmissionPanel id=id version=version/> })}
        </main>
    }
}

/// One CSV download link per website. Plain links to the export route: the browser saves the
/// file (`Content-Disposition: attachment`).
#[component]
fn Exports() -> impl IntoView {
    let sites = wire_resource(|| (), |_| list_websites());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                sites.await.ok().map(|list| view! {
                    <p class="forms-exports">
                        {list.into_iter().map(|w| view! {
                            <a class="app-button app-button-ghost" href=format!("/forms/export/{}", w.id) rel="external" download="">
                                {format!("Export CSV: {}", w.name)}
                            </a>
                            <NoticeSwitch website_id=w.id name=w.name.clone()/>
                        }).collect_view()}
                    </p>
                })
            })}
        </Suspense>
    }
}

#[component]
fn SubmissionTable(
    rows: Vec<SubmissionSummary>,
    selected: RwSignal<Option<Uuid>>,
) -> impl IntoView {
    view! {
        <table class="forms-table">
            <caption class="app-muted">"Newest first"</caption>
            <thead>
                <tr><th>"Received"</th><th>"Website"</th><th>"Page and form"</th><th>"Message"</th><th>"Status"</th><th></th></tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|s| {
                    let id = s.id;
                    let status = if s.processed { "Processed" } else { "New" };
                    let label = format!("Open submission from {}", when(&s));
                    view! {
                        <tr class:forms-new=!s.processed>
                            <td>{when(&s)}</td>
                            <td>{s.website_name.clone()}</td>
                            <td>{form_title(&s)}</td>
                            <td class="forms-preview">{s.preview.clone()}</td>
                            <td>{status}</td>
                            <td>
                                <button type="button" class="app-button app-button-ghost" aria-label=label
                                    on:click=move |_| selected.set(Some(id))>"Open"</button>
                            </td>
                        </tr>
                    }
                    .into_any()
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn SubmissionPanel(id: Uuid, version: RwSignal<u32>) -> impl IntoView {
    let detail = wire_resource(move || (id, version.get()), |(id, _)| get_submission(id));
    let mark = Action::new(move |processed: &bool| {
        let processed = *processed;
        async move {
            let result = mark_submission(id, processed).await;
            if result.is_ok() {
                version.update(|v| *v += 1);
            }
            result
        }
    });
    let error = move || {
        mark.value()
            .get()
            .and_then(|r| r.err())
            .map(|e| e.to_string())
    };
    view! {
        <section class="app-card forms-detail" aria-label="Submission">
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(d) => detail_view(d, mark).into_any(),
                        Err(e) => view! { <p role="alert" class="app-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            {move || error().map(|e| view! { <p role="alert" class="app-error">{e}</p> })}
        </section>
    }
}

fn detail_view(
    d: SubmissionDetail,
    mark: Action<bool, Result<SubmissionDetail, crate::error::AppError>>,
) -> impl IntoView {
    let s = d.summary;
    let processed = s.processed;
    let state = match d.processed_at {
        Some(at) if processed => format!("Processed on {}", at.format("%Y-%m-%d %H:%M UTC")),
        _ => "New".to_string(),
    };
    view! {
        <h2>{format!("Submission from {}", when(&s))}</h2>
        <p class="app-muted">{format!("{} · {}", s.website_name, form_title(&s))}</p>
        <p class="forms-state">{state}</p>
        <dl class="forms-fields">
            {d.fields.into_iter().map(|f| view! {
                <dt>{if f.label.is_empty() { f.name } else { f.label }}</dt>
                <dd>{if f.value.is_empty() { "—".to_string() } else { f.value }}</dd>
            }).collect_view()}
        </dl>
        <button type="button" class="app-button" disabled=move || mark.pending().get()
            on:click=move |_| { mark.dispatch(!processed); }>
            {if processed { "Mark as new" } else { "Mark processed" }}
        </button>
    }
}

/// "Email the owner about new submissions" for one website (on by default).
#[component]
fn NoticeSwitch(website_id: Uuid, name: String) -> impl IntoView {
    let on = RwSignal::new(None::<bool>);
    let error = RwSignal::new(None::<String>);
    // Loaded in the browser only (effects do not run on the server, where there is no local
    // task set to spawn on); the box stays disabled until the answer is in.
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            if let Ok(v) = crate::api::forms::form_notices(website_id).await {
                on.try_set(Some(v));
            }
        });
    });
    let toggle = move |ev: leptos::ev::Event| {
        let want = event_target_checked(&ev);
        leptos::task::spawn_local(async move {
            match crate::api::forms::set_form_notices(website_id, want).await {
                Ok(v) => {
                    on.try_set(Some(v));
                    error.try_set(None);
                }
                Err(e) => {
                    error.try_set(Some(e.to_string()));
                }
            }
        });
    };
    view! {
        <label class="app-check">
            <input type="checkbox" disabled=move || on.get().is_none()
                prop:checked=move || on.get().unwrap_or(false) on:change=toggle/>
            {format!("Email the owner about new submissions to {name}")}
        </label>
        {move || error.get().map(|e| view! { <span role="alert" class="app-error">{e}</span> })}
    }
}
