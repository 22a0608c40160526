//! `/websites/{id}/categories`: the shop's category tree (issue 22), reached from the Products
//! page. Every member sees it; owners, admins and editors add, rename, move (to another
//! parent, or up and down among siblings) and delete categories. The server checks the role,
//! the plan, the tree (no cycles, five levels at most) and every field again.

use leptos::prelude::*;
use uuid::Uuid;

use crate::api::categories::{delete_category, load_categories, move_category, save_category};
use crate::error::AppError;
use crate::model::{CategoriesOverview, Category, CategoryInput};

#[component]
pub fn CategoriesPage() -> impl IntoView {
    super::website_page(
        "Categories",
        "categories-page",
        "Loading the categories…",
        load_categories,
        |data| view! { <CategoriesView data/> },
    )
}

type Pending = std::pin::Pin<Box<dyn std::future::Future<Output = Result<String, AppError>>>>;

#[component]
fn CategoriesView(data: CategoriesOverview) -> impl IntoView {
    let website = data.website_id;
    let current = RwSignal::new(data);
    let error = RwSignal::new(None::<AppError>);
    let notice = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // The category in the form: `None` adds one.
    let editing = RwSignal::new(None::<Category>);
    // Runs a change, then reads the tree again.
    let run = move |call: Pending| {
        error.set(None);
        notice.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            match call.await {
                Ok(what) => {
                    if let Ok(o) = load_categories(website).await {
                        current.try_set(o);
                    }
                    editing.try_set(None);
                    notice.try_set(Some(what));
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
            busy.try_set(false);
        });
    };
    let header = view! {
        <p>
            "Website: " <strong>{move || current.with(|o| o.website_name.clone())}</strong>
            " · " <a href=format!("/websites/{website}/products")>"Products"</a>
        </p>
        {move || (!current.with(|o| o.can_edit)).then(|| view! {
            <p class="app-muted">"Only the owner, admins and editors can change the categories, on a plan that sells."</p>
        })}
        {move || notice.get().map(|n| view! { <p role="status" class="app-notice">{n}</p> })}
        {move || error.get().map(|e| view! { <p role="alert" class="app-error">{e.to_string()}</p> })}
    }
    .into_any();
    let form = move || {
        if !current.with(|o| o.can_edit) {
            return ().into_any();
        }
        let tree = current.with(|o| o.categories.clone());
        let c = editing.get();
        let submit = Callback::new(move |(id, input): (Option<Uuid>, CategoryInput)| {
            let name = input.name.trim().to_string();
            run(Box::pin(async move {
                save_category(website, id, input).await?;
                Ok(format!("Saved “{name}”."))
            }));
        });
        let cancel = Callback::new(move |()| editing.set(None));
        view! { <CategoryForm tree editing=c busy submit cancel/> }.into_any()
    };
    let list = move || {
        let o = current.get();
        if o.categories.is_empty() {
            return view! { <p>"No categories yet. Products can be in several categories; visitors browse each at /categories/its-address."</p> }.into_any();
        }
        let rows = o
            .categories
            .into_iter()
            .map(|c| {
                let (id, name) = (c.id, c.name.clone());
                let open = {
                    let c = c.clone();
                    move |_| {
                        notice.set(None);
                        editing.set(Some(c.clone()));
                    }
                };
                let shift = move |up: bool| {
                    let name = name.clone();
                    run(Box::pin(async move {
                        let moved = move_category(id, up).await?;
                        Ok(if moved {
                            format!("Moved “{name}” {}.", if up { "up" } else { "down" })
                        } else {
                            format!("“{name}” is already {}.", if up { "first" } else { "last" })
                        })
                    }));
                };
                let name = c.name.clone();
                let remove = move |_| {
                    let name = name.clone();
                    run(Box::pin(async move {
                        delete_category(id).await?;
                        Ok(format!("Deleted “{name}”."))
                    }));
                };
                view! { <CategoryRow c editable=o.can_edit busy open shift remove/> }.into_any()
            })
            .collect_view();
        view! {
            <table class="team-table" aria-label="Categories">
                <thead>
                    <tr><th>"Name"</th><th>"Address"</th><th>"Products"</th><th></th></tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    view! {
        {header}
        {form}
        <section class="app-card" aria-labelledby="categories-heading">
            <h2 id="categories-heading">"Category tree"</h2>
            {list}
        </section>
    }
}

#[component]
fn CategoryRow(
    c: Category,
    editable: bool,
    busy: RwSignal<bool>,
    open: impl Fn(leptos::ev::MouseEvent) + 'static,
    shift: impl Fn(bool) + Clone + 'static,
    remove: impl Fn(leptos::ev::MouseEvent) + 'static,
) -> impl IntoView {
    let up = shift.clone();
    let buttons = editable.then(|| {
        view! {
            <button type="button" class="app-button app-button-ghost"
                aria-label=format!("Edit {}", c.name) disabled=move || busy.get() on:click=open>"Edit"</button>
            <button type="button" class="app-button app-button-ghost"
                aria-label=format!("Move {} up", c.name) disabled=move || busy.get()
                on:click=move |_| up(true)>"Up"</button>
            <button type="button" class="app-button app-button-ghost"
                aria-label=format!("Move {} down", c.name) disabled=move || busy.get()
                on:click=move |_| shift(false)>"Down"</button>
            <button type="button" class="app-button app-button-ghost"
                aria-label=format!("Delete {}", c.name) disabled=move || busy.get() on:click=remove>"Delete"</button>
        }
    });
    view! {
        <tr>
            <td style=format!("padding-left: {}rem", 0.5 + c.depth as f32 * 1.5)>{c.name.clone()}</td>
            <td><code>{format!("/categories/{}", c.slug)}</code></td>
            <td>{c.products}</td>
            <td>{buttons}</td>
        </tr>
    }
}

#[component]
fn CategoryForm(
    tree: Vec<Category>,
    editing: Option<Category>,
    busy: RwSignal<bool>,
    submit: Callback<(Option<Uuid>, CategoryInput)>,
    cancel: Callback<()>,
) -> impl IntoView {
    let id = editing.as_ref().map(|c| c.id);
    let name = RwSignal::new(editing.as_ref().map(|c| c.name.clone()).unwrap_or_default());
    let slug = RwSignal::new(editing.as_ref().map(|c| c.slug.clone()).unwrap_or_default());
    let description = RwSignal::new(
        editing
            .as_ref()
            .map(|c| c.description.clone())
            .unwrap_or_default(),
    );
    let parent = RwSignal::new(editing.as_ref().and_then(|c| c.parent_id));
    // A category cannot go under itself or its own branch: those are not offered.
    let below = id
        .map(|id| crate::model::subtree(&tree, id))
        .unwrap_or_default();
    let parents: Vec<(Uuid, String)> = tree
        .iter()
        .filter(|c| !below.contains(&c.id))
        .map(|c| (c.id, c.indented_name()))
        .collect();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submit.run((
            id,
            CategoryInput {
                name: name.get_untracked(),
                slug: slug.get_untracked(),
                description: description.get_untracked(),
                parent_id: parent.get_untracked(),
            },
        ));
    };
    let heading = if id.is_some() {
        "Edit category"
    } else {
        "New category"
    };
    view! {
        <section class="app-card" aria-labelledby="category-form-heading">
            <h2 id="category-form-heading">{heading}</h2>
            <form on:submit=on_submit novalidate>
                <div class="app-field">
                    <label for="category-name">"Name"</label>
                    <input id="category-name" type="text" maxlength="120"
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                </div>
                <div class="app-field">
                    <label for="category-slug">"Address"</label>
                    <input id="category-slug" type="text" maxlength="100" placeholder="made from the name"
                        prop:value=move || slug.get() on:input=move |ev| slug.set(event_target_value(&ev))/>
                </div>
                <div class="app-field">
                    <label for="category-parent">"Inside"</label>
                    <select id="category-parent" on:change=move |ev| {
                        parent.set(event_target_value(&ev).parse::<Uuid>().ok())
                    }>
                        <option value="" selected=move || parent.get().is_none()>"(top level)"</option>
                        {parents.into_iter().map(|(pid, label)| view! {
                            <option value=pid.to_string() selected=move || parent.get() == Some(pid)>{label}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="app-field">
                    <label for="category-description">"Description"</label>
                    <textarea id="category-description" rows="3"
                        prop:value=move || description.get()
                        on:input=move |ev| description.set(event_target_value(&ev))></textarea>
                </div>
                <p class="app-actions">
                    <button type="submit" class="app-button" disabled=move || busy.get()>
                        {if id.is_some() { "Save category" } else { "Add category" }}
                    </button>
                    {id.map(|_| view! {
                        <button type="button" class="app-button app-button-ghost"
                            on:click=move |_| cancel.run(())>"Cancel"</button>
                    })}
                </p>
            </form>
        </section>
    }
}
