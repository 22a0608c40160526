//! Saving the branding panel's edits. Every edit applies to the shared branding signal at once
//! (the canvas restyles live) and is saved about 600 ms after the last one. One request is in
//! flight at a time, so saves reach the server in order, and "Branding saved" appears only when
//! the server has stored the values on screen.

use std::sync::{Arc, Mutex};

use leptos::prelude::*;
use uuid::Uuid;

use crate::api::branding::update_branding;
use crate::error::AppError;
use crate::model::Branding;

const DEBOUNCE_MS: u32 = 600;

#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Idle,
    Saving,
    Saved,
    NotSaved(String),
}

impl Status {
    pub fn label(&self) -> String {
        match self {
            Self::Idle => String::new(),
            Self::Saving => "Saving…".into(),
            Self::Saved => "Branding saved".into(),
            Self::NotSaved(m) => format!("Not saved: {m}"),
        }
    }
}

/// Bookkeeping shared by timers and requests. Plain data behind an `Arc`, so a save that is
/// pending when the panel closes (switching tabs) still goes out.
#[derive(Default)]
struct Pending {
    /// Bumped by every edit; a timer or answer for an older edit knows it is stale.
    generation: u64,
    /// An edit is waiting for its timer.
    scheduled: bool,
    in_flight: bool,
    /// A save was asked for while one was in flight; send again when it answers.
    again: bool,
}

#[derive(Clone)]
pub struct Saver {
    website_id: Uuid,
    pub branding: RwSignal<Branding>,
    pub status: RwSignal<Status>,
    /// The field (`colors.primary`, …) the last refusal named, with its message.
    pub field_error: RwSignal<Option<(String, String)>>,
    pending: Arc<Mutex<Pending>>,
}

impl Saver {
    pub fn new(website_id: Uuid, branding: RwSignal<Branding>) -> Self {
        let saver = Self {
            website_id,
            branding,
            status: RwSignal::new(Status::Idle),
            field_error: RwSignal::new(None),
            pending: Arc::default(),
        };
        let flush = saver.clone();
        on_cleanup(move || {
            if flush.with_pending(|p| std::mem::take(&mut p.scheduled)) {
                flush.send();
            }
        });
        saver
    }

    fn with_pending<T>(&self, f: impl FnOnce(&mut Pending) -> T) -> T {
        // A poisoned lock only means an earlier panic; the counters are still usable.
        let mut guard = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut guard)
    }

    /// Applies `apply` to the branding. `Err(message)` from it (say, a number that does not
    /// parse) is shown on `field`; otherwise the whole branding is validated with the same
    /// rules the server uses and, if valid, saved after the debounce.
    pub fn edit(&self, field: &str, apply: impl FnOnce(&mut Branding) -> Result<(), String>) {
        let mut applied = Ok(());
        self.branding.update(|b| applied = apply(b));
        let generation = self.with_pending(|p| {
            p.generation += 1;
            p.scheduled = false;
            p.generation
        });
        let refused = match applied {
            Err(message) => Some((field.to_string(), message)),
            Ok(()) => match self.branding.with_untracked(Branding::validate) {
                Ok(()) => None,
                Err(AppError::Invalid { field, message }) => Some((field, message)),
                Err(other) => Some((field.to_string(), other.to_string())),
            },
        };
        if let Some((field, message)) = refused {
            self.field_error.set(Some((field, message)));
            self.status
                .set(Status::NotSaved("fix the highlighted field.".into()));
            return;
        }
        self.field_error.set(None);
        self.status.set(Status::Saving);
        self.with_pending(|p| p.scheduled = true);
        let saver = self.clone();
        after_ms(DEBOUNCE_MS, move || {
            let due = saver.with_pending(|p| {
                let due = p.generation == generation && p.scheduled;
                if due {
                    p.scheduled = false;
                }
                due
            });
            if due {
                saver.send();
            }
        });
    }

    /// Sends the current branding, or asks for another send once the one in flight answers.
    fn send(&self) {
        let Some(value) = self.branding.try_get_untracked() else {
            return;
        };
        let sent_generation = self.with_pending(|p| {
            if p.in_flight {
                p.again = true;
                None
            } else {
                p.in_flight = true;
                Some(p.generation)
            }
        });
        let Some(sent_generation) = sent_generation else {
            return;
        };
        let saver = self.clone();
        leptos::task::spawn_local(async move {
            let result = update_branding(saver.website_id, value).await;
            let (again, current) = saver.with_pending(|p| {
                p.in_flight = false;
                (
                    std::mem::take(&mut p.again),
                    p.generation == sent_generation && !p.scheduled,
                )
            });
            match result {
                // Later edits are still to be saved: keep saying "Saving…".
                Ok(_) if !current || again => {}
                Ok(_) => {
                    saver.status.try_set(Status::Saved);
                }
                Err(AppError::Invalid { field, message }) => {
                    saver.status.try_set(Status::NotSaved(message.clone()));
                    saver.field_error.try_set(Some((field, message)));
                }
                Err(e) => {
                    saver.status.try_set(Status::NotSaved(e.to_string()));
                }
            }
            if again {
                saver.send();
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
