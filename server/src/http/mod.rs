//! HTTP concerns shared by the app and visitor paths: the client address behind trusted
//! proxies, connection limits and timeouts, compression and caching headers.

pub mod client_ip;
pub mod compression;
pub mod limits;
pub mod static_files;
