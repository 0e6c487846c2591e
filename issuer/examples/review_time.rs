//! The review's figures (issue #13): with 10,000 applications in review, the server time of
//! the queue's first page (`/review` as the mayor sees it, every ward, and as a councillor of
//! the last ward; `GET /api/v1/review`), p50 and p99 over 300 requests each; then approving
//! end to end, request to durable certificate (`POST /api/v1/applications/{id}/approve`,
//! sealed, written, fsynced), with 32 officials approving at once, p50 and p99.
//!
//! `cargo run --release -p sonod-issuer --example review_time [APPROVALS_PER_OFFICIAL]`
//! (default 30). Requests go through the service's router in process (what the server does
//! for each request, without the network); the store is a temporary directory on the same
//! disk as the system's temporary files.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Map};
use tower::ServiceExt;

use sonod_issuer::applications::{Action, Application, HistoryEntry, Status};
use sonod_issuer::server::{app, AppState, OfficeInfo, ServeConfig, SESSION_COOKIE};
use sonod_issuer::storage::ledger::ApplicationChange;
use sonod_issuer::{now, Accounts, Actor, Ledger, Role, Store};
use sonod_keys::{ensure_dev_keys, DevOptions};

const OPEN: u64 = 10_000;
const OFFICIALS: u16 = 32;

fn percentile(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    let i = ((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1;
    v[i]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn application(ward: u16, n: u64) -> Application {
    let t = now();
    let fields = json!({
        "name": "মোহাম্মদ আব্দুল করিম", "father": "মোহাম্মদ আব্দুর রহমান",
        "mother": "রোকেয়া বেগম", "nid": format!("{:017}", 19_900_000_000_000_000u64 + n),
        "ward": ward, "mobile": "01711111111",
    });
    Application {
        id: 0,
        cert_type: "citizenship".into(),
        fields: fields.as_object().cloned().unwrap_or_default(),
        extra: Map::new(),
        ward,
        mobile: "01711111111".into(),
        status: Status::Submitted,
        approvals: vec![],
        payment: None,
        documents: vec![],
        entered_by: None,
        held: false,
        serial: None,
        history: vec![HistoryEntry {
            at: t,
            by: "applicant".into(),
            action: Action::Submit,
            note: String::new(),
            fields: None,
        }],
        created_at: t,
        updated_at: t,
    }
}

fn main() {
    let per_official: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(30);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run(per_official));
}

async fn run(per_official: usize) {
    let dir = tempfile::tempdir().expect("tmp");
    ensure_dev_keys(&dir.path().join("keys"), &DevOptions::default()).expect("keys");
    let store = Store::open(&dir.path().join("data")).expect("store");
    let accounts = Accounts::open(&store).expect("accounts");
    let ledger = Ledger::open(store.clone()).expect("ledger");
    let t = now();
    let mut tokens = Vec::new();
    for w in 1..=OFFICIALS {
        let name = format!("councillor{w}");
        accounts
            .add_user(&ledger, "bench", &name, &name, Role::Councillor, None, t)
            .expect("user");
        accounts
            .set_wards(&ledger, "bench", &name, &[w])
            .expect("wards");
        tokens.push(
            accounts
                .create_token(&ledger, "bench", &name, "bench", t + 86_400, t)
                .expect("token")
                .secret,
        );
    }
    accounts
        .add_user(&ledger, "bench", "mayor", "mayor", Role::Chairman, None, t)
        .expect("mayor");
    let mayor = accounts
        .open_session(
            &Actor {
                name: "mayor".into(),
                role: Role::Chairman,
            },
            t,
        )
        .expect("session");
    let last = accounts
        .open_session(
            &Actor {
                name: format!("councillor{OFFICIALS}"),
                role: Role::Councillor,
            },
            t,
        )
        .expect("session");
    ledger.close().expect("close");
    drop(ledger);
    let config = ServeConfig {
        office: OfficeInfo {
            code: "100524".parse().expect("office"),
            name_bn: "সাভার পৌরসভা".into(),
            name_en: "Savar Paurashava".into(),
        },
        key_path: dir.path().join("keys/office.key.pem"),
        trust_path: dir.path().join("keys/trust.json"),
        root_path: dir.path().join("keys/root.pub.pem"),
        verifier_host: Some("verify.sonod.gov.bd".parse().expect("host")),
        request_timeout: Duration::from_secs(30),
        development: true,
        wording_dir: None,
    };
    let state = AppState::new(config, store).expect("state");
    let mut s = (*state.settings().get()).clone();
    s.wards = (1..=OFFICIALS).collect();
    s.limits.hours_from = 0;
    s.limits.hours_to = 24;
    s.limits.approvals_per_hour = 10_000;
    state
        .settings()
        .save_blocking(state.ledger(), "bench", s)
        .expect("settings");

    // 10,000 applications in review, spread over the wards.
    let started = Instant::now();
    let ledger = state.ledger();
    let mut last_outcome = None;
    for n in 0..OPEN {
        let ward = 1 + (n % u64::from(OFFICIALS)) as u16;
        let a = application(ward, n);
        let o = ledger
            .change_application(None, "applicant", None, |_, _| {
                Ok::<_, ()>(ApplicationChange {
                    application: a,
                    action: "application.submit",
                    detail: String::new(),
                    sms: None,
                    issue: None,
                    documents: vec![],
                })
            })
            .expect("submit");
        if n % 500 == 499 {
            ledger.application_durable(&o).await.expect("durable");
        }
        last_outcome = Some(o);
    }
    if let Some(o) = &last_outcome {
        ledger.application_durable(o).await.expect("durable");
    }
    println!(
        "{OPEN} applications in review, {OFFICIALS} wards: submitted in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let router = app(state.clone());

    for (label, uri, cookie) in [
        ("/review, the mayor (every ward)", "/review", Some(&mayor)),
        (
            "/review, the councillor of the last ward",
            "/review",
            Some(&last),
        ),
        ("GET /api/v1/review, the mayor", "/api/v1/review", None),
    ] {
        let mut times = Vec::new();
        for i in 0..320 {
            let mut req = Request::get(uri);
            req = match cookie {
                Some(c) => req.header(header::COOKIE, format!("{SESSION_COOKIE}={c}")),
                None => req.header(header::COOKIE, format!("{SESSION_COOKIE}={mayor}")),
            };
            let req = req.body(Body::empty()).expect("request");
            let t0 = Instant::now();
            let resp = router.clone().oneshot(req).await.expect("response");
            let status = resp.status();
            let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
                .await
                .expect("body");
            let took = t0.elapsed();
            assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
            if i >= 20 {
                times.push(took);
            }
        }
        let p50 = percentile(&mut times, 0.50);
        let p99 = percentile(&mut times, 0.99);
        println!(
            "queue first page, {label}: p50 {}, p99 {} ({} requests)",
            ms(p50),
            ms(p99),
            times.len()
        );
    }

    // 32 officials at once, each approving applications of their own ward.
    let mut by_ward: Vec<Vec<u64>> = vec![Vec::new(); usize::from(OFFICIALS)];
    for id in 1..=OPEN {
        let ward = ((id - 1) % u64::from(OFFICIALS)) as usize;
        by_ward[ward].push(id);
    }
    let router = Arc::new(router);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (w, token) in tokens.into_iter().enumerate() {
        let ids: Vec<u64> = by_ward[w].iter().copied().take(per_official).collect();
        let router = Arc::clone(&router);
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            for id in ids {
                let req = Request::post(format!("/api/v1/applications/{id}/approve"))
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .body(Body::empty())
                    .expect("request");
                let t0 = Instant::now();
                let resp = (*router).clone().oneshot(req).await.expect("response");
                let status = resp.status();
                let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
                    .await
                    .expect("body");
                times.push(t0.elapsed());
                assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
            }
            times
        }));
    }
    let mut times = Vec::new();
    for t in tasks {
        times.extend(t.await.expect("task"));
    }
    let wall = started.elapsed();
    let n = times.len();
    let p50 = percentile(&mut times, 0.50);
    let p99 = percentile(&mut times, 0.99);
    let issued = state.ledger().store().len();
    println!(
        "approve end to end (request to durable certificate), {OFFICIALS} officials at once: \
         {n} approvals in {:.2} s ({:.0}/s), p50 {}, p99 {}, max {}; {issued} certificates stored",
        wall.as_secs_f64(),
        n as f64 / wall.as_secs_f64(),
        ms(p50),
        ms(p99),
        ms(*times.last().unwrap_or(&Duration::ZERO)),
    );
    state.ledger().close().expect("close");
}
