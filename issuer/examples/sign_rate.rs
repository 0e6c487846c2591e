//! The raw Ed25519 signing rate on one core, the yardstick for issuance throughput.
//!
//! `cargo run --release -p sonod-issuer --example sign_rate [SECONDS]` prints
//! `sign_per_second=N` (signatures of a 200-byte message, one thread).

use std::time::{Duration, Instant};

fn main() {
    let secs: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(2.0);
    let key = sonod_keys::SecretKey::generate();
    let msg = [0x5Au8; 200];
    let mut n = 0u64;
    let start = Instant::now();
    let budget = Duration::from_secs_f64(secs);
    while start.elapsed() < budget {
        for _ in 0..256 {
            std::hint::black_box(key.sign(std::hint::black_box(&msg)));
        }
        n += 256;
    }
    let rate = n as f64 / start.elapsed().as_secs_f64();
    println!("sign_per_second={rate:.0}");
}
