//! Realtime (issue 21 part 5): the builder's presence heartbeat, and the checks behind the
//! event stream `GET /events` (served by `server/src/realtime.rs`). Every member of the tenant
//! may follow a website they can see (viewers included: schema reference §5, "can view
//! websites"); the stream only ever carries events of the caller's own tenant.

use super::wire::WireJson;
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::PagePresence;

/// The builder tab `tab` has `page_id` open, with `selected` selected. Answers (and tells every
/// open builder of the page) who has it open now. Sent on opening, on every selection change
/// and every `PRESENCE_HEARTBEAT_SECS`.
#[server(endpoint = "builder/presence", input = WireJson, output = WireJson)]
pub async fn presence_heartbeat(
    page_id: Uuid,
    tab: Uuid,
    selected: Option<Uuid>,
    stream: Option<Uuid>,
) -> Result<PagePresence, AppError> {
    let (member, mut tx) = super::ctx::member_tx(|_| true, "").await?;
    let list = crate::db::realtime::heartbeat(
        &mut tx,
        member.tenant_id,
        member.user_id,
        page_id,
        tab,
        selected,
        stream,
    )
    .await?;
    tx.commit().await?;
    Ok(list)
}

/// What one event stream may carry: events of `tenant_id` about `website_id` (with
/// `page_id`'s page events), or, without a website, every website's deploy status (the
/// dashboard).
#[cfg(feature = "ssr")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subscription {
    pub tenant_id: Uuid,
    pub user_id: Uuid,
    pub website_id: Option<Uuid>,
    pub page_id: Option<Uuid>,
}

/// Checks that the caller is a signed-in member who can see the website (and the page, which
/// must belong to it), and what their stream may carry.
#[cfg(feature = "ssr")]
pub async fn subscribe_for(
    pool: &sqlx::PgPool,
    caller: &super::ctx::Caller,
    website_id: Option<Uuid>,
    page_id: Option<Uuid>,
) -> Result<Subscription, AppError> {
    let member = caller.member()?.ok_or(AppError::Unauthorized)?;
    let mut tx = crate::db::tenant_tx(pool, member.tenant_id).await?;
    let website_id = match (website_id, page_id) {
        (w, Some(page)) => {
            let of_page = crate::db::realtime::page_website(&mut tx, page)
                .await?
                .ok_or_else(|| AppError::NotFound("Page".into()))?;
            if w.is_some_and(|w| w != of_page) {
                return Err(AppError::NotFound("Page".into()));
            }
            Some(of_page)
        }
        (Some(w), None) => {
            if !crate::db::realtime::website_exists(&mut tx, w).await? {
                return Err(AppError::NotFound("Website".into()));
            }
            Some(w)
        }
        (None, None) => None,
    };
    tx.commit().await?;
    Ok(Subscription {
        tenant_id: member.tenant_id,
        user_id: member.user_id,
        website_id,
        page_id,
    })
}

/// The event stream `stream` of builder tab `tab` ended: it no longer has the page open
/// (unless it reconnected on another stream meanwhile).
#[cfg(feature = "ssr")]
pub async fn leave(
    pool: &sqlx::PgPool,
    sub: Subscription,
    tab: Uuid,
    stream: Uuid,
) -> Result<(), AppError> {
    let Some(page_id) = sub.page_id else {
        return Ok(());
    };
    let mut tx = crate::db::tenant_tx(pool, sub.tenant_id).await?;
    crate::db::realtime::leave(&mut tx, sub.tenant_id, sub.user_id, page_id, tab, stream).await?;
    tx.commit().await?;
    Ok(())
}
