//! What wraps every request to the pages: web errors as HTML pages, and the transport check
//! that keeps the session cookie off plain HTTP.
//!
//! **Errors.** Handlers answer errors as problem+json ([`super::AppError`]); for a page
//! request (a path outside `/api/`, not the shell's health, readiness and metrics routes,
//! from a client that does not ask for JSON in `Accept`) this middleware answers the same
//! status as an HTML page from `templates/error.html`, in Bangla and English, keeping the
//! problem's detail and headers such as `Retry-After`. API routes keep problem+json.
//!
//! **Transport.** The session cookie is `Secure` only when the request came over HTTPS: the
//! service itself speaks plain HTTP, so that means through a reverse proxy that terminates
//! TLS and says so in `X-Forwarded-Proto: https`, believed only when the service was started
//! with `--trust-proxy-https`. A page request over plain HTTP to any host but `localhost`
//! (a browser would not keep a `Secure` cookie there, and without `Secure` the cookie would
//! cross the office's network in clear) is answered 403 with a page that says why and what to
//! do, before any password is typed.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;

/// The most of a problem+json body read back to make its page.
const MAX_PROBLEM_BYTES: usize = 64 * 1024;

/// Paths of the shell that stay machine-readable whatever the client.
fn machine_path(path: &str) -> bool {
    path.starts_with("/api/")
        || [
            sonod_serve::HEALTH_PATH,
            sonod_serve::READY_PATH,
            sonod_serve::METRICS_PATH,
        ]
        .contains(&path)
}

/// Whether the client asks for JSON rather than a page (`Accept` names JSON and not HTML).
fn wants_json(headers: &HeaderMap) -> bool {
    let accept = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",")
        .to_ascii_lowercase();
    accept.contains("json") && !accept.contains("text/html")
}

/// Whether a request is a page request (answered with HTML errors).
pub fn is_page_request(path: &str, headers: &HeaderMap) -> bool {
    !machine_path(path) && !wants_json(headers)
}

/// Whether the request reached the office over HTTPS (through a trusted proxy).
pub fn came_over_https(state: &AppState, headers: &HeaderMap) -> bool {
    state.trusts_proxy_https()
        && headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(',')
                    .next()
                    .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
            })
}

/// Whether the request's `Host` is this machine (`localhost`, `127.0.0.1`, `[::1]`), or
/// absent (not a browser): where plain HTTP is allowed.
pub fn local_host(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    let name = name.to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|a| a.is_loopback())
}

/// The session cookie's attributes: `Secure` exactly when the request came over HTTPS.
pub fn cookie_attributes(state: &AppState, headers: &HeaderMap) -> &'static str {
    if came_over_https(state, headers) {
        "HttpOnly; Secure; SameSite=Strict; Path=/"
    } else {
        "HttpOnly; SameSite=Strict; Path=/"
    }
}

/// An error page.
#[derive(Template)]
#[template(path = "error.html", escape = "sonod")]
struct ErrorPage {
    status: u16,
    title_bn: String,
    title_en: String,
    detail: String,
    /// Unauthorized: offer the sign-in page.
    sign_in: bool,
    /// Why plain HTTP is refused, and what the office does about it.
    https_help: bool,
}

fn title_id(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 422 => "error-title-bad-request",
        401 => "error-title-unauthorized",
        403 => "error-title-forbidden",
        404 => "error-title-not-found",
        405 => "error-title-method",
        408 => "error-title-timeout",
        409 => "error-title-conflict",
        413 => "error-title-too-large",
        429 => "error-title-too-many",
        503 => "error-title-unavailable",
        s if s >= 500 => "error-title-internal",
        _ => "error-title-other",
    }
}

/// The HTML page of an error: `status` and its `detail` (already "বাংলা / English").
pub fn error_page(status: StatusCode, detail: String, https_help: bool) -> Response {
    let id = title_id(status);
    let page = ErrorPage {
        status: status.as_u16(),
        title_bn: crate::l10n::bn(id),
        title_en: crate::l10n::en(id),
        detail,
        sign_in: status == StatusCode::UNAUTHORIZED,
        https_help,
    };
    let html = page.render().unwrap_or_default();
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response()
}

/// The middleware: refuses page requests over plain HTTP off localhost, and turns the
/// problem+json errors of page requests into HTML pages.
pub async fn guard_pages(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let page = is_page_request(&path, req.headers());
    if page && !came_over_https(&state, req.headers()) && !local_host(req.headers()) {
        return error_page(
            StatusCode::FORBIDDEN,
            crate::l10n::both("https-required", &[]),
            true,
        );
    }
    let resp = next.run(req).await;
    let problem = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !page || !problem {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_PROBLEM_BYTES)
        .await
        .unwrap_or_default();
    let detail = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v.get("detail").and_then(|d| d.as_str()).map(str::to_owned))
        .unwrap_or_default();
    let mut html = error_page(parts.status, detail, false);
    // What the client should still see: how long to wait, the request id.
    for name in [header::RETRY_AFTER, header::ALLOW] {
        if let Some(v) = parts.headers.get(&name) {
            html.headers_mut().insert(name, v.clone());
        }
    }
    if let Some(v) = parts.headers.get(sonod_serve::REQUEST_ID) {
        html.headers_mut()
            .insert(sonod_serve::REQUEST_ID, HeaderValue::clone(v));
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn pages_and_machines_are_told_apart() {
        assert!(is_page_request("/", &HeaderMap::new()));
        assert!(is_page_request(
            "/certificates/1/print",
            &headers(&[("accept", "text/html,application/xhtml+xml,*/*;q=0.8")])
        ));
        assert!(!is_page_request("/api/v1/feed", &HeaderMap::new()));
        assert!(!is_page_request("/healthz", &HeaderMap::new()));
        assert!(!is_page_request(
            "/nowhere",
            &headers(&[("accept", "application/json")])
        ));
    }

    #[test]
    fn only_this_machine_is_local() {
        for h in [
            "localhost:8080",
            "127.0.0.1:8080",
            "[::1]:8080",
            "localhost",
        ] {
            assert!(local_host(&headers(&[("host", h)])), "{h}");
        }
        for h in ["issuer.office.lan:8080", "192.168.1.10", "[fe80::1]:80"] {
            assert!(!local_host(&headers(&[("host", h)])), "{h}");
        }
        assert!(local_host(&HeaderMap::new()));
    }
}
