//! Bulk issuing while the service runs (the command line's `bulk` cannot open the store the
//! service holds): the `/bulk` page (a form with a CSV or JSON Lines file) and
//! `POST /api/v1/bulk` (the file as the body), for officials whose role (and token) may issue.
//!
//! A file is refused whole, with nothing stored, when it is larger than
//! [`MAX_UPLOAD_BYTES`], has more than [`MAX_UPLOAD_RECORDS`] records or none, or cannot be
//! read at all. Otherwise every line is issued or refused on its own, and the answer (a table
//! of lines on the page, a list in the API) comes after every issued certificate is durable:
//! an issued line is stored whole (serial, seal, `issued` event), a refused one not at all.
//! The CSV columns and cell syntax are those of the command line (see
//! [`crate::sealing::bulk_input`]).

use askama::Template;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use sonod_keys::today_dhaka;

use super::auth::{csrf_ok, csrf_token, session_cookie, Caller};
use super::error::AppError;
use super::tokens::Chrome;
use super::AppState;
use crate::accounts::Permission;
use crate::sealing::bulk_input::{bulk_lines, BulkFormat};
use crate::storage::ledger::LedgerError;

/// Largest file taken (about two thousand certificates' records).
pub const MAX_UPLOAD_BYTES: usize = 2 * 1024 * 1024;
/// Most records in one file.
pub const MAX_UPLOAD_RECORDS: usize = 1_000;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/bulk", get(page).post(upload))
        .route("/api/v1/bulk", post(api))
        // The form's other fields and multipart framing on top of the file.
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES + 64 * 1024))
}

/// One line's outcome.
#[derive(Debug, Clone)]
pub struct LineResult {
    /// Its line number in the file.
    pub line: usize,
    /// The certificate issued, or why the line was refused.
    pub outcome: Result<Issued, String>,
}

/// A certificate issued from a line.
#[derive(Debug, Clone)]
pub struct Issued {
    /// Its serial.
    pub serial: u64,
    /// Its number as printed, Latin digits.
    pub number: String,
    /// The same in Bangla digits.
    pub number_bn: String,
}

/// Issues every record of `bytes`; see the module documentation. Runs on a blocking thread.
fn issue_all(
    state: &AppState,
    actor: &str,
    bytes: &[u8],
    format: BulkFormat,
) -> Result<Vec<LineResult>, AppError> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(AppError::TooLarge);
    }
    let lines = bulk_lines(bytes, format)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| AppError::Unprocessable(e.to_string()))?;
    if lines.is_empty() {
        return Err(AppError::Unprocessable(crate::l10n::both(
            "bulk-upload-empty",
            &[],
        )));
    }
    if lines.len() > MAX_UPLOAD_RECORDS {
        return Err(AppError::Unprocessable(crate::l10n::both(
            "bulk-upload-too-many",
            &[
                ("max", &MAX_UPLOAD_RECORDS.to_string()),
                ("got", &lines.len().to_string()),
            ],
        )));
    }
    let key = state.key();
    let ledger = state.ledger();
    let office = &state.config().office.code;
    let host = state.config().verifier_host.as_ref();
    let today = today_dhaka();
    let mut results = Vec::with_capacity(lines.len());
    let mut last = None;
    let mut failed: Option<String> = None;
    for (line, text) in lines {
        let outcome = (|| {
            if let Some(e) = &failed {
                return Err(e.clone());
            }
            let text = text?;
            let record = crate::issue::record_from_json(&text, today).map_err(|e| e.to_string())?;
            if record.office() != office {
                return Err(crate::l10n::both(
                    "api-other-office",
                    &[
                        ("office", office.as_ref()),
                        ("record_office", record.office().as_ref()),
                    ],
                ));
            }
            key.check(&record, today).map_err(|e| e.to_string())?;
            crate::issue::check_fits(&record, key.secret(), host, qrcode::EcLevel::M)
                .map_err(|e| e.to_string())?;
            match ledger.issue(&record, &key, actor, None) {
                Ok(o) => {
                    let c = &o.certificate;
                    let n = sonod_seal::CertificateNumber::new(c.record.office(), c.serial);
                    let issued = Issued {
                        serial: c.serial,
                        number: n.en(),
                        number_bn: n.bn(),
                    };
                    last = Some(o);
                    Ok(issued)
                }
                Err(e @ (LedgerError::Seal(_) | LedgerError::Refused(_))) => Err(e.to_string()),
                // The store failed: this line and the rest are refused; those issued before
                // are made durable below and reported.
                Err(e) => {
                    tracing::error!(error = %e, "bulk upload: the store failed");
                    let message = crate::l10n::both("bulk-upload-store-failed", &[]);
                    failed = Some(message.clone());
                    Err(message)
                }
            }
        })();
        results.push(LineResult { line, outcome });
    }
    // Tickets name generations in order: the last one's barrier covers every line.
    if let Some(o) = &last {
        ledger.issued_durable_blocking(o)?;
    }
    let issued = results.iter().filter(|r| r.outcome.is_ok()).count();
    for _ in 0..issued {
        state.metrics().issued();
    }
    Ok(results)
}

async fn run(
    state: &AppState,
    actor: String,
    bytes: Bytes,
    format: BulkFormat,
) -> Result<Vec<LineResult>, AppError> {
    let st = state.clone();
    tokio::task::spawn_blocking(move || issue_all(&st, &actor, &bytes, format))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
}

#[derive(Deserialize)]
struct FormatQuery {
    format: Option<String>,
}

/// `POST /api/v1/bulk`: the file as the body, `text/csv` or JSON Lines
/// (`application/jsonl`, `application/x-ndjson`), or `?format=csv|jsonl`.
async fn api(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Query(q): Query<FormatQuery>,
    body: Bytes,
) -> Result<Response, AppError> {
    let actor = caller.require_token(Permission::Issue)?.name.clone();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let format = match q.format.as_deref() {
        Some("csv") => BulkFormat::Csv,
        Some("jsonl") => BulkFormat::JsonLines,
        Some(_) => {
            return Err(AppError::BadRequest(crate::l10n::both(
                "bulk-upload-format",
                &[],
            )))
        }
        None if content_type.starts_with("text/csv") => BulkFormat::Csv,
        None if content_type.contains("jsonl") || content_type.contains("ndjson") => {
            BulkFormat::JsonLines
        }
        None => {
            return Err(AppError::BadRequest(crate::l10n::both(
                "bulk-upload-format",
                &[],
            )))
        }
    };
    let results = run(&state, actor, body, format).await?;
    let issued = results.iter().filter(|r| r.outcome.is_ok()).count();
    let lines: Vec<_> = results
        .iter()
        .map(|r| match &r.outcome {
            Ok(i) => json!({"line": r.line, "serial": i.serial, "number": i.number,
                "number_bn": i.number_bn, "print": format!("/certificates/{}/print", i.serial)}),
            Err(e) => json!({"line": r.line, "refused": e}),
        })
        .collect();
    Ok((
        StatusCode::OK,
        Json(json!({"issued": issued, "refused": results.len() - issued, "lines": lines})),
    )
        .into_response())
}

struct Row {
    line: String,
    serial: Option<u64>,
    number_bn: String,
    number: String,
    error: String,
}

/// `/bulk`: the upload form, and after an upload the table of its lines.
#[derive(Template)]
#[template(path = "bulk.html")]
struct BulkPage {
    chrome: Chrome,
    csrf: String,
    intro_bn: String,
    intro_en: String,
    error: Option<String>,
    summary: Option<String>,
    rows: Vec<Row>,
}

fn session_id(headers: &HeaderMap) -> Option<String> {
    let (mut parts, ()) = axum::http::Request::new(()).into_parts();
    parts.headers = headers.clone();
    session_cookie(&parts).map(str::to_owned)
}

fn render(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    status: StatusCode,
    error: Option<String>,
    results: Vec<LineResult>,
) -> Response {
    let issued = results.iter().filter(|r| r.outcome.is_ok()).count();
    let refused = results.len() - issued;
    let summary = (!results.is_empty()).then(|| {
        crate::l10n::both(
            "bulk-upload-summary",
            &[
                ("issued", &issued.to_string()),
                ("refused", &refused.to_string()),
            ],
        )
    });
    let rows = results
        .into_iter()
        .map(|r| {
            let line = sonod_seal::bangla_digits(&r.line.to_string());
            match r.outcome {
                Ok(i) => Row {
                    line,
                    serial: Some(i.serial),
                    number_bn: i.number_bn,
                    number: i.number,
                    error: String::new(),
                },
                Err(e) => Row {
                    line,
                    serial: None,
                    number_bn: String::new(),
                    number: String::new(),
                    error: e,
                },
            }
        })
        .collect();
    let (max, kib) = (
        MAX_UPLOAD_RECORDS.to_string(),
        (MAX_UPLOAD_BYTES / 1024).to_string(),
    );
    let page = BulkPage {
        chrome: Chrome::new(state, crate::l10n::both("nav-bulk", &[]), caller),
        csrf: session_id(headers)
            .map(|id| csrf_token(&id))
            .unwrap_or_default(),
        intro_bn: crate::l10n::bn_args("bulk-upload-intro", &[("max", &max), ("kib", &kib)]),
        intro_en: crate::l10n::en_args("bulk-upload-intro", &[("max", &max), ("kib", &kib)]),
        error,
        summary,
        rows,
    };
    (
        status,
        [(header::CACHE_CONTROL, "private, no-store")],
        Html(page.render().unwrap_or_default()),
    )
        .into_response()
}

async fn page(
    State(state): State<AppState>,
    caller: Option<Caller>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let Some(caller) = caller else {
        return Ok(Redirect::to("/login").into_response());
    };
    caller.require(Permission::Issue)?;
    Ok(render(
        &state,
        &caller,
        &headers,
        StatusCode::OK,
        None,
        Vec::new(),
    ))
}

async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    mut form: Multipart,
) -> Result<Response, AppError> {
    let actor = caller.require(Permission::Issue)?.name.clone();
    let session = session_id(&headers).filter(|_| caller.by_session);
    let (mut csrf, mut file, mut name) = (String::new(), None, String::new());
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(e.body_text()))?
    {
        match field.name() {
            Some("csrf") => {
                csrf = field
                    .text()
                    .await
                    .map_err(|e| AppError::BadRequest(e.body_text()))?
            }
            Some("file") => {
                name = field.file_name().unwrap_or("").to_owned();
                file = Some(
                    field
                        .bytes()
                        .await
                        .map_err(|e| AppError::BadRequest(e.body_text()))?,
                );
            }
            _ => {}
        }
    }
    if !session.is_some_and(|s| csrf_ok(&s, &csrf)) {
        return Err(AppError::Csrf);
    }
    let Some(bytes) = file.filter(|b| !b.is_empty()) else {
        let e = crate::l10n::both("bulk-upload-no-file", &[]);
        return Ok(render(
            &state,
            &caller,
            &headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(e),
            Vec::new(),
        ));
    };
    let format = BulkFormat::of_name(&name);
    match run(&state, actor, bytes, format).await {
        Ok(results) => Ok(render(
            &state,
            &caller,
            &headers,
            StatusCode::OK,
            None,
            results,
        )),
        Err(e @ (AppError::Unprocessable(_) | AppError::TooLarge | AppError::BadRequest(_))) => {
            let status = match e {
                AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            Ok(render(
                &state,
                &caller,
                &headers,
                status,
                Some(e.to_string()),
                Vec::new(),
            ))
        }
        Err(e) => Err(e),
    }
}
