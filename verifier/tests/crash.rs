//! Crash safety of the feed replica: SIGKILL the verifier binary at random moments while it
//! replicates a feed that keeps growing (issues and revocations), restart it, many times; at
//! the end the replica must match the feed exactly — every issued certificate answers valid,
//! every revoked one revoked, a certificate never published not issued, the position is the
//! head, and the mirrored pages tile the feed event for event (nothing applied twice, nothing
//! skipped).
//!
//! `SONOD_CRASH_ITERATIONS` (default 100) sets the number of kills, `SONOD_CRASH_SEED` the
//! random seed (printed, to replay a failure).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use sonod_seal::feed::{EventKind, FeedPageBody, Signed};
use sonod_seal::Sealed;
use sonod_testkit::free_port;
use sonod_verifier::{FeedAnswer, FeedStatus, Replica};

/// A small xorshift generator: the test needs no more, and a seed to replay.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn verifier(f: &Fixture, data: &Path, issuer: &str, listen: SocketAddr) -> Child {
    Command::new(env!("CARGO_BIN_EXE_sonod-verifier"))
        .arg("serve")
        .arg("--data")
        .arg(data)
        .arg("--trust")
        .arg(f.trust_path())
        .arg("--root")
        .arg(f.root_path())
        .args([
            "--issuer",
            issuer,
            "--sync-interval",
            "50ms",
            "--rate-limit",
            "0",
        ])
        .args(["--listen", &listen.to_string()])
        .env("SONOD_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the verifier starts")
}

/// The issuer's side of the test: what it published, for the checks at the end.
#[derive(Default)]
struct Published {
    certs: BTreeMap<u64, Sealed>,
    revoked: BTreeSet<u64>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_replica_survives_sigkill_during_sync_and_matches_the_feed() {
    let iterations: u32 = std::env::var("SONOD_CRASH_ITERATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let seed: u64 = std::env::var("SONOD_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
                | 1
        });
    eprintln!("SONOD_CRASH_SEED={seed} SONOD_CRASH_ITERATIONS={iterations}");
    let mut rng = Rng(seed);

    let f = Arc::new(Fixture::new());
    let issuer = FakeIssuer::new(copy(&f.office));
    // Small pages: a round takes several, so kills land between and inside them.
    *issuer.page_cap.lock().unwrap() = 7;
    let url = issuer.start().await;
    let data = f.dir.path().join("replica");

    // The issuer issues and revokes all along (about 100 events a second, at most 6,000).
    let published = Arc::new(std::sync::Mutex::new(Published::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (f, issuer, published, stop) =
            (f.clone(), issuer.clone(), published.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut rng = Rng(seed.rotate_left(17) | 1);
            let mut serial = 0u64;
            while !stop.load(Ordering::Relaxed) && issuer.events.lock().unwrap().len() < 6_000 {
                let mut p = published.lock().unwrap();
                if serial > 10 && rng.below(4) == 0 {
                    let pick = 1 + rng.below(serial);
                    if p.revoked.insert(pick) {
                        issuer.revoke(pick);
                    }
                } else {
                    serial += 1;
                    let s = f.valid(serial);
                    issuer.issue(serial, &s);
                    p.certs.insert(serial, s);
                }
                drop(p);
                std::thread::sleep(Duration::from_millis(5 + rng.below(10)));
            }
        })
    };

    let started = Instant::now();
    let mut mid_sync = 0u32;
    for _ in 0..iterations {
        let before = issuer.requests();
        let mut child = verifier(&f, &data, &url, free_port());
        if rng.below(5) == 0 {
            // Anywhere in start-up: opening the replica, loading the trust list.
            tokio::time::sleep(Duration::from_millis(rng.below(150))).await;
        } else {
            // Once it is fetching pages, a random moment into the sync.
            let t = Instant::now();
            while issuer.requests() == before && t.elapsed() < Duration::from_secs(10) {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            tokio::time::sleep(Duration::from_millis(rng.below(300))).await;
            if issuer.requests() > before {
                mid_sync += 1;
            }
        }
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
    }
    stop.store(true, Ordering::Relaxed);
    writer.join().expect("writer");
    let head = issuer.events.lock().unwrap().len() as u64;
    eprintln!(
        "{iterations} kills ({mid_sync} while syncing) in {:.1} s; the feed has {head} events",
        started.elapsed().as_secs_f64()
    );
    assert!(
        mid_sync >= iterations / 2,
        "only {mid_sync} of {iterations} kills landed during a sync"
    );

    // One last start: it catches up, and answers from the replica.
    let listen = free_port();
    let mut child = verifier(&f, &data, &url, listen);
    let base = format!("http://{listen}");
    let client = reqwest::Client::new();
    let position = |client: reqwest::Client, base: String| async move {
        let m = client.get(format!("{base}/metrics")).send().await.ok()?;
        let text = m.text().await.ok()?;
        text.lines()
            .find(|l| {
                l.starts_with(&format!(
                    "sonod_verifier_feed_position{{office=\"{OFFICE}\"}}"
                ))
            })
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|n| n.parse::<u64>().ok())
    };
    let t = Instant::now();
    let mut at = None;
    while t.elapsed() < Duration::from_secs(90) {
        at = position(client.clone(), base.clone()).await;
        if at == Some(head) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        at,
        Some(head),
        "the verifier did not catch up with the feed"
    );
    let ready = client
        .get(format!("{base}/readyz"))
        .send()
        .await
        .expect("readyz");
    assert_eq!(
        ready.status(),
        200,
        "{}",
        ready.text().await.unwrap_or_default()
    );

    let (certs, revoked) = {
        let p = published.lock().unwrap();
        (p.certs.clone(), p.revoked.clone())
    };
    let mut payloads: Vec<(String, &str)> = certs
        .iter()
        .map(|(serial, s)| {
            let want = if revoked.contains(serial) {
                "revoked"
            } else {
                "valid"
            };
            (f.url(s), want)
        })
        .collect();
    // Signed with the office's key but never published.
    payloads.push((f.url(&f.valid(1_000_000)), "not_issued"));
    for chunk in payloads.chunks(500) {
        let body =
            serde_json::json!({ "payloads": chunk.iter().map(|(p, _)| p).collect::<Vec<_>>() });
        let resp = client
            .post(format!("{base}/api/v1/verify/batch"))
            .json(&body)
            .send()
            .await
            .expect("batch");
        assert_eq!(resp.status(), 200);
        let v: serde_json::Value = resp.json().await.expect("json");
        let results = v["results"].as_array().expect("results");
        assert_eq!(results.len(), chunk.len());
        for ((payload, want), got) in chunk.iter().zip(results) {
            assert_eq!(got["verdict"], *want, "{payload}: {got:#}");
        }
    }

    // Stop it cleanly and look at the replica itself.
    let pid = child.id().to_string();
    let _ = Command::new("kill").args(["-TERM", &pid]).status();
    let t = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        assert!(t.elapsed() < Duration::from_secs(30), "no clean stop");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let replica = Replica::open(&data, 1 << 20).expect("the replica reopens");
    let feed = replica.office(&OFFICE.parse().unwrap()).expect("office");
    assert_eq!((feed.position, feed.head), (head, head));
    assert!(feed.synced_at().is_some());
    let seen = now() * 1000;
    let issued = f.record(-10, Some(355)).issued();
    for (serial, s) in &certs {
        let answer = replica.lookup(&OFFICE.parse().unwrap(), *serial, issued, &s.hash(), seen);
        if revoked.contains(serial) {
            assert!(
                matches!(answer, FeedAnswer::Revoked { .. }),
                "{serial}: {answer:?}"
            );
        } else {
            assert_eq!(answer, FeedAnswer::Issued, "{serial}");
        }
    }
    // The mirrored pages tile the feed: every event once, in order, as the issuer published it.
    let events = issuer.events.lock().unwrap().clone();
    let mut next = 0u64;
    while next < head {
        let page = replica
            .page_from(&OFFICE.parse().unwrap(), next)
            .unwrap_or_else(|| panic!("no mirrored page holds event {}", next + 1));
        assert_eq!(page.after, next, "mirrored pages overlap or leave a gap");
        let body = Signed::<FeedPageBody>::parse(&page.bytes).expect("page");
        assert_eq!(body.signed.events.len() as u64, page.count);
        for e in &body.signed.events {
            next += 1;
            assert_eq!(e, &events[next as usize - 1], "event {next}");
        }
    }
    assert_eq!(next, head);
    let issued_events = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Issued { .. }))
        .count();
    assert_eq!(issued_events, certs.len());
}
