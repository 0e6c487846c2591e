//! Applications: a citizen's (or a digital centre operator's) request for a certificate, and
//! its way through the office's review to an issued certificate, a rejection, or back to the
//! applicant for correction.
//!
//! An [`Application`] is kept whole, with its history, in the ledger tree (see the `store`
//! module's layout), and every change of it goes through [`Ledger::change_application`]: one
//! function that, under the ledger's write lock, reads the application as it stands (queued
//! changes included), lets the caller decide the new state, and queues the new state, its
//! indexes, its audit entry, its SMS and — on approval — the sealed certificate with its
//! `issued` event, all in one atomic batch. So two officials deciding at once are serialised,
//! and a crash keeps an approval and its certificate together or neither.
//!
//! [`Ledger::change_application`]: crate::storage::ledger::Ledger::change_application

pub mod review;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use crate::accounts::Role;

pub mod form;

/// Most supporting documents on one application.
pub const MAX_DOCUMENTS: usize = 5;
/// Largest supporting document, bytes.
pub const MAX_DOCUMENT_BYTES: usize = 2 * 1024 * 1024;
/// Most history entries kept on one application (a correction loop cannot grow it forever).
pub const MAX_HISTORY: usize = 100;

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waiting for its first (or only) approval.
    Submitted,
    /// Approved once; waiting for the second approval (the mayor or chairman, or a second
    /// official after a rate hold).
    AwaitingSecond,
    /// Sent back to the applicant for correction; they edit and resubmit.
    SentBack,
    /// Approved and issued: [`Application::serial`] is the certificate.
    Approved,
    /// Rejected with a reason the applicant sees.
    Rejected,
}

impl Status {
    /// Every status.
    pub const ALL: [Status; 5] = [
        Status::Submitted,
        Status::AwaitingSecond,
        Status::SentBack,
        Status::Approved,
        Status::Rejected,
    ];

    /// Still to be decided (in a review queue): submitted or awaiting its second approval.
    pub fn in_review(self) -> bool {
        matches!(self, Status::Submitted | Status::AwaitingSecond)
    }

    /// Not finished: in review or sent back. An open application of the same person and type
    /// is the one a repeat is pointed to.
    pub fn is_open(self) -> bool {
        self.in_review() || self == Status::SentBack
    }

    /// The snake_case name (also the Fluent id suffix `application-status-…`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::AwaitingSecond => "awaiting_second",
            Status::SentBack => "sent_back",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
        }
    }
}

/// What happened to an application, in its history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Submitted (by the applicant or an operator).
    Submit,
    /// Resubmitted after correction.
    Resubmit,
    /// Marked paid.
    Pay,
    /// Approved (first of two).
    ApproveFirst,
    /// Approved and issued.
    Approve,
    /// Held: the official's approvals went over the hourly limit or outside office hours;
    /// a second official must approve too.
    Hold,
    /// Sent back for correction.
    SendBack,
    /// Rejected.
    Reject,
}

/// One entry of an application's history. Never edited; the history keeps every version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// When, Unix seconds.
    pub at: i64,
    /// Who: an account name, or `applicant` for the citizen.
    pub by: String,
    /// What.
    pub action: Action,
    /// The reason or note shown with it (a rejection's reason, what to correct).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// On submit and resubmit: the fields as they were then (so the history keeps both
    /// versions of a corrected application).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Map<String, Json>>,
}

/// An approval given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    /// The account.
    pub by: String,
    /// Its role then.
    pub role: Role,
    /// When, Unix seconds.
    pub at: i64,
}

/// A fee paid at the counter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// The receipt number written on the counter's receipt.
    pub receipt: String,
    /// Amount, whole Taka.
    pub taka: u32,
    /// Who recorded it.
    pub by: String,
    /// When, Unix seconds.
    pub at: i64,
}

/// A supporting document, stored beside the application (never served publicly).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRef {
    /// Its index on the application (the storage key's last byte).
    pub index: u8,
    /// What the applicant called it (shown to officials only; NFC, at most 100 characters).
    pub label: String,
    /// The content type found by reading the bytes (`image/jpeg`, `image/png`,
    /// `application/pdf`), never the name's.
    pub content_type: String,
    /// Size, bytes.
    pub size: u64,
    /// SHA-256, lower-case hex.
    pub sha256: String,
}

/// Who entered an application on the citizen's behalf, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnteredBy {
    /// The operator's account.
    pub account: String,
    /// The place (the digital centre's name).
    pub place: String,
}

/// An application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    /// Its number, from 1; the tracking number is made from it.
    pub id: u64,
    /// The certificate type's key (`citizenship`, `warish`, …).
    pub cert_type: String,
    /// The record's fields as record JSON (`"name": "…"`, `"heirs": [...]`): what the
    /// certificate will say, checked against the type's schema when submitted.
    pub fields: Map<String, Json>,
    /// Facts the application needs that the certificate does not carry (the English name,
    /// post office, upazila, district …), by key.
    #[serde(default)]
    pub extra: Map<String, Json>,
    /// The ward it belongs to (the councillor whose queue it is in).
    pub ward: u16,
    /// The applicant's mobile number, `01XXXXXXXXX` (SMS, the citizen's sign-in).
    pub mobile: String,
    /// Where it stands.
    pub status: Status,
    /// Approvals given so far.
    #[serde(default)]
    pub approvals: Vec<Approval>,
    /// The fee paid, if recorded.
    #[serde(default)]
    pub payment: Option<Payment>,
    /// Supporting documents.
    #[serde(default)]
    pub documents: Vec<DocumentRef>,
    /// Set when an operator entered it.
    #[serde(default)]
    pub entered_by: Option<EnteredBy>,
    /// Held by the rate guard: the next approval must come from another official.
    #[serde(default)]
    pub held: bool,
    /// The certificate issued on approval.
    #[serde(default)]
    pub serial: Option<u64>,
    /// What happened, oldest first.
    pub history: Vec<HistoryEntry>,
    /// Created, Unix seconds.
    pub created_at: i64,
    /// Last changed, Unix seconds.
    pub updated_at: i64,
}

impl Application {
    /// The NID or birth registration number it names, digits only (for the repeat check).
    pub fn identity(&self) -> Option<&str> {
        ["nid", "brn"]
            .iter()
            .find_map(|k| self.fields.get(*k).and_then(Json::as_str))
    }

    /// The rejection reason or correction note of the last decision, if any.
    pub fn last_note(&self) -> Option<&str> {
        self.history
            .iter()
            .rev()
            .find(|h| matches!(h.action, Action::Reject | Action::SendBack))
            .map(|h| h.note.as_str())
    }

    /// Adds a history entry, dropping the oldest beyond [`MAX_HISTORY`] (the first, the
    /// submission, is always kept).
    pub fn record(&mut self, entry: HistoryEntry) {
        if self.history.len() >= MAX_HISTORY {
            self.history.remove(1);
        }
        self.updated_at = entry.at;
        self.history.push(entry);
    }
}

/// The tracking number printed for the applicant: `A` and the number, e.g. `A-42`; in Bangla
/// digits for Bangla text.
pub fn tracking(id: u64) -> String {
    format!("A-{id}")
}

/// Reads a tracking number as typed: `A-42`, `a42`, `৪২`, `A-৪২`. `None` when it is not one.
pub fn parse_tracking(s: &str) -> Option<u64> {
    let s = s.trim();
    let s = s
        .strip_prefix(['A', 'a'])
        .map(|r| r.trim_start_matches(['-', ' ']))
        .unwrap_or(s);
    let digits = sonod_seal::latin_digits(s).ok()?;
    if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|&n| n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_numbers_read_back_in_either_digits() {
        assert_eq!(tracking(42), "A-42");
        for typed in ["A-42", "a42", "42", " A-৪২ ", "৪২"] {
            assert_eq!(parse_tracking(typed), Some(42), "{typed}");
        }
        for bad in ["", "A-", "A-0", "B-42", "42x", "A-99999999999999999999"] {
            assert_eq!(parse_tracking(bad), None, "{bad}");
        }
    }

    #[test]
    fn open_and_review_states() {
        assert!(Status::Submitted.in_review() && Status::AwaitingSecond.in_review());
        assert!(Status::SentBack.is_open() && !Status::SentBack.in_review());
        assert!(!Status::Approved.is_open() && !Status::Rejected.is_open());
    }
}
