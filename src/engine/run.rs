//! The run loop (see the module doc of [`super`] for the order of each day).

use super::condor::{choose_expiry, choose_strikes, legs, Condor, LegMark, Quote, MULTIPLIER};
use super::ledger::{Attribution, DayRecord, ExitReason, Trade};
use super::market::{stream, Market};
use crate::config::{EntrySchedule, Expiries, RateSpec, Sizing, Strategy};
use crate::metrics::{compute, MetricInputs, Metrics};
use crate::pricing::{SpxSurface, VolIndices};
use crate::replay::{Payload, Replay, ReplayError};
use crate::time::Calendar;
use chrono::{Datelike, NaiveDate};

/// Everything a run produces.
#[derive(Debug, Clone, PartialEq)]
pub struct RunResult {
    pub initial_usd: f64,
    pub days: Vec<DayRecord>,
    /// The condor book's attribution per day (same length as `days`).
    pub attribution: Vec<Attribution>,
    pub trades: Vec<Trade>,
    pub metrics: Metrics,
    /// Instants at which the cascade detector fired.
    pub cascades: Vec<crate::time::Timestamp>,
}

/// Why a run could not complete.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Replay(#[from] ReplayError),
    #[error("no SPX session with a VIX value in the run window {from} .. {to}")]
    NoDays { from: String, to: String },
    #[error("cannot settle a condor expiring {0}: {1}")]
    Settlement(NaiveDate, String),
}

#[derive(Debug, Default)]
struct MarketState {
    spx_i: Option<usize>,
    vix: Option<f64>,
    vix9d: Option<f64>,
    vix3m: Option<f64>,
    vix6m: Option<f64>,
    rate: f64,
}

struct Engine<'a> {
    s: &'a Strategy,
    m: &'a Market,
    cal: Calendar,
    last_day: NaiveDate,
    state: MarketState,
    cash: f64,
    open: Vec<Condor>,
    next_id: u32,
    prev: Option<(NaiveDate, f64)>,
    last_entry_week: Option<(i32, u32)>,
    day_index: usize,
    out: RunResult,
    in_market: Vec<bool>,
    signals: super::signals::SignalState,
    now: crate::time::Timestamp,
}

/// Run `s` on `m` over `[from, to]` (defaults: the strategy's dates, else all data).
pub fn run(
    s: &Strategy,
    m: &Market,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<RunResult, EngineError> {
    let (from, to) = (from.or(s.start), to.or(s.end));
    let window: Vec<usize> = (0..m.spx.len())
        .filter(|&i| from.is_none_or(|f| m.spx.date(i) >= f) && to.is_none_or(|t| m.spx.date(i) <= t))
        .collect();
    let show = |d: Option<NaiveDate>, open: &str| d.map_or(open.to_string(), |d| d.to_string());
    let no_days = || EngineError::NoDays {
        from: show(from, "the data's first day"),
        to: show(to, "the data's last day"),
    };
    let last_day = m.spx.date(*window.last().ok_or_else(no_days)?);
    let decisions = window.iter().map(|&i| m.spx.known_at[i]).collect();
    let rate = match s.rate {
        RateSpec::Constant(r) => r,
        RateSpec::File { fallback, .. } => fallback,
    };
    let mut e = Engine {
        s,
        m,
        cal: Calendar::nyse(),
        last_day,
        state: MarketState { rate, ..Default::default() },
        cash: s.initial_usd,
        open: Vec::new(),
        next_id: 0,
        prev: None,
        last_entry_week: None,
        day_index: 0,
        out: RunResult {
            initial_usd: s.initial_usd,
            days: vec![],
            attribution: vec![],
            trades: vec![],
            metrics: Metrics::default(),
            cascades: vec![],
        },
        in_market: Vec::new(),
        signals: super::signals::SignalState::new(&s.signals),
        now: crate::time::Timestamp::MIN,
    };
    for ev in Replay::new(m.sources(decisions))? {
        match (ev.stream, ev.payload) {
            (stream::SPX, Payload::Bar { close, .. }) => {
                e.state.spx_i = Some(ev.seq as usize);
                e.signals.on_spx_close(close);
            }
            (stream::LIQUIDATIONS, Payload::Liquidation { side, notional_usd, .. }) => {
                e.signals.on_liquidation(ev.ts, side, notional_usd)
            }
            (stream::LIQUIDATIONS, Payload::LiquidationBucket { long_liq_usd, short_liq_usd, .. }) => {
                e.signals.on_liquidations(ev.ts, long_liq_usd, short_liq_usd)
            }
            (stream::VIX, Payload::Bar { close, .. }) => e.state.vix = Some(close),
            (stream::VIX9D, Payload::Bar { close, .. }) => e.state.vix9d = Some(close),
            (stream::VIX3M, Payload::Bar { close, .. }) => e.state.vix3m = Some(close),
            (stream::VIX6M, Payload::Bar { close, .. }) => e.state.vix6m = Some(close),
            (stream::RATES, Payload::Rate { rate }) => e.state.rate = rate,
            (stream::DECISION, _) => {
                e.now = ev.ts;
                e.day()?
            }
            _ => {}
        }
    }
    if e.out.days.is_empty() {
        return Err(no_days());
    }
    Ok(e.finish())
}

impl Engine<'_> {
    fn day(&mut self) -> Result<(), EngineError> {
        let (Some(i), Some(vix)) = (self.state.spx_i, self.state.vix) else { return Ok(()) };
        let (date, spot) = (self.m.spx.date(i), self.m.spx.close[i]);
        let dt = self.prev.map_or(0.0, |(d, _)| (date - d).num_days() as f64 / 365.0);
        let interest = self.cash * ((self.state.rate * dt).exp() - 1.0);
        self.cash += interest;
        let ix =
            VolIndices { vix9d: self.state.vix9d, vix, vix3m: self.state.vix3m, vix6m: self.state.vix6m };
        let surface =
            SpxSurface::new(ix, self.s.surface).map_err(|e| EngineError::Settlement(date, e.to_string()))?;
        let q = Quote { date, spot, rate: self.state.rate, div: self.s.dividend_yield, surface: &surface };
        let mut costs = 0.0;
        let mut attribution = Attribution::default();
        let verdict = self.signals.verdict(&self.s.rules, self.now, vix, self.state.vix3m);
        let open = std::mem::take(&mut self.open);
        for c in open {
            let (keep, a, cost) = self.manage(c, &q, i, dt, verdict.close_all)?;
            attribution.add(&a);
            costs += cost;
            if let Some(c) = keep {
                self.open.push(c);
            }
        }
        if self.is_entry_day(date)
            && !verdict.skip_entry
            && self.open.len() < self.s.condor.max_concurrent as usize
        {
            costs += self.enter(&q, verdict.size_factor);
        }
        self.record(&q, vix, interest, costs, attribution);
        self.day_index += 1;
        Ok(())
    }

    /// Attribute, then settle or exit one condor (`force_close`: a rule closes it). Returns (still
    /// open?, attribution, costs paid).
    fn manage(
        &mut self,
        mut c: Condor,
        q: &Quote<'_>,
        spx_i: usize,
        dt: f64,
        force_close: bool,
    ) -> Result<(Option<Condor>, Attribution, f64), EngineError> {
        let n = c.contracts as f64 * MULTIPLIER;
        let expiring = q.date >= c.expiry;
        let marks = c.mark(q);
        let value = if expiring {
            let print = if c.am_settled { self.m.spx.open[spx_i] } else { q.spot };
            if c.am_settled && self.m.spx.close_only {
                return Err(EngineError::Settlement(
                    c.expiry,
                    "AM settlement needs SPX opens; the SPX file is close-only".into(),
                ));
            }
            c.settle_value(print)
        } else {
            Condor::value(&marks, &c.legs)
        };
        let a = attribute(&c, &marks, value, q.spot, dt, n);
        let (hs, comm) = (self.s.half_spread_usd, self.s.commission_usd);
        let spec = &self.s.condor;
        let days_left = (c.expiry - q.date).num_days();
        let reason = if expiring {
            Some(ExitReason::Expiry)
        } else if spec.profit_target_pct.is_some_and(|p| value <= (1.0 - p / 100.0) * c.credit) {
            Some(ExitReason::ProfitTarget)
        } else if spec.stop_loss_multiple.is_some_and(|x| value >= x * c.credit) {
            Some(ExitReason::StopLoss)
        } else if spec.exit_dte_days.is_some_and(|d| days_left <= d as i64) {
            Some(ExitReason::Dte)
        } else if force_close {
            Some(ExitReason::Rule)
        } else {
            None
        };
        let Some(reason) = reason else {
            c.marks = marks;
            c.spot_mark = q.spot;
            c.date_mark = q.date;
            return Ok((Some(c), a, 0.0));
        };
        let (exit_price, cost) = if reason == ExitReason::Expiry {
            (value, 0.0)
        } else {
            (value + 4.0 * hs, 4.0 * hs * n + 4.0 * comm * c.contracts as f64)
        };
        self.cash -=
            exit_price * n + if reason == ExitReason::Expiry { 0.0 } else { 4.0 * comm * c.contracts as f64 };
        let legs_paid = if reason == ExitReason::Expiry { 4.0 } else { 8.0 };
        self.out.trades.push(Trade {
            id: c.id,
            entry_date: c.entry_date,
            exit_date: q.date,
            expiry: c.expiry,
            strikes: c.legs.map(|l| l.strike),
            contracts: c.contracts,
            credit: c.credit,
            exit_price,
            entry_reason: "schedule",
            exit_reason: reason,
            pnl_usd: (c.credit - exit_price) * n - legs_paid * comm * c.contracts as f64,
        });
        Ok((None, a, cost))
    }

    fn is_entry_day(&mut self, date: NaiveDate) -> bool {
        match self.s.condor.entry {
            EntrySchedule::Weekday(wd) => {
                let week = (date.iso_week().year(), date.iso_week().week());
                let due = date.weekday().num_days_from_monday() >= wd.num_days_from_monday()
                    && self.last_entry_week != Some(week);
                if due {
                    self.last_entry_week = Some(week);
                }
                due
            }
            EntrySchedule::EveryNDays(n) => self.day_index.is_multiple_of(n as usize),
            EntrySchedule::WhenFlat => self.open.is_empty(),
        }
    }

    /// Open a condor if the rules allow; returns the costs paid.
    fn enter(&mut self, q: &Quote<'_>, size_factor: f64) -> f64 {
        let spec = &self.s.condor;
        let Some(expiry) = choose_expiry(&self.cal, q.date, spec.target_dte_days, spec.expiries)
            .filter(|e| *e <= self.last_day)
        else {
            return 0.0;
        };
        let Ok(strikes) = choose_strikes(spec, q, expiry) else { return 0.0 };
        let mut c = Condor {
            id: self.next_id,
            legs: legs(strikes),
            expiry,
            am_settled: spec.expiries == Expiries::Monthly,
            contracts: 0,
            entry_date: q.date,
            credit: 0.0,
            marks: [LegMark::default(); 4],
            spot_mark: q.spot,
            date_mark: q.date,
        };
        c.marks = c.mark(q);
        let (hs, comm) = (self.s.half_spread_usd, self.s.commission_usd);
        c.credit = Condor::value(&c.marks, &c.legs) - 4.0 * hs;
        let max_loss = (c.width() - c.credit) * MULTIPLIER;
        if c.credit <= 0.0 || max_loss <= 0.0 {
            return 0.0;
        }
        let equity = self.equity();
        let room = ((equity - self.margin()) / max_loss).floor().max(0.0);
        let wanted = match spec.sizing {
            Sizing::Contracts(k) => (k as f64 * size_factor).floor(),
            Sizing::RiskFraction(f) => (f * size_factor * equity / max_loss).floor(),
        };
        c.contracts = wanted.min(room) as u32;
        if c.contracts == 0 {
            return 0.0;
        }
        let k = c.contracts as f64;
        self.cash += c.credit * MULTIPLIER * k - 4.0 * comm * k;
        self.next_id += 1;
        self.open.push(c);
        4.0 * hs * MULTIPLIER * k + 4.0 * comm * k
    }

    fn equity(&self) -> f64 {
        self.cash
            - self
                .open
                .iter()
                .map(|c| Condor::value(&c.marks, &c.legs) * c.contracts as f64 * MULTIPLIER)
                .sum::<f64>()
    }

    fn margin(&self) -> f64 {
        self.open.iter().map(|c| (c.width() - c.credit) * MULTIPLIER * c.contracts as f64).sum()
    }

    fn record(&mut self, q: &Quote<'_>, vix: f64, interest: f64, costs: f64, attribution: Attribution) {
        let equity = self.equity();
        let pnl = equity - self.prev.map_or(self.s.initial_usd, |(_, e)| e);
        self.out.days.push(DayRecord {
            date: q.date,
            equity_usd: equity,
            cash_usd: self.cash,
            margin_usd: self.margin(),
            open_condors: self.open.len(),
            spx: q.spot,
            vix,
            rate: q.rate,
            interest_usd: interest,
            costs_usd: costs,
            pnl_usd: pnl,
        });
        self.out.attribution.push(attribution);
        self.in_market.push(!self.open.is_empty());
        self.prev = Some((q.date, equity));
    }

    fn finish(mut self) -> RunResult {
        self.out.cascades = std::mem::take(&mut self.signals.cascades);
        let dates: Vec<NaiveDate> = self.out.days.iter().map(|d| d.date).collect();
        let equity: Vec<f64> =
            std::iter::once(self.s.initial_usd).chain(self.out.days.iter().map(|d| d.equity_usd)).collect();
        let pnl: Vec<f64> = self.out.trades.iter().map(|t| t.pnl_usd).collect();
        let rf = self.out.days.iter().map(|d| d.rate).sum::<f64>() / self.out.days.len().max(1) as f64;
        self.out.metrics = compute(MetricInputs {
            dates: &dates,
            equity: &equity,
            trade_pnl: &pnl,
            in_market: &self.in_market,
            rf_annual: rf,
        });
        self.out
    }
}

/// P&L of a condor since its previous mark (every condor managed on a day was marked on an
/// earlier day: entries come after management), split by the previous close's Greeks. `value` is
/// today's cost per share to buy it back (or its settlement value); `n` = contracts x multiplier.
fn attribute(c: &Condor, marks: &[LegMark; 4], value: f64, spot: f64, dt: f64, n: f64) -> Attribution {
    let prev_value = Condor::value(&c.marks, &c.legs);
    let ds = spot - c.spot_mark;
    let mut a = Attribution { total_usd: -(value - prev_value) * n, ..Default::default() };
    for (i, leg) in c.legs.iter().enumerate() {
        let (p, w) = (&c.marks[i], leg.qty * n);
        a.delta_usd += w * p.delta * ds;
        a.gamma_usd += w * 0.5 * p.gamma * ds * ds;
        a.vega_usd += w * p.vega * (marks[i].vol - p.vol);
        a.theta_usd += w * p.theta * dt;
    }
    a.residual_usd = a.total_usd - (a.delta_usd + a.gamma_usd + a.vega_usd + a.theta_usd);
    a
}
