//! The first page of a PDF, rendered in grey, once every stream in the file has been measured
//! within its bounds (`streams`).

mod filters;
mod streams;

use image::GrayImage;

use crate::load::check_size;
use crate::{Limits, ReadError};

/// Points per inch in PDF user space.
const PDF_POINTS_PER_INCH: f32 = 72.0;
/// Rendering resolution for a PDF page: enough for a QR code printed 30 mm wide.
const PDF_DPI: f32 = 200.0;
/// The most pixels a page is rendered at (an A4 page at 200 dpi is 3.9 million; a larger
/// page is rendered at a lower resolution). The renderer draws in RGBA, 4 bytes a pixel, and
/// keeps a page-sized mask for every soft mask it is inside (up to its nesting limit of 50):
/// at this size at most about 200 MiB.
pub(crate) const PAGE_PIXELS: u64 = 4_000_000;
/// The most one stream other than an image decodes to (content, fonts, colour profiles).
pub(crate) const STREAM_BYTES: usize = 16 << 20;
/// The most pixels of one image in a PDF (an A4 page scanned at 400 dpi is 15.5 million).
pub(crate) const IMAGE_PIXELS: u64 = 16_000_000;
/// The most one image's data decodes to (16 million pixels in CMYK).
pub(crate) const IMAGE_BYTES: usize = 64 << 20;
/// The most all the streams of a PDF decode to together.
pub(crate) const TOTAL_BYTES: u64 = 128 << 20;

/// The first page of a PDF, rendered in grey at [`PDF_DPI`] (less if the page would exceed the
/// limits), after [`streams::check`] has found every stream within its bounds.
pub(crate) fn first_page(bytes: &[u8], limits: &Limits) -> Result<GrayImage, ReadError> {
    use hayro::hayro_interpret::InterpreterSettings;
    use hayro::hayro_syntax::Pdf;
    use hayro::vello_cpu::color::palette::css::WHITE;
    use hayro::{render, PixmapSettings, RenderCache, RenderSettings};

    streams::check(
        bytes,
        &streams::Bounds {
            stream_bytes: STREAM_BYTES,
            image_pixels: IMAGE_PIXELS.min(limits.max_pixels),
            image_bytes: IMAGE_BYTES,
            total_bytes: TOTAL_BYTES,
        },
    )?;
    let pdf = Pdf::new(bytes.to_vec()).map_err(|e| ReadError::Pdf(format!("{e:?}")))?;
    let pages = pdf.pages();
    let page = pages
        .first()
        .ok_or_else(|| ReadError::Pdf("the document has no pages".into()))?;
    let (pw, ph) = page.render_dimensions();
    if !(pw.is_finite() && ph.is_finite() && pw >= 1.0 && ph >= 1.0) {
        return Err(ReadError::Pdf("the page has no size".into()));
    }
    // The render target is at most u16::MAX a side; keep well inside the limits too.
    let max_side = limits.max_side.min(8_000) as f32;
    let mut scale = PDF_DPI / PDF_POINTS_PER_INCH;
    scale = scale.min(max_side / pw).min(max_side / ph);
    let pixels = f64::from(pw * scale) * f64::from(ph * scale);
    let max_pixels = limits.max_pixels.min(PAGE_PIXELS) as f64;
    if pixels > max_pixels {
        scale *= (max_pixels / pixels).sqrt() as f32;
    }
    let (w, h) = ((pw * scale) as u32, (ph * scale) as u32);
    check_size(w, h, limits)?;
    let cache = RenderCache::new();
    let pixmap = render(
        page,
        &cache,
        &InterpreterSettings::default(),
        &RenderSettings::default(),
        &PixmapSettings {
            x_scale: scale,
            y_scale: scale,
            bg_color: WHITE,
        },
    );
    drop(cache);
    let (w, h) = (u32::from(pixmap.width()), u32::from(pixmap.height()));
    // On an opaque white background premultiplied and straight RGBA are the same.
    let rgba = pixmap.data_as_u8_slice();
    let grey: Vec<u8> = rgba
        .chunks_exact(4)
        .map(|p| {
            let (r, g, b) = (u32::from(p[0]), u32::from(p[1]), u32::from(p[2]));
            ((r * 77 + g * 150 + b * 29 + 128) >> 8) as u8
        })
        .collect();
    GrayImage::from_raw(w, h, grey).ok_or_else(|| ReadError::Pdf("rendering failed".into()))
}
