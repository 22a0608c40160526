//! REST API v1 (issue 21 part 2): bearer API keys, websites, pages, page content (blocks) with
//! `If-Match` revisions, publish and rollback, deployments, form submissions and assets.
//!
//! - **One rule path.** Every endpoint checks a scope of the key (its creator's role *now*
//!   caps the scopes, `db::api_keys::authenticate`), then runs the same `app::api::ops` /
//!   `app::db` functions in the same tenant transaction as the builder's server functions.
//! - **Errors** are the app's typed `AppError` JSON with its status (401 with
//!   `WWW-Authenticate: Bearer`, 403 scope, 404 another tenant's record, 400 bad input, 412
//!   `If-Match` is not the current revision (the body carries it), 428 `If-Match` missing on a
//!   write, 422 an `Idempotency-Key` reused for another request, 429 over the plan's rate).
//! - **Rate limits** ([`gate`]): every request counts against the tenant's plan
//!   (`db::rate_limits`, PostgreSQL counters shared by every instance); every answer carries
//!   `RateLimit-Limit` / `RateLimit-Remaining` / `RateLimit-Reset`, a refusal `Retry-After`.
//! - **Idempotency**: a POST with `Idempotency-Key` stores its answer in the transaction of its
//!   write (`db::idempotency`); a retry gets the stored answer (`Idempotent-Replayed: true`).
//! - **Pagination**: list endpoints take `limit` (1 to [`MAX_LIMIT`], default
//!   [`DEFAULT_LIMIT`]) and an opaque `cursor`; the answer is `{ "data": […], "next_cursor" }`.
//! - **OpenAPI 3.1** document at `/api/v1/openapi.json` ([`ApiDoc`], utoipa, from these handlers
//!   and the app's wire types), and a server-rendered reference at `/api/v1/reference`.

use app::api::ops::{self, Actor};
use app::db::api_keys::{self, ApiCaller};
use app::db::idempotency::{self, Claim};
use app::db::rate_limits::{self, Bucket, RateState};
use app::db::Tx;
use app::error::AppError;
use app::model::{
    ApiScope, AssetInfo, AssetQuery, BlockProps, ComponentDto, ComponentMoved, DeploymentSummary,
    NewBlock, PageInfo, PagePatch, Published, RolledBack, SaveAck, SubmissionSummary,
    WebsiteSummary,
};
use app::state::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, OpenApi, ToSchema};
use uuid::Uuid;

/// Items per list page when `limit` is not given, and the most a caller may ask for.
pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 100;

/// An error answered as the app's typed JSON body with its status.
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError(AppError::from(e))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = (status, Json(&self.0)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"SitePilot API\""),
            );
        }
        if let Some(secs) = self.0.retry_after_secs() {
            res.headers_mut().insert(header::RETRY_AFTER, secs.into());
        }
        res
    }
}

type ApiResult = Result<Response, ApiError>;

/// The caller of an API request (`Authorization: Bearer sp_live_…`), authenticated by [`gate`].
pub struct ApiKey(pub ApiCaller);

impl FromRequestParts<AppState> for ApiKey {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<ApiCaller>()
            .cloned()
            .map(ApiKey)
            .ok_or(ApiError(AppError::Unauthorized))
    }
}

impl ApiKey {
    /// The key's scope check, then who acts (the key's creator, with their current role).
    fn actor(&self, scope: ApiScope) -> Result<Actor, ApiError> {
        self.0.require(scope)?;
        Ok(Actor::from(&self.0))
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
}

fn rate_headers(res: &mut Response, rate: &RateState) {
    let h = res.headers_mut();
    for (name, value) in rate.headers() {
        h.insert(HeaderName::from_static(name), value.into());
    }
}

/// Authenticates the key (looked up in PostgreSQL on every request, so a revocation holds at
/// once everywhere), counts the request against the tenant's plan rate and stamps the
/// `RateLimit-*` headers on the answer.
pub async fn gate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let Some(key) = bearer(&parts.headers) else {
        return ApiError(AppError::Unauthorized).into_response();
    };
    let ip = app::api::ctx::client_ip_of(&parts);
    let caller = match api_keys::authenticate(&state.pool, key, ip).await {
        Ok(c) => c,
        Err(e) => return ApiError(e).into_response(),
    };
    let rate = match rate_limits::hit(&state.pool, caller.tenant_id, Bucket::Api).await {
        Ok(r) => r,
        Err(e) => return ApiError(e).into_response(),
    };
    let mut res = if rate.exceeded {
        ApiError(rate.error()).into_response()
    } else {
        parts.extensions.insert(caller);
        next.run(Request::from_parts(parts, body)).await
    };
    rate_headers(&mut res, &rate);
    res
}

/// The v1 routes; `state` is what [`gate`] needs.
pub fn routes(state: AppState) -> Router<AppState> {
    let authed = Router::new()
        .route("/api/v1/websites", get(list_websites))
        .route("/api/v1/websites/{website_id}", get(get_website))
        .route(
            "/api/v1/websites/{website_id}/pages",
            get(list_pages).post(create_page),
        )
        .route(
            "/api/v1/pages/{page_id}",
            get(get_page).patch(update_page).delete(delete_page),
        )
        .route(
            "/api/v1/pages/{page_id}/components",
            get(get_content).post(insert_component),
        )
        .route(
            "/api/v1/pages/{page_id}/components/{component_id}",
            axum::routing::put(put_component)
                .patch(patch_component)
                .delete(delete_component),
        )
        .route(
            "/api/v1/websites/{website_id}/publish",
            axum::routing::post(publish),
        )
        .route(
            "/api/v1/websites/{website_id}/rollback",
            axum::routing::post(rollback),
        )
        .route(
            "/api/v1/websites/{website_id}/deployments",
            get(list_deployments),
        )
        .route("/api/v1/form-submissions", get(list_submissions))
        .route("/api/v1/assets", get(list_assets))
        .route_layer(axum::middleware::from_fn_with_state(state, gate));
    Router::new()
        .route("/api/v1/openapi.json", get(openapi_json))
        .route("/api/v1/reference", get(reference))
        .merge(authed)
}

// ── request helpers ─────────────────────────────────────────────────────────────────────

fn parse_id(raw: &str, field: &str, what: &str) -> Result<Uuid, ApiError> {
    raw.parse::<Uuid>().map_err(|_| {
        ApiError(AppError::invalid(
            field,
            format!("This is not a {what} id."),
        ))
    })
}

/// The JSON body as `T` (an empty body is `{}`), or a 400 naming the problem.
fn body<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, ApiError> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError(AppError::invalid(
            "request",
            format!("The request body is not the JSON this endpoint takes: {e}"),
        ))
    })
}

/// The query string as `T`, or a 400.
fn query<T: DeserializeOwned>(
    q: Result<Query<T>, axum::extract::rejection::QueryRejection>,
) -> Result<T, ApiError> {
    q.map(|Query(v)| v).map_err(|e| {
        ApiError(AppError::invalid(
            "query",
            format!("The query string is malformed: {}", e.body_text()),
        ))
    })
}

/// The revision a write is based on: `If-Match: "12"` (the ETag of the last read). Missing is
/// 428, not a revision is 400.
fn if_match(headers: &HeaderMap) -> Result<i64, ApiError> {
    let Some(v) = headers.get(header::IF_MATCH) else {
        return Err(ApiError(AppError::PreconditionRequired(
            "Send If-Match with the ETag of the revision this change is based on (GET it first)."
                .into(),
        )));
    };
    let raw = v.to_str().unwrap_or("").trim();
    let raw = raw.strip_prefix("W/").unwrap_or(raw);
    raw.trim_matches('"').parse::<i64>().map_err(|_| {
        ApiError(AppError::invalid(
            "If-Match",
            "If-Match must be the ETag of a revision, such as \"12\".",
        ))
    })
}

fn etag(revision: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{revision}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

/// The builder's `Conflict` is the API's 412 (the revision in `If-Match` is not the current).
fn precondition(e: AppError) -> ApiError {
    match e {
        AppError::Conflict { current_revision } => {
            ApiError(AppError::PreconditionFailed { current_revision })
        }
        e => ApiError(e),
    }
}

fn json_with_etag<T: Serialize>(status: StatusCode, value: &T, revision: i64) -> Response {
    let mut res = (status, Json(value)).into_response();
    res.headers_mut().insert(header::ETAG, etag(revision));
    res
}

async fn tx_for(state: &AppState, key: &ApiKey) -> Result<Tx, ApiError> {
    Ok(app::db::tenant_tx(&state.pool, key.0.tenant_id).await?)
}

/// An `Idempotency-Key` claimed in the write's transaction (see `db::idempotency`).
struct Idem {
    key: Option<String>,
}

/// A write's headers, address and body: what idempotency keys and `If-Match` read. It reads the
/// body (within the router's body limit), so it is a handler's last argument.
struct WriteReq {
    headers: HeaderMap,
    uri: Uri,
    bytes: Bytes,
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for WriteReq {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let headers = req.headers().clone();
        let uri = req.uri().clone();
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(WriteReq {
            headers,
            uri,
            bytes,
        })
    }
}

impl WriteReq {
    fn body<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        body(&self.bytes)
    }

    /// Opens the key's tenant transaction and claims the request's `Idempotency-Key`, if any, in
    /// it. `Ok(Err(response))` is the stored answer to replay.
    async fn begin(
        &self,
        state: &AppState,
        key: &ApiKey,
    ) -> Result<Result<(Tx, Idem), Response>, ApiError> {
        let mut tx = tx_for(state, key).await?;
        let Some(raw) = self.headers.get("idempotency-key") else {
            return Ok(Ok((tx, Idem { key: None })));
        };
        let caller = &key.0;
        let idem_key = idempotency::parse_key(raw.to_str().unwrap_or(""))?;
        let hash = idempotency::request_hash("POST", self.uri.path(), &self.bytes);
        match idempotency::claim(&mut tx, caller.tenant_id, caller.key_id, &idem_key, &hash).await?
        {
            Claim::Fresh => Ok(Ok((
                tx,
                Idem {
                    key: Some(idem_key),
                },
            ))),
            Claim::Replay { status, body } => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
                let mut res = (status, Json(body)).into_response();
                res.headers_mut().insert(
                    HeaderName::from_static("idempotent-replayed"),
                    HeaderValue::from_static("true"),
                );
                Ok(Err(res))
            }
        }
    }
}

impl Idem {
    /// Stores the answer (same transaction as the write), then commits and answers.
    async fn finish<T: Serialize>(
        self,
        mut tx: Tx,
        caller: &ApiCaller,
        status: StatusCode,
        value: &T,
    ) -> ApiResult {
        let body = serde_json::to_value(value).map_err(|_| ApiError(AppError::Internal))?;
        if let Some(key) = &self.key {
            idempotency::store(
                &mut tx,
                caller.tenant_id,
                caller.key_id,
                key,
                status.as_u16(),
                &body,
            )
            .await?;
        }
        tx.commit().await?;
        Ok((status, Json(body)).into_response())
    }
}

// ── pagination ──────────────────────────────────────────────────────────────────────────

/// `limit` and `cursor` of a list request.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page, 1 to 100 (default 50).
    pub limit: Option<usize>,
    /// `next_cursor` of the previous page; absent for the first page.
    pub cursor: Option<String>,
}

/// A page of a list: `data`, and `next_cursor` (null on the last page).
#[derive(Serialize, ToSchema)]
pub struct Paged<T: ToSchema> {
    pub data: Vec<T>,
    pub next_cursor: Option<String>,
}

/// The cursor is opaque to callers: the last item's id and a number, hex-encoded. For lists
/// read whole ([`paginate`]) the number is the item's position: the next page starts after
/// that id (or at the position, if the item is gone meanwhile). For keyset lists
/// ([`keyset_page`]) it is the item's time in microseconds: the next page is the query's rows
/// after (time, id), whatever was added or deleted meanwhile.
fn encode_cursor(id: Uuid, n: i64) -> String {
    let mut bytes = id.as_bytes().to_vec();
    bytes.extend_from_slice(&n.to_be_bytes());
    hex::encode(bytes)
}

fn bad_cursor() -> ApiError {
    ApiError(AppError::invalid(
        "cursor",
        "This is not a cursor this API gave.",
    ))
}

fn decode_cursor(raw: &str) -> Result<(Uuid, i64), ApiError> {
    let bytes = hex::decode(raw.trim()).map_err(|_| bad_cursor())?;
    if bytes.len() != 24 {
        return Err(bad_cursor());
    }
    let id = Uuid::from_slice(&bytes[..16]).map_err(|_| bad_cursor())?;
    let mut n = [0u8; 8];
    n.copy_from_slice(&bytes[16..]);
    Ok((id, i64::from_be_bytes(n)))
}

fn limit_of(p: &PageParams) -> Result<usize, ApiError> {
    let limit = p.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError(AppError::invalid(
            "limit",
            format!("limit is 1 to {MAX_LIMIT}."),
        )));
    }
    Ok(limit)
}

type Key = (chrono::DateTime<chrono::Utc>, Uuid);

/// The (time, id) a keyset page starts after.
fn keyset_after(p: &PageParams) -> Result<Option<Key>, ApiError> {
    let Some(c) = &p.cursor else {
        return Ok(None);
    };
    let (id, micros) = decode_cursor(c)?;
    let at = chrono::DateTime::from_timestamp_micros(micros).ok_or_else(bad_cursor)?;
    Ok(Some((at, id)))
}

/// A keyset page from `rows` (the query asked for `limit + 1`: one more means a next page).
fn keyset_page<T: Serialize + ToSchema>(
    mut rows: Vec<T>,
    limit: usize,
    key_of: fn(&T) -> Key,
) -> Paged<T> {
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next_cursor = more
        .then(|| rows.last().map(key_of))
        .flatten()
        .map(|(at, id)| encode_cursor(id, at.timestamp_micros()));
    Paged {
        data: rows,
        next_cursor,
    }
}

fn paginate<T: Serialize + ToSchema>(
    items: Vec<T>,
    id_of: fn(&T) -> Uuid,
    p: &PageParams,
) -> Result<Paged<T>, ApiError> {
    let limit = limit_of(p)?;
    let start = match &p.cursor {
        None => 0,
        Some(c) => {
            let (id, pos) = decode_cursor(c)?;
            let pos = usize::try_from(pos).unwrap_or(0);
            items
                .iter()
                .position(|t| id_of(t) == id)
                .map_or(pos.min(items.len()), |i| i + 1)
        }
    };
    let total = items.len();
    let data: Vec<T> = items.into_iter().skip(start).take(limit).collect();
    let end = start + data.len();
    let next_cursor = (end < total)
        .then(|| data.last().map(|t| encode_cursor(id_of(t), end as i64)))
        .flatten();
    Ok(Paged { data, next_cursor })
}

// ── bodies ──────────────────────────────────────────────────────────────────────────────

/// `POST /api/v1/websites/{id}/pages`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPage {
    pub title: String,
    /// The page's address, such as `/menu`.
    pub slug: String,
}

/// `POST /api/v1/websites/{id}/publish`.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PublishBody {
    /// Kept with the deployment (at most 500 characters).
    #[serde(default)]
    pub notes: Option<String>,
}

/// `POST /api/v1/websites/{id}/rollback`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RollbackBody {
    pub deployment_id: Uuid,
}

/// `POST /api/v1/pages/{id}/components`: a new block after `after` (or first).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InsertBody {
    /// `{ "id": uuid, "block": { "type": …, "props": … }, "is_visible": true, "is_locked": false }`.
    #[schema(value_type = Object)]
    pub block: NewBlock,
    #[serde(default)]
    pub after: Option<Uuid>,
}

/// `PATCH /api/v1/pages/{id}/components/{cid}`: flags and/or position; absent fields stay.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PatchComponentBody {
    #[serde(default)]
    pub is_visible: Option<bool>,
    #[serde(default)]
    pub is_locked: Option<bool>,
    /// Move the block directly after this one; `null` moves it to the top.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub after: Option<Option<Uuid>>,
}

/// Tells an absent `after` (do not move: `None`) from `"after": null` (to the top).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<Uuid>>, D::Error> {
    Option::<Uuid>::deserialize(d).map(Some)
}

/// A page's content: its blocks in order and the revision (also the `ETag`).
#[derive(Serialize, ToSchema)]
pub struct PageContent {
    pub page_id: Uuid,
    pub revision: i64,
    pub data: Vec<ComponentDto>,
}

/// Filters of `GET /api/v1/form-submissions`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubmissionParams {
    /// Only submissions of this website.
    pub website_id: Option<Uuid>,
    /// Only those not yet marked processed.
    #[serde(default)]
    pub unprocessed: bool,
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

/// Filters of `GET /api/v1/assets` (as the media library's).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssetParams {
    #[serde(default)]
    pub search: String,
    /// `image`, `video` or `raw`.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub tag: String,
    /// `date` (default), `size` or `name`.
    #[serde(default)]
    pub sort: String,
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

/// The app's typed error (`AppError`), as every endpoint answers it: `"Unauthorized"`,
/// `{"Forbidden": "…"}`, `{"NotFound": "Page"}`, `{"Invalid": {"field": …, "message": …}}`,
/// `{"PreconditionFailed": {"current_revision": 12}}`, `{"PreconditionRequired": "…"}`,
/// `"IdempotencyKeyReused"`, `{"TooManyRequests": {"retry_after_secs": 30}}`, …
#[derive(ToSchema)]
#[schema(value_type = Object)]
pub struct ErrorBody(pub Value);

// ── handlers ────────────────────────────────────────────────────────────────────────────

/// The websites of the key's tenant (as the dashboard lists them).
#[utoipa::path(get, path = "/api/v1/websites", tag = "websites", params(PageParams),
    responses((status = 200, body = Paged<WebsiteSummary>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)),
    security(("bearer" = ["read_sites"])))]
async fn list_websites(
    State(state): State<AppState>,
    key: ApiKey,
    q: Result<Query<PageParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    key.actor(ApiScope::ReadSites)?;
    let p = query(q)?;
    let mut tx = tx_for(&state, &key).await?;
    let sites = app::db::websites::list(&mut tx).await?;
    tx.commit().await?;
    Ok(Json(paginate(sites, |w| w.id, &p)?).into_response())
}

/// One website.
#[utoipa::path(get, path = "/api/v1/websites/{website_id}", tag = "websites",
    params(("website_id" = Uuid, Path)),
    responses((status = 200, body = WebsiteSummary), (status = 404, body = ErrorBody)),
    security(("bearer" = ["read_sites"])))]
async fn get_website(
    State(state): State<AppState>,
    key: ApiKey,
    Path(website_id): Path<String>,
) -> ApiResult {
    key.actor(ApiScope::ReadSites)?;
    let id = parse_id(&website_id, "website_id", "website")?;
    let mut tx = tx_for(&state, &key).await?;
    let sites = app::db::websites::list(&mut tx).await?;
    tx.commit().await?;
    let site = sites
        .into_iter()
        .find(|w| w.id == id)
        .ok_or_else(|| ApiError(AppError::NotFound("Website".into())))?;
    Ok(Json(site).into_response())
}

/// The website's pages in navigation order (as the Pages panel lists them).
#[utoipa::path(get, path = "/api/v1/websites/{website_id}/pages", tag = "pages",
    params(("website_id" = Uuid, Path), PageParams),
    responses((status = 200, body = Paged<PageInfo>), (status = 404, body = ErrorBody)),
    security(("bearer" = ["read_sites"])))]
async fn list_pages(
    State(state): State<AppState>,
    key: ApiKey,
    Path(website_id): Path<String>,
    q: Result<Query<PageParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    key.actor(ApiScope::ReadSites)?;
    let website_id = parse_id(&website_id, "website_id", "website")?;
    let p = query(q)?;
    let mut tx = tx_for(&state, &key).await?;
    let overview = app::db::pages::overview(&mut tx, key.0.tenant_id, website_id).await?;
    tx.commit().await?;
    Ok(Json(paginate(overview.pages, |p| p.id, &p)?).into_response())
}

/// Creates a draft page (the plan's page limit applies: 402). Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/websites/{website_id}/pages", tag = "pages",
    params(("website_id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body = NewPage,
    responses((status = 201, body = PageInfo, headers(("ETag" = String))), (status = 400, body = ErrorBody), (status = 402, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = ["write_content"])))]
async fn create_page(
    State(state): State<AppState>,
    key: ApiKey,
    Path(website_id): Path<String>,
    w: WriteReq,
) -> ApiResult {
    let actor = key.actor(ApiScope::WriteContent)?;
    let website_id = parse_id(&website_id, "website_id", "website")?;
    let new: NewPage = w.body()?;
    let (mut tx, idem) = match w.begin(&state, &key).await? {
        Ok(t) => t,
        Err(replay) => return Ok(replay),
    };
    let created = ops::create_page(&mut tx, &actor, website_id, &new.title, &new.slug).await?;
    let page = created
        .overview
        .pages
        .into_iter()
        .find(|p| p.id == created.id)
        .ok_or(ApiError(AppError::Internal))?;
    let rev = page.settings_revision;
    let mut res = idem.finish(tx, &key.0, StatusCode::CREATED, &page).await?;
    res.headers_mut().insert(header::ETAG, etag(rev));
    Ok(res)
}

async fn page_info(tx: &mut Tx, tenant: Uuid, page_id: Uuid) -> Result<PageInfo, ApiError> {
    let website = app::db::pages::website_of(tx, page_id).await?;
    let overview = app::db::pages::overview(tx, tenant, website).await?;
    overview
        .pages
        .into_iter()
        .find(|p| p.id == page_id)
        .ok_or(ApiError(AppError::NotFound("Page".into())))
}

/// One page's settings; the `ETag` is their revision (for `PATCH` and `DELETE`).
#[utoipa::path(get, path = "/api/v1/pages/{page_id}", tag = "pages",
    params(("page_id" = Uuid, Path)),
    responses((status = 200, body = PageInfo, headers(("ETag" = String))), (status = 404, body = ErrorBody)),
    security(("bearer" = ["read_sites"])))]
async fn get_page(
    State(state): State<AppState>,
    key: ApiKey,
    Path(page_id): Path<String>,
) -> ApiResult {
    key.actor(ApiScope::ReadSites)?;
    let page_id = parse_id(&page_id, "page_id", "page")?;
    let mut tx = tx_for(&state, &key).await?;
    let page = page_info(&mut tx, key.0.tenant_id, page_id).await?;
    tx.commit().await?;
    let rev = page.settings_revision;
    Ok(json_with_etag(StatusCode::OK, &page, rev))
}

/// Changes a page's settings (the builder's page settings patch: title, slug, status,
/// navigation, SEO, layout). Needs `If-Match` with the page's `ETag`.
#[utoipa::path(patch, path = "/api/v1/pages/{page_id}", tag = "pages",
    params(("page_id" = Uuid, Path), ("If-Match" = String, Header)),
    request_body(content = Object, description = "Fields to change: title, slug, status, show_in_nav, nav_label, seo_meta, page_config"),
    responses((status = 200, body = PageInfo, headers(("ETag" = String))), (status = 412, body = ErrorBody), (status = 428, body = ErrorBody)),
    security(("bearer" = ["write_content"])))]
async fn update_page(
    State(state): State<AppState>,
    key: ApiKey,
    Path(page_id): Path<String>,
    w: WriteReq,
) -> ApiResult {
    let actor = key.actor(ApiScope::WriteContent)?;
    let page_id = parse_id(&page_id, "page_id", "page")?;
    let base = if_match(&w.headers)?;
    let patch: PagePatch = w.body()?;
    let mut tx = tx_for(&state, &key).await?;
    ops::update_page(&mut tx, &actor, page_id, base, patch)
        .await
        .map_err(precondition)?;
    let page = page_info(&mut tx, key.0.tenant_id, page_id).await?;
    tx.commit().await?;
    let rev = page.settings_revision;
    Ok(json_with_etag(StatusCode::OK, &page, rev))
}

/// Deletes a page (not the home page). Needs `If-Match` with the page's `ETag`.
#[utoipa::path(delete, path = "/api/v1/pages/{page_id}", tag = "pages",
    params(("page_id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 204), (status = 412, body = ErrorBody), (status = 428, body = ErrorBody)),
    security(("bearer" = ["write_content"])))]
async fn delete_page(
    State(state): State<AppState>,
    key: ApiKey,
    Path(page_id): Path<String>,
    headers: HeaderMap,
) -> ApiResult {
    let actor = key.actor(ApiScope::WriteContent)?;
    let page_id = parse_id(&page_id, "page_id", "page")?;
    let base = if_match(&headers)?;
    let mut tx = tx_for(&state, &key).await?;
    ops::delete_page(&mut tx, &actor, page_id, base)
        .await
        .map_err(precondition)?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn content(tx: &mut Tx, key: &ApiKey, page_id: Uuid) -> Result<PageContent, ApiError> {
    let data = app::db::builder::load(tx, page_id, key.0.role).await?;
    Ok(PageContent {
        page_id,
        revision: data.revision,
        data: data.components,
    })
}

/// A page's blocks in order; the `ETag` is the content revision (for block writes).
#[utoipa::path(get, path = "/api/v1/pages/{page_id}/components", tag = "components",
    params(("page_id" = Uuid, Path)),
    responses((status = 200, body = PageContent, headers(("ETag" = String))), (status = 404, body = ErrorBody)),
    security(("bearer" = ["read_sites"])))]
async fn get_content(
    State(state): State<AppState>,
    key: ApiKey,
    Path(page_id): Path<String>,
) -> ApiResult {
    key.actor(ApiScope::ReadSites)?;
    let page_id = parse_id(&page_id, "page_id", "page")?;
    let mut tx = tx_for(&state, &key).await?;
    let c = content(&mut tx, &key, page_id).await?;
    tx.commit().await?;
    let rev = c.revision;
    Ok(json_with_etag(StatusCode::OK, &c, rev))
}

/// Adds a block (checked like the builder's). Needs `If-Match`; honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/pages/{page_id}/components", tag = "components",
    params(("page_id" = Uuid, Path), ("If-Match" = String, Header), ("Idempotency-Key" = Option<String>, Header)),
    request_body = InsertBody,
    responses((status = 201, body = ComponentMoved, headers(("ETag" = String))), (status = 400, body = ErrorBody), (status = 412, body = ErrorBody), (status = 428, body = ErrorBody)),
    security(("bearer" = ["write_content"])))]
async fn insert_component(
    State(state): State<AppState>,
    key: ApiKey,
    Path(page_id): Path<String>,
    w: WriteReq,
) -> ApiResult {
    let actor = key.actor(ApiScope::WriteContent)?;
    let page_id = parse_id(&page_id, "page_id", "page")?;
    let base = if_match(&w.headers)?;
    let b: InsertBody = w.body()?;
    let (mut tx, idem) = match w.begin(&state, &key).await? {
        Ok(t) => t,
        Err(replay) => return Ok(replay),
    };
    let moved = ops::insert_component(&mut tx, &actor, page_id, &b.block, b.after, base)
        .await
        .map_err(precondition)?;
    let rev = moved.revision;
    let mut res = idem.finish(tx, &key.0, StatusCode::CREATED, &moved).await?;
    res.headers_mut().insert(header::ETAG, etag(rev));
    Ok(res)
}

/// Replaces a block's content (`{ "type": …, "props": … }`, the same validators as the
/// builder). Needs `If-Match`.
#[utoipa::path(put, path = "/api/v1/pages/{page_id}/components/{component_id}", tag = "components",
    params(("page_id" = Uuid, Path), ("component_id" = Uuid, Path), ("If-Match" = String, Header)),
    request_body(content = Object, description = "The block: { \"type\": kind, \"props\": { … } }"),
    responses((status = 200, body = SaveAck, headers(("ETag" = String))), (status = 400, body = ErrorBody), (status = 412, body = ErrorBody), (status = 428, body = ErrorBody)),
    security(("bearer" = ["write_content"])))]
async fn put_component(
    State(state): State<AppState>,
    key: ApiKey,
    Path((page_id, component_id)): Path<(String, String)>,
    w: WriteReq,
) -> ApiResult {
    let actor = key.actor(ApiScope::WriteContent)?;
    let page_id = parse_id(&page_id, "page_id", "page")?;
    let component_id = parse_id(&component_id, "component_id", "block")?;
    let base = if_match(&w.headers)?;
    let block: BlockProps = w.body()?;
    let mut tx = tx_for(&state, &key).await?;
    let ack = ops::update_component(&mut tx, &actor, page_id, component_id, &block, base)
        .await
        .map_err(precondition)?;
    tx.commit().await?;
    Ok(json_with_etag(StatusCode::OK, &ack, ack.revision))
}

/// Shows, hides, locks, unlocks or moves a block. Needs `If-Match`.
#[utoipa::path(patch, path = "/api/v1/pages/{page_id}/components/{component_id}", tag = "components",
    params(("page_id" = Uuid, Path), ("component_id" = Uuid, Path), ("If-Match" = String, Header)),
    request_body = PatchComponentBody,
    responses((status = 200, body = SaveAck, headers(("ETag" = String))), (status = 412, body = ErrorBody), (status = 428, body = ErrorBody)),
    security(("bearer" = ["write_content"])))]
async fn patch_component(
    State(state): State<AppState>,
    key: ApiKey,
    Path((page_id, component_id)): Path<(String, String)>,
    w: WriteReq,
) -> ApiResult {
    let actor = key.actor(ApiScope::WriteContent)?;
    let page_id = parse_id(&page_id, "page_id", "page")?;
    let component_id = parse_id(&component_id, "component_id", "block")?;
    let mut revision = if_match(&w.headers)?;
    let b: PatchComponentBody = w.body()?;
    if b.is_visible.is_none() && b.is_locked.is_none() && b.after.is_none() {
        return Err(ApiError(AppError::invalid(
            "request",
            "Send is_visible, is_locked or after.",
        )));
    }
    let mut tx = tx_for(&state, &key).await?;
    if b.is_visible.is_some() || b.is_locked.is_some() {
        revision = ops::set_component_flags(
            &mut tx,
            &actor,
            page_id,
            component_id,
            b.is_visible,
            b.is_locked,
            revision,
        )
        .await
        .map_err(precondition)?
        .revision;
    }
    if let Some(after) = b.after {
        revision = ops::move_component(&mut tx, &actor, page_id, component_id, after, revision)
            .await
            .map_err(precondition)?
            .revision;
    }
    tx.commit().await?;
    Ok(json_with_etag(
        StatusCode::OK,
        &SaveAck { revision },
        revision,
    ))
}

/// Deletes a block. Needs `If-Match`.
#[utoipa::path(delete, path = "/api/v1/pages/{page_id}/components/{component_id}", tag = "components",
    params(("page_id" = Uuid, Path), ("component_id" = Uuid, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = SaveAck, headers(("ETag" = String))), (status = 412, body = ErrorBody), (status = 428, body = ErrorBody)),
    security(("bearer" = ["write_content"])))]
async fn delete_component(
    State(state): State<AppState>,
    key: ApiKey,
    Path((page_id, component_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult {
    let actor = key.actor(ApiScope::WriteContent)?;
    let page_id = parse_id(&page_id, "page_id", "page")?;
    let component_id = parse_id(&component_id, "component_id", "block")?;
    let base = if_match(&headers)?;
    let mut tx = tx_for(&state, &key).await?;
    let ack = ops::delete_component(&mut tx, &actor, page_id, component_id, base)
        .await
        .map_err(precondition)?;
    tx.commit().await?;
    Ok(json_with_etag(StatusCode::OK, &ack, ack.revision))
}

/// Publishes the website's draft (the builder's publish: verified email, plan limits, the
/// plan's publish rate). Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/websites/{website_id}/publish", tag = "deployments",
    params(("website_id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body = PublishBody,
    responses((status = 201, body = Published), (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)),
    security(("bearer" = ["publish"])))]
async fn publish(
    State(state): State<AppState>,
    key: ApiKey,
    Path(website_id): Path<String>,
    w: WriteReq,
) -> ApiResult {
    let actor = key.actor(ApiScope::Publish)?;
    let website_id = parse_id(&website_id, "website_id", "website")?;
    let b: PublishBody = w.body()?;
    // The plan's publish rate (shared with the builder's publish), before the transaction
    // takes a pooled connection.
    rate_limits::check(&state.pool, key.0.tenant_id, Bucket::Publish).await?;
    let (mut tx, idem) = match w.begin(&state, &key).await? {
        Ok(t) => t,
        Err(replay) => return Ok(replay),
    };
    let published = ops::publish(&mut tx, &actor, website_id, b.notes).await?;
    idem.finish(tx, &key.0, StatusCode::CREATED, &published)
        .await
}

/// Makes an earlier deployment live again. Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/websites/{website_id}/rollback", tag = "deployments",
    params(("website_id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body = RollbackBody,
    responses((status = 200, body = RolledBack), (status = 404, body = ErrorBody)),
    security(("bearer" = ["publish"])))]
async fn rollback(
    State(state): State<AppState>,
    key: ApiKey,
    Path(website_id): Path<String>,
    w: WriteReq,
) -> ApiResult {
    let actor = key.actor(ApiScope::Publish)?;
    let website_id = parse_id(&website_id, "website_id", "website")?;
    let b: RollbackBody = w.body()?;
    let (mut tx, idem) = match w.begin(&state, &key).await? {
        Ok(t) => t,
        Err(replay) => return Ok(replay),
    };
    let rolled = ops::rollback(&mut tx, &actor, website_id, b.deployment_id).await?;
    idem.finish(tx, &key.0, StatusCode::OK, &rolled).await
}

/// The website's deployments, newest first.
#[utoipa::path(get, path = "/api/v1/websites/{website_id}/deployments", tag = "deployments",
    params(("website_id" = Uuid, Path), PageParams),
    responses((status = 200, body = Paged<DeploymentSummary>), (status = 404, body = ErrorBody)),
    security(("bearer" = ["read_sites"])))]
async fn list_deployments(
    State(state): State<AppState>,
    key: ApiKey,
    Path(website_id): Path<String>,
    q: Result<Query<PageParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    key.actor(ApiScope::ReadSites)?;
    let website_id = parse_id(&website_id, "website_id", "website")?;
    let p = query(q)?;
    let (limit, after) = (limit_of(&p)?, keyset_after(&p)?);
    let mut tx = tx_for(&state, &key).await?;
    let rows =
        app::db::deployments::list_page(&mut tx, website_id, after, limit as i64 + 1).await?;
    tx.commit().await?;
    Ok(Json(keyset_page(rows, limit, |d| (d.deployed_at, d.id))).into_response())
}

/// Contact-form submissions, newest first (the forms inbox's list).
#[utoipa::path(get, path = "/api/v1/form-submissions", tag = "forms",
    params(SubmissionParams),
    responses((status = 200, body = Paged<SubmissionSummary>), (status = 403, body = ErrorBody)),
    security(("bearer" = ["read_submissions"])))]
async fn list_submissions(
    State(state): State<AppState>,
    key: ApiKey,
    q: Result<Query<SubmissionParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let actor = key.actor(ApiScope::ReadSubmissions)?;
    actor.allow(
        app::model::Role::can_view_submissions,
        app::api::forms::CANNOT_VIEW,
    )?;
    let q = query(q)?;
    let p = PageParams {
        limit: q.limit,
        cursor: q.cursor,
    };
    let (limit, after) = (limit_of(&p)?, keyset_after(&p)?);
    let mut tx = tx_for(&state, &key).await?;
    if let Some(w) = q.website_id {
        app::db::websites::require(&mut tx, w).await?;
    }
    let rows = app::db::forms::list_page(
        &mut tx,
        key.0.tenant_id,
        q.unprocessed,
        q.website_id,
        after,
        limit as i64 + 1,
    )
    .await?;
    tx.commit().await?;
    Ok(Json(keyset_page(rows, limit, |s| (s.created_at, s.id))).into_response())
}

/// The media library (filters and sort as the app's).
#[utoipa::path(get, path = "/api/v1/assets", tag = "assets",
    params(AssetParams),
    responses((status = 200, body = Paged<AssetInfo>), (status = 400, body = ErrorBody)),
    security(("bearer" = ["manage_assets"])))]
async fn list_assets(
    State(state): State<AppState>,
    key: ApiKey,
    q: Result<Query<AssetParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let actor = key.actor(ApiScope::ManageAssets)?;
    let q = query(q)?;
    let filter = AssetQuery {
        search: q.search,
        kind: q.kind,
        tag: q.tag,
        sort: q.sort,
    };
    let mut tx = tx_for(&state, &key).await?;
    let library = ops::list_assets(&mut tx, &actor, &filter).await?;
    tx.commit().await?;
    let p = PageParams {
        limit: q.limit,
        cursor: q.cursor,
    };
    Ok(Json(paginate(library.assets, |a| a.id, &p)?).into_response())
}

// ── OpenAPI ─────────────────────────────────────────────────────────────────────────────

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API key (`sp_live_…`) from the API keys page; the OAuth-style scopes \
                         listed per operation are the key's scopes.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The OpenAPI document of every v1 route.
#[derive(OpenApi)]
#[openapi(
    info(title = "SitePilot REST API", version = "1",
        description = "Websites, pages, blocks, publishing, deployments, form submissions and assets of one SitePilot account, with bearer API keys. Errors are the app's typed JSON error with its status; writes to a page take If-Match; POSTs take Idempotency-Key; every answer carries RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset."),
    paths(list_websites, get_website, list_pages, create_page, get_page, update_page, delete_page,
        get_content, insert_component, put_component, patch_component, delete_component,
        publish, rollback, list_deployments, list_submissions, list_assets),
    modifiers(&BearerAuth),
    tags((name = "websites"), (name = "pages"), (name = "components", description = "A page's blocks"),
        (name = "deployments", description = "Publish, roll back, list"), (name = "forms"), (name = "assets"))
)]
pub struct ApiDoc;

/// The document as JSON (built once).
pub fn openapi_document() -> &'static Value {
    static DOC: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    DOC.get_or_init(|| serde_json::to_value(ApiDoc::openapi()).unwrap_or(Value::Null))
}

async fn openapi_json() -> Response {
    let mut res = Json(openapi_document()).into_response();
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    res
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `GET /api/v1/reference`: every operation of the document, server-rendered (no scripts).
async fn reference() -> Html<String> {
    let doc = openapi_document();
    let mut out = String::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>SitePilot REST API reference</title>\
         <link rel=\"stylesheet\" href=\"/pkg/sitepilot.css\"></head><body><main class=\"app-narrow api-reference\">\
         <h1>SitePilot REST API v1</h1>",
    );
    if let Some(d) = doc["info"]["description"].as_str() {
        out.push_str(&format!("<p>{}</p>", escape(d)));
    }
    out.push_str(
        "<p>Machine-readable: <a href=\"/api/v1/openapi.json\">openapi.json</a> (OpenAPI 3.1).</p>",
    );
    let mut ops: Vec<(String, String, &Value)> = Vec::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            for (method, op) in item.as_object().into_iter().flatten() {
                ops.push((path.clone(), method.to_uppercase(), op));
            }
        }
    }
    ops.sort_by(|a, b| (a.2["tags"][0].as_str(), &a.0).cmp(&(b.2["tags"][0].as_str(), &b.0)));
    for (path, method, op) in ops {
        out.push_str(&format!(
            "<section class=\"api-op\"><h2><code>{method} {}</code></h2>",
            escape(&path)
        ));
        let summary = op["summary"].as_str().or(op["description"].as_str());
        if let Some(s) = summary {
            out.push_str(&format!("<p>{}</p>", escape(s)));
        }
        let scopes: Vec<&str> = op["security"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["bearer"].as_array())
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if !scopes.is_empty() {
            out.push_str(&format!(
                "<p>Scope: <code>{}</code></p>",
                escape(&scopes.join(", "))
            ));
        }
        let params: Vec<String> = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                format!(
                    "<li><code>{}</code> ({}{})</li>",
                    escape(p["name"].as_str().unwrap_or("")),
                    escape(p["in"].as_str().unwrap_or("")),
                    if p["required"].as_bool() == Some(true) {
                        ", required"
                    } else {
                        ""
                    }
                )
            })
            .collect();
        if !params.is_empty() {
            out.push_str(&format!("<h3>Parameters</h3><ul>{}</ul>", params.join("")));
        }
        let mut codes: Vec<String> = op["responses"]
            .as_object()
            .map(|r| r.keys().cloned().collect())
            .unwrap_or_default();
        codes.sort();
        out.push_str(&format!(
            "<p>Answers: {}</p></section>",
            escape(&codes.join(", "))
        ));
    }
    out.push_str("</main></body></html>");
    Html(out)
}
