//! Uploaded files (issue 17): the library's wire types and the app paths of stored files.
//!
//! A stored file's address is `/media/{tenant}/{asset}/{file}`, where `{file}` is
//! - `o{width}x{height}.{ext}` for an image's original (its size is part of the address, so a
//!   visitor page can write `width`/`height` and a `srcset` from the address alone),
//! - `w{480|960|1600|2400}.webp` for a responsive variant,
//! - `file.{pdf|mp4}` for a download.
//!
//! Addresses are immutable: the asset id is a fresh UUID per upload, so a published snapshot
//! that names an address keeps working for as long as its deployment exists.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Widths of the WebP variants produced next to an image's original.
pub const VARIANT_WIDTHS: [u32; 4] = [480, 960, 1600, 2400];

/// The path prefix every stored file is served under.
pub const MEDIA_PREFIX: &str = "/media/";

/// What kind of file an asset is (column `asset_type`: `image`, `video`, `raw`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AssetKind {
    Image,
    Video,
    Raw,
}

impl AssetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Video => "video",
            Self::Raw => "raw",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "image" => Some(Self::Image),
            "video" => Some(Self::Video),
            "raw" => Some(Self::Raw),
            _ => None,
        }
    }
}

/// One library entry as the app shows it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AssetInfo {
    pub id: Uuid,
    /// `display_name`, or the uploaded file name when none was set.
    pub name: String,
    pub original_filename: String,
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub kind: AssetKind,
    /// `jpg`, `png`, `webp`, `avif`, `gif`, `pdf`, `mp4`.
    pub format: String,
    pub size_bytes: i64,
    pub width: Option<i32>,
    pub height: Option<i32>,
    /// The original's address (what an image field stores).
    pub url: String,
    /// A small preview: the 480 px variant once it exists, else the original.
    pub thumb_url: String,
    pub tags: Vec<String>,
    /// Names of the websites whose saved or published content uses this asset.
    pub used_in: Vec<String>,
    pub created_at: String,
}

/// The library page: entries matching the query, and the quota meter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AssetLibrary {
    pub assets: Vec<AssetInfo>,
    pub used_bytes: i64,
    pub limit_bytes: i64,
    /// Largest single file the plan accepts, in bytes.
    pub max_file_bytes: i64,
    /// Every tag in use, for the filter.
    pub all_tags: Vec<String>,
    pub can_upload: bool,
}

/// How the library is listed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetQuery {
    /// Part of the name (case-insensitive).
    #[serde(default)]
    pub search: String,
    /// `image`, `video`, `raw` or empty for all.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub tag: String,
    /// `date` (newest first, default), `size` (largest first), `name`.
    #[serde(default)]
    pub sort: String,
}

/// The answer to a delete: done, or a question first because pages use the asset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AssetDeleted {
    Deleted,
    /// Not deleted: these pages ("Website › Page") use it; ask, then delete with `force`.
    InUse {
        pages: Vec<String>,
    },
}

/// Longest display name and tag, and most tags per asset (also checked by the database).
pub const ASSET_NAME_MAX: usize = 200;
pub const ASSET_TAG_MAX: usize = 40;
pub const ASSET_TAGS_MAX: usize = 20;

/// Cleans a tag list: trimmed, lower-case, no empties or duplicates, bounded.
pub fn parse_tags(tags: &[String]) -> Result<Vec<String>, crate::error::AppError> {
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let t = t.trim().to_lowercase();
        if t.is_empty() || out.contains(&t) {
            continue;
        }
        if t.chars().count() > ASSET_TAG_MAX || t.chars().any(|c| c.is_control()) {
            return Err(crate::error::AppError::invalid(
                "tags",
                format!("A tag has at most {ASSET_TAG_MAX} characters and no control characters."),
            ));
        }
        out.push(t);
    }
    if out.len() > ASSET_TAGS_MAX {
        return Err(crate::error::AppError::invalid(
            "tags",
            format!("An asset has at most {ASSET_TAGS_MAX} tags."),
        ));
    }
    Ok(out)
}

/// Which file of an asset an address names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediaFile {
    /// The image original, with its size.
    Original {
        width: u32,
        height: u32,
    },
    Variant {
        width: u32,
    },
    /// A download (PDF, MP4), no size.
    Download,
}

/// A parsed `/media/{tenant}/{asset}/{file}` address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaRef {
    pub tenant: Uuid,
    pub asset: Uuid,
    pub file: MediaFile,
    /// `jpg`, `png`, …, `webp` for variants.
    pub ext: String,
}

const IMAGE_EXTS: [&str; 5] = ["jpg", "png", "webp", "avif", "gif"];
const DOWNLOAD_EXTS: [&str; 2] = ["pdf", "mp4"];

impl MediaRef {
    /// Reads an address (`/media/…`); `None` for anything else, external URLs included.
    pub fn parse(url: &str) -> Option<Self> {
        let rest = url.strip_prefix(MEDIA_PREFIX)?;
        let mut parts = rest.splitn(3, '/');
        let tenant = Uuid::parse_str(parts.next()?).ok()?;
        let asset = Uuid::parse_str(parts.next()?).ok()?;
        let file = parts.next()?;
        let (stem, ext) = file.rsplit_once('.')?;
        let ext = ext.to_string();
        let file = if let Some(size) = stem.strip_prefix('o') {
            let (w, h) = size.split_once('x')?;
            if !IMAGE_EXTS.contains(&ext.as_str()) {
                return None;
            }
            MediaFile::Original {
                width: w.parse().ok().filter(|w| *w > 0)?,
                height: h.parse().ok().filter(|h| *h > 0)?,
            }
        } else if let Some(w) = stem.strip_prefix('w') {
            let width: u32 = w.parse().ok()?;
            if ext != "webp" || !VARIANT_WIDTHS.contains(&width) {
                return None;
            }
            MediaFile::Variant { width }
        } else if stem == "file" && DOWNLOAD_EXTS.contains(&ext.as_str()) {
            MediaFile::Download
        } else {
            return None;
        };
        Some(Self {
            tenant,
            asset,
            file,
            ext,
        })
    }

    /// The object-store key of this file: `tenants/{tenant}/{asset}/original.{ext}` or
    /// `tenants/{tenant}/{asset}/w{width}.webp`.
    pub fn storage_key(&self) -> String {
        match self.file {
            MediaFile::Variant { width } => variant_key(self.tenant, self.asset, width),
            _ => original_key(self.tenant, self.asset, &self.ext),
        }
    }

    /// The `srcset` candidates for an image original: the variants narrower than the
    /// original (only formats that get variants), then the original itself.
    pub fn srcset(&self) -> Option<String> {
        let MediaFile::Original { width, .. } = self.file else {
            return None;
        };
        let mut out: Vec<String> = Vec::new();
        if has_variants(&self.ext) {
            for w in VARIANT_WIDTHS.iter().filter(|w| **w < width) {
                out.push(format!("{} {w}w", variant_url(self.tenant, self.asset, *w)));
            }
        }
        out.push(format!(
            "{} {width}w",
            original_url(
                self.tenant,
                self.asset,
                &self.ext,
                Some((width, self.height()))
            )
        ));
        Some(out.join(", "))
    }

    fn height(&self) -> u32 {
        match self.file {
            MediaFile::Original { height, .. } => height,
            _ => 0,
        }
    }
}

/// Formats the server can decode, so they get WebP variants (GIF keeps its animation, AVIF
/// has no decoder here: both are served as uploaded).
pub fn has_variants(ext: &str) -> bool {
    matches!(ext, "jpg" | "png" | "webp")
}

pub fn original_key(tenant: Uuid, asset: Uuid, ext: &str) -> String {
    format!("tenants/{tenant}/{asset}/original.{ext}")
}

pub fn variant_key(tenant: Uuid, asset: Uuid, width: u32) -> String {
    format!("tenants/{tenant}/{asset}/w{width}.webp")
}

/// The address of an original; `size` for images.
pub fn original_url(tenant: Uuid, asset: Uuid, ext: &str, size: Option<(u32, u32)>) -> String {
    match size {
        Some((w, h)) => format!("{MEDIA_PREFIX}{tenant}/{asset}/o{w}x{h}.{ext}"),
        None => format!("{MEDIA_PREFIX}{tenant}/{asset}/file.{ext}"),
    }
}

pub fn variant_url(tenant: Uuid, asset: Uuid, width: u32) -> String {
    format!("{MEDIA_PREFIX}{tenant}/{asset}/w{width}.webp")
}

/// Every asset id a JSON document (props, a snapshot) refers to through a media address of
/// `tenant`. Other tenants' addresses are ignored.
pub fn referenced_assets(json: &str, tenant: Uuid) -> Vec<Uuid> {
    let needle = format!("{MEDIA_PREFIX}{tenant}/");
    let mut out: Vec<Uuid> = Vec::new();
    let mut rest = json;
    while let Some(i) = rest.find(&needle) {
        rest = &rest[i + needle.len()..];
        if let Some(id) = rest.get(..36).and_then(|s| Uuid::parse_str(s).ok()) {
            if !out.contains(&id) {
                out.push(id);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_round_trip_and_srcset_lists_narrower_variants() {
        let (t, a) = (Uuid::new_v4(), Uuid::new_v4());
        let url = original_url(t, a, "jpg", Some((1200, 800)));
        let r = MediaRef::parse(&url).expect("parses");
        assert_eq!(
            r.file,
            MediaFile::Original {
                width: 1200,
                height: 800
            }
        );
        assert_eq!(r.storage_key(), format!("tenants/{t}/{a}/original.jpg"));
        let srcset = r.srcset().expect("srcset");
        assert_eq!(
            srcset,
            format!("/media/{t}/{a}/w480.webp 480w, /media/{t}/{a}/w960.webp 960w, {url} 1200w")
        );
        let gif = MediaRef::parse(&original_url(t, a, "gif", Some((2000, 100)))).expect("gif");
        assert!(!gif.srcset().expect("srcset").contains("webp"));
        assert!(MediaRef::parse("https://example.com/a.jpg").is_none());
        assert!(MediaRef::parse(&format!("/media/{t}/{a}/w500.webp")).is_none());
        assert!(MediaRef::parse(&format!("/media/{t}/{a}/o1x1.svg")).is_none());
        assert!(MediaRef::parse(&format!("/media/{t}/{a}/../x")).is_none());
        let refs = referenced_assets(
            &format!(
                "{{\"a\":\"{url}\",\"b\":\"/media/{}/{a}/o1x1.png\"}}",
                Uuid::new_v4()
            ),
            t,
        );
        assert_eq!(refs, vec![a]);
    }
}
