//! Team page server functions: members, invitations, roles, deactivation (schema reference §5, §16).
//! Every member may see the team; managing it needs `Role::can_manage_team` (owner, admin).

use super::wire::WireJson;
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::model::{parse_invite_role, Email, Role};
use crate::model::{Invitation, TeamOverview};

#[cfg(feature = "ssr")]
const CANNOT_MANAGE: &str = "Only owners and admins can manage the team.";

#[server(endpoint = "team/overview", input = WireJson, output = WireJson)]
pub async fn load_team() -> Result<TeamOverview, AppError> {
    let (m, mut tx) = super::ctx::member_tx(Role::can_view_team, "").await?;
    let members = crate::db::team::members(&mut tx).await?;
    let manage = m.role.can_manage_team();
    let invitations = if manage {
        crate::db::team::invitations(&mut tx).await?
    } else {
        Vec::new()
    };
    let outbox = if manage {
        crate::db::team::outbox(&mut tx).await?
    } else {
        Vec::new()
    };
    let (seats_used, seats_max) = crate::db::team::seats(&mut tx, m.tenant_id).await?;
    tx.commit().await?;
    let email_delivery = super::ctx::state()?.config.email_delivery;
    Ok(TeamOverview {
        email_delivery,
        my_user_id: m.user_id,
        my_role: m.role,
        members,
        invitations,
        outbox,
        seats_used,
        seats_max,
    })
}

#[server(endpoint = "team/invite", input = WireJson, output = WireJson)]
pub async fn invite_member(email: String, role: String) -> Result<Invitation, AppError> {
    let (m, mut tx) = super::ctx::member_tx(Role::can_manage_team, CANNOT_MANAGE).await?;
    let role = parse_invite_role(&role)?;
    let email = Email::parse(&email)?;
    if !m.role.can_grant(role) {
        return Err(AppError::invalid(
            "role",
            "Pick admin, editor, developer or viewer.",
        ));
    }
    let base = super::ctx::link_base()?;
    let by = crate::db::team::Inviter {
        tenant_id: m.tenant_id,
        user_id: m.user_id,
        tenant_name: &m.tenant_name,
        link_base: &base,
    };
    let invitation = crate::db::team::invite(&mut tx, &by, &email, role).await?;
    tx.commit().await?;
    Ok(invitation)
}

#[server(endpoint = "team/resend", input = WireJson, output = WireJson)]
pub async fn resend_invitation(invitation_id: Uuid) -> Result<(), AppError> {
    let (m, mut tx) = super::ctx::member_tx(Role::can_manage_team, CANNOT_MANAGE).await?;
    let base = super::ctx::link_base()?;
    let by = crate::db::team::Inviter {
        tenant_id: m.tenant_id,
        user_id: m.user_id,
        tenant_name: &m.tenant_name,
        link_base: &base,
    };
    crate::db::team::resend(&mut tx, &by, invitation_id).await?;
    tx.commit().await?;
    Ok(())
}

#[server(endpoint = "team/revoke", input = WireJson, output = WireJson)]
pub async fn revoke_invitation(invitation_id: Uuid) -> Result<(), AppError> {
    let (m, mut tx) = super::ctx::member_tx(Role::can_manage_team, CANNOT_MANAGE).await?;
    crate::db::team::revoke(&mut tx, m.tenant_id, m.user_id, invitation_id).await?;
    tx.commit().await?;
    Ok(())
}

#[server(endpoint = "team/role", input = WireJson, output = WireJson)]
pub async fn change_member_role(user_id: Uuid, role: String) -> Result<(), AppError> {
    let (m, mut tx) = super::ctx::member_tx(Role::can_manage_team, CANNOT_MANAGE).await?;
    let to = Role::parse(&role)
        .ok_or_else(|| AppError::invalid("role", "Pick admin, editor, developer or viewer."))?;
    crate::db::team::change_role(&mut tx, m.tenant_id, (m.user_id, m.role), user_id, to).await?;
    tx.commit().await?;
    Ok(())
}

#[server(endpoint = "team/active", input = WireJson, output = WireJson)]
pub async fn set_member_active(user_id: Uuid, active: bool) -> Result<(), AppError> {
    let (m, mut tx) = super::ctx::member_tx(Role::can_manage_team, CANNOT_MANAGE).await?;
    crate::db::team::set_active(&mut tx, m.tenant_id, (m.user_id, m.role), user_id, active).await?;
    tx.commit().await?;
    Ok(())
}
