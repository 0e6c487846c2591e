//! How a verdict is shown: a clerk's lines, Bangla first, or one JSON object.

use std::fmt::Write as _;

use serde_json::{json, Value as Json};
use sonod_judge::{Unchecked, Verdict, VerdictKind};
use sonod_seal::bangla_date;

use crate::messages::{both, both_with, pair};

/// How a verdict reads at a glance: the mark before its headline, its colour on a kiosk, and
/// the bells rung for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Checked in full and the link is official (or there is none): ✔, green, one bell.
    Valid,
    /// Not a plain yes: the signature holds but issuance or revocation was not checked
    /// (`unconfirmed`, `?`), or a valid certificate whose QR links to an unknown site (`⚠`).
    /// Amber, two bells: a clerk must not read it as green.
    Caution,
    /// Anything else: ✘, red, three bells.
    Invalid,
}

impl Tone {
    /// The tone of `v`.
    pub fn of(v: &Verdict) -> Tone {
        match v.kind {
            VerdictKind::Valid if !v.look_alike_host() => Tone::Valid,
            VerdictKind::Valid | VerdictKind::Unconfirmed => Tone::Caution,
            _ => Tone::Invalid,
        }
    }

    /// The mark before the headline.
    pub fn mark(self, v: &Verdict) -> &'static str {
        match self {
            Tone::Valid => "✔",
            Tone::Caution if v.kind == VerdictKind::Unconfirmed => "?",
            Tone::Caution => "⚠",
            Tone::Invalid => "✘",
        }
    }

    /// Terminal bells: one, two or three.
    pub fn bells(self) -> &'static str {
        match self {
            Tone::Valid => "\x07",
            Tone::Caution => "\x07\x07",
            Tone::Invalid => "\x07\x07\x07",
        }
    }

    /// ANSI colours for a kiosk line: white on green, black on amber, white on red.
    fn ansi(self) -> &'static str {
        match self {
            Tone::Valid => "1;97;42",
            Tone::Caution => "1;30;43",
            Tone::Invalid => "1;97;41",
        }
    }
}

/// The verdict for `input` as lines for a person.
pub fn human_report(input: &str, v: &Verdict) -> String {
    let (bn, en) = v.headline();
    let mark = Tone::of(v).mark(v);
    let mut s = String::new();
    let _ = writeln!(s, "{input}: {mark} {bn} / {en}");
    let _ = writeln!(
        s,
        "  {}: {} / {}",
        both("reason-label"),
        v.reason_bn,
        v.reason_en
    );
    if v.development {
        let _ = writeln!(s, "  ⚠ {}", both("development"));
    }
    if v.host_official == Some(false) {
        let host = v.host.as_deref().unwrap_or_default();
        let _ = writeln!(
            s,
            "  ⚠ {}",
            both_with("look-alike-host", &[("host", host, host)])
        );
    }
    // The office is a fact only where the signature holds with its key; otherwise it is only
    // the office of the key the code names, and said to be not verified.
    if let Some(o) = &v.office {
        let label = if signature_held(v) {
            "office-label"
        } else {
            "office-unverified-label"
        };
        let _ = writeln!(
            s,
            "  {}: {} / {} ({})",
            both(label),
            o.name_bn,
            o.name_en,
            o.code
        );
    }
    if let Some(c) = &v.certificate {
        let r = &c.record;
        let t = r.cert_type();
        let number = c.number();
        let _ = writeln!(
            s,
            "  {}: {} / {} · {} {} ({})",
            both("certificate-label"),
            t.name_bn,
            t.name_en,
            both("number-label"),
            number.bn(),
            number.en()
        );
        let _ = write!(
            s,
            "  {}: {} ({})",
            both("issued-label"),
            bangla_date(r.issued()),
            r.issued()
        );
        if let Some(e) = r.expires() {
            let _ = write!(s, " · {}: {} ({e})", both("expires-label"), bangla_date(e));
        }
        s.push('\n');
        for (f, val) in r.fields_in_schema_order() {
            let (vbn, ven) = (val.display_bn(), val.display_en());
            if vbn == ven {
                let _ = writeln!(s, "  {} / {}: {vbn}", f.label_bn, f.label_en);
            } else {
                let _ = writeln!(s, "  {} / {}: {vbn} ({ven})", f.label_bn, f.label_en);
            }
        }
    }
    if let Some(d) = &v.detail {
        let _ = writeln!(s, "  {}: {} / {}", both("detail-label"), d.bn, d.en);
    }
    s
}

/// Whether the signature held with the key of the verdict's office (so that office is a fact):
/// the facts are shown, or the verdict came after the signature check.
fn signature_held(v: &Verdict) -> bool {
    v.certificate.is_some()
        || matches!(v.kind, VerdictKind::NotIssued | VerdictKind::KeyCompromised)
}

/// What an unconfirmed verdict did not check, short enough for a kiosk line.
fn unchecked_hint(u: Unchecked) -> &'static str {
    both(match u {
        Unchecked::NotYetPublished { .. } => "hint-not-yet-published",
        Unchecked::Stale { .. } => "hint-stale",
        _ => "hint-unchecked",
    })
}

/// The verdict for `input` as one JSON object.
pub fn json_report(input: &str, v: &Verdict) -> Json {
    let mut j = v.to_json();
    j["input"] = json!(input);
    j
}

/// The verdict as one big line for a kiosk screen: the state first, then what to compare with
/// the paper (type, certificate number, the first signed field). With `colour` (ANSI), white on green for
/// valid, black on amber for [`Tone::Caution`] and white on red for anything else.
pub fn kiosk_line(v: &Verdict, colour: bool) -> String {
    let (bn, en) = v.headline();
    let tone = Tone::of(v);
    let mut s = format!(" {} {bn} / {en} ", tone.mark(v));
    if let Some(c) = &v.certificate {
        let r = &c.record;
        let _ = write!(
            s,
            "· {} · {} {} ",
            r.cert_type().name_bn,
            pair("number-label").0,
            c.number().bn()
        );
        if let Some((f, val)) = r.fields_in_schema_order().next() {
            let _ = write!(s, "· {}: {} ", f.label_bn, val.display_bn());
        }
    } else {
        let _ = write!(s, "· {} ", v.reason_bn);
    }
    if v.development {
        let _ = write!(s, "· ⚠ {} ", both("kiosk-development"));
    }
    if let Some(u) = v.unchecked {
        let _ = write!(s, "· ⚠ {} ", unchecked_hint(u));
    }
    if v.host_official == Some(false) {
        let _ = write!(s, "· ⚠ {} ", both("kiosk-look-alike"));
    }
    if colour {
        format!("\x1b[{}m{s}\x1b[0m", tone.ansi())
    } else {
        s
    }
}
