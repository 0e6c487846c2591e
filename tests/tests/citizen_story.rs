//! A citizen's certificate as they live with it, in headless Chromium against both services
//! started as their binaries: the citizen applies through the form, the SMS with the tracking
//! number arrives (the development SMS file), the chairman approves, the "issued" SMS
//! arrives; the citizen signs in with the one-time code, sees the application and downloads
//! the PDF; the PDF is rasterised, its QR code read and verified `valid` by
//! `sonod-verifier`; the office revokes it, and the citizen's page and the verifier both say
//! revoked. Then the office's key is stolen: the authority marks it compromised with a pin,
//! the office re-seals while running, the holder of the other certificate on the same phone
//! gets the SMS, sees it on their page, and the new print verifies valid while the paper in
//! hand stays genuine.
//!
//! `SONOD_SCREENSHOT_DIR=<dir>` keeps the pages at a phone's width for a person to look at.

mod common;

use common::*;
use serde_json::{json, Value};

const MOBILE: &str = "01712345678";

fn record(name: &str, mobile: &str) -> Value {
    let mut v: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace().join("seal/tests/data/benchmark-record.json"))
            .expect("record"),
    )
    .expect("json");
    let today = sonod_keys::today_dhaka();
    v["issued"] = json!(sonod_keys::format_date(today));
    v["expires"] = json!(sonod_keys::format_date(today + time::Duration::days(365)));
    v["fields"]["name"] = json!(name);
    v["fields"]["mobile"] = json!(mobile);
    v
}

/// Signs `mobile` in on the citizen's page with the code the SMS brought.
fn sign_in(sonod: &Sonod, tab: &headless_chrome::Tab, mobile: &str) {
    let codes_before = sonod
        .sms_to(mobile)
        .iter()
        .filter(|m| m["kind"] == "code")
        .count();
    open(tab, &format!("{}/citizen", sonod.issuer.url));
    screenshot(tab, "citizen-signin-390");
    type_into(tab, "input[name=mobile]", mobile);
    press(tab, "form[action='/citizen/code'] button");
    screenshot(tab, "citizen-code-390");
    let sms = sonod.wait_for_sms(mobile, "code", codes_before);
    assert!(
        sonod_issuer::sms::utf16_len(&sms) <= 134,
        "the code SMS fits two Unicode parts: {sms}"
    );
    type_into(tab, "input[name=code]", &code_in(&sms));
    press(tab, "form[action='/citizen/verify'] button");
}

/// The citizenship form as a citizen fills it in (Bangla digits where digits go).
const CITIZENSHIP: [(&str, &str); 11] = [
    ("nid", "১৯৯০১২৩৪৫৬"),
    ("name", "রহিমা খাতুন"),
    ("name_en", "Rahima Khatun"),
    ("father", "করিম উদ্দিন"),
    ("mother", "রোকেয়া বেগম"),
    ("ward", "5"),
    ("village", "পূর্বপাড়া"),
    ("post_office", "সাভার"),
    ("upazila", "সাভার"),
    ("district", "ঢাকা"),
    ("mobile", "০১৭১২৩৪৫৬৭৮"),
];

#[test]
fn applied_approved_signed_in_downloaded_scanned_valid_then_revoked() {
    let sonod = Sonod::start();
    let browser = browser(390);
    let tab = tab(&browser, 390);

    // The citizen applies.
    open(&tab, &format!("{}/apply/citizenship", sonod.issuer.url));
    screenshot(&tab, "citizen-apply-390");
    fill(&tab, &CITIZENSHIP);
    press(&tab, "main form > button:last-of-type");
    let done = text(&tab);
    assert!(done.contains("A-1"), "the tracking number is shown: {done}");
    screenshot(&tab, "citizen-applied-390");
    let received = sonod.wait_for_sms(MOBILE, "received", 0);
    assert!(received.contains("A-১"), "{received}");
    assert!(sonod_issuer::sms::utf16_len(&received) <= 134, "{received}");

    // The chairman approves it (the development account): the certificate is issued.
    let approved = sonod.api("POST", "/api/v1/applications/1/approve", None);
    assert_eq!(approved["status"], "approved", "{approved}");
    let serial = approved["serial"]
        .as_u64()
        .or_else(|| approved["certificate"]["serial"].as_u64())
        .expect("the certificate's serial");
    let number_bn =
        sonod_seal::CertificateNumber::new(&"100524".parse().expect("office"), serial).bn();
    let issued_sms = sonod.wait_for_sms(MOBILE, "issued", 0);
    assert!(issued_sms.contains(&number_bn), "{issued_sms}");

    sign_in(&sonod, &tab, MOBILE);
    let page = text(&tab);
    assert!(
        page.contains(&number_bn),
        "the certificate is listed: {page}"
    );
    assert!(page.contains("বৈধ"), "{page}");
    assert!(page.contains("A-১"), "and the application: {page}");
    screenshot(&tab, "citizen-page-390");

    // The PDF, downloaded with the browser's session as its link gives it.
    let qr = printed_qr(&sonod, &tab, serial);
    let v = sonod.verdict(&qr, "valid");
    assert_eq!(v["verdict"], "valid", "{v}");
    assert_eq!(v["certificate"]["serial"], serial, "{v}");

    // The same family phone holds a second certificate, issued at the counter.
    let second = sonod.api(
        "POST",
        "/api/v1/certificates",
        Some(&record("রহিমা খাতুন", MOBILE)),
    );
    let second_serial = second["serial"].as_u64().expect("serial");
    let second_qr = second["qr_text"].as_str().expect("qr").to_owned();
    let stolen = second["key_id"].as_str().expect("key id").to_owned();

    // Someone else's serial is not there for this citizen.
    let other = sonod.api(
        "POST",
        "/api/v1/certificates",
        Some(&record("করিম মিয়া", "01898765432")),
    );
    let theirs = ureq::get(&format!(
        "{}/citizen/certificates/{}/pdf",
        sonod.issuer.url, other["serial"]
    ))
    .set("Cookie", &cookie_header(&tab))
    .call();
    assert!(
        matches!(theirs, Err(ureq::Error::Status(404, _))),
        "another number's certificate is refused"
    );

    // Revoked by the office: the citizen's page and the verifier both say so.
    sonod.api(
        "POST",
        &format!("/api/v1/certificates/{serial}/revoke"),
        Some(&json!({"reason": "issued_in_error"})),
    );
    let revoked_sms = sonod.wait_for_sms(MOBILE, "revoked", 0);
    assert!(revoked_sms.contains(&number_bn), "{revoked_sms}");
    open(&tab, &format!("{}/citizen", sonod.issuer.url));
    let page = text(&tab);
    assert!(page.contains("বাতিল"), "the page says revoked: {page}");
    screenshot(&tab, "citizen-page-revoked-390");
    let v = sonod.verdict(&qr, "revoked");
    assert_eq!(v["verdict"], "revoked", "{v}");

    // The office's key is stolen. The authority reads the pin from the verifier, gives the
    // office a new key and marks the old one compromised; the office reloads and re-seals.
    let v = sonod.verdict(&second_qr, "valid");
    assert_eq!(
        v["verdict"], "valid",
        "the verifier has the second certificate: {v}"
    );
    let listing: Value = serde_json::from_str(
        &ureq::get(&format!("{}/api/v1/offices", sonod.verifier.url))
            .call()
            .expect("offices")
            .into_string()
            .expect("body"),
    )
    .expect("json");
    let office = &listing["offices"][0];
    let pin = sonod_keys::FeedPin::new(
        office["position"].as_u64().expect("position"),
        office["chain"].as_str().expect("chain"),
    )
    .expect("pin");
    let keys = sonod.dir.path().join("keys");
    let new_key = sonod_keys::SecretKey::generate();
    let old: sonod_keys::KeyId = stolen.parse().expect("key id");
    let mut draft = sonod_keys::TrustListDraft::read(keys.join("trust.json")).expect("draft");
    let today = sonod_keys::today_dhaka();
    draft
        .rotate(
            old,
            new_key.verifying_key(),
            today,
            today + time::Duration::days(365),
            today,
        )
        .expect("rotate");
    draft
        .compromise(old, time::OffsetDateTime::now_utc(), Some(pin))
        .expect("compromise");
    let root = sonod_keys::read_secret_key(keys.join("root.key.pem"), || {
        Ok(sonod_keys::Passphrase::new(String::new()))
    })
    .expect("root key");
    draft.sign(&root, None).expect("sign");
    draft
        .write(keys.join("trust.json"))
        .expect("write trust list");
    std::fs::remove_file(keys.join("office.key.pem")).expect("old key");
    sonod_keys::write_secret_key(keys.join("office.key.pem"), &new_key, None).expect("new key");
    let admin = sonod.admin_token.clone();
    sonod.api_as(&admin, "POST", "/api/v1/admin/reload-key", Some(&json!({})));
    let done = sonod.api_as(
        &admin,
        "POST",
        "/api/v1/admin/reseal",
        Some(&json!({"compromised": stolen})),
    );
    assert_eq!(
        done["resealed"], 2,
        "the unrevoked two (the other number's too): {done}"
    );

    // The holder is told, and their page says so; the new print verifies valid, and the
    // paper they already hold stays genuine.
    let told = sonod.wait_for_sms(MOBILE, "resealed", 0);
    let second_bn =
        sonod_seal::CertificateNumber::new(&"100524".parse().expect("office"), second_serial).bn();
    assert!(told.contains(&second_bn), "{told}");
    assert!(sonod_issuer::sms::utf16_len(&told) <= 134, "{told}");
    open(&tab, &format!("{}/citizen", sonod.issuer.url));
    let page = text(&tab);
    assert!(page.contains("নতুন সিলে"), "the page says re-sealed: {page}");
    screenshot(&tab, "citizen-page-resealed-390");
    let new_qr = printed_qr(&sonod, &tab, second_serial);
    assert_ne!(new_qr, second_qr, "the new print carries the new seal");
    let v = sonod.verdict(&new_qr, "valid");
    assert_eq!(v["verdict"], "valid", "the re-sealed copy: {v}");
    let v = sonod.verdict_with(&second_qr, "valid", "valid_before_compromise");
    assert!(
        v.to_string().contains("valid_before_compromise"),
        "the paper in hand stays genuine: {v}"
    );
}

/// The QR code on certificate `serial`'s PDF as the citizen downloads it (the page's link,
/// the browser's session), rasterised as a printer would.
fn printed_qr(sonod: &Sonod, tab: &headless_chrome::Tab, serial: u64) -> String {
    let href = format!("/citizen/certificates/{serial}/pdf");
    tab.wait_for_element(&format!("a[href='{href}']"))
        .expect("the PDF link on the page");
    qr_on_pdf(&download(sonod, tab, &href))
}
