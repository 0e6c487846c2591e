//! Group commit: many writers, one batch, one `flush` + `fsync` for all of them.
//!
//! A writer queues its changes (the ledger keeps the queue), then takes a *ticket* and waits
//! until the generation its ticket names is durable. One thread runs the barrier in a loop: it
//! closes the current generation, has the queued changes applied (the `apply` hook: the
//! ledger writes them as one atomic sled batch), flushes and fsyncs, and announces the
//! generation done. Every change queued before a ticket was taken is in the batch and the
//! flush of that ticket's generation, so both the batch (whose cost in sled is mostly per
//! batch, not per key) and the fsync are paid once per group, not per request — the lever on
//! durable throughput.
//!
//! Under concurrent load the committer also *gathers* a group before it closes it: when the
//! last group held more than one ticket, it waits — at most [`GATHER_MAX`] — until half the
//! writers about are in (half of those the last group answered plus those already waiting).
//! Closing a group the moment one ticket arrived made groups of about five with 32 clients,
//! and each certificate paid a fifth of a barrier (a sled log write on sled's I/O thread,
//! `sync_file_range`, `fsync`, the wake-ups around them). Waiting for all of them made groups
//! near 30 but left the cores idle through every barrier. Waiting for half splits the writers
//! into two cohorts, one parsing and signing while the other's group is written and synced.
//! Measured with 32 clients (`bench/issuer-load.sh`): server CPU per certificate about 115 µs
//! ungathered, 85–100 µs gathered; half gave about 4 % more certificates a second than all.
//! A lone writer (last group of one) never waits.
//!
//! Each async waiter is woken once, by its own channel, when its generation is done: a
//! broadcast would wake every writer of the next generation too, only to put it back to
//! sleep (measured: a fifth of the service's CPU went to such context switches).

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use crate::storage::store::{Store, StoreError};

/// What the committer has made durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Durable {
    /// The last generation flushed and fsynced.
    pub generation: u64,
    /// The highest feed position covered by it.
    pub seq: u64,
    /// The barrier failed (or the committer stopped): nothing after this point can be
    /// acknowledged.
    pub failed: bool,
}

/// A writer's claim on the next barrier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket(u64);

/// The longest the committer waits for a group to fill (see the module's notes).
pub const GATHER_MAX: Duration = Duration::from_millis(1);

type Waiter = (u64, oneshot::Sender<Result<(), CommitFailed>>);

/// Writes the changes queued so far into the store, atomically; called by the committer
/// before each barrier and once more when it stops.
pub type Apply = Box<dyn FnMut() -> Result<(), StoreError> + Send>;

#[derive(Debug, Default)]
struct State {
    next_gen: u64,
    pending: bool,
    max_seq: u64,
    shutdown: bool,
    /// The committer is asleep on `wake` (so a ticket must wake it; otherwise it will see
    /// `pending` when it next looks, and the futex call is saved).
    idle: bool,
    /// Tickets taken for the generation not yet closed.
    tickets: usize,
    /// The committer is gathering on `wake` until `tickets` reaches `gather_target`.
    gathering: bool,
    gather_target: usize,
    /// Async waiters with the generation each waits for.
    waiters: Vec<Waiter>,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    wake: Condvar,
    done: Mutex<Durable>,
    done_cv: Condvar,
}

/// The group committer of one store.
#[derive(Debug)]
pub struct GroupCommit {
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

/// The barrier failed; the service must stop acknowledging writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::l10n::both("commit-failed", &[]))]
pub struct CommitFailed;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl GroupCommit {
    /// Starts the committer thread for `store`; `seq` is the feed position already durable;
    /// `apply` writes the queued changes before each barrier.
    pub fn start(store: Store, seq: u64, mut apply: Apply) -> GroupCommit {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                next_gen: 1,
                max_seq: seq,
                ..State::default()
            }),
            wake: Condvar::new(),
            done: Mutex::new(Durable {
                generation: 0,
                seq,
                failed: false,
            }),
            done_cv: Condvar::new(),
        });
        let worker = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("sonod-commit".into())
            .spawn(move || run(&worker, &store, &mut apply))
            .ok();
        GroupCommit {
            shared,
            thread: Mutex::new(thread),
        }
    }

    /// Claims the next barrier for changes already queued; `seq` is the feed position they
    /// reach (0 when they add no event). Call while the writes' ordering lock is still held.
    pub fn ticket(&self, seq: u64) -> Ticket {
        let mut s = lock(&self.shared.state);
        s.pending = true;
        s.max_seq = s.max_seq.max(seq);
        s.tickets += 1;
        if s.idle || (s.gathering && s.tickets >= s.gather_target) {
            self.shared.wake.notify_one();
        }
        Ticket(s.next_gen)
    }

    fn reached(d: Durable, t: Ticket) -> Option<Result<(), CommitFailed>> {
        if d.generation >= t.0 {
            Some(Ok(()))
        } else if d.failed {
            Some(Err(CommitFailed))
        } else {
            None
        }
    }

    /// Waits until the ticket's generation is durable.
    pub async fn wait(&self, ticket: Ticket) -> Result<(), CommitFailed> {
        let rx = {
            // Registered under the state lock, which the committer takes to hand out results
            // only after it has published a barrier: so no barrier can be missed in between.
            let mut s = lock(&self.shared.state);
            if let Some(r) = Self::reached(*lock(&self.shared.done), ticket) {
                return r;
            }
            let (tx, rx) = oneshot::channel();
            s.waiters.push((ticket.0, tx));
            rx
        };
        rx.await.unwrap_or(Err(CommitFailed))
    }

    /// Blocking form of [`GroupCommit::wait`], for command-line use outside an async runtime.
    pub fn wait_blocking(&self, ticket: Ticket) -> Result<(), CommitFailed> {
        let mut d = lock(&self.shared.done);
        loop {
            if let Some(r) = Self::reached(*d, ticket) {
                return r;
            }
            d = self
                .shared
                .done_cv
                .wait(d)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// What is durable now.
    pub fn durable(&self) -> Durable {
        *lock(&self.shared.done)
    }

    /// Flushes what is pending and stops the thread (graceful shutdown). Writes after this
    /// are refused by their waiters rather than left waiting.
    pub fn shutdown(&self) {
        {
            let mut s = lock(&self.shared.state);
            s.shutdown = true;
            self.shared.wake.notify_one();
        }
        if let Some(t) = lock(&self.thread).take() {
            let _ = t.join();
        }
    }
}

impl Drop for GroupCommit {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Announces a barrier: first the durable position, then the waiters whose generation it
/// covers (all of them, with an error, when it failed).
fn publish(shared: &Shared, d: Durable) {
    *lock(&shared.done) = d;
    shared.done_cv.notify_all();
    let ready: Vec<Waiter> = {
        let mut s = lock(&shared.state);
        let (ready, wait): (Vec<Waiter>, Vec<Waiter>) = std::mem::take(&mut s.waiters)
            .into_iter()
            .partition(|(g, _)| d.failed || *g <= d.generation);
        s.waiters = wait;
        ready
    };
    for (g, tx) in ready {
        let _ = tx.send(if g <= d.generation {
            Ok(())
        } else {
            Err(CommitFailed)
        });
    }
}

/// Waits, at most [`GATHER_MAX`], until `target` tickets are in for the open generation.
/// (Applying the queue in chunks meanwhile, to overlap the writes with the writers' work, was
/// measured: it cost more CPU per certificate than it saved.)
fn gather<'a>(
    shared: &'a Shared,
    mut s: MutexGuard<'a, State>,
    target: usize,
) -> MutexGuard<'a, State> {
    let until = Instant::now() + GATHER_MAX;
    s.gather_target = target;
    while s.tickets < target && !s.shutdown {
        let Some(left) = until.checked_duration_since(Instant::now()) else {
            break;
        };
        s.gathering = true;
        s = shared
            .wake
            .wait_timeout(s, left)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
        s.gathering = false;
    }
    s
}

fn run(shared: &Shared, store: &Store, apply: &mut Apply) {
    // Tickets in the last group closed.
    let mut last_group = 0;
    loop {
        let (generation, seq) = {
            let mut s = lock(&shared.state);
            while !s.pending && !s.shutdown {
                s.idle = true;
                s = shared.wake.wait(s).unwrap_or_else(PoisonError::into_inner);
                s.idle = false;
            }
            if last_group > 1 {
                // Half the writers about: those just answered and those already waiting.
                let target = (last_group + s.tickets).div_ceil(2);
                s = gather(shared, s, target);
            }
            last_group = std::mem::take(&mut s.tickets);
            if !s.pending && s.shutdown {
                drop(s);
                // Changes queued without a ticket (none should be) are written; the caller's
                // final commit makes them durable.
                if let Err(e) = apply() {
                    report(&e);
                }
                let last = *lock(&shared.done);
                publish(
                    shared,
                    Durable {
                        failed: true,
                        ..last
                    },
                );
                return;
            }
            let g = s.next_gen;
            s.next_gen += 1;
            s.pending = false;
            (g, s.max_seq)
        };
        match apply().and_then(|()| store.commit()) {
            Ok(()) => publish(
                shared,
                Durable {
                    generation,
                    seq,
                    failed: false,
                },
            ),
            Err(e) => {
                report(&e);
                let last = *lock(&shared.done);
                publish(
                    shared,
                    Durable {
                        failed: true,
                        ..last
                    },
                );
                return;
            }
        }
    }
}

fn report(e: &StoreError) {
    tracing::error!(error = %e, "durability barrier failed; refusing further writes");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn waiters_are_released_in_generation_order_and_after_shutdown_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let c = GroupCommit::start(store, 0, Box::new(|| Ok(())));
        let mut tickets = Vec::new();
        for seq in 1..=50 {
            tickets.push(c.ticket(seq));
        }
        for t in &tickets {
            c.wait(*t).await.unwrap();
        }
        assert_eq!(c.durable().seq, 50);
        c.wait_blocking(c.ticket(51)).unwrap();
        assert_eq!(c.durable().seq, 51);
        c.shutdown();
        assert_eq!(c.wait(c.ticket(52)).await, Err(CommitFailed));
        assert_eq!(c.wait_blocking(c.ticket(53)), Err(CommitFailed));
    }

    /// Gathering loses no writer: 16 writers, each waiting for its write before the next,
    /// all finish, and share barriers.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writers_are_gathered_into_groups() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let c = Arc::new(GroupCommit::start(store, 0, Box::new(|| Ok(()))));
        let (writers, rounds) = (16, 25);
        let tasks: Vec<_> = (0..writers)
            .map(|_| {
                let c = Arc::clone(&c);
                tokio::spawn(async move {
                    for _ in 0..rounds {
                        c.wait(c.ticket(0)).await.unwrap();
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        let groups = c.durable().generation;
        let writes = (writers * rounds) as u64;
        // Ungathered, a busy machine can still close a group per ticket; gathered, groups
        // hold several writers each (typically all 16).
        assert!(
            groups * 3 <= writes,
            "{groups} barriers for {writes} writes"
        );
    }
}
