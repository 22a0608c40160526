//! A member's own profile, password and preferences (schema reference §5, §18).

use uuid::Uuid;

use super::accounts::{hash_password, try_verify_password};
use super::{audit, Tx};
use crate::error::AppError;
use crate::model::{parse_avatar_url, parse_name, Password, Preferences, UserSettings};

pub async fn get(tx: &mut Tx, user_id: Uuid) -> Result<UserSettings, AppError> {
    let (email, full_name, avatar_url, prefs): (
        String,
        Option<String>,
        Option<String>,
        serde_json::Value,
    ) = sqlx::query_as("SELECT email, full_name, avatar_url, preferences FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(&mut **tx)
        .await?;
    // A preferences document that no longer parses falls back to the defaults rather than
    // locking the member out of their settings.
    let preferences = serde_json::from_value(prefs).unwrap_or_default();
    Ok(UserSettings {
        email,
        full_name,
        avatar_url,
        preferences,
    })
}

pub async fn update_profile(
    tx: &mut Tx,
    user_id: Uuid,
    full_name: &str,
    avatar_url: &str,
) -> Result<(), AppError> {
    let name = parse_name("full_name", "your name", full_name, 1, 100)?;
    let avatar = parse_avatar_url(avatar_url)?;
    sqlx::query("UPDATE users SET full_name = $2, avatar_url = $3 WHERE id = $1")
        .bind(user_id)
        .bind(name)
        .bind(avatar)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Checks the current password, stores the new one and ends every other session of the user.
pub async fn change_password(
    tx: &mut Tx,
    tenant_id: Uuid,
    user_id: Uuid,
    keep_session: &str,
    current: &str,
    new: &str,
) -> Result<(), AppError> {
    if current.is_empty() {
        return Err(AppError::invalid(
            "current_password",
            "Enter your current password.",
        ));
    }
    let new = Password::parse(new).map_err(|e| match e {
        AppError::Invalid { message, .. } => AppError::invalid("new_password", message),
        other => other,
    })?;
    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1 FOR UPDATE")
            .bind(user_id)
            .fetch_one(&mut **tx)
            .await?;
    if !try_verify_password(current.to_string(), Some(hash)).await? {
        return Err(AppError::invalid(
            "current_password",
            "Your current password is not right.",
        ));
    }
    let new_hash = hash_password(new.expose().to_string()).await?;
    sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(user_id)
        .bind(new_hash)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
        .bind(user_id)
        .bind(keep_session)
        .execute(&mut **tx)
        .await?;
    audit(
        tx,
        tenant_id,
        Some(user_id),
        "user.password_changed",
        ("user", user_id),
        serde_json::json!({}),
    )
    .await?;
    Ok(())
}

pub async fn set_preferences(
    tx: &mut Tx,
    user_id: Uuid,
    prefs: &Preferences,
) -> Result<(), AppError> {
    prefs.check()?;
    if let Some(site) = prefs.default_website_id {
        // Only one of the tenant's own, live websites (RLS hides the others).
        let found: Option<Uuid> = sqlx::query_scalar(
            "SELECT id FROM websites WHERE id = $1 AND deleted_at IS NULL AND status <> 'archived'",
        )
        .bind(site)
        .fetch_optional(&mut **tx)
        .await?;
        if found.is_none() {
            return Err(AppError::invalid(
                "default_website_id",
                "Choose one of your websites, or the dashboard.",
            ));
        }
    }
    let value = serde_json::to_value(prefs).map_err(|_| AppError::Internal)?;
    sqlx::query("UPDATE users SET preferences = $2 WHERE id = $1")
        .bind(user_id)
        .bind(value)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Where the member lands after logging in: the home page of their `default_website_id` in the
/// builder, when it names one of the tenant's websites that is neither deleted nor archived.
pub async fn login_landing(tx: &mut Tx, user_id: Uuid) -> Result<Option<Uuid>, AppError> {
    let prefs: serde_json::Value =
        sqlx::query_scalar("SELECT preferences FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&mut **tx)
            .await?;
    let Some(site) = serde_json::from_value::<Preferences>(prefs)
        .ok()
        .and_then(|p| p.default_website_id)
    else {
        return Ok(None);
    };
    Ok(sqlx::query_scalar(
        r#"SELECT p.id FROM pages p JOIN websites w ON w.id = p.website_id
           WHERE w.id = $1 AND p.is_home AND w.deleted_at IS NULL AND w.status <> 'archived'"#,
    )
    .bind(site)
    .fetch_optional(&mut **tx)
    .await?)
}
