//! Who is asking: the middleware that gives every app request a `CallerSlot`, where the
//! session cookie is resolved at most once, on first use, into an `app::api::ctx::Caller`. Server functions (`api::ctx::member_tx`), the
//! deployment preview, the CSV export and the suspension guard all read that one answer.

use app::api::ctx::CallerSlot;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

/// Puts an empty [`CallerSlot`] on the request; the first reader of
/// `app::api::ctx::Caller::of_request` (or the `Caller` extractor) fills it.
pub async fn caller_slot(mut req: Request, next: Next) -> Response {
    req.extensions_mut().insert(CallerSlot::default());
    next.run(req).await
}
