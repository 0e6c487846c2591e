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
use crate::paper::print::{render_certificate_page_signed, PrintContext, SignatoryLine};
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

/// The home page of a signed-in official: a dashboard of what the role can do.
#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    chrome: super::tokens::Chrome,
    who_bn: String,
    who_en: String,
    notice: Option<String>,
    /// The office's number for a serial, as an example (`১০০৫২৪-৩`).
    example_bn: String,
    hint: String,
}

#[derive(Deserialize)]
struct HomeQuery {
    recovery_left: Option<usize>,
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

async fn home(
    State(state): State<AppState>,
    caller: Option<Caller>,
    headers: HeaderMap,
    Query(q): Query<HomeQuery>,
) -> Response {
    let office = &state.config().office;
    if let Some(c) = caller.filter(|c| c.by_session) {
        let example = sonod_seal::CertificateNumber::new(&office.code, 3);
        let role = (c.actor.role.label_bn(), c.actor.role.label_en());
        let page = Dashboard {
            who_bn: format!("{} · {}", c.actor.name, role.0),
            who_en: format!("{} · {}", c.actor.name, role.1),
            notice: q
                .recovery_left
                .map(|n| crate::l10n::both("recovery-used-notice", &[("left", &n.to_string())])),
            hint: crate::l10n::both("find-hint", &[("bn", &example.bn()), ("en", &example.en())]),
            example_bn: example.bn(),
            chrome: super::tokens::Chrome::new(
                &state,
                crate::l10n::both("dashboard-title", &[]),
                &c,
            ),
        };
        return ([(header::CACHE_CONTROL, "private, no-store")], html(&page)).into_response();
    }
    // Half-way through signing in: the next step.
    let (mut parts, ()) = axum::http::Request::new(()).into_parts();
    parts.headers = headers;
    if let Some(v) = super::auth::session_of(&parts, &state) {
        return Redirect::to(super::second_factor::next_page(v.stage)).into_response();
    }
    html(&HomePage {
        office_bn: &office.name_bn,
        office_en: &office.name_en,
        who: None::<Who>,
    })
    .into_response()
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
    headers: HeaderMap,
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
            let attributes = super::pages::cookie_attributes(&state, &headers);
            let cookie = format!("{SESSION_COOKIE}={id}; {attributes}; Max-Age={SESSION_SECONDS}");
            let next = state
                .accounts()
                .session_view(&id, now(), super::auth::idle_seconds(&state))
                .map_or("/login", |v| super::second_factor::next_page(v.stage));
            ([(header::SET_COOKIE, cookie)], Redirect::to(next)).into_response()
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
    let attributes = super::pages::cookie_attributes(&state, &parts.headers);
    let clear = format!("{SESSION_COOKIE}=; {attributes}; Max-Age=0");
    ([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response()
}

#[derive(Deserialize)]
struct Find {
    serial: String,
}

/// The print page of a certificate number as printed on the paper (`100524-3`, `১০০৫২৪-৩`:
/// office code, hyphen, serial) or a bare serial (`3`). Another office's number is refused,
/// never read as a serial of this one.
async fn find(
    State(state): State<AppState>,
    caller: Caller,
    Query(f): Query<Find>,
) -> Result<Redirect, AppError> {
    caller.require(Permission::Print)?;
    let serial = serial_of(&f.serial, &state.config().office.code)?;
    Ok(Redirect::to(&format!("/certificates/{serial}/print")))
}

/// The serial a typed certificate number names at `office`.
pub(super) fn serial_of(typed: &str, office: &sonod_keys::OfficeCode) -> Result<u64, AppError> {
    let typed = typed.trim();
    if typed.chars().count() > 40 {
        return Err(AppError::BadRequest(crate::l10n::both("lookup-bad", &[])));
    }
    let number: sonod_seal::CertificateNumber = match typed.parse() {
        Ok(n) => n,
        Err(sonod_seal::NumberError::NoOffice) => {
            // A bare serial.
            let digits = sonod_seal::latin_digits(typed)
                .ok()
                .filter(|_| !typed.contains('-'))
                .ok_or_else(|| AppError::BadRequest(crate::l10n::both("lookup-bad", &[])))?;
            let serial = digits
                .parse::<u64>()
                .ok()
                .filter(|s| *s > 0)
                .ok_or_else(|| AppError::BadRequest(crate::l10n::both("lookup-bad", &[])))?;
            return Ok(serial);
        }
        Err(e) => return Err(AppError::BadRequest(e.to_string())),
    };
    if number.office() != office {
        return Err(AppError::BadRequest(crate::l10n::both(
            "lookup-other-office",
            &[
                ("typed", &number.en()),
                ("theirs", number.office().as_str()),
                ("ours", office.as_str()),
            ],
        )));
    }
    Ok(number.serial())
}

/// The office's first signatory of type `key`, as the certificate prints it.
fn signatory_of(
    settings: &crate::office::settings::OfficeSettings,
    key: &str,
) -> Option<SignatoryLine> {
    settings.signatories_of(key).next().map(|s| SignatoryLine {
        name_bn: s.name_bn.clone(),
        title_bn: s.title_bn.clone(),
        name_en: s.name_en.clone(),
        title_en: s.title_en.clone(),
    })
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
    // The names and address as the office's settings have them.
    let settings = state.settings().get();
    let signatory = signatory_of(&settings, c.record.cert_type().key);
    let html = render_certificate_page_signed(
        &PrintContext {
            office_name_bn: &settings.name_bn,
            office_name_en: &settings.name_en,
            office_address_bn: Some(settings.address_bn.as_str()).filter(|a| !a.is_empty()),
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
        signatory,
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
        let settings = state.settings().get();
        let key_id = c.key_id.to_string();
        let ctx = PrintContext {
            office_name_bn: &settings.name_bn,
            office_name_en: &settings.name_en,
            office_address_bn: Some(settings.address_bn.as_str()).filter(|a| !a.is_empty()),
            record: &c.record,
            serial,
            key_id: &key_id,
            qr_svg: "",
            qr_text: &qr_text,
            revoked,
            development: state.config().development,
        };
        let name = crate::paper::pdf::file_name(&ctx);
        let signatory = signatory_of(&settings, c.record.cert_type().key);
        crate::paper::pdf::render_pdf_signed(&ctx, &qr, state.wording(), signatory)
            .map(|b| (b, name))
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
