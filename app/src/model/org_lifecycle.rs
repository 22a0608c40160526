//! The organisation's data export and deletion (issue 23 part 5): what the settings page
//! shows of them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Days a finished export can be downloaded before the lifecycle job deletes its file.
pub const EXPORT_DAYS: i64 = 7;
/// Days a deleted organisation is kept (schema reference §4) before it is purged.
pub const RETENTION_DAYS: i64 = 90;
/// The zip's format version (`manifest.json` → `format_version`).
pub const EXPORT_FORMAT_VERSION: u32 = 1;

/// Where an export is.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ExportStatus {
    Queued,
    Running,
    Ready,
    Failed,
    Expired,
}

impl ExportStatus {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "queued" => Self::Queued,
            "running" => Self::Running,
            "ready" => Self::Ready,
            "failed" => Self::Failed,
            "expired" => Self::Expired,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Ready => "ready",
            Self::Failed => "failed",
            Self::Expired => "expired",
        }
    }

    /// Still being built: the page keeps asking.
    pub fn is_live(self) -> bool {
        matches!(self, Self::Queued | Self::Running)
    }
}

/// One export of the whole organisation, as its owner sees it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct OrgExport {
    pub id: Uuid,
    pub status: ExportStatus,
    /// What the job is doing ("Websites", "Media files" …).
    pub phase: String,
    pub percent: i32,
    pub size_bytes: Option<i64>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl OrgExport {
    /// The authenticated download (`server::org_export::download`), once the zip is ready.
    pub fn download_url(&self) -> Option<String> {
        (self.status == ExportStatus::Ready)
            .then(|| format!("/organisation/exports/{}/download", self.id))
    }
}

/// `manifest.json` at the root of the export zip.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ExportManifest {
    pub format_version: u32,
    pub organisation: ManifestOrganisation,
    pub created_at: DateTime<Utc>,
    pub websites: Vec<ManifestWebsite>,
    /// Every other file in the zip, in the order written.
    pub files: Vec<ManifestFile>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ManifestOrganisation {
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ManifestWebsite {
    pub id: Uuid,
    pub name: String,
    pub subdomain: Option<String>,
    /// The folder holding `website.json` (the backup format) and `form-submissions.csv`.
    pub folder: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ManifestFile {
    pub path: String,
    pub size: u64,
    /// Lowercase hex SHA-256 of the file's bytes.
    pub sha256: String,
}

/// A deleted organisation during its retention.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DeletionState {
    pub deleted_at: DateTime<Utc>,
    /// When the lifecycle job purges everything.
    pub purge_at: DateTime<Utc>,
}
