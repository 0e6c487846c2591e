//! `sonod-verifier serve`: the public verification service.
//!
//! [`app`] builds the router from an [`AppState`] (the seam tests drive with `oneshot`);
//! [`spawn_background`] starts the trust list watcher and one sync task per issuer feed;
//! [`run`] does both and serves on a listener until the shutdown future resolves, then lets
//! the requests in flight finish, stops the tasks and flushes the replica.
//!
//! A certificate signed with a trusted key but not in its office's replicated feed is judged
//! `unconfirmed` only after a short wait ([`Config::confirm_wait`]) in which its office's feed
//! is read again: a genuine certificate is in the feed before anyone can show it, so the feed
//! read after the certificate was first seen here either has it (`valid`) or proves it forged
//! (`not_issued`). Only payloads whose signature holds with a trusted key wait; the found path
//! does no more than before.

mod api;
mod error;
mod limit;
mod ops;
mod pages;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::Router;
use ed25519_dalek::VerifyingKey;
use serde::Serialize;
use sonod_keys::today_dhaka;
use sonod_seal::parse_qr_text;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinHandle;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use error::AppError;
pub use limit::{Client, RateLimit};
pub use ops::{Metrics, OPENAPI};

use crate::judge::{Prepared, Reading};
use crate::replica::{Replica, ReplicaError};
use crate::sync::{run_feed, FeedSource};
use crate::trust::{TrustHandle, TrustSource, TrustState};
use crate::trust_floor::{FloorError, TrustFloor};
use crate::verdict::{Unchecked, Verdict, VerdictJson};
use crate::{verify_signatures, SignatureDesk};

/// Largest body of `POST /api/v1/verify`.
pub const MAX_VERIFY_BODY: usize = 16 * 1024;
/// Most payloads in one batch.
pub const MAX_BATCH: usize = 1000;
/// The batch endpoint, whose handler charges the rate limit one per payload.
pub const BATCH_PATH: &str = "/api/v1/verify/batch";
/// Largest body of `POST /api/v1/verify/batch`: a thousand of the longest QR texts.
pub const MAX_BATCH_BODY: usize = 5 << 20;

/// How the service runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The replica's directory; it also keeps the highest trust-list sequence accepted
    /// ([`crate::FLOOR_FILE`]).
    pub data_dir: PathBuf,
    /// Where the trust list comes from.
    pub trust: TrustSource,
    /// The national root key that signs the trust list.
    pub root: VerifyingKey,
    /// Base URLs of the issuers whose feeds are replicated.
    pub issuers: Vec<String>,
    /// How often feeds (and a trust list URL) are pulled.
    pub sync_interval: Duration,
    /// A feed not caught up for longer makes the service unready.
    pub max_staleness: Duration,
    /// The host this verifier is reached at (for the OpenAPI document and as the page's host
    /// when a request has none).
    pub public_host: Option<String>,
    /// Bearer tokens exempt from rate limiting (banks' integrations).
    pub exempt_tokens: Vec<String>,
    /// Requests per minute per client IP; 0 turns limiting off.
    pub rate_limit_per_minute: u32,
    /// The most a client's allowance holds (a burst of requests, or the payloads of one
    /// batch); `None`: the larger of the per-minute rate and [`MAX_BATCH`].
    pub rate_limit_burst: Option<u32>,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<IpAddr>,
    /// Every request's time limit.
    pub request_timeout: Duration,
    /// Readings kept by hash (0: no cache).
    pub cache_entries: usize,
    /// sled's page cache for the replica, in bytes.
    pub replica_cache_bytes: u64,
    /// Most signatures of concurrent single requests checked together (see
    /// [`crate::SignatureDesk`]; 1: each alone).
    pub signature_round: usize,
    /// Most signature rounds at once.
    pub signature_checkers: usize,
    /// Bounds on connections and requests in flight (the trusted proxies are added to its
    /// exempt addresses by [`run`]).
    pub connections: sonod_serve::Limits,
    /// How long a request holding a certificate that is signed with a trusted key but not yet
    /// in its office's replicated feed waits for that feed to be read again (an office whose
    /// feed this service follows; zero: no wait, the answer stays `unconfirmed` until the next
    /// sync).
    pub confirm_wait: Duration,
}

impl Config {
    /// The defaults of `sonod-verifier serve` around the three things it cannot guess.
    pub fn new(data_dir: PathBuf, trust: TrustSource, root: VerifyingKey) -> Config {
        Config {
            data_dir,
            trust,
            root,
            issuers: Vec::new(),
            sync_interval: Duration::from_secs(5),
            max_staleness: Duration::from_secs(600),
            public_host: None,
            exempt_tokens: Vec::new(),
            rate_limit_per_minute: 600,
            rate_limit_burst: None,
            trusted_proxies: Vec::new(),
            request_timeout: Duration::from_secs(10),
            cache_entries: 16_384,
            replica_cache_bytes: 256 << 20,
            signature_round: 64,
            signature_checkers: 1,
            connections: sonod_serve::Limits::default(),
            confirm_wait: Duration::from_millis(1500),
        }
    }
}

#[derive(Debug)]
struct Inner {
    config: Config,
    replica: Arc<Replica>,
    trust: Arc<TrustHandle>,
    feeds: Vec<Arc<FeedSource>>,
    rate_limit: RateLimit,
    metrics: Metrics,
    desk: SignatureDesk,
    http: reqwest::Client,
    /// Image decoding is heavy: at most this many at once.
    scan_slots: Semaphore,
}

/// Shared state of the service; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Inner>);

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The replica could not be opened.
    #[error(transparent)]
    Replica(#[from] ReplicaError),
    /// The HTTP client could not be built.
    #[error("HTTP ক্লায়েন্ট তৈরি হয়নি / cannot build the HTTP client: {0}")]
    Client(String),
    /// The highest trust-list sequence accepted before could not be read.
    #[error(transparent)]
    TrustFloor(#[from] FloorError),
}

/// One verdict as the API answers it, with when and on what data it was made.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The verdict.
    pub verdict: Verdict,
    /// When it was checked.
    pub checked_at: OffsetDateTime,
    /// The reading it was made from, when it came from the cache: a re-scan, whose answer
    /// takes the facts as the reading keeps them written (written on the second sighting, so
    /// that a stream of distinct payloads does not pay for keeping them).
    reading: Option<Arc<Reading>>,
}

impl Answer {
    /// The verdict's JSON, with the facts as its reading keeps them written.
    pub fn json(&self) -> VerdictJson<'_> {
        self.verdict
            .json_with_facts(self.reading.as_deref().and_then(Reading::certificate_json))
    }
}

/// Answers to many payloads, some perhaps waiting on their offices' feeds
/// ([`AppState::settle`]).
#[derive(Debug)]
pub struct Answers {
    /// The answers, in the payloads' order.
    pub answers: Vec<Answer>,
    /// When they were checked.
    pub checked_at: OffsetDateTime,
    /// The trust list they were judged with.
    trust: Arc<TrustState>,
    /// The answers (by place) whose certificate is signed with a trusted key but not yet in
    /// its office's replicated feed, with their readings (their signature already checked).
    waiting: Vec<(usize, Arc<Reading>)>,
}

impl Answers {
    /// Whether no answer waits on a feed.
    pub fn is_settled(&self) -> bool {
        self.waiting.is_empty()
    }
}

impl AppState {
    /// Opens the replica and loads the trust list once. A trust list that cannot be loaded
    /// does not stop the start: the service runs unready and keeps trying.
    pub async fn new(config: Config) -> Result<AppState, ServeError> {
        let replica = Arc::new(Replica::open(&config.data_dir, config.replica_cache_bytes)?);
        // A feed not read within the staleness limit cannot vouch that a certificate is not
        // revoked: its answers then say so (`unconfirmed`, `stale`), as readiness does.
        replica.set_max_staleness(config.max_staleness);
        let http = reqwest::Client::builder()
            .user_agent(concat!("sonod-verifier/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| ServeError::Client(e.to_string()))?;
        // Kept beside the replica: a restart must not accept a list older than one accepted
        // before.
        let floor = TrustFloor::open(&config.data_dir)?;
        if floor.highest() > 0 {
            tracing::info!(
                highest_sequence = floor.highest(),
                "refusing trust lists older than the highest accepted before"
            );
        }
        let trust = Arc::new(TrustHandle::with_floor(
            config.trust.clone(),
            config.root,
            config.cache_entries,
            floor,
        ));
        let _ = trust.reload(&http, today_dhaka()).await;
        let feeds = config
            .issuers
            .iter()
            .map(|u| Arc::new(FeedSource::new(u)))
            .collect();
        let rate_limit = RateLimit::new(
            config.rate_limit_per_minute,
            config.rate_limit_burst,
            &config.exempt_tokens,
            config.trusted_proxies.clone(),
        );
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let desk = SignatureDesk::new(config.signature_round, config.signature_checkers);
        let mut metrics = Metrics::new();
        metrics.register_desk(&desk);
        Ok(AppState(Arc::new(Inner {
            config,
            replica,
            trust,
            feeds,
            rate_limit,
            metrics,
            desk,
            http,
            scan_slots: Semaphore::new(cores),
        })))
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.0.config
    }

    /// The feed replica.
    pub fn replica(&self) -> &Arc<Replica> {
        &self.0.replica
    }

    /// The trust list handle.
    pub fn trust(&self) -> &Arc<TrustHandle> {
        &self.0.trust
    }

    /// The configured feeds.
    pub fn feeds(&self) -> &[Arc<FeedSource>] {
        &self.0.feeds
    }

    /// The metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.0.metrics
    }

    /// The rate limiter.
    pub fn rate_limit(&self) -> &RateLimit {
        &self.0.rate_limit
    }

    /// The HTTP client used for feeds and the trust list.
    pub fn http(&self) -> &reqwest::Client {
        &self.0.http
    }

    fn trust_state(&self) -> Result<Arc<TrustState>, AppError> {
        self.0.trust.current().ok_or_else(AppError::no_trust_list)
    }

    /// Why the service is not ready, if it is not: no trust list, a failed replica, or a feed
    /// not caught up within the staleness limit.
    pub fn readiness_problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.0.trust.current().is_none() {
            out.push(format!(
                "no valid trust list{}",
                self.0
                    .trust
                    .last_error()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default()
            ));
        }
        if self.0.replica.has_failed() {
            out.push("the replica store failed".to_owned());
        }
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let limit = i64::try_from(self.0.config.max_staleness.as_secs()).unwrap_or(i64::MAX);
        for feed in &self.0.feeds {
            let st = feed.status();
            let synced = st
                .office
                .as_deref()
                .or(self.0.replica.source_office(feed.url()).as_deref())
                .and_then(|o| self.0.replica.office(o))
                .and_then(|f| f.synced_at());
            match synced {
                Some(at) if now.saturating_sub(at) <= limit => {}
                Some(at) => out.push(format!(
                    "feed {} is {} s stale (limit {limit} s)",
                    feed.url(),
                    now.saturating_sub(at)
                )),
                None => out.push(format!("feed {} has never been synced", feed.url())),
            }
        }
        out
    }

    /// The verdict up to the signature, and whether the reading came from the cache (a
    /// re-scan: its answer then takes the facts as the reading keeps them written).
    fn prepare(&self, trust: &TrustState, text: &str, today: Date) -> (Prepared, bool) {
        match parse_qr_text(text) {
            Ok(qr) => {
                let (reading, hit) = trust.cache().reading(&qr.bytes);
                self.0.metrics.reading(hit);
                let p = trust
                    .judge()
                    .prepare_reading(qr.host, reading, today, &*self.0.replica);
                (p, hit)
            }
            Err(_) => (trust.judge().prepare(text, today, &*self.0.replica), false),
        }
    }

    /// The feed source this service follows `office` through, if any.
    fn source_for(&self, office: &str) -> Option<&Arc<FeedSource>> {
        self.0.feeds.iter().find(|f| f.serves(office))
    }

    /// Whether `verdict` (whose signature held, and whose feed said "not yet") is worth a
    /// wait: its office's feed is one this service reads, and waiting is configured.
    fn worth_waiting(&self, verdict: &Verdict) -> bool {
        !self.0.config.confirm_wait.is_zero()
            && matches!(verdict.unchecked, Some(Unchecked::NotYetPublished { .. }))
            && verdict
                .office
                .as_ref()
                .is_some_and(|o| self.source_for(&o.code).is_some())
    }

    /// Judges one QR text, its signature checked at the [`SignatureDesk`] together with those
    /// of concurrent requests; and, when it waits on its office's feed, its reading.
    async fn judge_one(
        &self,
        trust: &TrustState,
        text: &str,
        today: Date,
    ) -> (Answer, Option<Arc<Reading>>) {
        let checked_at = OffsetDateTime::now_utc();
        let (prepared, hit) = self.prepare(trust, text, today);
        let (ok, reading, waiting) = match prepared.signature_check() {
            Some(c) => {
                let ok = self.0.desk.check(c).await;
                let waiting = (ok && prepared.awaits_publication()).then(|| c.shared_reading());
                (ok, hit.then(|| c.shared_reading()), waiting)
            }
            None => (false, None, None),
        };
        let verdict = prepared.finish(ok);
        let waiting = waiting.filter(|_| self.worth_waiting(&verdict));
        if waiting.is_none() {
            self.0.metrics.verdict(verdict.kind.as_str());
        }
        let answer = Answer {
            verdict,
            checked_at,
            reading,
        };
        (answer, waiting)
    }

    /// Judges one QR text (a URL or bare Base32). Its signature check is made at the
    /// [`SignatureDesk`], together with those of concurrent requests. A certificate signed
    /// with a trusted key but not yet in its office's feed waits for the feed
    /// ([`AppState::settle`]).
    pub async fn verify(&self, text: &str) -> Result<Answer, AppError> {
        let trust = self.trust_state()?;
        let (answer, waiting) = self.judge_one(&trust, text, today_dhaka()).await;
        let Some(reading) = waiting else {
            return Ok(answer);
        };
        let mut answers = Answers {
            checked_at: answer.checked_at,
            answers: vec![answer],
            trust,
            waiting: vec![(0, reading)],
        };
        self.settle(&mut answers).await;
        answers
            .answers
            .pop()
            .ok_or_else(|| AppError::Internal("no answer".into()))
    }

    /// Judges a few QR texts one after another (the codes found in one photo), without
    /// waiting on feeds yet: see [`AppState::settle`].
    pub async fn verify_each(&self, texts: &[impl AsRef<str>]) -> Result<Answers, AppError> {
        let trust = self.trust_state()?;
        let today = today_dhaka();
        let checked_at = OffsetDateTime::now_utc();
        let mut answers = Vec::with_capacity(texts.len());
        let mut waiting = Vec::new();
        for (i, t) in texts.iter().enumerate() {
            let (a, w) = self.judge_one(&trust, t.as_ref(), today).await;
            answers.push(a);
            if let Some(r) = w {
                waiting.push((i, r));
            }
        }
        Ok(Answers {
            answers,
            checked_at,
            trust,
            waiting,
        })
    }

    /// Judges many QR texts, checking their signatures in batches; answers in order, without
    /// waiting on feeds yet: see [`AppState::settle`].
    pub fn verify_batch(&self, texts: &[impl AsRef<str>]) -> Result<Answers, AppError> {
        let trust = self.trust_state()?;
        let checked_at = OffsetDateTime::now_utc();
        let today = today_dhaka();
        let (prepared, hits): (Vec<Prepared>, Vec<bool>) = texts
            .iter()
            .map(|t| self.prepare(&trust, t.as_ref(), today))
            .unzip();
        let mut oks = vec![false; prepared.len()];
        {
            let mut todo = Vec::new();
            let mut checks = Vec::new();
            for (i, p) in prepared.iter().enumerate() {
                if let Some(c) = p.signature_check() {
                    match c.reading().recorded_signature() {
                        Some(ok) => oks[i] = ok,
                        None => {
                            todo.push(i);
                            checks.push(c);
                        }
                    }
                }
            }
            let results = verify_signatures(&checks);
            for ((&i, c), ok) in todo.iter().zip(&checks).zip(results) {
                c.reading().record_signature(ok);
                oks[i] = ok;
            }
        }
        let mut waiting = Vec::new();
        let answers = prepared
            .into_iter()
            .zip(oks)
            .zip(hits)
            .enumerate()
            .map(|(i, ((p, ok), hit))| {
                let check = p.signature_check();
                let reading = check.filter(|_| hit).map(|c| c.shared_reading());
                let wait = check
                    .filter(|_| ok && p.awaits_publication())
                    .map(|c| c.shared_reading());
                let verdict = p.finish(ok);
                match wait.filter(|_| self.worth_waiting(&verdict)) {
                    Some(r) => waiting.push((i, r)),
                    None => self.0.metrics.verdict(verdict.kind.as_str()),
                }
                Answer {
                    verdict,
                    checked_at,
                    reading,
                }
            })
            .collect();
        Ok(Answers {
            answers,
            checked_at,
            trust,
            waiting,
        })
    }

    /// Settles the answers that wait on their offices' feeds: wakes each such feed's sync
    /// task for a round now (rounds are shared with other waiting requests) and waits, at most
    /// [`Config::confirm_wait`] for all of them together, until the replica has caught up with
    /// the feed after the latest of its certificates was first seen here; then judges those
    /// answers again from the replica, with their readings (no second signature check). A
    /// certificate the feed then has is `valid`; one it lacks is `not_issued`; when the feed
    /// could not be read in time (issuer unreachable, slow) it stays `unconfirmed`.
    pub async fn settle(&self, answers: &mut Answers) {
        if answers.waiting.is_empty() {
            return;
        }
        let waiting = std::mem::take(&mut answers.waiting);
        let deadline = tokio::time::Instant::now() + self.0.config.confirm_wait;
        // The latest sighting of each office's waiting certificates.
        let mut offices: BTreeMap<String, i64> = BTreeMap::new();
        for (i, r) in &waiting {
            if let Some(o) = &answers.answers[*i].verdict.office {
                let seen = offices.entry(o.code.clone()).or_insert(i64::MIN);
                *seen = (*seen).max(r.first_seen_ms());
            }
        }
        let mut feeds = tokio::task::JoinSet::new();
        for (office, seen) in offices {
            if let Some(source) = self.source_for(&office) {
                let (source, replica) = (Arc::clone(source), Arc::clone(&self.0.replica));
                feeds.spawn(async move {
                    source
                        .await_sync_after(&replica, &office, seen, deadline)
                        .await
                });
            }
        }
        while feeds.join_next().await.is_some() {}
        let today = today_dhaka();
        let checked_at = OffsetDateTime::now_utc();
        for (i, reading) in waiting {
            let a = &mut answers.answers[i];
            // The signature held: that is why it waited.
            let v = answers
                .trust
                .judge()
                .prepare_reading(a.verdict.host.clone(), reading, today, &*self.0.replica)
                .finish(true);
            self.0.metrics.verdict(v.kind.as_str());
            a.verdict = v;
            a.checked_at = checked_at;
        }
        answers.checked_at = checked_at;
    }

    /// How fresh the replica is for `office`: when its feed was last caught up and where.
    pub fn freshness(&self, office: &str, now: OffsetDateTime) -> Freshness {
        let feed = self.0.replica.office(office);
        let synced = feed.and_then(|f| f.synced_at());
        Freshness {
            office: office.to_owned(),
            feed_synced_at: synced
                .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
                .map(rfc3339),
            feed_age_seconds: synced.map(|s| now.unix_timestamp().saturating_sub(s).max(0)),
            feed_position: feed.map(|f| f.position),
        }
    }

    /// The verdict as the API answers it: [`Verdict::to_json`]'s fields with `checked_at` and
    /// the freshness of its office's feed, as JSON bytes.
    pub fn answer_body(&self, answer: &Answer) -> Vec<u8> {
        let body = AnswerJson {
            verdict: answer.json(),
            checked_at: rfc3339(answer.checked_at),
            freshness: answer
                .verdict
                .office
                .as_ref()
                .map(|o| self.freshness(&o.code, answer.checked_at)),
        };
        json_bytes(&body, ANSWER_SIZE)
    }

    /// The batch answer: results in order, the freshness of every office they name.
    pub fn batch_body(&self, batch: &Answers) -> Vec<u8> {
        let (answers, checked_at) = (&batch.answers, batch.checked_at);
        let mut freshness = BTreeMap::new();
        for o in answers.iter().filter_map(|a| a.verdict.office.as_ref()) {
            if !freshness.contains_key(o.code.as_str()) {
                freshness.insert(o.code.as_str(), self.freshness(&o.code, checked_at));
            }
        }
        let body = BatchJson {
            checked_at: rfc3339(checked_at),
            freshness,
            results: answers.iter().map(Answer::json).collect(),
        };
        json_bytes(&body, ANSWER_SIZE * answers.len() + 512)
    }
}

/// About the size of one answer with the certificate's facts, in bytes.
const ANSWER_SIZE: usize = 2560;

/// `body` as JSON, written into a buffer with room for `capacity` bytes: growing one by
/// doubling up to the half megabyte of a batch's answer copied it over and over.
fn json_bytes<T: Serialize>(body: &T, capacity: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(capacity);
    match serde_json::to_writer(&mut out, body) {
        Ok(()) => out,
        // Only a serializer's own error (none of these types has one): an empty answer.
        Err(_) => Vec::new(),
    }
}

/// How current the replica of an office's feed is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Freshness {
    /// The office code.
    pub office: String,
    /// When the replica last caught up with the feed (RFC 3339), if ever.
    pub feed_synced_at: Option<String>,
    /// Seconds since then.
    pub feed_age_seconds: Option<i64>,
    /// The last event replicated.
    pub feed_position: Option<u64>,
}

#[derive(Serialize)]
struct AnswerJson<'a> {
    #[serde(flatten)]
    verdict: VerdictJson<'a>,
    checked_at: String,
    freshness: Option<Freshness>,
}

#[derive(Serialize)]
struct BatchJson<'a> {
    checked_at: String,
    freshness: BTreeMap<&'a str, Freshness>,
    results: Vec<VerdictJson<'a>>,
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// Fallback: problem+json 404 for every unknown path.
async fn not_found() -> AppError {
    AppError::NotFound
}

/// The service's router.
pub fn app(state: AppState) -> Router {
    let timeout = state.config().request_timeout;
    let limited = Router::new()
        .merge(api::routes())
        .merge(pages::routes())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limit::middleware,
        ));
    Router::new()
        .merge(limited)
        .merge(ops::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ops::track,
        ))
        .layer(DefaultBodyLimit::max(MAX_VERIFY_BODY))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
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
            // Method and route template only: never the path's values, bodies or headers. At
            // debug level, like the layer's own request and response events: a span per request
            // costs allocations under load, and failures (5xx) are still logged at error level.
            TraceLayer::new_for_http().make_span_with(|req: &Request| {
                let route = req
                    .extensions()
                    .get::<MatchedPath>()
                    .map_or("-", |p| p.as_str());
                tracing::debug_span!("request", method = %req.method(), route)
            }),
        )
        .with_state(state)
}

/// The background tasks: stop them with [`Background::stop`].
#[derive(Debug)]
pub struct Background {
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Background {
    /// Signals every task to stop and waits for them.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// Starts the trust list watcher, one sync task per feed, and the limiter's pruning.
pub fn spawn_background(state: &AppState) -> Background {
    let (tx, rx) = watch::channel(false);
    let mut tasks = Vec::new();
    let cfg = state.config();
    tasks.push(tokio::spawn(Arc::clone(state.trust()).watch(
        state.http().clone(),
        cfg.sync_interval,
        rx.clone(),
    )));
    for feed in state.feeds() {
        tasks.push(tokio::spawn(run_feed(
            Arc::clone(feed),
            Arc::clone(state.replica()),
            Arc::clone(state.trust()),
            state.http().clone(),
            cfg.sync_interval,
            rx.clone(),
        )));
    }
    let s = state.clone();
    let mut stop = rx;
    tasks.push(tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(60)) => s.rate_limit().prune(),
                _ = stop.changed() => return,
            }
        }
    }));
    Background {
        shutdown: tx,
        tasks,
    }
}

/// Routes never shed under load: a busy service still answers its health checks and metrics.
pub const NEVER_SHED: &[&str] = &["/healthz", "/readyz", "/metrics"];

/// Serves until `shutdown` resolves, then lets requests in flight finish, stops the
/// background tasks and flushes the replica. Connections and requests in flight are bounded by
/// [`Config::connections`] (see `sonod_serve`); the trusted proxies have no per-address cap.
pub async fn run(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let background = spawn_background(&state);
    let router = app(state.clone());
    let mut limits = state.config().connections.clone();
    limits
        .exempt_addresses
        .extend(state.config().trusted_proxies.iter().copied());
    let served = sonod_serve::serve(listener, router, &limits, NEVER_SHED, shutdown).await;
    background.stop().await;
    if let Err(e) = state.replica().flush() {
        tracing::warn!(error = %e, "replica flush at shutdown failed");
    }
    served
}
