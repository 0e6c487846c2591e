//! The office's public event feed and status list, as signed documents.
//!
//! A feed page and a status list are JSON documents `{"signed": {...}, "key_id": ...,
//! "signature": ...}`. The signature is Ed25519 by an office key over a domain separator and
//! `serde_json::to_vec` of the typed `signed` part, so a copy from any mirror can be checked
//! against the trust list, and reformatting the JSON does not break it. Feed events carry no
//! names or ID numbers: serials, key ids, hashes of the sealed bytes, times, reason codes.

use std::io::{Read, Write};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sonod_keys::{EnvelopeError, KeyId, OfficeCode, SecretKey, SignedBody};

/// Domain separator of feed page signatures.
pub const FEED_CONTEXT: &[u8] = b"sonod-feed-page-v1\n";
/// Domain separator of the feed's hash chain (see [`chain_next`]).
pub const CHAIN_CONTEXT: &[u8] = b"sonod-feed-chain-v1\n";
/// Domain separator of status list signatures.
pub const STATUS_LIST_CONTEXT: &[u8] = b"sonod-status-list-v1\n";
/// The format string of feed pages.
pub const FEED_FORMAT: &str = "sonod-feed/1";
/// The format string of status lists.
pub const STATUS_LIST_FORMAT: &str = "sonod-status-list/1";
/// Most events in one page.
pub const MAX_PAGE_EVENTS: usize = 10_000;
/// Largest serial a status list covers (a 16 MiB bitstring).
pub const MAX_STATUS_SERIAL: u64 = 1 << 27;

/// Why the fixed set of revocation reasons: a clerk reads them, and free text could leak
/// personal data into a public feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RevocationReason {
    /// Issued by mistake or with wrong facts.
    IssuedInError,
    /// The facts changed (a new certificate replaces it).
    Superseded,
    /// Obtained by fraud.
    Fraud,
    /// The holder died (for certificates about a living person).
    HolderDeceased,
    /// A court or higher authority ordered it.
    Ordered,
    /// Anything else (details stay in the office's records).
    Other,
}

impl RevocationReason {
    /// Every reason, for forms and documentation.
    pub const ALL: [RevocationReason; 6] = [
        RevocationReason::IssuedInError,
        RevocationReason::Superseded,
        RevocationReason::Fraud,
        RevocationReason::HolderDeceased,
        RevocationReason::Ordered,
        RevocationReason::Other,
    ];

    /// The snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            RevocationReason::IssuedInError => "issued_in_error",
            RevocationReason::Superseded => "superseded",
            RevocationReason::Fraud => "fraud",
            RevocationReason::HolderDeceased => "holder_deceased",
            RevocationReason::Ordered => "ordered",
            RevocationReason::Other => "other",
        }
    }

    /// Bangla and English labels (their words are in `locales/*/seal.ftl`, `revocation-*`).
    pub fn labels(self) -> (String, String) {
        let id = format!("revocation-{}", self.code().replace('_', "-"));
        (crate::l10n::bn(&id), crate::l10n::en(&id))
    }
}

/// What happened, by kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventKind {
    /// A certificate was issued: its serial, signing key and the SHA-256 of its sealed bytes.
    Issued {
        /// Serial.
        serial: u64,
        /// Signing key.
        key_id: KeyId,
        /// SHA-256 of the sealed bytes, lower-case hex.
        hash: String,
    },
    /// A certificate was re-sealed with another key (same serial), after a key compromise.
    Resealed {
        /// Serial.
        serial: u64,
        /// The new signing key.
        key_id: KeyId,
        /// SHA-256 of the new sealed bytes, lower-case hex.
        hash: String,
    },
    /// A certificate was revoked.
    Revoked {
        /// Serial.
        serial: u64,
        /// Why.
        reason: RevocationReason,
    },
}

/// One feed event. (Unknown fields cannot be refused next to `flatten`; they are dropped
/// and so fail the page's signature, which covers the typed re-serialisation.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the feed, from 1, gap-free.
    pub seq: u64,
    /// When, Unix seconds.
    pub at: i64,
    /// What.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// The signed part of a feed page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedPageBody {
    /// [`FEED_FORMAT`].
    pub format: String,
    /// The office code.
    pub office: OfficeCode,
    /// The page holds the events after this position.
    pub after: u64,
    /// The events, in order, gap-free from `after + 1`.
    pub events: Vec<Event>,
    /// The feed's last durable position when the page was made.
    pub head: u64,
    /// When the page was made, Unix seconds.
    pub generated_at: i64,
    /// The feed's chain hash at `after` ([`chain_next`], lower-case hex): the page commits to
    /// the whole history before it. Absent from pages of issuers before the chain existed
    /// (and then absent from the signed bytes, which stay as they were).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
    /// The chain hash at the page's last event (at `after` for a page without events), lower-case
    /// hex; must follow from `prev` and the events when both are given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<String>,
}

/// The chain hash of an office's feed before its first event: SHA-256 of [`CHAIN_CONTEXT`] and
/// the office code.
pub fn chain_start(office: &OfficeCode) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(CHAIN_CONTEXT);
    h.update(office.as_str().as_bytes());
    h.finalize().into()
}

/// The chain hash after `event`, given the one before it: SHA-256 of [`CHAIN_CONTEXT`], the
/// previous hash and the event's compact JSON as its type serialises it. A position's chain
/// hash so fixes every event up to it: two feeds that agree on it agree on all history before.
pub fn chain_next(prev: &[u8; 32], event: &Event) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(CHAIN_CONTEXT);
    h.update(prev);
    // A typed event always serialises.
    h.update(serde_json::to_vec(event).unwrap_or_default());
    h.finalize().into()
}

/// The chain hash after `events`, from `start`.
pub fn chain_through(start: [u8; 32], events: &[Event]) -> [u8; 32] {
    events.iter().fold(start, |c, e| chain_next(&c, e))
}

/// A chain hash as the documents write it (lower-case hex).
pub fn chain_hex(chain: &[u8; 32]) -> String {
    data_encoding::HEXLOWER.encode(chain)
}

/// A chain hash from its lower-case hex, if it is one.
pub fn parse_chain(hex: &str) -> Option<[u8; 32]> {
    data_encoding::HEXLOWER
        .decode(hex.as_bytes())
        .ok()
        .and_then(|b| b.try_into().ok())
}

/// A signed document: a body, the key that signed it and the signature (the one signed-JSON
/// envelope, [`sonod_keys::Signed`]).
pub use sonod_keys::Signed;

/// Why a signed feed document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FeedError {
    /// Not JSON of the expected shape.
    #[error("{}", crate::l10n::both("feed-malformed", &[("n0", &format!("{}", .0))]))]
    Malformed(String),
    /// Another format.
    #[error("{}", crate::l10n::both("feed-unsupported-format", &[("n0_dbg", &format!("{:?}", .0))]))]
    UnsupportedFormat(String),
    /// The signature does not verify with the given key.
    #[error("{}", crate::l10n::both("feed-bad-signature", &[]))]
    BadSignature,
    /// Events out of order, with gaps, or outside the page's range.
    #[error("{}", crate::l10n::both("feed-out-of-order", &[]))]
    OutOfOrder,
    /// The bitstring does not decode or is larger than allowed.
    #[error("{}", crate::l10n::both("feed-bitstring", &[("n0", &format!("{}", .0))]))]
    Bitstring(String),
    /// The page's `prev` and `chain` are not hashes, or its events do not lead from one to the
    /// other.
    #[error("{}", crate::l10n::both("feed-chain", &[]))]
    Chain,
}

impl From<EnvelopeError> for FeedError {
    fn from(e: EnvelopeError) -> FeedError {
        match e {
            EnvelopeError::Malformed(m) => FeedError::Malformed(m),
            EnvelopeError::BadSignature => FeedError::BadSignature,
        }
    }
}

impl FeedPageBody {
    /// Signs the page with the office key.
    pub fn sign(self, key: &SecretKey) -> Signed<FeedPageBody> {
        Signed::new_signed(self, key)
    }
}

/// A page: [`FEED_FORMAT`]; once its signature verifies, events gap-free from `after + 1`,
/// none past the head, at most [`MAX_PAGE_EVENTS`]. (`Signed::<FeedPageBody>::parse` and
/// `verify` check these.)
impl SignedBody for FeedPageBody {
    const CONTEXT: &'static [u8] = FEED_CONTEXT;
    type Error = FeedError;

    fn check_parsed(&self) -> Result<(), FeedError> {
        if self.format != FEED_FORMAT {
            return Err(FeedError::UnsupportedFormat(self.format.clone()));
        }
        Ok(())
    }

    fn check_verified(&self) -> Result<(), FeedError> {
        let ordered = self
            .events
            .iter()
            .enumerate()
            .all(|(i, e)| self.after.checked_add(1 + i as u64) == Some(e.seq));
        if !ordered
            || self.events.last().is_some_and(|e| e.seq > self.head)
            || self.events.len() > MAX_PAGE_EVENTS
        {
            return Err(FeedError::OutOfOrder);
        }
        self.end_chain().map(|_| ())
    }
}

impl FeedPageBody {
    /// The chain hash at the page's start as it states it (`prev`), or, for a page from the
    /// feed's start, the office's [`chain_start`]; `None` when neither says. A `prev` that is
    /// not a hash, or one at position 0 other than the start, is [`FeedError::Chain`].
    pub fn start_chain(&self) -> Result<Option<[u8; 32]>, FeedError> {
        let stated = match &self.prev {
            Some(hex) => Some(parse_chain(hex).ok_or(FeedError::Chain)?),
            None => None,
        };
        if self.after == 0 {
            let start = chain_start(&self.office);
            if stated.is_some_and(|s| s != start) {
                return Err(FeedError::Chain);
            }
            return Ok(Some(start));
        }
        Ok(stated)
    }

    /// The chain hash at the page's last event, worked out from [`start_chain`] and the events
    /// (and equal to the stated `chain` when there is one); `None` when the start is not known.
    /// A stated `chain` without a known start is refused: it could not be checked.
    ///
    /// [`start_chain`]: FeedPageBody::start_chain
    pub fn end_chain(&self) -> Result<Option<[u8; 32]>, FeedError> {
        let stated = match &self.chain {
            Some(hex) => Some(parse_chain(hex).ok_or(FeedError::Chain)?),
            None => None,
        };
        match (self.start_chain()?, stated) {
            (Some(start), stated) => {
                let end = chain_through(start, &self.events);
                if stated.is_some_and(|s| s != end) {
                    return Err(FeedError::Chain);
                }
                Ok(Some(end))
            }
            (None, Some(_)) => Err(FeedError::Chain),
            (None, None) => Ok(None),
        }
    }
}

/// The signed part of a status list: one bit per serial, set when revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusListBody {
    /// [`STATUS_LIST_FORMAT`].
    pub format: String,
    /// The office code.
    pub office: OfficeCode,
    /// The feed position the list reflects.
    pub position: u64,
    /// The highest serial issued so far.
    pub max_serial: u64,
    /// zlib-compressed bitstring, standard Base64; bit `s` (byte `s / 8`, most significant
    /// bit first) is set when serial `s` is revoked.
    pub bits: String,
    /// When it was made, Unix seconds.
    pub generated_at: i64,
}

impl StatusListBody {
    /// Builds a list from revoked serials.
    pub fn new(
        office: &OfficeCode,
        position: u64,
        max_serial: u64,
        revoked: impl IntoIterator<Item = u64>,
        now: i64,
    ) -> Self {
        let mut bits = vec![0u8; (max_serial / 8 + 1) as usize];
        for s in revoked {
            if s <= max_serial {
                bits[(s / 8) as usize] |= 0x80 >> (s % 8);
            }
        }
        let mut z = ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        // Writing into a Vec cannot fail.
        let _ = z.write_all(&bits);
        let compressed = z.finish().unwrap_or_default();
        StatusListBody {
            format: STATUS_LIST_FORMAT.into(),
            office: office.clone(),
            position,
            max_serial,
            bits: B64.encode(compressed),
            generated_at: now,
        }
    }

    /// Signs the list with the office key.
    pub fn sign(self, key: &SecretKey) -> Signed<StatusListBody> {
        Signed::new_signed(self, key)
    }

    /// The decompressed bitstring, bounded by `max_serial` (no decompression bombs).
    pub fn bitstring(&self) -> Result<Vec<u8>, FeedError> {
        if self.max_serial > MAX_STATUS_SERIAL {
            return Err(FeedError::Bitstring(
                "more serials than a status list may cover".into(),
            ));
        }
        let want = (self.max_serial / 8 + 1) as usize;
        let compressed = B64
            .decode(&self.bits)
            .map_err(|e| FeedError::Bitstring(e.to_string()))?;
        let mut out = Vec::with_capacity(want);
        ZlibDecoder::new(compressed.as_slice())
            .take(want as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|e| FeedError::Bitstring(e.to_string()))?;
        if out.len() != want {
            return Err(FeedError::Bitstring(format!(
                "{} bytes, expected {want}",
                out.len()
            )));
        }
        Ok(out)
    }
}

/// A status list: [`STATUS_LIST_FORMAT`] (`Signed::<StatusListBody>::parse` checks it;
/// `verify` checks the signature only, [`StatusListBody::bitstring`] the bits).
impl SignedBody for StatusListBody {
    const CONTEXT: &'static [u8] = STATUS_LIST_CONTEXT;
    type Error = FeedError;

    fn check_parsed(&self) -> Result<(), FeedError> {
        if self.format != STATUS_LIST_FORMAT {
            return Err(FeedError::UnsupportedFormat(self.format.clone()));
        }
        Ok(())
    }
}

/// True when bit `serial` is set in a status bitstring.
pub fn is_revoked(bits: &[u8], serial: u64) -> bool {
    usize::try_from(serial / 8)
        .ok()
        .and_then(|i| bits.get(i))
        .is_some_and(|b| b & (0x80 >> (serial % 8)) != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_revocation_reason_has_its_words_in_both_languages() {
        let mut seen = std::collections::HashSet::new();
        for reason in RevocationReason::ALL {
            let (bn, en) = reason.labels();
            assert!(
                !bn.starts_with("revocation-") && !en.starts_with("revocation-"),
                "{bn} {en}"
            );
            assert!(
                bn.chars().any(|c| ('\u{0980}'..='\u{09FF}').contains(&c)),
                "{bn}"
            );
            assert!(en.is_ascii(), "{en}");
            assert!(seen.insert(bn), "one label per reason");
        }
        assert_eq!(RevocationReason::Fraud.labels().1, "obtained by fraud");
    }

    fn page(key: &SecretKey) -> Signed<FeedPageBody> {
        FeedPageBody {
            format: FEED_FORMAT.into(),
            office: OfficeCode::parse("100524").unwrap(),
            after: 0,
            events: vec![
                Event {
                    seq: 1,
                    at: 1_780_000_000,
                    kind: EventKind::Issued {
                        serial: 1,
                        key_id: key.key_id(),
                        hash: "ab".repeat(32),
                    },
                },
                Event {
                    seq: 2,
                    at: 1_780_000_100,
                    kind: EventKind::Revoked {
                        serial: 1,
                        reason: RevocationReason::Fraud,
                    },
                },
            ],
            head: 2,
            generated_at: 1_780_000_200,
            prev: None,
            chain: None,
        }
        .sign(key)
    }

    #[test]
    fn the_chain_fixes_history_and_old_pages_keep_their_signed_bytes() {
        let key = SecretKey::generate();
        let old = page(&key);
        // A page without the chain fields signs the bytes it always did.
        let json = serde_json::to_string(&old.signed).unwrap();
        assert!(!json.contains("prev") && !json.contains("chain"), "{json}");
        // A page from the start knows its chain without being told.
        let start = chain_start(&old.signed.office);
        let end = chain_through(start, &old.signed.events);
        assert_eq!(old.signed.start_chain(), Ok(Some(start)));
        assert_eq!(old.signed.end_chain(), Ok(Some(end)));
        // Stated, the chain must agree with the events.
        let mut body = old.signed.clone();
        body.prev = Some(chain_hex(&start));
        body.chain = Some(chain_hex(&end));
        body.clone()
            .sign(&key)
            .verify(&key.verifying_key())
            .unwrap();
        let mut forged = body.clone();
        forged.events[1].kind = EventKind::Issued {
            serial: 2,
            key_id: key.key_id(),
            hash: "cd".repeat(32),
        };
        assert_eq!(
            forged.sign(&key).verify(&key.verifying_key()),
            Err(FeedError::Chain)
        );
        let mut bad = body.clone();
        bad.chain = Some("zz".into());
        assert_eq!(
            bad.sign(&key).verify(&key.verifying_key()),
            Err(FeedError::Chain)
        );
        // Another history before the page changes every hash after it.
        let mut later = body.clone();
        later.after = 2;
        for (i, e) in later.events.iter_mut().enumerate() {
            e.seq = 3 + i as u64;
        }
        later.prev = Some(chain_hex(&end));
        later.chain = None;
        later.head = 4;
        let a = later.end_chain().unwrap().unwrap();
        later.prev = Some(chain_hex(&start));
        assert_ne!(later.end_chain().unwrap().unwrap(), a);
        // Without `prev`, a page after the start has no known chain, and cannot state one.
        later.prev = None;
        assert_eq!(later.end_chain(), Ok(None));
        later.chain = Some(chain_hex(&a));
        assert_eq!(later.end_chain(), Err(FeedError::Chain));
        // The start is the office's own.
        let mut other = body;
        other.prev = Some(chain_hex(&chain_start(
            &OfficeCode::parse("100525").unwrap(),
        )));
        assert_eq!(other.start_chain(), Err(FeedError::Chain));
    }

    #[test]
    fn pages_verify_and_survive_reformatting() {
        let key = SecretKey::generate();
        let p = page(&key);
        let pretty = serde_json::to_vec_pretty(&p).unwrap();
        let back = Signed::<FeedPageBody>::parse(&pretty).unwrap();
        assert_eq!(back, p);
        back.verify(&key.verifying_key()).unwrap();
        let json = String::from_utf8(pretty).unwrap();
        assert!(
            json.contains("\"type\": \"revoked\"") && json.contains("\"reason\": \"fraud\""),
            "{json}"
        );
    }

    #[test]
    fn tampered_or_reordered_pages_are_refused() {
        let key = SecretKey::generate();
        let mut p = page(&key);
        p.signed.events.pop();
        assert_eq!(p.verify(&key.verifying_key()), Err(FeedError::BadSignature));
        let p = page(&key);
        assert_eq!(
            p.verify(&SecretKey::generate().verifying_key()),
            Err(FeedError::BadSignature)
        );
        let mut body = page(&key).signed;
        body.events.swap(0, 1);
        assert_eq!(
            body.sign(&key).verify(&key.verifying_key()),
            Err(FeedError::OutOfOrder)
        );
    }

    /// Found by the `feed_page` fuzz target: `after + 1 + i` overflowed for a page starting
    /// at the last position (a panic in debug builds, a wrapped sequence number in release).
    #[test]
    fn a_page_after_the_last_position_is_out_of_order_not_an_overflow() {
        let key = SecretKey::generate();
        let mut body = page(&key).signed;
        body.after = u64::MAX;
        body.events.truncate(1);
        body.events[0].seq = 0;
        body.head = u64::MAX;
        assert_eq!(
            body.clone().sign(&key).verify(&key.verifying_key()),
            Err(FeedError::OutOfOrder)
        );
        // The last position itself is fine.
        body.after = u64::MAX - 1;
        body.events[0].seq = u64::MAX;
        assert_eq!(body.sign(&key).verify(&key.verifying_key()), Ok(()));
    }

    #[test]
    fn status_lists_round_trip() {
        let key = SecretKey::generate();
        let list = StatusListBody::new(
            &OfficeCode::parse("100524").unwrap(),
            9,
            100_000,
            [3, 8, 99_999],
            0,
        )
        .sign(&key);
        list.verify(&key.verifying_key()).unwrap();
        let bits = list.signed.bitstring().unwrap();
        assert!(is_revoked(&bits, 3) && is_revoked(&bits, 8) && is_revoked(&bits, 99_999));
        assert!(
            !is_revoked(&bits, 4) && !is_revoked(&bits, 100_000) && !is_revoked(&bits, u64::MAX)
        );
        // 100,000 serials with three revoked compress to a few hundred bytes.
        assert!(list.signed.bits.len() < 200, "{}", list.signed.bits.len());
    }

    #[test]
    fn a_bitstring_bomb_is_refused() {
        let mut body = StatusListBody::new(&OfficeCode::parse("100524").unwrap(), 0, 7, [], 0);
        let big = StatusListBody::new(&OfficeCode::parse("100524").unwrap(), 0, 1 << 20, [], 0);
        body.bits = big.bits;
        assert!(matches!(body.bitstring(), Err(FeedError::Bitstring(_))));
        body.max_serial = u64::MAX;
        assert!(matches!(body.bitstring(), Err(FeedError::Bitstring(_))));
    }
}
