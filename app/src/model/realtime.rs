//! Realtime events (issue 21 part 5): what the app's event stream (`GET /events`, Server-Sent
//! Events) tells open builders and dashboards. The server sends each as an SSE event named by
//! [`LiveEvent::name`] with the JSON of the event as its data.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How long a presence heartbeat is believed (the builder sends one every
/// [`PRESENCE_HEARTBEAT_SECS`]).
pub const PRESENCE_TTL_SECS: i64 = 30;
pub const PRESENCE_HEARTBEAT_SECS: u32 = 10;
/// At most this many people are listed per page (the rest are not shown).
pub const PRESENCE_MAX: i64 = 20;

/// Where a publish or rollback is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeployPhase {
    Started,
    Succeeded,
    Failed,
}

/// Publish or rollback.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeployAction {
    Publish,
    Rollback,
}

/// A publish or rollback of a website, as it happens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeployStatus {
    pub website_id: Uuid,
    pub website_name: String,
    pub action: DeployAction,
    pub phase: DeployPhase,
    /// The deployment that went live (succeeded only).
    pub deployment_id: Option<Uuid>,
    /// Why it failed (failed only).
    pub message: Option<String>,
}

impl DeployStatus {
    /// The sentence the live status region shows.
    pub fn sentence(&self) -> String {
        let short = |id: Option<Uuid>| {
            id.map(|d| d.simple().to_string()[..8].to_string())
                .unwrap_or_default()
        };
        let name = &self.website_name;
        match (self.action, self.phase) {
            (DeployAction::Publish, DeployPhase::Started) => format!("Publishing {name}…"),
            (DeployAction::Publish, DeployPhase::Succeeded) => format!(
                "{name} is published: deployment {} is live.",
                short(self.deployment_id)
            ),
            (DeployAction::Rollback, DeployPhase::Started) => format!("Rolling back {name}…"),
            (DeployAction::Rollback, DeployPhase::Succeeded) => format!(
                "{name} is rolled back: deployment {} is live.",
                short(self.deployment_id)
            ),
            (DeployAction::Publish, DeployPhase::Failed) => format!(
                "Publishing {name} failed: {}",
                self.message.as_deref().unwrap_or("unknown error")
            ),
            (DeployAction::Rollback, DeployPhase::Failed) => format!(
                "Rolling back {name} failed: {}",
                self.message.as_deref().unwrap_or("unknown error")
            ),
        }
    }
}

/// A page's content was saved: its new revision, by whom, and the block it touched (none when
/// the change was page-wide, like a version restore).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageChanged {
    pub page_id: Uuid,
    pub revision: i64,
    /// The member (user id) who saved.
    pub by: Uuid,
    pub component_id: Option<Uuid>,
}

/// One open builder tab of a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Present {
    pub tab: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub initials: String,
    pub selected: Option<Uuid>,
}

/// Everybody who has a page open now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PagePresence {
    pub page_id: Uuid,
    pub people: Vec<Present>,
}

/// The events of the stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LiveEvent {
    Deploy(DeployStatus),
    Page(PageChanged),
    Presence(PagePresence),
    /// An AI site generation changed (its envelope's website is the generation's id: it
    /// reaches only `GET /ai/generations/{id}/events`).
    Generation(GenerationChanged),
}

/// A generation's row changed; the stream reads it again and sends the whole state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GenerationChanged {
    pub generation_id: Uuid,
}

impl LiveEvent {
    /// The SSE event name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Deploy(_) => "deploy",
            Self::Page(_) => "page",
            Self::Presence(_) => "presence",
            Self::Generation(_) => "generation",
        }
    }

    /// The page an event is about (page-scoped events reach only that page's builders).
    pub fn page(&self) -> Option<Uuid> {
        match self {
            Self::Deploy(_) => None,
            Self::Page(p) => Some(p.page_id),
            Self::Presence(p) => Some(p.page_id),
            Self::Generation(_) => None,
        }
    }
}

/// Up to two initials of a name ("Ada Lovelace" → "AL"), or of the email's local part.
pub fn initials(name: &str) -> String {
    let mut out: String = name
        .split(|c: char| c.is_whitespace() || c == '.' || c == '_' || c == '-' || c == '@')
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_alphanumeric())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect();
    if out.is_empty() {
        out.push('?');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_of_names_and_addresses() {
        assert_eq!(initials("Ada Lovelace"), "AL");
        assert_eq!(initials("grace"), "G");
        assert_eq!(initials("demo.user"), "DU");
        assert_eq!(initials(""), "?");
    }

    #[test]
    fn events_carry_their_kind() {
        let e = LiveEvent::Page(PageChanged {
            page_id: Uuid::nil(),
            revision: 3,
            by: Uuid::nil(),
            component_id: None,
        });
        let json = serde_json::to_value(&e).expect("json");
        assert_eq!(json["kind"], "page");
        assert_eq!(e.name(), "page");
        let back: LiveEvent = serde_json::from_value(json).expect("back");
        assert_eq!(back, e);
    }
}
