#![doc = include_str!("../README.md")]
//!
//! # Layout
//!
//! - `decode`: image files in, QR texts out, through `sonod-qr`'s bounded search.
//! - `stream`: a stream of images back to back (a camera through `ffmpeg -f image2pipe`)
//!   split into frames.
//! - `report`: a verdict as a clerk reads it (Bangla first), as one big kiosk line, or as a
//!   JSON line.

mod decode;
mod report;
mod stream;

pub use decode::{
    decode_image_bytes, decode_image_file, read_file_limited, DecodeImageError, Limits, ReadError,
};
pub use report::{human_report, json_report, kiosk_line};
pub use stream::{Frames, StreamError};
