//! A product's page on a visitor site, `/products/{slug}` (issue 22): the live deployment's
//! navigation and footer and branding around the product, with its price and stock read live
//! from the database by the server (never from the snapshot, so they are never stale), and a
//! JSON-LD `Product` with one `Offer` per variant. Plain HTML: works without JavaScript.

use leptos::prelude::*;
use serde_json::{json, Value};

use super::{document, nav, seo, Head, SiteAddress};
use crate::blocks::{rich_body, BlockView};
use crate::model::{
    format_money, money_input, BlockProps, Snapshot, StorefrontCard, StorefrontProduct,
    StorefrontVariant, CART_QUANTITY_MAX,
};

/// The address of a product page: `/products/{slug}`.
pub fn product_path(slug: &str) -> String {
    format!("/products/{slug}")
}

fn absolute(addr: &SiteAddress, url: &str) -> Option<String> {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        Some(url.to_string())
    } else if url.starts_with('/') && !url.starts_with("//") {
        Some(format!("{}{}", addr.base, url))
    } else {
        None
    }
}

fn availability(v: &StorefrontVariant) -> &'static str {
    if v.available {
        "https://schema.org/InStock"
    } else {
        "https://schema.org/OutOfStock"
    }
}

/// The JSON-LD `Product` of the page: name, description, images, SKU and one offer per variant
/// with its live price, currency and availability.
pub fn product_json_ld(p: &StorefrontProduct, addr: &SiteAddress) -> Value {
    let url = addr.page_url(&product_path(&p.slug));
    let images: Vec<String> = p.images.iter().filter_map(|i| absolute(addr, i)).collect();
    let offers: Vec<Value> = p
        .variants
        .iter()
        .map(|v| {
            let mut o = json!({
                "@type": "Offer",
                "price": money_input(v.price_cents, &p.currency),
                "priceCurrency": p.currency,
                "availability": availability(v),
                "url": url,
            });
            if let Some(sku) = &v.sku {
                o["sku"] = json!(sku);
            }
            if !v.option_values.is_empty() {
                o["name"] = json!(format!("{} – {}", p.title, v.option_values.join(" / ")));
            }
            o
        })
        .collect();
    let mut doc = json!({
        "@context": "https://schema.org",
        "@type": "Product",
        "name": p.title,
        "url": url,
        "offers": offers,
    });
    if let Some(d) = p
        .seo_description
        .clone()
        .or_else(|| plain_description(&p.description))
    {
        doc["description"] = json!(d);
    }
    if !images.is_empty() {
        doc["image"] = json!(images);
    }
    if let [only] = p.variants.as_slice() {
        if let Some(sku) = &only.sku {
            doc["sku"] = json!(sku);
        }
    }
    doc
}

/// The description's first 300 characters without markup characters, for the search result.
fn plain_description(src: &str) -> Option<String> {
    let text: String = src
        .chars()
        .filter(|c| !matches!(c, '*' | '_' | '#' | '[' | ']' | '`'))
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let short: String = text.chars().take(300).collect();
    (!short.is_empty()).then_some(short)
}

/// The navbar and footer blocks of the site's home page, with the site's links.
pub(super) fn frame(
    snapshot: &Snapshot,
    addr: &SiteAddress,
) -> (Option<BlockProps>, Option<BlockProps>) {
    let Some(home) = snapshot.page("/") else {
        return (None, None);
    };
    let mut navbar = None;
    let mut footer = None;
    for c in home.components.iter().filter(|c| c.is_visible) {
        match BlockProps::from_parts(c.kind.as_str(), c.props.clone()) {
            Ok(BlockProps::Navbar(n)) if navbar.is_none() => {
                navbar = Some(BlockProps::Navbar(nav::with_site_links(
                    n,
                    snapshot,
                    &addr.prefix,
                )))
            }
            Ok(b @ BlockProps::Footer(_)) if footer.is_none() => footer = Some(b),
            _ => {}
        }
    }
    (navbar, footer)
}

/// The whole HTML page of a product.
pub fn render_product(snapshot: &Snapshot, p: &StorefrontProduct, addr: &SiteAddress) -> String {
    let url = addr.page_url(&product_path(&p.slug));
    let title = match &p.seo_title {
        Some(t) => t.clone(),
        None => format!("{} | {}", p.title, snapshot.website_name),
    };
    let description = p
        .seo_description
        .clone()
        .or_else(|| plain_description(&p.description));
    let mut properties = vec![
        ("og:title", p.title.clone()),
        ("og:type", "product".to_string()),
        ("og:url", url.clone()),
        ("og:site_name", snapshot.website_name.clone()),
    ];
    if let Some(img) = p.images.first().and_then(|i| absolute(addr, i)) {
        properties.push(("og:image", img));
    }
    let head = Head {
        title,
        description,
        robots: None,
        canonical: Some(url),
        properties,
        names: vec![("twitter:card", "summary".to_string())],
        json_ld: vec![seo::script_json(&product_json_ld(p, addr))],
        icon: snapshot.favicon_url.clone(),
    };
    let (navbar, footer) = frame(snapshot, addr);
    let currency = p.currency.clone();
    let image = p.images.first().cloned().map(|src| {
        let alt = p.title.clone();
        view! { <img class="sp-product-image" src=src alt=alt/> }
    });
    let options = p.option_names.clone();
    let cart_action = nav::local_href(&addr.prefix, "/cart");
    let rows =
        p.variants
            .iter()
            .map(|v| {
                let label = if v.option_values.is_empty() {
                    p.title.clone()
                } else {
                    v.option_values.join(" / ")
                };
                let price = format_money(v.price_cents, &currency);
                let was = v.compare_at_price_cents.map(
                    |c| view! { " " <s class="sp-product-was">{format_money(c, &currency)}</s> },
                );
                let stock = match (v.available, v.stock) {
                    (false, _) => "Sold out".to_string(),
                    (true, Some(n)) if n <= 5 => format!("Only {n} left"),
                    (true, _) => "In stock".to_string(),
                };
                // A plain form: adding works without JavaScript.
                let buy = v.available.then(|| {
                let qty_label = format!("Quantity of {label}");
                let add_label = format!("Add {label} to cart");
                let max = v.stock.map_or(CART_QUANTITY_MAX, |n| n.min(CART_QUANTITY_MAX));
                view! {
                    <form method="post" action=cart_action.clone() class="sp-buy">
                        <input type="hidden" name="variant_id" value=v.id.to_string()/>
                        <input type="number" name="quantity" value="1" min="1" max=max.to_string()
                            aria-label=qty_label/>
                        <button type="submit" aria-label=add_label>"Add to cart"</button>
                    </form>
                }
            });
                view! {
                    <tr>
                        <th scope="row">{label}</th>
                        <td class="sp-product-price">{price}{was}</td>
                        <td>{stock}</td>
                        <td>{buy}</td>
                    </tr>
                }
            })
            .collect_view();
    let heading = p.title.clone();
    let option_header = if options.is_empty() {
        "Product".to_string()
    } else {
        options.join(" / ")
    };
    let body = view! {
        {navbar.map(|b| view! { <BlockView block=b form=None/> })}
        <main>
            <article class="sp-block sp-product" itemscope=true>
                {image}
                <h1>{heading}</h1>
                <div class="sp-product-description">{rich_body(&p.description, true)}</div>
                <table class="sp-product-variants" aria-label="Prices">
                    <thead><tr><th scope="col">{option_header}</th><th scope="col">"Price"</th><th scope="col">"Availability"</th><th scope="col"><span class="sr-only">"Buy"</span></th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </article>
        </main>
        {footer.map(|b| view! { <BlockView block=b form=None/> })}
    }
    .into_any();
    document(head, snapshot.branding.css_vars(), body, true)
}

/// The shop's index, `/products`: every active product as a card (image, title, price from
/// the cheapest variant, sold out when no variant is available), linking to its page.
pub fn render_product_list(
    snapshot: &Snapshot,
    cards: &[StorefrontCard],
    addr: &SiteAddress,
) -> String {
    render_listing(snapshot, ("Shop", "/products", None), cards, addr)
}

/// A category's page, `/categories/{slug}`: its active products and those of the categories
/// under it.
pub fn render_category(
    snapshot: &Snapshot,
    category: &crate::model::Category,
    cards: &[StorefrontCard],
    addr: &SiteAddress,
) -> String {
    let path = category_path(&category.slug);
    let description = (!category.description.is_empty()).then_some(category.description.as_str());
    render_listing(snapshot, (&category.name, &path, description), cards, addr)
}

/// The address of a category page: `/categories/{slug}`.
pub fn category_path(slug: &str) -> String {
    format!("/categories/{slug}")
}

/// A page of product cards under a heading, at `path`.
fn render_listing(
    snapshot: &Snapshot,
    (heading, path, description): (&str, &str, Option<&str>),
    cards: &[StorefrontCard],
    addr: &SiteAddress,
) -> String {
    let url = addr.page_url(path);
    let title = format!("{heading} | {}", snapshot.website_name);
    let head = Head {
        title: title.clone(),
        description: description.map(str::to_string),
        robots: None,
        canonical: Some(url.clone()),
        properties: vec![
            ("og:title", title),
            ("og:type", "website".to_string()),
            ("og:url", url),
            ("og:site_name", snapshot.website_name.clone()),
        ],
        names: vec![("twitter:card", "summary".to_string())],
        json_ld: Vec::new(),
        icon: snapshot.favicon_url.clone(),
    };
    let (navbar, footer) = frame(snapshot, addr);
    let items = cards
        .iter()
        .map(|c| {
            let href = nav::local_href(&addr.prefix, &product_path(&c.slug));
            let price = if c.price_min_cents == c.price_max_cents {
                format_money(c.price_min_cents, &c.currency)
            } else {
                format!("From {}", format_money(c.price_min_cents, &c.currency))
            };
            let image = c.image.clone().map(|src| {
                let alt = c.title.clone();
                view! { <img src=src alt=alt loading="lazy"/> }
            });
            let title = c.title.clone();
            let sold_out =
                (!c.available).then(|| view! { <p class="sp-product-soldout">"Sold out"</p> });
            view! {
                <li class="sp-product-card">
                    <a href=href>
                        {image}
                        <h2>{title}</h2>
                    </a>
                    <p class="sp-product-price">{price}</p>
                    {sold_out}
                </li>
            }
        })
        .collect_view();
    let empty = cards
        .is_empty()
        .then(|| view! { <p>"Nothing for sale yet."</p> });
    let body = view! {
        {navbar.map(|b| view! { <BlockView block=b form=None/> })}
        <main>
            <section class="sp-block sp-product-grid">
                <h1>{heading.to_string()}</h1>
                {description.map(|d| view! { <p>{d.to_string()}</p> })}
                {empty}
                <ul class="sp-product-cards">{items}</ul>
            </section>
        </main>
        {footer.map(|b| view! { <BlockView block=b form=None/> })}
    }
    .into_any();
    document(head, snapshot.branding.css_vars(), body, true)
}
