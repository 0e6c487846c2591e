//! The QR size budget of the benchmark record (issue: version ≤ 11 at M, ≤ 13 at Q with a
//! 24-character host). Print the figures with `cargo run -p sonod-seal --example budget`.

mod common;

use qrcode::{EcLevel, QrCode, Version};
use sonod_seal::{Certificate, Host, Record, Sealed};

fn version(text: &str, ec: EcLevel) -> i16 {
    match QrCode::with_error_correction_level(text.as_bytes(), ec)
        .expect("fits")
        .version()
    {
        Version::Normal(v) | Version::Micro(v) => v,
    }
}

#[test]
fn benchmark_record_fits_version_11_at_m_and_13_at_q() {
    let record = Record::from_json_str(include_str!("data/benchmark-record.json")).expect("record");
    let host: Host = "VERIFY.SAVARPOURA.GOV.BD".parse().expect("host");
    assert_eq!(host.as_str().len(), 24);
    // A seven-digit serial: more than a large paurashava issues in years.
    let sealed = Sealed::seal(
        &Certificate::new(9_999_999, &record),
        &common::key(common::KEY1),
    )
    .expect("seal");
    let text = sealed.to_qr_text(Some(&host));
    assert!(
        text.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b"$%*+-./: ".contains(&b)),
        "not alphanumeric: {text}"
    );
    assert!(
        version(&text, EcLevel::M) <= 11,
        "M: version {}",
        version(&text, EcLevel::M)
    );
    assert!(
        version(&text, EcLevel::Q) <= 13,
        "Q: version {}",
        version(&text, EcLevel::Q)
    );
}

#[test]
fn bengali_costs_one_byte_a_letter_in_the_payload() {
    let record = Record::from_json_str(include_str!("data/benchmark-record.json")).expect("record");
    let sealed =
        Sealed::seal(&Certificate::new(1, &record), &common::key(common::KEY1)).expect("seal");
    let name_chars: usize = ["name", "father", "mother"]
        .iter()
        .map(|k| record.get(k).expect("field").display_en().chars().count())
        .sum();
    // Envelope 21 + signature 64 + claims ~30: the three names must cost about a byte a letter.
    assert!(
        sealed.as_bytes().len() < 21 + 64 + 40 + name_chars + 6,
        "{} bytes",
        sealed.as_bytes().len()
    );
}
