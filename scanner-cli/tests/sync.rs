//! `sonod-scan sync` and `--verifier` against a real issuer and a real verifier, started
//! in-process on 127.0.0.1 with development keys (as `sonod-issuer serve --dev-keys` makes
//! them), and offline scans from the snapshot.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value as Json;
use sonod_issuer::server::{AppState as IssuerState, OfficeInfo, ServeConfig};
use sonod_issuer::Store;
use sonod_keys::{ensure_dev_keys, today_dhaka, DevOptions, SecretKey};
use sonod_seal::feed::RevocationReason;
use sonod_seal::{Certificate, Host, Record, Sealed};
use sonod_verifier::server::{AppState as VerifierState, Config};
use sonod_verifier::TrustSource;
use tempfile::TempDir;
use tokio::sync::oneshot;

struct World {
    dir: TempDir,
    keys: PathBuf,
    key: SecretKey,
    _rt: tokio::runtime::Runtime,
    issuer: IssuerState,
    issuer_url: String,
    verifier: VerifierState,
    verifier_url: String,
    stops: Vec<oneshot::Sender<()>>,
    /// Feed events made so far.
    events: std::cell::Cell<u64>,
}

impl Drop for World {
    fn drop(&mut self) {
        for s in self.stops.drain(..) {
            let _ = s.send(());
        }
    }
}

fn record(issued: time::Date) -> Record {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../seal/tests/data/benchmark-record.json"),
    )
    .unwrap();
    let mut j: Json = serde_json::from_str(&text).unwrap();
    j["issued"] = Json::from(issued.to_string());
    j["expires"] = Json::from((issued + time::Duration::days(300)).to_string());
    Record::from_json(&j).unwrap()
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("keys");
        let dev = ensure_dev_keys(&keys, &DevOptions::default()).unwrap();
        let key = sonod_keys::read_secret_key(dev.office_key_path(), || {
            Ok(sonod_keys::Passphrase::new(String::new()))
        })
        .unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let mut stops = Vec::new();
        let issuer = IssuerState::new(
            ServeConfig {
                office: OfficeInfo {
                    code: "100524".into(),
                    name_bn: "সাভার পৌরসভা (উন্নয়ন)".into(),
                    name_en: "Savar Paurashava (development)".into(),
                },
                key_path: dev.office_key_path(),
                trust_path: dev.trust_list_path(),
                root_path: dev.root_pub_path(),
                verifier_host: Some("localhost:8081".parse().unwrap()),
                request_timeout: Duration::from_secs(10),
                development: true,
            },
            Store::open(&dir.path().join("issuer")).unwrap(),
        )
        .unwrap();
        let issuer_url = rt.block_on(async {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = l.local_addr().unwrap();
            let (tx, rx) = oneshot::channel::<()>();
            stops.push(tx);
            let st = issuer.clone();
            tokio::spawn(async move {
                let _ = sonod_issuer::server::run(l, st, async {
                    let _ = rx.await;
                })
                .await;
            });
            format!("http://{addr}")
        });
        let root = sonod_keys::read_public_key(dev.root_pub_path()).unwrap();
        let mut c = Config::new(
            dir.path().join("verifier"),
            TrustSource::File(dev.trust_list_path()),
            root,
        );
        c.issuers = vec![issuer_url.clone()];
        c.sync_interval = Duration::from_millis(150);
        c.rate_limit_per_minute = 0;
        let (verifier, verifier_url) = rt.block_on(async {
            let state = VerifierState::new(c).await.unwrap();
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = l.local_addr().unwrap();
            let (tx, rx) = oneshot::channel::<()>();
            stops.push(tx);
            let st = state.clone();
            tokio::spawn(async move {
                let _ = sonod_verifier::server::run(l, st, async {
                    let _ = rx.await;
                })
                .await;
            });
            (state, format!("http://{addr}"))
        });
        World {
            dir,
            keys,
            key,
            _rt: rt,
            issuer,
            issuer_url,
            verifier,
            verifier_url,
            stops,
            events: std::cell::Cell::new(0),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn root(&self) -> PathBuf {
        self.keys.join("root.pub.pem")
    }

    fn trust(&self) -> PathBuf {
        self.keys.join("trust.json")
    }

    /// Issues a certificate dated today through the issuer's ledger; its serial and QR text.
    fn issue(&self) -> (u64, String) {
        let ledger = self.issuer.ledger();
        let out = ledger
            .issue(&record(today_dhaka()), &self.issuer.key(), "test", None)
            .unwrap();
        ledger.issued_durable_blocking(&out).unwrap();
        self.events.set(self.events.get() + 1);
        let host: Host = "localhost:8081".parse().unwrap();
        let text = sonod_seal::qr_text(&out.certificate.sealed, Some(&host));
        (out.certificate.serial, text)
    }

    fn revoke(&self, serial: u64) {
        let ledger = self.issuer.ledger();
        ledger
            .revoke(serial, RevocationReason::Fraud, "", "test")
            .unwrap();
        ledger.store().commit().unwrap();
        self.events.set(self.events.get() + 1);
    }

    /// Waits until the verifier has replicated (and mirrored) the issuer's whole feed and a
    /// status list at its head.
    fn wait_for_verifier(&self) {
        let r = self.verifier.replica().clone();
        let start = Instant::now();
        let head = self.events.get();
        while start.elapsed() < Duration::from_secs(20 + head / 500) {
            if self.issuer.ledger().head() == head
                && r.office("100524").is_some_and(|o| o.position == head)
                && r.mirror_end("100524") == head
                && r.status_list("100524").is_some_and(|(p, _)| p >= head)
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "the verifier did not catch up with {head}: {:?}, mirror at {}, status list at {:?}, {:?}",
            r.office("100524"),
            r.mirror_end("100524"),
            r.status_list("100524").map(|(p, _)| p),
            self.verifier.feeds()[0].status()
        );
    }

    /// A certificate sealed with the office key but never recorded: a forgery with a stolen
    /// key. Dated yesterday, so that a feed synced today covers its issue date.
    fn never_issued(&self) -> String {
        let yesterday = today_dhaka().previous_day().unwrap();
        Sealed::seal(&Certificate::new(9_999, &record(yesterday)), &self.key)
            .unwrap()
            .to_qr_text(None)
    }

    fn png(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path(name);
        qrcode::QrCode::new(text.as_bytes())
            .unwrap()
            .render::<image::Luma<u8>>()
            .module_dimensions(4, 4)
            .quiet_zone(true)
            .build()
            .save(&path)
            .unwrap();
        path
    }

    fn store(&self) -> PathBuf {
        self.path("store")
    }

    fn sync_cmd(&self, from: &str) -> Command {
        let mut cmd = bare();
        cmd.args(["sync", "--from", from, "--json"])
            .arg("--store")
            .arg(self.store())
            .arg("--root")
            .arg(self.root());
        cmd
    }

    fn sync(&self, from: &str) -> Json {
        let (code, stdout, stderr) = run(&mut self.sync_cmd(from));
        assert_eq!(code, 0, "{stderr}");
        serde_json::from_str(&stdout).unwrap()
    }

    fn scan(&self) -> Command {
        let mut cmd = bare();
        cmd.arg("--store").arg(self.store());
        cmd
    }
}

fn bare() -> Command {
    let mut cmd = Command::cargo_bin("sonod-scan").unwrap();
    for v in [
        "SONOD_TRUST",
        "SONOD_ROOT",
        "SONOD_SCAN_STORE",
        "SONOD_SCAN_VERIFIER",
        "SONOD_SYNC_FROM",
    ] {
        cmd.env_remove(v);
    }
    cmd.env("XDG_DATA_HOME", "/nonexistent/sonod-test-data");
    cmd.timeout(Duration::from_secs(60));
    cmd
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8(stdout).unwrap(),
        String::from_utf8(stderr).unwrap(),
    );
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    (status.code().expect("exited normally"), stdout, stderr)
}

fn verdicts(stdout: &str) -> Vec<Json> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Whether the end of yesterday (plus the issue grace) has passed: before that, no feed can
/// prove a certificate dated yesterday was never issued.
fn yesterday_is_covered() -> bool {
    let yesterday = today_dhaka().previous_day().unwrap();
    time::OffsetDateTime::now_utc().unix_timestamp()
        > sonod_verifier::end_of_day_dhaka(yesterday) + sonod_verifier::ISSUE_GRACE_SECONDS + 5
}

#[test]
fn sync_from_a_verifier_then_scan_offline() {
    let w = World::new();
    let (s1, t1) = w.issue();
    let (s2, t2) = w.issue();
    let (_s3, _t3) = w.issue();
    w.revoke(s2);
    w.wait_for_verifier();

    let summary = w.sync(&w.verifier_url);
    assert_eq!(summary["source_kind"], "verifier");
    assert_eq!(summary["offices"], 1);
    assert_eq!(summary["events"], 4, "{summary}");
    let manifest = sonod_scan::read_manifest(&w.store()).unwrap().unwrap();
    let office = &manifest.offices["100524"];
    assert_eq!(office.position, 4);
    assert_eq!(office.revoked_count, 1);
    assert_eq!(office.issued.iter().map(|s| s.count).sum::<u64>(), 3);

    let valid = w.png("valid.png", &t1);
    let revoked = w.png("revoked.png", &t2);
    let forged = w.png("forged.png", &w.never_issued());
    let (code, stdout, stderr) = run(w
        .scan()
        .arg("--json")
        .arg(&valid)
        .arg(&revoked)
        .arg(&forged));
    assert_eq!(code, 1, "{stderr}");
    let v = verdicts(&stdout);
    assert_eq!(v[0]["verdict"], "valid", "{}", v[0]);
    assert_eq!(v[0]["certificate"]["serial"], s1);
    assert_eq!(v[0]["snapshot"]["stale"], false);
    assert_eq!(v[0]["snapshot"]["office_covered"], true);
    assert!(v[0]["snapshot"]["age_seconds"].as_i64().unwrap() < 120);
    assert_eq!(v[1]["verdict"], "revoked", "{}", v[1]);
    assert!(v[1]["reason_en"]
        .as_str()
        .unwrap()
        .contains("obtained by fraud"));
    if yesterday_is_covered() {
        assert_eq!(v[2]["verdict"], "not_issued", "{}", v[2]);
        assert!(v[2].get("certificate").is_none());
    }
    assert_eq!(stderr, "");

    // The human report says how old the snapshot is.
    let (code, stdout, _) = run(w.scan().arg(&valid));
    assert_eq!(code, 0);
    assert!(
        stdout.contains("✔ সঠিক ও বৈধ / Genuine and valid")
            && stdout.contains("  তথ্যভান্ডার / snapshot: ")
            && stdout.contains(" old\n"),
        "{stdout}"
    );

    // A second sync fetches only what is new.
    let (s4, t4) = w.issue();
    w.revoke(s1);
    w.wait_for_verifier();
    let again = w.sync(&w.verifier_url);
    assert_eq!(again["events"], 2, "{again}");
    assert!(again["pages"].as_u64().unwrap() <= 2, "{again}");
    let (code, stdout, _) = run(w
        .scan()
        .arg("--json")
        .arg(w.png("new.png", &t4))
        .arg(&valid));
    assert_eq!(code, 1);
    let v = verdicts(&stdout);
    assert_eq!(v[0]["verdict"], "valid");
    assert_eq!(v[0]["certificate"]["serial"], s4);
    assert_eq!(v[1]["verdict"], "revoked");
    let m = sonod_scan::read_manifest(&w.store()).unwrap().unwrap();
    assert_eq!(m.offices["100524"].position, 6);
    assert_eq!(
        m.offices["100524"].issued.len(),
        2,
        "a new file for the new hashes"
    );
    // Nothing new: no events, the snapshot stays usable.
    let idle = w.sync(&w.verifier_url);
    assert_eq!(idle["events"], 0);
    // A fresh store reads every mirrored page, though each of them ended at the issuer's head
    // when the verifier fetched it.
    let mut fresh = bare();
    fresh
        .args(["sync", "--json", "--from", &w.verifier_url])
        .arg("--store")
        .arg(w.path("fresh"))
        .arg("--root")
        .arg(w.root());
    let (code, stdout, stderr) = run(&mut fresh);
    assert_eq!(code, 0, "{stderr}");
    let all: Json = serde_json::from_str(&stdout).unwrap();
    assert_eq!(all["events"], 6, "{all}");
    assert!(all["pages"].as_u64().unwrap() >= 2, "{all}");

    // Online: the verifier's verdicts, in the same report.
    let (code, stdout, stderr) = run(bare()
        .args(["--json", "--verifier", &w.verifier_url])
        .arg(w.png("new2.png", &t4))
        .arg(&revoked));
    assert_eq!(code, 1, "{stderr}");
    let v = verdicts(&stdout);
    assert_eq!(v[0]["verdict"], "valid", "{}", v[0]);
    assert_eq!(v[0]["certificate"]["serial"], s4);
    assert_eq!(v[0]["verifier"]["url"], w.verifier_url);
    assert_eq!(v[0]["verifier"]["freshness"]["office"], "100524");
    assert_eq!(v[1]["verdict"], "revoked");
    let (code, stdout, _) = run(bare().args(["--verifier", &w.verifier_url]).arg(&forged));
    if yesterday_is_covered() {
        assert_eq!(code, 1);
        assert!(
            stdout.contains("জাল — কখনো প্রদান করা হয়নি / Forged — never issued"),
            "{stdout}"
        );
    }
    assert!(
        stdout.contains(&format!("  যাচাইকারী / verifier: {}", w.verifier_url)),
        "{stdout}"
    );
}

#[test]
fn sync_from_an_issuer_needs_a_trust_list() {
    let w = World::new();
    let (_, t1) = w.issue();
    let (code, stdout, stderr) = run(&mut w.sync_cmd(&w.issuer_url));
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert!(
        stderr.ends_with("ত্রুটি / error: প্রদানকারী বিশ্বাস-তালিকা দেয় না; --trust FILE বা URL দিন / an issuer does not publish the trust list: give --trust FILE or URL\n"),
        "{stderr}"
    );
    assert!(!w.store().join("manifest.json").exists());
    let (code, stdout, stderr) = run(w.sync_cmd(&w.issuer_url).arg("--trust").arg(w.trust()));
    assert_eq!(code, 0, "{stderr}");
    let s: Json = serde_json::from_str(&stdout).unwrap();
    assert_eq!(s["source_kind"], "issuer");
    assert_eq!(s["events"], 1);
    assert!(stderr.contains("প্রদানকারী / issuer"), "{stderr}");
    let (code, stdout, _) = run(w.scan().arg("--json").arg(w.png("v.png", &t1)));
    assert_eq!(code, 0);
    assert_eq!(verdicts(&stdout)[0]["verdict"], "valid");
    if yesterday_is_covered() {
        let (code, stdout, _) = run(w.scan().arg(w.png("f.png", &w.never_issued())));
        assert_eq!(code, 1);
        assert!(stdout.contains("Forged — never issued"), "{stdout}");
    }
}

#[test]
fn a_tampered_snapshot_is_refused_and_a_failed_sync_keeps_the_old_one() {
    let w = World::new();
    let (_, t1) = w.issue();
    w.wait_for_verifier();
    w.sync(&w.verifier_url);
    let png = w.png("v.png", &t1);
    let manifest_before = std::fs::read(w.store().join("manifest.json")).unwrap();

    // A sync that cannot reach its source changes nothing.
    let dead = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let (code, _, stderr) = run(&mut w.sync_cmd(&dead));
    assert_eq!(code, 2);
    assert!(
        stderr.contains(&format!("cannot reach {dead}/api/v1/offices")),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(w.store().join("manifest.json")).unwrap(),
        manifest_before
    );
    let (code, _, stderr) = run(w.scan().arg(&png));
    assert_eq!(code, 0, "{stderr}");

    // Stale: the snapshot is old, the verdict says so.
    let mut m: Json = serde_json::from_slice(&manifest_before).unwrap();
    m["synced_at"] = Json::from(m["synced_at"].as_i64().unwrap() - 10 * 86_400);
    std::fs::write(w.store().join("manifest.json"), m.to_string()).unwrap();
    let (code, stdout, stderr) = run(w.scan().arg(&png));
    assert_eq!(code, 0);
    let warning = "⚠ তথ্যভান্ডার ১০ দিন ০ ঘণ্টা পুরোনো (সীমা ৭ দিন ০ ঘণ্টা): সাম্প্রতিক বাতিল ধরা না-ও পড়তে পারে — `sonod-scan sync` চালান / the snapshot is 10 d 0 h old (limit 7 d 0 h): recent revocations may be missing — run `sonod-scan sync`";
    assert!(stdout.contains(&format!("  {warning}\n")), "{stdout}");
    assert_eq!(stderr, format!("{warning}\n"));
    let (_, stdout, _) = run(w.scan().args(["--json", "--max-age", "30d"]).arg(&png));
    assert_eq!(verdicts(&stdout)[0]["snapshot"]["stale"], false);
    let (_, stdout, _) = run(w.scan().arg("--json").arg(&png));
    assert_eq!(verdicts(&stdout)[0]["snapshot"]["stale"], true);
    std::fs::write(w.store().join("manifest.json"), &manifest_before).unwrap();

    // A changed status list (signed by the office) or issued-hash file: refused.
    let office = &sonod_scan::read_manifest(&w.store())
        .unwrap()
        .unwrap()
        .offices["100524"];
    let status = w.store().join(&office.status_list.as_ref().unwrap().file);
    let original = std::fs::read(&status).unwrap();
    let text = String::from_utf8(original.clone()).unwrap();
    std::fs::write(&status, text.replacen("\"position\":", "\"position\": ", 1)).unwrap();
    let (code, stdout, stderr) = run(w.scan().arg(&png));
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert!(
        stderr.starts_with("ত্রুটি / error: তথ্যভান্ডার ক্ষতিগ্রস্ত বা বদলানো (status-100524-")
            && stderr.contains("snapshot damaged or tampered with (status-100524-")
            && stderr.ends_with("); run `sonod-scan sync` again\n"),
        "{stderr}"
    );
    std::fs::write(&status, &original).unwrap();
    let seg = w.store().join(&office.issued[0].file.file);
    let mut bytes = std::fs::read(&seg).unwrap();
    bytes[24] ^= 0x55;
    std::fs::write(&seg, &bytes).unwrap();
    let (code, stdout, _) = run(w.scan().arg("--json").arg(&png));
    assert_eq!(code, 2);
    let v = verdicts(&stdout);
    assert!(
        v[0]["error"]
            .as_str()
            .unwrap()
            .contains("snapshot damaged or tampered with"),
        "{}",
        v[0]
    );
    // The next sync repairs it.
    w.sync(&w.verifier_url);
    let (code, _, stderr) = run(w.scan().arg(&png));
    assert_eq!(code, 0, "{stderr}");
}

/// A server on 127.0.0.1 that answers every request with `answer` (or never, when `None`).
fn fake_server(answer: Option<&'static str>) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in l.incoming() {
            let Ok(mut s) = stream else { continue };
            std::thread::spawn(move || {
                let mut r = BufReader::new(s.try_clone().unwrap());
                let mut line = String::new();
                while r.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                match answer {
                    Some(a) => {
                        let _ = s.write_all(a.as_bytes());
                    }
                    None => std::thread::sleep(Duration::from_secs(30)),
                }
            });
        }
    });
    url
}

#[test]
fn sync_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    ensure_dev_keys(&keys, &DevOptions::default()).unwrap();
    let store = dir.path().join("store");
    let sync = |from: &str| {
        let mut c = bare();
        c.args(["sync", "--timeout", "1", "--from", from])
            .arg("--store")
            .arg(&store)
            .arg("--root")
            .arg(keys.join("root.pub.pem"));
        run(&mut c)
    };
    let (code, _, stderr) = sync("ftp://example.com");
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "ত্রুটি / error: ঠিকানাটি সঠিক নয় (http:// বা https:// দিয়ে শুরু হতে হবে): ftp://example.com / not a valid URL (must start with http:// or https://): ftp://example.com\n"
    );
    let silent = fake_server(None);
    let (code, _, stderr) = sync(&silent);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(&format!("ত্রুটি / error: {silent}/api/v1/offices সময়মতো উত্তর দেয়নি / {silent}/api/v1/offices timed out")),
        "{stderr}"
    );
    let huge = fake_server(Some(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 900000000\r\n\r\n{",
    ));
    let (code, _, stderr) = sync(&huge);
    assert_eq!(code, 2);
    assert!(
        stderr.ends_with(&format!("ত্রুটি / error: {huge}/api/v1/offices এর উত্তর 4194304 বাইটের চেয়ে বড় / the answer from {huge}/api/v1/offices is larger than 4194304 bytes\n")),
        "{stderr}"
    );
    let nothing = fake_server(Some(
        "HTTP/1.1 404 Not Found\r\ncontent-type: application/problem+json\r\ncontent-length: 2\r\n\r\n{}",
    ));
    let (code, _, stderr) = sync(&nothing);
    assert_eq!(code, 2);
    assert!(
        stderr.ends_with(&format!("ত্রুটি / error: {nothing} সনদ যাচাইকারী বা প্রদানকারী নয় / {nothing} is neither a Sonod verifier nor an issuer\n")),
        "{stderr}"
    );
    assert!(!store.join("manifest.json").exists());
    // No root key: a usage error.
    let (code, _, stderr) = run(bare().args(["sync", "--from", "http://127.0.0.1:1"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("--root"), "{stderr}");
}

#[test]
fn scanning_without_a_snapshot_says_how_to_make_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("none");
    let png = dir.path().join("x.png");
    qrcode::QrCode::new(b"HELLO")
        .unwrap()
        .render::<image::Luma<u8>>()
        .build()
        .save(&png)
        .unwrap();
    let (code, stdout, stderr) = run(bare().arg("--store").arg(&store).arg(&png));
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        format!(
            "ত্রুটি / error: {0} এ কোনো তথ্যভান্ডার নেই; আগে `sonod-scan sync --from URL` চালান, অথবা --trust ও --root দিন / no snapshot in {0}: run `sonod-scan sync --from URL` first, or give --trust and --root\n",
            store.display()
        )
    );
    // Online with a verifier that cannot be reached: an error for the input, exit 2.
    let (code, stdout, _) = run(bare()
        .args(["--verifier", "http://127.0.0.1:1", "--json"])
        .arg(&png));
    assert_eq!(code, 2);
    let v = verdicts(&stdout);
    assert!(
        v[0]["error"]
            .as_str()
            .unwrap()
            .contains("cannot reach http://127.0.0.1:1/api/v1/verify"),
        "{}",
        v[0]
    );
}

/// Figures for the docs: `SONOD_SYNC_N=100000 cargo test -p sonod-scan --test sync --
/// --ignored --nocapture figures`.
#[test]
#[ignore]
fn figures_for_many_certificates() {
    let n: u64 = std::env::var("SONOD_SYNC_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let w = World::new();
    let ledger = w.issuer.ledger();
    let t = Instant::now();
    let rec = record(today_dhaka());
    let key = w.issuer.key();
    let mut last = None;
    for _ in 0..n {
        last = Some(ledger.issue(&rec, &key, "bench", None).unwrap());
    }
    ledger.issued_durable_blocking(&last.unwrap()).unwrap();
    for serial in (1..=n).step_by(100) {
        ledger
            .revoke(serial, RevocationReason::Other, "", "bench")
            .unwrap();
    }
    ledger.store().commit().unwrap();
    w.events.set(n + n.div_ceil(100));
    let issued = t.elapsed();
    let t = Instant::now();
    w.wait_for_verifier();
    let replicated = t.elapsed();
    let t = Instant::now();
    let s = w.sync(&w.verifier_url);
    let from_verifier = t.elapsed();
    assert_eq!(s["events"], n + n.div_ceil(100), "{s}");
    let t = Instant::now();
    let again = w.sync(&w.verifier_url);
    let idle = t.elapsed();
    let (_, text) = w.issue();
    let png = w.png("v.png", &text);
    w.wait_for_verifier();
    w.sync(&w.verifier_url);
    let t = Instant::now();
    let (code, _, _) = run(w.scan().arg(&png));
    let scan = t.elapsed();
    assert_eq!(code, 0);
    let mut c = bare();
    c.args(["sync", "--json", "--from", &w.issuer_url])
        .arg("--store")
        .arg(w.path("store2"))
        .arg("--root")
        .arg(w.root())
        .arg("--trust")
        .arg(w.trust());
    let t = Instant::now();
    let (code, stdout, stderr) = run(&mut c);
    let from_issuer = t.elapsed();
    assert_eq!(code, 0, "{stderr}");
    let si: Json = serde_json::from_str(&stdout).unwrap();
    assert_eq!(si["events"], n + n.div_ceil(100) + 1, "{si}");
    println!(
        "{n} certificates ({} revoked): issued in {issued:?}, replicated in {replicated:?}, \
         verifier mirror {} pages; sync from verifier {from_verifier:?}: {} pages, {} bytes \
         fetched, snapshot {} bytes; idle re-sync {idle:?} ({} pages); sync from issuer \
         {from_issuer:?}: {} pages, {} bytes fetched, snapshot {} bytes; one offline scan \
         (load + decode + judge) {scan:?}",
        n.div_ceil(100),
        w.verifier.replica().mirror_pages("100524"),
        s["pages"],
        s["bytes_fetched"],
        s["snapshot_bytes"],
        again["pages"],
        si["pages"],
        si["bytes_fetched"],
        si["snapshot_bytes"],
    );
}
