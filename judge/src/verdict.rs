//! Verdicts: one per payload, the first that applies, with a reason a clerk understands.

use std::borrow::Cow;
use std::sync::{Arc, LazyLock};

use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value as Json;
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
    /// The signature holds with a trusted key and the dates are right, but whether the office
    /// issued it and has not revoked it could not be checked (see [`Unchecked`]). Never
    /// `valid`: an integrator that reads only the verdict must not take it for checked.
    Unconfirmed,
    /// Genuine, issued, unrevoked, in date: everything was checked.
    Valid,
}

/// Why a verdict is [`VerdictKind::Unconfirmed`]: what could not be checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Unchecked {
    /// Nothing is known here of the office's feed: a trust list only, or an office this
    /// party does not follow. Neither issuance nor revocation was checked.
    NoFeed,
    /// The office's feed is followed, but this certificate is not in it yet, and the last
    /// complete look at the feed is not late enough to say it never will be: issued moments
    /// ago, or a forgery made with a stolen key. Revocation was checked as of that look.
    NotYetPublished {
        /// When the feed was last known complete (Unix seconds), if ever.
        complete_as_of: Option<i64>,
    },
    /// The office's feed (or the offline data taken from it) was last read longer ago than the
    /// reader allows: revocations since then are unknown.
    Stale {
        /// When the data was last known complete (Unix seconds).
        as_of: i64,
    },
}

impl Unchecked {
    /// The value named `code` in JSON ([`Unchecked::as_str`]), with its `as_of` time.
    pub fn from_code(code: &str, as_of: Option<i64>) -> Option<Unchecked> {
        match code {
            "no_feed" => Some(Unchecked::NoFeed),
            "not_yet_published" => Some(Unchecked::NotYetPublished {
                complete_as_of: as_of,
            }),
            "stale" => Some(Unchecked::Stale {
                as_of: as_of.unwrap_or(0),
            }),
            _ => None,
        }
    }

    /// The code used in JSON (`"unchecked"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Unchecked::NoFeed => "no_feed",
            Unchecked::NotYetPublished { .. } => "not_yet_published",
            Unchecked::Stale { .. } => "stale",
        }
    }

    /// Whether the office's publication of this certificate was checked.
    pub fn issuance_checked(self) -> bool {
        matches!(self, Unchecked::Stale { .. })
    }

    /// Whether revocation was checked (as of the feed's last complete look).
    pub fn revocation_checked(self) -> bool {
        matches!(self, Unchecked::NotYetPublished { .. })
    }

    /// The reason a person reads, Bangla then English (`locales/*/sonod-judge.ftl`).
    pub fn reason(self) -> (&'static str, &'static str) {
        crate::messages::text(match self {
            Unchecked::NoFeed => crate::messages::Msg::UncheckedNoFeed,
            Unchecked::NotYetPublished { .. } => crate::messages::Msg::UncheckedNotYetPublished,
            Unchecked::Stale { .. } => crate::messages::Msg::UncheckedStale,
        })
    }
}

/// Which reason a verdict gives: `reason_code` in its JSON, for integrators (the words a
/// person reads are `reason_bn` and `reason_en`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// Not a Sonod QR code at all.
    NotSonod,
    /// Sonod's form, but damaged or altered so that it does not open.
    Damaged,
    /// A format version or algorithm this reader does not support.
    UnsupportedVersion,
    /// The key id is not in the trust list.
    UnknownKey,
    /// The key is in the trust list, but for another office than the code names.
    WrongOffice,
    /// The key may not sign on the issue date the code gives.
    KeyNotValidThen,
    /// The signature does not verify.
    BadSignature,
    /// The key is marked compromised.
    KeyCompromised,
    /// The office's feed shows it never issued this certificate.
    NotIssued,
    /// The office revoked it.
    Revoked,
    /// Past its expiry date.
    Expired,
    /// Its issue date is in the future.
    NotYetValid,
    /// The signature holds but something was not checked (the JSON's `unchecked` says what).
    Unchecked,
    /// Everything was checked.
    Valid,
    /// Everything was checked and the certificate is genuine: its office published it before
    /// the key that signed it was stolen (the trust list's pin). The key is compromised, so
    /// the holder should collect the re-sealed copy.
    ValidBeforeCompromise,
}

impl Reason {
    /// Every reason.
    pub const ALL: [Reason; 15] = [
        Reason::NotSonod,
        Reason::Damaged,
        Reason::UnsupportedVersion,
        Reason::UnknownKey,
        Reason::WrongOffice,
        Reason::KeyNotValidThen,
        Reason::BadSignature,
        Reason::KeyCompromised,
        Reason::NotIssued,
        Reason::Revoked,
        Reason::Expired,
        Reason::NotYetValid,
        Reason::Unchecked,
        Reason::Valid,
        Reason::ValidBeforeCompromise,
    ];

    /// The code in JSON (`reason_code`).
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::NotSonod => "not_sonod",
            Reason::Damaged => "damaged",
            Reason::UnsupportedVersion => "unsupported_version",
            Reason::UnknownKey => "unknown_key",
            Reason::WrongOffice => "wrong_office",
            Reason::KeyNotValidThen => "key_not_valid_then",
            Reason::BadSignature => "bad_signature",
            Reason::KeyCompromised => "key_compromised",
            Reason::NotIssued => "not_issued",
            Reason::Revoked => "revoked",
            Reason::Expired => "expired",
            Reason::NotYetValid => "not_yet_valid",
            Reason::Unchecked => "unchecked",
            Reason::Valid => "valid",
            Reason::ValidBeforeCompromise => "valid_before_compromise",
        }
    }

    /// The reason named `code` in JSON ([`Reason::as_str`]).
    pub fn from_code(code: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == code)
    }

    /// The reason a verdict of `kind` gives when nothing more is known (a verifier's answer
    /// without a `reason_code`): the first of its kind.
    pub fn of_kind(kind: VerdictKind) -> Reason {
        match kind {
            VerdictKind::Malformed => Reason::Damaged,
            VerdictKind::UnsupportedVersion => Reason::UnsupportedVersion,
            VerdictKind::UntrustedIssuer => Reason::UnknownKey,
            VerdictKind::BadSignature => Reason::BadSignature,
            VerdictKind::KeyCompromised => Reason::KeyCompromised,
            VerdictKind::NotIssued => Reason::NotIssued,
            VerdictKind::Revoked => Reason::Revoked,
            VerdictKind::Expired => Reason::Expired,
            VerdictKind::NotYetValid => Reason::NotYetValid,
            VerdictKind::Unconfirmed => Reason::Unchecked,
            VerdictKind::Valid => Reason::Valid,
        }
    }
}

/// Technical detail of a verdict, for the people who run verifiers: shown apart from the
/// reason (a page's "technical detail" part; `detail_bn`/`detail_en` in JSON), never in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    /// In Bangla (technical names such as a key id as they are).
    pub bn: String,
    /// In English.
    pub en: String,
}

impl VerdictKind {
    /// Every kind, in check order.
    pub const ALL: [VerdictKind; 11] = [
        VerdictKind::Malformed,
        VerdictKind::UnsupportedVersion,
        VerdictKind::UntrustedIssuer,
        VerdictKind::BadSignature,
        VerdictKind::KeyCompromised,
        VerdictKind::NotIssued,
        VerdictKind::Revoked,
        VerdictKind::Expired,
        VerdictKind::NotYetValid,
        VerdictKind::Unconfirmed,
        VerdictKind::Valid,
    ];

    /// The kind named `name` in JSON ([`VerdictKind::as_str`]).
    pub fn from_name(name: &str) -> Option<VerdictKind> {
        VerdictKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

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
            VerdictKind::Unconfirmed => "unconfirmed",
            VerdictKind::Valid => "valid",
        }
    }

    /// A short headline, Bangla then English (`locales/*/sonod-judge.ftl`).
    pub fn headline(self) -> (&'static str, &'static str) {
        crate::messages::text(match self {
            VerdictKind::Malformed => crate::messages::Msg::HeadlineMalformed,
            VerdictKind::UnsupportedVersion => crate::messages::Msg::HeadlineUnsupportedVersion,
            VerdictKind::UntrustedIssuer => crate::messages::Msg::HeadlineUntrustedIssuer,
            VerdictKind::BadSignature => crate::messages::Msg::HeadlineBadSignature,
            VerdictKind::KeyCompromised => crate::messages::Msg::HeadlineKeyCompromised,
            VerdictKind::NotIssued => crate::messages::Msg::HeadlineNotIssued,
            VerdictKind::Revoked => crate::messages::Msg::HeadlineRevoked,
            VerdictKind::Expired => crate::messages::Msg::HeadlineExpired,
            VerdictKind::NotYetValid => crate::messages::Msg::HeadlineNotYetValid,
            VerdictKind::Unconfirmed => crate::messages::Msg::HeadlineUnconfirmed,
            VerdictKind::Valid => crate::messages::Msg::HeadlineValid,
        })
    }
}

/// The office a verdict names, from the trust list (never from the payload alone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Office {
    /// Office code.
    pub code: sonod_keys::OfficeCode,
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
    /// Which reason: [`Reason`] (`reason_code` in JSON).
    pub reason: Reason,
    /// Why, in Bangla.
    pub reason_bn: Cow<'static, str>,
    /// Why, in English.
    pub reason_en: Cow<'static, str>,
    /// The signed facts: present only when the signature holds with a trusted, uncompromised key.
    pub certificate: Option<Arc<Certificate>>,
    /// The issuing office, when the key is in the trust list.
    pub office: Option<Arc<Office>>,
    /// The key id from the protected header, when it could be read.
    pub key_id: Option<KeyId>,
    /// The QR URL's host, when the QR text was a URL.
    pub host: Option<String>,
    /// False when the URL's host is not an official verifier host: the classic look-alike
    /// site attack. `None` for bare payloads.
    pub host_official: Option<bool>,
    /// The trust list is a development list: nothing it vouches for is real.
    pub development: bool,
    /// What could not be checked: set exactly when the kind is [`VerdictKind::Unconfirmed`].
    pub unchecked: Option<Unchecked>,
    /// Technical detail, shown apart from the reason ([`Detail`]).
    pub detail: Option<Detail>,
}

/// The headline of a verdict whose QR link points to a host the trust list does not name: the
/// certificate itself checked out, but the code on the paper was made to send phone cameras to
/// another site, so no one may read it as plain green. Its words: `headline-look-alike` in
/// `locales/*/sonod-judge.ftl`.
pub static LOOK_ALIKE_HEADLINE: LazyLock<(&'static str, &'static str)> =
    LazyLock::new(|| crate::messages::text(crate::messages::Msg::HeadlineLookAlike));

impl Verdict {
    pub(crate) fn new(
        kind: VerdictKind,
        reason: Reason,
        bn: impl Into<Cow<'static, str>>,
        en: impl Into<Cow<'static, str>>,
    ) -> Verdict {
        Verdict {
            kind,
            reason,
            reason_bn: bn.into(),
            reason_en: en.into(),
            certificate: None,
            office: None,
            key_id: None,
            host: None,
            host_official: None,
            development: false,
            unchecked: None,
            detail: None,
        }
    }

    /// The headline, Bangla then English: the kind's, except that a verdict whose QR link
    /// names a host the trust list does not know never gets a plain one
    /// ([`LOOK_ALIKE_HEADLINE`] instead of "Genuine and valid").
    pub fn headline(&self) -> (&'static str, &'static str) {
        if self.host_official == Some(false) && self.kind == VerdictKind::Valid {
            return *LOOK_ALIKE_HEADLINE;
        }
        if self.kind == VerdictKind::Valid && self.reason == Reason::ValidBeforeCompromise {
            return crate::messages::text(crate::messages::Msg::HeadlineValidBeforeCompromise);
        }
        self.kind.headline()
    }

    /// True when the QR link names a host the trust list does not know.
    pub fn look_alike_host(&self) -> bool {
        self.host_official == Some(false)
    }

    /// Turns a `valid` verdict into [`VerdictKind::Unconfirmed`] for `why` (a reader that
    /// knows more than the judge did, such as a scanner whose snapshot is too old). Any other
    /// verdict is left as it is: a definite answer stays definite.
    pub fn unconfirm(&mut self, why: Unchecked) {
        if self.kind == VerdictKind::Valid {
            let (bn, en) = why.reason();
            self.kind = VerdictKind::Unconfirmed;
            self.reason = Reason::Unchecked;
            self.reason_bn = bn.into();
            self.reason_en = en.into();
            self.unchecked = Some(why);
        }
    }

    /// True only for [`VerdictKind::Valid`].
    pub fn is_valid(&self) -> bool {
        self.kind == VerdictKind::Valid
    }

    /// The verdict as JSON, the shape of the verification API and `sonod-scan --json`.
    pub fn to_json(&self) -> Json {
        serde_json::to_value(self.json()).unwrap_or(Json::Null)
    }

    /// The same JSON as [`Verdict::to_json`], as a borrowing [`Serialize`] value: a service
    /// writes it straight into its answer (with fields of its own beside it, by
    /// `#[serde(flatten)]`) without building a tree of JSON values first.
    pub fn json(&self) -> VerdictJson<'_> {
        self.json_with_facts(None)
    }

    /// [`Verdict::json`], with the signed facts taken as already written (`facts`, from
    /// [`crate::Reading::certificate_json`] of the reading this verdict was made from) when the
    /// verdict shows them, instead of writing them again.
    pub fn json_with_facts<'a>(&'a self, facts: Option<&'a RawValue>) -> VerdictJson<'a> {
        let (headline_bn, headline_en) = self.headline();
        VerdictJson {
            verdict: self.kind.as_str(),
            valid: self.is_valid(),
            unchecked: self.unchecked.map(|u| UncheckedJson {
                code: u.as_str(),
                issuance_checked: u.issuance_checked(),
                revocation_checked: u.revocation_checked(),
                as_of: match u {
                    Unchecked::NoFeed => None,
                    Unchecked::NotYetPublished { complete_as_of } => complete_as_of,
                    Unchecked::Stale { as_of } => Some(as_of),
                },
            }),
            headline_bn,
            headline_en,
            reason_code: self.reason.as_str(),
            notice: (self.kind == VerdictKind::Valid
                && self.reason == Reason::ValidBeforeCompromise)
                .then_some("collect_resealed_copy"),
            reason_bn: &self.reason_bn,
            reason_en: &self.reason_en,
            detail_bn: self.detail.as_ref().map(|d| d.bn.as_str()),
            detail_en: self.detail.as_ref().map(|d| d.en.as_str()),
            office: self.office.as_deref(),
            key_id: self.key_id.as_ref().map(ToString::to_string),
            host: self.host.as_deref().map(|h| (h, self.host_official)),
            development: self.development.then_some(true),
            certificate: self.certificate.as_ref().map(|c| match facts {
                Some(raw) => Facts::Written(raw),
                None => Facts::Fresh(CertificateJson(c)),
            }),
        }
    }
}

/// The signed facts in a verdict's JSON: written now, or as written before.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Facts<'a> {
    Fresh(CertificateJson<'a>),
    Written(&'a RawValue),
}

/// A [`Verdict`] as JSON: see [`Verdict::json`].
#[derive(Debug, Serialize)]
pub struct VerdictJson<'a> {
    verdict: &'static str,
    valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    unchecked: Option<UncheckedJson>,
    headline_bn: &'static str,
    headline_en: &'static str,
    reason_code: &'static str,
    /// What the holder should do besides: `collect_resealed_copy` for a genuine certificate
    /// whose key was stolen later.
    #[serde(skip_serializing_if = "Option::is_none")]
    notice: Option<&'static str>,
    reason_bn: &'a str,
    reason_en: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail_bn: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail_en: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    office: Option<&'a Office>,
    #[serde(skip_serializing_if = "Option::is_none")]
    key_id: Option<String>,
    #[serde(flatten, serialize_with = "host_fields")]
    host: Option<(&'a str, Option<bool>)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    development: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    certificate: Option<Facts<'a>>,
}

/// What an `unconfirmed` verdict could not check, in its JSON.
#[derive(Debug, Serialize)]
struct UncheckedJson {
    /// [`Unchecked::as_str`].
    code: &'static str,
    issuance_checked: bool,
    revocation_checked: bool,
    /// When the feed or snapshot was last known complete (Unix seconds), if ever.
    #[serde(skip_serializing_if = "Option::is_none")]
    as_of: Option<i64>,
}

/// `"host"` and `"host_official"` when the payload was a URL, nothing otherwise.
fn host_fields<S: serde::Serializer>(
    host: &Option<(&str, Option<bool>)>,
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(None)?;
    if let Some((h, official)) = host {
        m.serialize_entry("host", h)?;
        m.serialize_entry("host_official", official)?;
    }
    m.end()
}

/// The signed facts as JSON: see [`certificate_json`].
#[derive(Debug, Clone, Copy)]
pub struct CertificateJson<'a>(pub(crate) &'a Certificate);

impl Serialize for CertificateJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let c = self.0;
        let r = &c.record;
        let t = r.cert_type();
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("serial", &c.serial)?;
        m.serialize_entry("serial_bn", &bangla_digits(&c.serial.to_string()))?;
        let number = c.number();
        m.serialize_entry("number", &number.en())?;
        m.serialize_entry("number_bn", &number.bn())?;
        m.serialize_entry("type", t.key)?;
        m.serialize_entry("type_bn", t.name_bn)?;
        m.serialize_entry("type_en", t.name_en)?;
        m.serialize_entry("office", r.office())?;
        m.serialize_entry("issued", &r.issued().to_string())?;
        m.serialize_entry("issued_bn", &bangla_date(r.issued()))?;
        if let Some(e) = r.expires() {
            m.serialize_entry("expires", &e.to_string())?;
            m.serialize_entry("expires_bn", &bangla_date(e))?;
        }
        if let Some(s) = c.sealed {
            m.serialize_entry("sealed", &s.to_string())?;
            m.serialize_entry("sealed_bn", &bangla_date(s))?;
        }
        m.serialize_entry("fields", &FieldsJson(c))?;
        m.end()
    }
}

struct FieldsJson<'a>(&'a Certificate);

#[derive(Serialize)]
struct FieldJson<'a> {
    key: &'static str,
    label_bn: &'static str,
    label_en: &'static str,
    value: &'a sonod_seal::Value,
    value_bn: Cow<'a, str>,
    value_en: Cow<'a, str>,
}

impl Serialize for FieldsJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(
            self.0
                .record
                .fields_in_schema_order()
                .map(|(f, v)| FieldJson {
                    key: f.key,
                    label_bn: f.label_bn,
                    label_en: f.label_en,
                    value: v,
                    value_bn: v.display_bn(),
                    value_en: v.display_en(),
                }),
        )
    }
}

/// The signed facts as JSON, with labels and values in both languages.
pub fn certificate_json(c: &Certificate) -> Json {
    serde_json::to_value(CertificateJson(c)).unwrap_or(Json::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The shape `to_json` had when it built the tree by hand; the serializer must match it.
    fn reference(v: &Verdict) -> Json {
        let (head_bn, head_en) = if v.host_official == Some(false) && v.is_valid() {
            *LOOK_ALIKE_HEADLINE
        } else {
            v.kind.headline()
        };
        let mut out = json!({
            "verdict": v.kind.as_str(), "valid": v.is_valid(),
            "headline_bn": head_bn, "headline_en": head_en,
            "reason_code": v.reason.as_str(),
            "reason_bn": v.reason_bn, "reason_en": v.reason_en,
        });
        if let Some(d) = &v.detail {
            out["detail_bn"] = json!(d.bn);
            out["detail_en"] = json!(d.en);
        }
        if let Some(u) = v.unchecked {
            out["unchecked"] = json!({"code": u.as_str(),
                "issuance_checked": u.issuance_checked(),
                "revocation_checked": u.revocation_checked()});
            if let Unchecked::NotYetPublished {
                complete_as_of: Some(t),
            }
            | Unchecked::Stale { as_of: t } = u
            {
                out["unchecked"]["as_of"] = json!(t);
            }
        }
        if let Some(o) = &v.office {
            out["office"] = json!(**o);
        }
        if let Some(k) = &v.key_id {
            out["key_id"] = json!(k.to_string());
        }
        if let Some(h) = &v.host {
            out["host"] = json!(h);
            out["host_official"] = json!(v.host_official);
        }
        if v.development {
            out["development"] = json!(true);
        }
        if let Some(c) = &v.certificate {
            let r = &c.record;
            let t = r.cert_type();
            let fields: Vec<Json> = r
                .fields_in_schema_order()
                .map(|(f, val)| json!({"key": f.key, "label_bn": f.label_bn, "label_en": f.label_en,
                    "value": val.to_json(), "value_bn": val.display_bn(), "value_en": val.display_en()}))
                .collect();
            let mut cj = json!({"serial": c.serial, "serial_bn": bangla_digits(&c.serial.to_string()),
                "number": format!("{}-{}", r.office(), c.serial),
                "number_bn": bangla_digits(&format!("{}-{}", r.office(), c.serial)),
                "type": t.key, "type_bn": t.name_bn, "type_en": t.name_en, "office": r.office(),
                "issued": r.issued().to_string(), "issued_bn": bangla_date(r.issued()), "fields": fields});
            if let Some(e) = r.expires() {
                cj["expires"] = json!(e.to_string());
                cj["expires_bn"] = json!(bangla_date(e));
            }
            out["certificate"] = cj;
        }
        out
    }

    #[test]
    fn json_has_the_documented_shape() {
        let record = sonod_seal::Record::from_json_str(
            r#"{"type": "warish", "office": "100524", "issued": "2026-11-28", "expires": "2027-01-01",
                "fields": {"deceased": "আব্দুর রহমান", "death_date": "2026-01-02",
                "heirs": [{"name": "করিম", "relation": "পুত্র", "age": 40}, {"name": "Rokeya", "relation": "কন্যা"}], "ward": 5}}"#,
        )
        .unwrap();
        let mut v = Verdict::new(VerdictKind::Valid, Reason::Valid, "ঠিক", "fine");
        assert_eq!(v.to_json(), reference(&v));
        v.certificate = Some(Arc::new(Certificate::new(77, &record)));
        v.office = Some(Arc::new(Office {
            code: sonod_keys::OfficeCode::parse("100524").unwrap(),
            name_bn: "সাভার".into(),
            name_en: "Savar".into(),
        }));
        v.host = Some("X.BD".into());
        v.host_official = Some(false);
        v.development = true;
        assert_eq!(v.to_json(), reference(&v));
        // The number as the paper prints it, beside the serial.
        assert_eq!(v.to_json()["certificate"]["number"], "100524-77");
        assert_eq!(v.to_json()["certificate"]["number_bn"], "১০০৫২৪-৭৭");
        assert_eq!(v.to_json()["certificate"]["fields"][0]["key"], "deceased");
        v.detail = Some(Detail {
            bn: "বিবরণ".into(),
            en: "detail".into(),
        });
        assert_eq!(v.to_json(), reference(&v));
        assert_eq!(v.to_json()["detail_en"], "detail");
        v.detail = None;
        let j = v.to_json();
        let heirs = j["certificate"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["key"] == "heirs")
            .unwrap();
        assert_eq!(
            heirs["value"][0],
            json!({"name": "করিম", "relation": "পুত্র", "age": 40})
        );
        v.host_official = None;
        assert_eq!(v.to_json(), reference(&v));
        // A look-alike link never gets the plain green headline.
        v.host_official = Some(false);
        assert_eq!(v.to_json()["headline_en"], LOOK_ALIKE_HEADLINE.1);
        // Unconfirmed: not valid, and says what was not checked.
        for why in [
            Unchecked::NoFeed,
            Unchecked::NotYetPublished {
                complete_as_of: Some(1_795_000_000),
            },
            Unchecked::Stale {
                as_of: 1_795_000_000,
            },
        ] {
            let mut u = v.clone();
            u.host_official = None;
            u.unconfirm(why);
            assert_eq!(u.kind, VerdictKind::Unconfirmed);
            let j = u.to_json();
            assert_eq!(j, reference(&u));
            assert_eq!(j["valid"], false);
            assert_eq!(j["verdict"], "unconfirmed");
            assert_eq!(j["unchecked"]["code"], why.as_str());
            assert_eq!(j["reason_code"], "unchecked");
            assert_eq!(
                Unchecked::from_code(why.as_str(), j["unchecked"]["as_of"].as_i64()),
                Some(why)
            );
        }
        // A definite refusal is never softened.
        let mut r = Verdict::new(VerdictKind::Revoked, Reason::Revoked, "বাতিল", "revoked");
        r.unconfirm(Unchecked::NoFeed);
        assert_eq!(r.kind, VerdictKind::Revoked);
        assert_eq!(
            VerdictKind::from_name("unconfirmed"),
            Some(VerdictKind::Unconfirmed)
        );
        for r in Reason::ALL {
            assert_eq!(Reason::from_code(r.as_str()), Some(r));
        }
    }

    /// The facts as a reading keeps them written are the facts as the verdict writes them.
    #[test]
    fn facts_written_once_are_the_same() {
        let record = sonod_seal::Record::from_json_str(
            r#"{"type": "warish", "office": "100524", "issued": "2026-11-28",
                "fields": {"deceased": "আব্দুর রহমান", "death_date": "2026-01-02",
                "heirs": [{"name": "করিম \"বাবু\"", "relation": "পুত্র", "age": 40}], "ward": 5}}"#,
        )
        .unwrap();
        let key = sonod_keys::SecretKey::generate();
        let sealed = sonod_seal::Sealed::seal(&Certificate::new(9, &record), &key).unwrap();
        let reading = crate::Reading::new(sealed.as_bytes());
        let mut v = Verdict::new(VerdictKind::Valid, Reason::Valid, "ঠিক", "fine");
        let facts = reading.certificate_json();
        assert!(facts.is_some());
        // No facts in a verdict without them, whatever is passed.
        assert_eq!(
            serde_json::to_value(v.json_with_facts(facts)).unwrap(),
            v.to_json()
        );
        v.certificate = Some(reading.opened().unwrap().unverified_shared());
        let fresh = serde_json::to_string(&v.json()).unwrap();
        let kept = serde_json::to_string(&v.json_with_facts(facts)).unwrap();
        assert_eq!(fresh, kept);
        assert!(kept.contains(r#"করিম \"বাবু\""#), "{kept}");
        // Bytes that do not open have no facts.
        assert!(crate::Reading::new(b"junk").certificate_json().is_none());
    }
}
