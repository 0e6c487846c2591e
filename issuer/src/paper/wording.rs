//! Each certificate type's formal wording, as data: one template a type and language in
//! `issuer/wording/` (`<type>.bn.txt`, `<type>.en.txt`, and the shared phrases in
//! `common.bn.txt` / `common.en.txt`), built into the binary. An office may override any of
//! them from a directory of files with the same names ([`Wording::load`]).
//!
//! The files are [MiniJinja](https://docs.rs/minijinja) templates (Jinja syntax, strict
//! undefined): `{{ father }}` is the record's field `father`, already bold and escaped;
//! a field the record leaves out is `none`, so `{% if ward %}…{% endif %}` words around it.
//! Besides the type's fields a template may use `place` (`"paurashava"`, `"union"`,
//! `"city_corporation"` or `"other"`), `expires` and `expires_bs` (the expiry, Gregorian and
//! Bangla calendar). Every name a template uses is checked against the type's schema
//! (`sonod_seal::CERT_TYPES`) when the wording is loaded, so a misspelt field is refused at
//! start, naming the file and the field, never printed as a blank.
//!
//! Layout: each non-empty line of the Bangla output is a paragraph; a persons field (heirs,
//! family members) renders as its table, which stands on its own line. The English output is
//! one paragraph.
//!
//! Why MiniJinja: the wording must load at run time (askama compiles templates into the
//! binary), needs conditionals ("on <date>" only when the date is known) and shared phrases,
//! and its static analysis (`undeclared_variables`) makes the field check exact. `strfmt` and
//! `tinytemplate` have no conditionals or macros; Tera is heavier and has no such analysis.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, OnceLock};

use askama::Template;
use minijinja::{Environment, UndefinedBehavior, Value as J};
use sonod_seal::{bangla_date, bangla_digits, CertType, Person, Record, Value, CERT_TYPES};

use super::bangla_calendar::BanglaDate;
use super::print::{esc, join_and, taka, Place};

/// Names a template may use besides its type's fields.
pub const CONTEXT_NAMES: &[&str] = &["place", "expires", "expires_bs"];

/// The largest wording file read from an override directory.
const MAX_FILE_BYTES: u64 = 64 * 1024;

/// The two languages, Bangla first.
const LANGS: [&str; 2] = ["bn", "en"];

/// The folder `issuer/wording/`, built into the binary: every `*.txt` in it is wording, so a
/// new type's files are picked up without a line of Rust.
static WORDING_DIR: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/wording");

/// The wording built into the binary: `(name, text)`, the file being `wording/<name>.txt`, in
/// name order.
static BUILTIN: LazyLock<Vec<(&'static str, &'static str)>> = LazyLock::new(|| {
    let mut files: Vec<(&str, &str)> = WORDING_DIR
        .files()
        .filter_map(|f| {
            let name = f.path().to_str()?.strip_suffix(".txt")?;
            Some((name, f.contents_utf8()?))
        })
        .collect();
    files.sort_unstable();
    files
});

/// Why the wording cannot be used. Each names the file.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WordingError {
    /// A type has no wording in one language.
    #[error("{}", crate::l10n::both("wording-missing", &[("file", &format!("{}", .file))]))]
    Missing { file: String },
    /// A file could not be read.
    #[error("{}", crate::l10n::both("wording-read", &[("file", &format!("{}", .file)), ("message", &format!("{}", .message))]))]
    Read { file: String, message: String },
    /// A file is not a valid template.
    #[error("{}", crate::l10n::both("wording-syntax", &[("file", &format!("{}", .file)), ("message", &format!("{}", .message))]))]
    Syntax { file: String, message: String },
    /// A template uses a name that is not a field of its type.
    #[error("{}", crate::l10n::both("wording-unknown-field", &[("field", &format!("{}", .field)), ("file", &format!("{}", .file)), ("cert_type", &format!("{}", .cert_type))]))]
    UnknownField {
        file: String,
        field: String,
        cert_type: String,
    },
    /// Rendering failed (a template that passed the checks misuses a value).
    #[error("{}", crate::l10n::both("wording-render", &[("file", &format!("{}", .file)), ("message", &format!("{}", .message))]))]
    Render { file: String, message: String },
}

/// The formal wording of one certificate: Bangla HTML (paragraphs and lists) and an English
/// paragraph (HTML, values bold).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    pub bn: String,
    pub en: String,
}

/// Every type's wording, loaded and checked.
#[derive(Debug)]
pub struct Wording {
    env: Environment<'static>,
    /// Template name → the file it came from, for errors.
    files: BTreeMap<String, String>,
}

impl Wording {
    /// The wording built into the binary, checked once.
    pub fn builtin() -> Result<&'static Wording, &'static WordingError> {
        static BUILT: OnceLock<Result<Wording, WordingError>> = OnceLock::new();
        BUILT.get_or_init(|| Wording::load(None)).as_ref()
    }

    /// The built-in wording with the files in `dir` (if any) in place of the built-in ones of
    /// the same name; checked against every type's schema.
    pub fn load(dir: Option<&Path>) -> Result<Wording, WordingError> {
        let mut sources = Vec::new();
        for &(name, text) in BUILTIN.iter() {
            let file = format!("wording/{name}.txt");
            let over = dir.map(|d| d.join(format!("{name}.txt")));
            match over.filter(|p| p.exists()) {
                Some(path) => sources.push((name.to_string(), read(&path)?, show(&path))),
                None => sources.push((name.to_string(), text.to_owned(), file)),
            }
        }
        Wording::from_sources(sources)
    }

    /// Builds and checks the wording from `(template name, text, file name)`.
    fn from_sources(sources: Vec<(String, String, String)>) -> Result<Wording, WordingError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        env.add_filter("join_and", join_and_filter);
        let mut files = BTreeMap::new();
        for (name, text, file) in sources {
            env.add_template_owned(name.clone(), text)
                .map_err(|e| WordingError::Syntax {
                    file: file.clone(),
                    message: e.to_string(),
                })?;
            files.insert(name, file);
        }
        let w = Wording { env, files };
        for lang in LANGS {
            w.check(&format!("common.{lang}"), &BTreeSet::new(), "common")?;
        }
        for t in CERT_TYPES {
            let mut allowed: BTreeSet<&str> = t.fields.iter().map(|u| u.key).collect();
            allowed.extend(CONTEXT_NAMES);
            for lang in LANGS {
                w.check(&format!("{}.{lang}", t.key), &allowed, t.key)?;
            }
        }
        Ok(w)
    }

    fn file(&self, name: &str) -> String {
        self.files
            .get(name)
            .cloned()
            .unwrap_or_else(|| format!("wording/{name}.txt"))
    }

    /// Every name the template `name` reads from outside must be in `allowed`.
    fn check(
        &self,
        name: &str,
        allowed: &BTreeSet<&str>,
        cert_type: &str,
    ) -> Result<(), WordingError> {
        let t = self
            .env
            .get_template(name)
            .map_err(|_| WordingError::Missing {
                file: self.file(name),
            })?;
        let mut used: Vec<String> = t.undeclared_variables(false).into_iter().collect();
        used.sort();
        match used.into_iter().find(|v| !allowed.contains(v.as_str())) {
            Some(field) => Err(WordingError::UnknownField {
                file: self.file(name),
                field,
                cert_type: cert_type.to_owned(),
            }),
            None => Ok(()),
        }
    }

    /// The record's wording where the office is a `place`.
    pub fn body(&self, r: &Record, place: Place) -> Result<Body, WordingError> {
        let t = r.cert_type();
        let bn = self.render(&format!("{}.bn", t.key), &context(r, t, place, true))?;
        let en = self.render(&format!("{}.en", t.key), &context(r, t, place, false))?;
        Ok(Body {
            bn: paragraphs(&bn),
            en: en
                .lines()
                .filter(|l| !l.trim().is_empty())
                .collect::<Vec<_>>()
                .join(" "),
        })
    }

    fn render(&self, name: &str, ctx: &BTreeMap<&str, J>) -> Result<String, WordingError> {
        let err = |e: minijinja::Error| WordingError::Render {
            file: self.file(name),
            message: e.to_string(),
        };
        self.env
            .get_template(name)
            .map_err(err)?
            .render(ctx)
            .map_err(err)
    }
}

fn show(p: &Path) -> String {
    p.display().to_string()
}

fn read(path: &PathBuf) -> Result<String, WordingError> {
    use std::io::Read as _;
    let file = show(path);
    let bad = |e: std::io::Error| WordingError::Read {
        file: file.clone(),
        message: e.to_string(),
    };
    let mut text = String::new();
    std::fs::File::open(path)
        .map_err(bad)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(bad)?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(WordingError::Read {
            file,
            message: format!("larger than {MAX_FILE_BYTES} bytes"),
        });
    }
    Ok(text)
}

/// `{{ owners|join_and(" ও ") }}`: "ক, খ ও গ" (values escaped unless already markup).
fn join_and_filter(items: Vec<J>, and: &str) -> J {
    let items: Vec<String> = items
        .iter()
        .map(|v| match v.as_str() {
            Some(s) if v.is_safe() => s.to_owned(),
            Some(s) => esc(s),
            None => esc(&v.to_string()),
        })
        .collect();
    J::from_safe_string(join_and(&items, and))
}

/// A value in bold, escaped, as markup the template does not escape again.
fn bold(s: &str) -> J {
    J::from_safe_string(format!("<b>{}</b>", esc(s)))
}

/// Amounts of Taka, grouped `1,20,000`.
const MONEY: &[&str] = &["licence_fee", "annual_income"];

/// What a template sees: every field of the type (`none` when the record leaves it out),
/// then the place and the expiry.
fn context(r: &Record, t: &CertType, place: Place, bn: bool) -> BTreeMap<&'static str, J> {
    let mut ctx = BTreeMap::new();
    for u in t.fields {
        let v = match r.get(u.key) {
            None => J::from(()),
            Some(Value::Persons(ps)) => J::from_safe_string(persons_table(ps)),
            Some(Value::TextList(l)) => J::from(l.iter().map(|s| bold(s)).collect::<Vec<_>>()),
            Some(Value::Uint(n)) if MONEY.contains(&u.key) => {
                let s = taka(*n);
                bold(&if bn { bangla_digits(&s) } else { s })
            }
            Some(v) if bn => bold(&v.display_bn()),
            Some(v) => bold(&v.display_en()),
        };
        ctx.insert(u.key, v);
    }
    ctx.insert("place", J::from(place.as_str()));
    let (expires, expires_bs) = match r.expires() {
        Some(e) if bn => (
            bold(&bangla_date(e)),
            J::from_safe_string(esc(&BanglaDate::from_gregorian(e).to_bangla_string())),
        ),
        Some(e) => (bold(&Value::Date(e).display_en()), J::from(())),
        None => (J::from(()), J::from(())),
    };
    ctx.insert("expires", expires);
    ctx.insert("expires_bs", expires_bs);
    ctx
}

/// The Bangla output as HTML: each line a paragraph, a table as it is.
fn paragraphs(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut in_table = false;
    for line in text.lines() {
        if in_table || line.starts_with("<table") {
            out.push_str(line);
            out.push('\n');
            in_table = line != "</table>";
        } else if !line.trim().is_empty() {
            out.push_str("<p>");
            out.push_str(line);
            out.push_str("</p>\n");
        }
    }
    out
}

/// One heir or family member in the list.
#[derive(Debug)]
struct PersonRow {
    n: String,
    name: String,
    relation: String,
    age: String,
}

/// Heirs or family members as a numbered table (`templates/persons.html`).
#[derive(Template)]
#[template(path = "persons.html", escape = "sonod")]
struct PersonsTable {
    rows: Vec<PersonRow>,
}

fn persons_table(ps: &[Person]) -> String {
    let rows = ps
        .iter()
        .enumerate()
        .map(|(i, p)| PersonRow {
            n: bangla_digits(&(i + 1).to_string()),
            name: p.name.clone(),
            relation: p.relation.clone(),
            age: p.age.map_or_else(
                || "—".to_owned(),
                |a| crate::l10n::bn_args("person-age", &[("age", &bangla_digits(&a.to_string()))]),
            ),
        })
        .collect();
    PersonsTable { rows }.render().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources() -> Vec<(String, String, String)> {
        BUILTIN
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string(), format!("wording/{n}.txt")))
            .collect()
    }

    #[test]
    fn builtin_wording_loads_and_checks() {
        assert!(Wording::builtin().is_ok(), "{:?}", Wording::builtin().err());
        // Every type has both languages.
        assert_eq!(BUILTIN.len(), 2 + 2 * CERT_TYPES.len());
    }

    #[test]
    fn an_unknown_field_is_refused_naming_file_and_field() {
        let mut s = sources();
        let e = s.iter_mut().find(|(n, ..)| n == "married.en").unwrap();
        e.1 = e.1.replace("{{ spouse }}", "{{ spouse_name }}");
        e.2 = "/etc/sonod/wording/married.en.txt".into();
        assert_eq!(
            Wording::from_sources(s).unwrap_err(),
            WordingError::UnknownField {
                file: "/etc/sonod/wording/married.en.txt".into(),
                field: "spouse_name".into(),
                cert_type: "married".into(),
            }
        );
        // A real field of another type is refused too.
        let mut s = sources();
        let e = s.iter_mut().find(|(n, ..)| n == "citizenship.bn").unwrap();
        e.1.push_str("{{ deceased }}");
        let err = Wording::from_sources(s).unwrap_err();
        assert!(
            err.to_string()
                .contains("`deceased` in wording/citizenship.bn.txt"),
            "{err}"
        );
    }

    #[test]
    fn bad_syntax_and_missing_files_are_refused() {
        let mut s = sources();
        s.iter_mut().find(|(n, ..)| n == "income.bn").unwrap().1 = "{% if %}".into();
        assert!(matches!(
            Wording::from_sources(s),
            Err(WordingError::Syntax { file, .. }) if file == "wording/income.bn.txt"
        ));
        let mut s = sources();
        s.retain(|(n, ..)| n != "landless.en");
        assert_eq!(
            Wording::from_sources(s).unwrap_err(),
            WordingError::Missing {
                file: "wording/landless.en.txt".into()
            }
        );
    }

    #[test]
    fn an_office_overrides_one_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("landless.en.txt"),
            "{{ name }} owns no land.{% if ward %} Ward {{ ward }}.{% endif %}\n",
        )
        .unwrap();
        let w = Wording::load(Some(dir.path())).unwrap();
        let r = Record::from_json(&serde_json::json!({"type": "landless", "office": "100524",
            "issued": "2026-11-28", "fields": {"name": "A <B>", "father": "F", "mother": "M",
            "nid": "5012345678", "ward": 3}}))
        .unwrap();
        let b = w.body(&r, Place::Paurashava).unwrap();
        assert_eq!(b.en, "<b>A &lt;B&gt;</b> owns no land. Ward <b>3</b>.");
        assert!(b
            .bn
            .starts_with("<p>এই মর্মে প্রত্যয়ন করা যাচ্ছে যে, <b>A &lt;B&gt;</b>"));
        // An override that names a field the type lacks stops the load.
        std::fs::write(dir.path().join("landless.en.txt"), "{{ spouse }}").unwrap();
        let err = Wording::load(Some(dir.path())).unwrap_err();
        assert!(matches!(err, WordingError::UnknownField { ref field, .. } if field == "spouse"));
        assert!(err.to_string().contains("landless.en.txt"), "{err}");
    }
}
