//! The command-line parts of the snapshot and online modes, kept out of `main.rs`: the flags
//! that choose where verdicts come from ([`SourceArgs`], flattened into the scan command) and
//! the `sync` subcommand ([`SyncArgs`], [`run_sync`]).

use std::path::PathBuf;
use std::time::Duration;

use sonod_keys::today_dhaka;

use crate::anchor::{default_state_dir, pinned_root, TrustFloor};
use crate::check::{parse_duration, CheckerArgs};
use crate::snapshot::default_store;
use crate::sync::{sync, SyncOptions};

/// Where verdicts come from, besides `--trust`/`--root`.
#[derive(Debug, Clone, clap::Args)]
pub struct SourceArgs {
    /// The offline snapshot made by `sonod-scan sync` [default: $XDG_DATA_HOME/sonod-scan or
    /// ~/.local/share/sonod-scan].
    #[arg(long, env = "SONOD_SCAN_STORE")]
    pub store: Option<PathBuf>,
    /// The oldest snapshot that may vouch for a certificate (e.g. 7d, 36h), by the offices'
    /// signed times: past it, a valid certificate reads `unconfirmed` (exit 3).
    #[arg(long, value_parser = parse_duration, default_value = "7d")]
    pub max_age: Duration,
    /// Verify online with this verifier (its base URL) instead of offline (it wins over
    /// --trust and --store).
    #[arg(long, env = "SONOD_SCAN_VERIFIER", conflicts_with = "at")]
    pub verifier: Option<String>,
    /// Seconds to wait for the verifier (connecting, reading).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,
}

impl SourceArgs {
    /// What [`crate::Checker::from_args`] needs, with the scan command's `--trust`/`--root`.
    pub fn checker_args(&self, trust: Option<PathBuf>, root: Option<PathBuf>) -> CheckerArgs {
        CheckerArgs {
            trust,
            root,
            store: self.store.clone(),
            max_age: Some(self.max_age),
            verifier: self.verifier.clone(),
            timeout: Some(Duration::from_secs(self.timeout)),
            state: None,
        }
    }
}

/// `sonod-scan sync`.
#[derive(Debug, Clone, clap::Args)]
pub struct SyncArgs {
    /// A verifier's or an issuer's base URL (e.g. https://verify.sonod.gov.bd).
    #[arg(long, env = "SONOD_SYNC_FROM")]
    pub from: String,
    /// The snapshot's directory [default: $XDG_DATA_HOME/sonod-scan or ~/.local/share/sonod-scan].
    #[arg(long, env = "SONOD_SCAN_STORE")]
    pub store: Option<PathBuf>,
    /// The national root public key (SPKI PEM) that must have signed the trust list; not
    /// needed when one is pinned on this machine (/etc/sonod/root.pub.pem, or built in), and
    /// then it must be the same key.
    #[arg(long, env = "SONOD_ROOT")]
    pub root: Option<PathBuf>,
    /// The trust list from this file or URL instead of the verifier's (needed for an issuer).
    #[arg(long, env = "SONOD_TRUST")]
    pub trust: Option<String>,
    /// Only this office (repeatable; default: every office the verifier has).
    #[arg(long = "office")]
    pub offices: Vec<sonod_keys::OfficeCode>,
    /// Seconds to wait for each connection and read.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub timeout: u64,
    /// No progress lines.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print what the sync did as one JSON object on standard output.
    #[arg(long)]
    pub json: bool,
}

/// Runs `sonod-scan sync`: progress on standard error (Bangla first), a summary at the end.
pub fn run_sync(a: &SyncArgs) -> anyhow::Result<()> {
    let root = pinned_root(a.root.as_deref())?.key;
    let opts = SyncOptions {
        from: a.from.clone(),
        store: a.store.clone().unwrap_or_else(default_store),
        root,
        floor: TrustFloor::new(default_state_dir()),
        trust: a.trust.clone(),
        offices: a.offices.clone(),
        timeout: Duration::from_secs(a.timeout),
        today: today_dhaka(),
    };
    let mut progress = |line: &str| {
        if !a.quiet {
            eprintln!("{line}");
        }
    };
    let s = sync(&opts, &mut progress)?;
    if a.json {
        println!(
            "{}",
            serde_json::json!({
                "store": opts.store.display().to_string(),
                "source_kind": s.source_kind,
                "offices": s.offices,
                "pages": s.pages,
                "events": s.events,
                "bytes_fetched": s.bytes_fetched,
                "snapshot_bytes": s.snapshot_bytes,
                "warnings": s.warnings,
            })
        );
    }
    use crate::messages::both;
    eprintln!(
        "{}: {} {}, {} {}, {} {}, {} {}; {} {} ({} {})",
        both("sync-done"),
        s.offices,
        both("unit-offices"),
        s.pages,
        both("unit-pages"),
        s.events,
        both("unit-new-events"),
        s.bytes_fetched,
        both("unit-bytes-fetched"),
        both("snapshot-label"),
        opts.store.display(),
        s.snapshot_bytes,
        both("unit-bytes")
    );
    Ok(())
}
