//! A run's start, its events and its end: the window and the checks before the first event
//! ([`Engine::prepare`]), each replay event taken in ([`Engine::on_event`]), and the results or
//! the error of a window without sessions ([`Engine::end`]).

use super::super::book::EntryClock;
use super::super::chain_price::Coverage;
use super::super::hedge::HedgeBook;
use super::super::ledger::Ledger;
use super::super::market::{stream, Market};
use super::batch;
use super::{Engine, EngineError, MarketState, RunResult};
use crate::config::{RateSpec, Strategy};
use crate::replay::Payload;
use crate::time::Calendar;
use chrono::NaiveDate;

impl<'a> Engine<'a> {
    /// A run of `s` on `m` over `[from, to]` (defaults: the strategy's dates, else all data),
    /// ready for the replay of its decision instants (returned); `day_cache` shares the day's
    /// pricing with runs in step ([`batch`]).
    pub(super) fn prepare(
        s: &'a Strategy,
        m: &'a Market,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        day_cache: Option<&'a std::cell::RefCell<batch::DayCache>>,
        lean: bool,
    ) -> Result<(Self, Vec<crate::time::Timestamp>), EngineError> {
        let (from, to) = (from.or(s.start), to.or(s.end));
        // The sessions are in date order: the window is a range found by bisection.
        let starts = &m.spx.start[..m.spx.len()];
        let lo = from.map_or(0, |f| starts.partition_point(|s| s.utc_date() < f));
        let hi = to.map_or(starts.len(), |t| starts.partition_point(|s| s.utc_date() <= t));
        let window: Vec<usize> = (lo..hi.max(lo)).collect();
        let last_day = m.spx.date(*window.last().ok_or_else(|| no_days(m, from, to))?);
        check_chain_overlap(m, &window)?;
        let decisions = window.iter().map(|&i| m.spx.known_at[i]).collect();
        if let Some(l) = s.hedge.iter().flat_map(|h| &h.layers).find(|l| l.roll_dte_days == 0) {
            if m.vix.close_only {
                return Err(EngineError::HedgeNeedsOpens(l.name.clone()));
            }
        }
        let rate = match s.rate {
            RateSpec::Constant(r) => r,
            RateSpec::File { fallback, .. } => fallback,
        };
        let groups: Vec<String> = std::iter::once("condor".to_string())
            .chain(s.hedge.iter().flat_map(|h| &h.layers).map(|l| format!("hedge:{}", l.name)))
            .collect();
        let mut ledger = Ledger::new(s.initial_usd, groups.len());
        if lean {
            ledger = ledger.lean();
        }
        ledger.reserve(window.len());
        let e = Engine {
            s,
            m,
            cal: Calendar::nyse(),
            last_day,
            window: (from, to),
            state: MarketState { rate, ..Default::default() },
            ledger,
            groups,
            open: Vec::new(),
            next_id: 0,
            clock: EntryClock::default(),
            day_index: 0,
            signals: super::super::signals::SignalState::new(&s.signals, m).with_calendar(m.calendar.clone()),
            now: crate::time::Timestamp::MIN,
            hedge: s
                .hedge
                .as_ref()
                .map(|h| HedgeBook::new(h, s.commission_usd, m.vix_chain.is_some().then_some(s.fills))),
            coverage: Coverage::default(),
            adjustments: Vec::new(),
            adjust_blocked: Vec::new(),
            day_cache: day_cache.map(|c| (c, batch::Scope::of(s))),
        };
        Ok((e, decisions))
    }

    /// Take in one event of the replay.
    pub(super) fn on_event(&mut self, ev: &crate::replay::Event) -> Result<(), EngineError> {
        if self.state.apply(ev.stream, &ev.payload, ev.seq) {
            return Ok(());
        }
        match (ev.stream, ev.payload) {
            (stream::LIQUIDATIONS, Payload::Liquidation { side, notional_usd, .. }) => {
                self.signals.on_liquidation(ev.ts, ev.seq as usize, side, notional_usd)
            }
            (stream::LIQUIDATIONS, Payload::LiquidationBucket { long_liq_usd, short_liq_usd, .. }) => {
                self.signals.on_liquidations(ev.ts, ev.seq as usize, long_liq_usd, short_liq_usd)
            }
            (stream::DECISION, _) => {
                self.now = ev.ts;
                self.day()?
            }
            _ => {}
        }
        Ok(())
    }

    /// The run's results, once every event is in.
    pub(super) fn end(self) -> Result<RunResult, EngineError> {
        if self.ledger.prev_date().is_none() {
            return Err(no_days(self.m, self.window.0, self.window.1));
        }
        Ok(self.finish())
    }
}

/// The error of a window with no session to run.
fn no_days(m: &Market, from: Option<NaiveDate>, to: Option<NaiveDate>) -> EngineError {
    let show = |d: Option<NaiveDate>, open: &str| d.map_or(open.to_string(), |d| d.to_string());
    EngineError::NoDays {
        from: show(from, "the data's first day"),
        to: show(to, "the data's last day"),
        why: empty_window_reason(m, from, to),
    }
}

/// A loaded chain must cover at least one of the run's trading days (`window`: SPX rows).
fn check_chain_overlap(m: &Market, window: &[usize]) -> Result<(), EngineError> {
    let chains = [("data.spx_chain", &m.spx_chain), ("data.vix_chain", &m.vix_chain)];
    for (key, chain) in chains {
        let Some(c) = chain else { continue };
        if window.iter().any(|&i| c.covers(m.spx.date(i))) {
            continue;
        }
        let (from, to) = c.span().unwrap_or((NaiveDate::MIN, NaiveDate::MIN));
        let (run_from, run_to) = (m.spx.date(window[0]), m.spx.date(window[window.len() - 1]));
        return Err(EngineError::ChainOutsideRun { key, from, to, run_from, run_to });
    }
    Ok(())
}

/// Why a run window holds no session, in the data's terms.
fn empty_window_reason(m: &Market, from: Option<NaiveDate>, to: Option<NaiveDate>) -> String {
    if m.spx.is_empty() {
        return "the SPX file has no rows".into();
    }
    let (first, last) = (m.spx.date(0), m.spx.date(m.spx.len() - 1));
    let vix = if m.vix.is_empty() {
        " (the VIX file has no rows)".to_string()
    } else {
        format!(" and VIX {} .. {}", m.vix.date(0), m.vix.date(m.vix.len() - 1))
    };
    match (from, to) {
        (Some(f), _) if f > last => format!("the window starts after the SPX data ends ({last})"),
        (_, Some(t)) if t < first => format!("the window ends before the SPX data starts ({first})"),
        (Some(f), Some(t)) if f > t => "the window ends before it starts".into(),
        _ => format!("the data covers SPX {first} .. {last}{vix}"),
    }
}
