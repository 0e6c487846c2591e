//! Re-sealing after a key compromise (issue #15) through the admin route, while the service
//! keeps issuing; the feed's hash chain over the pages the issuer serves.

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;

use serde_json::{json, Value};
use sonod_issuer::server::{app, AppState, OfficeInfo, ServeConfig};
use sonod_issuer::{now, Accounts, Ledger, Role, Store};
use sonod_keys::{
    ensure_dev_keys, format_date, read_public_key, read_secret_key, today_dhaka, DevOptions, KeyId,
    Passphrase, TrustListDraft, VerifyingKey,
};
use sonod_seal::feed::{chain_hex, chain_start, chain_through, EventKind, FeedPageBody, Signed};
use sonod_seal::{open, parse_qr_text};

#[allow(dead_code)]
struct Fixture {
    dir: tempfile::TempDir,
    state: AppState,
    office_key: VerifyingKey,
    chairman: String,
    operator: String,
    admin: String,
}

fn config(dir: &std::path::Path) -> ServeConfig {
    ServeConfig {
        office: OfficeInfo {
            code: "100524".parse().unwrap(),
            name_bn: "সাভার পৌরসভা".into(),
            name_en: "Savar Paurashava".into(),
        },
        key_path: dir.join("keys/office.key.pem"),
        trust_path: dir.join("keys/trust.json"),
        root_path: dir.join("keys/root.pub.pem"),
        verifier_host: Some("localhost:8080".parse().expect("host")),
        request_timeout: Duration::from_secs(10),
        development: true,
        wording_dir: None,
    }
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tmp");
    ensure_dev_keys(&dir.path().join("keys"), &DevOptions::default()).expect("dev keys");
    let office_key = read_public_key(dir.path().join("keys/office.pub.pem")).expect("pub");
    let store = Store::open(&dir.path().join("data")).expect("store");
    let accounts = Accounts::open(&store).expect("accounts");
    let ledger = Ledger::open(store.clone()).expect("ledger");
    let (by, now) = ("cli:test", now());
    let add = |name, display, role, password| {
        accounts
            .add_user(&ledger, by, name, display, role, password, now)
            .expect("user");
    };
    add("rahim", "মোঃ রহিম", Role::Chairman, None);
    add("karim", "করিম", Role::Operator, Some("operator password"));
    add("admin", "Admin", Role::Admin, None);
    let token = |name| {
        accounts
            .create_token(&ledger, by, name, "test", now + 86_400, now)
            .expect("token")
            .secret
    };
    let (chairman, operator, admin) = (token("rahim"), token("karim"), token("admin"));
    ledger.close().expect("close");
    drop(ledger);
    let state = AppState::new(config(dir.path()), store).expect("state");
    Fixture {
        dir,
        state,
        office_key,
        chairman,
        operator,
        admin,
    }
}

fn record() -> Value {
    let mut v: Value =
        serde_json::from_str(include_str!("../../seal/tests/data/benchmark-record.json"))
            .expect("json");
    let today = today_dhaka();
    v["issued"] = json!(format_date(today));
    v["expires"] = json!(format_date(today + time::Duration::days(365)));
    v["fields"]["mobile"] = json!("01712345678");
    v
}

/// The national authority edits the development trust list and signs it again.
fn resign_trust(f: &Fixture, edit: impl FnOnce(&mut TrustListDraft)) {
    let keys = f.dir.path().join("keys");
    let mut draft = TrustListDraft::read(keys.join("trust.json")).expect("draft");
    edit(&mut draft);
    let root = read_secret_key(keys.join("root.key.pem"), || {
        Ok(Passphrase::new(String::new()))
    })
    .expect("root");
    draft.sign(&root, None).expect("sign");
    draft.write(keys.join("trust.json")).expect("write");
}

async fn reload(f: &Fixture, router: &Router) -> (StatusCode, Value) {
    let (status, _, body) = call(
        router,
        post("/api/v1/admin/reload-key", Some(&f.admin), &json!({})),
    )
    .await;
    (status, json_of(&body))
}

/// Every event the feed has published so far.
#[allow(dead_code)]
async fn event_count(f: &Fixture, router: &Router) -> usize {
    feed(router, 0, 100, &f.office_key)
        .await
        .signed
        .events
        .len()
}

async fn call(router: &Router, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    sonod_testkit::send(router.clone(), req).await
}

fn post(uri: &str, token: Option<&str>, body: &Value) -> Request<Body> {
    let mut b = Request::post(uri).header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    b.body(Body::from(body.to_string())).expect("request")
}

fn get(uri: &str, token: Option<&str>) -> Request<Body> {
    let mut b = Request::get(uri);
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    b.body(Body::empty()).expect("request")
}

fn json_of(body: &[u8]) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(body)))
}

async fn issue(f: &Fixture, router: &Router) -> Value {
    let (status, _, body) = call(
        router,
        post("/api/v1/certificates", Some(&f.chairman), &record()),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&body)
    );
    json_of(&body)
}

async fn feed(
    router: &Router,
    after: u64,
    limit: usize,
    key: &VerifyingKey,
) -> Signed<FeedPageBody> {
    let (status, _, body) = call(
        router,
        get(&format!("/api/v1/feed?after={after}&limit={limit}"), None),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let page = Signed::<FeedPageBody>::parse(&body).expect("page");
    page.verify(key).expect("page signature");
    page
}

#[tokio::test]
async fn a_compromised_key_s_certificates_are_resealed_while_the_service_issues() {
    let f = fixture();
    let router = app(f.state.clone());
    let mut issued = Vec::new();
    for _ in 0..4 {
        issued.push(issue(&f, &router).await);
    }
    let (status, _, _) = call(
        &router,
        post(
            "/api/v1/certificates/2/revoke",
            Some(&f.chairman),
            &json!({"reason": "fraud"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let stolen: KeyId = issued[0]["key_id"].as_str().unwrap().parse().unwrap();

    // The pages state the chain: every page's `prev` and `chain` follow from the events.
    let all = feed(&router, 0, 100, &f.office_key).await;
    let start = chain_start(&"100524".parse().unwrap());
    assert_eq!(all.signed.prev, Some(chain_hex(&start)));
    assert_eq!(
        all.signed.chain,
        Some(chain_hex(&chain_through(start, &all.signed.events)))
    );
    let tail = feed(&router, 3, 100, &f.office_key).await;
    assert_eq!(
        tail.signed.prev,
        Some(chain_hex(&chain_through(start, &all.signed.events[..3])))
    );
    assert_eq!(tail.signed.chain, all.signed.chain);

    // Re-sealing needs the new key loaded first.
    let (status, _, body) = call(
        &router,
        post(
            "/api/v1/admin/reseal",
            Some(&f.admin),
            &json!({"compromised": stolen.to_string()}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = String::from_utf8_lossy(&body);
    assert!(
        text.contains("reload it first") && text.contains("পুনরায় লোড"),
        "{text}"
    );
    // The authority: a new key for the office, the old one compromised.
    let new_key = sonod_keys::SecretKey::generate();
    resign_trust(&f, |d| {
        d.rotate(
            stolen,
            new_key.verifying_key(),
            today_dhaka(),
            today_dhaka() + time::Duration::days(365),
            today_dhaka(),
        )
        .unwrap();
        d.compromise(stolen, time::OffsetDateTime::now_utc(), None)
            .unwrap();
    });
    let path = f.dir.path().join("keys/office.key.pem");
    std::fs::remove_file(&path).unwrap();
    sonod_keys::write_secret_key(&path, &new_key, None).unwrap();
    let (status, _) = reload(&f, &router).await;
    assert_eq!(status, StatusCode::OK);

    // Only an operator of the service may start it.
    let (status, _, _) = call(
        &router,
        post(
            "/api/v1/admin/reseal",
            Some(&f.chairman),
            &json!({"compromised": stolen.to_string()}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Issuing goes on while it runs.
    let issuing = {
        let (router, chairman) = (router.clone(), f.chairman.clone());
        tokio::spawn(async move {
            let mut serials = Vec::new();
            for _ in 0..5 {
                let (status, _, body) = call(
                    &router,
                    post("/api/v1/certificates", Some(&chairman), &record()),
                )
                .await;
                assert_eq!(status, StatusCode::CREATED);
                serials.push(json_of(&body)["serial"].as_u64().unwrap());
            }
            serials
        })
    };
    let (status, _, body) = call(
        &router,
        post(
            "/api/v1/admin/reseal",
            Some(&f.admin),
            &json!({"compromised": stolen.to_string()}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let done = json_of(&body);
    assert_eq!(done["resealed"], 3, "{done}");
    assert_eq!(done["key_id"], new_key.key_id().to_string());
    let serials = issuing.await.unwrap();
    assert_eq!(serials.len(), 5);

    // The feed (now signed with the new key) publishes `resealed` for serials 1, 3 and 4,
    // with the hash of the new sealed bytes; the revoked one is left alone.
    let page = feed(&router, 0, 100, &new_key.verifying_key()).await;
    let mut resealed: Vec<u64> = Vec::new();
    for e in &page.signed.events {
        if let EventKind::Resealed {
            serial,
            key_id,
            hash,
        } = &e.kind
        {
            assert_eq!(*key_id, new_key.key_id());
            let (status, _, body) = call(
                &router,
                get(&format!("/api/v1/certificates/{serial}"), Some(&f.operator)),
            )
            .await;
            assert_eq!(status, StatusCode::OK);
            let got = json_of(&body);
            let bytes = parse_qr_text(got["qr_text"].as_str().unwrap())
                .unwrap()
                .bytes;
            assert_eq!(&sonod_issuer::hex_hash(&bytes), hash);
            let cert = open(&bytes).unwrap();
            let cert = cert.verify(&new_key.verifying_key()).unwrap();
            assert_eq!(cert.serial, *serial);
            resealed.push(*serial);
        }
    }
    resealed.sort_unstable();
    assert_eq!(resealed, [1, 3, 4]);
    // Each holder is told by SMS to print (or collect) the new copy, within two Unicode parts.
    let told: Vec<_> = f
        .state
        .ledger()
        .sms_messages(0, 1000)
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == "resealed")
        .collect();
    assert_eq!(told.len(), 3, "one message for each re-sealed certificate");
    for (m, serial) in told.iter().zip([1u64, 3, 4]) {
        assert!(
            m.text
                .contains(&sonod_seal::bangla_digits(&format!("100524-{serial}"))),
            "{}",
            m.text
        );
        assert!(sonod_issuer::sms::utf16_len(&m.text) <= 134, "{}", m.text);
    }
    assert_eq!(
        page.signed.chain,
        Some(chain_hex(&chain_through(start, &page.signed.events)))
    );
    // Running it again finds nothing left.
    let (status, _, body) = call(
        &router,
        post(
            "/api/v1/admin/reseal",
            Some(&f.admin),
            &json!({"compromised": stolen.to_string()}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json_of(&body)["resealed"], 0);
    let _ = Duration::ZERO;
}
