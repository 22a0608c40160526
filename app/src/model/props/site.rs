//! Page frame and simple sections: navbar, hero, features, gallery, call to action, text, footer.

use serde::{Deserialize, Serialize};

use super::{check_count, check_len, check_url, LONG, SHORT};
use crate::error::AppError;

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
    /// The site name shown in the bar when there is no logo image. Rows stored before it
    /// existed read as empty (field default, not the starter's) and show `logo.alt` instead.
    #[serde(default)]
    pub heading: String,
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
    /// Safe markup (see `model::rich_text`); plain text with blank lines between paragraphs
    /// reads as before.
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
    /// The site name above the tagline; empty (as in rows stored before it existed) hides it.
    #[serde(default)]
    pub heading: String,
    pub logo_url: String,
    pub tagline: String,
    pub columns: Vec<FooterColumn>,
    pub social_links: Vec<SocialLink>,
    pub copyright: String,
    pub show_powered_by: bool,
    pub background_color: String,
    pub text_color: String,
}

impl NavbarProps {
    pub(super) fn check(&self) -> Result<(), AppError> {
        check_url("logo.url", &self.logo.url)?;
        check_len("logo.alt", &self.logo.alt, SHORT)?;
        check_url("cta_href", &self.cta_href)?;
        check_count("links", &self.links, 12, "A navbar", "links")?;
        for l in &self.links {
            check_len("links.label", &l.label, SHORT)?;
            check_url("links.href", &l.href)?;
        }
        Ok(())
    }
}

impl HeroProps {
    pub(super) fn check(&self) -> Result<(), AppError> {
        check_url("cta_primary_href", &self.cta_primary_href)?;
        check_url("cta_secondary_href", &self.cta_secondary_href)?;
        check_url("background_image", &self.background_image)?;
        if !(0.0..=1.0).contains(&self.background_overlay_opacity) {
            return Err(AppError::invalid(
                "background_overlay_opacity",
                "Overlay opacity must be between 0 and 1.",
            ));
        }
        Ok(())
    }
}

impl FeaturesProps {
    pub(super) fn check(&self) -> Result<(), AppError> {
        check_count("items", &self.items, 24, "A features block", "items")?;
        for i in &self.items {
            check_len("items.title", &i.title, SHORT)?;
            check_len("items.description", &i.description, LONG)?;
            check_len("items.icon", &i.icon, 40)?;
        }
        Ok(())
    }
}

impl GalleryProps {
    pub(super) fn check(&self) -> Result<(), AppError> {
        if !(1..=6).contains(&self.columns) {
            return Err(AppError::invalid(
                "columns",
                "A gallery has 1 to 6 columns.",
            ));
        }
        check_count("images", &self.images, 60, "A gallery", "images")?;
        for i in &self.images {
            check_url("images.url", &i.url)?;
            check_len("images.alt", &i.alt, SHORT)?;
            check_len("images.caption", &i.caption, SHORT)?;
        }
        Ok(())
    }
}

impl CtaProps {
    pub(super) fn check(&self) -> Result<(), AppError> {
        check_url("button_href", &self.button_href)
    }
}

impl RichTextProps {
    pub(super) fn check(&self) -> Result<(), AppError> {
        crate::model::check_rich_text("body", &self.body)
    }
}

impl FooterProps {
    pub(super) fn check(&self) -> Result<(), AppError> {
        check_url("logo_url", &self.logo_url)?;
        check_count("columns", &self.columns, 6, "A footer", "link columns")?;
        for c in &self.columns {
            check_len("columns.heading", &c.heading, SHORT)?;
            check_count("columns.links", &c.links, 12, "A footer column", "links")?;
            for l in &c.links {
                check_len("columns.links.label", &l.label, SHORT)?;
                check_url("columns.links.href", &l.href)?;
            }
        }
        check_count(
            "social_links",
            &self.social_links,
            12,
            "A footer",
            "social links",
        )?;
        for s in &self.social_links {
            check_len("social_links.platform", &s.platform, 40)?;
            check_url("social_links.url", &s.url)?;
        }
        Ok(())
    }
}
