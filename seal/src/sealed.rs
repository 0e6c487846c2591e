//! The signed envelope: a tagged COSE_Sign1 (RFC 9052) with EdDSA over the payload.
//!
//! The protected header is exactly `{1: -8, 4: kid}` (alg EdDSA, an 8-byte key id); the
//! unprotected header is empty, because nothing unsigned may matter. Opening is strict and
//! checks in a fixed order; verifying uses `verify_strict`.

use coset::{
    iana, CborSerializable, CoseSign1, CoseSign1Builder, HeaderBuilder, TaggedCborSerializable,
};
use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest, Sha256};
use sonod_keys::{KeyId, SecretKey};

use crate::error::{DecodeError, SealError, SignatureError};
use crate::payload::{self, Certificate};

/// Largest sealed certificate, in bytes (a version 40 QR code holds about 2,600).
pub const MAX_SEALED_BYTES: usize = 2048;

/// COSE_Sign1's external additional authenticated data: none.
const EXTERNAL_AAD: &[u8] = b"";

fn protected_header(kid: &KeyId) -> coset::Header {
    HeaderBuilder::new()
        .algorithm(iana::Algorithm::EdDSA)
        .key_id(kid.as_bytes().to_vec())
        .build()
}

/// A sealed certificate: the exact bytes that the QR code carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    bytes: Vec<u8>,
}

impl Sealed {
    /// Signs a certificate with an office key.
    pub fn seal(cert: &Certificate, key: &SecretKey) -> Result<Sealed, SealError> {
        let payload = payload::encode(cert)?;
        let sign1 = CoseSign1Builder::new()
            .protected(protected_header(&key.key_id()))
            .payload(payload)
            .create_signature(EXTERNAL_AAD, |tbs| key.sign(tbs).to_bytes().to_vec())
            .build();
        let bytes = sign1
            .to_tagged_vec()
            .map_err(|_| SealError::TooLarge(usize::MAX))?;
        if bytes.len() > MAX_SEALED_BYTES {
            return Err(SealError::TooLarge(bytes.len()));
        }
        Ok(Sealed { bytes })
    }

    /// The tagged COSE_Sign1 bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Takes the bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// SHA-256 of the sealed bytes: what the office's feed publishes for an issued certificate.
    pub fn hash(&self) -> [u8; 32] {
        hash(&self.bytes)
    }

    /// The QR text, `HTTPS://<HOST>/V/<BASE32>`, or the bare Base32 without a host.
    pub fn to_qr_text(&self, host: Option<&crate::Host>) -> String {
        crate::qr_text::qr_text(&self.bytes, host)
    }
}

/// SHA-256 of sealed bytes.
pub fn hash(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// A sealed certificate read but not yet verified.
#[derive(Debug, Clone)]
pub struct Opened {
    key_id: KeyId,
    certificate: Certificate,
    tbs: Vec<u8>,
    signature: Signature,
    hash: [u8; 32],
}

/// Reads sealed bytes strictly, without verifying the signature.
pub fn open(bytes: &[u8]) -> Result<Opened, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    if bytes.len() > MAX_SEALED_BYTES {
        return Err(DecodeError::TooLarge {
            len: bytes.len(),
            max: MAX_SEALED_BYTES,
        });
    }
    let sign1 =
        CoseSign1::from_tagged_slice(bytes).map_err(|e| DecodeError::Cose(e.to_string()))?;

    let header = &sign1.protected.header;
    match &header.alg {
        Some(coset::RegisteredLabelWithPrivate::Assigned(iana::Algorithm::EdDSA)) => {}
        _ => return Err(DecodeError::UnsupportedAlgorithm),
    }
    let key_id = KeyId::from_bytes(&header.key_id).ok_or(DecodeError::BadKeyId)?;
    if !sign1.unprotected.is_empty() {
        return Err(DecodeError::UnexpectedHeader);
    }
    let expected = protected_header(&key_id)
        .to_vec()
        .map_err(|e| DecodeError::Cose(e.to_string()))?;
    if sign1.protected.original_data.as_deref() != Some(expected.as_slice()) {
        // Extra parameters (crit, content type, …) or a non-canonical encoding of the two.
        return Err(if *header == protected_header(&key_id) {
            DecodeError::NonCanonical
        } else {
            DecodeError::UnexpectedHeader
        });
    }
    let payload_bytes = sign1.payload.as_deref().ok_or(DecodeError::NoPayload)?;
    let signature = Signature::from_slice(&sign1.signature)
        .map_err(|_| DecodeError::Cose("signature is not 64 bytes".into()))?;
    // Any other way of writing the same structure (lengths, tag, array form) is refused.
    if sign1.clone().to_tagged_vec().ok().as_deref() != Some(bytes) {
        return Err(DecodeError::NonCanonical);
    }
    let certificate = payload::decode(payload_bytes)?;
    let tbs = sign1.tbs_data(EXTERNAL_AAD);
    Ok(Opened {
        key_id,
        certificate,
        tbs,
        signature,
        hash: hash(bytes),
    })
}

impl Opened {
    /// The key id from the protected header.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// The content, **not yet verified**: for routing (which office) and nothing else.
    pub fn unverified(&self) -> &Certificate {
        &self.certificate
    }

    /// SHA-256 of the sealed bytes.
    pub fn hash(&self) -> [u8; 32] {
        self.hash
    }

    /// Checks the signature with `verify_strict` and hands out the content.
    pub fn verify(&self, key: &VerifyingKey) -> Result<&Certificate, SignatureError> {
        key.verify_strict(&self.tbs, &self.signature)
            .map_err(|_| SignatureError)?;
        Ok(&self.certificate)
    }
}
