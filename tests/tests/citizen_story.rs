//! A citizen's certificate as they live with it, in headless Chromium against both services
//! started as their binaries: the citizen applies through the form, the SMS with the tracking
//! number arrives (the development SMS file), the chairman approves, the "issued" SMS
//! arrives; the citizen signs in with the one-time code, sees the application and downloads
//! the PDF; the PDF is rasterised, its QR code read and verified `valid` by
//! `sonod-verifier`; the office revokes it, and the citizen's page and the verifier both say
//! revoked.
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
    let href = tab
        .wait_for_element("a[href$='/pdf']")
        .expect("PDF link")
        .get_attribute_value("href")
        .expect("href")
        .expect("href");
    let pdf = ureq::get(&format!("{}{href}", sonod.issuer.url))
        .set("Cookie", &cookie_header(&tab))
        .call()
        .expect("PDF");
    assert_eq!(pdf.content_type(), "application/pdf");
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut pdf.into_reader(), &mut bytes).expect("PDF bytes");
    let page_image = rasterise(&bytes);
    let mut png = Vec::new();
    page_image
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("png");
    let codes = sonod_scan::decode_image_bytes(&png, &sonod_scan::Limits::default())
        .expect("the printed page reads");
    assert_eq!(codes.len(), 1, "one QR code on the certificate");
    let v = sonod.verdict(&codes[0], "valid");
    assert_eq!(v["verdict"], "valid", "{v}");
    assert_eq!(v["certificate"]["serial"], serial, "{v}");

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
    let v = sonod.verdict(&codes[0], "revoked");
    assert_eq!(v["verdict"], "revoked", "{v}");
}
