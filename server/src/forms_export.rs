//! `GET /forms/export/{website_id}`: a website's contact form submissions as a CSV download,
//! for signed-in owners and admins (the check is `app::api::forms::export_csv_for`).

use app::api::ctx::Caller;
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
    let Ok(website_id) = Uuid::parse_str(&website_id) else {
        return (StatusCode::NOT_FOUND, "Website not found.").into_response();
    };
    let csv = app::api::forms::export_csv_for(&state.pool, &caller, website_id).await;
    crate::http::download::attachment(
        csv.map(|(csv, rate)| {
            let name = format!("submissions-{}.csv", website_id.simple());
            (csv, name, Some(rate))
        }),
        "text/csv; charset=utf-8",
    )
}
