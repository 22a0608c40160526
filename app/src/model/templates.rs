//! The template gallery (issue 20, part 1). A template is DATA: one website backup document
//! (`app/templates/<key>.json`, the export format of [`super::SiteBackup`]) embedded at compile
//! time, so the same validators and the same import transaction that restore a backup create a
//! website from a template. A tenant's own ("private") templates are export documents of its
//! websites, stored per tenant in `site_templates` (migration 0034).
//!
//! The gallery's name and description come from the document itself (`website.name` and
//! `website.seo_defaults.description`); only the key and category live here.

use serde::{Deserialize, Serialize};

/// One card of the gallery: a built-in template (`own == false`, `key` is its file name) or
/// one of the tenant's own templates (`own == true`, `key` is its id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateSummary {
    pub key: String,
    pub name: String,
    pub category: String,
    pub description: String,
    /// Page titles, home first.
    pub pages: Vec<String>,
    pub own: bool,
}

/// What the new-website page shows: the built-in templates and the tenant's own.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TemplateGallery {
    pub builtin: Vec<TemplateSummary>,
    pub own: Vec<TemplateSummary>,
}

/// A private template's name: 2 to 80 characters.
pub const TEMPLATE_NAME_MAX: usize = 80;
/// How many private templates a tenant may keep (each holds a whole website document).
pub const PRIVATE_TEMPLATES_MAX: i64 = 30;

/// A built-in template: its key (also its address in the preview route), the gallery's
/// category label and the embedded document.
#[cfg(feature = "ssr")]
pub struct BuiltinTemplate {
    pub key: &'static str,
    pub category: &'static str,
    pub document: &'static str,
}

#[cfg(feature = "ssr")]
macro_rules! builtin {
    ($key:literal, $category:literal) => {
        BuiltinTemplate {
            key: $key,
            category: $category,
            document: include_str!(concat!("../../templates/", $key, ".json")),
        }
    };
}

/// Every built-in template, in gallery order.
#[cfg(feature = "ssr")]
pub const BUILTIN_TEMPLATES: [BuiltinTemplate; 8] = [
    builtin!("restaurant", "Restaurant"),
    builtin!("saas", "SaaS"),
    builtin!("portfolio", "Portfolio"),
    builtin!("agency", "Agency"),
    builtin!("local-services", "Local services"),
    builtin!("blog", "Blog"),
    builtin!("event", "Event"),
    builtin!("product", "Product landing"),
];

#[cfg(feature = "ssr")]
impl BuiltinTemplate {
    pub fn find(key: &str) -> Option<&'static BuiltinTemplate> {
        BUILTIN_TEMPLATES.iter().find(|t| t.key == key)
    }

    /// The document, checked by the backup validators (a test proves every one passes).
    pub fn site(&self) -> Result<super::ValidSite, crate::error::AppError> {
        super::SiteBackup::parse(self.document)
    }

    pub fn summary(&self) -> Result<TemplateSummary, crate::error::AppError> {
        Ok(summary_of(
            self.key.to_string(),
            self.category.to_string(),
            &self.site()?,
            false,
        ))
    }
}

/// The gallery card of a checked document.
pub fn summary_of(
    key: String,
    category: String,
    site: &super::ValidSite,
    own: bool,
) -> TemplateSummary {
    TemplateSummary {
        key,
        name: site.name.clone(),
        category,
        description: site
            .seo_defaults
            .get("description")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_string(),
        pages: site.pages.iter().map(|p| p.title.clone()).collect(),
        own,
    }
}

#[cfg(feature = "ssr")]
impl super::ValidSite {
    /// The document as a snapshot the visitor renderer can draw, without saving anything (the
    /// template preview and its thumbnail). Ids are fixed per position, so two renders of the
    /// same template are identical; every page is included, whatever its status.
    pub fn preview_snapshot(&self) -> super::Snapshot {
        use super::{Snapshot, SnapshotComponent, SnapshotPage};
        let id = |page: usize, block: usize| {
            uuid::Uuid::from_u128(((page as u128) << 32) | block as u128)
        };
        Snapshot {
            website_id: uuid::Uuid::nil(),
            website_name: self.name.clone(),
            published_at: chrono::Utc::now(),
            branding: self.branding.clone(),
            seo_defaults: self.seo_defaults.clone(),
            favicon_url: None,
            pages: self
                .pages
                .iter()
                .enumerate()
                .map(|(i, p)| SnapshotPage {
                    id: id(i + 1, 0),
                    title: p.title.clone(),
                    slug: p.slug.clone(),
                    seo_meta: serde_json::to_value(&p.seo).unwrap_or_default(),
                    show_in_nav: p.show_in_nav,
                    nav_label: p.nav_label.clone(),
                    components: p
                        .blocks
                        .iter()
                        .enumerate()
                        .map(|(j, b)| SnapshotComponent {
                            id: id(i + 1, j + 1),
                            kind: b.block.kind(),
                            props: b.block.props_json(),
                            is_visible: b.visible,
                        })
                        .collect(),
                    password_protected: false,
                    password_hash: None,
                    page_config: p.page_config.clone(),
                })
                .collect(),
        }
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::model::ComponentKind;

    #[test]
    fn every_builtin_template_passes_the_backup_validators() {
        let mut keys = std::collections::HashSet::new();
        for t in &BUILTIN_TEMPLATES {
            assert!(keys.insert(t.key), "{} is listed twice", t.key);
            let site = t
                .site()
                .unwrap_or_else(|e| panic!("template {} is invalid: {e} ({:?})", t.key, e.field()));
            assert!(
                (3..=5).contains(&site.pages.len()),
                "{} has {} pages",
                t.key,
                site.pages.len()
            );
            assert!(!site.uses_custom_html(), "{} needs the Pro plan", t.key);
            let summary = t.summary().expect("summary");
            assert!(
                summary.description.len() > 40,
                "{} has no description",
                t.key
            );
            // Local images only: every image the document names is a file of public/starter.
            let doc: crate::model::SiteBackup = serde_json::from_str(t.document).expect("document");
            let manifest = crate::model::SiteBackup::asset_manifest(
                &site.branding,
                doc.pages.iter().flat_map(|p| &p.blocks),
            );
            assert_eq!(
                manifest, doc.assets,
                "{}: the asset manifest is stale",
                t.key
            );
            for url in &manifest {
                assert!(
                    url.starts_with("/starter/"),
                    "{}: {url} is not local",
                    t.key
                );
                let file = format!("{}/../public{url}", env!("CARGO_MANIFEST_DIR"));
                assert!(
                    std::path::Path::new(&file).exists(),
                    "{}: {file} is missing",
                    t.key
                );
            }
            for p in &site.pages {
                let first = p.blocks.first().map(|b| b.block.kind());
                let last = p.blocks.last().map(|b| b.block.kind());
                assert_eq!(first, Some(ComponentKind::Navbar), "{} {}", t.key, p.slug);
                assert_eq!(last, Some(ComponentKind::Footer), "{} {}", t.key, p.slug);
            }
            let snapshot = site.preview_snapshot();
            assert!(snapshot.page("/").is_some());
        }
        assert!(BUILTIN_TEMPLATES.len() >= 8);
    }

    #[test]
    fn the_templates_together_use_most_block_kinds_and_own_brandings() {
        let mut kinds = std::collections::HashSet::new();
        let mut primaries = std::collections::HashSet::new();
        for t in &BUILTIN_TEMPLATES {
            let site = t.site().expect("valid");
            primaries.insert(site.branding.colors.primary.clone());
            for p in &site.pages {
                kinds.extend(p.blocks.iter().map(|b| b.block.kind()));
            }
        }
        assert_eq!(
            primaries.len(),
            BUILTIN_TEMPLATES.len(),
            "each template has its own colours"
        );
        assert!(
            kinds.len() >= 16,
            "only {} block kinds are used",
            kinds.len()
        );
    }
}
