//! Option expiry dates: SPX monthlies and VIX (options and futures share the VIX date).
//!
//! - SPX monthly (AM-settled): the third Friday of the month; when that is an exchange holiday,
//!   the trading day before it.
//! - VIX: the Wednesday 30 days before the third Friday of the *following* month. When that Friday
//!   is a holiday, 30 days before the trading day preceding it; when the resulting day is a
//!   holiday, the trading day before it (Cboe VX contract specifications).

use super::calendar::nth_weekday;
use super::Calendar;
use chrono::{Datelike, Days, NaiveDate, Weekday};

/// The third Friday of `month` in `year`. `None` for an invalid month.
pub fn third_friday(year: i32, month: u32) -> Option<NaiveDate> {
    if !(1..=12).contains(&month) {
        return None;
    }
    Some(nth_weekday(year, month, Weekday::Fri, 3))
}

/// Expiry date of the SPX monthly option of `month` in `year`.
pub fn spx_monthly_expiry(calendar: &Calendar, year: i32, month: u32) -> Option<NaiveDate> {
    third_friday(year, month).map(|d| calendar.on_or_before(d))
}

/// Expiry (final settlement) date of the VIX future/option of contract month `month` in `year`.
pub fn vix_expiry_for_month(calendar: &Calendar, year: i32, month: u32) -> Option<NaiveDate> {
    if !(1..=12).contains(&month) {
        return None;
    }
    let (ny, nm) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    let friday = calendar.on_or_before(third_friday(ny, nm)?);
    let wednesday = friday.checked_sub_days(Days::new(30))?;
    Some(calendar.on_or_before(wednesday))
}

/// The first VIX expiry on or after `date`.
pub fn vix_expiry(calendar: &Calendar, date: NaiveDate) -> NaiveDate {
    let (mut y, mut m) = (date.year(), date.month());
    loop {
        let e = vix_expiry_for_month(calendar, y, m).expect("month in 1..=12");
        if e >= date {
            return e;
        }
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn spx_monthly_known_dates() {
        let c = Calendar::nyse();
        assert_eq!(spx_monthly_expiry(&c, 2024, 1), Some(d(2024, 1, 19)));
        // April 2014: third Friday was Good Friday -> Thursday.
        assert_eq!(spx_monthly_expiry(&c, 2014, 4), Some(d(2014, 4, 17)));
        assert_eq!(spx_monthly_expiry(&c, 2024, 13), None);
    }

    #[test]
    fn vix_known_dates() {
        let c = Calendar::nyse();
        assert_eq!(vix_expiry_for_month(&c, 2004, 5), Some(d(2004, 5, 19)));
        assert_eq!(vix_expiry_for_month(&c, 2024, 1), Some(d(2024, 1, 17)));
        // Feb 2024: Mar 15 third Friday -> Feb 14.
        assert_eq!(vix_expiry_for_month(&c, 2024, 2), Some(d(2024, 2, 14)));
        // Mar 2024: third Friday of April 19 -> Mar 20.
        assert_eq!(vix_expiry_for_month(&c, 2024, 3), Some(d(2024, 3, 20)));
        // Mar 2014: April 18 2014 was Good Friday -> Thursday Apr 17 - 30 days = Tue Mar 18.
        assert_eq!(vix_expiry_for_month(&c, 2014, 3), Some(d(2014, 3, 18)));
        // Dec 2024: Jan 17 2025 -> Dec 18 2024.
        assert_eq!(vix_expiry_for_month(&c, 2024, 12), Some(d(2024, 12, 18)));
        assert_eq!(vix_expiry(&c, d(2024, 1, 18)), d(2024, 2, 14));
        assert_eq!(vix_expiry(&c, d(2024, 1, 17)), d(2024, 1, 17));
    }
}
