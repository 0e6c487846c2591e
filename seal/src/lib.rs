#![doc = include_str!("../README.md")]
//!
//! # Layout
//!
//! - [`text`]: Sonod compact text, Bengali at one byte a letter.
//! - `identity`: NID, birth registration and mobile numbers as typed values.
//! - `cert_type`: the 14 certificate types and their fields, as data.
//! - `record`: a certificate's content, parsed from JSON and valid by construction.
//! - `payload`: the CBOR payload with small integer keys.
//! - `number`: the certificate number as the paper prints it (`100524-3`).
//! - `sealed`: the COSE_Sign1 envelope, signing and strict opening.
//! - `qr_text`: the Base32 QR text and the URL around it.
//! - `error`: one error enum per operation.
//! - [`feed`]: the office's signed event feed and status list.

pub mod feed;
pub mod text;

mod cert_type;
mod error;
mod identity;
mod l10n;
mod number;
mod payload;
mod qr_text;
mod record;
mod sealed;

pub use cert_type::{
    cert_type_by_code, cert_type_by_key, field_by_id, field_by_key, CertType, Field, FieldKind,
    FieldUse, CERT_TYPES, FIELDS,
};
pub use error::{DecodeError, SealError, SignatureError};
pub use identity::{bangla_digits, latin_digits, Brn, IdentityError, Mobile, Nid};
pub use number::{CertificateNumber, NumberError};
pub use payload::{Certificate, FORMAT_VERSION};
pub use qr_text::{parse_qr_text, qr_text, Host, HostError, QrPayload, MAX_QR_TEXT};
pub use record::{bangla_date, parse_office, Person, Record, RecordError, Value, MAX_RECORD_JSON};
pub use sealed::{hash, open, open_with_hash, Opened, Sealed, MAX_SEALED_BYTES};
/// The office code type (one rule: 2 to 12 digits, the first not 0), from `sonod-keys`.
pub use sonod_keys::OfficeCode;
