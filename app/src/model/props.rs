//! Typed props per component kind (seed §18 shapes). `BlockProps` is the parsed form of a
//! `components` row's (`type`, `props`) pair; nothing reaches the database or a renderer
//! without passing through `BlockProps::from_parts` and `validate`.
//!
//! The per-kind structs live in the child modules, grouped by what they show; each has a
//! `check` method holding its own limits, and this file only dispatches.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{check_len, check_url, ComponentKind};
use crate::error::AppError;

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

/// Declares, once per kind, which string props are editable as text: (key, label, long?), with
/// an optional `max = N` when the default limit for short/long text does not fit.
/// The same table drives the inspector, `set_text` and length validation.
macro_rules! text_props {
    (@max $long:literal) => { if $long { LONG } else { SHORT } };
    (@max $long:literal, $max:expr) => { $max };
    ($props:ident { $($key:ident : $label:literal, $long:literal $(, max = $max:expr)?;)* }) => {
        impl $props {
            pub fn text_fields(&self) -> Vec<TextField> {
                vec![$(TextField {
                    key: stringify!($key),
                    label: $label,
                    value: self.$key.clone(),
                    long: $long,
                }),*]
            }

            pub(super) fn set_text(&mut self, key: &str, value: String) -> bool {
                match key {
                    $(stringify!($key) => { self.$key = value; true })*
                    _ => false,
                }
            }

            pub(super) fn check_text(&self) -> Result<(), AppError> {
                $(check_len(stringify!($key), &self.$key, text_props!(@max $long $(, $max)?))?;)*
                Ok(())
            }
        }
    };
}

/// Refuses a list longer than `max` with a message naming the block and what the list holds:
/// `check_count("items", &p.items, 40, "A FAQ", "questions")` → "A FAQ holds at most 40 questions."
fn check_count<T>(field: &str, items: &[T], max: usize, block: &str, noun: &str) -> Result<(), AppError> {
    if items.len() > max {
        return Err(AppError::invalid(field, format!("{block} holds at most {max} {noun}.")));
    }
    Ok(())
}

mod content;
mod media;
mod people;
mod site;
#[cfg(test)]
mod tests;

pub use content::*;
pub use media::*;
pub use people::*;
pub use site::*;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "props", rename_all = "snake_case")]
pub enum BlockProps {
    Navbar(NavbarProps),
    Hero(HeroProps),
    Features(FeaturesProps),
    Gallery(GalleryProps),
    Testimonials(TestimonialsProps),
    Pricing(PricingProps),
    Cta(CtaProps),
    ContactForm(ContactFormProps),
    Team(TeamProps),
    Faq(FaqProps),
    Stats(StatsProps),
    BlogGrid(BlogGridProps),
    VideoEmbed(VideoEmbedProps),
    Map(MapProps),
    RichText(RichTextProps),
    ImageText(ImageTextProps),
    Footer(FooterProps),
    CustomHtml(CustomHtmlProps),
}

/// Runs `$body` with `$p` bound to the props of whichever kind `$block` is. Every per-kind
/// struct has the same method names, so one list of variants serves all dispatching methods.
macro_rules! with_props {
    ($block:expr, $p:ident => $body:expr) => {
        match $block {
            BlockProps::Navbar($p) => $body,
            BlockProps::Hero($p) => $body,
            BlockProps::Features($p) => $body,
            BlockProps::Gallery($p) => $body,
            BlockProps::Testimonials($p) => $body,
            BlockProps::Pricing($p) => $body,
            BlockProps::Cta($p) => $body,
            BlockProps::ContactForm($p) => $body,
            BlockProps::Team($p) => $body,
            BlockProps::Faq($p) => $body,
            BlockProps::Stats($p) => $body,
            BlockProps::BlogGrid($p) => $body,
            BlockProps::VideoEmbed($p) => $body,
            BlockProps::Map($p) => $body,
            BlockProps::RichText($p) => $body,
            BlockProps::ImageText($p) => $body,
            BlockProps::Footer($p) => $body,
            BlockProps::CustomHtml($p) => $body,
        }
    };
}

impl BlockProps {
    /// Kinds the palette offers, in seed §9 order: all 18. Plan gating (custom HTML is Pro
    /// only) is enforced by the server when a block is added, not by hiding it here.
    pub const PLACEABLE: [ComponentKind; 18] = ComponentKind::ALL;

    pub fn kind(&self) -> ComponentKind {
        match self {
            Self::Navbar(_) => ComponentKind::Navbar,
            Self::Hero(_) => ComponentKind::Hero,
            Self::Features(_) => ComponentKind::Features,
            Self::Gallery(_) => ComponentKind::Gallery,
            Self::Testimonials(_) => ComponentKind::Testimonials,
            Self::Pricing(_) => ComponentKind::Pricing,
            Self::Cta(_) => ComponentKind::Cta,
            Self::ContactForm(_) => ComponentKind::ContactForm,
            Self::Team(_) => ComponentKind::Team,
            Self::Faq(_) => ComponentKind::Faq,
            Self::Stats(_) => ComponentKind::Stats,
            Self::BlogGrid(_) => ComponentKind::BlogGrid,
            Self::VideoEmbed(_) => ComponentKind::VideoEmbed,
            Self::Map(_) => ComponentKind::Map,
            Self::RichText(_) => ComponentKind::RichText,
            Self::ImageText(_) => ComponentKind::ImageText,
            Self::Footer(_) => ComponentKind::Footer,
            Self::CustomHtml(_) => ComponentKind::CustomHtml,
        }
    }

    /// Parses a stored or submitted (`type`, `props`) pair. Wrong types and unknown kinds are
    /// refused with a field-level error.
    pub fn from_parts(kind: &str, props: Value) -> Result<Self, AppError> {
        let known = ComponentKind::parse(kind)
            .ok_or_else(|| AppError::invalid("type", format!("Unknown block type “{kind}”.")))?;
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
        with_props!(self, p => p.text_fields())
    }

    /// Sets one text prop; `false` when the kind has no such prop.
    pub fn set_text(&mut self, key: &str, value: String) -> bool {
        with_props!(self, p => p.set_text(key, value))
    }

    /// Length limits on every text, safe URLs everywhere a link or image goes, capped lists
    /// and numbers in range.
    pub fn validate(&self) -> Result<(), AppError> {
        with_props!(self, p => {
            p.check_text()?;
            p.check()
        })
    }
}
