//! Replicating the issuers' event feeds: pull, check, apply, back off. The rules a page and a
//! status list must meet, and the steps of following a feed, are `sonod-feed`'s; this module
//! is its transport (an async `reqwest` client) and the replica its store.
//!
//! Each configured issuer is pulled on its own task: `GET <issuer>/api/v1/feed?after=N&limit=M`
//! until the page reaches the feed's head. A page is applied only when its signature verifies
//! with a key that the trust list gives to the page's office and that is not compromised, when
//! it starts exactly where the replica stands and when the office is the one this feed served
//! before. Anything else leaves the replica as it was, and the task waits twice as long as the
//! last time (up to [`MAX_BACKOFF`]) before it tries again.
//!
//! A request that holds a certificate signed with a trusted key but not yet in the replica
//! need not wait for the interval: [`FeedSource::await_sync_after`] wakes the feed's task for a
//! round now and waits until the replica has caught up with the feed at a moment after the
//! certificate was first seen. The task makes one round at a time, so the requests waiting on
//! one feed share its rounds; such rounds are at least [`KICK_SPACING`] apart, fetch feed
//! pages only (the status list and the mirror's compaction wait for the interval), and are
//! never asked of a feed whose last round failed (its backoff stands).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sonod_feed::{CheckedPage, FeedStore, Follower, Next, ProtocolError};
use sonod_keys::OfficeCode;
use sonod_seal::feed::{FeedPageBody, Signed, StatusListBody};
use tokio::sync::{watch, Notify};
use tokio::time::Instant;

use crate::mirror::{COMPACT_PAGES, SMALL_PAGE};
use crate::replica::{Replica, ReplicaError};
use crate::trust::TrustHandle;
use sonod_judge::{now_unix_ms, SEEN_GRACE_MS};

/// Events asked for in one page (the issuer caps it too).
pub const PAGE_LIMIT: usize = 5_000;
/// Largest feed page read.
pub const MAX_PAGE_BYTES: usize = 16 << 20;
/// Largest status list read (a 2^27-serial bitstring, compressed, in Base64, and some).
pub const MAX_STATUS_LIST_BYTES: usize = 24 << 20;
/// Longest wait between attempts after failures.
pub const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// Rounds asked for by waiting requests start at least this long after the round before: a
/// flood of forgeries made with a stolen key costs an issuer at most ten rounds a second from
/// each verifier (one small page request each when nothing is new).
pub const KICK_SPACING: Duration = Duration::from_millis(100);

/// Why a sync round stopped early.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// No trust list is loaded, so no page can be checked.
    #[error("{}", crate::l10n::both("sync-no-trust-list", &[]))]
    NoTrustList,
    /// The request failed or the answer was not a feed page.
    #[error("{}", crate::l10n::both("sync-fetch", &[("n0", &format!("{}", .0))]))]
    Fetch(String),
    /// The page or status list broke a rule of the feed protocol.
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
    /// The mirror could not be filled (the issuer answers with other ranges).
    #[error("{}", crate::l10n::both("sync-position", &[("n0", &format!("{}", .0))]))]
    Position(String),
    /// The replica refused or failed.
    #[error(transparent)]
    Replica(#[from] ReplicaError),
    /// A `--mirror` URL answered, but not with a verifier's mirror listing.
    #[error("{}", crate::l10n::both("sync-not-mirror", &[("url", .0.as_str())]))]
    NotMirror(String),
    /// A mirror lists more offices than a verifier follows.
    #[error("{}", crate::l10n::both("sync-mirror-too-many", &[("url", .0.as_str()), ("max", &MAX_MIRROR_OFFICES.to_string())]))]
    TooManyOffices(String),
    /// An office in a mirror failed (the others were followed).
    #[error("{office}: {error}")]
    Office {
        /// The office.
        office: OfficeCode,
        /// Why.
        #[source]
        error: Box<SyncError>,
    },
}

/// What is known about one configured feed, for readiness, metrics and tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceStatus {
    /// The office it serves, once a page was accepted (or from an earlier run).
    pub office: Option<OfficeCode>,
    /// Failed rounds in a row.
    pub consecutive_failures: u32,
    /// Failed rounds since start.
    pub failures: u64,
    /// Pages fetched since start.
    pub pages: u64,
    /// The last failure, while failing.
    pub last_error: Option<String>,
    /// The wait before the next round.
    pub next_wait: Duration,
}

/// What requests waiting on a feed watch: it changes whenever the replica's last complete
/// sync of the feed moves or a round ends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Progress {
    /// Changes so far.
    changes: u64,
    /// The last round failed: the feed is not asked again before its backoff ends.
    failing: bool,
}

/// One issuer whose feed is replicated.
#[derive(Debug)]
pub struct FeedSource {
    url: String,
    status: Mutex<SourceStatus>,
    /// Wakes the feed's task for a round now.
    wake: Notify,
    progress: watch::Sender<Progress>,
}

impl FeedSource {
    /// An issuer's base URL (`http://127.0.0.1:8080`).
    pub fn new(url: &str) -> FeedSource {
        FeedSource {
            url: url.trim_end_matches('/').to_owned(),
            status: Mutex::new(SourceStatus::default()),
            wake: Notify::new(),
            progress: watch::Sender::new(Progress::default()),
        }
    }

    /// The base URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A copy of the status.
    pub fn status(&self) -> SourceStatus {
        self.status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Whether this feed is known to serve `office` (from a page accepted in this run or an
    /// earlier one).
    pub fn serves(&self, office: &OfficeCode) -> bool {
        self.status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .office
            .as_ref()
            == Some(office)
    }

    fn update(&self, f: impl FnOnce(&mut SourceStatus)) {
        f(&mut self
            .status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner));
    }

    /// Tells waiting requests that the replica's last complete sync moved.
    fn synced(&self) {
        self.progress.send_modify(|p| p.changes += 1);
    }

    /// Tells waiting requests that a round ended, and how.
    fn round_ended(&self, failed: bool) {
        self.progress.send_modify(|p| {
            p.changes += 1;
            p.failing = failed;
        });
    }

    /// Waits until the replica has caught up with this feed (which serves `office`) at a moment
    /// after `seen_ms` (Unix milliseconds: when a certificate not in the replica was first
    /// seen), asking the feed's task for a round now instead of at its interval, or until
    /// `deadline`. True once it has: the replica's answer for that certificate is then final
    /// (see [`crate::too_old_to_be_missing`]). False at the deadline, or at once when the
    /// feed's last round failed (its issuer unreachable or refused): the backoff stands.
    ///
    /// Concurrent waiters share the task's rounds: a round asked for while one is in flight
    /// starts when it ends, once.
    pub async fn await_sync_after(
        &self,
        replica: &Replica,
        office: &OfficeCode,
        seen_ms: i64,
        deadline: Instant,
    ) -> bool {
        let after = seen_ms.saturating_add(SEEN_GRACE_MS);
        let synced = || {
            replica
                .office(office)
                .and_then(|f| f.synced_at_ms)
                .is_some_and(|s| s > after)
        };
        let mut progress = self.progress.subscribe();
        loop {
            if synced() {
                return true;
            }
            if progress.borrow_and_update().failing {
                return false;
            }
            // A round counts only when it asks after the sighting, on this clock: let the
            // clock pass the sighting's millisecond first (a fresh sighting is that recent).
            let ahead = after.saturating_add(1).saturating_sub(now_unix_ms());
            if ahead > 0 {
                let pause = Duration::from_millis(u64::try_from(ahead.min(1000)).unwrap_or(0));
                tokio::time::sleep_until((Instant::now() + pause).min(deadline)).await;
            }
            self.wake.notify_one();
            match tokio::time::timeout_at(deadline, progress.changed()).await {
                Ok(Ok(())) => {}
                // The deadline, or the task is gone.
                _ => return synced(),
            }
        }
    }
}

/// GETs `url` and reads at most `limit` bytes of a 2xx answer.
pub(crate) async fn get_limited(
    client: &reqwest::Client,
    url: &str,
    limit: usize,
) -> Result<Vec<u8>, String> {
    get_optional(client, url, limit)
        .await?
        .ok_or_else(|| format!("HTTP {}", reqwest::StatusCode::NOT_FOUND))
}

/// [`get_limited`], with `None` for a 404.
async fn get_optional(
    client: &reqwest::Client,
    url: &str,
    limit: usize,
) -> Result<Option<Vec<u8>>, String> {
    let mut resp = client.get(url).send().await.map_err(|e| e.to_string())?;
    if resp.status() == reqwest::StatusCode::NOT_FOUND {
        return Ok(None);
    }
    if !resp.status().is_success() {
        return Err(format!("HTTP {}", resp.status()));
    }
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(format!("answer larger than {limit} bytes"));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| e.to_string())? {
        if body.len() + chunk.len() > limit {
            return Err(format!("answer larger than {limit} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

/// Replicates one feed until caught up with its head, then fetches its status list and
/// compacts the mirror: one round, as the feed's task makes one each interval.
pub async fn sync_once(
    source: &FeedSource,
    replica: &Replica,
    trust: &TrustHandle,
    client: &reqwest::Client,
) -> Result<(), SyncError> {
    sync_round(source, replica, trust, client, true).await
}

/// The replica as the feed protocol's store: a page's bytes are kept in the mirror before its
/// events are applied, so that the mirror never ends before the replica.
struct ReplicaStore<'a> {
    replica: &'a Replica,
    bytes: &'a [u8],
}

impl FeedStore for ReplicaStore<'_> {
    type Error = SyncError;

    fn apply(&mut self, page: &CheckedPage) -> Result<u64, SyncError> {
        let body = page.body();
        let count = body.events.len() as u64;
        // A mirror's page may start before the position held (it was compacted there): it
        // replaces the stored pages from its start, which it covers, and only its new events
        // go to the replica.
        let overlaps = count > 0 && body.after < self.replica.mirror_end(&body.office);
        if overlaps {
            self.replica
                .replace_tail(&body.office, body.after, count, self.bytes)?;
        } else if count > 0 {
            self.replica
                .put_page(&body.office, body.after, count, self.bytes)?;
        }
        let new = page.new_events();
        let from = page.end() - new.len() as u64;
        match self.replica.apply(&body.office, from, new, body.head) {
            Ok(feed) => {
                let chain = (feed.position == page.end())
                    .then(|| page.end_chain())
                    .flatten();
                self.replica.set_chain(&body.office, feed.position, chain)?;
                Ok(feed.position)
            }
            Err(e) => {
                // (A replaced tail stays: the page covers it, signed and chained.)
                if count > 0 && !overlaps {
                    let _ = self.replica.remove_page(&body.office, body.after);
                }
                Err(e.into())
            }
        }
    }
}

/// Fetches the page of the feed at `source` holding the events after `after` (at most
/// `limit`), parses it and checks it against the trust list in use ([`sonod_feed::check_page`],
/// as `office`'s when given): the one fetch-then-check of feed pages.
async fn fetch_page(
    source: &FeedSource,
    trust: &TrustHandle,
    client: &reqwest::Client,
    office: Option<&OfficeCode>,
    after: u64,
    limit: u64,
) -> Result<(Vec<u8>, Signed<FeedPageBody>), SyncError> {
    let trust_state = trust.current().ok_or(SyncError::NoTrustList)?;
    let url = format!("{}/api/v1/feed?after={after}&limit={limit}", source.url);
    let bytes = get_limited(client, &url, MAX_PAGE_BYTES)
        .await
        .map_err(SyncError::Fetch)?;
    source.update(|s| s.pages += 1);
    let page = Signed::<FeedPageBody>::parse(&bytes).map_err(ProtocolError::from)?;
    sonod_feed::check_page(trust_state.judge().trust_list(), office, &page)?;
    Ok((bytes, page))
}

/// One round: the feed pages up to the head; when `full`, the status list and the mirror's
/// compaction too.
async fn sync_round(
    source: &FeedSource,
    replica: &Replica,
    trust: &TrustHandle,
    client: &reqwest::Client,
    full: bool,
) -> Result<(), SyncError> {
    let mut office = source.status().office;
    if office.is_none() {
        // Known from an earlier run: remembered, so that requests can find this feed.
        office = replica.source_office(&source.url);
        if office.is_some() {
            source.update(|s| s.office = office.clone());
        }
    }
    let position = office
        .as_ref()
        .and_then(|o| replica.office(o))
        .map_or(0, |f| f.position);
    let backfill = office
        .as_ref()
        .is_some_and(|o| replica.mirror_end(o) < position);
    let chain = office.as_ref().and_then(|o| replica.chain(o));
    let mut feed = Follower::issuer(office, position).with_chain(chain);
    let mut asked_at = now_unix_ms();
    let pages = follow(
        source,
        replica,
        trust,
        client,
        &mut feed,
        &mut asked_at,
        backfill,
    )
    .await;
    // The trust list's pins for the office's compromised keys, against the history held
    // (also after a refused page: what was taken before it may already meet a pin).
    if let Some(office) = feed.office() {
        let trust_state = trust.current().ok_or(SyncError::NoTrustList)?;
        let pins = sonod_feed::pins(trust_state.judge().trust_list(), office);
        replica.check_pins(office, pins)?;
    }
    pages?;
    let (Some(office), position) = (feed.office(), feed.position()) else {
        return Ok(());
    };
    replica.mark_synced_ms(office, asked_at)?;
    source.synced();
    if full {
        mirror_compact(source, replica, trust, client, office, position).await;
        fetch_status_list(source, replica, trust, client, office, position).await?;
    }
    Ok(())
}

/// The pages of one round, up to the head or the first refusal.
async fn follow(
    source: &FeedSource,
    replica: &Replica,
    trust: &TrustHandle,
    client: &reqwest::Client,
    feed: &mut Follower,
    asked_at: &mut i64,
    mut backfill: bool,
) -> Result<(), SyncError> {
    while let Next::Fetch { after } = feed.next() {
        *asked_at = now_unix_ms();
        let (bytes, page) = fetch_page(
            source,
            trust,
            client,
            feed.office(),
            after,
            PAGE_LIMIT as u64,
        )
        .await?;
        if feed.office().is_none() {
            let office = page.signed.office.clone();
            replica.set_source_office(&source.url, &office)?;
            source.update(|s| s.office = Some(office.clone()));
            let have = replica.office(&office).map_or(0, |f| f.position);
            let chain = replica.chain(&office);
            if feed.adopt_with_chain(office.clone(), have, chain) {
                // The replica already holds this office (another URL for it, or an earlier
                // run): continue from there.
                backfill = replica.mirror_end(&office) < have;
                continue;
            }
        }
        let page = {
            let trust_state = trust.current().ok_or(SyncError::NoTrustList)?;
            feed.check_position(trust_state.judge().trust_list(), page)?
        };
        if backfill {
            // Pages a replica read before it kept them (or lost in a crash): fetched again
            // for the mirror only, once.
            mirror_backfill(source, replica, trust, client, page.office(), after).await?;
            backfill = false;
        }
        feed.apply(
            &mut ReplicaStore {
                replica,
                bytes: &bytes,
            },
            &page,
        )?;
    }
    Ok(())
}

/// Fetches and checks the page of `office`'s feed holding exactly the `count` events after
/// `after`; `None` when the issuer answers with another range (a smaller page limit).
async fn exact_page(
    source: &FeedSource,
    trust: &TrustHandle,
    client: &reqwest::Client,
    office: &OfficeCode,
    after: u64,
    count: u64,
) -> Result<Option<(Vec<u8>, u64)>, SyncError> {
    let (bytes, page) = fetch_page(source, trust, client, Some(office), after, count).await?;
    let body = &page.signed;
    let n = body.events.len() as u64;
    Ok((body.after == after && n > 0 && n <= count).then_some((bytes, n)))
}

/// Fills the mirror up to the replica's `position` when it ends before it.
async fn mirror_backfill(
    source: &FeedSource,
    replica: &Replica,
    trust: &TrustHandle,
    client: &reqwest::Client,
    office: &OfficeCode,
    position: u64,
) -> Result<(), SyncError> {
    let mut end = replica.mirror_end(office);
    while end < position {
        let want = (position - end).min(PAGE_LIMIT as u64);
        let (bytes, n) = exact_page(source, trust, client, office, end, want)
            .await?
            .ok_or_else(|| {
                SyncError::Position(format!("the feed has no events after {end} for the mirror"))
            })?;
        replica.put_page(office, end, n, &bytes)?;
        end += n;
    }
    Ok(())
}

/// Replaces the small pages at the end of the mirror by one, once there are
/// [`COMPACT_PAGES`] of them or [`SMALL_PAGE`] events in them. A failure only leaves them as
/// they are.
async fn mirror_compact(
    source: &FeedSource,
    replica: &Replica,
    trust: &TrustHandle,
    client: &reqwest::Client,
    office: &OfficeCode,
    position: u64,
) {
    let tail = replica.mirror_tail(office, SMALL_PAGE, PAGE_LIMIT as u64);
    let total: u64 = tail.iter().map(|(_, n)| n).sum();
    let Some(&(after, _)) = tail.first() else {
        return;
    };
    if tail.len() < 2
        || (tail.len() < COMPACT_PAGES && total < SMALL_PAGE)
        || after + total != position
    {
        return;
    }
    match exact_page(source, trust, client, office, after, total).await {
        Ok(Some((bytes, n))) if n == total => {
            if let Err(e) = replica.replace_tail(office, after, n, &bytes) {
                tracing::warn!(office = %office, error = %e, "mirror compaction failed");
            }
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(office = %office, error = %e, "mirror compaction failed"),
    }
}

/// Fetches, checks and keeps the office's signed status list.
async fn fetch_status_list(
    source: &FeedSource,
    replica: &Replica,
    trust: &TrustHandle,
    client: &reqwest::Client,
    office: &OfficeCode,
    position: u64,
) -> Result<(), SyncError> {
    let trust_state = trust.current().ok_or(SyncError::NoTrustList)?;
    let url = format!("{}/api/v1/status-list", source.url);
    let bytes = get_limited(client, &url, MAX_STATUS_LIST_BYTES)
        .await
        .map_err(SyncError::Fetch)?;
    let list = Signed::<StatusListBody>::parse(&bytes).map_err(ProtocolError::from)?;
    sonod_feed::check_status_list(trust_state.judge().trust_list(), office, &list)?;
    sonod_feed::check_status_ahead(list.signed.position, position)?;
    replica.put_status_list(office, list.signed.position, &bytes)?;
    Ok(())
}

/// Runs [`sync_once`] every `interval`, backing off on failure, until `shutdown` turns true;
/// between them, a round of feed pages when a waiting request asks for one
/// ([`FeedSource::await_sync_after`]) and the last round succeeded.
pub async fn run_feed(
    source: Arc<FeedSource>,
    replica: Arc<Replica>,
    trust: Arc<TrustHandle>,
    client: reqwest::Client,
    interval: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut last_full: Option<Instant> = None;
    let mut kicked = false;
    loop {
        let started = Instant::now();
        // A round asked for by requests is a full one too when the interval has passed, so
        // that a stream of them does not hold the status list back.
        let full = !kicked || last_full.is_none_or(|t| started.duration_since(t) >= interval);
        let result = sync_round(&source, &replica, &trust, &client, full).await;
        let failed = result.is_err();
        let wait = match result {
            Ok(()) => {
                if full {
                    last_full = Some(started);
                }
                source.update(|s| {
                    s.consecutive_failures = 0;
                    s.last_error = None;
                    s.next_wait = interval;
                });
                interval
            }
            Err(e) => {
                let mut wait = interval;
                source.update(|s| {
                    if s.last_error.as_deref() != Some(e.to_string().as_str()) {
                        tracing::warn!(feed = %source.url, error = %e, "feed sync failed");
                    }
                    s.consecutive_failures = s.consecutive_failures.saturating_add(1);
                    s.failures += 1;
                    s.last_error = Some(e.to_string());
                    wait = backoff(interval, s.consecutive_failures);
                    s.next_wait = wait;
                });
                wait
            }
        };
        source.round_ended(failed);
        kicked = false;
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = source.wake.notified(), if !failed => {
                tokio::select! {
                    _ = tokio::time::sleep_until(started + KICK_SPACING) => {}
                    _ = shutdown.changed() => {}
                }
                kicked = true;
            }
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            return;
        }
    }
}

/// `interval` doubled per failure in a row, at most [`MAX_BACKOFF`] (or `interval` if longer),
/// with up to a tenth added at random so that many verifiers do not retry in step.
pub fn backoff(interval: Duration, failures: u32) -> Duration {
    let doubled = interval.saturating_mul(1u32 << failures.min(16));
    let capped = doubled.min(MAX_BACKOFF.max(interval));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    capped.saturating_add(capped.mul_f64(f64::from(nanos % 1000) / 10_000.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let i = Duration::from_secs(5);
        let b1 = backoff(i, 1);
        assert!(b1 >= Duration::from_secs(10) && b1 <= Duration::from_secs(11));
        let b3 = backoff(i, 3);
        assert!(b3 >= Duration::from_secs(40) && b3 <= Duration::from_secs(44));
        let big = backoff(i, 30);
        assert!(big >= MAX_BACKOFF && big <= MAX_BACKOFF.mul_f64(1.1));
        let long = Duration::from_secs(600);
        assert!(backoff(long, 5) >= long);
    }
}

/// Most offices followed through one mirror.
pub const MAX_MIRROR_OFFICES: usize = 10_000;

/// What is known about one configured mirror, for readiness, metrics and tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MirrorStatus {
    /// The offices its last listing named that this verifier follows through it (those with
    /// keys in the trust list).
    pub offices: Vec<OfficeCode>,
    /// Whether a round has succeeded since start.
    pub synced: bool,
    /// Failed rounds in a row.
    pub consecutive_failures: u32,
    /// Failed rounds since start.
    pub failures: u64,
    /// Pages fetched since start.
    pub pages: u64,
    /// The last failure, while failing.
    pub last_error: Option<String>,
    /// The wait before the next round.
    pub next_wait: Duration,
}

/// Another verifier whose mirror routes are followed (`serve --mirror URL`): every office its
/// listing names, through `GET /api/v1/offices/{office}/feed?after=N` and
/// `/status-list`. The mirror is transport only: every page meets the same rules as an
/// issuer's ([`sonod_feed::Follower::mirror`]: the office's key in the trust list, the
/// signature, the hash chain against what is held and against the trust list's pins, a
/// compromised key's pages only up to its pin), and the pages are kept as the office signed
/// them, so that this verifier's own mirror routes serve them on.
#[derive(Debug)]
pub struct MirrorSource {
    url: String,
    status: Mutex<MirrorStatus>,
}

impl MirrorSource {
    /// A verifier's base URL (`http://127.0.0.1:8081`).
    pub fn new(url: &str) -> MirrorSource {
        MirrorSource {
            url: url.trim_end_matches('/').to_owned(),
            status: Mutex::new(MirrorStatus::default()),
        }
    }

    /// The base URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A copy of the status.
    pub fn status(&self) -> MirrorStatus {
        self.status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn update(&self, f: impl FnOnce(&mut MirrorStatus)) {
        f(&mut self
            .status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner));
    }
}

/// One round over a mirror: its listing, then each office it names (whose keys are in the
/// trust list) up to the listed position, and its status list. An office that fails leaves
/// the others followed; the round then fails with the first such error.
pub async fn mirror_once(
    source: &MirrorSource,
    replica: &Replica,
    trust: &TrustHandle,
    client: &reqwest::Client,
) -> Result<(), SyncError> {
    let url = format!("{}{}", source.url, sonod_feed::mirror::OFFICES_PATH);
    let bytes = get_optional(client, &url, sonod_feed::mirror::MAX_LISTING_BYTES)
        .await
        .map_err(SyncError::Fetch)?
        .ok_or_else(|| SyncError::NotMirror(source.url.clone()))?;
    let listed = sonod_feed::mirror::parse_listing(&bytes)
        .ok_or_else(|| SyncError::NotMirror(source.url.clone()))?;
    if listed.len() > MAX_MIRROR_OFFICES {
        return Err(SyncError::TooManyOffices(source.url.clone()));
    }
    let known = {
        let trust_state = trust.current().ok_or(SyncError::NoTrustList)?;
        let list = trust_state.judge().trust_list();
        listed
            .into_iter()
            .filter(|l| list.entries().iter().any(|e| e.office == l.office))
            .collect::<Vec<_>>()
    };
    source.update(|s| s.offices = known.iter().map(|l| l.office.clone()).collect());
    let mut first = None;
    for l in &known {
        if let Err(e) = mirror_office(source, replica, trust, client, l).await {
            first.get_or_insert(SyncError::Office {
                office: l.office.clone(),
                error: Box::new(e),
            });
        }
    }
    first.map_or(Ok(()), Err)
}

/// Follows one office of a mirror up to its listed position.
async fn mirror_office(
    source: &MirrorSource,
    replica: &Replica,
    trust: &TrustHandle,
    client: &reqwest::Client,
    listed: &sonod_feed::mirror::ListedOffice,
) -> Result<(), SyncError> {
    let office = &listed.office;
    let position = replica.office(office).map_or(0, |f| f.position);
    let mut feed = Follower::mirror(office.clone(), position, listed.position)
        .with_chain(replica.chain(office));
    let asked_at = now_unix_ms();
    let pages = async {
        while let Next::Fetch { after } = feed.next() {
            let url = format!(
                "{}{}",
                source.url,
                sonod_feed::mirror::feed_path(office, after)
            );
            let bytes = get_limited(client, &url, MAX_PAGE_BYTES)
                .await
                .map_err(SyncError::Fetch)?;
            source.update(|s| s.pages += 1);
            let page = Signed::<FeedPageBody>::parse(&bytes).map_err(ProtocolError::from)?;
            let page = {
                let trust_state = trust.current().ok_or(SyncError::NoTrustList)?;
                feed.check(trust_state.judge().trust_list(), page)?
            };
            feed.apply(
                &mut ReplicaStore {
                    replica,
                    bytes: &bytes,
                },
                &page,
            )?;
        }
        Ok::<(), SyncError>(())
    }
    .await;
    // The trust list's pins against the history held, as for an issuer's feed.
    {
        let trust_state = trust.current().ok_or(SyncError::NoTrustList)?;
        let pins = sonod_feed::pins(trust_state.judge().trust_list(), office);
        replica.check_pins(office, pins)?;
    }
    pages?;
    let position = feed.position();
    // Caught up with the mirror, which caught up with the office when it says: the replica
    // is as fresh as the mirror was then, never fresher than this round.
    if position >= listed.position {
        let mirror_synced = listed
            .synced_at
            .as_deref()
            .and_then(|s| {
                time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
            })
            .map(|t| t.unix_timestamp().saturating_mul(1000));
        if let Some(ms) = mirror_synced {
            replica.mark_synced_ms(office, ms.min(asked_at))?;
        }
    }
    mirror_status_list(source, replica, trust, client, office, position).await
}

/// Fetches, checks and keeps the office's status list from the mirror, when it has one. A
/// list signed with a key now compromised is left out (nothing fixes its bits as the chain
/// fixes pages): the feed's revocations stand for it until the office signs one anew.
async fn mirror_status_list(
    source: &MirrorSource,
    replica: &Replica,
    trust: &TrustHandle,
    client: &reqwest::Client,
    office: &OfficeCode,
    position: u64,
) -> Result<(), SyncError> {
    let url = format!(
        "{}{}",
        source.url,
        sonod_feed::mirror::status_list_path(office)
    );
    let Some(bytes) = get_optional(client, &url, MAX_STATUS_LIST_BYTES)
        .await
        .map_err(SyncError::Fetch)?
    else {
        return Ok(());
    };
    let trust_state = trust.current().ok_or(SyncError::NoTrustList)?;
    let list = Signed::<StatusListBody>::parse(&bytes).map_err(ProtocolError::from)?;
    let trust_list = trust_state.judge().trust_list();
    match sonod_feed::check_status_list(trust_list, office, &list) {
        Err(ProtocolError::KeyNotValid { key, .. })
            if trust_list
                .entry(&key)
                .is_some_and(|e| e.status == sonod_keys::KeyStatus::Compromised) =>
        {
            return Ok(());
        }
        r => r?,
    };
    sonod_feed::check_status_ahead(list.signed.position, position)?;
    replica.put_status_list(office, list.signed.position, &bytes)?;
    Ok(())
}

/// Runs [`mirror_once`] every `interval`, backing off on failure, until `shutdown` turns
/// true.
pub async fn run_mirror(
    source: Arc<MirrorSource>,
    replica: Arc<Replica>,
    trust: Arc<TrustHandle>,
    client: reqwest::Client,
    interval: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let wait = match mirror_once(&source, &replica, &trust, &client).await {
            Ok(()) => {
                source.update(|s| {
                    s.synced = true;
                    s.consecutive_failures = 0;
                    s.last_error = None;
                    s.next_wait = interval;
                });
                interval
            }
            Err(e) => {
                let mut wait = interval;
                source.update(|s| {
                    if s.last_error.as_deref() != Some(e.to_string().as_str()) {
                        tracing::warn!(mirror = %source.url, error = %e, "mirror sync failed");
                    }
                    s.consecutive_failures = s.consecutive_failures.saturating_add(1);
                    s.failures += 1;
                    s.last_error = Some(e.to_string());
                    wait = backoff(interval, s.consecutive_failures);
                    s.next_wait = wait;
                });
                wait
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            return;
        }
    }
}
