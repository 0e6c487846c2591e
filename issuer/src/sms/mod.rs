//! SMS to citizens, durable: an outbox in the store and a worker that empties it.
//!
//! A message is queued by the ledger in the same atomic batch as the change that causes it
//! (an issued certificate whose record has a mobile number, a revocation of one), so a crash
//! keeps both or neither. The [`worker`] takes due messages in id order, sends each through a
//! [`Sender`] (a [`gateway::Gateway`] configured from a TOML template, or in development the
//! [`devfile::DevFile`]), and records the outcome durably: sent with the gateway's reference,
//! or the next attempt after an exponential backoff with jitter, or failed for good.
//!
//! A crash between the gateway's acceptance and our record of it sends the message again on
//! restart; the message id goes to the gateway as the client reference where the template
//! names one, so a gateway that de-duplicates by it sends it once.
//!
//! Texts are Bangla, in `locales/bn/issuer.ftl` (`sms-*`), each at most [`MAX_UTF16`] UTF-16
//! code units: two parts of a Unicode (UCS-2) SMS. Neither logs nor texts carry an NID or a
//! code; logs name a message by its id only, never by its number.

pub mod devfile;
pub mod gateway;
pub mod worker;

use serde::{Deserialize, Serialize};
use sonod_seal::feed::RevocationReason;
use sonod_seal::{CertificateNumber, Record, Value};

/// The longest text: two concatenated UCS-2 SMS parts of 67 code units each.
pub const MAX_UTF16: usize = 134;

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmsState {
    /// Waiting for its next attempt.
    Queued,
    /// The gateway accepted it.
    Sent,
    /// Given up: a permanent refusal, or too many attempts.
    Failed,
}

/// One outbox message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Monotonic id, from 1; the client reference sent to the gateway.
    pub id: u64,
    /// The number, `+8801XXXXXXXXX` (written so whoever queued it). Never logged.
    pub to: String,
    /// The text (Bangla).
    pub text: String,
    /// What caused it: `issued` or `revoked`.
    pub kind: String,
    /// Where it stands.
    pub state: SmsState,
    /// Attempts made.
    pub attempts: u32,
    /// Not before this time (Unix milliseconds).
    pub next_at: i64,
    /// When it was queued (Unix seconds).
    pub created: i64,
    /// The gateway's reference once sent.
    pub gateway_ref: Option<String>,
    /// The last failure, without the number or text (a status code, a timeout).
    pub last_error: Option<String>,
}

/// The kind of a citizen's sign-in code message: the worker erases its text once sent and
/// does not send it once the code has expired.
pub const CODE_KIND: &str = "code";

/// The text of a sign-in code message.
pub fn code_text(code: &str) -> String {
    crate::l10n::bn_args("sms-code", &[("code", code)])
}

/// The UTF-16 length of a text, as GSM gateways count a Unicode SMS.
pub fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// The record's mobile number (`+8801XXXXXXXXX`), if it has one.
pub fn mobile_of(record: &Record) -> Option<String> {
    match record.get("mobile") {
        Some(Value::Mobile(m)) => Some(m.as_str().to_owned()),
        _ => None,
    }
}

/// The text of the "issued" message: the type's Bangla name, the number, the link if any.
pub fn issued_text(type_bn: &str, number: &CertificateNumber, link: Option<&str>) -> String {
    let number = number.bn();
    match link {
        Some(link) => crate::l10n::bn_args(
            "sms-issued",
            &[("type", type_bn), ("number", &number), ("link", link)],
        ),
        None => crate::l10n::bn_args(
            "sms-issued-no-link",
            &[("type", type_bn), ("number", &number)],
        ),
    }
}

/// The text of the "re-sealed" message, after the office's key was stolen: the certificate
/// is still good, and a new print carries the new seal.
pub fn resealed_text(type_bn: &str, number: &CertificateNumber) -> String {
    crate::l10n::bn_args(
        "sms-resealed",
        &[("type", type_bn), ("number", &number.bn())],
    )
}

/// The text of the "revoked" message, with the reason's Bangla label.
pub fn revoked_text(type_bn: &str, number: &CertificateNumber, reason: RevocationReason) -> String {
    let (reason_bn, _) = reason.labels();
    crate::l10n::bn_args(
        "sms-revoked",
        &[
            ("type", type_bn),
            ("number", &number.bn()),
            ("reason", &reason_bn),
        ],
    )
}

/// The link for messages: the verifier's site, lower case (`https://verify.sonod.gov.bd`).
pub fn link_for(host: &sonod_seal::Host) -> String {
    let scheme = if host.is_plain_http() {
        "http"
    } else {
        "https"
    };
    format!("{scheme}://{}", host.as_str().to_ascii_lowercase())
}

/// What a send produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted, with the gateway's reference (or none when it gives none).
    Sent(Option<String>),
    /// Failed; worth another try (timeout, 5xx, 429, no success marker).
    Retry(String),
    /// Refused for good (a permanent-error status or marker).
    Permanent(String),
}

/// Where messages go.
#[derive(Debug)]
pub enum Sender {
    /// A real gateway.
    Gateway(Box<gateway::Gateway>),
    /// Development: a file in the data directory, shown on `/dev/sms`.
    DevFile(devfile::DevFile),
}

impl Sender {
    /// Sends one message (blocking: the worker calls it on a blocking thread).
    pub fn send(&self, m: &Message) -> Outcome {
        match self {
            Sender::Gateway(g) => g.send(m),
            Sender::DevFile(f) => f.send(m),
        }
    }

    /// The attempts after which a message is given up.
    pub fn max_attempts(&self) -> u32 {
        match self {
            Sender::Gateway(g) => g.max_attempts(),
            Sender::DevFile(_) => 5,
        }
    }

    /// The retry delays.
    pub fn backoff(&self) -> worker::Backoff {
        let (base_ms, cap_ms) = match self {
            Sender::Gateway(g) => g.backoff(),
            Sender::DevFile(_) => (1_000, 60_000),
        };
        worker::Backoff { base_ms, cap_ms }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sonod_seal::cert_type_by_code;

    fn number(serial: u64) -> CertificateNumber {
        CertificateNumber::new(&sonod_seal::parse_office("999999").unwrap(), serial)
    }

    #[test]
    fn every_message_fits_two_unicode_parts_at_its_longest() {
        // Every type name, serials of ten digits, a long verifier address, every reason.
        let n = number(9_999_999_999);
        let link = "https://verify.sonod.gov.bd";
        let types: Vec<&str> = (0..=255u64)
            .filter_map(cert_type_by_code)
            .map(|t| t.name_bn)
            .collect();
        assert!(types.len() >= 14, "{types:?}");
        let mut checked = 0;
        let mut longest = (0, String::new());
        for type_bn in &types {
            let mut texts = vec![
                issued_text(type_bn, &n, Some(link)),
                issued_text(type_bn, &n, None),
            ];
            for reason in RevocationReason::ALL {
                let t = revoked_text(type_bn, &n, reason);
                assert!(t.contains(&reason.labels().0), "{t}");
                texts.push(t);
            }
            for t in texts {
                assert!(
                    utf16_len(&t) <= MAX_UTF16,
                    "{} > {MAX_UTF16}: {t}",
                    utf16_len(&t)
                );
                assert!(t.contains("সনদ নং ৯৯৯৯৯৯-৯৯৯৯৯৯৯৯৯৯"), "{t}");
                if utf16_len(&t) > longest.0 {
                    longest = (utf16_len(&t), t.clone());
                }
                checked += 1;
            }
        }
        assert_eq!(checked, types.len() * 8);
        eprintln!("longest: {} UTF-16 units: {}", longest.0, longest.1);
    }

    #[test]
    fn the_texts_read_as_written_with_bangla_digits() {
        let t = issued_text(
            "নাগরিকত্ব সনদ",
            &number(42),
            Some("https://verify.sonod.gov.bd"),
        );
        assert!(t.contains("নাগরিকত্ব সনদ"), "{t}");
        assert!(t.contains("সনদ নং ৯৯৯৯৯৯-৪২"), "{t}");
        assert!(t.ends_with("https://verify.sonod.gov.bd"), "{t}");
        let t = revoked_text("নাগরিকত্ব সনদ", &number(42), RevocationReason::Fraud);
        assert!(t.contains("প্রতারণার মাধ্যমে গৃহীত"), "{t}");
        assert!(!t.chars().any(|c| c.is_ascii_digit()), "{t}");
    }

    #[test]
    fn utf16_counts_code_units() {
        assert_eq!(utf16_len("সনদ"), 3);
        assert_eq!(utf16_len("a😀"), 3);
    }

    #[test]
    fn the_mobile_number_is_read_from_the_record() {
        let json = serde_json::json!({
            "type": "citizenship", "office": "100524", "issued": "2026-11-28",
            "fields": {"name": "ক", "father": "খ", "mother": "গ", "ward": 5, "nid": "19901234567890123", "mobile": "01712345678"}
        });
        let r = Record::from_json(&json).unwrap();
        assert_eq!(mobile_of(&r).as_deref(), Some("+8801712345678"));
        let json = serde_json::json!({
            "type": "citizenship", "office": "100524", "issued": "2026-11-28",
            "fields": {"name": "ক", "father": "খ", "mother": "গ", "ward": 5, "nid": "19901234567890123"}
        });
        assert_eq!(mobile_of(&Record::from_json(&json).unwrap()), None);
    }
}
