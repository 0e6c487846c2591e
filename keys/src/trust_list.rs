//! The trust list: the national root key's signed statement of which office keys to trust.
//!
//! The file is JSON that people read and review before signing. The signature covers the typed
//! `signed` object re-serialised compactly (`serde_json::to_vec`, fields in their fixed order),
//! behind the domain separator [`SIGNING_CONTEXT`], so that re-indenting the file, reordering its
//! fields or escaping its Bangla does not break the signature, while any change in meaning does.

use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, VerifyingKey};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::clock::{serde_date, serde_date_opt, today_dhaka};
use crate::key_id::KeyId;
use crate::secret_key::SecretKey;
use crate::OfficeCode;

/// The `format` string of this version of the trust list.
pub const FORMAT: &str = "sonod-trust-list/1";

/// Signed bytes start with this, so that a root signature over a trust list can never be
/// mistaken for a signature over anything else.
pub const SIGNING_CONTEXT: &[u8] = b"sonod-trust-list-v1\n";

/// Largest trust list accepted (1 MiB): thousands of offices fit with room to spare, and a
/// verifier that downloads the list cannot be made to parse gigabytes.
pub const MAX_TRUST_LIST_BYTES: usize = 1024 * 1024;

/// Whether the list may vouch for real certificates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// Real offices and real certificates.
    Production,
    /// Development and demonstration keys; verifiers must say so loudly.
    Development,
}

impl Environment {
    /// The name used in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Production => "production",
            Environment::Development => "development",
        }
    }

    /// The Bangla name, for people (`environment-*` in `locales/bn/keys.ftl`).
    pub fn label_bn(self) -> String {
        crate::l10n::bn(match self {
            Environment::Production => "environment-production",
            Environment::Development => "environment-development",
        })
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an office key stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyStatus {
    /// In use: certificates signed within its window are genuine.
    Active,
    /// Replaced by a newer key: certificates it signed within its window and on or before its
    /// `retired_on` day stay genuine; anything it claims to have signed later is refused.
    Retired,
    /// Leaked or stolen: nothing it signed can be trusted. Final.
    Compromised,
}

impl KeyStatus {
    /// The name used in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyStatus::Active => "active",
            KeyStatus::Retired => "retired",
            KeyStatus::Compromised => "compromised",
        }
    }

    /// The Bangla name, for people (`key-status-*` in `locales/bn/keys.ftl`).
    pub fn label_bn(self) -> String {
        crate::l10n::bn(match self {
            KeyStatus::Active => "key-status-active",
            KeyStatus::Retired => "key-status-retired",
            KeyStatus::Compromised => "key-status-compromised",
        })
    }

    /// Whether a key may move from `self` to `to`: compromise is final, and a retired key never
    /// becomes active again (its successor may already be in use).
    fn may_become(self, to: KeyStatus) -> bool {
        matches!(
            (self, to),
            (KeyStatus::Active, _)
                | (
                    KeyStatus::Retired,
                    KeyStatus::Retired | KeyStatus::Compromised
                )
                | (KeyStatus::Compromised, KeyStatus::Compromised)
        )
    }
}

impl fmt::Display for KeyStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One office key in the trust list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustEntry {
    /// [`KeyId::of`] the public key.
    pub key_id: KeyId,
    /// The office's Ed25519 public key (standard base64 of the 32 raw bytes in the file).
    #[serde(with = "crate::base64::public_key")]
    pub public_key: VerifyingKey,
    /// The office code (refused on load when it is not one).
    pub office: OfficeCode,
    /// The office's name in Bangla, as printed on its certificates.
    pub office_name_bn: String,
    /// The office's name in English.
    pub office_name_en: String,
    /// First day the key may sign.
    #[serde(with = "serde_date")]
    pub not_before: Date,
    /// Last day the key may sign.
    #[serde(with = "serde_date")]
    pub not_after: Date,
    /// Active, retired or compromised.
    pub status: KeyStatus,
    /// The last day a retired key may sign: a certificate it claims to have signed later is
    /// refused, whatever its window says. Present on every retired entry (a retired entry
    /// without it does not load), absent on active ones; a compromised key keeps the date it
    /// was retired on, if it was. Absent from the file when `None`, so lists without retired
    /// keys keep their signed bytes.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "serde_date_opt"
    )]
    pub retired_on: Option<Date>,
    /// The official verification hosts for this office's QR codes, upper case
    /// (`VERIFY.SONOD.GOV.BD`, optionally with `:port`).
    pub verifier_hosts: Vec<String>,
    /// For a compromised key: the moment from which it is distrusted (RFC 3339). Absent from
    /// the file when `None`, so lists signed before it existed keep their signed bytes.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub compromised_at: Option<OffsetDateTime>,
    /// For a compromised key: the last position of its office's feed the authority vouches
    /// for, with the feed's chain hash there. Every certificate of the key published in the
    /// feed at or before it is genuine; nothing after it, or outside the feed, is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feed_pin: Option<FeedPin>,
}

/// A position of an office's feed and the feed's chain hash there (`sonod_seal::feed`'s
/// `chain_next`): a feed that holds another hash there is another history (a fork).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedPin {
    /// The feed position (the sequence number of the last event vouched for).
    pub position: u64,
    /// The chain hash at that position, 64 lower-case hex digits.
    pub chain: String,
}

impl FeedPin {
    /// A pin, if `chain` is 64 lower-case hex digits.
    pub fn new(position: u64, chain: &str) -> Result<FeedPin, TrustEditError> {
        let pin = FeedPin {
            position,
            chain: chain.to_owned(),
        };
        pin.chain_bytes()
            .ok_or_else(|| TrustEditError::InvalidPin(chain.to_owned()))?;
        Ok(pin)
    }

    /// The chain hash's 32 bytes, if it is a hash.
    pub fn chain_bytes(&self) -> Option<[u8; 32]> {
        if self.chain.len() != 64
            || !self
                .chain
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, o) in out.iter_mut().enumerate() {
            *o = u8::from_str_radix(&self.chain[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(out)
    }
}

impl TrustEntry {
    /// A new, active entry for `public_key`, its key id computed. [`TrustListDraft::add_key`]
    /// validates it.
    pub fn new(
        public_key: VerifyingKey,
        office: OfficeCode,
        office_name_bn: impl Into<String>,
        office_name_en: impl Into<String>,
        not_before: Date,
        not_after: Date,
        verifier_hosts: Vec<String>,
    ) -> TrustEntry {
        TrustEntry {
            key_id: KeyId::of(&public_key),
            public_key,
            office,
            office_name_bn: office_name_bn.into(),
            office_name_en: office_name_en.into(),
            not_before,
            not_after,
            status: KeyStatus::Active,
            retired_on: None,
            verifier_hosts,
            compromised_at: None,
            feed_pin: None,
        }
    }

    /// Whether the key may have signed a certificate dated `date`: within its window (both
    /// ends included) and, for a retired key, on or before its `retired_on` day. Compromise is
    /// a separate question for the caller.
    pub fn may_sign_on(&self, date: Date) -> bool {
        date <= self.last_signing_day() && self.not_before <= date
    }

    /// The last day the key may sign: its `not_after`, or its `retired_on` if that is earlier.
    pub fn last_signing_day(&self) -> Date {
        match self.retired_on {
            Some(retired_on) => retired_on.min(self.not_after),
            None => self.not_after,
        }
    }
}

/// Why a trust list was not accepted. [`TrustList::load`] checks in the order of the variants.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustListError {
    /// The document is larger than [`MAX_TRUST_LIST_BYTES`].
    #[error("{}", crate::l10n::both("trust-list-too-large", &[("size", &format!("{}", .size)), ("limit", &format!("{}", .limit))]))]
    TooLarge {
        /// Its size in bytes.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Not JSON, or not the shape of a trust list (a missing or unknown field, a bad date, an
    /// invalid office code or host, ...).
    #[error("{}", crate::l10n::both("trust-list-malformed", &[("n0", &format!("{}", .0))]))]
    Malformed(String),
    /// A `format` other than [`FORMAT`], perhaps a newer one.
    #[error("{}", crate::l10n::both("trust-list-unsupported-format", &[("n0", &format!("{}", .0))]))]
    UnsupportedFormat(String),
    /// A draft: no root key id or no signature.
    #[error("{}", crate::l10n::both("trust-list-unsigned", &[]))]
    Unsigned,
    /// Signed by another root key than the one given.
    #[error("{}", crate::l10n::both("trust-list-wrong-root", &[("found", &format!("{}", .found)), ("expected", &format!("{}", .expected))]))]
    WrongRoot {
        /// The id of the root key the caller trusts.
        expected: KeyId,
        /// The id the list names.
        found: KeyId,
    },
    /// The signature does not verify: the list was changed after signing, or forged.
    #[error("{}", crate::l10n::both("trust-list-bad-signature", &[]))]
    BadSignature,
    /// The list is past its `expires` date: a stale list may hide a compromised key.
    #[error("{}", crate::l10n::both("trust-list-expired", &[("expires", &format!("{}", .expires))]))]
    Expired {
        /// The list's last valid day.
        expires: Date,
    },
    /// Two entries with the same key id.
    #[error("{}", crate::l10n::both("trust-list-duplicate-key", &[("n0", &format!("{}", .0))]))]
    DuplicateKey(KeyId),
    /// An entry whose key id is not the id of its public key.
    #[error("{}", crate::l10n::both("trust-list-key-id-mismatch", &[("stated", &format!("{}", .stated)), ("actual", &format!("{}", .actual))]))]
    KeyIdMismatch {
        /// The id written in the entry.
        stated: KeyId,
        /// The id of the entry's public key.
        actual: KeyId,
    },
    /// An entry whose `not_after` is before its `not_before`.
    #[error("{}", crate::l10n::both("trust-list-invalid-window", &[("n0", &format!("{}", .0))]))]
    InvalidWindow(KeyId),
    /// An active entry whose window has ended: the authority must mark it retired.
    #[error("{}", crate::l10n::both("trust-list-expired-entry", &[("n0", &format!("{}", .0))]))]
    ExpiredEntry(KeyId),
    /// The file could not be read.
    #[error("{}: {message}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What kind of failure.
        kind: io::ErrorKind,
        /// The operating system's message.
        message: String,
    },
}

/// Why an edit to a [`TrustListDraft`] was refused or it could not be signed or written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustEditError {
    /// The key is already in the list.
    #[error("{}", crate::l10n::both("trust-edit-duplicate-key", &[("n0", &format!("{}", .0))]))]
    DuplicateKey(KeyId),
    /// The entry's key id is not the id of its public key.
    #[error("{}", crate::l10n::both("trust-edit-key-id-mismatch", &[("stated", &format!("{}", .stated)), ("actual", &format!("{}", .actual))]))]
    KeyIdMismatch {
        /// The id written in the entry.
        stated: KeyId,
        /// The id of the entry's public key.
        actual: KeyId,
    },
    /// An office name is empty or has control characters.
    #[error("{}", crate::l10n::both("trust-edit-invalid-name", &[("n0", &format!("{}", .0))]))]
    InvalidName(&'static str),
    /// A verifier host is not a DNS name with an optional port.
    #[error("{}", crate::l10n::both("trust-edit-invalid-host", &[("n0_dbg", &format!("{:?}", .0))]))]
    InvalidHost(String),
    /// The public key is a small-order point.
    #[error("{}", crate::l10n::both("trust-edit-weak-key", &[("n0", &format!("{}", .0))]))]
    WeakKey(KeyId),
    /// A retired entry without its `retired_on` day: nobody could tell which of its
    /// certificates came before the retirement.
    #[error("{}", crate::l10n::both("trust-edit-missing-retired-on", &[("n0", &format!("{}", .0))]))]
    MissingRetiredOn(KeyId),
    /// An active entry with a `retired_on` day.
    #[error("{}", crate::l10n::both("trust-edit-unexpected-retired-on", &[("n0", &format!("{}", .0))]))]
    UnexpectedRetiredOn(KeyId),
    /// A key that is not compromised with a `compromised_at` or `feed_pin`.
    #[error("{}", crate::l10n::both("trust-edit-unexpected-compromise", &[("n0", &format!("{}", .0))]))]
    UnexpectedCompromise(KeyId),
    /// A feed pin's chain hash is not 64 lower-case hex digits.
    #[error("{}", crate::l10n::both("trust-edit-invalid-pin", &[("n0_dbg", &format!("{:?}", .0))]))]
    InvalidPin(String),
    /// The window ends before it starts.
    #[error("{}", crate::l10n::both("trust-edit-invalid-window", &[("n0", &format!("{}", .0))]))]
    InvalidWindow(KeyId),
    /// No entry has this key id.
    #[error("{}", crate::l10n::both("trust-edit-unknown-key", &[("n0", &format!("{}", .0))]))]
    UnknownKey(KeyId),
    /// The status change is not allowed (compromise is final; retired never becomes active).
    #[error("{}", crate::l10n::both("trust-edit-status-change", &[("key_id", &format!("{}", .key_id)), ("from", &format!("{}", .from)), ("to", &format!("{}", .to))]))]
    StatusChange {
        /// The key.
        key_id: KeyId,
        /// Its status.
        from: KeyStatus,
        /// The status asked for.
        to: KeyStatus,
    },
    /// Signing refused: an active entry's window has ended (mark it retired first).
    #[error("{}", crate::l10n::both("trust-edit-expired-entry", &[("n0", &format!("{}", .0))]))]
    ExpiredEntry(KeyId),
    /// Signing refused: the list would already be expired.
    #[error("{}", crate::l10n::both("trust-edit-expires-in-past", &[("expires", &format!("{}", .expires)), ("today", &format!("{}", .today))]))]
    ExpiresInPast {
        /// The list's `expires`.
        expires: Date,
        /// Today.
        today: Date,
    },
    /// The sequence number cannot grow any further.
    #[error("{}", crate::l10n::both("trust-edit-sequence-exhausted", &[]))]
    SequenceExhausted,
    /// The file could not be written.
    #[error("{}: {message}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What kind of failure.
        kind: io::ErrorKind,
        /// The operating system's message.
        message: String,
    },
}

/// The whole document as it is in the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    signed: Signed,
    signature: Option<RootSignature>,
}

/// The part the root key signs. Field order is part of the format: it fixes the signed bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Signed {
    format: String,
    sequence: u64,
    environment: Environment,
    #[serde(with = "serde_date")]
    issued_at: Date,
    #[serde(with = "serde_date")]
    expires: Date,
    root_key_id: Option<KeyId>,
    keys: Vec<TrustEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RootSignature {
    key_id: KeyId,
    #[serde(with = "crate::base64::signature")]
    ed25519: Signature,
}

/// How strictly [`decode`] judges the entries' shape.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Everything: what a verifier loads.
    Strict,
    /// Everything but a retired entry without its `retired_on`, which the authority can then
    /// give with [`TrustListDraft::retire`] (signing refuses the list until it does).
    Editable,
}

/// Size, JSON, format and shape: everything that can be judged without a key.
fn decode(json: &[u8], shape: Shape) -> Result<Document, TrustListError> {
    if json.len() > MAX_TRUST_LIST_BYTES {
        return Err(TrustListError::TooLarge {
            size: json.len(),
            limit: MAX_TRUST_LIST_BYTES,
        });
    }
    let doc: Document = match serde_json::from_slice(json) {
        Ok(doc) => doc,
        Err(e) => {
            // A newer format may well not fit this shape; name the format rather than the
            // first field it does not know.
            if let Some(format) = other_format(json) {
                return Err(TrustListError::UnsupportedFormat(format));
            }
            return Err(TrustListError::Malformed(e.to_string()));
        }
    };
    if doc.signed.format != FORMAT {
        return Err(TrustListError::UnsupportedFormat(doc.signed.format));
    }
    for entry in &doc.signed.keys {
        match check_shape(entry) {
            Ok(()) => {}
            Err(TrustEditError::MissingRetiredOn(_)) if shape == Shape::Editable => {}
            Err(e) => {
                return Err(TrustListError::Malformed(format!(
                    "key {}: {e}",
                    entry.key_id
                )))
            }
        }
    }
    Ok(doc)
}

/// The `signed.format` of a JSON document that has one and it is not ours.
fn other_format(json: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(json).ok()?;
    let format = value.get("signed")?.get("format")?.as_str()?;
    (format != FORMAT).then(|| format.to_owned())
}

/// Office code, names, hosts and key strength of one entry, as any list must have them.
fn check_shape(entry: &TrustEntry) -> Result<(), TrustEditError> {
    check_name(&entry.office_name_bn, "office_name_bn")?;
    check_name(&entry.office_name_en, "office_name_en")?;
    for host in &entry.verifier_hosts {
        normalize_host(host)?;
    }
    if entry.public_key.is_weak() {
        return Err(TrustEditError::WeakKey(entry.key_id));
    }
    if entry.status != KeyStatus::Compromised
        && (entry.compromised_at.is_some() || entry.feed_pin.is_some())
    {
        return Err(TrustEditError::UnexpectedCompromise(entry.key_id));
    }
    if let Some(pin) = &entry.feed_pin {
        pin.chain_bytes()
            .ok_or_else(|| TrustEditError::InvalidPin(pin.chain.clone()))?;
    }
    match (entry.status, entry.retired_on) {
        (KeyStatus::Retired, None) => Err(TrustEditError::MissingRetiredOn(entry.key_id)),
        (KeyStatus::Active, Some(_)) => Err(TrustEditError::UnexpectedRetiredOn(entry.key_id)),
        _ => Ok(()),
    }
}

fn check_name(name: &str, field: &'static str) -> Result<(), TrustEditError> {
    let ok = !name.trim().is_empty()
        && name.trim() == name
        && name.chars().count() <= 200
        && !name.chars().any(char::is_control);
    if ok {
        Ok(())
    } else {
        Err(TrustEditError::InvalidName(field))
    }
}

/// A verifier host in its stored form (upper case), if it is a DNS name with an optional port.
fn normalize_host(host: &str) -> Result<String, TrustEditError> {
    let invalid = || TrustEditError::InvalidHost(host.to_owned());
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host, None),
    };
    if let Some(port) = port {
        let digits_ok = (1..=5).contains(&port.len()) && port.bytes().all(|b| b.is_ascii_digit());
        if !digits_ok || !matches!(port.parse::<u16>(), Ok(p) if p != 0) {
            return Err(invalid());
        }
    }
    let label_ok = |label: &str| {
        (1..=63).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    if name.is_empty() || name.len() > 253 || !name.split('.').all(label_ok) {
        return Err(invalid());
    }
    Ok(host.to_ascii_uppercase())
}

/// A host as compared: upper case, without the default HTTPS port.
fn host_key(host: &str) -> String {
    let host = host.trim().to_ascii_uppercase();
    match host.strip_suffix(":443") {
        Some(bare) => bare.to_owned(),
        None => host,
    }
}

/// What can be wrong between entries, or with an entry on a given day; shared by loading and
/// signing, which report it in their own error types.
enum EntryFault {
    Duplicate(KeyId),
    KeyIdMismatch { stated: KeyId, actual: KeyId },
    InvalidWindow(KeyId),
    Expired(KeyId),
}

/// Checks the entries in the documented order, each check over all entries.
fn check_entries(keys: &[TrustEntry], today: Date) -> Result<(), EntryFault> {
    let mut seen = HashMap::with_capacity(keys.len());
    for entry in keys {
        if seen.insert(entry.key_id, ()).is_some() {
            return Err(EntryFault::Duplicate(entry.key_id));
        }
    }
    for entry in keys {
        let actual = KeyId::of(&entry.public_key);
        if actual != entry.key_id {
            return Err(EntryFault::KeyIdMismatch {
                stated: entry.key_id,
                actual,
            });
        }
    }
    if let Some(entry) = keys.iter().find(|e| e.not_after < e.not_before) {
        return Err(EntryFault::InvalidWindow(entry.key_id));
    }
    if let Some(entry) = keys
        .iter()
        .find(|e| e.status == KeyStatus::Active && e.not_after < today)
    {
        return Err(EntryFault::Expired(entry.key_id));
    }
    Ok(())
}

impl From<EntryFault> for TrustListError {
    fn from(fault: EntryFault) -> TrustListError {
        match fault {
            EntryFault::Duplicate(k) => TrustListError::DuplicateKey(k),
            EntryFault::KeyIdMismatch { stated, actual } => {
                TrustListError::KeyIdMismatch { stated, actual }
            }
            EntryFault::InvalidWindow(k) => TrustListError::InvalidWindow(k),
            EntryFault::Expired(k) => TrustListError::ExpiredEntry(k),
        }
    }
}

impl From<EntryFault> for TrustEditError {
    fn from(fault: EntryFault) -> TrustEditError {
        match fault {
            EntryFault::Duplicate(k) => TrustEditError::DuplicateKey(k),
            EntryFault::KeyIdMismatch { stated, actual } => {
                TrustEditError::KeyIdMismatch { stated, actual }
            }
            EntryFault::InvalidWindow(k) => TrustEditError::InvalidWindow(k),
            EntryFault::Expired(k) => TrustEditError::ExpiredEntry(k),
        }
    }
}

/// A trust list whose signature, dates and entries have been checked: the only way to learn
/// which office keys to trust.
#[derive(Debug, Clone)]
pub struct TrustList {
    doc: Document,
    root_key_id: KeyId,
    index: HashMap<KeyId, usize>,
}

impl TrustList {
    /// Parses and verifies a trust list against the `root` key on the day `today` (normally
    /// [`today_dhaka`]). The checks run in the order of [`TrustListError`]'s variants, so the
    /// first problem found is the one reported.
    pub fn load(
        json: &[u8],
        root: &VerifyingKey,
        today: Date,
    ) -> Result<TrustList, TrustListError> {
        let doc = decode(json, Shape::Strict)?;
        let (Some(root_key_id), Some(signature)) = (doc.signed.root_key_id, &doc.signature) else {
            return Err(TrustListError::Unsigned);
        };
        let expected = KeyId::of(root);
        for found in [root_key_id, signature.key_id] {
            if found != expected {
                return Err(TrustListError::WrongRoot { expected, found });
            }
        }
        if !crate::signed::verify_json(SIGNING_CONTEXT, &doc.signed, root, &signature.ed25519) {
            return Err(TrustListError::BadSignature);
        }
        if doc.signed.expires < today {
            return Err(TrustListError::Expired {
                expires: doc.signed.expires,
            });
        }
        check_entries(&doc.signed.keys, today)?;
        let index = doc
            .signed
            .keys
            .iter()
            .enumerate()
            .map(|(i, e)| (e.key_id, i))
            .collect();
        Ok(TrustList {
            doc,
            root_key_id,
            index,
        })
    }

    /// Reads the file at `path` and [`load`](TrustList::load)s it.
    pub fn read(
        path: impl AsRef<Path>,
        root: &VerifyingKey,
        today: Date,
    ) -> Result<TrustList, TrustListError> {
        TrustList::load(&read_limited(path.as_ref())?, root, today)
    }

    /// The entry for `key_id`, whatever its status.
    pub fn entry(&self, key_id: &KeyId) -> Option<&TrustEntry> {
        self.index.get(key_id).map(|&i| &self.doc.signed.keys[i])
    }

    /// All entries, in the order of the file.
    pub fn entries(&self) -> &[TrustEntry] {
        &self.doc.signed.keys
    }

    /// The list's sequence number; a newer list has a larger one.
    pub fn sequence(&self) -> u64 {
        self.doc.signed.sequence
    }

    /// Production or development.
    pub fn environment(&self) -> Environment {
        self.doc.signed.environment
    }

    /// The day it was signed.
    pub fn issued_at(&self) -> Date {
        self.doc.signed.issued_at
    }

    /// Its last valid day.
    pub fn expires(&self) -> Date {
        self.doc.signed.expires
    }

    /// The id of the root key that signed it.
    pub fn root_key_id(&self) -> KeyId {
        self.root_key_id
    }

    /// Whether `host` (as in a QR code's URL, any case, `:443` optional) is a verifier host that
    /// some office in the list names.
    pub fn is_official_host(&self, host: &str) -> bool {
        let wanted = host_key(host);
        self.entries()
            .iter()
            .flat_map(|e| &e.verifier_hosts)
            .any(|h| host_key(h) == wanted)
    }

    /// The verifier hosts of `office`, over all its keys, without repeats.
    pub fn office_hosts(&self, office: &str) -> Vec<&str> {
        let mut hosts: Vec<&str> = Vec::new();
        for host in self
            .entries()
            .iter()
            .filter(|e| e.office == office)
            .flat_map(|e| &e.verifier_hosts)
        {
            if !hosts.iter().any(|h| host_key(h) == host_key(host)) {
                hosts.push(host);
            }
        }
        hosts
    }

    /// The verified list as pretty JSON, still signed (it verifies again as it is).
    pub fn to_json_pretty(&self) -> String {
        to_json_pretty(&self.doc)
    }
}

fn to_json_pretty(doc: &Document) -> String {
    // See `crate::signed::signing_message`: serialising this document cannot fail.
    serde_json::to_string_pretty(doc).expect("a trust list always serialises")
}

fn read_limited(path: &Path) -> Result<Vec<u8>, TrustListError> {
    let io_err = |e: io::Error| TrustListError::Io {
        path: path.to_owned(),
        kind: e.kind(),
        message: e.to_string(),
    };
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|f| {
            f.take(MAX_TRUST_LIST_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
        })
        .map_err(io_err)?;
    Ok(bytes)
}

/// A trust list being edited by the national authority: possibly unsigned, not verified.
///
/// Every successful edit removes the signature (and root key id), so a changed list is a draft
/// until [`sign`](TrustListDraft::sign)ed again.
#[derive(Debug, Clone)]
pub struct TrustListDraft {
    doc: Document,
}

impl TrustListDraft {
    /// An empty draft, sequence 0, that will expire on `expires`.
    pub fn new(expires: Date, environment: Environment) -> TrustListDraft {
        TrustListDraft {
            doc: Document {
                signed: Signed {
                    format: FORMAT.to_owned(),
                    sequence: 0,
                    environment,
                    issued_at: today_dhaka(),
                    expires,
                    root_key_id: None,
                    keys: Vec::new(),
                },
                signature: None,
            },
        }
    }

    /// Parses a list for editing. Size, JSON, format and shape are checked; the signature is not.
    /// A retired entry without its `retired_on` (as in lists made before the field existed)
    /// is let through so that [`retire`](TrustListDraft::retire) can give it one; such a list
    /// does not sign until then.
    pub fn parse(json: &[u8]) -> Result<TrustListDraft, TrustListError> {
        decode(json, Shape::Editable).map(|doc| TrustListDraft { doc })
    }

    /// Reads and [`parse`](TrustListDraft::parse)s the file at `path`.
    pub fn read(path: impl AsRef<Path>) -> Result<TrustListDraft, TrustListError> {
        TrustListDraft::parse(&read_limited(path.as_ref())?)
    }

    /// Whether the draft carries a signature (not whether it verifies).
    pub fn is_signed(&self) -> bool {
        self.doc.signature.is_some() && self.doc.signed.root_key_id.is_some()
    }

    /// All entries.
    pub fn entries(&self) -> &[TrustEntry] {
        &self.doc.signed.keys
    }

    /// The entry for `key_id`.
    pub fn entry(&self, key_id: &KeyId) -> Option<&TrustEntry> {
        self.doc.signed.keys.iter().find(|e| e.key_id == *key_id)
    }

    /// The sequence number of the last signing.
    pub fn sequence(&self) -> u64 {
        self.doc.signed.sequence
    }

    /// Production or development.
    pub fn environment(&self) -> Environment {
        self.doc.signed.environment
    }

    /// The day of the last signing (or of creation).
    pub fn issued_at(&self) -> Date {
        self.doc.signed.issued_at
    }

    /// The list's last valid day.
    pub fn expires(&self) -> Date {
        self.doc.signed.expires
    }

    /// Adds an office key. The office code, names, hosts, key id and window are checked; hosts
    /// are stored upper case, ready for alphanumeric QR codes.
    pub fn add_key(&mut self, mut entry: TrustEntry) -> Result<KeyId, TrustEditError> {
        entry.verifier_hosts = entry
            .verifier_hosts
            .iter()
            .map(|h| normalize_host(h.trim()))
            .collect::<Result<_, _>>()?;
        check_shape(&entry)?;
        let actual = KeyId::of(&entry.public_key);
        if actual != entry.key_id {
            return Err(TrustEditError::KeyIdMismatch {
                stated: entry.key_id,
                actual,
            });
        }
        if self.entry(&entry.key_id).is_some() {
            return Err(TrustEditError::DuplicateKey(entry.key_id));
        }
        if entry.not_after < entry.not_before {
            return Err(TrustEditError::InvalidWindow(entry.key_id));
        }
        let key_id = entry.key_id;
        self.doc.signed.keys.push(entry);
        self.unsign();
        Ok(key_id)
    }

    /// Changes a key's status. Compromise is final and a retired key never becomes active
    /// again ([`TrustEditError::StatusChange`]); setting the status it already has changes
    /// nothing. A key marked [`KeyStatus::Retired`] here retires today in Dhaka; use
    /// [`retire`](TrustListDraft::retire) to give the day.
    pub fn set_status(&mut self, key_id: KeyId, status: KeyStatus) -> Result<(), TrustEditError> {
        self.change_status(key_id, status, today_dhaka())
    }

    /// Marks a key compromised (final) as distrusted from `at`, vouching for its office's feed
    /// up to `pin` when given: certificates of the key the feed published at or before the
    /// pin stay genuine. A key already compromised gets the new time and pin (the authority
    /// may learn more), which re-signing publishes.
    pub fn compromise(
        &mut self,
        key_id: KeyId,
        at: OffsetDateTime,
        pin: Option<FeedPin>,
    ) -> Result<(), TrustEditError> {
        self.change_status(key_id, KeyStatus::Compromised, today_dhaka())?;
        let entry = self.entry_mut(key_id)?;
        entry.compromised_at = Some(at.replace_nanosecond(0).unwrap_or(at));
        entry.feed_pin = pin;
        self.unsign();
        Ok(())
    }

    /// Marks a key retired as of `on`, the last day it may sign (its `retired_on`): verifiers
    /// refuse whatever it claims to have signed after that day. A key already retired keeps
    /// its day (one retired without a day gets `on`); compromise is final
    /// ([`TrustEditError::StatusChange`]).
    pub fn retire(&mut self, key_id: KeyId, on: Date) -> Result<(), TrustEditError> {
        self.change_status(key_id, KeyStatus::Retired, on)
    }

    fn change_status(
        &mut self,
        key_id: KeyId,
        status: KeyStatus,
        on: Date,
    ) -> Result<(), TrustEditError> {
        let entry = self.entry_mut(key_id)?;
        if entry.status == status {
            if status == KeyStatus::Retired && entry.retired_on.is_none() {
                entry.retired_on = Some(on);
                self.unsign();
            }
            return Ok(());
        }
        if !entry.status.may_become(status) {
            return Err(TrustEditError::StatusChange {
                key_id,
                from: entry.status,
                to: status,
            });
        }
        if status == KeyStatus::Retired {
            entry.retired_on = Some(on);
        }
        entry.status = status;
        self.unsign();
        Ok(())
    }

    /// Replaces `old` with `new_public_key` for the same office (names and hosts copied), valid
    /// from `not_before` to `not_after`. An active old key becomes retired as of `retired_on`,
    /// the last day it may sign; a retired one keeps its day and a compromised one stays
    /// compromised. Returns the new key's id.
    pub fn rotate(
        &mut self,
        old: KeyId,
        new_public_key: VerifyingKey,
        not_before: Date,
        not_after: Date,
        retired_on: Date,
    ) -> Result<KeyId, TrustEditError> {
        let old_entry = self.entry(&old).ok_or(TrustEditError::UnknownKey(old))?;
        let new_entry = TrustEntry {
            status: KeyStatus::Active,
            retired_on: None,
            compromised_at: None,
            feed_pin: None,
            not_before,
            not_after,
            key_id: KeyId::of(&new_public_key),
            public_key: new_public_key,
            ..old_entry.clone()
        };
        let old_status = old_entry.status;
        let mut edited = self.clone();
        let new_id = edited.add_key(new_entry)?;
        if old_status == KeyStatus::Active {
            edited.retire(old, retired_on)?;
        }
        *self = edited;
        Ok(new_id)
    }

    /// Signs the list with the root key as of today in Dhaka; see
    /// [`sign_on`](TrustListDraft::sign_on).
    pub fn sign(&mut self, root: &SecretKey, expires: Option<Date>) -> Result<(), TrustEditError> {
        self.sign_on(root, expires, today_dhaka())
    }

    /// Signs the list with the root key on the day `today`: sets `expires` if given, bumps the
    /// sequence by one and sets `issued_at` and the root key id. Refused if the list would
    /// already be expired or would not load (a retired key without its `retired_on`, duplicate
    /// or mismatched key ids, inverted windows, an active key past its window). The draft is
    /// unchanged when signing is refused.
    pub fn sign_on(
        &mut self,
        root: &SecretKey,
        expires: Option<Date>,
        today: Date,
    ) -> Result<(), TrustEditError> {
        let mut signed = self.doc.signed.clone();
        if let Some(expires) = expires {
            signed.expires = expires;
        }
        if signed.expires < today {
            return Err(TrustEditError::ExpiresInPast {
                expires: signed.expires,
                today,
            });
        }
        // A parsed draft may hold a retired entry without its day (see `parse`).
        for entry in &signed.keys {
            check_shape(entry)?;
        }
        check_entries(&signed.keys, today)?;
        signed.sequence = signed
            .sequence
            .checked_add(1)
            .ok_or(TrustEditError::SequenceExhausted)?;
        signed.issued_at = today;
        signed.root_key_id = Some(root.key_id());
        let ed25519 = crate::signed::sign_json(SIGNING_CONTEXT, &signed, root);
        self.doc = Document {
            signed,
            signature: Some(RootSignature {
                key_id: root.key_id(),
                ed25519,
            }),
        };
        Ok(())
    }

    /// The document as pretty JSON (two-space indent, Bangla as UTF-8).
    pub fn to_json_pretty(&self) -> String {
        to_json_pretty(&self.doc)
    }

    /// Writes the document to `path` atomically: a temporary file in the same directory is
    /// written and synced, then renamed over `path`, so a crash leaves the old or the new list,
    /// never half of one.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<(), TrustEditError> {
        let path = path.as_ref();
        let mut json = self.to_json_pretty();
        json.push('\n');
        crate::fs::write_atomic(path, json.as_bytes(), crate::fs::MODE_PUBLIC).map_err(|e| {
            TrustEditError::Io {
                path: path.to_owned(),
                kind: e.kind(),
                message: e.to_string(),
            }
        })
    }

    fn entry_mut(&mut self, key_id: KeyId) -> Result<&mut TrustEntry, TrustEditError> {
        self.doc
            .signed
            .keys
            .iter_mut()
            .find(|e| e.key_id == key_id)
            .ok_or(TrustEditError::UnknownKey(key_id))
    }

    fn unsign(&mut self) {
        self.doc.signature = None;
        self.doc.signed.root_key_id = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::SigningKey;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 28);

    /// Deterministic keys: tests must not depend on randomness.
    fn key(seed: u8) -> SecretKey {
        SecretKey::from_signing_key(SigningKey::from_bytes(&[seed; 32]))
    }

    fn office(code: &str) -> OfficeCode {
        OfficeCode::parse(code).unwrap()
    }

    fn entry(seed: u8) -> TrustEntry {
        TrustEntry::new(
            key(seed).verifying_key(),
            office("100524"),
            "সাভার পৌরসভা",
            "Savar Paurashava",
            date!(2026 - 01 - 01),
            date!(2027 - 12 - 31),
            vec!["verify.sonod.gov.bd".to_owned()],
        )
    }

    fn draft() -> TrustListDraft {
        let mut d = TrustListDraft::new(date!(2027 - 05 - 27), Environment::Production);
        d.add_key(entry(2)).unwrap();
        d
    }

    fn signed_json() -> String {
        let mut d = draft();
        d.sign_on(&key(1), None, TODAY).unwrap();
        d.to_json_pretty()
    }

    fn load(json: &[u8]) -> Result<TrustList, TrustListError> {
        TrustList::load(json, &key(1).verifying_key(), TODAY)
    }

    /// Signs `signed` as it is, bypassing the draft's checks, to make lists only a faulty or
    /// malicious signer would make.
    fn force_sign(mut signed: Signed, root: &SecretKey) -> Vec<u8> {
        signed.root_key_id = Some(root.key_id());
        let ed25519 = crate::signed::sign_json(SIGNING_CONTEXT, &signed, root);
        let doc = Document {
            signed,
            signature: Some(RootSignature {
                key_id: root.key_id(),
                ed25519,
            }),
        };
        to_json_pretty(&doc).into_bytes()
    }

    fn edit_json(json: &str, edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
        let mut value: serde_json::Value = serde_json::from_str(json).unwrap();
        edit(&mut value);
        serde_json::to_vec_pretty(&value).unwrap()
    }

    #[test]
    fn sign_then_load() {
        let json = signed_json();
        let list = load(json.as_bytes()).unwrap();
        assert_eq!(list.sequence(), 1);
        assert_eq!(list.environment(), Environment::Production);
        assert_eq!(list.issued_at(), TODAY);
        assert_eq!(list.expires(), date!(2027 - 05 - 27));
        assert_eq!(list.root_key_id(), key(1).key_id());
        let id = key(2).key_id();
        let e = list.entry(&id).unwrap();
        assert_eq!(e.public_key, key(2).verifying_key());
        assert_eq!(e.office_name_bn, "সাভার পৌরসভা");
        assert_eq!(e.verifier_hosts, ["VERIFY.SONOD.GOV.BD"]);
        assert_eq!(list.entries().len(), 1);
        assert!(list.entry(&key(3).key_id()).is_none());
        // The verified list re-serialises to exactly what was loaded.
        assert_eq!(list.to_json_pretty(), json);
    }

    #[test]
    fn file_layout_is_the_documented_one() {
        let json = signed_json();
        let kid = key(2).key_id();
        let expected_start = format!(
            "{{\n  \"signed\": {{\n    \"format\": \"sonod-trust-list/1\",\n    \"sequence\": 1,\n    \
             \"environment\": \"production\",\n    \"issued_at\": \"2026-11-28\",\n    \
             \"expires\": \"2027-05-27\",\n    \"root_key_id\": \"{}\",\n    \"keys\": [\n      {{\n        \
             \"key_id\": \"{kid}\",\n",
            key(1).key_id()
        );
        assert!(json.starts_with(&expected_start), "{json}");
        assert!(json.contains("\"office_name_bn\": \"সাভার পৌরসভা\""));
        assert!(json.contains("\"status\": \"active\""));
        assert!(json.contains("\"signature\": {\n    \"key_id\""));
    }

    #[test]
    fn reformatted_file_still_loads() {
        let json = signed_json();
        // Compact, keys sorted alphabetically (serde_json's Value map).
        let compact =
            serde_json::to_vec(&serde_json::from_str::<serde_json::Value>(&json).unwrap()).unwrap();
        assert!(load(&compact).is_ok());
        // CRLF and extra indentation.
        let crlf = json.replace('\n', "\r\n\t ");
        assert!(load(crlf.as_bytes()).is_ok());
        // Bangla escaped as \uXXXX.
        let escaped: String = json
            .chars()
            .map(|c| {
                if c.is_ascii() {
                    c.to_string()
                } else {
                    format!("\\u{:04x}", u32::from(c))
                }
            })
            .collect();
        assert!(escaped.contains("\\u09b8"));
        assert!(load(escaped.as_bytes()).is_ok());
    }

    #[test]
    fn too_large() {
        let mut json = signed_json().into_bytes();
        json.resize(MAX_TRUST_LIST_BYTES + 1, b' ');
        assert_eq!(
            load(&json).unwrap_err(),
            TrustListError::TooLarge {
                size: MAX_TRUST_LIST_BYTES + 1,
                limit: MAX_TRUST_LIST_BYTES
            }
        );
    }

    #[test]
    fn malformed() {
        let json = signed_json();
        let cases: Vec<Vec<u8>> = vec![
            b"not json".to_vec(),
            b"{}".to_vec(),
            edit_json(&json, |v| v["signed"]["extra"] = "x".into()),
            edit_json(&json, |v| v["signed"]["expires"] = "27/05/2027".into()),
            edit_json(&json, |v| {
                v["signed"]["keys"][0]["status"] = "revoked".into()
            }),
            edit_json(&json, |v| {
                v["signed"]["keys"][0]["public_key"] = "AAAA".into()
            }),
            edit_json(&json, |v| v["signed"]["keys"][0]["office"] = "1".into()),
            edit_json(&json, |v| {
                v["signed"]["keys"][0]["office_name_en"] = "".into()
            }),
            edit_json(&json, |v| {
                v["signed"]["keys"][0]["verifier_hosts"][0] = "https://x".into()
            }),
        ];
        for case in cases {
            let err = load(&case).unwrap_err();
            assert!(
                matches!(err, TrustListError::Malformed(_)),
                "{}: {err:?}",
                String::from_utf8_lossy(&case)
            );
        }
    }

    #[test]
    fn unsupported_format_even_with_a_new_shape() {
        let json = signed_json();
        let v2 = edit_json(&json, |v| {
            v["signed"]["format"] = "sonod-trust-list/2".into();
            v["signed"]["new_field"] = 1.into();
        });
        assert_eq!(
            load(&v2).unwrap_err(),
            TrustListError::UnsupportedFormat("sonod-trust-list/2".to_owned())
        );
        let v2_same_shape = edit_json(&json, |v| v["signed"]["format"] = "x".into());
        assert_eq!(
            load(&v2_same_shape).unwrap_err(),
            TrustListError::UnsupportedFormat("x".to_owned())
        );
    }

    #[test]
    fn unsigned_draft() {
        let json = draft().to_json_pretty();
        assert!(json.contains("\"root_key_id\": null"));
        assert!(json.contains("\"signature\": null"));
        assert_eq!(load(json.as_bytes()).unwrap_err(), TrustListError::Unsigned);
        // A signature without a root key id is no better.
        let half = edit_json(&signed_json(), |v| {
            v["signed"]["root_key_id"] = serde_json::Value::Null
        });
        assert_eq!(load(&half).unwrap_err(), TrustListError::Unsigned);
    }

    #[test]
    fn wrong_root() {
        let json = signed_json();
        assert_eq!(
            TrustList::load(json.as_bytes(), &key(9).verifying_key(), TODAY).unwrap_err(),
            TrustListError::WrongRoot {
                expected: key(9).key_id(),
                found: key(1).key_id()
            }
        );
    }

    #[test]
    fn tampering_is_a_bad_signature() {
        let json = signed_json();
        let tampered = [
            edit_json(&json, |v| {
                v["signed"]["keys"][0]["office_name_en"] = "Dhaka".into()
            }),
            edit_json(&json, |v| {
                v["signed"]["keys"][0]["status"] = "retired".into();
                v["signed"]["keys"][0]["retired_on"] = "2026-11-28".into();
            }),
            edit_json(&json, |v| {
                v["signed"]["keys"][0]["status"] = "compromised".into()
            }),
            edit_json(&json, |v| v["signed"]["sequence"] = 99.into()),
            edit_json(&json, |v| v["signed"]["expires"] = "2030-01-01".into()),
            edit_json(&json, |v| v["signed"]["environment"] = "development".into()),
            edit_json(&json, |v| {
                v["signed"]["keys"][0]["verifier_hosts"][0] = "VERIFY.SONOD-GOV.BD".into()
            }),
            edit_json(&json, |v| {
                v["signature"]["ed25519"] =
                    base64::Engine::encode(&base64::engine::general_purpose::STANDARD, [7u8; 64])
                        .into()
            }),
        ];
        for t in tampered {
            assert_eq!(load(&t).unwrap_err(), TrustListError::BadSignature);
        }
    }

    #[test]
    fn expired_list() {
        let json = signed_json();
        let after = date!(2027 - 05 - 28);
        assert_eq!(
            TrustList::load(json.as_bytes(), &key(1).verifying_key(), after).unwrap_err(),
            TrustListError::Expired {
                expires: date!(2027 - 05 - 27)
            }
        );
        // The last day is still valid.
        assert!(TrustList::load(
            json.as_bytes(),
            &key(1).verifying_key(),
            date!(2027 - 05 - 27)
        )
        .is_ok());
    }

    #[test]
    fn duplicate_key() {
        let mut signed = draft().doc.signed;
        signed.keys.push(entry(2));
        assert_eq!(
            load(&force_sign(signed, &key(1))).unwrap_err(),
            TrustListError::DuplicateKey(key(2).key_id())
        );
    }

    #[test]
    fn key_id_mismatch() {
        let mut signed = draft().doc.signed;
        let mut wrong = entry(3);
        wrong.key_id = key(4).key_id();
        signed.keys.push(wrong);
        assert_eq!(
            load(&force_sign(signed, &key(1))).unwrap_err(),
            TrustListError::KeyIdMismatch {
                stated: key(4).key_id(),
                actual: key(3).key_id()
            }
        );
    }

    #[test]
    fn invalid_window() {
        let mut signed = draft().doc.signed;
        let mut inverted = entry(3);
        inverted.not_before = date!(2027 - 01 - 01);
        inverted.not_after = date!(2026 - 12 - 31);
        signed.keys.push(inverted);
        assert_eq!(
            load(&force_sign(signed, &key(1))).unwrap_err(),
            TrustListError::InvalidWindow(key(3).key_id())
        );
    }

    #[test]
    fn expired_active_entry_but_not_retired_one() {
        let mut d = TrustListDraft::new(date!(2027 - 05 - 27), Environment::Production);
        let mut short = entry(3);
        short.not_after = date!(2026 - 12 - 31);
        d.add_key(short).unwrap();
        d.sign_on(&key(1), None, TODAY).unwrap();
        let json = d.to_json_pretty();
        let next_year = date!(2027 - 01 - 05);
        assert_eq!(
            TrustList::load(json.as_bytes(), &key(1).verifying_key(), next_year).unwrap_err(),
            TrustListError::ExpiredEntry(key(3).key_id())
        );
        // The signer is told the same before signing ...
        assert_eq!(
            d.clone().sign_on(&key(1), None, next_year).unwrap_err(),
            TrustEditError::ExpiredEntry(key(3).key_id())
        );
        // ... and retiring the key fixes it.
        d.retire(key(3).key_id(), date!(2026 - 12 - 31)).unwrap();
        d.sign_on(&key(1), None, next_year).unwrap();
        let list = TrustList::load(
            d.to_json_pretty().as_bytes(),
            &key(1).verifying_key(),
            next_year,
        )
        .unwrap();
        assert_eq!(
            list.entry(&key(3).key_id()).unwrap().status,
            KeyStatus::Retired
        );
    }

    #[test]
    fn io_error_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing.json");
        match TrustList::read(&path, &key(1).verifying_key(), TODAY).unwrap_err() {
            TrustListError::Io { path: p, kind, .. } => {
                assert_eq!(p, path);
                assert_eq!(kind, io::ErrorKind::NotFound);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn add_key_validates() {
        let mut d = draft();
        assert_eq!(
            d.add_key(entry(2)).unwrap_err(),
            TrustEditError::DuplicateKey(key(2).key_id())
        );
        // An entry's office is an `OfficeCode`: a bad one is refused where the list is read.
        let json = d.to_json_pretty();
        for bad in ["12a", "1234567890123"] {
            let edited = edit_json(&json, |v| v["signed"]["keys"][0]["office"] = bad.into());
            assert!(matches!(
                TrustListDraft::parse(&edited).unwrap_err(),
                TrustListError::Malformed(m) if m.contains("invalid office code")
            ));
        }
        let mut e = entry(3);
        e.office_name_bn = "  ".to_owned();
        assert_eq!(
            d.add_key(e).unwrap_err(),
            TrustEditError::InvalidName("office_name_bn")
        );
        for bad in [
            "",
            "a..b",
            "-a.b",
            "a.b:0",
            "a.b:65536",
            "a.b:x",
            "a b",
            "a/b",
            "ডট.বিডি",
        ] {
            let mut e = entry(3);
            e.verifier_hosts = vec![bad.to_owned()];
            assert_eq!(
                d.add_key(e).unwrap_err(),
                TrustEditError::InvalidHost(bad.to_owned()),
                "{bad}"
            );
        }
        let mut e = entry(3);
        e.key_id = key(4).key_id();
        assert_eq!(
            d.add_key(e).unwrap_err(),
            TrustEditError::KeyIdMismatch {
                stated: key(4).key_id(),
                actual: key(3).key_id()
            }
        );
        let mut e = entry(3);
        e.not_after = date!(2025 - 12 - 31);
        assert_eq!(
            d.add_key(e).unwrap_err(),
            TrustEditError::InvalidWindow(key(3).key_id())
        );
        assert_eq!(d.entries().len(), 1);

        let mut e = entry(3);
        e.verifier_hosts = vec![
            "localhost:8080".to_owned(),
            "Verify.Sonod.Gov.BD".to_owned(),
        ];
        assert_eq!(d.add_key(e).unwrap(), key(3).key_id());
        assert_eq!(
            d.entry(&key(3).key_id()).unwrap().verifier_hosts,
            ["LOCALHOST:8080", "VERIFY.SONOD.GOV.BD"]
        );
    }

    #[test]
    fn status_changes() {
        let mut d = draft();
        let k = key(2).key_id();
        d.set_status(k, KeyStatus::Active).unwrap();
        d.set_status(k, KeyStatus::Retired).unwrap();
        assert_eq!(
            d.set_status(k, KeyStatus::Active).unwrap_err(),
            TrustEditError::StatusChange {
                key_id: k,
                from: KeyStatus::Retired,
                to: KeyStatus::Active
            }
        );
        d.set_status(k, KeyStatus::Compromised).unwrap();
        for to in [KeyStatus::Active, KeyStatus::Retired] {
            assert_eq!(
                d.set_status(k, to).unwrap_err(),
                TrustEditError::StatusChange {
                    key_id: k,
                    from: KeyStatus::Compromised,
                    to
                }
            );
        }
        assert_eq!(
            d.set_status(key(7).key_id(), KeyStatus::Retired)
                .unwrap_err(),
            TrustEditError::UnknownKey(key(7).key_id())
        );
    }

    #[test]
    fn a_compromise_carries_its_moment_and_pin_through_signing() {
        let mut d = draft();
        let k = key(2).key_id();
        let at = time::macros::datetime!(2026-11-27 09:30:00 +06:00);
        let pin = FeedPin::new(41, &"ab".repeat(32)).unwrap();
        assert_eq!(
            FeedPin::new(41, &"AB".repeat(32)).unwrap_err(),
            TrustEditError::InvalidPin("AB".repeat(32))
        );
        d.compromise(k, at, Some(pin.clone())).unwrap();
        d.sign_on(&key(1), None, TODAY).unwrap();
        let json = d.to_json_pretty();
        assert!(
            json.contains("\"compromised_at\": \"2026-11-27T03:30:00Z\"")
                || json.contains("\"compromised_at\": \"2026-11-27T09:30:00+06:00\""),
            "{json}"
        );
        let list = load(json.as_bytes()).unwrap();
        let e = list.entry(&k).unwrap();
        assert_eq!(e.status, KeyStatus::Compromised);
        assert_eq!(e.compromised_at, Some(at));
        assert_eq!(e.feed_pin.as_ref(), Some(&pin));
        assert_eq!(pin.chain_bytes(), Some([0xab; 32]));
        // Tampering with the pin breaks the root signature.
        let tampered = json.replace("\"position\": 41", "\"position\": 42");
        assert_ne!(tampered, json);
        assert_eq!(
            load(tampered.as_bytes()).unwrap_err(),
            TrustListError::BadSignature
        );
        // Only a compromised key may carry them; a pin must be a hash.
        let mut signed = draft().doc.signed;
        signed.keys[0].feed_pin = Some(pin.clone());
        assert!(matches!(
            load(&force_sign(signed.clone(), &key(1))),
            Err(TrustListError::Malformed(_))
        ));
        signed.keys[0].status = KeyStatus::Compromised;
        signed.keys[0].feed_pin = Some(FeedPin {
            position: 1,
            chain: "x".into(),
        });
        assert!(matches!(
            load(&force_sign(signed, &key(1))),
            Err(TrustListError::Malformed(_))
        ));
        // A key rotated away from does not hand them to its successor.
        let mut d = draft();
        d.compromise(k, at, Some(pin)).unwrap();
        let new = d
            .rotate(
                k,
                key(3).verifying_key(),
                TODAY,
                date!(2027 - 11 - 01),
                TODAY,
            )
            .unwrap();
        let e = d.entry(&new).unwrap();
        assert!(e.compromised_at.is_none() && e.feed_pin.is_none());
    }

    #[test]
    fn rotate_copies_the_office_and_retires_the_old_key() {
        let mut d = draft();
        let old = key(2).key_id();
        let new = d
            .rotate(
                old,
                key(3).verifying_key(),
                date!(2026 - 11 - 01),
                date!(2027 - 11 - 01),
                date!(2026 - 11 - 15),
            )
            .unwrap();
        assert_eq!(new, key(3).key_id());
        let n = d.entry(&new).unwrap();
        assert_eq!(n.status, KeyStatus::Active);
        assert_eq!(n.office, "100524");
        assert_eq!(n.office_name_en, "Savar Paurashava");
        assert_eq!(n.verifier_hosts, ["VERIFY.SONOD.GOV.BD"]);
        assert_eq!(
            (n.not_before, n.not_after),
            (date!(2026 - 11 - 01), date!(2027 - 11 - 01))
        );
        assert_eq!(n.retired_on, None);
        let o = d.entry(&old).unwrap();
        assert_eq!(o.status, KeyStatus::Retired);
        assert_eq!(o.retired_on, Some(date!(2026 - 11 - 15)));
        assert!(o.may_sign_on(date!(2026 - 11 - 15)));
        assert!(!o.may_sign_on(date!(2026 - 11 - 16)));

        // Rotating again onto a key already present changes nothing.
        let before = d.to_json_pretty();
        assert_eq!(
            d.rotate(new, key(2).verifying_key(), TODAY, TODAY, TODAY)
                .unwrap_err(),
            TrustEditError::DuplicateKey(old)
        );
        assert_eq!(d.to_json_pretty(), before);

        // A compromised key stays compromised when it is replaced.
        d.set_status(new, KeyStatus::Compromised).unwrap();
        d.rotate(
            new,
            key(4).verifying_key(),
            TODAY,
            date!(2027 - 11 - 28),
            TODAY,
        )
        .unwrap();
        assert_eq!(d.entry(&new).unwrap().status, KeyStatus::Compromised);
        assert_eq!(d.entry(&new).unwrap().retired_on, None);
        // A retired key replaced again keeps its day.
        d.rotate(
            old,
            key(6).verifying_key(),
            TODAY,
            date!(2027 - 11 - 28),
            TODAY,
        )
        .unwrap();
        assert_eq!(
            d.entry(&old).unwrap().retired_on,
            Some(date!(2026 - 11 - 15))
        );
        assert_eq!(
            d.rotate(key(8).key_id(), key(5).verifying_key(), TODAY, TODAY, TODAY)
                .unwrap_err(),
            TrustEditError::UnknownKey(key(8).key_id())
        );
    }

    #[test]
    fn signing_bumps_the_sequence_and_edits_unsign() {
        let mut d = draft();
        assert!(!d.is_signed());
        d.sign_on(&key(1), None, TODAY).unwrap();
        assert!(d.is_signed());
        assert_eq!(d.sequence(), 1);
        d.sign_on(&key(1), Some(date!(2027 - 06 - 30)), date!(2026 - 12 - 01))
            .unwrap();
        assert_eq!(d.sequence(), 2);
        assert_eq!(d.issued_at(), date!(2026 - 12 - 01));
        assert_eq!(d.expires(), date!(2027 - 06 - 30));

        d.set_status(key(2).key_id(), KeyStatus::Retired).unwrap();
        assert!(!d.is_signed());
        assert_eq!(
            load(d.to_json_pretty().as_bytes()).unwrap_err(),
            TrustListError::Unsigned
        );
        d.sign_on(&key(1), None, TODAY).unwrap();
        assert_eq!(load(d.to_json_pretty().as_bytes()).unwrap().sequence(), 3);
    }

    #[test]
    fn signing_refuses_an_expired_list() {
        let mut d = draft();
        assert_eq!(
            d.sign_on(&key(1), Some(date!(2026 - 11 - 27)), TODAY)
                .unwrap_err(),
            TrustEditError::ExpiresInPast {
                expires: date!(2026 - 11 - 27),
                today: TODAY
            }
        );
        assert_eq!(d.expires(), date!(2027 - 05 - 27));
        assert_eq!(d.sequence(), 0);
    }

    #[test]
    fn write_then_read_is_byte_exact() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trust.json");
        let mut d = draft();
        d.sign_on(&key(1), None, TODAY).unwrap();
        d.write(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, format!("{}\n", d.to_json_pretty()));
        let back = TrustListDraft::read(&path).unwrap();
        assert_eq!(back.to_json_pretty(), d.to_json_pretty());
        assert!(TrustList::read(&path, &key(1).verifying_key(), TODAY).is_ok());
        // Overwriting leaves no temporary file behind.
        d.write(&path).unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["trust.json"]);
    }

    #[test]
    fn official_hosts() {
        let mut d = draft();
        let mut other = entry(3);
        other.office = office("200101");
        other.verifier_hosts = vec!["LOCALHOST:8080".to_owned()];
        d.add_key(other).unwrap();
        d.rotate(
            key(2).key_id(),
            key(4).verifying_key(),
            TODAY,
            date!(2027 - 11 - 28),
            TODAY,
        )
        .unwrap();
        d.sign_on(&key(1), None, TODAY).unwrap();
        let list = load(d.to_json_pretty().as_bytes()).unwrap();
        assert!(list.is_official_host("verify.sonod.gov.bd"));
        assert!(list.is_official_host("VERIFY.SONOD.GOV.BD:443"));
        assert!(list.is_official_host("localhost:8080"));
        assert!(!list.is_official_host("localhost"));
        assert!(!list.is_official_host("verify.sonod.gov.bd.evil.example"));
        assert!(!list.is_official_host(""));
        assert_eq!(list.office_hosts("100524"), ["VERIFY.SONOD.GOV.BD"]);
        assert_eq!(list.office_hosts("200101"), ["LOCALHOST:8080"]);
        assert!(list.office_hosts("999999").is_empty());
    }

    #[test]
    fn may_sign_on_includes_both_ends() {
        let e = entry(2);
        assert!(!e.may_sign_on(date!(2025 - 12 - 31)));
        assert!(e.may_sign_on(date!(2026 - 01 - 01)));
        assert!(e.may_sign_on(date!(2027 - 12 - 31)));
        assert!(!e.may_sign_on(date!(2028 - 01 - 01)));
    }

    #[test]
    fn a_retired_key_may_sign_up_to_its_retirement_day_only() {
        let mut e = entry(2);
        e.status = KeyStatus::Retired;
        e.retired_on = Some(date!(2026 - 06 - 30));
        assert!(!e.may_sign_on(date!(2025 - 12 - 31)));
        assert!(e.may_sign_on(date!(2026 - 01 - 01)));
        assert!(e.may_sign_on(date!(2026 - 06 - 30)));
        assert!(!e.may_sign_on(date!(2026 - 07 - 01)));
        assert!(!e.may_sign_on(date!(2027 - 12 - 31)));
        assert_eq!(e.last_signing_day(), date!(2026 - 06 - 30));
        // Retired after its window ended: the window still bounds it.
        e.retired_on = Some(date!(2028 - 03 - 01));
        assert!(e.may_sign_on(date!(2027 - 12 - 31)));
        assert!(!e.may_sign_on(date!(2028 - 01 - 01)));
        assert_eq!(e.last_signing_day(), date!(2027 - 12 - 31));
    }

    #[test]
    fn retiring_records_the_day_and_the_list_carries_it() {
        let mut d = draft();
        let k = key(2).key_id();
        d.retire(k, date!(2026 - 11 - 20)).unwrap();
        // Retiring again does not move the day.
        d.retire(k, date!(2026 - 11 - 25)).unwrap();
        d.set_status(k, KeyStatus::Retired).unwrap();
        d.sign_on(&key(1), None, TODAY).unwrap();
        let json = d.to_json_pretty();
        assert!(
            json.contains("\"status\": \"retired\",\n        \"retired_on\": \"2026-11-20\",\n"),
            "{json}"
        );
        let list = load(json.as_bytes()).unwrap();
        let e = list.entry(&k).unwrap();
        assert_eq!(e.retired_on, Some(date!(2026 - 11 - 20)));
        assert!(e.may_sign_on(date!(2026 - 11 - 20)));
        assert!(!e.may_sign_on(date!(2026 - 11 - 21)));
        // The day is signed: moving it is a bad signature.
        let later = edit_json(&json, |v| {
            v["signed"]["keys"][0]["retired_on"] = "2027-06-01".into()
        });
        assert_eq!(load(&later).unwrap_err(), TrustListError::BadSignature);
        // Compromise keeps it.
        d.set_status(k, KeyStatus::Compromised).unwrap();
        assert_eq!(d.entry(&k).unwrap().retired_on, Some(date!(2026 - 11 - 20)));
        d.sign_on(&key(1), None, TODAY).unwrap();
        assert!(load(d.to_json_pretty().as_bytes()).is_ok());
    }

    #[test]
    fn set_status_retired_retires_today_in_dhaka() {
        let mut d = draft();
        let k = key(2).key_id();
        d.set_status(k, KeyStatus::Retired).unwrap();
        assert_eq!(d.entry(&k).unwrap().retired_on, Some(today_dhaka()));
    }

    #[test]
    fn a_retired_entry_without_its_day_is_refused() {
        let mut signed = draft().doc.signed;
        signed.keys[0].status = KeyStatus::Retired;
        let err = load(&force_sign(signed.clone(), &key(1))).unwrap_err();
        assert!(
            matches!(&err, TrustListError::Malformed(m) if m.contains("retired key") && m.contains("no retired_on")),
            "{err:?}"
        );
        // Nor does an active entry carry one.
        signed.keys[0].status = KeyStatus::Active;
        signed.keys[0].retired_on = Some(TODAY);
        let err = load(&force_sign(signed, &key(1))).unwrap_err();
        assert!(
            matches!(&err, TrustListError::Malformed(m) if m.contains("cannot have a retired_on")),
            "{err:?}"
        );
        // The editor refuses both too.
        let mut d = TrustListDraft::new(date!(2027 - 05 - 27), Environment::Production);
        let mut e = entry(3);
        e.status = KeyStatus::Retired;
        assert_eq!(
            d.add_key(e).unwrap_err(),
            TrustEditError::MissingRetiredOn(key(3).key_id())
        );
        let mut e = entry(3);
        e.retired_on = Some(TODAY);
        assert_eq!(
            d.add_key(e).unwrap_err(),
            TrustEditError::UnexpectedRetiredOn(key(3).key_id())
        );
        // A retired_on that is not a date, or null, is malformed.
        let mut d = draft();
        d.retire(key(2).key_id(), TODAY).unwrap();
        d.sign_on(&key(1), None, TODAY).unwrap();
        let json = d.to_json_pretty();
        for bad in [serde_json::Value::Null, "28/11/2026".into(), 5.into()] {
            let case = edit_json(&json, |v| {
                v["signed"]["keys"][0]["retired_on"] = bad.clone()
            });
            assert!(
                matches!(load(&case).unwrap_err(), TrustListError::Malformed(_)),
                "{bad}"
            );
        }
    }

    /// A list with a retired key but no `retired_on` (hand-made, or from before the field)
    /// does not load, but can be edited: the authority gives the day, then signs.
    #[test]
    fn a_retired_entry_without_its_day_can_be_given_one_and_signed() {
        let mut signed = draft().doc.signed;
        signed.keys[0].status = KeyStatus::Retired;
        let json = force_sign(signed, &key(1));
        assert!(matches!(load(&json), Err(TrustListError::Malformed(_))));
        let mut d = TrustListDraft::parse(&json).unwrap();
        let k = key(2).key_id();
        assert_eq!(
            d.clone().sign_on(&key(1), None, TODAY).unwrap_err(),
            TrustEditError::MissingRetiredOn(k)
        );
        d.retire(k, date!(2026 - 10 - 31)).unwrap();
        assert!(!d.is_signed());
        d.sign_on(&key(1), None, TODAY).unwrap();
        let list = load(d.to_json_pretty().as_bytes()).unwrap();
        assert_eq!(
            list.entry(&k).unwrap().retired_on,
            Some(date!(2026 - 10 - 31))
        );
        // Other shape faults are still refused when parsing for editing.
        let mut signed = draft().doc.signed;
        signed.keys[0].retired_on = Some(TODAY);
        assert!(matches!(
            TrustListDraft::parse(&force_sign(signed, &key(1))),
            Err(TrustListError::Malformed(_))
        ));
    }

    /// A list signed before `retired_on` existed (by the code of that time, with an active and
    /// a compromised key) still loads: its signed bytes are unchanged, byte for byte.
    #[test]
    fn a_list_signed_before_retired_on_existed_still_verifies() {
        let json = include_str!("../tests/data/signed-before-retired-on.json");
        let list = load(json.as_bytes()).unwrap();
        assert_eq!(list.entries().len(), 2);
        assert!(list.entries().iter().all(|e| e.retired_on.is_none()));
        assert_eq!(
            list.entry(&key(3).key_id()).unwrap().status,
            KeyStatus::Compromised
        );
        assert_eq!(format!("{}\n", list.to_json_pretty()), json);
    }

    #[test]
    fn messages_are_bangla_first() {
        assert_eq!(
            TrustListError::BadSignature.to_string(),
            "বিশ্বাস-তালিকার স্বাক্ষর মেলেনি / trust list signature does not verify"
        );
    }
}
