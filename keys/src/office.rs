//! Office codes: the one rule for them, in one type.

use std::borrow::Borrow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An office code: 2 to 12 ASCII digits, the first not `0` (`100524`).
///
/// This is the one rule for office codes everywhere (docs/FORMAT.md, "office"). A sealed
/// certificate carries its office as a CBOR unsigned integer, so a code with a leading zero
/// could never be written into a certificate nor match one: the record parser always refused
/// it, and since this type the trust list, the feeds and the verifier's routes refuse it too.
/// Bangla digits are not accepted here; [`sonod_seal::parse_office`](../sonod_seal/fn.parse_office.html)
/// turns a clerk's Bangla digits into this form first.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OfficeCode(String);

/// Why a string is not an office code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::l10n::both("invalid-office-code", &[("n0_dbg", &format!("{:?}", .0))]))]
pub struct InvalidOfficeCode(pub String);

impl OfficeCode {
    /// Shortest code.
    pub const MIN_LEN: usize = 2;
    /// Longest code.
    pub const MAX_LEN: usize = 12;

    /// Checks `s` against the rule (see the type).
    pub fn parse(s: &str) -> Result<OfficeCode, InvalidOfficeCode> {
        if OfficeCode::is_valid(s) {
            Ok(OfficeCode(s.to_owned()))
        } else {
            Err(InvalidOfficeCode(s.to_owned()))
        }
    }

    /// Whether `s` follows the rule.
    pub fn is_valid(s: &str) -> bool {
        (OfficeCode::MIN_LEN..=OfficeCode::MAX_LEN).contains(&s.len())
            && s.bytes().all(|b| b.is_ascii_digit())
            && !s.starts_with('0')
    }

    /// The code of an office number as a certificate carries it; `None` when it has fewer
    /// than 2 or more than 12 digits.
    pub fn from_number(n: u64) -> Option<OfficeCode> {
        OfficeCode::parse(&n.to_string()).ok()
    }

    /// The code as a number (it always fits: at most 12 digits).
    pub fn number(&self) -> u64 {
        self.0.parse().unwrap_or(0)
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for OfficeCode {
    type Err = InvalidOfficeCode;
    fn from_str(s: &str) -> Result<OfficeCode, InvalidOfficeCode> {
        OfficeCode::parse(s)
    }
}

impl TryFrom<String> for OfficeCode {
    type Error = InvalidOfficeCode;
    fn try_from(s: String) -> Result<OfficeCode, InvalidOfficeCode> {
        if OfficeCode::is_valid(&s) {
            Ok(OfficeCode(s))
        } else {
            Err(InvalidOfficeCode(s))
        }
    }
}

impl From<OfficeCode> for String {
    fn from(c: OfficeCode) -> String {
        c.0
    }
}

impl AsRef<str> for OfficeCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for OfficeCode {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for OfficeCode {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for OfficeCode {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for OfficeCode {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for OfficeCode {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

impl fmt::Display for OfficeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for OfficeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OfficeCode({})", self.0)
    }
}

impl Serialize for OfficeCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for OfficeCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<OfficeCode, D::Error> {
        let s = String::deserialize(d)?;
        OfficeCode::try_from(s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_rule() {
        for good in ["10", "100524", "999999999999"] {
            assert_eq!(OfficeCode::parse(good).unwrap().as_str(), good);
        }
        for bad in [
            "",
            "1",
            "0",
            "01",
            "0100524",
            "1234567890123",
            "10 05",
            "10-05",
            "১০০৫২৪",
            "+10",
        ] {
            assert!(OfficeCode::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(OfficeCode::from_number(100524).unwrap(), "100524");
        assert_eq!(OfficeCode::from_number(7), None);
        assert_eq!(OfficeCode::parse("100524").unwrap().number(), 100524);
        assert_eq!("100524".parse::<OfficeCode>().unwrap(), "100524");
        let json = serde_json::to_string(&OfficeCode::parse("100524").unwrap()).unwrap();
        assert_eq!(json, "\"100524\"");
        assert!(serde_json::from_str::<OfficeCode>("\"0100\"").is_err());
    }
}
