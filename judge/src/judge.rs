//! Judging a payload: the checks in DESIGN.md's order, the first failure decides.
//!
//! The checks are split at the signature. [`Judge::prepare`] does everything before it (read
//! the QR text, open the envelope, find the key in the trust list, ask the feed) and hands back
//! a [`Prepared`] that names the signature check still to do; [`Prepared::finish`] takes that
//! check's outcome and decides. [`Judge::judge`] is the two with one `verify_strict` between
//! them, so a single verification and a batch run the same logic. The split lets the service
//! check many signatures at once ([`crate::verify_signatures`]) and remember what a given
//! sealed byte string proves ([`Reading`]) without ever remembering what the feed said.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use ed25519_dalek::{Signature, VerifyingKey};
use serde_json::value::RawValue;
use sonod_keys::{FeedPin, KeyId, KeyStatus, OfficeCode, TrustList};
use sonod_seal::{open, open_with_hash, parse_qr_text, DecodeError, Opened};
use time::{Date, Time};

use crate::messages::{text, text_with, Msg};
use crate::signature::SignatureKey;
use crate::verdict::{CertificateJson, Detail, Office, Reason, Unchecked, Verdict, VerdictKind};

/// A certificate issued late on its issue date may reach the feed a little after midnight:
/// `not_issued` needs a complete sync this long after the end of the issue date.
pub const ISSUE_GRACE_SECONDS: i64 = 10 * 60;

/// End of `date` in Dhaka, as Unix seconds.
pub fn end_of_day_dhaka(date: Date) -> i64 {
    date.next_day()
        .map(|d| {
            d.with_time(Time::MIDNIGHT)
                .assume_offset(sonod_keys::DHAKA_OFFSET)
                .unix_timestamp()
        })
        .unwrap_or(i64::MAX)
}

/// The issuer answers a certificate only once it and its `issued` event are durable, so the
/// certificate is in the feed before anyone holds it. A feed known complete at a moment after
/// the certificate was first seen must therefore hold it. This much later, in milliseconds, to
/// allow for the two clocks of the sighting and of the sync not being read at the same
/// instant (both are this party's own clock).
pub const SEEN_GRACE_MS: i64 = 0;

/// The current time as Unix milliseconds.
pub fn now_unix_ms() -> i64 {
    i64::try_from(time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000)
        .unwrap_or(i64::MAX)
}

/// Whether a certificate whose hash the feed does not hold can no longer be a genuine one
/// that has not reached this party yet: the feed was known complete (`complete_as_of_ms`,
/// Unix milliseconds) after the end of its issue date in Dhaka (plus [`ISSUE_GRACE_SECONDS`]),
/// or after the moment it was first seen here (`seen_at_ms`). The issuer signs only today's
/// date, so the first rule is sound; the second bounds the window of a forgery dated today
/// by this party's sync interval instead of by a day.
pub fn too_old_to_be_missing(
    complete_as_of_ms: Option<i64>,
    issued: Date,
    seen_at_ms: i64,
) -> bool {
    complete_as_of_ms.is_some_and(|c| {
        c > end_of_day_dhaka(issued)
            .saturating_add(ISSUE_GRACE_SECONDS)
            .saturating_mul(1000)
            || c > seen_at_ms.saturating_add(SEEN_GRACE_MS)
    })
}

/// What an office's event feed says about one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FeedAnswer {
    /// Not known (why is said): the judge can then say no more than
    /// [`VerdictKind::Unconfirmed`] for a certificate whose signature holds.
    Unknown(Unchecked),
    /// The office published this certificate's hash.
    Issued,
    /// The feed is known complete at a moment when a genuine certificate would have been in
    /// it (see [`too_old_to_be_missing`]), and it never published this hash.
    NotIssued,
    /// The office revoked the serial.
    Revoked {
        /// When.
        date: Date,
        /// Why, in Bangla, as the office gave it.
        reason_bn: String,
        /// Why, in English.
        reason_en: String,
    },
}

/// Where the judge learns issuance and revocation: a feed replica or an offline snapshot.
pub trait FeedStatus {
    /// The feed's word on `serial` of `office`, sealed on `issued` (its issue day, or the day
    /// it was re-sealed), whose sealed bytes hash
    /// to `hash`, first seen by this party at `seen_at_ms` (Unix milliseconds; see
    /// [`Reading::first_seen_ms`] and [`too_old_to_be_missing`]).
    fn lookup(
        &self,
        office: &OfficeCode,
        serial: u64,
        issued: Date,
        hash: &[u8; 32],
        seen_at_ms: i64,
    ) -> FeedAnswer;

    /// Whether `office`'s feed, as this party holds it and checked against `pin` (the trust
    /// list's pin for the compromised key `key`: the chain hash there matched), published
    /// `hash` as a certificate of `key` at or before the pinned position: then the certificate
    /// is genuine though its key was stolen later. False when not known (the default: a
    /// party without the feed keeps `key_compromised`).
    fn vouched(&self, office: &OfficeCode, key: &KeyId, pin: &FeedPin, hash: &[u8; 32]) -> bool {
        let _ = (office, key, pin, hash);
        false
    }
}

/// No feed at all: signature, trust list and dates only.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoFeed;

impl FeedStatus for NoFeed {
    fn lookup(&self, _: &OfficeCode, _: u64, _: Date, _: &[u8; 32], _: i64) -> FeedAnswer {
        FeedAnswer::Unknown(Unchecked::NoFeed)
    }
}

/// Sealed bytes read strictly, with the signed message and signature laid out for a batch
/// check. It depends on the bytes alone, so a service may keep it by the bytes' SHA-256 and
/// reuse it (with the signature outcome it recorded) for as long as the trust list is the same.
#[derive(Debug)]
pub struct Reading {
    opened: Result<Opened, DecodeError>,
    /// When this party first read these bytes (Unix milliseconds): the certificate existed,
    /// and so (if genuine) was in its office's feed, by then.
    first_seen_ms: i64,
    signature_ok: OnceLock<bool>,
    /// The signed facts as a verdict's JSON shows them, written once.
    facts_json: OnceLock<Option<Box<RawValue>>>,
}

impl Reading {
    /// Opens `bytes` (format, envelope, payload, canonical form). Never fails: a refusal is
    /// kept as the reading's outcome.
    pub fn new(bytes: &[u8]) -> Reading {
        Reading::from_opened(open(bytes))
    }

    /// [`Reading::new`] for a caller that has already hashed the bytes (`hash` must be their
    /// SHA-256).
    pub fn with_hash(bytes: &[u8], hash: [u8; 32]) -> Reading {
        Reading::from_opened(open_with_hash(bytes, hash))
    }

    fn from_opened(opened: Result<Opened, DecodeError>) -> Reading {
        Reading {
            opened,
            first_seen_ms: now_unix_ms(),
            signature_ok: OnceLock::new(),
            facts_json: OnceLock::new(),
        }
    }

    /// When this reading was made (Unix milliseconds). A service that keeps readings by the
    /// bytes' hash keeps this too: the first sighting, which later feed syncs are held against.
    pub fn first_seen_ms(&self) -> i64 {
        self.first_seen_ms
    }

    /// The opened envelope, or why it could not be opened.
    pub fn opened(&self) -> Result<&Opened, &DecodeError> {
        self.opened.as_ref()
    }

    /// The certificate's facts as JSON, as [`Verdict::json`] shows them, written on the first
    /// call and kept (a re-scan's answer then only copies them). The facts are the payload's,
    /// whether or not the signature holds: show them only in a verdict that does
    /// ([`Verdict::json_with_facts`] does that). `None` when the bytes did not open.
    pub fn certificate_json(&self) -> Option<&RawValue> {
        self.facts_json
            .get_or_init(|| {
                let o = self.opened.as_ref().ok()?;
                serde_json::value::to_raw_value(&CertificateJson(o.unverified())).ok()
            })
            .as_deref()
    }

    /// The signature outcome recorded by [`Reading::record_signature`], if any.
    pub fn recorded_signature(&self) -> Option<bool> {
        self.signature_ok.get().copied()
    }

    /// Records the outcome of checking the signature with the trust list's key for this kid.
    /// Only valid while that trust list is in use: keep readings per trust list.
    pub fn record_signature(&self, ok: bool) {
        let _ = self.signature_ok.set(ok);
    }
}

/// The signature check a [`Prepared`] verdict waits for.
#[derive(Debug, Clone, Copy)]
pub struct SignatureCheck<'a> {
    reading: &'a Arc<Reading>,
    key: &'a SignatureKey,
}

impl<'a> SignatureCheck<'a> {
    /// The check of `reading`'s signature with `key` (the trust list's key for its kid).
    pub fn new(reading: &'a Arc<Reading>, key: &'a SignatureKey) -> SignatureCheck<'a> {
        SignatureCheck { reading, key }
    }

    /// The reading, shared (to check it later or elsewhere, as [`SignatureCheck::new`] takes).
    pub fn shared_reading(&self) -> Arc<Reading> {
        Arc::clone(self.reading)
    }

    /// The office key from the trust list.
    pub fn key(&self) -> &'a VerifyingKey {
        self.key.key()
    }

    /// The office key, ready for checks.
    pub fn signature_key(&self) -> &'a SignatureKey {
        self.key
    }

    /// The reading whose signature is to be checked.
    pub fn reading(&self) -> &'a Reading {
        self.reading
    }

    /// The signed message (the COSE `Sig_structure`) and the signature, for batch checks.
    /// `None` when the bytes were not opened (no check is pending for them then).
    pub fn parts(&self) -> Option<(&'a [u8], &'a Signature)> {
        self.reading
            .opened
            .as_ref()
            .ok()
            .map(|o| (o.signed_message(), o.signature()))
    }

    /// `verify_strict` of this one signature.
    pub fn verify_strict(&self) -> bool {
        self.reading
            .opened
            .as_ref()
            .is_ok_and(|o| self.key.verify_strict(o.signed_message(), o.signature()))
    }
}

/// A verdict decided up to the signature: either already final, or waiting for one signature
/// check (see [`Prepared::signature_check`]).
#[derive(Debug)]
pub struct Prepared(Stage);

#[derive(Debug)]
enum Stage {
    Decided(Box<Verdict>),
    Pending(Box<Pending>),
}

#[derive(Debug)]
struct Pending {
    reading: Arc<Reading>,
    key: SignatureKey,
    /// For a compromised key: whether the office's feed vouches for this certificate (its
    /// hash published at or before the trust list's pin). `None`: the key is not compromised.
    compromised: Option<bool>,
    base: Verdict,
    feed: FeedAnswer,
    today: Date,
}

impl Prepared {
    /// The final verdict when no signature check is needed (the payload failed earlier).
    pub fn decided(&self) -> Option<&Verdict> {
        match &self.0 {
            Stage::Decided(v) => Some(&**v),
            Stage::Pending(_) => None,
        }
    }

    /// The signature check still to do, if any.
    pub fn signature_check(&self) -> Option<SignatureCheck<'_>> {
        match &self.0 {
            Stage::Decided(_) => None,
            Stage::Pending(p) => Some(SignatureCheck {
                reading: &p.reading,
                key: &p.key,
            }),
        }
    }

    /// The office the verdict is about, when the key is in the trust list.
    pub fn office(&self) -> Option<&Office> {
        match &self.0 {
            Stage::Decided(v) => v.office.as_deref(),
            Stage::Pending(p) => p.base.office.as_deref(),
        }
    }

    /// Whether the feed said that the certificate is not in it yet, though it may be soon
    /// ([`Unchecked::NotYetPublished`]): if its signature holds, the verdict will be
    /// [`VerdictKind::Unconfirmed`], and a later look at the feed can settle it.
    pub fn awaits_publication(&self) -> bool {
        matches!(
            &self.0,
            Stage::Pending(p) if matches!(p.feed, FeedAnswer::Unknown(Unchecked::NotYetPublished { .. }))
        )
    }

    /// Decides, given whether the signature check passed (ignored when nothing was pending).
    pub fn finish(self, signature_ok: bool) -> Verdict {
        match self.0 {
            Stage::Decided(v) => *v,
            Stage::Pending(p) => p.finish(signature_ok),
        }
    }
}

impl Pending {
    fn finish(self, signature_ok: bool) -> Verdict {
        let Pending {
            reading,
            compromised,
            base,
            feed,
            today,
            ..
        } = self;
        let with = |kind, reason, bn: Cow<'static, str>, en: Cow<'static, str>| {
            let mut v = base.clone();
            v.kind = kind;
            v.reason = reason;
            v.reason_bn = bn;
            v.reason_en = en;
            v
        };
        let opened = match (signature_ok, reading.opened.as_ref()) {
            (true, Ok(o)) => o,
            _ => {
                let (bn, en) = text(Msg::ReasonBadSignature);
                return with(
                    VerdictKind::BadSignature,
                    Reason::BadSignature,
                    bn.into(),
                    en.into(),
                );
            }
        };
        if compromised == Some(false) {
            let (bn, en) = text(Msg::ReasonKeyCompromised);
            return with(
                VerdictKind::KeyCompromised,
                Reason::KeyCompromised,
                bn.into(),
                en.into(),
            );
        }
        let signed = |kind, reason, bn: Cow<'static, str>, en: Cow<'static, str>| {
            let mut v = with(kind, reason, bn, en);
            v.certificate = Some(opened.unverified_shared());
            v
        };
        let r = &opened.unverified().record;
        match feed {
            // The facts are signed but the office disowns them: they are not shown.
            FeedAnswer::NotIssued => {
                let (bn, en) = text(Msg::ReasonNotIssued);
                return with(
                    VerdictKind::NotIssued,
                    Reason::NotIssued,
                    bn.into(),
                    en.into(),
                );
            }
            FeedAnswer::Revoked {
                date,
                reason_bn,
                reason_en,
            } => {
                let (bn, en) = text_with(
                    "reason-revoked",
                    &[
                        ("date", &sonod_seal::bangla_date(date), &date.to_string()),
                        ("reason", &reason_bn, &reason_en),
                    ],
                );
                return signed(VerdictKind::Revoked, Reason::Revoked, bn.into(), en.into());
            }
            FeedAnswer::Issued | FeedAnswer::Unknown(_) => {}
        }
        if let Some(exp) = r.expires() {
            if today > exp {
                let (bn, en) = text_with(
                    "reason-expired",
                    &[("date", &sonod_seal::bangla_date(exp), &exp.to_string())],
                );
                return signed(VerdictKind::Expired, Reason::Expired, bn.into(), en.into());
            }
        }
        // Not before its issue day, nor (re-sealed) before the day it was signed.
        let from = opened.unverified().sealed_on();
        if today < from {
            let (bn, en) = text_with(
                "reason-not-yet-valid",
                &[("date", &sonod_seal::bangla_date(from), &from.to_string())],
            );
            return signed(
                VerdictKind::NotYetValid,
                Reason::NotYetValid,
                bn.into(),
                en.into(),
            );
        }
        let mut v = if compromised == Some(true) {
            // Genuine (the office published it before the theft, as the pin fixes), but the
            // key is stolen: the holder should collect the re-sealed copy.
            let (bn, en) = text(Msg::ReasonValidBeforeCompromise);
            signed(
                VerdictKind::Valid,
                Reason::ValidBeforeCompromise,
                bn.into(),
                en.into(),
            )
        } else {
            let (bn, en) = text(Msg::ReasonValid);
            signed(VerdictKind::Valid, Reason::Valid, bn.into(), en.into())
        };
        if let FeedAnswer::Unknown(why) = feed {
            v.unconfirm(why);
        }
        v
    }
}

/// Judges payloads against one trust list.
#[derive(Debug)]
pub struct Judge {
    trust: TrustList,
    /// The list's keys, each decoded for checks once.
    keys: HashMap<KeyId, SignatureKey>,
    /// The office of each key, as verdicts name it (shared, not copied into each).
    offices: HashMap<KeyId, Arc<Office>>,
}

impl Judge {
    /// A judge for a loaded (root-verified) trust list.
    pub fn new(trust: TrustList) -> Judge {
        let keys = trust
            .entries()
            .iter()
            .map(|e| (e.key_id, SignatureKey::new(e.public_key)))
            .collect();
        let offices = trust
            .entries()
            .iter()
            .map(|e| {
                let office = Office {
                    code: e.office.clone(),
                    name_bn: e.office_name_bn.clone(),
                    name_en: e.office_name_en.clone(),
                };
                (e.key_id, Arc::new(office))
            })
            .collect();
        Judge {
            trust,
            keys,
            offices,
        }
    }

    /// The trust list in use.
    pub fn trust_list(&self) -> &TrustList {
        &self.trust
    }

    /// Judges QR text (a URL or bare Base32) as of `today` (the Dhaka date).
    pub fn judge(&self, qr_text: &str, today: Date, feed: &dyn FeedStatus) -> Verdict {
        let prepared = self.prepare(qr_text, today, feed);
        let ok = prepared
            .signature_check()
            .is_some_and(|c| c.verify_strict());
        prepared.finish(ok)
    }

    /// Everything before the signature check, for QR text (a URL or bare Base32).
    pub fn prepare(&self, qr_text: &str, today: Date, feed: &dyn FeedStatus) -> Prepared {
        match parse_qr_text(qr_text) {
            Ok(qr) => {
                let reading = Arc::new(Reading::new(&qr.bytes));
                self.prepare_reading(qr.host, reading, today, feed)
            }
            Err(e) => Prepared(Stage::Decided(Box::new(self.mark(decode_failure(&e))))),
        }
    }

    /// Everything before the signature check, for sealed bytes already read (perhaps a
    /// [`Reading`] kept from an earlier request), found in a URL with `host` if any.
    pub fn prepare_reading(
        &self,
        host: Option<String>,
        reading: Arc<Reading>,
        today: Date,
        feed: &dyn FeedStatus,
    ) -> Prepared {
        let host_official = host.as_deref().map(|h| self.is_official_host(h));
        let with_host = |mut v: Verdict| {
            v.host = host.clone();
            v.host_official = host_official;
            self.mark(v)
        };
        let decided = |v: Verdict| Prepared(Stage::Decided(Box::new(with_host(v))));
        let opened = match reading.opened.as_ref() {
            Ok(o) => o,
            Err(e) => return decided(decode_failure(e)),
        };
        let kid: KeyId = opened.key_id();
        let claimed = opened.unverified();
        // Written only for a verdict decided here, never on the way to a valid one.
        let kid_text = || kid.to_string();
        let Some(entry) = self.trust.entry(&kid) else {
            let kid_text = kid_text();
            let (bn, en) = text(Msg::ReasonUnknownKey);
            let mut v = Verdict::new(VerdictKind::UntrustedIssuer, Reason::UnknownKey, bn, en);
            v.key_id = Some(kid);
            v.detail = Some(detail(
                "detail-unknown-key",
                &[("kid", &kid_text, &kid_text)],
            ));
            return decided(v);
        };
        let base = |kind, reason, bn: Cow<'static, str>, en: Cow<'static, str>| {
            let mut v = Verdict::new(kind, reason, bn, en);
            v.key_id = Some(kid);
            v.office = self.offices.get(&kid).cloned();
            with_host(v)
        };
        // The office and date the code claims are not facts (the signature is not checked):
        // the reason says what it means, the figures go to the technical detail.
        if *claimed.record.office() != entry.office {
            let (bn, en) = text(Msg::ReasonWrongOffice);
            let mut v = base(
                VerdictKind::UntrustedIssuer,
                Reason::WrongOffice,
                bn.into(),
                en.into(),
            );
            let (claimed_office, key_office) = (claimed.record.office(), &entry.office);
            let kid_text = kid_text();
            v.detail = Some(detail(
                "detail-wrong-office",
                &[
                    // The codes are written in Bangla digits in the Bangla by sonod-l10n.
                    ("claimed", claimed_office, claimed_office),
                    ("kid", &kid_text, &kid_text),
                    ("key_office", key_office, key_office),
                ],
            ));
            return Prepared(Stage::Decided(Box::new(v)));
        }
        // The key's window is held against the day it signed: the issue day, or for a
        // re-sealed certificate the day it was re-sealed (payload claim 7).
        if !entry.may_sign_on(claimed.sealed_on()) {
            let (bn, en) = text(Msg::ReasonKeyNotValidThen);
            let mut v = base(
                VerdictKind::UntrustedIssuer,
                Reason::KeyNotValidThen,
                bn.into(),
                en.into(),
            );
            let day = |d: Date| (sonod_seal::bangla_date(d), d.to_string());
            let kid_text = kid_text();
            let (from, to, issued) = (
                day(entry.not_before),
                day(entry.last_signing_day()),
                day(claimed.sealed_on()),
            );
            v.detail = Some(detail(
                "detail-key-not-valid-then",
                &[
                    ("kid", &kid_text, &kid_text),
                    ("from", &from.0, &from.1),
                    ("to", &to.0, &to.1),
                    ("issued", &issued.0, &issued.1),
                ],
            ));
            return Prepared(Stage::Decided(Box::new(v)));
        }
        // Asked now, used only if the signature holds: the answer is never kept with the
        // reading, so a revocation shows at once.
        let r = &claimed.record;
        // A certificate exists from the day it was sealed (its issue day unless re-sealed):
        // that day settles whether the feed should hold it by now.
        let answer = feed.lookup(
            r.office(),
            claimed.serial,
            claimed.sealed_on(),
            &opened.hash(),
            reading.first_seen_ms,
        );
        Prepared(Stage::Pending(Box::new(Pending {
            key: self
                .keys
                .get(&kid)
                .copied()
                .unwrap_or_else(|| SignatureKey::new(entry.public_key)),
            compromised: (entry.status == KeyStatus::Compromised).then(|| {
                entry
                    .feed_pin
                    .as_ref()
                    .is_some_and(|pin| feed.vouched(r.office(), &kid, pin, &opened.hash()))
            }),
            base: base(
                VerdictKind::BadSignature,
                Reason::BadSignature,
                Cow::Borrowed(""),
                Cow::Borrowed(""),
            ),
            reading,
            feed: answer,
            today,
        })))
    }

    /// Whether `host` is one the trust list names, or (for a development list only) this
    /// machine's own address, which a development setup prints in its QR codes.
    pub fn is_official_host(&self, host: &str) -> bool {
        self.trust.is_official_host(host)
            || (self.trust.environment() == sonod_keys::Environment::Development
                && is_loopback_host(host))
    }

    fn mark(&self, mut v: Verdict) -> Verdict {
        v.development = self.trust.environment() == sonod_keys::Environment::Development;
        v
    }
}

/// `localhost`, `127.x.x.x` or `[::1]`, with or without a port.
fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A message of the technical detail, Bangla then English.
fn detail(id: &str, args: &[(&'static str, &str, &str)]) -> Detail {
    let (bn, en) = text_with(id, args);
    Detail { bn, en }
}

/// The verdict on bytes that do not open: what it means in the reason, the decoder's own
/// words (which name the format's parts) only in the technical detail.
fn decode_failure(e: &DecodeError) -> Verdict {
    // The decoder's message is "Bangla / English" (seal's Fluent files).
    let error = e.to_string();
    let (error_bn, error_en) = error.split_once(" / ").unwrap_or((&error, &error));
    let technical = Detail {
        bn: sonod_seal::bangla_digits(error_bn),
        en: error_en.to_owned(),
    };
    let mut v = if e.is_unsupported() {
        let (bn, en) = text(Msg::ReasonUnsupportedVersion);
        Verdict::new(
            VerdictKind::UnsupportedVersion,
            Reason::UnsupportedVersion,
            bn,
            en,
        )
    } else if *e == DecodeError::NotSonod {
        // Nothing technical to add to "not a certificate's QR code".
        let (bn, en) = text(Msg::ReasonNotSonod);
        return Verdict::new(VerdictKind::Malformed, Reason::NotSonod, bn, en);
    } else {
        let (bn, en) = text(Msg::ReasonDamaged);
        Verdict::new(VerdictKind::Malformed, Reason::Damaged, bn, en)
    };
    v.detail = Some(technical);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    /// Issue #17: an unreadable code's reason named COSE_Sign1 and CBOR tags. The reason
    /// says what it means; the decoder's words are the technical detail.
    #[test]
    fn regression_decoder_words_are_technical_detail_not_the_reason() {
        let bytes = sonod_seal::parse_qr_text("MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZPI")
            .unwrap()
            .bytes;
        let e = sonod_seal::open(&bytes).unwrap_err();
        let v = decode_failure(&e);
        assert_eq!(v.kind, VerdictKind::Malformed);
        assert_eq!(v.reason, Reason::Damaged);
        let d = v.detail.expect("technical detail");
        assert!(!d.en.is_empty() && !d.en.contains(" / "), "{d:?}");
        assert!(e.to_string().ends_with(&format!(" / {}", d.en)), "{d:?}");
        for reason in [&v.reason_bn, &v.reason_en] {
            assert!(
                !reason.contains("COSE") && !reason.contains("CBOR"),
                "{reason}"
            );
        }
        let v = decode_failure(&DecodeError::UnsupportedVersion(2));
        assert_eq!(v.kind, VerdictKind::UnsupportedVersion);
        assert!(
            !v.reason_en.contains("update the verifier"),
            "{}",
            v.reason_en
        );
        assert!(v.detail.is_some_and(|d| d.en.contains('2')));
        assert_eq!(
            decode_failure(&DecodeError::NotSonod).reason,
            Reason::NotSonod
        );
    }

    /// A feed that vouches for the hashes it is given and answers `answer` for everything.
    struct Vouching {
        hashes: Vec<[u8; 32]>,
        answer: FeedAnswer,
    }

    impl FeedStatus for Vouching {
        fn lookup(&self, _: &OfficeCode, _: u64, _: Date, _: &[u8; 32], _: i64) -> FeedAnswer {
            self.answer.clone()
        }
        fn vouched(&self, _: &OfficeCode, _: &KeyId, _: &FeedPin, hash: &[u8; 32]) -> bool {
            self.hashes.contains(hash)
        }
    }

    #[test]
    fn a_stolen_key_s_certificate_is_genuine_only_where_the_feed_vouches_for_it() {
        use sonod_keys::{Environment, SecretKey, TrustEntry, TrustListDraft};
        use sonod_seal::{Certificate, Record, Sealed};
        let today = sonod_keys::today_dhaka();
        let mut v: serde_json::Value =
            serde_json::from_str(include_str!("../../seal/tests/data/benchmark-record.json"))
                .unwrap();
        v["issued"] = serde_json::json!(today.to_string());
        v["expires"] = serde_json::Value::Null;
        let record = Record::from_json(&v).unwrap();
        let (root, stolen, other) = (
            SecretKey::generate(),
            SecretKey::generate(),
            SecretKey::generate(),
        );
        let load = |pin: bool| {
            let mut d =
                TrustListDraft::new(today + time::Duration::days(300), Environment::Production);
            for k in [&stolen, &other] {
                d.add_key(TrustEntry::new(
                    k.verifying_key(),
                    record.office().clone(),
                    "অফিস",
                    "Office",
                    today - time::Duration::days(30),
                    today + time::Duration::days(300),
                    vec![],
                ))
                .unwrap();
            }
            let pin = pin.then(|| FeedPin::new(5, &"ab".repeat(32)).unwrap());
            d.compromise(stolen.key_id(), time::OffsetDateTime::now_utc(), pin)
                .unwrap();
            d.sign_on(&root, None, today).unwrap();
            Judge::new(
                TrustList::load(d.to_json_pretty().as_bytes(), &root.verifying_key(), today)
                    .unwrap(),
            )
        };
        let genuine = Sealed::seal(&Certificate::new(1, &record), &stolen).unwrap();
        let forged = Sealed::seal(&Certificate::new(2, &record), &stolen).unwrap();
        let feed = Vouching {
            hashes: vec![genuine.hash()],
            answer: FeedAnswer::Issued,
        };
        let judge = load(true);
        let v = judge.judge(&genuine.to_qr_text(None), today, &feed);
        assert_eq!(
            (v.kind, v.reason),
            (VerdictKind::Valid, Reason::ValidBeforeCompromise)
        );
        assert!(v.is_valid() && v.certificate.is_some());
        let json = v.to_json();
        assert_eq!(json["verdict"], "valid");
        assert_eq!(json["valid"], true);
        assert_eq!(json["notice"], "collect_resealed_copy");
        assert_eq!(json["reason_code"], "valid_before_compromise");
        assert!(v.headline().1.contains("re-sealed"), "{:?}", v.headline());
        assert!(v
            .reason_bn
            .chars()
            .any(|c| ('\u{0980}'..='\u{09FF}').contains(&c)));
        // Not vouched for: refused, though the feed (signed with the stolen key) claims it.
        let v = judge.judge(&forged.to_qr_text(None), today, &feed);
        assert_eq!(v.kind, VerdictKind::KeyCompromised);
        assert!(v.certificate.is_none());
        // Only a trust list: key_compromised stays.
        let v = judge.judge(&genuine.to_qr_text(None), today, &NoFeed);
        assert_eq!(v.kind, VerdictKind::KeyCompromised);
        // Without a pin in the trust list nothing is vouched for.
        let v = load(false).judge(&genuine.to_qr_text(None), today, &feed);
        assert_eq!(v.kind, VerdictKind::KeyCompromised);
        // Vouched for, but revoked: revoked.
        let revoked = Vouching {
            hashes: vec![genuine.hash()],
            answer: FeedAnswer::Revoked {
                date: today,
                reason_bn: "প্রতারণা".into(),
                reason_en: "fraud".into(),
            },
        };
        let v = judge.judge(&genuine.to_qr_text(None), today, &revoked);
        assert_eq!(v.kind, VerdictKind::Revoked);
        // A bad signature is still a bad signature.
        let mut bytes = genuine.as_bytes().to_vec();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let v = judge.prepare_reading(None, Arc::new(Reading::new(&bytes)), today, &feed);
        let ok = v.signature_check().is_some_and(|c| c.verify_strict());
        assert_eq!(v.finish(ok).kind, VerdictKind::BadSignature);
        // The other key of the office is unaffected.
        let fresh = Sealed::seal(&Certificate::new(3, &record), &other).unwrap();
        let v = judge.judge(&fresh.to_qr_text(None), today, &feed);
        assert_eq!((v.kind, v.reason), (VerdictKind::Valid, Reason::Valid));
        assert!(v.to_json().get("notice").is_none());
    }

    /// Issue #15: a certificate re-sealed with the office's new key, whose window starts on the
    /// rotation day, is judged by the day it was re-sealed, not its original issue day.
    #[test]
    fn a_resealed_certificate_is_held_against_the_new_key_s_window_by_its_sealed_day() {
        use sonod_keys::{Environment, SecretKey, TrustEntry, TrustListDraft};
        use sonod_seal::{Certificate, Record, Sealed};
        let today = sonod_keys::today_dhaka();
        let issued = today - time::Duration::days(60);
        let mut v: serde_json::Value =
            serde_json::from_str(include_str!("../../seal/tests/data/benchmark-record.json"))
                .unwrap();
        v["issued"] = serde_json::json!(issued.to_string());
        v["expires"] = serde_json::Value::Null;
        let record = Record::from_json(&v).unwrap();
        let (root, new_key) = (SecretKey::generate(), SecretKey::generate());
        let mut d = TrustListDraft::new(today + time::Duration::days(300), Environment::Production);
        d.add_key(TrustEntry::new(
            new_key.verifying_key(),
            record.office().clone(),
            "অফিস",
            "Office",
            today,
            today + time::Duration::days(300),
            vec![],
        ))
        .unwrap();
        d.sign_on(&root, None, today).unwrap();
        let judge = Judge::new(
            TrustList::load(d.to_json_pretty().as_bytes(), &root.verifying_key(), today).unwrap(),
        );
        let feed = Vouching {
            hashes: vec![],
            answer: FeedAnswer::Issued,
        };
        let re = Sealed::seal(&Certificate::resealed(7, &record, today), &new_key).unwrap();
        let v = judge.judge(&re.to_qr_text(None), today, &feed);
        assert_eq!(
            (v.kind, v.reason),
            (VerdictKind::Valid, Reason::Valid),
            "{v:?}"
        );
        let json = v.to_json();
        assert_eq!(json["certificate"]["issued"], issued.to_string());
        assert_eq!(json["certificate"]["sealed"], today.to_string());
        // The same signature over the old form (no sealed day): outside the new key's window.
        let old_form = Sealed::seal(&Certificate::new(7, &record), &new_key).unwrap();
        let v = judge.judge(&old_form.to_qr_text(None), today, &feed);
        assert_eq!(
            (v.kind, v.reason),
            (VerdictKind::UntrustedIssuer, Reason::KeyNotValidThen)
        );
        // A sealed day after today is not a day the key signed yet.
        let later = Sealed::seal(
            &Certificate::resealed(7, &record, today + time::Duration::days(1)),
            &new_key,
        )
        .unwrap();
        let v = judge.judge(&later.to_qr_text(None), today, &feed);
        assert_ne!(v.kind, VerdictKind::Valid);
    }

    #[test]
    fn loopback_hosts_are_this_machine() {
        for h in [
            "localhost:8081",
            "LOCALHOST",
            "127.0.0.1:8081",
            "127.0.0.1",
            "[::1]:8081",
            "[::1]",
        ] {
            assert!(is_loopback_host(h), "{h}");
        }
        for h in [
            "verify.sonod.gov.bd",
            "localhost.evil.bd:8081",
            "127.0.0.1.evil.bd",
            "10.0.0.1:8081",
            "[::2]:80",
            "",
        ] {
            assert!(!is_loopback_host(h), "{h}");
        }
    }

    #[test]
    fn missing_is_settled_by_the_issue_day_or_a_later_sighting() {
        let day = date!(2026 - 11 - 28);
        let end_ms = end_of_day_dhaka(day) * 1000;
        let grace_ms = ISSUE_GRACE_SECONDS * 1000;
        let seen = end_ms - 3_600_000;
        assert!(!too_old_to_be_missing(None, day, seen));
        // Synced before the sighting and before the day ended: could be brand new.
        assert!(!too_old_to_be_missing(Some(seen - 1), day, seen));
        // Synced after the sighting: it would be there.
        assert!(too_old_to_be_missing(Some(seen + 1), day, seen));
        // Seen only now (a fresh reading), synced after the end of the day plus the grace.
        assert!(!too_old_to_be_missing(
            Some(end_ms + grace_ms),
            day,
            i64::MAX
        ));
        assert!(too_old_to_be_missing(
            Some(end_ms + grace_ms + 1),
            day,
            i64::MAX
        ));
    }
}
