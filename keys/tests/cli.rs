//! The `sonod-keys` command line: arguments, output and exit codes.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command as StdCommand;

use assert_cmd::Command;
use predicates::prelude::*;
use sonod_keys::{format_date, today_dhaka};

const PASS: &str = "পাসফ্রেজ correct horse";

/// `sonod-keys` in `dir`, with no passphrase in the environment and no terminal.
fn keys(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("sonod-keys").unwrap();
    cmd.current_dir(dir)
        .env_remove("SONOD_KEY_PASSPHRASE")
        .write_stdin("");
    cmd
}

fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

fn openssl(args: &[&str], env_pass: Option<&str>) -> bool {
    let mut cmd = StdCommand::new("openssl");
    cmd.args(args);
    if let Some(p) = env_pass {
        cmd.env("SONOD_KEY_PASSPHRASE", p);
    }
    cmd.status().expect("openssl is installed").success()
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn assert_key_id_line(s: &str) -> String {
    let id = s.strip_suffix('\n').expect("one line");
    assert_eq!(id.len(), 16, "{s:?}");
    assert!(id
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    id.to_owned()
}

#[test]
fn gen_without_passphrase_writes_a_pair_openssl_reads() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let id = assert_key_id_line(&stdout_of(keys(dir).args([
        "gen",
        "--out",
        "office",
        "--no-passphrase",
    ])));
    let key = dir.join("office.key.pem");
    let public = dir.join("office.pub.pem");
    assert_eq!(mode(&key), 0o600);
    assert!(fs::read_to_string(&key)
        .unwrap()
        .starts_with("-----BEGIN PRIVATE KEY-----\n"));
    assert!(fs::read_to_string(&public)
        .unwrap()
        .starts_with("-----BEGIN PUBLIC KEY-----\n"));

    let (key_s, public_s) = (key.to_str().unwrap(), public.to_str().unwrap());
    assert!(openssl(
        &["pkey", "-pubin", "-in", public_s, "-noout"],
        None
    ));
    assert!(openssl(&["pkey", "-in", key_s, "-noout"], None));

    assert_eq!(
        stdout_of(keys(dir).args(["id", "office.pub.pem"])),
        format!("{id}\n")
    );
    assert_eq!(
        stdout_of(keys(dir).args(["id", "office.key.pem"])),
        format!("{id}\n")
    );
}

#[test]
fn gen_with_passphrase_from_the_environment() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let id = assert_key_id_line(&stdout_of(
        keys(dir)
            .args(["gen", "--out", "root"])
            .env("SONOD_KEY_PASSPHRASE", PASS),
    ));
    let key = dir.join("root.key.pem");
    assert_eq!(mode(&key), 0o600);
    assert!(fs::read_to_string(&key)
        .unwrap()
        .starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));

    let (key_s, public_s) = (key.to_str().unwrap(), dir.join("root.pub.pem"));
    assert!(openssl(
        &[
            "pkey",
            "-in",
            key_s,
            "-passin",
            "env:SONOD_KEY_PASSPHRASE",
            "-noout"
        ],
        Some(PASS)
    ));
    assert!(openssl(
        &[
            "pkey",
            "-pubin",
            "-in",
            public_s.to_str().unwrap(),
            "-noout"
        ],
        None
    ));

    assert_eq!(
        stdout_of(
            keys(dir)
                .args(["id", "root.key.pem"])
                .env("SONOD_KEY_PASSPHRASE", PASS)
        ),
        format!("{id}\n")
    );
    keys(dir)
        .args(["id", "root.key.pem"])
        .env("SONOD_KEY_PASSPHRASE", "wrong")
        .assert()
        .code(2)
        .stdout("")
        .stderr("ত্রুটি / error: root.key.pem: পাসফ্রেজ ভুল / wrong passphrase\n");
    keys(dir)
        .args(["id", "root.key.pem"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("set SONOD_KEY_PASSPHRASE"));
}

#[test]
fn gen_without_any_passphrase_source_fails_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    keys(tmp.path())
        .args(["gen", "--out", "k"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("SONOD_KEY_PASSPHRASE"));
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn gen_refuses_to_overwrite() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    keys(dir)
        .args(["gen", "--out", "k", "--no-passphrase"])
        .assert()
        .success();
    let before = fs::read(dir.join("k.key.pem")).unwrap();
    keys(dir)
        .args(["gen", "--out", "k", "--no-passphrase"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "k.key.pem already exists; refusing to overwrite",
        ));
    assert_eq!(fs::read(dir.join("k.key.pem")).unwrap(), before);
}

#[test]
fn secret_key_readable_by_others_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    keys(dir)
        .args(["gen", "--out", "k", "--no-passphrase"])
        .assert()
        .success();
    fs::set_permissions(dir.join("k.key.pem"), fs::Permissions::from_mode(0o644)).unwrap();
    keys(dir)
        .args(["id", "k.key.pem"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("run `chmod 600 k.key.pem`"));
}

/// Makes root and office keys and a signed list with the office key; returns the office key id.
fn signed_list(dir: &Path) -> String {
    keys(dir)
        .args(["gen", "--out", "root", "--no-passphrase"])
        .assert()
        .success();
    let office = assert_key_id_line(&stdout_of(keys(dir).args([
        "gen",
        "--out",
        "office",
        "--no-passphrase",
    ])));
    keys(dir)
        .args([
            "trust",
            "new",
            "--out",
            "trust.json",
            "--expires",
            "2099-12-31",
        ])
        .assert()
        .success()
        .stdout("");
    let added = stdout_of(keys(dir).args([
        "trust",
        "add",
        "trust.json",
        "--pub",
        "office.pub.pem",
        "--office",
        "100524",
        "--name-bn",
        "সাভার পৌরসভা",
        "--name-en",
        "Savar Paurashava",
        "--not-before",
        "2026-01-01",
        "--not-after",
        "2098-12-31",
        "--host",
        "verify.sonod.gov.bd",
    ]));
    assert_eq!(added, format!("{office}\n"));
    keys(dir)
        .args(["trust", "sign", "trust.json", "--root-key", "root.key.pem"])
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains("sequence 1"));
    office
}

#[test]
fn trust_new_add_sign_show() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let office = signed_list(dir);
    let root = stdout_of(keys(dir).args(["id", "root.pub.pem"]));
    let root = root.trim_end();

    let expected = format!(
        "বিশ্বাস-তালিকা / trust list: trust.json\n\
         \x20 স্বাক্ষর / signature: বৈধ / valid (রুট / root {root})\n\
         \x20 ক্রম / sequence: 1\n\
         \x20 পরিবেশ / environment: প্রকৃত / production\n\
         \x20 প্রকাশ / issued: {today}\n\
         \x20 মেয়াদ শেষ / expires: 2099-12-31\n\
         \x20 চাবি / keys: 1\n\
         \n\
         চাবি / key {office}\n\
         \x20 অবস্থা / status: সক্রিয় / active\n\
         \x20 অফিস / office: 100524 — সাভার পৌরসভা / Savar Paurashava\n\
         \x20 মেয়াদ / valid: 2026-01-01 .. 2098-12-31\n\
         \x20 যাচাই-হোস্ট / verifier hosts: VERIFY.SONOD.GOV.BD\n",
        today = format_date(today_dhaka())
    );
    keys(dir)
        .args(["trust", "show", "trust.json", "--root", "root.pub.pem"])
        .assert()
        .code(0)
        .stdout(expected)
        .stderr("");

    let json = stdout_of(keys(dir).args([
        "trust",
        "show",
        "trust.json",
        "--root",
        "root.pub.pem",
        "--json",
    ]));
    assert_eq!(json, fs::read_to_string(dir.join("trust.json")).unwrap());
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["signed"]["keys"][0]["key_id"], office.as_str());
    assert_eq!(value["signature"]["key_id"], root);
}

#[test]
fn trust_show_fails_with_exit_1_when_tampered_or_wrong_root() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    signed_list(dir);
    let path = dir.join("trust.json");
    let original = fs::read_to_string(&path).unwrap();

    fs::write(&path, original.replace("Savar Paurashava", "Dhaka North")).unwrap();
    keys(dir)
        .args(["trust", "show", "trust.json", "--root", "root.pub.pem"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(
            "ত্রুটি / error: trust.json: বিশ্বাস-তালিকার স্বাক্ষর মেলেনি / trust list signature does not verify\n",
        );

    fs::write(&path, &original).unwrap();
    keys(dir)
        .args(["gen", "--out", "other", "--no-passphrase"])
        .assert()
        .success();
    keys(dir)
        .args(["trust", "show", "trust.json", "--root", "other.pub.pem"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("signed by another root key"));

    // Not a check but a missing file: a usage/IO error.
    keys(dir)
        .args(["trust", "show", "missing.json", "--root", "root.pub.pem"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with("ত্রুটি / error: missing.json: "));
}

#[test]
fn trust_rotate_retire_compromise() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let old = signed_list(dir);
    let new = assert_key_id_line(&stdout_of(keys(dir).args([
        "gen",
        "--out",
        "office2",
        "--no-passphrase",
    ])));
    let rotated = stdout_of(keys(dir).args([
        "trust",
        "rotate",
        "trust.json",
        "--old",
        &old,
        "--pub",
        "office2.pub.pem",
        "--not-before",
        "2026-06-01",
        "--not-after",
        "2098-06-01",
        "--on",
        "2026-06-15",
    ]));
    assert_eq!(rotated, format!("{new}\n"));

    // Edited, so unsigned until signed again.
    keys(dir)
        .args(["trust", "show", "trust.json", "--root", "root.pub.pem"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("trust list is not signed"));
    keys(dir)
        .args(["trust", "sign", "trust.json", "--root-key", "root.key.pem"])
        .assert()
        .success();
    let json = stdout_of(keys(dir).args([
        "trust",
        "show",
        "trust.json",
        "--root",
        "root.pub.pem",
        "--json",
    ]));
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["signed"]["sequence"], 2);
    assert_eq!(value["signed"]["keys"][0]["status"], "retired");
    assert_eq!(value["signed"]["keys"][0]["retired_on"], "2026-06-15");
    assert_eq!(value["signed"]["keys"][1]["key_id"], new.as_str());
    assert!(value["signed"]["keys"][1].get("retired_on").is_none());
    assert_eq!(value["signed"]["keys"][1]["office_name_bn"], "সাভার পৌরসভা");
    assert_eq!(
        value["signed"]["keys"][1]["verifier_hosts"][0],
        "VERIFY.SONOD.GOV.BD"
    );

    keys(dir)
        .args(["trust", "compromise", "trust.json", &new])
        .assert()
        .success();
    keys(dir)
        .args(["trust", "retire", "trust.json", &new])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot change from compromised to retired",
        ));
    keys(dir)
        .args(["trust", "retire", "trust.json", "0000000000000000"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "key 0000000000000000 is not in the list",
        ));
}

#[test]
fn trust_show_prints_a_compromised_keys_time_and_feed_pin() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let office = signed_list(dir);
    let chain = "9f".repeat(32);
    keys(dir)
        .args([
            "trust",
            "compromise",
            "trust.json",
            &office,
            "--at",
            "2026-12-06T03:30:00Z",
            "--pin-position",
            "1234",
            "--pin-chain",
            &chain,
        ])
        .assert()
        .success();
    keys(dir)
        .args(["trust", "sign", "trust.json", "--root-key", "root.key.pem"])
        .assert()
        .success();
    let shown =
        stdout_of(keys(dir).args(["trust", "show", "trust.json", "--root", "root.pub.pem"]));
    // The moment in Dhaka's time, Bangla digits in the Bangla text; the pin's position and
    // chain hash; and where a key's lines are, under it.
    let expected = format!(
        "চাবি / key {office}\n\
         \x20 অবস্থা / status: আপসকৃত / compromised\n\
         \x20 আপসকৃত: ২০২৬-১২-০৬ ০৯:৩০:০০ +০৬:০০ থেকে অবিশ্বস্ত / \
         compromised: distrusted from 2026-12-06 09:30:00 +06:00\n\
         \x20 ফিড-পিন: অফিসের ফিডের ১২৩৪ নম্বর অবস্থান পর্যন্ত প্রকাশিত সনদ খাঁটি / \
         feed pin: certificates published in the office's feed up to position 1234 are genuine\n\
         \x20 পিনের চেইন-হ্যাশ / the pin's chain hash: {chain}\n\
         \x20 অফিস / office: 100524"
    );
    assert!(shown.contains(&expected), "{shown}");
    assert!(!shown.contains("ফিড-পিন নেই"), "{shown}");

    // Compromised without a pin: nothing of the key is vouched for, and the list says so.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let office = signed_list(dir);
    keys(dir)
        .args(["trust", "compromise", "trust.json", &office])
        .assert()
        .success();
    keys(dir)
        .args(["trust", "sign", "trust.json", "--root-key", "root.key.pem"])
        .assert()
        .success();
    let shown =
        stdout_of(keys(dir).args(["trust", "show", "trust.json", "--root", "root.pub.pem"]));
    assert!(shown.contains("আপসকৃত: "), "{shown}");
    assert!(
        shown.contains(
            "ফিড-পিন নেই: এই চাবির কোনো সনদ খাঁটি বলে নিশ্চিত নয় / \
             no feed pin: no certificate of this key is vouched for\n"
        ),
        "{shown}"
    );
    assert!(!shown.contains("feed pin: certificates"), "{shown}");
}

#[test]
fn trust_retire_records_the_last_signing_day() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let office = signed_list(dir);
    keys(dir)
        .args([
            "trust",
            "retire",
            "trust.json",
            &office,
            "--on",
            "2026-31-01",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("expected YYYY-MM-DD"));
    // Without --on: today in Dhaka.
    keys(dir)
        .args(["trust", "retire", "trust.json", &office])
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "key {office}: অবসরপ্রাপ্ত / retired, শেষ স্বাক্ষরের দিন / last signing day {}",
            format_date(today_dhaka())
        )));
    let draft: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("trust.json")).unwrap()).unwrap();
    assert_eq!(
        draft["signed"]["keys"][0]["retired_on"],
        format_date(today_dhaka())
    );

    // A fresh list, retired on a given day: signed, shown with it.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let office = signed_list(dir);
    keys(dir)
        .args([
            "trust",
            "retire",
            "trust.json",
            &office,
            "--on",
            "2026-12-31",
        ])
        .assert()
        .success();
    keys(dir)
        .args(["trust", "sign", "trust.json", "--root-key", "root.key.pem"])
        .assert()
        .success();
    keys(dir)
        .args(["trust", "show", "trust.json", "--root", "root.pub.pem"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "  অবস্থা / status: অবসরপ্রাপ্ত / retired (২০২৬-১২-৩১ এর পরে স্বাক্ষর নয় / signs nothing after 2026-12-31)\n",
        ));

    // A hand-edited list that drops the day does not even load for editing.
    let path = dir.join("trust.json");
    let text = fs::read_to_string(&path).unwrap();
    let edited = text.replace("        \"retired_on\": \"2026-12-31\",\n", "");
    assert_ne!(edited, text);
    fs::write(&path, edited).unwrap();
    keys(dir)
        .args(["trust", "show", "trust.json", "--root", "root.pub.pem"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("has no retired_on date"));
    keys(dir)
        .args(["trust", "sign", "trust.json", "--root-key", "root.key.pem"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("has no retired_on date"));
    // The deliberate way out: give the day, then sign.
    keys(dir)
        .args([
            "trust",
            "retire",
            "trust.json",
            &office,
            "--on",
            "2026-11-30",
        ])
        .assert()
        .success();
    keys(dir)
        .args(["trust", "sign", "trust.json", "--root-key", "root.key.pem"])
        .assert()
        .success();
    keys(dir)
        .args(["trust", "show", "trust.json", "--root", "root.pub.pem"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("signs nothing after 2026-11-30)"));
}

#[test]
fn trust_sign_with_an_encrypted_root_key() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    keys(dir)
        .args(["gen", "--out", "root"])
        .env("SONOD_KEY_PASSPHRASE", PASS)
        .assert()
        .success();
    keys(dir)
        .args([
            "trust",
            "new",
            "--out",
            "t.json",
            "--expires",
            "2099-01-01",
            "--development",
        ])
        .assert()
        .success();
    keys(dir)
        .args(["trust", "sign", "t.json", "--root-key", "root.key.pem"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("passphrase required"));
    keys(dir)
        .args(["trust", "sign", "t.json", "--root-key", "root.key.pem"])
        .env("SONOD_KEY_PASSPHRASE", PASS)
        .assert()
        .success();
    keys(dir)
        .args(["trust", "show", "t.json", "--root", "root.pub.pem"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "পরিবেশ / environment: উন্নয়ন / development",
        ))
        .stderr(predicate::str::contains("DEVELOPMENT KEYS"));
}

#[test]
fn dev_is_idempotent() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let first = keys(dir)
        .args(["dev", "--out", "devkeys"])
        .assert()
        .success();
    let first_out = String::from_utf8(first.get_output().stdout.clone()).unwrap();
    let office = assert_key_id_line(&first_out);
    first.stderr(predicate::str::contains(
        "উন্নয়ন চাবি — প্রকৃত সনদের জন্য নয় / DEVELOPMENT KEYS — not for real certificates",
    ));

    let devkeys = dir.join("devkeys");
    assert_eq!(mode(&devkeys), 0o700);
    for f in ["root.key.pem", "office.key.pem"] {
        assert_eq!(mode(&devkeys.join(f)), 0o600, "{f}");
    }
    let trust = fs::read(devkeys.join("trust.json")).unwrap();

    keys(dir)
        .args([
            "trust",
            "show",
            "devkeys/trust.json",
            "--root",
            "devkeys/root.pub.pem",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("চাবি / key {office}")))
        .stdout(predicate::str::contains(
            "সাভার পৌরসভা (উন্নয়ন) / Savar Paurashava (development)",
        ))
        .stdout(predicate::str::contains("LOCALHOST:8080"));

    keys(dir)
        .args(["dev", "--out", "devkeys"])
        .assert()
        .success()
        .stdout(first_out)
        .stderr(predicate::str::contains("left unchanged"));
    assert_eq!(fs::read(devkeys.join("trust.json")).unwrap(), trust);
}

#[test]
fn usage_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    keys(tmp.path())
        .args(["trust", "new", "--out", "t.json", "--expires", "31/12/2099"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("expected YYYY-MM-DD"));
    keys(tmp.path()).assert().code(2);
    keys(tmp.path()).arg("--help").assert().code(0);
}

/// Issue #17: `sonod-keys --help` and its subcommands' help were English-only while
/// sonod-issuer's and sonod-scan's are bilingual. Every command's about text reads Bangla
/// first, then English.
#[test]
fn regression_help_is_bilingual_bangla_first() {
    let tmp = tempfile::tempdir().unwrap();
    let bangla = |c: char| ('\u{0980}'..='\u{09FF}').contains(&c);
    let help = |args: &[&str]| {
        let out = keys(tmp.path()).args(args).arg("--help").output().unwrap();
        assert!(out.status.success(), "{args:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let top = help(&[]);
    assert!(
        top.starts_with("সনদ চাবি ও বিশ্বাস-তালিকা / Sonod keys and trust list"),
        "{top}"
    );
    let trust = help(&["trust"]);
    for (args, listing) in [
        (vec!["gen"], &top),
        (vec!["id"], &top),
        (vec!["trust"], &top),
        (vec!["dev"], &top),
        (vec!["trust", "new"], &trust),
        (vec!["trust", "add"], &trust),
        (vec!["trust", "retire"], &trust),
        (vec!["trust", "compromise"], &trust),
        (vec!["trust", "rotate"], &trust),
        (vec!["trust", "sign"], &trust),
        (vec!["trust", "show"], &trust),
    ] {
        let name = args.last().unwrap();
        // The command's line in its parent's listing, and its own help's first line.
        let line = listing
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} not listed: {listing}"));
        let listed = line.trim_start().trim_start_matches(name).trim_start();
        assert!(listed.starts_with(bangla), "{args:?}: {line}");
        // Its own help's first paragraph (wrapped): "Bangla / English".
        let own = help(&args);
        let about = own.split("\n\n").next().unwrap().replace('\n', " ");
        let (bn, en) = about
            .split_once(" / ")
            .unwrap_or_else(|| panic!("{args:?}: {about}"));
        assert!(bn.starts_with(bangla), "{args:?}: {about}");
        assert!(en.is_ascii(), "{args:?}: English second: {about}");
    }
}

/// The names of environments and key statuses and the development warning come from the
/// Fluent files, Bangla first.
#[test]
fn status_and_environment_names_are_bilingual() {
    let tmp = tempfile::tempdir().unwrap();
    let out = keys(tmp.path())
        .args(["dev", "--out", "devkeys"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(
            "উন্নয়ন চাবি — প্রকৃত সনদের জন্য নয় / DEVELOPMENT KEYS — not for real certificates"
        ) || stderr.contains(&sonod_keys::DEV_WARNING.to_string()),
        "{stderr}"
    );
    let out = keys(tmp.path())
        .args([
            "trust",
            "show",
            "devkeys/trust.json",
            "--root",
            "devkeys/root.pub.pem",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("উন্নয়ন / development")
            || stdout.contains(&format!(
                "{} / development",
                sonod_keys::Environment::Development.label_bn()
            )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "{} / active",
            sonod_keys::KeyStatus::Active.label_bn()
        )),
        "{stdout}"
    );
    assert_eq!(sonod_keys::KeyStatus::Compromised.label_bn(), "আপসকৃত");
    let out = keys(tmp.path())
        .args(["trust", "new", "--out", "t.json", "--expires", "2099-12-31"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("খালি খসড়া তৈরি: t.json (প্রকৃত / production)"),
        "{stderr}"
    );
}
