//! The verifier crate's user-facing words, one home a language: `verifier/locales/bn/verifier.ftl`
//! and `…/en/verifier.ftl` (Fluent), built in. Errors stay typed; only their text lives there.

sonod_l10n::messages!(checked "verifier.ftl");

#[cfg(test)]
mod tests {
    #[test]
    fn a_few_messages_read_as_written() {
        assert_eq!(super::bn("scan-go"), "যাচাই করুন");
        assert_eq!(super::en_with("checked", "time", "x"), "Checked x");
    }
}
