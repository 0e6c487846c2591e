//! Reading QR codes from image files: the bounded search of `sonod-qr`, plus file handling.

use std::io::Read;
use std::path::Path;

pub use sonod_qr::{Limits, ReadError};

/// Why an image could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeImageError {
    /// The file could not be opened or read.
    #[error("{}", crate::messages::both_args("decode-image-io", &[("n0", &format!("{}", .0))]))]
    Io(#[from] std::io::Error),
    /// The image was refused or no code was found in time.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// A file found in a folder that is not an image or a PDF by its first bytes (notes, a
    /// spreadsheet, a `.jpg` that is not one): skipped, not an error.
    #[error("{}", crate::messages::both("not-an-image-skipped"))]
    NotAnImage,
}

/// Reads a whole file, refusing one larger than the limit before reading it.
pub fn read_file_limited(path: &Path, limits: &Limits) -> Result<Vec<u8>, DecodeImageError> {
    let file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    if len > limits.max_file_bytes {
        return Err(ReadError::FileTooLarge(limits.max_file_bytes).into());
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(limits.max_file_bytes + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(ReadError::FileTooLarge(limits.max_file_bytes).into());
    }
    Ok(bytes)
}

/// Decodes every QR code in the image file at `path`; an empty list when none is found.
pub fn decode_image_file(path: &Path, limits: &Limits) -> Result<Vec<String>, DecodeImageError> {
    let bytes = read_file_limited(path, limits)?;
    decode_image_bytes(&bytes, limits)
}

/// [`decode_image_file`] for a file found in a folder: one that is not an image or a PDF by its
/// first bytes is [`DecodeImageError::NotAnImage`], whatever it is called.
pub fn decode_found_file(path: &Path, limits: &Limits) -> Result<Vec<String>, DecodeImageError> {
    let bytes = read_file_limited(path, limits)?;
    if !sonod_qr::looks_like_image(&bytes) {
        return Err(DecodeImageError::NotAnImage);
    }
    decode_image_bytes(&bytes, limits)
}

/// Decodes every QR code in an image held in memory (PNG, JPEG, WebP, BMP, TIFF, GIF, or the
/// first page of a PDF), within the limits and the time budget.
pub fn decode_image_bytes(bytes: &[u8], limits: &Limits) -> Result<Vec<String>, DecodeImageError> {
    Ok(sonod_qr::read_codes(bytes, limits)?)
}
