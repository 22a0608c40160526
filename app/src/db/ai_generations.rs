//! "Build my site from a prompt" (migration 0039): the generation rows the `ai.generate_site`
//! job works through and the progress page reads. Every change sends the realtime
//! notification in its own transaction ([`notify`]), so the progress stream sees it exactly
//! when it commits, on every instance.

use sqlx::FromRow;
use uuid::Uuid;

use super::realtime::CHANNEL;
use super::Tx;
use crate::error::AppError;
use crate::model::{
    Generation, GenerationBrief, GenerationChanged, GenerationStatus, GenerationStep, LiveEvent,
};

/// Queues nothing by itself: the caller enqueues the job in the same transaction.
pub async fn create(
    tx: &mut Tx,
    tenant: Uuid,
    user: Uuid,
    brief: &GenerationBrief,
    usage_id: Uuid,
) -> Result<Uuid, AppError> {
    let brief = serde_json::to_value(brief).map_err(|_| AppError::Internal)?;
    Ok(sqlx::query_scalar(
        "INSERT INTO ai_generations (tenant_id, created_by, brief, usage_id) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(tenant)
    .bind(user)
    .bind(brief)
    .bind(usage_id)
    .fetch_one(&mut **tx)
    .await?)
}

#[derive(FromRow)]
struct Row {
    id: Uuid,
    status: String,
    brief: serde_json::Value,
    steps: serde_json::Value,
    error: Option<String>,
    website_id: Option<Uuid>,
    home_page_id: Option<Uuid>,
}

impl Row {
    fn into_generation(self) -> Generation {
        let brief: GenerationBrief = serde_json::from_value(self.brief).unwrap_or_default();
        Generation {
            id: self.id,
            status: GenerationStatus::parse(&self.status).unwrap_or(GenerationStatus::Failed),
            name: brief.name,
            steps: serde_json::from_value::<Vec<GenerationStep>>(self.steps).unwrap_or_default(),
            error: self.error,
            website_id: self.website_id,
            home_page_id: self.home_page_id,
        }
    }
}

/// The generation as the progress page shows it; `None` when it is not this tenant's.
pub async fn get(tx: &mut Tx, id: Uuid) -> Result<Option<Generation>, AppError> {
    let row = sqlx::query_as::<_, Row>(
        "SELECT g.id, g.status, g.brief, g.steps, g.error, g.website_id,
                (SELECT p.id FROM pages p WHERE p.website_id = g.website_id AND p.is_home LIMIT 1) AS home_page_id
           FROM ai_generations g WHERE g.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(Row::into_generation))
}

/// What the job needs, with the row locked until the transaction ends (so a cancel waits).
#[derive(Debug, Clone)]
pub struct Locked {
    pub status: GenerationStatus,
    pub brief: GenerationBrief,
    pub usage_id: Uuid,
    pub created_by: Option<Uuid>,
}

pub async fn lock(tx: &mut Tx, id: Uuid) -> Result<Option<Locked>, AppError> {
    let row: Option<(String, serde_json::Value, Uuid, Option<Uuid>)> = sqlx::query_as(
        "SELECT status, brief, usage_id, created_by FROM ai_generations WHERE id = $1 FOR UPDATE",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|(status, brief, usage_id, created_by)| Locked {
        status: GenerationStatus::parse(&status).unwrap_or(GenerationStatus::Failed),
        brief: serde_json::from_value(brief).unwrap_or_default(),
        usage_id,
        created_by,
    }))
}

/// Tells the progress streams of generation `id` that it changed (sent on commit).
pub async fn notify(tx: &mut Tx, tenant: Uuid, id: Uuid) -> Result<(), AppError> {
    let event = serde_json::to_value(LiveEvent::Generation(GenerationChanged {
        generation_id: id,
    }))
    .map_err(|_| AppError::Internal)?;
    sqlx::query("SELECT pg_notify($1, json_build_object('t', $2::uuid, 'w', $3::uuid, 'e', $4::json)::text)")
        .bind(CHANNEL)
        .bind(tenant)
        .bind(id)
        .bind(event)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A new run of the job (after a lost lease) starts with no steps.
pub async fn restart(tx: &mut Tx, id: Uuid) -> Result<(), AppError> {
    sqlx::query("UPDATE ai_generations SET steps = '[]'::jsonb, updated_at = now() WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Marks it running (from queued) and records a step.
pub async fn step(tx: &mut Tx, tenant: Uuid, id: Uuid, label: &str) -> Result<(), AppError> {
    let step = serde_json::json!([{ "label": label.chars().take(120).collect::<String>() }]);
    sqlx::query(
        "UPDATE ai_generations SET status = 'running', steps = steps || $2::jsonb, updated_at = now()
          WHERE id = $1 AND status IN ('queued', 'running')",
    )
    .bind(id)
    .bind(step)
    .execute(&mut **tx)
    .await?;
    notify(tx, tenant, id).await
}

/// Ends it: succeeded (with its website), failed (with the error) or cancelled. Returns false
/// when it had already ended.
pub async fn finish(
    tx: &mut Tx,
    tenant: Uuid,
    id: Uuid,
    status: GenerationStatus,
    website: Option<Uuid>,
    error: Option<&str>,
) -> Result<bool, AppError> {
    let n = sqlx::query(
        "UPDATE ai_generations SET status = $2, website_id = $3, error = $4, updated_at = now()
          WHERE id = $1 AND status IN ('queued', 'running')",
    )
    .bind(id)
    .bind(status.as_str())
    .bind(website)
    .bind(error.map(|e| e.chars().take(500).collect::<String>()))
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if n > 0 {
        notify(tx, tenant, id).await?;
    }
    Ok(n > 0)
}
