//! `sonod-verifier`: the public verification service.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use sonod_keys::{ensure_dev_keys, read_public_key, DevOptions, DEV_WARNING};
use sonod_verifier::server::{run, AppState, Config, ServeError};
use sonod_verifier::TrustSource;

/// A request makes and drops a few hundred small allocations on two worker threads; mimalloc's
/// thread-local pages cost a fraction of glibc malloc's arenas here (13% of the server's CPU
/// under load with glibc, by `perf`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "sonod-verifier",
    version,
    about = "সনদ যাচাই / Sonod verifier: the public verification service"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// যাচাই সেবা চালু করুন / Serve the verification API and pages.
    Serve(Serve),
}

#[derive(Args)]
struct Serve {
    /// Address to listen on.
    #[arg(long, env = "SONOD_VERIFIER_LISTEN", default_value = "127.0.0.1:8081")]
    listen: SocketAddr,
    /// Directory of the feed replica (sled).
    #[arg(
        long,
        env = "SONOD_VERIFIER_DATA",
        default_value = "sonod-verifier-data"
    )]
    data: PathBuf,
    /// The trust list: a file (reloaded when it changes) or an http(s) URL (fetched on the sync interval).
    #[arg(long, env = "SONOD_TRUST")]
    trust: Option<String>,
    /// The national root public key (SPKI PEM) that signs the trust list.
    #[arg(long, env = "SONOD_ROOT")]
    root: Option<PathBuf>,
    /// A development key directory (root.pub.pem, trust.json), made if missing; instead of --trust/--root.
    #[arg(long, env = "SONOD_DEV_KEYS", conflicts_with_all = ["trust", "root"])]
    dev_keys: Option<PathBuf>,
    /// An issuer's base URL whose event feed to replicate (repeatable, or comma-separated).
    #[arg(long = "issuer", env = "SONOD_ISSUERS", value_delimiter = ',')]
    issuers: Vec<String>,
    /// How often feeds (and a trust list URL) are pulled: 500ms, 5s, 1m, ...
    #[arg(long, env = "SONOD_SYNC_INTERVAL", default_value = "5s", value_parser = parse_duration)]
    sync_interval: Duration,
    /// Unready when a feed has not caught up for longer than this.
    #[arg(long, env = "SONOD_MAX_STALENESS", default_value = "10m", value_parser = parse_duration)]
    max_staleness: Duration,
    /// The host this verifier is reached at (used when a request has no Host header).
    #[arg(long, env = "SONOD_PUBLIC_HOST")]
    public_host: Option<String>,
    /// A bearer token exempt from rate limiting (repeatable, or comma-separated), for banks' integrations.
    #[arg(
        long = "exempt-token",
        env = "SONOD_EXEMPT_TOKENS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    exempt_tokens: Vec<String>,
    /// Requests per minute per client IP (0: no limit).
    #[arg(long, env = "SONOD_RATE_LIMIT", default_value_t = 600)]
    rate_limit: u32,
    /// A proxy or load balancer whose X-Forwarded-For names the client (repeatable).
    #[arg(
        long = "trusted-proxy",
        env = "SONOD_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<IpAddr>,
    /// Every request's time limit.
    #[arg(long, env = "SONOD_REQUEST_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    request_timeout: Duration,
    /// Payload readings kept by hash for re-scans (0: none).
    #[arg(long, env = "SONOD_CACHE_ENTRIES", default_value_t = 16_384)]
    cache_entries: usize,
    /// Most signatures of concurrent requests checked together in one batch equation
    /// (1: every signature alone).
    #[arg(long, env = "SONOD_SIGNATURE_ROUND", default_value_t = 64,
          value_parser = clap::value_parser!(u16).range(1..=256))]
    signature_round: u16,
    /// Most signature rounds made at once (default: half the cores, at least one).
    #[arg(long, env = "SONOD_SIGNATURE_CHECKERS")]
    signature_checkers: Option<u16>,
}

/// `500ms`, `5s`, `10m`, `1h`, or plain seconds.
fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: u64 = n
        .parse()
        .map_err(|_| format!("expected a duration like 5s or 10m, got {s:?}"))?;
    let d = match unit {
        "ms" => Duration::from_millis(n),
        "" | "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n.saturating_mul(60)),
        "h" => Duration::from_secs(n.saturating_mul(3600)),
        _ => return Err(format!("unknown unit {unit:?} (ms, s, m or h)")),
    };
    if d.is_zero() {
        return Err("the duration must be more than zero".into());
    }
    if d > Duration::from_secs(30 * 24 * 3600) {
        return Err("the duration must be at most 30 days (720h)".into());
    }
    Ok(d)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SONOD_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = match cli.command {
        Command::Serve(s) => serve(s),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ত্রুটি / error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn config(s: &Serve) -> Result<Config> {
    let (trust, root_path) = match (&s.dev_keys, &s.trust, &s.root) {
        (Some(dir), _, _) => {
            let keys = ensure_dev_keys(dir, &DevOptions::default())
                .with_context(|| format!("development keys in {}", dir.display()))?;
            eprintln!("{DEV_WARNING}");
            (TrustSource::File(keys.trust_list_path()), keys.root_pub_path())
        }
        (None, Some(t), Some(r)) => (TrustSource::parse(t), r.clone()),
        _ => bail!(
            "বিশ্বাস-তালিকা দিন / give the trust list and root key: --trust FILE|URL --root ROOT.pub.pem, or --dev-keys DIR"
        ),
    };
    let root = read_public_key(&root_path)
        .with_context(|| format!("reading the root key {}", root_path.display()))?;
    for url in &s.issuers {
        let lower = url.to_ascii_lowercase();
        if !lower.starts_with("http://") && !lower.starts_with("https://") {
            bail!("--issuer {url:?}: expected an http(s) base URL such as http://127.0.0.1:8080");
        }
    }
    let mut c = Config::new(s.data.clone(), trust, root);
    c.issuers = s.issuers.clone();
    c.sync_interval = s.sync_interval;
    c.max_staleness = s.max_staleness;
    c.public_host = s.public_host.clone();
    c.exempt_tokens = s.exempt_tokens.clone();
    c.rate_limit_per_minute = s.rate_limit;
    c.trusted_proxies = s.trusted_proxies.clone();
    c.request_timeout = s.request_timeout;
    c.cache_entries = s.cache_entries;
    c.signature_round = usize::from(s.signature_round);
    c.signature_checkers = s.signature_checkers.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1)),
        usize::from,
    );
    Ok(c)
}

#[tokio::main]
async fn serve(s: Serve) -> Result<()> {
    let config = config(&s)?;
    let state = AppState::new(config).await.map_err(|e| match e {
        // The replica holds only what the feeds publish: it is rebuilt by syncing again.
        ServeError::Replica(e) => anyhow!(
            "রেপ্লিকা {0} খোলা যায়নি: {e}. ফোল্ডারে লেখা না গেলে বা ডিস্ক ভরা থাকলে তা ঠিক করুন; নষ্ট হলে এটি ফিড থেকে আবার তৈরি করা যায়: \
             ফোল্ডারটি সরিয়ে রেখে আবার চালু করুন / cannot open the replica {0}: {e}. If the directory is not writable or its \
             disk is full, fix that; if it is corrupt, it is rebuilt from the feeds: move the directory away and start again",
            s.data.display()
        ),
        e => anyhow::Error::new(e).context("যাচাই সেবা চালু হয়নি / starting the verifier"),
    })?;
    let listener = tokio::net::TcpListener::bind(s.listen)
        .await
        .with_context(|| format!("cannot listen on {}", s.listen))?;
    tracing::info!(address = %listener.local_addr()?, "sonod-verifier serving");
    run(listener, state, shutdown_signal()).await?;
    tracing::info!("sonod-verifier stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_secs(7)));
        assert!(
            parse_duration("0s").is_err()
                && parse_duration("5d").is_err()
                && parse_duration("s").is_err()
        );
        assert!(parse_duration("720h").is_ok() && parse_duration("721h").is_err());
        assert!(parse_duration("99999999999999999999h").is_err());
    }
}
