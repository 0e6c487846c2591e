//! How long one durability barrier (sled flush + fsync) takes after a group of writes.
//! `cargo run --release -p sonod-issuer --example commit_time [GROUP]`
use std::time::Instant;
fn main() {
    let group: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(32);
    let dir = tempfile::tempdir().expect("tmp");
    let store = sonod_issuer::Store::open(dir.path()).expect("store");
    let mut times = Vec::new();
    // About the size of a real record (the benchmark's).
    let record: sonod_issuer::StoredRecord = sonod_seal::Record::from_json_str(include_str!(
        "../../seal/tests/data/benchmark-record.json"
    ))
    .expect("record")
    .into();
    for round in 0..300u64 {
        for i in 0..group as u64 {
            let c = sonod_issuer::StoredCertificate {
                serial: round * 1000 + i + 1,
                record: record.clone(),
                key_id: "0000000000000000".parse().expect("key id"),
                sealed: vec![7; 192],
            };
            store.put(&c).expect("put");
        }
        let t = Instant::now();
        store.commit().expect("commit");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    println!(
        "group={group} commit median={:.3} ms p90={:.3} ms",
        times[150], times[270]
    );
}
