//! The verifier's replica of the issuers' event feeds, in sled.
//!
//! It holds no names or ID numbers, only what the feeds publish: per office, the hashes of the
//! sealed bytes of every certificate issued or re-sealed (by serial), the revoked serials with
//! time and reason, and how far the feed has been read. It can always be rebuilt from the
//! feeds, so it is not flushed on every write (sled flushes on its own timer).
//!
//! Keys in the one tree (office codes are length-prefixed, serials big-endian):
//!
//! | key | value |
//! |---|---|
//! | `i` len office serial | the 32-byte hashes published for the serial, concatenated |
//! | `r` len office serial | revocation time (i64 BE, Unix seconds) and reason code |
//! | `p` office | position, head (u64 BE), last complete sync (i64 BE Unix seconds, `i64::MIN` when never) and its milliseconds (u16 BE; absent in records written before) |
//! | `s` feed URL | the office code that feed serves |

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{PoisonError, RwLock};

use sonod_feed::{Pin, PinWalk, Vouched};
use sonod_keys::{FeedPin, KeyId};

use sonod_keys::OfficeCode;
use sonod_seal::feed::{Event, EventKind, RevocationReason};
use time::Date;

use sonod_judge::Unchecked;
use sonod_judge::{too_old_to_be_missing, FeedAnswer, FeedStatus};

/// Why the replica could not be opened or changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplicaError {
    /// The store failed.
    #[error("{}", crate::l10n::both("replica-store", &[("n0", &format!("{}", .0))]))]
    Store(String),
    /// The events do not continue the office's feed from where the replica stands.
    #[error("{}", crate::l10n::both("replica-position", &[("have", &format!("{}", .have)), ("page", &format!("{}", .page))]))]
    Position {
        /// The replica's position.
        have: u64,
        /// The page's start.
        page: u64,
    },
    /// An event's hash is not 64 lower-case hex digits.
    #[error("{}", crate::l10n::both("replica-bad-hash", &[("n0", &format!("{}", .0))]))]
    BadHash(u64),
}

impl From<sled::Error> for ReplicaError {
    fn from(e: sled::Error) -> Self {
        ReplicaError::Store(e.to_string())
    }
}

/// How far one office's feed has been read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OfficeFeed {
    /// The last event applied.
    pub position: u64,
    /// The feed's head as last reported by the issuer.
    pub head: u64,
    /// When (Unix milliseconds, the verifier's clock when it asked for the page that reached
    /// the head) the replica last caught up with the head: every certificate issued before
    /// then is in the replica. Milliseconds, because a certificate first seen here is judged
    /// against the next sync after that sighting, which may be a fraction of a second later.
    pub synced_at_ms: Option<i64>,
}

/// The bytes of a stored [`OfficeFeed`]: 24 before milliseconds were kept, 26 since.
const FEED_RECORD: usize = 26;

impl OfficeFeed {
    /// [`OfficeFeed::synced_at_ms`] in whole Unix seconds (rounded down), as the API shows it.
    pub fn synced_at(&self) -> Option<i64> {
        self.synced_at_ms.map(|ms| ms.div_euclid(1000))
    }

    /// Seconds where a record of 24 bytes kept them (so that a replica written by this
    /// version still reads in an older one), then the milliseconds past them.
    fn encode(&self) -> [u8; FEED_RECORD] {
        let mut v = [0u8; FEED_RECORD];
        v[..8].copy_from_slice(&self.position.to_be_bytes());
        v[8..16].copy_from_slice(&self.head.to_be_bytes());
        let (secs, millis) = match self.synced_at_ms {
            Some(ms) => (ms.div_euclid(1000), ms.rem_euclid(1000)),
            None => (i64::MIN, 0),
        };
        v[16..24].copy_from_slice(&secs.to_be_bytes());
        v[24..].copy_from_slice(&u16::try_from(millis).unwrap_or(0).to_be_bytes());
        v
    }

    fn decode(v: &[u8]) -> Option<OfficeFeed> {
        let word = |i: usize| v.get(i..i + 8).and_then(|b| <[u8; 8]>::try_from(b).ok());
        let secs = i64::from_be_bytes(word(16)?);
        // A 24-byte record (written before milliseconds were kept) counts whole seconds.
        let millis = v
            .get(24..26)
            .and_then(|b| <[u8; 2]>::try_from(b).ok())
            .map_or(0, |b| i64::from(u16::from_be_bytes(b)).min(999));
        Some(OfficeFeed {
            position: u64::from_be_bytes(word(0)?),
            head: u64::from_be_bytes(word(8)?),
            synced_at_ms: (secs != i64::MIN)
                .then(|| secs.saturating_mul(1000).saturating_add(millis)),
        })
    }
}

/// The replica. Reads are lock-free in sled; one writer per office (its sync task).
#[derive(Debug)]
pub struct Replica {
    db: sled::Db,
    /// The office-signed feed pages and status lists, verbatim (see `mirror`).
    pub(crate) mirror: sled::Tree,
    offices: RwLock<HashMap<OfficeCode, OfficeFeed>>,
    /// The keys of every revocation stored, so that the many certificates that are not revoked
    /// are answered without a second look-up in the tree (at 10 million certificates each
    /// look-up costs a few µs). Only ever added to, after the revocation is in the tree: a key
    /// here whose revocation is not in the tree (none should be) only costs that look-up.
    revoked: RwLock<HashSet<Vec<u8>>>,
    failed: AtomicBool,
    /// An office whose feed was last known complete longer ago than this (milliseconds; 0:
    /// never) answers `Unknown(Stale)` instead of `Issued`: revocations since then are unknown.
    max_staleness_ms: AtomicI64,
    /// Per office, the trust list's pins for its compromised keys as last checked against the
    /// mirrored feed ([`Replica::check_pins`]), each met pin with its key's genuine
    /// certificates.
    vouched: RwLock<HashMap<OfficeCode, PinState>>,
}

/// The pins of one office as last checked, and those the feed met.
#[derive(Debug, Default)]
struct PinState {
    pins: Vec<Pin>,
    met: Vec<Vouched>,
    /// The history held met one of `pins` with another hash (not walked again for them).
    fork: Option<sonod_feed::ProtocolError>,
}

fn chain_key(office: &str) -> Vec<u8> {
    let mut k = vec![b'c'];
    k.extend_from_slice(office.as_bytes());
    k
}

fn cert_key(tag: u8, office: &str, serial: u64) -> Vec<u8> {
    let o = office.as_bytes();
    let mut k = Vec::with_capacity(2 + o.len() + 8);
    k.push(tag);
    k.push(u8::try_from(o.len()).unwrap_or(u8::MAX));
    k.extend_from_slice(o);
    k.extend_from_slice(&serial.to_be_bytes());
    k
}

fn office_key(office: &str) -> Vec<u8> {
    let mut k = vec![b'p'];
    k.extend_from_slice(office.as_bytes());
    k
}

fn parse_hash(hex: &str) -> Option<[u8; 32]> {
    let bytes = data_encoding::HEXLOWER.decode(hex.as_bytes()).ok()?;
    bytes.try_into().ok()
}

impl Replica {
    /// Opens (or creates) the replica in `dir`, with sled's page cache at about `cache_bytes`.
    pub fn open(dir: &Path, cache_bytes: u64) -> Result<Replica, ReplicaError> {
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(cache_bytes)
            .open()?;
        let mirror = db.open_tree("mirror")?;
        let mut offices = HashMap::new();
        for item in db.scan_prefix(b"p") {
            let (k, v) = item?;
            // Only office codes are ever written here (see `apply`).
            let office = std::str::from_utf8(&k[1..]).ok().map(OfficeCode::parse);
            if let (Some(Ok(office)), Some(f)) = (office, OfficeFeed::decode(&v)) {
                offices.insert(office, f);
            }
        }
        let mut revoked = HashSet::new();
        for item in db.scan_prefix([b'r']) {
            revoked.insert(item?.0.to_vec());
        }
        Ok(Replica {
            db,
            mirror,
            revoked: RwLock::new(revoked),
            offices: RwLock::new(offices),
            failed: AtomicBool::new(false),
            max_staleness_ms: AtomicI64::new(0),
            vouched: RwLock::new(HashMap::new()),
        })
    }

    /// How far `office`'s feed has been read, if at all.
    pub fn office(&self, office: &OfficeCode) -> Option<OfficeFeed> {
        self.offices
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(office)
            .copied()
    }

    /// Every office with a replicated feed.
    pub fn offices(&self) -> Vec<(OfficeCode, OfficeFeed)> {
        let mut all: Vec<_> = self
            .offices
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }

    /// True once a read or write has failed: the replica's answers cannot be relied on.
    pub fn has_failed(&self) -> bool {
        self.failed.load(Ordering::Relaxed)
    }

    pub(crate) fn note<T>(&self, r: Result<T, sled::Error>) -> Result<T, ReplicaError> {
        r.map_err(|e| {
            self.failed.store(true, Ordering::Relaxed);
            tracing::error!(error = %e, "replica store failed");
            ReplicaError::from(e)
        })
    }

    /// The office a feed URL served before.
    pub fn source_office(&self, url: &str) -> Option<OfficeCode> {
        let mut k = vec![b's'];
        k.extend_from_slice(url.as_bytes());
        let v = self.db.get(k).ok().flatten()?;
        OfficeCode::parse(std::str::from_utf8(&v).ok()?).ok()
    }

    /// Remembers which office a feed URL serves.
    pub fn set_source_office(&self, url: &str, office: &OfficeCode) -> Result<(), ReplicaError> {
        let mut k = vec![b's'];
        k.extend_from_slice(url.as_bytes());
        self.note(self.db.insert(k, office.as_bytes()))?;
        Ok(())
    }

    /// Applies a verified page's events in order, then the new position and head. The page
    /// must start where the replica stands.
    ///
    /// Not one atomic batch: sled's memory grows far past its cache limit with large batches
    /// (3 GB per million entries written in batches of 10,000, 0.25 GB with single inserts, on
    /// the development machine). Every event is idempotent instead (a hash already in the set
    /// is not added again; the first revocation stays), and the position is written last, so
    /// a crash part-way through a page is repaired by applying the page again.
    pub fn apply(
        &self,
        office: &OfficeCode,
        after: u64,
        events: &[Event],
        head: u64,
    ) -> Result<OfficeFeed, ReplicaError> {
        let mut feed = self.office(office).unwrap_or_default();
        if after != feed.position {
            return Err(ReplicaError::Position {
                have: feed.position,
                page: after,
            });
        }
        // Checked before anything is written, so that a bad page changes nothing.
        let mut hashes = Vec::with_capacity(events.len());
        for e in events {
            hashes.push(match &e.kind {
                EventKind::Issued { hash, .. } | EventKind::Resealed { hash, .. } => {
                    Some(parse_hash(hash).ok_or(ReplicaError::BadHash(e.seq))?)
                }
                _ => None,
            });
        }
        for (e, h) in events.iter().zip(hashes) {
            match (&e.kind, h) {
                (
                    EventKind::Issued { serial, .. } | EventKind::Resealed { serial, .. },
                    Some(h),
                ) => {
                    let key = cert_key(b'i', office, *serial);
                    let mut value = self
                        .note(self.db.get(&key))?
                        .map(|v| v.to_vec())
                        .unwrap_or_default();
                    if !value.chunks_exact(32).any(|c| c == h) {
                        value.extend_from_slice(&h);
                        self.note(self.db.insert(key, value))?;
                    }
                }
                (EventKind::Revoked { serial, reason }, _) => {
                    let key = cert_key(b'r', office, *serial);
                    if !self.note(self.db.contains_key(&key))? {
                        let mut v = e.at.to_be_bytes().to_vec();
                        v.extend_from_slice(reason.code().as_bytes());
                        self.note(self.db.insert(key.as_slice(), v))?;
                        self.note_revoked(key);
                    }
                }
                // A newer issuer's event kinds: skipped, but the position moves past them.
                _ => {}
            }
            feed.position = e.seq;
        }
        feed.head = head.max(feed.position);
        self.note(self.db.insert(office_key(office), feed.encode().to_vec()))?;
        self.offices
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(office.clone(), feed);
        Ok(feed)
    }

    /// Keeps the feed's chain hash at `position` (where `office`'s replica now stands).
    pub fn set_chain(
        &self,
        office: &OfficeCode,
        position: u64,
        chain: Option<[u8; 32]>,
    ) -> Result<(), ReplicaError> {
        match chain {
            Some(c) => {
                let mut v = position.to_be_bytes().to_vec();
                v.extend_from_slice(&c);
                self.note(self.db.insert(chain_key(office), v))?;
            }
            None => {
                self.note(self.db.remove(chain_key(office)))?;
            }
        }
        Ok(())
    }

    /// The feed's chain hash where `office`'s replica stands, when known (a replica written
    /// before the chain existed, or fed pages without one, does not know it).
    pub fn chain(&self, office: &OfficeCode) -> Option<[u8; 32]> {
        let position = self.office(office)?.position;
        let v = self.note(self.db.get(chain_key(office))).ok()??;
        let at = u64::from_be_bytes(v.get(..8)?.try_into().ok()?);
        (at == position).then(|| v.get(8..40)?.try_into().ok())?
    }

    /// Checks the trust list's `pins` for `office`'s compromised keys against the mirrored
    /// feed, from its start (once per set of pins, and again while a pin is still ahead of
    /// what was walked): a stored history that meets a pin with another chain hash is a fork
    /// ([`sonod_feed::ProtocolError::PinMismatch`]), and nothing of the office is vouched for.
    /// The certificates of each pin met are kept for [`FeedStatus::vouched`].
    pub fn check_pins(
        &self,
        office: &OfficeCode,
        pins: Vec<Pin>,
    ) -> Result<(), sonod_feed::ProtocolError> {
        let position = self.office(office).map_or(0, |f| f.position);
        {
            let cache = self.vouched.read().unwrap_or_else(PoisonError::into_inner);
            // A fork found before, for the same pins: refused again without another walk.
            if let Some(e) = cache
                .get(office)
                .filter(|s| s.pins == pins)
                .and_then(|s| s.fork.clone())
            {
                return Err(e);
            }
            let settled = cache.get(office).is_some_and(|s| {
                s.pins == pins
                    && pins
                        .iter()
                        .all(|p| p.position > position || s.met.iter().any(|v| v.pin == *p))
            });
            if settled || (pins.is_empty() && !cache.contains_key(office)) {
                return Ok(());
            }
        }
        let mut walk = PinWalk::new(office, pins.clone());
        let mut result = Ok(());
        for page in self.mirror_bodies(office) {
            if walk.finished() {
                break;
            }
            if let Err(e) = walk.page(&page) {
                result = Err(e);
                break;
            }
        }
        let met = match &result {
            Ok(()) => walk.into_vouched(),
            Err(_) => Vec::new(),
        };
        self.vouched
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(
                office.clone(),
                PinState {
                    pins,
                    met,
                    fork: result
                        .clone()
                        .err()
                        .filter(|e| matches!(e, sonod_feed::ProtocolError::PinMismatch { .. })),
                },
            );
        result
    }

    /// Records that the replica caught up with `office`'s head as of `at_ms` (Unix
    /// milliseconds: when the page that reached the head was asked for). It never moves back.
    pub fn mark_synced_ms(
        &self,
        office: &OfficeCode,
        at_ms: i64,
    ) -> Result<OfficeFeed, ReplicaError> {
        let mut feed = self.office(office).unwrap_or_default();
        feed.synced_at_ms = Some(feed.synced_at_ms.map_or(at_ms, |s| s.max(at_ms)));
        self.note(self.db.insert(office_key(office), feed.encode().to_vec()))?;
        self.offices
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(office.clone(), feed);
        Ok(feed)
    }

    /// Writes `count` synthetic issued certificates (serials from `first`) and no events, for
    /// scale measurements; the position is left alone.
    pub fn bulk_issued(
        &self,
        office: &OfficeCode,
        first: u64,
        count: u64,
    ) -> Result<(), ReplicaError> {
        for (n, serial) in (first..first.saturating_add(count)).enumerate() {
            let hash = sonod_seal::hash(&serial.to_be_bytes());
            self.note(
                self.db
                    .insert(cert_key(b'i', office, serial), hash.to_vec()),
            )?;
            // Flushing now and then keeps sled's dirty pages (and so memory) bounded.
            if n % 500_000 == 499_999 {
                self.note(self.db.flush())?;
            }
        }
        Ok(())
    }

    /// Writes `count` synthetic revocations (serials from `first`), for scale measurements.
    pub fn bulk_revoked(
        &self,
        office: &OfficeCode,
        first: u64,
        count: u64,
        at: i64,
    ) -> Result<(), ReplicaError> {
        for serial in first..first.saturating_add(count) {
            let mut v = at.to_be_bytes().to_vec();
            v.extend_from_slice(RevocationReason::Other.code().as_bytes());
            let key = cert_key(b'r', office, serial);
            self.note(self.db.insert(key.as_slice(), v))?;
            self.note_revoked(key);
        }
        Ok(())
    }

    fn note_revoked(&self, key: Vec<u8>) {
        self.revoked
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key);
    }

    /// Flushes to disk (for shutdown and measurements).
    pub fn flush(&self) -> Result<(), ReplicaError> {
        self.note(self.db.flush())?;
        Ok(())
    }

    /// Bytes on disk as sled counts them.
    pub fn size_on_disk(&self) -> u64 {
        self.db.size_on_disk().unwrap_or(0)
    }

    fn revocation(&self, office: &str, serial: u64) -> Option<(i64, RevocationReason)> {
        let key = cert_key(b'r', office, serial);
        if !self
            .revoked
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains(&key)
        {
            return None;
        }
        let v = self.note(self.db.get(key)).ok()??;
        let at = i64::from_be_bytes(v.get(..8)?.try_into().ok()?);
        let code = std::str::from_utf8(v.get(8..)?).ok()?;
        let reason = RevocationReason::ALL
            .into_iter()
            .find(|r| r.code() == code)
            .unwrap_or(RevocationReason::Other);
        Some((at, reason))
    }

    fn has_hash(&self, office: &str, serial: u64, hash: &[u8; 32]) -> bool {
        match self.note(self.db.get(cert_key(b'i', office, serial))) {
            Ok(Some(v)) => v.chunks_exact(32).any(|c| c == hash),
            _ => false,
        }
    }
}

fn revoked_answer(at: i64, reason: RevocationReason) -> FeedAnswer {
    let date = sonod_keys::dhaka_time_of(at).map_or(Date::MAX, |t| t.date());
    let (bn, en) = reason.labels();
    FeedAnswer::Revoked {
        date,
        reason_bn: bn,
        reason_en: en,
    }
}

impl Replica {
    /// Sets how long ago an office's feed may last have been known complete for an issued
    /// certificate of it to read `Issued` (zero: any time ago).
    pub fn set_max_staleness(&self, limit: std::time::Duration) {
        let ms = i64::try_from(limit.as_millis()).unwrap_or(i64::MAX);
        self.max_staleness_ms.store(ms, Ordering::Relaxed);
    }

    /// `Issued`, unless the feed was last known complete longer ago than the staleness limit:
    /// then a revocation since may be unknown, and the answer says so.
    fn issued_or_stale(&self, feed: &OfficeFeed) -> FeedAnswer {
        let limit = self.max_staleness_ms.load(Ordering::Relaxed);
        if limit > 0 {
            let fresh = feed
                .synced_at_ms
                .is_some_and(|s| sonod_judge::now_unix_ms().saturating_sub(s) <= limit);
            if !fresh {
                return FeedAnswer::Unknown(Unchecked::Stale {
                    as_of: feed.synced_at().unwrap_or(0),
                });
            }
        }
        FeedAnswer::Issued
    }
}

impl FeedStatus for Replica {
    /// Issued when the hash is known (revoked if the serial is); not issued when the office's
    /// feed caught up late enough that a genuine certificate would be in it
    /// ([`too_old_to_be_missing`]); otherwise revoked if the serial is, else unknown.
    fn lookup(
        &self,
        office: &OfficeCode,
        serial: u64,
        issued: Date,
        hash: &[u8; 32],
        seen_at_ms: i64,
    ) -> FeedAnswer {
        let Some(feed) = self.office(office) else {
            return FeedAnswer::Unknown(Unchecked::NoFeed);
        };
        let revoked = self.revocation(office, serial);
        if self.has_hash(office, serial, hash) {
            return match revoked {
                Some((at, reason)) => revoked_answer(at, reason),
                None => self.issued_or_stale(&feed),
            };
        }
        match (
            too_old_to_be_missing(feed.synced_at_ms, issued, seen_at_ms),
            revoked,
        ) {
            (true, _) => FeedAnswer::NotIssued,
            (false, Some((at, reason))) => revoked_answer(at, reason),
            (false, None) => FeedAnswer::Unknown(Unchecked::NotYetPublished {
                complete_as_of: feed.synced_at(),
            }),
        }
    }

    /// True when the mirrored feed met `pin` (its chain hash there) and published `hash` as a
    /// certificate of `key` at or before it ([`Replica::check_pins`]).
    fn vouched(&self, office: &OfficeCode, key: &KeyId, pin: &FeedPin, hash: &[u8; 32]) -> bool {
        let Some(chain) = pin.chain_bytes() else {
            return false;
        };
        self.vouched
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(office)
            .is_some_and(|s| {
                s.met.iter().any(|v| {
                    v.pin.key == *key
                        && v.pin.position == pin.position
                        && v.pin.chain == chain
                        && v.hashes.contains(hash)
                })
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oc(code: &str) -> OfficeCode {
        OfficeCode::parse(code).unwrap()
    }
    use sonod_keys::SecretKey;
    use time::macros::date;

    use sonod_judge::{end_of_day_dhaka, ISSUE_GRACE_SECONDS};

    /// A sighting long after every date in these tests: only the issue-day rule decides.
    const LATE: i64 = 4_000_000_000_000;

    fn issued(seq: u64, serial: u64, hash: [u8; 32], kid: sonod_keys::KeyId) -> Event {
        Event {
            seq,
            at: 1_780_000_000,
            kind: EventKind::Issued {
                serial,
                key_id: kid,
                hash: data_encoding::HEXLOWER.encode(&hash),
            },
        }
    }

    #[test]
    fn answers_follow_the_feed() {
        let dir = tempfile::tempdir().unwrap();
        let r = Replica::open(dir.path(), 1 << 20).unwrap();
        let kid = SecretKey::generate().key_id();
        let day = date!(2026 - 11 - 28);
        assert_eq!(
            r.lookup(&oc("100524"), 1, day, &[1; 32], LATE),
            FeedAnswer::Unknown(Unchecked::NoFeed)
        );
        r.apply(&oc("100524"), 0, &[issued(1, 1, [1; 32], kid)], 1)
            .unwrap();
        assert_eq!(
            r.lookup(&oc("100524"), 1, day, &[1; 32], LATE),
            FeedAnswer::Issued
        );
        // Never synced to the head: an unknown hash is not judged.
        assert_eq!(
            r.lookup(&oc("100524"), 2, day, &[2; 32], LATE),
            FeedAnswer::Unknown(Unchecked::NotYetPublished {
                complete_as_of: None
            })
        );
        let end = end_of_day_dhaka(day);
        r.mark_synced_ms(&oc("100524"), (end + 60) * 1000).unwrap();
        assert_eq!(
            r.lookup(&oc("100524"), 2, day, &[2; 32], LATE),
            FeedAnswer::Unknown(Unchecked::NotYetPublished {
                complete_as_of: Some(end + 60)
            })
        );
        r.mark_synced_ms(&oc("100524"), (end + ISSUE_GRACE_SECONDS + 1) * 1000)
            .unwrap();
        assert_eq!(
            r.lookup(&oc("100524"), 2, day, &[2; 32], LATE),
            FeedAnswer::NotIssued
        );
        // A later issue date is not covered yet.
        assert_eq!(
            r.lookup(&oc("100524"), 2, date!(2026 - 11 - 29), &[2; 32], LATE),
            FeedAnswer::Unknown(Unchecked::NotYetPublished {
                complete_as_of: Some(end + ISSUE_GRACE_SECONDS + 1)
            })
        );
        // Re-sealing adds a hash; revocation covers both.
        let resealed = Event {
            seq: 2,
            at: 1_780_000_100,
            kind: EventKind::Resealed {
                serial: 1,
                key_id: kid,
                hash: data_encoding::HEXLOWER.encode(&[3; 32]),
            },
        };
        let revoked = Event {
            seq: 3,
            at: 1_780_000_200,
            kind: EventKind::Revoked {
                serial: 1,
                reason: RevocationReason::Fraud,
            },
        };
        assert_eq!(
            r.apply(&oc("100524"), 0, std::slice::from_ref(&resealed), 3),
            Err(ReplicaError::Position { have: 1, page: 0 })
        );
        r.apply(&oc("100524"), 1, &[resealed, revoked], 3).unwrap();
        for h in [[1; 32], [3; 32]] {
            assert!(matches!(
                r.lookup(&oc("100524"), 1, day, &h, LATE),
                FeedAnswer::Revoked { ref reason_en, .. } if reason_en == "obtained by fraud"
            ));
        }
        assert_eq!(r.office(&oc("100524")).unwrap().position, 3);
        // Survives a reopen.
        drop(r);
        let r = Replica::open(dir.path(), 1 << 20).unwrap();
        let f = r.office(&oc("100524")).unwrap();
        assert_eq!((f.position, f.head), (3, 3));
        assert_eq!(f.synced_at(), Some(end + ISSUE_GRACE_SECONDS + 1));
        // The revocation too (the reopened replica learns its revoked serials from the tree).
        for h in [[1; 32], [3; 32]] {
            assert!(matches!(
                r.lookup(&oc("100524"), 1, day, &h, LATE),
                FeedAnswer::Revoked { ref reason_en, .. } if reason_en == "obtained by fraud"
            ));
        }
        assert_eq!(
            r.lookup(&oc("100524"), 1, day, &[9; 32], LATE),
            FeedAnswer::NotIssued
        );
    }

    /// Regression: a stolen key's forgery dated today read `valid` until the feed was synced
    /// past the end of the day. A sync that caught up after the forgery was first seen settles
    /// it, whatever its date.
    #[test]
    fn forgery_dated_today_is_not_issued_once_a_sync_follows_its_sighting() {
        let dir = tempfile::tempdir().unwrap();
        let r = Replica::open(dir.path(), 1 << 20).unwrap();
        let kid = SecretKey::generate().key_id();
        let day = date!(2026 - 11 - 28);
        r.apply(&oc("100524"), 0, &[issued(1, 1, [1; 32], kid)], 1)
            .unwrap();
        let noon = end_of_day_dhaka(day) - 12 * 3600;
        r.mark_synced_ms(&oc("100524"), noon * 1000).unwrap();
        let seen = (noon + 5) * 1000;
        // The last complete sync is older than the sighting: it may be brand new.
        for (serial, hash) in [(2, [2; 32]), (1, [7; 32])] {
            assert_eq!(
                r.lookup(&oc("100524"), serial, day, &hash, seen),
                FeedAnswer::Unknown(Unchecked::NotYetPublished {
                    complete_as_of: Some(noon)
                })
            );
        }
        // The next complete sync, begun after the sighting, does not have it: never issued,
        // a fresh serial or a reused one alike.
        r.mark_synced_ms(&oc("100524"), (noon + 6) * 1000).unwrap();
        for (serial, hash) in [(2, [2; 32]), (1, [7; 32])] {
            assert_eq!(
                r.lookup(&oc("100524"), serial, day, &hash, seen),
                FeedAnswer::NotIssued
            );
        }
        // The genuine one stays issued.
        assert_eq!(
            r.lookup(&oc("100524"), 1, day, &[1; 32], seen),
            FeedAnswer::Issued
        );
    }

    /// Regression: the last complete sync was kept in whole seconds, so a sync that began
    /// a few hundred milliseconds after a forgery was first seen, within the same second,
    /// could not settle it.
    #[test]
    fn a_sync_later_in_the_same_second_settles_a_sighting() {
        let dir = tempfile::tempdir().unwrap();
        let r = Replica::open(dir.path(), 1 << 20).unwrap();
        let kid = SecretKey::generate().key_id();
        let day = date!(2026 - 11 - 28);
        r.apply(&oc("100524"), 0, &[issued(1, 1, [1; 32], kid)], 1)
            .unwrap();
        let noon_ms = (end_of_day_dhaka(day) - 12 * 3600) * 1000;
        let seen = noon_ms + 200;
        r.mark_synced_ms(&oc("100524"), noon_ms + 100).unwrap();
        assert!(matches!(
            r.lookup(&oc("100524"), 2, day, &[2; 32], seen),
            FeedAnswer::Unknown(Unchecked::NotYetPublished { .. })
        ));
        r.mark_synced_ms(&oc("100524"), noon_ms + 700).unwrap();
        assert_eq!(
            r.lookup(&oc("100524"), 2, day, &[2; 32], seen),
            FeedAnswer::NotIssued
        );
        // The milliseconds survive a reopen, and never move back.
        r.mark_synced_ms(&oc("100524"), noon_ms + 300).unwrap();
        drop(r);
        let r = Replica::open(dir.path(), 1 << 20).unwrap();
        let f = r.office(&oc("100524")).unwrap();
        assert_eq!(f.synced_at_ms, Some(noon_ms + 700));
        assert_eq!(f.synced_at(), Some(noon_ms / 1000));
    }

    /// A record written before milliseconds were kept (24 bytes, seconds) still reads, as
    /// whole seconds; a record written now keeps its seconds where an older version reads them.
    #[test]
    fn office_records_of_24_bytes_read_as_seconds() {
        let mut old = Vec::new();
        old.extend_from_slice(&7u64.to_be_bytes());
        old.extend_from_slice(&9u64.to_be_bytes());
        old.extend_from_slice(&1_790_000_000i64.to_be_bytes());
        let f = OfficeFeed::decode(&old).unwrap();
        assert_eq!((f.position, f.head), (7, 9));
        assert_eq!(f.synced_at_ms, Some(1_790_000_000_000));
        let mut never = old.clone();
        never[16..24].copy_from_slice(&i64::MIN.to_be_bytes());
        assert_eq!(OfficeFeed::decode(&never).unwrap().synced_at_ms, None);
        let now = OfficeFeed {
            position: 7,
            head: 9,
            synced_at_ms: Some(1_790_000_000_456),
        };
        let bytes = now.encode();
        assert_eq!(bytes.len(), 26);
        assert_eq!(bytes[16..24], 1_790_000_000i64.to_be_bytes());
        assert_eq!(OfficeFeed::decode(&bytes), Some(now));
        let never = OfficeFeed {
            synced_at_ms: None,
            ..now
        };
        assert_eq!(OfficeFeed::decode(&never.encode()), Some(never));
        assert_eq!(OfficeFeed::decode(&bytes[..20]), None);
    }

    /// Regression: a followed feed that stopped syncing (issuer down for hours) went on
    /// answering `valid` for issued certificates, although a revocation since could be missing.
    #[test]
    fn an_issued_certificate_of_a_stale_feed_is_not_vouched_for() {
        let dir = tempfile::tempdir().unwrap();
        let r = Replica::open(dir.path(), 1 << 20).unwrap();
        let kid = SecretKey::generate().key_id();
        let day = date!(2026 - 11 - 28);
        r.apply(&oc("100524"), 0, &[issued(1, 1, [1; 32], kid)], 1)
            .unwrap();
        let now = sonod_judge::now_unix_ms();
        r.mark_synced_ms(&oc("100524"), now - 5_000).unwrap();
        // No limit: issued.
        assert_eq!(
            r.lookup(&oc("100524"), 1, day, &[1; 32], LATE),
            FeedAnswer::Issued
        );
        r.set_max_staleness(std::time::Duration::from_secs(1));
        assert_eq!(
            r.lookup(&oc("100524"), 1, day, &[1; 32], LATE),
            FeedAnswer::Unknown(Unchecked::Stale {
                as_of: (now - 5_000).div_euclid(1000)
            })
        );
        r.mark_synced_ms(&oc("100524"), sonod_judge::now_unix_ms())
            .unwrap();
        assert_eq!(
            r.lookup(&oc("100524"), 1, day, &[1; 32], LATE),
            FeedAnswer::Issued
        );
    }

    #[test]
    fn a_bad_hash_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let r = Replica::open(dir.path(), 1 << 20).unwrap();
        let kid = SecretKey::generate().key_id();
        let mut bad = issued(2, 2, [2; 32], kid);
        if let EventKind::Issued { hash, .. } = &mut bad.kind {
            *hash = "zz".into();
        }
        assert_eq!(
            r.apply(&oc("100524"), 0, &[issued(1, 1, [1; 32], kid), bad], 2),
            Err(ReplicaError::BadHash(2))
        );
        assert_eq!(r.office(&oc("100524")), None);
        assert_eq!(
            r.lookup(&oc("100524"), 1, date!(2026 - 11 - 28), &[1; 32], LATE),
            FeedAnswer::Unknown(Unchecked::NoFeed)
        );
    }
}
