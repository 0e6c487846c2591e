//! Prometheus metrics: one registry per service, with the HTTP request counters and durations
//! by route template; each service registers its own metrics into it.

use std::sync::{PoisonError, RwLock};
use std::time::Duration;

use axum::http::Method;
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::{Family, MetricConstructor};
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// The media type `/metrics` answers with.
pub const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

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

type Durations = Family<RouteLabels, Histogram, Buckets>;

/// Request durations' buckets: 16, doubling from the first (in seconds).
#[derive(Debug, Clone, Copy)]
struct Buckets(f64);

impl MetricConstructor<Histogram> for Buckets {
    fn new_metric(&self) -> Histogram {
        Histogram::new(exponential_buckets(self.0, 2.0, 16))
    }
}

/// A service's metrics registry with its HTTP metrics (`<prefix>_http_requests_total` by
/// method, route template and status; `<prefix>_http_request_duration_seconds` by route
/// template). Labels are route templates and status codes only: never paths, payloads or
/// anything about a person.
pub struct Metrics {
    registry: Registry,
    /// Route templates seen so far, interned: the router's templates, a fixed set.
    routes: RwLock<Vec<&'static str>>,
    requests: Family<RequestLabels, Counter>,
    durations: Durations,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics")
            .field("registry", &self.registry)
            .finish_non_exhaustive()
    }
}

impl Metrics {
    /// A registry whose metrics are named `<prefix>_...`, with the HTTP metrics; request
    /// durations in 16 buckets doubling from `first_bucket` seconds.
    pub fn new(prefix: &str, first_bucket: f64) -> Metrics {
        let mut registry = Registry::with_prefix(prefix);
        let requests = Family::<RequestLabels, Counter>::default();
        let durations: Durations = Family::new_with_constructor(Buckets(first_bucket));
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
        Metrics {
            registry,
            routes: RwLock::new(Vec::new()),
            requests,
            durations,
        }
    }

    /// The registry, for a service to register its own metrics (before it is shared).
    pub fn registry_mut(&mut self) -> &mut Registry {
        &mut self.registry
    }

    /// Every metric in the OpenMetrics text format.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        encode(&mut out, &self.registry)?;
        Ok(out)
    }

    /// Counts and times one request (`route`: its template, `None` when no route matched).
    pub fn request(&self, method: &Method, route: Option<&str>, status: u16, took: Duration) {
        let route = route.map_or("unmatched", |r| self.route_label(r));
        self.durations
            .get_or_create(&RouteLabels { route })
            .observe(took.as_secs_f64());
        self.requests
            .get_or_create(&RequestLabels {
                method: method_label(method),
                route,
                status,
            })
            .inc();
    }

    /// The interned label for a route template (the router's own templates only, so the set is
    /// small and fixed: each is leaked once).
    fn route_label(&self, template: &str) -> &'static str {
        let find = |all: &[&'static str]| all.iter().copied().find(|r| *r == template);
        if let Some(r) = find(&self.routes.read().unwrap_or_else(PoisonError::into_inner)) {
            return r;
        }
        let mut all = self.routes.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(r) = find(&all) {
            return r;
        }
        let r: &'static str = Box::leak(template.to_owned().into_boxed_str());
        all.push(r);
        r
    }
}

/// The method as a label: the standard ones by name, anything else as "other" (a client's
/// made-up methods must not grow the label set).
fn method_label(m: &Method) -> &'static str {
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

/// A gauge's value from a count (saturating).
pub fn gauge_value(n: impl TryInto<i64>) -> i64 {
    n.try_into().unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_template_and_known_methods() {
        let m = Metrics::new("t", 0.001);
        let odd = Method::from_bytes(b"BREW").unwrap();
        m.request(&Method::GET, Some("/a/{x}"), 200, Duration::from_millis(2));
        m.request(&odd, None, 405, Duration::ZERO);
        let out = m.encode().unwrap();
        assert!(
            out.contains(r#"t_http_requests_total{method="GET",route="/a/{x}",status="200"} 1"#)
        );
        assert!(out
            .contains(r#"t_http_requests_total{method="other",route="unmatched",status="405"} 1"#));
        assert!(out.contains("t_http_request_duration_seconds_bucket"));
    }
}
