//! Certificates signed with the office's real key but missing from its feed (a stolen key's
//! forgeries) and certificates issued a moment ago, judged over real sockets against a fake
//! issuer: the service reads the office's feed again before it answers, so a forgery dated
//! today is `not_issued` on the first request and a fresh genuine certificate is `valid`.

mod common;

use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use sonod_seal::{Record, Sealed};
use sonod_verifier::server::{run, AppState, Config};

/// A sync interval no test waits for: whatever is settled here, the periodic sync did not.
const NEVER: Duration = Duration::from_secs(3600);

/// A verifier serving on a real socket, following `issuer`.
struct Verifier {
    addr: SocketAddr,
    state: AppState,
    client: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl Verifier {
    async fn start(c: Config) -> Verifier {
        let state = AppState::new(c).await.expect("state");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(run(listener, state.clone(), async {
            let _ = rx.await;
        }));
        Verifier {
            addr,
            state,
            client: reqwest::Client::new(),
            stop: Some(tx),
            server: Some(server),
        }
    }

    /// Waits until the replica holds the first `events` of the office's feed.
    async fn synced(&self, events: u64) {
        let r = self.state.replica().clone();
        assert!(
            eventually(Duration::from_secs(10), || r
                .office(&OFFICE.parse().unwrap())
                .is_some_and(|o| o.position == events && o.synced_at_ms.is_some()))
            .await,
            "not synced: {:?} {:?}",
            r.office(&OFFICE.parse().unwrap()),
            self.state.feeds()[0].status()
        );
    }

    async fn verify(&self, payload: &str) -> Value {
        let resp = self
            .client
            .post(format!("http://{}/api/v1/verify", self.addr))
            .json(&json!({ "payload": payload }))
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status(), 200);
        resp.json().await.expect("json")
    }

    async fn batch(&self, payloads: &[String]) -> Value {
        let resp = self
            .client
            .post(format!("http://{}/api/v1/verify/batch", self.addr))
            .json(&json!({ "payloads": payloads }))
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status(), 200);
        resp.json().await.expect("json")
    }

    /// A page, opened at the official host (as a phone opens the QR's link).
    async fn page(&self, path: &str) -> String {
        let resp = self
            .client
            .get(format!("http://{}{path}", self.addr))
            .header("host", HOST)
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status(), 200);
        resp.text().await.expect("text")
    }

    /// Posts `text` to the upload page, as the form's "paste the code's text" field.
    async fn upload(&self, text: &str) -> String {
        let boundary = "XsonodBoundaryX";
        let mut body = Vec::new();
        let _ = write!(
            body,
            "--{boundary}\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n{text}\r\n--{boundary}--\r\n"
        );
        let resp = self
            .client
            .post(format!("http://{}/scan", self.addr))
            .header("host", HOST)
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status(), 200);
        resp.text().await.expect("text")
    }

    async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(s) = self.server.take() {
            s.await.expect("join").expect("serve");
        }
    }
}

/// A fixture, an issuer that has published serials 1 to 3 (dated today) and a verifier that
/// has synced them and will not sync again by itself.
async fn setup(confirm_wait: Duration) -> (Fixture, FakeIssuer, Vec<Sealed>, Verifier) {
    let f = Fixture::new();
    let issuer = FakeIssuer::new(copy(&f.office));
    let mut genuine = Vec::new();
    for serial in 1..=3 {
        let s = f.seal(serial, &f.record(0, None), &f.office);
        issuer.issue(serial, &s);
        genuine.push(s);
    }
    let url = issuer.start().await;
    let mut c = f.config();
    c.issuers = vec![url];
    c.sync_interval = NEVER;
    c.confirm_wait = confirm_wait;
    let v = Verifier::start(c).await;
    v.synced(3).await;
    (f, issuer, genuine, v)
}

/// Another person's certificate, dated today.
fn other_record(f: &Fixture) -> Record {
    let mut j = f.record(0, None).to_json();
    j["fields"]["name"] = "মোসাম্মৎ জাল বেগম".into();
    Record::from_json(&j).expect("record")
}

/// Regression: a forgery made with the office's own (stolen) key, dated today, was `valid`
/// until the feed had been synced past the end of the day; and one reusing a serial the feed
/// holds, with other content, likewise. Now the first request reads the feed again and finds
/// neither.
#[tokio::test]
async fn regression_stolen_key_forgeries_dated_today_are_not_issued_on_first_request() {
    let (f, _issuer, genuine, v) = setup(Duration::from_millis(1500)).await;
    let fresh = f.seal(100, &f.record(0, None), &f.office);
    let reused = f.seal(1, &other_record(&f), &f.office);
    for (what, forgery) in [("fresh serial", &fresh), ("reused serial", &reused)] {
        let j = v.verify(&f.url(forgery)).await;
        assert_eq!(j["verdict"], "not_issued", "{what}: {j:#}");
        assert_eq!(j["valid"], false);
        assert!(j.get("certificate").is_none(), "{what}: no facts shown");
        // A re-scan says the same, from the replica.
        assert_eq!(v.verify(&f.url(forgery)).await["verdict"], "not_issued");
    }
    // The genuine certificate with that serial is still valid.
    assert_eq!(v.verify(&f.url(&genuine[0])).await["verdict"], "valid");
    v.stop().await;
}

/// Regression: a certificate issued a moment ago, not yet replicated, read `unconfirmed` (and
/// before that, `valid` without the feed's word). Now it is read from the feed at once.
#[tokio::test]
async fn regression_a_certificate_issued_a_moment_ago_is_valid_at_once() {
    let (f, issuer, _, v) = setup(Duration::from_millis(1500)).await;
    let new = f.seal(4, &f.record(0, None), &f.office);
    issuer.issue(4, &new);
    let j = v.verify(&f.url(&new)).await;
    assert_eq!(j["verdict"], "valid", "{j:#}");
    assert!(j.get("unchecked").is_none());
    assert_eq!(j["freshness"]["feed_position"], 4);
    v.stop().await;
}

/// With the issuer down, the feed cannot be read: a certificate missing from the replica stays
/// `unconfirmed` (the honest answer), never `valid`; one the replica has stays `valid`.
#[tokio::test]
async fn with_the_issuer_down_a_missing_certificate_is_unconfirmed_never_valid() {
    let (f, issuer, genuine, v) = setup(Duration::from_millis(1500)).await;
    issuer.set_down(true);
    let forgery = f.seal(100, &f.record(0, None), &f.office);
    let new = f.seal(4, &f.record(0, None), &f.office);
    issuer.issue(4, &new);
    for (what, s) in [("forgery", &forgery), ("issued while down", &new)] {
        for round in 0..2 {
            let j = v.verify(&f.url(s)).await;
            assert_eq!(j["verdict"], "unconfirmed", "{what}, {round}: {j:#}");
            assert_eq!(j["valid"], false);
            assert_eq!(j["unchecked"]["code"], "not_yet_published");
            assert_eq!(j["unchecked"]["issuance_checked"], false);
        }
    }
    let failing = v.state.feeds()[0].status();
    assert!(failing.consecutive_failures >= 1, "{failing:?}");
    assert_eq!(v.verify(&f.url(&genuine[1])).await["verdict"], "valid");
    // The page says so in amber, not green.
    let html = v.page(&format!("/V/{}", b32(forgery.as_bytes()))).await;
    assert!(html.contains("class=\"state unsure\""), "{html}");
    assert!(html.contains("Signature genuine — not fully checked"));
    assert!(!html.contains("Genuine and valid"));
    v.stop().await;
}

/// The batch waits once for all its missing certificates; the `/V/` page and the upload page
/// wait too.
#[tokio::test]
async fn the_batch_and_the_pages_read_the_feed_again_before_answering() {
    let (f, issuer, genuine, v) = setup(Duration::from_millis(1500)).await;
    let new = f.seal(4, &f.record(0, None), &f.office);
    issuer.issue(4, &new);
    let fresh = f.seal(100, &f.record(0, None), &f.office);
    let reused = f.seal(2, &other_record(&f), &f.office);
    let payloads = vec![
        f.url(&genuine[0]),
        f.url(&new),
        f.url(&fresh),
        f.url(&reused),
        b32(&f.forged(5)),
    ];
    let j = v.batch(&payloads).await;
    let got: Vec<&str> = j["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["verdict"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(
        got,
        [
            "valid",
            "valid",
            "not_issued",
            "not_issued",
            "bad_signature"
        ],
        "{j:#}"
    );
    assert_eq!(j["freshness"][OFFICE]["feed_position"], 4);

    let page_forgery = f.seal(101, &f.record(0, None), &f.office);
    let html = v
        .page(&format!("/V/{}", b32(page_forgery.as_bytes())))
        .await;
    assert!(
        html.contains("class=\"state bad\"") && html.contains("Forged — never issued"),
        "{html}"
    );
    let new2 = f.seal(5, &f.record(0, None), &f.office);
    issuer.issue(5, &new2);
    let html = v.page(&format!("/V/{}", b32(new2.as_bytes()))).await;
    assert!(
        html.contains("class=\"state ok\"") && html.contains("Genuine and valid"),
        "{html}"
    );

    let upload_forgery = f.seal(102, &f.record(0, None), &f.office);
    let html = v.upload(&f.url(&upload_forgery)).await;
    assert!(html.contains("Forged — never issued"), "{html}");
    let new3 = f.seal(6, &f.record(0, None), &f.office);
    issuer.issue(6, &new3);
    let html = v.upload(&f.url(&new3)).await;
    assert!(html.contains("Genuine and valid"), "{html}");
    v.stop().await;
}

/// Only a payload whose signature holds with a trusted key makes the service read a feed:
/// junk, forged signatures, strangers' keys and compromised keys cost the issuer nothing.
#[tokio::test]
async fn only_a_trusted_signature_makes_the_service_read_the_feed() {
    let (f, issuer, _, v) = setup(Duration::from_millis(1500)).await;
    let before = issuer.requests();
    for i in 0..10u64 {
        for p in [
            b32(&f.forged(200 + i)),
            b32(f.seal(200 + i, &f.record(0, None), &f.stranger).as_bytes()),
            b32(f
                .seal(200 + i, &f.record(0, None), &f.compromised)
                .as_bytes()),
            format!("HTTPS://{HOST}/V/AAAA{i}"),
        ] {
            let j = v.verify(&p).await;
            assert_ne!(j["verdict"], "valid");
            assert_ne!(j["verdict"], "unconfirmed");
        }
    }
    assert_eq!(issuer.requests(), before, "no feed request for junk");
    let forgery = f.seal(300, &f.record(0, None), &f.office);
    assert_eq!(v.verify(&f.url(&forgery)).await["verdict"], "not_issued");
    assert!(issuer.requests() > before);
    v.stop().await;
}

/// Many requests waiting on one feed at once share its rounds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_waiters_share_the_feed_rounds() {
    let (f, issuer, _, v) = setup(Duration::from_millis(1500)).await;
    let v = std::sync::Arc::new(v);
    let before = issuer.requests();
    let n = 40u64;
    let mut tasks = Vec::new();
    for i in 0..n {
        let url = f.url(&f.seal(400 + i, &f.record(0, None), &f.office));
        let v = std::sync::Arc::clone(&v);
        tasks.push(tokio::spawn(async move { v.verify(&url).await }));
    }
    for t in tasks {
        let j = t.await.expect("join");
        assert_eq!(j["verdict"], "not_issued", "{j:#}");
    }
    let made = issuer.requests() - before;
    assert!(
        made >= 1 && made < n / 4,
        "{made} feed requests for {n} waiters"
    );
    if let Ok(v) = std::sync::Arc::try_unwrap(v) {
        v.stop().await;
    }
}

/// Without a wait (or when it runs out), the periodic sync still settles a forgery: the next
/// round after its first sighting makes a re-scan `not_issued`.
#[tokio::test]
async fn without_a_wait_the_next_periodic_sync_settles_a_forgery() {
    let f = Fixture::new();
    let issuer = FakeIssuer::new(copy(&f.office));
    let first = f.seal(1, &f.record(0, None), &f.office);
    issuer.issue(1, &first);
    let url = issuer.start().await;
    let mut c = f.config();
    c.issuers = vec![url];
    c.sync_interval = Duration::from_millis(300);
    c.confirm_wait = Duration::ZERO;
    let v = Verifier::start(c).await;
    v.synced(1).await;
    let forgery = f.url(&f.seal(100, &f.record(0, None), &f.office));
    let j = v.verify(&forgery).await;
    // Seen before any sync that could settle it (unless one began in the same instant).
    if j["verdict"] == "unconfirmed" {
        assert_eq!(j["unchecked"]["code"], "not_yet_published");
    } else {
        assert_eq!(j["verdict"], "not_issued", "{j:#}");
    }
    let mut settled = false;
    for _ in 0..60 {
        let j = v.verify(&forgery).await;
        assert_ne!(j["verdict"], "valid");
        if j["verdict"] == "not_issued" {
            settled = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(settled, "a periodic sync after the sighting settles it");
    v.stop().await;
}
