//! `generate_layout`, "Build my site from a prompt": a whole website from a short
//! questionnaire, built by the `ai.generate_site` job (`server::jobs`).
//!
//! Submitting ([`start`]) checks the answers, the website limit and the address, reserves the
//! credits and writes the `ai_generations` row and the job in one tenant transaction. The job
//! ([`run_job`]) then: plans the pages (one call, tool `plan_pages`), writes each page (one
//! call per page, tool `write_page`, blocks in our block schema made from the inspector's field
//! tables), chooses the palette (the palette action's request and checks), and saves: a backup
//! document checked by the import's validators and imported by `db::backup::import` in one
//! transaction with the row's success, so nothing is half-saved. Every answer is checked by the
//! same validators as a person's edit and retried once with the reasons; a second bad answer,
//! a provider failure or a refused save fails the generation and refunds the credits. Each step
//! updates the row and notifies the progress stream. A member may cancel between steps
//! ([`cancel`]): the credits come back at once and the job stops at its next step.

use serde_json::{json, Map, Value};
use sqlx::PgPool;
use uuid::Uuid;

use super::ssr::{
    api, ask, cost, quoted, rate_checked_member, AiApi, AiCallError, AiRequest, AiTool, UNTRUSTED,
};
use crate::db::ai::{CallLog, Reservation};
use crate::db::ai_generations::{self as gens, Locked};
use crate::db::{self, tenant_tx};
use crate::error::AppError;
use crate::model::fields::{self, FieldType};
use crate::model::{
    check_len, parse_name, parse_page_title, parse_subdomain, slugify, AiAction, BackupBlock,
    BackupPage, BackupWebsite, BlockProps, Branding, ComponentKind, Generation, GenerationBrief,
    GenerationStatus, SiteBackup, BACKUP_FORMAT, BACKUP_VERSION, BRIEF_FIELD_MAX,
    GENERATED_PAGES_MAX,
};

/// The job kind.
pub const JOB: &str = "ai.generate_site";
/// The block kinds a generated page may use: text-led blocks whose links and images the
/// defaults fill. Custom HTML is never generated.
pub const KINDS: [ComponentKind; 7] = [
    ComponentKind::Hero,
    ComponentKind::Features,
    ComponentKind::Testimonials,
    ComponentKind::Pricing,
    ComponentKind::Cta,
    ComponentKind::Faq,
    ComponentKind::Stats,
];
/// Most blocks on one generated page.
pub const BLOCKS_MAX: usize = 8;

pub const CANNOT_CREATE: &str =
    "Viewers cannot build websites with the AI assistant. Ask an owner or admin for editor access.";

/// Checks the questionnaire, reserves the credits and queues the job; returns the generation.
pub async fn start(brief: GenerationBrief) -> Result<Uuid, AppError> {
    let (m, mut tx) = rate_checked_member().await?;
    if !m.role.can_edit_content() {
        return Err(AppError::forbidden(CANNOT_CREATE));
    }
    api()?;
    let mut brief = brief;
    for (field, value) in [
        ("business", &mut brief.business),
        ("audience", &mut brief.audience),
        ("tone", &mut brief.tone),
        ("pages", &mut brief.pages),
    ] {
        *value = value.trim().to_string();
        check_len(field, value, BRIEF_FIELD_MAX)?;
    }
    if brief.business.is_empty() {
        return Err(AppError::invalid(
            "business",
            "Say what the business does, in a sentence or two.",
        ));
    }
    brief.name = parse_name("name", "the website's name", &brief.name, 2, 80)?;
    brief.subdomain = parse_subdomain(&brief.subdomain)?;
    // Refused now rather than after the model's work (the import checks again when saving).
    db::limits::check_websites(&mut tx, m.tenant_id).await?;
    let r = db::ai::reserve(
        &mut tx,
        m.tenant_id,
        m.user_id,
        AiAction::GenerateLayout,
        chrono::Utc::now(),
    )
    .await?;
    let id = gens::create(&mut tx, m.tenant_id, m.user_id, &brief, r.usage_id).await?;
    db::jobs::enqueue(
        &mut *tx,
        db::jobs::NewJob::new(
            JOB,
            json!({ "tenant_id": m.tenant_id, "generation_id": id }),
        )
        .max_attempts(3)
        .tenant(m.tenant_id),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The generation for its progress page (any member of the tenant; another tenant's: 404).
pub async fn get(id: Uuid) -> Result<Generation, AppError> {
    let (_, mut tx) = super::super::ctx::member_tx(|_| true, "").await?;
    let g = gens::get(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::NotFound("Generation".into()))?;
    tx.commit().await?;
    Ok(g)
}

/// For the progress stream: the generation if `tenant` has it.
pub async fn load(pool: &PgPool, tenant: Uuid, id: Uuid) -> Result<Option<Generation>, AppError> {
    let mut tx = tenant_tx(pool, tenant).await?;
    let g = gens::get(&mut tx, id).await?;
    tx.commit().await?;
    Ok(g)
}

fn reservation(usage_id: Uuid) -> Reservation {
    Reservation {
        usage_id,
        credits_left: 0,
        cost: AiAction::GenerateLayout.credits(),
    }
}

/// Cancels a queued or running generation and refunds its credits at once.
pub async fn cancel(id: Uuid) -> Result<Generation, AppError> {
    let (m, mut tx) =
        super::super::ctx::member_tx(crate::model::Role::can_use_ai, super::ssr::VIEWERS_CANNOT)
            .await?;
    let g = gens::lock(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::NotFound("Generation".into()))?;
    if g.status.is_final() {
        return Err(AppError::invalid(
            "generation",
            "This generation has already finished; there is nothing to cancel.",
        ));
    }
    gens::finish(
        &mut tx,
        m.tenant_id,
        id,
        GenerationStatus::Cancelled,
        None,
        Some("Cancelled."),
    )
    .await?;
    let call = CallLog {
        action: Some(AiAction::GenerateLayout),
        user: Some(m.user_id),
        model: "",
        ..CallLog::default()
    };
    db::ai::failed(
        &mut tx,
        m.tenant_id,
        &reservation(g.usage_id),
        &call,
        false,
        "cancelled by a member",
    )
    .await?;
    let out = gens::get(&mut tx, id).await?.ok_or(AppError::Internal)?;
    tx.commit().await?;
    Ok(out)
}

/// JSON Schema of one field of the inspector's table.
fn field_schema(ty: &FieldType) -> Value {
    match ty {
        FieldType::Text { max } | FieldType::LongText { max } => {
            json!({ "type": "string", "maxLength": max })
        }
        FieldType::RichText => json!({ "type": "string" }),
        FieldType::Number { min, max, .. } => {
            json!({ "type": "number", "minimum": min, "maximum": max })
        }
        FieldType::Select(options) => json!({
            "type": "string",
            "enum": options.iter().map(|(v, _)| *v).collect::<Vec<_>>()
        }),
        FieldType::Toggle => json!({ "type": "boolean" }),
        FieldType::Color => json!({ "type": "string", "description": "#RRGGBB or empty" }),
        FieldType::Image | FieldType::Url => {
            json!({ "type": "string", "description": "leave empty" })
        }
        FieldType::Link => {
            json!({ "type": "string", "description": "one of the site's page addresses" })
        }
        // Shop blocks name catalogue rows; generation never places them (`KINDS`).
        FieldType::Product | FieldType::Variant | FieldType::Category => {
            json!({ "type": "string", "description": "leave empty" })
        }
        FieldType::Products { max } => json!({
            "type": "array", "maxItems": max, "items": { "type": "string" }
        }),
        FieldType::Lines { max_items } => json!({
            "type": "array", "maxItems": max_items, "items": { "type": "string", "maxLength": 200 }
        }),
        FieldType::List(spec) => {
            let mut props = Map::new();
            for f in spec.item.iter().filter(|f| !f.key.contains('.')) {
                props.insert(f.key.to_string(), field_schema(&f.ty));
            }
            json!({
                "type": "array",
                "maxItems": spec.max,
                "items": {
                    "type": "object",
                    "properties": props,
                    "required": spec.item.iter().filter(|f| !f.key.contains('.')).map(|f| f.key).collect::<Vec<_>>(),
                    "additionalProperties": false
                }
            })
        }
    }
}

/// The `write_page` tool's schema: a list of blocks, each one of [`KINDS`] with the props of
/// its inspector form (fields left out keep the block's defaults).
pub fn page_schema() -> Value {
    let variants: Vec<Value> = KINDS
        .iter()
        .map(|kind| {
            let mut props = Map::new();
            for f in fields::fields(*kind).iter().filter(|f| !f.key.contains('.')) {
                props.insert(f.key.to_string(), field_schema(&f.ty));
            }
            json!({
                "type": "object",
                "properties": {
                    "type": { "const": kind.as_str() },
                    "props": { "type": "object", "properties": props, "additionalProperties": false }
                },
                "required": ["type", "props"],
                "additionalProperties": false
            })
        })
        .collect();
    json!({
        "type": "object",
        "properties": {
            "blocks": { "type": "array", "minItems": 1, "maxItems": BLOCKS_MAX, "items": { "anyOf": variants } }
        },
        "required": ["blocks"],
        "additionalProperties": false
    })
}

fn has_markup(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('<') && s.contains('>'),
        Value::Array(a) => a.iter().any(has_markup),
        Value::Object(o) => o.values().any(has_markup),
        _ => false,
    }
}

/// Checks a `write_page` answer with the validators of a person's edit; returns the blocks as
/// backup blocks.
pub fn check_page(v: &Value) -> Result<Vec<BackupBlock>, String> {
    let list = v
        .get("blocks")
        .and_then(Value::as_array)
        .ok_or("the answer has no blocks list")?;
    if list.is_empty() || list.len() > BLOCKS_MAX {
        return Err(format!(
            "a page needs 1 to {BLOCKS_MAX} blocks, not {}",
            list.len()
        ));
    }
    let mut out = Vec::with_capacity(list.len());
    for (i, b) in list.iter().enumerate() {
        let kind = b.get("type").and_then(Value::as_str).unwrap_or_default();
        let at = format!("block {} ({kind})", i + 1);
        let known = ComponentKind::parse(kind).ok_or(format!("{at}: unknown block type"))?;
        if !KINDS.contains(&known) {
            return Err(format!(
                "{at}: this block type is not allowed; use one of {}",
                KINDS.map(ComponentKind::as_str).join(", ")
            ));
        }
        let props = b.get("props").cloned().unwrap_or(json!({}));
        if !props.is_object() {
            return Err(format!("{at}: props must be an object"));
        }
        if has_markup(&props) {
            return Err(format!("{at}: contains markup; write plain text"));
        }
        let block = BlockProps::from_parts(kind, props).map_err(|e| format!("{at}: {e}"))?;
        out.push(BackupBlock {
            kind: kind.to_string(),
            props: block.props_json(),
            visible: true,
            locked: false,
            global: None,
        });
    }
    Ok(out)
}

/// One planned page: title, address, what it is for.
#[derive(Debug, Clone)]
pub struct Planned {
    pub title: String,
    pub slug: String,
    pub purpose: String,
}

/// Checks a `plan_pages` answer: titles a person could type, the first page is the home page,
/// addresses made from the titles, none twice, at most `max` pages.
pub fn check_plan(v: &Value, max: usize) -> Result<Vec<Planned>, String> {
    let list = v
        .get("pages")
        .and_then(Value::as_array)
        .ok_or("the answer has no pages list")?;
    if list.is_empty() || list.len() > max {
        return Err(format!("plan 1 to {max} pages, not {}", list.len()));
    }
    let mut out: Vec<Planned> = Vec::new();
    for (i, p) in list.iter().enumerate() {
        let title = p.get("title").and_then(Value::as_str).unwrap_or_default();
        let title = parse_page_title(title).map_err(|e| format!("page {}: {e}", i + 1))?;
        if title.contains('<') && title.contains('>') {
            return Err(format!("page {}: the title contains markup", i + 1));
        }
        let purpose = p
            .get("purpose")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim()
            .chars()
            .take(300)
            .collect::<String>();
        let slug = if i == 0 {
            "/".to_string()
        } else {
            let s = slugify(&title, 40);
            if s.is_empty() {
                return Err(format!(
                    "page {}: the title has no letters or digits",
                    i + 1
                ));
            }
            format!("/{s}")
        };
        if out.iter().any(|o| o.slug == slug) {
            return Err(format!("two pages would share the address {slug}"));
        }
        out.push(Planned {
            title,
            slug,
            purpose,
        });
    }
    Ok(out)
}

const SYSTEM: &str = "You build small-business websites with SitePilot's blocks: plan pages, then write each page's blocks in the given schema. Write plain text only, specific to the business, in the language of the owner's answers.";

fn about(brief: &GenerationBrief) -> String {
    format!(
        "Website name: {}\nThe owner's answers:\nBusiness: {}\nAudience: {}\nTone: {}\nPages wanted: {}",
        brief.name,
        quoted(&brief.business),
        quoted(&brief.audience),
        quoted(&brief.tone),
        quoted(&brief.pages),
    )
}

fn plan_request(brief: &GenerationBrief, max: usize) -> AiRequest {
    AiRequest {
        system: format!("{SYSTEM} {UNTRUSTED}"),
        prompt: format!(
            "{}\n\nPlan the website's pages: at most {max}, the home page first, each with a short title (it becomes the menu entry and the address) and its purpose.",
            about(brief)
        ),
        tool: AiTool {
            name: "plan_pages",
            description: "List the website's pages, home page first.",
            schema: json!({
                "type": "object",
                "properties": {
                    "pages": {
                        "type": "array", "minItems": 1, "maxItems": max,
                        "items": {
                            "type": "object",
                            "properties": {
                                "title": { "type": "string", "minLength": 1, "maxLength": 60 },
                                "purpose": { "type": "string", "maxLength": 300 }
                            },
                            "required": ["title", "purpose"],
                            "additionalProperties": false
                        }
                    }
                },
                "required": ["pages"],
                "additionalProperties": false
            }),
        },
        max_tokens: 1024,
    }
}

fn page_request(brief: &GenerationBrief, plan: &[Planned], page: &Planned) -> AiRequest {
    let addresses = plan
        .iter()
        .map(|p| format!("{} ({})", p.slug, p.title))
        .collect::<Vec<_>>()
        .join(", ");
    AiRequest {
        system: format!("{SYSTEM} {UNTRUSTED}"),
        prompt: format!(
            "{}\n\nThe site's pages: {addresses}.\nWrite the page \"{}\" (address {}): {}\nUse {} to {BLOCKS_MAX} blocks of the allowed types. Links may only point to the site's page addresses. Leave image fields empty.",
            about(brief),
            page.title,
            page.slug,
            quoted(&page.purpose),
            if page.slug == "/" { 3 } else { 2 },
        ),
        tool: AiTool {
            name: "write_page",
            description: "Set the page's blocks, in order from top to bottom.",
            schema: page_schema(),
        },
        max_tokens: 4096,
    }
}

/// Tokens spent so far by the job.
#[derive(Default)]
struct Spent {
    prompt: i32,
    completion: i32,
}

/// How a run ended.
enum Ended {
    Saved,
    /// Cancelled (the credits were refunded by the cancel) or already ended elsewhere.
    Stopped,
}

/// Whether the generation is still running (not cancelled).
async fn still_running(pool: &PgPool, tenant: Uuid, id: Uuid) -> Result<bool, AppError> {
    let mut tx = tenant_tx(pool, tenant).await?;
    let g = gens::get(&mut tx, id).await?;
    tx.commit().await?;
    Ok(g.is_some_and(|g| !g.status.is_final()))
}

async fn step(pool: &PgPool, tenant: Uuid, id: Uuid, label: &str) -> Result<bool, AppError> {
    if !still_running(pool, tenant, id).await? {
        return Ok(false);
    }
    let mut tx = tenant_tx(pool, tenant).await?;
    gens::step(&mut tx, tenant, id, label).await?;
    tx.commit().await?;
    Ok(true)
}

/// The `ai.generate_site` job: runs generation `id` of `tenant` to its end. `Err` only for
/// errors worth retrying the job for (the database); model and validation failures end the
/// generation as failed (refunded) and return `Ok`. `last_attempt`: a retryable error fails the
/// generation too.
pub async fn run_job(
    pool: &PgPool,
    api: Option<&AiApi>,
    tenant: Uuid,
    id: Uuid,
    last_attempt: bool,
) -> Result<(), AppError> {
    let mut tx = tenant_tx(pool, tenant).await?;
    let Some(g) = gens::lock(&mut tx, id).await? else {
        return Ok(());
    };
    if g.status.is_final() {
        return Ok(());
    }
    // A run after a lost lease starts over.
    sqlx_reset(&mut tx, id).await?;
    tx.commit().await?;
    let model = api.map(|a| a.model.clone()).unwrap_or_default();
    let mut spent = Spent::default();
    let result = match api {
        None => Err(AiCallError::Failed(
            "AI is not configured on this server".into(),
        )),
        Some(api) => generate(pool, api, tenant, id, &g, &mut spent).await,
    };
    match result {
        Ok(Ended::Saved) | Ok(Ended::Stopped) => Ok(()),
        Err(AiCallError::Failed(why)) if why.starts_with("database: ") && !last_attempt => {
            Err(AppError::invalid("ai", why))
        }
        Err(e) => fail(pool, tenant, id, &g, &model, &spent, e).await,
    }
}

/// Ends generation `id` as failed with `why` (and refunds it) unless it has ended: the job's
/// handler ran out of time (`server::jobs`), so the row never stays running with its credits.
pub async fn give_up(pool: &PgPool, tenant: Uuid, id: Uuid, why: &str) -> Result<(), AppError> {
    let mut tx = tenant_tx(pool, tenant).await?;
    let Some(g) = gens::lock(&mut tx, id).await? else {
        return Ok(());
    };
    tx.commit().await?;
    if g.status.is_final() {
        return Ok(());
    }
    fail(
        pool,
        tenant,
        id,
        &g,
        "",
        &Spent::default(),
        AiCallError::Failed(why.to_string()),
    )
    .await
}

async fn sqlx_reset(tx: &mut db::Tx, id: Uuid) -> Result<(), AppError> {
    gens::restart(tx, id).await
}

async fn fail(
    pool: &PgPool,
    tenant: Uuid,
    id: Uuid,
    g: &Locked,
    model: &str,
    spent: &Spent,
    e: AiCallError,
) -> Result<(), AppError> {
    let (limited, why) = match e {
        AiCallError::RateLimited(w) => (true, w),
        AiCallError::Failed(w) => (false, w),
    };
    tracing::warn!(generation = %id, %why, "AI site generation failed");
    let mut tx = tenant_tx(pool, tenant).await?;
    let message = if limited {
        "The AI provider is busy right now. No credits were used; try again in a minute."
            .to_string()
    } else {
        format!("The AI assistant could not build the website ({why}). No credits were used; try again.")
    };
    if gens::finish(
        &mut tx,
        tenant,
        id,
        GenerationStatus::Failed,
        None,
        Some(&message),
    )
    .await?
    {
        let call = CallLog {
            action: Some(AiAction::GenerateLayout),
            user: g.created_by,
            model,
            prompt_tokens: spent.prompt,
            completion_tokens: spent.completion,
            cost_usd: cost(model, spent.prompt, spent.completion),
            ..CallLog::default()
        };
        db::ai::failed(
            &mut tx,
            tenant,
            &reservation(g.usage_id),
            &call,
            limited,
            &why,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

fn db_err(e: AppError) -> AiCallError {
    AiCallError::Failed(format!("database: {e}"))
}

async fn call<T>(
    api: &AiApi,
    req: AiRequest,
    spent: &mut Spent,
    check: impl Fn(&Value) -> Result<T, String>,
) -> Result<T, AiCallError> {
    let (result, p, c) = ask(api, req, check).await;
    spent.prompt += p;
    spent.completion += c;
    result
}

async fn generate(
    pool: &PgPool,
    api: &AiApi,
    tenant: Uuid,
    id: Uuid,
    g: &Locked,
    spent: &mut Spent,
) -> Result<Ended, AiCallError> {
    let brief = &g.brief;
    let max_pages = {
        let mut tx = tenant_tx(pool, tenant).await.map_err(db_err)?;
        let n = db::limits::max_pages_per_site(&mut tx, tenant)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(|e| db_err(e.into()))?;
        (n.max(1) as usize).min(GENERATED_PAGES_MAX)
    };
    if !step(pool, tenant, id, "Planning pages")
        .await
        .map_err(db_err)?
    {
        return Ok(Ended::Stopped);
    }
    let plan = call(api, plan_request(brief, max_pages), spent, |v| {
        check_plan(v, max_pages)
    })
    .await?;
    let mut pages = Vec::with_capacity(plan.len());
    for p in &plan {
        if !step(pool, tenant, id, &format!("Writing {}", p.title))
            .await
            .map_err(db_err)?
        {
            return Ok(Ended::Stopped);
        }
        let blocks = call(api, page_request(brief, &plan, p), spent, check_page).await?;
        pages.push(BackupPage {
            title: p.title.clone(),
            slug: p.slug.clone(),
            status: "published".into(),
            show_in_nav: true,
            nav_label: None,
            password_protected: false,
            seo: Value::Null,
            page_config: Value::Null,
            blocks,
        });
    }
    if !step(pool, tenant, id, "Choosing the palette")
        .await
        .map_err(db_err)?
    {
        return Ok(Ended::Stopped);
    }
    let base = Branding::default();
    let colors = call(
        api,
        super::palette::palette_request(
            &brief.name,
            &format!("{}; tone: {}", brief.business, brief.tone),
            &base.colors,
        ),
        spent,
        |v| super::palette::palette_check(&base, v),
    )
    .await?;
    if !step(pool, tenant, id, "Saving").await.map_err(db_err)? {
        return Ok(Ended::Stopped);
    }
    let mut branding = base;
    branding.colors = colors;
    let doc = SiteBackup {
        format: BACKUP_FORMAT.into(),
        version: BACKUP_VERSION,
        exported_at: chrono::Utc::now(),
        website: BackupWebsite {
            name: brief.name.clone(),
            branding: serde_json::to_value(&branding)
                .map_err(|e| AiCallError::Failed(e.to_string()))?,
            seo_defaults: json!({}),
        },
        assets: vec![],
        pages,
        global_blocks: vec![],
    };
    // The import's own checks, on the whole document.
    let site = doc
        .validate()
        .map_err(|e| AiCallError::Failed(format!("the website did not pass the checks ({e})")))?;
    let user = g
        .created_by
        .ok_or_else(|| AiCallError::Failed("the member who asked has left".into()))?;
    let mut tx = tenant_tx(pool, tenant).await.map_err(db_err)?;
    match gens::lock(&mut tx, id).await.map_err(db_err)? {
        Some(now) if !now.status.is_final() => {}
        _ => return Ok(Ended::Stopped),
    }
    let website = match db::backup::import(&mut tx, tenant, user, &site, &brief.subdomain).await {
        Ok(w) => w,
        // A limit reached or an address taken since: nothing was written.
        Err(e @ (AppError::LimitReached { .. } | AppError::Invalid { .. })) => {
            drop(tx);
            return Err(AiCallError::Failed(e.to_string()));
        }
        Err(e) => return Err(db_err(e)),
    };
    gens::finish(
        &mut tx,
        tenant,
        id,
        GenerationStatus::Succeeded,
        Some(website),
        None,
    )
    .await
    .map_err(db_err)?;
    let call = CallLog {
        action: Some(AiAction::GenerateLayout),
        user: Some(user),
        website: Some(website),
        page: None,
        model: &api.model,
        prompt_tokens: spent.prompt,
        completion_tokens: spent.completion,
        cost_usd: cost(&api.model, spent.prompt, spent.completion),
    };
    db::ai::succeeded(&mut tx, tenant, &reservation(g.usage_id), &call)
        .await
        .map_err(db_err)?;
    tx.commit().await.map_err(|e| db_err(e.into()))?;
    Ok(Ended::Saved)
}

/// `generate_page`: a new draft page of `website_id` written from the editor's `prompt`.
pub async fn new_page(
    website_id: Uuid,
    prompt: String,
) -> Result<crate::model::PageCreated, AppError> {
    let (m, mut tx) = rate_checked_member().await?;
    if !m.role.can_edit_content() {
        return Err(AppError::forbidden(super::ssr::VIEWERS_CANNOT));
    }
    let api = api()?;
    let prompt = prompt.trim().to_string();
    check_len("prompt", &prompt, BRIEF_FIELD_MAX)?;
    if prompt.is_empty() {
        return Err(AppError::invalid(
            "prompt",
            "Describe the page you want, in a sentence or two.",
        ));
    }
    // Another tenant's website is a 404 here; a full website is refused before any credit
    // is spent (the save checks again).
    let overview = db::pages::overview(&mut tx, m.tenant_id, website_id).await?;
    db::limits::check_pages(&mut tx, m.tenant_id, overview.pages.len() as i64).await?;
    let (site_name, _) = db::branding::load(&mut tx, website_id).await?;
    let taken: Vec<String> = overview.pages.iter().map(|p| p.slug.clone()).collect();
    let existing = overview
        .pages
        .iter()
        .map(|p| format!("{} ({})", p.slug, p.title))
        .collect::<Vec<_>>()
        .join(", ");
    let mut schema = page_schema();
    schema["properties"]["title"] = json!({ "type": "string", "minLength": 1, "maxLength": 60 });
    schema["required"] = json!(["title", "blocks"]);
    let req = AiRequest {
        system: format!("{SYSTEM} {UNTRUSTED}"),
        prompt: format!(
            "Website: {site_name}\nIts pages now: {existing}.\nThe editor asks for a new page: {}\nGive it a short title (it becomes the menu entry and the address) and 2 to {BLOCKS_MAX} blocks of the allowed types. Links may only point to the site's page addresses. Leave image fields empty.",
            quoted(&prompt),
        ),
        tool: AiTool {
            name: "new_page",
            description: "Set the new page's title and its blocks, from top to bottom.",
            schema,
        },
        max_tokens: 4096,
    };
    let check = |v: &Value| -> Result<(String, String, Vec<BackupBlock>), String> {
        let title = v.get("title").and_then(Value::as_str).unwrap_or_default();
        let title = parse_page_title(title).map_err(|e| format!("the title: {e}"))?;
        if title.contains('<') && title.contains('>') {
            return Err("the title contains markup".into());
        }
        let base = slugify(&title, 40);
        if base.is_empty() {
            return Err("the title has no letters or digits".into());
        }
        let mut slug = format!("/{base}");
        let mut n = 2;
        while taken.contains(&slug) {
            slug = format!("/{base}-{n}");
            n += 1;
        }
        Ok((title, slug, check_page(v)?))
    };
    let ((title, slug, blocks), _) = super::ssr::run(
        &api,
        &m,
        tx,
        AiAction::GeneratePage,
        website_id,
        None,
        req,
        check,
    )
    .await?;
    let blocks = blocks
        .into_iter()
        .map(|b| {
            Ok(crate::model::ValidBlock {
                block: BlockProps::from_parts(&b.kind, b.props)?,
                visible: b.visible,
                locked: b.locked,
                global: None,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let state = super::super::ctx::state()?;
    let mut tx = tenant_tx(&state.pool, m.tenant_id).await?;
    let id = db::pages::create_with(
        &mut tx,
        m.tenant_id,
        m.user_id,
        website_id,
        &title,
        &slug,
        Some(blocks),
    )
    .await?;
    let overview = db::pages::overview(&mut tx, m.tenant_id, website_id).await?;
    tx.commit().await?;
    Ok(crate::model::PageCreated { id, overview })
}
