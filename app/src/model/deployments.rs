//! Deployments as the builder lists them, the notes a person may attach when publishing, and
//! the result of a rollback.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

/// Longest publish note, in characters: a line or two about what changed, not a changelog.
pub const DEPLOYMENT_NOTES_MAX: usize = 500;

/// Parses the optional publish notes: trimmed, and blank means none. Checked in the browser
/// before publishing and again on the server, with the same message.
pub fn parse_deployment_notes(notes: Option<String>) -> Result<Option<String>, AppError> {
    let Some(notes) = notes else { return Ok(None) };
    let notes = notes.trim();
    if notes.is_empty() {
        return Ok(None);
    }
    let len = notes.chars().count();
    if len > DEPLOYMENT_NOTES_MAX {
        return Err(AppError::invalid(
            "notes",
            format!(
                "Publish notes can be at most {DEPLOYMENT_NOTES_MAX} characters; these have {len}."
            ),
        ));
    }
    // Line breaks and tabs are fine; other control characters only garble the list.
    if notes
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(AppError::invalid(
            "notes",
            "Publish notes cannot contain control characters.",
        ));
    }
    Ok(Some(notes.to_string()))
}

/// One deployment of a website, newest first in the deployments panel.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeploymentSummary {
    pub id: Uuid,
    pub deployed_at: DateTime<Utc>,
    /// Name (or email, without a name) of whoever published it; `None` once that user is gone.
    pub deployed_by: Option<String>,
    pub notes: Option<String>,
    /// Pages in the snapshot.
    pub pages: i64,
    pub is_live: bool,
}

/// The deployment that is live after a rollback, and the one it replaced.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RolledBack {
    pub deployment_id: Uuid,
    pub previous_deployment_id: Option<Uuid>,
    /// Path form of the visitor site.
    pub site_path: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_trimmed_and_limited() {
        assert_eq!(parse_deployment_notes(None), Ok(None));
        assert_eq!(parse_deployment_notes(Some("   ".into())), Ok(None));
        assert_eq!(
            parse_deployment_notes(Some(" New menu\n".into())),
            Ok(Some("New menu".into()))
        );
        let max = "é".repeat(DEPLOYMENT_NOTES_MAX);
        assert_eq!(parse_deployment_notes(Some(max.clone())), Ok(Some(max)));
        let long = parse_deployment_notes(Some("a".repeat(DEPLOYMENT_NOTES_MAX + 1))).unwrap_err();
        assert_eq!(long.field(), Some("notes"));
        assert!(long.to_string().contains("501"));
        assert_eq!(
            parse_deployment_notes(Some("bad\u{0}".into()))
                .unwrap_err()
                .field(),
            Some("notes")
        );
    }
}
