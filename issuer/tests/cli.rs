//! Tests of the `sonod-issuer` command: `issue` and `bulk`, their files, exit status and
//! store.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value as Json;
use sonod_issuer::Store;
use sonod_keys::{
    ensure_dev_keys, format_date, read_secret_key, today_dhaka, write_secret_key, DevKeys,
    DevOptions, Passphrase, SecretKey,
};
use sonod_seal::{open, parse_qr_text};
use sonod_testkit::run;
use tempfile::TempDir;

const HOST_HINT: &str =
    "যাচাই-হোস্ট দিন / give the verifier host for the QR URL: --verifier-host HOST (or SONOD_VERIFIER_HOST), or --bare";

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../seal/tests/data")
}

/// A sample record dated today in Dhaka (the only day the issuer signs), expiring a year later
/// if it expires at all.
fn dated_today(mut record: Json) -> Json {
    let today = today_dhaka();
    record["issued"] = format_date(today).into();
    if record.get("expires").is_some() {
        record["expires"] = format_date(today + time::Duration::days(365)).into();
    }
    record
}

fn read_json(path: &Path) -> Json {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The benchmark record dated today, as JSON.
fn benchmark_json() -> Json {
    dated_today(read_json(&data_dir().join("benchmark-record.json")))
}

/// The 14 sample records, one per certificate type, dated today, each as one line of JSON.
fn sample_lines() -> Vec<String> {
    let mut paths: Vec<_> = std::fs::read_dir(data_dir().join("records"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    let lines: Vec<String> = paths
        .iter()
        .map(|p| dated_today(read_json(p)).to_string())
        .collect();
    assert_eq!(lines.len(), 14);
    lines
}

struct Fixture {
    dir: TempDir,
    keys: DevKeys,
    key: PathBuf,
}

impl Fixture {
    /// A development key set: the office key (unencrypted, mode 0600), the root key and the
    /// signed trust list that names the office key.
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let keys = ensure_dev_keys(&dir.path().join("keys"), &DevOptions::default()).unwrap();
        let key = keys.office_key_path();
        Fixture { dir, keys, key }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The benchmark record dated today, in a file.
    fn benchmark(&self) -> PathBuf {
        self.write("benchmark.json", &benchmark_json().to_string())
    }

    /// The office's secret key (unencrypted development key).
    fn office_secret(&self) -> SecretKey {
        read_secret_key(self.keys.office_key_path(), || panic!("unencrypted")).unwrap()
    }

    fn data(&self) -> PathBuf {
        self.path("data")
    }

    fn out(&self) -> PathBuf {
        self.path("out")
    }

    /// `sonod-issuer SUB --key … --data … --out …`, with the environment cleared of Sonod
    /// settings.
    fn cmd(&self, sub: &str) -> Command {
        self.cmd_with_key(sub, &self.key)
    }

    fn cmd_with_key(&self, sub: &str, key: &Path) -> Command {
        let mut cmd = Command::cargo_bin("sonod-issuer").unwrap();
        for var in [
            "SONOD_KEY",
            "SONOD_TRUST",
            "SONOD_ROOT",
            "SONOD_DATA",
            "SONOD_VERIFIER_HOST",
            "SONOD_KEY_PASSPHRASE",
        ] {
            cmd.env_remove(var);
        }
        cmd.arg(sub)
            .arg("--key")
            .arg(key)
            .arg("--trust")
            .arg(self.keys.trust_list_path())
            .arg("--root")
            .arg(self.keys.root_pub_path())
            .arg("--data")
            .arg(self.data())
            .arg("--out")
            .arg(self.out());
        cmd
    }

    fn issue(&self, record: &Path) -> Command {
        self.issue_with_key(record, &self.key)
    }

    fn issue_with_key(&self, record: &Path, key: &Path) -> Command {
        let mut cmd = self.cmd_with_key("issue", key);
        cmd.args(["--verifier-host", "verify.sonod.gov.bd", "--record"])
            .arg(record);
        cmd
    }

    fn write(&self, name: &str, content: &str) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    /// The store's next serial (the store is opened only while the issuer is not running).
    fn next_serial(&self) -> u64 {
        Store::open(&self.data()).unwrap().next_serial().unwrap()
    }

    fn out_files(&self) -> Vec<String> {
        let mut names: Vec<String> = match std::fs::read_dir(self.out()) {
            Ok(entries) => entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect(),
            Err(_) => Vec::new(),
        };
        names.sort();
        names
    }
}

fn decode_png(path: &Path) -> Vec<String> {
    let img = image::open(path).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    prepared
        .detect_grids()
        .iter()
        .map(|g| g.decode().unwrap().1)
        .collect()
}

#[test]
fn issue_writes_text_png_and_svg() {
    let fx = Fixture::new();
    let (code, stdout, stderr) = run(&mut fx.issue(&fx.benchmark()));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let text = stdout.trim_end();
    assert!(text.starts_with("HTTPS://VERIFY.SONOD.GOV.BD/V/"), "{text}");
    assert!(stderr.contains("serial 1"), "{stderr}");
    assert_eq!(
        fx.out_files(),
        ["100524-1.png", "100524-1.svg", "100524-1.txt"]
    );
    assert_eq!(
        std::fs::read_to_string(fx.out().join("100524-1.txt")).unwrap(),
        format!("{text}\n")
    );
    assert_eq!(decode_png(&fx.out().join("100524-1.png")), [text]);
    let svg = std::fs::read_to_string(fx.out().join("100524-1.svg")).unwrap();
    assert!(svg.contains("<svg"), "{svg}");

    // The payload is the benchmark record, serial 1, signed with the office key.
    let opened = open(&parse_qr_text(text).unwrap().bytes).unwrap();
    assert_eq!(opened.unverified().serial, 1);
    assert_eq!(opened.unverified().record.office(), "100524");

    // The store holds it, and the next run takes the store's next serial.
    let store = Store::open(&fx.data()).unwrap();
    let next = store.next_serial().unwrap();
    assert!(next > 1);
    let stored = store.get(1).unwrap().unwrap();
    assert_eq!(stored.sealed, parse_qr_text(text).unwrap().bytes);
    drop(store);

    let (code, stdout, stderr) = run(&mut fx.issue(&fx.benchmark()));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(serial_of(&stdout), next);
    assert_eq!(
        std::fs::read_to_string(fx.out().join(format!("100524-{next}.txt"))).unwrap(),
        stdout
    );
    assert!(fx.next_serial() > next);
}

/// The serial sealed into the QR text a run printed.
fn serial_of(stdout: &str) -> u64 {
    open(&parse_qr_text(stdout.trim_end()).unwrap().bytes)
        .unwrap()
        .unverified()
        .serial
}

#[test]
fn serials_are_never_reused_across_runs() {
    let fx = Fixture::new();
    let mut serials = Vec::new();
    for _ in 0..3 {
        let next = if fx.data().exists() {
            fx.next_serial()
        } else {
            1
        };
        let (code, stdout, stderr) = run(&mut fx.issue(&fx.benchmark()));
        assert_eq!(code, 0, "{stderr}");
        let serial = serial_of(&stdout);
        assert_eq!(serial, next, "each run takes the store's next serial");
        serials.push(serial);
    }
    assert_eq!(serials[0], 1);
    assert!(serials.windows(2).all(|w| w[0] < w[1]), "{serials:?}");
    assert!(fx.next_serial() > serials[2]);
}

/// One certificate per run spends one serial. (Regression: the ledger's reserved block of 1024
/// was not handed back on exit, so serials went 1, 1025, 2049 … and the status bitstring grew
/// by 1024 bits per run.)
#[test]
fn serials_are_consecutive_across_runs() {
    let fx = Fixture::new();
    let serials: Vec<u64> = (0..3)
        .map(|_| serial_of(&run(&mut fx.issue(&fx.benchmark())).1))
        .collect();
    assert_eq!(serials, [1, 2, 3]);
    assert_eq!(fx.next_serial(), 4);
}

#[test]
fn record_from_standard_input() {
    let fx = Fixture::new();
    let record = benchmark_json().to_string();
    let (code, stdout, stderr) = run(fx.issue(Path::new("-")).write_stdin(record));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("HTTPS://VERIFY.SONOD.GOV.BD/V/"));
}

#[test]
fn store_of_another_office_is_refused() {
    let fx = Fixture::new();
    assert_eq!(run(&mut fx.issue(&fx.benchmark())).0, 0);
    let next = fx.next_serial();
    let mut other = benchmark_json();
    other["office"] = "200301".into();
    let other = fx.write("other.json", &other.to_string());
    let (code, stdout, stderr) = run(&mut fx.issue(&other));
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert!(stderr.contains("error"), "{stderr}");
    // The key's office in the trust list is the store's; whichever is asked first says so.
    assert!(
        stderr.contains("belongs to office 100524, the record to office 200301"),
        "{stderr}"
    );
    assert_eq!(
        fx.next_serial(),
        next,
        "no serial is spent on a refused record"
    );
    assert_eq!(
        fx.out_files(),
        ["100524-1.png", "100524-1.svg", "100524-1.txt"]
    );
}

#[test]
fn invalid_records_are_refused_before_a_serial_is_reserved() {
    let fx = Fixture::new();
    let mut missing = benchmark_json();
    missing["fields"].as_object_mut().unwrap().remove("name");
    let cases = [
        ("bad.json", "{\"type\": \"citizenship\",".to_owned(), "record is not valid JSON"),
        (
            "unknown.json",
            r#"{"type":"fishing_licence","office":"100524","issued":"2026-11-28","fields":{"name":"Karim"}}"#.to_owned(),
            "unknown certificate type \"fishing_licence\"",
        ),
        ("missing.json", missing.to_string(), "required field missing: name"),
    ];

    // Against a fresh store: nothing written at all.
    for (name, content, reason) in &cases {
        let record = fx.write(name, content);
        let (code, stdout, stderr) = run(&mut fx.issue(&record));
        assert_eq!(code, 2, "{name}");
        assert_eq!(stdout, "", "{name}");
        assert!(stderr.starts_with("ত্রুটি / error: "), "{name}: {stderr}");
        assert!(stderr.contains(reason), "{name}: {stderr}");
        assert_eq!(fx.out_files(), Vec::<String>::new(), "{name}");
    }
    assert!(
        !fx.data().exists(),
        "the store is not even created for an invalid record"
    );

    // Against a store in use: its next serial does not move.
    assert_eq!(run(&mut fx.issue(&fx.benchmark())).0, 0);
    let next = fx.next_serial();
    for (name, _, reason) in &cases {
        let (code, _, stderr) = run(&mut fx.issue(&fx.path(name)));
        assert_eq!(code, 2, "{name}");
        assert!(stderr.contains(reason), "{name}: {stderr}");
    }
    assert_eq!(fx.next_serial(), next);
    assert_eq!(
        fx.out_files(),
        ["100524-1.png", "100524-1.svg", "100524-1.txt"]
    );
}

/// The warish sample with `heirs` heirs of long names: 40 fit a sealed certificate and a QR
/// code at error correction M but not at H; 40 even longer ones do not even seal.
fn big_warish(name: &str) -> String {
    let mut j = dated_today(read_json(&data_dir().join("records/warish.json")));
    j["fields"]["heirs"] = (0..40)
        .map(|i| serde_json::json!({"name": format!("{name} {i}"), "relation": "পুত্র", "age": 30}))
        .collect();
    j.to_string()
}

#[test]
fn record_too_large_for_a_qr_code_is_refused_before_a_serial_is_spent() {
    let fx = Fixture::new();
    let fits_m = fx.write("fits-m.json", &big_warish("মোহাম্মদ আব্দুল করিম"));
    let too_big = fx.write(
        "too-big.json",
        &big_warish("মোহাম্মদ আব্দুল করিম উদ্দিন আহমেদ চৌধুরী"),
    );

    let (code, stdout, stderr) = run(fx.issue(&fits_m).args(["--ec", "H"]));
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert!(
        stderr.contains("fits-m.json") && stderr.contains("text does not fit a QR code"),
        "{stderr}"
    );
    let (code, _, stderr) = run(fx.issue(&too_big).args(["--ec", "M"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("sealed certificate too large"), "{stderr}");
    assert!(!fx.data().exists(), "nothing reserved, nothing stored");
    assert_eq!(fx.out_files(), Vec::<String>::new());

    let (code, stdout, stderr) = run(fx.issue(&fits_m).args(["--ec", "M"]));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(serial_of(&stdout), 1);
}

/// In a bulk run a line whose QR code does not fit must be refused like any bad line.
/// (Regression: the ledger used to issue it first, and the run then stopped at writing its
/// files, leaving it and the rest of its group issued without QR files or index lines.)
#[test]
fn bulk_refuses_a_line_too_large_for_the_qr_code() {
    let fx = Fixture::new();
    let samples = sample_lines();
    let lines = [
        samples[0].clone(),
        big_warish("মোহাম্মদ আব্দুল করিম"),
        samples[1].clone(),
    ];
    let input = fx.write("in.jsonl", &lines.join("\n"));
    let (code, _, stderr) = run(bulk(&fx, &input).args(["--ec", "H"]));
    assert_eq!(code, 1, "{stderr}");
    let index = index_lines(&fx);
    let issued: Vec<u64> = index
        .iter()
        .filter_map(|j| j.get("serial").map(|_| j["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(issued, [1, 3]);
    let refused: Vec<&Json> = index.iter().filter(|j| j.get("error").is_some()).collect();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0]["line"], 2);
    assert_eq!(
        Store::open(&fx.data()).unwrap().len(),
        2,
        "the refused line is not stored"
    );
}

#[test]
fn missing_record_file() {
    let fx = Fixture::new();
    let (code, _, stderr) = run(&mut fx.issue(&fx.path("nope.json")));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cannot open") && stderr.contains("nope.json"),
        "{stderr}"
    );
}

#[test]
fn verifier_host_or_bare_is_required() {
    let fx = Fixture::new();
    let (code, stdout, stderr) = run(fx.cmd("issue").arg("--record").arg(fx.benchmark()));
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert_eq!(stderr, format!("ত্রুটি / error: {HOST_HINT}\n"));
    assert!(!fx.data().exists());

    let (code, stdout, stderr) = run(fx
        .cmd("issue")
        .arg("--bare")
        .arg("--record")
        .arg(fx.benchmark()));
    assert_eq!(code, 0, "{stderr}");
    let text = stdout.trim_end();
    assert!(!text.contains('/') && !text.is_empty(), "{text}");
    assert!(
        text.bytes()
            .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)),
        "{text}"
    );
    let qr = parse_qr_text(text).unwrap();
    assert_eq!(qr.host, None);
    assert_eq!(open(&qr.bytes).unwrap().unverified().serial, 1);
    assert_eq!(decode_png(&fx.out().join("100524-1.png")), [text]);
}

/// Issue #17: development QR codes said `HTTPS://LOCALHOST:8081/V/…` though the development
/// verifier speaks plain HTTP. A local verifier given as `http://…` gets `HTTP://` links (the PNG
/// says the same); a public host given as `http://` is refused, so production stays HTTPS.
#[test]
fn regression_a_local_development_verifier_gets_plain_http_links() {
    let fx = Fixture::new();
    let (code, stdout, stderr) = run(fx
        .cmd("issue")
        .args(["--verifier-host", "http://localhost:8081", "--record"])
        .arg(fx.benchmark()));
    assert_eq!(code, 0, "{stderr}");
    let text = stdout.trim_end();
    assert!(text.starts_with("HTTP://LOCALHOST:8081/V/"), "{text}");
    assert_eq!(decode_png(&fx.out().join("100524-1.png")), [text]);
    assert_eq!(
        parse_qr_text(text).unwrap().host.as_deref(),
        Some("LOCALHOST:8081")
    );
    let (code, stdout, stderr) = run(fx
        .cmd("issue")
        .args(["--verifier-host", "http://verify.sonod.gov.bd", "--record"])
        .arg(fx.benchmark()));
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stderr.contains("http://") && stderr.contains(" / "),
        "{stderr}"
    );
}

#[test]
fn verifier_host_from_the_environment_and_bare_overriding_it() {
    let fx = Fixture::new();
    let (code, stdout, stderr) = run(fx
        .cmd("issue")
        .env("SONOD_VERIFIER_HOST", "localhost:8080")
        .arg("--record")
        .arg(fx.benchmark()));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("HTTPS://LOCALHOST:8080/V/"), "{stdout}");

    // --bare wins over the environment ...
    let (code, stdout, stderr) = run(fx
        .cmd("issue")
        .env("SONOD_VERIFIER_HOST", "localhost:8080")
        .arg("--bare")
        .arg("--record")
        .arg(fx.benchmark()));
    assert_eq!(code, 0, "{stderr}");
    assert!(!stdout.contains("HTTPS"), "{stdout}");

    // ... but not over an explicit --verifier-host.
    let (code, _, stderr) = run(fx
        .cmd("issue")
        .args([
            "--bare",
            "--verifier-host",
            "verify.sonod.gov.bd",
            "--record",
        ])
        .arg(fx.benchmark()));
    assert_eq!(code, 2);
    assert!(stderr.contains("not both"), "{stderr}");
    assert_eq!(
        fx.out_files().len(),
        6,
        "two certificates, three files each"
    );
}

#[test]
fn invalid_verifier_host() {
    let fx = Fixture::new();
    let (code, _, stderr) = run(fx
        .cmd("issue")
        .args(["--verifier-host", "evil host/x", "--record"])
        .arg(fx.benchmark()));
    assert_eq!(code, 2);
    assert!(stderr.contains("invalid verifier host"), "{stderr}");
}

#[test]
fn encrypted_key() {
    let fx = Fixture::new();
    let key = fx.path("locked.key.pem");
    write_secret_key(
        &key,
        &fx.office_secret(),
        Some(&Passphrase::new("correct horse".into())),
    )
    .unwrap();

    let (code, _, stderr) = run(fx
        .issue_with_key(&fx.benchmark(), &key)
        .env("SONOD_KEY_PASSPHRASE", "wrong"));
    assert_eq!(code, 2);
    assert!(stderr.contains("wrong passphrase"), "{stderr}");
    assert!(stderr.contains("locked.key.pem"), "{stderr}");
    assert_eq!(fx.out_files(), Vec::<String>::new());

    // No passphrase and no terminal: a clear message, no prompt.
    let (code, _, stderr) = run(&mut fx.issue_with_key(&fx.benchmark(), &key));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("passphrase required: set SONOD_KEY_PASSPHRASE"),
        "{stderr}"
    );

    let (code, stdout, stderr) = run(fx
        .issue_with_key(&fx.benchmark(), &key)
        .env("SONOD_KEY_PASSPHRASE", "correct horse"));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("HTTPS://VERIFY.SONOD.GOV.BD/V/"));
    assert_eq!(serial_of(&stdout), 1);
}

#[test]
fn readable_secret_key_is_refused() {
    let fx = Fixture::new();
    std::fs::set_permissions(&fx.key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, _, stderr) = run(&mut fx.issue(&fx.benchmark()));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("is accessible by group or others (mode 644)"),
        "{stderr}"
    );
    assert!(stderr.contains("chmod 600"), "{stderr}");
    assert_eq!(fx.out_files(), Vec::<String>::new());
}

fn index_lines(fx: &Fixture) -> Vec<Json> {
    std::fs::read_to_string(fx.out().join("index.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn bulk(fx: &Fixture, input: &Path) -> Command {
    let mut cmd = fx.cmd("bulk");
    cmd.args(["--verifier-host", "verify.sonod.gov.bd", "--input"])
        .arg(input);
    cmd
}

#[test]
fn bulk_issues_good_lines_and_reports_bad_ones() {
    let fx = Fixture::new();
    let mut lines = sample_lines();
    // Line 6: no `issued` is today; no name is refused.
    lines.insert(5, r#"{"type":"citizenship","office":"100524"}"#.to_owned());
    lines.insert(9, String::new()); // line 10, blank
    let input = fx.write("in.jsonl", &(lines.join("\n") + "\n"));
    let (code, stdout, stderr) = run(&mut bulk(&fx, &input));
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stdout, "");
    assert!(stderr.contains("issued 14, refused 1"), "{stderr}");
    assert!(stderr.contains("লাইন / line 6: "), "{stderr}");

    let index = index_lines(&fx);
    assert_eq!(index.len(), 15);
    let issued: Vec<&Json> = index.iter().filter(|j| j.get("serial").is_some()).collect();
    let serials: Vec<u64> = issued
        .iter()
        .map(|j| j["serial"].as_u64().unwrap())
        .collect();
    assert_eq!(serials, (1..=14).collect::<Vec<_>>());
    let expected_lines: Vec<u64> = (1..=16).filter(|n| *n != 6 && *n != 10).collect();
    assert_eq!(
        issued
            .iter()
            .map(|j| j["line"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        expected_lines
    );
    for j in &issued {
        let serial = j["serial"].as_u64().unwrap();
        let text = j["qr_text"].as_str().unwrap();
        assert!(text.starts_with("HTTPS://VERIFY.SONOD.GOV.BD/V/"));
        assert_eq!(
            open(&parse_qr_text(text).unwrap().bytes)
                .unwrap()
                .unverified()
                .serial,
            serial
        );
        let txt = std::fs::read_to_string(fx.out().join(format!("100524-{serial}.txt"))).unwrap();
        assert_eq!(txt, format!("{text}\n"));
        assert!(fx.out().join(format!("100524-{serial}.png")).exists());
        assert!(fx.out().join(format!("100524-{serial}.svg")).exists());
    }
    let errors: Vec<&Json> = index.iter().filter(|j| j.get("error").is_some()).collect();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["line"], 6);
    assert!(
        errors[0]["error"]
            .as_str()
            .unwrap()
            .contains("required field missing: name"),
        "{}",
        errors[0]
    );

    // Each line's certificate is that line's record: line 1 is the first sample (character).
    let first = std::fs::read_to_string(fx.out().join("100524-1.txt")).unwrap();
    let opened = open(&parse_qr_text(first.trim_end()).unwrap().bytes).unwrap();
    assert_eq!(opened.unverified().record.cert_type().key, "character");
    assert!(fx.next_serial() >= 15);
}

#[test]
fn bulk_without_images_and_from_standard_input() {
    let fx = Fixture::new();
    let input = sample_lines().join("\n") + "\n";
    let (code, stdout, stderr) = run(bulk(&fx, Path::new("-"))
        .arg("--no-images")
        .write_stdin(input));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "");
    assert!(stderr.contains("issued 14, refused 0"), "{stderr}");
    let files = fx.out_files();
    assert_eq!(files.len(), 15, "{files:?}");
    assert!(
        files
            .iter()
            .all(|f| f.ends_with(".txt") || f == "index.jsonl"),
        "{files:?}"
    );
    assert_eq!(index_lines(&fx).len(), 14);

    // A second run into the same folder would overwrite the first run's index: refused.
    let next = fx.next_serial();
    let input = fx.write("two.jsonl", &sample_lines()[..2].join("\n"));
    let (code, _, stderr) = run(bulk(&fx, &input).arg("--no-images"));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("holds the index of an earlier run"),
        "{stderr}"
    );
    assert_eq!(index_lines(&fx).len(), 14);
    assert_eq!(fx.next_serial(), next);

    // Moved away, the second run continues the serials.
    std::fs::rename(fx.out().join("index.jsonl"), fx.path("first-index.jsonl")).unwrap();
    let (code, _, stderr) = run(bulk(&fx, &input).arg("--no-images"));
    assert_eq!(code, 0, "{stderr}");
    let serials: Vec<u64> = index_lines(&fx)
        .iter()
        .map(|j| j["serial"].as_u64().unwrap())
        .collect();
    assert_eq!(serials, [next, next + 1]);
}

#[test]
fn bulk_refuses_lines_of_another_office() {
    let fx = Fixture::new();
    let mut lines = sample_lines()[..3].to_vec();
    let mut other: Json = serde_json::from_str(&lines[1]).unwrap();
    other["office"] = "200301".into();
    lines[1] = other.to_string();
    lines.push("not json at all".to_owned());
    let input = fx.write("in.jsonl", &lines.join("\n"));
    let (code, _, stderr) = run(&mut bulk(&fx, &input));
    assert_eq!(code, 1, "{stderr}");
    let index = index_lines(&fx);
    let serials: Vec<(u64, u64)> = index
        .iter()
        .filter(|j| j.get("serial").is_some())
        .map(|j| (j["line"].as_u64().unwrap(), j["serial"].as_u64().unwrap()))
        .collect();
    assert_eq!(serials, [(1, 1), (3, 2)]);
    let errors: Vec<(u64, String)> = index
        .iter()
        .filter_map(|j| Some((j["line"].as_u64()?, j.get("error")?.as_str()?.to_owned())))
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0].0, 2);
    assert!(
        errors[0].1.contains("office 100524") && errors[0].1.contains("office 200301"),
        "{errors:?}"
    );
    assert_eq!(errors[1].0, 4);
    assert!(errors[1].1.contains("not valid JSON"), "{errors:?}");
}

#[test]
fn bulk_of_a_missing_file() {
    let fx = Fixture::new();
    let (code, _, stderr) = run(&mut bulk(&fx, &fx.path("nope.jsonl")));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cannot open") && stderr.contains("nope.jsonl"),
        "{stderr}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let fx = Fixture::new();
    let (code, _, stderr) = run(fx.cmd("issue").arg("--bare"));
    assert_eq!(code, 2);
    assert!(stderr.contains("--record"), "{stderr}");
    let (code, _, stderr) = run(fx.issue(&fx.benchmark()).args(["--ec", "X"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("expected L, M, Q or H"), "{stderr}");
}

/// Issue #12, point 3: `sonod-issuer issue` sealed any date (2019-01-01, 2030-01-01,
/// 2199-12-31, one expiring on its issue day). Each is refused with exit 2 and a clear line,
/// before the store is even opened, and no flag bypasses it.
#[test]
fn regression_issue_refuses_dates_other_than_today() {
    let fx = Fixture::new();
    let today = today_dhaka();
    let yesterday = format_date(today - time::Duration::days(1));
    let tomorrow = format_date(today + time::Duration::days(1));
    let today = format_date(today);
    let cases = [
        (
            "2019-01-01",
            "2030-01-01",
            "the issue date must be today in Dhaka",
        ),
        (
            "2030-01-01",
            "2031-01-01",
            "the issue date must be today in Dhaka",
        ),
        (
            "2199-12-31",
            "2199-12-31",
            "the issue date must be today in Dhaka",
        ),
        (
            &yesterday,
            &tomorrow,
            "the issue date must be today in Dhaka",
        ),
        (
            &tomorrow,
            "2199-12-31",
            "the issue date must be today in Dhaka",
        ),
        (&today, &today, "must be after the issue date"),
    ];
    let check = |fx: &Fixture| {
        for (i, (issued, expires, reason)) in cases.iter().enumerate() {
            let mut r = benchmark_json();
            r["issued"] = (*issued).into();
            r["expires"] = (*expires).into();
            let path = fx.write(&format!("dated-{i}.json"), &r.to_string());
            let (code, stdout, stderr) = run(&mut fx.issue(&path));
            assert_eq!(code, 2, "{issued} {expires}: {stderr}");
            assert_eq!(stdout, "");
            assert!(stderr.starts_with("ত্রুটি / error: record "), "{stderr}");
            assert!(stderr.contains(reason), "{issued} {expires}: {stderr}");
        }
    };
    check(&fx);
    assert!(!fx.data().exists(), "the store is not even created");
    assert_eq!(fx.out_files(), Vec::<String>::new());

    let mut r = benchmark_json();
    r["issued"] = "2019-01-01".into();
    let (_, _, stderr) = run(&mut fx.issue(&fx.write("old.json", &r.to_string())));
    assert!(
        stderr.ends_with(&format!(
            ": প্রদানের তারিখ আজ (ঢাকা), {today_bn}, হতে হবে; ২০১৯-০১-০১ নয় / the issue date must be today in Dhaka, {today}, not 2019-01-01\n",
            today_bn = sonod_seal::bangla_digits(&today.to_string())
        )),
        "{stderr}"
    );

    // Against a store in use: nothing stored, no serial spent.
    assert_eq!(run(&mut fx.issue(&fx.benchmark())).0, 0);
    let next = fx.next_serial();
    check(&fx);
    assert_eq!(fx.next_serial(), next);
    assert_eq!(Store::open(&fx.data()).unwrap().len(), 1);
    assert_eq!(
        fx.out_files(),
        ["100524-1.png", "100524-1.svg", "100524-1.txt"]
    );
}

#[test]
fn a_record_without_an_issue_date_is_issued_today() {
    let fx = Fixture::new();
    let mut r = benchmark_json();
    r.as_object_mut().unwrap().remove("issued");
    let (code, stdout, stderr) = run(&mut fx.issue(&fx.write("undated.json", &r.to_string())));
    assert_eq!(code, 0, "{stderr}");
    let opened = open(&parse_qr_text(stdout.trim_end()).unwrap().bytes).unwrap();
    assert_eq!(opened.unverified().record.issued(), today_dhaka());
}

#[test]
fn bulk_refuses_lines_not_dated_today_and_dates_undated_ones_today() {
    let fx = Fixture::new();
    let mut lines = sample_lines()[..3].to_vec();
    let mut old: Json = serde_json::from_str(&lines[1]).unwrap();
    old["issued"] = "2019-01-01".into();
    lines[1] = old.to_string();
    let mut undated: Json = serde_json::from_str(&lines[2]).unwrap();
    undated.as_object_mut().unwrap().remove("issued");
    lines[2] = undated.to_string();
    let input = fx.write("in.jsonl", &lines.join("\n"));
    let (code, _, stderr) = run(&mut bulk(&fx, &input));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("issued 2, refused 1"), "{stderr}");
    let index = index_lines(&fx);
    let serials: Vec<(u64, u64)> = index
        .iter()
        .filter(|j| j.get("serial").is_some())
        .map(|j| (j["line"].as_u64().unwrap(), j["serial"].as_u64().unwrap()))
        .collect();
    assert_eq!(serials, [(1, 1), (3, 2)], "no serial spent on line 2");
    let error = index.iter().find(|j| j["line"] == 2).unwrap()["error"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        error.contains("the issue date must be today in Dhaka"),
        "{error}"
    );
    let third = std::fs::read_to_string(fx.out().join("100524-2.txt")).unwrap();
    let opened = open(&parse_qr_text(third.trim_end()).unwrap().bytes).unwrap();
    assert_eq!(opened.unverified().record.issued(), today_dhaka());
    assert_eq!(Store::open(&fx.data()).unwrap().len(), 2);
}

#[test]
fn issuing_needs_a_trust_list_that_names_the_key() {
    let fx = Fixture::new();
    // No --trust or --root: a usage error.
    let mut cmd = Command::cargo_bin("sonod-issuer").unwrap();
    for var in ["SONOD_KEY", "SONOD_TRUST", "SONOD_ROOT", "SONOD_DATA"] {
        cmd.env_remove(var);
    }
    let (code, _, stderr) = run(cmd
        .args(["issue", "--bare", "--key"])
        .arg(&fx.key)
        .arg("--data")
        .arg(fx.data())
        .arg("--out")
        .arg(fx.out())
        .arg("--record")
        .arg(fx.benchmark()));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--trust <TRUST.json>") && stderr.contains("--root <ROOT.pub.pem>"),
        "{stderr}"
    );

    // A key the trust list does not name.
    let stranger = fx.path("stranger.key.pem");
    let key = SecretKey::generate();
    write_secret_key(&stranger, &key, None).unwrap();
    let (code, _, stderr) = run(&mut fx.issue_with_key(&fx.benchmark(), &stranger));
    assert_eq!(code, 2);
    assert!(
        stderr.contains(&format!(
            "the office key {} is not in the trust list",
            key.key_id()
        )),
        "{stderr}"
    );

    // A trust list the root did not sign.
    let trust = fx.keys.trust_list_path();
    let text = std::fs::read_to_string(&trust).unwrap();
    std::fs::write(&trust, text.replace("Savar Paurashava", "Dhaka North")).unwrap();
    let (code, _, stderr) = run(&mut fx.issue(&fx.benchmark()));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("trust list signature does not verify"),
        "{stderr}"
    );
    assert!(!fx.data().exists());
}

#[test]
fn bulk_takes_a_spreadsheet_saved_as_csv() {
    let fx = Fixture::new();
    // As a spreadsheet program saves it: a byte-order mark, CRLF line ends, quoted cells; a
    // warish certificate's heirs as name|relation|age; row 4 lacks the name, row 5 a cell.
    let today = sonod_keys::format_date(sonod_keys::today_dhaka());
    let csv = format!(
        "\u{feff}type,office,issued,name,father,mother,nid,ward,deceased,death_date,heirs\r\n\
         citizenship,100524,{today},মোহাম্মদ আব্দুল করিম,মোহাম্মদ আব্দুর রহমান,মোসাম্মৎ রোকেয়া বেগম,19901234567890123,৫,,,\r\n\
         warish,100524,,মোঃ করিম উদ্দিন,মরহুম হাশেম আলী,,1965123456789,7,মরহুম আব্দুল জলিল মিয়া,2025-03-14,\"রহিমা খাতুন|স্ত্রী|58; মোঃ করিম উদ্দিন|পুত্র|34\"\r\n\
         citizenship,100524,,,মোহাম্মদ আব্দুর রহমান,মোসাম্মৎ রোকেয়া বেগম,19901234567890123,5,,,\r\n\
         citizenship,100524,,রহিম\r\n"
    );
    let input = fx.write("list.csv", &csv);
    let (code, _, stderr) = run(&mut bulk(&fx, &input));
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("প্রদান হয়েছে ২টি, প্রত্যাখ্যাত ২টি") && stderr.contains("issued 2, refused 2"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("বাতিল"),
        "a refused line is not called revoked: {stderr}"
    );
    let index = index_lines(&fx);
    let issued: Vec<u64> = index
        .iter()
        .filter_map(|j| j["line"].as_u64().filter(|_| j.get("serial").is_some()))
        .collect();
    assert_eq!(issued, [2, 3]);
    let errors: Vec<(u64, String)> = index
        .iter()
        .filter(|j| j.get("error").is_some())
        .map(|j| {
            (
                j["line"].as_u64().unwrap(),
                j["error"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0].0, 4);
    assert!(
        errors[0].1.contains("required field missing: name"),
        "{errors:?}"
    );
    assert_eq!(errors[1].0, 5);
    assert!(
        errors[1].1.contains("this row has 4 cells, the header 11"),
        "{errors:?}"
    );
    // The warish certificate carries its heirs, each with relation and age.
    let stored = Store::open(&fx.data()).unwrap().get(2).unwrap().unwrap();
    assert_eq!(stored.record.cert_type().key, "warish");
    let heirs = stored.record.to_json()["fields"]["heirs"].clone();
    assert_eq!(heirs[0]["relation"], "স্ত্রী");
    assert_eq!(heirs[1]["age"], 34);
}

#[test]
fn bulk_reads_csv_from_standard_input_when_told() {
    let fx = Fixture::new();
    let csv = "type,office,name,father,mother,nid,ward\n\
               citizenship,100524,মোহাম্মদ আব্দুল করিম,মোহাম্মদ আব্দুর রহমান,মোসাম্মৎ রোকেয়া বেগম,19901234567890123,5\n";
    let (code, _, stderr) = run(bulk(&fx, Path::new("-"))
        .args(["--format", "csv", "--no-images"])
        .write_stdin(csv));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("issued 1, refused 0"), "{stderr}");
}
