//! Citizens' sign-in with a one-time code sent by SMS, and their sessions.
//!
//! A citizen gives their mobile number; if the office knows it (an application or a
//! certificate with that number), a 6-digit code goes to it by SMS. The page says the same
//! thing either way, so it tells nobody which numbers are known. The code is kept only as a
//! keyed hash (SHA-256 under a random key made at start, never stored), is valid for
//! [`CODE_SECONDS`] and allows [`CODE_TRIES`] tries; a new code replaces the old one. Codes
//! sent are limited per number and per client address, and tries per address are throttled
//! with growing delays (`crate::accounts::throttle`), so guessing across many numbers from one
//! address is as slow as guessing one.
//!
//! A session belongs to the number it was opened for and shows only that number's records.
//! Sessions and codes live in memory, bounded: a restart signs citizens out (they ask for a
//! new code), which costs nothing of what is stored.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

use crate::accounts::throttle::{Throttle, ThrottlePolicy};

/// How long a code is valid.
pub const CODE_SECONDS: i64 = 5 * 60;
/// Tries one code allows.
pub const CODE_TRIES: u8 = 5;
/// Codes one number may be sent in [`SEND_WINDOW`].
pub const CODES_PER_NUMBER: usize = 3;
/// Codes one address may ask for in [`SEND_WINDOW`] (a digital centre helps many people).
pub const CODES_PER_ADDRESS: usize = 30;
/// The window the two limits above count in.
pub const SEND_WINDOW: Duration = Duration::from_secs(15 * 60);
/// The shortest time between two codes to one number.
pub const RESEND_AFTER: Duration = Duration::from_secs(60);
/// A session ends after this long without a request …
pub const SESSION_IDLE_SECONDS: i64 = 30 * 60;
/// … and this long after it was opened, whatever happens.
pub const SESSION_MAX_SECONDS: i64 = 12 * 60 * 60;
/// Most codes, sessions and rate-limit entries remembered; beyond it the oldest go first.
pub const CAPACITY: usize = 100_000;

/// Why no code was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendRefused {
    /// Too many codes asked for; try again after this long.
    Wait(Duration),
}

/// Why a code was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeRefused {
    /// Wrong code; this many tries are left.
    Wrong(u8),
    /// No code is waiting for that number, it has expired, or its tries are used up: ask
    /// for a new one.
    Expired,
    /// Too many tries from this address: wait this long.
    Wait(Duration),
}

#[derive(Debug)]
struct Code {
    mac: [u8; 32],
    expires: i64,
    tries_left: u8,
}

#[derive(Debug, Clone)]
struct Session {
    mobile: String,
    opened: i64,
    seen: i64,
}

#[derive(Default)]
struct Inner {
    codes: HashMap<String, Code>,
    sessions: HashMap<[u8; 32], Session>,
    sent_to: HashMap<String, VecDeque<Instant>>,
    sent_from: HashMap<IpAddr, VecDeque<Instant>>,
}

/// The citizens' codes and sessions.
pub struct Citizens {
    /// The key codes are hashed under; made at start, never stored or shown.
    key: [u8; 32],
    inner: Mutex<Inner>,
    tries: Mutex<Throttle>,
}

impl std::fmt::Debug for Citizens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Neither the key nor numbers nor codes.
        let i = self.lock();
        write!(
            f,
            "Citizens {{ codes: {}, sessions: {} }}",
            i.codes.len(),
            i.sessions.len()
        )
    }
}

impl Default for Citizens {
    fn default() -> Self {
        Self::new()
    }
}

/// Counts `now` in a sliding window unless it is full; the wait until it has room otherwise.
fn admit(q: &mut VecDeque<Instant>, most: usize, gap: Duration, now: Instant) -> Option<Duration> {
    while q
        .front()
        .is_some_and(|t| now.duration_since(*t) >= SEND_WINDOW)
    {
        q.pop_front();
    }
    if let Some(last) = q.back() {
        let since = now.duration_since(*last);
        if since < gap {
            return Some(gap - since);
        }
    }
    if q.len() >= most {
        let oldest = *q.front()?;
        return Some(SEND_WINDOW.saturating_sub(now.duration_since(oldest)));
    }
    None
}

fn bounded<K: std::hash::Hash + Eq + Clone, V>(m: &mut HashMap<K, V>, keep: impl Fn(&V) -> bool) {
    if m.len() >= CAPACITY {
        m.retain(|_, v| keep(v));
        if m.len() >= CAPACITY {
            // Still full of live entries: forget an arbitrary tenth (bounded memory wins).
            let drop: Vec<K> = m.keys().take(CAPACITY / 10).cloned().collect();
            for k in drop {
                m.remove(&k);
            }
        }
    }
}

fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl Citizens {
    /// Empty, with a fresh key.
    pub fn new() -> Citizens {
        let mut key = [0u8; 32];
        OsRng.fill_bytes(&mut key);
        Citizens {
            key,
            inner: Mutex::default(),
            tries: Mutex::new(Throttle::new(
                // Per number: each code's own CODE_TRIES limit rules; this only slows a
                // number that keeps asking for codes and guessing them.
                ThrottlePolicy {
                    free: u32::from(CODE_TRIES) * CODES_PER_NUMBER as u32,
                    ..ThrottlePolicy::ACCOUNT
                },
                ThrottlePolicy::ADDRESS,
            )),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn mac(&self, mobile: &str, code: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.key);
        h.update(mobile.as_bytes());
        h.update([0]);
        h.update(code.as_bytes());
        h.finalize().into()
    }

    /// Counts a request for a code to `mobile` from `address` against the limits. Call it
    /// for every request, known number or not (so the limits tell nothing either).
    pub fn admit_send(
        &self,
        mobile: &str,
        address: Option<IpAddr>,
        now: Instant,
    ) -> Result<(), SendRefused> {
        let mut i = self.lock();
        bounded(&mut i.sent_to, |q| {
            q.back()
                .is_some_and(|t| now.duration_since(*t) < SEND_WINDOW)
        });
        bounded(&mut i.sent_from, |q| {
            q.back()
                .is_some_and(|t| now.duration_since(*t) < SEND_WINDOW)
        });
        let to = i.sent_to.entry(mobile.to_owned()).or_default();
        if let Some(wait) = admit(to, CODES_PER_NUMBER, RESEND_AFTER, now) {
            return Err(SendRefused::Wait(wait));
        }
        if let Some(a) = address {
            let from = i.sent_from.entry(a).or_default();
            if let Some(wait) = admit(from, CODES_PER_ADDRESS, Duration::ZERO, now) {
                return Err(SendRefused::Wait(wait));
            }
            from.push_back(now);
        }
        if let Some(to) = i.sent_to.get_mut(mobile) {
            to.push_back(now);
        }
        Ok(())
    }

    /// Makes a new code for `mobile` (replacing any earlier one) and returns it, to be sent
    /// by SMS and then forgotten.
    pub fn new_code(&self, mobile: &str, now: i64) -> String {
        let code = loop {
            let n = OsRng.next_u32();
            // Reject the top sliver so that every code is equally likely.
            if n < 4_294_000_000 {
                break format!("{:06}", n % 1_000_000);
            }
        };
        let mac = self.mac(mobile, &code);
        let mut i = self.lock();
        bounded(&mut i.codes, |c| c.expires > now);
        i.codes.insert(
            mobile.to_owned(),
            Code {
                mac,
                expires: now + CODE_SECONDS,
                tries_left: CODE_TRIES,
            },
        );
        code
    }

    /// Checks a code typed for `mobile`; on success opens a session and returns its id (for
    /// the HttpOnly cookie). The code is then used up.
    pub fn verify(
        &self,
        mobile: &str,
        code: &str,
        address: Option<IpAddr>,
        now: i64,
        instant: Instant,
    ) -> Result<String, CodeRefused> {
        {
            let mut t = self.tries.lock().unwrap_or_else(PoisonError::into_inner);
            t.admit(mobile, address, instant)
                .map_err(CodeRefused::Wait)?;
        }
        let mac = self.mac(mobile, code.trim());
        let mut i = self.lock();
        let Some(c) = i.codes.get_mut(mobile) else {
            return Err(CodeRefused::Expired);
        };
        if c.expires <= now || c.tries_left == 0 {
            i.codes.remove(mobile);
            return Err(CodeRefused::Expired);
        }
        if !ct_eq(&c.mac, &mac) {
            c.tries_left -= 1;
            let left = c.tries_left;
            if left == 0 {
                i.codes.remove(mobile);
            }
            return Err(CodeRefused::Wrong(left));
        }
        i.codes.remove(mobile);
        let mut raw = [0u8; 32];
        OsRng.fill_bytes(&mut raw);
        let id = data_encoding::BASE64URL_NOPAD.encode(&raw);
        bounded(&mut i.sessions, |s| {
            now - s.seen < SESSION_IDLE_SECONDS && now - s.opened < SESSION_MAX_SECONDS
        });
        i.sessions.insert(
            Sha256::digest(id.as_bytes()).into(),
            Session {
                mobile: mobile.to_owned(),
                opened: now,
                seen: now,
            },
        );
        drop(i);
        self.tries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .succeeded(mobile, address);
        Ok(id)
    }

    /// The number a live session belongs to; keeps it alive.
    pub fn session(&self, id: &str, now: i64) -> Option<String> {
        let k: [u8; 32] = Sha256::digest(id.as_bytes()).into();
        let mut i = self.lock();
        let s = i.sessions.get_mut(&k)?;
        if now - s.seen >= SESSION_IDLE_SECONDS || now - s.opened >= SESSION_MAX_SECONDS {
            i.sessions.remove(&k);
            return None;
        }
        s.seen = now;
        Some(s.mobile.clone())
    }

    /// Ends a session.
    pub fn sign_out(&self, id: &str) {
        let k: [u8; 32] = Sha256::digest(id.as_bytes()).into();
        self.lock().sessions.remove(&k);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "01711111111";
    const B: &str = "01822222222";

    #[test]
    fn the_right_code_opens_a_session_for_its_number_only_once() {
        let c = Citizens::new();
        let t = Instant::now();
        let code = c.new_code(A, 100);
        assert_eq!(code.len(), 6);
        // Another number's code never fits.
        assert_eq!(c.verify(B, &code, None, 101, t), Err(CodeRefused::Expired));
        let id = c.verify(A, &code, None, 101, t).unwrap();
        assert_eq!(c.session(&id, 102).as_deref(), Some(A));
        // Used up.
        assert_eq!(c.verify(A, &code, None, 103, t), Err(CodeRefused::Expired));
        c.sign_out(&id);
        assert_eq!(c.session(&id, 104), None);
    }

    #[test]
    fn a_code_allows_five_tries_and_five_minutes() {
        let c = Citizens::new();
        let t = Instant::now();
        let code = c.new_code(A, 0);
        let wrong = if code == "000000" { "000001" } else { "000000" };
        for left in (1..CODE_TRIES).rev() {
            assert_eq!(
                c.verify(A, wrong, None, 1, t),
                Err(CodeRefused::Wrong(left))
            );
        }
        assert_eq!(c.verify(A, wrong, None, 1, t), Err(CodeRefused::Wrong(0)));
        // The right code no longer helps: ask for a new one.
        assert_eq!(c.verify(A, &code, None, 1, t), Err(CodeRefused::Expired));
        let code = c.new_code(A, 10);
        assert_eq!(
            c.verify(A, &code, None, 10 + CODE_SECONDS, t),
            Err(CodeRefused::Expired)
        );
        let code = c.new_code(A, 1000);
        assert!(c.verify(A, &code, None, 1000 + CODE_SECONDS - 1, t).is_ok());
    }

    #[test]
    fn codes_sent_are_limited_per_number_and_per_address() {
        let c = Citizens::new();
        let t = Instant::now();
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        assert_eq!(c.admit_send(A, Some(ip), t), Ok(()));
        // Not again within a minute.
        assert!(matches!(
            c.admit_send(A, Some(ip), t + Duration::from_secs(10)),
            Err(SendRefused::Wait(w)) if w == Duration::from_secs(50)
        ));
        assert_eq!(c.admit_send(A, Some(ip), t + RESEND_AFTER), Ok(()));
        assert_eq!(c.admit_send(A, Some(ip), t + 2 * RESEND_AFTER), Ok(()));
        // The fourth within the window waits for the first to leave it.
        assert!(matches!(
            c.admit_send(A, Some(ip), t + 3 * RESEND_AFTER),
            Err(SendRefused::Wait(w)) if w == SEND_WINDOW - 3 * RESEND_AFTER
        ));
        assert_eq!(c.admit_send(A, Some(ip), t + SEND_WINDOW), Ok(()));
        // One address asking for many numbers.
        let other: IpAddr = "198.51.100.1".parse().unwrap();
        for n in 0..CODES_PER_ADDRESS {
            assert_eq!(c.admit_send(&format!("0171{n:07}"), Some(other), t), Ok(()));
        }
        assert!(c.admit_send("01999999999", Some(other), t).is_err());
    }

    #[test]
    fn sessions_end_when_idle_and_at_their_limit() {
        let c = Citizens::new();
        let t = Instant::now();
        let id = c.verify(A, &c.new_code(A, 0), None, 0, t).unwrap();
        assert!(c.session(&id, SESSION_IDLE_SECONDS - 1).is_some());
        assert!(c.session(&id, 2 * SESSION_IDLE_SECONDS - 2).is_some());
        assert!(c.session(&id, 3 * SESSION_IDLE_SECONDS).is_none());
        let id = c.verify(A, &c.new_code(A, 0), None, 0, t).unwrap();
        let mut now = 0;
        while now + 20 * 60 < SESSION_MAX_SECONDS {
            now += 20 * 60;
            assert!(c.session(&id, now).is_some());
        }
        assert!(c.session(&id, SESSION_MAX_SECONDS).is_none());
    }

    #[test]
    fn tries_from_one_address_across_many_numbers_are_throttled() {
        let c = Citizens::new();
        let t = Instant::now();
        let ip: IpAddr = "192.0.2.9".parse().unwrap();
        let mut waited = false;
        for n in 0..40 {
            match c.verify(&format!("0171{n:07}"), "123456", Some(ip), 0, t) {
                Err(CodeRefused::Wait(_)) => {
                    waited = true;
                    break;
                }
                Err(CodeRefused::Expired) => {}
                other => panic!("{other:?}"),
            }
        }
        assert!(waited, "the address is slowed down");
    }

    #[test]
    fn debug_shows_no_number_or_code() {
        let c = Citizens::new();
        let code = c.new_code(A, 0);
        let d = format!("{c:?}");
        assert!(!d.contains(A) && !d.contains(&code), "{d}");
    }
}
