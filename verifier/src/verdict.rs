//! Verdicts: one per payload, the first that applies, with a reason a clerk understands.

use serde::Serialize;
use serde_json::{json, Value as Json};
use sonod_keys::KeyId;
use sonod_seal::{bangla_date, bangla_digits, Certificate};

/// The verdict kinds, in the order they are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum VerdictKind {
    /// Not a readable Sonod certificate.
    Malformed,
    /// A format version or algorithm this reader does not support.
    UnsupportedVersion,
    /// The key is not in the trust list, or not for that office or date.
    UntrustedIssuer,
    /// The signature does not verify: the content was changed or forged.
    BadSignature,
    /// Signed with a key the national authority marked compromised.
    KeyCompromised,
    /// Signed with a trusted key, but the office never issued it (online only).
    NotIssued,
    /// The office revoked it.
    Revoked,
    /// Past its expiry date.
    Expired,
    /// Its issue date is in the future.
    NotYetValid,
    /// Genuine, unrevoked, in date.
    Valid,
}

impl VerdictKind {
    /// The snake_case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            VerdictKind::Malformed => "malformed",
            VerdictKind::UnsupportedVersion => "unsupported_version",
            VerdictKind::UntrustedIssuer => "untrusted_issuer",
            VerdictKind::BadSignature => "bad_signature",
            VerdictKind::KeyCompromised => "key_compromised",
            VerdictKind::NotIssued => "not_issued",
            VerdictKind::Revoked => "revoked",
            VerdictKind::Expired => "expired",
            VerdictKind::NotYetValid => "not_yet_valid",
            VerdictKind::Valid => "valid",
        }
    }

    /// A short headline, Bangla then English.
    pub fn headline(self) -> (&'static str, &'static str) {
        match self {
            VerdictKind::Malformed => ("পড়া যায়নি", "Unreadable"),
            VerdictKind::UnsupportedVersion => ("অসমর্থিত সংস্করণ", "Unsupported version"),
            VerdictKind::UntrustedIssuer => ("অবিশ্বস্ত প্রদানকারী", "Untrusted issuer"),
            VerdictKind::BadSignature => ("জাল — স্বাক্ষর মেলেনি", "Forged — bad signature"),
            VerdictKind::KeyCompromised => ("চাবি বেহাত — অবৈধ", "Key compromised — invalid"),
            VerdictKind::NotIssued => ("জাল — কখনো প্রদান করা হয়নি", "Forged — never issued"),
            VerdictKind::Revoked => ("বাতিল", "Revoked"),
            VerdictKind::Expired => ("মেয়াদোত্তীর্ণ", "Expired"),
            VerdictKind::NotYetValid => ("এখনো কার্যকর নয়", "Not yet valid"),
            VerdictKind::Valid => ("সঠিক ও বৈধ", "Genuine and valid"),
        }
    }
}

/// The office a verdict names, from the trust list (never from the payload alone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Office {
    /// Office code.
    pub code: String,
    /// Name in Bangla.
    pub name_bn: String,
    /// Name in English.
    pub name_en: String,
}

/// The answer for one payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// What was decided.
    pub kind: VerdictKind,
    /// Why, in Bangla.
    pub reason_bn: String,
    /// Why, in English.
    pub reason_en: String,
    /// The signed facts: present only when the signature holds with a trusted, uncompromised key.
    pub certificate: Option<Certificate>,
    /// The issuing office, when the key is in the trust list.
    pub office: Option<Office>,
    /// The key id from the protected header, when it could be read.
    pub key_id: Option<KeyId>,
    /// The QR URL's host, when the QR text was a URL.
    pub host: Option<String>,
    /// False when the URL's host is not an official verifier host: the classic look-alike
    /// site attack. `None` for bare payloads.
    pub host_official: Option<bool>,
    /// The trust list is a development list: nothing it vouches for is real.
    pub development: bool,
}

impl Verdict {
    pub(crate) fn new(kind: VerdictKind, bn: impl Into<String>, en: impl Into<String>) -> Verdict {
        Verdict {
            kind,
            reason_bn: bn.into(),
            reason_en: en.into(),
            certificate: None,
            office: None,
            key_id: None,
            host: None,
            host_official: None,
            development: false,
        }
    }

    /// True only for [`VerdictKind::Valid`].
    pub fn is_valid(&self) -> bool {
        self.kind == VerdictKind::Valid
    }

    /// The verdict as JSON, the shape of the verification API and `sonod-scan --json`.
    pub fn to_json(&self) -> Json {
        let (head_bn, head_en) = self.kind.headline();
        let mut out = json!({
            "verdict": self.kind.as_str(),
            "valid": self.is_valid(),
            "headline_bn": head_bn,
            "headline_en": head_en,
            "reason_bn": self.reason_bn,
            "reason_en": self.reason_en,
        });
        if let Some(o) = &self.office {
            out["office"] = json!(o);
        }
        if let Some(k) = &self.key_id {
            out["key_id"] = json!(k.to_string());
        }
        if let Some(h) = &self.host {
            out["host"] = json!(h);
            out["host_official"] = json!(self.host_official);
        }
        if self.development {
            out["development"] = json!(true);
        }
        if let Some(c) = &self.certificate {
            out["certificate"] = certificate_json(c);
        }
        out
    }
}

/// The signed facts as JSON, with labels and values in both languages.
pub fn certificate_json(c: &Certificate) -> Json {
    let r = &c.record;
    let t = r.cert_type();
    let fields: Vec<Json> = r
        .fields()
        .map(|(f, v)| {
            json!({
                "key": f.key,
                "label_bn": f.label_bn,
                "label_en": f.label_en,
                "value": v.to_json(),
                "value_bn": v.display_bn(),
                "value_en": v.display_en(),
            })
        })
        .collect();
    let mut out = json!({
        "serial": c.serial,
        "serial_bn": bangla_digits(&c.serial.to_string()),
        "type": t.key,
        "type_bn": t.name_bn,
        "type_en": t.name_en,
        "office": r.office(),
        "issued": r.issued().to_string(),
        "issued_bn": bangla_date(r.issued()),
        "fields": fields,
    });
    if let Some(e) = r.expires() {
        out["expires"] = json!(e.to_string());
        out["expires_bn"] = json!(bangla_date(e));
    }
    out
}
