use std::time::{Duration, Instant};

use image::{GrayImage, Luma};

use super::*;

fn code_image(text: &str, module: u32) -> GrayImage {
    let code = qrcode::QrCode::new(text.as_bytes()).expect("encodes");
    code.render::<Luma<u8>>()
        .module_dimensions(module, module)
        .build()
}

fn png(img: &GrayImage) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("png");
    out
}

#[test]
fn reads_a_clean_code() {
    let img = code_image("HTTPS://VERIFY.EXAMPLE.BD/V/ABC", 6);
    let found = find_codes(&img, Instant::now() + Duration::from_secs(5), true);
    assert_eq!(
        found.texts,
        vec!["HTTPS://VERIFY.EXAMPLE.BD/V/ABC".to_owned()]
    );
    assert!(!found.timed_out);
}

#[test]
fn reads_an_inverted_code() {
    let mut img = code_image("INVERTED", 6);
    image::imageops::invert(&mut img);
    let texts = read_codes(&png(&img), &Limits::default()).expect("reads");
    assert_eq!(texts, vec!["INVERTED".to_owned()]);
}

#[test]
fn reads_two_codes_in_one_image() {
    let a = code_image("FIRST CODE", 5);
    let b = code_image("SECOND CODE", 5);
    let mut canvas = GrayImage::from_pixel(
        a.width() + b.width() + 60,
        a.height().max(b.height()) + 40,
        Luma([255]),
    );
    image::imageops::replace(&mut canvas, &a, 20, 20);
    image::imageops::replace(&mut canvas, &b, i64::from(a.width()) + 40, 20);
    let mut texts = read_codes(&png(&canvas), &Limits::default()).expect("reads");
    texts.sort();
    assert_eq!(
        texts,
        vec!["FIRST CODE".to_owned(), "SECOND CODE".to_owned()]
    );
}

fn two_codes(a: &GrayImage, b: &GrayImage) -> GrayImage {
    let mut canvas = GrayImage::from_pixel(
        a.width() + b.width() + 60,
        a.height().max(b.height()) + 40,
        Luma([255]),
    );
    image::imageops::replace(&mut canvas, a, 20, 20);
    image::imageops::replace(&mut canvas, b, i64::from(a.width()) + 40, 20);
    canvas
}

#[test]
fn one_look_reads_two_codes_and_a_lone_code_ends_the_search() {
    let deadline = Instant::now() + Duration::from_secs(10);
    let canvas = two_codes(&code_image("LEFT", 4), &code_image("RIGHT", 4));
    let found = find_codes(&canvas, deadline, true);
    let mut texts = found.texts.clone();
    texts.sort();
    assert_eq!(texts, vec!["LEFT".to_owned(), "RIGHT".to_owned()]);
    assert_eq!(found.looks_run, 1, "{found:?}");
    let lone = find_codes(&code_image("ALONE", 4), deadline, true);
    assert_eq!(lone.texts, vec!["ALONE".to_owned()]);
    assert_eq!(lone.looks_run, 1, "{lone:?}");
}

#[test]
fn an_unread_second_code_keeps_the_search_going() {
    // The second code keeps its finder patterns but its data is smeared grey: the first look
    // reads the first code, sees three finder patterns it could not read, and the next ZXing
    // look runs where they are (it cannot read it either) before the search answers.
    let module = 4;
    let second = code_image("UNREADABLE SECOND CODE", module);
    let mut damaged = second.clone();
    let quiet = 4 * module; // the renderer's quiet zone
    let finder = 8 * module; // a finder pattern and its separator
    let (w, h) = damaged.dimensions();
    for y in quiet..h - quiet {
        for x in quiet..w - quiet {
            let in_finder = (y < quiet + finder && (x < quiet + finder || x >= w - quiet - finder))
                || (x < quiet + finder && y >= h - quiet - finder);
            if !in_finder {
                damaged.put_pixel(x, y, Luma([128]));
            }
        }
    }
    let canvas = two_codes(&code_image("READABLE FIRST CODE", module), &damaged);
    let found = find_codes(&canvas, Instant::now() + Duration::from_secs(10), true);
    assert_eq!(found.texts, vec!["READABLE FIRST CODE".to_owned()]);
    assert!(found.looks_run > 1, "{found:?}");
    assert_eq!(found.found_by, Some("zxing"));
}

#[test]
fn a_jpeg_is_read_straight_to_grey_and_turned_upright() {
    // A grey and a colour JPEG of a code, and the colour one stored on its side with an EXIF
    // note (orientation 8: turn 90° anticlockwise to view) as phones do.
    let code = code_image("HTTPS://VERIFY.EXAMPLE.BD/V/JPEG", 8);
    let grey_jpeg = jpeg(&image::DynamicImage::ImageLuma8(code.clone()));
    let texts = read_codes(&grey_jpeg, &Limits::default()).expect("reads");
    assert_eq!(texts, vec!["HTTPS://VERIFY.EXAMPLE.BD/V/JPEG".to_owned()]);

    let mut wide = GrayImage::from_pixel(code.width() + 200, code.height(), Luma([255]));
    image::imageops::replace(&mut wide, &code, 0, 0);
    let stored = image::imageops::rotate90(&wide); // what the sensor wrote
    let colour = image::DynamicImage::ImageLuma8(stored).to_rgb8();
    let bytes = with_exif_orientation(&jpeg(&image::DynamicImage::ImageRgb8(colour)), 8);
    let luma = load_luma(&bytes, &Limits::default()).expect("decodes");
    assert_eq!(luma.dimensions(), wide.dimensions(), "turned upright");
    // The code is at the left once upright: dark finder pattern near (0,0) + quiet zone.
    let q = 4 * 8 + 4;
    assert!(
        luma.get_pixel(q, q).0[0] < 100,
        "upright, not mirrored or turned"
    );
    assert!(luma.get_pixel(wide.width() - 20, q).0[0] > 200);
    let texts = read_codes(&bytes, &Limits::default()).expect("reads");
    assert_eq!(texts, vec!["HTTPS://VERIFY.EXAMPLE.BD/V/JPEG".to_owned()]);
    // Size limits are checked from the header, before decoding.
    let small = Limits {
        max_pixels: 1000,
        ..Limits::default()
    };
    assert!(matches!(
        read_codes(&bytes, &small),
        Err(ReadError::ImageTooLarge(..))
    ));
    // (A JPEG over the limits is read at a reduced scale, up to `max_photo_pixels`.)
    let narrow = Limits {
        max_side: 100,
        max_photo_pixels: 100 * 100,
        ..Limits::default()
    };
    assert!(matches!(
        read_codes(&bytes, &narrow),
        Err(ReadError::ImageTooLarge(..))
    ));
    // A damaged JPEG is an error, not a panic.
    let cut = &bytes[..bytes.len() / 3];
    let _ = read_codes(cut, &Limits::default());
    let mut garbled = bytes.clone();
    for b in garbled.iter_mut().skip(400).step_by(7) {
        *b ^= 0x5a;
    }
    let _ = read_codes(&garbled, &Limits::default());
}

fn jpeg(img: &image::DynamicImage) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(
        &mut std::io::Cursor::new(&mut out),
        image::ImageFormat::Jpeg,
    )
    .expect("jpeg");
    out
}

/// `jpeg` with an APP1 EXIF segment holding only an orientation tag, right after SOI.
fn with_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec(); // big-endian, IFD at 8
    tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
    tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_be_bytes()); // count
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xff, 0xe1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

#[test]
fn an_empty_image_has_no_codes() {
    let img = GrayImage::from_pixel(400, 300, Luma([200]));
    // What is tested is the answer, not the time: a loaded machine must not turn "no codes"
    // into "timed out".
    let limits = Limits {
        budget: std::time::Duration::from_secs(120),
        ..Limits::default()
    };
    assert_eq!(read_codes(&png(&img), &limits), Ok(vec![]));
}

#[test]
fn bounded_input() {
    assert_eq!(read_codes(b"", &Limits::default()), Err(ReadError::Empty));
    let img = GrayImage::from_pixel(300, 200, Luma([255]));
    let small = Limits {
        max_side: 250,
        ..Limits::default()
    };
    assert_eq!(
        read_codes(&png(&img), &small),
        Err(ReadError::ImageTooLarge(300, 200))
    );
    let few = Limits {
        max_pixels: 1000,
        ..Limits::default()
    };
    assert_eq!(
        read_codes(&png(&img), &few),
        Err(ReadError::ImageTooLarge(300, 200))
    );
    let tiny_file = Limits {
        max_file_bytes: 10,
        ..Limits::default()
    };
    assert_eq!(
        read_codes(&png(&img), &tiny_file),
        Err(ReadError::FileTooLarge(10))
    );
    assert!(matches!(
        read_codes(b"not an image at all", &Limits::default()),
        Err(ReadError::NotAnImage(_))
    ));
    assert!(matches!(
        read_codes(b"%PDF-1.7 broken", &Limits::default()),
        Err(ReadError::Pdf(_))
    ));
    let no_pdf = Limits {
        pdf: false,
        ..Limits::default()
    };
    assert!(matches!(
        read_codes(b"%PDF-1.7 broken", &no_pdf),
        Err(ReadError::NotAnImage(_))
    ));
}

#[test]
fn a_png_bomb_is_refused_before_decoding() {
    // A PNG header claiming 60,000 × 60,000 pixels: refused from the header alone.
    let img = GrayImage::from_pixel(1, 1, Luma([255]));
    let mut bytes = png(&img);
    bytes[16..20].copy_from_slice(&60_000u32.to_be_bytes());
    bytes[20..24].copy_from_slice(&60_000u32.to_be_bytes());
    assert!(matches!(
        read_codes(&bytes, &Limits::default()),
        Err(ReadError::ImageTooLarge(..) | ReadError::NotAnImage(_))
    ));
}

#[test]
fn the_budget_is_kept() {
    // Noise at 3,000 × 3,000 keeps every look busy; a 50 ms budget must still be answered
    // about then, not after the whole search.
    let mut state = 0x2545_f491_u32;
    let img = GrayImage::from_fn(3000, 3000, |_, _| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        Luma([(state & 0xff) as u8])
    });
    let bytes = png(&img);
    let limits = Limits {
        budget: Duration::from_millis(50),
        ..Limits::default()
    };
    let start = Instant::now();
    let result = read_codes(&bytes, &limits);
    let took = start.elapsed();
    assert!(
        matches!(result, Err(ReadError::TimedOut(_)) | Ok(_)),
        "{result:?}"
    );
    // The PNG decode of 9 MP happens inside the budget too; allow the grace period and a
    // loaded machine, but nothing near the full search.
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

#[test]
fn a_pdf_page_is_rendered() {
    // A one-page A4 PDF with a QR code drawn as vector squares, 40 mm wide, as a browser
    // prints the certificate page.
    let code = qrcode::QrCode::new(b"HTTPS://VERIFY.EXAMPLE.BD/V/PDFPAGE").expect("encodes");
    let n = code.width();
    let module = 113.0 / n as f64; // 40 mm in points
    let mut content = String::from("0 0 0 rg\n");
    for (i, c) in code.to_colors().iter().enumerate() {
        if *c == qrcode::Color::Dark {
            let (x, y) = ((i % n) as f64, (i / n) as f64);
            content.push_str(&format!(
                "{:.3} {:.3} {:.3} {:.3} re\n",
                400.0 + x * module,
                700.0 - (y + 1.0) * module,
                module,
                module
            ));
        }
    }
    content.push_str("f\n");
    let pdf = minimal_pdf(&content);
    let limits = Limits {
        budget: Duration::from_secs(30),
        ..Limits::default()
    };
    assert_eq!(
        read_codes(&pdf, &limits),
        Ok(vec!["HTTPS://VERIFY.EXAMPLE.BD/V/PDFPAGE".to_owned()])
    );
}

fn minimal_pdf(content: &str) -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_owned(),
        format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
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

#[path = "../tests/support/photos.rs"]
mod photos;

/// The verifier's limits for uploads: 4000 pixels a side, 12 megapixels (a 50 MP JPEG photo
/// read at a reduced scale), with a budget a debug build on a busy machine can keep.
fn upload_limits() -> Limits {
    Limits {
        max_side: 4000,
        max_pixels: 12_000_000,
        budget: Duration::from_secs(120),
        ..Limits::default()
    }
}

fn slow_limits() -> Limits {
    Limits {
        budget: Duration::from_secs(120),
        ..Limits::default()
    }
}

#[test]
fn a_12_megapixel_phone_photo_is_read_at_half_scale_where_it_is_over_the_limit() {
    let text = "HTTPS://VERIFY.EXAMPLE.BD/V/TWELVE";
    // Modules 12 pixels wide: 6 at half scale.
    let bytes = photos::photo_jpeg(4032, 3024, text, 12);
    // 4032 is over the uploads' 4000 pixels a side: read at 1/2.
    let upload = upload_limits();
    assert_eq!(
        load_luma(&bytes, &upload).unwrap().dimensions(),
        (2016, 1512)
    );
    assert_eq!(read_codes(&bytes, &upload), Ok(vec![text.to_owned()]));
    // Within the scanner's limits it is read whole, as before.
    let scanner = slow_limits();
    assert_eq!(
        load_luma(&bytes, &scanner).unwrap().dimensions(),
        (4032, 3024)
    );
    assert_eq!(read_codes(&bytes, &scanner), Ok(vec![text.to_owned()]));
    // Without photos read at a reduced scale, the pixel limit holds.
    let strict = Limits {
        max_photo_pixels: 0,
        ..upload
    };
    assert_eq!(
        read_codes(&bytes, &strict),
        Err(ReadError::ImageTooLarge(4032, 3024))
    );
}

#[test]
fn a_50_megapixel_phone_photo_is_read_at_the_largest_scale_that_fits() {
    let text = "HTTPS://VERIFY.EXAMPLE.BD/V/FIFTY";
    // Modules 20 pixels wide: 10 at 1/2, 5 at 1/4.
    let bytes = photos::photo_jpeg(8160, 6120, text, 20);
    let scanner = slow_limits();
    assert_eq!(
        load_luma(&bytes, &scanner).unwrap().dimensions(),
        (4080, 3060)
    );
    assert_eq!(read_codes(&bytes, &scanner), Ok(vec![text.to_owned()]));
    // The uploads' 12 megapixels: 1/2 is 12.5, so 1/4.
    let upload = upload_limits();
    assert_eq!(
        load_luma(&bytes, &upload).unwrap().dimensions(),
        (2040, 1530)
    );
    assert_eq!(read_codes(&bytes, &upload), Ok(vec![text.to_owned()]));
    // Damaged or cut short: an error, never a panic.
    let cut = &bytes[..bytes.len() / 2];
    let _ = load_luma(cut, &upload);
    let mut garbled = bytes.clone();
    for b in garbled.iter_mut().skip(2000).step_by(997) {
        *b ^= 0x5a;
    }
    let _ = load_luma(&garbled, &upload);
}

#[test]
fn photos_over_the_photo_limit_are_refused_from_the_header() {
    // A small JPEG whose frame header claims 8200×6200 (50.8 MP) or 65000×8 (a strip no scale
    // brings within 4000 pixels a side).
    let small = jpeg(&image::DynamicImage::ImageLuma8(GrayImage::from_pixel(
        64,
        64,
        Luma([255]),
    )));
    for (w, h) in [(8200u16, 6200u16), (65_000, 8)] {
        let mut bytes = small.clone();
        let sof = bytes
            .windows(2)
            .position(|m| m == [0xFF, 0xC0])
            .expect("a baseline frame header");
        bytes[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
        bytes[sof + 7..sof + 9].copy_from_slice(&w.to_be_bytes());
        assert_eq!(
            read_codes(&bytes, &upload_limits()),
            Err(ReadError::ImageTooLarge(u32::from(w), u32::from(h)))
        );
    }
}

#[test]
fn what_a_photo_read_at_a_reduced_scale_may_hold() {
    let frame = |progressive, sampling| load::JpegFrame {
        width: 8160,
        height: 6120,
        components: 3,
        progressive,
        sampling,
    };
    let pixels = 8160u64 * 6120;
    // 4:2:0 baseline at 1/2: the planes at 1.5 bytes a pixel and the RGB out at 3.
    let quarter = pixels / 4;
    assert_eq!(
        frame(false, (6, 4)).scaled_decode_bytes(2),
        quarter * 3 / 2 + quarter * 3
    );
    // Progressive: every coefficient of the whole picture besides, 2 bytes a sample.
    assert_eq!(
        frame(true, (6, 4)).scaled_decode_bytes(2),
        pixels * 3 + quarter * 3 / 2 + quarter * 3
    );
    // So a progressive 50 MP photo is refused where its coefficients alone pass the bound
    // (uploads: 48 MB), and a baseline one is read.
    let header = |marker: u8| {
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, marker, 0x00, 0x11, 0x08];
        jpeg.extend_from_slice(&6120u16.to_be_bytes());
        jpeg.extend_from_slice(&8160u16.to_be_bytes());
        jpeg.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        jpeg
    };
    assert_eq!(
        read_codes(&header(0xC2), &upload_limits()),
        Err(ReadError::ImageTooLarge(8160, 6120))
    );
    assert!(matches!(
        read_codes(&header(0xC0), &upload_limits()),
        Err(ReadError::NotAnImage(_))
    ));
}

#[test]
fn images_and_pdfs_are_told_from_other_files_by_their_first_bytes() {
    let img = GrayImage::from_pixel(8, 8, Luma([255]));
    assert!(looks_like_image(&png(&img)));
    assert!(looks_like_image(&jpeg(&image::DynamicImage::ImageLuma8(
        img
    ))));
    assert!(looks_like_image(b"%PDF-1.7\n"));
    assert!(looks_like_image(b"junk before the header %PDF-1.4\n"));
    // Notes, a spreadsheet, a text file called photo.jpg, nothing.
    assert!(!looks_like_image(b"customer called at 3pm\n"));
    assert!(!looks_like_image(b"PK\x03\x04spreadsheet"));
    assert!(!looks_like_image(b""));
}

/// A code as a photographed screen shows it: every third pixel column dark (the gaps between
/// the subpixel stripes) and every third row dimmed, a little turned, so that the stripes
/// cross the modules at a slant.
fn screen_image(text: &str) -> GrayImage {
    let code = code_image(text, 7);
    let (w, h) = code.dimensions();
    let mut img = GrayImage::from_pixel(w + 80, h + 80, Luma([40]));
    image::imageops::replace(&mut img, &code, 40, 40);
    let turned = imageproc_free_rotate(&img, 0.06);
    let mut out = turned.clone();
    for (x, y, p) in out.enumerate_pixels_mut() {
        let v = u32::from(p.0[0]);
        let v = if x % 3 == 2 { v / 4 } else { v };
        let v = if y % 3 == 2 { v * 3 / 5 } else { v };
        p.0[0] = v as u8;
    }
    out
}

/// `img` turned by `angle` radians about its centre (nearest pixel; dark outside).
fn imageproc_free_rotate(img: &GrayImage, angle: f32) -> GrayImage {
    let (w, h) = img.dimensions();
    let (c, s) = (angle.cos(), angle.sin());
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    GrayImage::from_fn(w, h, |x, y| {
        let (dx, dy) = (x as f32 - cx, y as f32 - cy);
        let (sx, sy) = (c * dx + s * dy + cx, -s * dx + c * dy + cy);
        if sx >= 0.0 && sy >= 0.0 && (sx as u32) < w && (sy as u32) < h {
            *img.get_pixel(sx as u32, sy as u32)
        } else {
            Luma([40])
        }
    })
}

#[test]
fn a_screen_photo_is_read_after_smoothing_the_subpixel_stripes() {
    let img = screen_image("HTTPS://VERIFY.EXAMPLE.BD/V/SCREEN");
    let want = vec!["HTTPS://VERIFY.EXAMPLE.BD/V/SCREEN".to_owned()];
    // The stripes break the finder patterns for the plain and the sharpened looks.
    assert_eq!(try_look(&img, "zxing"), Some(vec![]));
    assert_eq!(try_look(&img, "zxing-unsharp"), Some(vec![]));
    assert_eq!(try_look(&img, "zxing-smooth"), Some(want.clone()));
    let found = find_codes(&img, Instant::now() + Duration::from_secs(10), true);
    assert_eq!(found.texts, want);
    assert_eq!(found.found_by, Some("zxing-smooth"));
}

#[test]
fn six_codes_in_one_picture_are_all_read() {
    // Five codes the first look reads, and one under a highlight that only a later look reads:
    // the search goes on after the first look, and past the next one.
    let texts: Vec<String> = (0..6)
        .map(|i| format!("CERTIFICATE {i} ON THE TABLE"))
        .collect();
    let mut canvas = GrayImage::from_pixel(1500, 800, Luma([255]));
    for (i, t) in texts.iter().enumerate() {
        let mut code = code_image(t, 5);
        if i == 5 {
            wash_out(&mut code);
        }
        let (x, y) = (20 + (i as i64 % 3) * 480, 20 + (i as i64 / 3) * 390);
        image::imageops::replace(&mut canvas, &code, x, y);
    }
    let first = try_look(&canvas, "zxing").expect("a look");
    assert_eq!(first.len(), 5, "{first:?}");
    let second = try_look(&canvas, "zxing-unsharp").expect("a look");
    assert_eq!(second.len(), 5, "{second:?}");
    let found = find_codes(&canvas, Instant::now() + Duration::from_secs(10), true);
    let mut got = found.texts.clone();
    got.sort();
    assert_eq!(got, texts, "{found:?}");
}

/// A highlight over the middle of the code: there its dark modules are only 55 grey levels
/// below the paper.
fn wash_out(img: &mut GrayImage) {
    let (w, h) = img.dimensions();
    let (cx, cy, r) = (w as f32 / 2.0, h as f32 / 2.0, w as f32 * 0.2);
    for (x, y, p) in img.enumerate_pixels_mut() {
        if (x as f32 - cx).hypot(y as f32 - cy) < r {
            p.0[0] = 200 + (u32::from(p.0[0]) * 55 / 255) as u8;
        }
    }
}

#[test]
fn a_code_washed_out_by_a_highlight_is_read_with_the_light_end_stretched() {
    // No other look reads it.
    let text = "HTTPS://VERIFY.EXAMPLE.BD/V/GLARE";
    let mut img = code_image(text, 6);
    wash_out(&mut img);
    for other in [
        "zxing",
        "zxing-unsharp",
        "zxing-smooth",
        "zxing-unsharp-x0.4",
    ] {
        assert_eq!(try_look(&img, other), Some(vec![]), "{other}");
    }
    assert_eq!(
        try_look(&img, "zxing-squared-unsharp"),
        Some(vec![text.to_owned()])
    );
    let found = find_codes(&img, Instant::now() + Duration::from_secs(10), true);
    assert_eq!(found.texts, vec![text.to_owned()]);
}
