//! The office-signed feed pages of the snapshot, kept as fetched (zlib-compressed) in pack
//! files, so that every fact the snapshot judges by can be checked against an office
//! signature when it is used: a hash the issued index names, a revocation's date and reason,
//! how far the feed is known complete.
//!
//! A pack file: a 24-byte header (`SONODPG1`, the page count u64 LE, the table's offset u64
//! LE), the pages, then a table with, per page, its offset (u64), compressed length (u32), 4
//! zero bytes, and the feed range it claims (`after`, `end`: u64 each), all little-endian.
//! The manifest holds the SHA-256 of the header and table; the pages themselves need no
//! checksum, since each is verified with its office key before anything in it is used. Pages
//! are numbered per office across its packs in order (the manifest's `first`), and the issued
//! index and revocation pointers name pages by that number.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sonod_keys::{OfficeCode, TrustList};
use sonod_seal::feed::{EventKind, FeedPageBody, RevocationReason};

use crate::snapshot::{check_name, hex, FileRef, SnapshotError};

const PACK_MAGIC: &[u8; 8] = b"SONODPG1";
const PACK_HEADER: usize = 24;
const TABLE_ENTRY: usize = 32;
/// Largest feed page kept (as fetched; 5,000 events are about 1 MB).
pub const MAX_PAGE_BYTES: u64 = 16 << 20;
/// Page packs per office before they are merged into one.
pub const MAX_PACKS: usize = 8;

/// A pack file in the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackRef {
    /// The file, its size and the SHA-256 of its header and table.
    #[serde(flatten)]
    pub file: FileRef,
    /// The number of its first page among the office's pages.
    pub first: u64,
    /// Pages in it.
    pub count: u64,
}

/// Where one page is, and the range its table entry claims (checked when it is read).
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageLoc {
    pack: usize,
    offset: u64,
    len: u32,
    /// The page holds the events after this position…
    pub after: u64,
    /// …up to this one.
    pub end: u64,
}

/// An office's packs opened for reading: the tables in memory, pages read on demand.
#[derive(Debug)]
pub(crate) struct PageStore {
    files: Vec<(String, Mutex<File>)>,
    pages: Vec<PageLoc>,
}

impl PageStore {
    /// Opens `refs` in `dir`, checking each header and table against the manifest, the page
    /// numbering, and that the claimed ranges tile the feed from its start.
    pub(crate) fn open(dir: &Path, refs: &[PackRef]) -> Result<PageStore, SnapshotError> {
        let mut files = Vec::with_capacity(refs.len());
        let mut pages: Vec<PageLoc> = Vec::new();
        for r in refs {
            let name = r.file.file.clone();
            check_name(&name)?;
            let damaged = |what: &str| SnapshotError::Damaged(format!("{name}: {what}"));
            let mut file = File::open(dir.join(&name)).map_err(|e| damaged(&e.to_string()))?;
            let len = file.metadata()?.len();
            let mut header = [0u8; PACK_HEADER];
            file.read_exact(&mut header)
                .map_err(|_| damaged("too short"))?;
            let count = u64::from_le_bytes(header[8..16].try_into().unwrap_or_default());
            let table_at = u64::from_le_bytes(header[16..24].try_into().unwrap_or_default());
            let table_len = count.checked_mul(TABLE_ENTRY as u64);
            if &header[..8] != PACK_MAGIC
                || count != r.count
                || r.first != pages.len() as u64
                || len != r.file.bytes
                || table_len.and_then(|t| t.checked_add(table_at)) != Some(len)
                || table_at < PACK_HEADER as u64
            {
                return Err(damaged("header"));
            }
            file.seek(SeekFrom::Start(table_at))?;
            let mut table =
                vec![0u8; usize::try_from(table_len.unwrap_or(0)).map_err(|_| damaged("size"))?];
            file.read_exact(&mut table).map_err(|_| damaged("table"))?;
            let mut h = Sha256::new();
            h.update(header);
            h.update(&table);
            if hex(&h.finalize()) != r.file.sha256 {
                return Err(damaged("table checksum"));
            }
            let pack = files.len();
            for e in table.chunks_exact(TABLE_ENTRY) {
                let u64_at =
                    |i: usize| u64::from_le_bytes(e[i..i + 8].try_into().unwrap_or_default());
                let loc = PageLoc {
                    pack,
                    offset: u64_at(0),
                    len: u32::from_le_bytes(e[8..12].try_into().unwrap_or_default()),
                    after: u64_at(16),
                    end: u64_at(24),
                };
                let inside = loc.offset >= PACK_HEADER as u64
                    && loc
                        .offset
                        .checked_add(u64::from(loc.len))
                        .is_some_and(|x| x <= table_at);
                // Pages continue one another: each starts at or before the end of the one
                // before (a mirror's page may start earlier) and reaches further.
                let (prev_end, first) = pages.last().map_or((0, true), |p| (p.end, false));
                let tiles = if first {
                    loc.after == 0 && loc.end > 0
                } else {
                    loc.after <= prev_end && loc.end > prev_end
                };
                if !inside || !tiles || u64::from(loc.len) > MAX_PAGE_BYTES {
                    return Err(damaged(&format!("page {}", pages.len())));
                }
                pages.push(loc);
            }
            files.push((name, Mutex::new(file)));
        }
        Ok(PageStore { files, pages })
    }

    /// Pages in the store.
    pub(crate) fn len(&self) -> usize {
        self.pages.len()
    }

    /// The feed position the pages reach (0 with none).
    pub(crate) fn position(&self) -> u64 {
        self.pages.last().map_or(0, |p| p.end)
    }

    /// Page `i`'s location and claimed range.
    pub(crate) fn loc(&self, i: usize) -> Option<PageLoc> {
        self.pages.get(i).copied()
    }

    /// Page `i` as stored (compressed).
    pub(crate) fn raw(&self, i: usize) -> Result<Vec<u8>, SnapshotError> {
        let loc = self
            .loc(i)
            .ok_or_else(|| SnapshotError::Damaged(format!("page {i} is not in the snapshot")))?;
        let (name, file) = &self.files[loc.pack];
        let mut buf = vec![0u8; loc.len as usize];
        let mut f = file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f.seek(SeekFrom::Start(loc.offset))?;
        f.read_exact(&mut buf)
            .map_err(|e| SnapshotError::Damaged(format!("{name}: page {i}: {e}")))?;
        Ok(buf)
    }

    /// Page `i` as the office signed it (decompressed, at most [`MAX_PAGE_BYTES`]).
    pub(crate) fn bytes(&self, i: usize) -> Result<Vec<u8>, SnapshotError> {
        decompress(&self.raw(i)?)
            .ok_or_else(|| SnapshotError::Damaged(format!("page {i} does not decompress")))
    }

    /// Reads and verifies page `i` as a page of `office` signed by one of its keys in `trust`,
    /// holding the range its table entry claims.
    pub(crate) fn verified(
        &self,
        i: usize,
        trust: &TrustList,
        office: &OfficeCode,
    ) -> Result<VerifiedPage, SnapshotError> {
        let loc = self.loc(i).ok_or_else(|| {
            SnapshotError::Damaged(format!("office {office}: page {i} is not in the snapshot"))
        })?;
        let bytes = self.bytes(i)?;
        let page = sonod_feed::verify_page(trust, Some(office), &bytes)
            .map_err(|e| SnapshotError::Damaged(format!("office {office}, page {i}: {e}")))?;
        let v = VerifiedPage::new(&page.signed)
            .map_err(|e| SnapshotError::Damaged(format!("office {office}, page {i}: {e}")))?;
        if v.after != loc.after || v.end != loc.end {
            return Err(SnapshotError::Damaged(format!(
                "office {office}, page {i}: the table says events {}..{}, the page holds {}..{}",
                loc.after, loc.end, v.after, v.end
            )));
        }
        Ok(v)
    }
}

/// A page compressed as the snapshot keeps it (zlib).
pub(crate) fn compress(page: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut z = ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(page)?;
    z.finish()
}

/// A kept page decompressed, if it decompresses to at most [`MAX_PAGE_BYTES`].
pub(crate) fn decompress(raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    ZlibDecoder::new(raw)
        .take(MAX_PAGE_BYTES + 1)
        .read_to_end(&mut out)
        .ok()
        .filter(|_| out.len() as u64 <= MAX_PAGE_BYTES)?;
    Some(out)
}

/// The full SHA-256 from 64 lower-case hex digits.
pub(crate) fn parse_hash(hex: &str) -> Option<[u8; 32]> {
    let mut h = [0u8; 32];
    if hex.len() != 64 {
        return None;
    }
    data_encoding::HEXLOWER
        .decode_mut(hex.as_bytes(), &mut h)
        .ok()?;
    Some(h)
}

/// What a verified page says, indexed for look-ups.
#[derive(Debug)]
pub(crate) struct VerifiedPage {
    /// The page holds the events after this position…
    pub after: u64,
    /// …up to this one.
    pub end: u64,
    /// Issued and re-sealed hashes, with their serials.
    pub issued: HashMap<[u8; 32], u64>,
    /// Revocations, the first per serial: (seq, time, reason).
    pub revoked: HashMap<u64, (u64, i64, RevocationReason)>,
}

impl VerifiedPage {
    /// Indexes a page whose signature was checked.
    pub(crate) fn new(body: &FeedPageBody) -> Result<VerifiedPage, String> {
        let mut issued = HashMap::new();
        let mut revoked = HashMap::new();
        for e in &body.events {
            match &e.kind {
                EventKind::Issued { serial, hash, .. }
                | EventKind::Resealed { serial, hash, .. } => {
                    let h = parse_hash(hash).ok_or_else(|| {
                        let seq = e.seq.to_string();
                        crate::messages::both_with("sync-bad-hash", &[("seq", &seq, &seq)])
                    })?;
                    issued.insert(h, *serial);
                }
                EventKind::Revoked { serial, reason } => {
                    revoked.entry(*serial).or_insert((e.seq, e.at, *reason));
                }
                // A newer issuer's event kinds say nothing this reader knows.
                _ => {}
            }
        }
        Ok(VerifiedPage {
            after: body.after,
            end: body.after + body.events.len() as u64,
            issued,
            revoked,
        })
    }
}

/// Writes a pack of pages as `<prefix>-<sha>.bin` in `dir`: pages are added (compressed) as
/// they come, then [`PackWriter::finish`] writes the table, syncs and renames the file.
pub(crate) struct PackWriter {
    dir: PathBuf,
    prefix: String,
    out: std::io::BufWriter<sonod_keys::fs::AtomicFile>,
    at: u64,
    first: u64,
    table: Vec<u8>,
    data: Sha256,
}

impl PackWriter {
    /// A new pack whose first page is page number `first` of the office.
    pub(crate) fn new(dir: &Path, prefix: &str, first: u64) -> std::io::Result<PackWriter> {
        let tmp = sonod_keys::fs::AtomicFile::new_in(dir, prefix, sonod_keys::fs::MODE_SHARED)?;
        let mut out = std::io::BufWriter::new(tmp);
        out.write_all(&[0u8; PACK_HEADER])?;
        Ok(PackWriter {
            dir: dir.to_owned(),
            prefix: prefix.to_owned(),
            out,
            at: PACK_HEADER as u64,
            first,
            table: Vec::new(),
            data: Sha256::new(),
        })
    }

    /// Pages added so far.
    pub(crate) fn count(&self) -> u64 {
        (self.table.len() / TABLE_ENTRY) as u64
    }

    /// Adds a page as fetched, holding events `after + 1 ..= end`.
    pub(crate) fn add(&mut self, after: u64, end: u64, page: &[u8]) -> std::io::Result<()> {
        self.add_compressed(after, end, &compress(page)?)
    }

    /// Adds a page already compressed (from another pack).
    pub(crate) fn add_compressed(
        &mut self,
        after: u64,
        end: u64,
        compressed: &[u8],
    ) -> std::io::Result<()> {
        let len =
            u32::try_from(compressed.len()).map_err(|_| std::io::Error::other("page too large"))?;
        self.out.write_all(compressed)?;
        self.data.update(compressed);
        self.table.extend_from_slice(&self.at.to_le_bytes());
        self.table.extend_from_slice(&len.to_le_bytes());
        self.table.extend_from_slice(&[0u8; 4]);
        self.table.extend_from_slice(&after.to_le_bytes());
        self.table.extend_from_slice(&end.to_le_bytes());
        self.at += u64::from(len);
        Ok(())
    }

    /// Writes the table and header, syncs, and renames the file to its content name.
    pub(crate) fn finish(mut self) -> std::io::Result<PackRef> {
        self.out.write_all(&self.table)?;
        let count = self.count();
        let mut header = [0u8; PACK_HEADER];
        header[..8].copy_from_slice(PACK_MAGIC);
        header[8..16].copy_from_slice(&count.to_le_bytes());
        header[16..24].copy_from_slice(&self.at.to_le_bytes());
        let mut file = self.out.into_inner().map_err(|e| e.into_error())?;
        file.seek(SeekFrom::Start(0))?;
        file.write_all(&header)?;
        file.flush()?;
        let bytes = file.as_file().metadata()?.len();
        let mut h = Sha256::new();
        h.update(header);
        h.update(&self.table);
        let sha = hex(&h.finalize());
        // Named after everything in it, pages included, so that another pack never takes
        // the name of one in use.
        let mut whole = Sha256::new();
        whole.update(sha.as_bytes());
        whole.update(self.data.finalize());
        let name = format!("{}-{}.bin", self.prefix, &hex(&whole.finalize())[..32]);
        file.commit(&self.dir.join(&name))?;
        Ok(PackRef {
            file: FileRef {
                file: name,
                bytes,
                sha256: sha,
            },
            first: self.first,
            count,
        })
    }
}

/// Merges an office's packs into one (the pages copied as they are).
pub(crate) fn merge_packs(
    dir: &Path,
    prefix: &str,
    store: &PageStore,
) -> Result<PackRef, SnapshotError> {
    let mut w = PackWriter::new(dir, prefix, 0)?;
    for i in 0..store.len() {
        let loc = store.loc(i).unwrap_or_else(|| unreachable!("i < len"));
        w.add_compressed(loc.after, loc.end, &store.raw(i)?)?;
    }
    Ok(w.finish()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sonod_keys::{Environment, SecretKey, TrustEntry, TrustListDraft};
    use sonod_seal::feed::Event;
    use time::macros::date;

    fn trust(office: &SecretKey, root: &SecretKey) -> TrustList {
        let today = sonod_keys::today_dhaka();
        let mut d = TrustListDraft::new(today + time::Duration::days(30), Environment::Development);
        d.add_key(TrustEntry::new(
            office.verifying_key(),
            "100524".parse().unwrap(),
            "সাভার",
            "Savar",
            date!(2026 - 01 - 01),
            date!(2099 - 12 - 31),
            vec![],
        ))
        .unwrap();
        d.sign_on(root, None, today).unwrap();
        let json = d.to_json_pretty();
        TrustList::load(json.as_bytes(), &root.verifying_key(), today).unwrap()
    }

    fn page(key: &SecretKey, after: u64, n: u64) -> Vec<u8> {
        let events = (after + 1..=after + n)
            .map(|seq| Event {
                seq,
                at: 1_795_000_000 + seq as i64,
                kind: EventKind::Issued {
                    serial: seq,
                    key_id: key.key_id(),
                    hash: hex(&Sha256::digest(seq.to_be_bytes())),
                },
            })
            .collect();
        let body = FeedPageBody {
            format: sonod_seal::feed::FEED_FORMAT.into(),
            office: "100524".parse().unwrap(),
            after,
            events,
            head: after + n,
            generated_at: 1_795_000_100,
            prev: None,
            chain: None,
        };
        serde_json::to_vec(&body.sign(key)).unwrap()
    }

    #[test]
    fn packs_keep_pages_verbatim_and_catch_changes() {
        let dir = tempfile::tempdir().unwrap();
        let (office, root) = (SecretKey::generate(), SecretKey::generate());
        let trust = trust(&office, &root);
        let mut w = PackWriter::new(dir.path(), "pages-100524", 0).unwrap();
        w.add(0, 3, &page(&office, 0, 3)).unwrap();
        w.add(3, 5, &page(&office, 3, 2)).unwrap();
        let a = w.finish().unwrap();
        let mut w = PackWriter::new(dir.path(), "pages-100524", 2).unwrap();
        w.add(5, 9, &page(&office, 5, 4)).unwrap();
        let b = w.finish().unwrap();
        let refs = vec![a.clone(), b.clone()];
        let store = PageStore::open(dir.path(), &refs).unwrap();
        assert_eq!((store.len(), store.position()), (3, 9));
        assert_eq!(store.bytes(1).unwrap(), page(&office, 3, 2));
        let p = store
            .verified(2, &trust, &"100524".parse().unwrap())
            .unwrap();
        assert_eq!(p.issued.len(), 4);
        assert_eq!(
            p.issued[&<[u8; 32]>::from(Sha256::digest(7u64.to_be_bytes()))],
            7
        );
        // Not the office's page: refused.
        assert!(store
            .verified(0, &trust, &"100525".parse().unwrap())
            .is_err());
        // Merged, the pages keep their numbers.
        let merged = merge_packs(dir.path(), "pages-100524", &store).unwrap();
        let m = PageStore::open(dir.path(), std::slice::from_ref(&merged)).unwrap();
        assert_eq!(m.bytes(2).unwrap(), page(&office, 5, 4));
        // Packs out of order, or numbered wrongly: refused.
        assert!(PageStore::open(dir.path(), &[b.clone(), a.clone()]).is_err());
        let mut renumbered = b.clone();
        renumbered.first = 3;
        assert!(PageStore::open(dir.path(), &[a.clone(), renumbered]).is_err());
        // A changed page (one event's time): its signature fails when it is read.
        let text = String::from_utf8(page(&office, 9, 2)).unwrap();
        let forged = text.replacen("\"at\":1795000010", "\"at\":1795000011", 1);
        assert_ne!(forged, text);
        let mut w = PackWriter::new(dir.path(), "pages-100524", 3).unwrap();
        w.add(9, 11, forged.as_bytes()).unwrap();
        let c = w.finish().unwrap();
        let s = PageStore::open(dir.path(), &[a.clone(), b.clone(), c]).unwrap();
        assert!(s.verified(3, &trust, &"100524".parse().unwrap()).is_err());
        assert!(s.verified(2, &trust, &"100524".parse().unwrap()).is_ok());
        let path = dir.path().join(&b.file.file);
        let mut bytes = std::fs::read(&path).unwrap();
        // A changed table: found on opening.
        let n = bytes.len();
        bytes[n - 1] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert!(PageStore::open(dir.path(), &refs).is_err());
    }

    #[test]
    fn hashes_need_64_lower_hex_digits() {
        assert_eq!(parse_hash(&"ab".repeat(32)), Some([0xab; 32]));
        assert_eq!(parse_hash(&"AB".repeat(32)), None);
        assert_eq!(parse_hash("abcd"), None);
    }
}
