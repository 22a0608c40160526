//! HTTP concerns shared by every app route: compression and caching headers.

pub mod compression;
pub mod static_files;
