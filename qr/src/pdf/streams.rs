//! Every stream of a PDF measured, within caps, before the renderer sees the file.
//!
//! The renderer (hayro) decompresses whatever a stream says, as far as it goes: a megabyte of
//! Flate data becomes a gigabyte, an image dictionary claiming 40,000 × 40,000 pixels becomes
//! 1.6 GB, and it happens while the file is being opened (cross-reference and object streams)
//! as well as while the page is drawn. So before the file is opened, every stream in it is
//! found in the raw bytes (every `N G obj` whose dictionary is followed by `stream`, and every
//! inline image inside a stream that decodes), its filters are run with a cap on their output
//! (`filters`), and its declared and encoded image sizes are checked:
//!
//! - a stream other than an image decodes to at most [`Bounds::stream_bytes`];
//! - an image has at most [`Bounds::image_pixels`] (its dictionary's /Width × /Height, and
//!   the size in its JPEG or JPEG 2000 header, which the renderer follows instead) and decodes
//!   to at most [`Bounds::image_bytes`];
//! - all streams together decode to at most [`Bounds::total_bytes`].
//!
//! The stream's data is read as the renderer reads it: /Length bytes when the length can be
//! found, otherwise up to `endstream`; a Flate stream is inflated on past that, to the end of
//! its deflate data, so that a length hidden where this check cannot see it hides nothing.
//! What cannot be measured is refused: an encrypted file, JBIG2 images, a stream whose filter
//! or image size is stored where this check cannot resolve it (inside an object stream).

use std::borrow::Cow;
use std::collections::HashMap;

use hayro::hayro_syntax::content::UntypedIter;
use hayro::hayro_syntax::object::{Dict, MaybeRef, Name, Object};
use hayro::hayro_syntax::reader::{Reader, ReaderExt};

use super::filters::{self, Stop};
use crate::{PdfFeature, ReadError};

/// The caps of [`check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bounds {
    /// The most one stream other than an image decodes to, in bytes.
    pub stream_bytes: usize,
    /// The most pixels (width × height) of one image.
    pub image_pixels: u64,
    /// The most one image's data decodes to, in bytes.
    pub image_bytes: usize,
    /// The most all the streams of the file decode to together, in bytes.
    pub total_bytes: u64,
}

/// Refuses a PDF with a stream past the bounds, or one that cannot be measured.
pub(crate) fn check(file: &[u8], bounds: &Bounds) -> Result<(), ReadError> {
    let headers = object_headers(file);
    let mut index: HashMap<(u32, i32), Vec<usize>> = HashMap::new();
    for &(num, gen, at) in &headers {
        index.entry((num, gen)).or_default().push(at);
    }
    let mut check = Check {
        file,
        index,
        ends: find_all(file, b"endstream").collect(),
        bounds: *bounds,
        total: 0,
        read: 0,
        // Each stream's data is read once, and a Flate stream a little past its end: more
        // means streams overlapping on purpose, to make this check read the file over and
        // over.
        most_read: 2 * file.len() as u64 + (1 << 20),
    };
    for at in find_all(file, b"trailer") {
        let mut r = Reader::new_with(file, at + b"trailer".len());
        r.skip_white_spaces_and_comments();
        if let Some(dict) = r.read_without_context::<Dict<'_>>() {
            if dict.contains_key(b"Encrypt") {
                return Err(encrypted());
            }
        }
    }
    for &(_, _, at) in &headers {
        let mut r = Reader::new_with(file, at);
        r.skip_white_spaces_and_comments();
        let Some(dict) = r.read_without_context::<Dict<'_>>() else {
            continue;
        };
        if dict.contains_key(b"Encrypt") && name_is(&dict, b"Type", b"XRef") {
            return Err(encrypted());
        }
        r.skip_white_spaces_and_comments();
        if r.forward_tag(b"stream").is_none() {
            continue;
        }
        if r.forward_tag(b"\n")
            .or_else(|| r.forward_tag(b"\r\n"))
            .or_else(|| r.forward_tag(b"\r"))
            .is_none()
        {
            continue;
        }
        check.stream(&dict, r.offset())?;
    }
    Ok(())
}

fn encrypted() -> ReadError {
    ReadError::PdfUnsupported(PdfFeature::Encrypted)
}

fn stored_elsewhere() -> ReadError {
    ReadError::PdfUnsupported(PdfFeature::StoredElsewhere)
}

fn damaged() -> ReadError {
    ReadError::PdfUnsupported(PdfFeature::Damaged)
}

struct Check<'a> {
    file: &'a [u8],
    /// Where each object's body starts (after `obj`), every definition of it.
    index: HashMap<(u32, i32), Vec<usize>>,
    /// Where each `endstream` is, in order.
    ends: Vec<usize>,
    bounds: Bounds,
    /// Bytes decoded so far, all streams.
    total: u64,
    /// Bytes of stream data read so far, all streams, and the most that may be.
    read: u64,
    most_read: u64,
}

/// The most definitions of one object followed (an object defined more often is taken as
/// one this check cannot resolve): each reference would otherwise be read that many times.
const MAX_DEFINITIONS: usize = 16;

fn too_tangled() -> ReadError {
    ReadError::PdfUnsupported(PdfFeature::Overlapping)
}

/// A filter as the renderer names it (full or abbreviated).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
    Flate,
    Lzw,
    RunLength,
    AsciiHex,
    Ascii85,
    Dct,
    Jpx,
    Ccitt,
    Jbig2,
    Crypt,
}

impl Filter {
    fn from_name(name: &[u8]) -> Option<Filter> {
        Some(match name {
            b"FlateDecode" | b"Fl" => Filter::Flate,
            b"LZWDecode" | b"LZW" => Filter::Lzw,
            b"RunLengthDecode" | b"RL" => Filter::RunLength,
            b"ASCIIHexDecode" | b"AHx" => Filter::AsciiHex,
            b"ASCII85Decode" | b"A85" => Filter::Ascii85,
            b"DCTDecode" | b"DCT" => Filter::Dct,
            b"JPXDecode" => Filter::Jpx,
            b"CCITTFaxDecode" | b"CCF" => Filter::Ccitt,
            b"JBIG2Decode" => Filter::Jbig2,
            b"Crypt" => Filter::Crypt,
            _ => return None,
        })
    }
}

impl<'a> Check<'a> {
    /// The value of `key` in `dict`, through one indirect reference if need be (every
    /// definition of the object, so that a later update cannot hide behind an earlier one).
    /// `Err` when it is a reference this check cannot follow.
    fn values(&self, dict: &Dict<'a>, key: &[u8]) -> Result<Vec<Object<'a>>, ReadError> {
        match dict.get_raw::<Object<'a>>(key) {
            None => Ok(Vec::new()),
            Some(MaybeRef::NotRef(o)) => Ok(vec![o]),
            Some(MaybeRef::Ref(r)) => {
                let at = self
                    .index
                    .get(&(r.obj_number, r.gen_number))
                    .filter(|at| at.len() <= MAX_DEFINITIONS)
                    .ok_or_else(stored_elsewhere)?;
                let mut out = Vec::new();
                for &at in at {
                    let mut reader = Reader::new_with(self.file, at);
                    reader.skip_white_spaces_and_comments();
                    if let Some(o) = reader.read_without_context::<Object<'a>>() {
                        out.push(o);
                    }
                }
                if out.is_empty() {
                    return Err(stored_elsewhere());
                }
                Ok(out)
            }
        }
    }

    /// The largest whole number `key` has (through a reference), or `None` when it has none.
    fn number(&self, dict: &Dict<'a>, key: &[u8]) -> Result<Option<u64>, ReadError> {
        let mut most = None;
        for v in self.values(dict, key)? {
            if let Object::Number(n) = v {
                let n = u64::try_from(n.as_i64()).unwrap_or(0);
                most = Some(most.map_or(n, |m: u64| m.max(n)));
            }
        }
        Ok(most)
    }

    /// The one value of `key` (through a reference), `None` when it has none. A reference
    /// to an object defined more than once cannot be resolved here: which definition the
    /// renderer takes is not known.
    fn value(&self, dict: &Dict<'a>, key: &[u8]) -> Result<Option<Object<'a>>, ReadError> {
        let mut v = self.values(dict, key)?;
        if v.len() > 1 {
            return Err(stored_elsewhere());
        }
        Ok(v.pop())
    }

    /// The stream's filters and their parameters, as the renderer takes them: a single
    /// filter name (/F, else /Filter) with a parameter dictionary (/DP, else /DecodeParms),
    /// or else an array of names (/F, else /Filter; unknown names dropped) with an array of
    /// parameter dictionaries.
    fn filters(&self, dict: &Dict<'a>) -> Result<Vec<(Filter, Option<Dict<'a>>)>, ReadError> {
        let (f, filter) = (self.value(dict, b"F")?, self.value(dict, b"Filter")?);
        let (dp, parms) = (self.value(dict, b"DP")?, self.value(dict, b"DecodeParms")?);
        let name = [&f, &filter].into_iter().find_map(|o| match o {
            Some(Object::Name(n)) => Some(n.clone()),
            _ => None,
        });
        if let Some(one) = name.as_deref().and_then(Filter::from_name) {
            let params = [dp, parms]
                .into_iter()
                .find_map(|o| o.and_then(Object::into_dict));
            return Ok(vec![(one, params)]);
        }
        let Some(names) = [f, filter]
            .into_iter()
            .find_map(|o| o.and_then(Object::into_array))
        else {
            return Ok(Vec::new());
        };
        let mut params = [dp, parms]
            .into_iter()
            .find_map(|o| o.and_then(Object::into_array))
            .map(|p| p.iter::<Object<'a>>());
        let mut out = Vec::new();
        for name in names.iter::<Object<'a>>() {
            let p = params
                .as_mut()
                .and_then(Iterator::next)
                .and_then(Object::into_dict);
            match name {
                Object::Name(n) => {
                    if let Some(f) = Filter::from_name(&n) {
                        out.push((f, p));
                    }
                }
                // A filter the renderer would look up elsewhere.
                _ => return Err(stored_elsewhere()),
            }
        }
        Ok(out)
    }

    /// Measures the stream whose dictionary is `dict` and whose data starts at `start` in the
    /// file.
    fn stream(&mut self, dict: &Dict<'a>, start: usize) -> Result<(), ReadError> {
        let rest = &self.file[start..];
        // The renderer takes /Length bytes when `endstream` follows them, and otherwise the
        // data up to the first `endstream`: the longer of the two covers both.
        let length = self.number(dict, b"Length").unwrap_or(None);
        let known = length
            .and_then(|n| usize::try_from(n).ok())
            .map(|n| n.min(rest.len()));
        let next_end = self.ends.partition_point(|&e| e < start);
        let first_end = self.ends.get(next_end).map_or(rest.len(), |&e| e - start);
        let end = match known {
            Some(n) => n.max(first_end),
            // A length this check cannot see: filters that stop at their own end marker read
            // on to the end of the file.
            None if dict.contains_key(b"Length") => rest.len(),
            None => first_end,
        };
        let data = Data {
            exact: &rest[..end],
            rest,
            declared: end,
        };
        self.measure(dict, data, false)
    }

    /// Measures a stream: `inline` for an inline image (short keys, always an image).
    fn measure(&mut self, dict: &Dict<'a>, data: Data<'a>, inline: bool) -> Result<(), ReadError> {
        // The renderer takes /W before /Width and /H before /Height, for any image (a soft
        // mask is drawn as an image whatever its /Subtype says): the larger of each counts.
        let size = |short: &[u8], long: &[u8]| -> Result<Option<u64>, ReadError> {
            let (a, b) = (self.number(dict, short)?, self.number(dict, long)?);
            Ok(a.max(b))
        };
        let (w, h) = (size(b"W", b"Width")?, size(b"H", b"Height")?);
        let image = inline || name_is(dict, b"Subtype", b"Image") || (w.is_some() && h.is_some());
        let (w, h) = (w.unwrap_or(0), h.unwrap_or(0));
        if w.saturating_mul(h) > self.bounds.image_pixels {
            return Err(too_large(w, h));
        }
        let cap = if image {
            self.bounds.image_bytes
        } else {
            self.bounds.stream_bytes
        };
        let filters = self.filters(dict)?;
        let mut decoded: Cow<'a, [u8]> = Cow::Borrowed(data.exact);
        let mut whole = true;
        for (i, (filter, params)) in filters.iter().enumerate() {
            let number = |key: &[u8]| {
                params
                    .as_ref()
                    .and_then(|p| p.get::<i64>(key))
                    .and_then(|n| u64::try_from(n).ok())
            };
            let out = match filter {
                Filter::Flate if i == 0 => filters::flate(data.rest, data.declared, cap),
                Filter::Flate => filters::flate(&decoded, decoded.len(), cap),
                Filter::Lzw => {
                    let early = number(b"EarlyChange").is_none_or(|n| n != 0);
                    filters::lzw(&decoded, early, cap)
                }
                Filter::RunLength => filters::run_length(&decoded, cap),
                Filter::AsciiHex => Ok(filters::ascii_hex(&decoded)),
                Filter::Ascii85 => filters::ascii_85(&decoded, cap),
                Filter::Dct => {
                    if let Some(f) = crate::load::JpegFrame::read(&decoded) {
                        // A progressive JPEG is kept as 2-byte coefficients until its end.
                        let bytes = if f.progressive { 2 } else { 1 };
                        self.image_size(f.width, f.height, f.components, bytes)?;
                    }
                    whole = false;
                    break;
                }
                Filter::Jpx => {
                    if let Some((w, h, c)) = filters::jpx_size(&decoded) {
                        // The JPEG 2000 decoder works in 32-bit samples.
                        self.image_size(w, h, c, 4)?;
                    }
                    whole = false;
                    break;
                }
                Filter::Ccitt => {
                    let columns = number(b"Columns").unwrap_or(1728);
                    let rows = if h > 0 { Some(h) } else { number(b"Rows") };
                    let Some(rows) = rows.filter(|&r| r > 0) else {
                        return Err(ReadError::PdfUnsupported(PdfFeature::FaxWithoutHeight));
                    };
                    self.image_size(
                        u32::try_from(columns).unwrap_or(u32::MAX),
                        u32::try_from(rows).unwrap_or(u32::MAX),
                        1,
                        1,
                    )?;
                    whole = false;
                    break;
                }
                Filter::Jbig2 => return Err(ReadError::PdfUnsupported(PdfFeature::Jbig2)),
                Filter::Crypt => return Err(encrypted()),
            };
            let out = out.map_err(|stop| match stop {
                Stop::Cap => ReadError::Expands(cap as u64),
                Stop::Damaged => damaged(),
            })?;
            if i == 0 {
                self.read += out.read as u64;
                if self.read > self.most_read {
                    return Err(too_tangled());
                }
            }
            decoded = Cow::Owned(out.out);
        }
        self.total += decoded.len() as u64;
        if self.total > self.bounds.total_bytes {
            return Err(ReadError::Expands(self.bounds.total_bytes));
        }
        if whole && !image {
            self.inline_images(&decoded)?;
        }
        Ok(())
    }

    /// An image of `w`×`h` pixels, `c` components of `bytes` bytes each, within the bounds.
    fn image_size(&mut self, w: u32, h: u32, c: u32, bytes: u64) -> Result<(), ReadError> {
        let pixels = u64::from(w) * u64::from(h);
        let size = pixels * u64::from(c.max(1)) * bytes;
        if pixels > self.bounds.image_pixels || size > self.bounds.image_bytes as u64 {
            return Err(ReadError::ImageTooLarge(w, h));
        }
        self.total += size;
        if self.total > self.bounds.total_bytes {
            return Err(ReadError::Expands(self.bounds.total_bytes));
        }
        Ok(())
    }

    /// Measures every inline image (`BI … ID … EI`) in what may be a content stream.
    fn inline_images(&mut self, content: &[u8]) -> Result<(), ReadError> {
        if find(content, b"ID").is_none() {
            return Ok(());
        }
        // The images' dictionaries and data lie in the decoded content, not in the file.
        let mut inner = Check {
            file: content,
            index: HashMap::new(),
            ends: Vec::new(),
            bounds: self.bounds,
            total: self.total,
            read: self.read,
            most_read: self.most_read,
        };
        let mut ops = UntypedIter::new(content);
        while let Some(op) = ops.next() {
            if &**op.operator != b"BI" {
                continue;
            }
            let images: Vec<_> = op
                .operands()
                .filter_map(|o| match o {
                    Object::Stream(s) => Some(s.clone()),
                    _ => None,
                })
                .collect();
            for image in images {
                // Without a cross-reference table (as here) nothing is decrypted: the data is
                // borrowed from the content.
                let Cow::Borrowed(bytes) = image.raw_data() else {
                    continue;
                };
                let data = Data {
                    exact: bytes,
                    rest: bytes,
                    declared: bytes.len(),
                };
                inner.measure(image.dict(), data, true)?;
            }
        }
        self.total = inner.total;
        self.read = inner.read;
        Ok(())
    }
}

/// A stream's data as the renderer may read it.
#[derive(Debug, Clone, Copy)]
struct Data<'a> {
    /// The data as far as its length is known (or to the end of the file when the length is
    /// where this check cannot see it).
    exact: &'a [u8],
    /// From the data's start to the end of the file (a Flate stream is inflated on through
    /// it to the end of its deflate data).
    rest: &'a [u8],
    /// Where the data ends if its stated length (or the first `endstream`) is right.
    declared: usize,
}

fn too_large(w: u64, h: u64) -> ReadError {
    ReadError::ImageTooLarge(
        u32::try_from(w).unwrap_or(u32::MAX),
        u32::try_from(h).unwrap_or(u32::MAX),
    )
}

/// Whether `dict`'s `key` is the name `value` (directly).
fn name_is(dict: &Dict<'_>, key: &[u8], value: &[u8]) -> bool {
    dict.get::<Name<'_>>(key).is_some_and(|n| &*n == value)
}

/// The first position of `needle` in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, tail) = needle.split_first()?;
    let mut from = 0;
    while let Some(p) = hay.get(from..)?.iter().position(|&b| b == first) {
        let at = from + p;
        if hay.get(at + 1..at + needle.len()) == Some(tail) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Every position of `needle` in `hay`.
fn find_all<'h>(hay: &'h [u8], needle: &'h [u8]) -> impl Iterator<Item = usize> + 'h {
    let mut from = 0;
    std::iter::from_fn(move || {
        let at = from + find(hay.get(from..)?, needle)?;
        from = at + 1;
        Some(at)
    })
}

/// Whether `b` is white space in PDF syntax.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'\0')
}

/// Every object header `N G obj` in the file, as (N, G, where its body starts), in file
/// order. Found by the `obj` keyword anywhere, as the renderer's fallback finds them in a
/// file whose cross-reference table is damaged.
fn object_headers(file: &[u8]) -> Vec<(u32, i32, usize)> {
    let mut out = Vec::new();
    for at in find_all(file, b"obj") {
        let after = at + 3;
        if file
            .get(after)
            .is_some_and(|&b| !is_space(b) && !b"<[(/%".contains(&b))
        {
            continue;
        }
        // Backwards: spaces, the generation, spaces, the object number.
        let mut i = at;
        let digits = |i: &mut usize| {
            let end = *i;
            while *i > 0 && file[*i - 1].is_ascii_digit() {
                *i -= 1;
            }
            std::str::from_utf8(&file[*i..end])
                .ok()
                .and_then(|s| s.parse::<u64>().ok())
        };
        while i > 0 && is_space(file[i - 1]) {
            i -= 1;
        }
        let Some(gen) = digits(&mut i) else { continue };
        let spaces = i;
        while i > 0 && is_space(file[i - 1]) {
            i -= 1;
        }
        if i == spaces {
            continue;
        }
        let Some(num) = digits(&mut i) else { continue };
        if i > 0 && !is_space(file[i - 1]) && !b">])%".contains(&file[i - 1]) {
            continue;
        }
        if let (Ok(num), Ok(gen)) = (u32::try_from(num), i32::try_from(gen)) {
            out.push((num, gen, after));
        }
    }
    out
}

#[cfg(test)]
#[path = "../../tests/support/bombs.rs"]
mod bombs;

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::bombs::{pdf, pdf_page, pdf_stream, zlib_of};
    use super::*;

    /// Small bounds, so that small bombs cross them.
    const SMALL: Bounds = Bounds {
        stream_bytes: 1 << 20,
        image_pixels: 1_000_000,
        image_bytes: 4 << 20,
        total_bytes: 8 << 20,
    };

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(data).unwrap();
        z.finish().unwrap()
    }

    fn page(stream_dict: &str, data: &[u8]) -> Vec<u8> {
        pdf_page(pdf_stream(stream_dict, data), "", &[])
    }

    fn image(dict: &str, data: &[u8]) -> Vec<u8> {
        pdf_page(
            pdf_stream("", b"q 100 0 0 100 0 0 cm /Im0 Do Q"),
            "/XObject << /Im0 5 0 R >>",
            &[pdf_stream(
                &format!("/Type /XObject /Subtype /Image /ColorSpace /DeviceGray /BitsPerComponent 8 {dict}"),
                data,
            )],
        )
    }

    const TOO_MUCH: Result<(), ReadError> = Err(ReadError::Expands(1 << 20));

    #[test]
    fn a_plain_pdf_passes() {
        let content = b"BT /F1 12 Tf 72 720 Td (Sonod) Tj ET 0 0 m 100 100 l S".repeat(100);
        assert_eq!(check(&page("", &content), &SMALL), Ok(()));
        assert_eq!(
            check(&page("/Filter /FlateDecode", &zlib(&content)), &SMALL),
            Ok(())
        );
        let pixels = vec![0x80u8; 500 * 400];
        let doc = image(
            "/Width 500 /Height 400 /Filter /FlateDecode",
            &zlib(&pixels),
        );
        assert_eq!(check(&doc, &SMALL), Ok(()));
    }

    #[test]
    fn each_expanding_filter_is_stopped_at_its_cap() {
        let two_mib = 2u64 << 20;
        let flate = zlib_of(b' ', two_mib);
        assert_eq!(
            check(&page("/Filter /FlateDecode", &flate), &SMALL),
            TOO_MUCH
        );
        assert_eq!(check(&page("/Filter /Fl", &flate), &SMALL), TOO_MUCH);
        // Twice compressed: a few kilobytes.
        let twice = zlib(&flate);
        let doc = page("/Filter [/FlateDecode /FlateDecode]", &twice);
        assert_eq!(check(&doc, &SMALL), TOO_MUCH);
        // Hex around Flate.
        let hex: String = flate.iter().map(|b| format!("{b:02x}")).collect::<String>() + ">";
        let doc = page("/Filter [/ASCIIHexDecode /FlateDecode]", hex.as_bytes());
        assert_eq!(check(&doc, &SMALL), TOO_MUCH);
        // Run length: 2 bytes make 128.
        let rl = [129u8, b' '].repeat(20_000);
        assert_eq!(
            check(&page("/Filter /RunLengthDecode", &rl), &SMALL),
            TOO_MUCH
        );
        // ASCII85: "z" is four zero bytes.
        let z85 = vec![b'z'; 300_000];
        assert_eq!(
            check(&page("/Filter /ASCII85Decode", &z85), &SMALL),
            TOO_MUCH
        );
        // LZW: clear, then codes for ever longer runs of one byte (each entry one longer).
        let mut bits = Vec::new();
        let (mut acc, mut n, mut width) = (0u64, 0u32, 9u32);
        let mut put = |code: u64, width: u32, bits: &mut Vec<u8>| {
            acc = (acc << width) | code;
            n += width;
            while n >= 8 {
                bits.push((acc >> (n - 8)) as u8);
                n -= 8;
            }
        };
        put(256, 9, &mut bits);
        put(u64::from(b' '), 9, &mut bits);
        for code in 258..4095u64 {
            put(code, width, &mut bits);
            if code + 2 >= 1 << width && width < 12 {
                width += 1;
            }
        }
        assert_eq!(check(&page("/Filter /LZWDecode", &bits), &SMALL), TOO_MUCH);
    }

    #[test]
    fn all_streams_together_are_capped() {
        // Each stream within its own cap, ten of them past the total.
        let one = zlib_of(b' ', 1_000_000);
        let mut objects = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
        ];
        for _ in 0..10 {
            objects.push(pdf_stream("/Filter /FlateDecode", &one));
        }
        assert_eq!(
            check(&pdf(&objects), &SMALL),
            Err(ReadError::Expands(8 << 20))
        );
    }

    #[test]
    fn images_are_measured_by_their_dictionary_and_their_codec() {
        let small = zlib(&[0u8; 100]);
        let wide = image("/Width 2000 /Height 1000 /Filter /FlateDecode", &small);
        assert_eq!(
            check(&wide, &SMALL),
            Err(ReadError::ImageTooLarge(2000, 1000))
        );
        // Pixels past the image's own cap, whatever the dictionary says.
        let data = zlib_of(0, 5 << 20);
        let stuffed = image("/Width 100 /Height 100 /Filter /FlateDecode", &data);
        assert_eq!(check(&stuffed, &SMALL), Err(ReadError::Expands(4 << 20)));
        // The renderer sizes a JPEG by its own frame header.
        let mut jpeg = vec![
            0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 8, 0x03, 0xE8, 0x05, 0xDC, 1,
        ];
        jpeg.extend_from_slice(&[1, 0x11, 0, 0xFF, 0xD9]);
        let dct = image("/Width 10 /Height 10 /Filter /DCTDecode", &jpeg);
        assert_eq!(
            check(&dct, &SMALL),
            Err(ReadError::ImageTooLarge(1500, 1000))
        );
        // And a JPEG 2000 image by its SIZ segment.
        let mut j2k = vec![0xFF, 0x4F, 0xFF, 0x51, 0x00, 0x29, 0x00, 0x00];
        for v in [2000u32, 2000, 0, 0, 2000, 2000, 0, 0] {
            j2k.extend_from_slice(&v.to_be_bytes());
        }
        j2k.extend_from_slice(&[0x00, 0x01]);
        let jpx = image("/Width 10 /Height 10 /Filter /JPXDecode", &j2k);
        assert_eq!(
            check(&jpx, &SMALL),
            Err(ReadError::ImageTooLarge(2000, 2000))
        );
        // A fax image is as wide as its /Columns.
        let fax = image(
            "/Width 10 /Height 1000 /Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns 5000 >>",
            &[0; 10],
        );
        assert_eq!(
            check(&fax, &SMALL),
            Err(ReadError::ImageTooLarge(5000, 1000))
        );
        let jbig2 = image("/Width 10 /Height 10 /Filter /JBIG2Decode", &[0; 10]);
        assert!(matches!(
            check(&jbig2, &SMALL),
            Err(ReadError::PdfUnsupported(..))
        ));
    }

    #[test]
    fn an_inline_image_is_measured() {
        let pixels = zlib_of(0, 2000 * 1000);
        let mut content = b"q BI /W 2000 /H 1000 /CS /G /BPC 8 /F /Fl ID\n".to_vec();
        content.extend_from_slice(&pixels);
        content.extend_from_slice(b"\nEI Q");
        let doc = page("/Filter /FlateDecode", &zlib(&content));
        assert_eq!(
            check(&doc, &SMALL),
            Err(ReadError::ImageTooLarge(2000, 1000))
        );
        // Within the size, its data is measured too.
        let mut content = b"q BI /W 100 /H 100 /CS /G /BPC 8 /F /Fl ID\n".to_vec();
        content.extend_from_slice(&zlib_of(0, 5 << 20));
        content.extend_from_slice(b"\nEI Q");
        assert_eq!(
            check(&page("", &content), &SMALL),
            Err(ReadError::Expands(4 << 20))
        );
    }

    #[test]
    fn a_length_out_of_sight_hides_nothing() {
        // A stored deflate block holding "endstream", then the bomb: the renderer, given the
        // length from an object stream this check cannot read, takes all of it.
        let mut data = vec![0x78, 0x9C, 0x00];
        let word = b"\nendstream\n";
        data.extend_from_slice(&(word.len() as u16).to_le_bytes());
        data.extend_from_slice(&(!(word.len() as u16)).to_le_bytes());
        data.extend_from_slice(word);
        let mut raw = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        raw.write_all(&vec![b' '; 2 << 20]).unwrap();
        data.extend_from_slice(&raw.finish().unwrap());
        let doc = pdf_page(
            {
                let mut o = b"<< /Length 9 0 R /Filter /FlateDecode >>\nstream\n".to_vec();
                o.extend_from_slice(&data);
                o.extend_from_slice(b"\nendstream");
                o
            },
            "",
            &[],
        );
        assert_eq!(check(&doc, &SMALL), TOO_MUCH);
        // A /Length shorter than the data: the renderer reads on to `endstream`; so does this.
        let rl = [129u8, b' '].repeat(20_000);
        let mut o = b"<< /Length 10 /Filter /RunLengthDecode >>\nstream\n".to_vec();
        o.extend_from_slice(&rl);
        o.extend_from_slice(b"\nendstream");
        assert_eq!(check(&pdf_page(o, "", &[]), &SMALL), TOO_MUCH);
    }

    #[test]
    fn overlapping_streams_do_not_make_the_check_read_the_file_over_and_over() {
        // Streams whose length is out of sight, read to the end of the file each: without a
        // bound on what is read in all, n streams cost n times the file.
        let mut objects = vec![
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_vec(),
        ];
        for _ in 0..2000 {
            let mut o = b"<< /Length 9999 0 R /Filter /ASCII85Decode >>\nstream\n".to_vec();
            o.extend_from_slice(&[b' '; 1000]);
            o.extend_from_slice(b"\nendstream");
            objects.push(o);
        }
        assert!(matches!(
            check(&pdf(&objects), &SMALL),
            Err(ReadError::PdfUnsupported(..))
        ));
    }

    #[test]
    fn an_indirect_length_is_followed() {
        let content = b"0 0 m 100 100 l S";
        let mut o = b"<< /Length 5 0 R >>\nstream\n".to_vec();
        o.extend_from_slice(content);
        o.extend_from_slice(b"\nendstream");
        let doc = pdf_page(o, "", &[format!("{}", content.len()).into_bytes()]);
        assert_eq!(check(&doc, &SMALL), Ok(()));
        // An image size kept in an object that is not in the file cannot be checked.
        let doc = image(
            "/Width 9 0 R /Height 10 /Filter /FlateDecode",
            &zlib(&[0; 10]),
        );
        assert!(matches!(
            check(&doc, &SMALL),
            Err(ReadError::PdfUnsupported(..))
        ));
    }

    #[test]
    fn an_encrypted_pdf_is_refused() {
        let mut doc = page("", b"0 0 m");
        let at = doc.windows(7).position(|w| w == b"/Root 1").unwrap();
        doc.splice(
            at..at,
            b"/Encrypt << /Filter /Standard /V 2 >> ".iter().copied(),
        );
        assert!(matches!(
            check(&doc, &SMALL),
            Err(ReadError::PdfUnsupported(..))
        ));
    }

    #[test]
    fn streams_read_while_opening_the_file_are_measured_first() {
        // A cross-reference stream that inflates past its cap: the renderer would inflate it
        // on opening the file.
        let mut doc = page("", b"0 0 m");
        let xref = pdf_stream(
            "/Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode",
            &zlib_of(0, 32 << 20),
        );
        let at = doc.windows(4).position(|w| w == b"xref").unwrap();
        let mut tail = b"6 0 obj\n".to_vec();
        tail.extend_from_slice(&xref);
        tail.extend_from_slice(b"\nendobj\n");
        doc.splice(at..at, tail);
        assert_eq!(check(&doc, &SMALL), TOO_MUCH);
        let limits = crate::Limits::default();
        assert!(matches!(
            crate::read_codes(&doc, &limits),
            Err(ReadError::Expands(_))
        ));
    }
}
