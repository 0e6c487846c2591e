//! `sonod-keys`: make keys, build and sign the trust list. A thin shell over `sonod_keys`.

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use sonod_keys::l10n;
use sonod_keys::{
    ensure_dev_keys, format_date, parse_date, read_public_key, read_secret_key, today_dhaka,
    write_public_key, write_secret_key, DevOptions, Environment, FeedPin, KeyFileError, KeyId,
    KeyStatus, OfficeCode, Passphrase, SecretKey, TrustEntry, TrustList, TrustListDraft,
    TrustListError, DEV_WARNING,
};
use time::Date;

/// Sonod keys and trust list. Every command's about text is in `locales/*/keys.ftl`, Bangla
/// first, as sonod-issuer's and sonod-scan's are.
#[derive(Debug, Parser)]
#[command(
    name = "sonod-keys",
    version,
    about = l10n::both("cli-about", &[]),
    long_about = format!(
        "{}.\n\n{}\n{}",
        l10n::both("cli-about", &[]),
        l10n::bn("cli-long-about"),
        l10n::en("cli-long-about")
    )
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    #[command(about = l10n::both("cli-gen", &[]))]
    Gen {
        /// Path prefix of the two files.
        #[arg(long, value_name = "PREFIX")]
        out: PathBuf,
        /// Write the secret key unencrypted (for tests and development only).
        #[arg(long)]
        no_passphrase: bool,
    },
    #[command(about = l10n::both("cli-id", &[]))]
    Id {
        /// The key file.
        file: PathBuf,
    },
    #[command(subcommand, about = l10n::both("cli-trust", &[]))]
    Trust(TrustCommand),
    #[command(about = l10n::both("cli-dev", &[]))]
    Dev(DevArgs),
}

#[derive(Debug, Subcommand)]
enum TrustCommand {
    #[command(about = l10n::both("cli-trust-new", &[]))]
    New {
        /// The file to create.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The list's last valid day.
        #[arg(long, value_parser = date_arg, value_name = "DATE")]
        expires: Date,
        /// Mark the list as development (not for real certificates).
        #[arg(long)]
        development: bool,
    },
    #[command(about = l10n::both("cli-trust-add", &[]))]
    Add {
        /// The trust list file.
        file: PathBuf,
        /// The office's public key (SPKI PEM).
        #[arg(long = "pub", value_name = "PUB.pem")]
        public_key: PathBuf,
        /// Office code (2 to 12 digits).
        #[arg(long)]
        office: OfficeCode,
        /// Office name in Bangla.
        #[arg(long)]
        name_bn: String,
        /// Office name in English.
        #[arg(long)]
        name_en: String,
        /// First day the key may sign.
        #[arg(long, value_parser = date_arg, value_name = "DATE")]
        not_before: Date,
        /// Last day the key may sign.
        #[arg(long, value_parser = date_arg, value_name = "DATE")]
        not_after: Date,
        /// An official verifier host (repeatable), e.g. VERIFY.SONOD.GOV.BD.
        #[arg(long = "host", value_name = "HOST")]
        hosts: Vec<String>,
    },
    #[command(about = l10n::both("cli-trust-retire", &[]))]
    Retire {
        /// The trust list file.
        file: PathBuf,
        /// The key id.
        kid: KeyId,
        /// The last day the key may sign [default: today in Dhaka].
        #[arg(long, value_parser = date_arg, value_name = "DATE")]
        on: Option<Date>,
    },
    #[command(about = l10n::both("cli-trust-compromise", &[]))]
    Compromise {
        /// The trust list file.
        file: PathBuf,
        /// The key id.
        kid: KeyId,
        /// From when the key is distrusted, RFC 3339 (e.g. 2026-12-06T09:30:00+06:00)
        /// [default: now].
        #[arg(long, value_parser = time_arg, value_name = "TIME")]
        at: Option<time::OffsetDateTime>,
        /// The last position of the office's feed vouched for (with --pin-chain): certificates
        /// of the key published up to it stay genuine.
        #[arg(long, requires = "pin_chain", value_name = "SEQ")]
        pin_position: Option<u64>,
        /// The feed's chain hash at --pin-position (64 hex digits; a verifier's
        /// /api/v1/offices lists it, `chain`).
        #[arg(long, requires = "pin_position", value_name = "HEX")]
        pin_chain: Option<String>,
    },
    #[command(about = l10n::both("cli-trust-rotate", &[]))]
    Rotate {
        /// The trust list file.
        file: PathBuf,
        /// The key being replaced.
        #[arg(long, value_name = "KID")]
        old: KeyId,
        /// The new public key (SPKI PEM).
        #[arg(long = "pub", value_name = "NEW.pub.pem")]
        public_key: PathBuf,
        /// First day the new key may sign.
        #[arg(long, value_parser = date_arg, value_name = "DATE")]
        not_before: Date,
        /// Last day the new key may sign.
        #[arg(long, value_parser = date_arg, value_name = "DATE")]
        not_after: Date,
        /// The last day the old key may sign [default: today in Dhaka].
        #[arg(long, value_parser = date_arg, value_name = "DATE")]
        on: Option<Date>,
    },
    #[command(about = l10n::both("cli-trust-sign", &[]))]
    Sign {
        /// The trust list file.
        file: PathBuf,
        /// The root secret key.
        #[arg(long, value_name = "ROOT.key.pem")]
        root_key: PathBuf,
        /// A new last valid day for the list.
        #[arg(long, value_parser = date_arg, value_name = "DATE")]
        expires: Option<Date>,
    },
    #[command(about = l10n::both("cli-trust-show", &[]))]
    Show {
        /// The trust list file.
        file: PathBuf,
        /// The root public key.
        #[arg(long, value_name = "ROOT.pub.pem")]
        root: PathBuf,
        /// Print the verified list as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
struct DevArgs {
    /// The directory for the key set (created with mode 0700).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Office code.
    #[arg(long, default_value = "100524")]
    office: OfficeCode,
    /// Office name in Bangla [default: সাভার পৌরসভা (উন্নয়ন)].
    #[arg(long)]
    name_bn: Option<String>,
    /// Office name in English [default: Savar Paurashava (development)].
    #[arg(long)]
    name_en: Option<String>,
    /// Verifier host (repeatable) [default: LOCALHOST:8081 and LOCALHOST:8080].
    #[arg(long = "host", value_name = "HOST")]
    hosts: Vec<String>,
}

fn time_arg(s: &str) -> Result<time::OffsetDateTime, String> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map_err(|e| format!("expected RFC 3339, e.g. 2026-12-06T09:30:00+06:00: {e}"))
}

fn date_arg(s: &str) -> Result<Date, String> {
    parse_date(s).map_err(|e| format!("expected YYYY-MM-DD: {e}"))
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}: {e:#}", l10n::both("cli-error", &[]));
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Gen { out, no_passphrase } => gen(&out, no_passphrase)?,
        Command::Id { file } => id(&file)?,
        Command::Trust(cmd) => return trust(cmd),
        Command::Dev(args) => dev(args)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn with_suffix(prefix: &Path, suffix: &str) -> PathBuf {
    let mut s = OsString::from(prefix.as_os_str());
    s.push(suffix);
    PathBuf::from(s)
}

/// The passphrase source for an existing key: the environment, else a prompt with `prompt`.
fn unlock(prompt: &str) -> impl FnOnce() -> Result<Passphrase, KeyFileError> + '_ {
    move || Passphrase::from_env_or_prompt(prompt)
}

fn gen(out: &Path, no_passphrase: bool) -> anyhow::Result<()> {
    let key_path = with_suffix(out, ".key.pem");
    let pub_path = with_suffix(out, ".pub.pem");
    for path in [&key_path, &pub_path] {
        if path
            .try_exists()
            .with_context(|| path.display().to_string())?
        {
            return Err(KeyFileError::AlreadyExists { path: path.clone() }.into());
        }
    }
    let passphrase = if no_passphrase {
        None
    } else {
        Some(Passphrase::from_env_or_prompt_twice(&format!(
            "{}: ",
            l10n::both("cli-prompt-new-key", &[])
        ))?)
    };
    let key = SecretKey::generate();
    write_secret_key(&key_path, &key, passphrase.as_ref())?;
    if let Err(e) = write_public_key(&pub_path, &key.verifying_key()) {
        // Do not leave half a pair behind.
        let _ = std::fs::remove_file(&key_path);
        return Err(e.into());
    }
    writeln!(io::stdout(), "{}", key.key_id())?;
    let protection = if passphrase.is_some() {
        l10n::both("cli-encrypted", &[])
    } else {
        l10n::both("cli-not-encrypted", &[])
    };
    eprintln!(
        "{}: {} ({protection}, mode 0600)\n{}: {}\n{}",
        l10n::both("cli-secret-key", &[]),
        key_path.display(),
        l10n::both("cli-public-key", &[]),
        pub_path.display(),
        l10n::both("cli-keep-secret", &[])
    );
    Ok(())
}

fn id(file: &Path) -> anyhow::Result<()> {
    let key_id = match read_public_key(file) {
        Ok(public) => KeyId::of(&public),
        Err(e) if matches!(e.without_path(), KeyFileError::WrongPemLabel { found, .. } if found.contains("PRIVATE KEY")) => {
            read_secret_key(
                file,
                unlock(&format!("{}: ", l10n::both("cli-prompt-key", &[]))),
            )?
            .key_id()
        }
        Err(e) => return Err(e.into()),
    };
    writeln!(io::stdout(), "{key_id}")?;
    Ok(())
}

/// Reads a trust list for editing, naming the file in errors that do not already.
fn read_draft(file: &Path) -> anyhow::Result<TrustListDraft> {
    TrustListDraft::read(file).map_err(|e| match e {
        e @ TrustListError::Io { .. } => anyhow::Error::new(e),
        e => anyhow::Error::new(e).context(file.display().to_string()),
    })
}

fn unsigned_note(file: &Path) {
    eprintln!(
        "{}",
        l10n::both(
            "cli-unsigned-draft",
            &[("file", &file.display().to_string())]
        )
    );
}

fn trust(cmd: TrustCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        TrustCommand::New {
            out,
            expires,
            development,
        } => {
            if out
                .try_exists()
                .with_context(|| out.display().to_string())?
            {
                return Err(KeyFileError::AlreadyExists { path: out }.into());
            }
            let environment = if development {
                Environment::Development
            } else {
                Environment::Production
            };
            TrustListDraft::new(expires, environment).write(&out)?;
            eprintln!(
                "{}",
                l10n::both(
                    "cli-empty-draft",
                    &[
                        ("file", &out.display().to_string()),
                        ("env_bn", &environment.label_bn()),
                        ("env", &environment.to_string()),
                    ]
                )
            );
        }
        TrustCommand::Add {
            file,
            public_key,
            office,
            name_bn,
            name_en,
            not_before,
            not_after,
            hosts,
        } => {
            let mut draft = read_draft(&file)?;
            let public = read_public_key(&public_key)?;
            let key_id = draft.add_key(TrustEntry::new(
                public, office, name_bn, name_en, not_before, not_after, hosts,
            ))?;
            draft.write(&file)?;
            writeln!(io::stdout(), "{key_id}")?;
            unsigned_note(&file);
        }
        TrustCommand::Retire { file, kid, on } => {
            let mut draft = read_draft(&file)?;
            draft.retire(kid, on.unwrap_or_else(today_dhaka))?;
            draft.write(&file)?;
            status_note(&draft, kid);
            unsigned_note(&file);
        }
        TrustCommand::Compromise {
            file,
            kid,
            at,
            pin_position,
            pin_chain,
        } => {
            let mut draft = read_draft(&file)?;
            let pin = match (pin_position, pin_chain) {
                (Some(position), Some(chain)) => Some(FeedPin::new(position, &chain)?),
                _ => None,
            };
            draft.compromise(kid, at.unwrap_or_else(time::OffsetDateTime::now_utc), pin)?;
            draft.write(&file)?;
            status_note(&draft, kid);
            unsigned_note(&file);
        }
        TrustCommand::Rotate {
            file,
            old,
            public_key,
            not_before,
            not_after,
            on,
        } => {
            let mut draft = read_draft(&file)?;
            let public = read_public_key(&public_key)?;
            let key_id = draft.rotate(
                old,
                public,
                not_before,
                not_after,
                on.unwrap_or_else(today_dhaka),
            )?;
            draft.write(&file)?;
            writeln!(io::stdout(), "{key_id}")?;
            eprintln!("{old} → {key_id}");
            status_note(&draft, old);
            unsigned_note(&file);
        }
        TrustCommand::Sign {
            file,
            root_key,
            expires,
        } => {
            let mut draft = read_draft(&file)?;
            let root = read_secret_key(
                &root_key,
                unlock(&format!("{}: ", l10n::both("cli-prompt-root-key", &[]))),
            )?;
            draft.sign(&root, expires)?;
            // What is written must load; check before replacing the file.
            TrustList::load(
                draft.to_json_pretty().as_bytes(),
                &root.verifying_key(),
                today_dhaka(),
            )
            .context(l10n::both("cli-signed-list-unverified", &[]))?;
            draft.write(&file)?;
            eprintln!(
                "{}: {}, {} {}, {} {}, {} {}",
                l10n::both("cli-signed", &[]),
                file.display(),
                l10n::both("cli-sequence", &[]),
                draft.sequence(),
                l10n::both("cli-expires-short", &[]),
                format_date(draft.expires()),
                l10n::both("cli-root", &[]),
                root.key_id(),
            );
        }
        TrustCommand::Show { file, root, json } => return show(&file, &root, json),
    }
    Ok(ExitCode::SUCCESS)
}

/// Says where a key now stands, with its last signing day if it is retired.
fn status_note(draft: &TrustListDraft, kid: KeyId) {
    let Some(e) = draft.entry(&kid) else { return };
    match e.retired_on {
        Some(day) => eprintln!(
            "{} {kid}: {} / {}, {} {}",
            l10n::both("cli-key", &[]),
            e.status.label_bn(),
            e.status,
            l10n::both("cli-last-signing-day", &[]),
            format_date(day)
        ),
        None => eprintln!(
            "{} {kid}: {} / {}",
            l10n::both("cli-key", &[]),
            e.status.label_bn(),
            e.status
        ),
    }
}

fn show(file: &Path, root: &Path, json: bool) -> anyhow::Result<ExitCode> {
    let root = read_public_key(root)?;
    let list = match TrustList::read(file, &root, today_dhaka()) {
        Ok(list) => list,
        Err(e @ TrustListError::Io { .. }) => return Err(e.into()),
        Err(e) => {
            eprintln!("{}: {}: {e}", l10n::both("cli-error", &[]), file.display());
            return Ok(ExitCode::from(1));
        }
    };
    let mut out = io::stdout().lock();
    if json {
        writeln!(out, "{}", list.to_json_pretty())?;
        return Ok(ExitCode::SUCCESS);
    }
    let env = list.environment();
    writeln!(
        out,
        "{}: {}",
        l10n::both("cli-trust-list", &[]),
        file.display()
    )?;
    writeln!(
        out,
        "  {}: {} ({} {})",
        l10n::both("cli-signature", &[]),
        l10n::both("cli-valid", &[]),
        l10n::both("cli-root", &[]),
        list.root_key_id()
    )?;
    writeln!(
        out,
        "  {}: {}",
        l10n::both("cli-sequence", &[]),
        list.sequence()
    )?;
    writeln!(
        out,
        "  {}: {} / {env}",
        l10n::both("cli-environment", &[]),
        env.label_bn()
    )?;
    writeln!(
        out,
        "  {}: {}",
        l10n::both("cli-issued", &[]),
        format_date(list.issued_at())
    )?;
    writeln!(
        out,
        "  {}: {}",
        l10n::both("cli-expires", &[]),
        format_date(list.expires())
    )?;
    writeln!(
        out,
        "  {}: {}",
        l10n::both("cli-keys", &[]),
        list.entries().len()
    )?;
    for e in list.entries() {
        writeln!(out)?;
        writeln!(out, "{} {}", l10n::both("cli-key", &[]), e.key_id)?;
        match e.retired_on {
            Some(day) => writeln!(
                out,
                "  {}: {} / {} ({})",
                l10n::both("cli-status", &[]),
                e.status.label_bn(),
                e.status,
                l10n::both("cli-signs-nothing-after", &[("date", &format_date(day))])
            )?,
            None => writeln!(
                out,
                "  {}: {} / {}",
                l10n::both("cli-status", &[]),
                e.status.label_bn(),
                e.status
            )?,
        }
        // A compromised key: from when, and what of its office's feed is still vouched for.
        if let Some(at) = e.compromised_at {
            writeln!(
                out,
                "  {}",
                l10n::both("cli-compromised-from", &[("at", &format_dhaka_time(at))])
            )?;
        }
        match &e.feed_pin {
            Some(pin) => {
                writeln!(
                    out,
                    "  {}",
                    l10n::both("cli-feed-pin", &[("position", &pin.position.to_string())])
                )?;
                writeln!(
                    out,
                    "  {}: {}",
                    l10n::both("cli-feed-pin-chain", &[]),
                    pin.chain
                )?;
            }
            None if e.status == KeyStatus::Compromised => {
                writeln!(out, "  {}", l10n::both("cli-no-feed-pin", &[]))?
            }
            None => {}
        }
        writeln!(
            out,
            "  {}: {} — {} / {}",
            l10n::both("cli-office", &[]),
            e.office,
            e.office_name_bn,
            e.office_name_en
        )?;
        writeln!(
            out,
            "  {}: {} .. {}",
            l10n::both("cli-valid-dates", &[]),
            format_date(e.not_before),
            format_date(e.not_after)
        )?;
        let hosts = if e.verifier_hosts.is_empty() {
            "-".to_owned()
        } else {
            e.verifier_hosts.join(", ")
        };
        writeln!(out, "  {}: {hosts}", l10n::both("cli-verifier-hosts", &[]))?;
    }
    if env == Environment::Development {
        eprintln!("{}: {}", l10n::both("cli-warning", &[]), *DEV_WARNING);
    }
    Ok(ExitCode::SUCCESS)
}

/// A moment as Dhaka's clock shows it, `2026-12-06 09:30:00 +06:00` (digits and separators
/// only, so that the Bangla text shows it in Bangla digits).
fn format_dhaka_time(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(sonod_keys::DHAKA_OFFSET);
    format!(
        "{} {:02}:{:02}:{:02} +06:00",
        format_date(at.date()),
        at.hour(),
        at.minute(),
        at.second()
    )
}

fn dev(args: DevArgs) -> anyhow::Result<()> {
    let defaults = DevOptions::default();
    let options = DevOptions {
        office: args.office,
        office_name_bn: args.name_bn.unwrap_or(defaults.office_name_bn),
        office_name_en: args.name_en.unwrap_or(defaults.office_name_en),
        verifier_hosts: if args.hosts.is_empty() {
            defaults.verifier_hosts
        } else {
            args.hosts
        },
    };
    let keys = ensure_dev_keys(&args.out, &options)?;
    eprintln!("{}: {}", l10n::both("cli-warning", &[]), *DEV_WARNING);
    if keys.created {
        eprintln!(
            "{} {}: root.key.pem root.pub.pem office.key.pem office.pub.pem trust.json\n{} {}, {} {}",
            l10n::both("cli-created-in", &[]),
            keys.dir.display(),
            l10n::both("cli-root", &[]),
            keys.root_key_id,
            l10n::both("cli-office", &[]),
            keys.office_key_id
        );
    } else {
        eprintln!(
            "{}",
            l10n::both(
                "cli-dev-keys-unchanged",
                &[("dir", &keys.dir.display().to_string())]
            )
        );
        let verified = read_public_key(keys.root_pub_path())
            .map_err(anyhow::Error::new)
            .and_then(|root| {
                TrustList::read(keys.trust_list_path(), &root, today_dhaka())
                    .map_err(anyhow::Error::new)
            });
        if let Err(e) = verified {
            eprintln!(
                "{}: {}: {e:#}; {}",
                l10n::both("cli-warning", &[]),
                keys.trust_list_path().display(),
                l10n::both("cli-remove-to-remake", &[])
            );
        }
    }
    writeln!(io::stdout(), "{}", keys.office_key_id)?;
    Ok(())
}
