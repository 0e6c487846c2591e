//! Sonod's user-facing words: one home per language, a Fluent file per crate and language
//! (`<crate>/locales/bn/<crate>.ftl`, `<crate>/locales/en/<crate>.ftl`), compiled into the
//! binary; Bangla first.
//!
//! A crate declares its messages once with [`messages!`], which makes the lookups (`bn`,
//! `en`, `bn_args`, `en_args`, `both`, …) over its own files. With the
//! feature `html`, [`html::Entities`] is the escaper the pages' askama templates use.

#[doc(hidden)]
pub use fluent_templates;

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{langid, LanguageIdentifier, Loader};

/// Bangla.
pub const BN: LanguageIdentifier = langid!("bn");
/// English.
pub const EN: LanguageIdentifier = langid!("en");

/// Message `id` in `lang` with values for its `$names`. A message missing from the files (a
/// build with a broken `.ftl`; each crate's test catches it) reads as its id, never a panic.
pub fn lookup(
    loader: &impl Loader,
    lang: &LanguageIdentifier,
    id: &str,
    args: &[(&'static str, &str)],
) -> String {
    let bangla = *lang == BN;
    let args: HashMap<Cow<'static, str>, FluentValue> = args
        .iter()
        .map(|(k, v)| {
            let v = if bangla && is_number_like(v) {
                bangla_digits(v)
            } else {
                (*v).to_owned()
            };
            (Cow::Borrowed(*k), FluentValue::from(v))
        })
        .collect();
    let args = (!args.is_empty()).then_some(&args);
    loader
        .try_lookup_complete(lang, id, args)
        .unwrap_or_else(|| id.to_owned())
}

/// Writes Latin digits in a string as Bangla digits (for certificates, pages and messages).
pub fn bangla_digits(s: &str) -> String {
    // A Bangla digit takes three bytes where a Latin one took one: room for all of them at once.
    let mut out = String::with_capacity(s.len() * 3);
    out.extend(s.chars().map(|c| match c {
        '0'..='9' => char::from_u32('০' as u32 + (c as u32 - '0' as u32)).unwrap_or(c),
        _ => c,
    }));
    out
}

/// Whether a message's value is a number, a count, a date, a time or a size written with
/// digits and separators only (`4032×3024`, `2026-12-06 22:40`, `100524-3`, `1,000`): such a
/// value is written in Bangla digits inside a Bangla sentence. Anything with a letter (a key id,
/// a path, a URL, a name) is left as it is.
fn is_number_like(v: &str) -> bool {
    v.bytes().any(|b| b.is_ascii_digit())
        && v.chars().all(|c| {
            c.is_ascii_digit() || matches!(c, '-' | ':' | '.' | ',' | '/' | ' ' | '×' | '+' | '%')
        })
}

/// Message `id` in Bangla and in English, each with its own values for the `$names`
/// (`(name, bangla value, english value)`: a date in Bangla digits, say).
pub fn lookup_pair(
    loader: &impl Loader,
    id: &str,
    args: &[(&'static str, &str, &str)],
) -> (String, String) {
    let bn: Vec<(&'static str, &str)> = args.iter().map(|&(n, bn, _)| (n, bn)).collect();
    let en: Vec<(&'static str, &str)> = args.iter().map(|&(n, _, en)| (n, en)).collect();
    (lookup(loader, &BN, id, &bn), lookup(loader, &EN, id, &en))
}

/// The message ids of a `.ftl` file's text (for tests that both languages have the same ids).
pub fn ftl_ids(text: &str) -> Vec<String> {
    let mut ids: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with(' '))
        .filter_map(|l| {
            l.split_once(" = ")
                .or_else(|| l.strip_suffix(" =").map(|id| (id, "")))
        })
        .map(|(id, _)| id.trim().to_owned())
        .filter(|id| !id.is_empty())
        .collect();
    ids.sort();
    ids
}

/// For a crate's test: its Fluent files `locales/{bn,en}/<file>` (and every other `.ftl`
/// beside it) have the same ids, every
/// message renders in both languages with a value for each `$name`, and every id the crate's
/// code under `src/` and its templates under `templates/` look up (`l10n::bn("…")`,
/// `l10n::both("…"` …) is in them. Panics with
/// what is wrong.
pub fn check_messages(loader: &impl Loader, crate_root: &str, file: &str) {
    use std::path::Path;

    fn sources(dir: &Path, out: &mut String, exts: &[&str]) {
        for entry in std::fs::read_dir(dir).expect("the folder is readable") {
            let path = entry.expect("the folder is readable").path();
            if path.is_dir() {
                sources(&path, out, exts);
            } else if path
                .extension()
                .is_some_and(|e| exts.iter().any(|x| e == *x))
            {
                out.push_str(&std::fs::read_to_string(path).expect("a source file is readable"));
            }
        }
    }

    // The crate's main file and any other `.ftl` beside it (one file a part of the crate),
    // in name order: all of them are built into `LOCALES`.
    let read_text = |lang: &str| {
        let dir = format!("{crate_root}/locales/{lang}");
        let mut text = std::fs::read_to_string(format!("{dir}/{file}"))
            .unwrap_or_else(|e| panic!("locales/{lang}/{file}: {e}"));
        let mut others: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("locales/{lang}: {e}"))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "ftl") && !p.ends_with(file))
            .collect();
        others.sort();
        for p in others {
            text.push('\n');
            text.push_str(&std::fs::read_to_string(&p).expect("a Fluent file is readable"));
        }
        text
    };
    let (bn_ids, en_ids) = (ftl_ids(&read_text("bn")), ftl_ids(&read_text("en")));
    assert_eq!(bn_ids, en_ids, "the same ids in bn and en");
    if let Some(w) = bn_ids.windows(2).find(|w| w[0] == w[1]) {
        panic!("{} is defined twice in locales/bn", w[0]);
    }
    // Every `$name` in the files, with a value, so that each message renders whole.
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
            let text = lookup(loader, lang, id, &args);
            // A message may read as its own id ("backup = backup"): then ask the loader.
            let found = text != *id || loader.try_lookup(lang, id).is_some();
            assert!(!text.is_empty() && found, "{id} in {lang}");
        }
    }
    let mut used = String::new();
    sources(Path::new(&format!("{crate_root}/src")), &mut used, &["rs"]);
    let templates = format!("{crate_root}/templates");
    if Path::new(&templates).is_dir() {
        sources(Path::new(&templates), &mut used, &["html", "txt"]);
    }
    let mut n = 0;
    for call in [
        "l10n::bn(\"",
        "l10n::en(\"",
        "l10n::bn_args(\"",
        "l10n::en_args(\"",
        "l10n::bn_with(\"",
        "l10n::en_with(\"",
        "l10n::both(\"",
    ] {
        for part in used.split(call).skip(1) {
            let id = part.split('"').next().unwrap_or_default();
            assert!(
                bn_ids.iter().any(|i| i == id),
                "{id} is used but not in locales/*/*.ftl"
            );
            n += 1;
        }
    }
    assert!(n > 0, "the code looks its messages up");
}

/// Declares a crate's messages in the module it is called in: `sonod_l10n::messages!();` in a
/// crate with `locales/bn/*.ftl` and `locales/en/*.ftl` makes `LOCALES` and the lookups `bn`,
/// `en`, `bn_args`, `en_args`, `bn_with`, `en_with` and `both`. The crate needs
/// `fluent-templates` as a dependency (its macro names it).
///
/// `sonod_l10n::messages!(checked "crate.ftl");` does the same and adds the crate's test of its
/// Fluent files ([`check_messages`]).
#[macro_export]
macro_rules! messages {
    (checked $file:literal) => {
        $crate::messages!();

        #[cfg(test)]
        mod fluent_files {
            #[test]
            fn both_languages_have_every_message_and_the_code_uses_only_those() {
                $crate::check_messages(&*super::LOCALES, env!("CARGO_MANIFEST_DIR"), $file);
            }
        }
    };
    () => {
        // The crate's Fluent files (`locales/bn`, `locales/en`), built in.
        $crate::fluent_templates::static_loader! {
            pub static LOCALES = {
                locales: "./locales",
                fallback_language: "bn",
                // No Unicode isolation marks around values: the text goes into HTML, JSON
                // and terminals.
                customise: |bundle| bundle.set_use_isolating(false),
            };
        }

        /// The Bangla of message `id`.
        #[allow(dead_code)]
        pub fn bn(id: &str) -> String {
            $crate::lookup(&*LOCALES, &$crate::BN, id, &[])
        }

        /// The English of message `id`.
        #[allow(dead_code)]
        pub fn en(id: &str) -> String {
            $crate::lookup(&*LOCALES, &$crate::EN, id, &[])
        }

        /// The Bangla of message `id` with values for its `$names`.
        #[allow(dead_code)]
        pub fn bn_args(id: &str, args: &[(&'static str, &str)]) -> String {
            $crate::lookup(&*LOCALES, &$crate::BN, id, args)
        }

        /// The English of message `id` with values for its `$names`.
        #[allow(dead_code)]
        pub fn en_args(id: &str, args: &[(&'static str, &str)]) -> String {
            $crate::lookup(&*LOCALES, &$crate::EN, id, args)
        }

        /// The Bangla of message `id` with `$name` = `value`.
        #[allow(dead_code)]
        pub fn bn_with(id: &str, name: &'static str, value: &str) -> String {
            bn_args(id, &[(name, value)])
        }

        /// The English of message `id` with `$name` = `value`.
        #[allow(dead_code)]
        pub fn en_with(id: &str, name: &'static str, value: &str) -> String {
            en_args(id, &[(name, value)])
        }

        /// "বাংলা / English": message `id` in both languages, with values for its `$names`.
        #[allow(dead_code)]
        pub fn both(id: &str, args: &[(&'static str, &str)]) -> String {
            format!("{} / {}", bn_args(id, args), en_args(id, args))
        }
    };
}

/// HTML escaping for the pages.
#[cfg(feature = "html")]
pub mod html {
    use std::fmt;

    /// The askama escaper behind `escape = "sonod"` (each crate's `askama.toml` names it):
    /// named entities (`&lt;`, `&gt;`, `&amp;`, `&quot;`, `&#39;`), as the pages have always
    /// been written (askama's `html` escaper writes numeric ones).
    #[derive(Debug, Clone, Copy)]
    pub struct Entities;

    impl askama::filters::Escaper for Entities {
        fn write_escaped_str<W: fmt::Write>(&self, mut dest: W, string: &str) -> fmt::Result {
            let mut last = 0;
            for (i, c) in string.char_indices() {
                let rep = match c {
                    '&' => "&amp;",
                    '<' => "&lt;",
                    '>' => "&gt;",
                    '"' => "&quot;",
                    '\'' => "&#39;",
                    _ => continue,
                };
                dest.write_str(&string[last..i])?;
                dest.write_str(rep)?;
                last = i + 1;
            }
            dest.write_str(&string[last..])
        }
    }

    /// Text escaped for HTML content and attribute values.
    pub fn esc(s: &str) -> String {
        let mut out = String::with_capacity(s.len() + 8);
        // Writing to a String cannot fail.
        let _ = askama::filters::Escaper::write_escaped_str(&Entities, &mut out, s);
        out
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn named_entities() {
            assert_eq!(
                super::esc(r#"<a href="x">Tom & 'Jerry'</a> সনদ"#),
                "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt; সনদ"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ftl_ids_reads_ids_not_comments_or_continuations() {
        let ids = super::ftl_ids("# c\nb-x = খ\nmulti =\n    line\na = ক { $n }\n");
        assert_eq!(ids, ["a", "b-x", "multi"]);
    }

    #[test]
    fn numbers_dates_and_sizes_are_number_like_names_paths_and_key_ids_are_not() {
        for v in [
            "7",
            "4032×3024",
            "2026-12-06 22:40",
            "100524-3",
            "1,000",
            "12.5%",
        ] {
            assert!(super::is_number_like(v), "{v}");
        }
        for v in [
            "",
            "-",
            "a674072ca3f0d06e",
            "/tmp/x1",
            "http://127.0.0.1:8080",
            "করিম",
            "v1",
        ] {
            assert!(!super::is_number_like(v), "{v}");
        }
        assert_eq!(super::bangla_digits("100524-3"), "১০০৫২৪-৩");
    }

    #[test]
    fn a_bangla_message_writes_its_numbers_in_bangla_digits_the_english_does_not() {
        use fluent_templates::static_loader;
        static_loader! {
            static TEST = {
                locales: "./tests/locales",
                fallback_language: "bn",
                customise: |bundle| bundle.set_use_isolating(false),
            };
        }
        let args = [("n", "1000"), ("key", "a674072ca3f0d06e")];
        assert_eq!(
            super::lookup(&*TEST, &super::BN, "count", &args),
            "১০০০টি ছবি, চাবি a674072ca3f0d06e"
        );
        assert_eq!(
            super::lookup(&*TEST, &super::EN, "count", &args),
            "1000 pictures, key a674072ca3f0d06e"
        );
    }
}
