//! The printable certificate: one A4 page of HTML with print CSS.
//!
//! The page is self-contained: no scripts, no fonts, images or styles fetched from anywhere
//! (fonts are named by family; the QR code is an inline SVG; a Content-Security-Policy meta
//! tag forbids everything else). Every value from the record is HTML-escaped.
//!
//! Layout, top to bottom: the office's header, the certificate number and date (Gregorian and
//! Bangla calendar), the type's title, a formal paragraph in Bangla with the type's wording
//! (and the list of heirs or family members), the same in English, a table of every fact,
//! and at the bottom the two signatory lines with the QR code between them.

use std::fmt::Write as _;

use sonod_seal::{bangla_date, bangla_digits, Person, Record, Value};

use crate::bangla_calendar::BanglaDate;

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

/// Renders the certificate as a complete A4 HTML page (NFC, no external resources, no
/// JavaScript).
pub fn render_certificate(ctx: &PrintContext<'_>) -> String {
    let r = ctx.record;
    let t = r.cert_type();
    let place = Place::of(ctx.office_name_bn, ctx.office_name_en);
    let facts = Facts { r, place };
    let body = facts.body();
    let number_bn = bangla_digits(&format!("{}-{}", r.office(), ctx.serial));
    let number_en = format!("{}-{}", r.office(), ctx.serial);
    let issued = r.issued();
    let issued_bs = BanglaDate::from_gregorian(issued);

    let mut h = String::with_capacity(24 * 1024);
    h.push_str("<!DOCTYPE html>\n<html lang=\"bn\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; img-src data:\">\n",
    );
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        h,
        "<title>{} — সনদ নং {} — {}</title>",
        esc(t.name_bn),
        esc(&number_bn),
        esc(ctx.office_name_bn)
    );
    h.push_str("<style>\n");
    h.push_str(CSS);
    let _ = writeln!(
        h,
        ".qr svg {{ width: {0}.{1}mm; height: {0}.{1}mm; }}",
        qr_size_tenths_mm(ctx.qr_svg) / 10,
        qr_size_tenths_mm(ctx.qr_svg) % 10
    );
    h.push_str("</style>\n</head>\n<body>\n<main class=\"sheet\">\n");

    if ctx.revoked {
        h.push_str(
            "<div class=\"revoked-band\">এই সনদ বাতিল করা হয়েছে — <span lang=\"en\">THIS CERTIFICATE HAS BEEN REVOKED</span></div>\n\
             <div class=\"revoked-mark\" aria-hidden=\"true\"><span>বাতিল</span><span lang=\"en\">REVOKED</span></div>\n",
        );
    }
    if ctx.development {
        h.push_str(
            "<div class=\"specimen\">নমুনা — উন্নয়ন চাবি / <span lang=\"en\">SPECIMEN — development key</span>\
             <small>এই সনদ আসল নয় / <span lang=\"en\">not a valid certificate</span></small></div>\n",
        );
    }

    // The office's header.
    h.push_str("<header class=\"head\">\n");
    h.push_str(FLAG_SVG);
    h.push_str("<div class=\"gov\">গণপ্রজাতন্ত্রী বাংলাদেশ সরকার</div>\n");
    h.push_str(
        "<div class=\"gov-en\" lang=\"en\">Government of the People's Republic of Bangladesh</div>\n",
    );
    let _ = writeln!(
        h,
        "<h1 class=\"office-bn\">{}</h1>",
        esc(ctx.office_name_bn)
    );
    let _ = writeln!(
        h,
        "<div class=\"office-en\" lang=\"en\">{}</div>",
        esc(ctx.office_name_en)
    );
    if let Some(a) = ctx.office_address_bn {
        let _ = writeln!(h, "<div class=\"office-addr\">{}</div>", esc(a));
    }
    h.push_str("</header>\n");

    // Number, title and date in one row.
    let _ = writeln!(
        h,
        "<div class=\"meta\">\
         <div class=\"no\">সনদ নং: <b class=\"serial\">{}</b><br><span lang=\"en\">Certificate no. {}</span></div>\
         <div class=\"title\"><h2>{}</h2><div class=\"title-en\" lang=\"en\">{}</div></div>\
         <div class=\"date\">তারিখ: <b>{}</b> খ্রিষ্টাব্দ<br><b>{}</b> বঙ্গাব্দ</div></div>",
        esc(&number_bn),
        esc(&number_en),
        esc(t.name_bn),
        esc(t.name_en),
        esc(&bangla_date(issued)),
        esc(&issued_bs.to_bangla_string()),
    );

    // The formal wording.
    h.push_str("<section class=\"body\">\n");
    h.push_str(&body.bn);
    if let Some(en) = &body.en {
        let _ = writeln!(h, "<p class=\"en\" lang=\"en\">{en}</p>");
    }
    h.push_str("</section>\n");

    // Every fact.
    h.push_str(&facts.table(&number_bn, &number_en));

    // Signatures and the QR code.
    h.push_str("<footer class=\"foot\">\n");
    h.push_str(
        "<div class=\"sign\"><div class=\"sign-line\">প্রস্তুতকারী<br><span lang=\"en\">Prepared by</span>\
         <br><small>নাম ও পদবি / <span lang=\"en\">name and designation</span></small></div></div>\n",
    );
    h.push_str("<div class=\"qr\">\n");
    h.push_str(svg_element(ctx.qr_svg));
    h.push_str(
        "\n<div class=\"qr-cap\">যাচাই করতে কিউআর কোডটি স্ক্যান করুন<br><span lang=\"en\">Scan the QR code to verify</span></div>\n",
    );
    let host = qr_host(ctx.qr_text)
        .map(|h| format!("<span lang=\"en\">{}</span> · ", esc(&h)))
        .unwrap_or_default();
    let _ = writeln!(
        h,
        "<div class=\"kid\">{host}চাবি / <span lang=\"en\">key id</span> <span class=\"mono\">{}</span></div>",
        esc(ctx.key_id)
    );
    h.push_str("</div>\n");
    let _ = writeln!(
        h,
        "<div class=\"sign\"><div class=\"sign-line\">মেয়র / চেয়ারম্যান<br><span lang=\"en\">Mayor / Chairman</span><br><small>{}</small></div></div>",
        esc(ctx.office_name_bn)
    );
    h.push_str("</footer>\n");
    h.push_str(
        "<div class=\"fine\"><span class=\"q\">QR</span> চিহ্নিত তথ্য কিউআর কোডে অফিসের ডিজিটাল স্বাক্ষরসহ সংরক্ষিত; \
         যাচাইয়ের ফলাফলের সঙ্গে মিলিয়ে নিন। / <span lang=\"en\">Facts marked QR are signed into the QR code: \
         compare them with the verification result.</span></div>\n",
    );
    h.push_str("</main>\n</body>\n</html>\n");
    sonod_seal::text::normalize(&h)
}

/// Escapes text for HTML content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A value in bold, escaped.
fn b(s: &str) -> String {
    format!("<b>{}</b>", esc(s))
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
    qr_modules(svg).map_or(500, |m| (m * QR_MODULE_TENTHS_MM).clamp(400, 700))
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
fn taka(n: u64) -> String {
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

/// The kind of local government the office is, for "অত্র পৌরসভার" and the like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Paurashava,
    Union,
    CityCorporation,
    Other,
}

impl Place {
    /// Read from the Bangla name, or failing that the English one.
    fn of(name_bn: &str, name_en: &str) -> Place {
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

    /// "অত্র পৌরসভার".
    fn of_bn(self) -> &'static str {
        match self {
            Place::Paurashava => "অত্র পৌরসভার",
            Place::Union => "অত্র ইউনিয়নের",
            Place::CityCorporation => "অত্র সিটি কর্পোরেশনের",
            Place::Other => "অত্র এলাকার",
        }
    }

    /// "this Paurashava".
    fn en(self) -> &'static str {
        match self {
            Place::Paurashava => "this Paurashava",
            Place::Union => "this Union",
            Place::CityCorporation => "this City Corporation",
            Place::Other => "this area",
        }
    }

    /// The act that governs trade licences here.
    fn law(self) -> Option<(&'static str, &'static str)> {
        match self {
            Place::Paurashava => Some((
                "স্থানীয় সরকার (পৌরসভা) আইন, ২০০৯",
                "the Local Government (Paurashava) Act, 2009",
            )),
            Place::Union => Some((
                "স্থানীয় সরকার (ইউনিয়ন পরিষদ) আইন, ২০০৯",
                "the Local Government (Union Parishad) Act, 2009",
            )),
            Place::CityCorporation => Some((
                "স্থানীয় সরকার (সিটি কর্পোরেশন) আইন, ২০০৯",
                "the Local Government (City Corporation) Act, 2009",
            )),
            Place::Other => None,
        }
    }
}

/// The formal wording: Bangla HTML (paragraphs and lists) and an English paragraph.
struct Body {
    bn: String,
    en: Option<String>,
}

/// How a field is introduced inside a sentence.
fn phrase_label(key: &str) -> (&'static str, &'static str) {
    match key {
        "father" => ("পিতা", "father"),
        "mother" => ("মাতা", "mother"),
        "spouse" => ("স্বামী/স্ত্রী", "spouse"),
        "dob" => ("জন্ম তারিখ", "date of birth"),
        "nid" => ("জাতীয় পরিচয়পত্র নং", "NID no."),
        "brn" => ("জন্ম নিবন্ধন নং", "birth registration no."),
        "village" => ("গ্রাম/মহল্লা", "village/area"),
        "address" => ("ঠিকানা", "address"),
        "occupation" => ("পেশা", "occupation"),
        _ => ("", ""),
    }
}

struct Facts<'a> {
    r: &'a Record,
    place: Place,
}

impl Facts<'_> {
    fn get(&self, key: &str) -> Option<&Value> {
        self.r.get(key)
    }

    /// A field's value in Bangla, bold and escaped.
    fn bn(&self, key: &str) -> Option<String> {
        self.get(key).map(|v| b(&v.display_bn()))
    }

    /// A field's value in English, bold and escaped.
    fn en(&self, key: &str) -> Option<String> {
        self.get(key).map(|v| b(&v.display_en()))
    }

    fn uint(&self, key: &str) -> Option<u64> {
        match self.get(key) {
            Some(Value::Uint(n)) => Some(*n),
            _ => None,
        }
    }

    /// "নাম, পিতা: …, মাতা: …" for the fields in `keys` that are present; the first key is
    /// the person's name, written without a label.
    fn who_bn(&self, keys: &[&str]) -> String {
        let mut parts = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            if let Some(v) = self.bn(k) {
                if i == 0 {
                    parts.push(v);
                } else {
                    parts.push(format!("{}: {v}", phrase_label(k).0));
                }
            }
        }
        parts.join(", ")
    }

    /// The English of [`Facts::who_bn`], ending in a comma when anything follows the name
    /// (so that "X, father: Y, is …" and "X is …" both read right).
    fn who_en(&self, keys: &[&str]) -> String {
        let mut parts = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            if let Some(v) = self.en(k) {
                if i == 0 {
                    parts.push(v);
                } else {
                    parts.push(format!("{} {v}", phrase_label(k).1));
                }
            }
        }
        let n = parts.len();
        let mut s = parts.join(", ");
        if n > 1 {
            s.push(',');
        }
        s
    }

    /// "অত্র পৌরসভার ৫ নং ওয়ার্ডের" (or without the ward).
    fn residence_bn(&self) -> String {
        match self.bn("ward") {
            Some(w) => format!("{} {w} নং ওয়ার্ডের", self.place.of_bn()),
            None => self.place.of_bn().to_owned(),
        }
    }

    /// "Ward No. 5 of this Paurashava".
    fn residence_en(&self) -> String {
        match self.en("ward") {
            Some(w) => format!("Ward No. {w} of {}", self.place.en()),
            None => self.place.en().to_owned(),
        }
    }

    fn purpose_bn(&self) -> String {
        self.bn("purpose")
            .map(|p| format!(" {p} সংক্রান্ত প্রয়োজনে এই সনদ প্রদান করা হলো।"))
            .unwrap_or_default()
    }

    fn purpose_en(&self) -> String {
        self.en("purpose")
            .map(|p| format!(" This certificate is issued for the purpose of: {p}."))
            .unwrap_or_default()
    }

    /// The formal wording of the record's type.
    fn body(&self) -> Body {
        const PERSON: &[&str] = &[
            "name", "father", "mother", "dob", "nid", "brn", "village", "address",
        ];
        const WISH_BN: &str = " আমি তার সর্বাঙ্গীণ উন্নতি ও মঙ্গল কামনা করি।";
        const WISH_EN: &str = " I wish him/her every success and well-being.";
        const CERTIFY_BN: &str = "এই মর্মে প্রত্যয়ন করা যাচ্ছে যে, ";
        const CERTIFY_EN: &str = "This is to certify that ";
        let who = self.who_bn(PERSON);
        let who_en = self.who_en(PERSON);
        let res = self.residence_bn();
        let res_en = self.residence_en();
        let purpose = self.purpose_bn();
        let purpose_en = self.purpose_en();
        let p = |s: String| format!("<p>{s}</p>\n");

        match self.r.cert_type().key {
            "citizenship" => Body {
                bn: p(format!(
                    "{CERTIFY_BN}{who}, {res} স্থায়ী বাসিন্দা এবং জন্মসূত্রে বাংলাদেশের নাগরিক। \
                     আমার জানামতে তিনি রাষ্ট্রবিরোধী কোনো কাজে জড়িত নন।{purpose}{WISH_BN}"
                )),
                en: Some(format!(
                    "{CERTIFY_EN}{who_en} is a permanent resident of {res_en} and a citizen of \
                     Bangladesh by birth. To the best of my knowledge, he/she is not involved in any \
                     activity against the state.{purpose_en}{WISH_EN}"
                )),
            },
            "character" => {
                const KEYS: &[&str] = &["name", "father", "mother", "nid", "brn", "occupation", "village", "address"];
                let who = self.who_bn(KEYS);
                let who_en = self.who_en(KEYS);
                Body {
                    bn: p(format!(
                        "{CERTIFY_BN}{who}, {res} বাসিন্দা। আমি তাকে ব্যক্তিগতভাবে চিনি ও জানি। \
                         আমার জানামতে তিনি উত্তম চরিত্রের অধিকারী এবং রাষ্ট্র বা সমাজবিরোধী কোনো কাজে \
                         জড়িত নন।{purpose}{WISH_BN}"
                    )),
                    en: Some(format!(
                        "{CERTIFY_EN}{who_en} is a resident of {res_en}. I know him/her personally. \
                         To the best of my knowledge, he/she bears a good moral character and is not \
                         involved in any activity against the state or society.{purpose_en}{WISH_EN}"
                    )),
                }
            }
            key @ ("warish" | "succession") => {
                const KEYS: &[&str] = &["deceased", "father", "nid", "village", "address"];
                let who = self.who_bn(KEYS);
                let who_en = self.who_en(KEYS);
                let died = self.bn("death_date").unwrap_or_default();
                let died_en = self.en("death_date").unwrap_or_default();
                let (heirs_bn, heirs_en) = if key == "warish" {
                    (
                        "মৃত্যুকালে তিনি নিম্নলিখিত ওয়ারিশগণ রেখে যান; এর বাইরে তার আর কোনো ওয়ারিশ নেই:",
                        "He/she left behind the heirs listed above and no others.",
                    )
                } else {
                    (
                        "তার রেখে যাওয়া স্থাবর ও অস্থাবর সম্পত্তির উত্তরাধিকারী নিম্নলিখিত ব্যক্তিগণ; \
                         এর বাইরে তার আর কোনো উত্তরাধিকারী নেই:",
                        "The persons listed above are the successors to his/her movable and \
                         immovable property, and there are no others.",
                    )
                };
                let mut bn = p(format!(
                    "{CERTIFY_BN}{who}, {res} স্থায়ী বাসিন্দা ছিলেন। তিনি {died} তারিখে মৃত্যুবরণ করেন। {heirs_bn}"
                ));
                if let Some(Value::Persons(ps)) = self.get("heirs") {
                    bn.push_str(&persons_table(ps));
                }
                let applicant = self
                    .bn("name")
                    .map(|n| format!("আবেদনকারী: {n}।"))
                    .unwrap_or_default();
                let tail = format!("{applicant}{purpose} আমি ওয়ারিশগণের সর্বাঙ্গীণ মঙ্গল কামনা করি।");
                bn.push_str(&p(tail.trim_start().to_owned()));
                Body {
                    bn,
                    en: Some(format!(
                        "{CERTIFY_EN}{who_en} was a permanent resident of {res_en} and died on \
                         {died_en}. {heirs_en}{purpose_en}"
                    )),
                }
            }
            "trade_licence" => self.trade_licence(),
            "family" => {
                let mut bn = p(format!(
                    "{CERTIFY_BN}{who}, {res} স্থায়ী বাসিন্দা। তার পরিবারের সদস্যদের বিবরণ নিম্নরূপ:"
                ));
                if let Some(Value::Persons(ps)) = self.get("members") {
                    bn.push_str(&persons_table(ps));
                }
                bn.push_str(&p(format!(
                    "আমার জানামতে উপরের তথ্য সঠিক।{purpose} আমি তার পরিবারের সর্বাঙ্গীণ মঙ্গল কামনা করি।"
                )));
                Body {
                    bn,
                    en: Some(format!(
                        "{CERTIFY_EN}{who_en} is a permanent resident of {res_en}. The members of \
                         his/her family are as listed above.{purpose_en}"
                    )),
                }
            }
            "unmarried" => Body {
                bn: p(format!(
                    "{CERTIFY_BN}{who}, {res} স্থায়ী বাসিন্দা। আমার জানামতে তিনি অবিবাহিত এবং এখন \
                     পর্যন্ত কোনো বিবাহ বন্ধনে আবদ্ধ হননি।{purpose}{WISH_BN}"
                )),
                en: Some(format!(
                    "{CERTIFY_EN}{who_en} is a permanent resident of {res_en}. To the best of my \
                     knowledge, he/she is unmarried and has never been married.{purpose_en}{WISH_EN}"
                )),
            },
            "married" => {
                let spouse = self.bn("spouse").unwrap_or_default();
                let spouse_en = self.en("spouse").unwrap_or_default();
                let (when, when_en) = match (self.bn("marriage_date"), self.en("marriage_date")) {
                    (Some(d), Some(e)) => (format!("{d} তারিখে "), format!(" on {e}")),
                    _ => (String::new(), String::new()),
                };
                Body {
                    bn: p(format!(
                        "{CERTIFY_BN}{who}, {res} স্থায়ী বাসিন্দা। তিনি {spouse}-এর সঙ্গে {when}\
                         বৈধভাবে বিবাহ বন্ধনে আবদ্ধ হয়েছেন এবং বর্তমানে তারা স্বামী-স্ত্রী হিসেবে \
                         একসঙ্গে বসবাস করছেন।{purpose} আমি তাদের দাম্পত্য জীবনের সর্বাঙ্গীণ মঙ্গল কামনা করি।"
                    )),
                    en: Some(format!(
                        "{CERTIFY_EN}{who_en} is a permanent resident of {res_en}. He/she was \
                         lawfully married to {spouse_en}{when_en}, and they live together as husband \
                         and wife.{purpose_en} I wish them a happy married life."
                    )),
                }
            }
            "not_remarried" => {
                let late = self.bn("deceased").unwrap_or_default();
                let late_en = self.en("deceased").unwrap_or_default();
                let (when, when_en) = match (self.bn("death_date"), self.en("death_date")) {
                    (Some(d), Some(e)) => (format!("{d} তারিখে "), format!(" on {e}")),
                    _ => (String::new(), String::new()),
                };
                Body {
                    bn: p(format!(
                        "{CERTIFY_BN}{who}, {res} স্থায়ী বাসিন্দা। তার স্বামী/স্ত্রী {late} {when}\
                         মৃত্যুবরণ করেন। আমার জানামতে স্বামী/স্ত্রীর মৃত্যুর পর তিনি পুনরায় কোনো বিবাহ \
                         বন্ধনে আবদ্ধ হননি।{purpose}{WISH_BN}"
                    )),
                    en: Some(format!(
                        "{CERTIFY_EN}{who_en} is a permanent resident of {res_en}. His/her spouse \
                         {late_en} died{when_en}. To the best of my knowledge, he/she has not \
                         remarried since.{purpose_en}{WISH_EN}"
                    )),
                }
            }
            "income" => {
                let occ = self
                    .bn("occupation")
                    .map(|o| format!(" তার পেশা: {o}।"))
                    .unwrap_or_default();
                let occ_en = self
                    .en("occupation")
                    .map(|o| format!(" His/her occupation is {o}."))
                    .unwrap_or_default();
                let income = self.uint("annual_income").unwrap_or(0);
                Body {
                    bn: p(format!(
                        "{CERTIFY_BN}{who}, {res} স্থায়ী বাসিন্দা।{occ} আমার জানামতে সকল উৎস থেকে \
                         তার বার্ষিক আয় {} টাকা মাত্র।{purpose}{WISH_BN}",
                        b(&bangla_digits(&taka(income)))
                    )),
                    en: Some(format!(
                        "{CERTIFY_EN}{who_en} is a permanent resident of {res_en}.{occ_en} To the \
                         best of my knowledge, his/her annual income from all sources is Tk {} only.\
                         {purpose_en}{WISH_EN}",
                        b(&taka(income))
                    )),
                }
            }
            "landless" => Body {
                bn: p(format!(
                    "{CERTIFY_BN}{who}, {res} স্থায়ী বাসিন্দা। আমার জানামতে তিনি একজন ভূমিহীন \
                     ব্যক্তি; বসতভিটা ছাড়া তার বা তার পরিবারের নামে কোনো চাষযোগ্য জমি নেই।{purpose}{WISH_BN}"
                )),
                en: Some(format!(
                    "{CERTIFY_EN}{who_en} is a permanent resident of {res_en}. To the best of my \
                     knowledge, he/she is landless: apart from a homestead, neither he/she nor his/her \
                     family owns any cultivable land.{purpose_en}{WISH_EN}"
                )),
            },
            "same_person" => {
                let name = self.bn("name").unwrap_or_default();
                let other = self.bn("other_name").unwrap_or_default();
                let name_en = self.en("name").unwrap_or_default();
                let other_en = self.en("other_name").unwrap_or_default();
                let (source, source_en) =
                    match (self.bn("other_name_source"), self.en("other_name_source")) {
                        (Some(s), Some(e)) => (format!("{s}-এ "), format!(" in his/her {e}")),
                        _ => ("কোনো কোনো কাগজে ".to_owned(), " in some documents".to_owned()),
                    };
                Body {
                    bn: p(format!(
                        "{CERTIFY_BN}{who}, {res} স্থায়ী বাসিন্দা। {source}তার নাম {other} হিসেবে \
                         লেখা হয়েছে। {name} ও {other} একই ও অভিন্ন ব্যক্তি।{purpose}{WISH_BN}"
                    )),
                    en: Some(format!(
                        "{CERTIFY_EN}{who_en} is a permanent resident of {res_en}. His/her name is \
                         written as {other_en}{source_en}. {name_en} and {other_en} are one and the \
                         same person.{purpose_en}{WISH_EN}"
                    )),
                }
            }
            "disability" => {
                let d = self.bn("disability").unwrap_or_default();
                let d_en = self.en("disability").unwrap_or_default();
                Body {
                    bn: p(format!(
                        "{CERTIFY_BN}{who}, {res} স্থায়ী বাসিন্দা। আমার জানামতে তিনি একজন প্রতিবন্ধী \
                         ব্যক্তি; তার প্রতিবন্ধিতার ধরন: {d}।{purpose}{WISH_BN}"
                    )),
                    en: Some(format!(
                        "{CERTIFY_EN}{who_en} is a permanent resident of {res_en}. To the best of my \
                         knowledge, he/she is a person with a disability ({d_en}).{purpose_en}{WISH_EN}"
                    )),
                }
            }
            "financial_hardship" => {
                let occ = self
                    .bn("occupation")
                    .map(|o| format!(" তার পেশা: {o}।"))
                    .unwrap_or_default();
                let occ_en = self
                    .en("occupation")
                    .map(|o| format!(" His/her occupation is {o}."))
                    .unwrap_or_default();
                let (income, income_en) = match self.uint("annual_income") {
                    Some(n) => (
                        format!("; তার বার্ষিক আয় আনুমানিক {} টাকা", b(&bangla_digits(&taka(n)))),
                        format!("; his/her annual income is about Tk {}", b(&taka(n))),
                    ),
                    None => (String::new(), String::new()),
                };
                Body {
                    bn: p(format!(
                        "{CERTIFY_BN}{who}, {res} স্থায়ী বাসিন্দা।{occ} আমার জানামতে তিনি আর্থিকভাবে \
                         অস্বচ্ছল{income}। তার পরিবারের ভরণপোষণ ও প্রয়োজনীয় খরচ বহন করা তার পক্ষে কঠিন।\
                         {purpose}{WISH_BN}"
                    )),
                    en: Some(format!(
                        "{CERTIFY_EN}{who_en} is a permanent resident of {res_en}.{occ_en} To the best \
                         of my knowledge, he/she is in financial hardship{income_en}, and finds it \
                         difficult to meet his/her family's needs.{purpose_en}{WISH_EN}"
                    )),
                }
            }
            // Types added to the registry later: a neutral wording.
            _ => Body {
                bn: p(format!(
                    "{CERTIFY_BN}{who}, {res} বাসিন্দা। নিচের তথ্যসমূহ অত্র কার্যালয়ের রেকর্ড অনুযায়ী সঠিক।{purpose}"
                )),
                en: None,
            },
        }
    }

    fn trade_licence(&self) -> Body {
        let name = self.bn("business_name").unwrap_or_default();
        let name_en = self.en("business_name").unwrap_or_default();
        let kind = self.bn("business_kind").unwrap_or_default();
        let kind_en = self.en("business_kind").unwrap_or_default();
        let fy = self.bn("fiscal_year").unwrap_or_default();
        let fy_en = self.en("fiscal_year").unwrap_or_default();
        let (law, law_en) = match self.place.law() {
            Some((bn, en)) => (format!("{bn} অনুযায়ী "), format!("Under {en}, a")),
            None => (String::new(), "A".to_owned()),
        };
        let (at, at_en) = match (self.bn("business_address"), self.en("business_address")) {
            (Some(a), Some(e)) => (format!("{a} ঠিকানায়, "), format!(" at {e},")),
            _ => (String::new(), String::new()),
        };
        let (ward, ward_en) = match (self.bn("ward"), self.en("ward")) {
            (Some(w), Some(e)) => (
                format!("{} {w} নং ওয়ার্ডে ", self.place.of_bn()),
                format!(" in Ward No. {e} of {}", self.place.en()),
            ),
            _ => (String::new(), String::new()),
        };
        let owners: Vec<String> = match self.get("owners") {
            Some(Value::TextList(l)) => l.iter().map(|o| b(o)).collect(),
            _ => Vec::new(),
        };
        let owner_id = match (self.bn("nid"), self.en("nid")) {
            (Some(n), Some(e)) => (
                format!(" (জাতীয় পরিচয়পত্র নং: {n})"),
                format!(" (NID no. {e})"),
            ),
            _ => (String::new(), String::new()),
        };
        let (fee, fee_en) = match self.uint("licence_fee") {
            Some(n) => (
                format!(
                    " লাইসেন্স ফি বাবদ {} টাকা পরিশোধ করা হয়েছে।",
                    b(&bangla_digits(&taka(n)))
                ),
                format!(" Licence fee paid: Tk {}.", b(&taka(n))),
            ),
            None => (String::new(), String::new()),
        };
        let (until, until_en) = match self.r.expires() {
            Some(e) => (
                format!(
                    " এই লাইসেন্স {} ({}) তারিখ পর্যন্ত বৈধ; মেয়াদ শেষে নবায়ন করতে হবে।",
                    b(&bangla_date(e)),
                    esc(&BanglaDate::from_gregorian(e).to_bangla_string())
                ),
                format!(
                    " This licence is valid until {} and must be renewed when it expires.",
                    b(&Value::Date(e).display_en())
                ),
            ),
            None => (String::new(), String::new()),
        };
        let plural_bn = if owners.len() > 1 {
            "মালিকগণ"
        } else {
            "মালিক"
        };
        let plural_en = if owners.len() > 1 { "Owners" } else { "Owner" };
        Body {
            bn: format!(
                "<p>{law}{name} নামীয় প্রতিষ্ঠানকে {at}{ward}ব্যবসা পরিচালনার জন্য {fy} অর্থবছরের \
                 ট্রেড লাইসেন্স প্রদান করা হলো। ব্যবসার ধরন: {kind}; প্রতিষ্ঠানের {plural_bn}: {}{}।{fee}{until} \
                 লাইসেন্সটি ব্যবসা প্রতিষ্ঠানের দৃশ্যমান স্থানে প্রদর্শন করতে হবে।</p>\n",
                join_and(&owners, " ও "),
                owner_id.0,
            ),
            en: Some(format!(
                "{law_en} trade licence for the fiscal year {fy_en} is granted to {name_en}{at_en}{ward_en} \
                 to carry on business as {kind_en}. {plural_en}: {}{}.{fee_en}{until_en} The licence \
                 must be displayed at the place of business.",
                join_and(&owners, " and "),
                owner_id.1,
            )),
        }
    }

    /// The table of every fact: issue and expiry dates, then each field present.
    fn table(&self, number_bn: &str, number_en: &str) -> String {
        let r = self.r;
        let t = r.cert_type();
        let mut h = String::new();
        h.push_str(
            "<table class=\"facts\">\n<colgroup><col class=\"c-bn\"><col class=\"c-en\"><col class=\"c-v\"></colgroup>\n<tbody>\n",
        );
        let row =
            |h: &mut String, bn: &str, en: &str, value: &str, signed: bool| {
                let _ =
                    writeln!(
                h,
                "<tr><th>{}</th><td class=\"en\" lang=\"en\">{}</td><td>{value}{}</td></tr>",
                esc(bn),
                esc(en),
                if signed { " <span class=\"q\">QR</span>" } else { "" }
            );
            };
        row(
            &mut h,
            "সনদ নং",
            "Certificate no.",
            &format!(
                "{} <span class=\"lat\">{}</span>",
                esc(number_bn),
                esc(number_en)
            ),
            true,
        );
        let date_cell = |d: time::Date| {
            let bs = BanglaDate::from_gregorian(d);
            format!(
                "{} খ্রি. ({} বঙ্গাব্দ) <span class=\"lat\">{}</span>",
                esc(&bangla_date(d)),
                esc(&bs.to_bangla_string()),
                esc(&Value::Date(d).display_en())
            )
        };
        row(
            &mut h,
            "প্রদানের তারিখ",
            "Date of issue",
            &date_cell(r.issued()),
            true,
        );
        if let Some(e) = r.expires() {
            row(&mut h, "মেয়াদ শেষ", "Valid until", &date_cell(e), true);
        }
        for (f, v) in r.fields() {
            let signed = t.field_use(f.key).is_some_and(|u| u.signed);
            let cell = match v {
                Value::Persons(ps) => format!(
                    "উপরের তালিকা দেখুন ({} জন) <span class=\"lat\">see the list above ({} persons)</span>",
                    bangla_digits(&ps.len().to_string()),
                    ps.len()
                ),
                Value::Text(s) => esc(s),
                Value::TextList(l) => esc(&l.join(", ")),
                Value::Date(d) => {
                    format!("{} <span class=\"lat\">{}</span>", esc(&bangla_date(*d)), esc(&v.display_en()))
                }
                Value::Uint(n) if matches!(f.key, "licence_fee" | "annual_income") => format!(
                    "{} <span class=\"lat\">{}</span>",
                    esc(&bangla_digits(&taka(*n))),
                    esc(&taka(*n))
                ),
                other => format!(
                    "{} <span class=\"lat\">{}</span>",
                    esc(&other.display_bn()),
                    esc(&other.display_en())
                ),
            };
            row(&mut h, f.label_bn, f.label_en, &cell, signed);
        }
        h.push_str("</tbody>\n</table>\n");
        h
    }
}

/// "ক, খ ও গ".
fn join_and(items: &[String], and: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{}{and}{last}", init.join(", ")),
    }
}

/// Heirs or family members as a numbered table.
fn persons_table(ps: &[Person]) -> String {
    let mut h = String::from(
        "<table class=\"list\">\n<thead><tr><th class=\"n\">ক্রমিক <span lang=\"en\">No.</span></th>\
         <th>নাম <span lang=\"en\">Name</span></th><th>সম্পর্ক <span lang=\"en\">Relation</span></th>\
         <th class=\"age\">বয়স <span lang=\"en\">Age</span></th></tr></thead>\n<tbody>\n",
    );
    for (i, p) in ps.iter().enumerate() {
        let age = p.age.map_or_else(
            || "—".to_owned(),
            |a| format!("{} বছর", bangla_digits(&a.to_string())),
        );
        let _ = writeln!(
            h,
            "<tr><td class=\"n\">{}</td><td>{}</td><td>{}</td><td class=\"age\">{}</td></tr>",
            bangla_digits(&(i + 1).to_string()),
            esc(&p.name),
            esc(&p.relation),
            esc(&age)
        );
    }
    h.push_str("</tbody>\n</table>\n");
    h
}

/// The national flag, inline (green field 10:6, red disc of radius 2 centred at 4.5).
const FLAG_SVG: &str =
    "<svg class=\"flag\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 6\" \
aria-hidden=\"true\"><rect width=\"10\" height=\"6\" fill=\"#006a4e\"/>\
<circle cx=\"4.5\" cy=\"3\" r=\"2\" fill=\"#f42a41\"/></svg>\n";

const CSS: &str = r#"@page { size: A4; margin: 15mm; }
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; background: #fff; }
body {
  font-family: 'Noto Sans Bengali', 'SolaimanLipi', 'Noto Sans', sans-serif;
  font-size: 10pt; line-height: 1.4; color: #111;
  -webkit-print-color-adjust: exact; print-color-adjust: exact;
}
[lang="en"] { font-family: 'Noto Sans', 'DejaVu Sans', 'Noto Sans Bengali', sans-serif; }
.sheet {
  position: relative; width: 180mm; min-height: 266mm; margin: 0 auto;
  border: 3pt double #006a4e; padding: 5mm 8mm 4mm;
  display: flex; flex-direction: column; overflow: hidden;
}
@media screen { body { background: #ddd; } .sheet { margin: 10mm auto; background: #fff; } }
.head { text-align: center; position: relative; padding-bottom: 1.5mm; border-bottom: 1.5pt solid #006a4e; line-height: 1.3; }
.flag { position: absolute; left: 0; top: 1mm; width: 15mm; height: 9mm; }
.gov { font-size: 10pt; }
.gov-en { font-size: 7.5pt; color: #333; }
.office-bn { font-family: 'Noto Serif Bengali', 'Noto Sans Bengali', 'SolaimanLipi', sans-serif;
  font-size: 20pt; line-height: 1.3; margin: 0.5mm 0 0; color: #006a4e; font-weight: 700; }
.office-en { font-size: 10.5pt; font-weight: 600; letter-spacing: 0.02em; }
.office-addr { font-size: 8.5pt; color: #333; }
.meta { display: grid; grid-template-columns: 1fr auto 1fr; align-items: center; gap: 3mm; margin: 2mm 0 2mm; font-size: 9pt; line-height: 1.45; }
.meta .date { text-align: right; }
.meta .no [lang="en"] { font-size: 7.5pt; color: #333; }
.title { text-align: center; }
.title h2 { display: inline-block; margin: 0; padding: 0.3mm 6mm; border-radius: 2mm;
  font-family: 'Noto Serif Bengali', 'Noto Sans Bengali', 'SolaimanLipi', sans-serif;
  font-size: 15pt; line-height: 1.45; background: #006a4e; color: #fff; font-weight: 700; white-space: nowrap; }
.title-en { font-size: 9.5pt; font-weight: 600; margin-top: 0.5mm; }
.body p { margin: 0 0 1.2mm; text-align: justify; font-size: 10.5pt; line-height: 1.55; }
.body p.en { font-size: 8.5pt; line-height: 1.4; color: #222; margin-top: 1mm; }
table { border-collapse: collapse; width: 100%; }
table.list { margin: 0.5mm 0 1.5mm; font-size: 9.5pt; line-height: 1.35; }
table.list th, table.list td { border: 0.6pt solid #555; padding: 0.3mm 2mm; text-align: left; }
table.list th { background: #e8f1ec; font-weight: 600; }
table.list th [lang="en"] { font-weight: 400; font-size: 7.5pt; color: #333; margin-left: 1mm; }
table.list .n { width: 20mm; text-align: center; }
table.list .age { width: 24mm; }
table.facts { margin-top: 2mm; border-top: 0.8pt solid #006a4e; font-size: 9pt; line-height: 1.3; }
table.facts th, table.facts td { border-bottom: 0.5pt solid #bbb; padding: 0.5mm 1.5mm; text-align: left; vertical-align: top; }
table.facts th { font-weight: 600; }
table.facts td.en { color: #444; font-size: 7.5pt; padding-top: 0.9mm; }
table.facts col.c-bn { width: 24%; } table.facts col.c-en { width: 21%; }
.lat { color: #555; font-size: 7.5pt; font-family: 'Noto Sans', 'DejaVu Sans', sans-serif; margin-left: 1.5mm; }
.q { display: inline-block; font-family: 'Noto Sans', 'DejaVu Sans', sans-serif; font-size: 5.5pt; line-height: 1;
  font-weight: 700; color: #006a4e; border: 0.6pt solid #006a4e; border-radius: 1mm; padding: 0.3mm 0.6mm;
  vertical-align: 0.3mm; margin-left: 1mm; }
.foot { margin-top: auto; padding-top: 2mm; display: flex; justify-content: space-between; align-items: flex-end; gap: 4mm; }
.sign { width: 52mm; text-align: center; font-size: 9pt; line-height: 1.35; padding-bottom: 4mm; }
.sign-line { border-top: 0.8pt solid #111; padding-top: 1mm; }
.sign [lang="en"] { font-size: 8pt; }
.sign small { font-size: 7pt; color: #333; }
.qr { text-align: center; width: 66mm; }
.qr svg { display: block; margin: 0 auto; }
.qr-cap { font-size: 8.5pt; line-height: 1.3; margin-top: 0.3mm; }
.qr-cap [lang="en"] { font-size: 7.5pt; }
.kid { font-size: 6.5pt; color: #444; line-height: 1.4; }
.mono { font-family: 'DejaVu Sans Mono', monospace; }
.fine { margin-top: 1.5mm; padding-top: 0.8mm; border-top: 0.5pt solid #bbb; font-size: 6.5pt; line-height: 1.35; color: #444; text-align: center; }
.fine .q { margin-left: 0; }
.specimen {
  margin: -1.5mm -4mm 1.5mm; padding: 0.8mm 3mm; text-align: center; font-weight: 700; font-size: 11pt; line-height: 1.35;
  color: #000; background: #ffd400; border: 1pt solid #000;
  background-image: repeating-linear-gradient(-45deg, transparent 0 4mm, rgba(0,0,0,0.12) 4mm 8mm);
}
.specimen small { display: block; font-size: 7.5pt; font-weight: 400; }
.revoked-band { margin: -1.5mm -4mm 1.5mm; padding: 0.8mm; text-align: center; font-weight: 700; font-size: 11pt; line-height: 1.35;
  color: #fff; background: #c8102e; }
.revoked-mark {
  position: absolute; left: 50%; top: 42%; z-index: 10; pointer-events: none;
  transform: translate(-50%, -50%) rotate(-35deg);
  border: 3mm solid rgba(200, 16, 46, 0.35); border-radius: 6mm; padding: 2mm 10mm;
  color: rgba(200, 16, 46, 0.35); text-align: center; line-height: 1.2; font-weight: 700; white-space: nowrap;
}
.revoked-mark span { display: block; font-size: 64pt; }
.revoked-mark span[lang="en"] { font-size: 44pt; letter-spacing: 0.08em; }
"#;

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
