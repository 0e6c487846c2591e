//! The signature arithmetic itself: `verify_strict` one signature at a time, and the batch
//! equation ([`crate::verify_signatures`] decides which signatures may go into it).
//!
//! By default this is the workspace's ed25519-dalek 2 (curve25519-dalek 4, which picks its
//! AVX2 backend at run time). With the `dalek3` feature the same checks are made with
//! ed25519-dalek 3 on curve25519-dalek 5: built for a CPU with AVX-512 IFMA (`RUSTFLAGS="-C
//! target-cpu=native"` on such a machine, which turns on the `avx512ifma` and `avx512vl`
//! target features), curve25519-dalek 5 compiles in its IFMA backend on stable Rust, about 1.6
//! times faster here. Keys, signatures and messages are the same bytes either way; both
//! versions' `verify_strict` make the same checks (cofactorless, canonical `S`, small-order
//! keys and `R`s refused).
//!
//! The batch equation is this module's own ([`batch_equation`]: the one ed25519-dalek 2.2
//! checks, with the terms of one key added up, on curve25519-dalek's multiscalar
//! multiplication; on curve25519-dalek 5 with `dalek3`).

use ed25519_dalek::{Signature, VerifyingKey};

/// Which library checks signatures in this build, for reports and benchmarks.
pub const SIGNATURE_BACKEND: &str = if cfg!(feature = "dalek3") {
    if cfg!(all(
        target_feature = "avx512ifma",
        target_feature = "avx512vl"
    )) {
        "ed25519-dalek 3 / curve25519-dalek 5, AVX-512 IFMA"
    } else {
        "ed25519-dalek 3 / curve25519-dalek 5"
    }
} else {
    "ed25519-dalek 2 / curve25519-dalek 4"
};

/// An office key, ready for checks (with `dalek3`, also in ed25519-dalek 3's form, decoded
/// once rather than on every check).
#[derive(Debug, Clone, Copy)]
pub struct SignatureKey {
    key: VerifyingKey,
    /// Whether signatures by this key may go into a batch equation (see `crate::batch`).
    batchable: bool,
    #[cfg(feature = "dalek3")]
    v3: Option<ed25519_dalek3::VerifyingKey>,
}

impl SignatureKey {
    /// Prepares `key` for checks (a scalar multiplication, to learn whether it is
    /// torsion-free: do it once per key, not per check).
    pub fn new(key: VerifyingKey) -> SignatureKey {
        SignatureKey {
            batchable: !key.is_weak() && key.to_edwards().is_torsion_free(),
            #[cfg(feature = "dalek3")]
            v3: ed25519_dalek3::VerifyingKey::from_bytes(key.as_bytes()).ok(),
            key,
        }
    }

    /// The key.
    pub fn key(&self) -> &VerifyingKey {
        &self.key
    }

    /// Whether its signatures may be checked in a batch equation: not a small-order point and
    /// torsion-free (a key the authority should never have listed otherwise).
    pub fn batchable(&self) -> bool {
        self.batchable
    }

    /// `verify_strict` of `signature` on `message`.
    pub fn verify_strict(&self, message: &[u8], signature: &Signature) -> bool {
        #[cfg(feature = "dalek3")]
        if let Some(v3) = &self.v3 {
            let sig = ed25519_dalek3::Signature::from_bytes(&signature.to_bytes());
            return v3.verify_strict(message, &sig).is_ok();
        }
        self.key.verify_strict(message, signature).is_ok()
    }
}

/// The batch equation over all of them (true: every signature holds, as far as the batch
/// equation can tell; see [`crate::verify_signatures`] for what it cannot).
pub fn verify_batch(messages: &[&[u8]], signatures: &[Signature], keys: &[SignatureKey]) -> bool {
    #[cfg(feature = "dalek3")]
    {
        if keys.iter().all(|k| k.v3.is_some()) {
            return batch_equation_v3(messages, signatures, keys);
        }
    }
    batch_equation(messages, signatures, keys)
}

/// Writes the batch equation for one version of curve25519-dalek (`$curve`), `$point` giving
/// a key's point in that version.
macro_rules! batch_equation {
    ($(#[$doc:meta])* $name:ident, $curve:ident, $point:expr) => {
        $(#[$doc])*
        pub(crate) fn $name(
            messages: &[&[u8]],
            signatures: &[Signature],
            keys: &[SignatureKey],
        ) -> bool {
            use $curve::constants::ED25519_BASEPOINT_POINT;
            use $curve::edwards::{CompressedEdwardsY, EdwardsPoint};
            use $curve::scalar::Scalar;
            use $curve::traits::{IsIdentity, VartimeMultiscalarMul};
            use rand_core::{OsRng, RngCore};
            use sha2::{Digest, Sha512};

            let n = signatures.len();
            if messages.len() != n || keys.len() != n {
                return false;
            }
            let mut random = vec![0u8; 16 * n];
            if OsRng.try_fill_bytes(&mut random).is_err() {
                // No batch without unpredictable coefficients: the caller checks one by one.
                return false;
            }
            // R terms first, then B, then one term per key.
            let mut scalars: Vec<Scalar> = Vec::with_capacity(n + 2);
            let mut points: Vec<EdwardsPoint> = Vec::with_capacity(n + 2);
            let mut key_terms: Vec<(&SignatureKey, Scalar)> = Vec::new();
            let mut b_coefficient = Scalar::ZERO;
            for (((message, signature), key), z) in messages
                .iter()
                .zip(signatures)
                .zip(keys)
                .zip(random.chunks_exact(16))
            {
                let Some(s) = Option::<Scalar>::from(Scalar::from_canonical_bytes(*signature.s_bytes()))
                else {
                    return false;
                };
                let Some(r) = CompressedEdwardsY(*signature.r_bytes()).decompress() else {
                    return false;
                };
                let mut hash = Sha512::new();
                hash.update(signature.r_bytes());
                hash.update(key.key.as_bytes());
                hash.update(message);
                let k = Scalar::from_bytes_mod_order_wide(&hash.finalize().into());
                let mut z_bytes = [0u8; 32];
                z_bytes[..16].copy_from_slice(z);
                let z = Scalar::from_bytes_mod_order(z_bytes);
                b_coefficient += z * s;
                scalars.push(z);
                points.push(r);
                match key_terms
                    .iter_mut()
                    .find(|(k, _)| k.key.as_bytes() == key.key.as_bytes())
                {
                    Some((_, c)) => *c += z * k,
                    None => key_terms.push((key, z * k)),
                }
            }
            scalars.push(-b_coefficient);
            points.push(ED25519_BASEPOINT_POINT);
            for (key, c) in key_terms {
                let Some(point) = ($point)(key) else {
                    return false;
                };
                scalars.push(c);
                points.push(point);
            }
            EdwardsPoint::vartime_multiscalar_mul(scalars, points).is_identity()
        }
    };
}

batch_equation!(
    /// The batch equation, cofactorless as in `ed25519_dalek::verify_batch` 2.2, with one term
    /// per *key* rather than per signature.
    ///
    /// Each signature `(R, S)` by key `A` on message `M` holds when `[S]B = R + [k]A`, with
    /// `k = SHA-512(R ‖ A ‖ M) mod ℓ` (RFC 8032). With a random 128-bit `zᵢ` for each, the batch
    /// checks `Σ zᵢRᵢ + Σ_A (Σ_{i by A} zᵢkᵢ) A − (Σ zᵢSᵢ) B = 0`: if every signature holds the
    /// sum is the identity, and if one does not it is the identity only with probability
    /// 2⁻¹²⁸, as the `zᵢ` are unknown to whoever made the signatures. ed25519-dalek writes a term
    /// `(zᵢkᵢ) Aᵢ` for every signature, 2n + 1 points in the multiscalar multiplication; a batch
    /// here is almost always signed by one office key, so adding up the coefficients of the same
    /// key (as ed25519-zebra does) leaves n + 2 points and about 45 % less work. The `zᵢ` come
    /// from the operating system's generator (`OsRng`), not from the signatures, so they cannot
    /// be chosen against.
    ///
    /// `S` must be canonical (below ℓ) and `R` must decode, as in ed25519-dalek; everything else
    /// `verify_strict` refuses is kept out of batches by the caller ([`crate::verify_signatures`]).
    batch_equation,
    curve25519_dalek,
    |k: &SignatureKey| Some(k.key.to_edwards())
);

#[cfg(feature = "dalek3")]
batch_equation!(
    /// [`batch_equation`] on curve25519-dalek 5, for the `dalek3` build.
    batch_equation_v3,
    curve25519_dalek5,
    |k: &SignatureKey| k.v3.map(|v| v.to_edwards())
);

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    /// Deterministic keys and messages for the tests.
    fn signed(keys: usize, n: usize) -> (Vec<SignatureKey>, Vec<Vec<u8>>, Vec<Signature>) {
        let signers: Vec<SigningKey> = (0..keys)
            .map(|k| SigningKey::from_bytes(&[k as u8 + 1; 32]))
            .collect();
        let messages: Vec<Vec<u8>> = (0..n)
            .map(|i| format!("certificate {i} of the batch").into_bytes())
            .collect();
        let sigs = messages
            .iter()
            .enumerate()
            .map(|(i, m)| signers[i % keys].sign(m))
            .collect();
        let keys = (0..n)
            .map(|i| SignatureKey::new(signers[i % keys].verifying_key()))
            .collect();
        (keys, messages, sigs)
    }

    #[test]
    fn the_merged_equation_holds_for_good_batches_of_several_keys() {
        for (k, n) in [(1, 1), (1, 2), (1, 64), (2, 7), (3, 100)] {
            let (keys, messages, sigs) = signed(k, n);
            let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
            assert!(
                batch_equation(&refs, &sigs, &keys),
                "{k} keys, {n} signatures"
            );
            let plain: Vec<VerifyingKey> = keys.iter().map(|k| k.key).collect();
            assert!(ed25519_dalek::verify_batch(&refs, &sigs, &plain).is_ok());
        }
    }

    /// Messages, signatures and keys of a batch.
    type Case = (Vec<Vec<u8>>, Vec<Signature>, Vec<SignatureKey>);

    /// One bad signature anywhere in a batch fails it, whatever is wrong with it: the same
    /// answer as ed25519-dalek's own batch check and as `verify_strict` of the bad one.
    #[test]
    fn one_bad_signature_fails_the_merged_equation() {
        let (keys, messages, sigs) = signed(3, 40);
        let plain: Vec<VerifyingKey> = keys.iter().map(|k| k.key).collect();
        for i in [0, 1, 17, 39] {
            let mut cases: Vec<Case> = Vec::new();
            // Another message.
            let mut m = messages.clone();
            m[i].push(b'!');
            cases.push((m, sigs.clone(), keys.clone()));
            // Another R (that of the next signature) and another S (S + 1, still canonical).
            let mut s = sigs.clone();
            let mut bytes = s[i].to_bytes();
            bytes[..32].copy_from_slice(sigs[(i + 1) % 40].r_bytes());
            s[i] = Signature::from_bytes(&bytes);
            cases.push((messages.clone(), s, keys.clone()));
            let mut s = sigs.clone();
            let mut bytes = s[i].to_bytes();
            bytes[32] = bytes[32].wrapping_add(1);
            s[i] = Signature::from_bytes(&bytes);
            cases.push((messages.clone(), s, keys.clone()));
            // Claimed for another key (of the batch).
            let mut k = keys.clone();
            k[i] = keys[usize::from(i % 3 == 0)];
            cases.push((messages.clone(), sigs.clone(), k));
            // Two signatures swapped.
            let mut s = sigs.clone();
            s.swap(i, (i + 3) % 40);
            cases.push((messages.clone(), s, keys.clone()));
            for (c, (m, s, k)) in cases.iter().enumerate() {
                let refs: Vec<&[u8]> = m.iter().map(Vec::as_slice).collect();
                assert!(!verify_batch(&refs, s, k), "signature {i}, case {c}");
                let plain: Vec<VerifyingKey> = k.iter().map(|k| k.key).collect();
                assert!(ed25519_dalek::verify_batch(&refs, s, &plain).is_err());
                assert!(!k[i].verify_strict(refs[i], &s[i]));
            }
        }
        // A non-canonical S (S + 2^255) is refused, as by both of dalek's checks.
        let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
        let mut s = sigs.clone();
        let mut bytes = s[5].to_bytes();
        bytes[63] |= 0x80;
        s[5] = Signature::from_bytes(&bytes);
        assert!(!verify_batch(&refs, &s, &keys));
        assert!(ed25519_dalek::verify_batch(&refs, &s, &plain).is_err());
        // Lengths that do not agree.
        assert!(!verify_batch(&refs[..3], &sigs[..4], &keys[..4]));
    }

    #[test]
    fn strict_and_batch_answers() {
        let sk = SigningKey::from_bytes(&[7u8; 32]);
        let key = SignatureKey::new(sk.verifying_key());
        let messages: Vec<Vec<u8>> = (0..4u8).map(|i| vec![i; 40]).collect();
        let sigs: Vec<Signature> = messages.iter().map(|m| sk.sign(m)).collect();
        let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
        assert!(refs.iter().zip(&sigs).all(|(m, s)| key.verify_strict(m, s)));
        assert!(verify_batch(&refs, &sigs, &[key; 4]));
        assert!(!key.verify_strict(b"other", &sigs[0]));
        let mut swapped = sigs.clone();
        swapped.swap(0, 1);
        assert!(!verify_batch(&refs, &swapped, &[key; 4]));
        // A non-canonical S (S + l) is refused by both.
        let mut bytes = sigs[0].to_bytes();
        bytes[63] |= 0x80;
        assert!(!key.verify_strict(refs[0], &Signature::from_bytes(&bytes)));
    }
}
