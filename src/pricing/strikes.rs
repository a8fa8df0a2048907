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

/// Listed strikes, indexed from 1 upward in ascending order: a uniform [`StrikeGrid`], or a
/// [`StrikeLadder`] whose step changes with the level.
pub trait Strikes {
    /// The `n`-th listed strike (`n >= 1`).
    fn strike(&self, n: i64) -> f64;
    /// The listed strike nearest `x`; an exact half-way point goes outward for `kind`.
    fn round(&self, x: f64, kind: OptionType) -> Result<f64, StrikeError>;
    /// The index of the first listed strike at or above `x` (the last one when none is).
    fn index_at_least(&self, x: f64) -> i64;
    /// The listed strike nearest `k`, an exact half-way point rounded up.
    fn round_half_up(&self, k: f64) -> Result<f64, StrikeError>;
}

impl Strikes for StrikeGrid {
    #[inline]
    fn strike(&self, n: i64) -> f64 {
        StrikeGrid::strike(self, n)
    }

    fn round(&self, x: f64, kind: OptionType) -> Result<f64, StrikeError> {
        StrikeGrid::round(self, x, kind)
    }

    fn index_at_least(&self, x: f64) -> i64 {
        (x / self.step).ceil() as i64
    }

    fn round_half_up(&self, k: f64) -> Result<f64, StrikeError> {
        let n = (k / self.step + 0.5).floor();
        if !n.is_finite() {
            return Err(StrikeError::NotFinite(k));
        }
        if n < 1.0 {
            return Err(StrikeError::BelowGrid(k));
        }
        Ok(self.strike(n as i64))
    }
}

/// Strikes listed with steps that change with the level (VIX options: 0.5 below 15, 1 to 30, ...):
/// an ascending list.
#[derive(Debug, Clone, PartialEq)]
pub struct StrikeLadder {
    strikes: Vec<f64>,
}

impl StrikeLadder {
    /// The ladder of `(below, step)` bands, `below` ascending: band `i` lists `lo + n step` from
    /// its lower bound `lo` (the previous band's `below`; the first band starts at its step) up to
    /// but not including its `below`; the last band's `below` is the highest strike, listed.
    pub fn from_bands(bands: &[(f64, f64)]) -> Result<Self, StrikeError> {
        let mut strikes = Vec::new();
        let mut lo = 0.0;
        for (i, &(below, step)) in bands.iter().enumerate() {
            StrikeGrid::new(step)?;
            let last = i + 1 == bands.len();
            let mut n = if lo == 0.0 { 1.0 } else { 0.0 };
            loop {
                let k = lo + n * step;
                if k > below + 1e-9 || (!last && k >= below - 1e-9) {
                    break;
                }
                strikes.push(k);
                n += 1.0;
            }
            lo = below;
        }
        if strikes.is_empty() {
            return Err(StrikeError::BadStep(0.0));
        }
        Ok(StrikeLadder { strikes })
    }

    pub fn strikes(&self) -> &[f64] {
        &self.strikes
    }
}

impl Strikes for StrikeLadder {
    fn strike(&self, n: i64) -> f64 {
        self.strikes[(n.max(1) as usize - 1).min(self.strikes.len() - 1)]
    }

    fn round(&self, x: f64, kind: OptionType) -> Result<f64, StrikeError> {
        if !x.is_finite() {
            return Err(StrikeError::NotFinite(x));
        }
        let i = self.strikes.partition_point(|k| *k < x);
        let below = i.checked_sub(1).map(|j| self.strikes[j]);
        let above = self.strikes.get(i).copied();
        match (below, above) {
            (None, Some(a)) if x < 0.5 * a => Err(StrikeError::BelowGrid(x)),
            (None, Some(a)) => Ok(a),
            (Some(b), None) => Ok(b),
            (Some(b), Some(a)) if x - b < a - x => Ok(b),
            (Some(b), Some(a)) if x - b > a - x => Ok(a),
            (Some(b), Some(a)) => Ok(if kind == OptionType::Put { b } else { a }),
            (None, None) => Err(StrikeError::BelowGrid(x)),
        }
    }

    fn index_at_least(&self, x: f64) -> i64 {
        self.strikes.partition_point(|k| *k < x).min(self.strikes.len() - 1) as i64 + 1
    }

    fn round_half_up(&self, k: f64) -> Result<f64, StrikeError> {
        self.round(k, OptionType::Call)
    }
}

/// Choose a listed strike. `div_t` is `q T` (Black-76: `r T`), used by `DeltaFormula` only;
/// `delta_at(k)` is the model delta of strike `k` (used by `Delta` only).
#[allow(clippy::too_many_arguments)]
pub fn select_strike(
    grid: &impl Strikes,
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
            grid.round_half_up(k)
        }
    }
}

/// Bisection over grid indices for the strike whose |delta| is closest to `target`.
fn by_delta(
    grid: &impl Strikes,
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
    let (mut lo, mut hi) = (1i64, grid.index_at_least(forward * 8.0).max(2));
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
    fn a_ladder_lists_each_band_on_its_step_and_rounds_like_a_grid() {
        let l = StrikeLadder::from_bands(&[(15.0, 0.5), (30.0, 1.0), (50.0, 2.5), (70.0, 5.0)]).unwrap();
        let k = l.strikes();
        assert_eq!((k[0], k[28], k[29], k[30]), (0.5, 14.5, 15.0, 16.0));
        assert!(k.contains(&32.5) && !k.contains(&31.0) && k.contains(&55.0) && !k.contains(&52.5));
        assert_eq!(*k.last().unwrap(), 70.0);
        assert_eq!(l.round(31.2, OptionType::Call), Ok(30.0));
        assert_eq!(l.round(31.25, OptionType::Call), Ok(32.5));
        assert_eq!(l.round(31.25, OptionType::Put), Ok(30.0));
        assert_eq!(l.round(500.0, OptionType::Call), Ok(70.0));
        assert_eq!(l.round(0.2, OptionType::Call), Err(StrikeError::BelowGrid(0.2)));
        assert_eq!(l.strike(l.index_at_least(32.0)), 32.5);
        // By delta over the ladder: a delta falling with the strike finds the nearest listed one.
        let delta_at = |k: f64| (-(k - 20.0) / 8.0).exp().min(1.0);
        let pick =
            select_strike(&l, OptionType::Call, StrikeRule::Delta(0.2), 20.0, 20.0, 0.1, 0.0, delta_at);
        let best = k
            .iter()
            .copied()
            .min_by(|a, b| (delta_at(*a) - 0.2).abs().total_cmp(&(delta_at(*b) - 0.2).abs()));
        assert_eq!(pick.ok(), best);
        // A uniform grid keeps its own rules through the trait.
        let g = StrikeGrid::new(5.0).unwrap();
        assert_eq!(Strikes::round_half_up(&g, 4702.5), Ok(4705.0));
        assert_eq!(g.index_at_least(4701.0), 941);
    }

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
