//! The office's settings, kept by the admin: its names and address, its wards, its
//! signatories, which certificate types it offers with the fee and the approvals each needs,
//! and the time limits that guard officials' logins.
//!
//! Kept in the store's `settings` tree as one JSON value, written with its audit entry in one
//! atomic, durable change (like an account change). Readers take the current value from a
//! cache, so reading settings on every request costs one `Arc` clone.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use serde::{Deserialize, Serialize};
use sonod_seal::CERT_TYPES;

use crate::storage::ledger::{AccountWrite, Ledger, LedgerError};
use crate::storage::store::{Store, StoreError};

/// The key of the settings in their tree.
const KEY: &[u8] = b"office";
/// Longest name, title or address.
pub const MAX_TEXT: usize = 200;
/// Most wards an office has (a city corporation has up to about 130).
pub const MAX_WARDS: usize = 200;
/// Most signatories.
pub const MAX_SIGNATORIES: usize = 20;
/// Highest fee for one certificate, Taka.
pub const MAX_FEE_TAKA: u32 = 100_000;

/// One person who signs certificates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signatory {
    /// Name in Bangla.
    pub name_bn: String,
    /// Name in English.
    pub name_en: String,
    /// Title in Bangla (e.g. "মেয়র").
    pub title_bn: String,
    /// Title in English.
    pub title_en: String,
    /// The type keys they sign; empty: every type.
    #[serde(default)]
    pub types: Vec<String>,
}

/// How the office handles one certificate type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeSettings {
    /// Citizens may apply for it.
    pub offered: bool,
    /// The fee, whole Taka; 0 is free.
    pub fee_taka: u32,
    /// Approvals it needs: 1 (the ward's councillor, or the mayor) or 2 (councillor, then
    /// mayor or chairman).
    pub approvals: u8,
}

impl Default for TypeSettings {
    fn default() -> TypeSettings {
        TypeSettings {
            offered: true,
            fee_taka: 0,
            approvals: 1,
        }
    }
}

/// Time limits and the rate hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeLimits {
    /// A web session ends after this many minutes without a request.
    pub idle_minutes: u32,
    /// An official who approves more than this many applications in an hour is held: further
    /// approvals wait for a second official.
    pub approvals_per_hour: u32,
    /// Office hours in Dhaka, from this hour (0–23) …
    pub hours_from: u8,
    /// … to this hour (1–24, exclusive); approvals outside are held the same way.
    pub hours_to: u8,
}

impl Default for TimeLimits {
    fn default() -> TimeLimits {
        TimeLimits {
            idle_minutes: 15,
            approvals_per_hour: 60,
            hours_from: 8,
            hours_to: 20,
        }
    }
}

/// The office's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficeSettings {
    /// Name in Bangla.
    pub name_bn: String,
    /// Name in English.
    pub name_en: String,
    /// Address in Bangla (printed under the office's name).
    #[serde(default)]
    pub address_bn: String,
    /// Address in English.
    #[serde(default)]
    pub address_en: String,
    /// The office's wards, ascending.
    pub wards: Vec<u16>,
    /// Who signs.
    #[serde(default)]
    pub signatories: Vec<Signatory>,
    /// By type key; a type missing here has [`TypeSettings::default`].
    #[serde(default)]
    pub types: BTreeMap<String, TypeSettings>,
    /// Time limits.
    #[serde(default)]
    pub limits: TimeLimits,
}

/// Why settings were refused. Each names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// A text is empty where it is needed, or too long.
    #[error("{}", crate::l10n::both("settings-bad-text", &[("field", .0.as_str())]))]
    Text(String),
    /// The wards are empty, too many, zero or repeated.
    #[error("{}", crate::l10n::both("settings-bad-wards", &[]))]
    Wards,
    /// Too many signatories.
    #[error("{}", crate::l10n::both("settings-too-many-signatories", &[]))]
    Signatories,
    /// A type key that is not one of the 14 types.
    #[error("{}", crate::l10n::both("settings-unknown-type", &[("type", .0.as_str())]))]
    UnknownType(String),
    /// Approvals other than 1 or 2, or a fee too high.
    #[error("{}", crate::l10n::both("settings-bad-type", &[("type", .0.as_str())]))]
    BadType(String),
    /// Office hours or limits out of range.
    #[error("{}", crate::l10n::both("settings-bad-limits", &[]))]
    Limits,
}

fn text_ok(s: &str, required: bool) -> bool {
    s.chars().count() <= MAX_TEXT && (!required || !s.trim().is_empty())
}

impl OfficeSettings {
    /// The settings of a new office: its names, wards 1 to 9 (a union parishad's), every type
    /// offered free with one approval, the default limits.
    pub fn new(name_bn: &str, name_en: &str) -> OfficeSettings {
        OfficeSettings {
            name_bn: name_bn.into(),
            name_en: name_en.into(),
            address_bn: String::new(),
            address_en: String::new(),
            wards: (1..=9).collect(),
            signatories: Vec::new(),
            types: BTreeMap::new(),
            limits: TimeLimits::default(),
        }
    }

    /// How the office handles type `key`.
    pub fn type_settings(&self, key: &str) -> TypeSettings {
        self.types.get(key).copied().unwrap_or_default()
    }

    /// The signatories of type `key`, in order.
    pub fn signatories_of<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Signatory> {
        self.signatories
            .iter()
            .filter(move |s| s.types.is_empty() || s.types.iter().any(|t| t == key))
    }

    /// Checks every field; NFC-normalises and trims the texts.
    pub fn checked(mut self) -> Result<OfficeSettings, SettingsError> {
        let norm = |s: &mut String| *s = sonod_seal::text::normalize(s.trim());
        for (name, s, required) in [
            ("name_bn", &mut self.name_bn, true),
            ("name_en", &mut self.name_en, true),
            ("address_bn", &mut self.address_bn, false),
            ("address_en", &mut self.address_en, false),
        ] {
            norm(s);
            if !text_ok(s, required) {
                return Err(SettingsError::Text(name.into()));
            }
        }
        self.wards.sort_unstable();
        if self.wards.is_empty()
            || self.wards.len() > MAX_WARDS
            || self.wards[0] == 0
            || self.wards.windows(2).any(|w| w[0] == w[1])
        {
            return Err(SettingsError::Wards);
        }
        if self.signatories.len() > MAX_SIGNATORIES {
            return Err(SettingsError::Signatories);
        }
        for s in &mut self.signatories {
            for (name, t) in [
                ("signatory.name_bn", &mut s.name_bn),
                ("signatory.name_en", &mut s.name_en),
                ("signatory.title_bn", &mut s.title_bn),
                ("signatory.title_en", &mut s.title_en),
            ] {
                norm(t);
                if !text_ok(t, true) {
                    return Err(SettingsError::Text(name.into()));
                }
            }
            if let Some(t) = s
                .types
                .iter()
                .find(|t| !CERT_TYPES.iter().any(|c| c.key == t.as_str()))
            {
                return Err(SettingsError::UnknownType(t.clone()));
            }
        }
        for (key, t) in &self.types {
            if !CERT_TYPES.iter().any(|c| c.key == key.as_str()) {
                return Err(SettingsError::UnknownType(key.clone()));
            }
            if !(1..=2).contains(&t.approvals) || t.fee_taka > MAX_FEE_TAKA {
                return Err(SettingsError::BadType(key.clone()));
            }
        }
        let l = &self.limits;
        if !(1..=24 * 60).contains(&l.idle_minutes)
            || !(1..=10_000).contains(&l.approvals_per_hour)
            || l.hours_from > 23
            || l.hours_to > 24
            || l.hours_from >= l.hours_to
        {
            return Err(SettingsError::Limits);
        }
        Ok(self)
    }
}

/// The settings, as stored and cached.
#[derive(Debug, Clone)]
pub struct Settings {
    tree: sled::Tree,
    current: Arc<RwLock<Arc<OfficeSettings>>>,
    /// Held through a change (write and barrier).
    changing: Arc<Mutex<()>>,
}

/// Why settings could not be saved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SaveError {
    /// The settings were refused.
    #[error(transparent)]
    Invalid(#[from] SettingsError),
    /// The write failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Settings {
    /// Opens the settings of a store; a store without any starts with
    /// [`OfficeSettings::new`] of the office's names (not written until the admin saves).
    pub fn open(store: &Store, name_bn: &str, name_en: &str) -> Result<Settings, StoreError> {
        let tree = store.tree("settings")?;
        let current = match tree.get(KEY)? {
            Some(v) => {
                serde_json::from_slice(&v).map_err(|e| StoreError::Corrupt(e.to_string()))?
            }
            None => OfficeSettings::new(name_bn, name_en),
        };
        Ok(Settings {
            tree,
            current: Arc::new(RwLock::new(Arc::new(current))),
            changing: Arc::default(),
        })
    }

    /// The current settings.
    pub fn get(&self) -> Arc<OfficeSettings> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Checks and saves new settings with an audit entry naming `by`; returns once durable.
    pub fn save_blocking(
        &self,
        ledger: &Ledger,
        by: &str,
        new: OfficeSettings,
    ) -> Result<Arc<OfficeSettings>, SaveError> {
        let new = Arc::new(new.checked()?);
        let bytes = serde_json::to_vec(&*new).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let _changing = self.changing.lock().unwrap_or_else(PoisonError::into_inner);
        ledger.account_change_blocking(
            vec![AccountWrite {
                tree: self.tree.clone(),
                key: KEY.to_vec(),
                value: Some(bytes),
            }],
            (by, "settings.save", "office", ""),
        )?;
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::clone(&new);
        Ok(new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn office() -> OfficeSettings {
        OfficeSettings::new("নমুনা পৌরসভা", "Sample Paurashava")
    }

    #[test]
    fn a_new_office_offers_every_type_free_with_one_approval() {
        let s = office().checked().unwrap();
        for t in CERT_TYPES {
            assert_eq!(s.type_settings(t.key), TypeSettings::default());
        }
        assert_eq!(s.wards, (1..=9).collect::<Vec<_>>());
    }

    #[test]
    fn bad_settings_are_refused_by_field() {
        let mut s = office();
        s.name_bn = "  ".into();
        assert_eq!(s.checked(), Err(SettingsError::Text("name_bn".into())));
        let mut s = office();
        s.wards = vec![3, 3];
        assert_eq!(s.checked(), Err(SettingsError::Wards));
        let mut s = office();
        s.wards.clear();
        assert_eq!(s.checked(), Err(SettingsError::Wards));
        let mut s = office();
        s.types.insert("passport".into(), TypeSettings::default());
        assert_eq!(
            s.checked(),
            Err(SettingsError::UnknownType("passport".into()))
        );
        let mut s = office();
        s.types.insert(
            "warish".into(),
            TypeSettings {
                approvals: 3,
                ..TypeSettings::default()
            },
        );
        assert_eq!(s.checked(), Err(SettingsError::BadType("warish".into())));
        let mut s = office();
        s.limits.hours_from = 20;
        s.limits.hours_to = 8;
        assert_eq!(s.checked(), Err(SettingsError::Limits));
    }

    #[test]
    fn signatories_of_a_type_are_those_who_sign_it_or_every_type() {
        let mut s = office();
        let who = |name: &str, types: &[&str]| Signatory {
            name_bn: name.into(),
            name_en: name.into(),
            title_bn: "মেয়র".into(),
            title_en: "Mayor".into(),
            types: types.iter().map(|t| t.to_string()).collect(),
        };
        s.signatories = vec![who("ক", &[]), who("খ", &["trade_licence"])];
        let s = s.checked().unwrap();
        assert_eq!(s.signatories_of("warish").count(), 1);
        assert_eq!(s.signatories_of("trade_licence").count(), 2);
    }

    #[test]
    fn saved_settings_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let ledger = Ledger::open(store.clone()).unwrap();
        let settings = Settings::open(&store, "ক", "K").unwrap();
        let mut new = (*settings.get()).clone();
        new.address_bn = "সদর, ঢাকা".into();
        new.types.insert(
            "trade_licence".into(),
            TypeSettings {
                offered: true,
                fee_taka: 500,
                approvals: 2,
            },
        );
        settings
            .save_blocking(&ledger, "admin", new.clone())
            .unwrap();
        assert_eq!(*settings.get(), new);
        ledger.close().unwrap();
        drop((settings, ledger));
        let again = Settings::open(&store, "x", "x").unwrap();
        assert_eq!(*again.get(), new);
    }
}
