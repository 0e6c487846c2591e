//! Prints the QR budget of a record: bytes by part, QR text length and QR versions.
//!
//! `cargo run -p sonod-seal --example budget -- [RECORD.json] [HOST]`
//! (defaults: the benchmark record and a 24-character host).

use qrcode::{EcLevel, QrCode, Version};
use sonod_keys::SecretKey;
use sonod_seal::{Certificate, Host, Record, Sealed};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next();
    let json = match &path {
        Some(p) => std::fs::read_to_string(p)?,
        None => include_str!("../tests/data/benchmark-record.json").to_owned(),
    };
    let host: Host = args
        .next()
        .unwrap_or_else(|| "VERIFY.SAVARPOURA.GOV.BD".into())
        .parse()?;
    let record = Record::from_json_str(&json)?;
    // A fixed key so the figures are reproducible; the size does not depend on it.
    let key = SecretKey::from_signing_key(sonod_keys::SigningKey::from_bytes(&[7u8; 32]));
    // A six-digit serial: a year of a large paurashava's certificates.
    let sealed = Sealed::seal(&Certificate::new(123_456, &record), &key)?;
    let bytes = sealed.as_bytes();
    let opened = sonod_seal::open(bytes)?;
    let payload_len = opened_payload_len(bytes);
    let text = sealed.to_qr_text(Some(&host));
    println!(
        "record: {}",
        path.as_deref().unwrap_or("benchmark-record.json")
    );
    println!("host: {} ({} characters)", host, host.as_str().len());
    println!("sealed bytes: {}", bytes.len());
    println!("  COSE envelope (tag, array, protected header with alg and kid, empty unprotected, length prefixes): {}", bytes.len() - payload_len - 64);
    println!("  payload (CBOR claims and fields): {payload_len}");
    println!("  signature (Ed25519): 64");
    println!(
        "QR text: {} characters (URL prefix {}, Base32 {})",
        text.len(),
        text.len() - (bytes.len() * 8).div_ceil(5),
        (bytes.len() * 8).div_ceil(5)
    );
    for ec in [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H] {
        let code = QrCode::with_error_correction_level(text.as_bytes(), ec)?;
        let v = match code.version() {
            Version::Normal(v) | Version::Micro(v) => v,
        };
        println!(
            "QR at {ec:?}: version {v} ({}×{} modules)",
            code.width(),
            code.width()
        );
    }
    let _ = opened;
    Ok(())
}

/// The payload's length: the sealed bytes minus everything around it.
fn opened_payload_len(bytes: &[u8]) -> usize {
    use coset::{CoseSign1, TaggedCborSerializable};
    CoseSign1::from_tagged_slice(bytes)
        .ok()
        .and_then(|s| s.payload)
        .map_or(0, |p| p.len())
}
