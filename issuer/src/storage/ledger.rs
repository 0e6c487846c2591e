//! The office's ledger: the one write path for certificates, revocations and the event feed.
//!
//! Every write — an issued certificate with its `issued` event, a revocation with its
//! `revoked` event, an audit entry — is queued under one short lock that also hands out the
//! feed position, so the feed is gap-free and in order. The caller then waits for the group
//! commit to make it durable before answering. The feed is served only up to the durable
//! position, so no reader ever sees an event that a power cut could take back.
//!
//! # Atomicity and the barrier
//!
//! All of it lives in the store's one `ledger` tree (see the `store` module for the key
//! layout). A write is queued as entries of one [`sled::Batch`]; the committer thread takes
//! the whole queue — the writes of every request of its generation, in feed order — and
//! writes it with `Tree::apply_batch`, which sled makes atomic across a crash (the batch is
//! recovered whole or not at all, whatever else sled flushed meanwhile). Only then does it run
//! the barrier, [`Store::commit`] (`flush` + `fsync` of sled's data file), and wake the
//! waiters. So a certificate, its event, its audit entry and its idempotency record become
//! durable together, and a generation becomes durable only after every earlier one.
//!
//! Until its batch is written, a change is not in the tree: reads (`GET` of a certificate,
//! the status list) see it once its generation is written, just before its barrier. What a
//! write must see earlier — a retried idempotency key, a second revocation — it finds in the
//! queue, which is kept until the tree has it.
//!
//! An SMS the change causes (a certificate issued or revoked whose record has a mobile number)
//! is queued in the same batch, in the outbox (see `crate::sms`): a crash keeps the change and
//! its message together or neither. The SMS worker records each send through the same path.
//!
//! Serials are reserved in durable blocks before use: a crash leaves a gap in the numbers,
//! never a serial used twice.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sonod_keys::{today_dhaka, KeyId, OfficeCode, SecretKey};
use sonod_seal::feed::{chain_next, chain_start, Event, EventKind, RevocationReason};
use sonod_seal::{Certificate, Record, SealError, Sealed};

use crate::sealing::office_key::{OfficeKey, SigningRefused};
use crate::sms::{Message, SmsState};
use crate::storage::group_commit::{CommitFailed, GroupCommit, Ticket};
use crate::storage::store::{
    key, last_number, number_of, Store, StoreError, StoredCertificate, APPLICATION, AUDIT, CERT,
    EVENT, IDEMPOTENCY, REVOCATION, SMS, SMS_DUE,
};

mod applications;
pub use applications::{ApplicationChange, ApplicationOutcome, ChangeError};

/// Serials reserved per durable block.
const SERIAL_BLOCK: u64 = 1024;

/// Certificates re-sealed before [`Ledger::reseal`] waits for them to be durable.
const RESEAL_BATCH: usize = 64;

/// Key prefix of the feed's chain hash after an event (`sonod_seal::feed::chain_next`), by
/// sequence number: 32 bytes, written in the same batch as the event.
const CHAIN: u8 = b'h';
/// Key prefix of a re-sealed certificate's mark, by serial: the key id it was sealed with
/// before (text).
const RESEALED: u8 = b'z';
/// Longest idempotency key.
pub const MAX_IDEMPOTENCY_KEY: usize = 200;

/// Why a ledger write failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The record could not be sealed.
    #[error(transparent)]
    Seal(#[from] SealError),
    /// The office key may not seal the record: not dated today in Dhaka, outside the key's
    /// window, or expiring on or before its issue date.
    #[error(transparent)]
    Refused(#[from] SigningRefused),
    /// No certificate with that serial.
    #[error("{}", crate::l10n::both("ledger-not-found", &[("n0", &format!("{}", .0))]))]
    NotFound(u64),
    /// An idempotency key was reused with a different request.
    #[error("{}", crate::l10n::both("ledger-idempotency-mismatch", &[]))]
    IdempotencyMismatch,
    /// The durability barrier failed.
    #[error(transparent)]
    Commit(#[from] CommitFailed),
}

/// A revocation as the office keeps it (the note stays private; the feed has the reason).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    /// Serial.
    pub serial: u64,
    /// When, Unix seconds.
    pub at: i64,
    /// Why.
    pub reason: RevocationReason,
    /// Free text for the office's records.
    pub note: String,
    /// Who.
    pub by: String,
}

/// One audit entry: who did what, when. Written with the change itself; never edited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position, from 1.
    pub seq: u64,
    /// When, Unix seconds.
    pub at: i64,
    /// The account that acted.
    pub actor: String,
    /// What it did (`issue`, `revoke`, `reseal`, `user.add`, …).
    pub action: String,
    /// What it acted on (a serial, an account name).
    pub target: String,
    /// Details without personal data.
    pub detail: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct IdempotencyEntry {
    serial: u64,
    request_hash: String,
}

/// An idempotency record to write with its certificate.
struct IdempotencyWrite {
    /// The ledger-tree key.
    key: Vec<u8>,
    /// The stored [`IdempotencyEntry`].
    value: Vec<u8>,
    request_hash: String,
    certificate: StoredCertificate,
}

/// What a ledger write changes besides the feed and the audit log.
enum Change {
    Certificate {
        serial: u64,
        bytes: Vec<u8>,
        idempotency: Option<IdempotencyWrite>,
    },
    Revocation {
        revocation: Revocation,
        bytes: Vec<u8>,
    },
}

/// A write to an account tree (`users`, `tokens`), queued with its audit entry so that both
/// reach the disk together or not at all.
pub(crate) struct AccountWrite {
    /// The tree: one of the store's account trees.
    pub tree: sled::Tree,
    /// The key.
    pub key: Vec<u8>,
    /// The new value, or `None` to remove the key.
    pub value: Option<Vec<u8>>,
}

impl std::fmt::Debug for AccountWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Keys are token hashes and account names, values password hashes: none in debug output.
        write!(
            f,
            "AccountWrite({:?})",
            String::from_utf8_lossy(&self.tree.name())
        )
    }
}

/// Changes queued under the write lock and not yet in the tree: the committer writes them as
/// one batch just before its barrier. The maps are what a write must see of them before then.
#[derive(Debug, Default)]
struct Pending {
    batch: sled::Batch,
    /// Writes to account trees; a generation that has any is written as one multi-tree
    /// transaction instead of one batch (rare: accounts change by hand).
    accounts: Vec<AccountWrite>,
    /// Idempotency records in the batch: prefixed key → (request hash, certificate).
    idempotency: HashMap<Vec<u8>, (String, StoredCertificate)>,
    /// Revocations in the batch.
    revocations: HashMap<u64, Revocation>,
    /// Applications in the batch, by id.
    applications: HashMap<u64, crate::applications::Application>,
    /// Open-repeat index entries in the batch: key → the open application, or none.
    duplicates: HashMap<Vec<u8>, Option<u64>>,
    empty: bool,
}

impl Pending {
    fn new() -> Pending {
        Pending {
            empty: true,
            ..Pending::default()
        }
    }

    fn insert(&mut self, key: impl Into<sled::IVec>, value: Vec<u8>) {
        self.batch.insert(key, value);
        self.empty = false;
    }

    fn remove(&mut self, key: impl Into<sled::IVec>) {
        self.batch.remove(key);
        self.empty = false;
    }
}

#[derive(Debug)]
struct WriteState {
    next_serial: u64,
    reserved_end: u64,
    next_seq: u64,
    /// The feed's chain hash after event `next_seq - 1` (`None` before the first event while
    /// the store has no office yet).
    chain: Option<[u8; 32]>,
    next_audit: u64,
    /// The next outbox message id.
    next_sms: u64,
    /// The next application id.
    next_application: u64,
    /// Queued for the next batch.
    queued: Pending,
    /// Taken by the committer, being written now (its batch is gone, its maps are kept until
    /// the tree has it all).
    applying: Pending,
}

impl WriteState {
    fn pending_idempotency(&self, k: &[u8]) -> Option<&(String, StoredCertificate)> {
        self.queued
            .idempotency
            .get(k)
            .or_else(|| self.applying.idempotency.get(k))
    }

    fn pending_revocation(&self, serial: u64) -> Option<&Revocation> {
        self.queued
            .revocations
            .get(&serial)
            .or_else(|| self.applying.revocations.get(&serial))
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The committer's hook: writes the queued changes as one batch. `applying` is held the whole
/// time so that a backup never sees half of it; the write lock only to swap the queue, so
/// writers go on queueing meanwhile.
fn apply_queued(
    tree: &sled::Tree,
    state: &Mutex<WriteState>,
    applying: &Mutex<()>,
) -> Result<(), StoreError> {
    let _applying = lock(applying);
    let (batch, accounts) = {
        let mut s = lock(state);
        if s.queued.empty {
            return Ok(());
        }
        s.applying = std::mem::replace(&mut s.queued, Pending::new());
        (
            std::mem::take(&mut s.applying.batch),
            std::mem::take(&mut s.applying.accounts),
        )
    };
    let written = if accounts.is_empty() {
        tree.apply_batch(batch)
    } else {
        apply_with_accounts(tree, &batch, &accounts)
    };
    // Now in the tree (or, on an error, never: the committer stops and no write of this
    // batch is acknowledged).
    lock(state).applying = Pending::new();
    Ok(written?)
}

/// Writes a generation that changes accounts: the ledger batch and the account writes in one
/// multi-tree transaction, which sled 0.34 makes atomic across a crash with the same batch
/// marker as `apply_batch` (see the `store` module). The closure only writes, so a retry
/// writes the same.
fn apply_with_accounts(
    tree: &sled::Tree,
    batch: &sled::Batch,
    accounts: &[AccountWrite],
) -> sled::Result<()> {
    use sled::transaction::{ConflictableTransactionError, TransactionError, Transactional};
    let mut trees = vec![tree.clone()];
    for w in accounts {
        if !trees.iter().any(|t| t.name() == w.tree.name()) {
            trees.push(w.tree.clone());
        }
    }
    let index = |t: &sled::Tree| trees.iter().position(|u| u.name() == t.name()).unwrap_or(0);
    let slots: Vec<usize> = accounts.iter().map(|w| index(&w.tree)).collect();
    let result = trees.as_slice().transaction(|views| {
        views[0].apply_batch(batch)?;
        for (w, &i) in accounts.iter().zip(&slots) {
            match &w.value {
                Some(v) => views[i].insert(w.key.as_slice(), v.as_slice())?,
                None => views[i].remove(w.key.as_slice())?,
            };
        }
        Ok::<(), ConflictableTransactionError<()>>(())
    });
    match result {
        Ok(()) => Ok(()),
        Err(TransactionError::Storage(e)) => Err(e),
        Err(TransactionError::Abort(())) => Err(sled::Error::ReportableBug(
            "an account transaction aborted".into(),
        )),
    }
}

/// What an issue produced.
#[derive(Debug, Clone)]
pub struct IssueOutcome {
    /// The stored certificate.
    pub certificate: StoredCertificate,
    /// False when an earlier request with the same idempotency key made it.
    pub created: bool,
    ticket: Ticket,
}

/// What a revocation produced.
#[derive(Debug, Clone)]
pub struct RevokeOutcome {
    /// The revocation (the first one, when revoked before).
    pub revocation: Revocation,
    /// False when it was already revoked.
    pub created: bool,
    ticket: Ticket,
}

/// The office's ledger.
#[derive(Debug)]
pub struct Ledger {
    store: Store,
    /// The store's ledger tree: certificates, events, audit, revocations, idempotency records.
    tree: sled::Tree,
    state: Arc<Mutex<WriteState>>,
    /// Held by the committer while it writes a batch, and by a backup.
    applying: Arc<Mutex<()>>,
    commit: GroupCommit,
    /// The link the "issued" SMS carries (the verifier's site), set once by the service.
    sms_link: std::sync::OnceLock<String>,
    /// Woken when a message is queued (the SMS worker waits on it).
    sms_queued: Arc<tokio::sync::Notify>,
}

fn idempotency_key(k: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(1 + k.len());
    v.push(IDEMPOTENCY);
    v.extend_from_slice(k);
    v
}

fn json<T: Serialize>(v: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn parse<T: for<'de> Deserialize<'de>>(b: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(b).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Now, Unix seconds.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// The chain hash after event `seq` of the ledger at opening. A ledger written before the
/// chain existed has none: it is worked out from its events once and written (one batch).
fn chain_after(store: &Store, tree: &sled::Tree, seq: u64) -> Result<Option<[u8; 32]>, StoreError> {
    if let Some(v) = tree.get(key(CHAIN, seq))? {
        if let Ok(c) = <[u8; 32]>::try_from(v.as_ref()) {
            return Ok(Some(c));
        }
    }
    let Some(office) = store.office()? else {
        return Ok(None);
    };
    let office = OfficeCode::parse(&office).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mut chain = chain_start(&office);
    let mut batch = sled::Batch::default();
    for r in tree.range(key(EVENT, 1)..=key(EVENT, seq)) {
        let (k, v) = r?;
        let event: Event = parse(&v)?;
        chain = chain_next(&chain, &event);
        batch.insert(
            &key(CHAIN, number_of(EVENT, &k).unwrap_or(event.seq)),
            chain.to_vec(),
        );
    }
    if seq > 0 {
        tree.apply_batch(batch)?;
        tree.flush()?;
    }
    Ok(Some(chain))
}

/// Lower-case hex SHA-256.
pub fn hex_hash(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(&Sha256::digest(bytes))
}

impl Ledger {
    /// Opens the ledger on a store and starts its committer.
    pub fn open(store: Store) -> Result<Ledger, StoreError> {
        let tree = store.ledger_tree().clone();
        let seq = last_number(&tree, EVENT)?;
        let next_audit = last_number(&tree, AUDIT)? + 1;
        let next_sms = last_number(&tree, SMS)? + 1;
        let next_application = last_number(&tree, APPLICATION)? + 1;
        // Nothing is reserved in memory yet: the first issue reserves a durable block.
        let next_serial = store.next_serial()?;
        let chain = chain_after(&store, &tree, seq)?;
        let state = Arc::new(Mutex::new(WriteState {
            next_serial,
            reserved_end: next_serial,
            next_seq: seq + 1,
            chain,
            next_audit,
            next_sms,
            next_application,
            queued: Pending::new(),
            applying: Pending::new(),
        }));
        let applying = Arc::new(Mutex::new(()));
        let apply = {
            let (tree, state, applying) = (tree.clone(), state.clone(), applying.clone());
            Box::new(move || apply_queued(&tree, &state, &applying))
        };
        let commit = GroupCommit::start(store.clone(), seq, apply);
        let ledger = Ledger {
            state,
            applying,
            store,
            tree,
            commit,
            sms_link: std::sync::OnceLock::new(),
            sms_queued: Arc::new(tokio::sync::Notify::new()),
        };
        ledger.index_old_certificates()?;
        Ok(ledger)
    }

    /// The underlying store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The group committer.
    pub fn committer(&self) -> &GroupCommit {
        &self.commit
    }

    fn lock(&self) -> MutexGuard<'_, WriteState> {
        lock(&self.state)
    }

    fn allocate_serial(&self) -> Result<u64, StoreError> {
        self.allocate_serial_in(&mut self.lock())
    }

    fn allocate_serial_in(&self, s: &mut WriteState) -> Result<u64, StoreError> {
        if s.next_serial == s.reserved_end {
            let block = self.store.reserve_serials(SERIAL_BLOCK)?;
            s.next_serial = block.start;
            s.reserved_end = block.end;
        }
        let serial = s.next_serial;
        s.next_serial += 1;
        Ok(serial)
    }

    fn put_audit(
        &self,
        s: &mut WriteState,
        at: i64,
        actor: &str,
        action: &str,
        target: String,
        detail: String,
    ) -> Result<(), StoreError> {
        let seq = s.next_audit;
        let entry = AuditEntry {
            seq,
            at,
            actor: actor.into(),
            action: action.into(),
            target,
            detail,
        };
        s.queued.insert(&key(AUDIT, seq), json(&entry)?);
        s.next_audit += 1;
        Ok(())
    }

    /// Writes a change and its feed event and audit entry as one batch on the ledger tree,
    /// which sled applies atomically (see the `store` module), so that a crash can never keep
    /// one without the others (a certificate without its `issued` event would be judged
    /// `not_issued`). Returns the event's feed position.
    fn write_change(
        &self,
        s: &mut WriteState,
        change: Change,
        kind: EventKind,
        audit: (&str, &str, String, String),
    ) -> Result<u64, StoreError> {
        let at = now();
        let seq = s.next_seq;
        let (actor, action, target, detail) = audit;
        let prev = match s.chain {
            Some(c) => c,
            None => {
                let office = self.store.office()?.ok_or_else(|| {
                    StoreError::Corrupt("an event before the store has an office".into())
                })?;
                chain_start(
                    &OfficeCode::parse(&office).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                )
            }
        };
        let event = Event { seq, at, kind };
        let chain = chain_next(&prev, &event);
        let event = json(&event)?;
        let entry = json(&AuditEntry {
            seq: s.next_audit,
            at,
            actor: actor.into(),
            action: action.into(),
            target,
            detail,
        })?;
        // Nothing can fail from here: the change is queued whole or not at all.
        let q = &mut s.queued;
        match change {
            Change::Certificate {
                serial,
                bytes,
                idempotency,
            } => {
                q.insert(&key(CERT, serial), bytes);
                if let Some(i) = idempotency {
                    q.insert(i.key.as_slice(), i.value);
                    q.idempotency.insert(i.key, (i.request_hash, i.certificate));
                }
            }
            Change::Revocation { revocation, bytes } => {
                q.insert(&key(REVOCATION, revocation.serial), bytes);
                q.revocations.insert(revocation.serial, revocation);
            }
        }
        q.insert(&key(EVENT, seq), event);
        q.insert(&key(CHAIN, seq), chain.to_vec());
        q.insert(&key(AUDIT, s.next_audit), entry);
        s.chain = Some(chain);
        s.next_seq += 1;
        s.next_audit += 1;
        Ok(seq)
    }

    /// Records an audit entry for a change made elsewhere (accounts), durable at the next
    /// barrier, which this waits for.
    pub async fn audit(
        &self,
        actor: &str,
        action: &str,
        target: &str,
        detail: &str,
    ) -> Result<(), LedgerError> {
        let ticket = {
            let mut s = self.lock();
            self.put_audit(&mut s, now(), actor, action, target.into(), detail.into())?;
            self.commit.ticket(0)
        };
        Ok(self.commit.wait(ticket).await?)
    }

    /// Changes accounts and records the audit entry that says so, in one atomic write (see
    /// [`AccountWrite`]); returns once both are durable. Until then readers of the account
    /// trees see the old values; callers serialise their own changes (see `Accounts`).
    pub(crate) fn account_change_blocking(
        &self,
        writes: Vec<AccountWrite>,
        audit: (&str, &str, &str, &str),
    ) -> Result<(), LedgerError> {
        let (actor, action, target, detail) = audit;
        let ticket = {
            let mut s = self.lock();
            self.put_audit(&mut s, now(), actor, action, target.into(), detail.into())?;
            s.queued.accounts.extend(writes);
            self.commit.ticket(0)
        };
        Ok(self.commit.wait_blocking(ticket)?)
    }

    /// Blocking form of [`Ledger::audit`], for the command line.
    pub fn audit_blocking(
        &self,
        actor: &str,
        action: &str,
        target: &str,
        detail: &str,
    ) -> Result<(), LedgerError> {
        let ticket = {
            let mut s = self.lock();
            self.put_audit(&mut s, now(), actor, action, target.into(), detail.into())?;
            self.commit.ticket(0)
        };
        Ok(self.commit.wait_blocking(ticket)?)
    }

    /// Closes the ledger cleanly: hands back the unused rest of the reserved serial block (so a
    /// clean stop leaves no gap in the numbers; a crash leaves one, never a reuse), and makes
    /// everything durable.
    pub fn close(&self) -> Result<(), StoreError> {
        let s = self.lock();
        if s.next_serial < s.reserved_end {
            self.store.release_serials(s.next_serial, s.reserved_end)?;
        }
        drop(s);
        self.commit.shutdown();
        self.store.commit()
    }

    /// Seals and records a certificate. Durable only once [`Ledger::issued_durable`] returns.
    ///
    /// The record must be one the key may seal today in Dhaka ([`OfficeKey::check`]), else
    /// [`LedgerError::Refused`] and nothing is spent or stored: every new certificate, from
    /// the API or the command line, passes here.
    ///
    /// With an idempotency key, a retry of the same request returns the first certificate
    /// (checked when it was made); the same key with another request is refused.
    pub fn issue(
        &self,
        record: &Record,
        key: &OfficeKey,
        actor: &str,
        idempotency: Option<&str>,
    ) -> Result<IssueOutcome, LedgerError> {
        self.store.check_office(record.office())?;
        // Only a request with an idempotency key needs its fingerprint.
        let idem = idempotency.map(|k| {
            (
                format!("{actor}\u{0}{k}"),
                hex_hash(record.to_json().to_string().as_bytes()),
            )
        });
        if let Some((k, request_hash)) = &idem {
            if let Some(found) = self.replay(&self.lock(), k, request_hash)? {
                return Ok(found);
            }
        }
        key.check(record, today_dhaka())?;
        let serial = self.allocate_serial()?;
        let sealed = Sealed::seal(&Certificate::new(serial, record), key.secret())?;
        let hash = hex_hash(sealed.as_bytes());
        let stored = StoredCertificate {
            serial,
            record: record.clone().into(),
            key_id: key.key_id(),
            sealed: sealed.into_bytes(),
        };
        let detail = format!("type={} key={}", record.cert_type().key, key.key_id());
        let bytes = json(&stored)?;
        let mut s = self.lock();
        let idempotency = match idem {
            Some((k, request_hash)) => {
                // A concurrent retry may have won while this one was signing; its serial stays
                // unused (a gap), never reused.
                if let Some(found) = self.replay(&s, &k, &request_hash)? {
                    return Ok(found);
                }
                Some(IdempotencyWrite {
                    key: idempotency_key(k.as_bytes()),
                    value: json(&IdempotencyEntry {
                        serial,
                        request_hash: request_hash.clone(),
                    })?,
                    request_hash,
                    certificate: stored.clone(),
                })
            }
            None => None,
        };
        let seq = self.write_change(
            &mut s,
            Change::Certificate {
                serial,
                bytes,
                idempotency,
            },
            EventKind::Issued {
                serial,
                key_id: key.key_id(),
                hash,
            },
            (actor, "issue", serial.to_string(), detail),
        )?;
        self.issued_sms(&mut s, record, serial)?;
        let ticket = self.commit.ticket(seq);
        Ok(IssueOutcome {
            certificate: stored,
            created: true,
            ticket,
        })
    }

    /// The certificate an earlier request with this idempotency key made, queued or stored.
    /// Called under the write lock, which the committer takes to retire what it has written:
    /// so a record is always found in the queue or in the tree.
    fn replay(
        &self,
        s: &WriteState,
        key: &str,
        request_hash: &str,
    ) -> Result<Option<IssueOutcome>, LedgerError> {
        let k = idempotency_key(key.as_bytes());
        let (first_hash, certificate) = match s.pending_idempotency(&k) {
            Some((h, c)) => (h.clone(), c.clone()),
            None => {
                let Some(v) = self.tree.get(&k).map_err(StoreError::from)? else {
                    return Ok(None);
                };
                let entry: IdempotencyEntry = parse(&v)?;
                let certificate = self
                    .store
                    .get(entry.serial)?
                    .ok_or(LedgerError::NotFound(entry.serial))?;
                (entry.request_hash, certificate)
            }
        };
        if first_hash != request_hash {
            return Err(LedgerError::IdempotencyMismatch);
        }
        // It may still be on its way to the disk: wait for the next barrier too.
        let ticket = self.commit.ticket(0);
        Ok(Some(IssueOutcome {
            certificate,
            created: false,
            ticket,
        }))
    }

    /// Revokes a certificate. Revoking twice returns the first revocation.
    pub fn revoke(
        &self,
        serial: u64,
        reason: RevocationReason,
        note: &str,
        actor: &str,
    ) -> Result<RevokeOutcome, LedgerError> {
        let mut s = self.lock();
        let Some(certificate) = self.store.get(serial)? else {
            return Err(LedgerError::NotFound(serial));
        };
        if let Some(revocation) = self.revocation_in(&s, serial)? {
            let ticket = self.commit.ticket(0);
            return Ok(RevokeOutcome {
                revocation,
                created: false,
                ticket,
            });
        }
        let at = now();
        let revocation = Revocation {
            serial,
            at,
            reason,
            note: note.into(),
            by: actor.into(),
        };
        let seq = self.write_change(
            &mut s,
            Change::Revocation {
                bytes: json(&revocation)?,
                revocation: revocation.clone(),
            },
            EventKind::Revoked { serial, reason },
            (
                actor,
                "revoke",
                serial.to_string(),
                format!("reason={}", reason.code()),
            ),
        )?;
        let record = &certificate.record;
        if let Some(to) = crate::sms::mobile_of(record) {
            let number = sonod_seal::CertificateNumber::new(record.office(), serial);
            let text = crate::sms::revoked_text(record.cert_type().name_bn, &number, reason);
            self.queue_sms(&mut s, to, text, "revoked")?;
        }
        let ticket = self.commit.ticket(seq);
        Ok(RevokeOutcome {
            revocation,
            created: true,
            ticket,
        })
    }

    /// Re-seals every unrevoked certificate signed by `compromised` with `key`, same serials,
    /// and records each in the feed (`resealed`). A certificate issued before today carries
    /// today as the day it was sealed (payload version 2), so the new key's window, which
    /// starts on the rotation day, covers it. Runs while the service runs: each certificate is
    /// sealed outside the write lock, which is taken only to queue its change, so issuing goes
    /// on between them; running it again re-seals only what is left. Returns how many were
    /// re-sealed.
    pub fn reseal(
        &self,
        compromised: &KeyId,
        key: &SecretKey,
        actor: &str,
    ) -> Result<usize, LedgerError> {
        let mut count = 0;
        let mut last = None;
        let targets: Vec<StoredCertificate> = self
            .store
            .certificates()
            .filter(|c| c.as_ref().map_or(true, |c| c.key_id == *compromised))
            .collect::<Result<_, _>>()?;
        for old in targets {
            if self.revocation(old.serial)?.is_some() {
                continue;
            }
            let cert = Certificate::resealed(old.serial, &old.record, today_dhaka());
            let sealed = Sealed::seal(&cert, key)?;
            let hash = hex_hash(sealed.as_bytes());
            let stored = StoredCertificate {
                sealed: sealed.into_bytes(),
                key_id: key.key_id(),
                ..old
            };
            let mut s = self.lock();
            let bytes = json(&stored)?;
            let seq = self.write_change(
                &mut s,
                Change::Certificate {
                    serial: stored.serial,
                    bytes,
                    idempotency: None,
                },
                EventKind::Resealed {
                    serial: stored.serial,
                    key_id: key.key_id(),
                    hash,
                },
                (
                    actor,
                    "reseal",
                    stored.serial.to_string(),
                    format!("from={compromised} to={}", key.key_id()),
                ),
            )?;
            s.queued.insert(
                &crate::storage::store::key(RESEALED, stored.serial),
                compromised.to_string().into_bytes(),
            );
            if let Some(to) = crate::sms::mobile_of(&stored.record) {
                let number =
                    sonod_seal::CertificateNumber::new(stored.record.office(), stored.serial);
                let text = crate::sms::resealed_text(stored.record.cert_type().name_bn, &number);
                self.queue_sms(&mut s, to, text, "resealed")?;
            }
            let ticket = self.commit.ticket(seq);
            drop(s);
            count += 1;
            // In batches: wait until this batch is durable before queueing more, so that an
            // issue made meanwhile never waits behind more than one batch of re-sealing.
            if count % RESEAL_BATCH == 0 {
                self.commit.wait_blocking(ticket)?;
                last = None;
            } else {
                last = Some(ticket);
            }
        }
        if let Some(t) = last {
            self.commit.wait_blocking(t)?;
        }
        Ok(count)
    }

    /// The key a re-sealed certificate was sealed with before, if it was re-sealed (after a
    /// key compromise).
    pub fn resealed_from(&self, serial: u64) -> Result<Option<KeyId>, StoreError> {
        Ok(self
            .tree
            .get(key(RESEALED, serial))?
            .and_then(|v| std::str::from_utf8(&v).ok()?.parse().ok()))
    }

    /// For a certificate just issued whose record has a mobile number: its entry in the
    /// number's index (the citizen's page) and its "issued" SMS, in the batch being gathered.
    fn issued_sms(
        &self,
        s: &mut WriteState,
        record: &Record,
        serial: u64,
    ) -> Result<(), StoreError> {
        let Some(to) = crate::sms::mobile_of(record) else {
            return Ok(());
        };
        s.queued.insert(
            applications::certificate_mobile_key(&to, serial),
            Vec::new(),
        );
        let number = sonod_seal::CertificateNumber::new(record.office(), serial);
        let text = crate::sms::issued_text(
            record.cert_type().name_bn,
            &number,
            self.sms_link.get().map(String::as_str),
        );
        self.queue_sms(s, to, text, "issued")
    }

    /// Queues a message that no change causes (a citizen's sign-in code) and returns once it
    /// is durable; the worker sends it like any other.
    pub async fn send_sms(&self, to: String, text: String, kind: &str) -> Result<(), LedgerError> {
        let ticket = {
            let mut s = self.lock();
            self.queue_sms(&mut s, to, text, kind)?;
            self.commit.ticket(0)
        };
        Ok(self.commit.wait(ticket).await?)
    }

    /// Queues an outbox message in the batch being gathered, under the write lock: so it
    /// reaches the disk with the change that caused it, or not at all.
    fn queue_sms(
        &self,
        s: &mut WriteState,
        to: String,
        text: String,
        kind: &str,
    ) -> Result<(), StoreError> {
        let id = s.next_sms;
        let at = crate::sms::worker::now_ms();
        // One form for every message, whoever queued it: `+8801XXXXXXXXX`.
        let to = to
            .parse::<sonod_seal::Mobile>()
            .map_or(to, |m| m.as_str().to_owned());
        let m = Message {
            id,
            to,
            text,
            kind: kind.into(),
            state: SmsState::Queued,
            attempts: 0,
            next_at: at,
            created: at / 1000,
            gateway_ref: None,
            last_error: None,
        };
        let bytes = json(&m)?;
        s.queued.insert(&key(SMS, id), bytes);
        s.queued.insert(&key(SMS_DUE, id), Vec::new());
        s.next_sms += 1;
        self.sms_queued.notify_one();
        Ok(())
    }

    /// Sets the link the "issued" SMS carries (once; later calls are ignored).
    pub fn set_sms_link(&self, link: String) {
        let _ = self.sms_link.set(link);
    }

    /// Woken whenever a message is queued.
    pub fn sms_queued(&self) -> Arc<tokio::sync::Notify> {
        self.sms_queued.clone()
    }

    /// Messages still to send whose time has come (`next_at <= now`), in id order, at most
    /// `limit`; and the earliest `next_at` of those not yet due. Reads the tree: a message is
    /// there once its batch is written, which may be just before its barrier, so the worker
    /// waits for a barrier ([`Ledger::sms_barrier`]) before sending what it found.
    pub fn sms_due(
        &self,
        now: i64,
        limit: usize,
    ) -> Result<(Vec<Message>, Option<i64>), StoreError> {
        let mut due = Vec::new();
        let mut later: Option<i64> = None;
        for k in self.tree.scan_prefix([SMS_DUE]).keys() {
            let Some(id) = number_of(SMS_DUE, &k?) else {
                continue;
            };
            let Some(v) = self.tree.get(key(SMS, id))? else {
                continue;
            };
            let m: Message = parse(&v)?;
            if m.next_at <= now {
                if due.len() < limit {
                    due.push(m);
                }
            } else {
                later = Some(later.map_or(m.next_at, |l| l.min(m.next_at)));
            }
        }
        Ok((due, later))
    }

    /// Waits for the next durability barrier: everything in the tree now is then on disk.
    pub async fn sms_barrier(&self) -> Result<(), LedgerError> {
        let ticket = self.commit.ticket(0);
        Ok(self.commit.wait(ticket).await?)
    }

    /// Records a message's new state durably (returns once it is on disk). A message that is
    /// no longer queued leaves the due index.
    pub async fn sms_record(&self, m: &Message) -> Result<(), LedgerError> {
        let ticket = {
            let mut s = self.lock();
            s.queued.insert(&key(SMS, m.id), json(m)?);
            if m.state != SmsState::Queued {
                s.queued.remove(&key(SMS_DUE, m.id));
            }
            self.commit.ticket(0)
        };
        Ok(self.commit.wait(ticket).await?)
    }

    /// Outbox messages after id `after`, at most `limit`, in id order (stored ones only).
    pub fn sms_messages(&self, after: u64, limit: usize) -> Result<Vec<Message>, StoreError> {
        self.tree
            .range(key(SMS, after.saturating_add(1))..=key(SMS, u64::MAX))
            .take(limit)
            .map(|r| r.map_err(StoreError::from).and_then(|(_, v)| parse(&v)))
            .collect()
    }

    /// The revocation of `serial`, if any (queued for the next barrier included).
    pub fn revocation(&self, serial: u64) -> Result<Option<Revocation>, StoreError> {
        self.revocation_in(&self.lock(), serial)
    }

    /// The revocation of `serial`, queued or stored; under the write lock (see `replay`).
    fn revocation_in(&self, s: &WriteState, serial: u64) -> Result<Option<Revocation>, StoreError> {
        if let Some(r) = s.pending_revocation(serial) {
            return Ok(Some(r.clone()));
        }
        self.tree
            .get(key(REVOCATION, serial))?
            .map(|v| parse(&v))
            .transpose()
    }

    /// Every revoked serial.
    pub fn revoked_serials(&self) -> impl Iterator<Item = u64> + '_ {
        self.tree
            .scan_prefix([REVOCATION])
            .keys()
            .filter_map(|k| k.ok())
            .filter_map(|k| number_of(REVOCATION, &k))
    }

    /// Waits until an issue is durable.
    pub async fn issued_durable(&self, o: &IssueOutcome) -> Result<(), LedgerError> {
        Ok(self.commit.wait(o.ticket).await?)
    }

    /// Waits until a revocation is durable.
    pub async fn revoked_durable(&self, o: &RevokeOutcome) -> Result<(), LedgerError> {
        Ok(self.commit.wait(o.ticket).await?)
    }

    /// Blocking wait, for the command line.
    pub fn issued_durable_blocking(&self, o: &IssueOutcome) -> Result<(), LedgerError> {
        Ok(self.commit.wait_blocking(o.ticket)?)
    }

    /// The durable feed position.
    pub fn head(&self) -> u64 {
        self.commit.durable().seq
    }

    /// The feed's chain hash after event `seq` (the office's start at 0), once durable; `None`
    /// past the head or before the store has an office.
    pub fn chain_at(&self, seq: u64) -> Result<Option<[u8; 32]>, StoreError> {
        if seq > self.head() {
            return Ok(None);
        }
        if seq == 0 {
            return Ok(match self.store.office()? {
                Some(o) => OfficeCode::parse(&o).ok().map(|o| chain_start(&o)),
                None => None,
            });
        }
        Ok(self
            .tree
            .get(key(CHAIN, seq))?
            .and_then(|v| <[u8; 32]>::try_from(v.as_ref()).ok()))
    }

    /// Durable events after `after`, at most `limit`.
    pub fn events(&self, after: u64, limit: usize) -> Result<Vec<Event>, StoreError> {
        let head = self.head();
        let mut out = Vec::with_capacity(limit.min(1024));
        let from = key(EVENT, after.saturating_add(1));
        for r in self.tree.range(from..=key(EVENT, u64::MAX)).take(limit) {
            let (k, v) = r?;
            let seq = number_of(EVENT, &k).unwrap_or(u64::MAX);
            if seq > head {
                break;
            }
            out.push(parse(&v)?);
        }
        Ok(out)
    }

    /// Writes a consistent backup of the whole store: writes wait while it runs, reads go on.
    pub fn backup(
        &self,
        out: impl std::io::Write,
    ) -> Result<crate::storage::backup::BackupSummary, crate::storage::backup::BackupError> {
        // The committer's lock first, as the committer takes them: no batch is half-written.
        let _applying = lock(&self.applying);
        let _writes = self.lock();
        crate::storage::backup::write_backup(self.store.db(), out)
    }

    /// Audit entries before position `before` (every one when `None`), newest first, at most
    /// `limit`: for the audit page and for rebuilding the approvals of the last hour.
    pub fn audit_entries_before(
        &self,
        before: Option<u64>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let end = before.unwrap_or(u64::MAX);
        self.tree
            .range(key(AUDIT, 0)..key(AUDIT, end))
            .rev()
            .take(limit)
            .map(|r| r.map_err(StoreError::from).and_then(|(_, v)| parse(&v)))
            .collect()
    }

    /// Audit entries after `after`, at most `limit`.
    pub fn audit_entries(&self, after: u64, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        self.tree
            .range(key(AUDIT, after.saturating_add(1))..=key(AUDIT, u64::MAX))
            .take(limit)
            .map(|r| r.map_err(StoreError::from).and_then(|(_, v)| parse(&v)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use sonod_keys::{ensure_dev_keys, read_secret_key, DevOptions, Passphrase};
    use time::{Date, Duration};

    fn record_on(name: &str, issued: Date, expires: Date) -> Record {
        let mut v: serde_json::Value = serde_json::from_str(include_str!(
            "../../../seal/tests/data/benchmark-record.json"
        ))
        .unwrap();
        v["issued"] = serde_json::json!(sonod_keys::format_date(issued));
        v["expires"] = serde_json::json!(sonod_keys::format_date(expires));
        v["fields"]["name"] = serde_json::json!(name);
        Record::from_json(&v).unwrap()
    }

    pub(super) fn record(name: &str) -> Record {
        let today = today_dhaka();
        record_on(name, today, today + Duration::days(365))
    }

    /// The development office key with its trust-list entry, made in `dir`.
    pub(super) fn office_key(dir: &std::path::Path) -> OfficeKey {
        let keys = ensure_dev_keys(dir, &DevOptions::default()).unwrap();
        let secret = read_secret_key(keys.office_key_path(), || {
            Ok(Passphrase::new(String::new()))
        })
        .unwrap();
        OfficeKey::from_files(
            secret,
            &keys.trust_list_path(),
            &keys.root_pub_path(),
            today_dhaka(),
        )
        .unwrap()
    }

    #[test]
    fn a_record_the_key_may_not_seal_today_spends_no_serial_and_stores_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let key = office_key(&dir.path().join("keys"));
        let ledger = Ledger::open(Store::open(&dir.path().join("data")).unwrap()).unwrap();
        let today = today_dhaka();
        let next = ledger.store().next_serial().unwrap();
        let cases = [
            (date(2019, 1, 1), date(2030, 1, 1)),
            (date(2030, 1, 1), date(2031, 1, 1)),
            (date(2199, 12, 31), date(2199, 12, 31)),
            (today - Duration::days(1), today + Duration::days(365)),
            (today, today),
        ];
        for (issued, expires) in cases {
            let r = record_on("আব্দুর রহিম", issued, expires);
            for idem in [None, Some("k")] {
                match ledger.issue(&r, &key, "clerk", idem) {
                    Err(LedgerError::Refused(_)) => {}
                    other => panic!("{issued} .. {expires}: {other:?}"),
                }
            }
        }
        let first = ledger
            .issue(&record("আব্দুর রহিম"), &key, "clerk", None)
            .unwrap();
        ledger.issued_durable_blocking(&first).unwrap();
        assert_eq!(first.certificate.serial, next, "no serial was spent before");
        assert_eq!(ledger.store().len(), 1);
        assert_eq!(ledger.events(0, 10).unwrap().len(), 1);
        assert_eq!(ledger.audit_entries(0, 10).unwrap().len(), 1);
        ledger.close().unwrap();
    }

    #[test]
    fn every_event_has_its_chain_hash_and_an_older_ledger_gets_them_on_opening() {
        use sonod_seal::feed::chain_through;
        let dir = tempfile::tempdir().unwrap();
        let key = office_key(&dir.path().join("keys"));
        let ledger = Ledger::open(Store::open(&dir.path().join("data")).unwrap()).unwrap();
        assert_eq!(ledger.chain_at(0).unwrap(), None, "no office yet");
        let mut last = None;
        for name in ["আব্দুর রহিম", "আব্দুল করিম", "রহিমা খাতুন"]
        {
            last = Some(ledger.issue(&record(name), &key, "clerk", None).unwrap());
        }
        ledger.issued_durable_blocking(&last.unwrap()).unwrap();
        let events = ledger.events(0, 10).unwrap();
        let office = OfficeCode::parse(&ledger.store().office().unwrap().unwrap()).unwrap();
        let start = chain_start(&office);
        assert_eq!(ledger.chain_at(0).unwrap(), Some(start));
        for n in 1..=3 {
            assert_eq!(
                ledger.chain_at(n as u64).unwrap(),
                Some(chain_through(start, &events[..n]))
            );
        }
        assert_eq!(ledger.chain_at(4).unwrap(), None);
        // A ledger written before the chain existed: no chain hashes stored.
        for n in 1..=3u64 {
            ledger.tree.remove(key_of(n)).unwrap();
        }
        ledger.close().unwrap();
        drop(ledger);
        let ledger = Ledger::open(Store::open(&dir.path().join("data")).unwrap()).unwrap();
        assert_eq!(
            ledger.chain_at(3).unwrap(),
            Some(chain_through(start, &events))
        );
        let more = ledger
            .issue(&record("করিম উদ্দিন"), &key, "clerk", None)
            .unwrap();
        ledger.issued_durable_blocking(&more).unwrap();
        let events = ledger.events(0, 10).unwrap();
        assert_eq!(
            ledger.chain_at(4).unwrap(),
            Some(chain_through(start, &events))
        );
        ledger.close().unwrap();
    }

    fn key_of(seq: u64) -> [u8; 9] {
        key(CHAIN, seq)
    }

    fn date(y: i32, m: u8, d: u8) -> Date {
        Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), d).unwrap()
    }

    #[test]
    fn queued_writes_are_seen_by_the_writes_after_them_and_become_durable_together() {
        let dir = tempfile::tempdir().unwrap();
        let key = office_key(&dir.path().join("keys"));
        let ledger = Ledger::open(Store::open(&dir.path().join("data")).unwrap()).unwrap();
        let (a, b) = (record("আব্দুর রহিম"), record("আব্দুল করিম"));
        // Nothing waited for in between: each write after the first may find it still queued.
        let first = ledger.issue(&a, &key, "clerk", Some("k1")).unwrap();
        let retry = ledger.issue(&a, &key, "clerk", Some("k1")).unwrap();
        assert!(first.created && !retry.created);
        assert_eq!(retry.certificate, first.certificate);
        assert!(matches!(
            ledger.issue(&b, &key, "clerk", Some("k1")),
            Err(LedgerError::IdempotencyMismatch)
        ));
        // The same key of another account is another request.
        let other = ledger.issue(&a, &key, "chair", Some("k1")).unwrap();
        assert!(other.created);
        ledger.issued_durable_blocking(&other).unwrap();
        let serial = first.certificate.serial;
        let r1 = ledger
            .revoke(serial, RevocationReason::IssuedInError, "", "clerk")
            .unwrap();
        let r2 = ledger
            .revoke(serial, RevocationReason::Fraud, "", "clerk")
            .unwrap();
        assert!(r1.created && !r2.created);
        assert_eq!(r2.revocation, r1.revocation);
        assert!(ledger.revocation(serial).unwrap().is_some());
        ledger.commit.wait_blocking(r2.ticket).unwrap();

        let events = ledger.events(0, 100).unwrap();
        assert_eq!(events.len(), 3, "{events:?}");
        assert!(events
            .iter()
            .enumerate()
            .all(|(i, e)| e.seq == i as u64 + 1));
        assert!(matches!(events[2].kind, EventKind::Revoked { serial: s, .. } if s == serial));
        assert_eq!(ledger.revoked_serials().collect::<Vec<_>>(), [serial]);
        let audit = ledger.audit_entries(0, 100).unwrap();
        assert_eq!(audit.len(), 3);
        assert_eq!(ledger.store().len(), 2);
        ledger.close().unwrap();
        drop(ledger);

        // After a reopen, the retry still finds the first certificate.
        let ledger = Ledger::open(Store::open(&dir.path().join("data")).unwrap()).unwrap();
        assert_eq!(ledger.head(), 3);
        let again = ledger.issue(&a, &key, "clerk", Some("k1")).unwrap();
        assert!(!again.created);
        assert_eq!(again.certificate.serial, serial);
        assert!(matches!(
            ledger.issue(&b, &key, "clerk", Some("k1")),
            Err(LedgerError::IdempotencyMismatch)
        ));
        ledger.close().unwrap();
    }
}
