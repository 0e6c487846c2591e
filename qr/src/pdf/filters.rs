//! The PDF stream filters that expand data, each run with a cap on what it may produce.
//!
//! They measure what the renderer's own filters would make of a stream, never feed it: when
//! one finds a stream damaged where the renderer's more lenient decoder might carry on (Flate,
//! LZW), the stream is refused rather than measured short.

use std::io::Read;

/// Why a filter stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// It would produce more than the cap.
    Cap,
    /// The data is damaged in a way the renderer might read past.
    Damaged,
}

/// What a filter made, and how much of its input it read to make it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decoded {
    pub out: Vec<u8>,
    pub read: usize,
}

/// FlateDecode: a zlib stream (or raw deflate data, which the renderer also accepts), at most
/// `cap` bytes of output. Reading stops at the end of the deflate data; damage found past
/// `declared` bytes of input (the stream's stated end) is taken as its end.
pub(crate) fn flate(data: &[u8], declared: usize, cap: usize) -> Result<Decoded, Stop> {
    // The renderer skips a valid zlib header and inflates what follows; so does this.
    let body = match data {
        [cmf, flg, rest @ ..]
            if cmf & 0x0f == 8
                && ((u16::from(*cmf) << 8) | u16::from(*flg)) % 31 == 0
                && flg & 0x20 == 0 =>
        {
            rest
        }
        _ => data,
    };
    let skipped = data.len() - body.len();
    let mut out = Vec::new();
    let mut inflater = flate2::bufread::DeflateDecoder::new(body);
    let mut chunk = vec![0u8; 64 << 10];
    loop {
        match inflater.read(&mut chunk) {
            Ok(0) => {
                let read = skipped + inflater.total_in() as usize;
                return Ok(Decoded { out, read });
            }
            Ok(n) => {
                if out.len() + n > cap {
                    return Err(Stop::Cap);
                }
                out.extend_from_slice(&chunk[..n]);
            }
            Err(_) => {
                let read = skipped + inflater.total_in() as usize;
                return if read >= declared {
                    Ok(Decoded { out, read })
                } else {
                    Err(Stop::Damaged)
                };
            }
        }
    }
}

/// LZWDecode (9- to 12-bit codes, 256 clears the table, 257 ends), at most `cap` bytes.
/// `early` is the EarlyChange parameter (1 unless the stream says 0).
pub(crate) fn lzw(data: &[u8], early: bool, cap: usize) -> Result<Decoded, Stop> {
    const CLEAR: u16 = 256;
    const END: u16 = 257;
    let mut prefix = vec![0u16; 4096];
    let mut last = vec![0u8; 4096];
    let mut first = vec![0u8; 4096];
    let mut len = vec![0u16; 4096];
    for c in 0..256 {
        last[c] = c as u8;
        first[c] = c as u8;
        len[c] = 1;
    }
    let mut next: usize = 258;
    let mut width = 9u32;
    let mut prev: Option<u16> = None;
    let mut out: Vec<u8> = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    let mut read = 0;
    loop {
        while bits < width {
            let Some(&b) = data.get(read) else {
                return Ok(Decoded { out, read });
            };
            read += 1;
            acc = (acc << 8) | u32::from(b);
            bits += 8;
        }
        let code = ((acc >> (bits - width)) & ((1 << width) - 1)) as u16;
        bits -= width;
        acc &= (1 << bits) - 1;
        match code {
            CLEAR => {
                next = 258;
                width = 9;
                prev = None;
                continue;
            }
            END => return Ok(Decoded { out, read }),
            _ => {}
        }
        let code = usize::from(code);
        let (entry, extra) = if code < next && !(256..258).contains(&code) {
            (code, None)
        } else if code == next {
            let Some(p) = prev else {
                return Err(Stop::Damaged);
            };
            (usize::from(p), Some(first[usize::from(p)]))
        } else {
            return Err(Stop::Damaged);
        };
        let n = usize::from(len[entry]) + usize::from(extra.is_some());
        if out.len() + n > cap {
            return Err(Stop::Cap);
        }
        let start = out.len();
        out.resize(start + n, 0);
        if let Some(x) = extra {
            out[start + n - 1] = x;
        }
        let mut at = entry;
        for i in (0..usize::from(len[entry])).rev() {
            out[start + i] = last[at];
            at = usize::from(prefix[at]);
        }
        if let Some(p) = prev {
            if next < 4096 {
                let p = usize::from(p);
                prefix[next] = p as u16;
                last[next] = out[start];
                first[next] = first[p];
                len[next] = len[p].saturating_add(1);
                next += 1;
            }
        }
        if next + usize::from(early) >= (1 << width) && width < 12 {
            width += 1;
        }
        prev = Some(code as u16);
    }
}

/// RunLengthDecode, at most `cap` bytes.
pub(crate) fn run_length(data: &[u8], cap: usize) -> Result<Decoded, Stop> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&n) = data.get(i) {
        match n {
            128 => {
                i += 1;
                break;
            }
            0..=127 => {
                let run = data
                    .get(i + 1..i + 2 + usize::from(n))
                    .unwrap_or(&data[i + 1..]);
                if out.len() + run.len() > cap {
                    return Err(Stop::Cap);
                }
                out.extend_from_slice(run);
                i += 2 + usize::from(n);
            }
            _ => {
                let Some(&b) = data.get(i + 1) else { break };
                let count = 257 - usize::from(n);
                if out.len() + count > cap {
                    return Err(Stop::Cap);
                }
                out.resize(out.len() + count, b);
                i += 2;
            }
        }
    }
    Ok(Decoded {
        out,
        read: i.min(data.len()),
    })
}

/// ASCIIHexDecode (never longer than its input).
pub(crate) fn ascii_hex(data: &[u8]) -> Decoded {
    let mut out = Vec::with_capacity(data.len() / 2);
    let mut high: Option<u8> = None;
    let mut read = data.len();
    for (i, &c) in data.iter().enumerate() {
        let v = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            b'>' => {
                read = i + 1;
                break;
            }
            _ => continue,
        };
        match high.take() {
            Some(h) => out.push((h << 4) | v),
            None => high = Some(v),
        }
    }
    if let Some(h) = high {
        out.push(h << 4);
    }
    Decoded { out, read }
}

/// ASCII85Decode, at most `cap` bytes ("z" is four zero bytes from one character).
pub(crate) fn ascii_85(data: &[u8], cap: usize) -> Result<Decoded, Stop> {
    let mut out = Vec::new();
    let mut group = [0u8; 5];
    let mut n = 0;
    let body = data.strip_prefix(b"<~").unwrap_or(data);
    let mut read = data.len();
    for (i, &c) in body.iter().enumerate() {
        match c {
            b'~' => {
                read = (data.len() - body.len() + i + 2).min(data.len());
                break;
            }
            b'z' if n == 0 => {
                if out.len() + 4 > cap {
                    return Err(Stop::Cap);
                }
                out.extend_from_slice(&[0; 4]);
            }
            b'!'..=b'u' => {
                group[n] = c - b'!';
                n += 1;
                if n == 5 {
                    if out.len() + 4 > cap {
                        return Err(Stop::Cap);
                    }
                    out.extend_from_slice(&base85(&group).to_be_bytes());
                    n = 0;
                }
            }
            _ => {}
        }
    }
    if n > 1 {
        for g in group.iter_mut().skip(n) {
            *g = 84;
        }
        out.extend_from_slice(&base85(&group).to_be_bytes()[..n - 1]);
    }
    Ok(Decoded { out, read })
}

fn base85(group: &[u8; 5]) -> u32 {
    group.iter().fold(0u32, |acc, &d| {
        acc.wrapping_mul(85).wrapping_add(u32::from(d))
    })
}

/// The width, height and number of components of a JPEG 2000 image (a bare codestream, or a
/// JP2 file around one): its SIZ marker segment.
pub(crate) fn jpx_size(data: &[u8]) -> Option<(u32, u32, u32)> {
    let at = data
        .windows(4)
        .position(|w| w == [0xFF, 0x4F, 0xFF, 0x51])?
        + 4;
    let siz = data.get(at..at + 38)?;
    let be = |i: usize| u32::from_be_bytes([siz[i], siz[i + 1], siz[i + 2], siz[i + 3]]);
    // Lsiz (2), Rsiz (2), Xsiz, Ysiz, XOsiz, YOsiz, XTsiz, YTsiz, XTOsiz, YTOsiz, Csiz (2).
    let (x, y, xo, yo) = (be(4), be(8), be(12), be(16));
    let components = u32::from(u16::from_be_bytes([siz[36], siz[37]]));
    Some((x.checked_sub(xo)?, y.checked_sub(yo)?, components))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(data).unwrap();
        z.finish().unwrap()
    }

    #[test]
    fn flate_inflates_within_the_cap() {
        let text = b"0 0 m 100 100 l S ".repeat(1000);
        let z = zlib(&text);
        assert_eq!(
            flate(&z, z.len(), 1 << 20).map(|d| (d.out, d.read)),
            Ok((text.clone(), z.len() - 4))
        );
        assert_eq!(flate(&z, z.len(), text.len() - 1), Err(Stop::Cap));
        // Raw deflate, without the zlib header, is read too.
        assert_eq!(
            flate(&z[2..], z.len() - 2, 1 << 20).map(|d| d.out),
            Ok(text.clone())
        );
        // Damage inside the stated length is refused; past it, it is the end.
        let mut damaged = z[..z.len() / 2].to_vec();
        damaged.extend_from_slice(&[0xFF; 64]);
        assert_eq!(flate(&damaged, z.len() + 64, 1 << 20), Err(Stop::Damaged));
        assert!(flate(&damaged, z.len() / 4, 1 << 20).is_ok());
    }

    /// An LZW encoder (the classic one, as TIFF and PDF writers have it), for the tests.
    fn lzw_encode(data: &[u8], early: bool) -> Vec<u8> {
        use std::collections::HashMap;
        let mut dict: HashMap<Vec<u8>, u16> = (0..=255u16).map(|c| (vec![c as u8], c)).collect();
        let mut next = 258usize;
        let mut width = 9u32;
        let (mut acc, mut bits) = (0u64, 0u32);
        let mut out = Vec::new();
        let mut put = |code: u16, width: u32, out: &mut Vec<u8>| {
            acc = (acc << width) | u64::from(code);
            bits += width;
            while bits >= 8 {
                out.push((acc >> (bits - 8)) as u8);
                bits -= 8;
            }
        };
        put(256, width, &mut out);
        let mut w: Vec<u8> = Vec::new();
        for &c in data {
            let mut wc = w.clone();
            wc.push(c);
            if dict.contains_key(&wc) {
                w = wc;
                continue;
            }
            put(dict[&w], width, &mut out);
            if next < 4096 {
                dict.insert(wc, next as u16);
                next += 1;
                if next + usize::from(early) > (1 << width) && width < 12 {
                    width += 1;
                }
            }
            w = vec![c];
        }
        if !w.is_empty() {
            put(dict[&w], width, &mut out);
            // The decoder adds an entry on reading that last code, and may widen for it.
            if next < 4096 && next + 1 + usize::from(early) > (1 << width) && width < 12 {
                width += 1;
            }
        }
        put(257, width, &mut out);
        if bits > 0 {
            out.push((acc << (8 - bits)) as u8);
        }
        out
    }

    #[test]
    fn lzw_decodes_what_an_encoder_wrote() {
        let mut text = Vec::new();
        for i in 0..3000u32 {
            text.extend_from_slice(format!("{} {} l ", i % 97, i % 13).as_bytes());
        }
        text.extend_from_slice(&[7u8; 5000]);
        for early in [true, false] {
            let code = lzw_encode(&text, early);
            let decoded = lzw(&code, early, 1 << 20).expect("decodes");
            assert_eq!(decoded.out, text, "early {early}");
            assert_eq!(decoded.read, code.len(), "early {early}");
            assert_eq!(lzw(&code, early, 1000), Err(Stop::Cap));
        }
        // A code past the table is damage.
        assert_eq!(
            lzw(&[0x80, 0x7F, 0xF0, 0x00], true, 1 << 20),
            Err(Stop::Damaged)
        );
    }

    #[test]
    fn the_small_filters_decode() {
        let rl = run_length(&[2, b'a', b'b', b'c', 254, b'x', 128, 9, 9], 100);
        assert_eq!(rl.map(|d| (d.out, d.read)), Ok((b"abcxxx".to_vec(), 7)));
        assert_eq!(run_length(&[129, 0], 128).map(|d| d.out), Ok(vec![0; 128]));
        assert_eq!(run_length(&[129, 0], 127), Err(Stop::Cap));
        let hex = ascii_hex(b"48 65 6c6C 6> junk");
        assert_eq!((hex.out, hex.read), (b"Hell\x60".to_vec(), 13));
        let a85 = ascii_85(b"<~87cURD]i,\"Ebo80~> junk", 100);
        assert_eq!(
            a85.map(|d| (d.out, d.read)),
            Ok((b"Hello World!".to_vec(), 19))
        );
        assert_eq!(ascii_85(b"zz~>", 100).map(|d| d.out), Ok(vec![0; 8]));
        assert_eq!(ascii_85(b"zz~>", 7), Err(Stop::Cap));
    }

    #[test]
    fn image_headers_are_read() {
        use crate::load::JpegFrame;
        // SOI, an APP0 segment, then SOF2: 8 bits, 300 high, 500 wide, 3 components 4:2:0.
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0, 0];
        jpeg.extend_from_slice(&[0xFF, 0xC2, 0x00, 0x11, 8, 0x01, 0x2C, 0x01, 0xF4, 3]);
        jpeg.extend_from_slice(&[1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        let frame = JpegFrame::read(&jpeg).expect("a frame");
        assert_eq!((frame.width, frame.height, frame.components), (500, 300, 3));
        assert!(frame.progressive);
        // 4:2:0: a full-size luma plane and two quarter-size chroma planes, 2 bytes a sample.
        assert_eq!(frame.coefficient_bytes(), 500 * 300 * 6 / 4 * 2);
        jpeg[9] = 0xC0;
        assert_eq!(JpegFrame::read(&jpeg).map(|f| f.progressive), Some(false));
        assert_eq!(JpegFrame::read(b"not a jpeg"), None);
        let mut j2k = vec![0xFF, 0x4F, 0xFF, 0x51, 0x00, 0x29, 0x00, 0x00];
        for v in [4000u32, 3000, 10, 20, 4000, 3000, 0, 0] {
            j2k.extend_from_slice(&v.to_be_bytes());
        }
        j2k.extend_from_slice(&[0x00, 0x03]);
        assert_eq!(jpx_size(&j2k), Some((3990, 2980, 3)));
    }
}
