//! Anti-forgery: no change to a sealed certificate survives verification.

mod common;

use proptest::prelude::*;
use sonod_seal::{open, Certificate, Record, Sealed};

fn benchmark() -> Vec<u8> {
    let record = Record::from_json_str(include_str!("data/benchmark-record.json")).expect("record");
    Sealed::seal(
        &Certificate::new(123_456, &record),
        &common::key(common::KEY1),
    )
    .expect("seal")
    .into_bytes()
}

/// True when `bytes` would be accepted as a certificate signed by the trusted key.
fn accepted(bytes: &[u8]) -> bool {
    let k = common::key(common::KEY1);
    open(bytes).is_ok_and(|o| o.key_id() == k.key_id() && o.verify(&k.verifying_key()).is_ok())
}

#[test]
fn every_single_byte_change_is_rejected() {
    let good = benchmark();
    assert!(accepted(&good));
    let mut tried = 0;
    let mut opened = 0;
    for i in 0..good.len() {
        for v in 0..=255u8 {
            if v == good[i] {
                continue;
            }
            let mut bad = good.clone();
            bad[i] = v;
            tried += 1;
            // Structural checks reject most changes; the rest must fail the signature.
            if open(&bad).is_ok() {
                opened += 1;
            }
            assert!(!accepted(&bad), "byte {i} set to {v:#04x} was accepted");
        }
    }
    assert_eq!(tried, good.len() * 255);
    // The exhaustive test must reach the signature check, not only the parser.
    assert!(
        opened > good.len(),
        "only {opened} changed payloads got past the parser"
    );
}

#[test]
fn truncations_and_extensions_are_rejected() {
    let good = benchmark();
    for n in 0..good.len() {
        assert!(!accepted(&good[..n]), "truncated to {n}");
    }
    for extra in [0x00u8, 0xFF, 0xF6] {
        let mut longer = good.clone();
        longer.push(extra);
        assert!(!accepted(&longer));
    }
}

proptest! {
    #[test]
    fn open_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = open(&bytes);
    }

    #[test]
    fn open_never_panics_on_mutated_certificates(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        let mut bytes = benchmark();
        for (i, v) in edits {
            let n = bytes.len();
            bytes[i % n] = v;
        }
        let changed = bytes != benchmark();
        prop_assert!(!changed || !accepted(&bytes));
    }
}
