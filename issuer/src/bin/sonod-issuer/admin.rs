//! Offline administration: accounts, re-sealing, backup, restore, counts.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use sonod_issuer::{Accounts, Role};
use sonod_keys::KeyId;

use crate::{cli_actor, open_key, open_ledger, open_store};

#[derive(Subcommand)]
pub enum UserCommand {
    /// নতুন অ্যাকাউন্ট / Create an account.
    Add {
        #[arg(long, env = "SONOD_DATA", default_value = "sonod-issuer-data")]
        data: PathBuf,
        /// Login name (3–32 of a–z 0–9 . _ -).
        #[arg(long)]
        name: String,
        /// Full name.
        #[arg(long)]
        display_name: String,
        /// admin, chairman (mayor), councillor or operator.
        #[arg(long)]
        role: Role,
        /// Read a password for the web pages from standard input (one line).
        #[arg(long)]
        password_stdin: bool,
    },
    /// API টোকেন / Create an API token for an account (printed once, stored hashed).
    Token {
        #[arg(long, env = "SONOD_DATA", default_value = "sonod-issuer-data")]
        data: PathBuf,
        #[arg(long)]
        name: String,
        /// What the token is for (shown in the audit log).
        #[arg(long, default_value = "api")]
        label: String,
    },
    /// নতুন পাসওয়ার্ড / Set a password (read from standard input).
    Passwd {
        #[arg(long, env = "SONOD_DATA", default_value = "sonod-issuer-data")]
        data: PathBuf,
        #[arg(long)]
        name: String,
    },
    /// অ্যাকাউন্ট বন্ধ / Disable an account: its tokens and sessions stop working.
    Disable {
        #[arg(long, env = "SONOD_DATA", default_value = "sonod-issuer-data")]
        data: PathBuf,
        #[arg(long)]
        name: String,
    },
    /// অ্যাকাউন্টের তালিকা / List accounts.
    List {
        #[arg(long, env = "SONOD_DATA", default_value = "sonod-issuer-data")]
        data: PathBuf,
    },
}

fn read_password() -> Result<String> {
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::stdin().lock().take(1024), &mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

pub fn user(cmd: UserCommand) -> Result<ExitCode> {
    let now = sonod_issuer::now();
    let actor = cli_actor();
    match cmd {
        UserCommand::Add {
            data,
            name,
            display_name,
            role,
            password_stdin,
        } => {
            let password = password_stdin.then(read_password).transpose()?;
            let ledger = open_ledger(&data)?;
            let accounts = Accounts::open(ledger.store())?;
            accounts.add_user(&name, &display_name, role, password.as_deref(), now)?;
            ledger.audit_blocking(&actor, "user.add", &name, &format!("role={role}"))?;
            ledger.close()?;
            eprintln!(
                "অ্যাকাউন্ট তৈরি হয়েছে / account {name} created ({}, {role})",
                role.label_bn()
            );
        }
        UserCommand::Token { data, name, label } => {
            let ledger = open_ledger(&data)?;
            let accounts = Accounts::open(ledger.store())?;
            let token = accounts.issue_token(&name, &label, now)?;
            ledger.audit_blocking(&actor, "token.add", &name, &format!("label={label}"))?;
            ledger.close()?;
            println!("{token}");
            eprintln!("টোকেনটি এখনই সংরক্ষণ করুন, আর দেখানো হবে না / keep this token now: it is not shown again");
        }
        UserCommand::Passwd { data, name } => {
            let password = read_password()?;
            let ledger = open_ledger(&data)?;
            Accounts::open(ledger.store())?.set_password(&name, &password)?;
            ledger.audit_blocking(&actor, "user.passwd", &name, "")?;
            ledger.close()?;
            eprintln!("পাসওয়ার্ড বদলানো হয়েছে / password changed for {name}");
        }
        UserCommand::Disable { data, name } => {
            let ledger = open_ledger(&data)?;
            Accounts::open(ledger.store())?.disable(&name)?;
            ledger.audit_blocking(&actor, "user.disable", &name, "")?;
            ledger.close()?;
            eprintln!("অ্যাকাউন্ট বন্ধ / account {name} disabled");
        }
        UserCommand::List { data } => {
            let store = open_store(&data)?;
            let mut out = std::io::stdout().lock();
            for u in Accounts::open(&store)?.users()? {
                let state = if u.disabled { "disabled" } else { "active" };
                writeln!(
                    out,
                    "{}\t{}\t{}\t{state}\t{}",
                    u.name,
                    u.role,
                    u.role.label_bn(),
                    u.display_name
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct ResealArgs {
    #[arg(long, env = "SONOD_DATA", default_value = "sonod-issuer-data")]
    data: PathBuf,
    /// The compromised key's id.
    #[arg(long)]
    compromised: KeyId,
    /// The office's new key (passphrase from SONOD_KEY_PASSPHRASE or a prompt).
    #[arg(long, env = "SONOD_KEY")]
    key: PathBuf,
}

pub fn reseal(args: ResealArgs) -> Result<ExitCode> {
    let key = open_key(&args.key)?;
    if key.key_id() == args.compromised {
        bail!("নতুন চাবিটিই বেহাত চাবি / the new key is the compromised key");
    }
    let ledger = open_ledger(&args.data)?;
    let n = ledger.reseal(&args.compromised, &key, &cli_actor());
    ledger.close()?;
    let n = n?;
    println!("{n}");
    eprintln!(
        "{} টি সনদ নতুন চাবি {} দিয়ে আবার সিল করা হয়েছে / re-sealed {n} certificates with key {} (same serials; recorded in the feed)",
        sonod_seal::bangla_digits(&n.to_string()),
        key.key_id(),
        key.key_id()
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct BackupArgs {
    /// A stopped store to back up.
    #[arg(
        long,
        env = "SONOD_DATA",
        conflicts_with = "url",
        required_unless_present = "url"
    )]
    data: Option<PathBuf>,
    /// A running service's base URL, e.g. http://127.0.0.1:8080 (needs an admin's token).
    #[arg(long)]
    url: Option<String>,
    /// An admin's API token (for --url).
    #[arg(long, env = "SONOD_TOKEN", requires = "url")]
    token: Option<String>,
    /// The backup file to write (must not exist).
    #[arg(long)]
    out: PathBuf,
}

pub fn backup(args: BackupArgs) -> Result<ExitCode> {
    if args.out.exists() {
        bail!(
            "{} আগে থেকেই আছে / {} exists already",
            args.out.display(),
            args.out.display()
        );
    }
    match (&args.data, &args.url) {
        (Some(data), _) => {
            let s = sonod_issuer::backup_offline(data, &args.out)?;
            eprintln!(
                "ব্যাকআপ / backup: {} trees, {} entries → {}",
                s.trees,
                s.entries,
                args.out.display()
            );
        }
        (None, Some(url)) => {
            let token = args
                .token
                .as_deref()
                .context("--token (or SONOD_TOKEN) is needed with --url")?;
            let resp = ureq::get(&format!(
                "{}/api/v1/admin/backup",
                url.trim_end_matches('/')
            ))
            .set("Authorization", &format!("Bearer {token}"))
            .timeout(std::time::Duration::from_secs(3600))
            .call()
            .map_err(|e| anyhow::anyhow!("backup request failed: {e}"))?;
            let tmp = args.out.with_extension("partial");
            let mut f = std::fs::File::create(&tmp)?;
            let n = std::io::copy(&mut resp.into_reader(), &mut f)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &args.out)?;
            eprintln!("ব্যাকআপ / backup: {n} bytes → {}", args.out.display());
        }
        (None, None) => bail!("--data or --url"),
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct RestoreArgs {
    /// The backup file.
    #[arg(long)]
    from: PathBuf,
    /// A new, empty data directory.
    #[arg(long)]
    data: PathBuf,
}

pub fn restore(args: RestoreArgs) -> Result<ExitCode> {
    let s = sonod_issuer::restore(&args.from, &args.data)?;
    eprintln!(
        "ফেরানো হয়েছে / restored: {} trees, {} entries → {}",
        s.trees,
        s.entries,
        args.data.display()
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct StatsArgs {
    #[arg(long, env = "SONOD_DATA", default_value = "sonod-issuer-data")]
    data: PathBuf,
}

pub fn stats(args: StatsArgs) -> Result<ExitCode> {
    let ledger = open_ledger(&args.data)?;
    let store = ledger.store();
    println!("office={}", store.office()?.unwrap_or_default());
    println!("certificates={}", store.len());
    println!("revocations={}", ledger.revoked_serials().count());
    println!("feed_head={}", ledger.head());
    println!("next_serial={}", store.next_serial()?);
    ledger.close()?;
    Ok(ExitCode::SUCCESS)
}
