//! A page's SEO meta (`pages.seo_meta`, schema reference §18) and layout settings (`pages.page_config`,
//! schema reference §8), with the checks that run before either is stored.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{check_len, check_url, is_hex_color};
use crate::error::AppError;

/// `pages.seo_meta`, key for key as in schema reference §18. Empty texts are stored as absent keys.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SeoMeta {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub og_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub og_description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub og_image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub og_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub twitter_card: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canonical_url: Option<String>,
    pub no_index: bool,
    pub no_follow: bool,
    /// JSON-LD; not edited in the panel, kept as it is.
    pub structured_data: Map<String, Value>,
}

pub const OG_TYPES: [&str; 4] = ["website", "article", "profile", "book"];
pub const TWITTER_CARDS: [&str; 4] = ["summary", "summary_large_image", "app", "player"];
/// Upper bound for the serialised structured data, so one page cannot bloat every snapshot.
const STRUCTURED_DATA_MAX: usize = 8_000;

/// Trimmed text or `None` when blank; refuses control characters and text over `max`.
fn text(field: &str, value: Option<String>, max: usize) -> Result<Option<String>, AppError> {
    let Some(v) = value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
    else {
        return Ok(None);
    };
    check_len(field, &v, max)?;
    if v.chars().any(char::is_control) {
        return Err(AppError::invalid(
            field,
            "Remove line breaks and special control characters.",
        ));
    }
    Ok(Some(v))
}

/// One of `allowed`, or `None` when blank.
fn choice(
    field: &str,
    value: Option<String>,
    allowed: &[&str],
) -> Result<Option<String>, AppError> {
    match value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
    {
        None => Ok(None),
        Some(v) if allowed.contains(&v.as_str()) => Ok(Some(v)),
        Some(_) => Err(AppError::invalid(
            field,
            format!("Choose one of: {}.", allowed.join(", ")),
        )),
    }
}

fn is_http(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|r| {
        r.split(['/', '?', '#'])
            .next()
            .is_some_and(|host| !host.is_empty())
    })
}

impl SeoMeta {
    /// The stored form: texts trimmed (blank removed), lengths capped, URLs safe, choices known.
    pub fn parse(self) -> Result<Self, AppError> {
        let og_image = text("og_image", self.og_image, 2048)?;
        if let Some(url) = &og_image {
            // check_url refuses unsafe schemes; an image must further be http(s) or on the site.
            let relative = url.starts_with('/') && !url.starts_with("//");
            if check_url("og_image", url).is_err() || !(is_http(url) || relative) {
                return Err(AppError::invalid(
                    "og_image",
                    "Use an image address starting with https:// or /.",
                ));
            }
        }
        let canonical_url = text("canonical_url", self.canonical_url, 2048)?;
        if let Some(url) = &canonical_url {
            if check_url("canonical_url", url).is_err() || !is_http(url) {
                return Err(AppError::invalid(
                    "canonical_url",
                    "Use a full address starting with https://, like https://www.example.com/about.",
                ));
            }
        }
        let size = serde_json::to_string(&self.structured_data)
            .map(|s| s.len())
            .unwrap_or(usize::MAX);
        if size > STRUCTURED_DATA_MAX {
            return Err(AppError::invalid(
                "structured_data",
                "Structured data is too large (8,000 characters at most).",
            ));
        }
        Ok(Self {
            title: text("seo_title", self.title, 120)?,
            description: text("seo_description", self.description, 320)?,
            og_title: text("og_title", self.og_title, 120)?,
            og_description: text("og_description", self.og_description, 320)?,
            og_image,
            og_type: choice("og_type", self.og_type, &OG_TYPES)?,
            twitter_card: choice("twitter_card", self.twitter_card, &TWITTER_CARDS)?,
            canonical_url,
            no_index: self.no_index,
            no_follow: self.no_follow,
            structured_data: self.structured_data,
        })
    }
}

/// `pages.page_config` (schema reference §8): page-level layout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PageConfig {
    pub show_navbar: bool,
    pub show_footer: bool,
    /// `#rgb`/`#rrggbb`, or `None` for the website's background colour.
    pub background_color: Option<String>,
    /// `NNNpx` (320–2560) or `100%`.
    pub max_width: String,
    /// `0` or `NNpx` (0–200).
    pub padding: String,
}

impl Default for PageConfig {
    fn default() -> Self {
        Self {
            show_navbar: true,
            show_footer: true,
            background_color: None,
            max_width: "1280px".into(),
            padding: "0".into(),
        }
    }
}

/// Whole pixels `NNNpx` within `range`.
fn px(v: &str, range: std::ops::RangeInclusive<u32>) -> bool {
    v.strip_suffix("px")
        .filter(|n| !n.is_empty() && n.len() <= 4 && n.chars().all(|c| c.is_ascii_digit()))
        .and_then(|n| n.parse::<u32>().ok())
        .is_some_and(|n| range.contains(&n))
}

impl PageConfig {
    /// The stored form; values go into CSS, so only well-formed ones are accepted.
    pub fn parse(self) -> Result<Self, AppError> {
        let background_color =
            match self.background_color.map(|c| c.trim().to_ascii_lowercase()) {
                Some(c) if c.is_empty() => None,
                Some(c) if is_hex_color(&c) => Some(c),
                Some(_) => return Err(AppError::invalid(
                    "background_color",
                    "Use a hex colour like #ffffff, or leave it empty for the site's background.",
                )),
                None => None,
            };
        let max_width = self.max_width.trim().to_ascii_lowercase();
        if !(max_width == "100%" || px(&max_width, 320..=2560)) {
            return Err(AppError::invalid(
                "max_width",
                "Use a width from 320px to 2560px, or 100% for full width.",
            ));
        }
        let padding = self.padding.trim().to_ascii_lowercase();
        if !(padding == "0" || px(&padding, 0..=200)) {
            return Err(AppError::invalid(
                "padding",
                "Use 0 or a padding from 0px to 200px.",
            ));
        }
        Ok(Self {
            show_navbar: self.show_navbar,
            show_footer: self.show_footer,
            background_color,
            max_width,
            padding,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(r: Result<impl std::fmt::Debug, AppError>) -> String {
        match r {
            Err(AppError::Invalid { field, .. }) => field,
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn seo_meta_is_trimmed_and_checked() {
        let seo = SeoMeta {
            title: Some("  Our menu  ".into()),
            description: Some("   ".into()),
            og_image: Some("https://cdn.example.com/og.jpg".into()),
            canonical_url: Some("https://www.example.com/menu".into()),
            og_type: Some("website".into()),
            ..SeoMeta::default()
        }
        .parse()
        .expect("valid");
        assert_eq!(seo.title.as_deref(), Some("Our menu"));
        assert_eq!(seo.description, None);
        let json = serde_json::to_value(&seo).expect("json");
        assert!(
            json.get("description").is_none(),
            "blank texts are not stored"
        );
        assert_eq!(json["no_index"], false);

        let bad = |s: SeoMeta| field(s.parse());
        assert_eq!(
            bad(SeoMeta {
                og_image: Some("javascript:alert(1)".into()),
                ..Default::default()
            }),
            "og_image"
        );
        assert_eq!(
            bad(SeoMeta {
                og_image: Some("mailto:a@b.c".into()),
                ..Default::default()
            }),
            "og_image"
        );
        assert_eq!(
            bad(SeoMeta {
                canonical_url: Some("/menu".into()),
                ..Default::default()
            }),
            "canonical_url"
        );
        assert_eq!(
            bad(SeoMeta {
                canonical_url: Some("https://".into()),
                ..Default::default()
            }),
            "canonical_url"
        );
        assert_eq!(
            bad(SeoMeta {
                title: Some("x".repeat(121)),
                ..Default::default()
            }),
            "seo_title"
        );
        assert_eq!(
            bad(SeoMeta {
                description: Some("a\u{7}b".into()),
                ..Default::default()
            }),
            "seo_description"
        );
        assert_eq!(
            bad(SeoMeta {
                og_type: Some("video".into()),
                ..Default::default()
            }),
            "og_type"
        );
        assert_eq!(
            bad(SeoMeta {
                twitter_card: Some("huge".into()),
                ..Default::default()
            }),
            "twitter_card"
        );
        let mut big = Map::new();
        big.insert("x".into(), Value::String("y".repeat(9000)));
        assert_eq!(
            bad(SeoMeta {
                structured_data: big,
                ..Default::default()
            }),
            "structured_data"
        );
    }

    #[test]
    fn stored_seo_meta_in_the_seed_shape_reads_back() {
        let stored = serde_json::json!({ "title": "T", "no_index": true, "structured_data": {} });
        let seo: SeoMeta = serde_json::from_value(stored).expect("reads");
        assert!(seo.no_index && seo.title.as_deref() == Some("T"));
        let empty: SeoMeta = serde_json::from_value(serde_json::json!({})).expect("empty object");
        assert_eq!(empty, SeoMeta::default());
    }

    #[test]
    fn page_config_values_are_safe_css() {
        let ok = PageConfig {
            background_color: Some(" #FFF ".into()),
            max_width: "100%".into(),
            ..Default::default()
        }
        .parse()
        .expect("valid");
        assert_eq!(ok.background_color.as_deref(), Some("#fff"));
        assert!(PageConfig::default().parse().is_ok());
        assert_eq!(
            PageConfig {
                padding: "24px".into(),
                ..Default::default()
            }
            .parse()
            .map(|c| c.padding),
            Ok("24px".into())
        );
        let bad = |c: PageConfig| field(c.parse());
        assert_eq!(
            bad(PageConfig {
                background_color: Some("red;x:y".into()),
                ..Default::default()
            }),
            "background_color"
        );
        assert_eq!(
            bad(PageConfig {
                max_width: "100px".into(),
                ..Default::default()
            }),
            "max_width"
        );
        assert_eq!(
            bad(PageConfig {
                max_width: "1280px;color:red".into(),
                ..Default::default()
            }),
            "max_width"
        );
        assert_eq!(
            bad(PageConfig {
                padding: "300px".into(),
                ..Default::default()
            }),
            "padding"
        );
        assert_eq!(
            bad(PageConfig {
                padding: "1em".into(),
                ..Default::default()
            }),
            "padding"
        );
        let stored: PageConfig =
            serde_json::from_value(serde_json::json!({})).expect("empty object");
        assert_eq!(stored, PageConfig::default());
    }
}
