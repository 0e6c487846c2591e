//! Bulk issuing while the service runs: the `/bulk` upload page and `POST /api/v1/bulk`, with
//! CSV and JSON Lines; bad files store nothing, bad lines are refused alone, every issued
//! line is a whole certificate.

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use sonod_issuer::accounts::Scope;
use sonod_issuer::server::AppState;
use sonod_issuer::Role;

mod common;
use common::{enrol, get_page, multipart_body, multipart_post, send, Upload, PASSWORD};

struct Fixture {
    _dir: tempfile::TempDir,
    state: AppState,
    router: Router,
    chairman: String,
    print_only: String,
}

fn fixture() -> Fixture {
    let o = common::office()
        .users(
            &[("rahim", Role::Chairman), ("karim", Role::Operator)],
            PASSWORD,
        )
        .token("rahim", "all")
        .scoped_token("rahim", "print", &[Scope::Print])
        .request_timeout(Duration::from_secs(30))
        .build();
    let [chairman, print_only] = <[String; 2]>::try_from(o.tokens).expect("two tokens");
    Fixture {
        _dir: o.dir,
        router: o.router,
        state: o.state,
        chairman,
        print_only,
    }
}

const HEADER: &str = "type,office,name,father,mother,nid,ward";
const GOOD: &str =
    "citizenship,100524,মোহাম্মদ আব্দুল করিম,মোহাম্মদ আব্দুর রহমান,মোসাম্মৎ রোকেয়া বেগম,19901234567890123,5";
/// No name.
const NO_NAME: &str = "citizenship,100524,,মোহাম্মদ আব্দুর রহমান,মোসাম্মৎ রোকেয়া বেগম,19901234567890123,5";
/// Another office's record.
const OTHER_OFFICE: &str = "citizenship,2001,রহিম,করিম,রহিমা,19901234567890123,5";

fn csv(rows: &[&str]) -> String {
    let mut s = HEADER.to_owned();
    for r in rows {
        s.push('\n');
        s.push_str(r);
    }
    s.push('\n');
    s
}

fn api_post(f: &Fixture, token: &str, content_type: &str, body: String) -> Request<Body> {
    let _ = f;
    Request::post("/api/v1/bulk")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .expect("req")
}

fn stored(f: &Fixture) -> usize {
    f.state.ledger().store().len()
}

#[tokio::test]
async fn the_api_issues_each_good_line_and_refuses_each_bad_one() {
    let f = fixture();
    let a = send(
        &f.router,
        api_post(
            &f,
            &f.chairman,
            "text/csv",
            csv(&[GOOD, NO_NAME, GOOD, OTHER_OFFICE]),
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let v: Value = serde_json::from_str(&a.body).expect("json");
    assert_eq!(
        (v["issued"].as_u64(), v["refused"].as_u64()),
        (Some(2), Some(2))
    );
    let lines = v["lines"].as_array().expect("lines");
    assert_eq!(lines[0]["line"], 2);
    assert_eq!(lines[0]["number"], "100524-1");
    assert_eq!(lines[0]["number_bn"], "১০০৫২৪-১");
    assert_eq!(lines[1]["line"], 3);
    assert!(
        lines[1]["refused"].as_str().unwrap().contains("name"),
        "{}",
        lines[1]
    );
    assert_eq!(lines[2]["serial"], 2);
    assert!(lines[3]["refused"].as_str().unwrap().contains("2001"));
    assert_eq!(stored(&f), 2);
    // Each issued line is a whole certificate: readable, in the feed.
    let c = send(
        &f.router,
        Request::get("/api/v1/certificates/2")
            .header(header::AUTHORIZATION, format!("Bearer {}", f.chairman))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(c.status, StatusCode::OK);
    let feed = send(
        &f.router,
        Request::get("/api/v1/feed?after=0&limit=10")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(feed.body.matches("issued").count() >= 2, "{}", feed.body);

    // JSON Lines too.
    let record = json!({"type": "citizenship", "office": "100524", "fields": {
        "name": "রহিম", "father": "করিম", "mother": "রহিমা", "nid": "19901234567890123", "ward": 5}});
    let a = send(
        &f.router,
        api_post(
            &f,
            &f.chairman,
            "application/jsonl",
            format!("{record}\nnot json\n"),
        ),
    )
    .await;
    let v: Value = serde_json::from_str(&a.body).expect("json");
    assert_eq!(
        (v["issued"].as_u64(), v["refused"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(stored(&f), 3);
}

#[tokio::test]
async fn bad_files_store_nothing() {
    let f = fixture();
    let too_many: Vec<&str> = std::iter::repeat_n(GOOD, 1001).collect();
    let cases: Vec<(String, &str, StatusCode, &str)> = vec![
        (
            csv(&too_many),
            "text/csv",
            StatusCode::UNPROCESSABLE_ENTITY,
            "at most 1000",
        ),
        (
            csv(&[]),
            "text/csv",
            StatusCode::UNPROCESSABLE_ENTITY,
            "holds no record",
        ),
        (
            csv(&[GOOD]),
            "application/octet-stream",
            StatusCode::BAD_REQUEST,
            "format",
        ),
        (
            format!("type,office\n\"{}", "ক".repeat(70_000)),
            "text/csv",
            StatusCode::UNPROCESSABLE_ENTITY,
            "longer than",
        ),
        (
            "x".repeat(3 * 1024 * 1024),
            "text/csv",
            StatusCode::PAYLOAD_TOO_LARGE,
            "",
        ),
    ];
    for (body, ct, want, says) in cases {
        let a = send(&f.router, api_post(&f, &f.chairman, ct, body)).await;
        assert_eq!(a.status, want, "{says}: {}", a.body);
        assert_eq!(a.headers[header::CONTENT_TYPE], "application/problem+json");
        assert!(a.body.contains(says), "{says}: {}", a.body);
        assert_eq!(stored(&f), 0, "{says}");
    }
    // A token made for printing only, and an operator's role: refused.
    let a = send(
        &f.router,
        api_post(&f, &f.print_only, "text/csv", csv(&[GOOD])),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(stored(&f), 0);
}

fn multipart(cookie: &str, csrf: &str, file_name: &str, content: &str) -> Request<Body> {
    let file = Upload {
        field: "file",
        file_name,
        content_type: "text/csv",
        bytes: content.as_bytes(),
    };
    let body = multipart_body(&[("csrf".into(), csrf.into())], &[file]);
    multipart_post("/bulk", body, Some(cookie))
}

#[tokio::test]
async fn the_upload_page_shows_a_result_for_every_line() {
    let f = fixture();
    let me = enrol(&f.router, "rahim", PASSWORD).await;
    let page = send(&f.router, get_page("/bulk", Some(&me.cookie))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("enctype=\"multipart/form-data\""));
    let csrf = page.csrf();
    // Without the session's CSRF token: refused, nothing stored.
    let a = send(
        &f.router,
        multipart(&me.cookie, "forged", "list.csv", &csv(&[GOOD])),
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert_eq!(stored(&f), 0);
    // An empty file: the form again with the error, nothing stored.
    let a = send(&f.router, multipart(&me.cookie, &csrf, "list.csv", "")).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.body.contains("কোনো ফাইল দেওয়া হয়নি"), "{}", a.body);
    assert_eq!(stored(&f), 0);
    let a = send(
        &f.router,
        multipart(&me.cookie, &csrf, "list.csv", &csv(&[GOOD, NO_NAME])),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert!(
        a.body.contains("প্রদান হয়েছে ১টি, প্রত্যাখ্যাত ১টি") && a.body.contains("issued 1, refused 1"),
        "{}",
        a.body
    );
    assert!(a
        .body
        .contains("href=\"/certificates/1/print\">১০০৫২৪-১</a>"));
    assert!(a.body.contains("required field missing: name"));
    assert!(!a.body.contains("বাতিল"), "a refused line is not 'revoked'");
    assert_eq!(stored(&f), 1);
    // An operator may not issue.
    let op = enrol(&f.router, "karim", PASSWORD).await;
    let p = send(&f.router, get_page("/bulk", Some(&op.cookie))).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
}
