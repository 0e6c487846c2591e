//! The bounds over real sockets on port 0: stalled headers, caps per address and overall, idle
//! connections, load shedding, and normal requests during and after.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::routing::get;
use axum::Router;
use sonod_serve::{serve, Limits};
use sonod_testkit::read_until_closed;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::{oneshot, Semaphore};
use tokio::task::JoinHandle;
use tokio::time::{timeout, Instant};

/// Every bound off; each test turns on the ones it tries.
fn open_limits() -> Limits {
    Limits {
        header_timeout: Duration::from_secs(30),
        idle_timeout: Duration::ZERO,
        max_connections: 0,
        max_connections_per_address: 0,
        exempt_addresses: Vec::new(),
        max_in_flight: 0,
    }
}

struct Server {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
    /// Requests to `/slow` wait for a permit here.
    gate: Arc<Semaphore>,
    /// Requests to `/slow` begun.
    slow: Arc<AtomicUsize>,
}

impl Server {
    async fn start(limits: Limits) -> Server {
        let gate = Arc::new(Semaphore::new(0));
        let slow = Arc::new(AtomicUsize::new(0));
        let (g, s) = (Arc::clone(&gate), Arc::clone(&slow));
        let router = Router::new()
            .route("/", get(|| async { "ok" }))
            .route("/healthz", get(|| async { "ok" }))
            .route("/big", get(|| async { vec![b'x'; 16 << 20] }))
            .route(
                "/slow",
                get(move || {
                    let (g, s) = (Arc::clone(&g), Arc::clone(&s));
                    async move {
                        s.fetch_add(1, Ordering::SeqCst);
                        let _p = g.acquire().await;
                        "slow"
                    }
                }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            serve(listener, router, &limits, &["/healthz"], async {
                let _ = rx.await;
            })
            .await
        });
        Server {
            addr,
            stop: Some(tx),
            task,
            gate,
            slow,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    async fn stop(mut self) {
        self.gate.add_permits(10_000);
        let _ = self.stop.take().unwrap().send(());
        timeout(Duration::from_secs(20), self.task)
            .await
            .expect("the server stops")
            .unwrap()
            .unwrap();
    }
}

/// A fresh client (no pooled connection) with a time limit: a hang fails the test.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

async fn get_ok(s: &Server, path: &str) {
    let r = client().get(s.url(path)).send().await.expect("answered");
    assert_eq!(r.status(), 200);
}

/// A connection whose request was refused: a 503 or nothing, then closed, at once.
async fn assert_refused(mut stream: TcpStream) {
    let got = timeout(Duration::from_secs(5), read_until_closed(&mut stream))
        .await
        .expect("a refused connection is closed at once, not left hanging");
    let text = String::from_utf8_lossy(&got);
    assert!(
        got.is_empty() || (text.starts_with("HTTP/1.1 503 ") && text.contains("retry-after: 1")),
        "{text}"
    );
    // Refused before the router, it still carries a request id.
    assert!(
        got.is_empty() || text.contains("\r\nx-request-id: "),
        "{text}"
    );
}

async fn connect_from(local: [u8; 4], to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::from((local, 0))).unwrap();
    socket.connect(to).await.unwrap()
}

/// Caught: 500 connections that never finished their headers were all still open after 25 s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_headers_are_closed_within_the_header_timeout() {
    let header_timeout = Duration::from_secs(1);
    let s = Server::start(Limits {
        header_timeout,
        ..open_limits()
    })
    .await;
    let started = Instant::now();
    let mut stalled = Vec::new();
    for _ in 0..500 {
        let mut c = TcpStream::connect(s.addr).await.unwrap();
        c.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .await
            .unwrap();
        stalled.push(c);
    }
    // Normal requests are answered meanwhile.
    get_ok(&s, "/").await;
    // The server closes them all at about the same time: reading each in turn until closed
    // takes about the header timeout in all.
    timeout(header_timeout + Duration::from_secs(10), async {
        for c in &mut stalled {
            read_until_closed(c).await;
        }
    })
    .await
    .expect("every stalled connection is closed within the header timeout (and slack)");
    assert!(
        started.elapsed() >= header_timeout,
        "closed for their stall, not at once"
    );
    get_ok(&s, "/").await;
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_past_the_caps_are_refused() {
    let s = Server::start(Limits {
        max_connections: 3,
        max_connections_per_address: 2,
        ..open_limits()
    })
    .await;
    let a1 = connect_from([127, 0, 0, 1], s.addr).await;
    let a2 = connect_from([127, 0, 0, 1], s.addr).await;
    // A third from the same address is past its cap.
    assert_refused(connect_from([127, 0, 0, 1], s.addr).await).await;
    // Another address has its own cap, up to the total of 3.
    let mut b1 = connect_from([127, 0, 0, 2], s.addr).await;
    assert_refused(connect_from([127, 0, 0, 2], s.addr).await).await;
    // The open ones are served.
    b1.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 256];
    let n = timeout(Duration::from_secs(5), b1.read(&mut buf))
        .await
        .unwrap()
        .unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200 "));
    // A closed connection gives its slot back.
    drop((a1, a2, b1));
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match client().get(s.url("/")).send().await {
            Ok(r) if r.status() == 200 => break,
            _ if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(50)).await,
            other => panic!("slots not given back: {other:?}"),
        }
    }
    s.stop().await;

    // An exempt address (a trusted proxy) has no cap of its own.
    let s = Server::start(Limits {
        max_connections_per_address: 1,
        exempt_addresses: vec!["127.0.0.1".parse().unwrap()],
        ..open_limits()
    })
    .await;
    let _held = connect_from([127, 0, 0, 1], s.addr).await;
    get_ok(&s, "/").await;
    assert_refused({
        let _b = connect_from([127, 0, 0, 3], s.addr).await;
        connect_from([127, 0, 0, 3], s.addr).await
    })
    .await;
    s.stop().await;
}

/// A client that asks for an answer and never reads it is closed after the idle timeout, and
/// its slot is given back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_never_read_is_closed_after_the_idle_timeout() {
    let s = Server::start(Limits {
        idle_timeout: Duration::from_secs(1),
        max_connections_per_address: 1,
        ..open_limits()
    })
    .await;
    let mut stuck = TcpStream::connect(s.addr).await.unwrap();
    stuck
        .write_all(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_refused(TcpStream::connect(s.addr).await.unwrap()).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match client().get(s.url("/")).send().await {
            Ok(r) if r.status() == 200 => break,
            _ if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(200)).await,
            other => panic!("the stuck connection was not closed: {other:?}"),
        }
    }
    let got = read_until_closed(&mut stuck).await;
    assert!(got.len() < (16 << 20), "the answer was cut off");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_past_the_in_flight_bound_is_shed_with_503() {
    let s = Server::start(Limits {
        max_in_flight: 4,
        ..open_limits()
    })
    .await;
    let mut slow = Vec::new();
    for _ in 0..4 {
        let url = s.url("/slow");
        slow.push(tokio::spawn(async move { client().get(url).send().await }));
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while s.slow.load(Ordering::SeqCst) < 4 {
        assert!(Instant::now() < deadline, "the slow requests began");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The flood: answered at once with 503 and Retry-After, not queued.
    let c = client();
    let mut ids = std::collections::HashSet::new();
    for _ in 0..50 {
        let r = c.get(s.url("/")).send().await.expect("answered, not hung");
        assert_eq!(r.status(), 503);
        assert_eq!(r.headers()["retry-after"], "1");
        // Shed before the router, it still carries a request id, one of its own.
        let id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert!(ids.insert(id), "request ids repeat");
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["status"], 503);
        assert!(v["detail"].as_str().unwrap().contains(" / "), "bilingual");
    }
    // Health checks are never shed.
    get_ok(&s, "/healthz").await;
    // When the slow ones finish, requests are served again.
    s.gate.add_permits(4);
    for t in slow {
        assert_eq!(t.await.unwrap().unwrap().status(), 200);
    }
    get_ok(&s, "/").await;
    s.stop().await;
}
