//! The payload: a CBOR map with small integer keys, the certificate's signed facts.
//!
//! ```text
//! { 0: version (1), 1: office (uint), 2: serial (uint), 3: type (uint),
//!   4: issued (days since 1970-01-01), ? 5: expires (days), 6: { field id: value } }
//! ```
//! Decoding rebuilds the certificate and re-encodes it: input that is not byte for byte the
//! encoding Sonod would have made is refused, so every certificate has one signed form.

use std::collections::BTreeMap;

use ciborium::value::Value as Cbor;
use time::Date;

use crate::cert_type::{cert_type_by_code, field_by_id, FieldKind};
use crate::error::{DecodeError, SealError};
use crate::identity::{Brn, Mobile, Nid};
use crate::record::{
    clean_text_owned, parse_office, Person, Record, Value, MAX_LIST_ITEMS, MAX_YEAR, MIN_YEAR,
};
use crate::text;

/// The format version written into every payload.
pub const FORMAT_VERSION: u64 = 1;

mod key {
    pub const VERSION: u64 = 0;
    pub const OFFICE: u64 = 1;
    pub const SERIAL: u64 = 2;
    pub const TYPE: u64 = 3;
    pub const ISSUED: u64 = 4;
    pub const EXPIRES: u64 = 5;
    pub const FIELDS: u64 = 6;
}

/// A sealed certificate's content: its serial and the signed part of its record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// The office's serial number, from 1, never reused.
    pub serial: u64,
    /// The signed facts.
    pub record: Record,
}

impl Certificate {
    /// Pairs a serial with the part of `record` that is signed.
    pub fn new(serial: u64, record: &Record) -> Certificate {
        Certificate {
            serial,
            record: record.signed_part(),
        }
    }
}

fn uint(n: u64) -> Cbor {
    Cbor::Integer(n.into())
}

fn days(d: Date) -> Cbor {
    Cbor::Integer(i64::from(d.to_julian_day() - EPOCH_JULIAN_DAY).into())
}

/// Julian day number of 1970-01-01.
const EPOCH_JULIAN_DAY: i32 = 2_440_588;

fn text_value(s: &str) -> Result<Cbor, SealError> {
    Ok(if text::wants_compact(s) {
        Cbor::Bytes(text::encode(s)?)
    } else {
        Cbor::Text(s.to_owned())
    })
}

/// A digit string: an integer when it has no leading zero (half the bytes), else text.
fn digits(d: &str) -> Cbor {
    match d.parse::<u64>() {
        Ok(n) if !d.starts_with('0') => uint(n),
        _ => Cbor::Text(d.to_owned()),
    }
}

fn value_cbor(v: &Value) -> Result<Cbor, SealError> {
    Ok(match v {
        Value::Text(s) => text_value(s)?,
        Value::Nid(n) => digits(n.as_str()),
        Value::Brn(n) => digits(n.as_str()),
        // +8801XXXXXXXXX is stored as the integer 1XXXXXXXXX.
        Value::Mobile(m) => digits(m.as_str().trim_start_matches("+880")),
        Value::Uint(n) => uint(*n),
        Value::Date(d) => days(*d),
        Value::FiscalYear(y) => uint(u64::from(*y)),
        Value::TextList(l) => {
            Cbor::Array(l.iter().map(|s| text_value(s)).collect::<Result<_, _>>()?)
        }
        Value::Persons(ps) => Cbor::Array(
            ps.iter()
                .map(|p| {
                    let mut a = vec![text_value(&p.name)?, text_value(&p.relation)?];
                    if let Some(age) = p.age {
                        a.push(uint(u64::from(age)));
                    }
                    Ok(Cbor::Array(a))
                })
                .collect::<Result<_, SealError>>()?,
        ),
    })
}

/// Encodes a certificate's payload.
pub(crate) fn encode(cert: &Certificate) -> Result<Vec<u8>, SealError> {
    if cert.serial == 0 {
        return Err(SealError::ZeroSerial);
    }
    let r = &cert.record;
    let mut fields = Vec::new();
    for (f, v) in r.fields() {
        if r.cert_type.field_use(f.key).is_some_and(|u| u.signed) {
            fields.push((uint(u64::from(f.id)), value_cbor(v)?));
        }
    }
    let mut map = vec![
        (uint(key::VERSION), uint(FORMAT_VERSION)),
        (uint(key::OFFICE), digits(&r.office)),
        (uint(key::SERIAL), uint(cert.serial)),
        (uint(key::TYPE), uint(u64::from(r.cert_type.code))),
        (uint(key::ISSUED), days(r.issued)),
    ];
    if let Some(e) = r.expires {
        map.push((uint(key::EXPIRES), days(e)));
    }
    map.push((uint(key::FIELDS), Cbor::Map(fields)));
    let mut out = Vec::with_capacity(256);
    ciborium::into_writer(&Cbor::Map(map), &mut out)
        .map_err(|_| SealError::TooLarge(usize::MAX))?;
    Ok(out)
}

/// Decodes and validates a payload. The version is checked first, so a future format is
/// reported as such rather than as malformed.
pub(crate) fn decode(bytes: &[u8]) -> Result<Certificate, DecodeError> {
    let mut reader = bytes;
    let value: Cbor = ciborium::de::from_reader_with_recursion_limit(&mut reader, 8)
        .map_err(|e| DecodeError::Cbor(e.to_string()))?;
    if !reader.is_empty() {
        return Err(DecodeError::Cbor("trailing bytes after the payload".into()));
    }
    let Cbor::Map(entries) = value else {
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
    if version != FORMAT_VERSION {
        return Err(DecodeError::UnsupportedVersion(version));
    }
    if let Some(k) = claims.keys().find(|k| **k > key::FIELDS) {
        return Err(DecodeError::UnknownClaim(k.to_string()));
    }
    let take = |k: u64, name: &'static str| claims.get(&k).ok_or(DecodeError::MissingClaim(name));
    let office = as_u64(take(key::OFFICE, "office")?)
        .and_then(|n| parse_office(&n.to_string()).ok())
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
    let Cbor::Map(raw_fields) = take(key::FIELDS, "fields")? else {
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
    let record = Record::new(cert_type, office, issued, expires, fields)?;
    let cert = Certificate { serial, record };
    // One signed form per certificate: key order, integer sizes, the text encoding chosen,
    // white space and digits must all be exactly what the encoder writes.
    if encode(&cert).ok().as_deref() != Some(bytes) {
        return Err(DecodeError::NonCanonical);
    }
    Ok(cert)
}

fn as_u64(v: &Cbor) -> Option<u64> {
    match v {
        Cbor::Integer(i) => u64::try_from(*i).ok(),
        _ => None,
    }
}

fn as_date(v: &Cbor) -> Option<Date> {
    let Cbor::Integer(i) = v else { return None };
    let d = i32::try_from(i128::from(*i)).ok()?;
    let date = Date::from_julian_day(EPOCH_JULIAN_DAY.checked_add(d)?).ok()?;
    (MIN_YEAR..=MAX_YEAR).contains(&date.year()).then_some(date)
}

fn decode_text(field: &'static str, v: &Cbor) -> Result<String, DecodeError> {
    // Compact text is refused unless it decodes to NFC: no need to look again.
    let (s, known_nfc) = match v {
        Cbor::Text(s) => (s.clone(), false),
        Cbor::Bytes(b) => (text::decode(b)?, true),
        _ => return Err(DecodeError::BadValue(field)),
    };
    Ok(clean_text_owned(field, s, known_nfc)?)
}

/// The digit string [`digits`] wrote; the re-encoding check refuses the other form.
fn decode_digits(field: &'static str, v: &Cbor) -> Result<String, DecodeError> {
    match v {
        Cbor::Integer(_) => as_u64(v)
            .map(|n| n.to_string())
            .ok_or(DecodeError::BadValue(field)),
        Cbor::Text(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => Ok(s.clone()),
        _ => Err(DecodeError::BadValue(field)),
    }
}

fn decode_list<'a>(field: &'static str, v: &'a Cbor) -> Result<&'a [Cbor], DecodeError> {
    match v {
        Cbor::Array(a) if !a.is_empty() && a.len() <= MAX_LIST_ITEMS => Ok(a),
        _ => Err(DecodeError::BadValue(field)),
    }
}

fn decode_value(field: &'static str, kind: FieldKind, v: &Cbor) -> Result<Value, DecodeError> {
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
                    Cbor::Array(a) if a.len() == 2 || a.len() == 3 => Ok(Person {
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

    #[test]
    fn identity_numbers_are_integers_unless_they_start_with_zero() {
        assert_eq!(digits("19901234567890123"), uint(19_901_234_567_890_123));
        assert_eq!(digits("0123456789"), Cbor::Text("0123456789".into()));
        let mut c = cert();
        c.record
            .fields
            .insert(5, Value::Nid("0123456789".parse().unwrap()));
        let bytes = encode(&c).unwrap();
        assert_eq!(decode(&bytes).unwrap(), c);
        let m = Value::Mobile("01712345678".parse().unwrap());
        let cbor = value_cbor(&m).unwrap();
        assert_eq!(cbor, uint(1_712_345_678));
        assert_eq!(decode_value("mobile", FieldKind::Mobile, &cbor).unwrap(), m);
    }

    #[test]
    fn future_versions_are_unsupported_not_malformed() {
        let mut bytes = encode(&cert()).unwrap();
        bytes[2] = 0x02;
        assert_eq!(decode(&bytes), Err(DecodeError::UnsupportedVersion(2)));
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
