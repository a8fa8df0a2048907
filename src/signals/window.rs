//! Indicators over a window of past rows: rate of change, percent rank, and MACD divergence.

use super::indicators::Macd;
use std::collections::VecDeque;

/// A window holding the last `n` values.
#[derive(Debug, Clone)]
struct Window {
    n: usize,
    values: VecDeque<f64>,
}

impl Window {
    fn new(n: usize) -> Self {
        Window { n: n.max(1), values: VecDeque::with_capacity(n.max(1) + 1) }
    }

    fn push(&mut self, x: f64) {
        self.values.push_back(x);
        if self.values.len() > self.n {
            self.values.pop_front();
        }
    }

    fn full(&self) -> bool {
        self.values.len() == self.n
    }
}

/// Rate of change: `100 (x / x_{n rows ago} - 1)`, in percent; `None` until `n + 1` rows, or when
/// the old value is 0.
#[derive(Debug, Clone)]
pub struct Roc(Window);

impl Roc {
    pub fn new(n: usize) -> Self {
        Roc(Window::new(n.max(1) + 1))
    }

    pub fn update(&mut self, x: f64) -> Option<f64> {
        self.0.push(x);
        let old = *self.0.values.front()?;
        (self.0.full() && old != 0.0).then(|| 100.0 * (x / old - 1.0))
    }
}

/// Percent rank: `100 x` the share of the last `n` rows (this one included) at or below this
/// row's value; `None` until `n` rows. The latest row alone ranks 100 / n when it is the lowest.
#[derive(Debug, Clone)]
pub struct PctRank(Window);

impl PctRank {
    pub fn new(n: usize) -> Self {
        PctRank(Window::new(n))
    }

    pub fn update(&mut self, x: f64) -> Option<f64> {
        self.0.push(x);
        let at_or_below = self.0.values.iter().filter(|v| **v <= x).count();
        self.0.full().then(|| 100.0 * at_or_below as f64 / self.0.n as f64)
    }
}

/// MACD divergence. Bullish: this row's value is below every one of the previous `window` rows
/// (a lower low), while its MACD histogram is above the histogram at the lowest of those rows (a
/// higher low). Bearish mirrors it (a higher high with a lower histogram high). Rows count once
/// the histogram exists for a full window.
#[derive(Debug, Clone)]
pub struct Divergence {
    macd: Macd,
    bearish: bool,
    /// (value, histogram) of the previous `window` rows.
    past: Window2,
}

#[derive(Debug, Clone)]
struct Window2 {
    n: usize,
    rows: VecDeque<(f64, f64)>,
}

impl Divergence {
    pub fn new(macd: Macd, window: usize, bearish: bool) -> Self {
        Divergence { macd, bearish, past: Window2 { n: window.max(2), rows: VecDeque::new() } }
    }

    /// Whether this row diverges (`None` while the window fills).
    pub fn update(&mut self, x: f64) -> Option<bool> {
        let hist = self.macd.update(x).hist;
        let out = (self.past.rows.len() == self.past.n).then(|| {
            let sign = if self.bearish { -1.0 } else { 1.0 };
            // The extreme of the window in the divergence's direction (the earliest on ties).
            let (ext_x, ext_h) = self
                .past
                .rows
                .iter()
                .copied()
                .reduce(|a, b| if sign * b.0 < sign * a.0 { b } else { a })
                .expect("a full window");
            sign * x < sign * ext_x && sign * hist > sign * ext_h
        });
        self.past.rows.push_back((x, hist));
        if self.past.rows.len() > self.past.n {
            self.past.rows.pop_front();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roc_and_pct_rank_by_hand() {
        let mut r = Roc::new(2);
        let out: Vec<Option<f64>> = [100.0, 50.0, 110.0, 0.0, 10.0].iter().map(|x| r.update(*x)).collect();
        assert_eq!(out[..2], [None, None]);
        assert!((out[2].unwrap() - 10.0).abs() < 1e-12, "110 against 100 two rows back");
        assert_eq!(out[3], Some(-100.0));
        assert!((out[4].unwrap() - (10.0 / 110.0 - 1.0) * 100.0).abs() < 1e-12);
        let mut p = PctRank::new(4);
        let out: Vec<Option<f64>> = [3.0, 1.0, 2.0, 2.0, 0.5, 9.0].iter().map(|x| p.update(*x)).collect();
        assert_eq!(out, vec![None, None, None, Some(75.0), Some(25.0), Some(100.0)]);
    }

    #[test]
    fn divergence_finds_a_lower_low_on_a_higher_histogram() {
        // A sharp fall, a bounce, then a slow drift to a marginally lower low: price makes a
        // lower low while the histogram's low is higher (momentum has faded).
        let mut prices: Vec<f64> = (0..40).map(|_| 100.0).collect();
        prices.extend((1..=5).map(|i| 100.0 - 4.0 * f64::from(i))); // 96 .. 80, fast
        prices.extend((1..=10).map(|i| 80.0 + 1.5 * f64::from(i))); // up to 95
        prices.extend((1..=30).map(|i| 95.0 - 0.51 * f64::from(i))); // slowly to 79.7
        let mut d = Divergence::new(Macd::new(12, 26, 9), 40, false);
        let hits: Vec<usize> = prices
            .iter()
            .enumerate()
            .filter_map(|(i, x)| d.update(*x).unwrap_or(false).then_some(i))
            .collect();
        let lower_low = prices.iter().position(|x| *x < 80.0).unwrap();
        assert!(hits.contains(&lower_low), "the lower low at row {lower_low} diverges: {hits:?}");
        assert!(hits.iter().all(|&i| i >= lower_low), "no divergence before the new low: {hits:?}");
        // The same path mirrored is a bearish divergence, and not a bullish one.
        let mut bear = Divergence::new(Macd::new(12, 26, 9), 40, true);
        let mut bull = Divergence::new(Macd::new(12, 26, 9), 40, false);
        let mirror: Vec<f64> = prices.iter().map(|x| 200.0 - x).collect();
        assert!(mirror.iter().any(|x| bear.update(*x) == Some(true)));
        assert!(mirror.iter().all(|x| bull.update(*x) != Some(true)));
    }
}
