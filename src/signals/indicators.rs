//! Price indicators, one observation at a time (see the table in [`super`]).

use std::collections::VecDeque;

/// Simple moving average of the last `n` values.
#[derive(Debug, Clone)]
pub struct Sma {
    n: usize,
    window: VecDeque<f64>,
}

impl Sma {
    /// `n >= 1` (0 is treated as 1).
    pub fn new(n: usize) -> Self {
        Sma { n: n.max(1), window: VecDeque::with_capacity(n.max(1)) }
    }

    /// The mean once `n` values have been seen. The window is re-summed each time (windows are
    /// short), so no running-sum drift accumulates over long series.
    pub fn update(&mut self, x: f64) -> Option<f64> {
        self.window.push_back(x);
        if self.window.len() > self.n {
            self.window.pop_front();
        }
        (self.window.len() == self.n).then(|| self.window.iter().sum::<f64>() / self.n as f64)
    }
}

/// Exponential moving average, `alpha = 2 / (n + 1)`, seeded with the first value.
#[derive(Debug, Clone)]
pub struct Ema {
    alpha: f64,
    value: Option<f64>,
}

impl Ema {
    pub fn new(n: usize) -> Self {
        Ema { alpha: 2.0 / (n.max(1) as f64 + 1.0), value: None }
    }

    pub fn update(&mut self, x: f64) -> f64 {
        let v = match self.value {
            None => x,
            Some(e) => e + self.alpha * (x - e),
        };
        self.value = Some(v);
        v
    }

    pub fn value(&self) -> Option<f64> {
        self.value
    }
}

/// One MACD reading.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MacdValue {
    pub macd: f64,
    pub signal: f64,
    pub hist: f64,
}

/// MACD (fast, slow, signal), classically 12/26/9.
#[derive(Debug, Clone)]
pub struct Macd {
    fast: Ema,
    slow: Ema,
    signal: Ema,
}

impl Macd {
    pub fn new(fast: usize, slow: usize, signal: usize) -> Self {
        Macd { fast: Ema::new(fast), slow: Ema::new(slow), signal: Ema::new(signal) }
    }

    pub fn update(&mut self, x: f64) -> MacdValue {
        let macd = self.fast.update(x) - self.slow.update(x);
        let signal = self.signal.update(macd);
        MacdValue { macd, signal, hist: macd - signal }
    }
}

/// Wilder's RSI.
#[derive(Debug, Clone)]
pub struct Rsi {
    n: usize,
    prev: Option<f64>,
    seed: Vec<f64>,
    avg: Option<(f64, f64)>,
}

impl Rsi {
    pub fn new(n: usize) -> Self {
        Rsi { n: n.max(1), prev: None, seed: Vec::new(), avg: None }
    }

    /// The RSI after `x`, once `n` changes have been seen.
    pub fn update(&mut self, x: f64) -> Option<f64> {
        let prev = self.prev.replace(x)?;
        let change = x - prev;
        let (gain, loss) = (change.max(0.0), (-change).max(0.0));
        let n = self.n as f64;
        let (g, l) = match self.avg {
            Some((g, l)) => ((g * (n - 1.0) + gain) / n, (l * (n - 1.0) + loss) / n),
            None => {
                self.seed.push(change);
                if self.seed.len() < self.n {
                    return None;
                }
                let g = self.seed.iter().map(|c| c.max(0.0)).sum::<f64>() / n;
                let l = self.seed.iter().map(|c| (-c).max(0.0)).sum::<f64>() / n;
                (g, l)
            }
        };
        self.avg = Some((g, l));
        Some(if l == 0.0 {
            if g == 0.0 {
                50.0
            } else {
                100.0
            }
        } else {
            100.0 - 100.0 / (1.0 + g / l)
        })
    }
}

fn sample_sd(v: &VecDeque<f64>) -> f64 {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
}

/// Annualised realised volatility of the last `n` log returns.
#[derive(Debug, Clone)]
pub struct RealizedVol {
    n: usize,
    prev: Option<f64>,
    returns: VecDeque<f64>,
}

impl RealizedVol {
    /// `n >= 2` (smaller is treated as 2).
    pub fn new(n: usize) -> Self {
        RealizedVol { n: n.max(2), prev: None, returns: VecDeque::new() }
    }

    pub fn update(&mut self, price: f64) -> Option<f64> {
        if let Some(p) = self.prev.replace(price) {
            self.returns.push_back((price / p).ln());
            if self.returns.len() > self.n {
                self.returns.pop_front();
            }
        }
        (self.returns.len() == self.n).then(|| sample_sd(&self.returns) * 252f64.sqrt())
    }
}

/// Z-score of the latest value within the last `n` values (including it).
#[derive(Debug, Clone)]
pub struct ZScore {
    n: usize,
    window: VecDeque<f64>,
}

impl ZScore {
    pub fn new(n: usize) -> Self {
        ZScore { n: n.max(2), window: VecDeque::new() }
    }

    pub fn update(&mut self, x: f64) -> Option<f64> {
        self.window.push_back(x);
        if self.window.len() > self.n {
            self.window.pop_front();
        }
        if self.window.len() < self.n {
            return None;
        }
        let sd = sample_sd(&self.window);
        let mean = self.window.iter().sum::<f64>() / self.n as f64;
        (sd > 0.0).then(|| (x - mean) / sd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed() {
        let mut s = Sma::new(3);
        let out: Vec<Option<f64>> = [1.0, 2.0, 3.0, 4.0].iter().map(|x| s.update(*x)).collect();
        assert_eq!(out, vec![None, None, Some(2.0), Some(3.0)]);
        // EMA(3): alpha 0.5: 10, 15, 12.5.
        let mut e = Ema::new(3);
        assert_eq!([10.0, 20.0, 10.0].map(|x| e.update(x)), [10.0, 15.0, 12.5]);
        // RSI(2) on 1, 2, 1, 3: changes +1, -1 -> g = 0.5, l = 0.5 -> 50; then +2: g = 1.25, l = 0.25.
        let mut r = Rsi::new(2);
        let out: Vec<Option<f64>> = [1.0, 2.0, 1.0, 3.0].iter().map(|x| r.update(*x)).collect();
        assert_eq!(out[..3], [None, None, Some(50.0)]);
        assert!((out[3].unwrap() - (100.0 - 100.0 / (1.0 + 1.25 / 0.25))).abs() < 1e-12);
        let mut up = Rsi::new(2);
        assert_eq!([1.0, 2.0, 3.0].map(|x| up.update(x))[2], Some(100.0));
        // Z-score of 3 in [1, 2, 3]: mean 2, sd 1 -> 1.
        let mut z = ZScore::new(3);
        assert_eq!([1.0, 2.0, 3.0].map(|x| z.update(x))[2], Some(1.0));
        assert_eq!(ZScore::new(2).update(5.0), None);
        let mut flat = ZScore::new(2);
        flat.update(5.0);
        assert_eq!(flat.update(5.0), None, "no volatility: no z-score, not infinity");
    }
}
