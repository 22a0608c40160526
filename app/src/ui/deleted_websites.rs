//! "Deleted websites" on the dashboard: websites deleted in the last 30 days, each with
//! "Restore" (owners and admins; issue 23 part 1).

use leptos::prelude::*;

use crate::api::website_settings::{deleted_websites, undelete_website};
use crate::api::wire::wire_resource;
use crate::error::AppError;

#[component]
pub fn DeletedWebsites() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let list = wire_resource(move || version.get(), |_| deleted_websites());
    let error = RwSignal::new(None::<AppError>);
    let restore = move |id: uuid::Uuid| {
        error.set(None);
        leptos::task::spawn_local(async move {
            match undelete_website(id).await {
                Ok(()) => {
                    // The dashboard's list of websites is the page's: load it again.
                    #[cfg(feature = "hydrate")]
                    if let Some(w) = web_sys::window() {
                        let _ = w.location().reload();
                    }
                    version.try_update(|v| *v += 1);
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                // Members who may not delete get Forbidden: they see nothing here.
                let Ok(sites) = list.await else { return ().into_any() };
                if sites.is_empty() {
                    return ().into_any();
                }
                view! {
                    <section class="app-card" aria-labelledby="deleted-heading">
                        <h2 id="deleted-heading">"Deleted websites"</h2>
                        <p class="app-muted">"Deleted websites are purged for good 30 days after deletion. Until then you can restore them, within your plan's websites."</p>
                        <ul>
                            {sites.into_iter().map(|s| {
                                let id = s.id;
                                let label = format!("Restore {}", s.name);
                                view! {
                                    <li>
                                        <strong>{s.name.clone()}</strong>
                                        {format!(" · deleted {} · purged after {}", s.deleted_at.format("%Y-%m-%d"), s.purge_at.format("%Y-%m-%d"))}
                                        " "
                                        <button type="button" class="app-button app-button-ghost" aria-label=label on:click=move |_| restore(id)>"Restore"</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        <p role="alert" class="app-error">{move || error.get().map(|e| e.to_string())}</p>
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}
