//! The builder's Publish control: optional notes, "Publishing…" while the publish waits behind
//! unsaved edits and runs, then the new deployment (page count, link to the live site) or the
//! server's message.

use leptos::prelude::*;

use super::editor::Editor;
use crate::model::{parse_deployment_notes, DEPLOYMENT_NOTES_MAX};

#[component]
pub fn PublishControl(ed: Editor) -> impl IntoView {
    let notes = RwSignal::new(String::new());
    let notes_error = RwSignal::new(None::<String>);
    // Set on click; the editor clears `publish_note` when it queues the publish, so "clicked
    // and no result yet" is exactly "publishing".
    let started = RwSignal::new(false);
    let publishing = move || started.get() && ed.publish_note.with(Option::is_none);
    let publish = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if publishing() {
            return;
        }
        match parse_deployment_notes(Some(notes.get_untracked())) {
            Ok(parsed) => {
                notes_error.set(None);
                started.set(true);
                ed.publish(parsed);
            }
            Err(e) => notes_error.set(Some(e.to_string())),
        }
    };
    // A successful publish empties the notes, ready for the next one.
    Effect::new(move |_| {
        if ed.publish_note.with(|n| matches!(n, Some(Ok(_)))) {
            notes.set(String::new());
        }
    });
    view! {
        <form class="builder-publish" on:submit=publish>
            <div class="publish-notes">
                <label for="publish-notes">"Publish notes (optional)"</label>
                <input id="publish-notes" type="text" placeholder="What changed?"
                    maxlength=DEPLOYMENT_NOTES_MAX.to_string()
                    aria-invalid=move || notes_error.with(Option::is_some).to_string()
                    aria-describedby="publish-notes-error"
                    prop:value=move || notes.get()
                    on:input=move |ev| notes.set(event_target_value(&ev))/>
                <p class="app-field-error" id="publish-notes-error">{move || notes_error.get()}</p>
            </div>
            // The button itself says "Publishing…" while the publish waits and runs.
            <button type="submit" class="app-button" disabled=publishing>
                {move || if publishing() { "Publishing…" } else { "Publish" }}
            </button>
            <div class="publish-result" aria-live="polite">
                {move || ed.publish_note.get().and_then(|r| r.ok()).map(|p| {
                    let pages = if p.pages == 1 { "1 page".to_string() } else { format!("{} pages", p.pages) };
                    let short = p.deployment_id.simple().to_string()[..8].to_string();
                    view! {
                        <p class="publish-ok">
                            {format!("Published. Deployment {short} is live with {pages}. ")}
                            <a href=p.site_path target="_blank" rel="noopener">"View live site"</a>
                        </p>
                    }
                })}
            </div>
            {move || ed.publish_note.get().and_then(|r| r.err()).map(|m| view! {
                <p role="alert" class="app-error">{format!("Not published: {m}")}</p>
            })}
            {move || (ed.publish_unverified.get() && ed.publish_note.with(|n| matches!(n, Some(Err(_)))))
                .then(|| view! { <ResendVerification/> })}
        </form>
    }
    .into_any()
}

/// "Send the verification email again", offered when a publish was refused for an unverified
/// email address.
#[component]
pub fn ResendVerification() -> impl IntoView {
    let result = RwSignal::new(None::<Result<(), String>>);
    let busy = RwSignal::new(false);
    let resend = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let r = crate::api::auth::resend_verification()
                .await
                .map_err(|e| e.to_string());
            busy.try_set(false);
            result.try_set(Some(r));
        });
    };
    view! {
        <p>
            <button type="button" class="app-button app-button-ghost" disabled=move || busy.get() on:click=resend>
                "Send the verification email again"
            </button>
        </p>
        <p aria-live="polite">{move || match result.get() {
            Some(Ok(())) => "Sent. Follow the link in the email, then publish again.".to_string(),
            Some(Err(e)) => e,
            None => String::new(),
        }}</p>
    }
}
