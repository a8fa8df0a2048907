//! The series rules read and the indicator streams over them. Each series is a list of rows
//! `(known_at, value)` built from the loaded market ([`rows`]); a [`StreamState`] feeds its
//! function the rows known by a decision instant, in order, so no indicator reads a row before it
//! is known.
//!
//! | series | rows |
//! |---|---|
//! | `spx`, `vix`, `vix9d`, `vix3m`, `vix6m`, `vvix`, `skew`, `series.NAME` | each bar's close, known at its `known_at` (a daily row at the 16:00 New York close, or the UTC day's end) |
//! | `vx1` .. `vx7` | the k-th listed future of each `data.vx_term` row (raw: it jumps when a contract expires) |
//! | `vx30` | the future 30 calendar days out, interpolated in time on that row's curve from spot VIX through the listed expiries |
//! | `funding` | each funding settlement |
//! | `long_liq_usd`, `short_liq_usd` | each liquidation event of that side, or each bucket, as loaded |
//! | `a/b` | a row at each instant `a` or `b` gets one, once both are known and `b > 0` |

use super::market::Market;
use crate::config::{Base, Function, Stream};
use crate::data::Side;
use crate::pricing::{FuturesModel, VixFutures};
use crate::replay::Source;
use crate::signals::{Divergence, Ema, Macd, PctRank, RealizedVol, Roc, Rsi, Sma, ZScore};
use crate::time::{Calendar, Timestamp};
use chrono::Days;

/// A series' rows in time order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    pub known_at: Vec<Timestamp>,
    pub value: Vec<f64>,
}

impl Rows {
    fn push(&mut self, at: Timestamp, v: f64) {
        self.known_at.push(at);
        self.value.push(v);
    }
}

fn bars(b: &crate::data::BarSeries) -> Rows {
    Rows { known_at: b.known_at.clone(), value: b.close.clone() }
}

fn opt_bars(b: Option<&std::sync::Arc<crate::data::BarSeries>>) -> Rows {
    b.map_or_else(Rows::default, |b| bars(b))
}

/// The futures of each term-structure row: `f(date, spot VIX, row)`.
fn vx_rows(m: &Market, f: impl Fn(chrono::NaiveDate, Option<f64>, &[Option<f64>]) -> Option<f64>) -> Rows {
    let mut out = Rows::default();
    let Some(t) = m.vx_term.as_deref() else { return out };
    for (i, row) in t.curve.iter().enumerate() {
        let spot = m.vix.index_of(t.date[i]).map(|j| m.vix.close[j]);
        if let Some(v) = f(t.date[i], spot, row) {
            out.push(t.known_at[i], v);
        }
    }
    out
}

fn liquidations(m: &Market, long: bool) -> Rows {
    let mut out = Rows::default();
    match &m.liquidations {
        Some(Source::Liquidations(e)) => {
            for i in 0..e.len() {
                if (e.side[i] == Side::Long) == long {
                    out.push(e.ts[i], e.notional_usd[i]);
                }
            }
        }
        Some(Source::Buckets(b)) => {
            let v = if long { &b.long_liq_usd } else { &b.short_liq_usd };
            out = Rows { known_at: b.known_at.clone(), value: v.clone() };
        }
        _ => {}
    }
    out
}

fn base_rows(b: &Base, m: &Market) -> Rows {
    match b {
        Base::Spx => bars(&m.spx),
        Base::Vix => bars(&m.vix),
        Base::Vix9d => opt_bars(m.vix9d.as_ref()),
        Base::Vix3m => opt_bars(m.vix3m.as_ref()),
        Base::Vix6m => opt_bars(m.vix6m.as_ref()),
        Base::Vvix => opt_bars(m.vvix.as_ref()),
        Base::Skew => opt_bars(m.skew.as_ref()),
        Base::Named(n) => opt_bars(m.series.iter().find(|(name, _)| name == n).map(|(_, b)| b)),
        Base::Vx(k) => vx_rows(m, |_, _, row| row.get(usize::from(*k) - 1).copied().flatten()),
        Base::Vx30 => {
            let cal = Calendar::nyse();
            vx_rows(m, |date, spot, row| {
                let curve =
                    VixFutures::from_term_row(&cal, date, spot?, row, FuturesModel::default()).ok()?;
                Some(curve.price(date + Days::new(30)))
            })
        }
        Base::Funding => m
            .funding
            .as_deref()
            .map_or_else(Rows::default, |f| Rows { known_at: f.ts.clone(), value: f.rate.clone() }),
        Base::LongLiq => liquidations(m, true),
        Base::ShortLiq => liquidations(m, false),
    }
}

/// `a / b` at each instant either side changes (the latest of each), once both are known and
/// `b > 0`.
fn ratio(a: &Rows, b: &Rows) -> Rows {
    let (mut i, mut j) = (0, 0);
    let (mut va, mut vb) = (None, None);
    let mut out = Rows::default();
    while i < a.value.len() || j < b.value.len() {
        let t = match (a.known_at.get(i), b.known_at.get(j)) {
            (Some(x), Some(y)) => *x.min(y),
            (Some(x), None) => *x,
            (None, Some(y)) => *y,
            (None, None) => break,
        };
        while i < a.value.len() && a.known_at[i] == t {
            va = Some(a.value[i]);
            i += 1;
        }
        while j < b.value.len() && b.known_at[j] == t {
            vb = Some(b.value[j]);
            j += 1;
        }
        if let (Some(x), Some(y)) = (va, vb) {
            if y > 0.0 {
                out.push(t, x / y);
            }
        }
    }
    out
}

/// The rows of series `s` on `m` (shared by a market's runs: [`super::shared::Shared::rows`]).
pub fn series_rows(s: &crate::config::signal_expr::Series, m: &Market) -> Rows {
    let num = base_rows(&s.num, m);
    match &s.den {
        None => num,
        Some(d) => ratio(&num, &base_rows(d, m)),
    }
}

/// A function's running state.
#[derive(Debug, Clone)]
enum Indicator {
    Level,
    Sma(Sma),
    Ema(Ema),
    /// MACD, and which output: 0 the line, 1 the signal, 2 the histogram.
    Macd(Macd, u8),
    Rsi(Rsi),
    ZScore(ZScore),
    RealizedVol(RealizedVol),
    Roc(Roc),
    PctRank(PctRank),
    Divergence(Divergence),
}

impl Indicator {
    fn new(f: &Function) -> Self {
        let n = |k: &u32| *k as usize;
        let macd = |l: &crate::config::signal_expr::MacdLengths| {
            Macd::new(l.fast as usize, l.slow as usize, l.smooth as usize)
        };
        match f {
            Function::Level => Indicator::Level,
            Function::Sma(k) => Indicator::Sma(Sma::new(n(k))),
            Function::Ema(k) => Indicator::Ema(Ema::new(n(k))),
            Function::Macd(l) => Indicator::Macd(macd(l), 0),
            Function::MacdSignal(l) => Indicator::Macd(macd(l), 1),
            Function::MacdHist(l) => Indicator::Macd(macd(l), 2),
            Function::Rsi(k) => Indicator::Rsi(Rsi::new(n(k))),
            Function::ZScore(k) => Indicator::ZScore(ZScore::new(n(k))),
            Function::RealizedVol(k) => Indicator::RealizedVol(RealizedVol::new(n(k))),
            Function::Roc(k) => Indicator::Roc(Roc::new(n(k))),
            Function::PctRank(k) => Indicator::PctRank(PctRank::new(n(k))),
            Function::Divergence { macd: l, window, bearish } => {
                Indicator::Divergence(Divergence::new(macd(l), *window as usize, *bearish))
            }
        }
    }

    /// The value after row `x` (a divergence: 1 on a divergence row, else 0).
    fn update(&mut self, x: f64) -> Option<f64> {
        match self {
            Indicator::Level => Some(x),
            Indicator::Sma(s) => s.update(x),
            Indicator::Ema(e) => Some(e.update(x)),
            Indicator::Macd(m, which) => {
                let v = m.update(x);
                Some([v.macd, v.signal, v.hist][usize::from(*which)])
            }
            Indicator::Rsi(r) => r.update(x),
            Indicator::ZScore(z) => z.update(x),
            Indicator::RealizedVol(r) => r.update(x),
            Indicator::Roc(r) => r.update(x),
            Indicator::PctRank(p) => p.update(x),
            Indicator::Divergence(d) => d.update(x).map(|hit| f64::from(u8::from(hit))),
        }
    }
}

/// One stream during a run.
#[derive(Debug, Clone)]
pub struct StreamState {
    rows: std::sync::Arc<Rows>,
    next: usize,
    indicator: Indicator,
    /// The value after the last row known (`None` while warming up or before any row).
    pub latest: Option<f64>,
    /// Rows whose value was 1 so far (the divergence rows of a divergence stream).
    pub hits: u64,
}

impl StreamState {
    pub fn new(s: &Stream, rows: std::sync::Arc<Rows>) -> Self {
        StreamState { rows, next: 0, indicator: Indicator::new(&s.function), latest: None, hits: 0 }
    }

    /// Whether this is a divergence stream (its value is 1 on a divergence row, else 0).
    pub fn is_divergence(&self) -> bool {
        matches!(self.indicator, Indicator::Divergence(_))
    }

    /// Feed every row known at or before `now`.
    pub fn advance(&mut self, now: Timestamp) {
        while self.next < self.rows.value.len() && self.rows.known_at[self.next] <= now {
            self.latest = self.indicator.update(self.rows.value[self.next]);
            if self.is_divergence() && self.latest == Some(1.0) {
                self.hits += 1;
            }
            self.next += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> Timestamp {
        Timestamp::from_nanos(s * 1_000_000_000)
    }

    #[test]
    fn a_ratio_has_a_row_when_either_side_changes_once_both_are_known() {
        let a = Rows { known_at: vec![at(1), at(2), at(4)], value: vec![10.0, 12.0, 14.0] };
        let b = Rows { known_at: vec![at(2), at(3), at(4)], value: vec![4.0, 0.0, 7.0] };
        let r = ratio(&a, &b);
        assert_eq!(r.known_at, vec![at(2), at(4)], "none before b is known; none while b is 0");
        assert_eq!(r.value, vec![3.0, 2.0]);
    }

    #[test]
    fn a_stream_reads_only_rows_known_by_now() {
        let rows =
            std::sync::Arc::new(Rows { known_at: vec![at(1), at(2), at(3)], value: vec![1.0, 2.0, 3.0] });
        let sma = Stream {
            function: Function::Sma(2),
            of: crate::config::signal_expr::Series { num: Base::Vix, den: None },
        };
        let mut s = StreamState::new(&sma, rows);
        s.advance(at(1));
        assert_eq!(s.latest, None, "one row: no 2-row mean yet");
        s.advance(at(2));
        assert_eq!(s.latest, Some(1.5));
        s.advance(at(2));
        assert_eq!(s.latest, Some(1.5), "no row is fed twice");
        s.advance(at(10));
        assert_eq!(s.latest, Some(2.5));
    }
}
