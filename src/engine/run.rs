//! The run loop (see the module doc of [`super`] for the order of each day).

use super::book::{
    closing_legs, contracts_for, entry_cash_usd, entry_costs_usd, entry_credit, equity_usd, exit_reason,
    margin_usd, settlement_print, years_since, Closing, EntryClock, LegsTraded, Session,
};
use super::chain_price::{self, ChainRun, Coverage, LegsQuoted, Priced};
use super::condor::{choose_expiry, legs, Condor, LegMark, Quote, StrikeAdjust, MULTIPLIER};
use super::hedge::{HedgeBook, HedgeDay, HedgeTrade, LayerTotals};
use super::ledger::{attribute_condor, Attribution, DayRecord, ExitReason, Ledger, Trade};
use super::market::{stream, Market};
use super::quotes::Snapshot;
use super::signals::Verdict;
use crate::config::{Expiries, Strategy};
use crate::metrics::Metrics;
use crate::pricing::{vix_futures_on, FuturesModel, SpxSurface, VolIndices};
use crate::replay::{Payload, Replay, ReplayError};
use crate::time::Calendar;
use chrono::NaiveDate;

mod adjust;
pub(super) mod batch;
mod start;
pub use adjust::AdjustmentLog;
pub use batch::run_together;

/// Everything a run produces.
#[derive(Debug, Clone, PartialEq)]
pub struct RunResult {
    pub initial_usd: f64,
    pub days: Vec<DayRecord>,
    /// The whole book's attribution per day (same length as `days`): the sum of the groups'.
    pub attribution: Vec<Attribution>,
    /// Position groups: `condor`, then `hedge:<layer>` for each hedge layer.
    pub groups: Vec<String>,
    /// Attribution per group and day (`group_attribution[g][day]`).
    pub group_attribution: Vec<Vec<Attribution>>,
    pub trades: Vec<Trade>,
    /// Closed hedge positions.
    pub hedge_trades: Vec<HedgeTrade>,
    /// Hedge totals per layer (same order as `groups[1..]`).
    pub hedge_totals: Vec<LayerTotals>,
    /// The calls each layer still holds at the end, at their last mark (USD).
    pub open_hedge_value_usd: Vec<f64>,
    /// Condor credit received at entry, summed (USD, per share credit x contracts x 100).
    pub credit_collected_usd: f64,
    pub metrics: Metrics,
    /// Instants at which the cascade detector fired.
    pub cascades: Vec<crate::time::Timestamp>,
    /// What the rules read, per day: each stream's value, then each event's (1 on the session
    /// it happens, else 0); named as [`super::SignalState::names`] names them.
    pub signals: Vec<(String, Vec<Option<f64>>)>,
    /// What was priced from chain quotes (`None`: no chain loaded).
    pub chain: Option<ChainRun>,
    /// The position rules' adjustments, taken and skipped (`None`: no position rules).
    pub adjustments: Option<Vec<AdjustmentLog>>,
    /// Equity at the last close (`days` is empty in a sweep's lean runs: [`run_together`]).
    pub final_equity_usd: Option<f64>,
}

/// Why a run could not complete.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Replay(#[from] ReplayError),
    #[error("no SPX session with a VIX value in the run window {from} .. {to}: {why}")]
    NoDays { from: String, to: String, why: String },
    #[error("cannot settle a condor expiring {0}: {1}")]
    Settlement(NaiveDate, String),
    #[error("cannot settle a VIX call expiring {0}: {1}")]
    HedgeSettlement(NaiveDate, String),
    #[error("hedge layer `{0}` holds its calls to settlement (roll_dte_days = 0), which needs VIX opens; the VIX file is close-only: set roll_dte_days >= 1 or use a VIX file with opens")]
    HedgeNeedsOpens(String),
    #[error("no VIX futures curve on {0}: {1}")]
    Curve(NaiveDate, String),
    #[error("{key} covers {from} .. {to}, none of the run's trading days ({run_from} .. {run_to}): set dates.start / dates.end (or --from / --to) inside the chain, or leave {key} out")]
    ChainOutsideRun {
        key: &'static str,
        from: NaiveDate,
        to: NaiveDate,
        run_from: NaiveDate,
        run_to: NaiveDate,
    },
}

/// What the replay has told the engine about the market so far.
#[derive(Debug, Clone, Default)]
pub(super) struct MarketState {
    pub(super) spx_i: Option<usize>,
    pub(super) vix: Option<f64>,
    pub(super) vix9d: Option<f64>,
    pub(super) vix3m: Option<f64>,
    pub(super) vix6m: Option<f64>,
    pub(super) vvix: Option<f64>,
    pub(super) rate: f64,
}

impl MarketState {
    /// Take in a market-data event (SPX bar: its row `seq`; the VIX family; rates). Returns
    /// whether the event was one of those.
    pub(super) fn apply(&mut self, stream: u16, payload: &Payload, seq: u32) -> bool {
        let close = match payload {
            Payload::Bar { close, .. } => Some(*close),
            _ => None,
        };
        match (stream, close, payload) {
            (stream::SPX, Some(_), _) => self.spx_i = Some(seq as usize),
            (stream::VIX, Some(c), _) => self.vix = Some(c),
            (stream::VIX9D, Some(c), _) => self.vix9d = Some(c),
            (stream::VIX3M, Some(c), _) => self.vix3m = Some(c),
            (stream::VIX6M, Some(c), _) => self.vix6m = Some(c),
            (stream::VVIX, Some(c), _) => self.vvix = Some(c),
            (stream::RATES, _, Payload::Rate { rate }) => self.rate = *rate,
            _ => return false,
        }
        true
    }
}

struct Engine<'a> {
    s: &'a Strategy,
    m: &'a Market,
    cal: Calendar,
    last_day: NaiveDate,
    /// The run window as asked (for the error of a window without sessions).
    window: (Option<NaiveDate>, Option<NaiveDate>),
    state: MarketState,
    ledger: Ledger,
    /// Position groups: `condor`, then `hedge:<layer>` for each hedge layer.
    groups: Vec<String>,
    open: Vec<Condor>,
    next_id: u32,
    clock: EntryClock,
    day_index: usize,
    signals: super::signals::SignalState,
    now: crate::time::Timestamp,
    hedge: Option<HedgeBook>,
    /// Condor legs priced, from quotes and not (with `data.spx_chain`).
    coverage: Coverage,
    /// Position rules' adjustments, taken and skipped.
    adjustments: Vec<AdjustmentLog>,
    /// Condors whose `condor.max_adjustments` skip is logged already.
    adjust_blocked: Vec<u32>,
    /// The day's pricing shared by runs in step, and this run's scope in it.
    day_cache: Option<(&'a std::cell::RefCell<batch::DayCache>, batch::Scope)>,
}

/// Run `s` on `m` over `[from, to]` (defaults: the strategy's dates, else all data).
pub fn run(
    s: &Strategy,
    m: &Market,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<RunResult, EngineError> {
    let (mut e, decisions) = Engine::prepare(s, m, from, to, None, false)?;
    for ev in Replay::new(m.sources(decisions))? {
        e.on_event(&ev)?;
    }
    e.end()
}

impl Engine<'_> {
    fn day(&mut self) -> Result<(), EngineError> {
        let (Some(i), Some(vix)) = (self.state.spx_i, self.state.vix) else { return Ok(()) };
        let (date, spot) = (self.m.spx.date(i), self.m.spx.close[i]);
        let dt = years_since(self.ledger.prev_date(), date);
        let interest = self.ledger.credit_interest(self.s.interest_on_cash, self.state.rate, dt);
        let ix =
            VolIndices { vix9d: self.state.vix9d, vix, vix3m: self.state.vix3m, vix6m: self.state.vix6m };
        let surface =
            SpxSurface::new(ix, self.s.surface).map_err(|e| EngineError::Settlement(date, e.to_string()))?;
        let q = Quote { date, spot, rate: self.state.rate, div: self.s.dividend_yield, surface: &surface };
        let model = self.s.hedge.as_ref().map_or(FuturesModel::default(), |h| h.futures);
        let curve = vix_futures_on(date, vix, self.m.vx_row_on(date), model)
            .map_err(|e| EngineError::Curve(date, e.to_string()))?;
        let vx1_vx2 = curve.listed_ratio();
        self.signals.observe(self.now);
        let verdict = self.signals.verdict(&self.s.rules, self.now);
        let mut costs = 0.0;
        let mut groups = vec![Attribution::default(); self.groups.len()];
        let snap = self.m.spx_chain.as_deref().and_then(|c| c.at(date, self.now));
        // Managed in place (a condor is a few hundred bytes: moving it out and back every day
        // was a measurable share of a sweep's time); closed ones leave in order.
        let mut open = std::mem::take(&mut self.open);
        let mut k = 0;
        while k < open.len() {
            let (keep, a, cost) = self.manage(&mut open[k], &q, snap.as_ref(), (i, dt), verdict.close_all)?;
            groups[0].add(&a);
            costs += cost;
            if keep {
                k += 1;
            } else {
                open.remove(k);
            }
        }
        self.open = open;
        costs += self.adjust_positions(&q, snap.as_ref());
        let backwardation = match (self.state.vix3m, vx1_vx2) {
            (Some(v3), _) if v3 > 0.0 => Some(vix > v3),
            (_, Some(r)) => Some(r > 1.0),
            _ => None,
        };
        let vix_snap = self.m.vix_chain.as_deref().and_then(|c| c.at(date, self.now));
        let hd = HedgeDay {
            cache: self.day_cache.map(|(c, scope)| (c, scope.hedge())),
            date,
            vix,
            vix_bars: &self.m.vix,
            curve: &curve,
            vvix: self.state.vvix,
            rate: self.state.rate,
            dt,
            backwardation,
            quotes: vix_snap.as_ref(),
        };
        if let Some(h) = &mut self.hedge {
            let flows =
                h.manage(&hd, &mut groups[1..]).map_err(|(d, e)| EngineError::HedgeSettlement(d, e))?;
            self.ledger.cash_usd += flows.cash_usd;
            costs += flows.costs_usd;
        }
        if self.is_entry_day(date)
            && !verdict.skip_entry
            && self.open.len() < self.s.condor.max_concurrent as usize
        {
            costs += self.enter(&q, snap.as_ref(), &verdict);
        }
        costs += self.buy_hedges(&hd, &verdict);
        let term_ratio = match (self.state.vix3m, vx1_vx2) {
            (Some(v3), _) if v3 > 0.0 => Some(vix / v3),
            (_, r) => r,
        };
        self.record(&q, vix, term_ratio, interest, costs, groups);
        self.day_index += 1;
        Ok(())
    }

    /// Let the hedge book buy for its empty layers; returns the costs paid.
    fn buy_hedges(&mut self, hd: &HedgeDay<'_>, verdict: &Verdict) -> f64 {
        let (equity, margin) = (self.equity(), self.margin());
        let Some(h) = &mut self.hedge else { return 0.0 };
        let free = (equity - margin - h.value_usd()).max(0.0);
        let flows = h.buy(hd, equity, free, verdict);
        self.ledger.cash_usd += flows.cash_usd;
        flows.costs_usd
    }

    /// Price a condor's legs today: from the chain's quotes when one is loaded (and the condor is
    /// not settling), else on the model.
    fn price(
        &mut self,
        c: &mut Condor,
        q: &Quote<'_>,
        snap: Option<&Snapshot<'_>>,
        settling: bool,
    ) -> Priced {
        if self.m.spx_chain.is_none() || settling {
            return Priced::model_live(self.condor_marks(c, q), self.s.half_spread_usd, c.live());
        }
        chain_price::price_legs(c, q, snap, self.s.fills, self.s.half_spread_usd)
    }

    /// Attribute, then settle or exit one condor (`force_close`: a rule closes it; `at`: the SPX
    /// row and the years since the previous close). Returns (still open?, attribution, costs paid).
    fn manage(
        &mut self,
        c: &mut Condor,
        q: &Quote<'_>,
        snap: Option<&Snapshot<'_>>,
        (spx_i, dt): (usize, f64),
        force_close: bool,
    ) -> Result<(bool, Attribution, f64), EngineError> {
        let n = c.contracts as f64 * MULTIPLIER;
        let expiring = q.date >= c.expiry;
        let priced = self.price(c, q, snap, expiring);
        let chain = self.m.spx_chain.is_some();
        if chain && !expiring {
            self.coverage.marks.add(4, priced.quoted_legs() as u64);
        }
        let marks = priced.marks;
        let value = if expiring {
            if c.am_settled && self.m.spx.close_only {
                return Err(EngineError::Settlement(
                    c.expiry,
                    "AM settlement needs SPX opens; the SPX file is close-only".into(),
                ));
            }
            c.settle_value(settlement_print(c.am_settled, self.m.spx.open[spx_i], q.spot))
        } else {
            Condor::value(&marks, &c.legs)
        };
        // A lean run (a sweep's) records no attribution.
        let a = if self.ledger.is_lean() {
            Attribution::default()
        } else {
            attribute_condor(c, &marks, value, q.spot, dt, n)
        };
        let days_left = (c.expiry - q.date).num_days();
        let reason = exit_reason(&self.s.condor, expiring, value, c.credit, days_left, force_close);
        let Some(reason) = reason else {
            c.marks = marks;
            c.spot_mark = q.spot;
            c.date_mark = q.date;
            return Ok((true, a, 0.0));
        };
        let live = c.live().iter().filter(|l| **l).count() as f64;
        let legs = LegsTraded { entry: f64::from(c.entry_legs), exit: live };
        let close = closing_legs(
            reason,
            value,
            c.credit,
            c.contracts,
            priced.spread_usd,
            self.s.commission_usd,
            legs,
        );
        let exit_quoted = (!expiring).then(|| priced.quoted_legs());
        if let (true, Some(x)) = (chain, exit_quoted) {
            self.coverage.exits.add(4, x as u64);
        }
        let quoted = chain.then_some(LegsQuoted { entry: c.entry_quoted, exit: exit_quoted });
        self.book_close(c, q.date, &close, reason, quoted);
        Ok((false, a, close.costs_usd))
    }

    /// Book `c` closed on `date` at `close` for `reason`: the cash out and its trade row.
    fn book_close(
        &mut self,
        c: &Condor,
        date: NaiveDate,
        close: &Closing,
        reason: ExitReason,
        legs_quoted: Option<LegsQuoted>,
    ) {
        self.ledger.cash_usd -= close.cash_out_usd;
        self.ledger.trades.push(Trade {
            id: c.id,
            entry_date: c.entry_date,
            exit_date: date,
            expiry: c.expiry,
            strikes: c.held_strikes(),
            contracts: c.contracts,
            credit: c.credit,
            exit_price: close.exit_price,
            entry_reason: c.entry_reason,
            exit_reason: reason,
            pnl_usd: close.pnl_usd,
            legs_quoted,
        });
    }

    fn is_entry_day(&mut self, date: NaiveDate) -> bool {
        let flat = self.open.is_empty();
        self.clock.due(self.s.condor.entry, &self.cal, Session::new(date, self.day_index), flat)
    }

    /// Open a condor if the rules allow; returns the costs paid.
    fn enter(&mut self, q: &Quote<'_>, snap: Option<&Snapshot<'_>>, verdict: &Verdict) -> f64 {
        let size_factor = verdict.size_factor;
        let adjust =
            StrikeAdjust { short_out_pts: verdict.short_out_pts, wing_extra_pts: verdict.wing_extra_pts };
        let Some((expiry, strikes)) = self.new_condor(q, snap, adjust) else { return 0.0 };
        let spec = &self.s.condor;
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
            quoted_iv: chain_price::NEVER_QUOTED,
            entry_quoted: 0,
            entry_reason: "schedule",
            entry_legs: 4,
            adjustments: 0,
        };
        let priced = self.price(&mut c, q, snap, false);
        c.marks = priced.marks;
        c.entry_quoted = priced.quoted_legs();
        let comm = self.s.commission_usd;
        c.credit = entry_credit(Condor::value(&c.marks, &c.legs), priced.spread_usd);
        let (equity, margin) = (self.equity(), self.margin());
        c.contracts = contracts_for(spec.sizing, size_factor, c.credit, c.width(), equity, margin);
        if c.contracts == 0 {
            return 0.0;
        }
        if self.m.spx_chain.is_some() {
            self.coverage.entries.add(4, c.entry_quoted as u64);
        }
        let credit_usd = c.credit * MULTIPLIER * c.contracts as f64;
        self.ledger.cash_usd += entry_cash_usd(c.credit, c.contracts, comm);
        self.ledger.credit_collected_usd += credit_usd;
        if let Some(h) = &mut self.hedge {
            h.on_credit(credit_usd);
        }
        self.next_id += 1;
        let costs = entry_costs_usd(c.contracts, priced.spread_usd, comm);
        self.open.push(c);
        costs
    }

    /// The expiry and strikes of a new condor: among the contracts listed today when the chain
    /// covers the day and lists a fitting expiry, else by the calendar and the model. Both the
    /// target date and the expiry must be inside the run: no condor is opened that the data could
    /// not see to its end.
    fn new_condor(
        &self,
        q: &Quote<'_>,
        snap: Option<&Snapshot<'_>>,
        adjust: StrikeAdjust,
    ) -> Option<(NaiveDate, [f64; 4])> {
        self.new_condor_at(q, snap, adjust, self.s.condor.target_dte_days)
    }

    /// [`Self::new_condor`] targeting `dte_days` instead of the strategy's `target_dte_days`.
    fn new_condor_at(
        &self,
        q: &Quote<'_>,
        snap: Option<&Snapshot<'_>>,
        adjust: StrikeAdjust,
        dte_days: u32,
    ) -> Option<(NaiveDate, [f64; 4])> {
        let spec = &self.s.condor;
        let target = q.date + chrono::Days::new(dte_days as u64);
        if target > self.last_day {
            return None;
        }
        let listed = snap.and_then(|s| {
            let root = chain_price::root(spec.expiries == Expiries::Monthly);
            let expiry = chain_price::listed_expiry(s, root, q.date, target, self.last_day)?;
            Some((expiry, chain_price::listed_strikes(spec, q, s, root, expiry, adjust)?))
        });
        let (expiry, strikes) = match listed {
            Some(x) => x,
            None => {
                let expiry = choose_expiry(&self.cal, q.date, dte_days, spec.expiries)
                    .filter(|e| *e <= self.last_day)?;
                (expiry, self.strikes_for(spec, q, expiry, adjust)?)
            }
        };
        // A short put at or above the short call is not an iron condor.
        (strikes[1] < strikes[2]).then_some((expiry, strikes))
    }

    fn equity(&self) -> f64 {
        let values =
            self.open.iter().map(|c| Condor::value(&c.marks, &c.legs) * c.contracts as f64 * MULTIPLIER);
        equity_usd(self.ledger.cash_usd, values, self.hedge.as_ref().map_or(0.0, HedgeBook::value_usd))
    }

    fn margin(&self) -> f64 {
        self.open.iter().map(|c| margin_usd(c.width(), c.credit, c.contracts)).sum()
    }

    fn record(
        &mut self,
        q: &Quote<'_>,
        vix: f64,
        term_ratio: Option<f64>,
        interest: f64,
        costs: f64,
        groups: Vec<Attribution>,
    ) {
        // The first day has no previous close: what came before the window is not its news.
        let day = self.signals.take_day();
        if self.ledger.is_lean() {
            let equity = self.equity();
            self.ledger.close_day_lean(q.date, equity, q.rate, !self.open.is_empty());
            return;
        }
        let (long_liq_usd, short_liq_usd, cascades) =
            if self.ledger.prev_date().is_none() { (0.0, 0.0, 0) } else { day };
        let (held, totals) = self.hedge.as_ref().map_or((&[][..], &[][..]), |h| (h.held(), &h.totals[..]));
        let record = DayRecord {
            date: q.date,
            equity_usd: self.equity(),
            cash_usd: 0.0, // the ledger's
            margin_usd: self.margin(),
            open_condors: self.open.len(),
            spx: q.spot,
            vix,
            rate: q.rate,
            interest_usd: interest,
            costs_usd: costs,
            pnl_usd: 0.0, // the ledger's
            hedge_value_usd: self.hedge.as_ref().map_or(0.0, HedgeBook::value_usd),
            hedge_contracts: held.iter().flatten().map(|p| p.contracts).sum(),
            hedge_paid_usd: totals.iter().map(|t| t.premium_usd).sum(),
            hedge_recovered_usd: totals.iter().map(|t| t.recovered_usd).sum(),
            layer_contracts: held.iter().map(|p| p.as_ref().map_or(0, |p| p.contracts)).collect(),
            layer_value_usd: held
                .iter()
                .map(|p| p.as_ref().map_or(0.0, super::hedge::HedgePosition::value_usd))
                .collect(),
            term_ratio,
            long_liq_usd,
            short_liq_usd,
            cascades,
        };
        self.ledger.close_day(record, &groups, !self.open.is_empty());
    }

    fn finish(mut self) -> RunResult {
        let metrics = self.ledger.metrics();
        let (mut hedge_trades, mut hedge_totals, mut open_hedge_value_usd) = (vec![], vec![], vec![]);
        let mut hedge_coverage = None;
        if let Some(h) = self.hedge.take() {
            hedge_coverage = self.m.vix_chain.is_some().then_some(h.coverage);
            open_hedge_value_usd = h
                .held()
                .iter()
                .map(|p| p.as_ref().map_or(0.0, super::hedge::HedgePosition::value_usd))
                .collect();
            hedge_trades = h.trades;
            hedge_totals = h.totals;
        }
        let final_equity_usd = self.ledger.last_equity();
        let l = self.ledger;
        RunResult {
            final_equity_usd,
            initial_usd: self.s.initial_usd,
            days: l.days,
            attribution: l.attribution,
            groups: self.groups,
            group_attribution: l.group_attribution,
            trades: l.trades,
            hedge_trades,
            hedge_totals,
            open_hedge_value_usd,
            credit_collected_usd: l.credit_collected_usd,
            metrics,
            cascades: std::mem::take(&mut self.signals.cascades),
            signals: self.signals.names().into_iter().zip(std::mem::take(&mut self.signals.trace)).collect(),
            adjustments: self
                .s
                .rules
                .iter()
                .any(|r| matches!(r.action, crate::config::Action::Position(_)))
                .then(|| std::mem::take(&mut self.adjustments)),
            chain: (self.m.spx_chain.is_some() || self.m.vix_chain.is_some()).then(|| ChainRun {
                fills: self.s.fills.label(),
                condor: self.m.spx_chain.is_some().then_some(self.coverage),
                hedge: hedge_coverage,
            }),
        }
    }
}
