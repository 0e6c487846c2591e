//! HTML escaping for the pages and the wording: named entities, as the pages have always
//! been written (`&lt;`, `&gt;`, `&amp;`, `&quot;`, `&#39;`). Askama templates use it with
//! `escape = "sonod"` (see `issuer/askama.toml`).

use std::fmt;

/// The askama escaper behind `escape = "sonod"`.
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

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let _ = askama::filters::Escaper::write_escaped_str(&Entities, &mut out, s);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_entities() {
        assert_eq!(
            esc("<a href=\"x\">O'Hare & Co</a> বাংলা"),
            "&lt;a href=&quot;x&quot;&gt;O&#39;Hare &amp; Co&lt;/a&gt; বাংলা"
        );
    }
}
