//! The liquidation-cascade detector: rolling long-liquidation notional over a time window (from
//! individual events or from buckets, each counted at the instant it became known), compared
//! with an absolute threshold and/or a trailing z-score, with a cool-down so one waterfall is one
//! signal. It also reports the long share of all liquidations in the window (imbalance: near 1
//! when longs are being flushed).
//!
//! The z-score is taken on `ln(1 + rolling long notional)` against the previous `lookback`
//! updates (the current one excluded): liquidation notional is heavy-tailed and its level moves
//! by an order of magnitude between regimes (Binance BTC: a median day of $6M, 2021 days of
//! $200M+), so an absolute threshold alone either floods in 2021 or sleeps through 2022-2025.

use crate::time::Timestamp;
use std::collections::VecDeque;

/// A detected cascade.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cascade {
    /// When the rolling sum crossed the threshold.
    pub at: Timestamp,
    /// Long / short liquidation notional in the window at that instant.
    pub long_usd: f64,
    pub short_usd: f64,
    /// `long / (long + short)`.
    pub long_share: f64,
}

/// Streaming detector (see the module doc).
#[derive(Debug, Clone)]
pub struct CascadeDetector {
    window_s: i64,
    threshold_usd: f64,
    cooldown_s: i64,
    events: VecDeque<(Timestamp, f64, f64)>,
    long_sum: f64,
    short_sum: f64,
    last: Option<Timestamp>,
    zscore: Option<(f64, usize)>,
    history: VecDeque<f64>,
}

impl CascadeDetector {
    /// Window and cool-down in seconds; threshold in USD of long liquidations within the window
    /// (`f64::INFINITY` to rely on the z-score alone).
    pub fn new(window_s: i64, threshold_usd: f64, cooldown_s: i64) -> Self {
        CascadeDetector {
            window_s: window_s.max(1),
            threshold_usd,
            cooldown_s: cooldown_s.max(0),
            events: VecDeque::new(),
            long_sum: 0.0,
            short_sum: 0.0,
            last: None,
            zscore: None,
            history: VecDeque::new(),
        }
    }

    /// Also fire when `ln(1 + rolling long notional)` is `z` sample standard deviations above the
    /// mean of the previous `lookback` updates (needs a full lookback first).
    pub fn with_zscore(mut self, z: f64, lookback: usize) -> Self {
        self.zscore = Some((z, lookback.max(2)));
        self
    }

    /// The z-score of the current rolling sum against the history, then record it.
    fn zscore_of_current(&mut self) -> Option<f64> {
        let (_, lookback) = self.zscore?;
        let x = self.long_sum.max(0.0).ln_1p();
        let z = (self.history.len() == lookback).then(|| {
            let n = lookback as f64;
            let mean = self.history.iter().sum::<f64>() / n;
            let sd = (self.history.iter().map(|h| (h - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            if sd > 0.0 {
                (x - mean) / sd
            } else {
                0.0
            }
        });
        self.history.push_back(x);
        if self.history.len() > lookback {
            self.history.pop_front();
        }
        z
    }

    /// Add liquidations known at `at` (times must not go backwards). Returns a cascade when the
    /// rolling long notional over `(at - window, at]` reaches the threshold outside the cool-down.
    pub fn update(&mut self, at: Timestamp, long_usd: f64, short_usd: f64) -> Option<Cascade> {
        self.events.push_back((at, long_usd, short_usd));
        self.long_sum += long_usd;
        self.short_sum += short_usd;
        let start = at.plus_seconds(-self.window_s);
        while self.events.front().is_some_and(|(t, _, _)| *t <= start) {
            if let Some((_, l, s)) = self.events.pop_front() {
                self.long_sum -= l;
                self.short_sum -= s;
            }
        }
        if self.events.is_empty() {
            (self.long_sum, self.short_sum) = (0.0, 0.0);
        }
        let z = self.zscore_of_current();
        let z_hit = matches!((z, self.zscore), (Some(z), Some((limit, _))) if z >= limit);
        let cooled = self.last.is_none_or(|l| at.nanos() - l.nanos() >= self.cooldown_s * 1_000_000_000);
        if (self.long_sum >= self.threshold_usd || z_hit) && cooled {
            self.last = Some(at);
            return Some(Cascade {
                at,
                long_usd: self.long_sum,
                short_usd: self.short_sum,
                long_share: self.long_share().unwrap_or(1.0),
            });
        }
        None
    }

    /// Long share of the liquidations in the current window (`None` when there are none).
    pub fn long_share(&self) -> Option<f64> {
        let total = self.long_sum + self.short_sum;
        (total > 0.0).then(|| self.long_sum / total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_threshold_and_cooldown_by_hand() {
        let t0 = Timestamp::parse_iso("2024-08-05T00:00:00Z").unwrap();
        let h = |n: i64| t0.plus_seconds(n * 3600);
        let mut d = CascadeDetector::new(4 * 3600, 100.0, 24 * 3600);
        assert_eq!(d.update(h(0), 60.0, 0.0), None);
        let c = d.update(h(1), 50.0, 10.0).expect("60 + 50 = 110 >= 100");
        assert_eq!((c.at, c.long_usd, c.short_usd), (h(1), 110.0, 10.0));
        assert!((c.long_share - 110.0 / 120.0).abs() < 1e-15);
        assert_eq!(d.update(h(2), 200.0, 0.0), None, "cool-down");
        // At 5h the window is (1h, 5h]: the event at exactly 1h has left it.
        assert_eq!(d.update(h(5), 10.0, 0.0), None);
        assert_eq!(d.long_share(), Some(1.0));
        let c = d.update(h(26), 120.0, 0.0).expect("cool-down over, 120 >= 100 in the window");
        assert_eq!(c.long_usd, 120.0, "older events left the window");
        assert_eq!(CascadeDetector::new(3600, 1.0, 0).long_share(), None);
    }

    #[test]
    fn zscore_mode_by_hand() {
        // Daily buckets, window one day, z against the previous 3 days of ln(1 + x).
        let t0 = Timestamp::parse_iso("2022-06-10T00:00:00Z").unwrap();
        let day = |n: i64| t0.plus_seconds(n * 86_400);
        let mut d = CascadeDetector::new(86_400, f64::INFINITY, 0).with_zscore(2.0, 3);
        for (i, x) in [1e6, 2e6, 4e6].iter().enumerate() {
            assert_eq!(d.update(day(i as i64), *x, 0.0), None, "no full lookback yet / not extreme");
        }
        let h = [1e6f64, 2e6, 4e6].map(|x| x.ln_1p());
        let mean = h.iter().sum::<f64>() / 3.0;
        let sd = (h.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 2.0).sqrt();
        let big = 40e6f64;
        assert!((big.ln_1p() - mean) / sd >= 2.0);
        assert!(d.update(day(3), big, 0.0).is_some(), "a 10x day is a cascade");
        assert_eq!(d.update(day(4), 3e6, 0.0), None);
    }
}
