//! The verification service, without HTTP: [`Verifier`] judges QR texts against the trust list
//! in use and the replicated feeds, with the reading cache, the signature desk, the batch
//! bookkeeping and the wait for a feed to confirm a certificate it has not shown yet.
//!
//! The HTTP API and the pages (`crate::server`) parse a request, call it and render its
//! answers; a test or another front drives it directly.
//!
//! A certificate signed with a trusted key but not in its office's replicated feed is judged
//! `unconfirmed` only after a short wait ([`VerifierSettings::confirm_wait`]) in which its office's
//! feed is read again: a genuine certificate is in the feed before anyone can show it, so the
//! feed read after the certificate was first seen here either has it (`valid`) or proves it
//! forged (`not_issued`). Only payloads whose signature holds with a trusted key wait; the
//! found path does no more than before.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;
use serde::Serialize;
use sonod_keys::{today_dhaka, OfficeCode};
use sonod_seal::parse_qr_text;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};

use crate::{
    verify_signatures, FeedSource, Prepared, Reading, Replica, SignatureDesk, TrustHandle,
    TrustState, Unchecked, Verdict, VerdictJson,
};

/// How the verifier judges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierSettings {
    /// How long a certificate that is signed with a trusted key but not yet in its office's
    /// replicated feed waits for that feed to be read again (an office whose feed this
    /// verifier follows; zero: no wait, the answer stays `unconfirmed` until the next sync).
    pub confirm_wait: Duration,
    /// A feed not caught up for longer makes the verifier unready, and its office's issued
    /// certificates read `unconfirmed` (`stale`).
    pub max_staleness: Duration,
    /// Most signatures of concurrent single checks made together (see [`SignatureDesk`];
    /// 1: each alone).
    pub signature_round: usize,
    /// Most signature rounds at once.
    pub signature_checkers: usize,
}

impl Default for VerifierSettings {
    fn default() -> VerifierSettings {
        VerifierSettings {
            confirm_wait: Duration::from_millis(1500),
            max_staleness: Duration::from_secs(600),
            signature_round: 64,
            signature_checkers: 1,
        }
    }
}

/// Why nothing can be judged now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// No valid trust list is loaded.
    #[error("{}", crate::l10n::both("verify-no-trust-list", &[]))]
    NoTrustList,
}

/// One verdict with when and on what data it was made.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The verdict.
    pub verdict: Verdict,
    /// When it was checked.
    pub checked_at: OffsetDateTime,
    /// The reading it was made from, when it came from the cache: a re-scan, whose answer
    /// takes the facts as the reading keeps them written (written on the second sighting, so
    /// that a stream of distinct payloads does not pay for keeping them).
    reading: Option<Arc<Reading>>,
}

impl Answer {
    /// The verdict's JSON, with the facts as its reading keeps them written.
    pub fn json(&self) -> VerdictJson<'_> {
        self.verdict
            .json_with_facts(self.reading.as_deref().and_then(Reading::certificate_json))
    }
}

/// Answers to many payloads, some perhaps waiting on their offices' feeds
/// ([`Verifier::settle`]).
#[derive(Debug)]
pub struct Answers {
    /// The answers, in the payloads' order.
    pub answers: Vec<Answer>,
    /// When they were checked.
    pub checked_at: OffsetDateTime,
    /// The trust list they were judged with.
    trust: Arc<TrustState>,
    /// The answers (by place) whose certificate is signed with a trusted key but not yet in
    /// its office's replicated feed, with their readings (their signature already checked).
    waiting: Vec<(usize, Arc<Reading>)>,
}

impl Answers {
    /// Whether no answer waits on a feed.
    pub fn is_settled(&self) -> bool {
        self.waiting.is_empty()
    }

    /// The verdicts, in the payloads' order.
    pub fn verdicts(&self) -> impl Iterator<Item = &Verdict> {
        self.answers.iter().map(|a| &a.verdict)
    }
}

/// How current the replica of an office's feed is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Freshness {
    /// The office code.
    pub office: OfficeCode,
    /// When the replica last caught up with the feed (RFC 3339), if ever.
    pub feed_synced_at: Option<String>,
    /// Seconds since then.
    pub feed_age_seconds: Option<i64>,
    /// The last event replicated.
    pub feed_position: Option<u64>,
}

/// `t` in RFC 3339.
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct VerdictLabels {
    verdict: &'static str,
}

/// What the verifier counts: verdicts by kind, readings from the cache or afresh.
#[derive(Debug, Default)]
struct Counters {
    verdicts: Family<VerdictLabels, Counter>,
    cache_hits: Counter,
    cache_misses: Counter,
}

impl Counters {
    fn verdict(&self, kind: &'static str) {
        self.verdicts
            .get_or_create(&VerdictLabels { verdict: kind })
            .inc();
    }

    fn reading(&self, hit: bool) {
        if hit {
            self.cache_hits.inc();
        } else {
            self.cache_misses.inc();
        }
    }
}

/// The verification service: judges QR texts (see the module).
#[derive(Debug)]
pub struct Verifier {
    settings: VerifierSettings,
    replica: Arc<Replica>,
    trust: Arc<TrustHandle>,
    feeds: Vec<Arc<FeedSource>>,
    desk: SignatureDesk,
    counters: Counters,
}

impl Verifier {
    /// A verifier over the trust list of `trust`, the feeds replicated in `replica` and the
    /// feed sources it may read again (`feeds`: none, and nothing waits).
    pub fn new(
        replica: Arc<Replica>,
        trust: Arc<TrustHandle>,
        feeds: Vec<Arc<FeedSource>>,
        settings: VerifierSettings,
    ) -> Verifier {
        // A feed not read within the staleness limit cannot vouch that a certificate is not
        // revoked: its answers then say so (`unconfirmed`, `stale`), as readiness does.
        replica.set_max_staleness(settings.max_staleness);
        let desk = SignatureDesk::new(settings.signature_round, settings.signature_checkers);
        Verifier {
            settings,
            replica,
            trust,
            feeds,
            desk,
            counters: Counters::default(),
        }
    }

    /// Registers the verdict and reading-cache counters (`verdicts`, `reading_cache_hits`,
    /// `reading_cache_misses`).
    pub fn register_counters(&self, r: &mut Registry) {
        let c = &self.counters;
        r.register("verdicts", "Verdicts given, by kind", c.verdicts.clone());
        r.register(
            "reading_cache_hits",
            "Payloads whose reading came from the cache",
            c.cache_hits.clone(),
        );
        r.register(
            "reading_cache_misses",
            "Payloads read afresh",
            c.cache_misses.clone(),
        );
    }

    /// Registers the signature desk's counters (`signature_rounds`, `signature_round_checks`).
    pub fn register_desk(&self, r: &mut Registry) {
        r.register(
            "signature_rounds",
            "Rounds of signature checks (concurrent requests' checks made together)",
            self.desk.rounds().clone(),
        );
        r.register(
            "signature_round_checks",
            "Signatures checked in those rounds",
            self.desk.signatures().clone(),
        );
    }

    /// How it judges.
    pub fn settings(&self) -> &VerifierSettings {
        &self.settings
    }

    /// The feed replica.
    pub fn replica(&self) -> &Arc<Replica> {
        &self.replica
    }

    /// The trust list handle.
    pub fn trust(&self) -> &Arc<TrustHandle> {
        &self.trust
    }

    /// The feed sources.
    pub fn feeds(&self) -> &[Arc<FeedSource>] {
        &self.feeds
    }

    /// The signature desk.
    pub fn desk(&self) -> &SignatureDesk {
        &self.desk
    }

    /// The trust list in use.
    pub fn trust_state(&self) -> Result<Arc<TrustState>, VerifyError> {
        self.trust.current().ok_or(VerifyError::NoTrustList)
    }

    /// Why the verifier cannot judge well now, if it cannot: no trust list, a failed replica,
    /// or a feed not caught up within the staleness limit.
    pub fn readiness_problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.trust.current().is_none() {
            out.push(format!(
                "no valid trust list{}",
                self.trust
                    .last_error()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default()
            ));
        }
        if self.replica.has_failed() {
            out.push("the replica store failed".to_owned());
        }
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let limit = i64::try_from(self.settings.max_staleness.as_secs()).unwrap_or(i64::MAX);
        for feed in &self.feeds {
            let st = feed.status();
            let synced = st
                .office
                .or_else(|| self.replica.source_office(feed.url()))
                .and_then(|o| self.replica.office(&o))
                .and_then(|f| f.synced_at());
            match synced {
                Some(at) if now.saturating_sub(at) <= limit => {}
                Some(at) => out.push(format!(
                    "feed {} is {} s stale (limit {limit} s)",
                    feed.url(),
                    now.saturating_sub(at)
                )),
                None => out.push(format!("feed {} has never been synced", feed.url())),
            }
        }
        out
    }

    /// The verdict up to the signature, and whether the reading came from the cache (a
    /// re-scan: its answer then takes the facts as the reading keeps them written).
    fn prepare(&self, trust: &TrustState, text: &str, today: Date) -> (Prepared, bool) {
        match parse_qr_text(text) {
            Ok(qr) => {
                let (reading, hit) = trust.cache().reading(&qr.bytes);
                self.counters.reading(hit);
                let p = trust
                    .judge()
                    .prepare_reading(qr.host, reading, today, &*self.replica);
                (p, hit)
            }
            Err(_) => (trust.judge().prepare(text, today, &*self.replica), false),
        }
    }

    /// The feed source this verifier follows `office` through, if any.
    fn source_for(&self, office: &OfficeCode) -> Option<&Arc<FeedSource>> {
        self.feeds.iter().find(|f| f.serves(office))
    }

    /// Whether `verdict` (whose signature held, and whose feed said "not yet") is worth a
    /// wait: its office's feed is one this verifier reads, and waiting is configured.
    fn worth_waiting(&self, verdict: &Verdict) -> bool {
        !self.settings.confirm_wait.is_zero()
            && matches!(verdict.unchecked, Some(Unchecked::NotYetPublished { .. }))
            && verdict
                .office
                .as_ref()
                .is_some_and(|o| self.source_for(&o.code).is_some())
    }

    /// Judges one QR text, its signature checked at the [`SignatureDesk`] together with those
    /// of concurrent checks; and, when it waits on its office's feed, its reading.
    async fn judge_one(
        &self,
        trust: &TrustState,
        text: &str,
        today: Date,
    ) -> (Answer, Option<Arc<Reading>>) {
        let checked_at = OffsetDateTime::now_utc();
        let (prepared, hit) = self.prepare(trust, text, today);
        let (ok, reading, waiting) = match prepared.signature_check() {
            Some(c) => {
                let ok = self.desk.check(c).await;
                let waiting = (ok && prepared.awaits_publication()).then(|| c.shared_reading());
                (ok, hit.then(|| c.shared_reading()), waiting)
            }
            None => (false, None, None),
        };
        let verdict = prepared.finish(ok);
        let waiting = waiting.filter(|_| self.worth_waiting(&verdict));
        if waiting.is_none() {
            self.counters.verdict(verdict.kind.as_str());
        }
        let answer = Answer {
            verdict,
            checked_at,
            reading,
        };
        (answer, waiting)
    }

    /// Judges one QR text (a URL or bare Base32). Its signature check is made at the
    /// [`SignatureDesk`], together with those of concurrent checks. A certificate signed with a
    /// trusted key but not yet in its office's feed waits for the feed (see
    /// [`Verifier::settle`]).
    pub async fn verify_one(&self, text: &str) -> Result<Answer, VerifyError> {
        let trust = self.trust_state()?;
        let (answer, waiting) = self.judge_one(&trust, text, today_dhaka()).await;
        let Some(reading) = waiting else {
            return Ok(answer);
        };
        let mut answers = [answer];
        self.settle_waiting(&trust, &mut answers, vec![(0, reading)])
            .await;
        let [answer] = answers;
        Ok(answer)
    }

    /// Judges a few QR texts one after another (the codes found in one photo), without
    /// waiting on feeds yet: see [`Verifier::settle`].
    pub async fn verify_each(&self, texts: &[impl AsRef<str>]) -> Result<Answers, VerifyError> {
        let trust = self.trust_state()?;
        let today = today_dhaka();
        let checked_at = OffsetDateTime::now_utc();
        let mut answers = Vec::with_capacity(texts.len());
        let mut waiting = Vec::new();
        for (i, t) in texts.iter().enumerate() {
            let (a, w) = self.judge_one(&trust, t.as_ref(), today).await;
            answers.push(a);
            if let Some(r) = w {
                waiting.push((i, r));
            }
        }
        Ok(Answers {
            answers,
            checked_at,
            trust,
            waiting,
        })
    }

    /// Judges many QR texts, checking their signatures in batches; answers in order, without
    /// waiting on feeds yet: see [`Verifier::settle`]. Blocking (up to a thousand signature
    /// checks): call it off the async workers.
    pub fn verify_batch(&self, texts: &[impl AsRef<str>]) -> Result<Answers, VerifyError> {
        let trust = self.trust_state()?;
        let checked_at = OffsetDateTime::now_utc();
        let today = today_dhaka();
        let (prepared, hits): (Vec<Prepared>, Vec<bool>) = texts
            .iter()
            .map(|t| self.prepare(&trust, t.as_ref(), today))
            .unzip();
        let mut oks = vec![false; prepared.len()];
        {
            let mut todo = Vec::new();
            let mut checks = Vec::new();
            for (i, p) in prepared.iter().enumerate() {
                if let Some(c) = p.signature_check() {
                    match c.reading().recorded_signature() {
                        Some(ok) => oks[i] = ok,
                        None => {
                            todo.push(i);
                            checks.push(c);
                        }
                    }
                }
            }
            let results = verify_signatures(&checks);
            for ((&i, c), ok) in todo.iter().zip(&checks).zip(results) {
                c.reading().record_signature(ok);
                oks[i] = ok;
            }
        }
        let mut waiting = Vec::new();
        let answers = prepared
            .into_iter()
            .zip(oks)
            .zip(hits)
            .enumerate()
            .map(|(i, ((p, ok), hit))| {
                let check = p.signature_check();
                let reading = check.filter(|_| hit).map(|c| c.shared_reading());
                let wait = check
                    .filter(|_| ok && p.awaits_publication())
                    .map(|c| c.shared_reading());
                let verdict = p.finish(ok);
                match wait.filter(|_| self.worth_waiting(&verdict)) {
                    Some(r) => waiting.push((i, r)),
                    None => self.counters.verdict(verdict.kind.as_str()),
                }
                Answer {
                    verdict,
                    checked_at,
                    reading,
                }
            })
            .collect();
        Ok(Answers {
            answers,
            checked_at,
            trust,
            waiting,
        })
    }

    /// Settles the answers that wait on their offices' feeds: wakes each such feed's sync
    /// task for a round now (rounds are shared with other waiting checks) and waits, at most
    /// [`VerifierSettings::confirm_wait`] for all of them together, until the replica has caught up
    /// with the feed after the latest of its certificates was first seen here; then judges
    /// those answers again from the replica, with their readings (no second signature check).
    /// A certificate the feed then has is `valid`; one it lacks is `not_issued`; when the feed
    /// could not be read in time (issuer unreachable, slow) it stays `unconfirmed`.
    pub async fn settle(&self, answers: &mut Answers) {
        if answers.waiting.is_empty() {
            return;
        }
        let waiting = std::mem::take(&mut answers.waiting);
        let trust = Arc::clone(&answers.trust);
        answers.checked_at = self
            .settle_waiting(&trust, &mut answers.answers, waiting)
            .await;
    }

    /// [`Verifier::settle`] of `waiting` (places in `answers`, with their readings); returns
    /// when they were judged again.
    async fn settle_waiting(
        &self,
        trust: &TrustState,
        answers: &mut [Answer],
        waiting: Vec<(usize, Arc<Reading>)>,
    ) -> OffsetDateTime {
        let deadline = tokio::time::Instant::now() + self.settings.confirm_wait;
        // The latest sighting of each office's waiting certificates.
        let mut offices: BTreeMap<OfficeCode, i64> = BTreeMap::new();
        for (i, r) in &waiting {
            if let Some(o) = answers.get(*i).and_then(|a| a.verdict.office.as_ref()) {
                let seen = offices.entry(o.code.clone()).or_insert(i64::MIN);
                *seen = (*seen).max(r.first_seen_ms());
            }
        }
        let mut feeds = tokio::task::JoinSet::new();
        for (office, seen) in offices {
            if let Some(source) = self.source_for(&office) {
                let (source, replica) = (Arc::clone(source), Arc::clone(&self.replica));
                feeds.spawn(async move {
                    source
                        .await_sync_after(&replica, &office, seen, deadline)
                        .await
                });
            }
        }
        while feeds.join_next().await.is_some() {}
        let today = today_dhaka();
        let checked_at = OffsetDateTime::now_utc();
        for (i, reading) in waiting {
            let Some(a) = answers.get_mut(i) else {
                continue;
            };
            // The signature held: that is why it waited.
            let v = trust
                .judge()
                .prepare_reading(a.verdict.host.clone(), reading, today, &*self.replica)
                .finish(true);
            self.counters.verdict(v.kind.as_str());
            a.verdict = v;
            a.checked_at = checked_at;
        }
        checked_at
    }

    /// How fresh the replica is for `office`: when its feed was last caught up and where.
    pub fn freshness(&self, office: &OfficeCode, now: OffsetDateTime) -> Freshness {
        let feed = self.replica.office(office);
        let synced = feed.and_then(|f| f.synced_at());
        Freshness {
            office: office.clone(),
            feed_synced_at: synced
                .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
                .map(rfc3339),
            feed_age_seconds: synced.map(|s| now.unix_timestamp().saturating_sub(s).max(0)),
            feed_position: feed.map(|f| f.position),
        }
    }
}
