//! The citizen's pages: sign in with a one-time code sent by SMS (`crate::citizen`), then
//! their applications with status and history, and their certificates to print, download as
//! PDF or as the QR image again at any time.
//!
//! A citizen's session shows only the records of the number it was opened for: a certificate
//! whose record has that mobile number, or one issued from an application made with it.
//! Codes travel only in POST bodies, never in URLs; nothing here logs a number or a code.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use sonod_seal::{CertificateNumber, Mobile};
use std::time::Instant;

use super::auth::{csrf_ok, csrf_token, ClientAddr};
use super::error::AppError;
use super::AppState;
use crate::applications::{tracking, Application};
use crate::citizen::{CodeRefused, SendRefused, SESSION_MAX_SECONDS};
use crate::l10n;
use crate::storage::ledger::now;
use crate::StoredCertificate;

/// The citizen's session cookie (apart from the officials' `sonod_session`).
pub const CITIZEN_COOKIE: &str = "sonod_citizen";
/// Most applications and certificates listed for one number.
const MOST_LISTED: usize = 100;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/citizen", get(page))
        .route("/citizen/code", post(send_code))
        .route("/citizen/verify", post(verify))
        .route("/citizen/logout", post(logout))
        .route("/citizen/certificates/{serial}/print", get(print))
        .route("/citizen/certificates/{serial}/pdf", get(pdf))
        .route("/citizen/certificates/{serial}/qr.png", get(qr_png))
}

/// The cookie's value, if the request has one.
fn cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == CITIZEN_COOKIE)
        .map(|(_, v)| v)
}

/// The signed-in citizen: the session id and its number.
struct Citizen {
    session: String,
    mobile: String,
}

fn signed_in(state: &AppState, headers: &HeaderMap) -> Option<Citizen> {
    let id = cookie(headers)?;
    let mobile = state.citizens().session(id, now())?;
    Some(Citizen {
        session: id.to_owned(),
        mobile,
    })
}

/// `Secure` exactly when the request came over HTTPS (through the office's proxy, see
/// `serve --trust-proxy-https`), as for the officials' cookie.
fn secure(state: &AppState, headers: &HeaderMap) -> &'static str {
    if super::pages::came_over_https(state, headers) {
        "; Secure"
    } else {
        ""
    }
}

/// Bangla and English of one message.
struct Both {
    bn: String,
    en: String,
}

fn both(id: &str, args: &[(&'static str, &str)]) -> Both {
    Both {
        bn: l10n::bn_args(id, args),
        en: l10n::en_args(id, args),
    }
}

/// The sign-in page: the number form, or the code form once a code may have been sent.
#[derive(Template)]
#[template(path = "citizen_signin.html", escape = "sonod")]
struct SignInPage {
    office_bn: String,
    office_en: String,
    development: bool,
    /// The number, when the code form is shown.
    mobile: Option<String>,
    /// The number as the page shows it (Bangla digits).
    mobile_bn: String,
    notice: Option<Both>,
    error: Option<Both>,
}

/// One application on the citizen's page.
struct ApplicationRow {
    tracking_bn: String,
    tracking_en: String,
    type_bn: &'static str,
    type_en: &'static str,
    status: &'static str,
    status_bn: String,
    status_en: String,
    note: Option<String>,
    history: Vec<HistoryRow>,
}

struct HistoryRow {
    at_bn: String,
    what_bn: String,
    what_en: String,
}

/// One certificate on the citizen's page.
struct CertificateRow {
    serial: u64,
    number_bn: String,
    number_en: String,
    type_bn: &'static str,
    type_en: &'static str,
    issued_bn: String,
    /// `valid` or `revoked`.
    state: &'static str,
    state_bn: String,
    state_en: String,
}

#[derive(Template)]
#[template(path = "citizen.html", escape = "sonod")]
struct CitizenPage {
    office_bn: String,
    office_en: String,
    development: bool,
    mobile_bn: String,
    csrf: String,
    applications: Vec<ApplicationRow>,
    certificates: Vec<CertificateRow>,
}

fn sign_in_page(state: &AppState) -> SignInPage {
    let office = &state.config().office;
    SignInPage {
        office_bn: office.name_bn.clone(),
        office_en: office.name_en.clone(),
        development: state.config().development,
        mobile: None,
        mobile_bn: String::new(),
        notice: None,
        error: None,
    }
}

fn render(status: StatusCode, page: &impl Template) -> Response {
    (
        status,
        [(header::CACHE_CONTROL, "private, no-store")],
        Html(page.render().unwrap_or_default()),
    )
        .into_response()
}

/// The number's local form, `01XXXXXXXXX`, as applications keep it.
fn local(mobile: &str) -> &str {
    mobile.strip_prefix("+88").unwrap_or(mobile)
}

/// The number's local form with Bangla digits, for the page.
fn local_bn(mobile: &str) -> String {
    sonod_seal::bangla_digits(local(mobile))
}

async fn page(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let Some(citizen) = signed_in(&state, &headers) else {
        return Ok(render(StatusCode::OK, &sign_in_page(&state)));
    };
    let (applications, certificates) = records_of(&state, &citizen.mobile).await?;
    let office = &state.config().office;
    let ledger = state.ledger();
    let applications = applications.iter().map(application_row).collect();
    let certificates = certificates
        .iter()
        .map(|c| {
            let revocation = ledger.revocation(c.serial)?;
            let resealed = ledger.resealed_from(c.serial)?.is_some();
            Ok(certificate_row(c, revocation.map(|r| r.reason), resealed))
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(render(
        StatusCode::OK,
        &CitizenPage {
            office_bn: office.name_bn.clone(),
            office_en: office.name_en.clone(),
            development: state.config().development,
            mobile_bn: local_bn(&citizen.mobile),
            csrf: csrf_token(&citizen.session),
            applications,
            certificates,
        },
    ))
}

/// The number's applications (newest first) and certificates (newest first): those whose
/// record has the number and those issued from its applications.
async fn records_of(
    state: &AppState,
    mobile: &str,
) -> Result<(Vec<Application>, Vec<StoredCertificate>), AppError> {
    let (state, mobile) = (state.clone(), mobile.to_owned());
    tokio::task::spawn_blocking(move || {
        let ledger = state.ledger();
        let applications = ledger.applications_of_mobile(local(&mobile), MOST_LISTED)?;
        let mut certificates = ledger.certificates_of_mobile(&mobile, MOST_LISTED)?;
        for serial in applications.iter().filter_map(|a| a.serial) {
            if !certificates.iter().any(|c| c.serial == serial) {
                if let Some(c) = ledger.store().get(serial)? {
                    certificates.push(c);
                }
            }
        }
        certificates.sort_by_key(|c| std::cmp::Reverse(c.serial));
        certificates.truncate(MOST_LISTED);
        Ok::<_, AppError>((applications, certificates))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

fn application_row(a: &Application) -> ApplicationRow {
    let t = sonod_seal::cert_type_by_key(&a.cert_type);
    let status = a.status.as_str();
    ApplicationRow {
        tracking_bn: sonod_seal::bangla_digits(&tracking(a.id)),
        tracking_en: tracking(a.id),
        type_bn: t.map_or("", |t| t.name_bn),
        type_en: t.map_or("", |t| t.name_en),
        status,
        status_bn: l10n::bn(&format!("citizen-status-{status}")),
        status_en: l10n::en(&format!("citizen-status-{status}")),
        note: a.last_note().filter(|n| !n.is_empty()).map(str::to_owned),
        history: a
            .history
            .iter()
            .map(|h| {
                let id = format!(
                    "citizen-action-{}",
                    serde_json::to_value(h.action)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                        .replace('_', "-")
                );
                HistoryRow {
                    at_bn: sonod_seal::bangla_digits(&crate::accounts::dhaka_time(h.at)),
                    what_bn: l10n::bn(&id),
                    what_en: l10n::en(&id),
                }
            })
            .collect(),
    }
}

fn certificate_row(
    c: &StoredCertificate,
    revoked: Option<sonod_seal::feed::RevocationReason>,
    resealed: bool,
) -> CertificateRow {
    let record = &c.record;
    let number = CertificateNumber::new(record.office(), c.serial);
    let (state, state_bn, state_en) = match revoked {
        Some(reason) => {
            let (bn, en) = reason.labels();
            (
                "revoked",
                l10n::bn_args("citizen-revoked", &[("reason", &bn)]),
                l10n::en_args("citizen-revoked", &[("reason", &en)]),
            )
        }
        // Sealed again after the office's key was stolen: the paper in hand is still
        // genuine, and the new print carries the new seal.
        None if resealed => (
            "valid",
            l10n::bn("citizen-resealed"),
            l10n::en("citizen-resealed"),
        ),
        None => (
            "valid",
            l10n::bn("citizen-valid"),
            l10n::en("citizen-valid"),
        ),
    };
    CertificateRow {
        serial: c.serial,
        number_bn: number.bn(),
        number_en: number.en(),
        type_bn: record.cert_type().name_bn,
        type_en: record.cert_type().name_en,
        issued_bn: sonod_seal::bangla_date(record.issued()),
        state,
        state_bn,
        state_en,
    }
}

/// The form again saying how long to wait, with the wait in `Retry-After` for scripts.
fn too_many(mut page: SignInPage, wait: std::time::Duration) -> Response {
    let minutes = wait.as_secs().div_ceil(60).max(1).to_string();
    page.error = Some(both("citizen-wait", &[("minutes", &minutes)]));
    let mut r = render(StatusCode::TOO_MANY_REQUESTS, &page);
    r.headers_mut()
        .insert(header::RETRY_AFTER, wait.as_secs().max(1).into());
    r
}

/// A typed mobile number (at most 40 characters are read) in its one form, `+8801…`.
fn parse_mobile(typed: &str) -> Option<String> {
    let typed: String = typed.chars().take(40).collect();
    typed.parse::<Mobile>().ok().map(|m| m.as_str().to_owned())
}

#[derive(Deserialize)]
struct NumberForm {
    mobile: String,
}

/// Sends a code if the number is known, and always answers with the code form: the page never
/// says whether the office knows the number.
async fn send_code(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    Form(f): Form<NumberForm>,
) -> Result<Response, AppError> {
    let mut page = sign_in_page(&state);
    let Some(mobile) = parse_mobile(&f.mobile) else {
        page.error = Some(both("citizen-bad-mobile", &[]));
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    if let Err(SendRefused::Wait(wait)) =
        state
            .citizens()
            .admit_send(&mobile, address, Instant::now())
    {
        return Ok(too_many(page, wait));
    }
    let known = {
        let (state, mobile) = (state.clone(), mobile.clone());
        tokio::task::spawn_blocking(move || {
            let l = state.ledger();
            Ok::<_, AppError>(
                !l.applications_of_mobile(local(&mobile), 1)?.is_empty()
                    || !l.certificates_of_mobile(&mobile, 1)?.is_empty(),
            )
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??
    };
    if known {
        let code = state.citizens().new_code(&mobile, now());
        state
            .ledger()
            .send_sms(
                mobile.clone(),
                crate::sms::code_text(&code),
                crate::sms::CODE_KIND,
            )
            .await?;
    } else {
        // The same wait as a durable write, so that the answer's timing tells nothing.
        state.ledger().sms_barrier().await?;
    }
    page.mobile_bn = local_bn(&mobile);
    page.mobile = Some(mobile);
    page.notice = Some(both("citizen-code-sent", &[]));
    Ok(render(StatusCode::OK, &page))
}

#[derive(Deserialize)]
struct CodeForm {
    mobile: String,
    code: String,
}

async fn verify(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<CodeForm>,
) -> Result<Response, AppError> {
    let mut page = sign_in_page(&state);
    let Some(mobile) = parse_mobile(&f.mobile) else {
        page.error = Some(both("citizen-bad-mobile", &[]));
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    page.mobile_bn = local_bn(&mobile);
    page.mobile = Some(mobile.clone());
    let code = sonod_seal::latin_digits(&f.code.chars().take(20).collect::<String>())
        .ok()
        .filter(|c| c.len() == 6);
    let Some(code) = code else {
        page.error = Some(both("citizen-bad-code", &[]));
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    };
    match state
        .citizens()
        .verify(&mobile, &code, address, now(), Instant::now())
    {
        Ok(id) => {
            let cookie = format!(
                "{CITIZEN_COOKIE}={id}; HttpOnly; SameSite=Lax; Path=/citizen; Max-Age={SESSION_MAX_SECONDS}{}",
                secure(&state, &headers)
            );
            Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/citizen")).into_response())
        }
        Err(CodeRefused::Wrong(left)) => {
            page.error = Some(both("citizen-wrong-code", &[("left", &left.to_string())]));
            if left == 0 {
                page.mobile = None;
            }
            Ok(render(StatusCode::UNAUTHORIZED, &page))
        }
        Err(CodeRefused::Expired) => {
            page.error = Some(both("citizen-code-expired", &[]));
            page.mobile = None;
            Ok(render(StatusCode::UNAUTHORIZED, &page))
        }
        Err(CodeRefused::Wait(wait)) => Ok(too_many(page, wait)),
    }
}

#[derive(Deserialize)]
struct LogoutForm {
    csrf: String,
}

async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<LogoutForm>,
) -> Result<Response, AppError> {
    if let Some(id) = cookie(&headers) {
        if !csrf_ok(id, &f.csrf) {
            return Err(AppError::Csrf);
        }
        state.citizens().sign_out(id);
    }
    let clear = format!(
        "{CITIZEN_COOKIE}=; HttpOnly; SameSite=Lax; Path=/citizen; Max-Age=0{}",
        secure(&state, &headers)
    );
    Ok(([(header::SET_COOKIE, clear)], Redirect::to("/citizen")).into_response())
}

/// Certificate `serial` if it is the signed-in citizen's; the same 404 whether it does not
/// exist or belongs to someone else.
async fn own(state: &AppState, headers: &HeaderMap, serial: u64) -> Result<(), AppError> {
    let citizen = signed_in(state, headers).ok_or(AppError::Unauthorized)?;
    let (_, certificates) = records_of(state, &citizen.mobile).await?;
    if certificates.iter().any(|c| c.serial == serial) {
        Ok(())
    } else {
        Err(AppError::NotFound(l10n::both("citizen-not-yours", &[])))
    }
}

async fn print(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(serial): Path<u64>,
) -> Result<Response, AppError> {
    own(&state, &headers, serial).await?;
    super::web::print_page(
        &state,
        serial,
        &format!("/citizen/certificates/{serial}/pdf"),
    )
}

async fn pdf(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(serial): Path<u64>,
) -> Result<Response, AppError> {
    own(&state, &headers, serial).await?;
    super::web::pdf_file(state, serial).await
}

async fn qr_png(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(serial): Path<u64>,
) -> Result<Response, AppError> {
    own(&state, &headers, serial).await?;
    let c = state
        .ledger()
        .store()
        .get(serial)?
        .ok_or_else(|| AppError::NotFound(l10n::both("citizen-not-yours", &[])))?;
    let png = super::api::qr_image(&state, &c)?
        .png()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let number = CertificateNumber::new(c.record.office(), serial).en();
    Ok((
        [
            (header::CONTENT_TYPE, "image/png".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"sonod-{number}-qr.png\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        png,
    )
        .into_response())
}
