//! Interoperability: a sealed certificate verifies with an independent COSE implementation
//! (Python's pycose) given only the office's SPKI PEM public key.
//!
//! Needs `python3 -m pip install -r tests/interop/requirements.txt` (the README's test
//! command does it). Set `SONOD_PYTHON` to use another interpreter.

use std::path::Path;
use std::process::Command;

use sonod_keys::{write_public_key, SecretKey};
use sonod_seal::{Certificate, Host, Record, Sealed};

fn python() -> String {
    std::env::var("SONOD_PYTHON").unwrap_or_else(|_| "python3".into())
}

fn pycose(pem: &Path, text: &str) -> std::process::Output {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("interop/verify_pycose.py");
    let out = Command::new(python())
        .arg(script)
        .arg(pem)
        .arg(text)
        .output()
        .expect("python3 runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("ModuleNotFoundError"),
        "pycose is not installed: run `python3 -m pip install -r tests/interop/requirements.txt`\n{stderr}"
    );
    out
}

#[test]
fn pycose_verifies_a_sealed_certificate_from_the_spki_pem_alone() {
    let dir = tempfile::tempdir().expect("tmp");
    let key = SecretKey::generate();
    let pem = dir.path().join("office.pub.pem");
    write_public_key(&pem, &key.verifying_key()).expect("pem");
    let record = Record::from_json_str(include_str!("../../seal/tests/data/benchmark-record.json"))
        .expect("record");
    let sealed = Sealed::seal(&Certificate::new(4242, &record), &key).expect("seal");
    let host: Host = "verify.sonod.gov.bd".parse().expect("host");
    let text = sealed.to_qr_text(Some(&host));

    let out = pycose(&pem, &text);
    assert!(
        out.status.success(),
        "pycose refused: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(got["verified"], true);
    assert_eq!(got["claims"]["2"], 4242, "serial");
    assert_eq!(got["claims"]["1"], 100524, "office");
    assert_eq!(got["fields"]["5"], 19_901_234_567_890_123u64, "nid");

    // The same check fails for a changed payload and for another office's key.
    let mut bytes = sealed.as_bytes().to_vec();
    let i = bytes.len() - 70; // inside the payload
    bytes[i] ^= 0x20;
    let tampered = data_encoding::BASE32_NOPAD.encode(&bytes);
    assert_eq!(pycose(&pem, &tampered).status.code(), Some(1));
    let other = dir.path().join("other.pub.pem");
    write_public_key(&other, &SecretKey::generate().verifying_key()).expect("pem");
    assert_eq!(pycose(&other, &text).status.code(), Some(1));
}
