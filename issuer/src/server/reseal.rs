//! Re-sealing after a key compromise (issue #15), while the service runs: `POST
//! /api/v1/admin/reseal {"compromised": "<key id>"}` re-seals every unrevoked certificate the
//! compromised key signed with the key the service signs with now (load it first with
//! `POST /api/v1/admin/reload-key`), same serials, and publishes each as `resealed` in the
//! feed. Issuing goes on meanwhile (see `Ledger::reseal`).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use sonod_keys::KeyId;

use super::auth::Caller;
use super::error::AppError;
use super::AppState;
use crate::accounts::Permission;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/api/v1/admin/reseal", post(reseal))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResealBody {
    /// The compromised key's id.
    compromised: KeyId,
}

async fn reseal(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, AppError> {
    let actor = caller.require_token(Permission::Operate)?.clone();
    if !sonod_serve::is_json(&headers) {
        return Err(AppError::UnsupportedMediaType);
    }
    let b: ResealBody = serde_json::from_slice(&body).map_err(|e| {
        AppError::BadRequest(crate::l10n::both(
            "reseal-route-invalid-body",
            &[("error", &e.to_string())],
        ))
    })?;
    let key = state.key();
    if key.key_id() == b.compromised {
        return Err(AppError::Unprocessable(crate::l10n::both(
            "reseal-route-same-key",
            &[("key", &b.compromised.to_string())],
        )));
    }
    let started = std::time::Instant::now();
    let ledger_state = state.clone();
    let name = actor.name.clone();
    let count = tokio::task::spawn_blocking(move || {
        ledger_state
            .ledger()
            .reseal(&b.compromised, key.secret(), &name)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))??;
    Ok(Json(json!({
        "resealed": count,
        "compromised": b.compromised.to_string(),
        "key_id": state.key().key_id().to_string(),
        "seconds": started.elapsed().as_secs_f64(),
    })))
}
