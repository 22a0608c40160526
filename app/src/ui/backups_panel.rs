//! Each website's backups on the dashboard: take one now, list the stored ones (daily, manual,
//! before a restore), download or restore one. Restoring asks for confirmation; the server
//! records a `pre_restore` version of every page and a backup of the current site first.

use leptos::prelude::*;
use uuid::Uuid;

use super::LoadError;
use crate::api::backup::{list_backups, CreateBackup, RestoreBackup};
use crate::api::wire::wire_resource;
use crate::model::BackupSummary;

#[component]
pub fn BackupsPanel(website_id: Uuid, site_name: String) -> impl IntoView {
    let take = ServerAction::<CreateBackup>::new();
    let restore = ServerAction::<RestoreBackup>::new();
    let list = wire_resource(
        move || (take.version().get(), restore.version().get()),
        move |_| list_backups(website_id),
    );
    let confirming = RwSignal::new(None::<Uuid>);
    let status = move || {
        let restored = restore.value().get().map(|r| {
            r.map(|_| "Backup restored into the draft. Publish to make it live.".to_string())
        });
        let taken = take
            .value()
            .get()
            .map(|r| r.map(|_| "Backup taken.".to_string()));
        // The most recent of the two actions speaks.
        restored.or(taken)
    };
    let row = move |b: BackupSummary| {
        let id = b.id;
        let when = b.created_at.format("%Y-%m-%d %H:%M UTC").to_string();
        let label = format!("{} · {when} · {} page(s)", b.kind_label(), b.pages);
        let restore_label = format!("Restore the backup of {when}");
        let download_label = format!("Download the backup of {when}");
        view! {
            <li>
                <span>{label}</span>
                " "
                <a href=format!("/backups/{id}/download") rel="external" download="" aria-label=download_label>"Download"</a>
                " "
                <button type="button" class="app-button app-button-ghost" aria-label=restore_label
                    on:click=move |_| confirming.set(Some(id))>"Restore"</button>
                {move || (confirming.get() == Some(id)).then(|| view! {
                    <div role="group" aria-label="Confirm restore">
                        <p>"Replace this website's draft with this backup? The current draft is kept as a backup first."</p>
                        <button type="button" class="app-button" disabled=move || restore.pending().get()
                            on:click=move |_| {
                                confirming.set(None);
                                restore.dispatch(RestoreBackup { backup_id: id });
                            }>"Yes, restore"</button>
                        <button type="button" class="app-button app-button-ghost"
                            on:click=move |_| confirming.set(None)>"Cancel"</button>
                    </div>
                })}
            </li>
        }
    };
    view! {
        <section class="app-backups" aria-label=format!("Backups of {site_name}")>
            <h3>"Backups"</h3>
            <p class="app-muted">"A backup is taken every day and kept as long as your plan allows."</p>
            <button type="button" class="app-button app-button-ghost" disabled=move || take.pending().get()
                on:click=move |_| { take.dispatch(CreateBackup { website_id }); }>"Back up now"</button>
            {move || status().map(|s| match s {
                Ok(msg) => view! { <p role="status">{msg}</p> }.into_any(),
                Err(e) => view! { <p role="alert" class="app-error">{e.to_string()}</p> }.into_any(),
            })}
            <Suspense fallback=|| view! { <p>"Loading backups…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(items) if items.is_empty() => view! { <p class="app-muted">"No backups yet."</p> }.into_any(),
                        Ok(items) => view! {
                            <ul class="app-list" aria-label="Stored backups">
                                {items.into_iter().map(row).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <LoadError error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
