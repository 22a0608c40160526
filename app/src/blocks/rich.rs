//! Renders a text block's body from its parsed markup (`model::rich_text`). Only elements and
//! text nodes are produced, and Leptos escapes text, so the body can never become HTML.

use leptos::prelude::*;

use crate::model::{parse_rich_text, HeadingLevel, RichBlock, Span};

/// The body's elements. Headings sit one level under the block's own `<h2>` when it has one,
/// so the page outline stays in order.
pub(crate) fn rich_body(body: &str, under_heading: bool) -> impl IntoView {
    parse_rich_text(body)
        .into_iter()
        .map(|block| match block {
            RichBlock::Paragraph(s) => view! { <p>{spans(s)}</p> }.into_any(),
            RichBlock::Heading(level, s) => match (level, under_heading) {
                (HeadingLevel::Section, false) => view! { <h2>{spans(s)}</h2> }.into_any(),
                (HeadingLevel::Section, true) | (HeadingLevel::Subsection, false) => {
                    view! { <h3>{spans(s)}</h3> }.into_any()
                }
                (HeadingLevel::Subsection, true) => view! { <h4>{spans(s)}</h4> }.into_any(),
            },
            RichBlock::Bullets(items) => view! { <ul>{list_items(items)}</ul> }.into_any(),
            RichBlock::Numbered(items) => view! { <ol>{list_items(items)}</ol> }.into_any(),
        })
        .collect_view()
}

fn list_items(items: Vec<Vec<Span>>) -> impl IntoView {
    items
        .into_iter()
        .map(|s| view! { <li>{spans(s)}</li> })
        .collect_view()
}

/// Inline spans; erased to `AnyView` because the type nests into itself.
fn spans(spans_: Vec<Span>) -> AnyView {
    spans_
        .into_iter()
        .map(|s| match s {
            Span::Text(t) => t.into_any(),
            Span::Strong(c) => view! { <strong>{spans(c)}</strong> }.into_any(),
            Span::Em(c) => view! { <em>{spans(c)}</em> }.into_any(),
            Span::Link { href, children } => {
                view! { <a href=href>{spans(children)}</a> }.into_any()
            }
        })
        .collect_view()
        .into_any()
}
