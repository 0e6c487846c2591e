//! Dates as Sonod uses them: calendar days in Bangladesh, written `YYYY-MM-DD`.

use time::format_description::FormatItem;
use time::macros::{format_description, offset};
use time::{Date, OffsetDateTime, UtcOffset};

/// Bangladesh Standard Time, UTC+6 all year (no daylight saving).
pub const DHAKA_OFFSET: UtcOffset = offset!(+6);

/// `YYYY-MM-DD`, the only date format in Sonod's files.
const DATE_FORMAT: &[FormatItem<'static>] = format_description!("[year]-[month]-[day]");

/// Today's date in Asia/Dhaka.
///
/// Validity windows are calendar days as printed on a certificate, so "today" is the date on a
/// wall calendar in Bangladesh, not in UTC: between 00:00 and 06:00 in Dhaka they differ.
pub fn today_dhaka() -> Date {
    OffsetDateTime::now_utc().to_offset(DHAKA_OFFSET).date()
}

/// The moment `unix` (seconds) in Dhaka, or `None` when it is outside the dates `time`
/// can represent there (a signed feed time or a manifest's at the end of year 9999 UTC is
/// already in year 10000 in Dhaka): times from outside input go through this, never
/// `to_offset`, which panics there.
pub fn dhaka_time_of(unix: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()?
        .checked_to_offset(DHAKA_OFFSET)
}

/// Parses a `YYYY-MM-DD` date.
pub fn parse_date(s: &str) -> Result<Date, time::error::Parse> {
    Date::parse(s, DATE_FORMAT)
}

/// Formats a date as `YYYY-MM-DD`.
pub fn format_date(date: Date) -> String {
    // Every `Date` without the `large-dates` feature has a four-digit year, which the format
    // can always write; the fallback only exists so that this cannot panic.
    date.format(DATE_FORMAT).unwrap_or_else(|_| {
        format!(
            "{:04}-{:02}-{:02}",
            date.year(),
            u8::from(date.month()),
            date.day()
        )
    })
}

/// `#[serde(with = "crate::clock::serde_date")]` for `YYYY-MM-DD` strings.
pub(crate) mod serde_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    pub(crate) fn serialize<S: Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::format_date(*date))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Date, D::Error> {
        let s = String::deserialize(deserializer)?;
        super::parse_date(&s).map_err(|e| {
            serde::de::Error::custom(format_args!(
                "invalid date {s:?} (expected YYYY-MM-DD): {e}"
            ))
        })
    }
}

/// `#[serde(with = "crate::clock::serde_date_opt")]` for an optional `YYYY-MM-DD` string,
/// with `#[serde(default, skip_serializing_if = "Option::is_none")]`: absent when `None`.
pub(crate) mod serde_date_opt {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    pub(crate) fn serialize<S: Serializer>(
        date: &Option<Date>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match date {
            Some(d) => super::serde_date::serialize(d, serializer),
            None => serializer.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Date>, D::Error> {
        // `null` is not a date: a field that is there must hold one.
        let s = String::deserialize(deserializer)?;
        super::parse_date(&s).map(Some).map_err(|e| {
            serde::de::Error::custom(format_args!(
                "invalid date {s:?} (expected YYYY-MM-DD): {e}"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    /// Caught by the snapshot fuzz target: a revocation time at the end of year 9999 UTC
    /// panicked in `to_offset`.
    #[test]
    fn times_past_the_last_date_in_dhaka_are_none_not_a_panic() {
        assert!(super::dhaka_time_of(253_402_300_799).is_none());
        assert!(super::dhaka_time_of(253_402_279_200).is_none());
        assert!(super::dhaka_time_of(i64::MAX).is_none());
        assert_eq!(
            super::dhaka_time_of(0).map(|t| t.hour()),
            Some(6),
            "1970-01-01 00:00 UTC is 06:00 in Dhaka"
        );
    }

    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn dates_round_trip() {
        assert_eq!(parse_date("2026-11-28").unwrap(), date!(2026 - 11 - 28));
        assert_eq!(format_date(date!(2027 - 05 - 07)), "2027-05-07");
        assert!(parse_date("2026-02-30").is_err());
        assert!(parse_date("28/11/2026").is_err());
        assert!(parse_date("2026-11-28T00:00").is_err());
    }

    #[test]
    fn dhaka_is_six_hours_ahead_of_utc() {
        let late_utc = datetime!(2026-03-25 19:30 UTC);
        assert_eq!(
            late_utc.to_offset(DHAKA_OFFSET).date(),
            date!(2026 - 03 - 26)
        );
        let today = today_dhaka();
        let utc = OffsetDateTime::now_utc().date();
        assert!(today == utc || today == utc.next_day().unwrap());
    }
}
