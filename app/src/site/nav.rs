//! The site navigation on visitor pages: the navbar block lists the site's pages that are
//! shown in the navigation (`show_in_nav`), in navigation order (the snapshot keeps pages in
//! `nav_order`, home first), labelled `nav_label` or the title. Pages left out of the nav stay
//! reachable by their URL. The block's own links that are not pages (anchors, external
//! addresses) follow.

use crate::model::{NavLink, NavbarProps, Snapshot};

/// A site path as the browser must request it: `/about` on a site host, `/sites/x/about` on
/// the path form. Anything that is not a site path is returned as it is.
pub fn local_href(prefix: &str, href: &str) -> String {
    if prefix.is_empty() || !href.starts_with('/') || href.starts_with("//") {
        return href.to_string();
    }
    if href == "/" {
        format!("{prefix}/")
    } else {
        format!("{prefix}{href}")
    }
}

/// The navbar's links for a visitor page.
pub fn with_site_links(mut props: NavbarProps, snapshot: &Snapshot, prefix: &str) -> NavbarProps {
    let pages: Vec<NavLink> = snapshot
        .pages
        .iter()
        .filter(|p| p.show_in_nav)
        .map(|p| NavLink {
            label: p
                .nav_label
                .clone()
                .filter(|l| !l.trim().is_empty())
                .unwrap_or_else(|| p.title.clone()),
            href: local_href(prefix, &p.slug),
            is_external: false,
        })
        .collect();
    let is_page = |href: &str| {
        let path = href.trim_end_matches('/');
        let path = if path.is_empty() { "/" } else { path };
        snapshot.pages.iter().any(|p| p.slug == path)
    };
    let own = std::mem::take(&mut props.links)
        .into_iter()
        .filter(|l| !is_page(&l.href))
        .map(|l| NavLink {
            href: local_href(prefix, &l.href),
            ..l
        });
    props.links = pages.into_iter().chain(own).collect();
    props.cta_href = local_href(prefix, &props.cta_href);
    props
}
