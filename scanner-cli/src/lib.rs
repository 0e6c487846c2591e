#![doc = include_str!("../README.md")]
//!
//! # Layout
//!
//! - `decode`: images in, QR texts out, with limits on file size, dimensions and pixels.
//! - `report`: a verdict as a clerk reads it (Bangla first) or as a JSON line.

mod decode;
mod report;

pub use decode::{decode_image_bytes, decode_image_file, DecodeImageError, Limits};
pub use report::{human_report, json_report};
