//! The HTTP shell both services stand on: operations routes (health, readiness, metrics, the
//! OpenAPI document), problem+json for unknown paths and methods, request metrics, body limit,
//! request timeout, security headers, request ids and the request's trace span.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::metrics::OPENMETRICS;
use crate::{Metrics, Problem};

/// The health route: `ok` while the process serves.
pub const HEALTH_PATH: &str = "/healthz";
/// The readiness route: `ready`, or a 503 problem listing why not (in `problems`, and after
/// `not ready: ` in the detail).
pub const READY_PATH: &str = "/readyz";
/// The metrics route.
pub const METRICS_PATH: &str = "/metrics";
/// The OpenAPI document's route.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";
/// Routes never shed under load: a busy service still answers its health checks and metrics.
pub const NEVER_SHED: &[&str] = &[HEALTH_PATH, READY_PATH, METRICS_PATH];
/// The request id's header.
pub const REQUEST_ID: &str = "x-request-id";
/// Longest request id taken from a client; a longer one, or one with other characters than
/// letters, digits and `-_.:`, is replaced by one of ours.
pub const MAX_REQUEST_ID: usize = 64;

/// What the shell asks of a service's state.
pub trait Service: Clone + Send + Sync + 'static {
    /// The service's metrics registry (with the HTTP metrics the shell records).
    fn http_metrics(&self) -> &Metrics;

    /// Why the service is not ready; empty when it is.
    fn readiness_problems(&self) -> Vec<String>;

    /// Brings the service's gauges up to date before `/metrics` is encoded.
    fn update_metrics(&self) {}
}

/// How the shell wraps a service's routes.
#[derive(Debug, Clone)]
pub struct Shell {
    /// The service's OpenAPI document, served at [`OPENAPI_PATH`].
    pub openapi: &'static str,
    /// Largest request body, unless a route sets its own.
    pub body_limit: usize,
    /// Every request's time limit (answered 408).
    pub request_timeout: Duration,
}

/// The service's `routes` inside the shell, with `state`.
pub fn app<S: Service>(routes: Router<S>, state: S, shell: &Shell) -> Router {
    let openapi = shell.openapi;
    routes
        .route(HEALTH_PATH, get(|| async { "ok" }))
        .route(READY_PATH, get(readyz::<S>))
        .route(METRICS_PATH, get(metrics::<S>))
        .route(
            OPENAPI_PATH,
            get(move || async move { ([(header::CONTENT_TYPE, "application/json")], openapi) }),
        )
        .fallback(|| async { not_found() })
        .method_not_allowed_fallback(|| async { method_not_allowed() })
        .layer(DefaultBodyLimit::max(shell.body_limit))
        // A request not answered in time: 408, its handler dropped (`per_request` gives the
        // bodiless answer its problem+json body).
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            shell.request_timeout,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(
            // Method, route template and request id only: never the path's values, bodies or
            // other headers. At debug level, like the layer's own request and response events:
            // a span per request costs allocations under load, and failures (5xx) are still
            // logged at error level.
            TraceLayer::new_for_http().make_span_with(|req: &Request| {
                let route = req
                    .extensions()
                    .get::<MatchedPath>()
                    .map_or("-", |p| p.as_str());
                let id = req
                    .headers()
                    .get(REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::debug_span!("request", method = %req.method(), route, request_id = id)
            }),
        )
        // Outermost, and one middleware for all of it (each middleware costs every request):
        // the request id, the request's metrics, plain-text errors as problem+json.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            per_request::<S>,
        ))
        .with_state(state)
}

/// The detail of a 404 ("… / …", Bangla first).
pub fn not_found_detail() -> String {
    crate::l10n::both("not-found", &[])
}

/// The detail of a 405 ("… / …", Bangla first).
pub fn method_not_allowed_detail() -> String {
    crate::l10n::both("method-not-allowed", &[])
}

/// The problem+json 404 of an unknown path.
pub fn not_found() -> Problem {
    Problem::new(StatusCode::NOT_FOUND, not_found_detail())
}

/// The problem+json 405 of a method a route does not take.
pub fn method_not_allowed() -> Problem {
    Problem::new(StatusCode::METHOD_NOT_ALLOWED, method_not_allowed_detail())
}

async fn readyz<S: Service>(State(state): State<S>) -> Response {
    let problems = state.readiness_problems();
    if problems.is_empty() {
        return "ready".into_response();
    }
    let detail = crate::l10n::both("not-ready", &[("problems", &problems.join("; "))]);
    Problem::new(StatusCode::SERVICE_UNAVAILABLE, detail)
        .with_problems(problems)
        .into_response()
}

async fn metrics<S: Service>(State(state): State<S>) -> Response {
    state.update_metrics();
    match state.http_metrics().encode() {
        Ok(out) => ([(header::CONTENT_TYPE, OPENMETRICS)], out).into_response(),
        Err(_) => Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            crate::l10n::both("metrics-failed", &[]),
        )
        .into_response(),
    }
}

/// Longest plain-text error body taken into a problem's detail (axum's own rejections are
/// one line).
const MAX_PLAIN_DETAIL: usize = 1024;

/// Middleware: an error answered in plain text or with no body — axum's own extractors'
/// rejections (an over-limit body, a bad `Path`, `Query`, `Form` or `Json`) — is answered as
/// problem+json instead, with the same status and headers; the rejection's own text becomes
/// the English half of the detail. Answers with any other content type (problem+json, a
/// service's HTML pages) pass unchanged.
async fn plain_errors_as_problems(resp: Response) -> Response {
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let plain = match resp.headers().get(header::CONTENT_TYPE) {
        None => true,
        Some(v) => v.to_str().is_ok_and(|t| {
            t.trim_start()
                .to_ascii_lowercase()
                .starts_with("text/plain")
        }),
    };
    if !plain {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, MAX_PLAIN_DETAIL)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let (bn, en) = crate::titles(status);
    let detail = if text.is_empty() && status == StatusCode::REQUEST_TIMEOUT {
        timed_out_detail()
    } else if text.is_empty() {
        format!("{bn} / {en}")
    } else {
        format!("{bn} / {text}")
    };
    parts.headers.remove(header::CONTENT_TYPE);
    parts.headers.remove(header::CONTENT_LENGTH);
    let mut problem = Problem::new(status, detail).into_response();
    for (name, value) in &parts.headers {
        problem.headers_mut().append(name, value.clone());
    }
    problem
}

/// The detail of a 408 ("… / …", Bangla first).
pub fn timed_out_detail() -> String {
    crate::l10n::both("timed-out", &[])
}

/// Middleware, the shell's one for every request: keeps a client's fitting `x-request-id` or
/// gives the request one of ours (and echoes it on the answer); counts and times the request
/// by route template (never the path itself); answers a plain-text or bodiless error (axum's
/// own rejections, a 408) as problem+json.
async fn per_request<S: Service>(State(state): State<S>, mut req: Request, next: Next) -> Response {
    let id = {
        let mut all = req.headers().get_all(REQUEST_ID).iter();
        match (all.next(), all.next()) {
            (Some(v), None) if fit_request_id(v.as_bytes()) => v.clone(),
            _ => new_request_id(),
        }
    };
    req.headers_mut().insert(REQUEST_ID, id.clone());
    let route = req.extensions().get::<MatchedPath>().cloned();
    let method = req.method().clone();
    let start = Instant::now();
    let mut resp = next.run(req).await;
    if resp.status().is_client_error() || resp.status().is_server_error() {
        resp = plain_errors_as_problems(resp).await;
    }
    state.http_metrics().request(
        &method,
        route.as_ref().map(MatchedPath::as_str),
        resp.status().as_u16(),
        start.elapsed(),
    );
    resp.headers_mut().insert(REQUEST_ID, id);
    resp
}

/// Whether a client's request id is kept: short, of letters, digits and `-_.:` only (it is
/// echoed and written into logs).
fn fit_request_id(id: &[u8]) -> bool {
    !id.is_empty()
        && id.len() <= MAX_REQUEST_ID
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(b))
}

// Request ids: a random prefix drawn once per process and a counter (no system call per
// request). One sequence for the whole process: the router's and [`crate::serve`]'s own
// answers (a shed request, a refused connection) draw from it alike.

/// A new request id, for an answer made outside the router (`x-request-id`).
pub(crate) fn new_request_id() -> HeaderValue {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::OnceLock;
    static PREFIX: OnceLock<u32> = OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let prefix = *PREFIX.get_or_init(|| {
        // The standard library's random hash keys: drawn from the system once.
        let seed = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        (seed >> 32) as u32
    });
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    // Hex digits and `-` only: always a valid header value.
    HeaderValue::from_str(&format!("{prefix:08x}-{n:012x}"))
        .unwrap_or_else(|_| HeaderValue::from_static("-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_that_fit() {
        assert!(fit_request_id(b"3f2a-01:xyz_9.1"));
        assert!(!fit_request_id(b""));
        assert!(!fit_request_id(b"a b"));
        assert!(!fit_request_id("আ".as_bytes()));
        assert!(!fit_request_id(&[b'a'; MAX_REQUEST_ID + 1]));
        let (a, b) = (new_request_id(), new_request_id());
        assert_ne!(a, b);
        assert!(fit_request_id(a.as_bytes()));
    }
}
