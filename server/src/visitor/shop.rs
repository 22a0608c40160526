//! The shop's visitor side (issue 22 parts 3 and 4): the cart, checkout with stock reserved,
//! payment and the receipt, as plain HTML forms that work without JavaScript.
//!
//! | path | GET | POST |
//! | --- | --- | --- |
//! | `/cart` | the cart | `variant_id` + `quantity`: add; `set` + `quantity`: change (0 removes); `code`: apply a discount code; `remove_code`: take it off |
//! | `/checkout` | – | `email`: a pending order holding its stock, then the payment |
//! | `/orders/{id}?t=…` | the receipt, or the test-mode payment page while unpaid | `pay` (test mode) or `cancel` |
//!
//! The cart is named by cookie `sp_cart_{website}` = `{cart}.{mac}`, HMAC-SHA256 under the
//! server key over the website and cart ids: a visitor cannot name another cart, and a cookie
//! that does not verify is ignored (a new cart is started). Order pages need the order's token
//! `t` (an HMAC of its id), which checkout hands out in the redirect.
//!
//! Payment goes through Stripe Checkout. With `STRIPE_SECRET_KEY` unset (never in production)
//! it runs in the local test mode billing uses: "Pay (test mode)" sends a Stripe-shaped
//! `checkout.session.completed` event, signed like Stripe's, through the real
//! `/webhooks/stripe` handler, which marks the order paid once. The event charges the order's
//! total after its discount (`amount_total`), and the handler refuses a payment of any other
//! amount, as it will for Stripe's own events.

use app::error::AppError;
use app::model::{CartView, Snapshot, RESERVATION_MINUTES};
use app::site::SiteAddress;
use app::state::AppState;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use app::api::billing_stripe::{StripeApi, CHECKOUT_SESSIONS};

use super::cache::LiveSite;
use super::live_payment;
use super::protected::see_other;
use super::Visit;

/// Checkouts one visitor address may start per website within [`CHECKOUT_WINDOW_SECS`]; each
/// holds stock for [`RESERVATION_MINUTES`], so this bounds how much stock one address can hold.
pub const CHECKOUTS_MAX: u32 = 20;
pub const CHECKOUT_WINDOW_SECS: u32 = 600;
const CART_COOKIE_DAYS: i64 = 30;

/// Whether `path` (within the site) is one of the shop's visitor paths.
pub(super) fn is_shop_path(path: &str) -> bool {
    let p = path.trim_end_matches('/');
    p == "/cart" || p == "/checkout" || p.starts_with("/orders/")
}

fn mac(key: &[u8], label: &str, a: Uuid, b: Uuid) -> Option<Hmac<Sha256>> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).ok()?;
    m.update(format!("{label}\n{}\n{}", a.simple(), b.simple()).as_bytes());
    Some(m)
}

fn tag(key: &[u8], label: &str, a: Uuid, b: Uuid) -> String {
    mac(key, label, a, b)
        .map(|m| hex::encode(m.finalize().into_bytes()))
        .unwrap_or_default()
}

fn tag_ok(key: &[u8], label: &str, a: Uuid, b: Uuid, given: &str) -> bool {
    let Ok(given) = hex::decode(given) else {
        return false;
    };
    mac(key, label, a, b).is_some_and(|m| m.verify_slice(&given).is_ok())
}

pub fn cart_cookie_name(website_id: Uuid) -> String {
    format!("sp_cart_{}", website_id.simple())
}

/// The cookie value naming `cart_id` of `website_id`.
pub fn cart_cookie_value(key: &[u8], website_id: Uuid, cart_id: Uuid) -> String {
    format!(
        "{}.{}",
        cart_id.simple(),
        tag(key, "sp-cart-v1", website_id, cart_id)
    )
}

/// The cart a cookie value names, when its tag verifies for this website.
pub fn cart_of_cookie(key: &[u8], website_id: Uuid, value: &str) -> Option<Uuid> {
    let (id, t) = value.split_once('.')?;
    let id = Uuid::parse_str(id).ok()?;
    tag_ok(key, "sp-cart-v1", website_id, id, t).then_some(id)
}

/// The token that opens order `order_id`'s page.
pub fn order_token(key: &[u8], website_id: Uuid, order_id: Uuid) -> String {
    tag(key, "sp-order-v1", website_id, order_id)
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim())
}

fn query_param<'a>(query: Option<&'a str>, name: &str) -> Option<&'a str> {
    query?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Per-visitor answers: never stored by shared caches, never indexed.
fn private(status: StatusCode, html: String) -> Response {
    let mut res = (status, Html(html)).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    h.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    res
}

fn path(prefix: &str, p: &str) -> String {
    format!("{prefix}{p}")
}

struct Shop<'a> {
    state: &'a AppState,
    live: &'a LiveSite,
    visit: &'a Visit,
}

impl Shop<'_> {
    fn key(&self) -> &[u8] {
        &self.state.config.page_unlock_key.0
    }

    fn snapshot(&self) -> &Snapshot {
        &self.live.snapshot
    }

    fn addr(&self) -> SiteAddress {
        self.visit.address()
    }

    fn cookie_cart(&self) -> Option<Uuid> {
        let cookies = self.visit.cookies.as_deref()?;
        let value = crate::unlock::read_cookie(cookies, &cart_cookie_name(self.live.website_id))?;
        cart_of_cookie(self.key(), self.live.website_id, value)
    }

    fn set_cart_cookie(&self, res: &mut Response, cart_id: Uuid) {
        let secure = if self.state.config.secure_cookies {
            "; Secure"
        } else {
            ""
        };
        let cookie_path = if self.visit.prefix.is_empty() {
            "/".to_string()
        } else {
            format!("{}/", self.visit.prefix)
        };
        let cookie = format!(
            "{}={}; Path={cookie_path}; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
            cart_cookie_name(self.live.website_id),
            cart_cookie_value(self.key(), self.live.website_id, cart_id),
            CART_COOKIE_DAYS * 86_400,
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }

    async fn tx(&self) -> Result<app::db::Tx, AppError> {
        app::db::tenant_tx(&self.state.pool, self.live.tenant_id).await
    }

    async fn load_cart(&self) -> Result<Option<CartView>, AppError> {
        let Some(id) = self.cookie_cart() else {
            return Ok(None);
        };
        let mut tx = self.tx().await?;
        let cart = app::db::shop::cart(&mut tx, self.live.website_id, id).await?;
        tx.commit().await?;
        Ok(cart)
    }

    async fn cart_page(&self, status: StatusCode, error: Option<&AppError>) -> Response {
        match self.load_cart().await {
            Ok(cart) => private(
                status,
                app::site::render_cart(
                    self.snapshot(),
                    cart.as_ref(),
                    &self.addr(),
                    error.map(ToString::to_string).as_deref(),
                ),
            ),
            Err(e) => unavailable(&e),
        }
    }

    /// `code`: puts a discount code on the cart; `remove_code`: takes it off. Then back to
    /// the cart, which shows the discount or why the code does not apply.
    async fn post_code(&self, pairs: &[(String, String)]) -> Response {
        let code = match field(pairs, "remove_code") {
            Some(_) => None,
            None => Some(field(pairs, "code").unwrap_or("")),
        };
        let result = async {
            let cart = self.cookie_cart().ok_or_else(|| {
                AppError::invalid("code", "Add a product before entering a code.")
            })?;
            let mut tx = self.tx().await?;
            app::db::shop::set_code(&mut tx, self.live.website_id, cart, code).await?;
            tx.commit().await?;
            Ok::<_, AppError>(())
        }
        .await;
        match result {
            Ok(()) => see_other(&path(&self.visit.prefix, "/cart")),
            Err(e) if e.status() < 500 => self.cart_page(StatusCode::BAD_REQUEST, Some(&e)).await,
            Err(e) => unavailable(&e),
        }
    }

    async fn post_cart(&self, pairs: &[(String, String)]) -> Response {
        if field(pairs, "code").is_some() || field(pairs, "remove_code").is_some() {
            return self.post_code(pairs).await;
        }
        let quantity = field(pairs, "quantity").unwrap_or("1");
        let Ok(quantity) = quantity.parse::<i32>() else {
            let e = AppError::invalid("quantity", "The quantity must be a whole number.");
            return self.cart_page(StatusCode::BAD_REQUEST, Some(&e)).await;
        };
        let website = (self.live.tenant_id, self.live.website_id);
        let result = async {
            let mut tx = self.tx().await?;
            let cart = match (field(pairs, "set"), field(pairs, "variant_id")) {
                (Some(v), _) => {
                    let variant = parse_variant(v)?;
                    let cart = self.cookie_cart().ok_or_else(|| {
                        AppError::invalid("cart", "Your cart has expired. Add the products again.")
                    })?;
                    app::db::shop::set_quantity(&mut tx, website.1, cart, variant, quantity)
                        .await?;
                    cart
                }
                (None, Some(v)) => {
                    let variant = parse_variant(v)?;
                    app::db::shop::add(&mut tx, website, self.cookie_cart(), variant, quantity)
                        .await?
                }
                (None, None) => {
                    return Err(AppError::invalid("variant_id", "Choose a product to add."))
                }
            };
            tx.commit().await?;
            Ok::<_, AppError>(cart)
        }
        .await;
        match result {
            Ok(cart) => {
                let mut res = private(StatusCode::SEE_OTHER, String::new());
                res.headers_mut().extend(
                    see_other(&path(&self.visit.prefix, "/cart"))
                        .headers()
                        .clone(),
                );
                self.set_cart_cookie(&mut res, cart);
                res
            }
            Err(e) if e.status() < 500 => self.cart_page(StatusCode::BAD_REQUEST, Some(&e)).await,
            Err(e) => unavailable(&e),
        }
    }

    async fn checkout(&self, pairs: &[(String, String)]) -> Response {
        let email = match app::model::Email::parse(field(pairs, "email").unwrap_or("")) {
            Ok(e) => e,
            Err(_) => {
                let e = AppError::invalid("email", "Enter the email address for your receipt.");
                return self.cart_page(StatusCode::BAD_REQUEST, Some(&e)).await;
            }
        };
        let Some(cart) = self.cookie_cart() else {
            let e = AppError::invalid("cart", "Your cart is empty.");
            return self.cart_page(StatusCode::BAD_REQUEST, Some(&e)).await;
        };
        let throttle = app::db::throttle::checkout_key(self.visit.ip, self.live.website_id);
        if let Err(e) = app::db::throttle::count(
            &self.state.pool,
            &throttle,
            CHECKOUTS_MAX,
            CHECKOUT_WINDOW_SECS,
        )
        .await
        {
            let mut res = self
                .cart_page(StatusCode::TOO_MANY_REQUESTS, Some(&e))
                .await;
            if let AppError::TooManyRequests { retry_after_secs } = e {
                res.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            }
            return res;
        }
        let payments = &self.state.payments;
        // Live payments need the server's Stripe keys and the shop's connected account able to
        // take charges; otherwise the local test mode, where the server runs it.
        let live = match &payments.stripe {
            Some(api) => match self.ready_account().await {
                Ok(account) => account.map(|a| (api.clone(), a)),
                Err(e) => return unavailable(&e),
            },
            None => None,
        };
        if let Some((api, account)) = live {
            return self.live_checkout(&api, &account, cart, &email).await;
        }
        if payments.test_mode.is_none() {
            // Say so before any stock is held.
            let e = AppError::invalid(
                "cart",
                "This shop cannot take payments yet: its owner has not connected a payment account.",
            );
            return self
                .cart_page(StatusCode::SERVICE_UNAVAILABLE, Some(&e))
                .await;
        }
        let until = chrono::Utc::now() + chrono::Duration::minutes(RESERVATION_MINUTES);
        let placed = async {
            let mut tx = self.tx().await?;
            let site = (self.live.tenant_id, self.live.website_id);
            let order = app::db::shop::checkout(&mut tx, site, cart, email.as_str(), until).await?;
            // The test mode's checkout session: named after the order, like Stripe's `cs_test_…`.
            let session = format!("cs_test_{}", order.id.simple());
            app::db::shop::set_checkout_session(&mut tx, order.id, &session).await?;
            tx.commit().await?;
            Ok::<_, AppError>(order)
        }
        .await;
        match placed {
            Ok(order) => {
                tracing::info!(website = %self.live.website_id, order = %order.id, "checkout started");
                see_other(&self.order_path(order.id))
            }
            Err(e) if e.status() < 500 => self.cart_page(StatusCode::CONFLICT, Some(&e)).await,
            Err(e) => unavailable(&e),
        }
    }

    async fn ready_account(&self) -> Result<Option<String>, AppError> {
        let mut tx = self.tx().await?;
        let account = app::db::shop_payments::ready_account(&mut tx, self.live.tenant_id).await?;
        tx.commit().await?;
        Ok(account)
    }

    /// Live checkout: the order holds its stock as in test mode, then a Stripe Checkout
    /// session on the platform charges its exact total as a destination charge to the shop's
    /// connected account, and the visitor goes there (303). If Stripe refuses, the order is
    /// released at once (stock and discount use back, the cart open again) and the cart says why.
    async fn live_checkout(
        &self,
        api: &StripeApi,
        account: &str,
        cart: Uuid,
        email: &app::model::Email,
    ) -> Response {
        let until = chrono::Utc::now() + chrono::Duration::minutes(live_payment::SESSION_MINUTES);
        let placed = async {
            let mut tx = self.tx().await?;
            let site = (self.live.tenant_id, self.live.website_id);
            let order = app::db::shop::checkout(&mut tx, site, cart, email.as_str(), until).await?;
            let lines = app::db::shop_payments::session_lines(&mut tx, order.id).await?;
            tx.commit().await?;
            Ok::<_, AppError>((order, lines))
        }
        .await;
        let (order, lines) = match placed {
            Ok(placed) => placed,
            Err(e) if e.status() < 500 => {
                return self.cart_page(StatusCode::CONFLICT, Some(&e)).await
            }
            Err(e) => return unavailable(&e),
        };
        let order_url = format!(
            "{}/orders/{}?t={}",
            self.addr().base,
            order.id,
            order_token(self.key(), self.live.website_id, order.id)
        );
        let form =
            live_payment::session_form((self.live.tenant_id, account), &order, &lines, &order_url);
        let key = format!("sitepilot-shop-session-{}", order.id);
        let started = async {
            let session = api.post(CHECKOUT_SESSIONS, form, Some(key)).await?;
            let url = app::api::billing_stripe::url_of(&session)?;
            let id = session
                .get("id")
                .and_then(|v| v.as_str())
                .filter(|id| id.starts_with("cs_"))
                .ok_or(AppError::Internal)?
                .to_string();
            let mut tx = self.tx().await?;
            app::db::shop::set_checkout_session(&mut tx, order.id, &id).await?;
            tx.commit().await?;
            Ok::<_, AppError>(url)
        }
        .await;
        match started {
            Ok(url) => {
                tracing::info!(website = %self.live.website_id, order = %order.id, "live checkout started");
                see_other(&url)
            }
            Err(e) => {
                tracing::warn!(order = %order.id, error = %e, "stripe checkout not started; releasing the order");
                let released = async {
                    let mut tx = self.tx().await?;
                    let now = chrono::Utc::now();
                    app::db::shop::release(&mut tx, self.live.tenant_id, order.id, now, true)
                        .await?;
                    tx.commit().await?;
                    Ok::<_, AppError>(())
                }
                .await;
                if let Err(e) = released {
                    // The release job gives the stock back when the reservation ends.
                    return unavailable(&e);
                }
                let e = AppError::invalid(
                    "cart",
                    "The payment could not be started: Stripe did not accept the checkout. Nothing was charged and your items are still in your cart; try again in a minute.",
                );
                self.cart_page(StatusCode::BAD_GATEWAY, Some(&e)).await
            }
        }
    }

    fn order_path(&self, order_id: Uuid) -> String {
        format!(
            "{}?t={}",
            path(&self.visit.prefix, &format!("/orders/{}", order_id)),
            order_token(self.key(), self.live.website_id, order_id)
        )
    }

    async fn order(&self, id: &str, posted: Option<&[(String, String)]>) -> Response {
        let Ok(order_id) = Uuid::parse_str(id.trim_end_matches('/')) else {
            return super::not_found("order");
        };
        let token = query_param(self.visit.query.as_deref(), "t").unwrap_or("");
        if !tag_ok(
            self.key(),
            "sp-order-v1",
            self.live.website_id,
            order_id,
            token,
        ) {
            return super::not_found("order");
        }
        if let Some(pairs) = posted {
            if let Err(e) = self.act_on_order(order_id, pairs).await {
                return unavailable(&e);
            }
            return see_other(&self.order_path(order_id));
        }
        let receipt = async {
            let mut tx = self.tx().await?;
            let r = app::db::shop::receipt(&mut tx, self.live.website_id, order_id).await?;
            tx.commit().await?;
            Ok::<_, AppError>(r)
        }
        .await;
        match receipt {
            Ok(Some(r)) => {
                let action = self.order_path(order_id);
                let test_mode = self.state.payments.test_mode.is_some();
                private(
                    StatusCode::OK,
                    app::site::render_order(self.snapshot(), &r, &self.addr(), &action, test_mode),
                )
            }
            Ok(None) => super::not_found("order"),
            Err(e) => unavailable(&e),
        }
    }

    async fn act_on_order(
        &self,
        order_id: Uuid,
        pairs: &[(String, String)],
    ) -> Result<(), AppError> {
        if field(pairs, "cancel").is_some() {
            let mut tx = self.tx().await?;
            app::db::shop::release(
                &mut tx,
                self.live.tenant_id,
                order_id,
                chrono::Utc::now(),
                true,
            )
            .await?;
            tx.commit().await?;
            return Ok(());
        }
        if field(pairs, "pay").is_some() {
            let Some(hook) = &self.state.payments.test_mode else {
                return Err(AppError::forbidden(
                    "Test-mode payment is off on this server.",
                ));
            };
            let mut tx = self.tx().await?;
            let order = app::db::shop::receipt(&mut tx, self.live.website_id, order_id)
                .await?
                .ok_or_else(|| AppError::NotFound("Order".into()))?;
            tx.commit().await?;
            let event = test_mode_payment(
                self.live.tenant_id,
                order_id,
                (order.total_cents, &order.currency),
            );
            (hook.0)(event.to_string().into_bytes())
                .await
                .map_err(|e| {
                    tracing::error!(error = %e, order = %order_id, "test-mode payment refused");
                    AppError::Internal
                })?;
        }
        Ok(())
    }
}

/// The Stripe-shaped `checkout.session.completed` event test mode sends for an order,
/// charging `charged` (the order's total after its discount, and its currency; Stripe writes
/// currencies in lower case).
pub fn test_mode_payment(
    tenant_id: Uuid,
    order_id: Uuid,
    (total, currency): (i64, &str),
) -> serde_json::Value {
    app::api::billing::test_event::checkout_completed(
        &format!("cs_test_{}", order_id.simple()),
        &format!("pi_test_{}", order_id.simple()),
        Some((total, &currency.to_lowercase())),
        serde_json::json!({
            "sitepilot_kind": "shop_order",
            "sitepilot_tenant": tenant_id.to_string(),
            "sitepilot_order": order_id.to_string(),
        }),
    )
}

fn parse_variant(raw: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(raw).map_err(|_| AppError::invalid("variant_id", "Choose a product to add."))
}

fn unavailable(e: &AppError) -> Response {
    tracing::error!(error = %e, "shop request failed");
    private(
        StatusCode::SERVICE_UNAVAILABLE,
        app::site::render_unavailable(),
    )
}

/// The shop's answer for a shop path, or `None` when the path is not the shop's or the site
/// does not sell (it then falls through to the site's pages).
pub(super) async fn route(state: &AppState, live: &LiveSite, visit: &Visit) -> Option<Response> {
    if !is_shop_path(&visit.path) {
        return None;
    }
    let shop = Shop { state, live, visit };
    let posted = visit.shop_form.as_deref();
    let p = visit.path.trim_end_matches('/');
    Some(match (p, posted) {
        ("/cart", None) => shop.cart_page(StatusCode::OK, None).await,
        ("/cart", Some(pairs)) => shop.post_cart(pairs).await,
        ("/checkout", Some(pairs)) => shop.checkout(pairs).await,
        ("/checkout", None) => see_other(&path(&visit.prefix, "/cart")),
        (p, posted) => match p.strip_prefix("/orders/") {
            Some(id) => shop.order(id, posted).await,
            None => return None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cart_cookies_verify_only_for_their_site_and_cart() {
        let (key, site, cart) = (b"k".as_slice(), Uuid::new_v4(), Uuid::new_v4());
        let v = cart_cookie_value(key, site, cart);
        assert_eq!(cart_of_cookie(key, site, &v), Some(cart));
        assert_eq!(cart_of_cookie(key, Uuid::new_v4(), &v), None);
        assert_eq!(cart_of_cookie(b"other", site, &v), None);
        let other = Uuid::new_v4();
        let forged = format!("{}.{}", other.simple(), v.split_once('.').unwrap().1);
        assert_eq!(cart_of_cookie(key, site, &forged), None);
        assert_eq!(cart_of_cookie(key, site, "garbage"), None);
    }
}
