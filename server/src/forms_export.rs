//! The CSV downloads of a website's records, for signed-in members whose role allows them:
//! - `GET /forms/export/{website_id}`: contact form submissions, owners and admins (the check
//!   is `app::api::forms::export_csv_for`);
//! - `GET /websites/{website_id}/orders.csv`: shop orders, every member (issue 22;
//!   `app::api::orders::export_csv_for`);
//! - `GET /websites/{website_id}/products.csv`: the shop's catalogue, every member (issue 22;
//!   `app::api::commerce::export_csv_for`), in the format the product import reads.

use app::api::ctx::Caller;
use app::db::rate_limits::RateState;
use app::error::AppError;
use app::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

pub async fn export(
    State(state): State<AppState>,
    Path(website_id): Path<String>,
    caller: Caller,
) -> Response {
    serve(state, website_id, caller, Export::Submissions).await
}

pub async fn orders(
    State(state): State<AppState>,
    Path(website_id): Path<String>,
    caller: Caller,
) -> Response {
    serve(state, website_id, caller, Export::Orders).await
}

pub async fn products(
    State(state): State<AppState>,
    Path(website_id): Path<String>,
    caller: Caller,
) -> Response {
    serve(state, website_id, caller, Export::Products).await
}

#[derive(Clone, Copy)]
enum Export {
    Submissions,
    Orders,
    Products,
}

async fn serve(state: AppState, website_id: String, caller: Caller, what: Export) -> Response {
    let Ok(website_id) = Uuid::parse_str(&website_id) else {
        return not_found();
    };
    let pool = &state.pool;
    let (csv, name) = match what {
        Export::Submissions => (
            app::api::forms::export_csv_for(pool, &caller, website_id).await,
            "submissions",
        ),
        Export::Orders => (
            app::api::orders::export_csv_for(pool, &caller, website_id).await,
            "orders",
        ),
        Export::Products => (
            app::api::commerce::export_csv_for(pool, &caller, website_id).await,
            "products",
        ),
    };
    download(csv, name, website_id)
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "Website not found.").into_response()
}

fn download(csv: Result<(String, RateState), AppError>, what: &str, website_id: Uuid) -> Response {
    crate::http::download::attachment(
        csv.map(|(csv, rate)| {
            let name = format!("{what}-{}.csv", website_id.simple());
            (csv, name, Some(rate))
        }),
        "text/csv; charset=utf-8",
    )
}
