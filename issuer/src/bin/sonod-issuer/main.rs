//! `sonod-issuer`: the office's command line. Parsing and wiring only: what each command
//! does is in the library (`sonod_issuer::cli`), except `serve` (serve.rs).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};
use sonod_issuer::cli::{self, admin, Common};
use sonod_issuer::l10n;

mod serve;

// serve.rs opens the store through the crate root.
pub(crate) use sonod_issuer::cli::open_store;

/// A request makes and drops many small allocations across the worker threads; mimalloc
/// spends less time on them than glibc's malloc (measured with perf under load).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "sonod-issuer",
    version,
    about = l10n::both("cli-about", &[])
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    #[command(
        about = l10n::both("cli-issue", &[]),
        long_about = format!("{}.\n\n{}", l10n::both("cli-issue", &[]), l10n::en("cli-issue-long"))
    )]
    Issue {
        #[command(flatten)]
        common: Common,
        /// The record, JSON (`-` for standard input).
        #[arg(long)]
        record: PathBuf,
    },
    #[command(about = l10n::both("cli-bulk", &[]))]
    Bulk {
        #[command(flatten)]
        common: Common,
        /// JSON Lines (one record a line) or CSV (a header row of field keys, one record a
        /// row; see issuer/README.md); `-` for standard input.
        #[arg(long)]
        input: PathBuf,
        /// csv or jsonl; by default from the file name (`.csv` is CSV, anything else JSON
        /// Lines).
        #[arg(long, value_parser = ["csv", "jsonl"])]
        format: Option<String>,
        /// Write only the QR text, no PNG or SVG.
        #[arg(long)]
        no_images: bool,
    },
    #[command(about = l10n::both("cli-serve", &[]))]
    Serve(serve::ServeArgs),
    #[command(about = l10n::both("cli-user", &[]))]
    #[command(subcommand)]
    User(admin::UserCommand),
    #[command(about = l10n::both("cli-reseal", &[]))]
    Reseal(admin::ResealArgs),
    #[command(about = l10n::both("cli-backup", &[]))]
    Backup(admin::BackupArgs),
    #[command(about = l10n::both("cli-restore", &[]))]
    Restore(admin::RestoreArgs),
    #[command(about = l10n::both("cli-stats", &[]))]
    Stats(admin::StatsArgs),
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let host_on_command_line =
        matches
            .subcommand()
            .is_some_and(|(name, m): (&str, &ArgMatches)| {
                matches!(name, "issue" | "bulk")
                    && m.value_source("verifier_host") == Some(ValueSource::CommandLine)
            });
    if let Command::Issue { common, .. } | Command::Bulk { common, .. } = &mut cli.command {
        common.host_on_command_line = host_on_command_line;
    }
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{}: {e:#}", l10n::both("cli-error", &[]));
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Issue { common, record } => cli::issue(common, record),
        Command::Bulk {
            common,
            input,
            format,
            no_images,
        } => {
            use sonod_issuer::sealing::bulk_input::BulkFormat;
            let format = format.map(|f| match f.as_str() {
                "csv" => BulkFormat::Csv,
                _ => BulkFormat::JsonLines,
            });
            cli::bulk(common, input, format, no_images)
        }
        Command::Serve(args) => serve::run(args),
        Command::User(cmd) => admin::user(cmd),
        Command::Reseal(args) => admin::reseal(args),
        Command::Backup(args) => admin::backup(args),
        Command::Restore(args) => admin::restore(args),
        Command::Stats(args) => admin::stats(args),
    }
}
