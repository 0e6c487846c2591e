//! The serve crate's user-facing words, one home a language: `serve/locales/bn/serve.ftl`
//! and `…/en/serve.ftl` (Fluent), built in. Errors stay typed; only their text lives there.

sonod_l10n::messages!(checked "serve.ftl");
