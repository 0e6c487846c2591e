//! Messages queued in the SMS outbox per second, durably (each acknowledged only after the
//! group commit's fdatasync), by 1 and by 32 concurrent writers, on a store in a temporary
//! folder on the disk the data folder would use (`TMPDIR`).
//! `cargo run --release -p sonod-issuer --example outbox_rate [MESSAGES]`
use std::sync::Arc;
use std::time::Instant;

use sonod_issuer::{Ledger, Store};

fn main() {
    let total: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    for writers in [1usize, 32] {
        let dir = tempfile::tempdir().expect("tmp");
        let ledger =
            Arc::new(Ledger::open(Store::open(dir.path()).expect("store")).expect("ledger"));
        let n = if writers == 1 { total / 10 } else { total };
        let t = Instant::now();
        rt.block_on(async {
            let mut tasks = Vec::new();
            for w in 0..writers {
                let ledger = ledger.clone();
                tasks.push(tokio::spawn(async move {
                    for i in (w..n).step_by(writers) {
                        ledger
                            .send_sms(
                                format!("+88017{:08}", i % 100_000_000),
                                "আপনার নাগরিকত্ব সনদ প্রদান করা হয়েছে। সনদ নং ১০০৫২৪-১২৩৪৫।".into(),
                                "issued",
                            )
                            .await
                            .expect("queued");
                    }
                }));
            }
            for t in tasks {
                t.await.expect("task");
            }
        });
        let secs = t.elapsed().as_secs_f64();
        let stored = ledger.sms_messages(0, usize::MAX).expect("read").len();
        assert_eq!(stored, n, "every acknowledged message is in the outbox");
        println!(
            "outbox: {writers:>2} writer(s): {n} messages durably queued in {secs:.2} s = {:.0} messages/s",
            n as f64 / secs
        );
        ledger.close().expect("close");
    }
}
