//! Image bytes to grey pixels, bounded before anything is decompressed.
//!
//! What each format may cost (`docs/LIMITS.md` has the figures):
//!
//! - PNG is read with the `png` crate directly, row by row into grey: its colour profile
//!   (iCCP) and text chunks (tEXt, zTXt, iTXt) are skipped without being decompressed, the
//!   image data is decompressed only as far as the declared size needs, and the decoder's own
//!   buffers are capped ([`PNG_DECODER_BYTES`]). An interlaced PNG is decoded whole first (at
//!   most 4 bytes a pixel).
//! - JPEG is decoded by zune-jpeg straight to grey once its frame header has passed the size
//!   limits. Its APP markers (EXIF, ICC profile pieces, XMP) are copied out of the file at
//!   most once each, so they cost at most the file's size.
//! - A JPEG photo larger than the pixel limit (a phone's 12 MP or 50 MP picture), up to
//!   [`Limits::max_photo_pixels`], is decoded by jpeg-decoder at a reduced scale straight from
//!   the DCT (1/2, 1/4 or 1/8: each 8×8 block becomes 4×4, 2×2 or one pixel), the largest scale
//!   whose image fits the pixel limit and whose decoder buffers fit what any decoded image may
//!   take ([`RASTER_BYTES_PER_PIXEL`] a pixel of the limit): so it costs no more memory than
//!   an image at the limit, and its full resolution is never held.
//! - Every other format goes through `image` with its `Limits` set before the decoder reads
//!   anything: a decoded buffer of more than [`RASTER_BYTES_PER_PIXEL`] bytes a pixel is
//!   refused before it is allocated, and the decoder's own buffers beside it are capped at
//!   [`RASTER_DECODER_BYTES`].

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

/// Whether `bytes` start as an image or a PDF does (by their first bytes, whatever the file is
/// called): what a folder of scans may hold beside them (notes, spreadsheets) is not.
pub fn looks_like_image(bytes: &[u8]) -> bool {
    Format::sniff(bytes) == Format::Pdf || image::guess_format(bytes).is_ok()
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
        Format::Pdf if limits.pdf => crate::pdf::first_page(bytes, limits),
        Format::Pdf => Err(ReadError::NotAnImage(
            "PDF is not accepted here, send a photo (JPEG or PNG)".into(),
        )),
        Format::Raster => raster(bytes, limits),
    }
}

/// The most the `png` decoder may allocate for itself (row buffers, an EXIF chunk), beside
/// the grey image it fills.
pub(crate) const PNG_DECODER_BYTES: usize = 16 << 20;

/// The most bytes a pixel a format decoded by `image` may take before it becomes grey (8-bit
/// RGBA, or 16-bit grey with alpha); a 16-bit colour image at the size limits is refused.
pub(crate) const RASTER_BYTES_PER_PIXEL: u64 = 4;

/// What a decoder inside `image` may allocate for its own work beside the decoded buffer (a
/// TIFF strip before it is copied out, a GIF frame).
pub(crate) const RASTER_DECODER_BYTES: u64 = 64 << 20;

pub(crate) fn check_size(w: u32, h: u32, limits: &Limits) -> Result<(), ReadError> {
    if w == 0 || h == 0 {
        return Err(ReadError::NotAnImage("the image has no pixels".into()));
    }
    if w > limits.max_side || h > limits.max_side || u64::from(w) * u64::from(h) > limits.max_pixels
    {
        return Err(ReadError::ImageTooLarge(w, h));
    }
    Ok(())
}

/// Whether a `w`×`h` image is within the size limits (as decoded).
fn fits(w: u32, h: u32, limits: &Limits) -> bool {
    w <= limits.max_side && h <= limits.max_side && u64::from(w) * u64::from(h) <= limits.max_pixels
}

fn raster(bytes: &[u8], limits: &Limits) -> Result<GrayImage, ReadError> {
    if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        if let Some(grey) = jpeg_luma(bytes, limits)? {
            return Ok(grey);
        }
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return png_luma(bytes, limits);
    }
    // The decoder's buffer, and its own work beside it (a TIFF strip, a GIF frame).
    let most = limits.max_pixels.saturating_mul(RASTER_BYTES_PER_PIXEL);
    let bad = |e: image::ImageError| match e {
        image::ImageError::Limits(_) => ReadError::Expands(most),
        e => ReadError::NotAnImage(e.to_string()),
    };
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| ReadError::NotAnImage(e.to_string()))?;
    if reader.format().is_none() {
        return Err(ReadError::NotAnImage("unknown format".into()));
    }
    // The limits go in before the decoder reads its headers (some decoders read more than
    // the size there).
    let mut il = ImageLimits::default();
    il.max_image_width = Some(limits.max_side);
    il.max_image_height = Some(limits.max_side);
    il.max_alloc = Some(most.saturating_add(RASTER_DECODER_BYTES));
    reader.limits(il);
    let decoder = reader.into_decoder().map_err(bad)?;
    let (w, h) = decoder.dimensions();
    check_size(w, h, limits)?;
    if decoder.total_bytes() > most {
        return Err(ReadError::ImageTooLarge(w, h));
    }
    // A phone stores a portrait photo as landscape pixels plus an EXIF note to turn it.
    let mut decoder = decoder;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let grey = DynamicImage::from_decoder(decoder)
        .map_err(bad)?
        .into_luma8();
    Ok(upright(grey, orientation))
}

/// `grey` turned as `orientation` says (a copy only when it says to turn).
fn upright(grey: GrayImage, orientation: image::metadata::Orientation) -> GrayImage {
    if orientation == image::metadata::Orientation::NoTransforms {
        return grey;
    }
    let mut img = DynamicImage::ImageLuma8(grey);
    img.apply_orientation(orientation);
    img.into_luma8()
}

/// A PNG decoded with the `png` crate, row by row into grey: no colour profile or text is
/// decompressed, and no colour image of the whole picture is made (but for an interlaced
/// PNG, whose rows come in seven passes).
fn png_luma(bytes: &[u8], limits: &Limits) -> Result<GrayImage, ReadError> {
    use png::{ColorType, Transformations};

    let bad = |e: png::DecodingError| match e {
        png::DecodingError::LimitsExceeded => ReadError::Expands(PNG_DECODER_BYTES as u64),
        e => ReadError::NotAnImage(format!("PNG: {e}")),
    };
    let mut decoder = png::Decoder::new_with_limits(
        Cursor::new(bytes),
        png::Limits {
            bytes: PNG_DECODER_BYTES,
        },
    );
    decoder.set_ignore_iccp_chunk(true);
    decoder.set_ignore_text_chunk(true);
    let header = decoder.read_header_info().map_err(bad)?;
    check_size(header.width, header.height, limits)?;
    // 8 bits a channel, palettes and low bit depths expanded: grey, grey+alpha, RGB or RGBA.
    decoder.set_transformations(Transformations::EXPAND | Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(bad)?;
    let info = reader.info();
    let (w, h) = (info.width, info.height);
    let interlaced = info.interlaced;
    let orientation = info
        .exif_metadata
        .as_deref()
        .and_then(image::metadata::Orientation::from_exif_chunk)
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let (colour, _) = reader.output_color_type();
    let channels = match colour {
        ColorType::Grayscale => 1,
        ColorType::GrayscaleAlpha => 2,
        ColorType::Rgb => 3,
        ColorType::Rgba => 4,
        ColorType::Indexed => {
            return Err(ReadError::NotAnImage("PNG: palette not expanded".into()))
        }
    };
    let width = w as usize;
    let mut grey = vec![0u8; width * h as usize];
    if interlaced {
        let size = reader
            .output_buffer_size()
            .filter(|&n| n as u64 <= limits.max_pixels.saturating_mul(RASTER_BYTES_PER_PIXEL))
            .ok_or(ReadError::ImageTooLarge(w, h))?;
        let mut whole = vec![0u8; size];
        let frame = reader.next_frame(&mut whole).map_err(bad)?;
        for (row, out) in whole
            .chunks_exact(frame.line_size)
            .zip(grey.chunks_exact_mut(width))
        {
            row_to_grey(row, channels, out);
        }
    } else {
        for out in grey.chunks_exact_mut(width) {
            let Some(row) = reader.next_row().map_err(bad)? else {
                return Err(ReadError::NotAnImage("PNG: image data ends early".into()));
            };
            row_to_grey(row.data(), channels, out);
        }
    }
    let grey = GrayImage::from_raw(w, h, grey)
        .ok_or_else(|| ReadError::NotAnImage("PNG: short pixel data".into()))?;
    Ok(upright(grey, orientation))
}

/// One row of 8-bit pixels with `channels` channels (grey, grey+alpha, RGB, RGBA) as grey:
/// colour by the sRGB luma weights as `image`'s `into_luma8` has them, alpha dropped.
fn row_to_grey(row: &[u8], channels: usize, out: &mut [u8]) {
    match channels {
        1 => out.copy_from_slice(&row[..out.len()]),
        2 => {
            for (o, p) in out.iter_mut().zip(row.chunks_exact(2)) {
                *o = p[0];
            }
        }
        _ => {
            for (o, p) in out.iter_mut().zip(row.chunks_exact(channels)) {
                let (r, g, b) = (u32::from(p[0]), u32::from(p[1]), u32::from(p[2]));
                *o = ((r * 2126 + g * 7152 + b * 722) / 10_000) as u8;
            }
        }
    }
}

/// A baseline or progressive JPEG in YCbCr or grey, decoded straight to its luma channel
/// (`image` would decode all three channels, convert them to RGB and back to grey: twice the
/// work). `None` for a JPEG this path does not take (CMYK, YCCK), which `image` then decodes.
fn jpeg_luma(bytes: &[u8], limits: &Limits) -> Result<Option<GrayImage>, ReadError> {
    use image::metadata::Orientation;
    use zune_core::colorspace::ColorSpace;
    use zune_core::options::DecoderOptions;

    let bad = |e: zune_jpeg::errors::DecodeErrors| ReadError::NotAnImage(format!("JPEG: {e}"));
    // A progressive JPEG is decoded from coefficients kept for the whole picture, 2 bytes
    // each: for 4:4:4 colour, 6 bytes a pixel, which a small file can claim.
    if let Some(sof) = JpegFrame::read(bytes) {
        if sof.width > 0 && sof.height > 0 && !fits(sof.width, sof.height, limits) {
            return jpeg_scaled(bytes, &sof, limits).map(Some);
        }
        check_size(sof.width, sof.height, limits)?;
        let most = limits.max_pixels.saturating_mul(RASTER_BYTES_PER_PIXEL);
        if sof.progressive && sof.coefficient_bytes() > most {
            return Err(ReadError::ImageTooLarge(sof.width, sof.height));
        }
    }
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

/// A JPEG photo over the size limits, up to [`Limits::max_photo_pixels`], decoded at 1/2, 1/4
/// or 1/8 of its size straight from the DCT: the largest of these scales whose image fits the
/// size limits and whose decoding fits [`JpegFrame::scaled_decode_bytes`] within
/// [`RASTER_BYTES_PER_PIXEL`] a pixel of the limit. The full-size picture is never decoded:
/// a code whose modules are at least two pixels wide at 1/2 scale (four in the photo) is still
/// read, and the search enlarges small codes itself.
fn jpeg_scaled(bytes: &[u8], sof: &JpegFrame, limits: &Limits) -> Result<GrayImage, ReadError> {
    use image::metadata::Orientation;
    use jpeg_decoder::PixelFormat;

    let (w, h) = (sof.width, sof.height);
    let too_large = ReadError::ImageTooLarge(w, h);
    // Grey or YCbCr only: jpeg-decoder's other colour layouts (CMYK) are left to the size
    // limits, as before.
    if u64::from(w) * u64::from(h) > limits.max_photo_pixels || !matches!(sof.components, 1 | 3) {
        return Err(too_large);
    }
    let most = limits.max_pixels.saturating_mul(RASTER_BYTES_PER_PIXEL);
    let Some(scale) = [2u32, 4, 8].into_iter().find(|&s| {
        fits(w.div_ceil(s), h.div_ceil(s), limits) && sof.scaled_decode_bytes(s) <= most
    }) else {
        return Err(too_large);
    };
    let bad = |e: jpeg_decoder::Error| ReadError::NotAnImage(format!("JPEG: {e}"));
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    // A second guard, inside the decoder, on the buffer it returns.
    decoder.set_max_decoding_buffer_size(usize::try_from(most).unwrap_or(usize::MAX));
    let want = |n: u32| u16::try_from(n.div_ceil(scale)).unwrap_or(u16::MAX);
    let (sw, sh) = decoder.scale(want(w), want(h)).map_err(bad)?;
    let (sw, sh) = (u32::from(sw), u32::from(sh));
    if !fits(sw, sh, limits) {
        return Err(too_large);
    }
    let pixels = decoder.decode().map_err(bad)?;
    let channels = match decoder.info().map(|i| i.pixel_format) {
        Some(PixelFormat::L8) => 1,
        Some(PixelFormat::RGB24) => 3,
        _ => {
            return Err(ReadError::NotAnImage(
                "JPEG: unexpected pixel format".into(),
            ))
        }
    };
    let (width, height) = (sw as usize, sh as usize);
    if pixels.len() < width * height * channels {
        return Err(ReadError::NotAnImage("JPEG: short pixel data".into()));
    }
    let mut grey = vec![0u8; width * height];
    for (row, out) in pixels
        .chunks_exact(width * channels)
        .zip(grey.chunks_exact_mut(width))
    {
        row_to_grey(row, channels, out);
    }
    drop(pixels);
    let orientation = decoder
        .exif_data()
        .and_then(Orientation::from_exif_chunk)
        .unwrap_or(Orientation::NoTransforms);
    let grey = GrayImage::from_raw(sw, sh, grey)
        .ok_or_else(|| ReadError::NotAnImage("JPEG: short pixel data".into()))?;
    Ok(upright(grey, orientation))
}

/// A JPEG's frame header (SOFn), read without decoding anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct JpegFrame {
    pub width: u32,
    pub height: u32,
    pub components: u32,
    /// SOF2, SOF6, SOF10, SOF14: progressive (every coefficient kept until the end).
    pub progressive: bool,
    /// The sum over the components of their sampling factors' products, and the largest
    /// product: a component with factors `h`×`v` has `h·v / max` of the pixels' samples.
    pub sampling: (u32, u32),
}

impl JpegFrame {
    /// The first frame header after the start of image, skipping other marker segments.
    pub(crate) fn read(data: &[u8]) -> Option<JpegFrame> {
        let mut i = data.windows(2).position(|w| w == [0xFF, 0xD8])? + 2;
        while i + 4 <= data.len() {
            if data[i] != 0xFF {
                i += 1;
                continue;
            }
            let marker = data[i + 1];
            match marker {
                0xFF => i += 1,
                0xD0..=0xD9 | 0x01 => i += 2,
                0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                    let f = data.get(i + 4..i + 10)?;
                    let components = u32::from(f[5]);
                    let mut sampling = (0u32, 1u32);
                    for c in 0..components as usize {
                        let Some(&hv) = data.get(i + 10 + c * 3 + 1) else {
                            break;
                        };
                        let product = u32::from(hv >> 4).max(1) * u32::from(hv & 15).max(1);
                        sampling.0 += product;
                        sampling.1 = sampling.1.max(product);
                    }
                    return Some(JpegFrame {
                        height: u32::from(u16::from_be_bytes([f[1], f[2]])),
                        width: u32::from(u16::from_be_bytes([f[3], f[4]])),
                        components,
                        progressive: marker & 3 == 2,
                        sampling,
                    });
                }
                _ => {
                    let len = u16::from_be_bytes([*data.get(i + 2)?, *data.get(i + 3)?]);
                    i += 2 + usize::from(len);
                }
            }
        }
        None
    }

    /// What a progressive decoder keeps: 2 bytes a coefficient, 64 coefficients a block.
    pub(crate) fn coefficient_bytes(&self) -> u64 {
        let pixels = u64::from(self.width) * u64::from(self.height);
        pixels * u64::from(self.sampling.0.max(1)) / u64::from(self.sampling.1.max(1)) * 2
    }

    /// What jpeg-decoder holds to decode this frame at 1/`scale` of its size: its coefficients
    /// for the whole picture when progressive, each component's samples at the reduced size,
    /// and the interleaved pixels it returns (a byte a component).
    pub(crate) fn scaled_decode_bytes(&self, scale: u32) -> u64 {
        let scale = u64::from(scale.max(1));
        let pixels = u64::from(self.width).div_ceil(scale) * u64::from(self.height).div_ceil(scale);
        let planes = pixels * u64::from(self.sampling.0.max(1)) / u64::from(self.sampling.1.max(1));
        let coefficients = if self.progressive {
            self.coefficient_bytes()
        } else {
            0
        };
        coefficients + planes + pixels * u64::from(self.components.max(1))
    }
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
