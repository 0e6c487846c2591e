//! Enrolling the second factor as an authenticator app does: headless Chromium renders the
//! enrolment page at phone width, the QR code is decoded from the screenshot (rqrr), the
//! `otpauth://` URL it holds gives the secret, and the code computed from it (totp-rs, as an
//! app computes it) turns the second factor on. Screenshots of the pages (390 and 1280 px)
//! are kept in `target/screenshots/guards/`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use sonod_issuer::{now, Role};
use std::os::unix::process::CommandExt;

mod common;
use common::{between, get_page, post_form, send, totp_code, PASSWORD};

const CHROMIUM_TIMEOUT: Duration = Duration::from_secs(60);

fn chromium() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in ["chromium", "chromium-browser"] {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return p;
            }
        }
    }
    panic!("chromium not found: install it with apt-get install -y chromium");
}

/// Screenshot of `html` at `width` px, killing Chromium after 60 s.
fn screenshot(html: &str, dir: &Path, name: &str, width: u32) -> PathBuf {
    let html_path = dir.join(format!("{name}.html"));
    let png = dir.join(format!("{name}-{width}.png"));
    std::fs::write(&html_path, html).unwrap();
    let profile = tempfile::TempDir::new_in(dir).unwrap();
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--window-size={width},1400"))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", html_path.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + CHROMIUM_TIMEOUT;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success() && png.exists(), "chromium: {status}");
            return png;
        }
        if Instant::now() > deadline {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.wait();
            panic!("chromium did not finish within {CHROMIUM_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The one QR code in a screenshot, read with the scanner's decoder.
fn decode_qr(png: &Path) -> Option<String> {
    let bytes = std::fs::read(png).expect("png");
    let mut codes = sonod_qr::read_codes(&bytes, &sonod_qr::Limits::default()).ok()?;
    assert!(codes.len() <= 1, "one QR code on the page");
    codes.pop()
}

#[tokio::test]
async fn an_official_enrols_by_scanning_the_qr_code_chromium_shows() {
    let office = common::office()
        .user("rahim", "মোঃ রহিম", Role::Chairman, Some(PASSWORD))
        .request_timeout(Duration::from_secs(30))
        .build();
    let router = office.router.clone();
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots/guards");
    std::fs::create_dir_all(&shots).unwrap();

    let login = send(&router, get_page("/login", None)).await;
    let a = send(
        &router,
        post_form("/login", None, &[("name", "rahim"), ("password", PASSWORD)]),
    )
    .await;
    assert_eq!(a.location(), "/account/second-factor");
    let cookie = a.cookie();
    let page = send(&router, get_page("/account/second-factor", Some(&cookie))).await;
    assert_eq!(page.status, StatusCode::OK);

    // The phone's view: the QR code as Chromium draws it at 390 px, read as an app reads it.
    // Chromium's command-line screenshot is now and then taken before the page is drawn
    // whole: try again, a few times, before calling the code unreadable.
    let url = (0..3)
        .find_map(|_| decode_qr(&screenshot(&page.body, &shots, "enrol", 390)))
        .expect("the enrolment page's QR code reads");
    assert!(
        url.starts_with("otpauth://totp/") && url.contains("issuer=Sonod"),
        "{url}"
    );
    let secret = between(&url, "secret=", "&")
        .or_else(|| url.split("secret=").nth(1))
        .expect("secret")
        .to_owned();
    // The same secret as the text under the QR code.
    let text = between(&page.body, "<code class=secret>", "</code>").expect("text");
    assert_eq!(text.replace(' ', ""), secret);

    let done = send(
        &router,
        post_form(
            "/account/second-factor",
            Some(&cookie),
            &[("code", &totp_code(&secret, now())), ("csrf", &page.csrf())],
        ),
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body.matches("<li><code>").count(), 10);
    let home = send(&router, get_page("/", Some(&cookie))).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("আজকের কাজ"));

    for (name, html) in [
        ("login", &login.body),
        ("enrol", &page.body),
        ("recovery", &done.body),
        ("dashboard", &home.body),
    ] {
        for width in [390, 1280] {
            screenshot(html, &shots, name, width);
        }
    }
}
