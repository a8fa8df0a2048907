//! The VIX futures curve on one date from plain market values: a term-structure row when the
//! caller has one for the date, else the mean-reverting model from spot VIX. The caller (the
//! engine, the sweep tape, the CLI) looks the row up in its loaded data; pricing never reads data
//! files.

use super::vix::{FuturesModel, VixFutures};
use crate::time::Calendar;
use chrono::NaiveDate;

/// A required input has no value on the date.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MarketError {
    #[error("no {what} value on {date}")]
    Missing { what: &'static str, date: NaiveDate },
    #[error(transparent)]
    Curve(#[from] super::vix::CurveError),
}

/// The VIX futures curve on `date`: through `term_row` (the listed futures m1..mN of that date,
/// in index points, `None` for an unlisted month) when given, else the mean-reverting model from
/// spot VIX.
pub fn vix_futures_on(
    date: NaiveDate,
    spot_vix: f64,
    term_row: Option<&[Option<f64>]>,
    model: FuturesModel,
) -> Result<VixFutures, MarketError> {
    Ok(match term_row {
        Some(curve) => VixFutures::from_term_row(&Calendar::nyse(), date, spot_vix, curve, model)?,
        None => VixFutures::model(date, spot_vix, model)?,
    })
}
