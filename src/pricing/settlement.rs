//! Settlement values the ledger calls when an option expires, from the expiry session's prints
//! (plain values the caller reads from its data).
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
use chrono::NaiveDate;

/// Which print an expiry settles on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettlementStyle {
    /// The close of the expiry day (SPXW).
    PmClose,
    /// The open of the expiry day (SPX monthlies, VIX).
    AmOpen,
}

/// The prints of one session that a settlement may use, as the caller read them from its data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SessionPrints {
    /// The session's open; `None` when the series is close-only.
    pub open: Option<f64>,
    pub close: f64,
}

/// Why a settlement value is not available.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettlementError {
    #[error("no bar on the expiry day {0}")]
    NoBar(NaiveDate),
    #[error("AM settlement on {0} needs the day's open, but the series is close-only")]
    CloseOnly(NaiveDate),
}

/// The settlement print of the expiry `date`, given that session's prints (`None`: the data has
/// no row on that day).
pub fn settlement_value(
    date: NaiveDate,
    prints: Option<SessionPrints>,
    style: SettlementStyle,
) -> Result<f64, SettlementError> {
    let p = prints.ok_or(SettlementError::NoBar(date))?;
    match style {
        SettlementStyle::PmClose => Ok(p.close),
        SettlementStyle::AmOpen => p.open.ok_or(SettlementError::CloseOnly(date)),
    }
}

/// SPXW PM settlement: the SPX close of `date`.
pub fn spxw_settlement(date: NaiveDate, spx: Option<SessionPrints>) -> Result<f64, SettlementError> {
    settlement_value(date, spx, SettlementStyle::PmClose)
}

/// Monthly SPX AM settlement: the SPX open of `date`.
pub fn spx_am_settlement(date: NaiveDate, spx: Option<SessionPrints>) -> Result<f64, SettlementError> {
    settlement_value(date, spx, SettlementStyle::AmOpen)
}

/// VIX settlement: the VIX open of the expiry Wednesday `date`.
pub fn vix_settlement(date: NaiveDate, vix: Option<SessionPrints>) -> Result<f64, SettlementError> {
    settlement_value(date, vix, SettlementStyle::AmOpen)
}

/// Payoff of one option per unit at settlement value `settle`.
#[inline]
pub fn intrinsic(kind: OptionType, settle: f64, strike: f64) -> f64 {
    (kind.sign() * (settle - strike)).max(0.0)
}
