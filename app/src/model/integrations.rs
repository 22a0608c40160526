//! Integrations (issue 21): outgoing webhooks per website and the tenant's API keys. The lists
//! here are the one place an event or a scope is named; the database checks only their shape.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Role;
use crate::error::AppError;

/// The events an endpoint can subscribe to, with what the page says about each. A new event
/// (the commerce issue's `order.created`) is one line here plus the `emit` call where it
/// happens.
pub const WEBHOOK_EVENTS: &[(&str, &str)] = &[
    ("form.submitted", "A visitor submits a contact form"),
    ("site.published", "The website is published"),
    (
        "site.rolled_back",
        "The website is rolled back to an earlier deployment",
    ),
    ("page.updated", "A page's blocks or settings are saved"),
    ("order.created", "A visitor checks out in the shop"),
    ("order.paid", "A shop order is paid"),
    ("order.refunded", "A shop order is refunded"),
];

/// Longest endpoint address accepted.
pub const WEBHOOK_URL_MAX: usize = 2048;
/// Endpoints per website.
pub const WEBHOOKS_PER_WEBSITE: i64 = 10;

pub fn is_webhook_event(event: &str) -> bool {
    WEBHOOK_EVENTS.iter().any(|(e, _)| *e == event)
}

/// The chosen events: at least one, each known, without repeats (sorted).
pub fn parse_webhook_events(events: &[String]) -> Result<Vec<String>, AppError> {
    let mut out: Vec<String> = Vec::new();
    for e in events {
        let e = e.trim();
        if !is_webhook_event(e) {
            return Err(AppError::invalid(
                "events",
                format!(
                    "Unknown event “{e}”. Choose from: {}.",
                    WEBHOOK_EVENTS
                        .iter()
                        .map(|(e, _)| *e)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        if !out.iter().any(|o| o == e) {
            out.push(e.to_string());
        }
    }
    if out.is_empty() {
        return Err(AppError::invalid(
            "events",
            "Choose at least one event to send.",
        ));
    }
    out.sort();
    Ok(out)
}

/// The address as typed, trimmed: `http(s)://host…`, no credentials, bounded. Whether the host
/// is allowed (not a private address) is the server's check, which resolves it.
pub fn parse_webhook_url(url: &str) -> Result<String, AppError> {
    let v = url.trim();
    let bad = |m: &str| AppError::invalid("url", m);
    if v.is_empty() {
        return Err(bad("Enter the address that should receive the events."));
    }
    if v.len() > WEBHOOK_URL_MAX {
        return Err(bad("This address is too long (2048 characters at most)."));
    }
    if v.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(bad(
            "An address cannot contain spaces or control characters.",
        ));
    }
    let lower = v.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or_else(|| bad("Use an https:// address, such as https://example.com/hooks."))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(bad(
            "Put no user name or password in the address; check the signature instead.",
        ));
    }
    if authority.is_empty() {
        return Err(bad("The address needs a host name, such as example.com."));
    }
    Ok(v.to_string())
}

/// One endpoint as its page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookEndpoint {
    pub id: Uuid,
    pub url: String,
    pub events: Vec<String>,
    /// `whsec_…`: the signing secret (only owners and admins see the page at all).
    pub secret: String,
    pub is_active: bool,
    pub disabled_at: Option<DateTime<Utc>>,
    pub disabled_reason: Option<String>,
    pub consecutive_failures: i32,
    pub created_at: DateTime<Utc>,
}

/// One delivery in the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    pub id: Uuid,
    pub webhook_id: Uuid,
    pub url: String,
    pub event: String,
    pub event_id: Uuid,
    /// `pending`, `succeeded`, `failed` or `cancelled`.
    pub status: String,
    pub attempts: i32,
    pub response_status: Option<i32>,
    pub response_excerpt: Option<String>,
    pub duration_ms: Option<i32>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub next_attempt_at: Option<DateTime<Utc>>,
}

/// A website's webhooks page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhooksOverview {
    pub website_id: Uuid,
    pub website_name: String,
    pub endpoints: Vec<WebhookEndpoint>,
    /// Newest first, at most [`WEBHOOK_LOG_LIMIT`].
    pub deliveries: Vec<WebhookDelivery>,
}

pub const WEBHOOK_LOG_LIMIT: i64 = 50;

/// What an API key may do. A key acts with its scopes, and never beyond what its creator's
/// role allows now ([`ApiScope::allowed_for`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiScope {
    ReadSites,
    WriteContent,
    Publish,
    ReadSubmissions,
    ManageAssets,
}

impl ApiScope {
    pub const ALL: [ApiScope; 5] = [
        ApiScope::ReadSites,
        ApiScope::WriteContent,
        ApiScope::Publish,
        ApiScope::ReadSubmissions,
        ApiScope::ManageAssets,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReadSites => "read_sites",
            Self::WriteContent => "write_content",
            Self::Publish => "publish",
            Self::ReadSubmissions => "read_submissions",
            Self::ManageAssets => "manage_assets",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::ReadSites => "Read websites and pages",
            Self::WriteContent => "Write content",
            Self::Publish => "Publish and roll back",
            Self::ReadSubmissions => "Read form submissions",
            Self::ManageAssets => "Manage media files",
        }
    }

    /// Whether a member with `role` may do what this scope allows (the same rules as the app).
    pub fn allowed_for(self, role: Role) -> bool {
        match self {
            Self::ReadSites => true,
            Self::WriteContent => role.can_edit_content(),
            Self::Publish => role.can_publish(),
            Self::ReadSubmissions => role.can_view_submissions(),
            Self::ManageAssets => role.can_manage_assets(),
        }
    }
}

/// The scopes asked for: at least one, each known, none beyond `role`.
pub fn parse_api_scopes(scopes: &[String], role: Role) -> Result<Vec<ApiScope>, AppError> {
    let mut out: Vec<ApiScope> = Vec::new();
    for s in scopes {
        let scope = ApiScope::parse(s.trim())
            .ok_or_else(|| AppError::invalid("scopes", format!("Unknown scope “{s}”.")))?;
        if !scope.allowed_for(role) {
            return Err(AppError::invalid(
                "scopes",
                format!(
                    "Your role ({}) cannot {}, so a key you create cannot either.",
                    role.as_str(),
                    scope.label().to_lowercase()
                ),
            ));
        }
        if !out.contains(&scope) {
            out.push(scope);
        }
    }
    if out.is_empty() {
        return Err(AppError::invalid("scopes", "Choose at least one scope."));
    }
    Ok(out)
}

/// A key's name: 1 to 100 characters.
pub fn parse_api_key_name(name: &str) -> Result<String, AppError> {
    let n = name.trim();
    if n.is_empty() {
        return Err(AppError::invalid(
            "name",
            "Give the key a name, such as “Zapier”.",
        ));
    }
    if n.chars().count() > 100 {
        return Err(AppError::invalid(
            "name",
            "The name is too long (100 characters at most).",
        ));
    }
    Ok(n.to_string())
}

/// Longest expiry offered, in days.
pub const API_KEY_MAX_DAYS: u32 = 3650;

/// An API key as the keys page lists it (never the key itself).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKeyInfo {
    pub id: Uuid,
    pub name: String,
    /// `sp_live_ab12cd34`: what the key starts with.
    pub prefix: String,
    pub scopes: Vec<ApiScope>,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub last_used_ip: Option<String>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Past its expiry by the database's clock when it was read (the browser has no clock we
    /// trust, and chrono's clock is not available in the WASM build).
    pub expired: bool,
}

/// The keys page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKeysOverview {
    pub keys: Vec<ApiKeyInfo>,
    /// The scopes the viewer's role may give a key.
    pub grantable: Vec<ApiScope>,
}

/// A new key: `key` is shown once and never stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiKeyCreated {
    pub key: String,
    pub info: ApiKeyInfo,
    pub overview: ApiKeysOverview,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_checked_and_deduplicated() {
        let ok = parse_webhook_events(&[
            "site.published".into(),
            "form.submitted".into(),
            "site.published".into(),
        ])
        .expect("valid");
        assert_eq!(ok, vec!["form.submitted", "site.published"]);
        assert!(parse_webhook_events(&[]).is_err());
        assert!(parse_webhook_events(&["order.deleted".into()]).is_err());
    }

    #[test]
    fn urls_need_a_scheme_and_no_credentials() {
        assert!(parse_webhook_url("https://example.com/hook").is_ok());
        assert!(parse_webhook_url("ftp://example.com").is_err());
        assert!(parse_webhook_url("https://user:pw@example.com/").is_err());
        assert!(parse_webhook_url("https:///path").is_err());
    }

    #[test]
    fn scopes_never_exceed_the_role() {
        assert!(parse_api_scopes(&["publish".into()], Role::Editor).is_err());
        assert!(parse_api_scopes(&["read_submissions".into()], Role::Developer).is_err());
        assert_eq!(
            parse_api_scopes(&["read_sites".into(), "publish".into()], Role::Admin).expect("ok"),
            vec![ApiScope::ReadSites, ApiScope::Publish]
        );
    }
}
