//! What the `sonod-issuer` commands do. The binary parses the command line and calls these;
//! everything else (opening the key and the store, issuing, the progress bar, the messages)
//! is here. `admin` holds the offline administration commands.

use std::fs::File;
use std::io::{BufReader, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use sonod_keys::{read_secret_key, today_dhaka, Passphrase, SecretKey};
use sonod_seal::Host;

use crate::l10n;
use crate::{parse_ec_level, record_from_json, Issuer, Ledger, OfficeKey, Store};

pub mod admin;

/// What `issue` and `bulk` share: the key, its trust list, the store, where files go.
#[derive(Args, Debug)]
pub struct Common {
    /// The office's secret key (PKCS#8 PEM; passphrase from SONOD_KEY_PASSPHRASE or a prompt).
    #[arg(long, env = "SONOD_KEY")]
    key: PathBuf,
    /// The root-signed trust list naming the key: it gives the key's office, signing window
    /// and status, and nothing is sealed that verifiers would refuse.
    #[arg(long, env = "SONOD_TRUST", value_name = "TRUST.json")]
    trust: PathBuf,
    /// The national root public key the trust list is verified against.
    #[arg(long, env = "SONOD_ROOT", value_name = "ROOT.pub.pem")]
    root: PathBuf,
    /// The office's store.
    #[arg(long, env = "SONOD_DATA", default_value = "sonod-issuer-data")]
    data: PathBuf,
    /// Where the QR files go (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Verifier host written into the QR URL, e.g. verify.sonod.gov.bd.
    #[arg(long, env = "SONOD_VERIFIER_HOST")]
    verifier_host: Option<String>,
    /// Write the bare Base32 payload instead of a URL (overrides SONOD_VERIFIER_HOST).
    #[arg(long)]
    bare: bool,
    /// Whether --verifier-host was given on the command line (not from the environment).
    #[arg(skip)]
    pub host_on_command_line: bool,
    /// QR error correction level: L, M, Q or H.
    #[arg(long, default_value = "M", value_parser = |s: &str| parse_ec_level(s).ok_or("expected L, M, Q or H"))]
    ec: qrcode::EcLevel,
}

/// `sonod-issuer issue`: seals one record, writes its files, prints its QR text.
pub fn issue(common: Common, record_path: PathBuf) -> Result<ExitCode> {
    let host = host(&common)?;
    let text = read_input(&record_path, sonod_seal::MAX_RECORD_JSON)?;
    let record = record_from_json(&text, today_dhaka())
        .with_context(|| format!("record {}", record_path.display()))?;
    let key = open_office_key(&common)?;
    // Asked again by the ledger when it issues; here, before the store is even opened.
    key.check(&record, today_dhaka())
        .with_context(|| format!("record {}", record_path.display()))?;
    crate::check_fits(&record, key.secret(), host.as_ref(), common.ec)
        .with_context(|| format!("record {}", record_path.display()))?;
    let ledger = open_ledger(&common.data)?;
    let actor = cli_actor();
    create_out(&common.out)?;
    let issuer = Issuer {
        key: &key,
        ledger: &ledger,
        actor: &actor,
        host,
        ec: common.ec,
        images: true,
    };
    let issued = issuer
        .issue(&record, &common.out)
        .with_context(|| format!("record {}", record_path.display()));
    ledger.close()?;
    let issued = issued?;
    writeln!(std::io::stdout(), "{}", issued.qr_text).with_context(|| {
        l10n::both(
            "issued-not-printed",
            &[("serial", &issued.serial.to_string())],
        )
    })?;
    eprintln!(
        "{}: {} {} · QR version {} ({:?}), {} characters",
        l10n::both("cli-issued", &[]),
        l10n::both("cli-serial", &[]),
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

/// `sonod-issuer bulk`: seals every record of a JSON Lines or CSV file (see
/// [`crate::sealing::bulk_input`]), with a progress bar counting records.
pub fn bulk(
    common: Common,
    input: PathBuf,
    format: Option<crate::sealing::bulk_input::BulkFormat>,
    no_images: bool,
) -> Result<ExitCode> {
    use crate::sealing::bulk_input::BulkFormat;
    let format = format.unwrap_or_else(|| BulkFormat::of_name(&input.to_string_lossy()));
    let host = host(&common)?;
    let key = open_office_key(&common)?;
    let ledger = open_ledger(&common.data)?;
    let actor = cli_actor();
    create_out(&common.out)?;
    let (reader, total): (Box<dyn std::io::BufRead>, u64) = if input.as_os_str() == "-" {
        (Box::new(std::io::stdin().lock()), 0)
    } else {
        let open =
            || File::open(&input).with_context(|| format!("cannot open {}", input.display()));
        // Lines, for the bar's total: one record a line (a CSV's header is not one).
        let lines = count_lines(open()?).unwrap_or(0);
        let records = match format {
            BulkFormat::Csv => lines.saturating_sub(1),
            BulkFormat::JsonLines => lines,
        };
        (Box::new(BufReader::new(open()?)), records)
    };
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(total)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} [{{elapsed_precise}}] {{wide_bar}} {{human_pos}}/{{human_len}} {} ({{eta}})",
            l10n::both("bulk-records", &[])
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let index_path = common.out.join("index.jsonl");
    let index = BufWriter::new(create_index(&index_path)?);
    let issuer = Issuer {
        key: &key,
        ledger: &ledger,
        actor: &actor,
        host,
        ec: common.ec,
        images: !no_images,
    };
    let lines = crate::sealing::bulk_input::bulk_lines(reader, format);
    let summary = issuer.bulk_lines(lines, &common.out, index, |n| bar.set_position(n));
    ledger.close()?;
    let summary = summary?;
    bar.finish_and_clear();
    for (line, err) in &summary.failed {
        eprintln!("{} {line}: {err}", l10n::both("line", &[]));
    }
    let (issued, refused) = (summary.issued.to_string(), summary.failed.len().to_string());
    eprintln!(
        "{}",
        l10n::both(
            "bulk-done",
            &[
                ("issued_bn", &sonod_seal::bangla_digits(&issued)),
                ("refused_bn", &sonod_seal::bangla_digits(&refused)),
                ("issued", &issued),
                ("refused", &refused),
                ("index", &index_path.display().to_string()),
            ]
        )
    );
    std::io::stdout().flush().ok();
    Ok(if summary.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Newlines in a file (a count of its lines, read without holding them).
fn count_lines(f: File) -> std::io::Result<u64> {
    use std::io::Read;
    let mut r = BufReader::new(f);
    let (mut n, mut buf) = (0u64, [0u8; 64 * 1024]);
    loop {
        let got = r.read(&mut buf)?;
        if got == 0 {
            return Ok(n);
        }
        n += buf[..got].iter().filter(|b| **b == b'\n').count() as u64;
    }
}

pub fn open_key(path: &Path) -> Result<SecretKey> {
    read_secret_key(path, || {
        Passphrase::from_env_or_prompt(&format!("{}: ", l10n::both("key-passphrase", &[])))
    })
    .with_context(|| format!("reading the office key {}", path.display()))
}

/// The office key with what the verified trust list says of it.
fn open_office_key(common: &Common) -> Result<OfficeKey> {
    let secret = open_key(&common.key)?;
    Ok(OfficeKey::from_files(
        secret,
        &common.trust,
        &common.root,
        today_dhaka(),
    )?)
}

/// The QR URL's host: `--verifier-host` or `SONOD_VERIFIER_HOST`, or none with `--bare`
/// (which overrides the environment variable, not an explicit `--verifier-host`).
fn host(common: &Common) -> Result<Option<Host>> {
    match (&common.verifier_host, common.bare) {
        (Some(_), true) if common.host_on_command_line => {
            bail!("{}", l10n::both("host-and-bare", &[]))
        }
        (_, true) => Ok(None),
        (Some(h), false) => Ok(Some(h.parse()?)),
        (None, false) => bail!("{}", l10n::both("host-missing", &[])),
    }
}

/// Opens an office's store for command-line work; a running service holds it locked.
pub fn open_store(data: &Path) -> Result<Store> {
    let path = data.display().to_string();
    Store::open(data).map_err(|e| {
        if matches!(e, crate::StoreError::Sled(sled::Error::Corruption { .. })) {
            // Not a lock held by a running service: the files are damaged.
            return anyhow::Error::new(e).context(l10n::both("store-corrupt", &[("path", &path)]));
        }
        if let crate::StoreError::Sled(sled::Error::Io(io))
        | crate::StoreError::Io { source: io, .. } = &e
        {
            let advice = match (io.kind(), io.raw_os_error()) {
                (std::io::ErrorKind::StorageFull, _) => Some(l10n::both("disk-full", &[])),
                (std::io::ErrorKind::PermissionDenied, _) | (_, Some(30)) => {
                    Some(l10n::both("not-writable", &[]))
                }
                _ => None,
            };
            if let Some(advice) = advice {
                return anyhow::Error::new(e).context(format!(
                    "{}: {advice}",
                    l10n::both("store-unopened", &[("path", &path)])
                ));
            }
        }
        anyhow::Error::new(e).context(l10n::both("store-locked", &[("path", &path)]))
    })
}

/// Opens the ledger of an office's store.
pub fn open_ledger(data: &Path) -> Result<Ledger> {
    Ok(Ledger::open(open_store(data)?)?)
}

/// The bulk run's index, a new file: the index of an earlier run into the same folder (the
/// only record of which input line became which serial) is never overwritten.
fn create_index(path: &Path) -> Result<File> {
    match File::options().write(true).create_new(true).open(path) {
        Ok(f) => Ok(f),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => bail!(
            "{}",
            l10n::both("index-exists", &[("path", &path.display().to_string())])
        ),
        Err(e) => Err(e).with_context(|| format!("cannot create {}", path.display())),
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
        Box::new(File::open(path).with_context(|| {
            l10n::both("cannot-open-file", &[("path", &path.display().to_string())])
        })?)
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

/// Who the audit log names for command-line work: the operating-system user.
pub fn cli_actor() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "unknown".into())
    )
}
