//! `/websites/{id}/products`: a website's shop catalogue (issue 22). Every member sees the
//! list (search and a status filter); owners, admins and editors add and edit products with
//! their variants (options, SKU, price, compare-at price, stock, stock tracking). A plan
//! without commerce shows the upgrade message instead of the form. The server checks the role,
//! the plan and every field.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use super::new_website::LimitAlert;
use super::team::AppNav;
use super::LoadError;
use crate::api::commerce::{
    create_product, delete_product, import_products, load_product, load_products,
    set_products_status, update_product,
};
use crate::api::wire::wire_resource;
use crate::error::AppError;
use crate::model::{
    Category, ProductDetail, ProductInput, ProductQuery, ProductStatus, ProductSummary,
    ProductsOverview, VariantInput, CURRENCIES, PRODUCT_OPTIONS_MAX,
};

#[component]
pub fn ProductsPage() -> impl IntoView {
    let params = use_params_map();
    let website = move || {
        params
            .read()
            .get("website_id")
            .and_then(|s| s.parse::<Uuid>().ok())
    };
    let query = RwSignal::new(ProductQuery::default());
    let reload = RwSignal::new(0u32);
    // Outlives the list's reload, so "Saved …" stays after the list is fetched again.
    let notice = RwSignal::new(None::<String>);
    let data = wire_resource(
        move || (website(), query.get(), reload.get()),
        |(id, q, _)| async move {
            match id {
                Some(id) => load_products(id, q).await,
                None => Err(AppError::NotFound("Website".into())),
            }
        },
    );
    view! {
        <AppNav/>
        <main class="app-page products-page">
            <h1>"Products"</h1>
            <SearchForm query/>
            <Transition fallback=|| view! { <p>"Loading the products…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(o) => view! { <ProductsView data=o query reload notice/> }.into_any(),
                        Err(e) => view! { <LoadError error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

/// Search words and the status filter; applied on submit (and at once for the status).
#[component]
fn SearchForm(query: RwSignal<ProductQuery>) -> impl IntoView {
    let words = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        query.update(|q| q.search = words.get_untracked());
    };
    view! {
        <form class="app-card products-filter" role="search" on:submit=submit>
            <div class="app-field">
                <label for="product-search">"Search products"</label>
                <input id="product-search" type="search" placeholder="Title, address or SKU"
                    prop:value=move || words.get() on:input=move |ev| words.set(event_target_value(&ev))/>
            </div>
            <div class="app-field">
                <label for="product-status-filter">"Status"</label>
                <select id="product-status-filter"
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        query.update(|q| q.status = ProductStatus::parse(&v));
                    }>
                    <option value="">"All"</option>
                    {ProductStatus::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str()>{s.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class="app-button app-button-ghost">"Search"</button>
        </form>
    }
}

/// What the form edits: nothing, a new product, or a saved one.
#[derive(Clone)]
enum Editing {
    None,
    New,
    Existing(Box<ProductDetail>),
}

#[component]
fn ProductsView(
    data: ProductsOverview,
    query: RwSignal<ProductQuery>,
    reload: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let website = data.website_id;
    let editing = RwSignal::new(Editing::None);
    let error = RwSignal::new(None::<AppError>);
    let selected = RwSignal::new(Vec::<Uuid>::new());
    let can_edit = data.can_edit && data.plan_refusal.is_none();
    let open = move |id: Uuid| {
        error.set(None);
        notice.set(None);
        leptos::task::spawn_local(async move {
            match load_product(id).await {
                Ok(p) => {
                    editing.try_set(Editing::Existing(Box::new(p)));
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    let saved = Callback::new(move |msg: String| {
        editing.set(Editing::None);
        notice.set(Some(msg));
        reload.update(|n| *n += 1);
    });
    let cancel = Callback::new(move |()| editing.set(Editing::None));
    let bulk = move |status: ProductStatus| {
        let ids = selected.get_untracked();
        error.set(None);
        notice.set(None);
        leptos::task::spawn_local(async move {
            match set_products_status(website, ids, status).await {
                Ok(n) => {
                    notice.try_set(Some(format!(
                        "{n} product(s) set to {}.",
                        status.label().to_lowercase()
                    )));
                    selected.try_set(Vec::new());
                    reload.try_update(|n| *n += 1);
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    let plan = data.plan_refusal.clone().map(|e| {
        view! {
            <LimitAlert error=e/>
        }
    });
    let usage = (data.plan_refusal.is_none()).then(|| {
        view! {
            <p class="app-muted">{format!("{} of {} products on your plan.", data.products_used, data.products_max)}</p>
        }
    });
    let read_only = (!data.can_edit).then(|| {
        view! { <p class="app-muted">"Only the owner, admins and editors can change the products."</p> }
    });
    let products = data.products.clone();
    let categories = data.categories.clone();
    let filter_categories = data.categories.clone();
    let empty = products.is_empty();
    view! {
        <p>
            "Website: " <strong>{data.website_name.clone()}</strong>
            " · " <a href=format!("/websites/{website}/categories")>"Categories"</a>
            " · " <a href=format!("/websites/{website}/promotions")>"Discount codes"</a>
            " · " <a href=format!("/websites/{website}/orders")>"Orders"</a>
        </p>
        {plan}
        {usage}
        {read_only}
        {move || notice.get().map(|n| view! { <p role="status" class="app-notice">{n}</p> })}
        {move || error.get().map(|e| match e {
            e @ AppError::LimitReached { .. } => view! { <LimitAlert error=e/> }.into_any(),
            e => view! { <p role="alert" class="app-error">{e.to_string()}</p> }.into_any(),
        })}
        {can_edit.then(|| view! {
            <p class="app-actions">
                <button type="button" class="app-button"
                    on:click=move |_| { notice.set(None); editing.set(Editing::New); }>"New product"</button>
            </p>
        })}
        {move || match editing.get() {
            Editing::None => ().into_any(),
            Editing::New => view! { <ProductForm website categories=categories.clone() initial=None saved cancel/> }.into_any(),
            Editing::Existing(p) => view! { <ProductForm website categories=categories.clone() initial=Some(*p) saved cancel/> }.into_any(),
        }}
        <ImportExport website can_edit reload notice/>
        <section class="app-card" aria-labelledby="products-heading">
            <h2 id="products-heading">"Catalogue"</h2>
            <CategoryFilter categories=filter_categories query/>
            {if empty {
                view! { <p>"No products match."</p> }.into_any()
            } else {
                view! {
                    {can_edit.then(|| view! {
                        <p class="app-actions">
                            <button type="button" class="app-button app-button-ghost"
                                disabled=move || selected.with(Vec::is_empty)
                                on:click=move |_| bulk(ProductStatus::Active)>"Make selected active"</button>
                            <button type="button" class="app-button app-button-ghost"
                                disabled=move || selected.with(Vec::is_empty)
                                on:click=move |_| bulk(ProductStatus::Archived)>"Archive selected"</button>
                        </p>
                    })}
                    <table class="team-table products-table" aria-label="Products">
                        <thead>
                            <tr>
                                <th>{can_edit.then_some("Select")}</th>
                                <th>"Title"</th><th>"Address"</th><th>"Status"</th><th>"Price"</th>
                                <th>"Variants"</th><th>"Stock"</th><th></th>
                            </tr>
                        </thead>
                        <tbody>
                            {products.into_iter().map(|p| view! { <ProductRow p can_edit selected open/> }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn ProductRow(
    p: ProductSummary,
    can_edit: bool,
    selected: RwSignal<Vec<Uuid>>,
    open: impl Fn(Uuid) + Copy + 'static,
) -> impl IntoView {
    let id = p.id;
    let stock = p
        .stock
        .map(|s| s.to_string())
        .unwrap_or_else(|| "not tracked".into());
    let title = p.title.clone();
    view! {
        <tr>
            <td>
                {can_edit.then(|| view! {
                    <input type="checkbox" aria-label=format!("Select {title}")
                        prop:checked=move || selected.with(|s| s.contains(&id))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            selected.update(|s| {
                                s.retain(|x| *x != id);
                                if on { s.push(id); }
                            });
                        }/>
                })}
            </td>
            <td>{p.title.clone()}</td>
            <td><code>{format!("/products/{}", p.slug)}</code></td>
            <td>{p.status.label()}</td>
            <td>{p.price_label()}</td>
            <td>{p.variants}</td>
            <td>{stock}</td>
            <td>
                <button type="button" class="app-button app-button-ghost"
                    aria-label=format!("{} {}", if can_edit { "Edit" } else { "View" }, p.title)
                    on:click=move |_| open(id)>{if can_edit { "Edit" } else { "View" }}</button>
            </td>
        </tr>
    }
}

/// One variant row of the form; `key` keeps the row's inputs while others are added or removed.
#[derive(Clone, Copy)]
struct VariantRow {
    key: u32,
    id: Option<Uuid>,
    values: RwSignal<Vec<String>>,
    sku: RwSignal<String>,
    price: RwSignal<String>,
    compare_at: RwSignal<String>,
    stock: RwSignal<String>,
    track: RwSignal<bool>,
}

impl VariantRow {
    fn new(key: u32, v: VariantInput) -> Self {
        Self {
            key,
            id: v.id,
            values: RwSignal::new(v.option_values),
            sku: RwSignal::new(v.sku),
            price: RwSignal::new(v.price),
            compare_at: RwSignal::new(v.compare_at_price),
            stock: RwSignal::new(v.stock),
            track: RwSignal::new(v.track_inventory),
        }
    }

    fn input(&self, options: usize) -> VariantInput {
        let mut values = self.values.get_untracked();
        values.resize(options, String::new());
        VariantInput {
            id: self.id,
            option_values: values,
            sku: self.sku.get_untracked(),
            price: self.price.get_untracked(),
            compare_at_price: self.compare_at.get_untracked(),
            stock: self.stock.get_untracked(),
            track_inventory: self.track.get_untracked(),
        }
    }
}

fn split_names(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[component]
fn ProductForm(
    website: Uuid,
    categories: Vec<Category>,
    initial: Option<ProductDetail>,
    saved: Callback<String>,
    cancel: Callback<()>,
) -> impl IntoView {
    let product_id = initial.as_ref().map(|d| d.id);
    let p = initial.map(|d| d.product).unwrap_or_else(|| ProductInput {
        currency: "EUR".into(),
        variants: vec![VariantInput {
            track_inventory: true,
            ..Default::default()
        }],
        ..Default::default()
    });
    let title = RwSignal::new(p.title.clone());
    let slug = RwSignal::new(p.slug.clone());
    let description = RwSignal::new(p.description.clone());
    let status = RwSignal::new(p.status);
    let currency = RwSignal::new(p.currency.clone());
    let option_names = RwSignal::new(p.option_names.join(", "));
    let images = RwSignal::new(p.images.join("\n"));
    let seo_title = RwSignal::new(p.seo_title.clone());
    let seo_description = RwSignal::new(p.seo_description.clone());
    let chosen = RwSignal::new(p.category_ids.clone());
    let next_key = StoredValue::new(p.variants.len() as u32);
    let rows = RwSignal::new(
        p.variants
            .into_iter()
            .enumerate()
            .map(|(i, v)| VariantRow::new(i as u32, v))
            .collect::<Vec<_>>(),
    );
    let names = Memo::new(move |_| option_names.with(|s| split_names(s)));
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);

    let add_variant = move |_| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        rows.update(|r| {
            r.push(VariantRow::new(
                key,
                VariantInput {
                    track_inventory: true,
                    ..Default::default()
                },
            ))
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let n = names.get_untracked().len();
        let input = ProductInput {
            title: title.get_untracked(),
            slug: slug.get_untracked(),
            description: description.get_untracked(),
            status: status.get_untracked(),
            currency: currency.get_untracked(),
            option_names: names.get_untracked(),
            images: images
                .get_untracked()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect(),
            seo_title: seo_title.get_untracked(),
            seo_description: seo_description.get_untracked(),
            variants: rows.with_untracked(|r| r.iter().map(|v| v.input(n)).collect()),
            category_ids: chosen.get_untracked(),
        };
        let name = input.title.trim().to_string();
        error.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            let r = match product_id {
                Some(id) => update_product(id, input).await,
                None => create_product(website, input).await,
            };
            busy.try_set(false);
            match r {
                Ok(_) => saved.run(format!("Saved “{name}”.")),
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    let delete = move |_| {
        let Some(id) = product_id else { return };
        let name = title.get_untracked();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let r = delete_product(id).await;
            busy.try_set(false);
            match r {
                Ok(()) => saved.run(format!("Deleted “{name}”.")),
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    let heading = if product_id.is_some() {
        "Edit product"
    } else {
        "New product"
    };
    view! {
        <section class="app-card product-form" aria-labelledby="product-form-heading">
            <h2 id="product-form-heading">{heading}</h2>
            <form on:submit=submit novalidate>
                <div class="app-field">
                    <label for="product-title">"Title"</label>
                    <input id="product-title" type="text" maxlength="200"
                        prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev))/>
                </div>
                <div class="app-field">
                    <label for="product-slug">"Address"</label>
                    <input id="product-slug" type="text" maxlength="100" placeholder="made from the title"
                        aria-describedby="product-slug-hint"
                        prop:value=move || slug.get() on:input=move |ev| slug.set(event_target_value(&ev))/>
                    <p class="app-muted" id="product-slug-hint">
                        {move || format!("Visitors find it at /products/{}", if slug.with(String::is_empty) { "…".to_string() } else { slug.get() })}
                    </p>
                </div>
                <div class="app-field">
                    <label for="product-description">"Description"</label>
                    <textarea id="product-description" rows="5"
                        prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))></textarea>
                </div>
                <div class="app-field">
                    <label for="product-status">"Status"</label>
                    <select id="product-status" on:change=move |ev| {
                        if let Some(s) = ProductStatus::parse(&event_target_value(&ev)) { status.set(s) }
                    }>
                        {ProductStatus::ALL.into_iter().map(|s| view! {
                            <option value=s.as_str() selected=move || status.get() == s>{s.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="app-field">
                    <label for="product-currency">"Currency"</label>
                    <select id="product-currency" on:change=move |ev| currency.set(event_target_value(&ev))>
                        {CURRENCIES.iter().map(|(c, _)| {
                            let value = c.to_string();
                            let shown = value.clone();
                            let code = value.clone();
                            view! { <option value=value selected=move || currency.get() == code>{shown}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="app-field">
                    <label for="product-images">"Image addresses (one per line)"</label>
                    <textarea id="product-images" rows="2"
                        prop:value=move || images.get() on:input=move |ev| images.set(event_target_value(&ev))></textarea>
                </div>
                <div class="app-field">
                    <label for="product-seo-title">"SEO title"</label>
                    <input id="product-seo-title" type="text"
                        prop:value=move || seo_title.get() on:input=move |ev| seo_title.set(event_target_value(&ev))/>
                </div>
                <div class="app-field">
                    <label for="product-seo-description">"SEO description"</label>
                    <textarea id="product-seo-description" rows="2"
                        prop:value=move || seo_description.get() on:input=move |ev| seo_description.set(event_target_value(&ev))></textarea>
                </div>
                <CategoryChoice categories chosen/>
                <fieldset class="app-field product-variants">
                    <legend>"Variants"</legend>
                    <div class="app-field">
                        <label for="product-options">"Options"</label>
                        <input id="product-options" type="text" placeholder="Size, Colour"
                            aria-describedby="product-options-hint"
                            prop:value=move || option_names.get()
                            on:input=move |ev| option_names.set(event_target_value(&ev))/>
                        <p class="app-muted" id="product-options-hint">
                            {format!("What the variants differ by, separated by commas ({PRODUCT_OPTIONS_MAX} at most). Leave empty for a product sold one way.")}
                        </p>
                    </div>
                    <For each=move || rows.get() key=|r| r.key
                        children=move |row| view! { <VariantFields row rows names/> }/>
                    <button type="button" class="app-button app-button-ghost" on:click=add_variant>"Add variant"</button>
                </fieldset>
                {move || error.get().map(|e| match e {
                    e @ AppError::LimitReached { .. } => view! { <LimitAlert error=e/> }.into_any(),
                    e => view! { <p role="alert" class="app-error">{e.to_string()}</p> }.into_any(),
                })}
                <p class="app-actions">
                    <button type="submit" class="app-button" disabled=move || busy.get()>"Save product"</button>
                    <button type="button" class="app-button app-button-ghost" on:click=move |_| cancel.run(())>"Cancel"</button>
                    {product_id.map(|_| view! {
                        <button type="button" class="app-button app-button-ghost" disabled=move || busy.get()
                            on:click=delete>"Delete product"</button>
                    })}
                </p>
            </form>
        </section>
    }
}

#[component]
fn VariantFields(
    row: VariantRow,
    rows: RwSignal<Vec<VariantRow>>,
    names: Memo<Vec<String>>,
) -> impl IntoView {
    let key = row.key;
    let n = move || rows.with(|r| r.iter().position(|x| x.key == key).unwrap_or(0) + 1);
    let label = move |what: &'static str| move || format!("Variant {} {what}", n());
    let remove = move |_| rows.update(|r| r.retain(|x| x.key != key));
    let values = row.values;
    let option_inputs = move || {
        names
            .get()
            .into_iter()
            .enumerate()
            .map(|(j, name)| {
                let placeholder = name.clone();
                view! {
                    <input type="text" aria-label=move || format!("Variant {} {name}", n())
                        placeholder=placeholder
                        prop:value=move || values.with(|v| v.get(j).cloned().unwrap_or_default())
                        on:input=move |ev| {
                            let s = event_target_value(&ev);
                            values.update(|v| {
                                if v.len() <= j { v.resize(j + 1, String::new()); }
                                v[j] = s;
                            });
                        }/>
                }
            })
            .collect_view()
    };
    view! {
        <div class="product-variant" role="group" aria-label=move || format!("Variant {}", n())>
            <strong>{move || format!("Variant {}", n())}</strong>
            {option_inputs}
            <input type="text" aria-label=label("SKU") placeholder="SKU"
                prop:value=move || row.sku.get() on:input=move |ev| row.sku.set(event_target_value(&ev))/>
            <input type="text" inputmode="decimal" aria-label=label("price") placeholder="Price"
                prop:value=move || row.price.get() on:input=move |ev| row.price.set(event_target_value(&ev))/>
            <input type="text" inputmode="decimal" aria-label=label("compare-at price") placeholder="Compare-at price"
                prop:value=move || row.compare_at.get() on:input=move |ev| row.compare_at.set(event_target_value(&ev))/>
            <input type="text" inputmode="numeric" aria-label=label("stock") placeholder="Stock"
                prop:value=move || row.stock.get() on:input=move |ev| row.stock.set(event_target_value(&ev))/>
            <label class="app-check">
                <input type="checkbox" prop:checked=move || row.track.get()
                    on:change=move |ev| row.track.set(event_target_checked(&ev))/>
                {move || format!("Track stock of variant {}", n())}
            </label>
            <button type="button" class="app-button app-button-ghost"
                aria-label=move || format!("Remove variant {}", n())
                disabled=move || rows.with(|r| r.len() <= 1)
                on:click=remove>"Remove"</button>
        </div>
    }
}

/// The categories a product is listed in (the first ticked is its main one).
#[component]
fn CategoryChoice(categories: Vec<Category>, chosen: RwSignal<Vec<Uuid>>) -> impl IntoView {
    if categories.is_empty() {
        return ().into_any();
    }
    view! {
        <fieldset class="app-field">
            <legend>"Categories"</legend>
            {categories.into_iter().map(|c| {
                let id = c.id;
                view! {
                    <label class="app-check">
                        <input type="checkbox"
                            prop:checked=move || chosen.with(|s| s.contains(&id))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                chosen.update(|s| {
                                    s.retain(|x| *x != id);
                                    if on { s.push(id); }
                                });
                            }/>
                        " " {c.indented_name()}
                    </label>
                }
            }).collect_view()}
        </fieldset>
    }
    .into_any()
}

/// Narrows the list to one category (and those under it).
#[component]
fn CategoryFilter(categories: Vec<Category>, query: RwSignal<ProductQuery>) -> impl IntoView {
    if categories.is_empty() {
        return ().into_any();
    }
    view! {
        <div class="app-field">
            <label for="product-category-filter">"Category"</label>
            <select id="product-category-filter"
                on:change=move |ev| {
                    let v = event_target_value(&ev).parse::<Uuid>().ok();
                    query.update(|q| q.category = v);
                }>
                <option value="" selected=move || query.with(|q| q.category.is_none())>"All categories"</option>
                {categories.into_iter().map(|c| {
                    let id = c.id;
                    view! {
                        <option value=id.to_string() selected=move || query.with(|q| q.category == Some(id))>
                            {c.indented_name()}
                        </option>
                    }
                }).collect_view()}
            </select>
        </div>
    }
    .into_any()
}

/// The catalogue as CSV: every member downloads it; editors import a file in the same format.
#[component]
fn ImportExport(
    website: Uuid,
    can_edit: bool,
    reload: RwSignal<u32>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let file = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(csv) = file.get_untracked() else {
            error.set(Some(AppError::invalid(
                "csv",
                "Choose a CSV file to import.",
            )));
            return;
        };
        error.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            let r = import_products(website, csv).await;
            busy.try_set(false);
            match r {
                Ok(r) => {
                    notice.try_set(Some(format!(
                        "Imported: {} new, {} updated.",
                        r.created, r.updated
                    )));
                    reload.try_update(|n| *n += 1);
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    let import = can_edit.then(|| {
        view! {
            <form on:submit=submit novalidate>
                <div class="app-field">
                    <label for="product-csv">"Product CSV file"</label>
                    <input id="product-csv" type="file" accept=".csv,text/csv"
                        aria-describedby="product-csv-hint"
                        on:change=move |ev| super::import_website::read_file(ev, file, error)/>
                    <p class="app-muted" id="product-csv-hint">
                        "The download's format: one line per variant, lines of a product sharing its Handle. Products with a known Handle are replaced; a file with any bad line changes nothing."
                    </p>
                </div>
                {move || error.get().map(|e| match e {
                    e @ AppError::LimitReached { .. } => view! { <LimitAlert error=e/> }.into_any(),
                    e => view! { <p role="alert" class="app-error">{e.to_string()}</p> }.into_any(),
                })}
                <button type="submit" class="app-button app-button-ghost" disabled=move || busy.get()>"Import products"</button>
            </form>
        }
    });
    view! {
        <section class="app-card" aria-labelledby="products-csv-heading">
            <h2 id="products-csv-heading">"Import and export"</h2>
            <p><a href=format!("/websites/{website}/products.csv") download="">"Download products (CSV)"</a></p>
            {import}
        </section>
    }
    .into_any()
}
