//! Edits of a page's blocks as data: what the builder applies locally at once, queues for the
//! server (and keeps in the browser until the server acknowledged it), and inverts for undo.
//!
//! Block ids are chosen by the client (UUID v4), so an edit means the same thing locally, on
//! the server, after a reload from the browser's queue, and when undo re-inserts a block.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{BlockProps, ComponentDto};

/// A block as inserted: everything but its position, which `after` gives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewBlock {
    pub id: Uuid,
    pub block: BlockProps,
    pub is_visible: bool,
    pub is_locked: bool,
}

/// Stored as `{"op": "move", "id": …, "after": …}`. Serialized by the derive; read by the
/// hand-written `Deserialize` below, which looks at `op` first instead of buffering the object
/// the way serde's internally tagged code does.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Edit {
    /// Replace a block's props.
    Put {
        id: Uuid,
        block: BlockProps,
    },
    /// Insert a block directly after `after` (first when `None`).
    Insert {
        block: NewBlock,
        after: Option<Uuid>,
    },
    Move {
        id: Uuid,
        after: Option<Uuid>,
    },
    Delete {
        id: Uuid,
    },
    Flags {
        id: Uuid,
        visible: Option<bool>,
        locked: Option<bool>,
    },
}

impl<'de> Deserialize<'de> for Edit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use super::value_reader::from_value;
        use serde::de::Error;
        use serde_json::Value;

        #[derive(Deserialize)]
        struct Put {
            id: Uuid,
            block: BlockProps,
        }
        #[derive(Deserialize)]
        struct Insert {
            block: NewBlock,
            after: Option<Uuid>,
        }
        #[derive(Deserialize)]
        struct Move {
            id: Uuid,
            after: Option<Uuid>,
        }
        #[derive(Deserialize)]
        struct Delete {
            id: Uuid,
        }
        #[derive(Deserialize)]
        struct Flags {
            id: Uuid,
            visible: Option<bool>,
            locked: Option<bool>,
        }

        const OPS: &[&str] = &["put", "insert", "move", "delete", "flags"];
        let mut fields = serde_json::Map::<String, Value>::deserialize(d)?;
        let op = match fields.remove("op") {
            Some(Value::String(op)) => op,
            Some(other) => {
                return Err(D::Error::custom(format!(
                    "`op` must be a string, not {other}"
                )))
            }
            None => return Err(D::Error::missing_field("op")),
        };
        let rest = Value::Object(fields);
        let edit = match op.as_str() {
            "put" => from_value(rest).map(|Put { id, block }| Self::Put { id, block }),
            "insert" => {
                from_value(rest).map(|Insert { block, after }| Self::Insert { block, after })
            }
            "move" => from_value(rest).map(|Move { id, after }| Self::Move { id, after }),
            "delete" => from_value(rest).map(|Delete { id }| Self::Delete { id }),
            "flags" => from_value(rest).map(
                |Flags {
                     id,
                     visible,
                     locked,
                 }| Self::Flags {
                    id,
                    visible,
                    locked,
                },
            ),
            other => return Err(D::Error::unknown_variant(other, OPS)),
        };
        edit.map_err(D::Error::custom)
    }
}

fn position(blocks: &[ComponentDto], id: Uuid) -> Option<usize> {
    blocks.iter().position(|c| c.id == id)
}

/// The id of the block just before `id`, `None` when it is first.
fn predecessor(blocks: &[ComponentDto], id: Uuid) -> Option<Uuid> {
    position(blocks, id)
        .and_then(|i| i.checked_sub(1))
        .map(|i| blocks[i].id)
}

/// Index where a block placed after `after` goes; `None` when `after` is not on the page.
fn slot_after(blocks: &[ComponentDto], after: Option<Uuid>) -> Option<usize> {
    match after {
        None => Some(0),
        Some(a) => position(blocks, a).map(|i| i + 1),
    }
}

impl Edit {
    /// The block this edit is about.
    pub fn id(&self) -> Uuid {
        match self {
            Self::Put { id, .. }
            | Self::Move { id, .. }
            | Self::Delete { id }
            | Self::Flags { id, .. } => *id,
            Self::Insert { block, .. } => block.id,
        }
    }

    /// Applies the edit to the local list. `false` (and no change) when it no longer fits,
    /// e.g. its block was deleted meanwhile.
    pub fn apply(&self, blocks: &mut Vec<ComponentDto>) -> bool {
        match self {
            Self::Put { id, block } => match blocks.iter_mut().find(|c| c.id == *id) {
                Some(c) if c.block.kind() == block.kind() => {
                    c.block = block.clone();
                    true
                }
                _ => false,
            },
            Self::Insert { block, after } => {
                if position(blocks, block.id).is_some() {
                    return false;
                }
                let Some(at) = slot_after(blocks, *after) else {
                    return false;
                };
                blocks.insert(
                    at,
                    ComponentDto {
                        id: block.id,
                        block: block.block.clone(),
                        order_key: String::new(),
                        is_visible: block.is_visible,
                        is_locked: block.is_locked,
                        global_block_id: None,
                    },
                );
                true
            }
            Self::Move { id, after } => {
                if *after == Some(*id) {
                    return false;
                }
                let Some(from) = position(blocks, *id) else {
                    return false;
                };
                let item = blocks.remove(from);
                match slot_after(blocks, *after) {
                    Some(at) => {
                        blocks.insert(at, item);
                        true
                    }
                    None => {
                        blocks.insert(from, item);
                        false
                    }
                }
            }
            Self::Delete { id } => {
                let before = blocks.len();
                blocks.retain(|c| c.id != *id);
                blocks.len() != before
            }
            Self::Flags {
                id,
                visible,
                locked,
            } => match blocks.iter_mut().find(|c| c.id == *id) {
                Some(c) => {
                    c.is_visible = visible.unwrap_or(c.is_visible);
                    c.is_locked = locked.unwrap_or(c.is_locked);
                    true
                }
                None => false,
            },
        }
    }

    /// The edit that undoes this one, computed against the blocks as they are before it.
    pub fn inverse(&self, blocks: &[ComponentDto]) -> Option<Edit> {
        let current = |id: Uuid| blocks.iter().find(|c| c.id == id);
        Some(match self {
            Self::Put { id, .. } => Self::Put {
                id: *id,
                block: current(*id)?.block.clone(),
            },
            Self::Insert { block, .. } => Self::Delete { id: block.id },
            Self::Move { id, .. } => Self::Move {
                id: *id,
                after: predecessor(blocks, *id),
            },
            Self::Delete { id } => {
                let c = current(*id)?;
                Self::Insert {
                    block: NewBlock {
                        id: c.id,
                        block: c.block.clone(),
                        is_visible: c.is_visible,
                        is_locked: c.is_locked,
                    },
                    after: predecessor(blocks, *id),
                }
            }
            Self::Flags {
                id,
                visible,
                locked,
            } => {
                let c = current(*id)?;
                Self::Flags {
                    id: *id,
                    visible: visible.map(|_| c.is_visible),
                    locked: locked.map(|_| c.is_locked),
                }
            }
        })
    }
}

/// One undoable change: the edit made and the edit that takes it back.
#[derive(Debug, Clone, PartialEq)]
struct Step {
    forward: Edit,
    backward: Edit,
    /// Typing in one field merges into one step while the group stays the same.
    group: Option<String>,
}

/// Undo and redo stacks. Undo pops the newest step and hands back its inverse edit.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    undo: Vec<Step>,
    redo: Vec<Step>,
}

/// Enough for a long session; the oldest steps fall off.
const HISTORY_DEPTH: usize = 300;

impl History {
    /// Records an edit made by the editor. With the same `group` as the newest step (typing
    /// in the same field), the step grows instead: one undo takes back the whole burst.
    pub fn record(&mut self, forward: Edit, backward: Edit, group: Option<String>) {
        self.redo.clear();
        if let (Some(g), Some(top)) = (&group, self.undo.last_mut()) {
            if top.group.as_ref() == Some(g) {
                top.forward = forward;
                return;
            }
        }
        self.undo.push(Step {
            forward,
            backward,
            group,
        });
        if self.undo.len() > HISTORY_DEPTH {
            self.undo.remove(0);
        }
    }

    /// Ends the current typing burst: the next keystroke starts a new step.
    pub fn seal(&mut self) {
        if let Some(top) = self.undo.last_mut() {
            top.group = None;
        }
    }

    pub fn undo(&mut self) -> Option<Edit> {
        let mut step = self.undo.pop()?;
        step.group = None;
        let edit = step.backward.clone();
        self.redo.push(step);
        Some(edit)
    }

    pub fn redo(&mut self) -> Option<Edit> {
        let step = self.redo.pop()?;
        let edit = step.forward.clone();
        self.undo.push(step);
        Some(edit)
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    pub fn clear(&mut self) {
        self.undo.clear();
        self.redo.clear();
    }
}

/// Edits the server has not acknowledged yet, as the browser keeps them (localStorage), with
/// the page revision the first of them is based on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingEdits {
    pub base_revision: i64,
    pub edits: Vec<Edit>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ComponentKind;

    fn dto(kind: ComponentKind) -> ComponentDto {
        ComponentDto {
            id: Uuid::new_v4(),
            block: BlockProps::starter(kind),
            order_key: String::new(),
            is_visible: true,
            is_locked: false,
            global_block_id: None,
        }
    }

    /// Applying an edit and then its inverse gives back exactly the page before.
    #[test]
    fn every_edit_is_undone_by_its_inverse() {
        let page = vec![
            dto(ComponentKind::Navbar),
            dto(ComponentKind::Hero),
            dto(ComponentKind::Footer),
        ];
        let (a, b, c) = (page[0].id, page[1].id, page[2].id);
        let mut hero = page[1].block.clone();
        assert!(hero.set_text("heading", "Changed".into()));
        let fresh = NewBlock {
            id: Uuid::new_v4(),
            block: BlockProps::starter(ComponentKind::Faq),
            is_visible: true,
            is_locked: false,
        };
        let edits = [
            Edit::Put { id: b, block: hero },
            Edit::Insert {
                block: fresh,
                after: Some(a),
            },
            Edit::Move { id: c, after: None },
            Edit::Move {
                id: a,
                after: Some(c),
            },
            Edit::Delete { id: b },
            Edit::Delete { id: a },
            Edit::Flags {
                id: c,
                visible: Some(false),
                locked: Some(true),
            },
        ];
        for edit in edits {
            let mut blocks = page.clone();
            let inverse = edit.inverse(&blocks).expect("invertible");
            assert!(edit.apply(&mut blocks), "{edit:?} applies");
            assert_ne!(blocks, page, "{edit:?} changes something");
            assert!(inverse.apply(&mut blocks), "{inverse:?} applies");
            // Local inserts carry no order key until the server acknowledges them.
            let strip = |v: &[ComponentDto]| {
                v.iter()
                    .map(|c| (c.id, c.block.clone(), c.is_visible, c.is_locked))
                    .collect::<Vec<_>>()
            };
            assert_eq!(strip(&blocks), strip(&page), "{edit:?} then {inverse:?}");
        }
    }

    #[test]
    fn edits_on_missing_blocks_do_not_apply() {
        let mut blocks = vec![dto(ComponentKind::Hero)];
        let gone = Uuid::new_v4();
        assert!(!Edit::Delete { id: gone }.apply(&mut blocks));
        assert!(!Edit::Move {
            id: blocks[0].id,
            after: Some(gone)
        }
        .apply(&mut blocks));
        assert!(
            !Edit::Put {
                id: blocks[0].id,
                block: BlockProps::starter(ComponentKind::Faq)
            }
            .apply(&mut blocks),
            "kind cannot change"
        );
        assert_eq!(blocks.len(), 1);
    }

    #[test]
    fn typing_bursts_undo_as_one_step_and_redo_comes_back() {
        let page = vec![dto(ComponentKind::Hero)];
        let id = page[0].id;
        let mut history = History::default();
        let mut blocks = page.clone();
        for text in ["H", "He", "Hey"] {
            let mut block = blocks[0].block.clone();
            block.set_text("heading", text.into());
            let edit = Edit::Put { id, block };
            let back = edit.inverse(&blocks).expect("inverse");
            edit.apply(&mut blocks);
            history.record(edit, back, Some(format!("{id}/heading")));
        }
        let undo = history.undo().expect("one step");
        assert!(undo.apply(&mut blocks));
        assert_eq!(blocks, page);
        assert!(!history.can_undo());
        let redo = history.redo().expect("redo");
        assert!(redo.apply(&mut blocks));
        assert_eq!(blocks[0].block.text_fields()[0].value, "Hey");
        // A new edit clears what could be redone.
        history.undo();
        history.record(Edit::Delete { id }, Edit::Delete { id }, None);
        assert!(!history.can_redo());
    }

    #[test]
    fn pending_edits_survive_a_round_trip_through_json() {
        let p = PendingEdits {
            base_revision: 7,
            edits: vec![Edit::Flags {
                id: Uuid::new_v4(),
                visible: Some(false),
                locked: None,
            }],
        };
        let text = serde_json::to_string(&p).expect("serialise");
        assert_eq!(
            serde_json::from_str::<PendingEdits>(&text).expect("parse"),
            p
        );
    }

    /// Every kind of edit reads back as written, from text and from a `Value` (the browser's
    /// path), with its keys in any order.
    #[test]
    fn every_op_round_trips_and_key_order_does_not_matter() {
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let fresh = NewBlock {
            id: b,
            block: BlockProps::starter(ComponentKind::Stats),
            is_visible: false,
            is_locked: true,
        };
        let edits = vec![
            Edit::Put {
                id: a,
                block: BlockProps::starter(ComponentKind::Hero),
            },
            Edit::Insert {
                block: fresh,
                after: Some(a),
            },
            Edit::Move { id: a, after: None },
            Edit::Delete { id: b },
            Edit::Flags {
                id: a,
                visible: None,
                locked: Some(true),
            },
        ];
        for edit in edits {
            let text = serde_json::to_string(&edit).expect("serialise");
            assert!(text.starts_with(r#"{"op":"#), "{text}");
            assert_eq!(
                serde_json::from_str::<Edit>(&text).expect("parse text"),
                edit
            );
            let value = serde_json::to_value(&edit).expect("to value");
            assert_eq!(
                serde_json::from_value::<Edit>(value).expect("parse value"),
                edit
            );
        }
        let op_last = format!(r#"{{"id":"{a}","after":null,"op":"move"}}"#);
        assert_eq!(
            serde_json::from_str::<Edit>(&op_last).expect("op last"),
            Edit::Move { id: a, after: None }
        );
    }

    #[test]
    fn unknown_missing_or_malformed_ops_are_refused() {
        let id = Uuid::new_v4();
        let err = |json: String| {
            serde_json::from_str::<Edit>(&json)
                .expect_err("refused")
                .to_string()
        };
        assert!(
            err(format!(r#"{{"op":"explode","id":"{id}"}}"#)).contains("unknown variant `explode`")
        );
        assert!(err(format!(r#"{{"id":"{id}"}}"#)).contains("missing field `op`"));
        assert!(err(format!(r#"{{"op":3,"id":"{id}"}}"#)).contains("`op` must be a string"));
        assert!(err(r#"{"op":"delete","id":"not-a-uuid"}"#.to_string()).contains("UUID"));
        assert!(err(format!(
            r#"{{"op":"put","id":"{id}","block":{{"type":"hero","props":{{"heading":7}}}}}}"#
        ))
        .contains("invalid type"));
    }
}
