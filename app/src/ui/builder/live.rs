//! The builder's realtime side: its event stream (`ui::live`), presence (who else has the page
//! open and what they selected, heartbeats every `PRESENCE_HEARTBEAT_SECS` and on every
//! selection change), other editors' saves pulled in (`Editor::remote_changed`) and the
//! website's live publish status.

use leptos::prelude::*;
#[cfg(feature = "hydrate")]
use uuid::Uuid;

use super::editor::Editor;
#[cfg(feature = "hydrate")]
use crate::model::{PageChanged, PagePresence};

/// Starts following the page's events (browser only; stops when the builder unmounts).
pub fn start(ed: Editor) {
    #[cfg(feature = "hydrate")]
    {
        let connected_before = StoredValue::new(false);
        let query = format!("page={}&tab={}", ed.page_id, ed.tab);
        crate::ui::live::follow(query, move |name, data| match name {
            "hello" => {
                #[derive(serde::Deserialize)]
                struct Hello {
                    stream: Uuid,
                }
                if let Ok(h) = serde_json::from_str::<Hello>(data) {
                    ed.stream.set_value(Some(h.stream));
                }
                // After a gap (a lost connection, a server restart) events may be missed.
                if connected_before.get_value() {
                    ed.remote_changed(None, None);
                }
                connected_before.set_value(true);
                ed.heartbeat();
            }
            "resync" => {
                ed.remote_changed(None, None);
                ed.heartbeat();
            }
            "page" => {
                if let Ok(crate::model::LiveEvent::Page(PageChanged {
                    revision,
                    component_id,
                    ..
                })) = serde_json::from_str(data)
                {
                    ed.remote_changed(Some(revision), component_id);
                }
            }
            "presence" => {
                if let Ok(crate::model::LiveEvent::Presence(PagePresence { people, .. })) =
                    serde_json::from_str(data)
                {
                    ed.people.set(people);
                }
            }
            "deploy" => {
                if let Ok(crate::model::LiveEvent::Deploy(d)) = serde_json::from_str(data) {
                    ed.live_deploy.set(Some(d));
                }
            }
            _ => {}
        });
        let beat = gloo_timers::callback::Interval::new(
            crate::model::PRESENCE_HEARTBEAT_SECS * 1000,
            move || ed.heartbeat(),
        );
        let beat = send_wrapper::SendWrapper::new(beat);
        on_cleanup(move || drop(beat.take()));
        // Every selection change is told at once.
        Effect::new(move |prev: Option<Option<Uuid>>| {
            let selected = ed.selected.get();
            if prev.is_some_and(|p| p != selected) {
                ed.heartbeat();
            }
            selected
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ed;
}

/// Who else has the page open: initials (the name as a tooltip and label), and the block each
/// has selected.
#[component]
pub fn PresenceBar(ed: Editor) -> impl IntoView {
    view! {
        <ul class="presence" aria-label="Also on this page">
            {move || ed.others().into_iter().map(|p| {
                let selecting = p.selected.and_then(|id| ed.block(id)).map(|c| c.block.kind().label());
                let label = match selecting {
                    Some(kind) => format!("{} (selected: {kind} block)", p.name),
                    None => p.name.clone(),
                };
                view! { <li class="presence-person" title=label.clone() aria-label=label>{p.initials}</li> }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// The website's publish or rollback status as it happens, in every open builder of it.
#[component]
pub fn DeployLive(ed: Editor) -> impl IntoView {
    view! { <crate::ui::live::DeployStatusRegion status=ed.live_deploy.into()/> }
}
