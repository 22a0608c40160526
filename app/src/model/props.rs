//! Typed props per component kind (seed §18 shapes). `BlockProps` is the parsed form of a
//! `components` row's (`type`, `props`) pair; nothing reaches the database or a renderer
//! without passing through `BlockProps::from_parts` and `validate`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{check_len, check_url, ComponentKind};
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "props", rename_all = "snake_case")]
pub enum BlockProps {
    Navbar(NavbarProps),
    Hero(HeroProps),
    Features(FeaturesProps),
    Gallery(GalleryProps),
    Cta(CtaProps),
    RichText(RichTextProps),
    Footer(FooterProps),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LogoRef {
    pub url: String,
    pub alt: String,
    pub width: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NavLink {
    pub label: String,
    pub href: String,
    #[serde(default)]
    pub is_external: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NavbarProps {
    pub logo: LogoRef,
    pub links: Vec<NavLink>,
    pub style: String,
    pub background_color: String,
    pub text_color: String,
    pub show_cta_button: bool,
    pub cta_label: String,
    pub cta_href: String,
    pub mobile_breakpoint: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HeroProps {
    pub heading: String,
    pub subheading: String,
    pub cta_primary_label: String,
    pub cta_primary_href: String,
    pub cta_secondary_label: String,
    pub cta_secondary_href: String,
    pub background_type: String,
    pub background_image: String,
    pub background_overlay_opacity: f32,
    pub background_color: String,
    pub text_align: String,
    pub min_height: String,
    pub heading_size: String,
    pub text_color: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureItem {
    pub icon: String,
    pub title: String,
    pub description: String,
    #[serde(default)]
    pub icon_color: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FeaturesProps {
    pub heading: String,
    pub subheading: String,
    pub layout: String,
    pub items: Vec<FeatureItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GalleryImage {
    pub url: String,
    pub alt: String,
    #[serde(default)]
    pub caption: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GalleryProps {
    pub heading: String,
    pub layout: String,
    pub columns: u8,
    pub images: Vec<GalleryImage>,
    pub enable_lightbox: bool,
    pub show_captions: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CtaProps {
    pub heading: String,
    pub body: String,
    pub button_label: String,
    pub button_href: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RichTextProps {
    pub heading: String,
    /// Plain text; blank lines separate paragraphs.
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FooterLink {
    pub label: String,
    pub href: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FooterColumn {
    pub heading: String,
    pub links: Vec<FooterLink>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SocialLink {
    pub platform: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FooterProps {
    pub logo_url: String,
    pub tagline: String,
    pub columns: Vec<FooterColumn>,
    pub social_links: Vec<SocialLink>,
    pub copyright: String,
    pub show_powered_by: bool,
    pub background_color: String,
    pub text_color: String,
}

/// One editable text prop, as the inspector shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct TextField {
    pub key: &'static str,
    pub label: &'static str,
    pub value: String,
    pub long: bool,
}

const SHORT: usize = 200;
const LONG: usize = 5_000;

/// Declares, once per kind, which string props are editable as text: (key, label, long?).
/// The same table drives the inspector, `set_text` and length validation.
macro_rules! text_props {
    ($props:ident { $($key:ident : $label:literal, $long:literal;)* }) => {
        impl $props {
            pub fn text_fields(&self) -> Vec<TextField> {
                vec![$(TextField {
                    key: stringify!($key),
                    label: $label,
                    value: self.$key.clone(),
                    long: $long,
                }),*]
            }

            fn set_text(&mut self, key: &str, value: String) -> bool {
                match key {
                    $(stringify!($key) => { self.$key = value; true })*
                    _ => false,
                }
            }

            fn check_text(&self) -> Result<(), AppError> {
                $(check_len(stringify!($key), &self.$key, if $long { LONG } else { SHORT })?;)*
                Ok(())
            }
        }
    };
}

text_props!(NavbarProps { cta_label: "Button label", false; });
text_props!(HeroProps {
    heading: "Heading", false;
    subheading: "Subheading", true;
    cta_primary_label: "Primary button label", false;
    cta_secondary_label: "Secondary button label", false;
});
text_props!(FeaturesProps { heading: "Heading", false; subheading: "Subheading", true; });
text_props!(GalleryProps { heading: "Heading", false; });
text_props!(CtaProps { heading: "Heading", false; body: "Body", true; button_label: "Button label", false; });
text_props!(RichTextProps { heading: "Heading", false; body: "Body", true; });
text_props!(FooterProps { tagline: "Tagline", false; copyright: "Copyright", false; });

impl BlockProps {
    /// Kinds the builder can place today; the rest of the 18 arrive with their renderers.
    pub const PLACEABLE: [ComponentKind; 7] = [
        ComponentKind::Navbar,
        ComponentKind::Hero,
        ComponentKind::Features,
        ComponentKind::Gallery,
        ComponentKind::Cta,
        ComponentKind::RichText,
        ComponentKind::Footer,
    ];

    pub fn kind(&self) -> ComponentKind {
        match self {
            Self::Navbar(_) => ComponentKind::Navbar,
            Self::Hero(_) => ComponentKind::Hero,
            Self::Features(_) => ComponentKind::Features,
            Self::Gallery(_) => ComponentKind::Gallery,
            Self::Cta(_) => ComponentKind::Cta,
            Self::RichText(_) => ComponentKind::RichText,
            Self::Footer(_) => ComponentKind::Footer,
        }
    }

    /// Parses a stored or submitted (`type`, `props`) pair. Wrong types and unknown kinds are
    /// refused with a field-level error.
    pub fn from_parts(kind: &str, props: Value) -> Result<Self, AppError> {
        let known = ComponentKind::parse(kind)
            .ok_or_else(|| AppError::invalid("type", format!("Unknown block type “{kind}”.")))?;
        if !Self::PLACEABLE.contains(&known) {
            return Err(AppError::invalid(
                "type",
                format!("{} blocks are not available yet.", known.label()),
            ));
        }
        let tagged = serde_json::json!({ "type": kind, "props": props });
        let parsed: Self = serde_json::from_value(tagged)
            .map_err(|e| AppError::invalid("props", format!("Invalid {} settings: {e}", known.label())))?;
        parsed.validate()?;
        Ok(parsed)
    }

    /// The JSON stored in `components.props`.
    pub fn props_json(&self) -> Value {
        match serde_json::to_value(self) {
            Ok(Value::Object(mut m)) => m.remove("props").unwrap_or(Value::Null),
            _ => Value::Null,
        }
    }

    pub fn text_fields(&self) -> Vec<TextField> {
        match self {
            Self::Navbar(p) => p.text_fields(),
            Self::Hero(p) => p.text_fields(),
            Self::Features(p) => p.text_fields(),
            Self::Gallery(p) => p.text_fields(),
            Self::Cta(p) => p.text_fields(),
            Self::RichText(p) => p.text_fields(),
            Self::Footer(p) => p.text_fields(),
        }
    }

    /// Sets one text prop; `false` when the kind has no such prop.
    pub fn set_text(&mut self, key: &str, value: String) -> bool {
        match self {
            Self::Navbar(p) => p.set_text(key, value),
            Self::Hero(p) => p.set_text(key, value),
            Self::Features(p) => p.set_text(key, value),
            Self::Gallery(p) => p.set_text(key, value),
            Self::Cta(p) => p.set_text(key, value),
            Self::RichText(p) => p.set_text(key, value),
            Self::Footer(p) => p.set_text(key, value),
        }
    }

    /// Length limits on every text, safe URLs everywhere a link or image goes.
    pub fn validate(&self) -> Result<(), AppError> {
        match self {
            Self::Navbar(p) => {
                p.check_text()?;
                check_url("logo.url", &p.logo.url)?;
                check_url("cta_href", &p.cta_href)?;
                if p.links.len() > 12 {
                    return Err(AppError::invalid("links", "A navbar holds at most 12 links."));
                }
                for l in &p.links {
                    check_len("links.label", &l.label, SHORT)?;
                    check_url("links.href", &l.href)?;
                }
            }
            Self::Hero(p) => {
                p.check_text()?;
                check_url("cta_primary_href", &p.cta_primary_href)?;
                check_url("cta_secondary_href", &p.cta_secondary_href)?;
                check_url("background_image", &p.background_image)?;
                if !(0.0..=1.0).contains(&p.background_overlay_opacity) {
                    return Err(AppError::invalid(
                        "background_overlay_opacity",
                        "Overlay opacity must be between 0 and 1.",
                    ));
                }
            }
            Self::Features(p) => {
                p.check_text()?;
                if p.items.len() > 24 {
                    return Err(AppError::invalid("items", "A features block holds at most 24 items."));
                }
                for i in &p.items {
                    check_len("items.title", &i.title, SHORT)?;
                    check_len("items.description", &i.description, LONG)?;
                    check_len("items.icon", &i.icon, 40)?;
                }
            }
            Self::Gallery(p) => {
                p.check_text()?;
                if !(1..=6).contains(&p.columns) {
                    return Err(AppError::invalid("columns", "A gallery has 1 to 6 columns."));
                }
                if p.images.len() > 60 {
                    return Err(AppError::invalid("images", "A gallery holds at most 60 images."));
                }
                for i in &p.images {
                    check_url("images.url", &i.url)?;
                    check_len("images.alt", &i.alt, SHORT)?;
                    check_len("images.caption", &i.caption, SHORT)?;
                }
            }
            Self::Cta(p) => {
                p.check_text()?;
                check_url("button_href", &p.button_href)?;
            }
            Self::RichText(p) => p.check_text()?,
            Self::Footer(p) => {
                p.check_text()?;
                check_url("logo_url", &p.logo_url)?;
                for c in &p.columns {
                    check_len("columns.heading", &c.heading, SHORT)?;
                    for l in &c.links {
                        check_len("columns.links.label", &l.label, SHORT)?;
                        check_url("columns.links.href", &l.href)?;
                    }
                }
                for s in &p.social_links {
                    check_url("social_links.url", &s.url)?;
                }
            }
        }
        Ok(())
    }
}
