//! Officials' accounts: roles, API tokens, passwords and web sessions. No shared logins:
//! every write is attributed to the account that made it.
//!
//! API tokens are 32 random bytes shown once and stored only as their SHA-256 (a token is
//! high-entropy, so a fast hash is enough); passwords are stored as argon2id PHC strings;
//! session ids are random and stored hashed, with an expiry.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::store::{Store, StoreError};

/// How long a web session lasts, in seconds.
pub const SESSION_SECONDS: i64 = 12 * 3600;
/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

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
            Role::Admin => matches!(p, Print | ReadAudit | Operate),
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

    /// The Bangla name.
    pub fn label_bn(self) -> &'static str {
        match self {
            Role::Admin => "প্রশাসক",
            Role::Chairman => "মেয়র / চেয়ারম্যান",
            Role::Councillor => "কাউন্সিলর / সদস্য",
            Role::Operator => "অপারেটর",
        }
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
}

#[derive(Debug, Serialize, Deserialize)]
struct TokenInfo {
    user: String,
    label: String,
    created_at: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct Session {
    user: String,
    expires_at: i64,
}

/// Why an account operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AccountError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Not a role.
    #[error("অজানা ভূমিকা {0:?} (admin, chairman, councillor, operator) / unknown role {0:?}")]
    UnknownRole(String),
    /// A name outside the allowed form.
    #[error("নাম ৩–৩২ অক্ষরের a–z, 0–9, . _ - হতে হবে / account names are 3–32 of a–z 0–9 . _ -")]
    BadName,
    /// The account exists already.
    #[error("এই নামে অ্যাকাউন্ট আছে / account {0:?} already exists")]
    Exists(String),
    /// No such account.
    #[error("অ্যাকাউন্ট নেই / no account {0:?}")]
    NoSuchUser(String),
    /// The password is too short.
    #[error("পাসওয়ার্ড অন্তত {MIN_PASSWORD_CHARS} অক্ষরের হতে হবে / password must have at least {MIN_PASSWORD_CHARS} characters")]
    WeakPassword,
    /// Password hashing failed.
    #[error("পাসওয়ার্ড হ্যাশ করা যায়নি / password hashing failed")]
    Hash,
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

fn valid_name(n: &str) -> bool {
    (3..=32).contains(&n.len())
        && n.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

/// How long a token's account is remembered without looking at the store again.
const TOKEN_CACHE_TTL: Duration = Duration::from_secs(10);
/// At most this many tokens are remembered (the cache is emptied when full).
const TOKEN_CACHE_MAX: usize = 1024;

/// Tokens authenticated lately, by hash: every API request carries a token, and reading sled on
/// the request path stalls the runtime thread while the committer applies a batch (sled's
/// batches hold a process-wide write lock that every read waits for). Emptied whenever an
/// account changes through this [`Accounts`] (or a clone), so a disabled account's tokens stop
/// at once; entries also expire after [`TOKEN_CACHE_TTL`]. Only successes are kept, so
/// guessing tokens cannot fill it.
#[derive(Default)]
struct TokenCache(HashMap<[u8; 32], (Actor, Instant)>);

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Token hashes stay out of debug output.
        write!(f, "TokenCache({} tokens)", self.0.len())
    }
}

/// The accounts of one office. Writes become durable at the ledger's next barrier; callers
/// record an audit entry through the ledger, which waits for it.
#[derive(Debug, Clone)]
pub struct Accounts {
    users: sled::Tree,
    tokens: sled::Tree,
    sessions: sled::Tree,
    token_cache: Arc<Mutex<TokenCache>>,
}

impl Accounts {
    /// Opens the account trees of a store.
    pub fn open(store: &Store) -> Result<Accounts, StoreError> {
        Ok(Accounts {
            users: store.tree("users")?,
            tokens: store.tree("tokens")?,
            sessions: store.tree("sessions")?,
            token_cache: Arc::default(),
        })
    }

    /// Creates an account; with a password it may also log in to the web pages.
    pub fn add_user(
        &self,
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
        };
        let r = self
            .users
            .compare_and_swap(name.as_bytes(), None as Option<&[u8]>, Some(json(&user)?))
            .map_err(StoreError::from)?;
        if r.is_err() {
            return Err(AccountError::Exists(name.into()));
        }
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

    fn update(&self, name: &str, f: impl Fn(&mut User)) -> Result<User, AccountError> {
        let mut user = self
            .user(name)?
            .ok_or_else(|| AccountError::NoSuchUser(name.into()))?;
        f(&mut user);
        self.users
            .insert(name.as_bytes(), json(&user)?)
            .map_err(StoreError::from)?;
        self.forget_tokens();
        Ok(user)
    }

    fn token_cache(&self) -> std::sync::MutexGuard<'_, TokenCache> {
        self.token_cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Empties the token cache: an account changed.
    fn forget_tokens(&self) {
        self.token_cache().0.clear();
    }

    /// Sets a new password.
    pub fn set_password(&self, name: &str, password: &str) -> Result<(), AccountError> {
        let hash = hash_password(password)?;
        self.update(name, |u| u.password_hash = Some(hash.clone()))?;
        Ok(())
    }

    /// Disables an account; its tokens and sessions stop working at once.
    pub fn disable(&self, name: &str) -> Result<(), AccountError> {
        self.update(name, |u| u.disabled = true)?;
        Ok(())
    }

    /// Creates an API token for an account and returns it; only its hash is kept, so it is
    /// shown this once.
    pub fn issue_token(&self, name: &str, label: &str, now: i64) -> Result<String, AccountError> {
        if self.user(name)?.is_none() {
            return Err(AccountError::NoSuchUser(name.into()));
        }
        let token = random_secret("sonod_");
        let info = TokenInfo {
            user: name.into(),
            label: label.chars().take(100).collect(),
            created_at: now,
        };
        self.tokens
            .insert(hashed(&token), json(&info)?)
            .map_err(StoreError::from)?;
        Ok(token)
    }

    fn active(&self, name: &str) -> Option<Actor> {
        let user = self.user(name).ok()??;
        (!user.disabled).then_some(Actor {
            name: user.name,
            role: user.role,
        })
    }

    /// The account a bearer token belongs to.
    pub fn authenticate_token(&self, token: &str) -> Option<Actor> {
        if token.len() > 200 {
            return None;
        }
        let hash = hashed(token);
        if let Some((actor, at)) = self.token_cache().0.get(&hash) {
            if at.elapsed() < TOKEN_CACHE_TTL {
                return Some(actor.clone());
            }
        }
        let info: TokenInfo = parse(&self.tokens.get(hash).ok()??).ok()?;
        let actor = self.active(&info.user)?;
        let mut cache = self.token_cache();
        if cache.0.len() >= TOKEN_CACHE_MAX {
            cache.0.clear();
        }
        cache.0.insert(hash, (actor.clone(), Instant::now()));
        Some(actor)
    }

    /// Checks a password and opens a session; returns the session id for the cookie.
    pub fn login(&self, name: &str, password: &str, now: i64) -> Option<String> {
        let user = self.user(name).ok()??;
        let hash = user.password_hash.as_deref()?;
        let parsed = PasswordHash::new(hash).ok()?;
        if user.disabled
            || Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_err()
        {
            return None;
        }
        let id = random_secret("");
        let s = Session {
            user: user.name,
            expires_at: now + SESSION_SECONDS,
        };
        self.sessions.insert(hashed(&id), json(&s).ok()?).ok()?;
        Some(id)
    }

    /// The account of a live session.
    pub fn session(&self, id: &str, now: i64) -> Option<Actor> {
        if id.len() > 200 {
            return None;
        }
        let s: Session = parse(&self.sessions.get(hashed(id)).ok()??).ok()?;
        if s.expires_at <= now {
            let _ = self.sessions.remove(hashed(id));
            return None;
        }
        self.active(&s.user)
    }

    /// Ends a session.
    pub fn logout(&self, id: &str) {
        let _ = self.sessions.remove(hashed(id));
    }
}

fn hash_password(password: &str) -> Result<String, AccountError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AccountError::WeakPassword);
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| AccountError::Hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accounts() -> (tempfile::TempDir, Accounts) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        (dir, Accounts::open(&store).unwrap())
    }

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
        assert_eq!("mayor".parse::<Role>().unwrap(), Role::Chairman);
        assert!(matches!(
            "boss".parse::<Role>(),
            Err(AccountError::UnknownRole(_))
        ));
    }

    #[test]
    fn tokens_are_shown_once_and_stored_hashed() {
        let (_d, a) = accounts();
        a.add_user("rahim", "মোঃ রহিম", Role::Chairman, None, 0)
            .unwrap();
        let t = a.issue_token("rahim", "bank", 0).unwrap();
        assert!(t.starts_with("sonod_") && t.len() > 50);
        assert_eq!(
            a.authenticate_token(&t),
            Some(Actor {
                name: "rahim".into(),
                role: Role::Chairman
            })
        );
        assert_eq!(a.authenticate_token("sonod_wrong"), None);
        assert!(a
            .tokens
            .iter()
            .keys()
            .all(|k| k.unwrap().as_ref() != t.as_bytes()));
        // Authenticated twice (the second from the cache), then disabled through a clone (as
        // the server's handlers hold them): the token stops at once.
        assert!(a.authenticate_token(&t).is_some());
        a.clone().disable("rahim").unwrap();
        assert_eq!(a.authenticate_token(&t), None);
        assert!(matches!(
            a.issue_token("nobody", "x", 0),
            Err(AccountError::NoSuchUser(_))
        ));
    }

    #[test]
    fn passwords_and_sessions() {
        let (_d, a) = accounts();
        assert!(matches!(
            a.add_user("karim", "Karim", Role::Operator, Some("short"), 0),
            Err(AccountError::WeakPassword)
        ));
        let u = a
            .add_user(
                "karim",
                "Karim",
                Role::Operator,
                Some("correct horse battery"),
                0,
            )
            .unwrap();
        assert!(u.password_hash.unwrap().starts_with("$argon2id$"));
        assert!(matches!(
            a.add_user("karim", "K", Role::Admin, None, 0),
            Err(AccountError::Exists(_))
        ));
        assert!(matches!(
            a.add_user("Bad Name", "K", Role::Admin, None, 0),
            Err(AccountError::BadName)
        ));
        assert_eq!(a.login("karim", "wrong password!", 0), None);
        let sid = a.login("karim", "correct horse battery", 100).unwrap();
        assert_eq!(a.session(&sid, 200).unwrap().name, "karim");
        assert_eq!(a.session(&sid, 100 + SESSION_SECONDS), None, "expired");
        let sid = a.login("karim", "correct horse battery", 100).unwrap();
        a.logout(&sid);
        assert_eq!(a.session(&sid, 200), None);
    }
}
