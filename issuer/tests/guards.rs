//! Guards against misused logins and what an official meets on the way, through the router:
//! the TOTP second factor (enrolment, sign-in, wrong and replayed codes, recovery codes, the
//! admin's reset), throttled codes, API token scopes, HTML error pages, the certificate
//! number typed from the paper, plain HTTP off localhost, the print page's buttons.

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use base64::Engine as _;
use serde_json::{json, Value};
use sha2::Digest as _;
use sonod_issuer::accounts::Scope;
use sonod_issuer::server::AppState;
use sonod_issuer::{now, Role};

mod common;
use common::{
    between, enrol, get_page, post_form, record, send, sign_in_with_code, totp_code, PASSWORD,
};

struct Fixture {
    _dir: tempfile::TempDir,
    state: AppState,
    router: Router,
    /// Rahim's (the chairman's) token, every action of the role.
    chairman: String,
    /// Rahim's token made for printing only.
    print_only: String,
}

fn fixture() -> Fixture {
    let o = common::office()
        .users(
            &[
                ("rahim", Role::Chairman),
                ("karim", Role::Operator),
                ("admin", Role::Admin),
            ],
            PASSWORD,
        )
        .token("rahim", "all")
        .scoped_token("rahim", "print", &[Scope::Print])
        .request_timeout(Duration::from_secs(30))
        .build();
    let [chairman, print_only] = <[String; 2]>::try_from(o.tokens).expect("two tokens");
    Fixture {
        _dir: o.dir,
        router: o.router,
        state: o.state,
        chairman,
        print_only,
    }
}

fn api(method: &str, uri: &str, token: &str, body: Option<&Value>) -> Request<Body> {
    common::api_request(method, uri, Some(token), body)
}

async fn issue_one(f: &Fixture) -> u64 {
    let a = send(
        &f.router,
        api("POST", "/api/v1/certificates", &f.chairman, Some(&record())),
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    serde_json::from_str::<Value>(&a.body).expect("json")["serial"]
        .as_u64()
        .expect("serial")
}

fn audit_actions(f: &Fixture) -> Vec<String> {
    f.state
        .ledger()
        .audit_entries(0, 1000)
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect()
}

#[tokio::test]
async fn an_official_enrols_then_signs_in_with_password_and_code() {
    let f = fixture();
    let first = enrol(&f.router, "rahim", PASSWORD).await;
    // Now signed in: the dashboard, with the links the role opens.
    let home = send(&f.router, get_page("/", Some(&first.cookie))).await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert!(home.body.contains("action=\"/print\"") && home.body.contains("href=\"/bulk\""));
    assert!(
        !home.body.contains("/admin/accounts"),
        "a chairman manages no accounts"
    );
    assert!(audit_actions(&f).contains(&"user.totp.enrol".to_owned()));

    // A later sign-in: the password alone opens only the code page.
    let now = now();
    let a = send(
        &f.router,
        post_form("/login", None, &[("name", "rahim"), ("password", PASSWORD)]),
    )
    .await;
    assert_eq!(a.location(), "/login/code");
    let half = a.cookie();
    for uri in ["/", "/certificates/1/print", "/admin/tokens"] {
        let p = send(&f.router, get_page(uri, Some(&half))).await;
        assert!(
            p.status == StatusCode::UNAUTHORIZED
                || ["/login/code", "/login"].contains(&p.location()),
            "{uri}: {:?} {}",
            p.status,
            p.location()
        );
    }
    // A wrong code: the form again, with the error, in both languages.
    let form = send(&f.router, get_page("/login/code", Some(&half))).await;
    let wrong = send(
        &f.router,
        post_form(
            "/login/code",
            Some(&half),
            &[("code", "000000"), ("csrf", &form.csrf())],
        ),
    )
    .await;
    let right = totp_code(&first.secret, now + 30);
    if right != "000000" {
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(
            wrong.body.contains("কোডটি ভুল") && wrong.body.contains("wrong or already used code")
        );
    }
    // Without the form's CSRF token: refused.
    let no_csrf = send(
        &f.router,
        post_form(
            "/login/code",
            Some(&half),
            &[("code", &right), ("csrf", "x")],
        ),
    )
    .await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    // The next step's code (the enrolment spent this step's): in.
    let ok = send(
        &f.router,
        post_form(
            "/login/code",
            Some(&half),
            &[("code", &right), ("csrf", &form.csrf())],
        ),
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(ok.location(), "/");
    assert_eq!(
        send(&f.router, get_page("/", Some(&half))).await.status,
        StatusCode::OK
    );
    // The same code again: replayed, refused.
    let (again, _) = sign_in_with_code(&f.router, "rahim", PASSWORD, &right).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED, "{}", again.body);
    // A recovery code: in, once; the home page says how many are left.
    let (rec, cookie) = sign_in_with_code(&f.router, "rahim", PASSWORD, &first.recovery[4]).await;
    assert_eq!(rec.location(), "/?recovery_left=9");
    let home = send(&f.router, get_page(rec.location(), Some(&cookie))).await;
    assert!(home.body.contains("৯"), "{}", home.body);
    let (twice, _) = sign_in_with_code(&f.router, "rahim", PASSWORD, &first.recovery[4]).await;
    assert_eq!(twice.status, StatusCode::UNAUTHORIZED);
    assert!(audit_actions(&f).contains(&"user.totp.recovery".to_owned()));
    // Logging out ends the session.
    let out = send(&f.router, post_form("/logout", Some(&cookie), &[])).await;
    assert_eq!(out.location(), "/login");
    assert_eq!(
        send(&f.router, get_page("/admin/tokens", Some(&cookie)))
            .await
            .location(),
        "/login"
    );
}

#[tokio::test]
async fn wrong_codes_are_throttled_like_passwords() {
    let f = fixture();
    let first = enrol(&f.router, "karim", PASSWORD).await;
    let a = send(
        &f.router,
        post_form("/login", None, &[("name", "karim"), ("password", PASSWORD)]),
    )
    .await;
    let half = a.cookie();
    let csrf = send(&f.router, get_page("/login/code", Some(&half)))
        .await
        .csrf();
    let right = totp_code(&first.secret, now() + 30);
    let wrong = if right == "111111" {
        "222222"
    } else {
        "111111"
    };
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let p = send(
            &f.router,
            post_form(
                "/login/code",
                Some(&half),
                &[("code", wrong), ("csrf", &csrf)],
            ),
        )
        .await;
        statuses.push(p.status);
    }
    assert!(
        statuses.contains(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    // While throttled, even the right code waits.
    let p = send(
        &f.router,
        post_form(
            "/login/code",
            Some(&half),
            &[("code", &right), ("csrf", &csrf)],
        ),
    )
    .await;
    assert_eq!(p.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(p.headers.contains_key(header::RETRY_AFTER));
}

/// Someone with the password guesses codes: signing in with the password again does not
/// start the count afresh (only a right code forgives the account).
#[tokio::test]
async fn the_password_again_does_not_forgive_wrong_codes() {
    let f = fixture();
    let first = enrol(&f.router, "karim", PASSWORD).await;
    let right = totp_code(&first.secret, now() + 30);
    let wrong = if right == "111111" {
        "222222"
    } else {
        "111111"
    };
    let a = send(
        &f.router,
        post_form("/login", None, &[("name", "karim"), ("password", PASSWORD)]),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let half = a.cookie();
    let csrf = send(&f.router, get_page("/login/code", Some(&half)))
        .await
        .csrf();
    for _ in 0..4 {
        let p = send(
            &f.router,
            post_form(
                "/login/code",
                Some(&half),
                &[("code", wrong), ("csrf", &csrf)],
            ),
        )
        .await;
        assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    }
    // The password again: accepted (the password was right), but the wrong codes stay counted.
    let again = send(
        &f.router,
        post_form("/login", None, &[("name", "karim"), ("password", PASSWORD)]),
    )
    .await;
    assert_eq!(again.location(), "/login/code");
    let half = again.cookie();
    let csrf = send(&f.router, get_page("/login/code", Some(&half)))
        .await
        .csrf();
    let code = |c: &str| post_form("/login/code", Some(&half), &[("code", c), ("csrf", &csrf)]);
    assert_eq!(
        send(&f.router, code(wrong)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let held = send(&f.router, code(wrong)).await;
    assert_eq!(held.status, StatusCode::TOO_MANY_REQUESTS, "{}", held.body);
}

#[tokio::test]
async fn an_admin_resets_a_lost_second_factor_and_the_sessions_end() {
    let f = fixture();
    let karim = enrol(&f.router, "karim", PASSWORD).await;
    let admin = enrol(&f.router, "admin", PASSWORD).await;
    let page = send(&f.router, get_page("/admin/accounts", Some(&admin.cookie))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page
        .body
        .contains("/admin/accounts/karim/second-factor/reset"));
    assert!(!page.body.contains(&karim.secret), "never the secret");
    // An operator may not see it.
    let p = send(&f.router, get_page("/admin/accounts", Some(&karim.cookie))).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(p.body.contains("<html") && p.body.contains("অনুমতি নেই"));
    // Without CSRF: refused.
    let p = send(
        &f.router,
        post_form(
            "/admin/accounts/karim/second-factor/reset",
            Some(&admin.cookie),
            &[("csrf", "nope")],
        ),
    )
    .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    let p = send(
        &f.router,
        post_form(
            "/admin/accounts/karim/second-factor/reset",
            Some(&admin.cookie),
            &[("csrf", &page.csrf())],
        ),
    )
    .await;
    assert_eq!(p.location(), "/admin/accounts?reset=karim");
    // Karim's session has ended; his next sign-in enrols again.
    assert_eq!(
        send(&f.router, get_page("/", Some(&karim.cookie)))
            .await
            .location(),
        ""
    );
    let again = enrol(&f.router, "karim", PASSWORD).await;
    assert_ne!(again.secret, karim.secret);
    let entry = f
        .state
        .ledger()
        .audit_entries(0, 1000)
        .expect("audit")
        .into_iter()
        .find(|e| e.action == "user.totp.reset")
        .expect("audited");
    assert_eq!(
        (entry.actor.as_str(), entry.target.as_str()),
        ("admin", "karim")
    );
}

#[tokio::test]
async fn tokens_do_only_what_they_were_made_for() {
    let f = fixture();
    let serial = issue_one(&f).await;
    // Made for printing: reads and prints.
    let p = send(
        &f.router,
        api(
            "GET",
            &format!("/api/v1/certificates/{serial}"),
            &f.print_only,
            None,
        ),
    )
    .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    // But neither issues, revokes nor reads the audit log, though the chairman's role may.
    let before = f.state.ledger().store().len();
    for (method, uri, body) in [
        ("POST", "/api/v1/certificates".to_owned(), Some(record())),
        (
            "POST",
            format!("/api/v1/certificates/{serial}/revoke"),
            Some(json!({"reason": "superseded"})),
        ),
        ("GET", "/api/v1/audit".to_owned(), None),
    ] {
        let p = send(&f.router, api(method, &uri, &f.print_only, body.as_ref())).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{uri}: {}", p.body);
        assert_eq!(p.headers[header::CONTENT_TYPE], "application/problem+json");
        assert!(
            p.body.contains("এই টোকেন") && p.body.contains("this token was not made for"),
            "{}",
            p.body
        );
    }
    assert_eq!(f.state.ledger().store().len(), before);
    // The tokens page shows each token's scopes.
    let admin = enrol(&f.router, "admin", PASSWORD).await;
    let page = send(&f.router, get_page("/admin/tokens", Some(&admin.cookie))).await;
    assert!(page.body.contains("issue, revoke, print, audit") && page.body.contains(": print<"));
}

#[tokio::test]
async fn the_number_on_the_paper_opens_its_certificate() {
    let f = fixture();
    let serial = issue_one(&f).await;
    let me = enrol(&f.router, "karim", PASSWORD).await;
    let find = |typed: &str| {
        let q: String = typed
            .bytes()
            .map(|b| match b {
                b'0'..=b'9' | b'a'..=b'z' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect();
        get_page(&format!("/print?serial={q}"), Some(&me.cookie))
    };
    let want = format!("/certificates/{serial}/print");
    for typed in [
        format!("100524-{serial}"),
        sonod_seal::bangla_digits(&format!("100524-{serial}")),
        format!(" 100524 - {serial} "),
        format!("{serial}"),
    ] {
        let p = send(&f.router, find(&typed)).await;
        assert_eq!(p.location(), want, "{typed:?}: {}", p.body);
    }
    // Another office's number is refused by name, never read as a serial here; the hyphen
    // is never dropped.
    for (typed, theirs) in [("12-345", "12"), ("২০০১-১", "2001")] {
        let p = send(&f.router, find(typed)).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{typed}");
        assert!(
            p.body.contains("<html")
                && p.body.contains(&format!("({theirs})"))
                && p.body.contains("100524"),
            "{}",
            p.body
        );
    }
    for bad in ["100524-", "abc", "100524-1-2", ""] {
        let p = send(&f.router, find(bad)).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{bad:?}");
    }
}

#[tokio::test]
async fn web_errors_are_pages_and_api_errors_problem_json() {
    let f = fixture();
    let p = send(&f.router, get_page("/nowhere", None)).await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    assert!(p.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(
        p.body.contains("পাতাটি নেই")
            && p.body.contains("No such page")
            && p.body.contains("href=\"/\""),
        "{}",
        p.body
    );
    // Not signed in: a page offering the sign-in.
    let p = send(&f.router, get_page("/certificates/1/print", None)).await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED);
    assert!(p.body.contains("href=\"/login\""));
    // API routes, and clients asking for JSON, keep problem+json.
    for req in [
        Request::get("/api/v1/nowhere").body(Body::empty()).unwrap(),
        Request::get("/nowhere")
            .header(header::ACCEPT, "application/json")
            .body(Body::empty())
            .unwrap(),
    ] {
        let p = send(&f.router, req).await;
        assert_eq!(p.status, StatusCode::NOT_FOUND);
        assert_eq!(p.headers[header::CONTENT_TYPE], "application/problem+json");
    }
    // Logging out without a session: back to the sign-in page, no error.
    let p = send(
        &f.router,
        Request::post("/logout").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(p.location(), "/login");
}

#[tokio::test]
async fn plain_http_off_localhost_is_refused_and_https_through_a_proxy_gets_a_secure_cookie() {
    let f = fixture();
    let from_lan = |host: &str, proto: Option<&str>| {
        let mut r = Request::post("/login")
            .header(header::HOST, host)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(p) = proto {
            r = r.header("x-forwarded-proto", p);
        }
        r.body(Body::from(format!(
            "name=karim&password={}",
            PASSWORD.replace(' ', "+")
        )))
        .unwrap()
    };
    // The right password over plain HTTP to the office's LAN name: a page that says why,
    // not a silent return to "Log in".
    let p = send(&f.router, from_lan("issuer.office.lan:8080", None)).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(p.body.contains("https://") && p.body.contains("--trust-proxy-https"));
    assert!(!p.headers.contains_key(header::SET_COOKIE));
    // A forwarded header is not believed unless the service was told to.
    let p = send(&f.router, from_lan("issuer.office.lan", Some("https"))).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    // On this machine: plain HTTP works, the cookie is not Secure.
    let p = send(&f.router, from_lan("localhost:8080", None)).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(!p.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("Secure"));
    // Behind a trusted TLS proxy: the cookie is Secure.
    f.state.trust_proxy_https(true);
    let p = send(&f.router, from_lan("issuer.office.lan", Some("https"))).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    let cookie = p.headers[header::SET_COOKIE].to_str().unwrap().to_owned();
    for attr in ["HttpOnly", "Secure", "SameSite=Strict"] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    // The API is not a page: a token over plain HTTP still answers.
    let p = send(
        &f.router,
        Request::get("/api/v1/feed")
            .header(header::HOST, "issuer.office.lan")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(p.status, StatusCode::OK);
}

#[tokio::test]
async fn the_print_page_has_back_and_print_and_its_one_script_is_allowed_by_hash() {
    let f = fixture();
    let serial = issue_one(&f).await;
    let me = enrol(&f.router, "karim", PASSWORD).await;
    let p = send(
        &f.router,
        get_page(&format!("/certificates/{serial}/print"), Some(&me.cookie)),
    )
    .await;
    assert_eq!(p.status, StatusCode::OK);
    // Print works without JavaScript: a plain link to the PDF.
    assert!(p.body.contains(&format!(
        "<a id=\"print\" href=\"/certificates/{serial}/pdf\">"
    )));
    assert!(p.body.contains("<a class=\"back\" href=\"/\">"));
    assert!(p
        .body
        .contains("@media print { .toolbar { display: none; } }"));
    // With JavaScript, window.print(): the page's CSP allows exactly that script.
    let script = between(&p.body, "<script>", "</script>").expect("script");
    assert!(script.contains("window.print()"));
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script));
    assert!(
        p.body.contains(&format!("script-src 'sha256-{hash}'")),
        "the CSP names the script's hash {hash}"
    );
}
