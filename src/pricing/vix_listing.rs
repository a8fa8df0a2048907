//! The VIX option strikes Cboe lists: bands of level with their strike step, by era and days to
//! expiry. The hedge chooses its strikes among these (`hedge.strike_grid`), so a 30-delta call is
//! a strike a trader could have bought.
//!
//! The built-in history ([`StrikeListing::cboe`]), each era from its first day:
//!
//! | from | below 15 | 15 to 30 | 30 to 50 | 50 to 100 | source |
//! |---|---|---|---|---|---|
//! | 2006-02-24 (launch) | 10 only (step 5) | 1 | 2.5 | 5 | the chain of February 2012 (no earlier listing is cited; the table applies it back to the launch) |
//! | 2013-01-01 | 1 | 1 | 2.5 | 5 | 11-14 added in January 2013 as VIX futures fell |
//! | 2014-05-29 | 0.5 within 60 days to expiry, else 1 | 1 | 2.5 | 5 | Cboe listed half points 10-15 in the near term from 2014-05-29 (Rule 24.9.12); the 2016-06-01 chain lists them in every expiry up to 49 days and in none from 77 |

use super::strikes::{StrikeError, StrikeLadder};
use chrono::NaiveDate;

/// Strikes from the previous band's `below` (0 for the first) up to this one's, on `step`;
/// a band with `max_dte_days` applies only to expiries that near (the next band covers it
/// otherwise).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    pub below: f64,
    pub step: f64,
    pub max_dte_days: Option<u32>,
}

/// The bands in force from `from` on.
#[derive(Debug, Clone, PartialEq)]
pub struct ListingEra {
    pub from: NaiveDate,
    pub bands: Vec<Band>,
}

/// Why a listing table is not usable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ListingError {
    #[error("no era: give at least one")]
    NoEra,
    #[error("eras must start in increasing order ({0} follows {1})")]
    EraOrder(NaiveDate, NaiveDate),
    #[error("era from {0}: no band")]
    NoBand(NaiveDate),
    #[error("era from {0}: band limits must increase and steps be > 0 (band {1})")]
    BadBand(NaiveDate, usize),
    #[error("era from {0}: the last band must have no max_dte_days (it lists every expiry)")]
    LastBandLimited(NaiveDate),
}

/// Which strikes are listed on a day, for an expiry so many days away.
#[derive(Debug, Clone, PartialEq)]
pub struct StrikeListing {
    eras: Vec<ListingEra>,
}

fn band(below: f64, step: f64, max_dte_days: Option<u32>) -> Band {
    Band { below, step, max_dte_days }
}

impl StrikeListing {
    /// A checked table (eras in increasing order, each with increasing band limits).
    pub fn new(eras: Vec<ListingEra>) -> Result<Self, ListingError> {
        let first = eras.first().ok_or(ListingError::NoEra)?;
        let mut prev = first.from;
        for (i, e) in eras.iter().enumerate() {
            if i > 0 && e.from <= prev {
                return Err(ListingError::EraOrder(e.from, prev));
            }
            prev = e.from;
            let last = e.bands.last().ok_or(ListingError::NoBand(e.from))?;
            if last.max_dte_days.is_some() {
                return Err(ListingError::LastBandLimited(e.from));
            }
            let mut lo = 0.0;
            for (j, b) in e.bands.iter().enumerate() {
                if !(b.step.is_finite() && b.step > 0.0 && b.below.is_finite() && b.below > lo) {
                    return Err(ListingError::BadBand(e.from, j));
                }
                lo = b.below;
            }
        }
        Ok(StrikeListing { eras })
    }

    /// Cboe's VIX listing history (see the module doc).
    pub fn cboe() -> Self {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap_or(NaiveDate::MIN);
        let upper = [band(30.0, 1.0, None), band(50.0, 2.5, None), band(100.0, 5.0, None)];
        let era =
            |from, low: &[Band]| ListingEra { from, bands: low.iter().chain(&upper).copied().collect() };
        StrikeListing {
            eras: vec![
                era(d(2006, 2, 24), &[band(15.0, 5.0, None)]),
                era(d(2013, 1, 1), &[]),
                era(d(2014, 5, 29), &[band(15.0, 0.5, Some(60))]),
            ],
        }
    }

    /// One step for every level and date (a uniform grid up to 100 x the step).
    pub fn uniform(step: f64) -> Result<Self, ListingError> {
        StrikeListing::new(vec![ListingEra {
            from: NaiveDate::MIN,
            bands: vec![band(100.0 * step, step, None)],
        }])
    }

    pub fn eras(&self) -> &[ListingEra] {
        &self.eras
    }

    /// The strikes listed on `date` for an expiry `dte_days` away: the era in force (the first
    /// era before it starts), its bands that apply to that expiry.
    pub fn ladder(&self, date: NaiveDate, dte_days: i64) -> Result<StrikeLadder, StrikeError> {
        let i = self.eras.partition_point(|e| e.from <= date).max(1) - 1;
        let bands: Vec<(f64, f64)> = self.eras[i]
            .bands
            .iter()
            .filter(|b| b.max_dte_days.is_none_or(|m| dte_days <= m as i64))
            .map(|b| (b.below, b.step))
            .collect();
        StrikeLadder::from_bands(&bands)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn the_history_lists_what_each_era_listed() {
        let l = StrikeListing::cboe();
        let between = |date, dte, lo: f64, hi: f64| -> Vec<f64> {
            let ladder = l.ladder(date, dte).unwrap();
            ladder.strikes().iter().copied().filter(|k| *k >= lo && *k <= hi).collect()
        };
        // February 2012: 10, then 15..30 by 1, 32.5..50 by 2.5, 55..100 by 5.
        let feb_2012 = between(d(2012, 2, 15), 30, 10.0, 100.0);
        let expected: Vec<f64> = [10.0]
            .into_iter()
            .chain((15..=30).map(f64::from))
            .chain([32.5, 35.0, 37.5, 40.0, 42.5, 45.0, 47.5, 50.0])
            .chain((11..=20).map(|k| 5.0 * k as f64))
            .collect();
        assert_eq!(feb_2012, expected);
        assert_eq!(between(d(2013, 6, 3), 30, 10.0, 15.0), vec![10.0, 11.0, 12.0, 13.0, 14.0, 15.0]);
        // After 2014-05-29: half points below 15 within 60 days, whole points beyond.
        assert_eq!(between(d(2016, 6, 1), 49, 13.0, 16.0), vec![13.0, 13.5, 14.0, 14.5, 15.0, 16.0]);
        assert_eq!(between(d(2016, 6, 1), 77, 13.0, 16.0), vec![13.0, 14.0, 15.0, 16.0]);
        assert_eq!(
            between(d(2005, 1, 3), 30, 9.0, 16.0),
            vec![10.0, 15.0, 16.0],
            "before launch: the first era"
        );
    }

    #[test]
    fn bad_tables_are_refused() {
        let era = |from, bands| ListingEra { from, bands };
        assert_eq!(StrikeListing::new(vec![]), Err(ListingError::NoEra));
        let b = vec![band(30.0, 1.0, None)];
        assert!(matches!(
            StrikeListing::new(vec![era(d(2014, 1, 1), b.clone()), era(d(2013, 1, 1), b.clone())]),
            Err(ListingError::EraOrder(..))
        ));
        assert!(matches!(
            StrikeListing::new(vec![era(d(2014, 1, 1), vec![band(30.0, 1.0, None), band(20.0, 1.0, None)])]),
            Err(ListingError::BadBand(_, 1))
        ));
        assert!(matches!(
            StrikeListing::new(vec![era(d(2014, 1, 1), vec![band(30.0, 1.0, Some(10))])]),
            Err(ListingError::LastBandLimited(_))
        ));
        assert!(StrikeListing::new(vec![era(d(2014, 1, 1), b)]).is_ok());
        assert_eq!(
            StrikeListing::uniform(1.0).unwrap().ladder(d(2020, 1, 2), 30).unwrap().strikes()[..3],
            [1.0, 2.0, 3.0]
        );
    }
}
