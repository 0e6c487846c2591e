//! Applying for certificates as people do (office_apply.rs): the forms filled in by typing,
//! documents chosen from disk, the tracking number read off the page; a digital centre
//! operator made with the CLI before the service starts and signed in with password and
//! TOTP (enrolled on the first sign-in, codes computed with `totp-rs` from the secret the
//! enrolment page shows, as an authenticator app does); the citizen signed in with the SMS
//! code; a PDF's QR code read as a printer's paper would be.

use std::path::Path;

use headless_chrome::Tab;
use serde_json::Value;

use super::officials::{totp_code, unix_now, NewAccount};

pub use super::officials::{go, shots_at as shots};
use super::{code_in, fill, open, text, type_into, Sonod};

pub use super::officials::PASSWORD;

impl Sonod {
    /// [`Sonod::start`] with an operator account `name` (password [`PASSWORD`]).
    pub fn start_with_operator(name: &str, display_name: &str) -> Sonod {
        Sonod::start_with(&[NewAccount {
            name,
            display_name,
            role: "operator",
            wards: "",
        }])
    }

    /// How many applications the office holds (the chairman's queue: every ward).
    pub fn applications_stored(&self) -> usize {
        self.api("GET", "/api/v1/review", None)["applications"]
            .as_array()
            .map_or(0, Vec::len)
    }
}

/// The submit button of an apply form (the last of the form: "more rows" buttons come first).
pub const SUBMIT: &str = "main form > button:last-of-type";

/// Types each `(field name, text)` into its input as a person does, key by key; the ward is
/// chosen from its list.
pub fn type_fields(tab: &Tab, fields: &[(&str, &str)]) {
    for (name, value) in fields {
        if *name == "ward" {
            fill(tab, &[("ward", value)]);
            continue;
        }
        let selector = format!("[name='{name}']");
        clear(tab, &selector);
        type_into(tab, &selector, value);
    }
}

/// Empties the input `selector` (select all, delete), as a person does before retyping.
pub fn clear(tab: &Tab, selector: &str) {
    let js = format!(
        "(() => {{ const el = document.querySelector(\"{selector}\"); if (!el) return false; \
         el.value = ''; return true; }})()"
    );
    let r = tab.evaluate(&js, false).expect("clear");
    assert_eq!(r.value, Some(Value::Bool(true)), "no field {selector}");
}

/// The value the input `name` holds now.
pub fn value_of(tab: &Tab, name: &str) -> String {
    let js = format!("document.querySelector(\"[name='{name}']\").value");
    let r = tab.evaluate(&js, false).expect("value");
    r.value
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("no field {name}"))
}

/// Chooses `files` in the form's document input (the file dialog's answer).
pub fn choose_documents(tab: &Tab, files: &[&Path]) {
    let paths: Vec<&str> = files
        .iter()
        .map(|p| p.to_str().expect("a UTF-8 path"))
        .collect();
    tab.wait_for_element("input[name=document]")
        .expect("the documents input")
        .set_input_files(&paths)
        .expect("choose files");
}

/// The tracking number (`A-12`) a success page shows beside its Bangla form (`A-১২ (A-12)`).
pub fn tracking_on(page: &str) -> String {
    let at = page
        .find("(A-")
        .unwrap_or_else(|| panic!("no tracking number on the page: {page}"));
    let rest = &page[at + 1..];
    rest[..rest.find(')').expect(")")].to_owned()
}

/// The text of the error shown next to field `name` (`#e-<name>`), if any.
pub fn error_next_to(tab: &Tab, name: &str) -> Option<String> {
    let js = format!(
        "(() => {{ const e = document.getElementById('e-{name}'); return e ? e.innerText : null; }})()"
    );
    tab.evaluate(&js, false)
        .expect("error text")
        .value
        .and_then(|v| v.as_str().map(str::to_owned))
}

/// Signs `mobile` in on the citizen's page with the code its SMS brought.
pub fn citizen_sign_in(sonod: &Sonod, tab: &Tab, mobile: &str) {
    let before = sonod
        .sms_to(mobile)
        .iter()
        .filter(|m| m["kind"] == "code")
        .count();
    open(tab, &format!("{}/citizen", sonod.issuer.url));
    type_into(tab, "input[name=mobile]", mobile);
    go(tab, "form[action='/citizen/code'] button");
    let sms = sonod.wait_for_sms(mobile, "code", before);
    type_into(tab, "input[name=code]", &code_in(&sms));
    go(tab, "form[action='/citizen/verify'] button");
}

/// Signs the citizen out (the page's button).
pub fn citizen_sign_out(tab: &Tab) {
    go(tab, "form[action='/citizen/logout'] button");
}

/// A signed fact's value in a verdict (`certificate.fields[key].value`).
pub fn fact<'a>(verdict: &'a Value, key: &str) -> &'a Value {
    verdict["certificate"]["fields"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["key"] == key))
        .map_or(&Value::Null, |f| &f["value"])
}

/// Signs an official in for the first time on the web pages: password, then enrolling the
/// second factor with the secret the page shows and the code an app computes from it.
pub fn official_first_sign_in(sonod: &Sonod, tab: &Tab, name: &str) {
    open(tab, &format!("{}/login", sonod.issuer.url));
    shots(tab, 1280, "operator-login");
    type_into(tab, "input[name=name]", name);
    type_into(tab, "input[name=password]", PASSWORD);
    go(tab, "form button");
    let secret = tab
        .wait_for_element("code.secret")
        .expect("the enrolment page shows the secret")
        .get_inner_text()
        .expect("secret");
    shots(tab, 1280, "operator-enrol");
    type_into(tab, "input[name=code]", &totp_code(&secret, unix_now()));
    go(tab, "form[action='/account/second-factor'] button");
    // Enrolled: the ten recovery codes, shown once.
    let codes = tab
        .wait_for_elements("ol.codes code")
        .expect("the recovery codes page");
    assert_eq!(codes.len(), 10, "{}", text(tab));
    shots(tab, 1280, "operator-recovery-codes");
}

/// The browser's own message for field `name` when it refuses to send the form (a required
/// field left empty), or "" when the field is fine.
pub fn browser_says(tab: &Tab, name: &str) -> String {
    let js = format!("document.querySelector(\"[name='{name}']\").validationMessage");
    tab.evaluate(&js, false)
        .expect("validation message")
        .value
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Sends the form as a browser that does not check `required` does (an old phone's), so the
/// service's own check answers.
pub fn submit_unchecked(tab: &Tab) {
    tab.evaluate(
        "document.querySelector('main form').noValidate = true",
        false,
    )
    .expect("noValidate");
    go(tab, SUBMIT);
}
