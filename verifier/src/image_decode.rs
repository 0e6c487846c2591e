//! Reading QR codes from an uploaded photo, within strict limits.
//!
//! The scan page accepts any image a phone makes. Before a pixel is decoded the file size and
//! the dimensions in the header are checked, and the decoder itself is limited, so that a small
//! file that claims or inflates to a huge image (a decompression bomb) is refused cheaply;
//! parts of an image that are not pixels (a PNG's colour profile and text) are not
//! decompressed at all. At most one read per core runs at once, counting reads that overran
//! their budget, so the memory of all uploads together stays under a bound
//! (`docs/LIMITS.md`).

/// Largest upload, in bytes: a phone's 50 MP JPEG (10 to 25 MB with a camera's detail).
pub const MAX_FILE_BYTES: usize = 32 << 20;
/// Largest width or height, in pixels.
pub const MAX_SIDE: u32 = 4000;
/// Most pixels (12 megapixels), as decoded.
pub const MAX_PIXELS: u64 = 12_000_000;
/// Most pixels of a JPEG photo (50 megapixels, 8192×6144), read at 1/2, 1/4 or 1/8 of its size
/// straight from the DCT so that it is decoded within [`MAX_SIDE`] and [`MAX_PIXELS`].
pub const MAX_PHOTO_PIXELS: u64 = sonod_qr::MAX_PHOTO_PIXELS;

/// Why an image could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ImageError {
    /// No file was sent.
    #[error("{}", crate::l10n::both("image-empty", &[]))]
    Empty,
    /// Larger than [`MAX_FILE_BYTES`].
    #[error("{}", crate::l10n::both("image-file-too-large", &[]))]
    FileTooLarge,
    /// Wider or taller than [`MAX_SIDE`], or more than [`MAX_PIXELS`].
    #[error("{}", crate::l10n::both("image-too-many-pixels", &[
        ("w", &.0.to_string()),
        ("h", &.1.to_string()),
        ("photo_mp", &(MAX_PHOTO_PIXELS / 1_000_000).to_string()),
        ("side", &MAX_SIDE.to_string()),
        ("mp", &(MAX_PIXELS / 1_000_000).to_string()),
    ]))]
    TooManyPixels(u32, u32),
    /// A compressed part of the image expands past what an image within the limits needs.
    #[error("{}", crate::l10n::both("image-expands", &[]))]
    Expands,
    /// Not an image format that can be read.
    #[error("{}", crate::l10n::both("image-not-an-image", &[("n0", &format!("{}", .0))]))]
    NotAnImage(String),
    /// No code was found within the time budget.
    #[error("{}", crate::l10n::both("image-timed-out", &[]))]
    TimedOut,
}

/// Longest time spent looking for a code in one upload.
pub const BUDGET: std::time::Duration = std::time::Duration::from_secs(2);

/// Every QR code text in an uploaded image, within the limits above and a 2 s budget; the
/// search itself is `sonod-qr`'s (several detectors and image preparations, cheapest first).
pub fn decode_qr_image(bytes: &[u8]) -> Result<Vec<String>, ImageError> {
    if bytes.is_empty() {
        return Err(ImageError::Empty);
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ImageError::FileTooLarge);
    }
    let limits = sonod_qr::Limits {
        max_file_bytes: MAX_FILE_BYTES as u64,
        max_side: MAX_SIDE,
        max_pixels: MAX_PIXELS,
        // A phone's JPEG photo over the limits above (12 MP at 4032×3024, 50 MP) is read at
        // 1/2, 1/4 or 1/8 scale, within the same memory.
        max_photo_pixels: MAX_PHOTO_PIXELS,
        budget: BUDGET,
        // Uploads come from anyone: no PDFs (the renderer is a large program; a phone sends
        // photos).
        pdf: false,
        // One read a core; as many as the scan slots (`server::AppState`).
        max_reads: std::thread::available_parallelism().map_or(2, |n| n.get()),
    };
    sonod_qr::read_codes(bytes, &limits).map_err(|e| match e {
        sonod_qr::ReadError::Empty => ImageError::Empty,
        sonod_qr::ReadError::FileTooLarge(_) => ImageError::FileTooLarge,
        sonod_qr::ReadError::ImageTooLarge(w, h) => ImageError::TooManyPixels(w, h),
        sonod_qr::ReadError::Expands(_) => ImageError::Expands,
        sonod_qr::ReadError::TimedOut(_) => ImageError::TimedOut,
        other => ImageError::NotAnImage(other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

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
