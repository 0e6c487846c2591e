//! What came of a run's files, counted: the summary line at the end of a folder (and after
//! each batch a scanner drops into a watched folder), e.g. "১৯৮টি বৈধ · ১টিতে কিউআর কোড নেই ·
//! ১টি পড়া যায়নি · ১টি ছবি নয় (বাদ) / 198 valid · 1 no QR code · 1 unreadable · 1 not an image
//! (skipped)", and the same as one JSON object.

use sonod_judge::VerdictKind;

use crate::messages;

/// The verdict kinds in the order the summary names them: the good news first, then the
/// not-valid kinds from the gravest.
const ORDER: [VerdictKind; 11] = [
    VerdictKind::Valid,
    VerdictKind::Unconfirmed,
    VerdictKind::BadSignature,
    VerdictKind::KeyCompromised,
    VerdictKind::Revoked,
    VerdictKind::NotIssued,
    VerdictKind::UntrustedIssuer,
    VerdictKind::Expired,
    VerdictKind::NotYetValid,
    VerdictKind::UnsupportedVersion,
    VerdictKind::Malformed,
];

/// Counts of a run's files and codes by what came of them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    /// Codes judged, by verdict kind (in [`ORDER`]'s order).
    verdicts: [u64; ORDER.len()],
    /// Codes read but not judged (`--raw`).
    read: u64,
    /// Images with no QR code found (in time).
    no_qr: u64,
    /// Files that are images or PDFs but could not be read (damaged, too large, I/O).
    unreadable: u64,
    /// Codes read whose check failed (the store could not be read).
    failed: u64,
    /// Files that are not images or PDFs by their first bytes, skipped.
    skipped: u64,
}

impl Tally {
    /// A code judged `kind`.
    pub fn verdict(&mut self, kind: VerdictKind) {
        if let Some(i) = ORDER.iter().position(|k| *k == kind) {
            self.verdicts[i] += 1;
        }
    }

    /// A code read and printed without judging (`--raw`).
    pub fn read(&mut self) {
        self.read += 1;
    }

    /// An image without a QR code.
    pub fn no_qr(&mut self) {
        self.no_qr += 1;
    }

    /// An image or PDF that could not be read.
    pub fn unreadable(&mut self) {
        self.unreadable += 1;
    }

    /// A code whose check failed.
    pub fn failed(&mut self) {
        self.failed += 1;
    }

    /// A file that is not an image or PDF, skipped.
    pub fn skipped(&mut self) {
        self.skipped += 1;
    }

    /// Whether nothing was counted.
    pub fn is_empty(&self) -> bool {
        *self == Tally::default()
    }

    /// Whether every file counted was skipped: nothing was read or checked.
    pub fn only_skipped(&self) -> bool {
        self.skipped > 0
            && Tally {
                skipped: 0,
                ..self.clone()
            }
            .is_empty()
    }

    /// The counts that are not zero, each with its message id, in the summary's order.
    fn parts(&self) -> Vec<(String, u64)> {
        let mut parts: Vec<(String, u64)> = ORDER
            .iter()
            .zip(self.verdicts)
            .map(|(kind, n)| (format!("summary-{}", kind.as_str().replace('_', "-")), n))
            .collect();
        for (id, n) in [
            ("summary-read", self.read),
            ("summary-no-qr", self.no_qr),
            ("summary-unreadable", self.unreadable),
            ("summary-failed", self.failed),
            ("summary-skipped", self.skipped),
        ] {
            parts.push((id.to_owned(), n));
        }
        parts.retain(|(_, n)| *n > 0);
        parts
    }

    /// The summary line, Bangla (Bangla digits) then English: "১৯৮টি বৈধ · ১টি পড়া যায়নি /
    /// 198 valid · 1 unreadable".
    pub fn line(&self) -> String {
        let (mut bn, mut en) = (Vec::new(), Vec::new());
        for (id, n) in self.parts() {
            let latin = n.to_string();
            let (b, e) = messages::pair_with(&id, &[("n", &latin, &latin)]);
            bn.push(b);
            en.push(e);
        }
        if bn.is_empty() {
            let (b, e) = messages::pair("summary-nothing");
            return format!("{b} / {e}");
        }
        format!("{} / {}", bn.join(" · "), en.join(" · "))
    }

    /// The same as one JSON object, `{"summary": {...}}`: every verdict kind by its JSON name,
    /// and `read`, `no_qr`, `unreadable`, `check_failed`, `skipped`, each with its count.
    pub fn json(&self) -> serde_json::Value {
        let mut counts = serde_json::Map::new();
        for (kind, n) in ORDER.iter().zip(self.verdicts) {
            counts.insert(kind.as_str().to_owned(), n.into());
        }
        for (name, n) in [
            ("read", self.read),
            ("no_qr", self.no_qr),
            ("unreadable", self.unreadable),
            ("check_failed", self.failed),
            ("skipped", self.skipped),
        ] {
            counts.insert(name.to_owned(), n.into());
        }
        serde_json::json!({ "summary": counts })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_counts_by_kind_in_bangla_digits_then_english() {
        let mut t = Tally::default();
        for _ in 0..198 {
            t.verdict(VerdictKind::Valid);
        }
        t.no_qr();
        t.unreadable();
        t.skipped();
        assert_eq!(
            t.line(),
            "১৯৮টি বৈধ · ১টিতে কিউআর কোড নেই · ১টি পড়া যায়নি · ১টি ছবি বা পিডিএফ নয় (বাদ) / \
             198 valid · 1 no QR code · 1 unreadable · 1 not an image or PDF (skipped)"
        );
        let j = t.json();
        assert_eq!(j["summary"]["valid"], 198);
        assert_eq!(j["summary"]["no_qr"], 1);
        assert_eq!(j["summary"]["skipped"], 1);
        assert_eq!(j["summary"]["revoked"], 0);
        assert!(!t.only_skipped());
    }

    #[test]
    fn every_verdict_kind_has_its_words() {
        for kind in VerdictKind::ALL {
            let mut t = Tally::default();
            t.verdict(kind);
            let line = t.line();
            assert!(
                line.starts_with('১') && !line.contains("summary-"),
                "{kind:?}: {line}"
            );
            assert_eq!(t.json()["summary"][kind.as_str()], 1);
        }
        let mut t = Tally::default();
        t.read();
        t.failed();
        assert!(!t.line().contains("summary-"), "{}", t.line());
        assert!(!Tally::default().line().contains("summary-"));
        let mut skipped = Tally::default();
        skipped.skipped();
        assert!(skipped.only_skipped());
    }
}
