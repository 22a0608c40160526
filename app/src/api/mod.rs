//! Typed server functions, grouped by resource. Each is thin: authenticate, check the role,
//! open the tenant transaction, call `db`, commit.

pub mod ai;
pub mod analytics;
pub mod api_keys;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod billing;
pub mod billing_stripe;
pub mod branding;
pub mod builder;
pub mod categories;
pub mod commerce;
pub mod deployments;
pub mod domains;
pub mod duplicate;
pub mod forms;
pub mod global_blocks;
pub mod invite;
pub mod invoices;
pub mod orders;
pub mod org_lifecycle;
pub mod organisation;
pub mod pages;
pub mod promotions;
pub mod publish;
pub mod realtime;
pub mod settings;
pub mod shop_payments;
pub mod staff;
pub mod storefront;
pub mod team;
pub mod templates;
pub mod versions;
pub mod webhooks;
pub mod website_settings;
pub mod websites;
pub mod wire;

#[cfg(feature = "ssr")]
pub mod ctx;
#[cfg(feature = "ssr")]
pub mod ops;
