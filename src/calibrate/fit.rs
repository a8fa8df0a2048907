//! The fit: the surface parameters of a strategy's `[model]` ([`FITTED`]: the ATM level, the
//! smile's wings, their moneyness clamp and term exponents, and with a regime how they move with
//! VIX and the term slope; the floor stays as given) that minimise a [`Loss`] over the quotes'
//! weighted errors (see [`super`]), by Nelder-Mead from the given parameters, keeping any held.
//! A point that is not a valid surface (delta not monotone in strike, ratio out of range) scores
//! infinity, so the search stays among valid surfaces.

pub use super::loss::Loss;
use super::{model_prices, Carry, FitQuote, Indices};
use crate::pricing::SurfaceParams;

/// The parameters fitted, in this order (the regime's three VIX terms only when the regime is
/// fitted, its term-slope term only when VIX3M is loaded too). The first is the ATM ratio, or in
/// variance mode (the default) the scale on the variance-consistent level, written `atm_scale`.
pub const FITTED: [&str; 15] = [
    "atm_ratio",
    "put_slope",
    "put_curve",
    "call_slope",
    "call_curve",
    "m_min",
    "m_max",
    "put_term",
    "call_term",
    "call_slope_term",
    "atm_ratio_vix",
    "put_slope_vix",
    "call_slope_vix",
    "call_curve_vix",
    "atm_ratio_term",
];

/// The values of [`FITTED`] in `p`, in that order.
pub fn fitted_values(p: &SurfaceParams) -> [f64; 15] {
    let (s, r) = (&p.smile, &p.regime);
    [
        p.atm_ratio,
        s.put_slope,
        s.put_curve,
        s.call_slope,
        s.call_curve,
        s.m_min,
        s.m_max,
        s.put_term,
        s.call_term,
        s.call_slope_term,
        r.atm_ratio,
        r.put_slope,
        r.call_slope,
        r.call_curve,
        r.atm_ratio_term,
    ]
}

fn to_vec<const N: usize>(p: &SurfaceParams) -> [f64; N] {
    let all = fitted_values(p);
    std::array::from_fn(|i| all[i])
}

/// `base` with the first `N` of [`FITTED`] set from `x`, except those `held` (indices into
/// [`FITTED`]), which keep `base`'s values: the search sees a flat direction there.
fn from_vec<const N: usize>(base: &SurfaceParams, x: &[f64; N], held: &[usize]) -> SurfaceParams {
    let mut all = to_vec::<15>(base);
    for (i, v) in x.iter().enumerate().filter(|(i, _)| !held.contains(i)) {
        all[i] = *v;
    }
    let mut p = *base;
    p.atm_ratio = all[0];
    let s = &mut p.smile;
    (s.put_slope, s.put_curve, s.call_slope, s.call_curve, s.m_min, s.m_max) =
        (all[1], all[2], all[3], all[4], all[5], all[6]);
    (s.put_term, s.call_term, s.call_slope_term) = (all[7], all[8], all[9]);
    let r = &mut p.regime;
    (r.atm_ratio, r.put_slope, r.call_slope, r.call_curve, r.atm_ratio_term) =
        (all[10], all[11], all[12], all[13], all[14]);
    p
}

/// The `loss` of `quotes` (with `weights`, [`Loss::weights`]) under `params`; infinity when the
/// parameters are not a valid surface or there are no quotes.
pub fn loss(
    quotes: &[FitQuote],
    weights: &[f64],
    indices: &Indices,
    params: SurfaceParams,
    carry: Carry,
    loss: Loss,
) -> f64 {
    match model_prices(quotes, indices, params, carry) {
        Some(prices) if !quotes.is_empty() => loss.of(quotes, weights, prices.into_iter().map(|p| p.0)),
        _ => f64::INFINITY,
    }
}

/// The outcome of a fit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    pub params: SurfaceParams,
    pub loss_before: f64,
    pub loss_after: f64,
    pub evaluations: usize,
}

/// What a fit varies besides the ten smile parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fitting {
    /// The smile alone.
    Smile,
    /// The smile and the four VIX-level regime terms (the quotes should span VIX levels).
    Regime,
    /// Those and the term-slope term (the quotes' dates need VIX3M closes).
    RegimeAndTerm,
}

/// Where a fit starts and what it keeps: the start's values of the [`FITTED`] indices in `held`
/// stay as they are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Start<'a> {
    pub params: SurfaceParams,
    pub held: &'a [usize],
    pub loss: Loss,
}

/// Fit `quotes` from `start`, varying what `what` says except what `start` holds.
pub fn fit(quotes: &[FitQuote], indices: &Indices, start: Start, carry: Carry, what: Fitting) -> Fit {
    let weights = start.loss.weights(quotes, indices, start.params, carry);
    let q = Quotes { quotes, weights: &weights, indices, carry };
    match what {
        Fitting::Smile => fit_n::<10>(q, start),
        Fitting::Regime => fit_staged::<14>(q, start),
        Fitting::RegimeAndTerm => fit_staged::<15>(q, start),
    }
}

/// The index in [`FITTED`] of a `[model]` key (`atm_scale` names the first, as `model.toml`
/// writes it in variance mode).
pub fn fitted_index(key: &str) -> Option<usize> {
    let key = if key == "atm_scale" { "atm_ratio" } else { key };
    FITTED.iter().position(|k| *k == key)
}

/// All `N` dimensions from the start, and the shape first then all `N`: a simplex in ten
/// dimensions can settle early on either path; the better of the two is kept.
fn fit_staged<const N: usize>(q: Quotes, start: Start) -> Fit {
    let direct = fit_n::<N>(q, start);
    let shape = fit_n::<10>(q, start);
    let staged = fit_n::<N>(q, Start { params: shape.params, ..start });
    let evaluations = direct.evaluations + shape.evaluations + staged.evaluations;
    let best = if staged.loss_after < direct.loss_after { staged } else { direct };
    Fit { loss_before: direct.loss_before, evaluations, ..best }
}

/// The quotes a fit prices, their weights under its loss, and the market inputs.
#[derive(Clone, Copy)]
struct Quotes<'a> {
    quotes: &'a [FitQuote],
    weights: &'a [f64],
    indices: &'a Indices,
    carry: Carry,
}

fn fit_n<const N: usize>(q: Quotes, start: Start) -> Fit {
    let (held, how, start) = (start.held, start.loss, start.params);
    let at = |p: SurfaceParams| loss(q.quotes, q.weights, q.indices, p, q.carry, how);
    let f = |x: &[f64; N]| at(from_vec(&start, x, held));
    let all_steps = [0.05, 0.05, 0.02, 0.05, 0.02, 1.0, 0.5, 0.05, 0.05, 0.1, 0.1, 0.1, 0.1, 0.05, 0.2];
    let step: [f64; N] = std::array::from_fn(|i| all_steps[i]);
    // Restarted from its own best point until a restart gains nothing: a simplex in seven
    // dimensions can collapse before the minimum (the standard remedy).
    let (mut best, mut evaluations) = nelder_mead(&f, to_vec(&start), step, 10_000);
    for _ in 0..40 {
        let (again, n) = nelder_mead(&f, best, step, 10_000);
        evaluations += n;
        let gained = f(&again) < f(&best) * (1.0 - 1e-9);
        best = again;
        if !gained {
            break;
        }
    }
    Fit { params: from_vec(&start, &best, held), loss_before: at(start), loss_after: f(&best), evaluations }
}

/// Nelder-Mead (reflection 1, expansion 2, contraction 1/2, shrink 1/2) from `x0` with initial
/// steps `step`, until the simplex's values agree to 1e-12 (relative), its points to 1e-7, or
/// `max_evals`. Returns
/// the best point and the evaluations made.
pub fn nelder_mead<const N: usize>(
    f: &impl Fn(&[f64; N]) -> f64,
    x0: [f64; N],
    step: [f64; N],
    max_evals: usize,
) -> ([f64; N], usize) {
    let mut simplex: Vec<([f64; N], f64)> = Vec::with_capacity(N + 1);
    simplex.push((x0, f(&x0)));
    for i in 0..N {
        let mut x = x0;
        x[i] += step[i];
        simplex.push((x, f(&x)));
    }
    let mut evals = N + 1;
    let along = |a: &[f64; N], b: &[f64; N], t: f64| -> [f64; N] {
        std::array::from_fn(|i| a[i] + t * (b[i] - a[i]))
    };
    while evals < max_evals {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (best, worst) = (simplex[0].1, simplex[N].1);
        let size = simplex[1..]
            .iter()
            .flat_map(|p| p.0.iter().zip(&simplex[0].0).map(|(a, b)| (a - b).abs()))
            .fold(0.0, f64::max);
        if best.is_finite() && ((worst - best).abs() <= 1e-12 * best.abs().max(1e-12) || size < 1e-7) {
            break;
        }
        let centroid: [f64; N] =
            std::array::from_fn(|i| simplex[..N].iter().map(|p| p.0[i]).sum::<f64>() / N as f64);
        let worst_x = simplex[N].0;
        let reflected = along(&centroid, &worst_x, -1.0);
        let fr = f(&reflected);
        evals += 1;
        if fr < simplex[0].1 {
            let expanded = along(&centroid, &worst_x, -2.0);
            let fe = f(&expanded);
            evals += 1;
            simplex[N] = if fe < fr { (expanded, fe) } else { (reflected, fr) };
        } else if fr < simplex[N - 1].1 {
            simplex[N] = (reflected, fr);
        } else {
            let contracted = along(&centroid, &worst_x, 0.5);
            let fc = f(&contracted);
            evals += 1;
            if fc < simplex[N].1 {
                simplex[N] = (contracted, fc);
            } else {
                let x_best = simplex[0].0;
                for p in simplex.iter_mut().skip(1) {
                    p.0 = along(&x_best, &p.0, 0.5);
                    p.1 = f(&p.0);
                }
                evals += N;
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    (simplex[0].0, evals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nelder_mead_finds_a_quadratic_minimum() {
        let f = |x: &[f64; 2]| (x[0] - 1.5).powi(2) + 3.0 * (x[1] + 0.25).powi(2);
        let (x, evals) = nelder_mead(&f, [0.0, 0.0], [0.1, 0.1], 2000);
        assert!((x[0] - 1.5).abs() < 1e-5 && (x[1] + 0.25).abs() < 1e-5, "{x:?} after {evals}");
    }

    #[test]
    fn nelder_mead_stays_out_of_infinite_regions() {
        let f = |x: &[f64; 2]| if x[0] < 0.0 { f64::INFINITY } else { (x[0] - 0.2).powi(2) + x[1].powi(2) };
        let (x, _) = nelder_mead(&f, [1.0, 1.0], [0.5, 0.5], 3000);
        assert!((x[0] - 0.2).abs() < 1e-4 && x[1].abs() < 1e-4, "{x:?}");
    }
}

#[cfg(test)]
mod recovery {
    use super::*;
    use crate::calibrate::{model_prices, Carry, FitQuote, Indices};
    use crate::data::Right;
    use crate::pricing::{Smile, VolIndices};
    use chrono::NaiveDate;

    /// Quotes priced by the model itself under `truth`: a fit from the defaults must find it.
    #[test]
    fn a_fit_recovers_the_parameters_that_priced_the_quotes() {
        recovers(Fitting::Smile);
    }

    /// The same with a regime: quotes at VIX 12, 15 and 21 pin the slopes in ln VIX too.
    #[test]
    fn a_regime_fit_recovers_the_regime_that_priced_the_quotes() {
        recovers(Fitting::Regime);
    }

    /// And with the term slope: two days at VIX 15 with different VIX3M pin its term.
    #[test]
    fn a_term_fit_recovers_the_term_slope_that_priced_the_quotes() {
        recovers(Fitting::RegimeAndTerm);
    }

    /// A held key keeps its starting value to the bit while the free ones move.
    #[test]
    fn a_held_key_keeps_its_starting_value() {
        let truth = SurfaceParams {
            atm_ratio: 0.7,
            atm: crate::pricing::AtmLevel::Ratio,
            ..SurfaceParams::default()
        };
        let (quotes, indices) = self_priced(truth, &[(2, 15.0, 0.0)], false);
        let start = SurfaceParams { atm_ratio: 0.75, ..truth };
        let start = SurfaceParams { smile: Smile { put_slope: 0.3, ..start.smile }, ..start };
        let held: Vec<usize> = (0..15).filter(|i| *i != 1).collect();
        let carry = Carry { rate: 0.02, dividend_yield: 0.015 };
        let f = fit(
            &quotes,
            &indices,
            Start { params: start, held: &held, loss: Loss::Squared },
            carry,
            Fitting::Smile,
        );
        assert_eq!(to_vec::<15>(&f.params)[..1], [0.75]);
        assert_eq!(to_vec::<15>(&f.params)[2..], to_vec::<15>(&start)[2..]);
        assert!(f.params.smile.put_slope != 0.3 && f.loss_after < f.loss_before, "{f:?}");
    }

    fn recovers(what: Fitting) {
        let regime = what != Fitting::Smile;
        let term = what == Fitting::RegimeAndTerm;
        let truth = SurfaceParams {
            // A fixed ratio: the variance level's tables would make every evaluation of a
            // 15-dimensional search slow (the variance level is tested in `pricing::atm_level`
            // and by the fits to the real chains).
            atm_ratio: 0.7,
            atm: crate::pricing::AtmLevel::Ratio,
            smile: Smile {
                put_slope: 0.30,
                put_curve: -0.01,
                call_slope: 0.22,
                call_curve: 0.07,
                m_max: 2.5,
                put_term: 0.1,
                call_term: 0.08,
                call_slope_term: 0.1,
                ..Smile::default()
            },
            // What a fit does not vary stays at the defaults' value.
            regime: if regime {
                crate::pricing::Regime {
                    atm_ratio: 0.15,
                    put_slope: -0.1,
                    call_slope: 0.12,
                    call_curve: 0.03,
                    atm_ratio_term: if term { 0.4 } else { crate::pricing::Regime::FITTED.atm_ratio_term },
                }
            } else {
                crate::pricing::Regime::FITTED
            },
        };
        let carry = Carry { rate: 0.02, dividend_yield: 0.015 };
        let days: &[(u32, f64, f64)] = if term {
            &[(2, 12.0, 15.0), (9, 15.0, 17.5), (16, 21.0, 21.5), (23, 15.0, 15.4)]
        } else {
            &[(2, 12.0, 0.0), (9, 15.0, 0.0), (16, 21.0, 0.0)]
        };
        let (quotes, indices) = self_priced(truth, days, term);
        assert!(quotes.len() > 150, "{} quotes", quotes.len());
        // The smile alone from the defaults; with a regime (14 or 15 dimensions, slow to explore
        // from afar) from the truth with the smile's parameters a tenth larger and the regime's
        // a fifth smaller (the clamps as they are).
        let start = match what {
            Fitting::Smile => SurfaceParams { atm_ratio: 0.75, atm: truth.atm, ..SurfaceParams::default() },
            _ => {
                let mut x = to_vec::<15>(&truth);
                for (i, v) in x.iter_mut().enumerate().filter(|(i, _)| ![5, 6].contains(i)) {
                    *v *= if i >= 10 { 0.8 } else { 1.1 };
                }
                from_vec(&truth, &x, &[])
            }
        };
        let f = fit(&quotes, &indices, Start { params: start, held: &[], loss: Loss::Squared }, carry, what);
        assert!(f.loss_before > 1e-3 && f.loss_after < 1e-4, "{} -> {}", f.loss_before, f.loss_after);
        let (got, want) = (to_vec::<15>(&f.params), to_vec::<15>(&truth));
        let extra = match what {
            Fitting::Smile => 7..10,
            Fitting::Regime => 7..14,
            Fitting::RegimeAndTerm => 7..15,
        };
        for i in [0, 1, 2, 3, 4].into_iter().chain(extra) {
            assert!((got[i] - want[i]).abs() < 2e-2, "{}: {} against {}", FITTED[i], got[i], want[i]);
        }
    }

    /// Quotes at 2500-3300 (25 apart), 9, 23 and 44 days out, on the given days of July 2019
    /// (day, VIX, VIX3M), priced by the model itself under `truth` (a 0.002 spread, mids of at
    /// least 0.2).
    fn self_priced(truth: SurfaceParams, days: &[(u32, f64, f64)], term: bool) -> (Vec<FitQuote>, Indices) {
        let carry = Carry { rate: 0.02, dividend_yield: 0.015 };
        let mut indices = Indices::default();
        let mut quotes = Vec::new();
        for &(day, vix, vix3m) in days {
            let date = NaiveDate::from_ymd_opt(2019, 7, day).unwrap();
            let vix3m = term.then_some(vix3m);
            indices.by_date.insert(date, VolIndices { vix9d: None, vix, vix3m, vix6m: None });
            for days in [9, 23, 44] {
                for k in (2500..=3300).step_by(25) {
                    let right = if k < 2950 { Right::Put } else { Right::Call };
                    quotes.push(FitQuote {
                        date,
                        expiry: date + chrono::Days::new(days),
                        right,
                        strike: k as f64,
                        days: days as i64,
                        underlying: 2950.0,
                        bid: 0.0,
                        ask: 0.0,
                        chain_delta: None,
                        iv: f64::NAN,
                    });
                }
            }
        }
        truth.validate().unwrap();
        let prices = model_prices(&quotes, &indices, truth, carry).unwrap();
        let quotes = quotes
            .into_iter()
            .zip(prices)
            .filter(|(_, (p, _, _))| *p >= 0.2)
            .map(|(q, (p, _, _))| FitQuote { bid: p - 0.001, ask: p + 0.001, ..q })
            .collect();
        (quotes, indices)
    }
}
