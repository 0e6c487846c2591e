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
use serde_json::json;

use super::error::problem;
use super::AppState;

/// The OpenAPI 3.1 document of this service.
pub const OPENAPI: &str = include_str!("../../openapi.json");

// Labels are `&'static str`: a request costs no label allocations. Route templates are a
// finite set fixed by the router, interned once each (see `route_label`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VerdictLabels {
    verdict: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OfficeLabels {
    office: String,
}

type Durations = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// The service's metrics. Labels are route templates, status codes, verdict kinds and office
/// codes only: never payloads, serials or anything about a person.
#[derive(Debug)]
pub struct Metrics {
    /// Route templates seen so far, interned: the router's templates, a fixed set.
    routes: std::sync::RwLock<Vec<&'static str>>,
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: Durations,
    verdicts: Family<VerdictLabels, Counter>,
    cache_hits: Counter,
    cache_misses: Counter,
    rate_limited: Counter,
    feed_lag: Family<OfficeLabels, Gauge>,
    feed_position: Family<OfficeLabels, Gauge>,
    feed_head: Family<OfficeLabels, Gauge>,
    feed_failures: Family<OfficeLabels, Counter>,
    feeds_unsynced: Gauge,
    trust_loaded: Gauge,
    trust_sequence: Gauge,
    trust_failures: Counter,
}

fn duration_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.000_05, 2.0, 16))
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Metrics {
        let mut r = Registry::with_prefix("sonod_verifier");
        let m = Metrics {
            routes: std::sync::RwLock::new(Vec::new()),
            requests: Family::default(),
            durations: Family::new_with_constructor(duration_histogram),
            verdicts: Family::default(),
            cache_hits: Counter::default(),
            cache_misses: Counter::default(),
            rate_limited: Counter::default(),
            feed_lag: Family::default(),
            feed_position: Family::default(),
            feed_head: Family::default(),
            feed_failures: Family::default(),
            feeds_unsynced: Gauge::default(),
            trust_loaded: Gauge::default(),
            trust_sequence: Gauge::default(),
            trust_failures: Counter::default(),
            registry: Registry::default(),
        };
        r.register(
            "http_requests",
            "HTTP requests by route and status",
            m.requests.clone(),
        );
        r.register(
            "http_request_duration_seconds",
            "HTTP request time by route",
            m.durations.clone(),
        );
        r.register("verdicts", "Verdicts given, by kind", m.verdicts.clone());
        r.register(
            "reading_cache_hits",
            "Payloads whose reading came from the cache",
            m.cache_hits.clone(),
        );
        r.register(
            "reading_cache_misses",
            "Payloads read afresh",
            m.cache_misses.clone(),
        );
        r.register(
            "rate_limited",
            "Requests refused by the rate limiter",
            m.rate_limited.clone(),
        );
        r.register(
            "feed_lag_seconds",
            "Seconds since the office's feed was last caught up",
            m.feed_lag.clone(),
        );
        r.register(
            "feed_position",
            "Last feed event replicated, by office",
            m.feed_position.clone(),
        );
        r.register(
            "feed_head",
            "The feed's head as last reported, by office",
            m.feed_head.clone(),
        );
        r.register(
            "feed_sync_failures",
            "Failed sync rounds, by office",
            m.feed_failures.clone(),
        );
        r.register(
            "feeds_unsynced",
            "Configured feeds that never synced (office unknown)",
            m.feeds_unsynced.clone(),
        );
        r.register(
            "trust_list_loaded",
            "1 while a valid trust list is loaded",
            m.trust_loaded.clone(),
        );
        r.register(
            "trust_list_sequence",
            "Sequence number of the trust list in use",
            m.trust_sequence.clone(),
        );
        r.register(
            "trust_list_reload_failures",
            "Trust list loads that failed",
            m.trust_failures.clone(),
        );
        Metrics { registry: r, ..m }
    }

    /// Adds the signature desk's counters.
    pub fn register_desk(&mut self, desk: &crate::SignatureDesk) {
        self.registry.register(
            "signature_rounds",
            "Rounds of signature checks (concurrent requests' checks made together)",
            desk.rounds().clone(),
        );
        self.registry.register(
            "signature_round_checks",
            "Signatures checked in those rounds",
            desk.signatures().clone(),
        );
    }

    /// Counts a verdict.
    pub fn verdict(&self, kind: &'static str) {
        self.verdicts
            .get_or_create(&VerdictLabels { verdict: kind })
            .inc();
    }

    /// Counts a reading served from the cache, or not.
    pub fn reading(&self, hit: bool) {
        if hit {
            self.cache_hits.inc();
        } else {
            self.cache_misses.inc();
        }
    }

    /// Counts a refused request.
    pub fn rate_limited(&self) {
        self.rate_limited.inc();
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
    let problems = state.readiness_problems();
    if problems.is_empty() {
        return "ready".into_response();
    }
    let mut resp = problem(StatusCode::SERVICE_UNAVAILABLE, &problems.join("; "));
    // The list of reasons, for an operator's eyes.
    if let Ok(body) = serde_json::to_string(&json!({
        "type": "about:blank",
        "title": "Service Unavailable",
        "status": 503,
        "detail": problems.join("; "),
        "problems": problems,
    })) {
        *resp.body_mut() = body.into();
    }
    resp
}

fn gauge_value(n: impl TryInto<i64>) -> i64 {
    n.try_into().unwrap_or(i64::MAX)
}

async fn metrics(State(state): State<AppState>) -> Response {
    let m = state.metrics();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    for (office, feed) in state.replica().offices() {
        let l = OfficeLabels { office };
        m.feed_position
            .get_or_create(&l)
            .set(gauge_value(feed.position));
        m.feed_head.get_or_create(&l).set(gauge_value(feed.head));
        m.feed_lag.get_or_create(&l).set(
            feed.synced_at()
                .map_or(i64::MAX, |s| now.saturating_sub(s).max(0)),
        );
    }
    let mut unsynced = 0;
    for source in state.feeds() {
        let st = source.status();
        match st.office {
            Some(office) => {
                let c = m.feed_failures.get_or_create(&OfficeLabels { office });
                c.inc_by(st.failures.saturating_sub(c.get()));
            }
            None => unsynced += 1,
        }
    }
    m.feeds_unsynced.set(unsynced);
    let trust = state.trust().current();
    m.trust_loaded.set(i64::from(trust.is_some()));
    m.trust_sequence
        .set(trust.map_or(0, |t| gauge_value(t.judge().trust_list().sequence())));
    let f = state.trust().failures();
    m.trust_failures
        .inc_by(f.saturating_sub(m.trust_failures.get()));
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

impl Metrics {
    /// The interned label for a route template (the router's own templates only, so the set is
    /// small and fixed: each is leaked once).
    fn route_label(&self, template: &str) -> &'static str {
        let find = |all: &[&'static str]| all.iter().copied().find(|r| *r == template);
        if let Some(r) = find(
            &self
                .routes
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        ) {
            return r;
        }
        let mut all = self
            .routes
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(r) = find(&all) {
            return r;
        }
        let r: &'static str = Box::leak(template.to_owned().into_boxed_str());
        all.push(r);
        r
    }
}

/// The method as a label: the standard ones by name, anything else as "other".
fn method_label(m: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::HEAD => "HEAD",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
}

/// Middleware: counts and times every request by route template (never the path itself).
pub(super) async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let m = state.metrics();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| m.route_label(p.as_str()));
    let method = method_label(req.method());
    let start = Instant::now();
    let resp = next.run(req).await;
    m.durations
        .get_or_create(&RouteLabels { route })
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
