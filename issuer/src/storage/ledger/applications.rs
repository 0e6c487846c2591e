//! The ledger's side of applications: their one write path ([`Ledger::change_application`])
//! and their reads. See `crate::applications` for the model.
//!
//! Keys in the ledger tree (see the `store` module):
//!
//! | key                                   | value                         |
//! |---------------------------------------|-------------------------------|
//! | `p` + id                              | `Application` (JSON)          |
//! | `o` + ward (u16 BE) + id              | empty: in review, by ward     |
//! | `k` + SHA-256(type NUL identity)      | id (u64 BE): the open one     |
//! | `m` + SHA-256(mobile)[..16] + id      | empty: the number's applications |
//! | `d` + id + index (u8)                 | a supporting document's bytes |
//! | `n` + SHA-256(mobile)[..16] + serial  | empty: the number's certificates |
//!
//! The indexes follow from the application's state and are written with it, in the same
//! batch, by comparing the old state with the new.

use sha2::{Digest, Sha256};
use sonod_keys::today_dhaka;
use sonod_seal::feed::EventKind;
use sonod_seal::{Certificate, Record, Sealed};

use super::{hex_hash, json, now, parse, Change, Ledger, LedgerError, WriteState};
use crate::applications::{Application, Status};
use crate::sealing::office_key::OfficeKey;
use crate::storage::group_commit::Ticket;
use crate::storage::store::{key, StoreError, StoredCertificate, APPLICATION};

/// Key prefix of the in-review index.
const OPEN: u8 = b'o';
/// Key prefix of the open-repeat index.
const DUPLICATE: u8 = b'k';
/// Key prefix of the mobile-number index.
const MOBILE: u8 = b'm';
/// Key prefix of a supporting document.
const DOCUMENT: u8 = b'd';
/// Key prefix of the certificates of a mobile number.
const CERT_MOBILE: u8 = b'n';

/// What a change of an application writes, decided by the caller of
/// [`Ledger::change_application`] from the application as it stands.
#[derive(Debug)]
pub struct ApplicationChange {
    /// The application's new state (with its new history entry).
    pub application: Application,
    /// The audit action (`application.submit`, `application.approve`, …).
    pub action: &'static str,
    /// The audit detail, without personal data.
    pub detail: String,
    /// An SMS to queue with it: the number (`01…`), the text, the kind (`received`,
    /// `sent_back`, `rejected`, …).
    pub sms: Option<(String, String, &'static str)>,
    /// On approval: the record to seal and issue in the same batch. The application's
    /// `serial` is set to the certificate's and its status to `Approved`.
    pub issue: Option<Record>,
    /// New supporting documents' bytes, by index (their [`crate::applications::DocumentRef`]
    /// is in the application).
    pub documents: Vec<(u8, Vec<u8>)>,
}

/// What a change produced.
#[derive(Debug, Clone)]
pub struct ApplicationOutcome {
    /// The application as written.
    pub application: Application,
    /// The certificate issued with it, on approval.
    pub certificate: Option<StoredCertificate>,
    ticket: Ticket,
}

/// Why a change was not made: the ledger failed, or the caller's decision function refused.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError<E> {
    /// The caller refused (a wrong state, a bad field …).
    #[error("{0}")]
    Refused(E),
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

impl<E> From<StoreError> for ChangeError<E> {
    fn from(e: StoreError) -> Self {
        ChangeError::Ledger(LedgerError::Store(e))
    }
}

fn duplicate_key(cert_type: &str, identity: &str) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(cert_type.as_bytes());
    h.update([0]);
    h.update(identity.as_bytes());
    let mut k = vec![DUPLICATE];
    k.extend_from_slice(&h.finalize());
    k
}

fn mobile_prefix(mobile: &str) -> Vec<u8> {
    let mut k = vec![MOBILE];
    k.extend_from_slice(&Sha256::digest(mobile.as_bytes())[..16]);
    k
}

fn mobile_key(mobile: &str, id: u64) -> Vec<u8> {
    let mut k = mobile_prefix(mobile);
    k.extend_from_slice(&id.to_be_bytes());
    k
}

/// The index entry of certificate `serial` under its record's mobile number.
pub(super) fn certificate_mobile_key(mobile: &str, serial: u64) -> Vec<u8> {
    let mut k = vec![CERT_MOBILE];
    k.extend_from_slice(&Sha256::digest(mobile.as_bytes())[..16]);
    k.extend_from_slice(&serial.to_be_bytes());
    k
}

fn open_key(ward: u16, id: u64) -> Vec<u8> {
    let mut k = vec![OPEN];
    k.extend_from_slice(&ward.to_be_bytes());
    k.extend_from_slice(&id.to_be_bytes());
    k
}

fn document_key(id: u64, index: u8) -> Vec<u8> {
    let mut k = key(DOCUMENT, id).to_vec();
    k.push(index);
    k
}

/// The repeat-check key of an application, when it names a person.
fn duplicate_of(a: &Application) -> Option<Vec<u8>> {
    a.identity().map(|i| duplicate_key(&a.cert_type, i))
}

impl WriteState {
    fn pending_application(&self, id: u64) -> Option<&Application> {
        self.queued
            .applications
            .get(&id)
            .or_else(|| self.applying.applications.get(&id))
    }

    fn pending_duplicate(&self, k: &[u8]) -> Option<Option<u64>> {
        self.queued
            .duplicates
            .get(k)
            .or_else(|| self.applying.duplicates.get(k))
            .copied()
    }
}

impl Ledger {
    fn application_in(&self, s: &WriteState, id: u64) -> Result<Option<Application>, StoreError> {
        if let Some(a) = s.pending_application(id) {
            return Ok(Some(a.clone()));
        }
        self.tree
            .get(key(APPLICATION, id))?
            .map(|v| parse(&v))
            .transpose()
    }

    /// The application `id`, with changes queued for the next barrier.
    pub fn application(&self, id: u64) -> Result<Option<Application>, StoreError> {
        self.application_in(&self.lock(), id)
    }

    /// The open application (in review or sent back) of this type for this NID or birth
    /// registration number, if there is one.
    pub fn open_duplicate(
        &self,
        cert_type: &str,
        identity: &str,
    ) -> Result<Option<u64>, StoreError> {
        let k = duplicate_key(cert_type, identity);
        let s = self.lock();
        if let Some(found) = s.pending_duplicate(&k) {
            return Ok(found);
        }
        drop(s);
        Ok(self
            .tree
            .get(&k)?
            .and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok())
            .map(u64::from_be_bytes))
    }

    /// Applications in review, by ward then number: those of `wards` (every ward when
    /// `None`), after the position `after` (ward, id) of the previous page, at most `limit`.
    /// Reads the index only for the page: cheap whatever the queue's length.
    pub fn applications_in_review(
        &self,
        wards: Option<&[u16]>,
        after: Option<(u16, u64)>,
        limit: usize,
    ) -> Result<Vec<Application>, StoreError> {
        let start = match after {
            Some((w, id)) => open_key(w, id.saturating_add(1)),
            None => vec![OPEN],
        };
        let mut out = Vec::new();
        for r in self.tree.range(start..vec![OPEN + 1]) {
            let (k, _) = r?;
            let (Some(ward), Some(id)) = (
                k.get(1..3)
                    .and_then(|b| <[u8; 2]>::try_from(b).ok())
                    .map(u16::from_be_bytes),
                k.get(3..11)
                    .and_then(|b| <[u8; 8]>::try_from(b).ok())
                    .map(u64::from_be_bytes),
            ) else {
                return Err(StoreError::Corrupt("an in-review index key".into()));
            };
            if wards.is_some_and(|ws| !ws.contains(&ward)) {
                continue;
            }
            if let Some(a) = self.application(id)? {
                out.push(a);
            }
            if out.len() >= limit {
                break;
            }
        }
        Ok(out)
    }

    /// How many applications are in review, by ward (ward, count), ascending.
    pub fn review_counts(&self) -> Result<Vec<(u16, u64)>, StoreError> {
        let mut out: Vec<(u16, u64)> = Vec::new();
        for k in self.tree.scan_prefix([OPEN]).keys() {
            let k = k?;
            let Some(ward) = k
                .get(1..3)
                .and_then(|b| <[u8; 2]>::try_from(b).ok())
                .map(u16::from_be_bytes)
            else {
                continue;
            };
            match out.last_mut() {
                Some((w, n)) if *w == ward => *n += 1,
                _ => out.push((ward, 1)),
            }
        }
        Ok(out)
    }

    /// The applications made with mobile number `mobile` (`01…`), newest first, at most
    /// `limit`.
    pub fn applications_of_mobile(
        &self,
        mobile: &str,
        limit: usize,
    ) -> Result<Vec<Application>, StoreError> {
        let mut out = Vec::new();
        for k in self.tree.scan_prefix(mobile_prefix(mobile)).keys().rev() {
            let k = k?;
            let Some(id) = k
                .get(17..25)
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map(u64::from_be_bytes)
            else {
                continue;
            };
            if let Some(a) = self.application(id)? {
                // The index holds hashes: check the number itself.
                if a.mobile == mobile {
                    out.push(a);
                }
            }
            if out.len() >= limit {
                break;
            }
        }
        Ok(out)
    }

    /// The certificates whose record has mobile number `mobile`, newest first, at most
    /// `limit`.
    pub fn certificates_of_mobile(
        &self,
        mobile: &str,
        limit: usize,
    ) -> Result<Vec<StoredCertificate>, StoreError> {
        let mut prefix = vec![CERT_MOBILE];
        prefix.extend_from_slice(&Sha256::digest(mobile.as_bytes())[..16]);
        let mut out = Vec::new();
        for k in self.tree.scan_prefix(prefix).keys().rev() {
            let k = k?;
            let Some(serial) = k
                .get(17..25)
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map(u64::from_be_bytes)
            else {
                continue;
            };
            if let Some(c) = self.store.get(serial)? {
                // The index holds hashes: check the number itself.
                if crate::sms::mobile_of(&c.record).as_deref() == Some(mobile) {
                    out.push(c);
                }
            }
            if out.len() >= limit {
                break;
            }
        }
        Ok(out)
    }

    /// Builds the mobile-number index of certificates issued before it existed (once, when a
    /// store without it is opened).
    pub(super) fn index_old_certificates(&self) -> Result<(), StoreError> {
        const DONE: &[u8] = b"\x00index:certificate-mobile";
        if self.tree.contains_key(DONE)? {
            return Ok(());
        }
        let mut batch = sled::Batch::default();
        for c in self.store.certificates() {
            let c = c?;
            if let Some(m) = crate::sms::mobile_of(&c.record) {
                batch.insert(certificate_mobile_key(&m, c.serial), Vec::new());
            }
        }
        batch.insert(DONE, Vec::new());
        self.tree.apply_batch(batch)?;
        self.store.commit()
    }

    /// Every application, by number, after `after`, at most `limit` (for listings and
    /// exports).
    pub fn applications(&self, after: u64, limit: usize) -> Result<Vec<Application>, StoreError> {
        self.tree
            .range(key(APPLICATION, after.saturating_add(1))..=key(APPLICATION, u64::MAX))
            .take(limit)
            .map(|r| r.map_err(StoreError::from).and_then(|(_, v)| parse(&v)))
            .collect()
    }

    /// A supporting document's bytes.
    pub fn document(&self, id: u64, index: u8) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.tree.get(document_key(id, index))?.map(|v| v.to_vec()))
    }

    /// Changes application `id` — or makes a new one when `id` is `None` — in one atomic
    /// write. Under the write lock, `decide` gets the application as it stands (queued
    /// changes included; `None` for a new or unknown one) and the id it has or will have, and
    /// returns the change to make or refuses. The change is queued with its indexes, audit
    /// entry, SMS and (on approval) its sealed certificate and `issued` event; wait for it
    /// with [`Ledger::application_durable`] before answering.
    ///
    /// On approval `key` must be given: the record passes [`OfficeKey::check`] and is sealed
    /// under the lock (tens of microseconds), so that nothing else can decide the same
    /// application meanwhile.
    pub fn change_application<E>(
        &self,
        id: Option<u64>,
        actor: &str,
        office_key: Option<&OfficeKey>,
        decide: impl FnOnce(Option<Application>, u64) -> Result<ApplicationChange, E>,
    ) -> Result<ApplicationOutcome, ChangeError<E>> {
        let mut s = self.lock();
        let (old, id) = match id {
            Some(id) => (self.application_in(&s, id)?, id),
            None => (None, s.next_application),
        };
        let is_new = old.is_none();
        let mut change = decide(old.clone(), id).map_err(ChangeError::Refused)?;
        change.application.id = id;
        let mut certificate = None;
        let mut seq = 0;
        if let Some(record) = change.issue.take() {
            let office_key = office_key.ok_or_else(|| {
                LedgerError::Store(StoreError::Corrupt(
                    "an approval without the office key".into(),
                ))
            })?;
            self.store.check_office(record.office())?;
            office_key
                .check(&record, today_dhaka())
                .map_err(LedgerError::from)?;
            let serial = self.allocate_serial_in(&mut s)?;
            let sealed = Sealed::seal(&Certificate::new(serial, &record), office_key.secret())
                .map_err(LedgerError::from)?;
            let hash = hex_hash(sealed.as_bytes());
            let stored = StoredCertificate {
                serial,
                record: record.clone().into(),
                key_id: office_key.key_id(),
                sealed: sealed.into_bytes(),
            };
            let detail = format!(
                "type={} key={} application={id}",
                record.cert_type().key,
                office_key.key_id()
            );
            seq = self.write_change(
                &mut s,
                Change::Certificate {
                    serial,
                    bytes: json(&stored)?,
                    idempotency: None,
                },
                EventKind::Issued {
                    serial,
                    key_id: office_key.key_id(),
                    hash,
                },
                (actor, "issue", serial.to_string(), detail),
            )?;
            self.issued_sms(&mut s, &record, serial)?;
            change.application.serial = Some(serial);
            change.application.status = Status::Approved;
            certificate = Some(stored);
        }
        let new = change.application;
        let bytes = json(&new)?;
        // Indexes: what the old state had and the new one must not, and the reverse.
        let q = &mut s.queued;
        if let Some(old) = &old {
            if old.status.in_review() && !(new.status.in_review() && new.ward == old.ward) {
                q.remove(open_key(old.ward, id));
            }
            if old.status.is_open() {
                if let Some(k) = duplicate_of(old) {
                    if !new.status.is_open() || duplicate_of(&new).as_ref() != Some(&k) {
                        q.remove(k.clone());
                        q.duplicates.insert(k, None);
                    }
                }
            }
            if old.mobile != new.mobile {
                q.remove(mobile_key(&old.mobile, id));
            }
        }
        if new.status.in_review() {
            q.insert(open_key(new.ward, id), Vec::new());
        }
        if new.status.is_open() {
            if let Some(k) = duplicate_of(&new) {
                q.insert(k.clone(), id.to_be_bytes().to_vec());
                q.duplicates.insert(k, Some(id));
            }
        }
        q.insert(mobile_key(&new.mobile, id), Vec::new());
        for (index, doc) in change.documents {
            q.insert(document_key(id, index), doc);
        }
        q.insert(&key(APPLICATION, id), bytes);
        q.applications.insert(id, new.clone());
        if is_new {
            s.next_application = id + 1;
        }
        self.put_audit(
            &mut s,
            now(),
            actor,
            change.action,
            crate::applications::tracking(id),
            change.detail,
        )?;
        if let Some((to, text, kind)) = change.sms {
            self.queue_sms(&mut s, to, text, kind)?;
        }
        let ticket = self.commit.ticket(seq);
        Ok(ApplicationOutcome {
            application: new,
            certificate,
            ticket,
        })
    }

    /// Waits until an application change (and its certificate) is durable.
    pub async fn application_durable(&self, o: &ApplicationOutcome) -> Result<(), LedgerError> {
        Ok(self.commit.wait(o.ticket).await?)
    }

    /// Blocking form of [`Ledger::application_durable`].
    pub fn application_durable_blocking(&self, o: &ApplicationOutcome) -> Result<(), LedgerError> {
        Ok(self.commit.wait_blocking(o.ticket)?)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{office_key, record};
    use super::*;
    use crate::applications::{Action, HistoryEntry};
    use crate::storage::store::Store;

    fn application(mobile: &str, ward: u16, nid: &str) -> Application {
        let mut fields = serde_json::Map::new();
        fields.insert("name".into(), "রহিম উদ্দিন".into());
        fields.insert("nid".into(), nid.into());
        Application {
            id: 0,
            cert_type: "citizenship".into(),
            fields,
            extra: Default::default(),
            ward,
            mobile: mobile.into(),
            status: Status::Submitted,
            approvals: vec![],
            payment: None,
            documents: vec![],
            entered_by: None,
            held: false,
            serial: None,
            history: vec![HistoryEntry {
                at: 1,
                by: "applicant".into(),
                action: Action::Submit,
                note: String::new(),
                fields: None,
            }],
            created_at: 1,
            updated_at: 1,
        }
    }

    fn submit(ledger: &Ledger, a: Application) -> Application {
        let o = ledger
            .change_application(None, "applicant", None, |old, _| {
                assert!(old.is_none());
                Ok::<_, ()>(ApplicationChange {
                    application: a,
                    action: "application.submit",
                    detail: String::new(),
                    sms: None,
                    issue: None,
                    documents: vec![(0, b"%PDF-1.4".to_vec())],
                })
            })
            .unwrap();
        ledger.application_durable_blocking(&o).unwrap();
        o.application
    }

    #[test]
    fn submitted_applications_are_found_by_ward_number_and_repeat() {
        let dir = tempfile::tempdir().unwrap();
        let ledger = Ledger::open(Store::open(dir.path()).unwrap()).unwrap();
        let a = submit(&ledger, application("01711111111", 3, "1234567890"));
        let b = submit(&ledger, application("01711111111", 1, "1234567891"));
        let c = submit(&ledger, application("01822222222", 3, "1234567892"));
        assert_eq!((a.id, b.id, c.id), (1, 2, 3));
        let ids = |v: Vec<Application>| v.iter().map(|a| a.id).collect::<Vec<_>>();
        assert_eq!(
            ids(ledger.applications_in_review(None, None, 10).unwrap()),
            [2, 1, 3]
        );
        assert_eq!(
            ids(ledger.applications_in_review(Some(&[3]), None, 10).unwrap()),
            [1, 3]
        );
        // The next page starts after the last one shown.
        assert_eq!(
            ids(ledger
                .applications_in_review(None, Some((3, 1)), 10)
                .unwrap()),
            [3]
        );
        assert_eq!(ledger.review_counts().unwrap(), [(1, 1), (3, 2)]);
        assert_eq!(
            ids(ledger.applications_of_mobile("01711111111", 10).unwrap()),
            [2, 1]
        );
        assert_eq!(
            ledger.open_duplicate("citizenship", "1234567890").unwrap(),
            Some(1)
        );
        assert_eq!(ledger.open_duplicate("warish", "1234567890").unwrap(), None);
        assert_eq!(ledger.document(1, 0).unwrap().unwrap(), b"%PDF-1.4");
        assert_eq!(ledger.document(1, 1).unwrap(), None);
    }

    #[test]
    fn approval_issues_the_certificate_in_the_same_write_and_closes_the_application() {
        let dir = tempfile::tempdir().unwrap();
        let key = office_key(&dir.path().join("keys"));
        let ledger = Ledger::open(Store::open(&dir.path().join("store")).unwrap()).unwrap();
        let a = submit(&ledger, application("01711111111", 3, "1234567890"));
        let head = ledger.head();
        let o = ledger
            .change_application(Some(a.id), "councillor3", Some(&key), |old, _| {
                let mut app = old.ok_or("gone")?;
                if app.status != Status::Submitted {
                    return Err("decided");
                }
                app.record(HistoryEntry {
                    at: 2,
                    by: "councillor3".into(),
                    action: Action::Approve,
                    note: String::new(),
                    fields: None,
                });
                Ok(ApplicationChange {
                    application: app,
                    action: "application.approve",
                    detail: String::new(),
                    sms: None,
                    issue: Some(record("রহিম উদ্দিন")),
                    documents: vec![],
                })
            })
            .unwrap();
        ledger.application_durable_blocking(&o).unwrap();
        let serial = o.certificate.as_ref().unwrap().serial;
        assert_eq!(o.application.serial, Some(serial));
        assert_eq!(o.application.status, Status::Approved);
        assert!(ledger.store().get(serial).unwrap().is_some());
        assert_eq!(ledger.head(), head + 1, "the issued event is in the feed");
        assert!(ledger
            .applications_in_review(None, None, 10)
            .unwrap()
            .is_empty());
        assert_eq!(
            ledger.open_duplicate("citizenship", "1234567890").unwrap(),
            None
        );
        // A second decision sees the approval and is refused; nothing is written.
        let again =
            ledger.change_application(Some(a.id), "mayor", Some(&key), |old, _| match old {
                Some(app) if app.status == Status::Submitted => unreachable!(),
                _ => Err::<ApplicationChange, _>("decided"),
            });
        assert!(matches!(again, Err(ChangeError::Refused("decided"))));
        assert_eq!(ledger.head(), head + 1);
        // It is all still there after a reopen.
        ledger.close().unwrap();
        drop(ledger);
        let ledger = Ledger::open(Store::open(&dir.path().join("store")).unwrap()).unwrap();
        assert_eq!(
            ledger.application(a.id).unwrap().unwrap().serial,
            Some(serial)
        );
        let next = submit(&ledger, application("01711111111", 3, "1234567890"));
        assert_eq!(next.id, 2, "ids go on after a reopen");
    }
}
