//! `sonod-scan`: read Sonod QR codes from images and verify them.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use sonod_keys::today_dhaka;
use sonod_scan::{
    checked_human, checked_json, decode_image_bytes, decode_image_file, Checker, CheckerArgs,
    DecodeImageError, Limits,
};
use time::Date;

#[derive(Parser)]
#[command(
    name = "sonod-scan",
    version,
    about = "সনদ যাচাই / Sonod scan: read QR codes from images and verify the certificates",
    after_help = "প্রস্থান-কোড / exit status: 0 all valid, 1 any not valid, 2 usage or I/O error",
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Images or folders of images; `-` reads one image from standard input.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Only print the text of each QR code found (no verifying; any QR code, not just Sonod's).
    #[arg(long)]
    raw: bool,
    /// One JSON object per line for each QR code (or input without one).
    #[arg(long)]
    json: bool,
    /// The trust list (JSON, signed by the root key): judge without a snapshot (signature,
    /// trust list and dates only).
    #[arg(long, env = "SONOD_TRUST", requires = "root")]
    trust: Option<PathBuf>,
    /// The national root public key (SPKI PEM) that signs the trust list (with a snapshot:
    /// instead of the one saved at sync).
    #[arg(long, env = "SONOD_ROOT")]
    root: Option<PathBuf>,
    /// The offline snapshot made by `sonod-scan sync` [default: $XDG_DATA_HOME/sonod-scan or
    /// ~/.local/share/sonod-scan].
    #[arg(long, env = "SONOD_SCAN_STORE")]
    store: Option<PathBuf>,
    /// Warn when the snapshot is older than this (e.g. 7d, 36h).
    #[arg(long, value_parser = sonod_scan::parse_duration, default_value = "7d")]
    max_age: std::time::Duration,
    /// Verify online with this verifier (its base URL) instead of offline (it wins over
    /// --trust and --store).
    #[arg(long, env = "SONOD_SCAN_VERIFIER", conflicts_with = "at")]
    verifier: Option<String>,
    /// Seconds to wait for the verifier (connecting, reading).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    timeout: u64,
    /// Judge as of this date (YYYY-MM-DD) instead of today in Dhaka.
    #[arg(long, value_parser = parse_date)]
    at: Option<Date>,
}

#[derive(Subcommand)]
enum Command {
    /// Fetch the trust list and every office's status list and feed into the offline snapshot.
    Sync(SyncArgs),
}

#[derive(clap::Args)]
struct SyncArgs {
    /// A verifier's or an issuer's base URL (e.g. https://verify.sonod.gov.bd).
    #[arg(long, env = "SONOD_SYNC_FROM")]
    from: String,
    /// The snapshot's directory [default: $XDG_DATA_HOME/sonod-scan or ~/.local/share/sonod-scan].
    #[arg(long, env = "SONOD_SCAN_STORE")]
    store: Option<PathBuf>,
    /// The national root public key (SPKI PEM) that must have signed the trust list.
    #[arg(long, env = "SONOD_ROOT")]
    root: PathBuf,
    /// The trust list from this file or URL instead of the verifier's (needed for an issuer).
    #[arg(long, env = "SONOD_TRUST")]
    trust: Option<String>,
    /// Only this office (repeatable; default: every office the verifier has).
    #[arg(long = "office")]
    offices: Vec<String>,
    /// Seconds to wait for each connection and read.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    timeout: u64,
    /// No progress lines.
    #[arg(long, short)]
    quiet: bool,
    /// Print what the sync did as one JSON object on standard output.
    #[arg(long)]
    json: bool,
}

fn run_sync(a: &SyncArgs) -> Result<Outcome> {
    let root = sonod_keys::read_public_key(&a.root)
        .with_context(|| format!("root key {}", a.root.display()))?;
    let opts = sonod_scan::SyncOptions {
        from: a.from.clone(),
        store: a.store.clone().unwrap_or_else(sonod_scan::default_store),
        root_pem: sonod_keys::public_key_to_pem(&root),
        root,
        trust: a.trust.clone(),
        offices: a.offices.clone(),
        timeout: std::time::Duration::from_secs(a.timeout),
        today: today_dhaka(),
    };
    let mut progress = |line: &str| {
        if !a.quiet {
            eprintln!("{line}");
        }
    };
    let s = sonod_scan::sync(&opts, &mut progress)?;
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
    eprintln!(
        "সম্পন্ন / done: {} অফিস / offices, {} পাতা / pages, {} নতুন ঘটনা / new events, {} বাইট আনা / bytes fetched; তথ্যভান্ডার / snapshot {} ({} বাইট / bytes)",
        s.offices,
        s.pages,
        s.events,
        s.bytes_fetched,
        opts.store.display(),
        s.snapshot_bytes
    );
    Ok(Outcome::default())
}

fn parse_date(s: &str) -> Result<Date, String> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s, &fmt).map_err(|e| format!("expected YYYY-MM-DD: {e}"))
}

/// Worst outcome so far: 0 all valid, 1 something not valid, 2 an I/O error.
#[derive(Default)]
struct Outcome(u8);

impl Outcome {
    fn saw(&mut self, code: u8) {
        self.0 = self.0.max(code);
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(o) => ExitCode::from(o.0),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            eprintln!("ত্রুটি / error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: &Cli) -> Result<Outcome> {
    if let Some(Command::Sync(a)) = &cli.command {
        return run_sync(a);
    }
    let judge = if cli.raw {
        None
    } else {
        let checker = Checker::from_args(&CheckerArgs {
            trust: cli.trust.clone(),
            root: cli.root.clone(),
            store: cli.store.clone(),
            max_age: Some(cli.max_age),
            verifier: cli.verifier.clone(),
            timeout: Some(std::time::Duration::from_secs(cli.timeout)),
        })?;
        if let Some(notice) = checker.notice() {
            eprintln!("{notice}");
        }
        Some(checker)
    };
    let today = cli.at.unwrap_or_else(today_dhaka);
    let limits = Limits::default();
    let mut out = std::io::stdout().lock();
    let mut outcome = Outcome::default();
    let expanded = expand(&cli.inputs);
    for (path, msg) in &expanded.errors {
        outcome.saw(2);
        report_error(&mut out, cli.json, &path.display().to_string(), msg)?;
    }
    for input in expanded.files {
        let name = input.display().to_string();
        let decoded = if input.as_os_str() == "-" {
            let mut buf = Vec::new();
            std::io::stdin()
                .take(limits.max_file_bytes + 1)
                .read_to_end(&mut buf)
                .map_err(DecodeImageError::from)
                .and_then(|_| decode_image_bytes(&buf, &limits))
        } else {
            decode_image_file(&input, &limits)
        };
        let texts = match decoded {
            Ok(t) => t,
            Err(e) => {
                outcome.saw(2);
                report_error(&mut out, cli.json, &name, &e.to_string())?;
                continue;
            }
        };
        if texts.is_empty() {
            outcome.saw(1);
            report_error(
                &mut out,
                cli.json,
                &name,
                "ছবিতে কোনো কিউআর কোড পাওয়া যায়নি / no QR code found in the image",
            )?;
            continue;
        }
        for text in texts {
            match &judge {
                None => {
                    if cli.json {
                        writeln!(out, "{}", serde_json::json!({"input": name, "text": text}))?;
                    } else {
                        writeln!(out, "{text}")?;
                    }
                }
                Some(checker) => {
                    let checked = match checker.check(&text, today) {
                        Ok(c) => c,
                        Err(e) => {
                            outcome.saw(2);
                            report_error(&mut out, cli.json, &name, &format!("{e:#}"))?;
                            continue;
                        }
                    };
                    outcome.saw(u8::from(!checked.verdict.is_valid()));
                    if cli.json {
                        writeln!(out, "{}", checked_json(&name, &checked))?;
                    } else {
                        write!(out, "{}", checked_human(&name, &checked))?;
                    }
                }
            }
        }
    }
    out.flush()?;
    Ok(outcome)
}

fn report_error(out: &mut impl Write, json: bool, name: &str, msg: &str) -> Result<()> {
    if json {
        writeln!(out, "{}", serde_json::json!({"input": name, "error": msg}))?;
    } else {
        writeln!(std::io::stderr(), "{name}: {msg}")?;
    }
    Ok(())
}

/// What the inputs expand to: files to read, and inputs that could not be expanded.
#[derive(Default)]
struct Expanded {
    files: Vec<PathBuf>,
    errors: Vec<(PathBuf, String)>,
}

/// Files as given; folders expanded to the files in them (recursively, sorted). Hidden files
/// and folders (names starting with `.`) are skipped, every folder is visited once even when
/// symbolic links lead back to it, and a folder with no file in it is an error: nothing in it
/// was verified, which must not read as "all valid".
fn expand(inputs: &[PathBuf]) -> Expanded {
    let mut out = Expanded::default();
    let hidden = |p: &Path| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
    };
    for input in inputs {
        if input.as_os_str() == "-" || !input.is_dir() {
            out.files.push(input.clone());
            continue;
        }
        let mut stack = vec![input.clone()];
        let mut visited = HashSet::new();
        let mut found = Vec::new();
        while let Some(dir) = stack.pop() {
            // A symbolic link back to a parent would otherwise be followed for ever.
            if !visited.insert(std::fs::canonicalize(&dir).unwrap_or_else(|_| dir.clone())) {
                continue;
            }
            match std::fs::read_dir(&dir) {
                Ok(entries) => {
                    for e in entries.flatten() {
                        let p = e.path();
                        if hidden(&p) {
                            continue;
                        }
                        if p.is_dir() {
                            stack.push(p);
                        } else {
                            found.push(p);
                        }
                    }
                }
                Err(e) => out
                    .errors
                    .push((dir, format!("ফোল্ডার পড়া যায়নি / cannot read folder: {e}"))),
            }
        }
        if found.is_empty() && !out.errors.iter().any(|(p, _)| p.starts_with(input)) {
            out.errors.push((
                input.clone(),
                "ফোল্ডারে কোনো ফাইল নেই / no files in the folder".to_owned(),
            ));
        }
        found.sort();
        out.files.extend(found);
    }
    out
}
