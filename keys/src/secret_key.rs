//! Secret (signing) keys and their PKCS#8 PEM form.

use std::fmt;

use ed25519_dalek::pkcs8::KeypairBytes;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use pkcs8::der::pem;
use pkcs8::pkcs5::{self, pbes2, scrypt};
use pkcs8::{
    EncodePrivateKey, EncryptedPrivateKeyInfo, LineEnding, PrivateKeyInfo, SecretDocument,
};
use rand_core::{OsRng, RngCore};
use zeroize::Zeroizing;

use crate::key_file::KeyFileError;
use crate::key_id::KeyId;
use crate::passphrase::Passphrase;

/// scrypt cost for new encrypted keys: what OpenSSL writes and reads (16 MiB, ~50 ms).
const SCRYPT_LOG_N: u8 = 14;
const SCRYPT_R: u32 = 8;
const SCRYPT_P: u32 = 1;

/// Largest scrypt memory (128·r·N bytes) accepted when reading a key: 256 MiB.
const MAX_SCRYPT_MEMORY: u128 = 256 * 1024 * 1024;
/// Largest scrypt work (N·r·p) accepted when reading a key: 2^25.
const MAX_SCRYPT_WORK: u128 = 1 << 25;
/// Largest PBKDF2 iteration count accepted when reading a key.
const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;

/// PEM label of a plain PKCS#8 private key.
pub(crate) const PLAIN_LABEL: &str = "PRIVATE KEY";
/// PEM label of an encrypted PKCS#8 private key.
pub(crate) const ENCRYPTED_LABEL: &str = "ENCRYPTED PRIVATE KEY";

/// An Ed25519 signing key: a root key or an office key.
///
/// The key bytes are wiped when it is dropped, and `Debug` shows only the key id, so that a key
/// printed by mistake in a log gives nothing away. There is deliberately no `Clone`.
pub struct SecretKey {
    inner: SigningKey,
}

impl SecretKey {
    /// A fresh key from the operating system's random number generator.
    pub fn generate() -> SecretKey {
        SecretKey {
            inner: SigningKey::generate(&mut OsRng),
        }
    }

    /// Wraps an existing `ed25519-dalek` key.
    pub fn from_signing_key(inner: SigningKey) -> SecretKey {
        SecretKey { inner }
    }

    /// The public half.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.inner.verifying_key()
    }

    /// The id of the public half.
    pub fn key_id(&self) -> KeyId {
        KeyId::of(&self.inner.verifying_key())
    }

    /// Signs `msg` (pure Ed25519, RFC 8032).
    pub fn sign(&self, msg: &[u8]) -> Signature {
        self.inner.sign(msg)
    }

    /// The `ed25519-dalek` key, for code that signs through other libraries (COSE).
    pub fn signing_key(&self) -> &SigningKey {
        &self.inner
    }

    /// The key as PKCS#8 PEM: `ENCRYPTED PRIVATE KEY` under `passphrase`, or a plain
    /// `PRIVATE KEY` when it is `None`.
    ///
    /// Encryption is PBES2 with scrypt (N = 2^14, r = 8, p = 1, a 16-byte random salt) and
    /// AES-256-CBC: the parameters `openssl pkcs8 -topk8 -scrypt` uses. The `pkcs8` crate's own
    /// default (N = 2^15) needs 32 MiB, which OpenSSL 3 refuses ("memory limit exceeded").
    /// The private key is written as PKCS#8 v1 (no embedded public key), the form that
    /// `openssl genpkey -algorithm ed25519` writes and every tool reads.
    pub fn to_pem(
        &self,
        passphrase: Option<&Passphrase>,
    ) -> Result<Zeroizing<String>, KeyFileError> {
        let encode_err = |e: &dyn fmt::Display| KeyFileError::Encode(e.to_string());
        let keypair = KeypairBytes {
            secret_key: self.inner.to_bytes(),
            public_key: None,
        };
        let Some(passphrase) = passphrase else {
            return keypair
                .to_pkcs8_pem(LineEnding::LF)
                .map_err(|e| encode_err(&e));
        };
        let plain = keypair.to_pkcs8_der().map_err(|e| encode_err(&e))?;
        let mut salt = [0u8; 16];
        let mut iv = [0u8; 16];
        OsRng.fill_bytes(&mut salt);
        OsRng.fill_bytes(&mut iv);
        let cost = scrypt::Params::new(SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P, 32)
            .map_err(|e| encode_err(&e))?;
        let params =
            pbes2::Parameters::scrypt_aes256cbc(cost, &salt, &iv).map_err(|e| encode_err(&e))?;
        PrivateKeyInfo::try_from(plain.as_bytes())
            .and_then(|info| info.encrypt_with_params(params, passphrase.expose()))
            .and_then(|encrypted| Ok(encrypted.to_pem(ENCRYPTED_LABEL, LineEnding::LF)?))
            .map_err(|e| encode_err(&e))
    }

    /// Reads a PKCS#8 PEM private key, plain or encrypted (told apart by the PEM label).
    ///
    /// An encrypted key needs `passphrase` ([`KeyFileError::PassphraseRequired`] otherwise); a
    /// plain key ignores it.
    pub fn from_pem(pem: &str, passphrase: Option<&Passphrase>) -> Result<SecretKey, KeyFileError> {
        let (label, doc) = SecretDocument::from_pem(pem.trim())
            .map_err(|e| KeyFileError::Malformed(format!("PEM: {e}")))?;
        match label {
            PLAIN_LABEL => from_private_key_info(doc.as_bytes()),
            ENCRYPTED_LABEL => {
                let passphrase = passphrase.ok_or(KeyFileError::PassphraseRequired)?;
                let encrypted = EncryptedPrivateKeyInfo::try_from(doc.as_bytes())
                    .map_err(|e| KeyFileError::Malformed(format!("PKCS#8: {e}")))?;
                check_cost(&encrypted.encryption_algorithm)?;
                let plain = match encrypted.decrypt(passphrase.expose()) {
                    Ok(plain) => plain,
                    // A wrong passphrase shows up as bad CBC padding or, rarely, as padding that
                    // happens to be right around bytes that are not DER. (pkcs5 0.7 reports bad
                    // padding on decryption as `EncryptFailed`; later versions may say
                    // `DecryptFailed`.)
                    Err(pkcs8::Error::EncryptedPrivateKey(
                        pkcs8::pkcs5::Error::DecryptFailed | pkcs8::pkcs5::Error::EncryptFailed,
                    ))
                    | Err(pkcs8::Error::Asn1(_)) => return Err(KeyFileError::WrongPassphrase),
                    Err(e) => {
                        return Err(KeyFileError::Malformed(format!(
                            "unsupported key encryption: {e}"
                        )))
                    }
                };
                match from_private_key_info(plain.as_bytes()) {
                    Err(KeyFileError::Malformed(_)) => Err(KeyFileError::WrongPassphrase),
                    other => other,
                }
            }
            other => Err(KeyFileError::WrongPemLabel {
                expected: "PRIVATE KEY / ENCRYPTED PRIVATE KEY",
                found: other.to_owned(),
            }),
        }
    }
}

/// Refuses key-derivation parameters so costly that unlocking the key would exhaust memory or
/// take minutes: a key file must not be able to stall or crash the service that reads it.
fn check_cost(scheme: &pkcs5::EncryptionScheme<'_>) -> Result<(), KeyFileError> {
    let pkcs5::EncryptionScheme::Pbes2(params) = scheme else {
        return Ok(()); // PBES1 is refused by `decrypt` anyway.
    };
    let affordable = match &params.kdf {
        pbes2::Kdf::Scrypt(s) => {
            let (n, r, p) = (
                u128::from(s.cost_parameter),
                u128::from(s.block_size),
                u128::from(s.parallelization),
            );
            128 * r * n <= MAX_SCRYPT_MEMORY && n * r * p <= MAX_SCRYPT_WORK
        }
        pbes2::Kdf::Pbkdf2(p) => p.iteration_count <= MAX_PBKDF2_ITERATIONS,
        // Unknown to this version of pkcs5: `decrypt` will refuse it.
        _ => true,
    };
    if affordable {
        Ok(())
    } else {
        Err(KeyFileError::Malformed(
            "key encryption parameters are unreasonably costly".to_owned(),
        ))
    }
}

/// Whether `pem` is an encrypted private key, judged by its label alone.
pub(crate) fn is_encrypted_pem(pem: &str) -> bool {
    pem::decode_label(pem.trim().as_bytes()) == Ok(ENCRYPTED_LABEL)
}

fn from_private_key_info(der: &[u8]) -> Result<SecretKey, KeyFileError> {
    let info = PrivateKeyInfo::try_from(der)
        .map_err(|e| KeyFileError::Malformed(format!("PKCS#8: {e}")))?;
    if info.algorithm.oid != ed25519_dalek::pkcs8::ALGORITHM_OID {
        return Err(KeyFileError::NotEd25519);
    }
    SigningKey::try_from(info)
        .map(SecretKey::from_signing_key)
        .map_err(|e| KeyFileError::Malformed(format!("PKCS#8: {e}")))
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretKey")
            .field("key_id", &self.key_id())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::Verifier;

    /// RFC 8032 section 7.1, TEST 1.
    fn rfc8032_test1() -> SecretKey {
        let hex = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
        let secret: [u8; 32] = data_encoding::HEXLOWER
            .decode(hex.as_bytes())
            .unwrap()
            .try_into()
            .unwrap();
        SecretKey::from_signing_key(SigningKey::from_bytes(&secret))
    }

    #[test]
    fn rfc8032_test1_has_the_pinned_key_id_and_signature() {
        let key = rfc8032_test1();
        assert_eq!(key.key_id().to_string(), "21fe31dfa154a261");
        let sig = key.sign(b"");
        assert_eq!(
            hex(&sig.to_bytes()),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155\
             5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        );
        key.verifying_key().verify(b"", &sig).unwrap();
    }

    #[test]
    fn debug_shows_only_the_key_id() {
        let key = rfc8032_test1();
        let debug = format!("{key:?}");
        assert_eq!(debug, "SecretKey { key_id: KeyId(21fe31dfa154a261) }");
        let secret_hex = hex(&key.signing_key().to_bytes());
        assert!(!debug.contains(&secret_hex));
        assert!(!debug.to_lowercase().contains("9d61b19d"));
    }

    #[test]
    fn plain_pem_round_trip_is_byte_exact() {
        let key = rfc8032_test1();
        let pem = key.to_pem(None).unwrap();
        assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert!(!is_encrypted_pem(&pem));
        let back = SecretKey::from_pem(&pem, None).unwrap();
        assert_eq!(back.signing_key().to_bytes(), key.signing_key().to_bytes());
        assert_eq!(*back.to_pem(None).unwrap(), *pem);
        // The same bytes OpenSSL writes for this key (PKCS#8 v1, RFC 8410 section 10.3 layout).
        assert_eq!(
            *pem,
            "-----BEGIN PRIVATE KEY-----\n\
             MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n\
             -----END PRIVATE KEY-----\n"
        );
    }

    #[test]
    fn encrypted_pem_round_trip_and_wrong_passphrase() {
        let key = SecretKey::generate();
        let pass = Passphrase::new("সঠিক-passphrase".to_owned());
        let pem = key.to_pem(Some(&pass)).unwrap();
        assert!(pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
        assert!(is_encrypted_pem(&pem));

        let back = SecretKey::from_pem(&pem, Some(&pass)).unwrap();
        assert_eq!(back.signing_key().to_bytes(), key.signing_key().to_bytes());

        let wrong = Passphrase::new("ভুল".to_owned());
        assert_eq!(
            SecretKey::from_pem(&pem, Some(&wrong)).unwrap_err(),
            KeyFileError::WrongPassphrase
        );
        assert_eq!(
            SecretKey::from_pem(&pem, None).unwrap_err(),
            KeyFileError::PassphraseRequired
        );
    }

    #[test]
    fn plain_key_ignores_a_passphrase() {
        let key = rfc8032_test1();
        let pem = key.to_pem(None).unwrap();
        let pass = Passphrase::new("unused".to_owned());
        let back = SecretKey::from_pem(&pem, Some(&pass)).unwrap();
        assert_eq!(back.key_id(), key.key_id());
    }

    #[test]
    fn other_algorithms_are_not_ed25519() {
        // An X25519 private key (OID 1.3.101.110) in PKCS#8.
        let x25519 = "-----BEGIN PRIVATE KEY-----\n\
                      MC4CAQAwBQYDK2VuBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n\
                      -----END PRIVATE KEY-----\n";
        assert_eq!(
            SecretKey::from_pem(x25519, None).unwrap_err(),
            KeyFileError::NotEd25519
        );
    }

    #[test]
    fn garbage_is_malformed_not_a_panic() {
        for input in [
            "",
            "hello",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
            "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
        ] {
            let pass = Passphrase::new("x".to_owned());
            let err = SecretKey::from_pem(input, Some(&pass)).unwrap_err();
            assert!(
                matches!(err, KeyFileError::Malformed(_)),
                "{input:?}: {err:?}"
            );
        }
    }

    #[test]
    fn a_public_key_is_the_wrong_label() {
        let pem = crate::key_file::public_key_to_pem(&rfc8032_test1().verifying_key());
        assert_eq!(
            SecretKey::from_pem(&pem, None).unwrap_err(),
            KeyFileError::WrongPemLabel {
                expected: "PRIVATE KEY / ENCRYPTED PRIVATE KEY",
                found: "PUBLIC KEY".to_owned()
            }
        );
    }

    #[test]
    fn reads_keys_written_by_openssl() {
        let pass = Passphrase::new("sonod-test".to_owned());
        for pem in [
            include_str!("../testdata/rfc8032-test1.key.pem"),
            include_str!("../testdata/rfc8032-test1.openssl-pbkdf2.key.pem"),
            include_str!("../testdata/rfc8032-test1.openssl-scrypt.key.pem"),
        ] {
            let key = SecretKey::from_pem(pem, Some(&pass)).unwrap();
            assert_eq!(key.key_id().to_string(), "21fe31dfa154a261");
        }
        let wrong = Passphrase::new("sonod-TEST".to_owned());
        assert_eq!(
            SecretKey::from_pem(
                include_str!("../testdata/rfc8032-test1.openssl-pbkdf2.key.pem"),
                Some(&wrong)
            )
            .unwrap_err(),
            KeyFileError::WrongPassphrase
        );
    }

    #[test]
    fn encrypted_pem_uses_openssl_compatible_scrypt() {
        let pem = rfc8032_test1()
            .to_pem(Some(&Passphrase::new("p".to_owned())))
            .unwrap();
        let (_, doc) = SecretDocument::from_pem(&pem).unwrap();
        let info = EncryptedPrivateKeyInfo::try_from(doc.as_bytes()).unwrap();
        let pkcs5::EncryptionScheme::Pbes2(params) = info.encryption_algorithm else {
            panic!("not PBES2");
        };
        let pbes2::Kdf::Scrypt(s) = params.kdf else {
            panic!("not scrypt");
        };
        assert_eq!(
            (s.cost_parameter, s.block_size, s.parallelization),
            (16384, 8, 1)
        );
        assert_eq!(s.salt.len(), 16);
        assert_eq!(params.encryption.oid(), pbes2::AES_256_CBC_OID);
    }

    #[test]
    fn unaffordable_key_derivation_is_refused_before_running_it() {
        let salt = [0u8; 16];
        let iv = [0u8; 16];
        let huge = pbes2::Parameters {
            kdf: pbes2::ScryptParams {
                salt: &salt,
                cost_parameter: 1 << 30,
                block_size: 8,
                parallelization: 1,
                key_length: None,
            }
            .into(),
            encryption: pbes2::EncryptionScheme::Aes256Cbc { iv: &iv },
        };
        assert!(matches!(
            check_cost(&pkcs5::EncryptionScheme::Pbes2(huge)),
            Err(KeyFileError::Malformed(_))
        ));
        let ok = pbes2::Parameters::scrypt_aes256cbc(
            scrypt::Params::new(SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P, 32).unwrap(),
            &salt,
            &iv,
        )
        .unwrap();
        assert_eq!(check_cost(&pkcs5::EncryptionScheme::Pbes2(ok)), Ok(()));
    }

    fn hex(bytes: &[u8]) -> String {
        data_encoding::HEXLOWER.encode(bytes)
    }
}
