//! The ATM level a smile implies from a variance-swap index: VIX is (up to Cboe's strike
//! discretisation) the 30-day variance-swap rate of SPX options, so a smile that prices its own
//! options must reproduce it. This module owns that relation: the variance-swap factor of a
//! smile, and the ATM/index ratio it implies at each VIX level, tabulated once per set of surface
//! parameters.
//!
//! **Formula** (Gatheral, *The Volatility Surface*, ch. 11): the fair variance of a variance swap
//! is `∫ σ²(k) φ(z) dz` over `z = d2(k) = -k / (σ(k) √T) - σ(k) √T / 2`. In standardised
//! moneyness `m = k / (σ_atm √T)` with `σ(k) = σ_atm f(m)` and `a = σ_atm √T`:
//! `d2(m) = -m / f(m) - f(m) a / 2` and `VS = σ_atm² F(a)`, `F(a) = ∫ f(m)² φ(d2(m)) |dd2|`.
//! The ATM volatility that reproduces the index is `σ_atm = index / √F(a)`: the steeper the smile,
//! the more variance its wings carry and the further ATM sits under the index. A flat smile gives
//! `F = 1`.
//!
//! **Numerics.** Inside the moneyness clamp the integral is a sum over steps of 0.02 in `m` of
//! the mean of `f²` at the step's ends times the change of `Φ(d2)` across it (exact for a
//! piecewise-constant `f²`, second order otherwise); beyond the clamp `f` is constant and the
//! tails are `f² Φ` in closed form. `a` depends on the answer (`a = σ_atm √(30/365)`), so the ratio
//! is iterated three times from 0.8 (`a` moves `F` by well under a percent, so the third pass
//! changes the ratio by under 1e-6). `1 / √F` is tabulated at 33 VIX levels evenly spaced in
//! ln VIX over [`REGIME_VIX`] and interpolated linearly in ln VIX (VIX clamped to the range;
//! interpolation error under 1e-5, test below); the table is a
//! pure function of the parameters, kept per thread for the last few parameter sets, so every
//! caller (engine, sweep kernel, calibration) gets the same bits.

use std::cell::RefCell;

use super::normal::norm_cdf_fast;
use super::surface::{Smile, SurfaceParams, WingScale, REGIME_VIX, TENOR_DAYS};

/// Intervals of the table in ln VIX.
const VIX_NODES: usize = 24;
/// Intervals of the table in ln days.
pub const TENOR_NODES: usize = 16;
/// Step of the integral in standardised moneyness.
const STEP_M: f64 = 0.05;
/// Passes of the fixed point between `a` and the ATM level.
const ITERATIONS: usize = 2;

impl Smile {
    /// The variance-swap factor `F(a) = VS / σ_atm²` of this smile with its wings scaled by `g`
    /// ([`Smile::tenor_scale`]) at `a = σ_atm √T` (see the module doc). 1 for a flat smile; above
    /// 1 for a smile whose wings rise.
    pub fn variance_factor(&self, a: f64, g: WingScale) -> f64 {
        let d2 = |m: f64| {
            let f = self.factor_scaled(m, g);
            (-m / f - f * a / 2.0, f * f)
        };
        let (d2_lo, f2_lo) = d2(self.m_min);
        let (d2_hi, f2_hi) = d2(self.m_max);
        // Tails: m below m_min puts d2 above d2_lo; m above m_max puts d2 below d2_hi.
        let mut total = f2_lo * (1.0 - norm_cdf_fast(d2_lo)) + f2_hi * norm_cdf_fast(d2_hi);
        let steps = ((self.m_max - self.m_min) / STEP_M).ceil().max(1.0) as usize;
        let width = (self.m_max - self.m_min) / steps as f64;
        let (mut prev_cdf, mut prev_f2) = (norm_cdf_fast(d2_lo), f2_lo);
        for i in 1..=steps {
            let m = if i == steps { self.m_max } else { self.m_min + width * i as f64 };
            let (z, f2) = d2(m);
            let cdf = norm_cdf_fast(z);
            total += 0.5 * (f2 + prev_f2) * (prev_cdf - cdf);
            (prev_cdf, prev_f2) = (cdf, f2);
        }
        total
    }
}

/// `1 / √F` at the tenors of one VIX level.
type Row = [f64; TENOR_NODES + 1];

/// The table's rows by VIX level for one parameter set, each computed when first read.
type Table = [Option<Row>; VIX_NODES + 1];

/// The tenors of the table's columns, in calendar days: evenly spaced in ln days over
/// [`TENOR_DAYS`].
pub fn tenor_days(j: usize) -> f64 {
    let (lo, hi) = (TENOR_DAYS.0.ln(), TENOR_DAYS.1.ln());
    (lo + (hi - lo) * j as f64 / TENOR_NODES as f64).exp()
}

/// Where `days` falls among the table's tenors: the column below and the weight of the next.
#[inline]
pub fn tenor_position(days: f64) -> (usize, f64) {
    let (lo, hi) = (TENOR_DAYS.0.ln(), TENOR_DAYS.1.ln());
    let x = (days.clamp(TENOR_DAYS.0, TENOR_DAYS.1).ln() - lo) / (hi - lo) * TENOR_NODES as f64;
    let j = (x.floor() as usize).min(TENOR_NODES - 1);
    (j, x - j as f64)
}

/// Row `i` of the table: `1 / √F` at the `i`-th VIX level and each tenor for parameters `p`,
/// with the smile in force at that VIX level and its wings scaled for the term, and `a`
/// iterated to agree with the ATM level it gives (the scale in force at that VIX level, the
/// index taken at the VIX level; each tenor starts from the previous one's root).
fn row(p: &SurfaceParams, i: usize) -> Row {
    let (lo, hi) = (REGIME_VIX.0.ln(), REGIME_VIX.1.ln());
    let vix = (lo + (hi - lo) * i as f64 / VIX_NODES as f64).exp();
    let at = p.at(vix);
    let mut root = 0.8;
    std::array::from_fn(|j| {
        let days = tenor_days(j);
        let g = at.smile.tenor_scale(days / 365.0);
        for _ in 0..ITERATIONS {
            let a = at.atm_ratio * root * vix / 100.0 * (days / 365.0).sqrt();
            root = 1.0 / at.smile.variance_factor(a, g).sqrt();
        }
        root
    })
}

/// How many parameter sets each thread keeps tables for.
const KEPT: usize = 8;

thread_local! {
    static TABLES: RefCell<Vec<(SurfaceParams, Box<Table>)>> = const { RefCell::new(Vec::new()) };
}

/// `1 / √F` at each of the table's tenors ([`tenor_days`]) for VIX `vix` (clamped to
/// [`REGIME_VIX`]): the ATM volatility / index ratio at which `p`'s smile reproduces a
/// variance-swap index, before the scale; interpolated linearly in ln VIX from the parameters'
/// table.
pub fn variance_roots(p: &SurfaceParams, vix: f64) -> Row {
    let (lo, hi) = (REGIME_VIX.0.ln(), REGIME_VIX.1.ln());
    let x = (vix.clamp(REGIME_VIX.0, REGIME_VIX.1).ln() - lo) / (hi - lo) * VIX_NODES as f64;
    let i = (x.floor() as usize).min(VIX_NODES - 1);
    let w = x - i as f64;
    TABLES.with(|t| {
        let mut t = t.borrow_mut();
        let at = match t.iter().position(|(q, _)| q == p) {
            Some(at) => at,
            None => {
                if t.len() == KEPT {
                    t.remove(0);
                }
                t.push((*p, Box::new([None; VIX_NODES + 1])));
                t.len() - 1
            }
        };
        let table = &mut t[at].1;
        let below = *table[i].get_or_insert_with(|| row(p, i));
        let above = *table[i + 1].get_or_insert_with(|| row(p, i + 1));
        std::array::from_fn(|j| below[j] + (above[j] - below[j]) * w)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::{bsm_price, OptionType, Regime, SpxSurface, VolIndices};

    /// The variance swap by the log-contract replication, `(2 / T) ∫ OTM(K) / K² dK`, on a
    /// strike grid, with the wings scaled by `g`: an independent route to the same number.
    fn replicated_variance(smile: &Smile, atm: f64, t: f64, g: WingScale) -> f64 {
        let (mut total, dk) = (0.0, 0.0002);
        let mut k: f64 = -3.0;
        while k < 1.5 {
            let strike = (k + dk / 2.0).exp();
            let m = (k + dk / 2.0) / (atm * t.sqrt());
            let vol = atm * smile.factor_scaled(m, g);
            let kind = if strike < 1.0 { OptionType::Put } else { OptionType::Call };
            total += bsm_price(kind, 1.0, strike, t, 0.0, 0.0, vol) / strike * dk;
            k += dk;
        }
        2.0 / t * total
    }

    fn steep() -> Smile {
        Smile {
            put_slope: 0.3,
            call_slope: 0.3,
            call_curve: 0.08,
            m_min: -18.0,
            m_max: 2.3,
            ..Smile::default()
        }
    }

    #[test]
    fn the_factor_matches_the_log_contract_replication() {
        for smile in [Smile::default(), steep()] {
            for (atm, days, put, call) in
                [(0.07, 30.0, 1.0, 1.0), (0.15, 30.0, 1.0, 1.0), (0.4, 9.0, 0.9, 0.8), (0.15, 93.0, 1.1, 1.2)]
            {
                let g = WingScale { put, call, call_slope: call };
                let t = days / 365.0;
                let by_formula = atm * atm * smile.variance_factor(atm * f64::sqrt(t), g);
                let by_strip = replicated_variance(&smile, atm, t, g);
                assert!(
                    (by_formula / by_strip - 1.0).abs() < 2e-4,
                    "{atm} {days}: {by_formula} vs {by_strip}"
                );
            }
        }
        assert!((Smile::flat().variance_factor(0.05, WingScale::ONE) - 1.0).abs() < 1e-12);
    }

    /// The surface's ATM level at each index's tenor, with the smile of that tenor, prices the
    /// index back (to the table's interpolation, under 1e-3 of the level), at VIX levels between
    /// the table's nodes, with a regime and a term exponent.
    #[test]
    fn the_surface_reproduces_its_indices() {
        let p = SurfaceParams {
            atm_ratio: 1.0,
            smile: Smile { put_term: 0.05, call_term: 0.12, ..steep() },
            regime: Regime { put_slope: -0.1, call_slope: 0.2, ..Regime::default() },
            ..SurfaceParams::default()
        };
        p.validate().unwrap();
        for vix in [9.5, 16.3, 35.0, 70.0] {
            let ix = VolIndices { vix9d: Some(vix * 0.95), vix, vix3m: None, vix6m: None };
            let surface = SpxSurface::new(ix, p).unwrap();
            for (index, days) in [(vix * 0.95, 9.0), (vix, 30.0)] {
                let t = days / 365.0;
                let x = surface.tenor(t);
                let smile = p.at(vix).smile;
                let implied = replicated_variance(&smile, x.atm, t, x.g).sqrt() * 100.0;
                assert!((implied / index - 1.0).abs() < 1e-3, "VIX {vix}, {days} days: {implied} vs {index}");
            }
        }
    }

    #[test]
    fn a_steeper_smile_puts_atm_further_under_the_index() {
        let p = SurfaceParams::default();
        let steeper = SurfaceParams { smile: Smile { put_slope: 0.6, ..Smile::default() }, ..p };
        let ratio = |p: &SurfaceParams| p.ratio_for(&VolIndices { vix: 16.0, ..Default::default() });
        assert!(ratio(&steeper) < ratio(&p) - 0.02, "{} vs {}", ratio(&steeper), ratio(&p));
        // Beyond the table's range the end values hold.
        assert_eq!(variance_roots(&p, 5.0), variance_roots(&p, 9.0));
        assert_eq!(variance_roots(&p, 120.0), variance_roots(&p, 80.0));
    }
}
