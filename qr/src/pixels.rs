//! The pixel work of the looks, on grey bytes in fixed point: enlarging (bilinear) and
//! unsharp masking (separable Gaussian). `image::imageops` does both in `f32` through its
//! generic pixel types, which for a 2-megapixel photo took 290 ms to enlarge 1.5× and 20 ms to
//! sharpen; these take a few milliseconds and give the same pixels to within one grey level.
//! And ZXing's local-average binarizer, bit for bit, a row at a time.

use image::GrayImage;
use rxing::common::{BitArray, BitMatrix};

/// `img` enlarged (or reduced a little) to `nw` × `nh` by bilinear interpolation, pixel
/// centres aligned (the same as `imageops::resize` with `FilterType::Triangle` when enlarging).
pub(crate) fn resize_bilinear(img: &GrayImage, nw: u32, nh: u32) -> GrayImage {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let (nw, nh) = (nw.max(1) as usize, nh.max(1) as usize);
    if w == 0 || h == 0 {
        return GrayImage::new(nw as u32, nh as u32);
    }
    let src = img.as_raw();
    // Where each output column and row samples the source: the left (upper) neighbour and the
    // weight of the right (lower) one, in 256ths.
    let taps = |n: usize, from: usize| -> Vec<(usize, u16)> {
        (0..n)
            .map(|i| {
                let s = ((i as f64 + 0.5) * from as f64 / n as f64 - 0.5).max(0.0);
                let i0 = (s.floor() as usize).min(from - 1);
                let f = if i0 + 1 < from {
                    ((s - i0 as f64) * 256.0).round().clamp(0.0, 256.0) as u16
                } else {
                    0
                };
                (i0, f)
            })
            .collect()
    };
    let xs = taps(nw, w);
    let ys = taps(nh, h);
    // Rows enlarged across first (each source row once), then blended down.
    let mut across = vec![0u8; h * nw];
    for (row, out) in src.chunks_exact(w).zip(across.chunks_exact_mut(nw)) {
        for (o, &(x0, f)) in out.iter_mut().zip(&xs) {
            let a = u16::from(row[x0]);
            let b = u16::from(row[(x0 + 1).min(w - 1)]);
            *o = ((a * (256 - f) + b * f + 128) >> 8) as u8;
        }
    }
    let mut out = vec![0u8; nw * nh];
    for (orow, &(y0, f)) in out.chunks_exact_mut(nw).zip(&ys) {
        let a = &across[y0 * nw..(y0 + 1) * nw];
        let y1 = (y0 + 1).min(h - 1);
        let b = &across[y1 * nw..(y1 + 1) * nw];
        let (fa, fb) = (256 - f, f);
        for ((o, &pa), &pb) in orow.iter_mut().zip(a).zip(b) {
            *o = ((u16::from(pa) * fa + u16::from(pb) * fb + 128) >> 8) as u8;
        }
    }
    GrayImage::from_raw(nw as u32, nh as u32, out).unwrap_or_default()
}

/// A Gaussian kernel for `sigma`, as many taps as `imageops::blur` uses, in 256ths summing
/// to exactly 256.
fn gaussian_kernel(sigma: f32) -> Vec<u16> {
    let sigma = if sigma.is_normal() && sigma > 0.0 {
        sigma
    } else {
        0.8
    };
    let mut size = ((((sigma - 0.8) / 0.3) + 1.0) * 2.0 + 1.0).max(3.0) as usize;
    if size.is_multiple_of(2) {
        size += 1;
    }
    let size = size.min(63);
    let mean = (size / 2) as f32;
    let raw: Vec<f32> = (0..size)
        .map(|x| (-0.5 * ((x as f32 - mean) / sigma).powi(2)).exp())
        .collect();
    let sum: f32 = raw.iter().sum();
    let mut k: Vec<u16> = raw
        .iter()
        .map(|v| (v / sum * 256.0).round() as u16)
        .collect();
    let total: i32 = k.iter().map(|&v| i32::from(v)).sum();
    let centre = size / 2;
    k[centre] = (i32::from(k[centre]) + 256 - total).clamp(0, 256) as u16;
    k
}

/// `img` unsharp-masked: blurred with a Gaussian of `sigma`, and every pixel that differs from
/// its blurred value by more than `threshold` pushed that far again away from it (what
/// `imageops::unsharpen` does).
pub(crate) fn unsharpen(img: &GrayImage, sigma: f32, threshold: i16) -> GrayImage {
    blur_or_unsharpen(img, sigma, Some(threshold))
}

/// `img` blurred with a Gaussian of `sigma` (a low-pass filter: against the stripes and moiré
/// of a photographed screen).
pub(crate) fn blur(img: &GrayImage, sigma: f32) -> GrayImage {
    blur_or_unsharpen(img, sigma, None)
}

fn blur_or_unsharpen(img: &GrayImage, sigma: f32, threshold: Option<i16>) -> GrayImage {
    let (w, h) = (img.width() as usize, img.height() as usize);
    if w == 0 || h == 0 {
        return img.clone();
    }
    let k = gaussian_kernel(sigma);
    let r = k.len() / 2;
    let src = img.as_raw();
    // Down the columns: each output row a weighted sum of whole source rows (edges repeated).
    let mut down = vec![0u8; w * h];
    let mut acc = vec![0u16; w];
    for (y, out) in down.chunks_exact_mut(w).enumerate() {
        acc.fill(128);
        for (i, &kw) in k.iter().enumerate() {
            let sy = (y + i).saturating_sub(r).min(h - 1);
            let row = &src[sy * w..(sy + 1) * w];
            for (a, &p) in acc.iter_mut().zip(row) {
                *a += kw * u16::from(p);
            }
        }
        for (o, &a) in out.iter_mut().zip(&acc) {
            *o = (a >> 8) as u8;
        }
    }
    // Across the rows, on a copy of each row padded with its edge pixels; then the mask.
    let mut out = vec![0u8; w * h];
    let mut padded = vec![0u8; w + 2 * r];
    for ((orig, blurred_in), out) in src
        .chunks_exact(w)
        .zip(down.chunks_exact(w))
        .zip(out.chunks_exact_mut(w))
    {
        padded[..r].fill(blurred_in[0]);
        padded[r..r + w].copy_from_slice(blurred_in);
        padded[r + w..].fill(blurred_in[w - 1]);
        acc.fill(128);
        for (i, &kw) in k.iter().enumerate() {
            for (a, &p) in acc.iter_mut().zip(&padded[i..i + w]) {
                *a += kw * u16::from(p);
            }
        }
        let Some(threshold) = threshold else {
            for (o, &a) in out.iter_mut().zip(&acc) {
                *o = (a >> 8) as u8;
            }
            continue;
        };
        for ((o, &p), &a) in out.iter_mut().zip(orig).zip(&acc) {
            let (p, b) = (i16::from(p), (a >> 8) as i16);
            let diff = p - b;
            *o = if diff.abs() > threshold {
                (p + diff).clamp(0, 255) as u8
            } else {
                p as u8
            };
        }
    }
    GrayImage::from_raw(w as u32, h as u32, out).unwrap_or_default()
}

/// The side of the binarizer's blocks, and the fewest pixels a side it works on.
const BLOCK: usize = 8;
const MIN_BINARIZED_SIDE: usize = BLOCK * 5;
/// A block whose grey levels span no more than this is taken as all light (or all dark).
const MIN_DYNAMIC_RANGE: u8 = 24;

/// For each pixel column of `rows` (`BLOCK` rows of `w` pixels): the sum, the least and the
/// greatest of its values. A strip of columns at a time, so that its running values stay in
/// registers while the rows go by.
fn column_stats(rows: &[u8], w: usize, sums: &mut [u16], mins: &mut [u8], maxs: &mut [u8]) {
    const STRIP: usize = 32;
    let strips = w / STRIP;
    for k in 0..strips {
        let x = k * STRIP;
        let mut s = [0u16; STRIP];
        let mut lo = [u8::MAX; STRIP];
        let mut hi = [0u8; STRIP];
        for row in rows.chunks_exact(w) {
            let Some(px) = row.get(x..x + STRIP) else {
                continue;
            };
            for (j, &p) in px.iter().enumerate() {
                s[j] += u16::from(p);
                lo[j] = lo[j].min(p);
                hi[j] = hi[j].max(p);
            }
        }
        sums[x..x + STRIP].copy_from_slice(&s);
        mins[x..x + STRIP].copy_from_slice(&lo);
        maxs[x..x + STRIP].copy_from_slice(&hi);
    }
    let rest = strips * STRIP;
    sums[rest..].fill(0);
    mins[rest..].fill(u8::MAX);
    maxs[rest..].fill(0);
    for row in rows.chunks_exact(w) {
        for (((s, lo), hi), &p) in sums[rest..]
            .iter_mut()
            .zip(&mut mins[rest..])
            .zip(&mut maxs[rest..])
            .zip(&row[rest..])
        {
            *s += u16::from(p);
            *lo = (*lo).min(p);
            *hi = (*hi).max(p);
        }
    }
}

/// Black and white pixels as `rxing::common::HybridBinarizer` makes them (the same bits), for
/// images of at least 40 pixels a side; `None` for smaller ones. Each 8×8 block's black point
/// is its mean (or, in a flat block, half its minimum or its neighbours' black point); a pixel is
/// black when no lighter than the mean black point of the 5×5 blocks around its block. rxing
/// does this a pixel and a bit at a time; here the block sums run down whole rows and the bits
/// are packed a word at a time, which the compiler vectorises.
pub(crate) fn binarize(img: &GrayImage) -> Option<BitMatrix> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    if w < MIN_BINARIZED_SIDE || h < MIN_BINARIZED_SIDE {
        return None;
    }
    let lum = img.as_raw();
    let (sub_w, sub_h) = (w.div_ceil(BLOCK), h.div_ceil(BLOCK));
    let (max_x, max_y) = (w - BLOCK, h - BLOCK);
    // Black points, a block at a time, in rxing's order (a flat block looks at the blocks
    // above and to its left).
    let mut black = vec![0u32; sub_w * sub_h];
    let mut sums = vec![0u16; w];
    let mut mins = vec![0u8; w];
    let mut maxs = vec![0u8; w];
    for by in 0..sub_h {
        let y0 = (by * BLOCK).min(max_y);
        column_stats(
            &lum[y0 * w..(y0 + BLOCK) * w],
            w,
            &mut sums,
            &mut mins,
            &mut maxs,
        );
        for bx in 0..sub_w {
            let x0 = (bx * BLOCK).min(max_x);
            let cols = x0..x0 + BLOCK;
            let sum: u32 = sums[cols.clone()].iter().map(|&v| u32::from(v)).sum();
            let min = mins[cols.clone()].iter().copied().min().unwrap_or(0);
            let max = maxs[cols].iter().copied().max().unwrap_or(0);
            let mut average = sum >> 6;
            if max - min <= MIN_DYNAMIC_RANGE {
                average = u32::from(min) / 2;
                if by > 0 && bx > 0 {
                    let neighbours = (black[(by - 1) * sub_w + bx]
                        + 2 * black[by * sub_w + bx - 1]
                        + black[(by - 1) * sub_w + bx - 1])
                        / 4;
                    if u32::from(min) < neighbours {
                        average = neighbours;
                    }
                }
            }
            black[by * sub_w + bx] = average;
        }
    }
    // Each block row's threshold for every pixel column; where the last block (which ends at
    // the image's edge) overlaps the one before, a pixel is black if either block says so:
    // the larger threshold.
    let mut thresholds = vec![0u8; sub_h * w];
    // The sums of the five block rows around a block row, a column at a time.
    let mut columns = vec![0u32; sub_w];
    for by in 0..sub_h {
        let top = by.clamp(2, sub_h - 3);
        columns.fill(0);
        for z in top - 2..=top + 2 {
            for (c, &b) in columns.iter_mut().zip(&black[z * sub_w..(z + 1) * sub_w]) {
                *c += b;
            }
        }
        let row = &mut thresholds[by * w..(by + 1) * w];
        for bx in 0..sub_w {
            let left = bx.clamp(2, sub_w - 3);
            let sum: u32 = columns[left - 2..=left + 2].iter().sum();
            let t = (sum / 25).min(255) as u8;
            let x0 = (bx * BLOCK).min(max_x);
            for v in &mut row[x0..x0 + BLOCK] {
                *v = (*v).max(t);
            }
        }
    }
    let mut matrix = BitMatrix::new(w as u32, h as u32).ok()?;
    let mut bits = BitArray::with_size(w);
    let mut merged = vec![0u8; w];
    let word = usize::BITS as usize;
    // Whole words of flags: the ones past the row's end stay 0 (white).
    let mut flags = vec![0u8; w.next_multiple_of(word)];
    for y in 0..h {
        let regular = y / BLOCK;
        let t: &[u8] = if regular * BLOCK <= max_y && y >= max_y && regular != sub_h - 1 {
            let a = &thresholds[regular * w..(regular + 1) * w];
            let b = &thresholds[(sub_h - 1) * w..sub_h * w];
            for ((m, &x), &y) in merged.iter_mut().zip(a).zip(b) {
                *m = x.max(y);
            }
            &merged
        } else if regular * BLOCK <= max_y {
            &thresholds[regular * w..(regular + 1) * w]
        } else {
            &thresholds[(sub_h - 1) * w..sub_h * w]
        };
        let row = &lum[y * w..(y + 1) * w];
        // One byte a pixel (1 black, 0 white), then eight bytes to eight bits at a time.
        for ((f, &p), &t) in flags.iter_mut().zip(row).zip(t) {
            *f = u8::from(p <= t);
        }
        for (i, chunk) in flags.chunks_exact(word).enumerate() {
            let mut packed = 0usize;
            for (k, eight) in chunk.chunks_exact(8).enumerate() {
                let b: [u8; 8] = eight.try_into().unwrap_or_default();
                // Byte j's low bit lands in bit 56 + j; only one bit of each product term
                // reaches the top byte, so nothing carries.
                let v = u64::from_le_bytes(b).wrapping_mul(0x0102_0408_1020_4080) >> 56;
                packed |= (v as usize) << (8 * k);
            }
            bits.setBulk(i * word, packed);
        }
        matrix.setRow(y as u32, &bits);
    }
    Some(matrix)
}

#[cfg(test)]
mod tests {
    use image::imageops::{self, FilterType};
    use image::{GrayImage, Luma};

    use super::*;

    fn test_image(w: u32, h: u32) -> GrayImage {
        let mut state = 0x1234_5678_u32;
        GrayImage::from_fn(w, h, |x, y| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            // Blocks like QR modules, with a little noise.
            let v = if ((x / 5) + (y / 7)) % 2 == 0 {
                30
            } else {
                220
            };
            Luma([(v + (state % 21) as i32 - 10) as u8])
        })
    }

    fn max_diff(a: &GrayImage, b: &GrayImage) -> (u8, f64) {
        assert_eq!(a.dimensions(), b.dimensions());
        let d: Vec<u8> = a
            .as_raw()
            .iter()
            .zip(b.as_raw())
            .map(|(&x, &y)| x.abs_diff(y))
            .collect();
        let mean = d.iter().map(|&v| f64::from(v)).sum::<f64>() / d.len() as f64;
        (d.iter().copied().max().unwrap_or(0), mean)
    }

    #[test]
    fn enlarging_matches_the_triangle_filter() {
        let img = test_image(123, 77);
        let ours = resize_bilinear(&img, 184, 115);
        let theirs = imageops::resize(&img, 184, 115, FilterType::Triangle);
        let (max, mean) = max_diff(&ours, &theirs);
        assert!(max <= 3 && mean < 0.6, "max {max} mean {mean}");
    }

    #[test]
    fn unsharp_matches_imageops() {
        let img = test_image(97, 61);
        for sigma in [1.0, 2.0] {
            let ours = unsharpen(&img, sigma, 8);
            let theirs = imageops::unsharpen(&img, sigma, 8);
            // Rounding can move a pixel across the threshold, where the mask jumps by about
            // the threshold; such pixels are rare.
            let (_, mean) = max_diff(&ours, &theirs);
            let far = ours
                .as_raw()
                .iter()
                .zip(theirs.as_raw())
                .filter(|(a, b)| a.abs_diff(**b) > 2)
                .count();
            assert!(
                mean < 0.3 && far * 100 < ours.as_raw().len(),
                "sigma {sigma}: mean {mean}, {far} pixels off by more than 2"
            );
        }
    }

    #[test]
    fn binarizing_matches_rxing() {
        use rxing::common::HybridBinarizer;
        use rxing::{Binarizer, Luma8Source};
        let mut state = 0x9e37_79b9_u32;
        // Sizes a multiple of 8 and not, with flat areas (the neighbour rule) and codes.
        for (w, h) in [
            (40, 40),
            (41, 47),
            (64, 64),
            (123, 77),
            (200, 131),
            (333, 250),
        ] {
            let img = GrayImage::from_fn(w, h, |x, y| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                let base = if x < w / 3 {
                    200 // flat light
                } else if y < h / 4 {
                    40 // flat dark
                } else if ((x / 3) + (y / 4)) % 2 == 0 {
                    60
                } else {
                    190
                };
                Luma([(base + (state % 17) as i32 - 8).clamp(0, 255) as u8])
            });
            let ours = binarize(&img).expect("large enough");
            let source = Luma8Source::new_with_slice(img.as_raw(), img.width(), img.height())
                .expect("source");
            let theirs = HybridBinarizer::new(source)
                .get_black_matrix()
                .expect("binarizes")
                .clone();
            assert_eq!(ours, theirs, "{w}×{h}");
        }
        assert!(binarize(&GrayImage::new(39, 100)).is_none());
    }

    #[test]
    fn degenerate_sizes_do_not_panic() {
        for (w, h) in [(1, 1), (1, 9), (9, 1), (2, 2)] {
            let img = test_image(w, h);
            let _ = unsharpen(&img, 2.0, 8);
            let _ = resize_bilinear(&img, w * 3 / 2 + 1, h * 3 / 2 + 1);
            let _ = resize_bilinear(&img, 1, 1);
        }
        let empty = GrayImage::new(0, 0);
        assert_eq!(unsharpen(&empty, 2.0, 8).dimensions(), (0, 0));
        assert_eq!(resize_bilinear(&empty, 3, 2).dimensions(), (3, 2));
    }
}
