//! `sonod-scan` on a folder of decompression bombs, with its default number of jobs: every
//! file gets its own clear answer, nothing panics, and the process's peak resident memory
//! (its `VmHWM`, followed while it runs) stays under [`BOUND_KIB`].

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "../../qr/tests/support/bombs.rs"]
mod bombs;

/// The most resident memory `sonod-scan` may reach on the whole folder: a few tens of MiB a
/// read at most, times the default jobs (one a core), and the process itself. Before the
/// memory bounds, the PDF bombs alone took 0.7 to 2.2 GiB each, and reads that overran their
/// budget kept running beside the next ones.
const BOUND_KIB: u64 = 256 << 10;

/// `VmHWM` of process `pid` in KiB, while it lives.
fn peak_kib(pid: u32) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

#[test]
fn a_folder_of_bombs_stays_within_its_memory_bound() {
    let dir = tempfile::tempdir().unwrap();
    let side = 40_000u32;
    let huge = u64::from(side) * u64::from(side);
    // (file, a word its line must hold)
    let files: Vec<(&str, Vec<u8>, &str)> = vec![
        ("png-iccp.png", bombs::png_iccp(huge), "no QR code"),
        ("png-ztxt.png", bombs::png_ztxt(bombs::GIB), "no QR code"),
        ("png-idat.png", bombs::png_idat_overflow(huge), "no QR code"),
        ("jpeg-app.jpg", bombs::jpeg_app_markers(120), "no QR code"),
        ("tiff-strip.tif", bombs::tiff_strip(huge), "no QR code"),
        (
            "pdf-content.pdf",
            bombs::pdf_content_bomb(bombs::GIB),
            "expands past",
        ),
        (
            "pdf-twice.pdf",
            bombs::pdf_double_flate(bombs::GIB),
            "expands past",
        ),
        ("pdf-image.pdf", bombs::pdf_image_bomb(side), "40000×40000"),
        (
            "pdf-inline.pdf",
            bombs::pdf_inline_image_bomb(side),
            "40000×40000",
        ),
        (
            "pdf-dct.pdf",
            bombs::pdf_dct_declared(60_000, 60_000),
            "60000×60000",
        ),
    ];
    for (name, bytes, _) in &files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let out = dir.path().join("out.jsonl");
    let err = dir.path().join("err.txt");
    let folder = dir.path().join("bombs");
    std::fs::create_dir(&folder).unwrap();
    for (name, _, _) in &files {
        std::fs::rename(dir.path().join(name), folder.join(name)).unwrap();
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_sonod-scan"))
        .args(["--raw", "--json"])
        .arg(&folder)
        .env_remove("SONOD_TRUST")
        .env_remove("SONOD_ROOT")
        .env("XDG_DATA_HOME", "/nonexistent/sonod-scan-test")
        .stdout(Stdio::from(std::fs::File::create(&out).unwrap()))
        .stderr(Stdio::from(std::fs::File::create(&err).unwrap()))
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut peak = 0;
    let status = loop {
        if let Some(kib) = peak_kib(child.id()) {
            peak = peak.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "sonod-scan hangs"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    let stdout = std::fs::read_to_string(&out).unwrap();
    let stderr = std::fs::read_to_string(&err).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    // Not every file held a valid certificate: exit 1 or 2, never a crash.
    assert!(matches!(status.code(), Some(1 | 2)), "{status}: {stderr}");
    for (name, _, word) in &files {
        let line = stdout
            .lines()
            .find(|l| l.contains(&format!("{}\"", Path::new(name).display())))
            .unwrap_or_else(|| panic!("no answer for {name}: {stdout}"));
        assert!(line.contains(word), "{name}: {line}");
    }
    assert!(peak > 0, "the peak was never read");
    assert!(
        peak <= BOUND_KIB,
        "peak resident memory {peak} KiB over {BOUND_KIB} KiB"
    );
    println!("sonod-scan, {} bombs: peak {peak} KiB", files.len());
}
