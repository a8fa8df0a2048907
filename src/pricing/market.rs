//! Pricing inputs on one date, read from loaded data: the VIX family for the SPX surface, VVIX,
//! and the VIX futures curve from a term-structure file (or the model when there is none).

use super::surface::VolIndices;
use super::vix::{FuturesModel, VixFutures};
use crate::data::{BarSeries, VxTermStructure};
use crate::time::Calendar;
use chrono::NaiveDate;

/// A required input has no row on the date.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MarketError {
    #[error("no {what} value on {date}")]
    Missing { what: &'static str, date: NaiveDate },
    #[error(transparent)]
    Curve(#[from] super::vix::CurveError),
}

/// The optional members of the VIX family (each may lack a row on a given date).
#[derive(Debug, Clone, Copy, Default)]
pub struct VixFamily<'a> {
    pub vix9d: Option<&'a BarSeries>,
    pub vix3m: Option<&'a BarSeries>,
    pub vix6m: Option<&'a BarSeries>,
}

/// The VIX family's closes on `date`: VIX is required, the others are used when they have a row.
pub fn vol_indices_on(
    date: NaiveDate,
    vix: &BarSeries,
    family: VixFamily<'_>,
) -> Result<VolIndices, MarketError> {
    let close = |s: Option<&BarSeries>| s.and_then(|s| s.close_on(date));
    Ok(VolIndices {
        vix: vix.close_on(date).ok_or(MarketError::Missing { what: "VIX", date })?,
        vix9d: close(family.vix9d),
        vix3m: close(family.vix3m),
        vix6m: close(family.vix6m),
    })
}

/// The VIX futures curve on `date`: through the term-structure row of that date when given and
/// present, else the mean-reverting model from spot VIX.
pub fn vix_futures_on(
    date: NaiveDate,
    spot_vix: f64,
    term: Option<&VxTermStructure>,
    model: FuturesModel,
) -> Result<VixFutures, MarketError> {
    let row = term.and_then(|t| t.date.binary_search(&date).ok().map(|i| &t.curve[i]));
    Ok(match row {
        Some(curve) => VixFutures::from_term_row(&Calendar::nyse(), date, spot_vix, curve, model)?,
        None => VixFutures::model(date, spot_vix, model)?,
    })
}
