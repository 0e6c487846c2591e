//! The verification API through `app(state).oneshot(...)`, and once over a real socket.

mod common;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Request, StatusCode};
use common::*;
use serde_json::{json, Value};
use sonod_seal::feed::{Event, EventKind, RevocationReason};
use sonod_verifier::server::{app, MAX_BATCH};

async fn verdict_of(f: &Fixture, state: &sonod_verifier::server::AppState, payload: &str) -> Value {
    let _ = f;
    verify(app(state.clone()), payload).await
}

fn issued_event(seq: u64, serial: u64, hash: &[u8; 32], f: &Fixture) -> Event {
    Event {
        seq,
        at: now(),
        kind: EventKind::Issued {
            serial,
            key_id: f.office.key_id(),
            hash: hex(hash),
        },
    }
}

#[tokio::test]
async fn every_verdict_kind_through_the_api() {
    let f = Fixture::new();
    let state = f.state().await;

    let cases: Vec<(String, &str)> = vec![
        ("hello world".into(), "malformed"),
        ("HTTPS://VERIFY.SONOD.GOV.BD/V/AAAA".into(), "malformed"),
        (b32(&f.version_two()), "unsupported_version"),
        (
            b32(f.seal(1, &f.record(-10, None), &f.stranger).as_bytes()),
            "untrusted_issuer",
        ),
        (b32(&f.forged(2)), "bad_signature"),
        (
            b32(f.seal(3, &f.record(-10, None), &f.compromised).as_bytes()),
            "key_compromised",
        ),
        (
            b32(f.seal(4, &f.record(-300, Some(-1)), &f.office).as_bytes()),
            "expired",
        ),
        (
            b32(f.seal(5, &f.record(5, None), &f.office).as_bytes()),
            "not_yet_valid",
        ),
        // The office's feed is not followed here: the signature holds, but whether the
        // office issued it and has not revoked it was not checked. (This read `valid` before.)
        (f.url(&f.valid(6)), "unconfirmed"),
    ];
    for (payload, want) in &cases {
        let v = verdict_of(&f, &state, payload).await;
        assert_eq!(v["verdict"], *want, "{payload}: {v:#}");
        assert!(v["reason_bn"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(v["reason_en"].as_str().is_some_and(|s| !s.is_empty()));
        // Plain Bangla: no English, format names or codes inside the Bangla reason (issue #17);
        // the reason's code and any technical detail are fields of their own.
        assert!(
            v["reason_bn"]
                .as_str()
                .is_some_and(|s| !s.chars().any(|c| c.is_ascii_alphabetic())),
            "{v:#}"
        );
        assert!(v["reason_code"].as_str().is_some(), "{v:#}");
        assert!(v["checked_at"].as_str().is_some(), "{v:#}");
        assert!(v.get("freshness").is_some());
        // Signed facts only once the signature holds with a usable key.
        let facts = matches!(*want, "expired" | "not_yet_valid" | "unconfirmed" | "valid");
        assert_eq!(v.get("certificate").is_some(), facts, "{want}: {v:#}");
        // Only an unconfirmed verdict says what was not checked.
        assert_eq!(
            v.get("unchecked").is_some(),
            *want == "unconfirmed",
            "{v:#}"
        );
    }
    let v = verdict_of(&f, &state, &f.url(&f.valid(6))).await;
    assert_eq!(v["valid"], false);
    assert_eq!(v["headline_en"], "Signature genuine — not fully checked");
    assert_eq!(
        v["unchecked"],
        json!({"code": "no_feed", "issuance_checked": false, "revocation_checked": false})
    );

    // The feed's verdicts: serial 7 issued then revoked; an unknown hash once the feed is synced
    // past the issue date.
    let revoked = f.valid(7);
    let unknown = f.valid(8);
    let r = state.replica();
    r.apply(
        &OFFICE.parse().unwrap(),
        0,
        &[
            issued_event(1, 7, &revoked.hash(), &f),
            Event {
                seq: 2,
                at: now(),
                kind: EventKind::Revoked {
                    serial: 7,
                    reason: RevocationReason::Fraud,
                },
            },
        ],
        2,
    )
    .unwrap();
    r.mark_synced_ms(&OFFICE.parse().unwrap(), now_ms())
        .unwrap();
    let v = verdict_of(&f, &state, &f.url(&revoked)).await;
    assert_eq!(v["verdict"], "revoked", "{v:#}");
    assert!(v["reason_en"]
        .as_str()
        .unwrap()
        .contains("obtained by fraud"));
    assert!(v.get("certificate").is_some());
    let v = verdict_of(&f, &state, &f.url(&unknown)).await;
    assert_eq!(v["verdict"], "not_issued", "{v:#}");
    assert!(v.get("certificate").is_none());
    assert_eq!(v["freshness"]["office"], OFFICE);
    assert_eq!(v["freshness"]["feed_position"], 2);
    assert!(v["freshness"]["feed_synced_at"].is_string());
    // A certificate the feed does not hold yet, first seen after the last sync: not judged by
    // that sync, and this service reads no feed of the office to look again (it stays
    // unconfirmed, and says as of when revocation was checked).
    let today = b32(f.seal(9, &f.record(0, None), &f.office).as_bytes());
    let v = verdict_of(&f, &state, &today).await;
    assert_eq!(v["verdict"], "unconfirmed", "{v:#}");
    assert_eq!(v["unchecked"]["code"], "not_yet_published");
    assert_eq!(v["unchecked"]["revocation_checked"], true);
    assert!(v["unchecked"]["as_of"].is_i64(), "{v:#}");
    // Once the feed publishes it, and a sync says so: valid, with nothing left unchecked.
    let published = f.seal(9, &f.record(0, None), &f.office);
    publish(&state, &f.office, &[(9, &published)]);
    let v = verdict_of(&f, &state, &today).await;
    assert_eq!(v["verdict"], "valid", "{v:#}");
    assert_eq!(v["valid"], true);
    assert!(v.get("unchecked").is_none());

    // The URL's host is reported and checked against the trust list.
    let v = verdict_of(
        &f,
        &state,
        &format!(
            "https://verify.s0nod.gov.bd/V/{}",
            b32(f.valid(10).as_bytes())
        ),
    )
    .await;
    assert_eq!(v["host_official"], false);
    let v = verdict_of(&f, &state, &f.url(&f.valid(11))).await;
    assert_eq!(v["host_official"], true);
    assert_eq!(v["office"]["code"], OFFICE);
}

#[tokio::test]
async fn repeated_payloads_are_read_once_but_revocation_is_always_asked() {
    let f = Fixture::new();
    let state = f.state().await;
    let s = f.valid(21);
    let url = f.url(&s);
    publish(&state, &f.office, &[(21, &s)]);
    for _ in 0..3 {
        assert_eq!(verdict_of(&f, &state, &url).await["verdict"], "valid");
    }
    let metrics = String::from_utf8(
        send(
            app(state.clone()),
            Request::get("/metrics").body(Body::empty()).unwrap(),
        )
        .await
        .2,
    )
    .unwrap();
    assert!(
        metrics.contains("sonod_verifier_reading_cache_hits_total 2"),
        "{metrics}"
    );
    state
        .replica()
        .apply(
            &OFFICE.parse().unwrap(),
            1,
            &[Event {
                seq: 2,
                at: now(),
                kind: EventKind::Revoked {
                    serial: 21,
                    reason: RevocationReason::Superseded,
                },
            }],
            2,
        )
        .unwrap();
    assert_eq!(verdict_of(&f, &state, &url).await["verdict"], "revoked");
    // A cached bad signature stays bad.
    let forged = b32(&f.forged(22));
    for _ in 0..2 {
        assert_eq!(
            verdict_of(&f, &state, &forged).await["verdict"],
            "bad_signature"
        );
    }
}

#[tokio::test]
async fn batch_of_300_with_bad_ones_answers_in_order() {
    let f = Fixture::new();
    let state = f.state().await;
    let mut payloads = Vec::new();
    let mut want = Vec::new();
    let published: Vec<_> = (0..300u64).map(|i| f.valid(1000 + i)).collect();
    let certs: Vec<_> = published.iter().zip(1000..).map(|(s, n)| (n, s)).collect();
    publish(&state, &f.office, &certs);
    for i in 0..300u64 {
        let (p, w) = match i {
            17 | 150 | 299 => (b32(&f.forged(1000 + i)), "bad_signature"),
            42 => ("not a QR".to_owned(), "malformed"),
            77 => (
                b32(f
                    .seal(1000 + i, &f.record(-10, None), &f.stranger)
                    .as_bytes()),
                "untrusted_issuer",
            ),
            200 => (
                b32(f
                    .seal(1000 + i, &f.record(-10, None), &f.compromised)
                    .as_bytes()),
                "key_compromised",
            ),
            201 => (b32(&f.version_two()), "unsupported_version"),
            _ => (f.url(&published[i as usize]), "valid"),
        };
        payloads.push(p);
        want.push(w);
    }
    // Twice: the second time every reading comes from the cache.
    for round in 0..2 {
        let (status, _, body) = send(
            app(state.clone()),
            post_json("/api/v1/verify/batch", &json!({ "payloads": payloads })),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let v: Value = serde_json::from_slice(&body).unwrap();
        let results = v["results"].as_array().unwrap();
        assert_eq!(results.len(), 300);
        for (i, (r, w)) in results.iter().zip(&want).enumerate() {
            assert_eq!(r["verdict"], *w, "round {round}, item {i}");
            if *w == "valid" {
                assert_eq!(r["certificate"]["serial"], 1000 + i as u64);
            }
        }
        assert!(v["freshness"][OFFICE].is_object(), "{:#}", v["freshness"]);
        assert!(v["checked_at"].is_string());
    }
    // The same verdicts one by one.
    for i in [0usize, 17, 42, 77, 200, 201, 299] {
        assert_eq!(
            verify(app(state.clone()), &payloads[i]).await["verdict"],
            want[i]
        );
    }
    // JSON may escape any character ('/' as "\/", letters as "\u0041"): such payloads are
    // read as well as the ones borrowed straight from the body.
    let escaped = format!(
        "{{\"payloads\": [\"{}\", \"{}\"]}}",
        payloads[0].replace('/', "\\/"),
        payloads[1].replacen('H', "\\u0048", 1)
    );
    let request = axum::http::Request::post("/api/v1/verify/batch")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(escaped))
        .unwrap();
    let (status, _, body) = send(app(state.clone()), request).await;
    assert_eq!(status, StatusCode::OK);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["results"][0]["verdict"], "valid");
    assert_eq!(v["results"][1]["verdict"], "valid");
    assert_eq!(v["results"][1]["certificate"]["serial"], 1001);
    // An empty batch is fine.
    let (status, _, body) = send(
        app(state.clone()),
        post_json("/api/v1/verify/batch", &json!({ "payloads": [] })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap()["results"],
        json!([])
    );
}

/// Single requests sent at once have their signatures checked together at the desk; each
/// still gets its own verdict, forged ones among them included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_single_requests_share_signature_rounds() {
    let f = Fixture::new();
    let state = f.state().await;
    let published: Vec<_> = (0..200u64).map(|i| f.valid(2000 + i)).collect();
    let certs: Vec<_> = published.iter().zip(2000..).map(|(s, n)| (n, s)).collect();
    publish(&state, &f.office, &certs);
    let mut tasks = Vec::new();
    for i in 0..200u64 {
        let (p, w) = match i % 25 {
            3 => (b32(&f.forged(2000 + i)), "bad_signature"),
            11 => (
                b32(f
                    .seal(2000 + i, &f.record(-10, None), &f.compromised)
                    .as_bytes()),
                "key_compromised",
            ),
            _ => (f.url(&published[i as usize]), "valid"),
        };
        let app = app(state.clone());
        tasks.push(tokio::spawn(async move {
            let v = verify(app, &p).await;
            (v, w, i)
        }));
    }
    for t in tasks {
        let (v, w, i) = t.await.unwrap();
        assert_eq!(v["verdict"], w, "request {i}");
        if w == "valid" {
            assert_eq!(v["certificate"]["serial"], 2000 + i);
        }
    }
    let (_, _, metrics) = send(
        app(state.clone()),
        Request::get("/metrics").body(Body::empty()).unwrap(),
    )
    .await;
    let metrics = String::from_utf8(metrics).unwrap();
    let counter = |name: &str| -> u64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} in {metrics}"))
    };
    // Every signature was checked exactly once, and rounds were counted.
    assert_eq!(counter("sonod_verifier_signature_round_checks_total "), 200);
    assert!(counter("sonod_verifier_signature_rounds_total ") >= 1);
}

fn assert_problem(
    status: StatusCode,
    headers: &axum::http::HeaderMap,
    body: &[u8],
    want: StatusCode,
) -> Value {
    assert_eq!(status, want, "{}", String::from_utf8_lossy(body));
    assert_eq!(headers["content-type"], "application/problem+json");
    let v: Value = serde_json::from_slice(body).expect("problem json");
    assert_eq!(v["status"], want.as_u16());
    assert!(
        v["detail"].as_str().is_some_and(|d| d.contains(" / ")),
        "bilingual detail: {v}"
    );
    v
}

#[tokio::test]
async fn bad_requests_are_problem_json() {
    let f = Fixture::new();
    let state = f.state().await;
    let a = || app(state.clone());

    let raw = |uri: &str, ct: &str, body: Vec<u8>| {
        Request::post(uri)
            .header("content-type", ct)
            .body(Body::from(body))
            .unwrap()
    };
    let (s, h, b) = send(
        a(),
        raw("/api/v1/verify", "application/json", b"{not json".to_vec()),
    )
    .await;
    assert_problem(s, &h, &b, StatusCode::BAD_REQUEST);
    let (s, h, b) = send(
        a(),
        raw(
            "/api/v1/verify",
            "application/json",
            br#"{"payload": 5}"#.to_vec(),
        ),
    )
    .await;
    assert_problem(s, &h, &b, StatusCode::BAD_REQUEST);
    let (s, h, b) = send(
        a(),
        raw(
            "/api/v1/verify",
            "application/json",
            br#"{"payload": "X", "extra": 1}"#.to_vec(),
        ),
    )
    .await;
    assert_problem(s, &h, &b, StatusCode::BAD_REQUEST);
    let (s, h, b) = send(
        a(),
        raw(
            "/api/v1/verify",
            "text/plain",
            br#"{"payload": "X"}"#.to_vec(),
        ),
    )
    .await;
    assert_problem(s, &h, &b, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let big = json!({ "payload": "A".repeat(20_000) })
        .to_string()
        .into_bytes();
    let (s, h, b) = send(a(), raw("/api/v1/verify", "application/json", big)).await;
    assert_problem(s, &h, &b, StatusCode::PAYLOAD_TOO_LARGE);
    let too_many: Vec<String> = (0..=MAX_BATCH).map(|_| "X".to_owned()).collect();
    let (s, h, b) = send(
        a(),
        post_json("/api/v1/verify/batch", &json!({ "payloads": too_many })),
    )
    .await;
    let p = assert_problem(s, &h, &b, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p["detail"].as_str().unwrap().contains("1000"));
    let huge = json!({ "payloads": ["A".repeat(6 << 20)] })
        .to_string()
        .into_bytes();
    let (s, h, b) = send(a(), raw("/api/v1/verify/batch", "application/json", huge)).await;
    assert_problem(s, &h, &b, StatusCode::PAYLOAD_TOO_LARGE);
    let (s, h, b) = send(a(), Request::get("/nowhere").body(Body::empty()).unwrap()).await;
    assert_problem(s, &h, &b, StatusCode::NOT_FOUND);
    let (s, h, b) = send(
        a(),
        Request::get("/api/v1/verify").body(Body::empty()).unwrap(),
    )
    .await;
    assert_problem(s, &h, &b, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn without_a_trust_list_the_service_is_unready_and_says_so() {
    let f = Fixture::new();
    std::fs::remove_file(f.trust_path()).unwrap();
    let state = f.state().await;
    let (s, h, b) = send(
        app(state.clone()),
        post_json("/api/v1/verify", &json!({ "payload": f.url(&f.valid(1)) })),
    )
    .await;
    assert_problem(s, &h, &b, StatusCode::SERVICE_UNAVAILABLE);
    let (s, _, b) = send(
        app(state.clone()),
        Request::get("/readyz").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
    assert!(String::from_utf8_lossy(&b).contains("no valid trust list"));
    let (s, _, _) = send(
        app(state.clone()),
        Request::get("/healthz").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    // A list signed by another root is refused too.
    let other = Fixture::new();
    std::fs::copy(other.trust_path(), f.trust_path()).unwrap();
    assert!(state.trust().reload(state.http(), f.today).await.is_err());
    assert!(state.trust().current().is_none());
}

#[tokio::test]
async fn ops_endpoints() {
    let f = Fixture::new();
    let state = f.state().await;
    let get = |uri: &str| Request::get(uri).body(Body::empty()).unwrap();
    let (s, _, b) = send(app(state.clone()), get("/readyz")).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    let (s, h, b) = send(app(state.clone()), get("/api/v1/openapi.json")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h["content-type"], "application/json");
    let doc: Value = serde_json::from_slice(&b).unwrap();
    assert!(doc["paths"]["/api/v1/verify/batch"].is_object());
    // The document names every verdict the service gives, and what `unconfirmed` left out.
    let schemas = &doc["components"]["schemas"];
    let kinds: Vec<&str> = sonod_verifier::VerdictKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(schemas["VerdictKind"]["enum"], json!(kinds));
    assert_eq!(
        schemas["Verdict"]["properties"]["unchecked"]["$ref"],
        "#/components/schemas/Unchecked"
    );
    assert_eq!(
        schemas["Unchecked"]["properties"]["code"]["enum"],
        json!(["no_feed", "not_yet_published", "stale"])
    );
    let (s, _, b) = send(app(state.clone()), get("/api/v1/trust")).await;
    assert_eq!(s, StatusCode::OK);
    // The list served verifies with the root key as it is.
    sonod_keys::TrustList::load(&b, &f.root.verifying_key(), f.today).unwrap();
    let one = f.valid(1);
    publish(&state, &f.office, &[(1, &one)]);
    verify(app(state.clone()), &f.url(&one)).await;
    let (s, h, b) = send(app(state.clone()), get("/metrics")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(h["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/openmetrics-text"));
    let m = String::from_utf8(b).unwrap();
    assert!(
        m.contains(r#"sonod_verifier_verdicts_total{verdict="valid"} 1"#),
        "{m}"
    );
    assert!(m.contains(r#"route="/api/v1/verify""#), "{m}");
    assert!(m.contains("sonod_verifier_trust_list_loaded 1"), "{m}");
    assert!(!m.contains("/V/"), "no paths with payloads in metrics");
    // Every response says no-referrer.
    let (_, h, _) = send(app(state.clone()), get("/healthz")).await;
    assert_eq!(h["referrer-policy"], "no-referrer");
}

#[tokio::test]
async fn rate_limit_per_client_ip_with_exempt_tokens() {
    let f = Fixture::new();
    let mut c = f.config();
    c.rate_limit_per_minute = 5;
    c.rate_limit_burst = Some(5);
    c.exempt_tokens = vec!["bank-token-1".into()];
    let state = sonod_verifier::server::AppState::new(c).await.unwrap();
    let payload = json!({ "payload": f.url(&f.valid(1)) });
    let from =
        |ip: [u8; 4]| app(state.clone()).layer(MockConnectInfo(SocketAddr::from((ip, 4000))));
    for i in 0..5 {
        let (s, _, _) = send(from([192, 0, 2, 1]), post_json("/api/v1/verify", &payload)).await;
        assert_eq!(s, StatusCode::OK, "request {i}");
    }
    let (s, h, b) = send(from([192, 0, 2, 1]), post_json("/api/v1/verify", &payload)).await;
    assert_problem(s, &h, &b, StatusCode::TOO_MANY_REQUESTS);
    assert!(h.contains_key("retry-after"));
    // Another client is not affected.
    let (s, _, _) = send(from([192, 0, 2, 2]), post_json("/api/v1/verify", &payload)).await;
    assert_eq!(s, StatusCode::OK);
    // The exempt token is never limited; a wrong token is.
    for _ in 0..20 {
        let mut req = post_json("/api/v1/verify", &payload);
        req.headers_mut()
            .insert("authorization", "Bearer bank-token-1".parse().unwrap());
        let (s, _, _) = send(from([192, 0, 2, 1]), req).await;
        assert_eq!(s, StatusCode::OK);
    }
    let mut req = post_json("/api/v1/verify", &payload);
    req.headers_mut()
        .insert("authorization", "Bearer bank-token-2".parse().unwrap());
    let (s, _, _) = send(from([192, 0, 2, 1]), req).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    // A batch costs one per payload: one larger than the whole allowance never fits, and is
    // told so (422, no wait); one that does not fit yet waits.
    let batch = json!({ "payloads": vec![f.url(&f.valid(2)); 6] });
    let (s, h, b) = send(
        from([192, 0, 2, 3]),
        post_json("/api/v1/verify/batch", &batch),
    )
    .await;
    assert_problem(s, &h, &b, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!h.contains_key("retry-after"));
    assert!(String::from_utf8_lossy(&b).contains("at most 5 payloads"));
    let four = json!({ "payloads": vec![f.url(&f.valid(2)); 4] });
    let (s, _, _) = send(
        from([192, 0, 2, 3]),
        post_json("/api/v1/verify/batch", &four),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let two = json!({ "payloads": vec![f.url(&f.valid(2)); 2] });
    let (s, h, b) = send(
        from([192, 0, 2, 3]),
        post_json("/api/v1/verify/batch", &two),
    )
    .await;
    assert_problem(s, &h, &b, StatusCode::TOO_MANY_REQUESTS);
    assert!(h.contains_key("retry-after"));
    assert!(
        String::from_utf8_lossy(&b).contains("1 may be sent now, all 2 after"),
        "{}",
        String::from_utf8_lossy(&b)
    );
    let mut req = post_json("/api/v1/verify/batch", &batch);
    req.headers_mut()
        .insert("authorization", "Bearer bank-token-1".parse().unwrap());
    let (s, _, _) = send(from([192, 0, 2, 3]), req).await;
    assert_eq!(s, StatusCode::OK);
    // Health checks are never limited.
    for _ in 0..10 {
        let (s, _, _) = send(
            from([192, 0, 2, 1]),
            Request::get("/healthz").body(Body::empty()).unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
    }
}

/// Caught: the default 600-a-minute allowance held 600, so any batch over 600 payloads from a
/// client without an exemption was refused, with a "retry in 60 s" after which it failed again.
#[tokio::test]
async fn a_maximum_batch_fits_the_default_allowance() {
    let f = Fixture::new();
    let mut c = f.config();
    c.rate_limit_per_minute = 600; // the default of `serve`
    c.rate_limit_burst = None;
    let state = sonod_verifier::server::AppState::new(c).await.unwrap();
    let from = app(state.clone()).layer(MockConnectInfo(SocketAddr::from(([192, 0, 2, 7], 4000))));
    let batch = json!({ "payloads": vec![f.url(&f.valid(1)); MAX_BATCH] });
    let (s, _, b) = send(from.clone(), post_json("/api/v1/verify/batch", &batch)).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    // A second at once: the allowance is spent; 600 a minute bring all 1,000 back in 100 s.
    let (s, h, b) = send(from, post_json("/api/v1/verify/batch", &batch)).await;
    let v = assert_problem(s, &h, &b, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(h["retry-after"], "100");
    let detail = v["detail"].as_str().unwrap();
    assert!(detail.contains("this batch has 1000 payloads"), "{detail}");
    assert!(detail.contains("all 1000 after 100 s"), "{detail}");
}

/// Caught: `Retry-After` was the wait rounded down, so a client that waited as told (1 s for a
/// wait of 1.5 s) was refused again.
#[tokio::test]
async fn a_refused_batch_succeeds_after_its_retry_after() {
    let f = Fixture::new();
    let mut c = f.config();
    // One payload back every 1.5 ms: a spent allowance of 1,000 is whole again in 1.5 s.
    c.rate_limit_per_minute = 40_000;
    c.rate_limit_burst = Some(MAX_BATCH as u32);
    let state = sonod_verifier::server::AppState::new(c).await.unwrap();
    let from = app(state.clone()).layer(MockConnectInfo(SocketAddr::from(([192, 0, 2, 8], 4000))));
    let batch = json!({ "payloads": vec![f.url(&f.valid(1)); MAX_BATCH] });
    let (s, _, _) = send(from.clone(), post_json("/api/v1/verify/batch", &batch)).await;
    assert_eq!(s, StatusCode::OK);
    let (s, h, b) = send(from.clone(), post_json("/api/v1/verify/batch", &batch)).await;
    assert_problem(s, &h, &b, StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = h["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&wait), "{wait}");
    tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
    let (s, _, b) = send(from, post_json("/api/v1/verify/batch", &batch)).await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
}

#[tokio::test]
async fn over_a_real_socket() {
    let f = Fixture::new();
    let mut c = f.config();
    c.rate_limit_per_minute = 2;
    c.rate_limit_burst = Some(2);
    let state = sonod_verifier::server::AppState::new(c).await.unwrap();
    let one = f.valid(1);
    publish(&state, &f.office, &[(1, &one)]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(sonod_verifier::server::run(listener, state, async {
        let _ = rx.await;
    }));
    let client = reqwest::Client::new();
    let url = format!("http://{addr}/api/v1/verify");
    let body = json!({ "payload": f.url(&one) });
    let v: Value = client
        .post(&url)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["verdict"], "valid");
    // The peer address reaches the limiter through the real connection.
    let _ = client.post(&url).json(&body).send().await.unwrap();
    let third = client.post(&url).json(&body).send().await.unwrap();
    assert_eq!(third.status(), 429);
    let page = client
        .get(format!("http://{addr}/V/{}", b32(f.valid(2).as_bytes())))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 429, "pages share the client's allowance");
    tx.send(()).unwrap();
    server.await.unwrap().unwrap();
}

/// What axum's own extractors refuse (a path parameter that is not text, a photo form that
/// is not multipart) is answered as problem+json too, like every other error; so are an
/// office code that breaks the one rule and a bad query.
#[tokio::test]
async fn extractor_rejections_are_problem_json() {
    let f = Fixture::new();
    let state = f.state().await;
    let get = |uri: &str| Request::get(uri).body(Body::empty()).unwrap();
    let (s, h, b) = send(app(state.clone()), get("/api/v1/offices/%FF/feed")).await;
    assert_problem(s, &h, &b, StatusCode::BAD_REQUEST);
    assert!(h.contains_key("x-request-id"));
    let (s, h, b) = send(app(state.clone()), get("/api/v1/offices/0100524/feed")).await;
    assert_problem(s, &h, &b, StatusCode::NOT_FOUND);
    let (s, h, b) = send(
        app(state.clone()),
        get("/api/v1/offices/100524/feed?after=x"),
    )
    .await;
    assert_problem(s, &h, &b, StatusCode::BAD_REQUEST);
    let form = Request::post("/scan")
        .header("content-type", "text/plain")
        .body(Body::from("photo"))
        .unwrap();
    let (s, h, b) = send(app(state.clone()), form).await;
    assert_problem(s, &h, &b, StatusCode::BAD_REQUEST);
}
