//! What the issuer's tests share: the office's configuration, one builder for a test office
//! (keys, accounts, tokens and sessions, the service's state and router), the requests the
//! tests send (JSON API, pages, forms, multipart uploads) and their answers, and signing in
//! through the web pages as an official does: password, then the TOTP second factor
//! (enrolled on first sign-in), with codes computed by the same crate as the service's
//! (`totp-rs`, RFC 6238: SHA-1, 6 digits, 30 s).
#![allow(dead_code)]

pub mod api;

use std::path::Path;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use sonod_issuer::accounts::Scope;
use sonod_issuer::server::{app, AppState, OfficeInfo, ServeConfig};
use sonod_issuer::{Accounts, Actor, Ledger, Role, SignInLimits, Store};
use sonod_keys::VerifyingKey;
use sonod_keys::{ensure_dev_keys, format_date, read_public_key, today_dhaka, DevOptions};

/// The password of the officials who sign in on the web pages.
pub const PASSWORD: &str = "correct horse battery";

/// The test office's configuration over the development keys in `dir/keys`: Savar
/// Paurashava, QR links to a local verifier, 10 s per request. A test that needs another
/// value says so with `ServeConfig { …, ..config(dir) }`.
pub fn config(dir: &Path) -> ServeConfig {
    ServeConfig {
        office: OfficeInfo {
            code: "100524".parse().expect("office code"),
            name_bn: "সাভার পৌরসভা".into(),
            name_en: "Savar Paurashava".into(),
        },
        key_path: dir.join("keys/office.key.pem"),
        trust_path: dir.join("keys/trust.json"),
        root_path: dir.join("keys/root.pub.pem"),
        verifier_host: Some("localhost:8080".parse().expect("host")),
        request_timeout: Duration::from_secs(10),
        development: true,
        wording_dir: None,
    }
}

/// One step of setting up the office's accounts, done in the order the builder was given.
enum Step {
    User {
        name: String,
        display: String,
        role: Role,
        password: Option<String>,
    },
    Wards(String, Vec<u16>),
    Token {
        user: String,
        label: String,
        scopes: Option<Vec<Scope>>,
    },
    Session(String, Role),
}

/// A change to [`config`]'s configuration.
type ConfigEdit = Box<dyn FnOnce(&mut ServeConfig)>;

/// Builds a test office: development keys and a store in a temporary folder, the accounts
/// and what they hold (added in the order given), then the service's state and router.
#[must_use]
pub struct OfficeBuilder {
    steps: Vec<Step>,
    limits: Option<SignInLimits>,
    edits: Vec<ConfigEdit>,
}

/// A test office, as [`OfficeBuilder::build`] leaves it.
pub struct Office {
    pub dir: tempfile::TempDir,
    pub state: AppState,
    pub router: Router,
    /// The office's public key.
    pub key: VerifyingKey,
    /// The API tokens' secrets, in the order they were asked for.
    pub tokens: Vec<String>,
    /// The full web sessions' cookies' values, in the order they were asked for.
    pub sessions: Vec<String>,
}

/// A new office with no accounts yet.
pub fn office() -> OfficeBuilder {
    OfficeBuilder {
        steps: Vec::new(),
        limits: None,
        edits: Vec::new(),
    }
}

impl OfficeBuilder {
    /// An account `name` shown as `display`, with a password for the web pages if given.
    pub fn user(mut self, name: &str, display: &str, role: Role, password: Option<&str>) -> Self {
        self.steps.push(Step::User {
            name: name.into(),
            display: display.into(),
            role,
            password: password.map(str::to_owned),
        });
        self
    }

    /// Accounts shown by their names, each with `password`.
    pub fn users(mut self, users: &[(&str, Role)], password: &str) -> Self {
        for (name, role) in users {
            self = self.user(name, name, *role, Some(password));
        }
        self
    }

    /// The wards a councillor answers for.
    pub fn wards(mut self, name: &str, wards: &[u16]) -> Self {
        self.steps.push(Step::Wards(name.into(), wards.to_vec()));
        self
    }

    /// An API token of `user`'s, valid a day, for every action of the role.
    pub fn token(mut self, user: &str, label: &str) -> Self {
        self.steps.push(Step::Token {
            user: user.into(),
            label: label.into(),
            scopes: None,
        });
        self
    }

    /// An API token of `user`'s, valid a day, for `scopes` only.
    pub fn scoped_token(mut self, user: &str, label: &str, scopes: &[Scope]) -> Self {
        self.steps.push(Step::Token {
            user: user.into(),
            label: label.into(),
            scopes: Some(scopes.to_vec()),
        });
        self
    }

    /// A web session of `user`'s past the second factor.
    pub fn session(mut self, user: &str, role: Role) -> Self {
        self.steps.push(Step::Session(user.into(), role));
        self
    }

    /// Sign-in limits other than the default ones.
    pub fn limits(mut self, limits: SignInLimits) -> Self {
        self.limits = Some(limits);
        self
    }

    /// Every request's time limit, if not [`config`]'s.
    pub fn request_timeout(self, limit: Duration) -> Self {
        self.config(move |c| c.request_timeout = limit)
    }

    /// A configuration other than [`config`]'s.
    pub fn config(mut self, edit: impl FnOnce(&mut ServeConfig) + 'static) -> Self {
        self.edits.push(Box::new(edit));
        self
    }

    pub fn build(self) -> Office {
        let dir = tempfile::tempdir().expect("tmp");
        ensure_dev_keys(&dir.path().join("keys"), &DevOptions::default()).expect("dev keys");
        let key = read_public_key(dir.path().join("keys/office.pub.pem")).expect("pub");
        let store = Store::open(&dir.path().join("data")).expect("store");
        let (mut tokens, mut sessions) = (Vec::new(), Vec::new());
        if !self.steps.is_empty() {
            let accounts = Accounts::open(&store).expect("accounts");
            let ledger = Ledger::open(store.clone()).expect("ledger");
            let (by, now) = ("cli:test", sonod_issuer::now());
            for step in self.steps {
                match step {
                    Step::User {
                        name,
                        display,
                        role,
                        password,
                    } => {
                        accounts
                            .add_user(&ledger, by, &name, &display, role, password.as_deref(), now)
                            .expect("user");
                    }
                    Step::Wards(name, wards) => {
                        accounts
                            .set_wards(&ledger, by, &name, &wards)
                            .expect("wards");
                    }
                    Step::Token {
                        user,
                        label,
                        scopes,
                    } => {
                        let token = match scopes {
                            None => {
                                accounts.create_token(&ledger, by, &user, &label, now + 86_400, now)
                            }
                            Some(scopes) => accounts.create_scoped_token(
                                &ledger,
                                by,
                                &user,
                                &label,
                                Some(&scopes),
                                now + 86_400,
                                now,
                            ),
                        };
                        tokens.push(token.expect("token").secret);
                    }
                    Step::Session(name, role) => {
                        let actor = Actor { name, role };
                        sessions.push(accounts.open_full_session(&actor, now).expect("session"));
                    }
                }
            }
            ledger.close().expect("close");
            drop(ledger);
        }
        let mut config = config(dir.path());
        for edit in self.edits {
            edit(&mut config);
        }
        let state = match self.limits {
            None => AppState::new(config, store),
            Some(limits) => AppState::with_signin_limits(config, store, limits),
        }
        .expect("state");
        Office {
            router: app(state.clone()),
            dir,
            state,
            key,
            tokens,
            sessions,
        }
    }
}

/// The benchmark record as JSON, issued today in Dhaka and valid a year.
pub fn record() -> Value {
    let mut v: Value = serde_json::from_str(include_str!(
        "../../../seal/tests/data/benchmark-record.json"
    ))
    .expect("json");
    let today = today_dhaka();
    v["issued"] = json!(format_date(today));
    v["expires"] = json!(format_date(today + time::Duration::days(365)));
    v
}

/// An answer: its status, headers and body as sent.
pub async fn call(router: &Router, req: Request<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
    sonod_testkit::send(router.clone(), req).await
}

/// An answer whose body is text (UTF-8, or the test fails).
pub async fn call_text(router: &Router, req: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let (s, h, b) = call(router, req).await;
    (s, h, String::from_utf8(b).expect("a UTF-8 body"))
}

/// A JSON body, or a panic that shows what came instead.
pub fn json_of(body: &[u8]) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(body)))
}

/// An answer, its body as text.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    /// The body as sent (a PDF, an image).
    pub bytes: Vec<u8>,
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
        csrf_of(&self.body)
    }
}

/// The value of the hidden `csrf` field on `page`.
pub fn csrf_of(page: &str) -> String {
    between(page, "name=csrf value=\"", "\"")
        .or_else(|| between(page, "name=\"csrf\" value=\"", "\""))
        .expect("a csrf field")
        .to_owned()
}

/// The text between `start` and the next `end`.
pub fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = s.find(start)? + start.len();
    let len = s[from..].find(end)?;
    Some(&s[from..from + len])
}

pub async fn send(router: &Router, req: Request<Body>) -> Page {
    let (status, headers, bytes) = call(router, req).await;
    Page {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes,
    }
}

/// A JSON API request, with the bearer token and the JSON body when given.
pub fn api_request(
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Request<Body> {
    let mut r = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        r = r.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    match body {
        Some(b) => r
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string())),
        None => r.body(Body::empty()),
    }
    .expect("request")
}

/// A JSON API `POST`.
pub fn api_post(uri: &str, token: Option<&str>, body: &Value) -> Request<Body> {
    api_request("POST", uri, token, Some(body))
}

/// A JSON API `GET`.
pub fn api_get(uri: &str, token: Option<&str>) -> Request<Body> {
    api_request("GET", uri, token, None)
}

/// A `GET` with the cookie when given, and no `Accept` header.
pub fn get(uri: &str, cookie: Option<&str>) -> Request<Body> {
    let mut r = Request::get(uri);
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    r.body(Body::empty()).expect("request")
}

/// A page asked for as a browser does (`Accept: text/html`), with the cookie when given.
pub fn get_page(uri: &str, cookie: Option<&str>) -> Request<Body> {
    let mut r = Request::get(uri).header(header::ACCEPT, "text/html");
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    r.body(Body::empty()).expect("request")
}

/// `fields` as an `application/x-www-form-urlencoded` body.
pub fn form_body(fields: &[(&str, &str)]) -> String {
    let escape = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                    (b as char).to_string()
                }
                b' ' => "+".into(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", escape(k), escape(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// A form post of `body` (already encoded), with the cookie when given, from the address
/// `from` when given (as the server's socket reports it).
pub fn form_request(
    uri: &str,
    cookie: Option<&str>,
    body: String,
    from: Option<[u8; 4]>,
) -> Request<Body> {
    let mut r =
        Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    let mut req = r.body(Body::from(body)).expect("request");
    if let Some(ip) = from {
        req.extensions_mut()
            .insert(ConnectInfo(std::net::SocketAddr::from((ip, 40000))));
    }
    req
}

/// A form post, with the session cookie when given, from 192.0.2.10.
pub fn post_form(uri: &str, cookie: Option<&str>, fields: &[(&str, &str)]) -> Request<Body> {
    form_request(uri, cookie, form_body(fields), Some([192, 0, 2, 10]))
}

const BOUNDARY: &str = "----sonod-test-boundary-7d1f";

/// A file in a multipart upload.
pub struct Upload<'a> {
    /// The form field's name.
    pub field: &'a str,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

/// A multipart/form-data body: text fields, then files.
pub fn multipart_body(fields: &[(String, String)], files: &[Upload]) -> Vec<u8> {
    let mut b = Vec::new();
    for (k, v) in fields {
        b.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for f in files {
        b.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                f.field, f.file_name, f.content_type
            )
            .as_bytes(),
        );
        b.extend_from_slice(f.bytes);
        b.extend_from_slice(b"\r\n");
    }
    b.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    b
}

/// A multipart/form-data post of `body` (from [`multipart_body`]), with the cookie when given.
pub fn multipart_post(uri: &str, body: Vec<u8>, cookie: Option<&str>) -> Request<Body> {
    let mut r = Request::post(uri).header(
        header::CONTENT_TYPE,
        format!("multipart/form-data; boundary={BOUNDARY}"),
    );
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    r.body(Body::from(body)).expect("request")
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
