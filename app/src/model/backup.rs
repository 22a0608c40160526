//! A website backup: one versioned JSON document holding everything the builder edits (pages,
//! blocks, branding, SEO, page layout) and a manifest of the images it references. Exported
//! by `GET /websites/{id}/export`, imported as a new website by `api::backup::import_website`.
//!
//! The document is read loosely (texts and JSON values), then [`SiteBackup::parse`] runs the
//! builder's own validators on every part and names the page and block of the first problem,
//! so an import either is entirely valid or writes nothing. Older format versions are
//! upgraded to the current one first ([`upgrade`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    fields, parse_nav_label, parse_page_title, BlockProps, Branding, ComponentKind, PageConfig,
    PageSlug, PageStatus, SeoMeta,
};
use crate::error::AppError;

/// The `format` every backup carries.
pub const BACKUP_FORMAT: &str = "sitepilot.website";
/// The version this build writes. Version 1 (see [`upgrade`]) still imports.
pub const BACKUP_VERSION: u32 = 2;
/// Largest document accepted for import (2,000,000 bytes). The server reads at most 2 MiB
/// of any request body, so a larger file is refused before it reaches the import.
pub const BACKUP_MAX_BYTES: usize = 2_000_000;
pub const BACKUP_MAX_PAGES: usize = 200;
pub const BACKUP_MAX_BLOCKS_PER_PAGE: usize = 300;
/// Site-wide SEO defaults are free-form JSON; this bounds them.
const SEO_DEFAULTS_MAX: usize = 8_000;
/// Global blocks one backup may carry.
pub const BACKUP_MAX_GLOBAL_BLOCKS: usize = 100;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteBackup {
    pub format: String,
    pub version: u32,
    pub exported_at: DateTime<Utc>,
    pub website: BackupWebsite,
    /// Home page first, then in navigation order.
    pub pages: Vec<BackupPage>,
    /// Every image address the blocks and the logo reference, sorted, once each.
    #[serde(default)]
    pub assets: Vec<String>,
    /// The tenant's global blocks that blocks of this website use, by name. Absent when none
    /// is used, so documents without global blocks read and compare as before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub global_blocks: Vec<BackupGlobalBlock>,
}

/// A global block a backup's blocks use (`BackupBlock::global` names it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupGlobalBlock {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub props: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupWebsite {
    pub name: String,
    pub branding: Value,
    #[serde(default)]
    pub seo_defaults: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupPage {
    pub title: String,
    pub slug: String,
    pub status: String,
    pub show_in_nav: bool,
    #[serde(default)]
    pub nav_label: Option<String>,
    /// The page asked visitors for a password. The password itself is never exported: such a
    /// page is imported as a draft, so it never goes live unprotected.
    #[serde(default)]
    pub password_protected: bool,
    #[serde(default)]
    pub seo: Value,
    #[serde(default)]
    pub page_config: Value,
    pub blocks: Vec<BackupBlock>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackupBlock {
    #[serde(rename = "type")]
    pub kind: String,
    pub props: Value,
    pub visible: bool,
    #[serde(default)]
    pub locked: bool,
    /// The name of the global block (in `SiteBackup::global_blocks`) this block uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global: Option<String>,
}

/// One stored backup as the backups panel lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackupSummary {
    pub id: uuid::Uuid,
    /// `manual`, `auto` (the daily backup) or `pre_restore` (the site before a restore).
    pub kind: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub size_bytes: i32,
    pub pages: i32,
}

impl BackupSummary {
    pub fn kind_label(&self) -> &'static str {
        match self.kind.as_str() {
            "auto" => "Daily backup",
            "pre_restore" => "Before a restore",
            _ => "Manual backup",
        }
    }
}

/// A backup that passed every check, ready to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidSite {
    pub name: String,
    pub branding: Branding,
    pub seo_defaults: Value,
    pub pages: Vec<ValidPage>,
    /// Global blocks the pages use; `ValidBlock::global` indexes this list.
    pub global_blocks: Vec<ValidGlobalBlock>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ValidGlobalBlock {
    pub name: String,
    pub block: BlockProps,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ValidPage {
    pub title: String,
    /// `/` for the home page.
    pub slug: String,
    pub status: PageStatus,
    pub show_in_nav: bool,
    pub nav_label: Option<String>,
    pub seo: SeoMeta,
    pub page_config: PageConfig,
    pub blocks: Vec<ValidBlock>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ValidBlock {
    pub block: BlockProps,
    pub visible: bool,
    pub locked: bool,
    /// Index into `ValidSite::global_blocks` when the block uses a global block.
    pub global: Option<usize>,
}

impl ValidSite {
    pub fn uses_custom_html(&self) -> bool {
        self.pages.iter().any(|p| {
            p.blocks
                .iter()
                .any(|b| b.block.kind() == ComponentKind::CustomHtml)
        })
    }
}

fn bad_document(message: impl Into<String>) -> AppError {
    AppError::invalid("document", message)
}

/// Brings an older document up to [`BACKUP_VERSION`], in place, one step at a time.
///
/// Version 1 kept the website's name and branding at the top level, called a page's SEO
/// `seo_meta`, had no `show_in_nav` (every page was in the navigation), named the blocks
/// `components` with `is_visible`, and had no asset manifest.
pub fn upgrade(doc: &mut Value) -> Result<(), AppError> {
    let version = doc.get("version").and_then(Value::as_u64).ok_or_else(|| {
        bad_document("The file has no format version; it is not a SitePilot backup.")
    })?;
    if version > u64::from(BACKUP_VERSION) {
        return Err(bad_document(format!(
            "This backup was made by a newer SitePilot (format version {version}; this one reads up to {BACKUP_VERSION})."
        )));
    }
    if version == 0 {
        return Err(bad_document("Format version 0 does not exist."));
    }
    if version == 1 {
        let Some(obj) = doc.as_object_mut() else {
            return Err(bad_document("The file is not a JSON object."));
        };
        let name = obj.remove("name").unwrap_or(Value::Null);
        let branding = obj
            .remove("branding")
            .unwrap_or_else(|| serde_json::json!({}));
        let seo_defaults = obj
            .remove("seo_defaults")
            .unwrap_or_else(|| serde_json::json!({}));
        obj.insert(
            "website".into(),
            serde_json::json!({ "name": name, "branding": branding, "seo_defaults": seo_defaults }),
        );
        if let Some(pages) = obj.get_mut("pages").and_then(Value::as_array_mut) {
            for page in pages.iter_mut().filter_map(Value::as_object_mut) {
                if let Some(seo) = page.remove("seo_meta") {
                    page.insert("seo".into(), seo);
                }
                page.entry("show_in_nav").or_insert(Value::Bool(true));
                let blocks = page
                    .remove("components")
                    .unwrap_or_else(|| serde_json::json!([]));
                let blocks: Vec<Value> = blocks
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|mut b| {
                        if let Some(o) = b.as_object_mut() {
                            let visible = o.remove("is_visible").unwrap_or(Value::Bool(true));
                            o.insert("visible".into(), visible);
                        }
                        b
                    })
                    .collect();
                page.insert("blocks".into(), Value::Array(blocks));
            }
        }
        obj.insert("version".into(), Value::from(2));
    }
    Ok(())
}

/// The backup's global blocks, each with a valid, unique name and valid props.
fn validate_globals(globals: Vec<BackupGlobalBlock>) -> Result<Vec<ValidGlobalBlock>, AppError> {
    if globals.len() > BACKUP_MAX_GLOBAL_BLOCKS {
        return Err(AppError::invalid(
            "global_blocks",
            format!("A backup holds at most {BACKUP_MAX_GLOBAL_BLOCKS} global blocks."),
        ));
    }
    let mut out: Vec<ValidGlobalBlock> = Vec::with_capacity(globals.len());
    for (i, g) in globals.into_iter().enumerate() {
        let prefix = format!("global_blocks.{i}");
        let place = format!("Global block {}", i + 1);
        let name =
            super::parse_global_block_name(&g.name).map_err(|e| located(e, &prefix, &place))?;
        let place = format!("Global block “{name}”");
        if out.iter().any(|o| o.name == name) {
            return Err(located(
                AppError::invalid("name", "Another global block of the backup has this name."),
                &prefix,
                &place,
            ));
        }
        let block =
            BlockProps::from_parts(&g.kind, g.props).map_err(|e| located(e, &prefix, &place))?;
        out.push(ValidGlobalBlock { name, block });
    }
    Ok(out)
}

/// Where a block's `global` name points in the backup's global blocks; the kinds must agree.
fn global_index(
    globals: &[ValidGlobalBlock],
    name: &str,
    block: &BlockProps,
) -> Result<usize, String> {
    let i = globals
        .iter()
        .position(|g| g.name == name.trim())
        .ok_or_else(|| {
            format!("It uses the global block “{name}”, which the backup does not include.")
        })?;
    if globals[i].block.kind() != block.kind() {
        return Err(format!(
            "It is a {} block but the global block “{name}” is a {} block.",
            block.kind().label(),
            globals[i].block.kind().label()
        ));
    }
    Ok(i)
}

/// "Page 2 “About” (/about)" for error messages.
fn page_name(i: usize, p: &BackupPage) -> String {
    let title: String = p.title.chars().take(60).collect();
    let slug: String = p.slug.chars().take(60).collect();
    format!("Page {} “{title}” ({slug})", i + 1)
}

/// Prefixes an error with where it happened: field `pages.1.blocks.3.heading`, message
/// "Page 2 “About” (/about), block 4 (Hero): Keep this under 200 characters."
fn located(e: AppError, field_prefix: &str, place: &str) -> AppError {
    match e {
        AppError::Invalid { field, message } => AppError::Invalid {
            field: format!("{field_prefix}.{field}"),
            message: format!("{place}: {message}"),
        },
        other => other,
    }
}

impl SiteBackup {
    /// Reads and checks a backup file: size cap, JSON, format, version (upgrading older ones),
    /// then every page and block with the builder's validators.
    pub fn parse(text: &str) -> Result<ValidSite, AppError> {
        if text.len() > BACKUP_MAX_BYTES {
            return Err(bad_document(format!(
                "The backup is larger than {} MB.",
                BACKUP_MAX_BYTES / 1_000_000
            )));
        }
        let doc: Value = serde_json::from_str(text)
            .map_err(|e| bad_document(format!("The file is not valid JSON ({e}).")))?;
        Self::parse_value(doc)
    }

    /// A document already read as JSON (a stored backup): format, version (upgrading older
    /// ones) and every check, without the size cap of an upload.
    pub fn parse_value(mut doc: Value) -> Result<ValidSite, AppError> {
        if doc.get("format").and_then(Value::as_str) != Some(BACKUP_FORMAT) {
            return Err(bad_document(
                "The file is not a SitePilot website backup (its format is not sitepilot.website).",
            ));
        }
        upgrade(&mut doc)?;
        let backup: SiteBackup = serde_json::from_value(doc)
            .map_err(|e| bad_document(format!("The backup is damaged: {e}.")))?;
        backup.validate()
    }

    /// Every check, in document order; the first failure is returned with its place.
    pub fn validate(self) -> Result<ValidSite, AppError> {
        let name = super::parse_name(
            "website.name",
            "the website's name",
            &self.website.name,
            2,
            80,
        )?;
        let branding: Branding = serde_json::from_value(self.website.branding).map_err(|e| {
            AppError::invalid("website.branding", format!("The branding is damaged: {e}."))
        })?;
        branding
            .validate()
            .map_err(|e| located(e, "website.branding", "Branding"))?;
        let seo_defaults = match self.website.seo_defaults {
            Value::Null => Value::Object(Default::default()),
            v @ Value::Object(_) => v,
            _ => {
                return Err(AppError::invalid(
                    "website.seo_defaults",
                    "The site's SEO defaults must be a JSON object.",
                ))
            }
        };
        if serde_json::to_string(&seo_defaults).map_or(usize::MAX, |s| s.len()) > SEO_DEFAULTS_MAX {
            return Err(AppError::invalid(
                "website.seo_defaults",
                "The site's SEO defaults are too large (8,000 characters at most).",
            ));
        }
        if self.pages.is_empty() {
            return Err(AppError::invalid("pages", "The backup has no pages."));
        }
        if self.pages.len() > BACKUP_MAX_PAGES {
            return Err(AppError::invalid(
                "pages",
                format!("A backup holds at most {BACKUP_MAX_PAGES} pages."),
            ));
        }
        let global_blocks = validate_globals(self.global_blocks)?;
        let mut pages = Vec::with_capacity(self.pages.len());
        let mut slugs = std::collections::HashSet::new();
        for (i, p) in self.pages.into_iter().enumerate() {
            let place = page_name(i, &p);
            let prefix = format!("pages.{i}");
            let at = |e: AppError| located(e, &prefix, &place);
            let title = parse_page_title(&p.title).map_err(at)?;
            let slug = if p.slug.trim() == "/" {
                "/".to_string()
            } else {
                PageSlug::parse(&p.slug).map_err(at)?.as_str().to_string()
            };
            if !slugs.insert(slug.clone()) {
                return Err(at(AppError::invalid(
                    "slug",
                    "Another page of the backup already uses this address.",
                )));
            }
            let status = PageStatus::parse(&p.status).ok_or_else(|| {
                at(AppError::invalid(
                    "status",
                    "The status must be draft, published or hidden.",
                ))
            })?;
            // No password travels in a backup: a protected page stays out of the live site.
            let status = if p.password_protected {
                PageStatus::Draft
            } else {
                status
            };
            let nav_label =
                parse_nav_label(p.nav_label.as_deref().unwrap_or_default()).map_err(at)?;
            let seo: SeoMeta = match p.seo {
                Value::Null => SeoMeta::default(),
                v => serde_json::from_value(v).map_err(|e| {
                    at(AppError::invalid(
                        "seo",
                        format!("The SEO settings are damaged: {e}."),
                    ))
                })?,
            };
            let seo = seo.parse().map_err(at)?;
            let page_config: PageConfig = match p.page_config {
                Value::Null => PageConfig::default(),
                v => serde_json::from_value(v).map_err(|e| {
                    at(AppError::invalid(
                        "page_config",
                        format!("The layout settings are damaged: {e}."),
                    ))
                })?,
            };
            let page_config = page_config.parse().map_err(at)?;
            if p.blocks.len() > BACKUP_MAX_BLOCKS_PER_PAGE {
                return Err(at(AppError::invalid(
                    "blocks",
                    format!("A page holds at most {BACKUP_MAX_BLOCKS_PER_PAGE} blocks."),
                )));
            }
            let mut blocks = Vec::with_capacity(p.blocks.len());
            for (j, b) in p.blocks.into_iter().enumerate() {
                let kind_label =
                    ComponentKind::parse(&b.kind).map_or("unknown type", |k| k.label());
                let block_place = format!("{place}, block {} ({kind_label})", j + 1);
                let block_prefix = format!("{prefix}.blocks.{j}");
                let block = BlockProps::from_parts(&b.kind, b.props)
                    .map_err(|e| located(e, &block_prefix, &block_place))?;
                let global = match &b.global {
                    None => None,
                    Some(name) => {
                        Some(global_index(&global_blocks, name, &block).map_err(|m| {
                            located(AppError::invalid("global", m), &block_prefix, &block_place)
                        })?)
                    }
                };
                blocks.push(ValidBlock {
                    block,
                    visible: b.visible,
                    locked: b.locked,
                    global,
                });
            }
            pages.push(ValidPage {
                title,
                slug,
                status,
                show_in_nav: p.show_in_nav,
                nav_label,
                seo,
                page_config,
                blocks,
            });
        }
        if !slugs.contains("/") {
            return Err(AppError::invalid(
                "pages",
                "The backup has no home page (a page at /).",
            ));
        }
        Ok(ValidSite {
            name,
            branding,
            seo_defaults,
            pages,
            global_blocks,
        })
    }

    /// The image addresses `blocks` and `branding` reference, sorted, once each.
    pub fn asset_manifest<'a>(
        branding: &Branding,
        blocks: impl IntoIterator<Item = &'a BackupBlock>,
    ) -> Vec<String> {
        let mut urls = std::collections::BTreeSet::new();
        if !branding.logo.url.trim().is_empty() {
            urls.insert(branding.logo.url.clone());
        }
        for b in blocks {
            if let Some(kind) = ComponentKind::parse(&b.kind) {
                urls.extend(fields::image_urls(kind, &b.props));
            }
        }
        urls.into_iter().collect()
    }

    /// The document with what differs between two exports of the same content removed (the
    /// export time), for comparing a round trip.
    pub fn normalised(&self) -> Value {
        let mut v = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Some(o) = v.as_object_mut() {
            o.remove("exported_at");
        }
        v
    }
}
