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
//! file: `{"file", "texts", "us", "cpu_us", "load_cpu_us", "runs_us", "load_us", "found_by",
//! "looks", "timed_out", "error"}`, where `us` is the fastest run in microseconds (image
//! decoding and QR reading, no file I/O), `load_cpu_us` the CPU time of that run's image
//! decoding and grey conversion (`sonod_qr::load_luma`: the part of `cpu_us` that is not QR
//! work), `load_us` the fastest `load_luma` alone (wall, timed separately) and `looks` how many
//! looks of the search ran. Run it under `taskset -c 0` for one-core
//! figures. `cpu_us` is the CPU time of the fastest run (the thread's CPU clock; on a machine
//! shared with other work it leaves out the time spent waiting for a core).

use std::io::BufRead;
use std::time::Instant;

use sonod_scan::Limits;

/// One search, as `decode_image_bytes` does it, on this thread; with the CPU time of the image
/// decoding alone, in nanoseconds.
fn search(bytes: &[u8], limits: &Limits) -> (Result<sonod_qr::Found, sonod_qr::ReadError>, u64) {
    let deadline = Instant::now() + limits.budget;
    let start = thread_cpu_ns();
    let luma = sonod_qr::load_luma(bytes, limits);
    let load_cpu = thread_cpu_ns().saturating_sub(start);
    (
        luma.map(|luma| sonod_qr::find_codes(&luma, deadline, true)),
        load_cpu,
    )
}

/// This thread's CPU time in nanoseconds.
/// (`/proc/thread-self/schedstat` is only brought up to date at the scheduler's ticks, 4 ms
/// apart here; the thread CPU clock is exact.)
fn thread_cpu_ns() -> u64 {
    use rustix::time::{clock_gettime, ClockId};
    let t = clock_gettime(ClockId::ThreadCPUTime);
    u64::try_from(t.tv_sec).unwrap_or(0) * 1_000_000_000 + u64::try_from(t.tv_nsec).unwrap_or(0)
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
        let mut load_cpu = Vec::with_capacity(repeat);
        let mut result = None;
        for _ in 0..repeat {
            let c = thread_cpu_ns();
            let t = Instant::now();
            let (r, l) = search(bytes, &limits);
            runs.push(t.elapsed().as_micros() as u64);
            cpu.push(thread_cpu_ns().saturating_sub(c) / 1000);
            load_cpu.push(l / 1000);
            result = Some(r);
        }
        let fastest = (0..runs.len()).min_by_key(|&i| runs[i]).unwrap_or(0);
        let mut load = Vec::with_capacity(repeat);
        for _ in 0..repeat {
            let t = Instant::now();
            let luma = sonod_qr::load_luma(bytes, &limits);
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
            "load_cpu_us": load_cpu.get(fastest).copied().unwrap_or(0),
            "looks": found.looks_run,
            "runs_us": runs,
            "load_us": load.iter().min().copied().unwrap_or(0),
            "error": error,
        });
        use std::io::Write as _;
        writeln!(out, "{line}")?;
    }
    Ok(())
}
