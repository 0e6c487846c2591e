//! Signed JSON: the one envelope for the documents Sonod signs as JSON (the trust list, feed
//! pages, status lists).
//!
//! The signature is Ed25519 (`verify_strict`) over a domain separator and `serde_json::to_vec`
//! of the typed signed part, so that reformatting the JSON does not break it while any change
//! in meaning does, and a signature over one kind of document can never pass for another.
//! Feed pages and status lists travel as [`Signed<T>`] (`{"signed": …, "key_id": …,
//! "signature": "<standard Base64>"}`); the trust list keeps its own outer shape (its
//! signature object names the root key), and signs and checks through [`signing_message`],
//! [`sign_json`] and [`verify_json`].

use ed25519_dalek::{Signature, VerifyingKey};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::{KeyId, SecretKey};

/// The bytes signed for `body` under the domain separator `context`.
pub fn signing_message<T: Serialize>(context: &[u8], body: &T) -> Vec<u8> {
    let mut msg = context.to_vec();
    // The signed parts are typed structs without maps with non-string keys: serialising them
    // into a `Vec` cannot fail.
    let _ = serde_json::to_writer(&mut msg, body);
    msg
}

/// Signs `body` under `context`.
pub fn sign_json<T: Serialize>(context: &[u8], body: &T, key: &SecretKey) -> Signature {
    key.sign(&signing_message(context, body))
}

/// Whether `signature` is `key`'s over `body` under `context` (strict verification).
pub fn verify_json<T: Serialize>(
    context: &[u8],
    body: &T,
    key: &VerifyingKey,
    signature: &Signature,
) -> bool {
    key.verify_strict(&signing_message(context, body), signature)
        .is_ok()
}

/// A signed document: a body, the key that signed it and the signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signed<T> {
    /// The signed content.
    pub signed: T,
    /// The signing key.
    pub key_id: KeyId,
    /// Ed25519 signature, standard Base64. (Kept as text: a signature that does not decode
    /// is a bad signature, not a malformed document.)
    pub signature: String,
}

/// The signed part of a kind of [`Signed`] document: its domain separator, its error type
/// and the checks its kind adds to the envelope's.
pub trait SignedBody: Serialize + DeserializeOwned {
    /// The domain separator its signature is made under.
    const CONTEXT: &'static [u8];
    /// Why such a document is refused.
    type Error: From<EnvelopeError>;
    /// Checked on parse, before any signature (the format string, typically).
    fn check_parsed(&self) -> Result<(), Self::Error> {
        Ok(())
    }
    /// Checked once the signature verified (the order of what it holds, typically).
    fn check_verified(&self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// Why the envelope of a signed document was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvelopeError {
    /// Not JSON of the document's shape.
    Malformed(String),
    /// The signature does not decode or does not verify.
    BadSignature,
}

impl<T: SignedBody> Signed<T> {
    /// Signs `body` with `key` under its kind's domain separator.
    pub fn new_signed(body: T, key: &SecretKey) -> Signed<T> {
        Signed::sign(T::CONTEXT, body, key)
    }

    /// Parses a document (no signature check yet: the caller picks the key by `key_id`).
    pub fn parse(json: &[u8]) -> Result<Signed<T>, T::Error> {
        let doc: Signed<T> = serde_json::from_slice(json)
            .map_err(|e| T::Error::from(EnvelopeError::Malformed(e.to_string())))?;
        doc.signed.check_parsed()?;
        Ok(doc)
    }

    /// Checks the signature with `key`, then what the kind adds.
    pub fn verify(&self, key: &VerifyingKey) -> Result<(), T::Error> {
        self.verify_signature(T::CONTEXT, key)
            .map_err(|BadSignature| T::Error::from(EnvelopeError::BadSignature))?;
        self.signed.check_verified()
    }
}

/// The signature did not decode or does not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::l10n::both("bad-signature", &[]))]
pub struct BadSignature;

impl<T: Serialize> Signed<T> {
    /// Signs `body` under `context` with `key`.
    pub fn sign(context: &[u8], body: T, key: &SecretKey) -> Signed<T> {
        let sig = sign_json(context, &body, key);
        Signed {
            signed: body,
            key_id: key.key_id(),
            signature: crate::base64::encode(&sig.to_bytes()),
        }
    }

    /// Checks the signature with `key` under `context`.
    pub fn verify_signature(&self, context: &[u8], key: &VerifyingKey) -> Result<(), BadSignature> {
        let bytes = crate::base64::decode(&self.signature).map_err(|_| BadSignature)?;
        let sig = Signature::from_slice(&bytes).map_err(|_| BadSignature)?;
        if verify_json(context, &self.signed, key, &sig) {
            Ok(())
        } else {
            Err(BadSignature)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Body {
        a: u32,
        b: String,
    }

    #[test]
    fn the_envelope_signs_the_typed_body_under_its_context() {
        let key = SecretKey::generate();
        let doc = Signed::sign(
            b"ctx-v1\n",
            Body {
                a: 1,
                b: "x".into(),
            },
            &key,
        );
        assert_eq!(doc.key_id, key.key_id());
        doc.verify_signature(b"ctx-v1\n", &key.verifying_key())
            .unwrap();
        assert_eq!(
            doc.verify_signature(b"ctx-v2\n", &key.verifying_key()),
            Err(BadSignature)
        );
        // Reformatted JSON still verifies.
        let pretty = serde_json::to_string_pretty(&doc).unwrap();
        let back: Signed<Body> = serde_json::from_str(&pretty).unwrap();
        back.verify_signature(b"ctx-v1\n", &key.verifying_key())
            .unwrap();
        let mut changed = back.clone();
        changed.signed.a = 2;
        assert!(changed
            .verify_signature(b"ctx-v1\n", &key.verifying_key())
            .is_err());
        let mut junk = back;
        junk.signature = "not base64!".into();
        assert!(junk
            .verify_signature(b"ctx-v1\n", &key.verifying_key())
            .is_err());
    }
}
