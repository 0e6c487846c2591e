//! The certificate types (the 14 services) and the fields they carry, as data.
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

macro_rules! fields {
    ($($id:literal $key:ident $kind:ident $bn:literal $en:literal;)*) => {
        /// Every field any certificate type may carry, in id order.
        pub static FIELDS: &[Field] = &[
            $(Field { id: $id, key: stringify!($key), kind: FieldKind::$kind, label_bn: $bn, label_en: $en },)*
        ];
    };
}

fields! {
    1 name Text "নাম" "Name";
    2 father Text "পিতার নাম" "Father's name";
    3 mother Text "মাতার নাম" "Mother's name";
    4 spouse Text "স্বামী/স্ত্রীর নাম" "Spouse's name";
    5 nid Nid "জাতীয় পরিচয়পত্র নম্বর" "NID number";
    6 brn Brn "জন্ম নিবন্ধন নম্বর" "Birth registration number";
    7 dob Date "জন্ম তারিখ" "Date of birth";
    8 ward Uint "ওয়ার্ড নং" "Ward no.";
    9 village Text "গ্রাম/মহল্লা" "Village/area";
    10 address Text "ঠিকানা" "Address";
    11 mobile Mobile "মোবাইল নম্বর" "Mobile number";
    12 heirs Persons "ওয়ারিশগণ" "Heirs";
    13 deceased Text "মৃত ব্যক্তির নাম" "Name of the deceased";
    14 death_date Date "মৃত্যুর তারিখ" "Date of death";
    15 business_name Text "প্রতিষ্ঠানের নাম" "Business name";
    16 business_kind Text "ব্যবসার ধরন" "Kind of business";
    17 owners TextList "মালিকগণ" "Owners";
    18 fiscal_year FiscalYear "অর্থবছর" "Fiscal year";
    19 business_address Text "ব্যবসার ঠিকানা" "Business address";
    20 licence_fee Uint "লাইসেন্স ফি (টাকা)" "Licence fee (Taka)";
    21 annual_income Uint "বার্ষিক আয় (টাকা)" "Annual income (Taka)";
    22 other_name Text "নামের অন্য বানান" "Other spelling of the name";
    23 disability Text "প্রতিবন্ধিতার ধরন" "Kind of disability";
    24 members Persons "পরিবারের সদস্যগণ" "Family members";
    25 occupation Text "পেশা" "Occupation";
    26 purpose Text "যে উদ্দেশ্যে" "Purpose";
    27 marriage_date Date "বিবাহের তারিখ" "Date of marriage";
    28 other_name_source Text "অন্য বানান যে কাগজে" "Document with the other spelling";
}

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

/// R: required and signed; S: signed; P: printed only.
macro_rules! uses {
    (@one R $k:ident) => { FieldUse { key: stringify!($k), required: true, signed: true } };
    (@one S $k:ident) => { FieldUse { key: stringify!($k), required: false, signed: true } };
    (@one P $k:ident) => { FieldUse { key: stringify!($k), required: false, signed: false } };
    ($($m:ident $k:ident),* $(,)?) => { &[$(uses!(@one $m $k)),*] };
}

/// The 14 services, in code order.
pub static CERT_TYPES: &[CertType] = &[
    CertType {
        code: 1,
        key: "citizenship",
        name_bn: "নাগরিকত্ব সনদ",
        name_en: "Citizenship Certificate",
        fields: uses![R name, R father, R mother, S nid, S brn, R ward, P village, P address, P dob, P mobile, P purpose],
        needs_identity: true,
        needs_expiry: false,
    },
    CertType {
        code: 2,
        key: "character",
        name_bn: "চারিত্রিক সনদ",
        name_en: "Character Certificate",
        fields: uses![R name, R father, R mother, S nid, S brn, S ward, P village, P address, P occupation, P mobile, P purpose],
        needs_identity: true,
        needs_expiry: false,
    },
    CertType {
        code: 3,
        key: "warish",
        name_bn: "ওয়ারিশ সনদ",
        name_en: "Heirship (Warish) Certificate",
        fields: uses![R deceased, S father, R death_date, S nid, S ward, R heirs, P name, P village, P address, P mobile, P purpose],
        needs_identity: false,
        needs_expiry: false,
    },
    CertType {
        code: 4,
        key: "succession",
        name_bn: "উত্তরাধিকার সনদ",
        name_en: "Succession Certificate",
        fields: uses![R deceased, S father, R death_date, S nid, S ward, R heirs, P name, P village, P address, P mobile, P purpose],
        needs_identity: false,
        needs_expiry: false,
    },
    CertType {
        code: 5,
        key: "trade_licence",
        name_bn: "ট্রেড লাইসেন্স",
        name_en: "Trade Licence",
        fields: uses![R business_name, R business_kind, R owners, R fiscal_year, S ward, P business_address, P licence_fee, P nid, P mobile],
        needs_identity: false,
        needs_expiry: true,
    },
    CertType {
        code: 6,
        key: "family",
        name_bn: "পারিবারিক সনদ",
        name_en: "Family Certificate",
        fields: uses![R name, S father, S mother, S nid, S brn, R members, S ward, P village, P address, P mobile, P purpose],
        needs_identity: true,
        needs_expiry: false,
    },
    CertType {
        code: 7,
        key: "unmarried",
        name_bn: "অবিবাহিত সনদ",
        name_en: "Unmarried Certificate",
        fields: uses![R name, R father, R mother, S nid, S brn, S dob, S ward, P village, P address, P mobile, P purpose],
        needs_identity: true,
        needs_expiry: false,
    },
    CertType {
        code: 8,
        key: "married",
        name_bn: "বিবাহিত সনদ",
        name_en: "Married Certificate",
        fields: uses![R name, R father, R mother, R spouse, S nid, S brn, S marriage_date, S ward, P village, P address, P mobile, P purpose],
        needs_identity: true,
        needs_expiry: false,
    },
    CertType {
        code: 9,
        key: "not_remarried",
        name_bn: "পুনঃবিবাহ না হওয়া সনদ",
        name_en: "Certificate of Not Remarrying",
        fields: uses![R name, R father, R mother, R deceased, S nid, S brn, S ward, P death_date, P village, P address, P mobile, P purpose],
        needs_identity: true,
        needs_expiry: false,
    },
    CertType {
        code: 10,
        key: "income",
        name_bn: "আয়ের সনদ",
        name_en: "Income Certificate",
        fields: uses![R name, R father, R mother, S nid, S brn, R annual_income, S occupation, S ward, P village, P address, P mobile, P purpose],
        needs_identity: true,
        needs_expiry: false,
    },
    CertType {
        code: 11,
        key: "landless",
        name_bn: "ভূমিহীন সনদ",
        name_en: "Landless Certificate",
        fields: uses![R name, R father, R mother, S nid, S brn, S ward, P village, P address, P mobile, P purpose],
        needs_identity: true,
        needs_expiry: false,
    },
    CertType {
        code: 12,
        key: "same_person",
        name_bn: "একই ব্যক্তির প্রত্যয়ন",
        name_en: "Certificate of One and the Same Person",
        fields: uses![R name, R other_name, R father, R mother, S nid, S brn, S ward, P other_name_source, P village, P address, P mobile, P purpose],
        needs_identity: true,
        needs_expiry: false,
    },
    CertType {
        code: 13,
        key: "disability",
        name_bn: "প্রতিবন্ধী সনদ",
        name_en: "Disability Certificate",
        fields: uses![R name, R father, R mother, S nid, S brn, R disability, S dob, S ward, P village, P address, P mobile, P purpose],
        needs_identity: true,
        needs_expiry: false,
    },
    CertType {
        code: 14,
        key: "financial_hardship",
        name_bn: "আর্থিক অস্বচ্ছলতা সনদ",
        name_en: "Financial Hardship Certificate",
        fields: uses![R name, R father, R mother, S nid, S brn, S ward, P occupation, P annual_income, P village, P address, P mobile, P purpose],
        needs_identity: true,
        needs_expiry: false,
    },
];

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
