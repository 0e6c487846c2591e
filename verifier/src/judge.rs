//! Judging a payload: the checks in DESIGN.md's order, the first failure decides.

use sonod_keys::{KeyStatus, TrustList};
use sonod_seal::{open, parse_qr_text, DecodeError};
use time::Date;

use crate::verdict::{Office, Verdict, VerdictKind};

/// What an office's event feed says about one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FeedAnswer {
    /// Nothing known: offline without a snapshot, or the feed not yet synced past the
    /// certificate's issue date. The judge then decides on the signature alone.
    Unknown,
    /// The office published this certificate's hash.
    Issued,
    /// The feed is synced past the issue date and never published this hash.
    NotIssued,
    /// The office revoked the serial.
    Revoked {
        /// When.
        date: Date,
        /// Why, as the office gave it.
        reason: String,
    },
}

/// Where the judge learns issuance and revocation: a feed replica or an offline snapshot.
pub trait FeedStatus {
    /// The feed's word on `serial` of `office`, issued on `issued`, whose sealed bytes hash
    /// to `hash`.
    fn lookup(&self, office: &str, serial: u64, issued: Date, hash: &[u8; 32]) -> FeedAnswer;
}

/// No feed at all: signature, trust list and dates only.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoFeed;

impl FeedStatus for NoFeed {
    fn lookup(&self, _: &str, _: u64, _: Date, _: &[u8; 32]) -> FeedAnswer {
        FeedAnswer::Unknown
    }
}

/// Judges payloads against one trust list.
#[derive(Debug)]
pub struct Judge {
    trust: TrustList,
}

impl Judge {
    /// A judge for a loaded (root-verified) trust list.
    pub fn new(trust: TrustList) -> Judge {
        Judge { trust }
    }

    /// The trust list in use.
    pub fn trust_list(&self) -> &TrustList {
        &self.trust
    }

    /// Judges QR text (a URL or bare Base32) as of `today` (the Dhaka date).
    pub fn judge(&self, qr_text: &str, today: Date, feed: &dyn FeedStatus) -> Verdict {
        let mut v = self.judge_inner(qr_text, today, feed);
        v.development = self.trust.environment() == sonod_keys::Environment::Development;
        v
    }

    fn judge_inner(&self, qr_text: &str, today: Date, feed: &dyn FeedStatus) -> Verdict {
        let qr = match parse_qr_text(qr_text) {
            Ok(qr) => qr,
            Err(e) => return decode_failure(&e),
        };
        let host_official = qr.host.as_deref().map(|h| self.trust.is_official_host(h));
        let with_host = |mut v: Verdict| {
            v.host = qr.host.clone();
            v.host_official = host_official;
            v
        };
        let opened = match open(&qr.bytes) {
            Ok(o) => o,
            Err(e) => return with_host(decode_failure(&e)),
        };
        let kid = opened.key_id();
        let claimed = opened.unverified();
        let Some(entry) = self.trust.entry(&kid) else {
            let mut v = Verdict::new(
                VerdictKind::UntrustedIssuer,
                format!("স্বাক্ষরের চাবি ({kid}) বিশ্বাস-তালিকায় নেই"),
                format!("the signing key ({kid}) is not in the trust list"),
            );
            v.key_id = Some(kid);
            return with_host(v);
        };
        let office = Office {
            code: entry.office.clone(),
            name_bn: entry.office_name_bn.clone(),
            name_en: entry.office_name_en.clone(),
        };
        let base = |kind, bn: String, en: String| {
            let mut v = Verdict::new(kind, bn, en);
            v.key_id = Some(kid);
            v.office = Some(office.clone());
            with_host(v)
        };
        if claimed.record.office() != entry.office {
            return base(
                VerdictKind::UntrustedIssuer,
                format!("এই চাবি {} অফিসের, কিন্তু সনদে অফিস {} লেখা", entry.office, claimed.record.office()),
                format!(
                    "the key belongs to office {} but the certificate claims office {}",
                    entry.office,
                    claimed.record.office()
                ),
            );
        }
        if !entry.may_sign_on(claimed.record.issued()) {
            return base(
                VerdictKind::UntrustedIssuer,
                "প্রদানের তারিখে এই চাবি স্বাক্ষরের জন্য বৈধ ছিল না".into(),
                "the key was not valid for signing on the certificate's issue date".into(),
            );
        }
        let Ok(cert) = opened.verify(&entry.public_key) else {
            return base(
                VerdictKind::BadSignature,
                "স্বাক্ষর মেলেনি: সনদের তথ্য বদলানো বা জাল".into(),
                "the signature does not match: the content was altered or forged".into(),
            );
        };
        if entry.status == KeyStatus::Compromised {
            return base(
                VerdictKind::KeyCompromised,
                "অফিসের স্বাক্ষরের চাবি বেহাত হয়েছে; এই চাবির সব সনদ অবৈধ — অফিস থেকে নতুন কপি নিন".into(),
                "the office's signing key was compromised; every certificate it signed is invalid — ask the office for a re-sealed copy".into(),
            );
        }
        let signed = |kind, bn: String, en: String| {
            let mut v = base(kind, bn, en);
            v.certificate = Some(cert.clone());
            v
        };
        let r = &cert.record;
        match feed.lookup(r.office(), cert.serial, r.issued(), &opened.hash()) {
            FeedAnswer::NotIssued => {
                let mut v = base(
                    VerdictKind::NotIssued,
                    "স্বাক্ষর সঠিক, কিন্তু অফিস এই সনদ কখনো প্রদান করেনি (চুরি যাওয়া চাবিতে তৈরি জাল)".into(),
                    "the signature holds but the office never issued this certificate (a forgery made with a stolen key)".into(),
                );
                // The facts are signed but the office disowns them: do not show them.
                v.certificate = None;
                return v;
            }
            FeedAnswer::Revoked { date, reason } => {
                return signed(
                    VerdictKind::Revoked,
                    format!("অফিস এই সনদ {} তারিখে বাতিল করেছে: {reason}", sonod_seal::bangla_date(date)),
                    format!("the office revoked this certificate on {date}: {reason}"),
                );
            }
            FeedAnswer::Issued | FeedAnswer::Unknown => {}
        }
        if let Some(exp) = r.expires() {
            if today > exp {
                return signed(
                    VerdictKind::Expired,
                    format!("মেয়াদ {} তারিখে শেষ হয়েছে", sonod_seal::bangla_date(exp)),
                    format!("expired on {exp}"),
                );
            }
        }
        if today < r.issued() {
            return signed(
                VerdictKind::NotYetValid,
                format!("প্রদানের তারিখ {} এখনো আসেনি", sonod_seal::bangla_date(r.issued())),
                format!("its issue date {} is in the future", r.issued()),
            );
        }
        signed(
            VerdictKind::Valid,
            "স্বাক্ষর সঠিক; নিচের তথ্য কাগজের সাথে মিলিয়ে নিন".into(),
            "the signature holds; compare the facts below with the paper".into(),
        )
    }
}

fn decode_failure(e: &DecodeError) -> Verdict {
    if e.is_unsupported() {
        return Verdict::new(
            VerdictKind::UnsupportedVersion,
            format!("এই সংস্করণ পড়া যায় না, যাচাইকারী হালনাগাদ করুন ({e})"),
            format!("this format version is not supported; update the verifier ({e})"),
        );
    }
    match e {
        DecodeError::NotSonod => Verdict::new(
            VerdictKind::Malformed,
            "এটি সনদ-এর কিউআর কোড নয়",
            "this is not a Sonod QR code",
        ),
        other => Verdict::new(
            VerdictKind::Malformed,
            format!("সনদ পড়া যায়নি: কোডটি ক্ষতিগ্রস্ত বা বদলানো ({other})"),
            format!("the certificate could not be read: the code is damaged or altered ({other})"),
        ),
    }
}
