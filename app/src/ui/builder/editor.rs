//! The builder's editing state and the queue that persists edits.
//!
//! Every change is an [`Edit`]: applied to the local signals at once, recorded for undo, and
//! queued for the server. One task drains the queue in order, each request carrying the
//! revision the previous one returned. Until the server acknowledges an edit it is also kept
//! in the browser (localStorage), so a reload, a lost connection or a crash loses nothing.
//! The status never says "Saved" while anything is queued or in flight.

use std::collections::VecDeque;

use leptos::prelude::*;
use serde_json::Value;
use uuid::Uuid;

use super::persist;
use crate::api::builder::*;
use crate::api::publish::publish_website;
use crate::error::AppError;
use crate::model::fields::{self, Seg};
use crate::model::{
    BlockPlaced, BlockProps, BuilderData, ComponentDto, ComponentKind, DeployStatus, Edit,
    GlobalBlock, History, NewBlock, PendingEdits, Present, Published, Role,
};

#[derive(Debug, Clone, PartialEq)]
pub enum SaveState {
    Saved,
    Unsaved,
    Saving,
    /// The network is down: edits wait in the browser and are retried.
    Offline,
    /// The page changed elsewhere since this editor's revision.
    Conflict,
    /// A change that does not pass validation; kept on screen, not sent.
    Invalid(String),
    /// The server refused or failed an edit.
    Failed(String),
}

impl SaveState {
    pub fn label(&self) -> String {
        match self {
            Self::Saved => "Saved".into(),
            Self::Unsaved => "Unsaved changes".into(),
            Self::Saving => "Saving…".into(),
            Self::Offline => "Offline — changes kept on this device".into(),
            Self::Conflict => "This page was changed in another tab or by another editor.".into(),
            Self::Invalid(m) | Self::Failed(m) => format!("Not saved: {m}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
#[allow(
    clippy::large_enum_variant,
    reason = "nearly every queued job is an Edit: boxing it would cost an allocation per edit to \
              save space only on the rare Publish (on wasm32 the variants are close enough not to trigger it)"
)]
enum Job {
    Edit(Edit),
    /// Publish, with the person's optional notes.
    Publish(Option<String>),
}

/// What is being dragged over the canvas: a block on it, or a new block from the palette.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drag {
    Block(Uuid),
    New(ComponentKind),
}

/// A validation message for one field of one block (field named as `BlockProps::validate`
/// names it, list indices dropped).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    pub block: Uuid,
    pub field: String,
    pub message: String,
}

/// What one write to the editor's blocks may have changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Touched {
    /// The props of this one block (a keystroke in the inspector).
    Block(Uuid),
    /// The order only: every block is as it was (a move).
    Order,
    /// Anything.
    Anything,
}

/// A log of the recent writes to the editor's blocks and what each touched. On a 1,000-block
/// page every canvas block's memo runs on every change; with this it can tell that a
/// keystroke in another block, or a move, left it alone without comparing its props.
#[derive(Debug, Default)]
pub struct Writes {
    /// How many writes there have been.
    generation: u64,
    /// What the newest ones touched, oldest first (at most [`Writes::KEPT`]).
    recent: VecDeque<Touched>,
}

impl Writes {
    const KEPT: usize = 32;

    fn record(&mut self, touched: Touched) {
        self.generation += 1;
        self.recent.push_back(touched);
        if self.recent.len() > Self::KEPT {
            self.recent.pop_front();
        }
    }

    /// The current generation, to hand back to [`Writes::untouched_since`] later.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Whether every write after generation `seen` is known to have left block `id` as it was
    /// (its place in the list may have changed).
    pub fn untouched_since(&self, seen: u64, id: Uuid) -> bool {
        let Ok(since) = usize::try_from(self.generation - seen) else {
            return false;
        };
        since <= self.recent.len()
            && self.recent.iter().rev().take(since).all(|t| match t {
                Touched::Block(other) => *other != id,
                Touched::Order => true,
                Touched::Anything => false,
            })
    }
}

/// What `edit` may alter in the blocks.
fn touched_by(edit: &Edit) -> Touched {
    match edit {
        Edit::Put { id, .. } => Touched::Block(*id),
        Edit::Move { .. } => Touched::Order,
        _ => Touched::Anything,
    }
}

/// Copyable handle to the editor's state.
#[derive(Clone, Copy)]
pub struct Editor {
    /// The account, named in copied blocks' clipboard payloads.
    pub tenant_id: Uuid,
    pub page_id: Uuid,
    pub website_id: Uuid,
    pub role: Role,
    /// The page's blocks. Written only through [`Editor::write_blocks`], which logs what each
    /// write touched for the canvas.
    pub blocks: RwSignal<Vec<ComponentDto>>,
    /// What the recent writes to `blocks` touched (see [`Writes`]).
    pub writes: StoredValue<Writes>,
    pub selected: RwSignal<Option<Uuid>>,
    pub dragging: RwSignal<Option<Drag>>,
    pub save: RwSignal<SaveState>,
    pub publish_note: RwSignal<Option<Result<Published, String>>>,
    /// The last publish was refused because the member's email is not verified yet: the
    /// Publish control offers to send the verification email again.
    pub publish_unverified: RwSignal<bool>,
    /// Counts versions the 30-second autosave recorded.
    pub versions_recorded: RwSignal<u32>,
    /// Bumped when blocks change other than by typing (undo, redo, list edits, a resync), so
    /// the inspector rebuilds its inputs from the new values.
    pub epoch: RwSignal<u32>,
    pub field_error: RwSignal<Option<FieldError>>,
    pub can_undo: RwSignal<bool>,
    pub can_redo: RwSignal<bool>,
    /// The page's revision as the server last acknowledged it.
    pub revision: RwSignal<i64>,
    /// The last plan-limit refusal, so the status line can offer the upgrade link.
    pub limit_error: RwSignal<Option<AppError>>,
    queue: StoredValue<VecDeque<Job>>,
    history: StoredValue<History>,
    busy: RwSignal<bool>,
    typing: StoredValue<u64>,
    /// The server's revision reported by the last conflict.
    conflict_revision: StoredValue<Option<i64>>,
    resync_after_drain: StoredValue<bool>,
    changed_since_version: RwSignal<bool>,
    /// This builder tab, for presence (a fresh id per open builder).
    pub tab: Uuid,
    /// The event stream this tab listens on (from its `hello`), reported with heartbeats.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub stream: StoredValue<Option<Uuid>>,
    /// Everybody who has the page open (this tab included), from the event stream.
    pub people: RwSignal<Vec<Present>>,
    /// The website's last publish or rollback status, live from the event stream.
    pub live_deploy: RwSignal<Option<DeployStatus>>,
    /// A newer revision another editor saved while this one was sending (checked after).
    remote_seen: StoredValue<Option<(i64, Option<Uuid>)>>,
    /// The account's global blocks (names, revisions), for the palette and the inspector.
    pub globals: RwSignal<Vec<GlobalBlock>>,
    /// A use of a global block edited here and not saved yet: saving changes every page
    /// that uses it, so it waits for the person to confirm (`ui::builder::global_ui`).
    pub global_pending: RwSignal<Option<Uuid>>,
    /// The outcome of the last copy, paste or global block action, for the status line.
    pub block_note: RwSignal<Option<Result<String, String>>>,
    /// The website's products and categories for the shop blocks (`api::storefront`), loaded
    /// once the page has a shop block; `Some(Err)` when loading failed.
    pub shelf: RwSignal<Option<Result<std::sync::Arc<crate::model::Shelf>, String>>>,
    shelf_loading: StoredValue<bool>,
}

impl Editor {
    /// The editor for `data`. `selected` and `dragging` are the builder shell's, so a block
    /// selected (or a palette drag begun) before the editor arrived carries over.
    pub fn new(
        data: &BuilderData,
        selected: RwSignal<Option<Uuid>>,
        dragging: RwSignal<Option<Drag>>,
    ) -> Self {
        Self {
            tenant_id: data.tenant_id,
            page_id: data.page_id,
            website_id: data.website_id,
            role: data.role,
            blocks: RwSignal::new(data.components.clone()),
            writes: StoredValue::new(Writes::default()),
            selected,
            dragging,
            save: RwSignal::new(SaveState::Saved),
            publish_note: RwSignal::new(None),
            publish_unverified: RwSignal::new(false),
            versions_recorded: RwSignal::new(0),
            epoch: RwSignal::new(0),
            field_error: RwSignal::new(None),
            can_undo: RwSignal::new(false),
            can_redo: RwSignal::new(false),
            revision: RwSignal::new(data.revision),
            limit_error: RwSignal::new(None),
            queue: StoredValue::new(VecDeque::new()),
            history: StoredValue::new(History::default()),
            busy: RwSignal::new(false),
            typing: StoredValue::new(0),
            conflict_revision: StoredValue::new(None),
            resync_after_drain: StoredValue::new(false),
            changed_since_version: RwSignal::new(false),
            tab: Uuid::new_v4(),
            stream: StoredValue::new(None),
            people: RwSignal::new(Vec::new()),
            live_deploy: RwSignal::new(None),
            remote_seen: StoredValue::new(None),
            globals: RwSignal::new(Vec::new()),
            global_pending: RwSignal::new(None),
            block_note: RwSignal::new(None),
            shelf: RwSignal::new(None),
            shelf_loading: StoredValue::new(false),
        }
    }

    /// Changes the blocks; `touched` says what the change may alter.
    fn write_blocks(self, touched: Touched, change: impl FnOnce(&mut Vec<ComponentDto>)) {
        self.writes.update_value(|w| w.record(touched));
        self.blocks.update(change);
    }

    /// Loads the shop's catalogue for the shop blocks, once (and again after a failure).
    pub fn load_shelf(self) {
        if matches!(self.shelf.get_untracked(), Some(Ok(_))) || self.shelf_loading.get_value() {
            return;
        }
        self.shelf_loading.set_value(true);
        leptos::task::spawn_local(async move {
            let got = crate::api::storefront::load_shelf(self.website_id).await;
            self.shelf_loading.set_value(false);
            self.shelf.set(Some(
                got.map(std::sync::Arc::new).map_err(|e| e.to_string()),
            ));
        });
    }

    /// The loaded catalogue, if any (tracked).
    pub fn shelf_now(&self) -> Option<std::sync::Arc<crate::model::Shelf>> {
        self.shelf
            .with(|s| s.as_ref().and_then(|r| r.as_ref().ok()).cloned())
    }

    // ── blocks placed by the server (global blocks, pastes) ─────────────────────────────

    /// Whether nothing is queued, in flight or in conflict: the moment for an action that
    /// the server applies itself and answers with the page's new revision.
    pub fn idle(&self) -> bool {
        !self.busy.get_untracked()
            && !self.has_pending()
            && self.save.get_untracked() != SaveState::Conflict
    }

    /// Puts a block the server placed (after `after`, first when `None`) on the canvas,
    /// selected, at the page's new revision.
    pub fn placed(self, placed: BlockPlaced, after: Option<Uuid>) {
        let c = &placed.component;
        let id = c.id;
        // One undo step like any insert: undo deletes the block through the normal save path,
        // redo puts its content back as a plain block.
        let forward = Edit::Insert {
            block: NewBlock {
                id,
                block: c.block.clone(),
                is_visible: c.is_visible,
                is_locked: c.is_locked,
            },
            after,
        };
        self.write_blocks(Touched::Anything, |b| {
            let at = after
                .and_then(|a| b.iter().position(|c| c.id == a))
                .map_or(0, |i| i + 1);
            b.insert(at.min(b.len()), placed.component);
        });
        self.revision.set(placed.revision);
        self.changed_since_version.set(true);
        self.history
            .update_value(|h| h.record(forward, Edit::Delete { id }, None));
        self.sync_history_flags();
        self.epoch.update(|e| *e += 1);
        self.selected.set(Some(id));
    }

    /// The server saved a change of this page that it made itself, at `revision`.
    pub fn server_saved(self, revision: i64) {
        self.revision.set(revision);
        self.changed_since_version.set(true);
        self.history.update_value(History::clear);
        self.sync_history_flags();
        self.epoch.update(|e| *e += 1);
    }

    /// Sets (or clears) which global block block `id` uses, as the server now has it.
    pub fn set_global_link(self, id: Uuid, global: Option<Uuid>) {
        self.write_blocks(Touched::Anything, |b| {
            if let Some(c) = b.iter_mut().find(|c| c.id == id) {
                c.global_block_id = global;
            }
        });
    }

    /// Reloads the page from the server (after a global block edit was cancelled).
    pub fn reload_blocks(self) {
        self.global_pending.set(None);
        leptos::task::spawn_local(async move { self.resync().await });
    }

    /// The global block that block `id` uses, if any.
    pub fn global_of(&self, id: Uuid) -> Option<GlobalBlock> {
        let gid = self.block(id)?.global_block_id?;
        self.globals
            .with_untracked(|g| g.iter().find(|g| g.id == gid).cloned())
    }

    // ── realtime ────────────────────────────────────────────────────────────────────────

    /// The other builder tabs on this page (tracked).
    pub fn others(&self) -> Vec<Present> {
        let tab = self.tab;
        self.people
            .with(|p| p.iter().filter(|p| p.tab != tab).cloned().collect())
    }

    /// Who else has block `id` selected (tracked).
    pub fn holders(&self, id: Uuid) -> Vec<Present> {
        let tab = self.tab;
        self.people.with(|p| {
            p.iter()
                .filter(|p| p.tab != tab && p.selected == Some(id))
                .cloned()
                .collect()
        })
    }

    /// Tells the server (and so every open builder of the page) that this tab is here, with
    /// its selection.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn heartbeat(self) {
        let (page_id, tab) = (self.page_id, self.tab);
        let selected = self.selected.get_untracked();
        let stream = self.stream.get_value();
        leptos::task::spawn_local(async move {
            if let Ok(list) =
                crate::api::realtime::presence_heartbeat(page_id, tab, selected, stream).await
            {
                self.people.try_set(list.people);
            }
        });
    }

    /// Another tab or editor saved the page (`revision`, touching `touched`), or events may
    /// have been missed (`revision` unknown). Without unsaved changes here, the page is
    /// reloaded at once; with unsaved changes to other blocks, they are re-applied on top of
    /// the new version (a merge); with unsaved changes to the same block, the conflict choice
    /// is shown. While a save is in flight the check waits for it.
    pub fn remote_changed(self, revision: Option<i64>, touched: Option<Uuid>) {
        if revision.is_some_and(|r| r <= self.revision.get_untracked()) {
            return;
        }
        if self.busy.get_untracked() {
            if let Some(r) = revision {
                self.remote_seen.set_value(Some((r, touched)));
            }
            return;
        }
        match self.save.get_untracked() {
            // Already showing the choice, or holding a change that cannot be sent: the next
            // save finds the conflict.
            SaveState::Conflict | SaveState::Invalid(_) => return,
            _ => {}
        }
        let touched_here = self.queue.with_value(|q| {
            q.iter().any(|j| match (j, touched) {
                (Job::Edit(e), Some(t)) => e.id() == t,
                (Job::Edit(_), None) => true,
                (Job::Publish(_), _) => false,
            })
        });
        if touched_here {
            if let Some(r) = revision {
                self.conflict_revision.set_value(Some(r));
                self.save.set(SaveState::Conflict);
            }
            return;
        }
        self.busy.set(true);
        leptos::task::spawn_local(async move {
            self.resync().await;
            self.busy.set(false);
            // Edits kept while reloading go out on top of the new revision.
            self.kick();
        });
    }

    pub fn can_edit(&self) -> bool {
        self.role.can_edit_content()
    }

    /// Whether the block may be changed by this role (locked blocks: owners and admins only).
    pub fn can_edit_block(&self, id: Uuid) -> bool {
        self.can_edit()
            && (self.role.can_edit_locked()
                || self.blocks.with_untracked(|b| {
                    b.iter().find(|c| c.id == id).is_some_and(|c| !c.is_locked)
                }))
    }

    pub fn block(&self, id: Uuid) -> Option<ComponentDto> {
        self.blocks
            .with_untracked(|b| b.iter().find(|c| c.id == id).cloned())
    }

    fn index_of(&self, id: Uuid) -> Option<usize> {
        self.blocks
            .with_untracked(|b| b.iter().position(|c| c.id == id))
    }

    // ── making edits ────────────────────────────────────────────────────────────────────

    /// Applies `edit` locally, records it for undo (merged into the previous step while
    /// `group` stays the same) and queues it; `debounce` waits for a pause in typing.
    fn commit(self, edit: Edit, group: Option<String>, debounce: bool) {
        if !self.can_edit() || self.save.get_untracked() == SaveState::Conflict {
            return;
        }
        let Some(backward) = self.blocks.with_untracked(|b| edit.inverse(b)) else {
            return;
        };
        let mut applied = false;
        self.write_blocks(touched_by(&edit), |b| applied = edit.apply(b));
        if !applied {
            return;
        }
        if group.is_none() {
            self.history.update_value(|h| h.seal());
        }
        self.history
            .update_value(|h| h.record(edit.clone(), backward, group));
        self.sync_history_flags();
        self.send(edit, debounce);
    }

    /// Queues an edit already applied locally, unless it fails validation. A change of a
    /// global block's use is not queued: it waits for the confirmation that names the pages.
    fn send(self, edit: Edit, debounce: bool) {
        if let Edit::Put { id, block } = &edit {
            if self.block(*id).is_some_and(|c| c.global_block_id.is_some()) {
                if let Err(AppError::Invalid { field, message }) = block.validate() {
                    self.field_error.set(Some(FieldError {
                        block: *id,
                        field,
                        message: message.clone(),
                    }));
                    self.save.set(SaveState::Invalid(message));
                    return;
                }
                self.field_error.set(None);
                self.global_pending.set(Some(*id));
                self.save.set(SaveState::Unsaved);
                return;
            }
            if let Err(AppError::Invalid { field, message }) = block.validate() {
                self.field_error.set(Some(FieldError {
                    block: *id,
                    field,
                    message: message.clone(),
                }));
                self.save.set(SaveState::Invalid(message));
                return;
            }
            if self
                .field_error
                .with_untracked(|e| e.as_ref().is_some_and(|e| e.block == *id))
            {
                self.field_error.set(None);
            }
        }
        self.queue.update_value(|q| {
            // Consecutive saves of one block's props: only the newest needs to go.
            if let (Edit::Put { id, .. }, Some(Job::Edit(Edit::Put { id: last, .. }))) =
                (&edit, q.back())
            {
                if id == last {
                    q.pop_back();
                }
            }
            q.push_back(Job::Edit(edit));
        });
        self.persist();
        if debounce {
            self.save.set(SaveState::Unsaved);
            self.typing.update_value(|g| *g += 1);
            let generation = self.typing.get_value();
            after_ms(500, move || {
                if self.typing.try_get_value() == Some(generation) {
                    self.history.try_update_value(|h| h.seal());
                    self.kick();
                }
            });
        } else {
            self.kick();
        }
    }

    /// Sets one prop (at `path`, e.g. `items.2.title`) of a block from an inspector field.
    pub fn edit_field(self, id: Uuid, path: &[Seg], value: Value) {
        let Some(mut block) = self.block(id).map(|c| c.block) else {
            return;
        };
        if let Err(AppError::Invalid { field, message }) = block.set_path(path, value) {
            self.field_error.set(Some(FieldError {
                block: id,
                field,
                message: message.clone(),
            }));
            self.save.set(SaveState::Invalid(message));
            return;
        }
        let group = Some(format!("{id}/{}", fields::input_id(path)));
        self.commit(Edit::Put { id, block }, group, true);
    }

    /// Sets one prop as its own undo step, never merged with typing in the same field: an
    /// accepted AI suggestion is undone in one step, back to what was there before.
    pub fn replace_field(self, id: Uuid, path: &[Seg], value: Value) {
        let Some(mut block) = self.block(id).map(|c| c.block) else {
            return;
        };
        if block.set_path(path, value).is_err() {
            return;
        }
        self.commit(Edit::Put { id, block }, None, false);
        self.history.update_value(|h| h.seal());
        // Re-renders the inspector so the field shows the new text.
        self.epoch.update(|e| *e += 1);
    }

    /// Replaces a block's props in one undoable step (adding, removing or moving list items).
    pub fn replace_props(self, id: Uuid, props: Value) {
        let Some(current) = self.block(id) else {
            return;
        };
        match current.block.with_props_json(props) {
            Ok(block) => {
                self.commit(Edit::Put { id, block }, None, false);
                self.epoch.update(|e| *e += 1);
            }
            Err(e) => self.save.set(SaveState::Failed(e.to_string())),
        }
    }

    /// Replaces a block's props as its own undo step, never merged with what comes next: an
    /// accepted AI rewrite of the block is undone in one step.
    pub fn replace_props_step(self, id: Uuid, props: Value) {
        self.replace_props(id, props);
        self.history.update_value(|h| h.seal());
    }

    /// Adds a new block of `kind`, with the id `id`, after `after` (the block selected when
    /// it was asked for), or last when that is `None` or gone. Selects it.
    pub fn add(self, kind: ComponentKind, id: Uuid, after: Option<Uuid>) {
        let after = after
            .filter(|a| self.index_of(*a).is_some())
            .or_else(|| self.blocks.with_untracked(|b| b.last().map(|c| c.id)));
        self.insert_new(kind, id, after);
    }

    /// Adds a new block of `kind` with its starter content right after `after` (first when `None`).
    pub fn insert_kind(self, kind: ComponentKind, after: Option<Uuid>) {
        self.insert_new(kind, Uuid::new_v4(), after);
    }

    fn insert_new(self, kind: ComponentKind, id: Uuid, after: Option<Uuid>) {
        let block = NewBlock {
            id,
            block: BlockProps::starter(kind),
            is_visible: true,
            is_locked: false,
        };
        self.commit(Edit::Insert { block, after }, None, false);
        if self.index_of(id).is_some() {
            self.selected.set(Some(id));
        }
    }

    /// Copies a block to just after itself; the copy starts visible and unlocked.
    pub fn duplicate(self, id: Uuid) {
        let Some(original) = self.block(id) else {
            return;
        };
        let copy = NewBlock {
            id: Uuid::new_v4(),
            block: original.block,
            is_visible: true,
            is_locked: false,
        };
        let copy_id = copy.id;
        self.commit(
            Edit::Insert {
                block: copy,
                after: Some(id),
            },
            None,
            false,
        );
        self.selected.set(Some(copy_id));
    }

    /// Moves `id` so that it lands where `target` is now (after it when moving down, before
    /// it when moving up), as drag-and-drop users expect.
    pub fn move_onto(self, id: Uuid, target: Uuid) {
        let (Some(from), Some(to)) = (self.index_of(id), self.index_of(target)) else {
            return;
        };
        if from == to {
            return;
        }
        let after = if from < to {
            Some(target)
        } else {
            self.blocks
                .with_untracked(|b| to.checked_sub(1).map(|i| b[i].id))
        };
        self.commit(Edit::Move { id, after }, None, false);
    }

    /// Places `id` right after `after` (first when `None`): a drop from a gap between blocks.
    pub fn move_after(self, id: Uuid, after: Option<Uuid>) {
        if after == Some(id) || self.blocks.with_untracked(|b| edit_is_noop(b, id, after)) {
            return;
        }
        self.commit(Edit::Move { id, after }, None, false);
    }

    /// Moves one step up (`-1`) or down (`1`), for the keyboard and the toolbar.
    pub fn nudge(self, id: Uuid, step: i32) {
        let Some(from) = self.index_of(id) else {
            return;
        };
        let len = self.blocks.with_untracked(Vec::len);
        let to = from as i64 + step as i64;
        if to < 0 || to >= len as i64 {
            return;
        }
        let target = self.blocks.with_untracked(|b| b[to as usize].id);
        self.move_onto(id, target);
    }

    pub fn delete(self, id: Uuid) {
        if self.selected.get_untracked() == Some(id) {
            self.selected.set(None);
        }
        self.commit(Edit::Delete { id }, None, false);
    }

    pub fn set_flags(self, id: Uuid, visible: Option<bool>, locked: Option<bool>) {
        self.commit(
            Edit::Flags {
                id,
                visible,
                locked,
            },
            None,
            false,
        );
    }

    pub fn undo(self) {
        self.step_history(true);
    }

    pub fn redo(self) {
        self.step_history(false);
    }

    fn step_history(self, back: bool) {
        if !self.can_edit() || self.save.get_untracked() == SaveState::Conflict {
            return;
        }
        let edit = self
            .history
            .try_update_value(|h| if back { h.undo() } else { h.redo() })
            .flatten();
        self.sync_history_flags();
        let Some(edit) = edit else { return };
        let mut applied = false;
        self.write_blocks(touched_by(&edit), |b| applied = edit.apply(b));
        if applied {
            if let Edit::Insert { block, .. } = &edit {
                self.selected.set(Some(block.id));
            }
            self.epoch.update(|e| *e += 1);
            self.send(edit, false);
        }
    }

    fn sync_history_flags(self) {
        let (u, r) = self.history.with_value(|h| (h.can_undo(), h.can_redo()));
        self.can_undo.set(u);
        self.can_redo.set(r);
    }

    pub fn publish(self, notes: Option<String>) {
        self.publish_note.set(None);
        self.queue
            .update_value(|q| q.push_back(Job::Publish(notes)));
        self.kick();
    }

    // ── the queue ───────────────────────────────────────────────────────────────────────

    /// Whether edits are waiting to be sent.
    pub fn has_pending(&self) -> bool {
        self.queue.with_value(|q| !q.is_empty())
    }

    pub fn retry(self) {
        if self.save.get_untracked() != SaveState::Conflict {
            self.kick();
        }
    }

    /// After a conflict: send this editor's unsaved edits on top of the newest version, then
    /// show the page as the server now has it. Nothing of the other editor's is overwritten
    /// except the props of blocks this editor changed, which is what "keep my copy" means.
    pub fn keep_mine(self) {
        let Some(current) = self.conflict_revision.get_value() else {
            return;
        };
        self.revision.set(current);
        self.conflict_revision.set_value(None);
        self.resync_after_drain.set_value(true);
        self.save.set(SaveState::Saving);
        self.kick();
    }

    /// Drops the edits this browser still holds (before reloading the server's version).
    pub fn discard_pending(self) {
        self.queue
            .update_value(|q| q.retain(|j| matches!(j, Job::Publish(_))));
        persist::clear(self.page_id);
    }

    /// Re-applies edits kept in this browser from an earlier visit (a reload while offline,
    /// a closed tab). If the page changed on the server since, the editor starts in conflict.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn restore_pending(self) {
        let Some(pending) = persist::load(self.page_id) else {
            return;
        };
        if pending.edits.is_empty() || !self.can_edit() {
            return;
        }
        self.write_blocks(Touched::Anything, |b| {
            for e in &pending.edits {
                e.apply(b);
            }
        });
        self.queue
            .update_value(|q| q.extend(pending.edits.into_iter().map(Job::Edit)));
        self.epoch.update(|e| *e += 1);
        let server = self.revision.get_untracked();
        if pending.base_revision == server {
            self.kick();
        } else {
            self.conflict_revision.set_value(Some(server));
            self.revision.set(pending.base_revision);
            self.save.set(SaveState::Conflict);
        }
    }

    fn persist(self) {
        let edits: Vec<Edit> = self.queue.with_value(|q| {
            q.iter()
                .filter_map(|j| match j {
                    Job::Edit(e) => Some(e.clone()),
                    Job::Publish(_) => None,
                })
                .collect()
        });
        let base_revision = self.revision.get_untracked();
        persist::store(
            self.page_id,
            &PendingEdits {
                base_revision,
                edits,
            },
        );
    }

    fn kick(self) {
        if self.busy.get_untracked() {
            return;
        }
        if !self.has_pending() {
            self.finish();
            return;
        }
        self.busy.set(true);
        self.save.set(SaveState::Saving);
        leptos::task::spawn_local(async move { self.drain().await });
    }

    async fn drain(self) {
        // Each job is taken off the queue before it runs, so an edit made while it is in
        // flight is queued after it rather than merged into the request already sent.
        while let Some(job) = self.queue.try_update_value(|q| q.pop_front()).flatten() {
            self.save.set(SaveState::Saving);
            match self.run(&job).await {
                Ok(()) => self.persist(),
                Err(AppError::Conflict { current_revision }) => {
                    self.queue.update_value(|q| q.push_front(job));
                    self.conflict_revision.set_value(Some(current_revision));
                    self.save.set(SaveState::Conflict);
                    self.busy.set(false);
                    return;
                }
                Err(e @ (AppError::Transport(_) | AppError::Internal)) => {
                    // Kept (here and in the browser's storage) and retried: when the browser
                    // says it is online again, and every few seconds meanwhile.
                    self.queue.update_value(|q| q.push_front(job.clone()));
                    let offline = matches!(e, AppError::Transport(_));
                    self.save.set(if offline {
                        SaveState::Offline
                    } else {
                        SaveState::Failed(e.to_string())
                    });
                    if matches!(job, Job::Publish(_)) {
                        self.publish_note.set(Some(Err(e.to_string())));
                    }
                    self.busy.set(false);
                    after_ms(4_000, move || {
                        if matches!(
                            self.save.try_get_untracked(),
                            Some(SaveState::Offline | SaveState::Failed(_))
                        ) {
                            self.retry();
                        }
                    });
                    return;
                }
                Err(e) => {
                    // Refused (invalid, forbidden, gone, over a limit): it would fail again.
                    // Drop it and show the page as the server has it, plus what is still queued.
                    if matches!(job, Job::Publish(_)) {
                        self.publish_unverified
                            .set(matches!(e, AppError::EmailUnverified { .. }));
                        self.publish_note.set(Some(Err(e.to_string())));
                    } else {
                        self.resync().await;
                    }
                    self.save.set(SaveState::Failed(e.to_string()));
                    if matches!(e, AppError::LimitReached { .. }) {
                        self.limit_error.set(Some(e));
                    }
                    self.busy.set(false);
                    self.persist();
                    return;
                }
            }
        }
        self.busy.set(false);
        if self.resync_after_drain.get_value() {
            self.resync_after_drain.set_value(false);
            self.resync().await;
        }
        self.finish();
        self.replay_remote();
    }

    /// Runs a change the server applies itself (a paste, a global block placed) with the page
    /// marked busy, so the realtime event of that very change waits instead of reloading the
    /// page under it. Call [`Editor::replay_remote`] once the answer is applied.
    pub async fn while_busy<T>(self, work: impl std::future::Future<Output = T>) -> T {
        self.busy.set(true);
        let out = work.await;
        self.busy.set(false);
        out
    }

    /// A change another tab made while this one was busy, looked at now: ignored when this
    /// tab's revision already covers it.
    pub fn replay_remote(self) {
        if let Some((r, touched)) = self.remote_seen.get_value() {
            self.remote_seen.set_value(None);
            self.remote_changed(Some(r), touched);
        }
    }

    /// Settles the status once nothing is queued or in flight.
    fn finish(self) {
        // `Unsaved` means a text edit is waiting for its debounce; it will come, so do not
        // claim "Saved" before it does. Validation problems stay on screen until fixed.
        if matches!(
            self.save.get_untracked(),
            SaveState::Unsaved | SaveState::Conflict
        ) {
            return;
        }
        match self.field_error.get_untracked() {
            Some(e) => self.save.set(SaveState::Invalid(e.message)),
            None => self.save.set(SaveState::Saved),
        }
    }

    /// Reloads the blocks from the server and re-applies the edits still queued.
    async fn resync(self) {
        let Ok(Ok(data)) = load_builder(self.page_id).await.map(|raw| raw.read()) else {
            return;
        };
        let mut blocks = data.components;
        self.queue.update_value(|q| {
            q.retain(|j| match j {
                Job::Edit(e) => e.apply(&mut blocks),
                Job::Publish(_) => true,
            })
        });
        self.revision.set(data.revision);
        self.write_blocks(Touched::Anything, |b| *b = blocks);
        self.history.update_value(History::clear);
        self.sync_history_flags();
        if self
            .selected
            .get_untracked()
            .is_some_and(|id| self.index_of(id).is_none())
        {
            self.selected.set(None);
        }
        self.epoch.update(|e| *e += 1);
    }

    async fn run(self, job: &Job) -> Result<(), AppError> {
        let base = self.revision.get_untracked();
        let page_id = self.page_id;
        let edit = match job {
            Job::Publish(notes) => {
                let published = publish_website(self.website_id, notes.clone()).await?;
                self.publish_note.set(Some(Ok(published)));
                return Ok(());
            }
            Job::Edit(e) => e.clone(),
        };
        let (revision, order_key) = match edit {
            Edit::Put { id, block } => (
                update_component(page_id, id, block, base).await?.revision,
                None,
            ),
            Edit::Insert { block, after } => {
                let id = block.id;
                let ack = insert_component(page_id, block, after, base).await?;
                (ack.revision, Some((id, ack.order_key)))
            }
            Edit::Move { id, after } => {
                let ack = move_component(page_id, id, after, base).await?;
                (ack.revision, Some((id, ack.order_key)))
            }
            Edit::Delete { id } => (delete_component(page_id, id, base).await?.revision, None),
            Edit::Flags {
                id,
                visible,
                locked,
            } => (
                set_component_flags(page_id, id, visible, locked, base)
                    .await?
                    .revision,
                None,
            ),
        };
        self.revision.set(revision);
        self.changed_since_version.set(true);
        if let Some((id, key)) = order_key {
            self.write_blocks(Touched::Anything, |bs| {
                if let Some(c) = bs.iter_mut().find(|c| c.id == id) {
                    c.order_key = key;
                }
            });
        }
        Ok(())
    }

    /// The autosave tick (every `builder.auto_save_interval` seconds): records a version if anything was saved since the last one.
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

/// Whether moving `id` after `after` would leave it where it is.
fn edit_is_noop(blocks: &[ComponentDto], id: Uuid, after: Option<Uuid>) -> bool {
    let Some(i) = blocks.iter().position(|c| c.id == id) else {
        return true;
    };
    let before = i.checked_sub(1).map(|j| blocks[j].id);
    before == after
}

/// Runs `f` once after `ms` milliseconds (browser only; a no-op during server rendering).
fn after_ms(ms: u32, f: impl FnOnce() + 'static) {
    #[cfg(feature = "hydrate")]
    gloo_timers::callback::Timeout::new(ms, f).forget();
    #[cfg(not(feature = "hydrate"))]
    let _ = (ms, f);
}

/// The autosave timer's period for a member's `builder.auto_save_interval` (seconds), kept
/// within 10 seconds and 10 minutes whatever the stored preference says.
#[cfg_attr(not(any(feature = "hydrate", test)), allow(dead_code))]
pub fn autosave_period_ms(seconds: u32) -> u32 {
    seconds.clamp(10, 600) * 1000
}

/// Starts the editor's browser-side duties: the autosave timer (every `autosave_secs`, the
/// member's preference, see [`autosave_period_ms`]), retrying when the browser comes back
/// online, and re-sending edits kept from an earlier visit, after which `restored` runs (new
/// edits must queue behind the kept ones, or those would be sent twice). They stop when the
/// builder unmounts.
pub fn start_background(editor: Editor, autosave_secs: u32, restored: impl FnOnce() + 'static) {
    #[cfg(feature = "hydrate")]
    {
        let interval =
            gloo_timers::callback::Interval::new(autosave_period_ms(autosave_secs), move || {
                editor.autosave_tick()
            });
        let handle = send_wrapper::SendWrapper::new(interval);
        on_cleanup(move || drop(handle.take()));
        let online = window_event_listener_untyped("online", move |_| editor.retry());
        on_cleanup(move || online.remove());
        // After hydration, so the restored edits do not disturb it.
        request_animation_frame(move || {
            editor.restore_pending();
            restored();
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (editor, autosave_secs, restored);
}

#[cfg(test)]
mod autosave_tests {
    #[test]
    fn the_autosave_period_follows_the_preference_within_bounds() {
        assert_eq!(super::autosave_period_ms(30), 30_000);
        assert_eq!(super::autosave_period_ms(10), 10_000);
        assert_eq!(super::autosave_period_ms(0), 10_000);
        assert_eq!(super::autosave_period_ms(100_000), 600_000);
    }
}

#[cfg(test)]
mod writes_tests {
    use super::{Touched, Writes};
    use uuid::Uuid;

    #[test]
    fn a_block_is_untouched_only_while_every_write_since_named_another() {
        let (mine, other) = (Uuid::new_v4(), Uuid::new_v4());
        let mut w = Writes::default();
        let seen = w.generation();
        assert!(w.untouched_since(seen, mine), "no write since");
        w.record(Touched::Block(other));
        w.record(Touched::Order);
        assert!(w.untouched_since(seen, mine), "a move changes no block");
        assert!(
            !w.untouched_since(seen, other),
            "the other block was written"
        );
        w.record(Touched::Block(mine));
        assert!(!w.untouched_since(seen, mine));
        let seen = w.generation();
        w.record(Touched::Anything);
        assert!(
            !w.untouched_since(seen, mine),
            "a write of anything may touch it"
        );
        let seen = w.generation();
        for _ in 0..=Writes::KEPT {
            w.record(Touched::Block(other));
        }
        assert!(
            !w.untouched_since(seen, mine),
            "older than the log: compare instead"
        );
    }
}
