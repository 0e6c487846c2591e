//! The admin's pages: the office's settings (`/settings`: names, address, wards,
//! signatories, each type offered with its fee and approvals, time limits; the rate-hold
//! alerts) and the accounts' wards (`/admin/users`). Plain HTML forms; a refused field is
//! marked next to itself and nothing typed is lost.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use sonod_seal::{bangla_digits, CERT_TYPES};

use super::auth::Caller;
use super::error::AppError;
use super::review::{check_csrf, chrome, csrf_of, page};
use super::tokens::Chrome;
use super::AppState;
use crate::accounts::{dhaka_time, Permission, Role};
use crate::office::settings::{
    OfficeSettings, SaveError, SettingsError, Signatory, TimeLimits, TypeSettings, MAX_SIGNATORIES,
};

/// Blank signatory rows the form offers beyond the existing ones.
const NEW_SIGNATORY_ROWS: usize = 2;
/// Rate-hold alerts shown.
const ALERTS: usize = 20;
/// Audit entries read back for the alerts.
const ALERT_SCAN: usize = 5_000;
/// Most form fields taken from one post.
const MAX_FIELDS: usize = 2_000;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings", get(show).post(save))
        .route("/admin/users", get(users))
        .route("/admin/users/{name}/wards", post(set_wards))
}

struct SignatoryDraft {
    i: usize,
    name_bn: String,
    name_en: String,
    title_bn: String,
    title_en: String,
    types: Vec<String>,
}

impl SignatoryDraft {
    fn signs(&self, key: &str) -> bool {
        self.types.iter().any(|t| t == key)
    }
}

struct TypeDraft {
    key: &'static str,
    name_bn: &'static str,
    name_en: &'static str,
    offered: bool,
    fee: String,
    approvals: String,
}

/// The form as typed (or as stored): every value a string, so that a refused one is shown
/// again as it was.
struct Draft {
    name_bn: String,
    name_en: String,
    address_bn: String,
    address_en: String,
    wards: String,
    signatories: Vec<SignatoryDraft>,
    types: Vec<TypeDraft>,
    idle_minutes: String,
    approvals_per_hour: String,
    hours_from: String,
    hours_to: String,
}

/// `1-9, 12` → 1…9 and 12.
fn format_wards(w: &[u16]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < w.len() {
        let mut j = i;
        while j + 1 < w.len() && w[j + 1] == w[j] + 1 {
            j += 1;
        }
        out.push(if j > i + 1 {
            format!("{}-{}", w[i], w[j])
        } else if j == i + 1 {
            format!("{}, {}", w[i], w[j])
        } else {
            w[i].to_string()
        });
        i = j + 1;
    }
    out.join(", ")
}

/// Reads a list of wards as typed: numbers and ranges (`1-9, 12`), Bangla or Latin digits.
pub fn parse_wards(s: &str) -> Option<Vec<u16>> {
    let s = crate::applications::review::latin(s);
    let mut out = Vec::new();
    for part in s.split([',', ' ', ';']).filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (u16, u16) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
                if a > b || b - a > 500 {
                    return None;
                }
                out.extend(a..=b);
            }
            None => out.push(part.trim().parse().ok()?),
        }
        if out.len() > 1000 {
            return None;
        }
    }
    Some(out)
}

impl Draft {
    fn of(s: &OfficeSettings) -> Draft {
        let mut signatories: Vec<SignatoryDraft> = s
            .signatories
            .iter()
            .enumerate()
            .map(|(i, g)| SignatoryDraft {
                i,
                name_bn: g.name_bn.clone(),
                name_en: g.name_en.clone(),
                title_bn: g.title_bn.clone(),
                title_en: g.title_en.clone(),
                types: g.types.clone(),
            })
            .collect();
        let n = signatories.len();
        for i in n..(n + NEW_SIGNATORY_ROWS).min(MAX_SIGNATORIES) {
            signatories.push(SignatoryDraft {
                i,
                name_bn: String::new(),
                name_en: String::new(),
                title_bn: String::new(),
                title_en: String::new(),
                types: Vec::new(),
            });
        }
        Draft {
            name_bn: s.name_bn.clone(),
            name_en: s.name_en.clone(),
            address_bn: s.address_bn.clone(),
            address_en: s.address_en.clone(),
            wards: format_wards(&s.wards),
            signatories,
            types: CERT_TYPES
                .iter()
                .map(|t| {
                    let ts = s.type_settings(t.key);
                    TypeDraft {
                        key: t.key,
                        name_bn: t.name_bn,
                        name_en: t.name_en,
                        offered: ts.offered,
                        fee: ts.fee_taka.to_string(),
                        approvals: ts.approvals.to_string(),
                    }
                })
                .collect(),
            idle_minutes: s.limits.idle_minutes.to_string(),
            approvals_per_hour: s.limits.approvals_per_hour.to_string(),
            hours_from: s.limits.hours_from.to_string(),
            hours_to: s.limits.hours_to.to_string(),
        }
    }

    /// The draft of a posted form.
    fn from_form(pairs: &[(String, String)]) -> Draft {
        let one = |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let all = |k: &str| -> Vec<String> {
            pairs
                .iter()
                .filter(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .collect()
        };
        let signatories = (0..MAX_SIGNATORIES)
            .filter(|i| {
                pairs
                    .iter()
                    .any(|(n, _)| n.starts_with(&format!("sig{i}_")))
            })
            .map(|i| SignatoryDraft {
                i,
                name_bn: one(&format!("sig{i}_name_bn")),
                name_en: one(&format!("sig{i}_name_en")),
                title_bn: one(&format!("sig{i}_title_bn")),
                title_en: one(&format!("sig{i}_title_en")),
                types: all(&format!("sig{i}_types")),
            })
            .collect();
        Draft {
            name_bn: one("name_bn"),
            name_en: one("name_en"),
            address_bn: one("address_bn"),
            address_en: one("address_en"),
            wards: one("wards"),
            signatories,
            types: CERT_TYPES
                .iter()
                .map(|t| TypeDraft {
                    key: t.key,
                    name_bn: t.name_bn,
                    name_en: t.name_en,
                    offered: !one(&format!("{}_offered", t.key)).is_empty(),
                    fee: one(&format!("{}_fee", t.key)),
                    approvals: one(&format!("{}_approvals", t.key)),
                })
                .collect(),
            idle_minutes: one("idle_minutes"),
            approvals_per_hour: one("approvals_per_hour"),
            hours_from: one("hours_from"),
            hours_to: one("hours_to"),
        }
    }

    /// The settings it makes, or the refused fields with their messages.
    fn settings(&self) -> Result<OfficeSettings, HashMap<String, String>> {
        let mut errors = HashMap::new();
        let number = |errors: &mut HashMap<String, String>, field: &str, v: &str| -> u32 {
            match crate::applications::review::latin(v.trim())
                .parse::<u32>()
                .ok()
            {
                Some(n) => n,
                None => {
                    errors.insert(
                        field.to_owned(),
                        crate::l10n::both("settings-page-number", &[]),
                    );
                    0
                }
            }
        };
        let wards = parse_wards(&self.wards).unwrap_or_else(|| {
            errors.insert("wards".into(), crate::l10n::both("settings-bad-wards", &[]));
            Vec::new()
        });
        let mut signatories = Vec::new();
        for s in &self.signatories {
            let texts = [&s.name_bn, &s.name_en, &s.title_bn, &s.title_en];
            if texts.iter().all(|t| t.trim().is_empty()) {
                continue;
            }
            if texts.iter().any(|t| t.trim().is_empty()) {
                errors.insert(
                    format!("sig{}", s.i),
                    crate::l10n::both("settings-page-signatory-whole", &[]),
                );
                continue;
            }
            signatories.push(Signatory {
                name_bn: s.name_bn.clone(),
                name_en: s.name_en.clone(),
                title_bn: s.title_bn.clone(),
                title_en: s.title_en.clone(),
                types: s.types.clone(),
            });
        }
        let mut types = std::collections::BTreeMap::new();
        for t in &self.types {
            let fee = number(&mut errors, &format!("{}_fee", t.key), &t.fee);
            let approvals = number(&mut errors, &format!("{}_approvals", t.key), &t.approvals);
            types.insert(
                t.key.to_owned(),
                TypeSettings {
                    offered: t.offered,
                    fee_taka: fee,
                    approvals: u8::try_from(approvals).unwrap_or(u8::MAX),
                },
            );
        }
        let limits = TimeLimits {
            idle_minutes: number(&mut errors, "idle_minutes", &self.idle_minutes),
            approvals_per_hour: number(&mut errors, "approvals_per_hour", &self.approvals_per_hour),
            hours_from: u8::try_from(number(&mut errors, "hours_from", &self.hours_from))
                .unwrap_or(u8::MAX),
            hours_to: u8::try_from(number(&mut errors, "hours_to", &self.hours_to))
                .unwrap_or(u8::MAX),
        };
        let s = OfficeSettings {
            name_bn: self.name_bn.clone(),
            name_en: self.name_en.clone(),
            address_bn: self.address_bn.clone(),
            address_en: self.address_en.clone(),
            wards,
            signatories,
            types,
            limits,
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        s.checked().map_err(|e| {
            let field = match &e {
                SettingsError::Text(f) if f.starts_with("signatory") => "signatories".into(),
                SettingsError::Text(f) => f.clone(),
                SettingsError::Wards => "wards".into(),
                SettingsError::Signatories => "signatories".into(),
                SettingsError::UnknownType(_) => "signatories".into(),
                SettingsError::BadType(t) => format!("{t}_type"),
                SettingsError::Limits => "limits".into(),
            };
            HashMap::from([(field, e.to_string())])
        })
    }
}

struct Alert {
    at: String,
    actor: String,
    target: String,
    reason_bn: String,
    reason_en: String,
}

#[derive(Template)]
#[template(path = "settings.html", escape = "sonod")]
struct SettingsPage {
    chrome: Chrome,
    csrf: String,
    d: Draft,
    errors: HashMap<String, String>,
    notice: Option<String>,
    alerts: Vec<Alert>,
}

impl SettingsPage {
    fn err(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }
}

/// The rate holds of late, newest first, from the audit log: the admin's alerts.
fn alerts(state: &AppState) -> Result<Vec<Alert>, AppError> {
    Ok(state
        .ledger()
        .audit_entries_before(None, ALERT_SCAN)?
        .into_iter()
        .filter(|e| e.action == "application.hold")
        .take(ALERTS)
        .map(|e| {
            let why = if e.detail.contains("hold=hours") {
                "hours"
            } else {
                "rate"
            };
            let id = format!("settings-hold-{why}");
            Alert {
                at: bangla_digits(&dhaka_time(e.at)),
                actor: e.actor,
                target: e.target,
                reason_bn: crate::l10n::bn(&id),
                reason_en: crate::l10n::en(&id),
            }
        })
        .collect())
}

#[derive(Debug, Deserialize)]
struct Saved {
    #[serde(default)]
    saved: Option<u8>,
}

async fn show(
    State(state): State<AppState>,
    caller: Option<Caller>,
    headers: HeaderMap,
    Query(q): Query<Saved>,
) -> Result<Response, AppError> {
    let Some(caller) = caller else {
        return Ok(Redirect::to("/login").into_response());
    };
    caller.require(Permission::ManageAccounts)?;
    page(&SettingsPage {
        chrome: chrome(&state, crate::l10n::both("settings-title", &[]), &caller),
        csrf: csrf_of(&caller, &headers),
        d: Draft::of(&state.settings().get()),
        errors: HashMap::new(),
        notice: q.saved.map(|_| crate::l10n::both("settings-saved", &[])),
        alerts: alerts(&state)?,
    })
}

async fn save(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let csrf = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    check_csrf(&caller, &headers, csrf)?;
    let actor = caller.require(Permission::ManageAccounts)?.clone();
    if pairs.len() > MAX_FIELDS {
        return Err(AppError::TooLarge);
    }
    let draft = Draft::from_form(&pairs);
    let errors = match draft.settings() {
        Ok(new) => {
            let state2 = state.clone();
            let saved = tokio::task::spawn_blocking(move || {
                state2
                    .settings()
                    .save_blocking(state2.ledger(), &actor.name, new)
            })
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
            match saved {
                Ok(_) => {
                    return Ok((
                        StatusCode::SEE_OTHER,
                        [(header::LOCATION, "/settings?saved=1")],
                    )
                        .into_response())
                }
                Err(SaveError::Invalid(e)) => HashMap::from([("form".to_owned(), e.to_string())]),
                Err(SaveError::Ledger(e)) => return Err(e.into()),
                Err(SaveError::Store(e)) => return Err(e.into()),
            }
        }
        Err(errors) => errors,
    };
    let mut resp = page(&SettingsPage {
        chrome: chrome(&state, crate::l10n::both("settings-title", &[]), &caller),
        csrf: csrf_of(&caller, &headers),
        d: draft,
        errors,
        notice: None,
        alerts: alerts(&state)?,
    })?;
    *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(resp)
}

// ----- accounts' wards -----

struct UserRow {
    name: String,
    display_name: String,
    role_bn: String,
    role_en: String,
    wards: String,
    has_wards: bool,
    disabled: bool,
}

#[derive(Template)]
#[template(path = "users.html", escape = "sonod")]
struct UsersPage {
    chrome: Chrome,
    csrf: String,
    rows: Vec<UserRow>,
    notice: Option<String>,
    error: Option<(String, String)>,
}

#[derive(Debug, Deserialize)]
struct UsersQuery {
    #[serde(default)]
    saved: Option<String>,
}

fn users_page(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    notice: Option<String>,
    error: Option<(String, String)>,
) -> Result<Response, AppError> {
    let rows = state
        .accounts()
        .users()?
        .into_iter()
        .map(|u| UserRow {
            role_bn: u.role.label_bn(),
            role_en: u.role.label_en(),
            wards: format_wards(&u.wards),
            has_wards: u.role == Role::Councillor,
            disabled: u.disabled,
            name: u.name,
            display_name: u.display_name,
        })
        .collect();
    page(&UsersPage {
        chrome: chrome(state, crate::l10n::both("users-title", &[]), caller),
        csrf: csrf_of(caller, headers),
        rows,
        notice,
        error,
    })
}

async fn users(
    State(state): State<AppState>,
    caller: Option<Caller>,
    headers: HeaderMap,
    Query(q): Query<UsersQuery>,
) -> Result<Response, AppError> {
    let Some(caller) = caller else {
        return Ok(Redirect::to("/login").into_response());
    };
    caller.require(Permission::ManageAccounts)?;
    let notice = q
        .saved
        .map(|name| crate::l10n::both("users-wards-saved", &[("name", &name)]));
    users_page(&state, &caller, &headers, notice, None)
}

#[derive(Debug, Deserialize)]
struct WardsForm {
    csrf: String,
    #[serde(default)]
    wards: String,
}

async fn set_wards(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(name): Path<String>,
    Form(f): Form<WardsForm>,
) -> Result<Response, AppError> {
    check_csrf(&caller, &headers, &f.csrf)?;
    let actor = caller.require(Permission::ManageAccounts)?.clone();
    let Some(wards) = parse_wards(&f.wards) else {
        let mut resp = users_page(
            &state,
            &caller,
            &headers,
            None,
            Some((name, crate::l10n::both("settings-bad-wards", &[]))),
        )?;
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(resp);
    };
    let state2 = state.clone();
    let name2 = name.clone();
    let result = tokio::task::spawn_blocking(move || {
        state2
            .accounts()
            .set_wards(state2.ledger(), &actor.name, &name2, &wards)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    match result {
        Ok(u) => Ok((
            StatusCode::SEE_OTHER,
            [(header::LOCATION, format!("/admin/users?saved={}", u.name))],
        )
            .into_response()),
        Err(crate::accounts::AccountError::BadWards) => {
            let e = crate::accounts::AccountError::BadWards.to_string();
            let mut resp = users_page(&state, &caller, &headers, None, Some((name, e)))?;
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wards_read_as_typed_and_write_back_short() {
        assert_eq!(parse_wards("1-3, 7"), Some(vec![1, 2, 3, 7]));
        assert_eq!(parse_wards("১-২"), Some(vec![1, 2]));
        assert_eq!(parse_wards(""), Some(vec![]));
        assert_eq!(parse_wards("3-1"), None);
        assert_eq!(parse_wards("x"), None);
        assert_eq!(parse_wards("1-60000"), None);
        assert_eq!(format_wards(&[1, 2, 3, 7, 9, 10]), "1-3, 7, 9, 10");
    }

    #[test]
    fn a_form_with_bad_fields_names_each_and_keeps_what_was_typed() {
        let s = OfficeSettings::new("ক", "K");
        let mut pairs: Vec<(String, String)> = vec![
            ("name_bn".into(), "নমুনা".into()),
            ("name_en".into(), "Sample".into()),
            ("wards".into(), "1-x".into()),
            ("sig0_name_bn".into(), "রহিম".into()),
            ("idle_minutes".into(), "15".into()),
            ("approvals_per_hour".into(), "lots".into()),
            ("hours_from".into(), "8".into()),
            ("hours_to".into(), "20".into()),
        ];
        for t in CERT_TYPES {
            pairs.push((format!("{}_fee", t.key), "0".into()));
            pairs.push((format!("{}_approvals", t.key), "1".into()));
        }
        let d = Draft::from_form(&pairs);
        let errors = d.settings().unwrap_err();
        assert!(errors.contains_key("wards"), "{errors:?}");
        assert!(errors.contains_key("sig0"), "{errors:?}");
        assert!(errors.contains_key("approvals_per_hour"), "{errors:?}");
        assert_eq!(d.wards, "1-x");
        // Fixed, it makes settings.
        pairs.retain(|(k, _)| {
            !["wards", "sig0_name_bn", "approvals_per_hour"].contains(&k.as_str())
        });
        pairs.push(("wards".into(), "1-5".into()));
        pairs.push(("approvals_per_hour".into(), "40".into()));
        pairs.push(("trade_licence_offered".into(), "1".into()));
        let ok = Draft::from_form(&pairs).settings().unwrap();
        assert_eq!(ok.wards, vec![1, 2, 3, 4, 5]);
        assert!(ok.type_settings("trade_licence").offered);
        assert!(!ok.type_settings("warish").offered);
        let _ = s;
    }
}
