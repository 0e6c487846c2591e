//! Sonod compact text: every text has exactly one encoding, so whatever decodes must encode
//! back to the very same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sonod_seal::text::{decode, encode};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = decode(data) {
        assert_eq!(encode(&text).expect("decoded text encodes"), data);
    }
});
