//! The search for QR codes in grey pixels: a series of looks, cheapest first, each only while
//! the deadline allows and nothing has been found yet.

use std::borrow::Cow;
use std::collections::HashSet;
use std::time::{Duration, Instant};

use image::imageops;
use image::GrayImage;
use rxing::common::HybridBinarizer;
use rxing::multi::qrcode::QRCodeMultiReader;
use rxing::multi::MultipleBarcodeReader;
use rxing::qrcode::QRCodeReader;
use rxing::{BarcodeFormat, BinaryBitmap, DecodeHints, Luma8Source, Reader};

/// What the search found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    /// Each code's text, once, in the order found.
    pub texts: Vec<String>,
    /// The deadline came before the search was complete.
    pub timed_out: bool,
    /// The look that found the codes (for measurements), when one did.
    pub found_by: Option<&'static str>,
}

/// The largest side rqrr is given. Its grid search copies the whole image for every
/// candidate group of finder patterns, so its time grows with pixels times candidates.
const RQRR_SIDE: u32 = 900;
/// Images up to this side also get enlarged looks (modules a few pixels wide).
const SMALL_SIDE: u32 = 900;

/// Which decoder a look uses.
#[derive(Clone, Copy)]
enum Reader_ {
    /// ZXing's multi-code detector.
    ZxingMulti,
    /// ZXing's single-code detector, more tolerant of damage.
    Zxing,
    /// rqrr (quirc's algorithm): a different detector, good on clean images.
    Rqrr,
}

/// How the pixels are prepared for a look.
#[derive(Clone, Copy)]
enum Prep {
    /// As they are (at the look's scale).
    Plain,
    /// Unsharp-masked with this sigma in tenths of a pixel, against blur.
    Sharpened(u8),
}

struct Look {
    name: &'static str,
    reader: Reader_,
    prep: Prep,
    /// Longest side of the image the look works on (the image is only ever reduced to it,
    /// except for enlarged looks).
    side: Side,
    /// Rough cost, in microseconds per megapixel of the original image on one core (from
    /// `examples/looks.rs` on the photo set): a look that cannot finish in the time left is
    /// not started, so the budget is kept without leaving work running past it.
    us_per_mp: u64,
}

#[derive(Clone, Copy)]
enum Side {
    /// At most this many pixels.
    AtMost(u32),
    /// The image enlarged by this factor in tenths (only for small images).
    Enlarged(u32),
    /// The image scaled by this factor in tenths (never past [`MAX_SCALED_SIDE`]).
    Scale(u32),
}

/// The largest side a scaled look makes.
const MAX_SCALED_SIDE: u32 = 3000;

const fn look(name: &'static str, reader: Reader_, prep: Prep, side: Side, us_per_mp: u64) -> Look {
    Look {
        name,
        reader,
        prep,
        side,
        us_per_mp,
    }
}

/// The looks in order, chosen on the photo set in `bench/scanner-photos` (384 pictures; see
/// its README) by what each adds to the ones before it, cheapest first:
///
/// | look | reads alone | adds | median ms (2 MP, one core) |
/// |---|---|---|---|
/// | ZXing, several codes, as is | 233 | 233 | 6.5 |
/// | ZXing, several codes, unsharp-masked (σ 2) | 253 | 20 | 22 |
/// | ZXing, unsharp-masked (σ 1) | 249 | few | 22 |
/// | rqrr, unsharp-masked, reduced to 900 px | 73 | few | 23 |
/// | ZXing, unsharp-masked, enlarged 1.5× | 251 | 28 | 300 |
/// | ZXing, enlarged 1.5× | 231 | 9 | 300 |
///
/// Contrast stretching, a light blur, an adaptive threshold and nearest-neighbour enlarging
/// were measured too and added nothing the looks above miss.
const LOOKS: &[Look] = &[
    look(
        "zxing-multi",
        Reader_::ZxingMulti,
        Prep::Plain,
        Side::Scale(10),
        3_000,
    ),
    look(
        "zxing-multi-unsharp",
        Reader_::ZxingMulti,
        Prep::Sharpened(20),
        Side::Scale(10),
        11_000,
    ),
    look(
        "zxing-unsharp-1",
        Reader_::Zxing,
        Prep::Sharpened(10),
        Side::Scale(10),
        11_000,
    ),
    look(
        "rqrr-unsharp",
        Reader_::Rqrr,
        Prep::Sharpened(20),
        Side::AtMost(RQRR_SIDE),
        12_000,
    ),
    look(
        "zxing-unsharp-x1.5",
        Reader_::Zxing,
        Prep::Sharpened(20),
        Side::Scale(15),
        150_000,
    ),
    look(
        "zxing-x1.5",
        Reader_::Zxing,
        Prep::Plain,
        Side::Scale(15),
        150_000,
    ),
    look(
        "rqrr-x1.5",
        Reader_::Rqrr,
        Prep::Plain,
        Side::Enlarged(15),
        60_000,
    ),
];

impl Look {
    /// The longest side this look works at for an image whose longest side is `full_side`;
    /// `None` when the look does not apply to an image that size.
    fn side_for(&self, full_side: u32) -> Option<u32> {
        match self.side {
            Side::AtMost(s) => Some(full_side.min(s)),
            Side::Enlarged(tenths) if full_side <= SMALL_SIDE => Some(full_side * tenths / 10),
            Side::Enlarged(_) => None,
            Side::Scale(tenths) => {
                Some((full_side * tenths / 10).min(MAX_SCALED_SIDE.max(full_side)))
            }
        }
    }

    /// The codes this look's reader finds in `base` (already at the look's scale).
    fn read(&self, base: &GrayImage) -> Vec<String> {
        let prepared = prepare(base, self.prep);
        match self.reader {
            Reader_::ZxingMulti => zxing_multi(&prepared),
            Reader_::Zxing => zxing_single(&prepared),
            Reader_::Rqrr => rqrr_read(&prepared),
        }
    }
}

/// Every QR code in `luma`, searching until one is found, the looks run out, or `deadline`
/// passes. `slow_ok` false skips the looks whose running time cannot be bounded (rqrr's).
pub fn find_codes(luma: &GrayImage, deadline: Instant, slow_ok: bool) -> Found {
    let mut found = Found::default();
    let mut seen = HashSet::new();
    let (w, h) = luma.dimensions();
    if w == 0 || h == 0 {
        return found;
    }
    let full_side = w.max(h);
    // Prepared images are reused between looks at the same scale.
    let mut scaled: Vec<(u32, GrayImage)> = Vec::new();
    let megapixels = (f64::from(w) * f64::from(h) / 1e6).max(0.05);
    for look in LOOKS {
        let now = Instant::now();
        if now >= deadline {
            found.timed_out = true;
            break;
        }
        let cost = Duration::from_micros((look.us_per_mp as f64 * megapixels) as u64);
        if now + cost > deadline {
            // Not enough time left for this look: the search is cut short here.
            found.timed_out = true;
            continue;
        }
        if matches!(look.reader, Reader_::Rqrr) && !slow_ok {
            continue;
        }
        let Some(side) = look.side_for(full_side) else {
            continue;
        };
        if side != full_side && !scaled.iter().any(|(s, _)| *s == side) {
            scaled.push((side, resize_to(luma, side)));
        }
        let base = if side == full_side {
            luma
        } else {
            match scaled.iter().find(|(s, _)| *s == side) {
                Some((_, img)) => img,
                None => continue,
            }
        };
        for t in look.read(base) {
            if seen.insert(t.clone()) {
                found.texts.push(t);
            }
        }
        if !found.texts.is_empty() {
            found.found_by = Some(look.name);
            break;
        }
    }
    found
}

fn resize_to(img: &GrayImage, side: u32) -> GrayImage {
    let (w, h) = img.dimensions();
    let long = w.max(h);
    let (nw, nh) = (
        (u64::from(w) * u64::from(side) / u64::from(long)).max(1) as u32,
        (u64::from(h) * u64::from(side) / u64::from(long)).max(1) as u32,
    );
    if side < long {
        // Area averaging: fast, and it keeps thin modules.
        imageops::thumbnail(img, nw, nh)
    } else {
        crate::pixels::resize_bilinear(img, nw, nh)
    }
}

fn prepare(img: &GrayImage, prep: Prep) -> Cow<'_, GrayImage> {
    match prep {
        Prep::Plain => Cow::Borrowed(img),
        Prep::Sharpened(tenths) => {
            Cow::Owned(crate::pixels::unsharpen(img, f32::from(tenths) / 10.0, 8))
        }
    }
}

fn hints(try_harder: bool) -> DecodeHints {
    DecodeHints {
        PossibleFormats: Some(HashSet::from([BarcodeFormat::QR_CODE])),
        TryHarder: Some(try_harder),
        ..DecodeHints::default()
    }
}

fn bitmap(img: &GrayImage) -> Option<BinaryBitmap<HybridBinarizer<Luma8Source<'_>>>> {
    let source = Luma8Source::new_with_slice(img.as_raw(), img.width(), img.height()).ok()?;
    Some(BinaryBitmap::new(HybridBinarizer::new(source)))
}

fn zxing_multi(img: &GrayImage) -> Vec<String> {
    let Some(mut bitmap) = bitmap(img) else {
        return Vec::new();
    };
    QRCodeMultiReader::new()
        .decode_multiple_with_hints(&mut bitmap, &hints(true))
        .map(|rs| rs.into_iter().map(|r| r.getText().to_owned()).collect())
        .unwrap_or_default()
}

fn zxing_single(img: &GrayImage) -> Vec<String> {
    let Some(mut bitmap) = bitmap(img) else {
        return Vec::new();
    };
    let hints = hints(true);
    let mut reader = QRCodeReader::new();
    if let Ok(r) = reader.decode_with_hints(&mut bitmap, &hints) {
        return vec![r.getText().to_owned()];
    }
    // Light modules on a dark ground: a code printed inverted, or a photo of a screen.
    bitmap.invert();
    reader
        .decode_with_hints(&mut bitmap, &hints)
        .map(|r| vec![r.getText().to_owned()])
        .unwrap_or_default()
}

fn rqrr_read(img: &GrayImage) -> Vec<String> {
    let mut prepared = rqrr::PreparedImage::prepare(img.clone());
    prepared
        .detect_grids()
        .into_iter()
        .filter_map(|g| g.decode().ok().map(|(_, text)| text))
        .collect()
}

/// The names of the looks, in order (for measurements).
#[doc(hidden)]
pub fn look_names() -> Vec<&'static str> {
    LOOKS.iter().map(|l| l.name).collect()
}

/// Runs one look by name on `luma` (for measurements); `None` for an unknown name or a look
/// that does not apply to an image of this size.
#[doc(hidden)]
pub fn try_look(luma: &GrayImage, name: &str) -> Option<Vec<String>> {
    let look = LOOKS.iter().find(|l| l.name == name)?;
    let full_side = luma.width().max(luma.height());
    let side = look.side_for(full_side)?;
    if side == full_side {
        Some(look.read(luma))
    } else {
        Some(look.read(&resize_to(luma, side)))
    }
}
