//! The Bangla (Bengali) calendar as Bangladesh uses it officially since the 2019 revision.
//!
//! Rules of the revision (Bangla Academy, in force from 1426 Bangabda):
//!
//! - The year starts on 14 April (Pohela Boishakh) every year.
//! - Boishakh to Ashwin (months 1–6) have 31 days; Kartik to Magh (7–10) and Chaitra (12)
//!   have 30; Falgun (11) has 29, or 30 when its February is a Gregorian leap-year February.
//! - Bangabda = Gregorian year − 593 from 14 April on, − 594 before it.
//!
//! So the national days fall on the same Bangla date every year: 21 February is 8 Falgun,
//! 26 March is 12 Chaitra, 16 December is 1 Poush, and 13 April is always 30 Chaitra (the leap
//! day is absorbed in Falgun, which always starts on 14 February and ends on 14 March).

use std::fmt;

use time::{Date, Month};

/// The twelve month names in Bangla, Boishakh first, in NFC.
///
/// Note that ঢ় and য় are composition exclusions: in NFC they are ঢ/য followed by the nukta
/// U+09BC, which is how they are written here.
pub const MONTHS_BN: [&str; 12] = [
    "বৈশাখ",
    "জ্যৈষ্ঠ",
    "আষা\u{09A2}\u{09BC}",
    "শ্রাবণ",
    "ভাদ্র",
    "আশ্বিন",
    "কার্তিক",
    "অগ্রহা\u{09AF}\u{09BC}ণ",
    "পৌষ",
    "মাঘ",
    "ফাল্গুন",
    "চৈত্র",
];

/// The twelve month names in Latin letters, as Bangladeshi English writes them.
pub const MONTHS_EN: [&str; 12] = [
    "Boishakh",
    "Joishtho",
    "Asharh",
    "Shrabon",
    "Bhadro",
    "Ashwin",
    "Kartik",
    "Agrahayan",
    "Poush",
    "Magh",
    "Falgun",
    "Chaitra",
];

/// A date of the Bangla calendar (2019 revision).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BanglaDate {
    /// The year, Bangabda (বঙ্গাব্দ).
    pub year: u32,
    /// The month, 1..=12, Boishakh = 1.
    pub month: u8,
    /// The day of the month, from 1.
    pub day: u8,
}

/// True when `year` is a Gregorian leap year.
fn is_leap(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// The length of `month` (1..=12) in the Bangla year that starts on 14 April of
/// Gregorian `start_year`.
fn month_len(start_year: i32, month: u8) -> u8 {
    match month {
        1..=6 => 31,
        // Falgun's February is in the next Gregorian year.
        11 if is_leap(start_year + 1) => 30,
        11 => 29,
        _ => 30,
    }
}

/// 14 April of Gregorian `year`, if the `time` crate can represent it.
fn pohela_boishakh(year: i32) -> Option<Date> {
    Date::from_calendar_date(year, Month::April, 14).ok()
}

/// Converts a Gregorian date to the Bangla calendar (2019 revision).
///
/// The calendar is taken back proleptically; dates before 1 Boishakh of year 1 (14 April
/// 594) have year 0.
pub fn from_gregorian(d: Date) -> BanglaDate {
    BanglaDate::from_gregorian(d)
}

impl BanglaDate {
    /// Converts a Gregorian date to the Bangla calendar (2019 revision).
    pub fn from_gregorian(d: Date) -> BanglaDate {
        let this_year = pohela_boishakh(d.year());
        let (start_year, start) = match this_year {
            Some(s) if d >= s => (d.year(), s),
            _ => match pohela_boishakh(d.year() - 1) {
                Some(s) => (d.year() - 1, s),
                // Before the earliest year `time` knows: nothing sensible to say.
                None => {
                    return BanglaDate {
                        year: 0,
                        month: 1,
                        day: 1,
                    }
                }
            },
        };
        let mut left = (d - start).whole_days();
        let mut month = 1u8;
        loop {
            let len = i64::from(month_len(start_year, month));
            if left < len || month == 12 {
                break;
            }
            left -= len;
            month += 1;
        }
        BanglaDate {
            year: u32::try_from(start_year - 593).unwrap_or(0),
            month,
            // At most 30 after the loop; the conversion cannot fail.
            day: u8::try_from(left + 1).unwrap_or(u8::MAX),
        }
    }

    /// The month's Bangla name, e.g. "অগ্রহায়ণ".
    pub fn month_name_bn(&self) -> &'static str {
        MONTHS_BN[usize::from(self.month.clamp(1, 12) - 1)]
    }

    /// The month's name in Latin letters, e.g. "Agrahayan".
    pub fn month_name_en(&self) -> &'static str {
        MONTHS_EN[usize::from(self.month.clamp(1, 12) - 1)]
    }

    /// The number of days in this date's month.
    pub fn days_in_month(&self) -> u8 {
        // Bangabda y starts in Gregorian y + 593.
        month_len(self.year as i32 + 593, self.month)
    }

    /// The date in Bangla with Bangla digits, day first: "১৩ অগ্রহায়ণ ১৪৩৩" (NFC).
    pub fn to_bangla_string(&self) -> String {
        sonod_seal::bangla_digits(&format!(
            "{} {} {}",
            self.day,
            self.month_name_bn(),
            self.year
        ))
    }

    /// The date in English: "13 Agrahayan 1433".
    pub fn to_english_string(&self) -> String {
        format!("{} {} {}", self.day, self.month_name_en(), self.year)
    }
}

impl fmt::Display for BanglaDate {
    /// Same as [`BanglaDate::to_bangla_string`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_bangla_string())
    }
}

impl From<Date> for BanglaDate {
    fn from(d: Date) -> BanglaDate {
        BanglaDate::from_gregorian(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use sonod_seal::text::normalize;

    fn date(y: i32, m: u8, d: u8) -> Date {
        Date::from_calendar_date(y, Month::try_from(m).unwrap(), d).unwrap()
    }

    fn bd(y: i32, m: u8, d: u8) -> BanglaDate {
        from_gregorian(date(y, m, d))
    }

    fn b(year: u32, month: u8, day: u8) -> BanglaDate {
        BanglaDate { year, month, day }
    }

    #[test]
    fn month_names_are_nfc() {
        for name in MONTHS_BN {
            assert_eq!(normalize(name), name, "{name:?} is not NFC");
            // No precomposed nukta letters (composition exclusions) are left.
            assert!(
                !name.contains(['\u{09DC}', '\u{09DD}', '\u{09DF}']),
                "{name:?}"
            );
        }
        assert_eq!(MONTHS_BN[2], normalize("আষাঢ়"));
        assert_eq!(MONTHS_BN[7], normalize("অগ্রহায়ণ"));
    }

    #[test]
    fn pohela_boishakh_is_14_april() {
        assert_eq!(bd(2026, 4, 14), b(1433, 1, 1));
        assert_eq!(bd(2026, 4, 14).to_bangla_string(), "১ বৈশাখ ১৪৩৩");
        for y in 1990..=2100 {
            assert_eq!(bd(y, 4, 14), b((y - 593) as u32, 1, 1), "{y}");
        }
    }

    #[test]
    fn national_days_fall_on_fixed_bangla_dates() {
        for y in 1990..=2100 {
            // Victory Day.
            let v = bd(y, 12, 16);
            assert_eq!((v.month, v.day), (9, 1), "16 December {y}");
            assert_eq!(v.year, (y - 593) as u32);
            // Language Martyrs' Day.
            let l = bd(y, 2, 21);
            assert_eq!((l.month, l.day), (11, 8), "21 February {y}");
            assert_eq!(l.year, (y - 594) as u32);
            // Independence Day.
            assert_eq!(bd(y, 3, 26).month, 12, "26 March {y}");
            assert_eq!(bd(y, 3, 26).day, 12, "26 March {y}");
            // Rabindranath Tagore's birthday, 25 Boishakh = 8 May.
            assert_eq!(bd(y, 5, 8), b((y - 593) as u32, 1, 25), "8 May {y}");
            // National Mourning Day.
            assert_eq!(bd(y, 8, 15), b((y - 593) as u32, 4, 31), "15 August {y}");
            // Nabanna: 1 Agrahayan = 16 November.
            assert_eq!(bd(y, 11, 16), b((y - 593) as u32, 8, 1), "16 November {y}");
            // Falgun always starts on 14 February and Chaitra on 15 March.
            assert_eq!(bd(y, 2, 14), b((y - 594) as u32, 11, 1), "14 February {y}");
            assert_eq!(bd(y, 3, 15), b((y - 594) as u32, 12, 1), "15 March {y}");
        }
        assert_eq!(bd(2026, 12, 16).to_bangla_string(), "১ পৌষ ১৪৩৩");
        assert_eq!(bd(2027, 2, 21).to_bangla_string(), "৮ ফাল্গুন ১৪৩৩");
        assert_eq!(bd(2027, 3, 26).to_bangla_string(), "১২ চৈত্র ১৪৩৩");
        assert_eq!(bd(2026, 8, 15).to_bangla_string(), "৩১ শ্রাবণ ১৪৩৩");
    }

    #[test]
    fn the_leap_day_goes_to_falgun() {
        // 2028 is a leap year: Falgun 1434 has 30 days, 29 February is 16 Falgun and 14 March
        // is 30 Falgun; Chaitra keeps its 30 days, so 13 April is 30 Chaitra.
        assert_eq!(bd(2028, 2, 29), b(1434, 11, 16));
        assert_eq!(bd(2028, 3, 14), b(1434, 11, 30));
        assert_eq!(bd(2028, 3, 15), b(1434, 12, 1));
        assert_eq!(bd(2028, 4, 13), b(1434, 12, 30));
        assert_eq!(b(1434, 11, 1).days_in_month(), 30);
        // 2027 is not: Falgun 1433 has 29 days and ends on 14 March as well.
        assert_eq!(bd(2027, 3, 14), b(1433, 11, 29));
        assert_eq!(bd(2027, 3, 15), b(1433, 12, 1));
        assert_eq!(bd(2027, 4, 13), b(1433, 12, 30));
        assert_eq!(b(1433, 11, 1).days_in_month(), 29);
        // Century rules: 2100 is not a leap year, 2000 is.
        assert_eq!(b(1506, 11, 1).days_in_month(), 29);
        assert_eq!(b(1406, 11, 1).days_in_month(), 30);
        // The last day of every year is 30 Chaitra, in leap years and others.
        for y in 1990..=2100 {
            assert_eq!(bd(y, 4, 13), b((y - 594) as u32, 12, 30), "13 April {y}");
        }
    }

    #[test]
    fn the_certificate_date() {
        // The benchmark certificate's issue date: 16 November is 1 Agrahayan, so 28 November
        // is 13 Agrahayan.
        let d = bd(2026, 11, 28);
        assert_eq!(d, b(1433, 8, 13));
        assert_eq!(d.to_bangla_string(), "১৩ অগ্রহায়ণ ১৪৩৩");
        assert_eq!(d.to_string(), d.to_bangla_string());
        assert_eq!(d.to_english_string(), "13 Agrahayan 1433");
        assert_eq!(normalize(&d.to_bangla_string()), d.to_bangla_string());
        // The 2019 revision's month boundaries for one year.
        let starts = [
            (4, 14),
            (5, 15),
            (6, 15),
            (7, 16),
            (8, 16),
            (9, 16),
            (10, 17),
            (11, 16),
            (12, 16),
        ];
        for (i, (m, day)) in starts.into_iter().enumerate() {
            assert_eq!(bd(2026, m, day), b(1433, i as u8 + 1, 1), "{m}-{day}");
        }
        assert_eq!(bd(2027, 1, 15), b(1433, 10, 1));
        assert_eq!(bd(2027, 1, 14), b(1433, 9, 30));
    }

    #[test]
    fn every_month_has_its_length() {
        for start in [2026, 2027, 2099] {
            let mut d = date(start, 4, 14);
            let mut lens = Vec::new();
            let first = BanglaDate::from(d);
            while BanglaDate::from(d).year == first.year {
                let bdate = BanglaDate::from(d);
                if bdate.day == 1 {
                    lens.push(bdate.days_in_month());
                }
                assert!(bdate.day <= bdate.days_in_month());
                d = d.next_day().unwrap();
            }
            let falgun = if is_leap(start + 1) { 30 } else { 29 };
            assert_eq!(lens, [31, 31, 31, 31, 31, 31, 30, 30, 30, 30, falgun, 30]);
        }
    }

    proptest! {
        #[test]
        fn consecutive_days_are_consecutive(days in 0i64..(111 * 366)) {
            let g = date(1990, 1, 1) + time::Duration::days(days);
            prop_assume!(g.year() <= 2100);
            let a = from_gregorian(g);
            let n = from_gregorian(g.next_day().unwrap());
            let expected = if a.day < a.days_in_month() {
                b(a.year, a.month, a.day + 1)
            } else if a.month < 12 {
                b(a.year, a.month + 1, 1)
            } else {
                b(a.year + 1, 1, 1)
            };
            prop_assert_eq!(n, expected, "after {} ({:?})", g, a);
            prop_assert!(a.day >= 1 && a.day <= a.days_in_month());
            prop_assert!((1..=12).contains(&a.month));
        }
    }

    #[test]
    fn every_day_1990_to_2100_is_consecutive() {
        // The property above, exhaustively.
        let mut g = date(1990, 1, 1);
        let mut prev = from_gregorian(g);
        while g.year() <= 2100 {
            g = g.next_day().unwrap();
            let n = from_gregorian(g);
            let ok = (n.year == prev.year && n.month == prev.month && n.day == prev.day + 1)
                || (n.year == prev.year
                    && n.month == prev.month + 1
                    && n.day == 1
                    && prev.day == prev.days_in_month())
                || (n.year == prev.year + 1
                    && n.month == 1
                    && n.day == 1
                    && prev.month == 12
                    && prev.day == 30);
            assert!(ok, "{prev:?} then {n:?} on {g}");
            prev = n;
        }
    }
}
