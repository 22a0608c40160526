//! `websites.branding_config` (seed §18). Blocks read branding only through CSS custom
//! properties, so the canvas and the visitor site pick up the same values.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BrandColors {
    pub primary: String,
    pub secondary: String,
    pub background: String,
    pub surface: String,
    pub text: String,
    pub text_muted: String,
    pub accent: String,
}

impl Default for BrandColors {
    fn default() -> Self {
        Self {
            primary: "#4F46E5".into(),
            secondary: "#1E293B".into(),
            background: "#FFFFFF".into(),
            surface: "#F5F7FB".into(),
            text: "#1E293B".into(),
            text_muted: "#5B6475".into(),
            accent: "#F59E0B".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Typography {
    pub heading_font: String,
    pub body_font: String,
    pub base_font_size: u8,
    pub line_height: f32,
    pub heading_weight: u16,
}

impl Default for Typography {
    fn default() -> Self {
        Self {
            heading_font: "Georgia".into(),
            body_font: "system-ui".into(),
            base_font_size: 16,
            line_height: 1.6,
            heading_weight: 700,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BorderRadius {
    pub button: String,
    pub card: String,
}

impl Default for BorderRadius {
    fn default() -> Self {
        Self { button: "8px".into(), card: "12px".into() }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Branding {
    pub colors: BrandColors,
    pub typography: Typography,
    pub border_radius: BorderRadius,
}

/// `#rgb` or `#rrggbb`.
pub fn is_hex_color(s: &str) -> bool {
    let hex = s.strip_prefix('#').unwrap_or("");
    matches!(hex.len(), 3 | 6) && hex.chars().all(|c| c.is_ascii_hexdigit())
}

/// A CSS length like `8px`, `1.5rem` or `0`.
fn is_css_length(s: &str) -> bool {
    let num: String = s.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    let unit = &s[num.len()..];
    !num.is_empty() && num.len() <= 6 && matches!(unit, "" | "px" | "rem" | "em" | "%")
}

/// A font family name made of letters, digits, spaces and hyphens.
fn is_font_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= 60 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
}

impl Branding {
    /// Declarations for a `style` attribute. Values that are not well-formed fall back to the
    /// defaults, so stored JSON can never inject CSS.
    pub fn css_vars(&self) -> String {
        let d = Branding::default();
        let color = |v: &str, dv: &str| if is_hex_color(v) { v.to_string() } else { dv.to_string() };
        let len = |v: &str, dv: &str| if is_css_length(v) { v.to_string() } else { dv.to_string() };
        let font = |v: &str, dv: &str| if is_font_name(v) { v.to_string() } else { dv.to_string() };
        let c = &self.colors;
        let t = &self.typography;
        format!(
            "--sp-primary:{};--sp-secondary:{};--sp-bg:{};--sp-surface:{};--sp-text:{};--sp-muted:{};--sp-accent:{};\
             --sp-heading-font:{};--sp-body-font:{};--sp-font-size:{}px;--sp-line-height:{};--sp-heading-weight:{};\
             --sp-radius-button:{};--sp-radius-card:{};",
            color(&c.primary, &d.colors.primary),
            color(&c.secondary, &d.colors.secondary),
            color(&c.background, &d.colors.background),
            color(&c.surface, &d.colors.surface),
            color(&c.text, &d.colors.text),
            color(&c.text_muted, &d.colors.text_muted),
            color(&c.accent, &d.colors.accent),
            font(&t.heading_font, &d.typography.heading_font),
            font(&t.body_font, &d.typography.body_font),
            t.base_font_size.clamp(12, 24),
            t.line_height.clamp(1.0, 2.5),
            (t.heading_weight.clamp(100, 900) / 100) * 100,
            len(&self.border_radius.button, &d.border_radius.button),
            len(&self.border_radius.card, &d.border_radius.card),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_branding_cannot_inject_css() {
        let mut b = Branding::default();
        b.colors.primary = "red;} body{display:none".into();
        b.typography.heading_font = "x;}".into();
        b.border_radius.card = "1px;background:url(x)".into();
        let css = b.css_vars();
        assert!(css.contains("--sp-primary:#4F46E5;"));
        assert!(!css.contains('}'));
        assert!(!css.contains("url("));
    }
}
