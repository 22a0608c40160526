//! The builder's "Deployments" side panel: the website's deployments, newest first, each with
//! a members-only preview and, for roles that may publish, "Roll back to this" (after a
//! confirmation) on the ones that are not live.

use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use super::versions::saved_at_text;
use crate::api::deployments::{list_deployments, rollback_deployment};
use crate::error::AppError;
use crate::model::{DeploymentSummary, Published, Role, RolledBack};

/// Lists and rolls back deployments of one website. `publishes` is the editor's publish result,
/// so the list refetches after each publish.
#[component]
pub fn DeploymentsPanel(
    website_id: Uuid,
    role: Role,
    #[prop(into)] publishes: Signal<Option<Result<Published, String>>>,
) -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let deployments = LocalResource::new(move || {
        publishes.track();
        refresh.track();
        list_deployments(website_id)
    });
    let outcome = RwSignal::new(None::<Result<RolledBack, AppError>>);
    let on_rolled_back = Callback::new(move |r: Result<RolledBack, AppError>| {
        if r.is_ok() {
            refresh.update(|n| *n += 1);
        }
        outcome.set(Some(r));
    });
    let can_roll_back = role.can_publish();
    view! {
        <section class="deployments-panel" aria-labelledby="deployments-heading">
            <h2 id="deployments-heading">"Deployments"</h2>
            <div class="deployments-status" aria-live="polite">
                {move || outcome.get().and_then(|r| r.ok()).map(|r| view! {
                    <p class="publish-ok">
                        "Rolled back. Visitors now see the earlier deployment. "
                        <a href=r.site_path target="_blank" rel="noopener">"View live site"</a>
                    </p>
                })}
            </div>
            {move || outcome.get().and_then(|r| r.err()).map(|e| view! {
                <p role="alert" class="app-error">{format!("Not rolled back: {e}")}</p>
            })}
            <Transition fallback=|| view! { <p class="app-muted">"Loading deployments…"</p> }>
                {move || Suspend::new(async move {
                    match deployments.await {
                        Ok(list) => view! {
                            <DeploymentList list=list website_id=website_id can_roll_back=can_roll_back on_done=on_rolled_back/>
                        }.into_any(),
                        Err(e) => view! { <p role="alert" class="app-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

#[component]
fn DeploymentList(
    list: Vec<DeploymentSummary>,
    website_id: Uuid,
    can_roll_back: bool,
    on_done: Callback<Result<RolledBack, AppError>>,
) -> impl IntoView {
    if list.is_empty() {
        return view! {
            <p class="app-muted">"Not published yet. Each publish adds a deployment here that you can preview or roll back to."</p>
        }
        .into_any();
    }
    // One confirmation at a time, across the list.
    let confirming = RwSignal::new(None::<Uuid>);
    view! {
        <ul class="deployments-list" aria-label="Deployments">
            {list.into_iter().map(|d| view! {
                <DeploymentItem d=d website_id=website_id can_roll_back=can_roll_back confirming=confirming on_done=on_done/>
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn DeploymentItem(
    d: DeploymentSummary,
    website_id: Uuid,
    can_roll_back: bool,
    confirming: RwSignal<Option<Uuid>>,
    on_done: Callback<Result<RolledBack, AppError>>,
) -> impl IntoView {
    let id = d.id;
    let when = saved_at_text(d.deployed_at);
    let who = d.deployed_by.unwrap_or_else(|| "A former member".into());
    let pages = if d.pages == 1 {
        "1 page".to_string()
    } else {
        format!("{} pages", d.pages)
    };
    let busy = RwSignal::new(false);
    let roll_back = move |_| {
        busy.set(true);
        spawn_local(async move {
            let result = rollback_deployment(website_id, id).await;
            busy.try_set(false);
            confirming.try_set(None);
            on_done.run(result);
        });
    };
    let confirm_text =
        format!("Make the deployment from {when} live again? Visitors will see it at once.");
    view! {
        <li class="deployment-item" aria-label=format!("Deployment from {when}") class:deployment-live-item=d.is_live>
            <p class="deployment-head">
                {d.is_live.then(|| view! { <span class="deployment-live">"Live"</span> })}
                <time datetime=d.deployed_at.to_rfc3339()>{when.clone()}</time>
            </p>
            <p class="deployment-meta">{format!("By {who} · {pages}")}</p>
            {d.notes.map(|n| view! { <p class="deployment-notes">{n}</p> })}
            <div class="deployment-actions">
                <a class="app-button app-button-ghost" href=format!("/preview/deployments/{id}/") target="_blank" rel="noopener">
                    "Preview"
                </a>
                {(can_roll_back && !d.is_live).then(|| view! {
                    <button type="button" class="app-button app-button-ghost"
                        on:click=move |_| confirming.set(Some(id))>"Roll back to this"</button>
                })}
            </div>
            {move || (confirming.get() == Some(id)).then(|| view! {
                <div class="deployment-confirm">
                    <p>{confirm_text.clone()}</p>
                    <button type="button" class="app-button" disabled=move || busy.get() on:click=roll_back>"Yes, roll back"</button>
                    <button type="button" class="app-button app-button-ghost" on:click=move |_| confirming.set(None)>"Cancel"</button>
                </div>
            })}
        </li>
    }
    .into_any()
}
