use super::*;
use sonod_keys::{Environment, SecretKey, TrustEntry, TrustListDraft};
use sonod_seal::feed::{EventKind, FeedPageBody, FEED_FORMAT};
use time::macros::date;

struct World {
    trust: TrustList,
    office: SecretKey,
    other: SecretKey,
    compromised: SecretKey,
}

fn world() -> World {
    let root = SecretKey::generate();
    let (office, other, compromised) = (
        SecretKey::generate(),
        SecretKey::generate(),
        SecretKey::generate(),
    );
    let today = date!(2026 - 11 - 28);
    let mut draft = TrustListDraft::new(date!(2027 - 11 - 28), Environment::Production);
    for (k, code) in [
        (&office, "100524"),
        (&other, "200100"),
        (&compromised, "100524"),
    ] {
        draft
            .add_key(TrustEntry::new(
                k.verifying_key(),
                oc(code),
                "অফিস",
                "Office",
                date!(2026 - 01 - 01),
                date!(2027 - 12 - 31),
                vec![],
            ))
            .unwrap();
    }
    draft
        .set_status(compromised.key_id(), KeyStatus::Compromised)
        .unwrap();
    draft.sign_on(&root, None, today).unwrap();
    let trust = TrustList::load(
        draft.to_json_pretty().as_bytes(),
        &root.verifying_key(),
        today,
    )
    .unwrap();
    World {
        trust,
        office,
        other,
        compromised,
    }
}

fn oc(code: &str) -> OfficeCode {
    OfficeCode::parse(code).unwrap()
}

fn page(office: &str, after: u64, n: u64, head: u64, key: &SecretKey) -> Signed<FeedPageBody> {
    FeedPageBody {
        format: FEED_FORMAT.into(),
        office: oc(office),
        after,
        events: (after + 1..=after + n)
            .map(|seq| Event {
                seq,
                at: 1_700_000_000,
                kind: EventKind::Issued {
                    serial: seq,
                    key_id: key.key_id(),
                    hash: "ab".repeat(32),
                },
            })
            .collect(),
        head,
        generated_at: 1_700_000_000,
        prev: None,
        chain: None,
    }
    .sign(key)
}

struct Memory {
    events: Vec<u64>,
}

impl FeedStore for Memory {
    type Error = std::convert::Infallible;
    fn apply(&mut self, page: &CheckedPage) -> Result<u64, Self::Error> {
        self.events.extend(page.new_events().iter().map(|e| e.seq));
        Ok(self.events.last().copied().unwrap_or(0))
    }
}

#[test]
fn page_rules_key_office_compromise() {
    let w = world();
    check_page(&w.trust, None, &page("100524", 0, 2, 2, &w.office)).unwrap();
    check_page(
        &w.trust,
        Some(&oc("100524")),
        &page("100524", 0, 2, 2, &w.office),
    )
    .unwrap();
    // Another office's key.
    let e = check_page(&w.trust, None, &page("100524", 0, 1, 1, &w.other)).unwrap_err();
    assert!(matches!(e, ProtocolError::KeyNotValid { .. }), "{e}");
    // A compromised key.
    let e = check_page(&w.trust, None, &page("100524", 0, 1, 1, &w.compromised)).unwrap_err();
    assert!(matches!(e, ProtocolError::KeyNotValid { .. }), "{e}");
    // A key not in the list.
    let e = check_page(
        &w.trust,
        None,
        &page("100524", 0, 1, 1, &SecretKey::generate()),
    )
    .unwrap_err();
    assert!(matches!(e, ProtocolError::UnknownKey { .. }), "{e}");
    assert!(e.to_string().contains("is not in the trust list"));
    // The office this feed served before.
    let e = check_page(
        &w.trust,
        Some(&oc("100524")),
        &page("200100", 0, 1, 1, &w.other),
    )
    .unwrap_err();
    assert!(matches!(e, ProtocolError::OfficeChanged { .. }), "{e}");
    // A changed page.
    let mut p = page("100524", 0, 2, 2, &w.office);
    p.signed.head = 3;
    let e = check_page(&w.trust, None, &p).unwrap_err();
    assert_eq!(e, ProtocolError::Document(FeedError::BadSignature));
}

#[test]
fn an_issuer_feed_is_followed_page_by_page_to_its_head() {
    let w = world();
    let mut f = Follower::issuer(None, 0);
    let mut store = Memory { events: vec![] };
    assert_eq!(f.next(), Next::Fetch { after: 0 });
    let p = f
        .check(&w.trust, page("100524", 0, 3, 5, &w.office))
        .unwrap();
    f.apply(&mut store, &p).unwrap();
    assert_eq!((f.office(), f.position()), (Some(&oc("100524")), 3));
    assert_eq!(f.next(), Next::Fetch { after: 3 });
    // Exact pages only.
    let e = f
        .check(&w.trust, page("100524", 2, 3, 5, &w.office))
        .unwrap_err();
    assert!(
        matches!(e, ProtocolError::Misplaced { asked: 3, .. }),
        "{e}"
    );
    // No progress while the head is ahead.
    let e = f
        .check(&w.trust, page("100524", 3, 0, 5, &w.office))
        .unwrap_err();
    assert!(matches!(e, ProtocolError::NoProgress { .. }), "{e}");
    // A head behind the position.
    let e = f
        .check(&w.trust, page("100524", 3, 0, 2, &w.office))
        .unwrap_err();
    assert!(matches!(e, ProtocolError::HeadBehind { .. }), "{e}");
    let p = f
        .check(&w.trust, page("100524", 3, 2, 5, &w.office))
        .unwrap();
    f.apply(&mut store, &p).unwrap();
    assert_eq!(f.next(), Next::Done);
    assert_eq!(store.events, vec![1, 2, 3, 4, 5]);
    // An empty page at the head is fine.
    let mut g = Follower::issuer(Some(OfficeCode::parse("100524").unwrap()), 5);
    let p = g
        .check(&w.trust, page("100524", 5, 0, 5, &w.office))
        .unwrap();
    g.apply(&mut store, &p).unwrap();
    assert_eq!(g.next(), Next::Done);
}

#[test]
fn a_mirror_page_may_start_before_the_position_but_must_pass_it() {
    let w = world();
    let mut f = Follower::mirror(OfficeCode::parse("100524").unwrap(), 3, 8);
    let mut store = Memory {
        events: vec![1, 2, 3],
    };
    let p = f
        .check(&w.trust, page("100524", 0, 6, 9, &w.office))
        .unwrap();
    assert_eq!(
        p.new_events().iter().map(|e| e.seq).collect::<Vec<_>>(),
        [4, 5, 6]
    );
    f.apply(&mut store, &p).unwrap();
    assert_eq!(f.next(), Next::Fetch { after: 6 });
    let e = f
        .check(&w.trust, page("100524", 7, 1, 9, &w.office))
        .unwrap_err();
    assert!(matches!(e, ProtocolError::Misplaced { .. }), "{e}");
    let e = f
        .check(&w.trust, page("100524", 0, 6, 9, &w.office))
        .unwrap_err();
    assert!(matches!(e, ProtocolError::NoProgress { .. }), "{e}");
    let p = f
        .check(&w.trust, page("100524", 6, 2, 9, &w.office))
        .unwrap();
    f.apply(&mut store, &p).unwrap();
    assert_eq!(f.next(), Next::Done);
}

#[test]
fn status_list_rules() {
    use sonod_seal::feed::StatusListBody;
    let w = world();
    let list = StatusListBody::new(&oc("100524"), 4, 10, [3], 1_700_000_000).sign(&w.office);
    let bits = check_status_list(&w.trust, &oc("100524"), &list).unwrap();
    assert!(sonod_seal::feed::is_revoked(&bits, 3));
    let e = check_status_list(&w.trust, &oc("200100"), &list).unwrap_err();
    assert!(matches!(e, ProtocolError::KeyNotValid { .. }), "{e}");
    let bad = StatusListBody::new(&oc("100524"), 4, 10, [3], 1_700_000_000).sign(&w.compromised);
    assert!(check_status_list(&w.trust, &oc("100524"), &bad).is_err());
    let e = check_status_list(
        &w.trust,
        &oc("100524"),
        &StatusListBody::new(&oc("100524"), 4, 10, [], 0).sign(&SecretKey::generate()),
    )
    .unwrap_err();
    assert!(e.to_string().contains("status list key"), "{e}");
    check_status_ahead(10, 5).unwrap();
    assert!(check_status_ahead(MAX_STATUS_AHEAD + 6, 5).is_err());
}
