//! The inspector: one editor per prop of the selected block, generated from the block kind's
//! field table (`model::fields`). Text edits apply to the canvas on every keystroke; lists
//! can grow, shrink and be reordered.
//!
//! Inputs are built once per selection (values read untracked), so typing does not rebuild
//! them and the caret stays put. Undo, redo and list changes bump `Editor::epoch`, which
//! rebuilds them from the new values.

use leptos::prelude::*;
use serde_json::Value;
use uuid::Uuid;

use super::editor::Editor;
use crate::model::fields::{self, Field, FieldType, ListSpec, Seg};
use crate::model::{ComponentDto, PageLink};

#[component]
pub fn Inspector(ed: Editor, pages: Vec<PageLink>) -> impl IntoView {
    let pages = StoredValue::new(pages);
    // Soft lock: a block another editor has selected when this one selects it asks first.
    let confirmed = RwSignal::new(None::<Uuid>);
    let asking = Memo::new(move |_| {
        let id = ed.selected.get()?;
        if !ed.can_edit() || confirmed.get() == Some(id) {
            return None;
        }
        let names: Vec<String> = untrack(|| ed.holders(id))
            .into_iter()
            .map(|p| p.name)
            .collect();
        (!names.is_empty()).then(|| (id, names.join(", ")))
    });
    view! {
        <aside class="builder-inspector" aria-label="Inspector">
            {move || match (ed.selected.get(), ed.epoch.get(), asking.get()) {
                (None, _, _) => view! { <p class="app-muted">"Select a block on the canvas to edit it."</p> }.into_any(),
                (Some(_), _, Some((id, names))) => view! {
                    <div class="soft-lock" role="alert">
                        <p>{format!("{names} has this block selected and may be editing it.")}</p>
                        <button type="button" class="app-button" on:click=move |_| confirmed.set(Some(id))>"Edit anyway"</button>
                    </div>
                }.into_any(),
                (Some(id), _, None) => block_inspector(ed, id, pages),
            }}
        </aside>
    }
}

/// What every field editor needs: the editor, the block, whether it may change, page links.
#[derive(Clone, Copy)]
struct Ctx {
    ed: Editor,
    id: Uuid,
    editable: bool,
    pages: StoredValue<Vec<PageLink>>,
}

/// The form for one block.
fn block_inspector(ed: Editor, id: Uuid, pages: StoredValue<Vec<PageLink>>) -> AnyView {
    let Some(ComponentDto { block, .. }) = ed.block(id) else {
        return ().into_any();
    };
    let cx = Ctx {
        ed,
        id,
        editable: ed.can_edit_block(id),
        pages,
    };
    let kind = block.kind();
    let props = block.props_json();
    let locked_note = (ed.can_edit() && !cx.editable)
        .then(|| view! { <p class="app-muted">"This block is locked. Only owners and admins can change it."</p> });
    let form = fields::fields(kind)
        .iter()
        .map(|f| field_view(cx, &props, &[], f))
        .collect_view();
    view! {
        <h2>{kind.label()}</h2>
        {locked_note}
        <form class="inspector-form" on:submit=|ev| ev.prevent_default()>{form}</form>
        {cx.editable.then(|| view! { <super::ai_assist::RewriteBlock ed=ed id=id/> })}
        {ed.can_edit().then(|| view! { <BlockActions ed=ed id=id/> })}
        <super::global_ui::BlockTools ed=ed id=id/>
    }
    .into_any()
}

fn field_view(cx: Ctx, props: &Value, prefix: &[Seg], field: &Field) -> AnyView {
    let path = fields::path_of(prefix, field.key);
    let current = fields::get(props, &path).cloned().unwrap_or(Value::Null);
    let input_id = fields::input_id(&path);
    let error_name = fields::error_name(&path);
    let label = field.label;
    let control = match field.ty {
        FieldType::List(spec) => return list_view(cx, props, path, label, spec),
        FieldType::Toggle => {
            let checked = current.as_bool().unwrap_or(false);
            let p = path.clone();
            return view! {
                <div class="app-field app-check">
                    <input id=input_id.clone() type="checkbox" disabled=!cx.editable prop:checked=checked
                        on:change=move |ev| cx.ed.edit_field(cx.id, &p, Value::Bool(event_target_checked(&ev)))/>
                    <label for=input_id>{label}</label>
                </div>
            }
            .into_any();
        }
        FieldType::Text { .. } | FieldType::Url | FieldType::Image => {
            let p = path.clone();
            let kind = if matches!(field.ty, FieldType::Text { .. }) {
                "text"
            } else {
                "url"
            };
            let preview =
                matches!(field.ty, FieldType::Image).then(|| image_preview(cx, path.clone()));
            let picker = (matches!(field.ty, FieldType::Image) && cx.editable).then(|| {
                let p = path.clone();
                let on_pick = Callback::new(move |url: String| {
                    cx.ed.edit_field(cx.id, &p, Value::String(url));
                    // Re-renders the form, so the address field shows the chosen file.
                    cx.ed.epoch.update(|e| *e += 1);
                });
                let label = field.label;
                view! { <crate::ui::media::AssetPicker on_pick label/> }
            });
            view! {
                <input id=input_id.clone() type=kind readonly=!cx.editable prop:value=current.as_str().unwrap_or_default().to_string()
                    on:input=move |ev| cx.ed.edit_field(cx.id, &p, Value::String(event_target_value(&ev)))/>
                {picker}
                {preview}
            }
            .into_any()
        }
        FieldType::LongText { .. } | FieldType::RichText => {
            let p = path.clone();
            let hint = matches!(field.ty, FieldType::RichText).then(|| view! {
                <p class="field-hint">"## Heading, - list item, **bold**, *italic*, [link text](https://…). A blank line starts a new paragraph."</p>
            });
            view! {
                <textarea id=input_id.clone() rows="4" readonly=!cx.editable prop:value=current.as_str().unwrap_or_default().to_string()
                    on:input=move |ev| cx.ed.edit_field(cx.id, &p, Value::String(event_target_value(&ev)))></textarea>
                {hint}
            }
            .into_any()
        }
        FieldType::Lines { .. } => {
            let p = path.clone();
            let text = current
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default();
            view! {
                <textarea id=input_id.clone() rows="4" readonly=!cx.editable prop:value=text
                    on:input=move |ev| {
                        let lines = event_target_value(&ev).lines().map(str::trim).filter(|l| !l.is_empty())
                            .map(|l| Value::String(l.to_string())).collect();
                        cx.ed.edit_field(cx.id, &p, Value::Array(lines))
                    }></textarea>
            }
            .into_any()
        }
        FieldType::Number { min, max, step } => {
            let p = path.clone();
            let shown = current.as_f64().map(|n| n.to_string()).unwrap_or_default();
            view! {
                <input id=input_id.clone() type="number" min=min max=max step=step readonly=!cx.editable prop:value=shown
                    on:input=move |ev| number_input(cx, &p, label, min, max, step, &event_target_value(&ev))/>
            }
            .into_any()
        }
        FieldType::Select(options) => {
            let p = path.clone();
            let value = current.as_str().unwrap_or_default().to_string();
            let opts = options
                .iter()
                .map(|(v, l)| view! { <option value=*v selected={value == *v}>{*l}</option> })
                .collect_view();
            view! {
                <select id=input_id.clone() disabled=!cx.editable
                    on:change=move |ev| cx.ed.edit_field(cx.id, &p, Value::String(event_target_value(&ev)))>{opts}</select>
            }
            .into_any()
        }
        FieldType::Color => color_view(
            cx,
            path.clone(),
            &input_id,
            label,
            current.as_str().unwrap_or_default(),
        ),
        FieldType::Product | FieldType::Variant | FieldType::Category => {
            super::shop_fields::select(
                cx.ed,
                cx.id,
                cx.editable,
                field.ty,
                path.clone(),
                input_id.clone(),
                current.as_str().unwrap_or_default().to_string(),
            )
        }
        FieldType::Products { max } => {
            let picked = current
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            return super::shop_fields::products(
                cx.ed,
                cx.id,
                cx.editable,
                path,
                label,
                picked,
                max,
            );
        }
        FieldType::Link => link_view(
            cx,
            path.clone(),
            &input_id,
            label,
            current.as_str().unwrap_or_default(),
        ),
    };
    // A block's own text (not list items): the AI assistant can suggest it.
    let ai = (prefix.is_empty()
        && cx.editable
        && matches!(field.ty, FieldType::Text { .. } | FieldType::LongText { .. }))
    .then(|| view! { <super::ai_assist::CopySuggest ed=cx.ed id=cx.id path=path.clone() key=field.key label=label/> });
    view! {
        <div class="app-field">
            <label for=input_id>{label}</label>
            {control}
            <FieldErrorView cx=cx name=error_name/>
            {ai}
        </div>
    }
    .into_any()
}

#[component]
fn FieldErrorView(cx: Ctx, name: String) -> impl IntoView {
    move || {
        cx.ed.field_error.with(|e| {
            e.as_ref()
                .filter(|e| e.block == cx.id && e.field == name)
                .map(|e| view! { <p class="field-error" role="alert">{e.message.clone()}</p> })
        })
    }
}

/// Numbers are checked against the field's range before they reach the props, and stored as
/// whole numbers when the field counts in whole steps (columns, stars, pixels).
fn number_input(cx: Ctx, path: &[Seg], label: &str, min: f64, max: f64, step: f64, raw: &str) {
    let problem = match raw.trim().parse::<f64>() {
        Ok(n) if (min..=max).contains(&n) => {
            let value = if step >= 1.0 && n.fract() == 0.0 {
                Value::from(n as i64)
            } else {
                Value::from(n)
            };
            cx.ed.edit_field(cx.id, path, value);
            return;
        }
        Ok(_) => format!("{label} must be between {min} and {max}."),
        Err(_) => format!("{label} needs a number."),
    };
    cx.ed.field_error.set(Some(super::editor::FieldError {
        block: cx.id,
        field: fields::error_name(path),
        message: problem.clone(),
    }));
    cx.ed.save.set(super::editor::SaveState::Invalid(problem));
}

fn image_preview(cx: Ctx, path: Vec<Seg>) -> impl IntoView {
    let src = move || {
        cx.ed.blocks.with(|b| {
            b.iter().find(|c| c.id == cx.id).and_then(|c| {
                fields::get(&c.block.props_json(), &path)
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
        })
    };
    move || {
        src()
            .filter(|s| crate::model::check_url("", s).is_ok() && !s.is_empty())
            .map(|s| view! { <img class="field-preview" src=s alt=""/> })
    }
}

/// A hex text field with a colour picker beside it; either one sets the prop.
fn color_view(
    cx: Ctx,
    path: Vec<Seg>,
    input_id: &str,
    label: &'static str,
    value: &str,
) -> AnyView {
    let swatch = if value.len() == 7 {
        value.to_string()
    } else {
        "#000000".to_string()
    };
    let p = path.clone();
    view! {
        <div class="color-field">
            <input id=input_id.to_string() type="text" placeholder="Default" readonly=!cx.editable prop:value=value.to_string()
                on:input=move |ev| cx.ed.edit_field(cx.id, &p, Value::String(event_target_value(&ev)))/>
            <input type="color" aria-label=format!("{label} picker") disabled=!cx.editable prop:value=swatch
                on:change=move |ev| {
                    cx.ed.edit_field(cx.id, &path, Value::String(event_target_value(&ev)));
                    cx.ed.epoch.update(|e| *e += 1);
                }/>
        </div>
    }
    .into_any()
}

/// A page picker plus an address field: choosing a page fills in its path; any other
/// address is typed and checked like every link.
fn link_view(cx: Ctx, path: Vec<Seg>, input_id: &str, label: &'static str, value: &str) -> AnyView {
    let p = path.clone();
    let value = value.to_string();
    let options = cx.pages.with_value(|pages| {
        pages
            .iter()
            .map(|pg| {
                let selected = pg.slug == value;
                view! { <option value=pg.slug.clone() selected=selected>{format!("{} ({})", pg.title, pg.slug)}</option> }
            })
            .collect_view()
    });
    let is_page = cx
        .pages
        .with_value(|pages| pages.iter().any(|pg| pg.slug == value));
    view! {
        <div class="link-field">
            <select aria-label=format!("{label}: page") disabled=!cx.editable
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if !v.is_empty() {
                        cx.ed.edit_field(cx.id, &p, Value::String(v));
                        cx.ed.epoch.update(|e| *e += 1);
                    }
                }>
                <option value="" selected=!is_page>"Other address…"</option>
                {options}
            </select>
            <input id=input_id.to_string() type="text" placeholder="https://… or /page" readonly=!cx.editable prop:value=value
                on:input=move |ev| cx.ed.edit_field(cx.id, &path, Value::String(event_target_value(&ev)))/>
        </div>
    }
    .into_any()
}

/// A list prop: each item in its own group with move and remove buttons, and an add button.
fn list_view(
    cx: Ctx,
    props: &Value,
    path: Vec<Seg>,
    label: &'static str,
    spec: &'static ListSpec,
) -> AnyView {
    let items = fields::get(props, &path)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let len = items.len();
    let noun = spec.noun;
    let path_store = StoredValue::new(path.clone());
    let edit_list = move |f: &dyn Fn(&mut Vec<Value>)| {
        let Some(c) = cx.ed.block(cx.id) else { return };
        let mut props = c.block.props_json();
        let p = path_store.get_value();
        if let Some(list) = fields::get_mut(&mut props, &p).and_then(Value::as_array_mut) {
            f(list);
            cx.ed.replace_props(cx.id, props);
        }
    };
    let rows = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let n = i + 1;
            let mut item_path = path.clone();
            item_path.push(Seg::Index(i));
            let title = item.get(spec.title_key).and_then(Value::as_str).filter(|t| !t.is_empty()).map(|t| format!(": {t}")).unwrap_or_default();
            let legend = format!("{} {n}{title}", capitalise(noun));
            let inner = spec.item.iter().map(|f| field_view(cx, props, &item_path, f)).collect_view();
            view! {
                <fieldset class="list-item">
                    <legend>{legend}</legend>
                    {inner}
                    {cx.editable.then(|| view! {
                        <div class="list-item-actions">
                            <button type="button" disabled={i == 0} aria-label=format!("Move {noun} {n} up")
                                on:click=move |_| edit_list(&|l| l.swap(i, i - 1))>"↑"</button>
                            <button type="button" disabled={i + 1 == len} aria-label=format!("Move {noun} {n} down")
                                on:click=move |_| edit_list(&|l| l.swap(i, i + 1))>"↓"</button>
                            <button type="button" class="danger" aria-label=format!("Remove {noun} {n}")
                                on:click=move |_| edit_list(&|l| { l.remove(i); })>"Remove"</button>
                        </div>
                    })}
                </fieldset>
            }
        })
        .collect_view();
    let error_name = fields::error_name(&path);
    view! {
        <fieldset class="list-field">
            <legend>{label}</legend>
            {rows}
            {cx.editable.then(|| view! {
                <button type="button" class="list-add" disabled={len >= spec.max}
                    on:click=move |_| edit_list(&|l| { let item = spec.new_item_for(l); l.push(item); })>
                    {format!("Add {noun}")}
                </button>
            })}
            <FieldErrorView cx=cx name=error_name/>
        </fieldset>
    }
    .into_any()
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Move, duplicate, hide/show, lock/unlock and delete for the selected block.
#[component]
fn BlockActions(ed: Editor, id: Uuid) -> impl IntoView {
    let flag = move |f: fn(&ComponentDto) -> bool| {
        ed.blocks
            .with(|bs| bs.iter().find(|c| c.id == id).map(f).unwrap_or(false))
    };
    let editable = move || !flag(|c| c.is_locked) || ed.role.can_edit_locked();
    view! {
        <div class="inspector-actions">
            <button type="button" on:click=move |_| ed.nudge(id, -1)>"Move up"</button>
            <button type="button" on:click=move |_| ed.nudge(id, 1)>"Move down"</button>
            <button type="button" on:click=move |_| ed.duplicate(id)>"Duplicate block"</button>
            {move || {
                let visible = flag(|c| c.is_visible);
                view! {
                    <button type="button" disabled=!editable() on:click=move |_| ed.set_flags(id, Some(!visible), None)>
                        {if visible { "Hide block" } else { "Show block" }}
                    </button>
                }
            }}
            {ed.role.can_edit_locked().then_some(move || {
                let locked = flag(|c| c.is_locked);
                view! {
                    <button type="button" on:click=move |_| ed.set_flags(id, None, Some(!locked))>
                        {if locked { "Unlock block" } else { "Lock block" }}
                    </button>
                }
            })}
            <button type="button" class="danger" disabled=move || !editable() on:click=move |_| ed.delete(id)>"Delete block"</button>
        </div>
    }
}
