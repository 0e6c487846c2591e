//! Writes the test vectors in `seal/tests/vectors/` from fixed keys.
//!
//! `cargo run -p sonod-seal --example make_vectors`
//!
//! Ed25519 is deterministic, so the files are the same on every run; the harness
//! (`seal/tests/vectors.rs`) checks each file's expected outcome and that every `ok_*`
//! vector is exactly what sealing its record gives today.

use std::path::Path;

use ciborium::value::Value as Cbor;
use coset::{iana, CoseSign1Builder, Header, HeaderBuilder, TaggedCborSerializable};
use sonod_keys::{SecretKey, SigningKey};
use sonod_seal::{Certificate, Host, Record, Sealed};

/// RFC 8032 section 7.1, test 1: the office key of every vector.
pub const KEY1: &str = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
/// RFC 8032 section 7.1, test 2: a key no vector's reader trusts.
pub const KEY2: &str = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";

fn key(hex: &str) -> SecretKey {
    let mut b = [0u8; 32];
    for (i, byte) in b.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).expect("hex");
    }
    SecretKey::from_signing_key(SigningKey::from_bytes(&b))
}

fn protected(k: &SecretKey) -> Header {
    HeaderBuilder::new()
        .algorithm(iana::Algorithm::EdDSA)
        .key_id(k.key_id().as_bytes().to_vec())
        .build()
}

fn sign(payload: Vec<u8>, prot: Header, unprot: Header, k: &SecretKey) -> Vec<u8> {
    CoseSign1Builder::new()
        .protected(prot)
        .unprotected(unprot)
        .payload(payload)
        .create_signature(b"", |tbs| k.sign(tbs).to_bytes().to_vec())
        .build()
        .to_tagged_vec()
        .expect("encode")
}

fn b32(bytes: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(bytes)
}

struct Out<'a> {
    dir: &'a Path,
    count: usize,
}

impl Out<'_> {
    fn write(
        &mut self,
        name: &str,
        expect: &str,
        note: &str,
        record: Option<&serde_json::Value>,
        text: &str,
    ) {
        let mut s = format!("# expect: {expect}\n# note: {note}\n");
        if let Some(r) = record {
            s.push_str(&format!("# record: {r}\n"));
        }
        s.push_str(text);
        s.push('\n');
        std::fs::write(self.dir.join(format!("{name}.txt")), s).expect("write vector");
        self.count += 1;
    }
}

fn payload_of(sealed: &[u8]) -> Vec<u8> {
    coset::CoseSign1::from_tagged_slice(sealed)
        .expect("cose")
        .payload
        .expect("payload")
}

fn cbor(bytes: &[u8]) -> Vec<(Cbor, Cbor)> {
    match ciborium::from_reader::<Cbor, _>(bytes).expect("cbor") {
        Cbor::Map(m) => m,
        _ => unreachable!("payload is a map"),
    }
}

fn to_bytes(m: Vec<(Cbor, Cbor)>) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(&Cbor::Map(m), &mut out).expect("cbor");
    out
}

fn set(m: &mut Vec<(Cbor, Cbor)>, k: u64, v: Cbor) {
    let k = Cbor::Integer(k.into());
    match m.iter_mut().find(|(mk, _)| *mk == k) {
        Some(e) => e.1 = v,
        None => m.push((k, v)),
    }
}

fn fields(m: &mut [(Cbor, Cbor)]) -> &mut Vec<(Cbor, Cbor)> {
    match m.iter_mut().find(|(k, _)| *k == Cbor::Integer(6.into())) {
        Some((_, Cbor::Map(f))) => f,
        _ => unreachable!("fields map"),
    }
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    std::fs::create_dir_all(&dir).expect("mkdir");
    for e in std::fs::read_dir(&dir).expect("read dir").flatten() {
        std::fs::remove_file(e.path()).expect("clean");
    }
    let mut out = Out {
        dir: &dir,
        count: 0,
    };
    let k1 = key(KEY1);
    let k2 = key(KEY2);
    let host: Host = "VERIFY.SAVARPOURA.GOV.BD".parse().expect("host");
    let records = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/records");

    // ok: one per certificate type, sealed as the issuer seals.
    let mut names: Vec<_> = std::fs::read_dir(&records)
        .expect("records")
        .flatten()
        .map(|e| e.path())
        .collect();
    names.sort();
    for (i, path) in names.iter().enumerate() {
        let record =
            Record::from_json_str(&std::fs::read_to_string(path).expect("read")).expect("record");
        let cert = Certificate::new(1000 + i as u64, &record);
        let sealed = Sealed::seal(&cert, &k1).expect("seal");
        let stem = path.file_stem().and_then(|s| s.to_str()).expect("name");
        let expected = serde_json::json!({"serial": cert.serial, "record": cert.record.to_json()});
        out.write(
            &format!("ok_{stem}"),
            "ok",
            &format!("{}, URL form", record.cert_type().name_en),
            Some(&expected),
            &sealed.to_qr_text(Some(&host)),
        );
    }

    // The benchmark record, the base of every failure below.
    let bench =
        Record::from_json_str(include_str!("../tests/data/benchmark-record.json")).expect("bench");
    let cert = Certificate::new(123_456, &bench);
    let sealed = Sealed::seal(&cert, &k1).expect("seal");
    let good = sealed.as_bytes().to_vec();
    let expected = serde_json::json!({"serial": cert.serial, "record": cert.record.to_json()});
    out.write(
        "ok_benchmark_bare",
        "ok",
        "the benchmark record as bare Base32",
        Some(&expected),
        &b32(&good),
    );
    out.write(
        "ok_benchmark_lowercase_url",
        "ok",
        "any scheme case, host and path case; payload in lower case",
        Some(&expected),
        &format!("https://look-alike.example/v/{}", b32(&good).to_lowercase()),
    );
    let payload = payload_of(&good);

    // Envelope failures.
    let mut bad_sig = good.clone();
    let n = bad_sig.len();
    bad_sig[n - 1] ^= 0x01;
    out.write(
        "fail_signature_bit_flip",
        "fail signature",
        "last signature bit flipped",
        None,
        &b32(&bad_sig),
    );
    let other = sign(payload.clone(), protected(&k2), Header::default(), &k2);
    out.write(
        "fail_unknown_key",
        "fail unknown_key",
        "signed by RFC 8032 key 2, which no reader trusts",
        None,
        &b32(&other),
    );
    let kid1_by_k2 = sign(payload.clone(), protected(&k1), Header::default(), &k2);
    out.write(
        "fail_wrong_key_claims_kid",
        "fail signature",
        "signed by key 2 but naming key 1's kid",
        None,
        &b32(&kid1_by_k2),
    );
    let mut trailing = good.clone();
    trailing.push(0x00);
    out.write(
        "fail_trailing_byte",
        "fail Cose",
        "a byte after the COSE_Sign1",
        None,
        &b32(&trailing),
    );
    out.write(
        "fail_untagged",
        "fail Cose",
        "COSE_Sign1 without tag 18",
        None,
        &b32(&good[1..]),
    );
    let es256 = HeaderBuilder::new()
        .algorithm(iana::Algorithm::ES256)
        .key_id(k1.key_id().as_bytes().to_vec())
        .build();
    out.write(
        "fail_alg_es256",
        "fail UnsupportedAlgorithm",
        "alg ES256 in the protected header",
        None,
        &b32(&sign(payload.clone(), es256, Header::default(), &k1)),
    );
    let no_alg = HeaderBuilder::new()
        .key_id(k1.key_id().as_bytes().to_vec())
        .build();
    out.write(
        "fail_alg_missing",
        "fail UnsupportedAlgorithm",
        "no alg in the protected header",
        None,
        &b32(&sign(payload.clone(), no_alg, Header::default(), &k1)),
    );
    let only_alg = HeaderBuilder::new()
        .algorithm(iana::Algorithm::EdDSA)
        .build();
    let kid_unprot = HeaderBuilder::new()
        .key_id(k1.key_id().as_bytes().to_vec())
        .build();
    out.write(
        "fail_kid_unprotected",
        "fail BadKeyId",
        "kid in the unprotected header only",
        None,
        &b32(&sign(payload.clone(), only_alg, kid_unprot, &k1)),
    );
    let extra = HeaderBuilder::new()
        .algorithm(iana::Algorithm::EdDSA)
        .key_id(k1.key_id().as_bytes().to_vec())
        .content_format(iana::CoapContentFormat::Cbor)
        .build();
    out.write(
        "fail_protected_extra_param",
        "fail UnexpectedHeader",
        "content type beside alg and kid",
        None,
        &b32(&sign(payload.clone(), extra, Header::default(), &k1)),
    );
    let unprot = HeaderBuilder::new()
        .content_format(iana::CoapContentFormat::Cbor)
        .build();
    out.write(
        "fail_unprotected_not_empty",
        "fail UnexpectedHeader",
        "a parameter in the unprotected header",
        None,
        &b32(&sign(payload.clone(), protected(&k1), unprot, &k1)),
    );
    let short_kid = HeaderBuilder::new()
        .algorithm(iana::Algorithm::EdDSA)
        .key_id(vec![1, 2, 3])
        .build();
    out.write(
        "fail_kid_short",
        "fail BadKeyId",
        "a 3-byte kid",
        None,
        &b32(&sign(payload.clone(), short_kid, Header::default(), &k1)),
    );
    let detached = {
        let mut s = coset::CoseSign1::from_tagged_slice(&good).expect("cose");
        s.payload = None;
        s.to_tagged_vec().expect("encode")
    };
    out.write(
        "fail_detached_payload",
        "fail NoPayload",
        "payload nil (detached)",
        None,
        &b32(&detached),
    );

    // Payload failures, each signed correctly so that only the payload is wrong.
    let resign = |p: Vec<u8>| b32(&sign(p, protected(&k1), Header::default(), &k1));
    let mut m = cbor(&payload);
    set(&mut m, 0, Cbor::Integer(3.into()));
    out.write(
        "fail_version_3",
        "fail UnsupportedVersion",
        "format version 3 (version 2, a re-sealed certificate, is known since issue #15)",
        None,
        &resign(to_bytes(m)),
    );
    let mut long_int = vec![payload[0], 0x00, 0x18, 0x01];
    long_int.extend_from_slice(&payload[3..]);
    out.write(
        "fail_noncanonical_integer",
        "fail NonCanonical",
        "version 1 written in two bytes",
        None,
        &resign(long_int),
    );
    let mut m = cbor(&payload);
    m.swap(1, 2);
    out.write(
        "fail_unsorted_keys",
        "fail NonCanonical",
        "claims 1 and 2 in the wrong order",
        None,
        &resign(to_bytes(m)),
    );
    let mut m = cbor(&payload);
    let dup = m[2].clone();
    m.insert(2, dup);
    out.write(
        "fail_duplicate_key",
        "fail NonCanonical",
        "claim 2 twice",
        None,
        &resign(to_bytes(m)),
    );
    // Re-sealed (issue #15): payload version 2, claim 7 the day it was sealed, after the issue
    // day; the key's window is held against that day.
    let resealed_on = bench.issued() + time::Duration::days(30);
    let re = Certificate::resealed(123_456, &bench, resealed_on);
    let re_sealed = Sealed::seal(&re, &k1).expect("seal");
    out.write(
        "ok_resealed",
        "ok",
        "the benchmark record re-sealed 30 days after its issue day (version 2, claim 7)",
        Some(&serde_json::json!({
            "serial": re.serial,
            "record": re.record.to_json(),
            "sealed": resealed_on.to_string(),
        })),
        &re_sealed.to_qr_text(Some(&host)),
    );
    let days = |d: time::Date| {
        (d - time::Date::from_calendar_date(1970, time::Month::January, 1).expect("epoch"))
            .whole_days()
    };
    let mut m = cbor(&payload_of(re_sealed.as_bytes()));
    set(&mut m, 7, Cbor::Integer(days(bench.issued()).into()));
    out.write(
        "fail_sealed_not_after_issue",
        "fail BadValue",
        "version 2 whose sealed day is the issue day",
        None,
        &resign(to_bytes(m)),
    );
    let mut m = cbor(&payload_of(re_sealed.as_bytes()));
    m.retain(|(k, _)| *k != Cbor::Integer(7.into()));
    out.write(
        "fail_version2_without_sealed",
        "fail MissingClaim",
        "version 2 without its sealed day",
        None,
        &resign(to_bytes(m)),
    );
    let mut m = cbor(&payload);
    m.push((Cbor::Integer(7.into()), Cbor::Integer(0.into())));
    out.write(
        "fail_unknown_claim",
        "fail UnknownClaim",
        "claim key 7",
        None,
        &resign(to_bytes(m)),
    );
    let mut m = cbor(&payload);
    set(&mut m, 3, Cbor::Integer(99.into()));
    out.write(
        "fail_unknown_type",
        "fail UnknownCertType",
        "certificate type 99",
        None,
        &resign(to_bytes(m)),
    );
    let mut m = cbor(&payload);
    m.retain(|(k, _)| *k != Cbor::Integer(2.into()));
    out.write(
        "fail_missing_serial",
        "fail MissingClaim",
        "no serial",
        None,
        &resign(to_bytes(m)),
    );
    let mut m = cbor(&payload);
    set(&mut m, 2, Cbor::Integer(0.into()));
    out.write(
        "fail_serial_zero",
        "fail BadValue",
        "serial 0",
        None,
        &resign(to_bytes(m)),
    );
    let mut m = cbor(&payload);
    set(&mut m, 1, Cbor::Text("100524".into()));
    out.write(
        "fail_office_as_text",
        "fail BadValue",
        "office code as text",
        None,
        &resign(to_bytes(m)),
    );
    let mut m = cbor(&payload);
    fields(&mut m).push((Cbor::Integer(10.into()), Cbor::Text("Savar".into())));
    out.write(
        "fail_unsigned_field",
        "fail UnexpectedField",
        "address (printed only) inside the signed fields",
        None,
        &resign(to_bytes(m)),
    );
    let mut m = cbor(&payload);
    fields(&mut m).retain(|(k, _)| *k != Cbor::Integer(2.into()));
    out.write(
        "fail_missing_required_field",
        "fail Record",
        "citizenship without the father's name",
        None,
        &resign(to_bytes(m)),
    );
    let mut m = cbor(&payload);
    set(fields(&mut m), 5, Cbor::Integer(12345.into()));
    out.write(
        "fail_nid_wrong_length",
        "fail BadValue",
        "a 5-digit NID",
        None,
        &resign(to_bytes(m)),
    );
    let mut m = cbor(&payload);
    set(fields(&mut m), 5, Cbor::Text("19901234567890123".into()));
    out.write(
        "fail_nid_as_text",
        "fail NonCanonical",
        "an NID without a leading zero written as text",
        None,
        &resign(to_bytes(m)),
    );
    let mut m = cbor(&payload);
    set(fields(&mut m), 1, Cbor::Bytes(vec![0xAE, 0xC7, 0xBE]));
    out.write(
        "fail_text_not_nfc",
        "fail Text",
        "মো written as ম + ে + া (not NFC)",
        None,
        &resign(to_bytes(m)),
    );
    let mut m = cbor(&payload);
    set(fields(&mut m), 1, Cbor::Bytes(vec![0x1B, 0xE0, 0xA6, 0x95]));
    out.write(
        "fail_text_needless_escape",
        "fail Text",
        "ক escaped instead of its own byte",
        None,
        &resign(to_bytes(m)),
    );
    let mut m = cbor(&payload);
    set(fields(&mut m), 1, Cbor::Bytes(b"Karim".to_vec()));
    out.write(
        "fail_compact_for_ascii",
        "fail NonCanonical",
        "an ASCII name in compact form",
        None,
        &resign(to_bytes(m)),
    );
    let mut m = cbor(&payload);
    set(fields(&mut m), 1, Cbor::Text("মোহাম্মদ".into()));
    out.write(
        "fail_utf8_for_bengali",
        "fail NonCanonical",
        "a Bengali name as UTF-8 text",
        None,
        &resign(to_bytes(m)),
    );
    let mut m = cbor(&payload);
    set(fields(&mut m), 1, Cbor::Text(" Karim".into()));
    out.write(
        "fail_text_untrimmed",
        "fail NonCanonical",
        "a name with a leading space",
        None,
        &resign(to_bytes(m)),
    );
    let mut m = cbor(&payload);
    set(&mut m, 5, Cbor::Integer(20000.into()));
    out.write(
        "fail_expiry_before_issue",
        "fail Record",
        "expires before issued",
        None,
        &resign(to_bytes(m)),
    );

    // QR text failures.
    let text = b32(&good);
    out.write(
        "fail_base32_length",
        "fail Base32",
        "Base32 of an impossible length",
        None,
        &format!("{text}B"),
    );
    out.write(
        "fail_not_sonod_url",
        "fail NotSonod",
        "a URL without /V/",
        None,
        "HTTPS://VERIFY.SAVARPOURA.GOV.BD/X/ABC",
    );
    out.write(
        "fail_not_base32",
        "fail NotSonod",
        "text that is not Base32",
        None,
        "HELLO, WORLD",
    );
    out.write(
        "fail_too_large",
        "fail TooLarge",
        "5,000 characters",
        None,
        &"A".repeat(5000),
    );
    println!("{} vectors in {}", out.count, dir.display());
}
