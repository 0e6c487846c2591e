//! The verification service driven directly, without a router or a socket: the judgement the
//! API and the pages render.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use sonod_verifier::{
    Replica, TrustHandle, TrustSource, Unchecked, VerdictKind, Verifier, VerifierSettings,
    VerifyError,
};

/// A verifier over the fixture's trust list and an empty replica, following no feed.
fn verifier(f: &Fixture) -> Verifier {
    let replica = Replica::open(&f.dir.path().join("replica"), 8 << 20).expect("replica");
    let trust = TrustHandle::new(
        TrustSource::File(f.trust_path()),
        f.root.verifying_key(),
        1024,
    );
    let list = std::fs::read(f.trust_path()).expect("trust list");
    trust.install(&list, f.today).expect("install");
    Verifier::new(
        Arc::new(replica),
        Arc::new(trust),
        Vec::new(),
        VerifierSettings::default(),
    )
}

#[tokio::test]
async fn valid_and_forged_one_at_a_time() {
    let f = Fixture::new();
    let v = verifier(&f);
    let one = f.valid(1);
    publish_to(v.replica(), &f.office, &[(1, &one)]);

    let a = v.verify_one(&f.url(&one)).await.expect("judged");
    assert_eq!(a.verdict.kind, VerdictKind::Valid, "{:?}", a.verdict);
    assert_eq!(
        a.verdict.office.as_ref().map(|o| o.code.as_str()),
        Some(OFFICE)
    );
    // A re-scan is answered the same, from the reading cache.
    let again = v.verify_one(&f.url(&one)).await.expect("judged");
    assert_eq!(again.verdict.kind, VerdictKind::Valid);

    let forged = v.verify_one(&b32(&f.forged(2))).await.expect("judged");
    assert_eq!(forged.verdict.kind, VerdictKind::BadSignature);
    assert!(
        forged.verdict.certificate.is_none(),
        "no facts of a forgery"
    );
}

#[tokio::test]
async fn a_batch_mixing_valid_and_forged_answers_in_order() {
    let f = Fixture::new();
    let v = verifier(&f);
    let (a, b) = (f.valid(10), f.valid(11));
    publish_to(v.replica(), &f.office, &[(10, &a), (11, &b)]);
    let texts = vec![
        f.url(&a),
        b32(&f.forged(12)),
        b32(b.as_bytes()),
        "hello world".to_owned(),
        b32(&f.forged(13)),
        f.url(&a),
    ];
    let mut answers = v.verify_batch(&texts).expect("judged");
    assert!(answers.is_settled(), "no feed to wait for");
    v.settle(&mut answers).await;
    let kinds: Vec<VerdictKind> = answers.verdicts().map(|v| v.kind).collect();
    assert_eq!(
        kinds,
        [
            VerdictKind::Valid,
            VerdictKind::BadSignature,
            VerdictKind::Valid,
            VerdictKind::Malformed,
            VerdictKind::BadSignature,
            VerdictKind::Valid,
        ]
    );
    // The same texts one after another (the codes of one photo) are judged alike.
    let mut each = v.verify_each(&texts).await.expect("judged");
    v.settle(&mut each).await;
    assert_eq!(each.verdicts().map(|v| v.kind).collect::<Vec<_>>(), kinds);
}

#[tokio::test]
async fn without_a_feed_a_signed_certificate_is_unconfirmed_at_once() {
    let f = Fixture::new();
    let v = verifier(&f);
    let start = Instant::now();
    let a = v.verify_one(&f.url(&f.valid(20))).await.expect("judged");
    assert_eq!(a.verdict.kind, VerdictKind::Unconfirmed, "{:?}", a.verdict);
    assert!(matches!(a.verdict.unchecked, Some(Unchecked::NoFeed)));
    // No feed of the office is followed: nothing to wait for.
    assert!(start.elapsed() < Duration::from_millis(1000));

    // The office's feed known, a certificate issued today not in it yet, no source to read it
    // again: unconfirmed, not yet published, still without a wait.
    publish_to(v.replica(), &f.office, &[(21, &f.valid(21))]);
    let today = f.seal(22, &f.record(0, Some(355)), &f.office);
    let start = Instant::now();
    let mut answers = v.verify_batch(&[f.url(&today)]).expect("judged");
    assert!(answers.is_settled());
    v.settle(&mut answers).await;
    let verdict = &answers.answers[0].verdict;
    assert_eq!(verdict.kind, VerdictKind::Unconfirmed, "{verdict:?}");
    assert!(matches!(
        verdict.unchecked,
        Some(Unchecked::NotYetPublished { .. })
    ));
    assert!(start.elapsed() < Duration::from_millis(1000));
    assert!(v.readiness_problems().is_empty());
}

#[tokio::test]
async fn without_a_trust_list_nothing_is_judged() {
    let f = Fixture::new();
    let replica = Replica::open(&f.dir.path().join("replica"), 8 << 20).expect("replica");
    let trust = TrustHandle::new(
        TrustSource::File(f.trust_path()),
        f.root.verifying_key(),
        16,
    );
    let v = Verifier::new(
        Arc::new(replica),
        Arc::new(trust),
        Vec::new(),
        VerifierSettings::default(),
    );
    assert_eq!(
        v.verify_one(&f.url(&f.valid(1))).await.err(),
        Some(VerifyError::NoTrustList)
    );
    assert!(v.verify_batch(&["x"]).is_err());
    assert!(v.readiness_problems()[0].contains("no valid trust list"));
}
