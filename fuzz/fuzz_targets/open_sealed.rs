//! `sonod_seal::open` on arbitrary bytes: it must never panic, and whatever it accepts must
//! survive re-sealing: the certificate read back from a fresh seal is the same certificate,
//! and the sealed bytes have the same length (only the key id and signature differ).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sonod_keys::{SecretKey, SigningKey};
use sonod_seal::{open, Sealed};

fuzz_target!(|data: &[u8]| {
    let Ok(opened) = open(data) else { return };
    let _ = opened.key_id();
    assert_eq!(opened.hash(), sonod_seal::hash(data));
    let cert = opened.unverified().clone();
    let key = SecretKey::from_signing_key(SigningKey::from_bytes(&[7; 32]));
    let resealed = Sealed::seal(&cert, &key).expect("an opened certificate seals again");
    assert_eq!(resealed.as_bytes().len(), data.len());
    let reopened = open(resealed.as_bytes()).expect("a fresh seal opens");
    assert_eq!(reopened.unverified(), &cert);
    assert!(reopened.verify(&key.verifying_key()).is_ok());
});
