//! Web pages for officials: log in, log out, find and print a certificate. Each page is a
//! template in `issuer/templates/` (`login.html`, `home.html`, on `base.html`).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

use super::auth::{Caller, ClientAddr, SESSION_COOKIE};
use super::error::AppError;
use super::AppState;
use crate::accounts::signin::SignInError;
use crate::accounts::{Permission, SESSION_SECONDS};
use crate::paper::print::{render_certificate_page, PrintContext};
use crate::storage::ledger::now;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_page).post(login))
        .route("/logout", axum::routing::post(logout))
        .route("/print", get(find))
        .route("/certificates/{serial}/print", get(print))
        .route("/certificates/{serial}/pdf", get(pdf))
        .route("/api/v1/certificates/{serial}/pdf", get(pdf))
        .route("/dev/sms", get(dev_sms))
}

/// One message on the development SMS page.
struct DevSmsRow {
    to_bn: String,
    at: String,
    text: String,
    kind_bn: String,
    kind_en: String,
    parts_bn: String,
    parts_en: String,
}

/// `/dev/sms`: what the citizens' phones would have received, newest first.
#[derive(Template)]
#[template(path = "dev_sms.html", escape = "sonod")]
struct DevSmsPage {
    messages: Vec<DevSmsRow>,
}

/// Messages the development page shows.
const DEV_SMS_SHOWN: usize = 200;

/// The development SMS page: only when the service runs with development keys or
/// `--dev-sms-page`; a 404 otherwise.
async fn dev_sms(State(state): State<AppState>) -> Result<Html<String>, AppError> {
    let Some(file) = state.dev_sms() else {
        return Err(AppError::NotFound(crate::l10n::both("dev-sms-off", &[])));
    };
    let file = file.clone();
    let recent = tokio::task::spawn_blocking(move || file.recent(DEV_SMS_SHOWN))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let messages = recent
        .into_iter()
        .map(|m| {
            let units = crate::sms::utf16_len(&m.text);
            let parts = if units <= 70 { 1 } else { units.div_ceil(67) };
            let (p, u) = (parts.to_string(), units.to_string());
            let local = m.to.strip_prefix("+88").unwrap_or(&m.to);
            DevSmsRow {
                to_bn: sonod_seal::bangla_digits(local),
                at: sonod_seal::bangla_digits(&crate::accounts::dhaka_time(m.at)),
                text: m.text,
                kind_bn: crate::l10n::bn(&format!("sms-kind-{}", m.kind)),
                kind_en: crate::l10n::en(&format!("sms-kind-{}", m.kind)),
                parts_bn: crate::l10n::bn_args(
                    "dev-sms-parts",
                    &[
                        ("parts", &sonod_seal::bangla_digits(&p)),
                        ("units", &sonod_seal::bangla_digits(&u)),
                    ],
                ),
                parts_en: crate::l10n::en_args("dev-sms-parts", &[("parts", &p), ("units", &u)]),
            }
        })
        .collect();
    Ok(html(&DevSmsPage { messages }))
}

/// The home page: the office, and for someone signed in, finding a certificate to print.
#[derive(Template)]
#[template(path = "home.html", escape = "sonod")]
struct HomePage<'a> {
    office_bn: &'a str,
    office_en: &'a str,
    who: Option<Who>,
}

/// Who is signed in, on the home page.
#[derive(Debug)]
struct Who {
    name: String,
    role_bn: String,
    /// May manage accounts: a link to the API tokens.
    tokens: bool,
}

/// The log-in form, with what went wrong last time.
#[derive(Template)]
#[template(path = "login.html", escape = "sonod")]
struct LoginPage<'a> {
    error: Option<&'a str>,
}

/// A page as the response body. Rendering fails only if a value's `Display` fails.
fn html(page: &impl Template) -> Html<String> {
    Html(page.render().unwrap_or_default())
}

async fn home(State(state): State<AppState>, caller: Option<Caller>) -> Html<String> {
    let office = &state.config().office;
    html(&HomePage {
        office_bn: &office.name_bn,
        office_en: &office.name_en,
        who: caller.map(|c| Who {
            name: c.actor.name.clone(),
            role_bn: c.actor.role.label_bn(),
            tokens: c.actor.role.allows(Permission::ManageAccounts),
        }),
    })
}

fn login_form(error: Option<&str>) -> Html<String> {
    html(&LoginPage { error })
}

async fn login_page() -> Html<String> {
    login_form(None)
}

#[derive(Deserialize)]
struct LoginForm {
    name: String,
    password: String,
}

async fn login(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    Form(f): Form<LoginForm>,
) -> Response {
    let wrong = || {
        (
            StatusCode::UNAUTHORIZED,
            login_form(Some(&SignInError::Wrong.to_string())),
        )
            .into_response()
    };
    // No account name is longer than 32 bytes: such a name is wrong without any work.
    if f.name.len() > 32 || f.password.len() > 200 {
        return wrong();
    }
    let result = state
        .signin()
        .sign_in(
            state.accounts(),
            state.ledger(),
            &f.name,
            &f.password,
            address,
            now(),
        )
        .await;
    match result {
        Ok(id) => {
            let cookie = format!("{SESSION_COOKIE}={id}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age={SESSION_SECONDS}");
            ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
        }
        Err(SignInError::Wrong) => wrong(),
        Err(SignInError::Throttled { retry_after }) => refused_for_now(
            StatusCode::TOO_MANY_REQUESTS,
            SignInError::Throttled { retry_after },
            retry_after,
        ),
        Err(SignInError::Busy { retry_after }) => refused_for_now(
            StatusCode::SERVICE_UNAVAILABLE,
            SignInError::Busy { retry_after },
            retry_after,
        ),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            login_form(Some(&e.to_string())),
        )
            .into_response(),
    }
}

/// The form again, saying how long to wait, with the wait in `Retry-After` for scripts.
fn refused_for_now(status: StatusCode, e: SignInError, retry_after: u64) -> Response {
    (
        status,
        [(header::RETRY_AFTER, retry_after.to_string())],
        login_form(Some(&e.to_string())),
    )
        .into_response()
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let (mut parts, ()) = axum::http::Request::new(()).into_parts();
    parts.headers = headers;
    if let Some(id) = super::auth::session_cookie(&parts) {
        state.accounts().logout(id);
    }
    let clear = format!("{SESSION_COOKIE}=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0");
    ([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response()
}

#[derive(Deserialize)]
struct Find {
    serial: String,
}

async fn find(caller: Caller, Query(f): Query<Find>) -> Result<Redirect, AppError> {
    caller.require(Permission::Print)?;
    let digits =
        sonod_seal::latin_digits(&f.serial).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let serial: u64 = digits
        .parse()
        .map_err(|_| AppError::BadRequest("serial".into()))?;
    Ok(Redirect::to(&format!("/certificates/{serial}/print")))
}

/// The certificate `serial`, or the print page's 404.
fn printable(state: &AppState, serial: u64) -> Result<crate::StoredCertificate, AppError> {
    state.ledger().store().get(serial)?.ok_or_else(|| {
        AppError::NotFound(format!(
            "{} / {}",
            crate::l10n::bn("no-certificate"),
            crate::l10n::en_args("no-certificate", &[("serial", &serial.to_string())])
        ))
    })
}

async fn print(
    State(state): State<AppState>,
    caller: Caller,
    Path(serial): Path<u64>,
) -> Result<Response, AppError> {
    caller.require(Permission::Print)?;
    print_page(&state, serial, &format!("/certificates/{serial}/pdf"))
}

/// The A4 print page of certificate `serial`, whose PDF link is `pdf_link`, for whoever the
/// caller has checked may see it (an official, or the citizen it belongs to).
pub(super) fn print_page(
    state: &AppState,
    serial: u64,
    pdf_link: &str,
) -> Result<Response, AppError> {
    let c = printable(state, serial)?;
    let qr_text = super::api::qr_text(state, &c);
    let qr_svg = super::api::qr_image(state, &c)?.svg();
    let office = &state.config().office;
    let html = render_certificate_page(
        &PrintContext {
            office_name_bn: &office.name_bn,
            office_name_en: &office.name_en,
            office_address_bn: None,
            record: &c.record,
            serial,
            key_id: &c.key_id.to_string(),
            qr_svg: &qr_svg,
            qr_text: &qr_text,
            revoked: state.ledger().revocation(serial)?.is_some(),
            development: state.config().development,
        },
        state.wording(),
        pdf_link,
    );
    Ok(([(header::CACHE_CONTROL, "private, no-store")], Html(html)).into_response())
}

/// The same certificate as a one-page A4 PDF (`paper::pdf`), for a signed-in official or an API
/// token with the Print permission: `/certificates/{serial}/pdf` and
/// `/api/v1/certificates/{serial}/pdf`. Made on a blocking thread (tens of milliseconds of
/// shaping and font subsetting).
async fn pdf(
    State(state): State<AppState>,
    caller: Caller,
    Path(serial): Path<u64>,
) -> Result<Response, AppError> {
    caller.require(Permission::Print)?;
    pdf_file(state, serial).await
}

/// Certificate `serial` as a PDF, for whoever the caller has checked may have it.
pub(super) async fn pdf_file(state: AppState, serial: u64) -> Result<Response, AppError> {
    let c = printable(&state, serial)?;
    let revoked = state.ledger().revocation(serial)?.is_some();
    let qr_text = super::api::qr_text(&state, &c);
    let qr = super::api::qr_image(&state, &c)?;
    let (bytes, name) = tokio::task::spawn_blocking(move || {
        let office = &state.config().office;
        let key_id = c.key_id.to_string();
        let ctx = PrintContext {
            office_name_bn: &office.name_bn,
            office_name_en: &office.name_en,
            office_address_bn: None,
            record: &c.record,
            serial,
            key_id: &key_id,
            qr_svg: "",
            qr_text: &qr_text,
            revoked,
            development: state.config().development,
        };
        let name = crate::paper::pdf::file_name(&ctx);
        crate::paper::pdf::render_pdf(&ctx, &qr, state.wording()).map(|b| (b, name))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}
