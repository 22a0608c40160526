//! Server integration tests, linked into one binary: a test file per feature would each link
//! the whole server (over a gigabyte in debug), which dominated CI time.
//! Add a feature's tests as a module here.

#[path = "../support/ai_standin.rs"]
mod ai_standin;
mod common;
#[path = "../support/test_dns.rs"]
mod test_dns;

mod account_deletion;
mod accounts;
mod ai;
mod ai_credits;
mod ai_generate;
mod analytics;
mod api_keys;
mod api_v1;
mod assets;
mod audit;
mod backup;
mod billing;
mod blocks;
mod branding;
mod builder;
mod categories;
mod commerce;
mod compression;
mod connections;
mod deployments;
mod domains;
mod duplicate;
mod email;
mod forms;
mod global_blocks;
mod hardening;
mod http_surface;
mod invoices;
mod jobs;
mod limits;
mod login_throttle;
mod order_admin;
mod org_lifecycle;
mod organisation;
mod pages;
mod password_reset;
mod permissions;
mod preferences_effects;
mod product_csv;
mod promotions;
mod publish;
mod realtime;
mod rich_text;
mod shop;
mod shop_connect;
mod site_backups;
mod staff;
mod startup;
mod static_files;
mod storefront;
mod stripe_api;
mod stripe_webhook;
mod team;
mod templates;
mod tenancy;
mod versions;
mod visitor_password;
mod visitor_site;
mod webhooks;
mod website_favicon;
mod website_lifecycle;
mod website_undelete;
