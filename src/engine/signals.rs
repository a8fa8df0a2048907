//! The strategy's signals during a run: the indicator streams and events the rules read (see
//! [`super::streams`]), the cascade detector fed from the replay's liquidations, and the rules
//! evaluated on them at each decision.

use super::market::Market;
use super::shared::{CascadeKey, CascadeTape};
use super::streams::StreamState;
use crate::config::{Action, CrossTo, Event, PositionAction, PositionField, Rule, SignalRef, SignalSpec};
use crate::data::Side;
use crate::time::Timestamp;
use std::sync::Arc;

/// An event's state between decisions.
#[derive(Debug, Clone, Copy, Default)]
struct EventState {
    /// The cross's `of - to` at the previous decision.
    prev_gap: Option<f64>,
    /// The divergence rows counted by the previous decision.
    prev_hits: u64,
    /// Whether the event happened at the latest decision.
    now: bool,
}

/// Signal values; `None` while warming up or when the data behind them is absent.
#[derive(Debug, Clone)]
pub struct SignalState {
    streams: Vec<StreamState>,
    events: Vec<(Event, EventState)>,
    /// The cascade detector's outcome per liquidation row, and the long share after the last row
    /// seen (`None` without liquidation data).
    cascade: Option<(Arc<CascadeTape>, Option<f64>)>,
    active_s: i64,
    last_cascade: Option<Timestamp>,
    /// Liquidations (long, short USD) and cascades since the last [`SignalState::take_day`].
    day: (f64, f64, u32),
    /// Cascades seen, in order (for the run's results).
    pub cascades: Vec<Timestamp>,
    /// The macro calendar's events (time order) and the NYSE calendar.
    calendar: Option<(std::sync::Arc<Vec<crate::data::MacroEvent>>, crate::time::Calendar)>,
    /// Each stream's value at each decision, then each event's (1 or 0).
    pub trace: Vec<Vec<Option<f64>>>,
    /// The streams' names (but a divergence's, which its event records), then the events'.
    names: Vec<String>,
    /// Decisions observed so far.
    decisions: usize,
}

/// The streams recorded in the trace: all but divergences (their events are recorded).
fn recorded(spec: &SignalSpec) -> impl Iterator<Item = usize> + '_ {
    (0..spec.streams.len())
        .filter(|&i| !matches!(spec.streams[i].function, crate::config::Function::Divergence { .. }))
}

/// An event's name: `crosses_above(vix, vix3m)`, `crosses_below(spx, 4000)`, or its divergence
/// stream's name.
fn event_name(e: &Event, streams: &[crate::config::Stream]) -> String {
    match *e {
        Event::Divergence(i) => streams[i].to_string(),
        Event::Cross { of, to, above } => {
            let to = match to {
                CrossTo::Level(l) => l.to_string(),
                CrossTo::Stream(j) => streams[j].to_string(),
            };
            format!("{}({}, {to})", if above { "crosses_above" } else { "crosses_below" }, streams[of])
        }
    }
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
            // Evaluated on each open condor: see `SignalState::position_action`.
            Action::Position(_) => {}
        }
    }
}

impl SignalState {
    /// The signals of `spec` on market `m` (each stream's series built from `m`).
    pub fn new(spec: &SignalSpec, m: &Market) -> Self {
        let cascade = m.shared.cascade_tape(CascadeKey::of(spec), m).map(|t| (t, None));
        SignalState {
            streams: spec.streams.iter().map(|s| StreamState::new(s, m.shared.rows(&s.of, m))).collect(),
            events: spec.events.iter().map(|e| (*e, EventState::default())).collect(),
            cascade,
            active_s: spec.cascade_active_s,
            last_cascade: None,
            day: (0.0, 0.0, 0),
            cascades: Vec::new(),
            calendar: None,
            trace: vec![Vec::new(); recorded(spec).count() + spec.events.len()],
            decisions: 0,
            names: recorded(spec)
                .map(|i| spec.streams[i].to_string())
                .chain(spec.events.iter().map(|e| event_name(e, &spec.streams)))
                .collect(),
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

    /// The name of each recorded series (`rsi(vx1, 14)`, `crosses_above(vix, vix3m)`).
    pub fn names(&self) -> Vec<String> {
        self.names.clone()
    }

    /// Bring every stream up to decision instant `now` (the rows known by then), decide the
    /// events, and record the values.
    pub fn observe(&mut self, now: Timestamp) {
        for s in &mut self.streams {
            s.advance(now);
        }
        let streams = &self.streams;
        let first = self.decisions == 0;
        self.decisions += 1;
        for (e, st) in &mut self.events {
            st.now = match *e {
                Event::Divergence(i) => {
                    let hits = streams[i].hits;
                    let before = std::mem::replace(&mut st.prev_hits, hits);
                    // At the first decision the rows before the run (warm-up) are not "since the
                    // previous session": only the latest row counts.
                    if first {
                        streams[i].latest == Some(1.0)
                    } else {
                        before < hits
                    }
                }
                Event::Cross { of, to, above } => {
                    let level = match to {
                        CrossTo::Level(l) => Some(l),
                        CrossTo::Stream(j) => streams[j].latest,
                    };
                    let gap = streams[of].latest.zip(level).map(|(x, l)| x - l);
                    let prev = std::mem::replace(&mut st.prev_gap, gap);
                    match (prev, gap) {
                        (Some(p), Some(g)) if above => p <= 0.0 && g > 0.0,
                        (Some(p), Some(g)) => p >= 0.0 && g < 0.0,
                        _ => false,
                    }
                }
            };
        }
        let values = self
            .streams
            .iter()
            .filter(|s| !s.is_divergence())
            .map(|s| s.latest)
            .chain(self.events.iter().map(|(_, st)| Some(f64::from(u8::from(st.now)))));
        for (t, v) in self.trace.iter_mut().zip(values) {
            t.push(v);
        }
    }

    /// Liquidations that became known at `at`: row `row` of the liquidation source.
    pub fn on_liquidations(&mut self, at: Timestamp, row: usize, long_usd: f64, short_usd: f64) {
        self.day.0 += long_usd;
        self.day.1 += short_usd;
        if let Some((tape, share)) = &mut self.cascade {
            *share = tape.long_share.get(row).copied().flatten();
            if tape.fired.get(row).copied().unwrap_or(false) {
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

    /// One individual liquidation (row `row`).
    pub fn on_liquidation(&mut self, at: Timestamp, row: usize, side: Side, notional_usd: f64) {
        match side {
            Side::Long => self.on_liquidations(at, row, notional_usd, 0.0),
            Side::Short => self.on_liquidations(at, row, 0.0, notional_usd),
        }
    }

    /// The value of a signal at decision instant `now` (after [`Self::observe`]).
    pub fn value(&self, signal: SignalRef, now: Timestamp) -> Option<f64> {
        match signal {
            // Read on each open condor (`SignalState::position_action`), never market-wide.
            SignalRef::Position(_) => None,
            SignalRef::Value(i) => self.streams[i].latest,
            SignalRef::Event(i) => Some(f64::from(u8::from(self.events[i].1.now))),
            SignalRef::Special("cascade_active") => {
                self.cascade.as_ref().map(|_| f64::from(u8::from(self.cascade_active(now))))
            }
            SignalRef::Special("long_liq_share") => self.cascade.as_ref().and_then(|(_, share)| *share),
            SignalRef::Special(_) => self.sessions_to_event(now),
        }
    }

    /// A cascade fired within the configured active window before `now`.
    pub fn cascade_active(&self, now: Timestamp) -> bool {
        self.last_cascade.is_some_and(|t| now.nanos() - t.nanos() <= self.active_s * 1_000_000_000)
    }

    /// Whether rule `r` holds at `now`, position fields read from `position` (`None`: none).
    fn holds(
        &self,
        r: &Rule,
        now: Timestamp,
        position: Option<&dyn Fn(PositionField) -> Option<f64>>,
    ) -> bool {
        let holds = |c: &crate::config::Condition| {
            let v = match (c.signal, position) {
                (SignalRef::Position(f), Some(p)) => p(f),
                (s, _) => self.value(s, now),
            };
            match c.test {
                None => v == Some(1.0),
                Some((op, x)) => v.is_some_and(|v| op.holds(v, x)),
            }
        };
        r.all.iter().all(holds) && (r.any.is_empty() || r.any.iter().any(holds))
    }

    /// Evaluate the market-wide `rules` at `now` (after [`Self::observe`]); position rules are
    /// read per condor by [`Self::position_action`].
    pub fn verdict(&self, rules: &[Rule], now: Timestamp) -> Verdict {
        let mut v = Verdict::default();
        for r in rules.iter().filter(|r| !matches!(r.action, Action::Position(_))) {
            if self.holds(r, now, None) {
                v.apply(r.action);
            }
        }
        v
    }

    /// The first position rule of `rules` (in file order) that holds for one open condor whose
    /// fields `position` gives, and its action.
    pub fn position_action(
        &self,
        rules: &[Rule],
        now: Timestamp,
        position: &dyn Fn(PositionField) -> Option<f64>,
    ) -> Option<PositionAction> {
        rules.iter().find_map(|r| match r.action {
            Action::Position(a) if self.holds(r, now, Some(position)) => Some(a),
            _ => None,
        })
    }
}
