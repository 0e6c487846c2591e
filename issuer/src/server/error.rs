//! One error type for the service, answered as RFC 9457 problem+json.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use sonod_serve::Problem;

use crate::accounts::{AccountError, TokenRefusal};
use crate::ledger::LedgerError;
use crate::store::StoreError;

/// An error answered to a client. Client errors keep their status and say what is wrong;
/// internal ones become a plain 500 and are logged once, here.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// 400: the request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// 401: no valid credentials.
    #[error("{}", crate::l10n::both("app-unauthorized", &[]))]
    Unauthorized,
    /// 401: a bearer token that is unknown, expired, revoked or of a disabled account.
    #[error("{0}")]
    TokenRefused(TokenRefusal),
    /// 403: the account's role does not allow this.
    #[error("{}", crate::l10n::both("app-forbidden", &[]))]
    Forbidden,
    /// 403: an API token not made for this action (its scopes), though its role allows it.
    #[error("{}", crate::l10n::both("app-out-of-scope", &[("scope", .0.as_str())]))]
    OutOfScope(crate::accounts::Scope),
    /// 403: the role allows the action, but not on this one thing, for the reason given
    /// (a councillor and another ward's application).
    #[error("{0}")]
    NotYours(String),
    /// 403: a form without its session's CSRF token (stale, or posted from another site).
    #[error("{}", crate::l10n::both("app-csrf", &[]))]
    Csrf,
    /// 404.
    #[error("{0}")]
    NotFound(String),
    /// 409.
    #[error("{0}")]
    Conflict(String),
    /// 413.
    #[error("{}", crate::l10n::both("app-too-large", &[]))]
    TooLarge,
    /// 415: the body is not JSON.
    #[error("{}", sonod_serve::not_json_detail())]
    UnsupportedMediaType,
    /// 422: valid JSON, invalid content.
    #[error("{0}")]
    Unprocessable(String),
    /// 503: the service cannot accept writes now.
    #[error("{0}")]
    Unavailable(String),
    /// 500.
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized | AppError::TokenRefused(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden
            | AppError::NotYours(_)
            | AppError::Csrf
            | AppError::OutOfScope(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<&AppError> for Problem {
    fn from(e: &AppError) -> Problem {
        let status = e.status();
        let detail = match e {
            AppError::Internal(e) => {
                tracing::error!(error = %e, "internal error");
                crate::l10n::both("internal-error", &[])
            }
            other => other.to_string(),
        };
        let p = Problem::new(status, detail);
        if status == StatusCode::UNAUTHORIZED {
            p.with_header(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            )
        } else {
            p
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        Problem::from(&self).into_response()
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::WrongOffice { .. } => AppError::Unprocessable(e.to_string()),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<LedgerError> for AppError {
    fn from(e: LedgerError) -> AppError {
        match e {
            LedgerError::Store(s) => s.into(),
            LedgerError::NotFound(_) => AppError::NotFound(e.to_string()),
            LedgerError::IdempotencyMismatch => AppError::Unprocessable(e.to_string()),
            LedgerError::Seal(_) | LedgerError::Refused(_) => {
                AppError::Unprocessable(e.to_string())
            }
            LedgerError::Commit(_) => AppError::Unavailable(e.to_string()),
        }
    }
}

impl From<AccountError> for AppError {
    fn from(e: AccountError) -> AppError {
        match e {
            AccountError::Store(s) => s.into(),
            AccountError::Hash => AppError::Internal(e.to_string()),
            AccountError::Exists(_) => AppError::Conflict(e.to_string()),
            AccountError::NoSuchUser(_) | AccountError::NoSuchToken(_) => {
                AppError::NotFound(e.to_string())
            }
            AccountError::Ledger(l) => l.into(),
            other => AppError::Unprocessable(other.to_string()),
        }
    }
}
