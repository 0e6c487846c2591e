//! `TrustList::load` on arbitrary bytes with a fixed root key: no panic, whatever the input;
//! a list that loads survives its own JSON.
#![no_main]

use sonod_keys::{Environment, SecretKey, SigningKey, TrustEntry, TrustList, TrustListDraft};
use time::macros::date;

fn root() -> SecretKey {
    SecretKey::from_signing_key(SigningKey::from_bytes(&[1; 32]))
}

/// A list the root signed (two offices, one key retired), so that the fuzzer starts from
/// the shape that loads. With `SONOD_FUZZ_SEEDS=DIR` set, written into DIR at start.
fn write_seeds(dir: &std::path::Path) {
    let mut draft = TrustListDraft::new(date!(2027 - 11 - 28), Environment::Production);
    for (seed, office) in [(2u8, "100524"), (3, "100525")] {
        let key = SecretKey::from_signing_key(SigningKey::from_bytes(&[seed; 32]));
        draft
            .add_key(TrustEntry::new(
                key.verifying_key(),
                office.parse().expect("an office code"),
                "সাভার পৌরসভা",
                "Savar Paurashava",
                date!(2026 - 01 - 01),
                date!(2027 - 12 - 31),
                vec!["VERIFY.SONOD.GOV.BD".to_owned()],
            ))
            .expect("a valid entry");
    }
    draft
        .sign_on(&root(), None, date!(2026 - 11 - 28))
        .expect("signs");
    std::fs::create_dir_all(dir).expect("seed directory");
    std::fs::write(dir.join("signed"), draft.to_json_pretty()).expect("seed written");
}

sonod_fuzz::seeded_fuzz_target!(write_seeds, |data: &[u8]| { check(data) });

fn check(data: &[u8]) {
    let root = root().verifying_key();
    let today = date!(2026 - 11 - 28);
    if let Ok(list) = TrustList::load(data, &root, today) {
        // Only a list the root signed loads (mutations of the seed's unsigned parts, or the
        // seed itself): its accessors hold up, and its own JSON verifies again as it is.
        for entry in list.entries() {
            assert!(list.entry(&entry.key_id).is_some());
        }
        let again = TrustList::load(list.to_json_pretty().as_bytes(), &root, today)
            .expect("a loaded list's own JSON loads");
        assert_eq!(again.entries(), list.entries());
        assert_eq!(again.sequence(), list.sequence());
    }
}
