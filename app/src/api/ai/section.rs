//! `regenerate_section`: new text for every filled plain-text field of one block, list items included
//! (a feature's title and description, a question and its answer). The tool's schema is made
//! from the block kind's field table (the inspector's), one property per text field with its
//! length limit; the answer is written into a copy of the block and passes the same validation
//! as an edit before it is offered. Nothing else of the block (links, images, layout) changes.

use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::ssr::{
    api, block_of, clean, quoted, rate_checked_member, run, AiRequest, AiTool, UNTRUSTED,
};
use crate::db;
use crate::error::AppError;
use crate::model::fields::{self, FieldType, Seg};
use crate::model::{check_len, AiAction, BlockProps, SectionRewrite};

/// Most text fields one rewrite may touch (a long FAQ is cut to its first questions).
const MAX_FIELDS: usize = 40;
/// Longest instructions an editor may give.
const INSTRUCTIONS_MAX: usize = 500;

/// One text field of the block: its name in the tool (`heading`, `items.2.title`), where it
/// lives, what the inspector calls it, its limit and its text now.
struct Slot {
    name: String,
    path: Vec<Seg>,
    label: String,
    max: usize,
    multiline: bool,
    current: String,
}

fn text_limit(ty: &FieldType) -> Option<(usize, bool)> {
    match ty {
        FieldType::Text { max } => Some((*max, false)),
        FieldType::LongText { max } => Some((*max, true)),
        _ => None,
    }
}

/// The block's plain-text fields in inspector order, top-level first, then list items.
fn slots(block: &BlockProps) -> Vec<Slot> {
    let props = block.props_json();
    let mut out = Vec::new();
    let mut push = |path: Vec<Seg>, label: String, (max, multiline): (usize, bool)| {
        let current = fields::get(&props, &path)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        // An empty field stays empty: filling it could turn on a part the editor left off (a
        // second button without a link).
        if current.trim().is_empty() {
            return;
        }
        let name = path
            .iter()
            .map(|s| match s {
                Seg::Key(k) => (*k).to_string(),
                Seg::Index(i) => i.to_string(),
            })
            .collect::<Vec<_>>()
            .join(".");
        out.push(Slot {
            name,
            path,
            label,
            max,
            multiline,
            current,
        });
    };
    for f in fields::fields(block.kind()) {
        if let Some(limit) = text_limit(&f.ty) {
            push(fields::path_of(&[], f.key), f.label.to_string(), limit);
        } else if let FieldType::List(spec) = f.ty {
            let count = fields::get(&props, &fields::path_of(&[], f.key))
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            for i in 0..count {
                let prefix = [fields::path_of(&[], f.key), vec![Seg::Index(i)]].concat();
                for item in spec.item {
                    if let Some(limit) = text_limit(&item.ty) {
                        push(
                            fields::path_of(&prefix, item.key),
                            format!("{} {} {}", spec.noun, i + 1, item.label.to_lowercase()),
                            limit,
                        );
                    }
                }
            }
        }
    }
    out.truncate(MAX_FIELDS);
    out
}

pub async fn regenerate_section(
    page_id: Uuid,
    component_id: Uuid,
    instructions: String,
) -> Result<SectionRewrite, AppError> {
    let (m, mut tx) = rate_checked_member().await?;
    let api = api()?;
    let instructions = instructions.trim().to_string();
    check_len("instructions", &instructions, INSTRUCTIONS_MAX)?;
    let data = db::builder::load(&mut tx, page_id, m.role).await?;
    let block = block_of(&data, component_id)?;
    let slots = slots(&block);
    if slots.is_empty() {
        return Err(AppError::invalid(
            "component_id",
            format!(
                "A {} block has no text for the assistant to rewrite.",
                block.kind().label()
            ),
        ));
    }
    let mut properties = Map::new();
    for s in &slots {
        properties.insert(
            s.name.clone(),
            json!({ "type": "string", "minLength": 1, "maxLength": s.max, "description": s.label }),
        );
    }
    let names: Vec<&str> = slots.iter().map(|s| s.name.as_str()).collect();
    let now: Vec<String> = slots
        .iter()
        .map(|s| {
            format!(
                "{} ({}, at most {} characters): {}",
                s.name, s.label, s.max, s.current
            )
        })
        .collect();
    let req = AiRequest {
        system: format!("You rewrite the text of one section of a small-business website built with SitePilot: clear, specific and in the section's language. {UNTRUSTED}"),
        prompt: format!(
            "Website: {}\nPage: {}\nSection: {}\n\nThe section's fields and their text now:\n{}\n\nThe editor's instructions:\n{}\n\nRewrite every field, keeping each one's purpose and staying within its limit.",
            data.website_name,
            data.page_title,
            block.kind().label(),
            quoted(&now.join("\n")),
            quoted(if instructions.is_empty() { "(none: make it clearer and more compelling)" } else { &instructions }),
        ),
        tool: AiTool {
            name: "rewrite_section",
            description: "Give the new text of every field of the section.",
            schema: json!({
                "type": "object",
                "properties": properties,
                "required": names,
                "additionalProperties": false
            }),
        },
        max_tokens: 2048,
    };
    let check = |v: &Value| -> Result<Value, String> {
        let answer = v.as_object().ok_or("the answer is not an object")?;
        if let Some(extra) = answer.keys().find(|k| !names.contains(&k.as_str())) {
            return Err(format!(
                "it has a field \"{extra}\" the section does not have"
            ));
        }
        let mut edited = block.clone();
        for s in &slots {
            let text = answer
                .get(&s.name)
                .and_then(Value::as_str)
                .ok_or(format!("{} is missing", s.name))?;
            let text = clean(text, s.multiline).map_err(|e| format!("{}: {e}", s.name))?;
            if text.chars().count() > s.max {
                return Err(format!("{} is longer than {} characters", s.name, s.max));
            }
            edited
                .set_path(&s.path, Value::String(text))
                .map_err(|e| e.to_string())?;
        }
        // The same checks as the inspector's edit of this block.
        edited.validate().map_err(|e| e.to_string())?;
        Ok(edited.props_json())
    };
    let (props, credits_left) = run(
        &api,
        &m,
        tx,
        AiAction::RegenerateSection,
        data.website_id,
        Some(page_id),
        req,
        check,
    )
    .await?;
    Ok(SectionRewrite {
        props,
        credits_left,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ComponentKind;

    #[test]
    fn slots_cover_top_level_text_and_list_items_in_order() {
        let mut faq = BlockProps::starter(ComponentKind::Faq);
        let s = slots(&faq);
        assert!(s.iter().any(|s| s.name == "heading"), "{:?}", names(&s));
        assert!(
            s.iter().any(|s| s.name.starts_with("items.0.")),
            "{:?}",
            names(&s)
        );
        for s in &s {
            assert!(
                fields::get(&faq.props_json(), &s.path).is_some(),
                "{}",
                s.name
            );
        }
        // Written back through the paths, the block still validates.
        for s in slots(&faq) {
            faq.set_path(&s.path, Value::String("New".into()))
                .expect("settable");
        }
        faq.validate().expect("valid");
    }

    fn names(s: &[Slot]) -> Vec<&str> {
        s.iter().map(|s| s.name.as_str()).collect()
    }
}
