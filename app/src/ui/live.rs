//! The browser end of the realtime stream (`GET /events`, see `server/src/realtime.rs`): one
//! `EventSource` per open builder or dashboard, with the browser's own reconnection (the
//! server's `retry:` hint) and, when the browser gives up (an error answer, a proxy's 502
//! during a restart), a reconnection of ours with backoff (1 s doubling to 30 s). Each
//! (re)connection starts with a `hello` event, so callers reload what they show after a gap.
//! Nothing here runs during server rendering.

use leptos::prelude::*;

/// Follows `/events?{query}` while the calling owner (component) lives, calling
/// `on(event name, data)` for every event (`hello`, `resync`, `deploy`, `page`, `presence`).
pub fn follow(query: String, on: impl Fn(&str, &str) + 'static) {
    #[cfg(feature = "hydrate")]
    {
        let live = imp::Live::start(format!("/events?{query}"), &imp::EVENTS, None, on);
        let handle = send_wrapper::SendWrapper::new(live);
        on_cleanup(move || handle.take().borrow_mut().stop());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (query, on);
}

/// Follows the progress stream of AI site generation `id` (`GET /ai/generations/{id}/events`)
/// while the calling owner lives, calling `on` with each state's JSON; stops after a final
/// state (the server ends the stream then). The first event is the current state, so a
/// reload re-attaches.
pub fn follow_generation(id: uuid::Uuid, on: impl Fn(&str) + 'static) {
    #[cfg(feature = "hydrate")]
    {
        fn done(_: &str, data: &str) -> bool {
            serde_json::from_str::<crate::model::Generation>(data)
                .is_ok_and(|g| g.status.is_final())
        }
        let live = imp::Live::start(
            format!("/ai/generations/{id}/events"),
            &["generation"],
            Some(done),
            move |_, data| on(data),
        );
        let handle = send_wrapper::SendWrapper::new(live);
        on_cleanup(move || handle.take().borrow_mut().stop());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (id, on);
}

/// An `aria-live` region for a live deploy status (builder and dashboard).
#[component]
pub fn DeployStatusRegion(status: Signal<Option<crate::model::DeployStatus>>) -> impl IntoView {
    view! {
        // A labelled live region rather than a second `status`: the builder's save state is
        // the page's one `status`.
        <section class="live-status" aria-live="polite" aria-atomic="true" aria-label="Live publish status"
            data-phase=move || status.with(|s| s.as_ref().map(|s| format!("{:?}", s.phase).to_lowercase()))>
            {move || status.with(|s| s.as_ref().map(crate::model::DeployStatus::sentence))}
        </section>
    }
}

#[cfg(feature = "hydrate")]
mod imp {
    use std::cell::RefCell;
    use std::rc::Rc;

    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{EventSource, MessageEvent};

    pub const EVENTS: [&str; 5] = ["hello", "resync", "deploy", "page", "presence"];
    /// Whether an event (name, data) is the last one: the stream is closed after it.
    type Done = fn(&str, &str) -> bool;
    const FIRST_BACKOFF_MS: u32 = 1_000;
    const MAX_BACKOFF_MS: u32 = 30_000;

    type Listener = Closure<dyn FnMut(web_sys::Event)>;
    /// What is called with each event's name and data.
    type Handler = Rc<dyn Fn(&str, &str)>;

    pub struct Live {
        url: String,
        events: &'static [&'static str],
        done: Option<Done>,
        on: Handler,
        source: Option<EventSource>,
        listeners: Vec<(&'static str, Listener)>,
        backoff_ms: u32,
        stopped: bool,
        me: std::rc::Weak<RefCell<Live>>,
    }

    impl Live {
        pub fn start(
            url: String,
            events: &'static [&'static str],
            done: Option<Done>,
            on: impl Fn(&str, &str) + 'static,
        ) -> Rc<RefCell<Live>> {
            let live = Rc::new(RefCell::new(Live {
                url,
                events,
                done,
                on: Rc::new(on),
                source: None,
                listeners: Vec::new(),
                backoff_ms: FIRST_BACKOFF_MS,
                stopped: false,
                me: std::rc::Weak::new(),
            }));
            live.borrow_mut().me = Rc::downgrade(&live);
            live.borrow_mut().connect();
            live
        }

        fn connect(&mut self) {
            if self.stopped {
                return;
            }
            let Ok(source) = EventSource::new(&self.url) else {
                self.reconnect_later();
                return;
            };
            for &name in self.events {
                let on = Rc::clone(&self.on);
                let me = self.me.clone();
                let done = self.done;
                let listener: Listener = Closure::new(move |ev: web_sys::Event| {
                    let data = ev
                        .dyn_ref::<MessageEvent>()
                        .and_then(|m| m.data().as_string())
                        .unwrap_or_default();
                    if name == "hello" {
                        if let Some(me) = me.upgrade() {
                            me.borrow_mut().backoff_ms = FIRST_BACKOFF_MS;
                        }
                    }
                    on(name, &data);
                    if done.is_some_and(|d| d(name, &data)) {
                        let me = me.clone();
                        // Not from inside the listener being removed.
                        gloo_timers::callback::Timeout::new(0, move || {
                            if let Some(me) = me.upgrade() {
                                me.borrow_mut().stop();
                            }
                        })
                        .forget();
                    }
                });
                let _ = source
                    .add_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
                self.listeners.push((name, listener));
            }
            let me = self.me.clone();
            let on_error: Listener = Closure::new(move |_: web_sys::Event| {
                let Some(me) = me.upgrade() else { return };
                let closed = me
                    .borrow()
                    .source
                    .as_ref()
                    .is_some_and(|s| s.ready_state() == EventSource::CLOSED);
                // CONNECTING: the browser retries by itself. CLOSED: it gave up, we retry.
                if closed {
                    let mut live = me.borrow_mut();
                    live.close_source();
                    live.reconnect_later();
                }
            });
            let _ =
                source.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
            self.listeners.push(("error", on_error));
            self.source = Some(source);
        }

        fn reconnect_later(&mut self) {
            if self.stopped {
                return;
            }
            let wait = self.backoff_ms;
            self.backoff_ms = (self.backoff_ms * 2).min(MAX_BACKOFF_MS);
            let me = self.me.clone();
            gloo_timers::callback::Timeout::new(wait, move || {
                if let Some(me) = me.upgrade() {
                    me.borrow_mut().connect();
                }
            })
            .forget();
        }

        fn close_source(&mut self) {
            if let Some(source) = self.source.take() {
                for (name, l) in &self.listeners {
                    let _ = source
                        .remove_event_listener_with_callback(name, l.as_ref().unchecked_ref());
                }
                source.close();
            }
            // Dropped after the last call into them (we are inside the error listener when
            // closing from it): kept until the next connection replaces them.
            let old = std::mem::take(&mut self.listeners);
            gloo_timers::callback::Timeout::new(0, move || drop(old)).forget();
        }

        pub fn stop(&mut self) {
            self.stopped = true;
            self.close_source();
        }
    }
}
