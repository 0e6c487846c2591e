//! The verifier crate's user-facing words, one home a language: `verifier/locales/bn/verifier.ftl`
//! and `…/en/verifier.ftl` (Fluent), built in. Errors stay typed; only their text lives there.

sonod_l10n::messages!();

#[cfg(test)]
mod tests {
    #[test]
    fn both_languages_have_every_message_and_the_code_uses_only_those() {
        sonod_l10n::check_messages(&*super::LOCALES, env!("CARGO_MANIFEST_DIR"), "verifier.ftl");
        assert_eq!(super::bn("scan-go"), "যাচাই করুন");
        assert_eq!(super::en_with("checked", "time", "x"), "Checked x");
    }
}
