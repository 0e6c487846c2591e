//! The certificate types (the 14 services) and the fields they carry, as data: the tables
//! come from `seal/types.toml`, which `build.rs` checks and compiles in (a type is added or a
//! label changed there, not in Rust).
//!
//! A field has one number across all types, so the same fact is signed under the same CBOR
//! key whatever the certificate. Each type lists the fields it accepts, which are required,
//! and which are *signed* into the QR code; the others are printed on the paper only (an
//! address, a mobile number), which keeps the code small and personal data off it.

/// What a field holds, and so how it is read from JSON and written to CBOR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldKind {
    /// Free text (names, places), NFC-normalised, 1–200 characters.
    Text,
    /// A national identity card number, see [`crate::Nid`].
    Nid,
    /// A birth registration number, see [`crate::Brn`].
    Brn,
    /// A mobile number, see [`crate::Mobile`].
    Mobile,
    /// A whole number (ward, Taka amount).
    Uint,
    /// A calendar date.
    Date,
    /// People with their relation and age: heirs, family members.
    Persons,
    /// A list of texts: a business's owners.
    TextList,
    /// A fiscal year, July to June, written `2026-27`.
    FiscalYear,
}

/// One field of the registry.
#[derive(Debug, PartialEq, Eq)]
pub struct Field {
    /// The CBOR key in the payload's field map; never reused for another meaning.
    pub id: u8,
    /// The JSON key in records.
    pub key: &'static str,
    /// What it holds.
    pub kind: FieldKind,
    /// Label in Bangla.
    pub label_bn: &'static str,
    /// Label in English.
    pub label_en: &'static str,
}

// FIELDS and CERT_TYPES: generated from `seal/types.toml` by `seal/build.rs`.
include!(concat!(env!("OUT_DIR"), "/registry.rs"));

/// Looks a field up by its JSON key.
pub fn field_by_key(key: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.key == key)
}

/// Looks a field up by its CBOR id.
pub fn field_by_id(id: u64) -> Option<&'static Field> {
    FIELDS.iter().find(|f| u64::from(f.id) == id)
}

/// How a type uses a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldUse {
    /// The field's JSON key (an entry of [`FIELDS`]).
    pub key: &'static str,
    /// The record is refused without it.
    pub required: bool,
    /// It is signed into the QR code (otherwise printed only).
    pub signed: bool,
}

/// One certificate type (service).
#[derive(Debug, PartialEq, Eq)]
pub struct CertType {
    /// The number in the payload; never reused for another type.
    pub code: u8,
    /// The JSON name in records.
    pub key: &'static str,
    /// Title in Bangla.
    pub name_bn: &'static str,
    /// Title in English.
    pub name_en: &'static str,
    /// The fields it accepts.
    pub fields: &'static [FieldUse],
    /// At least one of `nid` and `brn` is required.
    pub needs_identity: bool,
    /// An expiry date is required (a licence's validity).
    pub needs_expiry: bool,
}

impl CertType {
    /// How this type uses the field with JSON key `key`, if it accepts it at all.
    pub fn field_use(&self, key: &str) -> Option<&FieldUse> {
        self.fields.iter().find(|u| u.key == key)
    }
}

/// Looks a type up by its JSON name.
pub fn cert_type_by_key(key: &str) -> Option<&'static CertType> {
    CERT_TYPES.iter().find(|t| t.key == key)
}

/// Looks a type up by its payload code.
pub fn cert_type_by_code(code: u64) -> Option<&'static CertType> {
    CERT_TYPES.iter().find(|t| u64::from(t.code) == code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn there_are_fourteen_types_with_unique_codes_and_keys() {
        assert_eq!(CERT_TYPES.len(), 14);
        let codes: HashSet<_> = CERT_TYPES.iter().map(|t| t.code).collect();
        let keys: HashSet<_> = CERT_TYPES.iter().map(|t| t.key).collect();
        assert_eq!(codes.len(), 14);
        assert_eq!(keys.len(), 14);
        for (i, t) in CERT_TYPES.iter().enumerate() {
            assert_eq!(usize::from(t.code), i + 1, "{} out of order", t.key);
        }
    }

    #[test]
    fn field_ids_are_unique_and_ordered() {
        for (i, f) in FIELDS.iter().enumerate() {
            assert_eq!(usize::from(f.id), i + 1, "{}", f.key);
        }
        let keys: HashSet<_> = FIELDS.iter().map(|f| f.key).collect();
        assert_eq!(keys.len(), FIELDS.len());
    }

    #[test]
    fn every_type_names_known_fields_once_and_signs_something() {
        for t in CERT_TYPES {
            let mut seen = HashSet::new();
            for u in t.fields {
                assert!(
                    field_by_key(u.key).is_some(),
                    "{}: unknown field {}",
                    t.key,
                    u.key
                );
                assert!(seen.insert(u.key), "{}: {} twice", t.key, u.key);
                assert!(
                    u.signed || !u.required,
                    "{}: required field {} is not signed",
                    t.key,
                    u.key
                );
            }
            assert!(
                t.fields.iter().filter(|u| u.signed).count() >= 3,
                "{}",
                t.key
            );
            if t.needs_identity {
                assert!(t.field_use("nid").is_some_and(|u| u.signed), "{}", t.key);
                assert!(t.field_use("brn").is_some_and(|u| u.signed), "{}", t.key);
            }
        }
    }

    #[test]
    fn lookups() {
        assert_eq!(cert_type_by_key("warish").unwrap().name_bn, "ওয়ারিশ সনদ");
        assert_eq!(cert_type_by_code(5).unwrap().key, "trade_licence");
        assert!(cert_type_by_code(0).is_none());
        assert!(cert_type_by_code(15).is_none());
        assert_eq!(field_by_id(12).unwrap().key, "heirs");
        assert!(field_by_id(99).is_none());
    }
}
