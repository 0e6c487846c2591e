//! Checking many signatures at once, with exactly the answers of `verify_strict`.
//!
//! The batch equation ([`crate::batch_equation`]: ed25519-dalek 2.2's, with the terms of one
//! key added up) checks one random linear combination of the signatures' equations. It is
//! cofactorless (like `verify_strict`), refuses a non-canonical `S`
//! (`Scalar::from_canonical_bytes`) and fails on an `R` that does not decode. What it does
//! **not** do, and `verify_strict` does, is refuse small-order keys and `R`s and compare `R`'s
//! exact encoding. So before a signature goes into a batch we look at it, and send it to a
//! single `verify_strict` instead when:
//!
//! - the key is weak (`VerifyingKey::is_weak`, a small-order point) or not torsion-free (a
//!   key the authority should never have listed; [`crate::SignatureKey::batchable`], learnt once per
//!   key when the trust list is loaded);
//! - `R`'s encoding is not canonical (its y coordinate is not below p), so `verify_strict`'s
//!   byte comparison with the recomputed `R` fails;
//! - `R`'s y coordinate is that of one of the eight small-order points.
//!
//! When a batch fails, it is checked again in smaller batches, and a small batch that fails
//! has every signature in it checked alone with `verify_strict`, which finds the bad ones. The one difference left: an `R` that is not small-order but has a
//! small-order component (`rB + T`). Only the key's holder can make such a signature (it needs
//! the secret scalar); `verify_strict` refuses it, the batch equation accepts it when the
//! batch's random coefficient for it is a multiple of `T`'s order. Telling would cost a
//! scalar multiplication per signature, as much as the single check the batch saves.

use std::sync::OnceLock;

use curve25519_dalek::constants::EIGHT_TORSION;
use ed25519_dalek::Signature;

use crate::judge::SignatureCheck;
use crate::signature::verify_batch;

/// Signatures checked together (16 µs a signature at 256 against 22 µs at 64 and 48 µs alone,
/// on the development machine). A batch that fails is checked again in batches of 32, and
/// those that fail one by one.
pub const BATCH_CHUNK: usize = 256;

/// Checks every signature; the answers are in order and the same as `verify_strict`'s (see
/// the module documentation for the one exception, reachable only with the secret key).
pub fn verify_signatures(checks: &[SignatureCheck<'_>]) -> Vec<bool> {
    let mut out = vec![false; checks.len()];
    let mut batchable = Vec::with_capacity(checks.len());
    for (i, c) in checks.iter().enumerate() {
        match c.parts() {
            Some((_, sig)) if c.signature_key().batchable() && r_is_batchable(sig) => {
                batchable.push(i)
            }
            _ => out[i] = c.verify_strict(),
        }
    }
    for chunk in batchable.chunks(BATCH_CHUNK) {
        check_chunk(checks, chunk, &mut out);
    }
    out
}

/// A failed batch is split into batches of this size before single checks.
const SUB_CHUNK: usize = 32;

/// Batch-checks the signatures at `indices`; when that fails, smaller batches, then one by one.
fn check_chunk(checks: &[SignatureCheck<'_>], indices: &[usize], out: &mut [bool]) {
    if let [only] = indices {
        out[*only] = checks[*only].verify_strict();
        return;
    }
    let mut messages = Vec::with_capacity(indices.len());
    let mut signatures = Vec::with_capacity(indices.len());
    let mut keys = Vec::with_capacity(indices.len());
    for &i in indices {
        if let Some((m, s)) = checks[i].parts() {
            messages.push(m);
            signatures.push(*s);
            keys.push(*checks[i].signature_key());
        }
    }
    if messages.len() == indices.len() && verify_batch(&messages, &signatures, &keys) {
        for &i in indices {
            out[i] = true;
        }
    } else if indices.len() > SUB_CHUNK {
        for sub in indices.chunks(SUB_CHUNK) {
            check_chunk(checks, sub, out);
        }
    } else {
        for &i in indices {
            out[i] = checks[i].verify_strict();
        }
    }
}

/// The y coordinates (sign bit cleared) of the eight small-order points.
fn small_order_ys() -> &'static [[u8; 32]] {
    static YS: OnceLock<Vec<[u8; 32]>> = OnceLock::new();
    YS.get_or_init(|| {
        let mut ys: Vec<[u8; 32]> = EIGHT_TORSION
            .iter()
            .map(|p| {
                let mut y = p.compress().to_bytes();
                y[31] &= 0x7f;
                y
            })
            .collect();
        ys.sort_unstable();
        ys.dedup();
        ys
    })
}

/// False when `verify_strict` would refuse `R` for its encoding or order alone.
fn r_is_batchable(sig: &Signature) -> bool {
    let mut y = *sig.r_bytes();
    y[31] &= 0x7f;
    // y >= p = 2^255 - 19: a non-canonical encoding.
    let non_canonical = y[31] == 0x7f && y[1..31].iter().all(|&b| b == 0xff) && y[0] >= 0xed;
    !non_canonical && !small_order_ys().contains(&y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::edwards::CompressedEdwardsY;

    #[test]
    fn small_order_and_non_canonical_rs_are_not_batched() {
        assert_eq!(
            small_order_ys().len(),
            5,
            "y = 1, -1, 0 and the two order-8 ys"
        );
        for p in EIGHT_TORSION.iter() {
            for sign in [0u8, 0x80] {
                let mut r = p.compress().to_bytes();
                r[31] = (r[31] & 0x7f) | sign;
                let mut sig = [0u8; 64];
                sig[..32].copy_from_slice(&r);
                assert!(!r_is_batchable(&Signature::from_bytes(&sig)));
            }
        }
        // y = p + 1 (the identity, written non-canonically).
        let mut r = [0xffu8; 32];
        r[0] = 0xee;
        r[31] = 0x7f;
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&r);
        assert!(!r_is_batchable(&Signature::from_bytes(&sig)));
    }

    #[test]
    fn the_filter_agrees_with_decompression() {
        // Every encoding the filter lets through that decodes is a canonical, non-small-order
        // point; deterministic pseudo-random inputs.
        let mut state = 0x1234_5678_9abc_def0_u64;
        for _ in 0..2000 {
            let mut r = [0u8; 32];
            for b in r.iter_mut() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                *b = state as u8;
            }
            let mut sig = [0u8; 64];
            sig[..32].copy_from_slice(&r);
            if r_is_batchable(&Signature::from_bytes(&sig)) {
                if let Some(p) = CompressedEdwardsY(r).decompress() {
                    assert!(!p.is_small_order());
                    assert_eq!(p.compress().to_bytes(), r);
                }
            }
        }
    }
}
