//! Operations: health, readiness, Prometheus metrics, the OpenAPI document, request metrics.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use super::error::problem;
use super::AppState;

/// The OpenAPI 3.1 document of this service.
pub const OPENAPI: &str = include_str!("../../openapi.json");

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

type Durations = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// The service's metrics. Labels are route templates and status codes only: never serials,
/// payloads or anything about a person.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: Durations,
    issued: Counter,
    revoked: Counter,
    feed_head: Gauge,
    commit_generation: Gauge,
    durability_failed: Gauge,
}

fn duration_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.000_25, 2.0, 16))
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("sonod_issuer");
        let requests = Family::<RequestLabels, Counter>::default();
        let durations: Durations = Family::new_with_constructor(duration_histogram);
        let (issued, revoked) = (Counter::default(), Counter::default());
        let (feed_head, commit_generation, durability_failed) =
            (Gauge::default(), Gauge::default(), Gauge::default());
        registry.register(
            "http_requests",
            "HTTP requests by route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request time by route",
            durations.clone(),
        );
        registry.register(
            "certificates_issued",
            "Certificates issued since start",
            issued.clone(),
        );
        registry.register(
            "revocations",
            "Certificates revoked since start",
            revoked.clone(),
        );
        registry.register(
            "feed_head",
            "Last durable position of the event feed",
            feed_head.clone(),
        );
        registry.register(
            "commit_generation",
            "Durability barriers completed",
            commit_generation.clone(),
        );
        registry.register(
            "durability_failed",
            "1 when the durability barrier failed",
            durability_failed.clone(),
        );
        Metrics {
            registry,
            requests,
            durations,
            issued,
            revoked,
            feed_head,
            commit_generation,
            durability_failed,
        }
    }

    /// Counts an issued certificate.
    pub fn issued(&self) {
        self.issued.inc();
    }

    /// Counts a revocation.
    pub fn revoked(&self) {
        self.revoked.inc();
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route(
            "/api/v1/openapi.json",
            get(|| async { ([(header::CONTENT_TYPE, "application/json")], OPENAPI) }),
        )
}

async fn readyz(State(state): State<AppState>) -> Response {
    if state.ledger().committer().durable().failed {
        return problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "the store cannot make writes durable",
        );
    }
    "ready".into_response()
}

async fn metrics(State(state): State<AppState>) -> Response {
    let m = state.metrics();
    let d = state.ledger().committer().durable();
    m.feed_head.set(i64::try_from(d.seq).unwrap_or(i64::MAX));
    m.commit_generation
        .set(i64::try_from(d.generation).unwrap_or(i64::MAX));
    m.durability_failed.set(i64::from(d.failed));
    let mut out = String::new();
    if encode(&mut out, &m.registry).is_err() {
        return problem(StatusCode::INTERNAL_SERVER_ERROR, "metrics encoding failed");
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        out,
    )
        .into_response()
}

/// Middleware: counts and times every request by route template.
pub(super) async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().as_str().to_owned();
    let start = Instant::now();
    let resp = next.run(req).await;
    let m = state.metrics();
    m.durations
        .get_or_create(&RouteLabels {
            route: route.clone(),
        })
        .observe(start.elapsed().as_secs_f64());
    m.requests
        .get_or_create(&RequestLabels {
            method,
            route,
            status: resp.status().as_u16(),
        })
        .inc();
    resp
}
