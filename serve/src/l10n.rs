//! The serve crate's user-facing words, one home a language: `serve/locales/bn/serve.ftl`
//! and `…/en/serve.ftl` (Fluent), built in. Errors stay typed; only their text lives there.

sonod_l10n::messages!();

#[cfg(test)]
mod tests {
    use std::path::Path;

    use sonod_l10n::{ftl_ids, BN, EN};

    fn sources(dir: &Path, out: &mut String) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push_str(&std::fs::read_to_string(path).unwrap());
            }
        }
    }

    #[test]
    fn both_languages_have_every_message_and_the_code_uses_only_those() {
        let root = env!("CARGO_MANIFEST_DIR");
        let read_text = |lang: &str| {
            std::fs::read_to_string(format!("{root}/locales/{lang}/serve.ftl")).unwrap()
        };
        let (bn_ids, en_ids) = (ftl_ids(&read_text("bn")), ftl_ids(&read_text("en")));
        assert_eq!(bn_ids, en_ids, "the same ids in bn and en");
        // Every `$name` in the files, with a value, so each message renders whole.
        let files = read_text("bn") + &read_text("en");
        let names: Vec<&'static str> = files
            .split("{ $")
            .skip(1)
            .filter_map(|p| p.split(' ').next())
            .map(|n| &*n.to_owned().leak())
            .collect();
        let args: Vec<(&'static str, &str)> = names.iter().map(|n| (*n, "x")).collect();
        for id in &bn_ids {
            for lang in [&BN, &EN] {
                let text = sonod_l10n::lookup(&*super::LOCALES, lang, id, &args);
                assert!(!text.is_empty() && text != *id, "{id} in {lang}");
            }
        }
        let mut used = String::new();
        sources(Path::new(&format!("{root}/src")), &mut used);
        let mut n = 0;
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
                    "{id} is used but not in serve.ftl"
                );
                n += 1;
            }
        }
        assert!(n > 0, "the code looks its messages up");
    }
}
