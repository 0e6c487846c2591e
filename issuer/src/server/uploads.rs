//! Slots for the application uploads: the apply form and the JSON API take bodies of up to
//! 12–14 MiB (the documents), from anyone. However many connections send one at once, at most
//! [`UPLOADS_PER_CORE`] a core are received or read at a time, so the uploads in memory stay
//! bounded (about 2 × 14 MiB a core, each copied at most twice while it is read); the rest
//! wait for a slot in their sockets up to [`SLOT_WAIT`], then are answered 503 with
//! `Retry-After` (a page for a browser, problem+json for the API: see `pages`). The slot is
//! taken before the body is read and given back once the handler has answered. The same
//! bound as the verifier's photo uploads (`docs/LIMITS.md`).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

use super::error::AppError;

/// Application uploads received or read at once, a core.
pub const UPLOADS_PER_CORE: usize = 2;
/// How long an upload waits for a slot before it is answered 503.
pub const SLOT_WAIT: Duration = Duration::from_secs(5);

/// The upload slots one router's apply routes share.
#[derive(Debug, Clone)]
pub struct UploadSlots {
    slots: Arc<Semaphore>,
    wait: Duration,
}

impl UploadSlots {
    /// [`UPLOADS_PER_CORE`] slots a core of this machine, each waited for up to [`SLOT_WAIT`].
    pub fn per_core() -> UploadSlots {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        UploadSlots::new(UPLOADS_PER_CORE * cores, SLOT_WAIT)
    }

    /// `slots` slots (at least one), each waited for up to `wait`.
    pub fn new(slots: usize, wait: Duration) -> UploadSlots {
        UploadSlots {
            slots: Arc::new(Semaphore::new(slots.max(1))),
            wait,
        }
    }
}

/// Middleware: holds a slot while the request's body is read and handled.
pub async fn hold(State(slots): State<UploadSlots>, req: Request, next: Next) -> Response {
    let Ok(Ok(_slot)) = tokio::time::timeout(slots.wait, slots.slots.acquire()).await else {
        let mut busy =
            AppError::Unavailable(crate::l10n::both("uploads-busy", &[])).into_response();
        busy.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("10"));
        return busy;
    };
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::{to_bytes, Body};
    use axum::http::StatusCode;
    use axum::routing::post;
    use axum::Router;
    use tower::ServiceExt;

    fn router(slots: &UploadSlots) -> Router {
        Router::new().route(
            "/up",
            post(|body: axum::body::Bytes| async move { body.len().to_string() })
                .layer(axum::middleware::from_fn_with_state(slots.clone(), hold)),
        )
    }

    fn upload() -> axum::http::Request<Body> {
        axum::http::Request::post("/up")
            .body(Body::from(vec![7u8; 1000]))
            .expect("request")
    }

    #[tokio::test]
    async fn an_upload_waits_for_a_slot_and_is_told_to_come_back_when_none_frees() {
        let slots = UploadSlots::new(1, Duration::from_millis(100));
        let app = router(&slots);
        // Every slot is taken (a slow upload in progress).
        let taken = slots.slots.clone().acquire_owned().await.expect("slot");
        let r = app.clone().oneshot(upload()).await.expect("answer");
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.headers()[header::RETRY_AFTER], "10");
        let body = to_bytes(r.into_body(), 1 << 16).await.expect("body");
        let body = String::from_utf8_lossy(&body);
        assert!(
            body.contains(&crate::l10n::bn("uploads-busy"))
                && body.contains(&crate::l10n::en("uploads-busy")),
            "bilingual: {body}"
        );
        // Once it is given back, the next upload is read and answered.
        drop(taken);
        let r = app.oneshot(upload()).await.expect("answer");
        assert_eq!(r.status(), StatusCode::OK);
        let body = to_bytes(r.into_body(), 1 << 16).await.expect("body");
        assert_eq!(&body[..], b"1000");
    }

    #[tokio::test]
    async fn a_slot_is_given_back_after_each_upload() {
        let slots = UploadSlots::new(2, Duration::from_millis(100));
        let app = router(&slots);
        for _ in 0..10 {
            let r = app.clone().oneshot(upload()).await.expect("answer");
            assert_eq!(r.status(), StatusCode::OK);
        }
        assert_eq!(slots.slots.available_permits(), 2);
    }
}
