//! The verdicts' wording: one home per language, `locales/bn/sonod-judge.ftl` and
//! `locales/en/sonod-judge.ftl` (Fluent), compiled into the binary. Texts without
//! placeables are rendered once and kept; the others are rendered when a verdict needs them.

use std::sync::LazyLock;

use sonod_l10n::{lookup, BN, EN};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // The texts are plain text in reports, JSON and escaped HTML: no Unicode isolation
        // marks around placeables.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// Declares the messages without placeables: [`Msg`], and their ids in the same order.
macro_rules! static_messages {
    ($($name:ident => $id:literal,)*) => {
        /// A message without placeables (rendered once, see [`text`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum Msg {
            $(#[doc = $id] $name,)*
        }

        /// Their ids, in [`Msg`]'s order.
        pub(crate) const STATIC_IDS: &[&str] = &[$($id,)*];
    };
}

static_messages! {
    HeadlineMalformed => "headline-malformed",
    HeadlineUnsupportedVersion => "headline-unsupported-version",
    HeadlineUntrustedIssuer => "headline-untrusted-issuer",
    HeadlineBadSignature => "headline-bad-signature",
    HeadlineKeyCompromised => "headline-key-compromised",
    HeadlineNotIssued => "headline-not-issued",
    HeadlineRevoked => "headline-revoked",
    HeadlineExpired => "headline-expired",
    HeadlineNotYetValid => "headline-not-yet-valid",
    HeadlineUnconfirmed => "headline-unconfirmed",
    HeadlineValid => "headline-valid",
    HeadlineLookAlike => "headline-look-alike",
    UncheckedNoFeed => "unchecked-no-feed",
    UncheckedNotYetPublished => "unchecked-not-yet-published",
    UncheckedStale => "unchecked-stale",
    ReasonNotSonod => "reason-not-sonod",
    ReasonKeyNotValidThen => "reason-key-not-valid-then",
    ReasonBadSignature => "reason-bad-signature",
    ReasonKeyCompromised => "reason-key-compromised",
    ReasonNotIssued => "reason-not-issued",
    ReasonValid => "reason-valid",
}

/// Every message with placeables, and them.
#[cfg(test)]
const ARG_IDS: [(&str, &[&str]); 7] = [
    ("reason-unsupported-version", &["error"]),
    ("reason-damaged", &["error"]),
    ("reason-unknown-key", &["kid"]),
    ("reason-wrong-office", &["key_office", "claimed"]),
    ("reason-revoked", &["date", "reason"]),
    ("reason-expired", &["date"]),
    ("reason-not-yet-valid", &["date"]),
];

static RENDERED: LazyLock<Vec<(String, String)>> = LazyLock::new(|| {
    STATIC_IDS
        .iter()
        .map(|&id| {
            (
                lookup(&*LOCALES, &BN, id, &[]),
                lookup(&*LOCALES, &EN, id, &[]),
            )
        })
        .collect()
});

/// A message without placeables, Bangla then English.
pub(crate) fn text(m: Msg) -> (&'static str, &'static str) {
    match RENDERED.get(m as usize) {
        Some((bn, en)) => (bn.as_str(), en.as_str()),
        None => ("", ""),
    }
}

/// A message with placeables, Bangla then English; each argument in its language.
pub(crate) fn text_with(id: &str, args: &[(&'static str, &str, &str)]) -> (String, String) {
    sonod_l10n::lookup_pair(&*LOCALES, id, args)
}

#[cfg(test)]
mod tests {
    use fluent_templates::Loader;

    use super::*;

    #[test]
    fn every_message_is_in_both_languages_without_isolation_marks() {
        for &id in STATIC_IDS {
            for lang in [&BN, &EN] {
                let t = LOCALES.try_lookup(lang, id);
                assert!(t.is_some(), "{id} missing in {lang}");
            }
        }
        for (id, names) in ARG_IDS {
            let args: Vec<_> = names.iter().map(|n| (*n, "X", "Y")).collect();
            let (bn, en) = text_with(id, &args);
            assert!(bn != id && en != id, "{id} missing");
            assert!(
                !bn.contains("{") && !en.contains("{") && bn.contains('X') && en.contains('Y'),
                "{id}: {bn} / {en}"
            );
            assert!(!bn.contains('\u{2068}') && !en.contains('\u{2068}'));
        }
        let (bn, en) = text_with("reason-expired", &[("date", "০১-০২-২০২৬", "2026-02-01")]);
        assert_eq!(bn, "মেয়াদ ০১-০২-২০২৬ তারিখে শেষ হয়েছে");
        assert_eq!(en, "expired on 2026-02-01");
        assert_eq!(
            text(Msg::HeadlineValid),
            ("সঠিক ও বৈধ", "Genuine and valid")
        );
    }
}
