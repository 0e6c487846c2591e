//! The signature arithmetic itself: `verify_strict` one signature at a time, and the batch
//! equation ([`crate::verify_signatures`] decides which signatures may go into it).
//!
//! By default this is the workspace's ed25519-dalek 2 (curve25519-dalek 4, which picks its
//! AVX2 backend at run time). With the `dalek3` feature the same checks are made with
//! ed25519-dalek 3 on curve25519-dalek 5: built for a CPU with AVX-512 IFMA (`RUSTFLAGS="-C
//! target-cpu=native"` on such a machine, which turns on the `avx512ifma` and `avx512vl`
//! target features), curve25519-dalek 5 compiles in its IFMA backend on stable Rust, about 1.6
//! times faster here. Keys, signatures and messages are the same bytes either way; both
//! versions' `verify_strict` and `verify_batch` make the same checks (cofactorless, canonical
//! `S`, small-order keys and `R`s refused by `verify_strict`).

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
        let v3_keys: Option<Vec<ed25519_dalek3::VerifyingKey>> =
            keys.iter().map(|k| k.v3).collect();
        if let Some(v3_keys) = v3_keys {
            let sigs: Vec<ed25519_dalek3::Signature> = signatures
                .iter()
                .map(|s| ed25519_dalek3::Signature::from_bytes(&s.to_bytes()))
                .collect();
            return ed25519_dalek3::verify_batch(messages, &sigs, &v3_keys).is_ok();
        }
    }
    let keys: Vec<VerifyingKey> = keys.iter().map(|k| k.key).collect();
    ed25519_dalek::verify_batch(messages, signatures, &keys).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

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
