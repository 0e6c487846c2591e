//! Logs name route templates, never payloads or personal data. Alone in its test binary: a
//! thread-local `tracing` subscriber only sees everything when no other test runs beside it.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use sonod_verifier::server::app;

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn payloads_never_reach_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let f = Fixture::new();
    let state = f.state().await;
    let payload = b32(f.valid(31).as_bytes());
    let (s, _, _) = send(
        app(state.clone()),
        Request::get(format!("/V/{payload}"))
            .header("host", "verify.sonod.gov.bd")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    verify(app(state.clone()), &f.url(&f.valid(32))).await;
    let (s, _, _) = send(
        app(state.clone()),
        post_json("/api/v1/verify", &serde_json::json!({"payload": 7})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("/V/{payload}"),
        "the route template is logged: {logs}"
    );
    assert!(!logs.contains(&payload[..40]), "payload in logs: {logs}");
    assert!(!logs.contains("করিম"), "personal data in logs");
    assert!(!logs.contains(&b32(f.valid(32).as_bytes())[..40]));
}
