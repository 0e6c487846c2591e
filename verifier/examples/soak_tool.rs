//! The load generator of `bench/soak.sh`: mixed load on a running verifier while a running
//! issuer issues and revokes, for a set time; reports throughput, unexpected answers, p99
//! latency and the verifier's resident memory.
//!
//! ```text
//! soak_tool VERIFIER_URL ISSUER_URL ISSUER_TOKEN EXEMPT_TOKEN SECONDS VERIFIER_PID
//! ```
//!
//! Every request has an expected answer, by kind; any other answer (status, verdict, page,
//! or a transport error) is an unexpected error:
//!
//! | kind | request | expected |
//! |---|---|---|
//! | valid | `POST /api/v1/verify`, an issued certificate | 200, `valid` |
//! | revoked | the same, a revoked one | 200, `revoked` |
//! | forged | the same, its signature's last byte flipped | 200, `bad_signature` |
//! | malformed | the same, a payload that is not a certificate | 200, `malformed` |
//! | bad_json | a body that is not JSON | 400, problem+json |
//! | batch | `POST /api/v1/verify/batch`, 50 of the above kinds mixed | 200, each as above |
//! | page | `GET /V/…` of a valid or revoked one | 200, its headline |
//! | upload | `POST /scan`, a PNG of a valid one's QR code | 200, `Genuine and valid` |
//! | fresh | the same as valid, a certificate the issuer issued during the run | 200, `valid` or `unconfirmed` (not yet synced); if revoked since, also `revoked` |
//!
//! Meanwhile the issuer issues a certificate every 250 ms and revokes every third one; at the
//! end, once a sync interval has passed, every one of them must answer `valid` or `revoked`
//! as the issuer says (a mismatch is an unexpected error too).
//!
//! Memory: the verifier's resident set (VmRSS) is sampled every 5 s; "start" is after a 15 s
//! warm-up under the same load. The bound (exit status 1 beyond it): end <= start + 64 MiB.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const WORKERS: usize = 16;
const BATCH: usize = 50;
const WARM_UP: Duration = Duration::from_secs(15);
const RSS_BOUND_KIB: u64 = 64 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Valid,
    Revoked,
    Forged,
    Malformed,
    BadJson,
    Batch,
    Page,
    Upload,
    Fresh,
}

const KINDS: [(Kind, u32); 9] = [
    (Kind::Valid, 30),
    (Kind::Revoked, 10),
    (Kind::Forged, 10),
    (Kind::Malformed, 8),
    (Kind::BadJson, 4),
    (Kind::Batch, 8),
    (Kind::Page, 20),
    (Kind::Upload, 2),
    (Kind::Fresh, 8),
];

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x % n.max(1)
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len() as u64) as usize]
    }
}

/// What the issuer published: QR texts of good and revoked certificates.
struct Fixture {
    valid: Vec<String>,
    revoked: Vec<String>,
    forged: Vec<String>,
    malformed: Vec<String>,
    pngs: Vec<Vec<u8>>,
    /// Issued during the run: QR text, and whether revoked (and since when, to the issuer).
    fresh: Mutex<Vec<(String, Option<Instant>)>>,
}

#[derive(Default)]
struct Tally {
    latencies_us: BTreeMap<Kind, Vec<u32>>,
    unexpected: BTreeMap<Kind, u64>,
    examples: Vec<String>,
}

impl Tally {
    fn bad(&mut self, kind: Kind, what: String) {
        *self.unexpected.entry(kind).or_default() += 1;
        if self.examples.len() < 20 {
            self.examples.push(format!("{kind:?}: {what}"));
        }
    }
}

fn today_record() -> String {
    let mut v: Value =
        serde_json::from_str(include_str!("../../seal/tests/data/benchmark-record.json"))
            .expect("record");
    let today = sonod_keys::today_dhaka();
    v["issued"] = json!(today.to_string());
    v["expires"] = json!(today
        .replace_year(today.year() + 1)
        .unwrap_or(today)
        .to_string());
    v.to_string()
}

async fn issue(
    c: &reqwest::Client,
    issuer: &str,
    token: &str,
    body: &str,
) -> Result<(u64, String), String> {
    let r = c
        .post(format!("{issuer}/api/v1/certificates"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = r.status();
    let v: Value = r.json().await.map_err(|e| e.to_string())?;
    if status != 201 {
        return Err(format!("issue: {status} {v}"));
    }
    Ok((
        v["serial"].as_u64().ok_or("no serial")?,
        v["qr_text"].as_str().ok_or("no qr_text")?.to_owned(),
    ))
}

async fn revoke(c: &reqwest::Client, issuer: &str, token: &str, serial: u64) -> Result<(), String> {
    let r = c
        .post(format!("{issuer}/api/v1/certificates/{serial}/revoke"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(r#"{"reason":"issued_in_error"}"#)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if r.status() != 200 {
        return Err(format!("revoke {serial}: {}", r.status()));
    }
    Ok(())
}

fn b32_of(qr: &str) -> String {
    let bytes = sonod_seal::parse_qr_text(qr).expect("qr").bytes;
    data_encoding::BASE32_NOPAD.encode(&bytes)
}

fn forged_of(qr: &str) -> String {
    let mut bytes = sonod_seal::parse_qr_text(qr).expect("qr").bytes;
    let n = bytes.len();
    bytes[n - 1] ^= 1;
    data_encoding::BASE32_NOPAD.encode(&bytes)
}

fn png_of(text: &str) -> Vec<u8> {
    let code = qrcode::QrCode::new(text.as_bytes()).expect("qr");
    let img = code
        .render::<image::Luma<u8>>()
        .min_dimensions(400, 400)
        .build();
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("png");
    out
}

async fn verdict_of(
    c: &reqwest::Client,
    verifier: &str,
    exempt: &str,
    payload: &str,
) -> Option<String> {
    let r = c
        .post(format!("{verifier}/api/v1/verify"))
        .bearer_auth(exempt)
        .json(&json!({ "payload": payload }))
        .send()
        .await
        .ok()?;
    let v: Value = r.json().await.ok()?;
    v["verdict"].as_str().map(str::to_owned)
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// One request of `kind`: Ok if the answer is the expected one, else what it was.
async fn one(
    c: &reqwest::Client,
    base: &str,
    exempt: &str,
    fx: &Fixture,
    rng: &mut Rng,
    kind: Kind,
) -> Result<(), String> {
    let verify = |payload: String| {
        c.post(format!("{base}/api/v1/verify"))
            .bearer_auth(exempt)
            .json(&json!({ "payload": payload }))
            .send()
    };
    let expect_verdict = |r: Result<reqwest::Response, reqwest::Error>, want: Vec<&'static str>| async move {
        let r = r.map_err(|e| format!("transport: {e}"))?;
        let status = r.status();
        let v: Value = r
            .json()
            .await
            .map_err(|e| format!("{status}: not JSON: {e}"))?;
        let got = v["verdict"].as_str().unwrap_or("-");
        if status == 200 && want.contains(&got) {
            Ok(())
        } else {
            Err(format!("{status} {got}, expected {want:?}"))
        }
    };
    match kind {
        Kind::Valid => {
            expect_verdict(verify(rng.pick(&fx.valid).clone()).await, vec!["valid"]).await
        }
        Kind::Revoked => {
            expect_verdict(verify(rng.pick(&fx.revoked).clone()).await, vec!["revoked"]).await
        }
        Kind::Forged => {
            expect_verdict(
                verify(rng.pick(&fx.forged).clone()).await,
                vec!["bad_signature"],
            )
            .await
        }
        Kind::Malformed => {
            expect_verdict(
                verify(rng.pick(&fx.malformed).clone()).await,
                vec!["malformed"],
            )
            .await
        }
        Kind::Fresh => {
            let pick = {
                let f = fx.fresh.lock().expect("lock");
                if f.is_empty() {
                    None
                } else {
                    Some(f[rng.below(f.len() as u64) as usize].clone())
                }
            };
            let Some((qr, revoked)) = pick else {
                return expect_verdict(verify(rng.pick(&fx.valid).clone()).await, vec!["valid"])
                    .await;
            };
            let want = if revoked.is_some() {
                vec!["valid", "unconfirmed", "revoked"]
            } else {
                vec!["valid", "unconfirmed"]
            };
            expect_verdict(verify(qr).await, want).await
        }
        Kind::BadJson => {
            let r = c
                .post(format!("{base}/api/v1/verify"))
                .bearer_auth(exempt)
                .header("content-type", "application/json")
                .body(r#"{"payload": "#)
                .send()
                .await
                .map_err(|e| format!("transport: {e}"))?;
            let status = r.status();
            let ct = r
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            if status == 400 && ct.starts_with("application/problem+json") {
                Ok(())
            } else {
                Err(format!("{status} {ct}"))
            }
        }
        Kind::Batch => {
            let mut payloads = Vec::with_capacity(BATCH);
            let mut want = Vec::with_capacity(BATCH);
            for _ in 0..BATCH {
                let (p, w) = match rng.below(4) {
                    0 | 1 => (rng.pick(&fx.valid).clone(), "valid"),
                    2 => (rng.pick(&fx.revoked).clone(), "revoked"),
                    _ => (rng.pick(&fx.forged).clone(), "bad_signature"),
                };
                payloads.push(p);
                want.push(w);
            }
            let r = c
                .post(format!("{base}/api/v1/verify/batch"))
                .bearer_auth(exempt)
                .json(&json!({ "payloads": payloads }))
                .send()
                .await
                .map_err(|e| format!("transport: {e}"))?;
            let status = r.status();
            let v: Value = r
                .json()
                .await
                .map_err(|e| format!("{status}: not JSON: {e}"))?;
            let results = v["results"].as_array().cloned().unwrap_or_default();
            if status != 200 || results.len() != BATCH {
                return Err(format!("{status}, {} results", results.len()));
            }
            for (i, (got, w)) in results.iter().zip(want).enumerate() {
                if got["verdict"] != w {
                    return Err(format!("result {i}: {}, expected {w}", got["verdict"]));
                }
            }
            Ok(())
        }
        Kind::Page => {
            let (p, marker) = if rng.below(4) == 0 {
                (rng.pick(&fx.revoked), "Revoked")
            } else {
                (rng.pick(&fx.valid), "Genuine and valid")
            };
            let r = c
                .get(format!("{base}/V/{}", b32_of(p)))
                .bearer_auth(exempt)
                .send()
                .await
                .map_err(|e| format!("transport: {e}"))?;
            let status = r.status();
            let html = r.text().await.map_err(|e| e.to_string())?;
            if status == 200 && html.contains(marker) {
                Ok(())
            } else {
                Err(format!("{status}, no {marker:?} in the page"))
            }
        }
        Kind::Upload => {
            let png = rng.pick(&fx.pngs);
            let boundary = "soak-boundary-7d3f";
            let mut body = Vec::new();
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"qr.png\"\r\nContent-Type: image/png\r\n\r\n").as_bytes(),
            );
            body.extend_from_slice(png);
            body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
            let r = c
                .post(format!("{base}/scan"))
                .bearer_auth(exempt)
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(body)
                .send()
                .await
                .map_err(|e| format!("transport: {e}"))?;
            let status = r.status();
            let html = r.text().await.map_err(|e| e.to_string())?;
            if status == 200 && html.contains("Genuine and valid") {
                Ok(())
            } else {
                Err(format!("{status}, not judged valid"))
            }
        }
    }
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[i]) / 1000.0
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 7 {
        eprintln!("usage: soak_tool VERIFIER_URL ISSUER_URL ISSUER_TOKEN EXEMPT_TOKEN SECONDS VERIFIER_PID");
        std::process::exit(2);
    }
    let (verifier, issuer, token, exempt) = (
        args[1].clone(),
        args[2].clone(),
        args[3].clone(),
        args[4].clone(),
    );
    let seconds: u64 = args[5].parse().expect("SECONDS");
    let pid: u32 = args[6].parse().expect("VERIFIER_PID");
    let c = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(WORKERS)
        .build()
        .expect("client");
    let record = today_record();

    // The fixture: 120 certificates, 30 of them revoked, and the verifier synced with them.
    let mut issued = Vec::new();
    for _ in 0..120 {
        issued.push(issue(&c, &issuer, &token, &record).await.expect("issue"));
    }
    let (to_revoke, valid) = issued.split_at(30);
    for (serial, _) in to_revoke {
        revoke(&c, &issuer, &token, *serial).await.expect("revoke");
    }
    let valid: Vec<String> = valid.iter().map(|(_, q)| q.clone()).collect();
    let revoked: Vec<String> = to_revoke.iter().map(|(_, q)| q.clone()).collect();
    let t = Instant::now();
    loop {
        let a = verdict_of(&c, &verifier, &exempt, revoked.last().expect("one")).await;
        let b = verdict_of(&c, &verifier, &exempt, valid.last().expect("one")).await;
        if a.as_deref() == Some("revoked") && b.as_deref() == Some("valid") {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(120),
            "the verifier did not sync the fixture: {a:?} {b:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let forged = valid.iter().chain(&revoked).map(|q| forged_of(q)).collect();
    let malformed = vec![
        "hello world".to_owned(),
        "HTTPS://LOCALHOST:8081/V/AAAA".to_owned(),
        String::new(),
        "X".repeat(300),
        b32_of(&valid[0])[..60].to_owned(),
    ];
    let pngs = valid.iter().take(4).map(|q| png_of(q)).collect();
    let fx = Arc::new(Fixture {
        valid,
        revoked,
        forged,
        malformed,
        pngs,
        fresh: Mutex::default(),
    });
    let rss_before_load = rss_kib(pid);
    eprintln!(
        "fixture ready; load for {seconds} s with {WORKERS} connections (resident {} MiB)",
        rss_before_load / 1024
    );

    let stop = Arc::new(AtomicBool::new(false));
    let requests = Arc::new(AtomicU64::new(0));
    let start = Instant::now();

    // The issuer: a certificate every 250 ms, every third one revoked.
    let issuer_task = {
        let (c, issuer, token, fx, stop, record) = (
            c.clone(),
            issuer.clone(),
            token.clone(),
            fx.clone(),
            stop.clone(),
            record.clone(),
        );
        tokio::spawn(async move {
            let mut errors = Vec::new();
            let mut mine = Vec::new();
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                match issue(&c, &issuer, &token, &record).await {
                    Ok((serial, qr)) => {
                        let i = {
                            let mut f = fx.fresh.lock().expect("lock");
                            f.push((qr, None));
                            f.len() - 1
                        };
                        mine.push(serial);
                        if n.is_multiple_of(3) {
                            match revoke(&c, &issuer, &token, serial).await {
                                Ok(()) => {
                                    fx.fresh.lock().expect("lock")[i].1 = Some(Instant::now())
                                }
                                Err(e) => errors.push(e),
                            }
                        }
                    }
                    Err(e) => errors.push(e),
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            (mine.len(), errors)
        })
    };

    // Memory samples.
    let rss_task = {
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut samples = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                samples.push((start.elapsed(), rss_kib(pid)));
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
            samples.push((start.elapsed(), rss_kib(pid)));
            samples
        })
    };

    let total: u32 = KINDS.iter().map(|(_, w)| w).sum();
    let workers: Vec<_> = (0..WORKERS)
        .map(|w| {
            let (c, base, exempt, fx, stop, requests) = (
                c.clone(),
                verifier.clone(),
                exempt.clone(),
                fx.clone(),
                stop.clone(),
                requests.clone(),
            );
            tokio::spawn(async move {
                let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (w as u64 + 1).wrapping_mul(0x2545_f491));
                let mut tally = Tally::default();
                while !stop.load(Ordering::Relaxed) {
                    let mut roll = rng.below(u64::from(total)) as u32;
                    let kind = KINDS
                        .iter()
                        .find(|(_, weight)| {
                            if roll < *weight {
                                true
                            } else {
                                roll -= weight;
                                false
                            }
                        })
                        .map_or(Kind::Valid, |(k, _)| *k);
                    let t = Instant::now();
                    let r = one(&c, &base, &exempt, &fx, &mut rng, kind).await;
                    let us = u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX);
                    tally.latencies_us.entry(kind).or_default().push(us);
                    requests.fetch_add(1, Ordering::Relaxed);
                    if let Err(e) = r {
                        tally.bad(kind, e);
                    }
                }
                tally
            })
        })
        .collect();

    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut tally = Tally::default();
    for w in workers {
        let t = w.await.expect("worker");
        for (k, mut v) in t.latencies_us {
            tally.latencies_us.entry(k).or_default().append(&mut v);
        }
        for (k, n) in t.unexpected {
            *tally.unexpected.entry(k).or_default() += n;
        }
        tally.examples.extend(t.examples);
    }
    let elapsed = start.elapsed();
    let (fresh_issued, issuer_errors) = issuer_task.await.expect("issuer task");
    let samples = rss_task.await.expect("rss task");
    for e in &issuer_errors {
        tally.bad(Kind::Fresh, format!("issuer: {e}"));
    }

    // Every certificate issued during the run, once synced, answers as the issuer says.
    let fresh = fx.fresh.lock().expect("lock").clone();
    let t = Instant::now();
    let mut mismatches = Vec::new();
    loop {
        mismatches.clear();
        for (qr, revoked) in &fresh {
            let want = if revoked.is_some() {
                "revoked"
            } else {
                "valid"
            };
            let got = verdict_of(&c, &verifier, &exempt, qr).await;
            if got.as_deref() != Some(want) {
                mismatches.push(format!("{got:?}, expected {want}"));
            }
        }
        if mismatches.is_empty() || t.elapsed() > Duration::from_secs(30) {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    for m in mismatches {
        tally.bad(Kind::Fresh, format!("after the run: {m}"));
    }

    let n = requests.load(Ordering::Relaxed);
    let mut all: Vec<u32> = tally.latencies_us.values().flatten().copied().collect();
    all.sort_unstable();
    let unexpected: u64 = tally.unexpected.values().sum();
    let rss_start = samples
        .iter()
        .find(|(t, _)| *t >= WARM_UP)
        .or(samples.first())
        .map_or(0, |s| s.1);
    let rss_end = samples.last().map_or(0, |s| s.1);
    let rss_max = samples.iter().map(|s| s.1).max().unwrap_or(0);
    let grew = rss_end.saturating_sub(rss_start);

    println!("RESULTS");
    println!("{:<44} {:.0} s", "duration", elapsed.as_secs_f64());
    println!(
        "{:<44} {n} ({:.1}/s)",
        "requests to the verifier",
        n as f64 / elapsed.as_secs_f64()
    );
    println!(
        "{:<44} {fresh_issued} issued, {} of them revoked",
        "issuer during the run",
        fresh.iter().filter(|(_, r)| r.is_some()).count()
    );
    for (kind, v) in &mut tally.latencies_us {
        v.sort_unstable();
        println!(
            "  {:<42} {:>7} requests, p50 {:>7.2} ms, p99 {:>8.2} ms, unexpected {}",
            format!("{kind:?}"),
            v.len(),
            percentile(v, 0.5),
            percentile(v, 0.99),
            tally.unexpected.get(kind).copied().unwrap_or(0)
        );
    }
    println!("{:<44} {unexpected} (must be 0)", "unexpected errors");
    for e in &tally.examples {
        println!("  {e}");
    }
    println!(
        "{:<44} p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        "latency, all requests",
        percentile(&all, 0.5),
        percentile(&all, 0.99),
        all.last().map_or(0.0, |m| f64::from(*m) / 1000.0)
    );
    println!(
        "{:<44} before load {} MiB, start (after {} s) {} MiB, end {} MiB, max {} MiB; bound: end <= start + {} MiB",
        "verifier resident memory",
        rss_before_load / 1024,
        WARM_UP.as_secs(),
        rss_start / 1024,
        rss_end / 1024,
        rss_max / 1024,
        RSS_BOUND_KIB / 1024
    );
    let memory_ok = grew <= RSS_BOUND_KIB;
    println!(
        "{:<44} {}",
        "verdict",
        if unexpected == 0 && memory_ok {
            "PASS"
        } else {
            "FAIL"
        }
    );
    if unexpected != 0 || !memory_ok {
        std::process::exit(1);
    }
}
