//! Errors as RFC 9457 problem details (`application/problem+json`), one shape for both
//! services: `type`, a title in Bangla and English, the status, a detail in Bangla and English.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

/// The media type of a problem.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One problem answered to a client. Each service's error type converts into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    status: StatusCode,
    detail: String,
    kind: Cow<'static, str>,
    /// Reasons listed for an operator's eyes (readiness): the member `problems`.
    problems: Option<Vec<String>>,
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl Problem {
    /// A problem of `status`, its detail (Bangla first, then ` / ` and English) and type
    /// `about:blank`.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Problem {
        Problem {
            status,
            detail: detail.into(),
            kind: Cow::Borrowed("about:blank"),
            problems: None,
            headers: Vec::new(),
        }
    }

    /// The problem's type, a URI (`about:blank` unless set).
    #[must_use]
    pub fn with_type(mut self, uri: impl Into<Cow<'static, str>>) -> Problem {
        self.kind = uri.into();
        self
    }

    /// The list of reasons behind the detail (the member `problems`).
    #[must_use]
    pub fn with_problems(mut self, problems: Vec<String>) -> Problem {
        self.problems = Some(problems);
        self
    }

    /// A header the answer carries (`Retry-After`, `WWW-Authenticate`, ...).
    #[must_use]
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Problem {
        self.headers.push((name, value));
        self
    }

    /// `Retry-After` in seconds.
    #[must_use]
    pub fn with_retry_after(self, secs: u64) -> Problem {
        self.with_header(header::RETRY_AFTER, HeaderValue::from(secs))
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The detail.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The title: the status's name in Bangla, then ` / ` and in English.
    pub fn title(&self) -> String {
        let (bn, en) = titles(self.status);
        format!("{bn} / {en}")
    }

    /// The JSON body.
    pub fn body(&self) -> String {
        let mut m = Map::new();
        m.insert("type".into(), Value::from(self.kind.as_ref()));
        m.insert("title".into(), Value::from(self.title()));
        m.insert("status".into(), Value::from(self.status.as_u16()));
        m.insert("detail".into(), Value::from(self.detail.as_str()));
        if let Some(p) = &self.problems {
            m.insert("problems".into(), Value::from(p.clone()));
        }
        Value::Object(m).to_string()
    }
}

/// The statuses with a Bangla title of their own (the others are `title-other`).
const TITLED: [u16; 13] = [
    400, 401, 403, 404, 405, 408, 409, 413, 415, 422, 429, 500, 503,
];

/// The name of `status` in Bangla and in English (English: the status's reason phrase).
pub fn titles(status: StatusCode) -> (&'static str, &'static str) {
    /// The Bangla titles (`title-<status>` in `locales/bn/serve.ftl`), rendered once.
    static BN: LazyLock<HashMap<u16, String>> = LazyLock::new(|| {
        TITLED
            .iter()
            .map(|&s| (s, crate::l10n::bn(&format!("title-{s}"))))
            .chain([(0, crate::l10n::bn("title-other"))])
            .collect()
    });
    let en = status.canonical_reason().unwrap_or("Error");
    let code = status.as_u16();
    let key = if TITLED.contains(&code) { code } else { 0 };
    let bn = BN.get(&key).map_or("", String::as_str);
    (bn, en)
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut resp = (
            self.status,
            [(header::CONTENT_TYPE, PROBLEM_JSON)],
            self.body(),
        )
            .into_response();
        for (name, value) in self.headers {
            resp.headers_mut().insert(name, value);
        }
        resp
    }
}

/// A problem+json answer of `status` with `detail`.
pub fn problem(status: StatusCode, detail: &str) -> Response {
    Problem::new(status, detail).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_has_every_member_and_its_headers() {
        let p = Problem::new(StatusCode::TOO_MANY_REQUESTS, "অপেক্ষা / wait").with_retry_after(3);
        let v: Value = serde_json::from_str(&p.body()).unwrap();
        assert_eq!(v["type"], "about:blank");
        assert_eq!(v["status"], 429);
        assert_eq!(v["title"], "অনেক বেশি অনুরোধ / Too Many Requests");
        assert_eq!(v["detail"], "অপেক্ষা / wait");
        assert!(v.get("problems").is_none());
        let r = p.into_response();
        assert_eq!(r.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
        assert_eq!(r.headers()[header::RETRY_AFTER], "3");
    }

    #[test]
    fn every_title_is_bilingual() {
        for s in 400..600u16 {
            let Ok(status) = StatusCode::from_u16(s) else {
                continue;
            };
            let (bn, en) = titles(status);
            assert!(!bn.is_ascii() && !en.is_empty(), "{s}");
        }
    }
}
