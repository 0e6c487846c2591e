//! The application form, made from a certificate type's schema (`seal/types.toml`): which
//! inputs it has, how what was typed is checked (each field with its own message in Bangla and
//! English), and the record the approval will seal. No HTTP here: the pages and the JSON API
//! (`server/apply.rs`) both read what was sent into a [`FormInput`] and call [`check`].
//!
//! Facts the certificate does not carry go into the application's `extra`: the name in
//! English, the post office, upazila and district (and the village, the applicant's name, where
//! the type has no such field). The record's printed `address` is composed from them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value as Json};
use sonod_seal::{CertType, FieldKind, Mobile, Record, RecordError, FIELDS};
use time::{Date, Month};

use super::Application;

/// Longest text a form field takes (a record's text is at most 200 characters).
pub const MAX_TEXT: usize = 200;
/// Longest digital centre name.
pub const MAX_PLACE: usize = 100;
/// Most rows of a list (heirs, members, owners): the record's limit.
pub const MAX_ROWS: usize = 40;

/// Fields every application has, whatever its type, kept in `extra` (or in the record where
/// the type has a field of that key).
pub const EXTRA_KEYS: [&str; 4] = ["name_en", "post_office", "upazila", "district"];

/// Record fields the form places itself (identity, name, address, contact); the type's other
/// fields follow in schema order.
const PLACED: [&str; 7] = ["nid", "brn", "name", "ward", "village", "address", "mobile"];

/// One heir or family member as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRow {
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Relation.
    #[serde(default)]
    pub relation: String,
    /// Age in years, digits (Bangla or Latin); may be empty.
    #[serde(default)]
    pub age: String,
}

impl PersonRow {
    fn is_empty(&self) -> bool {
        self.name.trim().is_empty() && self.relation.trim().is_empty() && self.age.trim().is_empty()
    }
}

/// What was sent, as typed: kept whole so that a form with an error comes back with every
/// value in it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormInput {
    /// Single values by key: record fields (`name`, `nid`, `dob` …), the extras
    /// ([`EXTRA_KEYS`]), `ward`, `mobile`.
    pub values: BTreeMap<String, String>,
    /// Persons fields' rows (`heirs`, `members`).
    pub persons: BTreeMap<String, Vec<PersonRow>>,
    /// Text list fields' rows (`owners`).
    pub lists: BTreeMap<String, Vec<String>>,
}

impl FormInput {
    /// A single value, trimmed; empty when absent.
    pub fn value(&self, key: &str) -> &str {
        self.values.get(key).map_or("", |v| v.trim())
    }

    /// Reads a form's name/value pairs: `key`, `heirs.3.name`, `owners.2`. Unknown names are
    /// kept (they are never read); rows beyond [`MAX_ROWS`] are dropped, and a value is cut at
    /// twice [`MAX_TEXT`] characters (still too long, so still refused by name).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> FormInput {
        let mut input = FormInput::default();
        for (name, value) in pairs {
            let value: String = value.chars().take(MAX_TEXT * 2).collect();
            let mut parts = name.splitn(3, '.');
            let (Some(key), index, part) = (parts.next(), parts.next(), parts.next()) else {
                continue;
            };
            let Some(index) = index else {
                input.values.insert(key.to_owned(), value);
                continue;
            };
            let Some(i) = index.parse::<usize>().ok().filter(|i| *i < MAX_ROWS) else {
                continue;
            };
            match (kind_of(key), part) {
                (Some(FieldKind::Persons), Some(part)) => {
                    let rows = input.persons.entry(key.to_owned()).or_default();
                    if rows.len() <= i {
                        rows.resize(i + 1, PersonRow::default());
                    }
                    match part {
                        "name" => rows[i].name = value,
                        "relation" => rows[i].relation = value,
                        "age" => rows[i].age = value,
                        _ => {}
                    }
                }
                (Some(FieldKind::TextList), None) => {
                    let rows = input.lists.entry(key.to_owned()).or_default();
                    if rows.len() <= i {
                        rows.resize(i + 1, String::new());
                    }
                    rows[i] = value;
                }
                _ => {}
            }
        }
        input
    }

    /// The form as the application holds it, for correcting it after it was sent back.
    pub fn from_application(a: &Application) -> FormInput {
        let mut input = FormInput::default();
        let mut put = |k: &str, v: &Json| match v {
            Json::String(s) => {
                input.values.insert(k.to_owned(), s.clone());
            }
            Json::Number(n) => {
                input.values.insert(k.to_owned(), n.to_string());
            }
            _ => {}
        };
        for (k, v) in a.extra.iter().chain(a.fields.iter()) {
            put(k, v);
        }
        for (k, v) in &a.fields {
            match (kind_of(k), v) {
                (Some(FieldKind::Persons), Json::Array(rows)) => {
                    let rows = rows
                        .iter()
                        .map(|r| PersonRow {
                            name: r["name"].as_str().unwrap_or_default().to_owned(),
                            relation: r["relation"].as_str().unwrap_or_default().to_owned(),
                            age: r["age"].as_u64().map(|n| n.to_string()).unwrap_or_default(),
                        })
                        .collect();
                    input.persons.insert(k.clone(), rows);
                }
                (Some(FieldKind::TextList), Json::Array(rows)) => {
                    let rows = rows
                        .iter()
                        .filter_map(|r| r.as_str().map(str::to_owned))
                        .collect();
                    input.lists.insert(k.clone(), rows);
                }
                _ => {}
            }
        }
        // Dates as the form asks for them: day first.
        for (k, v) in input.values.iter_mut() {
            if kind_of(k) == Some(FieldKind::Date) {
                if let Some(d) = parse_date(v) {
                    *v = format!("{:02}-{:02}-{}", d.day(), u8::from(d.month()), d.year());
                }
            }
        }
        input.values.insert("mobile".into(), a.mobile.clone());
        input.values.insert("ward".into(), a.ward.to_string());
        input.values.remove("address");
        input
    }
}

fn kind_of(key: &str) -> Option<FieldKind> {
    FIELDS.iter().find(|f| f.key == key).map(|f| f.kind)
}

/// An error next to a field: its input name (`nid`, `heirs.2.relation`, `documents`, or
/// `form` for the whole form) and the message in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The input's name.
    pub field: String,
    /// Bangla.
    pub bn: String,
    /// English.
    pub en: String,
}

impl FieldError {
    /// The error of `field`, Fluent message `id` with values.
    pub fn new(field: &str, id: &str, args: &[(&'static str, &str)]) -> FieldError {
        FieldError {
            field: field.to_owned(),
            bn: crate::l10n::bn_args(id, args),
            en: crate::l10n::en_args(id, args),
        }
    }
}

/// The application as checked: what [`crate::applications::Application`] stores.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// Record fields, canonical (as [`Record::to_json`] writes them).
    pub fields: Map<String, Json>,
    /// Facts the certificate does not carry.
    pub extra: Map<String, Json>,
    /// The ward.
    pub ward: u16,
    /// The mobile number, `01XXXXXXXXX`.
    pub mobile: String,
}

/// One input of the form (for rendering): its key, kind and labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Input {
    /// The record field's or extra's key.
    pub key: &'static str,
    /// What it holds; extras are [`FieldKind::Text`].
    pub kind: FieldKind,
    /// Refused when empty.
    pub required: bool,
}

/// A part of the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Its Fluent id (`apply-section-…`).
    pub title: &'static str,
    /// Its inputs, in order.
    pub inputs: Vec<Input>,
}

fn has(t: &CertType, key: &str) -> bool {
    t.field_use(key).is_some()
}

/// The form of type `t`: identity, the applicant, the type's own facts, address, contact.
pub fn sections(t: &'static CertType) -> Vec<Section> {
    let text = |key, required| Input {
        key,
        kind: FieldKind::Text,
        required,
    };
    let mut out = Vec::new();
    let mut identity = Vec::new();
    for (key, kind) in [("nid", FieldKind::Nid), ("brn", FieldKind::Brn)] {
        if has(t, key) {
            identity.push(Input {
                key,
                kind,
                required: t.field_use(key).is_some_and(|u| u.required),
            });
        }
    }
    if !identity.is_empty() {
        out.push(Section {
            title: "apply-section-identity",
            inputs: identity,
        });
    }
    out.push(Section {
        title: "apply-section-applicant",
        inputs: vec![text("name", true), text("name_en", true)],
    });
    let own: Vec<Input> = t
        .fields
        .iter()
        .filter(|u| !PLACED.contains(&u.key))
        .filter_map(|u| {
            let f = FIELDS.iter().find(|f| f.key == u.key)?;
            Some(Input {
                key: f.key,
                kind: f.kind,
                required: u.required,
            })
        })
        .collect();
    out.push(Section {
        title: "apply-section-details",
        inputs: own,
    });
    out.push(Section {
        title: "apply-section-address",
        inputs: vec![
            text("village", true),
            Input {
                key: "ward",
                kind: FieldKind::Uint,
                required: true,
            },
            text("post_office", true),
            text("upazila", true),
            text("district", true),
        ],
    });
    out.push(Section {
        title: "apply-section-contact",
        inputs: vec![Input {
            key: "mobile",
            kind: FieldKind::Mobile,
            required: true,
        }],
    });
    out
}

/// Bangla digits to Latin, other characters kept.
fn latin(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '০'..='৯' => char::from(b'0' + (c as u32 - '০' as u32) as u8),
            c => c,
        })
        .collect()
}

/// A text as the record keeps it: NFC, white space folded; `Err` with the message id.
fn clean(s: &str) -> Result<String, &'static str> {
    let folded = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let nfc = sonod_seal::text::normalize(&folded);
    if nfc.chars().count() > MAX_TEXT {
        return Err("apply-err-too-long");
    }
    if nfc.chars().any(char::is_control) {
        return Err("apply-err-control");
    }
    Ok(nfc)
}

/// A date as typed: `2026-12-06`, `06-12-2026`, `06/12/2026`, in either digits.
pub fn parse_date(s: &str) -> Option<Date> {
    let s = latin(s.trim());
    let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let (y, m, d) = if a.len() == 4 { (a, b, c) } else { (c, b, a) };
    if y.len() != 4 || m.is_empty() || m.len() > 2 || d.is_empty() || d.len() > 2 {
        return None;
    }
    let y: i32 = y.parse().ok()?;
    let m: u8 = m.parse().ok()?;
    let d: u8 = d.parse().ok()?;
    if !(1900..=2199).contains(&y) {
        return None;
    }
    Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()
}

/// A whole number as typed, in either digits, with commas allowed (`১,২০,০০০`).
fn parse_uint(s: &str) -> Option<u64> {
    let d: String = latin(s.trim()).chars().filter(|c| *c != ',').collect();
    if d.is_empty() || d.len() > 12 || !d.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    d.parse().ok()
}

/// Whether a name is written in English letters (the English name).
fn is_latin_name(s: &str) -> bool {
    s.chars().any(|c| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphabetic() || matches!(c, ' ' | '.' | '-' | '\'' | ','))
}

/// The expiry a type's certificate carries: a trade licence runs to the end of its fiscal
/// year (30 June); other types have none.
pub fn expiry(t: &CertType, fields: &Map<String, Json>) -> Option<Date> {
    if !t.needs_expiry {
        return None;
    }
    let start: i32 = fields
        .get("fiscal_year")
        .and_then(Json::as_str)
        .and_then(|s| s.get(..4))
        .and_then(|y| y.parse().ok())?;
    Date::from_calendar_date(start + 1, Month::June, 30).ok()
}

/// The record JSON an approval of `application` seals: its type and fields, the office,
/// issued `today`, and the type's expiry. [`Record::from_json`] reads it.
pub fn record_json(
    cert_type: &CertType,
    fields: &Map<String, Json>,
    office: &str,
    today: Date,
) -> Json {
    let mut r = json!({
        "type": cert_type.key,
        "office": office,
        "issued": sonod_keys::format_date(today),
        "fields": fields,
    });
    if let Some(e) = expiry(cert_type, fields) {
        r["expires"] = json!(sonod_keys::format_date(e.max(today)));
    }
    r
}

/// The record field a [`RecordError`] is about, when it names one.
fn record_error_field(e: &RecordError) -> &str {
    match e {
        RecordError::Invalid { field, .. } => field,
        RecordError::MissingField(f) => f,
        RecordError::Date { field, .. } => field,
        RecordError::FieldNotForType { field, .. } => field,
        RecordError::IdentityRequired => "nid",
        _ => "form",
    }
}

/// Checks what was typed for type `t` against the office's `wards`: every field with its
/// own message, then the whole record as the approval will seal it (`office`, issued
/// `today`). All errors at once, in form order.
pub fn check(
    t: &'static CertType,
    input: &FormInput,
    wards: &[u16],
    office: &str,
    today: Date,
) -> Result<Checked, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut fields = Map::new();
    let mut extra = Map::new();
    let mut ward = 0u16;
    let mut mobile = String::new();
    for section in sections(t) {
        for i in section.inputs {
            let key = i.key;
            // Where the value goes: the record when the type has the field, else `extra`.
            let in_record = has(t, key);
            match i.kind {
                FieldKind::Persons => {
                    let rows = input.persons.get(key).map(Vec::as_slice).unwrap_or(&[]);
                    let mut out = Vec::new();
                    for (n, row) in rows.iter().enumerate() {
                        if row.is_empty() {
                            continue;
                        }
                        let mut person = Map::new();
                        for (part, v) in [("name", &row.name), ("relation", &row.relation)] {
                            let name = format!("{key}.{n}.{part}");
                            match clean(v) {
                                Ok(s) if s.is_empty() => {
                                    errors.push(FieldError::new(&name, "apply-err-required", &[]))
                                }
                                Ok(s) => {
                                    person.insert(part.into(), s.into());
                                }
                                Err(id) => errors.push(FieldError::new(&name, id, &[])),
                            }
                        }
                        if !row.age.trim().is_empty() {
                            match parse_uint(&row.age).filter(|a| *a <= 150) {
                                Some(a) => {
                                    person.insert("age".into(), a.into());
                                }
                                None => errors.push(FieldError::new(
                                    &format!("{key}.{n}.age"),
                                    "apply-err-age",
                                    &[],
                                )),
                            }
                        }
                        out.push(Json::Object(person));
                    }
                    if out.is_empty() && i.required {
                        errors.push(FieldError::new(key, "apply-err-rows", &[]));
                    } else if !out.is_empty() {
                        fields.insert(key.into(), out.into());
                    }
                }
                FieldKind::TextList => {
                    let rows = input.lists.get(key).map(Vec::as_slice).unwrap_or(&[]);
                    let mut out = Vec::new();
                    for (n, v) in rows.iter().enumerate() {
                        match clean(v) {
                            Ok(s) if s.is_empty() => {}
                            Ok(s) => out.push(Json::from(s)),
                            Err(id) => errors.push(FieldError::new(&format!("{key}.{n}"), id, &[])),
                        }
                    }
                    if out.is_empty() && i.required {
                        errors.push(FieldError::new(key, "apply-err-rows", &[]));
                    } else if !out.is_empty() {
                        fields.insert(key.into(), out.into());
                    }
                }
                kind => {
                    let raw = input.value(key);
                    if raw.is_empty() {
                        if i.required {
                            errors.push(FieldError::new(key, "apply-err-required", &[]));
                        }
                        continue;
                    }
                    let value: Result<Json, FieldError> = match kind {
                        FieldKind::Nid => raw
                            .parse::<sonod_seal::Nid>()
                            .map(|n| n.as_str().into())
                            .map_err(|_| FieldError::new(key, "apply-err-nid", &[])),
                        FieldKind::Brn => raw
                            .parse::<sonod_seal::Brn>()
                            .map(|n| n.as_str().into())
                            .map_err(|_| FieldError::new(key, "apply-err-brn", &[])),
                        FieldKind::Mobile => match raw.parse::<Mobile>() {
                            Ok(m) => {
                                mobile = m.as_str().trim_start_matches("+88").to_owned();
                                Ok(m.as_str().into())
                            }
                            Err(_) => Err(FieldError::new(key, "apply-err-mobile", &[])),
                        },
                        FieldKind::Date => match parse_date(raw) {
                            Some(d) if d > today => {
                                Err(FieldError::new(key, "apply-err-future", &[]))
                            }
                            Some(d) => Ok(sonod_keys::format_date(d).into()),
                            None => Err(FieldError::new(key, "apply-err-date", &[])),
                        },
                        FieldKind::Uint if key == "ward" => {
                            match parse_uint(raw)
                                .and_then(|w| u16::try_from(w).ok())
                                .filter(|w| wards.contains(w))
                            {
                                Some(w) => {
                                    ward = w;
                                    Ok(w.into())
                                }
                                None => Err(FieldError::new(key, "apply-err-ward", &[])),
                            }
                        }
                        FieldKind::Uint => parse_uint(raw)
                            .map(Json::from)
                            .ok_or_else(|| FieldError::new(key, "apply-err-number", &[])),
                        FieldKind::FiscalYear => {
                            let typed = latin(raw).replace('/', "-");
                            let ok = typed.split_once('-').is_some_and(|(a, b)| {
                                a.len() == 4
                                    && a.parse::<u16>().is_ok_and(|y| {
                                        (1971..=2199).contains(&y)
                                            && (b == format!("{:02}", (y + 1) % 100)
                                                || b == (y + 1).to_string())
                                    })
                            });
                            let start: i32 =
                                typed.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
                            let ended = Date::from_calendar_date(start + 1, Month::June, 30)
                                .is_ok_and(|end| end < today);
                            if ok && ended {
                                Err(FieldError::new(key, "apply-err-fiscal-year-past", &[]))
                            } else if ok {
                                Ok(format!("{start}-{:02}", (start + 1) % 100).into())
                            } else {
                                Err(FieldError::new(key, "apply-err-fiscal-year", &[]))
                            }
                        }
                        _ => match clean(raw) {
                            Ok(s) if key == "name_en" && !is_latin_name(&s) => {
                                Err(FieldError::new(key, "apply-err-latin", &[]))
                            }
                            Ok(s) => Ok(s.into()),
                            Err(id) => Err(FieldError::new(key, id, &[])),
                        },
                    };
                    match value {
                        Ok(v) if in_record => {
                            fields.insert(key.into(), v);
                        }
                        Ok(v) => {
                            extra.insert(key.into(), v);
                        }
                        Err(e) => errors.push(e),
                    }
                }
            }
        }
    }
    if t.needs_identity
        && input.value("nid").is_empty()
        && input.value("brn").is_empty()
        && !errors.iter().any(|e| e.field == "nid")
    {
        errors.push(FieldError::new("nid", "apply-err-identity", &[]));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if has(t, "address") {
        let part = |k: &str| extra.get(k).and_then(Json::as_str).unwrap_or_default();
        let address = crate::l10n::bn_args(
            "apply-address-composed",
            &[
                ("post_office", part("post_office")),
                ("upazila", part("upazila")),
                ("district", part("district")),
            ],
        );
        match clean(&address) {
            Ok(a) => {
                fields.insert("address".into(), a.into());
            }
            Err(_) => errors.push(FieldError::new("post_office", "apply-err-address", &[])),
        }
    }
    // The whole record as the approval will seal it: the schema's own check has the last word.
    match Record::from_json(&record_json(t, &fields, office, today)) {
        Ok(record) => {
            let canonical = record.to_json();
            if let Some(Json::Object(f)) = canonical.get("fields") {
                fields = f.clone();
            }
        }
        Err(e) => {
            let text = e.to_string();
            let (bn, en) = text.split_once(" / ").unwrap_or((&text, &text));
            errors.push(FieldError {
                field: record_error_field(&e).to_owned(),
                bn: bn.to_owned(),
                en: en.to_owned(),
            });
        }
    }
    if errors.is_empty() {
        Ok(Checked {
            fields,
            extra,
            ward,
            mobile,
        })
    } else {
        Err(errors)
    }
}

/// The content type of a supporting document, found from its first bytes (never its name):
/// JPEG, PNG or PDF; `None` for anything else.
pub fn document_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        return Some("application/pdf");
    }
    match image::guess_format(bytes) {
        Ok(image::ImageFormat::Jpeg) => Some("image/jpeg"),
        Ok(image::ImageFormat::Png) => Some("image/png"),
        _ => None,
    }
}

/// A document's label as kept: its file name's last part, NFC, at most 100 characters, no
/// control characters.
pub fn document_label(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = sonod_seal::text::normalize(base)
        .chars()
        .filter(|c| !c.is_control())
        .take(100)
        .collect();
    if clean.trim().is_empty() {
        "document".into()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sonod_seal::cert_type_by_key;

    fn today() -> Date {
        Date::from_calendar_date(2026, Month::December, 6).unwrap()
    }

    fn citizen() -> FormInput {
        FormInput::from_pairs([
            ("nid", "১৯৯০১২৩৪৫৬"),
            ("name", "রহিম  উদ্দিন"),
            ("name_en", "Rahim Uddin"),
            ("father", "করিম উদ্দিন"),
            ("mother", "রোকেয়া বেগম"),
            ("dob", "০৫-০৩-১৯৯০"),
            ("village", "বাজার পাড়া"),
            ("ward", "৩"),
            ("post_office", "সাভার"),
            ("upazila", "সাভার"),
            ("district", "ঢাকা"),
            ("mobile", "০১৭১১১২২৩৩৪"),
        ])
    }

    #[test]
    fn a_citizenship_form_in_bangla_digits_makes_a_valid_record() {
        let t = cert_type_by_key("citizenship").unwrap();
        let c = check(t, &citizen(), &[1, 2, 3], "100524", today()).unwrap();
        assert_eq!(c.ward, 3);
        assert_eq!(c.mobile, "01711122334");
        assert_eq!(c.fields["nid"], "1990123456");
        assert_eq!(c.fields["name"], "রহিম উদ্দিন");
        assert_eq!(c.fields["dob"], "1990-03-05");
        assert_eq!(c.fields["ward"], 3);
        assert_eq!(c.extra["name_en"], "Rahim Uddin");
        assert!(c.fields["address"].as_str().unwrap().contains("ঢাকা"));
        Record::from_json(&record_json(t, &c.fields, "100524", today())).unwrap();
    }

    #[test]
    fn every_bad_field_has_its_own_message() {
        let t = cert_type_by_key("citizenship").unwrap();
        let mut input = citizen();
        for (k, v) in [
            ("nid", "12345"),
            ("name_en", "রহিম"),
            ("dob", "2030-01-01"),
            ("ward", "9"),
            ("mobile", "0123"),
        ] {
            input.values.insert(k.into(), v.into());
        }
        input.values.remove("mother");
        let errors = check(t, &input, &[1, 2, 3], "100524", today()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["nid", "name_en", "mother", "dob", "ward", "mobile"]
        );
        assert!(errors.iter().all(|e| !e.bn.is_empty() && !e.en.is_empty()));
    }

    #[test]
    fn heirs_rows_and_trade_licence_lists() {
        let w = cert_type_by_key("warish").unwrap();
        let mut input = citizen();
        input.values.insert("deceased".into(), "আব্দুল করিম".into());
        input
            .values
            .insert("death_date".into(), "2025-01-02".into());
        let input2 = FormInput::from_pairs([
            ("heirs.0.name", "রহিম"),
            ("heirs.0.relation", "পুত্র"),
            ("heirs.0.age", "৪০"),
            ("heirs.2.name", "করিমা"),
        ]);
        input.persons = input2.persons;
        let errors = check(w, &input, &[3], "100524", today()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "heirs.2.relation");
        input.persons.get_mut("heirs").unwrap()[2].relation = "কন্যা".into();
        let c = check(w, &input, &[3], "100524", today()).unwrap();
        assert_eq!(c.fields["heirs"].as_array().unwrap().len(), 2);
        // Round trip for correction.
        let back = FormInput::from_application(&Application {
            id: 1,
            cert_type: "warish".into(),
            fields: c.fields.clone(),
            extra: c.extra.clone(),
            ward: c.ward,
            mobile: c.mobile.clone(),
            status: crate::applications::Status::SentBack,
            approvals: vec![],
            payment: None,
            documents: vec![],
            entered_by: None,
            held: false,
            serial: None,
            history: vec![],
            created_at: 0,
            updated_at: 0,
        });
        assert_eq!(back.persons["heirs"][0].age, "40");

        let t = cert_type_by_key("trade_licence").unwrap();
        let mut input = citizen();
        input
            .values
            .insert("business_name".into(), "রহিম স্টোর".into());
        input.values.insert("business_kind".into(), "মুদি".into());
        input.values.insert("fiscal_year".into(), "২০২৬-২৭".into());
        let errors = check(t, &input, &[3], "100524", today()).unwrap_err();
        assert_eq!(errors[0].field, "owners");
        input
            .lists
            .insert("owners".into(), vec!["রহিম".into(), " ".into()]);
        let c = check(t, &input, &[3], "100524", today()).unwrap();
        assert_eq!(c.fields["fiscal_year"], "2026-27");
        let mut past = input.clone();
        past.values.insert("fiscal_year".into(), "2024-25".into());
        let errors = check(t, &past, &[3], "100524", today()).unwrap_err();
        assert_eq!(errors[0].field, "fiscal_year");
        // 2025-26 ended on 30 June 2026.
        past.values.insert("fiscal_year".into(), "2025-26".into());
        assert_eq!(
            check(t, &past, &[3], "100524", today()).unwrap_err()[0].field,
            "fiscal_year"
        );
        assert_eq!(
            c.extra["name"], "রহিম উদ্দিন",
            "no name field: kept in extra"
        );
        let r = Record::from_json(&record_json(t, &c.fields, "100524", today())).unwrap();
        assert_eq!(
            r.expires(),
            Date::from_calendar_date(2027, Month::June, 30).ok()
        );
    }

    #[test]
    fn documents_are_typed_by_content() {
        assert_eq!(document_type(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(
            document_type(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Some("image/png")
        );
        assert_eq!(
            document_type(b"\xff\xd8\xff\xe0\0\x10JFIF"),
            Some("image/jpeg")
        );
        assert_eq!(document_type(b"MZ\x90\0"), None);
        assert_eq!(document_label("C:\\x\\scan.pdf"), "scan.pdf");
    }
}
