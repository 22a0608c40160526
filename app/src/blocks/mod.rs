//! One renderer per component kind. The builder canvas and the visitor site both render
//! through [`BlockView`], so what editors see is what visitors get. Blocks read branding only
//! through the `--sp-*` CSS custom properties set on an ancestor.
//!
//! Renderers are grouped like the props in `model/props/`: page frame and simple sections
//! (`site`), people and numbers (`people`), text-led sections (`content`), embeds (`media`).

use leptos::prelude::*;

use crate::model::{is_hex_color, parse_date, BlockProps, FormSlot, Shelf};

mod content;
mod media;
mod people;
mod rich;
#[cfg(feature = "ssr")]
pub(crate) use rich::rich_body;
mod shop;
mod site;

/// Renders one block. `form` is set on visitor pages only: it makes a contact form post to
/// its page and show the visitor's values, errors or success message. `shelf` is the live
/// catalogue the storefront blocks show (read by the server, or loaded by the builder).
#[component]
pub fn BlockView(
    block: BlockProps,
    #[prop(optional_no_strip)] form: Option<FormSlot>,
    #[prop(optional_no_strip)] shelf: Option<std::sync::Arc<Shelf>>,
) -> impl IntoView {
    let shelf = shelf.as_deref();
    match block {
        BlockProps::Navbar(p) => site::navbar(p).into_any(),
        BlockProps::Hero(p) => site::hero(p).into_any(),
        BlockProps::Features(p) => site::features(p).into_any(),
        BlockProps::Gallery(p) => site::gallery(p).into_any(),
        BlockProps::Testimonials(p) => people::testimonials(p).into_any(),
        BlockProps::Pricing(p) => people::pricing(p).into_any(),
        BlockProps::Cta(p) => site::cta(p).into_any(),
        BlockProps::ContactForm(p) => content::contact_form(p, form).into_any(),
        BlockProps::Team(p) => people::team(p).into_any(),
        BlockProps::Faq(p) => content::faq(p).into_any(),
        BlockProps::Stats(p) => people::stats(p).into_any(),
        BlockProps::BlogGrid(p) => content::blog_grid(p).into_any(),
        BlockProps::VideoEmbed(p) => media::video_embed(p).into_any(),
        BlockProps::Map(p) => media::map(p).into_any(),
        BlockProps::RichText(p) => site::rich_text(p).into_any(),
        BlockProps::ImageText(p) => content::image_text(p).into_any(),
        BlockProps::Footer(p) => site::footer(p).into_any(),
        BlockProps::CustomHtml(p) => media::custom_html(p).into_any(),
        BlockProps::ProductGrid(p) => shop::product_grid(p, shelf),
        BlockProps::ProductDetail(p) => shop::product_detail(p, shelf),
        BlockProps::Cart(p) => shop::cart(p, shelf),
        BlockProps::BuyButton(p) => shop::buy_button(p, shelf),
    }
}

/// Inline style for optional colour overrides; malformed values are dropped.
fn colors(background: &str, text: &str) -> String {
    let mut s = String::new();
    if is_hex_color(background) {
        s.push_str(&format!("background:{background};"));
    }
    if is_hex_color(text) {
        s.push_str(&format!("color:{text};"));
    }
    s
}

fn link_button(label: String, href: String, class: &'static str) -> impl IntoView {
    (!label.is_empty()).then(|| view! { <a class=class href=href>{label}</a> })
}

/// A section's `<h2>` and lead paragraph, each left out when empty.
fn section_head(heading: String, sub: String) -> impl IntoView {
    view! {
        {(!heading.is_empty()).then(|| view! { <h2>{heading}</h2> })}
        {(!sub.is_empty()).then(|| view! { <p class="sp-lead">{sub}</p> })}
    }
}

/// How a block image is laid out, for its `sizes` and loading.
#[derive(Clone, Copy)]
struct ImgOpts {
    /// The `sizes` attribute: how wide the image is shown.
    sizes: &'static str,
    /// The largest image above the fold (hero): fetched first, never lazily.
    eager: bool,
    class: Option<&'static str>,
    /// `width`/`height` for an external image of a fixed box (avatars, portraits).
    fixed: Option<(u32, u32)>,
}

impl ImgOpts {
    const fn sized(sizes: &'static str) -> Self {
        Self {
            sizes,
            eager: false,
            class: None,
            fixed: None,
        }
    }
}

/// A block image. A library image (`/media/…`, `model::MediaRef`) gets `srcset` (its WebP
/// variants and the original), `sizes`, and its real `width`/`height`, so the browser keeps its
/// space before it loads (no layout shift). An external address is kept as it is, as before.
/// Every image decodes asynchronously; all but the hero load lazily.
fn block_img(url: String, alt: String, o: ImgOpts) -> AnyView {
    let media = crate::model::MediaRef::parse(&url);
    let (width, height) = match media.as_ref().map(|m| m.file) {
        Some(crate::model::MediaFile::Original { width, height }) => {
            (Some(width.to_string()), Some(height.to_string()))
        }
        _ => match o.fixed {
            Some((w, h)) => (Some(w.to_string()), Some(h.to_string())),
            None => (None, None),
        },
    };
    let srcset = media.as_ref().and_then(|m| m.srcset());
    let sizes = srcset.is_some().then_some(o.sizes);
    let img = view! {
        <img src=url alt=alt class=o.class width=width height=height srcset=srcset sizes=sizes/>
    }
    .attr("decoding", "async");
    if o.eager {
        img.attr("fetchpriority", "high").into_any()
    } else {
        img.attr("loading", "lazy").into_any()
    }
}

/// Plain text as paragraphs: blank lines separate them.
fn paragraphs(text: &str) -> impl IntoView {
    text.split("\n\n")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|t| view! { <p>{t.to_string()}</p> })
        .collect_view()
}

/// A `YYYY-MM-DD` date as people read it ("14 Jan 2025"); anything else is shown as written.
fn human_date(date: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    match parse_date(date) {
        Some((y, m, d)) => format!("{d} {} {y}", MONTHS[usize::from(m - 1)]),
        None => date.to_string(),
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests;
