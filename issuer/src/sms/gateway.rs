//! An HTTP SMS gateway described by a template (a TOML file), not one vendor's code.
//!
//! Bangladeshi gateways share one shape: a URL, GET or POST (a form or a JSON body), an API
//! key, a sender id, the number and the text as parameters (with a flag for Unicode), often a
//! client reference, and an answer that says whether the message was taken. The file names
//! the parameters and the success marker; the API key is read from the environment variable
//! the file names and never printed (`Debug` shows `<redacted>`). See issuer/README.md for the
//! format and an example.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use super::{Message, Outcome};

/// Longest gateway file read.
const MAX_FILE: u64 = 64 * 1024;
/// Longest answer read from a gateway.
const MAX_ANSWER: u64 = 64 * 1024;

/// Why a gateway file was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GatewayError {
    /// It could not be read.
    #[error("{}", crate::l10n::both("sms-gateway-read", &[("path", &format!("{}", .0))]))]
    Read(String),
    /// It is not a valid template.
    #[error("{}", crate::l10n::both("sms-gateway-invalid", &[("path", &format!("{}", .0)), ("error", &format!("{}", .1))]))]
    Invalid(String, String),
    /// The API key's variable is not set.
    #[error("{}", crate::l10n::both("sms-gateway-no-key", &[("var", &format!("{}", .0))]))]
    NoKey(String),
}

/// GET or POST.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// Parameters in the query string.
    #[default]
    Get,
    /// Parameters in the body.
    Post,
}

/// A POST body's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Body {
    /// `application/x-www-form-urlencoded`.
    #[default]
    Form,
    /// A JSON object of strings.
    Json,
}

/// How the gateway wants the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
pub enum NumberFormat {
    /// `8801XXXXXXXXX`.
    #[default]
    #[serde(rename = "880")]
    Country,
    /// `+8801XXXXXXXXX`.
    #[serde(rename = "+880")]
    Plus,
    /// `01XXXXXXXXX`.
    #[serde(rename = "0")]
    Local,
}

/// The parameter names.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// The API key's parameter (omit when the key goes nowhere, e.g. in the URL's host).
    pub api_key: Option<String>,
    /// The sender id's parameter.
    pub sender_id: Option<String>,
    /// The number's parameter.
    pub number: String,
    /// The text's parameter.
    pub text: String,
    /// The client reference's parameter (our message id), where the gateway takes one.
    pub client_ref: Option<String>,
}

/// What an accepted message's answer looks like.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Success {
    /// The HTTP status.
    #[serde(default = "default_status")]
    pub status: u16,
    /// A substring the answer must contain.
    pub contains: Option<String>,
    /// A field of a JSON answer (dotted path, e.g. `response_code` or `data.status`)…
    pub json_field: Option<String>,
    /// …and the value it must have (numbers compared as written).
    pub json_value: Option<String>,
    /// The JSON answer's field with the gateway's reference for the message.
    pub reference_field: Option<String>,
}

fn default_status() -> u16 {
    200
}

/// Answers that mean "never": the message is not retried.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Permanent {
    /// HTTP statuses.
    #[serde(default = "default_permanent")]
    pub status: Vec<u16>,
    /// Substrings of the answer (e.g. an "invalid number" code).
    #[serde(default)]
    pub contains: Vec<String>,
}

impl Default for Permanent {
    fn default() -> Permanent {
        Permanent {
            status: default_permanent(),
            contains: Vec::new(),
        }
    }
}

fn default_permanent() -> Vec<u16> {
    vec![400, 401, 403, 404, 422]
}

/// The gateway file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// The endpoint.
    pub url: String,
    /// GET or POST.
    #[serde(default)]
    pub method: Method,
    /// A POST body's form.
    #[serde(default)]
    pub body: Body,
    /// The environment variable holding the API key.
    pub api_key_env: Option<String>,
    /// Our sender id (masking name or number).
    pub sender_id: Option<String>,
    /// How the number is written.
    #[serde(default)]
    pub number_format: NumberFormat,
    /// Seconds a request may take.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
    /// Attempts before a message is given up.
    #[serde(default = "default_attempts")]
    pub max_attempts: u32,
    /// First retry delay, milliseconds (doubled each attempt, with jitter).
    #[serde(default = "default_base")]
    pub backoff_base_ms: u64,
    /// Longest retry delay, milliseconds.
    #[serde(default = "default_cap")]
    pub backoff_cap_ms: u64,
    /// Parameter names.
    pub params: Params,
    /// Fixed parameters sent with every message (e.g. `type = "unicode"`).
    #[serde(default)]
    pub extra: BTreeMap<String, String>,
    /// The success marker.
    #[serde(default = "default_success")]
    pub success: Success,
    /// Permanent failures.
    #[serde(default)]
    pub permanent: Permanent,
}

fn default_timeout() -> u64 {
    10
}
fn default_attempts() -> u32 {
    8
}
fn default_base() -> u64 {
    30_000
}
fn default_cap() -> u64 {
    3_600_000
}
fn default_success() -> Success {
    Success {
        status: 200,
        contains: None,
        json_field: None,
        json_value: None,
        reference_field: None,
    }
}

/// A configured gateway.
pub struct Gateway {
    template: Template,
    api_key: Option<String>,
    agent: ureq::Agent,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("template", &self.template)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Reads the value at a dotted path of a JSON answer, as written (strings without quotes).
fn json_at(v: &serde_json::Value, path: &str) -> Option<String> {
    let mut cur = v;
    for part in path.split('.') {
        cur = match cur {
            serde_json::Value::Array(a) => a.get(part.parse::<usize>().ok()?)?,
            other => other.get(part)?,
        };
    }
    match cur {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}

impl Gateway {
    /// Reads a gateway file; the API key from the variable it names.
    pub fn load(path: &Path) -> Result<Gateway, GatewayError> {
        let shown = path.display().to_string();
        let meta = std::fs::metadata(path).map_err(|_| GatewayError::Read(shown.clone()))?;
        if meta.len() > MAX_FILE {
            return Err(GatewayError::Invalid(shown, format!("> {MAX_FILE} bytes")));
        }
        let text = std::fs::read_to_string(path).map_err(|_| GatewayError::Read(shown.clone()))?;
        let template: Template =
            basic_toml::from_str(&text).map_err(|e| GatewayError::Invalid(shown, e.to_string()))?;
        let api_key = match &template.api_key_env {
            Some(var) => Some(std::env::var(var).map_err(|_| GatewayError::NoKey(var.clone()))?),
            None => None,
        };
        Gateway::new(template, api_key)
            .map_err(|e| GatewayError::Invalid(path.display().to_string(), e))
    }

    /// A gateway from its template and key.
    pub fn new(template: Template, api_key: Option<String>) -> Result<Gateway, String> {
        if !(template.url.starts_with("https://") || template.url.starts_with("http://")) {
            return Err("url must be http:// or https://".into());
        }
        if template.max_attempts == 0 || template.timeout_secs == 0 {
            return Err("max_attempts and timeout_secs must be at least 1".into());
        }
        if template.success.json_field.is_some() != template.success.json_value.is_some() {
            return Err("success.json_field and success.json_value go together".into());
        }
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(template.timeout_secs))
            .redirects(0)
            .build();
        Ok(Gateway {
            template,
            api_key,
            agent,
        })
    }

    /// Attempts before giving up.
    pub fn max_attempts(&self) -> u32 {
        self.template.max_attempts
    }

    /// First and longest retry delays, milliseconds.
    pub fn backoff(&self) -> (u64, u64) {
        (self.template.backoff_base_ms, self.template.backoff_cap_ms)
    }

    fn number(&self, to: &str) -> String {
        let country = to.trim_start_matches('+');
        match self.template.number_format {
            NumberFormat::Country => country.to_owned(),
            NumberFormat::Plus => format!("+{country}"),
            NumberFormat::Local => country.strip_prefix("88").unwrap_or(country).to_owned(),
        }
    }

    /// The parameters of a message, in the template's names.
    fn params(&self, m: &Message) -> Vec<(String, String)> {
        let t = &self.template;
        let mut p = Vec::new();
        if let (Some(name), Some(key)) = (&t.params.api_key, &self.api_key) {
            p.push((name.clone(), key.clone()));
        }
        if let (Some(name), Some(id)) = (&t.params.sender_id, &t.sender_id) {
            p.push((name.clone(), id.clone()));
        }
        p.push((t.params.number.clone(), self.number(&m.to)));
        p.push((t.params.text.clone(), m.text.clone()));
        if let Some(name) = &t.params.client_ref {
            p.push((name.clone(), m.id.to_string()));
        }
        for (k, v) in &t.extra {
            p.push((k.clone(), v.clone()));
        }
        p
    }

    /// Sends one message and judges the answer. Blocking.
    pub fn send(&self, m: &Message) -> Outcome {
        let t = &self.template;
        let params = self.params(m);
        let pairs: Vec<(&str, &str)> = params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let result = match (t.method, t.body) {
            (Method::Get, _) => {
                let mut r = self.agent.get(&t.url);
                for (k, v) in &pairs {
                    r = r.query(k, v);
                }
                r.call()
            }
            (Method::Post, Body::Form) => self.agent.post(&t.url).send_form(&pairs),
            (Method::Post, Body::Json) => {
                let body: serde_json::Map<String, serde_json::Value> = params
                    .iter()
                    .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                    .collect();
                self.agent
                    .post(&t.url)
                    .set("Content-Type", "application/json; charset=utf-8")
                    .send_string(&serde_json::Value::Object(body).to_string())
            }
        };
        let (status, response) = match result {
            Ok(r) => (r.status(), r),
            Err(ureq::Error::Status(code, r)) => (code, r),
            // The error's text names the URL, which may carry the key: only its kind.
            Err(ureq::Error::Transport(e)) => {
                return Outcome::Retry(format!("transport: {}", e.kind()))
            }
        };
        let mut answer = String::new();
        {
            use std::io::Read;
            if response
                .into_reader()
                .take(MAX_ANSWER)
                .read_to_string(&mut answer)
                .is_err()
            {
                return Outcome::Retry(format!("status {status}, unreadable answer"));
            }
        }
        self.judge(status, &answer)
    }

    /// Judges a gateway's answer.
    pub fn judge(&self, status: u16, answer: &str) -> Outcome {
        let t = &self.template;
        if t.permanent.status.contains(&status)
            || t.permanent
                .contains
                .iter()
                .any(|s| answer.contains(s.as_str()))
        {
            return Outcome::Permanent(format!("status {status}, refused"));
        }
        if status != t.success.status {
            return Outcome::Retry(format!("status {status}"));
        }
        if let Some(s) = &t.success.contains {
            if !answer.contains(s.as_str()) {
                return Outcome::Retry(format!("status {status}, no success marker"));
            }
        }
        let json = serde_json::from_str::<serde_json::Value>(answer).ok();
        if let (Some(field), Some(want)) = (&t.success.json_field, &t.success.json_value) {
            let got = json.as_ref().and_then(|j| json_at(j, field));
            if got.as_deref() != Some(want.as_str()) {
                return Outcome::Retry(format!("status {status}, no success marker"));
            }
        }
        let reference = t
            .success
            .reference_field
            .as_ref()
            .and_then(|f| json.as_ref().and_then(|j| json_at(j, f)))
            .map(|r| r.chars().take(100).collect());
        Outcome::Sent(reference)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(toml: &str) -> Template {
        basic_toml::from_str(toml).unwrap()
    }

    const BULKSMSBD: &str = r#"
url = "http://bulksmsbd.net/api/smsapi"
method = "POST"
api_key_env = "SONOD_SMS_KEY"
sender_id = "8809617000000"
number_format = "880"
[params]
api_key = "api_key"
sender_id = "senderid"
number = "number"
text = "message"
client_ref = "csms_id"
[extra]
type = "unicode"
[success]
status = 200
json_field = "response_code"
json_value = "202"
reference_field = "message_id"
[permanent]
contains = ["\"response_code\":1002"]
"#;

    #[test]
    fn the_readme_example_reads_and_judges_answers() {
        let g = Gateway::new(template(BULKSMSBD), Some("secret-key".into())).unwrap();
        assert_eq!(
            g.judge(
                200,
                r#"{"response_code":202,"message_id":77,"success_message":"ok"}"#
            ),
            Outcome::Sent(Some("77".into()))
        );
        assert!(matches!(
            g.judge(200, r#"{"response_code":1007}"#),
            Outcome::Retry(_)
        ));
        assert!(matches!(
            g.judge(200, r#"{"response_code":1002}"#),
            Outcome::Permanent(_)
        ));
        assert!(matches!(g.judge(401, ""), Outcome::Permanent(_)));
        assert!(matches!(g.judge(503, ""), Outcome::Retry(_)));
        assert!(matches!(g.judge(200, "not json"), Outcome::Retry(_)));
    }

    #[test]
    fn the_example_in_the_readme_is_a_valid_template() {
        let readme = include_str!("../../README.md");
        let start = readme.find("```toml\nurl = ").expect("the example") + "```toml\n".len();
        let end = start + readme[start..].find("```").expect("its end");
        let t = template(&readme[start..end]);
        assert_eq!(t.params.client_ref.as_deref(), Some("csms_id"));
        assert_eq!(t.extra.get("type").map(String::as_str), Some("unicode"));
        let g = Gateway::new(t, Some("k".into())).unwrap();
        assert_eq!(
            g.judge(200, r#"{"response_code":202,"message_id":9}"#),
            Outcome::Sent(Some("9".into()))
        );
        assert!(matches!(
            g.judge(200, r#"{"response_code":1002}"#),
            Outcome::Permanent(_)
        ));
    }

    #[test]
    fn the_api_key_is_never_in_debug_output() {
        let g = Gateway::new(template(BULKSMSBD), Some("secret-key".into())).unwrap();
        let shown = format!("{g:?}");
        assert!(!shown.contains("secret-key"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }

    #[test]
    fn numbers_are_written_as_the_gateway_wants() {
        let mut t = template(BULKSMSBD);
        for (format, want) in [
            (NumberFormat::Country, "8801712345678"),
            (NumberFormat::Plus, "+8801712345678"),
            (NumberFormat::Local, "01712345678"),
        ] {
            t.number_format = format;
            let g = Gateway::new(t.clone(), None).unwrap();
            assert_eq!(g.number("+8801712345678"), want);
        }
    }

    #[test]
    fn bad_templates_are_refused() {
        let mut t = template(BULKSMSBD);
        t.url = "ftp://x".into();
        assert!(Gateway::new(t, None).is_err());
        assert!(
            basic_toml::from_str::<Template>("url = \"http://x\"\n[params]\nnumber = \"n\"\n")
                .is_err()
        );
        assert!(basic_toml::from_str::<Template>(
            "url = \"http://x\"\nsurprise = 1\n[params]\nnumber = \"n\"\ntext = \"t\"\n"
        )
        .is_err());
    }
}
