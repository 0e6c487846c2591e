//! The citizen's sign-in with a one-time SMS code and their page, through the router: the
//! code comes from the outbox as the phone would receive it.

mod common;
use common::{form_request, get, send, Page};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use serde_json::json;
use sonod_issuer::server::{app, AppState};
use sonod_issuer::Ledger;
use sonod_seal::feed::RevocationReason;
use sonod_seal::Record;

const MOBILE: &str = "01712345678";
const OTHER: &str = "01898765432";

fn state() -> (tempfile::TempDir, AppState) {
    let o = common::office().build();
    (o.dir, o.state)
}

fn record(name: &str, mobile: &str) -> Record {
    let mut v = common::record();
    v["fields"]["name"] = json!(name);
    v["fields"]["mobile"] = json!(mobile);
    Record::from_json(&v).unwrap()
}

async fn issue(state: &AppState, name: &str, mobile: &str) -> u64 {
    let o = state
        .ledger()
        .issue(&record(name, mobile), &state.key(), "test", None)
        .unwrap();
    state.ledger().issued_durable(&o).await.unwrap();
    o.certificate.serial
}

fn form(path: &str, body: &str, cookie: Option<&str>) -> Request<Body> {
    form_request(path, cookie, body.to_owned(), None)
}

/// The sign-in codes in the outbox for `mobile`, oldest first, as sent (Bangla digits read
/// back as Latin).
fn codes_sent(ledger: &Ledger, mobile: &str) -> Vec<String> {
    let to = format!("+88{mobile}");
    ledger
        .sms_messages(0, 1000)
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == "code" && m.to == to)
        .map(|m| {
            let t = sonod_seal::latin_digits(
                &m.text
                    .chars()
                    .filter(|c| c.is_ascii_digit() || ('০'..='৯').contains(c))
                    // The code comes first; "৫ মিনিট" after it.
                    .take(6)
                    .collect::<String>(),
            )
            .unwrap();
            assert!(
                sonod_issuer::sms::utf16_len(&m.text) <= 134,
                "{} UTF-16 units",
                sonod_issuer::sms::utf16_len(&m.text)
            );
            t
        })
        .collect()
}

/// Signs in as `mobile`; the session cookie.
async fn sign_in(router: &Router, state: &AppState, mobile: &str) -> String {
    let a = send(
        router,
        form("/citizen/code", &format!("mobile={mobile}"), None),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let code = codes_sent(state.ledger(), mobile)
        .pop()
        .expect("a code was sent");
    let a = send(
        router,
        form(
            "/citizen/verify",
            &format!("mobile={mobile}&code={code}"),
            None,
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let cookie = a.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    cookie.split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_citizen_signs_in_with_the_code_and_finds_only_their_certificates() {
    let (_dir, state) = state();
    let router = app(state.clone());
    let mine = issue(&state, "রহিমা খাতুন", MOBILE).await;
    let theirs = issue(&state, "করিম মিয়া", OTHER).await;

    // Without a session: the sign-in form; the files are refused.
    let a = send(&router, get("/citizen", None)).await;
    assert!(a.body.contains("name=\"mobile\""), "{}", a.body);
    let a = send(
        &router,
        get(&format!("/citizen/certificates/{mine}/pdf"), None),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);

    let cookie = sign_in(&router, &state, MOBILE).await;
    let page = send(&router, get("/citizen", Some(&cookie))).await.body;
    let number =
        |serial: u64| sonod_seal::CertificateNumber::new(&"100524".parse().unwrap(), serial).bn();
    assert!(page.contains(&number(mine)), "{page}");
    assert!(
        !page.contains(&number(theirs)),
        "another number's certificate is not shown"
    );
    assert!(!page.contains("করিম মিয়া"));

    let pdf = send(
        &router,
        get(&format!("/citizen/certificates/{mine}/pdf"), Some(&cookie)),
    )
    .await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers[header::CONTENT_TYPE], "application/pdf");
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    let png = send(
        &router,
        get(
            &format!("/citizen/certificates/{mine}/qr.png"),
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(png.status, StatusCode::OK);
    assert!(png.bytes.starts_with(b"\x89PNG"));
    let print = send(
        &router,
        get(
            &format!("/citizen/certificates/{mine}/print"),
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(print.status, StatusCode::OK);
    assert!(print.body.contains("রহিমা খাতুন"));

    // Someone else's serial, and one that does not exist: the same 404.
    for serial in [theirs, 999_999] {
        for what in ["pdf", "print", "qr.png"] {
            let a = send(
                &router,
                get(
                    &format!("/citizen/certificates/{serial}/{what}"),
                    Some(&cookie),
                ),
            )
            .await;
            assert_eq!(a.status, StatusCode::NOT_FOUND, "{serial} {what}");
        }
    }

    // Revoked: the page says so, with the reason.
    let o = state
        .ledger()
        .revoke(mine, RevocationReason::IssuedInError, "", "test")
        .unwrap();
    state.ledger().revoked_durable(&o).await.unwrap();
    let page = send(&router, get("/citizen", Some(&cookie))).await.body;
    let (reason_bn, _) = RevocationReason::IssuedInError.labels();
    assert!(page.contains(&reason_bn), "{page}");

    // Signed out: the cookie no longer opens anything.
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let a = send(
        &router,
        form("/citizen/logout", &format!("csrf={csrf}"), Some(&cookie)),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let a = send(
        &router,
        get(&format!("/citizen/certificates/{mine}/pdf"), Some(&cookie)),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_unknown_number_gets_the_same_answer_and_no_sms() {
    let (_dir, state) = state();
    let router = app(state.clone());
    issue(&state, "রহিমা খাতুন", MOBILE).await;
    let known = send(
        &router,
        form("/citizen/code", &format!("mobile={MOBILE}"), None),
    )
    .await;
    let unknown = send(
        &router,
        form("/citizen/code", &format!("mobile={OTHER}"), None),
    )
    .await;
    assert_eq!(known.status, unknown.status);
    let strip = |a: &Page, m: &str| {
        a.body
            .replace(&sonod_seal::bangla_digits(m), "N")
            .replace(&format!("+88{m}"), "N")
    };
    assert_eq!(strip(&known, MOBILE), strip(&unknown, OTHER));
    assert_eq!(codes_sent(state.ledger(), MOBILE).len(), 1);
    assert!(codes_sent(state.ledger(), OTHER).is_empty());
}

#[tokio::test]
async fn wrong_and_used_codes_are_refused_and_requests_are_limited() {
    let (_dir, state) = state();
    let router = app(state.clone());
    issue(&state, "রহিমা খাতুন", MOBILE).await;
    let a = send(
        &router,
        form("/citizen/code", &format!("mobile={MOBILE}"), None),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    let code = codes_sent(state.ledger(), MOBILE).pop().unwrap();
    let wrong = if code == "111111" { "222222" } else { "111111" };
    let a = send(
        &router,
        form(
            "/citizen/verify",
            &format!("mobile={MOBILE}&code={wrong}"),
            None,
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(a.body.contains("৪"), "four tries left: {}", a.body);
    assert!(a.headers.get(header::SET_COOKIE).is_none());
    // The code is for this number only.
    let a = send(
        &router,
        form(
            "/citizen/verify",
            &format!("mobile={OTHER}&code={code}"),
            None,
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    // Bangla digits are read as typed.
    let bn = sonod_seal::bangla_digits(&code);
    let a = send(
        &router,
        form(
            "/citizen/verify",
            &format!("mobile={MOBILE}&code={bn}"),
            None,
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    // Used once: not again.
    let a = send(
        &router,
        form(
            "/citizen/verify",
            &format!("mobile={MOBILE}&code={code}"),
            None,
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    // A new code at once: wait (not sent).
    let a = send(
        &router,
        form("/citizen/code", &format!("mobile={MOBILE}"), None),
    )
    .await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(a.headers.contains_key(header::RETRY_AFTER));
    assert_eq!(codes_sent(state.ledger(), MOBILE).len(), 1);
    // Bad input: a clear error, not a crash.
    for body in ["mobile=12345", "mobile=", "mobile=%E0%A6%95"] {
        let a = send(&router, form("/citizen/code", body, None)).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    let a = send(
        &router,
        form("/citizen/verify", &format!("mobile={MOBILE}&code=12"), None),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
}
