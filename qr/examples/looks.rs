//! Which look of the search reads which picture, and at what cost: for tuning the search.
//!
//! ```text
//! cargo run --release -p sonod-qr --example looks -- [--only NAME,...] FILE... > looks.jsonl
//! ```
//!
//! One JSON line per file and look: `{"file", "look", "texts", "ms"}` (each look on its own,
//! whatever the others found).

use std::time::Instant;

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
            let Some(texts) = sonod_qr::try_look(&luma, name) else {
                continue;
            };
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            println!(
                "{{\"file\":{:?},\"look\":{:?},\"found\":{},\"texts\":{:?},\"ms\":{:.2}}}",
                f,
                name,
                texts.len(),
                texts,
                ms
            );
        }
    }
}
