//! Replicating a fake issuer's feed over HTTP, and reloading the trust list file.

mod common;

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use sonod_keys::KeyStatus;
use sonod_seal::feed::{is_revoked, FeedPageBody, Signed, StatusListBody};
use sonod_verifier::server::{app, spawn_background};

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

#[tokio::test]
async fn replicates_the_feed_and_answers_from_it() {
    let f = Fixture::new();
    let issuer = FakeIssuer::new(copy(&f.office));
    let mut certs = Vec::new();
    for serial in 1..=5 {
        let s = f.valid(serial);
        issuer.issue(serial, &s);
        certs.push(s);
    }
    let url = issuer.start().await;
    let mut c = f.config();
    c.issuers = vec![url.clone()];
    c.sync_interval = Duration::from_millis(200);
    let state = sonod_verifier::server::AppState::new(c).await.unwrap();
    let bg = spawn_background(&state);

    let r = state.replica().clone();
    assert!(
        eventually(Duration::from_secs(10), || r
            .office(&OFFICE.parse().unwrap())
            .is_some_and(|o| o.position == 5 && o.synced_at_ms.is_some()))
        .await,
        "replicated: {:?} {:?}",
        r.office(&OFFICE.parse().unwrap()),
        state.feeds()[0].status()
    );
    // Five events at two a page: three pages at least.
    assert!(state.feeds()[0].status().pages >= 3);
    assert_eq!(state.feeds()[0].status().office.as_deref(), Some(OFFICE));
    for s in &certs {
        assert_eq!(
            verify(app(state.clone()), &f.url(s)).await["verdict"],
            "valid"
        );
    }
    // Signed by the office's own key but never published: a forgery with a stolen key.
    let v = verify(app(state.clone()), &f.url(&f.valid(99))).await;
    assert_eq!(v["verdict"], "not_issued", "{v:#}");
    assert_eq!(v["freshness"]["feed_position"], 5);

    // A revocation shows within a sync interval or two.
    issuer.revoke(3);
    let a = app(state.clone());
    let url3 = f.url(&certs[2]);
    let mut revoked = false;
    for _ in 0..40 {
        if verify(a.clone(), &url3).await["verdict"] == "revoked" {
            revoked = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(revoked, "revocation not replicated");
    assert_eq!(
        verify(app(state.clone()), &f.url(&certs[1])).await["verdict"],
        "valid"
    );

    let (s, _, b) = send(app(state.clone()), get("/readyz")).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    let (_, _, b) = send(app(state.clone()), get("/metrics")).await;
    let m = String::from_utf8(b).unwrap();
    assert!(
        m.contains(&format!(
            "sonod_verifier_feed_lag_seconds{{office=\"{OFFICE}\"}}"
        )),
        "{m}"
    );
    assert!(
        m.contains(&format!(
            "sonod_verifier_feed_position{{office=\"{OFFICE}\"}} 6"
        )),
        "{m}"
    );
    bg.stop().await;
}

#[tokio::test]
async fn a_page_signed_by_another_key_is_refused_with_backoff() {
    let f = Fixture::new();
    let issuer = FakeIssuer::new(copy(&f.office));
    let first = f.valid(1);
    issuer.issue(1, &first);
    let url = issuer.start().await;
    let mut c = f.config();
    c.issuers = vec![url];
    c.sync_interval = Duration::from_millis(50);
    c.max_staleness = Duration::from_secs(600);
    let state = sonod_verifier::server::AppState::new(c).await.unwrap();
    let bg = spawn_background(&state);
    let r = state.replica().clone();
    assert!(
        eventually(Duration::from_secs(10), || r
            .office(&OFFICE.parse().unwrap())
            .is_some_and(|o| o.position == 1))
        .await
    );

    // The issuer now signs with a key the trust list does not give it, then a compromised one.
    for wrong in [copy(&f.stranger), copy(&f.compromised)] {
        *issuer.key.lock().unwrap() = wrong;
        issuer.revoke(1);
        let before = issuer.requests();
        let status = || state.feeds()[0].status();
        assert!(
            eventually(Duration::from_secs(5), || status().consecutive_failures
                >= 2)
            .await,
            "{:?}",
            status()
        );
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let st = status();
        let made = issuer.requests() - before;
        // Without backoff a 50 ms interval makes ~30 requests in this time; with it, a few.
        assert!(made <= 7, "{made} requests while failing: {st:?}");
        assert!(st.next_wait >= Duration::from_millis(200), "{st:?}");
        assert!(
            st.last_error.as_deref().is_some_and(|e| e.contains("key")),
            "{st:?}"
        );
        // The replica is as it was.
        assert_eq!(r.office(&OFFICE.parse().unwrap()).unwrap().position, 1);
        assert_eq!(
            verify(app(state.clone()), &f.url(&first)).await["verdict"],
            "valid"
        );
        // Put the issuer's feed back as it was for the next round.
        issuer.events.lock().unwrap().pop();
    }
    // Back to the right key: the revocation comes through after the backoff.
    *issuer.key.lock().unwrap() = copy(&f.office);
    issuer.revoke(1);
    assert!(
        eventually(Duration::from_secs(15), || r
            .office(&OFFICE.parse().unwrap())
            .is_some_and(|o| o.position == 2))
        .await,
        "{:?}",
        state.feeds()[0].status()
    );
    assert_eq!(
        verify(app(state.clone()), &f.url(&first)).await["verdict"],
        "revoked"
    );
    // The round that applied the revocation still fetches the status list before it counts as
    // a success: the failure count is reset when it ends, a moment after the position moves.
    assert!(
        eventually(Duration::from_secs(5), || state.feeds()[0]
            .status()
            .consecutive_failures
            == 0)
        .await,
        "{:?}",
        state.feeds()[0].status()
    );
    bg.stop().await;
}

#[tokio::test]
async fn a_feed_never_synced_makes_the_service_unready() {
    let f = Fixture::new();
    let issuer = FakeIssuer::new(copy(&f.stranger));
    issuer.issue(1, &f.valid(1));
    let url = issuer.start().await;
    let mut c = f.config();
    c.issuers = vec![url];
    c.sync_interval = Duration::from_millis(100);
    let state = sonod_verifier::server::AppState::new(c).await.unwrap();
    let bg = spawn_background(&state);
    assert!(
        eventually(Duration::from_secs(5), || state.feeds()[0]
            .status()
            .failures
            >= 1)
        .await
    );
    let (s, _, b) = send(app(state.clone()), get("/readyz")).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
    assert!(String::from_utf8_lossy(&b).contains("never been synced"));
    // Without a feed the signature holds but nothing more was checked: unconfirmed, never
    // valid (this read `valid` before).
    let v = verify(app(state.clone()), &f.url(&f.valid(2))).await;
    assert_eq!(v["verdict"], "unconfirmed", "{v:#}");
    assert_eq!(v["unchecked"]["code"], "no_feed");
    let (_, _, b) = send(app(state.clone()), get("/metrics")).await;
    assert!(String::from_utf8_lossy(&b).contains("sonod_verifier_feeds_unsynced 1"));
    bg.stop().await;
}

#[tokio::test]
async fn the_trust_list_file_is_reloaded_without_restart() {
    let mut f = Fixture::new();
    let state = f.state().await;
    let bg = spawn_background(&state);
    let one = f.valid(1);
    publish(&state, &f.office, &[(1, &one)]);
    let url = f.url(&one);
    assert_eq!(verify(app(state.clone()), &url).await["verdict"], "valid");
    let first = f.draft.clone();

    // The authority marks the office key compromised.
    let office = f.office.key_id();
    f.update_trust(|d| d.set_status(office, KeyStatus::Compromised).unwrap());
    let trust = state.trust().clone();
    assert!(
        eventually(Duration::from_secs(10), || trust
            .current()
            .is_some_and(|t| t.judge().trust_list().sequence() == 2))
        .await,
        "{:?}",
        trust.last_error()
    );
    assert_eq!(
        verify(app(state.clone()), &url).await["verdict"],
        "key_compromised"
    );

    // An older list (from before the compromise) is refused: no rollback.
    first.write(f.trust_path()).unwrap();
    assert!(
        eventually(Duration::from_secs(10), || trust
            .last_error()
            .is_some_and(|e| e.contains("older")))
        .await
    );
    assert_eq!(
        verify(app(state.clone()), &url).await["verdict"],
        "key_compromised"
    );
    // So is a tampered one; the current list stays.
    let text = std::fs::read_to_string(f.trust_path())
        .unwrap()
        .replace("compromised", "active");
    std::fs::write(f.trust_path(), text).unwrap();
    assert!(
        eventually(Duration::from_secs(10), || trust
            .last_error()
            .is_some_and(|e| e.contains("signature")))
        .await
    );
    assert_eq!(
        verify(app(state.clone()), &url).await["verdict"],
        "key_compromised"
    );
    let (s, _, _) = send(app(state.clone()), get("/readyz")).await;
    assert_eq!(
        s,
        StatusCode::OK,
        "a bad update does not take a loaded list away"
    );
    bg.stop().await;
}

#[tokio::test]
async fn the_mirror_serves_the_office_signed_pages_and_status_list() {
    let f = Fixture::new();
    let issuer = FakeIssuer::new(copy(&f.office));
    for serial in 1..=5 {
        issuer.issue(serial, &f.valid(serial));
    }
    issuer.revoke(2);
    let url = issuer.start().await;
    let mut c = f.config();
    c.issuers = vec![url];
    c.sync_interval = Duration::from_millis(100);
    let state = sonod_verifier::server::AppState::new(c).await.unwrap();
    let bg = spawn_background(&state);
    let r = state.replica().clone();
    assert!(
        eventually(Duration::from_secs(10), || r
            .status_list(&OFFICE.parse().unwrap())
            .is_some_and(|(p, _)| p == 6))
        .await,
        "{:?}",
        state.feeds()[0].status()
    );
    let (s, h, b) = send(app(state.clone()), get("/api/v1/offices")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h["content-type"], "application/json");
    let listing: serde_json::Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(listing["format"], "sonod-mirror/1");
    let o = &listing["offices"][0];
    assert_eq!(o["office"], OFFICE);
    assert_eq!(o["position"], 6);
    assert_eq!(o["status_list_position"], 6);
    assert!(o["synced_at"].is_string());
    // Six events at two a page.
    assert_eq!(o["pages"], 3, "{listing}");

    // The pages tile the feed and verify with the office key as they are.
    let mut pos = 0;
    while pos < 6 {
        let (s, _, b) = send(
            app(state.clone()),
            get(&format!("/api/v1/offices/{OFFICE}/feed?after={pos}")),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "after {pos}");
        let page = Signed::<FeedPageBody>::parse(&b).unwrap();
        page.verify(&f.office.verifying_key()).unwrap();
        assert!(page.signed.after <= pos);
        pos = page.signed.events.last().unwrap().seq;
    }
    assert_eq!(pos, 6);
    // The end of the feed: the last page again; past it, nothing.
    let (s, _, _) = send(
        app(state.clone()),
        get(&format!("/api/v1/offices/{OFFICE}/feed?after=6")),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    for (uri, status) in [
        (
            format!("/api/v1/offices/{OFFICE}/feed?after=7"),
            StatusCode::NOT_FOUND,
        ),
        (
            "/api/v1/offices/200101/feed".to_owned(),
            StatusCode::NOT_FOUND,
        ),
        ("/api/v1/offices/x/feed".to_owned(), StatusCode::NOT_FOUND),
        (
            format!("/api/v1/offices/{OFFICE}/feed?after=x"),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/offices/200101/status-list".to_owned(),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let (s, h, _) = send(app(state.clone()), get(&uri)).await;
        assert_eq!(s, status, "{uri}");
        assert_eq!(h["content-type"], "application/problem+json", "{uri}");
    }
    let (s, _, b) = send(
        app(state.clone()),
        get(&format!("/api/v1/offices/{OFFICE}/status-list")),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let list = Signed::<StatusListBody>::parse(&b).unwrap();
    list.verify(&f.office.verifying_key()).unwrap();
    let bits = list.signed.bitstring().unwrap();
    assert!(is_revoked(&bits, 2) && !is_revoked(&bits, 3));

    let (_, _, b) = send(app(state.clone()), get("/api/v1/openapi.json")).await;
    let doc: serde_json::Value = serde_json::from_slice(&b).unwrap();
    for p in [
        "/api/v1/offices",
        "/api/v1/offices/{office}/feed",
        "/api/v1/offices/{office}/status-list",
    ] {
        assert!(doc["paths"][p]["get"].is_object(), "{p} documented");
    }
    bg.stop().await;
}

#[tokio::test]
async fn many_small_pages_are_replaced_by_one() {
    let f = Fixture::new();
    let issuer = FakeIssuer::new(copy(&f.office));
    *issuer.page_cap.lock().unwrap() = 1;
    for serial in 1..=20 {
        issuer.issue(serial, &f.valid(serial));
    }
    let url = issuer.start().await;
    let mut c = f.config();
    c.issuers = vec![url];
    c.sync_interval = Duration::from_millis(100);
    let state = sonod_verifier::server::AppState::new(c).await.unwrap();
    let bg = spawn_background(&state);
    let r = state.replica().clone();
    assert!(
        eventually(Duration::from_secs(10), || r
            .office(&OFFICE.parse().unwrap())
            .is_some_and(|o| o.position == 20))
        .await
    );
    // The issuer only serves one event a page: nothing to compact with.
    assert_eq!(r.mirror_pages(&OFFICE.parse().unwrap()), 20);
    *issuer.page_cap.lock().unwrap() = 1000;
    assert!(
        eventually(Duration::from_secs(10), || r
            .mirror_pages(&OFFICE.parse().unwrap())
            == 1)
        .await,
        "{} pages",
        r.mirror_pages(&OFFICE.parse().unwrap())
    );
    let page = r.page_from(&OFFICE.parse().unwrap(), 7).unwrap();
    assert_eq!((page.after, page.count), (0, 20));
    let page = Signed::<FeedPageBody>::parse(&page.bytes).unwrap();
    page.verify(&f.office.verifying_key()).unwrap();
    assert_eq!(page.signed.events.len(), 20);
    bg.stop().await;
}

#[tokio::test]
async fn a_replica_from_before_the_mirror_is_filled_in() {
    let f = Fixture::new();
    let issuer = FakeIssuer::new(copy(&f.office));
    let mut events = Vec::new();
    for serial in 1..=5 {
        let s = f.valid(serial);
        issuer.issue(serial, &s);
    }
    events.extend(issuer.events.lock().unwrap().iter().cloned());
    let url = issuer.start().await;
    let mut c = f.config();
    c.issuers = vec![url.clone()];
    c.sync_interval = Duration::from_millis(100);
    {
        // A replica that applied the events without keeping pages (as before the mirror).
        let r = sonod_verifier::Replica::open(&c.data_dir, 1 << 20).unwrap();
        r.set_source_office(&url, &OFFICE.parse().unwrap()).unwrap();
        r.apply(&OFFICE.parse().unwrap(), 0, &events, 5).unwrap();
        r.flush().unwrap();
    }
    let state = sonod_verifier::server::AppState::new(c).await.unwrap();
    let bg = spawn_background(&state);
    let r = state.replica().clone();
    assert!(
        eventually(Duration::from_secs(10), || r
            .mirror_end(&OFFICE.parse().unwrap())
            == 5)
        .await,
        "{:?}",
        state.feeds()[0].status()
    );
    assert_eq!(r.office(&OFFICE.parse().unwrap()).unwrap().position, 5);
    bg.stop().await;
}

/// Regression: a running verifier refused an older trust list, but after a restart it took
/// sequence 1 over sequence 2, and the key sequence 2 marked compromised was good again. Now
/// the highest sequence accepted is kept in the data directory; only the operator's
/// deliberate `sonod-verifier accept-trust-rollback` goes back.
#[tokio::test]
async fn regression_trust_list_rollback_after_restart_is_refused() {
    let mut f = Fixture::new();
    let first = f.draft.clone();
    let url = f.url(&f.valid(1));
    let state = f.state().await;
    assert_eq!(state.trust().highest_sequence(), 1);
    // The authority marks the office key compromised: sequence 2.
    let office = f.office.key_id();
    f.update_trust(|d| d.set_status(office, KeyStatus::Compromised).unwrap());
    assert_eq!(state.trust().reload(state.http(), f.today).await, Ok(2));
    assert_eq!(
        verify(app(state.clone()), &url).await["verdict"],
        "key_compromised"
    );
    drop(state);
    let data = f.config().data_dir;
    let floor = std::fs::read_to_string(data.join(sonod_verifier::FLOOR_FILE)).unwrap();
    assert!(floor.contains("\"highest_sequence\": 2"), "{floor}");

    // Someone puts sequence 1 back and restarts the service: refused, and the service says
    // why (both sequences) instead of judging.
    first.write(f.trust_path()).unwrap();
    let state = f.state().await;
    assert!(state.trust().current().is_none());
    let e = state.trust().last_error().unwrap_or_default();
    assert!(
        e.contains("older") && e.contains("sequence is 1") && e.contains("accepted sequence 2"),
        "{e}"
    );
    let (s, _, b) = send(app(state.clone()), get("/readyz")).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
    assert!(String::from_utf8_lossy(&b).contains("accept-trust-rollback"));
    let (s, _, _) = send(
        app(state.clone()),
        post_json("/api/v1/verify", &serde_json::json!({ "payload": url })),
    )
    .await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
    drop(state);

    // The operator goes back on purpose (with the service stopped).
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sonod-verifier"))
        .args(["accept-trust-rollback", "--to", "1", "--data"])
        .arg(&data)
        .env_remove("SONOD_VERIFIER_DATA")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        said.contains("lowered from 2 to 1") && said.contains("নামানো"),
        "{said}"
    );
    let state = f.state().await;
    assert_eq!(
        state
            .trust()
            .current()
            .map(|t| t.judge().trust_list().sequence()),
        Some(1),
        "{:?}",
        state.trust().last_error()
    );
    assert_ne!(
        verify(app(state.clone()), &url).await["verdict"],
        "key_compromised"
    );
    // Going back again needs the command again: the record stays at 1 until a newer list.
    assert_eq!(state.trust().highest_sequence(), 1);
}
