//! The builder's Pages panel: the website's pages (each links to its builder), a form to add
//! one, and the settings of the selected page. Viewers get the list only.
//!
//! Every change returns the website's pages afresh and replaces the list, because one change
//! can touch several pages (a new home page renames the old one; moves renumber).

mod fields;
mod settings;

use std::future::Future;

use leptos::prelude::*;
use uuid::Uuid;

use crate::api::pages::{create_page, list_pages};
use crate::api::wire::wire_resource;
use crate::error::AppError;
use crate::model::{PageSlug, PageStatus, PagesOverview, Role};
use fields::{FormAlert, TextField};

/// Copyable handle to the panel's state, owned by [`PagesManager`].
#[derive(Clone, Copy)]
pub struct PagesState {
    pub website_id: Uuid,
    /// The page open in the builder.
    pub current: Uuid,
    pub overview: RwSignal<PagesOverview>,
    pub selected: RwSignal<Uuid>,
    pub busy: RwSignal<bool>,
    /// The last success, announced politely.
    pub notice: RwSignal<Option<String>>,
    pub reload: Callback<()>,
}

impl PagesState {
    /// Runs one change. On success the fresh list replaces the old one and `after` (which may
    /// only touch the panel's state, since the form that started the change is rebuilt) says
    /// what happened; on failure `error` gets the reason.
    pub fn run(
        self,
        error: RwSignal<Option<AppError>>,
        change: impl Future<Output = Result<PagesOverview, AppError>> + 'static,
        after: impl FnOnce(PagesState, &PagesOverview) -> String + 'static,
    ) {
        self.busy.set(true);
        self.notice.set(None);
        error.set(None);
        leptos::task::spawn_local(async move {
            let result = change.await;
            // The panel may have been closed meanwhile: `try_set` ignores disposed signals.
            self.busy.try_set(false);
            match result {
                Ok(o) => {
                    let note = after(self, &o);
                    self.overview.try_set(o);
                    self.notice.try_set(Some(note));
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    }
}

#[component]
pub fn PagesPanel(website_id: Uuid, page_id: Uuid, role: Role) -> impl IntoView {
    let loaded = wire_resource(|| (), move |_| list_pages(website_id));
    view! {
        <section class="pages-panel" aria-label="Pages">
            <h2>"Pages"</h2>
            <Suspense fallback=|| view! { <p class="app-muted">"Loading pages…"</p> }>
                {move || Suspend::new(async move {
                    match loaded.await {
                        Ok(o) => view! {
                            <PagesManager overview=o current=page_id role=role
                                reload=Callback::new(move |()| loaded.refetch())/>
                        }.into_any(),
                        Err(e) => view! { <p role="alert" class="app-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn PagesManager(
    overview: PagesOverview,
    current: Uuid,
    role: Role,
    reload: Callback<()>,
) -> impl IntoView {
    let state = PagesState {
        website_id: overview.website_id,
        current,
        overview: RwSignal::new(overview),
        selected: RwSignal::new(current),
        busy: RwSignal::new(false),
        notice: RwSignal::new(None),
        reload,
    };
    let can_edit = role.can_edit_content();
    // Only a change to the selected page itself rebuilds its settings form.
    let selected_page = Memo::new(move |_| {
        let id = state.selected.get();
        state
            .overview
            .with(|o| o.pages.iter().find(|p| p.id == id).cloned())
    });
    let usage = move || {
        state.overview.with(|o| {
            format!(
                "{} of {} pages on the {} plan",
                o.pages.len(),
                o.max_pages,
                o.plan_name
            )
        })
    };
    view! {
        <p class="app-muted pages-usage">{usage}</p>
        <PageList state=state can_edit=can_edit/>
        <p class="pages-notice" aria-live="polite">{move || state.notice.get()}</p>
        {if can_edit {
            view! {
                <AddPageForm state=state/>
                <AiPageForm state=state/>
                {move || selected_page.get().map(|p| view! { <settings::PageSettings state=state page=p/> })}
            }
            .into_any()
        } else {
            view! { <p class="app-muted">"Your role can see the pages but not change them."</p> }.into_any()
        }}
    }
    .into_any()
}

fn status_badge(status: PageStatus) -> &'static str {
    match status {
        PageStatus::Draft => "Draft",
        PageStatus::Published => "Published",
        PageStatus::Hidden => "Hidden",
    }
}

#[component]
fn PageList(state: PagesState, can_edit: bool) -> impl IntoView {
    view! {
        <ul class="pages-list" aria-label="Pages of this website">
            {move || state.overview.get().pages.into_iter().map(|p| {
                let id = p.id;
                let is_current = id == state.current;
                let settings_label = format!("Settings for {}", p.title);
                view! {
                    <li class="pages-item" class:selected=move || can_edit && state.selected.get() == id>
                        <a href=format!("/builder/{id}") aria-current=is_current.then_some("page")>{p.title.clone()}</a>
                        <span class="pages-meta">
                            <code>{p.slug.clone()}</code>
                            {p.is_home.then(|| view! { <span class="pages-badge">"Home"</span> })}
                            <span class="pages-badge">{status_badge(p.status)}</span>
                            {(!p.show_in_nav).then(|| view! { <span class="pages-badge">"Not in navigation"</span> })}
                            {p.password_protected.then(|| view! { <span class="pages-badge">"Password"</span> })}
                            {is_current.then(|| view! { <span class="pages-badge pages-badge-current">"Editing"</span> })}
                        </span>
                        {can_edit.then(|| view! {
                            <button type="button" class="pages-select" aria-label=settings_label
                                aria-pressed=move || (state.selected.get() == id).to_string()
                                on:click=move |_| state.selected.set(id)>"Settings"</button>
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// "New page from a prompt" (`generate_page`): the assistant writes a new draft page (title
/// and blocks) from the editor's description; it is then selected like an added page. Without
/// a provider, or out of credits, the server's message is shown as is.
#[component]
fn AiPageForm(state: PagesState) -> impl IntoView {
    let prompt = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (website_id, text) = (state.website_id, prompt.get_untracked());
        busy.set(true);
        state.notice.set(None);
        error.set(None);
        leptos::task::spawn_local(async move {
            let result = crate::api::ai::generate_page(website_id, text).await;
            busy.try_set(false);
            match result {
                Ok(created) => {
                    show_added(
                        state,
                        created,
                        "written by the assistant and added as a draft",
                    );
                    prompt.try_set(String::new());
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <form class="pages-add" aria-label="New page from a prompt" on:submit=submit>
            <h3>"New page from a prompt"</h3>
            <label for="ai-page-prompt">"Describe the page"</label>
            <textarea id="ai-page-prompt" rows="3" aria-describedby="ai-page-prompt-hint"
                prop:value=move || prompt.get() on:input=move |ev| prompt.set(event_target_value(&ev))></textarea>
            <p class="app-muted" id="ai-page-prompt-hint">{format!("For example: opening hours and how to find us. Costs {} AI credits.", crate::model::AiAction::GeneratePage.credits())}</p>
            <super::ai_assist::AiError error=error/>
            <button type="submit" class="app-button" disabled=move || busy.get()>
                {move || if busy.get() { "Writing the page…" } else { "Write page with AI" }}
            </button>
        </form>
    }
    .into_any()
}

/// Shows a page just added: the new list, the page selected, and "Page “…” {how}.".
fn show_added(state: PagesState, created: crate::model::PageCreated, how: &str) {
    let name = created
        .overview
        .pages
        .iter()
        .find(|p| p.id == created.id)
        .map(|p| p.title.clone())
        .unwrap_or_default();
    state.overview.try_set(created.overview);
    state.selected.try_set(created.id);
    state.notice.try_set(Some(format!("Page “{name}” {how}.")));
}

#[component]
fn AddPageForm(state: PagesState) -> impl IntoView {
    let title = RwSignal::new(String::new());
    let slug = RwSignal::new(String::new());
    // Until the slug is edited by hand it follows the title.
    let slug_edited = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    Effect::new(move |_| {
        let t = title.get();
        if !slug_edited.get_untracked() {
            slug.set(if t.trim().is_empty() {
                String::new()
            } else {
                PageSlug::suggest(&t)
            });
        }
    });
    let on_slug_input = move |_: leptos::ev::Event| slug_edited.set(true);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (t, s) = (title.get_untracked(), slug.get_untracked());
        let (website_id, busy) = (state.website_id, state.busy);
        busy.set(true);
        state.notice.set(None);
        error.set(None);
        leptos::task::spawn_local(async move {
            let result = create_page(website_id, t, s).await;
            busy.try_set(false);
            match result {
                Ok(created) => {
                    show_added(state, created, "added as a draft");
                    title.try_set(String::new());
                    slug_edited.try_set(false);
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <form class="pages-add" aria-label="Add a page" on:submit=submit>
            <h3>"Add a page"</h3>
            <TextField id="new-page-title" label="New page title" value=title error=error field="title"/>
            <div on:input=on_slug_input>
                <TextField id="new-page-slug" label="New page slug" value=slug error=error field="slug"
                    placeholder="/about" hint="The page's address, like /about."/>
            </div>
            <FormAlert state=state error=error fields=&["title", "slug"]/>
            <button type="submit" class="app-button" disabled=move || state.busy.get()>"Add page"</button>
        </form>
    }
    .into_any()
}
