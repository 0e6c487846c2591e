//! The certificate number: the office code, a hyphen and the serial (`100524-3`), in Bangla
//! digits on the Bangla side (`১০০৫২৪-৩`). The paper, the verification page, its JSON and
//! `sonod-scan` all write it with this one type, so the number a clerk reads on the screen is
//! the number printed on the paper. It also reads back: [`CertificateNumber::from_str`]
//! takes the number as typed from the paper, in either script, and never drops the hyphen
//! (with a 2-digit office code, `12-345` read as serial 12345 would open another
//! certificate).

use std::fmt;
use std::str::FromStr;

use sonod_keys::OfficeCode;

use crate::identity::bangla_digits;
use crate::payload::Certificate;

/// A certificate's number as printed on it: see the module documentation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CertificateNumber {
    office: OfficeCode,
    serial: u64,
}

impl CertificateNumber {
    /// The number of serial `serial` of `office`.
    pub fn new(office: &OfficeCode, serial: u64) -> CertificateNumber {
        CertificateNumber {
            office: office.clone(),
            serial,
        }
    }

    /// In Bangla digits: `১০০৫২৪-৩`.
    pub fn bn(&self) -> String {
        bangla_digits(&self.en())
    }

    /// In Latin digits: `100524-3` (the same as its `Display`).
    pub fn en(&self) -> String {
        self.to_string()
    }

    /// The office code.
    pub fn office(&self) -> &OfficeCode {
        &self.office
    }

    /// The serial.
    pub fn serial(&self) -> u64 {
        self.serial
    }
}

/// Why typed text is not a certificate number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NumberError {
    /// No hyphen: no office code before the serial (perhaps a bare serial).
    #[error("{}", crate::l10n::both("number-no-office", &[]))]
    NoOffice,
    /// The part before the hyphen is not an office code.
    #[error("{}", crate::l10n::both("number-bad-office", &[]))]
    Office,
    /// The part after the hyphen is not a serial (digits, at least 1).
    #[error("{}", crate::l10n::both("number-bad-serial", &[]))]
    Serial,
}

/// The hyphens a typed number may carry: ASCII, and what phones and word processors put in
/// its place (hyphen, non-breaking hyphen, figure dash, en dash, minus sign).
const HYPHENS: [char; 6] = [
    '-', '\u{2010}', '\u{2011}', '\u{2012}', '\u{2013}', '\u{2212}',
];

impl FromStr for CertificateNumber {
    type Err = NumberError;

    /// `100524-3`, `১০০৫২৪-৩`, ` 100524 - 3 `: the office code (2–12 digits, either script),
    /// one hyphen, the serial (either script).
    fn from_str(s: &str) -> Result<CertificateNumber, NumberError> {
        let s = s.trim();
        if s.len() > 64 {
            return Err(NumberError::Serial);
        }
        let mut parts = s.split(HYPHENS);
        let (Some(office), Some(serial), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(if s.contains(HYPHENS) {
                NumberError::Serial
            } else {
                NumberError::NoOffice
            });
        };
        let office = crate::record::parse_office(office.trim()).map_err(|_| NumberError::Office)?;
        let serial = serial.trim();
        if serial.is_empty() || serial.contains(' ') {
            return Err(NumberError::Serial);
        }
        let serial = crate::identity::latin_digits(serial)
            .ok()
            .and_then(|d| d.parse::<u64>().ok())
            .filter(|n| *n > 0)
            .ok_or(NumberError::Serial)?;
        Ok(CertificateNumber { office, serial })
    }
}

impl fmt::Display for CertificateNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.office, self.serial)
    }
}

impl Certificate {
    /// The number printed on the certificate ([`CertificateNumber`]).
    pub fn number(&self) -> CertificateNumber {
        CertificateNumber::new(self.record.office(), self.serial)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn office_hyphen_serial_in_both_scripts() {
        let n = CertificateNumber::new(&OfficeCode::parse("100524").unwrap(), 3);
        assert_eq!(n.en(), "100524-3");
        assert_eq!(n.to_string(), "100524-3");
        assert_eq!(n.bn(), "১০০৫২৪-৩");
        let record = crate::Record::from_json_str(
            r#"{"type": "character", "office": "2001", "issued": "2026-01-05",
                "fields": {"name": "রহিম", "father": "করিম", "mother": "রহিমা", "brn": "20001234567890123"}}"#,
        )
        .unwrap();
        let c = Certificate::new(1_234_567, &record);
        assert_eq!(c.number().en(), "2001-1234567");
        assert_eq!(c.number().bn(), "২০০১-১২৩৪৫৬৭");
    }

    #[test]
    fn a_typed_number_reads_back_with_its_office() {
        let savar = OfficeCode::parse("100524").unwrap();
        for typed in [
            "100524-3",
            "১০০৫২৪-৩",
            " 100524 - 3 ",
            "100524\u{2013}3",
            "১০০৫২৪-3",
        ] {
            let n: CertificateNumber = typed.parse().unwrap();
            assert_eq!((n.office(), n.serial()), (&savar, 3), "{typed:?}");
        }
        let n: CertificateNumber = "12-345".parse().unwrap();
        assert_eq!((n.office().as_str(), n.serial()), ("12", 345));
        assert_eq!(
            "1005243".parse::<CertificateNumber>(),
            Err(NumberError::NoOffice)
        );
        for bad in [
            "100524-",
            "-3",
            "100524-3-1",
            "0524-3",
            "1-3",
            "100524-x",
            "100524-0",
            "100524-1 2",
        ] {
            assert!(bad.parse::<CertificateNumber>().is_err(), "{bad:?}");
        }
        let n = CertificateNumber::new(&savar, 1_234);
        assert_eq!(n.bn().parse::<CertificateNumber>().unwrap(), n);
    }
}
