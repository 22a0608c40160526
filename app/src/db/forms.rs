//! Contact form submissions (migration 0013): stored from visitor sites, read and marked
//! processed in the owners' inbox. All queries run in the tenant transaction, so RLS keeps
//! each tenant to its own rows; the explicit `tenant_id` filters say the same for readers.

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use uuid::Uuid;

use super::Tx;
use crate::error::AppError;
use crate::model::{csv_cell, SubmissionDetail, SubmissionSummary, SubmittedField};

/// The inbox shows at most this many submissions at once (newest first).
pub const INBOX_LIMIT: i64 = 500;

/// A visitor's accepted submission.
pub struct NewSubmission<'a> {
    pub website_id: Uuid,
    pub page_id: Uuid,
    pub component_id: Uuid,
    pub page_slug: &'a str,
    pub page_title: &'a str,
    pub form_name: &'a str,
    pub fields: &'a [SubmittedField],
    pub ip: Option<std::net::IpAddr>,
    pub user_agent: Option<&'a str>,
}

pub async fn insert(tx: &mut Tx, tenant_id: Uuid, s: NewSubmission<'_>) -> Result<Uuid, AppError> {
    let data = serde_json::to_value(s.fields).map_err(|_| AppError::Internal)?;
    // Browsers send short user agents; a longer header is cut rather than stored whole.
    let agent = s
        .user_agent
        .map(|a| a.chars().take(512).collect::<String>());
    let id: Uuid = sqlx::query_scalar(
        r#"INSERT INTO form_submissions
               (tenant_id, website_id, page_id, component_id, page_slug, page_title, form_name, data, ip_address, user_agent)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::inet, $10)
           RETURNING id"#,
    )
    .bind(tenant_id)
    .bind(s.website_id)
    .bind(s.page_id)
    .bind(s.component_id)
    .bind(s.page_slug)
    .bind(s.page_title)
    .bind(s.form_name)
    .bind(data)
    .bind(s.ip.map(|ip| ip.to_string()))
    .bind(agent)
    .fetch_one(&mut **tx)
    .await?;
    // The receivers' copy, in the submission's transaction (an outbox).
    super::webhooks::emit(
        tx,
        s.website_id,
        "form.submitted",
        None,
        serde_json::json!({
            "submission_id": id,
            "page_id": s.page_id,
            "page_slug": s.page_slug,
            "page_title": s.page_title,
            "form_name": s.form_name,
            "fields": s.fields,
        }),
    )
    .await?;
    Ok(id)
}

#[derive(FromRow)]
struct Row {
    id: Uuid,
    website_id: Uuid,
    website_name: String,
    page_title: String,
    page_slug: String,
    form_name: String,
    created_at: DateTime<Utc>,
    status: String,
    processed_at: Option<DateTime<Utc>>,
    data: serde_json::Value,
}

const SELECT: &str = r#"SELECT s.id, s.website_id, w.name AS website_name, s.page_title, s.page_slug, s.form_name,
                               s.created_at, s.status, s.processed_at, s.data
                        FROM form_submissions s JOIN websites w ON w.id = s.website_id AND w.tenant_id = s.tenant_id"#;

impl Row {
    fn fields(&self) -> Vec<SubmittedField> {
        serde_json::from_value(self.data.clone()).unwrap_or_default()
    }

    fn summary(&self) -> SubmissionSummary {
        let preview = self
            .fields()
            .iter()
            .filter(|f| !f.value.is_empty())
            .take(3)
            .map(|f| {
                f.value
                    .chars()
                    .take(60)
                    .collect::<String>()
                    .replace('\n', " ")
            })
            .collect::<Vec<_>>()
            .join(" · ");
        SubmissionSummary {
            id: self.id,
            website_id: self.website_id,
            website_name: self.website_name.clone(),
            page_title: self.page_title.clone(),
            page_slug: self.page_slug.clone(),
            form_name: self.form_name.clone(),
            created_at: self.created_at,
            processed: self.status == "processed",
            preview,
        }
    }
}

/// The tenant's submissions, newest first; only the unprocessed ones when asked.
pub async fn list(
    tx: &mut Tx,
    tenant_id: Uuid,
    unprocessed_only: bool,
) -> Result<Vec<SubmissionSummary>, AppError> {
    list_page(tx, tenant_id, unprocessed_only, None, None, INBOX_LIMIT).await
}

/// One keyset page of [`list`] (the REST API): at most `limit` submissions, newest first,
/// after the one with `after` = (its `created_at`, its id), optionally of one website.
pub async fn list_page(
    tx: &mut Tx,
    tenant_id: Uuid,
    unprocessed_only: bool,
    website_id: Option<Uuid>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<SubmissionSummary>, AppError> {
    let sql = format!(
        "{SELECT} WHERE s.tenant_id = $1 AND (NOT $2 OR s.status <> 'processed')
           AND ($4::uuid IS NULL OR s.website_id = $4)
           AND ($5::timestamptz IS NULL OR s.created_at < $5 OR (s.created_at = $5 AND s.id > $6))
         ORDER BY s.created_at DESC, s.id LIMIT $3"
    );
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(tenant_id)
        .bind(unprocessed_only)
        .bind(limit)
        .bind(website_id)
        .bind(after.map(|a| a.0))
        .bind(after.map(|a| a.1))
        .fetch_all(&mut **tx)
        .await?;
    Ok(rows.iter().map(Row::summary).collect())
}

pub async fn detail(tx: &mut Tx, tenant_id: Uuid, id: Uuid) -> Result<SubmissionDetail, AppError> {
    let sql = format!("{SELECT} WHERE s.tenant_id = $1 AND s.id = $2");
    let row: Option<Row> = sqlx::query_as(&sql)
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    let row = row.ok_or_else(|| AppError::NotFound("Submission".into()))?;
    Ok(SubmissionDetail {
        summary: row.summary(),
        fields: row.fields(),
        processed_at: row.processed_at,
    })
}

/// Marks a submission processed (or back to new). `NotFound` for another tenant's id.
pub async fn set_processed(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Uuid,
    id: Uuid,
    processed: bool,
) -> Result<(), AppError> {
    let done: Option<Uuid> = sqlx::query_scalar(
        r#"UPDATE form_submissions
           SET status = CASE WHEN $4 THEN 'processed' ELSE 'new' END,
               processed_at = CASE WHEN $4 THEN now() END,
               processed_by = CASE WHEN $4 THEN $3 END
           WHERE tenant_id = $1 AND id = $2
           RETURNING id"#,
    )
    .bind(tenant_id)
    .bind(id)
    .bind(user_id)
    .bind(processed)
    .fetch_optional(&mut **tx)
    .await?;
    done.map(|_| ())
        .ok_or_else(|| AppError::NotFound("Submission".into()))
}

/// All of one website's submissions as CSV (oldest first): fixed columns, then one column per
/// field name in the order first seen. `NotFound` when the website is not the tenant's.
pub async fn export_csv(
    tx: &mut Tx,
    tenant_id: Uuid,
    website_id: Uuid,
) -> Result<String, AppError> {
    let site: Option<Uuid> =
        sqlx::query_scalar("SELECT id FROM websites WHERE tenant_id = $1 AND id = $2")
            .bind(tenant_id)
            .bind(website_id)
            .fetch_optional(&mut **tx)
            .await?;
    site.ok_or_else(|| AppError::NotFound("Website".into()))?;
    let sql = format!(
        "{SELECT} WHERE s.tenant_id = $1 AND s.website_id = $2 ORDER BY s.created_at, s.id"
    );
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(tenant_id)
        .bind(website_id)
        .fetch_all(&mut **tx)
        .await?;
    let parsed: Vec<(&Row, Vec<SubmittedField>)> = rows.iter().map(|r| (r, r.fields())).collect();
    let mut columns: Vec<(String, String)> = Vec::new();
    for f in parsed.iter().flat_map(|(_, fields)| fields) {
        if !columns.iter().any(|(name, _)| *name == f.name) {
            columns.push((f.name.clone(), f.label.clone()));
        }
    }
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .map(|c| csv_cell(c))
            .collect::<Vec<_>>()
            .join(",")
            + "\r\n"
    };
    let mut head = vec![
        "Received (UTC)".to_string(),
        "Page".into(),
        "Form".into(),
        "Status".into(),
    ];
    head.extend(columns.iter().map(|(name, label)| {
        if label.is_empty() {
            name.clone()
        } else {
            label.clone()
        }
    }));
    let mut out = line(head);
    for (r, fields) in &parsed {
        let mut cells = vec![
            r.created_at.format("%Y-%m-%d %H:%M:%S").to_string(),
            r.page_slug.clone(),
            r.form_name.clone(),
            r.status.clone(),
        ];
        cells.extend(columns.iter().map(|(name, _)| {
            fields
                .iter()
                .find(|f| f.name == *name)
                .map(|f| f.value.clone())
                .unwrap_or_default()
        }));
        out.push_str(&line(cells));
    }
    Ok(out)
}
