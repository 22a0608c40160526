//! Page frame and simple sections: navbar, hero, features, gallery, call to action, text, footer.

use leptos::prelude::*;

use super::{block_img, colors, link_button, section_head, ImgOpts};
use crate::model::{
    check_url, CtaProps, FeaturesProps, FooterProps, GalleryProps, HeroProps, NavbarProps,
    RichTextProps,
};

pub(super) fn navbar(p: NavbarProps) -> impl IntoView {
    let name = if p.heading.is_empty() {
        p.logo.alt.clone()
    } else {
        p.heading.clone()
    };
    let brand = if p.logo.url.is_empty() {
        view! { <span class="sp-brand-text">{name}</span> }.into_any()
    } else {
        let alt = if p.logo.alt.is_empty() {
            name
        } else {
            p.logo.alt.clone()
        };
        match crate::model::MediaRef::parse(&p.logo.url) {
            // A library logo: its own size for the aspect ratio, shown at the branding width.
            Some(_) => {
                let width = p.logo.width;
                let img = block_img(
                    p.logo.url.clone(),
                    alt,
                    ImgOpts {
                        sizes: "240px",
                        eager: true,
                        class: Some("sp-logo-img"),
                        fixed: None,
                    },
                );
                view! { <span class="sp-logo" style=format!("width:{width}px")>{img}</span> }
                    .into_any()
            }
            None => view! { <img src=p.logo.url.clone() alt=alt width=p.logo.width/> }.into_any(),
        }
    };
    let sticky = p.style == "sticky";
    view! {
        <header class="sp-block sp-navbar" class:sp-sticky=sticky style=colors(&p.background_color, &p.text_color)>
            <nav class="sp-container sp-navbar-inner" aria-label="Site">
                <a class="sp-brand" href="/">{brand}</a>
                <ul class="sp-nav-links">
                    {p.links.into_iter().map(|l| {
                        let rel = l.is_external.then_some("noopener noreferrer");
                        view! { <li><a href=l.href rel=rel>{l.label}</a></li> }
                    }).collect_view()}
                </ul>
                {p.show_cta_button.then(|| link_button(p.cta_label, p.cta_href, "sp-button"))}
            </nav>
        </header>
    }
}

pub(super) fn hero(p: HeroProps) -> impl IntoView {
    let mut style = colors(&p.background_color, &p.text_color);
    let is_image = p.background_type == "image" && !p.background_image.is_empty();
    let library = is_image && crate::model::MediaRef::parse(&p.background_image).is_some();
    // A library image is a real <img> behind the content (srcset, size, fetched first);
    // an external address stays a CSS background, as before.
    let backdrop = library.then(|| {
        let shade = p.background_overlay_opacity.clamp(0.0, 1.0);
        let img = block_img(
            p.background_image.clone(),
            String::new(),
            ImgOpts {
                sizes: "100vw",
                eager: true,
                class: Some("sp-hero-bg"),
                fixed: None,
            },
        );
        view! {
            {img}
            <div class="sp-hero-shade" style=format!("background:rgba(0,0,0,{shade});")></div>
        }
    });
    if is_image && !library && check_url("", &p.background_image).is_ok() {
        // URL already validated to a safe scheme; quotes are escaped for the CSS string.
        let url = p.background_image.replace('"', "%22");
        let shade = p.background_overlay_opacity.clamp(0.0, 1.0);
        style.push_str(&format!(
            "background-image:linear-gradient(rgba(0,0,0,{shade}),rgba(0,0,0,{shade})),url(\"{url}\");"
        ));
    }
    if matches!(p.min_height.as_str(), "40vh" | "60vh" | "80vh" | "100vh") {
        style.push_str(&format!("min-height:{};", p.min_height));
    }
    let align = match p.text_align.as_str() {
        "left" => "sp-align-left",
        _ => "sp-align-center",
    };
    view! {
        <section class=format!("sp-block sp-hero {align}") class:sp-hero-has-bg=library style=style>
            {backdrop}
            <div class="sp-container">
                <h1 class="sp-hero-heading">{p.heading}</h1>
                <p class="sp-lead">{p.subheading}</p>
                <div class="sp-actions">
                    {link_button(p.cta_primary_label, p.cta_primary_href, "sp-button")}
                    {link_button(p.cta_secondary_label, p.cta_secondary_href, "sp-button sp-button-ghost")}
                </div>
            </div>
        </section>
    }
}

pub(super) fn features(p: FeaturesProps) -> impl IntoView {
    let cols = if p.layout == "2-column" {
        "sp-cols-2"
    } else {
        "sp-cols-3"
    };
    view! {
        <section class="sp-block sp-features" id="features">
            <div class="sp-container">
                {section_head(p.heading, p.subheading)}
                <ul class=format!("sp-grid {cols}")>
                    {p.items.into_iter().map(|i| view! {
                        <li class="sp-card">
                            <span class="sp-icon" aria-hidden="true">{icon_glyph(&i.icon)}</span>
                            <h3>{i.title}</h3>
                            <p>{i.description}</p>
                        </li>
                    }).collect_view()}
                </ul>
            </div>
        </section>
    }
}

/// A small built-in icon set; unknown names show a neutral dot.
fn icon_glyph(name: &str) -> &'static str {
    match name {
        "star" => "★",
        "clock" => "◷",
        "heart" => "♥",
        "flame" => "🔥",
        "leaf" => "❦",
        "check" => "✓",
        _ => "●",
    }
}

pub(super) fn gallery(p: GalleryProps) -> impl IntoView {
    let style = format!("--sp-columns:{};", p.columns.clamp(1, 6));
    let captions = p.show_captions;
    let sizes = match p.columns.clamp(1, 6) {
        1 => "(max-width: 720px) 100vw, 1100px",
        2 => "(max-width: 720px) 100vw, 550px",
        3 => "(max-width: 720px) 100vw, 370px",
        _ => "(max-width: 720px) 50vw, 280px",
    };
    view! {
        <section class="sp-block sp-gallery" id="gallery">
            <div class="sp-container">
                {section_head(p.heading, String::new())}
                <div class="sp-gallery-grid" style=style>
                    {p.images.into_iter().map(|i| view! {
                        <figure>
                            {block_img(i.url, i.alt, ImgOpts::sized(sizes))}
                            {(captions && !i.caption.is_empty()).then(|| view! { <figcaption>{i.caption}</figcaption> })}
                        </figure>
                    }).collect_view()}
                </div>
            </div>
        </section>
    }
}

pub(super) fn cta(p: CtaProps) -> impl IntoView {
    view! {
        <section class="sp-block sp-cta">
            <div class="sp-container">
                <h2>{p.heading}</h2>
                <p>{p.body}</p>
                {link_button(p.button_label, p.button_href, "sp-button sp-button-light")}
            </div>
        </section>
    }
}

pub(super) fn rich_text(p: RichTextProps) -> impl IntoView {
    let has_heading = !p.heading.is_empty();
    view! {
        <section class="sp-block sp-rich-text">
            <div class="sp-container sp-prose">
                {has_heading.then(|| view! { <h2>{p.heading.clone()}</h2> })}
                {super::rich::rich_body(&p.body, has_heading)}
            </div>
        </section>
    }
}

pub(super) fn footer(p: FooterProps) -> impl IntoView {
    view! {
        <footer class="sp-block sp-footer" style=colors(&p.background_color, &p.text_color) id="contact">
            <div class="sp-container sp-footer-inner">
                <div>
                    {(!p.logo_url.is_empty()).then(|| block_img(p.logo_url.clone(), String::new(), ImgOpts { sizes: "200px", eager: false, class: Some("sp-footer-logo"), fixed: None }))}
                    {(!p.heading.is_empty()).then(|| view! { <p class="sp-footer-brand">{p.heading.clone()}</p> })}
                    <p class="sp-tagline">{p.tagline}</p>
                </div>
                {p.columns.into_iter().map(|c| view! {
                    <div class="sp-footer-col">
                        <h3>{c.heading}</h3>
                        <ul>
                            {c.links.into_iter().map(|l| view! { <li><a href=l.href>{l.label}</a></li> }).collect_view()}
                        </ul>
                    </div>
                }).collect_view()}
                {(!p.social_links.is_empty()).then(|| view! {
                    <ul class="sp-social">
                        {p.social_links.into_iter().map(|s| view! {
                            <li><a href=s.url rel="noopener noreferrer">{s.platform}</a></li>
                        }).collect_view()}
                    </ul>
                })}
            </div>
            <div class="sp-container sp-footer-bottom">
                <small>{p.copyright}</small>
                {p.show_powered_by.then(|| view! { <small class="sp-powered">"Built with SitePilot"</small> })}
            </div>
        </footer>
    }
}
