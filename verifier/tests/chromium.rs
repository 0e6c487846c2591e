//! The result page in a real browser: headless Chromium renders it at a phone's size, takes a
//! screenshot and dumps the DOM. This test fails (it does not skip) when Chromium is missing.
//!
//! Set `SONOD_SCREENSHOT_DIR` to keep the screenshots for a person to look at: one page per
//! verdict kind (and the look-alike warning), each at a phone's width (`v-<case>-390.png`) and
//! a desktop's (`v-<case>-1280.png`).

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
    window: (u32, u32),
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
    ])
    .arg(format!("--window-size={},{}", window.0, window.1))
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
    // Revoked: published, then revoked by the office.
    let revoked = f.valid(123_460);
    publish(&state, &f.office, &[(123_460, &revoked)]);
    let office: sonod_keys::OfficeCode = OFFICE.parse().unwrap();
    let position = state.replica().office(&office).map_or(0, |o| o.position);
    state
        .replica()
        .apply(
            &office,
            position,
            &[sonod_seal::feed::Event {
                seq: position + 1,
                at: now(),
                kind: sonod_seal::feed::EventKind::Revoked {
                    serial: 123_460,
                    reason: sonod_seal::feed::RevocationReason::Fraud,
                },
            }],
            position + 1,
        )
        .unwrap();
    state.replica().mark_synced_ms(&office, now_ms()).unwrap();
    let expired = f.seal(123_461, &f.record(-300, Some(-1)), &f.office);
    publish(&state, &f.office, &[(123_461, &expired)]);
    // One changed character: the office code the code names.
    let mut j = f.record(-10, None).to_json();
    j["office"] = "16877740".into();
    let wrong_office = f.seal(
        123_462,
        &sonod_seal::Record::from_json(&j).unwrap(),
        &f.office,
    );
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
    let sealed = |s: &sonod_seal::Sealed| b32(s.as_bytes());
    // (name, payload, texts the page must show, whether it warns of the link's host)
    let cases: Vec<(&str, String, [&str; 2], bool)> = vec![
        (
            "valid",
            sealed(&genuine),
            ["সঠিক ও বৈধ", "১০০৫২৪-১২৩৪৫৬"],
            false,
        ),
        (
            "malformed",
            "AAAAAAAA".into(),
            ["সনদের কোড পড়া যায়নি", "Technical detail"],
            false,
        ),
        (
            "not-sonod",
            "hello%20world%21".into(),
            ["এটি সনদের কিউআর কোড নয়", "Scan the QR code printed"],
            false,
        ),
        (
            "unsupported-version",
            b32(&f.version_two()),
            ["এখানে যাচাই করা যায়নি", "Cannot be checked here"],
            false,
        ),
        (
            "untrusted-unknown-key",
            sealed(&f.seal(123_463, &f.record(-10, None), &f.stranger)),
            ["স্বীকৃত অফিসের স্বাক্ষর নেই", "do not accept it"],
            false,
        ),
        (
            "untrusted-wrong-office",
            sealed(&wrong_office),
            ["16877740", "not verified"],
            false,
        ),
        (
            "bad-signature",
            b32(&f.forged(123_457)),
            ["জাল — স্বাক্ষর মেলেনি", "Forged — bad signature"],
            false,
        ),
        (
            "key-compromised",
            sealed(&f.seal(123_464, &f.record(-10, None), &f.compromised)),
            ["স্বাক্ষর-চাবি চুরি হয়েছে", "collect a newly signed copy"],
            false,
        ),
        (
            "not-issued",
            sealed(&f.valid(123_459)),
            ["জাল — কখনো প্রদান করা হয়নি", "Forged — never issued"],
            false,
        ),
        (
            "revoked",
            sealed(&revoked),
            ["বাতিল — আর বৈধ নয়", "obtained by fraud"],
            false,
        ),
        (
            "expired",
            sealed(&expired),
            ["মেয়াদোত্তীর্ণ", "get a new certificate"],
            false,
        ),
        (
            "not-yet-valid",
            sealed(&f.seal(123_465, &f.record(5, None), &f.office)),
            ["এখনো কার্যকর নয়", "Check this device"],
            false,
        ),
        (
            "unconfirmed",
            sealed(&f.seal(123_458, &f.record(0, None), &f.office)),
            [
                "স্বাক্ষর সঠিক — যাচাই অসম্পূর্ণ",
                "Signature genuine — not fully checked",
            ],
            false,
        ),
        (
            "look-alike",
            look_alike,
            [LOOK_ALIKE_HEADLINE.0, LOOK_ALIKE_HEADLINE.1],
            true,
        ),
    ];
    for (name, payload, texts, warned) in cases {
        let url = format!("http://localhost:{port}/V/{payload}");
        for width in [390, 1280] {
            let profile = tempfile::tempdir().unwrap();
            let png = out_dir.join(format!("v-{name}-{width}.png"));
            let _ = std::fs::remove_file(&png);
            let out = run_chromium(
                &browser,
                profile.path(),
                (width, 1600),
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
        }
        let profile = tempfile::tempdir().unwrap();
        let out = run_chromium(
            &browser,
            profile.path(),
            (390, 1600),
            &["--dump-dom".to_owned()],
            &url,
        )
        .await;
        let dom = String::from_utf8_lossy(&out.stdout);
        for t in texts {
            assert!(dom.contains(t), "{t} not in the DOM of {name}: {dom}");
        }
        assert_eq!(
            dom.contains("সতর্কতা:"),
            warned,
            "only the look-alike link is warned about: {name}"
        );
    }
    tx.send(()).unwrap();
    server.await.unwrap().unwrap();
}
