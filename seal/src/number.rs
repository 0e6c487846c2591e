//! The certificate number: the office code, a hyphen and the serial (`100524-3`), in Bangla
//! digits on the Bangla side (`১০০৫২৪-৩`). The paper, the verification page, its JSON and
//! `sonod-scan` all write it with this one type, so the number a clerk reads on the screen is
//! the number printed on the paper.

use std::fmt;

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
}
