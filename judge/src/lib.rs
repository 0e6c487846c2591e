//! The judgement of a Sonod certificate, as a library with no server in it: the verdict kinds,
//! the strict opening, the checks against a trust list and an optional feed, and the batch
//! equation. The verification service (`sonod-verifier`) and the offline scanner (`sonod-scan`)
//! both stand on it.
//!
//! # Layout
//!
//! - `verdict`: the verdict kinds in check order, with reasons and JSON.
//! - `judge`: the checks themselves, split at the signature ([`Judge::prepare`],
//!   [`Prepared::finish`]), against a trust list and an optional feed ([`FeedStatus`]).
//! - `batch`: many signatures at once, with `verify_strict`'s answers ([`verify_signatures`]).
//! - `signature`: the arithmetic, ed25519-dalek 2 or (feature `dalek3`) 3.
//! - `messages`: the verdicts' headlines and reasons, from `locales/bn/sonod-judge.ftl` and
//!   `locales/en/sonod-judge.ftl` (Fluent).

mod batch;
mod judge;
mod messages;
mod signature;
mod verdict;

pub use batch::{verify_signatures, BATCH_CHUNK};
pub use judge::{
    end_of_day_dhaka, now_unix_ms, too_old_to_be_missing, FeedAnswer, FeedStatus, Judge, NoFeed,
    Prepared, Reading, SignatureCheck, ISSUE_GRACE_SECONDS, SEEN_GRACE_MS,
};
pub use signature::{verify_batch as batch_equation, SignatureKey, SIGNATURE_BACKEND};
pub use verdict::{
    certificate_json, CertificateJson, Detail, Office, Reason, Unchecked, Verdict, VerdictJson,
    VerdictKind, LOOK_ALIKE_HEADLINE,
};
