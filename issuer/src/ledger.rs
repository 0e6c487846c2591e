//! The office's ledger: the one write path for certificates, revocations and the event feed.
//!
//! Every write — an issued certificate with its `issued` event, a revocation with its
//! `revoked` event, an audit entry — is made under one short lock that also hands out the
//! feed position, so the feed is gap-free and in order. The caller then waits for the group
//! commit to make it durable before answering. The feed is served only up to the durable
//! position, so no reader ever sees an event that a power cut could take back.
//!
//! Serials are reserved in durable blocks before use: a crash leaves a gap in the numbers,
//! never a serial used twice.

use std::sync::{Mutex, MutexGuard, PoisonError};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sonod_keys::{KeyId, SecretKey};
use sonod_seal::feed::{Event, EventKind, RevocationReason};
use sonod_seal::{Certificate, Record, SealError, Sealed};

use crate::group_commit::{CommitFailed, GroupCommit, Ticket};
use crate::store::{Store, StoreError, StoredCertificate};

/// Serials reserved per durable block.
const SERIAL_BLOCK: u64 = 1024;
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
    /// No certificate with that serial.
    #[error("এই ক্রমিক নম্বরের কোনো সনদ নেই / no certificate with serial {0}")]
    NotFound(u64),
    /// An idempotency key was reused with a different request.
    #[error("একই Idempotency-Key ভিন্ন অনুরোধে ব্যবহৃত / the Idempotency-Key was already used for a different request")]
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

/// What a ledger write changes besides the feed and the audit log.
enum Change {
    Certificate {
        serial: u64,
        bytes: Vec<u8>,
        idempotency: Option<(Vec<u8>, Vec<u8>)>,
    },
    Revocation {
        serial: u64,
        bytes: Vec<u8>,
    },
}

#[derive(Debug)]
struct WriteState {
    next_serial: u64,
    reserved_end: u64,
    next_seq: u64,
    next_audit: u64,
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
    events: sled::Tree,
    revocations: sled::Tree,
    idempotency: sled::Tree,
    audit: sled::Tree,
    state: Mutex<WriteState>,
    commit: GroupCommit,
}

fn be(n: u64) -> [u8; 8] {
    n.to_be_bytes()
}

fn last_key(tree: &sled::Tree) -> Result<u64, StoreError> {
    Ok(tree
        .last()?
        .and_then(|(k, _)| <[u8; 8]>::try_from(k.as_ref()).ok())
        .map_or(0, u64::from_be_bytes))
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

/// Lower-case hex SHA-256.
pub fn hex_hash(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(&Sha256::digest(bytes))
}

impl Ledger {
    /// Opens the ledger on a store and starts its committer.
    pub fn open(store: Store) -> Result<Ledger, StoreError> {
        let events = store.tree("events")?;
        let revocations = store.tree("revocations")?;
        let idempotency = store.tree("idempotency")?;
        let audit = store.tree("audit")?;
        let seq = last_key(&events)?;
        let next_audit = last_key(&audit)? + 1;
        // Nothing is reserved in memory yet: the first issue reserves a durable block.
        let next_serial = store.next_serial()?;
        let commit = GroupCommit::start(store.clone(), seq);
        Ok(Ledger {
            state: Mutex::new(WriteState {
                next_serial,
                reserved_end: next_serial,
                next_seq: seq + 1,
                next_audit,
            }),
            store,
            events,
            revocations,
            idempotency,
            audit,
            commit,
        })
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
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn allocate_serial(&self) -> Result<u64, StoreError> {
        let mut s = self.lock();
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
        self.audit.insert(be(seq), json(&entry)?)?;
        s.next_audit += 1;
        Ok(())
    }

    /// Writes a change and its feed event and audit entry in one sled transaction, so that a
    /// crash can never keep one without the others (a certificate without its `issued` event
    /// would be judged `not_issued`). Returns the event's feed position.
    fn write_change(
        &self,
        s: &mut WriteState,
        change: Change,
        kind: EventKind,
        audit: (&str, &str, String, String),
    ) -> Result<u64, StoreError> {
        use sled::Transactional;
        let at = now();
        let seq = s.next_seq;
        let event = json(&Event { seq, at, kind })?;
        let (actor, action, target, detail) = audit;
        let entry = json(&AuditEntry {
            seq: s.next_audit,
            at,
            actor: actor.into(),
            action: action.into(),
            target,
            detail,
        })?;
        let audit_key = be(s.next_audit);
        let certs = self.store.certs_tree();
        type TxError = sled::transaction::ConflictableTransactionError<()>;
        // Only the trees the change touches take part: a transaction's cost grows with them.
        let result = match &change {
            Change::Certificate {
                serial,
                bytes,
                idempotency: None,
            } => (certs, &self.events, &self.audit).transaction(|(c, e, a)| {
                c.insert(&be(*serial), bytes.as_slice())?;
                e.insert(&be(seq), event.as_slice())?;
                a.insert(&audit_key, entry.as_slice())?;
                Ok::<(), TxError>(())
            }),
            Change::Certificate {
                serial,
                bytes,
                idempotency: Some((k, v)),
            } => {
                (certs, &self.idempotency, &self.events, &self.audit).transaction(|(c, i, e, a)| {
                    c.insert(&be(*serial), bytes.as_slice())?;
                    i.insert(k.as_slice(), v.as_slice())?;
                    e.insert(&be(seq), event.as_slice())?;
                    a.insert(&audit_key, entry.as_slice())?;
                    Ok::<(), TxError>(())
                })
            }
            Change::Revocation { serial, bytes } => (&self.revocations, &self.events, &self.audit)
                .transaction(|(r, e, a)| {
                    r.insert(&be(*serial), bytes.as_slice())?;
                    e.insert(&be(seq), event.as_slice())?;
                    a.insert(&audit_key, entry.as_slice())?;
                    Ok::<(), TxError>(())
                }),
        };
        result.map_err(|e| match e {
            sled::transaction::TransactionError::Storage(e) => StoreError::Sled(e),
            sled::transaction::TransactionError::Abort(()) => {
                StoreError::Corrupt("transaction aborted".into())
            }
        })?;
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

    /// Seals and records a certificate. Durable only once [`Ledger::durable`] returns.
    ///
    /// With an idempotency key, a retry of the same request returns the first certificate;
    /// the same key with another request is refused.
    pub fn issue(
        &self,
        record: &Record,
        key: &SecretKey,
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
            if let Some(found) = self.replay(k, request_hash)? {
                return Ok(found);
            }
        }
        let serial = self.allocate_serial()?;
        let sealed = Sealed::seal(&Certificate::new(serial, record), key)?;
        let hash = hex_hash(sealed.as_bytes());
        let stored = StoredCertificate {
            serial,
            record: record.to_json(),
            key_id: key.key_id().to_string(),
            sealed: sealed.into_bytes(),
        };
        let detail = format!("type={} key={}", record.cert_type().key, key.key_id());
        let bytes = json(&stored)?;
        let mut s = self.lock();
        let idempotency = match idem {
            Some((k, request_hash)) => {
                // A concurrent retry may have won while this one was signing; its serial stays
                // unused (a gap), never reused.
                if let Some(found) = self.replay(&k, &request_hash)? {
                    return Ok(found);
                }
                Some((
                    k.into_bytes(),
                    json(&IdempotencyEntry {
                        serial,
                        request_hash,
                    })?,
                ))
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
        let ticket = self.commit.ticket(seq);
        Ok(IssueOutcome {
            certificate: stored,
            created: true,
            ticket,
        })
    }

    fn replay(&self, key: &str, request_hash: &str) -> Result<Option<IssueOutcome>, LedgerError> {
        let Some(v) = self
            .idempotency
            .get(key.as_bytes())
            .map_err(StoreError::from)?
        else {
            return Ok(None);
        };
        let entry: IdempotencyEntry = parse(&v)?;
        if entry.request_hash != request_hash {
            return Err(LedgerError::IdempotencyMismatch);
        }
        let certificate = self
            .store
            .get(entry.serial)?
            .ok_or(LedgerError::NotFound(entry.serial))?;
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
        if self.store.get(serial)?.is_none() {
            return Err(LedgerError::NotFound(serial));
        }
        if let Some(v) = self.revocations.get(be(serial)).map_err(StoreError::from)? {
            let revocation = parse(&v)?;
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
                serial,
                bytes: json(&revocation)?,
            },
            EventKind::Revoked { serial, reason },
            (
                actor,
                "revoke",
                serial.to_string(),
                format!("reason={}", reason.code()),
            ),
        )?;
        let ticket = self.commit.ticket(seq);
        Ok(RevokeOutcome {
            revocation,
            created: true,
            ticket,
        })
    }

    /// Re-seals every unrevoked certificate signed by `compromised` with `key`, same serials,
    /// and records each in the feed. Returns how many were re-sealed.
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
            .filter(|c| {
                c.as_ref()
                    .map_or(true, |c| c.key_id == compromised.to_string())
            })
            .collect::<Result<_, _>>()?;
        for old in targets {
            if self.revocation(old.serial)?.is_some() {
                continue;
            }
            let record =
                Record::from_json(&old.record).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let sealed = Sealed::seal(&Certificate::new(old.serial, &record), key)?;
            let hash = hex_hash(sealed.as_bytes());
            let stored = StoredCertificate {
                sealed: sealed.into_bytes(),
                key_id: key.key_id().to_string(),
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
            last = Some(self.commit.ticket(seq));
            count += 1;
        }
        if let Some(t) = last {
            self.commit.wait_blocking(t)?;
        }
        Ok(count)
    }

    /// The revocation of `serial`, if any.
    pub fn revocation(&self, serial: u64) -> Result<Option<Revocation>, StoreError> {
        self.revocations
            .get(be(serial))?
            .map(|v| parse(&v))
            .transpose()
    }

    /// Every revoked serial.
    pub fn revoked_serials(&self) -> impl Iterator<Item = u64> + '_ {
        self.revocations
            .iter()
            .keys()
            .filter_map(|k| k.ok())
            .filter_map(|k| <[u8; 8]>::try_from(k.as_ref()).ok())
            .map(u64::from_be_bytes)
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

    /// Durable events after `after`, at most `limit`.
    pub fn events(&self, after: u64, limit: usize) -> Result<Vec<Event>, StoreError> {
        let head = self.head();
        let mut out = Vec::with_capacity(limit.min(1024));
        for r in self.events.range(be(after.saturating_add(1))..).take(limit) {
            let (k, v) = r?;
            let seq = <[u8; 8]>::try_from(k.as_ref())
                .map(u64::from_be_bytes)
                .unwrap_or(u64::MAX);
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
    ) -> Result<crate::backup::BackupSummary, crate::backup::BackupError> {
        let _writes = self.lock();
        crate::backup::write_backup(self.store.db(), out)
    }

    /// Audit entries after `after`, at most `limit`.
    pub fn audit_entries(&self, after: u64, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        self.audit
            .range(be(after.saturating_add(1))..)
            .take(limit)
            .map(|r| r.map_err(StoreError::from).and_then(|(_, v)| parse(&v)))
            .collect()
    }
}
