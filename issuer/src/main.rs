//! `sonod-issuer`: the office's command line.

use std::fs::File;
use std::io::{BufReader, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use sonod_issuer::{parse_ec_level, Issuer, Store};
use sonod_keys::{read_secret_key, Passphrase, SecretKey};
use sonod_seal::{Host, Record};

#[derive(Parser)]
#[command(name = "sonod-issuer", version, about = "সনদ প্রদান / Sonod issuer: seal certificates with the office key")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// একটি সনদ প্রদান / Seal one record (JSON) and write its QR text, PNG and SVG.
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
}

#[derive(Args)]
struct Common {
    /// The office's secret key (PKCS#8 PEM; passphrase from SONOD_KEY_PASSPHRASE or a prompt).
    #[arg(long, env = "SONOD_KEY")]
    key: PathBuf,
    /// The office's store.
    #[arg(long, env = "SONOD_DATA", default_value = "sonod-issuer-data")]
    data: PathBuf,
    /// Where the QR files go (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Verifier host written into the QR URL, e.g. verify.sonod.gov.bd.
    #[arg(long, env = "SONOD_VERIFIER_HOST", conflicts_with = "bare")]
    verifier_host: Option<String>,
    /// Write the bare Base32 payload instead of a URL.
    #[arg(long)]
    bare: bool,
    /// QR error correction level: L, M, Q or H.
    #[arg(long, default_value = "M", value_parser = |s: &str| parse_ec_level(s).ok_or("expected L, M, Q or H"))]
    ec: qrcode::EcLevel,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("ত্রুটি / error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn open_key(path: &Path) -> Result<SecretKey> {
    read_secret_key(path, || Passphrase::from_env_or_prompt("চাবির পাসফ্রেজ / key passphrase: "))
        .with_context(|| format!("reading the office key {}", path.display()))
}

fn host(common: &Common) -> Result<Option<Host>> {
    match (&common.verifier_host, common.bare) {
        (Some(h), _) => Ok(Some(h.parse()?)),
        (None, true) => Ok(None),
        (None, false) => bail!(
            "যাচাই-হোস্ট দিন / give the verifier host for the QR URL: --verifier-host HOST (or SONOD_VERIFIER_HOST), or --bare"
        ),
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Issue { common, record } => {
            let host = host(&common)?;
            let text = read_input(&record, sonod_seal::MAX_RECORD_JSON)?;
            let record = Record::from_json_str(&text).with_context(|| format!("record {}", record.display()))?;
            let key = open_key(&common.key)?;
            let store = Store::open(&common.data).with_context(|| format!("store {}", common.data.display()))?;
            create_out(&common.out)?;
            let issuer = Issuer { key: &key, store: &store, host, ec: common.ec, images: true };
            let issued = issuer.issue(&record, &common.out)?;
            println!("{}", issued.qr_text);
            eprintln!(
                "সনদ প্রদান হয়েছে / issued: ক্রমিক / serial {} · QR version {} ({:?}), {} characters",
                issued.serial,
                issued.qr_version,
                common.ec,
                issued.qr_text.len()
            );
            for f in &issued.files {
                eprintln!("  {}", f.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Bulk { common, input, no_images } => {
            let host = host(&common)?;
            let key = open_key(&common.key)?;
            let store = Store::open(&common.data).with_context(|| format!("store {}", common.data.display()))?;
            create_out(&common.out)?;
            let (reader, total): (Box<dyn std::io::BufRead>, u64) = if input.as_os_str() == "-" {
                (Box::new(std::io::stdin().lock()), 0)
            } else {
                let f = File::open(&input).with_context(|| format!("cannot open {}", input.display()))?;
                let len = f.metadata().map(|m| m.len()).unwrap_or(0);
                (Box::new(BufReader::new(f)), len)
            };
            let bar = if std::io::stderr().is_terminal() { ProgressBar::new(total) } else { ProgressBar::hidden() };
            bar.set_style(
                ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({eta})")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            let index_path = common.out.join("index.jsonl");
            let index = BufWriter::new(
                File::create(&index_path).with_context(|| format!("cannot create {}", index_path.display()))?,
            );
            let issuer = Issuer { key: &key, store: &store, host, ec: common.ec, images: !no_images };
            let summary = issuer.bulk(reader, &common.out, index, |n| bar.set_position(n))?;
            bar.finish_and_clear();
            for (line, err) in &summary.failed {
                eprintln!("লাইন / line {line}: {err}");
            }
            eprintln!(
                "প্রদান হয়েছে {} টি, বাতিল {} টি / issued {}, refused {} · index: {}",
                sonod_seal::bangla_digits(&summary.issued.to_string()),
                sonod_seal::bangla_digits(&summary.failed.len().to_string()),
                summary.issued,
                summary.failed.len(),
                index_path.display()
            );
            std::io::stdout().flush().ok();
            Ok(if summary.failed.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
    }
}

fn create_out(out: &Path) -> Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))
}

fn read_input(path: &Path, max: usize) -> Result<String> {
    use std::io::Read;
    let mut buf = String::new();
    let reader: Box<dyn Read> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(File::open(path).with_context(|| format!("ফাইল খোলা যায়নি / cannot open {}", path.display()))?)
    };
    reader
        .take(max as u64 + 1)
        .read_to_string(&mut buf)
        .with_context(|| format!("cannot read {}", path.display()))?;
    if buf.len() > max {
        bail!("{} is larger than {max} bytes", path.display());
    }
    Ok(buf)
}
