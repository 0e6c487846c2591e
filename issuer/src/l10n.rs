//! The issuer's words, one home a language: `issuer/locales/bn/issuer.ftl` and
//! `…/en/issuer.ftl` (Fluent), built in. Templates call [`bn`] and [`en`] with a message id.
//! The certificate's formal wording is not here but in `issuer/wording/` ([`crate::paper::wording`]).

sonod_l10n::messages!(checked "issuer.ftl");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_few_messages_read_as_written() {
        assert_eq!(bn("print"), "মুদ্রণ");
        assert_eq!(
            en_args("no-certificate", &[("serial", "7")]),
            "no certificate with serial 7"
        );
    }
}
