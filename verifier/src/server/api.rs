//! The JSON API: single and batch verification, and the trust list in use.

use std::borrow::Cow;
use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde::{Deserialize, Serialize};
use sonod_keys::OfficeCode;
use sonod_serve::JsonContentType;
use time::OffsetDateTime;

use super::error::AppError;
use super::limit::Client;
use super::{AppState, BATCH_PATH, MAX_BATCH, MAX_BATCH_BODY, MAX_VERIFY_BODY};
use crate::service::rfc3339;
use crate::{Answer, Answers, VerdictJson, Verifier};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/verify", post(verify))
        .route(
            BATCH_PATH,
            post(verify_batch).layer(DefaultBodyLimit::max(MAX_BATCH_BODY)),
        )
        .route("/api/v1/trust", get(trust))
        .route("/api/v1/offices", get(offices))
        .route("/api/v1/offices/{office}/feed", get(office_feed))
        .route(
            "/api/v1/offices/{office}/status-list",
            get(office_status_list),
        )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyRequest<'a> {
    /// Borrowed from the body when it has no escapes (a QR text never needs one).
    #[serde(borrow)]
    payload: Cow<'a, str>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchRequest<'a> {
    /// Borrowed from the body, like [`VerifyRequest`]'s (through [`Payload`]: serde borrows a
    /// `Cow` only when the attribute is on it, not on a `Vec` of them).
    #[serde(borrow)]
    payloads: Vec<Payload<'a>>,
}

/// One payload of a batch, borrowed from the body when it has no escapes.
#[derive(Deserialize)]
#[serde(transparent)]
struct Payload<'a>(#[serde(borrow)] Cow<'a, str>);

impl AsRef<str> for Payload<'_> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Reads a JSON body, with problem+json for every way it can be wrong.
fn json_body<'a, T: Deserialize<'a>>(
    json: JsonContentType,
    body: &'a Result<Bytes, BytesRejection>,
    limit: usize,
) -> Result<T, AppError> {
    let body = body.as_ref().map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge(limit)
        } else {
            AppError::BadRequest(crate::l10n::both(
                "api-unreadable",
                &[("error", &r.to_string())],
            ))
        }
    })?;
    if !json.0 {
        return Err(AppError::UnsupportedMediaType);
    }
    serde_json::from_slice(body).map_err(|e| {
        AppError::BadRequest(crate::l10n::both(
            "api-invalid-json",
            &[("error", &e.to_string())],
        ))
    })
}

fn json_response(body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn verify(
    State(state): State<AppState>,
    json: JsonContentType,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    let req: VerifyRequest = json_body(json, &body, MAX_VERIFY_BODY)?;
    let answer = state.verifier().verify_one(&req.payload).await?;
    Ok(json_response(answer_body(state.verifier(), &answer)))
}

async fn verify_batch(
    State(state): State<AppState>,
    client: Option<Extension<Client>>,
    json: JsonContentType,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, AppError> {
    // Reading the body, up to a thousand signature checks and writing the answer: off the
    // async workers. The payloads are read in place from the body there.
    let s = state.clone();
    let (body, waiting) = tokio::task::spawn_blocking(move || {
        let state = s;
        let req: Result<BatchRequest, AppError> = json_body(json, &body, MAX_BATCH_BODY);
        let n = req.as_ref().map_or(0, |r| r.payloads.len());
        // A batch costs one per payload, charged here (not by the middleware) so that a
        // refusal can say how many fit now and when all of them will; one refused unread or
        // as too large costs one.
        let cost = if n > MAX_BATCH { 1 } else { n };
        if let Some(Extension(client)) = client {
            state
                .rate_limit()
                .take_batch(client, cost)
                .inspect_err(|_| state.metrics().rate_limited())?;
        }
        let req = req?;
        if n > MAX_BATCH {
            return Err(AppError::Unprocessable(crate::l10n::both(
                "api-batch-too-large",
                &[("max", &MAX_BATCH.to_string()), ("n", &n.to_string())],
            )));
        }
        let answers = state.verifier().verify_batch(&req.payloads)?;
        if answers.is_settled() {
            Ok((batch_body(state.verifier(), &answers), None))
        } else {
            Ok((Vec::new(), Some(answers)))
        }
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))??;
    let Some(mut answers) = waiting else {
        return Ok(json_response(body));
    };
    // Some certificates are signed with a trusted key but not yet in their office's feed: one
    // wait for all of them, then the answer.
    state.verifier().settle(&mut answers).await;
    let body = tokio::task::spawn_blocking(move || batch_body(state.verifier(), &answers))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(json_response(body))
}

async fn trust(State(state): State<AppState>) -> Result<Response, AppError> {
    let t = state.verifier().trust_state()?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        t.json().to_owned(),
    )
        .into_response())
}

#[derive(Serialize)]
struct OfficeJson {
    office: OfficeCode,
    position: u64,
    head: u64,
    synced_at: Option<String>,
    pages: usize,
    status_list_position: Option<u64>,
    /// The feed's chain hash at `position` (lower-case hex), when known: what the national
    /// authority pins when it marks a key of the office compromised.
    #[serde(skip_serializing_if = "Option::is_none")]
    chain: Option<String>,
}

/// The offices whose feeds this verifier replicates and mirrors.
async fn offices(State(state): State<AppState>) -> Response {
    let replica = state.replica();
    let list: Vec<OfficeJson> = replica
        .offices()
        .into_iter()
        .map(|(office, f)| OfficeJson {
            position: f.position,
            head: f.head,
            synced_at: f
                .synced_at()
                .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
                .map(rfc3339),
            pages: replica.mirror_pages(&office),
            status_list_position: replica.status_list(&office).map(|(p, _)| p),
            chain: replica
                .chain(&office)
                .map(|c| sonod_seal::feed::chain_hex(&c)),
            office,
        })
        .collect();
    let body = serde_json::to_vec(&serde_json::json!({
        "format": "sonod-mirror/1",
        "offices": list,
    }))
    .unwrap_or_default();
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

#[derive(Deserialize)]
struct After {
    #[serde(default)]
    after: u64,
}

/// The stored page holding the events after `after`, as the office signed it.
async fn office_feed(
    State(state): State<AppState>,
    Path(office): Path<String>,
    after: Result<Query<After>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, AppError> {
    // An office code by the one rule; anything else names no office.
    let office = OfficeCode::parse(&office).map_err(|_| AppError::NotFound)?;
    let Query(After { after }) = after.map_err(|e| {
        AppError::BadRequest(crate::l10n::both(
            "api-after-not-number",
            &[("error", &e.to_string())],
        ))
    })?;
    let page = state
        .replica()
        .page_from(&office, after)
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        page.bytes.to_vec(),
    )
        .into_response())
}

/// The office's last status list, as the office signed it.
async fn office_status_list(
    State(state): State<AppState>,
    Path(office): Path<String>,
) -> Result<Response, AppError> {
    // An office code by the one rule; anything else names no office.
    let office = OfficeCode::parse(&office).map_err(|_| AppError::NotFound)?;
    let (_, bytes) = state
        .replica()
        .status_list(&office)
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        bytes.to_vec(),
    )
        .into_response())
}

/// The verdict as the API answers it: [`crate::Verdict::to_json`]'s fields with `checked_at`
/// and the freshness of its office's feed, as JSON bytes.
fn answer_body(verifier: &Verifier, answer: &Answer) -> Vec<u8> {
    let body = AnswerJson {
        verdict: answer.json(),
        checked_at: rfc3339(answer.checked_at),
        freshness: answer
            .verdict
            .office
            .as_ref()
            .map(|o| verifier.freshness(&o.code, answer.checked_at)),
    };
    json_bytes(&body, ANSWER_SIZE)
}

/// The batch answer: results in order, the freshness of every office they name.
fn batch_body(verifier: &Verifier, batch: &Answers) -> Vec<u8> {
    let (answers, checked_at) = (&batch.answers, batch.checked_at);
    let mut freshness = BTreeMap::new();
    for o in answers.iter().filter_map(|a| a.verdict.office.as_ref()) {
        if !freshness.contains_key(o.code.as_str()) {
            freshness.insert(o.code.as_str(), verifier.freshness(&o.code, checked_at));
        }
    }
    let body = BatchJson {
        checked_at: rfc3339(checked_at),
        freshness,
        results: answers.iter().map(Answer::json).collect(),
    };
    json_bytes(&body, ANSWER_SIZE * answers.len() + 512)
}

/// About the size of one answer with the certificate's facts, in bytes.
const ANSWER_SIZE: usize = 2560;

/// `body` as JSON, written into a buffer with room for `capacity` bytes: growing one by
/// doubling up to the half megabyte of a batch's answer copied it over and over.
fn json_bytes<T: Serialize>(body: &T, capacity: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(capacity);
    match serde_json::to_writer(&mut out, body) {
        Ok(()) => out,
        // Only a serializer's own error (none of these types has one): an empty answer.
        Err(_) => Vec::new(),
    }
}

#[derive(Serialize)]
struct AnswerJson<'a> {
    #[serde(flatten)]
    verdict: VerdictJson<'a>,
    checked_at: String,
    freshness: Option<crate::Freshness>,
}

#[derive(Serialize)]
struct BatchJson<'a> {
    checked_at: String,
    freshness: BTreeMap<&'a str, crate::Freshness>,
    results: Vec<VerdictJson<'a>>,
}
