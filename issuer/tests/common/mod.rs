//! Signing in through the web pages as an official does: password, then the TOTP second
//! factor (enrolled on first sign-in), with codes computed by the same crate as the service's
//! (`totp-rs`, RFC 6238: SHA-1, 6 digits, 30 s).
#![allow(dead_code)]

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;

/// An answer, its body as text.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    /// The redirect's target.
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The `name=value` of the session cookie set.
    pub fn cookie(&self) -> String {
        let c = self.headers[header::SET_COOKIE].to_str().expect("cookie");
        c.split(';').next().expect("pair").to_owned()
    }

    /// The value of the hidden `csrf` field.
    pub fn csrf(&self) -> String {
        between(&self.body, "name=csrf value=\"", "\"")
            .or_else(|| between(&self.body, "name=\"csrf\" value=\"", "\""))
            .expect("a csrf field")
            .to_owned()
    }
}

/// The text between `start` and the next `end`.
pub fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = s.find(start)? + start.len();
    let len = s[from..].find(end)?;
    Some(&s[from..from + len])
}

pub async fn send(router: &Router, req: Request<Body>) -> Page {
    let resp = router.clone().oneshot(req).await.expect("response");
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.expect("body").to_bytes();
    Page {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

fn form_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A form post, with the session cookie when given, from 192.0.2.10.
pub fn post_form(uri: &str, cookie: Option<&str>, fields: &[(&str, &str)]) -> Request<Body> {
    let body = fields
        .iter()
        .map(|(k, v)| format!("{k}={}", form_escape(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut r =
        Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    let mut req = r.body(Body::from(body)).expect("req");
    req.extensions_mut()
        .insert(ConnectInfo(std::net::SocketAddr::from((
            [192, 0, 2, 10],
            40000,
        ))));
    req
}

/// A page asked for with the session cookie.
pub fn get_page(uri: &str, cookie: Option<&str>) -> Request<Body> {
    let mut r = Request::get(uri).header(header::ACCEPT, "text/html");
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    r.body(Body::empty()).expect("req")
}

/// The code an authenticator app shows for `secret` (Base32, spaces allowed) at `at`.
pub fn totp_code(secret: &str, at: i64) -> String {
    let secret: String = secret.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = totp_rs::Secret::try_from_base32(&secret)
        .expect("base32")
        .as_bytes()
        .to_vec();
    let totp = totp_rs::Builder::new()
        .with_secret(bytes)
        .build()
        .expect("totp");
    totp.generate(at as u64).to_string()
}

/// An official signed in for the first time: password, enrolment (QR page, secret as
/// text, first code), recovery codes.
pub struct Enrolled {
    pub cookie: String,
    pub secret: String,
    pub recovery: Vec<String>,
}

pub async fn enrol(router: &Router, name: &str, password: &str) -> Enrolled {
    let now = sonod_issuer::now();
    let a = send(
        router,
        post_form("/login", None, &[("name", name), ("password", password)]),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert_eq!(a.location(), "/account/second-factor");
    let cookie = a.cookie();
    // Before enrolling, no other page opens.
    let home = send(router, get_page("/", Some(&cookie))).await;
    assert_eq!(home.location(), "/account/second-factor");
    let page = send(router, get_page("/account/second-factor", Some(&cookie))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("<svg"), "a QR code");
    let secret = between(&page.body, "<code class=secret>", "</code>")
        .expect("the secret as text")
        .to_owned();
    let done = send(
        router,
        post_form(
            "/account/second-factor",
            Some(&cookie),
            &[("code", &totp_code(&secret, now)), ("csrf", &page.csrf())],
        ),
    )
    .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let recovery: Vec<String> = done
        .body
        .split("<li><code>")
        .skip(1)
        .filter_map(|s| s.split("</code>").next())
        .map(str::to_owned)
        .collect();
    assert_eq!(recovery.len(), 10, "{}", done.body);
    Enrolled {
        cookie,
        secret,
        recovery,
    }
}

/// A later sign-in: password, then `code` on /login/code. Returns the last answer and the
/// cookie.
pub async fn sign_in_with_code(
    router: &Router,
    name: &str,
    password: &str,
    code: &str,
) -> (Page, String) {
    let a = send(
        router,
        post_form("/login", None, &[("name", name), ("password", password)]),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert_eq!(a.location(), "/login/code");
    let cookie = a.cookie();
    let form = send(router, get_page("/login/code", Some(&cookie))).await;
    assert_eq!(form.status, StatusCode::OK);
    let answer = send(
        router,
        post_form(
            "/login/code",
            Some(&cookie),
            &[("code", code), ("csrf", &form.csrf())],
        ),
    )
    .await;
    (answer, cookie)
}
