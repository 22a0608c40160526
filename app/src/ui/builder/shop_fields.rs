//! The inspector's catalogue pickers for the shop blocks: a product, one of its variants, a
//! category, or several products. Options come from the catalogue the editor loaded
//! (`Editor::shelf`), so only the website's own rows can be picked; the server checks ids
//! again when it renders.

use leptos::prelude::*;
use serde_json::Value;
use uuid::Uuid;

use super::editor::Editor;
use crate::model::fields::{FieldType, Seg};
use crate::model::{chosen_id, Shelf};

fn product_label(shelf: &Shelf, id: Uuid) -> Option<String> {
    let p = shelf.product(id)?;
    Some(if p.status == "active" {
        p.product.title.clone()
    } else {
        format!("{} ({})", p.product.title, p.status)
    })
}

/// A `<select>` of products, variants (of the block's chosen product) or categories.
pub(super) fn select(
    ed: Editor,
    id: Uuid,
    editable: bool,
    ty: FieldType,
    path: Vec<Seg>,
    input_id: String,
    current: String,
) -> AnyView {
    let product = ed
        .block(id)
        .and_then(|c| {
            c.block
                .props_json()
                .get("product_id")?
                .as_str()
                .map(str::to_string)
        })
        .and_then(|s| chosen_id(&s));
    let options = move || {
        let Some(shelf) = ed.shelf_now() else {
            return vec![(String::new(), "Loading products…".to_string())];
        };
        let mut out = vec![(
            String::new(),
            match ty {
                FieldType::Variant => "Any: the visitor chooses".to_string(),
                FieldType::Category => "Choose a category".to_string(),
                _ => "Choose a product".to_string(),
            },
        )];
        match ty {
            FieldType::Variant => {
                if let Some(p) = product.and_then(|p| shelf.product(p)) {
                    out.extend(p.product.variants.iter().map(|v| {
                        let label = if v.option_values.is_empty() {
                            p.product.title.clone()
                        } else {
                            v.option_values.join(" / ")
                        };
                        (v.id.to_string(), label)
                    }));
                }
            }
            FieldType::Category => out.extend(
                shelf
                    .categories
                    .iter()
                    .map(|c| (c.id.to_string(), c.name.clone())),
            ),
            _ => out.extend(
                shelf
                    .all
                    .iter()
                    .filter_map(|p| Some((p.to_string(), product_label(&shelf, *p)?))),
            ),
        }
        out
    };
    let on_change = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        ed.edit_field(id, &path, Value::String(value));
        if matches!(ty, FieldType::Product) {
            // Another product's variants differ: the variant choice starts over.
            let has_variant = ed
                .block(id)
                .is_some_and(|c| c.block.props_json().get("variant_id").is_some());
            if has_variant {
                ed.edit_field(id, &[Seg::Key("variant_id")], Value::String(String::new()));
            }
            // Rebuilds the form, so the variant list shows the new product's.
            ed.epoch.update(|e| *e += 1);
        }
    };
    view! {
        <select id=input_id disabled=!editable on:change=on_change>
            {move || {
                let current = current.clone();
                options()
                    .into_iter()
                    .map(|(v, l)| {
                        let selected = v == current;
                        view! { <option value=v selected=selected>{l}</option> }
                    })
                    .collect_view()
            }}
        </select>
    }
    .into_any()
}

/// Checkboxes, one per product: the grid's hand-picked list (in the order picked).
pub(super) fn products(
    ed: Editor,
    id: Uuid,
    editable: bool,
    path: Vec<Seg>,
    label: &'static str,
    current: Vec<String>,
    max: usize,
) -> AnyView {
    let picked = RwSignal::new(current);
    let list = move || {
        let Some(shelf) = ed.shelf_now() else {
            return view! { <p class="app-muted">"Loading products…"</p> }.into_any();
        };
        if shelf.all.is_empty() {
            return view! { <p class="app-muted">"No products yet: add them under Shop."</p> }
                .into_any();
        }
        let path = path.clone();
        shelf
            .all
            .iter()
            .filter_map(|p| Some((*p, product_label(&shelf, *p)?)))
            .map(|(pid, name)| {
                let key = pid.to_string();
                let checked = picked.with_untracked(|v| v.contains(&key));
                let path = path.clone();
                view! {
                    <label class="app-check">
                        <input type="checkbox" disabled=!editable prop:checked=checked
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                picked.update(|v| {
                                    v.retain(|k| k != &key);
                                    if on && v.len() < max {
                                        v.push(key.clone());
                                    }
                                });
                                let ids = picked.get_untracked().into_iter().map(Value::String).collect();
                                ed.edit_field(id, &path, Value::Array(ids));
                            }/>
                        {name}
                    </label>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <fieldset class="app-field shop-picks">
            <legend>{label}</legend>
            {list}
        </fieldset>
    }
    .into_any()
}
