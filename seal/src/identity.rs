//! Identity numbers as typed values: a [`Nid`] that exists is a valid NID.
//!
//! Clerks and citizens type numbers in Bangla or Latin digits, with spaces or dashes; the
//! parsers accept all of that and keep one canonical form (Latin digits), so the same
//! person's number always signs to the same bytes.

use std::fmt;
use std::str::FromStr;

/// Why an identity number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// A character other than a digit, space or dash.
    #[error("{}", crate::l10n::both("identity-not-digits", &[]))]
    NotDigits,
    /// An NID must have 10, 13 or 17 digits.
    #[error("{}", crate::l10n::both("identity-nid-length", &[("n0", &format!("{}", .0))]))]
    NidLength(usize),
    /// A birth registration number has 17 digits.
    #[error("{}", crate::l10n::both("identity-brn-length", &[("n0", &format!("{}", .0))]))]
    BrnLength(usize),
    /// Not a Bangladeshi mobile number (01[3-9] and eight more digits).
    #[error("{}", crate::l10n::both("identity-mobile", &[]))]
    Mobile,
}

/// Maps Bangla digits to Latin ones and drops spaces and dashes; refuses anything else.
pub fn latin_digits(input: &str) -> Result<String, IdentityError> {
    let mut out = String::with_capacity(input.len());
    for c in input.trim().chars() {
        match c {
            '0'..='9' => out.push(c),
            '০'..='৯' => out.push(char::from(b'0' + (c as u32 - '০' as u32) as u8)),
            ' ' | '-' => {}
            _ => return Err(IdentityError::NotDigits),
        }
    }
    if out.is_empty() {
        return Err(IdentityError::NotDigits);
    }
    Ok(out)
}

/// Writes Latin digits in a string as Bangla digits, for certificates and pages.
pub use sonod_l10n::bangla_digits;

macro_rules! digit_string {
    ($(#[$doc:meta])* $name:ident, $plus:literal, $check:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// The canonical form: Latin digits only.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = IdentityError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let s = s.trim();
                let s = if $plus { s.strip_prefix('+').unwrap_or(s) } else { s };
                let digits = latin_digits(s)?;
                let check: fn(&str) -> Result<String, IdentityError> = $check;
                check(&digits).map($name)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

digit_string!(
    /// A national identity card number: 10 (smart card), 13 or 17 digits.
    Nid,
    false,
    |d| match d.len() {
        10 | 13 | 17 => Ok(d.to_owned()),
        n => Err(IdentityError::NidLength(n)),
    }
);

digit_string!(
    /// A birth registration number: 17 digits.
    Brn,
    false,
    |d| match d.len() {
        17 => Ok(d.to_owned()),
        n => Err(IdentityError::BrnLength(n)),
    }
);

digit_string!(
    /// A Bangladeshi mobile number, kept as `+8801XXXXXXXXX`.
    Mobile,
    true,
    |d| {
        let local = d
            .strip_prefix("880")
            .or_else(|| d.strip_prefix("00880"))
            .map(|rest| format!("0{rest}"))
            .unwrap_or_else(|| d.to_owned());
        let ok = local.len() == 11
            && local.starts_with("01")
            && matches!(local.as_bytes()[2], b'3'..=b'9');
        if ok {
            Ok(format!("+88{local}"))
        } else {
            Err(IdentityError::Mobile)
        }
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nid_lengths() {
        assert_eq!("1990123456".parse::<Nid>().unwrap().as_str(), "1990123456");
        assert!("1234567890123".parse::<Nid>().is_ok());
        assert!("19901234567890123".parse::<Nid>().is_ok());
        assert_eq!("12345".parse::<Nid>(), Err(IdentityError::NidLength(5)));
        assert_eq!(
            "12345678901".parse::<Nid>(),
            Err(IdentityError::NidLength(11))
        );
        assert_eq!("12345x7890".parse::<Nid>(), Err(IdentityError::NotDigits));
        assert_eq!("".parse::<Nid>(), Err(IdentityError::NotDigits));
    }

    #[test]
    fn bangla_digits_and_separators_are_accepted() {
        let nid: Nid = "১৯৯০ ১২৩৪-৫৬৭৮৯০১২৩".parse().unwrap();
        assert_eq!(nid.as_str(), "19901234567890123");
        assert_eq!(bangla_digits("2026-11-28"), "২০২৬-১১-২৮");
    }

    #[test]
    fn brn_is_17_digits() {
        assert!("20011234567890123".parse::<Brn>().is_ok());
        assert_eq!(
            "2001123456789012".parse::<Brn>(),
            Err(IdentityError::BrnLength(16))
        );
    }

    #[test]
    fn mobile_numbers_normalise() {
        for input in [
            "01712345678",
            "+8801712345678",
            "8801712345678",
            "008801712345678",
            "০১৭১২-৩৪৫৬৭৮",
        ] {
            assert_eq!(
                input.parse::<Mobile>().unwrap().as_str(),
                "+8801712345678",
                "{input}"
            );
        }
        for bad in ["01212345678", "0171234567", "+441712345678", "017123456789"] {
            assert_eq!(bad.parse::<Mobile>(), Err(IdentityError::Mobile), "{bad}");
        }
    }
}
