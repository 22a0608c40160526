//! `websites.branding_config` (schema reference §18). Blocks read branding only through CSS custom
//! properties, so the canvas and the visitor site pick up the same values.
//!
//! The rules (`validate`, `css_vars`) live in `branding_rules.rs`.

use serde::{Deserialize, Serialize};

/// The name the builder uses for the same type.
pub type BrandingConfig = Branding;

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
    pub danger: String,
    pub success: String,
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
            accent: "#B45309".into(),
            danger: "#DC2626".into(),
            success: "#16A34A".into(),
        }
    }
}

impl BrandColors {
    /// (key, label, value) for every colour, in the order the panel shows them. The key is the
    /// field name in errors (`colors.<key>`).
    pub fn entries(&self) -> [(&'static str, &'static str, &str); 9] {
        [
            ("primary", "Primary", &self.primary),
            ("secondary", "Secondary", &self.secondary),
            ("background", "Background", &self.background),
            ("surface", "Surface", &self.surface),
            ("text", "Text", &self.text),
            ("text_muted", "Muted text", &self.text_muted),
            ("accent", "Accent", &self.accent),
            ("danger", "Danger", &self.danger),
            ("success", "Success", &self.success),
        ]
    }

    /// The colour stored under `key`, for the panel's inputs.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut String> {
        Some(match key {
            "primary" => &mut self.primary,
            "secondary" => &mut self.secondary,
            "background" => &mut self.background,
            "surface" => &mut self.surface,
            "text" => &mut self.text,
            "text_muted" => &mut self.text_muted,
            "accent" => &mut self.accent,
            "danger" => &mut self.danger,
            "success" => &mut self.success,
            _ => return None,
        })
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
pub struct BrandLogo {
    pub url: String,
    pub alt: String,
    pub width: u32,
    pub height: u32,
}

impl Default for BrandLogo {
    fn default() -> Self {
        Self {
            url: String::new(),
            alt: String::new(),
            width: 160,
            height: 50,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Spacing {
    pub section_padding_y: String,
    pub container_max_width: String,
}

/// The defaults match the stylesheet's base rules, so sites saved before spacing existed look
/// the same.
impl Default for Spacing {
    fn default() -> Self {
        Self {
            section_padding_y: "72px".into(),
            container_max_width: "1120px".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BorderRadius {
    pub button: String,
    pub card: String,
    pub input: String,
}

impl Default for BorderRadius {
    fn default() -> Self {
        Self {
            button: "8px".into(),
            card: "12px".into(),
            input: "6px".into(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Branding {
    pub colors: BrandColors,
    pub typography: Typography,
    pub logo: BrandLogo,
    pub spacing: Spacing,
    pub border_radius: BorderRadius,
}

#[cfg(test)]
#[path = "branding_tests.rs"]
mod tests;
