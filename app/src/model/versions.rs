//! Page versions (schema reference §11): what the versions panel lists and previews, and the label rule.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Branding, ComponentDto};
use crate::error::AppError;

/// Why a version was recorded (`page_versions.trigger`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionTrigger {
    Auto,
    Manual,
    PreAi,
    PreRestore,
    PrePublish,
}

impl VersionTrigger {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "auto" => Self::Auto,
            "manual" => Self::Manual,
            "pre_ai" => Self::PreAi,
            "pre_restore" => Self::PreRestore,
            "pre_publish" => Self::PrePublish,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Manual => "manual",
            Self::PreAi => "pre_ai",
            Self::PreRestore => "pre_restore",
            Self::PrePublish => "pre_publish",
        }
    }

    /// The trigger in words, as the versions panel shows it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Auto => "Autosave",
            Self::Manual => "Manual",
            Self::PreAi => "Before AI change",
            Self::PreRestore => "Before restore",
            Self::PrePublish => "Before publish",
        }
    }
}

/// One row of a page's version history, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionSummary {
    pub id: Uuid,
    pub label: Option<String>,
    pub trigger: VersionTrigger,
    /// The saver's name; "System" or "Deleted user" when there is none.
    pub author: String,
    pub saved_at: DateTime<Utc>,
    /// `saved_at` in the organisation's timezone ("14 Jan 2025, 14:32:05 Europe/Berlin").
    #[serde(default)]
    pub saved_at_local: String,
    pub component_count: i64,
}

/// A version's blocks, parsed, for a read-only preview with the shared renderer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionPreview {
    pub version: VersionSummary,
    /// The website's current branding, so the preview looks like the canvas.
    pub branding: Branding,
    pub components: Vec<ComponentDto>,
}

/// Longest label a person may give a version.
pub const VERSION_LABEL_MAX: usize = 120;

/// A version label: trimmed, empty means none, at most [`VERSION_LABEL_MAX`] characters.
pub fn parse_version_label(raw: Option<String>) -> Result<Option<String>, AppError> {
    let Some(raw) = raw else { return Ok(None) };
    let label = raw.trim();
    if label.is_empty() {
        return Ok(None);
    }
    if label.chars().count() > VERSION_LABEL_MAX {
        return Err(AppError::invalid(
            "label",
            format!("Keep the version label under {VERSION_LABEL_MAX} characters."),
        ));
    }
    if label.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "label",
            "A version label cannot contain line breaks or control characters.",
        ));
    }
    Ok(Some(label.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_trimmed_optional_and_capped() {
        assert_eq!(parse_version_label(None), Ok(None));
        assert_eq!(parse_version_label(Some("   ".into())), Ok(None));
        assert_eq!(
            parse_version_label(Some("  Before redesign ".into())),
            Ok(Some("Before redesign".into()))
        );
        assert_eq!(
            parse_version_label(Some("é".repeat(120))),
            Ok(Some("é".repeat(120)))
        );
        let err = parse_version_label(Some("x".repeat(121))).unwrap_err();
        assert_eq!(err.field(), Some("label"));
        assert_eq!(
            parse_version_label(Some("a\nb".into()))
                .unwrap_err()
                .field(),
            Some("label")
        );
    }

    #[test]
    fn triggers_round_trip() {
        for t in [
            VersionTrigger::Auto,
            VersionTrigger::Manual,
            VersionTrigger::PreAi,
            VersionTrigger::PreRestore,
            VersionTrigger::PrePublish,
        ] {
            assert_eq!(VersionTrigger::parse(t.as_str()), Some(t));
        }
        assert_eq!(VersionTrigger::parse("nightly"), None);
        assert_eq!(VersionTrigger::PreRestore.label(), "Before restore");
    }
}
