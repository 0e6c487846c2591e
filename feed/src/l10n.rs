//! The feed crate's user-facing words, one home a language: `feed/locales/bn/feed.ftl`
//! and `…/en/feed.ftl` (Fluent), built in. Errors stay typed; only their text lives there.

sonod_l10n::messages!(checked "feed.ftl");
