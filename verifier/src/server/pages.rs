//! The pages people see: the result a phone camera opens from the QR (`GET /V/<payload>`) and
//! the page to upload or photograph a QR code (`/scan`). Rendered on the server, no
//! JavaScript; Bangla first, English under it; a strict CSP and no referrer, so a certificate's
//! URL (which carries its facts) is never sent to another site.
//!
//! Each page is a template in `verifier/templates/` (`result.html`, `scan.html`,
//! `error.html`) on one layout (`layout.html`).

use std::time::Duration;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use sonod_keys::{DEV_WARNING, DHAKA_OFFSET};
use sonod_seal::{bangla_date, bangla_digits, Value};
use time::OffsetDateTime;
use tower_http::set_header::SetResponseHeaderLayer;

use super::error::AppError;
use super::{Answer, AppState};
use crate::image_decode::{decode_qr_image, MAX_FILE_BYTES};
use sonod_judge::{Unchecked, Verdict, VerdictKind, LOOK_ALIKE_HEADLINE};

/// The Content-Security-Policy of every page: no scripts, no outside resources, forms only to
/// this service, not framed.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Most QR codes judged from one photo.
const MAX_CODES_PER_PHOTO: usize = 4;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/V/{payload}", get(result))
        .route("/v/{payload}", get(result))
        .route("/", get(scan_form))
        .route(
            "/scan",
            get(scan_form)
                .post(scan_upload)
                .layer(DefaultBodyLimit::max(MAX_FILE_BYTES + (256 << 10))),
        )
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::HeaderName::from_static("x-robots-tag"),
            HeaderValue::from_static("noindex, nofollow"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
}

/// The pages' words: `verifier/locales/bn/verifier.ftl` and `…/en/verifier.ftl`, built in.
/// Templates call [`l10n::bn`] and [`l10n::en`] with a message id.
pub(crate) mod l10n {
    // Declared once for the crate (its errors' texts are in the same files).
    pub(crate) use crate::l10n::*;
}

/// Bangla text and its English (shown once when they are the same).
#[derive(Debug, Clone)]
struct Bi {
    bn: String,
    en: String,
}

/// A message in both languages.
fn msg(id: &str) -> Bi {
    Bi {
        bn: l10n::bn(id),
        en: l10n::en(id),
    }
}

fn bi(bn: &str, en: &str) -> Bi {
    Bi {
        bn: bn.to_owned(),
        en: en.to_owned(),
    }
}

/// A time in Dhaka: Bangla date and Bangla digits, then English.
fn dhaka_time(t: OffsetDateTime) -> Bi {
    let d = t.to_offset(DHAKA_OFFSET);
    let hm = format!("{:02}:{:02}", d.hour(), d.minute());
    Bi {
        bn: l10n::bn_args(
            "dhaka-time",
            &[
                ("date", &bangla_date(d.date())),
                ("time", &bangla_digits(&hm)),
            ],
        ),
        en: l10n::en_args(
            "dhaka-time",
            &[("date", &d.date().to_string()), ("time", &hm)],
        ),
    }
}

/// A signed fact's value: one line in both languages, or a list.
#[derive(Debug)]
enum FactValue {
    Bi(Bi),
    List(Vec<String>),
}

fn field_value(v: &Value) -> FactValue {
    match v {
        Value::Persons(ps) => FactValue::List(
            ps.iter()
                .map(|p| match p.age {
                    Some(a) => format!(
                        "{} ({}, {})",
                        p.name,
                        p.relation,
                        l10n::bn_with("person-age", "age", &bangla_digits(&a.to_string()))
                    ),
                    None => format!("{} ({})", p.name, p.relation),
                })
                .collect(),
        ),
        Value::TextList(l) => FactValue::List(l.clone()),
        other => FactValue::Bi(bi(&other.display_bn(), &other.display_en())),
    }
}

/// One row of the signed facts.
#[derive(Debug)]
struct FactRow {
    label_bn: String,
    label_en: String,
    value: FactValue,
}

/// An office row: of the small card, or (not verified) of the technical detail.
#[derive(Debug)]
struct OfficeRow {
    label_bn: String,
    label_en: String,
    name_bn: String,
    name_en: String,
    code: String,
}

/// One verdict as the page shows it (`templates/result.html`).
#[derive(Debug)]
struct VerdictView {
    /// The band's class: `ok`, `unsure` or `bad`.
    tone: &'static str,
    mark: &'static str,
    head: Bi,
    reason: Bi,
    unconfirmed: bool,
    /// The office's feed shows it issued the certificate (valid, or revoked since): only then
    /// "issued by"; otherwise the office is only whose key signed it.
    issuance_known: bool,
    /// Who issued it (or whose key signed it), names in Bangla and English.
    issuer: Option<Bi>,
    checked: Bi,
    /// A host that is not official, to warn about.
    warn_host: Option<String>,
    facts: Option<Vec<FactRow>>,
    /// The office, where the signature proved it: the issuing office, or whose key signed.
    office: Option<OfficeRow>,
    feed: Option<Bi>,
    /// The technical detail, apart from the reason: the verdict's [`sonod_judge::Detail`].
    detail: Option<Bi>,
    /// The office of the key the code names, when the signature did not prove it: a claim,
    /// in the technical detail only, labelled as not verified.
    claimed_office: Option<OfficeRow>,
    key_id: Option<String>,
}

#[derive(Template)]
#[template(path = "result.html", escape = "sonod")]
struct ResultPage {
    title: String,
    development: bool,
    dev_warning: &'static str,
    verdicts: Vec<VerdictView>,
}

#[derive(Template)]
#[template(path = "error.html", escape = "sonod")]
struct ErrorPage {
    title: String,
    development: bool,
    dev_warning: &'static str,
    detail: String,
}

#[derive(Template)]
#[template(path = "scan.html", escape = "sonod")]
struct ScanPage {
    title: String,
    development: bool,
    dev_warning: &'static str,
    message: Option<Bi>,
}

/// A page as the response body. Rendering fails only if a value's `Display` fails.
fn html(page: &impl Template) -> Html<String> {
    Html(page.render().unwrap_or_default())
}

/// Where the QR that brought the reader here pointed, and whether that host is official.
#[derive(Debug, Clone)]
struct HostCheck {
    host: String,
    official: bool,
}

/// How a verdict's band looks: green only for a verdict that checked everything and came from
/// an official address; amber for one whose signature holds but that is not confirmed, or
/// whose link or address is not official; red for the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tone {
    Good,
    Unsure,
    Bad,
}

fn verdict_view(state: &AppState, answer: &Answer, host: Option<&HostCheck>) -> VerdictView {
    let v: &Verdict = &answer.verdict;
    let (head_bn, head_en) = page_headline(v, host);
    let unconfirmed = v.kind == VerdictKind::Unconfirmed;
    // Who issued it and when it was checked, in the band itself: a screenshot of an old
    // answer shows an old time. An unconfirmed certificate only carries the office key's
    // signature: the office is not said to have issued it.
    let issuer = v
        .office
        .as_ref()
        .filter(|_| v.certificate.is_some())
        .map(|o| bi(&o.name_bn, &o.name_en));
    let (tone, mark) = match tone(v, host) {
        Tone::Good => ("ok", "✓"),
        Tone::Unsure => ("unsure", "!"),
        Tone::Bad => ("bad", "✗"),
    };
    let payload_host = v
        .host
        .as_ref()
        .zip(v.host_official)
        .map(|(h, ok)| HostCheck {
            host: h.clone(),
            official: ok,
        });
    let warn_host = host
        .into_iter()
        .chain(payload_host.as_ref())
        .find(|h| !h.official)
        .map(|h| h.host.clone());
    let facts = v.certificate.as_ref().map(|c| {
        let r = &c.record;
        let t = r.cert_type();
        // The number as the paper prints it (office code, hyphen, serial), first as there.
        let number = c.number();
        let mut rows = vec![
            FactRow {
                label_bn: l10n::bn("fact-number"),
                label_en: l10n::en("fact-number"),
                value: FactValue::Bi(bi(&number.bn(), &number.en())),
            },
            FactRow {
                label_bn: l10n::bn("fact-type"),
                label_en: l10n::en("fact-type"),
                value: FactValue::Bi(bi(t.name_bn, t.name_en)),
            },
        ];
        for (f, value) in r.fields_in_schema_order() {
            rows.push(FactRow {
                label_bn: f.label_bn.into(),
                label_en: f.label_en.into(),
                value: field_value(value),
            });
        }
        rows.push(FactRow {
            label_bn: l10n::bn("fact-issued"),
            label_en: l10n::en("fact-issued"),
            value: FactValue::Bi(bi(&bangla_date(r.issued()), &r.issued().to_string())),
        });
        if let Some(e) = r.expires() {
            rows.push(FactRow {
                label_bn: l10n::bn("fact-expires"),
                label_en: l10n::en("fact-expires"),
                value: FactValue::Bi(bi(&bangla_date(e), &e.to_string())),
            });
        }
        rows
    });
    // The office is a fact only where the signature holds with its key: then it issued the
    // certificate, or (unconfirmed, not issued, key stolen) its key signed it. Otherwise the
    // key is only what the code names: a claim, shown in the technical detail as one.
    // Expired and not-yet-valid are decided before the feed's word is used.
    let issuance_known = matches!(v.kind, VerdictKind::Valid | VerdictKind::Revoked);
    let signature_held = v.certificate.is_some()
        || matches!(v.kind, VerdictKind::NotIssued | VerdictKind::KeyCompromised);
    let office_row = |label: &str, o: &sonod_judge::Office| OfficeRow {
        label_bn: l10n::bn(label),
        label_en: l10n::en(label),
        name_bn: o.name_bn.clone(),
        name_en: o.name_en.clone(),
        code: o.code.to_string(),
    };
    let office = v.office.as_ref().filter(|_| signature_held).map(|o| {
        let label = if issuance_known {
            "office-issuing"
        } else {
            "office-key-of"
        };
        office_row(label, o)
    });
    let claimed_office = v
        .office
        .as_ref()
        .filter(|_| !signature_held)
        .map(|o| office_row("office-unverified", o));
    // The feed's freshness matters only where the feed was asked: the signature held.
    let feed_asked = v.certificate.is_some() || v.kind == VerdictKind::NotIssued;
    let feed = v.office.as_ref().filter(|_| feed_asked).map(|o| {
        let synced = state
            .replica()
            .office(&o.code)
            .and_then(|f| f.synced_at())
            .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok());
        match (v.unchecked, synced) {
            (Some(Unchecked::NoFeed), _) => msg("feed-not-followed"),
            (_, Some(t)) => dhaka_time(t),
            (_, None) => msg("feed-unavailable"),
        }
    });
    VerdictView {
        tone,
        mark,
        head: bi(head_bn, head_en),
        reason: bi(&v.reason_bn, &v.reason_en),
        unconfirmed,
        issuance_known,
        issuer,
        checked: dhaka_time(answer.checked_at),
        warn_host,
        facts,
        office,
        feed,
        detail: v.detail.as_ref().map(|d| bi(&d.bn, &d.en)),
        claimed_office,
        key_id: v.key_id.as_ref().map(|k| k.to_string()),
    }
}

/// The band's look: see [`Tone`]. A link or address that is not official never gets green.
fn tone(v: &Verdict, host: Option<&HostCheck>) -> Tone {
    let look_alike = v.look_alike_host() || host.is_some_and(|h| !h.official);
    match v.kind {
        VerdictKind::Valid if !look_alike => Tone::Good,
        VerdictKind::Valid | VerdictKind::Unconfirmed => Tone::Unsure,
        _ => Tone::Bad,
    }
}

/// The headline: [`Verdict::headline`], which a look-alike link in the payload never lets
/// read as plain "valid", and the same for a page reached at an address that is not official.
fn page_headline(v: &Verdict, host: Option<&HostCheck>) -> (&'static str, &'static str) {
    if v.kind == VerdictKind::Valid && host.is_some_and(|h| !h.official) {
        return *LOOK_ALIKE_HEADLINE;
    }
    v.headline()
}

fn error_page(development: bool, status: StatusCode, e: &AppError) -> Response {
    let mut resp = html(&ErrorPage {
        title: l10n::both("title-verification", &[]),
        development,
        dev_warning: DEV_WARNING.as_str(),
        detail: e.detail(),
    })
    .into_response();
    *resp.status_mut() = status;
    if let Some(secs) = e.retry_after() {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    resp
}

fn development(state: &AppState) -> bool {
    state.trust().current().is_some_and(|t| {
        t.judge().trust_list().environment() == sonod_keys::Environment::Development
    })
}

fn result_page(state: &AppState, answers: &[Answer], host: Option<&HostCheck>) -> Response {
    let title = match answers {
        [a] => {
            let (bn, en) = page_headline(&a.verdict, host);
            format!("{bn} / {en} — {}", l10n::bn("title-verification"))
        }
        _ => l10n::both("title-verification", &[]),
    };
    html(&ResultPage {
        title,
        development: development(state),
        dev_warning: DEV_WARNING.as_str(),
        verdicts: answers
            .iter()
            .map(|a| verdict_view(state, a, host))
            .collect(),
    })
    .into_response()
}

/// The host the reader's browser used: `Host`, else the configured public host.
fn request_host(state: &AppState, headers: &HeaderMap) -> Option<HostCheck> {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| state.config().public_host.clone())?;
    let official = state
        .trust()
        .current()
        .is_some_and(|t| t.judge().is_official_host(&host));
    Some(HostCheck {
        host: host.to_ascii_uppercase(),
        official,
    })
}

async fn result(
    State(state): State<AppState>,
    Path(payload): Path<String>,
    headers: HeaderMap,
) -> Response {
    let dev = development(&state);
    match state.verify(&payload).await {
        Ok(answer) => {
            let host = request_host(&state, &headers);
            result_page(&state, &[answer], host.as_ref())
        }
        Err(e) => error_page(dev, e.status(), &e),
    }
}

async fn scan_form(State(state): State<AppState>) -> Response {
    scan_page(development(&state), None).into_response()
}

/// The scan page, with what went wrong with the last photo.
fn scan_page(development: bool, message: Option<Bi>) -> Html<String> {
    html(&ScanPage {
        title: l10n::both("title-scan", &[]),
        development,
        dev_warning: DEV_WARNING.as_str(),
        message,
    })
}

/// What the scan form sent.
#[derive(Default)]
struct ScanForm {
    image: Option<Vec<u8>>,
    text: Option<String>,
}

async fn read_form(mut multipart: Multipart) -> Result<ScanForm, AppError> {
    let mut out = ScanForm::default();
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge(MAX_FILE_BYTES)
        } else {
            AppError::BadRequest(format!("{}: {e}", l10n::both("form-unreadable", &[])))
        }
    };
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_owned();
        let limit = if name == "text" {
            8 << 10
        } else {
            MAX_FILE_BYTES
        };
        let mut data = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(bad)? {
            if data.len() + chunk.len() > limit {
                return Err(AppError::TooLarge(limit));
            }
            data.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "photo" | "file" if !data.is_empty() && out.image.is_none() => out.image = Some(data),
            "text" if !data.is_empty() => {
                out.text = Some(String::from_utf8_lossy(&data).trim().to_owned());
            }
            _ => {}
        }
    }
    Ok(out)
}

async fn scan_upload(State(state): State<AppState>, multipart: Multipart) -> Response {
    let dev = development(&state);
    let form_again = |status: StatusCode, bn: &str, en: &str| {
        let mut r = scan_page(dev, Some(bi(bn, en))).into_response();
        *r.status_mut() = status;
        r
    };
    // A slot before the body is read: the uploads held in memory stay bounded.
    let Ok(Ok(_upload)) =
        tokio::time::timeout(Duration::from_secs(5), state.0.upload_slots.acquire()).await
    else {
        let e = AppError::Unavailable(l10n::both("server-busy", &[]));
        return error_page(dev, e.status(), &e);
    };
    let form = match read_form(multipart).await {
        Ok(f) => f,
        Err(e) => return error_page(dev, e.status(), &e),
    };
    let texts = match (form.image, form.text.filter(|t| !t.is_empty())) {
        (Some(image), _) => {
            let permit =
                match tokio::time::timeout(Duration::from_secs(5), state.0.scan_slots.acquire())
                    .await
                {
                    Ok(Ok(p)) => p,
                    _ => {
                        let e = AppError::Unavailable(l10n::both("server-busy", &[]));
                        return error_page(dev, e.status(), &e);
                    }
                };
            let decoded = tokio::task::spawn_blocking(move || decode_qr_image(&image)).await;
            drop(permit);
            match decoded {
                Ok(Ok(texts)) if texts.is_empty() => {
                    return form_again(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        &l10n::bn("no-qr-in-image"),
                        &l10n::en("no-qr-in-image"),
                    )
                }
                Ok(Ok(texts)) => texts,
                Ok(Err(e)) => {
                    let status = match e {
                        crate::image_decode::ImageError::FileTooLarge
                        | crate::image_decode::ImageError::TooManyPixels(..)
                        | crate::image_decode::ImageError::Expands => StatusCode::PAYLOAD_TOO_LARGE,
                        _ => StatusCode::UNPROCESSABLE_ENTITY,
                    };
                    let msg = e.to_string();
                    let (bn, en) = msg.split_once(" / ").unwrap_or((&msg, &msg));
                    return form_again(status, bn, en);
                }
                Err(e) => {
                    let e = AppError::Internal(e.to_string());
                    return error_page(dev, e.status(), &e);
                }
            }
        }
        (None, Some(text)) => vec![text],
        (None, None) => {
            return form_again(
                StatusCode::BAD_REQUEST,
                &l10n::bn("nothing-sent"),
                &l10n::en("nothing-sent"),
            )
        }
    };
    let texts = &texts[..texts.len().min(MAX_CODES_PER_PHOTO)];
    let mut answers = match state.verify_each(texts).await {
        Ok(a) => a,
        Err(e) => return error_page(dev, e.status(), &e),
    };
    // One wait for every code in the photo that is not yet in its office's feed.
    state.settle(&mut answers).await;
    result_page(&state, &answers.answers, None)
}
