//! Issue #15, item 4: a verifier that follows another verifier through its mirror routes
//! (`serve --mirror URL`). The mirror is transport only: the follower reaches the same verdicts
//! as the verifier it follows, serves what it holds on its own mirror routes (chains of
//! mirrors), and refuses a mirror that serves a tampered page or a forked history.

mod common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use common::*;
use serde::Deserialize;
use serde_json::Value;
use sonod_seal::feed::{chain_hex, chain_start, Event, EventKind, FeedPageBody, FEED_FORMAT};
use sonod_verifier::server::{app, run, AppState, Config};
use sonod_verifier::{mirror_once, MirrorSource, SyncError};

const TICK: Duration = Duration::from_millis(150);

fn office() -> sonod_keys::OfficeCode {
    OFFICE.parse().unwrap()
}

/// A verifier serving on a real socket (with its sync tasks); its base URL.
async fn serve(c: Config) -> (AppState, String, tokio::sync::oneshot::Sender<()>) {
    let state = AppState::new(c).await.expect("state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr: SocketAddr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(run(listener, state.clone(), async {
        let _ = rx.await;
    }));
    (state, format!("http://{addr}"), tx)
}

fn config(f: &Fixture, name: &str, issuers: Vec<String>, mirrors: Vec<String>) -> Config {
    let mut c = f.config();
    c.data_dir = f.dir.path().join(name);
    c.issuers = issuers;
    c.mirrors = mirrors;
    c.sync_interval = TICK;
    c
}

/// Waits until `state`'s replica holds the office's feed up to `position`, synced.
async fn reaches(state: &AppState, position: u64) {
    let r = state.replica().clone();
    assert!(
        eventually(Duration::from_secs(15), || {
            r.office(&office())
                .is_some_and(|o| o.position == position && o.synced_at_ms.is_some())
        })
        .await,
        "not at {position}: {:?}, mirrors {:?}",
        r.office(&office()),
        state
            .mirrors()
            .iter()
            .map(|m| m.status())
            .collect::<Vec<_>>()
    );
}

/// Stored pages: `(after, count, bytes)`.
type Pages = Vec<(u64, u64, Vec<u8>)>;

/// A mirror that answers as the test says: a listing position and pages `(after, count,
/// bytes)`.
#[derive(Clone, Default)]
struct FakeMirror {
    listed: Arc<Mutex<u64>>,
    pages: Arc<Mutex<Pages>>,
}

#[derive(Deserialize)]
struct After {
    after: u64,
}

async fn listing(State(m): State<FakeMirror>) -> impl IntoResponse {
    axum::Json(serde_json::json!({
        "format": "sonod-mirror/1",
        "offices": [{
            "office": OFFICE,
            "position": *m.listed.lock().unwrap(),
            "synced_at": time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap(),
        }],
    }))
}

async fn page(
    State(m): State<FakeMirror>,
    Path(_office): Path<String>,
    Query(q): Query<After>,
) -> axum::response::Response {
    let pages = m.pages.lock().unwrap().clone();
    match pages
        .into_iter()
        .find(|(after, count, _)| *after <= q.after && q.after < after + count)
    {
        Some((_, _, bytes)) => bytes.into_response(),
        None => axum::http::StatusCode::NOT_FOUND.into_response(),
    }
}

impl FakeMirror {
    async fn start(&self) -> String {
        let app = Router::new()
            .route("/api/v1/offices", get(listing))
            .route("/api/v1/offices/{office}/feed", get(page))
            .with_state(self.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        format!("http://{addr}")
    }

    /// Serves `events` as one page from the feed's start, signed with `key`, listed to its end.
    fn serve_history(&self, key: &sonod_keys::SecretKey, events: Vec<Event>) {
        let n = events.len() as u64;
        let body = FeedPageBody {
            format: FEED_FORMAT.into(),
            office: office(),
            after: 0,
            events,
            head: n,
            generated_at: now(),
            prev: Some(chain_hex(&chain_start(&office()))),
            chain: None,
        }
        .sign(key);
        *self.pages.lock().unwrap() = vec![(0, n, serde_json::to_vec(&body).unwrap())];
        *self.listed.lock().unwrap() = n;
    }
}

#[tokio::test]
async fn a_verifier_following_a_mirror_reaches_the_same_verdicts_and_mirrors_on() {
    let f = Fixture::new();
    // The office issues four certificates and revokes the fourth; pages of two events, so
    // that the mirror holds several.
    let issuer = FakeIssuer::new(copy(&f.office));
    let certs: Vec<_> = (1..=4).map(|s| f.valid(s)).collect();
    for (s, c) in (1..).zip(&certs) {
        issuer.issue(s, c);
    }
    issuer.revoke(4);
    let issuer_url = issuer.start().await;

    // A follows the issuer; B follows A's mirror; C follows B's (a chain of mirrors).
    let (a, a_url, a_stop) = serve(config(&f, "a", vec![issuer_url.clone()], vec![])).await;
    reaches(&a, 5).await;
    let (b, b_url, b_stop) = serve(config(&f, "b", vec![], vec![a_url.clone()])).await;
    reaches(&b, 5).await;
    let (c, _c_url, c_stop) = serve(config(&f, "c", vec![], vec![b_url.clone()])).await;
    reaches(&c, 5).await;
    assert_eq!(b.replica().chain(&office()), a.replica().chain(&office()));
    assert_eq!(c.replica().chain(&office()), a.replica().chain(&office()));
    // B keeps the pages as the office signed them, and lists them on.
    let listing: Value = reqwest::get(format!("{b_url}/api/v1/offices"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listing["offices"][0]["position"], 5, "{listing:#}");
    assert!(b.replica().status_list(&office()).is_some(), "status list");

    // Genuine, revoked, forged (a broken signature; the office's own key but never issued).
    let never_issued = f.seal(77, &f.record(-10, Some(355)), &f.office);
    let kinds = [
        ("genuine 1", f.url(&certs[0])),
        ("genuine 3", f.url(&certs[2])),
        ("revoked 4", f.url(&certs[3])),
        ("forged signature", b32(&f.forged(9))),
        ("never issued", f.url(&never_issued)),
    ];
    let mut table = Vec::new();
    for (kind, payload) in &kinds {
        let va = verify(app(a.clone()), payload).await;
        let vb = verify(app(b.clone()), payload).await;
        let vc = verify(app(c.clone()), payload).await;
        assert_eq!(va["verdict"], vb["verdict"], "{kind}: A {va:#} B {vb:#}");
        assert_eq!(va["verdict"], vc["verdict"], "{kind}: A {va:#} C {vc:#}");
        assert_eq!(va["valid"], vb["valid"], "{kind}");
        table.push((*kind, va["verdict"].as_str().unwrap_or("").to_owned()));
    }
    assert_eq!(
        table.iter().map(|(_, v)| v.as_str()).collect::<Vec<_>>(),
        ["valid", "valid", "revoked", "bad_signature", "not_issued"],
        "{table:?}"
    );

    // The office goes on: B and C follow.
    let five = f.valid(5);
    issuer.issue(5, &five);
    reaches(&c, 6).await;
    assert_eq!(
        verify(app(c.clone()), &f.url(&five)).await["verdict"],
        "valid"
    );

    for stop in [c_stop, b_stop, a_stop] {
        let _ = stop.send(());
    }
}

#[tokio::test]
async fn a_mirror_serving_a_tampered_page_or_a_forked_history_is_refused() {
    let f = Fixture::new();
    let issuer = FakeIssuer::new(copy(&f.office));
    *issuer.page_cap.lock().unwrap() = 10;
    let certs: Vec<_> = (1..=5).map(|s| f.valid(s)).collect();
    for (s, c) in (1..).zip(&certs) {
        issuer.issue(s, c);
    }
    let (a, a_url, a_stop) = serve(config(&f, "a", vec![issuer.start().await], vec![])).await;
    reaches(&a, 5).await;

    // Tampered: A's page with one certificate's hash swapped for a forgery's.
    let forged = f.seal(77, &f.record(-10, Some(355)), &f.office);
    let genuine_page = reqwest::get(format!("{a_url}/api/v1/offices/{OFFICE}/feed?after=0"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let tampered = genuine_page.replace(&hex(&certs[1].hash()), &hex(&forged.hash()));
    assert_ne!(tampered, genuine_page);
    let bad = FakeMirror::default();
    *bad.pages.lock().unwrap() = vec![(0, 5, tampered.into_bytes())];
    *bad.listed.lock().unwrap() = 5;
    let (t, _, t_stop) = serve(config(&f, "t", vec![], vec![bad.start().await])).await;
    let m = t.mirrors()[0].clone();
    assert!(
        eventually(Duration::from_secs(10), || m.status().last_error.is_some()).await,
        "{:?}",
        m.status()
    );
    assert!(t
        .replica()
        .office(&office())
        .is_none_or(|o| o.position == 0));
    assert_eq!(
        verify(app(t.clone()), &f.url(&forged)).await["valid"],
        false
    );

    // Forked: the mirror first serves the office's history (taken), then one signed with the
    // office's key that rewrites event 2 to publish the forgery and adds an event.
    let events = issuer.events.lock().unwrap().clone();
    let fork_mirror = FakeMirror::default();
    fork_mirror.serve_history(&f.office, events.clone());
    let (d, _, d_stop) = serve(config(&f, "d", vec![], vec![fork_mirror.start().await])).await;
    reaches(&d, 5).await;
    let mut forked = events.clone();
    forked[1].kind = EventKind::Issued {
        serial: 77,
        key_id: f.office.key_id(),
        hash: hex(&forged.hash()),
    };
    forked.push(Event {
        seq: 6,
        at: now(),
        kind: EventKind::Issued {
            serial: 78,
            key_id: f.office.key_id(),
            hash: hex(&f.valid(78).hash()),
        },
    });
    fork_mirror.serve_history(&f.office, forked);
    let m = d.mirrors()[0].clone();
    assert!(
        eventually(Duration::from_secs(10), || m
            .status()
            .last_error
            .is_some_and(|e| e.contains("fork") && e.contains("৫")))
        .await,
        "{:?}",
        m.status()
    );
    assert_eq!(d.replica().office(&office()).unwrap().position, 5);
    assert_eq!(d.replica().chain(&office()), a.replica().chain(&office()));
    assert_eq!(
        verify(app(d.clone()), &f.url(&certs[1])).await["verdict"],
        "valid"
    );
    assert_eq!(
        verify(app(d.clone()), &f.url(&forged)).await["verdict"],
        "not_issued"
    );

    // Not a mirror at all (an issuer's base URL): a clear error in both languages.
    let err = mirror_once(
        &MirrorSource::new(&issuer.start().await),
        a.replica(),
        a.trust(),
        &reqwest::Client::new(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, SyncError::NotMirror(_)), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("sonod-mirror/1") && text.contains("মিরর নয়"),
        "{text}"
    );

    for stop in [d_stop, t_stop, a_stop] {
        let _ = stop.send(());
    }
}
