//! Drives the service's router in-process (no sockets) for profiling with
//! `valgrind --tool=callgrind`: the middleware, extractors, judging and JSON of `POST
//! /api/v1/verify` (and a batch), without the kernel and hyper's connection handling.
//!
//! ```text
//! profile_app FIXTURE_DIR [COUNT] [single|batch|repeat|open]
//! ```
//! `FIXTURE_DIR` is made by `bench_tool fixture` (trust.json, root.pub.pem, payloads.txt).

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::Request;
use http_body_util::BodyExt;
use sonod_keys::read_public_key;
use sonod_verifier::server::{app, AppState, Config};
use sonod_verifier::TrustSource;
use tower::ServiceExt;

const TOKEN: &str = "profile-token";

/// The server's allocator, so that allocation costs are the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = PathBuf::from(args.first().context("FIXTURE_DIR")?);
    let count: usize = args.get(1).map_or(Ok(200), |s| s.parse())?;
    let mode = args.get(2).map_or("single", String::as_str);
    let payloads: Vec<String> = std::fs::read_to_string(dir.join("payloads.txt"))?
        .lines()
        .map(str::to_owned)
        .collect();
    if mode == "open" {
        // The sealed-bytes reading alone.
        let mut ok = 0;
        for p in payloads.iter().cycle().take(count) {
            let qr = sonod_seal::parse_qr_text(p)?;
            ok += usize::from(sonod_verifier::Reading::new(&qr.bytes).opened().is_ok());
        }
        println!("opened {ok}");
        return Ok(());
    }
    let data = tempfile::tempdir()?;
    let mut config = Config::new(
        data.path().to_owned(),
        TrustSource::File(dir.join("trust.json")),
        read_public_key(dir.join("root.pub.pem"))?,
    );
    config.exempt_tokens = vec![TOKEN.to_owned()];
    let state = AppState::new(config).await?;
    let router = app(state).layer(MockConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
    let request = |path: &str, body: String| {
        Request::post(path)
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {TOKEN}"))
            .body(Body::from(body))
            .expect("request")
    };
    let mut bytes = 0usize;
    match mode {
        "batch" => {
            for chunk in payloads.chunks(256).cycle().take(count.div_ceil(256)) {
                let items: Vec<String> = chunk.iter().map(|p| format!("\"{p}\"")).collect();
                let body = format!("{{\"payloads\":[{}]}}", items.join(","));
                let resp = router
                    .clone()
                    .oneshot(request("/api/v1/verify/batch", body))
                    .await?;
                bytes += resp.into_body().collect().await?.to_bytes().len();
            }
        }
        _ => {
            let repeat = mode == "repeat";
            for p in payloads.iter().cycle().take(count) {
                let p = if repeat { &payloads[0] } else { p };
                let resp = router
                    .clone()
                    .oneshot(request(
                        "/api/v1/verify",
                        format!("{{\"payload\":\"{p}\"}}"),
                    ))
                    .await?;
                assert!(resp.status().is_success());
                bytes += resp.into_body().collect().await?.to_bytes().len();
            }
        }
    }
    println!("{mode}: {count} payloads, {bytes} response bytes");
    Ok(())
}
