//! The JSON API: issue, read, revoke; the public feed and status list; audit; operations.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use qrcode::EcLevel;
use serde::Deserialize;
use serde_json::{json, Value};
use sonod_keys::today_dhaka;
use sonod_seal::feed::{FeedPageBody, RevocationReason, StatusListBody, FEED_FORMAT};

use super::auth::Caller;
use super::error::AppError;
use super::AppState;
use crate::accounts::Permission;
use crate::issue::record_from_json;
use crate::ledger::{now, MAX_IDEMPOTENCY_KEY};
use crate::qr_image::QrImage;
use crate::store::StoredCertificate;

/// Most events in a feed page.
pub const MAX_FEED_LIMIT: usize = 5_000;
/// Longest revocation note.
pub const MAX_NOTE_CHARS: usize = 500;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/certificates", post(issue))
        .route("/api/v1/certificates/{serial}", get(certificate))
        .route("/api/v1/certificates/{serial}/revoke", post(revoke))
        .route("/api/v1/certificates/{serial}/qr.png", get(qr_png))
        .route("/api/v1/certificates/{serial}/qr.svg", get(qr_svg))
        .route("/api/v1/feed", get(feed))
        .route("/api/v1/status-list", get(status_list))
        .route("/api/v1/audit", get(audit))
        .route("/api/v1/admin/reload-key", post(reload_key))
        .route("/api/v1/admin/backup", get(backup))
}

/// Refuses a body that is not JSON by its media type (415), as the verifier does.
fn require_json(headers: &HeaderMap) -> Result<(), AppError> {
    if sonod_serve::is_json(headers) {
        Ok(())
    } else {
        Err(AppError::UnsupportedMediaType)
    }
}

fn json_body<T: for<'de> Deserialize<'de>>(
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<T, AppError> {
    require_json(headers)?;
    serde_json::from_slice(body).map_err(|e| {
        AppError::BadRequest(crate::l10n::both(
            "api-invalid-json",
            &[("error", &e.to_string())],
        ))
    })
}

fn links(serial: u64) -> Value {
    json!({
        "self": format!("/api/v1/certificates/{serial}"),
        "qr_png": format!("/api/v1/certificates/{serial}/qr.png"),
        "qr_svg": format!("/api/v1/certificates/{serial}/qr.svg"),
        "print": format!("/certificates/{serial}/print"),
        "pdf": format!("/api/v1/certificates/{serial}/pdf"),
    })
}

pub(super) fn qr_text(state: &AppState, c: &StoredCertificate) -> String {
    sonod_seal::qr_text(&c.sealed, state.config().verifier_host.as_ref())
}

async fn issue(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let actor = caller.require_token(Permission::Issue)?.clone();
    let idem = match headers.get("idempotency-key") {
        None => None,
        Some(v) => {
            let k = v
                .to_str()
                .map_err(|_| AppError::BadRequest("Idempotency-Key must be ASCII".into()))?;
            if k.is_empty() || k.len() > MAX_IDEMPOTENCY_KEY {
                return Err(AppError::BadRequest(format!(
                    "Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} characters"
                )));
            }
            Some(k.to_owned())
        }
    };
    require_json(&headers)?;
    // From bytes to a valid record: syntax and shape errors are the client's malformed
    // request (400), a record that breaks its type's rules is 422. A missing `issued` is today.
    let text =
        std::str::from_utf8(&body).map_err(|_| AppError::BadRequest("body is not UTF-8".into()))?;
    let record = record_from_json(text, today_dhaka()).map_err(|e| match e {
        sonod_seal::RecordError::Json(_) => AppError::BadRequest(e.to_string()),
        other => AppError::Unprocessable(other.to_string()),
    })?;
    if *record.office() != state.config().office.code {
        return Err(AppError::Unprocessable(crate::l10n::both(
            "api-other-office",
            &[
                ("office", state.config().office.code.as_ref()),
                ("record_office", record.office().as_ref()),
            ],
        )));
    }
    let key = state.key();
    let ledger = state.ledger();
    let outcome = ledger.issue(&record, &key, &actor.name, idem.as_deref())?;
    ledger.issued_durable(&outcome).await?;
    if outcome.created {
        state.metrics().issued();
    }
    let c = &outcome.certificate;
    let number = sonod_seal::CertificateNumber::new(c.record.office(), c.serial);
    let body = json!({
        "serial": c.serial,
        "number": number.en(),
        "number_bn": number.bn(),
        "key_id": c.key_id,
        "qr_text": qr_text(&state, c),
        "links": links(c.serial),
    });
    let mut resp = (
        StatusCode::CREATED,
        [(
            header::LOCATION,
            format!("/api/v1/certificates/{}", c.serial),
        )],
        Json(body),
    )
        .into_response();
    if !outcome.created {
        resp.headers_mut().insert(
            "idempotent-replayed",
            header::HeaderValue::from_static("true"),
        );
    }
    Ok(resp)
}

fn stored(state: &AppState, serial: u64) -> Result<StoredCertificate, AppError> {
    state.ledger().store().get(serial)?.ok_or_else(|| {
        AppError::NotFound(crate::l10n::both(
            "api-no-certificate",
            &[("serial", &serial.to_string())],
        ))
    })
}

async fn certificate(
    State(state): State<AppState>,
    caller: Caller,
    Path(serial): Path<u64>,
) -> Result<Json<Value>, AppError> {
    caller.require(Permission::Print)?;
    let c = stored(&state, serial)?;
    let revocation = state.ledger().revocation(serial)?;
    let number = sonod_seal::CertificateNumber::new(c.record.office(), c.serial);
    Ok(Json(json!({
        "serial": c.serial,
        "number": number.en(),
        "number_bn": number.bn(),
        "key_id": c.key_id,
        "record": c.record,
        "qr_text": qr_text(&state, &c),
        "status": if revocation.is_some() { "revoked" } else { "issued" },
        "revocation": revocation.map(|r| json!({"at": r.at, "reason": r.reason, "by": r.by})),
        "links": links(serial),
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevokeBody {
    reason: RevocationReason,
    #[serde(default)]
    note: String,
}

async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path(serial): Path<u64>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, AppError> {
    let actor = caller.require_token(Permission::Revoke)?.clone();
    let b: RevokeBody = json_body(&headers, &body)?;
    if b.note.chars().count() > MAX_NOTE_CHARS || b.note.chars().any(char::is_control) {
        return Err(AppError::Unprocessable(format!(
            "note: at most {MAX_NOTE_CHARS} characters, no control characters"
        )));
    }
    let ledger = state.ledger();
    let outcome = ledger.revoke(serial, b.reason, b.note.trim(), &actor.name)?;
    ledger.revoked_durable(&outcome).await?;
    if outcome.created {
        state.metrics().revoked();
    }
    let r = &outcome.revocation;
    let (bn, en) = r.reason.labels();
    Ok(Json(json!({
        "serial": serial,
        "status": "revoked",
        "revoked_at": r.at,
        "reason": r.reason,
        "reason_bn": bn,
        "reason_en": en,
        "already_revoked": !outcome.created,
    })))
}

/// The certificate's QR code, as every page and image of it shows it.
pub(super) fn qr_image(state: &AppState, c: &StoredCertificate) -> Result<QrImage, AppError> {
    QrImage::new(&qr_text(state, c), EcLevel::M).map_err(|e| AppError::Internal(e.to_string()))
}

async fn qr_png(
    State(state): State<AppState>,
    caller: Caller,
    Path(serial): Path<u64>,
) -> Result<Response, AppError> {
    caller.require(Permission::Print)?;
    let png = qr_image(&state, &stored(&state, serial)?)?
        .png()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(image_response("image/png", png))
}

async fn qr_svg(
    State(state): State<AppState>,
    caller: Caller,
    Path(serial): Path<u64>,
) -> Result<Response, AppError> {
    caller.require(Permission::Print)?;
    let svg = qr_image(&state, &stored(&state, serial)?)?.svg();
    Ok(image_response("image/svg+xml", svg))
}

fn image_response(content_type: &'static str, body: impl IntoResponse) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        body,
    )
        .into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Page {
    #[serde(default)]
    after: u64,
    limit: Option<usize>,
}

async fn feed(State(state): State<AppState>, Query(p): Query<Page>) -> Result<Response, AppError> {
    let limit = p.limit.unwrap_or(1000).clamp(1, MAX_FEED_LIMIT);
    let ledger = state.ledger();
    let head = ledger.head();
    let events = ledger.events(p.after, limit)?;
    // The chain hashes at the page's two ends: the page commits to the history before it.
    let hex = |c: Option<[u8; 32]>| c.map(|c| sonod_seal::feed::chain_hex(&c));
    let ends = (
        ledger.chain_at(p.after)?,
        ledger.chain_at(p.after.saturating_add(events.len() as u64))?,
    );
    let (prev, chain) = match ends {
        (Some(p), Some(c)) => (hex(Some(p)), hex(Some(c))),
        _ => (None, None),
    };
    let page = FeedPageBody {
        format: FEED_FORMAT.into(),
        office: state.config().office.code.clone(),
        after: p.after,
        events,
        head,
        generated_at: now(),
        prev,
        chain,
    }
    .sign(state.key().secret());
    Ok(([(header::CACHE_CONTROL, "no-cache")], Json(page)).into_response())
}

async fn status_list(State(state): State<AppState>) -> Result<Response, AppError> {
    let ledger = state.ledger();
    // The position first: every revocation up to it is durable and so in the tree.
    let position = ledger.head();
    let max_serial = ledger.store().max_serial()?;
    let list = StatusListBody::new(
        &state.config().office.code,
        position,
        max_serial,
        ledger.revoked_serials(),
        now(),
    )
    .sign(state.key().secret());
    Ok(([(header::CACHE_CONTROL, "no-cache")], Json(list)).into_response())
}

async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Page>,
) -> Result<Json<Value>, AppError> {
    caller.require(Permission::ReadAudit)?;
    let limit = p.limit.unwrap_or(100).clamp(1, 1000);
    let entries = state.ledger().audit_entries(p.after, limit)?;
    Ok(Json(json!({ "after": p.after, "entries": entries })))
}

async fn reload_key(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, AppError> {
    let actor = caller.require_token(Permission::Operate)?.clone();
    let old = state.key().key_id();
    let new = state
        .reload_key()
        .map_err(|e| AppError::Unprocessable(e.to_string()))?;
    state
        .ledger()
        .audit(
            &actor.name,
            "key.reload",
            &new.to_string(),
            &format!("from={old}"),
        )
        .await?;
    Ok(Json(
        json!({ "key_id": new.to_string(), "previous_key_id": old.to_string() }),
    ))
}

async fn backup(State(state): State<AppState>, caller: Caller) -> Result<Response, AppError> {
    let actor = caller.require_token(Permission::Operate)?.clone();
    let ledger_state = state.clone();
    // Written to a temporary file under the write lock (a local disk is fast), then streamed
    // without holding it, so a slow client never holds up issuing.
    let (file, summary) = tokio::task::spawn_blocking(move || -> Result<_, AppError> {
        let mut tmp = tempfile::tempfile().map_err(|e| AppError::Internal(e.to_string()))?;
        let summary = ledger_state
            .ledger()
            .backup(&mut tmp)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        use std::io::Seek;
        tmp.rewind()
            .map_err(|e| AppError::Internal(e.to_string()))?;
        Ok((tmp, summary))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))??;
    state
        .ledger()
        .audit(
            &actor.name,
            "backup",
            "store",
            &format!("trees={} entries={}", summary.trees, summary.entries),
        )
        .await?;
    let stream = tokio_util::io::ReaderStream::new(tokio::fs::File::from_std(file));
    let name = format!(
        "attachment; filename=\"sonod-{}-{}.backup\"",
        state.config().office.code,
        now()
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (header::CONTENT_DISPOSITION, name),
        ],
        axum::body::Body::from_stream(stream),
    )
        .into_response())
}
