//! The office's review of an application: approve (issuing the certificate on the last
//! approval), reject, send back for correction, mark paid; and the rate hold that makes a
//! second official approve after an official approves too many in an hour or outside office
//! hours.
//!
//! [`decide`] is the whole rule, a pure function of the application as it stands under the
//! ledger's write lock, the office's settings, who acts and whether they are held: the server
//! calls it inside [`Ledger::change_application`], so two officials deciding at once are
//! serialised and the second sees the first's decision.
//!
//! Who may do what:
//!
//! * A councillor acts on the applications of their own wards ([`crate::accounts::User::wards`]);
//!   the chairman (mayor) on every ward. Admins review nothing.
//! * A type of one approval is issued by the first approval, the councillor's or the
//!   chairman's. A type of two (the office's settings) needs the ward councillor first, then
//!   the chairman, who issues. Nobody gives two approvals to the same application.
//! * A held official's approval is recorded as a hold (`held`, status awaiting a second
//!   approval) and never issues: another official's approval does.
//! * An application of a type with a fee is approved only once paid; an operator or an
//!   official records the payment with the counter's receipt number.
//!
//! [`Ledger::change_application`]: crate::storage::ledger::Ledger::change_application

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};

use sonod_keys::OfficeCode;
use sonod_seal::{cert_type_by_key, Record};
use time::Date;

use super::{Action, Application, Approval, HistoryEntry, Payment, Status};
use crate::accounts::Role;
use crate::office::settings::{OfficeSettings, TimeLimits};
use crate::storage::ledger::{ApplicationChange, Ledger};
use crate::storage::store::StoreError;

/// Longest rejection reason or correction note, characters.
pub const MAX_NOTE_CHARS: usize = 300;
/// Longest receipt number, characters.
pub const MAX_RECEIPT_CHARS: usize = 40;
/// The characters of a correction note an SMS carries at most (the rest is on the
/// applicant's page); the text must stay within [`crate::sms::MAX_UTF16`].
const SMS_NOTE_UNITS: usize = 60;

/// Who acts: an account, its role and (for a councillor) its wards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Official {
    /// Account name.
    pub name: String,
    /// Its role.
    pub role: Role,
    /// A councillor's wards.
    pub wards: Vec<u16>,
}

impl Official {
    /// Whether the applications of `ward` are theirs to review (and to see).
    pub fn reviews_ward(&self, ward: u16) -> bool {
        match self.role {
            Role::Chairman => true,
            Role::Councillor => self.wards.contains(&ward),
            Role::Admin | Role::Operator => false,
        }
    }

    /// Whether they may see application pages and the queue at all: officials and operators
    /// (who record payments and enter applications at the digital centre).
    pub fn may_see(&self, ward: u16) -> bool {
        self.role == Role::Operator || self.reviews_ward(ward)
    }

    /// The wards of their queue: `None` for every ward.
    pub fn queue_wards(&self) -> Option<&[u16]> {
        match self.role {
            Role::Councillor => Some(&self.wards),
            _ => None,
        }
    }
}

/// What an official decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Approve (and issue, when it is the last approval needed).
    Approve,
    /// Reject, with the reason the applicant sees.
    Reject {
        /// The reason.
        reason: String,
    },
    /// Send back for correction, saying what to correct.
    SendBack {
        /// What to correct.
        note: String,
    },
    /// Record the fee paid at the counter.
    Pay {
        /// The receipt number.
        receipt: String,
    },
}

impl Decision {
    /// The audit action.
    pub fn audit_action(&self) -> &'static str {
        match self {
            Decision::Approve => "application.approve",
            Decision::Reject { .. } => "application.reject",
            Decision::SendBack { .. } => "application.send_back",
            Decision::Pay { .. } => "application.pay",
        }
    }
}

/// Why an official is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoldReason {
    /// More than the hourly limit of approvals in the last hour.
    Rate {
        /// Approvals in the last hour before this one.
        count: u32,
    },
    /// Outside office hours (Dhaka); the hour it is.
    Hours {
        /// The hour, 0–23.
        hour: u8,
    },
}

impl HoldReason {
    /// The audit detail's word.
    pub fn code(self) -> &'static str {
        match self {
            HoldReason::Rate { .. } => "rate",
            HoldReason::Hours { .. } => "hours",
        }
    }
}

/// Why a decision was refused. Nothing is written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// No such application.
    #[error("{}", crate::l10n::both("review-no-application", &[("id", &super::tracking(*.0))]))]
    NotFound(u64),
    /// The role may not do this.
    #[error("{}", crate::l10n::both("review-not-allowed", &[]))]
    NotAllowed,
    /// A councillor acting on another ward's application.
    #[error("{}", crate::l10n::both("review-other-ward", &[("ward", &.0.to_string())]))]
    OtherWard(u16),
    /// Not in review any more: decided by someone else meanwhile, or sent back.
    #[error("{}", crate::l10n::both("review-decided", &[("status_bn", &crate::l10n::bn(&format!("application-status-{}", .0.as_str()))), ("status", &crate::l10n::en(&format!("application-status-{}", .0.as_str())))]))]
    Decided(Status),
    /// The type has a fee and no payment is recorded.
    #[error("{}", crate::l10n::both("review-unpaid", &[("fee", &.0.to_string())]))]
    Unpaid(u32),
    /// This official has approved it already.
    #[error("{}", crate::l10n::both("review-approved-already", &[]))]
    ApprovedAlready,
    /// A type of two approvals: the ward councillor approves first.
    #[error("{}", crate::l10n::both("review-councillor-first", &[]))]
    CouncillorFirst,
    /// A type of two approvals with the councillor's given: the chairman's is next.
    #[error("{}", crate::l10n::both("review-chairman-next", &[]))]
    ChairmanNext,
    /// A reason or note that is empty or too long.
    #[error("{}", crate::l10n::both("review-bad-note", &[("max", &MAX_NOTE_CHARS.to_string())]))]
    BadNote,
    /// A receipt number that is empty, too long or not printable.
    #[error("{}", crate::l10n::both("review-bad-receipt", &[("max", &MAX_RECEIPT_CHARS.to_string())]))]
    BadReceipt,
    /// Paid already.
    #[error("{}", crate::l10n::both("review-paid-already", &[]))]
    PaidAlready,
    /// The type has no fee.
    #[error("{}", crate::l10n::both("review-no-fee", &[]))]
    NoFee,
    /// The application does not make a certificate the office can seal.
    #[error("{}", crate::l10n::both("review-bad-record", &[("error", .0.as_str())]))]
    BadRecord(String),
}

/// What a decision needs besides the application.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The office's settings now.
    pub settings: &'a OfficeSettings,
    /// The office the certificate is for.
    pub office: &'a OfficeCode,
    /// Today in Dhaka (the certificate's issue date).
    pub today: Date,
    /// Now, Unix seconds.
    pub now: i64,
    /// Set when the acting official is held.
    pub hold: Option<HoldReason>,
}

/// Bangla digits as Latin ones, every other character kept (unlike
/// `sonod_seal::latin_digits`, which keeps digits only and so would read `৫-৬` as 56).
pub fn latin(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '০'..='৯' => {
                char::from_u32(u32::from('0') + (u32::from(c) - u32::from('০'))).unwrap_or(c)
            }
            _ => c,
        })
        .collect()
}

/// A note or reason as kept: NFC, trimmed, without control characters; refused when empty
/// or too long.
pub fn clean_note(s: &str) -> Result<String, Refusal> {
    let s = sonod_seal::text::normalize(s.trim());
    if s.is_empty() || s.chars().count() > MAX_NOTE_CHARS || s.chars().any(char::is_control) {
        return Err(Refusal::BadNote);
    }
    Ok(s)
}

fn clean_receipt(s: &str) -> Result<String, Refusal> {
    let s = sonod_seal::text::normalize(s.trim());
    if s.is_empty() || s.chars().count() > MAX_RECEIPT_CHARS || s.chars().any(char::is_control) {
        return Err(Refusal::BadReceipt);
    }
    Ok(s)
}

/// The record an approval seals: the one the applicant's form was checked against
/// ([`super::form::record_json`]: type and fields, the office, issued today, a trade
/// licence expiring at the end of its fiscal year).
pub fn record_of(a: &Application, office: &OfficeCode, today: Date) -> Result<Record, Refusal> {
    let t =
        cert_type_by_key(&a.cert_type).ok_or_else(|| Refusal::BadRecord(a.cert_type.clone()))?;
    let v = super::form::record_json(t, &a.fields, office.as_ref(), today);
    Record::from_json(&v).map_err(|e| Refusal::BadRecord(e.to_string()))
}

/// The SMS text telling the applicant their application was sent back, with what to correct
/// (cut to fit two Unicode SMS parts; the whole note is on their page).
pub fn sent_back_text(id: u64, note: &str) -> String {
    let tracking = sonod_seal::bangla_digits(&super::tracking(id));
    let fit =
        |n: &str| crate::l10n::bn_args("sms-sent-back", &[("tracking", &tracking), ("note", n)]);
    fit_text(note, fit)
}

/// The SMS text telling the applicant their application was rejected, with the reason (cut
/// to fit).
pub fn rejected_text(id: u64, type_bn: &str, reason: &str) -> String {
    let tracking = sonod_seal::bangla_digits(&super::tracking(id));
    let fit = |n: &str| {
        crate::l10n::bn_args(
            "sms-rejected",
            &[("tracking", &tracking), ("type", type_bn), ("reason", n)],
        )
    };
    fit_text(reason, fit)
}

/// `make(note)` with the note cut (at a character, with `…`) until the text fits
/// [`crate::sms::MAX_UTF16`].
fn fit_text(note: &str, make: impl Fn(&str) -> String) -> String {
    let note: String = note.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut keep: String = note
        .chars()
        .scan(0, |units, c| {
            *units += c.len_utf16();
            (*units <= SMS_NOTE_UNITS).then_some(c)
        })
        .collect();
    let mut cut = keep.len() < note.len();
    loop {
        let shown = if cut {
            format!("{keep}…")
        } else {
            keep.clone()
        };
        let text = make(&shown);
        if crate::sms::utf16_len(&text) <= crate::sms::MAX_UTF16 || keep.is_empty() {
            return text;
        }
        keep.pop();
        cut = true;
    }
}

fn entry(by: &str, at: i64, action: Action, note: String) -> HistoryEntry {
    HistoryEntry {
        at,
        by: by.into(),
        action,
        note,
        fields: None,
    }
}

/// The entries since the application was last submitted or resubmitted (an approval given
/// before it was sent back does not count).
fn since_submission(a: &Application) -> &[HistoryEntry] {
    let start = a
        .history
        .iter()
        .rposition(|h| matches!(h.action, Action::Submit | Action::Resubmit))
        .unwrap_or(0);
    &a.history[start..]
}

/// Decides `decision` by `who` on application `current` (as it stands under the write lock;
/// `id` is the one asked for): the change to write, or why not.
pub fn decide(
    current: Option<Application>,
    id: u64,
    who: &Official,
    decision: &Decision,
    cx: &Context<'_>,
) -> Result<ApplicationChange, Refusal> {
    let mut a = current.ok_or(Refusal::NotFound(id))?;
    let type_settings = cx.settings.type_settings(&a.cert_type);
    let type_bn = cert_type_by_key(&a.cert_type).map_or("", |t| t.name_bn);
    let mut sms = None;
    let mut issue = None;
    let mut detail = format!("type={} ward={}", a.cert_type, a.ward);
    let mut action = decision.audit_action();
    match decision {
        Decision::Pay { receipt } => {
            if !matches!(who.role, Role::Operator | Role::Councillor | Role::Chairman) {
                return Err(Refusal::NotAllowed);
            }
            if who.role == Role::Councillor && !who.reviews_ward(a.ward) {
                return Err(Refusal::OtherWard(a.ward));
            }
            if !a.status.is_open() {
                return Err(Refusal::Decided(a.status));
            }
            if a.payment.is_some() {
                return Err(Refusal::PaidAlready);
            }
            if type_settings.fee_taka == 0 {
                return Err(Refusal::NoFee);
            }
            let receipt = clean_receipt(receipt)?;
            a.payment = Some(Payment {
                receipt: receipt.clone(),
                taka: type_settings.fee_taka,
                by: who.name.clone(),
                at: cx.now,
            });
            detail.push_str(&format!(" taka={}", type_settings.fee_taka));
            a.record(entry(
                &who.name,
                cx.now,
                Action::Pay,
                format!("{receipt} · ৳{}", type_settings.fee_taka),
            ));
        }
        Decision::Reject { .. } | Decision::SendBack { .. } | Decision::Approve => {
            if !matches!(who.role, Role::Councillor | Role::Chairman) {
                return Err(Refusal::NotAllowed);
            }
            if !who.reviews_ward(a.ward) {
                return Err(Refusal::OtherWard(a.ward));
            }
            if !a.status.in_review() {
                return Err(Refusal::Decided(a.status));
            }
            match decision {
                Decision::Reject { reason } => {
                    let reason = clean_note(reason)?;
                    a.status = Status::Rejected;
                    sms = Some((
                        a.mobile.clone(),
                        rejected_text(id, type_bn, &reason),
                        "rejected",
                    ));
                    a.record(entry(&who.name, cx.now, Action::Reject, reason));
                }
                Decision::SendBack { note } => {
                    let note = clean_note(note)?;
                    a.status = Status::SentBack;
                    a.approvals.clear();
                    a.held = false;
                    sms = Some((a.mobile.clone(), sent_back_text(id, &note), "sent_back"));
                    a.record(entry(&who.name, cx.now, Action::SendBack, note));
                }
                _ => {
                    if type_settings.fee_taka > 0 && a.payment.is_none() {
                        return Err(Refusal::Unpaid(type_settings.fee_taka));
                    }
                    if a.approvals.iter().any(|p| p.by == who.name) {
                        return Err(Refusal::ApprovedAlready);
                    }
                    let given = |list: &[Approval], role: Role| list.iter().any(|p| p.role == role);
                    let holds: Vec<&str> = since_submission(&a)
                        .iter()
                        .filter(|h| h.action == Action::Hold)
                        .map(|h| h.by.as_str())
                        .collect();
                    let two = type_settings.approvals >= 2;
                    if two && who.role == Role::Chairman && !given(&a.approvals, Role::Councillor) {
                        return Err(Refusal::CouncillorFirst);
                    }
                    // The councillor's counted approval is in: the chairman's is next (unless
                    // the chairman was held, when another official's completes it).
                    let councillor_counted = a
                        .approvals
                        .iter()
                        .any(|p| p.role == Role::Councillor && !holds.contains(&p.by.as_str()));
                    if two
                        && who.role == Role::Councillor
                        && councillor_counted
                        && !given(&a.approvals, Role::Chairman)
                    {
                        return Err(Refusal::ChairmanNext);
                    }
                    a.approvals.push(Approval {
                        by: who.name.clone(),
                        role: who.role,
                        at: cx.now,
                    });
                    let complete = !two
                        || (given(&a.approvals, Role::Councillor)
                            && given(&a.approvals, Role::Chairman));
                    if let Some(hold) = cx.hold {
                        a.held = true;
                        a.status = Status::AwaitingSecond;
                        action = "application.hold";
                        detail.push_str(&format!(" hold={}", hold.code()));
                        a.record(entry(&who.name, cx.now, Action::Hold, hold.code().into()));
                    } else if complete {
                        issue = Some(record_of(&a, cx.office, cx.today)?);
                        a.record(entry(&who.name, cx.now, Action::Approve, String::new()));
                    } else {
                        a.status = Status::AwaitingSecond;
                        action = "application.approve_first";
                        a.record(entry(
                            &who.name,
                            cx.now,
                            Action::ApproveFirst,
                            String::new(),
                        ));
                    }
                }
            }
        }
    }
    Ok(ApplicationChange {
        application: a,
        action,
        detail,
        sms,
        issue,
        documents: Vec::new(),
    })
}

/// Approvals by each official in the last hour, in memory: the rate hold's count.
///
/// Rebuilt at start from the audit log (the approvals, first approvals and holds of the last
/// hour, read newest first until an hour back), then kept by [`RateGuard::note`] as approvals
/// are written. The audit log rather than the applications, because it is in time order: the
/// rebuild reads only the last hour's entries, however many applications the office has.
#[derive(Debug, Default)]
pub struct RateGuard {
    seen: Mutex<HashMap<String, VecDeque<i64>>>,
}

/// The audit actions that count as an approval given.
pub const APPROVAL_ACTIONS: [&str; 3] = [
    "application.approve",
    "application.approve_first",
    "application.hold",
];

const HOUR: i64 = 3600;

impl RateGuard {
    /// The approvals of the hour before `now`, from the audit log.
    pub fn from_audit(ledger: &Ledger, now: i64) -> Result<RateGuard, StoreError> {
        let guard = RateGuard::default();
        let mut before = None;
        'pages: loop {
            let page = ledger.audit_entries_before(before, 1000)?;
            let Some(last) = page.last() else { break };
            before = Some(last.seq);
            for e in &page {
                if e.at <= now - HOUR {
                    break 'pages;
                }
                if APPROVAL_ACTIONS.contains(&e.action.as_str()) {
                    guard.note(&e.actor, e.at);
                }
            }
        }
        Ok(guard)
    }

    /// Whether `name` is held now: `limits.approvals_per_hour` approvals already in the last
    /// hour, or outside office hours in Dhaka.
    pub fn check(&self, name: &str, now: i64, limits: &TimeLimits) -> Option<HoldReason> {
        let hour = time::OffsetDateTime::from_unix_timestamp(now)
            .map(|t| t.to_offset(sonod_keys::DHAKA_OFFSET).hour())
            .unwrap_or(0);
        if hour < limits.hours_from || hour >= limits.hours_to {
            return Some(HoldReason::Hours { hour });
        }
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let count = seen.get_mut(name).map_or(0, |q| {
            while q.front().is_some_and(|&t| t <= now - HOUR) {
                q.pop_front();
            }
            q.len()
        });
        let count = u32::try_from(count).unwrap_or(u32::MAX);
        (count >= limits.approvals_per_hour).then_some(HoldReason::Rate { count })
    }

    /// Counts an approval by `name` at `at`.
    pub fn note(&self, name: &str, at: i64) {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        let q = seen.entry(name.to_owned()).or_default();
        // Newest last: the rebuild reads newest first, so it inserts in place.
        let pos = q.iter().rposition(|&t| t <= at).map_or(0, |p| p + 1);
        q.insert(pos, at);
        while q.front().is_some_and(|&t| t <= at - HOUR) {
            q.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sms::{utf16_len, MAX_UTF16};
    use serde_json::json;

    #[test]
    fn sent_back_and_rejected_texts_fit_two_unicode_parts_whatever_the_note() {
        let long_bn = "জন্ম নিবন্ধন নম্বর ভুল, পিতার নাম জাতীয় পরিচয়পত্রের সঙ্গে মেলে না; ".repeat(8);
        let long_en = "x".repeat(MAX_NOTE_CHARS);
        let mut longest = 0;
        for note in [long_bn.as_str(), long_en.as_str(), "ঠিকানা", "a\nb\tc"] {
            for t in sonod_seal::CERT_TYPES {
                for text in [
                    sent_back_text(999_999_999, note),
                    rejected_text(999_999_999, t.name_bn, note),
                ] {
                    longest = longest.max(utf16_len(&text));
                    assert!(
                        utf16_len(&text) <= MAX_UTF16,
                        "{}: {text}",
                        utf16_len(&text)
                    );
                    assert!(!text.contains('\n') && !text.contains('\t'), "{text}");
                }
            }
        }
        assert!(longest > 100, "the long notes fill the message: {longest}");
        // A short note is sent whole, without a cut mark.
        let t = sent_back_text(7, "ঠিকানা");
        assert!(
            t.contains("ঠিকানা") && !t.contains('…') && t.contains("A-৭"),
            "{t}"
        );
        // A long one is cut, and says so.
        assert!(sent_back_text(7, &long_bn).contains('…'));
    }

    #[test]
    fn the_rate_guard_counts_the_last_hour_only_and_office_hours() {
        let limits = TimeLimits {
            idle_minutes: 15,
            approvals_per_hour: 2,
            hours_from: 0,
            hours_to: 24,
        };
        let g = RateGuard::default();
        let t = 1_800_000_000;
        assert_eq!(g.check("a", t, &limits), None);
        g.note("a", t);
        g.note("a", t + 10);
        assert_eq!(
            g.check("a", t + 20, &limits),
            Some(HoldReason::Rate { count: 2 })
        );
        assert_eq!(g.check("b", t + 20, &limits), None, "per official");
        assert_eq!(g.check("a", t + HOUR + 1, &limits), None, "an hour on");
        // Office hours 8 to 20 in Dhaka (UTC+6): 1_800_000_000 is 2027-01-15 08:00 UTC, 14:00
        // in Dhaka.
        let office = TimeLimits {
            hours_from: 8,
            hours_to: 14,
            ..limits
        };
        assert_eq!(
            g.check("c", t, &office),
            Some(HoldReason::Hours { hour: 14 })
        );
        assert_eq!(g.check("c", t - 60, &office), None);
    }

    fn submitted(cert_type: &str) -> Application {
        serde_json::from_value(json!({
            "id": 7, "cert_type": cert_type,
            "fields": {"name": "রহিম", "father": "করিম", "mother": "রোকেয়া",
                       "nid": "1990123456789", "ward": 3},
            "ward": 3, "mobile": "01711111111", "status": "submitted",
            "history": [{"at": 1, "by": "applicant", "action": "submit"}],
            "created_at": 1, "updated_at": 1
        }))
        .unwrap()
    }

    fn who(name: &str, role: Role) -> Official {
        Official {
            name: name.into(),
            role,
            wards: vec![3],
        }
    }

    /// Approves `a` as `who`, held or not: the new state, and whether it issues.
    fn approve(
        a: Application,
        s: &OfficeSettings,
        who: &Official,
        hold: bool,
    ) -> Result<(Application, bool), Refusal> {
        let office = sonod_seal::parse_office("100524").unwrap();
        let cx = Context {
            settings: s,
            office: &office,
            today: sonod_keys::today_dhaka(),
            now: 2,
            hold: hold.then_some(HoldReason::Rate { count: 60 }),
        };
        decide(Some(a), 7, who, &Decision::Approve, &cx).map(|c| (c.application, c.issue.is_some()))
    }

    #[test]
    fn a_held_approval_never_issues_and_the_next_official_s_does() {
        let mut s = OfficeSettings::new("ক", "K");
        let (c1, c2, mayor) = (
            who("c1", Role::Councillor),
            who("c2", Role::Councillor),
            who("mayor", Role::Chairman),
        );
        // One approval: the held councillor's waits; the same councillor cannot finish it.
        let (a, issued) = approve(submitted("citizenship"), &s, &c1, true).unwrap();
        assert!(!issued && a.held && a.status == Status::AwaitingSecond);
        assert_eq!(
            approve(a.clone(), &s, &c1, false),
            Err(Refusal::ApprovedAlready)
        );
        assert!(approve(a, &s, &c2, false).unwrap().1);
        // Two approvals: councillor, then the chairman held, then another official issues.
        s.types.insert(
            "citizenship".into(),
            crate::office::settings::TypeSettings {
                offered: true,
                fee_taka: 0,
                approvals: 2,
            },
        );
        let fresh = submitted("citizenship");
        assert_eq!(
            approve(fresh.clone(), &s, &mayor, false),
            Err(Refusal::CouncillorFirst)
        );
        let (a, issued) = approve(fresh, &s, &c1, false).unwrap();
        assert!(!issued && !a.held);
        assert_eq!(
            approve(a.clone(), &s, &c2, false),
            Err(Refusal::ChairmanNext)
        );
        let (a, issued) = approve(a, &s, &mayor, true).unwrap();
        assert!(!issued && a.held);
        let (a, issued) = approve(a, &s, &c2, false).unwrap();
        assert!(issued, "{a:?}");
        let actions: Vec<Action> = a.history.iter().map(|h| h.action).collect();
        assert_eq!(
            actions,
            [
                Action::Submit,
                Action::ApproveFirst,
                Action::Hold,
                Action::Approve
            ]
        );
        // A councillor of another ward, an operator, an admin: refused.
        let other = Official {
            wards: vec![4],
            ..who("c4", Role::Councillor)
        };
        assert_eq!(
            approve(submitted("citizenship"), &s, &other, false),
            Err(Refusal::OtherWard(3))
        );
        for role in [Role::Operator, Role::Admin] {
            assert_eq!(
                approve(submitted("citizenship"), &s, &who("x", role), false),
                Err(Refusal::NotAllowed)
            );
        }
    }
}
