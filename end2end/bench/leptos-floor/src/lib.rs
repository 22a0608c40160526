//! A minimal hydrated Leptos app: the floor under any Leptos builder route (see Cargo.toml).

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::hooks::use_params_map;
use leptos_router::path;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: Uuid,
    pub title: String,
    pub tags: Vec<String>,
}

#[server]
pub async fn load_items(page: String) -> Result<Vec<Item>, ServerFnError> {
    let _ = page;
    Ok(Vec::new())
}

#[server]
pub async fn save_item(item: Item) -> Result<u64, ServerFnError> {
    let _ = item;
    Ok(0)
}

#[component]
fn App() -> impl IntoView {
    view! {
        <Router>
            <nav><A href="/">"Home"</A></nav>
            <Routes fallback=|| "Not found">
                <Route path=path!("/") view=|| view! { <h1>"Home"</h1> }/>
                <Route path=path!("/edit/:page") view=Editor/>
            </Routes>
        </Router>
    }
}

#[component]
fn Editor() -> impl IntoView {
    let params = (!cfg!(feature = "no-router")).then(use_params_map);
    let page = move || params.and_then(|p| p.read().get("page")).unwrap_or_default();
    let items = Resource::new(page, load_items);
    let save = ServerAction::<SaveItem>::new();
    view! {
        <Suspense fallback=|| "Loading…">
            {move || Suspend::new(async move {
                let list = RwSignal::new(items.await.unwrap_or_default());
                let selected = RwSignal::new(None::<Uuid>);
                let count = Memo::new(move |_| list.with(Vec::len));
                view! {
                    <p>{move || format!("{} items", count.get())}</p>
                    <button on:click=move |_| list.update(|l| l.push(Item { id: Uuid::new_v4(), title: "New".into(), tags: vec![] }))>"Add"</button>
                    <ul>
                        <For each=move || list.get() key=|i| i.id let(item)>
                            <li class:selected=move || selected.get() == Some(item.id) on:click=move |_| selected.set(Some(item.id))>
                                <input prop:value=item.title.clone() on:input=move |ev| {
                                    let title = event_target_value(&ev);
                                    save.dispatch(SaveItem { item: Item { id: item.id, title, tags: item.tags.clone() } });
                                }/>
                            </li>
                        </For>
                    </ul>
                    <p role="status">{move || save.value().get().map(|r| format!("{r:?}"))}</p>
                }
            })}
        </Suspense>
    }
}

#[component]
fn Counter() -> impl IntoView {
    let count = RwSignal::new(0);
    view! { <button on:click=move |_| count.update(|n| *n += 1)>{move || count.get()}</button> }
}

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    if cfg!(feature = "counter") {
        leptos::mount::hydrate_body(Counter);
    } else if cfg!(feature = "no-router") {
        leptos::mount::hydrate_body(Editor);
    } else {
        leptos::mount::hydrate_body(App);
    }
}
