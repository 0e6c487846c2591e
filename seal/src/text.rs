//! Sonod compact text (SCT): Bengali at one byte a letter.
//!
//! UTF-8 spends three bytes on every Bengali letter; in a QR code that triples the cost of
//! a name. SCT maps the whole Bengali block (U+0980–U+09FF) onto the upper half of a byte,
//! keeps printable ASCII as it is, gives the few other characters Bengali text needs (ZWNJ,
//! ZWJ, the dandas) a byte of their own, and escapes anything else as `0x1B` followed by that
//! character's UTF-8 bytes. The byte table is in `docs/FORMAT.md`.
//!
//! Every text has exactly one encoding: the encoder never escapes a character that has a
//! byte of its own, and the decoder refuses such an escape, a control character, and text
//! that is not in Unicode Normalization Form C.

use unicode_normalization::UnicodeNormalization;

/// The escape byte: one UTF-8 encoded character follows.
const ESCAPE: u8 = 0x1B;
/// First code point of the Bengali block, mapped to byte 0x80.
const BENGALI_BASE: u32 = 0x0980;

/// Characters with a single byte of their own below 0x20.
const SPECIALS: [(u8, char); 4] = [
    (0x01, '\u{200C}'), // ZERO WIDTH NON-JOINER
    (0x02, '\u{200D}'), // ZERO WIDTH JOINER
    (0x03, '\u{0964}'), // DEVANAGARI DANDA, the Bengali full stop
    (0x04, '\u{0965}'), // DEVANAGARI DOUBLE DANDA
];

/// Why a text cannot be encoded or an encoding cannot be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TextError {
    /// The text holds a control character, which no certificate field may contain.
    #[error("{}", crate::l10n::both("text-control-character", &[("n0_04X", &format!("{:04X}", .0))]))]
    ControlCharacter(u32),
    /// A byte that SCT does not assign.
    #[error("{}", crate::l10n::both("text-unassigned-byte", &[("n0_02X", &format!("{:02X}", .0))]))]
    UnassignedByte(u8),
    /// An escape that is cut short or is not followed by one valid UTF-8 character.
    #[error("{}", crate::l10n::both("text-bad-escape", &[]))]
    BadEscape,
    /// An escape of a character that has a byte of its own: a second encoding of the same text.
    #[error("{}", crate::l10n::both("text-needless-escape", &[]))]
    NeedlessEscape,
    /// The decoded text is not in Normalization Form C.
    #[error("{}", crate::l10n::both("text-not-nfc", &[]))]
    NotNfc,
}

/// Returns `text` in Unicode Normalization Form C, the form that is signed.
pub fn normalize(text: &str) -> String {
    text.nfc().collect()
}

/// True when `text` is in Normalization Form C: [`normalize`] would leave it as it is.
///
/// The same answer as `unicode_normalization::is_nfc`, faster for Bengali. Its quick check
/// answers "maybe" for almost every Bengali text, because the vowel sign AA (U+09BE) and the
/// AU length mark (U+09D7) could combine with a vowel sign E (U+09C7) before them into O
/// (U+09CB) and AU (U+09CC); the general answer then normalises the whole text to compare.
/// When those two are the only "maybe" characters, the quick check has already found
/// everything else in order, and both have combining class 0 (so only the character right
/// before them can combine with them): the text is NFC exactly when no U+09C7 comes right
/// before one. Any other "maybe" character goes the general way.
///
/// Text of ASCII and the Bengali block only (nearly every certificate text) runs the quick
/// check itself, with the block's combining classes and quick-check answers taken from
/// `unicode_normalization` once into a table: looking each letter up in its tables was most
/// of the time a verifier spent on a payload's names.
pub fn is_nfc(text: &str) -> bool {
    match bengali_is_nfc(text) {
        Some(answer) => answer,
        None => is_nfc_general(text),
    }
}

/// A quick-check answer, as a byte for the table.
const QC_YES: u8 = 0;
const QC_MAYBE: u8 = 1;
const QC_NO: u8 = 2;

/// The Bengali block's (canonical combining class, NFC quick-check answer), by offset.
fn bengali_table() -> &'static [(u8, u8); 128] {
    use std::sync::OnceLock;
    use unicode_normalization::{char::canonical_combining_class, is_nfc_quick, IsNormalized};
    static TABLE: OnceLock<[(u8, u8); 128]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = [(0, QC_YES); 128];
        for (cp, slot) in (BENGALI_BASE..).zip(t.iter_mut()) {
            // Every code point of the block is a scalar value (assigned or not).
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            let qc = match is_nfc_quick(std::iter::once(c)) {
                IsNormalized::Yes => QC_YES,
                IsNormalized::Maybe => QC_MAYBE,
                IsNormalized::No => QC_NO,
            };
            *slot = (canonical_combining_class(c), qc);
        }
        t
    })
}

/// [`is_nfc`] for text of ASCII and Bengali letters: `None` when it holds anything else, or
/// a "maybe" other than U+09BE and U+09D7.
fn bengali_is_nfc(text: &str) -> Option<bool> {
    let table = bengali_table();
    let (mut last_class, mut prev) = (0u8, '\0');
    for c in text.chars() {
        if c.is_ascii() {
            (last_class, prev) = (0, c);
            continue;
        }
        let &(class, qc) = table.get((c as u32).wrapping_sub(BENGALI_BASE) as usize)?;
        if class != 0 && last_class > class {
            return Some(false);
        }
        match qc {
            QC_NO => return Some(false),
            QC_MAYBE if c != '\u{09BE}' && c != '\u{09D7}' => return None,
            QC_MAYBE if prev == '\u{09C7}' => return Some(false),
            _ => {}
        }
        (last_class, prev) = (class, c);
    }
    Some(true)
}

/// [`is_nfc`] for any text.
fn is_nfc_general(text: &str) -> bool {
    use unicode_normalization::{is_nfc_quick, IsNormalized};
    match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => return true,
        IsNormalized::No => return false,
        IsNormalized::Maybe => {}
    }
    let mut prev = '\0';
    for c in text.chars() {
        if c == '\u{09BE}' || c == '\u{09D7}' {
            if prev == '\u{09C7}' {
                return false;
            }
        } else if !c.is_ascii() && is_nfc_quick(std::iter::once(c)) == IsNormalized::Maybe {
            return unicode_normalization::is_nfc(text);
        }
        prev = c;
    }
    true
}

/// True when `c` is in the Bengali block, the characters that make a text worth encoding.
pub fn is_bengali(c: char) -> bool {
    (BENGALI_BASE..BENGALI_BASE + 0x80).contains(&(c as u32))
}

/// True when SCT pays off for `text`: it holds at least one Bengali character.
///
/// Texts without one are stored as plain CBOR text strings, which cost the same or less.
pub fn wants_compact(text: &str) -> bool {
    text.chars().any(is_bengali)
}

/// Encodes NFC text. The caller normalises first; see [`normalize`].
pub fn encode(text: &str) -> Result<Vec<u8>, TextError> {
    let mut out = Vec::with_capacity(encoded_len(text));
    encode_into(text, &mut out)?;
    Ok(out)
}

/// The length of [`encode`]'s output for `text`.
pub fn encoded_len(text: &str) -> usize {
    text.chars()
        .map(|c| match single_byte(c) {
            Some(_) => 1,
            None => 1 + c.len_utf8(),
        })
        .sum()
}

/// [`encode`], appending to `out` (on an error, part of the text may have been appended).
pub fn encode_into(text: &str, out: &mut Vec<u8>) -> Result<(), TextError> {
    for c in text.chars() {
        if c.is_control() {
            return Err(TextError::ControlCharacter(c as u32));
        }
        if let Some(b) = single_byte(c) {
            out.push(b);
        } else {
            out.push(ESCAPE);
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
    Ok(())
}

/// Decodes SCT bytes into the NFC text they encode.
pub fn decode(bytes: &[u8]) -> Result<String, TextError> {
    let mut out = String::with_capacity(bytes.len() * 3);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        i += 1;
        match b {
            0x20..=0x7E => out.push(char::from(b)),
            0x80..=0xFF => out.push(bengali(b)),
            ESCAPE => {
                let lead = *bytes.get(i).ok_or(TextError::BadEscape)?;
                let len = utf8_len(lead).ok_or(TextError::BadEscape)?;
                let seq = bytes.get(i..i + len).ok_or(TextError::BadEscape)?;
                let c = std::str::from_utf8(seq)
                    .ok()
                    .and_then(|s| s.chars().next())
                    .ok_or(TextError::BadEscape)?;
                if single_byte(c).is_some() {
                    return Err(TextError::NeedlessEscape);
                }
                if c.is_control() {
                    return Err(TextError::ControlCharacter(c as u32));
                }
                out.push(c);
                i += len;
            }
            _ => match SPECIALS.iter().find(|(sb, _)| *sb == b) {
                Some((_, c)) => out.push(*c),
                None => return Err(TextError::UnassignedByte(b)),
            },
        }
    }
    if !is_nfc(&out) {
        return Err(TextError::NotNfc);
    }
    Ok(out)
}

fn bengali(b: u8) -> char {
    // 0x0980 + 0..=0x7F is always a valid scalar value.
    char::from_u32(BENGALI_BASE + u32::from(b - 0x80)).unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// The byte of its own that `c` has, if any.
fn single_byte(c: char) -> Option<u8> {
    let cp = c as u32;
    if (0x20..=0x7E).contains(&cp) {
        return Some(cp as u8);
    }
    if is_bengali(c) {
        return Some((cp - BENGALI_BASE) as u8 + 0x80);
    }
    SPECIALS.iter().find(|(_, sc)| *sc == c).map(|(b, _)| *b)
}

/// Length of a multi-byte UTF-8 sequence from its lead byte; `None` for ASCII or a
/// continuation byte (an escaped ASCII character would be a second encoding).
fn utf8_len(lead: u8) -> Option<usize> {
    match lead {
        0xC2..=0xDF => Some(2),
        0xE0..=0xEF => Some(3),
        0xF0..=0xF4 => Some(4),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_bengali_nfc_check_agrees_with_the_general_one() {
        let mut chars: Vec<char> = (0x0980u32..0x0A00).filter_map(char::from_u32).collect();
        chars.extend([
            'a', ' ', '\u{200C}', '\u{200D}', '\u{0964}', 'e', '\u{0301}', '\u{0B47}', '\u{0B3E}',
        ]);
        for &a in &chars {
            for &b in &chars {
                let s: String = [a, b].iter().collect();
                assert_eq!(is_nfc(&s), unicode_normalization::is_nfc(&s), "{s:?}");
                let t: String = ['ক', a, b, 'া'].iter().collect();
                assert_eq!(is_nfc(&t), unicode_normalization::is_nfc(&t), "{t:?}");
            }
        }
    }

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn bengali_text_takes_the_table_path() {
        assert_eq!(bengali_is_nfc(&normalize("মোহাম্মদ আব্দুল করিম")), Some(true));
        // O written as E + AA, which NFC composes.
        assert_eq!(bengali_is_nfc("ক\u{09C7}\u{09BE}"), Some(false));
        // Nukta (class 7) after virama (class 9) is out of canonical order.
        assert_eq!(bengali_is_nfc("ক\u{09CD}\u{09BC}"), Some(false));
        assert_eq!(bengali_is_nfc("e\u{0301}"), None);
        assert_eq!(bengali_is_nfc("ক\u{200C}"), None);
    }

    proptest! {
        #[test]
        fn the_nfc_check_agrees_with_unicode_normalization(
            s in "[\u{0980}-\u{09FF}a-e \u{0301}\u{200C}\u{0B47}\u{0B3E}]{0,10}"
        ) {
            prop_assert_eq!(is_nfc(&s), unicode_normalization::is_nfc(&s));
        }
    }

    #[test]
    fn bengali_name_is_one_byte_a_letter() {
        let name = normalize("মোহাম্মদ আব্দুল করিম");
        let enc = encode(&name).unwrap();
        assert_eq!(enc.len(), name.chars().count());
        assert_eq!(decode(&enc).unwrap(), name);
    }

    #[test]
    fn nukta_letters_decompose_under_nfc_and_round_trip() {
        // য় (U+09DF) is a composition exclusion: NFC is য + ় (U+09AF U+09BC).
        let nfc = normalize("রোকেয়া");
        assert!(nfc.contains('\u{09BC}'));
        assert!(!nfc.contains('\u{09DF}'));
        assert_eq!(decode(&encode(&nfc).unwrap()).unwrap(), nfc);
    }

    #[test]
    fn zwj_zwnj_and_dandas_have_bytes_of_their_own() {
        let text = "র\u{200D}্য ক\u{200C}্ষ।॥";
        let enc = encode(text).unwrap();
        assert_eq!(enc.len(), text.chars().count());
        assert!(enc.contains(&0x01) && enc.contains(&0x02));
        assert_eq!(decode(&enc).unwrap(), text);
    }

    #[test]
    fn other_characters_are_escaped() {
        let text = "Café ৳ 😀";
        let enc = encode(text).unwrap();
        // ৳ (U+09F3) is in the Bengali block; é and the emoji are escaped.
        assert_eq!(enc, b"Caf\x1b\xc3\xa9 \xf3 \x1b\xf0\x9f\x98\x80".to_vec());
        assert_eq!(decode(&enc).unwrap(), text);
    }

    #[test]
    fn control_characters_are_refused() {
        assert_eq!(encode("a\nb"), Err(TextError::ControlCharacter(0x0A)));
        assert_eq!(decode(b"a\x00"), Err(TextError::UnassignedByte(0)));
        assert_eq!(
            decode(b"\x1b\xc2\x85"),
            Err(TextError::ControlCharacter(0x85))
        );
    }

    #[test]
    fn second_encodings_are_refused() {
        // 'ক' escaped instead of 0x95.
        assert_eq!(decode(b"\x1b\xe0\xa6\x95"), Err(TextError::NeedlessEscape));
        // An escaped ASCII letter.
        assert_eq!(decode(b"\x1bA"), Err(TextError::BadEscape));
        // Truncated and invalid escapes.
        assert_eq!(decode(b"\x1b"), Err(TextError::BadEscape));
        assert_eq!(decode(b"\x1b\xe0\xa6"), Err(TextError::BadEscape));
        assert_eq!(decode(b"\x1b\xed\xa0\x80"), Err(TextError::BadEscape)); // a surrogate
        assert_eq!(decode(b"\x7f"), Err(TextError::UnassignedByte(0x7F)));
    }

    #[test]
    fn non_nfc_text_is_refused() {
        // ো written as ে + া is not NFC.
        let enc = [0x95, 0xC7, 0xBE];
        assert_eq!(decode(&enc), Err(TextError::NotNfc));
    }

    proptest! {
        #[test]
        fn any_text_round_trips_as_its_nfc(s in "\\PC{0,40}") {
            let nfc = normalize(&s);
            match encode(&nfc) {
                Ok(enc) => {
                    prop_assert_eq!(decode(&enc).unwrap(), nfc.clone());
                    prop_assert!(enc.len() <= nfc.len() + nfc.chars().count());
                }
                Err(TextError::ControlCharacter(_)) => prop_assert!(nfc.chars().any(char::is_control)),
                Err(e) => prop_assert!(false, "unexpected {e}"),
            }
        }

        #[test]
        fn bengali_text_costs_one_byte_a_letter(s in "[\u{0985}-\u{09B9} \u{09BE}-\u{09C4}]{0,60}") {
            let nfc = normalize(&s);
            let enc = encode(&nfc).unwrap();
            prop_assert_eq!(enc.len(), nfc.chars().count());
            prop_assert_eq!(decode(&enc).unwrap(), nfc);
        }

        #[test]
        fn decoding_any_bytes_never_panics_and_reencodes_exactly(b in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(text) = decode(&b) {
                prop_assert_eq!(encode(&text).unwrap(), b);
            }
        }
    }
}
