//! `TrustList::load` on arbitrary bytes with a fixed root key: no panic, whatever the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sonod_keys::{SecretKey, SigningKey, TrustList};
use time::macros::date;

fuzz_target!(|data: &[u8]| {
    let root = SecretKey::from_signing_key(SigningKey::from_bytes(&[1; 32])).verifying_key();
    if let Ok(list) = TrustList::load(data, &root, date!(2026 - 11 - 28)) {
        // Only a list the root signed loads; if one ever does, its accessors must hold up.
        for entry in list.entries() {
            assert!(list.entry(&entry.key_id).is_some());
        }
        let _ = list.to_json_pretty();
    }
});
