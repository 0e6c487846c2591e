//! The issuer service through its router (`app(state).oneshot`) and once over a real socket.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};

use serde_json::{json, Value};
use sonod_issuer::server::{app, run, AppState};
use sonod_issuer::{now, Accounts, Ledger, Role, Store};
use sonod_keys::{ensure_dev_keys, format_date, today_dhaka, DevOptions, KeyId};
use sonod_seal::feed::{EventKind, Signed, StatusListBody};
use sonod_seal::{open, parse_qr_text};

use common::api::{api_office, event_count, feed, issue, reload, resign_trust};
use common::{api_get, api_post, call, config, json_of, record};

#[tokio::test]
async fn issuing_returns_a_verifiable_certificate_and_publishes_its_hash() {
    let f = api_office();
    let router = app(f.state.clone());
    let issued = issue(&f, &router).await;
    assert_eq!(issued["serial"], 1);
    // The number as the paper prints it, in both scripts.
    let office = issued["number"]
        .as_str()
        .expect("number")
        .split('-')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(issued["number"], format!("{office}-1"));
    assert_eq!(
        issued["number_bn"],
        format!("{}-১", sonod_seal::bangla_digits(&office))
    );
    let qr = issued["qr_text"].as_str().expect("qr");
    assert!(qr.starts_with("HTTPS://LOCALHOST:8080/V/"), "{qr}");
    let bytes = parse_qr_text(qr).expect("qr").bytes;
    let opened = open(&bytes).expect("opens");
    let cert = opened.verify(&f.office_key).expect("verifies");
    assert_eq!(cert.serial, 1);
    assert_eq!(issued["links"]["print"], "/certificates/1/print");

    let page = feed(&router, 0, 10, &f.office_key).await;
    assert_eq!(page.signed.head, 1);
    assert_eq!(page.signed.office, "100524");
    match &page.signed.events[..] {
        [e] => assert_eq!(
            e.kind,
            EventKind::Issued {
                serial: 1,
                key_id: KeyId::of(&f.office_key),
                hash: sonod_issuer::hex_hash(&bytes)
            }
        ),
        other => panic!("events: {other:?}"),
    }
    let json = serde_json::to_string(&page).expect("json");
    assert!(
        !json.contains("করিম") && !json.contains("19901234567890123"),
        "the feed carries no personal data"
    );

    let (status, _, body) = call(
        &router,
        api_get("/api/v1/certificates/1", Some(&f.operator)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let got = json_of(&body);
    assert_eq!(got["status"], "issued");
    assert_eq!(got["record"]["fields"]["nid"], "19901234567890123");
    for (uri, ct) in [
        ("/api/v1/certificates/1/qr.png", "image/png"),
        ("/api/v1/certificates/1/qr.svg", "image/svg+xml"),
    ] {
        let (status, headers, _) = call(&router, api_get(uri, Some(&f.operator))).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        assert_eq!(headers[header::CONTENT_TYPE], ct);
    }
}

#[tokio::test]
async fn writes_need_a_token_whose_role_allows_them() {
    let f = api_office();
    let router = app(f.state.clone());
    let (status, headers, body) =
        call(&router, api_post("/api/v1/certificates", None, &record())).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
    assert_eq!(json_of(&body)["status"], 401);
    let (status, _, _) = call(
        &router,
        api_post("/api/v1/certificates", Some("sonod_forged"), &record()),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = call(
        &router,
        api_post("/api/v1/certificates", Some(&f.operator), &record()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = call(
        &router,
        api_post("/api/v1/certificates", Some(&f.admin), &record()),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "admins manage, they do not sign"
    );
    let (status, _, _) = call(&router, api_get("/api/v1/certificates/1", None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = call(&router, api_get("/api/v1/audit", Some(&f.operator))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn bad_requests_get_problem_details_and_change_nothing() {
    let f = api_office();
    let router = app(f.state.clone());
    let raw = |body: &'static str, ct: &str| {
        Request::post("/api/v1/certificates")
            .header(header::AUTHORIZATION, format!("Bearer {}", f.chairman))
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .expect("request")
    };
    let (status, headers, _) = call(&router, raw("{not json", "application/json")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
    // A body that is not JSON by its media type: a bilingual 415, the one rule of both
    // services (sonod_serve::require_json; this answered an English 400 by a prefix test).
    for ct in ["text/plain", "application/jsonx"] {
        let (status, headers, body) = call(&router, raw("{}", ct)).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct}");
        assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
        assert!(json_of(&body)["detail"]
            .as_str()
            .is_some_and(|d| d.contains(" / ")));
    }
    let mut bad = record();
    bad["fields"]["nid"] = json!("123");
    let (status, _, body) = call(
        &router,
        api_post("/api/v1/certificates", Some(&f.chairman), &bad),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json_of(&body)["detail"]
        .as_str()
        .expect("detail")
        .contains("nid"));
    let mut other = record();
    other["office"] = json!("200101");
    let (status, _, _) = call(
        &router,
        api_post("/api/v1/certificates", Some(&f.chairman), &other),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut huge = record();
    huge["fields"]["address"] = json!("ক".repeat(200_000));
    let (status, _, _) = call(
        &router,
        api_post("/api/v1/certificates", Some(&f.chairman), &huge),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    // Nothing was issued by any of these.
    assert_eq!(
        feed(&router, 0, 10, &f.office_key)
            .await
            .signed
            .events
            .len(),
        0
    );
}

/// Issue #17: a missing `mother` got a bilingual 422 naming the field, while a record without
/// `type` or `office`, or with a mistyped `issued`, got serde's raw message ("missing field
/// `office` at line 1 column 80") as a 400. Every missing or invalid key of a record now gets
/// the same bilingual 422; only a body that is not JSON at all is a 400.
#[tokio::test]
async fn regression_every_missing_or_invalid_record_key_is_a_bilingual_422() {
    let f = api_office();
    let router = app(f.state.clone());
    type Edit = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Edit)> = vec![
        (
            "mother",
            Box::new(|r| {
                r["fields"].as_object_mut().unwrap().remove("mother");
            }),
        ),
        (
            "type",
            Box::new(|r| {
                r.as_object_mut().unwrap().remove("type");
            }),
        ),
        (
            "office",
            Box::new(|r| {
                r.as_object_mut().unwrap().remove("office");
            }),
        ),
        ("issued", Box::new(|r| r["issued"] = json!(20261128))),
        (
            "expires",
            Box::new(|r| r["expires"] = json!(["2027-01-01"])),
        ),
        ("fields", Box::new(|r| r["fields"] = json!("none"))),
        ("serial", Box::new(|r| r["serial"] = json!(7))),
    ];
    for (key, edit) in cases {
        let mut r = record();
        edit(&mut r);
        let (status, headers, body) = call(
            &router,
            api_post("/api/v1/certificates", Some(&f.chairman), &r),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{key}: {}",
            String::from_utf8_lossy(&body)
        );
        assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
        let detail = json_of(&body)["detail"]
            .as_str()
            .expect("detail")
            .to_owned();
        let (bn, en) = detail.split_once(" / ").expect("Bangla / English");
        assert!(!bn.is_ascii() && en.contains(key), "{key}: {detail}");
        assert!(
            !detail.contains("line ") && !detail.contains("column"),
            "{key}: {detail}"
        );
    }
}

/// Issue #17: the issuer's JSON answers are UTF-8 (Bangla readable in raw curl output, as the
/// verifier's), in a certificate, a revocation and a problem alike.
#[tokio::test]
async fn regression_json_answers_write_bangla_as_utf8_not_escapes() {
    let f = api_office();
    let router = app(f.state.clone());
    issue(&f, &router).await;
    let mut bodies = Vec::new();
    let (_, _, body) = call(
        &router,
        api_get("/api/v1/certificates/1", Some(&f.operator)),
    )
    .await;
    bodies.push(body);
    let (status, _, body) = call(
        &router,
        api_post(
            "/api/v1/certificates/1/revoke",
            Some(&f.chairman),
            &json!({"reason": "fraud"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    bodies.push(body);
    let mut bad = record();
    bad["fields"].as_object_mut().unwrap().remove("mother");
    let (_, _, body) = call(
        &router,
        api_post("/api/v1/certificates", Some(&f.chairman), &bad),
    )
    .await;
    bodies.push(body);
    for body in bodies {
        let text = String::from_utf8(body).expect("UTF-8");
        assert!(!text.contains("\\u09"), "{text}");
        assert!(
            text.chars().any(|c| ('\u{0980}'..='\u{09FF}').contains(&c)),
            "{text}"
        );
    }
}

/// Issue #12, point 3: the API signed any date (2019-01-01, 2030-01-01, 2199-12-31, one already
/// expired on its issue day), which verifiers then called an untrusted issuer, and which let
/// an official backdate.
#[tokio::test]
async fn regression_issue_dates_other_than_today_in_dhaka_are_refused() {
    let f = api_office();
    let router = app(f.state.clone());
    let today = today_dhaka();
    let yesterday = today - time::Duration::days(1);
    let cases = [
        (
            "2019-01-01",
            "2030-01-01",
            "the issue date must be today in Dhaka",
        ),
        (
            "2030-01-01",
            "2031-01-01",
            "the issue date must be today in Dhaka",
        ),
        (
            "2199-12-31",
            "2199-12-31",
            "the issue date must be today in Dhaka",
        ),
        (
            &format_date(yesterday),
            "2199-12-31",
            "the issue date must be today in Dhaka",
        ),
        (
            &format_date(today),
            &format_date(today),
            "must be after the issue date",
        ),
        (
            &format_date(today),
            &format_date(yesterday),
            "expiry is before the issue date",
        ),
    ];
    for (issued, expires, reason) in cases {
        let mut r = record();
        r["issued"] = json!(issued);
        r["expires"] = json!(expires);
        for idempotency in [false, true] {
            let mut req = api_post("/api/v1/certificates", Some(&f.chairman), &r);
            if idempotency {
                req.headers_mut()
                    .insert("idempotency-key", "once".parse().expect("header"));
            }
            let (status, headers, body) = call(&router, req).await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{issued} {expires}"
            );
            assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
            let problem = json_of(&body);
            assert_eq!(problem["status"], 422);
            let detail = problem["detail"].as_str().expect("detail");
            assert!(detail.contains(reason), "{issued} {expires}: {detail}");
            // Bangla first, then English.
            assert!(
                detail.find(" / ").is_some_and(|i| !detail[..i].is_ascii()),
                "{detail}"
            );
        }
    }
    let (_, _, body) = call(
        &router,
        api_post("/api/v1/certificates", Some(&f.chairman), &{
            let mut r = record();
            r["issued"] = json!("2019-01-01");
            r
        }),
    )
    .await;
    assert_eq!(
        json_of(&body)["detail"],
        format!(
            "প্রদানের তারিখ আজ (ঢাকা), {tb}, হতে হবে; ২০১৯-০১-০১ নয় / the issue date must be today in Dhaka, {t}, not 2019-01-01",
            t = format_date(today),
            tb = sonod_seal::bangla_digits(&format_date(today))
        )
    );
    // Nothing was stored and no serial was spent: the next certificate is serial 1.
    assert_eq!(event_count(&f, &router).await, 0);
    assert_eq!(f.state.ledger().store().len(), 0);
    let issued = issue(&f, &router).await;
    assert_eq!(issued["serial"], 1);
}

#[tokio::test]
async fn a_missing_issue_date_is_today_in_dhaka() {
    let f = api_office();
    let router = app(f.state.clone());
    for (i, absent) in [None, Some(Value::Null)].into_iter().enumerate() {
        let mut r = record();
        match absent {
            None => {
                r.as_object_mut().expect("object").remove("issued");
            }
            Some(null) => r["issued"] = null,
        }
        let (status, _, body) = call(
            &router,
            api_post("/api/v1/certificates", Some(&f.chairman), &r),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "{}",
            String::from_utf8_lossy(&body)
        );
        let issued = json_of(&body);
        assert_eq!(issued["serial"], i + 1);
        let qr = issued["qr_text"].as_str().expect("qr");
        let opened = open(&parse_qr_text(qr).expect("qr").bytes).expect("opens");
        let cert = opened.verify(&f.office_key).expect("verifies");
        assert_eq!(cert.record.issued(), today_dhaka());
    }
}

#[tokio::test]
async fn a_key_the_trust_list_retired_or_compromised_issues_nothing() {
    let f = api_office();
    let router = app(f.state.clone());
    issue(&f, &router).await;
    let kid = KeyId::of(&f.office_key);

    // Retired as of yesterday: the reloaded service refuses today's records.
    resign_trust(&f, |d| {
        d.retire(kid, today_dhaka() - time::Duration::days(1))
            .expect("retire")
    });
    let (status, _) = reload(&f, &router).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, body) = call(
        &router,
        api_post("/api/v1/certificates", Some(&f.chairman), &record()),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let detail = json_of(&body)["detail"]
        .as_str()
        .expect("detail")
        .to_owned();
    assert!(
        detail.contains(&format!("the office key {kid} is retired")),
        "{detail}"
    );

    resign_trust(&f, |d| {
        d.set_status(kid, sonod_keys::KeyStatus::Compromised)
            .expect("compromise")
    });
    assert_eq!(reload(&f, &router).await.0, StatusCode::OK);
    let (status, _, body) = call(
        &router,
        api_post("/api/v1/certificates", Some(&f.chairman), &record()),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        json_of(&body)["detail"]
            .as_str()
            .expect("detail")
            .contains("is marked compromised"),
        "{body:?}"
    );
    assert_eq!(
        event_count(&f, &router).await,
        1,
        "only the first certificate"
    );
}

#[test]
fn the_service_does_not_start_with_a_key_the_trust_list_does_not_name() {
    let dir = tempfile::tempdir().expect("tmp");
    ensure_dev_keys(&dir.path().join("keys"), &DevOptions::default()).expect("dev keys");
    let path = dir.path().join("keys/office.key.pem");
    std::fs::remove_file(&path).expect("rm");
    let stranger = sonod_keys::SecretKey::generate();
    sonod_keys::write_secret_key(&path, &stranger, None).expect("write");
    let store = Store::open(&dir.path().join("data")).expect("store");
    let err = AppState::new(config(dir.path()), store).expect_err("refused");
    assert_eq!(
        err.to_string(),
        format!(
            "অফিসের চাবি {0} বিশ্বাস-তালিকায় নেই / the office key {0} is not in the trust list",
            stranger.key_id()
        )
    );

    // Nor with a trust list the root did not sign, nor for another office.
    let dir = tempfile::tempdir().expect("tmp");
    ensure_dev_keys(&dir.path().join("keys"), &DevOptions::default()).expect("dev keys");
    let trust = dir.path().join("keys/trust.json");
    let text = std::fs::read_to_string(&trust).expect("read");
    std::fs::write(&trust, text.replace("Savar Paurashava", "Dhaka North")).expect("write");
    let store = Store::open(&dir.path().join("data")).expect("store");
    let err = AppState::new(config(dir.path()), store).expect_err("refused");
    assert!(
        err.to_string().contains("trust list is not usable")
            && err
                .to_string()
                .contains("trust list signature does not verify"),
        "{err}"
    );
    std::fs::write(&trust, text).expect("write");
    let mut other = config(dir.path());
    other.office.code = "200101".parse().unwrap();
    let store = Store::open(&dir.path().join("data2")).expect("store");
    let err = AppState::new(other, store).expect_err("refused");
    assert!(
        err.to_string()
            .contains("belongs to office 100524, this service to office 200101"),
        "{err}"
    );
}

#[tokio::test]
async fn a_retry_with_the_same_idempotency_key_returns_the_same_certificate() {
    let f = api_office();
    let router = app(f.state.clone());
    let req = |body: &Value| {
        let mut r = api_post("/api/v1/certificates", Some(&f.chairman), body);
        r.headers_mut()
            .insert("idempotency-key", "order-77".parse().expect("header"));
        r
    };
    let (s1, h1, b1) = call(&router, req(&record())).await;
    let (s2, h2, b2) = call(&router, req(&record())).await;
    assert_eq!((s1, s2), (StatusCode::CREATED, StatusCode::CREATED));
    assert_eq!(json_of(&b1)["serial"], json_of(&b2)["serial"]);
    assert_eq!(json_of(&b1)["qr_text"], json_of(&b2)["qr_text"]);
    assert!(h1.get("idempotent-replayed").is_none());
    assert_eq!(h2["idempotent-replayed"], "true");
    let mut other = record();
    other["fields"]["ward"] = json!(6);
    let (s3, _, _) = call(&router, req(&other)).await;
    assert_eq!(s3, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        feed(&router, 0, 10, &f.office_key)
            .await
            .signed
            .events
            .len(),
        1,
        "one certificate, one event"
    );
}

#[tokio::test]
async fn revocation_is_final_idempotent_and_published() {
    let f = api_office();
    let router = app(f.state.clone());
    for _ in 0..3 {
        issue(&f, &router).await;
    }
    let why = json!({"reason": "fraud", "note": "জাল কাগজ দিয়ে আবেদন"});
    let (status, _, body) = call(
        &router,
        api_post("/api/v1/certificates/2/revoke", Some(&f.chairman), &why),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let first = json_of(&body);
    assert_eq!(first["already_revoked"], false);
    let (status, _, body) = call(
        &router,
        api_post(
            "/api/v1/certificates/2/revoke",
            Some(&f.chairman),
            &json!({"reason": "other"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let again = json_of(&body);
    assert_eq!(again["already_revoked"], true);
    assert_eq!(again["reason"], "fraud", "the first revocation stands");
    assert_eq!(again["revoked_at"], first["revoked_at"]);
    let (status, _, _) = call(
        &router,
        api_post("/api/v1/certificates/99/revoke", Some(&f.chairman), &why),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = call(
        &router,
        api_post(
            "/api/v1/certificates/1/revoke",
            Some(&f.chairman),
            &json!({"reason": "because"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = call(
        &router,
        api_post("/api/v1/certificates/1/revoke", Some(&f.operator), &why),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let page = feed(&router, 0, 100, &f.office_key).await;
    assert_eq!(page.signed.events.len(), 4);
    assert_eq!(
        page.signed.events[3].kind,
        EventKind::Revoked {
            serial: 2,
            reason: sonod_seal::feed::RevocationReason::Fraud
        }
    );
    assert!(
        !serde_json::to_string(&page)
            .expect("json")
            .contains("জাল কাগজ"),
        "the note stays private"
    );

    let (status, _, body) = call(&router, api_get("/api/v1/status-list", None)).await;
    assert_eq!(status, StatusCode::OK);
    let list = Signed::<StatusListBody>::parse(&body).expect("list");
    list.verify(&f.office_key).expect("signature");
    let bits = list.signed.bitstring().expect("bits");
    assert_eq!(list.signed.max_serial, 3);
    assert_eq!(list.signed.position, 4);
    assert!(!sonod_seal::feed::is_revoked(&bits, 1));
    assert!(sonod_seal::feed::is_revoked(&bits, 2));
    assert!(!sonod_seal::feed::is_revoked(&bits, 3));

    let (status, _, body) = call(&router, api_get("/api/v1/audit", Some(&f.chairman))).await;
    assert_eq!(status, StatusCode::OK);
    let audit = json_of(&body);
    let actions: Vec<_> = audit["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| (e["actor"].clone(), e["action"].clone()))
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|(a, act)| a == "rahim" && act == "issue")
            .count(),
        3
    );
    assert_eq!(actions.iter().filter(|(_, act)| act == "revoke").count(), 1);
    // The audit log cannot be edited through the API.
    for method in ["POST", "PUT", "DELETE"] {
        let req = Request::builder()
            .method(method)
            .uri("/api/v1/audit")
            .header(header::AUTHORIZATION, format!("Bearer {}", f.chairman))
            .body(Body::empty())
            .expect("req");
        let (status, _, _) = call(&router, req).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method}");
    }
}

#[tokio::test]
async fn concurrent_issues_get_unique_serials_and_a_gap_free_feed() {
    let f = api_office();
    let router = app(f.state.clone());
    let mut tasks = Vec::new();
    for _ in 0..64 {
        let (router, token) = (router.clone(), f.chairman.clone());
        tasks.push(tokio::spawn(async move {
            let (status, _, body) = call(
                &router,
                api_post("/api/v1/certificates", Some(&token), &record()),
            )
            .await;
            assert_eq!(status, StatusCode::CREATED);
            json_of(&body)["serial"].as_u64().expect("serial")
        }));
    }
    let mut serials = Vec::new();
    for t in tasks {
        serials.push(t.await.expect("task"));
    }
    serials.sort_unstable();
    serials.dedup();
    assert_eq!(serials.len(), 64);
    let page = feed(&router, 0, 1000, &f.office_key).await;
    assert_eq!(page.signed.events.len(), 64);
    let mut first = feed(&router, 0, 40, &f.office_key).await.signed.events;
    first.extend(feed(&router, 40, 40, &f.office_key).await.signed.events);
    assert_eq!(first, page.signed.events, "paging gives the same events");
}

#[tokio::test]
async fn officials_log_in_and_print() {
    let f = api_office();
    let router = app(f.state.clone());
    issue(&f, &router).await;
    let form = |pw: &str| {
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("name=karim&password={pw}")))
            .expect("req")
    };
    let (status, _, _) = call(&router, form("wrong+password")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, headers, _) = call(&router, form("operator+password")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let cookie = headers[header::SET_COOKIE]
        .to_str()
        .expect("cookie")
        .to_owned();
    // Over plain HTTP on this machine: not `Secure` (a browser would drop it off localhost;
    // see tests/guards.rs for HTTPS through a proxy).
    for attr in ["HttpOnly", "SameSite=Strict"] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "{cookie}");
    // The password alone opens no page: the second factor first.
    let session = common::enrol(&router, "karim", "operator password")
        .await
        .cookie;
    let with_cookie = |uri: &str| {
        Request::get(uri)
            .header(header::COOKIE, &session)
            .body(Body::empty())
            .expect("req")
    };
    let (status, headers, body) = call(&router, with_cookie("/certificates/1/print")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .expect("ct")
        .starts_with("text/html"));
    let html = String::from_utf8(body).expect("utf8");
    assert!(
        html.contains("মোহাম্মদ আব্দুল করিম") && html.contains("<svg"),
        "the page shows the name and the QR"
    );
    // The same certificate as a PDF: linked from the page, for the session and for a token.
    assert!(
        html.contains("<a href=\"/certificates/1/pdf\" type=\"application/pdf\">"),
        "the page links the PDF"
    );
    let (status, headers, pdf) = call(&router, with_cookie("/certificates/1/pdf")).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&pdf));
    assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(
        headers[header::CONTENT_DISPOSITION],
        "inline; filename=\"sonod-100524-1.pdf\""
    );
    assert_eq!(headers[header::CACHE_CONTROL], "private, no-store");
    assert!(pdf.starts_with(b"%PDF-") && pdf.len() > 10_000, "a PDF");
    let (status, headers, by_token) = call(
        &router,
        api_get("/api/v1/certificates/1/pdf", Some(&f.operator)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
    assert!(by_token.starts_with(b"%PDF-"));
    // An unknown serial: the print page's 404, on both; no one signed in: 401.
    let (status, _, page_404) = call(&router, with_cookie("/certificates/99/print")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, pdf_404) = call(&router, with_cookie("/certificates/99/pdf")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(pdf_404, page_404, "the same 404 as the print page");
    let (status, _, _) = call(
        &router,
        api_get("/api/v1/certificates/99/pdf", Some(&f.operator)),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for uri in ["/certificates/1/pdf", "/api/v1/certificates/1/pdf"] {
        let (status, _, _) = call(&router, api_get(uri, None)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{uri}");
    }
    // A session cannot be used for API writes (no CSRF through the browser).
    let req = Request::post("/api/v1/certificates")
        .header(header::COOKIE, &session)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(record().to_string()))
        .expect("req");
    let (status, _, _) = call(&router, req).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = call(&router, api_get("/certificates/1/print", None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn operations_endpoints() {
    let f = api_office();
    let router = app(f.state.clone());
    issue(&f, &router).await;
    let (status, _, _) = call(&router, api_get("/healthz", None)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = call(&router, api_get("/readyz", None)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, body) = call(&router, api_get("/metrics", None)).await;
    assert_eq!(status, StatusCode::OK);
    let metrics = String::from_utf8(body).expect("utf8");
    assert!(
        metrics.contains("sonod_issuer_certificates_issued_total 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("route=\"/api/v1/certificates\""),
        "{metrics}"
    );
    assert!(!metrics.contains("19901234567890123"));
    let (status, _, body) = call(&router, api_get("/api/v1/openapi.json", None)).await;
    assert_eq!(status, StatusCode::OK);
    let doc = json_of(&body);
    for path in [
        "/api/v1/certificates",
        "/api/v1/certificates/{serial}/revoke",
        "/api/v1/feed",
        "/api/v1/status-list",
        "/api/v1/admin/backup",
        "/certificates/{serial}/print",
        "/certificates/{serial}/pdf",
        "/api/v1/certificates/{serial}/pdf",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} undocumented");
    }
    let (_, headers, _) = call(&router, api_get("/healthz", None)).await;
    assert_eq!(headers[header::REFERRER_POLICY], "no-referrer");
}

#[tokio::test]
async fn key_rotation_without_downtime_and_backup_while_serving() {
    let f = api_office();
    let router = app(f.state.clone());
    let first = issue(&f, &router).await;
    // The office rolls to a new key: a key the trust list does not name yet is refused, and
    // the service keeps the one it has.
    let new_key = sonod_keys::SecretKey::generate();
    let path = f.dir.path().join("keys/office.key.pem");
    std::fs::remove_file(&path).expect("rm");
    sonod_keys::write_secret_key(&path, &new_key, None).expect("write");
    let (status, problem) = reload(&f, &router).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem["detail"]
            .as_str()
            .expect("detail")
            .contains("is not in the trust list"),
        "{problem}"
    );
    assert_eq!(issue(&f, &router).await["key_id"], first["key_id"]);
    // The authority rotates the list to the new key (the old one retires today); then the
    // service reloads both.
    let old: KeyId = first["key_id"].as_str().expect("kid").parse().expect("kid");
    resign_trust(&f, |d| {
        d.rotate(
            old,
            new_key.verifying_key(),
            today_dhaka(),
            today_dhaka() + time::Duration::days(365),
            today_dhaka(),
        )
        .expect("rotate");
    });
    let (status, _, _) = call(
        &router,
        api_post("/api/v1/admin/reload-key", Some(&f.chairman), &json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, body) = call(
        &router,
        api_post("/api/v1/admin/reload-key", Some(&f.admin), &json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert_eq!(json_of(&body)["key_id"], new_key.key_id().to_string());
    let second = issue(&f, &router).await;
    assert_eq!(second["key_id"], new_key.key_id().to_string());
    assert_ne!(first["key_id"], second["key_id"]);
    assert_eq!(second["serial"], 3);

    let (status, _, body) = call(&router, api_get("/api/v1/admin/backup", Some(&f.admin))).await;
    assert_eq!(status, StatusCode::OK);
    let file = f.dir.path().join("b.backup");
    std::fs::write(&file, body).expect("write");
    let restored = f.dir.path().join("restored");
    sonod_issuer::restore(&file, &restored).expect("restore");
    let store = Store::open(&restored).expect("store");
    assert_eq!(store.len(), 3);
    assert!(store.get(3).expect("get").is_some());
}

#[tokio::test]
async fn over_a_real_socket_with_graceful_shutdown() {
    let f = api_office();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(run(listener, f.state.clone(), async {
        let _ = rx.await;
    }));
    let request = format!(
        "POST /api/v1/certificates HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        f.chairman,
        record().to_string().len(),
        record()
    );
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    s.write_all(request.as_bytes()).await.expect("write");
    let mut resp = String::new();
    s.read_to_string(&mut resp).await.expect("read");
    assert!(resp.starts_with("HTTP/1.1 201"), "{resp}");
    tx.send(()).expect("shutdown");
    server.await.expect("join").expect("serve");
    drop(f.state);
    // Everything acknowledged is there after the service stopped.
    let store = Store::open(&f.dir.path().join("data")).expect("reopen");
    assert_eq!(store.len(), 1);
}

#[tokio::test]
async fn an_office_s_own_wording_prints_and_a_misspelt_field_stops_the_start() {
    let f = api_office();
    let wording = f.dir.path().join("wording");
    std::fs::create_dir(&wording).expect("mkdir");
    let builtin = include_str!("../wording/citizenship.bn.txt");
    let ours = builtin.replace("স্থায়ী বাসিন্দা", "স্থায়ী ও সম্মানিত বাসিন্দা");
    assert_ne!(
        ours, builtin,
        "the sentence to change is in the built-in wording"
    );
    std::fs::write(wording.join("citizenship.bn.txt"), &ours).expect("write");

    // A second service on the same keys with the office's wording: the print shows it.
    let store_dir = f.dir.path().join("data-wording");
    let mut config = config(f.dir.path());
    config.wording_dir = Some(wording.clone());
    let store = Store::open(&store_dir).expect("store");
    let accounts = Accounts::open(&store).expect("accounts");
    let ledger = Ledger::open(store.clone()).expect("ledger");
    accounts
        .add_user(
            &ledger,
            "cli:test",
            "rahim",
            "রহিম",
            Role::Chairman,
            None,
            now(),
        )
        .expect("user");
    let token = accounts
        .create_token(&ledger, "cli:test", "rahim", "test", now() + 86_400, now())
        .expect("token")
        .secret;
    ledger.close().expect("close");
    drop(ledger);
    let state = AppState::new(config.clone(), store).expect("starts with the office's wording");
    let router = app(state);
    let (status, _, body) = call(
        &router,
        api_post("/api/v1/certificates", Some(&token), &record()),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&body)
    );
    let (status, _, body) = call(&router, api_get("/certificates/1/print", Some(&token))).await;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(body).expect("utf8");
    assert!(
        html.contains("স্থায়ী ও সম্মানিত বাসিন্দা"),
        "the office's sentence is printed"
    );

    // A misspelt field: the service does not start, and says which file and which field.
    std::fs::write(
        wording.join("citizenship.bn.txt"),
        ours.replace("father=father", "father=fathr"),
    )
    .expect("write");
    let store = Store::open(&f.dir.path().join("data-wording-2")).expect("store");
    let err = AppState::new(config, store).expect_err("refused");
    let text = err.to_string();
    assert!(
        text.contains("citizenship.bn.txt") && text.contains("fathr"),
        "{text}"
    );
}

/// What axum's own extractors refuse (an over-limit body, a bad path parameter, query or
/// form) is answered as problem+json too, like every other error of the service.
#[tokio::test]
async fn extractor_rejections_are_problem_details() {
    let f = api_office();
    let router = app(f.state.clone());
    let problem =
        |status: StatusCode, headers: &axum::http::HeaderMap, body: &[u8], want: StatusCode| {
            assert_eq!(status, want, "{}", String::from_utf8_lossy(body));
            assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
            let v = json_of(body);
            assert_eq!(v["status"], want.as_u16());
            assert!(v["title"].as_str().is_some_and(|t| t.contains(" / ")));
            assert!(v["detail"].as_str().is_some_and(|d| d.contains(" / ")));
            assert!(headers.contains_key("x-request-id"));
        };
    // A body past the limit.
    let mut huge = record();
    huge["fields"]["address"] = json!("ক".repeat(200_000));
    let (s, h, b) = call(
        &router,
        api_post("/api/v1/certificates", Some(&f.chairman), &huge),
    )
    .await;
    problem(s, &h, &b, StatusCode::PAYLOAD_TOO_LARGE);
    // A path parameter that is not a serial.
    let (s, h, b) = call(
        &router,
        api_get("/api/v1/certificates/x1", Some(&f.chairman)),
    )
    .await;
    problem(s, &h, &b, StatusCode::BAD_REQUEST);
    // A query that does not parse.
    let (s, h, b) = call(&router, api_get("/api/v1/feed?after=x", None)).await;
    problem(s, &h, &b, StatusCode::BAD_REQUEST);
    // A form without its fields, from a client that asks for JSON.
    let form = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .body(Body::from("nothing=1"))
        .expect("request");
    let (s, h, b) = call(&router, form).await;
    problem(s, &h, &b, StatusCode::UNPROCESSABLE_ENTITY);
    // The same from a browser: a page (tests/guards.rs tests these pages).
    let form = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("nothing=1"))
        .expect("request");
    let (s, h, _) = call(&router, form).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(h[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
}
