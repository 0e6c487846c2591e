//! The office's embedded store: serial numbers and issued certificates, in sled.
//!
//! # Where the durability barrier is
//!
//! sled 0.34's `flush()` writes its log with `sync_file_range`, which neither flushes the
//! disk's write cache nor the file's metadata; only sled's background flusher calls `fsync`.
//! So [`Store::commit`] is `flush()` followed by `fdatasync` of sled's data file (and, once,
//! `fsync` of the directory that holds it): after it returns, everything written before it
//! survives a power cut. `fdatasync` writes the data and the metadata needed to read it back
//! (the file's size when sled's log has grown it), but not the times of last change, which
//! would cost a journal commit on every barrier (measured: about 8% more certificates a
//! second). Callers group their writes and commit once per group.
//!
//! Serials are reserved durably *before* they are used, so a crash can leave a gap in the
//! numbers but never hand the same serial out twice.
//!
//! # Layout
//!
//! Two sled trees. `meta` holds the office and the next serial. `ledger` holds everything the
//! ledger writes, one key space told apart by a one-byte prefix followed by big-endian numbers
//! (so each kind iterates in order):
//!
//! | key                       | value                          |
//! |---------------------------|--------------------------------|
//! | `c` + serial (u64 BE)     | [`StoredCertificate`] (JSON)   |
//! | `e` + feed position       | feed `Event` (JSON)            |
//! | `a` + audit position      | `AuditEntry` (JSON)            |
//! | `r` + serial              | `Revocation` (JSON)            |
//! | `i` + actor NUL key       | idempotency entry (JSON)       |
//! | `s` + message id          | outbox SMS (JSON)              |
//! | `q` + message id          | empty: the SMS is still to send|
//! | `z` + serial              | a re-sealed certificate: the key id it had before (text) |
//! | `p` + application id      | `Application` (JSON); its indexes `o`, `k`, `m` and documents `d`: see `ledger/applications.rs` |
//!
//! One tree so that a certificate, its event, its audit entry and its idempotency record can
//! be written with one [`sled::Batch`] through `Tree::apply_batch`, which sled 0.34 makes
//! atomic across a crash: it reserves a batch marker in the log before the writes
//! (`PageCache::pin_log`) and seals it with the log position after the last one
//! (`RecoveryGuard::seal_batch`); recovery stops *before* a batch whose sealed position is
//! beyond the durable tip of the log, so it recovers all of a batch or none of it, whatever a
//! concurrent flush happened to write. It also holds sled's global write lock while it
//! applies, so no reader sees half of a batch. (A multi-tree transaction gives the same
//! guarantee by the same marker, with more work per write.)

use std::fs::File;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sonod_keys::KeyId;
use sonod_seal::Record;

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// sled reported an error (I/O or corruption).
    #[error("{}", crate::l10n::both("store-sled", &[("n0", &format!("{}", .0))]))]
    Sled(#[from] sled::Error),
    /// fsync or another file operation failed.
    #[error("{}", crate::l10n::both("store-io", &[("path", &format!("{}", .path.display())), ("source", &format!("{}", .source))]))]
    Io {
        /// Which file.
        path: PathBuf,
        /// What happened.
        source: std::io::Error,
    },
    /// The store belongs to another office.
    #[error("{}", crate::l10n::both("store-wrong-office", &[("store", &format!("{}", .store)), ("record", &format!("{}", .record))]))]
    WrongOffice {
        /// The store's office.
        store: String,
        /// The record's office.
        record: String,
    },
    /// A stored value could not be read back.
    #[error("{}", crate::l10n::both("store-corrupt-data", &[("n0", &format!("{}", .0))]))]
    Corrupt(String),
    /// Serial numbers ran out (u64).
    #[error("{}", crate::l10n::both("store-serials-exhausted", &[]))]
    SerialsExhausted,
}

/// One issued certificate as the office keeps it.
///
/// On disk it is JSON: `{"serial":…,"record":{…},"key_id":"<16 hex>","sealed":"<base64>"}`,
/// the record in its JSON form ([`Record::to_json`]); the bytes are the same as when the
/// record and key id were kept untyped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCertificate {
    /// The serial.
    pub serial: u64,
    /// The whole record, printed-only fields included.
    pub record: StoredRecord,
    /// The signing key's id.
    pub key_id: KeyId,
    /// The sealed bytes (tagged COSE_Sign1).
    #[serde(with = "sonod_keys::base64::bytes")]
    pub sealed: Vec<u8>,
}

/// A record as the store keeps it: [`Record`], written and read in its JSON form (and
/// checked again when read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord(pub Record);

impl std::ops::Deref for StoredRecord {
    type Target = Record;
    fn deref(&self) -> &Record {
        &self.0
    }
}

/// Compares with a record's JSON form (what the store kept before records were typed).
impl PartialEq<serde_json::Value> for StoredRecord {
    fn eq(&self, other: &serde_json::Value) -> bool {
        self.0.to_json() == *other
    }
}

impl From<Record> for StoredRecord {
    fn from(r: Record) -> StoredRecord {
        StoredRecord(r)
    }
}

impl Serialize for StoredRecord {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.to_json().serialize(s)
    }
}

impl<'de> Deserialize<'de> for StoredRecord {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<StoredRecord, D::Error> {
        let json = serde_json::Value::deserialize(d)?;
        Record::from_json(&json)
            .map(StoredRecord)
            .map_err(serde::de::Error::custom)
    }
}

const META: &str = "meta";
const LEDGER: &str = "ledger";
/// Trees of the layout before the single `ledger` tree; a store that has them is refused.
const OLD_TREES: [&str; 5] = ["certs", "events", "audit", "revocations", "idempotency"];
const NEXT_SERIAL: &[u8] = b"next_serial";
const OFFICE: &[u8] = b"office";

/// The office's store.
#[derive(Debug, Clone)]
pub struct Store {
    db: sled::Db,
    meta: sled::Tree,
    ledger: sled::Tree,
    data_file: PathBuf,
    /// The office once known: checking it is on every issue's path.
    office_cache: std::sync::Arc<std::sync::OnceLock<String>>,
}

impl Store {
    /// Opens (or creates) the store in `dir`.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        let io = |path: &Path| {
            let path = path.to_owned();
            move |source| StoreError::Io { path, source }
        };
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let db = open_db(dir)?;
        for name in db.tree_names() {
            if OLD_TREES.iter().any(|old| old.as_bytes() == name.as_ref())
                && !db.open_tree(&name)?.is_empty()
            {
                return Err(StoreError::Corrupt(format!(
                    "tree {:?} of an older layout (one tree per kind); this version keeps \
                     everything in the `{LEDGER}` tree",
                    String::from_utf8_lossy(&name)
                )));
            }
        }
        let meta = db.open_tree(META)?;
        let ledger = db.open_tree(LEDGER)?;
        let store = Store {
            db,
            meta,
            ledger,
            data_file: dir.join("db"),
            office_cache: Default::default(),
        };
        store.commit()?;
        // The directory entry of a newly created data file must be durable too.
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(io(dir))?;
        Ok(store)
    }

    /// The durability barrier: after it returns, every earlier write survives a power cut.
    pub fn commit(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        File::open(&self.data_file)
            .and_then(|f| f.sync_data())
            .map_err(|source| StoreError::Io {
                path: self.data_file.clone(),
                source,
            })
    }

    /// Binds the store to `office` on first use; refuses a record of another office after.
    pub fn check_office(&self, office: &str) -> Result<(), StoreError> {
        if let Some(bound) = self.office_cache.get() {
            return if bound == office {
                Ok(())
            } else {
                Err(StoreError::WrongOffice {
                    store: bound.clone(),
                    record: office.to_owned(),
                })
            };
        }
        let r = self.check_office_stored(office);
        if r.is_ok() {
            let _ = self.office_cache.set(office.to_owned());
        }
        r
    }

    fn check_office_stored(&self, office: &str) -> Result<(), StoreError> {
        match self
            .meta
            .compare_and_swap(OFFICE, None as Option<&[u8]>, Some(office.as_bytes()))?
        {
            Ok(()) => Ok(()),
            Err(cas) => {
                let store = String::from_utf8_lossy(cas.current.as_deref().unwrap_or_default())
                    .into_owned();
                if store == office {
                    Ok(())
                } else {
                    Err(StoreError::WrongOffice {
                        store,
                        record: office.to_owned(),
                    })
                }
            }
        }
    }

    /// The office this store is bound to, if any.
    pub fn office(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .meta
            .get(OFFICE)?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    /// Reserves `n` consecutive serials and makes the reservation durable before returning.
    pub fn reserve_serials(&self, n: u64) -> Result<Range<u64>, StoreError> {
        let mut start = 0;
        let mut overflow = false;
        self.meta.fetch_and_update(NEXT_SERIAL, |old| {
            let next = old
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map_or(1, u64::from_be_bytes);
            start = next;
            match next.checked_add(n) {
                Some(end) => Some(end.to_be_bytes().to_vec()),
                None => {
                    overflow = true;
                    Some(next.to_be_bytes().to_vec())
                }
            }
        })?;
        if overflow {
            return Err(StoreError::SerialsExhausted);
        }
        self.commit()?;
        Ok(start..start + n)
    }

    /// Hands back the serials `from..end` of the last reservation, if nothing was reserved
    /// after it (durable at the next commit).
    pub(crate) fn release_serials(&self, from: u64, end: u64) -> Result<(), StoreError> {
        let _ = self.meta.compare_and_swap(
            NEXT_SERIAL,
            Some(&end.to_be_bytes()[..]),
            Some(&from.to_be_bytes()[..]),
        )?;
        Ok(())
    }

    /// The next serial that would be reserved.
    pub fn next_serial(&self) -> Result<u64, StoreError> {
        Ok(self
            .meta
            .get(NEXT_SERIAL)?
            .and_then(|b| <[u8; 8]>::try_from(b.as_ref()).ok())
            .map_or(1, u64::from_be_bytes))
    }

    /// Writes a certificate (durable at the next [`Store::commit`]).
    pub fn put(&self, cert: &StoredCertificate) -> Result<(), StoreError> {
        let bytes = serde_json::to_vec(cert).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.ledger.insert(key(CERT, cert.serial), bytes)?;
        Ok(())
    }

    /// Reads a certificate by serial.
    pub fn get(&self, serial: u64) -> Result<Option<StoredCertificate>, StoreError> {
        self.ledger
            .get(key(CERT, serial))?
            .map(|v| serde_json::from_slice(&v).map_err(|e| StoreError::Corrupt(e.to_string())))
            .transpose()
    }

    /// The ledger tree, for the ledger's writes and reads (see the layout above).
    pub(crate) fn ledger_tree(&self) -> &sled::Tree {
        &self.ledger
    }

    /// Opens another tree of the same database (its writes share the commit barrier).
    pub(crate) fn tree(&self, name: &str) -> Result<sled::Tree, StoreError> {
        Ok(self.db.open_tree(name)?)
    }

    /// Every stored certificate, in serial order.
    pub fn certificates(&self) -> impl Iterator<Item = Result<StoredCertificate, StoreError>> + '_ {
        self.ledger.scan_prefix([CERT]).map(|r| {
            let (_, v) = r?;
            serde_json::from_slice(&v).map_err(|e| StoreError::Corrupt(e.to_string()))
        })
    }

    /// Stored certificates with serials below `before` (all when `None`), newest first, at
    /// most `limit`: the officials' list of certificates.
    pub fn certificates_before(
        &self,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<StoredCertificate>, StoreError> {
        self.ledger
            .range(key(CERT, 0)..key(CERT, before.unwrap_or(u64::MAX)))
            .rev()
            .take(limit)
            .map(|r| {
                let (_, v) = r?;
                serde_json::from_slice(&v).map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .collect()
    }

    /// The highest serial stored.
    pub fn max_serial(&self) -> Result<u64, StoreError> {
        last_number(&self.ledger, CERT)
    }

    /// The sled database, for whole-database operations (backup).
    pub(crate) fn db(&self) -> &sled::Db {
        &self.db
    }

    /// How many certificates are stored (counts them: O(n)).
    pub fn len(&self) -> usize {
        self.ledger.scan_prefix([CERT]).count()
    }

    /// True when no certificate is stored.
    pub fn is_empty(&self) -> bool {
        self.ledger.scan_prefix([CERT]).next().is_none()
    }
}

/// How long [`Store::open`] waits for sled's lock on its data file.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// Opens sled in `dir`. sled locks its data file and fails at once when the lock is held; but
/// a store closed a moment ago — by this process, or by one that is exiting — can still hold it
/// for a while from sled's I/O threads, which keep the file open until their last write
/// returns (sled's own tests wait for the lock for this reason). So a held lock is retried for
/// a few seconds before it is reported: another process really has the store open.
fn open_db(dir: &Path) -> Result<sled::Db, StoreError> {
    let start = std::time::Instant::now();
    loop {
        match sled::Config::new().path(dir).open() {
            Err(sled::Error::Io(e))
                if e.to_string().contains("could not acquire lock")
                    && start.elapsed() < LOCK_WAIT =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            r => return Ok(r?),
        }
    }
}

/// Key prefix of a certificate in the ledger tree.
pub(crate) const CERT: u8 = b'c';
/// Key prefix of a feed event.
pub(crate) const EVENT: u8 = b'e';
/// Key prefix of an audit entry.
pub(crate) const AUDIT: u8 = b'a';
/// Key prefix of a revocation.
pub(crate) const REVOCATION: u8 = b'r';
/// Key prefix of an idempotency record.
pub(crate) const IDEMPOTENCY: u8 = b'i';
/// Key prefix of an outbox SMS (`crate::sms::Message`), by message id.
pub(crate) const SMS: u8 = b's';
/// Key prefix of an application (`crate::applications::Application`), by id; its indexes
/// (`o`, `k`, `m`) and documents (`d`) are described in `ledger/applications.rs`.
pub(crate) const APPLICATION: u8 = b'p';
/// Key prefix of an outbox SMS not yet sent or given up (empty value), by message id.
pub(crate) const SMS_DUE: u8 = b'q';

/// The ledger-tree key of number `n` of kind `prefix`.
pub(crate) fn key(prefix: u8, n: u64) -> [u8; 9] {
    let mut k = [prefix; 9];
    k[1..].copy_from_slice(&n.to_be_bytes());
    k
}

/// The number in a ledger-tree key of kind `prefix`, if it is one.
pub(crate) fn number_of(prefix: u8, k: &[u8]) -> Option<u64> {
    match k {
        [p, n @ ..] if *p == prefix => <[u8; 8]>::try_from(n).ok().map(u64::from_be_bytes),
        _ => None,
    }
}

/// The highest number of kind `prefix` in `tree` (0 when there is none).
pub(crate) fn last_number(tree: &sled::Tree, prefix: u8) -> Result<u64, StoreError> {
    Ok(match tree.scan_prefix([prefix]).next_back().transpose()? {
        Some((k, _)) => number_of(prefix, &k)
            .ok_or_else(|| StoreError::Corrupt(format!("a ledger key of {} bytes", k.len())))?,
        None => 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_are_never_reused_across_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let a = {
            let s = Store::open(dir.path()).unwrap();
            assert_eq!(s.reserve_serials(1).unwrap(), 1..2);
            s.reserve_serials(10).unwrap()
        };
        assert_eq!(a, 2..12);
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(s.reserve_serials(1).unwrap(), 12..13);
        assert_eq!(s.next_serial().unwrap(), 13);
    }

    #[test]
    fn store_is_bound_to_one_office() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        s.check_office("100524").unwrap();
        s.check_office("100524").unwrap();
        assert!(matches!(
            s.check_office("100525"),
            Err(StoreError::WrongOffice { .. })
        ));
        assert_eq!(s.office().unwrap().as_deref(), Some("100524"));
    }

    fn sample_record() -> StoredRecord {
        let json = include_str!("../../../seal/tests/data/records/warish.json");
        Record::from_json_str(json).unwrap().into()
    }

    /// A certificate as the code before typed records wrote it: `record` a JSON value and
    /// `key_id` a string, serialised with serde_json.
    #[derive(Serialize)]
    struct UntypedCertificate {
        serial: u64,
        record: serde_json::Value,
        key_id: String,
        #[serde(with = "sonod_keys::base64::bytes")]
        sealed: Vec<u8>,
    }

    #[test]
    fn a_store_written_with_untyped_records_still_opens_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        let mut old_bytes = Vec::new();
        for (serial, name) in [(1, "warish"), (2, "trade_licence"), (3, "citizenship")] {
            let path = format!(
                "{}/../seal/tests/data/records/{name}.json",
                env!("CARGO_MANIFEST_DIR")
            );
            let record = Record::from_json_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            let old = UntypedCertificate {
                serial,
                record: record.to_json(),
                key_id: "21fe31dfa154a261".into(),
                sealed: vec![0xd2, 0x84, serial as u8],
            };
            let bytes = serde_json::to_vec(&old).unwrap();
            s.ledger_tree()
                .insert(key(CERT, serial), bytes.as_slice())
                .unwrap();
            old_bytes.push((serial, bytes, record));
        }
        s.commit().unwrap();
        drop(s);
        let s = Store::open(dir.path()).unwrap();
        for (serial, bytes, record) in old_bytes {
            let c = s.get(serial).unwrap().unwrap();
            assert_eq!(*c.record, record);
            assert_eq!(c.record.office(), "100524");
            assert_eq!(c.key_id.to_string(), "21fe31dfa154a261");
            // Written again, the bytes are the same.
            assert_eq!(serde_json::to_vec(&c).unwrap(), bytes);
        }
        assert_eq!(s.certificates().filter(|c| c.is_ok()).count(), 3);
        // A record that does not open is a corrupt store, not a panic.
        s.ledger_tree()
            .insert(
                key(CERT, 4),
                br#"{"serial":4,"record":{"a":1},"key_id":"21fe31dfa154a261","sealed":""}"#
                    .as_slice(),
            )
            .unwrap();
        assert!(matches!(s.get(4), Err(StoreError::Corrupt(_))));
    }

    #[test]
    fn certificates_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        let c = StoredCertificate {
            serial: 7,
            record: sample_record(),
            key_id: "00".repeat(8).parse().unwrap(),
            sealed: vec![1, 2, 3],
        };
        s.put(&c).unwrap();
        s.commit().unwrap();
        drop(s);
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(s.get(7).unwrap(), Some(c));
        assert_eq!(s.get(8).unwrap(), None);
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn certificates_are_read_apart_from_the_other_kinds_of_the_ledger_tree() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(s.max_serial().unwrap(), 0);
        assert!(s.is_empty());
        let t = s.ledger_tree();
        // Kinds sorting before and after certificates, with larger numbers.
        t.insert(key(AUDIT, 99), b"{}".as_slice()).unwrap();
        t.insert(key(EVENT, 98), b"{}".as_slice()).unwrap();
        t.insert(key(REVOCATION, 97), b"{}".as_slice()).unwrap();
        for serial in [3, 5] {
            s.put(&StoredCertificate {
                serial,
                record: sample_record(),
                key_id: "00".repeat(8).parse().unwrap(),
                sealed: vec![],
            })
            .unwrap();
        }
        assert_eq!(s.max_serial().unwrap(), 5);
        assert_eq!(s.len(), 2);
        let serials: Vec<u64> = s.certificates().map(|c| c.unwrap().serial).collect();
        assert_eq!(serials, [3, 5]);
        assert_eq!(last_number(t, EVENT).unwrap(), 98);
        assert_eq!(last_number(t, IDEMPOTENCY).unwrap(), 0);
        assert_eq!(number_of(EVENT, &key(EVENT, 7)), Some(7));
        assert_eq!(number_of(CERT, &key(EVENT, 7)), None);
    }

    #[test]
    fn a_store_of_the_older_layout_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        {
            let db = sled::Config::new().path(dir.path()).open().unwrap();
            db.open_tree("events").unwrap().insert(b"k", b"v").unwrap();
            db.flush().unwrap();
        }
        assert!(matches!(
            Store::open(dir.path()),
            Err(StoreError::Corrupt(_))
        ));
    }

    #[test]
    fn a_store_open_elsewhere_is_refused_once_the_wait_is_over() {
        let dir = tempfile::tempdir().unwrap();
        let _open = Store::open(dir.path()).unwrap();
        match Store::open(dir.path()) {
            Err(StoreError::Sled(sled::Error::Io(e))) => {
                assert!(e.to_string().contains("could not acquire lock"), "{e}")
            }
            other => panic!("{other:?}"),
        }
    }
}
