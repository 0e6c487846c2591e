#![doc = include_str!("../README.md")]

mod cli;
mod l10n;
mod media;
mod metrics;
mod problem;
mod shell;

pub use cli::{init_tracing, shutdown_signal, ConnectionArgs};
pub use media::{
    is_json, is_json_media_type, not_json, not_json_detail, require_json, JsonContentType,
};
pub use metrics::{gauge_value, Metrics, OPENMETRICS};
pub use problem::{problem, titles, Problem, PROBLEM_JSON};
pub use shell::{
    app, method_not_allowed, method_not_allowed_detail, not_found, not_found_detail,
    timed_out_detail, Service, Shell, HEALTH_PATH, MAX_REQUEST_ID, METRICS_PATH, NEVER_SHED,
    OPENAPI_PATH, READY_PATH, REQUEST_ID,
};

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, Response, StatusCode};
use axum::response::IntoResponse;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tower::ServiceExt;

/// The `Retry-After` of a refused connection or a shed request, in seconds: both are about the
/// moment, not a client's allowance.
pub const RETRY_AFTER_SECS: u64 = 1;

/// How connections and requests are bounded; zero turns a bound off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Time to send a request's complete headers, from when the connection waits for one (a
    /// new connection, or a kept-alive one after its last answer).
    pub header_timeout: Duration,
    /// A connection on which no byte moves while none of its requests is being handled is
    /// closed after this long.
    pub idle_timeout: Duration,
    /// Connections open at once, in all.
    pub max_connections: usize,
    /// Connections open at once from one client address.
    pub max_connections_per_address: usize,
    /// Addresses without a cap of their own (proxies, whose clients the services count by
    /// `X-Forwarded-For`).
    pub exempt_addresses: Vec<IpAddr>,
    /// Requests being handled at once; past it a request is answered 503 at once.
    pub max_in_flight: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 2048,
            max_connections_per_address: 256,
            exempt_addresses: Vec::new(),
            max_in_flight: 512,
        }
    }
}

/// What every connection task shares.
struct Shared {
    router: Router,
    header_timeout: Option<Duration>,
    idle_timeout: Duration,
    in_flight: Option<Arc<Semaphore>>,
    never_shed: Vec<&'static str>,
}

/// Serves `router` on `listener` within `limits` until `shutdown` resolves; then stops
/// accepting, lets every connection finish its request in flight, and returns when all are
/// closed. Requests to the paths in `never_shed` (health checks, metrics) are never shed.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: &Limits,
    never_shed: &[&'static str],
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let shared = Arc::new(Shared {
        router,
        header_timeout: Some(limits.header_timeout).filter(|d| !d.is_zero()),
        idle_timeout: limits.idle_timeout,
        in_flight: (limits.max_in_flight > 0)
            .then(|| Arc::new(Semaphore::new(limits.max_in_flight))),
        never_shed: never_shed.to_vec(),
    });
    let total =
        (limits.max_connections > 0).then(|| Arc::new(Semaphore::new(limits.max_connections)));
    let per_address = limits.max_connections_per_address;
    let exempt: Vec<IpAddr> = limits
        .exempt_addresses
        .iter()
        .map(IpAddr::to_canonical)
        .collect();
    let addresses = Arc::new(Addresses::default());
    let refusal = refusal_head();
    // Each connection task holds a receiver of `open`: when the last is gone, all are closed.
    let (stop_tx, stop_rx) = watch::channel(false);
    let (open_tx, open_rx) = watch::channel(());
    let mut shutdown = pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                Err(e) => {
                    accept_failed(&e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(total_slot) = total
            .as_ref()
            .map(|s| Arc::clone(s).try_acquire_owned())
            .transpose()
        else {
            tracing::debug!("connection refused: too many open connections");
            refuse(&stream, &refusal);
            continue;
        };
        let ip = peer.ip().to_canonical();
        let address_slot = if per_address > 0 && !exempt.contains(&ip) {
            match Addresses::take(&addresses, ip, per_address) {
                Some(slot) => Some(slot),
                None => {
                    tracing::debug!(
                        "connection refused: too many open connections from one address"
                    );
                    refuse(&stream, &refusal);
                    continue;
                }
            }
        } else {
            None
        };
        // Answers are one small write each: no reason to let Nagle's algorithm hold one back.
        let _ = stream.set_nodelay(true);
        let slots = Slots {
            _total: total_slot,
            _address: address_slot,
            _open: open_rx.clone(),
        };
        tokio::spawn(connection(
            stream,
            peer,
            Arc::clone(&shared),
            stop_rx.clone(),
            slots,
        ));
    }
    drop(listener);
    let _ = stop_tx.send(true);
    drop(open_rx);
    open_tx.closed().await;
    Ok(())
}

/// An accept that failed: a connection reset before it was accepted is nothing; anything else
/// (out of file descriptors) is logged, and accepting pauses a little rather than spin.
async fn accept_failed(e: &io::Error) {
    use io::ErrorKind::{ConnectionAborted, ConnectionReset, Interrupted};
    if matches!(e.kind(), ConnectionAborted | ConnectionReset | Interrupted) {
        return;
    }
    tracing::warn!(error = %e, "accepting a connection failed; pausing 100 ms");
    tokio::time::sleep(Duration::from_millis(100)).await;
}

/// What an open connection holds until it closes.
struct Slots {
    _total: Option<OwnedSemaphorePermit>,
    _address: Option<AddressSlot>,
    _open: watch::Receiver<()>,
}

/// One connection: HTTP/1.1 with the header timeout, closed when idle too long, shut down
/// gracefully when the server stops.
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
    _slots: Slots,
) {
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched {
        inner: stream,
        activity: Arc::clone(&activity),
    });
    let service = hyper::service::service_fn({
        let (shared, activity) = (Arc::clone(&shared), Arc::clone(&activity));
        move |req| handle(Arc::clone(&shared), Arc::clone(&activity), peer, req)
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .keep_alive(true)
        .header_read_timeout(shared.header_timeout);
    let mut conn = pin!(builder.serve_connection(io, service));
    let mut idle = pin!(activity.idle(shared.idle_timeout));
    let mut stopping = *stop.borrow_and_update();
    if stopping {
        conn.as_mut().graceful_shutdown();
    }
    loop {
        tokio::select! {
            served = conn.as_mut() => {
                if let Err(e) = served {
                    tracing::debug!(error = %e, "connection ended");
                }
                return;
            }
            () = &mut idle => {
                tracing::debug!("idle connection closed");
                return;
            }
            _ = stop.changed(), if !stopping => {
                stopping = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

/// One request: shed when too many are in flight, else the router's answer, with the peer as
/// `ConnectInfo`.
async fn handle(
    shared: Arc<Shared>,
    activity: Arc<Activity>,
    peer: SocketAddr,
    mut req: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let _busy = Busy::new(activity);
    let _permit = match &shared.in_flight {
        Some(s) if !shared.never_shed.contains(&req.uri().path()) => {
            match Arc::clone(s).try_acquire_owned() {
                Ok(p) => Some(p),
                Err(_) => return Ok(shed()),
            }
        }
        _ => None,
    };
    req.extensions_mut().insert(ConnectInfo(peer));
    shared.router.clone().oneshot(req).await
}

/// The problem+json 503 of a request shed under load, with a request id of its own (the
/// router, which gives the others theirs, never sees it).
fn shed() -> Response<Body> {
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        crate::l10n::both("busy", &[]),
    )
    .with_retry_after(RETRY_AFTER_SECS)
    .with_header(
        axum::http::HeaderName::from_static(REQUEST_ID),
        shell::new_request_id(),
    )
    .into_response()
}

/// The answer to a connection refused past a cap, before its request id: written in one go
/// with [`refusal_bytes`].
fn refusal_head() -> (String, String) {
    let body = Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        crate::l10n::both("too-many-connections", &[]),
    )
    .body();
    let head = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: {PROBLEM_JSON}\r\nretry-after: {RETRY_AFTER_SECS}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    (head, body)
}

/// The whole answer to one refused connection, with a request id of its own.
fn refusal_bytes((head, body): &(String, String)) -> Vec<u8> {
    let id = shell::new_request_id();
    let mut out = Vec::with_capacity(head.len() + body.len() + 64);
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(REQUEST_ID.as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(id.as_bytes());
    out.extend_from_slice(b"\r\n\r\n");
    out.extend_from_slice(body.as_bytes());
    out
}

/// Refuses a connection cheaply: whatever of its request has arrived is read (so closing does
/// not reset the connection under the answer), the 503 is written if the socket takes it at
/// once, and the connection is closed. Nothing waits.
fn refuse(stream: &TcpStream, refusal: &(String, String)) {
    let mut sink = [0u8; 2048];
    let _ = stream.try_read(&mut sink);
    let _ = stream.try_write(&refusal_bytes(refusal));
}

/// Open connections by client address.
#[derive(Debug, Default)]
struct Addresses(Mutex<HashMap<IpAddr, usize>>);

impl Addresses {
    /// A slot for one more connection from `ip`, unless it has `cap` open.
    fn take(table: &Arc<Addresses>, ip: IpAddr, cap: usize) -> Option<AddressSlot> {
        let mut map = table.0.lock().unwrap_or_else(PoisonError::into_inner);
        let n = map.entry(ip).or_insert(0);
        if *n >= cap {
            return None;
        }
        *n += 1;
        Some(AddressSlot {
            table: Arc::clone(table),
            ip,
        })
    }
}

/// One open connection of an address; given back when dropped.
#[derive(Debug)]
struct AddressSlot {
    table: Arc<Addresses>,
    ip: IpAddr,
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut map = self.table.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = map.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                map.remove(&self.ip);
            }
        }
    }
}

/// When a connection last moved a byte, and how many of its requests are being handled.
#[derive(Debug)]
struct Activity {
    start: Instant,
    /// Milliseconds after `start`.
    last: AtomicU64,
    busy: AtomicU32,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            start: Instant::now(),
            last: AtomicU64::new(0),
            busy: AtomicU32::new(0),
        }
    }

    fn touch(&self) {
        let ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last.store(ms, Ordering::Relaxed);
    }

    /// Resolves once no byte has moved for `limit` while no request was being handled (never,
    /// for a zero limit). It wakes once per `limit` at most.
    async fn idle(&self, limit: Duration) {
        if limit.is_zero() {
            return std::future::pending().await;
        }
        loop {
            let now = Instant::now();
            let deadline = if self.busy.load(Ordering::Relaxed) > 0 {
                now + limit
            } else {
                self.start + Duration::from_millis(self.last.load(Ordering::Relaxed)) + limit
            };
            if deadline <= now {
                return;
            }
            tokio::time::sleep_until(deadline).await;
        }
    }
}

/// A request being handled: the connection is not idle meanwhile.
struct Busy(Arc<Activity>);

impl Busy {
    fn new(activity: Arc<Activity>) -> Busy {
        activity.busy.fetch_add(1, Ordering::Relaxed);
        Busy(activity)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.touch();
        self.0.busy.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A socket that notes when it moves bytes.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_slots_are_given_back() {
        let table = Arc::new(Addresses::default());
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let a = Addresses::take(&table, ip, 2).expect("first");
        let b = Addresses::take(&table, ip, 2).expect("second");
        assert!(Addresses::take(&table, ip, 2).is_none(), "past the cap");
        assert!(Addresses::take(&table, "192.0.2.2".parse().unwrap(), 2).is_some());
        drop(a);
        assert!(Addresses::take(&table, ip, 2).is_some(), "a slot came back");
        drop(b);
        assert!(
            table.0.lock().unwrap().is_empty(),
            "no address is kept without connections"
        );
    }

    #[test]
    fn the_refusal_is_one_complete_answer() {
        let refusal = refusal_head();
        let r = String::from_utf8(refusal_bytes(&refusal)).unwrap();
        let (head, body) = r.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 503 "));
        // Each refusal has a request id of its own.
        let id = |r: &str| {
            r.lines()
                .find_map(|l| l.strip_prefix("x-request-id: "))
                .map(str::to_owned)
                .unwrap()
        };
        let again = String::from_utf8(refusal_bytes(&refusal)).unwrap();
        assert_ne!(id(&r), id(&again));
        assert!(head.contains("retry-after: 1\r\n"));
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["status"], 503);
        assert!(v["detail"].as_str().unwrap().contains(" / "));
    }
}
