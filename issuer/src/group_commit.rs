//! Group commit: many writers, one `flush` + `fsync` for all of them.
//!
//! A writer makes its changes, then takes a *ticket* and waits until the generation its
//! ticket names is durable. One thread runs the barrier in a loop: it closes the current
//! generation, flushes and fsyncs, and announces the generation done. Every write made before
//! a ticket was taken is in the flush of that ticket's generation, so a fsync costs one
//! barrier per group, not per request — the lever on durable throughput.

use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

use tokio::sync::watch;

use crate::store::{Store, StoreError};

/// What the committer has made durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Durable {
    /// The last generation flushed and fsynced.
    pub generation: u64,
    /// The highest feed position covered by it.
    pub seq: u64,
    /// The barrier failed: nothing after this point can be acknowledged.
    pub failed: bool,
}

/// A writer's claim on the next barrier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket(u64);

#[derive(Debug, Default)]
struct State {
    next_gen: u64,
    pending: bool,
    max_seq: u64,
    shutdown: bool,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    wake: Condvar,
    /// The same as the watch channel's value, for waiters outside an async runtime.
    done: Mutex<Durable>,
    done_cv: Condvar,
}

/// The group committer of one store.
#[derive(Debug)]
pub struct GroupCommit {
    shared: Arc<Shared>,
    durable: watch::Receiver<Durable>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

/// The barrier failed; the service must stop acknowledging writes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ডিস্কে স্থায়ীভাবে লেখা যায়নি / the store could not make writes durable")]
pub struct CommitFailed;

impl GroupCommit {
    /// Starts the committer thread for `store`; `seq` is the feed position already durable.
    pub fn start(store: Store, seq: u64) -> GroupCommit {
        let start = Durable {
            generation: 0,
            seq,
            failed: false,
        };
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                next_gen: 1,
                max_seq: seq,
                ..State::default()
            }),
            wake: Condvar::new(),
            done: Mutex::new(start),
            done_cv: Condvar::new(),
        });
        let (tx, rx) = watch::channel(start);
        let worker = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("sonod-commit".into())
            .spawn(move || run(&worker, &store, &tx))
            .ok();
        GroupCommit {
            shared,
            durable: rx,
            thread: Mutex::new(thread),
        }
    }

    /// Claims the next barrier for writes already made; `seq` is the feed position they reach
    /// (0 when they add no event). Call while the writes' ordering lock is still held.
    pub fn ticket(&self, seq: u64) -> Ticket {
        let mut s = lock(&self.shared.state);
        s.pending = true;
        s.max_seq = s.max_seq.max(seq);
        self.shared.wake.notify_one();
        Ticket(s.next_gen)
    }

    /// Waits until the ticket's generation is durable.
    pub async fn wait(&self, ticket: Ticket) -> Result<(), CommitFailed> {
        let mut rx = self.durable.clone();
        let d = rx
            .wait_for(|d| d.failed || d.generation >= ticket.0)
            .await
            .map_err(|_| CommitFailed)?;
        if d.generation >= ticket.0 {
            Ok(())
        } else {
            Err(CommitFailed)
        }
    }

    /// Blocking form of [`GroupCommit::wait`], for command-line use outside an async runtime.
    pub fn wait_blocking(&self, ticket: Ticket) -> Result<(), CommitFailed> {
        let mut d = lock(&self.shared.done);
        loop {
            if d.generation >= ticket.0 {
                return Ok(());
            }
            if d.failed {
                return Err(CommitFailed);
            }
            d = self
                .shared
                .done_cv
                .wait(d)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }

    /// What is durable now.
    pub fn durable(&self) -> Durable {
        *self.durable.borrow()
    }

    /// Flushes what is pending and stops the thread (graceful shutdown).
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

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Announces a barrier: to async waiters, readers of [`GroupCommit::durable`], then blocking
/// waiters — in that order, so that whoever is woken already sees the new position.
fn publish(shared: &Shared, tx: &watch::Sender<Durable>, d: Durable) {
    tx.send_replace(d);
    *lock(&shared.done) = d;
    shared.done_cv.notify_all();
}

fn run(shared: &Shared, store: &Store, tx: &watch::Sender<Durable>) {
    loop {
        let (generation, seq) = {
            let mut s = lock(&shared.state);
            while !s.pending && !s.shutdown {
                s = shared
                    .wake
                    .wait(s)
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
            }
            if !s.pending && s.shutdown {
                drop(s);
                // Closed: a write after this can never be made durable, so its waiter must
                // hear so rather than wait forever.
                let last = *lock(&shared.done);
                publish(
                    shared,
                    tx,
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
        match store.commit() {
            Ok(()) => publish(
                shared,
                tx,
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
                    tx,
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
