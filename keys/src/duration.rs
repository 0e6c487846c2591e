//! The one duration grammar of Sonod's command lines (`sonod-verifier serve`'s intervals and
//! timeouts, `sonod-scan --max-age`).

use std::time::Duration;

/// Units a duration may be given in: milliseconds, seconds, minutes, hours, days.
pub const DURATION_UNITS: [&str; 5] = ["ms", "s", "m", "h", "d"];

/// Parses a duration: a number of seconds (`90`), or numbers each with a unit of
/// [`DURATION_UNITS`] (`500ms`, `5s`, `10m`, `36h`, `7d`, `1h 30m`), read by `humantime`. Its
/// other units (weeks, months, years and long names) are refused: a month has no one length,
/// and one short spelling per unit keeps the help texts true.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s
            .parse::<u64>()
            .map(Duration::from_secs)
            .map_err(|_| format!("too long: {s:?}"));
    }
    let units_ok = s
        .split(|c: char| c.is_ascii_digit() || c.is_whitespace())
        .filter(|u| !u.is_empty())
        .all(|u| DURATION_UNITS.contains(&u));
    if !units_ok {
        return Err(format!(
            "expected a duration such as 90, 500ms, 5s, 10m, 36h or 7d (units ms, s, m, h, d): {s:?}"
        ));
    }
    humantime::parse_duration(s).map_err(|e| format!("{e}: {s:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_grammar() {
        for (text, want) in [
            ("90", 90_000),
            ("7", 7_000),
            ("500ms", 500),
            ("5s", 5_000),
            ("10m", 600_000),
            ("2h", 7_200_000),
            ("36h", 129_600_000),
            ("7d", 604_800_000),
            ("1h 30m", 5_400_000),
            (" 5s ", 5_000),
            ("0", 0),
            ("0ms", 0),
        ] {
            assert_eq!(
                parse_duration(text),
                Ok(Duration::from_millis(want)),
                "{text}"
            );
        }
        for bad in [
            "",
            "s",
            "d",
            "7w",
            "1M",
            "2y",
            "5 sec",
            "-5s",
            "1.5h",
            "5x",
            "99999999999999999999h",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
    }
}
