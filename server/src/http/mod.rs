//! HTTP plumbing shared by the app and visitor paths.

pub mod client_ip;
pub mod limits;
