//! The storefront blocks. They render from a [`Shelf`] the server read live (visitor pages)
//! or the builder loaded (canvas), never from copies in props, so a price or stock level shown
//! is the catalogue's. Without a shelf (previews, thumbnails) and with nothing chosen they
//! show a placeholder in the builder and nothing on a visitor page: never made-up products.
//! Forms post to the site's `/cart` (`server/src/visitor/shop.rs`), so buying needs no JS.

use leptos::prelude::*;

use super::section_head;
use crate::model::{
    chosen_id, format_money, BuyButtonProps, CartProps, ProductDetailProps, ProductGridProps,
    Shelf, ShelfProduct, StorefrontProduct, StorefrontVariant, CART_QUANTITY_MAX,
};

fn href(shelf: &Shelf, path: &str) -> String {
    format!("{}{path}", shelf.prefix)
}

/// Shown in the builder where a block has nothing to show yet; visitors never see it.
fn placeholder(shelf: Option<&Shelf>, class: &'static str, text: &'static str) -> AnyView {
    match shelf {
        Some(s) if !s.editing => ().into_any(),
        _ => view! {
            <section class=format!("sp-block {class}")>
                <div class="sp-container"><p class="sp-shop-placeholder">{text}</p></div>
            </section>
        }
        .into_any(),
    }
}

fn draft_badge(shelf: &Shelf, p: &ShelfProduct) -> Option<impl IntoView> {
    (shelf.editing && p.status != "active").then(|| {
        let text = format!("{} – not shown to visitors", p.status);
        view! { <span class="sp-shop-draft">{text}</span> }
    })
}

/// "€12.50", or "From €12.50" when the variants' prices differ.
fn price_text(p: &StorefrontProduct) -> String {
    let min = p.variants.iter().map(|v| v.price_cents).min().unwrap_or(0);
    let max = p.variants.iter().map(|v| v.price_cents).max().unwrap_or(0);
    if min == max {
        format_money(min, &p.currency)
    } else {
        format!("From {}", format_money(min, &p.currency))
    }
}

fn variant_label(p: &StorefrontProduct, v: &StorefrontVariant) -> String {
    if v.option_values.is_empty() {
        p.title.clone()
    } else {
        v.option_values.join(" / ")
    }
}

fn stock_text(v: &StorefrontVariant) -> String {
    match (v.available, v.stock) {
        (false, _) => "Sold out".to_string(),
        (true, Some(n)) if n <= 5 => format!("Only {n} left"),
        (true, _) => "In stock".to_string(),
    }
}

pub(super) fn product_grid(p: ProductGridProps, shelf: Option<&Shelf>) -> AnyView {
    let Some(shelf) = shelf else {
        return placeholder(None, "sp-product-grid", "The shop's products show here.");
    };
    let items = shelf.grid(p.grid_source(), &p.picked(), p.limit);
    if items.is_empty() {
        let text = match p.grid_source() {
            crate::model::GridSource::NoCategory => "Choose a category in the inspector.",
            crate::model::GridSource::Picked => "Pick products in the inspector.",
            _ => "No products to show yet: add products in Shop.",
        };
        return placeholder(Some(shelf), "sp-product-grid", text);
    }
    let style = format!("--sp-columns:{}", p.columns.clamp(2, 4));
    // Named by its heading, so the grid is a landmark people (and tests) can find.
    let name = (!p.heading.is_empty()).then(|| p.heading.clone());
    let cards = items
        .into_iter()
        .map(|sp| {
            let prod = &sp.product;
            let link = href(shelf, &format!("/products/{}", prod.slug));
            let image = prod.images.first().cloned().map(|src| {
                let alt = prod.title.clone();
                view! { <img src=src alt=alt loading="lazy" decoding="async"/> }
            });
            let sold_out = (!prod.variants.iter().any(|v| v.available))
                .then(|| view! { <p class="sp-product-soldout">"Sold out"</p> });
            view! {
                <li class="sp-product-card">
                    <a href=link>
                        {image}
                        <h3>{prod.title.clone()}</h3>
                    </a>
                    <p class="sp-product-price">{price_text(prod)}</p>
                    {sold_out}
                    {draft_badge(shelf, sp)}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="sp-block sp-product-grid" aria-label=name>
            <div class="sp-container">
                {section_head(p.heading, p.subheading)}
                <ul class="sp-product-cards" style=style>{cards}</ul>
            </div>
        </section>
    }
    .into_any()
}

/// One add-to-cart form per available variant (a quantity and a button), as on the product page.
fn variant_rows(shelf: &Shelf, p: &StorefrontProduct, button: &str) -> AnyView {
    let action = href(shelf, "/cart");
    p.variants
        .iter()
        .map(|v| {
            let label = variant_label(p, v);
            let price = format_money(v.price_cents, &p.currency);
            let was = v
                .compare_at_price_cents
                .map(|c| view! { " " <s class="sp-product-was">{format_money(c, &p.currency)}</s> });
            let buy = v.available.then(|| {
                let qty_label = format!("Quantity of {label}");
                let add_label = format!("{button}: {label}");
                let max = v.stock.map_or(CART_QUANTITY_MAX, |n| n.min(CART_QUANTITY_MAX));
                view! {
                    <form method="post" action=action.clone() class="sp-buy">
                        <input type="hidden" name="variant_id" value=v.id.to_string()/>
                        <input type="number" name="quantity" value="1" min="1" max=max.to_string() aria-label=qty_label/>
                        <button type="submit" class="sp-button" aria-label=add_label>{button.to_string()}</button>
                    </form>
                }
            });
            view! {
                <tr>
                    <th scope="row">{label}</th>
                    <td class="sp-product-price">{price}{was}</td>
                    <td>{stock_text(v)}</td>
                    <td>{buy}</td>
                </tr>
            }
        })
        .collect_view()
        .into_any()
}

pub(super) fn product_detail(p: ProductDetailProps, shelf: Option<&Shelf>) -> AnyView {
    let found = shelf
        .zip(chosen_id(&p.product_id))
        .and_then(|(s, id)| Some((s, s.product(id)?)));
    let Some((shelf, sp)) = found else {
        let text = match (shelf, chosen_id(&p.product_id)) {
            (None, _) => "The product shows here.",
            (Some(_), Some(_)) => "This product is not in the shop any more: choose another.",
            (Some(_), None) => "Choose a product in the inspector.",
        };
        return placeholder(shelf, "sp-product-detail", text);
    };
    let prod = &sp.product;
    let image = prod.images.first().cloned().map(|src| {
        let alt = prod.title.clone();
        view! { <img class="sp-product-image" src=src alt=alt decoding="async"/> }
    });
    let description = p
        .show_description
        .then(|| view! { <div class="sp-product-description">{super::rich::rich_body(&prod.description, true)}</div> });
    let link = href(shelf, &format!("/products/{}", prod.slug));
    view! {
        <section class="sp-block sp-product-detail">
            <div class="sp-container sp-product">
                {image}
                <h2><a href=link>{prod.title.clone()}</a></h2>
                {draft_badge(shelf, sp)}
                <p class="sp-product-price">{price_text(prod)}</p>
                {description}
                <table class="sp-product-variants" aria-label=format!("Prices of {}", prod.title)>
                    <tbody>{variant_rows(shelf, prod, &p.button_label)}</tbody>
                </table>
                {json_ld(shelf, prod)}
            </div>
        </section>
    }
    .into_any()
}

/// The JSON-LD `Product` with its offers, as the product page carries it (visitor pages only).
#[cfg(feature = "ssr")]
fn json_ld(shelf: &Shelf, prod: &StorefrontProduct) -> Option<AnyView> {
    if shelf.editing {
        return None;
    }
    let addr = crate::site::SiteAddress {
        base: shelf.base.clone(),
        prefix: shelf.prefix.clone(),
    };
    let json = crate::site::seo::script_json(&crate::site::product_json_ld(prod, &addr));
    Some(view! { <script type="application/ld+json" inner_html=json></script> }.into_any())
}

#[cfg(not(feature = "ssr"))]
fn json_ld(_: &Shelf, _: &StorefrontProduct) -> Option<AnyView> {
    None
}

pub(super) fn cart(p: CartProps, shelf: Option<&Shelf>) -> AnyView {
    let link = shelf.map_or_else(|| "/cart".to_string(), |s| href(s, "/cart"));
    let body = (!p.body.is_empty()).then(|| view! { <p>{p.body}</p> });
    let button = (!p.button_label.is_empty())
        .then(|| view! { <a class="sp-button" href=link>{p.button_label}</a> });
    view! {
        <section class="sp-block sp-cart-block">
            <div class="sp-container">
                {section_head(p.heading, String::new())}
                {body}
                {button}
            </div>
        </section>
    }
    .into_any()
}

pub(super) fn buy_button(p: BuyButtonProps, shelf: Option<&Shelf>) -> AnyView {
    let found = shelf
        .zip(chosen_id(&p.product_id))
        .and_then(|(s, id)| Some((s, s.product(id)?)));
    let Some((shelf, sp)) = found else {
        let text = match (shelf, chosen_id(&p.product_id)) {
            (None, _) => "The buy button shows here.",
            (Some(_), Some(_)) => "This product is not in the shop any more: choose another.",
            (Some(_), None) => "Choose the product this button sells.",
        };
        return placeholder(shelf, "sp-buy-button", text);
    };
    let prod = &sp.product;
    let chosen = chosen_id(&p.variant_id);
    let variants: Vec<&StorefrontVariant> = prod
        .variants
        .iter()
        .filter(|v| chosen.is_none_or(|c| c == v.id))
        .collect();
    if variants.is_empty() {
        return placeholder(
            Some(shelf),
            "sp-buy-button",
            "That variant is not in the shop any more: choose another.",
        );
    }
    let action = href(shelf, "/cart");
    let available: Vec<&StorefrontVariant> =
        variants.iter().copied().filter(|v| v.available).collect();
    let price = p.show_price.then(|| {
        let text = match variants.as_slice() {
            [one] => format_money(one.price_cents, &prod.currency),
            _ => price_text(prod),
        };
        view! { <span class="sp-product-price">{text}</span> }
    });
    let title = prod.title.clone();
    let form = match available.as_slice() {
        [] => view! { <button type="button" class="sp-button" disabled=true>"Sold out"</button> }
            .into_any(),
        [one] => {
            let label = format!("{}: {}", p.label, variant_label(prod, one));
            view! {
                <form method="post" action=action class="sp-buy">
                    <input type="hidden" name="variant_id" value=one.id.to_string()/>
                    <input type="hidden" name="quantity" value="1"/>
                    <button type="submit" class="sp-button" aria-label=label>{p.label.clone()}</button>
                </form>
            }
            .into_any()
        }
        many => {
            let options = many
                .iter()
                .map(|v| {
                    let text = format!(
                        "{} – {}",
                        variant_label(prod, v),
                        format_money(v.price_cents, &prod.currency)
                    );
                    view! { <option value=v.id.to_string()>{text}</option> }
                })
                .collect_view();
            let choose = format!("Choose {title}");
            view! {
                <form method="post" action=action class="sp-buy">
                    <select name="variant_id" aria-label=choose>{options}</select>
                    <input type="hidden" name="quantity" value="1"/>
                    <button type="submit" class="sp-button">{p.label.clone()}</button>
                </form>
            }
            .into_any()
        }
    };
    view! {
        <section class="sp-block sp-buy-button">
            <div class="sp-container">
                <p class="sp-buy-title">{title}{draft_badge(shelf, sp)}</p>
                {price}
                {form}
            </div>
        </section>
    }
    .into_any()
}
