//! The organisation's settings, first-run checklist, activity and ownership transfer
//! (issue 23 part 2 and 4, migration 0041). Every function runs in the caller's tenant
//! transaction; RLS shows it only its own tenant row.

use chrono::NaiveDate;
use uuid::Uuid;

use super::{audit, Tx};
use crate::error::AppError;
use crate::model::{
    Onboarding, OnboardingItem, Organisation, PendingTransfer, Role, TransferCandidate,
    ValidOrganisation,
};

/// The ownership-transfer link works this long.
pub const TRANSFER_DAYS: i32 = 7;
const TRANSFER: &str = "ownership_transfer";

pub async fn get(tx: &mut Tx, tenant_id: Uuid, role: Role) -> Result<Organisation, AppError> {
    let (name, logo_url, timezone, locale): (String, Option<String>, String, String) =
        sqlx::query_as("SELECT name, logo_url, timezone, locale FROM tenants WHERE id = $1")
            .bind(tenant_id)
            .fetch_one(&mut **tx)
            .await?;
    Ok(Organisation {
        name,
        logo_url,
        timezone,
        locale,
        can_edit: role.can_manage_organisation(),
    })
}

/// The tenant's IANA timezone (`UTC` unless set).
pub async fn timezone(tx: &mut Tx, tenant_id: Uuid) -> Result<String, AppError> {
    Ok(
        sqlx::query_scalar("SELECT timezone FROM tenants WHERE id = $1")
            .bind(tenant_id)
            .fetch_one(&mut **tx)
            .await?,
    )
}

/// Today's date in the tenant's timezone: the last day of its analytics.
pub async fn local_today(tx: &mut Tx, tenant_id: Uuid) -> Result<NaiveDate, AppError> {
    Ok(
        sqlx::query_scalar("SELECT (now() AT TIME ZONE timezone)::date FROM tenants WHERE id = $1")
            .bind(tenant_id)
            .fetch_one(&mut **tx)
            .await?,
    )
}

/// Saves the settings (owners and admins; the caller checked the role). A timezone must be
/// one PostgreSQL knows (`pg_timezone_names`). When it changes, the analytics days that the
/// raw events still cover (the last seven) are rolled up again in the new zone. Audited as
/// `organisation.updated` with the fields that changed.
pub async fn update(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Uuid,
    v: &ValidOrganisation,
) -> Result<(), AppError> {
    let known: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1)")
            .bind(&v.timezone)
            .fetch_one(&mut **tx)
            .await?;
    if !known {
        return Err(AppError::invalid(
            "timezone",
            format!(
                "\"{}\" is not a timezone we know. Use a name such as Europe/Berlin or America/New_York.",
                v.timezone
            ),
        ));
    }
    let (name, logo_url, timezone, locale): (String, Option<String>, String, String) =
        sqlx::query_as(
            "SELECT name, logo_url, timezone, locale FROM tenants WHERE id = $1 FOR UPDATE",
        )
        .bind(tenant_id)
        .fetch_one(&mut **tx)
        .await?;
    let mut changed = serde_json::Map::new();
    if name != v.name {
        changed.insert("name".into(), serde_json::json!([name, v.name]));
    }
    if logo_url != v.logo_url {
        changed.insert("logo_url".into(), serde_json::json!([logo_url, v.logo_url]));
    }
    if timezone != v.timezone {
        changed.insert("timezone".into(), serde_json::json!([timezone, v.timezone]));
    }
    if locale != v.locale {
        changed.insert("locale".into(), serde_json::json!([locale, v.locale]));
    }
    if changed.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "UPDATE tenants SET name = $2, logo_url = $3, timezone = $4, locale = $5 WHERE id = $1",
    )
    .bind(tenant_id)
    .bind(&v.name)
    .bind(&v.logo_url)
    .bind(&v.timezone)
    .bind(&v.locale)
    .execute(&mut **tx)
    .await?;
    if timezone != v.timezone {
        reroll_analytics(tx, tenant_id).await?;
    }
    audit(
        tx,
        tenant_id,
        Some(user_id),
        "organisation.updated",
        ("tenant", tenant_id),
        serde_json::Value::Object(changed),
    )
    .await?;
    Ok(())
}

/// Rolls the analytics days the raw events still fully cover up again in the tenant's
/// (new) timezone: the rows of those days are deleted first, so a day left without events
/// in the new zone does not keep its old numbers.
async fn reroll_analytics(tx: &mut Tx, tenant_id: Uuid) -> Result<(), AppError> {
    let (first, last): (NaiveDate, NaiveDate) = sqlx::query_as(
        r#"SELECT ((now() - interval '7 days') AT TIME ZONE timezone)::date + 1,
                  (now() AT TIME ZONE timezone)::date
             FROM tenants WHERE id = $1"#,
    )
    .bind(tenant_id)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM usage_metrics WHERE tenant_id = $1 AND date >= $2")
        .bind(tenant_id)
        .bind(first)
        .execute(&mut **tx)
        .await?;
    sqlx::query("SELECT analytics_rollup(d::date) FROM generate_series($1::date, $2::date, interval '1 day') d")
        .bind(first)
        .bind(last)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Records activity (`tenants.last_active_at`), at most once per five minutes per tenant so
/// busy teams cost no write per request. Called at log-in and when a session's idle clock
/// moves.
pub async fn touch_active(tx: &mut Tx, tenant_id: Uuid) -> Result<(), AppError> {
    sqlx::query(
        r#"UPDATE tenants SET last_active_at = now()
            WHERE id = $1 AND (last_active_at IS NULL OR last_active_at < now() - interval '5 minutes')"#,
    )
    .bind(tenant_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The dashboard's first-run checklist, each item ticked from the tenant's data; `None` once
/// onboarding is complete. When every item is done it is recorded as complete
/// (`tenants.onboarding_completed`, audited `organisation.onboarding_completed`).
pub async fn onboarding(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Uuid,
    role: Role,
) -> Result<Option<Onboarding>, AppError> {
    let (completed, published, page, invited, domain, first_site): (
        bool,
        bool,
        bool,
        bool,
        bool,
        Option<Uuid>,
    ) = sqlx::query_as(
        r#"SELECT t.onboarding_completed,
                  EXISTS (SELECT 1 FROM deployments),
                  EXISTS (SELECT 1 FROM pages p JOIN websites w ON w.id = p.website_id
                           WHERE NOT p.is_home AND w.deleted_at IS NULL),
                  EXISTS (SELECT 1 FROM team_invitations)
                      OR (SELECT count(*) FROM users) > 1,
                  EXISTS (SELECT 1 FROM websites WHERE custom_domain IS NOT NULL AND deleted_at IS NULL),
                  (SELECT id FROM websites WHERE deleted_at IS NULL ORDER BY created_at LIMIT 1)
             FROM tenants t WHERE t.id = $1"#,
    )
    .bind(tenant_id)
    .fetch_one(&mut **tx)
    .await?;
    if completed {
        return Ok(None);
    }
    if published && page && invited && domain {
        complete(tx, tenant_id, user_id, "all_done").await?;
        return Ok(None);
    }
    let domain_href = first_site.map_or_else(
        || "/dashboard".to_string(),
        |w| format!("/websites/{w}/domain"),
    );
    let item = |key: &str, label: &str, done: bool, href: String| OnboardingItem {
        key: key.into(),
        label: label.into(),
        done,
        href,
    };
    Ok(Some(Onboarding {
        items: vec![
            item(
                "publish",
                "Publish your site",
                published,
                "/dashboard".into(),
            ),
            item("page", "Add a page", page, "/dashboard".into()),
            item("invite", "Invite a teammate", invited, "/team".into()),
            item("domain", "Connect a domain", domain, domain_href),
        ],
        can_dismiss: role == Role::Owner,
    }))
}

/// The owner closes the checklist before finishing it.
pub async fn dismiss_onboarding(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Uuid,
) -> Result<(), AppError> {
    complete(tx, tenant_id, user_id, "dismissed").await
}

async fn complete(tx: &mut Tx, tenant_id: Uuid, user_id: Uuid, how: &str) -> Result<(), AppError> {
    let changed = sqlx::query(
        "UPDATE tenants SET onboarding_completed = true WHERE id = $1 AND NOT onboarding_completed",
    )
    .bind(tenant_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if changed > 0 {
        audit(
            tx,
            tenant_id,
            Some(user_id),
            "organisation.onboarding_completed",
            ("tenant", tenant_id),
            serde_json::json!({ "how": how }),
        )
        .await?;
    }
    Ok(())
}

/// The admins the owner may hand the organisation to: `(user id, label)`.
pub async fn transfer_candidates(tx: &mut Tx) -> Result<Vec<TransferCandidate>, AppError> {
    let rows: Vec<(Uuid, String, Option<String>)> = sqlx::query_as(
        "SELECT id, email, full_name FROM users WHERE role = 'admin' AND is_active ORDER BY email",
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(user_id, email, name)| TransferCandidate {
            user_id,
            label: match name.filter(|n| !n.trim().is_empty()) {
                Some(n) => format!("{n} ({email})"),
                None => email,
            },
        })
        .collect())
}

/// The transfer waiting for its confirmation, if any.
pub async fn pending_transfer(tx: &mut Tx) -> Result<Option<PendingTransfer>, AppError> {
    let row: Option<(Uuid, String, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
        r#"SELECT user_id, email, expires_at FROM user_tokens
            WHERE purpose = 'ownership_transfer' AND used_at IS NULL AND expires_at > now()
            ORDER BY created_at DESC LIMIT 1"#,
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(
        row.map(|(to_user_id, to_email, expires_at)| PendingTransfer {
            to_user_id,
            to_email,
            expires_at,
        }),
    )
}

/// The owner asks to hand the organisation to admin `to`: earlier pending transfers end, a
/// one-time link (only its SHA-256 stored) is emailed to the admin, audited
/// `organisation.transfer_requested`. Returns the link's token (tests).
pub async fn start_transfer(
    tx: &mut Tx,
    tenant_id: Uuid,
    owner_id: Uuid,
    owner_label: &str,
    to: Uuid,
    link_base: &str,
) -> Result<String, AppError> {
    let target: Option<(String, String, bool)> =
        sqlx::query_as("SELECT email, role, is_active FROM users WHERE id = $1")
            .bind(to)
            .fetch_optional(&mut **tx)
            .await?;
    let Some((email, role, active)) = target else {
        return Err(AppError::NotFound(
            "That member is not on your team.".into(),
        ));
    };
    if role != "admin" || !active {
        return Err(AppError::invalid(
            "to_user_id",
            "Ownership can only go to an active admin. Make them an admin on the team page first.",
        ));
    }
    sqlx::query("DELETE FROM user_tokens WHERE purpose = 'ownership_transfer' AND used_at IS NULL")
        .execute(&mut **tx)
        .await?;
    let (token, hash) = super::accounts::new_session_token();
    sqlx::query(
        r#"INSERT INTO user_tokens (token_hash, tenant_id, user_id, purpose, email, expires_at, issued_by)
           VALUES ($1, $2, $3, $4, $5, now() + make_interval(days => $6), $7)"#,
    )
    .bind(&hash)
    .bind(tenant_id)
    .bind(to)
    .bind(TRANSFER)
    .bind(&email)
    .bind(TRANSFER_DAYS)
    .bind(owner_id)
    .execute(&mut **tx)
    .await?;
    let tenant_name: String = sqlx::query_scalar("SELECT name FROM tenants WHERE id = $1")
        .bind(tenant_id)
        .fetch_one(&mut **tx)
        .await?;
    let link = format!("{link_base}/settings?transfer={token}");
    super::mail::queue(
        tx,
        tenant_id,
        &super::mail::Envelope {
            kind: TRANSFER,
            to: &email,
            link: None,
            unsubscribe_url: None,
            secret: true,
            invitation_id: None,
        },
        &crate::mail::ownership_transfer(&tenant_name, owner_label, &link),
    )
    .await?;
    audit(
        tx,
        tenant_id,
        Some(owner_id),
        "organisation.transfer_requested",
        ("user", to),
        serde_json::json!({ "to": email }),
    )
    .await?;
    Ok(token)
}

/// The owner withdraws a pending transfer (nothing pending is fine).
pub async fn cancel_transfer(tx: &mut Tx, tenant_id: Uuid, owner_id: Uuid) -> Result<(), AppError> {
    let ended = sqlx::query(
        "DELETE FROM user_tokens WHERE purpose = 'ownership_transfer' AND used_at IS NULL",
    )
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if ended > 0 {
        audit(
            tx,
            tenant_id,
            Some(owner_id),
            "organisation.transfer_cancelled",
            ("tenant", tenant_id),
            serde_json::json!({}),
        )
        .await?;
    }
    Ok(())
}

/// The admin named in the link confirms: in this one transaction, under the tenant row's
/// lock (so concurrent confirmations run one after the other), the owner who asked becomes
/// an admin and the confirming admin the owner. Refused when the link is not the caller's,
/// used, expired or withdrawn, or when whoever asked is no longer the owner. The unique
/// index `users_one_owner_per_tenant` keeps one owner whatever happens.
pub async fn confirm_transfer(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Uuid,
    token: &str,
) -> Result<(), AppError> {
    let stale = || {
        AppError::invalid(
            "token",
            "This ownership link is no longer valid: it was used, withdrawn or has expired. Ask the owner to send a new one.",
        )
    };
    let well_formed = token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit());
    if !well_formed {
        return Err(stale());
    }
    sqlx::query("SELECT 1 FROM tenants WHERE id = $1 FOR UPDATE")
        .bind(tenant_id)
        .execute(&mut **tx)
        .await?;
    let row: Option<(Uuid, Option<Uuid>, bool)> = sqlx::query_as(
        r#"SELECT user_id, issued_by, used_at IS NULL AND expires_at > now()
             FROM user_tokens WHERE token_hash = $1 AND purpose = 'ownership_transfer' FOR UPDATE"#,
    )
    .bind(super::accounts::session_id(token))
    .fetch_optional(&mut **tx)
    .await?;
    let Some((to, Some(from), live)) = row else {
        return Err(stale());
    };
    if !live {
        return Err(stale());
    }
    if to != user_id {
        return Err(AppError::forbidden(
            "This ownership link was sent to another member. Log in as that member to confirm it.",
        ));
    }
    let from_is_owner: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 AND role = 'owner')")
            .bind(from)
            .fetch_one(&mut **tx)
            .await?;
    let to_is_admin: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM users WHERE id = $1 AND role = 'admin' AND is_active)",
    )
    .bind(to)
    .fetch_one(&mut **tx)
    .await?;
    if !from_is_owner || !to_is_admin {
        return Err(stale());
    }
    // Demote first: the unique index allows one owner at every moment.
    sqlx::query("UPDATE users SET role = 'admin' WHERE id = $1")
        .bind(from)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE users SET role = 'owner' WHERE id = $1")
        .bind(to)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        r#"UPDATE user_tokens SET used_at = now()
            WHERE purpose = 'ownership_transfer' AND used_at IS NULL"#,
    )
    .execute(&mut **tx)
    .await?;
    audit(
        tx,
        tenant_id,
        Some(user_id),
        "organisation.ownership_transferred",
        ("user", to),
        serde_json::json!({ "from": from, "to": to }),
    )
    .await?;
    Ok(())
}

/// `at` in the tenant's timezone (`tenants.timezone`), as `YYYY-MM-DD HH:MM` (`with_time`) or
/// `YYYY-MM-DD`, followed by the zone's name: how emails show times (schema reference §4
/// timezone). PostgreSQL does the conversion, with the zone names it knows.
pub async fn local_time(
    tx: &mut Tx,
    at: chrono::DateTime<chrono::Utc>,
    with_time: bool,
) -> Result<String, AppError> {
    let pattern = if with_time {
        "YYYY-MM-DD HH24:MI"
    } else {
        "YYYY-MM-DD"
    };
    Ok(sqlx::query_scalar(
        "SELECT to_char($1 AT TIME ZONE timezone, $2) || ' (' || timezone || ')' FROM tenants WHERE id = app_current_tenant()",
    )
    .bind(at)
    .bind(pattern)
    .fetch_one(&mut **tx)
    .await?)
}
