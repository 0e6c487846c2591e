//! Issue #15, the whole story across the parts, in-process over HTTP: two offices' issuers,
//! a verifier following both, a second verifier following the first through its mirror routes
//! (`serve --mirror`), a kiosk that syncs its offline snapshot from the second, and a thief with office A's key who forges certificates and feed pages (served to a second
//! verifier that follows the thief). The authority marks the key compromised with a pin in a
//! newly signed trust list; office A re-seals while its service runs. Every party must reach
//! the same verdict for genuine, forged, re-sealed and revoked certificates of both offices,
//! and the re-sealed copy, printed and photographed, must scan `valid`.
//!
//! The party × kind → verdict table is printed (`--nocapture`) for the issue's figures.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use image::{imageops, DynamicImage, ImageFormat};
use serde_json::Value;
use sonod_issuer::server::{AppState as IssuerState, OfficeInfo, ServeConfig};
use sonod_issuer::Store;
use sonod_keys::{
    today_dhaka, write_public_key, write_secret_key, Environment, FeedPin, OfficeCode, SecretKey,
    TrustEntry, TrustList, TrustListDraft,
};
use sonod_scan::{decode_image_bytes, Limits, Snapshot, SyncOptions, TrustFloor};
use sonod_seal::feed::{chain_hex, Event, EventKind, FeedPageBody, RevocationReason, FEED_FORMAT};
use sonod_seal::{Certificate, Host, Record, Sealed};
use sonod_verifier::server::{AppState as VerifierState, Config};
use sonod_verifier::{Judge, TrustSource};
use tokio::sync::oneshot;

const A: &str = "100524";
const B: &str = "200100";

fn oc(code: &str) -> OfficeCode {
    code.parse().unwrap()
}

fn record(office: &str) -> Record {
    let mut v: Value =
        serde_json::from_str(include_str!("../../seal/tests/data/benchmark-record.json")).unwrap();
    v["office"] = Value::from(office);
    v["issued"] = Value::from(today_dhaka().to_string());
    v["expires"] = Value::from((today_dhaka() + time::Duration::days(365)).to_string());
    Record::from_json(&v).unwrap()
}

struct World {
    dir: tempfile::TempDir,
    rt: tokio::runtime::Runtime,
    root: SecretKey,
    draft: Mutex<TrustListDraft>,
    stops: Vec<oneshot::Sender<()>>,
}

impl Drop for World {
    fn drop(&mut self) {
        for s in self.stops.drain(..) {
            let _ = s.send(());
        }
    }
}

impl World {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn sign_trust(&self, edit: impl FnOnce(&mut TrustListDraft)) {
        let mut d = self.draft.lock().unwrap();
        edit(&mut d);
        d.sign_on(&self.root, None, today_dhaka()).unwrap();
        d.write(self.path("trust.json")).unwrap();
    }

    fn trust(&self) -> TrustList {
        TrustList::load(
            &std::fs::read(self.path("trust.json")).unwrap(),
            &self.root.verifying_key(),
            today_dhaka(),
        )
        .unwrap()
    }

    fn serve(
        &mut self,
        app: impl FnOnce(tokio::net::TcpListener, oneshot::Receiver<()>),
    ) -> String {
        let (tx, rx) = oneshot::channel::<()>();
        self.stops.push(tx);
        let l = self
            .rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}", l.local_addr().unwrap());
        let _guard = self.rt.enter();
        app(l, rx);
        url
    }

    fn issuer(&mut self, office: &str, name: &str) -> (IssuerState, String) {
        let state = IssuerState::new(
            ServeConfig {
                office: OfficeInfo {
                    code: oc(office),
                    name_bn: format!("অফিস {office}"),
                    name_en: format!("Office {office}"),
                },
                key_path: self.path(&format!("{name}.key.pem")),
                trust_path: self.path("trust.json"),
                root_path: self.path("root.pub.pem"),
                verifier_host: Some("localhost:8081".parse().unwrap()),
                request_timeout: Duration::from_secs(10),
                development: false,
                wording_dir: None,
            },
            Store::open(&self.path(&format!("issuer-{name}"))).unwrap(),
        )
        .unwrap();
        let st = state.clone();
        let url = self.serve(move |l, rx| {
            tokio::spawn(async move {
                let _ = sonod_issuer::server::run(l, st, async {
                    let _ = rx.await;
                })
                .await;
            });
        });
        (state, url)
    }

    fn verifier(&mut self, name: &str, issuers: Vec<String>) -> (VerifierState, String) {
        self.verifier_of(name, issuers, Vec::new())
    }

    /// A verifier following `issuers` and other verifiers' `mirrors`.
    fn verifier_of(
        &mut self,
        name: &str,
        issuers: Vec<String>,
        mirrors: Vec<String>,
    ) -> (VerifierState, String) {
        let mut c = Config::new(
            self.path(name),
            TrustSource::File(self.path("trust.json")),
            self.root.verifying_key(),
        );
        c.issuers = issuers;
        c.mirrors = mirrors;
        c.sync_interval = Duration::from_millis(150);
        c.rate_limit_per_minute = 0;
        let state = self.rt.block_on(VerifierState::new(c)).unwrap();
        let st = state.clone();
        let url = self.serve(move |l, rx| {
            tokio::spawn(async move {
                let _ = sonod_verifier::server::run(l, st, async {
                    let _ = rx.await;
                })
                .await;
            });
        });
        (state, url)
    }
}

fn issue(state: &IssuerState, office: &str) -> (u64, String) {
    let ledger = state.ledger();
    let out = ledger
        .issue(&record(office), &state.key(), "e2e", None)
        .unwrap();
    ledger.issued_durable_blocking(&out).unwrap();
    let host: Host = "localhost:8081".parse().unwrap();
    (
        out.certificate.serial,
        sonod_seal::qr_text(&out.certificate.sealed, Some(&host)),
    )
}

fn wait(what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if f() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("timed out waiting for {what}");
}

fn verify_online(url: &str, text: &str) -> Value {
    let body = serde_json::json!({ "payload": text }).to_string();
    let resp = ureq::post(&format!("{url}/api/v1/verify"))
        .set("content-type", "application/json")
        .send_string(&body)
        .unwrap();
    serde_json::from_str(&resp.into_string().unwrap()).unwrap()
}

/// `verdict` plus the reason when it says more (`valid_before_compromise`).
fn shown(v: &Value) -> String {
    match v["reason_code"].as_str() {
        Some("valid_before_compromise") => "valid (valid_before_compromise)".into(),
        _ => v["verdict"].as_str().unwrap_or("?").to_owned(),
    }
}

fn kiosk_sync(w: &World, from: &str) {
    let opts = SyncOptions {
        from: from.to_owned(),
        store: w.path("kiosk"),
        root: w.root.verifying_key(),
        floor: TrustFloor::new(w.path("kiosk-state")),
        trust: None,
        offices: Vec::new(),
        timeout: Duration::from_secs(10),
        today: today_dhaka(),
    };
    sonod_scan::sync(&opts, &mut |_| {}).unwrap();
}

fn kiosk_verdict(w: &World, text: &str) -> String {
    let snap = Snapshot::load(&w.path("kiosk"), &w.root.verifying_key(), today_dhaka()).unwrap();
    let judge = Judge::new(snap.trust_list().clone());
    let v = judge.judge(text, today_dhaka(), &snap);
    assert!(snap.take_damage().is_none());
    shown(&v.to_json())
}

/// A thief serving office A's feed signed with the stolen key: A's genuine events, then
/// their own forgeries "published".
#[derive(Clone)]
struct Thief {
    events: Arc<Vec<Event>>,
    key: Arc<SecretKey>,
}

#[derive(serde::Deserialize)]
struct After {
    #[serde(default)]
    after: u64,
}

async fn thief_feed(State(t): State<Thief>, Query(q): Query<After>) -> Json<Value> {
    let events: Vec<Event> = t
        .events
        .iter()
        .filter(|e| e.seq > q.after)
        .cloned()
        .collect();
    let page = FeedPageBody {
        format: FEED_FORMAT.into(),
        office: oc(A),
        after: q.after,
        head: t.events.len() as u64,
        events,
        generated_at: time::OffsetDateTime::now_utc().unix_timestamp(),
        prev: None,
        chain: None,
    }
    .sign(&t.key);
    Json(serde_json::to_value(page).unwrap())
}

fn photographed(text: &str) -> Vec<Vec<u8>> {
    let png = DynamicImage::ImageLuma8(
        qrcode::QrCode::new(text.as_bytes())
            .unwrap()
            .render::<image::Luma<u8>>()
            .module_dimensions(6, 6)
            .quiet_zone(true)
            .build(),
    );
    let encode = |img: &DynamicImage, fmt| {
        let mut buf = Cursor::new(Vec::new());
        img.write_to(&mut buf, fmt).unwrap();
        buf.into_inner()
    };
    let (w, h) = (png.width(), png.height());
    let mut page = DynamicImage::new_luma8(w * 3, h * 3);
    page.as_mut_luma8()
        .unwrap()
        .pixels_mut()
        .for_each(|p| p.0 = [225]);
    imageops::overlay(&mut page, &png.blur(1.2), i64::from(w), i64::from(h) / 2);
    vec![
        {
            let mut buf = Cursor::new(Vec::new());
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut buf, 45)
                .encode_image(&png.rotate90().to_rgb8())
                .unwrap();
            buf.into_inner()
        },
        encode(
            &png.adjust_contrast(-50.0).brighten(-50).blur(1.0),
            ImageFormat::Png,
        ),
        encode(&page, ImageFormat::Jpeg),
    ]
}

#[test]
fn a_stolen_office_key_leaves_genuine_certificates_genuine_at_every_party() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let root = SecretKey::generate();
    let (a_key, b_key) = (SecretKey::generate(), SecretKey::generate());
    let today = today_dhaka();
    let mut draft = TrustListDraft::new(today + time::Duration::days(300), Environment::Production);
    for (k, office) in [(&a_key, A), (&b_key, B)] {
        draft
            .add_key(TrustEntry::new(
                k.verifying_key(),
                oc(office),
                format!("অফিস {office}"),
                format!("Office {office}"),
                today - time::Duration::days(30),
                today + time::Duration::days(300),
                vec!["LOCALHOST:8081".into()],
            ))
            .unwrap();
    }
    let mut w = World {
        dir,
        rt,
        root,
        draft: Mutex::new(draft),
        stops: Vec::new(),
    };
    w.sign_trust(|_| {});
    write_public_key(w.path("root.pub.pem"), &w.root.verifying_key()).unwrap();
    write_secret_key(w.path("a.key.pem"), &a_key, None).unwrap();
    write_secret_key(w.path("b.key.pem"), &b_key, None).unwrap();

    // Two offices issue; each revokes one.
    let (a, a_url) = w.issuer(A, "a");
    let (b, b_url) = w.issuer(B, "b");
    let (a1, a1_text) = issue(&a, A);
    let (a2, a2_text) = issue(&a, A);
    let (_a3, a3_text) = issue(&a, A);
    let (_b1, b1_text) = issue(&b, B);
    let (b2, b2_text) = issue(&b, B);
    a.ledger()
        .revoke(a2, RevocationReason::Fraud, "", "e2e")
        .unwrap();
    a.ledger().store().commit().unwrap();
    b.ledger()
        .revoke(b2, RevocationReason::Other, "", "e2e")
        .unwrap();
    b.ledger().store().commit().unwrap();
    let (v1, v1_url) = w.verifier("verifier-1", vec![a_url.clone(), b_url.clone()]);
    let caught_up = |v: &VerifierState, office: &str, position: u64| {
        v.replica()
            .office(&oc(office))
            .is_some_and(|o| o.position >= position)
            && v.replica()
                .status_list(&oc(office))
                .is_some_and(|(p, _)| p >= position)
    };
    wait("verifier 1", || {
        caught_up(&v1, A, 4) && caught_up(&v1, B, 3)
    });
    // A second verifier follows the first through its mirror routes (both offices, which it
    // learns from the listing), and the kiosk syncs from the second.
    let (v2, v2_url) = w.verifier_of("verifier-2", Vec::new(), vec![v1_url.clone()]);
    wait("verifier 2", || {
        caught_up(&v2, A, 4) && caught_up(&v2, B, 3)
    });
    assert_eq!(v2.replica().chain(&oc(A)), v1.replica().chain(&oc(A)));
    assert_eq!(v2.replica().chain(&oc(B)), v1.replica().chain(&oc(B)));
    // The kiosk syncs before anything happens.
    kiosk_sync(&w, &v2_url);

    // The key is stolen: the thief seals certificates and a feed that publishes one.
    let forged_text = Sealed::seal(&Certificate::new(900, &record(A)), &a_key)
        .unwrap()
        .to_qr_text(Some(&"localhost:8081".parse().unwrap()));
    let forged_listed_text = Sealed::seal(&Certificate::new(901, &record(A)), &a_key)
        .unwrap()
        .to_qr_text(Some(&"localhost:8081".parse().unwrap()));
    let mut thief_events = a.ledger().events(0, 100).unwrap();
    let forged_hash = sonod_seal::parse_qr_text(&forged_listed_text)
        .unwrap()
        .bytes;
    thief_events.push(Event {
        seq: thief_events.len() as u64 + 1,
        at: time::OffsetDateTime::now_utc().unix_timestamp(),
        kind: EventKind::Issued {
            serial: 901,
            key_id: a_key.key_id(),
            hash: sonod_issuer::hex_hash(&forged_hash),
        },
    });
    let thief = Thief {
        events: Arc::new(thief_events),
        key: Arc::new(SecretKey::from_signing_key(a_key.signing_key().clone())),
    };
    let thief_url = w.serve(move |l, rx| {
        let app = Router::new()
            .route("/api/v1/feed", get(thief_feed))
            .with_state(thief);
        tokio::spawn(async move {
            let _ = axum::serve(l, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
    });

    // The kiosk before its next sync: its snapshot and trust list are from before the theft.
    let mut table: BTreeMap<&str, BTreeMap<&str, String>> = BTreeMap::new();
    let kinds: Vec<(&str, &str)> = vec![
        ("A genuine", &a1_text),
        ("A revoked", &a2_text),
        ("A forged", &forged_text),
        ("A forged, in the thief's feed", &forged_listed_text),
        ("B genuine", &b1_text),
        ("B revoked", &b2_text),
    ];
    for (kind, text) in &kinds {
        table
            .entry("kiosk before its sync")
            .or_default()
            .insert(kind, kiosk_verdict(&w, text));
    }

    // The authority: office A's new key, the old one compromised with the feed pinned where
    // the verifier that follows A's issuer stands.
    let pin_position = v1.replica().office(&oc(A)).unwrap().position;
    let pin_chain = v1.replica().chain(&oc(A)).unwrap();
    assert_eq!(a.ledger().chain_at(pin_position).unwrap(), Some(pin_chain));
    let new_a = SecretKey::generate();
    w.sign_trust(|d| {
        d.rotate(
            a_key.key_id(),
            new_a.verifying_key(),
            today,
            today + time::Duration::days(300),
            today,
        )
        .unwrap();
        d.compromise(
            a_key.key_id(),
            time::OffsetDateTime::now_utc(),
            Some(FeedPin::new(pin_position, &chain_hex(&pin_chain)).unwrap()),
        )
        .unwrap();
    });
    // Office A switches to the new key and re-seals while its service runs.
    std::fs::remove_file(w.path("a.key.pem")).unwrap();
    write_secret_key(w.path("a.key.pem"), &new_a, None).unwrap();
    assert_eq!(a.reload_key().unwrap(), new_a.key_id());
    let resealed = a
        .ledger()
        .reseal(&a_key.key_id(), a.key().secret(), "e2e")
        .unwrap();
    assert_eq!(resealed, 2, "the revoked certificate stays as it was");
    let a1_resealed = {
        let c = a.ledger().store().get(a1).unwrap().unwrap();
        sonod_seal::qr_text(&c.sealed, Some(&"localhost:8081".parse().unwrap()))
    };
    let (_, a4_new) = issue(&a, A);

    // A second verifier that follows the thief.
    let (v3, v3_url) = w.verifier("verifier-thief", vec![thief_url]);
    let v3_feed = v3.feeds()[0].clone();
    wait("the thief's page refused", || {
        v3_feed
            .status()
            .last_error
            .is_some_and(|e| e.contains("may not sign"))
    });
    wait("verifier 1 after the theft", || {
        caught_up(&v1, A, pin_position + 3)
            && v1
                .trust()
                .current()
                .is_some_and(|t| t.judge().trust_list().sequence() == 2)
            && verify_online(&v1_url, &a1_text)["reason_code"] == "valid_before_compromise"
    });
    // The second verifier, through the first's mirror: the stolen key's pages up to the pin,
    // the new key's after it.
    wait("verifier 2 after the theft", || {
        caught_up(&v2, A, pin_position + 3)
            && v2
                .trust()
                .current()
                .is_some_and(|t| t.judge().trust_list().sequence() == 2)
            && verify_online(&v2_url, &a1_text)["reason_code"] == "valid_before_compromise"
    });
    assert_eq!(v2.replica().chain(&oc(A)), v1.replica().chain(&oc(A)));
    kiosk_sync(&w, &v2_url);

    let mut kinds = kinds;
    kinds.push(("A re-sealed copy", &a1_resealed));
    kinds.push(("A new, new key", &a4_new));
    kinds.push(("A genuine 3", &a3_text));
    for (kind, text) in &kinds {
        table
            .entry("verifier (follows both issuers)")
            .or_default()
            .insert(kind, shown(&verify_online(&v1_url, text)));
        table
            .entry("verifier 2 (follows verifier 1's mirror)")
            .or_default()
            .insert(kind, shown(&verify_online(&v2_url, text)));
        table
            .entry("verifier (follows the thief)")
            .or_default()
            .insert(kind, shown(&verify_online(&v3_url, text)));
        table
            .entry("kiosk after its sync")
            .or_default()
            .insert(kind, kiosk_verdict(&w, text));
        let bare = Judge::new(w.trust());
        table.entry("scanner, trust list only").or_default().insert(
            kind,
            shown(&bare.judge(text, today, &sonod_verifier::NoFeed).to_json()),
        );
    }

    // The re-sealed copy printed, photographed and scanned.
    for (i, photo) in photographed(&a1_resealed).iter().enumerate() {
        let texts = decode_image_bytes(photo, &Limits::default()).unwrap();
        assert_eq!(texts, vec![a1_resealed.clone()], "photo {i}");
        assert_eq!(verify_online(&v1_url, &texts[0])["verdict"], "valid");
        assert_eq!(kiosk_verdict(&w, &texts[0]), "valid");
    }

    // The table, for the issue's figures.
    println!(
        "| party | {} |",
        kinds.iter().map(|k| k.0).collect::<Vec<_>>().join(" | ")
    );
    println!("|---|{}", "---|".repeat(kinds.len()));
    for (party, row) in &table {
        let cells: Vec<&str> = kinds
            .iter()
            .map(|(k, _)| row.get(k).map_or("", String::as_str))
            .collect();
        println!("| {party} | {} |", cells.join(" | "));
    }

    let online = &table["verifier (follows both issuers)"];
    let want = |kind: &str| online[kind].as_str();
    assert_eq!(want("A genuine"), "valid (valid_before_compromise)");
    assert_eq!(want("A genuine 3"), "valid (valid_before_compromise)");
    assert_eq!(want("A revoked"), "revoked");
    assert_eq!(want("A forged"), "key_compromised");
    assert_eq!(want("A forged, in the thief's feed"), "key_compromised");
    assert_eq!(want("A re-sealed copy"), "valid");
    assert_eq!(want("A new, new key"), "valid");
    assert_eq!(want("B genuine"), "valid");
    assert_eq!(want("B revoked"), "revoked");
    // The verifier following the first's mirror, and the kiosk after its sync from it, agree
    // with the first on every kind.
    assert_eq!(&table["verifier 2 (follows verifier 1's mirror)"], online);
    assert_eq!(&table["kiosk after its sync"], online);
    // The verifier that follows the thief never takes a forgery, whatever it can check.
    for (kind, verdict) in &table["verifier (follows the thief)"] {
        if kind.contains("forged") {
            assert_eq!(verdict, "key_compromised", "{kind}");
        }
    }
    // With a trust list only, nothing of the stolen key passes.
    let bare = &table["scanner, trust list only"];
    for kind in [
        "A genuine",
        "A revoked",
        "A forged",
        "A forged, in the thief's feed",
    ] {
        assert_eq!(bare[kind], "key_compromised", "{kind}");
    }
    // Before its sync the kiosk (old trust list) never calls a forgery valid.
    let before = &table["kiosk before its sync"];
    for kind in ["A forged", "A forged, in the thief's feed"] {
        assert_ne!(before[kind], "valid", "{kind}");
    }
    assert_eq!(before["A genuine"], "valid");
    let _ = Path::new("");
}
