//! Server integration tests, linked into one binary: a test file per feature would each link
//! the whole server (over a gigabyte in debug), which dominated CI time.
//! Add a feature's tests as a module here.

mod common;

mod accounts;
mod blocks;
mod branding;
mod builder;
mod pages;
mod publish;
mod rich_text;
mod stripe_webhook;
mod tenancy;
mod versions;
mod visitor_password;
mod visitor_site;
