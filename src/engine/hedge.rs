//! The ALVH hedge book: long VIX calls held in layers, each its own position group.
//!
//! Each day, after the condors: every held call is marked (Black-76 on the future of its own
//! expiry, vol from VVIX with the call skew) and its P&L attributed to delta (dF), gamma, vega
//! and theta with the previous close's Greeks; then it is settled, monetised or rolled:
//! - **settlement** on the expiry Wednesday at the VIX open (the special opening quotation's
//!   stand-in), no costs; a close-only VIX file cannot settle and is an error;
//! - **monetisation**: sold at mid minus the half-spread when the bid reaches
//!   `take_profit_multiple` x the price paid, or spot VIX closes above `monetise_vix_above`, or the
//!   layer's future above `monetise_future_above`; the layer then waits `rebuy_cooldown_days`;
//! - **roll**: sold when `roll_dte_days` or fewer calendar days are left; the layer buys again the
//!   same day.
//!
//! After the condor entries, every empty layer buys (see [`HedgeBook::buy`]) unless its
//! monetisation condition already holds (it would sell at once): the VIX expiry
//! nearest `target_dte_days` among those more than `roll_dte_days` away, the strike by its rule on
//! the 1-point grid, as many whole contracts as the layer's budget pays for at the ask (mid plus
//! the half-spread, plus commission). The budget (see [`Budget`]) is scaled by the regime schedule,
//! the term structure and the day's `scale_hedge` rules.

use super::chain_price::Coverage;
use super::condor::LegMark;
use super::ledger::Attribution;
use super::quotes::{root_index, LegQuote, Snapshot};
use super::run::batch::DayCache;
use super::signals::Verdict;
use crate::config::{Budget, FillMode, HedgeSpec, HedgeStrike, LayerSpec, ScheduleBy, Trigger};
use crate::data::BarSeries;
use crate::data::Right;
use crate::pricing::{
    black76_greeks, implied_vol_black76, select_strike, vix_settlement, OptionType, StrikeRule, VixFutures,
    VixVolParams,
};
use crate::time::{vix_expiry, Calendar};
use chrono::{Days, NaiveDate};

/// Contract multiplier of VIX options.
pub const VIX_MULTIPLIER: f64 = 100.0;

/// A VIX call's model state at a close.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct VixMark {
    /// The future of the option's expiry (the settlement value on expiry day).
    pub future: f64,
    /// Price, vol and Greeks (delta and gamma on the future).
    pub leg: LegMark,
}

/// A held VIX call position (one per layer at a time).
#[derive(Debug, Clone, PartialEq)]
pub struct HedgePosition {
    pub id: u32,
    pub expiry: NaiveDate,
    pub strike: f64,
    pub contracts: u32,
    pub entry_date: NaiveDate,
    /// Paid per share: mid plus the half-spread.
    pub entry_price: f64,
    /// Premium paid in USD, commissions included.
    pub premium_usd: f64,
    pub mark: VixMark,
    pub entry_future: f64,
    /// The implied vol of its last usable chain quote (NaN: never quoted).
    pub quoted_iv: f64,
    /// Bought at a chain quote.
    pub entry_quoted: bool,
}

impl HedgePosition {
    /// The calls at their last mark (USD).
    pub fn value_usd(&self) -> f64 {
        self.mark.leg.price * self.contracts as f64 * VIX_MULTIPLIER
    }
}

/// Why a hedge position ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HedgeExit {
    Roll,
    TakeProfit,
    VixAbove,
    FutureAbove,
    Settlement,
}

impl HedgeExit {
    pub fn as_str(self) -> &'static str {
        match self {
            HedgeExit::Roll => "roll",
            HedgeExit::TakeProfit => "take_profit",
            HedgeExit::VixAbove => "vix_above",
            HedgeExit::FutureAbove => "future_above",
            HedgeExit::Settlement => "settlement",
        }
    }
}

/// A closed hedge position.
#[derive(Debug, Clone, PartialEq)]
pub struct HedgeTrade {
    pub id: u32,
    pub layer: usize,
    pub entry_date: NaiveDate,
    pub exit_date: NaiveDate,
    pub expiry: NaiveDate,
    pub strike: f64,
    pub contracts: u32,
    pub entry_price: f64,
    /// Received per share: mid minus the half-spread, or the settlement value.
    pub exit_price: f64,
    pub entry_future: f64,
    pub exit_future: f64,
    pub reason: HedgeExit,
    /// Recovered minus premium, commissions included.
    pub pnl_usd: f64,
    /// The VIX settlement at expiry at which the call returns what it cost: strike plus the
    /// premium per share, half-spread and commission included.
    pub break_even_vix: f64,
    /// Whether the entry and the exit were priced from chain quotes (exit `None`: settled on the
    /// index); `None` without `data.vix_chain`.
    pub quoted: Option<(bool, Option<bool>)>,
}

/// A layer's running totals (USD).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LayerTotals {
    /// Premium paid, half-spreads and commissions included.
    pub premium_usd: f64,
    /// Received at monetisation, roll or settlement, net of half-spreads and commissions.
    pub recovered_usd: f64,
    /// Theta in the daily attribution, summed.
    pub theta_usd: f64,
    pub purchases: u32,
}

/// A day's inputs to the hedge book.
#[derive(Debug, Clone, Copy)]
pub struct HedgeDay<'a> {
    /// The day's pricing shared by runs in step, and this run's hedge scope in it.
    pub cache: Option<(&'a std::cell::RefCell<super::run::batch::DayCache>, u64)>,
    pub date: NaiveDate,
    pub vix: f64,
    /// The VIX series, for settlement at the expiry day's open.
    pub vix_bars: &'a BarSeries,
    pub curve: &'a VixFutures,
    pub vvix: Option<f64>,
    pub rate: f64,
    /// Years since the previous decision.
    pub dt: f64,
    /// VIX/VIX3M (or VX1/VX2) above 1; `None` when neither is known.
    pub backwardation: Option<bool>,
    /// The VIX chain as this decision sees it (`None`: no chain, or none dated today).
    pub quotes: Option<&'a Snapshot<'a>>,
}

/// Cash moved and costs paid by the hedge book in one step.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Flows {
    pub cash_usd: f64,
    pub costs_usd: f64,
}

/// The hedge layers' positions, budgets and records.
#[derive(Debug, Clone)]
pub struct HedgeBook {
    spec: HedgeSpec,
    vol: VixVolParams,
    cal: Calendar,
    commission_usd: f64,
    held: Vec<Option<HedgePosition>>,
    pools_usd: Vec<f64>,
    cooldown_until: Vec<Option<NaiveDate>>,
    next_id: u32,
    pub trades: Vec<HedgeTrade>,
    pub totals: Vec<LayerTotals>,
    /// How quotes fill, when a VIX chain prices the calls (`None`: no chain).
    fills: Option<FillMode>,
    /// Calls priced, from quotes and not (with a chain).
    pub coverage: Coverage,
}

impl HedgeBook {
    /// The book of `spec`; `fills`: how a VIX chain's quotes fill, when one prices the calls.
    pub fn new(spec: &HedgeSpec, commission_usd: f64, fills: Option<FillMode>) -> Self {
        let n = spec.layers.len();
        HedgeBook {
            vol: VixVolParams {
                default_vvix: spec.default_vvix,
                vvix_scale: spec.vol_scale,
                call_skew: spec.call_skew,
                term_exponent: spec.vol_term_exponent,
                call_skew_scale: spec.call_skew_scale,
                skew_term_exponent: spec.skew_term_exponent,
                min_days: spec.vol_min_days,
                ..VixVolParams::default()
            },
            spec: spec.clone(),
            cal: Calendar::nyse(),
            commission_usd,
            held: vec![None; n],
            pools_usd: vec![0.0; n],
            cooldown_until: vec![None; n],
            next_id: 0,
            trades: Vec::new(),
            totals: vec![LayerTotals::default(); n],
            fills,
            coverage: Coverage::default(),
        }
    }

    pub fn layers(&self) -> &[LayerSpec] {
        &self.spec.layers
    }

    /// Positions held, by layer.
    pub fn held(&self) -> &[Option<HedgePosition>] {
        &self.held
    }

    /// Mark-to-model value of every held call (USD).
    pub fn value_usd(&self) -> f64 {
        self.held.iter().flatten().map(HedgePosition::value_usd).sum()
    }

    /// Condor credit collected (USD): accrues the credit-funded budgets.
    pub fn on_credit(&mut self, credit_usd: f64) {
        if let Budget::Credit(f) = self.spec.budget {
            for (pool, l) in self.pools_usd.iter_mut().zip(&self.spec.layers) {
                *pool += credit_usd * f * l.share;
            }
        }
    }

    /// A call on the `expiry` future priced today: at its chain quote's mid when a VIX chain
    /// prices the calls and the quote is usable (with the quote, and the mid's implied vol on the
    /// model's future, else `carried_iv`), else on the model at `carried_iv` (the last quoted
    /// implied vol; NaN: the model's vol).
    fn price(
        &self,
        d: &HedgeDay<'_>,
        expiry: NaiveDate,
        strike: f64,
        carried_iv: f64,
    ) -> (VixMark, Option<LegQuote>) {
        if carried_iv.is_nan() && self.fills.and(d.quotes).is_none() {
            let compute = || self.price_on_model(d, expiry, strike);
            let Some((cell, scope)) = d.cache else { return (compute(), None) };
            let key = (scope, expiry, strike.to_bits(), d.rate.to_bits());
            return (DayCache::get(cell, d.date, DayCache::hedge_prices, key, compute), None);
        }
        let f = d.curve.price(expiry);
        let days = (expiry - d.date).num_days().max(0) as f64;
        let t = days / 365.0;
        let fallback =
            if carried_iv.is_finite() { carried_iv } else { self.vol.vol(d.vvix, f, strike, days) };
        let quote = self.fills.and(d.quotes).and_then(|s| s.quote(vix_root(), expiry, Right::Call, strike));
        let Some(q) = quote.filter(LegQuote::usable) else {
            let g = black76_greeks(OptionType::Call, f, strike, t, d.rate, fallback);
            return (VixMark { future: f, leg: LegMark::from_greeks(&g, fallback) }, None);
        };
        let mid = q.mid();
        let vol = implied_vol_black76(OptionType::Call, mid, f, strike, t, d.rate).unwrap_or(fallback);
        let g = black76_greeks(OptionType::Call, f, strike, t, d.rate, vol);
        (VixMark { future: f, leg: LegMark { price: mid, ..LegMark::from_greeks(&g, vol) } }, Some(q))
    }

    /// A call's mark on the model (no quote, no carried vol): what [`Self::price`] gives then.
    fn price_on_model(&self, d: &HedgeDay<'_>, expiry: NaiveDate, strike: f64) -> VixMark {
        let f = d.curve.price(expiry);
        let days = (expiry - d.date).num_days().max(0) as f64;
        let vol = self.vol.vol(d.vvix, f, strike, days);
        let g = black76_greeks(OptionType::Call, f, strike, days / 365.0, d.rate, vol);
        VixMark { future: f, leg: LegMark::from_greeks(&g, vol) }
    }

    /// Per share given up against the mid to trade a call: the fill mode on a quote, the
    /// half-spread on the model.
    fn paid(&self, quote: Option<LegQuote>) -> f64 {
        match (self.fills, quote) {
            (Some(fills), Some(q)) => fills.paid(q.bid, q.ask),
            _ => self.spec.half_spread_usd,
        }
    }

    /// Attribute, then settle, monetise or roll every held call. Writes each layer's attribution
    /// into `attribution` (one per layer, a layer holding nothing left as it is) and returns the
    /// cash flows.
    pub fn manage(
        &mut self,
        d: &HedgeDay<'_>,
        attribution: &mut [Attribution],
    ) -> Result<Flows, (NaiveDate, String)> {
        let mut flows = Flows::default();
        for (i, a) in attribution.iter_mut().enumerate().take(self.held.len()) {
            let Some(mut p) = self.held[i].take() else { continue };
            let expiring = d.date >= p.expiry;
            let mut quote = None;
            let new = if expiring {
                let settle = vix_settlement(p.expiry, super::market::session_prints(d.vix_bars, p.expiry))
                    .map_err(|e| (p.expiry, e.to_string()))?;
                VixMark {
                    future: settle,
                    leg: LegMark { price: (settle - p.strike).max(0.0), ..LegMark::default() },
                }
            } else {
                let (mark, q) = self.price(d, p.expiry, p.strike, p.quoted_iv);
                quote = q;
                if q.is_some() && mark.leg.vol.is_finite() {
                    p.quoted_iv = mark.leg.vol;
                }
                if self.fills.is_some() {
                    self.coverage.marks.add(1, q.is_some() as u64);
                }
                mark
            };
            let n = p.contracts as f64 * VIX_MULTIPLIER;
            *a = attribute(&p.mark, &new, d.dt, n, expiring);
            self.totals[i].theta_usd += a.theta_usd;
            let layer = &self.spec.layers[i];
            let hs = self.paid(quote);
            let bid = new.leg.price - hs;
            let reason = if expiring {
                Some(HedgeExit::Settlement)
            } else if layer.take_profit_multiple.is_some_and(|k| bid >= k * p.entry_price) {
                Some(HedgeExit::TakeProfit)
            } else if layer.monetise_vix_above.is_some_and(|v| d.vix > v) {
                Some(HedgeExit::VixAbove)
            } else if layer.monetise_future_above.is_some_and(|v| new.future > v) {
                Some(HedgeExit::FutureAbove)
            } else if (p.expiry - d.date).num_days() <= layer.roll_dte_days as i64 {
                Some(HedgeExit::Roll)
            } else {
                None
            };
            let Some(reason) = reason else {
                p.mark = new;
                self.held[i] = Some(p);
                continue;
            };
            // A call whose bid is nothing (mid at or below the half-spread) is not sold but
            // abandoned for 0, without commission; the mid given up is its cost.
            let (exit_price, costs) = if reason == HedgeExit::Settlement {
                (new.leg.price, 0.0)
            } else if bid <= 0.0 {
                (0.0, new.leg.price * n)
            } else {
                (bid, hs * n + self.commission_usd * p.contracts as f64)
            };
            let recovered = new.leg.price * n - costs;
            let exit_quoted = (reason != HedgeExit::Settlement).then_some(quote.is_some());
            if let (Some(_), Some(q)) = (self.fills, exit_quoted) {
                self.coverage.exits.add(1, q as u64);
            }
            flows.cash_usd += recovered;
            flows.costs_usd += costs;
            self.totals[i].recovered_usd += recovered;
            if matches!(reason, HedgeExit::TakeProfit | HedgeExit::VixAbove | HedgeExit::FutureAbove) {
                self.cooldown_until[i] =
                    d.date.checked_add_days(Days::new(self.spec.rebuy_cooldown_days as u64));
            }
            self.trades.push(HedgeTrade {
                id: p.id,
                layer: i,
                entry_date: p.entry_date,
                exit_date: d.date,
                expiry: p.expiry,
                strike: p.strike,
                contracts: p.contracts,
                entry_price: p.entry_price,
                exit_price,
                entry_future: p.entry_future,
                exit_future: new.future,
                reason,
                pnl_usd: recovered - p.premium_usd,
                break_even_vix: p.strike + p.premium_usd / n,
                quoted: self.fills.map(|_| (p.entry_quoted, exit_quoted)),
            });
        }
        Ok(flows)
    }

    /// The VIX expiry a layer buys on `date`: nearest `date + target` among the expiries more than
    /// `roll` days away (ties to the earlier).
    fn choose_expiry(&self, date: NaiveDate, l: &LayerSpec) -> Option<NaiveDate> {
        let first = date.checked_add_days(Days::new(l.roll_dte_days as u64 + 1))?;
        let target = date.checked_add_days(Days::new(l.target_dte_days as u64))?;
        let mut best: Option<NaiveDate> = None;
        let mut e = vix_expiry(&self.cal, first);
        for _ in 0..24 {
            if best.is_none_or(|b| (e - target).num_days().abs() < (b - target).num_days().abs()) {
                best = Some(e);
            }
            if e > target {
                break;
            }
            e = vix_expiry(&self.cal, e.checked_add_days(Days::new(1))?);
        }
        best
    }

    /// The budget multiplier of layer `i` for a call on future `f`.
    fn scale(&self, d: &HedgeDay<'_>, f: f64, i: usize, verdict: &Verdict) -> f64 {
        let regime = self.spec.schedule.as_ref().map_or(1.0, |s| {
            s.scale(match s.by {
                ScheduleBy::Future => f,
                ScheduleBy::Vix => d.vix,
            })
        });
        let term = match d.backwardation {
            Some(true) => self.spec.backwardation_scale,
            Some(false) => self.spec.contango_scale,
            None => 1.0,
        };
        regime * term * verdict.layer_scale[i]
    }

    /// Buy for every empty layer that may buy today. `equity_usd` sizes an equity budget;
    /// `free_cash_usd` (cash not reserved as condor margin) caps what is spent.
    pub fn buy(&mut self, d: &HedgeDay<'_>, equity_usd: f64, free_cash_usd: f64, verdict: &Verdict) -> Flows {
        let mut flows = Flows::default();
        let mut free = free_cash_usd;
        for i in 0..self.held.len() {
            let l = &self.spec.layers[i];
            let allowed = l.trigger == Trigger::Always || verdict.layers_added & (1 << i) != 0;
            if self.held[i].is_some() || !allowed || self.cooldown_until[i].is_some_and(|c| d.date < c) {
                continue;
            }
            let listed = self.fills.and(d.quotes).and_then(|s| self.listed_call(d, s, l));
            let chosen = listed.or_else(|| {
                let expiry = match d.cache {
                    None => self.choose_expiry(d.date, l),
                    Some((cell, _)) => DayCache::get(
                        cell,
                        d.date,
                        DayCache::hedge_expiries,
                        (l.roll_dte_days, l.target_dte_days),
                        || self.choose_expiry(d.date, l),
                    ),
                }?;
                Some((expiry, self.strike(d, expiry, l.strike)?))
            });
            let Some((expiry, strike)) = chosen else { continue };
            let (mark, quote) = self.price(d, expiry, strike, f64::NAN);
            let hs = self.paid(quote);
            // Never buy what the layer would sell at once.
            if l.monetise_vix_above.is_some_and(|v| d.vix > v)
                || l.monetise_future_above.is_some_and(|v| mark.future > v)
            {
                continue;
            }
            let ask = mark.leg.price + hs;
            let days = (expiry - d.date).num_days() as f64;
            let scale = self.scale(d, mark.future, i, verdict);
            let spend = match self.spec.budget {
                Budget::EquityPerYear(f) => {
                    equity_usd * f * l.share * scale * (days - l.roll_dte_days as f64) / 365.0
                }
                Budget::Credit(_) => self.pools_usd[i] * scale,
            };
            let per_contract = ask * VIX_MULTIPLIER + self.commission_usd;
            let contracts = (spend.min(free) / per_contract).floor();
            if !(contracts >= 1.0 && mark.leg.price > 0.0) {
                continue;
            }
            let paid = contracts * per_contract;
            free -= paid;
            flows.cash_usd -= paid;
            flows.costs_usd += contracts * (hs * VIX_MULTIPLIER + self.commission_usd);
            if self.fills.is_some() {
                self.coverage.entries.add(1, quote.is_some() as u64);
            }
            if let Budget::Credit(_) = self.spec.budget {
                self.pools_usd[i] -= paid;
            }
            self.totals[i].premium_usd += paid;
            self.totals[i].purchases += 1;
            self.held[i] = Some(HedgePosition {
                id: self.next_id,
                expiry,
                strike,
                contracts: contracts as u32,
                entry_date: d.date,
                entry_price: ask,
                premium_usd: paid,
                mark,
                entry_future: mark.future,
                quoted_iv: if quote.is_some() { mark.leg.vol } else { f64::NAN },
                entry_quoted: quote.is_some(),
            });
            self.next_id += 1;
        }
        flows
    }

    /// The expiry and strike a layer buys among the calls a VIX chain lists today: the listed
    /// expiry nearest `target_dte_days` among those more than `roll_dte_days` away (ties to the
    /// earlier); a delta rule takes the listed strike with a usable quote whose delta (the
    /// chain's, else the model's) is nearest; other rules the usable strike nearest the model's.
    fn listed_call(&self, d: &HedgeDay<'_>, snap: &Snapshot<'_>, l: &LayerSpec) -> Option<(NaiveDate, f64)> {
        let target = d.date.checked_add_days(Days::new(l.target_dte_days as u64))?;
        let expiry = snap
            .expiries(vix_root())
            .into_iter()
            .filter(|e| (*e - d.date).num_days() > l.roll_dte_days as i64)
            .min_by_key(|e| ((*e - target).num_days().abs(), *e))?;
        let calls = snap.usable(vix_root(), expiry, Right::Call);
        let f = d.curve.price(expiry);
        let days = (expiry - d.date).num_days() as f64;
        let delta = |k: f64, q: &LegQuote| {
            if q.delta.is_finite() {
                q.delta
            } else {
                let vol = self.vol.vol(d.vvix, f, k, days);
                black76_greeks(OptionType::Call, f, k, days / 365.0, d.rate, vol).delta
            }
        };
        let (aim, by_delta) = match l.strike {
            HedgeStrike::Delta(x) => (x, true),
            _ => (self.strike(d, expiry, l.strike)?, false),
        };
        let dist =
            |(k, q): &(f64, LegQuote)| if by_delta { (delta(*k, q) - aim).abs() } else { (k - aim).abs() };
        let strike = calls.iter().min_by(|a, b| dist(a).total_cmp(&dist(b)))?.0;
        Some((expiry, strike))
    }

    /// The listed strike (`hedge.strike_grid`) of a layer's rule on the `expiry` future.
    fn strike(&self, d: &HedgeDay<'_>, expiry: NaiveDate, rule: HedgeStrike) -> Option<f64> {
        let compute = || self.strike_on_model(d, expiry, rule);
        let Some((cell, scope)) = d.cache else { return compute() };
        let bits = match rule {
            HedgeStrike::Delta(x) => (0, x.to_bits()),
            HedgeStrike::Offset(x) => (1, x.to_bits()),
            HedgeStrike::Percent(x) => (2, x.to_bits()),
        };
        DayCache::get(cell, d.date, DayCache::hedge_strikes, (scope, expiry, d.rate.to_bits(), bits), compute)
    }

    fn strike_on_model(&self, d: &HedgeDay<'_>, expiry: NaiveDate, rule: HedgeStrike) -> Option<f64> {
        let grid = self.spec.strike_grid.ladder(d.date, (expiry - d.date).num_days()).ok()?;
        let f = d.curve.price(expiry);
        let days = (expiry - d.date).num_days().max(0) as f64;
        let t = days / 365.0;
        let rule = match rule {
            HedgeStrike::Delta(x) => StrikeRule::Delta(x),
            HedgeStrike::Offset(p) => StrikeRule::Points(p),
            HedgeStrike::Percent(p) => StrikeRule::Percent(p / 100.0),
        };
        let atm_srt = self.vol.vol(d.vvix, f, f, days) * t.sqrt();
        let delta_at = |k: f64| {
            black76_greeks(OptionType::Call, f, k, t, d.rate, self.vol.vol(d.vvix, f, k, days)).delta
        };
        select_strike(&grid, OptionType::Call, rule, f, f, atm_srt, d.rate * t, delta_at).ok()
    }
}

/// What the hedge's model prices depend on besides the day and the contract: the VIX options'
/// vol, the futures model, the strike listing and the VVIX default.
pub fn pricing_inputs(h: &crate::config::HedgeSpec) -> String {
    format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        h.default_vvix,
        h.vol_scale,
        h.call_skew,
        h.vol_term_exponent,
        h.call_skew_scale,
        h.skew_term_exponent,
        h.vol_min_days,
        h.futures,
        h.strike_grid
    )
}

/// The chain root of the hedge's calls (monthly VIX options).
fn vix_root() -> u8 {
    root_index("VIX")
}

/// A held call's P&L since its previous mark, split by the previous close's Greeks; `n` =
/// contracts x multiplier. On the settlement day the future's move is to the settlement value and
/// the vol move is not attributed (the residual holds what the Greeks miss).
fn attribute(prev_mark: &VixMark, new_mark: &VixMark, dt: f64, n: f64, settling: bool) -> Attribution {
    let df = new_mark.future - prev_mark.future;
    let (prev, new) = (&prev_mark.leg, &new_mark.leg);
    let dvol = if settling { 0.0 } else { new.vol - prev.vol };
    let mut a = Attribution {
        total_usd: (new.price - prev.price) * n,
        delta_usd: n * prev.delta * df,
        gamma_usd: n * 0.5 * prev.gamma * df * df,
        vega_usd: n * prev.vega * dvol,
        theta_usd: n * prev.theta * dt,
        vanna_usd: n * prev.vanna * df * dvol,
        volga_usd: n * 0.5 * prev.volga * dvol * dvol,
        ..Attribution::default()
    };
    a.close();
    a
}
