//! The accept loop's limits (`server::http::limits`): a client that sends its headers too slowly
//! is cut off, while the server keeps answering others.

use std::time::Duration;

use crate::common::*;
use server::http::limits::{spawn, ConnectionLimits};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn make(pool: sqlx::PgPool) -> server::visitor::split::MakeSplit {
    server::visitor::split::MakeSplit(server::build(&config(), pool).expect("build"))
}

#[tokio::test]
async fn a_slow_header_sender_is_cut_off_and_others_are_served() {
    let pool = pool().await;
    let limits = ConnectionLimits {
        header_read_timeout: Duration::from_millis(300),
        ..ConnectionLimits::default()
    };
    let (addr, _server) = spawn(make(pool).await, limits).await.expect("server");

    let mut slow = TcpStream::connect(addr).await.expect("connect");
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .await
        .expect("write");
    // A well-behaved client is answered meanwhile.
    let mut quick = TcpStream::connect(addr).await.expect("connect");
    quick
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(10), quick.read_to_string(&mut answer))
        .await
        .expect("answered in time")
        .expect("read");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    // The slow sender never finishes its headers: the server closes (possibly after a 408).
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(10), slow.read_to_end(&mut rest)).await;
    let text = String::from_utf8_lossy(&rest);
    assert!(
        closed.is_ok(),
        "the connection is still open 10 s later (header timeout 300 ms)"
    );
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 408"),
        "{text}"
    );
}
