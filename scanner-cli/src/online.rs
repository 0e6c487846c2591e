//! `sonod-scan --verifier URL`: each payload judged by a verifier's `POST /api/v1/verify`.
//!
//! The answer is turned back into a [`Verdict`] so that it prints like a local one. The signed
//! facts are shown only when the verifier vouched for them (its answer has a certificate),
//! and they are read from the payload itself, which must agree with the verifier on the
//! serial and office.

use std::str::FromStr;
use std::time::Duration;

use serde_json::Value as Json;
use sonod_judge::{Detail, Office, Reason, Unchecked, Verdict, VerdictKind};
use sonod_keys::{KeyId, OfficeCode};

use crate::sync::{agent, base_url, read_body, SyncError};

/// Largest answer read.
pub const MAX_ANSWER_BYTES: u64 = 1 << 20;

/// A verifier to ask.
#[derive(Debug)]
pub struct OnlineVerifier {
    base: String,
    agent: ureq::Agent,
}

/// The verifier's answer for one payload.
#[derive(Debug, Clone)]
pub struct OnlineAnswer {
    /// The verdict, as if judged here.
    pub verdict: Verdict,
    /// When the verifier checked it (RFC 3339).
    pub checked_at: Option<String>,
    /// How current the verifier's replica of the office's feed was (its JSON).
    pub freshness: Option<Json>,
}

fn bad_answer(url: &str, what: &str) -> SyncError {
    SyncError::Connect {
        url: url.to_owned(),
        message: crate::messages::both_args("online-bad-answer", &[("what", what)]),
    }
}

impl OnlineVerifier {
    /// A client for the verifier at `url` (its base URL).
    pub fn new(url: &str, timeout: Duration) -> Result<OnlineVerifier, SyncError> {
        Ok(OnlineVerifier {
            base: base_url(url)?,
            agent: agent(timeout),
        })
    }

    /// The base URL.
    pub fn url(&self) -> &str {
        &self.base
    }

    /// Asks the verifier about one QR text.
    pub fn verify(&self, text: &str) -> Result<OnlineAnswer, SyncError> {
        let url = format!("{}/api/v1/verify", self.base);
        let body = serde_json::json!({ "payload": text }).to_string();
        let resp = self
            .agent
            .post(&url)
            .set("Content-Type", "application/json")
            .send_string(&body)
            .map_err(|e| crate::sync::classify(&url, e))?;
        let bytes = read_body(&url, resp, MAX_ANSWER_BYTES)?;
        let j: Json =
            serde_json::from_slice(&bytes).map_err(|e| bad_answer(&url, &e.to_string()))?;
        let verdict = verdict_from_json(&j, text).map_err(|e| bad_answer(&url, &e))?;
        Ok(OnlineAnswer {
            verdict,
            checked_at: j["checked_at"].as_str().map(str::to_owned),
            freshness: j.get("freshness").filter(|f| !f.is_null()).cloned(),
        })
    }
}

/// Rebuilds a verdict from the verification API's JSON for the payload `text`.
pub fn verdict_from_json(j: &Json, text: &str) -> Result<Verdict, String> {
    let name = j["verdict"].as_str().ok_or("no verdict")?;
    let kind = VerdictKind::from_name(name).ok_or_else(|| format!("unknown verdict {name:?}"))?;
    let unchecked = match j.get("unchecked") {
        Some(u) if u.is_object() => Some(
            u["code"]
                .as_str()
                .and_then(|c| Unchecked::from_code(c, u["as_of"].as_i64()))
                .ok_or("unknown unchecked code")?,
        ),
        _ => None,
    };
    if (kind == VerdictKind::Unconfirmed) != unchecked.is_some() {
        return Err("an unconfirmed verdict must say what was not checked".into());
    }
    let s = |k: &str| j[k].as_str().map(str::to_owned);
    let office = match j.get("office") {
        Some(o) if o.is_object() => Some(Office {
            code: o["code"]
                .as_str()
                .and_then(|c| OfficeCode::parse(c).ok())
                .ok_or("office without code")?,
            name_bn: o["name_bn"].as_str().unwrap_or_default().to_owned(),
            name_en: o["name_en"].as_str().unwrap_or_default().to_owned(),
        }),
        _ => None,
    };
    let key_id = match j["key_id"].as_str() {
        Some(k) => Some(KeyId::from_str(k).map_err(|e| e.to_string())?),
        None => None,
    };
    let certificate = match j.get("certificate") {
        Some(c) if c.is_object() => {
            let qr = sonod_seal::parse_qr_text(text).map_err(|e| e.to_string())?;
            let opened = sonod_seal::open(&qr.bytes).map_err(|e| e.to_string())?;
            let cert = opened.unverified().clone();
            if c["serial"].as_u64() != Some(cert.serial)
                || c["office"].as_str() != Some(cert.record.office())
            {
                return Err("the verifier's certificate is not this payload's".into());
            }
            Some(cert)
        }
        _ => None,
    };
    let detail = match (s("detail_bn"), s("detail_en")) {
        (Some(bn), Some(en)) => Some(Detail { bn, en }),
        _ => None,
    };
    Ok(Verdict {
        kind,
        reason: j["reason_code"]
            .as_str()
            .and_then(Reason::from_code)
            .unwrap_or(Reason::of_kind(kind)),
        reason_bn: s("reason_bn").unwrap_or_default().into(),
        reason_en: s("reason_en").unwrap_or_default().into(),
        certificate: certificate.map(std::sync::Arc::new),
        office: office.map(std::sync::Arc::new),
        key_id,
        host: s("host"),
        host_official: j["host_official"].as_bool(),
        development: j["development"].as_bool().unwrap_or(false),
        unchecked,
        detail,
    })
}
