//! The result and scan pages, through `oneshot`: content, headers, escaping, uploads, logs.

mod common;

use std::io::Write;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use sonod_keys::Environment;
use sonod_seal::Record;
use sonod_verifier::server::app;
use sonod_verifier::LOOK_ALIKE_HEADLINE;

/// A QR URL as a path segment (its slashes and colon escaped).
fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn page_request(path: &str, host: &str) -> Request<Body> {
    Request::get(path)
        .header("host", host)
        .body(Body::empty())
        .unwrap()
}

async fn page(
    state: &sonod_verifier::server::AppState,
    path: &str,
    host: &str,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let (s, h, b) = send(app(state.clone()), page_request(path, host)).await;
    (s, h, String::from_utf8(b).unwrap())
}

#[tokio::test]
async fn a_valid_certificate_page() {
    let f = Fixture::new();
    let state = f.state().await;
    let cert = f.valid(123_456);
    publish(&state, &f.office, &[(123_456, &cert)]);
    let path = format!("/V/{}", b32(cert.as_bytes()));
    let (s, h, html) = page(&state, &path, "verify.sonod.gov.bd").await;
    assert_eq!(s, StatusCode::OK);
    assert!(h["content-type"].to_str().unwrap().starts_with("text/html"));
    assert_eq!(
        h["content-security-policy"],
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    );
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["cache-control"], "no-store");
    for text in [
        "সঠিক ও বৈধ",
        "Genuine and valid",
        "মোহাম্মদ আব্দুল করিম",
        "১২৩৪৫৬",
        "123456",
        "নাগরিকত্ব সনদ",
        "সাভার পৌরসভা",
        "Savar Paurashava",
        "যাচাইয়ের সময়",
        "Checked at",
        "class=\"state ok\"",
        // The number as the paper prints it (issue #17: the page said "ক্রমিক নং ১২৩৪৫৬").
        "সনদ নং",
        "Certificate no.",
        "১০০৫২৪-১২৩৪৫৬",
        "100524-123456",
    ] {
        assert!(html.contains(text), "missing {text}");
    }
    assert!(!html.contains("ক্রমিক নং") && !html.contains("Serial no."));
    assert!(
        !html.contains("সতর্কতা"),
        "no host warning on the official host"
    );
    assert!(!html.contains("<script"), "no JavaScript");
    assert!(
        !html.contains("DEVELOPMENT"),
        "no development banner in production"
    );

    // The lower-case path works too.
    let (s, _, _) = page(
        &state,
        &path.replacen("/V/", "/v/", 1),
        "verify.sonod.gov.bd",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn forged_pages_are_red_and_show_no_facts() {
    let f = Fixture::new();
    let state = f.state().await;
    let (s, _, html) = page(
        &state,
        &format!("/V/{}", b32(&f.forged(5))),
        "verify.sonod.gov.bd",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("class=\"state bad\""));
    assert!(html.contains("জাল — স্বাক্ষর মেলেনি") && html.contains("Forged — bad signature"));
    assert!(
        !html.contains("মোহাম্মদ আব্দুল করিম"),
        "facts of a forgery are not shown"
    );
    // The office is what the code claims, not a fact: only in the technical detail, labelled.
    assert!(html.contains("Office of the key the code names — not verified"));
    assert!(!html.contains("Issuing office") && !html.contains("Issued by"));
    assert!(html.contains("do not accept it"), "says what to do: {html}");
    let (_, _, html) = page(&state, "/V/NOTBASE32!", "verify.sonod.gov.bd").await;
    assert!(html.contains("পড়া যায়নি") && html.contains("class=\"state bad\""));
}

/// Issue #17: one changed character (the office code) gave "untrusted issuer … the
/// certificate claims office 16877740" while the same page showed the office as 100524. The
/// reason now says what it means for the paper; the codes are technical detail, and the office
/// is shown only as the office of the key the code names, not verified.
#[tokio::test]
async fn regression_a_changed_office_code_reads_as_not_genuine_without_contradiction() {
    let f = Fixture::new();
    let state = f.state().await;
    let mut j = f.record(-1, None).to_json();
    j["office"] = "16877740".into();
    let changed = f.seal(9, &Record::from_json(&j).unwrap(), &f.office);
    let (_, _, html) = page(
        &state,
        &format!("/V/{}", b32(changed.as_bytes())),
        "verify.sonod.gov.bd",
    )
    .await;
    assert!(html.contains("class=\"state bad\""));
    let band = html.split("</section>").next().unwrap();
    assert!(
        band.contains("Not genuine") && band.contains("do not accept it"),
        "{band}"
    );
    assert!(
        !band.contains("16877740") && !band.contains("100524"),
        "{band}"
    );
    let tech = html
        .split("class=\"card small tech\"")
        .nth(1)
        .expect("technical detail");
    assert!(
        tech.contains("16877740") && tech.contains("100524"),
        "{tech}"
    );
    assert!(tech.contains("not verified"));
    assert!(!html.contains("মোহাম্মদ আব্দুল করিম"), "no facts");
    let v = verify(app(state.clone()), &b32(changed.as_bytes())).await;
    assert_eq!(v["verdict"], "untrusted_issuer");
    assert_eq!(v["reason_code"], "wrong_office");
    assert!(v["detail_en"].as_str().unwrap().contains("16877740"));
    assert!(!v["reason_en"].as_str().unwrap().contains("16877740"));
}

#[tokio::test]
async fn a_look_alike_host_is_warned_about() {
    let f = Fixture::new();
    let state = f.state().await;
    let path = format!("/V/{}", b32(f.valid(1).as_bytes()));
    let (_, _, html) = page(&state, &path, "verify.s0nod.gov.bd").await;
    assert!(
        html.contains("সতর্কতা") && html.contains("VERIFY.S0NOD.GOV.BD"),
        "{html}"
    );
    assert!(html.contains("not an official verification address"));
    // A host that is not even a host name is shown escaped.
    let (_, _, html) = page(&state, &path, "a\"<b>").await;
    assert!(html.contains("A&quot;&lt;B&gt;") && !html.contains("<B>"));
}

/// Regression: a valid certificate whose QR link names a host the trust list does not know
/// got the big green "Genuine and valid" with only a yellow box below. Now its headline is a
/// warning on amber; the box stays.
#[tokio::test]
async fn regression_a_look_alike_link_never_gets_the_green_headline() {
    let f = Fixture::new();
    let state = f.state().await;
    let cert = f.valid(3);
    publish(&state, &f.office, &[(3, &cert)]);
    let path = format!("/V/{}", b32(cert.as_bytes()));
    // The QR's own link points elsewhere (a scanned URL pasted in), or the page is reached
    // at a host that is not official.
    let evil_link = format!(
        "/V/{}",
        urlencode(&cert.to_qr_text(Some(&"VERIFY.S0NOD.GOV.BD".parse().unwrap())))
    );
    for (path, host) in [
        (evil_link.as_str(), "verify.sonod.gov.bd"),
        (path.as_str(), "verify.s0nod.gov.bd"),
    ] {
        let (s, _, html) = page(&state, path, host).await;
        assert_eq!(s, StatusCode::OK, "{html}");
        assert!(
            html.contains("class=\"state unsure\""),
            "{path} at {host}: {html}"
        );
        assert!(!html.contains("class=\"state ok\""));
        assert!(
            html.contains(LOOK_ALIKE_HEADLINE.0) && html.contains(LOOK_ALIKE_HEADLINE.1),
            "{html}"
        );
        assert!(!html.contains("সঠিক ও বৈধ") && !html.contains("Genuine and valid"));
        assert!(html.contains("সতর্কতা:") && html.contains("not an official verification address"));
        assert!(html.contains(&format!(
            "<title>{} / {}",
            LOOK_ALIKE_HEADLINE.0, LOOK_ALIKE_HEADLINE.1
        )));
    }
    // The official host and link: green.
    let (_, _, html) = page(&state, &path, "verify.sonod.gov.bd").await;
    assert!(html.contains("class=\"state ok\"") && html.contains("Genuine and valid"));
}

/// Regression: a development setup's own addresses were warned about as look-alikes when
/// written as 127.0.0.1 (the trust list names LOCALHOST:8081).
#[tokio::test]
async fn regression_development_hosts_are_not_warned_about() {
    let f = Fixture::with_hosts(Environment::Development, &["LOCALHOST:8081"]);
    let state = f.state().await;
    let cert = f.valid(4);
    publish(&state, &f.office, &[(4, &cert)]);
    for host in ["localhost:8081", "127.0.0.1:8081"] {
        let link = cert.to_qr_text(Some(&host.to_ascii_uppercase().parse().unwrap()));
        for path in [
            format!("/V/{}", b32(cert.as_bytes())),
            format!("/V/{}", urlencode(&link)),
        ] {
            let (s, _, html) = page(&state, &path, host).await;
            assert_eq!(s, StatusCode::OK, "{html}");
            assert!(!html.contains("সতর্কতা:"), "{host} {path}: {html}");
            assert!(
                html.contains("class=\"state ok\"") && html.contains("Genuine and valid"),
                "{host} {path}: {html}"
            );
        }
    }
    // Another address still is.
    let (_, _, html) = page(
        &state,
        &format!("/V/{}", b32(cert.as_bytes())),
        "10.0.0.5:8081",
    )
    .await;
    assert!(html.contains("সতর্কতা:") && html.contains("class=\"state unsure\""));
}

/// An office whose feed this verifier does not follow: the signature holds, nothing more was
/// checked. The page says so in amber, marks the facts as not confirmed, and names what was
/// not checked; so do the JSON and the batch.
#[tokio::test]
async fn an_office_not_followed_is_unconfirmed_in_amber() {
    let f = Fixture::new();
    let state = f.state().await;
    let cert = f.valid(5);
    let (s, _, html) = page(
        &state,
        &format!("/V/{}", b32(cert.as_bytes())),
        "verify.sonod.gov.bd",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    for text in [
        "class=\"state unsure\"",
        "স্বাক্ষর সঠিক — যাচাই অসম্পূর্ণ",
        "Signature genuine — not fully checked",
        "check again online on the official verification site",
        "card unconfirmed",
        "Signed facts — not confirmed",
        "Signed with the key of Savar Paurashava",
        "Office whose key signed it",
        "this verifier does not follow this office",
        "মোহাম্মদ আব্দুল করিম",
    ] {
        assert!(html.contains(text), "missing {text}: {html}");
    }
    for text in [
        "class=\"state ok\"",
        "Genuine and valid",
        "Issued by",
        "Issuing office",
    ] {
        assert!(!html.contains(text), "{text} in {html}");
    }
    let j = verify(app(state.clone()), &f.url(&cert)).await;
    assert_eq!(
        (j["verdict"].as_str(), j["valid"].as_bool()),
        (Some("unconfirmed"), Some(false))
    );
    assert_eq!(j["unchecked"]["code"], "no_feed");
    let (_, _, b) = send(
        app(state.clone()),
        post_json(
            "/api/v1/verify/batch",
            &serde_json::json!({ "payloads": [f.url(&cert), b32(&f.forged(6))] }),
        ),
    )
    .await;
    let j: serde_json::Value = serde_json::from_slice(&b).unwrap();
    assert_eq!(j["results"][0]["verdict"], "unconfirmed");
    assert_eq!(j["results"][0]["valid"], false);
    assert_eq!(j["results"][0]["unchecked"]["code"], "no_feed");
    assert_eq!(j["results"][1]["verdict"], "bad_signature");
}

/// A certificate the office's feed does not hold yet, with no feed source to read again: the
/// page is amber and says as of when the office's list was read.
#[tokio::test]
async fn a_certificate_not_yet_published_is_unconfirmed_in_amber() {
    let f = Fixture::new();
    let state = f.state().await;
    publish(&state, &f.office, &[(1, &f.valid(1))]);
    let cert = f.seal(7, &f.record(0, None), &f.office);
    let (_, _, html) = page(
        &state,
        &format!("/V/{}", b32(cert.as_bytes())),
        "verify.sonod.gov.bd",
    )
    .await;
    for text in [
        "class=\"state unsure\"",
        "Signature genuine — not fully checked",
        "not yet in the office&#39;s published list",
        "Signed facts — not confirmed",
        "Office's revocation list as of",
        "(Dhaka time, UTC+6)",
    ] {
        assert!(html.contains(text), "missing {text}: {html}");
    }
    assert!(!html.contains("Genuine and valid"));
}

#[tokio::test]
async fn development_lists_are_marked() {
    let f = Fixture::with_environment(Environment::Development);
    let state = f.state().await;
    let (_, _, html) = page(
        &state,
        &format!("/V/{}", b32(f.valid(1).as_bytes())),
        "localhost:8081",
    )
    .await;
    assert!(html.contains("DEVELOPMENT KEYS") && html.contains("উন্নয়ন চাবি"));
    let (_, _, html) = page(&state, "/scan", "localhost:8081").await;
    assert!(html.contains("DEVELOPMENT KEYS"));
}

#[tokio::test]
async fn signed_text_is_escaped() {
    let f = Fixture::new();
    let state = f.state().await;
    let mut j = f.record(-1, None).to_json();
    j["fields"]["name"] = "Karim <script>alert(1)</script> & \"Sons\"".into();
    let record = Record::from_json(&j).unwrap();
    let sealed = f.seal(9, &record, &f.office);
    let (_, _, html) = page(
        &state,
        &format!("/V/{}", b32(sealed.as_bytes())),
        "verify.sonod.gov.bd",
    )
    .await;
    assert!(html.contains("Karim &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Sons&quot;"));
    assert!(!html.contains("<script"));
}

fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> Request<Body> {
    let boundary = "XsonodBoundaryX";
    let mut body = Vec::new();
    for (name, filename, data) in parts {
        let _ = write!(
            body,
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\""
        );
        if let Some(fname) = filename {
            let _ = write!(body, "; filename=\"{fname}\"\r\nContent-Type: image/png");
        }
        let _ = write!(body, "\r\n\r\n");
        body.extend_from_slice(data);
        let _ = write!(body, "\r\n");
    }
    let _ = write!(body, "--{boundary}--\r\n");
    Request::post("/scan")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("host", "verify.sonod.gov.bd")
        .body(Body::from(body))
        .unwrap()
}

fn qr_png(text: &str) -> Vec<u8> {
    let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
    let img = code
        .render::<image::Luma<u8>>()
        .min_dimensions(400, 400)
        .build();
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

#[tokio::test]
async fn the_scan_page_reads_photos_and_text() {
    let f = Fixture::new();
    let state = f.state().await;
    let (s, h, html) = page(&state, "/scan", "verify.sonod.gov.bd").await;
    assert_eq!(s, StatusCode::OK);
    assert!(h.contains_key("content-security-policy"));
    assert!(html.contains(r#"accept="image/*" capture="environment""#));
    assert!(html.contains(r#"enctype="multipart/form-data""#));

    let cert = f.valid(77);
    publish(&state, &f.office, &[(77, &cert)]);
    let url = f.url(&cert);
    let (s, _, b) = send(
        app(state.clone()),
        multipart(&[("photo", Some("qr.png"), &qr_png(&url))]),
    )
    .await;
    let html = String::from_utf8(b).unwrap();
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains("সঠিক ও বৈধ") && html.contains("৭৭"));

    // A QR code pointing to a look-alike host is judged, and warned about: in the headline,
    // which is not green (it read "Genuine and valid" on green before), and in the box below.
    let evil = url.replace("VERIFY.SONOD.GOV.BD", "VERIFY.SONOD-GOV.BD");
    let (_, _, b) = send(
        app(state.clone()),
        multipart(&[("file", Some("qr.png"), &qr_png(&evil))]),
    )
    .await;
    let html = String::from_utf8(b).unwrap();
    assert!(
        html.contains(LOOK_ALIKE_HEADLINE.0)
            && html.contains(LOOK_ALIKE_HEADLINE.1)
            && html.contains("class=\"state unsure\"")
            && !html.contains("সঠিক ও বৈধ")
            && !html.contains("class=\"state ok\"")
            && html.contains("VERIFY.SONOD-GOV.BD")
            && html.contains("সতর্কতা"),
        "{html}"
    );

    // Pasted text.
    let forged = b32(&f.forged(78));
    let (s, _, b) = send(
        app(state.clone()),
        multipart(&[("photo", Some(""), b""), ("text", None, forged.as_bytes())]),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(String::from_utf8(b)
        .unwrap()
        .contains("Forged — bad signature"));

    // No QR code in the picture; not a picture; nothing at all.
    let blank = {
        let img = image::GrayImage::from_pixel(200, 200, image::Luma([255]));
        let mut out = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    };
    let (s, _, b) = send(
        app(state.clone()),
        multipart(&[("photo", Some("x.png"), &blank)]),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(String::from_utf8(b)
        .unwrap()
        .contains("No QR code was found"));
    let (s, _, _) = send(
        app(state.clone()),
        multipart(&[("photo", Some("x.png"), b"this is not an image at all")]),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _, _) = send(app(state.clone()), multipart(&[])).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // Too many pixels: refused before decoding.
    let huge = {
        let img = image::GrayImage::from_pixel(4100, 10, image::Luma([255]));
        let mut out = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    };
    let (s, _, b) = send(
        app(state.clone()),
        multipart(&[("photo", Some("x.png"), &huge)]),
    )
    .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    let html = String::from_utf8(b).unwrap();
    // The size in Bangla digits in the Bangla, in Latin ones in the English.
    assert!(
        html.contains("(৪১০০×১০)") && html.contains("(4100×10)"),
        "{html}"
    );
}

#[path = "../../qr/tests/support/photos.rs"]
mod photos;

/// A phone's photo of a certificate, 12 MP (4032×3024, over 4000 pixels a side) and 50 MP
/// (8160×6120): read at 1/2 and 1/4 scale, and judged. The same 12 MP picture as a PNG is still
/// refused by the pixel limit, in both languages with the size in each one's digits.
#[tokio::test]
async fn phone_photos_up_to_50_megapixels_are_read() {
    let f = Fixture::new();
    let state = f.state().await;
    let cert = f.valid(88);
    publish(&state, &f.office, &[(88, &cert)]);
    let url = f.url(&cert);
    for (w, h, module) in [(4032, 3024, 8), (8160, 6120, 16)] {
        let photo = photos::photo_jpeg(w, h, &url, module);
        let (s, _, b) = send(
            app(state.clone()),
            multipart(&[("photo", Some("IMG_0001.JPG"), &photo)]),
        )
        .await;
        let html = String::from_utf8(b).unwrap();
        assert_eq!(s, StatusCode::OK, "{w}×{h}: {html}");
        assert!(html.contains("class=\"state ok\""), "{w}×{h}: {html}");
    }
    // A camera's 50 MP JPEG carries more detail than this synthetic one: 20 MB, over the
    // 8 MiB the form took before (comment segments after the start-of-image marker pad it).
    let mut photo = photos::photo_jpeg(8160, 6120, &url, 16);
    let padding: Vec<u8> = (0..320)
        .flat_map(|_| {
            let mut seg = vec![0xFF, 0xFE, 0xFF, 0xFF];
            seg.resize(2 + 0xFFFF, b'x');
            seg
        })
        .collect();
    photo.splice(2..2, padding);
    assert!(photo.len() > 20_000_000, "{}", photo.len());
    let (s, _, b) = send(
        app(state.clone()),
        multipart(&[("photo", Some("IMG_0002.JPG"), &photo)]),
    )
    .await;
    let html = String::from_utf8(b).unwrap();
    assert_eq!(s, StatusCode::OK, "20 MB: {html}");
    assert!(html.contains("class=\"state ok\""), "20 MB: {html}");
    let png = {
        let img = image::GrayImage::from_pixel(4032, 3024, image::Luma([255]));
        let mut out = Vec::new();
        img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap();
        out
    };
    let (s, _, b) = send(
        app(state.clone()),
        multipart(&[("photo", Some("x.png"), &png)]),
    )
    .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    let html = String::from_utf8(b).unwrap();
    assert!(
        html.contains("ছবি অনেক বড় (৪০৩২×৩০২৪); JPEG ছবি সর্বোচ্চ ৫০ মেগাপিক্সেল")
            && html.contains("(4032×3024); JPEG photos up to 50 megapixels"),
        "{html}"
    );
}

/// A verdict decided before the office's feed was asked (expired, not yet valid) says whose
/// key signed the certificate, never that the office issued it: that was not checked.
#[tokio::test]
async fn only_a_checked_issuance_reads_issued_by() {
    let f = Fixture::new();
    let state = f.state().await;
    for (serial, record) in [(21, f.record(5, None)), (22, f.record(-300, Some(-1)))] {
        let cert = f.seal(serial, &record, &f.office);
        let (_, _, html) = page(
            &state,
            &format!("/V/{}", b32(cert.as_bytes())),
            "verify.sonod.gov.bd",
        )
        .await;
        assert!(html.contains("class=\"state bad\""), "{html}");
        assert!(
            html.contains("Signed with the key of Savar Paurashava")
                && html.contains("Office whose key signed it"),
            "{html}"
        );
        assert!(
            !html.contains("Issued by") && !html.contains("Issuing office"),
            "{html}"
        );
    }
}
