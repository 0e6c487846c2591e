//! `sonod-verifier serve`: the public verification service over HTTP.
//!
//! [`app`] builds the router from an [`AppState`] (the seam tests drive with `oneshot`):
//! this service's routes inside the shell both services share (`sonod_serve::app`: health,
//! readiness, metrics, OpenAPI, problem+json, limits, request ids). The judging itself is the
//! [`Verifier`]'s; the handlers parse, call it and render. [`spawn_background`] starts the
//! trust list watcher and one sync task per issuer feed; [`run`] does both and serves on a
//! listener until the shutdown future resolves, then lets the requests in flight finish,
//! stops the tasks and flushes the replica.

mod api;
mod error;
mod limit;
mod ops;
mod pages;

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use ed25519_dalek::VerifyingKey;
use sonod_keys::today_dhaka;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinHandle;

pub use error::AppError;
pub use limit::{Client, RateLimit};
pub use ops::{Metrics, OPENAPI};
pub use sonod_serve::NEVER_SHED;

use crate::replica::{Replica, ReplicaError};
pub use crate::service::{Answer, Answers, Freshness};
use crate::sync::{run_feed, run_mirror, FeedSource, MirrorSource};
use crate::trust::{TrustHandle, TrustSource};
use crate::trust_floor::{FloorError, TrustFloor};
use crate::{Verifier, VerifierSettings};

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
    /// Base URLs of other verifiers whose mirror routes are followed (every office they
    /// list), checked as strictly as an issuer's feed.
    pub mirrors: Vec<String>,
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
            mirrors: Vec::new(),
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
    verifier: Verifier,
    rate_limit: RateLimit,
    metrics: Metrics,
    http: reqwest::Client,
    /// The other verifiers followed through their mirror routes.
    mirrors: Vec<Arc<MirrorSource>>,
    /// Image decoding is heavy: at most this many at once.
    scan_slots: Semaphore,
    /// Photo uploads being received or read: at most this many at once (each holds up to
    /// [`crate::image_decode::MAX_FILE_BYTES`]), so that the uploads in memory stay bounded
    /// however many connections send photos; the rest wait in their sockets.
    upload_slots: Semaphore,
}

/// Photo uploads held at once, a core (see `Inner::upload_slots` and `docs/LIMITS.md`).
pub const UPLOADS_PER_CORE: usize = 2;

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
    #[error("{}", crate::l10n::both("serve-client", &[("n0", &format!("{}", .0))]))]
    Client(String),
    /// The highest trust-list sequence accepted before could not be read.
    #[error(transparent)]
    TrustFloor(#[from] FloorError),
}

impl AppState {
    /// Opens the replica and loads the trust list once. A trust list that cannot be loaded
    /// does not stop the start: the service runs unready and keeps trying.
    pub async fn new(config: Config) -> Result<AppState, ServeError> {
        let replica = Arc::new(Replica::open(&config.data_dir, config.replica_cache_bytes)?);
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
        let verifier = Verifier::new(
            replica,
            trust,
            feeds,
            VerifierSettings {
                confirm_wait: config.confirm_wait,
                max_staleness: config.max_staleness,
                signature_round: config.signature_round,
                signature_checkers: config.signature_checkers,
            },
        );
        let metrics = Metrics::new(&verifier);
        let mirrors = config
            .mirrors
            .iter()
            .map(|u| Arc::new(MirrorSource::new(u)))
            .collect();
        Ok(AppState(Arc::new(Inner {
            mirrors,
            config,
            verifier,
            rate_limit,
            metrics,
            http,
            scan_slots: Semaphore::new(cores),
            upload_slots: Semaphore::new(UPLOADS_PER_CORE * cores),
        })))
    }

    /// The verification service the handlers call.
    pub fn verifier(&self) -> &Verifier {
        &self.0.verifier
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.0.config
    }

    /// The feed replica.
    pub fn replica(&self) -> &Arc<Replica> {
        self.0.verifier.replica()
    }

    /// The trust list handle.
    pub fn trust(&self) -> &Arc<TrustHandle> {
        self.0.verifier.trust()
    }

    /// The configured feeds.
    pub fn feeds(&self) -> &[Arc<FeedSource>] {
        self.0.verifier.feeds()
    }

    /// The configured mirrors.
    pub fn mirrors(&self) -> &[Arc<MirrorSource>] {
        &self.0.mirrors
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

    /// Why the service is not ready, if it is not (see [`Verifier::readiness_problems`]).
    pub fn readiness_problems(&self) -> Vec<String> {
        let mut out = self.0.verifier.readiness_problems();
        // A mirror's offices as an issuer's feed: stale past the limit, or never synced.
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let limit = i64::try_from(self.0.config.max_staleness.as_secs()).unwrap_or(i64::MAX);
        for m in &self.0.mirrors {
            let st = m.status();
            if !st.synced {
                out.push(format!("mirror {} has never been synced", m.url()));
            }
            for office in &st.offices {
                match self.replica().office(office).and_then(|f| f.synced_at()) {
                    Some(at) if now.saturating_sub(at) <= limit => {}
                    Some(at) => out.push(format!(
                        "office {office} through mirror {} is {} s stale (limit {limit} s)",
                        m.url(),
                        now.saturating_sub(at)
                    )),
                    None => out.push(format!(
                        "office {office} through mirror {} has never been synced",
                        m.url()
                    )),
                }
            }
        }
        out
    }

    /// [`Verifier::verify_one`].
    pub async fn verify(&self, text: &str) -> Result<Answer, AppError> {
        Ok(self.0.verifier.verify_one(text).await?)
    }

    /// [`Verifier::verify_each`].
    pub async fn verify_each(&self, texts: &[impl AsRef<str>]) -> Result<Answers, AppError> {
        Ok(self.0.verifier.verify_each(texts).await?)
    }

    /// [`Verifier::verify_batch`].
    pub fn verify_batch(&self, texts: &[impl AsRef<str>]) -> Result<Answers, AppError> {
        Ok(self.0.verifier.verify_batch(texts)?)
    }

    /// [`Verifier::settle`].
    pub async fn settle(&self, answers: &mut Answers) {
        self.0.verifier.settle(answers).await;
    }

    /// [`Verifier::freshness`].
    pub fn freshness(
        &self,
        office: &sonod_keys::OfficeCode,
        now: time::OffsetDateTime,
    ) -> Freshness {
        self.0.verifier.freshness(office, now)
    }
}

impl sonod_serve::Service for AppState {
    fn http_metrics(&self) -> &sonod_serve::Metrics {
        self.0.metrics.shell()
    }

    fn readiness_problems(&self) -> Vec<String> {
        self.0.verifier.readiness_problems()
    }

    fn update_metrics(&self) {
        ops::update(self);
    }
}

/// The service's router: its routes (the API and pages rate limited) in the shell.
pub fn app(state: AppState) -> Router {
    let limited = Router::new()
        .merge(api::routes())
        .merge(pages::routes())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limit::middleware,
        ));
    let shell = sonod_serve::Shell {
        openapi: OPENAPI,
        body_limit: MAX_VERIFY_BODY,
        request_timeout: state.config().request_timeout,
    };
    sonod_serve::app(limited, state, &shell)
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

/// Starts the trust list watcher, one sync task per feed and per mirror, and the limiter's
/// pruning.
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
    for mirror in state.mirrors() {
        tasks.push(tokio::spawn(run_mirror(
            Arc::clone(mirror),
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
