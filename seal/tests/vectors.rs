//! The test-vector harness: every file in `tests/vectors/` states its expected outcome in a
//! header; `ok_*` vectors must also be exactly what sealing their record gives (byte for
//! byte), so the format cannot drift without the vectors changing.
//!
//! Regenerate with `cargo run -p sonod-seal --example make_vectors` (deterministic).

mod common;

use std::path::Path;

use sonod_seal::{open, parse_qr_text, Certificate, Record, Sealed};

struct Vector {
    name: String,
    expect: String,
    record: Option<serde_json::Value>,
    text: String,
}

fn vectors() -> Vec<Vector> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let mut out = Vec::new();
    for e in std::fs::read_dir(&dir).expect("vectors dir") {
        let path = e.expect("entry").path();
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("name")
            .to_owned();
        let body = std::fs::read_to_string(&path).expect("read");
        let mut expect = None;
        let mut record = None;
        let mut text = None;
        for line in body.lines() {
            if let Some(v) = line.strip_prefix("# expect: ") {
                expect = Some(v.to_owned());
            } else if let Some(v) = line.strip_prefix("# record: ") {
                record = Some(serde_json::from_str(v).expect("record json"));
            } else if !line.starts_with('#') {
                assert!(text.is_none(), "{name}: more than one payload line");
                text = Some(line.to_owned());
            }
        }
        let expect = expect.unwrap_or_else(|| panic!("{name}: no expect header"));
        assert_eq!(
            name.starts_with("ok_"),
            expect == "ok",
            "{name}: file name and header disagree"
        );
        let text = text.unwrap_or_else(|| panic!("{name}: no payload"));
        out.push(Vector {
            name,
            expect,
            record,
            text,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// What reading the vector with only KEY1 trusted gives: "ok" or the failure's name.
fn outcome(text: &str) -> Result<Certificate, String> {
    let trusted = common::key(common::KEY1);
    let variant = |e: &dyn std::fmt::Debug| {
        let d = format!("{e:?}");
        d.split(['(', ' ', '{'])
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    let qr = parse_qr_text(text).map_err(|e| variant(&e))?;
    let opened = open(&qr.bytes).map_err(|e| variant(&e))?;
    if opened.key_id() != trusted.key_id() {
        return Err("unknown_key".into());
    }
    opened
        .verify(&trusted.verifying_key())
        .cloned()
        .map_err(|_| "signature".into())
}

#[test]
fn every_vector_has_its_stated_outcome() {
    let all = vectors();
    let oks = all.iter().filter(|v| v.expect == "ok").count();
    assert!(oks >= 16, "only {oks} ok vectors");
    assert!(
        all.len() - oks >= 30,
        "only {} fail vectors",
        all.len() - oks
    );
    for v in &all {
        match (v.expect.as_str(), outcome(&v.text)) {
            ("ok", Ok(cert)) => {
                let want = v
                    .record
                    .as_ref()
                    .unwrap_or_else(|| panic!("{}: ok without record", v.name));
                assert_eq!(cert.serial, want["serial"].as_u64().unwrap(), "{}", v.name);
                assert_eq!(cert.record.to_json(), want["record"], "{}", v.name);
                assert_eq!(
                    cert.sealed.map(|d| d.to_string()),
                    want["sealed"].as_str().map(str::to_owned),
                    "{}",
                    v.name
                );
            }
            ("ok", Err(e)) => panic!("{}: expected ok, got {e}", v.name),
            (fail, Ok(_)) => panic!("{}: expected {fail}, but it verified", v.name),
            (fail, Err(e)) => assert_eq!(fail, format!("fail {e}"), "{}", v.name),
        }
    }
}

#[test]
fn ok_vectors_reseal_byte_for_byte() {
    let k = common::key(common::KEY1);
    for v in vectors().iter().filter(|v| v.expect == "ok") {
        let want = v.record.as_ref().expect("record");
        let record = Record::from_json(&want["record"]).expect("record parses");
        let serial = want["serial"].as_u64().expect("serial");
        let cert = match want["sealed"].as_str() {
            Some(d) => {
                Certificate::resealed(serial, &record, sonod_keys::parse_date(d).expect("date"))
            }
            None => Certificate::new(serial, &record),
        };
        let sealed = Sealed::seal(&cert, &k).expect("seal");
        let given = parse_qr_text(&v.text).expect("qr").bytes;
        assert_eq!(
            sealed.as_bytes(),
            given.as_slice(),
            "{}: resealing differs",
            v.name
        );
        // And decoding then re-encoding the payload is the identity (checked inside open).
        assert_eq!(
            open(&given).expect("open").unverified(),
            &cert,
            "{}",
            v.name
        );
    }
}
