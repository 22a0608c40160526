//! The local DNS server the browser tests start (scripts/test.sh): hickory-server serving an
//! empty zone `test.` on 127.0.0.1, so the app's custom-domain checks get real DNS answers
//! (NXDOMAIN for every name under it). Prints `listening on <ip:port>` once it serves, then
//! runs until killed. Built from the server crate's dev-dependencies, so it adds nothing to
//! the shipped binary.

#[path = "../tests/support/test_dns.rs"]
#[allow(dead_code)]
mod test_dns;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let dns = test_dns::TestDns::start("test").await;
    println!("listening on {}", dns.addr);
    std::future::pending::<()>().await;
}
