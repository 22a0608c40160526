//! The analytics page: views, visitors, top pages, referrers and devices of one website.
//! Everything, the chart included, is rendered on the server; choosing a website or range is a
//! plain GET form, so the page works before (and without) the WASM.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

use super::new_website::LimitAlert;
use super::LoadError;
use crate::api::analytics::website_analytics;
use crate::api::websites::list_websites;
use crate::api::wire::wire_resource;
use crate::error::AppError;
use crate::model::{
    format_money, AnalyticsReport, Count, DayMetrics, ShopReport, WebsiteSummary, ANALYTICS_RANGES,
};

/// What the page needs: the websites (for the picker), the chosen one and its report.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
struct Loaded {
    sites: Vec<WebsiteSummary>,
    site: Option<Uuid>,
    days: u32,
    report: Option<Result<AnalyticsReport, AppError>>,
}

async fn load(site: Option<Uuid>, days: u32) -> Result<Loaded, AppError> {
    let sites = list_websites().await?;
    let site = site
        .filter(|id| sites.iter().any(|s| s.id == *id))
        .or_else(|| sites.first().map(|s| s.id));
    let report = match site {
        Some(id) => Some(website_analytics(id, days).await),
        None => None,
    };
    Ok(Loaded {
        sites,
        site,
        days,
        report,
    })
}

#[component]
pub fn AnalyticsPage() -> impl IntoView {
    let query = use_query_map();
    let data = wire_resource(
        move || {
            let q = query.get();
            let site = q.get("site").and_then(|s| Uuid::parse_str(&s).ok());
            let days = q
                .get("days")
                .and_then(|d| d.parse().ok())
                .filter(|d| ANALYTICS_RANGES.contains(d))
                .unwrap_or(30);
            (site, days)
        },
        |(site, days)| load(site, days),
    );
    view! {
        <header class="app-topbar">
            <strong class="app-logo">"SitePilot"</strong>
            <A href="/dashboard">"Your websites"</A>
        </header>
        <main class="app-page analytics">
            <h1>"Analytics"</h1>
            <Suspense fallback=|| view! { <p>"Loading analytics…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(loaded) => view! { <Analytics loaded/> }.into_any(),
                        Err(e) => view! { <LoadError error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn Analytics(loaded: Loaded) -> impl IntoView {
    let Loaded {
        sites,
        site,
        days,
        report,
    } = loaded;
    if sites.is_empty() {
        return view! { <p>"You have no websites yet."</p> }.into_any();
    }
    let picker = view! {
        <form method="get" action="/analytics" class="analytics-picker">
            <label for="analytics-site">"Website"</label>
            <select id="analytics-site" name="site">
                {sites.into_iter().map(|s| {
                    let selected = Some(s.id) == site;
                    view! { <option value=s.id.to_string() selected=selected>{s.name}</option> }
                }).collect_view()}
            </select>
            <label for="analytics-days">"Range"</label>
            <select id="analytics-days" name="days">
                {ANALYTICS_RANGES.into_iter().map(|d| view! {
                    <option value=d.to_string() selected={d == days}>{format!("Last {d} days")}</option>
                }).collect_view()}
            </select>
            <button type="submit" class="app-button">"Show"</button>
        </form>
    };
    let body = match report {
        Some(Ok(r)) => view! { <Report report=r/> }.into_any(),
        Some(Err(e @ AppError::LimitReached { .. })) => view! {
            <section class="app-card analytics-upsell" aria-label="Upgrade for analytics">
                <LimitAlert error=e/>
            </section>
        }
        .into_any(),
        Some(Err(e)) => view! { <p role="alert" class="app-error">{e.to_string()}</p> }.into_any(),
        None => ().into_any(),
    };
    view! { {picker} {body} }.into_any()
}

#[component]
fn Report(report: AnalyticsReport) -> impl IntoView {
    let bounce = report
        .bounce_rate
        .map_or_else(|| "–".to_string(), |b| format!("{b:.1}%"));
    let stat = |label: &'static str, value: String| {
        view! {
            <div class="analytics-stat" role="group" aria-label=label>
                <span>{label}</span>
                <strong>{value}</strong>
            </div>
        }
    };
    view! {
        <div class="analytics-stats">
            {stat("Page views", report.page_views.to_string())}
            {stat("Visitors", report.unique_visitors.to_string())}
            {stat("Sessions", report.sessions.to_string())}
            {stat("Bounce rate", bounce)}
        </div>
        <DailyChart days=report.days.clone()/>
        {report.shop.map(|shop| view! { <ShopNumbers shop/> })}
        <div class="analytics-tables">
            <CountTable label="Top pages" heading="Page" rows=report.top_pages/>
            <CountTable label="Referrers" heading="Source" rows=report.referrers/>
            <CountTable label="Devices" heading="Device" rows=report.devices/>
        </div>
        <p class="app-muted">
            "Visitors are counted without cookies: a visitor's anonymous id changes every day, so the same person on two days counts twice."
        </p>
    }
}

/// The shop's revenue and paid orders per day (per currency sold in) and the conversion from
/// product page views to paid orders.
#[component]
fn ShopNumbers(shop: ShopReport) -> impl IntoView {
    let conversion = shop
        .conversion_rate
        .map_or_else(|| "–".to_string(), |c| format!("{c:.1}%"));
    let revenue = if shop.revenue.is_empty() {
        "–".to_string()
    } else {
        shop.revenue
            .iter()
            .map(|c| format_money(c.revenue_cents, &c.currency))
            .collect::<Vec<_>>()
            .join(" + ")
    };
    let stat = |label: &'static str, value: String| {
        view! {
            <div class="analytics-stat" role="group" aria-label=label>
                <span>{label}</span>
                <strong>{value}</strong>
            </div>
        }
    };
    let tables = shop
        .revenue
        .into_iter()
        .map(|c| {
            let label = format!("Revenue per day in {}", c.currency);
            let currency = c.currency.clone();
            view! {
                <details>
                    <summary>{label.clone()}</summary>
                    <table aria-label=label>
                        <thead><tr><th scope="col">"Day"</th><th scope="col">"Paid orders"</th><th scope="col">"Revenue"</th></tr></thead>
                        <tbody>
                            {c.days.into_iter().rev().map(|d| view! {
                                <tr><td>{d.date.to_string()}</td><td>{d.orders}</td><td>{format_money(d.revenue_cents, &currency)}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </details>
            }
        })
        .collect_view();
    view! {
        <section class="app-card" aria-labelledby="analytics-shop">
            <h2 id="analytics-shop">"Shop"</h2>
            <div class="analytics-stats">
                {stat("Revenue", revenue)}
                {stat("Paid orders", shop.orders.to_string())}
                {stat("Product views", shop.product_views.to_string())}
                {stat("Conversion", conversion)}
            </div>
            {tables}
            <p class="app-muted">"Revenue is what paid orders brought in, net of refunds, on the day they were paid. Conversion is paid orders per 100 product page views."</p>
        </section>
    }
}

/// Page views per day as SVG bars (scaled to the busiest day), with the numbers in a table too.
#[component]
fn DailyChart(days: Vec<DayMetrics>) -> impl IntoView {
    const BAR: f64 = 10.0;
    const HEIGHT: f64 = 100.0;
    let max = days.iter().map(|d| d.page_views).max().unwrap_or(0).max(1) as f64;
    let width = BAR * days.len() as f64;
    let summary = format!(
        "Page views per day, {} to {}",
        days.first().map(|d| d.date.to_string()).unwrap_or_default(),
        days.last().map(|d| d.date.to_string()).unwrap_or_default()
    );
    let bars = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let h = (d.page_views as f64 / max * (HEIGHT - 4.0)).max(if d.page_views > 0 { 1.0 } else { 0.0 });
            view! {
                <rect x=format!("{:.1}", i as f64 * BAR + 1.0) y=format!("{:.1}", HEIGHT - h)
                    width=format!("{:.1}", BAR - 2.0) height=format!("{h:.1}") class="analytics-bar">
                    <title>{format!("{}: {} views, {} visitors", d.date, d.page_views, d.unique_visitors)}</title>
                </rect>
            }
        })
        .collect_view();
    view! {
        <figure class="analytics-chart">
            <svg viewBox=format!("0 0 {width} {HEIGHT}") preserveAspectRatio="none" role="img" aria-label=summary.clone()>
                {bars}
            </svg>
            <figcaption>{summary}</figcaption>
            <details>
                <summary>"Daily numbers"</summary>
                <table aria-label="Daily numbers">
                    <thead><tr><th scope="col">"Day"</th><th scope="col">"Page views"</th><th scope="col">"Visitors"</th></tr></thead>
                    <tbody>
                        {days.into_iter().rev().map(|d| view! {
                            <tr><td>{d.date.to_string()}</td><td>{d.page_views}</td><td>{d.unique_visitors}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
        </figure>
    }
}

#[component]
fn CountTable(label: &'static str, heading: &'static str, rows: Vec<Count>) -> impl IntoView {
    let empty = rows.is_empty();
    view! {
        <section class="app-card analytics-table">
            <h2>{label}</h2>
            <table aria-label=label>
                <thead><tr><th scope="col">{heading}</th><th scope="col">"Views"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|c| view! { <tr><td>{c.label}</td><td>{c.count}</td></tr> }).collect_view()}
                </tbody>
            </table>
            {empty.then(|| view! { <p class="app-muted">"No visits yet."</p> })}
        </section>
    }
}
