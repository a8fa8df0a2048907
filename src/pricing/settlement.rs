//! Settlement values the ledger calls when an option expires.
//!
//! - SPXW (PM-settled weeklies, end-of-month and dailies): the SPX close of the expiry day.
//! - SPX monthlies (AM-settled): the special opening quotation of the expiry day, approximated by
//!   that day's SPX open.
//! - VIX options and futures: the VIX special opening quotation of the expiry Wednesday,
//!   approximated by that day's VIX open.
//!
//! A close-only series has no open, so AM settlement on it is an error that says so rather than
//! a silent fallback to the close.

use super::black::OptionType;
use crate::data::BarSeries;
use chrono::NaiveDate;

/// Which print an expiry settles on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettlementStyle {
    /// The close of the expiry day (SPXW).
    PmClose,
    /// The open of the expiry day (SPX monthlies, VIX).
    AmOpen,
}

/// Why a settlement value is not available.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettlementError {
    #[error("no bar on the expiry day {0}")]
    NoBar(NaiveDate),
    #[error("AM settlement on {0} needs the day's open, but the series is close-only")]
    CloseOnly(NaiveDate),
}

/// The settlement print of `date` in a daily bar series.
pub fn settlement_value(
    bars: &BarSeries,
    date: NaiveDate,
    style: SettlementStyle,
) -> Result<f64, SettlementError> {
    let i = bars.index_of(date).ok_or(SettlementError::NoBar(date))?;
    match style {
        SettlementStyle::PmClose => Ok(bars.close[i]),
        SettlementStyle::AmOpen if bars.close_only => Err(SettlementError::CloseOnly(date)),
        SettlementStyle::AmOpen => Ok(bars.open[i]),
    }
}

/// SPXW PM settlement: the SPX close of `date`.
pub fn spxw_settlement(spx: &BarSeries, date: NaiveDate) -> Result<f64, SettlementError> {
    settlement_value(spx, date, SettlementStyle::PmClose)
}

/// Monthly SPX AM settlement: the SPX open of `date`.
pub fn spx_am_settlement(spx: &BarSeries, date: NaiveDate) -> Result<f64, SettlementError> {
    settlement_value(spx, date, SettlementStyle::AmOpen)
}

/// VIX settlement: the VIX open of the expiry Wednesday `date`.
pub fn vix_settlement(vix: &BarSeries, date: NaiveDate) -> Result<f64, SettlementError> {
    settlement_value(vix, date, SettlementStyle::AmOpen)
}

/// Payoff of one option per unit at settlement value `settle`.
#[inline]
pub fn intrinsic(kind: OptionType, settle: f64, strike: f64) -> f64 {
    (kind.sign() * (settle - strike)).max(0.0)
}
