//! Web pages for officials: log in, log out, find and print a certificate.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use sonod_seal::Record;

use super::auth::{Caller, ClientAddr, SESSION_COOKIE};
use super::error::AppError;
use super::AppState;
use crate::accounts::{Permission, SESSION_SECONDS};
use crate::storage::ledger::now;
use crate::paper::print::{esc, render_certificate, PrintContext};
use crate::accounts::signin::SignInError;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_page).post(login))
        .route("/logout", axum::routing::post(logout))
        .route("/print", get(find))
        .route("/certificates/{serial}/print", get(print))
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        r#"<!DOCTYPE html><html lang="bn"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>
body{{font-family:'Noto Sans Bengali','SolaimanLipi',sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;line-height:1.6}}
input,button{{font:inherit;padding:.5rem;margin:.25rem 0;width:100%;box-sizing:border-box}}
.err{{color:#a00}} .muted{{color:#555;font-size:.9rem}}
</style></head><body>{body}</body></html>"#,
        title = esc(title)
    ))
}

async fn home(State(state): State<AppState>, caller: Option<Caller>) -> Html<String> {
    let office = &state.config().office;
    let head = format!(
        "<h1>{} — সনদ</h1><p class=muted>{} · Sonod issuer</p>",
        esc(&office.name_bn),
        esc(&office.name_en)
    );
    match caller {
        Some(c) => page(
            "সনদ / Sonod",
            &format!(
                r#"{head}<p>{} ({})</p>
<form method=get action="/print"><label>সনদ নং / Certificate serial<input name=serial inputmode=numeric required></label>
<button>মুদ্রণ / Print</button></form>{}
<form method=post action="/logout"><button>লগ আউট / Log out</button></form>"#,
                esc(&c.actor.name),
                c.actor.role.label_bn(),
                if c.actor.role.allows(Permission::ManageAccounts) {
                    r#"<p><a href="/admin/tokens">API টোকেন / API tokens</a></p>"#
                } else {
                    ""
                }
            ),
        ),
        None => page(
            "সনদ / Sonod",
            &format!(r#"{head}<p><a href="/login">লগ ইন / Log in</a></p>"#),
        ),
    }
}

fn login_form(error: Option<&str>) -> Html<String> {
    let err = error
        .map(|e| format!("<p class=err>{}</p>", esc(e)))
        .unwrap_or_default();
    page(
        "লগ ইন / Log in",
        &format!(
            r#"<h1>লগ ইন / Log in</h1>{err}<form method=post action="/login">
<label>অ্যাকাউন্ট / Account<input name=name autocomplete=username required maxlength=32></label>
<label>পাসওয়ার্ড / Password<input name=password type=password autocomplete=current-password required maxlength=200></label>
<button>লগ ইন / Log in</button></form>"#
        ),
    )
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

async fn print(
    State(state): State<AppState>,
    caller: Caller,
    Path(serial): Path<u64>,
) -> Result<Response, AppError> {
    caller.require(Permission::Print)?;
    let c = state.ledger().store().get(serial)?.ok_or_else(|| {
        AppError::NotFound(format!(
            "এই ক্রমিক নম্বরের কোনো সনদ নেই / no certificate with serial {serial}"
        ))
    })?;
    let record = Record::from_json(&c.record).map_err(|e| AppError::Internal(e.to_string()))?;
    let qr_text = super::api::qr_text(&state, &c);
    let qr_svg = super::api::qr_image(&state, &c)?.svg();
    let office = &state.config().office;
    let html = render_certificate(&PrintContext {
        office_name_bn: &office.name_bn,
        office_name_en: &office.name_en,
        office_address_bn: None,
        record: &record,
        serial,
        key_id: &c.key_id,
        qr_svg: &qr_svg,
        qr_text: &qr_text,
        revoked: state.ledger().revocation(serial)?.is_some(),
        development: state.config().development,
    });
    Ok(([(header::CACHE_CONTROL, "private, no-store")], Html(html)).into_response())
}
