//! The browser's copy of edits the server has not acknowledged (localStorage, one key per
//! page). Written after every queue change, removed once everything is saved. On the server
//! (SSR) there is no storage and these do nothing.

use uuid::Uuid;

use crate::model::PendingEdits;

fn key(page_id: Uuid) -> String {
    format!("sitepilot.pending.{page_id}")
}

#[cfg(feature = "hydrate")]
fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Keeps `pending` for the page, or forgets the page's entry when nothing is pending.
pub fn store(page_id: Uuid, pending: &PendingEdits) {
    if pending.edits.is_empty() {
        clear(page_id);
    } else {
        #[cfg(feature = "hydrate")]
        if let (Some(s), Ok(text)) = (storage(), crate::api::wire::to_json(pending)) {
            // A full storage quota leaves the edits in memory only; they are still retried.
            let _ = s.set_item(&key(page_id), &text);
        }
    }
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub fn load(page_id: Uuid) -> Option<PendingEdits> {
    #[cfg(feature = "hydrate")]
    {
        let text = storage()?.get_item(&key(page_id)).ok().flatten()?;
        // An entry from an older build that no longer parses is dropped rather than retried forever.
        crate::api::wire::from_json(text.as_bytes())
            .ok()
            .or_else(|| {
                clear(page_id);
                None
            })
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = key(page_id);
        None
    }
}

pub fn clear(page_id: Uuid) {
    #[cfg(feature = "hydrate")]
    if let Some(s) = storage() {
        let _ = s.remove_item(&key(page_id));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = key(page_id);
}
