//! The admins' page of API tokens: who holds which, until when, last used when; revoke one.
//!
//! Pages here come from templates (`issuer/templates/`, one shared layout); the revoke form
//! carries the session's CSRF token (see [`super::auth::csrf_token`]).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::auth::{csrf_ok, csrf_token, session_cookie, Caller};
use super::error::AppError;
use super::AppState;
use crate::accounts::{dhaka_time as dhaka, Permission, TokenState, TokenView};
use crate::storage::ledger::now;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/tokens", get(list))
        .route("/admin/tokens/{id}/revoke", post(revoke))
}

/// What the shared layout shows around every page.
#[derive(Debug)]
pub(super) struct Chrome {
    pub title: String,
    pub office_bn: String,
    pub office_en: String,
    pub actor: String,
    pub development: bool,
    /// Who is signed in: the nav (`templates/nav.html`) shows the links their role opens.
    pub caller: Caller,
}

impl Chrome {
    /// Whether the signed-in official may do `p` (for the nav's links).
    pub fn may(&self, p: Permission) -> bool {
        self.caller.may(p)
    }

    /// The layout around a page titled `title` for `caller`.
    pub(super) fn new(state: &AppState, title: String, caller: &Caller) -> Chrome {
        let office = &state.config().office;
        Chrome {
            title,
            office_bn: office.name_bn.clone(),
            office_en: office.name_en.clone(),
            actor: format!("{} ({})", caller.actor.name, caller.actor.role.label_bn()),
            development: state.config().development,
            caller: caller.clone(),
        }
    }
}

#[derive(Debug)]
struct Row {
    id: String,
    user: String,
    label: String,
    created: String,
    expires: String,
    last_used: String,
    state: &'static str,
    state_bn: String,
    revoked_by: Option<String>,
    active: bool,
    /// What it may be used for: `issue, print`, or the role's every action.
    scopes: String,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    chrome: Chrome,
    csrf: String,
    notice: Option<String>,
    rows: Vec<Row>,
}

fn row(t: TokenView, now: i64) -> Row {
    let state = t.state(now);
    Row {
        created: dhaka(t.created_at),
        expires: dhaka(t.expires_at),
        last_used: t
            .last_used_at
            .map_or_else(|| crate::l10n::both("never", &[]), dhaka),
        state: state.as_str(),
        state_bn: state.label_bn(),
        active: state == TokenState::Active,
        scopes: t.scopes.as_deref().map_or_else(
            || crate::l10n::both("token-scopes-all", &[]),
            |s| crate::accounts::scope_list(s).replace(',', ", "),
        ),
        revoked_by: t
            .revoked_at
            .map(|at| format!("{} · {}", t.revoked_by.as_deref().unwrap_or("?"), dhaka(at))),
        id: t.id,
        user: t.user,
        label: t.label,
    }
}

#[derive(Deserialize)]
struct Notice {
    revoked: Option<String>,
}

fn session_id(headers: &HeaderMap) -> Option<String> {
    let (mut parts, ()) = axum::http::Request::new(()).into_parts();
    parts.headers = headers.clone();
    session_cookie(&parts).map(str::to_owned)
}

async fn list(
    State(state): State<AppState>,
    caller: Option<Caller>,
    headers: HeaderMap,
    Query(q): Query<Notice>,
) -> Result<Response, AppError> {
    let Some(caller) = caller else {
        return Ok(Redirect::to("/login").into_response());
    };
    caller.require(Permission::ManageAccounts)?;
    let accounts = state.accounts().clone();
    let tokens = tokio::task::spawn_blocking(move || accounts.tokens())
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    let now = now();
    let notice = q.revoked.and_then(|id| {
        tokens.iter().find(|t| t.id == id).map(|t| {
            crate::l10n::both(
                "token-revoked-notice",
                &[("label", &t.label), ("id", &t.id)],
            )
        })
    });
    let csrf = session_id(&headers)
        .map(|id| csrf_token(&id))
        .unwrap_or_default();
    let page = TokensPage {
        chrome: Chrome::new(&state, crate::l10n::both("api-tokens", &[]), &caller),
        csrf,
        notice,
        rows: tokens.into_iter().map(|t| row(t, now)).collect(),
    };
    let html = page
        .render()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(([(header::CACHE_CONTROL, "private, no-store")], Html(html)).into_response())
}

#[derive(Deserialize)]
struct RevokeForm {
    csrf: String,
}

async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<RevokeForm>,
) -> Result<Response, AppError> {
    let actor = caller.require(Permission::ManageAccounts)?.clone();
    // Only a signed-in browser posts this form, and only with its session's CSRF token.
    let session = session_id(&headers).filter(|_| caller.by_session);
    if !session.is_some_and(|s| csrf_ok(&s, &f.csrf)) {
        return Err(AppError::Csrf);
    }
    let state2 = state.clone();
    let (token, _) = tokio::task::spawn_blocking(move || {
        state2
            .accounts()
            .revoke_token(state2.ledger(), &actor.name, &id, now())
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))??;
    Ok((
        StatusCode::SEE_OTHER,
        [(
            header::LOCATION,
            format!("/admin/tokens?revoked={}", token.id),
        )],
    )
        .into_response())
}
