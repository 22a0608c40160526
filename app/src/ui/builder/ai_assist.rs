//! The AI assistant in the builder (issue 19): "Suggest with AI" under a block's text fields
//! (`suggest_copy`) and in the page's SEO settings (`seo_optimize`). Without a provider the
//! server answers that AI is not configured and how to turn it on; that message is shown as is.
//! Out of credits, the message names the plan that grants more and links to billing.

use leptos::prelude::*;
use serde_json::Value;
use uuid::Uuid;

use super::editor::Editor;
use crate::error::AppError;
use crate::model::fields::{self, Seg};

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
