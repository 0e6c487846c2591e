//! One error type for the service, answered as RFC 9457 problem+json.

use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sonod_serve::Problem;

/// An error answered to a client. Client errors keep their status and say what is wrong, in
/// Bangla and English; internal ones become a plain 500 and are logged once, here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// 400: the request is not what the endpoint reads (not JSON, wrong shape).
    #[error("{0}")]
    BadRequest(String),
    /// 404.
    #[error("{}", sonod_serve::not_found_detail())]
    NotFound,
    /// 405.
    #[error("{}", sonod_serve::method_not_allowed_detail())]
    MethodNotAllowed,
    /// 413: the body is larger than the endpoint accepts.
    #[error("{}", crate::l10n::both("app-too-large", &[("n0", &format!("{}", .0))]))]
    TooLarge(usize),
    /// 415: the body is not JSON.
    #[error("{}", sonod_serve::not_json_detail())]
    UnsupportedMediaType,
    /// 422: valid JSON, but not acceptable (too many payloads, ...).
    #[error("{0}")]
    Unprocessable(String),
    /// 429: the client's rate limit is used up.
    #[error("{}", crate::l10n::both("app-too-many-requests", &[("retry_secs_0", &format!("{}", (retry_secs(*.0))))]))]
    TooManyRequests(Duration),
    /// 429: a batch larger than what the client's allowance holds now.
    #[error("{}", crate::l10n::both("app-batch-limited", &[("asked", &format!("{}", .asked)), ("allowed_now", &format!("{}", .allowed_now)), ("retry_secs_wait", &format!("{}", (retry_secs(*.wait))))]))]
    BatchLimited {
        /// Until the whole batch fits.
        wait: Duration,
        /// How many payloads fit now.
        allowed_now: u32,
        /// How many the batch has.
        asked: u32,
    },

    /// 503: the service cannot judge now (no valid trust list, or busy).
    #[error("{0}")]
    Unavailable(String),
    /// 500.
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooManyRequests(_) | AppError::BatchLimited { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The detail shown to the client (internal errors are not described).
    pub fn detail(&self) -> String {
        match self {
            AppError::Internal(e) => {
                tracing::error!(error = %e, "internal error");
                crate::l10n::both("internal-error", &[])
            }
            other => other.to_string(),
        }
    }

    /// Seconds to wait before retrying (`Retry-After`), for the errors that have one.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::TooManyRequests(wait) | AppError::BatchLimited { wait, .. } => {
                Some(retry_secs(*wait))
            }
            _ => None,
        }
    }

    /// The service has no valid trust list.
    pub fn no_trust_list() -> AppError {
        AppError::Unavailable(crate::VerifyError::NoTrustList.to_string())
    }
}

/// A wait in whole seconds for `Retry-After`, rounded up (a client retrying after a
/// rounded-down wait would be refused again), at least one.
pub fn retry_secs(wait: Duration) -> u64 {
    wait.as_secs()
        .saturating_add(u64::from(wait.subsec_nanos() > 0))
        .max(1)
}

impl From<crate::VerifyError> for AppError {
    fn from(e: crate::VerifyError) -> AppError {
        match e {
            crate::VerifyError::NoTrustList => AppError::no_trust_list(),
        }
    }
}

impl From<&AppError> for Problem {
    fn from(e: &AppError) -> Problem {
        let p = Problem::new(e.status(), e.detail());
        match e.retry_after() {
            Some(secs) => p.with_retry_after(secs),
            None => p,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        Problem::from(&self).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_rounded_up() {
        assert_eq!(retry_secs(Duration::ZERO), 1);
        assert_eq!(retry_secs(Duration::from_millis(300)), 1);
        assert_eq!(retry_secs(Duration::from_secs(1)), 1);
        assert_eq!(retry_secs(Duration::from_millis(1700)), 2);
        assert_eq!(retry_secs(Duration::from_millis(99_900)), 100);
        assert_eq!(retry_secs(Duration::MAX), u64::MAX);
    }
}
