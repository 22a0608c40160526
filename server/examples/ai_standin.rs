//! The local AI provider stand-in the browser tests start (scripts/test.sh): answers the
//! Anthropic Messages and OpenAI chat-completions streaming APIs on 127.0.0.1 with valid tool
//! calls made from each request (server/tests/support/ai_standin.rs). Prints
//! `listening on <ip:port>` once it serves, then runs until killed. `AI_STANDIN_SITE_DELAY_MS`
//! makes the site generator's calls wait that long (the progress page's browser test).

#[path = "../tests/support/ai_standin.rs"]
#[allow(dead_code)]
mod ai_standin;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let (standin, addr) = ai_standin::AiStandIn::start().await;
    if let Some(ms) = std::env::var("AI_STANDIN_SITE_DELAY_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        *standin.site_delay.lock().expect("lock") = std::time::Duration::from_millis(ms);
    }
    println!("listening on {addr}");
    std::future::pending::<()>().await;
}
