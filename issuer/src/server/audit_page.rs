//! The audit log's page (`/audit`, admin and chairman): newest first, searched by official,
//! action and date range (Dhaka), paged by position.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use sonod_seal::bangla_digits;
use time::Date;

use super::auth::Caller;
use super::error::AppError;
use super::review::{chrome, page};
use super::tokens::Chrome;
use super::AppState;
use crate::accounts::{dhaka_time, Permission};
use crate::storage::ledger::AuditEntry;

/// Entries on one page.
pub const PAGE: usize = 50;
/// Entries read back for one page at most: a narrow search over a long log shows what it
/// found so far and a link to go on.
pub const SCAN: usize = 20_000;
/// Entries read from the store at a time.
const CHUNK: usize = 1_000;

/// The actions offered in the search's list (any other is typed the same way).
const ACTIONS: [&str; 16] = [
    "application.submit",
    "application.approve",
    "application.approve_first",
    "application.hold",
    "application.reject",
    "application.send_back",
    "application.pay",
    "issue",
    "revoke",
    "reseal",
    "settings.save",
    "user.add",
    "user.wards",
    "user.passwd",
    "user.disable",
    "token.revoke",
];

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/audit", get(audit))
}

#[derive(Debug, Default, Deserialize)]
struct Search {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    before: Option<u64>,
}

struct Row {
    seq: u64,
    at: String,
    actor: String,
    action: String,
    target: String,
    detail: String,
}

struct ActionChoice {
    code: &'static str,
    selected: bool,
}

#[derive(Template)]
#[template(path = "audit.html", escape = "sonod")]
struct AuditPage {
    chrome: Chrome,
    s: Search,
    actions: Vec<ActionChoice>,
    error: Option<String>,
    rows: Vec<Row>,
    next: Option<String>,
}

/// The first second of a Dhaka date, as typed (`2026-12-06`, Bangla digits too).
fn dhaka_day_start(typed: &str) -> Option<Result<i64, ()>> {
    let typed = typed.trim();
    if typed.is_empty() {
        return None;
    }
    let latin: Result<String, ()> = Ok(crate::applications::review::latin(typed));
    Some(latin.and_then(|l| {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        Date::parse(&l, &format)
            .map(|d| {
                d.midnight()
                    .assume_offset(sonod_keys::DHAKA_OFFSET)
                    .unix_timestamp()
            })
            .map_err(|_| ())
    }))
}

/// What the search keeps: entries of `actor` (exact), `action` (exact, or a prefix ending in
/// `.` such as `application.`), at or after `from` and before `to` (Unix seconds).
struct Filter {
    actor: String,
    action: String,
    from: Option<i64>,
    to: Option<i64>,
}

impl Filter {
    fn keeps(&self, e: &AuditEntry) -> bool {
        (self.actor.is_empty() || e.actor == self.actor)
            && (self.action.is_empty()
                || e.action == self.action
                || (self.action.ends_with('.') && e.action.starts_with(&self.action)))
            && self.from.is_none_or(|f| e.at >= f)
            && self.to.is_none_or(|t| e.at < t)
    }
}

/// One page of matches before position `before`, newest first, and where the next page
/// starts (`None` at the log's start or past the date range).
fn search(
    ledger: &crate::storage::ledger::Ledger,
    f: &Filter,
    before: Option<u64>,
) -> Result<(Vec<AuditEntry>, Option<u64>), AppError> {
    let mut out = Vec::new();
    let mut cursor = before;
    let mut scanned = 0;
    loop {
        let chunk = ledger.audit_entries_before(cursor, CHUNK)?;
        let Some(last) = chunk.last() else {
            return Ok((out, None));
        };
        let last_seq = last.seq;
        for e in chunk {
            scanned += 1;
            // The log is in time order: past the range's start, nothing older matches.
            if f.from.is_some_and(|from| e.at < from) {
                return Ok((out, None));
            }
            let seq = e.seq;
            if f.keeps(&e) {
                out.push(e);
                if out.len() == PAGE {
                    return Ok((out, (seq > 1).then_some(seq)));
                }
            }
            if scanned >= SCAN {
                return Ok((out, (seq > 1).then_some(seq)));
            }
        }
        if last_seq <= 1 {
            return Ok((out, None));
        }
        cursor = Some(last_seq);
    }
}

fn query_string(s: &Search, before: u64) -> String {
    let enc = |v: &str| {
        v.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    format!(
        "actor={}&action={}&from={}&to={}&before={before}",
        enc(&s.actor),
        enc(&s.action),
        enc(&s.from),
        enc(&s.to)
    )
}

async fn audit(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Query(s): Query<Search>,
) -> Result<Response, AppError> {
    let Some(caller) = caller else {
        return Ok(Redirect::to("/login").into_response());
    };
    caller.require(Permission::ReadAudit)?;
    let too_long = s.actor.len() > 64 || s.action.len() > 64;
    let (from, to) = (dhaka_day_start(&s.from), dhaka_day_start(&s.to));
    let bad_date = matches!(from, Some(Err(()))) || matches!(to, Some(Err(())));
    let error = if too_long {
        Some(crate::l10n::both("audit-too-long", &[]))
    } else if bad_date {
        Some(crate::l10n::both("audit-bad-date", &[]))
    } else {
        None
    };
    let (rows, next) = if error.is_some() {
        (Vec::new(), None)
    } else {
        let filter = Filter {
            actor: s.actor.trim().to_owned(),
            action: s.action.trim().to_owned(),
            from: from.and_then(Result::ok),
            // The end date is included: up to the start of the next day.
            to: to.and_then(Result::ok).map(|t| t + 86_400),
        };
        let state2 = state.clone();
        let before = s.before;
        tokio::task::spawn_blocking(move || search(state2.ledger(), &filter, before))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))??
    };
    let rows = rows
        .into_iter()
        .map(|e| Row {
            seq: e.seq,
            at: bangla_digits(&dhaka_time(e.at)),
            actor: e.actor,
            action: e.action,
            target: e.target,
            detail: e.detail,
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut resp = page(&AuditPage {
        chrome: chrome(&state, crate::l10n::both("audit-title", &[]), &caller),
        actions: ACTIONS
            .iter()
            .map(|&code| ActionChoice {
                code,
                selected: s.action == code,
            })
            .collect(),
        error,
        rows,
        next: next.map(|n| query_string(&s, n)),
        s,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}
