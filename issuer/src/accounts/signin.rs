//! Signing in to the web pages under attack: throttled, the same work for every name, and
//! password hashing bounded in concurrency and memory.
//!
//! A sign-in goes through three gates, each answering at once when closed:
//!
//! 1. **Admission**: at most `concurrent + queued` sign-ins are in progress; one more is
//!    answered [`SignInError::Busy`] (503 with `Retry-After`) without queueing, so a flood
//!    costs neither memory nor threads.
//! 2. **Throttle** ([`crate::accounts::throttle`]): growing delays per account name and per client
//!    address; a name or address that must wait is answered [`SignInError::Throttled`]
//!    (429 with `Retry-After`) without hashing.
//! 3. **Hashing**: at most `concurrent` argon2 verifications run at once, on blocking threads,
//!    each holding its permit until it ends (also when the client has gone away), so peak
//!    memory for hashing is `concurrent × 19 MiB` (see [`crate::accounts::ARGON2_M_COST_KIB`])
//!    whatever the number of clients.
//!
//! The second step ([`SignIn::second_step`]: a TOTP or recovery code) is throttled the same
//! way in tables of its own, forgiven only by a right code: someone who has the password
//! cannot start the count of wrong codes afresh by signing in with it again, and an official
//! who mistyped the password does not wait again at the code.
//!
//! Every admitted sign-in runs exactly one verification, against a dummy hash when the name
//! is unknown ([`Accounts::check_password`]), so neither the time nor the answer tells which
//! names exist. When a name or an address reaches its delays, the audit log says so once
//! (`login.throttled`, written before the failure that starts them is answered), not once
//! per refused attempt: refusals cost no disk, so a flood cannot fill it.

use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use crate::accounts::throttle::{Throttle, ThrottlePolicy};
use crate::accounts::{warm_up_password_checks, Accounts};
use crate::storage::ledger::Ledger;

/// How much sign-in work the service takes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInLimits {
    /// Password verifications running at once (each holds 19 MiB for some 20 ms of CPU).
    pub concurrent: usize,
    /// Sign-ins waiting for a verification slot; beyond them, [`SignInError::Busy`].
    pub queued: usize,
    /// Delays per account name.
    pub account: ThrottlePolicy,
    /// Delays per client address.
    pub address: ThrottlePolicy,
}

impl Default for SignInLimits {
    /// Half the cores verify (at least one), so that the rest keep serving every other
    /// request during a flood; eight sign-ins per slot may wait (an office has a few dozen
    /// officials, who rarely sign in at the same second).
    fn default() -> SignInLimits {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let concurrent = (cores / 2).max(1);
        SignInLimits {
            concurrent,
            queued: 8 * concurrent,
            account: ThrottlePolicy::ACCOUNT,
            address: ThrottlePolicy::ADDRESS,
        }
    }
}

/// Why a sign-in did not open a session.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignInError {
    /// Wrong name or password, or a disabled account (not told apart).
    #[error("{}", crate::l10n::both("sign-in-wrong", &[]))]
    Wrong,
    /// Too many attempts on this name or from this address: wait.
    #[error("{}", crate::l10n::both("sign-in-throttled", &[("retry_after", &format!("{}", .retry_after))]))]
    Throttled {
        /// Seconds to wait.
        retry_after: u64,
    },
    /// Too many sign-ins in progress.
    #[error("{}", crate::l10n::both("sign-in-busy", &[("retry_after", &format!("{}", .retry_after))]))]
    Busy {
        /// Seconds to wait.
        retry_after: u64,
    },
    /// A second-factor code that is wrong, already used, or for a session that does not
    /// wait for one.
    #[error("{}", crate::l10n::both("sign-in-wrong-code", &[]))]
    WrongCode,
    /// The store failed, or the verification could not run.
    #[error("{}", crate::l10n::both("sign-in-internal", &[]))]
    Internal,
}

/// Counts since start, for metrics and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SignInStats {
    /// Sign-ins that opened a session.
    pub succeeded: u64,
    /// Sign-ins refused as wrong.
    pub wrong: u64,
    /// Sign-ins refused for a delay.
    pub throttled: u64,
    /// Sign-ins refused as too many at once.
    pub busy: u64,
}

#[derive(Debug, Default)]
struct Counters {
    succeeded: AtomicU64,
    wrong: AtomicU64,
    throttled: AtomicU64,
    busy: AtomicU64,
}

/// The service's sign-in gates; one per service, shared by its handlers.
#[derive(Debug)]
pub struct SignIn {
    limits: SignInLimits,
    throttle: Mutex<Throttle>,
    /// The second step's counts (codes), apart from the passwords'.
    code_throttle: Mutex<Throttle>,
    /// `concurrent + queued` permits: held from admission to the end.
    admission: Arc<Semaphore>,
    /// `concurrent` permits: held while a verification runs.
    hashing: Arc<Semaphore>,
    counters: Counters,
}

fn secs_up(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

impl SignIn {
    /// Gates with these limits (at least one verification at a time).
    pub fn new(limits: SignInLimits) -> SignIn {
        warm_up_password_checks();
        let concurrent = limits.concurrent.max(1);
        SignIn {
            limits,
            throttle: Mutex::new(Throttle::new(limits.account, limits.address)),
            code_throttle: Mutex::new(Throttle::new(limits.account, limits.address)),
            admission: Arc::new(Semaphore::new(concurrent + limits.queued)),
            hashing: Arc::new(Semaphore::new(concurrent)),
            counters: Counters::default(),
        }
    }

    /// The limits.
    pub fn limits(&self) -> SignInLimits {
        self.limits
    }

    /// Counts since start.
    pub fn stats(&self) -> SignInStats {
        let c = &self.counters;
        SignInStats {
            succeeded: c.succeeded.load(Ordering::Relaxed),
            wrong: c.wrong.load(Ordering::Relaxed),
            throttled: c.throttled.load(Ordering::Relaxed),
            busy: c.busy.load(Ordering::Relaxed),
        }
    }

    fn throttle(&self) -> std::sync::MutexGuard<'_, Throttle> {
        self.throttle.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn code_throttle(&self) -> std::sync::MutexGuard<'_, Throttle> {
        self.code_throttle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Checks `password` for account `name` from `address` and, when right, opens a session;
    /// returns its id. See the module documentation for the order of the gates.
    pub async fn sign_in(
        &self,
        accounts: &Accounts,
        ledger: &Ledger,
        name: &str,
        password: &str,
        address: Option<IpAddr>,
        now: i64,
    ) -> Result<String, SignInError> {
        let Ok(admitted) = Arc::clone(&self.admission).try_acquire_owned() else {
            self.counters.busy.fetch_add(1, Ordering::Relaxed);
            return Err(SignInError::Busy { retry_after: 1 });
        };
        let counted = self.throttle().admit(name, address, Instant::now());
        let counted = match counted {
            Ok(c) => c,
            Err(wait) => {
                self.counters.throttled.fetch_add(1, Ordering::Relaxed);
                return Err(SignInError::Throttled {
                    retry_after: secs_up(wait).max(1),
                });
            }
        };
        let hashing = Arc::clone(&self.hashing)
            .acquire_owned()
            .await
            .map_err(|_| SignInError::Internal)?;
        let (accounts_c, name_c, password_c) =
            (accounts.clone(), name.to_owned(), password.to_owned());
        // The permits move into the blocking task: they are released when the verification
        // ends, not when a client that went away drops this future.
        let checked = tokio::task::spawn_blocking(move || {
            let r = accounts_c.check_password(&name_c, &password_c);
            drop((hashing, admitted));
            r
        })
        .await
        .map_err(|_| SignInError::Internal)?;
        match checked {
            Some(actor) => {
                self.throttle().succeeded(name, address);
                let id = accounts
                    .open_session(&actor, now)
                    .map_err(|_| SignInError::Internal)?;
                self.counters.succeeded.fetch_add(1, Ordering::Relaxed);
                Ok(id)
            }
            None => {
                self.counters.wrong.fetch_add(1, Ordering::Relaxed);
                self.audit_if_delays_begin(ledger, name, address, counted)
                    .await;
                Err(SignInError::Wrong)
            }
        }
    }

    /// The second step of a sign-in of account `name`: `verify` checks the TOTP or recovery
    /// code against the half-open session (on a blocking thread; e.g. a call of
    /// [`Accounts::verify_code`]). Throttled with the same counts per name and per address as the
    /// password (a wrong code is a failed attempt; a right one forgives), so six digits
    /// cannot be guessed faster than a password.
    pub async fn second_step(
        &self,
        ledger: &Ledger,
        name: &str,
        address: Option<IpAddr>,
        verify: impl FnOnce() -> Result<crate::accounts::CodeOutcome, crate::accounts::AccountError>
            + Send
            + 'static,
    ) -> Result<crate::accounts::CodeOutcome, SignInError> {
        let counted = match self.code_throttle().admit(name, address, Instant::now()) {
            Ok(c) => c,
            Err(wait) => {
                self.counters.throttled.fetch_add(1, Ordering::Relaxed);
                return Err(SignInError::Throttled {
                    retry_after: secs_up(wait).max(1),
                });
            }
        };
        let outcome = tokio::task::spawn_blocking(verify)
            .await
            .map_err(|_| SignInError::Internal)?
            .map_err(|_| SignInError::Internal)?;
        match outcome {
            crate::accounts::CodeOutcome::Accepted { .. } => {
                self.code_throttle().succeeded(name, address);
                self.counters.succeeded.fetch_add(1, Ordering::Relaxed);
                Ok(outcome)
            }
            crate::accounts::CodeOutcome::Refused => {
                self.counters.wrong.fetch_add(1, Ordering::Relaxed);
                self.audit_if_delays_begin(ledger, name, address, counted)
                    .await;
                Err(SignInError::WrongCode)
            }
        }
    }

    /// Records in the audit log that a name or an address has reached its delays: once, at
    /// the failure that starts them, durably before that failure is answered (a wait for
    /// the next group commit, shared with every other write).
    async fn audit_if_delays_begin(
        &self,
        ledger: &Ledger,
        name: &str,
        address: Option<IpAddr>,
        counted: crate::accounts::throttle::Counted,
    ) {
        let (account, by_address) = (self.limits.account, self.limits.address);
        // A name is recorded only in the form an account name can have (attacker-chosen
        // text of any other shape stays out of the log).
        let target = if crate::accounts::valid_name(name) {
            name
        } else {
            "-"
        };
        let mut entries = Vec::new();
        if counted.account == account.free {
            entries.push(format!(
                "by=account attempts={} wait={}s",
                counted.account,
                account.delay(counted.account).as_secs()
            ));
        }
        if let (Some(a), true) = (address, counted.address == by_address.free) {
            entries.push(format!(
                "by=address address={a} attempts={} wait={}s",
                counted.address,
                by_address.delay(counted.address).as_secs()
            ));
        }
        for detail in entries {
            if let Err(e) = ledger
                .audit("sign-in", "login.throttled", target, &detail)
                .await
            {
                tracing::error!(error = %e, "cannot record a throttled sign-in");
            }
        }
    }
}
