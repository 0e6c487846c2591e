//! The result page in a real browser: headless Chromium renders it at a phone's size, takes a
//! screenshot and dumps the DOM. This test fails (it does not skip) when Chromium is missing.
//!
//! Set `SONOD_SCREENSHOT_DIR` to keep the screenshots (`v-valid.png`, `v-forged.png`,
//! `v-unconfirmed.png`, `v-not-issued.png`, `v-look-alike.png`) for a person to look at.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::*;
use sonod_keys::Environment;
use sonod_verifier::LOOK_ALIKE_HEADLINE;

const INSTALL: &str = "headless Chromium is needed for this test: install it with \
     `apt-get install -y chromium fonts-noto-core` (Debian/Ubuntu; the fonts give Bangla glyphs)";

fn chromium() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!("{INSTALL}");
}

/// Runs Chromium with the flags that keep it off the network and quick to start.
async fn run_chromium(
    browser: &Path,
    profile: &Path,
    extra: &[String],
    url: &str,
) -> std::process::Output {
    let mut cmd = tokio::process::Command::new(browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--window-size=412,915",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(extra)
    .arg(url)
    .kill_on_drop(true);
    match tokio::time::timeout(Duration::from_secs(90), cmd.output()).await {
        Ok(Ok(out)) => out,
        Ok(Err(e)) => panic!("cannot run {}: {e}; {INSTALL}", browser.display()),
        Err(_) => panic!("chromium did not finish within 90 s"),
    }
}

#[tokio::test]
async fn result_pages_render_in_headless_chromium() {
    let browser = chromium();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    // The page is opened at the host the trust list names, as a phone would open the QR.
    let host = format!("LOCALHOST:{port}");
    let f = Fixture::with_hosts(Environment::Production, &[&host]);
    let state = f.state().await;
    let genuine = f.valid(123_456);
    publish(&state, &f.office, &[(123_456, &genuine)]);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(sonod_verifier::server::run(listener, state, async {
        let _ = rx.await;
    }));

    let keep = std::env::var_os("SONOD_SCREENSHOT_DIR").map(PathBuf::from);
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = keep.clone().unwrap_or_else(|| tmp.path().to_owned());
    // A QR whose link points to a look-alike site, its URL as the page's path.
    let look_alike: String = genuine
        .to_qr_text(Some(&"VERIFY.S0NOD.GOV.BD".parse().unwrap()))
        .replace(':', "%3A")
        .replace('/', "%2F");
    let cases = [
        (
            "v-valid.png",
            b32(genuine.as_bytes()),
            ["সঠিক ও বৈধ", "Genuine and valid"],
            false,
        ),
        (
            "v-forged.png",
            b32(&f.forged(123_457)),
            ["জাল — স্বাক্ষর মেলেনি", "Forged — bad signature"],
            false,
        ),
        (
            "v-unconfirmed.png",
            b32(f.seal(123_458, &f.record(0, None), &f.office).as_bytes()),
            [
                "স্বাক্ষর সঠিক — যাচাই অসম্পূর্ণ",
                "Signature genuine — not fully checked",
            ],
            false,
        ),
        (
            "v-not-issued.png",
            b32(f.valid(123_459).as_bytes()),
            ["জাল — কখনো প্রদান করা হয়নি", "Forged — never issued"],
            false,
        ),
        (
            "v-look-alike.png",
            look_alike,
            [LOOK_ALIKE_HEADLINE.0, LOOK_ALIKE_HEADLINE.1],
            true,
        ),
    ];
    for (shot, payload, texts, warned) in cases {
        let url = format!("http://localhost:{port}/V/{payload}");
        let profile = tempfile::tempdir().unwrap();
        let png = out_dir.join(shot);
        let _ = std::fs::remove_file(&png);
        let out = run_chromium(
            &browser,
            profile.path(),
            &[format!("--screenshot={}", png.display())],
            &url,
        )
        .await;
        assert!(
            png.is_file() && std::fs::metadata(&png).unwrap().len() > 1000,
            "no screenshot {}: {}",
            png.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let profile = tempfile::tempdir().unwrap();
        let out = run_chromium(&browser, profile.path(), &["--dump-dom".to_owned()], &url).await;
        let dom = String::from_utf8_lossy(&out.stdout);
        for t in texts {
            assert!(dom.contains(t), "{t} not in the DOM of {shot}: {dom}");
        }
        assert_eq!(
            dom.contains("সতর্কতা:"),
            warned,
            "only the look-alike link is warned about: {shot}"
        );
    }
    tx.send(()).unwrap();
    server.await.unwrap().unwrap();
}
