//! Reading the audit log, and the request context (IP, user agent) every audit row records.
//!
//! The context is stored as transaction-local settings (`app.request_ip`, `app.request_ua`)
//! that [`super::audit`] reads, so every existing `audit(...)` call records them without
//! passing them through each function.

use sqlx::FromRow;
use uuid::Uuid;

use super::Tx;
use crate::error::AppError;
use crate::model::{parse_filter_date, AuditEntry, AuditFilter, AuditPage, AUDIT_PAGE_SIZE};

/// Where a request came from, as far as the server can tell.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub ip: Option<std::net::IpAddr>,
    pub user_agent: Option<String>,
}

impl RequestMeta {
    /// Makes this transaction's audit rows carry the request's IP and user agent.
    pub async fn apply(&self, tx: &mut Tx) -> Result<(), AppError> {
        let ua: Option<String> = self.user_agent.as_ref().map(|u| truncate_user_agent(u));
        sqlx::query(
            "SELECT set_config('app.request_ip', $1, true), set_config('app.request_ua', $2, true)",
        )
        .bind(self.ip.map(|ip| ip.to_string()).unwrap_or_default())
        .bind(ua.unwrap_or_default())
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}

/// The longest user agent stored anywhere: the client chooses it.
pub const USER_AGENT_MAX_CHARS: usize = 256;

/// An attacker-supplied user agent, cut to [`USER_AGENT_MAX_CHARS`] characters.
pub fn truncate_user_agent(ua: &str) -> String {
    ua.chars().take(USER_AGENT_MAX_CHARS).collect()
}

#[derive(FromRow)]
struct Row {
    id: Uuid,
    created_at: chrono::DateTime<chrono::Utc>,
    local_time: String,
    action: String,
    performed_by: Option<Uuid>,
    performer: Option<String>,
    resource_type: Option<String>,
    resource_id: Option<Uuid>,
    metadata: serde_json::Value,
    ip_address: Option<String>,
    user_agent: Option<String>,
}

/// One page of the tenant's log, newest first, with the filter choices.
pub async fn list(tx: &mut Tx, filter: &AuditFilter) -> Result<AuditPage, AppError> {
    let from = parse_filter_date("from", &filter.from)?;
    let to = parse_filter_date("to", &filter.to)?;
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(AppError::invalid(
                "to",
                "The end date is before the start date.",
            ));
        }
    }
    let action = filter
        .action
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty());
    let page = filter.page.max(0);
    // `page` comes from the request: a huge number must not overflow the offset.
    let offset = page
        .checked_mul(AUDIT_PAGE_SIZE)
        .ok_or_else(|| AppError::invalid("page", "That page number is too large."))?;
    // Dates are whole days in the organisation's timezone: `to` includes the entire day.
    let timezone: String =
        sqlx::query_scalar("SELECT timezone FROM tenants WHERE id = app_current_tenant()")
            .fetch_one(&mut **tx)
            .await?;
    let where_sql = r#"($1::text IS NULL OR a.action = $1)
          AND ($2::uuid IS NULL OR a.performed_by = $2)
          AND ($3::date IS NULL OR a.created_at >= ($3::date)::timestamp AT TIME ZONE (SELECT timezone FROM tenants WHERE id = app_current_tenant()))
          AND ($4::date IS NULL OR a.created_at < ($4::date + 1)::timestamp AT TIME ZONE (SELECT timezone FROM tenants WHERE id = app_current_tenant()))"#;
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT count(*) FROM audit_logs a WHERE {where_sql}"
    ))
    .bind(action)
    .bind(filter.user_id)
    .bind(from)
    .bind(to)
    .fetch_one(&mut **tx)
    .await?;
    let rows = sqlx::query_as::<_, Row>(&format!(
        r#"SELECT a.id, a.created_at,
                  to_char(a.created_at AT TIME ZONE (SELECT timezone FROM tenants WHERE id = app_current_tenant()), 'YYYY-MM-DD HH24:MI:SS') AS local_time,
                  a.action, a.performed_by,
                  CASE WHEN a.performed_by IS NOT NULL AND u.id IS NULL THEN 'deleted user'
                       ELSE coalesce(u.full_name, u.email) END AS performer,
                  a.resource_type, a.resource_id, a.metadata,
                  host(a.ip_address) AS ip_address, a.user_agent
           FROM audit_logs a
           LEFT JOIN users u ON u.tenant_id = a.tenant_id AND u.id = a.performed_by
           WHERE {where_sql}
           ORDER BY a.created_at DESC, a.id
           LIMIT $5 OFFSET $6"#
    ))
    .bind(action)
    .bind(filter.user_id)
    .bind(from)
    .bind(to)
    .bind(AUDIT_PAGE_SIZE)
    .bind(offset)
    .fetch_all(&mut **tx)
    .await?;
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT action FROM audit_logs ORDER BY action")
            .fetch_all(&mut **tx)
            .await?;
    let users: Vec<(Uuid, String)> =
        sqlx::query_as("SELECT id, coalesce(full_name, email) FROM users ORDER BY 2")
            .fetch_all(&mut **tx)
            .await?;
    Ok(AuditPage {
        entries: rows
            .into_iter()
            .map(|r| AuditEntry {
                id: r.id,
                created_at: r.created_at,
                local_time: r.local_time,
                action: r.action,
                performed_by: r.performed_by,
                performer: r.performer,
                resource_type: r.resource_type,
                resource_id: r.resource_id,
                metadata: r.metadata,
                ip_address: r.ip_address,
                user_agent: r.user_agent,
            })
            .collect(),
        total,
        page,
        page_size: AUDIT_PAGE_SIZE,
        timezone,
        actions,
        users,
    })
}
