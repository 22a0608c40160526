//! Wire types of the email links: password reset and email verification (issue 18 Part B).

use serde::{Deserialize, Serialize};

/// A password reset link works once, for this long.
pub const RESET_TOKEN_MINUTES: i64 = 60;
/// An email verification link works for this long.
pub const VERIFY_TOKEN_DAYS: i64 = 7;

/// What a password reset link leads to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ResetLinkState {
    /// Usable: the account's email is shown on the form.
    Valid {
        email: String,
    },
    Expired,
    Used,
    NotFound,
}

/// The signed-in member's email verification, for the banner and the publish control.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmailStatus {
    pub email: String,
    pub verified: bool,
    /// An SMTP server is configured (without one, the verification email stays in the outbox).
    pub delivery: bool,
}
