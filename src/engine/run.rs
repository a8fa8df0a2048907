//! The run loop (see the module doc of [`super`] for the order of each day).

use super::book::{
    closing, contracts_for, equity_usd, exit_reason, interest_usd, margin_usd, EntryClock, Session,
};
use super::condor::{choose_expiry, choose_strikes, legs, Condor, LegMark, Quote, StrikeAdjust, MULTIPLIER};
use super::hedge::{HedgeBook, HedgeDay, HedgeTrade, LayerTotals};
use super::ledger::{Attribution, DayRecord, Trade};
use super::market::{stream, Market};
use super::signals::{Levels, Verdict};
use crate::config::{Expiries, RateSpec, Strategy};
use crate::metrics::{compute, MetricInputs, Metrics};
use crate::pricing::{vix_futures_on, FuturesModel, SpxSurface, VolIndices};
use crate::replay::{Payload, Replay, ReplayError};
use crate::time::Calendar;
use chrono::NaiveDate;

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
    #[error("cannot settle a VIX call expiring {0}: {1}")]
    HedgeSettlement(NaiveDate, String),
    #[error("hedge layer `{0}` holds its calls to settlement (roll_dte_days = 0), which needs VIX opens; the VIX file is close-only: set roll_dte_days >= 1 or use a VIX file with opens")]
    HedgeNeedsOpens(String),
    #[error("no VIX futures curve on {0}: {1}")]
    Curve(NaiveDate, String),
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
    state: MarketState,
    cash: f64,
    open: Vec<Condor>,
    next_id: u32,
    prev: Option<(NaiveDate, f64)>,
    clock: EntryClock,
    day_index: usize,
    out: RunResult,
    in_market: Vec<bool>,
    signals: super::signals::SignalState,
    now: crate::time::Timestamp,
    hedge: Option<HedgeBook>,
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
    if let Some(l) = s.hedge.iter().flat_map(|h| &h.layers).find(|l| l.roll_dte_days == 0) {
        if m.vix.close_only {
            return Err(EngineError::HedgeNeedsOpens(l.name.clone()));
        }
    }
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
        clock: EntryClock::default(),
        day_index: 0,
        out: RunResult {
            initial_usd: s.initial_usd,
            days: vec![],
            attribution: vec![],
            groups: std::iter::once("condor".to_string())
                .chain(s.hedge.iter().flat_map(|h| &h.layers).map(|l| format!("hedge:{}", l.name)))
                .collect(),
            group_attribution: vec![],
            trades: vec![],
            hedge_trades: vec![],
            hedge_totals: vec![],
            open_hedge_value_usd: vec![],
            credit_collected_usd: 0.0,
            metrics: Metrics::default(),
            cascades: vec![],
        },
        in_market: Vec::new(),
        signals: super::signals::SignalState::new(&s.signals).with_calendar(m.calendar.clone()),
        now: crate::time::Timestamp::MIN,
        hedge: s.hedge.as_ref().map(|h| HedgeBook::new(h, s.commission_usd)),
    };
    e.out.group_attribution = vec![Vec::new(); e.out.groups.len()];
    for ev in Replay::new(m.sources(decisions))? {
        if e.state.apply(ev.stream, &ev.payload, ev.seq) {
            if let (stream::SPX, Payload::Bar { close, .. }) = (ev.stream, &ev.payload) {
                e.signals.on_spx_close(*close);
            }
            continue;
        }
        match (ev.stream, ev.payload) {
            (stream::LIQUIDATIONS, Payload::Liquidation { side, notional_usd, .. }) => {
                e.signals.on_liquidation(ev.ts, side, notional_usd)
            }
            (stream::LIQUIDATIONS, Payload::LiquidationBucket { long_liq_usd, short_liq_usd, .. }) => {
                e.signals.on_liquidations(ev.ts, long_liq_usd, short_liq_usd)
            }
            (stream::FUNDING, Payload::Funding { rate, .. }) => e.signals.on_funding(rate),
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
        let interest = interest_usd(self.s.interest_on_cash, self.cash, self.state.rate, dt);
        self.cash += interest;
        let ix =
            VolIndices { vix9d: self.state.vix9d, vix, vix3m: self.state.vix3m, vix6m: self.state.vix6m };
        let surface =
            SpxSurface::new(ix, self.s.surface).map_err(|e| EngineError::Settlement(date, e.to_string()))?;
        let q = Quote { date, spot, rate: self.state.rate, div: self.s.dividend_yield, surface: &surface };
        let model = self.s.hedge.as_ref().map_or(FuturesModel::default(), |h| h.futures);
        let curve = vix_futures_on(date, vix, self.m.vx_term.as_deref(), model)
            .map_err(|e| EngineError::Curve(date, e.to_string()))?;
        let levels = Levels { vix, vix3m: self.state.vix3m, vx1_vx2: curve.listed_ratio() };
        let verdict = self.signals.verdict(&self.s.rules, self.now, &levels);
        let mut costs = 0.0;
        let mut groups = vec![Attribution::default(); self.out.groups.len()];
        let open = std::mem::take(&mut self.open);
        for c in open {
            let (keep, a, cost) = self.manage(c, &q, i, dt, verdict.close_all)?;
            groups[0].add(&a);
            costs += cost;
            if let Some(c) = keep {
                self.open.push(c);
            }
        }
        let backwardation = match (levels.vix3m, levels.vx1_vx2) {
            (Some(v3), _) if v3 > 0.0 => Some(vix > v3),
            (_, Some(r)) => Some(r > 1.0),
            _ => None,
        };
        let hd = HedgeDay {
            date,
            vix,
            vix_bars: &self.m.vix,
            curve: &curve,
            vvix: self.state.vvix,
            rate: self.state.rate,
            dt,
            backwardation,
        };
        if let Some(h) = &mut self.hedge {
            let (layers, flows) = h.manage(&hd).map_err(|(d, e)| EngineError::HedgeSettlement(d, e))?;
            groups[1..].copy_from_slice(&layers);
            self.cash += flows.cash_usd;
            costs += flows.costs_usd;
        }
        if self.is_entry_day(date)
            && !verdict.skip_entry
            && self.open.len() < self.s.condor.max_concurrent as usize
        {
            costs += self.enter(&q, &verdict);
        }
        costs += self.buy_hedges(&hd, &verdict);
        let term_ratio = match (levels.vix3m, levels.vx1_vx2) {
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
        self.cash += flows.cash_usd;
        flows.costs_usd
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
        let days_left = (c.expiry - q.date).num_days();
        let reason = exit_reason(&self.s.condor, expiring, value, c.credit, days_left, force_close);
        let Some(reason) = reason else {
            c.marks = marks;
            c.spot_mark = q.spot;
            c.date_mark = q.date;
            return Ok((Some(c), a, 0.0));
        };
        let close =
            closing(reason, value, c.credit, c.contracts, self.s.half_spread_usd, self.s.commission_usd);
        self.cash -= close.cash_out_usd;
        self.out.trades.push(Trade {
            id: c.id,
            entry_date: c.entry_date,
            exit_date: q.date,
            expiry: c.expiry,
            strikes: c.legs.map(|l| l.strike),
            contracts: c.contracts,
            credit: c.credit,
            exit_price: close.exit_price,
            entry_reason: "schedule",
            exit_reason: reason,
            pnl_usd: close.pnl_usd,
        });
        let cost = close.costs_usd;
        Ok((None, a, cost))
    }

    fn is_entry_day(&mut self, date: NaiveDate) -> bool {
        let flat = self.open.is_empty();
        self.clock.due(self.s.condor.entry, &self.cal, Session::new(date, self.day_index), flat)
    }

    /// Open a condor if the rules allow; returns the costs paid.
    fn enter(&mut self, q: &Quote<'_>, verdict: &Verdict) -> f64 {
        let size_factor = verdict.size_factor;
        let adjust =
            StrikeAdjust { short_out_pts: verdict.short_out_pts, wing_extra_pts: verdict.wing_extra_pts };
        let spec = &self.s.condor;
        // Both the target date and the expiry must be inside the run: no condor is opened that the
        // data could not see to its end.
        let target = q.date + chrono::Days::new(spec.target_dte_days as u64);
        let Some(expiry) = choose_expiry(&self.cal, q.date, spec.target_dte_days, spec.expiries)
            .filter(|e| *e <= self.last_day && target <= self.last_day)
        else {
            return 0.0;
        };
        let Ok(strikes) = choose_strikes(spec, q, expiry, adjust) else { return 0.0 };
        if strikes[1] >= strikes[2] {
            return 0.0; // short put at or above the short call: not an iron condor
        }
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
        let (equity, margin) = (self.equity(), self.margin());
        c.contracts = contracts_for(spec.sizing, size_factor, c.credit, c.width(), equity, margin);
        if c.contracts == 0 {
            return 0.0;
        }
        let k = c.contracts as f64;
        self.cash += c.credit * MULTIPLIER * k - 4.0 * comm * k;
        self.out.credit_collected_usd += c.credit * MULTIPLIER * k;
        if let Some(h) = &mut self.hedge {
            h.on_credit(c.credit * MULTIPLIER * k);
        }
        self.next_id += 1;
        self.open.push(c);
        4.0 * hs * MULTIPLIER * k + 4.0 * comm * k
    }

    fn equity(&self) -> f64 {
        let values =
            self.open.iter().map(|c| Condor::value(&c.marks, &c.legs) * c.contracts as f64 * MULTIPLIER);
        equity_usd(self.cash, values, self.hedge.as_ref().map_or(0.0, HedgeBook::value_usd))
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
        let (long_liq_usd, short_liq_usd, cascades) =
            if self.out.days.is_empty() { (0.0, 0.0, 0) } else { day };
        let equity = self.equity();
        let mut attribution = Attribution::default();
        for (g, a) in groups.iter().enumerate() {
            attribution.add(a);
            self.out.group_attribution[g].push(*a);
        }
        let (held, totals) = self.hedge.as_ref().map_or((&[][..], &[][..]), |h| (h.held(), &h.totals[..]));
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
        });
        self.out.attribution.push(attribution);
        self.in_market.push(!self.open.is_empty());
        self.prev = Some((q.date, equity));
    }

    fn finish(mut self) -> RunResult {
        self.out.cascades = std::mem::take(&mut self.signals.cascades);
        if let Some(h) = self.hedge.take() {
            self.out.open_hedge_value_usd = h
                .held()
                .iter()
                .map(|p| p.as_ref().map_or(0.0, super::hedge::HedgePosition::value_usd))
                .collect();
            self.out.hedge_trades = h.trades;
            self.out.hedge_totals = h.totals;
        }
        let dates: Vec<NaiveDate> = self.out.days.iter().map(|d| d.date).collect();
        let equity: Vec<f64> =
            std::iter::once(self.s.initial_usd).chain(self.out.days.iter().map(|d| d.equity_usd)).collect();
        let pnl: Vec<f64> = self.out.trades.iter().map(|t| t.pnl_usd).collect();
        let rf = self.out.days.iter().map(|d| d.rate).sum::<f64>() / self.out.days.len().max(1) as f64;
        self.out.metrics = compute(MetricInputs {
            dates: &dates,
            month_ends: &crate::metrics::month_ends(&dates),
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
