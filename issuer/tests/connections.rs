//! The issuer's server bounds its connections (`run_with`, as `sonod-issuer serve` runs it):
//! over a real socket on port 0.

use std::time::Duration;

use sonod_issuer::server::run_with;
use sonod_testkit::read_until_closed;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::time::{timeout, Instant};

mod common;

async fn get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .expect("write");
    let got = timeout(Duration::from_secs(10), read_until_closed(&mut s))
        .await
        .expect("answered");
    String::from_utf8_lossy(&got).into_owned()
}

/// Caught: connections that never finished their headers stayed open for ever, and nothing
/// capped how many one address held.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_connections_are_closed_and_capped_per_address() {
    let office = common::office().config(|c| c.verifier_host = None).build();
    let state = office.state.clone();
    let limits = sonod_serve::Limits {
        header_timeout: Duration::from_secs(1),
        max_connections_per_address: 3,
        ..sonod_serve::Limits::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        run_with(listener, state, &limits, async {
            let _ = rx.await;
        })
        .await
    });
    let started = Instant::now();
    let mut stalled = Vec::new();
    for _ in 0..3 {
        let mut s = TcpStream::connect(addr).await.expect("connect");
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await
            .expect("write");
        stalled.push(s);
    }
    // A fourth from the same address is refused at once.
    let refused = get(addr, "/healthz").await;
    assert!(
        refused.is_empty() || refused.starts_with("HTTP/1.1 503 "),
        "{refused}"
    );
    // The stalled ones are closed by the header timeout.
    timeout(Duration::from_secs(10), async {
        for s in &mut stalled {
            read_until_closed(s).await;
        }
    })
    .await
    .expect("closed within the header timeout");
    assert!(started.elapsed() >= Duration::from_millis(900));
    // Then the address is served again.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let answer = get(addr, "/healthz").await;
        if answer.starts_with("HTTP/1.1 200 ") {
            break;
        }
        assert!(Instant::now() < deadline, "{answer}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tx.send(()).expect("shutdown");
    server.await.expect("join").expect("serve");
}
