//! The builder's editing state and the queue that persists edits.
//!
//! Edits apply to the local signals at once. Persisting goes through one queue drained by one
//! task, so requests reach the server in the order the editor made them and each carries the
//! revision the previous one returned. The status never says "Saved" while anything is
//! queued or in flight.

use std::collections::VecDeque;

use leptos::prelude::*;
use uuid::Uuid;

use crate::api::builder::*;
use crate::api::publish::publish_website;
use crate::error::AppError;
use crate::model::*;

#[derive(Debug, Clone, PartialEq)]
pub enum SaveState {
    Saved,
    Unsaved,
    Saving,
    Conflict,
    Failed(String),
}

impl SaveState {
    pub fn label(&self) -> String {
        match self {
            Self::Saved => "Saved".into(),
            Self::Unsaved => "Unsaved changes".into(),
            Self::Saving => "Saving…".into(),
            Self::Conflict => AppError::Conflict { current_revision: 0 }.to_string(),
            Self::Failed(m) => format!("Not saved: {m}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Op {
    SaveProps(Uuid),
    Add(ComponentKind, Option<Uuid>),
    Move(Uuid, Option<Uuid>),
    Delete(Uuid),
    Duplicate(Uuid),
    Flags { id: Uuid, visible: Option<bool>, locked: Option<bool> },
    Publish,
}

/// Copyable handle to the editor's state.
#[derive(Clone, Copy)]
pub struct Editor {
    pub page_id: Uuid,
    pub website_id: Uuid,
    pub role: Role,
    pub blocks: RwSignal<Vec<ComponentDto>>,
    pub selected: RwSignal<Option<Uuid>>,
    pub dragging: RwSignal<Option<Uuid>>,
    pub save: RwSignal<SaveState>,
    pub publish_note: RwSignal<Option<Result<Published, String>>>,
    /// Set when the 30-second autosave recorded a version.
    pub versions_recorded: RwSignal<u32>,
    revision: RwSignal<i64>,
    queue: StoredValue<VecDeque<Op>>,
    busy: RwSignal<bool>,
    typing: StoredValue<u64>,
    changed_since_version: RwSignal<bool>,
}

impl Editor {
    pub fn new(data: &BuilderData) -> Self {
        Self {
            page_id: data.page_id,
            website_id: data.website_id,
            role: data.role,
            blocks: RwSignal::new(data.components.clone()),
            selected: RwSignal::new(None),
            dragging: RwSignal::new(None),
            save: RwSignal::new(SaveState::Saved),
            publish_note: RwSignal::new(None),
            versions_recorded: RwSignal::new(0),
            revision: RwSignal::new(data.revision),
            queue: StoredValue::new(VecDeque::new()),
            busy: RwSignal::new(false),
            typing: StoredValue::new(0),
            changed_since_version: RwSignal::new(false),
        }
    }

    pub fn can_edit(&self) -> bool {
        self.role.can_edit_content()
    }

    fn index_of(&self, id: Uuid) -> Option<usize> {
        self.blocks.with_untracked(|b| b.iter().position(|c| c.id == id))
    }

    /// Applies a text edit locally and schedules its save once typing pauses.
    pub fn edit_text(self, id: Uuid, key: &'static str, value: String) {
        if !self.can_edit() {
            return;
        }
        self.blocks.update(|bs| {
            if let Some(c) = bs.iter_mut().find(|c| c.id == id) {
                c.block.set_text(key, value);
            }
        });
        self.save.set(SaveState::Unsaved);
        self.typing.update_value(|g| *g += 1);
        let generation = self.typing.get_value();
        after_ms(500, move || {
            if self.typing.try_get_value() == Some(generation) {
                self.enqueue(Op::SaveProps(id));
            }
        });
    }

    pub fn add(self, kind: ComponentKind) {
        let after = self.selected.get_untracked().or_else(|| self.blocks.with_untracked(|b| b.last().map(|c| c.id)));
        self.enqueue(Op::Add(kind, after));
    }

    /// Moves `id` so that it lands where `target` is now (after it when moving down, before
    /// it when moving up), as drag-and-drop users expect.
    pub fn move_onto(self, id: Uuid, target: Uuid) {
        let (Some(from), Some(to)) = (self.index_of(id), self.index_of(target)) else { return };
        if from == to {
            return;
        }
        let after = if from < to {
            Some(target)
        } else {
            self.blocks.with_untracked(|b| to.checked_sub(1).map(|i| b[i].id))
        };
        self.move_after(id, after);
    }

    /// Moves one step up (`-1`) or down (`1`), for the keyboard and the toolbar.
    pub fn nudge(self, id: Uuid, step: i32) {
        let Some(from) = self.index_of(id) else { return };
        let len = self.blocks.with_untracked(Vec::len);
        let to = from as i64 + step as i64;
        if to < 0 || to >= len as i64 {
            return;
        }
        let target = self.blocks.with_untracked(|b| b[to as usize].id);
        self.move_onto(id, target);
    }

    fn move_after(self, id: Uuid, after: Option<Uuid>) {
        if !self.can_edit() {
            return;
        }
        self.blocks.update(|bs| {
            let Some(from) = bs.iter().position(|c| c.id == id) else { return };
            let item = bs.remove(from);
            let at = after.and_then(|a| bs.iter().position(|c| c.id == a)).map(|i| i + 1).unwrap_or(0);
            bs.insert(at, item);
        });
        self.enqueue(Op::Move(id, after));
    }

    pub fn delete(self, id: Uuid) {
        if !self.can_edit() {
            return;
        }
        self.blocks.update(|bs| bs.retain(|c| c.id != id));
        if self.selected.get_untracked() == Some(id) {
            self.selected.set(None);
        }
        self.queue.update_value(|q| q.retain(|op| *op != Op::SaveProps(id)));
        self.enqueue(Op::Delete(id));
    }

    pub fn duplicate(self, id: Uuid) {
        if self.can_edit() {
            self.enqueue(Op::Duplicate(id));
        }
    }

    /// Applies a visibility or lock change locally at once, then persists it.
    pub fn set_flags(self, id: Uuid, visible: Option<bool>, locked: Option<bool>) {
        if !self.can_edit() {
            return;
        }
        self.blocks.update(|bs| {
            if let Some(c) = bs.iter_mut().find(|c| c.id == id) {
                c.is_visible = visible.unwrap_or(c.is_visible);
                c.is_locked = locked.unwrap_or(c.is_locked);
            }
        });
        self.enqueue(Op::Flags { id, visible, locked });
    }

    pub fn publish(self) {
        self.publish_note.set(None);
        self.enqueue(Op::Publish);
    }

    /// Whether edits are waiting to be sent (after a network or server failure).
    pub fn has_pending(&self) -> bool {
        self.queue.with_value(|q| !q.is_empty())
    }

    /// Retries what is queued after a failure.
    pub fn retry(self) {
        self.kick();
    }

    fn enqueue(self, op: Op) {
        if self.save.get_untracked() == SaveState::Conflict {
            return;
        }
        self.queue.update_value(|q| {
            if !(matches!(op, Op::SaveProps(_)) && q.contains(&op)) {
                q.push_back(op);
            }
        });
        self.kick();
    }

    fn kick(self) {
        self.save.set(SaveState::Saving);
        if self.busy.get_untracked() {
            return;
        }
        self.busy.set(true);
        leptos::task::spawn_local(async move { self.drain().await });
    }

    async fn drain(self) {
        // Each op is taken off the queue before it runs, so an edit made while it is in flight
        // is queued again rather than merged into the request already sent.
        while let Some(op) = self.queue.try_update_value(|q| q.pop_front()).flatten() {
            match self.run(&op).await {
                Ok(()) => {}
                Err(AppError::Conflict { .. }) => {
                    self.save.set(SaveState::Conflict);
                    self.busy.set(false);
                    return;
                }
                Err(e) => {
                    // Network and server faults are retried; a refused edit would fail again.
                    let retryable = matches!(e, AppError::Transport(_) | AppError::Internal);
                    if retryable {
                        self.queue.update_value(|q| q.push_front(op.clone()));
                    }
                    if op == Op::Publish {
                        self.publish_note.set(Some(Err(e.to_string())));
                    }
                    self.save.set(SaveState::Failed(e.to_string()));
                    self.busy.set(false);
                    return;
                }
            }
        }
        self.busy.set(false);
        // `Unsaved` here means a text edit arrived during the drain and its debounce has not
        // queued it yet; that save will come, so do not claim "Saved" before it does.
        if self.save.get_untracked() != SaveState::Unsaved {
            self.save.set(SaveState::Saved);
        }
    }

    async fn run(self, op: &Op) -> Result<(), AppError> {
        let base = self.revision.get_untracked();
        let page_id = self.page_id;
        match op.clone() {
            Op::SaveProps(id) => {
                let Some(block) = self.blocks.with_untracked(|b| b.iter().find(|c| c.id == id).map(|c| c.block.clone()))
                else {
                    return Ok(());
                };
                let ack = update_component(page_id, id, block, base).await?;
                self.acknowledge(ack.revision);
            }
            Op::Add(kind, after) => {
                let added = add_component(page_id, kind, after, base).await?;
                self.acknowledge(added.revision);
                let new_id = added.component.id;
                self.blocks.update(|bs| {
                    let at = after.and_then(|a| bs.iter().position(|c| c.id == a)).map(|i| i + 1).unwrap_or(0);
                    bs.insert(at.min(bs.len()), added.component);
                });
                self.selected.set(Some(new_id));
            }
            Op::Move(id, after) => {
                let moved = move_component(page_id, id, after, base).await?;
                self.acknowledge(moved.revision);
                self.blocks.update(|bs| {
                    if let Some(c) = bs.iter_mut().find(|c| c.id == id) {
                        c.order_key = moved.order_key;
                    }
                });
            }
            Op::Delete(id) => {
                let ack = delete_component(page_id, id, base).await?;
                self.acknowledge(ack.revision);
            }
            Op::Duplicate(id) => {
                let added = duplicate_component(page_id, id, base).await?;
                self.acknowledge(added.revision);
                let new_id = added.component.id;
                self.blocks.update(|bs| {
                    let at = bs.iter().position(|c| c.id == id).map(|i| i + 1).unwrap_or(bs.len());
                    bs.insert(at, added.component);
                });
                self.selected.set(Some(new_id));
            }
            Op::Flags { id, visible, locked } => {
                let ack = set_component_flags(page_id, id, visible, locked, base).await?;
                self.acknowledge(ack.revision);
            }
            Op::Publish => {
                let published = publish_website(self.website_id).await?;
                self.publish_note.set(Some(Ok(published)));
            }
        }
        Ok(())
    }

    fn acknowledge(self, revision: i64) {
        self.revision.set(revision);
        self.changed_since_version.set(true);
    }

    /// The 30-second autosave tick: records a version if anything was saved since the last one.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn autosave_tick(self) {
        if !self.can_edit() || self.changed_since_version.try_get_untracked() != Some(true) {
            return;
        }
        self.changed_since_version.set(false);
        let page_id = self.page_id;
        leptos::task::spawn_local(async move {
            match autosave_version(page_id).await {
                Ok(v) if v.recorded => {
                    self.versions_recorded.try_update(|n| *n += 1);
                }
                Ok(_) => {}
                // Try again on the next tick.
                Err(_) => {
                    self.changed_since_version.try_set(true);
                }
            }
        });
    }
}

/// Runs `f` once after `ms` milliseconds (browser only; a no-op during server rendering).
fn after_ms(ms: u32, f: impl FnOnce() + 'static) {
    #[cfg(feature = "hydrate")]
    gloo_timers::callback::Timeout::new(ms, f).forget();
    #[cfg(not(feature = "hydrate"))]
    let _ = (ms, f);
}

/// Starts the 30-second autosave timer for this editor; it stops when the builder unmounts.
pub fn start_autosave(editor: Editor) {
    #[cfg(feature = "hydrate")]
    {
        let interval = gloo_timers::callback::Interval::new(30_000, move || editor.autosave_tick());
        let handle = send_wrapper::SendWrapper::new(interval);
        on_cleanup(move || drop(handle.take()));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = editor;
}
