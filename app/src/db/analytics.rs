//! Visitor analytics storage (schema reference §14): raw page events in, daily `usage_metrics` out.
//! The aggregation itself is SQL (`analytics_rollup`, migration 0018) so the background job and
//! the analytics page compute exactly the same numbers.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use sqlx::{FromRow, PgPool};
use uuid::Uuid;

use super::Tx;
use crate::error::AppError;
use crate::model::{
    conversion_rate, AnalyticsReport, Count, CurrencyRevenue, DayMetrics, ShopDay, ShopReport,
};

/// A page view waiting in the server's batcher (`server::analytics::batch`), with what it
/// belongs to and when it was seen. The User-Agent is not stored: the device class is all the
/// report needs.
#[derive(Debug, Clone)]
pub struct QueuedEvent {
    pub tenant_id: Uuid,
    pub website_id: Uuid,
    pub page_slug: String,
    pub visitor_id: String,
    pub referrer: Option<String>,
    pub device: &'static str,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// What one [`record_batch`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BatchStored {
    /// Rows inserted (events of sites with analytics switched off are dropped).
    pub rows: u64,
    /// INSERT statements run: one per tenant in the batch.
    pub inserts: u64,
}

/// Stores a batch of page views in one transaction, with one multi-row INSERT per tenant
/// (each under that tenant's RLS context). Events of websites with analytics switched off
/// (`websites.analytics_enabled`) are not stored.
pub async fn record_batch(pool: &PgPool, events: &[QueuedEvent]) -> Result<BatchStored, AppError> {
    let mut by_tenant: HashMap<Uuid, Vec<&QueuedEvent>> = HashMap::new();
    for e in events {
        by_tenant.entry(e.tenant_id).or_default().push(e);
    }
    let mut done = BatchStored::default();
    if by_tenant.is_empty() {
        return Ok(done);
    }
    let mut tx = pool.begin().await?;
    for (tenant, events) in by_tenant {
        super::enter_tenant(&mut tx, tenant).await?;
        let col = |f: fn(&QueuedEvent) -> Option<String>| -> Vec<Option<String>> {
            events.iter().map(|e| f(e)).collect()
        };
        let websites: Vec<Uuid> = events.iter().map(|e| e.website_id).collect();
        let at: Vec<chrono::DateTime<chrono::Utc>> = events.iter().map(|e| e.at).collect();
        let stored = sqlx::query(
            r#"INSERT INTO raw_page_events (tenant_id, website_id, page_slug, visitor_id, referrer, device, created_at)
               SELECT w.tenant_id, w.id, u.slug, u.visitor, u.referrer, u.device, u.at
                 FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
                      AS u(website_id, slug, visitor, referrer, device, at)
                 JOIN websites w ON w.id = u.website_id AND w.analytics_enabled"#,
        )
        .bind(websites)
        .bind(col(|e| Some(e.page_slug.clone())))
        .bind(col(|e| Some(e.visitor_id.clone())))
        .bind(col(|e| e.referrer.clone()))
        .bind(col(|e| Some(e.device.to_string())))
        .bind(at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        done.rows += stored;
        done.inserts += 1;
    }
    tx.commit().await?;
    Ok(done)
}

/// Today's (UTC) visitor-id salt; random per day and forgotten after two.
pub async fn daily_salt(pool: &PgPool) -> Result<Vec<u8>, AppError> {
    Ok(sqlx::query_scalar("SELECT analytics_daily_salt()")
        .fetch_one(pool)
        .await?)
}

/// The background job's step: aggregates `day` for every tenant and purges raw events older
/// than seven days. Returns how many (website, day) rows were written.
pub async fn rollup_all(pool: &PgPool, day: NaiveDate) -> Result<i32, AppError> {
    Ok(sqlx::query_scalar("SELECT analytics_rollup_all($1)")
        .bind(day)
        .fetch_one(pool)
        .await?)
}

#[derive(FromRow)]
struct MetricsRow {
    date: NaiveDate,
    page_views: i32,
    unique_visitors: i32,
    sessions: i32,
    bounce_rate: Option<f64>,
    top_pages: serde_json::Value,
    referrer_breakdown: serde_json::Value,
    device_breakdown: serde_json::Value,
    product_views: i32,
}

/// The report for `days` days ending `today`. Today's row is rolled up first (inside the
/// caller's tenant transaction, so only this tenant's events), so the page is current.
pub async fn report(
    tx: &mut Tx,
    website_id: Uuid,
    days: u32,
    today: NaiveDate,
) -> Result<AnalyticsReport, AppError> {
    super::websites::require(tx, website_id).await?;
    sqlx::query("SELECT analytics_rollup($1), analytics_product_rollup($1)")
        .bind(today)
        .execute(&mut **tx)
        .await?;
    let first = today - Duration::days(i64::from(days) - 1);
    let rows = sqlx::query_as::<_, MetricsRow>(
        r#"SELECT date, page_views, unique_visitors, sessions, bounce_rate::float8 AS bounce_rate,
                  top_pages, referrer_breakdown, device_breakdown, product_views
             FROM usage_metrics WHERE website_id = $1 AND date BETWEEN $2 AND $3 ORDER BY date"#,
    )
    .bind(website_id)
    .bind(first)
    .bind(today)
    .fetch_all(&mut **tx)
    .await?;
    let mut report = build_report(website_id, first, days, &rows);
    let product_views = rows.iter().map(|r| i64::from(r.product_views)).sum();
    report.shop = shop_report(tx, website_id, first, today, product_views).await?;
    Ok(report)
}

/// Paid orders and revenue per day and currency from `first` to `last` (the organisation's
/// days), or `None` for a website that sells nothing.
async fn shop_report(
    tx: &mut Tx,
    website_id: Uuid,
    first: NaiveDate,
    last: NaiveDate,
    product_views: i64,
) -> Result<Option<ShopReport>, AppError> {
    let sells: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM website_products WHERE website_id = $1)
             OR EXISTS (SELECT 1 FROM website_orders WHERE website_id = $1)",
    )
    .bind(website_id)
    .fetch_one(&mut **tx)
    .await?;
    if !sells {
        return Ok(None);
    }
    #[derive(FromRow)]
    struct Row {
        day: NaiveDate,
        currency: String,
        orders: i64,
        revenue: i64,
    }
    let rows = sqlx::query_as::<_, Row>(
        r#"SELECT (o.paid_at AT TIME ZONE t.timezone)::date AS day, o.currency,
                  count(*) AS orders, sum(o.total_cents - o.refunded_cents)::bigint AS revenue
             FROM website_orders o
             JOIN tenants t ON t.id = o.tenant_id
            WHERE o.website_id = $1 AND o.paid_at IS NOT NULL
              AND o.paid_at >= ($2::date)::timestamp AT TIME ZONE t.timezone
              AND o.paid_at < ($3::date + 1)::timestamp AT TIME ZONE t.timezone
            GROUP BY 1, 2"#,
    )
    .bind(website_id)
    .bind(first)
    .bind(last)
    .fetch_all(&mut **tx)
    .await?;
    let mut currencies: Vec<String> = rows.iter().map(|r| r.currency.clone()).collect();
    currencies.sort();
    currencies.dedup();
    let span = (last - first).num_days() + 1;
    let mut revenue: Vec<CurrencyRevenue> = currencies
        .into_iter()
        .map(|currency| {
            let days: Vec<ShopDay> = (0..span)
                .map(|i| {
                    let date = first + Duration::days(i);
                    let row = rows
                        .iter()
                        .find(|r| r.day == date && r.currency == currency);
                    ShopDay {
                        date,
                        orders: row.map_or(0, |r| r.orders),
                        revenue_cents: row.map_or(0, |r| r.revenue),
                    }
                })
                .collect();
            CurrencyRevenue {
                orders: days.iter().map(|d| d.orders).sum(),
                revenue_cents: days.iter().map(|d| d.revenue_cents).sum(),
                currency,
                days,
            }
        })
        .collect();
    revenue.sort_by(|a, b| {
        b.revenue_cents
            .cmp(&a.revenue_cents)
            .then_with(|| a.currency.cmp(&b.currency))
    });
    let orders = revenue.iter().map(|c| c.orders).sum();
    Ok(Some(ShopReport {
        revenue,
        orders,
        product_views,
        conversion_rate: conversion_rate(orders, product_views),
    }))
}

fn build_report(
    website_id: Uuid,
    first: NaiveDate,
    days: u32,
    rows: &[MetricsRow],
) -> AnalyticsReport {
    let by_date: HashMap<NaiveDate, &MetricsRow> = rows.iter().map(|r| (r.date, r)).collect();
    let days: Vec<DayMetrics> = (0..i64::from(days))
        .map(|i| {
            let date = first + Duration::days(i);
            let row = by_date.get(&date);
            DayMetrics {
                date,
                page_views: row.map_or(0, |r| i64::from(r.page_views)),
                unique_visitors: row.map_or(0, |r| i64::from(r.unique_visitors)),
            }
        })
        .collect();
    let sessions: i64 = rows.iter().map(|r| i64::from(r.sessions)).sum();
    // Each day's bounce rate weighted by that day's sessions.
    let bounced: f64 = rows
        .iter()
        .map(|r| r.bounce_rate.unwrap_or(0.0) * f64::from(r.sessions))
        .sum();
    let mut pages = HashMap::new();
    let mut referrers = HashMap::new();
    let mut devices = HashMap::new();
    for r in rows {
        for item in r.top_pages.as_array().into_iter().flatten() {
            if let (Some(slug), Some(views)) = (
                item.get("slug").and_then(|v| v.as_str()),
                item.get("views").and_then(|v| v.as_i64()),
            ) {
                *pages.entry(slug.to_string()).or_insert(0) += views;
            }
        }
        merge_object(&mut referrers, &r.referrer_breakdown);
        merge_object(&mut devices, &r.device_breakdown);
    }
    AnalyticsReport {
        website_id,
        page_views: days.iter().map(|d| d.page_views).sum(),
        unique_visitors: days.iter().map(|d| d.unique_visitors).sum(),
        days,
        sessions,
        bounce_rate: (sessions > 0).then(|| (bounced / sessions as f64 * 10.0).round() / 10.0),
        top_pages: ranked(pages, 10),
        referrers: ranked(referrers, 10),
        devices: ranked(devices, 3),
        shop: None,
    }
}

fn merge_object(into: &mut HashMap<String, i64>, value: &serde_json::Value) {
    for (k, v) in value.as_object().into_iter().flatten() {
        *into.entry(k.clone()).or_insert(0) += v.as_i64().unwrap_or(0);
    }
}

/// The `n` largest counts, largest first (ties by label, so the order is stable).
fn ranked(counts: HashMap<String, i64>, n: usize) -> Vec<Count> {
    let mut list: Vec<Count> = counts
        .into_iter()
        .map(|(label, count)| Count { label, count })
        .collect();
    list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
    list.truncate(n);
    list
}
