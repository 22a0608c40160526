//! The rules for `Branding`. Two lines of defence keep stored JSON from injecting CSS:
//! [`Branding::validate`] refuses anything malformed before it is saved, and
//! [`Branding::css_vars`] re-checks every value and falls back to the default for anything that
//! still does not parse (rows written before a rule existed, or by hand).

use serde::{Deserialize, Serialize};

use super::{check_len, check_url, Branding};
use crate::error::AppError;

/// The fonts a site can choose. No web fonts are loaded, so each name is followed by a generic
/// fallback in the stylesheet; "system-ui" is the generic family itself.
pub const FONTS: [&str; 12] = [
    "system-ui",
    "Inter",
    "Helvetica",
    "Arial",
    "Verdana",
    "Trebuchet MS",
    "Georgia",
    "Playfair Display",
    "Times New Roman",
    "Palatino",
    "Garamond",
    "Courier New",
];

/// Allowed ranges for the numeric settings (also the panel's input limits).
pub const FONT_SIZE: (u8, u8) = (12, 24);
pub const LINE_HEIGHT: (f32, f32) = (1.0, 2.5);
pub const HEADING_WEIGHT: (u16, u16) = (100, 900);
pub const LOGO_WIDTH: (u32, u32) = (16, 600);
pub const LOGO_HEIGHT: (u32, u32) = (16, 300);

/// `#rgb` or `#rrggbb`.
pub fn is_hex_color(s: &str) -> bool {
    let hex = s.strip_prefix('#').unwrap_or("");
    matches!(hex.len(), 3 | 6) && hex.chars().all(|c| c.is_ascii_hexdigit())
}

/// The `#rrggbb` (lower case) form an `<input type=color>` needs; black for anything else.
pub fn color_input_value(s: &str) -> String {
    if !is_hex_color(s) {
        return "#000000".into();
    }
    let hex = &s[1..];
    let full: String = if hex.len() == 3 {
        hex.chars().flat_map(|c| [c, c]).collect()
    } else {
        hex.into()
    };
    format!("#{}", full.to_ascii_lowercase())
}

/// Which lengths a setting accepts, in pixels (rem/em count 16 px) and, if at all, percent.
struct LengthRule {
    min_px: f64,
    max_px: f64,
    percent: Option<(f64, f64)>,
}

const RADIUS: LengthRule = LengthRule {
    min_px: 0.0,
    max_px: 999.0,
    percent: Some((0.0, 50.0)),
};
const SECTION_PADDING: LengthRule = LengthRule {
    min_px: 0.0,
    max_px: 400.0,
    percent: None,
};
const CONTAINER: LengthRule = LengthRule {
    min_px: 320.0,
    max_px: 3000.0,
    percent: Some((50.0, 100.0)),
};

/// A CSS length like `8px`, `1.5rem`, `90%` or `0`, within `rule`. The number is digits with at
/// most one dot, so nothing but these characters can reach the stylesheet.
fn is_length(s: &str, rule: &LengthRule) -> bool {
    let num_len = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(num_len);
    if num.is_empty()
        || num.len() > 7
        || num.matches('.').count() > 1
        || num.starts_with('.')
        || num.ends_with('.')
    {
        return false;
    }
    let Ok(n) = num.parse::<f64>() else {
        return false;
    };
    match unit {
        "" => n == 0.0 && rule.min_px == 0.0,
        "px" => (rule.min_px..=rule.max_px).contains(&n),
        "rem" | "em" => (rule.min_px..=rule.max_px).contains(&(n * 16.0)),
        "%" => rule.percent.is_some_and(|(lo, hi)| (lo..=hi).contains(&n)),
        _ => false,
    }
}

/// A font family name made of letters, digits, spaces and hyphens: safe inside CSS quotes.
fn is_font_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 60
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
}

/// The CSS for a font name: generic families bare, everything else quoted.
fn font_css(name: &str) -> String {
    if matches!(name, "system-ui" | "serif" | "sans-serif" | "monospace") {
        name.to_string()
    } else {
        format!("\"{name}\"")
    }
}

/// Characters a logo address may hold. Leaves out quotes, parentheses, backslashes, `;`, braces
/// and whitespace, so the address cannot end the CSS `url("…")` it is placed in.
fn is_css_safe_url(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "-._~:/?#[]@!$&*+,=%".contains(c))
}

/// A logo must be an image address: http(s) or a site path, never `mailto:`, `#…` or a script.
fn check_logo_url(v: &str) -> Result<(), AppError> {
    check_image_address("logo.url", v)
}

/// An image address (a logo, a favicon): empty, http(s) or a site path such as a media
/// library address `/media/…`, never `mailto:`, `#…` or a script, and safe inside CSS
/// `url("…")` and an HTML attribute. The error names `field`.
pub fn check_image_address(field: &str, v: &str) -> Result<(), AppError> {
    let lower = v.to_ascii_lowercase();
    let image_like = v.is_empty()
        || (v.starts_with('/') && !v.starts_with("//"))
        || lower.starts_with("https://")
        || lower.starts_with("http://");
    if !image_like || !is_css_safe_url(v) {
        return Err(AppError::invalid(
            field,
            "Use an image address starting with https:// or a path like /logo.png, without spaces or quotes.",
        ));
    }
    // The general link rules (length, control characters) after the image-specific message.
    check_url(field, v)
}

fn range_error<T: std::fmt::Display>(field: &str, what: &str, (lo, hi): (T, T)) -> AppError {
    AppError::invalid(field, format!("{what} must be between {lo} and {hi}."))
}

impl Branding {
    /// Refuses the first malformed setting with an error naming its field (`colors.primary`,
    /// `typography.heading_font`, `logo.url`, `spacing.section_padding_y`, `border_radius.card`).
    pub fn validate(&self) -> Result<(), AppError> {
        for (key, label, value) in self.colors.entries() {
            if !is_hex_color(value) {
                return Err(AppError::invalid(
                    &format!("colors.{key}"),
                    format!("{label} colour must be a hex colour like #4F46E5."),
                ));
            }
        }
        let t = &self.typography;
        for (field, value) in [
            ("typography.heading_font", &t.heading_font),
            ("typography.body_font", &t.body_font),
        ] {
            if !FONTS.contains(&value.as_str()) {
                return Err(AppError::invalid(field, "Choose one of the listed fonts."));
            }
        }
        if !(FONT_SIZE.0..=FONT_SIZE.1).contains(&t.base_font_size) {
            return Err(range_error(
                "typography.base_font_size",
                "Base font size (px)",
                FONT_SIZE,
            ));
        }
        if !(LINE_HEIGHT.0..=LINE_HEIGHT.1).contains(&t.line_height) {
            return Err(range_error(
                "typography.line_height",
                "Line height",
                LINE_HEIGHT,
            ));
        }
        if !(HEADING_WEIGHT.0..=HEADING_WEIGHT.1).contains(&t.heading_weight)
            || !t.heading_weight.is_multiple_of(100)
        {
            return Err(AppError::invalid(
                "typography.heading_weight",
                "Heading weight must be 100, 200, … or 900.",
            ));
        }
        check_logo_url(&self.logo.url)?;
        check_len("logo.alt", &self.logo.alt, 200)?;
        if !(LOGO_WIDTH.0..=LOGO_WIDTH.1).contains(&self.logo.width) {
            return Err(range_error("logo.width", "Logo width (px)", LOGO_WIDTH));
        }
        if !(LOGO_HEIGHT.0..=LOGO_HEIGHT.1).contains(&self.logo.height) {
            return Err(range_error("logo.height", "Logo height (px)", LOGO_HEIGHT));
        }
        let lengths = [
            (
                "spacing.section_padding_y",
                &self.spacing.section_padding_y,
                &SECTION_PADDING,
                "Section padding must be a length from 0 to 400px, like 72px or 4rem.",
            ),
            (
                "spacing.container_max_width",
                &self.spacing.container_max_width,
                &CONTAINER,
                "Content width must be 320px to 3000px (like 1120px) or 50% to 100%.",
            ),
            (
                "border_radius.button",
                &self.border_radius.button,
                &RADIUS,
                "Use a length like 8px, 0.5rem or 0.",
            ),
            (
                "border_radius.card",
                &self.border_radius.card,
                &RADIUS,
                "Use a length like 12px, 1rem or 0.",
            ),
            (
                "border_radius.input",
                &self.border_radius.input,
                &RADIUS,
                "Use a length like 6px, 0.25rem or 0.",
            ),
        ];
        for (field, value, rule, message) in lengths {
            if !is_length(value, rule) {
                return Err(AppError::invalid(field, message));
            }
        }
        Ok(())
    }

    /// Declarations for a `style` attribute. Values that are not well-formed fall back to the
    /// defaults, so stored JSON can never inject CSS.
    pub fn css_vars(&self) -> String {
        let d = Branding::default();
        let color = |v: &str, dv: &str| {
            if is_hex_color(v) {
                v.to_string()
            } else {
                dv.to_string()
            }
        };
        let len = |v: &str, dv: &str, rule: &LengthRule| {
            if is_length(v, rule) {
                v.to_string()
            } else {
                dv.to_string()
            }
        };
        let font = |v: &str, dv: &str| font_css(if is_font_name(v) { v } else { dv });
        let c = &self.colors;
        let dc = &d.colors;
        let t = &self.typography;
        let line_height = if t.line_height.is_finite() {
            t.line_height.clamp(LINE_HEIGHT.0, LINE_HEIGHT.1)
        } else {
            1.6
        };
        let logo = &self.logo;
        let has_logo = !logo.url.is_empty() && check_logo_url(&logo.url).is_ok();
        let (logo_image, logo_display) = if has_logo {
            (format!("url(\"{}\")", logo.url), "inline-block")
        } else {
            ("none".into(), "none")
        };
        let (s, ds) = (&self.spacing, &d.spacing);
        let (r, dr) = (&self.border_radius, &d.border_radius);
        format!(
            "--sp-primary:{};--sp-secondary:{};--sp-bg:{};--sp-surface:{};--sp-text:{};--sp-muted:{};--sp-accent:{};\
             --sp-danger:{};--sp-success:{};\
             --sp-heading-font:{};--sp-body-font:{};--sp-font-size:{}px;--sp-line-height:{};--sp-heading-weight:{};\
             --sp-logo:{};--sp-logo-display:{};--sp-logo-width:{}px;--sp-logo-height:{}px;\
             --sp-section-padding:{};--sp-container-max:{};\
             --sp-radius-button:{};--sp-radius-card:{};--sp-radius-input:{};",
            color(&c.primary, &dc.primary),
            color(&c.secondary, &dc.secondary),
            color(&c.background, &dc.background),
            color(&c.surface, &dc.surface),
            color(&c.text, &dc.text),
            color(&c.text_muted, &dc.text_muted),
            color(&c.accent, &dc.accent),
            color(&c.danger, &dc.danger),
            color(&c.success, &dc.success),
            font(&t.heading_font, &d.typography.heading_font),
            font(&t.body_font, &d.typography.body_font),
            t.base_font_size.clamp(FONT_SIZE.0, FONT_SIZE.1),
            line_height,
            (t.heading_weight.clamp(HEADING_WEIGHT.0, HEADING_WEIGHT.1) / 100) * 100,
            logo_image,
            logo_display,
            logo.width.clamp(LOGO_WIDTH.0, LOGO_WIDTH.1),
            logo.height.clamp(LOGO_HEIGHT.0, LOGO_HEIGHT.1),
            len(&s.section_padding_y, &ds.section_padding_y, &SECTION_PADDING),
            len(&s.container_max_width, &ds.container_max_width, &CONTAINER),
            len(&r.button, &dr.button, &RADIUS),
            len(&r.card, &dr.card, &RADIUS),
            len(&r.input, &dr.input, &RADIUS),
        )
    }
}

/// WCAG 2.x relative luminance of `#rgb` / `#rrggbb` (0 black … 1 white).
fn luminance(color: &str) -> Option<f64> {
    if !is_hex_color(color) {
        return None;
    }
    let full = color_input_value(color);
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(&full[i..i + 2], 16).ok()?) / 255.0;
        Some(if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        })
    };
    Some(0.2126 * channel(1)? + 0.7152 * channel(3)? + 0.0722 * channel(5)?)
}

/// The WCAG contrast ratio of two colours, 1 to 21; `None` when one is not a hex colour.
pub fn contrast_ratio(a: &str, b: &str) -> Option<f64> {
    let (la, lb) = (luminance(a)?, luminance(b)?);
    let (hi, lo) = if la >= lb { (la, lb) } else { (lb, la) };
    Some((hi + 0.05) / (lo + 0.05))
}

/// One pair of brand colours that are shown on each other, with its contrast and the WCAG AA
/// minimum for how it is used (4.5 for body text, 3 for large text and controls).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContrastCheck {
    pub pair: String,
    pub ratio: f64,
    pub min: f64,
}

impl ContrastCheck {
    pub fn passes(&self) -> bool {
        self.ratio >= self.min
    }
}

/// Button labels on the primary colour and badges on the accent are white, and the footer's
/// text on the secondary colour is `#E2E8F0` (`.sp-button`, `.sp-plan-badge`, `.sp-footer` in
/// the site stylesheet).
const BUTTON_LABEL: &str = "#FFFFFF";
const FOOTER_TEXT: &str = "#E2E8F0";

impl super::BrandColors {
    /// The pairs the site stylesheet puts on top of each other, checked against WCAG AA.
    /// A colour that is not a hex value counts as contrast 1 (it fails).
    pub fn contrast_checks(&self) -> Vec<ContrastCheck> {
        [
            ("Text on background", &self.text, &self.background, 4.5),
            ("Text on surface", &self.text, &self.surface, 4.5),
            (
                "Muted text on background",
                &self.text_muted,
                &self.background,
                4.5,
            ),
            (
                "Button label on primary",
                &BUTTON_LABEL.to_string(),
                &self.primary,
                4.5,
            ),
            (
                "Primary on background",
                &self.primary,
                &self.background,
                3.0,
            ),
            (
                "Footer text on secondary",
                &FOOTER_TEXT.to_string(),
                &self.secondary,
                4.5,
            ),
            (
                "Badge label on accent",
                &BUTTON_LABEL.to_string(),
                &self.accent,
                4.5,
            ),
        ]
        .into_iter()
        .map(|(pair, a, b, min)| ContrastCheck {
            pair: pair.to_string(),
            // Floored, so a pair shown as 4.5 never really sits below it.
            ratio: (contrast_ratio(a, b).unwrap_or(1.0) * 100.0).floor() / 100.0,
            min,
        })
        .collect()
    }
}
