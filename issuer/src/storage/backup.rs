//! Backups: a consistent copy of the whole store in one file, and restoring it.
//!
//! The file is `SONOD-BACKUP/1\n` followed by frames — `T` name (a tree), `E` key value (an
//! entry of the tree before it) — and a trailer `Z` with the entry count and the SHA-256 of
//! everything before it, so a truncated or altered backup is refused on restore. Lengths are
//! big-endian u32. The ledger takes its write lock while writing (see `Ledger::backup`), so
//! the copy is consistent while the service keeps answering reads.

use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::storage::store::{Store, StoreError};

const MAGIC: &[u8] = b"SONOD-BACKUP/1\n";
const MAX_NAME: usize = 1024;
const MAX_KEY: usize = 64 * 1024;
const MAX_VALUE: usize = 16 * 1024 * 1024;

/// Why a backup or restore failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackupError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Reading or writing the file failed.
    #[error("{}", crate::l10n::both("backup-io", &[("n0", &format!("{}", .0))]))]
    Io(#[from] std::io::Error),
    /// Not a Sonod backup, truncated, or altered.
    #[error("{}", crate::l10n::both("backup-invalid", &[("n0", &format!("{}", .0))]))]
    Invalid(String),
    /// Restore refuses to write over existing data.
    #[error("{}", crate::l10n::both("backup-not-empty", &[("n0", &format!("{}", .0.display()))]))]
    NotEmpty(PathBuf),
}

/// What a backup or restore covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BackupSummary {
    /// Trees.
    pub trees: u64,
    /// Entries.
    pub entries: u64,
}

struct Hashing<W> {
    inner: W,
    hash: Sha256,
}

impl<W: Write> Hashing<W> {
    fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.hash.update(bytes);
        self.inner.write_all(bytes)
    }

    fn put_len(&mut self, n: usize) -> std::io::Result<()> {
        let n = u32::try_from(n).map_err(|_| std::io::Error::other("frame too large"))?;
        self.put(&n.to_be_bytes())
    }
}

/// Writes every tree of `db`. The caller makes it consistent (the ledger's write lock).
pub(crate) fn write_backup(db: &sled::Db, out: impl Write) -> Result<BackupSummary, BackupError> {
    let mut w = Hashing {
        inner: BufWriter::new(out),
        hash: Sha256::new(),
    };
    let mut summary = BackupSummary::default();
    w.put(MAGIC)?;
    for name in db.tree_names() {
        let tree = db.open_tree(&name).map_err(StoreError::from)?;
        w.put(b"T")?;
        w.put_len(name.len())?;
        w.put(&name)?;
        summary.trees += 1;
        for kv in tree.iter() {
            let (k, v) = kv.map_err(StoreError::from)?;
            w.put(b"E")?;
            w.put_len(k.len())?;
            w.put(&k)?;
            w.put_len(v.len())?;
            w.put(&v)?;
            summary.entries += 1;
        }
    }
    w.put(b"Z")?;
    w.put(&summary.entries.to_be_bytes())?;
    let digest = w.hash.finalize();
    w.inner.write_all(&digest)?;
    w.inner.flush()?;
    Ok(summary)
}

/// Takes a backup of a store that no service has open, into `file` (fsynced).
pub fn backup_offline(data: &Path, file: &Path) -> Result<BackupSummary, BackupError> {
    let store = Store::open(data)?;
    let f = std::fs::File::create(file)?;
    let summary = write_backup(store.db(), &f)?;
    f.sync_all()?;
    Ok(summary)
}

struct Reading<R> {
    inner: R,
    hash: Sha256,
}

impl<R: Read> Reading<R> {
    fn take(&mut self, n: usize) -> Result<Vec<u8>, BackupError> {
        let mut buf = vec![0u8; n];
        self.inner
            .read_exact(&mut buf)
            .map_err(|_| BackupError::Invalid("truncated".into()))?;
        self.hash.update(&buf);
        Ok(buf)
    }

    fn len(&mut self, max: usize) -> Result<usize, BackupError> {
        let b = self.take(4)?;
        let n = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
        if n > max {
            return Err(BackupError::Invalid(format!("a frame of {n} bytes")));
        }
        Ok(n)
    }
}

/// Restores a backup into `data`, which must not exist or be empty. The data is written to a
/// sibling directory first and moved into place only once the whole file has checked out.
pub fn restore(file: &Path, data: &Path) -> Result<BackupSummary, BackupError> {
    if data.exists() && std::fs::read_dir(data)?.next().is_some() {
        return Err(BackupError::NotEmpty(data.to_owned()));
    }
    let staging = data.with_extension("restoring");
    if staging.exists() {
        std::fs::remove_dir_all(&staging)?;
    }
    let summary = {
        let store = Store::open(&staging)?;
        let mut r = Reading {
            inner: BufReader::new(std::fs::File::open(file)?),
            hash: Sha256::new(),
        };
        if r.take(MAGIC.len())? != MAGIC {
            return Err(BackupError::Invalid("not a Sonod backup".into()));
        }
        let mut summary = BackupSummary::default();
        let mut tree: Option<sled::Tree> = None;
        loop {
            match r.take(1)?[0] {
                b'T' => {
                    let n = r.len(MAX_NAME)?;
                    let name = r.take(n)?;
                    tree = Some(store.db().open_tree(name).map_err(StoreError::from)?);
                    summary.trees += 1;
                }
                b'E' => {
                    let t = tree
                        .as_ref()
                        .ok_or_else(|| BackupError::Invalid("entry before tree".into()))?;
                    let kn = r.len(MAX_KEY)?;
                    let k = r.take(kn)?;
                    let vn = r.len(MAX_VALUE)?;
                    let v = r.take(vn)?;
                    t.insert(k, v).map_err(StoreError::from)?;
                    summary.entries += 1;
                }
                b'Z' => {
                    let c = r.take(8)?;
                    let count = u64::from_be_bytes(c.try_into().unwrap_or_default());
                    let want = r.hash.clone().finalize();
                    let mut got = [0u8; 32];
                    r.inner
                        .read_exact(&mut got)
                        .map_err(|_| BackupError::Invalid("truncated".into()))?;
                    if got[..] != want[..] || count != summary.entries {
                        return Err(BackupError::Invalid("checksum mismatch".into()));
                    }
                    if r.inner.read(&mut [0u8; 1])? != 0 {
                        return Err(BackupError::Invalid("bytes after the end".into()));
                    }
                    break;
                }
                other => return Err(BackupError::Invalid(format!("unknown frame {other:#04x}"))),
            }
        }
        store.commit()?;
        summary
    };
    if data.exists() {
        std::fs::remove_dir(data)?;
    }
    std::fs::rename(&staging, data)?;
    if let Some(parent) = data.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::File::open(parent)?.sync_all()?;
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backup_and_restore_round_trip_and_detect_damage() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        {
            let s = Store::open(&data).unwrap();
            s.reserve_serials(5).unwrap();
            s.ledger_tree().insert(b"k", b"v").unwrap();
            s.tree("users").unwrap().insert(b"u", b"w").unwrap();
            s.commit().unwrap();
        }
        let file = dir.path().join("b.sonod");
        let sum = backup_offline(&data, &file).unwrap();
        assert!(sum.entries >= 2);
        let restored = dir.path().join("restored");
        assert_eq!(restore(&file, &restored).unwrap(), sum);
        let s = Store::open(&restored).unwrap();
        assert_eq!(s.next_serial().unwrap(), 6);
        assert_eq!(s.ledger_tree().get(b"k").unwrap().unwrap().as_ref(), b"v");
        assert_eq!(
            s.tree("users")
                .unwrap()
                .get(b"u")
                .unwrap()
                .unwrap()
                .as_ref(),
            b"w"
        );
        // Never over existing data.
        assert!(matches!(
            restore(&file, &restored),
            Err(BackupError::NotEmpty(_))
        ));
        // A flipped byte or a cut file is refused, and nothing is left in place.
        let mut bytes = std::fs::read(&file).unwrap();
        let n = bytes.len();
        bytes[n / 2] ^= 1;
        std::fs::write(&file, &bytes).unwrap();
        let target = dir.path().join("bad");
        assert!(matches!(
            restore(&file, &target),
            Err(BackupError::Invalid(_))
        ));
        assert!(!target.exists());
        std::fs::write(&file, &bytes[..n - 10]).unwrap();
        assert!(matches!(
            restore(&file, &target),
            Err(BackupError::Invalid(_))
        ));
    }
}
