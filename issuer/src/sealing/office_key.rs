//! The office key as the issuer signs with it: the secret key together with what the root-signed
//! trust list says of it, and the one rule every new certificate passes before it is sealed.
//!
//! Verifiers accept a certificate only if the trust list lets its key sign on the certificate's
//! issue date. An issuer that signs any date would print paper that the office really issued
//! and that verifiers call an untrusted issuer, and would let an official backdate. So the
//! issuer reads its key's entry from the same trust list the verifiers read, and
//! [`OfficeKey::check`] refuses a record that is not dated today in Dhaka, that its key may not
//! sign, or that expires on or before its issue date. [`Ledger::issue`](crate::Ledger::issue),
//! the one write path of the service, the `issue` and `bulk` commands, calls it before a serial
//! is spent; there is no way around it.

use std::fmt;
use std::path::Path;

use sonod_keys::{
    format_date, read_public_key, KeyId, KeyStatus, OfficeCode, SecretKey, TrustEntry, TrustList,
};
use sonod_seal::Record;
use time::Date;

/// The office's signing key and its trust-list entry (window, status, office).
pub struct OfficeKey {
    secret: SecretKey,
    entry: TrustEntry,
}

impl fmt::Debug for OfficeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The secret key has no `Debug`; its id is enough.
        f.debug_struct("OfficeKey")
            .field("key_id", &self.entry.key_id)
            .field("office", &self.entry.office)
            .field("status", &self.entry.status)
            .finish_non_exhaustive()
    }
}

/// Why the issuer cannot learn what the trust list says of its key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OfficeKeyError {
    /// The root public key could not be read.
    #[error("{}", crate::l10n::both("office-key-root", &[("n0", &format!("{}", .0))]))]
    Root(String),
    /// The trust list could not be read, or does not verify against the root key.
    #[error("{}", crate::l10n::both("office-key-trust-list", &[("n0", &format!("{}", .0))]))]
    TrustList(String),
    /// The key is not in the trust list: verifiers would call everything it signs an
    /// untrusted issuer.
    #[error("{}", crate::l10n::both("office-key-not-listed", &[("n0", &format!("{}", .0))]))]
    NotListed(KeyId),
}

/// Why a record may not be sealed. Checked in the order of the variants.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SigningRefused {
    /// The issue date is not today in Dhaka: no backdating, no post-dating.
    #[error("{}", crate::l10n::both("signing-refused-not-today", &[("today", &format_date(*today)), ("issued", &format_date(*issued))]))]
    NotToday {
        /// The record's issue date.
        issued: Date,
        /// Today in Dhaka.
        today: Date,
    },
    /// The expiry is on or before the issue date: the certificate would be dead on arrival.
    #[error("{}", crate::l10n::both("signing-refused-expiry-not-after-issue", &[("expires", &format_date(*expires)), ("issued", &format_date(*issued))]))]
    ExpiryNotAfterIssue {
        /// The record's issue date.
        issued: Date,
        /// The record's expiry date.
        expires: Date,
    },
    /// The trust list marks the key compromised: verifiers refuse all it signs.
    #[error("{}", crate::l10n::both("signing-refused-key-compromised", &[("n0", &format!("{}", .0))]))]
    KeyCompromised(KeyId),
    /// The record names another office than the key's.
    #[error("{}", crate::l10n::both("signing-refused-other-office", &[("key_id", &format!("{}", .key_id)), ("key_office", &format!("{}", .key_office)), ("record_office", &format!("{}", .record_office))]))]
    OtherOffice {
        /// The key.
        key_id: KeyId,
        /// The office the trust list gives it.
        key_office: OfficeCode,
        /// The office the record names.
        record_office: OfficeCode,
    },
    /// The issue date is before the key's first signing day.
    #[error("{}", crate::l10n::both("signing-refused-key-not-yet-valid", &[("key_id", &format!("{}", .key_id)), ("not_before", &format_date(*not_before)), ("issued", &format_date(*issued))]))]
    KeyNotYetValid {
        /// The key.
        key_id: KeyId,
        /// The record's issue date.
        issued: Date,
        /// The key's first signing day.
        not_before: Date,
    },
    /// The key was retired before the issue date.
    #[error("{}", crate::l10n::both("signing-refused-key-retired", &[("key_id", &format!("{}", .key_id)), ("retired_on", &format_date(*retired_on))]))]
    KeyRetired {
        /// The key.
        key_id: KeyId,
        /// The record's issue date.
        issued: Date,
        /// The key's last signing day.
        retired_on: Date,
    },
    /// The key's window ended before the issue date.
    #[error("{}", crate::l10n::both("signing-refused-key-expired", &[("key_id", &format!("{}", .key_id)), ("not_after", &format_date(*not_after))]))]
    KeyExpired {
        /// The key.
        key_id: KeyId,
        /// The record's issue date.
        issued: Date,
        /// The key's last day.
        not_after: Date,
    },
}

impl OfficeKey {
    /// The key with its entry in `trust`, which the caller has loaded and verified.
    pub fn new(secret: SecretKey, trust: &TrustList) -> Result<OfficeKey, OfficeKeyError> {
        let entry = trust
            .entry(&secret.key_id())
            .ok_or(OfficeKeyError::NotListed(secret.key_id()))?
            .clone();
        Ok(OfficeKey { secret, entry })
    }

    /// The key with its entry in the trust list at `trust_path`, verified against the root
    /// public key at `root_path` as of `today` (normally `today_dhaka()`).
    pub fn from_files(
        secret: SecretKey,
        trust_path: &Path,
        root_path: &Path,
        today: Date,
    ) -> Result<OfficeKey, OfficeKeyError> {
        let root = read_public_key(root_path).map_err(|e| OfficeKeyError::Root(e.to_string()))?;
        let trust = TrustList::read(trust_path, &root, today)
            .map_err(|e| OfficeKeyError::TrustList(format!("{}: {e}", trust_path.display())))?;
        OfficeKey::new(secret, &trust)
    }

    /// The secret key, to sign with.
    pub fn secret(&self) -> &SecretKey {
        &self.secret
    }

    /// The key's id.
    pub fn key_id(&self) -> KeyId {
        self.entry.key_id
    }

    /// What the trust list says of the key.
    pub fn entry(&self) -> &TrustEntry {
        &self.entry
    }

    /// Whether this key may seal `record` on the day `today` (today in Dhaka): the issue date
    /// is today, the expiry (if any) after it, and the trust list lets the key sign for the
    /// record's office on that date. The first failure in the order of [`SigningRefused`] is
    /// the one reported.
    pub fn check(&self, record: &Record, today: Date) -> Result<(), SigningRefused> {
        let issued = record.issued();
        if issued != today {
            return Err(SigningRefused::NotToday { issued, today });
        }
        if let Some(expires) = record.expires() {
            if expires <= issued {
                return Err(SigningRefused::ExpiryNotAfterIssue { issued, expires });
            }
        }
        let e = &self.entry;
        let key_id = e.key_id;
        if e.status == KeyStatus::Compromised {
            return Err(SigningRefused::KeyCompromised(key_id));
        }
        if *record.office() != e.office {
            return Err(SigningRefused::OtherOffice {
                key_id,
                key_office: e.office.clone(),
                record_office: record.office().clone(),
            });
        }
        // The verifiers' own rule decides; the rest only says which end of the window it hit.
        if e.may_sign_on(issued) {
            return Ok(());
        }
        Err(if issued < e.not_before {
            SigningRefused::KeyNotYetValid {
                key_id,
                issued,
                not_before: e.not_before,
            }
        } else if let Some(retired_on) = e.retired_on.filter(|r| issued > *r) {
            SigningRefused::KeyRetired {
                key_id,
                issued,
                retired_on,
            }
        } else {
            SigningRefused::KeyExpired {
                key_id,
                issued,
                not_after: e.not_after,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sonod_keys::{Environment, SigningKey, TrustListDraft};
    use time::macros::date;
    use time::Duration;

    const TODAY: Date = date!(2026 - 12 - 06);

    fn key(seed: u8) -> SecretKey {
        SecretKey::from_signing_key(SigningKey::from_bytes(&[seed; 32]))
    }

    /// Office 100524's key 2 with the window 2026-01-01 .. 2027-12-31, edited by `edit`.
    fn office_key(edit: impl FnOnce(&mut TrustListDraft)) -> OfficeKey {
        office_key_from(date!(2026 - 01 - 01), edit)
    }

    /// Office 100524's key 2 with the window `not_before` .. 2027-12-31, edited by `edit`.
    fn office_key_from(not_before: Date, edit: impl FnOnce(&mut TrustListDraft)) -> OfficeKey {
        let mut d = TrustListDraft::new(date!(2027 - 06 - 30), Environment::Production);
        d.add_key(sonod_keys::TrustEntry::new(
            key(2).verifying_key(),
            OfficeCode::parse("100524").unwrap(),
            "সাভার পৌরসভা",
            "Savar Paurashava",
            not_before,
            date!(2027 - 12 - 31),
            vec![],
        ))
        .unwrap();
        edit(&mut d);
        d.sign_on(&key(1), None, TODAY).unwrap();
        let list = TrustList::load(
            d.to_json_pretty().as_bytes(),
            &key(1).verifying_key(),
            TODAY,
        )
        .unwrap();
        OfficeKey::new(key(2), &list).unwrap()
    }

    /// The benchmark record (citizenship) dated `issued`, expiring `expires`; with no expiry,
    /// the character sample, a type without one.
    fn record(issued: Date, expires: Option<Date>) -> Record {
        let text = match expires {
            Some(_) => include_str!("../../../seal/tests/data/benchmark-record.json"),
            None => include_str!("../../../seal/tests/data/records/character.json"),
        };
        let mut v: serde_json::Value = serde_json::from_str(text).unwrap();
        v["issued"] = serde_json::json!(format_date(issued));
        if let Some(e) = expires {
            v["expires"] = serde_json::json!(format_date(e));
        }
        Record::from_json(&v).unwrap()
    }

    fn year_after(d: Date) -> Option<Date> {
        Some(d + Duration::days(365))
    }

    #[test]
    fn today_inside_the_window_is_signed() {
        let k = office_key(|_| {});
        assert_eq!(k.check(&record(TODAY, year_after(TODAY)), TODAY), Ok(()));
        assert_eq!(k.key_id(), key(2).key_id());
        assert!(format!("{k:?}").contains(&key(2).key_id().to_string()));
    }

    #[test]
    fn any_other_issue_date_is_refused() {
        let k = office_key(|_| {});
        for issued in [
            date!(2019 - 01 - 01),
            date!(2030 - 01 - 01),
            date!(2199 - 12 - 31),
            TODAY - Duration::days(1),
            TODAY + Duration::days(1),
        ] {
            assert_eq!(
                k.check(&record(issued, Some(date!(2199 - 12 - 31))), TODAY),
                Err(SigningRefused::NotToday {
                    issued,
                    today: TODAY
                }),
                "{issued}"
            );
        }
        let e = k
            .check(&record(date!(2019 - 01 - 01), year_after(TODAY)), TODAY)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "প্রদানের তারিখ আজ (ঢাকা), ২০২৬-১২-০৬, হতে হবে; ২০১৯-০১-০১ নয় / the issue date must be today in Dhaka, 2026-12-06, not 2019-01-01"
        );
    }

    #[test]
    fn an_expiry_on_or_before_the_issue_date_is_refused() {
        let k = office_key(|_| {});
        // The record format refuses an expiry before the issue date; the day itself is the
        // issuer's to refuse.
        assert_eq!(
            k.check(&record(TODAY, Some(TODAY)), TODAY),
            Err(SigningRefused::ExpiryNotAfterIssue {
                issued: TODAY,
                expires: TODAY
            })
        );
        assert_eq!(
            k.check(&record(TODAY, Some(TODAY + Duration::days(1))), TODAY),
            Ok(())
        );
        // No expiry at all, where the type allows it, is fine.
        assert_eq!(k.check(&record(TODAY, None), TODAY), Ok(()));
    }

    #[test]
    fn the_keys_window_status_and_office_bound_it() {
        let r = record(TODAY, year_after(TODAY));
        let kid = key(2).key_id();

        let later = office_key_from(TODAY + Duration::days(1), |_| {});
        assert_eq!(
            later.check(&r, TODAY),
            Err(SigningRefused::KeyNotYetValid {
                key_id: kid,
                issued: TODAY,
                not_before: TODAY + Duration::days(1)
            })
        );

        let retired = office_key(|d| d.retire(kid, TODAY - Duration::days(1)).unwrap());
        assert_eq!(
            retired.check(&r, TODAY),
            Err(SigningRefused::KeyRetired {
                key_id: kid,
                issued: TODAY,
                retired_on: TODAY - Duration::days(1)
            })
        );
        // Retired as of today: today is still its day.
        let retiring = office_key(|d| d.retire(kid, TODAY).unwrap());
        assert_eq!(retiring.check(&r, TODAY), Ok(()));

        let compromised = office_key(|d| {
            d.set_status(kid, sonod_keys::KeyStatus::Compromised)
                .unwrap()
        });
        assert_eq!(
            compromised.check(&r, TODAY),
            Err(SigningRefused::KeyCompromised(kid))
        );

        // The day after the window (the key retired later than that, which changes nothing).
        let ended = office_key(|d| d.retire(kid, date!(2028 - 06 - 30)).unwrap());
        let after = date!(2028 - 01 - 01);
        assert_eq!(
            ended.check(&record(after, year_after(after)), after),
            Err(SigningRefused::KeyExpired {
                key_id: kid,
                issued: after,
                not_after: date!(2027 - 12 - 31)
            })
        );

        let mut other: serde_json::Value = r.to_json();
        other["office"] = serde_json::json!("200301");
        assert_eq!(
            office_key(|_| {}).check(&Record::from_json(&other).unwrap(), TODAY),
            Err(SigningRefused::OtherOffice {
                key_id: kid,
                key_office: OfficeCode::parse("100524").unwrap(),
                record_office: OfficeCode::parse("200301").unwrap()
            })
        );
    }

    #[test]
    fn a_key_the_trust_list_does_not_name_is_refused() {
        let mut d = TrustListDraft::new(date!(2027 - 06 - 30), Environment::Production);
        d.sign_on(&key(1), None, TODAY).unwrap();
        let list = TrustList::load(
            d.to_json_pretty().as_bytes(),
            &key(1).verifying_key(),
            TODAY,
        )
        .unwrap();
        assert_eq!(
            OfficeKey::new(key(2), &list).unwrap_err(),
            OfficeKeyError::NotListed(key(2).key_id())
        );
    }
}
