//! The offline snapshot: what `sonod-scan sync` fetched, in a directory of its own, and the
//! [`FeedStatus`] that judges from it with no network.
//!
//! The format is documented in docs/FEED.md ("The scanner's offline snapshot"). In short:
//! `manifest.json` names every other file with its size and SHA-256, and is replaced in one
//! rename, so a reader sees either the old snapshot or the new one. The store is writable by
//! whoever runs the scanner, so nothing in it is trusted for what it says: the trust list
//! must verify with a root key pinned outside the store, and every fact a verdict rests on is
//! checked against the office-signed documents it came from, kept verbatim. The status list
//! and the feed pages past its position are verified on every load (they give the
//! revocations and how far the feed is known complete, `covered_at`); a hash found in the
//! issued index is believed only once the signed page the index points to is verified and
//! holds it. Changing the store without an office's or the root's key can therefore only
//! make the scanner refuse (a damaged store, exit 2) or know less (an older snapshot), never
//! make a revoked, compromised-key or never-issued certificate valid.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sonod_feed::{Pin, PinWalk};
use sonod_judge::{too_old_to_be_missing, FeedAnswer, FeedStatus, Unchecked};
use sonod_keys::{FeedPin, KeyId, OfficeCode, TrustList, VerifyingKey};
use sonod_seal::feed::{is_revoked, FeedPageBody, RevocationReason, Signed};
use time::Date;

use crate::pages::{decompress, PackRef, PageStore, VerifiedPage};

/// The manifest's file name.
pub const MANIFEST: &str = "manifest.json";
/// The manifest's format string.
pub const SNAPSHOT_FORMAT: &str = "sonod-scan-snapshot/2";
/// Where snapshots of format 1 kept the root key given at sync. It is never read (the root
/// key is pinned outside the store); a sync deletes it.
pub(crate) const LEGACY_ROOT_FILE: &str = "root.pub.pem";
/// First sightings of certificates not yet in the feed (see [`Snapshot::remember_sighting`]).
pub const SIGHTINGS_FILE: &str = "sightings.bin";
/// The environment variable naming the store.
pub const STORE_ENV: &str = "SONOD_SCAN_STORE";
/// Bytes of SHA-256 kept per issued certificate in the index: enough to find the page that
/// holds the whole hash, which decides.
pub const PREFIX: usize = 16;
/// Entries per block of an issued-hash file.
pub const BLOCK_ENTRIES: usize = 1024;
/// Largest manifest, trust list, status list, head page or pointer file read.
const MAX_SMALL_FILE: u64 = 64 << 20;
/// Verified pages kept in memory for look-ups.
const PAGE_CACHE: usize = 32;
/// First sightings kept (the oldest are dropped).
pub const MAX_SIGHTINGS: usize = 4096;
const SIGHTING_RECORD: usize = 40;

const SEGMENT_MAGIC: &[u8; 8] = b"SONODIH2";
const SEGMENT_HEADER: u64 = 24;
/// An issued-hash entry: the hash prefix, then the number of the page holding its event
/// (u32 LE).
pub(crate) const ENTRY: usize = PREFIX + 4;
const INDEX_ENTRY: usize = PREFIX + 32;
/// A revocation pointer: serial (u64 BE), the number of the page holding its event (u32 BE).
pub(crate) const REVOKED_RECORD: usize = 12;

/// One issued-hash entry: a hash prefix and the page holding its event.
pub(crate) type Entry = ([u8; PREFIX], u32);

/// Why a snapshot could not be loaded or used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// No snapshot in the store yet.
    #[error("{}", crate::messages::both_args("snapshot-missing", &[("n0_display", &format!("{}", (.0.display())))]))]
    Missing(PathBuf),
    /// A file is missing, changed or damaged, or disagrees with the signed documents.
    #[error("{}", crate::messages::both_args("snapshot-damaged", &[("n0", &format!("{}", .0))]))]
    Damaged(String),
    /// The trust list in the snapshot is no longer acceptable (expired, another root, ...).
    #[error("{}", crate::messages::both_args("snapshot-trust", &[("n0", &format!("{}", .0))]))]
    Trust(#[from] sonod_keys::TrustListError),
    /// Reading a file failed.
    #[error("{}", crate::messages::both_args("snapshot-io", &[("n0", &format!("{}", .0))]))]
    Io(#[from] std::io::Error),
}

/// A file of the snapshot with its size and SHA-256 (lower-case hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRef {
    /// The file name in the store.
    pub file: String,
    /// Its size.
    pub bytes: u64,
    /// SHA-256 of the whole file (for an issued-hash or page file: of its header and index).
    pub sha256: String,
}

/// An issued-hash file: `count` sorted entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentRef {
    /// The file, its size and the SHA-256 of its header and index.
    #[serde(flatten)]
    pub file: FileRef,
    /// Entries in it.
    pub count: u64,
}

/// One office in the snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficeState {
    /// The last feed event in the snapshot: where its pages end (checked on load).
    pub position: u64,
    /// Every certificate the office issued before this time (Unix seconds, the office's
    /// signed clock) is in the issued set. Worked out again on every load from the signed
    /// status list and head page ([`covered_at`]); a manifest that says otherwise is refused.
    pub covered_at: Option<i64>,
    /// The office's signed status list, as fetched.
    pub status_list: Option<FileRef>,
    /// The newest feed page that ended at the feed's head when the office made it, as
    /// fetched (zlib-compressed): with the status list, what `covered_at` rests on.
    pub head_page: Option<FileRef>,
    /// The office-signed feed pages, as fetched, in order.
    pub pages: Vec<PackRef>,
    /// Where each revoked serial's event is (for its date and reason).
    pub revoked: Option<FileRef>,
    /// Revocations in `revoked`.
    pub revoked_count: u64,
    /// The issued-hash files.
    pub issued: Vec<SegmentRef>,
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// [`SNAPSHOT_FORMAT`].
    pub format: String,
    /// The base URL synced from.
    pub source: String,
    /// `verifier` or `issuer`.
    pub source_kind: String,
    /// When the last sync finished (Unix seconds, this machine's clock): shown, never relied
    /// on (the snapshot's age is the offices' signed `covered_at`).
    pub synced_at: i64,
    /// The root-signed trust list, as fetched.
    pub trust_list: FileRef,
    /// The offices, by code.
    pub offices: BTreeMap<OfficeCode, OfficeState>,
}

/// How far an office's feed is known complete, from signed documents alone: the
/// `generated_at` of a status list whose position the snapshot's pages reach, or of a page
/// that ended at the feed's head when the office made it and that the pages reach; the later
/// of the two.
pub(crate) fn covered_at(
    position: u64,
    status: Option<(u64, i64)>,
    head: Option<(u64, i64)>,
) -> Option<i64> {
    let by_status = status.filter(|(p, _)| *p <= position).map(|(_, at)| at);
    let by_head = head.filter(|(end, _)| *end <= position).map(|(_, at)| at);
    by_status.max(by_head)
}

/// The default store: `$SONOD_SCAN_STORE`, else `$XDG_DATA_HOME/sonod-scan`, else
/// `~/.local/share/sonod-scan` (`%LOCALAPPDATA%\sonod-scan` on Windows).
pub fn default_store() -> PathBuf {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(p) = env(STORE_ENV) {
        return p;
    }
    if let Some(p) = env("XDG_DATA_HOME") {
        return p.join("sonod-scan");
    }
    if let Some(p) = env("LOCALAPPDATA") {
        return p.join("sonod-scan");
    }
    env("HOME")
        .map(|h| h.join(".local/share/sonod-scan"))
        .unwrap_or_else(|| PathBuf::from(".sonod-scan"))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(bytes)
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Reads a small file whole, checking its size and SHA-256 against `r`.
pub(crate) fn read_checked(dir: &Path, r: &FileRef) -> Result<Vec<u8>, SnapshotError> {
    check_name(&r.file)?;
    let path = dir.join(&r.file);
    let f = File::open(&path).map_err(|e| SnapshotError::Damaged(format!("{}: {e}", r.file)))?;
    let mut buf = Vec::new();
    f.take(MAX_SMALL_FILE + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 != r.bytes || sha256_hex(&buf) != r.sha256 {
        return Err(SnapshotError::Damaged(r.file.clone()));
    }
    Ok(buf)
}

/// File names in a manifest are plain names in the store (no paths).
pub(crate) fn check_name(name: &str) -> Result<(), SnapshotError> {
    let ok = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
        && !name.starts_with('.');
    if ok {
        Ok(())
    } else {
        Err(SnapshotError::Damaged(format!("file name {name:?}")))
    }
}

/// Reads and parses the manifest, if there is one.
pub fn read_manifest(dir: &Path) -> Result<Option<Manifest>, SnapshotError> {
    let path = dir.join(MANIFEST);
    let f = match File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let mut buf = Vec::new();
    f.take(MAX_SMALL_FILE + 1).read_to_end(&mut buf)?;
    let m: Manifest = serde_json::from_slice(&buf)
        .map_err(|e| SnapshotError::Damaged(format!("{MANIFEST}: {e}")))?;
    if m.format != SNAPSHOT_FORMAT {
        return Err(SnapshotError::Damaged(format!(
            "{MANIFEST}: format {:?}",
            m.format
        )));
    }
    Ok(Some(m))
}

/// An issued-hash file opened for look-ups: the index in memory, blocks read on demand.
#[derive(Debug)]
pub(crate) struct Segment {
    name: String,
    file: Mutex<File>,
    count: u64,
    /// Each block's first prefix and SHA-256.
    index: Vec<([u8; PREFIX], [u8; 32])>,
}

impl Segment {
    pub(crate) fn open(dir: &Path, r: &SegmentRef) -> Result<Segment, SnapshotError> {
        let name = r.file.file.clone();
        check_name(&name)?;
        let damaged = |what: &str| SnapshotError::Damaged(format!("{name}: {what}"));
        let mut file = File::open(dir.join(&name)).map_err(|e| damaged(&e.to_string()))?;
        let len = file.metadata()?.len();
        let mut header = [0u8; SEGMENT_HEADER as usize];
        file.read_exact(&mut header)
            .map_err(|_| damaged("too short"))?;
        let count = u64::from_le_bytes(header[8..16].try_into().unwrap_or_default());
        let blocks = u64::from(u32::from_le_bytes(
            header[16..20].try_into().unwrap_or_default(),
        ));
        let want_blocks = count.div_ceil(BLOCK_ENTRIES as u64);
        let index_at = count
            .checked_mul(ENTRY as u64)
            .and_then(|n| n.checked_add(SEGMENT_HEADER));
        let index_len = blocks * INDEX_ENTRY as u64;
        if &header[..8] != SEGMENT_MAGIC
            || count != r.count
            || blocks != want_blocks
            || index_at.and_then(|n| n.checked_add(index_len)) != Some(len)
            || len != r.file.bytes
        {
            return Err(damaged("header"));
        }
        let index_at = index_at.unwrap_or_default();
        file.seek(SeekFrom::Start(index_at))?;
        let mut raw = vec![0u8; usize::try_from(index_len).map_err(|_| damaged("size"))?];
        file.read_exact(&mut raw).map_err(|_| damaged("index"))?;
        let mut h = Sha256::new();
        h.update(header);
        h.update(&raw);
        if hex(&h.finalize()) != r.file.sha256 {
            return Err(damaged("index checksum"));
        }
        let index = raw
            .chunks_exact(INDEX_ENTRY)
            .map(|c| {
                let mut first = [0u8; PREFIX];
                let mut digest = [0u8; 32];
                first.copy_from_slice(&c[..PREFIX]);
                digest.copy_from_slice(&c[PREFIX..]);
                (first, digest)
            })
            .collect();
        Ok(Segment {
            name,
            file: Mutex::new(file),
            count,
            index,
        })
    }

    /// Reads and checks block `b`.
    pub(crate) fn block(&self, b: usize) -> Result<Vec<u8>, SnapshotError> {
        let start = (b * BLOCK_ENTRIES) as u64;
        let n = (self.count - start).min(BLOCK_ENTRIES as u64) as usize;
        let mut buf = vec![0u8; n * ENTRY];
        {
            let mut f = self
                .file
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            f.seek(SeekFrom::Start(SEGMENT_HEADER + start * ENTRY as u64))?;
            f.read_exact(&mut buf)?;
        }
        let digest: [u8; 32] = Sha256::digest(&buf).into();
        if digest != self.index[b].1 || buf.get(..PREFIX) != Some(&self.index[b].0[..]) {
            return Err(SnapshotError::Damaged(format!("{}: block {b}", self.name)));
        }
        Ok(buf)
    }

    pub(crate) fn blocks(&self) -> usize {
        self.index.len()
    }

    /// The page holding the hash with this prefix, if the file names one.
    pub(crate) fn find(&self, prefix: &[u8; PREFIX]) -> Result<Option<u32>, SnapshotError> {
        let b = self.index.partition_point(|(first, _)| first <= prefix);
        let Some(b) = b.checked_sub(1) else {
            return Ok(None);
        };
        let block = self.block(b)?;
        let n = block.len() / ENTRY;
        let (mut lo, mut hi) = (0usize, n);
        while lo < hi {
            let mid = (lo + hi) / 2;
            let e = &block[mid * ENTRY..(mid + 1) * ENTRY];
            match e[..PREFIX].cmp(&prefix[..]) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    return Ok(Some(u32::from_le_bytes(
                        e[PREFIX..].try_into().unwrap_or_default(),
                    )))
                }
            }
        }
        Ok(None)
    }
}

/// Writes an issued-hash file from entries in ascending order of prefix without repeated
/// prefixes, as `<prefix>-<sha>.bin` in `dir` (through a temporary file, synced and renamed).
pub(crate) fn write_segment(
    dir: &Path,
    prefix: &str,
    sorted: impl Iterator<Item = Entry>,
) -> std::io::Result<SegmentRef> {
    let tmp = sonod_keys::fs::AtomicFile::new_in(dir, prefix, sonod_keys::fs::MODE_SHARED)?;
    let mut out = std::io::BufWriter::new(tmp);
    out.write_all(&[0u8; SEGMENT_HEADER as usize])?;
    let mut index = Vec::new();
    let mut block = Sha256::new();
    let mut first = [0u8; PREFIX];
    let mut count = 0u64;
    for (p, page) in sorted {
        if count.is_multiple_of(BLOCK_ENTRIES as u64) {
            if count > 0 {
                index.extend_from_slice(&first);
                index.extend_from_slice(&std::mem::take(&mut block).finalize());
            }
            first = p;
        }
        let page = page.to_le_bytes();
        block.update(p);
        block.update(page);
        out.write_all(&p)?;
        out.write_all(&page)?;
        count += 1;
    }
    if count > 0 {
        index.extend_from_slice(&first);
        index.extend_from_slice(&block.finalize());
    }
    out.write_all(&index)?;
    let mut header = [0u8; SEGMENT_HEADER as usize];
    header[..8].copy_from_slice(SEGMENT_MAGIC);
    header[8..16].copy_from_slice(&count.to_le_bytes());
    let blocks = u32::try_from(index.len() / INDEX_ENTRY)
        .map_err(|_| std::io::Error::other("too many hashes for one file"))?;
    header[16..20].copy_from_slice(&blocks.to_le_bytes());
    let mut file = out.into_inner().map_err(|e| e.into_error())?;
    file.seek(SeekFrom::Start(0))?;
    file.write_all(&header)?;
    file.flush()?;
    let bytes = file.as_file().metadata()?.len();
    let mut h = Sha256::new();
    h.update(header);
    h.update(&index);
    let sha = hex(&h.finalize());
    let name = format!("{prefix}-{}.bin", &sha[..32]);
    file.commit(&dir.join(&name))?;
    Ok(SegmentRef {
        file: FileRef {
            file: name,
            bytes,
            sha256: sha,
        },
        count,
    })
}

/// Every entry of an opened file, in order (checking each block).
pub(crate) fn segment_iter(
    seg: &Segment,
) -> impl Iterator<Item = Result<Entry, SnapshotError>> + '_ {
    (0..seg.blocks()).flat_map(move |b| {
        let items: Vec<Result<Entry, SnapshotError>> = match seg.block(b) {
            Ok(block) => block
                .chunks_exact(ENTRY)
                .map(|c| {
                    let mut p = [0u8; PREFIX];
                    p.copy_from_slice(&c[..PREFIX]);
                    Ok((
                        p,
                        u32::from_le_bytes(c[PREFIX..].try_into().unwrap_or_default()),
                    ))
                })
                .collect(),
            Err(e) => vec![Err(e)],
        };
        items
    })
}

/// Parses a revocation pointer file (records sorted by serial).
pub(crate) fn parse_revoked(bytes: &[u8]) -> Option<BTreeMap<u64, u32>> {
    if !bytes.len().is_multiple_of(REVOKED_RECORD) {
        return None;
    }
    let mut out = BTreeMap::new();
    for r in bytes.chunks_exact(REVOKED_RECORD) {
        let serial = u64::from_be_bytes(r[..8].try_into().ok()?);
        let page = u32::from_be_bytes(r[8..12].try_into().ok()?);
        out.insert(serial, page);
    }
    Some(out)
}

/// A revocation pointer file's bytes.
pub(crate) fn encode_revoked(map: &BTreeMap<u64, u32>) -> Vec<u8> {
    let mut out = Vec::with_capacity(map.len() * REVOKED_RECORD);
    for (serial, page) in map {
        out.extend_from_slice(&serial.to_be_bytes());
        out.extend_from_slice(&page.to_be_bytes());
    }
    out
}

/// A verified status list.
#[derive(Debug)]
pub(crate) struct StatusBits {
    bits: Vec<u8>,
    /// The feed position it reflects.
    pub position: u64,
    /// When the office made it.
    pub generated_at: i64,
}

/// One office as loaded: its files opened, and what its signed documents say that every
/// look-up needs (revocations since the status list, how far the feed is known complete).
#[derive(Debug)]
pub(crate) struct LoadedOffice {
    code: OfficeCode,
    pub(crate) state: OfficeState,
    pub(crate) segments: Vec<Segment>,
    pub(crate) pages: PageStore,
    /// Revocation pointers: serial → page.
    pub(crate) revoked_at: BTreeMap<u64, u32>,
    pub(crate) status: Option<StatusBits>,
    /// Revocations in the pages verified on load (those past the status list): serial →
    /// (time, reason).
    recent: BTreeMap<u64, (i64, RevocationReason)>,
    /// The head page's end and time, verified.
    pub(crate) head: Option<(u64, i64)>,
    /// See [`covered_at`]; from the signed documents.
    pub(crate) covered_at: Option<i64>,
    cache: Mutex<HashMap<u32, Arc<VerifiedPage>>>,
}

impl LoadedOffice {
    /// Opens office `code` as `state` describes it in `dir`, checking it against the office's
    /// signatures (keys from `trust`): the status list, the pages past its position (all of
    /// them without one) and the last page, the head page; the manifest's `position` and
    /// `covered_at` must be what they say.
    pub(crate) fn open(
        dir: &Path,
        trust: &TrustList,
        code: &OfficeCode,
        state: &OfficeState,
    ) -> Result<LoadedOffice, SnapshotError> {
        let damaged = |what: String| SnapshotError::Damaged(format!("office {code}: {what}"));
        let status = match &state.status_list {
            Some(r) => {
                let bytes = read_checked(dir, r)?;
                let (list, bits) = sonod_feed::verify_status_list(trust, code, &bytes)
                    .map_err(|e| SnapshotError::Damaged(format!("{}: {e}", r.file)))?;
                Some(StatusBits {
                    bits,
                    position: list.signed.position,
                    generated_at: list.signed.generated_at,
                })
            }
            None => None,
        };
        let pages = PageStore::open(dir, &state.pages)?;
        let position = pages.position();
        if position != state.position {
            return Err(damaged(format!(
                "the manifest says position {}, the pages end at {position}",
                state.position
            )));
        }
        // The revocations the status list does not hold are in the pages past its position:
        // all of them are verified now. So is the last page, which says where the feed ends.
        let from = status.as_ref().map_or(0, |s| s.position);
        let mut recent = BTreeMap::new();
        for i in 0..pages.len() {
            let end = pages.loc(i).map_or(0, |l| l.end);
            if end <= from && i + 1 != pages.len() {
                continue;
            }
            let page = pages.verified(i, trust, code)?;
            for (serial, (_, at, reason)) in &page.revoked {
                recent.entry(*serial).or_insert((*at, *reason));
            }
        }
        let head = match &state.head_page {
            Some(r) => {
                let bytes = decompress(&read_checked(dir, r)?)
                    .ok_or_else(|| damaged(format!("{}: does not decompress", r.file)))?;
                let page = sonod_feed::verify_page(trust, Some(code), &bytes)
                    .map_err(|e| SnapshotError::Damaged(format!("{}: {e}", r.file)))?;
                let body = &page.signed;
                let end = body.after + body.events.len() as u64;
                if end != body.head {
                    return Err(damaged(format!(
                        "{}: the page did not end at the feed's head",
                        r.file
                    )));
                }
                Some((end, body.generated_at))
            }
            None => None,
        };
        let covered = covered_at(
            position,
            status.as_ref().map(|s| (s.position, s.generated_at)),
            head,
        );
        if covered != state.covered_at {
            return Err(damaged(format!(
                "the manifest says complete as of {:?}, the office's signed documents say {covered:?}",
                state.covered_at
            )));
        }
        let segments = state
            .issued
            .iter()
            .map(|s| Segment::open(dir, s))
            .collect::<Result<Vec<_>, _>>()?;
        let revoked_at = match &state.revoked {
            Some(r) => parse_revoked(&read_checked(dir, r)?)
                .ok_or_else(|| SnapshotError::Damaged(r.file.clone()))?,
            None => BTreeMap::new(),
        };
        Ok(LoadedOffice {
            code: code.clone(),
            state: state.clone(),
            segments,
            pages,
            revoked_at,
            status,
            recent,
            head,
            covered_at: covered,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// Page `i`, verified (once; kept for later look-ups).
    fn page(&self, trust: &TrustList, i: u32) -> Result<Arc<VerifiedPage>, SnapshotError> {
        if let Some(p) = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&i)
        {
            return Ok(Arc::clone(p));
        }
        let page = Arc::new(self.pages.verified(i as usize, trust, &self.code)?);
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if cache.len() >= PAGE_CACHE {
            cache.clear();
        }
        cache.insert(i, Arc::clone(&page));
        Ok(page)
    }

    /// Whether the office published `hash` as `serial`: the index must name a page, and that
    /// page, verified, must hold the whole hash. An index entry without a signed page behind
    /// it is a damaged store.
    fn issued(
        &self,
        trust: &TrustList,
        serial: u64,
        hash: &[u8; 32],
    ) -> Result<bool, SnapshotError> {
        let mut prefix = [0u8; PREFIX];
        prefix.copy_from_slice(&hash[..PREFIX]);
        for seg in &self.segments {
            let Some(i) = seg.find(&prefix)? else {
                continue;
            };
            let page = self.page(trust, i)?;
            return match page.issued.get(hash) {
                Some(s) if *s == serial => Ok(true),
                Some(s) => Err(SnapshotError::Damaged(format!(
                    "office {}: page {i} has this certificate as serial {s}, not {serial}",
                    self.code
                ))),
                None => Err(SnapshotError::Damaged(format!(
                    "office {}: the issued index points to page {i}, which does not hold this certificate",
                    self.code
                ))),
            };
        }
        Ok(false)
    }

    /// The body of stored page `i` (parsed only: a walk over the chain needs no signature,
    /// the hash it reaches is held against a pin or what is held).
    fn body(&self, i: usize) -> Result<FeedPageBody, SnapshotError> {
        Signed::<FeedPageBody>::parse(&self.pages.bytes(i)?)
            .map(|p| p.signed)
            .map_err(|e| SnapshotError::Damaged(format!("office {}, page {i}: {e}", self.code)))
    }

    /// Walks the stored feed's chain from page `first` (from its stated `prev`, else from the
    /// feed's start) up to position `until`, for `pins`. `None` when no page holds `until`.
    pub(crate) fn walk(
        &self,
        first: usize,
        until: u64,
        pins: Vec<Pin>,
    ) -> Result<Option<PinWalk>, WalkError> {
        if until > self.pages.position() {
            return Ok(None);
        }
        let mut first = first;
        let body = self.body(first)?;
        let mut walk = match body
            .start_chain()
            .map_err(|e| WalkError::Protocol(e.into()))?
        {
            Some(start) => PinWalk::from_position(body.after, start, pins),
            None if first > 0 => {
                first = 0;
                PinWalk::new(&self.code, pins)
            }
            None => return Ok(None),
        };
        for j in first..self.pages.len() {
            if walk.position() >= until {
                break;
            }
            let body = if j == first && first != 0 {
                body.clone()
            } else {
                self.body(j)?
            };
            for e in &body.events {
                if e.seq <= walk.position() {
                    continue;
                }
                if e.seq > until {
                    break;
                }
                walk.event(e).map_err(WalkError::Protocol)?;
            }
        }
        Ok((walk.position() == until).then_some(walk))
    }

    /// The feed's chain hash at `position` as the stored pages give it, when they do.
    pub(crate) fn chain_at(&self, position: u64) -> Result<Option<[u8; 32]>, WalkError> {
        if position == 0 {
            return Ok(Some(sonod_seal::feed::chain_start(&self.code)));
        }
        let Some(i) = (0..self.pages.len()).find(|&i| {
            self.pages
                .loc(i)
                .is_some_and(|l| l.after < position && position <= l.end)
        }) else {
            return Ok(None);
        };
        Ok(self.walk(i, position, Vec::new())?.map(|w| w.chain()))
    }

    /// Whether the stored feed meets `pin` (the trust list's, for compromised `key`) and
    /// published `hash` as a certificate of `key` at or before it: from the page the index
    /// names for the hash up to the pinned position, the chain must reach the pin's hash.
    fn vouched(&self, key: &KeyId, pin: &FeedPin, hash: &[u8; 32]) -> Result<bool, SnapshotError> {
        let Some(chain) = pin.chain_bytes() else {
            return Ok(false);
        };
        let mut prefix = [0u8; PREFIX];
        prefix.copy_from_slice(&hash[..PREFIX]);
        let mut page = None;
        for seg in &self.segments {
            if let Some(i) = seg.find(&prefix)? {
                page = Some(i);
                break;
            }
        }
        let Some(i) = page else {
            return Ok(false);
        };
        let pin = Pin {
            key: *key,
            position: pin.position,
            chain,
        };
        match self.walk(i as usize, pin.position, vec![pin]) {
            Ok(Some(walk)) => Ok(walk.into_vouched().iter().any(|v| v.hashes.contains(hash))),
            Ok(None) => Ok(false),
            Err(WalkError::Snapshot(e)) => Err(e),
            Err(WalkError::Protocol(e)) => {
                Err(SnapshotError::Damaged(format!("office {}: {e}", self.code)))
            }
        }
    }

    /// The serial's revocation: from the pages verified on load, else the status list's bit
    /// (with the date and reason of the event the pointer file names, verified).
    fn revocation(
        &self,
        trust: &TrustList,
        serial: u64,
    ) -> Result<Option<FeedAnswer>, SnapshotError> {
        let revoked = |at: i64, reason: RevocationReason| {
            let (bn, en) = reason.labels();
            FeedAnswer::Revoked {
                date: dhaka_date(at),
                reason_bn: bn,
                reason_en: en,
            }
        };
        if let Some(&(at, reason)) = self.recent.get(&serial) {
            return Ok(Some(revoked(at, reason)));
        }
        let Some(status) = self.status.as_ref().filter(|s| is_revoked(&s.bits, serial)) else {
            return Ok(None);
        };
        if let Some(&i) = self.revoked_at.get(&serial) {
            let page = self.page(trust, i)?;
            return match page.revoked.get(&serial) {
                Some(&(_, at, reason)) => Ok(Some(revoked(at, reason))),
                None => Err(SnapshotError::Damaged(format!(
                    "office {}: the revocation pointer names page {i}, which does not revoke serial {serial}",
                    self.code
                ))),
            };
        }
        Ok(Some(FeedAnswer::Revoked {
            date: dhaka_date(status.generated_at),
            reason_bn: crate::messages::pair("revoked-by-status-list").0.to_owned(),
            reason_en: crate::messages::pair("revoked-by-status-list").1.to_owned(),
        }))
    }
}

/// Why a walk over the stored chain stopped.
#[derive(Debug)]
pub(crate) enum WalkError {
    /// The store failed or is damaged.
    Snapshot(SnapshotError),
    /// The history breaks a rule (a pin met with another hash).
    Protocol(sonod_feed::ProtocolError),
}

impl From<SnapshotError> for WalkError {
    fn from(e: SnapshotError) -> WalkError {
        WalkError::Snapshot(e)
    }
}

/// A loaded snapshot: the trust list, and per office what the feed and status list said.
#[derive(Debug)]
pub struct Snapshot {
    dir: PathBuf,
    manifest: Manifest,
    trust: TrustList,
    offices: BTreeMap<OfficeCode, LoadedOffice>,
    damage: Mutex<Option<String>>,
    /// First sightings of hashes not yet in the feed (Unix milliseconds).
    sightings: Mutex<HashMap<[u8; 32], i64>>,
}

/// How old the snapshot is for one verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotAge {
    /// When the last sync finished, by this machine's clock as the manifest says (shown only).
    pub synced_at: i64,
    /// Until when the office's feed is known complete (its signed clock, see
    /// [`OfficeState::covered_at`]); for no office, the oldest office's. `None` when no
    /// signed document says.
    pub as_of: Option<i64>,
    /// Seconds from `as_of` to now.
    pub age_seconds: Option<i64>,
    /// Whether the verdict's office is in the snapshot.
    pub office_covered: bool,
    /// Older than the limit, or of unknown age.
    pub stale: bool,
}

impl Snapshot {
    /// Loads the snapshot in `dir`, checking the trust list against `root` (the pinned root
    /// key; the store holds none) as of `today`, every file's checksum, and every office's
    /// facts against its signed documents.
    pub fn load(dir: &Path, root: &VerifyingKey, today: Date) -> Result<Snapshot, SnapshotError> {
        // A sync may replace the files between reading the manifest and opening them: once
        // more from the new manifest.
        match Snapshot::load_once(dir, root, today) {
            Err(SnapshotError::Damaged(_)) => Snapshot::load_once(dir, root, today),
            other => other,
        }
    }

    fn load_once(dir: &Path, root: &VerifyingKey, today: Date) -> Result<Snapshot, SnapshotError> {
        let manifest = read_manifest(dir)?.ok_or_else(|| SnapshotError::Missing(dir.to_owned()))?;
        let trust = TrustList::load(&read_checked(dir, &manifest.trust_list)?, root, today)?;
        let mut offices = BTreeMap::new();
        for (code, state) in &manifest.offices {
            offices.insert(code.clone(), LoadedOffice::open(dir, &trust, code, state)?);
        }
        Ok(Snapshot {
            dir: dir.to_owned(),
            sightings: Mutex::new(read_sightings(&dir.join(SIGHTINGS_FILE))),
            manifest,
            trust,
            offices,
            damage: Mutex::new(None),
        })
    }

    /// The store's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The snapshot's (root-checked) trust list.
    pub fn trust_list(&self) -> &TrustList {
        &self.trust
    }

    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// A file found damaged during look-ups since the last call, if any.
    pub fn take_damage(&self) -> Option<String> {
        self.damage
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
    }

    fn report_damage(&self, e: &SnapshotError) {
        let text = match e {
            SnapshotError::Damaged(what) => what.clone(),
            other => other.to_string(),
        };
        *self
            .damage
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(text);
    }

    /// How old the snapshot is for a verdict about `office`, as of `now` (Unix seconds): by
    /// the office's signed `covered_at`, never by the manifest's own time.
    pub fn age(&self, office: Option<&str>, now: i64, max_age_seconds: i64) -> SnapshotAge {
        let covered: Option<Option<i64>> = match office {
            Some(o) => self.offices.get(o).map(|o| o.covered_at),
            // The oldest office (one never seen complete is oldest of all).
            None => self.offices.values().map(|o| o.covered_at).min(),
        };
        let as_of = covered.flatten();
        let age_seconds = as_of.map(|t| now.saturating_sub(t).max(0));
        SnapshotAge {
            synced_at: self.manifest.synced_at,
            as_of,
            age_seconds,
            office_covered: office.is_some_and(|o| self.offices.contains_key(o)),
            stale: match covered {
                Some(Some(_)) => age_seconds.is_some_and(|a| a > max_age_seconds),
                // Followed, but no signed document says until when: of unknown age.
                Some(None) => true,
                None => false,
            },
        }
    }

    /// Remembers that a certificate whose signature holds but which its office's feed does
    /// not hold yet was seen at `at_ms` (Unix milliseconds), so that once a sync after that
    /// moment still does not hold it, it reads `not_issued` (the issuer publishes a
    /// certificate before it hands it out). Kept in the store, at most [`MAX_SIGHTINGS`]; a
    /// failure to write only loses the memory. Someone who rewrites the file can at worst
    /// make such a certificate unconfirmed again, or one not synced yet read `not_issued`,
    /// as removing it from the issued index could.
    pub fn remember_sighting(&self, hash: &[u8; 32], at_ms: i64) {
        let mut s = self
            .sightings
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if s.get(hash).is_some_and(|&t| t <= at_ms) {
            return;
        }
        s.insert(*hash, at_ms);
        let _ = write_sightings(&self.dir, &s);
    }

    fn first_seen(&self, hash: &[u8; 32], seen_at_ms: i64) -> i64 {
        self.sightings
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(hash)
            .map_or(seen_at_ms, |&t| t.clamp(0, seen_at_ms))
    }
}

/// Reads the sightings file; anything unreadable is no memory at all.
fn read_sightings(path: &Path) -> HashMap<[u8; 32], i64> {
    let mut out = HashMap::new();
    let Ok(f) = File::open(path) else {
        return out;
    };
    let mut buf = Vec::new();
    if f.take((MAX_SIGHTINGS * SIGHTING_RECORD) as u64 + 1)
        .read_to_end(&mut buf)
        .is_err()
        || buf.len() > MAX_SIGHTINGS * SIGHTING_RECORD
    {
        return out;
    }
    for r in buf.chunks_exact(SIGHTING_RECORD) {
        let mut h = [0u8; 32];
        h.copy_from_slice(&r[..32]);
        let at = i64::from_le_bytes(r[32..].try_into().unwrap_or_default());
        out.insert(h, at);
    }
    out
}

/// Writes the sightings (the newest [`MAX_SIGHTINGS`]) through a temporary file.
fn write_sightings(dir: &Path, s: &HashMap<[u8; 32], i64>) -> std::io::Result<()> {
    let mut all: Vec<(&[u8; 32], &i64)> = s.iter().collect();
    all.sort_by_key(|(_, at)| std::cmp::Reverse(**at));
    all.truncate(MAX_SIGHTINGS);
    let mut bytes = Vec::with_capacity(all.len() * SIGHTING_RECORD);
    for (h, at) in all {
        bytes.extend_from_slice(h);
        bytes.extend_from_slice(&at.to_le_bytes());
    }
    sonod_keys::fs::write_atomic(
        &dir.join(SIGHTINGS_FILE),
        &bytes,
        sonod_keys::fs::MODE_SHARED,
    )
}

fn dhaka_date(at: i64) -> Date {
    sonod_keys::dhaka_time_of(at).map_or(Date::MAX, |t| t.date())
}

impl FeedStatus for Snapshot {
    /// As the verifier's replica answers, from facts checked against the office's signatures:
    /// issued when the index names a verified page holding the hash (revoked if the serial
    /// is); not issued when the office's feed is known complete at a moment a genuine
    /// certificate would be in it (see [`too_old_to_be_missing`]; the moment this certificate
    /// was first seen is this reading's or an earlier one remembered in the store); otherwise
    /// revoked if the serial is, else not yet published. A damaged store makes the answer
    /// unknown and is reported by [`Snapshot::take_damage`].
    fn lookup(
        &self,
        office: &OfficeCode,
        serial: u64,
        issued: Date,
        hash: &[u8; 32],
        seen_at_ms: i64,
    ) -> FeedAnswer {
        let Some(o) = self.offices.get(office) else {
            return FeedAnswer::Unknown(Unchecked::NoFeed);
        };
        let found = o.issued(&self.trust, serial, hash);
        let revoked = o.revocation(&self.trust, serial);
        let (found, revoked) = match (found, revoked) {
            (Ok(f), Ok(r)) => (f, r),
            (Err(e), _) | (_, Err(e)) => {
                self.report_damage(&e);
                return FeedAnswer::Unknown(Unchecked::NoFeed);
            }
        };
        if found {
            return revoked.unwrap_or(FeedAnswer::Issued);
        }
        let covered_ms = o.covered_at.map(|c| c.saturating_mul(1000));
        let seen = self.first_seen(hash, seen_at_ms);
        match (too_old_to_be_missing(covered_ms, issued, seen), revoked) {
            (true, _) => FeedAnswer::NotIssued,
            (false, Some(r)) => r,
            (false, None) => FeedAnswer::Unknown(Unchecked::NotYetPublished {
                complete_as_of: o.covered_at,
            }),
        }
    }

    /// See [`LoadedOffice::vouched`]; a damaged store vouches for nothing and is reported.
    fn vouched(&self, office: &OfficeCode, key: &KeyId, pin: &FeedPin, hash: &[u8; 32]) -> bool {
        let Some(o) = self.offices.get(office) else {
            return false;
        };
        match o.vouched(key, pin, hash) {
            Ok(v) => v,
            Err(e) => {
                self.report_damage(&e);
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(n: u64) -> Vec<Entry> {
        let mut v: Vec<Entry> = (0..n)
            .map(|i| {
                let mut p = [0u8; PREFIX];
                p.copy_from_slice(&Sha256::digest(i.to_be_bytes())[..PREFIX]);
                (p, (i % 7) as u32)
            })
            .collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn segments_find_what_they_hold_and_catch_changes() {
        let dir = tempfile::tempdir().unwrap();
        for n in [0u64, 1, 1023, 1024, 1025, 5000] {
            let all = entries(n);
            let r =
                write_segment(dir.path(), &format!("issued-t{n}"), all.iter().copied()).unwrap();
            assert_eq!(r.count, n);
            let seg = Segment::open(dir.path(), &r).unwrap();
            for (p, page) in &all {
                assert_eq!(seg.find(p).unwrap(), Some(*page));
            }
            assert_eq!(seg.find(&[0u8; PREFIX]).unwrap(), None);
            assert_eq!(seg.find(&[0xff; PREFIX]).unwrap(), None);
            let back: Vec<_> = segment_iter(&seg).map(Result::unwrap).collect();
            assert_eq!(back, all);
            if n == 5000 {
                // One changed byte in a block: found when that block is read.
                let path = dir.path().join(&r.file.file);
                let mut bytes = std::fs::read(&path).unwrap();
                bytes[SEGMENT_HEADER as usize + ENTRY * 2000] ^= 1;
                std::fs::write(&path, &bytes).unwrap();
                let seg = Segment::open(dir.path(), &r).unwrap();
                assert!(matches!(
                    seg.find(&all[2001].0),
                    Err(SnapshotError::Damaged(_))
                ));
                assert_eq!(seg.find(&all[10].0).unwrap(), Some(all[10].1));
                // A changed index: found on opening.
                let at = bytes.len() - 1;
                bytes[at] ^= 1;
                std::fs::write(&path, &bytes).unwrap();
                assert!(matches!(
                    Segment::open(dir.path(), &r),
                    Err(SnapshotError::Damaged(_))
                ));
            }
        }
    }

    /// Figures for docs: `SONOD_SNAPSHOT_N=10000000 cargo test -p sonod-scan --lib -- --ignored
    /// --nocapture snapshot_figures`.
    #[test]
    #[ignore]
    fn snapshot_figures() {
        let n: u64 = std::env::var("SONOD_SNAPSHOT_N")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1_000_000);
        let dir = tempfile::tempdir().unwrap();
        let t = std::time::Instant::now();
        let all = entries(n);
        let made = t.elapsed();
        let t = std::time::Instant::now();
        let r = write_segment(dir.path(), "issued-fig", all.iter().copied()).unwrap();
        let written = t.elapsed();
        let t = std::time::Instant::now();
        let seg = Segment::open(dir.path(), &r).unwrap();
        let opened = t.elapsed();
        let t = std::time::Instant::now();
        let probes = 10_000u64;
        for i in 0..probes {
            let (p, _) = &all[(i * 7919 % n) as usize];
            assert!(seg.find(p).unwrap().is_some());
        }
        let looked = t.elapsed();
        println!(
            "{n} certificates: issued-hash file {} bytes ({:.2} bytes each), index {} bytes; \
             sorted in {made:?}, written in {written:?}, opened in {opened:?}, \
             {:.1} µs a look-up",
            r.file.bytes,
            r.file.bytes as f64 / n as f64,
            seg.blocks() * INDEX_ENTRY,
            looked.as_secs_f64() * 1e6 / probes as f64
        );
    }

    #[test]
    fn revocation_pointers_round_trip() {
        let mut m = BTreeMap::new();
        m.insert(7u64, 2u32);
        m.insert(3, 0);
        let bytes = encode_revoked(&m);
        assert_eq!(bytes.len(), 2 * REVOKED_RECORD);
        assert_eq!(parse_revoked(&bytes), Some(m));
        assert_eq!(parse_revoked(&bytes[1..]), None);
    }

    #[test]
    fn file_names_stay_in_the_store() {
        for bad in ["", "../x", "a/b", ".hidden", "a\\b"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
        assert!(check_name("issued-100524-ab.bin").is_ok());
    }

    #[test]
    fn covered_at_needs_the_pages_to_reach_what_vouches_for_it() {
        assert_eq!(covered_at(10, Some((10, 100)), Some((9, 120))), Some(120));
        assert_eq!(covered_at(10, Some((11, 100)), Some((9, 90))), Some(90));
        assert_eq!(covered_at(10, Some((11, 100)), Some((12, 130))), None);
        assert_eq!(covered_at(0, None, None), None);
    }

    #[test]
    fn sightings_are_bounded_and_kept_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let mut m = HashMap::new();
        for i in 0..(MAX_SIGHTINGS as i64 + 10) {
            let mut h = [0u8; 32];
            h[..8].copy_from_slice(&i.to_le_bytes());
            m.insert(h, i);
        }
        write_sightings(dir.path(), &m).unwrap();
        let back = read_sightings(&dir.path().join(SIGHTINGS_FILE));
        assert_eq!(back.len(), MAX_SIGHTINGS);
        assert!(back.values().all(|&t| t >= 10), "the oldest went");
        // A file too large is no memory, not an error.
        std::fs::write(
            dir.path().join(SIGHTINGS_FILE),
            vec![0u8; (MAX_SIGHTINGS + 1) * SIGHTING_RECORD],
        )
        .unwrap();
        assert!(read_sightings(&dir.path().join(SIGHTINGS_FILE)).is_empty());
    }
}
