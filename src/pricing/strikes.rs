//! Listed strikes and strike selection.
//!
//! A [`StrikeGrid`] lists the strikes `n * step` for `n >= 1` (SPX: 5 points, VIX: 1 point).
//! [`select_strike`] picks a listed strike by a [`StrikeRule`]:
//! - `Delta(d)`: the listed strike whose model delta is closest to `-d` (put) or `+d` (call),
//!   with delta computed by the caller's closure (each strike on its own smile volatility); an
//!   exact tie goes outward (the lower strike for a put, the higher for a call). Delta is monotone
//!   in strike, so the search is a bisection over grid indices: O(log n) delta evaluations.
//! - `Points(p)`: spot - p (put) / spot + p (call); `Percent(x)`: spot (1 -/+ x), `x` a fraction;
//! - `StdDevs(n)`: forward * exp(-/+ n sigma_atm sqrt T) (log-space standard deviations).
//! - `DeltaFormula(d)`: the strike whose BSM delta at the ATM volatility is exactly the target,
//!   in closed form: `z = N^-1(d e^{qT})`, `a = sigma_atm sqrt T`, `mu = ln(F/S) + a^2/2`
//!   (= `(r - q + sigma^2/2) T`), put `K = S e^{z a + mu}`, call `K = S e^{-z a + mu}`, rounded
//!   half-up to the grid (`step * floor(K/step + 1/2)`) - the rule of the condor-grid benchmark and
//!   of many index-strategy backtests. It ignores the smile.
//!
//! Points, Percent and StdDevs round to the nearest listed strike; an exact half-way point goes
//! outward.

use super::black::OptionType;

/// The listed strikes `n * step`, `n >= 1`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StrikeGrid {
    step: f64,
}

/// How to choose a strike.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StrikeRule {
    /// Absolute delta in (0, 1): 0.16 means a -0.16 delta put or a +0.16 delta call.
    Delta(f64),
    /// Index points away from spot (outward for positive values).
    Points(f64),
    /// Fraction of spot away from spot (0.05 = 5%).
    Percent(f64),
    /// Log-space standard deviations away from the forward at the ATM volatility.
    StdDevs(f64),
    /// Absolute delta in (0, 1), strike in closed form at the ATM volatility, rounded half-up.
    DeltaFormula(f64),
}

/// Why no strike could be chosen.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum StrikeError {
    #[error("strike step must be a finite number > 0, found {0}")]
    BadStep(f64),
    #[error("target delta must be in (0, 1), found {0}")]
    BadDelta(f64),
    #[error("the rule gives a strike of {0}, below the lowest listed strike")]
    BelowGrid(f64),
    #[error("the rule's inputs are not finite (strike {0})")]
    NotFinite(f64),
}

impl StrikeGrid {
    pub fn new(step: f64) -> Result<Self, StrikeError> {
        if step.is_finite() && step > 0.0 {
            Ok(StrikeGrid { step })
        } else {
            Err(StrikeError::BadStep(step))
        }
    }

    pub fn step(&self) -> f64 {
        self.step
    }

    /// The `n`-th listed strike.
    #[inline]
    pub fn strike(&self, n: i64) -> f64 {
        n as f64 * self.step
    }

    /// The listed strike nearest `x`; an exact half-way point goes outward for `kind`.
    pub fn round(&self, x: f64, kind: OptionType) -> Result<f64, StrikeError> {
        if !x.is_finite() {
            return Err(StrikeError::NotFinite(x));
        }
        let u = x / self.step;
        let (lo, hi) = (u.floor(), u.ceil());
        let n = if u - lo < hi - u {
            lo
        } else if u - lo > hi - u {
            hi
        } else if kind == OptionType::Put {
            lo
        } else {
            hi
        };
        if n < 1.0 {
            return Err(StrikeError::BelowGrid(x));
        }
        Ok(self.strike(n as i64))
    }
}

/// Choose a listed strike. `div_t` is `q T` (Black-76: `r T`), used by `DeltaFormula` only;
/// `delta_at(k)` is the model delta of strike `k` (used by `Delta` only).
#[allow(clippy::too_many_arguments)]
pub fn select_strike(
    grid: &StrikeGrid,
    kind: OptionType,
    rule: StrikeRule,
    spot: f64,
    forward: f64,
    atm_vol_sqrt_t: f64,
    div_t: f64,
    delta_at: impl Fn(f64) -> f64,
) -> Result<f64, StrikeError> {
    let w = kind.sign();
    match rule {
        StrikeRule::Points(p) => grid.round(spot + w * p, kind),
        StrikeRule::Percent(x) => grid.round(spot * (1.0 + w * x), kind),
        StrikeRule::StdDevs(n) => grid.round(forward * (w * n * atm_vol_sqrt_t).exp(), kind),
        StrikeRule::Delta(d) => {
            if !(d > 0.0 && d < 1.0) {
                return Err(StrikeError::BadDelta(d));
            }
            Ok(by_delta(grid, kind, d, forward, &delta_at))
        }
        StrikeRule::DeltaFormula(d) => {
            if !(d > 0.0 && d < 1.0 && d * div_t.exp() < 1.0) {
                return Err(StrikeError::BadDelta(d));
            }
            let z = super::normal::norm_ppf(d * div_t.exp());
            let a = atm_vol_sqrt_t;
            let mu = (forward / spot).ln() + 0.5 * a * a;
            let k = spot * (-w * z * a + mu).exp();
            let n = (k / grid.step + 0.5).floor();
            if !n.is_finite() {
                return Err(StrikeError::NotFinite(k));
            }
            if n < 1.0 {
                return Err(StrikeError::BelowGrid(k));
            }
            Ok(grid.strike(n as i64))
        }
    }
}

/// Bisection over grid indices for the strike whose |delta| is closest to `target`.
fn by_delta(
    grid: &StrikeGrid,
    kind: OptionType,
    target: f64,
    forward: f64,
    delta_at: &impl Fn(f64) -> f64,
) -> f64 {
    // |delta| rises with the strike for puts and falls for calls; `past(n)` is true from the first
    // index whose |delta| has crossed the target (moving up the grid).
    let abs_delta = |n: i64| delta_at(grid.strike(n)).abs();
    let past = |n: i64| match kind {
        OptionType::Put => abs_delta(n) >= target,
        OptionType::Call => abs_delta(n) <= target,
    };
    let (mut lo, mut hi) = (1i64, ((forward * 8.0 / grid.step).ceil() as i64).max(2));
    if past(lo) {
        return grid.strike(lo);
    }
    if !past(hi) {
        return grid.strike(hi);
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if past(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    let (err_lo, err_hi) = ((abs_delta(lo) - target).abs(), (abs_delta(hi) - target).abs());
    let outward = match kind {
        OptionType::Put => lo,
        OptionType::Call => hi,
    };
    let chosen = if err_lo < err_hi {
        lo
    } else if err_hi < err_lo {
        hi
    } else {
        outward
    };
    grid.strike(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_and_ties_outward() {
        let g = StrikeGrid::new(5.0).unwrap();
        assert_eq!(g.round(4702.4, OptionType::Put), Ok(4700.0));
        assert_eq!(g.round(4702.5, OptionType::Put), Ok(4700.0));
        assert_eq!(g.round(4702.5, OptionType::Call), Ok(4705.0));
        assert_eq!(g.round(2.4, OptionType::Put), Err(StrikeError::BelowGrid(2.4)));
        assert!(StrikeGrid::new(0.0).is_err() && StrikeGrid::new(f64::NAN).is_err());
    }

    #[test]
    fn delta_search_with_exact_ties() {
        // A linear "delta" |delta(k)| = k / 1024 on a 4-point grid: every value is dyadic, so the
        // half-way targets below are exact ties in floating point.
        let g = StrikeGrid::new(4.0).unwrap();
        let put = |k: f64| -k / 1024.0;
        let pick = |d| {
            select_strike(&g, OptionType::Put, StrikeRule::Delta(d), 512.0, 512.0, 0.1, 0.0, put).unwrap()
        };
        assert_eq!(pick(200.0 / 1024.0), 200.0);
        assert_eq!(pick(201.9 / 1024.0), 200.0);
        assert_eq!(pick(202.1 / 1024.0), 204.0);
        assert_eq!(pick(202.0 / 1024.0), 200.0, "exact tie goes outward (lower) for a put");
        let call = |k: f64| (1.0 - k / 1024.0).max(0.0);
        let pick = |d| {
            select_strike(&g, OptionType::Call, StrikeRule::Delta(d), 512.0, 512.0, 0.1, 0.0, call).unwrap()
        };
        assert_eq!(pick(1.0 - 800.0 / 1024.0), 800.0);
        assert_eq!(pick(1.0 - 802.0 / 1024.0), 804.0, "exact tie goes outward (higher) for a call");
        assert_eq!(
            select_strike(&g, OptionType::Call, StrikeRule::Delta(1.5), 1.0, 1.0, 0.1, 0.0, call),
            Err(StrikeError::BadDelta(1.5))
        );
    }

    #[test]
    fn points_percent_stddevs() {
        let g = StrikeGrid::new(5.0).unwrap();
        let nd = |_: f64| 0.0;
        let sel = |k, r| select_strike(&g, k, r, 4712.0, 4720.0, 0.05, 0.0, nd).unwrap();
        assert_eq!(sel(OptionType::Put, StrikeRule::Points(100.0)), 4610.0);
        assert_eq!(sel(OptionType::Call, StrikeRule::Points(100.0)), 4810.0);
        assert_eq!(sel(OptionType::Put, StrikeRule::Percent(0.05)), 4475.0); // 4476.4
        assert_eq!(sel(OptionType::Call, StrikeRule::StdDevs(1.0)), 4960.0); // 4961.99
    }
}
