//! Errors of reading a sealed certificate, one variant per failure, in check order.

use crate::record::RecordError;
use crate::text::TextError;

/// Why QR text or sealed bytes could not be read as a Sonod certificate.
///
/// All variants but [`DecodeError::UnsupportedVersion`] and
/// [`DecodeError::UnsupportedAlgorithm`] make the verdict `malformed`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// Empty input.
    #[error("{}", crate::l10n::both("decode-empty", &[]))]
    Empty,
    /// Longer than the format allows.
    #[error("{}", crate::l10n::both("decode-too-large", &[("len", &format!("{}", .len)), ("max", &format!("{}", .max))]))]
    TooLarge {
        /// What was given.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A URL that does not carry a Sonod payload (`…/V/<BASE32>`), or text that is not Base32.
    #[error("{}", crate::l10n::both("decode-not-sonod", &[]))]
    NotSonod,
    /// Base32 that does not decode (bad length or non-zero trailing bits).
    #[error("{}", crate::l10n::both("decode-base32", &[]))]
    Base32,
    /// Not a tagged COSE_Sign1 structure, or bytes after it.
    #[error("{}", crate::l10n::both("decode-cose", &[("n0", &format!("{}", .0))]))]
    Cose(String),
    /// Valid CBOR, but not in the one encoding Sonod signs (deterministic encoding, field order,
    /// canonical values).
    #[error("{}", crate::l10n::both("decode-non-canonical", &[]))]
    NonCanonical,
    /// A signature algorithm other than EdDSA.
    #[error("{}", crate::l10n::both("decode-unsupported-algorithm", &[]))]
    UnsupportedAlgorithm,
    /// Header parameters other than exactly `alg` and `kid` in the protected header, or any in
    /// the unprotected one.
    #[error("{}", crate::l10n::both("decode-unexpected-header", &[]))]
    UnexpectedHeader,
    /// The key id is missing or not 8 bytes.
    #[error("{}", crate::l10n::both("decode-bad-key-id", &[]))]
    BadKeyId,
    /// The payload is detached (absent).
    #[error("{}", crate::l10n::both("decode-no-payload", &[]))]
    NoPayload,
    /// The payload is not a CBOR map with integer keys.
    #[error("{}", crate::l10n::both("decode-cbor", &[("n0", &format!("{}", .0))]))]
    Cbor(String),
    /// A format version this reader does not know.
    #[error("{}", crate::l10n::both("decode-unsupported-version", &[("n0", &format!("{}", .0))]))]
    UnsupportedVersion(u64),
    /// A claim the format requires is missing.
    #[error("{}", crate::l10n::both("decode-missing-claim", &[("n0", &format!("{}", .0))]))]
    MissingClaim(&'static str),
    /// A claim key the format does not define.
    #[error("{}", crate::l10n::both("decode-unknown-claim", &[("n0", &format!("{}", .0))]))]
    UnknownClaim(String),
    /// A claim or field of the wrong CBOR type or out of range.
    #[error("{}", crate::l10n::both("decode-bad-value", &[("n0", &format!("{}", .0))]))]
    BadValue(&'static str),
    /// A certificate type code that does not exist.
    #[error("{}", crate::l10n::both("decode-unknown-cert-type", &[("n0", &format!("{}", .0))]))]
    UnknownCertType(u64),
    /// A field id that the type does not sign.
    #[error("{}", crate::l10n::both("decode-unexpected-field", &[("n0", &format!("{}", .0))]))]
    UnexpectedField(u64),
    /// A compact text that does not decode.
    #[error("{0}")]
    Text(#[from] TextError),
    /// The decoded record breaks its type's rules.
    #[error("{0}")]
    Record(#[from] RecordError),
}

impl DecodeError {
    /// True for the errors whose verdict is `unsupported_version` rather than `malformed`.
    pub fn is_unsupported(&self) -> bool {
        matches!(
            self,
            DecodeError::UnsupportedVersion(_) | DecodeError::UnsupportedAlgorithm
        )
    }
}

/// Why a record could not be sealed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    /// The sealed bytes would not fit the format's size limit.
    #[error("{}", crate::l10n::both("seal-too-large", &[("n0", &format!("{}", .0))]))]
    TooLarge(usize),
    /// A text cannot be encoded.
    #[error("{0}")]
    Text(#[from] TextError),
    /// Serial 0 is reserved.
    #[error("{}", crate::l10n::both("seal-zero-serial", &[]))]
    ZeroSerial,
    /// A re-sealed certificate's `sealed` day must come after its issue day.
    #[error("{}", crate::l10n::both("seal-sealed-not-after-issue", &[]))]
    SealedNotAfterIssue,
}

/// The signature does not verify with the given key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::l10n::both("signature", &[]))]
pub struct SignatureError;
