#![doc = include_str!("../README.md")]
//!
//! # Layout
//!
//! - `verdict`: the verdict kinds in check order, with reasons and JSON.
//! - `judge`: the checks themselves, split at the signature ([`Judge::prepare`],
//!   [`Prepared::finish`]), against a trust list and an optional feed.
//! - `batch`: many signatures at once, with `verify_strict`'s answers.
//! - `signature`: the arithmetic, ed25519-dalek 2 or (feature `dalek3`) 3.
//! - `cache`: what sealed bytes prove, kept by their hash.
//! - `desk`: concurrent requests' signature checks, made together.
//! - `trust`: the trust list in use, from a file or URL, reloaded on change.
//! - `trust_floor`: the highest trust-list sequence ever accepted, kept on disk.
//! - `replica`: the issuers' event feeds in sled, answering [`FeedStatus`].
//! - `mirror`: the office-signed pages and status lists kept verbatim for scanners.
//! - `sync`: pulling and checking the feeds and status lists.
//! - `image_decode`: QR codes from uploaded photos, within limits.
//! - `service`: judging QR texts with all of the above, without HTTP ([`Verifier`]).
//! - [`server`]: the HTTP service (`sonod-verifier serve`).
//!
//! Everything from `cache` down needs the `server` feature (on by default); without it the
//! crate is the judgement alone, for offline readers.

mod batch;
#[cfg(feature = "server")]
mod cache;
#[cfg(feature = "server")]
mod desk;
#[cfg(feature = "server")]
mod image_decode;
mod judge;
#[cfg(feature = "server")]
mod mirror;
#[cfg(feature = "server")]
mod replica;
#[cfg(feature = "server")]
pub mod server;
#[cfg(feature = "server")]
mod service;
mod signature;
#[cfg(feature = "server")]
mod sync;
#[cfg(feature = "server")]
mod trust;
#[cfg(feature = "server")]
mod trust_floor;
mod verdict;

pub use batch::{verify_signatures, BATCH_CHUNK};
pub use judge::{
    end_of_day_dhaka, now_unix_ms, too_old_to_be_missing, FeedAnswer, FeedStatus, Judge, NoFeed,
    Prepared, Reading, SignatureCheck, ISSUE_GRACE_SECONDS, SEEN_GRACE_MS,
};
pub use signature::{verify_batch as batch_equation, SignatureKey, SIGNATURE_BACKEND};
pub use verdict::{
    certificate_json, CertificateJson, Office, Unchecked, Verdict, VerdictJson, VerdictKind,
    LOOK_ALIKE_HEADLINE,
};

#[cfg(feature = "server")]
pub use {
    cache::ReadingCache,
    desk::{SignatureDesk, QUIET_ROUNDS},
    image_decode::{decode_qr_image, ImageError, MAX_FILE_BYTES, MAX_PIXELS, MAX_SIDE},
    mirror::{MirrorPage, COMPACT_PAGES, SMALL_PAGE},
    replica::{OfficeFeed, Replica, ReplicaError},
    service::{Answer, Answers, Freshness, Verifier, VerifierSettings, VerifyError},
    sync::{backoff, sync_once, FeedSource, SourceStatus, SyncError, KICK_SPACING, MAX_BACKOFF},
    trust::{TrustHandle, TrustLoadError, TrustSource, TrustState},
    trust_floor::{FloorError, Lowered, TrustFloor, FLOOR_FILE},
};
