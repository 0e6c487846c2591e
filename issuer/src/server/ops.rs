//! The issuer's own metrics (issuance, revocations, the durability barrier), registered into
//! the shell's registry beside the HTTP metrics; its readiness and its OpenAPI document.
//! Health, readiness and the metrics route are the shell's (`sonod_serve`).

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::gauge::Gauge;
use sonod_serve::gauge_value;

use super::AppState;

/// The OpenAPI 3.1 document of this service.
pub const OPENAPI: &str = include_str!("../../openapi.json");

/// The service's metrics, named `sonod_issuer_...`. Labels are route templates and status
/// codes only: never serials, payloads or anything about a person.
#[derive(Debug)]
pub struct Metrics {
    shell: sonod_serve::Metrics,
    issued: Counter,
    revoked: Counter,
    feed_head: Gauge,
    commit_generation: Gauge,
    durability_failed: Gauge,
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Metrics {
        let mut shell = sonod_serve::Metrics::new("sonod_issuer", 0.000_25);
        let (issued, revoked) = (Counter::default(), Counter::default());
        let (feed_head, commit_generation, durability_failed) =
            (Gauge::default(), Gauge::default(), Gauge::default());
        let registry = shell.registry_mut();
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
            shell,
            issued,
            revoked,
            feed_head,
            commit_generation,
            durability_failed,
        }
    }

    /// The registry with the HTTP metrics (the shell's).
    pub fn shell(&self) -> &sonod_serve::Metrics {
        &self.shell
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

/// Why the service is not ready: writes cannot be made durable.
pub(super) fn readiness_problems(state: &AppState) -> Vec<String> {
    if state.ledger().committer().durable().failed {
        vec!["the store cannot make writes durable".to_owned()]
    } else {
        Vec::new()
    }
}

/// Brings the durability gauges up to date, before `/metrics` is encoded.
pub(super) fn update(state: &AppState) {
    let m = state.metrics();
    let d = state.ledger().committer().durable();
    m.feed_head.set(gauge_value(d.seq));
    m.commit_generation.set(gauge_value(d.generation));
    m.durability_failed.set(i64::from(d.failed));
}
