#![doc = include_str!("../README.md")]
//!
//! # Layout
//!
//! The judgement itself (verdicts, the strict opening, the batch equation) is the crate
//! `sonod-judge`, and the feed protocol's rules `sonod-feed`; the judgement's names are
//! re-exported here.
//!
//! - `cache`: what sealed bytes prove, kept by their hash.
//! - `desk`: concurrent requests' signature checks, made together.
//! - `trust`: the trust list in use, from a file or URL, reloaded on change.
//! - `trust_floor`: the highest trust-list sequence ever accepted, kept on disk.
//! - `replica`: the issuers' event feeds in sled, answering [`FeedStatus`].
//! - `mirror`: the office-signed pages and status lists kept verbatim for scanners.
//! - `sync`: pulling the feeds and status lists over HTTP; the rules they are checked by are
//!   `sonod-feed`'s.
//! - `image_decode`: QR codes from uploaded photos, within limits.
//! - `service`: judging QR texts with all of the above, without HTTP ([`Verifier`]).
//! - [`server`]: the HTTP service (`sonod-verifier serve`).

mod cache;
mod desk;
mod image_decode;
#[doc(hidden)]
pub mod l10n;
mod mirror;
mod replica;
pub mod server;
mod service;
mod sync;
mod trust;
mod trust_floor;

pub use sonod_judge::{
    batch_equation, certificate_json, end_of_day_dhaka, now_unix_ms, too_old_to_be_missing,
    verify_signatures, CertificateJson, Detail, FeedAnswer, FeedStatus, Judge, NoFeed, Office,
    Prepared, Reading, Reason, SignatureCheck, SignatureKey, Unchecked, Verdict, VerdictJson,
    VerdictKind, BATCH_CHUNK, ISSUE_GRACE_SECONDS, LOOK_ALIKE_HEADLINE, SEEN_GRACE_MS,
    SIGNATURE_BACKEND,
};

pub use {
    cache::ReadingCache,
    desk::{SignatureDesk, QUIET_ROUNDS},
    image_decode::{decode_qr_image, ImageError, MAX_FILE_BYTES, MAX_PIXELS, MAX_SIDE},
    mirror::{MirrorPage, COMPACT_PAGES, SMALL_PAGE},
    replica::{OfficeFeed, Replica, ReplicaError},
    service::{Answer, Answers, Freshness, Verifier, VerifierSettings, VerifyError},
    sync::{
        backoff, mirror_once, sync_once, FeedSource, MirrorSource, MirrorStatus, SourceStatus,
        SyncError, KICK_SPACING, MAX_BACKOFF, MAX_MIRROR_OFFICES,
    },
    trust::{TrustHandle, TrustLoadError, TrustSource, TrustState},
    trust_floor::{FloorError, Lowered, TrustFloor, FLOOR_FILE},
};
