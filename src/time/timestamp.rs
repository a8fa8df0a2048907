//! [`Timestamp`]: nanoseconds since the Unix epoch, UTC. Parsing of the ISO forms the canonical
//! schemas allow, formatting back to ISO-8601 `Z` form.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use std::fmt;

/// An instant in UTC, nanoseconds since 1970-01-01T00:00:00Z.
///
/// Range: 1677-09-21 .. 2262-04-11 (the range of `i64` nanoseconds). Construction from calendar
/// values outside that range fails with [`TimestampError::OutOfRange`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// Why a timestamp could not be built or parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    #[error("instant outside 1677-09-21..2262-04-11")]
    OutOfRange,
    #[error("expected an ISO date (YYYY-MM-DD) or timestamp (YYYY-MM-DDTHH:MM:SS[.f][Z|+HH:MM])")]
    Unparseable,
}

impl Timestamp {
    pub const MIN: Timestamp = Timestamp(i64::MIN);
    pub const MAX: Timestamp = Timestamp(i64::MAX);

    /// From raw nanoseconds since the epoch (always valid).
    pub const fn from_nanos(ns: i64) -> Self {
        Timestamp(ns)
    }

    /// Nanoseconds since the epoch.
    pub const fn nanos(self) -> i64 {
        self.0
    }

    /// From a chrono UTC instant.
    pub fn from_utc(dt: DateTime<Utc>) -> Result<Self, TimestampError> {
        dt.timestamp_nanos_opt().map(Timestamp).ok_or(TimestampError::OutOfRange)
    }

    /// From a naive date-time interpreted as UTC.
    pub fn from_naive_utc(dt: NaiveDateTime) -> Result<Self, TimestampError> {
        Self::from_utc(Utc.from_utc_datetime(&dt))
    }

    /// Midnight UTC at the start of `date`.
    pub fn start_of_day(date: NaiveDate) -> Result<Self, TimestampError> {
        Self::from_naive_utc(date.and_time(NaiveTime::MIN))
    }

    /// The chrono UTC instant.
    pub fn to_utc(self) -> DateTime<Utc> {
        DateTime::from_timestamp_nanos(self.0)
    }

    /// The UTC calendar date of this instant.
    pub fn utc_date(self) -> NaiveDate {
        self.to_utc().date_naive()
    }

    /// This instant shifted by whole seconds (saturating at the ends of the range).
    pub fn plus_seconds(self, seconds: i64) -> Self {
        Timestamp(self.0.saturating_add(seconds.saturating_mul(1_000_000_000)))
    }

    /// Parse the timestamp forms of the canonical schemas:
    /// `YYYY-MM-DDTHH:MM:SS[.fraction]` followed by `Z`, `+HH:MM`/`-HH:MM` or nothing (then UTC is
    /// assumed), with `T` or a single space between date and time.
    pub fn parse_iso(text: &str) -> Result<Self, TimestampError> {
        let s = text.trim();
        if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
            return Self::from_utc(dt.with_timezone(&Utc));
        }
        let with_t = s.replacen(' ', "T", 1);
        if let Ok(dt) = DateTime::parse_from_rfc3339(&with_t) {
            return Self::from_utc(dt.with_timezone(&Utc));
        }
        let naive = with_t.strip_suffix('Z').unwrap_or(&with_t);
        for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
            if let Ok(dt) = NaiveDateTime::parse_from_str(naive, fmt) {
                return Self::from_naive_utc(dt);
            }
        }
        if let Ok(dt) = DateTime::parse_from_str(&with_t, "%Y-%m-%dT%H:%M:%S%.f%z") {
            return Self::from_utc(dt.with_timezone(&Utc));
        }
        Err(TimestampError::Unparseable)
    }
}

impl fmt::Display for Timestamp {
    /// ISO-8601 in UTC with a `Z`; fractional seconds only when present, with 3, 6 or 9 digits
    /// (the fewest that are exact).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dt = self.to_utc();
        let frac = self.0.rem_euclid(1_000_000_000);
        let pattern = if frac == 0 {
            "%Y-%m-%dT%H:%M:%SZ"
        } else if frac % 1_000_000 == 0 {
            "%Y-%m-%dT%H:%M:%S%.3fZ"
        } else if frac % 1_000 == 0 {
            "%Y-%m-%dT%H:%M:%S%.6fZ"
        } else {
            "%Y-%m-%dT%H:%M:%S%.9fZ"
        };
        write!(f, "{}", dt.format(pattern))
    }
}

/// Parse a strict ISO calendar date `YYYY-MM-DD` (surrounding whitespace ignored): digits and
/// dashes read directly, the date checked by the calendar (what chrono's `%Y-%m-%d` accepts in ten
/// characters, ten times faster: a sweep validates two dates a combination).
pub fn parse_iso_date(text: &str) -> Option<NaiveDate> {
    let b = text.trim().as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |digits: &[u8]| {
        digits.iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    NaiveDate::from_ymd_opt(number(&b[..4])? as i32, number(&b[5..7])?, number(&b[8..])?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_allowed_forms_to_the_same_instant() {
        let want = Timestamp::parse_iso("2024-11-13T20:00:00Z").unwrap();
        for s in [
            "2024-11-13 20:00:00+00:00",
            "2024-11-13T20:00:00",
            "2024-11-13T15:00:00-05:00",
            "2024-11-13T20:00:00.000Z",
            " 2024-11-13T20:00Z ",
        ] {
            assert_eq!(Timestamp::parse_iso(s), Ok(want), "{s}");
        }
        assert_eq!(want.to_string(), "2024-11-13T20:00:00Z");
        let ms = Timestamp::parse_iso("2024-03-05T05:00:00.123Z").unwrap();
        assert_eq!(ms.to_string(), "2024-03-05T05:00:00.123Z");
        assert_eq!(Timestamp::from_nanos(ms.nanos() + 4_000).to_string(), "2024-03-05T05:00:00.123004Z");
        assert_eq!(Timestamp::from_nanos(ms.nanos() + 5).to_string(), "2024-03-05T05:00:00.123000005Z");
    }

    #[test]
    fn rejects_garbage_and_impossible_dates() {
        for s in ["", "2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z", "yesterday", "1700000000"] {
            assert_eq!(Timestamp::parse_iso(s), Err(TimestampError::Unparseable), "{s}");
        }
        assert_eq!(parse_iso_date("2024-02-29").map(|d| d.to_string()).as_deref(), Some("2024-02-29"));
        assert_eq!(parse_iso_date("2023-02-29"), None);
        assert_eq!(parse_iso_date("2024-2-9"), None);
        assert_eq!(parse_iso_date("2024- 2-09"), None, "space-padded");
        assert_eq!(parse_iso_date("+024-02-09"), None, "signed");
        assert_eq!(parse_iso_date(" 2024-02-09\t").map(|d| d.to_string()).as_deref(), Some("2024-02-09"));
    }

    #[test]
    fn iso_dates_parse_as_chronos_format_does() {
        // Every ten-character string over digits, dashes and a few others that chrono's
        // `%Y-%m-%d` might take, from a fixed generator, and every day of a leap year.
        let mut x = 0x9e37_79b9_7f4a_7c15_u64;
        let alphabet = b"0123456789-- +x";
        for _ in 0..200_000 {
            let s: String = (0..10)
                .map(|i| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    match (i, x % 4) {
                        (4 | 7, 0..=2) => '-',
                        (_, 0..=2) => char::from(b'0' + (x >> 8) as u8 % 10),
                        _ => char::from(alphabet[(x >> 8) as usize % alphabet.len()]),
                    }
                })
                .collect();
            // chrono also takes a signed year and space-padded fields, which ISO does not.
            let chrono = NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok().filter(|_| !s.contains(['+', ' ']));
            let chrono = chrono.filter(|_| !s.starts_with('-'));
            assert_eq!(parse_iso_date(&s), chrono, "{s:?}");
        }
        let mut d = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        while chrono::Datelike::year(&d) == 2024 {
            assert_eq!(parse_iso_date(&d.to_string()), Some(d));
            d = d.succ_opt().unwrap();
        }
    }

    #[test]
    fn out_of_range_is_an_error_not_a_panic() {
        let d = NaiveDate::from_ymd_opt(2300, 1, 1).unwrap();
        assert_eq!(Timestamp::start_of_day(d), Err(TimestampError::OutOfRange));
    }
}
