//! REST API v1 (issue 21 part 2, first slice): bearer API keys and read access to websites and
//! pages. Every endpoint authenticates with [`ApiKey`] (the key's tenant, its creator's role and
//! its scopes, looked up in the database on every request), checks a scope, and then runs the
//! same `app::db` functions in the same tenant transaction as the server functions. Errors are
//! the app's typed `AppError` JSON with its status (401 without a valid key, with
//! `WWW-Authenticate: Bearer`; 403 for a missing scope; 404 for another tenant's records).

use app::db::api_keys::{self, ApiCaller};
use app::error::AppError;
use app::model::ApiScope;
use app::state::AppState;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use uuid::Uuid;

/// An error answered as the app's typed JSON body with its status.
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
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
        res
    }
}

/// The caller of an API request: `Authorization: Bearer sp_live_…`.
pub struct ApiKey(pub ApiCaller);

impl FromRequestParts<AppState> for ApiKey {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let key = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or(AppError::Unauthorized)?;
        let ip = app::api::ctx::client_ip_of(parts);
        Ok(ApiKey(api_keys::authenticate(&state.pool, key, ip).await?))
    }
}

/// The v1 routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/websites", get(websites))
        .route("/api/v1/websites/{website_id}/pages", get(pages))
}

/// `GET /api/v1/websites`: `{ "data": [website, …] }` (scope `read_sites`).
async fn websites(
    State(state): State<AppState>,
    ApiKey(caller): ApiKey,
) -> Result<Json<serde_json::Value>, ApiError> {
    caller.require(ApiScope::ReadSites)?;
    let mut tx = app::db::tenant_tx(&state.pool, caller.tenant_id).await?;
    let sites = app::db::websites::list(&mut tx).await?;
    tx.commit().await.map_err(AppError::from)?;
    Ok(Json(serde_json::json!({ "data": sites })))
}

/// `GET /api/v1/websites/{id}/pages`: `{ "data": [page, …] }` (scope `read_sites`).
async fn pages(
    State(state): State<AppState>,
    ApiKey(caller): ApiKey,
    Path(website_id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    caller.require(ApiScope::ReadSites)?;
    let website_id = website_id
        .parse::<Uuid>()
        .map_err(|_| AppError::invalid("website_id", "This is not a website id."))?;
    let mut tx = app::db::tenant_tx(&state.pool, caller.tenant_id).await?;
    let overview = app::db::pages::overview(&mut tx, caller.tenant_id, website_id).await?;
    tx.commit().await.map_err(AppError::from)?;
    Ok(Json(serde_json::json!({ "data": overview.pages })))
}
