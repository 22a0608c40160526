//! The shop's cart and order pages on a visitor site (issue 22 parts 3 and 4), inside the live
//! deployment's navigation, footer and branding. Plain HTML forms posting to the site: they
//! work without JavaScript.

use leptos::prelude::*;

use super::product::{frame, product_path};
use super::{document, nav, Head, SiteAddress};
use crate::blocks::BlockView;
use crate::model::{format_money, CartCode, CartView, OrderReceipt, Snapshot, CART_QUANTITY_MAX};

fn private_head(title: String, icon: Option<String>) -> Head {
    Head {
        title,
        icon,
        description: None,
        robots: Some("noindex, nofollow".to_string()),
        canonical: None,
        properties: Vec::new(),
        names: Vec::new(),
        json_ld: Vec::new(),
    }
}

fn page(snapshot: &Snapshot, addr: &SiteAddress, title: &str, main: AnyView) -> String {
    let (navbar, footer) = frame(snapshot, addr);
    let body = view! {
        {navbar.map(|b| view! { <BlockView block=b form=None/> })}
        <main>{main}</main>
        {footer.map(|b| view! { <BlockView block=b form=None/> })}
    }
    .into_any();
    document(
        private_head(
            format!("{title} | {}", snapshot.website_name),
            snapshot.favicon_url.clone(),
        ),
        snapshot.branding.css_vars(),
        body,
        false,
    )
}

/// `/cart`: the lines with quantities to change, the subtotal and the checkout form; `error`
/// is said at the top (a refused add, short stock at checkout).
pub fn render_cart(
    snapshot: &Snapshot,
    cart: Option<&CartView>,
    addr: &SiteAddress,
    error: Option<&str>,
) -> String {
    let cart_action = nav::local_href(&addr.prefix, "/cart");
    let checkout_action = nav::local_href(&addr.prefix, "/checkout");
    let shop = nav::local_href(&addr.prefix, "/products");
    let alert = error.map(|e| {
        let e = e.to_string();
        view! { <p role="alert" class="sp-cart-error">{e}</p> }
    });
    let content = match cart.filter(|c| !c.lines.is_empty()) {
        None => view! {
            <p>"Your cart is empty."</p>
            <p><a href=shop>"Continue shopping"</a></p>
        }
        .into_any(),
        Some(c) => {
            let currency = c.currency.clone();
            let rows = c
                .lines
                .iter()
                .map(|l| {
                    let label = l.label();
                    let href = nav::local_href(&addr.prefix, &product_path(&l.product_slug));
                    let qty_label = format!("Quantity of {label}");
                    let remove_label = format!("Remove {label}");
                    let note = match (l.available, l.stock) {
                        (true, _) => None,
                        (false, Some(0)) => Some("Sold out".to_string()),
                        (false, Some(n)) => Some(format!("Only {n} left")),
                        (false, None) => Some("No longer for sale".to_string()),
                    }
                    .map(|n| view! { <span class="sp-cart-note">{n}</span> });
                    let variant = l.variant_id.to_string();
                    let variant2 = variant.clone();
                    let action = cart_action.clone();
                    let action2 = cart_action.clone();
                    view! {
                        <tr>
                            <th scope="row"><a href=href>{label}</a>" "{note}</th>
                            <td>{format_money(l.unit_price_cents, &currency)}</td>
                            <td>
                                <form method="post" action=action class="sp-cart-qty">
                                    <input type="hidden" name="set" value=variant/>
                                    <input type="number" name="quantity" min="0"
                                        max=CART_QUANTITY_MAX.to_string() value=l.quantity.to_string()
                                        aria-label=qty_label/>
                                    <button type="submit">"Update"</button>
                                </form>
                            </td>
                            <td>{format_money(l.total_cents(), &currency)}</td>
                            <td>
                                <form method="post" action=action2>
                                    <input type="hidden" name="set" value=variant2/>
                                    <input type="hidden" name="quantity" value="0"/>
                                    <button type="submit" aria-label=remove_label>"Remove"</button>
                                </form>
                            </td>
                        </tr>
                    }
                })
                .collect_view();
            let subtotal = format_money(c.subtotal_cents(), &c.currency);
            let code = code_section(c, &cart_action);
            view! {
                <table class="sp-cart" aria-label="Cart">
                    <thead><tr>
                        <th scope="col">"Product"</th><th scope="col">"Price"</th>
                        <th scope="col">"Quantity"</th><th scope="col">"Total"</th><th scope="col"></th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
                <p class="sp-cart-subtotal">"Subtotal: " <strong>{subtotal}</strong></p>
                {code}
                <form method="post" action=checkout_action class="sp-checkout">
                    <label for="sp-checkout-email">"Email for your receipt"</label>
                    <input id="sp-checkout-email" type="email" name="email" required=true
                        autocomplete="email" maxlength="254"/>
                    <button type="submit">"Check out"</button>
                </form>
                <p><a href=shop>"Continue shopping"</a></p>
            }
            .into_any()
        }
    };
    let main = view! {
        <section class="sp-block sp-cart-page">
            <h1>"Your cart"</h1>
            {alert}
            {content}
        </section>
    }
    .into_any();
    page(snapshot, addr, "Cart", main)
}

/// The discount code part of the cart: with a code, its discount and the new total (or why it
/// does not apply) and a button to take it off; without, the form to enter one.
fn code_section(cart: &CartView, action: &str) -> AnyView {
    let currency = cart.currency.clone();
    let Some(CartCode { code, outcome }) = cart.code.clone() else {
        let action = action.to_string();
        return view! {
            <form method="post" action=action class="sp-cart-code">
                <label for="sp-cart-code">"Discount code"</label>
                <input id="sp-cart-code" type="text" name="code" required=true maxlength="50"
                    autocomplete="off" autocapitalize="characters"/>
                <button type="submit">"Apply code"</button>
            </form>
        }
        .into_any();
    };
    let remove_action = action.to_string();
    let remove = view! {
        <form method="post" action=remove_action class="sp-cart-code">
            <input type="hidden" name="remove_code" value="1"/>
            <button type="submit" aria-label=format!("Remove code {code}")>"Remove code"</button>
        </form>
    };
    let state = match outcome {
        Ok(applied) => {
            let off = format!("−{}", format_money(applied.discount_cents, &currency));
            let total = format_money(cart.total_cents(), &currency);
            view! {
                <p class="sp-cart-discount">"Discount (" <code>{code.clone()}</code> "): " <strong>{off}</strong></p>
                <p class="sp-cart-total">"Total: " <strong>{total}</strong></p>
            }
            .into_any()
        }
        Err(why) => {
            let why = why.to_string();
            view! {
                <p role="status" class="sp-cart-note">
                    "Code " <code>{code.clone()}</code> " does not apply: " {why}
                </p>
            }
            .into_any()
        }
    };
    view! { {state} {remove} }.into_any()
}

/// `/orders/{id}`: the order's lines and total, and while it waits for payment, the payment
/// step: in test mode "Pay (test mode)" (no money moves) and "Cancel", which gives the stock
/// back. `action` is the order's own address (with its token).
pub fn render_order(
    snapshot: &Snapshot,
    order: &OrderReceipt,
    addr: &SiteAddress,
    action: &str,
    test_mode: bool,
) -> String {
    let currency = order.currency.clone();
    let rows = order
        .lines
        .iter()
        .map(|(label, q, total)| {
            let label = label.clone();
            view! {
                <tr>
                    <th scope="row">{label}</th>
                    <td>{q.to_string()}</td>
                    <td>{format_money(*total, &currency)}</td>
                </tr>
            }
        })
        .collect_view();
    let (heading, message) = match (order.status.as_str(), order.payment_status.as_str()) {
        ("pending", _) => (
            format!("Order {}: payment", order.order_number),
            "Your items are reserved for 30 minutes while you pay.".to_string(),
        ),
        ("cancelled", "paid") => (
            format!("Order {}", order.order_number),
            "Your payment arrived after the reservation ended. The shop will contact you."
                .to_string(),
        ),
        ("cancelled", _) => (
            format!("Order {} cancelled", order.order_number),
            "Nothing was charged and the items went back on sale.".to_string(),
        ),
        _ => (
            format!("Thank you! Order {} is paid", order.order_number),
            format!("A receipt goes to {}.", order.customer_email),
        ),
    };
    let pay = (order.status == "pending").then(|| {
        let a1 = action.to_string();
        let a2 = action.to_string();
        let pay_button = test_mode.then(|| {
            view! {
                <form method="post" action=a1>
                    <p class="sp-test-mode" role="note"><strong>"Test mode"</strong>": no real payment is taken."</p>
                    <input type="hidden" name="pay" value="1"/>
                    <button type="submit">"Pay (test mode)"</button>
                </form>
            }
        });
        view! {
            {pay_button}
            <form method="post" action=a2>
                <input type="hidden" name="cancel" value="1"/>
                <button type="submit">"Cancel order"</button>
            </form>
        }
    });
    let total = format_money(order.total_cents, &order.currency);
    let discount = order.promotion_code.clone().map(|code| {
        let off = format!("−{}", format_money(order.discount_cents, &order.currency));
        view! { <p class="sp-cart-discount">"Discount (" <code>{code}</code> "): " <strong>{off}</strong></p> }
    });
    let main = view! {
        <section class="sp-block sp-order">
            <h1>{heading}</h1>
            <p role="status">{message}</p>
            <table class="sp-cart" aria-label="Order">
                <thead><tr><th scope="col">"Product"</th><th scope="col">"Quantity"</th><th scope="col">"Total"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            {discount}
            <p class="sp-cart-subtotal">"Total: " <strong>{total}</strong></p>
            {pay}
        </section>
    }
    .into_any();
    page(snapshot, addr, "Order", main)
}
