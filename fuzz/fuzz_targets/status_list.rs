//! Status lists: `Signed::<StatusListBody>::parse` on arbitrary bytes, the bitstring's
//! bounded decompression and `is_revoked`. No panic; a decoded bitstring has exactly
//! `max_serial / 8 + 1` bytes and `is_revoked` reads its bits; a list survives its own JSON
//! and, re-signed with a fixed key, verifies. Inputs starting with `#` instead build a list
//! from fuzzed serials (`StatusListBody::new`) and check that it revokes exactly those.
#![no_main]

use std::collections::BTreeSet;

use sonod_keys::{SecretKey, SigningKey};
use sonod_seal::feed::{is_revoked, Signed, StatusListBody, MAX_STATUS_SERIAL};

fn key() -> SecretKey {
    SecretKey::from_signing_key(SigningKey::from_bytes(&[4; 32]))
}

/// Lists as an issuer serves them, and one input for the built lists.
fn write_seeds(dir: &std::path::Path) {
    std::fs::create_dir_all(dir).expect("seed directory");
    for (i, (max, revoked)) in [
        (7u64, vec![3u64]),
        (100_000, vec![1, 8, 99_999]),
        (0, vec![]),
    ]
    .into_iter()
    .enumerate()
    {
        let list = StatusListBody::new(&"100524".parse().unwrap(), 9, max, revoked, 1_780_000_000)
            .sign(&key());
        let json = serde_json::to_vec_pretty(&list).expect("serialises");
        std::fs::write(dir.join(format!("list-{i}")), json).expect("seed written");
    }
    std::fs::write(dir.join("built"), b"#\x00\x01\x03\x00\x08\x00\xff\x00").expect("seed written");
}

sonod_fuzz::seeded_fuzz_target!(write_seeds, |data: &[u8]| {
    if let Some(rest) = data.strip_prefix(b"#") {
        built(rest);
    } else {
        parsed(data);
    }
});

/// A list from the wire.
fn parsed(data: &[u8]) {
    let Ok(list) = Signed::<StatusListBody>::parse(data) else {
        return;
    };
    let json = serde_json::to_vec(&list).expect("a parsed list serialises");
    assert_eq!(
        Signed::<StatusListBody>::parse(&json).expect("a list's own JSON parses"),
        list
    );
    let key = key();
    let _ = list.verify(&key.verifying_key());
    let body = list.signed;
    if let Ok(bits) = body.bitstring() {
        assert!(body.max_serial <= MAX_STATUS_SERIAL);
        assert_eq!(bits.len() as u64, body.max_serial / 8 + 1);
        for serial in [0, 1, 7, 8, body.max_serial, body.max_serial + 1, u64::MAX] {
            let byte = usize::try_from(serial / 8).ok().and_then(|i| bits.get(i));
            let want = byte.is_some_and(|b| b & (0x80 >> (serial % 8)) != 0);
            assert_eq!(is_revoked(&bits, serial), want, "serial {serial}");
        }
    }
    let resigned = body.sign(&key);
    assert_eq!(resigned.verify(&key.verifying_key()), Ok(()));
}

/// A list built from serials: `max_serial` from the first two bytes (kept small for speed),
/// then one serial per two bytes (some above `max_serial`, which the list cannot hold).
fn built(data: &[u8]) {
    let Some((head, rest)) = data.split_first_chunk::<2>() else {
        return;
    };
    let max_serial = u64::from(u16::from_le_bytes(*head));
    let serials: Vec<u64> = rest
        .chunks_exact(2)
        .map(|c| u64::from(u16::from_le_bytes([c[0], c[1]])) + u64::from(c[1] & 0x80) * 1024)
        .collect();
    let body = StatusListBody::new(
        &"100524".parse().unwrap(),
        1,
        max_serial,
        serials.iter().copied(),
        0,
    );
    let bits = body.bitstring().expect("a list's own bitstring decodes");
    assert_eq!(bits.len() as u64, max_serial / 8 + 1);
    let revoked: BTreeSet<u64> = serials.into_iter().filter(|&s| s <= max_serial).collect();
    for s in 0..=max_serial + 9 {
        assert_eq!(is_revoked(&bits, s), revoked.contains(&s), "serial {s}");
    }
    let list = body.sign(&key());
    let json = serde_json::to_vec(&list).expect("serialises");
    let back = Signed::<StatusListBody>::parse(&json).expect("parses");
    assert_eq!(back.verify(&key().verifying_key()), Ok(()));
    assert_eq!(back.signed.bitstring().expect("decodes"), bits);
}
