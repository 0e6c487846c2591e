//! What the tests that use Sonod as people do share: both services started as their binaries
//! on development keys, and a headless Chromium driven over the DevTools protocol (typing into
//! the pages' forms and pressing their buttons, reading what they show, screenshots).
//!
//! Needs the Debian/Ubuntu packages `chromium` and `fonts-noto-core` (`scripts/setup.sh`
//! installs them); the tests fail, not skip, without them.

#![allow(dead_code)]

pub mod apply;
pub mod officials;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::{Browser, LaunchOptions, Tab};
use serde_json::Value;

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .to_owned()
}

fn newest(path: &Path) -> SystemTime {
    let Ok(meta) = std::fs::metadata(path) else {
        return SystemTime::UNIX_EPOCH;
    };
    if meta.is_dir() {
        std::fs::read_dir(path)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| newest(&e.path()))
            .max()
            .unwrap_or(SystemTime::UNIX_EPOCH)
    } else {
        meta.modified().unwrap_or(SystemTime::UNIX_EPOCH)
    }
}

/// A binary of the workspace, built first if it is missing or older than its sources
/// (`cargo test --workspace` has built it; `cargo test -p sonod-e2e` alone may not have).
pub fn binary(package: &str, name: &str, sources: &[&str]) -> PathBuf {
    let bin = assert_cmd::cargo::cargo_bin(name);
    let root = workspace();
    let newest_source = sources
        .iter()
        .map(|d| newest(&root.join(d)))
        .chain([newest(&root.join("Cargo.lock"))])
        .max()
        .unwrap_or(SystemTime::UNIX_EPOCH);
    let built = std::fs::metadata(&bin).and_then(|m| m.modified()).ok();
    if built.is_none_or(|b| b < newest_source) {
        let mut cmd = Command::new(env!("CARGO"));
        cmd.args(["build", "--quiet", "-p", package, "--bin", name])
            .current_dir(&root);
        if !cfg!(debug_assertions) {
            cmd.arg("--release");
        }
        assert!(
            cmd.status().expect("cargo build").success(),
            "cannot build {name}"
        );
    }
    bin
}

/// A free port on 127.0.0.1 (taken and given back: the service binds it a moment later).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A started service, stopped when dropped.
pub struct Service {
    child: Child,
    pub url: String,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(mut cmd: Command, port: u16, log: &Path) -> Service {
    let child = cmd
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).expect("log file"))
        .spawn()
        .expect("start the service");
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if ureq::get(&format!("{url}/healthz")).call().is_ok() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{url} did not come up: {}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Service { child, url }
}

/// The office's issuer and a verifier following it, on development keys in a temporary
/// folder.
pub struct Sonod {
    pub dir: tempfile::TempDir,
    pub issuer: Service,
    pub verifier: Service,
    /// The development account's API token (a chairman).
    pub token: String,
    /// An admin account's API token (reload the key, re-seal), made before the service
    /// started, as an office does.
    pub admin_token: String,
}

impl Sonod {
    pub fn start() -> Sonod {
        Sonod::start_with(&[])
    }

    /// [`Sonod::start`], with `accounts` added by the CLI before the service starts, as an
    /// office creates its officials (each with a password for the web pages).
    pub fn start_with(accounts: &[officials::NewAccount<'_>]) -> Sonod {
        let dir = tempfile::tempdir().expect("tmp");
        let issuer_bin = binary(
            "sonod-issuer",
            "sonod-issuer",
            &[
                "issuer/src",
                "issuer/templates",
                "issuer/locales",
                "seal/src",
                "keys/src",
            ],
        );
        let verifier_bin = binary(
            "sonod-verifier",
            "sonod-verifier",
            &[
                "verifier/src",
                "judge/src",
                "feed/src",
                "seal/src",
                "keys/src",
            ],
        );
        let keys = dir.path().join("keys");
        let data = dir.path().join("issuer-data");
        let cli = |args: &[&str]| {
            let out = Command::new(&issuer_bin)
                .args(args)
                .arg("--data")
                .arg(&data)
                .output()
                .expect("sonod-issuer");
            assert!(
                out.status.success(),
                "{args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).trim().to_owned()
        };
        cli(&[
            "user",
            "add",
            "--name",
            "admin",
            "--display-name",
            "Admin",
            "--role",
            "admin",
        ]);
        let admin_token = cli(&[
            "user", "token", "create", "--name", "admin", "--scope", "operate",
        ]);
        for a in accounts {
            officials::add_account(&issuer_bin, &data, a);
        }
        let (ip, vp) = (free_port(), free_port());
        let mut cmd = Command::new(&issuer_bin);
        cmd.args(["serve", "--dev-keys"])
            .arg(&keys)
            .arg("--data")
            .arg(&data)
            .args(["--listen", &format!("127.0.0.1:{ip}")])
            .args(["--verifier-host", &format!("http://localhost:{vp}")])
            .env("SONOD_LOG", "warn");
        let issuer = start(cmd, ip, &dir.path().join("issuer.log"));
        let mut cmd = Command::new(verifier_bin);
        cmd.args(["serve", "--dev-keys"])
            .arg(&keys)
            .arg("--data")
            .arg(dir.path().join("verifier-data"))
            .args(["--issuer", &issuer.url])
            .args(["--sync-interval", "1s"])
            .args(["--listen", &format!("127.0.0.1:{vp}")])
            .env("SONOD_LOG", "warn");
        let verifier = start(cmd, vp, &dir.path().join("verifier.log"));
        let token = std::fs::read_to_string(keys.join("dev-token"))
            .expect("dev token")
            .trim()
            .to_owned();
        Sonod {
            dir,
            issuer,
            verifier,
            token,
            admin_token,
        }
    }

    /// The messages the development SMS file holds for `mobile` (`01…`), oldest first.
    pub fn sms_to(&self, mobile: &str) -> Vec<Value> {
        let to = format!("+88{}", mobile.trim_start_matches("+88"));
        let path = self.dir.path().join("issuer-data/sms-dev.jsonl");
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|m| m["to"] == to.as_str())
            .collect()
    }

    /// Waits (up to 20 s) for a message of `kind` to `mobile` beyond the first `seen`; its text.
    pub fn wait_for_sms(&self, mobile: &str, kind: &str, seen: usize) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let of_kind: Vec<Value> = self
                .sms_to(mobile)
                .into_iter()
                .filter(|m| m["kind"] == kind)
                .collect();
            if let Some(m) = of_kind.get(seen) {
                return m["text"].as_str().unwrap_or_default().to_owned();
            }
            assert!(Instant::now() < deadline, "no {kind} SMS to {mobile}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A request to the issuer's API with the development (chairman's) token.
    pub fn api(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        self.api_as(&self.token, method, path, body)
    }

    /// A request to the issuer's API with `token`.
    pub fn api_as(&self, token: &str, method: &str, path: &str, body: Option<&Value>) -> Value {
        let req = ureq::request(method, &format!("{}{path}", self.issuer.url))
            .set("Authorization", &format!("Bearer {token}"));
        let r = match body {
            Some(b) => req
                .set("Content-Type", "application/json")
                .send_string(&b.to_string()),
            None => req.call(),
        };
        match r {
            Ok(r) => serde_json::from_str(&r.into_string().expect("body")).expect("json"),
            Err(ureq::Error::Status(code, r)) => {
                panic!(
                    "{method} {path}: {code} {}",
                    r.into_string().unwrap_or_default()
                )
            }
            Err(e) => panic!("{method} {path}: {e}"),
        }
    }

    /// The verifier's verdict on a QR code's text, once it has caught up with the issuer's
    /// feed and trust list (up to 30 s): the first answer whose `verdict` is `want` and that
    /// mentions `also` (a reason code), else the last answer.
    pub fn verdict(&self, qr_text: &str, want: &str) -> Value {
        self.verdict_with(qr_text, want, "")
    }

    /// [`Sonod::verdict`], waiting also for `also` in the answer.
    pub fn verdict_with(&self, qr_text: &str, want: &str, also: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let body = ureq::post(&format!("{}/api/v1/verify", self.verifier.url))
                .set("Content-Type", "application/json")
                .send_string(&serde_json::json!({ "payload": qr_text }).to_string())
                .expect("verify")
                .into_string()
                .expect("body");
            let v: Value = serde_json::from_str(&body).expect("json");
            if (v["verdict"] == want && v.to_string().contains(also)) || Instant::now() > deadline {
                return v;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

/// The 6-digit code in a sign-in SMS (written in Bangla digits), in Latin digits.
pub fn code_in(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '0'..='9' => Some(c),
            '০'..='৯' => char::from_digit(c as u32 - '০' as u32, 10),
            _ => None,
        })
        .take(6)
        .collect()
}

pub const CHROMIUM: &str =
    "headless Chromium is needed: apt-get install -y chromium fonts-noto-core";

/// Headless Chromium at a phone's width.
pub fn browser(width: u32) -> Browser {
    let path = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|n| {
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
                .map(|d| d.join(n))
                .find(|p| p.is_file())
        })
        .expect(CHROMIUM);
    let options = LaunchOptions::default_builder()
        .path(Some(path))
        .headless(true)
        .sandbox(false)
        .window_size(Some((width, 900)))
        .idle_browser_timeout(Duration::from_secs(120))
        .build()
        .expect("launch options");
    Browser::new(options).expect(CHROMIUM)
}

/// A new tab whose viewport is exactly `width` CSS pixels wide (a window cannot be narrower
/// than 500), as a phone of that width shows pages.
pub fn tab(browser: &Browser, width: u32) -> std::sync::Arc<Tab> {
    let tab = browser.new_tab().expect("tab");
    officials::set_width(&tab, width);
    tab
}

/// Opens `url` and waits for the page.
pub fn open(tab: &Tab, url: &str) {
    tab.navigate_to(url).expect("navigate");
    tab.wait_until_navigated().expect("page loads");
}

/// Types `text` into the field `selector` as a person does (click, then keys).
pub fn type_into(tab: &Tab, selector: &str, text: &str) {
    tab.wait_for_element(selector)
        .unwrap_or_else(|e| panic!("{selector}: {e}"))
        .click()
        .expect("click");
    tab.type_str(text).expect("type");
}

/// Sets form fields by name (text inputs, selects, text areas), as a person fills a long
/// form; the values go in as typed characters would.
pub fn fill(tab: &Tab, values: &[(&str, &str)]) {
    let map: serde_json::Map<String, Value> = values
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned())))
        .collect();
    let js = format!(
        "(() => {{ const v = {}; for (const [k, x] of Object.entries(v)) {{ \
         const el = document.querySelector(`[name=\"${{k}}\"]`); \
         if (!el) throw new Error('no field ' + k); el.value = x; }} return true; }})()",
        Value::Object(map)
    );
    let r = tab.evaluate(&js, false).expect("fill");
    assert_eq!(r.value, Some(Value::Bool(true)), "fill {values:?}");
}

/// Presses the button `selector` and waits for the page it leads to.
pub fn press(tab: &Tab, selector: &str) {
    tab.wait_for_element(selector)
        .unwrap_or_else(|e| panic!("{selector}: {e}"))
        .click()
        .expect("click");
    tab.wait_until_navigated().expect("next page");
}

/// The page's text as shown.
pub fn text(tab: &Tab) -> String {
    tab.wait_for_element("body")
        .expect("body")
        .get_inner_text()
        .expect("text")
}

/// The cookies the browser holds for the page, as a `Cookie` header.
pub fn cookie_header(tab: &Tab) -> String {
    tab.get_cookies()
        .expect("cookies")
        .iter()
        .map(|c| format!("{}={}", c.name, c.value))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Keeps a screenshot of the page as `<name>.png` in `SONOD_SCREENSHOT_DIR`, when set.
pub fn screenshot(tab: &Tab, name: &str) {
    let Some(dir) = std::env::var_os("SONOD_SCREENSHOT_DIR") else {
        return;
    };
    // Just after a navigation Chromium may still be swapping the page in ("not attached to
    // an active page"): try again a moment later.
    let mut tries = 0;
    let png = loop {
        match tab.capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true) {
            Ok(png) => break png,
            Err(e) if tries < 10 => {
                tries += 1;
                eprintln!("screenshot {name}: {e}; again");
                std::thread::sleep(Duration::from_millis(300));
            }
            Err(e) => panic!("screenshot {name}: {e}"),
        }
    };
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    std::fs::write(Path::new(&dir).join(format!("{name}.png")), png).expect("write screenshot");
}

/// The first page of a PDF rasterised at 150 dpi (poppler's `pdftoppm`).
pub fn rasterise(pdf: &[u8]) -> image::DynamicImage {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("c.pdf");
    std::fs::write(&path, pdf).expect("write pdf");
    let status = Command::new("pdftoppm")
        .args(["-r", "150", "-png", "-singlefile"])
        .arg(&path)
        .arg(dir.path().join("page"))
        .status()
        .expect("pdftoppm is needed: apt-get install -y poppler-utils");
    assert!(status.success(), "pdftoppm failed");
    image::open(dir.path().join("page.png")).expect("the rasterised page")
}

/// `href` on the issuer, fetched with the browser's cookies (a PDF as its link gives it).
pub fn download(sonod: &Sonod, tab: &Tab, href: &str) -> Vec<u8> {
    let r = ureq::get(&format!("{}{href}", sonod.issuer.url))
        .set("Cookie", &cookie_header(tab))
        .call()
        .unwrap_or_else(|e| panic!("{href}: {e}"));
    assert_eq!(r.content_type(), "application/pdf", "{href}");
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut r.into_reader(), &mut bytes).expect("PDF bytes");
    bytes
}

/// The one QR code on a PDF's first page, rasterised at 150 dpi as a printer would.
pub fn qr_on_pdf(pdf: &[u8]) -> String {
    let mut png = Vec::new();
    rasterise(pdf)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("png");
    // The scanner's time budget, generous: a debug build on a busy machine reads slowly.
    let limits = sonod_scan::Limits {
        budget: Duration::from_secs(60),
        ..sonod_scan::Limits::default()
    };
    let codes = sonod_scan::decode_image_bytes(&png, &limits).expect("the printed page reads");
    assert_eq!(codes.len(), 1, "one QR code on the certificate");
    codes.into_iter().next().expect("a code")
}
