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
    #[error("কিছু পাওয়া যায়নি / empty input")]
    Empty,
    /// Longer than the format allows.
    #[error("অনেক বড় ({len} > {max}) / too large ({len} > {max})")]
    TooLarge {
        /// What was given.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A URL that does not carry a Sonod payload (`…/V/<BASE32>`), or text that is not Base32.
    #[error("এটি সনদ-এর কিউআর কোড নয় / not a Sonod QR code")]
    NotSonod,
    /// Base32 that does not decode (bad length or non-zero trailing bits).
    #[error("Base32 লেখা ভুল / invalid Base32 payload")]
    Base32,
    /// Not a tagged COSE_Sign1 structure, or bytes after it.
    #[error("COSE_Sign1 কাঠামো ভুল / not a valid tagged COSE_Sign1: {0}")]
    Cose(String),
    /// Valid CBOR, but not in the one encoding Sonod signs (deterministic encoding, field order,
    /// canonical values).
    #[error("এনকোডিং প্রামাণ্য নয় / not the canonical encoding")]
    NonCanonical,
    /// A signature algorithm other than EdDSA.
    #[error("অসমর্থিত স্বাক্ষর পদ্ধতি / unsupported signature algorithm")]
    UnsupportedAlgorithm,
    /// Header parameters other than exactly `alg` and `kid` in the protected header, or any in
    /// the unprotected one.
    #[error("অপ্রত্যাশিত হেডার / unexpected COSE header parameters")]
    UnexpectedHeader,
    /// The key id is missing or not 8 bytes.
    #[error("কী আইডি ভুল / missing or invalid key id")]
    BadKeyId,
    /// The payload is detached (absent).
    #[error("পেলোড নেই / no payload")]
    NoPayload,
    /// The payload is not a CBOR map with integer keys.
    #[error("পেলোড পড়া যায়নি / payload is not valid CBOR: {0}")]
    Cbor(String),
    /// A format version this reader does not know.
    #[error("সনদ ফরম্যাটের সংস্করণ {0} অসমর্থিত / unsupported format version {0}")]
    UnsupportedVersion(u64),
    /// A claim the format requires is missing.
    #[error("পেলোডে {0} নেই / payload lacks {0}")]
    MissingClaim(&'static str),
    /// A claim key the format does not define.
    #[error("অজানা দাবি {0} / unknown claim key {0}")]
    UnknownClaim(String),
    /// A claim or field of the wrong CBOR type or out of range.
    #[error("{0} এর ধরন ভুল / {0} has the wrong type or range")]
    BadValue(&'static str),
    /// A certificate type code that does not exist.
    #[error("অজানা সনদের ধরন {0} / unknown certificate type code {0}")]
    UnknownCertType(u64),
    /// A field id that the type does not sign.
    #[error("এই সনদে ঘর {0} স্বাক্ষরিত হয় না / field {0} is not signed in this certificate type")]
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
    #[error("সনদ অনেক বড়, কিউআর কোডে ধরবে না / sealed certificate too large ({0} bytes)")]
    TooLarge(usize),
    /// A text cannot be encoded.
    #[error("{0}")]
    Text(#[from] TextError),
    /// Serial 0 is reserved.
    #[error("ক্রমিক নম্বর ০ হতে পারে না / serial 0 is reserved")]
    ZeroSerial,
}

/// The signature does not verify with the given key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("স্বাক্ষর মেলেনি / signature does not verify")]
pub struct SignatureError;
