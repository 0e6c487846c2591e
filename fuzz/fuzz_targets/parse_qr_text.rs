//! `sonod_seal::parse_qr_text` on arbitrary UTF-8: no panic, and what it accepts stays within
//! the format's limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sonod_seal::{parse_qr_text, MAX_SEALED_BYTES};

fuzz_target!(|text: &str| {
    let Ok(payload) = parse_qr_text(text) else {
        return;
    };
    assert!(payload.bytes.len() <= MAX_SEALED_BYTES);
    if let Some(host) = &payload.host {
        assert_eq!(host, &host.to_ascii_uppercase());
    }
});
