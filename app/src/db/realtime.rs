//! Realtime notifications (issue 21 part 5): `pg_notify('sitepilot_live', …)` inside the
//! writing transaction, so an event is delivered exactly when (and only if) its write commits,
//! to every server instance (each LISTENs once, `server/src/realtime.rs`), and the presence
//! rows (migration 0038).
//!
//! The payload is `{"t": tenant, "w": website, "e": event}`, where `e` is a
//! [`LiveEvent`] as JSON; instances hand `e` to the event streams of that tenant's website only.
//! NOTIFY payloads are limited to 8,000 bytes: events stay small (ids, a name, a short message,
//! at most [`PRESENCE_MAX`] people).

use sqlx::PgPool;
use uuid::Uuid;

use super::{tenant_tx, Tx};
use crate::error::AppError;
use crate::model::{
    initials, DeployAction, DeployPhase, LiveEvent, PageChanged, PagePresence, Present,
    PRESENCE_MAX, PRESENCE_TTL_SECS,
};

/// The notification channel of realtime events.
pub const CHANNEL: &str = "sitepilot_live";

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, AppError> {
    serde_json::to_string(v).map_err(|_| AppError::Internal)
}

/// A page's content was saved (same transaction as the save): `revision` is the page's new
/// revision, `by` the member who saved, `component` the block it touched.
pub async fn page_changed(
    tx: &mut Tx,
    tenant_id: Uuid,
    page_id: Uuid,
    revision: i64,
    by: Uuid,
    component_id: Option<Uuid>,
) -> Result<(), AppError> {
    let event = to_json(&LiveEvent::Page(PageChanged {
        page_id,
        revision,
        by,
        component_id,
    }))?;
    sqlx::query(
        r#"SELECT pg_notify($1, json_build_object('t', $2::uuid, 'w', website_id, 'e', $3::json)::text)
             FROM pages WHERE id = $4"#,
    )
    .bind(CHANNEL)
    .bind(tenant_id)
    .bind(event)
    .bind(page_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A publish or rollback of `website_id` reached `phase` (same transaction as the write for
/// `Succeeded`; see [`deploy_now`] for the others).
pub async fn deploy(
    tx: &mut Tx,
    tenant_id: Uuid,
    website_id: Uuid,
    action: DeployAction,
    phase: DeployPhase,
    deployment_id: Option<Uuid>,
    message: Option<&str>,
) -> Result<(), AppError> {
    sqlx::query(
        r#"SELECT pg_notify($1, json_build_object('t', $2::uuid, 'w', id, 'e', json_build_object(
                    'kind', 'deploy', 'website_id', id, 'website_name', name,
                    'action', $3::text, 'phase', $4::text,
                    'deployment_id', $5::uuid, 'message', left($6::text, 500)))::text)
             FROM websites WHERE id = $7"#,
    )
    .bind(CHANNEL)
    .bind(tenant_id)
    .bind(match action {
        DeployAction::Publish => "publish",
        DeployAction::Rollback => "rollback",
    })
    .bind(match phase {
        DeployPhase::Started => "started",
        DeployPhase::Succeeded => "succeeded",
        DeployPhase::Failed => "failed",
    })
    .bind(deployment_id)
    .bind(message)
    .bind(website_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// [`deploy`] in a transaction of its own, sent at once: "started" before the publishing
/// transaction commits, "failed" after it rolled back (nothing was written to go with it).
pub async fn deploy_now(
    pool: &PgPool,
    tenant_id: Uuid,
    website_id: Uuid,
    action: DeployAction,
    phase: DeployPhase,
    message: Option<&str>,
) -> Result<(), AppError> {
    let mut tx = tenant_tx(pool, tenant_id).await?;
    deploy(&mut tx, tenant_id, website_id, action, phase, None, message).await?;
    tx.commit().await?;
    Ok(())
}

/// The website a page belongs to (`None`: no such page in this tenant).
pub async fn page_website(tx: &mut Tx, page_id: Uuid) -> Result<Option<Uuid>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT website_id FROM pages WHERE id = $1")
            .bind(page_id)
            .fetch_optional(&mut **tx)
            .await?,
    )
}

/// Whether the website exists in this tenant.
pub async fn website_exists(tx: &mut Tx, website_id: Uuid) -> Result<bool, AppError> {
    Ok(
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM websites WHERE id = $1)")
            .bind(website_id)
            .fetch_one(&mut **tx)
            .await?,
    )
}

/// A presence row: tab, user, full name, email, selected block.
type PresenceRow = (Uuid, Uuid, Option<String>, String, Option<Uuid>);

/// Who has the page open now (unexpired rows), by name.
pub async fn presence(tx: &mut Tx, page_id: Uuid) -> Result<PagePresence, AppError> {
    let rows: Vec<PresenceRow> = sqlx::query_as(
        r#"SELECT p.tab_id, p.user_id, u.full_name, u.email, p.selected
             FROM page_presence p JOIN users u ON u.id = p.user_id
            WHERE p.page_id = $1 AND p.expires_at > now()
            ORDER BY u.full_name NULLS LAST, p.tab_id
            LIMIT $2"#,
    )
    .bind(page_id)
    .bind(PRESENCE_MAX)
    .fetch_all(&mut **tx)
    .await?;
    Ok(PagePresence {
        page_id,
        people: rows
            .into_iter()
            .map(|(tab, user_id, full_name, email, selected)| {
                let name = full_name
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or_else(|| email.split('@').next().unwrap_or("").to_string());
                Present {
                    tab,
                    user_id,
                    initials: initials(&name),
                    name,
                    selected,
                }
            })
            .collect(),
    })
}

/// Tells every instance who has the page open now (the list itself, read in this transaction).
async fn notify_presence(
    tx: &mut Tx,
    tenant_id: Uuid,
    website_id: Uuid,
    list: &PagePresence,
) -> Result<(), AppError> {
    let payload = to_json(&serde_json::json!({
        "t": tenant_id,
        "w": website_id,
        "e": LiveEvent::Presence(list.clone()),
    }))?;
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(payload)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A builder tab's heartbeat: it has `page_id` open with `selected` selected, for the next
/// [`PRESENCE_TTL_SECS`]. Expired rows of the page are dropped, and everybody is told the new
/// list.
pub async fn heartbeat(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Uuid,
    page_id: Uuid,
    tab: Uuid,
    selected: Option<Uuid>,
    stream: Option<Uuid>,
) -> Result<PagePresence, AppError> {
    let website_id = page_website(tx, page_id)
        .await?
        .ok_or_else(|| AppError::NotFound("Page".into()))?;
    sqlx::query("DELETE FROM page_presence WHERE page_id = $1 AND expires_at <= now()")
        .bind(page_id)
        .execute(&mut **tx)
        .await?;
    // A tab id belongs to whoever first used it: another member's tab id is not taken over.
    sqlx::query(
        r#"INSERT INTO page_presence
               (tenant_id, page_id, tab_id, user_id, selected, stream_id, expires_at)
           VALUES ($1, $2, $3, $4, $5, $7, now() + make_interval(secs => $6))
           ON CONFLICT ON CONSTRAINT page_presence_pkey DO UPDATE
              SET selected = EXCLUDED.selected, expires_at = EXCLUDED.expires_at,
                  stream_id = COALESCE(EXCLUDED.stream_id, page_presence.stream_id)
            WHERE page_presence.user_id = EXCLUDED.user_id"#,
    )
    .bind(tenant_id)
    .bind(page_id)
    .bind(tab)
    .bind(user_id)
    .bind(selected)
    .bind(PRESENCE_TTL_SECS as f64)
    .bind(stream)
    .execute(&mut **tx)
    .await?;
    let list = presence(tx, page_id).await?;
    notify_presence(tx, tenant_id, website_id, &list).await?;
    Ok(list)
}

/// The event stream `stream` of a tab ended: the tab's row goes (unless the tab reported a
/// newer stream since), and everybody is told.
pub async fn leave(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Uuid,
    page_id: Uuid,
    tab: Uuid,
    stream: Uuid,
) -> Result<(), AppError> {
    let gone = sqlx::query(
        r#"DELETE FROM page_presence
            WHERE page_id = $1 AND tab_id = $2 AND user_id = $3 AND stream_id = $4"#,
    )
    .bind(page_id)
    .bind(tab)
    .bind(user_id)
    .bind(stream)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if gone == 0 {
        return Ok(());
    }
    let Some(website_id) = page_website(tx, page_id).await? else {
        return Ok(());
    };
    let list = presence(tx, page_id).await?;
    notify_presence(tx, tenant_id, website_id, &list).await
}
