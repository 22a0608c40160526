//! The frozen form of a website stored in `deployments.snapshot_json` (schema reference §10). The visitor
//! renderer reads only this, never the editable `pages`/`components` tables.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::{Branding, ComponentKind, PageConfig};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    pub website_id: Uuid,
    pub website_name: String,
    pub published_at: DateTime<Utc>,
    pub branding: Branding,
    #[serde(default)]
    pub seo_defaults: Value,
    /// The website's favicon at publish time (`websites.favicon_url`); the app's own otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub favicon_url: Option<String>,
    pub pages: Vec<SnapshotPage>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotPage {
    pub id: Uuid,
    pub title: String,
    pub slug: String,
    #[serde(default)]
    pub seo_meta: Value,
    pub show_in_nav: bool,
    pub nav_label: Option<String>,
    pub components: Vec<SnapshotComponent>,
    /// Visitors must unlock the page first. The snapshot lives only on the server (it is never
    /// serialised into a visitor response), so it may carry the argon2 hash checked at unlock.
    #[serde(default)]
    pub password_protected: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
    /// Layout (navbar/footer, background, width, padding); re-checked before it becomes CSS.
    #[serde(default)]
    pub page_config: PageConfig,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotComponent {
    pub id: Uuid,
    #[serde(rename = "type")]
    pub kind: ComponentKind,
    pub props: Value,
    pub is_visible: bool,
}

impl Snapshot {
    /// The page served at `path` (`""` and `"/"` are the home page; a trailing slash is ignored).
    pub fn page(&self, path: &str) -> Option<&SnapshotPage> {
        let trimmed = path.trim_end_matches('/');
        let want = if trimmed.is_empty() { "/" } else { trimmed };
        self.pages.iter().find(|p| p.slug == want)
    }
}
