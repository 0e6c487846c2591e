//! The search for QR codes in grey pixels: a series of looks, cheapest first, each only while
//! the deadline allows and nothing has been found yet.

use std::borrow::Cow;
use std::collections::HashSet;
use std::time::Instant;

use image::imageops::{self, FilterType};
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

/// The largest side ZXing's first look works on: big enough for a certificate's QR code
/// photographed at arm's length in a 2-megapixel frame, small enough to take milliseconds.
const WORK_SIDE: u32 = 1280;
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
    /// Contrast stretched between the 1st and 99th percentile.
    Normalised,
    /// A light Gaussian blur, against noise, JPEG blocks and printer halftone.
    Blurred,
    /// Thresholded against the local mean, against shadows and uneven light.
    Adaptive,
}

struct Look {
    name: &'static str,
    reader: Reader_,
    prep: Prep,
    /// Longest side of the image the look works on (the image is only ever reduced to it,
    /// except for enlarged looks).
    side: Side,
}

#[derive(Clone, Copy)]
enum Side {
    /// At most this many pixels.
    AtMost(u32),
    /// The image enlarged by this factor in tenths (only for small images).
    Enlarged(u32),
}

const fn look(name: &'static str, reader: Reader_, prep: Prep, side: Side) -> Look {
    Look {
        name,
        reader,
        prep,
        side,
    }
}

/// The looks in order. Measured on the photo set in `bench/scanner-photos` (see its README):
/// each earns its place by codes the ones before it miss.
const LOOKS: &[Look] = &[
    look(
        "zxing-multi",
        Reader_::ZxingMulti,
        Prep::Plain,
        Side::AtMost(WORK_SIDE),
    ),
    look(
        "zxing",
        Reader_::Zxing,
        Prep::Plain,
        Side::AtMost(WORK_SIDE),
    ),
    look(
        "zxing-full",
        Reader_::Zxing,
        Prep::Plain,
        Side::AtMost(u32::MAX),
    ),
    look(
        "zxing-normalised",
        Reader_::Zxing,
        Prep::Normalised,
        Side::AtMost(WORK_SIDE),
    ),
    look(
        "zxing-blurred",
        Reader_::Zxing,
        Prep::Blurred,
        Side::AtMost(WORK_SIDE),
    ),
    look("rqrr", Reader_::Rqrr, Prep::Plain, Side::AtMost(RQRR_SIDE)),
    look("zxing-x2", Reader_::Zxing, Prep::Plain, Side::Enlarged(20)),
    look("rqrr-x1.5", Reader_::Rqrr, Prep::Plain, Side::Enlarged(15)),
    look(
        "zxing-adaptive",
        Reader_::Zxing,
        Prep::Adaptive,
        Side::AtMost(WORK_SIDE),
    ),
    look(
        "rqrr-adaptive",
        Reader_::Rqrr,
        Prep::Adaptive,
        Side::AtMost(RQRR_SIDE),
    ),
    look(
        "zxing-blurred-full",
        Reader_::Zxing,
        Prep::Blurred,
        Side::AtMost(u32::MAX),
    ),
];

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
    let mut tried: HashSet<(usize, u32, u8)> = HashSet::new();
    for look in LOOKS {
        if Instant::now() >= deadline {
            found.timed_out = true;
            break;
        }
        if matches!(look.reader, Reader_::Rqrr) && !slow_ok {
            continue;
        }
        let side = match look.side {
            Side::AtMost(s) => full_side.min(s),
            Side::Enlarged(tenths) => {
                if full_side > SMALL_SIDE {
                    continue;
                }
                full_side * tenths / 10
            }
        };
        // The same reader on the same pixels twice learns nothing.
        let key = (look.reader as usize, side, look.prep as u8);
        if !tried.insert(key) {
            continue;
        }
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
        let prepared = prepare(base, look.prep);
        let texts = match look.reader {
            Reader_::ZxingMulti => zxing_multi(&prepared),
            Reader_::Zxing => zxing_single(&prepared),
            Reader_::Rqrr => rqrr_read(&prepared),
        };
        for t in texts {
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
    imageops::resize(img, nw, nh, FilterType::Triangle)
}

fn prepare(img: &GrayImage, prep: Prep) -> Cow<'_, GrayImage> {
    match prep {
        Prep::Plain => Cow::Borrowed(img),
        Prep::Normalised => Cow::Owned(normalise(img)),
        Prep::Blurred => Cow::Owned(imageops::blur(img, 1.0)),
        Prep::Adaptive => {
            // A window of about a module's width on a code filling a tenth of the frame.
            let radius = (img.width().max(img.height()) / 80).clamp(4, 40);
            Cow::Owned(imageproc::contrast::adaptive_threshold(img, radius))
        }
    }
}

/// Stretches the grey levels so the 1st percentile becomes black and the 99th white.
fn normalise(img: &GrayImage) -> GrayImage {
    let mut hist = [0u64; 256];
    for p in img.as_raw() {
        hist[usize::from(*p)] += 1;
    }
    let total: u64 = hist.iter().sum();
    let cut = total / 100;
    let (mut lo, mut acc) = (0usize, 0u64);
    while lo < 255 && acc + hist[lo] <= cut {
        acc += hist[lo];
        lo += 1;
    }
    let (mut hi, mut acc) = (255usize, 0u64);
    while hi > 0 && acc + hist[hi] <= cut {
        acc += hist[hi];
        hi -= 1;
    }
    if hi <= lo + 1 {
        return img.clone();
    }
    imageproc::contrast::stretch_contrast(img, lo as u8, hi as u8, 0, 255)
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
