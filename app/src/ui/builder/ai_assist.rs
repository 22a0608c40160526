//! The AI assistant in the builder (issue 19): "Suggest with AI" under a block's text fields
//! (`suggest_copy`), "Rewrite this block with AI" (`regenerate_section`), "Suggest a palette
//! with AI" in the branding panel (`suggest_color_palette`) and in the page's SEO settings
//! (`seo_optimize`). Without a provider the
//! server answers that AI is not configured and how to turn it on; that message is shown as is.
//! Out of credits, the message names the plan that grants more and links to billing.

use leptos::prelude::*;
use serde_json::Value;
use uuid::Uuid;

use super::editor::Editor;
use crate::error::AppError;
use crate::model::fields::{self, Seg};
use crate::model::PaletteSuggestion;

/// Why an AI action did not answer, with the billing link when credits ran out.
#[component]
pub fn AiError(error: RwSignal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(|e| {
            let upgrade = matches!(e, AppError::LimitReached { .. })
                .then(|| view! { " " <a href="/billing">"See plans and credits"</a> });
            view! { <p class="app-field-error ai-error" role="alert">{e.to_string()}{upgrade}</p> }
        })
    }
}

/// Three options for one text field of the selected block; choosing one replaces the text as a
/// single undo step.
#[component]
pub fn CopySuggest(
    ed: Editor,
    id: Uuid,
    path: Vec<Seg>,
    key: &'static str,
    label: &'static str,
) -> impl IntoView {
    let busy = RwSignal::new(false);
    let options = RwSignal::new(Vec::<String>::new());
    let error = RwSignal::new(None::<AppError>);
    let path = StoredValue::new(path);
    let ask = move |_| {
        let current = ed
            .block(id)
            .and_then(|c| {
                path.with_value(|p| {
                    fields::get(&c.block.props_json(), p)
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
            })
            .unwrap_or_default();
        busy.set(true);
        error.set(None);
        options.set(Vec::new());
        leptos::task::spawn_local(async move {
            let result =
                crate::api::ai::suggest_copy(ed.page_id, id, key.to_string(), current).await;
            busy.try_set(false);
            match result {
                Ok(s) => {
                    options.try_set(s.options);
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    let choose = move |text: String| {
        path.with_value(|p| ed.replace_field(id, p, Value::String(text)));
        options.set(Vec::new());
    };
    view! {
        <div class="ai-suggest">
            <button type="button" class="app-button app-button-ghost ai-suggest-button" disabled=move || busy.get()
                on:click=ask>
                {move || if busy.get() { "Writing suggestions…" } else { "Suggest with AI" }}
                // The field's name is part of the button's name from its text, not an
                // aria-label, so looking a field up by its label still finds only the input.
                <span class="sr-only">{format!(" for {label}")}</span>
            </button>
            <AiError error=error/>
            {move || {
                let list = options.get();
                (!list.is_empty()).then(|| view! {
                    <ul class="ai-options" aria-label="AI suggestions">
                        {list.into_iter().map(|text| {
                            let chosen = text.clone();
                            view! {
                                <li><button type="button" class="ai-option" on:click=move |_| choose(chosen.clone())>
                                    {text}
                                </button></li>
                            }
                        }).collect_view()}
                    </ul>
                    <button type="button" class="app-button app-button-ghost" on:click=move |_| options.set(Vec::new())>
                        "Dismiss suggestions"
                    </button>
                })
            }}
        </div>
    }
}

/// "Rewrite this block with AI": new text for every text field of the selected block (list
/// items included), following optional instructions, applied as one undo step.
#[component]
pub fn RewriteBlock(ed: Editor, id: Uuid) -> impl IntoView {
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let instructions = RwSignal::new(String::new());
    let ask = move |_| {
        busy.set(true);
        error.set(None);
        let said = instructions.get_untracked();
        leptos::task::spawn_local(async move {
            let result = crate::api::ai::regenerate_section(ed.page_id, id, said).await;
            busy.try_set(false);
            match result {
                // The inspector re-renders with the new text; Undo brings the old text back.
                Ok(r) => ed.replace_props_step(id, r.props),
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <div class="ai-rewrite">
            <label for="ai-rewrite-instructions">"Instructions for the AI rewrite (optional)"</label>
            <input id="ai-rewrite-instructions" type="text" maxlength="500" placeholder="Shorter, and mention free delivery"
                prop:value=move || instructions.get() on:input=move |ev| instructions.set(event_target_value(&ev))/>
            <button type="button" class="app-button app-button-ghost" disabled=move || busy.get() on:click=ask>
                {move || if busy.get() { "Rewriting…" } else { "Rewrite this block with AI" }}
            </button>
            <AiError error=error/>
        </div>
    }
}

/// "Suggest a palette with AI" in the branding panel: nine colours from a short brief, shown
/// with their WCAG contrast checks; "Use this palette" applies them through the panel's save.
#[component]
pub fn PaletteSuggest(website_id: Uuid, saver: super::branding_save::Saver) -> impl IntoView {
    let brief = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let proposal = RwSignal::new(None::<PaletteSuggestion>);
    let ask = move |_| {
        busy.set(true);
        error.set(None);
        proposal.set(None);
        let said = brief.get_untracked();
        leptos::task::spawn_local(async move {
            let result = crate::api::ai::suggest_palette(website_id, said).await;
            busy.try_set(false);
            match result {
                Ok(p) => {
                    proposal.try_set(Some(p));
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    let saver = StoredValue::new(saver);
    let apply = move |_| {
        if let Some(p) = proposal.get_untracked() {
            saver.with_value(|s| {
                s.edit("colors", move |b| {
                    b.colors = p.colors;
                    Ok(())
                })
            });
            proposal.set(None);
        }
    };
    view! {
        <div class="ai-palette">
            <label for="ai-palette-brief">"Describe the look (optional)"</label>
            <input id="ai-palette-brief" type="text" maxlength="300" placeholder="Warm and friendly bakery"
                prop:value=move || brief.get() on:input=move |ev| brief.set(event_target_value(&ev))/>
            <button type="button" class="app-button app-button-ghost" disabled=move || busy.get() on:click=ask>
                {move || if busy.get() { "Choosing colours…" } else { "Suggest a palette with AI" }}
            </button>
            <AiError error=error/>
            {move || proposal.get().map(|p| view! {
                <div class="ai-palette-proposal" role="region" aria-label="Suggested palette">
                    <ul class="ai-swatches">
                        {p.colors.entries().into_iter().map(|(_, label, value)| {
                            // Hex values only: the server checked every colour.
                            let style = format!("background:{value}");
                            view! { <li><span class="ai-swatch" style=style></span>{format!("{label} {value}")}</li> }
                        }).collect_view()}
                    </ul>
                    <table class="ai-contrast" aria-label="Contrast checks">
                        <thead><tr><th>"Pair"</th><th>"Contrast"</th><th>"WCAG AA"</th></tr></thead>
                        <tbody>
                            {p.checks.into_iter().map(|c| {
                                let verdict = if c.passes() { "passes" } else { "fails" };
                                view! { <tr><td>{c.pair}</td><td>{format!("{:.2}:1", c.ratio)}</td><td>{format!("{verdict} (needs {}:1)", c.min)}</td></tr> }
                            }).collect_view()}
                        </tbody>
                    </table>
                    <button type="button" class="app-button" on:click=apply>"Use this palette"</button>
                    <button type="button" class="app-button app-button-ghost" on:click=move |_| proposal.set(None)>"Dismiss palette"</button>
                </div>
            })}
        </div>
    }
}
