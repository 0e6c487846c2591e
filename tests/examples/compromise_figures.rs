//! The figures of issue #15 that are not the end-to-end table (bench/compromise.sh runs this):
//!
//! `reseal N`: N certificates issued with the office's old key, then re-sealed with the new
//! key (`Ledger::reseal`, as `POST /api/v1/admin/reseal` runs it) while another thread keeps
//! issuing with the new key; prints the re-sealing time and the issuance latency (each issue
//! made durable) before and during it: median, p99, max.
//!
//! `judge N SECONDS`: the verifier's judging (read, trust list, feed replica, signature) of N
//! distinct certificates, round after round, for SECONDS each: with no key compromised, and
//! with one key compromised (pinned) and 10 % of the requests carrying its certificates, which
//! the replica vouches for. Prints both rates and their ratio.

use std::time::{Duration, Instant};

use sonod_issuer::{Ledger, OfficeKey, Store};
use sonod_keys::{
    today_dhaka, Environment, FeedPin, OfficeCode, SecretKey, TrustEntry, TrustList, TrustListDraft,
};
use sonod_seal::feed::{chain_hex, chain_start, chain_through, Event, EventKind};
use sonod_seal::{Certificate, Record, Sealed};
use sonod_verifier::{Judge, Replica, VerdictKind};

fn record() -> Record {
    let mut v: serde_json::Value =
        serde_json::from_str(include_str!("../../seal/tests/data/benchmark-record.json"))
            .expect("json");
    v["issued"] = serde_json::json!(today_dhaka().to_string());
    v["expires"] = serde_json::Value::Null;
    Record::from_json(&v).expect("record")
}

/// A trust list with `keys` of office 100524 (all active), `compromised` marked with `pin`.
fn trust(
    root: &SecretKey,
    keys: &[&SecretKey],
    compromised: Option<(&SecretKey, FeedPin)>,
) -> TrustList {
    let today = today_dhaka();
    let mut d = TrustListDraft::new(today + time::Duration::days(300), Environment::Production);
    for k in keys {
        d.add_key(TrustEntry::new(
            k.verifying_key(),
            "100524".parse().expect("office"),
            "সাভার পৌরসভা",
            "Savar Paurashava",
            today - time::Duration::days(30),
            today + time::Duration::days(300),
            vec![],
        ))
        .expect("add");
    }
    if let Some((k, pin)) = compromised {
        d.compromise(k.key_id(), time::OffsetDateTime::now_utc(), Some(pin))
            .expect("compromise");
    }
    d.sign_on(root, None, today).expect("sign");
    TrustList::load(d.to_json_pretty().as_bytes(), &root.verifying_key(), today).expect("load")
}

fn quantiles(mut v: Vec<Duration>) -> String {
    v.sort_unstable();
    let q = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
    format!(
        "n={} median={:.2}ms p99={:.2}ms max={:.2}ms",
        v.len(),
        q(0.5).as_secs_f64() * 1e3,
        q(0.99).as_secs_f64() * 1e3,
        v[v.len() - 1].as_secs_f64() * 1e3
    )
}

fn reseal(n: u64) {
    let dir = tempfile::tempdir().expect("tmp");
    let root = SecretKey::generate();
    let (old, new) = (SecretKey::generate(), SecretKey::generate());
    let list = trust(&root, &[&old, &new], None);
    let copy = |k: &SecretKey| SecretKey::from_signing_key(k.signing_key().clone());
    let old_key = OfficeKey::new(copy(&old), &list).expect("old key");
    let new_key = OfficeKey::new(copy(&new), &list).expect("new key");
    let ledger = std::sync::Arc::new(
        Ledger::open(Store::open(&dir.path().join("data")).expect("store")).expect("ledger"),
    );
    let r = record();
    let start = Instant::now();
    let mut last = None;
    for _ in 0..n {
        last = Some(ledger.issue(&r, &old_key, "bench", None).expect("issue"));
    }
    if let Some(o) = last {
        ledger.issued_durable_blocking(&o).expect("durable");
    }
    println!(
        "issued {n} certificates with the old key in {:.1}s",
        start.elapsed().as_secs_f64()
    );
    let issue_once = |ledger: &Ledger| {
        let t = Instant::now();
        let o = ledger.issue(&r, &new_key, "bench", None).expect("issue");
        ledger.issued_durable_blocking(&o).expect("durable");
        t.elapsed()
    };
    let before: Vec<Duration> = (0..500).map(|_| issue_once(&ledger)).collect();
    println!("issuance before re-sealing: {}", quantiles(before));
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let worker = {
        let (ledger, done) = (ledger.clone(), done.clone());
        let secret = copy(&new);
        let old_id = old.key_id();
        std::thread::spawn(move || {
            let t = Instant::now();
            let count = ledger.reseal(&old_id, &secret, "bench").expect("reseal");
            done.store(true, std::sync::atomic::Ordering::SeqCst);
            (count, t.elapsed())
        })
    };
    let mut during = Vec::new();
    while !done.load(std::sync::atomic::Ordering::SeqCst) {
        during.push(issue_once(&ledger));
    }
    let (count, took) = worker.join().expect("reseal thread");
    println!(
        "re-sealed {count} certificates in {:.1}s ({:.0}/s) while issuing",
        took.as_secs_f64(),
        count as f64 / took.as_secs_f64()
    );
    println!("issuance during re-sealing: {}", quantiles(during));
    ledger.close().expect("close");
}

fn judge(n: u64, seconds: f64) {
    let dir = tempfile::tempdir().expect("tmp");
    let root = SecretKey::generate();
    let (stolen, active) = (SecretKey::generate(), SecretKey::generate());
    let office: OfficeCode = "100524".parse().expect("office");
    let r = record();
    // n certificates: every tenth signed with the key that will be stolen, all published.
    let mut texts = Vec::new();
    let mut events = Vec::new();
    for serial in 1..=n {
        let key = if serial % 10 == 0 { &stolen } else { &active };
        let sealed = Sealed::seal(&Certificate::new(serial, &r), key).expect("seal");
        events.push(Event {
            seq: serial,
            at: 1_800_000_000,
            kind: EventKind::Issued {
                serial,
                key_id: key.key_id(),
                hash: sonod_issuer::hex_hash(sealed.as_bytes()),
            },
        });
        texts.push(sealed.to_qr_text(None));
    }
    let replica = Replica::open(dir.path(), 64 << 20).expect("replica");
    replica.apply(&office, 0, &events, n).expect("apply");
    replica
        .mark_synced_ms(&office, sonod_verifier::now_unix_ms())
        .expect("synced");
    // The mirror the pin walk reads: one page of all events (signed with the active key).
    let page = sonod_seal::feed::FeedPageBody {
        format: sonod_seal::feed::FEED_FORMAT.into(),
        office: office.clone(),
        after: 0,
        events: events.clone(),
        head: n,
        generated_at: 1_800_000_000,
        prev: None,
        chain: None,
    }
    .sign(&active);
    replica
        .put_page(&office, 0, n, &serde_json::to_vec(&page).expect("page"))
        .expect("mirror");
    let chain = chain_through(chain_start(&office), &events);
    let pin = FeedPin::new(n, &chain_hex(&chain)).expect("pin");
    let plain = Judge::new(trust(&root, &[&stolen, &active], None));
    let pinned_list = trust(&root, &[&stolen, &active], Some((&stolen, pin)));
    replica
        .check_pins(&office, sonod_feed_pins(&pinned_list, &office))
        .expect("pins");
    let pinned = Judge::new(pinned_list);
    let today = today_dhaka();
    let rate = |judge: &Judge, want_compromised: bool| {
        let mut count = 0u64;
        let t = Instant::now();
        while t.elapsed().as_secs_f64() < seconds {
            for (i, text) in texts.iter().enumerate() {
                let v = judge.judge(text, today, &replica);
                assert_eq!(v.kind, VerdictKind::Valid);
                if want_compromised && (i + 1) % 10 == 0 {
                    assert_eq!(v.reason.as_str(), "valid_before_compromise");
                }
                count += 1;
            }
        }
        count as f64 / t.elapsed().as_secs_f64()
    };
    // Alternate, so that both see the same machine conditions.
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        a.push(rate(&plain, false));
        b.push(rate(&pinned, true));
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (a, b) = (mean(&a), mean(&b));
    println!("judging, no key compromised: {a:.0} verdicts/s (one core)");
    println!(
        "judging, one key compromised, 10% of requests its (vouched) certificates: {b:.0} verdicts/s"
    );
    println!("ratio: {:.1}% (goal: within 5%)", 100.0 * b / a);
}

/// The pins of a trust list for an office, as the verifier's sync reads them.
fn sonod_feed_pins(list: &TrustList, office: &OfficeCode) -> Vec<sonod_feed::Pin> {
    sonod_feed::pins(list, office)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("reseal") => reseal(args.get(1).and_then(|s| s.parse().ok()).unwrap_or(100_000)),
        Some("judge") => judge(
            args.get(1).and_then(|s| s.parse().ok()).unwrap_or(10_000),
            args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3.0),
        ),
        _ => {
            eprintln!("usage: compromise_figures reseal [N] | judge [N] [SECONDS]");
            std::process::exit(2);
        }
    }
}
