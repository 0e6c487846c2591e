//! The verifier's own metrics (rate limiting, feeds, trust list), registered into the shell's
//! registry beside the HTTP metrics and the [`Verifier`]'s counters; and its OpenAPI document.
//! Health, readiness and the metrics route are the shell's (`sonod_serve`).

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use sonod_serve::gauge_value;

use super::AppState;
use crate::Verifier;

/// The OpenAPI 3.1 document of this service.
pub const OPENAPI: &str = include_str!("../../openapi.json");

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OfficeLabels {
    office: String,
}

/// The service's metrics, named `sonod_verifier_...`. Labels are route templates, status
/// codes, verdict kinds and office codes only: never payloads, serials or anything about a
/// person.
#[derive(Debug)]
pub struct Metrics {
    shell: sonod_serve::Metrics,
    own: Own,
}

/// The service's own metrics.
#[derive(Debug, Default)]
struct Own {
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

impl Metrics {
    /// Registers every metric: the HTTP ones, `verifier`'s counters, the service's own, then
    /// the signature desk's.
    pub fn new(verifier: &Verifier) -> Metrics {
        let mut shell = sonod_serve::Metrics::new("sonod_verifier", 0.000_05);
        let m = Own::default();
        let r = shell.registry_mut();
        verifier.register_counters(r);
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
        verifier.register_desk(r);
        Metrics { shell, own: m }
    }

    /// The registry with the HTTP metrics (the shell's).
    pub fn shell(&self) -> &sonod_serve::Metrics {
        &self.shell
    }

    /// Counts a refused request.
    pub fn rate_limited(&self) {
        self.own.rate_limited.inc();
    }
}

/// Brings the feed and trust-list gauges up to date, before `/metrics` is encoded.
pub(super) fn update(state: &AppState) {
    let m = &state.metrics().own;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    for (office, feed) in state.replica().offices() {
        let l = OfficeLabels {
            office: office.into(),
        };
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
                let c = m.feed_failures.get_or_create(&OfficeLabels {
                    office: office.into(),
                });
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
}
