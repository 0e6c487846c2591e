//! Signature checks of concurrent single requests, made together.
//!
//! One `verify_strict` costs about 48 µs here; a batch equation over 64 signatures about 23 µs
//! a signature, over 256 about 16 µs (see [`crate::batch`]). A bank's system sends many
//! single `POST /api/v1/verify` requests at once; each still gets its own answer, but their
//! signature checks are made together, like a database's group commit:
//!
//! - A request whose signature is not yet known takes a place at the desk. When nobody is
//!   checking, it becomes the checker at once: a lone request is checked straight away, alone,
//!   with `verify_strict`, and never waits for company.
//! - While a checker is at work, the requests that arrive queue up. When it is done, it hands
//!   the desk to the first of them, which checks its own signature together with those queued
//!   behind it (at most [`SignatureDesk::max_round`]) with [`crate::verify_signatures`]: the
//!   batch equation, and single checks for whatever it cannot vouch for, so the answers are
//!   `verify_strict`'s.
//! - Each checker makes one round and then answers its own request; nobody is kept checking
//!   for others. The rounds run on the async workers, as single checks did (a round of 64 is
//!   about 1.5 ms).
//! - A batch with a bad signature in it costs the batch and then the single checks. So that a
//!   stream of forged payloads cannot make every honest request pay twice, after a round in
//!   which a signature failed the next [`QUIET_ROUNDS`] rounds are single checks only.
//!
//! A request that is cancelled while it waits (the client went away, the timeout fired) is
//! never handed the desk (its signature may still be checked in a round, and the outcome kept
//! with its reading), and passes the desk on if it had just been handed it. A checker that panics
//! passes the desk on too (from a drop guard); the requests whose checks were in its round are
//! told so and check their own signatures.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use prometheus_client::metrics::counter::Counter;
use tokio::sync::oneshot;

use crate::verify_signatures;
use sonod_judge::SignatureKey;
use sonod_judge::{Reading, SignatureCheck};

/// After a round with a failed signature, this many rounds check one by one.
pub const QUIET_ROUNDS: u32 = 64;

/// Where concurrent requests' signature checks are made together.
#[derive(Debug)]
pub struct SignatureDesk {
    state: Mutex<Desk>,
    max_round: usize,
    max_holders: usize,
    /// Rounds left to check one by one (after a failed signature).
    quiet: AtomicU32,
    rounds: Counter,
    signatures: Counter,
}

#[derive(Debug, Default)]
struct Desk {
    /// Checkers at work (or handed the desk and about to be).
    holders: usize,
    queue: VecDeque<Waiting>,
}

#[derive(Debug)]
struct Waiting {
    reading: Arc<Reading>,
    key: SignatureKey,
    tell: oneshot::Sender<Turn>,
}

/// What a waiting request is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Turn {
    /// Its signature was checked (and recorded in its reading).
    Checked,
    /// The desk is its: check its own signature and those queued behind it.
    Check,
}

impl SignatureDesk {
    /// A desk where at most `max_holders` checkers work at once, each round checking at most
    /// `max_round` signatures (1: every check alone).
    pub fn new(max_round: usize, max_holders: usize) -> SignatureDesk {
        SignatureDesk {
            state: Mutex::new(Desk::default()),
            max_round: max_round.max(1),
            max_holders: max_holders.max(1),
            quiet: AtomicU32::new(0),
            rounds: Counter::default(),
            signatures: Counter::default(),
        }
    }

    /// Rounds made so far (a lone check is a round of one).
    pub fn rounds(&self) -> &Counter {
        &self.rounds
    }

    /// Signatures checked in those rounds.
    pub fn signatures(&self) -> &Counter {
        &self.signatures
    }

    fn lock(&self) -> MutexGuard<'_, Desk> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether `check`'s signature holds (`verify_strict`'s answer), made alone or together
    /// with other requests' checks; the outcome is recorded in the check's reading.
    pub async fn check(&self, check: SignatureCheck<'_>) -> bool {
        let reading = check.reading();
        if let Some(ok) = reading.recorded_signature() {
            return ok;
        }
        let key = *check.signature_key();
        let ticket = {
            let mut desk = self.lock();
            if desk.holders >= self.max_holders {
                let (tell, told) = oneshot::channel();
                desk.queue.push_back(Waiting {
                    reading: check.shared_reading(),
                    key,
                    tell,
                });
                Some(Ticket {
                    desk: self,
                    told: Some(told),
                })
            } else {
                desk.holders += 1;
                None
            }
        };
        if let Some(mut ticket) = ticket {
            match ticket.wait().await {
                // The checker records before it tells; checking again is only a safety net.
                Some(Turn::Checked) => {
                    return reading
                        .recorded_signature()
                        .unwrap_or_else(|| check.verify_strict())
                }
                Some(Turn::Check) => {}
                // The checker of our round panicked: check alone, without the desk.
                None => return check.verify_strict(),
            }
        }
        self.round(check);
        reading.recorded_signature().unwrap_or(false)
    }

    /// One round by the request holding the desk: its own check and those queued behind it.
    fn round(&self, own: SignatureCheck<'_>) {
        let mut guard = Holder {
            desk: self,
            taken: Vec::new(),
        };
        {
            let mut desk = self.lock();
            let n = desk.queue.len().min(self.max_round - 1);
            guard.taken.extend(desk.queue.drain(..n));
        }
        let own_reading = own.shared_reading();
        let mut readings = Vec::with_capacity(guard.taken.len() + 1);
        let mut keys = Vec::with_capacity(guard.taken.len() + 1);
        readings.push(own_reading);
        keys.push(*own.signature_key());
        for w in &guard.taken {
            readings.push(Arc::clone(&w.reading));
            keys.push(w.key);
        }
        let checks: Vec<SignatureCheck<'_>> = readings
            .iter()
            .zip(&keys)
            .map(|(r, k)| SignatureCheck::new(r, k))
            .collect();
        self.rounds.inc();
        self.signatures.inc_by(checks.len() as u64);
        let quiet = self.quiet.load(Ordering::Relaxed);
        let results = if checks.len() == 1 || quiet > 0 {
            if quiet > 0 {
                self.quiet.store(quiet - 1, Ordering::Relaxed);
            }
            checks.iter().map(SignatureCheck::verify_strict).collect()
        } else {
            verify_signatures(&checks)
        };
        if results.iter().any(|ok| !ok) {
            self.quiet.store(QUIET_ROUNDS, Ordering::Relaxed);
        }
        for (r, ok) in readings.iter().zip(&results) {
            r.record_signature(*ok);
        }
        for w in guard.taken.drain(..) {
            let _ = w.tell.send(Turn::Checked);
        }
        // Dropping the guard hands the desk on.
    }

    /// Hands the desk to the first request still waiting, or frees it.
    fn hand_on(&self) {
        let mut desk = self.lock();
        while let Some(next) = desk.queue.pop_front() {
            if next.tell.send(Turn::Check).is_ok() {
                return;
            }
            // That request went away; its receiver is gone.
        }
        desk.holders -= 1;
    }
}

/// The request holding the desk: handing it on when the round ends, also by a panic (the
/// checks taken and not answered are dropped, and their requests check alone).
struct Holder<'a> {
    desk: &'a SignatureDesk,
    taken: Vec<Waiting>,
}

impl Drop for Holder<'_> {
    fn drop(&mut self) {
        self.taken.clear();
        self.desk.hand_on();
    }
}

/// A place in the queue. Dropped while waiting (the request was cancelled), it can no longer be
/// handed the desk, and passes the desk on if it had just been handed it.
struct Ticket<'a> {
    desk: &'a SignatureDesk,
    told: Option<oneshot::Receiver<Turn>>,
}

impl Ticket<'_> {
    async fn wait(&mut self) -> Option<Turn> {
        let told = self.told.as_mut()?;
        let turn = told.await.ok();
        self.told = None;
        turn
    }
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        let Some(mut told) = self.told.take() else {
            return;
        };
        // Closing first: a checker handing on from now on finds this place gone.
        told.close();
        if told.try_recv() == Ok(Turn::Check) {
            self.desk.hand_on();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sonod_keys::SecretKey;
    use sonod_seal::{Certificate, Record, Sealed};
    use std::time::Duration;

    fn reading(key: &SecretKey, serial: u64, forged: bool) -> Arc<Reading> {
        let record = Record::from_json(&serde_json::json!({
            "type": "citizenship",
            "office": "100524",
            "issued": "2026-11-18",
            "fields": {
                "name": "Rahim",
                "father": "Karim",
                "mother": "Rokeya",
                "nid": format!("1990{serial:013}"),
                "ward": 5
            }
        }))
        .expect("record");
        let mut bytes = Sealed::seal(&Certificate::new(serial, &record), key)
            .expect("seal")
            .into_bytes();
        if forged {
            // The signature is the last 64 bytes: still well formed, no longer valid.
            *bytes.last_mut().expect("bytes") ^= 1;
        }
        let r = Arc::new(Reading::new(&bytes));
        assert!(r.opened().is_ok());
        r
    }

    /// The desk's answer for `r`, or `None` when it does not come within `limit`.
    fn check_within(
        rt: &tokio::runtime::Runtime,
        desk: &SignatureDesk,
        r: &Arc<Reading>,
        key: &SignatureKey,
        limit: Duration,
    ) -> Option<bool> {
        rt.block_on(async {
            tokio::time::timeout(limit, desk.check(SignatureCheck::new(r, key))).await
        })
        .ok()
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
    }

    /// Many requests at once, some forged: every answer is `verify_strict`'s, every reading
    /// records it, and the desk is free at the end.
    #[test]
    fn concurrent_checks_get_strict_answers() {
        let key = SecretKey::generate();
        let skey = SignatureKey::new(key.verifying_key());
        let readings: Vec<(Arc<Reading>, bool)> = (0..300u64)
            .map(|i| {
                let forged = i % 37 == 5;
                (reading(&key, i + 1, forged), !forged)
            })
            .collect();
        let desk = Arc::new(SignatureDesk::new(64, 1));
        let rt = runtime();
        let answers = rt.block_on(async {
            let tasks: Vec<_> = readings
                .iter()
                .map(|(r, _)| {
                    let (desk, r) = (Arc::clone(&desk), Arc::clone(r));
                    tokio::spawn(async move { desk.check(SignatureCheck::new(&r, &skey)).await })
                })
                .collect();
            let mut out = Vec::new();
            for t in tasks {
                out.push(t.await.expect("task"));
            }
            out
        });
        for ((r, genuine), got) in readings.iter().zip(answers) {
            assert_eq!(got, *genuine);
            assert_eq!(r.recorded_signature(), Some(*genuine));
            assert_eq!(SignatureCheck::new(r, &skey).verify_strict(), *genuine);
        }
        let d = desk.lock();
        assert!(d.holders == 0 && d.queue.is_empty());
    }

    /// Requests queued behind a held desk are checked in rounds of at most `max_round`.
    #[test]
    fn queued_requests_are_checked_in_rounds() {
        let key = SecretKey::generate();
        let skey = SignatureKey::new(key.verifying_key());
        let desk = Arc::new(SignatureDesk::new(64, 1));
        let readings: Vec<Arc<Reading>> =
            (0..200u64).map(|i| reading(&key, i + 1, false)).collect();
        let rt = runtime();
        rt.block_on(async {
            desk.lock().holders = 1;
            let tasks: Vec<_> = readings
                .iter()
                .map(|r| {
                    let (desk, r) = (Arc::clone(&desk), Arc::clone(r));
                    tokio::spawn(async move { desk.check(SignatureCheck::new(&r, &skey)).await })
                })
                .collect();
            while desk.lock().queue.len() < readings.len() {
                tokio::task::yield_now().await;
            }
            desk.hand_on();
            for t in tasks {
                assert!(t.await.expect("task"));
            }
        });
        assert_eq!(desk.signatures().get(), 200);
        assert_eq!(desk.rounds().get(), 4, "64 + 64 + 64 + 8");
        assert!(readings
            .iter()
            .all(|r| r.recorded_signature() == Some(true)));
        assert_eq!(desk.lock().holders, 0);
    }

    /// A lone request is checked at once; a recorded outcome is not checked again.
    #[test]
    fn alone_and_recorded() {
        let key = SecretKey::generate();
        let skey = SignatureKey::new(key.verifying_key());
        let desk = SignatureDesk::new(64, 1);
        let rt = runtime();
        let good = reading(&key, 1, false);
        let bad = reading(&key, 2, true);
        rt.block_on(async {
            assert!(desk.check(SignatureCheck::new(&good, &skey)).await);
            assert!(!desk.check(SignatureCheck::new(&bad, &skey)).await);
        });
        assert_eq!(bad.recorded_signature(), Some(false));
        // A failed signature makes the next rounds single checks.
        assert_eq!(desk.quiet.load(Ordering::Relaxed), QUIET_ROUNDS);
        // Recorded outcomes are answered without the desk, even while it is held.
        desk.lock().holders = 1;
        let five = Duration::from_secs(5);
        assert_eq!(check_within(&rt, &desk, &good, &skey, five), Some(true));
    }

    /// With room for two checkers, a request checks beside one already at work; with room
    /// for one, it queues behind it.
    #[test]
    fn checkers_at_once() {
        let key = SecretKey::generate();
        let skey = SignatureKey::new(key.verifying_key());
        let rt = runtime();
        let good = reading(&key, 1, false);
        let two = SignatureDesk::new(64, 2);
        two.lock().holders = 1;
        let five = Duration::from_secs(5);
        assert_eq!(check_within(&rt, &two, &good, &skey, five), Some(true));
        assert_eq!(two.lock().holders, 1);
        let one = SignatureDesk::new(64, 1);
        one.lock().holders = 1;
        let other = reading(&key, 2, false);
        let brief = Duration::from_millis(200);
        assert_eq!(
            check_within(&rt, &one, &other, &skey, brief),
            None,
            "queued"
        );
        // The timed-out request left its place.
        assert!(one.lock().queue.is_empty() || one.lock().queue[0].tell.is_closed());
    }

    /// A request cancelled while it waits leaves no trace; one cancelled just after being
    /// handed the desk passes it on, so the requests behind it are still answered.
    #[test]
    fn cancelled_waiters_pass_the_desk_on() {
        let key = SecretKey::generate();
        let skey = SignatureKey::new(key.verifying_key());
        let desk = Arc::new(SignatureDesk::new(64, 1));
        let rt = runtime();
        let first = reading(&key, 1, false);
        let second = reading(&key, 2, false);
        let third = reading(&key, 3, false);
        rt.block_on(async {
            // Someone holds the desk.
            desk.lock().holders = 1;
            // The first waiter queues, then is cancelled while waiting.
            let waiter = {
                let (desk, r) = (Arc::clone(&desk), Arc::clone(&first));
                tokio::spawn(async move { desk.check(SignatureCheck::new(&r, &skey)).await })
            };
            let second_task = {
                let (desk, r) = (Arc::clone(&desk), Arc::clone(&second));
                tokio::spawn(async move { desk.check(SignatureCheck::new(&r, &skey)).await })
            };
            while desk.lock().queue.len() < 2 {
                tokio::task::yield_now().await;
            }
            waiter.abort();
            let _ = waiter.await;
            // The holder finishes: the desk goes to the first place, whose request is gone,
            // so on to the second, which checks both queued signatures.
            desk.hand_on();
            assert!(tokio::time::timeout(Duration::from_secs(5), second_task)
                .await
                .expect("answered")
                .expect("task"));
            assert_eq!(desk.lock().holders, 0);

            // Handed the desk and cancelled before it ran: the ticket's drop hands it on.
            desk.lock().holders = 1;
            let (tell, told) = oneshot::channel();
            desk.lock().queue.push_back(Waiting {
                reading: Arc::clone(&third),
                key: skey,
                tell,
            });
            let ticket = Ticket {
                desk: &desk,
                told: Some(told),
            };
            desk.hand_on(); // sends Check to the ticket
            assert_eq!(desk.lock().holders, 1);
            drop(ticket);
            assert_eq!(
                desk.lock().holders,
                0,
                "the dropped ticket passed the desk on"
            );
        });
    }
}
