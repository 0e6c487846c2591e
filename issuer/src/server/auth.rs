//! Who is asking: a bearer token (API) or a session cookie (web pages).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};

use super::error::AppError;
use super::AppState;
use crate::accounts::{Actor, Permission, Scope, SessionStage};
use crate::ledger::now;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "sonod_session";

/// An authenticated caller. API writes accept only bearer tokens, so a browser's cookie can
/// never be used for them from another site (no CSRF on the API).
#[derive(Debug, Clone)]
pub struct Caller {
    /// The account.
    pub actor: Actor,
    /// True when authenticated by a session cookie.
    pub by_session: bool,
    /// A bearer token's scopes (`None` for a session, or a token made before scopes: the
    /// role decides alone).
    pub scopes: Option<Vec<Scope>>,
}

impl Caller {
    /// Refuses unless the role allows `p` and, for a token, the token was made for it.
    pub fn require(&self, p: Permission) -> Result<&Actor, AppError> {
        if !self.actor.role.allows(p) {
            return Err(AppError::Forbidden);
        }
        match &self.scopes {
            Some(s) if !s.contains(&Scope::of(p)) => Err(AppError::OutOfScope(Scope::of(p))),
            _ => Ok(&self.actor),
        }
    }

    /// Whether [`Caller::require`] would let `p` through (for links on pages).
    pub fn may(&self, p: Permission) -> bool {
        self.require(p).is_ok()
    }

    /// Refuses sessions: for API writes.
    pub fn require_token(&self, p: Permission) -> Result<&Actor, AppError> {
        if self.by_session {
            return Err(AppError::Unauthorized);
        }
        self.require(p)
    }
}

/// The session id from a Cookie header, if any.
pub fn session_cookie(parts: &Parts) -> Option<&str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v)
}

/// Seconds a session may stay unused: the office's `limits.idle_minutes` (sliding).
pub fn idle_seconds(state: &AppState) -> i64 {
    i64::from(state.settings().get().limits.idle_minutes).saturating_mul(60)
}

/// The live session of the request's cookie (any stage), idle expiry applied.
pub fn session_of(parts: &Parts, state: &AppState) -> Option<crate::accounts::SessionView> {
    let id = session_cookie(parts)?;
    state
        .accounts()
        .session_view(id, now(), idle_seconds(state))
}

/// The token a session's forms carry (CSRF): derived from the session id, which only the
/// browser's HttpOnly cookie holds, so another site can neither read nor make it; nothing is
/// stored. Knowing it does not give the session id back (SHA-256).
pub fn csrf_token(session_id: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"sonod-issuer csrf\0");
    h.update(session_id.as_bytes());
    data_encoding::HEXLOWER.encode(&h.finalize()[..16])
}

/// Whether `given` is the session's CSRF token (compared in constant time).
pub fn csrf_ok(session_id: &str, given: &str) -> bool {
    let want = csrf_token(session_id);
    want.len() == given.len()
        && want
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// The client's address, when the connection's is known (always over a socket; not in
/// `oneshot` tests unless they add [`ConnectInfo`]). The issuer is reached directly, not
/// through a proxy, so the peer is the client.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<ClientAddr, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, AppError> {
        if let Some(h) = parts.headers.get(header::AUTHORIZATION) {
            let token = h
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .ok_or(AppError::Unauthorized)?;
            let grant = state
                .accounts()
                .authenticate_bearer(token.trim(), now())
                .map_err(AppError::TokenRefused)?;
            return Ok(Caller {
                actor: grant.actor,
                by_session: false,
                scopes: grant.scopes,
            });
        }
        if let Some(view) = session_of(parts, state) {
            if view.stage == SessionStage::Full {
                return Ok(Caller {
                    actor: view.actor,
                    by_session: true,
                    scopes: None,
                });
            }
        }
        Err(AppError::Unauthorized)
    }
}

impl axum::extract::OptionalFromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Caller>, AppError> {
        match <Caller as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(c) => Ok(Some(c)),
            Err(AppError::Unauthorized) => Ok(None),
            Err(e) => Err(e),
        }
    }
}
