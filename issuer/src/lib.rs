#![doc = include_str!("../README.md")]
//!
//! # Layout
//!
//! - `store`: serials and issued certificates in sled, with the durability barrier.
//! - `issue`: sealing records with the office key, one at a time or in bulk.
//! - `qr_image`: PNG and SVG images of QR text.

mod issue;
mod qr_image;
mod store;

pub use issue::{BulkSummary, IssueError, Issued, Issuer, MAX_BULK_LINE, MAX_BULK_LINES};
pub use qr_image::{parse_ec_level, QrImage, QrImageError, PNG_MODULE_PX};
pub use store::{Store, StoreError, StoredCertificate};
