//! The audit log page (owners and admins, `Role::can_view_audit`).

use super::wire::WireJson;
use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{AuditFilter, AuditPage};

#[server(endpoint = "audit/list", input = WireJson, output = WireJson)]
pub async fn list_audit(filter: AuditFilter) -> Result<AuditPage, AppError> {
    use crate::model::Role;
    let (_, mut tx) = super::ctx::member_tx(
        Role::can_view_audit,
        "Only owners and admins can read the audit log.",
    )
    .await?;
    let page = crate::db::audit_log::list(&mut tx, &filter).await?;
    tx.commit().await?;
    Ok(page)
}
