//! The printable certificate: one A4 page of HTML with print CSS, from
//! `templates/print.html`.
//!
//! The page is self-contained: no scripts, no fonts, images or styles fetched from anywhere
//! (fonts are named by family; the QR code is an inline SVG; a Content-Security-Policy meta
//! tag forbids everything else). Every value from the record is HTML-escaped.
//!
//! Layout, top to bottom: the office's header, the certificate number and date (Gregorian and
//! Bangla calendar), the type's title, a formal paragraph in Bangla with the type's wording
//! (and the list of heirs or family members), the same in English (both from
//! [`super::wording`]), a table of every fact, and at the bottom the two signatory lines with
//! the QR code between them.

use askama::Template;
use sonod_seal::{bangla_date, bangla_digits, Record, Value};

use super::bangla_calendar::BanglaDate;
use super::wording::{Body, Wording};
use crate::l10n;
pub(crate) use sonod_l10n::html::esc;

/// What the certificate page needs besides the record.
#[derive(Debug, Clone, Copy)]
pub struct PrintContext<'a> {
    /// The office's name in Bangla, e.g. "সাভার পৌরসভা".
    pub office_name_bn: &'a str,
    /// The office's name in English, e.g. "Savar Paurashava".
    pub office_name_en: &'a str,
    /// The office's postal address in Bangla, if any.
    pub office_address_bn: Option<&'a str>,
    /// The full record, including the fields printed on paper only.
    pub record: &'a Record,
    /// The certificate's serial number.
    pub serial: u64,
    /// The signing key's id (16 hex digits).
    pub key_id: &'a str,
    /// The QR code as an `<svg>` element from `qrcode`'s SVG renderer ([`crate::QrImage::svg`]).
    /// Trusted markup: it is embedded as is (an XML declaration before `<svg` is dropped).
    pub qr_svg: &'a str,
    /// The text the QR code carries.
    pub qr_text: &'a str,
    /// The certificate has been revoked: a large "বাতিল / REVOKED" watermark.
    pub revoked: bool,
    /// Sealed with a development key: a "নমুনা / SPECIMEN" band.
    pub development: bool,
}

/// The signatory printed at the foot of the page (from the office's settings): name and
/// title in both languages. Without one the line says "signatory" and the office's name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignatoryLine {
    /// Name in Bangla.
    pub name_bn: String,
    /// Title in Bangla.
    pub title_bn: String,
    /// Name in English.
    pub name_en: String,
    /// Title in English.
    pub title_en: String,
}

/// One row of the table of facts.
#[derive(Debug)]
pub(crate) struct Fact {
    pub(crate) label_bn: String,
    pub(crate) label_en: String,
    pub(crate) value: String,
    /// The value in Latin script, smaller, after it.
    pub(crate) lat: Option<String>,
    /// Signed into the QR code.
    pub(crate) signed: bool,
}

/// Everything the certificate shows, worked out once for both the HTML page and the PDF
/// ([`super::pdf`]).
#[derive(Template)]
#[template(path = "print.html", escape = "sonod")]
pub(crate) struct PrintPage<'a> {
    pub(crate) name_bn: &'a str,
    pub(crate) name_en: &'a str,
    pub(crate) number_bn: String,
    pub(crate) number_en: String,
    pub(crate) office_bn: &'a str,
    pub(crate) office_en: &'a str,
    pub(crate) office_address_bn: Option<&'a str>,
    qr_mm: String,
    pub(crate) revoked: bool,
    pub(crate) development: bool,
    pub(crate) issued_bn: String,
    pub(crate) issued_bs: String,
    /// The Bangla wording as HTML (`<p>` paragraphs, `<b>` values, the list's `<table>`).
    pub(crate) body_bn: String,
    /// The English wording as HTML (`<b>` values).
    pub(crate) body_en: String,
    pub(crate) facts: Vec<Fact>,
    qr_svg: &'a str,
    pub(crate) host: Option<String>,
    pub(crate) key_id: &'a str,
    /// On the served page: the link to the same certificate as a PDF (not printed).
    pdf_href: Option<String>,
    /// The office's signatory for this type, when the settings name one.
    pub(crate) signatory: Option<SignatoryLine>,
}

/// Renders the certificate as a complete A4 HTML page (NFC, no external resources, no
/// JavaScript), with the built-in wording.
pub fn render_certificate(ctx: &PrintContext<'_>) -> String {
    match Wording::builtin() {
        Ok(w) => render_certificate_with(ctx, w),
        Err(e) => {
            tracing::error!(error = %e, "the built-in wording does not load");
            render_page(
                ctx,
                Body {
                    bn: String::new(),
                    en: String::new(),
                },
            )
        }
    }
}

/// [`render_certificate`] with an office's own wording.
pub fn render_certificate_with(ctx: &PrintContext<'_>, wording: &Wording) -> String {
    render_page(ctx, body(ctx, wording))
}

/// The record's wording for this office.
pub(crate) fn body(ctx: &PrintContext<'_>, wording: &Wording) -> Body {
    let place = Place::of(ctx.office_name_bn, ctx.office_name_en);
    wording.body(ctx.record, place).unwrap_or_else(|e| {
        // Checked at load; a failure here is a bug in a template, not in the record.
        tracing::error!(error = %e, "certificate wording");
        Body {
            bn: String::new(),
            en: String::new(),
        }
    })
}

/// [`render_certificate_with`] as the service serves it: with a link to the PDF at `pdf_href`
/// above the sheet, hidden when printed.
pub fn render_certificate_page(
    ctx: &PrintContext<'_>,
    wording: &Wording,
    pdf_href: &str,
) -> String {
    render_certificate_page_signed(ctx, wording, pdf_href, None)
}

/// [`render_certificate_page`] with the office's signatory for the type at the foot.
pub fn render_certificate_page_signed(
    ctx: &PrintContext<'_>,
    wording: &Wording,
    pdf_href: &str,
    signatory: Option<SignatoryLine>,
) -> String {
    let mut page = page_data(ctx, body(ctx, wording));
    page.pdf_href = Some(pdf_href.to_owned());
    page.signatory = signatory;
    finish(page)
}

fn render_page(ctx: &PrintContext<'_>, body: Body) -> String {
    finish(page_data(ctx, body))
}

fn finish(page: PrintPage<'_>) -> String {
    // Rendering into a String fails only if a value's Display fails, and none here does.
    let mut html = page.render().unwrap_or_default();
    html.push('\n');
    sonod_seal::text::normalize(&html)
}

/// What the page shows, from the context and the wording.
pub(crate) fn page_data<'a>(ctx: &PrintContext<'a>, body: Body) -> PrintPage<'a> {
    let r = ctx.record;
    let t = r.cert_type();
    // The one writer of the number, shared with the verifier's page and sonod-scan.
    let number = sonod_seal::CertificateNumber::new(r.office(), ctx.serial);
    let (number_bn, number_en) = (number.bn(), number.en());
    let issued = r.issued();
    let size = qr_size_tenths_mm(ctx.qr_svg);
    PrintPage {
        name_bn: t.name_bn,
        name_en: t.name_en,
        facts: facts(r, &number_bn, &number_en),
        number_bn,
        number_en,
        office_bn: ctx.office_name_bn,
        office_en: ctx.office_name_en,
        office_address_bn: ctx.office_address_bn,
        qr_mm: format!("{}.{}", size / 10, size % 10),
        revoked: ctx.revoked,
        development: ctx.development,
        issued_bn: bangla_date(issued),
        issued_bs: BanglaDate::from_gregorian(issued).to_bangla_string(),
        body_bn: body.bn,
        body_en: body.en,
        qr_svg: svg_element(ctx.qr_svg),
        host: qr_host(ctx.qr_text),
        key_id: ctx.key_id,
        pdf_href: None,
        signatory: None,
    }
}

/// The table of every fact: the number, issue and expiry dates, then each field present in
/// the order of the type's schema (the wording's order: a warish certificate's deceased first).
fn facts(r: &Record, number_bn: &str, number_en: &str) -> Vec<Fact> {
    let t = r.cert_type();
    let mut rows = vec![Fact {
        label_bn: l10n::bn("cert-no"),
        label_en: l10n::en("cert-no"),
        value: number_bn.to_owned(),
        lat: Some(number_en.to_owned()),
        signed: true,
    }];
    let date = |label: &str, d: time::Date| Fact {
        label_bn: l10n::bn(label),
        label_en: l10n::en(label),
        value: l10n::bn_args(
            "date-cell",
            &[
                ("date", &bangla_date(d)),
                ("bs", &BanglaDate::from_gregorian(d).to_bangla_string()),
            ],
        ),
        lat: Some(Value::Date(d).display_en().into_owned()),
        signed: true,
    };
    rows.push(date("fact-issued", r.issued()));
    if let Some(e) = r.expires() {
        rows.push(date("fact-expires", e));
    }
    for (f, v) in r.fields_in_schema_order() {
        let (value, lat) = match v {
            Value::Persons(ps) => (
                l10n::bn_args("see-list", &[("n", &bangla_digits(&ps.len().to_string()))]),
                Some(l10n::en_args("see-list", &[("n", &ps.len().to_string())])),
            ),
            Value::Text(s) => (s.clone(), None),
            Value::TextList(l) => (l.join(", "), None),
            Value::Date(d) => (bangla_date(*d), Some(v.display_en().into_owned())),
            Value::Uint(n) if matches!(f.key, "licence_fee" | "annual_income") => {
                (bangla_digits(&taka(*n)), Some(taka(*n)))
            }
            other => (
                other.display_bn().into_owned(),
                Some(other.display_en().into_owned()),
            ),
        };
        rows.push(Fact {
            label_bn: f.label_bn.to_owned(),
            label_en: f.label_en.to_owned(),
            value,
            lat,
            signed: t.field_use(f.key).is_some_and(|u| u.signed),
        });
    }
    rows
}

/// The `<svg>` element of the renderer's output, without an XML declaration.
fn svg_element(svg: &str) -> &str {
    svg.find("<svg").map_or(svg, |i| &svg[i..])
}

/// Modules per side (with the quiet zone) of a QR code drawn by `qrcode`'s SVG renderer:
/// the viewBox width divided by the module size, which is a quarter of where the first dark
/// module (the top-left finder pattern, after the 4-module quiet zone) starts.
fn qr_modules(svg: &str) -> Option<u32> {
    let vb = svg.split("viewBox=\"").nth(1)?;
    let width: u32 = vb.split_whitespace().nth(2)?.parse().ok()?;
    let d = svg.split(" d=\"M").nth(1)?;
    let left: u32 = d
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()?;
    let module = left / 4;
    (module > 0 && left.is_multiple_of(4) && width.is_multiple_of(module)).then_some(width / module)
}

/// Printed size of one QR module, in tenths of a millimetre. 0.5 mm is the least a phone
/// camera reads reliably; 0.7 mm also survives a 100 dpi scan (about 2.8 pixels a module).
const QR_MODULE_TENTHS_MM: u32 = 7;

/// The printed side of the QR code, quiet zone included, in tenths of a millimetre:
/// [`QR_MODULE_TENTHS_MM`] a module, at least 40 mm and at most 70 mm.
fn qr_size_tenths_mm(svg: &str) -> u32 {
    qr_modules(svg).map_or(500, qr_side_tenths_mm)
}

/// The printed side of a QR code of `modules` modules a side (quiet zone included), in tenths
/// of a millimetre; the same on the page and in the PDF.
pub(crate) fn qr_side_tenths_mm(modules: u32) -> u32 {
    (modules * QR_MODULE_TENTHS_MM).clamp(400, 700)
}

/// The verifier's host from a QR URL, in lower case, for the caption.
fn qr_host(qr_text: &str) -> Option<String> {
    let lower = qr_text.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))?;
    let host = rest.split('/').next()?;
    (!host.is_empty()).then(|| host.to_owned())
}

/// An amount of Taka with Indian/Bangladeshi digit grouping: `1,20,000`.
pub(crate) fn taka(n: u64) -> String {
    let s = n.to_string();
    if s.len() <= 3 {
        return s;
    }
    let (head, last3) = s.split_at(s.len() - 3);
    let mut groups = Vec::new();
    let mut rest = head;
    while rest.len() > 2 {
        let (a, b) = rest.split_at(rest.len() - 2);
        groups.push(b);
        rest = a;
    }
    groups.push(rest);
    groups.reverse();
    format!("{},{last3}", groups.join(","))
}

/// "ক, খ ও গ".
pub(crate) fn join_and(items: &[String], and: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{}{and}{last}", init.join(", ")),
    }
}

/// The kind of local government the office is, for "অত্র পৌরসভার" and the like (the words
/// themselves are in the wording files).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Paurashava,
    Union,
    CityCorporation,
    Other,
}

impl Place {
    /// Read from the Bangla name, or failing that the English one.
    pub fn of(name_bn: &str, name_en: &str) -> Place {
        let bn = sonod_seal::text::normalize(name_bn);
        let from_bn = if bn.contains("সিটি কর্পোরেশন") {
            Place::CityCorporation
        } else if bn.contains("পৌরসভা") {
            Place::Paurashava
        } else if bn.contains(sonod_seal::text::normalize("ইউনিয়ন").as_str()) {
            Place::Union
        } else {
            Place::Other
        };
        if from_bn != Place::Other {
            return from_bn;
        }
        let en = name_en.to_ascii_lowercase();
        if en.contains("city corporation") {
            Place::CityCorporation
        } else if ["paurashava", "pourashava", "municipality"]
            .iter()
            .any(|w| en.contains(w))
        {
            Place::Paurashava
        } else if en.contains("union") {
            Place::Union
        } else {
            Place::Other
        }
    }

    /// Its name in the wording templates (`place`).
    pub fn as_str(self) -> &'static str {
        match self {
            Place::Paurashava => "paurashava",
            Place::Union => "union",
            Place::CityCorporation => "city_corporation",
            Place::Other => "other",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sonod_seal::text::normalize;
    use std::path::Path;

    const SVG: &str = "<?xml version=\"1.0\" standalone=\"yes\"?><svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"207\" height=\"207\" viewBox=\"0 0 207 207\" shape-rendering=\"crispEdges\"><rect x=\"0\" y=\"0\" width=\"207\" height=\"207\" fill=\"#ffffff\"/><path fill=\"#000000\" d=\"M12 12h21v3H12V12\"/></svg>";

    fn samples() -> Vec<(String, Record)> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../seal/tests/data/records");
        let mut out: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let p = e.unwrap().path();
                let text = std::fs::read_to_string(&p).unwrap();
                (
                    p.file_stem().unwrap().to_string_lossy().into_owned(),
                    Record::from_json_str(&text).unwrap(),
                )
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    fn ctx(record: &Record) -> PrintContext<'_> {
        PrintContext {
            office_name_bn: "সাভার পৌরসভা",
            office_name_en: "Savar Paurashava",
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

    fn record(json: serde_json::Value) -> Record {
        Record::from_json(&json).unwrap()
    }

    #[test]
    fn all_fourteen_sample_records_render() {
        let samples = samples();
        assert_eq!(samples.len(), 14);
        for (name, r) in &samples {
            let html = render_certificate(&ctx(r));
            let t = r.cert_type();
            assert!(
                html.starts_with("<!DOCTYPE html>\n<html lang=\"bn\">"),
                "{name}"
            );
            assert!(html.contains("<meta charset=\"utf-8\">"), "{name}");
            assert!(html.contains(t.name_bn), "{name}: title");
            assert!(html.contains(t.name_en), "{name}: English title");
            assert!(
                html.contains("এই মর্মে প্রত্যয়ন করা যাচ্ছে যে") || t.key == "trade_licence",
                "{name}"
            );
            assert!(
                html.contains("<p class=\"en\" lang=\"en\">"),
                "{name}: English paragraph"
            );
            assert!(html.contains("গণপ্রজাতন্ত্রী বাংলাদেশ সরকার"), "{name}");
            assert!(
                html.contains("সনদ নং: <b class=\"serial\">১০০৫২৪-৪২</b>"),
                "{name}"
            );
            assert!(html.contains("প্রস্তুতকারী"), "{name}");
            assert!(html.contains("মেয়র / চেয়ারম্যান"), "{name}");
            assert!(html.contains("Mayor / Chairman"), "{name}");
            assert!(html.contains("যাচাই করতে কিউআর কোডটি স্ক্যান করুন"), "{name}");
            assert!(html.contains("21fe31dfa154a261"), "{name}: key id");
            assert!(html.contains("@page { size: A4; margin: 15mm; }"), "{name}");
            assert!(html.contains("<svg xmlns"), "{name}: QR");
            assert!(!html.contains("<?xml"), "{name}: XML declaration left in");
            assert!(!html.contains("বাতিল"), "{name}: not revoked");
            assert!(!html.contains("SPECIMEN"), "{name}: not development");
            // Every field's Bangla label appears in the table, and every text value in full.
            for (f, v) in r.fields() {
                assert!(
                    html.contains(&esc(&normalize(f.label_bn))),
                    "{name}: label {}",
                    f.key
                );
                if let Value::Text(s) = v {
                    assert!(html.contains(&esc(s)), "{name}: value of {}", f.key);
                }
            }
            // Nothing external, no script.
            let lower = html.to_lowercase();
            for bad in [
                "<script",
                "src=",
                "href=",
                "@import",
                "url(",
                "<link",
                "javascript:",
            ] {
                assert!(!lower.contains(bad), "{name}: {bad}");
            }
            assert!(!html.contains("{}"), "{name}: an unfilled placeholder");
            assert_eq!(normalize(&html), html, "{name}: not NFC");
        }
    }

    #[test]
    fn lists_are_tables() {
        for (name, r) in samples() {
            let html = render_certificate(&ctx(&r));
            let lists = html.matches("<table class=\"list\">").count();
            let expected = usize::from(matches!(name.as_str(), "warish" | "succession" | "family"));
            assert_eq!(lists, expected, "{name}");
        }
        let w = samples()
            .into_iter()
            .find(|(n, _)| n == "warish")
            .unwrap()
            .1;
        let html = render_certificate(&ctx(&w));
        assert!(html.contains(
            "<td class=\"n\">৩</td><td>ফাতেমা আক্তার</td><td>কন্যা</td><td class=\"age\">২৯ বছর</td>"
        ));
        assert!(html.contains("ক্রমিক"));
        assert!(html.contains("সম্পর্ক"));
        assert!(html.contains("বয়স") || html.contains(&normalize("বয়স")));
        assert!(html.contains("<b>১৪-০৩-২০২৫</b> তারিখে মৃত্যুবরণ করেন"));
        // Issue #17: the table of facts listed the father (and the applicant) before the
        // deceased; it follows the schema's order now, as the wording does.
        let row = |label: &str| {
            html.find(&format!("<tr><th>{}</th>", normalize(label)))
                .unwrap_or_else(|| panic!("{label}"))
        };
        assert!(row("মৃত ব্যক্তির নাম") < row("পিতার নাম"));
        assert!(row("পিতার নাম") < row("ওয়ারিশগণ"));
        assert!(row("ওয়ারিশগণ") < row("নাম"));
    }

    #[test]
    fn citizenship_wording_adapts_to_missing_fields() {
        let full = samples()
            .into_iter()
            .find(|(n, _)| n == "citizenship")
            .unwrap()
            .1;
        let html = render_certificate(&ctx(&full));
        assert!(html.contains(
            "এই মর্মে প্রত্যয়ন করা যাচ্ছে যে, <b>মোহাম্মদ আব্দুল করিম</b>, পিতা: <b>মোহাম্মদ আব্দুর রহমান</b>, \
             মাতা: <b>মোসাম্মৎ রোকেয়া বেগম</b>, জাতীয় পরিচয়পত্র নং: <b>১৯৯০১২৩৪৫৬৭৮৯০১২৩</b>"
        ));
        assert!(html.contains(&normalize(
            "অত্র পৌরসভার <b>৫</b> নং ওয়ার্ডের স্থায়ী বাসিন্দা এবং জন্মসূত্রে বাংলাদেশের নাগরিক।"
        )));
        assert!(html.contains("is a permanent resident of Ward No. <b>5</b> of this Paurashava"));
        // Character certificates may leave the ward out; a union parishad says ইউনিয়ন.
        let r = record(
            serde_json::json!({"type": "character", "office": "2001", "issued": "2026-01-05",
            "fields": {"name": "রহিম", "father": "করিম", "mother": "রহিমা", "brn": "20001234567890123"}}),
        );
        let mut c = ctx(&r);
        c.office_name_bn = "আমিনবাজার ইউনিয়ন পরিষদ";
        c.office_name_en = "Aminbazar Union Parishad";
        let html = render_certificate(&c);
        assert!(
            html.contains("জন্ম নিবন্ধন নং: <b>২০০০১২৩৪৫৬৭৮৯০১২৩</b>, অত্র ইউনিয়নের বাসিন্দা।"),
            "{html}"
        );
        assert!(html.contains("is a resident of this Union."));
        assert!(!html.contains("নং ওয়ার্ডের"));
    }

    #[test]
    fn trade_licence_names_business_owners_year_and_validity() {
        let t = samples()
            .into_iter()
            .find(|(n, _)| n == "trade_licence")
            .unwrap()
            .1;
        let html = render_certificate(&ctx(&t));
        assert!(html.contains("স্থানীয় সরকার (পৌরসভা) আইন, ২০০৯ অনুযায়ী"));
        assert!(html.contains(&normalize("<b>মায়ের দোয়া জেনারেল স্টোর</b> নামীয় প্রতিষ্ঠানকে")));
        assert!(html.contains("<b>২০২৬-২৭</b> অর্থবছরের"));
        assert!(html.contains("মালিকগণ: <b>আব্দুল করিম</b> ও <b>রফিকুল ইসলাম</b>"));
        assert!(html.contains("<b>১,৫০০</b> টাকা"));
        assert!(html.contains("<b>৩০-০৬-২০২৭</b> (১৬ আষা\u{09A2}\u{09BC} ১৪৩৪) তারিখ পর্যন্ত বৈধ"));
        assert!(html.contains("valid until <b>30-06-2027</b>"));
        assert!(html.contains("Under the Local Government (Paurashava) Act, 2009, a trade licence"));
    }

    #[test]
    fn values_are_escaped() {
        let r = record(
            serde_json::json!({"type": "citizenship", "office": "100524", "issued": "2026-11-28",
            "fields": {"name": "<script>alert('x')</script>", "father": "A & B \"C\"", "mother": "<img src=x onerror=alert(1)>",
              "nid": "5012345678", "ward": 1, "purpose": "</p><h1>x</h1>"}}),
        );
        let mut c = ctx(&r);
        c.office_name_bn = "<b>অফিস</b>";
        c.office_name_en = "O'Hare & <i>Co</i>";
        c.office_address_bn = Some("<u>ঠিকানা</u>");
        c.key_id = "<kid>";
        c.qr_text = "HTTPS://EVIL\"<X>/V/AAA";
        let html = render_certificate(&c);
        let lower = html.to_lowercase();
        assert!(!lower.contains("<script"), "{html}");
        assert!(!lower.contains("<img"));
        assert!(!lower.contains("<h1>x"));
        assert!(!lower.contains("<kid>"));
        assert!(!lower.contains("<u>"));
        assert!(!lower.contains("<i>co"));
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        assert!(html.contains("A &amp; B &quot;C&quot;"));
        assert!(html.contains("&lt;b&gt;অফিস&lt;/b&gt;"));
        assert!(html.contains("evil&quot;&lt;x&gt;"));
    }

    #[test]
    fn revoked_and_development_marks() {
        let r = samples().remove(0).1;
        let mut c = ctx(&r);
        c.revoked = true;
        let html = render_certificate(&c);
        assert!(html.contains("class=\"revoked-mark\""));
        assert!(html.contains("বাতিল"));
        assert!(html.contains("REVOKED"));
        assert!(!html.contains("SPECIMEN"));
        c.revoked = false;
        c.development = true;
        let html = render_certificate(&c);
        assert!(html.contains("নমুনা — উন্নয়ন চাবি") || html.contains(&normalize("নমুনা — উন্নয়ন চাবি")));
        assert!(html.contains("SPECIMEN — development key"));
        assert!(!html.contains("REVOKED"));
        c.revoked = true;
        let html = render_certificate(&c);
        assert!(html.contains("REVOKED") && html.contains("SPECIMEN"));
    }

    #[test]
    fn bangla_digits_in_serial_and_dates() {
        let r = samples()
            .into_iter()
            .find(|(n, _)| n == "citizenship")
            .unwrap()
            .1;
        let mut c = ctx(&r);
        c.serial = 1_234_567;
        let html = render_certificate(&c);
        assert!(html.contains("১০০৫২৪-১২৩৪৫৬৭"));
        assert!(html.contains("Certificate no. 100524-1234567"));
        // Issue date, Gregorian and Bangla calendar; expiry likewise.
        assert!(html.contains("তারিখ: <b>২৮-১১-২০২৬</b> খ্রিষ্টাব্দ"));
        assert!(html.contains(&normalize("<b>১৩ অগ্রহায়ণ ১৪৩৩</b> বঙ্গাব্দ")));
        assert!(html.contains(&normalize("২৭-১১-২০২৭ খ্রি. (১২ অগ্রহায়ণ ১৪৩৪ বঙ্গাব্দ)")));
        assert_eq!(normalize(&html), html);
    }

    #[test]
    fn output_is_nfc_even_from_decomposed_input() {
        // Office names are configuration, not records: they may come in any normal form.
        let r = samples().remove(0).1;
        let mut c = ctx(&r);
        c.office_name_bn = "আমিনবাজার ইউনি\u{09DF}ন পরিষদ";
        let html = render_certificate(&c);
        assert_eq!(normalize(&html), html);
        assert!(html.contains("অত্র ইউনিয়নের") || html.contains(&normalize("অত্র ইউনিয়নের")));
    }

    #[test]
    fn qr_size_follows_the_module_count() {
        // 207 / (12 / 4) = 69 modules: version 11 with its quiet zone, 0.7 mm a module.
        assert_eq!(qr_modules(SVG), Some(69));
        assert_eq!(qr_size_tenths_mm(SVG), 483);
        assert_eq!(qr_size_tenths_mm("<svg></svg>"), 500);
        let real = crate::QrImage::new(
            "HTTPS://VERIFY.SONOD.GOV.BD/V/ABCDEFGH234567",
            qrcode::EcLevel::M,
        )
        .unwrap();
        assert_eq!(qr_modules(&real.svg()), Some(real.width() as u32 + 8));
        assert_eq!(qr_size_tenths_mm(&real.svg()), 400);
    }

    #[test]
    fn helpers() {
        assert_eq!(taka(0), "0");
        assert_eq!(taka(999), "999");
        assert_eq!(taka(1500), "1,500");
        assert_eq!(taka(120_000), "1,20,000");
        assert_eq!(taka(12_345_678), "1,23,45,678");
        assert_eq!(
            qr_host("HTTPS://VERIFY.SONOD.GOV.BD/V/AB").as_deref(),
            Some("verify.sonod.gov.bd")
        );
        assert_eq!(qr_host("ABCDEF"), None);
        assert_eq!(
            join_and(&["a".into(), "b".into(), "c".into()], " ও "),
            "a, b ও c"
        );
        assert_eq!(svg_element(SVG).get(..4), Some("<svg"));
    }
}
