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

    #[test]
    fn numbers_are_in_bangla_digits_in_the_bangla_text() {
        let text = super::both("read-image-too-large", &[("n0", "4032"), ("n1", "3024")]);
        assert_eq!(
            text,
            "ছবি অনেক বড় (৪০৩২×৩০২৪) / image too large (4032×3024 pixels)"
        );
        let err = crate::ReadError::TimedOut(std::time::Duration::from_millis(1500));
        assert!(err.to_string().contains("১৫০০"), "{err}");
        assert!(err.to_string().contains("(1500 ms)"), "{err}");
    }
}
