//! What server functions return to the UI.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{BlockProps, Branding, Role};

/// The signed-in member, as the UI needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub user_id: Uuid,
    pub tenant_id: Uuid,
    pub email: String,
    pub full_name: Option<String>,
    pub tenant_name: String,
    pub role: Role,
    /// Platform staff viewing the organisation read-only (operator console): their email.
    #[serde(default)]
    pub impersonated_by: Option<String>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageSummary {
    pub id: Uuid,
    pub title: String,
    pub slug: String,
    pub status: String,
    pub is_home: bool,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebsiteSummary {
    pub id: Uuid,
    pub name: String,
    pub subdomain: Option<String>,
    pub status: String,
    pub pages: Vec<PageSummary>,
}

/// One block on the builder canvas.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComponentDto {
    pub id: Uuid,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub block: BlockProps,
    /// Hex of the fractional index bytes; informational for the client.
    pub order_key: String,
    pub is_visible: bool,
    pub is_locked: bool,
    /// The global block this block is a use of (its props are the global block's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global_block_id: Option<Uuid>,
}

/// A page of the same website, as link pickers offer it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageLink {
    pub title: String,
    pub slug: String,
}

/// Everything the builder needs to open one page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuilderData {
    /// The account the page belongs to (the copied-block clipboard payload names it).
    #[serde(default)]
    pub tenant_id: Uuid,
    pub page_id: Uuid,
    pub page_title: String,
    pub page_slug: String,
    pub revision: i64,
    pub website_id: Uuid,
    pub website_name: String,
    pub subdomain: Option<String>,
    pub branding: Branding,
    pub components: Vec<ComponentDto>,
    /// The website's pages, for link fields.
    pub pages: Vec<PageLink>,
    pub role: Role,
}

/// The server's acknowledgement of an edit: the page's new revision.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SaveAck {
    pub revision: i64,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComponentMoved {
    pub revision: i64,
    pub order_key: String,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Published {
    pub deployment_id: Uuid,
    pub pages: usize,
    /// Path form of the visitor site, which works without DNS.
    pub site_path: String,
}

/// Result of the 30-second autosave tick.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct VersionRecorded {
    /// False when nothing changed since the last version.
    pub recorded: bool,
}
