//! The issuer's words, one home a language: `issuer/locales/bn/issuer.ftl` and
//! `…/en/issuer.ftl` (Fluent), built in. Templates call [`bn`] and [`en`] with a message id.
//! The certificate's formal wording is not here but in `issuer/wording/` ([`crate::paper::wording`]).

sonod_l10n::messages!();

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::collections::HashMap;

    use fluent_templates::fluent_bundle::FluentValue;
    use fluent_templates::Loader;
    use sonod_l10n::{ftl_ids as ids, BN, EN};

    use super::*;

    #[test]
    fn both_languages_have_every_message_and_the_code_uses_only_those() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/locales");
        let bn_ids = ids(&std::fs::read_to_string(format!("{dir}/bn/issuer.ftl")).unwrap());
        let en_ids = ids(&std::fs::read_to_string(format!("{dir}/en/issuer.ftl")).unwrap());
        let (mut a, mut b) = (bn_ids.clone(), en_ids.clone());
        a.sort();
        b.sort();
        assert_eq!(a, b, "the same ids in bn and en");
        let args: HashMap<Cow<'static, str>, FluentValue> = [
            "date",
            "bs",
            "n",
            "n_bn",
            "age",
            "serial",
            "path",
            "name",
            "issued",
            "refused",
            "issued_bn",
            "refused_bn",
            "index",
            "given",
            "id",
            "label",
            "user",
            "exp",
            "role",
            "role_bn",
            "key",
            "n0",
            "n0_dbg",
            "key_id",
            "key_office",
            "office",
            "record_office",
            "today",
            "issued",
            "expires",
            "not_before",
            "not_after",
            "retired_on",
            "file",
            "message",
            "field",
            "cert_type",
            "source",
            "store",
            "record",
            "min_password_chars",
            "max_token_days",
            "retry_after",
            "error",
            "code",
            "token_file",
        ]
        .into_iter()
        .map(|k| (Cow::Borrowed(k), FluentValue::from("x")))
        .collect();
        for id in &bn_ids {
            for lang in [&BN, &EN] {
                let text = LOCALES.try_lookup_with_args(lang, id, &args);
                assert!(text.is_some_and(|t| !t.is_empty()), "{id} in {lang}");
            }
        }
        let root = env!("CARGO_MANIFEST_DIR");
        // Every file under templates/ and src/ (the binary's too).
        fn read_all(dir: &std::path::Path, out: &mut String) {
            for f in std::fs::read_dir(dir).unwrap() {
                let p = f.unwrap().path();
                if p.is_dir() {
                    read_all(&p, out);
                } else {
                    out.push_str(&std::fs::read_to_string(p).unwrap());
                }
            }
        }
        let mut used = String::new();
        for dir in ["templates", "src"] {
            read_all(std::path::Path::new(&format!("{root}/{dir}")), &mut used);
        }
        for call in [
            "l10n::bn(\"",
            "l10n::en(\"",
            "l10n::bn_args(\"",
            "l10n::en_args(\"",
            "l10n::both(\"",
        ] {
            for part in used.split(call).skip(1) {
                let id = part.split('"').next().unwrap_or_default();
                assert!(
                    bn_ids.iter().any(|i| i == id),
                    "{id} is used but not in issuer.ftl"
                );
            }
        }
        assert_eq!(bn("print"), "মুদ্রণ");
        assert_eq!(
            en_args("no-certificate", &[("serial", "7")]),
            "no certificate with serial 7"
        );
    }
}
