//! One error type for the service, answered as RFC 9457 problem+json.

use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error answered to a client. Client errors keep their status and say what is wrong, in
/// Bangla and English; internal ones become a plain 500 and are logged once, here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// 400: the request is not what the endpoint reads (not JSON, wrong shape).
    #[error("{0}")]
    BadRequest(String),
    /// 404.
    #[error("পাওয়া যায়নি / not found")]
    NotFound,
    /// 405.
    #[error("এই পদ্ধতি চলে না / method not allowed")]
    MethodNotAllowed,
    /// 413: the body is larger than the endpoint accepts.
    #[error("অনুরোধ অনেক বড় (সর্বোচ্চ {0} বাইট) / request body too large (at most {0} bytes)")]
    TooLarge(usize),
    /// 415: the body is not JSON.
    #[error("Content-Type হতে হবে application/json / Content-Type must be application/json")]
    UnsupportedMediaType,
    /// 422: valid JSON, but not acceptable (too many payloads, ...).
    #[error("{0}")]
    Unprocessable(String),
    /// 429: the client's rate limit is used up.
    #[error("অনেক বেশি অনুরোধ; {} সেকেন্ড পরে আবার চেষ্টা করুন / too many requests; retry in {} s", retry_secs(*.0), retry_secs(*.0))]
    TooManyRequests(Duration),
    /// 429: a batch larger than what the client's allowance holds now.
    #[error("এই ব্যাচে {asked}টি; এখন সর্বোচ্চ {allowed_now}টি পাঠানো যাবে, সবগুলো {} সেকেন্ড পরে / this batch has {asked} payloads; {allowed_now} may be sent now, all {asked} after {} s (Retry-After)", retry_secs(*.wait), retry_secs(*.wait))]
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
                "অভ্যন্তরীণ ত্রুটি / internal error".to_owned()
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
        AppError::Unavailable(
            "বিশ্বাস-তালিকা লোড হয়নি; এখন যাচাই করা যাচ্ছে না / no valid trust list is loaded; cannot verify now"
                .into(),
        )
    }
}

/// A wait in whole seconds for `Retry-After`, rounded up (a client retrying after a
/// rounded-down wait would be refused again), at least one.
pub fn retry_secs(wait: Duration) -> u64 {
    wait.as_secs()
        .saturating_add(u64::from(wait.subsec_nanos() > 0))
        .max(1)
}

/// A problem+json response.
pub fn problem(status: StatusCode, detail: &str) -> Response {
    let body = json!({
        "type": "about:blank",
        "title": status.canonical_reason().unwrap_or("Error"),
        "status": status.as_u16(),
        "detail": detail,
    });
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body.to_string(),
    )
        .into_response()
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut resp = problem(self.status(), &self.detail());
        if let Some(secs) = self.retry_after() {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
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
