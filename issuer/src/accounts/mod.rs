//! Officials' accounts: roles, API tokens, passwords and web sessions. No shared logins:
//! every write is attributed to the account that made it.
//!
//! API tokens are 32 random bytes shown once and stored only as their SHA-256 (a token is
//! high-entropy, so a fast hash is enough), with a label, an expiry, the time of last use and,
//! once revoked, when and by whom; passwords are stored as argon2id PHC strings; session ids
//! are random and stored hashed, with an expiry.
//!
//! Every change to an account or a token is written with the audit entry that records it, in
//! one atomic write through the ledger ([`Ledger`]), and returns once both are durable.

pub mod second_factor;
pub mod signin;
pub mod throttle;

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::storage::ledger::{AccountWrite, Ledger, LedgerError};
use crate::storage::store::{Store, StoreError};

/// How long a web session lasts, in seconds.
pub const SESSION_SECONDS: i64 = 12 * 3600;
/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// How long a new API token lasts unless its creator says otherwise, in days; also the life
/// of a token stored before tokens had an expiry, counted from its creation.
pub const DEFAULT_TOKEN_DAYS: i64 = 90;
/// The longest life a token may be given, in days.
pub const MAX_TOKEN_DAYS: i64 = 730;
/// A token's last use is written at most this often, in seconds, so that the request path
/// does not write on every request.
pub const LAST_USE_EVERY: i64 = 60;
const DAY: i64 = 86_400;

/// The argon2id memory cost of a password hash, in KiB (19 MiB, OWASP's and the `argon2`
/// crate's default): each verification running at once holds this much.
pub const ARGON2_M_COST_KIB: u32 = Params::DEFAULT_M_COST;
/// The argon2id time cost (passes).
pub const ARGON2_T_COST: u32 = Params::DEFAULT_T_COST;

/// The password hasher: argon2id, version 0x13, m = 19 MiB, t = 2, p = 1, 32-byte output.
/// Stated here rather than left to the crate's defaults, because the service's peak memory
/// is a multiple of `m` (see `signin`).
fn argon2() -> Argon2<'static> {
    let params = Params::new(
        ARGON2_M_COST_KIB,
        ARGON2_T_COST,
        Params::DEFAULT_P_COST,
        Some(Params::DEFAULT_OUTPUT_LEN),
    )
    .unwrap_or(Params::DEFAULT);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// What an unknown name's password is checked against: a hash of a random password with
/// the same parameters as real ones, so that an unknown name costs the same work as a known
/// one and the time of the answer does not tell which names exist.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let mut password = [0u8; 24];
    OsRng.fill_bytes(&mut password);
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(&password, &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
});

/// Computes the dummy hash now (some 20 ms), so that the first unknown name is not the one
/// sign-in that takes twice as long.
pub fn warm_up_password_checks() {
    LazyLock::force(&DUMMY_HASH);
}

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages accounts, backups and keys; does not sign certificates.
    Admin,
    /// The mayor or UP chairman: issues and revokes.
    Chairman,
    /// A councillor: issues and revokes.
    Councillor,
    /// A digital-centre operator: prepares and prints.
    Operator,
}

/// An action that needs a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Permission {
    /// Seal and issue a certificate.
    Issue,
    /// Revoke a certificate.
    Revoke,
    /// See and print issued certificates.
    Print,
    /// Read the audit log.
    ReadAudit,
    /// Take a backup, reload the signing key.
    Operate,
    /// See and revoke accounts' API tokens.
    ManageAccounts,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 4] = [
        Role::Admin,
        Role::Chairman,
        Role::Councillor,
        Role::Operator,
    ];

    /// Whether the role allows `p`.
    pub fn allows(self, p: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => matches!(p, Print | ReadAudit | Operate | ManageAccounts),
            Role::Chairman => matches!(p, Issue | Revoke | Print | ReadAudit),
            Role::Councillor => matches!(p, Issue | Revoke | Print),
            Role::Operator => matches!(p, Print),
        }
    }

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Chairman => "chairman",
            Role::Councillor => "councillor",
            Role::Operator => "operator",
        }
    }

    /// The Bangla name (the words are in `locales/*/issuer.ftl`, `role-*`).
    pub fn label_bn(self) -> String {
        crate::l10n::bn(&format!("role-{}", self.as_str()))
    }

    /// The English name.
    pub fn label_en(self) -> String {
        crate::l10n::en(&format!("role-{}", self.as_str()))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = AccountError;
    fn from_str(s: &str) -> Result<Role, AccountError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "admin" => Ok(Role::Admin),
            "chairman" | "mayor" => Ok(Role::Chairman),
            "councillor" | "member" => Ok(Role::Councillor),
            "operator" => Ok(Role::Operator),
            other => Err(AccountError::UnknownRole(other.to_owned())),
        }
    }
}

/// An authenticated account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Account name.
    pub name: String,
    /// Its role.
    pub role: Role,
}

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Login name: 3–32 of a–z, 0–9, `.`, `_`, `-`.
    pub name: String,
    /// Full name, for the audit log and pages.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// argon2id PHC string, when the account may log in to the web pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
    /// A disabled account can do nothing.
    pub disabled: bool,
    /// When it was created, Unix seconds.
    pub created_at: i64,
    /// The TOTP second factor, once enrolled (see [`second_factor`]). Never in `Debug`
    /// output or logs (its own `Debug` shows no secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub second_factor: Option<second_factor::SecondFactor>,
    /// A councillor's wards: whose applications are in their review queue. Set by the admin
    /// ([`Accounts::set_wards`]); empty for other roles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wards: Vec<u16>,
}

/// Most wards one account may hold.
pub const MAX_USER_WARDS: usize = 50;

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AccountError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Not a role.
    #[error("{}", crate::l10n::both("account-unknown-role", &[("n0_dbg", &format!("{:?}", .0))]))]
    UnknownRole(String),
    /// A name outside the allowed form.
    #[error("{}", crate::l10n::both("account-bad-name", &[]))]
    BadName,
    /// The account exists already.
    #[error("{}", crate::l10n::both("account-exists", &[("n0_dbg", &format!("{:?}", .0))]))]
    Exists(String),
    /// No such account.
    #[error("{}", crate::l10n::both("account-no-such-user", &[("n0_dbg", &format!("{:?}", .0))]))]
    NoSuchUser(String),
    /// The password is too short.
    #[error("{}", crate::l10n::both("account-weak-password", &[("min_password_chars", &format!("{}", MIN_PASSWORD_CHARS))]))]
    WeakPassword,
    /// Password hashing failed.
    #[error("{}", crate::l10n::both("account-hash", &[]))]
    Hash,
    /// No token with that id.
    #[error("{}", crate::l10n::both("account-no-such-token", &[("n0_dbg", &format!("{:?}", .0))]))]
    NoSuchToken(String),
    /// An expiry in the past or too far ahead.
    #[error("{}", crate::l10n::both("account-bad-expiry", &[("max_token_days", &format!("{}", MAX_TOKEN_DAYS))]))]
    BadExpiry,
    /// Wards that are zero, repeated or too many.
    #[error("{}", crate::l10n::both("account-bad-wards", &[("max", &MAX_USER_WARDS.to_string())]))]
    BadWards,
    /// The change or its audit entry could not be written.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// A token asked for an action its account's role does not allow.
    #[error("{}", crate::l10n::both("token-scope-beyond-role", &[("scope", .0.as_str()), ("role", .1.as_str())]))]
    ScopeBeyondRole(Scope, Role),
    /// A scope name that is not one.
    #[error("{}", crate::l10n::both("token-scope-unknown", &[("n0_dbg", &format!("{:?}", .0))]))]
    UnknownScope(String),
}

/// What an API token may be used for, chosen when it is made: one action each, and never more
/// than its account's role allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Issue certificates ([`Permission::Issue`]).
    Issue,
    /// Revoke certificates ([`Permission::Revoke`]).
    Revoke,
    /// Read and print certificates, their QR codes and PDFs ([`Permission::Print`]).
    Print,
    /// Read the audit log ([`Permission::ReadAudit`]).
    Audit,
    /// Backups and key reloads ([`Permission::Operate`]).
    Operate,
    /// Accounts and their tokens ([`Permission::ManageAccounts`]).
    Accounts,
}

impl Scope {
    /// Every scope.
    pub const ALL: [Scope; 6] = [
        Scope::Issue,
        Scope::Revoke,
        Scope::Print,
        Scope::Audit,
        Scope::Operate,
        Scope::Accounts,
    ];

    /// The scope that lets a token use `p`.
    pub fn of(p: Permission) -> Scope {
        match p {
            Permission::Issue => Scope::Issue,
            Permission::Revoke => Scope::Revoke,
            Permission::Print => Scope::Print,
            Permission::ReadAudit => Scope::Audit,
            Permission::Operate => Scope::Operate,
            Permission::ManageAccounts => Scope::Accounts,
        }
    }

    /// The permission the scope stands for.
    pub fn permission(self) -> Permission {
        match self {
            Scope::Issue => Permission::Issue,
            Scope::Revoke => Permission::Revoke,
            Scope::Print => Permission::Print,
            Scope::Audit => Permission::ReadAudit,
            Scope::Operate => Permission::Operate,
            Scope::Accounts => Permission::ManageAccounts,
        }
    }

    /// The name used on the command line, in lists and the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Issue => "issue",
            Scope::Revoke => "revoke",
            Scope::Print => "print",
            Scope::Audit => "audit",
            Scope::Operate => "operate",
            Scope::Accounts => "accounts",
        }
    }

    /// Every scope `role` allows: what a token is given when its maker names none.
    pub fn all_of(role: Role) -> Vec<Scope> {
        Scope::ALL
            .into_iter()
            .filter(|s| role.allows(s.permission()))
            .collect()
    }
}

impl FromStr for Scope {
    type Err = AccountError;
    fn from_str(s: &str) -> Result<Scope, AccountError> {
        let s = s.trim().to_ascii_lowercase();
        Scope::ALL
            .into_iter()
            .find(|x| x.as_str() == s || (s == "read" && *x == Scope::Print))
            .ok_or(AccountError::UnknownScope(s.chars().take(40).collect()))
    }
}

/// Scopes as a list: `issue,print`.
pub fn scope_list(scopes: &[Scope]) -> String {
    scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Why a bearer token was refused. Told to the client: only someone who holds the token can
/// learn which it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenRefusal {
    /// Not a token of this office.
    #[error("{}", crate::l10n::both("token-refusal-unknown", &[]))]
    Unknown,
    /// Past its expiry.
    #[error("{}", crate::l10n::both("token-refusal-expired", &[]))]
    Expired,
    /// Revoked by an admin.
    #[error("{}", crate::l10n::both("token-refusal-revoked", &[]))]
    Revoked,
    /// Its account is disabled.
    #[error("{}", crate::l10n::both("token-refusal-disabled", &[]))]
    Disabled,
}

/// Whether a token works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenState {
    /// It authenticates.
    Active,
    /// Past its expiry.
    Expired,
    /// Revoked.
    Revoked,
}

impl TokenState {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenState::Active => "active",
            TokenState::Expired => "expired",
            TokenState::Revoked => "revoked",
        }
    }

    /// The Bangla name (the words are in `locales/*/issuer.ftl`, `token-state-*`).
    pub fn label_bn(self) -> String {
        crate::l10n::bn(&format!("token-state-{}", self.as_str()))
    }
}

/// An API token as admins see it: never the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenView {
    /// Its public id: the first 8 bytes of its SHA-256, in hex (names it in lists, the audit
    /// log and revocation; says nothing about the token itself).
    pub id: String,
    /// The account it acts as.
    pub user: String,
    /// What it is for.
    pub label: String,
    /// When it was made, Unix seconds.
    pub created_at: i64,
    /// When it stops working, Unix seconds.
    pub expires_at: i64,
    /// When it was last used (to the minute), Unix seconds.
    pub last_used_at: Option<i64>,
    /// When it was revoked.
    pub revoked_at: Option<i64>,
    /// Who revoked it.
    pub revoked_by: Option<String>,
    /// What it may be used for; `None` for a token made before scopes, which may do what
    /// its account's role allows.
    pub scopes: Option<Vec<Scope>>,
}

impl TokenView {
    /// Whether it works at `now`.
    pub fn state(&self, now: i64) -> TokenState {
        if self.revoked_at.is_some() {
            TokenState::Revoked
        } else if now >= self.expires_at {
            TokenState::Expired
        } else {
            TokenState::Active
        }
    }
}

/// What a bearer token authenticates: its account and what it may be used for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenGrant {
    /// The account.
    pub actor: Actor,
    /// Its scopes; `None` for a token made before scopes (whatever the role allows).
    pub scopes: Option<Vec<Scope>>,
}

impl TokenGrant {
    /// Whether the token may be used for `p`: its role allows it and it was made for it.
    pub fn allows(&self, p: Permission) -> bool {
        self.actor.role.allows(p)
            && self
                .scopes
                .as_ref()
                .is_none_or(|s| s.contains(&Scope::of(p)))
    }
}

/// A token just made: its secret, shown this once, and what is kept of it.
#[derive(Debug)]
pub struct NewToken {
    /// The bearer token.
    pub secret: String,
    /// What is kept.
    pub view: TokenView,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct TokenInfo {
    user: String,
    label: String,
    created_at: i64,
    /// Absent in tokens made before tokens expired: those expire [`DEFAULT_TOKEN_DAYS`] after
    /// their creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_used_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    revoked_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    revoked_by: Option<String>,
    /// What it may be used for. Absent in tokens made before scopes: those may do whatever
    /// their account's role allows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scopes: Option<Vec<Scope>>,
}

impl TokenInfo {
    fn expires_at(&self) -> i64 {
        self.expires_at
            .unwrap_or(self.created_at.saturating_add(DEFAULT_TOKEN_DAYS * DAY))
    }

    fn view(&self, hash: &[u8]) -> TokenView {
        TokenView {
            id: token_id(hash),
            user: self.user.clone(),
            label: self.label.clone(),
            created_at: self.created_at,
            expires_at: self.expires_at(),
            last_used_at: self.last_used_at,
            revoked_at: self.revoked_at,
            revoked_by: self.revoked_by.clone(),
            scopes: self.scopes.clone(),
        }
    }
}

fn token_id(hash: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(&hash[..hash.len().min(8)])
}

/// How far a sign-in has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStage {
    /// Password and second factor given: the session may do what the role allows.
    #[default]
    Full,
    /// The password was right; the account's TOTP code (or a recovery code) is awaited.
    NeedCode,
    /// The password was right; the account has no second factor yet and must enrol one
    /// before anything else.
    MustEnrol,
}

/// Seconds a half-open session (password given, code awaited) lasts.
pub const HALF_SESSION_SECONDS: i64 = 5 * 60;
/// A session's last activity is written at most this often, in seconds.
pub const SESSION_TOUCH_EVERY: i64 = 30;

#[derive(Debug, Serialize, Deserialize)]
struct Session {
    user: String,
    expires_at: i64,
    /// Last activity, Unix seconds (to [`SESSION_TOUCH_EVERY`]); absent in sessions of
    /// the version before idle expiry (they count as active when opened).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_seen: Option<i64>,
    #[serde(default)]
    stage: SessionStage,
    /// The TOTP secret being enrolled, between the page that shows it and its first code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pending: Option<second_factor::PendingSecret>,
}

/// A live session as the pages see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionView {
    /// The account.
    pub actor: Actor,
    /// How far its sign-in has come.
    pub stage: SessionStage,
}

/// What a second-factor step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeOutcome {
    /// The session is now full.
    Accepted {
        /// A recovery code was used: how many are left.
        recovery_left: Option<usize>,
    },
    /// Wrong, replayed, or the session is not waiting for a code.
    Refused,
}

fn hashed(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

fn random_secret(prefix: &str) -> String {
    let mut b = [0u8; 32];
    OsRng.fill_bytes(&mut b);
    format!(
        "{prefix}{}",
        data_encoding::BASE32_NOPAD.encode(&b).to_ascii_lowercase()
    )
}

fn json<T: Serialize>(v: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn parse<T: for<'de> Deserialize<'de>>(b: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(b).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn valid_name(n: &str) -> bool {
    (3..=32).contains(&n.len())
        && n.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

/// A token's label as kept: printable, at most 100 characters, `api` when empty.
fn clean_label(label: &str) -> String {
    let l: String = label
        .chars()
        .filter(|c| !c.is_control())
        .take(100)
        .collect::<String>()
        .trim()
        .to_owned();
    if l.is_empty() {
        "api".into()
    } else {
        l
    }
}

/// Unix seconds as Dhaka time to the minute (`2026-03-17 14:05`), for lists and pages.
pub fn dhaka_time(t: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| d.to_offset(sonod_keys::DHAKA_OFFSET).format(&format).ok())
        .unwrap_or_else(|| t.to_string())
}

/// A Unix time as an ISO date, for the audit log.
fn date(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .map(|d| d.date().to_string())
        .unwrap_or_else(|_| t.to_string())
}

/// How long a token's account is remembered without looking at the store again.
const TOKEN_CACHE_TTL: Duration = Duration::from_secs(10);
/// At most this many tokens are remembered (the cache is emptied when full).
const TOKEN_CACHE_MAX: usize = 1024;

#[derive(Debug, Clone)]
struct CachedToken {
    actor: Actor,
    scopes: Option<Vec<Scope>>,
    at: Instant,
    expires_at: i64,
    /// The last use written (or found) in the store.
    last_used_at: i64,
}

/// Tokens authenticated lately, by hash: every API request carries a token, and reading sled on
/// the request path stalls the runtime thread while the committer applies a batch (sled's
/// batches hold a process-wide write lock that every read waits for). Emptied whenever an
/// account or a token changes through this [`Accounts`] (or a clone), so a disabled account's
/// or a revoked token's requests stop at once; entries also expire after [`TOKEN_CACHE_TTL`].
/// Only successes are kept, so guessing tokens cannot fill it. `generation` counts the
/// emptyings: a lookup that read the store before one does not put its (old) answer back.
#[derive(Default)]
struct TokenCache {
    entries: HashMap<[u8; 32], CachedToken>,
    generation: u64,
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Token hashes stay out of debug output.
        write!(f, "TokenCache({} tokens)", self.entries.len())
    }
}

/// The accounts of one office.
#[derive(Debug, Clone)]
pub struct Accounts {
    users: sled::Tree,
    tokens: sled::Tree,
    sessions: sled::Tree,
    token_cache: Arc<Mutex<TokenCache>>,
    /// Held through each change (check, write, barrier): changes reach the store only at the
    /// ledger's next barrier, so two at once could both pass a check the other invalidates.
    changing: Arc<Mutex<()>>,
    /// Password verifications run (argon2), real or against [`DUMMY_HASH`].
    verifications: Arc<AtomicU64>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Accounts {
    /// Opens the account trees of a store.
    pub fn open(store: &Store) -> Result<Accounts, StoreError> {
        Ok(Accounts {
            users: store.tree("users")?,
            tokens: store.tree("tokens")?,
            sessions: store.tree("sessions")?,
            token_cache: Arc::default(),
            changing: Arc::default(),
            verifications: Arc::default(),
        })
    }

    /// Writes an account change with its audit entry, durably, then empties the token cache.
    fn commit(
        &self,
        ledger: &Ledger,
        writes: Vec<AccountWrite>,
        audit: (&str, &str, &str, &str),
    ) -> Result<(), AccountError> {
        let r = ledger.account_change_blocking(writes, audit);
        self.forget_tokens();
        Ok(r?)
    }

    fn user_write(&self, user: &User) -> Result<AccountWrite, StoreError> {
        Ok(AccountWrite {
            tree: self.users.clone(),
            key: user.name.as_bytes().to_vec(),
            value: Some(json(user)?),
        })
    }

    /// Creates an account; with a password it may also log in to the web pages. `by` is who
    /// the audit log names.
    #[allow(clippy::too_many_arguments)]
    pub fn add_user(
        &self,
        ledger: &Ledger,
        by: &str,
        name: &str,
        display_name: &str,
        role: Role,
        password: Option<&str>,
        now: i64,
    ) -> Result<User, AccountError> {
        if !valid_name(name) || display_name.trim().is_empty() || display_name.len() > 200 {
            return Err(AccountError::BadName);
        }
        let password_hash = password.map(hash_password).transpose()?;
        let user = User {
            name: name.into(),
            display_name: display_name.trim().into(),
            role,
            password_hash,
            disabled: false,
            created_at: now,
            second_factor: None,
            wards: Vec::new(),
        };
        let _changing = lock(&self.changing);
        if self.user(name)?.is_some() {
            return Err(AccountError::Exists(name.into()));
        }
        let write = self.user_write(&user)?;
        self.commit(
            ledger,
            vec![write],
            (by, "user.add", name, &format!("role={role}")),
        )?;
        Ok(user)
    }

    /// An account by name.
    pub fn user(&self, name: &str) -> Result<Option<User>, StoreError> {
        self.users
            .get(name.as_bytes())?
            .map(|v| parse(&v))
            .transpose()
    }

    /// Every account.
    pub fn users(&self) -> Result<Vec<User>, StoreError> {
        self.users.iter().values().map(|v| parse(&v?)).collect()
    }

    fn update(
        &self,
        ledger: &Ledger,
        name: &str,
        f: impl Fn(&mut User),
        audit: (&str, &str, &str),
    ) -> Result<User, AccountError> {
        let _changing = lock(&self.changing);
        let mut user = self
            .user(name)?
            .ok_or_else(|| AccountError::NoSuchUser(name.into()))?;
        f(&mut user);
        let write = self.user_write(&user)?;
        let (by, action, detail) = audit;
        self.commit(ledger, vec![write], (by, action, name, detail))?;
        Ok(user)
    }

    fn token_cache(&self) -> MutexGuard<'_, TokenCache> {
        lock(&self.token_cache)
    }

    /// Empties the token cache: an account or a token changed.
    fn forget_tokens(&self) {
        let mut cache = self.token_cache();
        cache.entries.clear();
        cache.generation += 1;
    }

    /// Sets a new password.
    pub fn set_password(
        &self,
        ledger: &Ledger,
        by: &str,
        name: &str,
        password: &str,
    ) -> Result<(), AccountError> {
        let hash = hash_password(password)?;
        self.update(
            ledger,
            name,
            |u| u.password_hash = Some(hash.clone()),
            (by, "user.passwd", ""),
        )?;
        // A changed password ends every session opened with the old one.
        self.logout_everywhere(name);
        Ok(())
    }

    /// Sets the wards of account `name` (a councillor's review queue), audited as
    /// `user.wards`. Refuses a zero ward, a repeated one or more than [`MAX_USER_WARDS`].
    pub fn set_wards(
        &self,
        ledger: &Ledger,
        by: &str,
        name: &str,
        wards: &[u16],
    ) -> Result<User, AccountError> {
        let mut wards = wards.to_vec();
        wards.sort_unstable();
        if wards.len() > MAX_USER_WARDS
            || wards.first() == Some(&0)
            || wards.windows(2).any(|w| w[0] == w[1])
        {
            return Err(AccountError::BadWards);
        }
        let detail = format!(
            "wards={}",
            wards
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(",")
        );
        self.update(
            ledger,
            name,
            |u| u.wards = wards.clone(),
            (by, "user.wards", &detail),
        )
    }

    /// Disables an account; its tokens and sessions stop working at once.
    pub fn disable(&self, ledger: &Ledger, by: &str, name: &str) -> Result<(), AccountError> {
        self.update(
            ledger,
            name,
            |u| u.disabled = true,
            (by, "user.disable", ""),
        )?;
        self.logout_everywhere(name);
        Ok(())
    }

    /// Creates an API token for account `user`, working until `expires_at` (Unix seconds; at
    /// most [`MAX_TOKEN_DAYS`] ahead). Only its hash is kept, so the secret is shown this once.
    /// The token may do whatever the account's role allows (every scope of the role); see
    /// [`Accounts::create_scoped_token`] for fewer.
    pub fn create_token(
        &self,
        ledger: &Ledger,
        by: &str,
        user: &str,
        label: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<NewToken, AccountError> {
        self.create_scoped_token(ledger, by, user, label, None, expires_at, now)
    }

    /// [`Accounts::create_token`] limited to `scopes` (all of the role's when `None`);
    /// refused when a scope goes beyond the account's role.
    #[allow(clippy::too_many_arguments)]
    pub fn create_scoped_token(
        &self,
        ledger: &Ledger,
        by: &str,
        user: &str,
        label: &str,
        scopes: Option<&[Scope]>,
        expires_at: i64,
        now: i64,
    ) -> Result<NewToken, AccountError> {
        if expires_at <= now || expires_at > now.saturating_add(MAX_TOKEN_DAYS * DAY) {
            return Err(AccountError::BadExpiry);
        }
        let _changing = lock(&self.changing);
        let Some(account) = self.user(user)? else {
            return Err(AccountError::NoSuchUser(user.into()));
        };
        let mut scopes = match scopes {
            Some(s) if !s.is_empty() => s.to_vec(),
            _ => Scope::all_of(account.role),
        };
        scopes.sort_by_key(|s| Scope::ALL.iter().position(|x| x == s));
        scopes.dedup();
        if let Some(s) = scopes.iter().find(|s| !account.role.allows(s.permission())) {
            return Err(AccountError::ScopeBeyondRole(*s, account.role));
        }
        let secret = random_secret("sonod_");
        let hash = hashed(&secret);
        let info = TokenInfo {
            user: user.into(),
            label: clean_label(label),
            created_at: now,
            expires_at: Some(expires_at),
            last_used_at: None,
            revoked_at: None,
            revoked_by: None,
            scopes: Some(scopes.clone()),
        };
        let view = info.view(&hash);
        let write = AccountWrite {
            tree: self.tokens.clone(),
            key: hash.to_vec(),
            value: Some(json(&info)?),
        };
        let detail = format!(
            "id={} label={} expires={} scopes={}",
            view.id,
            view.label,
            date(expires_at),
            scope_list(&scopes)
        );
        self.commit(ledger, vec![write], (by, "token.add", user, &detail))?;
        Ok(NewToken { secret, view })
    }

    /// Every token, newest first.
    pub fn tokens(&self) -> Result<Vec<TokenView>, StoreError> {
        let mut all = self
            .tokens
            .iter()
            .map(|r| {
                let (k, v) = r?;
                Ok(parse::<TokenInfo>(&v)?.view(&k))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        all.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
        Ok(all)
    }

    fn find_token(&self, id: &str) -> Result<Option<(sled::IVec, TokenInfo)>, StoreError> {
        let id = id.trim().to_ascii_lowercase();
        if id.len() != 16 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        for r in self.tokens.iter() {
            let (k, v) = r?;
            if token_id(&k) == id {
                return Ok(Some((k, parse(&v)?)));
            }
        }
        Ok(None)
    }

    /// Revokes one token by its id; it stops working at once. Returns the token and whether
    /// this call revoked it (false when it was revoked before: nothing is written then).
    pub fn revoke_token(
        &self,
        ledger: &Ledger,
        by: &str,
        id: &str,
        now: i64,
    ) -> Result<(TokenView, bool), AccountError> {
        let _changing = lock(&self.changing);
        let (hash, mut info) = self
            .find_token(id)?
            .ok_or_else(|| AccountError::NoSuchToken(id.chars().take(40).collect()))?;
        if info.revoked_at.is_some() {
            return Ok((info.view(&hash), false));
        }
        info.revoked_at = Some(now);
        info.revoked_by = Some(by.into());
        let view = info.view(&hash);
        let write = AccountWrite {
            tree: self.tokens.clone(),
            key: hash.to_vec(),
            value: Some(json(&info)?),
        };
        let detail = format!("id={} label={}", view.id, view.label);
        self.commit(
            ledger,
            vec![write],
            (by, "token.revoke", &info.user, &detail),
        )?;
        Ok((view, true))
    }

    fn active(&self, name: &str) -> Result<Actor, TokenRefusal> {
        let user = self
            .user(name)
            .ok()
            .flatten()
            .ok_or(TokenRefusal::Unknown)?;
        if user.disabled {
            return Err(TokenRefusal::Disabled);
        }
        Ok(Actor {
            name: user.name,
            role: user.role,
        })
    }

    /// The account a bearer token belongs to, at `now` (Unix seconds). Notes the token's use
    /// in the store at most once every [`LAST_USE_EVERY`] seconds.
    pub fn authenticate_token(&self, token: &str, now: i64) -> Result<Actor, TokenRefusal> {
        self.authenticate_bearer(token, now).map(|g| g.actor)
    }

    /// [`Accounts::authenticate_token`] with what the token may be used for.
    pub fn authenticate_bearer(&self, token: &str, now: i64) -> Result<TokenGrant, TokenRefusal> {
        if token.len() > 200 {
            return Err(TokenRefusal::Unknown);
        }
        let hash = hashed(token);
        let generation = {
            let mut cache = self.token_cache();
            if let Some(c) = cache.entries.get_mut(&hash) {
                if c.at.elapsed() < TOKEN_CACHE_TTL {
                    if now >= c.expires_at {
                        return Err(TokenRefusal::Expired);
                    }
                    let grant = TokenGrant {
                        actor: c.actor.clone(),
                        scopes: c.scopes.clone(),
                    };
                    if now - c.last_used_at >= LAST_USE_EVERY {
                        c.last_used_at = now;
                        drop(cache);
                        self.note_use(&hash, None, now);
                    }
                    return Ok(grant);
                }
            }
            cache.generation
        };
        let stored = self
            .tokens
            .get(hash)
            .ok()
            .flatten()
            .ok_or(TokenRefusal::Unknown)?;
        let info: TokenInfo = parse(&stored).map_err(|_| TokenRefusal::Unknown)?;
        if info.revoked_at.is_some() {
            return Err(TokenRefusal::Revoked);
        }
        if now >= info.expires_at() {
            return Err(TokenRefusal::Expired);
        }
        let actor = self.active(&info.user)?;
        let mut last_used_at = info.last_used_at.unwrap_or(i64::MIN);
        if now.saturating_sub(last_used_at) >= LAST_USE_EVERY {
            self.note_use(&hash, Some((stored, info.clone())), now);
            last_used_at = now;
        }
        let mut cache = self.token_cache();
        if cache.generation == generation {
            if cache.entries.len() >= TOKEN_CACHE_MAX {
                cache.entries.clear();
            }
            cache.entries.insert(
                hash,
                CachedToken {
                    actor: actor.clone(),
                    scopes: info.scopes.clone(),
                    at: Instant::now(),
                    expires_at: info.expires_at(),
                    last_used_at,
                },
            );
        }
        Ok(TokenGrant {
            actor,
            scopes: info.scopes,
        })
    }

    /// Writes a token's last use, unless the stored token changed since it was read (a
    /// revocation wins over a note of use: compare-and-swap, never a blind write). Best
    /// effort: a lost note is written on a later use.
    fn note_use(&self, hash: &[u8; 32], read: Option<(sled::IVec, TokenInfo)>, now: i64) {
        let read = match read {
            Some(r) => Some(r),
            None => self
                .tokens
                .get(hash)
                .ok()
                .flatten()
                .and_then(|v| Some((v.clone(), parse::<TokenInfo>(&v).ok()?))),
        };
        let Some((old, mut info)) = read else {
            return;
        };
        if info.revoked_at.is_some() {
            return;
        }
        info.last_used_at = Some(now);
        if let Ok(new) = json(&info) {
            let _ = self.tokens.compare_and_swap(hash, Some(old), Some(new));
        }
    }

    /// Checks a password, always with exactly one argon2 verification: against the account's
    /// hash, or against [`DUMMY_HASH`] when the name is unknown, has no password or a hash
    /// that cannot be read. Returns the account when the password is right and the account
    /// enabled. Slow on purpose (some 20 ms of CPU and 19 MiB): callers bound how many run at
    /// once (see `signin`).
    pub fn check_password(&self, name: &str, password: &str) -> Option<Actor> {
        let user = self.user(name).ok().flatten();
        let stored = user
            .as_ref()
            .and_then(|u| u.password_hash.as_deref())
            .and_then(|h| PasswordHash::new(h).ok());
        let dummy;
        let (hash, real) = match stored {
            Some(h) => (h, true),
            None => {
                dummy = PasswordHash::new(&DUMMY_HASH).ok()?;
                (dummy, false)
            }
        };
        self.verifications.fetch_add(1, Ordering::Relaxed);
        let matches = argon2().verify_password(password.as_bytes(), &hash).is_ok();
        let user = user?;
        (real && matches && !user.disabled).then_some(Actor {
            name: user.name,
            role: user.role,
        })
    }

    /// How many password verifications (argon2) have run through this [`Accounts`] and its
    /// clones: the same for every sign-in, whether the name exists or not.
    pub fn password_verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }

    /// Opens a session for an account that has just proven its password; returns the
    /// session id for the cookie. The session is half-open ([`SessionStage::NeedCode`], or
    /// [`SessionStage::MustEnrol`] when the account has no second factor yet) and lasts
    /// [`HALF_SESSION_SECONDS`] until the second step makes it full.
    pub fn open_session(&self, actor: &Actor, now: i64) -> Result<String, StoreError> {
        let enrolled = self
            .user(&actor.name)?
            .is_some_and(|u| u.second_factor.is_some());
        let stage = if enrolled {
            SessionStage::NeedCode
        } else {
            SessionStage::MustEnrol
        };
        self.insert_session(&actor.name, stage, now + HALF_SESSION_SECONDS, now)
    }

    /// Opens a full session without a second step: for the command line's and tests' own
    /// use (the web sign-in always goes through [`Accounts::open_session`]).
    pub fn open_full_session(&self, actor: &Actor, now: i64) -> Result<String, StoreError> {
        self.insert_session(&actor.name, SessionStage::Full, now + SESSION_SECONDS, now)
    }

    fn insert_session(
        &self,
        user: &str,
        stage: SessionStage,
        expires_at: i64,
        now: i64,
    ) -> Result<String, StoreError> {
        let id = random_secret("");
        let s = Session {
            user: user.to_owned(),
            expires_at,
            last_seen: Some(now),
            stage,
            pending: None,
        };
        self.sessions.insert(hashed(&id), json(&s)?)?;
        Ok(id)
    }

    /// Checks a password and opens a session; returns the session id for the cookie. Has no
    /// throttle of its own: the service signs in through `signin`, which has.
    pub fn login(&self, name: &str, password: &str, now: i64) -> Option<String> {
        let actor = self.check_password(name, password)?;
        self.open_session(&actor, now).ok()
    }

    /// The account of a live, full session (no idle limit: see [`Accounts::session_view`]).
    pub fn session(&self, id: &str, now: i64) -> Option<Actor> {
        self.session_view(id, now, i64::MAX)
            .filter(|v| v.stage == SessionStage::Full)
            .map(|v| v.actor)
    }

    /// A live session at `now`: not past its expiry, used within the last `idle` seconds
    /// (sliding: each use counts, written at most every [`SESSION_TOUCH_EVERY`] seconds), of
    /// an enabled account. A session found expired or idle is removed.
    pub fn session_view(&self, id: &str, now: i64, idle: i64) -> Option<SessionView> {
        if id.len() > 200 {
            return None;
        }
        let key = hashed(id);
        let stored = self.sessions.get(key).ok()??;
        let mut s: Session = parse(&stored).ok()?;
        let last_seen = s.last_seen.unwrap_or(now);
        if s.expires_at <= now || now.saturating_sub(last_seen) >= idle {
            let _ = self.sessions.remove(key);
            return None;
        }
        let actor = self.active(&s.user).ok()?;
        if now.saturating_sub(last_seen) >= SESSION_TOUCH_EVERY || s.last_seen.is_none() {
            s.last_seen = Some(now);
            if let Ok(new) = json(&s) {
                // A session ended meanwhile stays ended (compare-and-swap, not a blind write).
                let _ = self.sessions.compare_and_swap(key, Some(stored), Some(new));
            }
        }
        Some(SessionView {
            actor,
            stage: s.stage,
        })
    }

    /// Ends a session.
    pub fn logout(&self, id: &str) {
        let _ = self.sessions.remove(hashed(id));
    }

    /// Ends every session of account `name` (its password changed, it was disabled, its
    /// second factor was reset); returns how many.
    pub fn logout_everywhere(&self, name: &str) -> usize {
        let mut ended = 0;
        for (k, v) in self.sessions.iter().flatten() {
            if parse::<Session>(&v).is_ok_and(|s| s.user == name)
                && self.sessions.remove(k).ok().flatten().is_some()
            {
                ended += 1;
            }
        }
        ended
    }

    fn stored_session(&self, id: &str) -> Option<(sled::IVec, Session)> {
        if id.len() > 200 {
            return None;
        }
        let v = self.sessions.get(hashed(id)).ok()??;
        let s = parse(&v).ok()?;
        Some((v, s))
    }

    fn replace_session(&self, id: &str, old: sled::IVec, new: &Session) -> bool {
        json(new).is_ok_and(|n| {
            matches!(
                self.sessions
                    .compare_and_swap(hashed(id), Some(old), Some(n)),
                Ok(Ok(()))
            )
        })
    }

    /// The TOTP secret being enrolled in a session that must enrol: made on first asking and
    /// kept with the session until confirmed, so reloading the page shows the same one.
    pub fn pending_secret(&self, id: &str, now: i64) -> Option<second_factor::PendingSecret> {
        let (old, mut s) = self.stored_session(id)?;
        if s.stage != SessionStage::MustEnrol || s.expires_at <= now {
            return None;
        }
        if let Some(p) = &s.pending {
            return Some(p.clone());
        }
        let p = second_factor::PendingSecret::generate();
        s.pending = Some(p.clone());
        self.replace_session(id, old, &s).then_some(p)
    }

    /// Confirms a session's pending secret with its first code: the account's second factor
    /// is stored (audited, `user.totp.enrol`), the session becomes full, and the ten recovery
    /// codes are returned to be shown once. `None` when the code is wrong or the session is
    /// not enrolling.
    pub fn confirm_enrolment(
        &self,
        ledger: &Ledger,
        id: &str,
        code: &str,
        now: i64,
    ) -> Result<Option<Vec<String>>, AccountError> {
        let Some((old, mut s)) = self.stored_session(id) else {
            return Ok(None);
        };
        let Some(pending) = s.pending.clone() else {
            return Ok(None);
        };
        if s.stage != SessionStage::MustEnrol || s.expires_at <= now {
            return Ok(None);
        }
        let digits = sonod_seal::latin_digits(code).unwrap_or_default();
        let Some(step) = pending.check(&digits, now) else {
            return Ok(None);
        };
        let (factor, codes) = pending.enrol(step, now);
        let name = s.user.clone();
        {
            let _changing = lock(&self.changing);
            let mut user = self
                .user(&name)?
                .ok_or_else(|| AccountError::NoSuchUser(name.clone()))?;
            if user.second_factor.is_some() {
                // Enrolled meanwhile from another session: this one must sign in again.
                return Ok(None);
            }
            user.second_factor = Some(factor);
            let write = self.user_write(&user)?;
            self.commit(ledger, vec![write], (&name, "user.totp.enrol", &name, ""))?;
        }
        s.stage = SessionStage::Full;
        s.pending = None;
        s.expires_at = now + SESSION_SECONDS;
        s.last_seen = Some(now);
        if !self.replace_session(id, old, &s) {
            return Ok(None);
        }
        Ok(Some(codes))
    }

    /// Checks the second step of a sign-in (a TOTP code of a step not used before, or a
    /// recovery code, which is struck off): when right, the session becomes full. The step or
    /// the struck recovery code is stored before the answer; a recovery code's use is
    /// audited (`user.totp.recovery`).
    pub fn verify_code(
        &self,
        ledger: &Ledger,
        id: &str,
        code: &str,
        now: i64,
    ) -> Result<CodeOutcome, AccountError> {
        let Some((old, mut s)) = self.stored_session(id) else {
            return Ok(CodeOutcome::Refused);
        };
        if s.stage != SessionStage::NeedCode || s.expires_at <= now || code.len() > 64 {
            return Ok(CodeOutcome::Refused);
        }
        let name = s.user.clone();
        let recovery_left = {
            let _changing = lock(&self.changing);
            let Some(mut user) = self.user(&name)? else {
                return Ok(CodeOutcome::Refused);
            };
            let Some(factor) = user.second_factor.as_mut() else {
                return Ok(CodeOutcome::Refused);
            };
            let checked = factor.check(code, now);
            let left = factor.recovery_left();
            match checked {
                second_factor::CodeCheck::Totp => {
                    // The step only: not an account change worth an audit entry (the
                    // session's opening is in the sign-in counters), but durable before the
                    // answer so that the same code cannot open a second session.
                    let write = self.user_write(&user)?;
                    self.users
                        .insert(write.key, write.value.unwrap_or_default())
                        .map_err(StoreError::from)?;
                    self.users.flush().map_err(StoreError::from)?;
                    None
                }
                second_factor::CodeCheck::Recovery => {
                    let write = self.user_write(&user)?;
                    self.commit(
                        ledger,
                        vec![write],
                        (&name, "user.totp.recovery", &name, &format!("left={left}")),
                    )?;
                    Some(left)
                }
                second_factor::CodeCheck::Replayed | second_factor::CodeCheck::Wrong => {
                    return Ok(CodeOutcome::Refused)
                }
            }
        };
        s.stage = SessionStage::Full;
        s.expires_at = now + SESSION_SECONDS;
        s.last_seen = Some(now);
        if !self.replace_session(id, old, &s) {
            return Ok(CodeOutcome::Refused);
        }
        Ok(CodeOutcome::Accepted { recovery_left })
    }

    /// Removes an account's second factor (a lost phone): audited (`user.totp.reset`), and
    /// every session of the account ends; at its next sign-in it must enrol again.
    pub fn reset_second_factor(
        &self,
        ledger: &Ledger,
        by: &str,
        name: &str,
    ) -> Result<(), AccountError> {
        self.update(
            ledger,
            name,
            |u| u.second_factor = None,
            (by, "user.totp.reset", ""),
        )?;
        self.logout_everywhere(name);
        Ok(())
    }
}

fn hash_password(password: &str) -> Result<String, AccountError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AccountError::WeakPassword);
    }
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| AccountError::Hash)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::ledger::AuditEntry;

    #[test]
    fn roles_and_token_states_have_their_words_in_both_languages() {
        let bangla = |s: &str| s.chars().any(|c| ('\u{0980}'..='\u{09FF}').contains(&c));
        for role in Role::ALL {
            assert!(bangla(&role.label_bn()), "{role}");
            assert!(!role.label_en().starts_with("role-"), "{role}");
        }
        assert_eq!(Role::Chairman.label_bn(), "মেয়র / চেয়ারম্যান");
        for state in [TokenState::Active, TokenState::Expired, TokenState::Revoked] {
            assert!(bangla(&state.label_bn()), "{}", state.as_str());
        }
    }

    struct Fixture {
        _dir: tempfile::TempDir,
        ledger: Ledger,
        a: Accounts,
    }

    fn accounts() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let a = Accounts::open(&store).unwrap();
        let ledger = Ledger::open(store).unwrap();
        Fixture {
            _dir: dir,
            ledger,
            a,
        }
    }

    fn audit(f: &Fixture) -> Vec<(String, String, String)> {
        f.ledger
            .audit_entries(0, 100)
            .unwrap()
            .into_iter()
            .map(|e: AuditEntry| (e.actor, e.action, e.target))
            .collect()
    }

    const NOW: i64 = 1_800_000_000;
    const DAYS: i64 = 86_400;

    #[test]
    fn roles_allow_what_they_should() {
        assert!(
            Role::Chairman.allows(Permission::Issue) && Role::Councillor.allows(Permission::Revoke)
        );
        assert!(
            !Role::Operator.allows(Permission::Issue) && !Role::Admin.allows(Permission::Issue)
        );
        assert!(
            Role::Admin.allows(Permission::Operate) && !Role::Chairman.allows(Permission::Operate)
        );
        assert!(
            Role::Admin.allows(Permission::ManageAccounts)
                && !Role::Chairman.allows(Permission::ManageAccounts)
        );
        assert_eq!("mayor".parse::<Role>().unwrap(), Role::Chairman);
        assert!(matches!(
            "boss".parse::<Role>(),
            Err(AccountError::UnknownRole(_))
        ));
    }

    #[test]
    fn tokens_are_shown_once_and_stored_hashed() {
        let f = accounts();
        let a = &f.a;
        a.add_user(
            &f.ledger,
            "cli:test",
            "rahim",
            "মোঃ রহিম",
            Role::Chairman,
            None,
            NOW,
        )
        .unwrap();
        let t = a
            .create_token(&f.ledger, "cli:test", "rahim", "bank", NOW + 90 * DAYS, NOW)
            .unwrap();
        assert!(t.secret.starts_with("sonod_") && t.secret.len() > 50);
        assert_eq!(
            a.authenticate_token(&t.secret, NOW),
            Ok(Actor {
                name: "rahim".into(),
                role: Role::Chairman
            })
        );
        assert_eq!(
            a.authenticate_token("sonod_wrong", NOW),
            Err(TokenRefusal::Unknown)
        );
        assert!(a
            .tokens
            .iter()
            .keys()
            .all(|k| k.unwrap().as_ref() != t.secret.as_bytes()));
        // Authenticated twice (the second from the cache), then disabled through a clone (as
        // the server's handlers hold them): the token stops at once.
        assert!(a.authenticate_token(&t.secret, NOW).is_ok());
        a.clone().disable(&f.ledger, "cli:test", "rahim").unwrap();
        assert_eq!(
            a.authenticate_token(&t.secret, NOW),
            Err(TokenRefusal::Disabled)
        );
        assert!(matches!(
            a.create_token(&f.ledger, "cli:test", "nobody", "x", NOW + DAYS, NOW),
            Err(AccountError::NoSuchUser(_))
        ));
    }

    #[test]
    fn token_expiry_is_set_at_creation_and_bounded() {
        let f = accounts();
        let a = &f.a;
        a.add_user(
            &f.ledger,
            "cli:test",
            "rahim",
            "Rahim",
            Role::Chairman,
            None,
            NOW,
        )
        .unwrap();
        for bad in [NOW, NOW - 1, NOW + MAX_TOKEN_DAYS * DAYS + 1] {
            assert!(matches!(
                a.create_token(&f.ledger, "cli:test", "rahim", "x", bad, NOW),
                Err(AccountError::BadExpiry)
            ));
        }
        let t = a
            .create_token(&f.ledger, "cli:test", "rahim", "bank", NOW + 10 * DAYS, NOW)
            .unwrap();
        assert!(a.authenticate_token(&t.secret, NOW + 10 * DAYS - 1).is_ok());
        // Refused at its expiry, also while the cache still holds it.
        assert_eq!(
            a.authenticate_token(&t.secret, NOW + 10 * DAYS),
            Err(TokenRefusal::Expired)
        );
        a.forget_tokens();
        assert_eq!(
            a.authenticate_token(&t.secret, NOW + 10 * DAYS),
            Err(TokenRefusal::Expired)
        );
        assert_eq!(t.view.state(NOW + 10 * DAYS), TokenState::Expired);
    }

    #[test]
    fn a_token_stored_without_an_expiry_expires_90_days_after_its_creation() {
        let f = accounts();
        let a = &f.a;
        a.add_user(
            &f.ledger,
            "cli:test",
            "rahim",
            "Rahim",
            Role::Chairman,
            None,
            NOW,
        )
        .unwrap();
        // As the version before expiries stored it.
        let secret = "sonod_legacy-token-of-the-old-layout";
        a.tokens
            .insert(
                hashed(secret),
                br#"{"user":"rahim","label":"bank","created_at":1800000000}"#.to_vec(),
            )
            .unwrap();
        assert!(a.authenticate_token(secret, NOW + 90 * DAYS - 1).is_ok());
        a.forget_tokens();
        assert_eq!(
            a.authenticate_token(secret, NOW + 90 * DAYS),
            Err(TokenRefusal::Expired)
        );
        let listed = a.tokens().unwrap();
        assert_eq!(listed[0].expires_at, NOW + DEFAULT_TOKEN_DAYS * DAYS);
        assert_eq!(listed[0].label, "bank");
    }

    #[test]
    fn revoking_one_token_stops_it_at_once_and_leaves_the_others() {
        let f = accounts();
        let a = &f.a;
        a.add_user(
            &f.ledger,
            "cli:test",
            "rahim",
            "Rahim",
            Role::Chairman,
            None,
            NOW,
        )
        .unwrap();
        let bank = a
            .create_token(&f.ledger, "cli:test", "rahim", "bank", NOW + DAYS, NOW)
            .unwrap();
        let app = a
            .create_token(&f.ledger, "cli:test", "rahim", "app", NOW + DAYS, NOW)
            .unwrap();
        // Cached first, so the revocation must also empty the cache.
        assert!(a.authenticate_token(&bank.secret, NOW).is_ok());
        let (view, changed) = a
            .revoke_token(&f.ledger, "admin", &bank.view.id.to_uppercase(), NOW + 5)
            .unwrap();
        assert!(changed);
        assert_eq!(view.revoked_at, Some(NOW + 5));
        assert_eq!(view.revoked_by.as_deref(), Some("admin"));
        assert_eq!(
            a.authenticate_token(&bank.secret, NOW + 6),
            Err(TokenRefusal::Revoked)
        );
        assert!(a.authenticate_token(&app.secret, NOW + 6).is_ok());
        // A second revocation changes and records nothing.
        let before = audit(&f).len();
        let (_, changed) = a
            .revoke_token(&f.ledger, "admin", &bank.view.id, NOW + 7)
            .unwrap();
        assert!(!changed);
        assert_eq!(audit(&f).len(), before);
        assert!(matches!(
            a.revoke_token(&f.ledger, "admin", "0123456789abcdef", NOW),
            Err(AccountError::NoSuchToken(_))
        ));
        assert!(matches!(
            a.revoke_token(&f.ledger, "admin", "not an id", NOW),
            Err(AccountError::NoSuchToken(_))
        ));
        let states: Vec<_> = a
            .tokens()
            .unwrap()
            .iter()
            .map(|t| (t.label.clone(), t.state(NOW + 8)))
            .collect();
        assert!(states.contains(&("bank".into(), TokenState::Revoked)));
        assert!(states.contains(&("app".into(), TokenState::Active)));
    }

    #[test]
    fn last_use_is_written_at_most_once_a_minute() {
        let f = accounts();
        let a = &f.a;
        a.add_user(
            &f.ledger,
            "cli:test",
            "rahim",
            "Rahim",
            Role::Chairman,
            None,
            NOW,
        )
        .unwrap();
        let t = a
            .create_token(&f.ledger, "cli:test", "rahim", "bank", NOW + DAYS, NOW)
            .unwrap();
        let last_used = || a.tokens().unwrap()[0].last_used_at;
        assert_eq!(last_used(), None);
        a.authenticate_token(&t.secret, NOW + 100).unwrap();
        assert_eq!(last_used(), Some(NOW + 100));
        // Within the minute: from the cache or from the store, nothing is written.
        a.authenticate_token(&t.secret, NOW + 130).unwrap();
        a.forget_tokens();
        a.authenticate_token(&t.secret, NOW + 159).unwrap();
        assert_eq!(last_used(), Some(NOW + 100));
        // A minute on: written again, from the cache too.
        a.authenticate_token(&t.secret, NOW + 160).unwrap();
        assert_eq!(last_used(), Some(NOW + 160));
        a.authenticate_token(&t.secret, NOW + 225).unwrap();
        assert_eq!(last_used(), Some(NOW + 225));
        // A revoked token's use is refused and not noted.
        a.revoke_token(&f.ledger, "admin", &t.view.id, NOW + 300)
            .unwrap();
        assert!(a.authenticate_token(&t.secret, NOW + 400).is_err());
        assert_eq!(last_used(), Some(NOW + 225));
    }

    #[test]
    fn account_changes_are_audited_with_the_change() {
        let f = accounts();
        let a = &f.a;
        a.add_user(
            &f.ledger,
            "cli:root",
            "rahim",
            "Rahim",
            Role::Chairman,
            None,
            NOW,
        )
        .unwrap();
        let t = a
            .create_token(&f.ledger, "cli:root", "rahim", "bank", NOW + DAYS, NOW)
            .unwrap();
        a.revoke_token(&f.ledger, "admin", &t.view.id, NOW).unwrap();
        a.set_password(&f.ledger, "cli:root", "rahim", "a long enough password")
            .unwrap();
        a.disable(&f.ledger, "cli:root", "rahim").unwrap();
        let entries = f.ledger.audit_entries(0, 100).unwrap();
        let got: Vec<_> = entries
            .iter()
            .map(|e| (e.actor.as_str(), e.action.as_str(), e.target.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("cli:root", "user.add", "rahim"),
                ("cli:root", "token.add", "rahim"),
                ("admin", "token.revoke", "rahim"),
                ("cli:root", "user.passwd", "rahim"),
                ("cli:root", "user.disable", "rahim"),
            ]
        );
        assert!(entries[1].detail.contains(&t.view.id) && entries[1].detail.contains("bank"));
        // The secret never reaches the audit log.
        assert!(entries.iter().all(|e| !e.detail.contains(&t.secret)));
        // A refused change records nothing.
        assert!(a
            .add_user(&f.ledger, "cli:root", "rahim", "R", Role::Admin, None, NOW)
            .is_err());
        assert_eq!(f.ledger.audit_entries(0, 100).unwrap().len(), 5);
    }

    #[test]
    fn passwords_and_sessions() {
        let f = accounts();
        let a = &f.a;
        assert!(matches!(
            a.add_user(
                &f.ledger,
                "t",
                "karim",
                "Karim",
                Role::Operator,
                Some("short"),
                0
            ),
            Err(AccountError::WeakPassword)
        ));
        let u = a
            .add_user(
                &f.ledger,
                "t",
                "karim",
                "Karim",
                Role::Operator,
                Some("correct horse battery"),
                0,
            )
            .unwrap();
        assert!(u
            .password_hash
            .unwrap()
            .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(matches!(
            a.add_user(&f.ledger, "t", "karim", "K", Role::Admin, None, 0),
            Err(AccountError::Exists(_))
        ));
        assert!(matches!(
            a.add_user(&f.ledger, "t", "Bad Name", "K", Role::Admin, None, 0),
            Err(AccountError::BadName)
        ));
        assert_eq!(a.login("karim", "wrong password!", 0), None);
        // The password alone opens a half session: it must enrol, and is no full session.
        let sid = a.login("karim", "correct horse battery", 100).unwrap();
        assert_eq!(a.session(&sid, 200), None);
        assert_eq!(
            a.session_view(&sid, 200, 900).unwrap().stage,
            SessionStage::MustEnrol
        );
        assert_eq!(
            a.session_view(&sid, 100 + HALF_SESSION_SECONDS, i64::MAX),
            None,
            "a half session lasts five minutes"
        );
        let actor = a.check_password("karim", "correct horse battery").unwrap();
        let sid = a.open_full_session(&actor, 100).unwrap();
        assert_eq!(a.session(&sid, 200).unwrap().name, "karim");
        assert_eq!(a.session(&sid, 100 + SESSION_SECONDS), None, "expired");
        let sid = a.open_full_session(&actor, 100).unwrap();
        a.logout(&sid);
        assert_eq!(a.session(&sid, 200), None);
    }

    const PW: &str = "correct horse battery";

    fn official(f: &Fixture, name: &str, role: Role) -> Actor {
        f.a.add_user(&f.ledger, "t", name, name, role, Some(PW), 0)
            .unwrap();
        f.a.check_password(name, PW).unwrap()
    }

    /// Enrols `name` through a half session at `now`; returns the secret and recovery codes.
    fn enrol(f: &Fixture, name: &str, now: i64) -> (String, Vec<String>) {
        let sid = f.a.login(name, PW, now).unwrap();
        let pending = f.a.pending_secret(&sid, now).unwrap();
        // The same secret on a second look (a reloaded page).
        assert_eq!(f.a.pending_secret(&sid, now).unwrap(), pending);
        let secret = pending.text().replace(' ', "");
        assert_eq!(
            f.a.confirm_enrolment(&f.ledger, &sid, "000000x", now)
                .unwrap(),
            None
        );
        let code = second_factor::code_at(&secret, now).unwrap();
        let codes =
            f.a.confirm_enrolment(&f.ledger, &sid, &code, now)
                .unwrap()
                .unwrap();
        assert_eq!(f.a.session(&sid, now + 1).unwrap().name, name);
        (secret, codes)
    }

    #[test]
    fn idle_sessions_expire_and_use_keeps_them_alive() {
        let f = accounts();
        let actor = official(&f, "karim", Role::Operator);
        let idle = 15 * 60;
        let sid = f.a.open_full_session(&actor, NOW).unwrap();
        // Used every ten minutes for an hour: alive (sliding).
        for m in (10..=60).step_by(10) {
            assert!(
                f.a.session_view(&sid, NOW + m * 60, idle).is_some(),
                "{m} min"
            );
        }
        // Then fifteen minutes unused: gone, also for a later look.
        assert_eq!(f.a.session_view(&sid, NOW + 75 * 60, idle), None);
        assert_eq!(f.a.session_view(&sid, NOW + 61 * 60, idle), None);
    }

    #[test]
    fn a_password_change_or_a_disabling_ends_every_session() {
        let f = accounts();
        let actor = official(&f, "karim", Role::Operator);
        let other = official(&f, "rahim", Role::Councillor);
        let (s1, s2) = (
            f.a.open_full_session(&actor, NOW).unwrap(),
            f.a.open_full_session(&actor, NOW).unwrap(),
        );
        let kept = f.a.open_full_session(&other, NOW).unwrap();
        f.a.set_password(&f.ledger, "karim", "karim", "another long password")
            .unwrap();
        assert_eq!(f.a.session(&s1, NOW + 1), None);
        assert_eq!(f.a.session(&s2, NOW + 1), None);
        assert!(f.a.session(&kept, NOW + 1).is_some());
        f.a.disable(&f.ledger, "admin", "rahim").unwrap();
        assert_eq!(f.a.session(&kept, NOW + 1), None);
        assert_eq!(f.a.logout_everywhere("rahim"), 0);
    }

    #[test]
    fn second_factor_enrolment_codes_replay_and_recovery() {
        let f = accounts();
        official(&f, "rahim", Role::Chairman);
        let (secret, codes) = enrol(&f, "rahim", NOW);
        assert_eq!(codes.len(), second_factor::RECOVERY_CODES);
        let stored = f.a.user("rahim").unwrap().unwrap();
        assert!(
            !format!("{stored:?}").contains(&secret),
            "no secret in Debug"
        );
        // Next sign-in: password, then a code of a later step.
        let t = NOW + 60;
        let sid = f.a.login("rahim", PW, t).unwrap();
        assert_eq!(
            f.a.session_view(&sid, t, 900).unwrap().stage,
            SessionStage::NeedCode
        );
        assert_eq!(
            f.a.verify_code(&f.ledger, &sid, "123", t).unwrap(),
            CodeOutcome::Refused
        );
        let code = second_factor::code_at(&secret, t).unwrap();
        assert_eq!(
            f.a.verify_code(&f.ledger, &sid, &code, t).unwrap(),
            CodeOutcome::Accepted {
                recovery_left: None
            }
        );
        assert!(f.a.session(&sid, t + 1).is_some());
        // The same code again, in another session: refused (replay).
        let sid2 = f.a.login("rahim", PW, t + 5).unwrap();
        assert_eq!(
            f.a.verify_code(&f.ledger, &sid2, &code, t + 5).unwrap(),
            CodeOutcome::Refused
        );
        assert_eq!(f.a.session(&sid2, t + 6), None);
        // A recovery code: works once.
        assert_eq!(
            f.a.verify_code(&f.ledger, &sid2, &codes[0], t + 6).unwrap(),
            CodeOutcome::Accepted {
                recovery_left: Some(9)
            }
        );
        let sid3 = f.a.login("rahim", PW, t + 7).unwrap();
        assert_eq!(
            f.a.verify_code(&f.ledger, &sid3, &codes[0], t + 7).unwrap(),
            CodeOutcome::Refused
        );
        // A reset (audited) ends the sessions; the next sign-in must enrol again.
        f.a.reset_second_factor(&f.ledger, "admin", "rahim")
            .unwrap();
        assert_eq!(f.a.session(&sid, t + 8), None);
        let sid4 = f.a.login("rahim", PW, t + 9).unwrap();
        assert_eq!(
            f.a.session_view(&sid4, t + 9, 900).unwrap().stage,
            SessionStage::MustEnrol
        );
        let actions: Vec<_> = audit(&f).into_iter().map(|(_, a, _)| a).collect();
        for want in ["user.totp.enrol", "user.totp.recovery", "user.totp.reset"] {
            assert!(actions.iter().any(|a| a == want), "{want}: {actions:?}");
        }
        // No secret or code in the audit log.
        for e in f.ledger.audit_entries(0, 100).unwrap() {
            assert!(!e.detail.contains(&secret) && !e.detail.contains(&codes[0]));
        }
    }

    #[test]
    fn tokens_carry_their_scopes_and_never_more_than_the_role() {
        let f = accounts();
        official(&f, "karim", Role::Operator);
        official(&f, "rahim", Role::Chairman);
        assert!(matches!(
            f.a.create_scoped_token(
                &f.ledger,
                "t",
                "karim",
                "x",
                Some(&[Scope::Issue]),
                NOW + DAYS,
                NOW
            ),
            Err(AccountError::ScopeBeyondRole(Scope::Issue, Role::Operator))
        ));
        let t =
            f.a.create_scoped_token(
                &f.ledger,
                "t",
                "rahim",
                "bank",
                Some(&[Scope::Print]),
                NOW + DAYS,
                NOW,
            )
            .unwrap();
        let g = f.a.authenticate_bearer(&t.secret, NOW).unwrap();
        assert!(g.allows(Permission::Print) && !g.allows(Permission::Issue));
        // From the cache too.
        let g = f.a.authenticate_bearer(&t.secret, NOW).unwrap();
        assert!(!g.allows(Permission::Revoke));
        // No scopes named: every action of the role, stored as such.
        let all =
            f.a.create_token(&f.ledger, "t", "rahim", "app", NOW + DAYS, NOW)
                .unwrap();
        assert_eq!(
            all.view.scopes.as_deref(),
            Some(&[Scope::Issue, Scope::Revoke, Scope::Print, Scope::Audit][..])
        );
        assert_eq!("read".parse::<Scope>().unwrap(), Scope::Print);
        assert!("everything".parse::<Scope>().is_err());
        let entries = f.ledger.audit_entries(0, 100).unwrap();
        assert!(entries.iter().any(|e| e.detail.contains("scopes=print")));
    }

    #[test]
    fn every_password_check_runs_one_argon2_verification_with_the_same_parameters() {
        let f = accounts();
        let a = &f.a;
        a.add_user(
            &f.ledger,
            "t",
            "karim",
            "Karim",
            Role::Operator,
            Some("correct horse battery"),
            0,
        )
        .unwrap();
        a.add_user(
            &f.ledger,
            "t",
            "nopass",
            "No password",
            Role::Operator,
            None,
            0,
        )
        .unwrap();
        a.add_user(
            &f.ledger,
            "t",
            "gone",
            "Disabled",
            Role::Operator,
            Some("correct horse battery"),
            0,
        )
        .unwrap();
        a.disable(&f.ledger, "t", "gone").unwrap();
        let cases = [
            ("karim", "correct horse battery", true),
            ("karim", "wrong password!", false),
            ("nobody", "correct horse battery", false),
            ("nopass", "correct horse battery", false),
            ("gone", "correct horse battery", false),
            ("", "", false),
        ];
        for (name, password, ok) in cases {
            let before = a.password_verifications();
            assert_eq!(a.check_password(name, password).is_some(), ok, "{name}");
            assert_eq!(a.password_verifications(), before + 1, "{name}");
        }
        // The dummy hash costs what a real one does.
        let real = a.user("karim").unwrap().unwrap().password_hash.unwrap();
        let params = |h: &str| {
            let p = PasswordHash::new(h).unwrap();
            (p.algorithm.to_string(), p.version, p.params.to_string())
        };
        assert_eq!(params(&DUMMY_HASH), params(&real));
        assert_eq!(
            params(&real).2,
            format!("m={ARGON2_M_COST_KIB},t={ARGON2_T_COST},p=1")
        );
    }
}
