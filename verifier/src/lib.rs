#![doc = include_str!("../README.md")]
//!
//! # Layout
//!
//! - `verdict`: the verdict kinds in check order, with reasons and JSON.
//! - `judge`: the checks themselves, against a trust list and an optional feed.

mod judge;
mod verdict;

pub use judge::{FeedAnswer, FeedStatus, Judge, NoFeed};
pub use verdict::{certificate_json, Office, Verdict, VerdictKind};
