//! Sign-in throttling: growing delays per account name and per client address, in bounded
//! memory. No I/O and no clock of its own (callers pass `now`), so the rules are tested
//! without waiting.
//!
//! Every attempt let through counts as a failure *before* its password is checked, so a burst
//! of concurrent guesses cannot all slip past the count; a success then forgives the account
//! (and takes back the address's count of that attempt). After `free` attempts in a row an
//! attempt must wait `2^(n - free + 1)` seconds after the last one (`n` attempts so far),
//! capped at `max_delay`: delays, never a lock that keeps the real user out for good. An
//! attempt refused for waiting is not counted, so retrying early does not lengthen the wait.
//! A key is forgotten `window` after its delay has run out with no attempt since.
//!
//! Names are counted whether or not such an account exists (otherwise the delays would tell
//! which names do). An IPv6 address counts by its /64, which one client usually holds whole.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// How one table counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Attempts in a row allowed without a delay.
    pub free: u32,
    /// How long a key is remembered after its delay has run out.
    pub window: Duration,
    /// The longest delay.
    pub max_delay: Duration,
    /// Most keys remembered; beyond it the least-failed key is forgotten first.
    pub capacity: usize,
}

impl ThrottlePolicy {
    /// Per account name: 5 attempts, then 2 s, 4 s, 8 s … up to 15 minutes.
    pub const ACCOUNT: ThrottlePolicy = ThrottlePolicy {
        free: 5,
        window: Duration::from_secs(15 * 60),
        max_delay: Duration::from_secs(15 * 60),
        capacity: 10_000,
    };
    /// Per client address: 20 attempts (an office's officials may share one address), then
    /// the same growing delays.
    pub const ADDRESS: ThrottlePolicy = ThrottlePolicy {
        free: 20,
        window: Duration::from_secs(15 * 60),
        max_delay: Duration::from_secs(15 * 60),
        capacity: 10_000,
    };

    /// The delay after `attempts` attempts in a row.
    pub fn delay(&self, attempts: u32) -> Duration {
        if attempts < self.free {
            return Duration::ZERO;
        }
        let doublings = (attempts - self.free + 1).min(30);
        Duration::from_secs(1u64 << doublings).min(self.max_delay)
    }
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    attempts: u32,
    last: Instant,
}

/// One table of counts: at most `policy.capacity` keys.
#[derive(Debug)]
struct Table<K> {
    policy: ThrottlePolicy,
    entries: HashMap<K, Entry>,
}

impl<K: Hash + Eq + Clone> Table<K> {
    fn new(policy: ThrottlePolicy) -> Table<K> {
        Table {
            policy,
            entries: HashMap::new(),
        }
    }

    fn live(&self, e: &Entry, now: Instant) -> bool {
        now.saturating_duration_since(e.last) < self.policy.delay(e.attempts) + self.policy.window
    }

    /// How long `k` must still wait.
    fn wait(&self, k: &K, now: Instant) -> Duration {
        match self.entries.get(k) {
            Some(e) if self.live(e, now) => {
                (e.last + self.policy.delay(e.attempts)).saturating_duration_since(now)
            }
            _ => Duration::ZERO,
        }
    }

    /// Counts an attempt; returns the attempts in a row so far.
    fn count(&mut self, k: &K, now: Instant) -> u32 {
        if !self.entries.contains_key(k) {
            self.make_room(now);
        }
        let live = self.entries.get(k).is_some_and(|e| self.live(e, now));
        let e = self.entries.entry(k.clone()).or_insert(Entry {
            attempts: 0,
            last: now,
        });
        if !live {
            e.attempts = 0;
        }
        e.attempts = e.attempts.saturating_add(1);
        e.last = now;
        e.attempts
    }

    /// Takes one counted attempt back (it succeeded).
    fn uncount(&mut self, k: &K) {
        if let Some(e) = self.entries.get_mut(k) {
            e.attempts = e.attempts.saturating_sub(1);
            if e.attempts == 0 {
                self.entries.remove(k);
            }
        }
    }

    fn forget(&mut self, k: &K) {
        self.entries.remove(k);
    }

    /// Keeps the table under its capacity: first forgets what has run out; if that is not
    /// enough, the key with the fewest attempts (the oldest of those). So an attacker who
    /// floods the table with fresh names or addresses pushes out other fresh ones first, and
    /// must fail as often as a throttled key has to push that one out.
    fn make_room(&mut self, now: Instant) {
        if self.entries.len() < self.policy.capacity {
            return;
        }
        let policy = self.policy;
        self.entries.retain(|_, e| {
            now.saturating_duration_since(e.last) < policy.delay(e.attempts) + policy.window
        });
        while self.entries.len() >= self.policy.capacity.max(1) {
            let victim = self
                .entries
                .iter()
                .min_by_key(|(_, e)| (e.attempts, e.last))
                .map(|(k, _)| k.clone());
            match victim {
                Some(k) => self.entries.remove(&k),
                None => break,
            };
        }
    }
}

/// A client address as counted: IPv4 whole, IPv6 by its /64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum AddressKey {
    V4(u32),
    /// The first 64 bits.
    V6(u64),
}

impl From<IpAddr> for AddressKey {
    fn from(a: IpAddr) -> AddressKey {
        match a {
            IpAddr::V4(v4) => AddressKey::V4(v4.into()),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => AddressKey::V4(v4.into()),
                None => AddressKey::V6((u128::from(v6) >> 64) as u64),
            },
        }
    }
}

/// What an attempt let through counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    /// Attempts in a row on the account name, this one included.
    pub account: u32,
    /// Attempts in a row from the address, this one included (0 without an address).
    pub address: u32,
}

/// Both tables.
#[derive(Debug)]
pub struct Throttle {
    accounts: Table<String>,
    addresses: Table<AddressKey>,
}

impl Throttle {
    /// Empty tables with these policies.
    pub fn new(account: ThrottlePolicy, address: ThrottlePolicy) -> Throttle {
        Throttle {
            accounts: Table::new(account),
            addresses: Table::new(address),
        }
    }

    /// The policies.
    pub fn policies(&self) -> (ThrottlePolicy, ThrottlePolicy) {
        (self.accounts.policy, self.addresses.policy)
    }

    /// Lets an attempt through and counts it, or says how long to wait (the longer of the
    /// account's and the address's delay).
    pub fn admit(
        &mut self,
        account: &str,
        address: Option<IpAddr>,
        now: Instant,
    ) -> Result<Counted, Duration> {
        let address = address.map(AddressKey::from);
        let account = account.to_owned();
        let wait = self
            .accounts
            .wait(&account, now)
            .max(address.map_or(Duration::ZERO, |a| self.addresses.wait(&a, now)));
        if !wait.is_zero() {
            return Err(wait);
        }
        Ok(Counted {
            account: self.accounts.count(&account, now),
            address: address.map_or(0, |a| self.addresses.count(&a, now)),
        })
    }

    /// The attempt succeeded: the account starts afresh, and the address's count of this
    /// attempt is taken back (an office's good sign-ins never add up to a delay).
    pub fn succeeded(&mut self, account: &str, address: Option<IpAddr>) {
        self.accounts.forget(&account.to_owned());
        if let Some(a) = address {
            self.addresses.uncount(&AddressKey::from(a));
        }
    }

    /// Keys remembered (accounts, addresses).
    pub fn len(&self) -> (usize, usize) {
        (self.accounts.entries.len(), self.addresses.entries.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V4: Option<IpAddr> = Some(IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 7)));

    fn throttle() -> Throttle {
        Throttle::new(ThrottlePolicy::ACCOUNT, ThrottlePolicy::ADDRESS)
    }

    #[test]
    fn delays_grow_from_the_sixth_attempt_and_are_capped() {
        let p = ThrottlePolicy::ACCOUNT;
        let delays: Vec<u64> = (0..16).map(|n| p.delay(n).as_secs()).collect();
        assert_eq!(
            delays,
            [0, 0, 0, 0, 0, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]
        );
        assert_eq!(p.delay(u32::MAX), Duration::from_secs(900));
    }

    #[test]
    fn five_attempts_then_waits_and_a_success_resets_the_account() {
        let mut t = throttle();
        let t0 = Instant::now();
        for i in 1..=5 {
            assert_eq!(t.admit("rahim", V4, t0).map(|c| c.account), Ok(i));
        }
        assert_eq!(t.admit("rahim", V4, t0), Err(Duration::from_secs(2)));
        // Refused attempts are not counted: the wait does not grow by retrying early.
        let t1 = t0 + Duration::from_secs(1);
        assert_eq!(t.admit("rahim", V4, t1), Err(Duration::from_secs(1)));
        // Another name from the same address is not held up (the address has 15 to go).
        assert!(t.admit("karim", V4, t1).is_ok());
        let t2 = t0 + Duration::from_secs(2);
        assert_eq!(t.admit("rahim", V4, t2).map(|c| c.account), Ok(6));
        assert_eq!(t.admit("rahim", V4, t2), Err(Duration::from_secs(4)));
        let t3 = t2 + Duration::from_secs(4);
        assert!(t.admit("rahim", V4, t3).is_ok());
        t.succeeded("rahim", V4);
        assert_eq!(t.admit("rahim", V4, t3).map(|c| c.account), Ok(1));
    }

    #[test]
    fn the_count_is_forgotten_a_window_after_the_delay_ran_out() {
        let mut t = throttle();
        let t0 = Instant::now();
        for _ in 0..5 {
            t.admit("rahim", None, t0).unwrap();
        }
        // Just after the delay: the count goes on.
        let t1 = t0 + Duration::from_secs(2);
        assert_eq!(t.admit("rahim", None, t1).map(|c| c.account), Ok(6));
        // A window after the (4 s) delay ran out: afresh.
        let t2 = t1 + Duration::from_secs(4) + ThrottlePolicy::ACCOUNT.window;
        assert_eq!(t.admit("rahim", None, t2).map(|c| c.account), Ok(1));
    }

    #[test]
    fn an_address_rotating_names_is_held_up_after_twenty() {
        let mut t = throttle();
        let t0 = Instant::now();
        for i in 0..20 {
            t.admit(&format!("name{i}"), V4, t0).unwrap();
        }
        assert_eq!(t.admit("name20", V4, t0), Err(Duration::from_secs(2)));
        // Without an address, only the name counts.
        assert!(t.admit("name20", None, t0).is_ok());
        // Good sign-ins from an office's shared address never add up.
        let mut t = throttle();
        for _ in 0..100 {
            t.admit("rahim", V4, t0).unwrap();
            t.succeeded("rahim", V4);
        }
        assert_eq!(t.len(), (0, 0));
    }

    #[test]
    fn ipv6_counts_by_its_64_and_mapped_ipv4_as_ipv4() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(AddressKey::from(a), AddressKey::from(b));
        assert_ne!(AddressKey::from(a), AddressKey::from(c));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(AddressKey::from(mapped), AddressKey::from(V4.unwrap()));
        // An IPv6 /64 is never taken for an IPv4 address.
        let low: IpAddr = "::".parse().unwrap();
        assert_ne!(
            AddressKey::from(low),
            AddressKey::from(IpAddr::V4(0.into()))
        );
    }

    #[test]
    fn memory_is_bounded_and_a_throttled_name_outlives_a_flood_of_fresh_ones() {
        let policy = ThrottlePolicy {
            capacity: 100,
            ..ThrottlePolicy::ACCOUNT
        };
        let mut t = Throttle::new(
            policy,
            ThrottlePolicy {
                capacity: 100,
                ..ThrottlePolicy::ADDRESS
            },
        );
        let t0 = Instant::now();
        for _ in 0..5 {
            t.admit("rahim", None, t0).unwrap();
        }
        for i in 0..10_000 {
            let a = IpAddr::V4((i as u32).into());
            let _ = t.admit(&format!("guess{i}"), Some(a), t0);
            let (names, addresses) = t.len();
            assert!(names <= 100 && addresses <= 100, "{names} {addresses}");
        }
        assert_eq!(t.admit("rahim", None, t0), Err(Duration::from_secs(2)));
    }
}
