//! Re-sealing after a key compromise (issue #15) through the admin route, while the service
//! keeps issuing; the feed's hash chain over the pages the issuer serves.

use std::time::Duration;

mod common;

use axum::http::StatusCode;
use axum::Router;

use serde_json::{json, Value};
use sonod_issuer::server::app;
use sonod_keys::{today_dhaka, KeyId};
use sonod_seal::feed::{chain_hex, chain_start, chain_through, EventKind};
use sonod_seal::{open, parse_qr_text};

use common::api::{api_office, feed, issue_record, reload, resign_trust, ApiOffice};
use common::{api_get, api_post, call, json_of};

fn record() -> Value {
    let mut v = common::record();
    v["fields"]["mobile"] = json!("01712345678");
    v
}

async fn issue(f: &ApiOffice, router: &Router) -> Value {
    issue_record(f, router, &record()).await
}

#[tokio::test]
async fn a_compromised_key_s_certificates_are_resealed_while_the_service_issues() {
    let f = api_office();
    let router = app(f.state.clone());
    let mut issued = Vec::new();
    for _ in 0..4 {
        issued.push(issue(&f, &router).await);
    }
    let (status, _, _) = call(
        &router,
        api_post(
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
        api_post(
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
        api_post(
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
                    api_post("/api/v1/certificates", Some(&chairman), &record()),
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
        api_post(
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
                api_get(&format!("/api/v1/certificates/{serial}"), Some(&f.operator)),
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
        api_post(
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
