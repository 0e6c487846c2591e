//! The pages people see: the result a phone camera opens from the QR (`GET /V/<payload>`) and
//! the page to upload or photograph a QR code (`/scan`). Rendered on the server, no
//! JavaScript; Bangla first, English under it; a strict CSP and no referrer, so a certificate's
//! URL (which carries its facts) is never sent to another site.

use std::fmt::Write as _;
use std::time::Duration;

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
use crate::verdict::{Unchecked, Verdict, VerdictKind, LOOK_ALIKE_HEADLINE};

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

/// Escapes text for HTML.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font-family:'Noto Sans Bengali','Noto Sans','Hind Siliguri','SolaimanLipi','Nirmala UI',sans-serif;font-size:18px;line-height:1.5;color:#111;background:#f3f4f6}
main{max-width:40rem;margin:0 auto;padding:0 0 2rem}
.en{display:block;font-size:.82em;color:#374151;font-family:'Noto Sans',Roboto,Arial,sans-serif}
.state{padding:1.25rem 1rem 1.1rem;color:#fff;text-align:center}
.state .en{color:#fff;opacity:.95}
.ok{background:#0b6b2f}
.bad{background:#b3141b}
.unsure{background:#8f4700}
.card.unconfirmed{border:3px dashed #8f4700}
.intro{background:#1f2937}
.mark{font-size:3.4rem;line-height:1;font-weight:700;font-family:'Noto Sans',Arial,sans-serif}
h1{margin:.3rem 0 .5rem;font-size:2rem;line-height:1.25}
h1 .en{font-size:1.2rem;font-weight:600}
.reason{margin:.2rem 0;font-size:1.05rem}
.who{margin:.6rem 0 0;font-size:1.1rem;font-weight:600}
.who .en{font-weight:400}
.when{margin:.5rem auto 0;font-size:.9rem;display:inline-block;border:1px solid rgba(255,255,255,.7);border-radius:.4rem;padding:.15rem .6rem}
.card{background:#fff;margin:.75rem .6rem 0;padding:.85rem 1rem;border-radius:.6rem;box-shadow:0 1px 2px rgba(0,0,0,.12)}
h2{margin:0 0 .4rem;font-size:1.15rem}
h2 .en{display:inline;font-size:.85em;font-weight:400}
.hint{margin:0 0 .5rem;color:#374151;font-size:.95rem}
dl{margin:0}
dt{margin-top:.65rem;font-size:.9rem;color:#374151}
dt .en{display:inline;font-size:1em}
dd{margin:0;font-size:1.4rem;font-weight:600;line-height:1.35;word-break:break-word}
dd .en{font-size:1rem;font-weight:400}
dd ul{margin:.1rem 0 0;padding-left:1.2rem}
.small dd{font-size:1.05rem;font-weight:500}
.warn{background:#fff4d6;border:2px solid #8a5a00;color:#3d2800;margin:.75rem .6rem 0;padding:.7rem .9rem;border-radius:.6rem;font-weight:600}
.warn .en{color:#3d2800;font-weight:400}
.dev{background:repeating-linear-gradient(135deg,#ffd400 0 14px,#111 14px 28px);padding:.35rem}
.dev p{margin:0;background:#ffd400;color:#111;text-align:center;font-weight:700;padding:.35rem}
.btn{display:block;width:100%;text-align:center;background:#1d4ed8;color:#fff;text-decoration:none;font:inherit;font-weight:600;border:0;border-radius:.6rem;padding:.8rem 1rem;margin-top:.6rem}
.btn .en{color:#fff}
.pick{display:block;margin:.6rem 0;padding:.7rem;border:2px dashed #6b7280;border-radius:.6rem;background:#f9fafb}
input[type=file]{font:inherit;font-size:.95rem;margin-top:.3rem;width:100%}
textarea{width:100%;font:inherit;font-size:.95rem;min-height:4.5rem;margin-top:.3rem}
footer{max-width:40rem;margin:1.2rem auto 0;padding:0 1rem;color:#4b5563;font-size:.85rem}
"#;

fn page(title: &str, development: bool, body: &str) -> String {
    let dev = if development {
        format!(
            r#"<div class="dev" role="alert"><p>{}</p></div>"#,
            esc(DEV_WARNING)
        )
    } else {
        String::new()
    };
    format!(
        r#"<!DOCTYPE html>
<html lang="bn"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow"><meta name="referrer" content="no-referrer">
<title>{title}</title><style>{STYLE}</style></head>
<body>{dev}<main>{body}</main>
<footer>সনদ — সরকারি সনদ যাচাই। এই পাতা কোনো তথ্য সংরক্ষণ করে না।<span class="en">Sonod — certificate verification. This page keeps no record of what you check.</span></footer>
</body></html>"#,
        title = esc(title),
    )
}

/// Bangla text with its English below it.
fn bi(bn: &str, en: &str) -> String {
    if bn == en {
        return esc(bn);
    }
    format!(
        r#"{}<span class="en" lang="en">{}</span>"#,
        esc(bn),
        esc(en)
    )
}

/// A time in Dhaka: Bangla date and Bangla digits, then English.
fn dhaka_time(t: OffsetDateTime) -> (String, String) {
    let d = t.to_offset(DHAKA_OFFSET);
    let hm = format!("{:02}:{:02}", d.hour(), d.minute());
    (
        format!("{}, {}", bangla_date(d.date()), bangla_digits(&hm)),
        format!("{} {hm} (Dhaka time, UTC+6)", d.date()),
    )
}

fn field_value(v: &Value) -> String {
    match v {
        Value::Persons(ps) => {
            let mut s = String::from("<ul>");
            for p in ps {
                let _ = write!(s, "<li>{} ({}", esc(&p.name), esc(&p.relation));
                if let Some(a) = p.age {
                    let _ = write!(s, ", {} বছর", bangla_digits(&a.to_string()));
                }
                s.push_str(")</li>");
            }
            s.push_str("</ul>");
            s
        }
        Value::TextList(l) => {
            let mut s = String::from("<ul>");
            for t in l {
                let _ = write!(s, "<li>{}</li>", esc(t));
            }
            s.push_str("</ul>");
            s
        }
        other => bi(&other.display_bn(), &other.display_en()),
    }
}

/// Where the QR that brought the reader here pointed, and whether that host is official.
#[derive(Debug, Clone)]
struct HostCheck {
    host: String,
    official: bool,
}

fn host_warning(h: &HostCheck) -> String {
    format!(
        r#"<div class="warn" role="alert">সতর্কতা: এই কিউআর কোড যে ঠিকানায় নিয়ে যায় ({host}) তা বিশ্বাস-তালিকার কোনো সরকারি যাচাই-ঠিকানা নয়। নকল ওয়েবসাইট হতে পারে — শুধু সরকারি ঠিকানায় যাচাই করুন।<span class="en" lang="en">Warning: this QR code points to {host}, which is not an official verification address in the trust list. It may be a look-alike site — verify only on an official address.</span></div>"#,
        host = esc(&h.host)
    )
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

fn verdict_section(state: &AppState, answer: &Answer, host: Option<&HostCheck>) -> String {
    let v: &Verdict = &answer.verdict;
    let (head_bn, head_en) = page_headline(v, host);
    let mut s = String::new();
    let tone = tone(v, host);
    let unconfirmed = v.kind == VerdictKind::Unconfirmed;
    let (checked_bn, checked_en) = dhaka_time(answer.checked_at);
    // Who issued it and when it was checked, in the band itself: a screenshot of an old
    // answer shows an old time. An unconfirmed certificate only carries the office key's
    // signature: the office is not said to have issued it.
    let issuer = v
        .office
        .as_ref()
        .filter(|_| v.certificate.is_some())
        .map(|o| {
            if unconfirmed {
                format!(
                    r#"<p class="who">স্বাক্ষর: {}-এর চাবিতে<span class="en" lang="en">Signed with the key of {}</span></p>"#,
                    esc(&o.name_bn),
                    esc(&o.name_en)
                )
            } else {
                format!(
                    r#"<p class="who">প্রদানকারী: {}<span class="en" lang="en">Issued by {}</span></p>"#,
                    esc(&o.name_bn),
                    esc(&o.name_en)
                )
            }
        })
        .unwrap_or_default();
    let (cls, mark) = match tone {
        Tone::Good => ("ok", "✓"),
        Tone::Unsure => ("unsure", "!"),
        Tone::Bad => ("bad", "✗"),
    };
    let _ = write!(
        s,
        r#"<section class="state {cls}" role="status"><div class="mark" aria-hidden="true">{mark}</div><h1>{head}</h1><p class="reason">{reason}</p>{issuer}<p class="when">যাচাই: {cbn}<span class="en" lang="en">Checked {cen}</span></p></section>"#,
        head = bi(head_bn, head_en),
        reason = bi(&v.reason_bn, &v.reason_en),
        cbn = esc(&checked_bn),
        cen = esc(&checked_en),
    );
    let payload_host = v
        .host
        .as_ref()
        .zip(v.host_official)
        .map(|(h, ok)| HostCheck {
            host: h.clone(),
            official: ok,
        });
    for h in host.into_iter().chain(payload_host.as_ref()) {
        if !h.official {
            s.push_str(&host_warning(h));
            break;
        }
    }
    if let Some(c) = &v.certificate {
        let r = &c.record;
        let t = r.cert_type();
        if unconfirmed {
            let _ = write!(
                s,
                r#"<section class="card unconfirmed"><h2>সনদে স্বাক্ষরিত তথ্য — নিশ্চিত নয় <span class="en" lang="en">· Signed facts — not confirmed</span></h2><p class="hint">এই তথ্য অফিসের চাবিতে স্বাক্ষরিত, কিন্তু অফিস সনদটি প্রদান করেছে কি না এবং বাতিল করেছে কি না তা নিশ্চিত হয়নি। শুধু এর ভিত্তিতে সিদ্ধান্ত নেবেন না। <span class="en" lang="en">These facts carry the office key's signature, but whether the office issued this certificate and has not revoked it is not confirmed. Do not rely on them alone.</span></p><dl>"#
            );
        } else {
            let _ = write!(
                s,
                r#"<section class="card"><h2>সনদের স্বাক্ষরিত তথ্য <span class="en" lang="en">· Signed facts</span></h2><p class="hint">কাগজের সাথে প্রতিটি তথ্য মিলিয়ে নিন। <span class="en" lang="en">Compare every fact with the paper.</span></p><dl>"#
            );
        }
        let mut row = |label_bn: &str, label_en: &str, value: String| {
            let _ = write!(
                s,
                r#"<dt>{} <span class="en" lang="en">· {}</span></dt><dd>{value}</dd>"#,
                esc(label_bn),
                esc(label_en)
            );
        };
        row("সনদের ধরন", "Certificate", bi(t.name_bn, t.name_en));
        let serial = c.serial.to_string();
        row(
            "ক্রমিক নং",
            "Serial no.",
            bi(&bangla_digits(&serial), &serial),
        );
        for (f, value) in r.fields() {
            row(f.label_bn, f.label_en, field_value(value));
        }
        row(
            "প্রদানের তারিখ",
            "Issued on",
            bi(&bangla_date(r.issued()), &r.issued().to_string()),
        );
        if let Some(e) = r.expires() {
            row(
                "মেয়াদ শেষ",
                "Valid until",
                bi(&bangla_date(e), &e.to_string()),
            );
        }
        s.push_str("</dl></section>");
    }
    s.push_str(r#"<section class="card small"><dl>"#);
    if let Some(o) = &v.office {
        // Without a holding signature the office is only what the payload claims; without
        // the office's feed, only whose key signed it.
        let (label_bn, label_en) = match (v.certificate.is_some(), unconfirmed) {
            (true, false) => ("প্রদানকারী অফিস", "Issuing office"),
            (true, true) => ("স্বাক্ষরকারী চাবি যে অফিসের", "Office whose key signed it"),
            (false, _) => ("দাবিকৃত অফিস", "Office it claims"),
        };
        let _ = write!(
            s,
            r#"<dt>{label_bn} <span class="en" lang="en">· {label_en}</span></dt><dd>{}<span class="en" lang="en">{} · {}</span></dd>"#,
            esc(&o.name_bn),
            esc(&o.name_en),
            esc(&o.code)
        );
    }
    let (bn, en) = dhaka_time(answer.checked_at);
    let _ = write!(
        s,
        r#"<dt>যাচাইয়ের সময় <span class="en" lang="en">· Checked at</span></dt><dd>{}</dd>"#,
        bi(&bn, &en)
    );
    // The feed's freshness matters only where the feed was asked: the signature held.
    let feed_asked = v.certificate.is_some() || v.kind == VerdictKind::NotIssued;
    if let Some(o) = v.office.as_ref().filter(|_| feed_asked) {
        let synced = state
            .replica()
            .office(&o.code)
            .and_then(|f| f.synced_at())
            .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok());
        let value = match (v.unchecked, synced) {
            (Some(Unchecked::NoFeed), _) => bi(
                "এই যাচাই-সেবা এই অফিসের তালিকা অনুসরণ করে না — প্রদান ও বাতিল যাচাই হয়নি",
                "this verifier does not follow this office's list — issuance and revocation were not checked",
            ),
            (_, Some(t)) => {
                let (bn, en) = dhaka_time(t);
                bi(&bn, &en)
            }
            (_, None) => bi(
                "পাওয়া যায়নি — বাতিলের তথ্য যাচাই করা যায়নি",
                "not available — revocation could not be checked",
            ),
        };
        let _ = write!(
            s,
            r#"<dt>অফিসের বাতিল-তালিকা হালনাগাদ <span class="en" lang="en">· Office's revocation list as of</span></dt><dd>{value}</dd>"#
        );
    }
    if let Some(k) = &v.key_id {
        let _ = write!(
            s,
            r#"<dt>স্বাক্ষরের চাবি <span class="en" lang="en">· Signing key</span></dt><dd><span class="en" lang="en">{}</span></dd>"#,
            esc(&k.to_string())
        );
    }
    s.push_str("</dl></section>");
    s
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
        return LOOK_ALIKE_HEADLINE;
    }
    v.headline()
}

fn scan_link() -> String {
    r#"<div class="card"><a class="btn" href="/scan">আরেকটি সনদ যাচাই করুন<span class="en" lang="en">Check another certificate</span></a></div>"#.to_owned()
}

fn error_page(development: bool, status: StatusCode, e: &AppError) -> Response {
    let body = format!(
        r#"<section class="state bad" role="status"><div class="mark" aria-hidden="true">!</div><h1>{}</h1><p class="reason">{}</p></section>{}"#,
        bi("যাচাই করা যায়নি", "Could not check"),
        esc(&e.detail()),
        scan_link()
    );
    let mut resp = Html(page("সনদ যাচাই / Sonod verification", development, &body)).into_response();
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
    let dev = development(state);
    let mut body = String::new();
    for a in answers {
        body.push_str(&verdict_section(state, a, host));
    }
    body.push_str(&scan_link());
    let title = match answers {
        [a] => {
            let (bn, en) = page_headline(&a.verdict, host);
            format!("{bn} / {en} — সনদ যাচাই")
        }
        _ => "সনদ যাচাই / Sonod verification".to_owned(),
    };
    Html(page(&title, dev, &body)).into_response()
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
    Html(page(
        "কিউআর কোড যাচাই / Check a QR code",
        development(&state),
        &form(None),
    ))
    .into_response()
}

fn form(message: Option<(&str, &str)>) -> String {
    let msg = message
        .map(|(bn, en)| format!(r#"<div class="warn" role="alert">{}</div>"#, bi(bn, en)))
        .unwrap_or_default();
    format!(
        r#"<section class="state intro"><h1>{title}</h1><p class="reason">{sub}</p></section>{msg}
<form class="card" method="post" action="/scan" enctype="multipart/form-data">
<label class="pick">{photo}<input type="file" name="photo" accept="image/*" capture="environment"></label>
<label class="pick">{file}<input type="file" name="file" accept="image/*"></label>
<label class="pick">{text}<textarea name="text" maxlength="4400" autocomplete="off" spellcheck="false"></textarea></label>
<button class="btn" type="submit">{go}</button>
</form>"#,
        title = bi("সনদ যাচাই", "Check a certificate"),
        sub = bi(
            "সনদের কিউআর কোডের ছবি তুলুন বা ছবি বেছে নিন, তারপর \"যাচাই করুন\" চাপুন।",
            "Photograph the certificate's QR code or choose a photo, then press \"Check\"."
        ),
        photo = bi("ক্যামেরায় ছবি তুলুন", "Take a photo"),
        file = bi("অথবা ছবি বেছে নিন", "or choose an image"),
        text = bi("অথবা কোডের লেখা বসান", "or paste the code's text"),
        go = bi("যাচাই করুন", "Check"),
    )
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
            AppError::BadRequest(format!("ফর্ম পড়া যায়নি / cannot read the form: {e}"))
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
        let mut r = Html(page(
            "কিউআর কোড যাচাই / Check a QR code",
            dev,
            &form(Some((bn, en))),
        ))
        .into_response();
        *r.status_mut() = status;
        r
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
                        let e = AppError::Unavailable(
                            "সার্ভার ব্যস্ত, একটু পরে চেষ্টা করুন / the server is busy, try again shortly"
                                .into(),
                        );
                        return error_page(dev, e.status(), &e);
                    }
                };
            let decoded = tokio::task::spawn_blocking(move || decode_qr_image(&image)).await;
            drop(permit);
            match decoded {
                Ok(Ok(texts)) if texts.is_empty() => {
                    return form_again(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "ছবিতে কোনো কিউআর কোড পাওয়া যায়নি। কোডটি বড় ও স্পষ্ট করে আবার ছবি তুলুন।",
                        "No QR code was found in the image. Photograph the code again, larger and sharper.",
                    )
                }
                Ok(Ok(texts)) => texts,
                Ok(Err(e)) => {
                    let status = match e {
                        crate::image_decode::ImageError::FileTooLarge
                        | crate::image_decode::ImageError::TooManyPixels(..)
                        | crate::image_decode::ImageError::Expands => {
                            StatusCode::PAYLOAD_TOO_LARGE
                        }
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
                "কোনো ছবি বা লেখা পাঠানো হয়নি।",
                "No image or text was sent.",
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
