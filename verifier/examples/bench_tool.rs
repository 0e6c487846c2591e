//! Helper of `bench/verifier-load.sh`: fixtures, raw signature timings, a replica at scale.
//!
//! ```text
//! bench_tool fixture DIR COUNT HOST     keys, trust list and COUNT distinct valid QR texts
//! bench_tool raw [SECONDS]              verify_strict, verify_batch and in-process judging
//! bench_tool replica DIR DATA ISSUED REVOKED
//!                                        a replica in DATA with the payloads of DIR plus
//!                                        synthetic certificates up to ISSUED, REVOKED revoked
//! bench_tool floor ADDR verify|echo      the HTTP floor: a bare axum server on ADDR whose
//!                                        POST /api/v1/verify reads the same JSON request and
//!                                        answers a small JSON, after one verify_strict of a
//!                                        fixed 300-byte message (verify) or none (echo)
//! ```

use std::io::{BufRead, BufWriter, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use sonod_keys::{
    today_dhaka, write_public_key, Environment, OfficeCode, SecretKey, TrustEntry, TrustList,
    TrustListDraft,
};
use sonod_seal::{parse_qr_text, Certificate, Host, Record, Sealed};
use sonod_verifier::{
    batch_equation, verify_signatures, FeedAnswer, FeedStatus, Judge, ReadingCache, Replica,
    SignatureKey, SIGNATURE_BACKEND,
};
use time::Duration as Days;

const OFFICE: &str = "100524";

/// A feed that has published every certificate: in-process judging measured on the path of a
/// genuine certificate found in the replica (with no feed at all the verdict is `unconfirmed`,
/// not `valid`).
#[derive(Debug)]
struct AllIssued;

impl FeedStatus for AllIssued {
    fn lookup(&self, _: &OfficeCode, _: u64, _: time::Date, _: &[u8; 32], _: i64) -> FeedAnswer {
        FeedAnswer::Issued
    }
}

fn record(serial: u64) -> Result<Record> {
    let today = today_dhaka();
    let j = serde_json::json!({
        "type": "citizenship",
        "office": OFFICE,
        "issued": (today - Days::days(10 + (serial % 300) as i64)).to_string(),
        "expires": (today + Days::days(355)).to_string(),
        "fields": {
            "name": "মোহাম্মদ আব্দুল করিম",
            "father": "মোহাম্মদ আব্দুর রহমান",
            "mother": "মোসাম্মৎ রোকেয়া বেগম",
            "nid": format!("1990{:013}", serial),
            "ward": 5
        }
    });
    Ok(Record::from_json(&j)?)
}

fn trust_list(root: &SecretKey, office: &SecretKey, host: &str) -> Result<TrustListDraft> {
    let today = today_dhaka();
    let mut d = TrustListDraft::new(today + Days::days(365), Environment::Production);
    d.add_key(TrustEntry::new(
        office.verifying_key(),
        OFFICE.parse().unwrap(),
        "সাভার পৌরসভা",
        "Savar Paurashava",
        today - Days::days(400),
        today + Days::days(400),
        vec![host.to_owned()],
    ))?;
    d.sign_on(root, None, today)?;
    Ok(d)
}

fn fixture(dir: &Path, count: u64, host: &str) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let (root, office) = (SecretKey::generate(), SecretKey::generate());
    trust_list(&root, &office, host)?.write(dir.join("trust.json"))?;
    write_public_key(dir.join("root.pub.pem"), &root.verifying_key())?;
    let host: Host = host.parse()?;
    let mut out = BufWriter::new(std::fs::File::create(dir.join("payloads.txt"))?);
    for serial in 1..=count {
        let sealed = Sealed::seal(&Certificate::new(serial, &record(serial)?), &office)?;
        writeln!(out, "{}", sealed.to_qr_text(Some(&host)))?;
    }
    out.flush()?;
    let first = std::fs::read_to_string(dir.join("payloads.txt"))?
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    std::fs::write(dir.join("repeat.txt"), format!("{first}\n"))?;
    eprintln!("fixture: {count} payloads in {}", dir.display());
    Ok(())
}

/// This thread's CPU time (not wall time: the machine may be shared), from the scheduler's
/// nanosecond count.
fn thread_cpu() -> Duration {
    let ns = std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .unwrap_or(0);
    Duration::from_nanos(ns)
}

/// Runs `f` repeatedly for about `secs` of CPU time and returns the CPU time per call.
fn per_call(secs: f64, mut f: impl FnMut()) -> Duration {
    for _ in 0..200 {
        f();
    }
    let start = thread_cpu();
    let mut n = 0u64;
    while (thread_cpu() - start).as_secs_f64() < secs {
        for _ in 0..100 {
            f();
        }
        n += 100;
    }
    (thread_cpu() - start) / u32::try_from(n).unwrap_or(u32::MAX)
}

fn raw(secs: f64) -> Result<()> {
    let (root, office) = (SecretKey::generate(), SecretKey::generate());
    let today = today_dhaka();
    let list = TrustList::load(
        trust_list(&root, &office, "VERIFY.SONOD.GOV.BD")?
            .to_json_pretty()
            .as_bytes(),
        &root.verifying_key(),
        today,
    )?;
    let host: Host = "VERIFY.SONOD.GOV.BD".parse()?;
    let texts: Vec<String> = (1..=2048u64)
        .map(|s| {
            Ok(Sealed::seal(&Certificate::new(s, &record(s)?), &office)?.to_qr_text(Some(&host)))
        })
        .collect::<Result<_>>()?;
    let judge = Judge::new(list);
    // The signature library of this build (see `sonod_verifier::SIGNATURE_BACKEND`).
    let vk = SignatureKey::new(office.verifying_key());
    println!("signature_backend {}", SIGNATURE_BACKEND.replace(' ', "_"));

    // Raw verify_strict over the real signed message of a certificate.
    let prepared: Vec<_> = texts
        .iter()
        .map(|t| judge.prepare(t, today, &AllIssued))
        .collect();
    let checks: Vec<_> = prepared
        .iter()
        .filter_map(|p| p.signature_check())
        .collect();
    let parts: Vec<_> = checks.iter().filter_map(|c| c.parts()).collect();
    if parts.len() != texts.len() {
        bail!("could not lay out every signature");
    }
    let mut i = 0;
    let strict = per_call(secs, || {
        let (m, s) = parts[i % parts.len()];
        i += 1;
        assert!(vk.verify_strict(m, s));
    });
    println!("raw_verify_strict_us {:.2}", strict.as_secs_f64() * 1e6);
    for size in [64usize, 256] {
        let mut off = 0;
        let batch = per_call(secs / 2.0, || {
            let chunk: Vec<_> = (0..size).map(|k| parts[(off + k) % parts.len()]).collect();
            off += size;
            let ms: Vec<&[u8]> = chunk.iter().map(|(m, _)| *m).collect();
            let ss: Vec<_> = chunk.iter().map(|(_, s)| **s).collect();
            let ks = vec![vk; size];
            assert!(batch_equation(&ms, &ss, &ks));
        });
        println!(
            "raw_verify_batch{size}_us_per_sig {:.2}",
            batch.as_secs_f64() * 1e6 / size as f64
        );
    }
    let mut off = 0;
    let ours = per_call(secs / 2.0, || {
        let chunk: Vec<_> = (0..256).map(|k| checks[(off + k) % checks.len()]).collect();
        off += 256;
        assert!(verify_signatures(&chunk).iter().all(|ok| *ok));
    });
    println!(
        "verify_signatures256_us_per_sig {:.2}",
        ours.as_secs_f64() * 1e6 / 256.0
    );

    let bytes: Vec<Vec<u8>> = texts
        .iter()
        .map(|t| Ok(parse_qr_text(t)?.bytes))
        .collect::<Result<_>>()?;
    let mut i = 0;
    let read = per_call(secs / 2.0, || {
        let r = sonod_verifier::Reading::new(&bytes[i % bytes.len()]);
        i += 1;
        assert!(r.opened().is_ok());
    });
    println!("open_sealed_bytes_us {:.2}", read.as_secs_f64() * 1e6);
    let mut i = 0;
    let qr = per_call(secs / 2.0, || {
        let q = parse_qr_text(&texts[i % texts.len()]).expect("qr");
        i += 1;
        assert!(!q.bytes.is_empty());
    });
    println!("parse_qr_text_us {:.2}", qr.as_secs_f64() * 1e6);

    // In-process judging: everything but HTTP and JSON.
    let mut i = 0;
    let fresh = per_call(secs, || {
        let v = judge.judge(&texts[i % texts.len()], today, &AllIssued);
        i += 1;
        assert!(v.is_valid());
    });
    println!("judge_uncached_us {:.2}", fresh.as_secs_f64() * 1e6);
    let cache = ReadingCache::new(16);
    let text = &texts[0];
    let repeat = per_call(secs, || {
        let qr = parse_qr_text(text).expect("qr");
        let (reading, _) = cache.reading(&qr.bytes);
        let p = judge.prepare_reading(qr.host, Arc::clone(&reading), today, &AllIssued);
        let ok = p.signature_check().is_some_and(|c| {
            c.reading().recorded_signature().unwrap_or_else(|| {
                let ok = c.verify_strict();
                c.reading().record_signature(ok);
                ok
            })
        });
        assert!(p.finish(ok).is_valid());
    });
    println!("judge_cached_us {:.2}", repeat.as_secs_f64() * 1e6);
    let v = judge.judge(text, today, &AllIssued);
    let json = per_call(secs / 2.0, || {
        let s = serde_json::to_vec(&v.json()).expect("json");
        assert!(!s.is_empty());
    });
    println!("verdict_to_json_us {:.2}", json.as_secs_f64() * 1e6);
    Ok(())
}

fn replica(dir: &Path, data: &Path, issued: u64, revoked: u64) -> Result<()> {
    let start = Instant::now();
    let r = Replica::open(data, 256 << 20)?;
    let file = std::fs::File::open(dir.join("payloads.txt")).context("payloads.txt")?;
    let mut events = Vec::new();
    let mut serial = 0u64;
    let kid = SecretKey::generate().key_id();
    for line in std::io::BufReader::new(file).lines() {
        let qr = parse_qr_text(&line?)?;
        serial += 1;
        events.push(sonod_seal::feed::Event {
            seq: serial,
            at: 0,
            kind: sonod_seal::feed::EventKind::Issued {
                serial,
                key_id: kid,
                hash: data_encoding::HEXLOWER.encode(&sonod_seal::hash(&qr.bytes)),
            },
        });
    }
    for chunk in events.chunks(5000) {
        let after = chunk.first().map_or(0, |e| e.seq - 1);
        r.apply(&OFFICE.parse().unwrap(), after, chunk, serial)?;
    }
    let real = serial;
    // Synthetic certificates after the real ones; revocations at the far end, so that the
    // benchmark's payloads stay valid.
    let mut next = real + 1;
    while next <= issued {
        let n = (issued - next + 1).min(1_000_000);
        r.bulk_issued(&OFFICE.parse().unwrap(), next, n)?;
        next += n;
        eprintln!(
            "  {} issued ({:.0} s)",
            next - 1,
            start.elapsed().as_secs_f64()
        );
    }
    let first_revoked = issued.saturating_sub(revoked) + 1;
    r.bulk_revoked(
        &OFFICE.parse().unwrap(),
        first_revoked.max(real + 1),
        revoked,
        0,
    )?;
    r.mark_synced_ms(&OFFICE.parse().unwrap(), sonod_verifier::now_unix_ms())?;
    r.flush()?;
    println!(
        "replica_generated issued={} revoked={} seconds={:.1} sled_size_on_disk={}",
        issued.max(real),
        revoked,
        start.elapsed().as_secs_f64(),
        r.size_on_disk()
    );
    Ok(())
}

/// The service's allocator, so that the floor is measured under the same one.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// What a service cannot go below on this machine: tokio's multi-threaded runtime (as the
/// service runs), axum, hyper, the JSON request parsed, a small JSON answer, and (`verify`) one
/// `verify_strict`. The load script measures its CPU per request like the service's.
fn floor(addr: &str, verify: bool) -> Result<()> {
    use axum::body::Bytes;
    use axum::http::header;
    use ed25519_dalek::Signer;

    #[derive(serde::Deserialize)]
    struct Req<'a> {
        #[serde(borrow)]
        payload: std::borrow::Cow<'a, str>,
    }
    let key = SecretKey::generate();
    let message = vec![0x5a_u8; 300];
    let signature = key.signing_key().sign(&message);
    let vk = key.verifying_key();
    let handler = move |body: Bytes| {
        let message = message.clone();
        async move {
            let (status, len, ok) = match serde_json::from_slice::<Req>(&body) {
                Ok(r) => {
                    let ok = !verify || vk.verify_strict(&message, &signature).is_ok();
                    (axum::http::StatusCode::OK, r.payload.len(), ok)
                }
                Err(_) => (axum::http::StatusCode::BAD_REQUEST, 0, false),
            };
            let body = serde_json::to_vec(&serde_json::json!({"valid": ok, "length": len}))
                .unwrap_or_default();
            (status, [(header::CONTENT_TYPE, "application/json")], body)
        }
    };
    let app = axum::Router::new().route("/api/v1/verify", axum::routing::post(handler));
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            let _ = tcp.set_nodelay(true);
        });
        axum::serve(listener, app).await?;
        Ok(())
    })
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str);
    match arg(0) {
        Some("fixture") => match (arg(1), arg(2), arg(3)) {
            (Some(dir), Some(n), Some(host)) => fixture(Path::new(dir), n.parse()?, host),
            _ => bail!("fixture DIR COUNT HOST"),
        },
        Some("raw") => raw(arg(1).map_or(Ok(2.0), str::parse)?),
        Some("replica") => match (arg(1), arg(2), arg(3), arg(4)) {
            (Some(dir), Some(data), Some(issued), Some(revoked)) => replica(
                Path::new(dir),
                Path::new(data),
                issued.parse()?,
                revoked.parse()?,
            ),
            _ => bail!("replica DIR DATA ISSUED REVOKED"),
        },
        Some("floor") => match (arg(1), arg(2)) {
            (Some(addr), Some(mode @ ("verify" | "echo"))) => floor(addr, mode == "verify"),
            _ => bail!("floor ADDR verify|echo"),
        },
        _ => {
            eprintln!(
                "{}",
                include_str!("bench_tool.rs")
                    .lines()
                    .take(13)
                    .collect::<Vec<_>>()
                    .join("\n")
            );
            Ok(())
        }
    }
}
