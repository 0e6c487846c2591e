//! `sonod-verifier`: the public verification service.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use sonod_keys::{ensure_dev_keys, read_public_key, DevOptions, DEV_WARNING};
use sonod_verifier::server::{run, AppState, Config, ServeError};
use sonod_verifier::{l10n, TrustFloor, TrustSource, FLOOR_FILE};

/// A request makes and drops a few hundred small allocations on two worker threads; mimalloc's
/// thread-local pages cost a fraction of glibc malloc's arenas here (13% of the server's CPU
/// under load with glibc, by `perf`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "sonod-verifier",
    version,
    about = l10n::both("cli-about", &[])
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    #[command(about = l10n::both("cli-serve", &[]))]
    Serve(Box<Serve>),
    #[command(
        about = l10n::both("cli-rollback", &[]),
        long_about = format!(
            "{}.\n\n{}\n\n{}",
            l10n::both("cli-rollback", &[]),
            l10n::bn("cli-rollback-long"),
            l10n::en("cli-rollback-long")
        )
    )]
    AcceptTrustRollback(Rollback),
}

#[derive(Args)]
struct Rollback {
    /// The service's data directory (as given to `serve --data`).
    #[arg(
        long,
        env = "SONOD_VERIFIER_DATA",
        default_value = "sonod-verifier-data"
    )]
    data: PathBuf,
    /// The sequence of the older trust list to accept.
    #[arg(long)]
    to: u64,
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
    /// Another verifier's base URL whose mirror routes to follow, every office it lists,
    /// checked as an issuer's feed (repeatable, or comma-separated).
    #[arg(long = "mirror", env = "SONOD_MIRRORS", value_delimiter = ',')]
    mirrors: Vec<String>,
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
    /// Requests per minute per client IP (0: no limit); a batch costs one per payload.
    #[arg(long, env = "SONOD_RATE_LIMIT", default_value_t = 600)]
    rate_limit: u32,
    /// The most a client's allowance holds: a burst of requests, and the largest batch a client
    /// without an exemption token can send (default: the larger of --rate-limit and 1000, the
    /// largest batch).
    #[arg(long, env = "SONOD_RATE_BURST", value_parser = clap::value_parser!(u32).range(1..))]
    rate_burst: Option<u32>,
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
    /// Time a client has to send a request's complete headers (on a new connection, and on a
    /// kept-alive one between requests); past it the connection is closed.
    #[arg(long, env = "SONOD_HEADER_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    header_timeout: Duration,
    /// A connection on which no byte moves while none of its requests is being handled (an
    /// answer not read) is closed after this long.
    #[arg(long, env = "SONOD_IDLE_TIMEOUT", default_value = "60s", value_parser = parse_duration)]
    idle_timeout: Duration,
    #[command(flatten)]
    connections: sonod_serve::ConnectionArgs,
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
    /// How long a request holding a certificate signed with a trusted key but not yet in its
    /// office's feed waits for that feed to be read again, at most 5s (0: no wait; such a
    /// certificate is `unconfirmed` until the next sync).
    #[arg(long, env = "SONOD_CONFIRM_WAIT", default_value = "1500ms", value_parser = parse_wait)]
    confirm_wait: Duration,
}

/// A wait: `0`, or a duration of at most 5 s.
fn parse_wait(s: &str) -> Result<Duration, String> {
    if s.trim().trim_end_matches(['m', 's']) == "0" {
        return Ok(Duration::ZERO);
    }
    let d = parse_duration(s)?;
    if d > Duration::from_secs(5) {
        return Err("the wait must be at most 5s".into());
    }
    Ok(d)
}

/// A duration in the one grammar ([`sonod_keys::parse_duration`]: plain seconds, or `500ms`,
/// `5s`, `10m`, `1h`, `1d`), more than zero and at most 30 days.
fn parse_duration(s: &str) -> Result<Duration, String> {
    let d = sonod_keys::parse_duration(s)?;
    if d.is_zero() {
        return Err("the duration must be more than zero".into());
    }
    if d > Duration::from_secs(30 * 24 * 3600) {
        return Err("the duration must be at most 30 days (720h)".into());
    }
    Ok(d)
}

/// Whether `s` is an http(s) URL with a host.
fn is_http_url(s: &str) -> bool {
    url::Url::parse(s)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    sonod_serve::init_tracing(false);
    let result = match cli.command {
        Command::Serve(s) => serve(*s),
        Command::AcceptTrustRollback(r) => accept_trust_rollback(&r),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}: {e:#}", l10n::both("cli-error", &[]));
            ExitCode::from(2)
        }
    }
}

fn config(s: &Serve) -> Result<Config> {
    let (trust, root_path) = match (&s.dev_keys, &s.trust, &s.root) {
        (Some(dir), _, _) => {
            let keys = ensure_dev_keys(dir, &DevOptions::default()).with_context(|| {
                l10n::both("cli-dev-keys", &[("dir", &dir.display().to_string())])
            })?;
            eprintln!("{}", *DEV_WARNING);
            (
                TrustSource::File(keys.trust_list_path()),
                keys.root_pub_path(),
            )
        }
        (None, Some(t), Some(r)) => (TrustSource::parse(t), r.clone()),
        _ => bail!("{}", l10n::both("cli-trust-needed", &[])),
    };
    let root = read_public_key(&root_path).with_context(|| {
        l10n::both(
            "cli-root-key",
            &[("path", &root_path.display().to_string())],
        )
    })?;
    for url in &s.issuers {
        if !is_http_url(url) {
            bail!("{}", l10n::both("cli-bad-issuer", &[("url", url)]));
        }
    }
    for url in &s.mirrors {
        if !is_http_url(url) {
            bail!("{}", l10n::both("cli-bad-mirror", &[("url", url)]));
        }
    }
    let mut c = Config::new(s.data.clone(), trust, root);
    c.issuers = s.issuers.clone();
    c.mirrors = s.mirrors.clone();
    c.sync_interval = s.sync_interval;
    c.max_staleness = s.max_staleness;
    c.public_host = s.public_host.clone();
    c.exempt_tokens = s.exempt_tokens.clone();
    c.rate_limit_per_minute = s.rate_limit;
    c.rate_limit_burst = s.rate_burst;
    c.trusted_proxies = s.trusted_proxies.clone();
    c.request_timeout = s.request_timeout;
    c.connections = s.connections.limits(s.header_timeout, s.idle_timeout);
    c.confirm_wait = s.confirm_wait;
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
            "{}",
            l10n::both(
                "cli-replica-unopenable",
                &[
                    ("dir", &s.data.display().to_string()),
                    ("error", &e.to_string())
                ]
            )
        ),
        e => anyhow::Error::new(e).context(l10n::both("cli-not-started", &[])),
    })?;
    let listener = tokio::net::TcpListener::bind(s.listen)
        .await
        .with_context(|| l10n::both("cli-listen", &[("addr", &s.listen.to_string())]))?;
    tracing::info!(address = %listener.local_addr()?, "sonod-verifier serving");
    run(listener, state, sonod_serve::shutdown_signal()).await?;
    tracing::info!("sonod-verifier stopped");
    Ok(())
}

fn accept_trust_rollback(r: &Rollback) -> Result<()> {
    let at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let done = TrustFloor::lower(&r.data, r.to, &at)
        .with_context(|| format!("{}", r.data.join(FLOOR_FILE).display()))?;
    if done.to != r.to {
        println!(
            "{}",
            l10n::both(
                "cli-rollback-unchanged",
                &[("to", &done.to.to_string()), ("asked", &r.to.to_string())]
            )
        );
        return Ok(());
    }
    let from = done
        .from
        .map_or_else(|| "unknown".to_owned(), |f| f.to_string());
    tracing::warn!(from = %from, to = done.to, "trust-list rollback accepted by the operator");
    let args = [
        ("from", from.as_str()),
        ("to", &done.to.to_string()),
        ("dir", &r.data.display().to_string()),
    ];
    // Not "bn / en" on one line: a warning this long reads as two paragraphs.
    println!(
        "{}\n{}",
        l10n::bn_args("cli-rollback-done", &args),
        l10n::en_args("cli-rollback-done", &args)
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mirror_must_be_an_http_url() {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("keys");
        let serve = |mirror: &str| {
            let cli = Cli::try_parse_from([
                "sonod-verifier",
                "serve",
                "--dev-keys",
                keys.to_str().unwrap(),
                "--mirror",
                mirror,
            ])
            .unwrap();
            match cli.command {
                Command::Serve(s) => config(&s),
                Command::AcceptTrustRollback(_) => unreachable!(),
            }
        };
        let err = serve("ftp://example.org").unwrap_err().to_string();
        assert!(
            err.contains("--mirror ftp://example.org") && err.contains("ঠিকানা দিন"),
            "{err}"
        );
        let c = serve("http://127.0.0.1:8081,https://verify.example.org").unwrap();
        assert_eq!(
            c.mirrors,
            ["http://127.0.0.1:8081", "https://verify.example.org"]
        );
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_secs(7)));
        // Days: the one grammar has them (the verifier's own did not).
        assert_eq!(parse_duration("5d"), Ok(Duration::from_secs(432_000)));
        assert!(
            parse_duration("0s").is_err()
                && parse_duration("31d").is_err()
                && parse_duration("s").is_err()
        );
        assert!(parse_duration("720h").is_ok() && parse_duration("721h").is_err());
        assert!(parse_duration("99999999999999999999h").is_err());
        assert_eq!(parse_wait("0"), Ok(Duration::ZERO));
        assert_eq!(parse_wait("0ms"), Ok(Duration::ZERO));
        assert_eq!(parse_wait("1500ms"), Ok(Duration::from_millis(1500)));
        assert!(parse_wait("6s").is_err() && parse_wait("x").is_err());
    }
}
