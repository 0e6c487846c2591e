//! Which look of the search reads which picture, and at what cost: for tuning the search.
//!
//! ```text
//! cargo run --release -p sonod-qr --example looks -- [--only NAME,...] FILE... > looks.jsonl
//! ```
//!
//! One JSON line per file and look: `{"file", "look", "found", "texts", "ms", "cpu_ms"}` (each
//! look on its own, whatever the others found; `ms` wall time, `cpu_ms` the thread's CPU time,
//! which on a shared machine leaves out the waits for a core).

use std::time::Instant;

/// This thread's CPU time in milliseconds.
fn thread_cpu_ms() -> f64 {
    use rustix::time::{clock_gettime, ClockId};
    let t = clock_gettime(ClockId::ThreadCPUTime);
    t.tv_sec as f64 * 1000.0 + t.tv_nsec as f64 / 1e6
}

fn main() {
    let mut only: Option<Vec<String>> = None;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--only" {
            only = args
                .next()
                .map(|s| s.split(',').map(str::to_owned).collect());
        } else {
            files.push(a);
        }
    }
    let limits = sonod_qr::Limits::default();
    for f in files {
        let Ok(bytes) = std::fs::read(&f) else {
            eprintln!("{f}: cannot read");
            continue;
        };
        let luma = match sonod_qr::load_luma(&bytes, &limits) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("{f}: {e}");
                continue;
            }
        };
        for name in sonod_qr::look_names() {
            if only.as_ref().is_some_and(|o| !o.iter().any(|n| n == name)) {
                continue;
            }
            let t = Instant::now();
            let c = thread_cpu_ms();
            let Some(texts) = sonod_qr::try_look(&luma, name) else {
                continue;
            };
            let cpu_ms = thread_cpu_ms() - c;
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            println!(
                "{{\"file\":{:?},\"look\":{:?},\"found\":{},\"texts\":{:?},\"ms\":{:.2},\"cpu_ms\":{:.2}}}",
                f,
                name,
                texts.len(),
                texts,
                ms,
                cpu_ms
            );
        }
    }
}
