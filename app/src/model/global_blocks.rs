//! Global blocks (issue 20 §2) and the block clipboard (issue 20 §3): the shapes the builder
//! and the server exchange.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{BlockProps, ComponentDto};
use crate::error::AppError;

/// A named global block of the tenant, as the add-block menu lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlobalBlock {
    pub id: Uuid,
    pub name: String,
    pub block: BlockProps,
    pub revision: i64,
    /// How many blocks on pages use it.
    pub uses: i64,
}

/// The answer to "Save as global block": the new global block and the page's new revision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlobalBlockCreated {
    pub global: GlobalBlock,
    pub revision: i64,
}

/// One page block that uses a global block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlobalBlockUse {
    pub component_id: Uuid,
    pub page_id: Uuid,
    pub page_title: String,
    pub page_slug: String,
    pub website_id: Uuid,
    pub website_name: String,
}

impl GlobalBlockUse {
    /// "Home (/) on Bakery" — how confirmations and refusals name a use.
    pub fn label(&self) -> String {
        format!(
            "{} ({}) on {}",
            self.page_title, self.page_slug, self.website_name
        )
    }
}

/// A global block with every use, shown before an edit is saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlobalBlockUses {
    pub id: Uuid,
    pub name: String,
    pub revision: i64,
    pub uses: Vec<GlobalBlockUse>,
}

/// A page whose revision an edit of a global block advanced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageRevision {
    pub page_id: Uuid,
    pub revision: i64,
}

/// The answer to an edit of a global block: its new revision, and every page it changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlobalBlockSaved {
    pub revision: i64,
    pub pages: Vec<PageRevision>,
}

impl GlobalBlockSaved {
    /// The new revision of `page`, when the edit changed it.
    pub fn page_revision(&self, page: Uuid) -> Option<i64> {
        self.pages
            .iter()
            .find(|p| p.page_id == page)
            .map(|p| p.revision)
    }
}

/// A block placed on a page by the server (a global block's use, a paste): its row as the
/// canvas shows it, and the page's new revision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockPlaced {
    pub revision: i64,
    pub component: ComponentDto,
}

/// The `format` of the clipboard payload.
pub const CLIPBOARD_FORMAT: &str = "sitepilot.block";
/// The clipboard payload's version this build writes and reads.
pub const CLIPBOARD_VERSION: u32 = 1;
/// The longest clipboard payload a paste accepts.
pub const CLIPBOARD_MAX_BYTES: usize = 256 * 1024;

/// The text a copied block puts on the clipboard:
/// `{"format":"sitepilot.block","version":1,"tenant":…,"block":{"type":…,"props":…}}`.
pub fn clipboard_payload(tenant: Uuid, block: &BlockProps) -> String {
    serde_json::json!({
        "format": CLIPBOARD_FORMAT,
        "version": CLIPBOARD_VERSION,
        "tenant": tenant,
        "block": block,
    })
    .to_string()
}

/// Reads a pasted clipboard text: the envelope, the tenant it was copied in, and the block,
/// checked by the same validators as any block edit. Anything else is a 400 naming what is
/// wrong; a block copied in another tenant is refused.
pub fn parse_clipboard(text: &str, tenant: Uuid) -> Result<BlockProps, AppError> {
    let bad = |m: &str| AppError::invalid("payload", m);
    if text.len() > CLIPBOARD_MAX_BYTES {
        return Err(bad("The clipboard holds too much to be one block."));
    }
    let v: serde_json::Value = serde_json::from_str(text)
        .map_err(|_| bad("The clipboard does not hold a copied SitePilot block."))?;
    if v.get("format").and_then(|f| f.as_str()) != Some(CLIPBOARD_FORMAT) {
        return Err(bad("The clipboard does not hold a copied SitePilot block."));
    }
    if v.get("version").and_then(|f| f.as_u64()) != Some(u64::from(CLIPBOARD_VERSION)) {
        return Err(bad(
            "This block was copied by another version of SitePilot. Copy it again.",
        ));
    }
    let from = v
        .get("tenant")
        .and_then(|t| t.as_str())
        .and_then(|t| Uuid::parse_str(t).ok())
        .ok_or_else(|| bad("The copied block does not say which account it came from."))?;
    if from != tenant {
        return Err(bad(
            "This block was copied in another account. Blocks can be pasted only within the account they come from.",
        ));
    }
    let block = v
        .get("block")
        .ok_or_else(|| bad("The clipboard payload holds no block."))?;
    let kind = block
        .get("type")
        .and_then(|k| k.as_str())
        .ok_or_else(|| bad("The copied block has no type."))?;
    let props = block
        .get("props")
        .cloned()
        .unwrap_or(serde_json::Value::Null);
    BlockProps::from_parts(kind, props)
}

/// A global block's name: 2 to 80 characters.
pub fn parse_global_block_name(raw: &str) -> Result<String, AppError> {
    super::parse_name("name", "a name for the global block", raw, 2, 80)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ComponentKind;

    #[test]
    fn clipboard_round_trip_and_refusals() {
        let t = Uuid::new_v4();
        let block = BlockProps::starter(ComponentKind::Footer);
        let text = clipboard_payload(t, &block);
        assert_eq!(parse_clipboard(&text, t).unwrap(), block);
        // Another tenant.
        assert!(parse_clipboard(&text, Uuid::new_v4()).is_err());
        // Not ours.
        assert!(parse_clipboard("hello", t).is_err());
        let forged = serde_json::json!({"format": CLIPBOARD_FORMAT, "version": 1, "tenant": t,
            "block": {"type": "cta", "props": {"heading": "x", "button_href": "javascript:alert(1)"}}});
        assert!(parse_clipboard(&forged.to_string(), t).is_err());
        let unknown = serde_json::json!({"format": CLIPBOARD_FORMAT, "version": 1, "tenant": t,
            "block": {"type": "marquee", "props": {}}});
        assert!(parse_clipboard(&unknown.to_string(), t).is_err());
    }
}
