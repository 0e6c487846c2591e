//! `sonod-issuer serve`: the office's HTTP service.
//!
//! [`app`] builds the router from an [`AppState`] (the seam tests drive with `oneshot`): this
//! service's routes inside the shell both services share (`sonod_serve::app`: health,
//! readiness, metrics, OpenAPI, problem+json, limits, request ids); [`run`] serves it on a listener until the shutdown future resolves, then finishes the
//! requests in flight and the last durability barrier.

mod api;
mod apply;
mod audit_page;
mod auth;
mod bulk;
mod certificates;
mod citizen;
mod error;
mod ops;
mod pages;
mod reseal;
mod review;
mod second_factor;
mod settings_page;
mod tokens;
pub mod uploads;
mod web;

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use sonod_keys::{read_secret_key, today_dhaka, Passphrase, SecretKey};
use sonod_seal::Host;

pub use auth::{csrf_token, Caller, ClientAddr, SESSION_COOKIE};
pub use error::AppError;
pub use ops::{Metrics, OPENAPI};
pub use sonod_serve::NEVER_SHED;

use crate::accounts::Accounts;
use crate::ledger::Ledger;
use crate::office_key::OfficeKey;
use crate::paper::wording::Wording;
use crate::signin::{SignIn, SignInLimits};
use crate::store::{Store, StoreError};

/// Largest request body (a record is at most 64 KiB of JSON).
pub const MAX_BODY: usize = 128 * 1024;

/// The office the service issues for.
#[derive(Debug, Clone)]
pub struct OfficeInfo {
    /// Office code.
    pub code: sonod_keys::OfficeCode,
    /// Name in Bangla.
    pub name_bn: String,
    /// Name in English.
    pub name_en: String,
}

/// How the service runs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// The office.
    pub office: OfficeInfo,
    /// The signing key file (re-read on reload).
    pub key_path: PathBuf,
    /// The root-signed trust list that names the signing key, its window and status (re-read
    /// on reload): the service signs only what the verifiers will accept.
    pub trust_path: PathBuf,
    /// The national root public key the trust list is verified against.
    pub root_path: PathBuf,
    /// The verifier host written into QR URLs.
    pub verifier_host: Option<Host>,
    /// Every request's time limit.
    pub request_timeout: Duration,
    /// Development keys: pages carry a specimen band.
    pub development: bool,
    /// The office's own certificate wording: files here (`<type>.bn.txt`, `common.en.txt`, …)
    /// take the place of the built-in ones of the same name. Loaded and checked against every
    /// type's schema when the service starts.
    pub wording_dir: Option<PathBuf>,
}

#[derive(Debug)]
struct Inner {
    config: ServeConfig,
    ledger: Ledger,
    accounts: Accounts,
    settings: crate::office::settings::Settings,
    key: RwLock<Arc<OfficeKey>>,
    metrics: Metrics,
    signin: SignIn,
    citizens: crate::citizen::Citizens,
    wording: Wording,
    /// The development SMS file the `/dev/sms` page shows; unset in production.
    dev_sms: std::sync::OnceLock<crate::sms::devfile::DevFile>,
    /// Believe `X-Forwarded-Proto: https` (a reverse proxy terminates TLS): see `pages`.
    trust_proxy_https: std::sync::atomic::AtomicBool,
    /// Each official's approvals of the last hour (the rate hold).
    rate: crate::applications::review::RateGuard,
}

/// Shared state of the service; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Inner>);

/// Why the service could not start or reload.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The key could not be read.
    #[error("{}", crate::l10n::both("serve-key", &[("n0", &format!("{}", .0))]))]
    Key(String),
    /// The trust list does not let the key sign for this office.
    #[error(transparent)]
    Trust(#[from] crate::office_key::OfficeKeyError),
    /// The certificate wording does not load or does not fit the types' schemas.
    #[error(transparent)]
    Wording(#[from] crate::paper::wording::WordingError),
    /// The trust list gives the key to another office than the service's.
    #[error("{}", crate::l10n::both("serve-other-office", &[("key_id", &format!("{}", .key_id)), ("key_office", &format!("{}", .key_office)), ("office", &format!("{}", .office))]))]
    OtherOffice {
        /// The key.
        key_id: sonod_keys::KeyId,
        /// The key's office in the trust list.
        key_office: sonod_keys::OfficeCode,
        /// The service's office.
        office: sonod_keys::OfficeCode,
    },
}

/// Reads the office key, its passphrase from `SONOD_KEY_PASSPHRASE` (a service has no prompt).
pub fn load_key(path: &std::path::Path) -> Result<SecretKey, ServeError> {
    read_secret_key(path, || Passphrase::from_env_or_prompt(""))
        .map_err(|e| ServeError::Key(e.to_string()))
}

/// Reads the office key and finds it in the verified trust list, for the service's office.
pub fn load_office_key(config: &ServeConfig) -> Result<OfficeKey, ServeError> {
    let secret = load_key(&config.key_path)?;
    let key = OfficeKey::from_files(secret, &config.trust_path, &config.root_path, today_dhaka())?;
    if key.entry().office != config.office.code {
        return Err(ServeError::OtherOffice {
            key_id: key.key_id(),
            key_office: key.entry().office.clone(),
            office: config.office.code.clone(),
        });
    }
    Ok(key)
}

impl AppState {
    /// Opens the ledger and accounts of `store` and loads the key with its trust-list entry.
    pub fn new(config: ServeConfig, store: Store) -> Result<AppState, ServeError> {
        AppState::with_signin_limits(config, store, SignInLimits::default())
    }

    /// [`AppState::new`] with other sign-in limits.
    pub fn with_signin_limits(
        config: ServeConfig,
        store: Store,
        limits: SignInLimits,
    ) -> Result<AppState, ServeError> {
        let key = load_office_key(&config)?;
        let wording = Wording::load(config.wording_dir.as_deref())?;
        let accounts = Accounts::open(&store)?;
        let settings = crate::office::settings::Settings::open(
            &store,
            &config.office.name_bn,
            &config.office.name_en,
        )?;
        let ledger = Ledger::open(store)?;
        let rate = crate::applications::review::RateGuard::from_audit(&ledger, crate::now())?;
        if let Some(host) = &config.verifier_host {
            ledger.set_sms_link(crate::sms::link_for(host));
        }
        let metrics = Metrics::new();
        Ok(AppState(Arc::new(Inner {
            config,
            ledger,
            accounts,
            settings,
            key: RwLock::new(Arc::new(key)),
            metrics,
            signin: SignIn::new(limits),
            citizens: crate::citizen::Citizens::new(),
            wording,
            dev_sms: std::sync::OnceLock::new(),
            trust_proxy_https: std::sync::atomic::AtomicBool::new(false),
            rate,
        })))
    }

    /// Believes `X-Forwarded-Proto: https` from now on: the service runs behind a reverse
    /// proxy that terminates TLS (`serve --trust-proxy-https`). Only then is the session
    /// cookie `Secure`, and pages are served to hosts other than localhost.
    pub fn trust_proxy_https(&self, yes: bool) {
        self.0
            .trust_proxy_https
            .store(yes, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether `X-Forwarded-Proto: https` is believed.
    pub fn trusts_proxy_https(&self) -> bool {
        self.0
            .trust_proxy_https
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Shows the development SMS file on `/dev/sms` (development only: the page shows
    /// numbers and texts to anyone who can reach the service).
    pub fn show_dev_sms(&self, file: crate::sms::devfile::DevFile) {
        let _ = self.0.dev_sms.set(file);
    }

    /// The development SMS file, when shown.
    pub fn dev_sms(&self) -> Option<&crate::sms::devfile::DevFile> {
        self.0.dev_sms.get()
    }

    /// The sign-in gates.
    pub fn signin(&self) -> &SignIn {
        &self.0.signin
    }

    /// Each official's approvals of the last hour (the rate hold).
    pub fn rate_guard(&self) -> &crate::applications::review::RateGuard {
        &self.0.rate
    }

    /// The configuration.
    pub fn config(&self) -> &ServeConfig {
        &self.0.config
    }

    /// The certificate wording, loaded and checked at start.
    pub fn wording(&self) -> &Wording {
        &self.0.wording
    }

    /// The ledger.
    pub fn ledger(&self) -> &Ledger {
        &self.0.ledger
    }

    /// The accounts.
    pub fn accounts(&self) -> &Accounts {
        &self.0.accounts
    }

    /// Citizens' sign-in codes and sessions.
    pub fn citizens(&self) -> &crate::citizen::Citizens {
        &self.0.citizens
    }

    /// The office's settings.
    pub fn settings(&self) -> &crate::office::settings::Settings {
        &self.0.settings
    }

    /// The metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.0.metrics
    }

    /// The current signing key.
    pub fn key(&self) -> Arc<OfficeKey> {
        Arc::clone(
            &self
                .0
                .key
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// Re-reads the key file and the trust list: the office rolls to a new key without
    /// downtime, and a retirement or compromise in a new list applies at once. Certificates
    /// signed before stay valid for as long as the trust list keeps the old key.
    pub fn reload_key(&self) -> Result<sonod_keys::KeyId, ServeError> {
        let key = load_office_key(&self.0.config)?;
        let id = key.key_id();
        *self
            .0
            .key
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(key);
        tracing::info!(key_id = %id, "signing key reloaded");
        Ok(id)
    }
}

impl sonod_serve::Service for AppState {
    fn http_metrics(&self) -> &sonod_serve::Metrics {
        self.0.metrics.shell()
    }

    fn readiness_problems(&self) -> Vec<String> {
        ops::readiness_problems(self)
    }

    fn update_metrics(&self) {
        ops::update(self);
    }
}

/// The service's router: its routes in the shell.
pub fn app(state: AppState) -> Router {
    let routes = Router::new()
        .merge(api::routes())
        .merge(web::routes())
        .merge(tokens::routes())
        .merge(second_factor::routes())
        .merge(bulk::routes())
        .merge(citizen::routes())
        .merge(review::routes())
        .merge(certificates::routes())
        .merge(settings_page::routes())
        .merge(audit_page::routes())
        .merge(apply::routes())
        .merge(reseal::routes());
    let shell = sonod_serve::Shell {
        openapi: OPENAPI,
        body_limit: MAX_BODY,
        request_timeout: state.config().request_timeout,
    };
    sonod_serve::app(routes, state.clone(), &shell).layer(axum::middleware::from_fn_with_state(
        state,
        pages::guard_pages,
    ))
}

/// Serves until `shutdown` resolves, then lets requests in flight finish and makes every
/// acknowledged write durable before returning; connections bounded by the defaults of
/// [`sonod_serve::Limits`].
pub async fn run(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    run_with(listener, state, &sonod_serve::Limits::default(), shutdown).await
}

/// [`run`] with connections and requests in flight bounded by `limits` (header and idle
/// timeouts, caps per address and overall, load shedding: see `sonod_serve`).
pub async fn run_with(
    listener: tokio::net::TcpListener,
    state: AppState,
    limits: &sonod_serve::Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = app(state.clone());
    sonod_serve::serve(listener, router, limits, NEVER_SHED, shutdown).await?;
    state.ledger().close().map_err(std::io::Error::other)?;
    Ok(())
}
