//! The NYSE trading calendar, rule-based: weekends, the regular holidays with their observance
//! rules, the one-off closures since 1990, and the 13:00 early closes.
//!
//! Validity: the rules are those in force since 1990 and are checked against every trading day of
//! the real SPX history 1990-2026 (integration test `calendar_matches_real_spx`). Before
//! [`CALENDAR_FIRST_YEAR`] NYSE had other rules (Saturday sessions until 1952, many one-off
//! closures), so callers that validate data against the calendar only do so inside
//! [`CALENDAR_FIRST_YEAR`]..=[`CALENDAR_LAST_YEAR`]. Future one-off closures are unknowable.
//!
//! Regular holidays: New Year's Day (Sunday -> Monday; Saturday -> not observed, NYSE Rule 7.2),
//! Martin Luther King Jr. Day (3rd Monday of January, from 1998), Washington's Birthday (3rd Monday
//! of February), Good Friday, Memorial Day (last Monday of May), Juneteenth (June 19, from 2022),
//! Independence Day, Labor Day (1st Monday of September), Thanksgiving (4th Thursday of November),
//! Christmas. Saturday holidays are observed the Friday before, Sunday holidays the Monday after.
//!
//! Early closes at 13:00 New York: July 3 (when a weekday trading day), the day after
//! Thanksgiving, and December 24 (when a weekday trading day).

use chrono::{Datelike, Days, NaiveDate, Weekday};
use std::sync::OnceLock;

/// First year the calendar's rules are claimed for.
pub const CALENDAR_FIRST_YEAR: i32 = 1990;
/// Last year of the precomputed table (rules continue to apply beyond it, computed on the fly).
pub const CALENDAR_LAST_YEAR: i32 = 2100;

/// One-off full-day closures since 1990.
const SPECIAL_CLOSURES: &[(i32, u32, u32)] = &[
    (1994, 4, 27),  // President Nixon's funeral
    (2001, 9, 11),  // September 11 attacks
    (2001, 9, 12),  //
    (2001, 9, 13),  //
    (2001, 9, 14),  //
    (2004, 6, 11),  // President Reagan's funeral
    (2007, 1, 2),   // President Ford's day of mourning
    (2012, 10, 29), // Hurricane Sandy
    (2012, 10, 30), //
    (2018, 12, 5),  // President G.H.W. Bush's day of mourning
    (2025, 1, 9),   // President Carter's day of mourning
];

/// The NYSE calendar. Cheap to copy; the trading-day table behind it is built once per process.
#[derive(Debug, Clone, Copy, Default)]
pub struct Calendar;

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("calendar constants are valid dates")
}

/// The n-th (1-based) `weekday` of a month.
pub(crate) fn nth_weekday(year: i32, month: u32, weekday: Weekday, n: u8) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, month, weekday, n).expect("n <= 4 always exists")
}

fn last_weekday(year: i32, month: u32, weekday: Weekday) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, month, weekday, 5)
        .unwrap_or_else(|| nth_weekday(year, month, weekday, 4))
}

/// Easter Sunday (Gregorian), anonymous algorithm (Meeus/Jones/Butcher).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    ymd(year, month as u32, day as u32)
}

/// Saturday -> Friday before, Sunday -> Monday after.
fn observed(date: NaiveDate) -> NaiveDate {
    match date.weekday() {
        Weekday::Sat => date - Days::new(1),
        Weekday::Sun => date + Days::new(1),
        _ => date,
    }
}

/// The full-day holidays of `year` (rule-based plus one-off closures), unsorted.
fn holidays(year: i32) -> Vec<NaiveDate> {
    let mut h = Vec::with_capacity(16);
    let new_year = ymd(year, 1, 1);
    match new_year.weekday() {
        Weekday::Sat => {}
        Weekday::Sun => h.push(ymd(year, 1, 2)),
        _ => h.push(new_year),
    }
    if year >= 1998 {
        h.push(nth_weekday(year, 1, Weekday::Mon, 3));
    }
    h.push(nth_weekday(year, 2, Weekday::Mon, 3));
    h.push(easter_sunday(year) - Days::new(2));
    h.push(last_weekday(year, 5, Weekday::Mon));
    if year >= 2022 {
        h.push(observed(ymd(year, 6, 19)));
    }
    h.push(observed(ymd(year, 7, 4)));
    h.push(nth_weekday(year, 9, Weekday::Mon, 1));
    h.push(nth_weekday(year, 11, Weekday::Thu, 4));
    h.push(observed(ymd(year, 12, 25)));
    h.extend(SPECIAL_CLOSURES.iter().filter(|(y, _, _)| *y == year).map(|&(y, m, d)| ymd(y, m, d)));
    h
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn rule_is_trading_day(date: NaiveDate) -> bool {
    !is_weekend(date) && !holidays(date.year()).contains(&date)
}

/// Every trading day of the precomputed range, ascending.
fn table() -> &'static [NaiveDate] {
    static TABLE: OnceLock<Vec<NaiveDate>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut days = Vec::with_capacity(28_000);
        for year in CALENDAR_FIRST_YEAR..=CALENDAR_LAST_YEAR {
            let hol = holidays(year);
            let mut d = ymd(year, 1, 1);
            while d.year() == year {
                if !is_weekend(d) && !hol.contains(&d) {
                    days.push(d);
                }
                d = d + Days::new(1);
            }
        }
        days
    })
}

fn in_table(date: NaiveDate) -> bool {
    (CALENDAR_FIRST_YEAR..=CALENDAR_LAST_YEAR).contains(&date.year())
}

impl Calendar {
    /// The NYSE calendar.
    pub fn nyse() -> Self {
        Calendar
    }

    /// True when NYSE holds a session on `date`.
    pub fn is_trading_day(&self, date: NaiveDate) -> bool {
        if in_table(date) {
            table().binary_search(&date).is_ok()
        } else {
            rule_is_trading_day(date)
        }
    }

    /// True when the session of `date` closes at 13:00 New York instead of 16:00.
    pub fn is_early_close(&self, date: NaiveDate) -> bool {
        if !self.is_trading_day(date) {
            return false;
        }
        let y = date.year();
        let day_after_thanksgiving = nth_weekday(y, 11, Weekday::Thu, 4) + Days::new(1);
        date == ymd(y, 7, 3) || date == ymd(y, 12, 24) || date == day_after_thanksgiving
    }

    /// The last trading day strictly before `date`.
    pub fn prev_trading_day(&self, date: NaiveDate) -> NaiveDate {
        let mut d = date - Days::new(1);
        while !self.is_trading_day(d) {
            d = d - Days::new(1);
        }
        d
    }

    /// The first trading day strictly after `date`.
    pub fn next_trading_day(&self, date: NaiveDate) -> NaiveDate {
        let mut d = date + Days::new(1);
        while !self.is_trading_day(d) {
            d = d + Days::new(1);
        }
        d
    }

    /// `date` itself when it is a trading day, else the last trading day before it.
    pub fn on_or_before(&self, date: NaiveDate) -> NaiveDate {
        if self.is_trading_day(date) {
            date
        } else {
            self.prev_trading_day(date)
        }
    }

    /// Trading days in the closed interval `[from, to]`, ascending (empty when `from > to`).
    pub fn trading_days(&self, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        if from > to {
            return Vec::new();
        }
        if in_table(from) && in_table(to) {
            let t = table();
            let lo = t.partition_point(|d| *d < from);
            let hi = t.partition_point(|d| *d <= to);
            return t[lo..hi].to_vec();
        }
        from.iter_days().take_while(|d| *d <= to).filter(|d| self.is_trading_day(*d)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn easter_known_years() {
        assert_eq!(easter_sunday(2024), ymd(2024, 3, 31));
        assert_eq!(easter_sunday(2025), ymd(2025, 4, 20));
        assert_eq!(easter_sunday(2000), ymd(2000, 4, 23));
        assert_eq!(easter_sunday(1991), ymd(1991, 3, 31));
        assert_eq!(easter_sunday(2038), ymd(2038, 4, 25));
    }

    #[test]
    fn holidays_and_observance() {
        let c = Calendar::nyse();
        for (y, m, d) in [
            (2024, 3, 29),  // Good Friday
            (2022, 6, 20),  // Juneteenth observed on Monday
            (2021, 12, 24), // Christmas on Saturday -> Friday
            (2023, 1, 2),   // New Year on Sunday -> Monday
            (2015, 7, 3),   // July 4 on Saturday -> Friday
            (2025, 1, 9),   // Carter
            (2012, 10, 30), // Sandy
        ] {
            assert!(!c.is_trading_day(ymd(y, m, d)), "{y}-{m}-{d} should be closed");
        }
        for (y, m, d) in [
            (2021, 12, 31), // New Year 2022 on Saturday: not observed on Friday
            (2021, 6, 18),  // no Juneteenth before 2022
            (1997, 1, 20),  // no MLK day before 1998
            (2024, 12, 24), // early close, still a session
        ] {
            assert!(c.is_trading_day(ymd(y, m, d)), "{y}-{m}-{d} should be open");
        }
    }

    #[test]
    fn early_closes() {
        let c = Calendar::nyse();
        assert!(c.is_early_close(ymd(2024, 11, 29)));
        assert!(c.is_early_close(ymd(2024, 12, 24)));
        assert!(c.is_early_close(ymd(2023, 7, 3)));
        assert!(!c.is_early_close(ymd(2024, 11, 27)));
        assert!(!c.is_early_close(ymd(2020, 7, 3))); // holiday, not an early close
    }

    #[test]
    fn stepping_and_ranges_agree_inside_and_outside_the_table() {
        let c = Calendar::nyse();
        assert_eq!(c.prev_trading_day(ymd(2024, 4, 1)), ymd(2024, 3, 28));
        assert_eq!(c.next_trading_day(ymd(2001, 9, 10)), ymd(2001, 9, 17));
        assert_eq!(c.trading_days(ymd(2024, 1, 1), ymd(2024, 12, 31)).len(), 252);
        let far = c.trading_days(ymd(2101, 1, 1), ymd(2101, 1, 10));
        assert!(far.iter().all(|d| rule_is_trading_day(*d)));
        assert!(c.trading_days(ymd(2024, 2, 1), ymd(2024, 1, 1)).is_empty());
    }
}
