//! What the scanner trusts that must not live in the snapshot store, which anyone running the
//! scanner can write: the national root key, pinned on the machine or built in, and the
//! highest trust-list sequence this machine has seen (so that an older, genuine list, which
//! may still trust a key since marked compromised, is refused).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sonod_keys::{public_key_from_pem, read_public_key, KeyId, TrustList, VerifyingKey};

/// Where a root key pinned on this machine is read from. It must belong to the
/// administrator (root) and be writable by no one else, nor its folder: the kiosk's user must
/// not be able to change it.
#[cfg(windows)]
pub const SYSTEM_ROOT: &str = r"C:\ProgramData\sonod\root.pub.pem";
/// Where a root key pinned on this machine is read from. It must belong to the
/// administrator (root) and be writable by no one else, nor its folder: the kiosk's user must
/// not be able to change it.
#[cfg(not(windows))]
pub const SYSTEM_ROOT: &str = "/etc/sonod/root.pub.pem";

/// A root key built into this binary: the PEM text in `SONOD_ROOT_PUB` when it was compiled
/// (`SONOD_ROOT_PUB="$(cat root.pub.pem)" cargo build --release -p sonod-scan`).
pub const BUILT_IN_ROOT: Option<&str> = option_env!("SONOD_ROOT_PUB");

/// The file keeping the highest trust-list sequence seen, in the state folder.
pub const TRUST_FLOOR_FILE: &str = "trust-sequence.json";
const FLOOR_FORMAT: &str = "sonod-scan-state/1";

/// Where a root key came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootSource {
    /// Built into the binary ([`BUILT_IN_ROOT`]).
    BuiltIn,
    /// The machine's pinned file ([`SYSTEM_ROOT`]).
    System(PathBuf),
    /// `--root FILE` (or `SONOD_ROOT`), with nothing pinned.
    Given(PathBuf),
}

impl std::fmt::Display for RootSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // English first here, as it always was.
            RootSource::BuiltIn => {
                let (bn, en) = crate::messages::pair("root-built-in");
                write!(f, "{en} / {bn}")
            }
            RootSource::System(p) | RootSource::Given(p) => write!(f, "{}", p.display()),
        }
    }
}

/// The root key to verify trust lists with.
#[derive(Debug, Clone)]
pub struct PinnedRoot {
    /// The key.
    pub key: VerifyingKey,
    /// Where it came from.
    pub source: RootSource,
}

/// Why no root key could be settled on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RootError {
    /// Nothing pinned and no `--root`.
    #[error("{}", crate::messages::both_args("root-missing", &[("system_root", SYSTEM_ROOT)]))]
    Missing,
    /// A key file could not be read or is not a public key.
    #[error("{}", crate::messages::both_args("root-unreadable", &[("path", &format!("{}", .path)), ("message", &format!("{}", .message))]))]
    Unreadable {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// The pinned file could be changed by someone other than the administrator.
    #[error("{}", crate::messages::both_args("root-unprotected", &[("path", &format!("{}", .path)), ("why", &format!("{}", .why))]))]
    Unprotected {
        /// The file.
        path: String,
        /// What is wrong.
        why: String,
    },
    /// Two sources name different keys.
    #[error("{}", crate::messages::both_args("root-mismatch", &[("given_id", &format!("{}", .given_id)), ("given", &format!("{}", .given)), ("pinned_id", &format!("{}", .pinned_id)), ("pinned", &format!("{}", .pinned))]))]
    Mismatch {
        /// The key given.
        given_id: KeyId,
        /// Where from.
        given: String,
        /// The pinned key.
        pinned_id: KeyId,
        /// Where from.
        pinned: String,
    },
}

/// The root key: the one built in, else the one pinned at [`SYSTEM_ROOT`], else `given`
/// (`--root`). Every one of them that is present must be the same key, so `--root` can never
/// replace a pinned key; a pinned file anyone but the administrator could change is refused.
pub fn pinned_root(given: Option<&Path>) -> Result<PinnedRoot, RootError> {
    let system = Path::new(SYSTEM_ROOT);
    if system.exists() {
        check_protected(system)?;
    }
    resolve_root(BUILT_IN_ROOT, system, given)
}

/// [`pinned_root`] with its sources as arguments (and no ownership check).
pub(crate) fn resolve_root(
    built_in: Option<&str>,
    system: &Path,
    given: Option<&Path>,
) -> Result<PinnedRoot, RootError> {
    let read = |p: &Path| {
        read_public_key(p).map_err(|e| RootError::Unreadable {
            path: p.display().to_string(),
            message: e.to_string(),
        })
    };
    let mut found: Vec<PinnedRoot> = Vec::new();
    if let Some(pem) = built_in {
        let key = public_key_from_pem(pem).map_err(|e| RootError::Unreadable {
            path: "SONOD_ROOT_PUB".into(),
            message: e.to_string(),
        })?;
        found.push(PinnedRoot {
            key,
            source: RootSource::BuiltIn,
        });
    }
    match std::fs::metadata(system) {
        Ok(_) => found.push(PinnedRoot {
            key: read(system)?,
            source: RootSource::System(system.to_owned()),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(RootError::Unreadable {
                path: system.display().to_string(),
                message: e.to_string(),
            })
        }
    }
    if let Some(p) = given {
        found.push(PinnedRoot {
            key: read(p)?,
            source: RootSource::Given(p.to_owned()),
        });
    }
    let mut found = found.into_iter();
    let first = found.next().ok_or(RootError::Missing)?;
    for other in found {
        if other.key != first.key {
            return Err(RootError::Mismatch {
                given_id: KeyId::of(&other.key),
                given: other.source.to_string(),
                pinned_id: KeyId::of(&first.key),
                pinned: first.source.to_string(),
            });
        }
    }
    Ok(first)
}

/// The pinned file and its folder must belong to root and be writable by no one else.
#[cfg(unix)]
pub(crate) fn check_protected(path: &Path) -> Result<(), RootError> {
    use std::os::unix::fs::MetadataExt;
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    for p in [path, folder] {
        let unprotected = |why: String| RootError::Unprotected {
            path: path.display().to_string(),
            why,
        };
        let m = std::fs::metadata(p).map_err(|e| RootError::Unreadable {
            path: p.display().to_string(),
            message: e.to_string(),
        })?;
        if m.uid() != 0 {
            return Err(unprotected(format!(
                "{} belongs to user {}",
                p.display(),
                m.uid()
            )));
        }
        if m.mode() & 0o022 != 0 {
            return Err(unprotected(format!(
                "{} is writable by group or others (mode {:o})",
                p.display(),
                m.mode() & 0o7777
            )));
        }
    }
    Ok(())
}

/// On this platform the administrator's folder is trusted as it is.
#[cfg(not(unix))]
pub(crate) fn check_protected(_: &Path) -> Result<(), RootError> {
    Ok(())
}

/// The scanner's state folder (outside the store): `$XDG_STATE_HOME/sonod-scan`, else
/// `~/.local/state/sonod-scan` (`%LOCALAPPDATA%\sonod-scan\state` on Windows).
pub fn default_state_dir() -> PathBuf {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(p) = env("XDG_STATE_HOME") {
        return p.join("sonod-scan");
    }
    if let Some(p) = env("LOCALAPPDATA") {
        return p.join("sonod-scan").join("state");
    }
    env("HOME")
        .map(|h| h.join(".local/state/sonod-scan"))
        .unwrap_or_else(|| PathBuf::from(".sonod-scan-state"))
}

/// Why a trust list was refused against the sequence this machine has seen, or the record
/// could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FloorError {
    /// The list is older than one seen before.
    #[error("{}", crate::messages::both_with("floor-rollback", &[("got", &.got.to_string(), &.got.to_string()), ("have", &.have.to_string(), &.have.to_string()), ("path", &.path.to_string(), &.path.to_string())]))]
    Rollback {
        /// The highest sequence seen.
        have: u64,
        /// This list's.
        got: u64,
        /// The state file.
        path: String,
    },
    /// The state file exists but cannot be read or understood.
    #[error("{}", crate::messages::both_args("floor-unreadable", &[("path", &format!("{}", .path)), ("message", &format!("{}", .message))]))]
    Unreadable {
        /// The state file.
        path: String,
        /// Why.
        message: String,
    },
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FloorFile {
    format: String,
    /// The highest sequence seen, by the id of the root key that signed the lists.
    trust_sequence: BTreeMap<String, u64>,
}

/// The highest trust-list sequence seen per root key, in a file of the state folder.
#[derive(Debug, Clone)]
pub struct TrustFloor {
    dir: PathBuf,
}

impl TrustFloor {
    /// The floor kept in `dir` (see [`default_state_dir`]).
    pub fn new(dir: impl Into<PathBuf>) -> TrustFloor {
        TrustFloor { dir: dir.into() }
    }

    /// The state file.
    pub fn path(&self) -> PathBuf {
        self.dir.join(TRUST_FLOOR_FILE)
    }

    /// Refuses `list` when this machine has seen a higher sequence from the same root;
    /// otherwise raises the record to its sequence (durably: a temporary file, synced and
    /// renamed, under a lock). When the record cannot be written, says so (bilingual) and
    /// accepts the list: the record already there still holds.
    pub fn admit(&self, list: &TrustList) -> Result<Option<String>, FloorError> {
        let path = self.path();
        let shown = path.display().to_string();
        let unreadable = |message: String| FloorError::Unreadable {
            path: shown.clone(),
            message,
        };
        // Held while reading and writing, so two scanners cannot lower each other's record.
        let lock = std::fs::create_dir_all(&self.dir).and_then(|()| {
            let f = File::options()
                .create(true)
                .truncate(false)
                .write(true)
                .open(self.dir.join(".trust-sequence.lock"))?;
            f.lock()?;
            Ok(f)
        });
        let mut floor = match File::open(&path) {
            Ok(f) => {
                let mut buf = Vec::new();
                f.take(1 << 20)
                    .read_to_end(&mut buf)
                    .map_err(|e| unreadable(e.to_string()))?;
                let floor: FloorFile =
                    serde_json::from_slice(&buf).map_err(|e| unreadable(e.to_string()))?;
                if floor.format != FLOOR_FORMAT {
                    return Err(unreadable(format!("format {:?}", floor.format)));
                }
                floor
            }
            // No record yet (nor a folder for one).
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                ) =>
            {
                FloorFile {
                    format: FLOOR_FORMAT.into(),
                    trust_sequence: BTreeMap::new(),
                }
            }
            Err(e) => return Err(unreadable(e.to_string())),
        };
        let root = list.root_key_id().to_string();
        let have = floor.trust_sequence.get(&root).copied().unwrap_or(0);
        if list.sequence() < have {
            return Err(FloorError::Rollback {
                have,
                got: list.sequence(),
                path: shown,
            });
        }
        if list.sequence() == have && floor.trust_sequence.contains_key(&root) {
            return Ok(None);
        }
        floor.trust_sequence.insert(root, list.sequence());
        let written = lock.and_then(|_lock| {
            let json = serde_json::to_vec_pretty(&floor).map_err(std::io::Error::other)?;
            sonod_keys::fs::write_atomic(&path, &json, sonod_keys::fs::MODE_SHARED)
        });
        Ok(written.err().map(|e| {
            let (shown, e) = (shown.to_string(), e.to_string());
            format!(
                "⚠ {}",
                crate::messages::both_with(
                    "floor-not-written",
                    &[("path", &shown, &shown), ("error", &e, &e)]
                )
            )
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sonod_keys::{write_public_key, Environment, SecretKey, TrustListDraft};

    fn list(root: &SecretKey, sequence: u64) -> TrustList {
        let today = sonod_keys::today_dhaka();
        let mut d = TrustListDraft::new(today + time::Duration::days(30), Environment::Development);
        // Each signing bumps the sequence by one.
        for _ in 0..sequence {
            d.sign_on(root, None, today).unwrap();
        }
        TrustList::load(d.to_json_pretty().as_bytes(), &root.verifying_key(), today).unwrap()
    }

    #[test]
    fn a_given_root_never_replaces_a_pinned_one() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (SecretKey::generate(), SecretKey::generate());
        let pa = dir.path().join("a.pem");
        let pb = dir.path().join("b.pem");
        write_public_key(&pa, &a.verifying_key()).unwrap();
        write_public_key(&pb, &b.verifying_key()).unwrap();
        let none = dir.path().join("none.pem");
        // Nothing at all: refused, saying how to pin one.
        assert_eq!(
            resolve_root(None, &none, None).unwrap_err(),
            RootError::Missing
        );
        // Only --root: used.
        let r = resolve_root(None, &none, Some(&pa)).unwrap();
        assert_eq!(r.key, a.verifying_key());
        assert_eq!(r.source, RootSource::Given(pa.clone()));
        // Pinned on the machine: used without --root; --root must be the same key.
        let r = resolve_root(None, &pa, None).unwrap();
        assert_eq!(r.source, RootSource::System(pa.clone()));
        assert!(resolve_root(None, &pa, Some(&pa)).is_ok());
        assert!(matches!(
            resolve_root(None, &pa, Some(&pb)),
            Err(RootError::Mismatch { .. })
        ));
        // Built in: wins, and both the machine's and the given key must match it.
        let pem = sonod_keys::public_key_to_pem(&b.verifying_key());
        let r = resolve_root(Some(&pem), &none, None).unwrap();
        assert_eq!((r.key, r.source), (b.verifying_key(), RootSource::BuiltIn));
        assert!(matches!(
            resolve_root(Some(&pem), &pa, None),
            Err(RootError::Mismatch { .. })
        ));
        assert!(matches!(
            resolve_root(Some(&pem), &none, Some(&pa)),
            Err(RootError::Mismatch { .. })
        ));
        // An unreadable key is an error, not a fallback.
        std::fs::write(&pb, "not a key").unwrap();
        assert!(matches!(
            resolve_root(None, &none, Some(&pb)),
            Err(RootError::Unreadable { .. })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn a_pinned_root_anyone_could_change_is_refused() {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let p = dir.path().join("root.pub.pem");
        write_public_key(&p, &SecretKey::generate().verifying_key()).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        let as_root = std::fs::metadata(&p).unwrap().uid() == 0;
        // Owned by root and not writable by others: accepted; else refused for its owner.
        assert_eq!(check_protected(&p).is_ok(), as_root);
        // Writable by others: refused, whoever owns it.
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o666)).unwrap();
        let e = check_protected(&p).unwrap_err();
        assert!(matches!(e, RootError::Unprotected { .. }), "{e}");
        assert!(e.to_string().contains("owned by root"), "{e}");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        // So is a folder others may write into (they could put another file in its place).
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        assert!(matches!(
            check_protected(&p),
            Err(RootError::Unprotected { .. })
        ));
    }

    #[test]
    fn an_older_trust_list_is_refused_once_a_newer_one_was_seen() {
        let dir = tempfile::tempdir().unwrap();
        let floor = TrustFloor::new(dir.path().join("state"));
        let root = SecretKey::generate();
        let (one, two) = (list(&root, 1), list(&root, 2));
        assert_eq!((one.sequence(), two.sequence()), (1, 2));
        assert_eq!(floor.admit(&one), Ok(None));
        assert_eq!(floor.admit(&two), Ok(None));
        assert_eq!(floor.admit(&two), Ok(None));
        let e = floor.admit(&one).unwrap_err();
        assert!(
            matches!(
                e,
                FloorError::Rollback {
                    have: 2,
                    got: 1,
                    ..
                }
            ),
            "{e}"
        );
        assert!(
            e.to_string().contains("to go back on purpose, delete"),
            "{e}"
        );
        // Another root's lists are counted apart.
        assert_eq!(floor.admit(&list(&SecretKey::generate(), 1)), Ok(None));
        // After a restart (a new handle on the same folder) too.
        let again = TrustFloor::new(dir.path().join("state"));
        assert!(matches!(
            again.admit(&one),
            Err(FloorError::Rollback { .. })
        ));
        // The documented way back: delete the file.
        std::fs::remove_file(again.path()).unwrap();
        assert_eq!(again.admit(&one), Ok(None));
        // A damaged record is refused, not read as "nothing seen".
        std::fs::write(again.path(), "{").unwrap();
        assert!(matches!(
            again.admit(&two),
            Err(FloorError::Unreadable { .. })
        ));
    }

    #[test]
    fn a_record_that_cannot_be_written_is_said_not_hidden() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "").unwrap();
        let floor = TrustFloor::new(blocker.join("state"));
        let w = floor.admit(&list(&SecretKey::generate(), 1)).unwrap();
        assert!(
            w.is_some_and(|w| w.contains("a rollback to an older list may go unnoticed")),
            "a warning"
        );
    }
}
