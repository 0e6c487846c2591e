//! Offline administration: accounts, re-sealing, backup, restore, counts.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use crate::{dhaka_time, Accounts, Role, TokenState};
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use sonod_keys::KeyId;

use super::{cli_actor, open_key, open_ledger, open_store};
use crate::l10n;

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    #[command(about = l10n::both("cli-user-add", &[]))]
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
        /// A councillor's wards, e.g. `1,2`: whose applications are in their review queue.
        #[arg(long, value_delimiter = ',')]
        wards: Vec<u16>,
    },
    #[command(about = l10n::both("cli-user-wards", &[]))]
    Wards {
        #[arg(long, env = "SONOD_DATA", default_value = "sonod-issuer-data")]
        data: PathBuf,
        #[arg(long)]
        name: String,
        /// The wards, e.g. `1,2`; none clears them.
        #[arg(long, value_delimiter = ',')]
        wards: Vec<u16>,
    },
    #[command(about = l10n::both("cli-token", &[]))]
    Token(TokenArgs),
    #[command(about = l10n::both("cli-user-passwd", &[]))]
    Passwd {
        #[arg(long, env = "SONOD_DATA", default_value = "sonod-issuer-data")]
        data: PathBuf,
        #[arg(long)]
        name: String,
    },
    #[command(about = l10n::both("cli-user-disable", &[]))]
    Disable {
        #[arg(long, env = "SONOD_DATA", default_value = "sonod-issuer-data")]
        data: PathBuf,
        #[arg(long)]
        name: String,
    },
    #[command(about = l10n::both("cli-user-reset-second-factor", &[]))]
    ResetSecondFactor {
        #[arg(long, env = "SONOD_DATA", default_value = "sonod-issuer-data")]
        data: PathBuf,
        #[arg(long)]
        name: String,
    },
    #[command(about = l10n::both("cli-user-list", &[]))]
    List {
        #[arg(long, env = "SONOD_DATA", default_value = "sonod-issuer-data")]
        data: PathBuf,
    },
}

/// `user token`: a subcommand, or the options of `create` alone (the older form).
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct TokenArgs {
    #[command(subcommand)]
    command: Option<TokenCommand>,
    #[command(flatten)]
    create: CreateToken,
}

#[derive(Subcommand, Debug)]
enum TokenCommand {
    #[command(about = l10n::both("cli-token-create", &[]))]
    Create(CreateToken),
    #[command(about = l10n::both("cli-token-list", &[]))]
    List {
        #[arg(long, env = "SONOD_DATA", default_value = "sonod-issuer-data")]
        data: PathBuf,
        /// Only this account's tokens.
        #[arg(long)]
        name: Option<String>,
    },
    #[command(about = l10n::both("cli-token-revoke", &[]))]
    Revoke {
        #[arg(long, env = "SONOD_DATA", default_value = "sonod-issuer-data")]
        data: PathBuf,
        /// The token's id (16 hex digits).
        #[arg(long)]
        id: String,
    },
}

#[derive(Args, Debug)]
struct CreateToken {
    #[arg(long, env = "SONOD_DATA", default_value = "sonod-issuer-data")]
    data: PathBuf,
    /// The account the token acts as.
    #[arg(long, required = true)]
    name: Option<String>,
    /// The token's name: what it is for (shown in lists and the audit log).
    #[arg(long, default_value = "api")]
    label: String,
    /// When it stops working: a number of days (`90d`, at most 730) or the last day it works
    /// (`2026-12-31`, Dhaka time).
    #[arg(long, default_value = "90d", value_parser = parse_expiry)]
    expires: Expiry,
    /// What the token may be used for, comma-separated or repeated: issue, revoke, print
    /// (read), audit, operate, accounts. Never more than the account's role allows; every
    /// action of the role when not given.
    #[arg(long = "scope", value_delimiter = ',', value_parser = |s: &str| s.parse::<crate::accounts::Scope>().map_err(|e| e.to_string()))]
    scopes: Vec<crate::accounts::Scope>,
}

/// A token's expiry as given.
#[derive(Clone, Copy, Debug)]
enum Expiry {
    Days(i64),
    /// Works through this day, Dhaka time.
    Through(time::Date),
}

fn parse_expiry(s: &str) -> Result<Expiry, String> {
    if let Some(days) = s.strip_suffix('d') {
        return days
            .parse::<i64>()
            .ok()
            .filter(|d| *d > 0)
            .map(Expiry::Days)
            .ok_or_else(|| l10n::both("expiry-days", &[("given", &format!("{s:?}"))]));
    }
    sonod_keys::parse_date(s)
        .map(Expiry::Through)
        .map_err(|_| l10n::both("expiry-form", &[("given", &format!("{s:?}"))]))
}

impl Expiry {
    /// Unix seconds.
    fn at(self, now: i64) -> i64 {
        match self {
            Expiry::Days(d) => now.saturating_add(d.saturating_mul(86_400)),
            Expiry::Through(date) => date
                .next_day()
                .map(|d| {
                    d.midnight()
                        .assume_offset(sonod_keys::DHAKA_OFFSET)
                        .unix_timestamp()
                })
                .unwrap_or(i64::MAX),
        }
    }
}

fn token(args: TokenArgs, actor: &str, now: i64) -> Result<()> {
    match args.command.unwrap_or(TokenCommand::Create(args.create)) {
        TokenCommand::Create(c) => {
            let name = c.name.unwrap_or_default();
            let ledger = open_ledger(&c.data)?;
            let accounts = Accounts::open(ledger.store())?;
            let made = accounts.create_scoped_token(
                &ledger,
                actor,
                &name,
                &c.label,
                Some(&c.scopes),
                c.expires.at(now),
                now,
            );
            ledger.close()?;
            let made = made?;
            println!("{}", made.secret);
            let v = &made.view;
            eprintln!(
                "{}",
                l10n::both(
                    "token-created",
                    &[
                        ("id", &v.id),
                        ("label", &v.label),
                        ("user", &v.user),
                        ("exp", &dhaka_time(v.expires_at)),
                    ]
                )
            );
            if let Some(s) = &v.scopes {
                eprintln!(
                    "{}",
                    l10n::both(
                        "token-created-scopes",
                        &[("scopes", &crate::accounts::scope_list(s))]
                    )
                );
            }
            eprintln!("{}", l10n::both("token-keep", &[]));
        }
        TokenCommand::List { data, name } => {
            let store = open_store(&data)?;
            let mut out = std::io::stdout().lock();
            for t in Accounts::open(&store)?.tokens()? {
                if name.as_ref().is_some_and(|n| *n != t.user) {
                    continue;
                }
                let state = t.state(now);
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    t.id,
                    t.user,
                    t.label,
                    dhaka_time(t.created_at),
                    dhaka_time(t.expires_at),
                    t.last_used_at.map_or_else(|| "-".into(), dhaka_time),
                    match state {
                        TokenState::Revoked => format!(
                            "revoked by {} {}",
                            t.revoked_by.as_deref().unwrap_or("?"),
                            t.revoked_at.map_or_else(String::new, dhaka_time)
                        ),
                        other => other.as_str().to_owned(),
                    },
                    t.scopes
                        .as_deref()
                        .map_or_else(|| "all".to_owned(), crate::accounts::scope_list)
                )?;
            }
        }
        TokenCommand::Revoke { data, id } => {
            let ledger = open_ledger(&data)?;
            let revoked = Accounts::open(ledger.store())?.revoke_token(&ledger, actor, &id, now);
            ledger.close()?;
            let (t, changed) = revoked?;
            let args = [
                ("id", t.id.as_str()),
                ("label", &t.label),
                ("user", &t.user),
            ];
            if changed {
                eprintln!("{}", l10n::both("token-revoked", &args));
            } else {
                eprintln!("{}", l10n::both("token-was-revoked", &args));
            }
        }
    }
    Ok(())
}

fn read_password() -> Result<String> {
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::stdin().lock().take(1024), &mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

pub fn user(cmd: UserCommand) -> Result<ExitCode> {
    let now = crate::now();
    let actor = cli_actor();
    match cmd {
        UserCommand::Add {
            data,
            name,
            display_name,
            role,
            password_stdin,
            wards,
        } => {
            let password = password_stdin.then(read_password).transpose()?;
            let ledger = open_ledger(&data)?;
            let accounts = Accounts::open(ledger.store())?;
            let added = accounts
                .add_user(
                    &ledger,
                    &actor,
                    &name,
                    &display_name,
                    role,
                    password.as_deref(),
                    now,
                )
                .and_then(|u| {
                    if wards.is_empty() {
                        Ok(u)
                    } else {
                        accounts.set_wards(&ledger, &actor, &name, &wards)
                    }
                });
            ledger.close()?;
            added?;
            eprintln!(
                "{}",
                l10n::both(
                    "account-created",
                    &[
                        ("name", &name),
                        ("role_bn", &role.label_bn()),
                        ("role", &role.to_string())
                    ]
                )
            );
        }
        UserCommand::Wards { data, name, wards } => {
            let ledger = open_ledger(&data)?;
            let set = Accounts::open(ledger.store())?.set_wards(&ledger, &actor, &name, &wards);
            ledger.close()?;
            let user = set?;
            let list = user
                .wards
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            eprintln!(
                "{}",
                l10n::both("account-wards-set", &[("name", &name), ("wards", &list)])
            );
        }
        UserCommand::Token(args) => token(args, &actor, now)?,
        UserCommand::Passwd { data, name } => {
            let password = read_password()?;
            let ledger = open_ledger(&data)?;
            let changed =
                Accounts::open(ledger.store())?.set_password(&ledger, &actor, &name, &password);
            ledger.close()?;
            changed?;
            eprintln!("{}", l10n::both("password-changed", &[("name", &name)]));
        }
        UserCommand::ResetSecondFactor { data, name } => {
            let ledger = open_ledger(&data)?;
            let reset = Accounts::open(ledger.store())?.reset_second_factor(&ledger, &actor, &name);
            ledger.close()?;
            reset?;
            eprintln!(
                "{}",
                l10n::both("second-factor-reset-notice", &[("name", &name)])
            );
        }
        UserCommand::Disable { data, name } => {
            let ledger = open_ledger(&data)?;
            let disabled = Accounts::open(ledger.store())?.disable(&ledger, &actor, &name);
            ledger.close()?;
            disabled?;
            eprintln!("{}", l10n::both("account-disabled", &[("name", &name)]));
        }
        UserCommand::List { data } => {
            let store = open_store(&data)?;
            let mut out = std::io::stdout().lock();
            for u in Accounts::open(&store)?.users()? {
                let state = if u.disabled { "disabled" } else { "active" };
                let second = if u.second_factor.is_some() {
                    "totp"
                } else {
                    "no-totp"
                };
                writeln!(
                    out,
                    "{}\t{}\t{}\t{state}\t{}\t{second}",
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

#[derive(Args, Debug)]
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
        bail!("{}", l10n::both("reseal-same-key", &[]));
    }
    let ledger = open_ledger(&args.data)?;
    let n = ledger.reseal(&args.compromised, &key, &cli_actor());
    ledger.close()?;
    let n = n?;
    println!("{n}");
    eprintln!(
        "{}",
        l10n::both(
            "resealed",
            &[
                ("n_bn", &sonod_seal::bangla_digits(&n.to_string())),
                ("n", &n.to_string()),
                ("key", &key.key_id().to_string()),
            ]
        )
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

impl std::fmt::Debug for BackupArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token.
        f.debug_struct("BackupArgs")
            .field("data", &self.data)
            .field("url", &self.url)
            .field("out", &self.out)
            .finish_non_exhaustive()
    }
}

pub fn backup(args: BackupArgs) -> Result<ExitCode> {
    if args.out.exists() {
        bail!(
            "{}",
            l10n::both(
                "exists-already",
                &[("path", &args.out.display().to_string())]
            )
        );
    }
    match (&args.data, &args.url) {
        (Some(data), _) => {
            let s = crate::backup_offline(data, &args.out)?;
            eprintln!(
                "{}: {} trees, {} entries → {}",
                l10n::both("backup", &[]),
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
            let mut f =
                sonod_keys::fs::AtomicFile::new_for(&args.out, sonod_keys::fs::MODE_SHARED)?;
            let n = std::io::copy(&mut resp.into_reader(), &mut f)?;
            f.commit(&args.out)?;
            eprintln!(
                "{}: {n} bytes → {}",
                l10n::both("backup", &[]),
                args.out.display()
            );
        }
        (None, None) => bail!("--data or --url"),
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// The backup file.
    #[arg(long)]
    from: PathBuf,
    /// A new, empty data directory.
    #[arg(long)]
    data: PathBuf,
}

pub fn restore(args: RestoreArgs) -> Result<ExitCode> {
    let s = crate::restore(&args.from, &args.data)?;
    eprintln!(
        "{}: {} trees, {} entries → {}",
        l10n::both("restored", &[]),
        s.trees,
        s.entries,
        args.data.display()
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Args, Debug)]
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
