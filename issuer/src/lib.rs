#![doc = include_str!("../README.md")]
//!
//! # Layout
//!
//! - `accounts`: officials' accounts, roles, API tokens, passwords and sessions.
//! - `signin`: signing in under attack: admission, throttle, bounded password hashing.
//! - `throttle`: growing delays per account name and client address, in bounded memory.
//! - `backup`: a consistent copy of the store in one file, and restoring it.
//! - `store`: serials and issued certificates in sled, with the durability barrier.
//! - `office_key`: the office key with its trust-list entry, and the rule every new
//!   certificate passes (dated today in Dhaka, inside the key's window, expiring after).
//! - `issue`: sealing records with the office key, one at a time or in bulk.
//! - `qr_image`: PNG and SVG images of QR text.
//! - [`server`]: `sonod-issuer serve`, the HTTP service.
//! - `group_commit`: one flush + fsync for many concurrent writers.
//! - `ledger`: the one write path: certificates, revocations, the event feed, the audit log.

mod accounts;
mod backup;
pub mod bangla_calendar;
mod group_commit;
mod issue;
mod ledger;
mod office_key;
mod print;
mod qr_image;
pub mod server;
mod signin;
mod store;
mod throttle;

pub use accounts::{
    dhaka_time, AccountError, Accounts, Actor, NewToken, Permission, Role, TokenRefusal,
    TokenState, TokenView, User, ARGON2_M_COST_KIB, ARGON2_T_COST, DEFAULT_TOKEN_DAYS,
    LAST_USE_EVERY, MAX_TOKEN_DAYS, MIN_PASSWORD_CHARS, SESSION_SECONDS,
};
pub use backup::{backup_offline, restore, BackupError, BackupSummary};
pub use bangla_calendar::BanglaDate;
pub use group_commit::{CommitFailed, Durable, GroupCommit, Ticket};
pub use issue::{
    check_fits, record_from_json, BulkSummary, IssueError, Issued, Issuer, MAX_BULK_LINE,
    MAX_BULK_LINES,
};
pub use ledger::{
    hex_hash, now, AuditEntry, IssueOutcome, Ledger, LedgerError, Revocation, RevokeOutcome,
    MAX_IDEMPOTENCY_KEY,
};
pub use office_key::{OfficeKey, OfficeKeyError, SigningRefused};
pub use print::{render_certificate, PrintContext};
pub use qr_image::{parse_ec_level, QrImage, QrImageError, PNG_MODULE_PX};
pub use signin::{SignIn, SignInError, SignInLimits, SignInStats};
pub use store::{Store, StoreError, StoredCertificate};
pub use throttle::{Counted, Throttle, ThrottlePolicy};
