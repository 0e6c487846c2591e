//! Issue #15: an office key is stolen. The trust list marks it compromised with the moment and
//! a pin on the office's feed; certificates the feed published up to the pin stay genuine,
//! everything else of the key is refused, and a feed that forks from the pin is refused.

mod common;

use std::time::Duration;

use common::*;
use sonod_keys::{FeedPin, SecretKey, TrustEntry};
use sonod_seal::feed::{chain_hex, chain_start, chain_through, Event, EventKind};
use sonod_verifier::server::{app, spawn_background, AppState};
use time::Duration as Days;

/// The verifier following `urls`, with its own replica under the fixture's folder.
async fn verifier(f: &Fixture, name: &str, urls: Vec<String>) -> AppState {
    let mut c = f.config();
    c.data_dir = f.dir.path().join(name);
    c.issuers = urls;
    c.sync_interval = Duration::from_millis(150);
    AppState::new(c).await.expect("state")
}

fn office() -> sonod_keys::OfficeCode {
    OFFICE.parse().unwrap()
}

#[tokio::test]
async fn genuine_certificates_of_a_stolen_key_stay_valid_and_forgeries_and_forks_are_refused() {
    let mut f = Fixture::new();
    // The office's key (f.office) signs four certificates; the fourth is revoked.
    let issuer = FakeIssuer::new(copy(&f.office));
    *issuer.page_cap.lock().unwrap() = 5;
    let certs: Vec<_> = (1..=4).map(|s| f.valid(s)).collect();
    for (s, c) in (1..).zip(&certs) {
        issuer.issue(s, c);
    }
    issuer.revoke(4);
    let url = issuer.start().await;
    let state = verifier(&f, "replica-a", vec![url]).await;
    let bg = spawn_background(&state);
    let r = state.replica().clone();
    assert!(
        eventually(Duration::from_secs(10), || r
            .office(&office())
            .is_some_and(|o| o.position == 5))
        .await
    );
    for c in &certs[..3] {
        assert_eq!(
            verify(app(state.clone()), &f.url(c)).await["verdict"],
            "valid"
        );
    }

    // The key is stolen: the thief signs a certificate and a feed that publishes it.
    let forged = f.valid(77);
    let genuine_events = issuer.events.lock().unwrap().clone();
    let mut forged_feed = genuine_events.clone();
    forged_feed.push(Event {
        seq: 6,
        at: now(),
        kind: EventKind::Issued {
            serial: 77,
            key_id: f.office.key_id(),
            hash: hex(&forged.hash()),
        },
    });

    // The authority marks the key compromised, pinning the office's feed at position 5 (read
    // from this verifier's listing), and adds the office's new key.
    let listed = state.replica().chain(&office()).expect("chain known");
    let pin_chain = chain_through(chain_start(&office()), &genuine_events);
    assert_eq!(listed, pin_chain);
    let new_key = SecretKey::generate();
    let stolen = f.office.key_id();
    let today = f.today;
    let new_public = new_key.verifying_key();
    f.update_trust(|d| {
        d.add_key(TrustEntry::new(
            new_public,
            OFFICE.parse().unwrap(),
            "সাভার পৌরসভা",
            "Savar Paurashava",
            today,
            today + Days::days(400),
            vec![HOST.into()],
        ))
        .unwrap();
        d.compromise(
            stolen,
            time::OffsetDateTime::now_utc(),
            Some(FeedPin::new(5, &chain_hex(&pin_chain)).unwrap()),
        )
        .unwrap();
    });
    // The office signs with its new key from now on and re-seals certificate 1.
    *issuer.key.lock().unwrap() = copy(&new_key);
    let resealed = f.seal(1, &f.record(0, Some(355)), &new_key);
    {
        let mut ev = issuer.events.lock().unwrap();
        let seq = ev.len() as u64 + 1;
        ev.push(Event {
            seq,
            at: now(),
            kind: EventKind::Resealed {
                serial: 1,
                key_id: new_key.key_id(),
                hash: hex(&resealed.hash()),
            },
        });
    }
    let trust = state.trust().clone();
    assert!(
        eventually(Duration::from_secs(10), || trust
            .current()
            .is_some_and(|t| t.judge().trust_list().sequence() == 2))
        .await
    );
    let a = app(state.clone());
    let mut seen = serde_json::Value::Null;
    let settled = eventually(Duration::from_secs(10), || {
        r.office(&office()).is_some_and(|o| o.position == 6)
    })
    .await;
    assert!(settled, "{:?}", state.feeds()[0].status());
    for _ in 0..100 {
        seen = verify(a.clone(), &f.url(&certs[0])).await;
        if seen["reason_code"] == "valid_before_compromise" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(seen["verdict"], "valid", "{seen:#}");
    assert_eq!(seen["valid"], true);
    assert_eq!(seen["reason_code"], "valid_before_compromise");
    assert_eq!(seen["notice"], "collect_resealed_copy");
    assert!(seen["certificate"].is_object());
    let v = verify(a.clone(), &f.url(&certs[3])).await;
    assert_eq!(v["verdict"], "revoked", "{v:#}");
    let v = verify(a.clone(), &f.url(&forged)).await;
    assert_eq!(v["verdict"], "key_compromised", "{v:#}");
    assert!(v.get("certificate").is_none());
    let v = verify(a.clone(), &f.url(&resealed)).await;
    assert_eq!(
        (&v["verdict"], &v["reason_code"]),
        (&"valid".into(), &"valid".into()),
        "{v:#}"
    );

    // A fresh verifier that follows the thief's feed (signed with the stolen key): the pages
    // up to the pin are the office's own history and are taken; the page that publishes the
    // forgery is refused.
    let thief = FakeIssuer::new(copy(&f.office));
    *thief.page_cap.lock().unwrap() = 5;
    *thief.events.lock().unwrap() = forged_feed;
    let b_state = verifier(&f, "replica-b", vec![thief.start().await]).await;
    let b_bg = spawn_background(&b_state);
    let b = app(b_state.clone());
    let feeds = b_state.feeds()[0].clone();
    assert!(
        eventually(Duration::from_secs(10), || feeds
            .status()
            .last_error
            .is_some_and(|e| e.contains("may not sign")))
        .await,
        "{:?}",
        feeds.status()
    );
    assert_eq!(b_state.replica().office(&office()).unwrap().position, 5);
    let v = verify(b.clone(), &f.url(&forged)).await;
    assert_eq!(v["verdict"], "key_compromised", "{v:#}");
    // Certificate 2 is in the vouched history, but this verifier never caught up with the
    // feed (the thief's page was refused), so revocations are unknown: unconfirmed, never
    // valid, with issuance checked.
    let v = verify(b.clone(), &f.url(&certs[1])).await;
    assert_eq!(v["verdict"], "unconfirmed", "{v:#}");
    assert_eq!(v["unchecked"]["issuance_checked"], true, "{v:#}");

    // A verifier fed a forked history (the thief rewrote event 2 to publish the forgery
    // before the pin): refused where it meets the pin, and nothing is vouched for.
    let mut fork = genuine_events.clone();
    fork[1].kind = EventKind::Issued {
        serial: 77,
        key_id: f.office.key_id(),
        hash: hex(&forged.hash()),
    };
    let forker = FakeIssuer::new(copy(&f.office));
    *forker.page_cap.lock().unwrap() = 5;
    *forker.events.lock().unwrap() = fork;
    let c_state = verifier(&f, "replica-c", vec![forker.start().await]).await;
    let c_bg = spawn_background(&c_state);
    let c = app(c_state.clone());
    let feeds = c_state.feeds()[0].clone();
    assert!(
        eventually(Duration::from_secs(10), || feeds
            .status()
            .last_error
            .is_some_and(|e| e.contains("pin") && e.contains("পিন")))
        .await,
        "{:?}",
        feeds.status()
    );
    assert!(c_state
        .replica()
        .office(&office())
        .is_none_or(|o| o.position == 0));
    for cert in [&certs[0], &forged] {
        let v = verify(c.clone(), &f.url(cert)).await;
        assert_eq!(v["verdict"], "key_compromised", "{v:#}");
    }
    c_bg.stop().await;
    b_bg.stop().await;
    bg.stop().await;
}
