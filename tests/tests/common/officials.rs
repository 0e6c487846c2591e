//! The officials' side as people use it: accounts made with the CLI before the service
//! starts, each official in a browser window of their own (an incognito context: their own
//! cookies), signing in with password and TOTP code (computed with `totp-rs` from the secret
//! the enrolment page shows, as an authenticator app does), deciding on the review pages,
//! printing, and screenshots of each page at 390 and 1280 px.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

use headless_chrome::{Browser, Tab};
use serde_json::Value;

use super::{fill, open, screenshot, text, Sonod};

/// The password every test official has.
pub const PASSWORD: &str = "correct horse battery staple";

/// An account the office makes with `sonod-issuer user add` before the service starts.
#[derive(Debug, Clone, Copy)]
pub struct NewAccount<'a> {
    pub name: &'a str,
    pub display_name: &'a str,
    /// admin, chairman, councillor or operator.
    pub role: &'a str,
    /// A councillor's wards (`5`, `3,4`); "" for none.
    pub wards: &'a str,
}

impl<'a> NewAccount<'a> {
    pub const fn new(name: &'a str, role: &'a str, wards: &'a str) -> NewAccount<'a> {
        NewAccount {
            name,
            display_name: name,
            role,
            wards,
        }
    }
}

/// `sonod-issuer user add … --password-stdin` on the stopped service's data.
pub(super) fn add_account(bin: &Path, data: &Path, a: &NewAccount<'_>) {
    let mut cmd = Command::new(bin);
    cmd.args(["user", "add", "--data"])
        .arg(data)
        .args(["--name", a.name, "--display-name", a.display_name])
        .args(["--role", a.role, "--password-stdin"]);
    if !a.wards.is_empty() {
        cmd.args(["--wards", a.wards]);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sonod-issuer user add");
    std::io::Write::write_all(
        child.stdin.as_mut().expect("stdin"),
        format!("{PASSWORD}\n").as_bytes(),
    )
    .expect("password");
    let out = child.wait_with_output().expect("user add");
    assert!(
        out.status.success(),
        "user add {}: {}",
        a.name,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Makes the tab's viewport `width` CSS pixels wide (a phone's when under 600).
pub fn set_width(tab: &Tab, width: u32) {
    set_size(tab, width, 900);
}

/// Makes the tab's viewport `width` × `height` CSS pixels (a phone's when under 600 wide).
pub fn set_size(tab: &Tab, width: u32, height: u32) {
    use headless_chrome::protocol::cdp::Emulation::SetDeviceMetricsOverride;
    tab.call_method(SetDeviceMetricsOverride {
        width,
        height,
        device_scale_factor: 1.0,
        mobile: width < 600,
        scale: None,
        screen_width: None,
        screen_height: None,
        position_x: None,
        position_y: None,
        dont_set_visible_size: None,
        screen_orientation: None,
        viewport: None,
        display_feature: None,
        device_posture: None,
    })
    .expect("viewport");
}

/// A window of its own for one person (own cookies), 390 px wide.
pub fn window(browser: &Browser) -> Arc<Tab> {
    let context = browser.new_context().expect("browser context");
    let tab = context.new_tab().expect("tab");
    set_width(&tab, 390);
    tab
}

/// Screenshots of the whole page as a phone (390 px) and a desktop (1280 px) show it:
/// `<name>-390.png` and `<name>-1280.png` in `SONOD_SCREENSHOT_DIR`, when set; the window
/// goes back to 390 px.
pub fn shots(tab: &Tab, name: &str) {
    shots_at(tab, 390, name);
}

/// Keeps the page at 390 and 1280 px (`<name>-390.png`, `<name>-1280.png`) when
/// `SONOD_SCREENSHOT_DIR` is set; the tab goes back to `width`.
pub fn shots_at(tab: &Tab, width: u32, name: &str) {
    if std::env::var_os("SONOD_SCREENSHOT_DIR").is_none() {
        return;
    }
    for w in [390, 1280] {
        // The whole page, not only what fits a screen.
        set_width(tab, w);
        let height = tab
            .evaluate("document.documentElement.scrollHeight", false)
            .ok()
            .and_then(|r| r.value)
            .and_then(|v| v.as_u64())
            .map_or(900, |h| u32::try_from(h).unwrap_or(900).clamp(900, 6000));
        set_size(tab, w, height);
        screenshot(tab, &format!("{name}-{w}"));
    }
    set_width(tab, width);
    // Let the page lay itself out again at the width before anything is clicked.
    let _ = tab.evaluate(
        "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))",
        true,
    );
    std::thread::sleep(std::time::Duration::from_millis(200));
}

/// The path of the page the tab shows (`/login/code`), without the query, as the page
/// itself knows it (the tab's own record of its URL can lag behind a redirect).
pub fn path_of(tab: &Tab) -> String {
    let v = tab
        .evaluate("location.pathname", false)
        .expect("location")
        .value;
    match v {
        Some(Value::String(p)) => p,
        other => panic!("location.pathname: {other:?}"),
    }
}

/// The code an authenticator app shows for `secret` (Base32, spaces allowed) at `at`.
pub fn totp_code(secret: &str, at: i64) -> String {
    let secret: String = secret.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = totp_rs::Secret::try_from_base32(&secret)
        .expect("base32")
        .as_bytes()
        .to_vec();
    totp_rs::Builder::new()
        .with_secret(bytes)
        .build()
        .expect("totp")
        .generate(u64::try_from(at).expect("after 1970"))
        .to_string()
}

/// Seconds since 1970.
pub fn unix_now() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_secs(),
    )
    .expect("seconds")
}

/// Presses `selector` (a button or a link) and waits until the page it leads to has loaded:
/// the old page is marked first, so it is not mistaken for the new one.
pub fn go(tab: &Tab, selector: &str) {
    // A window in the background takes no clicks: bring it to the front, as a person does.
    tab.activate().expect("bring the window to the front");
    // The element's own click (as a tap activates it), marking the page it is on in the same
    // step: a page still loading when this is called is not mistaken for the next one, and a
    // mouse click at coordinates cannot land elsewhere after a screenshot resized the view.
    tab.wait_for_element(selector)
        .unwrap_or_else(|e| panic!("{selector}: {e}"))
        .call_js_fn(
            "function() { window.__sonod_old = true; this.click(); }",
            vec![],
            false,
        )
        .unwrap_or_else(|e| panic!("click {selector}: {e}"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let loaded = tab
            .evaluate(
                "window.__sonod_old === undefined && document.readyState === 'complete'",
                false,
            )
            .ok()
            .and_then(|r| r.value)
            == Some(Value::Bool(true));
        if loaded {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{selector}: no next page ({})",
            tab.get_url()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Types `text` into the field `selector` as a person does: the field takes the focus (as
/// a tap gives it), then the keys.
pub fn type_in(tab: &Tab, selector: &str, text: &str) {
    tab.wait_for_element(selector)
        .unwrap_or_else(|e| panic!("{selector}: {e}"));
    let js = format!(
        "(() => {{ const el = document.querySelector({}); el.scrollIntoView(); el.focus(); \
         return document.activeElement === el; }})()",
        Value::String(selector.to_owned())
    );
    let focused = tab.evaluate(&js, false).expect("focus").value;
    assert_eq!(
        focused,
        Some(Value::Bool(true)),
        "{selector} takes the focus"
    );
    tab.type_str(text).expect("type");
}

/// Types name and password into the sign-in page and presses "Log in".
pub fn password_step(sonod: &Sonod, tab: &Tab, name: &str, password: &str) {
    open(tab, &format!("{}/login", sonod.issuer.url));
    type_in(tab, "input[name=name]", name);
    type_in(tab, "input[name=password]", password);
    go(tab, "form[action='/login'] button");
}

/// An official's first sign-in: the password, then the enrolment page (its secret read as
/// text, the first code typed), the recovery codes, the dashboard. Returns the secret.
/// With `shots_as`, screenshots of each page under that prefix.
pub fn enrol(sonod: &Sonod, tab: &Tab, name: &str, shots_as: Option<&str>) -> String {
    password_step(sonod, tab, name, PASSWORD);
    assert_eq!(
        path_of(tab),
        "/account/second-factor",
        "a new official is led to enrol: {}",
        text(tab)
    );
    if let Some(p) = shots_as {
        shots(tab, &format!("{p}-enrol"));
    }
    let secret = tab
        .wait_for_element("code.secret")
        .expect("the secret as text")
        .get_inner_text()
        .expect("secret");
    type_in(tab, "input[name=code]", &totp_code(&secret, unix_now()));
    go(tab, "form[action='/account/second-factor'] button");
    let codes = tab
        .wait_for_elements("ol.codes li code")
        .expect("the recovery codes");
    assert_eq!(codes.len(), 10, "ten recovery codes: {}", text(tab));
    if let Some(p) = shots_as {
        shots(tab, &format!("{p}-recovery-codes"));
    }
    go(tab, "a[href='/']");
    let page = text(tab);
    assert!(
        page.contains("আজকের কাজ") && page.contains(name),
        "the dashboard: {page}"
    );
    if let Some(p) = shots_as {
        shots(tab, &format!("{p}-dashboard"));
    }
    secret
}

/// A window of its own with `name` signed in (first sign-in: enrolled).
pub fn official(sonod: &Sonod, browser: &Browser, name: &str) -> Arc<Tab> {
    let tab = window(browser);
    enrol(sonod, &tab, name, None);
    tab
}

/// Saves the office settings `values` (form field names) through the settings page as the
/// signed-in admin.
pub fn save_settings(sonod: &Sonod, admin: &Tab, values: &[(&str, &str)], shots_as: Option<&str>) {
    open(admin, &format!("{}/settings", sonod.issuer.url));
    fill(admin, values);
    go(admin, "form[action='/settings'] button.primary");
    let page = text(admin);
    assert!(
        page.contains("সেটিংস সংরক্ষিত হয়েছে") && page.contains("The settings are saved"),
        "the settings are saved: {page}"
    );
    if let Some(p) = shots_as {
        shots(admin, p);
    }
}

/// Office hours all day: the tests run at any hour, and an approval outside office hours
/// is held.
pub const ALL_DAY: [(&str, &str); 2] = [("hours_from", "0"), ("hours_to", "24")];

/// The application `id` as the API gives it to the chairman's token.
pub fn application(sonod: &Sonod, id: u64) -> Value {
    sonod.api("GET", &format!("/api/v1/applications/{id}"), None)
}

/// Whether certificate `serial` exists (the API, chairman's token).
pub fn certificate_exists(sonod: &Sonod, serial: u64) -> bool {
    match ureq::get(&format!(
        "{}/api/v1/certificates/{serial}",
        sonod.issuer.url
    ))
    .set("Authorization", &format!("Bearer {}", sonod.token))
    .call()
    {
        Ok(_) => true,
        Err(ureq::Error::Status(404, _)) => false,
        Err(e) => panic!("certificate {serial}: {e}"),
    }
}

/// How many certificates the office has issued (serials are 1, 2, …).
pub fn issued_count(sonod: &Sonod) -> u64 {
    (1..).take_while(|&s| certificate_exists(sonod, s)).count() as u64
}

/// The citizenship form as a citizen fills it in, with their NID, name and mobile.
pub fn citizenship(nid: &str, name: &str, name_en: &str, mobile: &str) -> Vec<(String, String)> {
    [
        ("nid", nid),
        ("name", name),
        ("name_en", name_en),
        ("father", "করিম উদ্দিন"),
        ("mother", "রোকেয়া বেগম"),
        ("ward", "5"),
        ("village", "পূর্বপাড়া"),
        ("post_office", "সাভার"),
        ("upazila", "সাভার"),
        ("district", "ঢাকা"),
        ("mobile", mobile),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect()
}

/// A citizen applies for a citizenship certificate through the form (ward 5); the
/// application's id from the tracking number the page shows.
pub fn apply(sonod: &Sonod, citizen: &Tab, values: &[(String, String)]) -> u64 {
    open(citizen, &format!("{}/apply/citizenship", sonod.issuer.url));
    let pairs: Vec<(&str, &str)> = values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    fill(citizen, &pairs);
    go(citizen, "main form > button:last-of-type");
    tracking_on(&text(citizen))
}

/// The id of the first tracking number (`A-12`, Latin digits) in `page`.
pub fn tracking_on(page: &str) -> u64 {
    page.split("A-")
        .skip(1)
        .find_map(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .unwrap_or_else(|| panic!("a tracking number on the page: {page}"))
}

/// Opens application `id`'s page in the official's window.
pub fn open_application(sonod: &Sonod, tab: &Tab, id: u64) -> String {
    open(tab, &format!("{}/applications/{id}", sonod.issuer.url));
    text(tab)
}

/// Presses the decision button of form `action` (`approve`, `reject`, `send-back`) on
/// application `id`'s page, open in `tab`; the page it leads to, as text.
pub fn decide(tab: &Tab, id: u64, action: &str) -> String {
    go(
        tab,
        &format!("form[action='/applications/{id}/{action}'] button"),
    );
    text(tab)
}

/// The QR code on certificate `serial` as an official prints it: the print page's Print
/// link (the PDF), fetched with the official's session, rasterised as a printer would.
pub fn printed_qr(sonod: &Sonod, tab: &Tab, serial: u64, shots_as: Option<&str>) -> String {
    open(
        tab,
        &format!("{}/certificates/{serial}/print", sonod.issuer.url),
    );
    if let Some(p) = shots_as {
        shots(tab, p);
    }
    let href = tab
        .wait_for_element("a#print")
        .expect("the print page's Print link")
        .get_attribute_value("href")
        .expect("href")
        .expect("a link");
    assert_eq!(href, format!("/certificates/{serial}/pdf"));
    super::qr_on_pdf(&super::download(sonod, tab, &href))
}

/// The serial of the certificate application `id` was issued as (the API).
pub fn serial_of(sonod: &Sonod, id: u64) -> u64 {
    let a = application(sonod, id);
    a["certificate"]["serial"]
        .as_u64()
        .unwrap_or_else(|| panic!("application {id} has a certificate: {a}"))
}
