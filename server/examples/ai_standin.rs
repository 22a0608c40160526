//! The local AI provider stand-in the browser tests start (scripts/test.sh): answers the
//! Anthropic Messages and OpenAI chat-completions streaming APIs on 127.0.0.1 with valid tool
//! calls made from each request (server/tests/support/ai_standin.rs). Prints
//! `listening on <ip:port>` once it serves, then runs until killed.

#[path = "../tests/support/ai_standin.rs"]
#[allow(dead_code)]
mod ai_standin;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let (_standin, addr) = ai_standin::AiStandIn::start().await;
    println!("listening on {addr}");
    std::future::pending::<()>().await;
}
