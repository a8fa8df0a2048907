//! The strategy's named signals, updated from the replay's events (so a decision at a close sees
//! only what was known then) and the rules evaluated on them.

use crate::config::{Action, Rule, SignalSpec};
use crate::data::Side;
use crate::signals::{CascadeDetector, Macd, RealizedVol, Rsi, ZScore};
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
    funding_z: ZScore,
    funding_rate: Option<f64>,
    funding_zscore: Option<f64>,
    /// Liquidations (long, short USD) and cascades since the last [`SignalState::take_day`].
    day: (f64, f64, u32),
    /// Cascades seen, in order (for the run's results).
    pub cascades: Vec<Timestamp>,
    /// The macro calendar's events (time order) and the NYSE calendar.
    calendar: Option<(std::sync::Arc<Vec<crate::data::MacroEvent>>, crate::time::Calendar)>,
}

/// What the rules decided for one day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verdict {
    pub skip_entry: bool,
    pub size_factor: f64,
    pub close_all: bool,
    /// Points added to new condors' wing widths.
    pub wing_extra_pts: f64,
    /// Points by which new condors' short strikes move away from spot.
    pub short_out_pts: f64,
    /// Budget factor of today's hedge purchases, per layer.
    pub layer_scale: [f64; 16],
    /// Bit i: layer i (a `trigger = "rule"` layer) may buy today.
    pub layers_added: u16,
}

impl Default for Verdict {
    fn default() -> Self {
        Verdict {
            skip_entry: false,
            size_factor: 1.0,
            close_all: false,
            wing_extra_pts: 0.0,
            short_out_pts: 0.0,
            layer_scale: [1.0; 16],
            layers_added: 0,
        }
    }
}

impl Verdict {
    fn apply(&mut self, a: Action) {
        match a {
            Action::SkipEntry => self.skip_entry = true,
            Action::ReduceSize(f) => self.size_factor *= f,
            Action::CloseAll => self.close_all = true,
            Action::WidenWings(p) => self.wing_extra_pts += p,
            Action::MoveStrikesOut(p) => self.short_out_pts += p,
            Action::ScaleHedge { factor, layer: Some(i) } => self.layer_scale[i] *= factor,
            Action::ScaleHedge { factor, layer: None } => {
                self.layer_scale.iter_mut().for_each(|s| *s *= factor)
            }
            Action::AddHedgeLayer(i) => self.layers_added |= 1 << i,
        }
    }
}

/// The day's market levels signals read besides their own state.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Levels {
    pub vix: f64,
    pub vix3m: Option<f64>,
    /// VX1 / VX2 from listed futures settlements (none without a term-structure file).
    pub vx1_vx2: Option<f64>,
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
            funding_z: ZScore::new(spec.funding_lookback),
            funding_rate: None,
            funding_zscore: None,
            day: (0.0, 0.0, 0),
            cascades: Vec::new(),
            calendar: None,
        }
    }

    /// Give the signals the macro calendar (for `sessions_to_event`).
    pub fn with_calendar(mut self, events: Option<std::sync::Arc<Vec<crate::data::MacroEvent>>>) -> Self {
        self.calendar = events.map(|e| (e, crate::time::Calendar::nyse()));
        self
    }

    /// NYSE sessions after today's up to and including the session of the next calendar event
    /// after `now` (an event before a session's close belongs to that session): 1 = tomorrow.
    /// Scheduled releases are published ahead, so knowing the next one is not look-ahead.
    fn sessions_to_event(&self, now: Timestamp) -> Option<f64> {
        let (events, cal) = self.calendar.as_ref()?;
        let e = events.get(events.partition_point(|e| e.at <= now))?;
        let close = crate::time::nyse_close_utc(cal, e.date).ok()?;
        let session =
            if cal.is_trading_day(e.date) && e.at <= close { e.date } else { cal.next_trading_day(e.date) };
        let (mut d, mut n) = (now.utc_date(), 0u32);
        while d < session && n < 10_000 {
            d = cal.next_trading_day(d);
            n += 1;
        }
        Some(f64::from(n))
    }

    /// A new SPX close.
    pub fn on_spx_close(&mut self, close: f64) {
        self.spx_rsi = self.rsi.update(close);
        self.spx_macd_hist = Some(self.macd.update(close).hist);
        self.spx_realized_vol = self.rv.update(close);
    }

    /// A funding settlement (or a funding bar's close): the latest rate and its z-score against
    /// the trailing `funding_lookback` settlements.
    pub fn on_funding(&mut self, rate: f64) {
        self.funding_rate = Some(rate);
        self.funding_zscore = self.funding_z.update(rate);
    }

    /// Liquidations that became known at `at`.
    pub fn on_liquidations(&mut self, at: Timestamp, long_usd: f64, short_usd: f64) {
        self.day.0 += long_usd;
        self.day.1 += short_usd;
        if let Some(d) = &mut self.cascade {
            if d.update(at, long_usd, short_usd).is_some() {
                self.last_cascade = Some(at);
                self.cascades.push(at);
                self.day.2 += 1;
            }
        }
    }

    /// Long and short liquidations (USD) and cascades since the previous call.
    pub fn take_day(&mut self) -> (f64, f64, u32) {
        std::mem::replace(&mut self.day, (0.0, 0.0, 0))
    }

    /// One individual liquidation.
    pub fn on_liquidation(&mut self, at: Timestamp, side: Side, notional_usd: f64) {
        match side {
            Side::Long => self.on_liquidations(at, notional_usd, 0.0),
            Side::Short => self.on_liquidations(at, 0.0, notional_usd),
        }
    }

    /// The value of a named signal at decision time `now`.
    pub fn value(&self, name: &str, now: Timestamp, lv: &Levels) -> Option<f64> {
        match name {
            "vix" => Some(lv.vix),
            "vix_term_ratio" => lv.vix3m.filter(|v| *v > 0.0).map(|v| lv.vix / v),
            "vx1_vx2_ratio" => lv.vx1_vx2,
            "spx_rsi" => self.spx_rsi,
            "spx_macd_hist" => self.spx_macd_hist,
            "spx_realized_vol" => self.spx_realized_vol,
            "cascade_active" => self.cascade.as_ref().map(|_| f64::from(u8::from(self.cascade_active(now)))),
            "long_liq_share" => self.cascade.as_ref().and_then(|d| d.long_share()),
            "funding_rate" => self.funding_rate,
            "funding_zscore" => self.funding_zscore,
            "sessions_to_event" => self.sessions_to_event(now),
            _ => None,
        }
    }

    /// A cascade fired within the configured active window before `now`.
    pub fn cascade_active(&self, now: Timestamp) -> bool {
        self.last_cascade.is_some_and(|t| now.nanos() - t.nanos() <= self.active_s * 1_000_000_000)
    }

    /// Evaluate `rules` at `now`.
    pub fn verdict(&self, rules: &[Rule], now: Timestamp, lv: &Levels) -> Verdict {
        let mut v = Verdict::default();
        let holds = |c: &crate::config::Condition| {
            self.value(c.signal, now, lv).is_some_and(|x| c.op.holds(x, c.value))
        };
        for r in rules {
            if r.all.iter().all(holds) && (r.any.is_empty() || r.any.iter().any(holds)) {
                v.apply(r.action);
            }
        }
        v
    }
}
