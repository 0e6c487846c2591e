//! The office's review through the service's router: the queue by ward, one application's
//! page, approve (one approval and two), reject, send back and resubmit, fees, the rate hold,
//! wards, two officials at once, revoke from the certificate's page, the settings and audit
//! pages. Each issued certificate is opened and verified with the office's public key.

mod common;

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use serde_json::{json, Map, Value};

use sonod_issuer::applications::{Action, Application, HistoryEntry, Status};
use sonod_issuer::office::settings::TypeSettings;
use sonod_issuer::server::{csrf_token, AppState, SESSION_COOKIE};
use sonod_issuer::storage::ledger::ApplicationChange;
use sonod_issuer::{now, Role};
use sonod_keys::VerifyingKey;

struct Official {
    session: String,
    token: String,
}

struct Fixture {
    _dir: tempfile::TempDir,
    state: AppState,
    router: Router,
    key: VerifyingKey,
    c3: Official,
    c3b: Official,
    c5: Official,
    mayor: Official,
    operator: Official,
    admin: Official,
}

/// The office's officials: name, role, wards.
const OFFICIALS: [(&str, Role, &[u16]); 6] = [
    ("ward3", Role::Councillor, &[3]),
    ("ward34", Role::Councillor, &[3, 4]),
    ("ward5", Role::Councillor, &[5]),
    ("mayor", Role::Chairman, &[]),
    ("operator", Role::Operator, &[]),
    ("admin", Role::Admin, &[]),
];

fn fixture() -> Fixture {
    let mut b = common::office();
    for (name, role, wards) in OFFICIALS {
        b = b.user(name, name, role, None);
        if !wards.is_empty() {
            b = b.wards(name, wards);
        }
        b = b.token(name, "test").session(name, role);
    }
    let o = b.build();
    // Office hours all day and no hourly limit worth the name, unless a test sets them.
    set_settings(&o.state, |s| {
        s.limits.hours_from = 0;
        s.limits.hours_to = 24;
        s.limits.approvals_per_hour = 1000;
        s.types.insert(
            "warish".into(),
            TypeSettings {
                offered: true,
                fee_taka: 0,
                approvals: 2,
            },
        );
        s.types.insert(
            "character".into(),
            TypeSettings {
                offered: true,
                fee_taka: 100,
                approvals: 1,
            },
        );
    });
    let mut made = o
        .tokens
        .into_iter()
        .zip(o.sessions)
        .map(|(token, session)| Official { session, token });
    let mut next = || made.next().unwrap();
    Fixture {
        _dir: o.dir,
        router: o.router,
        key: o.key,
        c3: next(),
        c3b: next(),
        c5: next(),
        mayor: next(),
        operator: next(),
        admin: next(),
        state: o.state,
    }
}

fn set_settings(
    state: &AppState,
    edit: impl FnOnce(&mut sonod_issuer::office::settings::OfficeSettings),
) {
    let mut s = (*state.settings().get()).clone();
    edit(&mut s);
    state
        .settings()
        .save_blocking(state.ledger(), "cli:test", s)
        .unwrap();
}

fn fields(cert_type: &str, name: &str, nid: &str) -> Map<String, Value> {
    let v = match cert_type {
        "warish" => json!({
            "deceased": name, "father": "আব্দুর রহমান", "death_date": "2024-01-02",
            "nid": nid, "ward": 3,
            "heirs": [{"name": "করিম", "relation": "পুত্র", "age": 30}],
            "mobile": "01711111111",
        }),
        _ => json!({
            "name": name, "father": "মোহাম্মদ আব্দুর রহমান", "mother": "রোকেয়া বেগম",
            "nid": nid, "ward": 3, "mobile": "01711111111",
        }),
    };
    v.as_object().unwrap().clone()
}

/// Submits an application directly through the ledger's one write path (the apply form is
/// another part's).
fn submit(f: &Fixture, cert_type: &str, ward: u16, nid: &str) -> u64 {
    let mut fields = fields(cert_type, "মোহাম্মদ আব্দুল করিম", nid);
    fields.insert("ward".into(), json!(ward));
    let t = now();
    let a = Application {
        id: 0,
        cert_type: cert_type.into(),
        fields,
        extra: Map::from_iter([("name_en".to_owned(), json!("Md Abdul Karim"))]),
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
    };
    let ledger = f.state.ledger();
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
        .unwrap();
    ledger.application_durable_blocking(&o).unwrap();
    o.application.id
}

fn application(f: &Fixture, id: u64) -> Application {
    f.state.ledger().application(id).unwrap().unwrap()
}

async fn call(f: &Fixture, req: Request<Body>) -> (StatusCode, HeaderMap, String) {
    common::call_text(&f.router, req).await
}

fn cookie(who: &Official) -> String {
    format!("{SESSION_COOKIE}={}", who.session)
}

fn page(who: &Official, uri: &str) -> Request<Body> {
    common::get(uri, Some(&cookie(who)))
}

fn form(who: &Official, uri: &str, pairs: &[(&str, &str)]) -> Request<Body> {
    let csrf = csrf_token(&who.session);
    let mut body: Vec<(&str, &str)> = vec![("csrf", &csrf)];
    body.extend_from_slice(pairs);
    common::form_request(uri, Some(&cookie(who)), common::form_body(&body), None)
}

fn api(who: &Official, uri: &str, body: Option<Value>) -> Request<Body> {
    common::api_request("POST", uri, Some(&who.token), body.as_ref())
}

/// `who` approves application `id` through the API.
fn approve(who: &Official, id: u64) -> Request<Body> {
    api(who, &format!("/api/v1/applications/{id}/approve"), None)
}

fn api_get(who: &Official, uri: &str) -> Request<Body> {
    common::api_get(uri, Some(&who.token))
}

/// The certificate issued for application `id`: it opens, verifies with the office key and
/// carries the application's type and name.
fn verify_issued(f: &Fixture, id: u64) -> u64 {
    let a = application(f, id);
    assert_eq!(a.status, Status::Approved, "{a:?}");
    let serial = a.serial.expect("a serial");
    let c = f
        .state
        .ledger()
        .store()
        .get(serial)
        .unwrap()
        .expect("stored");
    let opened = sonod_seal::open(&c.sealed).expect("opens");
    let cert = opened.verify(&f.key).expect("verifies with the office key");
    assert_eq!(cert.serial, serial);
    assert_eq!(c.record.cert_type().key, a.cert_type);
    assert_eq!(c.record.issued(), sonod_keys::today_dhaka());
    serial
}

fn sms_kinds(f: &Fixture) -> Vec<(String, String)> {
    f.state
        .ledger()
        .sms_messages(0, 1000)
        .unwrap()
        .into_iter()
        .map(|m| (m.kind, m.text))
        .collect()
}

#[tokio::test]
async fn a_councillor_approves_a_one_approval_type_and_the_certificate_verifies() {
    let f = fixture();
    let id = submit(&f, "citizenship", 3, "1990123456789");
    // The queue shows it to the ward's councillor, with its name and tracking number.
    let (s, _, html) = call(&f, page(&f.c3, "/review")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("মোহাম্মদ আব্দুল করিম") && html.contains(&format!("A-{id}")),
        "{html}"
    );
    // The application's page: facts with labels in schema order, the extra facts, history.
    let (s, _, html) = call(&f, page(&f.c3, &format!("/applications/{id}"))).await;
    assert_eq!(s, StatusCode::OK);
    let father = html.find("মোহাম্মদ আব্দুর রহমান").expect("the father");
    let name = html.find("মোহাম্মদ আব্দুল করিম").expect("the name");
    assert!(name < father, "schema order: name before father");
    assert!(
        html.contains("Md Abdul Karim") && html.contains("csrf"),
        "{html}"
    );
    // Approve: 303 to the page, which links the print page.
    let (s, h, _) = call(&f, form(&f.c3, &format!("/applications/{id}/approve"), &[])).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(
        h[header::LOCATION],
        format!("/applications/{id}?done=approve")
    );
    let serial = verify_issued(&f, id);
    let (_, _, html) = call(&f, page(&f.c3, &format!("/applications/{id}?done=approve"))).await;
    assert!(
        html.contains(&format!("/certificates/{serial}/print")),
        "{html}"
    );
    assert!(html.contains("সনদ দেওয়া হয়েছে"), "{html}");
    // The issued SMS went with it; the audit log names the councillor.
    assert!(sms_kinds(&f).iter().any(|(k, _)| k == "issued"));
    let audit = f.state.ledger().audit_entries(0, 1000).unwrap();
    assert!(audit.iter().any(|e| e.action == "application.approve"
        && e.actor == "ward3"
        && e.target == format!("A-{id}")));
    // It has left the queue; a second approval is refused with a clear message, nothing written.
    let (_, _, html) = call(&f, page(&f.c3, "/review")).await;
    assert!(!html.contains(&format!("/applications/{id}\"")), "{html}");
    let head = f.state.ledger().head();
    let (s, _, body) = call(&f, approve(&f.mayor, id)).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert!(
        body.contains("অন্য কেউ") && body.contains("someone else"),
        "{body}"
    );
    assert_eq!(f.state.ledger().head(), head);
}

#[tokio::test]
async fn a_two_approval_type_needs_the_councillor_then_the_mayor() {
    let f = fixture();
    let id = submit(&f, "warish", 3, "1990123456789");
    // The mayor cannot go first.
    let (s, _, body) = call(&f, approve(&f.mayor, id)).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(body.contains("councillor approves first"), "{body}");
    // The councillor's approval: awaiting the second.
    let (s, _, body) = call(&f, approve(&f.c3, id)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["status"], "awaiting_second");
    assert!(v.get("certificate").is_none());
    // Not twice by the same official, and not by a second councillor instead of the mayor.
    let (s, _, body) = call(&f, approve(&f.c3, id)).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(body.contains("already"), "{body}");
    let (s, _, body) = call(&f, approve(&f.c3b, id)).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(body.contains("mayor"), "{body}");
    // The mayor issues it, through the page.
    let (s, _, _) = call(
        &f,
        form(&f.mayor, &format!("/applications/{id}/approve"), &[]),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    verify_issued(&f, id);
    let a = application(&f, id);
    let who: Vec<_> = a
        .approvals
        .iter()
        .map(|p| (p.by.as_str(), p.role))
        .collect();
    assert_eq!(
        who,
        [("ward3", Role::Councillor), ("mayor", Role::Chairman)]
    );
    let actions: Vec<_> = a.history.iter().map(|h| h.action).collect();
    assert_eq!(
        actions,
        [Action::Submit, Action::ApproveFirst, Action::Approve]
    );
}

#[tokio::test]
async fn a_rejection_needs_a_reason_which_the_applicant_gets_by_sms() {
    let f = fixture();
    let id = submit(&f, "citizenship", 3, "1990123456789");
    let before = application(&f, id);
    let (s, _, html) = call(
        &f,
        form(
            &f.c3,
            &format!("/applications/{id}/reject"),
            &[("reason", "  ")],
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("কারণ বা মন্তব্য লিখুন") && html.contains("<form"),
        "{html}"
    );
    assert_eq!(application(&f, id), before, "nothing written");
    let reason = "জাতীয় পরিচয়পত্রের নম্বর ও নাম মেলে না";
    let (s, _, _) = call(
        &f,
        form(
            &f.c3,
            &format!("/applications/{id}/reject"),
            &[("reason", reason)],
        ),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let a = application(&f, id);
    assert_eq!(a.status, Status::Rejected);
    assert_eq!(a.last_note(), Some(reason));
    let sms = sms_kinds(&f);
    let (_, text) = sms
        .iter()
        .find(|(k, _)| k == "rejected")
        .expect("the rejection's SMS");
    assert!(
        text.contains(reason) && text.contains("নাগরিকত্ব সনদ"),
        "{text}"
    );
    assert!(sonod_issuer::sms::utf16_len(text) <= sonod_issuer::sms::MAX_UTF16);
    // Decided: the approve form now says so and writes nothing.
    let (s, _, html) = call(
        &f,
        form(&f.mayor, &format!("/applications/{id}/approve"), &[]),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(
        html.contains("নামঞ্জুর") && html.contains("someone else decided"),
        "{html}"
    );
}

#[tokio::test]
async fn sent_back_corrected_resubmitted_then_approved_keeps_both_versions() {
    let f = fixture();
    let id = submit(&f, "citizenship", 3, "1990123456789");
    let note = "পিতার নাম জাতীয় পরিচয়পত্রের মতো লিখুন";
    let (s, _, body) = call(
        &f,
        api(
            &f.c3,
            &format!("/api/v1/applications/{id}/send-back"),
            Some(json!({"note": note})),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(application(&f, id).status, Status::SentBack);
    let (_, text) = sms_kinds(&f)
        .into_iter()
        .find(|(k, _)| k == "sent_back")
        .unwrap();
    assert!(text.contains(note), "{text}");
    // Out of the queue while with the applicant.
    let (_, _, body) = call(&f, api_get(&f.c3, "/api/v1/review")).await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["applications"].as_array().unwrap().len(), 0, "{v}");
    // The applicant corrects and resubmits (the apply side's route, done here directly).
    let ledger = f.state.ledger();
    let o = ledger
        .change_application(Some(id), "applicant", None, |old, _| {
            let mut a = old.unwrap();
            let old_fields = a.fields.clone();
            a.fields.insert("father".into(), json!("মোঃ আব্দুর রহমান"));
            a.status = Status::Submitted;
            a.record(HistoryEntry {
                at: now(),
                by: "applicant".into(),
                action: Action::Resubmit,
                note: String::new(),
                fields: Some(old_fields),
            });
            Ok::<_, ()>(ApplicationChange {
                application: a,
                action: "application.resubmit",
                detail: String::new(),
                sms: None,
                issue: None,
                documents: vec![],
            })
        })
        .unwrap();
    ledger.application_durable_blocking(&o).unwrap();
    let (s, _, _) = call(&f, approve(&f.c3, id)).await;
    assert_eq!(s, StatusCode::OK);
    let serial = verify_issued(&f, id);
    let c = ledger.store().get(serial).unwrap().unwrap();
    assert_eq!(
        c.record.get("father").unwrap().display_bn(),
        "মোঃ আব্দুর রহমান"
    );
    let a = application(&f, id);
    let actions: Vec<_> = a.history.iter().map(|h| h.action).collect();
    assert_eq!(
        actions,
        [
            Action::Submit,
            Action::SendBack,
            Action::Resubmit,
            Action::Approve
        ]
    );
    // The history page shows the note.
    let (_, _, html) = call(&f, page(&f.c3, &format!("/applications/{id}"))).await;
    assert!(html.contains(note), "{html}");
}

#[tokio::test]
async fn an_unpaid_application_of_a_type_with_a_fee_is_not_approved_until_paid() {
    let f = fixture();
    let id = submit(&f, "character", 3, "1990123456789");
    let (s, _, html) = call(&f, form(&f.c3, &format!("/applications/{id}/approve"), &[])).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(
        html.contains("ফি ১০০ টাকা জমা হয়নি") && html.contains("100 Taka is not paid"),
        "{html}"
    );
    assert_eq!(application(&f, id).status, Status::Submitted);
    // Bad receipt numbers are refused.
    let (s, _, _) = call(
        &f,
        api(
            &f.operator,
            &format!("/api/v1/applications/{id}/pay"),
            Some(json!({"receipt": ""})),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // The operator records the payment; the amount is the office's fee.
    let (s, _, body) = call(
        &f,
        api(
            &f.operator,
            &format!("/api/v1/applications/{id}/pay"),
            Some(json!({"receipt": "R-2026-0042"})),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let p = application(&f, id).payment.unwrap();
    assert_eq!(
        (p.receipt.as_str(), p.taka, p.by.as_str()),
        ("R-2026-0042", 100, "operator")
    );
    let (s, _, _) = call(
        &f,
        api(
            &f.operator,
            &format!("/api/v1/applications/{id}/pay"),
            Some(json!({"receipt": "again"})),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "paid once");
    // An operator cannot approve; the councillor now can.
    let (s, _, _) = call(&f, approve(&f.operator, id)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = call(&f, form(&f.c3, &format!("/applications/{id}/approve"), &[])).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    verify_issued(&f, id);
}

#[tokio::test]
async fn over_the_hourly_limit_an_approval_is_held_until_another_official_approves() {
    let f = fixture();
    set_settings(&f.state, |s| s.limits.approvals_per_hour = 1);
    let first = submit(&f, "citizenship", 3, "1990123456781");
    let second = submit(&f, "citizenship", 3, "1990123456782");
    let (s, _, _) = call(&f, approve(&f.c3, first)).await;
    assert_eq!(s, StatusCode::OK);
    verify_issued(&f, first);
    // The second in the hour is held: no certificate, status awaiting a second official.
    let (s, h, _) = call(
        &f,
        form(&f.c3, &format!("/applications/{second}/approve"), &[]),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let a = application(&f, second);
    assert_eq!(
        (a.status, a.held, a.serial),
        (Status::AwaitingSecond, true, None)
    );
    let (_, _, html) = call(&f, page(&f.c3, h[header::LOCATION].to_str().unwrap())).await;
    assert!(html.contains("আটকে রাখা হয়েছে"), "{html}");
    // The admin sees the alert on the settings page and in the audit log.
    let (_, _, html) = call(&f, page(&f.admin, "/settings")).await;
    assert!(
        html.contains(&format!("A-{second}")) && html.contains("more approvals in an hour"),
        "{html}"
    );
    let (_, _, html) = call(&f, page(&f.admin, "/audit?action=application.hold")).await;
    assert!(
        html.contains(&format!("A-{second}")) && html.contains("hold=rate"),
        "{html}"
    );
    // Another official's approval issues it.
    let (s, _, _) = call(&f, approve(&f.mayor, second)).await;
    assert_eq!(s, StatusCode::OK);
    verify_issued(&f, second);
    // The count is rebuilt from the audit log at start: a new service still holds c3.
    let third = submit(&f, "citizenship", 3, "1990123456783");
    let rebuilt =
        sonod_issuer::applications::review::RateGuard::from_audit(f.state.ledger(), now()).unwrap();
    let limits = f.state.settings().get().limits;
    assert!(rebuilt.check("ward3", now(), &limits).is_some());
    assert!(rebuilt.check("ward34", now(), &limits).is_none());
    let _ = third;
}

#[tokio::test]
async fn outside_office_hours_an_approval_is_held() {
    let f = fixture();
    let hour = time::OffsetDateTime::now_utc()
        .to_offset(sonod_keys::DHAKA_OFFSET)
        .hour();
    // Office hours that do not include this hour (nor the next, should the test cross it).
    let (from, to) = if hour < 22 {
        (hour + 2, 24)
    } else {
        (0, hour - 1)
    };
    set_settings(&f.state, |s| {
        s.limits.hours_from = from;
        s.limits.hours_to = to;
    });
    let id = submit(&f, "citizenship", 3, "1990123456789");
    let (s, _, body) = call(&f, approve(&f.c3, id)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let a = application(&f, id);
    assert!(a.held && a.status == Status::AwaitingSecond);
    assert_eq!(a.history.last().unwrap().note, "hours");
}

#[tokio::test]
async fn a_councillor_sees_and_decides_only_their_own_wards() {
    let f = fixture();
    let in3 = submit(&f, "citizenship", 3, "1990123456781");
    let in5 = submit(&f, "citizenship", 5, "1990123456782");
    let (_, _, body) = call(&f, api_get(&f.c5, "/api/v1/review")).await;
    let v: Value = serde_json::from_str(&body).unwrap();
    let ids: Vec<u64> = v["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [in5]);
    assert_eq!(v["counts"], json!([{"ward": 5, "in_review": 1}]));
    let (s, _, _) = call(&f, page(&f.c5, &format!("/applications/{in3}"))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = call(&f, approve(&f.c5, in3)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, body) = call(&f, page(&f.c5, "/review?ward=3")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(
        body.contains("ward 3 is not one of your wards") && body.contains("ওয়ার্ড ৩ আপনার ওয়ার্ড নয়"),
        "the queue of another ward says why: {body}"
    );
    assert_eq!(application(&f, in3).status, Status::Submitted);
    // The mayor sees every ward, counted by ward.
    let (_, _, body) = call(&f, api_get(&f.mayor, "/api/v1/review")).await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        v["counts"],
        json!([{"ward": 3, "in_review": 1}, {"ward": 5, "in_review": 1}])
    );
    // Wrong tokens and forms: no CSRF token, no session.
    let mut req = form(&f.c3, &format!("/applications/{in3}/approve"), &[]);
    *req.body_mut() = Body::from("csrf=0000");
    let (s, _, _) = call(&f, req).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(application(&f, in3).status, Status::Submitted);
}

/// A councillor refused another ward's application is told why (not "your role does not
/// allow this": the role may approve), on the page, on the form and in the API.
#[tokio::test]
async fn another_ward_s_councillor_is_told_it_is_not_their_ward() {
    let f = fixture();
    let in3 = submit(&f, "citizenship", 3, "1990123456781");
    let said = |body: &str| {
        assert!(
            body.contains("this application is of ward 3, not one of yours")
                && body.contains("এই আবেদন ওয়ার্ড ৩-এর, আপনার ওয়ার্ডের নয়")
                && !body.contains("your role does not allow this"),
            "{body}"
        );
    };
    let (s, _, html) = call(&f, page(&f.c5, &format!("/applications/{in3}"))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    said(&html);
    let (s, _, html) = call(
        &f,
        form(&f.c5, &format!("/applications/{in3}/approve"), &[]),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    said(&html);
    let (s, h, body) = call(
        &f,
        api(
            &f.c5,
            &format!("/api/v1/applications/{in3}/reject"),
            Some(json!({"reason": "x"})),
        ),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(h[header::CONTENT_TYPE], "application/problem+json");
    said(&body);
    assert_eq!(application(&f, in3).status, Status::Submitted);
    assert_eq!(application(&f, in3).history.len(), 1);
    // An operator's or admin's refusal stays about the role.
    let (s, _, body) = call(
        &f,
        api(
            &f.operator,
            &format!("/api/v1/applications/{in3}/approve"),
            None,
        ),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(body.contains("your role does not allow this"), "{body}");
}

#[tokio::test]
async fn the_queue_pages_by_ward_and_number() {
    let f = fixture();
    let mut ids = Vec::new();
    for i in 0..7u16 {
        ids.push((
            3 + (i % 2) * 2,
            submit(
                &f,
                "citizenship",
                3 + (i % 2) * 2,
                &format!("199012345678{i}"),
            ),
        ));
    }
    ids.sort();
    let mut seen = Vec::new();
    let mut after = String::new();
    loop {
        let (s, _, body) = call(
            &f,
            api_get(&f.mayor, &format!("/api/v1/review?limit=3&after={after}")),
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        let v: Value = serde_json::from_str(&body).unwrap();
        for a in v["applications"].as_array().unwrap() {
            seen.push((
                a["ward"].as_u64().unwrap() as u16,
                a["id"].as_u64().unwrap(),
            ));
        }
        match v["next"].as_str() {
            Some(n) => after = n.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen, ids);
    let (s, _, _) = call(&f, api_get(&f.mayor, "/api/v1/review?after=x")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // The API is documented.
    let (_, _, body) = call(&f, api_get(&f.mayor, "/api/v1/openapi.json")).await;
    let doc: Value = serde_json::from_str(&body).unwrap();
    for path in [
        "/api/v1/review",
        "/api/v1/applications/{id}",
        "/api/v1/applications/{id}/approve",
        "/api/v1/applications/{id}/reject",
        "/api/v1/applications/{id}/send-back",
        "/api/v1/applications/{id}/pay",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} undocumented");
    }
    // The page finds by tracking number.
    let (s, h, _) = call(&f, page(&f.mayor, "/review?find=A-%E0%A7%A8")).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h[header::LOCATION], "/applications/2");
}

#[tokio::test]
async fn two_officials_approving_at_once_issue_one_certificate() {
    let f = fixture();
    for round in 0..5 {
        let id = submit(&f, "citizenship", 3, &format!("199012345679{round}"));
        let uri = format!("/api/v1/applications/{id}/approve");
        let (a, b) = tokio::join!(
            call(&f, api(&f.c3, &uri, None)),
            call(&f, api(&f.mayor, &uri, None))
        );
        let mut codes = [a.0, b.0];
        codes.sort();
        assert_eq!(codes, [StatusCode::OK, StatusCode::CONFLICT], "{a:?} {b:?}");
        verify_issued(&f, id);
    }
    assert_eq!(f.state.ledger().store().len(), 5, "one certificate each");
}

#[tokio::test]
async fn revoke_from_the_certificate_page_with_a_reason_and_a_confirmation() {
    let f = fixture();
    let id = submit(&f, "citizenship", 3, "1990123456789");
    call(&f, approve(&f.c3, id)).await;
    let serial = verify_issued(&f, id);
    // The list, newest first, and the number as printed finds it (in either script).
    let (s, _, html) = call(&f, page(&f.mayor, "/certificates")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains(&format!("/certificates/{serial}/print")),
        "{html}"
    );
    let (s, h, _) = call(
        &f,
        page(&f.mayor, &format!("/certificates?q=100524-{serial}")),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h[header::LOCATION], format!("/certificates/{serial}"));
    let (s, _, _) = call(&f, page(&f.mayor, &format!("/certificates?q=12-{serial}"))).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another office's number");
    let (s, _, html) = call(&f, page(&f.mayor, &format!("/certificates/{serial}"))).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("/revoke") && html.contains("holder_deceased"),
        "{html}"
    );
    // Without the confirmation, or without a reason: refused, nothing written.
    let uri = format!("/certificates/{serial}/revoke");
    let (s, _, html) = call(&f, form(&f.mayor, &uri, &[("reason", "fraud")])).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("tick the box"), "{html}");
    // The reason chosen is kept on the form that comes back, and only it.
    assert!(html.contains("<option value=\"fraud\" selected>"), "{html}");
    assert_eq!(html.matches(" selected>").count(), 1, "{html}");
    let (s, _, _) = call(
        &f,
        form(&f.mayor, &uri, &[("reason", "nonsense"), ("confirm", "1")]),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(f.state.ledger().revocation(serial).unwrap().is_none());
    // An operator may not.
    let (s, _, _) = call(
        &f,
        form(&f.operator, &uri, &[("reason", "fraud"), ("confirm", "1")]),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, h, _) = call(
        &f,
        form(
            &f.mayor,
            &uri,
            &[("reason", "fraud"), ("note", "জাল কাগজ"), ("confirm", "1")],
        ),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(
        h[header::LOCATION],
        format!("/certificates/{serial}?revoked=1")
    );
    let r = f.state.ledger().revocation(serial).unwrap().unwrap();
    assert_eq!((r.by.as_str(), r.note.as_str()), ("mayor", "জাল কাগজ"));
    let (_, _, html) = call(
        &f,
        page(&f.mayor, &format!("/certificates/{serial}?revoked=1")),
    )
    .await;
    assert!(
        html.contains("বাতিল করা হয়েছে") && !html.contains("name=\"confirm\""),
        "{html}"
    );
    // The old paths lead on.
    let (s, h, _) = call(&f, page(&f.mayor, "/revoke")).await;
    assert!(s.is_redirection() && h[header::LOCATION] == "/certificates");
}

#[tokio::test]
async fn the_admin_saves_settings_through_the_form_and_bad_fields_are_named() {
    let f = fixture();
    let (s, _, html) = call(&f, page(&f.admin, "/settings")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("name=\"warish_fee\""), "{html}");
    let (s, _, _) = call(&f, page(&f.c3, "/settings")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let mut pairs: Vec<(String, String)> = vec![
        ("name_bn".into(), "সাভার পৌরসভা".into()),
        ("name_en".into(), "Savar Paurashava".into()),
        ("address_bn".into(), "সাভার, ঢাকা-১৩৪০".into()),
        ("wards".into(), "1-x".into()),
        ("sig0_name_bn".into(), "আব্দুল গনি".into()),
        ("sig0_name_en".into(), "Abdul Goni".into()),
        ("sig0_title_bn".into(), "মেয়র".into()),
        ("sig0_title_en".into(), "Mayor".into()),
        ("idle_minutes".into(), "15".into()),
        ("approvals_per_hour".into(), "30".into()),
        ("hours_from".into(), "0".into()),
        ("hours_to".into(), "24".into()),
    ];
    for t in sonod_seal::CERT_TYPES {
        pairs.push((format!("{}_offered", t.key), "1".into()));
        pairs.push((
            format!("{}_fee", t.key),
            if t.key == "trade_licence" { "500" } else { "0" }.into(),
        ));
        pairs.push((format!("{}_approvals", t.key), "1".into()));
    }
    let as_refs = |p: &Vec<(String, String)>| -> Vec<(String, String)> { p.clone() };
    let post = |p: Vec<(String, String)>| {
        let refs: Vec<(&str, &str)> = p.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        form(&f.admin, "/settings", &refs)
    };
    let (s, _, html) = call(&f, post(as_refs(&pairs))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("value=\"1-x\"") && html.contains("field-err"),
        "what was typed is kept: {html}"
    );
    pairs.retain(|(k, _)| k != "wards");
    pairs.push(("wards".into(), "1-9".into()));
    let (s, h, _) = call(&f, post(pairs)).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{h:?}");
    let saved = f.state.settings().get();
    assert_eq!(saved.address_bn, "সাভার, ঢাকা-১৩৪০");
    assert_eq!(saved.type_settings("trade_licence").fee_taka, 500);
    assert_eq!(saved.signatories[0].title_en, "Mayor");
    assert_eq!(saved.limits.approvals_per_hour, 30);
    // The print page prints the address from the settings.
    let id = submit(&f, "citizenship", 3, "1990123456789");
    call(&f, approve(&f.c3, id)).await;
    let serial = verify_issued(&f, id);
    let (_, _, html) = call(&f, page(&f.c3, &format!("/certificates/{serial}/print"))).await;
    assert!(html.contains("সাভার, ঢাকা-১৩৪০"), "{html}");
    assert!(
        html.contains("আব্দুল গনি") && html.contains("Abdul Goni, Mayor"),
        "the signatory: {html}"
    );
    // The audit page finds the change by official and action.
    let (s, _, html) = call(
        &f,
        page(&f.admin, "/audit?actor=admin&action=settings.save"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("<code>settings.save</code>"), "{html}");
    assert!(
        !html.contains("<code>application.approve</code>"),
        "only what was searched: {html}"
    );
    let (s, _, _) = call(&f, page(&f.admin, "/audit?from=2026-13-40")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _, _) = call(&f, page(&f.c3, "/audit")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_admin_sets_a_councillor_s_wards_on_the_accounts_page() {
    let f = fixture();
    let (s, _, html) = call(&f, page(&f.admin, "/admin/users")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("/admin/users/ward5/wards"), "{html}");
    let (s, _, _) = call(
        &f,
        form(&f.admin, "/admin/users/ward5/wards", &[("wards", "0")]),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _, _) = call(
        &f,
        form(&f.admin, "/admin/users/ward5/wards", &[("wards", "৫-৬")]),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let u = f.state.accounts().user("ward5").unwrap().unwrap();
    assert_eq!(u.wards, [5, 6]);
    let audit = f.state.ledger().audit_entries(0, 1000).unwrap();
    assert!(audit
        .iter()
        .any(|e| e.action == "user.wards" && e.actor == "admin" && e.detail == "wards=5,6"));
    let (s, _, _) = call(
        &f,
        form(&f.c3, "/admin/users/ward5/wards", &[("wards", "3")]),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

/// Every page this part adds renders for its officials; with `SONOD_SCREENSHOTS=<dir>` each
/// is also kept as HTML and photographed by headless Chromium at phone (390 px) and desktop
/// (1280 px) width.
#[tokio::test]
async fn every_page_renders_and_is_photographed_when_asked() {
    let f = fixture();
    set_settings(&f.state, |s| {
        s.address_bn = "সাভার, ঢাকা-১৩৪০".into();
        s.limits.approvals_per_hour = 2;
        s.signatories = vec![sonod_issuer::office::settings::Signatory {
            name_bn: "আব্দুল গনি".into(),
            name_en: "Abdul Goni".into(),
            title_bn: "মেয়র".into(),
            title_en: "Mayor".into(),
            types: vec![],
        }];
    });
    let issued = submit(&f, "citizenship", 3, "1990123456781");
    call(&f, approve(&f.c3, issued)).await;
    let revoked = submit(&f, "citizenship", 3, "1990123456782");
    call(&f, approve(&f.c3, revoked)).await;
    let held = submit(&f, "citizenship", 3, "1990123456783");
    call(&f, approve(&f.c3, held)).await;
    let unpaid = submit(&f, "character", 3, "1990123456784");
    let warish = submit(&f, "warish", 5, "1990123456785");
    call(&f, approve(&f.c5, warish)).await;
    for i in 0..4 {
        submit(&f, "citizenship", 3 + i % 3, &format!("199012345679{i}"));
    }
    let serial = application(&f, revoked).serial.unwrap();
    call(
        &f,
        form(
            &f.mayor,
            &format!("/certificates/{serial}/revoke"),
            &[("reason", "fraud"), ("confirm", "1")],
        ),
    )
    .await;
    let issued_serial = application(&f, issued).serial.unwrap();
    let pages: Vec<(&str, &Official, String)> = vec![
        ("review-mayor", &f.mayor, "/review".into()),
        ("review-councillor", &f.c3, "/review?ward=3".into()),
        (
            "application-unpaid",
            &f.c3,
            format!("/applications/{unpaid}"),
        ),
        (
            "application-held",
            &f.mayor,
            format!("/applications/{held}?done=approve"),
        ),
        (
            "application-awaiting-second",
            &f.mayor,
            format!("/applications/{warish}"),
        ),
        (
            "application-issued",
            &f.c3,
            format!("/applications/{issued}?done=approve"),
        ),
        ("certificates", &f.mayor, "/certificates".into()),
        (
            "certificate",
            &f.mayor,
            format!("/certificates/{issued_serial}"),
        ),
        (
            "certificate-revoked",
            &f.mayor,
            format!("/certificates/{serial}?revoked=1"),
        ),
        ("settings", &f.admin, "/settings".into()),
        ("users", &f.admin, "/admin/users".into()),
        ("audit", &f.admin, "/audit".into()),
        (
            "print",
            &f.c3,
            format!("/certificates/{issued_serial}/print"),
        ),
    ];
    let keep = std::env::var_os("SONOD_SCREENSHOTS").map(std::path::PathBuf::from);
    // The PDF of the same certificate, with the settings' address and signatory.
    let (s, h, pdf) = sonod_testkit::send(
        f.router.clone(),
        page(&f.c3, &format!("/certificates/{issued_serial}/pdf")),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h[header::CONTENT_TYPE], "application/pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    if let Some(dir) = &keep {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("print.pdf"), &pdf).unwrap();
        let status = std::process::Command::new("pdftoppm")
            .args(["-r", "100", "-png", "-singlefile"])
            .arg(dir.join("print.pdf"))
            .arg(dir.join("print-pdf"))
            .status()
            .expect("pdftoppm");
        assert!(status.success());
    }
    for (name, who, uri) in pages {
        let (s, _, html) = call(&f, page(who, &uri)).await;
        assert_eq!(s, StatusCode::OK, "{uri}: {html}");
        assert!(html.contains("lang=\"bn\""), "{uri}");
        let Some(dir) = &keep else { continue };
        std::fs::create_dir_all(dir).unwrap();
        let path = dir.join(format!("{name}.html"));
        std::fs::write(&path, &html).unwrap();
        for width in [390, 1280] {
            let out = dir.join(format!("{name}-{width}.png"));
            let profile = tempfile::tempdir().unwrap();
            let status = std::process::Command::new("chromium")
                .args([
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--hide-scrollbars",
                ])
                .arg(format!("--user-data-dir={}", profile.path().display()))
                .arg(format!(
                    "--window-size={width},{}",
                    if width == 390 { 2400 } else { 1400 }
                ))
                .arg(format!("--screenshot={}", out.display()))
                .arg(format!("file://{}", path.display()))
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .expect("chromium");
            assert!(status.success() && out.exists(), "{name} at {width}");
        }
    }
}
