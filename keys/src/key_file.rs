//! Key files on disk: secret keys as PKCS#8 PEM with mode 0600, public keys as SPKI PEM.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use ed25519_dalek::pkcs8::spki::{DecodePublicKey, EncodePublicKey, SubjectPublicKeyInfoRef};
use ed25519_dalek::VerifyingKey;
use pkcs8::der::pem::LineEnding;
use pkcs8::Document;
use zeroize::Zeroizing;

use crate::passphrase::{Passphrase, PASSPHRASE_ENV};
use crate::secret_key::{is_encrypted_pem, SecretKey};

/// PEM label of an SPKI public key.
const PUBLIC_LABEL: &str = "PUBLIC KEY";

/// Key files are a few hundred bytes; anything much bigger is not a key file.
const MAX_KEY_FILE_BYTES: u64 = 64 * 1024;

/// Why a key could not be read, written or unlocked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyFileError {
    /// The key is encrypted and no passphrase was given: the environment variable is not set and
    /// there is no terminal to ask on.
    #[error("{}", crate::l10n::both("key-file-passphrase-required", &[("passphrase_env", PASSPHRASE_ENV)]))]
    PassphraseRequired,
    /// An empty passphrase was typed.
    #[error("{}", crate::l10n::both("key-file-empty-passphrase", &[]))]
    EmptyPassphrase,
    /// The passphrase and its confirmation differ.
    #[error("{}", crate::l10n::both("key-file-passphrase-mismatch", &[]))]
    PassphraseMismatch,
    /// The terminal could not be read.
    #[error("{}", crate::l10n::both("key-file-prompt", &[("n0", &format!("{}", .0))]))]
    Prompt(String),
    /// The passphrase does not decrypt the key.
    #[error("{}", crate::l10n::both("key-file-wrong-passphrase", &[]))]
    WrongPassphrase,
    /// The key is well formed but not an Ed25519 key.
    #[error("{}", crate::l10n::both("key-file-not-ed25519", &[]))]
    NotEd25519,
    /// The key is a small-order Ed25519 point, for which signatures prove nothing.
    #[error("{}", crate::l10n::both("key-file-weak-key", &[]))]
    WeakKey,
    /// The PEM holds something else than was asked for (a public key where a secret key was
    /// expected, an RSA key, ...).
    #[error("{}", crate::l10n::both("key-file-wrong-pem-label", &[("expected", &format!("{}", .expected)), ("found", &format!("{}", .found))]))]
    WrongPemLabel {
        /// The label(s) accepted here.
        expected: &'static str,
        /// The label found in the file.
        found: String,
    },
    /// The PEM, the DER inside it, or the key bytes do not parse.
    #[error("{}", crate::l10n::both("key-file-malformed", &[("n0", &format!("{}", .0))]))]
    Malformed(String),
    /// The key could not be encoded or encrypted.
    #[error("{}", crate::l10n::both("key-file-encode", &[("n0", &format!("{}", .0))]))]
    Encode(String),
    /// The file already exists; key files are never overwritten.
    #[error("{}", crate::l10n::both("key-file-already-exists", &[("path", &path.display().to_string())]))]
    AlreadyExists {
        /// The file that exists.
        path: PathBuf,
    },
    /// A secret key file that group or others may access.
    #[error("{}", crate::l10n::both("key-file-insecure-permissions", &[("path", &path.display().to_string()), ("mode", &format!("{mode:o}"))]))]
    InsecurePermissions {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// Reading or writing the file failed.
    #[error("{}: {message}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What kind of failure, for callers that branch on it (`NotFound`, ...).
        kind: io::ErrorKind,
        /// The operating system's message.
        message: String,
    },
    /// A content error (any of the above) in the file at `path`.
    #[error("{}: {error}", path.display())]
    InFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with its content.
        error: Box<KeyFileError>,
    },
}

impl KeyFileError {
    /// The error without the file it happened in: `WrongPassphrase` rather than
    /// `InFile { error: WrongPassphrase, .. }`.
    pub fn without_path(&self) -> &KeyFileError {
        match self {
            KeyFileError::InFile { error, .. } => error.without_path(),
            other => other,
        }
    }

    fn io(path: &Path, err: io::Error) -> KeyFileError {
        if err.kind() == io::ErrorKind::AlreadyExists {
            return KeyFileError::AlreadyExists {
                path: path.to_owned(),
            };
        }
        KeyFileError::Io {
            path: path.to_owned(),
            kind: err.kind(),
            message: err.to_string(),
        }
    }

    fn in_file(path: &Path) -> impl FnOnce(KeyFileError) -> KeyFileError + '_ {
        move |error| match error {
            e @ (KeyFileError::Io { .. }
            | KeyFileError::AlreadyExists { .. }
            | KeyFileError::InsecurePermissions { .. }
            | KeyFileError::InFile { .. }) => e,
            e => KeyFileError::InFile {
                path: path.to_owned(),
                error: Box::new(e),
            },
        }
    }
}

/// Writes `key` to a new file at `path` with mode 0600, encrypted under `passphrase` if given.
///
/// The file must not exist ([`KeyFileError::AlreadyExists`]): overwriting a key file is how keys
/// get lost. The mode is set when the file is created, so the key is never readable by others,
/// not even for a moment; the data is flushed to disk before returning.
pub fn write_secret_key(
    path: impl AsRef<Path>,
    key: &SecretKey,
    passphrase: Option<&Passphrase>,
) -> Result<(), KeyFileError> {
    let path = path.as_ref();
    let pem = key.to_pem(passphrase)?;
    write_new_file(path, 0o600, pem.as_bytes())
}

/// Reads the secret key at `path`, calling `unlock` for the passphrase only if the file is
/// encrypted.
///
/// A file whose mode lets group or others read or write it is refused
/// ([`KeyFileError::InsecurePermissions`]), as OpenSSH does: such a key may already be copied.
pub fn read_secret_key(
    path: impl AsRef<Path>,
    unlock: impl FnOnce() -> Result<Passphrase, KeyFileError>,
) -> Result<SecretKey, KeyFileError> {
    let path = path.as_ref();
    let file = File::open(path).map_err(|e| KeyFileError::io(path, e))?;
    let meta = file.metadata().map_err(|e| KeyFileError::io(path, e))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(KeyFileError::InsecurePermissions {
            path: path.to_owned(),
            mode,
        });
    }
    let text = read_limited(file, path)?;
    let passphrase = if is_encrypted_pem(&text) {
        Some(unlock().map_err(KeyFileError::in_file(path))?)
    } else {
        None
    };
    SecretKey::from_pem(&text, passphrase.as_ref()).map_err(KeyFileError::in_file(path))
}

/// Writes `key` as an SPKI `PUBLIC KEY` PEM to a new file at `path` (mode 0644).
pub fn write_public_key(path: impl AsRef<Path>, key: &VerifyingKey) -> Result<(), KeyFileError> {
    write_new_file(path.as_ref(), 0o644, public_key_to_pem(key).as_bytes())
}

/// Reads an SPKI `PUBLIC KEY` PEM file.
pub fn read_public_key(path: impl AsRef<Path>) -> Result<VerifyingKey, KeyFileError> {
    let path = path.as_ref();
    let file = File::open(path).map_err(|e| KeyFileError::io(path, e))?;
    let text = read_limited(file, path)?;
    public_key_from_pem(&text).map_err(KeyFileError::in_file(path))
}

/// An Ed25519 public key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`), as OpenSSL writes it.
pub fn public_key_to_pem(key: &VerifyingKey) -> String {
    // The SPKI of an Ed25519 key is a fixed 44-byte structure; encoding it cannot fail. The
    // fallback builds the same bytes by hand rather than panic.
    key.to_public_key_pem(LineEnding::LF).unwrap_or_else(|_| {
        let mut der = vec![
            0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
        ];
        der.extend_from_slice(key.as_bytes());
        pkcs8::der::pem::encode_string(PUBLIC_LABEL, LineEnding::LF, &der).unwrap_or_default()
    })
}

/// Parses an SPKI `PUBLIC KEY` PEM holding an Ed25519 key.
pub fn public_key_from_pem(pem: &str) -> Result<VerifyingKey, KeyFileError> {
    let (label, doc) =
        Document::from_pem(pem.trim()).map_err(|e| KeyFileError::Malformed(format!("PEM: {e}")))?;
    if label != PUBLIC_LABEL {
        return Err(KeyFileError::WrongPemLabel {
            expected: PUBLIC_LABEL,
            found: label.to_owned(),
        });
    }
    let spki = SubjectPublicKeyInfoRef::try_from(doc.as_bytes())
        .map_err(|e| KeyFileError::Malformed(format!("SPKI: {e}")))?;
    if spki.algorithm.oid != ed25519_dalek::pkcs8::ALGORITHM_OID {
        return Err(KeyFileError::NotEd25519);
    }
    let key = VerifyingKey::from_public_key_der(doc.as_bytes())
        .map_err(|e| KeyFileError::Malformed(format!("SPKI: {e}")))?;
    if key.is_weak() {
        return Err(KeyFileError::WeakKey);
    }
    Ok(key)
}

/// Creates `path` (which must not exist) with `mode`, writes `data` and syncs it. On failure the
/// half-written file is removed.
fn write_new_file(path: &Path, mode: u32, data: &[u8]) -> Result<(), KeyFileError> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(|e| KeyFileError::io(path, e))?;
    let written = file.write_all(data).and_then(|()| file.sync_all());
    if let Err(e) = written {
        drop(file);
        let _ = std::fs::remove_file(path);
        return Err(KeyFileError::io(path, e));
    }
    Ok(())
}

fn read_limited(file: File, path: &Path) -> Result<Zeroizing<String>, KeyFileError> {
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(MAX_KEY_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| KeyFileError::io(path, e))?;
    if bytes.len() as u64 > MAX_KEY_FILE_BYTES {
        return Err(KeyFileError::InFile {
            path: path.to_owned(),
            error: Box::new(KeyFileError::Malformed(format!(
                "larger than {MAX_KEY_FILE_BYTES} bytes"
            ))),
        });
    }
    match std::str::from_utf8(&bytes) {
        Ok(text) => Ok(Zeroizing::new(text.to_owned())),
        Err(_) => Err(KeyFileError::InFile {
            path: path.to_owned(),
            error: Box::new(KeyFileError::Malformed("not UTF-8 text (PEM)".to_owned())),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn unused() -> Result<Passphrase, KeyFileError> {
        panic!("a plain key must not ask for a passphrase")
    }

    #[test]
    fn secret_key_file_is_created_0600_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("office.key.pem");
        let key = SecretKey::generate();
        write_secret_key(&path, &key, None).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let back = read_secret_key(&path, unused).unwrap();
        assert_eq!(back.key_id(), key.key_id());
    }

    #[test]
    fn secret_key_file_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.pem");
        fs::write(&path, "precious").unwrap();
        let err = write_secret_key(&path, &SecretKey::generate(), None).unwrap_err();
        assert_eq!(err, KeyFileError::AlreadyExists { path: path.clone() });
        assert_eq!(fs::read_to_string(&path).unwrap(), "precious");
    }

    #[test]
    fn secret_key_file_readable_by_others_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.pem");
        write_secret_key(&path, &SecretKey::generate(), None).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let err = read_secret_key(&path, unused).unwrap_err();
        assert_eq!(
            err,
            KeyFileError::InsecurePermissions {
                path: path.clone(),
                mode: 0o644
            }
        );
        assert!(err.to_string().contains("chmod 600"));
    }

    #[test]
    fn encrypted_file_asks_once_and_reports_wrong_passphrase_with_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("root.key.pem");
        let key = SecretKey::generate();
        let pass = || Passphrase::new("correct horse".to_owned());
        write_secret_key(&path, &key, Some(&pass())).unwrap();

        let back = read_secret_key(&path, || Ok(pass())).unwrap();
        assert_eq!(back.key_id(), key.key_id());

        let err = read_secret_key(&path, || Ok(Passphrase::new("battery".to_owned()))).unwrap_err();
        assert_eq!(err.without_path(), &KeyFileError::WrongPassphrase);
        assert_eq!(
            err,
            KeyFileError::InFile {
                path: path.clone(),
                error: Box::new(KeyFileError::WrongPassphrase)
            }
        );

        let err = read_secret_key(&path, || Err(KeyFileError::PassphraseRequired)).unwrap_err();
        assert_eq!(err.without_path(), &KeyFileError::PassphraseRequired);
    }

    #[test]
    fn missing_file_is_io_not_found_with_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent.pem");
        match read_public_key(&path).unwrap_err() {
            KeyFileError::Io { path: p, kind, .. } => {
                assert_eq!(p, path);
                assert_eq!(kind, io::ErrorKind::NotFound);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn public_key_file_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("office.pub.pem");
        let key = SecretKey::generate().verifying_key();
        write_public_key(&path, &key).unwrap();
        assert_eq!(read_public_key(&path).unwrap(), key);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        assert_eq!(public_key_to_pem(&key), text);
        assert_eq!(
            write_public_key(&path, &key).unwrap_err(),
            KeyFileError::AlreadyExists { path }
        );
    }

    #[test]
    fn public_key_pem_errors() {
        let secret = SecretKey::generate().to_pem(None).unwrap();
        assert_eq!(
            public_key_from_pem(&secret).unwrap_err(),
            KeyFileError::WrongPemLabel {
                expected: "PUBLIC KEY",
                found: "PRIVATE KEY".to_owned()
            }
        );
        // X25519 public key (OID 1.3.101.110).
        let x25519 = "-----BEGIN PUBLIC KEY-----\n\
                      MCowBQYDK2VuAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n\
                      -----END PUBLIC KEY-----\n";
        assert_eq!(
            public_key_from_pem(x25519).unwrap_err(),
            KeyFileError::NotEd25519
        );
        // The identity point: a small-order key.
        let weak = "-----BEGIN PUBLIC KEY-----\n\
                    MCowBQYDK2VwAyEAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\
                    -----END PUBLIC KEY-----\n";
        assert_eq!(
            public_key_from_pem(weak).unwrap_err(),
            KeyFileError::WeakKey
        );
        assert!(matches!(
            public_key_from_pem("not a pem").unwrap_err(),
            KeyFileError::Malformed(_)
        ));
    }

    #[test]
    fn public_key_pem_of_rfc8032_test1_matches_openssl() {
        let pem = "-----BEGIN PUBLIC KEY-----\n\
                   MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n\
                   -----END PUBLIC KEY-----\n";
        let key = public_key_from_pem(pem).unwrap();
        assert_eq!(crate::KeyId::of(&key).to_string(), "21fe31dfa154a261");
        assert_eq!(public_key_to_pem(&key), pem);
    }
}
