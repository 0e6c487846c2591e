//! The SMS outbox end to end: certificates issued and revoked through the ledger queue their
//! messages; the worker sends them to a small gateway inside the test (an axum server that
//! accepts, fails and then accepts, refuses for good, times out, or answers slowly), and the
//! outbox records each outcome.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde_json::json;
use sonod_issuer::sms::gateway::{Gateway, Template};
use sonod_issuer::sms::{worker, Message, Sender, SmsState};
use sonod_issuer::{Ledger, OfficeKey, Store};
use sonod_keys::{ensure_dev_keys, read_secret_key, today_dhaka, DevOptions, Passphrase};
use sonod_seal::feed::RevocationReason;
use sonod_seal::Record;
use tokio_util::sync::CancellationToken;

mod common;

/// How the test gateway answers.
#[derive(Clone, Copy, Debug)]
enum Mode {
    Accept,
    /// Fails (503) this many times, then accepts.
    FailFirst(usize),
    /// 200 with an "invalid number" code.
    Refuse,
    /// Answers after this many milliseconds.
    Slow(u64),
}

#[derive(Clone)]
struct Gw {
    mode: Mode,
    got: Arc<Mutex<Vec<HashMap<String, String>>>>,
}

async fn answer(gw: &Gw, params: HashMap<String, String>) -> (StatusCode, String) {
    let n = {
        let mut got = gw.got.lock().unwrap();
        got.push(params);
        got.len()
    };
    match gw.mode {
        Mode::Accept => (StatusCode::OK, ok(n)),
        Mode::FailFirst(k) if n <= k => (StatusCode::SERVICE_UNAVAILABLE, "busy".into()),
        Mode::FailFirst(_) => (StatusCode::OK, ok(n)),
        Mode::Refuse => (StatusCode::OK, r#"{"response_code":1002}"#.into()),
        Mode::Slow(ms) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            (StatusCode::OK, ok(n))
        }
    }
}

fn ok(n: usize) -> String {
    json!({"response_code": 202, "message_id": format!("gw-{n}")}).to_string()
}

async fn gateway(mode: Mode) -> (String, Arc<Mutex<Vec<HashMap<String, String>>>>) {
    let gw = Gw {
        mode,
        got: Arc::default(),
    };
    let got = gw.got.clone();
    let app = Router::new()
        .route(
            "/form",
            post(
                |State(g): State<Gw>, Form(p): Form<HashMap<String, String>>| async move {
                    answer(&g, p).await
                },
            ),
        )
        .route(
            "/get",
            get(
                |State(g): State<Gw>, Query(p): Query<HashMap<String, String>>| async move {
                    answer(&g, p).await
                },
            ),
        )
        .route(
            "/json",
            post(
                |State(g): State<Gw>, Json(p): Json<HashMap<String, String>>| async move {
                    answer(&g, p).await
                },
            ),
        )
        .with_state(gw);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), got)
}

fn template(url: &str, method: &str, body: &str, timeout_secs: u64, max_attempts: u32) -> Template {
    basic_toml::from_str(&format!(
        r#"
url = "{url}"
method = "{method}"
body = "{body}"
api_key_env = "UNUSED_IN_TESTS"
sender_id = "8809617000000"
timeout_secs = {timeout_secs}
max_attempts = {max_attempts}
backoff_base_ms = 20
backoff_cap_ms = 100
[params]
api_key = "api_key"
sender_id = "senderid"
number = "number"
text = "message"
client_ref = "csms_id"
[extra]
type = "unicode"
[success]
json_field = "response_code"
json_value = "202"
reference_field = "message_id"
[permanent]
contains = ["\"response_code\":1002"]
"#
    ))
    .unwrap()
}

struct Office {
    _dir: tempfile::TempDir,
    ledger: Arc<Ledger>,
    key: OfficeKey,
}

fn office() -> Office {
    let dir = tempfile::tempdir().unwrap();
    let keys = ensure_dev_keys(&dir.path().join("keys"), &DevOptions::default()).unwrap();
    let secret = read_secret_key(keys.office_key_path(), || {
        Ok(Passphrase::new(String::new()))
    })
    .unwrap();
    let key = OfficeKey::from_files(
        secret,
        &keys.trust_list_path(),
        &keys.root_pub_path(),
        today_dhaka(),
    )
    .unwrap();
    let store = Store::open(&dir.path().join("data")).unwrap();
    let ledger = Ledger::open(store).unwrap();
    ledger.set_sms_link("https://verify.sonod.gov.bd".into());
    Office {
        _dir: dir,
        ledger: Arc::new(ledger),
        key,
    }
}

fn record(mobile: Option<&str>) -> Record {
    let mut v = common::record();
    if let Some(m) = mobile {
        v["fields"]["mobile"] = json!(m);
    }
    Record::from_json(&v).unwrap()
}

impl Office {
    async fn issue(&self, mobile: Option<&str>) -> u64 {
        let o = self
            .ledger
            .issue(&record(mobile), &self.key, "test", None)
            .unwrap();
        self.ledger.issued_durable(&o).await.unwrap();
        o.certificate.serial
    }

    /// Runs the worker until no message is queued (or 20 s), then stops it.
    async fn send_all(&self, sender: Sender) -> Vec<Message> {
        let stop = CancellationToken::new();
        let (ledger, s) = (self.ledger.clone(), stop.clone());
        let task = tokio::spawn(async move { worker::run(&ledger, Arc::new(sender), s).await });
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        let messages = loop {
            let m = self.ledger.sms_messages(0, 1000).unwrap();
            if m.iter().all(|m| m.state != SmsState::Queued) || std::time::Instant::now() > deadline
            {
                break m;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        stop.cancel();
        tokio::time::timeout(Duration::from_secs(10), task)
            .await
            .unwrap()
            .unwrap();
        messages
    }
}

fn gateway_sender(t: Template) -> Sender {
    Sender::Gateway(Box::new(
        Gateway::new(t, Some("the-api-key".into())).unwrap(),
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issued_and_revoked_certificates_with_a_mobile_number_are_sent_in_order() {
    let o = office();
    let (url, got) = gateway(Mode::Accept).await;
    let a = o.issue(Some("01712345678")).await;
    let _no_mobile = o.issue(None).await;
    let b = o.issue(Some("+8801812345678")).await;
    let r = o
        .ledger
        .revoke(a, RevocationReason::Fraud, "note", "test")
        .unwrap();
    o.ledger.revoked_durable(&r).await.unwrap();

    let queued = o.ledger.sms_messages(0, 100).unwrap();
    assert_eq!(
        queued.len(),
        3,
        "one message per certificate with a number, one per revocation"
    );
    assert!(queued.iter().all(|m| m.state == SmsState::Queued));

    let sent = o
        .send_all(gateway_sender(template(
            &format!("{url}/form"),
            "POST",
            "form",
            5,
            3,
        )))
        .await;
    assert!(sent.iter().all(|m| m.state == SmsState::Sent), "{sent:?}");
    assert_eq!(
        sent.iter()
            .map(|m| m.gateway_ref.clone().unwrap())
            .collect::<Vec<_>>(),
        ["gw-1", "gw-2", "gw-3"]
    );
    let got = got.lock().unwrap().clone();
    assert_eq!(got.len(), 3);
    let (na, nb) = (
        format!("১০০৫২৪-{}", sonod_seal::bangla_digits(&a.to_string())),
        format!("১০০৫২৪-{}", sonod_seal::bangla_digits(&b.to_string())),
    );
    for (i, p) in got.iter().enumerate() {
        assert_eq!(
            p["csms_id"],
            (i + 1).to_string(),
            "our message id as the client reference"
        );
        assert_eq!(p["api_key"], "the-api-key");
        assert_eq!(p["senderid"], "8809617000000");
        assert_eq!(p["type"], "unicode");
    }
    assert_eq!(got[0]["number"], "8801712345678");
    assert_eq!(
        got[0]["message"],
        format!("আপনার নাগরিকত্ব সনদ প্রদান করা হয়েছে। সনদ নং {na}। যাচাই: https://verify.sonod.gov.bd")
    );
    assert_eq!(got[1]["number"], "8801812345678");
    assert!(got[1]["message"].contains(&format!("সনদ নং {nb}")));
    assert_eq!(
        got[2]["message"],
        format!("আপনার নাগরিকত্ব সনদ (সনদ নং {na}) বাতিল করা হয়েছে। কারণ: প্রতারণার মাধ্যমে গৃহীত।")
    );
    for p in &got {
        assert!(
            !p["message"].contains("19901234567890123"),
            "no NID in a message"
        );
    }
    // Nothing is due any more.
    assert!(o.ledger.sms_due(i64::MAX, 10).unwrap().0.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_gateway_is_retried_with_backoff_until_it_accepts() {
    let o = office();
    let (url, got) = gateway(Mode::FailFirst(2)).await;
    o.issue(Some("01712345678")).await;
    let sent = o
        .send_all(gateway_sender(template(
            &format!("{url}/get"),
            "GET",
            "form",
            5,
            5,
        )))
        .await;
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].state, sent[0].attempts),
        (SmsState::Sent, 3),
        "{sent:?}"
    );
    assert_eq!(sent[0].gateway_ref.as_deref(), Some("gw-3"));
    let got = got.lock().unwrap();
    assert_eq!(got.len(), 3);
    assert!(got
        .iter()
        .all(|p| p["csms_id"] == "1" && p["message"].contains("সনদ নং")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_failing_every_time_is_given_up_after_max_attempts() {
    let o = office();
    let (url, got) = gateway(Mode::FailFirst(usize::MAX)).await;
    o.issue(Some("01712345678")).await;
    let sent = o
        .send_all(gateway_sender(template(
            &format!("{url}/form"),
            "POST",
            "form",
            5,
            4,
        )))
        .await;
    assert_eq!(
        (sent[0].state, sent[0].attempts),
        (SmsState::Failed, 4),
        "{sent:?}"
    );
    assert_eq!(sent[0].last_error.as_deref(), Some("status 503"));
    assert_eq!(got.lock().unwrap().len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_refusal_is_not_retried() {
    let o = office();
    let (url, got) = gateway(Mode::Refuse).await;
    o.issue(Some("01712345678")).await;
    let sent = o
        .send_all(gateway_sender(template(
            &format!("{url}/json"),
            "POST",
            "json",
            5,
            5,
        )))
        .await;
    assert_eq!(
        (sent[0].state, sent[0].attempts),
        (SmsState::Failed, 1),
        "{sent:?}"
    );
    let got = got.lock().unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0]["number"], "8801712345678",
        "the JSON body carries the parameters"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_that_times_out_is_retried_and_a_slow_one_within_the_limit_is_fine() {
    let o = office();
    let (url, got) = gateway(Mode::Slow(3_000)).await;
    o.issue(Some("01712345678")).await;
    let t0 = std::time::Instant::now();
    let sent = o
        .send_all(gateway_sender(template(
            &format!("{url}/form"),
            "POST",
            "form",
            1,
            2,
        )))
        .await;
    assert_eq!(
        (sent[0].state, sent[0].attempts),
        (SmsState::Failed, 2),
        "{sent:?}"
    );
    assert!(
        sent[0]
            .last_error
            .as_deref()
            .unwrap_or("")
            .starts_with("transport"),
        "{sent:?}"
    );
    assert!(
        t0.elapsed() < Duration::from_secs(8),
        "each attempt cut at the timeout"
    );
    assert_eq!(got.lock().unwrap().len(), 2);

    let o = office();
    let (url, _) = gateway(Mode::Slow(700)).await;
    o.issue(Some("01712345678")).await;
    let sent = o
        .send_all(gateway_sender(template(
            &format!("{url}/form"),
            "POST",
            "form",
            3,
            2,
        )))
        .await;
    assert_eq!(
        (sent[0].state, sent[0].attempts),
        (SmsState::Sent, 1),
        "{sent:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_messages_survive_a_restart_and_the_development_file_shows_them() {
    let dir = tempfile::tempdir().unwrap();
    let keys = ensure_dev_keys(&dir.path().join("keys"), &DevOptions::default()).unwrap();
    let secret = read_secret_key(keys.office_key_path(), || {
        Ok(Passphrase::new(String::new()))
    })
    .unwrap();
    let key = OfficeKey::from_files(
        secret,
        &keys.trust_list_path(),
        &keys.root_pub_path(),
        today_dhaka(),
    )
    .unwrap();
    {
        let ledger = Ledger::open(Store::open(&dir.path().join("data")).unwrap()).unwrap();
        let o = ledger
            .issue(&record(Some("01712345678")), &key, "test", None)
            .unwrap();
        ledger.issued_durable(&o).await.unwrap();
        ledger.close().unwrap();
    }
    let ledger = Arc::new(Ledger::open(Store::open(&dir.path().join("data")).unwrap()).unwrap());
    let (due, _) = ledger.sms_due(i64::MAX, 10).unwrap();
    assert_eq!(due.len(), 1);
    // Ids go on after a restart.
    let o = ledger
        .issue(&record(Some("01712345678")), &key, "test", None)
        .unwrap();
    ledger.issued_durable(&o).await.unwrap();
    let ids: Vec<u64> = ledger
        .sms_messages(0, 10)
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect();
    assert_eq!(ids, [1, 2]);

    let file = sonod_issuer::sms::devfile::DevFile::in_dir(dir.path());
    let office = Office {
        _dir: dir,
        ledger,
        key,
    };
    let sent = office.send_all(Sender::DevFile(file.clone())).await;
    assert!(sent.iter().all(|m| m.state == SmsState::Sent));
    let shown = file.recent(10).unwrap();
    assert_eq!(
        shown.iter().map(|m| m.id).collect::<Vec<_>>(),
        [2, 1],
        "newest first"
    );
    assert!(shown[0].text.contains("সনদ নং"));
}

async fn page(router: &Router, path: &str) -> (StatusCode, String) {
    let (status, _, body) = common::call_text(router, common::get(path, None)).await;
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_development_page_shows_the_messages_only_when_turned_on() {
    let office = common::office()
        .config(|c| c.verifier_host = Some("verify.sonod.gov.bd".parse().unwrap()))
        .build();
    let data = office.dir.path().join("data");
    let (state, router) = (office.state.clone(), office.router.clone());
    let (status, _) = page(&router, "/dev/sms").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "off unless turned on");

    let file = sonod_issuer::sms::devfile::DevFile::in_dir(&data);
    state.show_dev_sms(file.clone());
    let (status, body) = page(&router, "/dev/sms").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("এখনো কোনো SMS নেই"), "{body}");

    let key = state.key();
    let o = state
        .ledger()
        .issue(&record(Some("01712345678")), &key, "test", None)
        .unwrap();
    state.ledger().issued_durable(&o).await.unwrap();
    let stop = CancellationToken::new();
    let task = worker::spawn(state.clone(), Arc::new(Sender::DevFile(file)), stop.clone());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while state.ledger().sms_messages(0, 10).unwrap()[0].state == SmsState::Queued {
        assert!(std::time::Instant::now() < deadline, "not sent");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.cancel();
    task.await.unwrap();
    let (status, body) = page(&router, "/dev/sms").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("০১৭১২৩৪৫৬৭৮"),
        "the number in Bangla digits: {body}"
    );
    assert!(
        body.contains("আপনার নাগরিকত্ব সনদ প্রদান করা হয়েছে। সনদ নং ১০০৫২৪-"),
        "{body}"
    );
    assert!(body.contains("যাচাই: https://verify.sonod.gov.bd"), "{body}");
    assert!(!body.contains("19901234567890123"), "no NID");
}

/// A message queued while the worker waits idle goes out when its batch is written, not when
/// the idle wait (a minute) ends: the worker is woken before the batch reaches the tree, and
/// waits for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_queued_while_the_worker_is_idle_is_sent_at_once() {
    let o = office();
    let (url, got) = gateway(Mode::Accept).await;
    let stop = CancellationToken::new();
    let (ledger, s) = (o.ledger.clone(), stop.clone());
    let sender = gateway_sender(template(&format!("{url}/form"), "POST", "form", 5, 3));
    let task = tokio::spawn(async move { worker::run(&ledger, Arc::new(sender), s).await });
    // The worker has found the outbox empty and waits.
    tokio::time::sleep(Duration::from_millis(300)).await;
    o.issue(Some("01712345678")).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while got.lock().unwrap().is_empty() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.cancel();
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        got.lock().unwrap().len(),
        1,
        "sent well before the worker's one-minute idle wait"
    );
}
