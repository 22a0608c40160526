//! Pages of a website (schema reference §8) as the builder's Pages panel sees them, and the parsers for
//! their title, address and navigation label. SEO and layout settings are in `page_meta`.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{parse_name, slugify, PageConfig, SeoMeta};
use crate::error::AppError;

/// `pages.status` (schema reference §19).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageStatus {
    /// Only visible in the builder.
    Draft,
    /// Live after the next publish.
    Published,
    /// Published but left out of the navigation (reachable by its address).
    Hidden,
}

impl PageStatus {
    pub const ALL: [PageStatus; 3] = [Self::Draft, Self::Published, Self::Hidden];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
            Self::Hidden => "hidden",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::Published => "Published",
            Self::Hidden => "Hidden (published, not in navigation)",
        }
    }
}

/// A page's address inside its website: `/` for the home page, otherwise `/` followed by
/// segments of lowercase letters and digits joined by single hyphens (`/about`, `/menu/drinks`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageSlug(String);

impl PageSlug {
    /// Longest accepted address (the database allows 200; shorter keeps links readable).
    pub const MAX: usize = 100;

    pub fn home() -> Self {
        Self("/".into())
    }

    /// Parses the address of a page that is not the home page (`/` alone is refused here:
    /// only "make this the home page" moves a page to `/`).
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let v = raw.trim();
        let err = |m: String| Err(AppError::invalid("slug", m));
        if v.is_empty() {
            return err("Enter the page's address, like /about.".into());
        }
        if !v.starts_with('/') {
            return err(format!(
                "Start the address with /, like {}.",
                Self::suggest(v)
            ));
        }
        if v == "/" {
            return err("Only the home page uses /. Use “Make this the home page” instead.".into());
        }
        if v.chars().count() > Self::MAX {
            return err(format!("Keep the address under {} characters.", Self::MAX));
        }
        for seg in v[1..].split('/') {
            if seg.is_empty() {
                return err("Remove the extra / (an address cannot have // or end with /).".into());
            }
            if !seg
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                return err(format!(
                    "Use only lowercase letters, digits and hyphens, like {}.",
                    Self::suggest(v)
                ));
            }
            if seg.starts_with('-') || seg.ends_with('-') || seg.contains("--") {
                return err("Put single hyphens between words, like /our-menu.".into());
            }
        }
        Ok(Self(v.to_string()))
    }

    /// A valid address made from any text (a page title, a mistyped address): `/about-us`,
    /// or `/page` when nothing usable is left.
    pub fn suggest(text: &str) -> String {
        let s = slugify(text, 60);
        if s.is_empty() {
            "/page".into()
        } else {
            format!("/{s}")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A page title: what the builder lists and the default navigation text.
pub fn parse_page_title(raw: &str) -> Result<String, AppError> {
    parse_name("title", "a page title", raw, 1, 80)
}

/// The optional navigation text; blank means "use the title".
pub fn parse_nav_label(raw: &str) -> Result<Option<String>, AppError> {
    let v = raw.trim();
    if v.is_empty() {
        return Ok(None);
    }
    parse_name("nav_label", "the navigation label", v, 1, 40).map(Some)
}

/// A visitor password for a protected page (stored only as an argon2 hash).
pub fn parse_page_password(raw: &str) -> Result<String, AppError> {
    let n = raw.chars().count();
    if raw.trim().is_empty() || n < 6 {
        return Err(AppError::invalid(
            "page_password",
            "Use at least 6 characters for the page password.",
        ));
    }
    if n > 128 {
        return Err(AppError::invalid(
            "page_password",
            "Use at most 128 characters for the page password.",
        ));
    }
    Ok(raw.to_string())
}

/// One page as the Pages panel shows it. The password hash never leaves the server; only
/// whether there is one.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageInfo {
    pub id: Uuid,
    pub title: String,
    pub slug: String,
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub status: PageStatus,
    pub is_home: bool,
    pub show_in_nav: bool,
    pub nav_order: i32,
    pub nav_label: Option<String>,
    pub password_protected: bool,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub seo_meta: SeoMeta,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub page_config: PageConfig,
    /// Concurrency token of the page's settings (not of its blocks, which use `revision`).
    pub settings_revision: i64,
}

/// The pages of one website in navigation order, with the plan's page limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PagesOverview {
    pub website_id: Uuid,
    pub pages: Vec<PageInfo>,
    pub max_pages: i64,
    pub plan_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageCreated {
    pub id: Uuid,
    pub overview: PagesOverview,
}

/// A change to a page's settings; `None` leaves a setting as it is. `nav_label: Some("")`
/// clears the label.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PagePatch {
    pub title: Option<String>,
    pub slug: Option<String>,
    pub status: Option<PageStatus>,
    pub show_in_nav: Option<bool>,
    pub nav_label: Option<String>,
    pub seo_meta: Option<SeoMeta>,
    pub page_config: Option<PageConfig>,
}

/// One step in the navigation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NavMove {
    Up,
    Down,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slug_err(raw: &str) -> String {
        match PageSlug::parse(raw) {
            Err(AppError::Invalid { field, message }) if field == "slug" => message,
            other => panic!("{raw}: expected a slug error, got {other:?}"),
        }
    }

    #[test]
    fn slugs_follow_the_page_address_rules() {
        for ok in [
            "/about",
            "/our-menu",
            "/menu/drinks-2024",
            "/a",
            " /contact ",
        ] {
            assert!(PageSlug::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            PageSlug::parse(" /contact ").map(|s| s.as_str().to_string()),
            Ok("/contact".into())
        );
        assert!(slug_err("about").contains("/about"));
        assert!(slug_err("/").contains("home page"));
        assert!(slug_err("/About").contains("lowercase"));
        assert!(slug_err("/about us").contains("/about-us"));
        assert!(slug_err("/about/").contains("/"));
        assert!(slug_err("//evil.com").contains("//"));
        assert!(slug_err("/-x").contains("hyphen"));
        assert!(slug_err("/a--b").contains("hyphen"));
        assert!(slug_err(&format!("/{}", "a".repeat(100))).contains("100"));
        assert!(slug_err("").contains("address"));
    }

    #[test]
    fn suggestions_are_valid_slugs() {
        assert_eq!(PageSlug::suggest("About Us!"), "/about-us");
        assert_eq!(PageSlug::suggest("Café menu"), "/cafe-menu");
        assert_eq!(PageSlug::suggest("###"), "/page");
        for t in [
            "About Us!",
            "###",
            "Ünïcode — text",
            "a very long title that goes on and on and on and on and on",
        ] {
            assert!(PageSlug::parse(&PageSlug::suggest(t)).is_ok(), "{t}");
        }
    }

    #[test]
    fn titles_labels_and_passwords() {
        assert_eq!(parse_page_title("  About  "), Ok("About".into()));
        assert!(parse_page_title("   ").is_err());
        assert!(parse_page_title(&"x".repeat(81)).is_err());
        assert_eq!(parse_nav_label("  "), Ok(None));
        assert_eq!(parse_nav_label(" Team "), Ok(Some("Team".into())));
        assert!(
            matches!(parse_nav_label(&"x".repeat(41)), Err(AppError::Invalid { field, .. }) if field == "nav_label")
        );
        assert!(parse_page_password("12345").is_err());
        assert!(parse_page_password("      ").is_err());
        assert!(parse_page_password("secret").is_ok());
        assert_eq!(PageStatus::parse("hidden"), Some(PageStatus::Hidden));
        assert_eq!(PageStatus::parse("live"), None);
    }
}
