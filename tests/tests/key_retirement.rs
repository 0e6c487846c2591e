//! A retired key signs nothing after its retirement day (issue #12, point 6), as the judge —
//! the verifier service's and the scanner's — sees it.
//!
//! Certificates are sealed straight with the `seal` library and the old key, as whoever still
//! holds a rotated-out key would: the issuer would refuse them.

use sonod_keys::{Environment, SecretKey, SigningKey, TrustEntry, TrustList, TrustListDraft};
use sonod_seal::{Certificate, Record, Sealed};
use sonod_verifier::{Judge, NoFeed, Unchecked, VerdictKind};
use time::macros::date;
use time::Date;

/// The day the verifier judges on, after the retirement.
const TODAY: Date = date!(2026 - 08 - 15);
/// The old key's last signing day.
const RETIRED_ON: Date = date!(2026 - 06 - 30);

fn key(seed: u8) -> SecretKey {
    SecretKey::from_signing_key(SigningKey::from_bytes(&[seed; 32]))
}

fn entry(k: &SecretKey, not_before: Date) -> TrustEntry {
    TrustEntry::new(
        k.verifying_key(),
        "100524".parse().unwrap(),
        "সাভার পৌরসভা",
        "Savar Paurashava",
        not_before,
        date!(2027 - 12 - 31),
        vec!["VERIFY.SONOD.GOV.BD".to_owned()],
    )
}

/// The office's 2026 key rotated out on [`RETIRED_ON`]: retired that day, its window still
/// open to the end of 2027. With `rotate = false`, the same list with the old key still active.
fn judge_of(rotate: bool) -> Judge {
    let (root, old, new) = (key(1), key(2), key(3));
    let mut d = TrustListDraft::new(date!(2027 - 06 - 30), Environment::Production);
    d.add_key(entry(&old, date!(2026 - 01 - 01))).expect("add");
    if rotate {
        d.rotate(
            old.key_id(),
            new.verifying_key(),
            RETIRED_ON,
            date!(2027 - 12 - 31),
            RETIRED_ON,
        )
        .expect("rotate");
    }
    d.sign_on(&root, None, TODAY).expect("sign");
    let list =
        TrustList::load(d.to_json_pretty().as_bytes(), &root.verifying_key(), TODAY).expect("load");
    Judge::new(list)
}

/// The benchmark record dated `issued`, sealed as serial 7 with `key`.
fn sealed_on(key: &SecretKey, issued: Date) -> String {
    let mut v: serde_json::Value =
        serde_json::from_str(include_str!("../../seal/tests/data/benchmark-record.json"))
            .expect("json");
    v["issued"] = serde_json::json!(issued.to_string());
    v["expires"] = serde_json::json!("2028-06-30");
    let record = Record::from_json(&v).expect("record");
    Sealed::seal(&Certificate::new(7, &record), key)
        .expect("seal")
        .to_qr_text(None)
}

#[test]
fn a_retired_key_claiming_a_date_after_its_retirement_is_an_untrusted_issuer() {
    let judge = judge_of(true);
    let old = key(2);
    for issued in [date!(2026 - 07 - 01), date!(2026 - 08 - 15)] {
        let v = judge.judge(&sealed_on(&old, issued), TODAY, &NoFeed);
        assert_eq!(v.kind, VerdictKind::UntrustedIssuer, "issued {issued}");
        assert!(v.certificate.is_none(), "no signed facts for {issued}");
        assert_eq!(v.reason.as_str(), "key_not_valid_then", "issued {issued}");
        assert!(
            v.reason_en
                .contains("signing key was not in use on the issue date"),
            "{}",
            v.reason_en
        );
    }
    // Before the rotation, the same certificate was judged on its signature alone.
    let unrotated = judge_of(false);
    let v = unrotated.judge(&sealed_on(&old, date!(2026 - 07 - 01)), TODAY, &NoFeed);
    assert_eq!(v.kind, VerdictKind::Unconfirmed, "{}", v.reason_en);
}

#[test]
fn a_retired_key_stays_good_for_what_it_signed_on_or_before_its_retirement() {
    let judge = judge_of(true);
    let old = key(2);
    for issued in [date!(2026 - 01 - 01), date!(2026 - 03 - 10), RETIRED_ON] {
        let v = judge.judge(&sealed_on(&old, issued), TODAY, &NoFeed);
        // Genuine: only the feed, which a trust list alone does not have, is unchecked.
        assert_eq!(
            v.kind,
            VerdictKind::Unconfirmed,
            "issued {issued}: {}",
            v.reason_en
        );
        assert_eq!(v.unchecked, Some(Unchecked::NoFeed), "issued {issued}");
        assert!(v.certificate.is_some(), "signed facts for {issued}");
    }
    // The new key takes over from the rotation day.
    let v = judge.judge(&sealed_on(&key(3), date!(2026 - 07 - 01)), TODAY, &NoFeed);
    assert_eq!(v.kind, VerdictKind::Unconfirmed, "{}", v.reason_en);
}
