//! When a daily bar becomes known: the instant, in UTC, of the session close it belongs to.
//!
//! US index data (SPX, VIX and its family, VX settlements, rates) is stamped at the NYSE close,
//! 16:00 America/New_York, or 13:00 on early-close days, converted with the tz database so that
//! daylight saving is right (20:00 UTC in summer, 21:00 UTC in winter). Crypto daily data is stamped
//! at the end of its UTC day.

use super::{Calendar, Timestamp, TimestampError};
use chrono::{Days, LocalResult, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::America::New_York;

/// The UTC instant of the NYSE session close of `date` (16:00 New York, 13:00 on early closes).
/// For a date that is not a trading day the regular 16:00 is used (the caller decides whether such
/// a row is acceptable).
pub fn nyse_close_utc(calendar: &Calendar, date: NaiveDate) -> Result<Timestamp, TimestampError> {
    let hour = if calendar.is_early_close(date) { 13 } else { 16 };
    let local = date.and_time(NaiveTime::from_hms_opt(hour, 0, 0).expect("valid hour"));
    match New_York.from_local_datetime(&local) {
        // 13:00 and 16:00 are never inside a DST transition (those happen at 02:00).
        LocalResult::Single(dt) | LocalResult::Ambiguous(dt, _) => {
            Timestamp::from_utc(dt.with_timezone(&chrono::Utc))
        }
        LocalResult::None => Err(TimestampError::OutOfRange),
    }
}

/// The UTC instant of New York local time `time` on `date` (the earlier instant when the clock
/// is set back; `None` for a local time skipped by daylight saving, or out of range).
pub fn new_york_utc(date: NaiveDate, time: NaiveTime) -> Option<Timestamp> {
    let local = New_York.from_local_datetime(&date.and_time(time)).earliest()?;
    Timestamp::from_utc(local.with_timezone(&chrono::Utc)).ok()
}

/// The end of the UTC day `date` (midnight at the start of the next day).
pub fn utc_day_end(date: NaiveDate) -> Result<Timestamp, TimestampError> {
    let next = date.checked_add_days(Days::new(1)).ok_or(TimestampError::OutOfRange)?;
    Timestamp::start_of_day(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(y: i32, m: u32, d: u32) -> String {
        let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
        nyse_close_utc(&Calendar::nyse(), date).unwrap().to_string()
    }

    #[test]
    fn dst_and_early_closes() {
        assert_eq!(close(2024, 1, 16), "2024-01-16T21:00:00Z"); // EST
        assert_eq!(close(2024, 7, 16), "2024-07-16T20:00:00Z"); // EDT
        assert_eq!(close(2024, 3, 8), "2024-03-08T21:00:00Z"); // last EST day
        assert_eq!(close(2024, 3, 11), "2024-03-11T20:00:00Z"); // first EDT trading day
        assert_eq!(close(2024, 11, 29), "2024-11-29T18:00:00Z"); // early close, EST
        assert_eq!(close(2023, 7, 3), "2023-07-03T17:00:00Z"); // early close, EDT
        assert_eq!(close(2006, 4, 3), "2006-04-03T20:00:00Z"); // old DST rule: first Sunday of April
        assert_eq!(close(2006, 3, 31), "2006-03-31T21:00:00Z");
    }

    #[test]
    fn utc_day_end_is_next_midnight() {
        let d = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(utc_day_end(d).unwrap().to_string(), "2024-03-01T00:00:00Z");
    }
}
