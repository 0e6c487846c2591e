//! Server time to make one certificate PDF (wording, layout, shaping, font subsetting, writing),
//! over 200 renders of each record given (default: the benchmark record, and the warish
//! certificate, revoked, with its list of heirs); prints p50, p99 and the PDF's size.
//! `cargo run --release -p sonod-issuer --example pdf_time [RECORD.json …]`
//! With `SONOD_PDF_OUT=<dir>` the last PDF of each record is written there.
use std::time::Instant;

use sonod_issuer::{render_pdf, PrintContext, QrImage, Wording};
use sonod_keys::SecretKey;
use sonod_seal::{Certificate, Host, Record, Sealed};

fn main() {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../seal/tests/data");
    let mut paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        paths = vec![
            format!("{data}/benchmark-record.json"),
            format!("{data}/records/warish.json"),
        ];
    }
    let key = SecretKey::from_signing_key(ed25519_dalek::SigningKey::from_bytes(&[7; 32]));
    let wording = Wording::builtin().expect("wording");
    for (n, path) in paths.iter().enumerate() {
        let record =
            Record::from_json_str(&std::fs::read_to_string(path).expect("record")).expect("record");
        let serial = 42;
        let sealed = Sealed::seal(&Certificate::new(serial, &record), &key).expect("seal");
        let host: Host = "verify.sonod.gov.bd".parse().expect("host");
        let qr_text = sealed.to_qr_text(Some(&host));
        let qr = QrImage::new(&qr_text, qrcode::EcLevel::M).expect("qr");
        let svg = qr.svg();
        let key_id = key.key_id().to_string();
        let ctx = PrintContext {
            office_name_bn: "সাভার পৌরসভা",
            office_name_en: "Savar Paurashava",
            office_address_bn: Some("সাভার, ঢাকা-১৩৪০"),
            record: &record,
            serial,
            key_id: &key_id,
            qr_svg: &svg,
            qr_text: &qr_text,
            revoked: n == 1,
            development: false,
        };
        let mut times = Vec::new();
        let mut pdf = Vec::new();
        for _ in 0..200 {
            let t = Instant::now();
            pdf = render_pdf(&ctx, &qr, wording).expect("pdf");
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{path}: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms over {} renders; {} bytes",
            times[times.len() / 2],
            times[times.len() * 99 / 100],
            times[times.len() - 1],
            times.len(),
            pdf.len()
        );
        if let Some(dir) = std::env::var_os("SONOD_PDF_OUT") {
            let stem = std::path::Path::new(path).file_stem().expect("name");
            let out = std::path::Path::new(&dir).join(stem).with_extension("pdf");
            std::fs::write(&out, &pdf).expect("write");
        }
    }
}
