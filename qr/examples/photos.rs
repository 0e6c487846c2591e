//! Times reading phone photos, 12 and 50 megapixels, for `bench/large-photos.sh`.
//!
//! ```text
//! cargo run --release -p sonod-qr --example photos -- [--upload] FILE...
//! cargo run --release -p sonod-qr --example photos -- --qr TEXT OUT.png
//! ```
//!
//! Each file is read (`sonod_qr::load_luma`, a JPEG over the pixel limit at a reduced scale)
//! and searched (`sonod_qr::find_codes`, the default 2 s budget) on this thread, so that its
//! CPU time can be read; one JSON line a file: `{"file", "width", "height", "texts",
//! "cpu_ms", "load_cpu_ms", "timed_out", "error"}` (`width`×`height` as decoded). With
//! `--upload`, the verifier's limits for `/scan` (4000 pixels a side, 12 megapixels; the same as
//! `sonod_verifier::MAX_SIDE`, `MAX_PIXELS`), otherwise `sonod-scan`'s. `--qr` writes a
//! QR code of TEXT as a PNG, 10 pixels a module, for the script to put into its photos.

use std::time::Instant;

/// This thread's CPU time in milliseconds.
fn thread_cpu_ms() -> f64 {
    use rustix::time::{clock_gettime, ClockId};
    let t = clock_gettime(ClockId::ThreadCPUTime);
    t.tv_sec as f64 * 1000.0 + t.tv_nsec as f64 / 1e6
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "--qr") {
        let (Some(text), Some(out)) = (args.get(1), args.get(2)) else {
            eprintln!("--qr TEXT OUT.png");
            std::process::exit(2);
        };
        let code = qrcode::QrCode::new(text.as_bytes()).expect("the text fits a QR code");
        code.render::<image::Luma<u8>>()
            .module_dimensions(10, 10)
            .build()
            .save(out)
            .expect("writes the PNG");
        return;
    }
    let mut limits = sonod_qr::Limits::default();
    if args.first().is_some_and(|a| a == "--upload") {
        args.remove(0);
        limits.max_side = 4000;
        limits.max_pixels = 12_000_000;
    }
    for file in args {
        let Ok(bytes) = std::fs::read(&file) else {
            eprintln!("{file}: cannot read");
            continue;
        };
        let deadline = Instant::now() + limits.budget;
        let start = thread_cpu_ms();
        let luma = sonod_qr::load_luma(&bytes, &limits);
        let load_cpu_ms = thread_cpu_ms() - start;
        let line = match luma {
            Ok(luma) => {
                let found = sonod_qr::find_codes(&luma, deadline, true);
                serde_line(
                    &file,
                    Some(luma.dimensions()),
                    &found.texts,
                    start,
                    load_cpu_ms,
                    found.timed_out,
                    None,
                )
            }
            Err(e) => serde_line(
                &file,
                None,
                &[],
                start,
                load_cpu_ms,
                false,
                Some(&e.to_string()),
            ),
        };
        println!("{line}");
    }
}

/// One JSON line (written by hand: the example needs no JSON crate).
fn serde_line(
    file: &str,
    size: Option<(u32, u32)>,
    texts: &[String],
    start: f64,
    load_cpu_ms: f64,
    timed_out: bool,
    error: Option<&str>,
) -> String {
    let (w, h) = size.unwrap_or((0, 0));
    format!(
        "{{\"file\":{file:?},\"width\":{w},\"height\":{h},\"texts\":{texts:?},\"cpu_ms\":{:.2},\"load_cpu_ms\":{load_cpu_ms:.2},\"timed_out\":{timed_out},\"error\":{}}}",
        thread_cpu_ms() - start,
        error.map_or("null".to_owned(), |e| format!("{e:?}")),
    )
}
