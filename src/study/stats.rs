//! Event-study statistics: forward measures over horizons of 1..N sessions, the event mean with a
//! bootstrap confidence interval, the unconditional baseline, a p-value against matched random
//! dates, hit rates, Holm's adjustment for multiple comparisons and a split-sample check.
//!
//! Definitions (session `s` is the event's session: the first SPX session whose 16:00 New York
//! close is at or after the event; `h` sessions later is `s + h`):
//!
//! | measure | value at horizon `h` |
//! |---|---|
//! | `spx_return` | `SPX_{s+h} / SPX_s - 1` |
//! | `spx_realized_vol` | `sqrt(252 / h x sum_{k=1..h} ln(SPX_{s+k} / SPX_{s+k-1})^2)` (zero-mean, annualised) |
//! | `vix_change` | `VIX_{s+h} - VIX_s` (index points) |
//! | `vx30_change` | change of the 30-day constant-maturity VIX future interpolated on the listed curve (points; only with `data.vx_term`) |
//!
//! The baseline is every session of the sample with the measure defined (the unconditional
//! mean). The p-value compares the event mean with the means of `B` sets of as many sessions
//! drawn at random (with replacement) from the baseline: two-sided, `(1 + #{|m_b - base| >=
//! |m_event - base|}) / (B + 1)`. The confidence interval is the 2.5% and 97.5% percentiles of
//! `B` bootstrap means of the events resampled with replacement. `B = 2000`; the generator is
//! seeded from the measure and the horizon, so the same inputs give the same numbers.

use crate::rng::SplitMix64;

/// Draws for the bootstrap and for the random-date p-value.
pub const DRAWS: usize = 2000;

/// What is measured after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    SpxReturn,
    SpxRealizedVol,
    VixChange,
    Vx30Change,
}

impl Measure {
    pub const ALL: [Measure; 4] =
        [Measure::SpxReturn, Measure::SpxRealizedVol, Measure::VixChange, Measure::Vx30Change];

    pub fn name(self) -> &'static str {
        match self {
            Measure::SpxReturn => "spx_return",
            Measure::SpxRealizedVol => "spx_realized_vol",
            Measure::VixChange => "vix_change",
            Measure::Vx30Change => "vx30_change",
        }
    }

    /// The measure `h >= 1` sessions after session `s` (`None` past the end or without data).
    pub fn at(self, x: &Series<'_>, s: usize, h: usize) -> Option<f64> {
        let e = s.checked_add(h).filter(|e| *e < x.spx.len() && h >= 1)?;
        let v = match self {
            Measure::SpxReturn => x.spx[e] / x.spx[s] - 1.0,
            Measure::SpxRealizedVol => {
                let ss: f64 = (s + 1..=e).map(|k| (x.spx[k] / x.spx[k - 1]).ln().powi(2)).sum();
                (252.0 / h as f64 * ss).sqrt()
            }
            Measure::VixChange => x.vix[e] - x.vix[s],
            Measure::Vx30Change => x.vx30[e]? - x.vx30[s]?,
        };
        v.is_finite().then_some(v)
    }
}

/// The daily series a study reads, one value per SPX session.
#[derive(Debug, Clone, Copy)]
pub struct Series<'a> {
    pub spx: &'a [f64],
    pub vix: &'a [f64],
    pub vx30: &'a [Option<f64>],
}

/// One measure at one horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub measure: Measure,
    pub horizon: usize,
    /// Events with the measure defined.
    pub n: usize,
    pub mean: f64,
    /// 95% bootstrap interval of the event mean.
    pub ci: (f64, f64),
    pub base_n: usize,
    pub base_mean: f64,
    /// Two-sided p-value against matched random dates.
    pub p: f64,
    /// `p` after Holm's adjustment over every cell of the study (set by [`holm`]).
    pub p_adj: f64,
    /// Share of events / of baseline sessions with a positive value.
    pub hit: f64,
    pub base_hit: f64,
    /// (events, mean) in the first and the second half of the sample.
    pub halves: [(usize, Option<f64>); 2],
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[i]
}

/// Means of `DRAWS` samples of `k` values drawn with replacement from `pool`.
fn resampled_means(pool: &[f64], k: usize, seed: u64) -> Vec<f64> {
    let mut rng = SplitMix64::new(seed);
    (0..DRAWS)
        .map(|_| (0..k).map(|_| pool[(rng.next_u64() % pool.len() as u64) as usize]).sum::<f64>() / k as f64)
        .collect()
}

/// The statistics of `measure` at horizon `h` for events at sessions `events` (sorted), against
/// the baseline sessions `baseline`; `split` is the first session of the sample's second half.
/// `None` when no event has the measure defined.
pub fn cell(
    x: &Series<'_>,
    measure: Measure,
    h: usize,
    events: &[usize],
    baseline: &[usize],
    split: usize,
) -> Option<Cell> {
    let ev: Vec<(usize, f64)> = events.iter().filter_map(|&s| measure.at(x, s, h).map(|v| (s, v))).collect();
    let base: Vec<f64> = baseline.iter().filter_map(|&s| measure.at(x, s, h)).collect();
    if ev.is_empty() || base.is_empty() {
        return None;
    }
    let values: Vec<f64> = ev.iter().map(|e| e.1).collect();
    let (m, base_mean) = (mean(&values), mean(&base));
    let seed = 0x5EED_0000 ^ ((measure as u64) << 16) ^ h as u64;
    let mut boot = resampled_means(&values, values.len(), seed);
    boot.sort_by(f64::total_cmp);
    let random = resampled_means(&base, values.len(), seed ^ 0xBA5E);
    let extreme = random.iter().filter(|r| (*r - base_mean).abs() >= (m - base_mean).abs()).count();
    let half = |first: bool| {
        let v: Vec<f64> = ev.iter().filter(|e| (e.0 < split) == first).map(|e| e.1).collect();
        (v.len(), (!v.is_empty()).then(|| mean(&v)))
    };
    let positive = |v: &[f64]| v.iter().filter(|x| **x > 0.0).count() as f64 / v.len() as f64;
    let p = (1 + extreme) as f64 / (DRAWS + 1) as f64;
    Some(Cell {
        measure,
        horizon: h,
        n: values.len(),
        mean: m,
        ci: (percentile(&boot, 0.025), percentile(&boot, 0.975)),
        base_n: base.len(),
        base_mean,
        p,
        p_adj: p,
        hit: positive(&values),
        base_hit: positive(&base),
        halves: [half(true), half(false)],
    })
}

/// Holm's step-down adjustment: the i-th smallest of `m` p-values becomes
/// `max_{j <= i} min(1, (m - j + 1) p_(j))`. Controls the family-wise error rate.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|a, b| p[*a].total_cmp(&p[*b]).then(a.cmp(b)));
    let mut out = vec![0.0; m];
    let mut running = 0.0f64;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * p[i]).min(1.0));
        out[i] = running;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holm_matches_a_hand_computed_case() {
        // p = 0.01, 0.04, 0.03, 0.005 (m = 4): sorted 0.005, 0.01, 0.03, 0.04 -> 0.02, 0.03, 0.06, 0.06.
        let adj = holm(&[0.01, 0.04, 0.03, 0.005]);
        let want = [0.03, 0.06, 0.06, 0.02];
        for (a, w) in adj.iter().zip(want) {
            assert!((a - w).abs() < 1e-12, "{adj:?}");
        }
        assert_eq!(holm(&[0.9, 0.8]), vec![1.0, 1.0]);
    }

    #[test]
    fn measures_by_hand() {
        let spx = [100.0, 110.0, 99.0, 108.9];
        let vix = [20.0, 25.0, 30.0, 18.0];
        let vx30 = [Some(21.0), None, Some(26.0), Some(19.5)];
        let x = Series { spx: &spx, vix: &vix, vx30: &vx30 };
        assert!((Measure::SpxReturn.at(&x, 0, 3).unwrap() - 0.089).abs() < 1e-12);
        let rv = (252.0 / 2.0 * ((1.1f64).ln().powi(2) + (0.9f64).ln().powi(2))).sqrt();
        assert!((Measure::SpxRealizedVol.at(&x, 0, 2).unwrap() - rv).abs() < 1e-12);
        assert_eq!(Measure::VixChange.at(&x, 1, 2), Some(-7.0));
        assert_eq!(Measure::Vx30Change.at(&x, 0, 1), None, "no VX value on the second trading day");
        assert_eq!(Measure::Vx30Change.at(&x, 0, 2), Some(5.0));
        assert_eq!(Measure::SpxReturn.at(&x, 2, 2), None, "past the end");
        assert_eq!(Measure::SpxReturn.at(&x, 2, 0), None, "horizons start at 1");
    }

    #[test]
    fn a_planted_effect_is_found_and_noise_is_not() {
        // 400 sessions of a +-1% zigzag; after the 20 event sessions SPX drops 5% the next day.
        let mut spx = vec![100.0];
        let events: Vec<usize> = (1..=20).map(|i| i * 19).collect();
        for s in 1..400 {
            let r = if events.contains(&(s - 1)) {
                -0.05
            } else if s % 2 == 0 {
                0.01
            } else {
                -0.0099
            };
            spx.push(spx[s - 1] * (1.0 + r));
        }
        let vix = vec![20.0; 400];
        let vx30 = vec![None; 400];
        let x = Series { spx: &spx, vix: &vix, vx30: &vx30 };
        let all: Vec<usize> = (0..400).collect();
        let c = cell(&x, Measure::SpxReturn, 1, &events, &all, 200).unwrap();
        assert_eq!(c.n, 20);
        assert!((c.mean + 0.05).abs() < 1e-12 && c.ci.1 < 0.0 && c.p < 0.001, "{c:?}");
        assert_eq!(c.hit, 0.0);
        assert_eq!((c.halves[0].0, c.halves[1].0), (10, 10));
        // Odd sessions as "events": their next day is a +1% zigzag day like half the baseline.
        let noise: Vec<usize> = (0..20).map(|i| 2 * i + 101).collect();
        let c = cell(&x, Measure::VixChange, 3, &noise, &all, 200).unwrap();
        assert_eq!((c.mean, c.base_mean), (0.0, 0.0));
        assert_eq!(c.p, 1.0, "every random mean is as extreme as 0");
        // Same inputs, same numbers.
        assert_eq!(
            cell(&x, Measure::SpxReturn, 2, &events, &all, 200),
            cell(&x, Measure::SpxReturn, 2, &events, &all, 200)
        );
    }
}
