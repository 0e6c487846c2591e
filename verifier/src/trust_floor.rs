//! The highest trust-list sequence this verifier ever accepted, kept on disk: after a restart
//! it still refuses an older list, such as one from before an office key was marked
//! compromised (which would make that key's forgeries genuine again).
//!
//! It is the file [`FLOOR_FILE`] in the data directory:
//! `{"format": "sonod-trust-floor/1", "highest_sequence": N}`, with `lowered_from` and
//! `lowered_at` after an operator went back on purpose ([`TrustFloor::lower`], the
//! `sonod-verifier accept-trust-rollback` command). It is written to a temporary file beside
//! it, flushed to disk, renamed over the old one, and the directory flushed, so that a power
//! cut leaves the old number or the new one. A file that cannot be read stops the service
//! from starting: guessing a number would either allow a rollback or refuse every list.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// The file's name in the data directory.
pub const FLOOR_FILE: &str = "trust-sequence.json";

const FORMAT: &str = "sonod-trust-floor/1";

/// Why the highest accepted sequence could not be read or kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FloorError {
    /// The file or its directory could not be read or written.
    #[error("{}", crate::l10n::both("floor-io", &[("path", &format!("{}", .path)), ("error", &format!("{}", .error))]))]
    Io {
        /// The file.
        path: String,
        /// What failed.
        error: String,
    },
    /// The file is not one this verifier writes.
    #[error("{}", crate::l10n::both("floor-damaged", &[("path", &format!("{}", .path)), ("error", &format!("{}", .error))]))]
    Damaged {
        /// The file.
        path: String,
        /// What is wrong with it.
        error: String,
    },
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FloorFile {
    format: String,
    highest_sequence: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lowered_from: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lowered_at: Option<String>,
}

/// What an operator's deliberate rollback changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lowered {
    /// The highest sequence recorded before (`None`: no file, or a damaged one).
    pub from: Option<u64>,
    /// The sequence recorded now.
    pub to: u64,
}

/// The highest trust-list sequence accepted, in memory and (unless made with
/// [`TrustFloor::in_memory`]) on disk.
#[derive(Debug)]
pub struct TrustFloor {
    path: Option<PathBuf>,
    highest: Mutex<u64>,
}

impl TrustFloor {
    /// A floor kept only while this process runs (for tests and tools).
    pub fn in_memory() -> TrustFloor {
        TrustFloor {
            path: None,
            highest: Mutex::new(0),
        }
    }

    /// The floor kept in `dir` (its [`FLOOR_FILE`]): 0 when there is no file yet. An operator's
    /// deliberate rollback still in effect is logged as a warning.
    pub fn open(dir: &Path) -> Result<TrustFloor, FloorError> {
        let path = dir.join(FLOOR_FILE);
        let highest = match read(&path)? {
            Some(f) => {
                if let Some(from) = f.lowered_from {
                    tracing::warn!(
                        highest_sequence = f.highest_sequence,
                        lowered_from = from,
                        lowered_at = f.lowered_at.as_deref().unwrap_or("?"),
                        "{}",
                        crate::l10n::both("floor-lowered", &[])
                    );
                }
                f.highest_sequence
            }
            None => 0,
        };
        Ok(TrustFloor {
            path: Some(path),
            highest: Mutex::new(highest),
        })
    }

    /// The highest sequence accepted so far.
    pub fn highest(&self) -> u64 {
        *self
            .highest
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Raises the floor to `sequence` (nothing when it is not higher), on disk before in
    /// memory. On a write failure the floor still rises in memory, and the error is returned.
    pub fn raise(&self, sequence: u64) -> Result<(), FloorError> {
        let mut highest = self
            .highest
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if sequence <= *highest {
            return Ok(());
        }
        *highest = sequence;
        match &self.path {
            Some(path) => write(
                path,
                &FloorFile {
                    format: FORMAT.to_owned(),
                    highest_sequence: sequence,
                    lowered_from: None,
                    lowered_at: None,
                },
            ),
            None => Ok(()),
        }
    }

    /// The operator's deliberate way back: records `to` as the highest sequence accepted in
    /// `dir`, so that the next start accepts a trust list of sequence `to` or later. Nothing
    /// changes when `to` is not below the recorded one. Run it with the service stopped (a
    /// running service keeps its own floor and writes it again on the next newer list).
    pub fn lower(dir: &Path, to: u64, at: &str) -> Result<Lowered, FloorError> {
        let path = dir.join(FLOOR_FILE);
        let from = match read(&path) {
            Ok(f) => f.map(|f| f.highest_sequence),
            Err(FloorError::Damaged { .. }) => None,
            Err(e) => return Err(e),
        };
        if from.is_some_and(|f| f <= to) {
            return Ok(Lowered {
                from,
                to: from.unwrap_or(to),
            });
        }
        std::fs::create_dir_all(dir).map_err(|e| io_error(dir, &e))?;
        write(
            &path,
            &FloorFile {
                format: FORMAT.to_owned(),
                highest_sequence: to,
                lowered_from: from,
                lowered_at: Some(at.to_owned()),
            },
        )?;
        Ok(Lowered { from, to })
    }
}

fn io_error(path: &Path, e: &dyn std::fmt::Display) -> FloorError {
    FloorError::Io {
        path: path.display().to_string(),
        error: e.to_string(),
    }
}

/// The record is a few dozen bytes; anything past this is not one.
const MAX_FLOOR_BYTES: u64 = 64 * 1024;

fn read(path: &Path) -> Result<Option<FloorFile>, FloorError> {
    use std::io::Read;
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(path, &e)),
    };
    let mut bytes = Vec::new();
    file.take(MAX_FLOOR_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error(path, &e))?;
    let damaged = |error: String| FloorError::Damaged {
        path: path.display().to_string(),
        error,
    };
    if bytes.len() as u64 > MAX_FLOOR_BYTES {
        return Err(damaged(format!("larger than {MAX_FLOOR_BYTES} bytes")));
    }
    let f: FloorFile = serde_json::from_slice(&bytes).map_err(|e| damaged(e.to_string()))?;
    if f.format != FORMAT {
        return Err(damaged(format!("unknown format {:?}", f.format)));
    }
    Ok(Some(f))
}

/// Writes `f` to `path` durably: a temporary file in the same directory, flushed, renamed
/// over `path`, then the directory flushed.
fn write(path: &Path, f: &FloorFile) -> Result<(), FloorError> {
    let mut bytes = serde_json::to_vec_pretty(f).map_err(|e| io_error(path, &e))?;
    bytes.push(b'\n');
    // Mode 0600, as tempfile made it before.
    sonod_keys::fs::write_atomic(path, &bytes, sonod_keys::fs::MODE_PRIVATE)
        .map_err(|e| io_error(path, &e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rises_durably_and_goes_back_only_on_purpose() {
        let dir = tempfile::tempdir().unwrap();
        let f = TrustFloor::open(dir.path()).unwrap();
        assert_eq!(f.highest(), 0);
        f.raise(2).unwrap();
        f.raise(1).unwrap();
        assert_eq!(f.highest(), 2);
        drop(f);
        let f = TrustFloor::open(dir.path()).unwrap();
        assert_eq!(f.highest(), 2);
        // Not below: nothing changes.
        assert_eq!(
            TrustFloor::lower(dir.path(), 3, "now").unwrap(),
            Lowered {
                from: Some(2),
                to: 2
            }
        );
        assert_eq!(TrustFloor::open(dir.path()).unwrap().highest(), 2);
        assert_eq!(
            TrustFloor::lower(dir.path(), 1, "2026-12-06T10:00:00Z").unwrap(),
            Lowered {
                from: Some(2),
                to: 1
            }
        );
        let text = std::fs::read_to_string(dir.path().join(FLOOR_FILE)).unwrap();
        assert!(text.contains("\"lowered_from\": 2"), "{text}");
        let f = TrustFloor::open(dir.path()).unwrap();
        assert_eq!(f.highest(), 1);
        // The next newer list writes a plain record again.
        f.raise(3).unwrap();
        let text = std::fs::read_to_string(dir.path().join(FLOOR_FILE)).unwrap();
        assert!(!text.contains("lowered_from"), "{text}");
        // Only the file and no temporary files are left.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_damaged_file_is_refused_not_guessed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FLOOR_FILE);
        for bad in [
            &b"2"[..],
            b"{\"format\": \"other/1\", \"highest_sequence\": 2}",
            b"{\"format\": \"sonod-trust-floor/1\"}",
            b"",
        ] {
            std::fs::write(&path, bad).unwrap();
            assert!(
                matches!(
                    TrustFloor::open(dir.path()),
                    Err(FloorError::Damaged { .. })
                ),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        // The deliberate command repairs it.
        assert_eq!(
            TrustFloor::lower(dir.path(), 4, "now").unwrap(),
            Lowered { from: None, to: 4 }
        );
        assert_eq!(TrustFloor::open(dir.path()).unwrap().highest(), 4);
    }
}
