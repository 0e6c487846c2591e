//! Officials' second factor: a TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps, one step
//! of clock skew either way, as every authenticator app reads an `otpauth://` URL) and ten
//! one-time recovery codes.
//!
//! The TOTP secret (20 random bytes, RFC 4226's length) is kept in the account's record in
//! the users tree; it is never written to the audit log, never logged, and kept out of every
//! `Debug` output. A code is accepted once: the time step it matched is stored, and a code of
//! that step or an earlier one is refused (a code seen over someone's shoulder, or replayed
//! from a captured request, does not open a second session). Recovery codes are shown once,
//! when the factor is enrolled, and kept only as their SHA-256 (each has 50 random bits, so a
//! fast hash is enough when guesses are throttled); each works once.

use std::fmt;

use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Builder, Totp};

/// How many recovery codes an enrolment gives.
pub const RECOVERY_CODES: usize = 10;
/// Seconds a TOTP code lasts.
pub const STEP_SECONDS: u64 = 30;
/// Bytes of a TOTP secret (160 bits, as RFC 4226 recommends).
const SECRET_BYTES: usize = 20;

/// An account's enrolled second factor, as stored.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondFactor {
    /// The TOTP secret, Base32 without padding.
    secret: String,
    /// When it was enrolled, Unix seconds.
    pub enrolled_at: i64,
    /// The last time step a code was accepted for: codes of this step or earlier are refused.
    #[serde(default)]
    last_step: u64,
    /// SHA-256 (hex) of each recovery code not yet used.
    #[serde(default)]
    recovery: Vec<String>,
}

impl fmt::Debug for SecondFactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the secret, never the hashes.
        f.debug_struct("SecondFactor")
            .field("enrolled_at", &self.enrolled_at)
            .field("recovery_codes_left", &self.recovery.len())
            .finish_non_exhaustive()
    }
}

/// A secret being enrolled, before its first code confirms it: shown to the official as a QR
/// code and as text, kept with their half-open session.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSecret(String);

impl fmt::Debug for PendingSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PendingSecret(..)")
    }
}

impl PendingSecret {
    /// A fresh random secret.
    pub fn generate() -> PendingSecret {
        let mut b = [0u8; SECRET_BYTES];
        OsRng.fill_bytes(&mut b);
        PendingSecret(data_encoding::BASE32_NOPAD.encode(&b))
    }

    /// The secret as the official types it into an app that cannot scan (Base32, in groups
    /// of four).
    pub fn text(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The `otpauth://totp/…` URL an authenticator app reads from the QR code: the office as
    /// issuer, the account name as label.
    pub fn otpauth_url(&self, issuer: &str, account: &str) -> String {
        // The label and issuer may not hold a ':' (RFC of the URL format).
        let clean = |s: &str| s.replace(':', " ");
        totp(&self.0, Some(&clean(issuer)), &clean(account))
            .and_then(|t| t.to_url().ok())
            .unwrap_or_default()
    }

    /// The time step `code` matches at `now`, if it does.
    pub fn check(&self, code: &str, now: i64) -> Option<u64> {
        check(&self.0, code, now)
    }

    /// The enrolled factor, with the step of its confirming code, and the recovery codes to
    /// show once.
    pub fn enrol(self, step: u64, now: i64) -> (SecondFactor, Vec<String>) {
        let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| recovery_code()).collect();
        let factor = SecondFactor {
            secret: self.0,
            enrolled_at: now,
            last_step: step,
            recovery: codes.iter().map(|c| recovery_hash(c)).collect(),
        };
        (factor, codes)
    }
}

/// What a code did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    /// A TOTP code of a new step.
    Totp,
    /// One of the recovery codes (now used up).
    Recovery,
    /// A TOTP code whose step was used already.
    Replayed,
    /// Not a code of this account.
    Wrong,
}

impl SecondFactor {
    /// Checks a TOTP code or a recovery code at `now`; on success, records the step (or
    /// strikes the recovery code) in `self`, which the caller then stores.
    pub fn check(&mut self, code: &str, now: i64) -> CodeCheck {
        let compact: String = code
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        let digits = sonod_seal::latin_digits(&compact).ok();
        if let Some(digits) = digits.filter(|d| d.len() == 6) {
            return match check(&self.secret, &digits, now) {
                Some(step) if step > self.last_step => {
                    self.last_step = step;
                    CodeCheck::Totp
                }
                Some(_) => CodeCheck::Replayed,
                None => CodeCheck::Wrong,
            };
        }
        let hash = recovery_hash(&compact);
        match self.recovery.iter().position(|h| *h == hash) {
            Some(i) => {
                self.recovery.remove(i);
                CodeCheck::Recovery
            }
            None => CodeCheck::Wrong,
        }
    }

    /// Recovery codes not yet used.
    pub fn recovery_left(&self) -> usize {
        self.recovery.len()
    }
}

fn totp(secret_b32: &str, issuer: Option<&str>, account: &str) -> Option<Totp> {
    let bytes = data_encoding::BASE32_NOPAD
        .decode(secret_b32.as_bytes())
        .ok()?;
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(STEP_SECONDS)
        .with_secret(bytes)
        .with_issuer(issuer)
        .with_account_name(account)
        .build()
        .ok()
}

fn check(secret_b32: &str, code: &str, now: i64) -> Option<u64> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = u64::try_from(now).ok()?;
    totp(secret_b32, None, "")?.check(code, now)
}

/// A recovery code: ten characters of Base32 (50 bits) in two groups, `abcde-fghij`; letters
/// and digits only, so a code never reads as a TOTP code.
fn recovery_code() -> String {
    let mut b = [0u8; 10];
    OsRng.fill_bytes(&mut b);
    let s = data_encoding::BASE32_NOPAD.encode(&b).to_ascii_lowercase();
    let s: String = s.chars().take(10).collect();
    if s.chars().all(|c| c.is_ascii_digit()) {
        // 32^-10 odds; never a code of six digits' look.
        return recovery_code();
    }
    format!("{}-{}", &s[..5], &s[5..])
}

/// The stored form of a recovery code, as typed (case and hyphen do not matter).
fn recovery_hash(code: &str) -> String {
    let canon: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    data_encoding::HEXLOWER.encode(&Sha256::digest(canon.as_bytes()))
}

/// The code an authenticator app shows at `now` for the secret of an otpauth URL's
/// `secret=` (Base32): for tests and the command line's checks.
pub fn code_at(secret_b32: &str, now: i64) -> Option<String> {
    let secret: String = secret_b32.chars().filter(|c| !c.is_whitespace()).collect();
    Some(
        totp(&secret, None, "")?
            .generate(u64::try_from(now).ok()?)
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000;

    #[test]
    fn a_code_works_once_and_a_recovery_code_once() {
        let pending = PendingSecret::generate();
        let secret = pending.0.clone();
        let code = code_at(&secret, NOW).unwrap();
        let step = pending.check(&code, NOW).unwrap();
        assert_eq!(step, NOW as u64 / STEP_SECONDS);
        let (mut f, codes) = pending.enrol(step, NOW);
        assert_eq!(codes.len(), RECOVERY_CODES);
        // The confirming code is spent; so is an earlier step's.
        assert_eq!(f.check(&code, NOW + 1), CodeCheck::Replayed);
        let earlier = code_at(&secret, NOW - 30).unwrap();
        if earlier != code {
            assert_eq!(f.check(&earlier, NOW), CodeCheck::Replayed);
        }
        // The next step's code works once, also typed in Bangla digits.
        let next = code_at(&secret, NOW + 30).unwrap();
        assert_eq!(
            f.check(&sonod_seal::bangla_digits(&next), NOW + 31),
            CodeCheck::Totp
        );
        assert_eq!(f.check(&next, NOW + 32), CodeCheck::Replayed);
        // Far from now: wrong.
        let old = code_at(&secret, NOW - 3600).unwrap();
        if old != next {
            assert_eq!(f.check(&old, NOW + 40), CodeCheck::Wrong);
        }
        assert_eq!(f.check("12345", NOW), CodeCheck::Wrong);
        assert_eq!(f.check("", NOW), CodeCheck::Wrong);
        // A recovery code, upper case, works once.
        assert_eq!(
            f.check(&codes[3].to_uppercase(), NOW + 60),
            CodeCheck::Recovery
        );
        assert_eq!(f.check(&codes[3], NOW + 60), CodeCheck::Wrong);
        assert_eq!(f.recovery_left(), RECOVERY_CODES - 1);
    }

    #[test]
    fn the_secret_stays_out_of_debug_output() {
        let pending = PendingSecret::generate();
        let (f, codes) = pending.clone().enrol(1, NOW);
        let shown = format!("{pending:?} {f:?}");
        assert!(!shown.contains(&pending.0) && !shown.contains(&f.recovery[0]));
        assert!(!shown.contains(&codes[0]));
        let url = pending.otpauth_url("Savar: Paurashava", "karim");
        assert!(
            url.starts_with("otpauth://totp/") && url.contains(&pending.0),
            "{url}"
        );
        assert_eq!(pending.text().replace(' ', ""), pending.0);
    }
}
