//! Issue → print → photograph → scan → verify, across the parts, in-process.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::{imageops, DynamicImage, ImageFormat};
use qrcode::EcLevel;
use sonod_issuer::{Issuer, Ledger, OfficeKey, Store};
use sonod_keys::{
    ensure_dev_keys, read_public_key, read_secret_key, today_dhaka, DevOptions, KeyStatus,
    Passphrase, SecretKey, TrustList, TrustListDraft,
};
use sonod_scan::{decode_image_bytes, Limits};
use sonod_seal::{parse_qr_text, Certificate, Record, Sealed};
use sonod_verifier::{Judge, NoFeed, Replica, Unchecked, VerdictKind};
use time::Date;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .to_owned()
}

struct Office {
    _dir: tempfile::TempDir,
    keys: PathBuf,
    key: SecretKey,
    /// The same key with its trust-list entry, as the issuer signs with it.
    office_key: OfficeKey,
    ledger: Ledger,
    out: PathBuf,
}

fn office() -> Office {
    let dir = tempfile::tempdir().expect("tmp");
    let keys = dir.path().join("keys");
    let dev = ensure_dev_keys(&keys, &DevOptions::default()).expect("dev keys");
    let key = read_secret_key(dev.office_key_path(), || Ok(Passphrase::new(String::new())))
        .expect("office key");
    let office_key = OfficeKey::from_files(
        SecretKey::from_signing_key(key.signing_key().clone()),
        &dev.trust_list_path(),
        &dev.root_pub_path(),
        today_dhaka(),
    )
    .expect("office key in the trust list");
    let ledger =
        Ledger::open(Store::open(&dir.path().join("data")).expect("store")).expect("ledger");
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).expect("out");
    Office {
        _dir: dir,
        keys,
        key,
        office_key,
        ledger,
        out,
    }
}

impl Office {
    /// A judge with the trust list only (no feed): a genuine certificate is `unconfirmed`,
    /// never `valid`, since issuance and revocation are not checked.
    fn judge(&self) -> Judge {
        let root = read_public_key(self.keys.join("root.pub.pem")).expect("root");
        let bytes = std::fs::read(self.keys.join("trust.json")).expect("trust");
        Judge::new(TrustList::load(&bytes, &root, today_dhaka()).expect("trust list"))
    }

    /// A verifier's replica of this office's feed, empty until [`Office::catch_up`].
    fn replica(&self) -> (tempfile::TempDir, Replica) {
        let dir = tempfile::tempdir().expect("tmp");
        let r = Replica::open(dir.path(), 1 << 20).expect("replica");
        (dir, r)
    }

    /// Applies the feed events the office published since the replica's position, as a
    /// verifier's sync does: a certificate issued so far is then checked against its feed.
    fn catch_up(&self, r: &Replica) {
        let office = "100524";
        let position = r.office(&office.parse().unwrap()).map_or(0, |f| f.position);
        let events = self.ledger.events(position, 10_000).expect("events");
        let head = position + events.len() as u64;
        r.apply(&office.parse().unwrap(), position, &events, head)
            .expect("apply");
    }

    fn issuer(&self) -> Issuer<'_> {
        Issuer {
            key: &self.office_key,
            ledger: &self.ledger,
            actor: "e2e",
            host: Some("localhost:8080".parse().expect("host")),
            ec: EcLevel::M,
            images: true,
        }
    }
}

/// A record dated today, so the development key (valid from yesterday) may sign it.
fn dated_today(json: &str) -> Record {
    let mut v: serde_json::Value = serde_json::from_str(json).expect("json");
    let today = today_dhaka();
    v["issued"] = serde_json::json!(today.to_string());
    if v.get("expires").is_some() {
        v["expires"] = serde_json::json!((today + time::Duration::days(365)).to_string());
    }
    Record::from_json(&v).expect("record")
}

fn samples() -> Vec<(String, Record)> {
    let dir = workspace().join("seal/tests/data/records");
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .expect("records")
        .flatten()
        .map(|e| {
            let p = e.path();
            (
                p.file_stem()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                dated_today(&std::fs::read_to_string(&p).expect("read")),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn png_of(path: &Path) -> DynamicImage {
    image::load_from_memory(&std::fs::read(path).expect("png")).expect("decode png")
}

fn encode(img: &DynamicImage, fmt: ImageFormat) -> Vec<u8> {
    let mut buf = Cursor::new(Vec::new());
    img.write_to(&mut buf, fmt).expect("encode");
    buf.into_inner()
}

#[test]
fn the_shared_benchmark_record_is_accepted_as_it_is() {
    let ours = workspace().join("seal/tests/data/benchmark-record.json");
    let shared = workspace().join("../shared/fixtures/benchmark-record.json");
    let text = std::fs::read_to_string(&ours).expect("copy");
    if let Ok(original) = std::fs::read_to_string(&shared) {
        assert_eq!(
            original, text,
            "seal/tests/data/benchmark-record.json drifted from shared/fixtures"
        );
    }
    let r = Record::from_json_str(&text).expect("benchmark record parses as it is");
    assert_eq!(
        r.issued(),
        Date::from_calendar_date(2026, time::Month::November, 28).expect("date")
    );
}

#[test]
fn every_certificate_type_goes_from_record_to_png_to_a_valid_verdict() {
    let o = office();
    let judge = o.judge();
    let (_dir, replica) = o.replica();
    for (name, record) in samples() {
        let issued = o.issuer().issue(&record, &o.out).expect("issue");
        let png = issued
            .files
            .iter()
            .find(|f| f.extension().is_some_and(|e| e == "png"))
            .expect("png written");
        let texts = decode_image_bytes(&std::fs::read(png).expect("read"), &Limits::default())
            .expect("decode");
        assert_eq!(texts, vec![issued.qr_text.clone()], "{name}");
        // A trust list alone cannot say whether the office issued it or revoked it since.
        let v = judge.judge(&texts[0], today_dhaka(), &NoFeed);
        assert_eq!(v.kind, VerdictKind::Unconfirmed, "{name}");
        assert_eq!(v.unchecked, Some(Unchecked::NoFeed), "{name}");
        // With the office's feed, everything is checked.
        o.catch_up(&replica);
        let v = judge.judge(&texts[0], today_dhaka(), &replica);
        assert_eq!(
            v.kind,
            VerdictKind::Valid,
            "{name}: {} / {}",
            v.reason_en,
            v.reason_bn
        );
        assert!(v.development);
        assert_eq!(
            v.host_official,
            Some(true),
            "{name}: LOCALHOST:8080 is the dev list's host"
        );
        let cert = v.certificate.expect("facts");
        assert_eq!(cert.serial, issued.serial);
        assert_eq!(
            cert.record,
            record.signed_part(),
            "{name}: the signed facts are what the record said"
        );
        // The store kept the whole record and the exact sealed bytes.
        let stored = o
            .ledger
            .store()
            .get(issued.serial)
            .expect("store")
            .expect("stored");
        assert_eq!(stored.record, record.to_json());
        assert_eq!(
            stored.sealed,
            parse_qr_text(&issued.qr_text).expect("qr").bytes
        );
    }
    assert_eq!(o.ledger.store().len(), 14);
}

#[test]
fn photographed_codes_still_verify() {
    let o = office();
    let record = dated_today(include_str!("../../seal/tests/data/benchmark-record.json"));
    let issued = o.issuer().issue(&record, &o.out).expect("issue");
    let png = png_of(&o.out.join(format!("100524-{}.png", issued.serial)));
    let (w, h) = (png.width(), png.height());
    // A page: the code small on a large grey sheet, off centre.
    let mut page = DynamicImage::new_luma8(w * 3, h * 3);
    page.as_mut_luma8()
        .expect("luma")
        .pixels_mut()
        .for_each(|p| p.0 = [225]);
    imageops::overlay(&mut page, &png, i64::from(w), i64::from(h) / 2);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "half size",
            encode(
                &png.resize(w / 2, h / 2, imageops::FilterType::Triangle),
                ImageFormat::Png,
            ),
        ),
        ("jpeg q40", {
            let mut buf = Cursor::new(Vec::new());
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut buf, 40)
                .encode_image(&png.to_rgb8())
                .expect("jpeg");
            buf.into_inner()
        }),
        ("rotated 90", encode(&png.rotate90(), ImageFormat::Png)),
        ("upside down", encode(&png.rotate180(), ImageFormat::Png)),
        ("blurred", encode(&png.blur(1.5), ImageFormat::Png)),
        (
            "low contrast, dark",
            encode(&png.adjust_contrast(-60.0).brighten(-60), ImageFormat::Png),
        ),
        ("on a page", encode(&page, ImageFormat::Jpeg)),
        (
            "webp",
            encode(&DynamicImage::ImageRgb8(png.to_rgb8()), ImageFormat::WebP),
        ),
        ("bmp", encode(&png, ImageFormat::Bmp)),
        ("tiff", encode(&png, ImageFormat::Tiff)),
    ];
    let judge = o.judge();
    let (_dir, replica) = o.replica();
    o.catch_up(&replica);
    let mut unread = Vec::new();
    for (name, bytes) in cases {
        let texts = decode_image_bytes(&bytes, &Limits::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        match texts.as_slice() {
            [text] => assert_eq!(
                judge.judge(text, today_dhaka(), &replica).kind,
                VerdictKind::Valid,
                "{name}"
            ),
            _ => unread.push(name),
        }
    }
    assert!(unread.is_empty(), "not read: {unread:?}");
}

#[test]
fn forgeries_get_the_verdict_that_names_them() {
    let o = office();
    let judge = o.judge();
    let today = today_dhaka();
    let record = dated_today(include_str!("../../seal/tests/data/benchmark-record.json"));

    // A forger with a key of their own, claiming the office.
    let forger = SecretKey::generate();
    let fake = Sealed::seal(&Certificate::new(1, &record), &forger)
        .expect("seal")
        .to_qr_text(None);
    let v = judge.judge(&fake, today, &NoFeed);
    assert_eq!(v.kind, VerdictKind::UntrustedIssuer);
    assert!(v.certificate.is_none());

    // A genuine certificate with the name edited: every byte of the name is signed.
    let genuine = Sealed::seal(&Certificate::new(7, &record), &o.key).expect("seal");
    let mut bytes = genuine.as_bytes().to_vec();
    let name_at = bytes
        .windows(3)
        .position(|w| w == [0x01, 0x54, 0xAE])
        .expect("name field")
        + 2;
    bytes[name_at] = 0xAF; // ম → য
    let edited = data_encoding::BASE32_NOPAD.encode(&bytes);
    let v = judge.judge(&edited, today, &NoFeed);
    assert_eq!(v.kind, VerdictKind::BadSignature, "{}", v.reason_en);
    assert!(
        v.certificate.is_none(),
        "facts are shown only when the signature holds"
    );

    // A look-alike site in the URL: still judged on the payload (whose signature holds; with
    // a trust list alone, issuance is unchecked), with a warning.
    let lookalike = format!(
        "HTTPS://VERIFY-SONOD.EXAMPLE/V/{}",
        data_encoding::BASE32_NOPAD.encode(genuine.as_bytes())
    );
    let v = judge.judge(&lookalike, today, &NoFeed);
    assert_eq!(v.kind, VerdictKind::Unconfirmed);
    assert_eq!(v.host_official, Some(false));

    // A certificate of another office made with this office's key.
    let mut other = record.to_json();
    other["office"] = serde_json::json!("200101");
    let other = Record::from_json(&other).expect("record");
    let v = judge.judge(
        &Sealed::seal(&Certificate::new(1, &other), &o.key)
            .expect("seal")
            .to_qr_text(None),
        today,
        &NoFeed,
    );
    assert_eq!(v.kind, VerdictKind::UntrustedIssuer);

    // Not a Sonod code at all.
    assert_eq!(
        judge
            .judge("WIFI:S:home;T:WPA;P:secret;;", today, &NoFeed)
            .kind,
        VerdictKind::Malformed
    );

    // Dates.
    assert_eq!(
        judge
            .judge(
                &genuine.to_qr_text(None),
                today + time::Duration::days(800),
                &NoFeed
            )
            .kind,
        VerdictKind::Expired
    );
    assert_eq!(
        judge
            .judge(
                &genuine.to_qr_text(None),
                today.previous_day().expect("date"),
                &NoFeed
            )
            .kind,
        VerdictKind::NotYetValid
    );
}

#[test]
fn a_compromised_key_invalidates_everything_it_signed() {
    let o = office();
    let record = dated_today(include_str!("../../seal/tests/data/benchmark-record.json"));
    let qr = Sealed::seal(&Certificate::new(3, &record), &o.key)
        .expect("seal")
        .to_qr_text(None);
    // The signature holds (with a trust list alone, issuance is unchecked).
    assert_eq!(
        o.judge().judge(&qr, today_dhaka(), &NoFeed).kind,
        VerdictKind::Unconfirmed
    );

    // The authority marks the office key compromised and re-signs the list.
    let path = o.keys.join("trust.json");
    let mut draft = TrustListDraft::read(&path).expect("draft");
    draft
        .set_status(o.key.key_id(), KeyStatus::Compromised)
        .expect("mark");
    let root = read_secret_key(o.keys.join("root.key.pem"), || {
        Ok(Passphrase::new(String::new()))
    })
    .expect("root");
    draft.sign(&root, None).expect("sign");
    draft.write(&path).expect("write");

    let v = o.judge().judge(&qr, today_dhaka(), &NoFeed);
    assert_eq!(v.kind, VerdictKind::KeyCompromised);
    assert!(v.certificate.is_none());
}

#[test]
fn reseal_moves_every_unrevoked_certificate_to_the_new_key_under_the_same_serial() {
    let o = office();
    let record = dated_today(include_str!("../../seal/tests/data/benchmark-record.json"));
    let serials: Vec<u64> = (0..3)
        .map(|_| o.issuer().issue(&record, &o.out).expect("issue").serial)
        .collect();
    let revoked = o
        .ledger
        .revoke(
            serials[1],
            sonod_seal::feed::RevocationReason::Fraud,
            "",
            "e2e",
        )
        .expect("revoke");
    o.ledger.store().commit().expect("commit");
    assert!(revoked.created);

    let new_key = SecretKey::generate();
    let n = o
        .ledger
        .reseal(&o.key.key_id(), &new_key, "e2e")
        .expect("reseal");
    assert_eq!(n, 2, "the revoked certificate stays as it was");
    for s in &serials {
        let c = o.ledger.store().get(*s).expect("get").expect("stored");
        let opened = sonod_seal::open(&c.sealed).expect("open");
        assert_eq!(opened.unverified().serial, *s, "same serial");
        if *s == serials[1] {
            assert_eq!(opened.key_id(), o.key.key_id());
        } else {
            assert_eq!(opened.key_id(), new_key.key_id());
            opened
                .verify(&new_key.verifying_key())
                .expect("verifies with the new key");
        }
    }
    let events = o.ledger.events(0, 100).expect("events");
    let resealed: Vec<_> = events
        .iter()
        .filter_map(|e| match &e.kind {
            sonod_seal::feed::EventKind::Resealed {
                serial,
                key_id,
                hash,
            } => Some((*serial, *key_id, hash.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(resealed.len(), 2);
    for (serial, key_id, hash) in resealed {
        assert_eq!(key_id, new_key.key_id());
        let c = o.ledger.store().get(serial).expect("get").expect("stored");
        assert_eq!(hash, sonod_issuer::hex_hash(&c.sealed));
    }
}
