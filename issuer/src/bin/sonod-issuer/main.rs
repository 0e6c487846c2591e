//! `sonod-issuer`: the office's command line. Parsing and wiring only: what each command
//! does is in the library (`sonod_issuer::cli`), except `serve` (serve.rs).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};
use sonod_issuer::cli::{self, admin, Common};

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
    about = "সনদ প্রদান / Sonod issuer: seal certificates with the office key"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// একটি সনদ প্রদান / Seal one record (JSON) and write its QR text, PNG and SVG.
    ///
    /// The record is dated today in Dhaka (a missing "issued" is today; any other date is
    /// refused), must expire after that, and the trust list must let the key sign today.
    Issue {
        #[command(flatten)]
        common: Common,
        /// The record, JSON (`-` for standard input).
        #[arg(long)]
        record: PathBuf,
    },
    /// একসাথে অনেক সনদ / Seal every record of a JSON Lines file, with a progress bar.
    Bulk {
        #[command(flatten)]
        common: Common,
        /// JSON Lines, one record a line (`-` for standard input).
        #[arg(long)]
        input: PathBuf,
        /// Write only the QR text, no PNG or SVG.
        #[arg(long)]
        no_images: bool,
    },
    /// সেবা চালু / Run the office's service (web pages and API).
    Serve(serve::ServeArgs),
    /// কর্মকর্তাদের অ্যাকাউন্ট / Officials' accounts (the service must be stopped).
    #[command(subcommand)]
    User(admin::UserCommand),
    /// বেহাত চাবির সনদ নতুন চাবিতে / Re-seal every unrevoked certificate of a compromised key.
    Reseal(admin::ResealArgs),
    /// ব্যাকআপ / A consistent backup: from a running service (--url) or a stopped store (--data).
    Backup(admin::BackupArgs),
    /// ব্যাকআপ থেকে ফেরানো / Restore a backup into a new data directory.
    Restore(admin::RestoreArgs),
    /// পরিসংখ্যান / Counts of a stopped store.
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
            eprintln!("ত্রুটি / error: {e:#}");
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
            no_images,
        } => cli::bulk(common, input, no_images),
        Command::Serve(args) => serve::run(args),
        Command::User(cmd) => admin::user(cmd),
        Command::Reseal(args) => admin::reseal(args),
        Command::Backup(args) => admin::backup(args),
        Command::Restore(args) => admin::restore(args),
        Command::Stats(args) => admin::stats(args),
    }
}
