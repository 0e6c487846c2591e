//! The shell around a service's routes: operations routes, problem+json, request ids, JSON by
//! media type, metrics by route template, the request timeout.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::Value;
use sonod_serve::{app, require_json, Metrics, Service, Shell, REQUEST_ID};
use tower::ServiceExt;

#[derive(Clone)]
struct Svc {
    metrics: Arc<Metrics>,
    unready: Arc<AtomicBool>,
}

impl Service for Svc {
    fn http_metrics(&self) -> &Metrics {
        &self.metrics
    }

    fn readiness_problems(&self) -> Vec<String> {
        if self.unready.load(Ordering::Relaxed) {
            vec!["one".into(), "two".into()]
        } else {
            Vec::new()
        }
    }
}

async fn echo(headers: HeaderMap, body: Bytes) -> axum::response::Response {
    match require_json(&headers) {
        Ok(()) => body.into_response(),
        Err(p) => p.into_response(),
    }
}

fn router(svc: &Svc) -> Router {
    let routes =
        Router::new()
            .route("/echo", post(echo))
            .route("/items/{id}", get(|| async { "item" }))
            .route(
                "/numbers/{n}",
                get(
                    |axum::extract::Path(n): axum::extract::Path<u32>| async move { n.to_string() },
                ),
            )
            .route(
                "/query",
                get(
                    |axum::extract::Query(q): axum::extract::Query<Numbered>| async move {
                        q.n.to_string()
                    },
                ),
            )
            .route(
                "/form",
                post(
                    |axum::extract::Form(f): axum::extract::Form<Numbered>| async move {
                        f.n.to_string()
                    },
                ),
            )
            .route(
                "/json",
                post(|axum::Json(j): axum::Json<Numbered>| async move { j.n.to_string() }),
            )
            .route(
                "/bytes",
                post(|b: Bytes| async move { b.len().to_string() }),
            )
            .route(
                "/plain-error",
                get(|| async { (StatusCode::CONFLICT, "taken") }),
            )
            .route(
                "/html-error",
                get(|| async {
                    (
                        StatusCode::BAD_REQUEST,
                        axum::response::Html("<p>ঠিক নেই</p>"),
                    )
                }),
            )
            .route(
                "/slow",
                get(|State(_): State<Svc>| async {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    "late"
                }),
            );
    let shell = Shell {
        openapi: r#"{"openapi":"3.1.0"}"#,
        body_limit: 1024,
        request_timeout: Duration::from_millis(200),
    };
    app(routes, svc.clone(), &shell)
}

#[derive(serde::Deserialize)]
struct Numbered {
    n: u32,
}

fn svc() -> Svc {
    Svc {
        metrics: Arc::new(Metrics::new("test", 0.001)),
        unready: Arc::new(AtomicBool::new(false)),
    }
}

async fn send(r: &Router, req: Request<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
    let resp = r.clone().oneshot(req).await.expect("response");
    let (parts, body) = resp.into_parts();
    let body = body.collect().await.expect("body").to_bytes().to_vec();
    (parts.status, parts.headers, body)
}

fn get_req(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).expect("request")
}

fn problem_of(status: StatusCode, h: &HeaderMap, b: &[u8], want: StatusCode) -> Value {
    assert_eq!(status, want, "{}", String::from_utf8_lossy(b));
    assert_eq!(h[header::CONTENT_TYPE], "application/problem+json");
    let v: Value = serde_json::from_slice(b).expect("problem json");
    assert_eq!(v["status"], want.as_u16());
    assert_eq!(v["type"], "about:blank");
    for member in ["title", "detail"] {
        let text = v[member].as_str().expect(member);
        let (bn, en) = text.split_once(" / ").expect("bilingual");
        assert!(!bn.is_ascii() && !en.is_empty(), "{text}");
    }
    v
}

#[tokio::test]
async fn operations_routes() {
    let s = svc();
    let r = router(&s);
    let (status, _, body) = send(&r, get_req("/healthz")).await;
    assert_eq!((status, body.as_slice()), (StatusCode::OK, &b"ok"[..]));
    let (status, _, body) = send(&r, get_req("/readyz")).await;
    assert_eq!((status, body.as_slice()), (StatusCode::OK, &b"ready"[..]));
    s.unready.store(true, Ordering::Relaxed);
    let (status, h, body) = send(&r, get_req("/readyz")).await;
    let v = problem_of(status, &h, &body, StatusCode::SERVICE_UNAVAILABLE);
    assert!(v["detail"]
        .as_str()
        .unwrap()
        .ends_with("not ready: one; two"));
    assert_eq!(v["problems"], serde_json::json!(["one", "two"]));
    let (status, h, body) = send(&r, get_req("/api/v1/openapi.json")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h[header::CONTENT_TYPE], "application/json");
    assert_eq!(body, br#"{"openapi":"3.1.0"}"#);

    // Path segments no metric value can contain (digits could: a timing's decimals).
    send(&r, get_req("/items/qzkxw")).await;
    send(&r, get_req("/nowhere/qzkyv")).await;
    let (status, h, body) = send(&r, get_req("/metrics")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(h[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("application/openmetrics-text"));
    let m = String::from_utf8(body).unwrap();
    assert!(
        m.contains(r#"test_http_requests_total{method="GET",route="/items/{id}",status="200"} 1"#),
        "{m}"
    );
    assert!(m.contains(r#"route="unmatched",status="404"} 1"#), "{m}");
    assert!(
        !m.contains("qzkxw") && !m.contains("qzkyv"),
        "no paths in metrics"
    );
}

#[tokio::test]
async fn unknown_paths_and_methods_are_problems() {
    let r = router(&svc());
    let (s, h, b) = send(&r, get_req("/nowhere")).await;
    problem_of(s, &h, &b, StatusCode::NOT_FOUND);
    let (s, h, b) = send(&r, get_req("/echo")).await;
    problem_of(s, &h, &b, StatusCode::METHOD_NOT_ALLOWED);
    for (name, value) in [
        ("referrer-policy", "no-referrer"),
        ("x-content-type-options", "nosniff"),
    ] {
        assert_eq!(h[name], value);
    }
}

#[tokio::test]
async fn json_is_checked_by_media_type() {
    let r = router(&svc());
    let post_with = |ct: &str| {
        Request::post("/echo")
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from("{}"))
            .unwrap()
    };
    for ok in ["application/json", "application/json; charset=utf-8"] {
        let (s, _, b) = send(&r, post_with(ok)).await;
        assert_eq!((s, b.as_slice()), (StatusCode::OK, &b"{}"[..]), "{ok}");
    }
    for refused in ["application/jsonx", "text/plain", "application/json-seq"] {
        let (s, h, b) = send(&r, post_with(refused)).await;
        problem_of(s, &h, &b, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }
}

#[tokio::test]
async fn request_ids_are_made_echoed_or_replaced() {
    let r = router(&svc());
    let (_, h1, _) = send(&r, get_req("/healthz")).await;
    let (_, h2, _) = send(&r, get_req("/healthz")).await;
    let (a, b) = (&h1[REQUEST_ID], &h2[REQUEST_ID]);
    assert!(!a.is_empty() && a != b, "{a:?} {b:?}");

    let with_id = |id: &str| {
        Request::get("/healthz")
            .header(REQUEST_ID, id)
            .body(Body::empty())
            .unwrap()
    };
    let (_, h, _) = send(&r, with_id("client-7f3a.1")).await;
    assert_eq!(h[REQUEST_ID], "client-7f3a.1");
    for unfit in ["has space", "<script>", &"a".repeat(65)] {
        let (_, h, _) = send(&r, with_id(unfit)).await;
        let id = h[REQUEST_ID].to_str().unwrap();
        assert!(id != unfit && !id.is_empty(), "{unfit}");
    }
    // Errors carry one too.
    let (_, h, _) = send(&r, get_req("/nowhere")).await;
    assert!(h.contains_key(REQUEST_ID));
}

#[tokio::test]
async fn slow_requests_and_large_bodies_are_problems() {
    let r = router(&svc());
    let (s, h, b) = send(&r, get_req("/slow")).await;
    problem_of(s, &h, &b, StatusCode::REQUEST_TIMEOUT);
    let big = Request::post("/echo")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(vec![b' '; 2048]))
        .unwrap();
    let (s, _, _) = send(&r, big).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn extractor_rejections_are_problems() {
    let r = router(&svc());
    // A bad path parameter.
    let (s, h, b) = send(&r, get_req("/numbers/x")).await;
    let v = problem_of(s, &h, &b, StatusCode::BAD_REQUEST);
    let detail = v["detail"].as_str().unwrap();
    assert!(detail.starts_with("অনুরোধটি ঠিক নেই / "), "{detail}");
    assert!(h.contains_key(REQUEST_ID));
    let (s, _, b) = send(&r, get_req("/numbers/7")).await;
    assert_eq!((s, b.as_slice()), (StatusCode::OK, b"7".as_slice()));
    // A bad query.
    for bad in ["/query", "/query?n=x", "/query?n=-1"] {
        let (s, h, b) = send(&r, get_req(bad)).await;
        problem_of(s, &h, &b, StatusCode::BAD_REQUEST);
    }
    // A bad form: the wrong content type, then the wrong fields.
    let form = |ct: &str, body: &'static str| {
        Request::post("/form")
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap()
    };
    let (s, h, b) = send(&r, form("text/plain", "n=1")).await;
    problem_of(s, &h, &b, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (s, h, b) = send(&r, form("application/x-www-form-urlencoded", "n=x")).await;
    problem_of(s, &h, &b, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _, _) = send(&r, form("application/x-www-form-urlencoded", "n=1")).await;
    assert_eq!(s, StatusCode::OK);
    // Bad JSON: not JSON, then the wrong shape.
    let json = |body: &'static str| {
        Request::post("/json")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap()
    };
    let (s, h, b) = send(&r, json("{")).await;
    problem_of(s, &h, &b, StatusCode::BAD_REQUEST);
    let (s, h, b) = send(&r, json(r#"{"n":"x"}"#)).await;
    problem_of(s, &h, &b, StatusCode::UNPROCESSABLE_ENTITY);
    // A body past the limit.
    let big = Request::post("/bytes")
        .body(Body::from(vec![b' '; 2048]))
        .unwrap();
    let (s, h, b) = send(&r, big).await;
    let v = problem_of(s, &h, &b, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(v["detail"]
        .as_str()
        .unwrap()
        .starts_with("অনুরোধ অনেক বড় / "));
    // A service's own plain-text error too; its HTML pages are left alone.
    let (s, h, b) = send(&r, get_req("/plain-error")).await;
    let v = problem_of(s, &h, &b, StatusCode::CONFLICT);
    assert_eq!(v["detail"], "সংঘাত / taken");
    let (s, h, b) = send(&r, get_req("/html-error")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(h[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert_eq!(b, "<p>ঠিক নেই</p>".as_bytes());
}
