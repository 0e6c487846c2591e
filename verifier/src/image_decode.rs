//! Reading QR codes from an uploaded photo, within strict limits.
//!
//! The scan page accepts any image a phone makes. Before a pixel is decoded the file size and
//! the dimensions in the header are checked, and the decoder itself is limited, so that a small
//! file that claims or inflates to a huge image (a decompression bomb) is refused cheaply.

use std::io::Cursor;

use image::{ImageReader, Limits};

/// Largest upload, in bytes.
pub const MAX_FILE_BYTES: usize = 8 << 20;
/// Largest width or height, in pixels.
pub const MAX_SIDE: u32 = 4000;
/// Most pixels (12 megapixels: a phone camera's full frame).
pub const MAX_PIXELS: u64 = 12_000_000;

/// Why an image could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImageError {
    /// No file was sent.
    #[error("কোনো ছবি পাঠানো হয়নি / no image was sent")]
    Empty,
    /// Larger than [`MAX_FILE_BYTES`].
    #[error("ছবির ফাইল অনেক বড় (সর্বোচ্চ ৮ MiB) / the image file is too large (at most 8 MiB)")]
    FileTooLarge,
    /// Wider or taller than [`MAX_SIDE`], or more than [`MAX_PIXELS`].
    #[error("ছবি অনেক বড় ({0}×{1}); সর্বোচ্চ ৪০০০ পিক্সেল প্রতি পাশে, ১২ মেগাপিক্সেল / the image is too large ({0}×{1}); at most 4000 pixels a side and 12 megapixels")]
    TooManyPixels(u32, u32),
    /// Not an image format that can be read.
    #[error("ছবিটি পড়া যায়নি / the image could not be read: {0}")]
    NotAnImage(String),
}

/// Decodes every QR code in an image file held in memory; their texts, without repeats.
pub fn decode_qr_image(bytes: &[u8]) -> Result<Vec<String>, ImageError> {
    if bytes.is_empty() {
        return Err(ImageError::Empty);
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ImageError::FileTooLarge);
    }
    let reader = || {
        ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| ImageError::NotAnImage(e.to_string()))
    };
    let (w, h) = reader()?
        .into_dimensions()
        .map_err(|e| ImageError::NotAnImage(e.to_string()))?;
    if w > MAX_SIDE || h > MAX_SIDE || u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(ImageError::TooManyPixels(w, h));
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_PIXELS * 4 + (16 << 20));
    let mut decoder = reader()?;
    decoder.limits(limits);
    let img = decoder
        .decode()
        .map_err(|e| ImageError::NotAnImage(e.to_string()))?;
    let mut prepared = rqrr::PreparedImage::prepare(img.to_luma8());
    let mut texts: Vec<String> = Vec::new();
    for grid in prepared.detect_grids() {
        if let Ok((_, text)) = grid.decode() {
            if !texts.contains(&text) {
                texts.push(text);
            }
        }
    }
    Ok(texts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::GrayImage::from_pixel(w, h, image::Luma([255]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn reads_a_qr_code() {
        let code = qrcode::QrCode::new(b"HTTPS://EXAMPLE.BD/V/NBSWY3DP").unwrap();
        let img = code
            .render::<image::Luma<u8>>()
            .min_dimensions(300, 300)
            .build();
        let mut bytes = Vec::new();
        img.write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
            .unwrap();
        assert_eq!(
            decode_qr_image(&bytes).unwrap(),
            ["HTTPS://EXAMPLE.BD/V/NBSWY3DP"]
        );
        assert_eq!(decode_qr_image(&png(50, 50)).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn limits_hold() {
        assert_eq!(decode_qr_image(b""), Err(ImageError::Empty));
        assert!(matches!(
            decode_qr_image(b"not an image"),
            Err(ImageError::NotAnImage(_))
        ));
        assert_eq!(
            decode_qr_image(&png(4001, 10)),
            Err(ImageError::TooManyPixels(4001, 10))
        );
        assert_eq!(
            decode_qr_image(&png(3500, 3500)),
            Err(ImageError::TooManyPixels(3500, 3500))
        );
        assert_eq!(
            decode_qr_image(&vec![0u8; MAX_FILE_BYTES + 1]),
            Err(ImageError::FileTooLarge)
        );
    }
}
