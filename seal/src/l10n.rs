//! The seal crate's user-facing words, one home a language: `seal/locales/bn/seal.ftl`
//! and `…/en/seal.ftl` (Fluent), built in. Errors stay typed; only their text lives there.

sonod_l10n::messages!(checked "seal.ftl");
