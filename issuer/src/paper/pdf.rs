//! The certificate as a PDF made on the server: the same page as [`super::print`] (the same
//! data, [`super::print::page_data`], and the same wording), laid out on one A4 page.
//!
//! Why krilla (0.7, MIT/Apache-2.0, the PDF writer behind typst): it writes the PDF, subsets the
//! fonts it embeds and writes their ToUnicode maps and ActualText, and it is small (no layout
//! engine, no image codecs with the default features off). Typst itself as a library would lay
//! the page out for us but brings a compiler, a package system and several hundred crates.
//! Bengali needs real shaping (conjuncts such as ক্ষ and স্ত্র, the reph of র্ক, the pre-base
//! vowel sign of কি, the two-part vowel of কো): each word is shaped with harfrust (the HarfBuzz
//! project's Rust port, maintained; krilla's own shaper, rustybuzz, is unmaintained and is
//! left off) and the glyphs handed to krilla as shaped. Line
//! breaking is ours: words break at spaces, as Bengali text does, never inside a word.
//!
//! The fonts are built in (`issuer/fonts/`, SIL OFL 1.1, see `fonts/OFL.txt`): Noto Sans
//! Bengali (regular and bold) and Noto Serif Bengali bold for Bengali, Noto Sans (regular and
//! bold) for Latin script. Each character takes the Bengali font if it is in the Bengali block
//! (or is a danda, ZWJ or ZWNJ) and the Latin font otherwise.
//!
//! Nothing is fetched at run time. If the wording and facts do not fit above the signatures,
//! the whole page is laid out again at a smaller scale (down to 70 %).

use std::sync::LazyLock;

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Transform};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::Document;

use super::print::{body, page_data, qr_side_tenths_mm, PrintContext, PrintPage, SignatoryLine};
use super::qr_image::QrImage;
use super::wording::Wording;
use crate::l10n;

/// Why the PDF could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PdfError {
    /// A built-in font did not load (a broken build).
    #[error("{}", l10n::both("pdf-font", &[("font", .0)]))]
    Font(&'static str),
    /// krilla refused the document.
    #[error("{}", l10n::both("pdf-write", &[("message", .0)]))]
    Write(String),
}

/// Points per millimetre.
pub const MM: f32 = 72.0 / 25.4;
const PAGE_W: f32 = 210.0 * MM;
const PAGE_H: f32 = 297.0 * MM;
/// The sheet: 180 mm wide inside 15 mm margins, as the print page's `.sheet`.
const SHEET_X: f32 = 15.0 * MM;
const SHEET_Y: f32 = 15.0 * MM;
const SHEET_W: f32 = 180.0 * MM;
const SHEET_H: f32 = 267.0 * MM;
/// Inside the sheet's border and padding.
const PAD_X: f32 = 8.0 * MM;
const LEFT: f32 = SHEET_X + PAD_X;
const WIDTH: f32 = SHEET_W - 2.0 * PAD_X;

const GREEN: (u8, u8, u8) = (0x00, 0x6a, 0x4e);
const RED: (u8, u8, u8) = (0xc8, 0x10, 0x2e);
const INK: (u8, u8, u8) = (0x11, 0x11, 0x11);
const GREY: (u8, u8, u8) = (0x44, 0x44, 0x44);
const RULE: (u8, u8, u8) = (0xbb, 0xbb, 0xbb);
const WHITE: (u8, u8, u8) = (0xff, 0xff, 0xff);
const YELLOW: (u8, u8, u8) = (0xff, 0xd4, 0x00);
const LIST_HEAD: (u8, u8, u8) = (0xe8, 0xf1, 0xec);

/// The built-in fonts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Face {
    Bn,
    BnBold,
    SerifBold,
    Latin,
    LatinBold,
}

const FONT_FILES: [(&str, &[u8]); 5] = [
    (
        "NotoSansBengali-Regular.ttf",
        include_bytes!("../../fonts/NotoSansBengali-Regular.ttf"),
    ),
    (
        "NotoSansBengali-Bold.ttf",
        include_bytes!("../../fonts/NotoSansBengali-Bold.ttf"),
    ),
    (
        "NotoSerifBengali-Bold.ttf",
        include_bytes!("../../fonts/NotoSerifBengali-Bold.ttf"),
    ),
    (
        "NotoSans-Regular.ttf",
        include_bytes!("../../fonts/NotoSans-Regular.ttf"),
    ),
    (
        "NotoSans-Bold.ttf",
        include_bytes!("../../fonts/NotoSans-Bold.ttf"),
    ),
];

/// A font loaded twice: for krilla (embedding) and for harfrust (shaping).
struct Loaded {
    pdf: Font,
    shaping: harfrust::Font,
    upem: f32,
}

static FONTS: LazyLock<Result<Vec<Loaded>, PdfError>> = LazyLock::new(|| {
    FONT_FILES
        .iter()
        .map(|&(name, bytes)| {
            let pdf = Font::new(bytes.into(), 0).ok_or(PdfError::Font(name))?;
            let shaping = harfrust::Font::new(bytes, 0).ok_or(PdfError::Font(name))?;
            let upem = f32::from(shaping.units_per_em()).max(1.0);
            Ok(Loaded { pdf, shaping, upem })
        })
        .collect()
});

/// How a piece of text looks.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Style {
    size: f32,
    bold: bool,
    serif: bool,
    color: (u8, u8, u8),
}

impl Style {
    fn new(size: f32) -> Style {
        Style {
            size,
            bold: false,
            serif: false,
            color: INK,
        }
    }
    fn bold(self) -> Style {
        Style { bold: true, ..self }
    }
    fn serif(self) -> Style {
        Style {
            serif: true,
            bold: true,
            ..self
        }
    }
    fn color(self, color: (u8, u8, u8)) -> Style {
        Style { color, ..self }
    }
    fn face(self, bengali: bool) -> Face {
        match (bengali, self.serif, self.bold) {
            (true, true, _) => Face::SerifBold,
            (true, false, true) => Face::BnBold,
            (true, false, false) => Face::Bn,
            (false, _, true) => Face::LatinBold,
            (false, _, false) => Face::Latin,
        }
    }
}

/// Set in the Bengali font: the Bengali block, the dandas, ZWNJ and ZWJ.
fn is_bengali(c: char) -> bool {
    matches!(
        c,
        '\u{0980}'..='\u{09FF}' | '\u{0964}' | '\u{0965}' | '\u{200C}' | '\u{200D}'
    )
}

/// One font's shaped glyphs of a piece of text.
#[derive(Debug, Clone)]
struct Run {
    text: String,
    face: Face,
    style: Style,
    glyphs: Vec<KrillaGlyph>,
    width: f32,
}

/// A word: runs with no space between them.
#[derive(Debug, Clone, Default)]
struct Word {
    runs: Vec<Run>,
    width: f32,
}

/// The shaper: the loaded fonts.
struct Shaper<'f> {
    fonts: &'f [Loaded],
}

impl Shaper<'_> {
    fn font(&self, f: Face) -> &Loaded {
        &self.fonts[f as usize]
    }

    /// Shapes `text` in one font with harfrust; the glyphs' text ranges index `text`. A text
    /// harfrust refuses (it never does for a buffer with its script and direction guessed)
    /// comes out as no glyphs rather than a panic.
    fn run(&self, text: &str, face: Face, style: Style) -> Run {
        let font = self.font(face);
        let shaper = harfrust::ShaperFont::new(&font.shaping);
        let mut buffer = harfrust::Buffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        if let Err(e) = harfrust::shape(&shaper, &mut buffer, harfrust::ShapeOptions::new()) {
            tracing::error!(error = ?e, "shaping");
            buffer.clear();
        }
        let infos = buffer.glyph_infos();
        let positions = buffer.glyph_positions();
        let mut glyphs = Vec::with_capacity(infos.len());
        let mut width = 0.0;
        for (i, (info, pos)) in infos.iter().zip(positions).enumerate() {
            let start = info.cluster as usize;
            // The cluster ends where the next different cluster starts (left to right).
            let end = infos[i..]
                .iter()
                .map(|g| g.cluster as usize)
                .find(|&c| c != start)
                .unwrap_or(text.len());
            let (start, end) = (start.min(end), start.max(end));
            let adv = pos.x_advance as f32 / font.upem;
            width += adv * style.size;
            glyphs.push(KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                adv,
                pos.x_offset as f32 / font.upem,
                pos.y_offset as f32 / font.upem,
                pos.y_advance as f32 / font.upem,
                start..end,
                None,
            ));
        }
        Run {
            text: text.to_owned(),
            face,
            style,
            glyphs,
            width,
        }
    }

    /// A word in its pieces of style, each split by script into runs.
    fn word(&self, pieces: &[(String, Style)]) -> Word {
        let mut w = Word::default();
        for (text, style) in pieces {
            let mut start = 0;
            let mut current: Option<bool> = None;
            for (i, c) in text.char_indices() {
                let b = is_bengali(c);
                if current.is_some_and(|cur| cur != b) {
                    let run = self.run(&text[start..i], style.face(!b), *style);
                    w.width += run.width;
                    w.runs.push(run);
                    start = i;
                }
                current = Some(b);
            }
            if start < text.len() {
                let run = self.run(&text[start..], style.face(current == Some(true)), *style);
                w.width += run.width;
                w.runs.push(run);
            }
        }
        w
    }

    /// The width of a space in `style`.
    fn space(&self, style: Style) -> f32 {
        self.run(" ", style.face(false), style).width
    }
}

/// A piece of styled text as the wording's HTML gives it.
#[derive(Debug, Clone, PartialEq)]
struct Span {
    text: String,
    style: Style,
}

fn span(text: impl Into<String>, style: Style) -> Span {
    Span {
        text: text.into(),
        style,
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Align {
    Left,
    Center,
    Right,
    Justify,
}

/// What is drawn, in page coordinates (points, y down).
#[derive(Debug)]
enum Op {
    Text {
        x: f32,
        baseline: f32,
        run: Run,
    },
    Rect {
        rect: Rect,
        color: (u8, u8, u8),
    },
    Line {
        from: (f32, f32),
        to: (f32, f32),
        width: f32,
        color: (u8, u8, u8),
    },
    Frame {
        rect: Rect,
        width: f32,
        color: (u8, u8, u8),
    },
    /// A filled circle (the flag's sun).
    Disc {
        cx: f32,
        cy: f32,
        r: f32,
        color: (u8, u8, u8),
    },
}

/// The page being laid out.
struct Layout<'f> {
    shaper: Shaper<'f>,
    ops: Vec<Op>,
    /// The scale of every size (1.0, or less to fit).
    k: f32,
}

impl Layout<'_> {
    /// Breaks `spans` into lines of at most `width` and places them with the first line's top
    /// at `top`; returns the height used. `line` is the line height as a multiple of the size.
    fn text(
        &mut self,
        spans: &[Span],
        x: f32,
        top: f32,
        width: f32,
        line: f32,
        align: Align,
    ) -> f32 {
        let spans: Vec<Span> = spans
            .iter()
            .map(|s| {
                span(
                    s.text.clone(),
                    Style {
                        size: s.style.size * self.k,
                        ..s.style
                    },
                )
            })
            .collect();
        // Words: the text split at spaces; a piece without a space before it continues the word.
        let mut words: Vec<(Vec<(String, Style)>, f32)> = Vec::new();
        let mut current: Vec<(String, Style)> = Vec::new();
        let mut current_space = 0.0;
        for s in &spans {
            for (i, piece) in s.text.split([' ', '\n']).enumerate() {
                if i > 0 && !current.is_empty() {
                    words.push((std::mem::take(&mut current), current_space));
                }
                if !piece.is_empty() {
                    if current.is_empty() {
                        current_space = self.shaper.space(s.style);
                    }
                    current.push((piece.to_owned(), s.style));
                }
            }
        }
        if !current.is_empty() {
            words.push((current, current_space));
        }
        let words: Vec<(Word, f32, f32)> = words
            .iter()
            .map(|(pieces, space)| {
                let size = pieces.iter().map(|p| p.1.size).fold(0.0, f32::max);
                (self.shaper.word(pieces), *space, size)
            })
            .collect();
        // Greedy line breaking.
        let mut lines: Vec<Vec<usize>> = vec![Vec::new()];
        let mut used = 0.0;
        for (i, (w, space, _)) in words.iter().enumerate() {
            let last = lines.last_mut().expect("one line at least");
            let add = if last.is_empty() {
                w.width
            } else {
                space + w.width
            };
            if !last.is_empty() && used + add > width {
                lines.push(vec![i]);
                used = w.width;
            } else {
                last.push(i);
                used += add;
            }
        }
        let mut y = top;
        let n = lines.len();
        for (li, l) in lines.iter().enumerate() {
            if l.is_empty() {
                continue;
            }
            let size = l.iter().map(|&i| words[i].2).fold(0.0, f32::max);
            let height = size * line;
            let natural: f32 = l
                .iter()
                .enumerate()
                .map(|(j, &i)| words[i].0.width + if j > 0 { words[i].1 } else { 0.0 })
                .sum();
            let slack = (width - natural).max(0.0);
            let (mut cx, extra) = match align {
                Align::Left => (x, 0.0),
                Align::Center => (x + slack / 2.0, 0.0),
                Align::Right => (x + slack, 0.0),
                Align::Justify if li + 1 < n && l.len() > 1 => (x, slack / (l.len() - 1) as f32),
                Align::Justify => (x, 0.0),
            };
            let baseline = y + height / 2.0 + size * 0.33;
            for (j, &i) in l.iter().enumerate() {
                if j > 0 {
                    cx += words[i].1 + extra;
                }
                for run in &words[i].0.runs {
                    let w = run.width;
                    self.ops.push(Op::Text {
                        x: cx,
                        baseline,
                        run: run.clone(),
                    });
                    cx += w;
                }
            }
            y += height;
        }
        y - top
    }

    /// The width `spans` take on one line.
    fn measure(&self, spans: &[Span]) -> f32 {
        let mut probe = Layout {
            shaper: Shaper {
                fonts: self.shaper.fonts,
            },
            ops: Vec::new(),
            k: self.k,
        };
        probe.text(spans, 0.0, 0.0, f32::INFINITY, 1.0, Align::Left);
        let mut right: f32 = 0.0;
        for op in &probe.ops {
            if let Op::Text { x, run, .. } = op {
                right = right.max(x + run.width);
            }
        }
        right
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: (u8, u8, u8)) {
        if let Some(rect) = Rect::from_xywh(x, y, w, h) {
            self.ops.push(Op::Rect { rect, color });
        }
    }

    fn hline(&mut self, x: f32, y: f32, w: f32, width: f32, color: (u8, u8, u8)) {
        self.ops.push(Op::Line {
            from: (x, y),
            to: (x + w, y),
            width,
            color,
        });
    }
}

/// A block of the wording.
#[derive(Debug, PartialEq)]
enum Block {
    Para { spans: Vec<Span>, en: bool },
    Table { rows: Vec<Vec<Vec<Span>>> },
}

/// The wording's HTML as blocks: `<p>` (class `en` for the English paragraph), `<b>`,
/// `<span lang="en">` and the list's `<table>` rows and cells. Other tags are ignored; the
/// entities the escapers write are decoded.
fn blocks(html: &str, base: Style, en_base: Style) -> Vec<Block> {
    let mut out = Vec::new();
    let mut para: Option<(Vec<Span>, bool)> = None;
    let mut rows: Option<Vec<Vec<Vec<Span>>>> = None;
    let mut cell: Option<Vec<Span>> = None;
    let mut bold = 0u32;
    let mut small = false;
    let mut header = false;
    let mut rest = html;
    while !rest.is_empty() {
        if let Some(tag_rest) = rest.strip_prefix('<') {
            let end = tag_rest.find('>').unwrap_or(tag_rest.len());
            let tag = &tag_rest[..end];
            rest = tag_rest.get(end + 1..).unwrap_or("");
            let name = tag
                .split(|c: char| c.is_whitespace())
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            match name.as_str() {
                "p" => para = Some((Vec::new(), tag.contains("en"))),
                "/p" => {
                    if let Some((spans, en)) = para.take() {
                        out.push(Block::Para { spans, en });
                    }
                }
                "b" | "strong" => bold += 1,
                "/b" | "/strong" => bold = bold.saturating_sub(1),
                "span" if tag.contains("lang=\"en\"") => small = true,
                "/span" => small = false,
                "table" => rows = Some(Vec::new()),
                "/table" => {
                    if let Some(rows) = rows.take() {
                        out.push(Block::Table { rows });
                    }
                }
                "thead" => header = true,
                "/thead" => header = false,
                "tr" => {
                    if let Some(r) = rows.as_mut() {
                        r.push(Vec::new());
                    }
                }
                "td" | "th" => cell = Some(Vec::new()),
                "/td" | "/th" => {
                    if let (Some(c), Some(r)) =
                        (cell.take(), rows.as_mut().and_then(|r| r.last_mut()))
                    {
                        r.push(c);
                    }
                }
                _ => {}
            }
            continue;
        }
        let end = rest.find('<').unwrap_or(rest.len());
        let text = unescape(&rest[..end]);
        rest = &rest[end..];
        let en = para.as_ref().is_some_and(|p| p.1);
        let mut style = if en { en_base } else { base };
        if cell.is_some() {
            style.size = base.size * 0.9;
        }
        if small {
            style = Style {
                size: style.size * 0.8,
                color: GREY,
                ..style
            };
        }
        if bold > 0 || (header && cell.is_some() && !small) {
            style = style.bold();
        }
        if let Some(c) = cell.as_mut() {
            c.push(span(text, style));
        } else if let Some((spans, _)) = para.as_mut() {
            spans.push(span(text, style));
        }
    }
    out
}

/// The entities `sonod_l10n::html::esc` and MiniJinja write: `&amp;`, `&lt;`, `&gt;`,
/// `&quot;`, `&#39;` and any `&#…;` / `&#x…;`.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';').filter(|&e| e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e => e
                .strip_prefix("#x")
                .or_else(|| e.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| e.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The certificate as a one-page A4 PDF, with an office's wording. `qr` is the QR code of
/// `ctx.qr_text`.
pub fn render_pdf(
    ctx: &PrintContext<'_>,
    qr: &QrImage,
    wording: &Wording,
) -> Result<Vec<u8>, PdfError> {
    render_pdf_signed(ctx, qr, wording, None)
}

/// [`render_pdf`] with the office's signatory for the type on the right-hand signature line
/// (name and title in Bangla, then in English, then the office).
pub fn render_pdf_signed(
    ctx: &PrintContext<'_>,
    qr: &QrImage,
    wording: &Wording,
    signatory: Option<SignatoryLine>,
) -> Result<Vec<u8>, PdfError> {
    let mut page = page_data(ctx, body(ctx, wording));
    page.signatory = signatory;
    let fonts = FONTS.as_ref().map_err(|e| PdfError::Write(e.to_string()))?;
    // Lay out at full size; if the facts run into the signatures, again smaller.
    let mut k = 1.0;
    let ops = loop {
        let (ops, fits) = lay_out(&page, qr, fonts, k);
        if fits || k <= 0.7 {
            break ops;
        }
        k -= 0.05;
    };
    draw(&page, ops, fonts)
}

/// A specimen of the text engine: `text` on one line in Noto Sans Bengali at `size` points, on
/// a page just large enough (a 10-point margin). For checking the shaping against another
/// renderer (tests/pdf_render.rs compares it with Chromium's rendering of the same words).
pub fn specimen(text: &str, size: f32) -> Result<Vec<u8>, PdfError> {
    let fonts = FONTS.as_ref().map_err(|e| PdfError::Write(e.to_string()))?;
    let mut l = Layout {
        shaper: Shaper { fonts },
        ops: Vec::new(),
        k: 1.0,
    };
    let w = l.measure(&[span(text, Style::new(size))]);
    l = Layout {
        shaper: Shaper { fonts },
        ops: Vec::new(),
        k: 1.0,
    };
    l.text(
        &[span(text, Style::new(size))],
        10.0,
        10.0,
        f32::INFINITY,
        1.6,
        Align::Left,
    );
    let mut doc = Document::new();
    let settings = PageSettings::from_wh(w + 20.0, size * 1.6 + 20.0)
        .ok_or_else(|| PdfError::Write("page size".into()))?;
    let mut page = doc.start_page_with(settings);
    let mut surface = page.surface();
    for op in l.ops {
        if let Op::Text { x, baseline, run } = op {
            surface.set_fill(Some(fill(run.style.color)));
            draw_run(&mut surface, fonts, x, baseline, &run);
        }
    }
    surface.finish();
    page.finish();
    doc.finish().map_err(|e| PdfError::Write(format!("{e:?}")))
}

/// The certificate's file name: `sonod-<number>.pdf`, the number in Latin digits.
pub fn file_name(ctx: &PrintContext<'_>) -> String {
    let number = sonod_seal::CertificateNumber::new(ctx.record.office(), ctx.serial);
    format!("sonod-{}.pdf", number.en())
}

/// The QR code's printed side in millimetres (quiet zone included): the print page's size.
pub fn qr_side_mm(qr: &QrImage) -> f32 {
    qr_side_tenths_mm(qr.width() as u32 + 8) as f32 / 10.0
}

/// Lays the page out at scale `k`; says whether the content fits above the footer.
fn lay_out(p: &PrintPage<'_>, qr: &QrImage, fonts: &[Loaded], k: f32) -> (Vec<Op>, bool) {
    let mut l = Layout {
        shaper: Shaper { fonts },
        ops: Vec::new(),
        k,
    };
    let s = |size: f32| Style::new(size);
    // The sheet's double border.
    for (inset, w) in [(0.0, 0.8), (2.2, 0.8)] {
        if let Some(rect) = Rect::from_xywh(
            SHEET_X + inset,
            SHEET_Y + inset,
            SHEET_W - 2.0 * inset,
            SHEET_H - 2.0 * inset,
        ) {
            l.ops.push(Op::Frame {
                rect,
                width: w,
                color: GREEN,
            });
        }
    }
    let mut y = SHEET_Y + 5.0 * MM;
    let band_x = SHEET_X + 4.0 * MM;
    let band_w = SHEET_W - 8.0 * MM;
    if p.revoked {
        let spans = [
            span(
                format!("{} — ", l10n::bn("revoked-band")),
                s(11.0).bold().color(WHITE),
            ),
            span(l10n::en("revoked-band"), s(11.0).bold().color(WHITE)),
        ];
        let at = l.ops.len();
        let h = l.text(
            &spans,
            band_x + 2.0 * MM,
            y + 0.8 * MM,
            band_w - 4.0 * MM,
            1.35,
            Align::Center,
        );
        let rect_h = h + 1.6 * MM;
        if let Some(rect) = Rect::from_xywh(band_x, y, band_w, rect_h) {
            l.ops.insert(at, Op::Rect { rect, color: RED });
        }
        y += rect_h + 1.5 * MM;
    }
    if p.development {
        let at = l.ops.len();
        let mut h = l.text(
            &[span(
                format!("{} / {}", l10n::bn("specimen"), l10n::en("specimen")),
                s(11.0).bold(),
            )],
            band_x + 2.0 * MM,
            y + 0.8 * MM,
            band_w - 4.0 * MM,
            1.35,
            Align::Center,
        );
        h += l.text(
            &[span(
                format!(
                    "{} / {}",
                    l10n::bn("specimen-note"),
                    l10n::en("specimen-note")
                ),
                s(7.5),
            )],
            band_x + 2.0 * MM,
            y + 0.8 * MM + h,
            band_w - 4.0 * MM,
            1.35,
            Align::Center,
        );
        let rect_h = h + 1.6 * MM;
        if let Some(rect) = Rect::from_xywh(band_x, y, band_w, rect_h) {
            l.ops.insert(
                at,
                Op::Frame {
                    rect,
                    width: 1.0,
                    color: INK,
                },
            );
            l.ops.insert(
                at,
                Op::Rect {
                    rect,
                    color: YELLOW,
                },
            );
        }
        y += rect_h + 1.5 * MM;
    }
    // The header: the flag, the government, the office.
    let head_top = y;
    l.rect(LEFT, head_top + 1.0 * MM, 15.0 * MM, 9.0 * MM, GREEN);
    l.ops.push(Op::Disc {
        cx: LEFT + 6.75 * MM,
        cy: head_top + 5.5 * MM,
        r: 3.0 * MM,
        color: (0xf4, 0x2a, 0x41),
    });
    y += l.text(
        &[span(l10n::bn("government"), s(10.0))],
        LEFT,
        y,
        WIDTH,
        1.3,
        Align::Center,
    );
    y += l.text(
        &[span(
            unescape(&l10n::en("government")),
            s(7.5).color((0x33, 0x33, 0x33)),
        )],
        LEFT,
        y,
        WIDTH,
        1.3,
        Align::Center,
    );
    y += 0.5 * MM;
    y += l.text(
        &[span(p.office_bn, s(20.0).serif().color(GREEN))],
        LEFT,
        y,
        WIDTH,
        1.3,
        Align::Center,
    );
    y += l.text(
        &[span(p.office_en, s(10.5).bold())],
        LEFT,
        y,
        WIDTH,
        1.3,
        Align::Center,
    );
    if let Some(a) = p.office_address_bn {
        y += l.text(
            &[span(a, s(8.5).color((0x33, 0x33, 0x33)))],
            LEFT,
            y,
            WIDTH,
            1.3,
            Align::Center,
        );
    }
    y += 1.5 * MM;
    l.hline(LEFT, y, WIDTH, 1.5, GREEN);
    y += 2.0 * MM;
    // The number, the title and the date.
    let title_w = l
        .measure(&[span(p.name_bn, s(15.0).serif())])
        .max(l.measure(&[span(p.name_en, s(9.5).bold())]))
        + 12.0 * MM * k;
    let title_w = title_w.min(WIDTH * 0.5);
    let side_w = (WIDTH - title_w) / 2.0 - 3.0 * MM;
    let mut left_h = l.text(
        &[
            span(format!("{}: ", l10n::bn("cert-no")), s(9.0)),
            span(p.number_bn.clone(), s(9.0).bold()),
        ],
        LEFT,
        y,
        side_w,
        1.45,
        Align::Left,
    );
    left_h += l.text(
        &[span(
            format!("{} {}", l10n::en("cert-no"), p.number_en),
            s(7.5).color((0x33, 0x33, 0x33)),
        )],
        LEFT,
        y + left_h,
        side_w,
        1.45,
        Align::Left,
    );
    let right_x = LEFT + WIDTH - side_w;
    let mut right_h = l.text(
        &[
            span(format!("{}: ", l10n::bn("date")), s(9.0)),
            span(p.issued_bn.clone(), s(9.0).bold()),
            span(format!(" {}", l10n::bn("christian-era")), s(9.0)),
        ],
        right_x,
        y,
        side_w,
        1.45,
        Align::Right,
    );
    right_h += l.text(
        &[
            span(p.issued_bs.clone(), s(9.0).bold()),
            span(format!(" {}", l10n::bn("bangla-era")), s(9.0)),
        ],
        right_x,
        y + right_h,
        side_w,
        1.45,
        Align::Right,
    );
    let title_x = LEFT + (WIDTH - title_w) / 2.0;
    let at = l.ops.len();
    let box_h = l.text(
        &[span(p.name_bn, s(15.0).serif().color(WHITE))],
        title_x,
        y + 0.3 * MM,
        title_w,
        1.45,
        Align::Center,
    ) + 0.6 * MM;
    if let Some(rect) = Rect::from_xywh(title_x, y, title_w, box_h) {
        l.ops.insert(at, Op::Rect { rect, color: GREEN });
    }
    let title_h = box_h
        + 0.5 * MM
        + l.text(
            &[span(p.name_en, s(9.5).bold())],
            title_x,
            y + box_h + 0.5 * MM,
            title_w,
            1.3,
            Align::Center,
        );
    y += left_h.max(right_h).max(title_h) + 2.0 * MM;
    // The wording.
    let mut bn = blocks(&p.body_bn, s(10.5), s(8.5));
    bn.extend(blocks(
        &format!("<p class=\"en\">{}</p>", p.body_en),
        s(10.5),
        s(8.5).color((0x22, 0x22, 0x22)),
    ));
    for b in &bn {
        match b {
            Block::Para { spans, en } => {
                if *en {
                    y += 1.0 * MM;
                }
                y += l.text(
                    spans,
                    LEFT,
                    y,
                    WIDTH,
                    if *en { 1.4 } else { 1.55 },
                    Align::Justify,
                );
                y += 1.2 * MM;
            }
            Block::Table { rows } => {
                y += 0.5 * MM;
                y = list_table(&mut l, rows, y);
                y += 1.5 * MM;
            }
        }
    }
    // The table of facts.
    y += 2.0 * MM;
    l.hline(LEFT, y, WIDTH, 0.8, GREEN);
    let cols = [WIDTH * 0.24, WIDTH * 0.21, WIDTH * 0.55];
    let pad = 1.5 * MM;
    for f in &p.facts {
        let top = y + 0.5 * MM;
        let h1 = l.text(
            &[span(f.label_bn.clone(), s(9.0).bold())],
            LEFT + pad,
            top,
            cols[0] - 2.0 * pad,
            1.3,
            Align::Left,
        );
        let h2 = l.text(
            &[span(f.label_en.clone(), s(7.5).color(GREY))],
            LEFT + cols[0] + pad,
            top + 0.4 * MM,
            cols[1] - 2.0 * pad,
            1.3,
            Align::Left,
        ) + 0.4 * MM;
        let mut value = vec![span(f.value.clone(), s(9.0))];
        if let Some(lat) = &f.lat {
            value.push(span(format!(" {lat}"), s(7.5).color((0x55, 0x55, 0x55))));
        }
        let vx = LEFT + cols[0] + cols[1] + pad;
        let vw = cols[2] - 2.0 * pad - 8.0 * MM;
        let at = l.ops.len();
        let h3 = l.text(&value, vx, top, vw, 1.3, Align::Left);
        if f.signed {
            // The "QR" badge after the value's last line.
            let last_right = l.ops[at..]
                .iter()
                .filter_map(|o| match o {
                    Op::Text { x, baseline, run } => Some((*baseline, x + run.width)),
                    _ => None,
                })
                .fold((0.0f32, vx), |acc, (b, r)| {
                    if b > acc.0 + 0.1 {
                        (b, r)
                    } else if (b - acc.0).abs() <= 0.1 {
                        (acc.0, acc.1.max(r))
                    } else {
                        acc
                    }
                });
            badge(&mut l, last_right.1 + 1.5 * MM, last_right.0);
        }
        y = top + h1.max(h2).max(h3) + 0.5 * MM;
        l.hline(LEFT, y, WIDTH, 0.5, RULE);
    }
    let content_bottom = y;
    // The footer, from the bottom of the sheet up: the fine print, then the signatures and QR.
    let fine = [
        span("QR ", s(6.5).bold().color(GREEN)),
        span(
            format!("{} / {}", l10n::bn("qr-marked"), l10n::en("qr-marked")),
            s(6.5).color(GREY),
        ),
    ];
    let fine_h = {
        let mut probe = Layout {
            shaper: Shaper { fonts },
            ops: Vec::new(),
            k,
        };
        probe.text(&fine, LEFT, 0.0, WIDTH, 1.35, Align::Center)
    };
    let fine_top = SHEET_Y + SHEET_H - 4.0 * MM - fine_h;
    l.hline(LEFT, fine_top - 0.8 * MM, WIDTH, 0.5, RULE);
    l.text(&fine, LEFT, fine_top, WIDTH, 1.35, Align::Center);
    let side = qr_side_mm(qr) * MM;
    let cap_h = 2.0 * 8.5 * 1.3 * k + 2.0 * 6.5 * 1.4 * k + 0.3 * MM;
    let foot_bottom = fine_top - 1.5 * MM;
    let qr_top = foot_bottom - cap_h - side;
    let qr_x = LEFT + (WIDTH - side) / 2.0;
    qr_modules(&mut l, qr, qr_x, qr_top, side);
    let mut cy = qr_top + side + 0.3 * MM;
    let cap_x = LEFT + (WIDTH - 66.0 * MM) / 2.0;
    cy += l.text(
        &[span(l10n::bn("scan-to-verify"), s(8.5))],
        cap_x,
        cy,
        66.0 * MM,
        1.3,
        Align::Center,
    );
    cy += l.text(
        &[span(l10n::en("scan-to-verify"), s(7.5))],
        cap_x,
        cy,
        66.0 * MM,
        1.3,
        Align::Center,
    );
    let mut kid = Vec::new();
    if let Some(h) = &p.host {
        kid.push(span(format!("{h} · "), s(6.5).color(GREY)));
    }
    kid.push(span(
        format!(
            "{} / {} {}",
            l10n::bn("key-id"),
            l10n::en("key-id"),
            p.key_id
        ),
        s(6.5).color(GREY),
    ));
    l.text(&kid, cap_x, cy, 66.0 * MM, 1.4, Align::Center);
    // The two signatory lines, level with the bottom of the QR code's caption.
    let sign_w = 52.0 * MM;
    for (x, lines) in [
        (
            LEFT,
            [
                span(l10n::bn("prepared-by"), s(9.0)),
                span(l10n::en("prepared-by"), s(8.0)),
                span(
                    format!(
                        "{} / {}",
                        l10n::bn("name-and-designation"),
                        l10n::en("name-and-designation")
                    ),
                    s(7.0).color((0x33, 0x33, 0x33)),
                ),
            ],
        ),
        (
            LEFT + WIDTH - sign_w,
            match &p.signatory {
                Some(g) => [
                    span(format!("{} — {}", g.name_bn, g.title_bn), s(9.0)),
                    span(format!("{}, {}", g.name_en, g.title_en), s(8.0)),
                    span(p.office_bn, s(7.0).color((0x33, 0x33, 0x33))),
                ],
                None => [
                    span(l10n::bn("signatory"), s(9.0)),
                    span(l10n::en("signatory"), s(8.0)),
                    span(p.office_bn, s(7.0).color((0x33, 0x33, 0x33))),
                ],
            },
        ),
    ] {
        let top = foot_bottom - 4.0 * MM - 3.0 * 9.0 * 1.35 * k - 1.0 * MM;
        l.hline(x, top, sign_w, 0.8, INK);
        let mut ly = top + 1.0 * MM;
        for line in lines {
            ly += l.text(&[line], x, ly, sign_w, 1.35, Align::Center);
        }
    }
    let fits = content_bottom + 2.0 * MM <= qr_top;
    (l.ops, fits)
}

/// The list of heirs or family members: a ruled table, the head shaded.
fn list_table(l: &mut Layout<'_>, rows: &[Vec<Vec<Span>>], mut y: f32) -> f32 {
    let widths = [20.0 * MM, 0.0, 0.0, 24.0 * MM];
    let rest = WIDTH - widths[0] - widths[3];
    let widths = [widths[0], rest * 0.55, rest * 0.45, widths[3]];
    let pad = 2.0 * MM;
    l.hline(LEFT, y, WIDTH, 0.6, (0x55, 0x55, 0x55));
    for (ri, row) in rows.iter().enumerate() {
        let at = l.ops.len();
        let mut x = LEFT;
        let mut h: f32 = 0.0;
        for (ci, cell) in row.iter().enumerate().take(4) {
            let align = if ci == 0 { Align::Center } else { Align::Left };
            h = h.max(l.text(
                cell,
                x + pad,
                y + 0.3 * MM,
                widths[ci] - 2.0 * pad,
                1.35,
                align,
            ));
            x += widths[ci];
        }
        h += 0.6 * MM;
        if ri == 0 {
            if let Some(rect) = Rect::from_xywh(LEFT, y, WIDTH, h) {
                l.ops.insert(
                    at,
                    Op::Rect {
                        rect,
                        color: LIST_HEAD,
                    },
                );
            }
        }
        let mut x = LEFT;
        for w in widths {
            l.ops.push(Op::Line {
                from: (x, y),
                to: (x, y + h),
                width: 0.6,
                color: (0x55, 0x55, 0x55),
            });
            x += w;
        }
        l.ops.push(Op::Line {
            from: (x, y),
            to: (x, y + h),
            width: 0.6,
            color: (0x55, 0x55, 0x55),
        });
        y += h;
        l.hline(LEFT, y, WIDTH, 0.6, (0x55, 0x55, 0x55));
    }
    y
}

/// The small "QR" mark after a fact signed into the code, its baseline at `baseline`.
fn badge(l: &mut Layout<'_>, x: f32, baseline: f32) {
    let size = 5.5;
    let at = l.ops.len();
    let w = l.measure(&[span("QR", Style::new(size).bold())]);
    let h = size * l.k;
    l.text(
        &[span("QR", Style::new(size).bold().color(GREEN))],
        x + 0.6 * MM,
        baseline - h - 0.3 * MM,
        w,
        1.0,
        Align::Left,
    );
    if let Some(rect) = Rect::from_xywh(x, baseline - h - 0.6 * MM, w + 1.2 * MM, h + 0.9 * MM) {
        l.ops.insert(
            at,
            Op::Frame {
                rect,
                width: 0.6,
                color: GREEN,
            },
        );
    }
}

/// The QR code: each row's dark modules as rectangles, merged along the row, inside a white
/// square with the 4-module quiet zone; `side` includes the quiet zone.
fn qr_modules(l: &mut Layout<'_>, qr: &QrImage, x: f32, y: f32, side: f32) {
    let n = qr.width();
    let m = side / (n + 8) as f32;
    l.rect(x, y, side, side, WHITE);
    let dark = qr.dark_modules();
    for row in 0..n {
        let mut col = 0;
        while col < n {
            if dark[row * n + col] {
                let start = col;
                while col < n && dark[row * n + col] {
                    col += 1;
                }
                // A hair taller than a module, so that rows do not show seams when rasterised.
                l.rect(
                    x + (start + 4) as f32 * m,
                    y + (row + 4) as f32 * m,
                    (col - start) as f32 * m,
                    m + 0.01,
                    INK,
                );
            } else {
                col += 1;
            }
        }
    }
}

fn fill(color: (u8, u8, u8)) -> Fill {
    Fill {
        paint: rgb::Color::new(color.0, color.1, color.2).into(),
        ..Fill::default()
    }
}

fn stroke(color: (u8, u8, u8), width: f32) -> Stroke {
    Stroke {
        paint: rgb::Color::new(color.0, color.1, color.2).into(),
        width,
        ..Stroke::default()
    }
}

/// Writes the page: the ops, then the REVOKED watermark over them.
fn draw(p: &PrintPage<'_>, ops: Vec<Op>, fonts: &[Loaded]) -> Result<Vec<u8>, PdfError> {
    let mut doc = Document::new();
    doc.set_metadata(
        krilla::metadata::Metadata::new()
            .title(format!(
                "{} — {} {} — {}",
                p.name_bn,
                l10n::bn("cert-no"),
                p.number_bn,
                p.office_bn
            ))
            .language("bn".into())
            .creator("sonod-issuer".into()),
    );
    {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H)
            .ok_or_else(|| PdfError::Write("page size".into()))?;
        let mut page = doc.start_page_with(settings);
        let mut surface = page.surface();
        // Rectangles of one colour in one path: the QR code is one fill, not hundreds.
        let mut rects: Vec<((u8, u8, u8), PathBuilder)> = Vec::new();
        let flush = |surface: &mut Surface<'_>, rects: &mut Vec<((u8, u8, u8), PathBuilder)>| {
            for (color, pb) in rects.drain(..) {
                if let Some(path) = pb.finish() {
                    surface.set_stroke(None);
                    surface.set_fill(Some(fill(color)));
                    surface.draw_path(&path);
                }
            }
        };
        for op in ops {
            match op {
                Op::Rect { rect, color } => {
                    match rects.last_mut() {
                        Some((c, pb)) if *c == color => pb.push_rect(rect),
                        _ => {
                            let mut pb = PathBuilder::new();
                            pb.push_rect(rect);
                            rects.push((color, pb));
                        }
                    }
                    continue;
                }
                _ => flush(&mut surface, &mut rects),
            }
            match op {
                Op::Text { x, baseline, run } => {
                    surface.set_stroke(None);
                    surface.set_fill(Some(fill(run.style.color)));
                    draw_run(&mut surface, fonts, x, baseline, &run);
                }
                Op::Line {
                    from,
                    to,
                    width,
                    color,
                } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(from.0, from.1);
                    pb.line_to(to.0, to.1);
                    if let Some(path) = pb.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(stroke(color, width)));
                        surface.draw_path(&path);
                    }
                }
                Op::Frame { rect, width, color } => {
                    let mut pb = PathBuilder::new();
                    pb.push_rect(rect);
                    if let Some(path) = pb.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(stroke(color, width)));
                        surface.draw_path(&path);
                    }
                }
                Op::Disc { cx, cy, r, color } => {
                    // Four cubic arcs.
                    let k = 0.552_284_8 * r;
                    let mut pb = PathBuilder::new();
                    pb.move_to(cx + r, cy);
                    pb.cubic_to(cx + r, cy + k, cx + k, cy + r, cx, cy + r);
                    pb.cubic_to(cx - k, cy + r, cx - r, cy + k, cx - r, cy);
                    pb.cubic_to(cx - r, cy - k, cx - k, cy - r, cx, cy - r);
                    pb.cubic_to(cx + k, cy - r, cx + r, cy - k, cx + r, cy);
                    pb.close();
                    if let Some(path) = pb.finish() {
                        surface.set_stroke(None);
                        surface.set_fill(Some(fill(color)));
                        surface.draw_path(&path);
                    }
                }
                Op::Rect { .. } => {}
            }
        }
        flush(&mut surface, &mut rects);
        if p.revoked {
            watermark(&mut surface, fonts);
        }
        surface.finish();
        page.finish();
    }
    doc.finish().map_err(|e| PdfError::Write(format!("{e:?}")))
}

/// One shaped run's glyphs at `(x, baseline)`, in its face and size (the fill is the caller's).
fn draw_run(surface: &mut Surface<'_>, fonts: &[Loaded], x: f32, baseline: f32, run: &Run) {
    surface.draw_glyphs(
        Point::from_xy(x, baseline),
        &run.glyphs,
        fonts[run.face as usize].pdf.clone(),
        &run.text,
        run.style.size,
        false,
    );
}

/// "বাতিল / REVOKED" across the page, turned 35°, translucent red.
fn watermark(surface: &mut Surface<'_>, fonts: &[Loaded]) {
    let shaper = Shaper { fonts };
    let bn = shaper.word(&[(l10n::bn("revoked-mark"), Style::new(64.0).bold().color(RED))]);
    let en = shaper.word(&[(l10n::en("revoked-mark"), Style::new(44.0).bold().color(RED))]);
    let (cx, cy) = (PAGE_W / 2.0, SHEET_Y + SHEET_H * 0.42);
    surface.push_transform(&Transform::from_rotate_at(-35.0, cx, cy));
    surface.push_opacity(NormalizedF32::new(0.35).unwrap_or(NormalizedF32::ONE));
    let w = bn.width.max(en.width) + 20.0 * MM;
    let h = 64.0 * 1.2 + 44.0 * 1.2 + 4.0 * MM;
    if let Some(rect) = Rect::from_xywh(cx - w / 2.0, cy - h / 2.0, w, h) {
        let mut pb = PathBuilder::new();
        pb.push_rect(rect);
        if let Some(path) = pb.finish() {
            surface.set_fill(None);
            surface.set_stroke(Some(stroke(RED, 3.0 * MM)));
            surface.draw_path(&path);
        }
    }
    surface.set_stroke(None);
    surface.set_fill(Some(fill(RED)));
    for (word, baseline) in [
        (&bn, cy - h / 2.0 + 2.0 * MM + 64.0 * 0.95),
        (&en, cy + h / 2.0 - 2.0 * MM - 44.0 * 0.3),
    ] {
        let mut x = cx - word.width / 2.0;
        for run in &word.runs {
            draw_run(surface, fonts, x, baseline, run);
            x += run.width;
        }
    }
    surface.pop();
    surface.pop();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_of_the_wording_becomes_blocks() {
        let b = blocks(
            "<p>এই <b>ক&amp;খ</b>।</p>\n<table class=\"list\"><thead><tr><th>নাম <span lang=\"en\">Name</span></th></tr></thead><tbody><tr><td>রহিমা</td></tr></tbody></table>",
            Style::new(10.0),
            Style::new(8.0),
        );
        assert_eq!(b.len(), 2);
        let Block::Para { spans, en } = &b[0] else {
            panic!("{b:?}")
        };
        assert!(!en);
        assert_eq!(
            spans.iter().map(|s| s.text.as_str()).collect::<String>(),
            "এই ক&খ।"
        );
        assert!(spans[1].style.bold && !spans[0].style.bold);
        let Block::Table { rows } = &b[1] else {
            panic!("{b:?}")
        };
        assert_eq!(rows.len(), 2);
        assert!(rows[0][0][0].style.bold, "a head cell is bold");
        assert_eq!(rows[0][0][1].text, "Name");
        assert_eq!(rows[1][0][0].text, "রহিমা");
        assert_eq!(
            unescape("a &lt;b&gt; &#39;c&#x27; &quot;&amp; & ;"),
            "a <b> 'c' \"& & ;"
        );
    }

    #[test]
    fn bengali_words_are_shaped_not_mapped_letter_by_letter() {
        let fonts = FONTS.as_ref().unwrap();
        let shaper = Shaper { fonts };
        // ক্ষ is three characters and one conjunct glyph; কি puts the vowel sign first.
        let kssa = shaper.run("ক্ষ", Face::Bn, Style::new(10.0));
        assert_eq!(kssa.glyphs.len(), 1, "{:?}", kssa.glyphs);
        let ki = shaper.run("কি", Face::Bn, Style::new(10.0));
        let ka = shaper.run("ক", Face::Bn, Style::new(10.0));
        assert_eq!(ki.glyphs.len(), 2);
        assert_eq!(
            ki.glyphs[1].glyph_id, ka.glyphs[0].glyph_id,
            "the vowel sign goes before the consonant"
        );
        // Words split by script: Latin in Noto Sans.
        let w = shaper.word(&[("সনদ-42".to_owned(), Style::new(10.0))]);
        assert_eq!(w.runs.len(), 2);
        assert_eq!((w.runs[0].face, w.runs[1].face), (Face::Bn, Face::Latin));
    }
}
