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
    HeadlineValidBeforeCompromise => "headline-valid-before-compromise",
    UncheckedNoFeed => "unchecked-no-feed",
    UncheckedNotYetPublished => "unchecked-not-yet-published",
    UncheckedStale => "unchecked-stale",
    ReasonNotSonod => "reason-not-sonod",
    ReasonDamaged => "reason-damaged",
    ReasonUnsupportedVersion => "reason-unsupported-version",
    ReasonUnknownKey => "reason-unknown-key",
    ReasonWrongOffice => "reason-wrong-office",
    ReasonKeyNotValidThen => "reason-key-not-valid-then",
    ReasonBadSignature => "reason-bad-signature",
    ReasonKeyCompromised => "reason-key-compromised",
    ReasonNotIssued => "reason-not-issued",
    ReasonValid => "reason-valid",
    ReasonValidBeforeCompromise => "reason-valid-before-compromise",
}

/// Every message with placeables, and them.
#[cfg(test)]
const ARG_IDS: [(&str, &[&str]); 6] = [
    ("detail-unknown-key", &["kid"]),
    ("detail-wrong-office", &["claimed", "kid", "key_office"]),
    (
        "detail-key-not-valid-then",
        &["kid", "from", "to", "issued"],
    ),
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
        assert!(bn.contains("মেয়াদ ০১-০২-২০২৬ তারিখে শেষ হয়েছে"), "{bn}");
        assert!(en.contains("ended on 2026-02-01"), "{en}");
        assert_eq!(
            text(Msg::HeadlineValid),
            ("সঠিক ও বৈধ", "Genuine and valid")
        );
    }

    /// Issue #17: "unreadable" pages named COSE_Sign1 and CBOR tags, with English inside the
    /// Bangla line. A headline or reason a person reads has no Latin letters in its Bangla
    /// (format names, codes and key ids are in the `detail-*` messages only).
    #[test]
    fn regression_no_latin_letters_or_format_names_in_a_bangla_headline_or_reason() {
        let mut texts: Vec<(String, String, String)> = STATIC_IDS
            .iter()
            .enumerate()
            .map(|(i, id)| (id.to_string(), RENDERED[i].0.clone(), RENDERED[i].1.clone()))
            .collect();
        for (id, names) in ARG_IDS.iter().filter(|(id, _)| !id.starts_with("detail-")) {
            let args: Vec<_> = names.iter().map(|n| (*n, "১", "1")).collect();
            let (bn, en) = text_with(id, &args);
            texts.push((id.to_string(), bn, en));
        }
        for (id, bn, en) in texts {
            assert!(
                !bn.chars().any(|c| c.is_ascii_alphabetic()),
                "{id}: Latin letters in the Bangla: {bn}"
            );
            for jargon in ["COSE", "CBOR", "Base32", "payload", "kid", "sync"] {
                assert!(
                    !bn.contains(jargon) && (!en.contains(jargon) || id.starts_with("unchecked")),
                    "{id}: {jargon}"
                );
            }
        }
    }
}
