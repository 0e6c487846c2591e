#![doc = include_str!("../README.md")]
//!
//! # Layout
//!
//! The folders are the issuer's parts:
//!
//! - [`storage`]: the write path. `store` (serials and issued certificates in sled, with the
//!   durability barrier), `ledger` (the one write path: certificates, revocations, the event
//!   feed, the audit log), `group_commit` (one flush + fsync for many writers), `backup`.
//! - [`paper`]: what is printed. `print` (the A4 page, from `templates/print.html`),
//!   `wording` (each type's formal text, from `wording/`), `bangla_calendar`, `qr_image`.
//! - [`server`]: `sonod-issuer serve`, the HTTP service and its pages.
//! - [`accounts`]: the people who use it: officials' accounts, roles, API tokens, passwords
//!   and sessions; `signin` (signing in under attack) and `throttle` (growing delays), which
//!   exist only to guard accounts.
//! - [`sealing`]: the office's authority: `office_key` (the key with its trust-list entry and
//!   the rule every new certificate passes) and `issue` (sealing records with that key, one
//!   at a time or in bulk). Neither writes anything: they hand sealed certificates to
//!   [`storage`].
//! - [`applications`]: citizens' applications and their review (the model; the one write
//!   path is `Ledger::change_application`).
//! - [`citizen`]: citizens' sign-in with a one-time SMS code, and their sessions.
//! - [`office`]: the office's settings (names, address, wards, signatories, types offered
//!   with fees and approvals, time limits), kept by the admin.
//! - [`l10n`]: the words of the pages and messages, one Fluent file a language
//!   (`locales/{bn,en}/issuer.ftl`).
//! - [`cli`]: what the `sonod-issuer` commands do (the binary only parses and wires).

pub mod accounts;
pub mod applications;
pub mod citizen;
pub mod cli;
pub mod l10n;
pub mod office;
pub mod paper;
pub mod sealing;
pub mod server;
pub mod sms;
pub mod storage;

// The old flat paths inside the crate (used by `server/`), kept while that code moves.
pub(crate) use accounts::signin;
pub(crate) use paper::qr_image;
pub(crate) use sealing::{issue, office_key};
pub(crate) use storage::{ledger, store};

pub use paper::bangla_calendar;

pub use accounts::signin::{SignIn, SignInError, SignInLimits, SignInStats};
pub use accounts::throttle::{Counted, Throttle, ThrottlePolicy};
pub use accounts::{
    dhaka_time, AccountError, Accounts, Actor, NewToken, Permission, Role, TokenRefusal,
    TokenState, TokenView, User, ARGON2_M_COST_KIB, ARGON2_T_COST, DEFAULT_TOKEN_DAYS,
    LAST_USE_EVERY, MAX_TOKEN_DAYS, MIN_PASSWORD_CHARS, SESSION_SECONDS,
};
pub use paper::bangla_calendar::BanglaDate;
pub use paper::pdf::{render_pdf, PdfError};
pub use paper::print::{render_certificate, render_certificate_with, PrintContext};
pub use paper::qr_image::{parse_ec_level, QrImage, QrImageError, PNG_MODULE_PX};
pub use paper::wording::{Wording, WordingError};
pub use sealing::issue::{
    check_fits, record_from_json, BulkSummary, IssueError, Issued, Issuer, MAX_BULK_LINE,
    MAX_BULK_LINES,
};
pub use sealing::office_key::{OfficeKey, OfficeKeyError, SigningRefused};
pub use storage::backup::{backup_offline, restore, BackupError, BackupSummary};
pub use storage::group_commit::{CommitFailed, Durable, GroupCommit, Ticket};
pub use storage::ledger::{
    hex_hash, now, AuditEntry, IssueOutcome, Ledger, LedgerError, Revocation, RevokeOutcome,
    MAX_IDEMPOTENCY_KEY,
};
pub use storage::store::{Store, StoreError, StoredCertificate, StoredRecord};
