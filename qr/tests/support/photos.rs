//! Phone-sized photos of a QR code, made on the spot: a colour JPEG of `w`×`h` pixels (a
//! phone's 12 MP is 4032×3024, its 50 MP 8160×6120) with the code somewhere off-centre.
//!
//! Shared by `sonod-qr`'s tests, `sonod-scan`'s and the verifier's (included with `#[path]`);
//! it needs `image` and `qrcode`.
#![allow(dead_code)]

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};

/// A `w`×`h` colour JPEG (quality 90) of a sheet of paper, lit more on one side than the
/// other, with `text`'s QR code drawn `module` pixels a module, its top left corner at a third
/// of the width and a quarter of the height.
pub fn photo_jpeg(w: u32, h: u32, text: &str, module: u32) -> Vec<u8> {
    let code = qrcode::QrCode::new(text.as_bytes()).expect("the text fits a QR code");
    let code = code
        .render::<image::Luma<u8>>()
        .module_dimensions(module, module)
        .build();
    let (x0, y0) = (w / 3, h / 4);
    assert!(
        x0 + code.width() <= w && y0 + code.height() <= h,
        "the code fits"
    );
    let img = RgbImage::from_fn(w, h, |x, y| {
        if (x0..x0 + code.width()).contains(&x) && (y0..y0 + code.height()).contains(&y) {
            let v = code.get_pixel(x - x0, y - y0).0[0];
            // Ink is never quite black on a photo, nor paper quite white.
            let v = if v < 128 { 40 } else { 225 };
            return Rgb([v, v, v.saturating_sub(5)]);
        }
        // The paper: warmer and darker towards the right.
        let shade = (x * 40 / w) as u8;
        Rgb([235 - shade / 2, 230 - shade, 215 - shade])
    });
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(Cursor::new(&mut out), 90)
        .encode_image(&img)
        .expect("encodes");
    out
}
