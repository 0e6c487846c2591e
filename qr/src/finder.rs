//! zxing-cpp's search for QR finder patterns (rxing's `qrcode::cpp_port::detector::
//! FindFinderPatterns` with `tryHarder`), with each scanned row's runs of black and white found
//! a word of bits at a time instead of a pixel at a time (a third of the first look's time on a
//! 2-MP photo went to that). The patterns found are the same (see the tests).

use rxing::common::cpp_essentials::ConcentricPattern;
use rxing::common::cpp_essentials::{
    FindLeftGuardBy, FixedPattern, IsPattern, LocateConcentricPattern, PatternType, PatternView,
};
use rxing::common::BitMatrix;
use rxing::Point;

const LEN: usize = 5;
const SUM: usize = 7;
const PATTERN: FixedPattern<LEN, SUM, false> = FixedPattern::new([1, 1, 3, 1, 1]);
const E2E: bool = true;

/// Every third row, as zxing-cpp scans when trying harder.
const SKIP: u32 = 3;

/// rxing's `FindPattern` for the QR finder pattern (1:1:3:1:1), with no minimum module size.
fn find_pattern(view: PatternView<'_>) -> Option<PatternView<'_>> {
    FindLeftGuardBy::<LEN, _>(view, LEN, |view: &PatternView, space: Option<f32>| {
        if (view[2] as i32) < 3
            || view[2] < 2 as PatternType * std::cmp::max(view[0], view[4])
            || view[2] < std::cmp::max(view[1], view[3])
        {
            return false;
        }
        IsPattern::<E2E, LEN, SUM, false>(view, &PATTERN, space, 0.1, 0.0, 0.0) != 0.0
    })
    .ok()
}

/// The finder patterns in `image`, as `FindFinderPatterns(image, true, 0)` finds them.
pub(crate) fn find_finder_patterns(image: &BitMatrix) -> Vec<ConcentricPattern> {
    let height = image.getHeight();
    let width = image.getWidth() as usize;
    let mut res: Vec<ConcentricPattern> = Vec::new();
    let mut runs = Vec::new();
    let mut y = SKIP - 1;
    while y < height {
        run_lengths(image.getRow(y).getBitArray(), width, &mut runs);
        let mut next = PatternView::from_slice(&runs);
        while let Some(found) = find_pattern(next).filter(PatternView::isValid) {
            next = found;
            let p = Point::new(
                next.pixelsInFront() as f32
                    + next[0_usize] as f32
                    + next[1_usize] as f32
                    + next[2_usize] as f32 / 2.0,
                y as f32 + 0.5,
            );
            // Not inside a pattern already found.
            if !res
                .iter()
                .any(|old| Point::distance(p, old.p) < (old.size as f32) / 2.0)
            {
                let range = next.iter().sum::<u16>() as i32 * 3; // 3 for very skewed samples
                if let Some(pattern) =
                    LocateConcentricPattern::<E2E, LEN, SUM>(image, &PATTERN.into(), p, range)
                {
                    res.push(pattern);
                }
            }
            next.skipPair();
            next.skipPair();
            next.extend();
        }
        y += SKIP;
    }
    res
}

/// The runs of a row of `width` bits (bit `i` of the row is bit `i % W` of word `i / W`, set
/// for black) as rxing's `PatternRow` has them: white first (0 long if the row starts black),
/// then alternately black and white, and a last 0 if the row ends black.
fn run_lengths(words: &[usize], width: usize, runs: &mut Vec<PatternType>) {
    const W: usize = usize::BITS as usize;
    runs.clear();
    if width == 0 {
        return;
    }
    let mut last = 0usize; // where the current run began
    let mut carry = 0usize; // the previous bit (0: white before the row)
    let mut black = false;
    for (k, &word) in words.iter().enumerate().take(width.div_ceil(W)) {
        let base = k * W;
        // A set bit where a pixel differs from the one before it.
        let mut changes = word ^ ((word << 1) | carry);
        carry = word >> (W - 1);
        if base + W > width {
            // Ignore the bits past the row's end.
            changes &= (1usize << (width - base)) - 1;
        }
        while changes != 0 {
            let at = base + changes.trailing_zeros() as usize;
            runs.push((at - last) as PatternType);
            last = at;
            black = !black;
            changes &= changes - 1;
        }
    }
    runs.push((width - last) as PatternType);
    if black {
        runs.push(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rxing::common::cpp_essentials::{GetPatternRowTP, PatternRow};
    use rxing::qrcode::cpp_port::detector::FindFinderPatterns;

    /// A pseudo-random bit matrix with runs of every length, or one of QR-like blocks.
    fn matrix(w: u32, h: u32, seed: u32, blocky: bool) -> BitMatrix {
        let mut m = BitMatrix::new(w, h).expect("matrix");
        let mut state = seed | 1;
        for y in 0..h {
            let mut x = 0;
            let mut black = state.is_multiple_of(3);
            while x < w {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                let len = if blocky {
                    1 + state % 9
                } else {
                    1 + state % 70
                };
                for i in x..(x + len).min(w) {
                    if black {
                        m.set(i, y);
                    }
                }
                x += len;
                black = !black;
            }
        }
        m
    }

    #[test]
    fn runs_are_those_rxing_finds() {
        for (w, seed) in [
            (1, 1),
            (7, 2),
            (63, 3),
            (64, 4),
            (65, 5),
            (128, 6),
            (333, 7),
        ] {
            let m = matrix(w, 12, seed, false);
            for y in 0..12 {
                let mut theirs = PatternRow::default();
                GetPatternRowTP(&m, y, &mut theirs, false);
                let mut ours = Vec::new();
                run_lengths(m.getRow(y).getBitArray(), w as usize, &mut ours);
                let theirs: Vec<PatternType> = (0..theirs.len()).map(|i| theirs[i]).collect();
                assert_eq!(ours, theirs, "{w} wide, row {y}");
            }
        }
        // All white, all black.
        let mut m = BitMatrix::new(70, 2).expect("matrix");
        for x in 0..70 {
            m.set(x, 1);
        }
        let mut ours = Vec::new();
        run_lengths(m.getRow(0).getBitArray(), 70, &mut ours);
        assert_eq!(ours, vec![70]);
        run_lengths(m.getRow(1).getBitArray(), 70, &mut ours);
        assert_eq!(ours, vec![0, 70, 0]);
    }

    #[test]
    fn patterns_are_those_rxing_finds() {
        // Codes of several sizes on a noisy ground, and noise alone.
        for (size, module) in [(21, 3), (25, 5), (33, 2), (41, 4)] {
            let code =
                qrcode::QrCode::new(format!("FINDER {size} {module}").as_bytes()).expect("code");
            let img = code
                .render::<image::Luma<u8>>()
                .module_dimensions(module, module)
                .build();
            let mut canvas = image::GrayImage::from_pixel(
                img.width() + 150,
                img.height() + 90,
                image::Luma([200]),
            );
            image::imageops::replace(&mut canvas, &img, 61, 37);
            let m = crate::pixels::binarize(&canvas).expect("binarizes");
            let ours = find_finder_patterns(&m);
            assert!(ours.len() >= 3, "{size}: {}", ours.len());
            assert_eq!(ours, FindFinderPatterns(&m, true, 0), "{size}×{module}");
        }
        for seed in 1..4 {
            let m = matrix(301, 211, seed, true);
            assert_eq!(find_finder_patterns(&m), FindFinderPatterns(&m, true, 0));
        }
    }
}
