//! Differential: the verifier's batch checks against `ed25519_dalek::VerifyingKey::verify_strict`.
//!
//! The input describes up to three keys and up to 40 signatures (more than one sub-batch of
//! 32), each valid or broken in one of the ways that matter (a flipped bit, another message,
//! another key, a non-canonical `S`, a small-order or non-canonically encoded `R`, an `R` with
//! a small-order component, raw bytes), on the signed messages of four sealed certificates.
//! Then:
//!
//! - `sonod_judge::verify_signatures` (which picks what may go into a batch equation) must
//!   give `verify_strict`'s answer for every signature, except the one case its documentation
//!   names (judge/src/batch.rs): an `R` that is not small-order but has a small-order
//!   component, in a signature that holds up to that component (`[S]B - R - [k]A` is
//!   small-order), by a batchable key. `verify_strict` refuses it; a batch may accept it.
//! - `sonod_judge::batch_equation` on the signatures that `verify_signatures` would put in
//!   a batch (batchable key, `R` canonical and not small-order) holds whenever every one of them
//!   passes `verify_strict`, and when it holds every one that does not is that same case.
#![no_main]

use std::sync::{Arc, OnceLock};

use curve25519_dalek::constants::EIGHT_TORSION;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest, Sha512};
use sonod_judge::{batch_equation, verify_signatures, Reading, SignatureCheck, SignatureKey};
use sonod_keys::{SecretKey, SigningKey};
use sonod_seal::{Certificate, Record, Sealed};

const MESSAGES: usize = 4;
const KEYS: usize = 3;
const MAX_SIGNATURES: usize = 40;

/// Four sealed certificates (serials 1 to 4): their bytes without the signature, and the
/// messages their signatures cover.
fn certificates() -> &'static [(Vec<u8>, Vec<u8>)] {
    static CERTS: OnceLock<Vec<(Vec<u8>, Vec<u8>)>> = OnceLock::new();
    CERTS.get_or_init(|| {
        let record =
            Record::from_json_str(include_str!("../../seal/tests/data/records/character.json"))
                .expect("the test record is valid");
        let key = SecretKey::from_signing_key(SigningKey::from_bytes(&[9; 32]));
        (1..=MESSAGES as u64)
            .map(|serial| {
                let sealed = Sealed::seal(&Certificate::new(serial, &record), &key)
                    .expect("the test record seals");
                let bytes = sealed.as_bytes();
                let opened = sonod_seal::open(bytes).expect("a fresh seal opens");
                (
                    bytes[..bytes.len() - 64].to_vec(),
                    opened.signed_message().to_vec(),
                )
            })
            .collect()
    })
}

/// Reads the fuzz input front to back; zeros when it runs out.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }
    fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        for b in &mut out {
            *b = self.byte();
        }
        out
    }
}

fn hash_scalar(parts: &[&[u8]]) -> Scalar {
    let mut h = Sha512::new();
    for p in parts {
        h.update(p);
    }
    Scalar::from_bytes_mod_order_wide(&h.finalize().into())
}

/// A small-order point (never the identity when `nonzero`).
fn torsion(i: u8, nonzero: bool) -> EdwardsPoint {
    let i = usize::from(i) % 8;
    EIGHT_TORSION[if nonzero && i == 0 { 4 } else { i }]
}

/// A key: its encoding and the secret scalar its signatures are made with (for keys that are
/// not `aB`, the signatures hold only by accident).
struct Key {
    bytes: [u8; 32],
    secret: Scalar,
}

fn key(input: &mut Input<'_>) -> Key {
    let kind = input.byte();
    let seed = input.byte();
    let secret = hash_scalar(&[b"key", &[seed]]);
    let honest = EdwardsPoint::mul_base(&secret);
    let point = match kind % 4 {
        0 | 1 => honest,
        // Not torsion-free: aB + T.
        2 => honest + torsion(seed, true),
        // Raw bytes (when they decode).
        _ => {
            let raw = input.array::<32>();
            if VerifyingKey::from_bytes(&raw).is_ok() {
                return Key { bytes: raw, secret };
            }
            torsion(seed, false)
        }
    };
    Key {
        bytes: point.compress().to_bytes(),
        secret,
    }
}

/// `k = SHA-512(R ‖ A ‖ M) mod ℓ`.
fn challenge(r: &[u8; 32], a: &[u8; 32], m: &[u8]) -> Scalar {
    hash_scalar(&[r, a, m])
}

/// `R`, `S` with `S = r + k·a` for the given `R = [r]B + extra`.
fn sign_with(key: &Key, m: &[u8], r: Scalar, extra: EdwardsPoint) -> [u8; 64] {
    let big_r = (EdwardsPoint::mul_base(&r) + extra).compress().to_bytes();
    let s = r + challenge(&big_r, &key.bytes, m) * key.secret;
    let mut sig = [0u8; 64];
    sig[..32].copy_from_slice(&big_r);
    sig[32..].copy_from_slice(s.as_bytes());
    sig
}

/// ℓ, little-endian.
const ELL: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

fn add_le(a: &[u8], b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let v = u16::from(a[i]) + u16::from(b[i]) + carry;
        out[i] = v as u8;
        carry = v >> 8;
    }
    out
}

/// One signature: which key it is claimed for, which message, its bytes.
struct Item {
    key: usize,
    message: usize,
    signature: [u8; 64],
}

fn item(input: &mut Input<'_>, keys: &[Key], index: usize) -> Item {
    let a = input.byte();
    let variant = input.byte();
    let param = input.byte();
    let k = usize::from(a) % KEYS;
    let m = usize::from(a >> 2) % MESSAGES;
    let message = &certificates()[m].1;
    let nonce = hash_scalar(&[
        b"nonce",
        &(index as u64).to_le_bytes(),
        &[a, variant, param],
    ]);
    let valid = || sign_with(&keys[k], message, nonce, EdwardsPoint::default());
    let signature = match variant % 12 {
        // Valid (the most common case in real batches).
        0..=3 => valid(),
        // One flipped bit anywhere.
        4 => {
            let mut s = valid();
            let bit = (usize::from(variant >> 4) << 8 | usize::from(param)) % 512;
            s[bit / 8] ^= 1 << (bit % 8);
            s
        }
        // Made for another message.
        5 => sign_with(
            &keys[k],
            &certificates()[(m + 1) % MESSAGES].1,
            nonce,
            EdwardsPoint::default(),
        ),
        // Made with another key.
        6 => sign_with(
            &keys[(k + 1) % KEYS],
            message,
            nonce,
            EdwardsPoint::default(),
        ),
        // S + ℓ: the same scalar, not canonical.
        7 => {
            let mut s = valid();
            let high = add_le(&s[32..], &ELL);
            s[32..].copy_from_slice(&high);
            s
        }
        // A small-order R: S = k·a.
        8 => sign_with(&keys[k], message, Scalar::ZERO, torsion(param, false)),
        // R = rB + T, S = r + k·a: holds up to T (the documented exception).
        9 => sign_with(&keys[k], message, nonce, torsion(param, true)),
        // R written non-canonically (y = p + small), S of a valid signature.
        10 => {
            let mut s = valid();
            let mut r = [0xffu8; 32];
            r[0] = 0xed + param % 19;
            r[31] = 0x7f | (variant & 0x80);
            s[..32].copy_from_slice(&r);
            s
        }
        // Raw bytes.
        _ => input.array::<64>(),
    };
    Item {
        key: k,
        message: m,
        signature,
    }
}

/// `verify_strict` as ed25519-dalek has it.
fn strict(key: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
    VerifyingKey::from_bytes(key).is_ok_and(|k| {
        k.verify_strict(message, &Signature::from_bytes(signature))
            .is_ok()
    })
}

/// What `verify_signatures` sends to a batch: a batchable key and an `R` that is canonical and
/// not small-order (an `R` that does not decode may go too; the batch then fails).
fn batch_candidate(key: &SignatureKey, signature: &[u8; 64]) -> bool {
    let r: [u8; 32] = signature[..32].try_into().expect("32 bytes");
    key.batchable()
        && CompressedEdwardsY(r)
            .decompress()
            .is_some_and(|p| p.compress().to_bytes() == r && !p.is_small_order())
}

/// The one documented difference: a batchable key, a canonical `S`, an `R` that decodes
/// canonically, is not small-order but not torsion-free, and `[S]B - R - [k]A` small-order.
fn documented_exception(key: &SignatureKey, message: &[u8], signature: &[u8; 64]) -> bool {
    let r_bytes: [u8; 32] = signature[..32].try_into().expect("32 bytes");
    let s_bytes: [u8; 32] = signature[32..].try_into().expect("32 bytes");
    let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(s_bytes)) else {
        return false;
    };
    let Some(r) = CompressedEdwardsY(r_bytes).decompress() else {
        return false;
    };
    if r.compress().to_bytes() != r_bytes || r.is_small_order() || r.is_torsion_free() {
        return false;
    }
    if !key.batchable() {
        return false;
    }
    let a = key.key().to_edwards();
    let k = challenge(&r_bytes, key.key().as_bytes(), message);
    let defect = EdwardsPoint::mul_base(&s) - r - k * a;
    defect.is_small_order()
}

/// Inputs with honest keys: every kind of signature once, and a batch of valid ones.
fn write_seeds(dir: &std::path::Path) {
    std::fs::create_dir_all(dir).expect("seed directory");
    let keys = [0u8, 1, 0, 2, 1, 3];
    let mut every = keys.to_vec();
    for v in 0u8..12 {
        every.extend_from_slice(&[v.wrapping_mul(5), v, v.wrapping_mul(7)]);
        if v == 11 {
            every.extend_from_slice(&[0x5a; 64]);
        }
    }
    let mut valid = keys.to_vec();
    for i in 0u8..40 {
        valid.extend_from_slice(&[i, i % 4, i]);
    }
    std::fs::write(dir.join("every-kind"), every).expect("seed written");
    std::fs::write(dir.join("valid"), valid).expect("seed written");
}

sonod_fuzz::seeded_fuzz_target!(write_seeds, |data: &[u8]| { check(data) });

fn check(data: &[u8]) {
    let mut input = Input(data);
    let keys: Vec<Key> = (0..KEYS).map(|_| key(&mut input)).collect();
    let signature_keys: Vec<SignatureKey> = keys
        .iter()
        .map(|k| {
            SignatureKey::new(
                VerifyingKey::from_bytes(&k.bytes).expect("keys are chosen to decode"),
            )
        })
        .collect();
    let mut items = Vec::new();
    while !input.0.is_empty() && items.len() < MAX_SIGNATURES {
        let index = items.len();
        items.push(item(&mut input, &keys, index));
    }
    if items.is_empty() {
        return;
    }

    let certs = certificates();
    let readings: Vec<Arc<Reading>> = items
        .iter()
        .map(|it| {
            let mut bytes = certs[it.message].0.clone();
            bytes.extend_from_slice(&it.signature);
            Arc::new(Reading::new(&bytes))
        })
        .collect();
    let checks: Vec<SignatureCheck<'_>> = items
        .iter()
        .zip(&readings)
        .map(|(it, r)| SignatureCheck::new(r, &signature_keys[it.key]))
        .collect();
    let expected: Vec<bool> = items
        .iter()
        .map(|it| strict(&keys[it.key].bytes, &certs[it.message].1, &it.signature))
        .collect();
    for (c, it) in checks.iter().zip(&items) {
        let (m, s) = c.parts().expect("any 64 signature bytes open");
        assert_eq!(m, &certs[it.message].1[..]);
        assert_eq!(s.to_bytes(), it.signature);
    }

    // verify_signatures: verify_strict's answers, but for the documented case.
    let got = verify_signatures(&checks);
    assert_eq!(got.len(), items.len());
    for (i, it) in items.iter().enumerate() {
        let key = &signature_keys[it.key];
        let message = &certs[it.message].1;
        if expected[i] {
            assert!(
                got[i],
                "signature {i}: verify_strict accepts, verify_signatures refuses"
            );
        } else if got[i] {
            assert!(
                documented_exception(key, message, &it.signature),
                "signature {i}: verify_strict refuses, verify_signatures accepts, and it is not \
                 the documented exception"
            );
        }
    }

    // The batch equation itself, on what verify_signatures would batch.
    let batched: Vec<usize> = (0..items.len())
        .filter(|&i| batch_candidate(&signature_keys[items[i].key], &items[i].signature))
        .collect();
    if batched.is_empty() {
        return;
    }
    let messages: Vec<&[u8]> = batched
        .iter()
        .map(|&i| certs[items[i].message].1.as_slice())
        .collect();
    let signatures: Vec<Signature> = batched
        .iter()
        .map(|&i| Signature::from_bytes(&items[i].signature))
        .collect();
    let batch_keys: Vec<SignatureKey> = batched
        .iter()
        .map(|&i| signature_keys[items[i].key])
        .collect();
    let holds = batch_equation(&messages, &signatures, &batch_keys);
    if batched.iter().all(|&i| expected[i]) {
        assert!(
            holds,
            "every signature passes verify_strict, the batch equation fails"
        );
    } else if holds {
        for &i in batched.iter().filter(|&&i| !expected[i]) {
            let it = &items[i];
            assert!(
                documented_exception(&signature_keys[it.key], &certs[it.message].1, &it.signature),
                "signature {i}: refused by verify_strict, in a batch that holds, and not the \
                 documented exception"
            );
        }
    }
}
