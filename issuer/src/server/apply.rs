//! Applying for a certificate: the citizen's forms (one a type, made from the type's schema by
//! `applications::form`), the digital centre operator's (the same forms from their login, the
//! application recording who entered it and where), correcting an application sent back, the
//! status lookup (tracking number + mobile number), the supporting documents for officials,
//! and the JSON API of all of it.
//!
//! Every write is one `Ledger::change_application` (the application, its indexes, its audit
//! entry, its "application received" SMS and its documents in one atomic batch), answered once
//! durable. Pages come from `templates/apply_*.html`; the words from `locales/*/apply.ftl`.

use std::net::IpAddr;
use std::sync::{LazyLock, Mutex, PoisonError};
use std::time::Instant;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{Map, Value as Json};
use sonod_seal::{bangla_digits, cert_type_by_key, CertType, CERT_TYPES};

use super::auth::{csrf_ok, csrf_token, session_cookie, Caller, ClientAddr};
use super::error::AppError;
use super::uploads::{self, UploadSlots};
use super::AppState;
use crate::accounts::throttle::{Throttle, ThrottlePolicy};
use crate::accounts::Permission;
use crate::applications::form::{self, Checked, FieldError, FormInput};
use crate::applications::{
    parse_tracking, tracking, Action, Application, DocumentRef, EnteredBy, HistoryEntry, Status,
    MAX_DOCUMENTS, MAX_DOCUMENT_BYTES,
};
use crate::ledger::{ApplicationChange, ChangeError};
use crate::storage::ledger::now;

/// Largest apply form (multipart): every document at its largest, and the fields.
pub const MAX_UPLOAD: usize = 12 * 1024 * 1024;
/// Largest JSON application: the documents in base64 (4/3 of their size) and the fields.
pub const MAX_API_BODY: usize = 14 * 1024 * 1024;
/// Largest text part of a form.
const MAX_FORM_TEXT: usize = 4 * 1024;
/// Most parts of a form (fields, rows, files).
const MAX_FORM_PARTS: usize = 600;
/// Rows of a list shown at least, and added by "more rows".
const ROWS_STEP: usize = 5;
/// The cookie that remembers an operator's digital centre (base64url of the name).
const CENTRE_COOKIE: &str = "sonod_centre";

pub(super) fn routes() -> Router<AppState> {
    let upload = DefaultBodyLimit::max(MAX_UPLOAD);
    // One set of slots for every route that takes documents (see `uploads`).
    let hold = axum::middleware::from_fn_with_state(UploadSlots::per_core(), uploads::hold);
    Router::new()
        .route("/apply", get(list))
        .route(
            "/apply/{key}",
            get(form_page).merge(post(submit).layer(upload).layer(hold.clone())),
        )
        .route(
            "/apply/{key}/edit",
            get(edit_page).merge(post(edit_submit).layer(upload).layer(hold.clone())),
        )
        .route("/status", get(status_page).post(status_lookup))
        .route("/applications/{id}/documents/{index}", get(document))
        .route(
            "/api/v1/applications",
            post(api_submit)
                .layer(DefaultBodyLimit::max(MAX_API_BODY))
                .layer(hold.clone()),
        )
        .route("/api/v1/applications/status", get(api_status))
        .route(
            "/api/v1/applications/{tracking}/resubmit",
            post(api_resubmit)
                .layer(DefaultBodyLimit::max(MAX_API_BODY))
                .layer(hold),
        )
}

// ---------------------------------------------------------------------------------------------
// Pages' parts

/// What every apply page shows around its content.
struct Chrome {
    office_bn: String,
    office_en: String,
    development: bool,
    /// The signed-in official's name, when one is.
    who: Option<String>,
}

impl Chrome {
    fn new(state: &AppState, caller: Option<&Caller>) -> Chrome {
        let s = state.settings().get();
        Chrome {
            office_bn: s.name_bn.clone(),
            office_en: s.name_en.clone(),
            development: state.config().development,
            who: caller.map(|c| format!("{} ({})", c.actor.name, c.actor.role.label_bn())),
        }
    }
}

fn html(page: &impl Template) -> Html<String> {
    Html(page.render().unwrap_or_default())
}

fn page(status: StatusCode, body: Html<String>) -> Response {
    (status, [(header::CACHE_CONTROL, "private, no-store")], body).into_response()
}

/// A Taka amount for both languages.
fn taka(n: u32) -> (String, String) {
    let s = n.to_string();
    (
        crate::l10n::bn_args("apply-fee", &[("taka", &s)]),
        crate::l10n::en_args("apply-fee", &[("taka", &s)]),
    )
}

struct TypeRow {
    key: &'static str,
    name_bn: &'static str,
    name_en: &'static str,
    fee_bn: String,
    fee_en: String,
}

#[derive(Template)]
#[template(path = "apply_list.html", escape = "sonod")]
struct ListPage {
    chrome: Chrome,
    types: Vec<TypeRow>,
}

/// `GET /apply`: the types the office offers.
async fn list(State(state): State<AppState>, caller: Option<Caller>) -> Response {
    let settings = state.settings().get();
    let types = CERT_TYPES
        .iter()
        .filter(|t| settings.type_settings(t.key).offered)
        .map(|t| {
            let (fee_bn, fee_en) = match settings.type_settings(t.key).fee_taka {
                0 => (crate::l10n::bn("apply-free"), crate::l10n::en("apply-free")),
                n => taka(n),
            };
            TypeRow {
                key: t.key,
                name_bn: t.name_bn,
                name_en: t.name_en,
                fee_bn,
                fee_en,
            }
        })
        .collect();
    page(
        StatusCode::OK,
        html(&ListPage {
            chrome: Chrome::new(&state, caller.as_ref()),
            types,
        }),
    )
}

/// One error for a template: both languages.
struct Msg {
    bn: String,
    en: String,
}

impl From<&FieldError> for Msg {
    fn from(e: &FieldError) -> Msg {
        Msg {
            bn: e.bn.clone(),
            en: e.en.clone(),
        }
    }
}

struct OptionView {
    value: String,
    label: String,
    selected: bool,
}

struct PersonView {
    i: usize,
    name: String,
    relation: String,
    age: String,
    errors: Vec<Msg>,
}

struct ListRowView {
    i: usize,
    value: String,
    error: Option<Msg>,
}

/// A row's number as the page shows it in Bangla text (from 1, in Bangla digits).
fn row_number_bn(i: usize) -> String {
    bangla_digits(&(i + 1).to_string())
}

impl PersonView {
    fn number_bn(&self) -> String {
        row_number_bn(self.i)
    }
}

impl ListRowView {
    fn number_bn(&self) -> String {
        row_number_bn(self.i)
    }
}

/// One input on the form.
struct FieldView {
    name: &'static str,
    label_bn: String,
    label_en: String,
    hint_bn: String,
    hint_en: String,
    /// `text`, `latin`, `digits`, `date`, `tel`, `ward`, `persons`, `list`.
    control: &'static str,
    value: String,
    required: bool,
    error: Option<Msg>,
    options: Vec<OptionView>,
    persons: Vec<PersonView>,
    rows: Vec<ListRowView>,
}

impl FieldView {
    fn is(&self, control: &str) -> bool {
        self.control == control
    }
}

struct SectionView {
    title_bn: String,
    title_en: String,
    /// Both identity numbers are offered: say that one is enough.
    identity_hint: bool,
    fields: Vec<FieldView>,
}

/// The operator's part of the form.
struct OperatorView {
    csrf: String,
    centre: String,
    error: Option<Msg>,
}

/// Correcting an application sent back.
struct EditView {
    tracking: String,
    tracking_bn: String,
    note: String,
    proof: String,
    documents: Vec<String>,
}

#[derive(Template)]
#[template(path = "apply_form.html", escape = "sonod")]
struct FormPage {
    chrome: Chrome,
    type_bn: &'static str,
    type_en: &'static str,
    action: String,
    fee: Option<(String, String)>,
    sections: Vec<SectionView>,
    errors: Vec<SummaryItem>,
    documents_error: Option<Msg>,
    documents_note: bool,
    operator: Option<OperatorView>,
    edit: Option<EditView>,
    docs_hint_bn: String,
    docs_hint_en: String,
}

/// An error in the list at the top of the form: the field's label, a link to it, the message.
struct SummaryItem {
    anchor: String,
    label: String,
    bn: String,
    en: String,
}

impl From<&FieldError> for SummaryItem {
    fn from(e: &FieldError) -> SummaryItem {
        // `heirs.1.relation`: the list's label and the row, in Bangla digits.
        let mut parts = e.field.splitn(3, '.');
        let key = parts.next().unwrap_or_default();
        let (label, _) = labels(key);
        let label = match parts.next().and_then(|n| n.parse::<usize>().ok()) {
            Some(n) => {
                let part = match parts.next() {
                    Some(p @ ("name" | "relation" | "age")) => {
                        format!(", {}", crate::l10n::bn(&format!("list-{p}")))
                    }
                    _ => String::new(),
                };
                format!(
                    "{label}, {} {}{part}",
                    crate::l10n::bn("apply-row"),
                    bangla_digits(&(n + 1).to_string())
                )
            }
            None => label,
        };
        let anchor = match key {
            "form" => "errors".to_owned(),
            _ => format!("f-{}", e.field),
        };
        SummaryItem {
            anchor,
            label,
            bn: e.bn.clone(),
            en: e.en.clone(),
        }
    }
}

/// The labels of an input: the record field's, or the extra's Fluent message.
fn labels(key: &str) -> (String, String) {
    match sonod_seal::FIELDS.iter().find(|f| f.key == key) {
        Some(f) if key != "name" => (f.label_bn.to_owned(), f.label_en.to_owned()),
        _ => (
            crate::l10n::bn(&format!("apply-label-{key}")),
            crate::l10n::en(&format!("apply-label-{key}")),
        ),
    }
}

/// A hint under an input, by kind.
fn hint(control: &str) -> (String, String) {
    let id = match control {
        "digits" => "apply-hint-digits",
        "date" => "apply-hint-date",
        "tel" => "apply-hint-mobile",
        "latin" => "apply-hint-latin",
        "fiscal" => "apply-hint-fiscal-year",
        "persons" | "list" => "apply-hint-rows",
        _ => return (String::new(), String::new()),
    };
    (crate::l10n::bn(id), crate::l10n::en(id))
}

fn error_of(errors: &[FieldError], name: &str) -> Option<Msg> {
    errors.iter().find(|e| e.field == name).map(Msg::from)
}

/// The form of type `t` with what was typed and the errors next to their fields. `more`: a
/// list whose rows were asked for.
fn sections_view(
    t: &'static CertType,
    input: &FormInput,
    errors: &[FieldError],
    wards: &[u16],
    more: Option<&str>,
) -> Vec<SectionView> {
    use sonod_seal::FieldKind;
    form::sections(t)
        .into_iter()
        .map(|s| SectionView {
            title_bn: crate::l10n::bn(s.title),
            title_en: crate::l10n::en(s.title),
            identity_hint: t.needs_identity && s.title == "apply-section-identity",
            fields: s
                .inputs
                .into_iter()
                .map(|i| {
                    let control = match i.kind {
                        FieldKind::Nid | FieldKind::Brn | FieldKind::Uint if i.key == "ward" => {
                            "ward"
                        }
                        FieldKind::Nid | FieldKind::Brn | FieldKind::Uint => "digits",
                        FieldKind::Date => "date",
                        FieldKind::Mobile => "tel",
                        FieldKind::FiscalYear => "fiscal",
                        FieldKind::Persons => "persons",
                        FieldKind::TextList => "list",
                        _ if i.key == "name_en" => "latin",
                        _ => "text",
                    };
                    let (label_bn, label_en) = labels(i.key);
                    let (hint_bn, hint_en) = hint(control);
                    let value = input.value(i.key).to_owned();
                    let step = |have: usize| {
                        let extra = if more == Some(i.key) { ROWS_STEP } else { 0 };
                        (have + 1)
                            .max(ROWS_STEP)
                            .saturating_add(extra)
                            .min(form::MAX_ROWS)
                    };
                    let persons = if control == "persons" {
                        let typed = input.persons.get(i.key).cloned().unwrap_or_default();
                        let n = step(typed.len());
                        (0..n)
                            .map(|n| {
                                let row = typed.get(n).cloned().unwrap_or_default();
                                let prefix = format!("{}.{n}.", i.key);
                                PersonView {
                                    i: n,
                                    name: row.name,
                                    relation: row.relation,
                                    age: row.age,
                                    errors: errors
                                        .iter()
                                        .filter(|e| e.field.starts_with(&prefix))
                                        .map(Msg::from)
                                        .collect(),
                                }
                            })
                            .collect()
                    } else {
                        Vec::new()
                    };
                    let rows = if control == "list" {
                        let typed = input.lists.get(i.key).cloned().unwrap_or_default();
                        let n = step(typed.len());
                        (0..n)
                            .map(|n| ListRowView {
                                i: n,
                                value: typed.get(n).cloned().unwrap_or_default(),
                                error: error_of(errors, &format!("{}.{n}", i.key)),
                            })
                            .collect()
                    } else {
                        Vec::new()
                    };
                    let options = if control == "ward" {
                        wards
                            .iter()
                            .map(|w| OptionView {
                                value: w.to_string(),
                                label: bangla_digits(&w.to_string()),
                                selected: sonod_seal::latin_digits(&value)
                                    .ok()
                                    .is_some_and(|v| v == w.to_string()),
                            })
                            .collect()
                    } else {
                        Vec::new()
                    };
                    FieldView {
                        name: i.key,
                        label_bn,
                        label_en,
                        hint_bn,
                        hint_en,
                        control,
                        value,
                        required: i.required,
                        error: error_of(errors, i.key),
                        options,
                        persons,
                        rows,
                    }
                })
                .collect(),
        })
        .collect()
}

/// What the form page needs besides the type and what was typed.
#[derive(Default)]
struct FormExtras {
    errors: Vec<FieldError>,
    more: Option<String>,
    operator: Option<OperatorView>,
    edit: Option<EditView>,
    documents_note: bool,
}

fn form_view(
    state: &AppState,
    caller: Option<&Caller>,
    t: &'static CertType,
    input: &FormInput,
    x: FormExtras,
) -> Html<String> {
    let settings = state.settings().get();
    let fee = match settings.type_settings(t.key).fee_taka {
        0 => None,
        n => Some(taka(n)),
    };
    let action = match &x.edit {
        Some(e) => format!("/apply/{}/edit", e.tracking),
        None => format!("/apply/{}", t.key),
    };
    let (max, mb) = (
        MAX_DOCUMENTS.to_string(),
        (MAX_DOCUMENT_BYTES / (1024 * 1024)).to_string(),
    );
    let docs_args = [("max", max.as_str()), ("mb", mb.as_str())];
    let mut operator = x.operator;
    if let Some(op) = operator.as_mut() {
        op.error = error_of(&x.errors, "centre");
    }
    html(&FormPage {
        chrome: Chrome::new(state, caller),
        type_bn: t.name_bn,
        type_en: t.name_en,
        action,
        fee,
        sections: sections_view(t, input, &x.errors, &settings.wards, x.more.as_deref()),
        documents_error: error_of(&x.errors, "documents"),
        documents_note: x.documents_note,
        errors: x.errors.iter().map(SummaryItem::from).collect(),
        operator,
        edit: x.edit,
        docs_hint_bn: crate::l10n::bn_args("apply-hint-documents", &docs_args),
        docs_hint_en: crate::l10n::en_args("apply-hint-documents", &docs_args),
    })
}

#[derive(Template)]
#[template(path = "apply_message.html", escape = "sonod")]
struct MessagePage {
    chrome: Chrome,
    title_bn: String,
    title_en: String,
    text_bn: String,
    text_en: String,
    link: Option<(String, String, String)>,
}

/// A page that says one thing, with a link onward.
fn message(
    state: &AppState,
    caller: Option<&Caller>,
    status: StatusCode,
    id: &str,
    args: &[(&'static str, &str)],
    link: Option<(String, &str)>,
) -> Response {
    let title = format!("{id}-title");
    page(
        status,
        html(&MessagePage {
            chrome: Chrome::new(state, caller),
            title_bn: crate::l10n::bn(&title),
            title_en: crate::l10n::en(&title),
            // Numbers in the Bangla text in Bangla digits, a tracking number's too (`A-৪২`).
            text_bn: crate::l10n::bn_args(
                id,
                &args
                    .iter()
                    .map(|(k, v)| (*k, bangla_digits(v)))
                    .collect::<Vec<_>>()
                    .iter()
                    .map(|(k, v)| (*k, v.as_str()))
                    .collect::<Vec<_>>(),
            ),
            text_en: crate::l10n::en_args(id, args),
            link: link.map(|(href, id)| (href, crate::l10n::bn(id), crate::l10n::en(id))),
        }),
    )
}

fn not_offered(state: &AppState, caller: Option<&Caller>, t: &CertType) -> Response {
    message(
        state,
        caller,
        StatusCode::FORBIDDEN,
        "apply-not-offered",
        &[("type_bn", t.name_bn), ("type_en", t.name_en)],
        Some(("/apply".into(), "apply-back-to-list")),
    )
}

fn unknown_type(state: &AppState, caller: Option<&Caller>) -> Response {
    message(
        state,
        caller,
        StatusCode::NOT_FOUND,
        "apply-unknown-type",
        &[],
        Some(("/apply".into(), "apply-back-to-list")),
    )
}

fn duplicate_page(state: &AppState, caller: Option<&Caller>, open: u64) -> Response {
    let t = tracking(open);
    message(
        state,
        caller,
        StatusCode::CONFLICT,
        "apply-duplicate",
        &[("tracking", &t)],
        Some(("/status".into(), "apply-status-link")),
    )
}

// ---------------------------------------------------------------------------------------------
// Reading what was sent

/// A supporting document as uploaded.
struct Upload {
    label: String,
    bytes: Vec<u8>,
}

/// A form as read from its multipart body.
#[derive(Default)]
struct Posted {
    input: FormInput,
    uploads: Vec<Upload>,
    csrf: String,
    centre: String,
    proof: String,
    more: Option<String>,
    /// Problems with the documents found while reading (too large, too many).
    document_errors: Vec<FieldError>,
}

async fn read_multipart(mut multipart: Multipart) -> Result<Posted, AppError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge
        } else {
            AppError::BadRequest(crate::l10n::both("apply-form-unreadable", &[]))
        }
    };
    let mut out = Posted::default();
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut parts = 0;
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        parts += 1;
        if parts > MAX_FORM_PARTS {
            return Err(AppError::BadRequest(crate::l10n::both(
                "apply-form-unreadable",
                &[],
            )));
        }
        let name = field.name().unwrap_or("").to_owned();
        if name == "document" {
            let label = form::document_label(field.file_name().unwrap_or(""));
            let mut data = Vec::new();
            let mut too_large = false;
            while let Some(chunk) = field.chunk().await.map_err(bad)? {
                if data.len() + chunk.len() > MAX_DOCUMENT_BYTES {
                    too_large = true;
                    data.clear();
                    continue;
                }
                if !too_large {
                    data.extend_from_slice(&chunk);
                }
            }
            if too_large {
                let mb = (MAX_DOCUMENT_BYTES / (1024 * 1024)).to_string();
                out.document_errors.push(FieldError::new(
                    "documents",
                    "apply-err-document-size",
                    &[("name", &label), ("mb", &mb)],
                ));
            } else if !data.is_empty() {
                out.uploads.push(Upload { label, bytes: data });
            }
            continue;
        }
        let mut data = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(bad)? {
            if data.len() + chunk.len() > MAX_FORM_TEXT {
                return Err(AppError::TooLarge);
            }
            data.extend_from_slice(&chunk);
        }
        let value = String::from_utf8(data)
            .map_err(|_| AppError::BadRequest(crate::l10n::both("apply-form-unreadable", &[])))?;
        match name.as_str() {
            "csrf" => out.csrf = value,
            "centre" => out.centre = value,
            "proof" => out.proof = value,
            "more" => out.more = Some(value),
            _ => pairs.push((name, value)),
        }
    }
    out.input = FormInput::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    Ok(out)
}

/// Checks the documents: how many, and each one's content. Returns their references (from
/// index `first`) and bytes.
#[allow(clippy::type_complexity)]
fn check_documents(
    uploads: Vec<Upload>,
    first: usize,
    errors: &mut Vec<FieldError>,
) -> (Vec<DocumentRef>, Vec<(u8, Vec<u8>)>) {
    use sha2::{Digest, Sha256};
    if first + uploads.len() > MAX_DOCUMENTS {
        let max = MAX_DOCUMENTS.to_string();
        errors.push(FieldError::new(
            "documents",
            "apply-err-document-count",
            &[("max", &max)],
        ));
        return (Vec::new(), Vec::new());
    }
    let mut refs = Vec::new();
    let mut bytes = Vec::new();
    for (n, u) in uploads.into_iter().enumerate() {
        let Some(content_type) = form::document_type(&u.bytes) else {
            errors.push(FieldError::new(
                "documents",
                "apply-err-document-type",
                &[("name", &u.label)],
            ));
            continue;
        };
        let index = u8::try_from(first + n).unwrap_or(u8::MAX);
        refs.push(DocumentRef {
            index,
            label: u.label,
            content_type: content_type.into(),
            size: u.bytes.len() as u64,
            sha256: data_encoding::HEXLOWER.encode(&Sha256::digest(&u.bytes)),
        });
        bytes.push((index, u.bytes));
    }
    (refs, bytes)
}

/// The digital centre's name as typed: NFC, 1 to 100 characters.
fn check_centre(centre: &str, errors: &mut Vec<FieldError>) -> String {
    let c = sonod_seal::text::normalize(&centre.split_whitespace().collect::<Vec<_>>().join(" "));
    if c.is_empty() || c.chars().count() > form::MAX_PLACE || c.chars().any(char::is_control) {
        let max = form::MAX_PLACE.to_string();
        errors.push(FieldError::new(
            "centre",
            "apply-err-centre",
            &[("max", &max)],
        ));
    }
    c
}

fn session_id(headers: &HeaderMap) -> Option<String> {
    let (mut parts, ()) = axum::http::Request::new(()).into_parts();
    parts.headers = headers.clone();
    session_cookie(&parts).map(str::to_owned)
}

fn remembered_centre(headers: &HeaderMap) -> String {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == CENTRE_COOKIE)
        .and_then(|(_, v)| data_encoding::BASE64URL_NOPAD.decode(v.as_bytes()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .map(|s| s.chars().take(form::MAX_PLACE).collect())
        .unwrap_or_default()
}

/// The operator's part of the form, for a signed-in official (a session).
fn operator_view(
    caller: Option<&Caller>,
    headers: &HeaderMap,
    centre: Option<String>,
) -> Option<OperatorView> {
    caller.filter(|c| c.by_session)?;
    let sid = session_id(headers)?;
    Some(OperatorView {
        csrf: csrf_token(&sid),
        centre: centre.unwrap_or_else(|| remembered_centre(headers)),
        error: None,
    })
}

// ---------------------------------------------------------------------------------------------
// Submitting

/// Submissions and resubmissions one at a time between the repeat check and the write, so that
/// two at once for the same person and type cannot both be stored.
static SUBMIT: Mutex<()> = Mutex::new(());

/// What a submission came to.
enum Outcome {
    Stored(Box<Application>),
    Duplicate(u64),
    Invalid(Vec<FieldError>),
    /// Resubmitting: no such application, or not the applicant's mobile (one answer for both).
    NotYours,
    /// Resubmitting an application that is not sent back.
    NotEditable(Status),
}

/// A new application or a correction of one.
struct Submission {
    cert_type: &'static CertType,
    input: FormInput,
    uploads: Vec<Upload>,
    /// Errors found while reading (documents too large).
    errors: Vec<FieldError>,
    /// Set when an operator or official entered it.
    entered_by: Option<EnteredBy>,
    /// Resubmitting: the application and the mobile number proving it is the applicant's.
    resubmit: Option<(u64, String)>,
}

fn received_sms(t: &CertType, id: u64) -> String {
    crate::l10n::bn_args(
        "sms-received",
        &[
            ("type", t.name_bn),
            ("tracking", &bangla_digits(&tracking(id))),
        ],
    )
}

/// The mobile number as the application keeps it (`01…`), if it is one.
fn local_mobile(s: &str) -> Option<String> {
    s.parse::<sonod_seal::Mobile>()
        .ok()
        .map(|m| m.as_str().trim_start_matches("+88").to_owned())
}

/// Checks and stores a submission; durable before it returns `Stored`.
async fn store(state: &AppState, sub: Submission) -> Result<Outcome, AppError> {
    let t = sub.cert_type;
    let settings = state.settings().get();
    let office = state.config().office.code.to_string();
    let mut errors = sub.errors;
    let checked = form::check(
        t,
        &sub.input,
        &settings.wards,
        &office,
        sonod_keys::today_dhaka(),
    );
    let Checked {
        fields,
        extra,
        ward,
        mobile,
    } = match checked {
        Ok(c) => c,
        Err(mut e) => {
            e.append(&mut errors);
            errors = e;
            Checked {
                fields: Map::new(),
                extra: Map::new(),
                ward: 0,
                mobile: String::new(),
            }
        }
    };
    let ledger = state.ledger();
    let (existing, proof) = match &sub.resubmit {
        Some((id, proof)) => {
            let a = ledger.application(*id)?;
            match a {
                Some(a) if local_mobile(proof).is_some_and(|m| m == a.mobile) => {
                    if a.status != Status::SentBack {
                        return Ok(Outcome::NotEditable(a.status));
                    }
                    (Some(a), proof.clone())
                }
                _ => return Ok(Outcome::NotYours),
            }
        }
        None => (None, String::new()),
    };
    let first = existing.as_ref().map_or(0, |a| a.documents.len());
    let (refs, bytes) = check_documents(sub.uploads, first, &mut errors);
    if !errors.is_empty() {
        return Ok(Outcome::Invalid(errors));
    }
    let identity = ["nid", "brn"]
        .iter()
        .find_map(|k| fields.get(*k).and_then(Json::as_str))
        .map(str::to_owned);
    let at = now();
    let by = match &sub.entered_by {
        Some(e) => e.account.clone(),
        None => "applicant".to_owned(),
    };
    let outcome = {
        let _one = SUBMIT.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(identity) = &identity {
            if let Some(open) = ledger.open_duplicate(t.key, identity)? {
                if existing.as_ref().is_none_or(|a| a.id != open) {
                    return Ok(Outcome::Duplicate(open));
                }
            }
        }
        let entered_by = sub.entered_by.clone();
        let resubmit = sub.resubmit.as_ref().map(|(id, _)| *id);
        let actor = by.clone();
        ledger.change_application(resubmit, &actor, None, move |old, id| {
            let (application, action) = match (resubmit, old) {
                (None, None) => (
                    Application {
                        id,
                        cert_type: t.key.to_owned(),
                        fields: fields.clone(),
                        extra,
                        ward,
                        mobile: mobile.clone(),
                        status: Status::Submitted,
                        approvals: Vec::new(),
                        payment: None,
                        documents: refs,
                        entered_by: entered_by.clone(),
                        held: false,
                        serial: None,
                        history: vec![HistoryEntry {
                            at,
                            by: by.clone(),
                            action: Action::Submit,
                            note: String::new(),
                            fields: Some(fields),
                        }],
                        created_at: at,
                        updated_at: at,
                    },
                    "application.submit",
                ),
                (Some(_), Some(mut a)) => {
                    // Decided again under the lock: still sent back, still this applicant's.
                    if a.status != Status::SentBack {
                        return Err(Outcome::NotEditable(a.status));
                    }
                    if local_mobile(&proof).is_none_or(|m| m != a.mobile) {
                        return Err(Outcome::NotYours);
                    }
                    a.fields = fields.clone();
                    a.extra = extra;
                    a.ward = ward;
                    a.mobile = mobile.clone();
                    a.status = Status::Submitted;
                    a.approvals.clear();
                    a.documents.extend(refs);
                    a.record(HistoryEntry {
                        at,
                        by: by.clone(),
                        action: Action::Resubmit,
                        note: String::new(),
                        fields: Some(fields),
                    });
                    (a, "application.resubmit")
                }
                _ => return Err(Outcome::NotYours),
            };
            let detail = format!(
                "type={} ward={} documents={}{}",
                t.key,
                application.ward,
                application.documents.len(),
                if application.entered_by.is_some() {
                    " entered_by_operator"
                } else {
                    ""
                },
            );
            let sms = (action == "application.submit")
                .then(|| (application.mobile.clone(), received_sms(t, id), "received"));
            Ok(ApplicationChange {
                application,
                action,
                detail,
                sms,
                issue: None,
                documents: bytes,
            })
        })
    };
    match outcome {
        Ok(o) => {
            ledger.application_durable(&o).await?;
            Ok(Outcome::Stored(Box::new(o.application)))
        }
        Err(ChangeError::Refused(outcome)) => Ok(outcome),
        Err(ChangeError::Ledger(e)) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "apply_done.html", escape = "sonod")]
struct DonePage {
    chrome: Chrome,
    tracking: String,
    tracking_bn: String,
    type_bn: &'static str,
    type_en: &'static str,
    resubmitted: bool,
    fee: Option<(String, String)>,
    entered_by: Option<String>,
}

fn done_page(
    state: &AppState,
    caller: Option<&Caller>,
    t: &'static CertType,
    a: &Application,
    resubmitted: bool,
) -> Response {
    let fee = match state.settings().get().type_settings(t.key).fee_taka {
        0 => None,
        n => Some(taka(n)),
    };
    let tr = tracking(a.id);
    page(
        StatusCode::OK,
        html(&DonePage {
            chrome: Chrome::new(state, caller),
            tracking_bn: bangla_digits(&tr),
            tracking: tr,
            type_bn: t.name_bn,
            type_en: t.name_en,
            resubmitted,
            fee,
            entered_by: a.entered_by.as_ref().map(|e| e.place.clone()),
        }),
    )
}

/// The type named in the path, offered by the office; or the page that says why not.
fn offered_type(
    state: &AppState,
    caller: Option<&Caller>,
    key: &str,
) -> Result<&'static CertType, Box<Response>> {
    let Some(t) = cert_type_by_key(key) else {
        return Err(Box::new(unknown_type(state, caller)));
    };
    if !state.settings().get().type_settings(t.key).offered {
        return Err(Box::new(not_offered(state, caller, t)));
    }
    Ok(t)
}

/// `GET /apply/{type}`: the empty form.
async fn form_page(
    State(state): State<AppState>,
    caller: Option<Caller>,
    headers: HeaderMap,
    Path(key): Path<String>,
) -> Response {
    let t = match offered_type(&state, caller.as_ref(), &key) {
        Ok(t) => t,
        Err(r) => return *r,
    };
    let operator = operator_view(caller.as_ref(), &headers, None);
    page(
        StatusCode::OK,
        form_view(
            &state,
            caller.as_ref(),
            t,
            &FormInput::default(),
            FormExtras {
                operator,
                ..FormExtras::default()
            },
        ),
    )
}

/// The operator's session, when the form was posted with one: CSRF checked, the centre's
/// name checked.
fn operator_of(
    caller: Option<&Caller>,
    headers: &HeaderMap,
    posted: &Posted,
    errors: &mut Vec<FieldError>,
) -> Result<Option<EnteredBy>, AppError> {
    let Some(c) = caller.filter(|c| c.by_session) else {
        return Ok(None);
    };
    c.require(Permission::Print)?;
    let sid = session_id(headers).ok_or(AppError::Csrf)?;
    if !csrf_ok(&sid, &posted.csrf) {
        return Err(AppError::Csrf);
    }
    let place = check_centre(&posted.centre, errors);
    Ok(Some(EnteredBy {
        account: c.actor.name.clone(),
        place,
    }))
}

/// `POST /apply/{type}`: checks and stores, or the form again with every value and its errors.
async fn submit(
    State(state): State<AppState>,
    caller: Option<Caller>,
    headers: HeaderMap,
    Path(key): Path<String>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let t = match offered_type(&state, caller.as_ref(), &key) {
        Ok(t) => t,
        Err(r) => return Ok(*r),
    };
    let mut posted = read_multipart(multipart).await?;
    let uploads = std::mem::take(&mut posted.uploads);
    let had_uploads = !uploads.is_empty();
    let mut errors = posted.document_errors.clone();
    let entered_by = operator_of(caller.as_ref(), &headers, &posted, &mut errors)?;
    let again = |posted: &Posted, errors: Vec<FieldError>, more: Option<String>| {
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        page(
            status,
            form_view(
                &state,
                caller.as_ref(),
                t,
                &posted.input,
                FormExtras {
                    documents_note: had_uploads,
                    errors,
                    more,
                    operator: operator_view(
                        caller.as_ref(),
                        &headers,
                        Some(posted.centre.clone()).filter(|c| !c.is_empty()),
                    ),
                    edit: None,
                },
            ),
        )
    };
    if posted.more.is_some() {
        return Ok(again(&posted, Vec::new(), posted.more.clone()));
    }
    let centre = entered_by.as_ref().map(|e| e.place.clone());
    let sub = Submission {
        cert_type: t,
        input: posted.input.clone(),
        uploads,
        errors,
        entered_by,
        resubmit: None,
    };
    match store(&state, sub).await? {
        Outcome::Stored(a) => {
            let mut r = done_page(&state, caller.as_ref(), t, &a, false);
            if let Some(c) = centre {
                let v = data_encoding::BASE64URL_NOPAD.encode(c.as_bytes());
                let cookie = format!(
                    "{CENTRE_COOKIE}={v}; HttpOnly; Secure; SameSite=Strict; Path=/apply; Max-Age=31536000"
                );
                if let Ok(v) = header::HeaderValue::from_str(&cookie) {
                    r.headers_mut().insert(header::SET_COOKIE, v);
                }
            }
            Ok(r)
        }
        Outcome::Duplicate(open) => Ok(duplicate_page(&state, caller.as_ref(), open)),
        Outcome::Invalid(errors) => Ok(again(&posted, errors, None)),
        Outcome::NotYours | Outcome::NotEditable(_) => Err(AppError::Internal(
            "a new application refused as an edit".into(),
        )),
    }
}

impl Posted {
    fn uploads_clone(&self) -> Vec<Upload> {
        self.uploads
            .iter()
            .map(|u| Upload {
                label: u.label.clone(),
                bytes: u.bytes.clone(),
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Correcting an application sent back

#[derive(Template)]
#[template(path = "apply_unlock.html", escape = "sonod")]
struct UnlockPage {
    chrome: Chrome,
    tracking: String,
    tracking_bn: String,
    error: Option<Msg>,
}

fn unlock_page(
    state: &AppState,
    caller: Option<&Caller>,
    status: StatusCode,
    id: u64,
    error: Option<Msg>,
) -> Response {
    let tr = tracking(id);
    page(
        status,
        html(&UnlockPage {
            chrome: Chrome::new(state, caller),
            tracking_bn: bangla_digits(&tr),
            tracking: tr,
            error,
        }),
    )
}

/// `GET /apply/{tracking}/edit`: asks for the mobile number the application was made with.
async fn edit_page(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Path(tr): Path<String>,
) -> Response {
    match parse_tracking(&tr) {
        Some(id) => unlock_page(&state, caller.as_ref(), StatusCode::OK, id, None),
        None => message(
            &state,
            caller.as_ref(),
            StatusCode::NOT_FOUND,
            "apply-bad-tracking",
            &[],
            Some(("/status".into(), "apply-status-link")),
        ),
    }
}

fn lookup_refused() -> Msg {
    Msg {
        bn: crate::l10n::bn("apply-lookup-refused"),
        en: crate::l10n::en("apply-lookup-refused"),
    }
}

/// `POST /apply/{tracking}/edit`: with only the mobile number (`proof`), the form filled in
/// as the application stands, with the official's note; with the fields, the correction.
async fn edit_submit(
    State(state): State<AppState>,
    caller: Option<Caller>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Path(tr): Path<String>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let Some(id) = parse_tracking(&tr) else {
        return Ok(message(
            &state,
            caller.as_ref(),
            StatusCode::NOT_FOUND,
            "apply-bad-tracking",
            &[],
            Some(("/status".into(), "apply-status-link")),
        ));
    };
    let posted = read_multipart(multipart).await?;
    let found = match find_own(&state, id, &posted.proof, addr) {
        Ok(a) => a,
        Err(Refusal::Wait(secs)) => {
            let mut r = unlock_page(
                &state,
                caller.as_ref(),
                StatusCode::TOO_MANY_REQUESTS,
                id,
                Some(wait_msg(secs)),
            );
            r.headers_mut().insert(header::RETRY_AFTER, secs.into());
            return Ok(r);
        }
        Err(Refusal::NotFound) => {
            return Ok(unlock_page(
                &state,
                caller.as_ref(),
                StatusCode::NOT_FOUND,
                id,
                Some(lookup_refused()),
            ))
        }
        Err(Refusal::Store(e)) => return Err(e.into()),
    };
    let Some(t) = cert_type_by_key(&found.cert_type) else {
        return Err(AppError::Internal(
            "an application of an unknown type".into(),
        ));
    };
    if found.status != Status::SentBack {
        return Ok(not_editable(&state, caller.as_ref(), &found));
    }
    let edit = |a: &Application| EditView {
        tracking: tracking(a.id),
        tracking_bn: bangla_digits(&tracking(a.id)),
        note: a.last_note().unwrap_or_default().to_owned(),
        proof: posted.proof.clone(),
        documents: a.documents.iter().map(|d| d.label.clone()).collect(),
    };
    let mut errors = posted.document_errors.clone();
    let had_uploads = !posted.uploads.is_empty();
    let form_again = |input: &FormInput, errors: Vec<FieldError>, more: Option<String>| {
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        page(
            status,
            form_view(
                &state,
                caller.as_ref(),
                t,
                input,
                FormExtras {
                    documents_note: had_uploads,
                    errors,
                    more,
                    operator: operator_view(
                        caller.as_ref(),
                        &headers,
                        Some(posted.centre.clone()).filter(|c| !c.is_empty()),
                    ),
                    edit: Some(edit(&found)),
                },
            ),
        )
    };
    // Only the mobile number: the form as it stands.
    if posted.input.values.is_empty() && posted.input.persons.is_empty() {
        return Ok(form_again(
            &FormInput::from_application(&found),
            Vec::new(),
            None,
        ));
    }
    if posted.more.is_some() {
        return Ok(form_again(&posted.input, Vec::new(), posted.more.clone()));
    }
    // A correction entered by a signed-in official: their form's CSRF token and centre.
    let entered_by = operator_of(caller.as_ref(), &headers, &posted, &mut errors)?;
    let sub = Submission {
        cert_type: t,
        input: posted.input.clone(),
        uploads: posted.uploads_clone(),
        errors,
        entered_by,
        resubmit: Some((id, posted.proof.clone())),
    };
    match store(&state, sub).await? {
        Outcome::Stored(a) => Ok(done_page(&state, caller.as_ref(), t, &a, true)),
        Outcome::Duplicate(open) => Ok(duplicate_page(&state, caller.as_ref(), open)),
        Outcome::Invalid(errors) => Ok(form_again(&posted.input, errors, None)),
        Outcome::NotYours => Ok(unlock_page(
            &state,
            caller.as_ref(),
            StatusCode::NOT_FOUND,
            id,
            Some(lookup_refused()),
        )),
        Outcome::NotEditable(_) => Ok(not_editable(&state, caller.as_ref(), &found)),
    }
}

fn not_editable(state: &AppState, caller: Option<&Caller>, a: &Application) -> Response {
    let s = a.status.as_str();
    message(
        state,
        caller,
        StatusCode::CONFLICT,
        "apply-not-editable",
        &[
            ("status_bn", &crate::l10n::bn(&format!("apply-status-{s}"))),
            ("status_en", &crate::l10n::en(&format!("apply-status-{s}"))),
        ],
        Some(("/status".into(), "apply-status-link")),
    )
}

// ---------------------------------------------------------------------------------------------
// Status lookup (tracking number + mobile number)

/// Lookups by tracking number and mobile number: growing delays per tracking number and per
/// address (the sign-in throttle's rules), so neither numbers nor mobiles can be tried fast.
static LOOKUPS: LazyLock<Mutex<Throttle>> = LazyLock::new(|| {
    Mutex::new(Throttle::new(
        ThrottlePolicy::ACCOUNT,
        ThrottlePolicy::ADDRESS,
    ))
});

enum Refusal {
    /// Too many tries: wait this many seconds.
    Wait(u64),
    /// No such application, or not this mobile number: one answer for both.
    NotFound,
    Store(crate::store::StoreError),
}

/// The application `id` if `mobile` is the one it was made with; throttled.
fn find_own(
    state: &AppState,
    id: u64,
    mobile: &str,
    addr: Option<IpAddr>,
) -> Result<Application, Refusal> {
    // Keyed by the service too (tests run several in one process).
    let key = format!("{:p}/{id}", std::sync::Arc::as_ptr(&state.0));
    LOOKUPS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .admit(&key, addr, Instant::now())
        .map_err(|wait| Refusal::Wait(wait.as_secs().max(1)))?;
    let Some(mobile) = local_mobile(mobile) else {
        return Err(Refusal::NotFound);
    };
    match state.ledger().application(id) {
        Ok(Some(a)) if a.mobile == mobile => {
            LOOKUPS
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .succeeded(&key, addr);
            Ok(a)
        }
        Ok(_) => Err(Refusal::NotFound),
        Err(e) => Err(Refusal::Store(e)),
    }
}

fn wait_msg(secs: u64) -> Msg {
    let s = secs.to_string();
    Msg {
        bn: crate::l10n::bn_args("apply-lookup-wait", &[("seconds", &s)]),
        en: crate::l10n::en_args("apply-lookup-wait", &[("seconds", &s)]),
    }
}

struct HistoryView {
    at: String,
    action_bn: String,
    action_en: String,
    note: String,
}

struct StatusView {
    tracking: String,
    tracking_bn: String,
    type_bn: String,
    type_en: String,
    status: &'static str,
    status_bn: String,
    status_en: String,
    note: String,
    history: Vec<HistoryView>,
    editable: bool,
}

fn action_str(a: Action) -> &'static str {
    match a {
        Action::Submit => "submit",
        Action::Resubmit => "resubmit",
        Action::Pay => "pay",
        Action::ApproveFirst => "approve_first",
        Action::Approve => "approve",
        Action::Hold => "hold",
        Action::SendBack => "send_back",
        Action::Reject => "reject",
    }
}

fn status_view(a: &Application) -> StatusView {
    let t = cert_type_by_key(&a.cert_type);
    let s = a.status.as_str();
    let tr = tracking(a.id);
    StatusView {
        tracking_bn: bangla_digits(&tr),
        tracking: tr,
        type_bn: t.map_or_else(|| a.cert_type.clone(), |t| t.name_bn.to_owned()),
        type_en: t.map_or_else(|| a.cert_type.clone(), |t| t.name_en.to_owned()),
        status: s,
        status_bn: crate::l10n::bn(&format!("apply-status-{s}")),
        status_en: crate::l10n::en(&format!("apply-status-{s}")),
        note: match a.status {
            Status::SentBack | Status::Rejected => a.last_note().unwrap_or_default().to_owned(),
            _ => String::new(),
        },
        history: a
            .history
            .iter()
            .map(|h| {
                let id = format!("apply-action-{}", action_str(h.action));
                HistoryView {
                    at: bangla_digits(&crate::accounts::dhaka_time(h.at)),
                    action_bn: crate::l10n::bn(&id),
                    action_en: crate::l10n::en(&id),
                    note: h.note.clone(),
                }
            })
            .collect(),
        editable: a.status == Status::SentBack,
    }
}

#[derive(Template)]
#[template(path = "apply_status.html", escape = "sonod")]
struct StatusPage {
    chrome: Chrome,
    tracking: String,
    error: Option<Msg>,
    result: Option<StatusView>,
    proof: String,
}

#[derive(Deserialize, Default)]
struct StatusForm {
    #[serde(default)]
    tracking: String,
    #[serde(default)]
    mobile: String,
}

/// `GET /status`: the lookup form (a POST, so the mobile number stays out of URLs and logs).
async fn status_page(State(state): State<AppState>, caller: Option<Caller>) -> Response {
    page(
        StatusCode::OK,
        html(&StatusPage {
            chrome: Chrome::new(&state, caller.as_ref()),
            tracking: String::new(),
            error: None,
            result: None,
            proof: String::new(),
        }),
    )
}

/// `POST /status`: the application's status and history, nothing more.
async fn status_lookup(
    State(state): State<AppState>,
    caller: Option<Caller>,
    ClientAddr(addr): ClientAddr,
    axum::Form(f): axum::Form<StatusForm>,
) -> Response {
    let tracking_typed: String = f.tracking.chars().take(40).collect();
    let answer = |status: StatusCode, error: Option<Msg>, result: Option<StatusView>| {
        page(
            status,
            html(&StatusPage {
                chrome: Chrome::new(&state, caller.as_ref()),
                tracking: tracking_typed.clone(),
                error,
                result,
                proof: f.mobile.chars().take(20).collect(),
            }),
        )
    };
    let Some(id) = parse_tracking(&f.tracking) else {
        return answer(StatusCode::NOT_FOUND, Some(lookup_refused()), None);
    };
    match find_own(&state, id, &f.mobile, addr) {
        Ok(a) => answer(StatusCode::OK, None, Some(status_view(&a))),
        Err(Refusal::Wait(secs)) => {
            let mut r = answer(StatusCode::TOO_MANY_REQUESTS, Some(wait_msg(secs)), None);
            r.headers_mut().insert(header::RETRY_AFTER, secs.into());
            r
        }
        Err(Refusal::NotFound) => answer(StatusCode::NOT_FOUND, Some(lookup_refused()), None),
        Err(Refusal::Store(e)) => AppError::from(e).into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// Documents, for officials

/// `GET /applications/{id}/documents/{index}`: a supporting document, for a signed-in
/// official with the Print permission; always as a download, never rendered.
async fn document(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, index)): Path<(String, u8)>,
) -> Result<Response, AppError> {
    caller.require(Permission::Print)?;
    let missing = || AppError::NotFound(crate::l10n::both("apply-no-document", &[]));
    let id = parse_tracking(&id).ok_or_else(missing)?;
    let a = state.ledger().application(id)?.ok_or_else(missing)?;
    let d = a
        .documents
        .iter()
        .find(|d| d.index == index)
        .ok_or_else(missing)?;
    let bytes = state.ledger().document(id, index)?.ok_or_else(missing)?;
    let ext = match d.content_type.as_str() {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        _ => "pdf",
    };
    Ok((
        [
            (header::CONTENT_TYPE, d.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}-{index}.{ext}\"", tracking(id)),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

// ---------------------------------------------------------------------------------------------
// JSON API

/// A problem+json answer with the fields' errors (`errors: [{field, bn, en}]`).
fn field_problem(status: StatusCode, id: &str, errors: &[FieldError]) -> Response {
    let p = sonod_serve::Problem::new(status, crate::l10n::both(id, &[]));
    let mut body: Json = serde_json::from_str(&p.body()).unwrap_or_default();
    if let Some(m) = body.as_object_mut() {
        m.insert(
            "errors".into(),
            serde_json::to_value(errors).unwrap_or_default(),
        );
    }
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body.to_string(),
    )
        .into_response()
}

/// The API's JSON body: the form's fields by the same names (`heirs` and `owners` as arrays),
/// `type`, the operator's `centre`, and `documents` as `[{name, content_base64}]`.
fn read_api_body(body: &[u8]) -> Result<(String, Posted), AppError> {
    let v: Json = serde_json::from_slice(body).map_err(|e| {
        AppError::BadRequest(crate::l10n::both(
            "apply-api-json",
            &[("error", &e.to_string())],
        ))
    })?;
    let Json::Object(m) = v else {
        return Err(AppError::BadRequest(crate::l10n::both(
            "apply-api-json",
            &[("error", "not an object")],
        )));
    };
    let mut posted = Posted::default();
    let mut cert_type = String::new();
    let mut pairs: Vec<(String, String)> = Vec::new();
    let text = |v: &Json| match v {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    };
    for (k, v) in m {
        match (k.as_str(), &v) {
            ("type", Json::String(s)) => cert_type = s.clone(),
            ("centre", _) => posted.centre = text(&v).unwrap_or_default(),
            ("mobile_proof", _) => posted.proof = text(&v).unwrap_or_default(),
            ("documents", Json::Array(docs)) => {
                for (n, d) in docs.iter().enumerate() {
                    let label = form::document_label(d["name"].as_str().unwrap_or(""));
                    let decoded = d["content_base64"].as_str().and_then(|b| {
                        use base64::Engine;
                        base64::engine::general_purpose::STANDARD.decode(b).ok()
                    });
                    match decoded {
                        Some(bytes) if bytes.len() > MAX_DOCUMENT_BYTES => {
                            let mb = (MAX_DOCUMENT_BYTES / (1024 * 1024)).to_string();
                            posted.document_errors.push(FieldError::new(
                                &format!("documents.{n}"),
                                "apply-err-document-size",
                                &[("name", &label), ("mb", &mb)],
                            ));
                        }
                        Some(bytes) if !bytes.is_empty() => {
                            posted.uploads.push(Upload { label, bytes })
                        }
                        _ => posted.document_errors.push(FieldError::new(
                            &format!("documents.{n}"),
                            "apply-err-document-base64",
                            &[],
                        )),
                    }
                }
            }
            (key, Json::Array(rows)) => {
                for (n, row) in rows.iter().enumerate().take(form::MAX_ROWS) {
                    match row {
                        Json::Object(p) => {
                            for part in ["name", "relation", "age"] {
                                if let Some(s) = p.get(part).and_then(text) {
                                    pairs.push((format!("{key}.{n}.{part}"), s));
                                }
                            }
                        }
                        other => {
                            if let Some(s) = text(other) {
                                pairs.push((format!("{key}.{n}"), s));
                            }
                        }
                    }
                }
            }
            (key, other) => {
                if let Some(s) = text(other) {
                    pairs.push((key.to_owned(), s));
                }
            }
        }
    }
    posted.input = FormInput::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    Ok((cert_type, posted))
}

/// The answer to a stored application.
fn stored_json(status: StatusCode, a: &Application) -> Response {
    let tr = tracking(a.id);
    (
        status,
        axum::Json(serde_json::json!({
            "id": a.id,
            "tracking": tr,
            "tracking_bn": bangla_digits(&tr),
            "type": a.cert_type,
            "status": a.status.as_str(),
            "ward": a.ward,
            "documents": a.documents.iter().map(|d| serde_json::json!({
                "index": d.index, "content_type": d.content_type, "size": d.size,
            })).collect::<Vec<_>>(),
            "entered_by": a.entered_by,
        })),
    )
        .into_response()
}

fn duplicate_json(open: u64) -> Response {
    let tr = tracking(open);
    let detail = format!(
        "{} / {}",
        crate::l10n::bn_args("apply-duplicate", &[("tracking", &bangla_digits(&tr))]),
        crate::l10n::en_args("apply-duplicate", &[("tracking", &tr)])
    );
    let p = sonod_serve::Problem::new(StatusCode::CONFLICT, detail);
    let mut body: Json = serde_json::from_str(&p.body()).unwrap_or_default();
    body["open_tracking"] = Json::from(tr);
    (
        StatusCode::CONFLICT,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body.to_string(),
    )
        .into_response()
}

/// The operator behind an API request: a bearer token's account (with the centre's name);
/// a citizen without one. A session cookie is not used for API writes.
fn api_operator(
    caller: Option<&Caller>,
    posted: &Posted,
    errors: &mut Vec<FieldError>,
) -> Result<Option<EnteredBy>, AppError> {
    match caller.filter(|c| !c.by_session) {
        None => Ok(None),
        Some(c) => {
            c.require_token(Permission::Print)?;
            let place = check_centre(&posted.centre, errors);
            Ok(Some(EnteredBy {
                account: c.actor.name.clone(),
                place,
            }))
        }
    }
}

/// `POST /api/v1/applications`.
async fn api_submit(
    State(state): State<AppState>,
    caller: Option<Caller>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    if !is_json(&headers) {
        return Err(AppError::UnsupportedMediaType);
    }
    let (key, posted) = read_api_body(&body)?;
    let Some(t) = cert_type_by_key(&key) else {
        return Ok(field_problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "apply-invalid",
            &[FieldError::new("type", "apply-unknown-type", &[])],
        ));
    };
    if !state.settings().get().type_settings(t.key).offered {
        return Ok(field_problem(
            StatusCode::FORBIDDEN,
            "apply-not-offered-api",
            &[FieldError::new(
                "type",
                "apply-not-offered",
                &[("type_bn", t.name_bn), ("type_en", t.name_en)],
            )],
        ));
    }
    let mut errors = posted.document_errors.clone();
    let entered_by = api_operator(caller.as_ref(), &posted, &mut errors)?;
    let sub = Submission {
        cert_type: t,
        input: posted.input.clone(),
        uploads: posted.uploads_clone(),
        errors,
        entered_by,
        resubmit: None,
    };
    Ok(api_outcome(store(&state, sub).await?, StatusCode::CREATED))
}

fn api_outcome(o: Outcome, ok: StatusCode) -> Response {
    match o {
        Outcome::Stored(a) => stored_json(ok, &a),
        Outcome::Duplicate(open) => duplicate_json(open),
        Outcome::Invalid(errors) => {
            field_problem(StatusCode::UNPROCESSABLE_ENTITY, "apply-invalid", &errors)
        }
        Outcome::NotYours => {
            AppError::NotFound(crate::l10n::both("apply-lookup-refused", &[])).into_response()
        }
        Outcome::NotEditable(s) => AppError::Conflict(crate::l10n::both(
            "apply-not-editable",
            &[
                (
                    "status_bn",
                    &crate::l10n::bn(&format!("apply-status-{}", s.as_str())),
                ),
                (
                    "status_en",
                    &crate::l10n::en(&format!("apply-status-{}", s.as_str())),
                ),
            ],
        ))
        .into_response(),
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            let v = v.split(';').next().unwrap_or("").trim();
            v.eq_ignore_ascii_case("application/json")
        })
}

/// The JSON API's one answer for an unknown tracking number and a wrong mobile number.
fn api_lookup_refused() -> AppError {
    AppError::NotFound(crate::l10n::both("apply-lookup-refused", &[]))
}

/// [`find_own`] for the JSON API: the application, or the answer to send instead (a wait,
/// with `Retry-After`; the one refusal; a store error).
fn api_find_own(
    state: &AppState,
    id: u64,
    mobile: &str,
    addr: Option<IpAddr>,
) -> Result<Application, Box<Response>> {
    let answer = match find_own(state, id, mobile, addr) {
        Ok(a) => return Ok(a),
        Err(Refusal::Wait(secs)) => sonod_serve::Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            crate::l10n::both("apply-lookup-wait", &[("seconds", &secs.to_string())]),
        )
        .with_retry_after(secs)
        .into_response(),
        Err(Refusal::NotFound) => api_lookup_refused().into_response(),
        Err(Refusal::Store(e)) => AppError::from(e).into_response(),
    };
    Err(Box::new(answer))
}

/// `POST /api/v1/applications/{tracking}/resubmit`: a correction, with `mobile_proof`.
async fn api_resubmit(
    State(state): State<AppState>,
    caller: Option<Caller>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Path(tr): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    if !is_json(&headers) {
        return Err(AppError::UnsupportedMediaType);
    }
    let id = parse_tracking(&tr).ok_or_else(api_lookup_refused)?;
    let (_, posted) = read_api_body(&body)?;
    let found = match api_find_own(&state, id, &posted.proof, addr) {
        Ok(a) => a,
        Err(answer) => return Ok(*answer),
    };
    let t = cert_type_by_key(&found.cert_type)
        .ok_or_else(|| AppError::Internal("an application of an unknown type".into()))?;
    let mut errors = posted.document_errors.clone();
    let entered_by = api_operator(caller.as_ref(), &posted, &mut errors)?;
    let sub = Submission {
        cert_type: t,
        input: posted.input.clone(),
        uploads: posted.uploads_clone(),
        errors,
        entered_by,
        resubmit: Some((id, posted.proof.clone())),
    };
    Ok(api_outcome(store(&state, sub).await?, StatusCode::OK))
}

#[derive(Deserialize)]
struct StatusQuery {
    #[serde(default)]
    tracking: String,
    #[serde(default)]
    mobile: String,
}

/// `GET /api/v1/applications/status?tracking=&mobile=`: status and history, nothing more.
async fn api_status(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Query(q): Query<StatusQuery>,
) -> Result<Response, AppError> {
    let id = parse_tracking(&q.tracking).ok_or_else(api_lookup_refused)?;
    let a = match api_find_own(&state, id, &q.mobile, addr) {
        Ok(a) => a,
        Err(answer) => return Ok(*answer),
    };
    let v = status_view(&a);
    Ok((
        [(header::CACHE_CONTROL, "private, no-store")],
        axum::Json(serde_json::json!({
            "tracking": v.tracking,
            "tracking_bn": v.tracking_bn,
            "type": a.cert_type,
            "status": v.status,
            "status_bn": v.status_bn,
            "status_en": v.status_en,
            "note": (!v.note.is_empty()).then_some(v.note),
            "history": a.history.iter().map(|h| serde_json::json!({
                "at": h.at,
                "action": action_str(h.action),
                "note": (!h.note.is_empty()).then_some(&h.note),
            })).collect::<Vec<_>>(),
        })),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_received_sms_fits_two_unicode_parts_for_every_type() {
        for t in CERT_TYPES {
            let text = received_sms(t, 999_999_999_999_999);
            let n = crate::sms::utf16_len(&text);
            assert!(
                n <= crate::sms::MAX_UTF16,
                "{}: {n} UTF-16 units: {text}",
                t.key
            );
            assert!(text.contains("A-৯৯৯৯৯৯৯৯৯৯৯৯৯৯৯"), "{text}");
        }
    }
}
