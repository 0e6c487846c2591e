//! Decompression bombs, one of each kind: each read ends in an answer or a clear error, never
//! a panic, and its peak resident memory stays under [`BOUND_KIB`] ([`RENDER_BOUND_KIB`] for
//! the PDFs that are rendered at the most a page may cost).
//!
//! A process's peak resident memory is its own: each read runs in a child process (this test
//! binary again, told by `SONOD_BOMB_READ` which file to read), which prints its answer and
//! its `VmHWM` from `/proc/self/status`. Hence `harness = false`: `main` is both sides. The
//! bombs are made here, in the parent, and handed over as files.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

#[path = "support/bombs.rs"]
mod bombs;
#[path = "support/photos.rs"]
mod photos;

/// The most resident memory a child may reach reading one bomb, the test binary's own few
/// MiB included (before the fix, the PNG colour-profile bomb took 540 MiB and the PDF ones
/// 0.7 to 2.2 GiB).
const BOUND_KIB: u64 = 64 << 10;

/// The same for the PDFs the renderer draws though they cost it the most a page may: images
/// up to the bound of all streams together, soft masks nested to its depth limit.
const RENDER_BOUND_KIB: u64 = 320 << 10;

/// The same for phone photos of a code, 12 and 50 megapixels (the 50 read at half scale):
/// what the largest JPEG at the pixel limit, 48 megapixels, costs (`docs/LIMITS.md`).
const PHOTO_BOUND_KIB: u64 = 160 << 10;

/// Names the file the child reads.
const CHILD: &str = "SONOD_BOMB_READ";

fn main() {
    if let Ok(path) = std::env::var(CHILD) {
        child(Path::new(&path));
        return;
    }
    let dir = std::env::temp_dir().join(format!("sonod-qr-bombs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let size = 40_000u32;
    let huge = u64::from(size) * u64::from(size);
    // (file, bytes, what the read must answer: the `Debug` of its result starts with this)
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("png-iccp", bombs::png_iccp(huge), "Ok([])"),
        ("png-ztxt", bombs::png_ztxt(bombs::GIB), "Ok([])"),
        ("png-itxt", bombs::png_itxt(bombs::GIB), "Ok([])"),
        (
            "png-idat-overflow",
            bombs::png_idat_overflow(huge),
            "Ok([])",
        ),
        (
            "png-declared",
            bombs::png_declared(60_000, 60_000),
            "Err(ImageTooLarge(60000, 60000))",
        ),
        ("jpeg-app-markers", bombs::jpeg_app_markers(120), "Ok([])"),
        (
            "jpeg-declared",
            bombs::jpeg_declared(65_000, 65_000),
            "Err(ImageTooLarge(65000, 65000))",
        ),
        ("tiff-strip", bombs::tiff_strip(huge), "Ok([])"),
        (
            "pdf-content",
            bombs::pdf_content_bomb(bombs::GIB),
            "Err(Expands(16777216))",
        ),
        (
            "pdf-double-flate",
            bombs::pdf_double_flate(bombs::GIB),
            "Err(Expands(16777216))",
        ),
        (
            "pdf-image",
            bombs::pdf_image_bomb(size),
            "Err(ImageTooLarge(40000, 40000))",
        ),
        (
            "pdf-inline-image",
            bombs::pdf_inline_image_bomb(size),
            "Err(ImageTooLarge(40000, 40000))",
        ),
        (
            "pdf-dct-declared",
            bombs::pdf_dct_declared(60_000, 60_000),
            "Err(ImageTooLarge(60000, 60000))",
        ),
        (
            "pdf-nested-soft-masks",
            bombs::pdf_nested_groups(100, true),
            "Ok([])",
        ),
        ("pdf-many-images", bombs::pdf_many_images(8, 4000), "Ok([])"),
        (
            "photo-12mp",
            photos::photo_jpeg(4032, 3024, "PHOTO 12 MP", 12),
            "Ok([\"PHOTO 12 MP\"])",
        ),
        (
            "photo-50mp",
            photos::photo_jpeg(8160, 6120, "PHOTO 50 MP", 20),
            "Ok([\"PHOTO 50 MP\"])",
        ),
    ];
    let mut failed = Vec::new();
    for (name, bytes, expected) in cases {
        let path = dir.join(name);
        std::fs::write(&path, &bytes).expect("writes the bomb");
        let out = Command::new(std::env::current_exe().expect("this test binary"))
            .env(CHILD, &path)
            .output()
            .expect("starts the child");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let line = stdout.lines().last().unwrap_or_default();
        let (answer, peak) = line.rsplit_once('\t').unwrap_or((line, ""));
        let peak: u64 = peak.parse().unwrap_or(u64::MAX);
        let rendered = expected.starts_with("Ok") && name.starts_with("pdf");
        let bound = if rendered {
            RENDER_BOUND_KIB
        } else if name.starts_with("photo") {
            PHOTO_BOUND_KIB
        } else {
            BOUND_KIB
        };
        // A rendered PDF may take longer than the budget in a debug build on a busy machine:
        // its memory is measured all the same (the child waits for the worker).
        let answered =
            answer.starts_with(expected) || (rendered && answer.starts_with("Err(TimedOut"));
        let ok = out.status.success() && answered && peak <= bound;
        println!(
            "{name}: {} KiB peak, {answer} ({} bytes) {}",
            peak,
            bytes.len(),
            if ok { "ok" } else { "FAILED" }
        );
        if !ok {
            failed.push(format!(
                "{name}: expected {expected} within {bound} KiB, got {line:?} ({}; stderr {})",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failed.is_empty(), "{failed:#?}");
}

/// Reads the bomb at `path` with the scanner's limits (a longer budget: a debug build on a
/// busy machine is slow), waits for any worker still running, and prints the answer and the
/// peak resident memory in KiB.
fn child(path: &Path) {
    let bytes = std::fs::read(path).expect("reads the bomb");
    let limits = sonod_qr::Limits {
        budget: Duration::from_secs(20),
        ..sonod_qr::Limits::default()
    };
    let answer = sonod_qr::read_codes(&bytes, &limits);
    while sonod_qr::overrunning() > 0 {
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap_or(u64::MAX);
    println!("{answer:?}\t{peak}");
}
