//! Website templates (issue 20 §1): creating a website from a built-in or private template
//! through the backup import, and a tenant's private templates (`site_templates`, migration
//! 0034), each the export document of one of its websites.

use sqlx::FromRow;
use uuid::Uuid;

use super::{audit, backup, Tx};
use crate::error::AppError;
use crate::model::{
    template_summary, BuiltinTemplate, SiteBackup, TemplateSummary, ValidSite,
    PRIVATE_TEMPLATES_MAX,
};

/// Which template a new website starts from.
#[derive(Clone, Copy)]
pub enum TemplateRef<'a> {
    Builtin(&'static BuiltinTemplate),
    Private(Uuid),
    /// Neither a built-in key nor an id: answered as not found.
    Unknown(&'a str),
}

impl<'a> TemplateRef<'a> {
    /// A gallery key: a built-in template's name, or a private template's id.
    pub fn parse(key: &'a str) -> Self {
        let key = key.trim();
        if let Some(t) = BuiltinTemplate::find(key) {
            Self::Builtin(t)
        } else if let Ok(id) = Uuid::parse_str(key) {
            Self::Private(id)
        } else {
            Self::Unknown(key)
        }
    }
}

fn not_found() -> AppError {
    AppError::NotFound("Template".into())
}

/// The checked document of `template`. A private template of another tenant is not found
/// (RLS hides it).
pub async fn site_of(tx: &mut Tx, template: TemplateRef<'_>) -> Result<ValidSite, AppError> {
    match template {
        TemplateRef::Builtin(t) => t.site(),
        TemplateRef::Private(id) => {
            let doc: Option<serde_json::Value> =
                sqlx::query_scalar("SELECT document FROM site_templates WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut **tx)
                    .await?;
            SiteBackup::parse_value(doc.ok_or_else(not_found)?)
        }
        TemplateRef::Unknown(_) => Err(not_found()),
    }
}

/// Creates a draft website at `subdomain` from `template`, named `name` (blank: the
/// template's name), through [`backup::import`]: the plan's website and page limits, every
/// validator, one transaction (the caller's). Records the template in `websites.template_id`
/// and audits `website.created_from_template`.
pub async fn create_site(
    tx: &mut Tx,
    tenant: Uuid,
    user: Uuid,
    template: TemplateRef<'_>,
    name: Option<String>,
    subdomain: &str,
) -> Result<Uuid, AppError> {
    let mut site = site_of(tx, template).await?;
    if let Some(name) = name {
        site.name = name;
    }
    let website = backup::import(tx, tenant, user, &site, subdomain).await?;
    let key = match template {
        TemplateRef::Builtin(t) => t.key.to_string(),
        TemplateRef::Private(id) => id.to_string(),
        TemplateRef::Unknown(k) => k.to_string(),
    };
    sqlx::query("UPDATE websites SET template_id = $2 WHERE id = $1")
        .bind(website)
        .bind(&key)
        .execute(&mut **tx)
        .await?;
    audit(
        tx,
        tenant,
        Some(user),
        "website.created_from_template",
        ("website", website),
        serde_json::json!({ "template": key, "subdomain": subdomain }),
    )
    .await?;
    Ok(website)
}

#[derive(FromRow)]
struct Row {
    id: Uuid,
    document: serde_json::Value,
}

/// The tenant's private templates, newest first, as gallery cards. A stored document that no
/// longer passes the validators is left out rather than failing the whole gallery.
pub async fn list_private(tx: &mut Tx) -> Result<Vec<TemplateSummary>, AppError> {
    let rows = sqlx::query_as::<_, Row>(
        "SELECT id, document FROM site_templates ORDER BY created_at DESC, id",
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let site = SiteBackup::parse_value(r.document).ok()?;
            Some(template_summary(
                r.id.to_string(),
                "Your template".into(),
                &site,
                true,
            ))
        })
        .collect())
}

/// Saves website `website`'s current draft as a private template named `name` (already
/// checked). At most [`PRIVATE_TEMPLATES_MAX`] per tenant. Audited as `template.saved`.
pub async fn save_private(
    tx: &mut Tx,
    tenant: Uuid,
    user: Uuid,
    website: Uuid,
    name: &str,
) -> Result<Uuid, AppError> {
    // Serialises concurrent saves of one tenant, so the cap holds with several instances.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('site_templates'), hashtext($1::text))")
        .bind(tenant)
        .execute(&mut **tx)
        .await?;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM site_templates")
        .fetch_one(&mut **tx)
        .await?;
    if count >= PRIVATE_TEMPLATES_MAX {
        return Err(AppError::invalid(
            "name",
            format!(
                "Your team already has {PRIVATE_TEMPLATES_MAX} templates, the most it can keep. Delete one first."
            ),
        ));
    }
    let mut doc = backup::export(tx, website).await?;
    // The template carries its own name: the gallery shows it, and a site made from it
    // starts with it.
    doc.website.name = name.to_string();
    let json = serde_json::to_value(&doc).map_err(|_| AppError::Internal)?;
    let size = serde_json::to_string(&doc).map_or(0, |s| s.len());
    // What is stored must create a website again: the same checks as an import.
    SiteBackup::parse_value(json.clone())?;
    let id: Uuid = sqlx::query_scalar(
        r#"INSERT INTO site_templates (tenant_id, name, document, version, size_bytes, created_by)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"#,
    )
    .bind(tenant)
    .bind(name)
    .bind(&json)
    .bind(doc.version as i32)
    .bind(size.min(i32::MAX as usize) as i32)
    .bind(user)
    .fetch_one(&mut **tx)
    .await?;
    audit(
        tx,
        tenant,
        Some(user),
        "template.saved",
        ("template", id),
        serde_json::json!({ "website": website, "name": name, "pages": doc.pages.len() }),
    )
    .await?;
    Ok(id)
}

/// Deletes one of the tenant's private templates; `NotFound` for any other id. Websites
/// made from it are unaffected. Audited as `template.deleted`.
pub async fn delete_private(
    tx: &mut Tx,
    tenant: Uuid,
    user: Uuid,
    id: Uuid,
) -> Result<(), AppError> {
    let name: Option<String> =
        sqlx::query_scalar("DELETE FROM site_templates WHERE id = $1 RETURNING name")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
    let name = name.ok_or_else(not_found)?;
    audit(
        tx,
        tenant,
        Some(user),
        "template.deleted",
        ("template", id),
        serde_json::json!({ "name": name }),
    )
    .await
}
