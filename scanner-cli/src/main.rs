//! `sonod-scan`: read Sonod QR codes from images and verify them.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};
use sonod_keys::today_dhaka;
use sonod_scan::{
    checked_human, checked_json, decode_image_bytes, decode_image_file, Checker, DecodeImageError,
    Limits,
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
    /// --store, --max-age, --verifier, --timeout: the snapshot or a verifier.
    #[command(flatten)]
    source: sonod_scan::SourceArgs,
    /// Judge as of this date (YYYY-MM-DD) instead of today in Dhaka.
    #[arg(long, value_parser = parse_date)]
    at: Option<Date>,
}

#[derive(Subcommand)]
enum Command {
    /// Fetch the trust list and every office's status list and feed into the offline snapshot.
    Sync(sonod_scan::SyncArgs),
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
        sonod_scan::run_sync(a)?;
        return Ok(Outcome::default());
    }
    let judge = if cli.raw {
        None
    } else {
        let checker =
            Checker::from_args(&cli.source.checker_args(cli.trust.clone(), cli.root.clone()))?;
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
