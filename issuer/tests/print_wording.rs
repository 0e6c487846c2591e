//! The printed page and each type's formal wording, compared with pages rendered by the code
//! before the wording became data (`tests/data/print/`, made by the old `match` in
//! `print.rs`): every one of the 14 types in full, and its wording for a union, a city
//! corporation, an office of no known kind and a record with only its required fields.
//!
//! `SONOD_BLESS=1 cargo test -p sonod-issuer --test print_wording` writes the files anew
//! (only ever from a rendering known to be right).

use std::path::{Path, PathBuf};

use sonod_issuer::{render_certificate, PrintContext};
use sonod_seal::Record;

const SVG: &str = "<?xml version=\"1.0\" standalone=\"yes\"?><svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"207\" height=\"207\" viewBox=\"0 0 207 207\" shape-rendering=\"crispEdges\"><rect x=\"0\" y=\"0\" width=\"207\" height=\"207\" fill=\"#ffffff\"/><path fill=\"#000000\" d=\"M12 12h21v3H12V12\"/></svg>";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/print")
}

fn samples() -> Vec<(String, serde_json::Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../seal/tests/data/records");
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let text = std::fs::read_to_string(&p).unwrap();
            (
                p.file_stem().unwrap().to_string_lossy().into_owned(),
                serde_json::from_str(&text).unwrap(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The record with every field it can do without left out.
fn minimal(json: &serde_json::Value) -> serde_json::Value {
    let mut j = json.clone();
    let keys: Vec<String> = j["fields"].as_object().unwrap().keys().cloned().collect();
    for k in keys {
        let mut less = j.clone();
        less["fields"].as_object_mut().unwrap().remove(&k);
        if Record::from_json(&less).is_ok() {
            j = less;
        }
    }
    j
}

fn ctx<'a>(record: &'a Record, bn: &'a str, en: &'a str) -> PrintContext<'a> {
    PrintContext {
        office_name_bn: bn,
        office_name_en: en,
        office_address_bn: Some("সাভার, ঢাকা-১৩৪০"),
        record,
        serial: 42,
        key_id: "21fe31dfa154a261",
        qr_svg: SVG,
        qr_text: "HTTPS://VERIFY.SONOD.GOV.BD/V/ABC",
        revoked: false,
        development: false,
    }
}

/// The `<section class="body">` of a page: the formal wording.
fn body(html: &str) -> String {
    let start = html.find("<section class=\"body\">").unwrap();
    let end = start + html[start..].find("</section>").unwrap() + "</section>".len();
    html[start..end].to_owned()
}

/// Every variant's wording of one sample, one after the other.
fn variants(json: &serde_json::Value) -> String {
    let full = Record::from_json(json).unwrap();
    let min = Record::from_json(&minimal(json)).unwrap();
    let offices = [
        ("union", "আমিনবাজার ইউনিয়ন পরিষদ", "Aminbazar Union Parishad"),
        (
            "city",
            "ঢাকা উত্তর সিটি কর্পোরেশন",
            "Dhaka North City Corporation",
        ),
        ("other", "জেলা প্রশাসকের কার্যালয়", "Deputy Commissioner's Office"),
        ("en-only", "Savar", "Savar Municipality"),
    ];
    let mut out = String::new();
    for (label, bn, en) in offices {
        out.push_str(&format!("<!-- {label} -->\n"));
        out.push_str(&body(&render_certificate(&ctx(&full, bn, en))));
        out.push('\n');
    }
    out.push_str("<!-- minimal -->\n");
    out.push_str(&body(&render_certificate(&ctx(
        &min,
        "সাভার পৌরসভা",
        "Savar Paurashava",
    ))));
    out.push('\n');
    out.push_str("<!-- minimal, union, revoked, development -->\n");
    let mut c = ctx(&min, "আমিনবাজার ইউনিয়ন পরিষদ", "Aminbazar Union Parishad");
    c.revoked = true;
    c.development = true;
    out.push_str(&render_certificate(&c));
    out
}

/// Whitespace between tags and runs of whitespace do not count.
fn squeeze(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut space = false;
    for c in html.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !(out.ends_with('>') && c == '<') && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    out
}

fn check(name: &str, got: &str) {
    let path = fixtures().join(name);
    if std::env::var_os("SONOD_BLESS").is_some() {
        std::fs::create_dir_all(fixtures()).unwrap();
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        squeeze(got),
        squeeze(&want),
        "{name} differs from the fixture"
    );
    // Byte for byte, too.
    assert!(got == want, "{name} differs from the fixture in whitespace");
}

#[test]
fn every_type_prints_as_before() {
    let samples = samples();
    assert_eq!(samples.len(), 14);
    for (name, json) in &samples {
        let r = Record::from_json(json).unwrap();
        let html = render_certificate(&ctx(&r, "সাভার পৌরসভা", "Savar Paurashava"));
        check(&format!("{name}.html"), &html);
    }
}

#[test]
fn every_type_words_as_before_for_every_kind_of_office_and_missing_fields() {
    for (name, json) in &samples() {
        check(&format!("{name}.variants.html"), &variants(json));
    }
    // A licence with one owner and no fee, address or ward.
    let t = samples()
        .into_iter()
        .find(|(n, _)| n == "trade_licence")
        .unwrap()
        .1;
    let mut one = minimal(&t);
    one["fields"]["owners"] = serde_json::json!(["একজন মালিক"]);
    check("trade_licence.one_owner.html", &variants(&one));
}

#[test]
fn the_wording_is_exact() {
    // The formal wording itself, byte for byte (not only up to whitespace).
    for (name, json) in &samples() {
        let r = Record::from_json(json).unwrap();
        let html = render_certificate(&ctx(&r, "সাভার পৌরসভা", "Savar Paurashava"));
        let want = std::fs::read_to_string(fixtures().join(format!("{name}.html"))).unwrap();
        if std::env::var_os("SONOD_BLESS").is_none() {
            assert_eq!(body(&html), body(&want), "{name}");
        }
    }
}
