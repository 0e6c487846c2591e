//! What sonod-scan's reports and its command line say: one home per language, `locales/bn/sonod-scan.ftl` and
//! `locales/en/sonod-scan.ftl` (Fluent), compiled into the binary. The layout of a line
//! (indentation, `⚠`, `·`, Bangla then ` / ` then English) stays in the code that writes it.

use std::collections::HashMap;
use std::sync::LazyLock;

use sonod_l10n::{lookup, BN, EN};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Plain text on a terminal: no Unicode isolation marks around placeables.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// Every message without placeables, rendered once.
const STATIC_IDS: [&str; 44] = [
    "root-built-in",
    "reason-label",
    "development",
    "office-label",
    "office-unverified-label",
    "certificate-label",
    "number-label",
    "detail-label",
    "issued-label",
    "expires-label",
    "hint-not-yet-published",
    "hint-stale",
    "hint-unchecked",
    "kiosk-development",
    "kiosk-look-alike",
    "stale-unknown",
    "snapshot-label",
    "office-not-in-snapshot",
    "verifier-label",
    "revoked-by-status-list",
    "error-label",
    "no-qr-in-image",
    "no-qr-in-any-image",
    "cannot-read-folder",
    "no-files-in-folder",
    "summary-nothing",
    "not-an-image-skipped",
    "no-images-found",
    "unit-images",
    "time-left",
    "sync-connecting",
    "sync-source-label",
    "sync-source-verifier",
    "sync-source-issuer",
    "sync-old-snapshot-ignored",
    "sync-office-missing",
    "sync-too-many-pages",
    "sync-position",
    "sync-done",
    "unit-offices",
    "unit-pages",
    "unit-new-events",
    "unit-bytes-fetched",
    "unit-bytes",
];

struct Rendered {
    bn: String,
    en: String,
    both: String,
}

static RENDERED: LazyLock<HashMap<&'static str, Rendered>> = LazyLock::new(|| {
    STATIC_IDS
        .iter()
        .map(|&id| {
            let (bn, en) = (
                lookup(&*LOCALES, &BN, id, &[]),
                lookup(&*LOCALES, &EN, id, &[]),
            );
            let both = format!("{bn} / {en}");
            (id, Rendered { bn, en, both })
        })
        .collect()
});

/// A message without placeables, Bangla then English.
pub fn pair(id: &'static str) -> (&'static str, &'static str) {
    RENDERED
        .get(id)
        .map_or((id, id), |r| (r.bn.as_str(), r.en.as_str()))
}

/// A message without placeables as `Bangla / English`.
pub fn both(id: &'static str) -> &'static str {
    RENDERED.get(id).map_or(id, |r| r.both.as_str())
}

/// A message with placeables, Bangla then English; each argument in its language.
pub fn pair_with(id: &str, args: &[(&'static str, &str, &str)]) -> (String, String) {
    sonod_l10n::lookup_pair(&*LOCALES, id, args)
}

/// A message with placeables as `Bangla / English`.
pub fn both_with(id: &str, args: &[(&'static str, &str, &str)]) -> String {
    let (bn, en) = pair_with(id, args);
    format!("{bn} / {en}")
}

/// A message with placeables as `Bangla / English`, each argument the same in both languages
/// (the errors' texts: paths, numbers, codes).
pub fn both_args(id: &str, args: &[(&'static str, &str)]) -> String {
    let args: Vec<_> = args.iter().map(|&(name, v)| (name, v, v)).collect();
    both_with(id, &args)
}

#[cfg(test)]
mod tests {
    use fluent_templates::Loader;

    use super::*;

    /// The error texts' ids (`both_args`): in both files, and every id the code uses is there.
    #[test]
    fn both_files_have_the_same_ids_and_the_code_uses_only_those() {
        let root = env!("CARGO_MANIFEST_DIR");
        let read = |lang: &str| {
            std::fs::read_to_string(format!("{root}/locales/{lang}/sonod-scan.ftl")).unwrap()
        };
        let (bn_ids, en_ids) = (
            sonod_l10n::ftl_ids(&read("bn")),
            sonod_l10n::ftl_ids(&read("en")),
        );
        assert_eq!(bn_ids, en_ids, "the same ids in bn and en");
        let mut used = String::new();
        for f in std::fs::read_dir(format!("{root}/src")).unwrap() {
            let p = f.unwrap().path();
            if p.extension().is_some_and(|e| e == "rs") {
                used.push_str(&std::fs::read_to_string(p).unwrap());
            }
        }
        let files = read("bn") + &read("en");
        let names: Vec<&'static str> = files
            .split("{ $")
            .skip(1)
            .filter_map(|p| p.split(' ').next())
            .map(|n| &*n.to_owned().leak())
            .collect();
        let args: Vec<(&'static str, &str)> = names.iter().map(|n| (*n, "x")).collect();
        let mut n = 0;
        for part in used.split("messages::both_args(\"").skip(1) {
            let id = part.split('"').next().unwrap_or_default();
            assert!(
                bn_ids.iter().any(|i| i == id),
                "{id} is used but not in sonod-scan.ftl"
            );
            let text = both_args(id, &args);
            assert!(!text.starts_with(id), "{id} renders");
            n += 1;
        }
        assert!(n > 0);
    }

    const ARG_IDS: [(&str, &[&str]); 34] = [
        ("summary-valid", &["n"]),
        ("summary-unconfirmed", &["n"]),
        ("summary-bad-signature", &["n"]),
        ("summary-key-compromised", &["n"]),
        ("summary-revoked", &["n"]),
        ("summary-not-issued", &["n"]),
        ("summary-untrusted-issuer", &["n"]),
        ("summary-expired", &["n"]),
        ("summary-not-yet-valid", &["n"]),
        ("summary-unsupported-version", &["n"]),
        ("summary-malformed", &["n"]),
        ("summary-read", &["n"]),
        ("summary-no-qr", &["n"]),
        ("summary-unreadable", &["n"]),
        ("summary-failed", &["n"]),
        ("summary-skipped", &["n"]),
        ("look-alike-host", &["host"]),
        ("duration-days-hours", &["d", "h"]),
        ("duration-hours-minutes", &["h", "m"]),
        ("duration-minutes", &["m"]),
        ("duration-seconds", &["s"]),
        ("stale-age", &["age", "limit"]),
        ("snapshot-as-of", &["time", "age"]),
        ("feed-age", &["age"]),
        ("cannot-watch", &["dir"]),
        ("watching", &["dir"]),
        ("sync-trust-verified", &["sequence"]),
        ("sync-office-untrusted", &["office"]),
        ("sync-office-old-data", &["office"]),
        ("sync-status-older", &["office"]),
        ("sync-no-status", &["office"]),
        ("sync-source-behind", &["office", "source", "position"]),
        ("sync-bad-hash", &["seq"]),
        ("floor-not-written", &["path", "error"]),
    ];

    #[test]
    fn every_message_is_in_both_languages() {
        for id in STATIC_IDS {
            for lang in [&BN, &EN] {
                assert!(
                    LOCALES.try_lookup(lang, id).is_some(),
                    "{id} missing in {lang}"
                );
            }
        }
        for (id, names) in ARG_IDS {
            let args: Vec<_> = names.iter().map(|n| (*n, "X", "Y")).collect();
            let (bn, en) = pair_with(id, &args);
            assert!(bn != id && en != id, "{id} missing");
            // The English names every argument; the Bangla may leave one to the English
            // (a path or number said once).
            assert!(
                !bn.contains('{') && !en.contains('{') && en.matches('Y').count() >= names.len(),
                "{id}: {bn} / {en}"
            );
        }
        assert_eq!(both("reason-label"), "কারণ / reason");
    }
}
