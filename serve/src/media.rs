//! Content-type checks by media type.
//!
//! One rule for both services: a JSON body is one whose `Content-Type` parses as a media type
//! whose essence is `application/json` (parameters such as `charset=utf-8` allowed, case
//! ignored, white space before the `;` too). `application/jsonx`, `application/json-seq` or `text/json` are not; nor is a
//! header that is not a media type. A body that is not JSON is refused with a bilingual 415.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};

use crate::Problem;

/// The detail of the 415 for a body that is not JSON ("… / …", Bangla first).
pub fn not_json_detail() -> String {
    crate::l10n::both("not-json", &[])
}

/// Whether `content_type` names JSON (see the module). Parameters are not read: only the
/// type and subtype before the first `;` (RFC 9110 lets white space stand before it).
pub fn is_json_media_type(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence
        .parse::<mime::Mime>()
        .is_ok_and(|m| m.essence_str() == "application/json")
}

/// Whether the request's `Content-Type` names JSON.
pub fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(is_json_media_type)
}

/// The 415 for a body that is not JSON.
pub fn not_json() -> Problem {
    Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, not_json_detail())
}

/// Refuses a request whose `Content-Type` is not JSON, with [`not_json`].
pub fn require_json(headers: &HeaderMap) -> Result<(), Problem> {
    if is_json(headers) {
        Ok(())
    } else {
        Err(not_json())
    }
}

/// Whether the request says its body is JSON, read from the headers in place (an extractor
/// that never refuses: the handler decides when to answer [`not_json`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonContentType(pub bool);

impl<S: Send + Sync> FromRequestParts<S> for JsonContentType {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(JsonContentType(is_json(&parts.headers)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_by_media_type() {
        for yes in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON;charset=UTF-8",
            "application/json ; charset=utf-8",
            "application/json;",
        ] {
            assert!(is_json_media_type(yes), "{yes}");
        }
        for no in [
            "",
            "application/jsonx",
            "application/json-seq",
            "application/problem+json",
            "text/json",
            "text/plain",
            "application/",
            "json",
            "application/json/x",
            "application /json",
        ] {
            assert!(!is_json_media_type(no), "{no}");
        }
    }
}
