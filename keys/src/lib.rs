#![doc = include_str!("../README.md")]
//!
//! # Layout
//!
//! - [`KeyId`] (`key_id`): the 8-byte name of an Ed25519 public key.
//! - [`SecretKey`] (`secret_key`): a signing key, zeroized on drop, to and from PKCS#8 PEM.
//! - [`Passphrase`] (`passphrase`): the secret that unlocks a key file, from the environment or a
//!   prompt.
//! - `key_file`: secret and public key files on disk (mode 0600, SPKI PEM) and [`KeyFileError`].
//! - [`TrustList`] / [`TrustListDraft`] (`trust_list`): the root-signed list of office keys, as
//!   loaded and verified, and as edited by the national authority.
//! - `clock`: today's date in Dhaka and the `YYYY-MM-DD` date format.
//! - `dev_keys`: a complete, clearly marked development key set for demos and tests.
//! - [`OfficeCode`] (`office`): the one rule for office codes.
//! - [`Signed`] (`signed`): the one signed-JSON envelope (trust list, feed pages, status lists).
//! - [`base64`]: standard Base64 and its serde modules; [`fs`]: atomic, durable file writes.

pub mod base64;
mod clock;
mod dev_keys;
mod duration;
pub mod fs;
mod key_file;
mod key_id;
#[doc(hidden)]
pub mod l10n;
mod office;
mod passphrase;
mod secret_key;
mod signed;
mod trust_list;

pub use clock::{dhaka_time_of, format_date, parse_date, today_dhaka, DHAKA_OFFSET};
pub use dev_keys::{
    ensure_dev_keys, DevKeys, DevKeysError, DevOptions, DEV_WARNING, OFFICE_KEY_FILE,
    OFFICE_PUB_FILE, ROOT_KEY_FILE, ROOT_PUB_FILE, TRUST_LIST_FILE,
};
pub use duration::{parse_duration, DURATION_UNITS};
pub use key_file::{
    public_key_from_pem, public_key_to_pem, read_public_key, read_secret_key, write_public_key,
    write_secret_key, KeyFileError,
};
pub use key_id::{KeyId, ParseKeyIdError};
pub use office::{InvalidOfficeCode, OfficeCode};
pub use passphrase::{Passphrase, PASSPHRASE_ENV};
pub use secret_key::SecretKey;
pub use signed::{
    sign_json, signing_message, verify_json, BadSignature, EnvelopeError, Signed, SignedBody,
};
pub use trust_list::{
    Environment, FeedPin, KeyStatus, TrustEditError, TrustEntry, TrustList, TrustListDraft,
    TrustListError, FORMAT, MAX_TRUST_LIST_BYTES, SIGNING_CONTEXT,
};

/// The Ed25519 types this crate speaks in, re-exported so that callers use the same version.
pub use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
