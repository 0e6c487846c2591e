//! The certificate PDF made on the server (`sonod_issuer::render_pdf`), checked by other
//! programs: Poppler rasterises it and reads its text and fonts, rqrr decodes its QR code from
//! the raster (which must open and verify with the office key), and headless Chromium renders
//! the same Bengali words in the same font for a comparison of the shaping.
//!
//! Needs the Debian/Ubuntu packages `chromium` and `poppler-utils` (scripts/setup.sh installs
//! them). Set `SONOD_PRINT_KEEP=<dir>` to keep the PDFs and PNGs for a look.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use krilla::geom::Point;
use krilla::page::PageSettings;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use sonod_issuer::paper::pdf::{qr_side_mm, specimen};
use sonod_issuer::{render_pdf, PrintContext, QrImage, Wording};
use sonod_keys::SecretKey;
use sonod_seal::{Certificate, Host, Record, Sealed};
use tempfile::TempDir;

const PACKAGES: &str = "apt-get install -y chromium poppler-utils";

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../seal/tests/data")
}

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}; install with: {PACKAGES}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn keep(dir: &Path) {
    if let Some(keep) = std::env::var_os("SONOD_PRINT_KEEP") {
        let keep = PathBuf::from(keep);
        std::fs::create_dir_all(&keep).unwrap();
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() {
                std::fs::copy(&p, keep.join(p.file_name().unwrap())).unwrap();
            }
        }
    }
}

/// Page 1 rasterised at `dpi`, grey.
fn rasterise(pdf: &Path, dpi: u32) -> image::GrayImage {
    let stem = pdf.file_stem().unwrap().to_string_lossy();
    let prefix = pdf.with_file_name(format!("{stem}-{dpi}dpi"));
    run(
        "pdftoppm",
        &[
            "-r",
            &dpi.to_string(),
            "-png",
            "-singlefile",
            "-f",
            "1",
            "-l",
            "1",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    image::open(prefix.with_extension("png"))
        .unwrap()
        .to_luma8()
}

struct Made {
    pdf: PathBuf,
    qr_text: String,
    qr: QrImage,
    key: SecretKey,
}

fn make(dir: &Path, name: &str, record: &Record, serial: u64, revoked: bool, dev: bool) -> Made {
    let key = SecretKey::from_signing_key(ed25519_dalek::SigningKey::from_bytes(&[7; 32]));
    let sealed = Sealed::seal(&Certificate::new(serial, record), &key).unwrap();
    let host: Host = "verify.sonod.gov.bd".parse().unwrap();
    let qr_text = sealed.to_qr_text(Some(&host));
    let qr = QrImage::new(&qr_text, qrcode::EcLevel::M).unwrap();
    let key_id = key.key_id().to_string();
    let bytes = render_pdf(
        &PrintContext {
            office_name_bn: "সাভার পৌরসভা",
            office_name_en: "Savar Paurashava",
            office_address_bn: Some("সাভার, ঢাকা-১৩৪০"),
            record,
            serial,
            key_id: &key_id,
            qr_svg: "",
            qr_text: &qr_text,
            revoked,
            development: dev,
        },
        &qr,
        Wording::builtin().unwrap(),
    )
    .unwrap();
    let pdf = dir.join(format!("{name}.pdf"));
    std::fs::write(&pdf, bytes).unwrap();
    Made {
        pdf,
        qr_text,
        qr,
        key,
    }
}

/// The QR codes rqrr finds, as is or enlarged 1.5×, with each grid's side in pixels.
fn decode(img: &image::GrayImage) -> Vec<(String, f32)> {
    for scale in [1.0f32, 1.5] {
        let img = if scale == 1.0 {
            img.clone()
        } else {
            image::imageops::resize(
                img,
                (img.width() as f32 * scale) as u32,
                (img.height() as f32 * scale) as u32,
                image::imageops::FilterType::Triangle,
            )
        };
        let mut prepared = rqrr::PreparedImage::prepare(img);
        let found: Vec<(String, f32)> = prepared
            .detect_grids()
            .into_iter()
            .filter_map(|g| {
                let b = g.bounds;
                let side = (((b[1].x - b[0].x).pow(2) + (b[1].y - b[0].y).pow(2)) as f32).sqrt();
                g.decode().ok().map(|(_, text)| (text, side / scale))
            })
            .collect();
        if !found.is_empty() {
            return found;
        }
    }
    Vec::new()
}

fn verify(text: &str, key: &SecretKey, record: &Record, serial: u64) {
    let payload = sonod_seal::parse_qr_text(text).unwrap();
    let opened = sonod_seal::open(&payload.bytes).unwrap();
    let cert = opened.verify(&key.verifying_key()).unwrap();
    assert_eq!(cert.serial, serial);
    assert_eq!(cert.record, record.signed_part());
}

#[test]
fn every_sample_is_one_a4_page_whose_qr_code_scans_and_verifies() {
    let mut paths: Vec<_> = std::fs::read_dir(data_dir().join("records"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths.push(data_dir().join("benchmark-record.json"));
    assert_eq!(paths.len(), 15);
    let dir = TempDir::new().unwrap();
    for (i, path) in paths.iter().enumerate() {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let record = Record::from_json_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let (revoked, dev) = (i % 3 == 1, i % 2 == 1);
        let serial = 1000 + i as u64;
        let m = make(dir.path(), &name, &record, serial, revoked, dev);
        let info = run("pdfinfo", &[m.pdf.to_str().unwrap()]);
        assert!(info.contains("Pages:           1"), "{name}: {info}");
        assert!(info.contains("(A4)"), "{name}: not A4: {info}");
        // The fonts are embedded and subset (pdffonts: emb yes, sub yes).
        let fonts = run("pdffonts", &[m.pdf.to_str().unwrap()]);
        let bengali: Vec<&str> = fonts
            .lines()
            .filter(|l| l.contains("NotoSansBengali"))
            .collect();
        assert!(
            !bengali.is_empty(),
            "{name}: no Noto Sans Bengali:\n{fonts}"
        );
        for l in fonts.lines().skip(2) {
            assert!(
                l.contains(" yes yes "),
                "{name}: not embedded and subset: {l}"
            );
        }
        // The QR code, at least 35 mm a side with its quiet zone, scans from a 150 dpi raster.
        let side_mm = qr_side_mm(&m.qr);
        assert!(side_mm >= 35.0, "{name}: QR {side_mm} mm");
        let img = rasterise(&m.pdf, 150);
        let found = decode(&img);
        assert_eq!(found.len(), 1, "{name}: QR codes found: {found:?}");
        assert_eq!(found[0].0, m.qr_text, "{name}: the QR code's text");
        verify(&found[0].0, &m.key, &record, serial);
        // The printed code measures what was asked: modules × side / (modules + quiet zone).
        let n = m.qr.width() as f32;
        let printed_mm = found[0].1 / 150.0 * 25.4;
        let expect_mm = side_mm * n / (n + 8.0);
        assert!(
            (printed_mm - expect_mm).abs() < 1.5,
            "{name}: QR {printed_mm:.1} mm printed, {expect_mm:.1} mm expected"
        );
        if i == 0 {
            eprintln!(
                "{name}: QR version {} ({} modules), {side_mm} mm with its quiet zone; PDF {} bytes",
                m.qr.version(),
                m.qr.width(),
                std::fs::metadata(&m.pdf).unwrap().len()
            );
        }
    }
    keep(dir.path());
}

/// NFC, and runs of white space as one space.
fn words(s: &str) -> String {
    let s = sonod_seal::text::normalize(s);
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_text_reads_back_in_bangla_and_english() {
    let dir = TempDir::new().unwrap();
    let record = Record::from_json_str(
        &std::fs::read_to_string(data_dir().join("records/warish.json")).unwrap(),
    )
    .unwrap();
    let m = make(dir.path(), "warish", &record, 42, true, true);
    let text = words(&run("pdftotext", &[m.pdf.to_str().unwrap(), "-"]));
    for expected in [
        "গণপ্রজাতন্ত্রী বাংলাদেশ সরকার",
        "সাভার পৌরসভা",
        "ওয়ারিশ সনদ",
        "সনদ নং: ১০০৫২৪-৪২",
        "Certificate no. 100524-42",
        "এই মর্মে প্রত্যয়ন করা যাচ্ছে যে,",
        "মরহুম আব্দুল জলিল মিয়া",
        "১৪-০৩-২০২৫ তারিখে মৃত্যুবরণ",
        "ফাতেমা আক্তার",
        "কন্যা",
        "২৯ বছর",
        "১৩ অগ্রহায়ণ ১৪৩৩ বঙ্গাব্দ",
        "প্রস্তুতকারী",
        "মেয়র / চেয়ারম্যান",
        "যাচাই করতে কিউআর কোডটি স্ক্যান করুন",
        "THIS CERTIFICATE HAS BEEN REVOKED",
        "SPECIMEN — development key",
        "He/she left behind the heirs listed above and no others.",
    ] {
        assert!(
            text.contains(&words(expected)),
            "pdftotext does not give {expected:?}:\n{text}"
        );
    }
    keep(dir.path());
}

/// The words of issue #14 and the brief: conjuncts, vowel signs before and around the
/// consonant, a reph, a ya-phala.
const TEST_WORDS: &str = "ক্ষ স্ত্র কি কো র্ক ক্য প্রত্যয়ন সর্বাঙ্গীণ";
/// The size in points; rasterised at 96 dpi it is 48 px, Chromium's `font-size: 48px`.
const SIZE: f32 = 36.0;

/// The dark pixels' bounding box, cropped, as a binary image; and its size.
fn ink(img: &image::GrayImage) -> image::GrayImage {
    let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
    for (x, y, p) in img.enumerate_pixels() {
        if p.0[0] < 128 {
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
        }
    }
    assert!(x0 <= x1, "no ink");
    let mut out = image::imageops::crop_imm(img, x0, y0, x1 - x0 + 1, y1 - y0 + 1).to_image();
    for p in out.pixels_mut() {
        p.0[0] = if p.0[0] < 128 { 0 } else { 255 };
    }
    out
}

/// How far two ink images are apart: the relative difference in width and height, and the
/// share of inked pixels (in either) with no ink within one pixel in the other, at the best
/// shift of up to two pixels (antialiasing and rounding differ between renderers by a pixel).
fn distance(a: &image::GrayImage, b: &image::GrayImage) -> (f32, f32, f32) {
    let dw = (a.width() as f32 - b.width() as f32).abs() / a.width() as f32;
    let dh = (a.height() as f32 - b.height() as f32).abs() / a.height() as f32;
    let inked = |img: &image::GrayImage, x: i64, y: i64| {
        x >= 0
            && y >= 0
            && (x as u32) < img.width()
            && (y as u32) < img.height()
            && img.get_pixel(x as u32, y as u32).0[0] < 128
    };
    let near = |img: &image::GrayImage, x: i64, y: i64| {
        (-1..=1).any(|dy| (-1..=1).any(|dx| inked(img, x + dx, y + dy)))
    };
    let mut best = 1.0f32;
    for sy in -2i64..=2 {
        for sx in -2i64..=2 {
            let (mut total, mut lone) = (0u32, 0u32);
            for (x, y, p) in a.enumerate_pixels() {
                if p.0[0] < 128 {
                    total += 1;
                    if !near(b, x as i64 + sx, y as i64 + sy) {
                        lone += 1;
                    }
                }
            }
            for (x, y, p) in b.enumerate_pixels() {
                if p.0[0] < 128 {
                    total += 1;
                    if !near(a, x as i64 - sx, y as i64 - sy) {
                        lone += 1;
                    }
                }
            }
            best = best.min(lone as f32 / total.max(1) as f32);
        }
    }
    (dw, dh, best)
}

/// Chromium's rendering of `TEST_WORDS` in Noto Sans Bengali, 48 px, as an ink image.
fn chromium_words(dir: &Path) -> image::GrayImage {
    let html = dir.join("words.html");
    let font = Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts/NotoSansBengali-Regular.ttf");
    let mut f = std::fs::File::create(&html).unwrap();
    write!(
        f,
        "<!DOCTYPE html><html lang=\"bn\"><meta charset=\"utf-8\"><style>@font-face {{ font-family: T; src: url('file://{}'); }} \
         body {{ margin: 20px; font: 48px/1.6 T; white-space: nowrap; }}</style><body>{TEST_WORDS}</body></html>",
        font.display()
    )
    .unwrap();
    let png = dir.join("words-chromium.png");
    let profile = TempDir::new_in(dir).unwrap();
    let status = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            "--window-size=1400,160",
            "--allow-file-access-from-files",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", html.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("cannot start chromium ({e}); install with: {PACKAGES}"));
    assert!(
        status.success() && png.exists(),
        "chromium did not take the screenshot"
    );
    ink(&image::open(&png).unwrap().to_luma8())
}

/// `TEST_WORDS` as a PDF written the naive way: each character's glyph from the font's
/// character map, side by side, with no shaping: what a PDF writer without a shaper prints.
fn unshaped_pdf() -> Vec<u8> {
    let bytes: &'static [u8] = include_bytes!("../fonts/NotoSansBengali-Regular.ttf");
    let face = harfrust::Font::new(bytes, 0).unwrap();
    let upem = f32::from(face.units_per_em());
    let cmap = harfrust::ShaperFont::new(&face);
    let mut glyphs = Vec::new();
    let mut width = 0.0;
    for (i, c) in TEST_WORDS.char_indices() {
        let id = cmap.nominal_glyph(u32::from(c)).unwrap_or_default();
        let adv = cmap.glyph_h_advance(id) as f32 / upem;
        width += adv * SIZE;
        glyphs.push(KrillaGlyph::new(
            GlyphId::new(id.to_u32()),
            adv,
            0.0,
            0.0,
            0.0,
            i..i + c.len_utf8(),
            None,
        ));
    }
    let mut doc = krilla::Document::new();
    let mut page =
        doc.start_page_with(PageSettings::from_wh(width + 20.0, SIZE * 1.6 + 20.0).unwrap());
    let mut surface = page.surface();
    let font = Font::new(bytes.into(), 0).unwrap();
    surface.draw_glyphs(
        Point::from_xy(10.0, 10.0 + SIZE * 0.8 + SIZE * 0.33),
        &glyphs,
        font,
        TEST_WORDS,
        SIZE,
        false,
    );
    surface.finish();
    page.finish();
    doc.finish().unwrap()
}

#[test]
fn bengali_is_shaped_as_chromium_shapes_it() {
    let dir = TempDir::new().unwrap();
    let chromium = chromium_words(dir.path());
    chromium
        .save(dir.path().join("words-chromium-ink.png"))
        .unwrap();
    let ours_pdf = dir.path().join("words-ours.pdf");
    std::fs::write(&ours_pdf, specimen(TEST_WORDS, SIZE).unwrap()).unwrap();
    let ours = ink(&rasterise(&ours_pdf, 96));
    ours.save(dir.path().join("words-ours-ink.png")).unwrap();
    let naive_pdf = dir.path().join("words-unshaped.pdf");
    std::fs::write(&naive_pdf, unshaped_pdf()).unwrap();
    let naive = ink(&rasterise(&naive_pdf, 96));
    naive
        .save(dir.path().join("words-unshaped-ink.png"))
        .unwrap();
    keep(dir.path());

    let good = distance(&chromium, &ours);
    let bad = distance(&chromium, &naive);
    eprintln!(
        "ink {}×{} px (Chromium), {}×{} (ours), {}×{} (unshaped); \
         ours: Δw {:.3}, Δh {:.3}, pixels differing {:.3}; unshaped: Δw {:.3}, Δh {:.3}, {:.3}",
        chromium.width(),
        chromium.height(),
        ours.width(),
        ours.height(),
        naive.width(),
        naive.height(),
        good.0,
        good.1,
        good.2,
        bad.0,
        bad.1,
        bad.2
    );
    let same = |d: (f32, f32, f32)| d.0 < 0.02 && d.1 < 0.05 && d.2 < 0.02;
    assert!(same(good), "our shaping differs from Chromium's: {good:?}");
    // The check can fail: text set without shaping is caught.
    assert!(!same(bad), "unshaped text passed the check: {bad:?}");
}
