//! The search for QR codes in grey pixels: a series of looks, cheapest first, each only while
//! the deadline allows, until a look finds a code and leaves no sign of another.

use std::borrow::Cow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use image::imageops;
use image::GrayImage;
use rxing::common::DetectorRXingResult;
use rxing::common::HybridBinarizer;
use rxing::qrcode::cpp_port::decoder::Decode;
use rxing::qrcode::cpp_port::detector::{GenerateFinderPatternSets, SampleQR};
use rxing::{BarcodeFormat, BinaryBitmap, Luma8Source, RXingResult};

/// What the search found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    /// Each code's text, once, in the order found.
    pub texts: Vec<String>,
    /// The deadline came before the search was complete.
    pub timed_out: bool,
    /// The look that found the first codes (for measurements), when one did.
    pub found_by: Option<&'static str>,
    /// How many looks ran (for measurements).
    pub looks_run: u32,
}

impl Found {
    /// Adds the texts not found before, in order.
    fn add(&mut self, texts: Vec<String>) {
        for t in texts {
            if !self.texts.contains(&t) {
                self.texts.push(t);
            }
        }
    }
}

/// The largest side rqrr is given. Its grid search copies the whole image for every
/// candidate group of finder patterns, so its time grows with pixels times candidates.
const RQRR_SIDE: u32 = 900;

/// Which decoder a look uses.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reader_ {
    /// The ZXing detector as zxing-cpp has it (rxing's `cpp_port`): finder patterns found by
    /// their concentric rings, every plausible triple of them sampled, several codes an image.
    Zxing,
    /// rqrr (quirc's algorithm): a different detector, good on clean images and large codes.
    Rqrr,
}

/// How the pixels are prepared for a look.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Prep {
    /// As they are (at the look's scale).
    Plain,
    /// Unsharp-masked with this sigma in tenths of a pixel, against blur.
    Sharpened(u8),
    /// Light and dark swapped: light modules on a dark ground (a photo of a screen).
    Inverted,
    /// Low-pass filtered (a Gaussian of this sigma in tenths of a pixel): a photographed
    /// screen's subpixel stripes and moiré smoothed away before binarizing.
    Smoothed(u8),
    /// Grey levels squared (p² / 255), then unsharp-masked (sigma in tenths): the light end
    /// stretched, so that modules washed out by a highlight differ from the paper by more than
    /// the binarizer's least contrast.
    SquaredSharpened(u8),
}

struct Look {
    name: &'static str,
    reader: Reader_,
    prep: Prep,
    /// Longest side of the image the look works on.
    side: Side,
    /// Rough cost, in microseconds per megapixel of the original image on one core (about the
    /// 90th percentile of the CPU times `examples/looks.rs` measured on the photo set): a look
    /// that cannot finish in the time left is not started, so the budget is kept without
    /// leaving work running past it.
    us_per_mp: u64,
}

#[derive(Clone, Copy)]
enum Side {
    /// At most this many pixels (the image is only ever reduced to it).
    AtMost(u32),
    /// The image scaled by this factor in tenths (never past [`MAX_SCALED_SIDE`]).
    Scale(u32),
}

/// After a look reads this many codes, every following ZXing look runs on the whole image.
const SEVERAL: usize = 3;

/// At most this many places are looked at again after a find (more, and the whole image is).
const MAX_REGIONS: usize = 4;

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
/// | ZXing (zxing-cpp's detector), as is | 304 | 304 | 3.1 |
/// | ZXing, unsharp-masked (σ 2) | 327 | 24 | 7.0 |
/// | rqrr, unsharp-masked, reduced to 900 px | 81 | 2 | 19 |
/// | ZXing, unsharp-masked, enlarged 1.5× | 332 | 5 | 22 |
/// | ZXing, unsharp-masked, enlarged 2× | 333 | 2 | 30 |
/// | ZXing, inverted | — | 0 | 3.7 |
///
/// ("reads": of the 384, counting the 8 pictures without a code as read when nothing is found;
/// from `examples/looks.rs`, CPU time, so the times include each look's own scaling and
/// sharpening.)
/// The last look is for light-on-dark codes, which the set does not have. The Java ZXing
/// detector (`rxing::qrcode::QRCodeReader` and its multi reader), which the looks used before,
/// read 238 as is and added nothing to the looks above; neither did unsharp σ 1, 3 or 4,
/// ZXing on plain enlarged copies, at 1.25×, on reduced copies (0.75×, 400–800 px) or with
/// ZXing's global-histogram binarizer (plain, sharpened, enlarged), nor rqrr at 450–1,200 px
/// or enlarged. Unsharp σ 3 at 1.5× read one picture more, for another 50 ms on every picture
/// without a code, and was left out. Contrast stretching, a light blur, an adaptive threshold
/// and nearest-neighbour enlarging were measured before and added nothing either.
///
/// Three looks were added later for the kinds of trouble of issue #17 (photos of screens,
/// close-ups, strong blur, specular glare, many codes), chosen on a set of those of its own
/// (158 pictures, seed 1701) by what each adds to the looks above, and placed before rqrr as
/// they are cheap:
///
/// | look | reads alone | adds | median ms (2 MP, one core) |
/// |---|---|---|---|
/// | ZXing, low-pass filtered (Gaussian σ 1): a screen's subpixel stripes and moiré | 101/158 | 3 | 3.3 |
/// | ZXing, unsharp-masked, reduced to 0.4× (larger binarizer windows, for blur) | 102 | 1 | 7.3 |
/// | ZXing, grey levels squared and unsharp-masked (washed-out modules under a highlight) | 89 | 3 | 7.2 |
///
/// Tried there and left out: ZXing at 0.5× and 0.3× (plain), sharpened at 0.5×, low-pass σ
/// 1.5, squared without sharpening, squared and enlarged 1.5×, and a synthetic quiet zone (a
/// light border an eighth of the side wide, at 1× and 0.5×) for close-ups: each added nothing
/// beyond these, or less. The figures on a set of other pictures: `bench/scanner-photos/README.md`.
const LOOKS: &[Look] = &[
    look("zxing", Reader_::Zxing, Prep::Plain, Side::Scale(10), 2_500),
    look(
        "zxing-unsharp",
        Reader_::Zxing,
        Prep::Sharpened(20),
        Side::Scale(10),
        5_000,
    ),
    look(
        "zxing-smooth",
        Reader_::Zxing,
        Prep::Smoothed(10),
        Side::Scale(10),
        4_000,
    ),
    look(
        "zxing-unsharp-x0.4",
        Reader_::Zxing,
        Prep::Sharpened(20),
        Side::Scale(4),
        6_000,
    ),
    look(
        "zxing-squared-unsharp",
        Reader_::Zxing,
        Prep::SquaredSharpened(20),
        Side::Scale(10),
        6_000,
    ),
    look(
        "rqrr-unsharp",
        Reader_::Rqrr,
        Prep::Sharpened(20),
        Side::AtMost(RQRR_SIDE),
        16_000,
    ),
    look(
        "zxing-unsharp-x1.5",
        Reader_::Zxing,
        Prep::Sharpened(20),
        Side::Scale(15),
        13_000,
    ),
    look(
        "zxing-unsharp-x2",
        Reader_::Zxing,
        Prep::Sharpened(20),
        Side::Scale(20),
        17_500,
    ),
    look(
        "zxing-inverted",
        Reader_::Zxing,
        Prep::Inverted,
        Side::Scale(10),
        2_500,
    ),
];

/// What one look saw.
#[derive(Default)]
struct Seen {
    texts: Vec<String>,
    /// Where finder patterns were left that no code read explains, so that another code may
    /// be there: for each such triple, the box around its three centres and the fourth corner
    /// they imply, in the look's pixels.
    unread: Vec<[f32; 4]>,
    /// The boxes around the codes read (a little enlarged), in the look's pixels.
    areas: Vec<[f32; 4]>,
}

impl Look {
    /// The longest side this look works at for an image whose longest side is `full_side`.
    fn side_for(&self, full_side: u32) -> u32 {
        match self.side {
            Side::AtMost(s) => full_side.min(s),
            Side::Scale(tenths) => (full_side * tenths / 10).min(MAX_SCALED_SIDE.max(full_side)),
        }
    }

    /// The codes this look's reader finds in `base` (already at the look's scale). A decoder
    /// that panics finds nothing; the search goes on with the next look.
    fn read(&self, base: &GrayImage) -> Seen {
        catch_unwind(AssertUnwindSafe(|| {
            let prepared = prepare(base, self.prep);
            match self.reader {
                Reader_::Zxing => zxing_read(&prepared),
                Reader_::Rqrr => Seen {
                    texts: rqrr_read(&prepared),
                    ..Seen::default()
                },
            }
        }))
        .unwrap_or_default()
    }
}

/// Every QR code in `luma`. The looks run in turn until one finds a code (two certificates side
/// by side are read in one look; when the look saw finder patterns outside the codes it read,
/// the next ZXing look runs once more for a second code, where those patterns are), the looks
/// run out, or `deadline` passes; a look that would not finish before it is not started.
/// `slow_ok` false skips the looks whose running time cannot be bounded (rqrr's).
pub fn find_codes(luma: &GrayImage, deadline: Instant, slow_ok: bool) -> Found {
    let mut found = Found::default();
    let (w, h) = luma.dimensions();
    if w == 0 || h == 0 {
        return found;
    }
    let full_side = w.max(h);
    // Scaled images are reused between looks at the same scale.
    let mut scaled: Vec<(u32, GrayImage)> = Vec::new();
    let mut ran = Vec::new();
    let megapixels = (f64::from(w) * f64::from(h) / 1e6).max(0.05);
    for (i, look) in LOOKS.iter().enumerate() {
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
        let side = look.side_for(full_side);
        // An enlarged look on an image already at the largest scaled side is a look done.
        if ran.contains(&(side, look.reader, look.prep)) {
            continue;
        }
        ran.push((side, look.reader, look.prep));
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
        found.looks_run += 1;
        let result = look.read(base);
        found.add(result.texts);
        if found.texts.is_empty() {
            continue;
        }
        found.found_by = Some(look.name);
        // After a find, the search goes on while the detector saw finder patterns outside the
        // codes read (more codes in the picture, perhaps: two certificates, or a dozen on a
        // table): each following ZXing look in turn, only where those patterns are when they
        // are few and small, else over the whole image, until no such patterns are left or
        // the looks or the time run out. Certificate pages hold shapes that pass for finder
        // patterns often enough (one photo in eight on the set) that this costs those photos
        // the remaining looks; none is started that would not end before the deadline.
        let f = full_side as f32 / side.max(1) as f32;
        let unread = result.unread.iter().map(|b| b.map(|v| v * f)).collect();
        let areas = result.areas.iter().map(|b| b.map(|v| v * f)).collect();
        // Three codes or more read at once: a picture of many (a dozen certificates on a
        // table, some small); every following ZXing look runs over the whole image, as the
        // codes not read yet may not have shown even their finder patterns.
        let several = found.texts.len() >= SEVERAL;
        follow_up(
            luma,
            &LOOKS[i + 1..],
            unread,
            areas,
            several,
            deadline,
            &mut found,
        );
        break;
    }
    found
}

/// The looks after a find: see [`find_codes`]. `unread` (the places of finder patterns no
/// code explains) and `areas` (the codes read) in the pixels of `luma`.
fn follow_up(
    luma: &GrayImage,
    looks: &[Look],
    mut unread: Vec<[f32; 4]>,
    mut areas: Vec<[f32; 4]>,
    several: bool,
    deadline: Instant,
    found: &mut Found,
) {
    let (w, h) = luma.dimensions();
    let full_side = w.max(h);
    let megapixels = (f64::from(w) * f64::from(h) / 1e6).max(0.05);
    let mut ran = Vec::new();
    for next in looks
        .iter()
        .filter(|l| matches!(l.reader, Reader_::Zxing) && l.prep != Prep::Inverted)
    {
        if unread.is_empty() && !several {
            break;
        }
        let next_side = next.side_for(full_side);
        if ran.contains(&(next_side, next.prep)) {
            continue;
        }
        ran.push((next_side, next.prep));
        let mut left = Vec::new();
        let places = if several {
            None
        } else {
            regions(luma, full_side, &unread)
        };
        match places {
            Some(regions) => {
                if !regions.is_empty() {
                    found.looks_run += 1;
                }
                for [x0, y0, x1, y1] in regions {
                    let (cw, ch) = (x1 - x0, y1 - y0);
                    let crop_mp = f64::from(cw) * f64::from(ch) / 1e6;
                    let cost = Duration::from_micros((next.us_per_mp as f64 * crop_mp) as u64);
                    if Instant::now() + cost > deadline {
                        found.timed_out = true;
                        return;
                    }
                    let crop = imageops::crop_imm(luma, x0, y0, cw, ch).to_image();
                    // At the look's scale, as it would see this part of the image.
                    let crop_side = (u64::from(cw.max(ch)) * u64::from(next_side)
                        / u64::from(full_side))
                    .max(1) as u32;
                    let crop = if crop_side == cw.max(ch) {
                        crop
                    } else {
                        resize_to(&crop, crop_side)
                    };
                    let seen = next.read(&crop);
                    found.add(seen.texts);
                    let f = cw.max(ch) as f32 / crop_side as f32;
                    let to_luma = |b: &[f32; 4]| {
                        [
                            b[0] * f + x0 as f32,
                            b[1] * f + y0 as f32,
                            b[2] * f + x0 as f32,
                            b[3] * f + y0 as f32,
                        ]
                    };
                    left.extend(seen.unread.iter().map(to_luma));
                    areas.extend(seen.areas.iter().map(to_luma));
                }
            }
            None => {
                let cost = Duration::from_micros((next.us_per_mp as f64 * megapixels) as u64);
                if Instant::now() + cost > deadline {
                    found.timed_out = true;
                    return;
                }
                let scaled_next;
                let base = if next_side == full_side {
                    luma
                } else {
                    scaled_next = resize_to(luma, next_side);
                    &scaled_next
                };
                found.looks_run += 1;
                let seen = next.read(base);
                found.add(seen.texts);
                let f = full_side as f32 / next_side.max(1) as f32;
                left.extend(seen.unread.iter().map(|b| b.map(|v| v * f)));
                areas.extend(seen.areas.iter().map(|b| b.map(|v| v * f)));
            }
        }
        // Patterns inside a code read by any look are explained.
        left.retain(|b| {
            let centre = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
            !areas.iter().any(|a| {
                centre.0 >= a[0] && centre.1 >= a[1] && centre.0 <= a[2] && centre.1 <= a[3]
            })
        });
        unread = left;
    }
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
        Prep::Inverted => {
            let mut inverted = img.clone();
            imageops::invert(&mut inverted);
            Cow::Owned(inverted)
        }
        Prep::Smoothed(tenths) => Cow::Owned(crate::pixels::blur(img, f32::from(tenths) / 10.0)),
        Prep::SquaredSharpened(tenths) => Cow::Owned(crate::pixels::unsharpen(
            &squared(img),
            f32::from(tenths) / 10.0,
            8,
        )),
    }
}

/// Every grey level p as p² / 255.
fn squared(img: &GrayImage) -> GrayImage {
    let table: [u8; 256] = std::array::from_fn(|p| ((p * p + 127) / 255) as u8);
    let mut out = img.clone();
    for p in out.iter_mut() {
        *p = table[usize::from(*p)];
    }
    out
}

fn bitmap(img: &GrayImage) -> Option<BinaryBitmap<HybridBinarizer<Luma8Source<'_>>>> {
    let source = Luma8Source::new_with_slice(img.as_raw(), img.width(), img.height()).ok()?;
    Some(BinaryBitmap::new(HybridBinarizer::new(source)))
}

/// What `rxing::qrcode::cpp_port::QrReader` does for several codes (QR only), and in addition
/// whether a candidate triple of finder patterns was left that lies wholly outside the codes
/// read (a pattern seen twice a little apart, or an alignment pattern, does not count).
fn zxing_read(img: &GrayImage) -> Seen {
    let fast = crate::pixels::binarize(img);
    let fallback = match fast {
        Some(_) => None,
        None => bitmap(img),
    };
    let matrix = match (&fast, &fallback) {
        (Some(m), _) => m,
        (None, Some(b)) => b.get_black_matrix(),
        (None, None) => return Seen::default(),
    };
    let mut patterns = crate::finder::find_finder_patterns(matrix);
    let mut used = Vec::new();
    let mut unread = Vec::new();
    let mut texts = Vec::new();
    // Each code read, as the box around its corners, a little enlarged.
    let mut areas: Vec<[f32; 4]> = Vec::new();
    for set in GenerateFinderPatternSets(&mut patterns) {
        let [bl, tl, tr] = [set.bl, set.tl, set.tr];
        if used.contains(&bl) || used.contains(&tl) || used.contains(&tr) {
            continue;
        }
        let read = SampleQR(matrix, &set).ok().and_then(|detected| {
            let decoded = Decode(detected.getBits()).ok()?;
            decoded.isValid().then(|| {
                let points = detected.getPoints();
                let text =
                    RXingResult::with_decoder_result(decoded, points, BarcodeFormat::QR_CODE)
                        .getText()
                        .to_owned();
                (text, area(points))
            })
        });
        match read {
            Some((text, area)) => {
                used.extend([bl, tl, tr]);
                areas.extend(area);
                texts.push(text);
            }
            None => unread.push([bl.p, tl.p, tr.p]),
        }
    }
    let inside = |p: &rxing::Point| {
        areas
            .iter()
            .any(|a| p.x >= a[0] && p.y >= a[1] && p.x <= a[2] && p.y <= a[3])
    };
    let unread = unread
        .iter()
        .filter(|set| !set.iter().any(inside))
        .filter_map(|[bl, tl, tr]| {
            // A square code's fourth corner lies opposite its top-left pattern.
            let fourth = rxing::Point::new(tr.x + bl.x - tl.x, tr.y + bl.y - tl.y);
            area_exact(&[*bl, *tl, *tr, fourth])
        })
        .collect();
    Seen {
        texts,
        unread,
        areas,
    }
}

/// Where to look again for the codes behind unread finder patterns (`unread`, in pixels of an
/// image whose longest side is `from_side`): the boxes in the pixels of `luma`, widened to take
/// in the code around the patterns' centres and its quiet zone. `None` when the boxes are too
/// many or too large for a partial look to be worth it (then the whole image is looked at).
fn regions(luma: &GrayImage, from_side: u32, unread: &[[f32; 4]]) -> Option<Vec<[u32; 4]>> {
    let (w, h) = luma.dimensions();
    if unread.len() > MAX_REGIONS {
        return None;
    }
    let f = w.max(h) as f32 / from_side.max(1) as f32;
    let mut out = Vec::new();
    let mut pixels = 0u64;
    for b in unread {
        let [x0, y0, x1, y1] = b.map(|v| v * f);
        // The centres are 3.5 modules in from the code's edges, and the code spans at least
        // 14 modules between them: 3.5 more modules and a 4-module quiet zone is at most 0.54
        // of that span.
        let margin = 0.6 * (x1 - x0).max(y1 - y0) + 8.0;
        let clamp = |v: f32, max: u32| v.clamp(0.0, max as f32) as u32;
        let r = [
            clamp(x0 - margin, w),
            clamp(y0 - margin, h),
            clamp(x1 + margin, w),
            clamp(y1 + margin, h),
        ];
        if r[2] > r[0] && r[3] > r[1] {
            pixels += u64::from(r[2] - r[0]) * u64::from(r[3] - r[1]);
            out.push(r);
        }
    }
    (pixels * 2 <= u64::from(w) * u64::from(h)).then_some(out)
}

/// The box around `points`, enlarged by a tenth of its size on each side.
fn area(points: &[rxing::Point]) -> Option<[f32; 4]> {
    let a = area_exact(points)?;
    let (mx, my) = ((a[2] - a[0]) / 10.0, (a[3] - a[1]) / 10.0);
    Some([a[0] - mx, a[1] - my, a[2] + mx, a[3] + my])
}

/// The box around `points`.
fn area_exact(points: &[rxing::Point]) -> Option<[f32; 4]> {
    let first = points.first()?;
    let mut a = [first.x, first.y, first.x, first.y];
    for p in points {
        a = [a[0].min(p.x), a[1].min(p.y), a[2].max(p.x), a[3].max(p.y)];
    }
    Some(a)
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
    let side = look.side_for(full_side);
    let seen = if side == full_side {
        look.read(luma)
    } else {
        look.read(&resize_to(luma, side))
    };
    Some(seen.texts)
}

#[cfg(test)]
mod region_tests {
    use super::*;

    #[test]
    fn unread_patterns_are_looked_at_again_where_they_are() {
        let luma = GrayImage::new(1600, 1200);
        // A triple's box as a look at 800 px (half scale) saw it: 100 px of centres there is
        // 200 px here, widened by 0.6 of that and 8 px on each side.
        let half = regions(&luma, 800, &[[100.0, 100.0, 200.0, 200.0]]).unwrap();
        assert_eq!(half, vec![[72, 72, 528, 528]]);
        // At the image's edge the box is cut to the image.
        let edge = regions_at(&luma, [1500.0, 1100.0, 1590.0, 1190.0]);
        assert_eq!(edge, vec![[1438, 1038, 1600, 1200]]);
        // Places that would cover half the image or more: the whole image is looked at.
        assert_eq!(regions(&luma, 1600, &[[0.0, 0.0, 1000.0, 1000.0]]), None);
        // So it is with more than a few of them.
        let many = vec![[10.0, 10.0, 20.0, 20.0]; MAX_REGIONS + 1];
        assert_eq!(regions(&luma, 1600, &many), None);
    }

    fn regions_at(luma: &GrayImage, b: [f32; 4]) -> Vec<[u32; 4]> {
        regions(luma, luma.width().max(luma.height()), &[b]).unwrap()
    }
}
