//! QR images of a certificate's QR text: PNG for printing, SVG for pages.

use image::{ImageFormat, Luma};
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode, Version};

/// Why a QR image could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QrImageError {
    /// The text does not fit any QR version at that error correction level.
    #[error("{}", crate::l10n::both("qr-image-too-long", &[("n0", &format!("{}", .0))]))]
    TooLong(String),
    /// PNG encoding failed.
    #[error("{}", crate::l10n::both("qr-image-png", &[("n0", &format!("{}", .0))]))]
    Png(String),
}

/// A QR code made from QR text.
pub struct QrImage {
    code: QrCode,
}

impl std::fmt::Debug for QrImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QrImage")
            .field("version", &self.version())
            .field("width", &self.width())
            .finish()
    }
}

/// Module size in pixels for PNGs: 8 px a module prints a version 10 code at about 4.7 cm
/// at 300 dpi, comfortably above what phone cameras need.
pub const PNG_MODULE_PX: u32 = 8;

impl QrImage {
    /// Encodes `text` at error correction `ec` (segments chosen optimally: Sonod's QR text is
    /// all alphanumeric).
    pub fn new(text: &str, ec: EcLevel) -> Result<QrImage, QrImageError> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), ec)
            .map_err(|e| QrImageError::TooLong(e.to_string()))?;
        Ok(QrImage { code })
    }

    /// The QR version (1–40).
    pub fn version(&self) -> i16 {
        match self.code.version() {
            Version::Normal(v) | Version::Micro(v) => v,
        }
    }

    /// Modules per side.
    pub fn width(&self) -> usize {
        self.code.width()
    }

    /// The modules, row by row from the top left, `true` for dark (no quiet zone).
    pub fn dark_modules(&self) -> Vec<bool> {
        self.code
            .to_colors()
            .into_iter()
            .map(|c| c == qrcode::Color::Dark)
            .collect()
    }

    /// A PNG with a 4-module quiet zone.
    pub fn png(&self) -> Result<Vec<u8>, QrImageError> {
        let img = self
            .code
            .render::<Luma<u8>>()
            .module_dimensions(PNG_MODULE_PX, PNG_MODULE_PX)
            .quiet_zone(true)
            .build();
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png)
            .map_err(|e| QrImageError::Png(e.to_string()))?;
        Ok(out.into_inner())
    }

    /// An SVG that scales to any size.
    pub fn svg(&self) -> String {
        self.code
            .render::<svg::Color<'_>>()
            .quiet_zone(true)
            .min_dimensions(200, 200)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .build()
    }
}

/// Parses L, M, Q or H.
pub fn parse_ec_level(s: &str) -> Option<EcLevel> {
    match s.to_ascii_uppercase().as_str() {
        "L" => Some(EcLevel::L),
        "M" => Some(EcLevel::M),
        "Q" => Some(EcLevel::Q),
        "H" => Some(EcLevel::H),
        _ => None,
    }
}
