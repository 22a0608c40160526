//! The template gallery (issue 20 §1): list the built-in and the team's own templates, create
//! a website from one (the backup import: same validators, plan limits, one transaction),
//! save a website as a private template and delete one. The previews are the server route
//! `/preview/templates/{key}/…` (`server/src/preview.rs`), drawn by the visitor renderer.

use super::wire::WireJson;
use leptos::prelude::*;
use uuid::Uuid;

use crate::error::AppError;
use crate::model::TemplateGallery;

#[cfg(feature = "ssr")]
const CANNOT_MANAGE: &str =
    "Only owners, admins and editors can save or delete the team's templates.";

/// The gallery: every built-in template and the tenant's own. Every member may look.
#[server(endpoint = "templates/list", output = WireJson)]
pub async fn list_templates() -> Result<TemplateGallery, AppError> {
    let (_, mut tx) = super::ctx::member_tx(|_| true, "").await?;
    let own = crate::db::templates::list_private(&mut tx).await?;
    tx.commit().await?;
    let builtin = crate::model::BUILTIN_TEMPLATES
        .iter()
        .map(|t| t.summary())
        .collect::<Result<Vec<_>, _>>()?;
    Ok(TemplateGallery { builtin, own })
}

/// Creates a draft website at `subdomain` from the template `template` (a built-in key or the
/// id of one of the team's templates), named `name` (blank: the template's name). Refused
/// past the plan's website or page limits (`LimitReached`), like any new website.
#[server(endpoint = "templates/create_site", input = WireJson, output = WireJson)]
pub async fn create_from_template(
    template: String,
    name: String,
    subdomain: String,
) -> Result<Uuid, AppError> {
    let (member, mut tx) = super::ctx::member_tx(
        crate::model::Role::can_edit_content,
        "Viewers cannot create websites. Ask the owner or an admin for editor access.",
    )
    .await?;
    let subdomain = crate::model::parse_subdomain(&subdomain)?;
    let name = if name.trim().is_empty() {
        None
    } else {
        Some(crate::model::parse_name(
            "name",
            "the website's name",
            &name,
            2,
            80,
        )?)
    };
    let template = crate::db::templates::TemplateRef::parse(&template);
    let id = crate::db::templates::create_site(
        &mut tx,
        member.tenant_id,
        member.user_id,
        template,
        name,
        &subdomain,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Saves website `website_id`'s current draft as a private template named `name`, shown to
/// the whole team under "Your templates".
#[server(endpoint = "templates/save", input = WireJson, output = WireJson)]
pub async fn save_template(website_id: Uuid, name: String) -> Result<Uuid, AppError> {
    let (member, mut tx) =
        super::ctx::member_tx(crate::model::Role::can_manage_templates, CANNOT_MANAGE).await?;
    let name = crate::model::parse_name(
        "name",
        "the template's name",
        &name,
        2,
        crate::model::TEMPLATE_NAME_MAX,
    )?;
    let id = crate::db::templates::save_private(
        &mut tx,
        member.tenant_id,
        member.user_id,
        website_id,
        &name,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Deletes one of the team's templates. Websites made from it stay as they are.
#[server(endpoint = "templates/delete", input = WireJson, output = WireJson)]
pub async fn delete_template(template_id: Uuid) -> Result<(), AppError> {
    let (member, mut tx) =
        super::ctx::member_tx(crate::model::Role::can_manage_templates, CANNOT_MANAGE).await?;
    crate::db::templates::delete_private(&mut tx, member.tenant_id, member.user_id, template_id)
        .await?;
    tx.commit().await?;
    Ok(())
}
