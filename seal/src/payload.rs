//! The payload: a CBOR map with small integer keys, the certificate's signed facts.
//!
//! ```text
//! { 0: version (1), 1: office (uint), 2: serial (uint), 3: type (uint),
//!   4: issued (days since 1970-01-01), ? 5: expires (days), 6: { field id: value } }
//! ```
//! Version 2 adds claim 7, `sealed` (days): the day a re-sealed certificate was signed, after
//! its issue day. A certificate sealed on its issue day stays version 1, byte for byte.
//! Decoding rebuilds the certificate and re-encodes it: input that is not byte for byte the
//! encoding Sonod would have made is refused, so every certificate has one signed form.

use std::collections::BTreeMap;

use ciborium_ll::Header;
use sonod_keys::OfficeCode;
use time::Date;

use crate::cert_type::{cert_type_by_code, field_by_id, FieldKind};
use crate::error::{DecodeError, SealError};
use crate::identity::{Brn, Mobile, Nid};
use crate::record::{clean_text_owned, Person, Record, Value, MAX_LIST_ITEMS, MAX_YEAR, MIN_YEAR};
use crate::text;

/// The format version written into every payload sealed on its issue day.
pub const FORMAT_VERSION: u64 = 1;
/// The format version of a payload re-sealed after its issue day (claim 7, `sealed`).
pub const RESEALED_VERSION: u64 = 2;

mod key {
    pub const VERSION: u64 = 0;
    pub const OFFICE: u64 = 1;
    pub const SERIAL: u64 = 2;
    pub const TYPE: u64 = 3;
    pub const ISSUED: u64 = 4;
    pub const EXPIRES: u64 = 5;
    pub const FIELDS: u64 = 6;
    pub const SEALED: u64 = 7;
}

/// A sealed certificate's content: its serial and the signed part of its record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// The office's serial number, from 1, never reused.
    pub serial: u64,
    /// The signed facts.
    pub record: Record,
    /// The day it was sealed, when that is after its issue day (a re-sealed certificate:
    /// payload version 2, claim 7); `None` when sealed on its issue day.
    pub sealed: Option<Date>,
}

impl Certificate {
    /// Pairs a serial with the part of `record` that is signed.
    pub fn new(serial: u64, record: &Record) -> Certificate {
        Certificate {
            serial,
            record: record.signed_part(),
            sealed: None,
        }
    }

    /// The certificate re-sealed on `on` (same serial and facts, a new signature): the day is
    /// kept (claim 7) when it is after the issue day, so that a verifier holds the new key's
    /// window against the day it signed, not the original issue day.
    pub fn resealed(serial: u64, record: &Record, on: Date) -> Certificate {
        let mut c = Certificate::new(serial, record);
        c.sealed = (on > c.record.issued()).then_some(on);
        c
    }

    /// The day the signature was made: the `sealed` day, else the issue day. A key's signing
    /// window is held against this day.
    pub fn sealed_on(&self) -> Date {
        self.sealed.unwrap_or_else(|| self.record.issued())
    }
}

/// Julian day number of 1970-01-01.
const EPOCH_JULIAN_DAY: i32 = 2_440_588;

/// Nesting deeper than a payload has (claims → fields → persons → a person) is refused
/// before it is read.
const MAX_DEPTH: usize = 4;

/// The payload's writer: CBOR headers through `ciborium_ll`, straight into the output (no
/// value tree in between: sealing and the re-encoding check run on every certificate).
struct Writer<'a>(&'a mut Vec<u8>);

impl Writer<'_> {
    // Writing into a `Vec` cannot fail; the errors are only the writer's type.
    fn header(&mut self, h: Header) {
        let _ = ciborium_ll::Encoder::from(&mut *self.0).push(h);
    }

    fn uint(&mut self, n: u64) {
        self.header(Header::Positive(n));
    }

    fn days(&mut self, d: Date) {
        let n = i64::from(d.to_julian_day() - EPOCH_JULIAN_DAY);
        self.header(match u64::try_from(n) {
            Ok(n) => Header::Positive(n),
            // CBOR's negative integer -1 - m carries m = !n.
            Err(_) => Header::Negative(!n as u64),
        });
    }

    /// Text with a Bengali letter in compact form (bytes), other text as a CBOR text string.
    fn text(&mut self, s: &str) -> Result<(), SealError> {
        if text::wants_compact(s) {
            self.header(Header::Bytes(Some(text::encoded_len(s))));
            text::encode_into(s, self.0)?;
        } else {
            self.header(Header::Text(Some(s.len())));
            self.0.extend_from_slice(s.as_bytes());
        }
        Ok(())
    }

    /// A digit string: an integer when it has no leading zero (half the bytes), else text.
    fn digits(&mut self, d: &str) {
        match d.parse::<u64>() {
            Ok(n) if !d.starts_with('0') => self.uint(n),
            _ => {
                self.header(Header::Text(Some(d.len())));
                self.0.extend_from_slice(d.as_bytes());
            }
        }
    }

    fn value(&mut self, v: &Value) -> Result<(), SealError> {
        match v {
            Value::Text(s) => self.text(s)?,
            Value::Nid(n) => self.digits(n.as_str()),
            Value::Brn(n) => self.digits(n.as_str()),
            // +8801XXXXXXXXX is stored as the integer 1XXXXXXXXX.
            Value::Mobile(m) => self.digits(m.as_str().trim_start_matches("+880")),
            Value::Uint(n) => self.uint(*n),
            Value::Date(d) => self.days(*d),
            Value::FiscalYear(y) => self.uint(u64::from(*y)),
            Value::TextList(l) => {
                self.header(Header::Array(Some(l.len())));
                for s in l {
                    self.text(s)?;
                }
            }
            Value::Persons(ps) => {
                self.header(Header::Array(Some(ps.len())));
                for p in ps {
                    self.header(Header::Array(Some(2 + usize::from(p.age.is_some()))));
                    self.text(&p.name)?;
                    self.text(&p.relation)?;
                    if let Some(age) = p.age {
                        self.uint(u64::from(age));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Encodes a certificate's payload.
pub(crate) fn encode(cert: &Certificate) -> Result<Vec<u8>, SealError> {
    if cert.serial == 0 {
        return Err(SealError::ZeroSerial);
    }
    let r = &cert.record;
    let mut fields = Vec::with_capacity(r.fields.len());
    fields.extend(
        r.fields()
            .filter(|(f, _)| r.cert_type.field_use(f.key).is_some_and(|u| u.signed)),
    );
    let mut out = Vec::with_capacity(256);
    let mut w = Writer(&mut out);
    if cert.sealed.is_some_and(|d| d <= r.issued) {
        return Err(SealError::SealedNotAfterIssue);
    }
    w.header(Header::Map(Some(
        6 + usize::from(r.expires.is_some()) + usize::from(cert.sealed.is_some()),
    )));
    w.uint(key::VERSION);
    w.uint(if cert.sealed.is_some() {
        RESEALED_VERSION
    } else {
        FORMAT_VERSION
    });
    w.uint(key::OFFICE);
    w.digits(&r.office);
    w.uint(key::SERIAL);
    w.uint(cert.serial);
    w.uint(key::TYPE);
    w.uint(u64::from(r.cert_type.code));
    w.uint(key::ISSUED);
    w.days(r.issued);
    if let Some(e) = r.expires {
        w.uint(key::EXPIRES);
        w.days(e);
    }
    w.uint(key::FIELDS);
    w.header(Header::Map(Some(fields.len())));
    for (f, v) in fields {
        w.uint(u64::from(f.id));
        w.value(v)?;
    }
    if let Some(d) = cert.sealed {
        w.uint(key::SEALED);
        w.days(d);
    }
    Ok(out)
}

/// A CBOR data item of a payload, borrowing its text and bytes from the input.
#[derive(Debug, Clone, PartialEq)]
enum Item<'a> {
    Uint(u64),
    /// A negative integer -1 - m, holding m.
    Negative(u64),
    Text(&'a str),
    Bytes(&'a [u8]),
    Array(Vec<Item<'a>>),
    Map(Vec<(Item<'a>, Item<'a>)>),
    /// A float or a simple value (false, true, null, …): never in a payload.
    Other,
}

/// Reads CBOR items from a payload: headers through `ciborium_ll`, contents borrowed.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn header(&mut self) -> Result<Header, DecodeError> {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        let mut d = ciborium_ll::Decoder::from(rest);
        let h = d.pull().map_err(|e| {
            DecodeError::Cbor(match e {
                ciborium_ll::Error::Io(_) => "the payload ends inside a CBOR item".into(),
                ciborium_ll::Error::Syntax(at) => {
                    format!("malformed CBOR at byte {}", self.pos + at)
                }
            })
        })?;
        self.pos += d.offset();
        Ok(h)
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], DecodeError> {
        let end = self
            .pos
            .checked_add(len)
            .filter(|end| *end <= self.bytes.len())
            .ok_or_else(|| DecodeError::Cbor("the payload ends inside a CBOR item".into()))?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    /// Room for `n` items: each takes at least a byte, so what is left bounds it.
    fn room(&self, n: usize) -> usize {
        n.min(self.bytes.len().saturating_sub(self.pos))
    }

    fn item(&mut self, depth: usize) -> Result<Item<'a>, DecodeError> {
        Ok(match self.header()? {
            Header::Positive(n) => Item::Uint(n),
            Header::Negative(n) => Item::Negative(n),
            Header::Bytes(Some(len)) => Item::Bytes(self.take(len)?),
            Header::Text(Some(len)) => Item::Text(
                std::str::from_utf8(self.take(len)?)
                    .map_err(|_| DecodeError::Cbor("a CBOR text string is not UTF-8".into()))?,
            ),
            Header::Array(Some(_)) | Header::Map(Some(_)) if depth >= MAX_DEPTH => {
                return Err(DecodeError::Cbor("CBOR nested too deeply".into()));
            }
            Header::Array(Some(n)) => {
                let mut items = Vec::with_capacity(self.room(n));
                for _ in 0..n {
                    items.push(self.item(depth + 1)?);
                }
                Item::Array(items)
            }
            Header::Map(Some(n)) => {
                let mut entries = Vec::with_capacity(self.room(n));
                for _ in 0..n {
                    let k = self.item(depth + 1)?;
                    entries.push((k, self.item(depth + 1)?));
                }
                Item::Map(entries)
            }
            Header::Float(_) | Header::Simple(_) => Item::Other,
            // Indefinite lengths are a second encoding of what Sonod writes with definite ones.
            Header::Bytes(None)
            | Header::Text(None)
            | Header::Array(None)
            | Header::Map(None)
            | Header::Break => return Err(DecodeError::NonCanonical),
            Header::Tag(_) => {
                return Err(DecodeError::Cbor("a CBOR tag inside the payload".into()))
            }
        })
    }
}

/// Decodes and validates a payload. The version is checked first, so a future format is
/// reported as such rather than as malformed.
pub(crate) fn decode(bytes: &[u8]) -> Result<Certificate, DecodeError> {
    let mut reader = Reader { bytes, pos: 0 };
    let value = reader.item(0)?;
    if reader.pos != bytes.len() {
        return Err(DecodeError::Cbor("trailing bytes after the payload".into()));
    }
    let Item::Map(entries) = value else {
        return Err(DecodeError::Cbor("payload is not a map".into()));
    };
    let mut claims = BTreeMap::new();
    for (k, v) in entries {
        let k = as_u64(&k).ok_or_else(|| DecodeError::UnknownClaim(format!("{k:?}")))?;
        if claims.insert(k, v).is_some() {
            return Err(DecodeError::NonCanonical);
        }
    }
    let version = claims
        .get(&key::VERSION)
        .ok_or(DecodeError::MissingClaim("version"))?;
    let version = as_u64(version).ok_or(DecodeError::BadValue("version"))?;
    if version != FORMAT_VERSION && version != RESEALED_VERSION {
        return Err(DecodeError::UnsupportedVersion(version));
    }
    let last = if version == RESEALED_VERSION {
        key::SEALED
    } else {
        key::FIELDS
    };
    if let Some(k) = claims.keys().find(|k| **k > last) {
        return Err(DecodeError::UnknownClaim(k.to_string()));
    }
    let take = |k: u64, name: &'static str| claims.get(&k).ok_or(DecodeError::MissingClaim(name));
    let office = as_u64(take(key::OFFICE, "office")?)
        .and_then(OfficeCode::from_number)
        .ok_or(DecodeError::BadValue("office"))?;
    let serial = as_u64(take(key::SERIAL, "serial")?)
        .filter(|s| *s > 0)
        .ok_or(DecodeError::BadValue("serial"))?;
    let code = as_u64(take(key::TYPE, "type")?).ok_or(DecodeError::BadValue("type"))?;
    let cert_type = cert_type_by_code(code).ok_or(DecodeError::UnknownCertType(code))?;
    let issued = as_date(take(key::ISSUED, "issued")?).ok_or(DecodeError::BadValue("issued"))?;
    let expires = claims
        .get(&key::EXPIRES)
        .map(|v| as_date(v).ok_or(DecodeError::BadValue("expires")))
        .transpose()?;
    let Item::Map(raw_fields) = take(key::FIELDS, "fields")? else {
        return Err(DecodeError::BadValue("fields"));
    };
    let mut fields = BTreeMap::new();
    for (k, v) in raw_fields {
        let id = as_u64(k).ok_or(DecodeError::BadValue("field id"))?;
        let field = field_by_id(id).ok_or(DecodeError::UnexpectedField(id))?;
        if !cert_type.field_use(field.key).is_some_and(|u| u.signed) {
            return Err(DecodeError::UnexpectedField(id));
        }
        let value = decode_value(field.key, field.kind, v)?;
        if fields.insert(field.id, value).is_some() {
            return Err(DecodeError::NonCanonical);
        }
    }
    let sealed = match version {
        RESEALED_VERSION => Some(
            as_date(take(key::SEALED, "sealed")?)
                .filter(|d| *d > issued)
                .ok_or(DecodeError::BadValue("sealed"))?,
        ),
        _ => None,
    };
    let record = Record::new(cert_type, office, issued, expires, fields)?;
    let cert = Certificate {
        serial,
        record,
        sealed,
    };
    // One signed form per certificate: key order, integer sizes, the text encoding chosen,
    // white space and digits must all be exactly what the encoder writes.
    if encode(&cert).ok().as_deref() != Some(bytes) {
        return Err(DecodeError::NonCanonical);
    }
    Ok(cert)
}

fn as_u64(v: &Item<'_>) -> Option<u64> {
    match v {
        Item::Uint(n) => Some(*n),
        _ => None,
    }
}

fn as_date(v: &Item<'_>) -> Option<Date> {
    let d = match *v {
        Item::Uint(n) => i32::try_from(n).ok()?,
        // -1 - m, for m up to i32::MAX.
        Item::Negative(m) => -1 - i32::try_from(m).ok()?,
        _ => return None,
    };
    let date = Date::from_julian_day(EPOCH_JULIAN_DAY.checked_add(d)?).ok()?;
    (MIN_YEAR..=MAX_YEAR).contains(&date.year()).then_some(date)
}

fn decode_text(field: &'static str, v: &Item<'_>) -> Result<String, DecodeError> {
    // Compact text is refused unless it decodes to NFC: no need to look again.
    let (s, known_nfc) = match v {
        Item::Text(s) => ((*s).to_owned(), false),
        Item::Bytes(b) => (text::decode(b)?, true),
        _ => return Err(DecodeError::BadValue(field)),
    };
    Ok(clean_text_owned(field, s, known_nfc)?)
}

/// The digit string [`Writer::digits`] wrote; the re-encoding check refuses the other form.
fn decode_digits(field: &'static str, v: &Item<'_>) -> Result<String, DecodeError> {
    match v {
        Item::Uint(n) => Ok(n.to_string()),
        Item::Text(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            Ok((*s).to_owned())
        }
        _ => Err(DecodeError::BadValue(field)),
    }
}

fn decode_list<'v, 'a>(
    field: &'static str,
    v: &'v Item<'a>,
) -> Result<&'v [Item<'a>], DecodeError> {
    match v {
        Item::Array(a) if !a.is_empty() && a.len() <= MAX_LIST_ITEMS => Ok(a),
        _ => Err(DecodeError::BadValue(field)),
    }
}

fn decode_value(field: &'static str, kind: FieldKind, v: &Item<'_>) -> Result<Value, DecodeError> {
    let bad = || DecodeError::BadValue(field);
    Ok(match kind {
        FieldKind::Text => Value::Text(decode_text(field, v)?),
        FieldKind::Nid => Value::Nid(decode_digits(field, v)?.parse::<Nid>().map_err(|_| bad())?),
        FieldKind::Brn => Value::Brn(decode_digits(field, v)?.parse::<Brn>().map_err(|_| bad())?),
        FieldKind::Mobile => {
            let local = decode_digits(field, v)?;
            Value::Mobile(format!("0{local}").parse::<Mobile>().map_err(|_| bad())?)
        }
        FieldKind::Uint => Value::Uint(as_u64(v).ok_or_else(bad)?),
        FieldKind::Date => Value::Date(as_date(v).ok_or_else(bad)?),
        FieldKind::FiscalYear => Value::FiscalYear(
            as_u64(v)
                .and_then(|y| u16::try_from(y).ok())
                .filter(|y| (1971..=2199).contains(y))
                .ok_or_else(bad)?,
        ),
        FieldKind::TextList => Value::TextList(
            decode_list(field, v)?
                .iter()
                .map(|t| decode_text(field, t))
                .collect::<Result<_, _>>()?,
        ),
        FieldKind::Persons => Value::Persons(
            decode_list(field, v)?
                .iter()
                .map(|p| match p {
                    Item::Array(a) if a.len() == 2 || a.len() == 3 => Ok(Person {
                        name: decode_text(field, &a[0])?,
                        relation: decode_text(field, &a[1])?,
                        age: match a.get(2) {
                            None => None,
                            Some(x) => Some(
                                as_u64(x)
                                    .and_then(|n| u8::try_from(n).ok())
                                    .filter(|n| *n <= 150)
                                    .ok_or_else(bad)?,
                            ),
                        },
                    }),
                    _ => Err(bad()),
                })
                .collect::<Result<_, _>>()?,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert() -> Certificate {
        let r = Record::from_json_str(include_str!("../tests/data/benchmark-record.json")).unwrap();
        Certificate::new(42, &r)
    }

    #[test]
    fn round_trip_is_byte_for_byte() {
        let c = cert();
        let bytes = encode(&c).unwrap();
        let back = decode(&bytes).unwrap();
        assert_eq!(back, c);
        assert_eq!(encode(&back).unwrap(), bytes);
    }

    #[test]
    fn the_layout_is_as_documented() {
        let bytes = encode(&cert()).unwrap();
        // map(7), 0: 1, 1: 100524, 2: 42, 3: 1, ...
        assert_eq!(
            &bytes[..13],
            &[0xA7, 0x00, 0x01, 0x01, 0x1A, 0x00, 0x01, 0x88, 0xAC, 0x02, 0x18, 42, 0x03]
        );
    }

    /// CBOR of one value, as the payload writes it.
    fn written(v: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        Writer(&mut out).value(v).unwrap();
        out
    }

    fn read(bytes: &[u8]) -> Item<'_> {
        let mut r = Reader { bytes, pos: 0 };
        let item = r.item(0).unwrap();
        assert_eq!(r.pos, bytes.len());
        item
    }

    #[test]
    fn identity_numbers_are_integers_unless_they_start_with_zero() {
        let nid = |s: &str| Value::Nid(s.parse().unwrap());
        // 0x1B: an 8-byte unsigned integer follows.
        let mut int = vec![0x1B];
        int.extend_from_slice(&19_901_234_567_890_123u64.to_be_bytes());
        assert_eq!(written(&nid("19901234567890123")), int);
        assert_eq!(written(&nid("0123456789")), b"\x6A0123456789");
        let mut c = cert();
        c.record.fields.insert(5, nid("0123456789"));
        let bytes = encode(&c).unwrap();
        assert_eq!(decode(&bytes).unwrap(), c);
        let m = Value::Mobile("01712345678".parse().unwrap());
        let bytes = written(&m);
        assert_eq!(read(&bytes), Item::Uint(1_712_345_678));
        assert_eq!(
            decode_value("mobile", FieldKind::Mobile, &read(&bytes)).unwrap(),
            m
        );
    }

    /// The writer gives exactly the bytes of ciborium's own serializer (the encoding of every
    /// certificate sealed before it), and the reader reads them back.
    #[test]
    fn the_writer_matches_ciborium_and_the_reader_reads_it() {
        use ciborium::value::Value as Cbor;
        let cbor = |v: &Cbor| {
            let mut out = Vec::new();
            ciborium::into_writer(v, &mut out).unwrap();
            out
        };
        let date = |s: &str| {
            Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).unwrap()
        };
        let cases = [
            (Value::Uint(0), Cbor::Integer(0.into())),
            (Value::Uint(23), Cbor::Integer(23.into())),
            (Value::Uint(24), Cbor::Integer(24.into())),
            (Value::Uint(65_536), Cbor::Integer(65_536.into())),
            (Value::Uint(u64::MAX), Cbor::Integer(u64::MAX.into())),
            (Value::Date(date("1970-01-01")), Cbor::Integer(0.into())),
            (Value::Date(date("1969-12-31")), Cbor::Integer((-1).into())),
            (
                Value::Date(date("1950-06-15")),
                Cbor::Integer((-7140).into()),
            ),
            (
                Value::Date(date("2026-11-28")),
                Cbor::Integer(20_785.into()),
            ),
            (Value::Text("Karim".into()), Cbor::Text("Karim".into())),
            (
                Value::Text("করিম".into()),
                Cbor::Bytes(text::encode("করিম").unwrap()),
            ),
            (
                Value::Persons(vec![
                    Person {
                        name: "রহিম".into(),
                        relation: "son".into(),
                        age: Some(30),
                    },
                    Person {
                        name: "Rina".into(),
                        relation: "কন্যা".into(),
                        age: None,
                    },
                ]),
                Cbor::Array(vec![
                    Cbor::Array(vec![
                        Cbor::Bytes(text::encode("রহিম").unwrap()),
                        Cbor::Text("son".into()),
                        Cbor::Integer(30.into()),
                    ]),
                    Cbor::Array(vec![
                        Cbor::Text("Rina".into()),
                        Cbor::Bytes(text::encode("কন্যা").unwrap()),
                    ]),
                ]),
            ),
        ];
        for (value, expected) in cases {
            let bytes = written(&value);
            assert_eq!(bytes, cbor(&expected), "{value:?}");
            read(&bytes);
        }
        assert_eq!(
            read(&written(&Value::Date(date("1950-06-15")))),
            Item::Negative(7139)
        );
        assert_eq!(
            as_date(&read(&written(&Value::Date(date("1950-06-15"))))),
            Some(date("1950-06-15"))
        );
    }

    #[test]
    fn malformed_cbor_is_refused_without_a_panic() {
        let bytes = encode(&cert()).unwrap();
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        // A text string that is not UTF-8, an indefinite-length map, a tag, a float.
        assert!(matches!(
            decode(&[0xA1, 0x00, 0x62, 0xFF, 0xFE]),
            Err(DecodeError::Cbor(_))
        ));
        assert_eq!(
            decode(&[0xBF, 0x00, 0x01, 0xFF]),
            Err(DecodeError::NonCanonical)
        );
        assert!(matches!(decode(&[0xC1, 0x00]), Err(DecodeError::Cbor(_))));
        assert!(matches!(
            decode(&[0xA1, 0x00, 0xF9, 0x3C, 0x00]),
            Err(DecodeError::BadValue(_))
        ));
        // A map that claims more entries than there are bytes.
        assert!(matches!(
            decode(&[0xBB, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
            Err(DecodeError::Cbor(_))
        ));
    }

    #[test]
    fn future_versions_are_unsupported_not_malformed() {
        let mut bytes = encode(&cert()).unwrap();
        bytes[2] = 0x03;
        assert_eq!(decode(&bytes), Err(DecodeError::UnsupportedVersion(3)));
    }

    #[test]
    fn a_resealed_certificate_keeps_its_issue_day_and_the_day_it_was_sealed() {
        let c = cert();
        let issued = c.record.issued();
        // Sealed on the issue day: version 1, byte for byte as before.
        let same = Certificate::resealed(c.serial, &c.record, issued);
        assert_eq!(same.sealed, None);
        assert_eq!(encode(&same).unwrap(), encode(&c).unwrap());
        // Later: version 2 with claim 7 at the end.
        let on = issued + time::Duration::days(400);
        let re = Certificate::resealed(c.serial, &c.record, on);
        assert_eq!(re.sealed_on(), on);
        let bytes = encode(&re).unwrap();
        assert_eq!(bytes[2], 0x02, "version 2");
        let back = decode(&bytes).unwrap();
        assert_eq!(back, re);
        assert_eq!(back.record.issued(), issued);
        // A sealed day not after the issue day cannot be written.
        let mut bad = re.clone();
        bad.sealed = Some(issued);
        assert_eq!(encode(&bad), Err(SealError::SealedNotAfterIssue));
    }

    #[test]
    fn non_canonical_integers_are_refused() {
        let bytes = encode(&cert()).unwrap();
        // version 1 written as a two-byte integer (0x18 0x01).
        let mut long = vec![bytes[0], 0x00, 0x18, 0x01];
        long.extend_from_slice(&bytes[3..]);
        assert_eq!(decode(&long), Err(DecodeError::NonCanonical));
    }

    #[test]
    fn trailing_bytes_are_refused() {
        let mut bytes = encode(&cert()).unwrap();
        bytes.push(0);
        assert!(matches!(decode(&bytes), Err(DecodeError::Cbor(_))));
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let deep = vec![0x81; 10_000];
        assert!(matches!(decode(&deep), Err(DecodeError::Cbor(_))));
    }
}
