//! The review: the queue of applications in review (`/review`, `GET /api/v1/review`), one
//! application's page for officials (`/applications/{id}`, `GET /api/v1/applications/{id}`)
//! and the decisions on it — approve, reject, send back, mark paid — as forms (session and
//! CSRF token) and as JSON (`POST /api/v1/applications/{id}/{approve,reject,send-back,pay}`,
//! API tokens).
//!
//! Every decision goes through [`crate::applications::review::decide`] inside
//! [`crate::storage::ledger::Ledger::change_application`], and is answered only once durable.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use serde::Deserialize;
use serde_json::{json, Value as Json_};
use sonod_keys::today_dhaka;
use sonod_seal::{bangla_digits, cert_type_by_key};

use super::auth::{csrf_ok, csrf_token, session_cookie, Caller};
use super::error::AppError;
use super::tokens::Chrome;
use super::AppState;
use crate::accounts::{dhaka_time, Permission, Role};
use crate::applications::review::{decide, record_of, Context, Decision, Official, Refusal};
use crate::applications::{parse_tracking, tracking, Action, Application, Status};
use crate::storage::ledger::{now, ApplicationOutcome, ChangeError};

/// Applications on one page of the queue.
pub const PAGE: usize = 50;
/// Most applications one API request may ask for.
pub const MAX_PAGE: usize = 500;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/review", get(queue_page))
        .route("/api/v1/review", get(queue_api))
        .route("/applications/{id}", get(application_page))
        .route("/api/v1/applications/{id}", get(application_api))
        .route("/applications/{id}/{action}", post(act_form))
        .route("/api/v1/applications/{id}/{action}", post(act_api))
}

/// The page chrome (the shared layout's header and the nav for the caller's role).
pub(super) fn chrome(state: &AppState, title: String, caller: &Caller) -> Chrome {
    Chrome::new(state, title, caller)
}

/// The session's CSRF token for forms ("" for a bearer token, which posts no forms).
pub(super) fn csrf_of(caller: &Caller, headers: &HeaderMap) -> String {
    session_id(headers)
        .filter(|_| caller.by_session)
        .map(|id| csrf_token(&id))
        .unwrap_or_default()
}

fn session_id(headers: &HeaderMap) -> Option<String> {
    let (mut parts, ()) = axum::http::Request::new(()).into_parts();
    parts.headers = headers.clone();
    session_cookie(&parts).map(str::to_owned)
}

/// Refuses a form that does not carry its session's CSRF token.
pub(super) fn check_csrf(
    caller: &Caller,
    headers: &HeaderMap,
    given: &str,
) -> Result<(), AppError> {
    let session = session_id(headers).filter(|_| caller.by_session);
    if session.is_some_and(|s| csrf_ok(&s, given)) {
        Ok(())
    } else {
        Err(AppError::Csrf)
    }
}

/// A rendered page, not cached.
pub(super) fn page(t: &impl Template) -> Result<Response, AppError> {
    let html = t.render().map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(([(header::CACHE_CONTROL, "private, no-store")], Html(html)).into_response())
}

/// The official behind a caller, with their wards.
pub(super) fn official(state: &AppState, caller: &Caller) -> Result<Official, AppError> {
    let wards = state
        .accounts()
        .user(&caller.actor.name)?
        .map(|u| u.wards)
        .unwrap_or_default();
    Ok(Official {
        name: caller.actor.name.clone(),
        role: caller.actor.role,
        wards,
    })
}

fn refusal_error(r: Refusal) -> AppError {
    match r {
        Refusal::NotFound(_) => AppError::NotFound(r.to_string()),
        Refusal::NotAllowed => AppError::Forbidden,
        // The role may decide, not on this ward: say so (not "your role does not allow this").
        Refusal::OtherWard(_) => AppError::NotYours(r.to_string()),
        Refusal::BadNote | Refusal::BadReceipt | Refusal::BadRecord(_) | Refusal::NoFee => {
            AppError::Unprocessable(r.to_string())
        }
        _ => AppError::Conflict(r.to_string()),
    }
}

/// Why an action was not taken: refused by the rule (nothing written), or the service failed.
enum ActError {
    Refused(Refusal),
    App(AppError),
}

impl From<AppError> for ActError {
    fn from(e: AppError) -> ActError {
        ActError::App(e)
    }
}

/// Decides `decision` on application `id` by `who` and waits until it is durable.
async fn act(
    state: &AppState,
    who: &Official,
    id: u64,
    decision: &Decision,
) -> Result<ApplicationOutcome, ActError> {
    let settings = state.settings().get();
    let key = state.key();
    let ledger = state.ledger();
    let guard = state.rate_guard();
    let office = state.config().office.code.clone();
    let today = today_dhaka();
    let result = ledger.change_application(Some(id), &who.name, Some(&key), |current, id| {
        let now = now();
        let hold = (*decision == Decision::Approve)
            .then(|| guard.check(&who.name, now, &settings.limits))
            .flatten();
        let cx = Context {
            settings: &settings,
            office: &office,
            today,
            now,
            hold,
        };
        let change = decide(current, id, who, decision, &cx)?;
        if crate::applications::review::APPROVAL_ACTIONS.contains(&change.action) {
            guard.note(&who.name, now);
        }
        Ok(change)
    });
    let outcome = match result {
        Ok(o) => o,
        Err(ChangeError::Refused(r)) => return Err(ActError::Refused(r)),
        Err(ChangeError::Ledger(e)) => return Err(ActError::App(e.into())),
    };
    ledger
        .application_durable(&outcome)
        .await
        .map_err(AppError::from)?;
    if outcome.certificate.is_some() {
        state.metrics().issued();
    }
    Ok(outcome)
}

fn parse_action(action: &str, f: &ActBody) -> Result<Decision, AppError> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    Ok(match action {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject {
            reason: text(&f.reason),
        },
        "send-back" => Decision::SendBack {
            note: text(&f.note),
        },
        "pay" => Decision::Pay {
            receipt: text(&f.receipt),
        },
        _ => {
            return Err(AppError::NotFound(crate::l10n::both(
                "review-no-action",
                &[],
            )))
        }
    })
}

/// A decision's form or JSON body.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActBody {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    receipt: Option<String>,
}

fn permission_for(d: &Decision) -> Permission {
    match d {
        Decision::Pay { .. } => Permission::Print,
        _ => Permission::Issue,
    }
}

async fn act_form(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path((id, action)): Path<(u64, String)>,
    Form(f): Form<ActBody>,
) -> Result<Response, AppError> {
    check_csrf(&caller, &headers, &f.csrf)?;
    let decision = parse_action(&action, &f)?;
    caller.require(permission_for(&decision))?;
    let who = official(&state, &caller)?;
    match act(&state, &who, id, &decision).await {
        Ok(_) => Ok((
            StatusCode::SEE_OTHER,
            [(
                header::LOCATION,
                format!("/applications/{id}?done={action}"),
            )],
        )
            .into_response()),
        Err(ActError::App(e)) => Err(e),
        Err(ActError::Refused(r)) => {
            let status = match &r {
                Refusal::NotFound(_) => StatusCode::NOT_FOUND,
                Refusal::NotAllowed | Refusal::OtherWard(_) => StatusCode::FORBIDDEN,
                Refusal::BadNote | Refusal::BadReceipt | Refusal::BadRecord(_) | Refusal::NoFee => {
                    StatusCode::UNPROCESSABLE_ENTITY
                }
                _ => StatusCode::CONFLICT,
            };
            let Some(a) = state.ledger().application(id)? else {
                return Err(refusal_error(r));
            };
            if !who.may_see(a.ward) {
                return Err(refusal_error(r));
            }
            let mut resp = render_application(
                &state,
                &caller,
                &headers,
                &who,
                &a,
                None,
                Some(r.to_string()),
                &f,
            )?;
            *resp.status_mut() = status;
            Ok(resp)
        }
    }
}

async fn act_api(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path((id, action)): Path<(u64, String)>,
    body: Bytes,
) -> Result<Json<Json_>, AppError> {
    let f: ActBody = if body.is_empty() {
        ActBody::default()
    } else {
        if !sonod_serve::is_json(&headers) {
            return Err(AppError::UnsupportedMediaType);
        }
        serde_json::from_slice(&body).map_err(|e| {
            AppError::BadRequest(crate::l10n::both(
                "api-invalid-json",
                &[("error", &e.to_string())],
            ))
        })?
    };
    let decision = parse_action(&action, &f)?;
    caller.require_token(permission_for(&decision))?;
    let who = official(&state, &caller)?;
    match act(&state, &who, id, &decision).await {
        Ok(o) => Ok(Json(application_json(&state, &o.application))),
        Err(ActError::App(e)) => Err(e),
        Err(ActError::Refused(r)) => Err(refusal_error(r)),
    }
}

/// The application as JSON for officials.
fn application_json(state: &AppState, a: &Application) -> Json_ {
    let mut v = serde_json::to_value(a).unwrap_or_default();
    v["tracking"] = json!(tracking(a.id));
    if let Some(serial) = a.serial {
        let number = sonod_seal::CertificateNumber::new(&state.config().office.code, serial);
        v["certificate"] = json!({
            "serial": serial,
            "number": number.en(),
            "number_bn": number.bn(),
            "print": format!("/certificates/{serial}/print"),
            "pdf": format!("/api/v1/certificates/{serial}/pdf"),
        });
    }
    let fee = state.settings().get().type_settings(&a.cert_type).fee_taka;
    v["fee_taka"] = json!(fee);
    v
}

// ----- the queue -----

#[derive(Debug, Deserialize)]
struct QueueQuery {
    #[serde(default)]
    ward: Option<String>,
    #[serde(default)]
    after: Option<String>,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    find: Option<String>,
}

/// `3-42` → ward 3, application 42 (the last of the previous page).
fn parse_cursor(s: &str) -> Option<(u16, u64)> {
    let (w, id) = s.split_once('-')?;
    Some((w.parse().ok()?, id.parse().ok()?))
}

/// One application in the queue.
struct QueueRow {
    id: u64,
    tracking_bn: String,
    tracking: String,
    type_bn: &'static str,
    type_en: &'static str,
    name: String,
    ward_bn: String,
    status: &'static str,
    status_bn: String,
    status_en: String,
    submitted: String,
    paid: Option<bool>,
    held: bool,
}

struct WardCount {
    ward: u16,
    ward_bn: String,
    count_bn: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "review.html", escape = "sonod")]
struct QueuePage {
    chrome: Chrome,
    counts: Vec<WardCount>,
    in_review: (String, String),
    ward: Option<u16>,
    rows: Vec<QueueRow>,
    next: Option<String>,
    error: Option<String>,
}

struct Queue {
    counts: Vec<(u16, u64)>,
    rows: Vec<Application>,
    next: Option<(u16, u64)>,
    ward: Option<u16>,
}

fn read_queue(state: &AppState, who: &Official, q: &QueueQuery) -> Result<Queue, AppError> {
    if !matches!(who.role, Role::Chairman | Role::Councillor | Role::Operator) {
        return Err(AppError::Forbidden);
    }
    let ward = match q.ward.as_deref().filter(|w| !w.is_empty()) {
        Some(w) => {
            let w: u16 = crate::applications::review::latin(w.trim())
                .parse()
                .ok()
                .ok_or_else(|| AppError::BadRequest(crate::l10n::both("review-bad-ward", &[])))?;
            if !who.may_see(w) {
                // The role may see queues, not this ward's: say so.
                return Err(AppError::NotYours(crate::l10n::both(
                    "review-queue-other-ward",
                    &[("ward", &w.to_string())],
                )));
            }
            Some(w)
        }
        None => None,
    };
    let after = match q.after.as_deref().filter(|a| !a.is_empty()) {
        Some(a) => Some(
            parse_cursor(a)
                .ok_or_else(|| AppError::BadRequest(crate::l10n::both("review-bad-cursor", &[])))?,
        ),
        None => None,
    };
    let limit = q.limit.unwrap_or(PAGE).clamp(1, MAX_PAGE);
    let one;
    let wards = match (ward, who.queue_wards()) {
        (Some(w), _) => {
            one = [w];
            Some(&one[..])
        }
        (None, w) => w,
    };
    let ledger = state.ledger();
    // A councillor the admin has given no ward yet has an empty queue (not the whole index).
    let rows: Vec<Application> = if wards.is_some_and(<[u16]>::is_empty) {
        Vec::new()
    } else {
        ledger.applications_in_review(wards, after, limit)?
    };
    let next = (rows.len() == limit)
        .then(|| rows.last().map(|a| (a.ward, a.id)))
        .flatten();
    let rows = rows.into_iter().filter(|a| a.status.in_review()).collect();
    let counts = ledger
        .review_counts()?
        .into_iter()
        .filter(|(w, _)| who.may_see(*w))
        .collect();
    Ok(Queue {
        counts,
        rows,
        next,
        ward,
    })
}

fn status_words(s: Status) -> (String, String) {
    let id = format!("review-status-{}", s.as_str());
    (crate::l10n::bn(&id), crate::l10n::en(&id))
}

fn name_of(a: &Application) -> String {
    a.fields
        .get("name")
        .or_else(|| a.fields.get("deceased"))
        .or_else(|| a.fields.get("business_name"))
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_owned()
}

async fn queue_page(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Query(q): Query<QueueQuery>,
) -> Result<Response, AppError> {
    let Some(caller) = caller else {
        return Ok(Redirect::to("/login").into_response());
    };
    let who = official(&state, &caller)?;
    let mut error = None;
    if let Some(find) = q.find.as_deref().filter(|f| !f.trim().is_empty()) {
        match parse_tracking(find) {
            Some(id) => return Ok(Redirect::to(&format!("/applications/{id}")).into_response()),
            None => error = Some(crate::l10n::both("review-bad-tracking", &[])),
        }
    }
    let queue = read_queue(&state, &who, &q)?;
    let settings = state.settings().get();
    let total: u64 = queue.counts.iter().map(|(_, n)| n).sum();
    let rows = queue
        .rows
        .iter()
        .map(|a| {
            let t = cert_type_by_key(&a.cert_type);
            let (status_bn, status_en) = status_words(a.status);
            let fee = settings.type_settings(&a.cert_type).fee_taka;
            QueueRow {
                id: a.id,
                tracking_bn: bangla_digits(&tracking(a.id)),
                tracking: tracking(a.id),
                type_bn: t.map_or("", |t| t.name_bn),
                type_en: t.map_or("", |t| t.name_en),
                name: name_of(a),
                ward_bn: bangla_digits(&a.ward.to_string()),
                status: a.status.as_str(),
                status_bn,
                status_en,
                submitted: bangla_digits(&dhaka_time(a.created_at)),
                paid: (fee > 0).then_some(a.payment.is_some()),
                held: a.held,
            }
        })
        .collect();
    page(&QueuePage {
        chrome: chrome(&state, crate::l10n::both("review-title", &[]), &caller),
        counts: queue
            .counts
            .iter()
            .map(|&(w, n)| WardCount {
                ward: w,
                ward_bn: bangla_digits(&w.to_string()),
                count_bn: bangla_digits(&n.to_string()),
                current: queue.ward == Some(w),
            })
            .collect(),
        in_review: (
            crate::l10n::bn_args("review-in-review", &[("count", &total.to_string())]),
            crate::l10n::en_args("review-in-review", &[("count", &total.to_string())]),
        ),
        ward: queue.ward,
        rows,
        next: queue.next.map(|(w, id)| format!("{w}-{id}")),
        error,
    })
}

async fn queue_api(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<QueueQuery>,
) -> Result<Json<Json_>, AppError> {
    let who = official(&state, &caller)?;
    let queue = read_queue(&state, &who, &q)?;
    Ok(Json(json!({
        "counts": queue.counts.iter().map(|(w, n)| json!({"ward": w, "in_review": n})).collect::<Vec<_>>(),
        "applications": queue.rows.iter().map(|a| json!({
            "id": a.id,
            "tracking": tracking(a.id),
            "type": a.cert_type,
            "ward": a.ward,
            "status": a.status,
            "held": a.held,
            "paid": a.payment.is_some(),
            "created_at": a.created_at,
            "links": {"self": format!("/api/v1/applications/{}", a.id), "page": format!("/applications/{}", a.id)},
        })).collect::<Vec<_>>(),
        "next": queue.next.map(|(w, id)| format!("{w}-{id}")),
    })))
}

// ----- one application -----

struct Fact {
    label_bn: String,
    label_en: String,
    value: String,
}

struct Doc {
    href: String,
    label: String,
    kind: String,
    size_bn: String,
}

struct Hist {
    at: String,
    by: String,
    action_bn: String,
    action_en: String,
    note: String,
}

#[derive(Template)]
#[template(path = "application.html", escape = "sonod")]
struct ApplicationPage {
    chrome: Chrome,
    csrf: String,
    id: u64,
    tracking_bn: String,
    tracking: String,
    type_bn: &'static str,
    type_en: &'static str,
    ward_bn: String,
    status: &'static str,
    status_bn: String,
    status_en: String,
    held: bool,
    entered_by: Option<String>,
    facts: Vec<Fact>,
    extra: Vec<Fact>,
    documents: Vec<Doc>,
    fee: Option<(String, String)>,
    payment: Option<String>,
    approvals: Vec<String>,
    history: Vec<Hist>,
    certificate: Option<(u64, String)>,
    notice: Option<String>,
    error: Option<String>,
    may_decide: bool,
    may_pay: bool,
    needs_payment: bool,
    reason: String,
    note: String,
    receipt: String,
}

fn json_text(v: &Json_) -> String {
    match v {
        Json_::String(s) => s.clone(),
        Json_::Array(items) => items.iter().map(json_text).collect::<Vec<_>>().join(", "),
        Json_::Object(m) => {
            let name = m.get("name").map(json_text).unwrap_or_default();
            let relation = m.get("relation").map(json_text).unwrap_or_default();
            format!("{name} ({relation})")
        }
        Json_::Null => String::new(),
        other => other.to_string(),
    }
}

fn facts_of(state: &AppState, a: &Application) -> Vec<Fact> {
    // The record the approval would seal gives the type's schema order, labels and the
    // Bangla way of writing each value; an application that does not make one shows its
    // fields as they are.
    match record_of(a, &state.config().office.code, today_dhaka()) {
        Ok(r) => r
            .fields_in_schema_order()
            .map(|(f, v)| Fact {
                label_bn: f.label_bn.into(),
                label_en: f.label_en.into(),
                value: v.display_bn().into_owned(),
            })
            .collect(),
        Err(_) => a
            .fields
            .iter()
            .map(|(k, v)| {
                let f = sonod_seal::field_by_key(k);
                Fact {
                    label_bn: f.map_or_else(|| k.clone(), |f| f.label_bn.into()),
                    label_en: f.map_or_else(|| k.clone(), |f| f.label_en.into()),
                    value: json_text(v),
                }
            })
            .collect(),
    }
}

fn extra_label(key: &str) -> (String, String) {
    let id = format!("review-extra-{}", key.replace('_', "-"));
    let bn = crate::l10n::bn(&id);
    if bn == id {
        (key.to_owned(), key.to_owned())
    } else {
        (bn, crate::l10n::en(&id))
    }
}

fn action_words(a: Action) -> (String, String) {
    let code = match a {
        Action::Submit => "submit",
        Action::Resubmit => "resubmit",
        Action::Pay => "pay",
        Action::ApproveFirst => "approve-first",
        Action::Approve => "approve",
        Action::Hold => "hold",
        Action::SendBack => "send-back",
        Action::Reject => "reject",
    };
    let id = format!("review-action-{code}");
    (crate::l10n::bn(&id), crate::l10n::en(&id))
}

#[allow(clippy::too_many_arguments)]
fn render_application(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    who: &Official,
    a: &Application,
    notice: Option<String>,
    error: Option<String>,
    typed: &ActBody,
) -> Result<Response, AppError> {
    let t = cert_type_by_key(&a.cert_type);
    let (status_bn, status_en) = status_words(a.status);
    let fee = state.settings().get().type_settings(&a.cert_type).fee_taka;
    let office = &state.config().office.code;
    let page_ = ApplicationPage {
        chrome: chrome(
            state,
            crate::l10n::both("review-application-title", &[("tracking", &tracking(a.id))]),
            caller,
        ),
        csrf: csrf_of(caller, headers),
        id: a.id,
        tracking_bn: bangla_digits(&tracking(a.id)),
        tracking: tracking(a.id),
        type_bn: t.map_or("", |t| t.name_bn),
        type_en: t.map_or("", |t| t.name_en),
        ward_bn: bangla_digits(&a.ward.to_string()),
        status: a.status.as_str(),
        status_bn,
        status_en,
        held: a.held,
        entered_by: a
            .entered_by
            .as_ref()
            .map(|e| format!("{} · {}", e.account, e.place)),
        facts: facts_of(state, a),
        extra: a
            .extra
            .iter()
            .map(|(k, v)| {
                let (label_bn, label_en) = extra_label(k);
                Fact {
                    label_bn,
                    label_en,
                    value: json_text(v),
                }
            })
            .collect(),
        documents: a
            .documents
            .iter()
            .map(|d| Doc {
                href: format!("/applications/{}/documents/{}", a.id, d.index),
                label: d.label.clone(),
                kind: d.content_type.clone(),
                size_bn: bangla_digits(&format!("{}", d.size.div_ceil(1024))),
            })
            .collect(),
        fee: (fee > 0).then(|| {
            let f = fee.to_string();
            (
                crate::l10n::bn_args("review-fee", &[("fee", &f)]),
                crate::l10n::en_args("review-fee", &[("fee", &f)]),
            )
        }),
        payment: a.payment.as_ref().map(|p| {
            bangla_digits(&format!(
                "৳{} · {} · {} · {}",
                p.taka,
                p.receipt,
                p.by,
                dhaka_time(p.at)
            ))
        }),
        approvals: a
            .approvals
            .iter()
            .map(|p| {
                format!(
                    "{} ({}) · {}",
                    p.by,
                    p.role.label_bn(),
                    bangla_digits(&dhaka_time(p.at))
                )
            })
            .collect(),
        history: a
            .history
            .iter()
            .map(|h| {
                let (action_bn, action_en) = action_words(h.action);
                Hist {
                    at: bangla_digits(&dhaka_time(h.at)),
                    by: h.by.clone(),
                    action_bn,
                    action_en,
                    note: h.note.clone(),
                }
            })
            .collect(),
        certificate: a
            .serial
            .map(|s| (s, sonod_seal::CertificateNumber::new(office, s).bn())),
        notice,
        error,
        may_decide: a.status.in_review()
            && matches!(who.role, Role::Councillor | Role::Chairman)
            && who.reviews_ward(a.ward)
            && !a.approvals.iter().any(|p| p.by == who.name),
        may_pay: a.status.is_open() && fee > 0 && a.payment.is_none() && who.role != Role::Admin,
        needs_payment: fee > 0 && a.payment.is_none(),
        reason: typed.reason.clone().unwrap_or_default(),
        note: typed.note.clone().unwrap_or_default(),
        receipt: typed.receipt.clone().unwrap_or_default(),
    };
    page(&page_)
}

#[derive(Debug, Deserialize)]
struct Done {
    #[serde(default)]
    done: Option<String>,
}

/// Why `who` may not see application `a`: a councillor is told it is another ward's.
fn not_visible(who: &Official, a: &Application) -> AppError {
    if who.role == Role::Councillor {
        refusal_error(Refusal::OtherWard(a.ward))
    } else {
        AppError::Forbidden
    }
}

fn visible(state: &AppState, who: &Official, id: u64) -> Result<Application, AppError> {
    let a = state
        .ledger()
        .application(id)?
        .ok_or_else(|| refusal_error(Refusal::NotFound(id)))?;
    if !who.may_see(a.ward) {
        return Err(not_visible(who, &a));
    }
    Ok(a)
}

async fn application_page(
    State(state): State<AppState>,
    caller: Option<Caller>,
    headers: HeaderMap,
    Path(id): Path<u64>,
    Query(d): Query<Done>,
) -> Result<Response, AppError> {
    let Some(caller) = caller else {
        return Ok(Redirect::to("/login").into_response());
    };
    let who = official(&state, &caller)?;
    let a = visible(&state, &who, id)?;
    let notice = match d.done.as_deref() {
        Some(done @ ("approve" | "reject" | "send-back" | "pay")) => {
            let which = if done == "approve" {
                match a.status {
                    Status::Approved => "approve-issued",
                    _ if a.held => "approve-held",
                    _ => "approve-first",
                }
            } else {
                done
            };
            Some(crate::l10n::both(&format!("review-done-{which}"), &[]))
        }
        _ => None,
    };
    render_application(
        &state,
        &caller,
        &headers,
        &who,
        &a,
        notice,
        None,
        &ActBody::default(),
    )
}

async fn application_api(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<u64>,
) -> Result<Json<Json_>, AppError> {
    let who = official(&state, &caller)?;
    let a = visible(&state, &who, id)?;
    Ok(Json(application_json(&state, &a)))
}
