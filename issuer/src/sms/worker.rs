//! The background worker: sends due messages in id order and records each outcome durably.

use std::sync::Arc;
use std::time::Duration;

use rand_core::{OsRng, RngCore};
use tokio_util::sync::CancellationToken;

use super::{Message, Outcome, Sender, SmsState};
use crate::ledger::Ledger;

/// Messages taken per round.
const BATCH: usize = 64;
/// Longest sleep when nothing is due (a message queued meanwhile wakes the worker).
const IDLE_MS: i64 = 60_000;

/// Now, Unix milliseconds.
pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// Retry delays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The first delay, milliseconds.
    pub base_ms: u64,
    /// The longest delay, milliseconds.
    pub cap_ms: u64,
}

impl Backoff {
    /// The delay after attempt `attempts` (from 1): `base · 2^(attempts−1)`, capped, then a
    /// random point in its upper half (so retries of many messages spread out).
    pub fn delay_ms(&self, attempts: u32, random: u64) -> u64 {
        let exp = attempts.saturating_sub(1).min(40);
        let full = self.base_ms.saturating_mul(1u64 << exp).min(self.cap_ms);
        let half = full / 2;
        half + random % (full - half + 1)
    }
}

/// The message after an attempt with `outcome` at `now` (Unix milliseconds).
pub fn after_attempt(
    mut m: Message,
    outcome: Outcome,
    max_attempts: u32,
    backoff: Backoff,
    now: i64,
    random: u64,
) -> Message {
    m.attempts = m.attempts.saturating_add(1);
    let done = !matches!(outcome, Outcome::Retry(_)) || m.attempts >= max_attempts;
    if done && m.kind == crate::sms::CODE_KIND {
        // A sign-in code is kept only until it is handed to the gateway (or given up): the
        // store keeps the message's record, not the code.
        m.text.clear();
    }
    match outcome {
        Outcome::Sent(reference) => {
            m.state = SmsState::Sent;
            m.gateway_ref = reference;
            m.last_error = None;
        }
        Outcome::Permanent(why) => {
            m.state = SmsState::Failed;
            m.last_error = Some(why);
        }
        Outcome::Retry(why) => {
            m.last_error = Some(why);
            if m.attempts >= max_attempts {
                m.state = SmsState::Failed;
            } else {
                let delay = backoff.delay_ms(m.attempts, random);
                m.next_at = now.saturating_add(i64::try_from(delay).unwrap_or(i64::MAX));
            }
        }
    }
    m
}

/// Starts the worker on the current runtime; it stops when `stop` is cancelled, after the
/// message in hand is sent and recorded.
pub fn spawn(
    state: crate::server::AppState,
    sender: Arc<Sender>,
    stop: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move { run(state.ledger(), sender, stop).await })
}

/// The worker's loop (see [`spawn`]).
pub async fn run(ledger: &Ledger, sender: Arc<Sender>, stop: CancellationToken) {
    let wake = ledger.sms_queued();
    let backoff = sender.backoff();
    let max_attempts = sender.max_attempts();
    while !stop.is_cancelled() {
        let now = now_ms();
        let (due, later) = match ledger.sms_due(now, BATCH) {
            Ok(d) => d,
            Err(e) => {
                tracing::error!(error = %e, "sms: cannot read the outbox");
                (Vec::new(), Some(now + 1_000))
            }
        };
        if due.is_empty() {
            let wait = later.map_or(IDLE_MS, |t| (t - now).clamp(1, IDLE_MS));
            tokio::select! {
                () = stop.cancelled() => break,
                () = wake.notified() => {
                    // Woken as a message is queued, before its batch is in the tree: wait for
                    // that batch, or the read above would miss it until the idle wait ends.
                    if ledger.sms_barrier().await.is_err() {
                        continue;
                    }
                }
                () = tokio::time::sleep(Duration::from_millis(wait.unsigned_abs())) => {}
            }
            continue;
        }
        // What the tree shows may be just before its barrier: send only what is on disk, so
        // that no message goes out for a change a crash could still take back.
        if let Err(e) = ledger.sms_barrier().await {
            tracing::error!(error = %e, "sms: the store stopped; the worker stops");
            return;
        }
        for m in due {
            if stop.is_cancelled() {
                break;
            }
            let id = m.id;
            let outcome = if m.kind == crate::sms::CODE_KIND
                && now_ms() / 1000 - m.created >= crate::citizen::CODE_SECONDS
            {
                // A sign-in code that could no longer be used: not sent at all.
                Outcome::Permanent("expired".into())
            } else {
                let (s, copy) = (sender.clone(), m.clone());
                tokio::task::spawn_blocking(move || s.send(&copy))
                    .await
                    .unwrap_or_else(|_| Outcome::Retry("sender panicked".into()))
            };
            let m = after_attempt(
                m,
                outcome,
                max_attempts,
                backoff,
                now_ms(),
                OsRng.next_u64(),
            );
            // The message id only: never the number or the text.
            match m.state {
                SmsState::Sent => tracing::info!(sms = id, attempts = m.attempts, "sms sent"),
                SmsState::Failed => {
                    tracing::warn!(sms = id, attempts = m.attempts, error = ?m.last_error, "sms given up")
                }
                SmsState::Queued => {
                    tracing::info!(sms = id, attempts = m.attempts, error = ?m.last_error, retry_at_ms = m.next_at, "sms will be retried")
                }
            }
            if let Err(e) = ledger.sms_record(&m).await {
                tracing::error!(sms = id, error = %e, "sms: outcome not recorded; the worker stops");
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_is_capped_and_jitters_in_the_upper_half() {
        let b = Backoff {
            base_ms: 1_000,
            cap_ms: 60_000,
        };
        assert_eq!(b.delay_ms(1, 0), 500);
        assert_eq!(b.delay_ms(1, u64::MAX), 500 + u64::MAX % 501);
        assert_eq!(b.delay_ms(3, 0), 2_000);
        for r in [0, 1, 12345, u64::MAX] {
            assert!((30_000..=60_000).contains(&b.delay_ms(30, r)));
            assert!((2_000..=4_000).contains(&b.delay_ms(3, r)));
        }
    }

    fn message() -> Message {
        Message {
            id: 1,
            to: "+8801712345678".into(),
            text: "t".into(),
            kind: "issued".into(),
            state: SmsState::Queued,
            attempts: 0,
            next_at: 0,
            created: 0,
            gateway_ref: None,
            last_error: None,
        }
    }

    #[test]
    fn outcomes_move_a_message_on() {
        let b = Backoff {
            base_ms: 100,
            cap_ms: 1_000,
        };
        let m = after_attempt(message(), Outcome::Retry("x".into()), 3, b, 10_000, 0);
        assert_eq!(
            (m.state, m.attempts, m.next_at),
            (SmsState::Queued, 1, 10_050)
        );
        let m = after_attempt(m, Outcome::Retry("x".into()), 3, b, 10_000, 0);
        let m = after_attempt(m, Outcome::Retry("x".into()), 3, b, 10_000, 0);
        assert_eq!((m.state, m.attempts), (SmsState::Failed, 3));
        let m = after_attempt(message(), Outcome::Permanent("no".into()), 3, b, 0, 0);
        assert_eq!(m.state, SmsState::Failed);
        let m = after_attempt(message(), Outcome::Sent(Some("g1".into())), 3, b, 0, 0);
        assert_eq!(
            (m.state, m.gateway_ref.as_deref()),
            (SmsState::Sent, Some("g1"))
        );
        assert_eq!(m.text, "t", "an ordinary message is kept whole");
    }

    #[test]
    fn a_sign_in_code_is_erased_once_sent_or_given_up_not_before() {
        let b = Backoff {
            base_ms: 100,
            cap_ms: 1_000,
        };
        let code = Message {
            kind: crate::sms::CODE_KIND.into(),
            text: "কোড ১২৩৪৫৬".into(),
            ..message()
        };
        let m = after_attempt(code.clone(), Outcome::Retry("x".into()), 3, b, 0, 0);
        assert_eq!(m.text, code.text, "kept for the next try");
        let m = after_attempt(m, Outcome::Sent(None), 3, b, 0, 0);
        assert!(m.text.is_empty());
        let m = after_attempt(code, Outcome::Permanent("no".into()), 3, b, 0, 0);
        assert!(m.text.is_empty());
    }
}
