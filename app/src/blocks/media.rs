//! Embeds: video, map and custom HTML. All three are iframes; their addresses are built by the
//! model from checked parts (`VideoSource`, `MapProps::embed_url`), never copied from input.

use leptos::prelude::*;

use super::section_head;
use crate::model::{CustomHtmlProps, MapProps, VideoEmbedProps, VideoSource};

pub(super) fn video_embed(p: VideoEmbedProps) -> impl IntoView {
    let title = if p.heading.is_empty() {
        "Video".to_string()
    } else {
        p.heading.clone()
    };
    let player = match VideoSource::parse(&p.url) {
        Some(source) => view! {
            <iframe
                src=source.embed_url()
                title=title
                allow="accelerometer; encrypted-media; gyroscope; picture-in-picture; fullscreen"
                allowfullscreen=true
                referrerpolicy="strict-origin-when-cross-origin"
            ></iframe>
        }
        // tachys lists `loading` only for <img>, so it is set as a plain attribute here.
        .attr("loading", "lazy")
        .into_any(),
        None => view! {
            <div class="sp-video-placeholder">
                <span class="sp-play" aria-hidden="true">"▶"</span>
                <p>"Paste a YouTube or Vimeo link"</p>
            </div>
        }
        .into_any(),
    };
    view! {
        <section class="sp-block sp-video-embed">
            <div class="sp-container">
                {section_head(p.heading, String::new())}
                <figure class="sp-video">
                    <div class="sp-video-frame">{player}</div>
                    {(!p.caption.is_empty()).then(|| view! { <figcaption>{p.caption}</figcaption> })}
                </figure>
            </div>
        </section>
    }
}

pub(super) fn map(p: MapProps) -> impl IntoView {
    let title = if p.address.is_empty() {
        "Map".to_string()
    } else {
        format!("Map of {}", p.address)
    };
    let (embed, link) = (p.embed_url(), p.link_url());
    // Default referrer policy: OpenStreetMap's usage policy asks embeds to send their origin.
    let frame = view! { <iframe src=embed title=title></iframe> }.attr("loading", "lazy");
    view! {
        <section class="sp-block sp-map">
            <div class="sp-container">
                {section_head(p.heading, String::new())}
                <div class="sp-map-frame">
                    {frame}
                </div>
                <p class="sp-map-address">
                    {(!p.address.is_empty()).then(|| view! { <span>{p.address}</span> })}
                    <a href=link rel="noopener noreferrer" target="_blank">"Open in OpenStreetMap"</a>
                </p>
            </div>
        </section>
    }
}

/// Tenant HTML runs only inside a sandboxed frame: `allow-scripts` without `allow-same-origin`
/// gives it an opaque origin, so it cannot read the editor's session, the app's storage or
/// the page around it, even on the path-form visitor URL served from the app's own origin.
/// `srcdoc` is an attribute, so the markup is escaped on the server and set as an attribute
/// in the browser; it never becomes part of this page's DOM.
pub(super) fn custom_html(p: CustomHtmlProps) -> impl IntoView {
    let style = format!("height:{}px;", p.height.clamp(50, 2000));
    view! {
        <section class="sp-block sp-custom-html">
            <div class="sp-container">
                <iframe
                    class="sp-custom-html-frame"
                    sandbox="allow-scripts"
                    srcdoc=p.html
                    title="Custom HTML"
                    referrerpolicy="no-referrer"
                    style=style
                ></iframe>
            </div>
        </section>
    }
}
