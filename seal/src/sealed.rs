//! The signed envelope: a tagged COSE_Sign1 (RFC 9052) with EdDSA over the payload.
//!
//! The protected header is exactly `{1: -8, 4: kid}` (alg EdDSA, an 8-byte key id); the
//! unprotected header is empty, because nothing unsigned may matter. Opening is strict and
//! checks in a fixed order; verifying uses `verify_strict`.

use std::sync::Arc;

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
    certificate: Arc<Certificate>,
    tbs: Vec<u8>,
    signature: Signature,
    hash: [u8; 32],
}

/// The exact form of every sealed certificate (FORMAT.md section 3): tag 18, an array of four,
/// the 13-byte protected header `{1: -8, 4: h'<8-byte kid>'}`, an empty unprotected map, the
/// payload byte string, the 64-byte signature. Everything up to the key id:
const HEAD: [u8; 8] = [0xD2, 0x84, 0x4D, 0xA2, 0x01, 0x27, 0x04, 0x48];
/// The signature's byte string header.
const SIG_HEAD: [u8; 2] = [0x58, 0x40];

/// The parts of bytes in the one canonical layout: key id, the payload's byte string (header
/// included), the payload, the signature. `None` for anything else, which the general path
/// then reads (and refuses, with the precise reason).
///
/// This is not a second parser: it accepts exactly the byte strings that the general path
/// accepts (coset's parse, the header checks and the re-encoding comparison), which are the
/// encodings of one `COSE_Sign1` each. A unit test compares both paths on every vector and on
/// mutations of them.
fn canonical_parts(bytes: &[u8]) -> Option<CanonicalParts<'_>> {
    let rest = bytes.strip_prefix(&HEAD)?;
    let (kid, rest) = rest.split_at_checked(KeyId::LEN)?;
    let rest = rest.strip_prefix(&[0xA0])?;
    let (payload_bstr, sig) = rest.split_at_checked(rest.len().checked_sub(66)?)?;
    let sig = sig.strip_prefix(&SIG_HEAD)?;
    // The payload's header in its shortest form, saying exactly the length that is there.
    let (&first, after) = payload_bstr.split_first()?;
    let (len, payload) = match first {
        0x40..=0x57 => (usize::from(first - 0x40), after),
        0x58 => {
            let (&n, p) = after.split_first()?;
            (n >= 24).then_some((usize::from(n), p))?
        }
        0x59 => {
            let (n, p) = after.split_at_checked(2)?;
            let n = usize::from(u16::from_be_bytes([n[0], n[1]]));
            (n >= 256).then_some((n, p))?
        }
        _ => return None,
    };
    if payload.len() != len {
        return None;
    }
    Some(CanonicalParts {
        key_id: KeyId::from_bytes(kid)?,
        payload_bstr,
        payload,
        signature: sig.try_into().ok()?,
    })
}

/// What [`canonical_parts`] finds.
struct CanonicalParts<'a> {
    key_id: KeyId,
    /// The payload's byte string, header included (as the signed message holds it).
    payload_bstr: &'a [u8],
    payload: &'a [u8],
    signature: &'a [u8; 64],
}

/// The COSE `Sig_structure` `["Signature1", protected, h'', payload]` for the canonical
/// layout: its protected header is `bytes[3..16]`.
fn sig_structure(protected: &[u8], payload_bstr: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(2 + 10 + 1 + protected.len() + 1 + payload_bstr.len());
    m.extend_from_slice(&[0x84, 0x6A]);
    m.extend_from_slice(b"Signature1");
    m.push(0x4D);
    m.extend_from_slice(protected);
    m.push(0x40);
    m.extend_from_slice(payload_bstr);
    m
}

/// Reads sealed bytes strictly, without verifying the signature.
pub fn open(bytes: &[u8]) -> Result<Opened, DecodeError> {
    open_with_hash(bytes, hash(bytes))
}

/// [`open`], for a caller that already has the bytes' SHA-256 (`hash`, trusted to be it).
pub fn open_with_hash(bytes: &[u8], hash: [u8; 32]) -> Result<Opened, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    if bytes.len() > MAX_SEALED_BYTES {
        return Err(DecodeError::TooLarge {
            len: bytes.len(),
            max: MAX_SEALED_BYTES,
        });
    }
    let Some(parts) = canonical_parts(bytes) else {
        return open_general(bytes, hash);
    };
    let certificate = Arc::new(payload::decode(parts.payload)?);
    Ok(Opened {
        key_id: parts.key_id,
        certificate,
        tbs: sig_structure(&bytes[3..16], parts.payload_bstr),
        signature: Signature::from_bytes(parts.signature),
        hash,
    })
}

/// The general path: any CBOR, refused with the precise reason (or, for bytes in the
/// canonical layout, accepted exactly as [`open_with_hash`] accepts them).
fn open_general(bytes: &[u8], hash: [u8; 32]) -> Result<Opened, DecodeError> {
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
    let certificate = Arc::new(payload::decode(payload_bytes)?);
    let tbs = sign1.tbs_data(EXTERNAL_AAD);
    Ok(Opened {
        key_id,
        certificate,
        tbs,
        signature,
        hash,
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

    /// [`Opened::unverified`], shared: for a verdict that shows the facts once the signature
    /// has held, without copying them.
    pub fn unverified_shared(&self) -> Arc<Certificate> {
        Arc::clone(&self.certificate)
    }

    /// SHA-256 of the sealed bytes.
    pub fn hash(&self) -> [u8; 32] {
        self.hash
    }

    /// The signed message (the COSE `Sig_structure`), for a caller that checks the signature
    /// itself (several at once, say) with `verify_strict`'s answers.
    pub fn signed_message(&self) -> &[u8] {
        &self.tbs
    }

    /// The signature.
    pub fn signature(&self) -> &Signature {
        &self.signature
    }

    /// Checks the signature with `verify_strict` and hands out the content.
    pub fn verify(&self, key: &VerifyingKey) -> Result<&Certificate, SignatureError> {
        key.verify_strict(&self.tbs, &self.signature)
            .map_err(|_| SignatureError)?;
        Ok(&self.certificate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector_bytes() -> Vec<Vec<u8>> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors");
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            let line = text.lines().find(|l| !l.starts_with('#')).unwrap_or("");
            if let Ok(qr) = crate::parse_qr_text(line) {
                out.push(qr.bytes);
            }
        }
        out
    }

    type Outcome = Result<(KeyId, Certificate, Vec<u8>, [u8; 64], [u8; 32]), DecodeError>;

    fn outcome(r: Result<Opened, DecodeError>) -> Outcome {
        r.map(|o| {
            (
                o.key_id,
                Arc::unwrap_or_clone(o.certificate),
                o.tbs,
                o.signature.to_bytes(),
                o.hash,
            )
        })
    }

    /// The layout check changes nothing about what is accepted or why something is refused:
    /// every vector and every one-byte change, cut and extension of the valid ones reads the
    /// same through it as through coset alone.
    #[test]
    fn the_canonical_layout_agrees_with_the_general_path() {
        let all = vector_bytes();
        assert!(all.len() >= 40, "only {} vectors", all.len());
        let check = |b: &[u8]| {
            let h = hash(b);
            assert_eq!(
                outcome(open_with_hash(b, h)),
                outcome(open_general(b, h)),
                "{b:02x?}"
            );
        };
        let mut fast = 0;
        for bytes in &all {
            check(bytes);
            if canonical_parts(bytes).is_none() {
                continue;
            }
            fast += 1;
            let sign1 = CoseSign1::from_tagged_slice(bytes).unwrap();
            if let Ok(o) = open(bytes) {
                assert_eq!(o.tbs, sign1.tbs_data(EXTERNAL_AAD));
            }
            for i in 0..bytes.len().min(40) {
                for x in [0x01u8, 0x20, 0x80, 0xFF] {
                    let mut m = bytes.clone();
                    m[i] ^= x;
                    check(&m);
                }
            }
            for cut in [1, 2, 65, 66, 67] {
                check(&bytes[..bytes.len() - cut]);
            }
            let mut longer = bytes.clone();
            longer.push(0);
            check(&longer);
        }
        assert!(fast >= 16, "only {fast} vectors in the canonical layout");
    }
}
