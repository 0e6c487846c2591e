//! Golden tests of the `sonod-scan` command: exact output and exit status.
//!
//! The fixtures are made in-process: a development trust list (root-signed, environment
//! `development`, office 100524 with the development names), certificates sealed with
//! `sonod_seal`, QR PNGs rendered with `qrcode`. The office key's window is fixed
//! (2026-01-01 to 2099-12-31) rather than "from yesterday" as `sonod-keys dev` makes it, so
//! that the sample records, issued 2026-11-28, stay inside it whenever the tests run.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value as Json;
use sonod_keys::{
    today_dhaka, write_public_key, Environment, SecretKey, TrustEntry, TrustListDraft,
};
use sonod_seal::{Certificate, Host, Record, Sealed};
use sonod_testkit::run;
use tempfile::TempDir;
use time::macros::date;
use time::Duration;

const OFFICE_BN: &str = "সাভার পৌরসভা (উন্নয়ন)";
const OFFICE_EN: &str = "Savar Paurashava (development)";

fn benchmark_json() -> String {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../seal/tests/data/benchmark-record.json");
    std::fs::read_to_string(path).unwrap()
}

/// The benchmark record with `edit` applied to its JSON.
fn record_with(edit: impl FnOnce(&mut Json)) -> Record {
    let mut j: Json = serde_json::from_str(&benchmark_json()).unwrap();
    edit(&mut j);
    Record::from_json(&j).unwrap()
}

struct Fixture {
    dir: TempDir,
    office: SecretKey,
    /// The draft of the trust list, signed once (sequence 1).
    draft: TrustListDraft,
    root_key: SecretKey,
    trust: PathBuf,
    root: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let root = SecretKey::generate();
        let office = SecretKey::generate();
        let today = today_dhaka();
        let mut draft = TrustListDraft::new(today + Duration::days(365), Environment::Development);
        draft
            .add_key(TrustEntry::new(
                office.verifying_key(),
                "100524".parse().unwrap(),
                OFFICE_BN,
                OFFICE_EN,
                date!(2026 - 01 - 01),
                date!(2099 - 12 - 31),
                vec![
                    "LOCALHOST:8080".to_owned(),
                    "VERIFY.SONOD.GOV.BD".to_owned(),
                ],
            ))
            .unwrap();
        draft.sign_on(&root, None, today).unwrap();
        let trust = dir.path().join("trust.json");
        draft.write(&trust).unwrap();
        let root_pub = dir.path().join("root.pub.pem");
        write_public_key(&root_pub, &root.verifying_key()).unwrap();
        Fixture {
            dir,
            office,
            draft,
            root_key: root,
            trust,
            root: root_pub,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// QR text of `record` sealed by `key` as `serial`, as a URL on `host` or bare.
    fn qr_text(&self, key: &SecretKey, serial: u64, record: &Record, host: Option<&str>) -> String {
        let sealed = Sealed::seal(&Certificate::new(serial, record), key).unwrap();
        let host: Option<Host> = host.map(|h| h.parse().unwrap());
        sealed.to_qr_text(host.as_ref())
    }

    /// The benchmark certificate, serial 7, sealed by the office, URL on the official host.
    fn valid_text(&self) -> String {
        self.qr_text(
            &self.office,
            7,
            &record_with(|_| {}),
            Some("verify.sonod.gov.bd"),
        )
    }

    /// A PNG named `name` holding one QR code of `text`.
    fn png(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        qr_image(text).save(&path).unwrap();
        path
    }

    /// `sonod-scan` with the environment cleared of Sonod settings and its state (the highest
    /// trust-list sequence seen) kept in the fixture's folder.
    fn bare(&self) -> Command {
        let mut cmd = bare_scan();
        cmd.env("XDG_STATE_HOME", self.path("state"));
        cmd
    }

    /// `sonod-scan --trust … --root …`, as [`Fixture::bare`].
    fn scan(&self) -> Command {
        let mut cmd = self.bare();
        cmd.arg("--trust")
            .arg(&self.trust)
            .arg("--root")
            .arg(&self.root);
        cmd
    }
}

fn qr_image(text: &str) -> image::GrayImage {
    qrcode::QrCode::new(text.as_bytes())
        .unwrap()
        .render::<image::Luma<u8>>()
        .module_dimensions(4, 4)
        .quiet_zone(true)
        .build()
}

fn bare_scan() -> Command {
    let mut cmd = Command::cargo_bin("sonod-scan").unwrap();
    cmd.env_remove("SONOD_TRUST")
        .env_remove("SONOD_ROOT")
        .env_remove("SONOD_SCAN_STORE")
        .env_remove("SONOD_SCAN_VERIFIER")
        .env("XDG_DATA_HOME", "/nonexistent/sonod-scan-test")
        .env("XDG_STATE_HOME", "/nonexistent/sonod-scan-test-state");
    cmd
}

/// The JSON lines of a run, but for the summary at the end (see [`summary_of`]).
fn json_lines(stdout: &str) -> Vec<Json> {
    stdout
        .lines()
        .map(|l| serde_json::from_str::<Json>(l).unwrap())
        .filter(|j| j.get("summary").is_none())
        .collect()
}

/// The summary object a run of several files ends with, in JSON.
fn summary_of(stdout: &str) -> Json {
    let last = stdout.lines().last().expect("a last line");
    let j: Json = serde_json::from_str(last).unwrap();
    assert!(
        j.get("summary").is_some(),
        "the last line is the summary: {last}"
    );
    j["summary"].clone()
}

/// The headline of a genuine signature whose issuance and revocation were not checked.
const UNCONFIRMED_HEAD: &str = "? স্বাক্ষর সঠিক — যাচাই অসম্পূর্ণ / Signature genuine — not fully checked";

/// What follows it with a trust list only: the reason, then the signed facts.
const UNCONFIRMED_BODY: &str = concat!(
    "  কারণ / reason: অফিসের স্বাক্ষর সঠিক, কিন্তু অফিস সনদটি প্রদান করেছে কি না এবং পরে বাতিল করেছে কি না তা এখানে যাচাই হয়নি। শুধু এর ভিত্তিতে গ্রহণ করবেন না: ইন্টারনেটে সরকারি যাচাই-সাইটে আবার যাচাই করুন, বা যাচাই-যন্ত্রের অফলাইন তথ্য হালনাগাদ করুন। / The office's signature holds, but whether the office issued this certificate and has not revoked it was not checked here. Do not accept it on this alone: check again online on the official verification site, or update the scanner's offline data (sonod-scan sync).\n",
    "  ⚠ উন্নয়ন-চাবি: এটি আসল সনদ নয় / development keys: not a real certificate\n",
    "  অফিস / office: সাভার পৌরসভা (উন্নয়ন) / Savar Paurashava (development) (100524)\n",
    // The number as the paper prints it: office code, hyphen, serial.
    "  সনদ / certificate: নাগরিকত্ব সনদ / Citizenship Certificate · সনদ নং / certificate no. ১০০৫২৪-৭ (100524-7)\n",
    "  প্রদান / issued: ২৮-১১-২০২৬ (2026-11-28) · মেয়াদ / expires: ২৭-১১-২০২৭ (2027-11-27)\n",
    "  নাম / Name: মোহাম্মদ আব্দুল করিম\n",
    "  পিতার নাম / Father's name: মোহাম্মদ আব্দুর রহমান\n",
    "  মাতার নাম / Mother's name: মোসাম্মৎ রোকেয়া বেগম\n",
    "  জাতীয় পরিচয়পত্র নম্বর / NID number: ১৯৯০১২৩৪৫৬৭৮৯০১২৩ (19901234567890123)\n",
    "  ওয়ার্ড নং / Ward no.: ৫ (5)\n",
);

/// Regression: with a trust list only (the README's and demo.sh's first example), any
/// genuine signature, revoked or never issued alike, printed "✔ Genuine and valid" and
/// exited 0, though neither issuance nor revocation was checked.
#[test]
fn trust_list_only_is_unconfirmed_never_genuine_and_valid_golden() {
    let fx = Fixture::new();
    let png = fx.png("valid.png", &fx.valid_text());
    let (code, stdout, stderr) = run(fx.scan().arg("--at").arg("2026-12-01").arg(&png));
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(
        stdout,
        format!("{}: {UNCONFIRMED_HEAD}\n{UNCONFIRMED_BODY}", png.display())
    );
    assert!(!stdout.contains("Genuine and valid") && !stdout.contains('✔'));
    assert_eq!(stderr, "");
}

#[test]
fn trust_list_only_json_says_what_was_not_checked() {
    let fx = Fixture::new();
    let png = fx.png("valid.png", &fx.valid_text());
    let (code, stdout, _) = run(fx.scan().args(["--json", "--at", "2026-12-01"]).arg(&png));
    assert_eq!(code, 3);
    let lines = json_lines(&stdout);
    assert_eq!(lines.len(), 1);
    let j = &lines[0];
    assert_eq!(j["verdict"], "unconfirmed");
    assert_eq!(j["valid"], false);
    assert_eq!(
        j["unchecked"],
        serde_json::json!({"code": "no_feed", "issuance_checked": false, "revocation_checked": false})
    );
    assert_eq!(j["headline_en"], "Signature genuine — not fully checked");
    assert_eq!(j["input"], png.display().to_string());
    assert_eq!(j["certificate"]["serial"], 7);
    assert_eq!(j["certificate"]["type"], "citizenship");
    assert_eq!(j["office"]["code"], "100524");
    assert_eq!(j["office"]["name_en"], OFFICE_EN);
    assert_eq!(j["key_id"], fx.office.key_id().to_string());
    assert_eq!(j["host"], "VERIFY.SONOD.GOV.BD");
    assert_eq!(j["host_official"], true);
    assert_eq!(j["development"], true);
}

#[test]
fn bare_payload_is_judged_alike_and_has_no_host() {
    let fx = Fixture::new();
    let text = fx.qr_text(&fx.office, 7, &record_with(|_| {}), None);
    let png = fx.png("bare.png", &text);
    let (code, stdout, _) = run(fx.scan().args(["--at", "2026-12-01"]).arg(&png));
    assert_eq!(code, 3);
    assert_eq!(
        stdout,
        format!("{}: {UNCONFIRMED_HEAD}\n{UNCONFIRMED_BODY}", png.display())
    );
    let (_, stdout, _) = run(fx.scan().args(["--json", "--at", "2026-12-01"]).arg(&png));
    let j = &json_lines(&stdout)[0];
    assert!(
        j.get("host").is_none() && j.get("host_official").is_none(),
        "{j}"
    );
}

#[test]
fn expired_certificate() {
    let fx = Fixture::new();
    let png = fx.png("valid.png", &fx.valid_text());
    let (code, stdout, _) = run(fx.scan().args(["--at", "2028-01-01"]).arg(&png));
    assert_eq!(code, 1);
    assert!(
        stdout.starts_with(&format!(
            "{}: ✘ মেয়াদোত্তীর্ণ / Expired\n  কারণ / reason: এই সনদের মেয়াদ ২৭-১১-২০২৭ তারিখে শেষ হয়েছে; এটি আর বৈধ নয়। সনদধারী অফিস থেকে নতুন সনদ নেবেন। / This certificate's validity ended on 2027-11-27; it is no longer valid. The holder should get a new certificate from the office.\n",
            png.display()
        )),
        "{stdout}"
    );
    // The facts are signed, so they are still shown.
    assert!(
        stdout.contains("  নাম / Name: মোহাম্মদ আব্দুল করিম\n"),
        "{stdout}"
    );
    let (code, stdout, _) = run(fx.scan().args(["--json", "--at", "2028-01-01"]).arg(&png));
    assert_eq!(code, 1);
    assert_eq!(json_lines(&stdout)[0]["verdict"], "expired");
}

#[test]
fn not_yet_valid_certificate() {
    let fx = Fixture::new();
    let png = fx.png("valid.png", &fx.valid_text());
    let (code, stdout, _) = run(fx.scan().args(["--json", "--at", "2026-11-27"]).arg(&png));
    assert_eq!(code, 1);
    assert_eq!(json_lines(&stdout)[0]["verdict"], "not_yet_valid");
}

#[test]
fn key_not_in_trust_list_is_untrusted() {
    let fx = Fixture::new();
    let stranger = SecretKey::generate();
    let text = fx.qr_text(
        &stranger,
        7,
        &record_with(|_| {}),
        Some("verify.sonod.gov.bd"),
    );
    let png = fx.png("stranger.png", &text);
    let (code, stdout, _) = run(fx.scan().args(["--at", "2026-12-01"]).arg(&png));
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        format!(
            "{}: ✘ আসল নয় — স্বীকৃত অফিসের স্বাক্ষর নেই / Not genuine — not signed by a recognised office\n  কারণ / reason: এই কোডে কোনো স্বীকৃত অফিসের স্বাক্ষর নেই। এই কাগজ আসল সনদ নয় — গ্রহণ করবেন না; যে অফিসের সনদ বলে দাবি করা হচ্ছে, সেখানে জিজ্ঞাসা করুন। / This code is not signed by any recognised office. This paper is not a genuine certificate — do not accept it; ask the office it claims to come from.\n  ⚠ উন্নয়ন-চাবি: এটি আসল সনদ নয় / development keys: not a real certificate\n  কারিগরি বিবরণ / technical detail: চাবি {kid} জাতীয় বিশ্বাস-তালিকায় নেই / key {kid} is not in the national trust list\n",
            png.display(),
            kid = stranger.key_id()
        )
    );
    let (code, stdout, _) = run(fx.scan().args(["--json", "--at", "2026-12-01"]).arg(&png));
    assert_eq!(code, 1);
    let j = &json_lines(&stdout)[0];
    assert_eq!(j["verdict"], "untrusted_issuer");
    assert!(
        j.get("certificate").is_none(),
        "no facts without a trusted signature: {j}"
    );
}

#[test]
fn changed_signature_is_bad_signature() {
    let fx = Fixture::new();
    let sealed = Sealed::seal(&Certificate::new(7, &record_with(|_| {})), &fx.office).unwrap();
    let mut bytes = sealed.into_bytes();
    let n = bytes.len();
    bytes[n - 40] ^= 0x01; // inside the 64-byte signature at the end
    let text = format!("HTTPS://VERIFY.SONOD.GOV.BD/V/{}", base32(&bytes));
    let png = fx.png("forged.png", &text);
    let (code, stdout, _) = run(fx.scan().args(["--at", "2026-12-01"]).arg(&png));
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        format!(
            // The office is only that of the key the code names: not verified.
            "{}: ✘ জাল — স্বাক্ষর মেলেনি / Forged — bad signature\n  কারণ / reason: কোডের তথ্য বদলানো হয়েছে বা এটি জাল: অফিসের স্বাক্ষর মেলেনি। এই কাগজ আসল সনদ নয় — গ্রহণ করবেন না; যে অফিস সনদ দিয়েছে বলে লেখা, সেখানে জিজ্ঞাসা করুন। / The code's content was changed or it is forged: the office's signature does not match. This paper is not a genuine certificate — do not accept it; ask the office it claims to come from.\n  ⚠ উন্নয়ন-চাবি: এটি আসল সনদ নয় / development keys: not a real certificate\n  কোডে যে চাবির উল্লেখ, তা যে অফিসের (যাচাই হয়নি) / office of the key the code names (not verified): সাভার পৌরসভা (উন্নয়ন) / Savar Paurashava (development) (100524)\n",
            png.display()
        )
    );
    let (_, stdout, _) = run(fx.scan().args(["--json", "--at", "2026-12-01"]).arg(&png));
    let j = &json_lines(&stdout)[0];
    assert_eq!(j["verdict"], "bad_signature");
    assert!(j.get("certificate").is_none(), "{j}");
}

/// RFC 4648 Base32 without padding, as the QR text carries it.
fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((acc >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((acc << (5 - bits)) & 31) as usize]));
    }
    out
}

#[test]
fn base32_helper_matches_the_writer() {
    let fx = Fixture::new();
    let sealed = Sealed::seal(&Certificate::new(7, &record_with(|_| {})), &fx.office).unwrap();
    assert_eq!(base32(sealed.as_bytes()), sealed.to_qr_text(None));
}

#[test]
fn other_qr_is_not_sonod() {
    let fx = Fixture::new();
    let png = fx.png("example.png", "https://example.com/");
    let (code, stdout, _) = run(fx.scan().arg(&png));
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        format!(
            "{}: ✘ সনদের কোড পড়া যায়নি / Could not read the certificate code\n  কারণ / reason: এটি সনদের কিউআর কোড নয়, তাই এ দিয়ে কোনো সনদ যাচাই হয় না। সনদের কাগজে ছাপা কিউআর কোডটি স্ক্যান করুন। / This is not a certificate's QR code, so it checks nothing. Scan the QR code printed on the certificate itself.\n  ⚠ উন্নয়ন-চাবি: এটি আসল সনদ নয় / development keys: not a real certificate\n",
            png.display()
        )
    );
    let (_, stdout, _) = run(fx.scan().arg("--json").arg(&png));
    assert_eq!(json_lines(&stdout)[0]["verdict"], "malformed");
}

#[test]
fn look_alike_host_is_warned_about() {
    let fx = Fixture::new();
    let text = fx.qr_text(&fx.office, 7, &record_with(|_| {}), Some("evil.example"));
    let png = fx.png("evil.png", &text);
    let (code, stdout, _) = run(fx.scan().args(["--at", "2026-12-01"]).arg(&png));
    assert_eq!(
        code, 3,
        "the payload is genuine whatever the host, but not checked in full"
    );
    let warning = "  ⚠ কিউআর-এর ঠিকানা EVIL.EXAMPLE সরকারি যাচাই-সাইট নয় — ওই লিংকে ভরসা করবেন না / the QR's host EVIL.EXAMPLE is not an official verifier: do not trust that link\n";
    assert!(
        stdout.starts_with(&format!("{}: {UNCONFIRMED_HEAD}\n", png.display())),
        "{stdout}"
    );
    assert!(stdout.contains(warning), "{stdout}");
    let (code, stdout, _) = run(fx.scan().args(["--json", "--at", "2026-12-01"]).arg(&png));
    assert_eq!(code, 3);
    let j = &json_lines(&stdout)[0];
    assert_eq!(j["verdict"], "unconfirmed");
    assert_eq!(j["host"], "EVIL.EXAMPLE");
    assert_eq!(j["host_official"], false);
}

#[test]
fn image_without_qr_code() {
    let fx = Fixture::new();
    let png = fx.path("white.png");
    image::GrayImage::from_pixel(200, 200, image::Luma([255]))
        .save(&png)
        .unwrap();
    let (code, stdout, stderr) = run(fx.scan().arg(&png));
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        format!(
            "{}: ছবিতে কোনো কিউআর কোড পাওয়া যায়নি / no QR code found in the image\n",
            png.display()
        )
    );
    let (code, stdout, _) = run(fx.scan().arg("--json").arg(&png));
    assert_eq!(code, 1);
    let j = &json_lines(&stdout)[0];
    assert_eq!(j["input"], png.display().to_string());
    assert!(
        j["error"].as_str().unwrap().contains("no QR code found"),
        "{j}"
    );
}

#[test]
fn text_file_is_not_an_image() {
    let fx = Fixture::new();
    let png = fx.path("x.png");
    std::fs::write(&png, "this is not a picture\n").unwrap();
    let (code, stdout, stderr) = run(fx.scan().arg(&png));
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert!(
        stderr.starts_with(&format!("{}: ", png.display())),
        "{stderr}"
    );
    assert!(stderr.contains("not a readable image"), "{stderr}");
}

#[test]
fn missing_file() {
    let fx = Fixture::new();
    let png = fx.path("missing.png");
    let (code, stdout, stderr) = run(fx.scan().arg(&png));
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert!(
        stderr.starts_with(&format!("{}: ", png.display())),
        "{stderr}"
    );
    assert!(stderr.contains("cannot read the file"), "{stderr}");
    let (code, stdout, _) = run(fx.scan().arg("--json").arg(&png));
    assert_eq!(code, 2);
    assert!(json_lines(&stdout)[0]["error"]
        .as_str()
        .unwrap()
        .contains("cannot read the file"));
}

#[test]
fn too_wide_image_is_refused_before_decoding() {
    let fx = Fixture::new();
    let png = fx.path("wide.png");
    image::GrayImage::new(13_000, 1).save(&png).unwrap();
    let (code, _, stderr) = run(fx.scan().arg(&png));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("image too large (13000×1 pixels)"),
        "{stderr}"
    );
}

/// A PNG whose header claims 20000×20000 pixels but that holds no image data: a
/// decompression bomb's first bytes. It must be refused on the header alone.
#[test]
fn huge_png_header_is_refused() {
    let fx = Fixture::new();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&20_000u32.to_be_bytes());
    ihdr.extend_from_slice(&20_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit grey, deflate, no filter, no interlace
    let mut png_bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [
        (b"IHDR", &ihdr[..]),
        (
            b"IDAT",
            &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01][..],
        ),
        (b"IEND", &[][..]),
    ] {
        let mut chunk = kind.to_vec();
        chunk.extend_from_slice(data);
        png_bytes.extend_from_slice(&(data.len() as u32).to_be_bytes());
        png_bytes.extend_from_slice(&chunk);
        png_bytes.extend_from_slice(&crc32(&chunk).to_be_bytes());
    }
    let png = fx.path("bomb.png");
    std::fs::write(&png, &png_bytes).unwrap();
    let (code, _, stderr) = run(fx.scan().arg(&png));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("image too large (20000×20000 pixels)"),
        "{stderr}"
    );
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn worst_outcome_decides_the_exit_status() {
    let fx = Fixture::new();
    let valid = fx.png("valid.png", &fx.valid_text());
    let soon = record_with(|j| j["expires"] = "2026-11-30".into());
    let expired = fx.png(
        "expired.png",
        &fx.qr_text(&fx.office, 8, &soon, Some("verify.sonod.gov.bd")),
    );
    let missing = fx.path("missing.png");

    let (code, stdout, stderr) = run(fx
        .scan()
        .args(["--at", "2026-12-01"])
        .arg(&valid)
        .arg(&missing));
    assert_eq!(code, 2, "unconfirmed + missing file");
    assert_eq!(
        stdout,
        format!(
            "{}: {UNCONFIRMED_HEAD}\n{UNCONFIRMED_BODY}",
            valid.display()
        )
    );
    assert!(stderr.contains("cannot read the file"), "{stderr}");

    let (code, stdout, _) = run(fx
        .scan()
        .args(["--json", "--at", "2026-12-01"])
        .arg(&valid)
        .arg(&expired));
    assert_eq!(code, 1, "unconfirmed + expired: not valid wins");
    let verdicts: Vec<_> = json_lines(&stdout)
        .iter()
        .map(|j| j["verdict"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(verdicts, ["unconfirmed", "expired"]);

    let (code, _, _) = run(fx
        .scan()
        .args(["--at", "2026-12-01"])
        .arg(&valid)
        .arg(&valid));
    assert_eq!(code, 3, "all unconfirmed");
}

#[test]
fn folder_is_scanned_recursively_in_order() {
    let fx = Fixture::new();
    let text = fx.valid_text();
    let dir = fx.path("inbox");
    let b = fx.png("inbox/b.png", &text);
    let a = fx.png("inbox/a.png", &text);
    let c = fx.png("inbox/sub/c.png", &text);
    fx.png("inbox/.hidden.png", "https://example.com/");
    fx.png("inbox/.cache/d.png", "https://example.com/");
    #[cfg(unix)]
    std::os::unix::fs::symlink("..", dir.join("sub/parent")).unwrap();
    let (code, stdout, _) = run(fx.scan().args(["--json", "--at", "2026-12-01"]).arg(&dir));
    assert_eq!(code, 3, "{stdout}");
    let inputs: Vec<_> = json_lines(&stdout)
        .iter()
        .map(|j| j["input"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(inputs, [a, b, c].map(|p| p.display().to_string()));
}

#[test]
fn empty_folder_is_an_error() {
    let fx = Fixture::new();
    let dir = fx.path("empty");
    std::fs::create_dir(&dir).unwrap();
    let (code, stdout, stderr) = run(fx.scan().arg(&dir));
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        format!(
            "{}: ফোল্ডারে কোনো ফাইল নেই / no files in the folder\n",
            dir.display()
        )
    );
}

#[test]
fn raw_prints_any_qr_text_without_a_trust_list() {
    let fx = Fixture::new();
    let valid_text = fx.valid_text();
    let valid = fx.png("valid.png", &valid_text);
    let other = fx.png("example.png", "https://example.com/");
    let (code, stdout, stderr) = run(bare_scan().arg("--raw").arg(&valid).arg(&other));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, format!("{valid_text}\nhttps://example.com/\n"));
    let (code, stdout, _) = run(bare_scan().args(["--raw", "--json"]).arg(&other));
    assert_eq!(code, 0);
    assert_eq!(
        stdout,
        format!(
            "{}\n",
            serde_json::json!({"input": other.display().to_string(), "text": "https://example.com/"})
        )
    );
}

#[test]
fn without_a_trust_list_the_snapshot_is_needed() {
    let fx = Fixture::new();
    let png = fx.png("valid.png", &fx.valid_text());
    let (code, stdout, stderr) = run(bare_scan().arg(&png));
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        "ত্রুটি / error: /nonexistent/sonod-scan-test/sonod-scan এ কোনো তথ্যভান্ডার নেই; আগে `sonod-scan sync --from URL` চালান, অথবা --trust ও --root দিন / no snapshot in /nonexistent/sonod-scan-test/sonod-scan: run `sonod-scan sync --from URL` first, or give --trust and --root\n"
    );
    // A trust list needs a root key to verify it: none is pinned here, and none is given.
    let (code, stdout, stderr) = run(fx.bare().arg("--trust").arg(&fx.trust).arg(&png));
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert!(
        stderr.contains(
            "no root key: give --root FILE, or install the root key as /etc/sonod/root.pub.pem"
        ),
        "{stderr}"
    );
}

#[test]
fn trust_list_from_the_environment() {
    let fx = Fixture::new();
    let png = fx.png("valid.png", &fx.valid_text());
    let (code, _, stderr) = run(fx
        .bare()
        .env("SONOD_TRUST", &fx.trust)
        .env("SONOD_ROOT", &fx.root)
        .args(["--at", "2026-12-01"])
        .arg(&png));
    assert_eq!(code, 3, "{stderr}");
}

#[test]
fn image_from_standard_input() {
    let fx = Fixture::new();
    let png = fx.png("valid.png", &fx.valid_text());
    let bytes = std::fs::read(&png).unwrap();
    let (code, stdout, stderr) = run(fx
        .scan()
        .args(["--at", "2026-12-01", "-"])
        .write_stdin(bytes));
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(stdout, format!("-: {UNCONFIRMED_HEAD}\n{UNCONFIRMED_BODY}"));
    let (code, _, stderr) = run(fx.scan().arg("-").write_stdin("not an image"));
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("-: ") && stderr.contains("not a readable image"),
        "{stderr}"
    );
}

#[test]
fn two_codes_in_one_image() {
    let fx = Fixture::new();
    let (one, two) = (qr_image(&fx.valid_text()), qr_image("https://example.com/"));
    let mut canvas = image::GrayImage::from_pixel(
        one.width() + two.width(),
        one.height().max(two.height()),
        image::Luma([255]),
    );
    image::imageops::replace(&mut canvas, &one, 0, 0);
    image::imageops::replace(&mut canvas, &two, i64::from(one.width()), 0);
    let png = fx.path("two.png");
    canvas.save(&png).unwrap();
    let (code, stdout, _) = run(fx.scan().args(["--json", "--at", "2026-12-01"]).arg(&png));
    assert_eq!(code, 1, "one of them is not Sonod's");
    let mut verdicts: Vec<_> = json_lines(&stdout)
        .iter()
        .map(|j| j["verdict"].as_str().unwrap().to_owned())
        .collect();
    verdicts.sort();
    assert_eq!(verdicts, ["malformed", "unconfirmed"]);
}

#[test]
fn trust_list_with_a_broken_signature() {
    let fx = Fixture::new();
    let png = fx.png("valid.png", &fx.valid_text());
    let text = std::fs::read_to_string(&fx.trust).unwrap();
    assert!(text.contains(OFFICE_EN));
    std::fs::write(
        &fx.trust,
        text.replace(OFFICE_EN, "Savar Paurashava (forged)"),
    )
    .unwrap();
    let (code, stdout, stderr) = run(fx.scan().arg(&png));
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        format!(
            "ত্রুটি / error: trust list {}: বিশ্বাস-তালিকার স্বাক্ষর মেলেনি / trust list signature does not verify\n",
            fx.trust.display()
        )
    );
}

#[test]
fn trust_list_signed_by_another_root() {
    let fx = Fixture::new();
    let png = fx.png("valid.png", &fx.valid_text());
    let other_root = fx.path("other.pub.pem");
    write_public_key(&other_root, &SecretKey::generate().verifying_key()).unwrap();
    let (code, _, stderr) = run(fx
        .bare()
        .arg("--trust")
        .arg(&fx.trust)
        .arg("--root")
        .arg(&other_root)
        .arg(&png));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("trust list is signed by another root key"),
        "{stderr}"
    );
}

#[test]
fn bad_date_is_a_usage_error() {
    let fx = Fixture::new();
    let png = fx.png("valid.png", &fx.valid_text());
    let (code, _, stderr) = run(fx.scan().args(["--at", "01/12/2026"]).arg(&png));
    assert_eq!(code, 2);
    assert!(stderr.contains("YYYY-MM-DD"), "{stderr}");
}

fn encoded(img: &image::GrayImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), format)
        .unwrap();
    out
}

#[test]
fn a_stream_of_frames_reports_each_certificate_once() {
    let fx = Fixture::new();
    let valid = qr_image(&fx.valid_text());
    let blank = image::GrayImage::from_pixel(200, 150, image::Luma([230]));
    let other = qr_image("https://example.com/");
    // A camera's frames: the certificate, still there, nothing in view, the certificate
    // again (as JPEG and BMP, as ffmpeg writes them), then another code.
    let stream = [
        encoded(&valid, image::ImageFormat::Png),
        encoded(&valid, image::ImageFormat::Png),
        encoded(&blank, image::ImageFormat::Png),
        encoded(&valid, image::ImageFormat::Jpeg),
        encoded(&valid, image::ImageFormat::Bmp),
        encoded(&other, image::ImageFormat::Png),
    ]
    .concat();
    let (code, stdout, stderr) = run(fx
        .scan()
        .args(["--json", "--at", "2026-12-01", "-"])
        .write_stdin(stream));
    let lines = json_lines(&stdout);
    let verdicts: Vec<&str> = lines
        .iter()
        .map(|j| j["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["unconfirmed", "malformed"], "{stdout}{stderr}");
    assert_eq!(code, 1, "the foreign code is not valid");

    // Frames with no code at all: said once at the end, not per frame.
    let nothing = [
        encoded(&blank, image::ImageFormat::Png),
        encoded(&blank, image::ImageFormat::Jpeg),
    ]
    .concat();
    let (code, stdout, stderr) = run(fx.scan().arg("-").write_stdin(nothing));
    assert_eq!(code, 1);
    assert_eq!(stdout, "");
    assert_eq!(
        stderr.lines().collect::<Vec<_>>(),
        ["-: কোনো ছবিতে কিউআর কোড পাওয়া যায়নি / no QR code found in any image"]
    );

    // A stream cut off inside a frame: what came before is reported, then a clear error.
    let mut cut = encoded(&valid, image::ImageFormat::Png);
    let second = encoded(&valid, image::ImageFormat::Png);
    cut.extend_from_slice(&second[..second.len() / 2]);
    let (code, stdout, stderr) = run(fx
        .scan()
        .args(["--json", "--at", "2026-12-01", "-"])
        .write_stdin(cut));
    assert_eq!(code, 2, "{stderr}");
    let lines = json_lines(&stdout);
    assert_eq!(lines[0]["verdict"], "unconfirmed");
    assert!(
        lines[1]["error"]
            .as_str()
            .unwrap()
            .contains("the stream ended inside a frame"),
        "{stdout}"
    );
}

#[test]
fn kiosk_line_and_bell() {
    let fx = Fixture::new();
    let png = fx.png("valid.png", &fx.valid_text());
    let (code, stdout, _) = run(fx
        .scan()
        .args(["--kiosk", "--bell", "--at", "2026-12-01"])
        .arg(&png));
    assert_eq!(code, 3);
    let line = stdout.trim_end_matches('\x07');
    assert_eq!(line.lines().count(), 1, "{stdout:?}");
    assert!(
        line.starts_with(&format!(" {UNCONFIRMED_HEAD} · ")),
        "{line}"
    );
    assert!(line.contains("সনদ নং ১০০৫২৪-৭"), "{line}");
    assert!(
        line.contains("⚠ প্রদান ও বাতিল যাচাই হয়নি — তথ্যভান্ডার হালনাগাদ করুন বা অনলাইনে যাচাই করুন / issuance and revocation not checked — sync or verify online"),
        "{line}"
    );
    assert!(!line.contains('\x1b'), "no colour when not on a terminal");
    assert!(
        stdout.ends_with("\n\x07\x07"),
        "two bells for a second look: {stdout:?}"
    );

    let forged = fx.png("other.png", "https://example.com/");
    let (code, stdout, _) = run(fx.scan().args(["--kiosk", "--bell"]).arg(&forged));
    assert_eq!(code, 1);
    assert!(stdout.starts_with(" ✘ "), "{stdout}");
    assert!(
        stdout.ends_with("\x07\x07\x07"),
        "three bells otherwise: {stdout:?}"
    );
}

#[test]
fn first_page_of_a_pdf() {
    let fx = Fixture::new();
    let text = fx.valid_text();
    let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
    let n = code.width();
    let module = 113.0 / n as f64; // a 40 mm code, drawn as vector squares
    let mut content = String::from("0 0 0 rg\n");
    for (i, c) in code.to_colors().iter().enumerate() {
        if *c == qrcode::Color::Dark {
            let (x, y) = ((i % n) as f64, (i / n) as f64);
            content.push_str(&format!(
                "{:.3} {:.3} {:.3} {:.3} re\n",
                400.0 + x * module,
                700.0 - (y + 1.0) * module,
                module,
                module
            ));
        }
    }
    content.push_str("f\n");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_owned(),
        format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(b"xref\n0 5\n0000000000 65535 f \n");
    for off in offsets {
        pdf.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!("trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    let path = fx.path("certificate.pdf");
    std::fs::write(&path, pdf).unwrap();
    let (code, stdout, stderr) = run(fx
        .scan()
        .args(["--json", "--at", "2026-12-01", "--budget-ms", "30000"])
        .arg(&path));
    assert_eq!(code, 3, "{stdout}{stderr}");
    assert_eq!(json_lines(&stdout)[0]["verdict"], "unconfirmed");
}

#[test]
fn the_time_budget_is_an_answer_not_a_hang() {
    let fx = Fixture::new();
    let mut state = 0x9e37_79b9_u32;
    let noise = image::GrayImage::from_fn(2500, 2500, |_, _| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        image::Luma([(state & 0xff) as u8])
    });
    let path = fx.path("noise.png");
    noise.save(&path).unwrap();
    let start = std::time::Instant::now();
    let (code, stdout, stderr) = run(fx.scan().args(["--budget-ms", "10"]).arg(&path));
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stderr.contains("no QR code found in time (10 ms)"),
        "{stderr}"
    );
    assert!(start.elapsed() < std::time::Duration::from_secs(20));
}

#[test]
fn a_watched_folder_is_scanned_as_files_arrive() {
    use std::io::BufRead;
    let fx = Fixture::new();
    let inbox = fx.path("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("sonod-scan"))
        .env_remove("SONOD_TRUST")
        .env_remove("SONOD_ROOT")
        .env("XDG_STATE_HOME", fx.path("state"))
        .arg("--trust")
        .arg(&fx.trust)
        .arg("--root")
        .arg(&fx.root)
        .args(["--json", "--at", "2026-12-01", "--watch"])
        .arg(&inbox)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    // Wait until it says it is watching, then drop files the way scanners do: written under
    // a temporary name and renamed, and written in place.
    let mut err = std::io::BufReader::new(stderr);
    let mut said = String::new();
    err.read_line(&mut said).unwrap();
    assert!(said.contains("watching"), "{said}");
    let text = fx.valid_text();
    qr_image(&text).save(fx.path("scan1.png")).unwrap();
    std::fs::rename(fx.path("scan1.png"), inbox.join("scan1.png")).unwrap();
    let first = rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("a verdict");
    qr_image("https://example.com/")
        .save(inbox.join("scan2.png"))
        .unwrap();
    let second = rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("a verdict");
    // Notes dropped beside the scans are skipped, and once the folder is quiet the summary of
    // the batch follows.
    std::fs::write(inbox.join("notes.txt"), "page 2 missing\n").unwrap();
    let third = rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("a line for the notes");
    let summary = rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("a summary");
    let _ = child.kill();
    let _ = child.wait();
    let first: Json = serde_json::from_str(&first).unwrap();
    let second: Json = serde_json::from_str(&second).unwrap();
    assert_eq!(first["verdict"], "unconfirmed");
    assert!(first["input"].as_str().unwrap().ends_with("scan1.png"));
    assert_eq!(second["verdict"], "malformed");
    let third: Json = serde_json::from_str(&third).unwrap();
    assert!(third["input"].as_str().unwrap().ends_with("notes.txt"));
    assert!(third["skipped"].as_str().is_some(), "{third}");
    let summary: Json = serde_json::from_str(&summary).unwrap();
    let summary = &summary["summary"];
    assert_eq!(
        (
            &summary["unconfirmed"],
            &summary["malformed"],
            &summary["skipped"]
        ),
        (&1.into(), &1.into(), &1.into()),
        "{summary}"
    );
}

#[test]
fn help_documents_every_exit_status() {
    let (code, stdout, _) = run(bare_scan().arg("--help"));
    assert_eq!(code, 0);
    for line in [
        // Bangla first (its own block), then English.
        "\n  ০  সব সনদ বৈধ, সম্পূর্ণ যাচাই করা\n",
        "\n  ১  কোনোটি বৈধ নয়, বা ছবিতে কিউআর কোড নেই\n",
        "\n  ২  ব্যবহার বা ফাইলের ত্রুটি, ক্ষতিগ্রস্ত বা বদলানো তথ্যভান্ডার, অথবা পুরোনো বিশ্বাস-তালিকা\n",
        "\n  ৩  স্বাক্ষর সঠিক",
        "\n  0  every certificate valid, fully checked\n",
        "\n  1  any certificate not valid, or no QR code found\n",
        "\n  2  usage or I/O error, or a damaged, tampered or rolled-back store or trust list\n",
        "\n  3  the signature holds but issuance or revocation could not be checked",
    ] {
        assert!(stdout.contains(line), "{line:?} in {stdout}");
    }
    let (bn, en) = (stdout.find("প্রস্থান-কোড"), stdout.find("Exit status"));
    assert!(
        bn.is_some() && en.is_some() && bn < en,
        "Bangla first: {stdout}"
    );
}

/// Regression (issue 12, points 4 and 5): an older, genuine trust list (which may still
/// trust a key since marked compromised) was accepted after a newer one had been used.
#[test]
fn an_older_trust_list_is_refused_once_a_newer_one_was_seen() {
    let fx = Fixture::new();
    let png = fx.png("valid.png", &fx.valid_text());
    let mut newer = fx.draft.clone();
    newer.sign_on(&fx.root_key, None, today_dhaka()).unwrap();
    assert_eq!(newer.sequence(), 2);
    let newer_path = fx.path("trust-2.json");
    newer.write(&newer_path).unwrap();
    let scan_with = |trust: &Path| {
        let mut c = fx.bare();
        c.arg("--trust")
            .arg(trust)
            .arg("--root")
            .arg(&fx.root)
            .args(["--at", "2026-12-01"])
            .arg(&png);
        run(&mut c)
    };
    assert_eq!(scan_with(&fx.trust).0, 3, "sequence 1, the first seen");
    assert_eq!(scan_with(&newer_path).0, 3, "sequence 2");
    let (code, stdout, stderr) = scan_with(&fx.trust);
    assert_eq!(code, 2, "back to sequence 1: refused");
    assert_eq!(stdout, "");
    let state = fx.path("state/sonod-scan/trust-sequence.json");
    assert_eq!(
        stderr,
        format!(
            "ত্রুটি / error: বিশ্বাস-তালিকা পুরোনো: এর ক্রম ১, অথচ এই যন্ত্র আগেই ক্রম ২ দেখেছে; পুরোনো তালিকা পরে আপসকৃত ঘোষিত চাবিকে বিশ্বাস করতে পারে। নতুন তালিকা আনুন (`sonod-scan sync`); ইচ্ছা করে পেছনে যেতে {0} মুছে দিন / the trust list is older than one this machine has already seen (sequence 1, seen 2): an older list may trust a key since marked compromised. Fetch the current one (`sonod-scan sync`); to go back on purpose, delete {0}\n",
            state.display()
        )
    );
    // The documented way back.
    std::fs::remove_file(&state).unwrap();
    assert_eq!(scan_with(&fx.trust).0, 3);
}

#[path = "../../qr/tests/support/photos.rs"]
mod photos;

/// Phones' photos: 12 MP (4032×3024) read whole, 50 MP (8160×6120, over the 48 MP limit)
/// read at half scale straight from the JPEG's DCT; the same certificate in each.
#[test]
fn phone_photos_up_to_50_megapixels_are_read() {
    let fx = Fixture::new();
    let text = fx.valid_text();
    let twelve = fx.path("IMG_12MP.JPG");
    std::fs::write(&twelve, photos::photo_jpeg(4032, 3024, &text, 8)).unwrap();
    let fifty = fx.path("IMG_50MP.JPG");
    std::fs::write(&fifty, photos::photo_jpeg(8160, 6120, &text, 16)).unwrap();
    let (code, stdout, stderr) = run(fx
        .scan()
        .args(["--json", "--at", "2026-12-01", "--budget-ms", "60000"])
        .arg(&twelve)
        .arg(&fifty));
    assert_eq!(code, 3, "{stdout}{stderr}");
    let verdicts: Vec<_> = json_lines(&stdout)
        .iter()
        .map(|j| {
            (
                j["input"].as_str().unwrap().to_owned(),
                j["verdict"].clone(),
            )
        })
        .collect();
    assert_eq!(
        verdicts,
        [
            (twelve.display().to_string(), "unconfirmed".into()),
            (fifty.display().to_string(), "unconfirmed".into())
        ]
    );
    // Files named one by one: no summary.
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
}

/// Issue 17: a folder run ends with a summary by verdict kind, Bangla digits first; a file that
/// is not an image or a PDF by its first bytes (notes.txt, a text file called .jpg) is skipped,
/// said and counted, and is no error.
#[test]
fn a_folder_ends_with_a_summary_and_skips_what_is_not_a_picture() {
    let fx = Fixture::new();
    let text = fx.valid_text();
    let dir = fx.path("scans");
    fx.png("scans/a.png", &text);
    fx.png("scans/b.png", &text);
    std::fs::write(dir.join("notes.txt"), "customer called at 3pm\n").unwrap();
    std::fs::write(dir.join("fake.jpg"), "not a jpeg at all\n").unwrap();
    let (code, stdout, stderr) = run(fx.scan().args(["--at", "2026-12-01"]).arg(&dir));
    assert_eq!(code, 3, "skipped files are no error: {stderr}");
    assert_eq!(stdout.matches(UNCONFIRMED_HEAD).count(), 2, "{stdout}");
    let skipped = "ছবি বা পিডিএফ নয় — বাদ / not an image or PDF — skipped";
    assert_eq!(
        stderr,
        format!(
            "{}: {skipped}\n{}: {skipped}\n\
             ২টি যাচাই অসম্পূর্ণ · ২টি ছবি বা পিডিএফ নয় (বাদ) / \
             2 not fully checked · 2 not an image or PDF (skipped)\n",
            dir.join("fake.jpg").display(),
            dir.join("notes.txt").display(),
        )
    );

    // With a picture without a code and a damaged one: each counted; the damaged one is an
    // error (exit 2), as a damaged picture named on the command line is.
    image::GrayImage::from_pixel(200, 200, image::Luma([255]))
        .save(dir.join("blank.png"))
        .unwrap();
    std::fs::write(dir.join("broken.png"), b"\x89PNG\r\n\x1a\nbroken").unwrap();
    let (code, stdout, stderr) = run(fx.scan().args(["--at", "2026-12-01"]).arg(&dir));
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.ends_with(
            "২টি যাচাই অসম্পূর্ণ · ১টিতে কিউআর কোড নেই · ১টি পড়া যায়নি · ২টি ছবি বা পিডিএফ নয় (বাদ) / \
             2 not fully checked · 1 no QR code · 1 unreadable · 2 not an image or PDF (skipped)\n"
        ),
        "{stderr}"
    );

    // JSON: the skipped files as lines of their own, the summary as the last object.
    let (code, stdout, _) = run(fx.scan().args(["--json", "--at", "2026-12-01"]).arg(&dir));
    assert_eq!(code, 2);
    let lines = json_lines(&stdout);
    let skipped: Vec<_> = lines
        .iter()
        .filter(|j| j.get("skipped").is_some())
        .map(|j| j["input"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        skipped,
        ["fake.jpg", "notes.txt"].map(|n| dir.join(n).display().to_string())
    );
    let summary = summary_of(&stdout);
    for (name, n) in [
        ("unconfirmed", 2),
        ("valid", 0),
        ("no_qr", 1),
        ("unreadable", 1),
        ("skipped", 2),
    ] {
        assert_eq!(summary[name], n, "{name}: {summary}");
    }

    // A folder with nothing but notes: nothing was checked, which must not read as valid.
    let notes = fx.path("notes");
    std::fs::create_dir(&notes).unwrap();
    std::fs::write(notes.join("notes.txt"), "nothing here\n").unwrap();
    let (code, _, stderr) = run(fx.scan().arg(&notes));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("কোনো ছবি বা পিডিএফ পাওয়া যায়নি / no image or PDF found"),
        "{stderr}"
    );
    // A text file named on the command line is still an error, as before.
    let (code, _, _) = run(fx.scan().arg(notes.join("notes.txt")));
    assert_eq!(code, 2);
}
