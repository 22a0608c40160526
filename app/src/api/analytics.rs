//! The analytics page's data.

use super::wire::WireJson;
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::AnalyticsReport;

#[server(endpoint = "analytics/report", input = WireJson, output = WireJson)]
pub async fn website_analytics(website_id: Uuid, days: u32) -> Result<AnalyticsReport, AppError> {
    use crate::model::{Role, ANALYTICS_RANGES};
    let (member, mut tx) =
        super::ctx::member_tx(Role::can_view_analytics, "You cannot view analytics.").await?;
    if !ANALYTICS_RANGES.contains(&days) {
        return Err(AppError::invalid(
            "days",
            "Choose a range of 7, 30 or 90 days.",
        ));
    }
    crate::db::limits::check_analytics(&mut tx, member.tenant_id).await?;
    // Days are the tenant's own (its timezone, issue 23).
    let today = crate::db::organisation::local_today(&mut tx, member.tenant_id).await?;
    let report = crate::db::analytics::report(&mut tx, website_id, days, today).await?;
    tx.commit().await?;
    Ok(report)
}
