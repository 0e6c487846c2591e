//! The keys crate's user-facing words, one home a language: `keys/locales/bn/keys.ftl`
//! and `…/en/keys.ftl` (Fluent), built in. Errors stay typed; only their text lives there.

sonod_l10n::messages!(checked "keys.ftl");
