//! What search engines and link previews read: the `<head>` tags of a visitor page (title
//! template, description, Open Graph, Twitter, canonical URL, robots, JSON-LD), `sitemap.xml`
//! and `robots.txt`. Inputs come from the snapshot: `seo_defaults` for the site, overridden per
//! page by `seo_meta` (schema reference §18).

use serde_json::{json, Value};

use super::SiteAddress;
use crate::model::{check_url, BlockProps, Snapshot, SnapshotPage};

/// Everything `<head>` carries besides the stylesheet.
#[derive(Debug, Default, Clone)]
pub struct Head {
    pub title: String,
    pub description: Option<String>,
    /// `noindex`, `nofollow` or both; `None` lets robots index and follow.
    pub robots: Option<String>,
    pub canonical: Option<String>,
    /// `<meta property=… content=…>` (Open Graph).
    pub properties: Vec<(&'static str, String)>,
    /// `<meta name=… content=…>` (Twitter).
    pub names: Vec<(&'static str, String)>,
    /// JSON-LD documents, already safe to place inside `<script>`.
    pub json_ld: Vec<String>,
    /// The website's favicon; the app's own when `None`.
    pub icon: Option<String>,
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

fn flag(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// An address usable as an absolute link: `http(s)://…` kept, a site path made absolute,
/// anything else (other schemes, protocol-relative) dropped.
fn absolute(addr: &SiteAddress, url: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty() || check_url("url", url).is_err() {
        return None;
    }
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        return Some(url.to_string());
    }
    (url.starts_with('/') && !url.starts_with("//")).then(|| format!("{}{}", addr.base, url))
}

/// The page's title: its own SEO title as written, else the site's `title_template` with `%s`
/// replaced by the page title, else "Page | Site".
pub fn page_title(snapshot: &Snapshot, page: &SnapshotPage) -> String {
    if let Some(t) = text(&page.seo_meta, "title") {
        return t;
    }
    match text(&snapshot.seo_defaults, "title_template").filter(|t| t.contains("%s")) {
        Some(template) => template.replacen("%s", &page.title, 1),
        None => format!("{} | {}", page.title, snapshot.website_name),
    }
}

/// Whether robots may index the page (sitemap entries leave out the others): not when the page
/// or the whole site (`seo_defaults.no_index`) says `noindex`.
pub fn indexable(snapshot: &Snapshot, page: &SnapshotPage) -> bool {
    !page.password_protected && !no_index(snapshot, page)
}

/// The page's own `no_index`, or the site-wide one.
fn no_index(snapshot: &Snapshot, page: &SnapshotPage) -> bool {
    flag(&page.seo_meta, "no_index") || flag(&snapshot.seo_defaults, "no_index")
}

pub fn head(snapshot: &Snapshot, page: &SnapshotPage, addr: &SiteAddress) -> Head {
    let (meta, defaults) = (&page.seo_meta, &snapshot.seo_defaults);
    let title = page_title(snapshot, page);
    let description = text(meta, "description").or_else(|| text(defaults, "description"));
    let canonical = text(meta, "canonical_url")
        .and_then(|u| absolute(addr, &u).filter(|a| *a == u))
        .unwrap_or_else(|| addr.page_url(&page.slug));
    let robots = match (no_index(snapshot, page), flag(meta, "no_follow")) {
        (true, true) => Some("noindex, nofollow".to_string()),
        (true, false) => Some("noindex".to_string()),
        (false, true) => Some("nofollow".to_string()),
        (false, false) => None,
    };
    let og_title = text(meta, "og_title").unwrap_or_else(|| title.clone());
    let og_description = text(meta, "og_description").or_else(|| description.clone());
    let og_image = text(meta, "og_image")
        .and_then(|u| absolute(addr, &u))
        .or_else(|| text(defaults, "og_image").and_then(|u| absolute(addr, &u)));
    let og_type = text(meta, "og_type")
        .filter(|t| crate::model::OG_TYPES.contains(&t.as_str()))
        .unwrap_or_else(|| "website".into());
    let card = text(meta, "twitter_card")
        .filter(|t| crate::model::TWITTER_CARDS.contains(&t.as_str()))
        .unwrap_or_else(|| {
            if og_image.is_some() {
                "summary_large_image"
            } else {
                "summary"
            }
            .into()
        });

    let mut properties = vec![
        ("og:title", og_title.clone()),
        ("og:type", og_type),
        ("og:url", canonical.clone()),
        ("og:site_name", snapshot.website_name.clone()),
    ];
    let mut names = vec![("twitter:card", card), ("twitter:title", og_title)];
    if let Some(d) = &og_description {
        properties.push(("og:description", d.clone()));
        names.push(("twitter:description", d.clone()));
    }
    if let Some(i) = &og_image {
        properties.push(("og:image", i.clone()));
        names.push(("twitter:image", i.clone()));
    }
    Head {
        title,
        description,
        robots,
        canonical: Some(canonical),
        properties,
        names,
        json_ld: json_ld(snapshot, page, addr),
        icon: snapshot.favicon_url.clone(),
    }
}

/// JSON for inside `<script type="application/ld+json">`: `<`, `>` and `&` become `\u003c`
/// etc., so no text (a FAQ answer, a site name) can close the script element or open a comment.
pub fn script_json(value: &Value) -> String {
    let raw = value.to_string();
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Organization (site name, address, logo) on every page; FAQPage from the page's FAQ blocks.
fn json_ld(snapshot: &Snapshot, page: &SnapshotPage, addr: &SiteAddress) -> Vec<String> {
    let mut org = json!({
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": snapshot.website_name,
        "url": addr.page_url("/"),
    });
    if let Some(logo) = absolute(addr, &snapshot.branding.logo.url) {
        org["logo"] = Value::String(logo);
    }
    let mut docs = vec![script_json(&org)];
    let questions: Vec<Value> = page
        .components
        .iter()
        .filter(|c| c.is_visible)
        .filter_map(|c| BlockProps::from_parts(c.kind.as_str(), c.props.clone()).ok())
        .filter_map(|b| match b {
            BlockProps::Faq(f) => Some(f.items),
            _ => None,
        })
        .flatten()
        .filter(|i| !i.question.trim().is_empty() && !i.answer.trim().is_empty())
        .map(|i| {
            json!({
                "@type": "Question",
                "name": i.question,
                "acceptedAnswer": { "@type": "Answer", "text": i.answer },
            })
        })
        .collect();
    if !questions.is_empty() {
        docs.push(script_json(&json!({
            "@context": "https://schema.org",
            "@type": "FAQPage",
            "mainEntity": questions,
        })));
    }
    docs
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// The site's pages that robots may index (no `no_index`, no password), with the publish date.
pub fn sitemap_xml(snapshot: &Snapshot, addr: &SiteAddress) -> String {
    let lastmod = snapshot.published_at.format("%Y-%m-%d").to_string();
    let mut xml = String::from(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    xml.push_str("\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for page in snapshot.pages.iter().filter(|p| indexable(snapshot, p)) {
        xml.push_str(&format!(
            "  <url><loc>{}</loc><lastmod>{lastmod}</lastmod></url>\n",
            xml_escape(&addr.page_url(&page.slug))
        ));
    }
    xml.push_str("</urlset>\n");
    xml
}

/// Everything may be crawled (protected pages answer 401 and say noindex); points at the sitemap.
pub fn robots_txt(addr: &SiteAddress) -> String {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}/sitemap.xml\n",
        addr.base
    )
}
