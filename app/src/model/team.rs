//! Wire types for the team page, invitations, the audit log and user settings.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Role;
use crate::error::AppError;

/// Invitations are valid for seven days (schema reference §16).
pub const INVITE_DAYS: i64 = 7;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberInfo {
    pub user_id: Uuid,
    pub email: String,
    pub full_name: Option<String>,
    pub role: Role,
    pub is_active: bool,
    pub last_login_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Invitation {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    /// `pending`, `accepted`, `expired` or `revoked`; a pending one past its expiry reads `expired`.
    pub status: String,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// One outgoing email (migrations 0015, 0024): `status` is `queued`, `sent` or `failed`
/// (`last_error` holds the mail server's last answer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEmail {
    pub id: Uuid,
    /// `invitation`, `password_reset`, …
    pub kind: String,
    pub to_email: String,
    pub subject: String,
    pub body_text: String,
    pub link: Option<String>,
    pub status: String,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Everything the team page shows. Invitations and the outbox are empty for roles that
/// cannot manage the team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamOverview {
    pub my_user_id: Uuid,
    pub my_role: Role,
    pub members: Vec<MemberInfo>,
    pub invitations: Vec<Invitation>,
    pub outbox: Vec<OutboxEmail>,
    /// Whether an SMTP server is configured: without one, messages stay in the outbox.
    pub email_delivery: bool,
    /// Active members plus pending invitations, against the plan's `max_collaborators`.
    pub seats_used: i64,
    pub seats_max: i64,
}

/// What an invite link leads to, for the accept page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum InviteState {
    Pending {
        tenant_name: String,
        email: String,
        role: Role,
    },
    Expired,
    Revoked,
    Accepted,
    NotFound,
}

/// Roles an invitation may carry (never owner: ownership is transferred, not shared).
pub fn parse_invite_role(raw: &str) -> Result<Role, AppError> {
    match Role::parse(raw) {
        Some(Role::Owner) => Err(AppError::invalid(
            "role",
            "An invitation cannot make someone an owner. Pick admin, editor, developer or viewer.",
        )),
        Some(r) => Ok(r),
        None => Err(AppError::invalid(
            "role",
            "Pick admin, editor, developer or viewer.",
        )),
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditFilter {
    pub action: Option<String>,
    pub user_id: Option<Uuid>,
    /// Inclusive dates, `YYYY-MM-DD` (UTC).
    pub from: Option<String>,
    pub to: Option<String>,
    /// Zero-based page number.
    pub page: i64,
}

pub const AUDIT_PAGE_SIZE: i64 = 25;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    /// `created_at` in the organisation's timezone, `YYYY-MM-DD HH:MM:SS`.
    pub local_time: String,
    pub action: String,
    pub performed_by: Option<Uuid>,
    pub performer: Option<String>,
    pub resource_type: Option<String>,
    pub resource_id: Option<Uuid>,
    pub metadata: serde_json::Value,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
    /// Distinct actions in this tenant's log, for the filter.
    pub actions: Vec<String>,
    pub users: Vec<(Uuid, String)>,
    /// The organisation's timezone, which the times and the date filter use.
    pub timezone: String,
}

/// Parses an optional `YYYY-MM-DD` filter date.
pub fn parse_filter_date(
    field: &str,
    raw: &Option<String>,
) -> Result<Option<chrono::NaiveDate>, AppError> {
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| AppError::invalid(field, "Use a date like 2026-01-31.")),
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    #[default]
    Light,
    Dark,
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Light => "light",
            Self::Dark => "dark",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceView {
    #[default]
    Desktop,
    Tablet,
    Mobile,
}

fn yes() -> bool {
    true
}

fn thirty() -> u32 {
    30
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationPrefs {
    #[serde(default = "yes")]
    pub email_on_comment: bool,
    #[serde(default = "yes")]
    pub email_on_publish: bool,
    #[serde(default = "yes")]
    pub email_on_billing: bool,
}

impl Default for NotificationPrefs {
    fn default() -> Self {
        Self {
            email_on_comment: true,
            email_on_publish: true,
            email_on_billing: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuilderPrefs {
    #[serde(default)]
    pub show_grid: bool,
    #[serde(default = "thirty")]
    pub auto_save_interval: u32,
    #[serde(default)]
    pub default_view: DeviceView,
}

impl Default for BuilderPrefs {
    fn default() -> Self {
        Self {
            show_grid: false,
            auto_save_interval: 30,
            default_view: DeviceView::Desktop,
        }
    }
}

/// `users.preferences` (schema reference §18). Missing keys take their defaults, so old rows still parse.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Preferences {
    #[serde(default)]
    pub theme: Theme,
    #[serde(default)]
    pub sidebar_collapsed: bool,
    #[serde(default)]
    pub default_website_id: Option<Uuid>,
    #[serde(default)]
    pub notifications: NotificationPrefs,
    #[serde(default)]
    pub builder: BuilderPrefs,
}

impl Preferences {
    /// Bounds the schema reference leaves implicit: autosave between 10 seconds and 10 minutes.
    pub fn check(&self) -> Result<(), AppError> {
        if !(10..=600).contains(&self.builder.auto_save_interval) {
            return Err(AppError::invalid(
                "auto_save_interval",
                "Choose between 10 and 600 seconds.",
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserSettings {
    pub email: String,
    pub full_name: Option<String>,
    pub avatar_url: Option<String>,
    pub preferences: Preferences,
}

/// An avatar must be an absolute https (or http) image address, or empty.
pub fn parse_avatar_url(raw: &str) -> Result<Option<String>, AppError> {
    let v = raw.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let lower = v.to_ascii_lowercase();
    let ok = (lower.starts_with("https://") || lower.starts_with("http://"))
        && v.len() <= 2048
        && !v.chars().any(|c| c.is_control() || c.is_whitespace())
        && v.split("://").nth(1).is_some_and(|rest| {
            rest.split('/')
                .next()
                .is_some_and(|host| host.contains('.') || host.starts_with("localhost"))
        });
    if ok {
        Ok(Some(v.to_string()))
    } else {
        Err(AppError::invalid(
            "avatar_url",
            "Use an image address starting with https://, like https://example.com/me.png.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preferences_default_and_parse_partial_json() {
        let p: Preferences =
            serde_json::from_value(serde_json::json!({ "theme": "dark" })).expect("parse");
        assert_eq!(p.theme, Theme::Dark);
        assert!(p.notifications.email_on_publish);
        assert_eq!(p.builder.auto_save_interval, 30);
        assert!(Preferences::default().check().is_ok());
    }

    #[test]
    fn avatar_urls_are_checked() {
        assert_eq!(parse_avatar_url(" ").expect("empty"), None);
        assert!(parse_avatar_url("https://cdn.example.com/a.png").is_ok());
        for bad in [
            "javascript:alert(1)",
            "ftp://x.com/a",
            "https://",
            "https://a b.com/x",
            "data:image/png;base64,AA",
        ] {
            assert!(parse_avatar_url(bad).is_err(), "{bad}");
        }
        assert!(matches!(
            parse_invite_role("owner"),
            Err(AppError::Invalid { .. })
        ));
        assert_eq!(parse_invite_role("editor"), Ok(Role::Editor));
    }
}
