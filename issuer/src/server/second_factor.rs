//! The second step of signing in, enrolling a second factor, and the admins' page of accounts
//! where a lost phone's second factor is reset.
//!
//! Every official signs in with password and a TOTP code (any authenticator app). The policy,
//! the same for every role (admin, chairman, councillor, operator: each can issue, revoke,
//! print or manage what a forger wants): an account without a second factor is let in by its
//! password only as far as the enrolment page, and must enrol before any other page opens;
//! an enrolled account must give a code (or one of its recovery codes) after its password.
//! Until then its session is half-open: it opens no page but these, and lasts five minutes.
//!
//! Pages: `/login/code` (the code), `/account/second-factor` (the QR code and the secret as
//! text, confirmed by a first code; then the ten recovery codes, shown once),
//! `/admin/accounts` (every account and whether it has enrolled; reset one, audited).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::auth::{csrf_ok, csrf_token, session_of, Caller, ClientAddr};
use super::error::AppError;
use super::tokens::Chrome;
use super::AppState;
use crate::accounts::signin::SignInError;
use crate::accounts::{CodeOutcome, Permission, SessionStage, SessionView};
use crate::storage::ledger::now;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/login/code", get(code_page).post(code))
        .route("/account/second-factor", get(enrol_page).post(enrol))
        .route("/admin/accounts", get(accounts_page))
        .route("/admin/accounts/{name}/second-factor/reset", post(reset))
}

fn session_id(headers: &HeaderMap) -> Option<String> {
    let (mut parts, ()) = axum::http::Request::new(()).into_parts();
    parts.headers = headers.clone();
    super::auth::session_cookie(&parts).map(str::to_owned)
}

/// The request's session (any stage) and its id.
fn half_session(state: &AppState, headers: &HeaderMap) -> Option<(String, SessionView)> {
    let (mut parts, ()) = axum::http::Request::new(()).into_parts();
    parts.headers = headers.clone();
    let view = session_of(&parts, state)?;
    Some((session_id(headers)?, view))
}

/// Where a session of `stage` goes next.
pub(super) fn next_page(stage: SessionStage) -> &'static str {
    match stage {
        SessionStage::Full => "/",
        SessionStage::NeedCode => "/login/code",
        SessionStage::MustEnrol => "/account/second-factor",
    }
}

fn render(page: &impl Template) -> Response {
    (
        [(header::CACHE_CONTROL, "private, no-store")],
        Html(page.render().unwrap_or_default()),
    )
        .into_response()
}

/// `/login/code`: the code after the password.
#[derive(Template)]
#[template(path = "login_code.html", escape = "sonod")]
struct CodePage {
    csrf: String,
    name: String,
    error: Option<String>,
}

async fn code_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match half_session(&state, &headers) {
        Some((id, v)) if v.stage == SessionStage::NeedCode => render(&CodePage {
            csrf: csrf_token(&id),
            name: v.actor.name,
            error: None,
        }),
        Some((_, v)) => Redirect::to(next_page(v.stage)).into_response(),
        None => Redirect::to("/login").into_response(),
    }
}

/// The half session of a form posted at `stage` with its CSRF token; else the answer to give:
/// the sign-in page without a session, the session's own step at another stage, a refusal
/// for a wrong token.
fn at_stage(
    state: &AppState,
    headers: &HeaderMap,
    stage: SessionStage,
    csrf: &str,
) -> Result<(String, SessionView), Box<Response>> {
    let Some((id, v)) = half_session(state, headers) else {
        return Err(Box::new(Redirect::to("/login").into_response()));
    };
    if v.stage != stage {
        return Err(Box::new(Redirect::to(next_page(v.stage)).into_response()));
    }
    if !csrf_ok(&id, csrf) {
        return Err(Box::new(AppError::Csrf.into_response()));
    }
    Ok((id, v))
}

#[derive(Deserialize)]
struct CodeForm {
    code: String,
    csrf: String,
}

async fn code(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<CodeForm>,
) -> Result<Response, AppError> {
    let (id, v) = match at_stage(&state, &headers, SessionStage::NeedCode, &f.csrf) {
        Ok(found) => found,
        Err(answer) => return Ok(*answer),
    };
    let name = v.actor.name.clone();
    let again = |status: StatusCode, e: SignInError, retry: Option<u64>| {
        let mut r = (
            status,
            render(&CodePage {
                csrf: csrf_token(&id),
                name: name.clone(),
                error: Some(e.to_string()),
            }),
        )
            .into_response();
        if let Some(s) = retry {
            if let Ok(v) = s.to_string().parse() {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        r
    };
    if f.code.len() > 64 {
        return Ok(again(
            StatusCode::UNAUTHORIZED,
            SignInError::WrongCode,
            None,
        ));
    }
    let (st, id_c, code) = (state.clone(), id.clone(), f.code.clone());
    let result = state
        .signin()
        .second_step(state.ledger(), &name, address, move || {
            st.accounts().verify_code(st.ledger(), &id_c, &code, now())
        })
        .await;
    Ok(match result {
        Ok(CodeOutcome::Accepted {
            recovery_left: Some(left),
        }) => Redirect::to(&format!("/?recovery_left={left}")).into_response(),
        Ok(_) => Redirect::to("/").into_response(),
        Err(SignInError::Throttled { retry_after }) => again(
            StatusCode::TOO_MANY_REQUESTS,
            SignInError::Throttled { retry_after },
            Some(retry_after),
        ),
        Err(e @ SignInError::Internal) => again(StatusCode::INTERNAL_SERVER_ERROR, e, None),
        Err(e) => again(StatusCode::UNAUTHORIZED, e, None),
    })
}

/// `/account/second-factor`: the QR code to scan, the secret as text, and the first code.
#[derive(Template)]
#[template(path = "enrol.html", escape = "sonod")]
struct EnrolPage {
    csrf: String,
    name: String,
    qr_svg: String,
    secret_text: String,
    error: Option<String>,
}

/// The recovery codes, shown once.
#[derive(Template)]
#[template(path = "recovery_codes.html", escape = "sonod")]
struct RecoveryPage {
    codes: Vec<String>,
}

fn enrol_form(state: &AppState, id: &str, v: &SessionView, error: Option<String>) -> Response {
    let Some(pending) = state.accounts().pending_secret(id, now()) else {
        return Redirect::to("/login").into_response();
    };
    let office = &state.config().office;
    let url = pending.otpauth_url(
        &format!("Sonod {}", office.name_en),
        &format!("{}@{}", v.actor.name, office.code),
    );
    let qr_svg = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map(|c| {
            c.render::<qrcode::render::svg::Color<'_>>()
                .quiet_zone(true)
                .min_dimensions(220, 220)
                .build()
        })
        .unwrap_or_default();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (
        status,
        render(&EnrolPage {
            csrf: csrf_token(id),
            name: v.actor.name.clone(),
            qr_svg,
            secret_text: pending.text(),
            error,
        }),
    )
        .into_response()
}

async fn enrol_page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match half_session(&state, &headers) {
        Some((id, v)) if v.stage == SessionStage::MustEnrol => enrol_form(&state, &id, &v, None),
        Some((_, v)) => Redirect::to(next_page(v.stage)).into_response(),
        None => Redirect::to("/login").into_response(),
    }
}

async fn enrol(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    headers: HeaderMap,
    Form(f): Form<CodeForm>,
) -> Result<Response, AppError> {
    let (id, v) = match at_stage(&state, &headers, SessionStage::MustEnrol, &f.csrf) {
        Ok(found) => found,
        Err(answer) => return Ok(*answer),
    };
    let codes = std::sync::Arc::new(std::sync::Mutex::new(None));
    let (st, id_c, code, out) = (state.clone(), id.clone(), f.code.clone(), codes.clone());
    let result = state
        .signin()
        .second_step(state.ledger(), &v.actor.name, address, move || {
            let got = st
                .accounts()
                .confirm_enrolment(st.ledger(), &id_c, &code, now())?;
            let accepted = got.is_some();
            *out.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = got;
            Ok(if accepted {
                CodeOutcome::Accepted {
                    recovery_left: None,
                }
            } else {
                CodeOutcome::Refused
            })
        })
        .await;
    match result {
        Ok(_) => {
            let codes = codes
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .take()
                .unwrap_or_default();
            Ok(render(&RecoveryPage { codes }))
        }
        Err(e) => Ok(enrol_form(&state, &id, &v, Some(e.to_string()))),
    }
}

struct AccountRow {
    name: String,
    display_name: String,
    role_bn: String,
    role_en: String,
    disabled: bool,
    enrolled: Option<String>,
    recovery_left: usize,
    recovery_left_bn: String,
}

/// `/admin/accounts`: every account, its role and second factor.
#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage {
    chrome: Chrome,
    csrf: String,
    notice: Option<String>,
    rows: Vec<AccountRow>,
}

async fn accounts_page(
    State(state): State<AppState>,
    caller: Option<Caller>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<ResetNotice>,
) -> Result<Response, AppError> {
    let Some(caller) = caller else {
        return Ok(Redirect::to("/login").into_response());
    };
    caller.require(Permission::ManageAccounts)?;
    let accounts = state.accounts().clone();
    let users = tokio::task::spawn_blocking(move || accounts.users())
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    let notice = q
        .reset
        .filter(|n| users.iter().any(|u| u.name == *n))
        .map(|n| crate::l10n::both("second-factor-reset-notice", &[("name", &n)]));
    let rows = users
        .into_iter()
        .map(|u| AccountRow {
            role_bn: u.role.label_bn(),
            role_en: u.role.label_en(),
            disabled: u.disabled,
            enrolled: u
                .second_factor
                .as_ref()
                .map(|f| crate::accounts::dhaka_time(f.enrolled_at)),
            recovery_left: u.second_factor.as_ref().map_or(0, |f| f.recovery_left()),
            recovery_left_bn: sonod_seal::bangla_digits(
                &u.second_factor
                    .as_ref()
                    .map_or(0, |f| f.recovery_left())
                    .to_string(),
            ),
            name: u.name,
            display_name: u.display_name,
        })
        .collect();
    let page = AccountsPage {
        chrome: Chrome::new(&state, crate::l10n::both("accounts-title", &[]), &caller),
        csrf: session_id(&headers)
            .map(|id| csrf_token(&id))
            .unwrap_or_default(),
        notice,
        rows,
    };
    Ok(render(&page))
}

#[derive(Deserialize)]
struct ResetNotice {
    reset: Option<String>,
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn reset(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(name): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Result<Response, AppError> {
    let actor = caller.require(Permission::ManageAccounts)?.clone();
    let session = session_id(&headers).filter(|_| caller.by_session);
    if !session.is_some_and(|s| csrf_ok(&s, &f.csrf)) {
        return Err(AppError::Csrf);
    }
    if !crate::accounts::valid_name(&name) {
        return Err(AppError::NotFound(crate::l10n::both(
            "account-no-such-user",
            &[("n0_dbg", "-")],
        )));
    }
    let (st, n) = (state.clone(), name.clone());
    tokio::task::spawn_blocking(move || {
        st.accounts()
            .reset_second_factor(st.ledger(), &actor.name, &n)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))??;
    Ok((
        StatusCode::SEE_OTHER,
        [(header::LOCATION, format!("/admin/accounts?reset={name}"))],
    )
        .into_response())
}
