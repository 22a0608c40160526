//! Visitor analytics: the report the analytics page shows, and the pure parts of counting a
//! page view (device class, referrer source). Collection and storage are server-only.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The ranges the analytics page offers, in days ending today.
pub const ANALYTICS_RANGES: [u32; 3] = [7, 30, 90];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayMetrics {
    pub date: NaiveDate,
    pub page_views: i64,
    pub unique_visitors: i64,
}

/// One row of a breakdown (a page, a referrer, a device class) and its page views.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Count {
    pub label: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalyticsReport {
    pub website_id: Uuid,
    /// Every day of the range, oldest first, zero-filled.
    pub days: Vec<DayMetrics>,
    pub page_views: i64,
    /// Daily unique visitors, summed. Visitor ids rotate every day by design (no cookies, a
    /// fresh salt each day), so one person on two days counts twice.
    pub unique_visitors: i64,
    pub sessions: i64,
    /// Share of sessions with a single page view, in percent; `None` without sessions.
    pub bounce_rate: Option<f64>,
    pub top_pages: Vec<Count>,
    pub referrers: Vec<Count>,
    pub devices: Vec<Count>,
    /// The shop's numbers, for a website that sells (has products or orders).
    #[serde(default)]
    pub shop: Option<ShopReport>,
}

/// Paid orders and revenue of one day, in one currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShopDay {
    pub date: NaiveDate,
    pub orders: i64,
    /// Minor units, net of refunds.
    pub revenue_cents: i64,
}

/// Revenue in one currency: every day of the range, oldest first, zero-filled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurrencyRevenue {
    pub currency: String,
    pub orders: i64,
    pub revenue_cents: i64,
    pub days: Vec<ShopDay>,
}

/// The shop on the analytics page (issue 22 part 6). Days are the organisation's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShopReport {
    /// One entry per currency sold in, most revenue first; empty before the first paid order.
    pub revenue: Vec<CurrencyRevenue>,
    /// Paid orders in the range (later refunds included; their revenue is netted out).
    pub orders: i64,
    /// Views of product pages (`/products/{slug}`).
    pub product_views: i64,
    /// Paid orders per 100 product views, one decimal; `None` without product views.
    pub conversion_rate: Option<f64>,
}

/// Paid orders per 100 product views, rounded to one decimal.
pub fn conversion_rate(orders: i64, product_views: i64) -> Option<f64> {
    (product_views > 0).then(|| (orders as f64 * 1000.0 / product_views as f64).round() / 10.0)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Device {
    Mobile,
    Tablet,
    Desktop,
}

impl Device {
    /// A coarse class from the User-Agent header; anything unrecognised is a desktop.
    pub fn from_user_agent(ua: &str) -> Self {
        let ua = ua.to_ascii_lowercase();
        if ua.contains("ipad")
            || ua.contains("tablet")
            || (ua.contains("android") && !ua.contains("mobile"))
        {
            Self::Tablet
        } else if ua.contains("mobi") || ua.contains("iphone") || ua.contains("android") {
            Self::Mobile
        } else {
            Self::Desktop
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mobile => "mobile",
            Self::Tablet => "tablet",
            Self::Desktop => "desktop",
        }
    }
}

/// Crawlers announce themselves in the User-Agent; their hits are not visits.
pub fn is_crawler(ua: &str) -> bool {
    let ua = ua.to_ascii_lowercase();
    ["bot", "crawl", "spider", "slurp"]
        .iter()
        .any(|w| ua.contains(w))
}

/// The host a visit came from (`google.com`), or `None` for direct visits, navigation within
/// the site itself (`site_host`) and anything that is not an http(s) address.
pub fn referrer_source(referrer: &str, site_host: &str) -> Option<String> {
    let rest = referrer
        .strip_prefix("https://")
        .or_else(|| referrer.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = host
        .split(':')
        .next()
        .unwrap_or("")
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    let own = site_host
        .split(':')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let own = own.strip_prefix("www.").unwrap_or(&own);
    let valid = !host.is_empty()
        && host.len() <= 253
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    (valid && host != own).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_are_classified_from_the_user_agent() {
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148";
        let ipad = "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15";
        let android_phone =
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome/120.0 Mobile Safari/537.36";
        let android_tablet = "Mozilla/5.0 (Linux; Android 14; SM-X710) Chrome/120.0 Safari/537.36";
        let desktop =
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/130.0 Safari/537.36";
        assert_eq!(Device::from_user_agent(iphone), Device::Mobile);
        assert_eq!(Device::from_user_agent(android_phone), Device::Mobile);
        assert_eq!(Device::from_user_agent(ipad), Device::Tablet);
        assert_eq!(Device::from_user_agent(android_tablet), Device::Tablet);
        assert_eq!(Device::from_user_agent(desktop), Device::Desktop);
        assert_eq!(Device::from_user_agent(""), Device::Desktop);
    }

    #[test]
    fn crawlers_are_recognised_but_headless_browsers_are_not() {
        assert!(is_crawler("Mozilla/5.0 (compatible; Googlebot/2.1)"));
        assert!(is_crawler("Baiduspider"));
        assert!(!is_crawler(
            "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/130.0"
        ));
    }

    #[test]
    fn referrers_reduce_to_an_outside_host() {
        assert_eq!(
            referrer_source("https://www.google.com/search?q=pizza", "demo.localhost"),
            Some("google.com".into())
        );
        assert_eq!(
            referrer_source("http://user@news.example.org:8080/a", "demo.localhost"),
            Some("news.example.org".into())
        );
        assert_eq!(
            referrer_source("https://demo.localhost:3000/about", "demo.localhost:3000"),
            None,
            "internal navigation"
        );
        assert_eq!(referrer_source("", "demo.localhost"), None, "direct");
        assert_eq!(
            referrer_source("android-app://com.google", "demo.localhost"),
            None
        );
        assert_eq!(referrer_source("https://<script>/", "demo.localhost"), None);
    }
}
