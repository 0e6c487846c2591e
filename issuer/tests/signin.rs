//! Signing in under attack and API tokens with a life, through the router: throttling, the
//! same work for unknown names, the bound on password hashing, token expiry and revocation,
//! the admins' token page and its CSRF check.

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use sonod_issuer::server::{csrf_token, AppState};
use sonod_issuer::{now, Role, SignInLimits, ThrottlePolicy};

mod common;
use common::{api_get, form_body, form_request, send, Page, PASSWORD};

struct Fixture {
    _dir: tempfile::TempDir,
    state: AppState,
    router: Router,
    /// Karim's (an operator's) API token.
    operator_token: String,
}

fn fixture_with(limits: SignInLimits) -> Fixture {
    let o = common::office()
        .users(
            &[("karim", Role::Operator), ("admin", Role::Admin)],
            PASSWORD,
        )
        .token("karim", "bank")
        .request_timeout(Duration::from_secs(30))
        .limits(limits)
        .build();
    let [operator_token] = <[String; 1]>::try_from(o.tokens).expect("a token");
    Fixture {
        _dir: o.dir,
        router: o.router,
        state: o.state,
        operator_token,
    }
}

fn fixture() -> Fixture {
    fixture_with(SignInLimits::default())
}

fn login_from(name: &str, password: &str, from: Option<[u8; 4]>) -> Request<Body> {
    let body = form_body(&[("name", name), ("password", password)]);
    form_request("/login", None, body, from)
}

fn login(name: &str, password: &str) -> Request<Body> {
    login_from(name, password, Some([192, 0, 2, 10]))
}

fn bearer(uri: &str, token: &str) -> Request<Body> {
    api_get(uri, Some(token))
}

fn session_of(a: &Page) -> String {
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    a.cookie()
}

/// A full session: password, then the second factor (enrolled now).
async fn sign_in(f: &Fixture, name: &str) -> String {
    common::enrol(&f.router, name, PASSWORD).await.cookie
}

fn audit_actions(f: &Fixture) -> Vec<(String, String, String)> {
    f.state
        .ledger()
        .audit_entries(0, 1000)
        .expect("audit")
        .into_iter()
        .map(|e| (e.action, e.target, e.detail))
        .collect()
}

/// Regression: 30 wrong passwords in a row, then the right one, all went through unhindered.
#[tokio::test]
async fn thirty_wrong_passwords_are_throttled_and_a_success_resets_the_account() {
    let f = fixture();
    for i in 1..=5 {
        let a = send(&f.router, login("karim", "wrong password!")).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let hashed = f.state.accounts().password_verifications();
    for _ in 6..=30 {
        let a = send(&f.router, login("karim", "wrong password!")).await;
        assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
        let wait: u64 = a.headers[header::RETRY_AFTER]
            .to_str()
            .expect("retry-after")
            .parse()
            .expect("seconds");
        assert!((1..=2).contains(&wait), "{wait}");
        // The form again, saying so in both languages.
        assert!(
            a.body.contains("অনেকবার চেষ্টা হয়েছে")
                && a.body
                    .contains(&format!("too many attempts, try again in {wait} s"))
                && a.body.contains(r#"<form method=post action="/login">"#),
            "{}",
            a.body
        );
    }
    // Refused at once: no password was checked for them.
    assert_eq!(f.state.accounts().password_verifications(), hashed);
    // The right password does not get past the wait either.
    let a = send(&f.router, login("karim", PASSWORD)).await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
    // Once the wait is over, it does, and the account starts afresh.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    sign_in(&f, "karim").await;
    for _ in 0..5 {
        let a = send(&f.router, login("karim", "wrong password!")).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    }
    // The audit log says when the delays began, once each time, not once per refusal.
    let throttled: Vec<_> = audit_actions(&f)
        .into_iter()
        .filter(|(action, _, _)| action == "login.throttled")
        .collect();
    assert_eq!(throttled.len(), 2, "{throttled:?}");
    assert_eq!(throttled[0].1, "karim");
    assert!(throttled[0].2.contains("by=account attempts=5 wait=2s"));
    assert_eq!(f.state.signin().stats().throttled, 26);
}

#[tokio::test]
async fn an_address_trying_many_names_is_throttled_and_other_addresses_are_not() {
    let f = fixture();
    let attacker = Some([198, 51, 100, 7]);
    for i in 0..20 {
        let a = send(&f.router, login_from(&format!("guess{i}"), "x", attacker)).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{i}");
    }
    let a = send(&f.router, login_from("guess20", "x", attacker)).await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(a.headers[header::RETRY_AFTER], "2");
    // The real official, from the office, is not held up.
    session_of(&send(&f.router, login("karim", PASSWORD)).await);
    let by_address: Vec<_> = audit_actions(&f)
        .into_iter()
        .filter(|(action, _, detail)| action == "login.throttled" && detail.contains("by=address"))
        .collect();
    assert_eq!(by_address.len(), 1, "{by_address:?}");
    assert!(by_address[0].2.contains("address=198.51.100.7"));
}

/// Regression: an unknown name was answered in 0.6 ms and a known one in 22.7 ms, so names
/// could be listed. Now each runs exactly one argon2 verification, and the answers are equal.
#[tokio::test]
async fn unknown_and_known_names_do_the_same_argon2_work() {
    let f = fixture();
    let accounts = f.state.accounts();
    let mut answers = Vec::new();
    for name in ["nobody", "karim", "admin", "x"] {
        let before = accounts.password_verifications();
        let a = send(&f.router, login(name, "wrong password!")).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{name}");
        assert_eq!(accounts.password_verifications(), before + 1, "{name}");
        answers.push(a.body);
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]));
    assert!(answers[0].contains("নাম বা পাসওয়ার্ড ভুল / wrong account or password"));
}

/// Regression: 400 concurrent wrong sign-ins queued 400 argon2 verifications (19 MiB each)
/// and took the issuer from 37 MiB to 1,455 MiB. Past the bound they are now refused at once.
#[tokio::test]
async fn sign_ins_past_the_queue_bound_are_refused_with_503_at_once() {
    let f = fixture_with(SignInLimits {
        concurrent: 1,
        queued: 1,
        account: ThrottlePolicy::ACCOUNT,
        address: ThrottlePolicy::ADDRESS,
    });
    let before = f.state.accounts().password_verifications();
    // Each from its own address and name, so that no throttle is involved.
    let flood = (0..40u8).map(|i| {
        let router = f.router.clone();
        async move {
            send(
                &router,
                login_from(&format!("user{i}"), "x", Some([10, 0, 0, i])),
            )
            .await
        }
    });
    let answers = futures_join_all(flood).await;
    let busy: Vec<_> = answers
        .iter()
        .filter(|a| a.status == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    let wrong = answers
        .iter()
        .filter(|a| a.status == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(busy.len() + wrong, 40);
    // At most two (one verifying, one waiting) get past admission while the first
    // verification runs; some tens of milliseconds is far longer than polling 40 requests.
    assert!(busy.len() >= 36, "{} refused", busy.len());
    for a in &busy {
        assert_eq!(a.headers[header::RETRY_AFTER], "1");
        assert!(a.body.contains(
            "সেবা এখন ব্যস্ত; ১ সেকেন্ড পরে আবার চেষ্টা করুন / the service is busy, try again in 1 s"
        ));
    }
    assert_eq!(
        f.state.accounts().password_verifications() - before,
        wrong as u64
    );
    assert_eq!(f.state.signin().stats().busy, busy.len() as u64);
    // The gates are open again afterwards.
    sign_in(&f, "karim").await;
}

/// `join_all` without the futures crate: spawn each on the runtime and collect in order.
async fn futures_join_all<F>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    // Polled together on this (current-thread) runtime: every request reaches admission
    // before any verification can end.
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        out.push(h.await.expect("task"));
    }
    out
}

/// Regression: tokens never expired and could not be revoked one by one.
#[tokio::test]
async fn an_expired_token_is_refused_with_a_clear_401() {
    let f = fixture();
    let accounts = f.state.accounts().clone();
    let state = f.state.clone();
    let short = tokio::task::spawn_blocking(move || {
        let now = now();
        accounts
            .create_token(state.ledger(), "cli:test", "karim", "short", now + 1, now)
            .expect("token")
            .secret
    })
    .await
    .expect("task");
    for token in [&short, &f.operator_token] {
        let a = send(&f.router, bearer("/api/v1/certificates/1", token)).await;
        assert_ne!(a.status, StatusCode::UNAUTHORIZED, "{}", a.body);
    }
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let a = send(&f.router, bearer("/api/v1/certificates/1", &short)).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(
        a.body.contains("টোকেনের মেয়াদ শেষ") && a.body.contains("the API token has expired"),
        "{}",
        a.body
    );
    // The other token, in date, still works.
    let a = send(
        &f.router,
        bearer("/api/v1/certificates/1", &f.operator_token),
    )
    .await;
    assert_ne!(a.status, StatusCode::UNAUTHORIZED, "{}", a.body);
    let a = send(
        &f.router,
        bearer("/api/v1/certificates/1", "sonod_nonsense"),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(a.body.contains("unknown API token"), "{}", a.body);
}

fn with_session(req: axum::http::request::Builder, session: &str) -> axum::http::request::Builder {
    req.header(header::COOKIE, session)
}

fn revoke_form(id: &str, session: Option<&str>, csrf: &str) -> Request<Body> {
    let uri = format!("/admin/tokens/{id}/revoke");
    form_request(&uri, session, format!("csrf={csrf}"), None)
}

#[tokio::test]
async fn admins_list_tokens_and_revoke_one_with_the_session_csrf_token() {
    let f = fixture();
    // In use before the revocation (and noted as used).
    let a = send(
        &f.router,
        bearer("/api/v1/certificates/1", &f.operator_token),
    )
    .await;
    assert_ne!(a.status, StatusCode::UNAUTHORIZED);
    let view = f.state.accounts().tokens().expect("tokens").remove(0);
    assert_eq!(view.label, "bank");
    assert!(view.last_used_at.is_some());

    // Not signed in: to the sign-in page. An operator: forbidden.
    let a = send(
        &f.router,
        Request::get("/admin/tokens")
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(a.headers[header::LOCATION], "/login");
    let operator = sign_in(&f, "karim").await;
    let page = |session: &str| {
        with_session(Request::get("/admin/tokens"), session)
            .body(Body::empty())
            .expect("req")
    };
    assert_eq!(
        send(&f.router, page(&operator)).await.status,
        StatusCode::FORBIDDEN
    );

    let admin = sign_in(&f, "admin").await;
    let a = send(&f.router, page(&admin)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let csrf = csrf_token(admin.split_once('=').expect("cookie").1);
    for want in [
        view.id.as_str(),
        "bank",
        "karim",
        "শেষ ব্যবহার / Last used",
        &format!(r#"name="csrf" value="{csrf}""#),
        &format!(r#"action="/admin/tokens/{}/revoke""#, view.id),
    ] {
        assert!(a.body.contains(want), "{want} missing from the page");
    }

    // Without the CSRF token, with another session's, or as an operator: refused, nothing
    // changes.
    let operator_csrf = csrf_token(operator.split_once('=').expect("cookie").1);
    for (session, token) in [
        (Some(admin.as_str()), ""),
        (Some(admin.as_str()), operator_csrf.as_str()),
        (None, csrf.as_str()),
        (Some(operator.as_str()), operator_csrf.as_str()),
    ] {
        let a = send(&f.router, revoke_form(&view.id, session, token)).await;
        assert!(
            matches!(a.status, StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED),
            "{:?} {}",
            a.status,
            a.body
        );
    }
    let a = send(
        &f.router,
        bearer("/api/v1/certificates/1", &f.operator_token),
    )
    .await;
    assert_ne!(a.status, StatusCode::UNAUTHORIZED);

    let a = send(&f.router, revoke_form(&view.id, Some(&admin), &csrf)).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    let back = a.headers[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    assert_eq!(back, format!("/admin/tokens?revoked={}", view.id));
    // Refused at once, cached or not, with a clear message.
    let a = send(
        &f.router,
        bearer("/api/v1/certificates/1", &f.operator_token),
    )
    .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(
        a.body
            .contains("টোকেনটি বাতিল করা হয়েছে / the API token was revoked"),
        "{}",
        a.body
    );
    let a = send(&f.router, page(&admin)).await;
    assert!(a.body.contains("revoked"));
    let a = send(
        &f.router,
        with_session(Request::get(&back), &admin)
            .body(Body::empty())
            .expect("req"),
    )
    .await;
    assert!(
        a.body
            .contains(&format!("টোকেন “bank” ({}) বাতিল হয়েছে", view.id)),
        "{}",
        a.body
    );
    // Recorded with the change, naming the admin.
    let revoked: Vec<_> = f
        .state
        .ledger()
        .audit_entries(0, 100)
        .expect("audit")
        .into_iter()
        .filter(|e| e.action == "token.revoke")
        .collect();
    assert_eq!(revoked.len(), 1);
    assert_eq!(
        (revoked[0].actor.as_str(), revoked[0].target.as_str()),
        ("admin", "karim")
    );
    assert!(revoked[0].detail.contains(&view.id));
}
