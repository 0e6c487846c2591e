//! Reading QR codes from images, bounded before anything is decoded.

use std::io::{Cursor, Read};
use std::path::Path;

use image::{ImageReader, Limits as ImageLimits};

/// Input limits, checked before and while decoding (no decompression bombs).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest file, in bytes.
    pub max_file_bytes: u64,
    /// Largest width or height, in pixels.
    pub max_side: u32,
    /// Most pixels.
    pub max_pixels: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: 32 << 20,
            max_side: 12_000,
            max_pixels: 48_000_000,
        }
    }
}

/// Why an image could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeImageError {
    /// The file could not be opened or read.
    #[error("ফাইল পড়া যায়নি / cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    /// Larger than the file size limit.
    #[error("ফাইল অনেক বড় / file larger than {0} bytes")]
    FileTooLarge(u64),
    /// Wider or taller than allowed, or too many pixels.
    #[error("ছবি অনেক বড় ({0}×{1}) / image too large ({0}×{1} pixels)")]
    ImageTooLarge(u32, u32),
    /// Not an image in a supported format, or a damaged one.
    #[error("ছবি পড়া যায়নি (PNG, JPEG, WebP, BMP, TIFF, GIF) / not a readable image: {0}")]
    NotAnImage(String),
}

/// Images up to this size get a second, upscaled look when nothing is found.
const SMALL_SIDE: u32 = 1600;

/// Every QR code rqrr reads in a grey image, each text once.
fn read_codes(luma: image::GrayImage) -> Vec<String> {
    let mut prepared = rqrr::PreparedImage::prepare(luma);
    let mut texts = Vec::new();
    for grid in prepared.detect_grids() {
        if let Ok((_, text)) = grid.decode() {
            if !texts.contains(&text) {
                texts.push(text);
            }
        }
    }
    texts
}

/// Decodes every QR code in the image file at `path`; an empty list when none is found.
pub fn decode_image_file(path: &Path, limits: &Limits) -> Result<Vec<String>, DecodeImageError> {
    let file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    if len > limits.max_file_bytes {
        return Err(DecodeImageError::FileTooLarge(limits.max_file_bytes));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(limits.max_file_bytes + 1)
        .read_to_end(&mut bytes)?;
    decode_image_bytes(&bytes, limits)
}

/// Decodes every QR code in an image held in memory.
pub fn decode_image_bytes(bytes: &[u8], limits: &Limits) -> Result<Vec<String>, DecodeImageError> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(DecodeImageError::FileTooLarge(limits.max_file_bytes));
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| DecodeImageError::NotAnImage(e.to_string()))?;
    let (w, h) = reader
        .into_dimensions()
        .map_err(|e| DecodeImageError::NotAnImage(e.to_string()))?;
    if w > limits.max_side || h > limits.max_side || u64::from(w) * u64::from(h) > limits.max_pixels
    {
        return Err(DecodeImageError::ImageTooLarge(w, h));
    }
    reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| DecodeImageError::NotAnImage(e.to_string()))?;
    let mut il = ImageLimits::default();
    il.max_image_width = Some(limits.max_side);
    il.max_image_height = Some(limits.max_side);
    il.max_alloc = Some(limits.max_pixels.saturating_mul(4));
    reader.limits(il);
    let img = reader
        .decode()
        .map_err(|e| DecodeImageError::NotAnImage(e.to_string()))?;
    let luma = img.to_luma8();
    let mut texts = read_codes(luma.clone());
    // rqrr misses some codes whose modules are only a few pixels wide (a photo taken from
    // afar, a downscaled or 100-dpi scan), and which it misses depends on the exact module
    // grid: second and third looks at 1.5 and 2 times the size find them. (Larger factors
    // make rqrr slow on whole pages.)
    for factor in [3u32, 4] {
        if !texts.is_empty() || luma.width().max(luma.height()) > SMALL_SIDE {
            break;
        }
        let (w, h) = (luma.width() * factor / 2, luma.height() * factor / 2);
        texts = read_codes(image::imageops::resize(
            &luma,
            w,
            h,
            image::imageops::FilterType::Triangle,
        ));
    }
    Ok(texts)
}
