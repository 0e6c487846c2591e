//! `sonod_scan::decode_image_bytes` on arbitrary bytes (every supported image format, and
//! PDF, is guessed from the content): no panic and no allocation past the limits.
#![no_main]

use std::time::Duration;

use sonod_scan::{decode_image_bytes, Limits};

/// A small grey gradient in every format the reader takes, so that each decoder is reached
/// from the start. With `SONOD_FUZZ_SEEDS=DIR` set, written into DIR at start.
fn write_seeds(dir: &std::path::Path) {
    use image::{DynamicImage, GrayImage, ImageFormat};
    let grey = GrayImage::from_fn(48, 32, |x, y| image::Luma([(x * 5 + y * 3) as u8]));
    let img = DynamicImage::ImageLuma8(grey);
    std::fs::create_dir_all(dir).expect("seed directory");
    for (name, format) in [
        ("grey.png", ImageFormat::Png),
        ("grey.jpg", ImageFormat::Jpeg),
        ("grey.bmp", ImageFormat::Bmp),
        ("grey.gif", ImageFormat::Gif),
        ("grey.tiff", ImageFormat::Tiff),
        ("grey.webp", ImageFormat::WebP),
    ] {
        let mut out = std::io::Cursor::new(Vec::new());
        let rgb = DynamicImage::ImageRgb8(img.to_rgb8());
        let source = if format == ImageFormat::WebP {
            &rgb
        } else {
            &img
        };
        if source.write_to(&mut out, format).is_ok() {
            std::fs::write(dir.join(name), out.into_inner()).expect("seed written");
        }
    }
}

sonod_fuzz::seeded_fuzz_target!(write_seeds, |data: &[u8]| {
    // Small limits keep each run fast; the checks are the same as with the defaults.
    let limits = Limits {
        max_file_bytes: 1 << 20,
        max_side: 1024,
        max_pixels: 1 << 20,
        budget: Duration::from_millis(500),
        ..Limits::default()
    };
    let _ = decode_image_bytes(data, &limits);
});
