//! How a verdict is shown: a clerk's lines, Bangla first, or one JSON object.

use std::fmt::Write as _;

use serde_json::{json, Value as Json};
use sonod_seal::{bangla_date, bangla_digits};
use sonod_verifier::{Verdict, VerdictKind};

/// The verdict for `input` as lines for a person.
pub fn human_report(input: &str, v: &Verdict) -> String {
    let (bn, en) = v.kind.headline();
    let mark = if v.kind == VerdictKind::Valid {
        "✔"
    } else {
        "✘"
    };
    let mut s = String::new();
    let _ = writeln!(s, "{input}: {mark} {bn} / {en}");
    let _ = writeln!(s, "  কারণ / reason: {} / {}", v.reason_bn, v.reason_en);
    if v.development {
        let _ = writeln!(
            s,
            "  ⚠ উন্নয়ন-চাবি: এটি আসল সনদ নয় / development keys: not a real certificate"
        );
    }
    if v.host_official == Some(false) {
        let _ = writeln!(
            s,
            "  ⚠ কিউআর-এর ঠিকানা {} সরকারি যাচাই-সাইট নয় — ওই লিংকে ভরসা করবেন না / the QR's host {} is not an official verifier: do not trust that link",
            v.host.as_deref().unwrap_or_default(),
            v.host.as_deref().unwrap_or_default()
        );
    }
    if let Some(o) = &v.office {
        let _ = writeln!(
            s,
            "  অফিস / office: {} / {} ({})",
            o.name_bn, o.name_en, o.code
        );
    }
    if let Some(c) = &v.certificate {
        let r = &c.record;
        let t = r.cert_type();
        let _ = writeln!(
            s,
            "  সনদ / certificate: {} / {} · ক্রমিক / serial {} ({})",
            t.name_bn,
            t.name_en,
            bangla_digits(&c.serial.to_string()),
            c.serial
        );
        let _ = write!(
            s,
            "  প্রদান / issued: {} ({})",
            bangla_date(r.issued()),
            r.issued()
        );
        if let Some(e) = r.expires() {
            let _ = write!(s, " · মেয়াদ / expires: {} ({e})", bangla_date(e));
        }
        s.push('\n');
        for (f, val) in r.fields() {
            let (vbn, ven) = (val.display_bn(), val.display_en());
            if vbn == ven {
                let _ = writeln!(s, "  {} / {}: {vbn}", f.label_bn, f.label_en);
            } else {
                let _ = writeln!(s, "  {} / {}: {vbn} ({ven})", f.label_bn, f.label_en);
            }
        }
    }
    s
}

/// The verdict for `input` as one JSON object.
pub fn json_report(input: &str, v: &Verdict) -> Json {
    let mut j = v.to_json();
    j["input"] = json!(input);
    j
}

/// The verdict as one big line for a kiosk screen: the state first, then what to compare with
/// the paper (type, serial, the first signed field). With `colour`,
/// white on green for valid and white on red for anything else (ANSI).
pub fn kiosk_line(v: &Verdict, colour: bool) -> String {
    let (bn, en) = v.kind.headline();
    let valid = v.kind == VerdictKind::Valid;
    let mut s = if valid {
        format!(" ✔ {bn} / {en} ")
    } else {
        format!(" ✘ {bn} / {en} ")
    };
    if let Some(c) = &v.certificate {
        let r = &c.record;
        let _ = write!(
            s,
            "· {} · ক্রমিক {} ",
            r.cert_type().name_bn,
            bangla_digits(&c.serial.to_string())
        );
        if let Some((f, val)) = r.fields().next() {
            let _ = write!(s, "· {}: {} ", f.label_bn, val.display_bn());
        }
    } else {
        let _ = write!(s, "· {} ", v.reason_bn);
    }
    if v.development {
        s.push_str("· ⚠ উন্নয়ন-চাবি / development keys ");
    }
    if v.host_official == Some(false) {
        s.push_str("· ⚠ ভুয়া ঠিকানা / look-alike link ");
    }
    if colour {
        let code = if valid { "1;97;42" } else { "1;97;41" };
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s
    }
}
