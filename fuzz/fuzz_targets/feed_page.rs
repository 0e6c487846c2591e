//! The issuer's feed pages: `Signed::<FeedPageBody>::parse` on arbitrary bytes, then the page
//! check (`verify`). No panic; an accepted page survives its own JSON; and, re-signed with a
//! fixed key (the fuzzer cannot forge signatures, so without this the order checks behind the
//! signature would never run), `verify` accepts exactly the pages whose events run gap-free
//! from `after + 1` to at most `head`, no more than `MAX_PAGE_EVENTS` of them.
#![no_main]

use sonod_keys::{SecretKey, SigningKey};
use sonod_seal::feed::{
    Event, EventKind, FeedError, FeedPageBody, RevocationReason, Signed, MAX_PAGE_EVENTS,
};

fn key() -> SecretKey {
    SecretKey::from_signing_key(SigningKey::from_bytes(&[3; 32]))
}

/// Pages as an issuer serves them, signed with the target's key.
fn write_seeds(dir: &std::path::Path) {
    let key = key();
    let kinds = [
        EventKind::Issued {
            serial: 1,
            key_id: key.key_id(),
            hash: "ab".repeat(32),
        },
        EventKind::Resealed {
            serial: 1,
            key_id: key.key_id(),
            hash: "cd".repeat(32),
        },
        EventKind::Revoked {
            serial: 1,
            reason: RevocationReason::Fraud,
        },
    ];
    std::fs::create_dir_all(dir).expect("seed directory");
    for (i, after) in [0u64, 41, u64::MAX - 3].into_iter().enumerate() {
        let events = kinds
            .iter()
            .enumerate()
            .map(|(n, kind)| Event {
                seq: after + 1 + n as u64,
                at: 1_780_000_000 + n as i64,
                kind: kind.clone(),
            })
            .collect();
        let page = FeedPageBody {
            format: sonod_seal::feed::FEED_FORMAT.into(),
            office: "100524".parse().unwrap(),
            after,
            events,
            head: after + 3,
            generated_at: 1_780_000_100,
            prev: None,
            chain: None,
        }
        .sign(&key);
        let json = serde_json::to_vec_pretty(&page).expect("serialises");
        std::fs::write(dir.join(format!("page-{i}")), json).expect("seed written");
    }
}

sonod_fuzz::seeded_fuzz_target!(write_seeds, |data: &[u8]| { check(data) });

fn check(data: &[u8]) {
    let Ok(page) = Signed::<FeedPageBody>::parse(data) else {
        return;
    };
    let json = serde_json::to_vec(&page).expect("a parsed page serialises");
    let again = Signed::<FeedPageBody>::parse(&json).expect("a page's own JSON parses");
    assert_eq!(again, page);

    let key = key();
    // The page as it came: signed by whoever; no panic whatever the key.
    let _ = page.verify(&key.verifying_key());

    let body = page.signed;
    let ordered = body.events.len() <= MAX_PAGE_EVENTS
        && body
            .events
            .iter()
            .enumerate()
            .all(|(i, e)| body.after.checked_add(1 + i as u64) == Some(e.seq))
        && body.events.last().is_none_or(|e| e.seq <= body.head);
    let resigned = body.sign(&key);
    let expected = if ordered {
        Ok(())
    } else {
        Err(FeedError::OutOfOrder)
    };
    assert_eq!(resigned.verify(&key.verifying_key()), expected);
}
