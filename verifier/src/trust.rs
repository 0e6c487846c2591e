//! The trust list the service judges with: where it comes from, the current one, reloading.
//!
//! The list is read from a file (polled for changes every few seconds) or fetched from a URL
//! (on the sync interval), and its root signature checked with [`TrustList::load`] each time.
//! A list that fails to load leaves the current one in place, except that an expired list is
//! dropped (a stale list may hide a compromised key) and a sequence number below the highest
//! ever accepted is refused (no rollback to a list from before a compromise, also across
//! restarts: see [`TrustFloor`]). Each list comes with its own [`ReadingCache`], so nothing a
//! signature check proved under one list outlives it.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use ed25519_dalek::VerifyingKey;
use sonod_keys::{today_dhaka, TrustList, MAX_TRUST_LIST_BYTES};
use time::Date;
use tokio::sync::watch;

use crate::cache::ReadingCache;
use crate::trust_floor::TrustFloor;
use sonod_judge::Judge;

/// How often a trust list file is looked at for changes.
pub const FILE_POLL: Duration = Duration::from_secs(2);

/// Where the trust list comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustSource {
    /// A file, reloaded when it changes.
    File(PathBuf),
    /// An `http(s)` URL, fetched on the sync interval.
    Url(String),
}

impl TrustSource {
    /// A URL when `s` is an `http` or `https` URL (any case), else a file path.
    pub fn parse(s: &str) -> TrustSource {
        if url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "http" | "https")) {
            TrustSource::Url(s.to_owned())
        } else {
            TrustSource::File(PathBuf::from(s))
        }
    }
}

/// One loaded trust list with its judge and its cache.
#[derive(Debug)]
pub struct TrustState {
    judge: Judge,
    json: String,
    cache: ReadingCache,
}

impl TrustState {
    /// Wraps a loaded list.
    pub fn new(list: TrustList, cache_entries: usize) -> TrustState {
        let json = list.to_json_pretty();
        TrustState {
            judge: Judge::new(list),
            json,
            cache: ReadingCache::new(cache_entries),
        }
    }

    /// The judge for this list.
    pub fn judge(&self) -> &Judge {
        &self.judge
    }

    /// The list as signed JSON (it verifies as it is).
    pub fn json(&self) -> &str {
        &self.json
    }

    /// Readings proved under this list.
    pub fn cache(&self) -> &ReadingCache {
        &self.cache
    }
}

/// Why a trust list could not be (re)loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustLoadError {
    /// The file or URL could not be read.
    #[error("{}", crate::l10n::both("trust-load-fetch", &[("n0", &format!("{}", .0))]))]
    Fetch(String),
    /// The list was refused (signature, format, expiry, ...).
    #[error(transparent)]
    Invalid(#[from] sonod_keys::TrustListError),
    /// Its sequence number is below the highest this verifier ever accepted.
    #[error("{}", crate::l10n::both("trust-load-rollback", &[("new", &format!("{}", .new)), ("current", &format!("{}", .current))]))]
    Rollback {
        /// The highest sequence accepted before.
        current: u64,
        /// The refused list's sequence.
        new: u64,
    },
}

/// A file's size and modification time, and the day, when the source was last read.
type Seen = (Option<(u64, SystemTime)>, Option<Date>);

/// The current trust list, shared by requests and background tasks.
#[derive(Debug)]
pub struct TrustHandle {
    source: TrustSource,
    root: VerifyingKey,
    cache_entries: usize,
    /// The highest sequence ever accepted.
    floor: TrustFloor,
    current: RwLock<Option<Arc<TrustState>>>,
    last_error: RwLock<Option<String>>,
    failures: std::sync::atomic::AtomicU64,
    /// The file's size and time when it was last read, and the day of the last attempt.
    seen: std::sync::Mutex<Seen>,
}

impl TrustHandle {
    /// A handle with no list yet, whose highest accepted sequence is kept in memory only; call
    /// [`TrustHandle::reload`].
    pub fn new(source: TrustSource, root: VerifyingKey, cache_entries: usize) -> TrustHandle {
        TrustHandle::with_floor(source, root, cache_entries, TrustFloor::in_memory())
    }

    /// A handle with no list yet that refuses any list below `floor` and raises it with every
    /// newer list it accepts.
    pub fn with_floor(
        source: TrustSource,
        root: VerifyingKey,
        cache_entries: usize,
        floor: TrustFloor,
    ) -> TrustHandle {
        TrustHandle {
            source,
            root,
            cache_entries,
            floor,
            current: RwLock::new(None),
            last_error: RwLock::new(None),
            failures: std::sync::atomic::AtomicU64::new(0),
            seen: std::sync::Mutex::new((None, None)),
        }
    }

    /// Where the list comes from.
    pub fn source(&self) -> &TrustSource {
        &self.source
    }

    /// The highest sequence ever accepted (kept on disk when the handle was made with a
    /// floor opened there).
    pub fn highest_sequence(&self) -> u64 {
        self.floor.highest()
    }

    /// The current list, if one is loaded.
    pub fn current(&self) -> Option<Arc<TrustState>> {
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The last reload error, if the last attempt failed.
    pub fn last_error(&self) -> Option<String> {
        self.last_error
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Reloads that failed, since start.
    pub fn failures(&self) -> u64 {
        self.failures.load(std::sync::atomic::Ordering::Relaxed)
    }

    async fn fetch(&self, client: &reqwest::Client) -> Result<Vec<u8>, TrustLoadError> {
        match &self.source {
            TrustSource::File(path) => {
                let path = path.clone();
                tokio::task::spawn_blocking(move || {
                    use std::io::Read;
                    let mut bytes = Vec::new();
                    std::fs::File::open(&path)
                        .and_then(|f| {
                            f.take(MAX_TRUST_LIST_BYTES as u64 + 1)
                                .read_to_end(&mut bytes)
                        })
                        .map_err(|e| TrustLoadError::Fetch(format!("{}: {e}", path.display())))?;
                    Ok(bytes)
                })
                .await
                .map_err(|e| TrustLoadError::Fetch(e.to_string()))?
            }
            TrustSource::Url(url) => {
                crate::sync::get_limited(client, url, MAX_TRUST_LIST_BYTES + 1)
                    .await
                    .map_err(TrustLoadError::Fetch)
            }
        }
    }

    /// Loads the list from its source now, as of `today`, and makes it current if it is valid
    /// and not older than the current one. Returns the new list's sequence number.
    pub async fn reload(
        &self,
        client: &reqwest::Client,
        today: Date,
    ) -> Result<u64, TrustLoadError> {
        let before = self.current();
        // Noted before reading: a change made while reading is seen at the next poll.
        let version = self.file_version().await;
        *self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = (version, Some(today));
        let result = match self.fetch(client).await {
            Ok(bytes) => self.install(&bytes, today),
            Err(e) => Err(e),
        };
        match &result {
            Ok(seq) => {
                let was = self
                    .last_error
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .take();
                let replaced = match (&before, self.current()) {
                    (Some(a), Some(b)) => !Arc::ptr_eq(a, &b),
                    _ => true,
                };
                if was.is_some() || replaced {
                    tracing::info!(sequence = seq, "trust list loaded");
                }
            }
            Err(e) => {
                self.failures
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let message = e.to_string();
                let mut last = self
                    .last_error
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                // Logged when it changes, not on every poll.
                if last.as_deref() != Some(message.as_str()) {
                    tracing::warn!(error = %message, "trust list not loaded");
                }
                *last = Some(message);
            }
        }
        result
    }

    /// Verifies `bytes` and makes them the current list (see [`TrustHandle::reload`]). A list
    /// below the highest sequence ever accepted is refused; a newer one raises it, on disk
    /// before the list is used.
    pub fn install(&self, bytes: &[u8], today: Date) -> Result<u64, TrustLoadError> {
        self.drop_if_expired(today);
        let list = TrustList::load(bytes, &self.root, today)?;
        let seq = list.sequence();
        let floor = self.floor.highest();
        if seq < floor {
            return Err(TrustLoadError::Rollback {
                current: floor,
                new: seq,
            });
        }
        if let Err(e) = self.floor.raise(seq) {
            // The newer list is still the better one to judge with; only a restart could go
            // back now.
            tracing::error!(error = %e, sequence = seq, "the trust list's sequence could not be kept on disk");
        }
        let mut current = self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(cur) = current.as_ref() {
            let have = cur.judge().trust_list().sequence();
            if seq < have {
                return Err(TrustLoadError::Rollback {
                    current: have,
                    new: seq,
                });
            }
            if seq == have && cur.json() == list.to_json_pretty() {
                // The same list (a touched file): keep its cache.
                return Ok(have);
            }
        }
        *current = Some(Arc::new(TrustState::new(list, self.cache_entries)));
        Ok(seq)
    }

    /// Drops the current list when it has expired by `today`.
    pub fn drop_if_expired(&self, today: Date) -> bool {
        let mut current = self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let expired = current
            .as_ref()
            .is_some_and(|c| c.judge().trust_list().expires() < today);
        if expired {
            *current = None;
            tracing::error!(
                "the trust list has expired; verification is off until a new one is loaded"
            );
        }
        expired
    }

    /// Reloads until `shutdown` turns true: a file when its size or time changes (looked at
    /// every two seconds), a URL every `url_interval`; both when the day changes, so that
    /// expiry is noticed, and again while the last attempt failed.
    pub async fn watch(
        self: Arc<Self>,
        client: reqwest::Client,
        url_interval: Duration,
        mut shutdown: watch::Receiver<bool>,
    ) {
        let (every, is_url) = match self.source {
            TrustSource::File(_) => (FILE_POLL, false),
            TrustSource::Url(_) => (url_interval, true),
        };
        loop {
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = shutdown.changed() => return,
            }
            if *shutdown.borrow() {
                return;
            }
            let today = today_dhaka();
            let now = (self.file_version().await, Some(today));
            let seen = *self
                .seen
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let failing = self.last_error().is_some() || self.current().is_none();
            if is_url || now != seen || failing {
                let _ = self.reload(&client, today).await;
            }
        }
    }

    /// The trust list file's size and modification time.
    async fn file_version(&self) -> Option<(u64, SystemTime)> {
        match &self.source {
            TrustSource::File(path) => tokio::fs::metadata(path)
                .await
                .ok()
                .and_then(|m| Some((m.len(), m.modified().ok()?))),
            TrustSource::Url(_) => None,
        }
    }
}
