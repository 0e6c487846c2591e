//! The offline snapshot: what `sonod-scan sync` fetched, in a directory of its own, and the
//! [`FeedStatus`] that judges from it with no network.
//!
//! The format is documented in docs/FEED.md ("The scanner's offline snapshot"). In short:
//! `manifest.json` names every other file with its size and SHA-256, and is replaced in one
//! rename, so a reader sees either the old snapshot or the new one. The trust list and the
//! status lists are kept as signed and checked again on every load; the issued-hash sets are
//! sorted files of 16-byte hash prefixes in blocks, each block's SHA-256 in an index whose own
//! SHA-256 is in the manifest, so that loading reads only the index and a look-up reads and
//! checks one 16 KiB block.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sonod_keys::{KeyStatus, TrustList, VerifyingKey, DHAKA_OFFSET};
use sonod_seal::feed::{is_revoked, RevocationReason, Signed, StatusListBody};
use sonod_verifier::{too_old_to_be_missing, FeedAnswer, FeedStatus, Unchecked};
use time::{Date, OffsetDateTime};

/// The manifest's file name.
pub const MANIFEST: &str = "manifest.json";
/// The manifest's format string.
pub const SNAPSHOT_FORMAT: &str = "sonod-scan-snapshot/1";
/// The root public key the snapshot was synced with (used when none is given).
pub const ROOT_FILE: &str = "root.pub.pem";
/// The environment variable naming the store.
pub const STORE_ENV: &str = "SONOD_SCAN_STORE";
/// Bytes of SHA-256 kept per issued certificate: a forger would need a second preimage of 128
/// bits to pass a forgery off as issued.
pub const PREFIX: usize = 16;
/// Hash prefixes per block of an issued-hash file.
pub const BLOCK_ENTRIES: usize = 1024;
/// Largest manifest, trust list, status list or revocation file read.
const MAX_SMALL_FILE: u64 = 64 << 20;

const SEGMENT_MAGIC: &[u8; 8] = b"SONODIH1";
const SEGMENT_HEADER: u64 = 24;
const INDEX_ENTRY: usize = PREFIX + 32;
/// A revocation record: serial (u64 BE), time (i64 BE), reason (index in
/// [`RevocationReason::ALL`]).
pub(crate) const REVOKED_RECORD: usize = 17;

/// Why a snapshot could not be loaded or used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// No snapshot in the store yet.
    #[error("{} এ কোনো তথ্যভান্ডার নেই; আগে `sonod-scan sync --from URL` চালান, অথবা --trust ও --root দিন / no snapshot in {}: run `sonod-scan sync --from URL` first, or give --trust and --root", .0.display(), .0.display())]
    Missing(PathBuf),
    /// A file is missing, changed or damaged.
    #[error("তথ্যভান্ডার ক্ষতিগ্রস্ত বা বদলানো ({0}); আবার `sonod-scan sync` চালান / snapshot damaged or tampered with ({0}); run `sonod-scan sync` again")]
    Damaged(String),
    /// The trust list in the snapshot is no longer acceptable (expired, another root, ...).
    #[error("তথ্যভান্ডারের বিশ্বাস-তালিকা / the snapshot's trust list: {0}")]
    Trust(#[from] sonod_keys::TrustListError),
    /// The root key could not be read.
    #[error("রুট চাবি / root key: {0}")]
    Root(String),
    /// Reading a file failed.
    #[error("তথ্যভান্ডার পড়া যায়নি / cannot read the snapshot: {0}")]
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
    /// SHA-256 of the whole file (for an issued-hash file: of its header and index).
    pub sha256: String,
}

/// An issued-hash file: `count` sorted 16-byte prefixes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentRef {
    /// The file, its size and the SHA-256 of its header and index.
    #[serde(flatten)]
    pub file: FileRef,
    /// Hash prefixes in it.
    pub count: u64,
}

/// One office in the snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficeState {
    /// The last feed event in the snapshot.
    pub position: u64,
    /// Every certificate the office issued before this time (Unix seconds, the office's
    /// signed clock) is in the issued set: the `generated_at` of a page whose head was
    /// reached, or of a status list at or before `position`.
    pub covered_at: Option<i64>,
    /// The office's signed status list, as fetched.
    pub status_list: Option<FileRef>,
    /// Revocations from the feed (serial, time, reason), sorted by serial.
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
    /// When the last sync finished (Unix seconds, this machine's clock).
    pub synced_at: i64,
    /// The root-signed trust list, as fetched.
    pub trust_list: FileRef,
    /// The offices, by code.
    pub offices: BTreeMap<String, OfficeState>,
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
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
fn check_name(name: &str) -> Result<(), SnapshotError> {
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
            .checked_mul(PREFIX as u64)
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
        let mut buf = vec![0u8; n * PREFIX];
        {
            let mut f = self
                .file
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            f.seek(SeekFrom::Start(SEGMENT_HEADER + start * PREFIX as u64))?;
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

    /// Whether the prefix is in the file.
    pub(crate) fn contains(&self, prefix: &[u8; PREFIX]) -> Result<bool, SnapshotError> {
        let b = self.index.partition_point(|(first, _)| first <= prefix);
        let Some(b) = b.checked_sub(1) else {
            return Ok(false);
        };
        let block = self.block(b)?;
        let n = block.len() / PREFIX;
        let (mut lo, mut hi) = (0usize, n);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match block[mid * PREFIX..(mid + 1) * PREFIX].cmp(&prefix[..]) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Ok(true),
            }
        }
        Ok(false)
    }
}

/// Writes an issued-hash file from prefixes in ascending order without repeats, as
/// `<prefix>-<sha>.bin` in `dir` (through a temporary file, synced and renamed).
pub(crate) fn write_segment(
    dir: &Path,
    prefix: &str,
    sorted: impl Iterator<Item = [u8; PREFIX]>,
) -> std::io::Result<SegmentRef> {
    let tmp = dir.join(format!(".{prefix}.tmp"));
    let mut out = std::io::BufWriter::new(File::create(&tmp)?);
    out.write_all(&[0u8; SEGMENT_HEADER as usize])?;
    let mut index = Vec::new();
    let mut block = Sha256::new();
    let mut first = [0u8; PREFIX];
    let mut count = 0u64;
    for p in sorted {
        if count.is_multiple_of(BLOCK_ENTRIES as u64) {
            if count > 0 {
                index.extend_from_slice(&first);
                index.extend_from_slice(&std::mem::take(&mut block).finalize());
            }
            first = p;
        }
        block.update(p);
        out.write_all(&p)?;
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
    file.sync_all()?;
    let bytes = file.metadata()?.len();
    drop(file);
    let mut h = Sha256::new();
    h.update(header);
    h.update(&index);
    let sha = hex(&h.finalize());
    let name = format!("{prefix}-{}.bin", &sha[..32]);
    std::fs::rename(&tmp, dir.join(&name))?;
    Ok(SegmentRef {
        file: FileRef {
            file: name,
            bytes,
            sha256: sha,
        },
        count,
    })
}

/// Every prefix of an opened file, in order (checking each block).
pub(crate) fn segment_iter(
    seg: &Segment,
) -> impl Iterator<Item = Result<[u8; PREFIX], SnapshotError>> + '_ {
    (0..seg.blocks()).flat_map(move |b| {
        let items: Vec<Result<[u8; PREFIX], SnapshotError>> = match seg.block(b) {
            Ok(block) => block
                .chunks_exact(PREFIX)
                .map(|c| {
                    let mut p = [0u8; PREFIX];
                    p.copy_from_slice(c);
                    Ok(p)
                })
                .collect(),
            Err(e) => vec![Err(e)],
        };
        items
    })
}

/// Parses a revocation file (records sorted by serial).
pub(crate) fn parse_revoked(bytes: &[u8]) -> Option<BTreeMap<u64, (i64, u8)>> {
    if !bytes.len().is_multiple_of(REVOKED_RECORD) {
        return None;
    }
    let mut out = BTreeMap::new();
    for r in bytes.chunks_exact(REVOKED_RECORD) {
        let serial = u64::from_be_bytes(r[..8].try_into().ok()?);
        let at = i64::from_be_bytes(r[8..16].try_into().ok()?);
        out.insert(serial, (at, r[16]));
    }
    Some(out)
}

/// A revocation file's bytes.
pub(crate) fn encode_revoked(map: &BTreeMap<u64, (i64, u8)>) -> Vec<u8> {
    let mut out = Vec::with_capacity(map.len() * REVOKED_RECORD);
    for (serial, (at, reason)) in map {
        out.extend_from_slice(&serial.to_be_bytes());
        out.extend_from_slice(&at.to_be_bytes());
        out.push(*reason);
    }
    out
}

/// Checks a signed status list: a key of `office` in the trust list, not compromised, a good
/// signature, a bitstring that decodes. Returns the list and its bits.
pub(crate) fn check_status_list(
    trust: &TrustList,
    office: &str,
    bytes: &[u8],
) -> Result<(Signed<StatusListBody>, Vec<u8>), String> {
    let list = Signed::<StatusListBody>::parse(bytes).map_err(|e| e.to_string())?;
    let entry = trust.entry(&list.key_id).ok_or_else(|| {
        format!(
            "স্ট্যাটাস-তালিকার চাবি {} বিশ্বাস-তালিকায় নেই / status list key {} is not in the trust list",
            list.key_id, list.key_id
        )
    })?;
    if entry.office != office
        || list.signed.office != office
        || entry.status == KeyStatus::Compromised
    {
        return Err(format!(
            "চাবি {} অফিস {office} এর স্ট্যাটাস-তালিকায় গ্রহণযোগ্য নয় / key {} may not sign office {office}'s status list",
            list.key_id, list.key_id
        ));
    }
    list.verify(&entry.public_key).map_err(|e| e.to_string())?;
    let bits = list.signed.bitstring().map_err(|e| e.to_string())?;
    Ok((list, bits))
}

/// One office as loaded for look-ups.
#[derive(Debug)]
struct LoadedOffice {
    state: OfficeState,
    segments: Vec<Segment>,
    revoked: BTreeMap<u64, (i64, u8)>,
    /// The status list's bitstring and when it was made.
    status: Option<(Vec<u8>, i64)>,
}

/// A loaded snapshot: the trust list, and per office what the feed and status list said.
#[derive(Debug)]
pub struct Snapshot {
    dir: PathBuf,
    manifest: Manifest,
    trust: TrustList,
    offices: BTreeMap<String, LoadedOffice>,
    damage: Mutex<Option<String>>,
}

/// How old the snapshot is for one verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotAge {
    /// When the last sync finished.
    pub synced_at: i64,
    /// What the snapshot knows is complete as of (the office's own signed clock, never later
    /// than `synced_at`); for an office not in the snapshot or never seen complete,
    /// `synced_at`.
    pub as_of: i64,
    /// Seconds from `as_of` to now.
    pub age_seconds: i64,
    /// Whether the verdict's office is in the snapshot.
    pub office_covered: bool,
    /// Older than the limit.
    pub stale: bool,
}

impl Snapshot {
    /// Loads the snapshot in `dir`, checking the trust list against `root` (or, when none is
    /// given, against the root key saved at sync) as of `today`, and every file's checksum.
    pub fn load(
        dir: &Path,
        root: Option<&VerifyingKey>,
        today: Date,
    ) -> Result<Snapshot, SnapshotError> {
        // A sync may replace the files between reading the manifest and opening them: once
        // more from the new manifest.
        match Snapshot::load_once(dir, root, today) {
            Err(SnapshotError::Damaged(_)) => Snapshot::load_once(dir, root, today),
            other => other,
        }
    }

    fn load_once(
        dir: &Path,
        root: Option<&VerifyingKey>,
        today: Date,
    ) -> Result<Snapshot, SnapshotError> {
        let manifest = read_manifest(dir)?.ok_or_else(|| SnapshotError::Missing(dir.to_owned()))?;
        let saved;
        let root = match root {
            Some(r) => r,
            None => {
                saved = sonod_keys::read_public_key(dir.join(ROOT_FILE))
                    .map_err(|e| SnapshotError::Root(e.to_string()))?;
                &saved
            }
        };
        let trust = TrustList::load(&read_checked(dir, &manifest.trust_list)?, root, today)?;
        let mut offices = BTreeMap::new();
        for (code, state) in &manifest.offices {
            let segments = state
                .issued
                .iter()
                .map(|s| Segment::open(dir, s))
                .collect::<Result<Vec<_>, _>>()?;
            let revoked = match &state.revoked {
                Some(r) => parse_revoked(&read_checked(dir, r)?)
                    .ok_or_else(|| SnapshotError::Damaged(r.file.clone()))?,
                None => BTreeMap::new(),
            };
            let status = match &state.status_list {
                Some(r) => {
                    let bytes = read_checked(dir, r)?;
                    let (list, bits) = check_status_list(&trust, code, &bytes)
                        .map_err(|e| SnapshotError::Damaged(format!("{}: {e}", r.file)))?;
                    Some((bits, list.signed.generated_at))
                }
                None => None,
            };
            offices.insert(
                code.clone(),
                LoadedOffice {
                    state: state.clone(),
                    segments,
                    revoked,
                    status,
                },
            );
        }
        Ok(Snapshot {
            dir: dir.to_owned(),
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

    /// How old the snapshot is for a verdict about `office`, as of `now` (Unix seconds).
    pub fn age(&self, office: Option<&str>, now: i64, max_age_seconds: i64) -> SnapshotAge {
        let synced_at = self.manifest.synced_at;
        let covered = office.and_then(|o| self.offices.get(o));
        // An office whose feed was never seen complete (no signed time) is as old as the sync;
        // it just never yields not_issued.
        let as_of = covered
            .and_then(|o| o.state.covered_at)
            .map_or(synced_at, |c| c.min(synced_at))
            .max(0);
        let age_seconds = now.saturating_sub(as_of).max(0);
        SnapshotAge {
            synced_at,
            as_of,
            age_seconds,
            office_covered: covered.is_some(),
            stale: age_seconds > max_age_seconds,
        }
    }

    fn revocation(o: &LoadedOffice, serial: u64) -> Option<FeedAnswer> {
        if let Some(&(at, reason)) = o.revoked.get(&serial) {
            let reason = RevocationReason::ALL
                .get(usize::from(reason))
                .copied()
                .unwrap_or(RevocationReason::Other);
            let (bn, en) = reason.labels();
            return Some(FeedAnswer::Revoked {
                date: dhaka_date(at),
                reason_bn: bn.to_owned(),
                reason_en: en.to_owned(),
            });
        }
        match &o.status {
            Some((bits, made)) if is_revoked(bits, serial) => Some(FeedAnswer::Revoked {
                date: dhaka_date(*made),
                reason_bn: "অফিসের স্ট্যাটাস-তালিকায় বাতিল চিহ্নিত (তারিখটি তালিকার)".to_owned(),
                reason_en: "marked revoked in the office's status list (the date is the list's)"
                    .to_owned(),
            }),
            _ => None,
        }
    }
}

fn dhaka_date(at: i64) -> Date {
    OffsetDateTime::from_unix_timestamp(at)
        .map(|t| t.to_offset(DHAKA_OFFSET).date())
        .unwrap_or(Date::MIN)
}

impl FeedStatus for Snapshot {
    /// As the verifier's replica answers: issued when the hash is in the set (revoked if the
    /// serial is); not issued only when the set is complete past the end of the issue date
    /// (plus [`ISSUE_GRACE_SECONDS`]); otherwise revoked if the serial is, else unknown. A
    /// damaged file makes the answer unknown and is reported by [`Snapshot::take_damage`].
    fn lookup(
        &self,
        office: &str,
        serial: u64,
        issued: Date,
        hash: &[u8; 32],
        seen_at_ms: i64,
    ) -> FeedAnswer {
        let Some(o) = self.offices.get(office) else {
            return FeedAnswer::Unknown(Unchecked::NoFeed);
        };
        let mut prefix = [0u8; PREFIX];
        prefix.copy_from_slice(&hash[..PREFIX]);
        let mut found = false;
        for seg in &o.segments {
            match seg.contains(&prefix) {
                Ok(true) => {
                    found = true;
                    break;
                }
                Ok(false) => {}
                Err(e) => {
                    *self
                        .damage
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(e.to_string());
                    return FeedAnswer::Unknown(Unchecked::NoFeed);
                }
            }
        }
        let revoked = Snapshot::revocation(o, serial);
        if found {
            return revoked.unwrap_or(FeedAnswer::Issued);
        }
        let covered = o.state.covered_at;
        let covered_ms = covered.map(|c| c.saturating_mul(1000));
        match (
            too_old_to_be_missing(covered_ms, issued, seen_at_ms),
            revoked,
        ) {
            (true, _) => FeedAnswer::NotIssued,
            (false, Some(r)) => r,
            (false, None) => FeedAnswer::Unknown(Unchecked::NotYetPublished {
                complete_as_of: covered,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefixes(n: u64) -> Vec<[u8; PREFIX]> {
        let mut v: Vec<[u8; PREFIX]> = (0..n)
            .map(|i| {
                let mut p = [0u8; PREFIX];
                p.copy_from_slice(&Sha256::digest(i.to_be_bytes())[..PREFIX]);
                p
            })
            .collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn segments_find_what_they_hold_and_catch_changes() {
        let dir = tempfile::tempdir().unwrap();
        for n in [0u64, 1, 1023, 1024, 1025, 5000] {
            let all = prefixes(n);
            let r =
                write_segment(dir.path(), &format!("issued-t{n}"), all.iter().copied()).unwrap();
            assert_eq!(r.count, n);
            let seg = Segment::open(dir.path(), &r).unwrap();
            for p in &all {
                assert!(seg.contains(p).unwrap());
            }
            assert!(!seg.contains(&[0u8; PREFIX]).unwrap());
            assert!(!seg.contains(&[0xff; PREFIX]).unwrap());
            let back: Vec<_> = segment_iter(&seg).map(Result::unwrap).collect();
            assert_eq!(back, all);
            if n == 5000 {
                // One changed byte in a block: found when that block is read.
                let path = dir.path().join(&r.file.file);
                let mut bytes = std::fs::read(&path).unwrap();
                bytes[SEGMENT_HEADER as usize + 16 * 2000] ^= 1;
                std::fs::write(&path, &bytes).unwrap();
                let seg = Segment::open(dir.path(), &r).unwrap();
                assert!(matches!(
                    seg.contains(&all[2001]),
                    Err(SnapshotError::Damaged(_))
                ));
                assert!(seg.contains(&all[10]).unwrap());
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
        let all = prefixes(n);
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
            let p = &all[(i * 7919 % n) as usize];
            assert!(seg.contains(p).unwrap());
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
    fn revocation_files_round_trip() {
        let mut m = BTreeMap::new();
        m.insert(7u64, (1_780_000_000i64, 2u8));
        m.insert(3, (-5, 0));
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
}
