//! Typed props per component kind (schema reference §18 shapes). `BlockProps` is the parsed form of a
//! `components` row's (`type`, `props`) pair; nothing reaches the database or a renderer
//! without passing through `BlockProps::from_parts` and `validate`.
//!
//! The per-kind structs live in the child modules, grouped by what they show; each has a
//! `check` method holding its own limits, and this file only dispatches.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::fields::{self, FieldType, Seg};
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

/// Refuses a list longer than `max` with a message naming the block and what the list holds:
/// `check_count("items", &p.items, 40, "A FAQ", "questions")` → "A FAQ holds at most 40 questions."
fn check_count<T>(
    field: &str,
    items: &[T],
    max: usize,
    block: &str,
    noun: &str,
) -> Result<(), AppError> {
    if items.len() > max {
        return Err(AppError::invalid(
            field,
            format!("{block} holds at most {max} {noun}."),
        ));
    }
    Ok(())
}

mod content;
mod media;
mod people;
mod shop;
mod site;
#[cfg(test)]
mod tests;

pub use content::*;
pub use media::*;
pub use people::*;
pub use shop::*;
pub use site::*;

/// On the wire and in snapshots: `{"type": "hero", "props": {…}}`. Serialized by the derive;
/// read by the hand-written `Deserialize` below, which parses the kind first and then only that
/// kind's props, instead of serde's adjacently tagged code that buffers everything it might
/// read out of order (a sizeable share of the browser bundle).
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    ProductGrid(ProductGridProps),
    ProductDetail(ProductDetailProps),
    Cart(CartProps),
    BuyButton(BuyButtonProps),
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
            BlockProps::ProductGrid($p) => $body,
            BlockProps::ProductDetail($p) => $body,
            BlockProps::Cart($p) => $body,
            BlockProps::BuyButton($p) => $body,
        }
    };
}

impl<'de> Deserialize<'de> for BlockProps {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Tagged {
            #[serde(rename = "type")]
            kind: ComponentKind,
            props: Value,
        }
        let Tagged { kind, props } = Tagged::deserialize(d)?;
        Self::read_props(kind, props).map_err(serde::de::Error::custom)
    }
}

impl BlockProps {
    /// Kinds the palette offers, in schema reference §9 order, then the shop's: all 22. Plan
    /// gating (custom HTML is Pro only) is enforced by the server when a block is added, not by
    /// hiding it here. Shop blocks show nothing to visitors while the plan does not sell.
    pub const PLACEABLE: [ComponentKind; 22] = ComponentKind::ALL;

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
            Self::ProductGrid(_) => ComponentKind::ProductGrid,
            Self::ProductDetail(_) => ComponentKind::ProductDetail,
            Self::Cart(_) => ComponentKind::Cart,
            Self::BuyButton(_) => ComponentKind::BuyButton,
        }
    }

    /// Parses a stored or submitted (`type`, `props`) pair. Wrong types and unknown kinds are
    /// refused with a field-level error.
    pub fn from_parts(kind: &str, props: Value) -> Result<Self, AppError> {
        let known = ComponentKind::parse(kind)
            .ok_or_else(|| AppError::invalid("type", format!("Unknown block type “{kind}”.")))?;
        let parsed = Self::parse_unchecked(known, props)?;
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

    /// The top-level text props, in inspector order.
    pub fn text_fields(&self) -> Vec<TextField> {
        let props = self.props_json();
        fields::fields(self.kind())
            .iter()
            .filter_map(|f| {
                let long = match f.ty {
                    FieldType::Text { .. } => false,
                    FieldType::LongText { .. } | FieldType::RichText => true,
                    _ => return None,
                };
                let value = props.get(f.key).and_then(Value::as_str)?.to_string();
                Some(TextField {
                    key: f.key,
                    label: f.label,
                    value,
                    long,
                })
            })
            .collect()
    }

    /// Sets one top-level text prop; `false` when the kind has no such text prop.
    pub fn set_text(&mut self, key: &str, value: String) -> bool {
        let Some(field) = self.text_fields().into_iter().find(|f| f.key == key) else {
            return false;
        };
        self.set_path(&[Seg::Key(field.key)], Value::String(value))
            .is_ok()
    }

    /// Sets the prop at `path` and parses the result back into this kind's props. Nothing
    /// changes when the value does not fit the prop's type; the error says why.
    pub fn set_path(&mut self, path: &[Seg], value: Value) -> Result<(), AppError> {
        let mut props = self.props_json();
        if !fields::set(&mut props, path, value) {
            return Err(AppError::invalid(
                &fields::error_name(path),
                "This setting does not exist on this block.",
            ));
        }
        *self = Self::parse_unchecked(self.kind(), props)?;
        Ok(())
    }

    /// Replaces the whole props object (list edits), parsed back into this kind's props.
    pub fn with_props_json(&self, props: Value) -> Result<Self, AppError> {
        Self::parse_unchecked(self.kind(), props)
    }

    fn parse_unchecked(kind: ComponentKind, props: Value) -> Result<Self, AppError> {
        Self::read_props(kind, props).map_err(|e| {
            AppError::invalid("props", format!("Invalid {} settings: {e}", kind.label()))
        })
    }

    /// Reads `props` as the props of `kind`, without the checks of `validate`.
    fn read_props(kind: ComponentKind, props: Value) -> Result<Self, serde_json::Error> {
        use super::value_reader::from_value as read;
        use ComponentKind as K;
        Ok(match kind {
            K::Navbar => Self::Navbar(read(props)?),
            K::Hero => Self::Hero(read(props)?),
            K::Features => Self::Features(read(props)?),
            K::Gallery => Self::Gallery(read(props)?),
            K::Testimonials => Self::Testimonials(read(props)?),
            K::Pricing => Self::Pricing(read(props)?),
            K::Cta => Self::Cta(read(props)?),
            K::ContactForm => Self::ContactForm(read(props)?),
            K::Team => Self::Team(read(props)?),
            K::Faq => Self::Faq(read(props)?),
            K::Stats => Self::Stats(read(props)?),
            K::BlogGrid => Self::BlogGrid(read(props)?),
            K::VideoEmbed => Self::VideoEmbed(read(props)?),
            K::Map => Self::Map(read(props)?),
            K::RichText => Self::RichText(read(props)?),
            K::ImageText => Self::ImageText(read(props)?),
            K::Footer => Self::Footer(read(props)?),
            K::CustomHtml => Self::CustomHtml(read(props)?),
            K::ProductGrid => Self::ProductGrid(read(props)?),
            K::ProductDetail => Self::ProductDetail(read(props)?),
            K::Cart => Self::Cart(read(props)?),
            K::BuyButton => Self::BuyButton(read(props)?),
        })
    }

    /// Length limits on every text, safe URLs everywhere a link or image goes, capped lists
    /// and numbers in range.
    pub fn validate(&self) -> Result<(), AppError> {
        fields::check(self.kind(), &self.props_json())?;
        with_props!(self, p => p.check())
    }
}
