//! The qr crate's user-facing words, one home a language: `qr/locales/bn/qr.ftl`
//! and `…/en/qr.ftl` (Fluent), built in. Errors stay typed; only their text lives there.

sonod_l10n::messages!(checked "qr.ftl");

#[cfg(test)]
mod tests {

    #[test]
    fn every_pdf_feature_has_its_own_words_in_both_languages() {
        use crate::{PdfFeature, ReadError};
        let mut seen = std::collections::HashSet::new();
        for f in PdfFeature::ALL {
            let text = ReadError::PdfUnsupported(f).to_string();
            let (bn, en) = text.split_once(" / ").expect("Bangla / English");
            assert!(!bn.contains("অজানা") && !en.contains("unknown"), "{text}");
            assert!(
                bn.starts_with("পিডিএফের") && en.starts_with("this PDF"),
                "{text}"
            );
            assert!(seen.insert(text.clone()), "one text a feature: {text}");
        }
    }
}
