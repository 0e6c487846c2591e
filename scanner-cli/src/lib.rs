#![doc = include_str!("../README.md")]
//!
//! # Layout
//!
//! - `decode`: image files in, QR texts out, through `sonod-qr`'s bounded search.
//! - `stream`: a stream of images back to back (a camera through `ffmpeg -f image2pipe`)
//!   split into frames.
//! - `report`: a verdict as a clerk reads it (Bangla first), as one big kiosk line, or as a
//!   JSON line.
//! - `anchor`: what must not live in the writable store: the pinned root key
//!   ([`pinned_root`]) and the highest trust-list sequence seen ([`TrustFloor`]).
//! - `snapshot`: the offline snapshot on disk and the [`FeedStatus`](sonod_judge::FeedStatus)
//!   that judges from it ([`Snapshot`]), every fact checked against an office signature.
//! - `pages`: the office-signed feed pages the snapshot keeps as fetched.
//! - `sync`: `sonod-scan sync`, filling the snapshot from a verifier or an issuer.
//! - `online`: `--verifier URL`, verdicts from a verifier's API.
//! - `check`: which of the three a run uses ([`Checker`]), and what each adds to a report.
//! - `messages`: what the reports say, from `locales/bn/sonod-scan.ftl` and
//!   `locales/en/sonod-scan.ftl` (Fluent).
//! - `summary`: what came of a folder's files, counted ([`Tally`]), for its summary line.
//! - `cli`: the flags for them ([`SourceArgs`]) and the `sync` subcommand ([`SyncArgs`]).

mod anchor;
mod check;
mod cli;
mod decode;
pub mod messages;
mod online;
mod pages;
mod report;
mod snapshot;
mod stream;
mod summary;
mod sync;

pub use anchor::{
    default_state_dir, pinned_root, FloorError, PinnedRoot, RootError, RootSource, TrustFloor,
    BUILT_IN_ROOT, SYSTEM_ROOT, TRUST_FLOOR_FILE,
};
pub use check::{
    checked_human, checked_json, parse_duration, Checked, Checker, CheckerArgs, Source,
    DEFAULT_MAX_AGE,
};
pub use cli::{run_sync, SourceArgs, SyncArgs};
pub use online::{verdict_from_json, OnlineAnswer, OnlineVerifier};
pub use pages::PackRef;
pub use snapshot::{
    default_store, read_manifest, FileRef, Manifest, OfficeState, SegmentRef, Snapshot,
    SnapshotAge, SnapshotError, MANIFEST, SIGHTINGS_FILE, STORE_ENV,
};
pub use sync::{sync, SyncError, SyncOptions, SyncSummary};

pub use decode::{
    decode_found_file, decode_image_bytes, decode_image_file, read_file_limited, DecodeImageError,
    Limits, ReadError,
};
pub use report::{human_report, json_report, kiosk_line, Tone};
pub use stream::{Frames, StreamError};
pub use summary::Tally;
