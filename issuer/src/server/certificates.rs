//! The officials' certificates: the list (`/certificates`, newest first, paged, found by the
//! number printed on the paper), one certificate (`/certificates/{serial}`) with Print, PDF
//! and Revoke (a reason of the six, a note, a confirmation); `/issue` leads to the
//! application form and `/revoke` to the list.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use sonod_seal::feed::RevocationReason;
use sonod_seal::{bangla_digits, CertificateNumber};

use super::auth::Caller;
use super::error::AppError;
use super::review::{check_csrf, chrome, csrf_of, page};
use super::tokens::Chrome;
use super::AppState;
use crate::accounts::{dhaka_time, Permission};
use crate::storage::store::StoredCertificate;

/// Certificates on one page of the list.
pub const PAGE: usize = 50;
/// Longest revocation note (as the API's).
pub const MAX_NOTE_CHARS: usize = 500;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/certificates", get(list))
        .route("/certificates/{serial}", get(show))
        .route("/certificates/{serial}/revoke", post(revoke))
        .route("/issue", get(|| async { Redirect::to("/apply") }))
        .route("/revoke", get(|| async { Redirect::to("/certificates") }))
}

/// The serial a typed certificate number names: `100524-3` or `১০০৫২৪-৩` (the office must be
/// this one: `12-345` of another office is not serial 12345 here), or a bare serial `3`.
pub fn parse_number(typed: &str, office: &str) -> Option<u64> {
    let digits = crate::applications::review::latin(typed.trim())
        .replace([' ', '\u{2010}', '\u{2011}', '\u{2013}'], "-");
    let serial = match digits.split_once('-') {
        Some((o, s)) if o == office => s,
        Some(_) => return None,
        None => digits.as_str(),
    };
    if serial.is_empty() || serial.len() > 19 || !serial.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    serial.parse().ok().filter(|&n| n > 0)
}

struct Row {
    serial: u64,
    number_bn: String,
    type_bn: &'static str,
    type_en: &'static str,
    name: String,
    issued: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "certificates.html", escape = "sonod")]
struct ListPage {
    chrome: Chrome,
    q: String,
    error: Option<String>,
    rows: Vec<Row>,
    next: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    before: Option<u64>,
}

fn name_of(c: &StoredCertificate) -> String {
    ["name", "business_name", "deceased"]
        .iter()
        .find_map(|k| c.record.get(k))
        .map(|v| v.display_bn().into_owned())
        .unwrap_or_default()
}

async fn list(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let Some(caller) = caller else {
        return Ok(Redirect::to("/login").into_response());
    };
    caller.require(Permission::Print)?;
    let office = state.config().office.code.to_string();
    let mut error = None;
    let typed = q.q.clone().unwrap_or_default();
    if !typed.trim().is_empty() {
        match parse_number(&typed, &office) {
            Some(serial) if state.ledger().store().get(serial)?.is_some() => {
                return Ok(Redirect::to(&format!("/certificates/{serial}")).into_response())
            }
            Some(_) => {
                error = Some(crate::l10n::both(
                    "certificates-none",
                    &[("number", typed.trim())],
                ))
            }
            None => {
                error = Some(crate::l10n::both(
                    "certificates-bad-number",
                    &[("office", &office)],
                ))
            }
        }
    }
    let ledger = state.ledger();
    let found = ledger.store().certificates_before(q.before, PAGE)?;
    let next = (found.len() == PAGE)
        .then(|| found.last().map(|c| c.serial))
        .flatten();
    let rows = found
        .iter()
        .map(|c| {
            let t = c.record.cert_type();
            Ok(Row {
                serial: c.serial,
                number_bn: CertificateNumber::new(c.record.office(), c.serial).bn(),
                type_bn: t.name_bn,
                type_en: t.name_en,
                name: name_of(c),
                issued: sonod_seal::bangla_date(c.record.issued()),
                revoked: ledger.revocation(c.serial)?.is_some(),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let status = if error.is_some() {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
    let mut resp = page(&ListPage {
        chrome: chrome(
            &state,
            crate::l10n::both("certificates-title", &[]),
            &caller,
        ),
        q: typed,
        error,
        rows,
        next,
    })?;
    *resp.status_mut() = status;
    Ok(resp)
}

struct Reason {
    code: &'static str,
    bn: String,
    en: String,
}

#[derive(Template)]
#[template(path = "certificate.html", escape = "sonod")]
struct ShowPage {
    chrome: Chrome,
    csrf: String,
    serial: u64,
    number_bn: String,
    number: String,
    type_bn: &'static str,
    type_en: &'static str,
    name: String,
    issued: String,
    expires: Option<String>,
    key_id: String,
    revocation: Option<(String, String, String, String)>,
    may_revoke: bool,
    reasons: Vec<Reason>,
    notice: Option<String>,
    error: Option<String>,
    /// The reason chosen, kept when the form comes back with an error.
    chosen: String,
    note: String,
}

#[derive(Debug, Deserialize)]
struct ShowQuery {
    #[serde(default)]
    revoked: Option<u8>,
}

fn certificate(state: &AppState, serial: u64) -> Result<StoredCertificate, AppError> {
    state.ledger().store().get(serial)?.ok_or_else(|| {
        AppError::NotFound(crate::l10n::both(
            "api-no-certificate",
            &[("serial", &serial.to_string())],
        ))
    })
}

fn render_show(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    c: &StoredCertificate,
    notice: Option<String>,
    error: Option<String>,
    typed: (&str, String),
) -> Result<Response, AppError> {
    let (chosen, note) = typed;
    let t = c.record.cert_type();
    let number = CertificateNumber::new(c.record.office(), c.serial);
    let revocation = state.ledger().revocation(c.serial)?.map(|r| {
        let (bn, en) = r.reason.labels();
        (
            format!("{bn} / {en}"),
            r.by,
            bangla_digits(&dhaka_time(r.at)),
            r.note,
        )
    });
    page(&ShowPage {
        chrome: chrome(
            state,
            crate::l10n::both("certificate-title", &[("number", &number.en())]),
            caller,
        ),
        csrf: csrf_of(caller, headers),
        serial: c.serial,
        number_bn: number.bn(),
        number: number.en(),
        type_bn: t.name_bn,
        type_en: t.name_en,
        name: name_of(c),
        issued: sonod_seal::bangla_date(c.record.issued()),
        expires: c.record.expires().map(sonod_seal::bangla_date),
        key_id: c.key_id.to_string(),
        may_revoke: revocation.is_none()
            && caller.by_session
            && caller.actor.role.allows(Permission::Revoke),
        revocation,
        reasons: RevocationReason::ALL
            .iter()
            .map(|r| {
                let (bn, en) = r.labels();
                Reason {
                    code: r.code(),
                    bn,
                    en,
                }
            })
            .collect(),
        notice,
        error,
        chosen: chosen.to_owned(),
        note,
    })
}

async fn show(
    State(state): State<AppState>,
    caller: Option<Caller>,
    headers: HeaderMap,
    Path(serial): Path<u64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let Some(caller) = caller else {
        return Ok(Redirect::to("/login").into_response());
    };
    caller.require(Permission::Print)?;
    let c = certificate(&state, serial)?;
    let notice = q
        .revoked
        .map(|_| crate::l10n::both("certificate-revoked-notice", &[]));
    render_show(
        &state,
        &caller,
        &headers,
        &c,
        notice,
        None,
        ("", String::new()),
    )
}

#[derive(Debug, Deserialize)]
struct RevokeForm {
    csrf: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    confirm: Option<String>,
}

async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(serial): Path<u64>,
    Form(f): Form<RevokeForm>,
) -> Result<Response, AppError> {
    check_csrf(&caller, &headers, &f.csrf)?;
    let actor = caller.require(Permission::Revoke)?.clone();
    let c = certificate(&state, serial)?;
    let reason = RevocationReason::ALL
        .into_iter()
        .find(|r| r.code() == f.reason);
    let note = f.note.trim();
    let problem = if reason.is_none() {
        Some(crate::l10n::both("certificate-pick-reason", &[]))
    } else if note.chars().count() > MAX_NOTE_CHARS || note.chars().any(char::is_control) {
        Some(crate::l10n::both(
            "certificate-bad-note",
            &[("max", &MAX_NOTE_CHARS.to_string())],
        ))
    } else if f.confirm.is_none() {
        Some(crate::l10n::both("certificate-confirm-needed", &[]))
    } else {
        None
    };
    let (Some(reason), None) = (reason, &problem) else {
        let mut resp = render_show(
            &state,
            &caller,
            &headers,
            &c,
            None,
            problem,
            (&f.reason, f.note),
        )?;
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(resp);
    };
    let ledger = state.ledger();
    let outcome = ledger.revoke(serial, reason, note, &actor.name)?;
    ledger.revoked_durable(&outcome).await?;
    if outcome.created {
        state.metrics().revoked();
    }
    Ok((
        StatusCode::SEE_OTHER,
        [(
            header::LOCATION,
            format!("/certificates/{serial}?revoked=1"),
        )],
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::parse_number;

    #[test]
    fn the_number_on_the_paper_opens_its_serial_and_only_this_office_s() {
        assert_eq!(parse_number("100524-3", "100524"), Some(3));
        assert_eq!(parse_number(" ১০০৫২৪-৩ ", "100524"), Some(3));
        assert_eq!(parse_number("3", "100524"), Some(3));
        assert_eq!(parse_number("১২", "100524"), Some(12));
        assert_eq!(
            parse_number("12-345", "100524"),
            None,
            "another office's number"
        );
        for bad in [
            "",
            "-",
            "100524-",
            "100524-x",
            "abc",
            "0",
            "100524-99999999999999999999",
        ] {
            assert_eq!(parse_number(bad, "100524"), None, "{bad}");
        }
    }
}
