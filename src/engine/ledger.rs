//! The ledger: the book's cash and its records. It owns the cash balance (interest, premiums,
//! closings and hedge flows all pass through it), one row per day (cash, margin, equity, what
//! moved it), the daily P&L attribution per position group, the trade log, and the metrics taken
//! from them at the end of a run. The engine decides what happens; the ledger books it.

use super::book::interest_usd;
use super::condor::{Condor, LegMark};
use crate::metrics::{compute, month_ends, MetricInputs, Metrics};
use chrono::NaiveDate;

/// The book's cash and records over one run.
#[derive(Debug, Clone)]
pub(super) struct Ledger {
    initial_usd: f64,
    /// Cash on hand (USD): credits and recoveries in, buy-backs, premiums and costs out.
    pub(super) cash_usd: f64,
    /// The previous close's date and equity.
    prev: Option<(NaiveDate, f64)>,
    pub(super) days: Vec<DayRecord>,
    /// The whole book's attribution per day: the sum of the groups'.
    pub(super) attribution: Vec<Attribution>,
    /// Attribution per position group and day (`group_attribution[g][day]`).
    pub(super) group_attribution: Vec<Vec<Attribution>>,
    pub(super) trades: Vec<Trade>,
    /// Condor credit received at entry, summed (USD).
    pub(super) credit_collected_usd: f64,
    /// Per day: whether any condor was open at the close.
    in_market: Vec<bool>,
    /// A lean ledger's days: date, equity and rate (instead of `days`).
    lean: Option<Vec<(NaiveDate, f64, f64)>>,
}

impl Ledger {
    /// An empty ledger holding `initial_usd` of cash, with `groups` position groups.
    pub(super) fn new(initial_usd: f64, groups: usize) -> Self {
        Ledger {
            initial_usd,
            cash_usd: initial_usd,
            prev: None,
            days: Vec::new(),
            attribution: Vec::new(),
            group_attribution: vec![Vec::new(); groups],
            trades: Vec::new(),
            credit_collected_usd: 0.0,
            in_market: Vec::new(),
            lean: None,
        }
    }

    /// Room for `days` closes (a run knows its sessions up front: no regrowth as it goes).
    pub(super) fn reserve(&mut self, days: usize) {
        self.in_market.reserve(days);
        if let Some(l) = &mut self.lean {
            l.reserve(days);
            return;
        }
        self.days.reserve(days);
        self.attribution.reserve(days);
        for g in &mut self.group_attribution {
            g.reserve(days);
        }
    }

    /// Keep only what the run's metrics need (no day records, no attribution): a sweep's runs.
    pub(super) fn lean(mut self) -> Self {
        self.lean = Some(Vec::new());
        self
    }

    /// The last close's equity, if any.
    pub(super) fn last_equity(&self) -> Option<f64> {
        self.prev.map(|(_, e)| e)
    }

    /// The date of the previous close recorded, if any.
    pub(super) fn prev_date(&self) -> Option<NaiveDate> {
        self.prev.map(|(d, _)| d)
    }

    /// Credit interest on cash over `dt_years` at `rate`, if cash earns it; returns the interest.
    pub(super) fn credit_interest(&mut self, on: bool, rate: f64, dt_years: f64) -> f64 {
        let interest = interest_usd(on, self.cash_usd, rate, dt_years);
        self.cash_usd += interest;
        interest
    }

    /// Book the close of day `day` (its `cash_usd` and `pnl_usd` are the ledger's to fill), with
    /// the day's attribution per group and whether a condor is still open.
    pub(super) fn close_day(&mut self, mut day: DayRecord, groups: &[Attribution], in_market: bool) {
        let mut attribution = Attribution::default();
        for (g, a) in groups.iter().enumerate() {
            attribution.add(a);
            self.group_attribution[g].push(*a);
        }
        if self.lean.is_some() {
            return self.close_day_lean(day.date, day.equity_usd, day.rate, in_market);
        }
        day.cash_usd = self.cash_usd;
        day.pnl_usd = day.equity_usd - self.prev.map_or(self.initial_usd, |(_, e)| e);
        self.prev = Some((day.date, day.equity_usd));
        self.days.push(day);
        self.attribution.push(attribution);
        self.in_market.push(in_market);
    }

    /// Whether this ledger keeps only what the metrics need.
    pub(super) fn is_lean(&self) -> bool {
        self.lean.is_some()
    }

    /// Book the close of `date` in a lean ledger: its equity, the day's rate, and whether a
    /// condor is still open.
    pub(super) fn close_day_lean(&mut self, date: NaiveDate, equity_usd: f64, rate: f64, in_market: bool) {
        self.lean.get_or_insert_with(Vec::new).push((date, equity_usd, rate));
        self.prev = Some((date, equity_usd));
        self.in_market.push(in_market);
    }

    /// The run's metrics from its daily equity, trades and time in market (the risk-free rate:
    /// the mean of the days' rates).
    pub(super) fn metrics(&self) -> Metrics {
        let series: Vec<(NaiveDate, f64, f64)> = match &self.lean {
            Some(l) => l.clone(),
            None => self.days.iter().map(|d| (d.date, d.equity_usd, d.rate)).collect(),
        };
        let dates: Vec<NaiveDate> = series.iter().map(|d| d.0).collect();
        let equity: Vec<f64> = std::iter::once(self.initial_usd).chain(series.iter().map(|d| d.1)).collect();
        let pnl: Vec<f64> = self.trades.iter().map(|t| t.pnl_usd).collect();
        let rf = series.iter().map(|d| d.2).sum::<f64>() / series.len().max(1) as f64;
        compute(MetricInputs {
            dates: &dates,
            month_ends: &month_ends(&dates),
            equity: &equity,
            trade_pnl: &pnl,
            in_market: &self.in_market,
            rf_annual: rf,
        })
    }
}

/// P&L of a condor since its previous mark (every condor managed on a day was marked on an
/// earlier day: entries come after management), split by the previous close's Greeks. `value` is
/// today's cost per share to buy it back (or its settlement value); `n` = contracts x multiplier.
pub(super) fn attribute_condor(
    c: &Condor,
    marks: &[LegMark; 4],
    value: f64,
    spot: f64,
    dt: f64,
    n: f64,
) -> Attribution {
    let prev_value = Condor::value(&c.marks, &c.legs);
    let ds = spot - c.spot_mark;
    let mut a = Attribution { total_usd: -(value - prev_value) * n, ..Default::default() };
    for (i, leg) in c.legs.iter().enumerate() {
        let (p, w) = (&c.marks[i], leg.qty * n);
        let dvol = marks[i].vol - p.vol;
        a.delta_usd += w * p.delta * ds;
        a.gamma_usd += w * 0.5 * p.gamma * ds * ds;
        a.vega_usd += w * p.vega * dvol;
        a.theta_usd += w * p.theta * dt;
        a.vanna_usd += w * p.vanna * ds * dvol;
        a.volga_usd += w * 0.5 * p.volga * dvol * dvol;
    }
    a.close();
    a
}

/// The book at one day's close.
#[derive(Debug, Clone, PartialEq)]
pub struct DayRecord {
    pub date: NaiveDate,
    pub equity_usd: f64,
    pub cash_usd: f64,
    /// Sum of the open condors' defined risk (max loss).
    pub margin_usd: f64,
    pub open_condors: usize,
    pub spx: f64,
    pub vix: f64,
    pub rate: f64,
    /// Interest credited on cash since the previous close.
    pub interest_usd: f64,
    /// Half-spreads and commissions paid today.
    pub costs_usd: f64,
    /// Change of equity since the previous close.
    pub pnl_usd: f64,
    /// The hedge layers' calls at mid.
    pub hedge_value_usd: f64,
    /// VIX call contracts held, all layers.
    pub hedge_contracts: u32,
    /// Hedge premium paid so far (costs included).
    pub hedge_paid_usd: f64,
    /// Hedge value recovered so far (net of costs).
    pub hedge_recovered_usd: f64,
    /// Contracts and value at mid held by each hedge layer.
    pub layer_contracts: Vec<u32>,
    pub layer_value_usd: Vec<f64>,
    /// VIX / VIX3M (else VX1 / VX2); `None` when neither is known.
    pub term_ratio: Option<f64>,
    /// Long and short liquidations that became known since the previous close (USD).
    pub long_liq_usd: f64,
    pub short_liq_usd: f64,
    /// Cascades detected since the previous close.
    pub cascades: u32,
}

/// Daily P&L of one position group (the condors, or one hedge layer) held from the previous
/// close, split by Greek (previous close's Greeks, summed over legs; for VIX calls `S` is the
/// same-expiry future): `delta dS + gamma dS^2 / 2 + vega d sigma + theta dt + vanna dS d sigma +
/// volga d sigma^2 / 2 + residual = total`, `d sigma` each leg's own vol change.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Attribution {
    pub delta_usd: f64,
    pub gamma_usd: f64,
    pub vega_usd: f64,
    pub theta_usd: f64,
    pub vanna_usd: f64,
    pub volga_usd: f64,
    pub residual_usd: f64,
    pub total_usd: f64,
}

impl Attribution {
    /// The components' names in column order (each with `_usd` in the files).
    pub const PARTS: [&'static str; 8] =
        ["delta", "gamma", "vega", "theta", "vanna", "volga", "residual", "total"];

    /// The components in [`Self::PARTS`] order.
    pub fn parts(&self) -> [f64; 8] {
        [
            self.delta_usd,
            self.gamma_usd,
            self.vega_usd,
            self.theta_usd,
            self.vanna_usd,
            self.volga_usd,
            self.residual_usd,
            self.total_usd,
        ]
    }

    /// The sum of the Greek terms (everything but the residual and the total).
    pub fn explained_usd(&self) -> f64 {
        self.delta_usd + self.gamma_usd + self.vega_usd + self.theta_usd + self.vanna_usd + self.volga_usd
    }

    /// Set the residual so that the components sum to the total exactly.
    pub fn close(&mut self) {
        self.residual_usd = self.total_usd - self.explained_usd();
    }

    pub fn add(&mut self, o: &Attribution) {
        self.delta_usd += o.delta_usd;
        self.gamma_usd += o.gamma_usd;
        self.vega_usd += o.vega_usd;
        self.theta_usd += o.theta_usd;
        self.vanna_usd += o.vanna_usd;
        self.volga_usd += o.volga_usd;
        self.residual_usd += o.residual_usd;
        self.total_usd += o.total_usd;
    }
}

/// Why a condor was closed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ExitReason {
    Expiry,
    ProfitTarget,
    StopLoss,
    Dte,
    /// A rule's `close_all` action.
    Rule,
    /// A position rule's adjustment (`adjust:<action>`).
    Adjust(crate::config::PositionAction),
}

impl ExitReason {
    pub fn as_str(self) -> &'static str {
        match self {
            ExitReason::Expiry => "expiry",
            ExitReason::ProfitTarget => "profit_target",
            ExitReason::StopLoss => "stop_loss",
            ExitReason::Dte => "dte",
            ExitReason::Rule => "rule",
            ExitReason::Adjust(a) => a.reason(),
        }
    }
}

/// One closed condor.
#[derive(Debug, Clone, PartialEq)]
pub struct Trade {
    pub id: u32,
    pub entry_date: NaiveDate,
    pub exit_date: NaiveDate,
    pub expiry: NaiveDate,
    /// [long put, short put, short call, long call].
    pub strikes: [f64; 4],
    pub contracts: u32,
    /// Premium received per share.
    pub credit: f64,
    /// Paid per share to close (mid plus half-spreads) or the settlement value.
    pub exit_price: f64,
    pub entry_reason: &'static str,
    pub exit_reason: ExitReason,
    /// Net of every half-spread and commission.
    pub pnl_usd: f64,
    /// Legs priced from chain quotes at entry and exit (`None` without `data.spx_chain`).
    pub legs_quoted: Option<super::chain_price::LegsQuoted>,
}
