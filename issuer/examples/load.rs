//! Load generator for issuance: N requests over C keep-alive connections, each request a
//! `POST /api/v1/certificates` that is answered only once the certificate is durable.
//!
//! `cargo run --release -p sonod-issuer --example load -- URL TOKEN RECORD.json N C [SERVER_PID]`
//!
//! Prints `certificates=… seconds=… per_second=… p50_ms=… p99_ms=… non_201=…` and, with a
//! server PID, `server_cpu_us_per_request=…` from /proc (utime + stime); and its own CPU per
//! request, `client_cpu_us_per_request=…`.

use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::Request;
use hyper_util::rt::TokioIo;

fn cpu_ticks(pid: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, token, record, n, c, rest @ ..] = args.as_slice() else {
        eprintln!("usage: load URL TOKEN RECORD.json N C [SERVER_PID]");
        std::process::exit(2);
    };
    let authority = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let body = Bytes::from(std::fs::read(record)?);
    let (n, c): (usize, usize) = (n.parse()?, c.parse()?);
    let pid = rest.first().cloned();
    let ticks_before = pid.as_deref().and_then(cpu_ticks);
    let own_before = cpu_ticks("self");
    let start = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..c {
        let share = n / c + usize::from(i < n % c);
        let (authority, token, body) = (authority.clone(), token.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            let stream = tokio::net::TcpStream::connect(&authority).await?;
            stream.set_nodelay(true)?;
            let (mut send, conn) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(conn);
            let mut latencies = Vec::with_capacity(share);
            let mut bad = 0usize;
            for _ in 0..share {
                let req = Request::post("/api/v1/certificates")
                    .header("host", &authority)
                    .header("content-type", "application/json")
                    .header("authorization", format!("Bearer {token}"))
                    .body(Full::new(body.clone()))?;
                let t = Instant::now();
                let resp = send.send_request(req).await?;
                let status = resp.status();
                resp.into_body().collect().await?;
                latencies.push(t.elapsed());
                bad += usize::from(status != 201);
            }
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>((latencies, bad))
        }));
    }
    let mut all: Vec<Duration> = Vec::with_capacity(n);
    let mut bad = 0;
    for t in tasks {
        let (l, b) = t.await?.map_err(|e| e.to_string())?;
        all.extend(l);
        bad += b;
    }
    let secs = start.elapsed().as_secs_f64();
    all.sort_unstable();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "certificates={} seconds={secs:.3} per_second={:.0} p50_ms={:.2} p99_ms={:.2} non_201={bad}",
        all.len(),
        all.len() as f64 / secs,
        pct(0.50),
        pct(0.99)
    );
    if let (Some(before), Some(after)) = (own_before, cpu_ticks("self")) {
        // The load generator's own CPU: it shares the machine with the server.
        let us = (after - before) as f64 * 10_000.0 / all.len().max(1) as f64;
        println!("client_cpu_us_per_request={us:.1}");
    }
    if let (Some(pid), Some(before)) = (pid, ticks_before) {
        if let Some(after) = cpu_ticks(&pid) {
            // Linux reports these in clock ticks of 1/100 s.
            let us = (after - before) as f64 * 10_000.0 / all.len().max(1) as f64;
            println!("server_cpu_us_per_request={us:.1}");
        }
    }
    Ok(())
}
