//! Decompression bombs for `bench/bombs.sh`: writes them, or reads one and prints the peak
//! resident memory of the read.
//!
//! ```text
//! cargo run -p sonod-qr --example bombs -- write DIR [--small] [--largest]
//!                                         # the bombs, one file each (and the largest inputs
//!                                         # the default limits accept)
//! cargo run -p sonod-qr --example bombs -- read FILE [--verifier] [--budget-ms N]
//!                                         # read with sonod-scan's (or the verifier's) limits
//! ```
//!
//! `read` prints one line: `{"file", "result", "peak_rss_kib"}` (the peak from
//! `/proc/self/status` `VmHWM`, so Linux only).

use std::time::Duration;

#[path = "../tests/support/bombs.rs"]
mod bombs;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("write") if args.len() >= 2 => {
            let dir = std::path::Path::new(&args[1]);
            let big = !args.iter().any(|a| a == "--small");
            if let Err(e) = std::fs::create_dir_all(dir) {
                eprintln!("{}: {e}", dir.display());
                return std::process::ExitCode::from(2);
            }
            let mut files = bombs::all(big);
            if args.iter().any(|a| a == "--largest") {
                // At sonod-scan's limits, and at the verifier's (4,000 a side, 12 MP).
                let d = sonod_qr::Limits::default();
                files.extend(bombs::largest(d.max_side, d.max_pixels));
                files.extend(bombs::largest(4000, 12_000_000));
            }
            for (name, bytes) in files {
                let path = dir.join(&name);
                if let Err(e) = std::fs::write(&path, &bytes) {
                    eprintln!("{}: {e}", path.display());
                    return std::process::ExitCode::from(2);
                }
                println!("{name}\t{} bytes", bytes.len());
            }
            std::process::ExitCode::SUCCESS
        }
        Some("read") if args.len() >= 2 => {
            let bytes = match std::fs::read(&args[1]) {
                Ok(b) => b,
                Err(e) => {
                    eprintln!("{}: {e}", args[1]);
                    return std::process::ExitCode::from(2);
                }
            };
            let limits = if args.iter().any(|a| a == "--verifier") {
                sonod_qr::Limits {
                    max_file_bytes: 8 << 20,
                    max_side: 4000,
                    max_pixels: 12_000_000,
                    budget: Duration::from_secs(2),
                    pdf: false,
                    ..sonod_qr::Limits::default()
                }
            } else {
                sonod_qr::Limits::default()
            };
            let budget = args
                .windows(2)
                .find(|w| w[0] == "--budget-ms")
                .and_then(|w| w[1].parse().ok())
                .map(Duration::from_millis);
            let limits = sonod_qr::Limits {
                budget: budget.unwrap_or(limits.budget),
                ..limits
            };
            let result = sonod_qr::read_codes(&bytes, &limits);
            // Let a worker that overran the budget finish, so that its memory is counted.
            while sonod_qr::overrunning() > 0 {
                std::thread::sleep(Duration::from_millis(20));
            }
            let result = match result {
                Ok(texts) => format!("{} codes", texts.len()),
                Err(e) => e.to_string(),
            };
            println!(
                "{{\"file\": \"{}\", \"result\": \"{}\", \"peak_rss_kib\": {}}}",
                json_escape(&args[1]),
                json_escape(&result),
                peak_rss_kib()
            );
            std::process::ExitCode::SUCCESS
        }
        _ => {
            eprintln!(
                "usage: bombs write DIR [--small] [--largest] | bombs read FILE [--verifier] [--budget-ms N]"
            );
            std::process::ExitCode::from(2)
        }
    }
}

/// This process's peak resident memory, in KiB (0 where `/proc` has no answer).
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// `s` as the inside of a JSON string.
fn json_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}
