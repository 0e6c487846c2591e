//! `sonod-scan sync` and `--verifier` against a real issuer and a real verifier, started
//! in-process on 127.0.0.1 with development keys (as `sonod-issuer serve --dev-keys` makes
//! them), and offline scans from the snapshot.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value as Json;
use sonod_issuer::server::{AppState as IssuerState, OfficeInfo, ServeConfig};
use sonod_issuer::Store;
use sonod_keys::{ensure_dev_keys, today_dhaka, DevOptions, SecretKey, TrustEntry, TrustListDraft};
use sonod_seal::feed::RevocationReason;
use sonod_seal::{Certificate, Host, Record, Sealed};
use sonod_testkit::run;
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
                    code: "100524".parse().unwrap(),
                    name_bn: "সাভার পৌরসভা (উন্নয়ন)".into(),
                    name_en: "Savar Paurashava (development)".into(),
                },
                key_path: dev.office_key_path(),
                trust_path: dev.trust_list_path(),
                root_path: dev.root_pub_path(),
                verifier_host: Some("localhost:8081".parse().unwrap()),
                request_timeout: Duration::from_secs(10),
                development: true,
                wording_dir: None,
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
                && r.office(&"100524".parse().unwrap())
                    .is_some_and(|o| o.position == head)
                && r.mirror_end(&"100524".parse().unwrap()) == head
                && r.status_list(&"100524".parse().unwrap())
                    .is_some_and(|(p, _)| p >= head)
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "the verifier did not catch up with {head}: {:?}, mirror at {}, status list at {:?}, {:?}",
            r.office(&"100524".parse().unwrap()),
            r.mirror_end(&"100524".parse().unwrap()),
            r.status_list(&"100524".parse().unwrap()).map(|(p, _)| p),
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

    /// `sonod-scan` with the environment cleared, its state kept in this world's folder.
    fn bare(&self) -> Command {
        let mut cmd = bare();
        cmd.env("XDG_STATE_HOME", self.path("state"));
        cmd
    }

    fn sync_cmd(&self, from: &str) -> Command {
        let mut cmd = self.bare();
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

    /// An offline scan from the store, with the root key given as a kiosk's pinned one would
    /// be (the store holds none).
    fn scan(&self) -> Command {
        let mut cmd = self.bare();
        cmd.arg("--store")
            .arg(self.store())
            .arg("--root")
            .arg(self.root());
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
    cmd.env("XDG_DATA_HOME", "/nonexistent/sonod-test-data")
        .env("XDG_STATE_HOME", "/nonexistent/sonod-test-state");
    cmd.timeout(Duration::from_secs(60));
    cmd
}

fn manifest(w: &World) -> Json {
    serde_json::from_slice(&std::fs::read(w.store().join("manifest.json")).unwrap()).unwrap()
}

fn save_manifest(w: &World, m: &Json) {
    std::fs::write(w.store().join("manifest.json"), m.to_string()).unwrap();
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Writes `bytes` as `name` in the store; its manifest entry.
fn put_file(w: &World, name: &str, bytes: &[u8]) -> Json {
    std::fs::write(w.store().join(name), bytes).unwrap();
    serde_json::json!({"file": name, "bytes": bytes.len(), "sha256": sha256_hex(bytes)})
}

/// What an office's `covered_at` is by its signed status list and head page (docs/FEED.md),
/// as someone rewriting the manifest would work it out.
fn signed_covered_at(w: &World, office: &Json) -> Option<i64> {
    let read = |r: &Json| -> Option<Json> {
        use std::io::Read;
        let name = r["file"].as_str()?;
        let mut bytes = std::fs::read(w.store().join(name)).unwrap();
        if name.ends_with(".z") {
            let mut out = Vec::new();
            flate2::read::ZlibDecoder::new(&bytes[..])
                .read_to_end(&mut out)
                .unwrap();
            bytes = out;
        }
        serde_json::from_slice(&bytes).ok()
    };
    let position = office["position"].as_u64().unwrap();
    let by_status = read(&office["status_list"])
        .filter(|l| l["signed"]["position"].as_u64().unwrap() <= position)
        .map(|l| l["signed"]["generated_at"].as_i64().unwrap());
    let by_head = read(&office["head_page"]).map(|p| p["signed"]["generated_at"].as_i64().unwrap());
    by_status.max(by_head)
}

/// The JSON lines of a run, but for the summary that ends a run of several files.
fn verdicts(stdout: &str) -> Vec<Json> {
    stdout
        .lines()
        .map(|l| serde_json::from_str::<Json>(l).unwrap())
        .filter(|j| j.get("summary").is_none())
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

    // A look-alike link: the certificate checks out, but the headline is never plain green;
    // this machine's own address (which a development setup prints) is not warned about.
    assert!(t1.contains("LOCALHOST:8081"), "{t1}");
    let evil = w.png("evil.png", &t1.replace("LOCALHOST:8081", "EVIL.EXAMPLE"));
    let (code, stdout, _) = run(w.scan().arg("--bell").arg(&evil));
    assert_eq!(code, 0, "the certificate is genuine");
    assert!(
        stdout.starts_with(&format!(
            "{}: ⚠ সতর্কতা — কিউআর কোডের লিংক অচেনা ওয়েবসাইটের / Warning — the QR code links to an unknown website\n",
            evil.display()
        )) && stdout.contains("is not an official verifier: do not trust that link")
            && stdout.ends_with("\x07\x07"),
        "{stdout:?}"
    );
    let local = w.png("local.png", &t1.replace("LOCALHOST:8081", "127.0.0.1:8081"));
    let (code, stdout, _) = run(w.scan().arg(&local));
    assert_eq!(code, 0);
    assert!(
        stdout.contains("✔ সঠিক ও বৈধ / Genuine and valid")
            && !stdout.contains("not an official verifier"),
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
    let mut fresh = w.bare();
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
    let (code, stdout, stderr) = run(w
        .bare()
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
    let (code, stdout, _) = run(w.bare().args(["--verifier", &w.verifier_url]).arg(&forged));
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

    // The snapshot's age is the office's signed time, not the manifest's own: moving
    // `synced_at` changes nothing (it used to decide when the signed time was missing).
    let mut m: Json = serde_json::from_slice(&manifest_before).unwrap();
    m["synced_at"] = Json::from(m["synced_at"].as_i64().unwrap() - 10 * 86_400);
    std::fs::write(w.store().join("manifest.json"), m.to_string()).unwrap();
    let (code, _, stderr) = run(w.scan().arg(&png));
    assert_eq!((code, stderr.as_str()), (0, ""));
    std::fs::write(w.store().join("manifest.json"), &manifest_before).unwrap();

    // Stale: a snapshot older than --max-age cannot vouch for a certificate. It used to print
    // "✔ Genuine and valid" (exit 0) under a warning; now the verdict itself says so.
    std::thread::sleep(Duration::from_millis(2100));
    let (code, stdout, stderr) = run(w.scan().args(["--max-age", "1s"]).arg(&png));
    assert_eq!(code, 3, "{stdout}{stderr}");
    assert!(
        stdout.starts_with(&format!(
            "{}: ? স্বাক্ষর সঠিক — যাচাই অসম্পূর্ণ / Signature genuine — not fully checked\n  কারণ / reason: অফিসের স্বাক্ষর সঠিক, কিন্তু অফিসের প্রকাশিত তালিকা অনেক আগে পড়া হয়েছে",
            png.display()
        )),
        "{stdout}"
    );
    let warning = " old (limit 1 s): recent revocations may be missing — run `sonod-scan sync`\n";
    assert!(stdout.contains(warning), "{stdout}");
    assert!(
        stderr.starts_with("⚠ তথ্যভান্ডার ") && stderr.ends_with(warning),
        "{stderr}"
    );
    let (code, stdout, _) = run(w.scan().args(["--json", "--max-age", "1s"]).arg(&png));
    assert_eq!(code, 3);
    let v = &verdicts(&stdout)[0];
    assert_eq!(
        (&v["verdict"], &v["valid"]),
        (&Json::from("unconfirmed"), &Json::from(false))
    );
    assert_eq!(v["unchecked"]["code"], "stale");
    assert_eq!(v["unchecked"]["issuance_checked"], true);
    assert_eq!(v["unchecked"]["revocation_checked"], false);
    assert_eq!(v["snapshot"]["stale"], true);
    assert_eq!(
        v["unchecked"]["as_of"].as_i64(),
        manifest(&w)["offices"]["100524"]["covered_at"].as_i64()
    );
    let (code, stdout, _) = run(w.scan().args(["--json", "--max-age", "30d"]).arg(&png));
    assert_eq!(code, 0);
    assert_eq!(verdicts(&stdout)[0]["snapshot"]["stale"], false);

    // The manifest's `covered_at` must be what the signed documents say: nulled (which
    // used to switch `not_issued` off and make the age the manifest's own) or moved later,
    // the store is refused.
    for covered in [Json::Null, Json::from(4_000_000_000i64)] {
        let mut m: Json = serde_json::from_slice(&manifest_before).unwrap();
        m["offices"]["100524"]["covered_at"] = covered;
        std::fs::write(w.store().join("manifest.json"), m.to_string()).unwrap();
        let (code, stdout, stderr) = run(w.scan().arg(&png));
        assert_eq!((code, stdout.as_str()), (2, ""));
        assert!(
            stderr.contains("snapshot damaged or tampered with (office 100524: the manifest says complete as of"),
            "{stderr}"
        );
    }
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
        stderr.ends_with(&format!("ত্রুটি / error: {huge}/api/v1/offices এর উত্তর ৪১৯৪৩০৪ বাইটের চেয়ে বড় / the answer from {huge}/api/v1/offices is larger than 4194304 bytes\n")),
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
    let mut c = w.bare();
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
        w.verifier
            .replica()
            .mirror_pages(&"100524".parse().unwrap()),
        s["pages"],
        s["bytes_fetched"],
        s["snapshot_bytes"],
        again["pages"],
        si["pages"],
        si["bytes_fetched"],
        si["snapshot_bytes"],
    );
}

/// Regression (issue 12, point 4): a scan without `--root` used the `root.pub.pem` saved in the
/// store, so whoever could write the store could put in their own root and a trust list it
/// signed (the office's keys and theirs), and their forgeries read valid. The store's copy is
/// no trust anchor now: with nothing pinned and no `--root` the scan refuses, and the genuine
/// root refuses the swapped list.
#[test]
fn a_root_key_and_trust_list_swapped_in_the_store_are_refused() {
    let w = World::new();
    let (_, t1) = w.issue();
    w.wait_for_verifier();
    w.sync(&w.verifier_url);
    let png = w.png("v.png", &t1);
    assert!(
        !w.store().join("root.pub.pem").exists(),
        "the store keeps no root key"
    );
    // The attacker's root and list: the genuine entries, plus a key of their own for the
    // office.
    let evil_root = SecretKey::generate();
    let evil_office = SecretKey::generate();
    let mut draft = TrustListDraft::read(w.trust()).unwrap();
    let genuine = draft.entries()[0].clone();
    draft
        .add_key(TrustEntry::new(
            evil_office.verifying_key(),
            genuine.office,
            genuine.office_name_bn,
            genuine.office_name_en,
            genuine.not_before,
            genuine.not_after,
            genuine.verifier_hosts,
        ))
        .unwrap();
    draft.sign_on(&evil_root, None, today_dhaka()).unwrap();
    let evil_list = draft.to_json_pretty();
    let mut m = manifest(&w);
    m["trust_list"] = put_file(&w, "trust-evil.json", evil_list.as_bytes());
    save_manifest(&w, &m);
    sonod_keys::write_public_key(w.store().join("root.pub.pem"), &evil_root.verifying_key())
        .unwrap();
    let forged = Sealed::seal(
        &Certificate::new(9_999, &record(today_dhaka())),
        &evil_office,
    )
    .unwrap()
    .to_qr_text(None);
    let forged = w.png("forged.png", &forged);

    // No root pinned and none given: no verdict at all.
    let mut kiosk = w.bare();
    kiosk.arg("--store").arg(w.store()).arg(&forged).arg(&png);
    let (code, stdout, stderr) = run(&mut kiosk);
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    assert!(
        stderr.contains("no root key: give --root FILE, or install the root key as /etc/sonod/root.pub.pem (owned by the administrator); the copy in a snapshot store is never trusted"),
        "{stderr}"
    );
    // The genuine root: the swapped list is not its.
    let (code, stdout, stderr) = run(w.scan().arg(&forged).arg(&png));
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    assert!(
        stderr.contains("trust list is signed by another root key"),
        "{stderr}"
    );
}

/// Regression (issue 12, point 4): the revocations were an unsigned file of the store, and the
/// status list could be swapped for an older genuine one; with both done and the checksums
/// fixed, a revoked certificate read valid. Now the pages after the status list's position
/// are verified on every load and carry the revocation.
#[test]
fn dropping_a_revocation_from_the_store_keeps_it_revoked() {
    let w = World::new();
    let (_, t1) = w.issue();
    let (s2, t2) = w.issue();
    w.wait_for_verifier();
    w.sync(&w.verifier_url);
    let before = manifest(&w);
    let old_status_ref = before["offices"]["100524"]["status_list"].clone();
    let old_status =
        std::fs::read(w.store().join(old_status_ref["file"].as_str().unwrap())).unwrap();
    w.revoke(s2);
    w.wait_for_verifier();
    w.sync(&w.verifier_url);
    let (valid, revoked) = (w.png("v.png", &t1), w.png("r.png", &t2));
    let (code, stdout, _) = run(w.scan().arg("--json").arg(&revoked));
    assert_eq!(
        (code, verdicts(&stdout)[0]["verdict"].as_str()),
        (1, Some("revoked"))
    );

    // The older genuine status list (without the revocation) back, the revocation pointers
    // gone, and the manifest made to fit: checksums, counts, `covered_at`.
    let mut m = manifest(&w);
    let office = &mut m["offices"]["100524"];
    let name = old_status_ref["file"].as_str().unwrap();
    office["status_list"] = put_file(&w, name, &old_status);
    office["revoked"] = Json::Null;
    office["revoked_count"] = Json::from(0);
    let covered = signed_covered_at(&w, office);
    office["covered_at"] = Json::from(covered);
    save_manifest(&w, &m);

    let (code, stdout, stderr) = run(w.scan().arg("--json").arg(&revoked).arg(&valid));
    assert_eq!(code, 1, "{stdout}{stderr}");
    let v = verdicts(&stdout);
    assert_eq!(v[0]["verdict"], "revoked", "{}", v[0]);
    assert!(
        v[0]["reason_en"]
            .as_str()
            .unwrap()
            .contains("obtained by fraud"),
        "the signed event's reason: {}",
        v[0]
    );
    assert_eq!(
        v[1]["verdict"], "valid",
        "the store is still usable: {}",
        v[1]
    );
}

/// The issued index in the segment format of docs/FEED.md, with one entry.
fn one_entry_index(prefix: &[u8], page: u32) -> (Vec<u8>, String) {
    use sha2::Digest;
    let mut entry = prefix[..16].to_vec();
    entry.extend_from_slice(&page.to_le_bytes());
    let mut header = b"SONODIH2".to_vec();
    header.extend_from_slice(&1u64.to_le_bytes());
    header.extend_from_slice(&1u32.to_le_bytes());
    header.extend_from_slice(&[0; 4]);
    let mut index = prefix[..16].to_vec();
    index.extend_from_slice(&sha2::Sha256::digest(&entry));
    let file = [&header[..], &entry, &index].concat();
    (file, sha256_hex(&[&header[..], &index].concat()))
}

/// Regression (issue 12, point 4): the issued index was unsigned, so a forgery's hash added
/// to it (checksums fixed) read as issued and valid. Now a hit must be confirmed by the
/// office-signed page the index points to.
#[test]
fn a_hash_added_to_the_issued_index_without_a_signed_page_is_refused() {
    let w = World::new();
    let (_, t1) = w.issue();
    w.wait_for_verifier();
    w.sync(&w.verifier_url);
    // A forgery made with the stolen office key, dated today: not in the feed.
    let sealed = Sealed::seal(&Certificate::new(9_999, &record(today_dhaka())), &w.key).unwrap();
    let forged = w.png("forged.png", &sealed.to_qr_text(None));
    let (code, stdout, _) = run(w.scan().arg("--json").arg(&forged));
    assert_eq!(code, 3);
    assert_eq!(verdicts(&stdout)[0]["verdict"], "unconfirmed");

    use sha2::Digest;
    let hash = sha2::Sha256::digest(sealed.as_bytes());
    let before = manifest(&w);
    for page in [0u32, 7] {
        let (bytes, sha) = one_entry_index(&hash, page);
        let mut m = before.clone();
        let mut r = put_file(&w, &format!("issued-100524-forged{page}.bin"), &bytes);
        r["sha256"] = Json::from(sha);
        r["count"] = Json::from(1);
        m["offices"]["100524"]["issued"]
            .as_array_mut()
            .unwrap()
            .push(r);
        save_manifest(&w, &m);
        let (code, stdout, stderr) = run(w.scan().arg("--json").arg(&forged));
        assert_eq!(code, 2, "page {page}: {stdout}{stderr}");
        let v = verdicts(&stdout);
        assert!(v[0].get("verdict").is_none(), "no verdict: {}", v[0]);
        assert!(
            v[0]["error"]
                .as_str()
                .unwrap()
                .contains("snapshot damaged or tampered with (office 100524"),
            "{}",
            v[0]
        );
    }
    // The genuine certificate is still confirmed by its page.
    save_manifest(&w, &before);
    let (code, _, stderr) = run(w.scan().arg(w.png("v.png", &t1)));
    assert_eq!(code, 0, "{stderr}");
}

/// Regression (issue 12, points 4 and 5): an older genuine trust list, which may still trust a
/// key since marked compromised, was accepted from the store. The highest sequence seen is
/// kept outside the store, and a lower one is refused, by a scan and by a sync.
#[test]
fn an_older_genuine_trust_list_put_back_in_the_store_is_refused() {
    let w = World::new();
    let (_, t1) = w.issue();
    w.wait_for_verifier();
    w.sync(&w.verifier_url);
    let png = w.png("v.png", &t1);
    let before = manifest(&w);
    let first = std::fs::read(
        w.store()
            .join(before["trust_list"]["file"].as_str().unwrap()),
    )
    .unwrap();
    // The authority signs sequence 2; the kiosk syncs it.
    let dev = ensure_dev_keys(&w.keys, &DevOptions::default()).unwrap();
    let root = sonod_keys::read_secret_key(dev.root_key_path(), || {
        Ok(sonod_keys::Passphrase::new(String::new()))
    })
    .unwrap();
    let mut draft = TrustListDraft::read(w.trust()).unwrap();
    draft.sign_on(&root, None, today_dhaka()).unwrap();
    let second = w.path("trust-2.json");
    draft.write(&second).unwrap();
    let (code, _, stderr) = run(w.sync_cmd(&w.verifier_url).arg("--trust").arg(&second));
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = run(w.scan().arg(&png));
    assert_eq!(code, 0, "{stderr}");

    // Sequence 1 put back, checksums fixed.
    let mut m = manifest(&w);
    m["trust_list"] = put_file(&w, "trust-old.json", &first);
    save_manifest(&w, &m);
    let (code, stdout, stderr) = run(w.scan().arg(&png));
    assert_eq!((code, stdout.as_str()), (2, ""));
    let state = w.path("state/sonod-scan/trust-sequence.json");
    assert!(
        stderr.contains(&format!("the trust list is older than one this machine has already seen (sequence 1, seen 2): an older list may trust a key since marked compromised. Fetch the current one (`sonod-scan sync`); to go back on purpose, delete {}", state.display())),
        "{stderr}"
    );
    // A sync offered sequence 1 (the verifier's own list) refuses it as well.
    let mut fresh = w.bare();
    fresh
        .args(["sync", "--from", &w.verifier_url])
        .arg("--store")
        .arg(w.path("fresh"))
        .arg("--root")
        .arg(w.root());
    let (code, _, stderr) = run(&mut fresh);
    assert_eq!(code, 2);
    assert!(stderr.contains("(sequence 1, seen 2)"), "{stderr}");
}

/// Regression (issue 12, point 4): a copy of an older genuine store put back (with its
/// manifest's times freshened) hid a later revocation behind a fresh-looking age. The age is
/// now the offices' signed time, so the old store reads stale and vouches for nothing.
#[test]
fn an_old_genuine_store_copied_back_reads_stale_not_valid() {
    let w = World::new();
    let (s1, t1) = w.issue();
    w.wait_for_verifier();
    w.sync(&w.verifier_url);
    let backup = w.path("backup");
    std::fs::create_dir(&backup).unwrap();
    let copy = |from: &Path, to: &Path| {
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_file() {
                std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
            }
        }
    };
    copy(&w.store(), &backup);
    std::thread::sleep(Duration::from_millis(3100));
    w.revoke(s1);
    w.wait_for_verifier();
    w.sync(&w.verifier_url);
    let png = w.png("v.png", &t1);
    let (code, _, _) = run(w.scan().args(["--max-age", "2s"]).arg(&png));
    assert_eq!(code, 1, "revoked");

    // The old store back, its manifest claiming a sync just now.
    copy(&backup, &w.store());
    let mut m = manifest(&w);
    m["synced_at"] = Json::from(time::OffsetDateTime::now_utc().unix_timestamp());
    save_manifest(&w, &m);
    let (code, stdout, stderr) = run(w.scan().args(["--json", "--max-age", "2s"]).arg(&png));
    assert_eq!(code, 3, "{stdout}{stderr}");
    let v = &verdicts(&stdout)[0];
    assert_eq!(v["verdict"], "unconfirmed", "{v}");
    assert_eq!(v["unchecked"]["code"], "stale");
    // Within --max-age, an older store is what a kiosk that has not synced since holds: the
    // limit is what --max-age allows (docs/FEED.md).
    let (code, _, _) = run(w.scan().args(["--max-age", "7d"]).arg(&png));
    assert_eq!(code, 0);
}

/// Issue 12, point 1, offline: from a fresh snapshot, a forgery made with a stolen key and
/// dated today, a forgery reusing a genuine serial, and a genuine certificate issued after the
/// sync are all `unconfirmed` (exit 3), never `valid`; once a sync made after they were first
/// seen still lacks the forgeries, they read `not_issued`.
#[test]
fn a_stolen_key_forgery_dated_today_is_unconfirmed_then_not_issued_after_the_next_sync() {
    let w = World::new();
    let (s1, t1) = w.issue();
    let from_issuer = |w: &World| {
        let (code, _, stderr) = run(w.sync_cmd(&w.issuer_url).arg("--trust").arg(w.trust()));
        assert_eq!(code, 0, "{stderr}");
    };
    from_issuer(&w);
    let today = today_dhaka();
    let forge = |serial: u64, days: i64| {
        let mut r: Json = serde_json::from_str(
            &std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../seal/tests/data/benchmark-record.json"),
            )
            .unwrap(),
        )
        .unwrap();
        r["issued"] = Json::from(today.to_string());
        r["expires"] = Json::from((today + time::Duration::days(days)).to_string());
        let rec = Record::from_json(&r).unwrap();
        Sealed::seal(&Certificate::new(serial, &rec), &w.key)
            .unwrap()
            .to_qr_text(None)
    };
    let fresh_serial = w.png("f1.png", &forge(s1 + 1_000, 300));
    let reused_serial = w.png("f2.png", &forge(s1, 200));
    let (_, t2) = w.issue();
    let newer = w.png("new.png", &t2);
    let (code, stdout, stderr) = run(w
        .scan()
        .arg("--json")
        .arg(&fresh_serial)
        .arg(&reused_serial)
        .arg(&newer));
    assert_eq!(code, 3, "{stdout}{stderr}");
    for v in verdicts(&stdout) {
        assert_eq!(v["verdict"], "unconfirmed", "{v}");
        assert_eq!(v["unchecked"]["code"], "not_yet_published", "{v}");
        assert_eq!(v["unchecked"]["revocation_checked"], true, "{v}");
    }
    if yesterday_is_covered() {
        let (code, stdout, _) = run(w.scan().arg(w.png("old.png", &w.never_issued())));
        assert_eq!(code, 1);
        assert!(stdout.contains("Forged — never issued"), "{stdout}");
    }
    // The office's clock counts in seconds: the next sync is made in a later second.
    std::thread::sleep(Duration::from_millis(1100));
    from_issuer(&w);
    let late = w.png("f3.png", &forge(s1 + 2_000, 300));
    let (code, stdout, stderr) = run(w
        .scan()
        .arg("--json")
        .arg(&fresh_serial)
        .arg(&reused_serial)
        .arg(&newer)
        .arg(&late)
        .arg(w.png("v.png", &t1)));
    assert_eq!(code, 1, "{stdout}{stderr}");
    let v: Vec<String> = verdicts(&stdout)
        .iter()
        .map(|v| v["verdict"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        v,
        ["not_issued", "not_issued", "valid", "unconfirmed", "valid"],
        "{stdout}"
    );
    assert!(w.store().join(sonod_scan::SIGHTINGS_FILE).exists());
}

/// Issue #15: the office key is stolen. A trust list marking it compromised with a pin on the
/// feed keeps the certificates published up to the pin genuine offline; the thief's own
/// certificate is refused; a pin the stored history does not meet refuses the sync.
#[test]
fn a_stolen_key_s_genuine_certificates_stay_valid_offline_and_a_fork_refuses_the_sync() {
    use sonod_seal::feed::chain_hex;
    let w = World::new();
    let (s1, t1) = w.issue();
    let (s2, t2) = w.issue();
    let (_s3, t3) = w.issue();
    w.revoke(s2);
    w.wait_for_verifier();
    w.sync(&w.verifier_url);
    // The thief's certificate, signed with the stolen key, dated today.
    let forged = Sealed::seal(&Certificate::new(4_242, &record(today_dhaka())), &w.key)
        .unwrap()
        .to_qr_text(None);

    // The authority pins the feed at position 4 (its chain hash as the issuer serves it) and
    // marks the key compromised; the office gets a new key.
    let pin_chain = w.issuer.ledger().chain_at(4).unwrap().unwrap();
    let dev = ensure_dev_keys(&w.keys, &DevOptions::default()).unwrap();
    let root = sonod_keys::read_secret_key(dev.root_key_path(), || {
        Ok(sonod_keys::Passphrase::new(String::new()))
    })
    .unwrap();
    let sign = |pin_position: u64, chain: &str, name: &str| {
        let mut draft = TrustListDraft::read(w.trust()).unwrap();
        let entry = draft.entry(&w.key.key_id()).unwrap().clone();
        draft
            .add_key(TrustEntry::new(
                SecretKey::generate().verifying_key(),
                entry.office.clone(),
                entry.office_name_bn.clone(),
                entry.office_name_en.clone(),
                today_dhaka(),
                entry.not_after,
                entry.verifier_hosts.clone(),
            ))
            .unwrap();
        draft
            .compromise(
                w.key.key_id(),
                time::OffsetDateTime::now_utc(),
                Some(sonod_keys::FeedPin::new(pin_position, chain).unwrap()),
            )
            .unwrap();
        draft.sign_on(&root, None, today_dhaka()).unwrap();
        let path = w.path(name);
        draft.write(&path).unwrap();
        path
    };
    let pinned = sign(4, &chain_hex(&pin_chain), "trust-pinned.json");
    let (code, _, stderr) = run(w.sync_cmd(&w.verifier_url).arg("--trust").arg(&pinned));
    assert_eq!(code, 0, "{stderr}");
    let pngs = [
        w.png("genuine.png", &t1),
        w.png("revoked.png", &t2),
        w.png("genuine3.png", &t3),
        w.png("forged.png", &forged),
    ];
    let (_, stdout, stderr) = run(w.scan().arg("--json").args(&pngs));
    let v = verdicts(&stdout);
    assert_eq!(v[0]["verdict"], "valid", "{} {stderr}", v[0]);
    assert_eq!(v[0]["reason_code"], "valid_before_compromise", "{}", v[0]);
    assert_eq!(v[0]["notice"], "collect_resealed_copy");
    assert_eq!(v[0]["certificate"]["serial"], s1);
    assert_eq!(v[1]["verdict"], "revoked", "{}", v[1]);
    assert_eq!(v[2]["reason_code"], "valid_before_compromise", "{}", v[2]);
    assert_eq!(v[3]["verdict"], "key_compromised", "{}", v[3]);
    assert!(v[3].get("certificate").is_none());
    // The human report says to collect the re-sealed copy.
    let (code, stdout, _) = run(w.scan().arg(&pngs[0]));
    assert_eq!(code, 0);
    assert!(stdout.contains("re-sealed copy"), "{stdout}");

    // A list whose pin the source's history does not meet (another chain hash at position
    // 4): the sync is refused, in both languages, and the snapshot stays as it was.
    let forked = sign(4, &"ab".repeat(32), "trust-forked.json");
    let before = std::fs::read(w.store().join("manifest.json")).unwrap();
    let (code, _, stderr) = run(w.sync_cmd(&w.verifier_url).arg("--trust").arg(&forked));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("disagrees with the trust list's pin at position 4")
            && stderr.contains("পিনের সঙ্গে অবস্থান ৪"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(w.store().join("manifest.json")).unwrap(),
        before
    );
}
