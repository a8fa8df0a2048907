//! VIX options: the VIX futures curve and VIX option volatility. A VIX option is priced with
//! Black-76 on the future of its own expiry, never on spot VIX (spot VIX is not tradable and can
//! sit far from the future: in contango a 30-day future is often 10-20% above spot).
//!
//! **Futures curve.** From listed settlements when data exists (a term-structure row `m1..mN`,
//! the k-th contract expiring on the k-th VIX expiry strictly after the date, or per-contract
//! rows), interpolated linearly in time between listed expiries, from spot VIX at T = 0 to the
//! first listed expiry, and flat beyond the last. Without data, the mean-reverting model
//! `F(T) = theta + (VIX - theta) e^{-kappa T}` with `theta = 25`, `kappa = 2` per year: the least-
//! squares fit to daily VX1..VX4 settlements against spot VIX, 2007-04..2024-12 (17,876 points;
//! RMSE 2.6 points, median absolute error 0.55 for VX1 and 2.2 for VX4). `theta` sits above the
//! long-run mean of VIX (~19.5) because futures carry the volatility risk premium.
//!
//! **Volatility.** ATM vol-of-vol from VVIX (default 90, its long-run level) scaled for the
//! expiry: `sigma_atm = VVIX/100 * scale * (30 / max(days, min_days))^e`, and an upward call
//! skew in log-moneyness `x = ln(K/F)` clamped to [-0.6, 1.2] that saturates over `c` and is
//! steeper at short expiries: `sigma = sigma_atm * max(0.4, 1 + skew (30 / max(days,
//! min_days))^b c (1 - e^{-x/c}))` for calls, `max(0.4, 1 + 0.6 x)` for puts. The defaults
//! (`scale` 0.771, `e` 0.0836, `min_days` 7, `skew` 2.833, `c` 0.403, `b` 0.316) are
//! `ironhedge calibrate` on the real 2016-06-01 VIX chain with `min_days` held (docs/MODEL.md,
//! "Calibrating VIX options"). `scale` is below 1 because VVIX, like VIX, is a variance-swap
//! level that includes the steep call wing, so it sits above the ATM vol.

use super::black::{black76_greeks, Greeks, OptionType};
use crate::time::{vix_expiry, Calendar};
use chrono::{Days, NaiveDate};

/// Parameters of the mean-reverting futures model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FuturesModel {
    /// Long-run level (index points).
    pub theta: f64,
    /// Speed of mean reversion per year.
    pub kappa: f64,
}

impl Default for FuturesModel {
    fn default() -> Self {
        FuturesModel { theta: 25.0, kappa: 2.0 }
    }
}

/// Parameters of VIX option volatility.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VixVolParams {
    /// VVIX level used when no VVIX data is given.
    pub default_vvix: f64,
    /// Multiplier on the VVIX-based ATM vol-of-vol (1: VVIX as it is).
    pub vvix_scale: f64,
    /// Exponent of the (30 / days) term scaling.
    pub term_exponent: f64,
    /// Expiries shorter than this many days are scaled as this many.
    pub min_days: f64,
    pub call_skew: f64,
    /// The ln(K/F) over which the call skew flattens: calls' vol rises as `call_skew c (1 -
    /// e^{-x/c})`, steep near the money and level far out (infinite: a straight line).
    pub call_skew_scale: f64,
    /// Exponent of the call skew's term scaling `(30 / days)^b`: short expiries' skews are
    /// steeper (0: the same skew at every expiry).
    pub skew_term_exponent: f64,
    pub put_skew: f64,
    pub lnk_min: f64,
    pub lnk_max: f64,
    /// Lowest volatility as a fraction of ATM.
    pub floor: f64,
}

impl Default for VixVolParams {
    fn default() -> Self {
        VixVolParams {
            default_vvix: 90.0,
            vvix_scale: 0.7710,
            term_exponent: 0.0836,
            min_days: 7.0,
            call_skew: 2.8332,
            call_skew_scale: 0.4026,
            skew_term_exponent: 0.3161,
            put_skew: 0.6,
            lnk_min: -0.6,
            lnk_max: 1.2,
            floor: 0.4,
        }
    }
}

impl VixVolParams {
    /// Volatility of a VIX option with strike `k` on future `f`, `days` calendar days to expiry.
    pub fn vol(&self, vvix: Option<f64>, f: f64, k: f64, days: f64) -> f64 {
        let term = 30.0 / days.max(self.min_days);
        let atm = vvix.unwrap_or(self.default_vvix) / 100.0 * self.vvix_scale * term.powf(self.term_exponent);
        let x = (k / f).ln().clamp(self.lnk_min, self.lnk_max);
        let c = self.call_skew_scale;
        let call_skew = if self.skew_term_exponent == 0.0 {
            self.call_skew
        } else {
            self.call_skew * term.powf(self.skew_term_exponent)
        };
        let (skew, x) = match x > 0.0 {
            true if c.is_finite() => (call_skew, c * (1.0 - (-x / c).exp())),
            true => (call_skew, x),
            false => (self.put_skew, x),
        };
        atm * (1.0 + skew * x).max(self.floor)
    }
}

/// Why a futures curve cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CurveError {
    #[error("spot VIX must be a finite level > 0, found {0}")]
    BadSpot(f64),
    #[error("listed future for {expiry} must be a finite level > 0, found {price}")]
    BadFuture { expiry: NaiveDate, price: f64 },
    #[error("listed expiries must be after {date} and ascending, found {expiry}")]
    BadExpiry { date: NaiveDate, expiry: NaiveDate },
}

/// The VIX futures curve on one date.
#[derive(Debug, Clone, PartialEq)]
pub struct VixFutures {
    pub date: NaiveDate,
    pub spot: f64,
    /// (expiry, price), ascending; empty when the model is used.
    listed: Vec<(NaiveDate, f64)>,
    model: FuturesModel,
}

fn years(from: NaiveDate, to: NaiveDate) -> f64 {
    (to - from).num_days() as f64 / 365.0
}

impl VixFutures {
    /// The model curve from spot VIX.
    pub fn model(date: NaiveDate, spot: f64, model: FuturesModel) -> Result<Self, CurveError> {
        Self::listed(date, spot, Vec::new(), model)
    }

    /// A curve through listed settlements `(expiry, price)`, expiries after `date`, ascending.
    pub fn listed(
        date: NaiveDate,
        spot: f64,
        listed: Vec<(NaiveDate, f64)>,
        model: FuturesModel,
    ) -> Result<Self, CurveError> {
        if !(spot.is_finite() && spot > 0.0) {
            return Err(CurveError::BadSpot(spot));
        }
        let mut prev = date;
        for &(expiry, price) in &listed {
            if expiry <= prev {
                return Err(CurveError::BadExpiry { date, expiry });
            }
            if !(price.is_finite() && price > 0.0) {
                return Err(CurveError::BadFuture { expiry, price });
            }
            prev = expiry;
        }
        Ok(VixFutures { date, spot, listed, model })
    }

    /// A curve from a term-structure row (`m1..mN`, missing months skipped): contract k expires on
    /// the k-th VIX expiry strictly after `date`.
    pub fn from_term_row(
        cal: &Calendar,
        date: NaiveDate,
        spot: f64,
        row: &[Option<f64>],
        model: FuturesModel,
    ) -> Result<Self, CurveError> {
        let mut listed = Vec::with_capacity(row.len());
        let mut expiry = date;
        for m in row {
            expiry = vix_expiry(cal, expiry + Days::new(1));
            if let Some(price) = m {
                listed.push((expiry, *price));
            }
        }
        Self::listed(date, spot, listed, model)
    }

    /// The future for `expiry`: exact at a listed expiry, interpolated in time between them.
    pub fn price(&self, expiry: NaiveDate) -> f64 {
        let t = years(self.date, expiry).max(0.0);
        if self.listed.is_empty() {
            let FuturesModel { theta, kappa } = self.model;
            return theta + (self.spot - theta) * (-kappa * t).exp();
        }
        let i = self.listed.partition_point(|(e, _)| *e < expiry);
        if i < self.listed.len() && self.listed[i].0 == expiry {
            return self.listed[i].1;
        }
        if i == self.listed.len() {
            return self.listed[i - 1].1;
        }
        let (ta, fa) = if i == 0 {
            (0.0, self.spot)
        } else {
            (years(self.date, self.listed[i - 1].0), self.listed[i - 1].1)
        };
        let (tb, fb) = (years(self.date, self.listed[i].0), self.listed[i].1);
        fa + (fb - fa) * (t - ta) / (tb - ta)
    }

    /// VX1 / VX2 from listed settlements (the first two listed contracts); `None` on a model curve.
    pub fn listed_ratio(&self) -> Option<f64> {
        match self.listed.as_slice() {
            [(_, f1), (_, f2), ..] => Some(f1 / f2),
            _ => None,
        }
    }

    /// Black-76 price and Greeks of a VIX option expiring on `expiry`, on that expiry's future.
    pub fn option(
        &self,
        kind: OptionType,
        expiry: NaiveDate,
        strike: f64,
        r: f64,
        vol: &VixVolParams,
        vvix: Option<f64>,
    ) -> Greeks {
        let f = self.price(expiry);
        let days = (expiry - self.date).num_days().max(0) as f64;
        black76_greeks(kind, f, strike, days / 365.0, r, vol.vol(vvix, f, strike, days))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn model_curve_starts_at_spot_and_reverts() {
        let c = VixFutures::model(d(2024, 1, 2), 13.0, FuturesModel::default()).unwrap();
        assert_eq!(c.price(d(2024, 1, 2)), 13.0);
        assert!(c.price(d(2024, 2, 14)) > 13.0 && c.price(d(2030, 1, 1)) < 25.0);
    }

    #[test]
    fn listed_curve_is_exact_at_expiries_and_linear_in_time_between() {
        let cal = Calendar::nyse();
        let date = d(2024, 1, 2);
        let c = VixFutures::from_term_row(
            &cal,
            date,
            13.0,
            &[Some(14.0), None, Some(16.0)],
            FuturesModel::default(),
        )
        .unwrap();
        // m1 = 2024-01-17, m2 (missing) = 2024-02-14, m3 = 2024-03-20.
        assert_eq!(c.price(d(2024, 1, 17)), 14.0);
        assert_eq!(c.price(d(2024, 3, 20)), 16.0);
        let mid = c.price(d(2024, 2, 14));
        let want = 14.0 + 2.0 * (28.0 / 63.0);
        assert!((mid - want).abs() < 1e-12, "{mid} vs {want}");
        assert_eq!(c.price(d(2025, 1, 1)), 16.0);
        assert!((c.price(d(2024, 1, 9)) - (13.0 + 7.0 / 15.0)).abs() < 1e-12);
        // On an expiry day the expiring contract has settled: m1 is next month's.
        let c = VixFutures::from_term_row(&cal, d(2024, 1, 17), 13.0, &[Some(14.0)], FuturesModel::default())
            .unwrap();
        assert_eq!(c.price(d(2024, 2, 14)), 14.0);
    }

    #[test]
    fn vx1_vx2_ratio_needs_two_listed_contracts() {
        let cal = Calendar::nyse();
        let date = d(2024, 1, 2);
        let m = FuturesModel::default();
        let c = VixFutures::from_term_row(&cal, date, 13.0, &[Some(14.0), Some(16.0)], m).unwrap();
        assert_eq!(c.listed_ratio(), Some(14.0 / 16.0));
        let one = VixFutures::from_term_row(&cal, date, 13.0, &[Some(14.0)], m).unwrap();
        assert_eq!(one.listed_ratio(), None);
        assert_eq!(VixFutures::model(date, 13.0, m).unwrap().listed_ratio(), None);
    }

    #[test]
    fn bad_curves_are_errors() {
        let date = d(2024, 1, 2);
        assert!(VixFutures::model(date, 0.0, FuturesModel::default()).is_err());
        assert!(VixFutures::listed(date, 13.0, vec![(date, 14.0)], FuturesModel::default()).is_err());
        assert!(VixFutures::listed(date, 13.0, vec![(d(2024, 2, 14), f64::NAN)], FuturesModel::default())
            .is_err());
    }

    #[test]
    fn shorter_expiries_carry_more_vol_and_calls_skew_up() {
        let p = VixVolParams::default();
        let atm = |p: &VixVolParams, days| p.vol(Some(90.0), 18.0, 18.0, days);
        assert!(atm(&p, 7.0) > atm(&p, 30.0));
        assert_eq!(atm(&p, 30.0), 0.9 * p.vvix_scale);
        assert!(p.vol(Some(90.0), 18.0, 22.0, 30.0) > atm(&p, 30.0));
        assert!(p.vol(Some(90.0), 18.0, 15.0, 30.0) < atm(&p, 30.0));
        assert_eq!(p.vol(None, 18.0, 18.0, 30.0), atm(&p, 30.0));
        // The 2016-06-01 fit's shape: flat inside min_days, a skew steep near the money and flatter
        // far out, steeper for shorter expiries.
        let fit = VixVolParams {
            vvix_scale: 0.96,
            term_exponent: 0.16,
            min_days: 38.0,
            call_skew: 2.35,
            call_skew_scale: 0.43,
            skew_term_exponent: 0.49,
            ..p
        };
        assert_eq!(atm(&fit, 30.0), 0.9 * 0.96 * (30.0f64 / 38.0).powf(0.16));
        assert_eq!(atm(&fit, 7.0), atm(&fit, 38.0));
        assert!(atm(&fit, 60.0) < atm(&fit, 38.0));
        let call = |k: f64, days| fit.vol(Some(90.0), 18.0, k, days) / atm(&fit, days);
        let near = call(18.0 * 0.5f64.exp(), 60.0) - 1.0;
        let far = call(18.0 * 1.0f64.exp(), 60.0) - call(18.0 * 0.5f64.exp(), 60.0);
        assert!(near > 0.0 && far > 0.0 && far < near, "{near} {far}");
        assert!(call(22.0, 40.0) > call(22.0, 120.0));
    }
}
