//! `ironhedge calendar --year Y`: the NYSE calendar and expiries of a year, for checking by eye.

use super::Failure;
use chrono::{Datelike, NaiveDate};
use clap::Args;
use ironhedge::time::{
    nyse_close_utc, spx_monthly_expiry, vix_expiry_for_month, Calendar, CALENDAR_FIRST_YEAR,
    CALENDAR_LAST_YEAR,
};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct CalendarArgs {
    /// The year to show.
    #[arg(long, value_parser = clap::value_parser!(i32).range(CALENDAR_FIRST_YEAR as i64..=CALENDAR_LAST_YEAR as i64))]
    pub year: i32,
}

pub fn run(a: &CalendarArgs) -> Result<ExitCode, Failure> {
    let cal = Calendar::nyse();
    let y = a.year;
    let (first, last) = (NaiveDate::from_ymd_opt(y, 1, 1), NaiveDate::from_ymd_opt(y, 12, 31));
    let (Some(first), Some(last)) = (first, last) else {
        return Err(anyhow::anyhow!("year {y}: expected a valid year").into());
    };
    let days = cal.trading_days(first, last);
    outln!("NYSE {y}: {} trading days", days.len());
    let closed: Vec<NaiveDate> = first
        .iter_days()
        .take_while(|d| *d <= last)
        .filter(|d| d.weekday().num_days_from_monday() < 5 && !cal.is_trading_day(*d))
        .collect();
    outln!("weekday closures:");
    for d in closed {
        outln!("  {d} {}", d.weekday());
    }
    outln!("early closes (13:00 New York):");
    for d in days.iter().filter(|d| cal.is_early_close(**d)) {
        let close = nyse_close_utc(&cal, *d).map(|t| t.to_string()).unwrap_or_default();
        outln!("  {d} {} (close {close})", d.weekday());
    }
    outln!("month  SPX monthly expiry   VIX expiry");
    for m in 1..=12 {
        let spx = spx_monthly_expiry(&cal, y, m).map(|d| format!("{d} {}", d.weekday())).unwrap_or_default();
        let vix =
            vix_expiry_for_month(&cal, y, m).map(|d| format!("{d} {}", d.weekday())).unwrap_or_default();
        outln!("  {m:>2}   {spx:<19}  {vix}");
    }
    Ok(ExitCode::SUCCESS)
}
