//! The one error type every server function returns. Variants are what the UI can act on;
//! internal causes are logged on the server and replaced by a generic message, so SQL text,
//! paths or stack traces never reach the browser.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please log in to continue.")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} not found.")]
    NotFound(String),
    /// Bad input for one field; `field` matches the form input's name.
    #[error("{message}")]
    Invalid { field: String, message: String },
    /// The page changed since the revision the edit was based on.
    #[error("This page was changed in another tab or by another editor. Reload to see the latest version.")]
    Conflict { current_revision: i64 },
    /// The thing cannot go while something still uses it (a global block placed on pages):
    /// HTTP 409, with a message that names the uses.
    #[error("{0}")]
    InUse(String),
    /// A plan limit. `limit` is the `plans` column (e.g. `max_websites`), `upgrade_to` the name
    /// of the smallest plan that lifts it (`None` when no plan does).
    #[error("{}", limit_message(what, *max, upgrade_to.as_deref()))]
    LimitReached {
        what: String,
        max: i64,
        #[serde(default)]
        limit: String,
        #[serde(default)]
        upgrade_to: Option<String>,
    },
    /// Too many attempts from this account or address (log-in, sign-up): HTTP 429 with
    /// `Retry-After: retry_after_secs`.
    #[error("{}", too_many_message(*retry_after_secs))]
    TooManyRequests { retry_after_secs: u64 },
    /// The server is at capacity for this work (password hashing): HTTP 503 with
    /// `Retry-After: retry_after_secs`.
    #[error("The server is busy. Try again in a few seconds.")]
    Unavailable { retry_after_secs: u64 },
    /// Publishing needs a verified email address (issue 18): the UI offers to resend the link.
    #[error("Confirm your email address {email} before publishing: follow the link in the email we sent you, or send it again.")]
    EmailUnverified { email: String },
    /// REST API: the `If-Match` revision is not the current one (HTTP 412); the body carries
    /// the current revision, as `Conflict` does for the builder.
    #[error("The page changed since the revision in If-Match; it is now at revision {current_revision}. Fetch it again and retry.")]
    PreconditionFailed { current_revision: i64 },
    /// REST API: a write that needs `If-Match` was sent without it (HTTP 428).
    #[error("{0}")]
    PreconditionRequired(String),
    /// REST API: an `Idempotency-Key` reused with a different request (HTTP 422).
    #[error("This Idempotency-Key was already used for a different request. Use a new key for a new request.")]
    IdempotencyKeyReused,
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// Transport-level failure (network down, server unreachable, bad response).
    #[error("Could not reach the server ({0}).")]
    Transport(String),
}

/// "Too many attempts. Try again in 15 minutes." (whole minutes, rounded up)
fn too_many_message(retry_after_secs: u64) -> String {
    let minutes = retry_after_secs.div_ceil(60).max(1);
    let unit = if minutes == 1 { "minute" } else { "minutes" };
    format!("Too many attempts. Try again in {minutes} {unit}.")
}

/// "Your plan allows 1 website. Upgrade to Growth to add more."
/// A feature the plan lacks (max 0): "Custom HTML blocks are available on the Pro plan. Upgrade to use them."
fn limit_message(what: &str, max: i64, upgrade_to: Option<&str>) -> String {
    match upgrade_to {
        Some(plan) if max == 0 => {
            format!("{what} are available on the {plan} plan. Upgrade to use them.")
        }
        Some(plan) => format!("Your plan allows {max} {what}. Upgrade to {plan} to add more."),
        None => format!("Your plan allows {max} {what}."),
    }
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.to_string(),
            message: message.into(),
        }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden(message.into())
    }

    /// The field an error belongs to, for inline form messages.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

impl AppError {
    /// The HTTP status this error is answered with. The one place the mapping lives: the
    /// server sets it on every server-function error response (`server/src/http/api_errors.rs`),
    /// and the body stays the typed JSON of the error, which the browser decodes for any 4xx
    /// or 5xx. `LimitReached` is 402 Payment Required: a bigger plan lifts it.
    pub fn status(&self) -> u16 {
        match self {
            Self::Unauthorized => 401,
            Self::Forbidden(_) | Self::EmailUnverified { .. } => 403,
            Self::NotFound(_) => 404,
            Self::Invalid { .. } => 400,
            Self::Conflict { .. } | Self::InUse(_) => 409,
            Self::PreconditionFailed { .. } => 412,
            Self::PreconditionRequired(_) => 428,
            Self::IdempotencyKeyReused => 422,
            Self::LimitReached { .. } => 402,
            Self::TooManyRequests { .. } => 429,
            Self::Unavailable { .. } => 503,
            Self::Internal => 500,
            // Only ever made in the browser; a gateway standing in for an unreachable server.
            Self::Transport(_) => 502,
        }
    }
}

impl AppError {
    /// Seconds for the `Retry-After` header of a 429 or 503.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Self::TooManyRequests { retry_after_secs } | Self::Unavailable { retry_after_secs } => {
                Some(*retry_after_secs)
            }
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// On the server every failure to read the request (a missing or mistyped argument, a body
    /// that is not the JSON the function takes, a body cut short) is the caller's:
    /// `Invalid { field: "request" }`. Anything else there is ours (`Internal`, logged).
    /// `Transport` is only made in the browser, where these errors mean the server could not
    /// be reached or answered something that is not ours.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) => {
                Self::invalid("request", format!("The request was malformed: {m}"))
            }
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(m) | ServerFnErrorErr::Request(m) => {
                Self::invalid("request", format!("The request was malformed: {m}"))
            }
            #[cfg(feature = "ssr")]
            other => {
                tracing::error!(error = %other, "server function failed outside its body");
                Self::Internal
            }
            #[cfg(not(feature = "ssr"))]
            other => Self::Transport(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::AppError;

    /// Unique constraints whose violation is the user's to fix, mapped to the form field
    /// and message. Matched by constraint name (set in the migrations), never by error text.
    const CONSTRAINT_FIELDS: &[(&str, &str, &str)] = &[
        (
            "websites_subdomain_key",
            "subdomain",
            "This address is taken. Choose another.",
        ),
        (
            "website_subdomain_redirect_held",
            "subdomain",
            "This address still redirects to another website for a few weeks. Choose another.",
        ),
        (
            "users_email_lower_key",
            "email",
            "An account with this email already exists. Log in instead.",
        ),
        (
            "website_products_slug_key",
            "slug",
            "Another product of this website already uses this address. Choose another.",
        ),
        (
            "website_promotions_code_key",
            "code",
            "Another promotion of this website already uses this code. Choose another.",
        ),
        (
            "website_product_variants_sku_key",
            "sku",
            "Another product of this website already uses this SKU.",
        ),
        (
            "pages_website_id_slug_key",
            "slug",
            "Another page on this website already uses this URL.",
        ),
        (
            "websites_custom_domain_key",
            "domain",
            "This domain is already connected to another website. If it is yours, remove it there first.",
        ),
        (
            "domain_verifications_domain_key",
            "domain",
            "This domain is already connected to another website. If it is yours, remove it there first.",
        ),
        (
            "components_page_id_order_key_key",
            "order",
            "Another edit changed the block order at the same time. Reload and try again.",
        ),
        (
            "team_invitations_pending_email_key",
            "email",
            "This email already has a pending invitation. Resend or revoke it instead.",
        ),
    ];

    impl From<sqlx::Error> for AppError {
        fn from(err: sqlx::Error) -> Self {
            if let sqlx::Error::Database(db) = &err {
                // read_only_sql_transaction: a write inside a staff impersonation's read-only
                // transaction (`db::tenant_tx_read_only`).
                if db.code().as_deref() == Some("25006") {
                    return AppError::forbidden(crate::api::ctx::READ_ONLY_IMPERSONATION);
                }
                if let Some(name) = db.constraint() {
                    if let Some((_, field, msg)) =
                        CONSTRAINT_FIELDS.iter().find(|(c, _, _)| *c == name)
                    {
                        return AppError::invalid(field, *msg);
                    }
                }
            }
            if matches!(err, sqlx::Error::RowNotFound) {
                return AppError::NotFound("Record".into());
            }
            tracing::error!(error = %err, "database error");
            AppError::Internal
        }
    }
}
