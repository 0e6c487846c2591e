//! A development key set: what the README demo, the services' first start and tests run on.
//!
//! Development keys are unencrypted and sit next to each other in one directory, which is
//! exactly what real keys must never do; the trust list says `"environment": "development"` so
//! that verifiers can warn about every certificate it vouches for.

use std::fs::DirBuilder;
use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use time::Duration;

use crate::clock::today_dhaka;
use crate::key_file::{read_public_key, write_public_key, write_secret_key, KeyFileError};
use crate::key_id::KeyId;
use crate::office::OfficeCode;
use crate::secret_key::SecretKey;
use crate::trust_list::{Environment, TrustEditError, TrustEntry, TrustListDraft};

/// The warning to show wherever development keys are made or used, "Bangla / English"
/// (`dev-warning` in `locales/*/keys.ftl`).
pub static DEV_WARNING: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| crate::l10n::both("dev-warning", &[]));

/// The root secret key, unencrypted.
pub const ROOT_KEY_FILE: &str = "root.key.pem";
/// The root public key.
pub const ROOT_PUB_FILE: &str = "root.pub.pem";
/// The office secret key, unencrypted.
pub const OFFICE_KEY_FILE: &str = "office.key.pem";
/// The office public key.
pub const OFFICE_PUB_FILE: &str = "office.pub.pem";
/// The signed development trust list. Written last: its presence marks a complete set.
pub const TRUST_LIST_FILE: &str = "trust.json";

const ALL_FILES: [&str; 5] = [
    ROOT_KEY_FILE,
    ROOT_PUB_FILE,
    OFFICE_KEY_FILE,
    OFFICE_PUB_FILE,
    TRUST_LIST_FILE,
];

/// The office the development key belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevOptions {
    /// Office code; default `100524`.
    pub office: OfficeCode,
    /// Bangla name; default `সাভার পৌরসভা (উন্নয়ন)`.
    pub office_name_bn: String,
    /// English name; default `Savar Paurashava (development)`.
    pub office_name_en: String,
    /// Verifier hosts; default `LOCALHOST:8081` (the development verifier) and `LOCALHOST:8080`.
    pub verifier_hosts: Vec<String>,
}

impl Default for DevOptions {
    fn default() -> DevOptions {
        DevOptions {
            office: OfficeCode::parse("100524").expect("a valid office code"),
            office_name_bn: "সাভার পৌরসভা (উন্নয়ন)".to_owned(),
            office_name_en: "Savar Paurashava (development)".to_owned(),
            verifier_hosts: vec!["LOCALHOST:8081".to_owned(), "LOCALHOST:8080".to_owned()],
        }
    }
}

/// A complete development key set on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevKeys {
    /// The directory holding the files.
    pub dir: PathBuf,
    /// Whether this call made the set (`false`: it was already there and was left alone).
    pub created: bool,
    /// The root key's id.
    pub root_key_id: KeyId,
    /// The office key's id.
    pub office_key_id: KeyId,
}

impl DevKeys {
    /// `dir/root.key.pem`.
    pub fn root_key_path(&self) -> PathBuf {
        self.dir.join(ROOT_KEY_FILE)
    }

    /// `dir/root.pub.pem`.
    pub fn root_pub_path(&self) -> PathBuf {
        self.dir.join(ROOT_PUB_FILE)
    }

    /// `dir/office.key.pem`.
    pub fn office_key_path(&self) -> PathBuf {
        self.dir.join(OFFICE_KEY_FILE)
    }

    /// `dir/office.pub.pem`.
    pub fn office_pub_path(&self) -> PathBuf {
        self.dir.join(OFFICE_PUB_FILE)
    }

    /// `dir/trust.json`.
    pub fn trust_list_path(&self) -> PathBuf {
        self.dir.join(TRUST_LIST_FILE)
    }
}

/// Why a development key set could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DevKeysError {
    /// Some of the files exist but not all: an interrupted run, or another kind of directory.
    #[error("{}", crate::l10n::both("dev-keys-incomplete", &[("dir", &dir.display().to_string()), ("present_dbg", &format!("{present:?}"))]))]
    Incomplete {
        /// The directory.
        dir: PathBuf,
        /// The files that are there.
        present: Vec<String>,
    },
    /// The directory could not be created or inspected.
    #[error("{}: {message}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// What kind of failure.
        kind: io::ErrorKind,
        /// The operating system's message.
        message: String,
    },
    /// A key file could not be written or read.
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    /// The trust list could not be made.
    #[error(transparent)]
    TrustList(#[from] TrustEditError),
}

/// Makes a development key set in `dir` (created with mode 0700), unless a complete one is
/// already there, in which case it is left alone: running the demo twice must not change keys
/// that certificates were already sealed with.
///
/// The office key is valid from yesterday for two years and the list expires in a year.
pub fn ensure_dev_keys(dir: &Path, options: &DevOptions) -> Result<DevKeys, DevKeysError> {
    let io_err = |path: &Path, e: io::Error| DevKeysError::Io {
        path: path.to_owned(),
        kind: e.kind(),
        message: e.to_string(),
    };
    let mut present = Vec::new();
    for name in ALL_FILES {
        let path = dir.join(name);
        if path.try_exists().map_err(|e| io_err(&path, e))? {
            present.push(name.to_owned());
        }
    }
    if present.len() == ALL_FILES.len() {
        return Ok(DevKeys {
            dir: dir.to_owned(),
            created: false,
            root_key_id: KeyId::of(&read_public_key(dir.join(ROOT_PUB_FILE))?),
            office_key_id: KeyId::of(&read_public_key(dir.join(OFFICE_PUB_FILE))?),
        });
    }
    if !present.is_empty() {
        return Err(DevKeysError::Incomplete {
            dir: dir.to_owned(),
            present,
        });
    }

    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| io_err(dir, e))?;

    let today = today_dhaka();
    let root = SecretKey::generate();
    let office = SecretKey::generate();
    let mut draft = TrustListDraft::new(
        today.saturating_add(Duration::days(365)),
        Environment::Development,
    );
    draft.add_key(TrustEntry::new(
        office.verifying_key(),
        options.office.clone(),
        options.office_name_bn.clone(),
        options.office_name_en.clone(),
        today.saturating_sub(Duration::days(1)),
        today.saturating_add(Duration::days(2 * 365)),
        options.verifier_hosts.clone(),
    ))?;
    draft.sign_on(&root, None, today)?;

    write_secret_key(dir.join(ROOT_KEY_FILE), &root, None)?;
    write_public_key(dir.join(ROOT_PUB_FILE), &root.verifying_key())?;
    write_secret_key(dir.join(OFFICE_KEY_FILE), &office, None)?;
    write_public_key(dir.join(OFFICE_PUB_FILE), &office.verifying_key())?;
    draft.write(dir.join(TRUST_LIST_FILE))?;

    Ok(DevKeys {
        dir: dir.to_owned(),
        created: true,
        root_key_id: root.key_id(),
        office_key_id: office.key_id(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key_file::read_secret_key;
    use crate::trust_list::{KeyStatus, TrustList};
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn makes_a_complete_signed_set_once() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("dev");
        let first = ensure_dev_keys(&dir, &DevOptions::default()).unwrap();
        assert!(first.created);
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);

        let root = read_secret_key(first.root_key_path(), || panic!("unencrypted")).unwrap();
        assert_eq!(root.key_id(), first.root_key_id);
        let list = TrustList::read(
            first.trust_list_path(),
            &root.verifying_key(),
            today_dhaka(),
        )
        .unwrap();
        assert_eq!(list.environment(), Environment::Development);
        assert_eq!(list.sequence(), 1);
        let entry = list.entry(&first.office_key_id).unwrap();
        assert_eq!(entry.status, KeyStatus::Active);
        assert_eq!(entry.office, "100524");
        assert_eq!(entry.office_name_bn, "সাভার পৌরসভা (উন্নয়ন)");
        assert!(entry.may_sign_on(today_dhaka()));
        assert!(list.is_official_host("localhost:8080"));

        let before = std::fs::read(first.trust_list_path()).unwrap();
        let second = ensure_dev_keys(&dir, &DevOptions::default()).unwrap();
        assert!(!second.created);
        assert_eq!(second.root_key_id, first.root_key_id);
        assert_eq!(second.office_key_id, first.office_key_id);
        assert_eq!(std::fs::read(first.trust_list_path()).unwrap(), before);
    }

    #[test]
    fn an_incomplete_set_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join(ROOT_KEY_FILE), "x").unwrap();
        assert_eq!(
            ensure_dev_keys(tmp.path(), &DevOptions::default()).unwrap_err(),
            DevKeysError::Incomplete {
                dir: tmp.path().to_owned(),
                present: vec![ROOT_KEY_FILE.to_owned()]
            }
        );
    }
}
