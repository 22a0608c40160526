//! Wire types of the operator console (platform staff, outside every tenant).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One organisation found by a staff search.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TenantHit {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub status: String,
    pub plan: String,
    pub owner_email: Option<String>,
    pub stripe_customer_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// One organisation's plan, usage and status, as staff see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TenantDetail {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    /// `active`, `suspended` (by staff or an unpaid subscription), `offboarded`.
    pub status: String,
    pub plan: String,
    pub max_websites: i32,
    pub storage_limit_mb: i32,
    pub websites: i64,
    pub members: i64,
    pub storage_bytes: i64,
    pub subscription_status: Option<String>,
    pub trial_end: Option<DateTime<Utc>>,
    pub staff_suspended_at: Option<DateTime<Utc>>,
    pub staff_suspension_reason: Option<String>,
    pub owner_email: Option<String>,
    pub stripe_customer_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_active_at: Option<DateTime<Utc>>,
}

/// Where a staff browser stands: signed out, waiting for the second factor, or in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum StaffState {
    SignedOut,
    SecondFactor {
        email: String,
    },
    SignedIn {
        email: String,
        /// The organisation being viewed read-only, if any: (id, name).
        impersonating: Option<(Uuid, String)>,
    },
}
