//! Certificate records: parsed from JSON once, valid from then on.
//!
//! A [`Record`] that exists has passed its type's schema: the type is known, every field is
//! one the type accepts and holds a valid value, required fields are there, texts are NFC
//! with their white space folded. The same record always seals to the same bytes.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{json, Map, Value as Json};
use time::{Date, Month};

use crate::cert_type::{cert_type_by_key, field_by_key, CertType, Field, FieldKind, FIELDS};
use crate::identity::{bangla_digits, latin_digits, Brn, IdentityError, Mobile, Nid};
use crate::text;
use sonod_keys::OfficeCode;

/// Longest text field, in characters.
pub const MAX_TEXT_CHARS: usize = 200;
/// Most entries in a list field (heirs, members, owners).
pub const MAX_LIST_ITEMS: usize = 40;
/// Largest record accepted as JSON, in bytes.
pub const MAX_RECORD_JSON: usize = 64 * 1024;

/// Why a record was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// Not JSON, or not the record's shape.
    #[error("{}", crate::l10n::both("record-json", &[("n0", &format!("{}", .0))]))]
    Json(String),
    /// Larger than [`MAX_RECORD_JSON`].
    #[error("{}", crate::l10n::both("record-too-large", &[("max_record_json", &format!("{}", MAX_RECORD_JSON))]))]
    TooLarge,
    /// A certificate type that does not exist.
    #[error("{}", crate::l10n::both("record-unknown-type", &[("n0_dbg", &format!("{:?}", .0))]))]
    UnknownType(String),
    /// The office code is not 2 to 12 digits with a non-zero first digit.
    #[error("{}", crate::l10n::both("record-office", &[("n0_dbg", &format!("{:?}", .0))]))]
    Office(String),
    /// A date that is not `YYYY-MM-DD` or out of range.
    #[error("{}", crate::l10n::both("record-date", &[("field", &format!("{}", .field)), ("value_dbg", &format!("{:?}", .value))]))]
    Date {
        /// Which field.
        field: String,
        /// What was given.
        value: String,
    },
    /// The expiry is before the issue date.
    #[error("{}", crate::l10n::both("record-expiry-before-issue", &[]))]
    ExpiryBeforeIssue,
    /// The type needs an expiry date and none was given.
    #[error("{}", crate::l10n::both("record-expiry-required", &[]))]
    ExpiryRequired,
    /// A field name that no certificate type has.
    #[error("{}", crate::l10n::both("record-unknown-field", &[("n0_dbg", &format!("{:?}", .0))]))]
    UnknownField(String),
    /// A field that exists but that this type does not carry.
    #[error("{}", crate::l10n::both("record-field-not-for-type", &[("cert_type", &format!("{}", .cert_type)), ("field_dbg", &format!("{:?}", .field))]))]
    FieldNotForType {
        /// The type.
        cert_type: &'static str,
        /// The field.
        field: String,
    },
    /// A required field is missing.
    #[error("{}", crate::l10n::both("record-missing-field", &[("n0", &format!("{}", .0))]))]
    MissingField(&'static str),
    /// Neither an NID nor a birth registration number.
    #[error("{}", crate::l10n::both("record-identity-required", &[]))]
    IdentityRequired,
    /// A field's value is not valid.
    #[error("{}", crate::l10n::both("record-invalid", &[("field", &format!("{}", .field)), ("reason", &format!("{}", .reason))]))]
    Invalid {
        /// The field.
        field: &'static str,
        /// Why.
        reason: String,
    },
}

/// A person in a list: an heir or a family member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Name, NFC.
    pub name: String,
    /// Relation to the deceased or the head of family, e.g. "পুত্র".
    pub relation: String,
    /// Age in years, when known.
    pub age: Option<u8>,
}

/// A field's value, by kind.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Value {
    /// [`FieldKind::Text`].
    Text(String),
    /// [`FieldKind::Nid`].
    Nid(Nid),
    /// [`FieldKind::Brn`].
    Brn(Brn),
    /// [`FieldKind::Mobile`].
    Mobile(Mobile),
    /// [`FieldKind::Uint`].
    Uint(u64),
    /// [`FieldKind::Date`].
    Date(Date),
    /// [`FieldKind::Persons`].
    Persons(Vec<Person>),
    /// [`FieldKind::TextList`].
    TextList(Vec<String>),
    /// [`FieldKind::FiscalYear`]: the year it starts (July).
    FiscalYear(u16),
}

/// A certificate's content, valid by construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub(crate) cert_type: &'static CertType,
    pub(crate) office: OfficeCode,
    pub(crate) issued: Date,
    pub(crate) expires: Option<Date>,
    /// By field id, so iteration is in CBOR key order.
    pub(crate) fields: BTreeMap<u8, Value>,
}

/// The record's top-level keys; anything else is refused.
const RECORD_KEYS: [&str; 5] = ["type", "office", "issued", "expires", "fields"];

impl Record {
    /// Parses and validates a record from JSON text. Only text that is not JSON at all is a
    /// [`RecordError::Json`]: a key that is missing, unknown or of the wrong kind is named
    /// like any field ([`RecordError::MissingField`], [`RecordError::UnknownField`],
    /// [`RecordError::Invalid`]), so a missing `issued` reads as a missing `mother` does.
    pub fn from_json_str(s: &str) -> Result<Record, RecordError> {
        if s.len() > MAX_RECORD_JSON {
            return Err(RecordError::TooLarge);
        }
        let value: Json = serde_json::from_str(s).map_err(|e| RecordError::Json(e.to_string()))?;
        Self::from_json(&value)
    }

    /// Parses and validates a record from a JSON value (see [`Record::from_json_str`]).
    pub fn from_json(value: &Json) -> Result<Record, RecordError> {
        let Some(object) = value.as_object() else {
            return Err(RecordError::Json(crate::l10n::en("record-not-an-object")));
        };
        if let Some(unknown) = object.keys().find(|k| !RECORD_KEYS.contains(&k.as_str())) {
            return Err(RecordError::UnknownField(unknown.clone()));
        }
        // A text key: absent (or null) is `None`, anything but a string is refused by name.
        let text = |key: &'static str| -> Result<Option<&str>, RecordError> {
            match object.get(key) {
                None | Some(Json::Null) => Ok(None),
                Some(Json::String(s)) => Ok(Some(s)),
                Some(_) => Err(RecordError::Invalid {
                    field: key,
                    reason: crate::l10n::en("record-not-text"),
                }),
            }
        };
        let required = |key: &'static str| text(key)?.ok_or(RecordError::MissingField(key));
        let type_key = required("type")?;
        let cert_type = cert_type_by_key(type_key.trim())
            .ok_or_else(|| RecordError::UnknownType(type_key.to_owned()))?;
        let office = parse_office(required("office")?)?;
        let issued = parse_date("issued", required("issued")?)?;
        let expires = text("expires")?
            .map(|e| parse_date("expires", e))
            .transpose()?;
        let empty = Map::new();
        let raw_fields = match object.get("fields") {
            None | Some(Json::Null) => &empty,
            Some(Json::Object(m)) => m,
            Some(_) => {
                return Err(RecordError::Invalid {
                    field: "fields",
                    reason: crate::l10n::en("record-fields-not-object"),
                })
            }
        };
        let mut fields = BTreeMap::new();
        for (key, json) in raw_fields {
            if json.is_null() {
                continue;
            }
            let field = field_by_key(key).ok_or_else(|| RecordError::UnknownField(key.clone()))?;
            if cert_type.field_use(key).is_none() {
                return Err(RecordError::FieldNotForType {
                    cert_type: cert_type.key,
                    field: key.clone(),
                });
            }
            fields.insert(field.id, parse_value(field, json)?);
        }
        Record::new(cert_type, office, issued, expires, fields)
    }

    /// Checks the whole-record rules; every constructor ends here.
    pub(crate) fn new(
        cert_type: &'static CertType,
        office: OfficeCode,
        issued: Date,
        expires: Option<Date>,
        fields: BTreeMap<u8, Value>,
    ) -> Result<Record, RecordError> {
        if let Some(e) = expires {
            if e < issued {
                return Err(RecordError::ExpiryBeforeIssue);
            }
        } else if cert_type.needs_expiry {
            return Err(RecordError::ExpiryRequired);
        }
        let record = Record {
            cert_type,
            office,
            issued,
            expires,
            fields,
        };
        for u in cert_type.fields.iter().filter(|u| u.required) {
            if record.get(u.key).is_none() {
                return Err(RecordError::MissingField(u.key));
            }
        }
        if cert_type.needs_identity && record.get("nid").is_none() && record.get("brn").is_none() {
            return Err(RecordError::IdentityRequired);
        }
        Ok(record)
    }

    /// The certificate type.
    pub fn cert_type(&self) -> &'static CertType {
        self.cert_type
    }

    /// The issuing office's code.
    pub fn office(&self) -> &OfficeCode {
        &self.office
    }

    /// The date of issue.
    pub fn issued(&self) -> Date {
        self.issued
    }

    /// The expiry date, if the certificate has one.
    pub fn expires(&self) -> Option<Date> {
        self.expires
    }

    /// A field's value by JSON key.
    pub fn get(&self, key: &str) -> Option<&Value> {
        field_by_key(key).and_then(|f| self.fields.get(&f.id))
    }

    /// The fields present, in id order, with their registry entries.
    pub fn fields(&self) -> impl Iterator<Item = (&'static Field, &Value)> {
        self.fields
            .iter()
            .filter_map(|(id, v)| FIELDS.get(usize::from(*id) - 1).map(|f| (f, v)))
    }

    /// The fields present in the order the type's schema lists them (`seal/types.toml`): the
    /// order people read them in (a warish certificate's deceased before the father), where
    /// [`Record::fields`] goes by field id, the payload's order.
    pub fn fields_in_schema_order(&self) -> impl Iterator<Item = (&'static Field, &Value)> {
        self.cert_type.fields.iter().filter_map(|u| {
            let f = field_by_key(u.key)?;
            self.fields.get(&f.id).map(|v| (f, v))
        })
    }

    /// The part of the record that is signed into the QR code.
    pub fn signed_part(&self) -> Record {
        let fields = self
            .fields()
            .filter(|(f, _)| self.cert_type.field_use(f.key).is_some_and(|u| u.signed))
            .map(|(f, v)| (f.id, v.clone()))
            .collect();
        Record {
            fields,
            ..self.clone()
        }
    }

    /// True when every field is one that is signed.
    pub fn is_signed_part(&self) -> bool {
        self.fields()
            .all(|(f, _)| self.cert_type.field_use(f.key).is_some_and(|u| u.signed))
    }

    /// The record as JSON, in the same shape [`Record::from_json`] reads (canonical values).
    pub fn to_json(&self) -> Json {
        let mut fields = Map::new();
        for (f, v) in self.fields() {
            fields.insert(f.key.to_owned(), v.to_json());
        }
        let mut out = json!({
            "type": self.cert_type.key,
            "office": self.office,
            "issued": self.issued.to_string(),
        });
        if let Some(e) = self.expires {
            out["expires"] = json!(e.to_string());
        }
        out["fields"] = Json::Object(fields);
        out
    }
}

/// The value as record JSON (what [`Value::to_json`] builds), written straight to a serializer.
impl serde::Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        match self {
            Value::Text(t) => s.serialize_str(t),
            Value::Nid(n) => s.serialize_str(n.as_str()),
            Value::Brn(n) => s.serialize_str(n.as_str()),
            Value::Mobile(n) => s.serialize_str(n.as_str()),
            Value::Uint(n) => s.serialize_u64(*n),
            Value::Date(d) => s.collect_str(d),
            Value::Persons(ps) => {
                let mut seq = s.serialize_seq(Some(ps.len()))?;
                for p in ps {
                    seq.serialize_element(&PersonJson(p))?;
                }
                seq.end()
            }
            Value::TextList(l) => {
                let mut seq = s.serialize_seq(Some(l.len()))?;
                for t in l {
                    seq.serialize_element(t)?;
                }
                seq.end()
            }
            Value::FiscalYear(y) => s.serialize_str(&fiscal_year(*y)),
        }
    }
}

/// A person as record JSON: `age` when known, `name`, `relation`.
struct PersonJson<'a>(&'a Person);

impl serde::Serialize for PersonJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let p = self.0;
        // Keys in the order `to_json`'s map writes them (sorted), so both give the same bytes.
        let mut m = s.serialize_map(None)?;
        if let Some(a) = p.age {
            m.serialize_entry("age", &a)?;
        }
        m.serialize_entry("name", &p.name)?;
        m.serialize_entry("relation", &p.relation)?;
        m.end()
    }
}

impl Value {
    /// The value as record JSON.
    pub fn to_json(&self) -> Json {
        serde_json::to_value(self).unwrap_or(Json::Null)
    }

    /// The value as a person reads it in Bangla (Bangla digits).
    pub fn display_bn(&self) -> Cow<'_, str> {
        match self {
            Value::Persons(ps) => {
                let mut s = String::new();
                for (i, p) in ps.iter().enumerate() {
                    if i > 0 {
                        s.push_str("; ");
                    }
                    let _ = write!(s, "{} ({}", p.name, p.relation);
                    if let Some(a) = p.age {
                        let age = bangla_digits(&a.to_string());
                        let _ = write!(s, ", {}", crate::l10n::bn_with("age-years", "age", &age));
                    }
                    s.push(')');
                }
                Cow::Owned(s)
            }
            Value::Date(d) => Cow::Owned(bangla_date(*d)),
            // Most texts (names) hold no digit: nothing to copy.
            Value::Text(s) if !s.bytes().any(|b| b.is_ascii_digit()) => Cow::Borrowed(s),
            other => Cow::Owned(bangla_digits(&other.display_en())),
        }
    }

    /// The value as a person reads it in English.
    pub fn display_en(&self) -> Cow<'_, str> {
        Cow::Owned(match self {
            Value::Text(s) => return Cow::Borrowed(s),
            Value::Nid(n) => n.to_string(),
            Value::Brn(n) => n.to_string(),
            Value::Mobile(n) => n.to_string(),
            Value::Uint(n) => n.to_string(),
            Value::Date(d) => format!("{:02}-{:02}-{}", d.day(), u8::from(d.month()), d.year()),
            Value::Persons(ps) => ps
                .iter()
                .map(|p| match p.age {
                    Some(a) => format!(
                        "{} ({}, {})",
                        p.name,
                        p.relation,
                        crate::l10n::en_with("age-years", "age", &a.to_string())
                    ),
                    None => format!("{} ({})", p.name, p.relation),
                })
                .collect::<Vec<_>>()
                .join("; "),
            Value::TextList(l) => l.join(", "),
            Value::FiscalYear(y) => fiscal_year(*y),
        })
    }
}

/// A date as written on Bangladeshi papers, day first, in Bangla digits: `২৮-১১-২০২৬`.
pub fn bangla_date(d: Date) -> String {
    bangla_digits(&format!(
        "{:02}-{:02}-{}",
        d.day(),
        u8::from(d.month()),
        d.year()
    ))
}

fn fiscal_year(start: u16) -> String {
    format!("{start}-{:02}", (start + 1) % 100)
}

/// Checks an office code (2–12 digits, Bangla or Latin, not starting with 0) and returns it
/// as the typed [`OfficeCode`] in Latin digits (one rule for office codes: 2 to 12 digits, the
/// first not 0; Bangla digits are read as Latin ones first).
pub fn parse_office(s: &str) -> Result<OfficeCode, RecordError> {
    let digits = latin_digits(s).map_err(|_| RecordError::Office(s.to_owned()))?;
    if s.contains([' ', '-']) {
        return Err(RecordError::Office(s.to_owned()));
    }
    OfficeCode::try_from(digits).map_err(|_| RecordError::Office(s.to_owned()))
}

/// The earliest and latest dates a certificate may carry.
pub(crate) const MIN_YEAR: i32 = 1900;
pub(crate) const MAX_YEAR: i32 = 2199;

fn parse_date(field: &str, s: &str) -> Result<Date, RecordError> {
    let bad = || RecordError::Date {
        field: field.to_owned(),
        value: s.to_owned(),
    };
    let latin: String = s
        .trim()
        .chars()
        .map(|c| match c {
            '০'..='৯' => char::from(b'0' + (c as u32 - '০' as u32) as u8),
            c => c,
        })
        .collect();
    let mut parts = latin.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let y: i32 = y.parse().map_err(|_| bad())?;
    let m: u8 = m.parse().map_err(|_| bad())?;
    let d: u8 = d.parse().map_err(|_| bad())?;
    if !(MIN_YEAR..=MAX_YEAR).contains(&y) {
        return Err(bad());
    }
    let month = Month::try_from(m).map_err(|_| bad())?;
    Date::from_calendar_date(y, month, d).map_err(|_| bad())
}

/// NFC, white space folded to single spaces, 1..=200 characters, no control characters.
pub(crate) fn clean_text(field: &'static str, s: &str) -> Result<String, RecordError> {
    clean_text_owned(field, s.to_owned(), false)
}

/// True when folding `s`'s white space would give `s` itself: no white space but single
/// spaces between words.
fn is_folded(s: &str) -> bool {
    let mut after_space = true; // at the start, a space would be leading
    for c in s.chars() {
        if c.is_whitespace() {
            if c != ' ' || after_space {
                return false;
            }
            after_space = true;
        } else {
            after_space = false;
        }
    }
    !after_space || s.is_empty()
}

/// [`clean_text`] of a string already owned: a text that is already clean (what every payload
/// being read holds) is checked and kept, not rebuilt. `known_nfc`: the caller has already
/// found `s` in NFC (as [`text::decode`] does).
pub(crate) fn clean_text_owned(
    field: &'static str,
    s: String,
    known_nfc: bool,
) -> Result<String, RecordError> {
    let nfc = if is_folded(&s) && (known_nfc || text::is_nfc(&s)) {
        s
    } else {
        text::normalize(&s.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    let n = nfc.chars().count();
    if n == 0 {
        return Err(RecordError::Invalid {
            field,
            // English first here: the reason follows the English half of `record-invalid`.
            reason: format!(
                "{} / {}",
                crate::l10n::en("reason-empty"),
                crate::l10n::bn("reason-empty")
            ),
        });
    }
    if n > MAX_TEXT_CHARS {
        return Err(RecordError::Invalid {
            field,
            reason: format!("longer than {MAX_TEXT_CHARS} characters"),
        });
    }
    if let Some(c) = nfc.chars().find(|c| c.is_control()) {
        return Err(RecordError::Invalid {
            field,
            reason: format!("control character U+{:04X}", c as u32),
        });
    }
    Ok(nfc)
}

fn parse_value(field: &'static Field, json: &Json) -> Result<Value, RecordError> {
    let key = field.key;
    let invalid = |reason: &str| RecordError::Invalid {
        field: key,
        reason: reason.to_owned(),
    };
    let ident = |e: IdentityError| RecordError::Invalid {
        field: key,
        reason: e.to_string(),
    };
    let string = || json.as_str().ok_or_else(|| invalid("expected a string"));
    Ok(match field.kind {
        FieldKind::Text => Value::Text(clean_text(key, string()?)?),
        FieldKind::Nid => Value::Nid(string()?.parse().map_err(ident)?),
        FieldKind::Brn => Value::Brn(string()?.parse().map_err(ident)?),
        FieldKind::Mobile => Value::Mobile(string()?.parse().map_err(ident)?),
        FieldKind::Uint => {
            Value::Uint(parse_uint(json).ok_or_else(|| invalid("expected a whole number"))?)
        }
        FieldKind::Date => Value::Date(parse_date(key, string()?)?),
        FieldKind::FiscalYear => Value::FiscalYear(
            parse_fiscal_year(string()?)
                .ok_or_else(|| invalid("expected a fiscal year like 2026-27"))?,
        ),
        FieldKind::TextList => {
            let items: Vec<&Json> = match json {
                Json::Array(a) => a.iter().collect(),
                Json::String(_) => vec![json],
                _ => return Err(invalid("expected a list of names")),
            };
            check_list_len(key, items.len())?;
            Value::TextList(
                items
                    .into_iter()
                    .map(|j| {
                        j.as_str()
                            .ok_or_else(|| invalid("expected a list of names"))
                            .and_then(|s| clean_text(key, s))
                    })
                    .collect::<Result<_, _>>()?,
            )
        }
        FieldKind::Persons => {
            let items = json
                .as_array()
                .ok_or_else(|| invalid("expected a list of {name, relation, age}"))?;
            check_list_len(key, items.len())?;
            Value::Persons(
                items
                    .iter()
                    .map(|j| parse_person(key, j))
                    .collect::<Result<_, _>>()?,
            )
        }
    })
}

fn check_list_len(field: &'static str, n: usize) -> Result<(), RecordError> {
    if n == 0 || n > MAX_LIST_ITEMS {
        return Err(RecordError::Invalid {
            field,
            reason: format!("needs 1 to {MAX_LIST_ITEMS} entries"),
        });
    }
    Ok(())
}

fn parse_person(field: &'static str, json: &Json) -> Result<Person, RecordError> {
    let invalid = |reason: &str| RecordError::Invalid {
        field,
        reason: reason.to_owned(),
    };
    let obj = json
        .as_object()
        .ok_or_else(|| invalid("each entry is {name, relation, age}"))?;
    if let Some(k) = obj
        .keys()
        .find(|k| !matches!(k.as_str(), "name" | "relation" | "age"))
    {
        return Err(invalid(&format!("unknown key {k:?} in an entry")));
    }
    let text = |k: &str| {
        obj.get(k)
            .and_then(Json::as_str)
            .ok_or_else(|| invalid(&format!("entry without {k}")))
    };
    let age = match obj.get("age") {
        None | Some(Json::Null) => None,
        Some(j) => Some(
            parse_uint(j)
                .and_then(|a| u8::try_from(a).ok())
                .filter(|a| *a <= 150)
                .ok_or_else(|| invalid("age must be 0 to 150"))?,
        ),
    };
    Ok(Person {
        name: clean_text(field, text("name")?)?,
        relation: clean_text(field, text("relation")?)?,
        age,
    })
}

fn parse_uint(json: &Json) -> Option<u64> {
    match json {
        Json::Number(n) => n.as_u64(),
        Json::String(s) => latin_digits(s)
            .ok()
            .filter(|d| d.len() <= 19)
            .and_then(|d| d.parse().ok()),
        _ => None,
    }
}

fn parse_fiscal_year(s: &str) -> Option<u16> {
    let digits: String = s
        .chars()
        .map(|c| match c {
            '০'..='৯' => char::from(b'0' + (c as u32 - '০' as u32) as u8),
            c => c,
        })
        .collect();
    let (a, b) = digits.trim().split_once(['-', '/'])?;
    let start: u16 = a.parse().ok().filter(|_| a.len() == 4)?;
    let end: u16 = b.parse().ok()?;
    let ok = match b.len() {
        2 => end == (start + 1) % 100,
        4 => end == start + 1,
        _ => false,
    };
    (ok && (1971..=2199).contains(&start)).then_some(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kept-as-it-is path gives what folding and normalising give.
    #[test]
    fn clean_texts_are_kept_and_others_cleaned_alike() {
        let slow = |s: &str| {
            let nfc = text::normalize(&s.split_whitespace().collect::<Vec<_>>().join(" "));
            clean_text_owned("name", nfc, false)
        };
        for s in [
            "",
            " ",
            "a",
            "a b",
            " a",
            "a ",
            "a  b",
            "a\tb",
            "a\u{00A0}b",
            "মোহাম্মদ আব্দুল করিম",
            "মোহাম্মদ  আব্দুল",
            "\u{0995}\u{09C7}\u{09BE}",
            "\u{0995}\u{09CB}",
            "e\u{0301}",
            "\u{00E9}",
            "x\u{0007}y",
        ] {
            assert_eq!(clean_text("name", s), slow(s), "{s:?}");
            assert_eq!(
                is_folded(s),
                s.split_whitespace().collect::<Vec<_>>().join(" ") == s,
                "{s:?}"
            );
        }
    }

    const FIXTURE: &str = r#"{
      "type": "citizenship", "office": "100524", "issued": "2026-11-28", "expires": "2027-11-27",
      "fields": { "name": "মোহাম্মদ আব্দুল করিম", "father": "মোহাম্মদ আব্দুর রহমান",
        "mother": "মোসাম্মৎ রোকেয়া বেগম", "nid": "19901234567890123", "ward": 5 } }"#;

    fn with(patch: impl FnOnce(&mut Json)) -> Result<Record, RecordError> {
        let mut j: Json = serde_json::from_str(FIXTURE).unwrap();
        patch(&mut j);
        Record::from_json(&j)
    }

    /// Every kind of value as record JSON, pinned to literals.
    #[test]
    fn values_as_json() {
        let date = Date::from_calendar_date(2026, Month::January, 2).unwrap();
        let cases = [
            (Value::Text("করিম \"বাবু\"".into()), json!("করিম \"বাবু\"")),
            (
                Value::Nid("19901234567890123".parse().unwrap()),
                json!("19901234567890123"),
            ),
            (
                Value::Mobile("01712345678".parse().unwrap()),
                json!("+8801712345678"),
            ),
            (Value::Uint(5), json!(5)),
            (Value::Date(date), json!("2026-01-02")),
            (
                Value::Persons(vec![
                    Person {
                        name: "করিম".into(),
                        relation: "পুত্র".into(),
                        age: Some(40),
                    },
                    Person {
                        name: "Rokeya".into(),
                        relation: "কন্যা".into(),
                        age: None,
                    },
                ]),
                json!([{"name": "করিম", "relation": "পুত্র", "age": 40},
                       {"name": "Rokeya", "relation": "কন্যা"}]),
            ),
            (
                Value::TextList(vec!["a".into(), "b".into()]),
                json!(["a", "b"]),
            ),
            (Value::FiscalYear(2026), json!("2026-27")),
        ];
        for (v, want) in cases {
            assert_eq!(v.to_json(), want, "{v:?}");
            assert_eq!(
                serde_json::to_string(&v).unwrap(),
                want.to_string(),
                "{v:?}"
            );
        }
    }

    #[test]
    fn the_benchmark_record_parses() {
        let r = Record::from_json_str(FIXTURE).unwrap();
        assert_eq!(r.cert_type().key, "citizenship");
        assert_eq!(r.office(), "100524");
        assert_eq!(r.get("ward"), Some(&Value::Uint(5)));
        assert_eq!(r.get("nid").unwrap().display_en(), "19901234567890123");
        // to_json then from_json gives the same record.
        assert_eq!(Record::from_json(&r.to_json()).unwrap(), r);
    }

    #[test]
    fn names_are_nfc_and_white_space_is_folded() {
        // "রোকেয়া" typed with the precomposed য় (U+09DF) and extra spaces.
        let r = with(|j| j["fields"]["mother"] = json!("  মোসাম্মৎ   রোকে\u{09DF}া বেগম ")).unwrap();
        assert_eq!(
            r.get("mother"),
            Some(&Value::Text("মোসাম্মৎ রোকে\u{09AF}\u{09BC}া বেগম".into()))
        );
    }

    #[test]
    fn refusals_name_the_problem() {
        assert!(matches!(
            with(|j| j["type"] = json!("passport")),
            Err(RecordError::UnknownType(_))
        ));
        assert!(matches!(
            with(|j| j["office"] = json!("1")),
            Err(RecordError::Office(_))
        ));
        assert!(matches!(
            with(|j| j["issued"] = json!("2026-02-30")),
            Err(RecordError::Date { .. })
        ));
        assert_eq!(
            with(|j| j["expires"] = json!("2026-01-01")),
            Err(RecordError::ExpiryBeforeIssue)
        );
        assert_eq!(
            with(|j| j["fields"]["color"] = json!("x")),
            Err(RecordError::UnknownField("color".into()))
        );
        assert!(matches!(
            with(|j| j["fields"]["heirs"] = json!([])),
            Err(RecordError::FieldNotForType { .. })
        ));
        assert_eq!(
            with(|j| {
                j["fields"].as_object_mut().unwrap().remove("father");
            }),
            Err(RecordError::MissingField("father"))
        );
        assert_eq!(
            with(|j| {
                j["fields"].as_object_mut().unwrap().remove("nid");
            }),
            Err(RecordError::IdentityRequired)
        );
        assert!(matches!(
            with(|j| j["fields"]["nid"] = json!("123")),
            Err(RecordError::Invalid { field: "nid", .. })
        ));
        assert!(matches!(
            with(|j| j["fields"]["name"] = json!("a\u{0007}b")),
            Err(RecordError::Invalid { field: "name", .. })
        ));
        assert!(matches!(
            with(|j| j["fields"]["name"] = json!("   ")),
            Err(RecordError::Invalid { field: "name", .. })
        ));
        assert!(matches!(
            with(|j| j["fields"]["ward"] = json!(-1)),
            Err(RecordError::Invalid { field: "ward", .. })
        ));
        assert_eq!(
            with(|j| j["serial"] = json!(1)),
            Err(RecordError::UnknownField("serial".into()))
        );
        assert!(matches!(
            Record::from_json_str("[1,2"),
            Err(RecordError::Json(_))
        ));
        assert!(matches!(
            Record::from_json_str("[1, 2]"),
            Err(RecordError::Json(_))
        ));
    }

    /// Issue #17: the warish page listed the father before the deceased (field id order).
    #[test]
    fn regression_fields_read_in_the_schema_s_order_the_deceased_first() {
        let w = Record::from_json(&json!({
            "type": "warish", "office": "100524", "issued": "2026-11-28",
            "fields": { "name": "করিম", "father": "হাশেম", "deceased": "আব্দুল জলিল", "death_date": "2025-03-14",
              "heirs": [{"name": "করিম", "relation": "পুত্র"}] }
        }))
        .unwrap();
        let keys: Vec<_> = w.fields_in_schema_order().map(|(f, _)| f.key).collect();
        assert_eq!(keys, ["deceased", "father", "death_date", "heirs", "name"]);
        // The payload's order (by id) is unchanged.
        let by_id: Vec<_> = w.fields().map(|(f, _)| f.key).collect();
        assert_eq!(by_id.len(), keys.len());
        assert_ne!(by_id, keys);
    }

    /// Issue #17: a record without `issued` got serde's raw "missing field `issued` at line 1
    /// column 80" while one without `mother` got a named, bilingual refusal. Every top-level
    /// key is now named the same way a field is.
    #[test]
    fn regression_a_missing_or_mistyped_top_level_key_is_named_like_a_field() {
        let base = json!({"type": "citizenship", "office": "100524", "issued": "2026-11-28",
            "fields": {"name": "করিম", "father": "রহিম", "mother": "রহিমা", "nid": "1990123456789", "ward": 5}});
        let with = |edit: &dyn Fn(&mut Json)| {
            let mut j = base.clone();
            edit(&mut j);
            Record::from_json_str(&j.to_string())
        };
        assert!(with(&|_| {}).is_ok());
        for key in ["type", "office", "issued"] {
            let missing = with(&|j| {
                j.as_object_mut().unwrap().remove(key);
            });
            assert_eq!(missing, Err(RecordError::MissingField(key)), "{key}");
            let text = missing.unwrap_err().to_string();
            assert!(text.contains(" / ") && text.contains(key), "{text}");
            assert!(!text.contains("line"), "no parser positions: {text}");
            assert!(
                matches!(with(&|j| j[key] = json!(20261128)), Err(RecordError::Invalid { field, .. }) if field == key),
                "{key}"
            );
        }
        assert!(matches!(
            with(&|j| j["expires"] = json!(true)),
            Err(RecordError::Invalid {
                field: "expires",
                ..
            })
        ));
        assert!(matches!(
            with(&|j| j["fields"] = json!(["x"])),
            Err(RecordError::Invalid {
                field: "fields",
                ..
            })
        ));
        // Null is absent, as for a field.
        assert_eq!(
            with(&|j| j["issued"] = Json::Null),
            Err(RecordError::MissingField("issued"))
        );
        assert!(with(&|j| j["expires"] = Json::Null).is_ok());
    }

    #[test]
    fn warish_with_heirs_and_trade_licence_with_owners() {
        let w = Record::from_json(&json!({
            "type": "warish", "office": "100524", "issued": "2026-11-28",
            "fields": { "deceased": "আব্দুল জলিল", "death_date": "২০২৫-০৩-১৪",
              "heirs": [{"name": "রহিমা খাতুন", "relation": "স্ত্রী", "age": 55}, {"name": "করিম", "relation": "পুত্র"}] }
        }))
        .unwrap();
        let Some(Value::Persons(ps)) = w.get("heirs") else {
            panic!("no heirs")
        };
        assert_eq!(ps.len(), 2);
        assert_eq!(ps[1].age, None);
        assert_eq!(
            w.get("heirs").unwrap().display_bn(),
            "রহিমা খাতুন (স্ত্রী, ৫৫ বছর); করিম (পুত্র)"
        );

        let t = json!({ "type": "trade_licence", "office": "100524", "issued": "2026-07-01",
            "fields": { "business_name": "মায়ের দোয়া স্টোর", "business_kind": "মুদি", "owners": "আব্দুল করিম", "fiscal_year": "২০২৬-২৭" } });
        assert_eq!(Record::from_json(&t), Err(RecordError::ExpiryRequired));
        let mut t2 = t.clone();
        t2["expires"] = json!("2027-06-30");
        let r = Record::from_json(&t2).unwrap();
        assert_eq!(r.get("fiscal_year"), Some(&Value::FiscalYear(2026)));
        assert_eq!(r.get("fiscal_year").unwrap().display_bn(), "২০২৬-২৭");
        assert_eq!(
            r.get("owners"),
            Some(&Value::TextList(vec!["আব্দুল করিম".into()]))
        );
        t2["fields"]["fiscal_year"] = json!("2026-28");
        assert!(matches!(
            Record::from_json(&t2),
            Err(RecordError::Invalid {
                field: "fiscal_year",
                ..
            })
        ));
    }

    #[test]
    fn signed_part_drops_printed_only_fields() {
        let r = with(|j| j["fields"]["address"] = json!("সাভার, ঢাকা")).unwrap();
        assert!(!r.is_signed_part());
        let s = r.signed_part();
        assert!(s.is_signed_part());
        assert!(s.get("address").is_none());
        assert_eq!(s.get("name"), r.get("name"));
    }

    #[test]
    fn dates_display_day_first() {
        let d = parse_date("issued", "2026-11-28").unwrap();
        assert_eq!(bangla_date(d), "২৮-১১-২০২৬");
        assert_eq!(Value::Date(d).display_en(), "28-11-2026");
    }
}
