//! Visitor pages: server-rendered HTML from a live deployment snapshot, with no WASM. Uses the
//! same block renderers as the builder canvas.

use leptos::prelude::*;
use leptos::tachys::view::RenderHtml;

use crate::blocks::BlockView;
use std::sync::Arc;

use crate::model::{BlockProps, FormSlot, Shelf, Snapshot, SnapshotPage};

/// The cookieless page-view beacon (served by the server on every host, see
/// `server/src/analytics.rs`). Only real pages carry it, never the 404 or password forms.
pub const BEACON_SCRIPT: &str = "/_sp/beacon.js";

mod cart;
mod nav;
mod product;
pub mod seo;

pub use cart::{render_cart, render_order};
pub use nav::local_href;
pub use product::{
    category_path, product_json_ld, product_path, render_category, render_product,
    render_product_list,
};
pub use seo::Head;

/// Where a visitor site is being served, for absolute URLs (canonical, sitemap) and links.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SiteAddress {
    /// Scheme, host and path prefix, no trailing slash: `https://demo.example.com` or
    /// `http://127.0.0.1:3000/sites/demo`.
    pub base: String,
    /// What site paths start with in this page's links: empty, or `/sites/{subdomain}`.
    pub prefix: String,
}

impl SiteAddress {
    /// The absolute address of the page at `slug` (`/`, `/about`).
    pub fn page_url(&self, slug: &str) -> String {
        format!("{}{}", self.base, if slug.is_empty() { "/" } else { slug })
    }
}

fn document(head: Head, style: String, body: AnyView, beacon: bool) -> String {
    let owner = Owner::new();
    owner.with(|| {
        let Head { title, description, robots, canonical, properties, names, json_ld, icon } = head;
        let html = view! {
            <html lang="en">
                <head>
                    <meta charset="utf-8"/>
                    <meta name="viewport" content="width=device-width, initial-scale=1"/>
                    <title>{title}</title>
                    {description.map(|d| view! { <meta name="description" content=d/> })}
                    {robots.map(|r| view! { <meta name="robots" content=r/> })}
                    {canonical.map(|c| view! { <link rel="canonical" href=c/> })}
                    {properties.into_iter().map(|(p, c)| view! { <meta content=c/> }.attr("property", p)).collect_view()}
                    {names.into_iter().map(|(n, c)| view! { <meta name=n content=c/> }).collect_view()}
                    // Escaped by seo::script_json, so the text cannot end the element.
                    {json_ld.into_iter().map(|j| view! { <script type="application/ld+json" inner_html=j></script> }).collect_view()}
                    <link rel="stylesheet" href=crate::assets::stylesheet_href()/>
                    {match icon {
                        Some(href) => view! { <link rel="icon" href=href/> }.into_any(),
                        None => view! { <link rel="icon" href=crate::assets::FAVICON r#type="image/svg+xml"/> }.into_any(),
                    }}
                </head>
                <body class="sp-site" style=style>
                    {body}
                    {beacon.then(|| view! { <script src=BEACON_SCRIPT defer=true></script> })}
                </body>
            </html>
        }
        .to_html();
        format!("<!DOCTYPE html>{html}")
    })
}

/// A head for pages that are not content: a title, never indexed.
fn plain_head(title: String) -> Head {
    Head {
        title,
        robots: Some("noindex".into()),
        ..Head::default()
    }
}

/// The HTML for `path` of a live site, or `None` when the snapshot has no such page. `shelf`
/// is the live catalogue its storefront blocks show (`None`: they show nothing).
pub fn render_page(
    snapshot: &Snapshot,
    path: &str,
    addr: &SiteAddress,
    shelf: Option<Arc<Shelf>>,
) -> Option<String> {
    render(snapshot, path, addr, None, None, Some(visitor_shelf(shelf)))
}

/// A visitor page's catalogue: what was read, or nothing to show (never a placeholder).
fn visitor_shelf(shelf: Option<Arc<Shelf>>) -> Arc<Shelf> {
    shelf.unwrap_or_default()
}

/// As [`render_page`], with one contact form shown as `current` says (the visitor's values
/// and errors, or its success message). Every other contact form posts to the page's own
/// address: the empty action keeps the address the browser used, host or `/sites/…` form.
pub fn render_page_with_form(
    snapshot: &Snapshot,
    path: &str,
    addr: &SiteAddress,
    current: Option<&FormSlot>,
    shelf: Option<Arc<Shelf>>,
) -> Option<String> {
    render(
        snapshot,
        path,
        addr,
        None,
        current,
        Some(visitor_shelf(shelf)),
    )
}

/// As [`render_page`], for a member's preview of a deployment: `banner` says which deployment
/// this is above the page, and the page is never indexed.
pub fn render_preview(
    snapshot: &Snapshot,
    path: &str,
    addr: &SiteAddress,
    banner: String,
) -> Option<String> {
    render(snapshot, path, addr, Some(banner), None, None)
}

/// The home page of `snapshot` as the template gallery's thumbnail shows it: the preview
/// without its banner (the card names the template), never indexed, no analytics beacon.
pub fn render_thumbnail(snapshot: &Snapshot, addr: &SiteAddress) -> Option<String> {
    render(snapshot, "/", addr, None, None, None)
}

fn render(
    snapshot: &Snapshot,
    path: &str,
    addr: &SiteAddress,
    banner: Option<String>,
    current: Option<&FormSlot>,
    visitor: Option<Arc<Shelf>>,
) -> Option<String> {
    // Previews and thumbnails (no visitor catalogue) show the shop blocks' placeholders.
    let preview = visitor.is_none();
    let page = snapshot.page(path)?;
    let mut head = seo::head(snapshot, page, addr);
    // Previews are members looking, not visits: never indexed, no analytics beacon.
    let count_visit = !preview;
    if !count_visit {
        head.robots = Some("noindex".into());
    }
    let config = page.page_config.checked();
    let blocks: Vec<(uuid::Uuid, BlockProps)> = page
        .components
        .iter()
        .filter(|c| c.is_visible && config.shows(c.kind))
        .filter_map(|c| match BlockProps::from_parts(c.kind.as_str(), c.props.clone()) {
            Ok(BlockProps::Navbar(n)) => Some((c.id, BlockProps::Navbar(nav::with_site_links(n, snapshot, &addr.prefix)))),
            Ok(b) => Some((c.id, b)),
            Err(e) => {
                tracing::warn!(component = %c.id, error = %e, "skipping block that does not parse");
                None
            }
        })
        .collect();
    let wrapper = config.wrapper_style();
    let body = view! {
        {banner.map(|b| view! { <div class="sp-preview-banner" role="note">{b}</div> })}
        <main style=wrapper>{blocks.into_iter().map(|(id, b)| {
            let shelf = if b.kind().is_shop() { visitor.clone() } else { None };
            view! { <BlockView block=b form=form_slot(id, current) shelf=shelf/> }
        }).collect_view()}</main>
    }
    .into_any();
    let style = format!(
        "{}{}",
        snapshot.branding.css_vars(),
        config.background_style()
    );
    Some(document(head, style, body, count_visit))
}

fn form_slot(id: uuid::Uuid, current: Option<&FormSlot>) -> Option<FormSlot> {
    Some(match current {
        Some(c) if c.component_id == id => c.clone(),
        _ => FormSlot {
            component_id: id,
            ..FormSlot::default()
        },
    })
}

/// The unlock form shown instead of a password-protected page: the page's title only, none
/// of its content, never indexed. A plain HTML form, so it works without JavaScript; it posts
/// to `action` (the page's own address).
pub fn render_password_form(
    snapshot: &Snapshot,
    page: &SnapshotPage,
    action: &str,
    error: Option<&str>,
) -> String {
    let heading = page.title.clone();
    let action = action.to_string();
    let error = error.map(str::to_string);
    let body = view! {
        <main class="sp-unlock">
            <form class="sp-unlock-card" method="post" action=action>
                <h1>{heading}</h1>
                <p>"This page is protected. Enter its password to view it."</p>
                {error.map(|e| view! { <p class="sp-unlock-error" role="alert">{e}</p> })}
                <label for="sp-unlock-password">"Password"</label>
                <input id="sp-unlock-password" name="password" type="password" required=true
                    autocomplete="current-password" autofocus=true/>
                <button type="submit">"Unlock page"</button>
            </form>
        </main>
    }
    .into_any();
    let title = format!("Protected page | {}", snapshot.website_name);
    document(plain_head(title), snapshot.branding.css_vars(), body, false)
}

/// A short page for visitors who tried too many passwords.
pub fn render_too_many_attempts() -> String {
    message_page(
        "Too many attempts",
        "Too many password attempts for this page. Wait a minute, then try again.",
    )
}

/// A plain 404 page for unknown sites and pages.
pub fn render_not_found(what: &str) -> String {
    let body = view! {
        <main class="sp-not-found">
            <h1>"Page not found"</h1>
            <p>{format!("There is no {what} at this address.")}</p>
        </main>
    }
    .into_any();
    document(plain_head("Not found".into()), String::new(), body, false)
}

/// The page for a suspended website or tenant (served with 403): says nothing about why.
pub fn render_unavailable() -> String {
    let body = view! {
        <main class="sp-not-found sp-unavailable">
            <h1>"This site is temporarily unavailable"</h1>
            <p>"The account behind it is suspended. Please check back later."</p>
        </main>
    }
    .into_any();
    document(
        plain_head("Site suspended".into()),
        String::new(),
        body,
        false,
    )
}

/// The page of a website its members took offline (unpublished, archived or deleted).
pub fn render_offline() -> String {
    let body = view! {
        <main class="sp-not-found sp-offline">
            <h1>"This website is not available"</h1>
            <p>"Its owner has taken it offline."</p>
        </main>
    }
    .into_any();
    document(
        plain_head("Website not available".into()),
        String::new(),
        body,
        false,
    )
}

/// A short page for visitors who sent too many contact form submissions.
pub fn render_too_many_submissions() -> String {
    message_page(
        "Too many messages",
        "You have sent several messages in a short time. Please wait 10 minutes, then try again.",
    )
}

/// A short page for when a valid submission could not be stored.
pub fn render_submission_failed() -> String {
    message_page(
        "Message not sent",
        "Your message could not be sent just now. Please go back and try again in a moment.",
    )
}

fn message_page(heading: &'static str, message: &'static str) -> String {
    let body = view! {
        <main class="sp-unlock">
            <div class="sp-unlock-card">
                <h1>{heading}</h1>
                <p role="alert">{message}</p>
            </div>
        </main>
    }
    .into_any();
    document(plain_head(heading.into()), String::new(), body, false)
}
