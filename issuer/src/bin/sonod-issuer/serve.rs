//! `sonod-issuer serve`: configuration from flags and `SONOD_*` variables, then the service.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;
use sonod_issuer::server::{AppState, OfficeInfo, ServeConfig};
use sonod_issuer::{l10n, Role};
use sonod_keys::{ensure_dev_keys, DevOptions};

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free one; the address is printed on stdout).
    #[arg(long, env = "SONOD_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    #[arg(help = l10n::both("cli-wording", &[]))]
    #[arg(long, env = "SONOD_WORDING", value_name = "DIR")]
    wording: Option<PathBuf>,
    /// The office's store.
    #[arg(long, env = "SONOD_DATA", default_value = "sonod-issuer-data")]
    data: PathBuf,
    /// The office's signing key (passphrase from SONOD_KEY_PASSPHRASE). Re-read on SIGHUP.
    #[arg(long, env = "SONOD_KEY", required_unless_present = "dev_keys")]
    key: Option<PathBuf>,
    /// The root-signed trust list naming the key (re-read on SIGHUP): the key's office,
    /// signing window and status. The service signs nothing verifiers would refuse.
    #[arg(
        long,
        env = "SONOD_TRUST",
        value_name = "TRUST.json",
        required_unless_present = "dev_keys"
    )]
    trust: Option<PathBuf>,
    /// The national root public key the trust list is verified against.
    #[arg(
        long,
        env = "SONOD_ROOT",
        value_name = "ROOT.pub.pem",
        required_unless_present = "dev_keys"
    )]
    root: Option<PathBuf>,
    /// Development: make (once) and use development keys and trust list in this folder, and a
    /// development account whose token is written to DIR/dev-token. Never for real
    /// certificates.
    #[arg(long, env = "SONOD_DEV_KEYS", conflicts_with_all = ["key", "trust", "root"])]
    dev_keys: Option<PathBuf>,
    /// The office code.
    #[arg(long, env = "SONOD_OFFICE", required_unless_present = "dev_keys")]
    office: Option<String>,
    /// The office's name in Bangla.
    #[arg(long, env = "SONOD_OFFICE_NAME_BN")]
    office_name_bn: Option<String>,
    /// The office's name in English.
    #[arg(long, env = "SONOD_OFFICE_NAME_EN")]
    office_name_en: Option<String>,
    /// The verifier host written into QR URLs, e.g. verify.sonod.gov.bd (links are HTTPS). A
    /// development verifier on this machine or the local network may be given as
    /// http://localhost:8081 or http://192.168.1.5:8081: its links are then plain HTTP
    /// [default with --dev-keys: http://localhost:8081].
    #[arg(long, env = "SONOD_VERIFIER_HOST")]
    verifier_host: Option<String>,
    /// Every request's time limit, in seconds.
    #[arg(long, env = "SONOD_REQUEST_TIMEOUT", default_value_t = 30)]
    request_timeout: u64,
    /// Seconds a client has to send a request's complete headers (on a new connection, and on
    /// a kept-alive one between requests); past it the connection is closed.
    #[arg(long, env = "SONOD_HEADER_TIMEOUT", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    header_timeout: u64,
    /// Seconds after which a connection on which no byte moves while none of its requests is
    /// being handled (an answer not read) is closed.
    #[arg(long, env = "SONOD_IDLE_TIMEOUT", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=86400))]
    idle_timeout: u64,
    #[command(flatten)]
    connections: sonod_serve::ConnectionArgs,
    /// The SMS gateway: a TOML template (URL, method, parameter names, success marker; see
    /// issuer/README.md). Without it, messages are written to sms-dev.jsonl in the data folder.
    #[arg(long, env = "SONOD_SMS_GATEWAY", value_name = "FILE")]
    sms_gateway: Option<PathBuf>,
    /// Development: show the development SMS file on /dev/sms (on by default with --dev-keys;
    /// the page shows numbers and texts to anyone who reaches the service).
    #[arg(long, env = "SONOD_DEV_SMS_PAGE", conflicts_with = "sms_gateway")]
    dev_sms_page: bool,
    /// Behind a reverse proxy that terminates TLS with the office's certificate (Caddy,
    /// nginx): believe its `X-Forwarded-Proto: https`. Only then is the session cookie
    /// `Secure` and are the pages served to other hosts than localhost; without it a page
    /// asked for over plain HTTP from another computer is refused with a page saying why.
    #[arg(long, env = "SONOD_TRUST_PROXY_HTTPS")]
    trust_proxy_https: bool,
    /// Log format: text or json (level from SONOD_LOG, e.g. `info`, `sonod_issuer=debug`).
    #[arg(long, env = "SONOD_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    log_format: String,
}

pub fn run(args: ServeArgs) -> Result<ExitCode> {
    sonod_serve::init_tracing(args.log_format == "json");
    no_transparent_huge_pages();
    let dev = DevOptions::default();
    let (key_path, trust_path, root_path, development, code, name_bn, name_en, default_host) =
        match &args.dev_keys {
            Some(dir) => {
                let keys = ensure_dev_keys(dir, &dev)
                    .with_context(|| format!("development keys in {}", dir.display()))?;
                eprintln!("{}", *sonod_keys::DEV_WARNING);
                (
                    keys.office_key_path(),
                    keys.trust_list_path(),
                    keys.root_pub_path(),
                    true,
                    dev.office.to_string(),
                    dev.office_name_bn.clone(),
                    dev.office_name_en.clone(),
                    // The development verifier speaks plain HTTP: its QR links must too.
                    Some("http://localhost:8081".to_owned()),
                )
            }
            None => {
                let code = args.office.clone().unwrap_or_default();
                let key = args.key.clone().unwrap_or_default();
                (
                    key,
                    args.trust.clone().unwrap_or_default(),
                    args.root.clone().unwrap_or_default(),
                    false,
                    code.clone(),
                    l10n::bn_args("cli-dev-office-name", &[("code", &code)]),
                    l10n::en_args("cli-dev-office-name", &[("code", &code)]),
                    None,
                )
            }
        };
    let code = sonod_seal::parse_office(&args.office.clone().unwrap_or(code))?;
    let verifier_host = match args.verifier_host.clone().or(default_host) {
        Some(h) => Some(h.parse().with_context(|| format!("--verifier-host {h}"))?),
        None => {
            tracing::warn!("no --verifier-host: QR codes will carry the bare payload, which phone cameras do not open as a link");
            None
        }
    };
    let config = ServeConfig {
        office: OfficeInfo {
            code,
            name_bn: args.office_name_bn.clone().unwrap_or(name_bn),
            name_en: args.office_name_en.clone().unwrap_or(name_en),
        },
        key_path,
        trust_path,
        root_path,
        verifier_host,
        request_timeout: Duration::from_secs(args.request_timeout.clamp(1, 3600)),
        development,
        wording_dir: args.wording.clone(),
    };
    let store = crate::open_store(&args.data)?;
    let limits = args.connections.limits(
        Duration::from_secs(args.header_timeout),
        Duration::from_secs(args.idle_timeout),
    );
    let state = AppState::new(config, store).context("starting the service")?;
    state.trust_proxy_https(args.trust_proxy_https);
    if !args.trust_proxy_https && !args.listen.ip().is_loopback() {
        eprintln!("{}", l10n::both("cli-plain-http-warning", &[]));
    }
    let sender = match &args.sms_gateway {
        Some(file) => {
            let gateway = sonod_issuer::sms::gateway::Gateway::load(file)?;
            sonod_issuer::sms::Sender::Gateway(Box::new(gateway))
        }
        None => {
            let file = sonod_issuer::sms::devfile::DevFile::in_dir(&args.data);
            if !development && !args.dev_sms_page {
                tracing::warn!("no --sms-gateway: SMS are written to the data folder, not sent");
            }
            if development || args.dev_sms_page {
                state.show_dev_sms(file.clone());
            }
            sonod_issuer::sms::Sender::DevFile(file)
        }
    };
    if let Some(dir) = &args.dev_keys {
        dev_account(&state, dir)?;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("tokio runtime")?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        let addr = listener.local_addr()?;
        println!("sonod-issuer listening on http://{addr}");
        tracing::info!(%addr, office = %state.config().office.code, "listening");
        spawn_reload_on_hangup(state.clone());
        // The SMS worker stops on the shutdown signal, after the message in hand is sent and
        // recorded, and before the service drains and makes its last barrier.
        let stop = tokio_util::sync::CancellationToken::new();
        let worker = sonod_issuer::sms::worker::spawn(
            state.clone(),
            std::sync::Arc::new(sender),
            stop.clone(),
        );
        let shutdown = async move {
            sonod_serve::shutdown_signal().await;
            stop.cancel();
            let _ = worker.await;
        };
        sonod_issuer::server::run_with(listener, state, &limits, shutdown)
            .await
            .context("serving")?;
        tracing::info!("stopped cleanly");
        Ok(ExitCode::SUCCESS)
    })
}

/// A development account (chairman) whose token is written next to the development keys
/// (a new one when the file's has expired or was revoked).
fn dev_account(state: &AppState, dir: &std::path::Path) -> Result<()> {
    let (accounts, ledger) = (state.accounts(), state.ledger());
    let now = sonod_issuer::now();
    // A development office approves at any hour (the office-hours hold would hold every
    // approval tried in the evening); saved once, as an admin would, and changed on /settings.
    let settings = state.settings();
    if !settings.saved()? {
        let mut s = (*settings.get()).clone();
        s.limits.hours_from = 0;
        s.limits.hours_to = 24;
        settings.save_blocking(ledger, "serve:dev-keys", s)?;
    }
    let token_file = dir.join("dev-token");
    let kept = std::fs::read_to_string(&token_file).unwrap_or_default();
    if accounts.user("dev")?.is_some() && accounts.authenticate_token(kept.trim(), now).is_ok() {
        return Ok(());
    }
    let by = "serve:dev-keys";
    if accounts.user("dev")?.is_none() {
        accounts.add_user(
            ledger,
            by,
            "dev",
            "Development chairman",
            Role::Chairman,
            Some("development-only"),
            now,
        )?;
    }
    let expires = now + sonod_issuer::DEFAULT_TOKEN_DAYS * 86_400;
    let token = accounts.create_token(ledger, by, "dev", "development", expires, now)?;
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&token_file)?;
    writeln!(f, "{}", token.secret)?;
    f.sync_all()?;
    eprintln!(
        "{}",
        l10n::both(
            "cli-dev-account",
            &[("token_file", &token_file.display().to_string())]
        )
    );
    Ok(())
}

fn spawn_reload_on_hangup(state: AppState) {
    tokio::spawn(async move {
        let Ok(mut hup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        else {
            return;
        };
        while hup.recv().await.is_some() {
            match state.reload_key() {
                Ok(id) => {
                    let _ = state
                        .ledger()
                        .audit("signal:SIGHUP", "key.reload", &id.to_string(), "")
                        .await;
                }
                Err(e) => tracing::error!(error = %e, "key reload failed; keeping the current key"),
            }
        }
    });
}

/// Turns transparent huge pages off for this process, where the kernel has them on always.
///
/// Every group commit makes sled seal its log buffer and allocate a fresh one (a segment,
/// 512 KiB); the allocator maps it anew, and with huge pages the first byte written faults in
/// and zeroes a whole 2 MiB page, for a group that writes some 60 KiB. That zeroing was about
/// 7 % of the service's CPU under load; without huge pages only the 4 KiB pages touched are
/// zeroed (measured with `bench/issuer-load.sh`: 89–91 µs of server CPU a certificate against
/// 92–93 µs). Failing to turn them off is harmless, so it is only logged.
fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    if let Err(e) = rustix::thread::disable_transparent_huge_pages(true) {
        tracing::debug!(error = %e, "transparent huge pages stay on");
    }
}
