//! The operations behind the server functions that the REST API (`server::api_v1`) offers too,
//! written once: the role check, the validation and the `db` calls, in the caller's tenant
//! transaction. A server function gets its [`Actor`] from the session, an API request from its
//! key (the creator's current role); both then run the same code, so there is one rule path.

use uuid::Uuid;

use crate::db::{self, Tx};
use crate::error::AppError;
use crate::model::{
    AssetLibrary, AssetQuery, BlockProps, ComponentMoved, DeployAction, DeployPhase, NavMove,
    NewBlock, PageCreated, PagePatch, PagesOverview, Published, Role, RolledBack, SaveAck,
};

pub const CANNOT_EDIT: &str =
    "Viewers cannot change pages. Ask an owner or admin for editor access.";
pub const CANNOT_PUBLISH: &str =
    "Only owners, admins and developers can publish. Ask one of them to publish your changes.";
pub const CANNOT_ROLL_BACK: &str =
    "Only owners, admins and developers can roll back. Ask one of them to change the live version.";

/// Who acts: a signed-in member, or the member who made an API key.
#[derive(Debug, Clone)]
pub struct Actor {
    pub tenant_id: Uuid,
    pub user_id: Uuid,
    pub role: Role,
    /// Known for a session; looked up when needed for an API key.
    pub email: Option<String>,
}

impl From<&db::accounts::Member> for Actor {
    fn from(m: &db::accounts::Member) -> Self {
        Self {
            tenant_id: m.tenant_id,
            user_id: m.user_id,
            role: m.role,
            email: Some(m.email.clone()),
        }
    }
}

impl From<&db::api_keys::ApiCaller> for Actor {
    fn from(c: &db::api_keys::ApiCaller) -> Self {
        Self {
            tenant_id: c.tenant_id,
            user_id: c.user_id,
            role: c.role,
            email: None,
        }
    }
}

impl Actor {
    /// `Forbidden` with `denied` unless the role allows it.
    pub fn allow(&self, allowed: fn(Role) -> bool, denied: &str) -> Result<(), AppError> {
        if allowed(self.role) {
            Ok(())
        } else {
            Err(AppError::forbidden(denied))
        }
    }
}

pub async fn create_page(
    tx: &mut Tx,
    a: &Actor,
    website_id: Uuid,
    title: &str,
    slug: &str,
) -> Result<PageCreated, AppError> {
    a.allow(Role::can_edit_content, CANNOT_EDIT)?;
    let id = db::pages::create(tx, a.tenant_id, a.user_id, website_id, title, slug).await?;
    let overview = db::pages::overview(tx, a.tenant_id, website_id).await?;
    Ok(PageCreated { id, overview })
}

pub async fn update_page(
    tx: &mut Tx,
    a: &Actor,
    page_id: Uuid,
    base_revision: i64,
    patch: PagePatch,
) -> Result<PagesOverview, AppError> {
    a.allow(Role::can_edit_content, CANNOT_EDIT)?;
    let website =
        db::pages::update(tx, a.tenant_id, a.user_id, page_id, base_revision, patch).await?;
    db::assets::sync_usage(tx, a.tenant_id, website).await?;
    db::pages::overview(tx, a.tenant_id, website).await
}

pub async fn move_page(
    tx: &mut Tx,
    a: &Actor,
    page_id: Uuid,
    base_revision: i64,
    step: NavMove,
) -> Result<PagesOverview, AppError> {
    a.allow(Role::can_edit_content, CANNOT_EDIT)?;
    let website =
        db::pages::move_in_nav(tx, a.tenant_id, a.user_id, page_id, base_revision, step).await?;
    db::pages::overview(tx, a.tenant_id, website).await
}

pub async fn delete_page(
    tx: &mut Tx,
    a: &Actor,
    page_id: Uuid,
    base_revision: i64,
) -> Result<PagesOverview, AppError> {
    a.allow(Role::can_edit_content, CANNOT_EDIT)?;
    let website =
        db::pages::delete(tx, a.tenant_id, a.user_id, a.role, page_id, base_revision).await?;
    db::pages::overview(tx, a.tenant_id, website).await
}

pub async fn insert_component(
    tx: &mut Tx,
    a: &Actor,
    page_id: Uuid,
    block: &NewBlock,
    after: Option<Uuid>,
    base_revision: i64,
) -> Result<ComponentMoved, AppError> {
    a.allow(Role::can_edit_content, CANNOT_EDIT)?;
    let (revision, key) = db::builder::insert(
        tx,
        a.tenant_id,
        page_id,
        block,
        after,
        base_revision,
        a.role,
    )
    .await?;
    block_saved(tx, a, page_id, revision, block.id, true).await?;
    Ok(ComponentMoved {
        revision,
        order_key: hex::encode(key.as_bytes()),
    })
}

/// After a block of `page_id` was saved at `revision`: the media usage (when the block's
/// props may have changed its images) and the "page changed" event for the page's other open
/// builders, both in the save's transaction.
async fn block_saved(
    tx: &mut Tx,
    a: &Actor,
    page_id: Uuid,
    revision: i64,
    block: Uuid,
    props_changed: bool,
) -> Result<(), AppError> {
    if props_changed {
        db::assets::sync_usage_for_page(tx, a.tenant_id, page_id).await?;
    }
    db::realtime::page_changed(tx, a.tenant_id, page_id, revision, a.user_id, Some(block)).await
}

pub async fn update_component(
    tx: &mut Tx,
    a: &Actor,
    page_id: Uuid,
    component_id: Uuid,
    block: &BlockProps,
    base_revision: i64,
) -> Result<SaveAck, AppError> {
    a.allow(Role::can_edit_content, CANNOT_EDIT)?;
    let revision =
        db::builder::update_props(tx, page_id, component_id, block, base_revision, a.role).await?;
    block_saved(tx, a, page_id, revision, component_id, true).await?;
    Ok(SaveAck { revision })
}

pub async fn move_component(
    tx: &mut Tx,
    a: &Actor,
    page_id: Uuid,
    component_id: Uuid,
    after: Option<Uuid>,
    base_revision: i64,
) -> Result<ComponentMoved, AppError> {
    a.allow(Role::can_edit_content, CANNOT_EDIT)?;
    let (revision, key) =
        db::builder::move_block(tx, page_id, component_id, after, base_revision, a.role).await?;
    block_saved(tx, a, page_id, revision, component_id, false).await?;
    Ok(ComponentMoved {
        revision,
        order_key: hex::encode(key),
    })
}

pub async fn delete_component(
    tx: &mut Tx,
    a: &Actor,
    page_id: Uuid,
    component_id: Uuid,
    base_revision: i64,
) -> Result<SaveAck, AppError> {
    a.allow(Role::can_edit_content, CANNOT_EDIT)?;
    let revision = db::builder::delete(tx, page_id, component_id, base_revision, a.role).await?;
    block_saved(tx, a, page_id, revision, component_id, true).await?;
    Ok(SaveAck { revision })
}

pub async fn set_component_flags(
    tx: &mut Tx,
    a: &Actor,
    page_id: Uuid,
    component_id: Uuid,
    is_visible: Option<bool>,
    is_locked: Option<bool>,
    base_revision: i64,
) -> Result<SaveAck, AppError> {
    a.allow(Role::can_edit_content, CANNOT_EDIT)?;
    let revision = db::builder::set_flags(
        tx,
        page_id,
        component_id,
        is_visible,
        is_locked,
        base_revision,
        a.role,
    )
    .await?;
    block_saved(tx, a, page_id, revision, component_id, false).await?;
    Ok(SaveAck { revision })
}

/// Publishes the website's draft: the role, the notes, a verified email, then the snapshot.
/// The plan's publish rate is counted by the caller (it needs the pool, outside the
/// transaction): [`crate::db::rate_limits::check`] with `Bucket::Publish`.
pub async fn publish(
    tx: &mut Tx,
    a: &Actor,
    website_id: Uuid,
    notes: Option<String>,
) -> Result<Published, AppError> {
    a.allow(Role::can_publish, CANNOT_PUBLISH)?;
    let notes = crate::model::parse_deployment_notes(notes)?;
    if !db::user_tokens::is_verified(tx, a.user_id).await? {
        let email = match &a.email {
            Some(e) => e.clone(),
            None => db::user_tokens::email_of(tx, a.user_id).await?,
        };
        return Err(AppError::EmailUnverified { email });
    }
    let published =
        db::publish::publish_with_notes(tx, a.tenant_id, a.user_id, website_id, notes.as_deref())
            .await?;
    // Live status: delivered to every open builder and dashboard when the caller commits.
    db::realtime::deploy(
        tx,
        a.tenant_id,
        website_id,
        DeployAction::Publish,
        DeployPhase::Succeeded,
        Some(published.deployment_id),
        None,
    )
    .await?;
    Ok(published)
}

pub async fn rollback(
    tx: &mut Tx,
    a: &Actor,
    website_id: Uuid,
    deployment_id: Uuid,
) -> Result<RolledBack, AppError> {
    a.allow(Role::can_publish, CANNOT_ROLL_BACK)?;
    let rolled_back =
        db::deployments::rollback(tx, a.tenant_id, a.user_id, website_id, deployment_id).await?;
    db::realtime::deploy(
        tx,
        a.tenant_id,
        website_id,
        DeployAction::Rollback,
        DeployPhase::Succeeded,
        Some(rolled_back.deployment_id),
        None,
    )
    .await?;
    Ok(rolled_back)
}

/// Runs a publish or rollback (`run`, which commits) with live status around it: "started" at
/// once, and "failed" with the reason after it rolled back ("succeeded" is sent by
/// [`publish`] / [`rollback`] inside their transaction). A status that cannot be sent never
/// fails the action.
pub async fn with_deploy_status<T>(
    pool: &sqlx::PgPool,
    a: &Actor,
    website_id: Uuid,
    action: DeployAction,
    run: impl std::future::Future<Output = Result<T, AppError>>,
) -> Result<T, AppError> {
    let note = |phase, message: Option<String>| async move {
        let sent = db::realtime::deploy_now(
            pool,
            a.tenant_id,
            website_id,
            action,
            phase,
            message.as_deref(),
        )
        .await;
        if let Err(e) = sent {
            tracing::warn!(error = %e, "live deploy status not sent");
        }
    };
    note(DeployPhase::Started, None).await;
    let result = run.await;
    if let Err(e) = &result {
        note(DeployPhase::Failed, Some(e.to_string())).await;
    }
    result
}

/// The media library as `query` filters and sorts it, with the quota meter (every member).
pub async fn list_assets(
    tx: &mut Tx,
    a: &Actor,
    query: &AssetQuery,
) -> Result<AssetLibrary, AppError> {
    if !matches!(query.kind.as_str(), "" | "image" | "video" | "raw") {
        return Err(AppError::invalid(
            "kind",
            "Filter by image, video or raw files.",
        ));
    }
    if !matches!(query.sort.as_str(), "" | "date" | "size" | "name") {
        return Err(AppError::invalid("sort", "Sort by date, size or name."));
    }
    if query.search.chars().count() > 200 {
        return Err(AppError::invalid(
            "search",
            "Search for at most 200 characters.",
        ));
    }
    let assets = db::assets::list(tx, a.tenant_id, query).await?;
    let limits = db::assets::upload_limits(tx, a.tenant_id).await?;
    let all_tags = db::assets::all_tags(tx).await?;
    Ok(AssetLibrary {
        assets,
        used_bytes: limits.used_bytes,
        limit_bytes: limits.storage_bytes,
        max_file_bytes: limits.max_file_bytes,
        all_tags,
        can_upload: a.role.can_manage_assets(),
    })
}
