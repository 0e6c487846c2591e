//! Applying for a certificate through the service's router (`app(state).oneshot`): every one of
//! the 14 types through its form, bad input at every field, the repeat pointer, documents,
//! the operator's entry, correcting an application sent back, the status lookup, the JSON API.

mod common;
use common::{api_post, call_text, csrf_of, multipart_body, multipart_post, Upload};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use sonod_issuer::applications::form::{record_json, sections};
use sonod_issuer::applications::{Action, Application, HistoryEntry, Status};
use sonod_issuer::server::AppState;
use sonod_issuer::storage::ledger::ApplicationChange;
use sonod_issuer::{now, Role};
use sonod_keys::today_dhaka;
use sonod_seal::{FieldKind, Record, CERT_TYPES};

struct Fixture {
    _dir: tempfile::TempDir,
    state: AppState,
    router: Router,
    /// An operator's API token.
    operator: String,
    /// A councillor's API token.
    councillor: String,
}

fn fixture() -> Fixture {
    let o = common::office()
        .user("karim", "করিম", Role::Operator, Some("operator password"))
        .user("selina", "সেলিনা", Role::Councillor, None)
        .token("karim", "test")
        .token("selina", "test")
        .build();
    let [operator, councillor] = <[String; 2]>::try_from(o.tokens).expect("two tokens");
    Fixture {
        _dir: o.dir,
        router: o.router,
        state: o.state,
        operator,
        councillor,
    }
}

/// A multipart/form-data body: text fields, then documents (file name, bytes).
fn multipart(fields: &[(String, String)], files: &[(&str, &[u8])]) -> Vec<u8> {
    let files: Vec<Upload> = files
        .iter()
        .map(|(file_name, bytes)| Upload {
            field: "document",
            file_name,
            content_type: "application/octet-stream",
            bytes,
        })
        .collect();
    multipart_body(fields, &files)
}

fn get(uri: &str) -> Request<Body> {
    common::get(uri, None)
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// A text a person might type for field `key`.
fn sample_text(key: &str) -> &'static str {
    match key {
        "name" => "রহিম উদ্দিন",
        "name_en" => "Rahim Uddin",
        "father" => "করিম উদ্দিন",
        "mother" => "রোকেয়া বেগম",
        "spouse" => "সালমা খাতুন",
        "deceased" => "আব্দুল করিম",
        "business_name" => "রহিম স্টোর",
        "business_kind" => "মুদি দোকান",
        "business_address" => "বাজার রোড, সাভার",
        "other_name" => "মোঃ রহিম",
        "other_name_source" => "এসএসসি সনদ",
        "disability" => "শারীরিক",
        "occupation" => "কৃষক",
        "purpose" => "চাকরির আবেদন",
        "village" => "বাজার পাড়া",
        "post_office" => "সাভার",
        "upazila" => "সাভার",
        "district" => "ঢাকা",
        _ => "তথ্য",
    }
}

/// The whole form of type `key`, filled in as a citizen would (Bangla digits where digits go).
fn filled(key: &str, nid: &str) -> Vec<(String, String)> {
    let t = sonod_seal::cert_type_by_key(key).expect("type");
    let mut out = Vec::new();
    for s in sections(t) {
        for i in s.inputs {
            let k = i.key;
            match i.kind {
                FieldKind::Nid => out.push((k.into(), nid.into())),
                FieldKind::Brn => {}
                FieldKind::Mobile => out.push((k.into(), "০১৭১১২২৩৩৪৪".into())),
                FieldKind::Uint if k == "ward" => out.push((k.into(), "৩".into())),
                FieldKind::Uint => out.push((k.into(), "১,২০,০০০".into())),
                FieldKind::Date => out.push((k.into(), "০৫-০৩-১৯৯০".into())),
                FieldKind::FiscalYear => {
                    // The current fiscal year (July to June), in Bangla digits.
                    let today = today_dhaka();
                    let start = today.year() - i32::from(u8::from(today.month()) < 7);
                    let fy = format!("{start}-{:02}", (start + 1) % 100);
                    out.push((k.into(), sonod_seal::bangla_digits(&fy)));
                }
                FieldKind::Persons => {
                    for (n, (name, rel, age)) in [("রহিম", "পুত্র", "৪০"), ("করিমা", "কন্যা", "")]
                        .iter()
                        .enumerate()
                    {
                        out.push((format!("{k}.{n}.name"), name.to_string()));
                        out.push((format!("{k}.{n}.relation"), rel.to_string()));
                        out.push((format!("{k}.{n}.age"), age.to_string()));
                    }
                    // Empty rows, as the form sends them.
                    out.push((format!("{k}.2.name"), String::new()));
                }
                FieldKind::TextList => {
                    out.push((format!("{k}.0"), "রহিম উদ্দিন".into()));
                    out.push((format!("{k}.1"), String::new()));
                }
                _ => out.push((k.into(), sample_text(k).into())),
            }
        }
    }
    out
}

fn set(form: &mut Vec<(String, String)>, key: &str, value: &str) {
    form.retain(|(k, _)| k != key);
    form.push((key.into(), value.into()));
}

fn all(f: &Fixture) -> Vec<Application> {
    f.state
        .ledger()
        .applications(0, 1000)
        .expect("applications")
}

/// The tracking number on a success page.
fn tracking_on(page: &str) -> String {
    let at = page.find("class=\"big\"").expect("tracking number shown");
    let rest = &page[at..];
    let open = rest.find('(').expect("(") + 1;
    let close = rest.find(')').expect(")");
    rest[open..close].to_owned()
}

#[tokio::test]
async fn every_type_is_applied_for_through_its_form() {
    let f = fixture();
    let (status, _, list) = call_text(&f.router, get("/apply")).await;
    assert_eq!(status, StatusCode::OK);
    for (n, t) in CERT_TYPES.iter().enumerate() {
        assert!(
            list.contains(&format!("href=\"/apply/{}\"", t.key)),
            "{}",
            t.key
        );
        let (status, _, page) = call_text(&f.router, get(&format!("/apply/{}", t.key))).await;
        assert_eq!(status, StatusCode::OK, "{}", t.key);
        assert!(page.contains(t.name_bn) && page.contains(t.name_en));
        let nid = format!("19901234{:02}", n);
        let (status, _, page) = call_text(
            &f.router,
            multipart_post(
                &format!("/apply/{}", t.key),
                multipart(&filled(t.key, &nid), &[]),
                None,
            ),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{}: {page}", t.key);
        let tr = tracking_on(&page);
        assert_eq!(tr, format!("A-{}", n + 1));
        assert!(
            page.contains(&sonod_seal::bangla_digits(&tr)),
            "Bangla digits too"
        );
        let a = f.state.ledger().application(n as u64 + 1).unwrap().unwrap();
        assert_eq!(a.cert_type, t.key);
        assert_eq!(
            (a.status, a.ward, a.mobile.as_str()),
            (Status::Submitted, 3, "01711223344")
        );
        assert_eq!(a.extra["name_en"], "Rahim Uddin");
        assert_eq!(a.history.len(), 1);
        assert_eq!(a.history[0].action, Action::Submit);
        assert_eq!(a.entered_by, None);
        // What the approval will seal is a valid record of the type.
        let office = "100524";
        let r = Record::from_json(&record_json(t, &a.fields, office, today_dhaka()))
            .unwrap_or_else(|e| panic!("{}: {e}", t.key));
        assert_eq!(r.cert_type().key, t.key);
    }
    // Each queued its "application received" SMS in the same write, in Bangla digits.
    let sms = f.state.ledger().sms_messages(0, 100).expect("outbox");
    assert_eq!(sms.len(), CERT_TYPES.len());
    for m in &sms {
        assert_eq!(m.kind, "received");
        assert!(m.text.contains("A-"), "{}", m.text);
        assert!(sonod_issuer::sms::utf16_len(&m.text) <= sonod_issuer::sms::MAX_UTF16);
        assert!(!m.text.contains("1990123"), "no NID in an SMS");
    }
    assert!(sms[13].text.contains("A-১৪"));
}

/// The field's error is shown next to it, what was typed is still there, nothing is stored.
async fn refused(f: &Fixture, key: &str, form: Vec<(String, String)>, field: &str, kept: &str) {
    let before = all(f).len();
    let (status, _, page) = call_text(
        &f.router,
        multipart_post(&format!("/apply/{key}"), multipart(&form, &[]), None),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{key}/{field}: {page}"
    );
    let marker = if field.contains('.') {
        // A row's error is under the row.
        format!("name=\"{field}\"")
    } else {
        format!("id=\"e-{field}\"")
    };
    assert!(page.contains(&marker), "{key}/{field}: no error next to it");
    assert!(page.contains("class=\"err\""), "{key}/{field}: the summary");
    if !kept.is_empty() {
        assert!(
            page.contains(&format!("value=\"{kept}\"")),
            "{key}/{field}: {kept} lost"
        );
    }
    assert_eq!(all(f).len(), before, "{key}/{field}: stored anyway");
}

#[tokio::test]
async fn bad_input_at_every_field_is_named_and_nothing_is_stored() {
    let f = fixture();
    let good = filled("citizenship", "1990123456");
    for (field, bad) in [
        ("nid", "12345"),
        ("nid", "১২৩৪৫৬৭৮৯x"),
        ("name", ""),
        ("name", &"ক".repeat(201)),
        ("name_en", "রহিম"),
        ("name_en", ""),
        ("father", ""),
        ("mother", "\u{7}"),
        ("dob", "31-02-1990"),
        ("dob", "2099-01-01"),
        ("village", ""),
        ("ward", "99"),
        ("ward", "x"),
        ("post_office", ""),
        ("upazila", ""),
        ("district", ""),
        ("mobile", "01234"),
        ("mobile", "০১২১১২২৩৩৪৪"),
    ] {
        let mut form = good.clone();
        set(&mut form, field, bad);
        // The others' values come back as typed.
        let kept = if field == "village" {
            "রোকেয়া বেগম"
        } else {
            "বাজার পাড়া"
        };
        refused(&f, "citizenship", form, field, kept).await;
    }
    // Neither NID nor birth registration number.
    let mut form = good.clone();
    set(&mut form, "nid", "");
    refused(&f, "citizenship", form, "nid", "রোকেয়া বেগম").await;
    // A birth registration number of the wrong length.
    let mut form = good.clone();
    set(&mut form, "brn", "1234");
    refused(&f, "citizenship", form, "brn", "").await;

    // Heirs: a row without its relation, a bad age, no rows at all.
    let good = filled("warish", "1990123456");
    let mut form = good.clone();
    set(&mut form, "heirs.1.relation", "");
    refused(&f, "warish", form.clone(), "heirs.1.relation", "করিমা").await;
    // Rows are numbered in Bangla digits in the Bangla text, and their errors name them so.
    let (_, _, page) = call_text(
        &f.router,
        multipart_post("/apply/warish", multipart(&form, &[]), None),
    )
    .await;
    assert!(
        page.contains("<td class=\"n\">২</td>") && !page.contains("<td class=\"n\">2</td>"),
        "row numbers: {page}"
    );
    assert!(
        page.contains("<p class=\"fe\">সারি ২: ") && page.contains("/ Row 2: "),
        "the row's error: {page}"
    );
    let mut form = good.clone();
    set(&mut form, "heirs.0.age", "২০০");
    refused(&f, "warish", form, "heirs.0.age", "রহিম").await;
    let form: Vec<_> = good
        .iter()
        .filter(|(k, _)| !k.starts_with("heirs."))
        .cloned()
        .collect();
    refused(&f, "warish", form, "heirs", "আব্দুল করিম").await;
    let mut form = good.clone();
    set(&mut form, "death_date", "০৫/১৩/২০২০");
    refused(&f, "warish", form, "death_date", "আব্দুল করিম").await;

    // A trade licence: owners, fiscal year, Taka amount.
    let good = filled("trade_licence", "1990123456");
    let form: Vec<_> = good
        .iter()
        .filter(|(k, _)| !k.starts_with("owners."))
        .cloned()
        .collect();
    refused(&f, "trade_licence", form, "owners", "রহিম স্টোর").await;
    let mut form = good.clone();
    set(&mut form, "fiscal_year", "2026-28");
    refused(&f, "trade_licence", form, "fiscal_year", "রহিম স্টোর").await;
    let mut form = good.clone();
    set(&mut form, "licence_fee", "পাঁচশো");
    refused(&f, "trade_licence", form, "licence_fee", "রহিম স্টোর").await;
    let mut form = good;
    set(&mut form, "business_name", "");
    refused(&f, "trade_licence", form, "business_name", "মুদি দোকান").await;

    // An income certificate's amount.
    let mut form = filled("income", "1990123456");
    set(&mut form, "annual_income", "-5");
    refused(&f, "income", form, "annual_income", "কৃষক").await;

    // "More rows" re-renders with every value and no error, storing nothing.
    let mut form = filled("warish", "1990123456");
    form.push(("more".into(), "heirs".into()));
    let (status, _, page) = call_text(
        &f.router,
        multipart_post("/apply/warish", multipart(&form, &[]), None),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("name=\"heirs.9.name\""), "five more rows");
    assert!(page.contains("value=\"করিমা\"") && !page.contains("class=\"err\""));
    assert!(all(&f).is_empty());

    // Unknown type; a type the office does not offer.
    let (status, _, page) = call_text(&f.router, get("/apply/passport")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("href=\"/apply\""));
    let mut s = (*f.state.settings().get()).clone();
    s.types.insert(
        "landless".into(),
        sonod_issuer::office::settings::TypeSettings {
            offered: false,
            ..Default::default()
        },
    );
    f.state
        .settings()
        .save_blocking(f.state.ledger(), "admin", s)
        .expect("settings");
    let (_, _, list) = call_text(&f.router, get("/apply")).await;
    assert!(!list.contains("/apply/landless"));
    let (status, _, page) = call_text(&f.router, get("/apply/landless")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("ভূমিহীন সনদ") && page.contains("online"));
    let (status, _, _) = call_text(
        &f.router,
        multipart_post(
            "/apply/landless",
            multipart(&filled("landless", "1990123456"), &[]),
            None,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(all(&f).is_empty());
}

#[tokio::test]
async fn a_repeat_of_an_open_application_points_to_it() {
    let f = fixture();
    let form = filled("character", "১৯৯০১২৩৪৫৬");
    let (status, _, page) = call_text(
        &f.router,
        multipart_post("/apply/character", multipart(&form, &[]), None),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    // The same person (the same NID in Latin digits) and type again.
    let mut again = form.clone();
    set(&mut again, "nid", "1990123456");
    set(&mut again, "mobile", "01811223344");
    let (status, _, page) = call_text(
        &f.router,
        multipart_post("/apply/character", multipart(&again, &[]), None),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        page.contains("A-1") && page.contains("A-১") && page.contains("href=\"/status\""),
        "{page}"
    );
    assert_eq!(all(&f).len(), 1);
    // Another type for the same person is a new application.
    let (status, _, _) = call_text(
        &f.router,
        multipart_post(
            "/apply/citizenship",
            multipart(&filled("citizenship", "1990123456"), &[]),
            None,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(all(&f).len(), 2);
}

fn png() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(4, 4, image::Rgb([200, 10, 10]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("png");
    out.into_inner()
}

#[tokio::test]
async fn documents_are_typed_by_content_limited_and_only_for_officials() {
    let f = fixture();
    let form = filled("citizenship", "1990123456");
    let png = png();
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n".to_vec();
    // An .exe is refused, whatever it is called; nothing stored.
    let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00".to_vec();
    let (status, _, page) = call_text(
        &f.router,
        multipart_post(
            "/apply/citizenship",
            multipart(&form, &[("scan.pdf", &exe)]),
            None,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("scan.pdf") && page.contains("JPEG, PNG"),
        "{page}"
    );
    assert!(page.contains("value=\"রহিম উদ্দিন\""), "the fields kept");
    assert!(all(&f).is_empty());
    // Over the size limit.
    let big = {
        let mut b = pdf.clone();
        b.resize(sonod_issuer::applications::MAX_DOCUMENT_BYTES + 1, b' ');
        b
    };
    let (status, _, page) = call_text(
        &f.router,
        multipart_post(
            "/apply/citizenship",
            multipart(&form, &[("big.pdf", &big)]),
            None,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("big.pdf") && page.contains("MB"));
    assert!(all(&f).is_empty());
    // A body over the route's limit (12 MiB) is refused whole.
    let huge = vec![b'x'; 13 * 1024 * 1024];
    let (status, _, _) = call_text(
        &f.router,
        multipart_post(
            "/apply/citizenship",
            multipart(&form, &[("huge.pdf", &huge)]),
            None,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(all(&f).is_empty());
    // Too many.
    let six: Vec<(&str, &[u8])> = (0..6).map(|_| ("p.pdf", pdf.as_slice())).collect();
    let (status, _, _) = call_text(
        &f.router,
        multipart_post("/apply/citizenship", multipart(&form, &six), None),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(all(&f).is_empty());
    // A PNG called .pdf is kept as a PNG, a PDF as a PDF.
    let (status, _, page) = call_text(
        &f.router,
        multipart_post(
            "/apply/citizenship",
            multipart(&form, &[("photo.pdf", &png), ("nid card.pdf", &pdf)]),
            None,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let a = &all(&f)[0];
    let types: Vec<&str> = a
        .documents
        .iter()
        .map(|d| d.content_type.as_str())
        .collect();
    assert_eq!(types, ["image/png", "application/pdf"]);
    assert_eq!(a.documents[0].label, "photo.pdf");
    assert_eq!(a.documents[0].size, png.len() as u64);
    // Not served publicly …
    let (status, _, _) = call_text(&f.router, get("/applications/A-1/documents/0")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // … only to an official, as a download, never sniffed.
    let req = Request::get("/applications/A-1/documents/0")
        .header(header::AUTHORIZATION, format!("Bearer {}", f.councillor))
        .body(Body::empty())
        .unwrap();
    let (status, headers, body) = sonod_testkit::send(f.router.clone(), req).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, png);
    assert_eq!(headers[header::CONTENT_TYPE], "image/png");
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let req = Request::get("/applications/1/documents/7")
        .header(header::AUTHORIZATION, format!("Bearer {}", f.councillor))
        .body(Body::empty())
        .unwrap();
    assert_eq!(call_text(&f.router, req).await.0, StatusCode::NOT_FOUND);
}

/// Signs in on the web form for the first time (password, then enrolling the second
/// factor); the session cookie.
async fn sign_in(f: &Fixture, name: &str, password: &str) -> String {
    common::enrol(&f.router, name, password).await.cookie
}

#[tokio::test]
async fn an_operator_applies_from_their_login_and_the_centre_is_recorded() {
    let f = fixture();
    let cookie = sign_in(&f, "karim", "operator password").await;
    let req = Request::get("/apply/unmarried")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    let (status, _, page) = call_text(&f.router, req).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("name=\"centre\"") && page.contains("karim"));
    let csrf = csrf_of(&page);
    let mut form = filled("unmarried", "1990123456");
    // Without the CSRF token: refused.
    let (status, _, _) = call_text(
        &f.router,
        multipart_post("/apply/unmarried", multipart(&form, &[]), Some(&cookie)),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    form.push(("csrf".into(), csrf.clone()));
    // Without the centre's name: the field's error.
    let (status, _, page) = call_text(
        &f.router,
        multipart_post("/apply/unmarried", multipart(&form, &[]), Some(&cookie)),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("aria-invalid=\"true\"") && page.contains("ডিজিটাল সেন্টারের নাম"));
    assert!(all(&f).is_empty());
    form.push(("centre".into(), "সাভার পৌর ডিজিটাল সেন্টার".into()));
    let (status, headers, page) = call_text(
        &f.router,
        multipart_post("/apply/unmarried", multipart(&form, &[]), Some(&cookie)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let a = &all(&f)[0];
    let e = a.entered_by.as_ref().expect("entered by");
    assert_eq!(
        (e.account.as_str(), e.place.as_str()),
        ("karim", "সাভার পৌর ডিজিটাল সেন্টার")
    );
    assert_eq!(a.history[0].by, "karim");
    // The centre is remembered for the next form.
    let set_cookie = headers[header::SET_COOKIE].to_str().unwrap();
    let centre = set_cookie.split(';').next().unwrap();
    let req = Request::get("/apply/income")
        .header(header::COOKIE, format!("{cookie}; {centre}"))
        .body(Body::empty())
        .unwrap();
    let (_, _, page) = call_text(&f.router, req).await;
    assert!(page.contains("value=\"সাভার পৌর ডিজিটাল সেন্টার\""));
    // The audit log says who, without personal data.
    let audit = f.state.ledger().audit_entries(0, 100).unwrap();
    let entry = audit
        .iter()
        .find(|e| e.action == "application.submit")
        .expect("audited");
    assert_eq!(entry.actor, "karim");
    let text = format!("{entry:?}");
    assert!(
        !text.contains("1990123456") && !text.contains("01711223344"),
        "{text}"
    );
}

/// An official sends application `id` back with `note` (as the review pages do).
fn send_back(f: &Fixture, id: u64, note: &str) {
    let o = f
        .state
        .ledger()
        .change_application(Some(id), "selina", None, |old, _| {
            let mut a: Application = old.ok_or("gone")?;
            a.status = Status::SentBack;
            a.record(HistoryEntry {
                at: now(),
                by: "selina".into(),
                action: Action::SendBack,
                note: note.into(),
                fields: None,
            });
            Ok::<_, &str>(ApplicationChange {
                application: a,
                action: "application.send_back",
                detail: String::new(),
                sms: None,
                issue: None,
                documents: vec![],
            })
        })
        .expect("send back");
    f.state
        .ledger()
        .application_durable_blocking(&o)
        .expect("durable");
}

#[tokio::test]
async fn an_application_sent_back_is_corrected_and_resubmitted_keeping_both_versions() {
    let f = fixture();
    let mut form = filled("married", "1990123456");
    set(&mut form, "spouse", "ভুল নাম");
    let (status, _, page) = call_text(
        &f.router,
        multipart_post(
            "/apply/married",
            multipart(&form, &[("m.pdf", b"%PDF-1.4 x")]),
            None,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    // Not sent back yet: it cannot be edited.
    let proof = |p: &str| multipart(&pairs(&[("proof", p)]), &[]);
    let (status, _, _) = call_text(
        &f.router,
        multipart_post("/apply/A-1/edit", proof("01711223344"), None),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    send_back(&f, 1, "স্বামী/স্ত্রীর নাম ঠিক করুন");
    let (status, _, page) = call_text(&f.router, get("/apply/A-1/edit")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("name=\"proof\""));
    // Another mobile number: the same answer as an unknown number.
    let (status, _, wrong) = call_text(
        &f.router,
        multipart_post("/apply/A-1/edit", proof("01811111111"), None),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, unknown) = call_text(
        &f.router,
        multipart_post("/apply/A-9/edit", proof("01711223344"), None),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        wrong.replace("A-1", "A-9").replace("A-১", "A-৯"),
        unknown,
        "nothing tells whether the number exists"
    );
    // The right one (typed in Bangla digits): the form filled in, with the note.
    let (status, _, page) = call_text(
        &f.router,
        multipart_post("/apply/A-1/edit", proof("০১৭১১২২৩৩৪৪"), None),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("স্বামী/স্ত্রীর নাম ঠিক করুন"));
    assert!(page.contains("value=\"ভুল নাম\"") && page.contains("value=\"1990123456\""));
    assert!(
        page.contains("m.pdf"),
        "the documents given before are listed"
    );
    // A bad correction: the error, the application unchanged.
    let mut fixed = form.clone();
    fixed.push(("proof".into(), "01711223344".into()));
    set(&mut fixed, "spouse", "");
    let (status, _, _) = call_text(
        &f.router,
        multipart_post("/apply/A-1/edit", multipart(&fixed, &[]), None),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        f.state.ledger().application(1).unwrap().unwrap().status,
        Status::SentBack
    );
    // The correction.
    set(&mut fixed, "spouse", "সালমা খাতুন");
    let (status, _, page) = call_text(
        &f.router,
        multipart_post(
            "/apply/A-1/edit",
            multipart(&fixed, &[("n.png", &png())]),
            None,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("A-1"));
    let a = f.state.ledger().application(1).unwrap().unwrap();
    assert_eq!(a.status, Status::Submitted);
    assert_eq!(a.fields["spouse"], "সালমা খাতুন");
    let actions: Vec<Action> = a.history.iter().map(|h| h.action).collect();
    assert_eq!(
        actions,
        [Action::Submit, Action::SendBack, Action::Resubmit]
    );
    assert_eq!(a.history[0].fields.as_ref().unwrap()["spouse"], "ভুল নাম");
    assert_eq!(a.history[2].fields.as_ref().unwrap()["spouse"], "সালমা খাতুন");
    assert_eq!(a.documents.len(), 2);
    assert_eq!(a.documents[1].index, 1);
    assert_eq!(a.documents[1].content_type, "image/png");
    assert_eq!(f.state.ledger().document(1, 1).unwrap().unwrap(), png());
    // It is in review again: editing is closed.
    let (status, _, _) = call_text(
        &f.router,
        multipart_post("/apply/A-1/edit", multipart(&fixed, &[]), None),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

fn status_post(tracking: &str, mobile: &str) -> Request<Body> {
    let body = format!("tracking={tracking}&mobile={mobile}");
    common::form_request("/status", None, body, None)
}

#[tokio::test]
async fn the_status_lookup_needs_the_mobile_number_and_says_nothing_more() {
    let f = fixture();
    let (status, _, _) = call_text(
        &f.router,
        multipart_post(
            "/apply/disability",
            multipart(&filled("disability", "1990123456"), &[]),
            None,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, page) = call_text(&f.router, get("/status")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("name=\"tracking\"") && page.contains("method=\"post\""));
    let (status, _, page) = call_text(&f.router, status_post("A-1", "01711223344")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("প্রতিবন্ধী সনদ") && page.contains("state submitted"));
    assert!(!page.contains("1990123456"), "no NID");
    assert!(!page.contains("documents/"), "no documents");
    // A wrong mobile and an unknown number get the same answer.
    let (s1, _, wrong) = call_text(&f.router, status_post("A-1", "01811111111")).await;
    let (s2, _, unknown) = call_text(&f.router, status_post("A-2", "01811111111")).await;
    let (s3, _, garbage) = call_text(&f.router, status_post("xyz", "01811111111")).await;
    assert_eq!(
        (s1, s2, s3),
        (
            StatusCode::NOT_FOUND,
            StatusCode::NOT_FOUND,
            StatusCode::NOT_FOUND
        )
    );
    let strip = |p: &str, t: &str| p.replace(&format!("value=\"{t}\""), "");
    assert_eq!(strip(&wrong, "A-1"), strip(&unknown, "A-2"));
    assert_eq!(strip(&wrong, "A-1"), strip(&garbage, "xyz"));
    // The API answers the same way.
    let (status, _, body) = call_text(
        &f.router,
        get("/api/v1/applications/status?tracking=A-1&mobile=%E0%A7%A6%E0%A7%A7%E0%A7%AD%E0%A7%A7%E0%A7%A7%E0%A7%A8%E0%A7%A8%E0%A7%A9%E0%A7%A9%E0%A7%AA%E0%A7%AA"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["status"], "submitted");
    assert_eq!(v["history"][0]["action"], "submit");
    assert!(v.get("fields").is_none() && !body.contains("1990123456"));
    let (status, _, _) = call_text(
        &f.router,
        get("/api/v1/applications/status?tracking=A-1&mobile=01811111111"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Tries on one tracking number are throttled (growing waits).
    let mut last = StatusCode::OK;
    for _ in 0..6 {
        last = call_text(&f.router, status_post("A-1", "01911111111"))
            .await
            .0;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn the_json_api_applies_with_documents_and_names_each_bad_field() {
    use base64::Engine;
    let f = fixture();
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let body = json!({
        "type": "warish",
        "nid": "1990123456",
        "name": "রহিম উদ্দিন", "name_en": "Rahim Uddin",
        "deceased": "আব্দুল করিম", "death_date": "2025-01-02",
        "heirs": [{"name": "রহিম", "relation": "পুত্র", "age": 40}, {"name": "করিমা", "relation": "কন্যা"}],
        "village": "বাজার পাড়া", "ward": 3, "post_office": "সাভার", "upazila": "সাভার", "district": "ঢাকা",
        "mobile": "01711223344",
        "documents": [{"name": "death.pdf", "content_base64": b64(b"%PDF-1.5 death")}],
    });
    let (status, _, answer) =
        call_text(&f.router, api_post("/api/v1/applications", None, &body)).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let v: Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(
        (v["tracking"].as_str(), v["tracking_bn"].as_str()),
        (Some("A-1"), Some("A-১"))
    );
    assert_eq!(v["documents"][0]["content_type"], "application/pdf");
    // The repeat.
    let (status, _, answer) =
        call_text(&f.router, api_post("/api/v1/applications", None, &body)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        serde_json::from_str::<Value>(&answer).unwrap()["open_tracking"],
        "A-1"
    );
    // Bad fields: problem+json with each one named, in both languages.
    let mut bad = body.clone();
    bad["nid"] = json!("123");
    bad["mobile"] = json!("99");
    bad["heirs"][1]["relation"] = json!("");
    bad["documents"] = json!([{"name": "x.exe", "content_base64": b64(b"MZ\x90\0")}]);
    let (status, headers, answer) =
        call_text(&f.router, api_post("/api/v1/applications", None, &bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
    let v: Value = serde_json::from_str(&answer).unwrap();
    let fields: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["nid", "heirs.1.relation", "mobile", "documents"],
        "{answer}"
    );
    assert!(v["errors"][0]["bn"].as_str().unwrap().contains("১০"));
    assert!(v["errors"][0]["en"].as_str().unwrap().contains("10"));
    // Not JSON; an unknown type.
    let req = Request::post("/api/v1/applications")
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("x"))
        .unwrap();
    assert_eq!(
        call_text(&f.router, req).await.0,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    let (status, _, answer) = call_text(
        &f.router,
        api_post("/api/v1/applications", None, &json!({"type": "visa"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.contains("\"field\":\"type\""));
    assert_eq!(all(&f).len(), 1);
    // An operator's token: the centre is required and recorded.
    let mut op = body.clone();
    op["type"] = json!("succession");
    let (status, _, answer) = call_text(
        &f.router,
        api_post("/api/v1/applications", Some(&f.operator), &op),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.contains("\"field\":\"centre\""));
    op["centre"] = json!("আশুলিয়া ইউনিয়ন ডিজিটাল সেন্টার");
    let (status, _, answer) = call_text(
        &f.router,
        api_post("/api/v1/applications", Some(&f.operator), &op),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let v: Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(v["entered_by"]["account"], "karim");
    // Resubmitting through the API after a send-back.
    send_back(&f, 1, "ওয়ারিশের বয়স দিন");
    let mut fixed = body.clone();
    fixed["heirs"][1]["age"] = json!("৩৫");
    fixed["mobile_proof"] = json!("01811111111");
    let (status, _, _) = call_text(
        &f.router,
        api_post("/api/v1/applications/A-1/resubmit", None, &fixed),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    fixed["mobile_proof"] = json!("01711223344");
    let (status, _, answer) = call_text(
        &f.router,
        api_post("/api/v1/applications/A-1/resubmit", None, &fixed),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let a = f.state.ledger().application(1).unwrap().unwrap();
    assert_eq!(a.status, Status::Submitted);
    assert_eq!(a.fields["heirs"][1]["age"], 35);
}

/// 32 submissions of the same person and type at once: one is stored, the others point to it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn repeats_sent_at_once_store_one_application() {
    let f = fixture();
    let body = json!({
        "type": "landless", "nid": "19901234567890123",
        "name": "রহিম উদ্দিন", "name_en": "Rahim Uddin", "father": "করিম উদ্দিন", "mother": "রোকেয়া বেগম",
        "village": "বাজার পাড়া", "ward": "৩", "post_office": "সাভার", "upazila": "সাভার", "district": "ঢাকা",
        "mobile": "01711223344",
    });
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let router = f.router.clone();
            let body = body.clone();
            tokio::spawn(async move {
                call_text(&router, api_post("/api/v1/applications", None, &body))
                    .await
                    .0
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.expect("task"));
    }
    statuses.sort();
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let conflicts = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((created, conflicts), (1, 31), "{statuses:?}");
    assert_eq!(all(&f).len(), 1);
}
