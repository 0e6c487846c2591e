//! The verifier's server bounds its connections and requests in flight (`run`, with
//! `Config::connections`): over a real socket on port 0.

mod common;

use std::time::Duration;

use common::*;
use sonod_testkit::read_until_closed;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::time::{timeout, Instant};

/// Caught: 500 connections that never finished their headers were all still open after 25 s
/// (`axum::serve` sets no header timeout), and nothing capped one address's connections.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_connections_are_closed_and_capped_per_address() {
    let f = Fixture::new();
    let mut c = f.config();
    c.connections.header_timeout = Duration::from_secs(1);
    c.connections.max_connections_per_address = 100;
    let state = sonod_verifier::server::AppState::new(c).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(sonod_verifier::server::run(listener, state, async {
        let _ = rx.await;
    }));
    let started = Instant::now();
    let mut stalled = Vec::new();
    for _ in 0..100 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        stalled.push(s);
    }
    // The address's 101st is refused at once, with a 503 if it reads one.
    let mut extra = TcpStream::connect(addr).await.unwrap();
    let got = timeout(Duration::from_secs(5), read_until_closed(&mut extra))
        .await
        .expect("refused at once");
    let got = String::from_utf8_lossy(&got);
    assert!(got.is_empty() || got.starts_with("HTTP/1.1 503 "), "{got}");
    timeout(Duration::from_secs(10), async {
        for s in &mut stalled {
            read_until_closed(s).await;
        }
    })
    .await
    .expect("every stalled connection is closed within the header timeout");
    assert!(started.elapsed() >= Duration::from_millis(900));
    // Then normal requests are served.
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let r = client.get(format!("http://{addr}/healthz")).send().await;
        if r.as_ref().is_ok_and(|r| r.status() == 200) {
            break;
        }
        assert!(Instant::now() < deadline, "{r:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tx.send(()).unwrap();
    server.await.unwrap().unwrap();
}

/// Past the bound of requests in flight, a request is answered 503 with Retry-After at once
/// (problem+json, bilingual), and health checks still answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_past_the_in_flight_bound_gets_503() {
    let f = Fixture::new();
    let mut c = f.config();
    c.connections.max_in_flight = 2;
    let state = sonod_verifier::server::AppState::new(c).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(sonod_verifier::server::run(listener, state, async {
        let _ = rx.await;
    }));
    // Two requests in flight: their bodies never finish arriving.
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(
            b"POST /api/v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
        )
        .await
        .unwrap();
        held.push(s);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let url = format!("http://{addr}/api/v1/verify");
    let body = serde_json::json!({ "payload": f.url(&f.valid(1)) });
    for _ in 0..20 {
        let r = client.post(&url).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 503);
        assert_eq!(r.headers()["retry-after"], "1");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let v: serde_json::Value = r.json().await.unwrap();
        assert!(v["detail"].as_str().unwrap().contains(" / "), "{v}");
    }
    let h = client
        .get(format!("http://{addr}/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(h.status(), 200, "health checks are never shed");
    // The held requests end; then requests are served again.
    drop(held);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let r = client.post(&url).json(&body).send().await.unwrap();
        if r.status() == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "{}", r.status());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tx.send(()).unwrap();
    server.await.unwrap().unwrap();
}
