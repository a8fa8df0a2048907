//! The strategy's named signals, updated from the replay's events (so a decision at a close sees
//! only what was known then) and the rules evaluated on them.

use crate::config::{Action, Rule, SignalSpec};
use crate::data::Side;
use crate::signals::{CascadeDetector, Macd, RealizedVol, Rsi};
use crate::time::Timestamp;

/// Named signal values; `None` while warming up or when the data behind them is absent.
#[derive(Debug, Clone)]
pub struct SignalState {
    rsi: Rsi,
    macd: Macd,
    rv: RealizedVol,
    cascade: Option<CascadeDetector>,
    active_s: i64,
    spx_rsi: Option<f64>,
    spx_macd_hist: Option<f64>,
    spx_realized_vol: Option<f64>,
    last_cascade: Option<Timestamp>,
    /// Cascades seen, in order (for the run's results).
    pub cascades: Vec<Timestamp>,
}

/// What the rules decided for one day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verdict {
    pub skip_entry: bool,
    pub size_factor: f64,
    pub close_all: bool,
}

impl SignalState {
    pub fn new(spec: &SignalSpec) -> Self {
        let cascade = spec.liquidations.as_ref().map(|_| {
            let d = CascadeDetector::new(
                spec.cascade_window_s,
                spec.cascade_threshold_usd,
                spec.cascade_cooldown_s,
            );
            match spec.cascade_zscore {
                Some((z, lookback)) => d.with_zscore(z, lookback),
                None => d,
            }
        });
        SignalState {
            rsi: Rsi::new(spec.rsi_days),
            macd: Macd::new(12, 26, 9),
            rv: RealizedVol::new(spec.realized_vol_days),
            cascade,
            active_s: spec.cascade_active_s,
            spx_rsi: None,
            spx_macd_hist: None,
            spx_realized_vol: None,
            last_cascade: None,
            cascades: Vec::new(),
        }
    }

    /// A new SPX close.
    pub fn on_spx_close(&mut self, close: f64) {
        self.spx_rsi = self.rsi.update(close);
        self.spx_macd_hist = Some(self.macd.update(close).hist);
        self.spx_realized_vol = self.rv.update(close);
    }

    /// Liquidations that became known at `at`.
    pub fn on_liquidations(&mut self, at: Timestamp, long_usd: f64, short_usd: f64) {
        if let Some(d) = &mut self.cascade {
            if d.update(at, long_usd, short_usd).is_some() {
                self.last_cascade = Some(at);
                self.cascades.push(at);
            }
        }
    }

    /// One individual liquidation.
    pub fn on_liquidation(&mut self, at: Timestamp, side: Side, notional_usd: f64) {
        match side {
            Side::Long => self.on_liquidations(at, notional_usd, 0.0),
            Side::Short => self.on_liquidations(at, 0.0, notional_usd),
        }
    }

    /// The value of a named signal at decision time `now`.
    pub fn value(&self, name: &str, now: Timestamp, vix: f64, vix3m: Option<f64>) -> Option<f64> {
        match name {
            "vix" => Some(vix),
            "vix_term_ratio" => vix3m.filter(|v| *v > 0.0).map(|v| vix / v),
            "spx_rsi" => self.spx_rsi,
            "spx_macd_hist" => self.spx_macd_hist,
            "spx_realized_vol" => self.spx_realized_vol,
            "cascade_active" => self.cascade.as_ref().map(|_| {
                let active = self
                    .last_cascade
                    .is_some_and(|t| now.nanos() - t.nanos() <= self.active_s * 1_000_000_000);
                f64::from(u8::from(active))
            }),
            "long_liq_share" => self.cascade.as_ref().and_then(|d| d.long_share()),
            _ => None,
        }
    }

    /// Evaluate `rules` at `now`.
    pub fn verdict(&self, rules: &[Rule], now: Timestamp, vix: f64, vix3m: Option<f64>) -> Verdict {
        let mut v = Verdict { skip_entry: false, size_factor: 1.0, close_all: false };
        let holds = |c: &crate::config::Condition| {
            self.value(c.signal, now, vix, vix3m).is_some_and(|x| c.op.holds(x, c.value))
        };
        for r in rules {
            if r.all.iter().all(holds) && (r.any.is_empty() || r.any.iter().any(holds)) {
                match r.action {
                    Action::SkipEntry => v.skip_entry = true,
                    Action::ReduceSize(f) => v.size_factor *= f,
                    Action::CloseAll => v.close_all = true,
                }
            }
        }
        v
    }
}
