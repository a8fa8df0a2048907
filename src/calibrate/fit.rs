//! The fit: the seven surface parameters of a strategy's `[model]` that shape the smile
//! (`atm_ratio`, `put_slope`, `put_curve`, `call_slope`, `call_curve`, and the moneyness clamp
//! `m_min`, `m_max`, beyond which a wing is flat; the floor stays as given) that
//! minimise the mean squared weighted error of the quotes (see [`super`]), by Nelder-Mead from the given
//! parameters. A point that is not a valid surface (delta not monotone in strike, ratio out of
//! range) scores infinity, so the search stays among valid surfaces.

use super::{model_prices, weighted_error, Carry, FitQuote, Indices};
use crate::pricing::SurfaceParams;

/// The parameters fitted, in this order (the last three only when the regime is fitted).
pub const FITTED: [&str; 10] = [
    "atm_ratio",
    "put_slope",
    "put_curve",
    "call_slope",
    "call_curve",
    "m_min",
    "m_max",
    "atm_ratio_vix",
    "put_slope_vix",
    "call_slope_vix",
];

/// The values of [`FITTED`] in `p`, in that order.
pub fn fitted_values(p: &SurfaceParams) -> [f64; 10] {
    let (s, r) = (&p.smile, &p.regime);
    [
        p.atm_ratio,
        s.put_slope,
        s.put_curve,
        s.call_slope,
        s.call_curve,
        s.m_min,
        s.m_max,
        r.atm_ratio,
        r.put_slope,
        r.call_slope,
    ]
}

fn to_vec<const N: usize>(p: &SurfaceParams) -> [f64; N] {
    let all = fitted_values(p);
    std::array::from_fn(|i| all[i])
}

fn from_vec<const N: usize>(base: &SurfaceParams, x: &[f64; N]) -> SurfaceParams {
    let mut all = to_vec::<10>(base);
    all[..N].copy_from_slice(x);
    let mut p = *base;
    p.atm_ratio = all[0];
    let s = &mut p.smile;
    (s.put_slope, s.put_curve, s.call_slope, s.call_curve, s.m_min, s.m_max) =
        (all[1], all[2], all[3], all[4], all[5], all[6]);
    let r = &mut p.regime;
    (r.atm_ratio, r.put_slope, r.call_slope) = (all[7], all[8], all[9]);
    p
}

/// Mean squared weighted error of `quotes` under `params` (infinity when invalid).
pub fn loss(quotes: &[FitQuote], indices: &Indices, params: SurfaceParams, carry: Carry) -> f64 {
    match model_prices(quotes, indices, params, carry) {
        Some(prices) if !quotes.is_empty() => {
            quotes.iter().zip(prices).map(|(q, (price, _, _))| weighted_error(q, price).powi(2)).sum::<f64>()
                / quotes.len() as f64
        }
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

/// Fit the seven smile parameters to `quotes` (with `regime`, the three regime terms too: the
/// quotes should then span several VIX levels), starting from `start`.
pub fn fit(quotes: &[FitQuote], indices: &Indices, start: SurfaceParams, carry: Carry, regime: bool) -> Fit {
    if regime {
        // Ten dimensions from the start, and the shape first then all ten: a simplex in ten
        // dimensions can settle early on either path; the better of the two is kept.
        let direct = fit_n::<10>(quotes, indices, start, carry);
        let shape = fit_n::<7>(quotes, indices, start, carry);
        let staged = fit_n::<10>(quotes, indices, shape.params, carry);
        let evaluations = direct.evaluations + shape.evaluations + staged.evaluations;
        let best = if staged.loss_after < direct.loss_after { staged } else { direct };
        Fit { loss_before: direct.loss_before, evaluations, ..best }
    } else {
        fit_n::<7>(quotes, indices, start, carry)
    }
}

fn fit_n<const N: usize>(quotes: &[FitQuote], indices: &Indices, start: SurfaceParams, carry: Carry) -> Fit {
    let f = |x: &[f64; N]| loss(quotes, indices, from_vec(&start, x), carry);
    let all_steps = [0.05, 0.05, 0.02, 0.05, 0.02, 1.0, 0.5, 0.1, 0.1, 0.1];
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
    Fit {
        params: from_vec(&start, &best),
        loss_before: loss(quotes, indices, start, carry),
        loss_after: f(&best),
        evaluations,
    }
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
        recovers(false);
    }

    /// The same with a regime: quotes at VIX 12, 15 and 21 pin the slopes in ln VIX too.
    #[test]
    fn a_regime_fit_recovers_the_regime_that_priced_the_quotes() {
        recovers(true);
    }

    fn recovers(regime: bool) {
        let truth = SurfaceParams {
            atm_ratio: 0.68,
            smile: Smile {
                put_slope: 0.48,
                put_curve: -0.02,
                call_slope: 0.15,
                call_curve: 0.06,
                ..Smile::default()
            },
            regime: if regime {
                crate::pricing::Regime { atm_ratio: 0.15, put_slope: -0.1, call_slope: 0.12 }
            } else {
                crate::pricing::Regime::default()
            },
        };
        let carry = Carry { rate: 0.02, dividend_yield: 0.015 };
        let mut indices = Indices::default();
        let mut quotes = Vec::new();
        for (day, vix) in [(2, 12.0), (9, 15.0), (16, 21.0)] {
            let date = NaiveDate::from_ymd_opt(2019, 7, day).unwrap();
            indices.by_date.insert(date, VolIndices { vix9d: None, vix, vix3m: None, vix6m: None });
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
        let quotes: Vec<FitQuote> = quotes
            .into_iter()
            .zip(prices)
            .filter(|(_, (p, _, _))| *p >= 0.2)
            .map(|(q, (p, _, _))| FitQuote { bid: p - 0.001, ask: p + 0.001, ..q })
            .collect();
        assert!(quotes.len() > 150, "{} quotes", quotes.len());
        let f = fit(&quotes, &indices, SurfaceParams::default(), carry, regime);
        assert!(f.loss_before > 1e-3 && f.loss_after < 1e-8, "{} -> {}", f.loss_before, f.loss_after);
        let (got, want) = (to_vec::<10>(&f.params), to_vec::<10>(&truth));
        for i in [0, 1, 2, 3, 4].into_iter().chain(if regime { 7..10 } else { 0..0 }) {
            assert!((got[i] - want[i]).abs() < 2e-3, "{}: {} against {}", FITTED[i], got[i], want[i]);
        }
    }
}
