//! `suggest_color_palette`: the nine brand colours from the owner's short brief. The model's
//! answer is accepted only when it passes the branding's own validation and every pair the site
//! stylesheet shows together reaches WCAG AA, computed here (`BrandColors::contrast_checks`);
//! a palette that falls short is sent back once with the failing pairs and their ratios.

use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::ssr::{api, quoted, rate_checked_member, run, AiRequest, AiTool, UNTRUSTED};
use crate::db;
use crate::error::AppError;
use crate::model::{check_len, is_hex_color, AiAction, BrandColors, Branding, PaletteSuggestion};

/// Longest brief an owner may give.
const BRIEF_MAX: usize = 300;

pub async fn suggest_palette(
    website_id: Uuid,
    brief: String,
) -> Result<PaletteSuggestion, AppError> {
    let (m, mut tx) = rate_checked_member().await?;
    if !m.role.can_change_branding() {
        return Err(AppError::forbidden(
            "Your role cannot change the branding, so it cannot ask for a palette either.",
        ));
    }
    let api = api()?;
    let brief = brief.trim().to_string();
    check_len("brief", &brief, BRIEF_MAX)?;
    let (name, branding) = db::branding::load(&mut tx, website_id).await?;
    let req = palette_request(&name, &brief, &branding.colors);
    let check = |v: &Value| palette_check(&branding, v);
    let (colors, credits_left) = run(
        &api,
        &m,
        tx,
        AiAction::SuggestColorPalette,
        website_id,
        None,
        req,
        check,
    )
    .await?;
    Ok(PaletteSuggestion {
        checks: colors.contrast_checks(),
        colors,
        credits_left,
    })
}

/// The palette request for website `name` from the owner's `brief`, showing the colours now.
pub(super) fn palette_request(name: &str, brief: &str, current: &BrandColors) -> AiRequest {
    let defaults = BrandColors::default();
    let entries = defaults.entries();
    let mut properties = Map::new();
    for (key, label, _) in entries {
        properties.insert(
            key.to_string(),
            json!({ "type": "string", "pattern": "^#[0-9A-Fa-f]{6}$", "description": label }),
        );
    }
    let now: Vec<String> = current
        .entries()
        .iter()
        .map(|(key, label, value)| format!("{key} ({label}): {value}"))
        .collect();
    let rules = BrandColors::default()
        .contrast_checks()
        .into_iter()
        .map(|c| format!("- {}: at least {}:1", c.pair, c.min))
        .collect::<Vec<_>>()
        .join("\n");
    AiRequest {
        system: format!("You choose accessible colour palettes for small-business websites built with SitePilot. Buttons have white labels on the primary colour, badges have white labels on the accent colour, and the footer has #E2E8F0 text on the secondary colour. {UNTRUSTED}"),
        prompt: format!(
            "Website: {name}\nThe owner's brief:\n{}\n\nThe colours now:\n{}\n\nChoose nine colours as #RRGGBB. Every pair must reach its WCAG contrast ratio:\n{rules}",
            quoted(if brief.is_empty() { "(none: suit the website's name)" } else { brief }),
            now.join("\n"),
        ),
        tool: AiTool {
            name: "color_palette",
            description: "Set the website's nine brand colours.",
            schema: json!({
                "type": "object",
                "properties": properties,
                "required": entries.iter().map(|(k, _, _)| *k).collect::<Vec<_>>(),
                "additionalProperties": false
            }),
        },
        max_tokens: 600,
    }
}

/// Accepts a palette answer only when it passes the branding's own validation (applied to
/// `branding`) and every contrast check.
pub(super) fn palette_check(branding: &Branding, v: &Value) -> Result<BrandColors, String> {
    let defaults = BrandColors::default();
    let mut colors = BrandColors::default();
    for (key, _, _) in defaults.entries() {
        let value = v
            .get(key)
            .and_then(Value::as_str)
            .ok_or(format!("{key} is missing"))?
            .trim();
        if !is_hex_color(value) {
            return Err(format!("{key} is not a #RRGGBB colour"));
        }
        if let Some(slot) = colors.get_mut(key) {
            *slot = value.to_ascii_uppercase();
        }
    }
    // The same checks as saving the branding panel.
    let mut edited = branding.clone();
    edited.colors = colors.clone();
    edited.validate().map_err(|e| e.to_string())?;
    let failing: Vec<String> = colors
        .contrast_checks()
        .into_iter()
        .filter(|c| !c.passes())
        .map(|c| format!("{} is {:.2}:1 but needs {}:1", c.pair, c.ratio, c.min))
        .collect();
    if !failing.is_empty() {
        return Err(format!("the contrast is too low ({})", failing.join("; ")));
    }
    Ok(colors)
}
