//! Engine runs in step: several strategies on one market and window take the replay's events
//! together (merged once), one event at a time each, and share a [`DayCache`] of the day's
//! pricing (condor marks, strike choices, VIX call marks, strikes and expiries). Each run is the engine's
//! own, event for event; a cached value is what the run would compute itself (the same function
//! of the same inputs), so each result is the same bits as [`super::run`] alone: the sweep's
//! tests compare whole tables against `--engine-only`.

use super::super::condor::{choose_strikes, Condor, LegMark, Quote, StrikeAdjust};
use super::super::hedge::VixMark;
use super::super::market::Market;
use super::{Engine, EngineError, RunResult};
use crate::config::{CondorSpec, Strategy, WingSpec};
use crate::replay::Replay;
use chrono::NaiveDate;
use std::cell::RefCell;

/// What a run's cached prices depend on besides their keys: the surface and dividend yield (its
/// condors), the VIX options' model (its hedge). Runs with different scopes share nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    condor: u64,
    hedge: u64,
}

impl Scope {
    pub fn of(s: &Strategy) -> Self {
        let hash = |text: String| crate::results::fnv1a(text.as_bytes());
        Scope {
            condor: hash(format!("{:?}|{:?}", s.surface, s.dividend_yield)),
            hedge: hash(format!("{:?}", s.hedge.as_ref().map(super::super::hedge::pricing_inputs))),
        }
    }

    pub fn hedge(&self) -> u64 {
        self.hedge
    }
}

/// A strike rule as bits.
fn rule_bits(r: crate::pricing::StrikeRule) -> (u8, u64) {
    use crate::pricing::StrikeRule::*;
    match r {
        Delta(x) => (0, x.to_bits()),
        Points(x) => (1, x.to_bits()),
        Percent(x) => (2, x.to_bits()),
        StdDevs(x) => (3, x.to_bits()),
        DeltaFormula(x) => (4, x.to_bits()),
    }
}

/// `(scope, expiry, strikes, spot, rate)`.
type MarkKey = (u64, NaiveDate, [u64; 4], u64, u64);
/// `(scope, expiry, spot, rate, put, call, wing, adjust)`.
type StrikesKey = (u64, NaiveDate, u64, u64, (u8, u64), (u8, u64), (u8, u64), [u64; 2]);
/// `(scope, expiry, rate, rule)` of a VIX call strike.
pub type HedgeStrikeKey = (u64, NaiveDate, u64, (u8, u64));
/// `(scope, expiry, strike, rate)` of a model-priced VIX call.
pub type HedgePriceKey = (u64, NaiveDate, u64, u64);

/// One day's shared pricing (cleared when the day changes). Small lists searched in order: a
/// day holds a few dozen entries.
#[derive(Debug, Default)]
pub struct DayCache {
    date: Option<NaiveDate>,
    marks: Vec<(MarkKey, [LegMark; 4])>,
    strikes: Vec<(StrikesKey, Option<[f64; 4]>)>,
    hedge_strikes: Vec<(HedgeStrikeKey, Option<f64>)>,
    hedge_prices: Vec<(HedgePriceKey, VixMark)>,
    /// `(roll_dte_days, target_dte_days)` of a hedge layer -> its expiry.
    hedge_expiries: Vec<((u32, u32), Option<NaiveDate>)>,
}

impl DayCache {
    fn on(&mut self, date: NaiveDate) {
        if self.date != Some(date) {
            self.date = Some(date);
            self.marks.clear();
            self.strikes.clear();
            self.hedge_strikes.clear();
            self.hedge_prices.clear();
            self.hedge_expiries.clear();
        }
    }

    /// `compute()` or the value cached for `key` on `date` in the list `pick` selects.
    pub fn get<K: PartialEq, V: Clone>(
        cell: &RefCell<DayCache>,
        date: NaiveDate,
        pick: impl Fn(&mut DayCache) -> &mut Vec<(K, V)>,
        key: K,
        compute: impl FnOnce() -> V,
    ) -> V {
        {
            let mut c = cell.borrow_mut();
            c.on(date);
            if let Some((_, v)) = pick(&mut c).iter().find(|(k, _)| *k == key) {
                return v.clone();
            }
        }
        let v = compute();
        pick(&mut cell.borrow_mut()).push((key, v.clone()));
        v
    }

    pub fn hedge_strikes(&mut self) -> &mut Vec<(HedgeStrikeKey, Option<f64>)> {
        &mut self.hedge_strikes
    }

    pub fn hedge_prices(&mut self) -> &mut Vec<(HedgePriceKey, VixMark)> {
        &mut self.hedge_prices
    }

    pub fn hedge_expiries(&mut self) -> &mut Vec<((u32, u32), Option<NaiveDate>)> {
        &mut self.hedge_expiries
    }
}

impl Engine<'_> {
    /// `c`'s model marks at `q` (shared with the runs in step).
    pub(super) fn condor_marks(&self, c: &Condor, q: &Quote<'_>) -> [LegMark; 4] {
        let Some((cell, scope)) = self.day_cache else { return c.mark(q) };
        let key =
            (scope.condor, c.expiry, c.legs.map(|l| l.strike.to_bits()), q.spot.to_bits(), q.rate.to_bits());
        DayCache::get(cell, q.date, |d| &mut d.marks, key, || c.mark(q))
    }

    /// [`choose_strikes`] (shared with the runs in step).
    pub(super) fn strikes_for(
        &self,
        spec: &CondorSpec,
        q: &Quote<'_>,
        expiry: NaiveDate,
        adjust: StrikeAdjust,
    ) -> Option<[f64; 4]> {
        let compute = || choose_strikes(spec, q, expiry, adjust).ok();
        let Some((cell, scope)) = self.day_cache else { return compute() };
        let wing = match spec.wing {
            WingSpec::Width(w) => (0, w.to_bits()),
            WingSpec::Delta(d) => (1, d.to_bits()),
        };
        let key = (
            scope.condor,
            expiry,
            q.spot.to_bits(),
            q.rate.to_bits(),
            rule_bits(spec.short_put),
            rule_bits(spec.short_call),
            wing,
            [adjust.short_out_pts.to_bits(), adjust.wing_extra_pts.to_bits()],
        );
        DayCache::get(cell, q.date, |d| &mut d.strikes, key, compute)
    }
}

/// Run `strategies` on `m` over `[from, to]` in step: each result is what [`super::run`] gives
/// that strategy alone. All must have the same run window (the same decision instants); a run
/// whose window differs from the first's is run alone. `lean`: keep only what a sweep's row
/// needs (metrics, final equity, the hedge's totals and trades); `days`, the attribution and its
/// groups' series stay empty.
pub fn run_together(
    strategies: &[&Strategy],
    m: &Market,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    lean: bool,
) -> Vec<Result<RunResult, EngineError>> {
    let cache = RefCell::new(DayCache::default());
    let mut out: Vec<Option<Result<RunResult, EngineError>>> = (0..strategies.len()).map(|_| None).collect();
    let mut engines: Vec<(usize, Engine<'_>)> = Vec::new();
    let mut decisions = None;
    for (i, s) in strategies.iter().enumerate() {
        match Engine::prepare(s, m, from, to, Some(&cache), lean) {
            Err(e) => out[i] = Some(Err(e)),
            Ok((e, d)) if decisions.as_ref().is_none_or(|first| *first == d) => {
                decisions.get_or_insert(d);
                engines.push((i, e));
            }
            Ok(_) => out[i] = Some(super::run(s, m, from, to)),
        }
    }
    if let Some(d) = decisions {
        match Replay::new(m.sources(d)) {
            Err(e) => engines.drain(..).for_each(|(i, _)| out[i] = Some(Err(e.clone().into()))),
            Ok(replay) => {
                for ev in replay {
                    engines.retain_mut(|(i, e)| match e.on_event(&ev) {
                        Ok(()) => true,
                        Err(err) => {
                            out[*i] = Some(Err(err));
                            false
                        }
                    });
                }
            }
        }
    }
    for (i, e) in engines {
        out[i] = Some(e.end());
    }
    out.into_iter().map(|r| r.expect("every run has a result")).collect()
}
