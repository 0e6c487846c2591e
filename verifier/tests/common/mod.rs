//! Fixtures: a trust list with an office key, a compromised key and a stranger's key; sealed
//! certificates of every kind; a verifier state over them; a fake issuer serving feed pages.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use coset::{iana, CoseSign1Builder, HeaderBuilder, TaggedCborSerializable};
use serde::Deserialize;
use serde_json::Value;
use sonod_keys::{
    today_dhaka, write_public_key, Environment, KeyStatus, SecretKey, TrustEntry, TrustListDraft,
};
use sonod_seal::feed::{
    Event, EventKind, FeedPageBody, RevocationReason, StatusListBody, FEED_FORMAT,
};
use sonod_seal::{Certificate, Host, Record, Sealed};
use sonod_verifier::server::{AppState, Config};
use sonod_verifier::TrustSource;
use time::{Date, Duration as Days};

pub const OFFICE: &str = "100524";
pub const HOST: &str = "VERIFY.SONOD.GOV.BD";

/// Keys, a signed trust list on disk, and the root public key file.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub root: SecretKey,
    pub office: SecretKey,
    pub compromised: SecretKey,
    pub stranger: SecretKey,
    pub draft: TrustListDraft,
    pub today: Date,
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture::with_environment(Environment::Production)
    }

    pub fn with_environment(env: Environment) -> Fixture {
        Fixture::with_hosts(env, &[HOST, "LOCALHOST:8081"])
    }

    /// A trust list whose office names `hosts` as its verifier hosts.
    pub fn with_hosts(env: Environment, hosts: &[&str]) -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let today = today_dhaka();
        let (root, office, compromised, stranger) = (
            SecretKey::generate(),
            SecretKey::generate(),
            SecretKey::generate(),
            SecretKey::generate(),
        );
        let mut draft = TrustListDraft::new(today + Days::days(365), env);
        for key in [&office, &compromised] {
            draft
                .add_key(TrustEntry::new(
                    key.verifying_key(),
                    OFFICE.parse().unwrap(),
                    "সাভার পৌরসভা",
                    "Savar Paurashava",
                    today - Days::days(400),
                    today + Days::days(400),
                    hosts.iter().map(|h| (*h).to_owned()).collect(),
                ))
                .expect("add key");
        }
        draft
            .set_status(compromised.key_id(), KeyStatus::Compromised)
            .expect("compromise");
        draft.sign_on(&root, None, today).expect("sign");
        let f = Fixture {
            dir,
            root,
            office,
            compromised,
            stranger,
            draft,
            today,
        };
        f.draft.write(f.trust_path()).expect("write trust list");
        write_public_key(f.root_path(), &f.root.verifying_key()).expect("write root");
        f
    }

    pub fn trust_path(&self) -> PathBuf {
        self.dir.path().join("trust.json")
    }

    pub fn root_path(&self) -> PathBuf {
        self.dir.path().join("root.pub.pem")
    }

    /// Re-signs and rewrites the trust list after `edit`.
    pub fn update_trust(&mut self, edit: impl FnOnce(&mut TrustListDraft)) {
        edit(&mut self.draft);
        self.draft
            .sign_on(&self.root, None, self.today)
            .expect("sign");
        self.draft.write(self.trust_path()).expect("write");
    }

    pub fn config(&self) -> Config {
        let mut c = Config::new(
            self.dir.path().join("replica"),
            TrustSource::File(self.trust_path()),
            self.root.verifying_key(),
        );
        c.rate_limit_per_minute = 0;
        c
    }

    pub async fn state(&self) -> AppState {
        AppState::new(self.config()).await.expect("state")
    }

    /// A citizenship certificate issued `issued_days` from today, expiring `expires_days` from
    /// today (if given).
    pub fn record(&self, issued_days: i64, expires_days: Option<i64>) -> Record {
        let mut j = serde_json::json!({
            "type": "citizenship",
            "office": OFFICE,
            "issued": (self.today + Days::days(issued_days)).to_string(),
            "fields": {
                "name": "মোহাম্মদ আব্দুল করিম",
                "father": "মোহাম্মদ আব্দুর রহমান",
                "mother": "মোসাম্মৎ রোকেয়া বেগম",
                "nid": "19901234567890123",
                "ward": 5
            }
        });
        if let Some(e) = expires_days {
            j["expires"] = (self.today + Days::days(e)).to_string().into();
        }
        Record::from_json(&j).expect("record")
    }

    pub fn seal(&self, serial: u64, record: &Record, key: &SecretKey) -> Sealed {
        Sealed::seal(&Certificate::new(serial, record), key).expect("seal")
    }

    /// A valid certificate's sealed bytes.
    pub fn valid(&self, serial: u64) -> Sealed {
        self.seal(serial, &self.record(-10, Some(355)), &self.office)
    }

    /// The QR URL of sealed bytes.
    pub fn url(&self, s: &Sealed) -> String {
        s.to_qr_text(Some(&HOST.parse::<Host>().expect("host")))
    }

    /// Sealed bytes with the last signature byte flipped.
    pub fn forged(&self, serial: u64) -> Vec<u8> {
        let mut b = self.valid(serial).into_bytes();
        let n = b.len();
        b[n - 1] ^= 0x01;
        b
    }

    /// A correctly signed COSE_Sign1 whose payload says a format version this reader does not
    /// know (3; version 2 is a re-sealed certificate since issue #15).
    pub fn version_two(&self) -> Vec<u8> {
        let mut payload = Vec::new();
        let map = ciborium::Value::Map(vec![
            (
                ciborium::Value::Integer(0.into()),
                ciborium::Value::Integer(3.into()),
            ),
            (
                ciborium::Value::Integer(1.into()),
                ciborium::Value::Integer(100_524.into()),
            ),
            (
                ciborium::Value::Integer(2.into()),
                ciborium::Value::Integer(7.into()),
            ),
        ]);
        ciborium::into_writer(&map, &mut payload).expect("cbor");
        let key = &self.office;
        CoseSign1Builder::new()
            .protected(
                HeaderBuilder::new()
                    .algorithm(iana::Algorithm::EdDSA)
                    .key_id(key.key_id().as_bytes().to_vec())
                    .build(),
            )
            .payload(payload)
            .create_signature(b"", |tbs| key.sign(tbs).to_bytes().to_vec())
            .build()
            .to_tagged_vec()
            .expect("cose")
    }
}

/// A second handle on the same secret key.
pub fn copy(k: &SecretKey) -> SecretKey {
    SecretKey::from_signing_key(k.signing_key().clone())
}

pub fn b32(bytes: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(bytes)
}

pub fn hex(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(bytes)
}

pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

pub fn now_ms() -> i64 {
    sonod_verifier::now_unix_ms()
}

/// Writes `certs` (serial, sealed) into the replica as the office's feed publishes them, after
/// what it holds, and marks the feed caught up now: the verifier then knows the office's feed
/// without syncing it over HTTP.
pub fn publish(state: &AppState, key: &SecretKey, certs: &[(u64, &Sealed)]) {
    publish_to(state.replica(), key, certs);
}

/// [`publish`] into a replica.
pub fn publish_to(r: &sonod_verifier::Replica, key: &SecretKey, certs: &[(u64, &Sealed)]) {
    let position = r.office(&OFFICE.parse().unwrap()).map_or(0, |o| o.position);
    let events: Vec<Event> = certs
        .iter()
        .zip(position + 1..)
        .map(|((serial, sealed), seq)| Event {
            seq,
            at: now(),
            kind: EventKind::Issued {
                serial: *serial,
                key_id: key.key_id(),
                hash: hex(&sealed.hash()),
            },
        })
        .collect();
    let head = position + events.len() as u64;
    r.apply(&OFFICE.parse().unwrap(), position, &events, head)
        .expect("apply");
    r.mark_synced_ms(&OFFICE.parse().unwrap(), now_ms())
        .expect("mark synced");
}

/// Sends a request to the router and returns status, headers and body.
pub use sonod_testkit::send;

pub fn post_json(uri: &str, body: &Value) -> Request<Body> {
    Request::post(uri)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .expect("request")
}

pub async fn verify(app: Router, payload: &str) -> Value {
    let (status, _, body) = send(
        app,
        post_json("/api/v1/verify", &serde_json::json!({ "payload": payload })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).expect("json")
}

/// An issuer that serves a feed from events the test appends.
#[derive(Clone)]
pub struct FakeIssuer {
    pub events: Arc<Mutex<Vec<Event>>>,
    pub key: Arc<Mutex<SecretKey>>,
    pub office: String,
    pub requests: Arc<Mutex<u64>>,
    /// Most events in one page (2 unless a test changes it).
    pub page_cap: Arc<Mutex<usize>>,
    /// While true, every request is answered 503 (the issuer is down).
    pub down: Arc<std::sync::atomic::AtomicBool>,
}

#[derive(Deserialize)]
struct Page {
    #[serde(default)]
    after: u64,
    limit: Option<usize>,
}

async fn feed(State(f): State<FakeIssuer>, Query(p): Query<Page>) -> Response {
    *f.requests.lock().unwrap() += 1;
    if f.is_down() {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let events = f.events.lock().unwrap().clone();
    let head = events.len() as u64;
    let limit = p.limit.unwrap_or(1000).min(*f.page_cap.lock().unwrap());
    let page: Vec<Event> = events
        .into_iter()
        .filter(|e| e.seq > p.after)
        .take(limit)
        .collect();
    let key = f.key.lock().unwrap();
    let body = FeedPageBody {
        format: FEED_FORMAT.into(),
        office: f.office.parse().unwrap(),
        after: p.after,
        events: page,
        head,
        generated_at: now(),
        prev: None,
        chain: None,
    }
    .sign(&key);
    Json(body).into_response()
}

async fn status_list(State(f): State<FakeIssuer>) -> Response {
    if f.is_down() {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let events = f.events.lock().unwrap().clone();
    let mut max_serial = 0;
    let mut revoked = Vec::new();
    for e in &events {
        match &e.kind {
            EventKind::Issued { serial, .. } | EventKind::Resealed { serial, .. } => {
                max_serial = max_serial.max(*serial)
            }
            EventKind::Revoked { serial, .. } => revoked.push(*serial),
            _ => {}
        }
    }
    let key = f.key.lock().unwrap();
    Json(
        StatusListBody::new(
            &f.office.parse().unwrap(),
            events.len() as u64,
            max_serial,
            revoked,
            now(),
        )
        .sign(&key),
    )
    .into_response()
}

impl FakeIssuer {
    pub fn new(key: SecretKey) -> FakeIssuer {
        FakeIssuer {
            events: Arc::default(),
            key: Arc::new(Mutex::new(key)),
            office: OFFICE.to_owned(),
            requests: Arc::default(),
            page_cap: Arc::new(Mutex::new(2)),
            down: Arc::default(),
        }
    }

    fn is_down(&self) -> bool {
        self.down.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Takes the issuer down (every request answered 503) or brings it back.
    pub fn set_down(&self, down: bool) {
        self.down.store(down, std::sync::atomic::Ordering::SeqCst);
    }

    /// Serves on 127.0.0.1:0; returns the base URL. Pages hold at most two events, so that a
    /// sync takes several pages.
    pub async fn start(&self) -> String {
        let app = Router::new()
            .route("/api/v1/feed", get(feed))
            .route("/api/v1/status-list", get(status_list))
            .with_state(self.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr: SocketAddr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        format!("http://{addr}")
    }

    pub fn issue(&self, serial: u64, sealed: &Sealed) {
        let mut ev = self.events.lock().unwrap();
        let seq = ev.len() as u64 + 1;
        let key_id = self.key.lock().unwrap().key_id();
        ev.push(Event {
            seq,
            at: now(),
            kind: EventKind::Issued {
                serial,
                key_id,
                hash: hex(&sealed.hash()),
            },
        });
    }

    pub fn revoke(&self, serial: u64) {
        let mut ev = self.events.lock().unwrap();
        let seq = ev.len() as u64 + 1;
        ev.push(Event {
            seq,
            at: now(),
            kind: EventKind::Revoked {
                serial,
                reason: RevocationReason::IssuedInError,
            },
        });
    }

    pub fn requests(&self) -> u64 {
        *self.requests.lock().unwrap()
    }
}

/// Polls `f` every 50 ms until it is true or `limit` passes.
pub async fn eventually(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if f() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    f()
}
