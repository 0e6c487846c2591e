//! `sonod-scan sync`: fetch the trust list and each office's status list and feed from a
//! verifier's mirror or an issuer, check every signature, and replace the snapshot at once.
//!
//! Nothing is written over the snapshot in use: new files get new names (from their
//! contents), then `manifest.json` is replaced in one rename. A sync that fails anywhere
//! leaves the old manifest, so the old snapshot, in place.

use std::collections::{BTreeMap, BinaryHeap};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sonod_feed::mirror::{self, ListedOffice};
use sonod_feed::{CheckedPage, FeedStore, Follower, Next, ProtocolError};
use sonod_keys::{OfficeCode, TrustList, VerifyingKey};
use sonod_seal::feed::{EventKind, FeedPageBody, Signed, StatusListBody};
use time::{Date, OffsetDateTime};

use crate::anchor::{FloorError, TrustFloor};
use crate::messages::{both, both_with, pair};
use crate::pages::{
    compress, merge_packs, parse_hash, PackWriter, PageStore, MAX_PACKS, MAX_PAGE_BYTES,
};
use crate::snapshot::{
    covered_at, encode_revoked, read_checked, read_manifest, segment_iter, sha256_hex,
    write_segment, Entry, FileRef, LoadedOffice, Manifest, OfficeState, SegmentRef, SnapshotError,
    WalkError, LEGACY_ROOT_FILE, MANIFEST, PREFIX, SIGHTINGS_FILE, SNAPSHOT_FORMAT,
};

/// Held by a running sync in the snapshot folder.
const LOCK_FILE: &str = ".sync.lock";

/// Largest trust list read.
pub const MAX_TRUST_BYTES: u64 = sonod_keys::MAX_TRUST_LIST_BYTES as u64;
/// Largest status list read.
pub const MAX_STATUS_BYTES: u64 = 24 << 20;
/// Largest office listing read.
pub const MAX_LISTING_BYTES: u64 = mirror::MAX_LISTING_BYTES as u64;
/// Events asked for in one page from an issuer.
pub const PAGE_LIMIT: u64 = 5_000;
/// Longest total wait for a rate-limited source, in seconds.
const MAX_RATE_WAIT: u64 = 300;
/// Issued-hash files per office before they are merged into one.
pub const MAX_SEGMENTS: usize = 8;

/// Why a sync failed. The old snapshot stays in place.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// Another sync is writing the same snapshot folder.
    #[error("{}", crate::messages::both_args("sync-busy", &[("n0", &format!("{}", .0.display()))]))]
    Busy(PathBuf),
    /// Not an http(s) URL.
    #[error("{}", crate::messages::both_args("sync-bad-url", &[("n0", &format!("{}", .0))]))]
    BadUrl(String),
    /// The server could not be reached or did not answer in time.
    #[error("{}", crate::messages::both_args("sync-connect", &[("url", &format!("{}", .url)), ("message", &format!("{}", .message))]))]
    Connect {
        /// The URL asked.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The server took too long.
    #[error("{}", crate::messages::both_args("sync-timeout", &[("url", &format!("{}", .url)), ("message", &format!("{}", .message))]))]
    Timeout {
        /// The URL asked.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The server answered with an error status.
    #[error("{}", crate::messages::both_with("sync-status", &[("url", .url, .url), ("status", &.status.to_string(), &.status.to_string()), ("detail", .detail, .detail)]))]
    Status {
        /// The URL asked.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The problem's detail, if any, with a leading ": ".
        detail: String,
    },
    /// The answer is larger than allowed.
    #[error("{}", crate::messages::both_with("sync-too-large", &[("url", .url, .url), ("limit", &.limit.to_string(), &.limit.to_string())]))]
    TooLarge {
        /// The URL asked.
        url: String,
        /// The limit.
        limit: u64,
    },
    /// Neither a verifier's mirror nor an issuer.
    #[error("{}", crate::messages::both_args("sync-not-sonod", &[("n0", &format!("{}", .0))]))]
    NotSonod(String),
    /// An issuer does not publish the trust list.
    #[error("{}", crate::messages::both_args("sync-trust-needed", &[]))]
    TrustNeeded,
    /// The trust list was refused.
    #[error("{}", crate::messages::both_args("sync-trust", &[("n0", &format!("{}", .0)), ("n1", &format!("{}", .1))]))]
    Trust(String, sonod_keys::TrustListError),
    /// The trust list is older than one this machine has seen.
    #[error(transparent)]
    Floor(#[from] FloorError),
    /// The trust list is older than the one in the snapshot.
    #[error("{}", crate::messages::both_args("sync-trust-rollback", &[("got", &format!("{}", .got)), ("have", &format!("{}", .have))]))]
    TrustRollback {
        /// The snapshot's sequence.
        have: u64,
        /// The fetched one.
        got: u64,
    },
    /// A feed page or status list was refused.
    #[error("{} {office}: {message}", crate::messages::both("office-label"))]
    Feed {
        /// The office.
        office: String,
        /// Why (bilingual).
        message: String,
    },
    /// A feed page or status list broke a rule of the feed protocol.
    #[error("{} {office}: {error}", crate::messages::both("office-label"))]
    Protocol {
        /// The office.
        office: OfficeCode,
        /// The rule (bilingual).
        #[source]
        error: sonod_feed::ProtocolError,
    },
    /// The store could not be written.
    #[error("{}", crate::messages::both_args("sync-store", &[("n0_display", &format!("{}", (.0.display()))), ("n1", &format!("{}", (.1)))]))]
    Store(PathBuf, std::io::Error),
    /// Reading the old snapshot failed in a way a fresh sync cannot repair.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
}

/// What a sync is asked to do.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// The verifier's or issuer's base URL.
    pub from: String,
    /// The store directory.
    pub store: PathBuf,
    /// The national root key (pinned: see [`crate::pinned_root`]).
    pub root: VerifyingKey,
    /// The highest trust-list sequence seen on this machine, raised by the sync.
    pub floor: TrustFloor,
    /// Where the trust list comes from instead of the verifier: a file or an http(s) URL.
    pub trust: Option<String>,
    /// Only these offices (all the mirror has when empty).
    pub offices: Vec<OfficeCode>,
    /// Connect and read timeout.
    pub timeout: Duration,
    /// Today in Dhaka (the trust list must be valid).
    pub today: Date,
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncSummary {
    /// `verifier` or `issuer`.
    pub source_kind: String,
    /// Offices in the snapshot now.
    pub offices: usize,
    /// Feed pages fetched.
    pub pages: u64,
    /// New feed events applied.
    pub events: u64,
    /// Bytes of responses read.
    pub bytes_fetched: u64,
    /// Bytes of the snapshot's files now.
    pub snapshot_bytes: u64,
    /// Warnings shown (bilingual).
    pub warnings: Vec<String>,
}

enum Source {
    Verifier(Vec<ListedOffice>),
    Issuer(Vec<u8>),
}

struct Client {
    agent: ureq::Agent,
    base: String,
    fetched: u64,
}

pub(crate) fn classify(url: &str, e: ureq::Error) -> SyncError {
    match e {
        ureq::Error::Status(status, resp) => {
            let mut body = Vec::new();
            let _ = resp.into_reader().take(64 * 1024).read_to_end(&mut body);
            let detail = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["detail"].as_str().map(|d| format!(": {d}")))
                .unwrap_or_default();
            SyncError::Status {
                url: url.to_owned(),
                status,
                detail,
            }
        }
        ureq::Error::Transport(t) => {
            use std::error::Error as _;
            let source = t.source();
            let timed_out = source
                .and_then(|s| s.downcast_ref::<std::io::Error>())
                .is_some_and(|e| {
                    matches!(
                        e.kind(),
                        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
                    )
                });
            // The kind, message and cause, without the URL (said already).
            let mut message = t.kind().to_string();
            for part in [
                t.message().map(str::to_owned),
                source.map(|s| s.to_string()),
            ]
            .into_iter()
            .flatten()
            {
                message.push_str(": ");
                message.push_str(&part);
            }
            match t.kind() {
                ureq::ErrorKind::InvalidUrl | ureq::ErrorKind::UnknownScheme => {
                    SyncError::BadUrl(url.to_owned())
                }
                _ if timed_out => SyncError::Timeout {
                    url: url.to_owned(),
                    message,
                },
                _ => SyncError::Connect {
                    url: url.to_owned(),
                    message,
                },
            }
        }
    }
}

/// Checks a base URL: http or https, a host, no query or fragment; trailing `/` dropped.
pub fn base_url(url: &str) -> Result<String, SyncError> {
    let bad = || SyncError::BadUrl(url.to_owned());
    let trimmed = url.trim().trim_end_matches('/');
    let parsed = url::Url::parse(trimmed).map_err(|_| bad())?;
    // As typed: the URL parser would read `http:///x` as host `x` and `\` as `/`.
    let rest = trimmed.split_once("://").map_or("", |(_, rest)| rest);
    if !matches!(parsed.scheme(), "http" | "https")
        || parsed.host_str().is_none_or(str::is_empty)
        || parsed.query().is_some()
        || parsed.fragment().is_some()
        || rest.is_empty()
        || rest.starts_with('/')
        || rest.contains(['?', '#', ' ', '\\'])
        || rest.chars().any(char::is_control)
    {
        return Err(bad());
    }
    Ok(trimmed.to_owned())
}

/// Whether `s` is an http(s) URL (else, for `--trust`, a file).
pub(crate) fn is_http_url(s: &str) -> bool {
    url::Url::parse(s.trim()).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
}

/// A blocking client with connect and read timeouts.
pub(crate) fn agent(timeout: Duration) -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout_connect(timeout.min(Duration::from_secs(30)))
        .timeout_read(timeout)
        .timeout_write(timeout)
        .redirects(3)
        .user_agent(concat!("sonod-scan/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// Reads at most `limit` bytes of a response.
pub(crate) fn read_body(url: &str, resp: ureq::Response, limit: u64) -> Result<Vec<u8>, SyncError> {
    if resp
        .header("content-length")
        .and_then(|n| n.parse::<u64>().ok())
        .is_some_and(|n| n > limit)
    {
        return Err(SyncError::TooLarge {
            url: url.to_owned(),
            limit,
        });
    }
    let mut body = Vec::new();
    resp.into_reader()
        .take(limit + 1)
        .read_to_end(&mut body)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::TimedOut
                || e.kind() == std::io::ErrorKind::WouldBlock
            {
                SyncError::Timeout {
                    url: url.to_owned(),
                    message: e.to_string(),
                }
            } else {
                SyncError::Connect {
                    url: url.to_owned(),
                    message: e.to_string(),
                }
            }
        })?;
    if body.len() as u64 > limit {
        return Err(SyncError::TooLarge {
            url: url.to_owned(),
            limit,
        });
    }
    Ok(body)
}

impl Client {
    fn get(&mut self, path: &str, limit: u64) -> Result<Vec<u8>, SyncError> {
        let url = format!("{}{path}", self.base);
        let mut waited = 0u64;
        let resp = loop {
            match self.agent.get(&url).call() {
                // A verifier limits requests per client: wait as it asks, a few minutes at most.
                Err(ureq::Error::Status(429, resp)) if waited < MAX_RATE_WAIT => {
                    let secs = resp
                        .header("retry-after")
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .unwrap_or(5)
                        .clamp(1, 60);
                    waited += secs;
                    std::thread::sleep(Duration::from_secs(secs));
                }
                other => break other.map_err(|e| classify(&url, e))?,
            }
        };
        let body = read_body(&url, resp, limit)?;
        self.fetched += body.len() as u64;
        Ok(body)
    }

    /// `Ok(None)` on 404.
    fn get_optional(&mut self, path: &str, limit: u64) -> Result<Option<Vec<u8>>, SyncError> {
        match self.get(path, limit) {
            Ok(b) => Ok(Some(b)),
            Err(SyncError::Status { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn detect(&mut self) -> Result<Source, SyncError> {
        if let Some(body) = self.get_optional(mirror::OFFICES_PATH, MAX_LISTING_BYTES)? {
            return mirror::parse_listing(&body)
                .map(Source::Verifier)
                .ok_or_else(|| SyncError::NotSonod(self.base.clone()));
        }
        match self.get_optional("/api/v1/status-list", MAX_STATUS_BYTES)? {
            Some(body) if Signed::<StatusListBody>::parse(&body).is_ok() => {
                Ok(Source::Issuer(body))
            }
            _ => Err(SyncError::NotSonod(self.base.clone())),
        }
    }
}

fn protocol_err(office: &OfficeCode, e: ProtocolError) -> SyncError {
    SyncError::Protocol {
        office: office.clone(),
        error: e,
    }
}

fn feed_err(office: &OfficeCode, message: impl Into<String>) -> SyncError {
    SyncError::Feed {
        office: office.to_string(),
        message: message.into(),
    }
}

fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), SyncError> {
    let path = dir.join(name);
    sonod_keys::fs::write_atomic(&path, bytes, sonod_keys::fs::MODE_SHARED)
        .map_err(|e| SyncError::Store(path, e))
}

/// Writes `bytes` as `<prefix>-<sha>.<ext>` unless it is there already.
fn write_content(dir: &Path, prefix: &str, ext: &str, bytes: &[u8]) -> Result<FileRef, SyncError> {
    let sha = sha256_hex(bytes);
    let name = format!("{prefix}-{}.{ext}", &sha[..32]);
    let r = FileRef {
        file: name.clone(),
        bytes: bytes.len() as u64,
        sha256: sha,
    };
    if read_checked(dir, &r).is_err() {
        write_atomic(dir, &name, bytes)?;
    }
    Ok(r)
}

fn sync_dir(dir: &Path) {
    // Makes the renames durable; not possible on every platform, and then not needed.
    let _ = sonod_keys::fs::sync_dir(dir);
}

/// What the old snapshot holds for an office, if it checks out against the office's
/// signatures, with every block of its issued index read: a sync builds on these files, so
/// damage found now is repaired now (by fetching the office's feed afresh), not carried on.
fn old_office(
    dir: &Path,
    trust: &TrustList,
    code: &OfficeCode,
    state: &OfficeState,
) -> Result<LoadedOffice, SnapshotError> {
    let office = LoadedOffice::open(dir, trust, code, state)?;
    for seg in &office.segments {
        for b in 0..seg.blocks() {
            seg.block(b)?;
        }
    }
    Ok(office)
}

fn trust_source(
    opts: &SyncOptions,
    client: &mut Client,
    is_verifier: bool,
) -> Result<(String, Vec<u8>), SyncError> {
    match &opts.trust {
        Some(t) if is_http_url(t) => {
            let url = base_url(t)?;
            let resp = client
                .agent
                .get(&url)
                .call()
                .map_err(|e| classify(&url, e))?;
            let body = read_body(&url, resp, MAX_TRUST_BYTES)?;
            client.fetched += body.len() as u64;
            Ok((url, body))
        }
        Some(path) => {
            let f = File::open(path).map_err(|e| {
                SyncError::Trust(
                    path.clone(),
                    sonod_keys::TrustListError::Io {
                        path: PathBuf::from(path),
                        kind: e.kind(),
                        message: e.to_string(),
                    },
                )
            })?;
            let mut buf = Vec::new();
            f.take(MAX_TRUST_BYTES + 1)
                .read_to_end(&mut buf)
                .map_err(|e| SyncError::Store(PathBuf::from(path), e))?;
            Ok((path.clone(), buf))
        }
        None if is_verifier => {
            let body = client.get("/api/v1/trust", MAX_TRUST_BYTES)?;
            Ok((format!("{}/api/v1/trust", client.base), body))
        }
        None => Err(SyncError::TrustNeeded),
    }
}

/// The index entry of the hash `hex` (64 lower-case hex digits) in page `page`.
fn entry(hex: &str, page: u32) -> Option<Entry> {
    let h = parse_hash(hex)?;
    let mut p = [0u8; PREFIX];
    p.copy_from_slice(&h[..PREFIX]);
    Some((p, page))
}

/// A run of index entries sorted by prefix.
type Run<'a> = Box<dyn Iterator<Item = Result<Entry, SnapshotError>> + 'a>;

/// Merges sorted runs into one sorted run without repeated prefixes (the entry naming the
/// earliest page stays).
fn merge_sorted(runs: Vec<Run<'_>>) -> impl Iterator<Item = Result<Entry, SnapshotError>> + '_ {
    let mut runs = runs;
    let mut heap = BinaryHeap::new();
    let mut failed = None;
    for (i, r) in runs.iter_mut().enumerate() {
        match r.next() {
            Some(Ok(p)) => heap.push(std::cmp::Reverse((p, i))),
            Some(Err(e)) => failed = Some(e),
            None => {}
        }
    }
    let mut last: Option<[u8; PREFIX]> = None;
    std::iter::from_fn(move || loop {
        if let Some(e) = failed.take() {
            return Some(Err(e));
        }
        let std::cmp::Reverse(((p, page), i)) = heap.pop()?;
        match runs[i].next() {
            Some(Ok(n)) => heap.push(std::cmp::Reverse((n, i))),
            Some(Err(e)) => failed = Some(e),
            None => {}
        }
        if last != Some(p) {
            last = Some(p);
            return Some(Ok((p, page)));
        }
    })
}

/// Syncs the store from `opts.from`; `progress` gets one bilingual line at a time.
pub fn sync(opts: &SyncOptions, progress: &mut dyn FnMut(&str)) -> Result<SyncSummary, SyncError> {
    let base = base_url(&opts.from)?;
    let dir = &opts.store;
    std::fs::create_dir_all(dir).map_err(|e| SyncError::Store(dir.clone(), e))?;
    // One sync at a time per folder: a second one's clean-up would remove the files the
    // first one's new manifest names. Readers need no lock (the manifest is replaced in one
    // rename). The OS drops the lock if this process dies, so a crashed sync never blocks
    // the next one.
    let lock_path = dir.join(LOCK_FILE);
    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| SyncError::Store(lock_path.clone(), e))?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => return Err(SyncError::Busy(dir.clone())),
        Err(std::fs::TryLockError::Error(e)) => return Err(SyncError::Store(lock_path, e)),
    }
    let mut client = Client {
        agent: agent(opts.timeout),
        base: base.clone(),
        fetched: 0,
    };
    progress(&format!("{}: {base}", both("sync-connecting")));
    let source = client.detect()?;
    let is_verifier = matches!(source, Source::Verifier(_));
    let kind = if is_verifier { "verifier" } else { "issuer" };
    let mut summary = SyncSummary {
        source_kind: kind.to_owned(),
        ..SyncSummary::default()
    };
    progress(&format!(
        "{}: {}",
        both("sync-source-label"),
        both(if is_verifier {
            "sync-source-verifier"
        } else {
            "sync-source-issuer"
        })
    ));
    let (trust_from, trust_bytes) = trust_source(opts, &mut client, is_verifier)?;
    let trust = TrustList::load(&trust_bytes, &opts.root, opts.today)
        .map_err(|e| SyncError::Trust(trust_from.clone(), e))?;
    let sequence = trust.sequence().to_string();
    progress(&both_with(
        "sync-trust-verified",
        &[("sequence", &sequence, &sequence)],
    ));
    if let Some(w) = opts.floor.admit(&trust)? {
        progress(&w);
        summary.warnings.push(w);
    }

    // The old snapshot: what it has, where it can be trusted. A damaged one is synced afresh.
    let old = match read_manifest(dir) {
        Ok(m) => m,
        Err(e) => {
            let w = format!("{}: {e}", both("sync-old-snapshot-ignored"));
            progress(&w);
            summary.warnings.push(w);
            None
        }
    };
    if let Some(m) = &old {
        if let Ok(bytes) = read_checked(dir, &m.trust_list) {
            if let Ok(prev) = TrustList::load(&bytes, &opts.root, opts.today) {
                if prev.sequence() > trust.sequence() {
                    return Err(SyncError::TrustRollback {
                        have: prev.sequence(),
                        got: trust.sequence(),
                    });
                }
            }
        }
    }
    let same_source = old.as_ref().is_some_and(|m| m.source == base);

    let trusted_office = |o: &OfficeCode| trust.entries().iter().any(|e| e.office == *o);
    // Each office with the mirror's position (none for an issuer: its feed says its head).
    type Targets = Vec<(OfficeCode, Option<u64>)>;
    let (targets, issuer_status): (Targets, Option<Vec<u8>>) = match source {
        Source::Verifier(list) => (
            list.into_iter()
                .map(|l| (l.office, Some(l.position)))
                .collect(),
            None,
        ),
        Source::Issuer(bytes) => {
            let list = Signed::<StatusListBody>::parse(&bytes)
                .map_err(|e| SyncError::NotSonod(format!("{base}: {e}")))?;
            (vec![(list.signed.office.clone(), None)], Some(bytes))
        }
    };
    let mut offices = BTreeMap::new();
    for (office, target) in targets {
        if !opts.offices.is_empty() && !opts.offices.contains(&office) {
            continue;
        }
        if !trusted_office(&office) {
            let w = both_with("sync-office-untrusted", &[("office", &office, &office)]);
            progress(&w);
            summary.warnings.push(w);
            continue;
        }
        let prev =
            old.as_ref()
                .and_then(|m| m.offices.get(&office))
                .and_then(|s| match old_office(dir, &trust, &office, s) {
                    Ok(o) => Some(o),
                    Err(e) => {
                        let w = format!(
                            "{}: {e}",
                            both_with("sync-office-old-data", &[("office", &office, &office)])
                        );
                        progress(&w);
                        summary.warnings.push(w);
                        None
                    }
                });
        let state = sync_office(
            &mut client,
            dir,
            &trust,
            &office,
            target,
            issuer_status.as_deref(),
            prev,
            &mut summary,
            &mut *progress,
        )?;
        offices.insert(office, state);
    }
    // Offices kept from an earlier sync of the same source that it no longer lists, or that
    // were not asked for this time: kept as they were (their age shows).
    if let Some(m) = &old {
        for (code, state) in &m.offices {
            let keep = !offices.contains_key(code)
                && (same_source || !opts.offices.is_empty())
                && trusted_office(code)
                && old_office(dir, &trust, code, state).is_ok();
            if keep {
                offices.insert(code.clone(), state.clone());
            }
        }
    }
    if opts.offices.iter().any(|o| !offices.contains_key(o)) {
        return Err(SyncError::Feed {
            office: opts
                .offices
                .iter()
                .filter(|o| !offices.contains_key(*o))
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
            message: both("sync-office-missing").into(),
        });
    }

    let trust_ref = write_content(dir, "trust", "json", &trust_bytes)?;
    let manifest = Manifest {
        format: SNAPSHOT_FORMAT.to_owned(),
        source: base,
        source_kind: kind.to_owned(),
        synced_at: OffsetDateTime::now_utc().unix_timestamp(),
        trust_list: trust_ref,
        offices,
    };
    sync_dir(dir);
    let json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| SyncError::Store(dir.join(MANIFEST), std::io::Error::other(e)))?;
    write_atomic(dir, MANIFEST, &json)?;
    sync_dir(dir);
    summary.snapshot_bytes = collect_garbage(dir, &manifest) + json.len() as u64;
    summary.offices = manifest.offices.len();
    summary.bytes_fetched = client.fetched;
    Ok(summary)
}

/// Removes files of earlier snapshots and temporary files; returns the bytes of the files in
/// use.
fn collect_garbage(dir: &Path, m: &Manifest) -> u64 {
    let mut keep = vec![
        m.trust_list.file.clone(),
        MANIFEST.to_owned(),
        SIGHTINGS_FILE.to_owned(),
    ];
    for o in m.offices.values() {
        keep.extend(o.status_list.iter().map(|f| f.file.clone()));
        keep.extend(o.head_page.iter().map(|f| f.file.clone()));
        keep.extend(o.revoked.iter().map(|f| f.file.clone()));
        keep.extend(o.pages.iter().map(|p| p.file.file.clone()));
        keep.extend(o.issued.iter().map(|s| s.file.file.clone()));
    }
    let mut used = 0;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        // A root key left by an older scanner is deleted: it was never to be trusted.
        let ours = name.ends_with(".tmp")
            || name == LEGACY_ROOT_FILE
            || [
                "trust-", "status-", "head-", "pages-", "revoked-", "issued-",
            ]
            .iter()
            .any(|p| name.starts_with(p));
        if keep.contains(&name) {
            used += e.metadata().map_or(0, |m| m.len());
        } else if ours && name != MANIFEST {
            let _ = std::fs::remove_file(e.path());
        }
    }
    used
}

/// The snapshot being written for one office, as the feed protocol's store: each page with
/// new events goes into a new pack as fetched, its issued hashes into the new index entries
/// and its first revocations into the revocation pointers.
struct SnapshotStore<'a> {
    dir: &'a Path,
    office: &'a OfficeCode,
    pack_prefix: &'a str,
    /// The number the next kept page gets.
    next_page: u64,
    pack: Option<PackWriter>,
    new_entries: Vec<Entry>,
    revoked_at: &'a mut BTreeMap<u64, u32>,
    revoked_changed: bool,
    /// New events applied.
    events: u64,
    /// The page's bytes as fetched.
    bytes: Vec<u8>,
}

impl FeedStore for SnapshotStore<'_> {
    type Error = SyncError;

    fn apply(&mut self, page: &CheckedPage) -> Result<u64, SyncError> {
        let office = self.office;
        let number = u32::try_from(self.next_page)
            .map_err(|_| feed_err(office, both("sync-too-many-pages")))?;
        let mut position = page.after();
        for e in page.new_events() {
            match &e.kind {
                EventKind::Issued { hash, .. } | EventKind::Resealed { hash, .. } => {
                    self.new_entries.push(entry(hash, number).ok_or_else(|| {
                        let seq = e.seq.to_string();
                        feed_err(office, both_with("sync-bad-hash", &[("seq", &seq, &seq)]))
                    })?);
                }
                // The first revocation's page stays.
                EventKind::Revoked { serial, .. } if !self.revoked_at.contains_key(serial) => {
                    self.revoked_at.insert(*serial, number);
                    self.revoked_changed = true;
                }
                // A newer issuer's event kinds: skipped, the position moves past them.
                _ => {}
            }
            self.events += 1;
            position = e.seq;
        }
        if !page.new_events().is_empty() {
            let store_err = |e| SyncError::Store(self.dir.to_owned(), e);
            let w = match &mut self.pack {
                Some(w) => w,
                None => self.pack.insert(
                    PackWriter::new(self.dir, self.pack_prefix, self.next_page)
                        .map_err(store_err)?,
                ),
            };
            w.add(page.after(), page.end(), &self.bytes)
                .map_err(store_err)?;
            self.next_page += 1;
        }
        Ok(position.max(page.after()))
    }
}

#[allow(clippy::too_many_arguments)]
fn sync_office(
    client: &mut Client,
    dir: &Path,
    trust: &TrustList,
    office: &OfficeCode,
    target: Option<u64>,
    issuer_status: Option<&[u8]>,
    prev: Option<LoadedOffice>,
    summary: &mut SyncSummary,
    progress: &mut dyn FnMut(&str),
) -> Result<OfficeState, SyncError> {
    let is_verifier = target.is_some();
    let store_err = |e| SyncError::Store(dir.to_owned(), e);
    // The history already held: its chain hash where it ends (pages are held against it), and
    // the trust list's pins it already reaches, which it must meet.
    let walk_err = |e| match e {
        WalkError::Snapshot(e) => SyncError::Snapshot(e),
        WalkError::Protocol(e) => protocol_err(office, e),
    };
    let held_chain = match &prev {
        Some(p) => {
            for pin in sonod_feed::pins(trust, office) {
                if let Some(c) = p.chain_at(pin.position).map_err(walk_err)? {
                    if c != pin.chain {
                        return Err(protocol_err(
                            office,
                            ProtocolError::PinMismatch {
                                position: pin.position,
                                key: pin.key,
                            },
                        ));
                    }
                }
            }
            p.chain_at(p.pages.position()).map_err(walk_err)?
        }
        None => None,
    };
    let (mut state, segments, mut revoked_at, mut status, mut head) = match prev {
        Some(p) => (
            p.state,
            p.segments,
            p.revoked_at,
            p.status.map(|s| (s.position, s.generated_at)),
            p.head,
        ),
        None => (
            OfficeState::default(),
            Vec::new(),
            BTreeMap::new(),
            None,
            None,
        ),
    };
    let old_status = status;

    // The status list first: a feed read afterwards reaches at least its position.
    let status_bytes = match issuer_status {
        Some(b) => Some(b.to_vec()),
        None => client.get_optional(&mirror::status_list_path(office), MAX_STATUS_BYTES)?,
    };
    // A status list signed with a compromised key is not taken (nothing fixes its bits as the
    // chain fixes pages); the pages' revocations stand in for it until the office signs one
    // with its new key.
    let status_bytes = match status_bytes {
        Some(bytes) => match sonod_feed::verify_status_list(trust, office, &bytes) {
            Err(ProtocolError::KeyNotValid { key, .. })
                if trust
                    .entry(&key)
                    .is_some_and(|e| e.status == sonod_keys::KeyStatus::Compromised) =>
            {
                let w = both_with("sync-status-compromised", &[("office", office, office)]);
                progress(&w);
                summary.warnings.push(w);
                None
            }
            _ => Some(bytes),
        },
        None => {
            let w = both_with("sync-no-status", &[("office", office, office)]);
            progress(&w);
            summary.warnings.push(w);
            None
        }
    };
    if let Some(bytes) = status_bytes {
        let (list, _) = sonod_feed::verify_status_list(trust, office, &bytes)
            .map_err(|e| protocol_err(office, e))?;
        if old_status.is_none_or(|(p, _)| list.signed.position >= p) {
            state.status_list = Some(write_content(
                dir,
                &format!("status-{office}"),
                "json",
                &bytes,
            )?);
            status = Some((list.signed.position, list.signed.generated_at));
        } else {
            let w = both_with("sync-status-older", &[("office", office, office)]);
            progress(&w);
            summary.warnings.push(w);
        }
    }

    let position = state.position;
    if target.is_some_and(|t| t < position) {
        let (source, at) = (target.unwrap_or(0).to_string(), position.to_string());
        let w = both_with(
            "sync-source-behind",
            &[
                ("office", office, office),
                ("source", &source, &source),
                ("position", &at, &at),
            ],
        );
        progress(&w);
        summary.warnings.push(w);
    }
    // Every page that brings new events is kept as fetched, numbered after the pages already
    // in the snapshot; the index and the revocation pointers name pages by that number.
    let pack_prefix = format!("pages-{office}");
    let mut store = SnapshotStore {
        dir,
        office,
        pack_prefix: &pack_prefix,
        next_page: state.pages.iter().map(|p| p.count).sum(),
        pack: None,
        new_entries: Vec::new(),
        revoked_at: &mut revoked_at,
        revoked_changed: false,
        events: 0,
        bytes: Vec::new(),
    };
    let code = office.clone();
    let mut feed = match target {
        // A mirror's pages were fetched while the feed grew, so a page's head says nothing
        // about the end: the listing's position does.
        Some(listed) => Follower::mirror(code, position, listed),
        // An issuer's page says its head.
        None => Follower::issuer(Some(code), position),
    }
    .with_chain(held_chain);
    let mut head_bytes: Option<Vec<u8>> = None;
    while let Next::Fetch { after } = feed.next() {
        let path = if is_verifier {
            mirror::feed_path(office, after)
        } else {
            format!("/api/v1/feed?after={after}&limit={PAGE_LIMIT}")
        };
        let bytes = client.get(&path, MAX_PAGE_BYTES)?;
        summary.pages += 1;
        let page =
            Signed::<FeedPageBody>::parse(&bytes).map_err(|e| protocol_err(office, e.into()))?;
        let page = feed
            .check(trust, page)
            .map_err(|e| protocol_err(office, e))?;
        store.bytes = bytes;
        feed.apply(&mut store, &page)?;
        // A page that ended at the feed's head when the office made it vouches that the feed
        // was complete then: the newest such page is kept.
        let (end, generated_at) = (page.end(), page.body().generated_at);
        if page.reaches_head() && head.is_none_or(|h| (generated_at, end) > (h.1, h.0)) {
            head = Some((end, generated_at));
            head_bytes = Some(std::mem::take(&mut store.bytes));
        }
        progress(&format!(
            "{} {office}: {} {} / {}",
            pair("office-label").0,
            both("sync-position"),
            feed.position(),
            target.unwrap_or(page.head())
        ));
    }
    let position = feed.position();
    if let Some((list_position, _)) = status {
        sonod_feed::check_status_ahead(list_position, position)
            .map_err(|e| protocol_err(office, e))?;
    }
    summary.events += store.events;
    let SnapshotStore {
        pack,
        mut new_entries,
        revoked_changed,
        ..
    } = store;
    state.position = position;
    if let Some(w) = pack {
        state.pages.push(w.finish().map_err(store_err)?);
    }
    if state.pages.len() > MAX_PACKS {
        let store = PageStore::open(dir, &state.pages)?;
        state.pages = vec![merge_packs(dir, &pack_prefix, &store)?];
    }
    if let Some(b) = head_bytes {
        let z = compress(&b).map_err(store_err)?;
        state.head_page = Some(write_content(dir, &format!("head-{office}"), "json.z", &z)?);
    }
    state.covered_at = covered_at(position, status, head);

    // The issued index: the old files, a new one for what is new, merged when there are many.
    let mut issued: Vec<SegmentRef> = state.issued.clone();
    if !new_entries.is_empty() {
        new_entries.sort_unstable();
        new_entries.dedup_by_key(|e| e.0);
        issued.push(
            write_segment(
                dir,
                &format!("issued-{office}"),
                new_entries.iter().copied(),
            )
            .map_err(store_err)?,
        );
    }
    if issued.len() > MAX_SEGMENTS {
        let mut opened = segments;
        if let Some(last) = issued.last().filter(|_| !new_entries.is_empty()) {
            opened.push(crate::snapshot::Segment::open(dir, last)?);
        }
        let runs: Vec<Run<'_>> = opened
            .iter()
            .map(|s| Box::new(segment_iter(s)) as Run<'_>)
            .collect();
        let mut failure = None;
        let merged = write_segment(
            dir,
            &format!("issued-{office}"),
            merge_sorted(runs).map_while(|r| match r {
                Ok(p) => Some(p),
                Err(e) => {
                    failure = Some(e);
                    None
                }
            }),
        )
        .map_err(store_err)?;
        if let Some(e) = failure {
            return Err(e.into());
        }
        issued = vec![merged];
    }
    state.issued = issued;
    if revoked_changed || (state.revoked.is_none() && !revoked_at.is_empty()) {
        state.revoked = Some(write_content(
            dir,
            &format!("revoked-{office}"),
            "bin",
            &encode_revoked(&revoked_at),
        )?);
    }
    state.revoked_count = revoked_at.len() as u64;
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_sync_of_the_same_folder_is_refused_until_the_first_ends() {
        let dir = tempfile::tempdir().unwrap();
        let opts = SyncOptions {
            // Nothing listens on port 9: past the lock, the sync fails to connect.
            from: "http://127.0.0.1:9".into(),
            store: dir.path().to_path_buf(),
            root: sonod_keys::SecretKey::generate().verifying_key(),
            floor: TrustFloor::new(dir.path().join("state")),
            trust: None,
            offices: Vec::new(),
            timeout: Duration::from_millis(500),
            today: time::OffsetDateTime::now_utc().date(),
        };
        let held = File::create(dir.path().join(LOCK_FILE)).unwrap();
        held.lock().unwrap();
        let busy = sync(&opts, &mut |_| {}).unwrap_err();
        assert!(matches!(busy, SyncError::Busy(_)), "{busy}");
        assert!(busy.to_string().contains("another sync is running"));
        drop(held);
        let after = sync(&opts, &mut |_| {}).unwrap_err();
        assert!(matches!(after, SyncError::Connect { .. }), "{after}");
    }

    #[test]
    fn base_urls_are_checked() {
        assert_eq!(
            base_url("http://127.0.0.1:8081/").unwrap(),
            "http://127.0.0.1:8081"
        );
        assert_eq!(
            base_url(" https://verify.sonod.gov.bd ").unwrap(),
            "https://verify.sonod.gov.bd"
        );
        for bad in [
            "ftp://x",
            "verify.sonod.gov.bd",
            "http://",
            "http:///x",
            "http://a?b",
            "http://a b",
        ] {
            assert!(matches!(base_url(bad), Err(SyncError::BadUrl(_))), "{bad}");
        }
    }

    #[test]
    fn index_entries_need_64_lower_hex_digits() {
        let h = "ab".repeat(32);
        assert_eq!(entry(&h, 3), Some(([0xab; PREFIX], 3)));
        assert_eq!(entry(&"AB".repeat(32), 3), None);
        assert_eq!(entry("abcd", 3), None);
        assert_eq!(entry(&"zz".repeat(32), 3), None);
    }

    #[test]
    fn merging_keeps_order_and_drops_repeats() {
        let runs: Vec<Run<'static>> = vec![
            Box::new([([1u8; PREFIX], 0), ([3; PREFIX], 5)].into_iter().map(Ok)),
            Box::new(
                [([2u8; PREFIX], 1), ([3; PREFIX], 2), ([4; PREFIX], 3)]
                    .into_iter()
                    .map(Ok),
            ),
            Box::new(std::iter::empty()),
        ];
        let out: Vec<(u8, u32)> = merge_sorted(runs)
            .map(|r| r.map(|(p, page)| (p[0], page)).unwrap())
            .collect();
        assert_eq!(out, vec![(1, 0), (2, 1), (3, 2), (4, 3)]);
    }
}
