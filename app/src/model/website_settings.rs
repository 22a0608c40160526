//! A website's settings page (issue 23 part 1): what it shows and the site-wide SEO defaults
//! (`websites.seo_defaults`), checked before they are stored.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{check_len, check_url};
use crate::error::AppError;

/// How long an old subdomain keeps redirecting, and how long a deleted website is kept before
/// it is purged.
pub const LIFECYCLE_GRACE_DAYS: i64 = 30;

/// `websites.seo_defaults`: the site-wide defaults every page inherits unless it sets its own
/// (`title_template` with `%s` for the page title; `no_index` hides the whole site from search
/// engines, and its pages from the sitemap).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SiteSeoDefaults {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title_template: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub og_image: Option<String>,
    pub no_index: bool,
}

fn clean(field: &str, v: Option<String>, max: usize) -> Result<Option<String>, AppError> {
    let Some(v) = v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty()) else {
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

impl SiteSeoDefaults {
    /// Trimmed, blank texts dropped; the template must hold `%s` once, the image must be a
    /// site-relative or http(s) address.
    pub fn parse(self) -> Result<Self, AppError> {
        let title_template = clean("title_template", self.title_template, 120)?;
        if let Some(t) = &title_template {
            if t.matches("%s").count() != 1 {
                return Err(AppError::invalid(
                    "title_template",
                    "Put %s exactly once where the page title goes, e.g. “%s | My Bakery”.",
                ));
            }
        }
        let description = clean("description", self.description, 300)?;
        let og_image = clean("og_image", self.og_image, 2048)?;
        if let Some(u) = &og_image {
            check_url("og_image", u)?;
            let lower = u.to_ascii_lowercase();
            if !(u.starts_with('/') && !u.starts_with("//")
                || lower.starts_with("https://")
                || lower.starts_with("http://"))
            {
                return Err(AppError::invalid(
                    "og_image",
                    "Use an image address starting with https:// or /.",
                ));
            }
        }
        Ok(Self {
            title_template,
            description,
            og_image,
            no_index: self.no_index,
        })
    }
}

/// An old subdomain still redirecting to the website's current one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubdomainRedirect {
    pub subdomain: String,
    pub release_at: DateTime<Utc>,
}

/// Everything the website settings page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebsiteSettings {
    pub id: Uuid,
    pub name: String,
    pub subdomain: Option<String>,
    /// `draft`, `published`, `archived` or `suspended`.
    pub status: String,
    /// Taken offline by a member (deployments kept): "Publish again" brings it back.
    pub unpublished_at: Option<DateTime<Utc>>,
    /// Whether a deployment is ready to serve again.
    pub has_live_deployment: bool,
    pub analytics_enabled: bool,
    pub seo: SiteSeoDefaults,
    /// The favicon visitors get after the next publish (`websites.favicon_url`).
    #[serde(default)]
    pub favicon_url: Option<String>,
    pub redirects: Vec<SubdomainRedirect>,
    /// What the caller may change (the server checks again): name and SEO defaults
    /// (`Role::can_change_branding`), address / visibility / analytics
    /// (`Role::can_manage_website`), deletion (`Role::can_delete_website`).
    #[serde(default)]
    pub can_edit: bool,
    #[serde(default)]
    pub can_manage: bool,
    #[serde(default)]
    pub can_delete: bool,
}

/// A website deleted less than [`LIFECYCLE_GRACE_DAYS`] ago, which may still be restored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeletedWebsite {
    pub id: Uuid,
    pub name: String,
    pub subdomain: Option<String>,
    pub deleted_at: DateTime<Utc>,
    /// When the lifecycle job purges it for good.
    pub purge_at: DateTime<Utc>,
}

impl WebsiteSettings {
    /// The settings as `role` sees them.
    pub fn for_role(mut self, role: super::Role) -> Self {
        self.can_edit = role.can_change_branding();
        self.can_manage = role.can_manage_website();
        self.can_delete = role.can_delete_website();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seo_defaults_are_checked() {
        let ok = SiteSeoDefaults {
            title_template: Some("  %s | Bakery ".into()),
            description: Some(" ".into()),
            og_image: Some("/media/x.png".into()),
            no_index: true,
        }
        .parse()
        .expect("valid");
        assert_eq!(ok.title_template.as_deref(), Some("%s | Bakery"));
        assert_eq!(ok.description, None);
        let bad = SiteSeoDefaults {
            title_template: Some("Bakery".into()),
            ..Default::default()
        };
        assert!(matches!(bad.parse(), Err(AppError::Invalid { .. })));
        let bad = SiteSeoDefaults {
            og_image: Some("javascript:alert(1)".into()),
            ..Default::default()
        };
        assert!(matches!(bad.parse(), Err(AppError::Invalid { .. })));
    }
}
