//! Decompression bombs and oversized inputs, made on the spot for the memory tests.
//!
//! Shared by `sonod-qr`'s tests and example, `sonod-scan`'s and the verifier's tests
//! (included with `#[path]`); it needs only `flate2`. Every bomb is a well-formed file of its
//! kind: what makes it a bomb is how far a small part of it expands.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use flate2::write::ZlibEncoder;
use flate2::Compression;

/// One GiB.
pub const GIB: u64 = 1 << 30;

/// A zlib stream of `n` copies of `byte`, made once per process and shared (about 1/1000 of
/// `n`; the deflate format cannot shrink anything further than about 1032:1).
pub fn zlib_of(byte: u8, n: u64) -> Arc<Vec<u8>> {
    type Made = Mutex<HashMap<(u8, u64), Arc<Vec<u8>>>>;
    static MADE: OnceLock<Made> = OnceLock::new();
    let made = MADE.get_or_init(Default::default);
    let mut made = made
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    made.entry((byte, n))
        .or_insert_with(|| {
            let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
            let block = vec![byte; 1 << 20];
            let mut left = n;
            while left > 0 {
                let take = left.min(block.len() as u64) as usize;
                z.write_all(&block[..take]).expect("in memory");
                left -= take as u64;
            }
            Arc::new(z.finish().expect("in memory"))
        })
        .clone()
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
    z.write_all(data).expect("in memory");
    z.finish().expect("in memory")
}

// ---------------------------------------------------------------------------------------
// PNG

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = flate2::Crc::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_be_bytes());
}

/// A PNG: the IHDR for `w`×`h` at `depth` bits of `colour` type, then `extra` chunks, then one
/// IDAT holding `idat` (a zlib stream), then IEND.
pub fn png_with(
    w: u32,
    h: u32,
    depth: u8,
    colour: u8,
    extra: &[(&[u8; 4], &[u8])],
    idat: &[u8],
) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[depth, colour, 0, 0, 0]);
    png_chunk(&mut out, b"IHDR", &ihdr);
    for (kind, data) in extra {
        png_chunk(&mut out, kind, data);
    }
    png_chunk(&mut out, b"IDAT", idat);
    png_chunk(&mut out, b"IEND", b"");
    out
}

/// A white 64×64 grey PNG's pixel data (each row: filter byte 0, then the pixels).
fn white_rows() -> Vec<u8> {
    let mut raw = Vec::new();
    for _ in 0..64 {
        raw.push(0);
        raw.extend_from_slice(&[255; 64]);
    }
    zlib(&raw)
}

/// A 64×64 PNG whose colour profile (iCCP) inflates to `inflated` bytes.
pub fn png_iccp(inflated: u64) -> Vec<u8> {
    let mut iccp = b"bomb\0\0".to_vec();
    iccp.extend_from_slice(&zlib_of(0, inflated));
    png_with(64, 64, 8, 0, &[(b"iCCP", &iccp)], &white_rows())
}

/// A 64×64 PNG with a compressed text chunk (zTXt) that inflates to `inflated` bytes.
pub fn png_ztxt(inflated: u64) -> Vec<u8> {
    let mut ztxt = b"Comment\0\0".to_vec();
    ztxt.extend_from_slice(&zlib_of(b' ', inflated));
    png_with(64, 64, 8, 0, &[(b"zTXt", &ztxt)], &white_rows())
}

/// A 64×64 PNG with a compressed international text chunk (iTXt) of `inflated` bytes.
pub fn png_itxt(inflated: u64) -> Vec<u8> {
    let mut itxt = b"Comment\0\x01\0en\0\0".to_vec();
    itxt.extend_from_slice(&zlib_of(b' ', inflated));
    png_with(64, 64, 8, 0, &[(b"iTXt", &itxt)], &white_rows())
}

/// A 64×64 PNG whose image data (IDAT) inflates to `inflated` bytes, far past the 4,160 its
/// size needs.
pub fn png_idat_overflow(inflated: u64) -> Vec<u8> {
    png_with(64, 64, 8, 0, &[], &zlib_of(0, inflated))
}

/// A `w`×`h` PNG at 16 bits a channel, RGBA (8 bytes a pixel, the most PNG has), all of its
/// pixels in a stream of zeros a thousandth their size.
pub fn png_rgba16(w: u32, h: u32) -> Vec<u8> {
    let raw = u64::from(h) * (1 + u64::from(w) * 8);
    png_with(w, h, 16, 6, &[], &zlib_of(0, raw))
}

/// A PNG header claiming `w`×`h` grey pixels, with a few bytes of data.
pub fn png_declared(w: u32, h: u32) -> Vec<u8> {
    png_with(w, h, 8, 0, &[], &zlib(&[0; 64]))
}

// ---------------------------------------------------------------------------------------
// JPEG

/// A small grey baseline JPEG of `w`×`h` (the smallest valid body the markers go in front of).
pub fn jpeg_plain(w: u16, h: u16) -> Vec<u8> {
    // A hand-made baseline JPEG: one grey component, one 8×8 block per MCU, every block's DC
    // difference 0 and no AC coefficients (code "00" then EOB "1010" in the standard tables).
    let mut out = vec![0xFF, 0xD8];
    // DQT: table 0, all ones.
    out.extend_from_slice(&[0xFF, 0xDB, 0x00, 0x43, 0x00]);
    out.extend_from_slice(&[1; 64]);
    // SOF0: 8 bits, h, w, 1 component (id 1, 1×1 sampling, table 0).
    out.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x0B, 0x08]);
    out.extend_from_slice(&h.to_be_bytes());
    out.extend_from_slice(&w.to_be_bytes());
    out.extend_from_slice(&[0x01, 0x01, 0x11, 0x00]);
    // DHT: the standard luminance DC table (class 0, id 0) and AC table (class 1, id 0).
    let dc_counts = [0u8, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
    let dc_values: Vec<u8> = (0..12).collect();
    dht(&mut out, 0x00, &dc_counts, &dc_values);
    let ac_counts = [0u8, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d];
    dht(&mut out, 0x10, &ac_counts, &STD_AC_LUMINANCE);
    // SOS: 1 component, tables 0/0, spectral 0..63, approximation 0.
    out.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00]);
    // Each block: DC category 0 = "00", then EOB = "1010": 6 bits a block.
    let blocks = u64::from(w.div_ceil(8)) * u64::from(h.div_ceil(8));
    let mut bits = BitWriter::default();
    for _ in 0..blocks {
        bits.put(0b00_1010, 6);
    }
    out.extend_from_slice(&bits.finish());
    out.extend_from_slice(&[0xFF, 0xD9]);
    out
}

fn dht(out: &mut Vec<u8>, class_id: u8, counts: &[u8; 16], values: &[u8]) {
    let len = 2 + 1 + 16 + values.len();
    out.extend_from_slice(&[0xFF, 0xC4]);
    out.extend_from_slice(&(len as u16).to_be_bytes());
    out.push(class_id);
    out.extend_from_slice(counts);
    out.extend_from_slice(values);
}

#[derive(Default)]
struct BitWriter {
    out: Vec<u8>,
    acc: u32,
    n: u32,
}

impl BitWriter {
    fn put(&mut self, value: u32, bits: u32) {
        self.acc = (self.acc << bits) | value;
        self.n += bits;
        while self.n >= 8 {
            let b = (self.acc >> (self.n - 8)) as u8;
            self.out.push(b);
            if b == 0xFF {
                self.out.push(0);
            }
            self.n -= 8;
        }
        self.acc &= (1 << self.n) - 1;
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            let pad = 8 - self.n;
            self.put((1 << pad) - 1, pad);
        }
        self.out
    }
}

/// The standard luminance AC table's values (ITU T.81, table K.5).
const STD_AC_LUMINANCE: [u8; 162] = [
    0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07,
    0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0,
    0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28,
    0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
    0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
    0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
    0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
    0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5,
    0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2,
    0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
    0xf9, 0xfa,
];

/// A 64×64 JPEG with `count` APP markers of the largest size (64 KiB each) in front of its
/// frame: ICC profile pieces, EXIF blocks and extended XMP, in turn.
pub fn jpeg_app_markers(count: usize) -> Vec<u8> {
    let body = jpeg_plain(64, 64);
    let mut out = body[..2].to_vec();
    let payload = 65_533usize;
    for i in 0..count {
        let (marker, head): (u8, Vec<u8>) = match i % 3 {
            0 => (0xE2, {
                let mut h = b"ICC_PROFILE\0".to_vec();
                h.extend_from_slice(&[(i % 255) as u8 + 1, 255]);
                h
            }),
            1 => (0xE1, b"Exif\0\0".to_vec()),
            _ => (0xE1, {
                let mut h = b"http://ns.adobe.com/xmp/extension/\0".to_vec();
                h.extend_from_slice(&[b'0'; 32]);
                h.extend_from_slice(&u32::MAX.to_be_bytes());
                h.extend_from_slice(&((i as u32) * 65_000).to_be_bytes());
                h
            }),
        };
        out.extend_from_slice(&[0xFF, marker]);
        out.extend_from_slice(&((payload + 2) as u16).to_be_bytes());
        out.extend_from_slice(&head);
        out.resize(out.len() + payload - head.len(), b'x');
    }
    out.extend_from_slice(&body[2..]);
    out
}

/// A JPEG frame header claiming `w`×`h` grey pixels, with the data of a 64×64 one.
pub fn jpeg_declared(w: u16, h: u16) -> Vec<u8> {
    let mut out = jpeg_plain(64, 64);
    // SOF0 follows SOI (2) and the DQT (69 bytes): its height and width start 5 bytes in.
    let sof = 2 + 69;
    assert_eq!(&out[sof..sof + 2], &[0xFF, 0xC0]);
    out[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
    out[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
    out
}

// ---------------------------------------------------------------------------------------
// TIFF

/// A 64×64 grey TIFF whose one Deflate-compressed strip inflates to `inflated` bytes.
pub fn tiff_strip(inflated: u64) -> Vec<u8> {
    tiff(64, 64, 1, &zlib_of(0, inflated))
}

/// A `w`×`h` TIFF with 8-bit RGBA pixels (4 bytes each), all zero, in one Deflate strip.
pub fn tiff_rgba(w: u32, h: u32) -> Vec<u8> {
    tiff(w, h, 4, &zlib_of(0, u64::from(w) * u64::from(h) * 4))
}

/// A `w`×`h` TIFF of `samples` 8-bit samples a pixel (1 grey, 4 RGBA) in one Deflate strip.
fn tiff(w: u32, h: u32, samples: u16, strip: &[u8]) -> Vec<u8> {
    let mut out = b"II*\0".to_vec();
    out.extend_from_slice(&8u32.to_le_bytes());
    let rgba = samples == 4;
    let mut entries: Vec<(u16, u16, u32)> = vec![
        (256, 4, w),                        // ImageWidth
        (257, 4, h),                        // ImageLength
        (258, 3, 8),                        // BitsPerSample (8 for each sample)
        (259, 3, 8),                        // Compression: Deflate
        (262, 3, if rgba { 2 } else { 1 }), // Photometric: RGB, or black is zero
        (273, 4, 0),                        // StripOffsets (filled below)
        (277, 3, u32::from(samples)),       // SamplesPerPixel
        (278, 4, h),                        // RowsPerStrip
        (279, 4, strip.len() as u32),       // StripByteCounts
    ];
    if rgba {
        entries.push((338, 3, 2)); // ExtraSamples: unassociated alpha
    }
    let ifd_len = 2 + entries.len() * 12 + 4;
    let data_at = (8 + ifd_len) as u32;
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for (tag, kind, value) in entries {
        let value = if tag == 273 { data_at } else { value };
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&1u32.to_le_bytes());
        if kind == 3 {
            out.extend_from_slice(&(value as u16).to_le_bytes());
            out.extend_from_slice(&[0, 0]);
        } else {
            out.extend_from_slice(&value.to_le_bytes());
        }
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(strip);
    out
}

// ---------------------------------------------------------------------------------------
// PDF

/// A PDF of the given objects (numbered from 1; the first is the catalogue), with its
/// cross-reference table.
pub fn pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A stream object: `dict` (without /Length, which is added) and its bytes.
pub fn pdf_stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut o = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    o.extend_from_slice(data);
    o.extend_from_slice(b"\nendstream");
    o
}

/// A one-page A4 PDF: the page's content stream `content` and its resources.
pub fn pdf_page(content: Vec<u8>, resources: &str, more: &[Vec<u8>]) -> Vec<u8> {
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << {resources} >> >>"
        )
        .into_bytes(),
        content,
    ];
    objects.extend_from_slice(more);
    pdf(&objects)
}

/// A one-page PDF whose content stream inflates to `inflated` bytes (of spaces).
pub fn pdf_content_bomb(inflated: u64) -> Vec<u8> {
    pdf_page(
        pdf_stream("/Filter /FlateDecode", &zlib_of(b' ', inflated)),
        "",
        &[],
    )
}

/// A one-page PDF whose content stream is compressed twice ([/FlateDecode /FlateDecode]):
/// a few kilobytes that inflate to `inflated` bytes.
pub fn pdf_double_flate(inflated: u64) -> Vec<u8> {
    let once = zlib_of(b' ', inflated);
    pdf_page(
        pdf_stream("/Filter [/FlateDecode /FlateDecode]", &zlib(&once)),
        "",
        &[],
    )
}

/// A one-page PDF drawing one `side`×`side` grey image, its pixels a Flate stream of zeros.
pub fn pdf_image_bomb(side: u32) -> Vec<u8> {
    let pixels = u64::from(side) * u64::from(side);
    let content = b"q 500 0 0 500 40 40 cm /Im0 Do Q".to_vec();
    pdf_page(
        pdf_stream("", &content),
        "/XObject << /Im0 5 0 R >>",
        &[pdf_stream(
            &format!(
                "/Type /XObject /Subtype /Image /Width {side} /Height {side} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode"
            ),
            &zlib_of(0, pixels),
        )],
    )
}

/// A one-page PDF drawing one `w`×`h` RGB image (zeros), as a colour scan would.
pub fn pdf_rgb_image(w: u32, h: u32) -> Vec<u8> {
    let bytes = u64::from(w) * u64::from(h) * 3;
    let content = b"q 595 0 0 842 0 0 cm /Im0 Do Q".to_vec();
    pdf_page(
        pdf_stream("", &content),
        "/XObject << /Im0 5 0 R >>",
        &[pdf_stream(
            &format!(
                "/Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode"
            ),
            &zlib_of(0, bytes),
        )],
    )
}

/// A one-page PDF drawing `n` different `side`×`side` grey images (zeros), each across the
/// whole page: every image within the bounds, all of them together at the file's.
pub fn pdf_many_images(n: usize, side: u32) -> Vec<u8> {
    let pixels = u64::from(side) * u64::from(side);
    let mut content = String::new();
    let mut names = String::new();
    let mut more = Vec::new();
    for i in 0..n {
        content.push_str(&format!("q 595 0 0 842 0 0 cm /Im{i} Do Q\n"));
        names.push_str(&format!("/Im{i} {} 0 R ", 5 + i));
        more.push(pdf_stream(
            &format!(
                "/Type /XObject /Subtype /Image /Width {side} /Height {side} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode"
            ),
            &zlib_of(i as u8, pixels),
        ));
    }
    pdf_page(
        pdf_stream("", content.as_bytes()),
        &format!("/XObject << {names}>>"),
        &more,
    )
}

/// A one-page PDF with an inline image (BI … ID … EI) of `side`×`side` grey pixels.
pub fn pdf_inline_image_bomb(side: u32) -> Vec<u8> {
    let pixels = u64::from(side) * u64::from(side);
    let mut content = format!(
        "q 500 0 0 500 40 40 cm BI /W {side} /H {side} /CS /G /BPC 8 /F /Fl /L {} ID\n",
        zlib_of(0, pixels).len()
    )
    .into_bytes();
    content.extend_from_slice(&zlib_of(0, pixels));
    content.extend_from_slice(b"\nEI Q");
    pdf_page(pdf_stream("", &content), "", &[])
}

/// A one-page PDF of `depth` form XObjects drawn one inside the next, each a transparency
/// group, and with `soft_masks` each drawn through a luminosity soft mask too: the renderer
/// keeps a layer (and a mask) for every level it is inside.
pub fn pdf_nested_groups(depth: usize, soft_masks: bool) -> Vec<u8> {
    let first = 5;
    let mask = first + depth;
    let mut more = Vec::new();
    for i in 0..depth {
        let next = first + i + 1;
        let (content, xobjects) = if i + 1 == depth {
            ("0 0 0 rg 100 100 200 200 re f".to_owned(), String::new())
        } else if soft_masks {
            (
                "/G gs /X Do".to_owned(),
                format!("/XObject << /X {next} 0 R >>"),
            )
        } else {
            ("/X Do".to_owned(), format!("/XObject << /X {next} 0 R >>"))
        };
        let gs = if soft_masks {
            format!("/ExtGState << /G << /ca 0.9 /SMask << /S /Luminosity /G {mask} 0 R >> >> >>")
        } else {
            String::new()
        };
        more.push(pdf_stream(
            &format!(
                "/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Group << /S /Transparency >> /Resources << {xobjects} {gs} >>"
            ),
            content.as_bytes(),
        ));
    }
    more.push(pdf_stream(
        "/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Group << /S /Transparency /CS /DeviceGray >>",
        b"0.8 g 0 0 595 842 re f",
    ));
    pdf_page(
        pdf_stream("", b"/X Do"),
        &format!("/XObject << /X {first} 0 R >>"),
        &more,
    )
}

/// A one-page PDF drawing an image whose dictionary says 100×100 but whose JPEG (DCTDecode)
/// data claims `w`×`h`.
pub fn pdf_dct_declared(w: u16, h: u16) -> Vec<u8> {
    let content = b"q 500 0 0 500 40 40 cm /Im0 Do Q".to_vec();
    pdf_page(
        pdf_stream("", &content),
        "/XObject << /Im0 5 0 R >>",
        &[pdf_stream(
            "/Type /XObject /Subtype /Image /Width 100 /Height 100 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode",
            &jpeg_declared(w, h),
        )],
    )
}

// ---------------------------------------------------------------------------------------
// The set

/// The largest inputs the default limits accept, each in the format whose decoder needs the
/// most memory for its size: what a read's memory bound must hold for.
pub fn largest(max_side: u32, max_pixels: u64) -> Vec<(String, Vec<u8>)> {
    // The widest 4:3 picture within both limits.
    let mut w = max_side.min(((max_pixels as f64 * 4.0 / 3.0).sqrt()) as u32);
    let mut h = (max_pixels / u64::from(w)).min(u64::from(max_side)) as u32;
    w -= w % 8;
    h -= h % 8;
    // A PDF image at the PDF bound (16 million pixels), in colour.
    let side = 4000.min(((max_pixels as f64).sqrt()) as u32);
    let mp = max_pixels / 1_000_000;
    vec![
        (format!("largest-{mp}mp-png-rgba16.png"), png_rgba16(w, h)),
        (format!("largest-{mp}mp-tiff-rgba.tif"), tiff_rgba(w, h)),
        (
            format!("largest-{mp}mp-jpeg.jpg"),
            jpeg_plain(w as u16, h as u16),
        ),
        (
            format!("largest-{mp}mp-pdf-rgb-image.pdf"),
            pdf_rgb_image(side, side),
        ),
    ]
}

/// Every bomb by name, each as the attack reported it or larger: `(file name, bytes)`.
/// `big` chooses the sizes of the report (gigabytes); otherwise a quarter of them, for quick
/// runs.
pub fn all(big: bool) -> Vec<(String, Vec<u8>)> {
    let g = if big { 2 * GIB } else { GIB / 2 };
    let set: Vec<(&str, Vec<u8>)> = vec![
        ("png-iccp.png", png_iccp(g)),
        ("png-ztxt.png", png_ztxt(g)),
        ("png-itxt.png", png_itxt(g)),
        ("png-idat-overflow.png", png_idat_overflow(g)),
        ("png-rgba16-48mp.png", png_rgba16(8000, 6000)),
        ("png-declared-60000.png", png_declared(60_000, 60_000)),
        ("jpeg-app-markers.jpg", jpeg_app_markers(120)),
        ("jpeg-declared-65000.jpg", jpeg_declared(65_000, 65_000)),
        ("tiff-strip.tif", tiff_strip(g)),
        (
            "pdf-content-1g.pdf",
            pdf_content_bomb(if big { GIB } else { GIB / 4 }),
        ),
        ("pdf-double-flate.pdf", pdf_double_flate(g)),
        (
            "pdf-image-40000.pdf",
            pdf_image_bomb(if big { 40_000 } else { 20_000 }),
        ),
        (
            "pdf-inline-image.pdf",
            pdf_inline_image_bomb(if big { 40_000 } else { 20_000 }),
        ),
        ("pdf-dct-declared.pdf", pdf_dct_declared(60_000, 60_000)),
        ("pdf-nested-groups.pdf", pdf_nested_groups(500, false)),
        ("pdf-nested-soft-masks.pdf", pdf_nested_groups(100, true)),
        ("pdf-many-images.pdf", pdf_many_images(8, 4000)),
    ];
    set.into_iter().map(|(n, b)| (n.to_owned(), b)).collect()
}
