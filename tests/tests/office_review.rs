//! The officials' side of the office's day (issue #13, item 8), in headless Chromium against
//! both services started as their binaries, each official in a window of their own, typing
//! and pressing buttons as people do and reading what the pages say:
//!
//! - signing in with password and TOTP code (enrolment on the first sign-in; a wrong code
//!   refused);
//! - a type that needs two approvals, approved by the ward's councillor and then the mayor;
//! - rejecting with a reason; sending back with a note, the citizen's correction and the
//!   approval after it; revoking from the certificate's page;
//! - the hourly rate hold;
//! - bad input at the officials' forms (blank reason or note, a revocation without a reason
//!   or confirmation, a stale form, a councillor whose ward was moved).
//!
//! Each issued certificate ends as a PDF printed from the officials' pages, rasterised, its
//! QR code read and judged by `sonod-verifier` (`valid`, or `revoked`). What is stored is
//! checked through the API after every refusal.
//!
//! `SONOD_SCREENSHOT_DIR=<dir>` keeps each officials' page at 390 and 1280 px.

mod common;

use common::officials::*;
use common::*;
use std::sync::Arc;

use headless_chrome::Tab;

/// The office's officials, made with the CLI before the service starts.
const ACCOUNTS: [NewAccount<'static>; 4] = [
    NewAccount {
        name: "rina",
        display_name: "রিনা আক্তার",
        role: "councillor",
        wards: "5",
    },
    NewAccount {
        name: "salam",
        display_name: "আবদুস সালাম",
        role: "councillor",
        wards: "3,5",
    },
    NewAccount {
        name: "mayor",
        display_name: "মোঃ হাবিবুর রহমান",
        role: "chairman",
        wards: "",
    },
    NewAccount {
        name: "office",
        display_name: "অফিস প্রশাসক",
        role: "admin",
        wards: "",
    },
];

const MOBILE: &str = "01712345678";

/// Rahima's citizenship application as she types it (Bangla digits where digits go).
fn rahima() -> Vec<(String, String)> {
    citizenship("১৯৯০১২৩৪৫৬", "রহিমা খাতুন", "Rahima Khatun", "০১৭১২৩৪৫৬৭৮")
}

/// The office, with its admin signed in (their window) and office hours set to the whole
/// day through the settings page (the tests run at any hour; an approval outside office
/// hours is held), and `settings` besides.
fn office(
    browser: &headless_chrome::Browser,
    settings: &[(&str, &str)],
    shots_as: Option<&str>,
) -> (Sonod, Arc<Tab>) {
    let sonod = Sonod::start_with(&ACCOUNTS);
    let admin = official(&sonod, browser, "office");
    let mut values = ALL_DAY.to_vec();
    values.extend_from_slice(settings);
    save_settings(&sonod, &admin, &values, shots_as);
    (sonod, admin)
}

/// The number printed on certificate `serial`, in Bangla digits.
fn number_bn(serial: u64) -> String {
    sonod_seal::CertificateNumber::new(&"100524".parse().expect("office"), serial).bn()
}

fn assert_has(page: &str, words: &[&str]) {
    for w in words {
        assert!(page.contains(w), "{w:?} is on the page: {page}");
    }
}

/// Whether the page has an element `selector` now (no waiting).
fn has(tab: &Tab, selector: &str) -> bool {
    tab.find_element(selector).is_ok()
}

#[test]
fn an_official_signs_in_with_password_and_totp_code_and_a_wrong_code_is_refused() {
    let sonod = Sonod::start_with(&ACCOUNTS);
    let browser = browser(390);
    let tab = window(&browser);

    open(&tab, &format!("{}/login", sonod.issuer.url));
    shots(&tab, "login");
    // A wrong password: the form again, saying so in both languages.
    password_step(&sonod, &tab, "rina", "not her password");
    assert_eq!(path_of(&tab), "/login");
    assert_has(&text(&tab), &["ভুল", "wrong"]);
    shots(&tab, "login-wrong-password");

    // The first sign-in leads to enrolling the second factor; the app's first code turns it
    // on, the recovery codes are shown once, then the dashboard.
    let secret = enrol(&sonod, &tab, "rina", Some("first-sign-in"));
    open(&tab, &format!("{}/review", sonod.issuer.url));
    assert_has(&text(&tab), &["আবেদন যাচাই", "Review"]);
    go(&tab, "form[action='/logout'] button");
    assert_eq!(path_of(&tab), "/login");

    // A later sign-in: the password alone opens only the code page.
    password_step(&sonod, &tab, "rina", PASSWORD);
    assert_eq!(path_of(&tab), "/login/code", "{}", text(&tab));
    assert_has(&text(&tab), &["দ্বিতীয় ধাপ: কোড", "Second step: code"]);
    shots(&tab, "login-code");
    open(&tab, &format!("{}/review", sonod.issuer.url));
    assert!(
        !text(&tab).contains("আবেদন যাচাই"),
        "no page opens before the code: {}",
        text(&tab)
    );
    open(&tab, &format!("{}/login/code", sonod.issuer.url));

    // A wrong code (none the app shows around now): refused with a clear message.
    let now = unix_now();
    let shown: Vec<String> = [-60, -30, 0, 30, 60]
        .iter()
        .map(|d| totp_code(&secret, now + d))
        .collect();
    let wrong = ["000000", "111111", "222222"]
        .into_iter()
        .find(|c| !shown.iter().any(|s| s == c))
        .expect("a wrong code");
    type_in(&tab, "input[name=code]", wrong);
    go(&tab, "form[action='/login/code'] button");
    assert_eq!(path_of(&tab), "/login/code");
    assert_has(
        &text(&tab),
        &["কোডটি ভুল বা আগেই ব্যবহৃত", "wrong or already used code"],
    );
    shots(&tab, "login-code-wrong");
    open(&tab, &format!("{}/review", sonod.issuer.url));
    assert!(!text(&tab).contains("আবেদন যাচাই"), "still not signed in");
    open(&tab, &format!("{}/login/code", sonod.issuer.url));

    // The app's next code (the enrolment used this step's): in.
    type_in(
        &tab,
        "input[name=code]",
        &totp_code(&secret, unix_now() + 30),
    );
    go(&tab, "form[action='/login/code'] button");
    assert_eq!(path_of(&tab), "/");
    assert_has(&text(&tab), &["আজকের কাজ", "Today's work", "rina"]);
    open(&tab, &format!("{}/review", sonod.issuer.url));
    assert_has(&text(&tab), &["আবেদন যাচাই", "Review"]);
}

#[test]
fn the_ward_councillor_then_the_mayor_approve_and_the_printed_certificate_verifies_valid() {
    let browser = browser(390);
    // The office wants two approvals for citizenship certificates.
    let (sonod, _admin) = office(
        &browser,
        &[("citizenship_approvals", "2")],
        Some("settings-saved"),
    );
    let citizen = window(&browser);
    let id = apply(&sonod, &citizen, &rahima());

    // The ward's councillor finds it in the queue and approves first.
    let rina = official(&sonod, &browser, "rina");
    open(&rina, &format!("{}/review", sonod.issuer.url));
    let queue = text(&rina);
    assert_has(&queue, &[&format!("A-{id}"), "রহিমা খাতুন", "নাগরিকত্ব"]);
    shots(&rina, "review-queue");
    go(&rina, &format!("a[href='/applications/{id}']"));
    assert_has(
        &text(&rina),
        &["রহিমা খাতুন", "করিম উদ্দিন", "waiting for review"],
    );
    shots(&rina, "application");
    let page = decide(&rina, id, "approve");
    assert_has(
        &page,
        &[
            "Approved: now waiting for the second approval.",
            "first approval",
        ],
    );
    shots(&rina, "application-first-approval");
    // Nothing is issued yet; she cannot approve it a second time.
    let a = application(&sonod, id);
    assert_eq!(a["status"], "awaiting_second", "{a}");
    assert!(a["certificate"].is_null(), "{a}");
    assert_eq!(issued_count(&sonod), 0);
    assert!(!has(
        &rina,
        &format!("form[action='/applications/{id}/approve']")
    ));

    // The mayor sees it among all wards' applications and approves: issued.
    let mayor = official(&sonod, &browser, "mayor");
    open(&mayor, &format!("{}/review", sonod.issuer.url));
    assert_has(
        &text(&mayor),
        &[&format!("A-{id}"), "waiting for the second approval"],
    );
    go(&mayor, &format!("a[href='/applications/{id}']"));
    let page = decide(&mayor, id, "approve");
    assert_has(
        &page,
        &[
            "Approved: the certificate is issued.",
            "approved and issued",
        ],
    );
    shots(&mayor, "application-issued");
    let serial = serial_of(&sonod, id);
    assert_eq!(issued_count(&sonod), 1);
    assert_has(&page, &[&number_bn(serial)]);
    let a = application(&sonod, id);
    let approvers: Vec<&str> = a["approvals"]
        .as_array()
        .expect("approvals")
        .iter()
        .filter_map(|p| p["by"].as_str())
        .collect();
    assert_eq!(approvers, ["rina", "mayor"], "{a}");
    let sms = sonod.wait_for_sms(MOBILE, "issued", 0);
    assert!(sms.contains(&number_bn(serial)), "{sms}");

    // Printed from the officials' pages, scanned: valid.
    go(&mayor, &format!("a[href='/certificates/{serial}/print']"));
    let qr = printed_qr(&sonod, &mayor, serial, Some("print"));
    let v = sonod.verdict(&qr, "valid");
    assert_eq!(v["verdict"], "valid", "{v}");
    assert_eq!(v["certificate"]["serial"], serial, "{v}");
}

#[test]
fn a_rejection_with_its_reason_reaches_the_citizen_and_nothing_is_issued() {
    let browser = browser(390);
    let sonod = Sonod::start_with(&ACCOUNTS);
    let citizen = window(&browser);
    let id = apply(&sonod, &citizen, &rahima());

    let rina = official(&sonod, &browser, "rina");
    open_application(&sonod, &rina, id);
    let reason = "জাতীয় পরিচয়পত্রের নম্বর জন্ম নিবন্ধনের সাথে মেলেনি";
    type_in(&rina, "textarea[name=reason]", reason);
    let page = decide(&rina, id, "reject");
    assert_has(
        &page,
        &[
            "Rejected; the applicant gets the reason by SMS.",
            "নামঞ্জুর",
            reason,
        ],
    );
    assert!(
        !has(&rina, &format!("form[action='/applications/{id}/approve']")),
        "a rejected application has no decisions left"
    );
    shots(&rina, "application-rejected");

    let a = application(&sonod, id);
    assert_eq!(a["status"], "rejected", "{a}");
    assert!(a["certificate"].is_null(), "{a}");
    assert_eq!(issued_count(&sonod), 0, "nothing is issued");
    let sms = sonod.wait_for_sms(MOBILE, "rejected", 0);
    assert!(sms.contains(reason) && sms.contains("A-১"), "{sms}");
    assert!(
        sonod.sms_to(MOBILE).iter().all(|m| m["kind"] != "issued"),
        "no issued SMS"
    );

    // The citizen's status page says so, with the reason.
    open(&citizen, &format!("{}/status", sonod.issuer.url));
    type_in(&citizen, "#f-tracking", &format!("A-{id}"));
    type_in(&citizen, "#f-mobile", MOBILE);
    go(&citizen, "form[action='/status'] button");
    assert_has(&text(&citizen), &["নামঞ্জুর", "Rejected", reason]);
    shots(&citizen, "status-rejected");
}

#[test]
fn sent_back_corrected_by_the_citizen_resubmitted_approved_and_the_print_verifies_valid() {
    let browser = browser(390);
    let (sonod, _admin) = office(&browser, &[], None);
    let citizen = window(&browser);
    let id = apply(&sonod, &citizen, &rahima());

    let rina = official(&sonod, &browser, "rina");
    open_application(&sonod, &rina, id);
    let note = "পিতার নাম জাতীয় পরিচয়পত্রের মতো পুরো লিখুন";
    type_in(&rina, "textarea[name=note]", note);
    let page = decide(&rina, id, "send-back");
    assert_has(
        &page,
        &[
            "Sent back for correction; the applicant is told by SMS.",
            note,
        ],
    );
    shots(&rina, "application-sent-back");
    assert_eq!(application(&sonod, id)["status"], "sent_back");
    let sms = sonod.wait_for_sms(MOBILE, "sent_back", 0);
    assert!(sms.contains(note), "{sms}");

    // The citizen looks it up on the status page the SMS points to, opens the correction
    // and resubmits with the father's full name.
    open(&citizen, &format!("{}/status", sonod.issuer.url));
    type_in(&citizen, "#f-tracking", &format!("A-{id}"));
    type_in(&citizen, "#f-mobile", MOBILE);
    go(&citizen, "form[action='/status'] button");
    assert_has(&text(&citizen), &[note]);
    go(
        &citizen,
        &format!("form[action='/apply/A-{id}/edit'] button"),
    );
    let form = text(&citizen);
    assert_has(&form, &[note]);
    fill(&citizen, &[("father", "মোঃ করিম উদ্দিন সরকার")]);
    go(&citizen, "main form > button:last-of-type");
    assert_eq!(tracking_on(&text(&citizen)), id, "the same application");
    let a = application(&sonod, id);
    assert_eq!(a["status"], "submitted", "{a}");
    assert_eq!(a["fields"]["father"], "মোঃ করিম উদ্দিন সরকার", "{a}");

    // Back in the councillor's queue; the history keeps both; approved and issued.
    open(&rina, &format!("{}/review", sonod.issuer.url));
    assert_has(&text(&rina), &[&format!("A-{id}")]);
    open_application(&sonod, &rina, id);
    assert_has(
        &text(&rina),
        &[
            "sent back for correction",
            "corrected and resubmitted",
            "মোঃ করিম উদ্দিন সরকার",
        ],
    );
    shots(&rina, "application-resubmitted");
    let page = decide(&rina, id, "approve");
    assert_has(&page, &["Approved: the certificate is issued."]);
    let serial = serial_of(&sonod, id);
    let qr = printed_qr(&sonod, &rina, serial, None);
    let v = sonod.verdict(&qr, "valid");
    assert_eq!(v["verdict"], "valid", "{v}");
    assert_eq!(v["certificate"]["serial"], serial, "{v}");
}

#[test]
fn revoked_on_the_certificate_page_the_printed_qr_verifies_revoked() {
    let browser = browser(390);
    let (sonod, _admin) = office(&browser, &[], None);
    let citizen = window(&browser);
    let id = apply(&sonod, &citizen, &rahima());
    let rina = official(&sonod, &browser, "rina");
    open_application(&sonod, &rina, id);
    decide(&rina, id, "approve");
    let serial = serial_of(&sonod, id);
    let qr = printed_qr(&sonod, &rina, serial, None);
    let v = sonod.verdict(&qr, "valid");
    assert_eq!(v["verdict"], "valid", "before: {v}");

    // The certificates list finds it by the number printed on the paper.
    open(&rina, &format!("{}/certificates", sonod.issuer.url));
    shots(&rina, "certificates");
    type_in(&rina, "input[name=q]", &number_bn(serial));
    go(&rina, "form[action='/certificates'] button");
    assert_eq!(path_of(&rina), format!("/certificates/{serial}"));
    shots(&rina, "certificate");
    fill(&rina, &[("reason", "issued_in_error")]);
    type_in(&rina, "textarea[name=note]", "ভুল ওয়ার্ডের ঠিকানায় দেওয়া হয়েছিল");
    rina.wait_for_element("input[name=confirm]")
        .expect("the confirmation")
        .click()
        .expect("tick");
    go(
        &rina,
        &format!("form[action='/certificates/{serial}/revoke'] button"),
    );
    assert_has(
        &text(&rina),
        &[
            "সনদটি বাতিল করা হয়েছে।",
            "The certificate is revoked.",
            "ভুল ওয়ার্ডের ঠিকানায় দেওয়া হয়েছিল",
        ],
    );
    assert!(
        !has(
            &rina,
            &format!("form[action='/certificates/{serial}/revoke']")
        ),
        "revoked once"
    );
    shots(&rina, "certificate-revoked");
    let sms = sonod.wait_for_sms(MOBILE, "revoked", 0);
    assert!(sms.contains(&number_bn(serial)), "{sms}");

    // The paper already printed, scanned again: revoked. A reprint says so too.
    let v = sonod.verdict(&qr, "revoked");
    assert_eq!(v["verdict"], "revoked", "{v}");
    let again = printed_qr(&sonod, &rina, serial, Some("print-revoked"));
    assert_eq!(sonod.verdict(&again, "revoked")["verdict"], "revoked");
}

#[test]
fn over_the_hourly_limit_the_next_approval_is_held_and_nothing_is_issued_half_way() {
    let browser = browser(390);
    let (sonod, admin) = office(&browser, &[("approvals_per_hour", "1")], None);
    let citizen = window(&browser);
    let first = apply(&sonod, &citizen, &rahima());
    let second = apply(
        &sonod,
        &citizen,
        &citizenship("১৯৮৫৫৫৫১২৩৪৫৬", "করিম মিয়া", "Karim Mia", "০১৮৯৮৭৬৫৪৩২"),
    );
    assert_ne!(first, second);

    let rina = official(&sonod, &browser, "rina");
    open_application(&sonod, &rina, first);
    assert_has(
        &decide(&rina, first, "approve"),
        &["Approved: the certificate is issued."],
    );
    // The second in the hour is held: a page that says why, no certificate.
    open_application(&sonod, &rina, second);
    let page = decide(&rina, second, "approve");
    assert_has(
        &page,
        &[
            "Your approval is held: another official must approve.",
            "another official's approval issues it",
            "আটকে",
        ],
    );
    shots(&rina, "application-held");
    let a = application(&sonod, second);
    assert_eq!(a["status"], "awaiting_second", "{a}");
    assert_eq!(a["held"], true, "{a}");
    assert!(a["certificate"].is_null() && a["serial"].is_null(), "{a}");
    assert_eq!(issued_count(&sonod), 1, "only the first is issued");
    assert!(
        sonod
            .sms_to("01898765432")
            .iter()
            .all(|m| m["kind"] != "issued"),
        "no issued SMS for the held one"
    );
    open(&rina, &format!("{}/review", sonod.issuer.url));
    assert_has(&text(&rina), &[&format!("A-{second}"), "held"]);

    // The admin sees the alert.
    open(&admin, &format!("{}/settings", sonod.issuer.url));
    assert_has(
        &text(&admin),
        &[
            &format!("A-{second}"),
            "rina",
            "more approvals in an hour than the limit",
        ],
    );
    shots(&admin, "settings-alert");

    // Another official's approval issues it; printed, scanned: valid.
    let mayor = official(&sonod, &browser, "mayor");
    open_application(&sonod, &mayor, second);
    assert_has(
        &decide(&mayor, second, "approve"),
        &["Approved: the certificate is issued."],
    );
    let serial = serial_of(&sonod, second);
    assert_eq!(issued_count(&sonod), 2);
    let qr = printed_qr(&sonod, &mayor, serial, None);
    let v = sonod.verdict(&qr, "valid");
    assert_eq!(v["verdict"], "valid", "{v}");
    assert_eq!(v["certificate"]["serial"], serial, "{v}");
}

/// Sets the form around `selector` not to be checked by the browser, as a browser without
/// form validation (or a hand-made request) sends it.
fn without_browser_checks(tab: &Tab, selector: &str) {
    let js = format!(
        "(() => {{ const f = document.querySelector(\"{selector}\").form; \
         f.noValidate = true; return true; }})()"
    );
    tab.evaluate(&js, false).expect("noValidate");
}

#[test]
fn bad_input_at_the_officials_forms_is_refused_clearly_and_nothing_is_stored() {
    let browser = browser(390);
    let (sonod, admin) = office(&browser, &[], None);
    let citizen = window(&browser);
    let id = apply(&sonod, &citizen, &rahima());
    let unchanged = |what: &str| {
        let a = application(&sonod, id);
        assert_eq!(a["status"], "submitted", "{what}: {a}");
        assert_eq!(
            a["history"].as_array().map(Vec::len),
            Some(1),
            "{what}: only the submission: {a}"
        );
        assert_eq!(issued_count(&sonod), 0, "{what}");
        assert!(
            sonod.sms_to(MOBILE).iter().all(|m| m["kind"] == "received"),
            "{what}: no SMS but the receipt"
        );
    };

    // A blank reason and a blank note (spaces pass the browser's check, not the office's).
    let context = browser.new_context().expect("context");
    let rina = context.new_tab().expect("tab");
    set_width(&rina, 390);
    let secret = enrol(&sonod, &rina, "rina", None);
    open_application(&sonod, &rina, id);
    type_in(&rina, "textarea[name=reason]", "   ");
    let page = decide(&rina, id, "reject");
    assert_has(&page, &["কারণ বা মন্তব্য লিখুন", "write the reason or note"]);
    shots(&rina, "application-blank-reason");
    unchanged("blank reason");
    type_in(&rina, "textarea[name=note]", "  ");
    let page = decide(&rina, id, "send-back");
    assert_has(&page, &["কারণ বা মন্তব্য লিখুন", "write the reason or note"]);
    unchanged("blank note");

    // A stale form: the page was opened, then she signed out and in again in another tab;
    // the old page's form belongs to the ended session.
    open_application(&sonod, &rina, id);
    let other_tab = context.new_tab().expect("tab");
    set_width(&other_tab, 390);
    open(&other_tab, &format!("{}/", sonod.issuer.url));
    go(&other_tab, "form[action='/logout'] button");
    password_step(&sonod, &other_tab, "rina", PASSWORD);
    type_in(
        &other_tab,
        "input[name=code]",
        &totp_code(&secret, unix_now() + 30),
    );
    go(&other_tab, "form[action='/login/code'] button");
    assert_eq!(path_of(&other_tab), "/");
    type_in(&rina, "textarea[name=reason]", "পুরোনো পাতা থেকে");
    let page = decide(&rina, id, "reject");
    assert_has(
        &page,
        &[
            "the form does not belong to this session; reload the page and try again",
            "403",
        ],
    );
    shots(&rina, "stale-form");
    unchanged("stale form");

    // A councillor whose ward 5 the admin moved away while the application's page was open.
    let salam = official(&sonod, &browser, "salam");
    open_application(&sonod, &salam, id);
    assert!(has(
        &salam,
        &format!("form[action='/applications/{id}/approve']")
    ));
    open(&admin, &format!("{}/admin/users", sonod.issuer.url));
    let wards = "form[action='/admin/users/salam/wards']";
    admin
        .wait_for_element(&format!("{wards} input[name=wards]"))
        .expect("salam's wards")
        .click()
        .expect("click");
    admin
        .evaluate(
            &format!("document.querySelector(\"{wards} input[name=wards]\").value = ''"),
            false,
        )
        .expect("clear");
    type_in(&admin, &format!("{wards} input[name=wards]"), "3");
    go(&admin, &format!("{wards} button"));
    let page = decide(&salam, id, "approve");
    assert_has(
        &page,
        &[
            "403",
            "এই আবেদন ওয়ার্ড ৫-এর, আপনার ওয়ার্ডের নয়",
            "this application is of ward 5, not one of yours",
        ],
    );
    shots(&salam, "other-ward");
    unchanged("another ward's councillor");
    open(&salam, &format!("{}/review", sonod.issuer.url));
    assert!(
        !text(&salam).contains(&format!("A-{id}")),
        "no longer in his queue"
    );

    // Approved by the ward's own councillor (a fresh page); then bad revocations.
    open_application(&sonod, &rina, id);
    assert_has(
        &decide(&rina, id, "approve"),
        &["Approved: the certificate is issued."],
    );
    let serial = serial_of(&sonod, id);
    let revoke = format!("form[action='/certificates/{serial}/revoke'] button");
    let not_revoked = |what: &str| {
        let c = sonod.api("GET", &format!("/api/v1/certificates/{serial}"), None);
        assert!(
            c["status"] == "issued" && c["revocation"].is_null(),
            "{what}: not revoked: {c}"
        );
    };
    // No reason chosen (a browser that does not check forms sends it so).
    open(
        &rina,
        &format!("{}/certificates/{serial}", sonod.issuer.url),
    );
    without_browser_checks(&rina, &revoke);
    rina.wait_for_element("input[name=confirm]")
        .expect("confirm")
        .click()
        .expect("tick");
    go(&rina, &revoke);
    assert_has(&text(&rina), &["বাতিলের কারণ বেছে নিন", "choose a reason"]);
    shots(&rina, "revoke-no-reason");
    not_revoked("no reason");
    // A reason that is not one of the six (a tampered form).
    rina.evaluate(
        "(() => { const s = document.querySelector('select[name=reason]'); \
         const o = document.createElement('option'); o.value = 'lost_in_flood'; \
         o.textContent = 'x'; s.appendChild(o); s.value = 'lost_in_flood'; return true; })()",
        false,
    )
    .expect("tamper");
    rina.wait_for_element("input[name=confirm]")
        .expect("confirm")
        .click()
        .expect("tick");
    go(&rina, &revoke);
    assert_has(&text(&rina), &["choose a reason"]);
    not_revoked("unknown reason");
    // A reason but no confirmation.
    fill(&rina, &[("reason", "superseded")]);
    without_browser_checks(&rina, &revoke);
    go(&rina, &revoke);
    assert_has(
        &text(&rina),
        &[
            "বাতিল নিশ্চিত করতে টিক দিন",
            "tick the box to confirm the revocation",
        ],
    );
    shots(&rina, "revoke-not-confirmed");
    not_revoked("not confirmed");

    // What was printed still scans valid: nothing was revoked half-way.
    let qr = printed_qr(&sonod, &rina, serial, None);
    let v = sonod.verdict(&qr, "valid");
    assert_eq!(v["verdict"], "valid", "{v}");
    assert!(
        sonod.sms_to(MOBILE).iter().all(|m| m["kind"] != "revoked"),
        "no revoked SMS"
    );
}
