//! Times the QR search of `sonod-scan` per image, for bench/scanner-photos.sh.
//!
//! The search runs on this thread (`sonod_qr::load_luma` then `sonod_qr::find_codes` with
//! the default budget: the same work `sonod_scan::decode_image_bytes` does on its worker
//! thread), so that its CPU time can be read.
//!
//! ```text
//! cargo run --release -p sonod-scan --example decode_bench -- [--repeat N] FILE... | -
//! ```
//!
//! Reads every file into memory first (file names as arguments, or one per line on standard
//! input with `-`), then decodes each one N times (default 1) and prints one JSON line per
//! file: `{"file", "texts", "us", "cpu_us", "runs_us", "load_us", "found_by", "timed_out", "error"}`, where `us` is the fastest
//! run in microseconds (image decoding and QR reading, no file I/O) and `load_us` the fastest
//! image decoding and grey conversion alone (`image::load_from_memory(..).to_luma8()`, timed
//! separately: the part of `us` that is not QR work). Run it under `taskset -c 0` for one-core
//! figures. `cpu_us` is the CPU time of the fastest run (from /proc/thread-self/schedstat;
//! on a machine shared with other work it leaves out the time spent waiting for a core).

use std::io::BufRead;
use std::time::Instant;

use sonod_scan::Limits;

/// One search, as `decode_image_bytes` does it, on this thread.
fn search(bytes: &[u8], limits: &Limits) -> Result<sonod_qr::Found, sonod_qr::ReadError> {
    let deadline = Instant::now() + limits.budget;
    let luma = sonod_qr::load_luma(bytes, limits)?;
    Ok(sonod_qr::find_codes(&luma, deadline, true))
}

/// This thread's CPU time in nanoseconds (Linux), or 0 where that cannot be read.
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn main() -> anyhow::Result<()> {
    let mut repeat = 1usize;
    let mut names = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--repeat" => {
                repeat = args
                    .next()
                    .ok_or_else(|| anyhow::anyhow!("--repeat needs a number"))?
                    .parse()?;
            }
            "-" => {
                for line in std::io::stdin().lock().lines() {
                    let line = line?;
                    if !line.trim().is_empty() {
                        names.push(line.trim().to_owned());
                    }
                }
            }
            _ => names.push(a),
        }
    }
    let repeat = repeat.max(1);
    let files = names
        .into_iter()
        .map(|n| std::fs::read(&n).map(|b| (n, b)))
        .collect::<Result<Vec<_>, _>>()?;
    let limits = Limits::default();
    // One untimed decode first, so that the first file does not pay for page faults and
    // lazy initialisation.
    if let Some((_, bytes)) = files.first() {
        let _ = search(bytes, &limits);
    }
    let mut out = std::io::stdout().lock();
    for (name, bytes) in &files {
        let mut runs = Vec::with_capacity(repeat);
        let mut cpu = Vec::with_capacity(repeat);
        let mut result = None;
        for _ in 0..repeat {
            let c = thread_cpu_ns();
            let t = Instant::now();
            let r = search(bytes, &limits);
            runs.push(t.elapsed().as_micros() as u64);
            cpu.push(thread_cpu_ns().saturating_sub(c) / 1000);
            result = Some(r);
        }
        let fastest = (0..runs.len()).min_by_key(|&i| runs[i]).unwrap_or(0);
        let mut load = Vec::with_capacity(repeat);
        for _ in 0..repeat {
            let t = Instant::now();
            let luma = image::load_from_memory(bytes).map(|i| i.to_luma8());
            load.push(t.elapsed().as_micros() as u64);
            drop(luma);
        }
        let (found, error) = match result {
            Some(Ok(f)) => (f, None),
            Some(Err(e)) => (sonod_qr::Found::default(), Some(e.to_string())),
            None => (sonod_qr::Found::default(), None),
        };
        let line = serde_json::json!({
            "file": name,
            "texts": found.texts,
            "found_by": found.found_by,
            "timed_out": found.timed_out,
            "us": runs.get(fastest).copied().unwrap_or(0),
            "cpu_us": cpu.get(fastest).copied().unwrap_or(0),
            "runs_us": runs,
            "load_us": load.iter().min().copied().unwrap_or(0),
            "error": error,
        });
        use std::io::Write as _;
        writeln!(out, "{line}")?;
    }
    Ok(())
}
