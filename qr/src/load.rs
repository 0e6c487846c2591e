//! Image bytes to grey pixels, bounded before anything is decompressed.

use std::io::Cursor;

use image::{DynamicImage, GrayImage, ImageDecoder, ImageReader, Limits as ImageLimits};

use zune_core::bytestream::{ZByteIoError, ZSeekFrom};

use crate::{Limits, ReadError};

/// What kind of file the bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A PDF document; its first page is rendered.
    Pdf,
    /// A raster image in a format the `image` crate reads.
    Raster,
}

impl Format {
    /// Sniffs the format from the first bytes.
    pub fn sniff(bytes: &[u8]) -> Format {
        // A PDF may have up to 1 KiB of junk before its header (ISO 32000-1, 7.5.2).
        let head = &bytes[..bytes.len().min(1024)];
        if head.windows(5).any(|w| w == b"%PDF-") {
            Format::Pdf
        } else {
            Format::Raster
        }
    }
}

/// The image in `bytes` as grey pixels, upright (EXIF orientation applied), within `limits`.
pub fn load_luma(bytes: &[u8], limits: &Limits) -> Result<GrayImage, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(ReadError::FileTooLarge(limits.max_file_bytes));
    }
    match Format::sniff(bytes) {
        Format::Pdf if limits.pdf => pdf_first_page(bytes, limits),
        Format::Pdf => Err(ReadError::NotAnImage(
            "PDF is not accepted here, send a photo (JPEG or PNG)".into(),
        )),
        Format::Raster => raster(bytes, limits),
    }
}

fn check_size(w: u32, h: u32, limits: &Limits) -> Result<(), ReadError> {
    if w == 0 || h == 0 {
        return Err(ReadError::NotAnImage("the image has no pixels".into()));
    }
    if w > limits.max_side || h > limits.max_side || u64::from(w) * u64::from(h) > limits.max_pixels
    {
        return Err(ReadError::ImageTooLarge(w, h));
    }
    Ok(())
}

fn raster(bytes: &[u8], limits: &Limits) -> Result<GrayImage, ReadError> {
    if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        if let Some(grey) = jpeg_luma(bytes, limits)? {
            return Ok(grey);
        }
    }
    let bad = |e: image::ImageError| match e {
        image::ImageError::Limits(_) => ReadError::ImageTooLarge(0, 0),
        e => ReadError::NotAnImage(e.to_string()),
    };
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| ReadError::NotAnImage(e.to_string()))?;
    if reader.format().is_none() {
        return Err(ReadError::NotAnImage("unknown format".into()));
    }
    let mut decoder = reader.into_decoder().map_err(bad)?;
    let (w, h) = decoder.dimensions();
    check_size(w, h, limits)?;
    let mut il = ImageLimits::default();
    il.max_image_width = Some(limits.max_side);
    il.max_image_height = Some(limits.max_side);
    // RGBA at 16 bits a channel is the largest a supported decoder produces, plus headroom
    // for the decoder's own buffers.
    il.max_alloc = Some(limits.max_pixels.saturating_mul(8) + (16 << 20));
    decoder.set_limits(il).map_err(bad)?;
    // A phone stores a portrait photo as landscape pixels plus an EXIF note to turn it.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(bad)?;
    img.apply_orientation(orientation);
    Ok(img.into_luma8())
}

/// A baseline or progressive JPEG in YCbCr or grey, decoded straight to its luma channel
/// (`image` would decode all three channels, convert them to RGB and back to grey: twice the
/// work). `None` for a JPEG this path does not take (CMYK, YCCK), which `image` then decodes.
fn jpeg_luma(bytes: &[u8], limits: &Limits) -> Result<Option<GrayImage>, ReadError> {
    use image::metadata::Orientation;
    use zune_core::colorspace::ColorSpace;
    use zune_core::options::DecoderOptions;

    let bad = |e: zune_jpeg::errors::DecodeErrors| ReadError::NotAnImage(format!("JPEG: {e}"));
    // The headers allocate nothing for pixels; the size limits are checked on them below,
    // before decoding (a JPEG is at most 65,535 pixels a side).
    let options = DecoderOptions::default()
        .set_strict_mode(false)
        .set_max_width(usize::from(u16::MAX))
        .set_max_height(usize::from(u16::MAX))
        .jpeg_set_out_colorspace(ColorSpace::Luma);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(SliceReader::new(bytes), options);
    decoder.decode_headers().map_err(bad)?;
    let Some((w, h)) = decoder.dimensions() else {
        return Err(ReadError::NotAnImage("JPEG without a frame header".into()));
    };
    let (w, h) = (
        u32::try_from(w).unwrap_or(u32::MAX),
        u32::try_from(h).unwrap_or(u32::MAX),
    );
    check_size(w, h, limits)?;
    if !matches!(
        decoder.input_colorspace(),
        Some(ColorSpace::YCbCr | ColorSpace::Luma)
    ) {
        return Ok(None);
    }
    // A phone stores a portrait photo as landscape pixels plus an EXIF note to turn it.
    let orientation = decoder
        .exif()
        .and_then(|exif| Orientation::from_exif_chunk(exif))
        .unwrap_or(Orientation::NoTransforms);
    let pixels = decoder.decode().map_err(bad)?;
    let Some(grey) = GrayImage::from_raw(w, h, pixels) else {
        return Err(ReadError::NotAnImage("JPEG: short pixel data".into()));
    };
    let mut img = DynamicImage::ImageLuma8(grey);
    img.apply_orientation(orientation);
    Ok(Some(img.into_luma8()))
}

/// The JPEG's bytes as zune-jpeg reads them. zune-core implements its reader trait for
/// anything `BufRead + Seek`, but through `std::io::Read` a 4-byte refill of the Huffman
/// decoder's bit buffer is a call to `memcpy` and an end-of-file check a `fill_buf`; here each
/// is a bounds check and a load (the decode of a 2-MP photo about 5 % faster).
struct SliceReader<'a> {
    bytes: &'a [u8],
    /// May lie past the end after a seek; reads there find nothing.
    pos: usize,
}

impl<'a> SliceReader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        SliceReader { bytes, pos: 0 }
    }

    /// The bytes not read yet.
    #[inline(always)]
    fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.pos..).unwrap_or(&[])
    }
}

impl zune_core::bytestream::ZByteReaderTrait for SliceReader<'_> {
    #[inline(always)]
    fn read_byte_no_error(&mut self) -> u8 {
        match self.bytes.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                b
            }
            None => 0,
        }
    }

    #[inline(always)]
    fn read_exact_bytes(&mut self, buf: &mut [u8]) -> Result<(), ZByteIoError> {
        self.peek_exact_bytes(buf)?;
        self.pos += buf.len();
        Ok(())
    }

    #[inline(always)]
    fn read_bytes(&mut self, buf: &mut [u8]) -> Result<usize, ZByteIoError> {
        let n = self.peek_bytes(buf)?;
        self.pos += n;
        Ok(n)
    }

    #[inline(always)]
    fn peek_bytes(&mut self, buf: &mut [u8]) -> Result<usize, ZByteIoError> {
        let rest = self.rest();
        let n = buf.len().min(rest.len());
        buf[..n].copy_from_slice(&rest[..n]);
        Ok(n)
    }

    #[inline(always)]
    fn peek_exact_bytes(&mut self, buf: &mut [u8]) -> Result<(), ZByteIoError> {
        let rest = self.rest();
        match rest.get(..buf.len()) {
            Some(src) => {
                buf.copy_from_slice(src);
                Ok(())
            }
            None => Err(ZByteIoError::NotEnoughBytes(rest.len(), buf.len())),
        }
    }

    fn z_seek(&mut self, from: ZSeekFrom) -> Result<u64, ZByteIoError> {
        let (base, offset) = match from {
            ZSeekFrom::Start(n) => (0, i64::try_from(n)?),
            ZSeekFrom::End(n) => (self.bytes.len(), n),
            ZSeekFrom::Current(n) => (self.pos, n),
        };
        let offset = isize::try_from(offset)?;
        self.pos = base
            .checked_add_signed(offset)
            .ok_or(ZByteIoError::SeekError("seek before the start or too far"))?;
        Ok(self.pos as u64)
    }

    #[inline(always)]
    fn is_eof(&mut self) -> Result<bool, ZByteIoError> {
        Ok(self.pos >= self.bytes.len())
    }

    fn z_position(&mut self) -> Result<u64, ZByteIoError> {
        Ok(self.pos as u64)
    }

    fn read_remaining(&mut self, sink: &mut Vec<u8>) -> Result<usize, ZByteIoError> {
        let rest = self.rest();
        sink.extend_from_slice(rest);
        self.pos = self.pos.max(self.bytes.len());
        Ok(rest.len())
    }
}

/// Points per inch in PDF user space.
const PDF_POINTS_PER_INCH: f32 = 72.0;
/// Rendering resolution for a PDF page: enough for a QR code printed 30 mm wide.
const PDF_DPI: f32 = 200.0;

/// The first page of a PDF, rendered in grey at [`PDF_DPI`] (less if the page would exceed the
/// limits).
fn pdf_first_page(bytes: &[u8], limits: &Limits) -> Result<GrayImage, ReadError> {
    use hayro::hayro_interpret::InterpreterSettings;
    use hayro::hayro_syntax::Pdf;
    use hayro::vello_cpu::color::palette::css::WHITE;
    use hayro::{render, PixmapSettings, RenderCache, RenderSettings};

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
    let max_pixels = limits.max_pixels.min(40_000_000) as f64;
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

#[cfg(test)]
mod tests {
    use super::*;
    use zune_core::colorspace::ColorSpace;
    use zune_core::options::DecoderOptions;

    /// zune-jpeg's output for `bytes` read through `reader`: the pixels, or the error's text.
    fn decode<R: zune_core::bytestream::ZByteReaderTrait>(reader: R) -> Result<Vec<u8>, String> {
        let options = DecoderOptions::default()
            .set_strict_mode(false)
            .jpeg_set_out_colorspace(ColorSpace::Luma);
        zune_jpeg::JpegDecoder::new_with_options(reader, options)
            .decode()
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_slice_reader_decodes_as_a_cursor_does() {
        // A noisy colour picture, so that the entropy-coded data holds 0xFF bytes (stuffed).
        let mut seed = 1u32;
        let img = image::RgbImage::from_fn(203, 97, |x, y| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            image::Rgb([(x * 3) as u8, (seed >> 24) as u8, (y * 2) as u8])
        });
        let mut bytes = Vec::new();
        image::DynamicImage::ImageRgb8(img)
            .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Jpeg)
            .expect("jpeg");
        let whole = decode(SliceReader::new(&bytes));
        assert_eq!(whole.as_ref().map(Vec::len), Ok(203 * 97));
        assert_eq!(whole, decode(Cursor::new(&bytes[..])));
        // Cut short anywhere, or garbled: the same pixels or the same error, and no panic.
        for cut in (0..bytes.len()).step_by(97) {
            let part = &bytes[..cut];
            assert_eq!(decode(SliceReader::new(part)), decode(Cursor::new(part)));
        }
        let mut garbled = bytes.clone();
        for b in garbled.iter_mut().skip(300).step_by(11) {
            *b ^= 0x5a;
        }
        let g = &garbled[..];
        assert_eq!(decode(SliceReader::new(g)), decode(Cursor::new(g)));
    }

    #[test]
    fn the_slice_reader_seeks_and_reads_within_its_bytes() {
        use zune_core::bytestream::ZByteReaderTrait;
        let mut r = SliceReader::new(b"abcdef");
        let mut four = [0u8; 4];
        r.read_exact_bytes(&mut four).unwrap();
        assert_eq!(&four, b"abcd");
        assert!(r.read_exact_bytes(&mut four).is_err());
        assert_eq!(r.z_position().unwrap(), 4, "a failed read does not move");
        assert_eq!(r.read_bytes(&mut four).unwrap(), 2);
        assert!(r.is_eof().unwrap());
        assert_eq!(r.read_byte_no_error(), 0);
        assert_eq!(r.z_seek(ZSeekFrom::Current(-3)).unwrap(), 3);
        assert_eq!(r.read_byte_no_error(), b'd');
        assert!(r.z_seek(ZSeekFrom::End(-7)).is_err());
        assert_eq!(r.z_seek(ZSeekFrom::Start(100)).unwrap(), 100);
        assert_eq!(r.read_bytes(&mut four).unwrap(), 0);
        assert!(r.is_eof().unwrap());
        let mut sink = Vec::new();
        assert_eq!(r.read_remaining(&mut sink).unwrap(), 0);
        r.z_seek(ZSeekFrom::Start(1)).unwrap();
        assert_eq!(r.peek_bytes(&mut four).unwrap(), 4);
        assert_eq!(r.read_remaining(&mut sink).unwrap(), 5);
        assert_eq!(sink, b"bcdef");
    }
}
