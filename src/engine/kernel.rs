//! The sweep's fast path for condor-only strategies (no hedge layers, no rules): the engine's own
//! book rules ([`super::book`]) run over a [`Tape`], the market's sessions replayed once and
//! shared read-only by every combination of a sweep.
//!
//! Work is shared where combinations agree: the sessions, their vol surfaces and the expiry and
//! strike choices are computed once per entry session; the daily prices of a leg (one strike of
//! one expiry opened on one session) are computed once, when the first combination opens it, and
//! reused by every other combination that opens the same leg on the same session (a grid's
//! combinations differing only in their exits, or sharing a short strike, open many).
//!
//! The kernel gives the same bits as [`super::run`] on the same strategy (same arithmetic, same
//! order): `tests/integration` checks every row of the 1600-combination grid and strategies with
//! monthly expiries, smiles, risk sizing and interest against the engine, and `ironhedge sweep`
//! re-runs its top combinations through the engine and refuses to finish if they differ.

use super::book::{
    closing, condor_value, contracts_for, equity_usd, exit_reason, interest_usd, margin_usd, width_pts,
    EntryClock, Session,
};
use super::condor::{
    choose_expiry, choose_strikes, legs, settle_value, Leg, Quote, StrikeAdjust, MULTIPLIER,
};
use super::market::{stream, Market};
use super::run::MarketState;
use crate::config::{Expiries, RateSpec, Strategy, WingSpec};
use crate::metrics::{compute, MetricInputs, Metrics};
use crate::pricing::{vix_futures_on, BsmExpiry, FuturesModel, SpxSurface, StrikeRule, VolIndices};
use crate::replay::Replay;
use crate::time::Calendar;
use chrono::{Days, NaiveDate};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// One SPX session of the run, as the engine sees it at the close.
#[derive(Debug, Clone)]
struct TapeDay {
    session: Session,
    spot: f64,
    /// The session's open (AM settlement print).
    open: f64,
    rate: f64,
    /// Years since the previous session (calendar days / 365; 0 on the first).
    dt: f64,
    surface: SpxSurface,
}

/// Per (session, expiry): what every strike shares.
#[derive(Debug, Clone, Copy)]
struct Terms {
    spot: f64,
    /// Calendar days to the expiry.
    days_left: i64,
    t: f64,
    forward: f64,
    atm: f64,
    bsm: BsmExpiry,
}

type StrikeKey = (StrikeRule, StrikeRule, WingSpec);
/// A condor's strikes and the slots of its four legs in [`Cohort::legs`].
type Strikes = ([f64; 4], [usize; 4]);
/// A condor just opened: its expiry, legs and the legs' daily prices from the entry.
type Opened = (NaiveDate, [Leg; 4], [Arc<[f64]>; 4]);

/// Condors that can be opened on one session for one expiry.
#[derive(Debug)]
struct Cohort {
    expiry: NaiveDate,
    /// Sessions from the entry while the date is before the expiry.
    terms: Vec<Terms>,
    /// Strike rules -> the strikes they give and the slots of their legs in `legs`.
    strikes: Vec<(StrikeKey, Option<Strikes>)>,
    /// No smile: every strike at the ATM vol.
    flat: bool,
    /// Each leg opened so far and its price per share on the first sessions of `terms`.
    legs: Vec<(Leg, Arc<[f64]>)>,
}

/// What one entry session has worked out so far.
#[derive(Debug, Default)]
struct EntryMemo {
    expiries: Vec<((u32, Expiries), Option<NaiveDate>)>,
    cohorts: Vec<Cohort>,
}

/// The market's sessions over a run window, replayed once, with the shared leg prices.
#[derive(Debug)]
pub struct Tape {
    days: Vec<TapeDay>,
    dates: Vec<NaiveDate>,
    cal: Calendar,
    last_day: NaiveDate,
    /// The mean of the sessions' rates (the metrics' risk-free rate).
    rf_annual: f64,
    div: f64,
    memo: Vec<Mutex<EntryMemo>>,
    /// Values held by `memo` (prices, 13 per session of cohort terms, 44 per strike choice): see
    /// [`Tape::trim`].
    cached: AtomicUsize,
}

/// Whether the kernel runs this strategy exactly as the engine would: no hedge, no rules, and no
/// AM settlement on a close-only SPX file (an engine error the kernel leaves to the engine).
pub fn supports(s: &Strategy, m: &Market) -> bool {
    s.hedge.is_none() && s.rules.is_empty() && !(s.condor.expiries == Expiries::Monthly && m.spx.close_only)
}

/// What a tape depends on besides the market: strategies with equal keys share a tape.
pub fn tape_key(s: &Strategy) -> String {
    format!("{:?}|{:?}|{:?}|{:?}|{:?}", s.start, s.end, s.rate, s.dividend_yield.to_bits(), s.surface)
}

impl Tape {
    /// Replay `m` over `s`'s window. `None` when the engine would stop with an error on some
    /// session (no sessions, a bad VIX-family print, no futures curve): the engine reports it.
    pub fn build(s: &Strategy, m: &Market) -> Option<Tape> {
        let decisions = m.decision_times(s.start, s.end);
        let last = decisions.len().checked_sub(1)?;
        let window_last = (0..m.spx.len()).rev().find(|&i| m.spx.known_at[i] == decisions[last])?;
        let rate = match s.rate {
            RateSpec::Constant(r) => r,
            RateSpec::File { fallback, .. } => fallback,
        };
        let mut st = MarketState { rate, ..Default::default() };
        let mut days: Vec<TapeDay> = Vec::with_capacity(decisions.len());
        for ev in Replay::new(m.sources(decisions)).ok()? {
            if st.apply(ev.stream, &ev.payload, ev.seq) || ev.stream != stream::DECISION {
                continue;
            }
            let (Some(i), Some(vix)) = (st.spx_i, st.vix) else { continue };
            let date = m.spx.date(i);
            let ix = VolIndices { vix9d: st.vix9d, vix, vix3m: st.vix3m, vix6m: st.vix6m };
            let surface = SpxSurface::new(ix, s.surface).ok()?;
            vix_futures_on(date, vix, m.vx_term.as_deref(), FuturesModel::default()).ok()?;
            let dt = days.last().map_or(0.0, |p| (date - p.session.date).num_days() as f64 / 365.0);
            let session = Session::new(date, days.len());
            days.push(TapeDay {
                session,
                spot: m.spx.close[i],
                open: m.spx.open[i],
                rate: st.rate,
                dt,
                surface,
            });
        }
        if days.is_empty() {
            return None;
        }
        let rf_annual = days.iter().map(|d| d.rate).sum::<f64>() / days.len() as f64;
        Some(Tape {
            dates: days.iter().map(|d| d.session.date).collect(),
            memo: days.iter().map(|_| Mutex::new(EntryMemo::default())).collect(),
            days,
            cal: Calendar::nyse(),
            last_day: m.spx.date(window_last),
            rf_annual,
            div: s.dividend_yield,
            cached: AtomicUsize::new(0),
        })
    }

    /// Forget the shared prices when they hold more than `budget` values: memory stays bounded
    /// on sweeps too large to share much, and no result changes (a forgotten price is recomputed
    /// to the bit). Locks one entry session at a time, so it never waits on itself.
    fn trim(&self, budget: usize) {
        if self.cached.load(Ordering::Relaxed) > budget {
            self.cached.store(0, Ordering::Relaxed);
            for m in &self.memo {
                *m.lock().unwrap_or_else(|p| p.into_inner()) = EntryMemo::default();
            }
        }
    }

    /// Sessions in the run.
    pub fn len(&self) -> usize {
        self.days.len()
    }

    /// Whether the tape has no session (never true for a built tape).
    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }

    fn quote(&self, j: usize) -> Quote<'_> {
        let d = &self.days[j];
        Quote { date: d.session.date, spot: d.spot, rate: d.rate, div: self.div, surface: &d.surface }
    }

    fn cohort_terms(&self, j0: usize, expiry: NaiveDate) -> Vec<Terms> {
        self.days[j0..]
            .iter()
            .take_while(|d| d.session.date < expiry)
            .map(|d| {
                let days_left = (expiry - d.session.date).num_days();
                let t = days_left.max(0) as f64 / 365.0;
                let forward = d.spot * ((d.rate - self.div) * t).exp();
                let atm = d.surface.atm_vol(t);
                Terms { spot: d.spot, days_left, t, forward, atm, bsm: BsmExpiry::new(t, d.rate, self.div) }
            })
            .collect()
    }

    /// The condor `spec` opens on session `j0`: its expiry, strikes and the four legs' daily
    /// prices from `j0` (shared with every other combination that opens the same legs there).
    fn open_condor(&self, s: &Strategy, j0: usize) -> Option<Opened> {
        let spec = &s.condor;
        let mut memo = self.memo[j0].lock().unwrap_or_else(|p| p.into_inner());
        let date = self.days[j0].session.date;
        let key = (spec.target_dte_days, spec.expiries);
        let expiry = match memo.expiries.iter().find(|(k, _)| *k == key) {
            Some((_, e)) => *e,
            None => {
                let target = date + Days::new(spec.target_dte_days as u64);
                let e = choose_expiry(&self.cal, date, spec.target_dte_days, spec.expiries)
                    .filter(|e| *e <= self.last_day && target <= self.last_day);
                memo.expiries.push((key, e));
                e
            }
        }?;
        let c = match memo.cohorts.iter().position(|c| c.expiry == expiry) {
            Some(c) => c,
            None => {
                let terms = self.cohort_terms(j0, expiry);
                self.cached.fetch_add(13 * terms.len(), Ordering::Relaxed);
                let flat = s.surface.smile.is_flat();
                memo.cohorts.push(Cohort { expiry, terms, strikes: Vec::new(), flat, legs: Vec::new() });
                memo.cohorts.len() - 1
            }
        };
        let cohort = &mut memo.cohorts[c];
        let skey = (spec.short_put, spec.short_call, spec.wing);
        let (strikes, slots) = match cohort.strikes.iter().find(|(k, _)| *k == skey) {
            Some((_, k)) => *k,
            None => {
                let k = choose_strikes(spec, &self.quote(j0), expiry, StrikeAdjust::default())
                    .ok()
                    .filter(|k| k[1] < k[2])
                    .map(|k| (k, legs(k).map(|l| cohort.slot(l))));
                cohort.strikes.push((skey, k));
                // A strike entry and its legs' slots weigh about 20 and 6 values each.
                self.cached.fetch_add(20 + 6 * 4, Ordering::Relaxed);
                k
            }
        }?;
        // Prices are needed up to the DTE exit at the latest (to the expiry without one); a
        // combination that holds longer extends them ([`Tape::extend`]).
        let need = spec.exit_dte_days.map_or(cohort.terms.len(), |d| {
            let exit = cohort.terms.iter().position(|x| x.days_left <= d as i64);
            exit.map_or(cohort.terms.len(), |i| i + 1)
        });
        let series = slots.map(|i| cohort.prices(&self.days[j0..], i, need, &self.cached));
        let legs = legs(strikes);
        Some((expiry, legs, series))
    }

    /// The legs' prices of the condor opened on `j0` for `expiry`, to its expiry.
    fn extend(&self, j0: usize, expiry: NaiveDate, legs: &[Leg; 4]) -> [Arc<[f64]>; 4] {
        let mut memo = self.memo[j0].lock().unwrap_or_else(|p| p.into_inner());
        let cohort = memo.cohorts.iter_mut().find(|c| c.expiry == expiry).expect("opened cohort");
        let need = cohort.terms.len();
        legs.map(|l| {
            let i = cohort.slot(l);
            cohort.prices(&self.days[j0..], i, need, &self.cached)
        })
    }
}

impl Cohort {
    /// The slot of `leg` in `legs` (added, with no prices yet, on first use).
    fn slot(&mut self, leg: Leg) -> usize {
        let same = |l: &Leg| l.kind == leg.kind && l.strike.to_bits() == leg.strike.to_bits();
        self.legs.iter().position(|(l, _)| same(l)).unwrap_or_else(|| {
            self.legs.push((leg, Arc::from(Vec::new())));
            self.legs.len() - 1
        })
    }

    /// The first `need` daily prices of the leg in `slot` (`days` from the entry), computed on
    /// first use and extended when a combination needs more of them than the first did.
    fn prices(&mut self, days: &[TapeDay], slot: usize, need: usize, cached: &AtomicUsize) -> Arc<[f64]> {
        let (leg, have) = (self.legs[slot].0, self.legs[slot].1.len());
        if have >= need {
            return self.legs[slot].1.clone();
        }
        cached.fetch_add(need - have, Ordering::Relaxed);
        let flat = self.flat;
        let fresh = self.terms[have..need].iter().zip(&days[have..need]).map(|(x, d)| {
            let vol = if flat { x.atm } else { d.surface.vol_with_atm(leg.strike, x.forward, x.t, x.atm) };
            x.bsm.price_delta(leg.kind, x.spot, leg.strike, vol).0
        });
        let prices: Arc<[f64]> = self.legs[slot].1.iter().copied().chain(fresh).collect();
        self.legs[slot].1 = prices.clone();
        prices
    }
}

/// Shared values (8 bytes each) a tape keeps at most (8M, 64 MB) before it forgets them.
const CACHE_BUDGET: usize = 8 << 20;

/// An open condor in the kernel.
struct Open {
    legs: [Leg; 4],
    qty: [f64; 4],
    prices: [Arc<[f64]>; 4],
    /// Sessions from the entry that all four price series cover.
    avail: usize,
    entry: usize,
    expiry: NaiveDate,
    am_settled: bool,
    contracts: u32,
    credit: f64,
    width: f64,
    /// Buy-back cost per share at the last close.
    value: f64,
}

/// What a kernel run produces: what the sweep's row needs.
#[derive(Debug, Clone, PartialEq)]
pub struct CondorRun {
    pub initial_usd: f64,
    /// Equity at each session's close.
    pub equity_usd: Vec<f64>,
    pub metrics: Metrics,
}

/// Run the condor-only strategy `s` (see [`supports`]) over `tape`: the engine's result, bit for bit.
pub fn run_condors(s: &Strategy, tape: &Tape) -> CondorRun {
    tape.trim(CACHE_BUDGET);
    let spec = &s.condor;
    let (hs, comm) = (s.half_spread_usd, s.commission_usd);
    let mut cash = s.initial_usd;
    let mut open: Vec<Open> = Vec::new();
    let mut clock = EntryClock::default();
    let mut equity = Vec::with_capacity(tape.len() + 1);
    equity.push(s.initial_usd);
    let mut in_market = Vec::with_capacity(tape.len());
    let mut trade_pnl = Vec::new();
    for (j, d) in tape.days.iter().enumerate() {
        cash += interest_usd(s.interest_on_cash, cash, d.rate, d.dt);
        let date = d.session.date;
        let mut k = 0;
        while k < open.len() {
            let c = &mut open[k];
            let expiring = date >= c.expiry;
            let value = if expiring {
                settle_value(&c.legs, if c.am_settled { d.open } else { d.spot })
            } else {
                let i = j - c.entry;
                if i >= c.avail {
                    c.prices = tape.extend(c.entry, c.expiry, &c.legs);
                    c.avail = c.prices.iter().map(|p| p.len()).min().unwrap_or(0);
                }
                condor_value(c.prices.each_ref().map(|p| p[i]), c.qty)
            };
            let days_left = (c.expiry - date).num_days();
            match exit_reason(spec, expiring, value, c.credit, days_left, false) {
                None => {
                    c.value = value;
                    k += 1;
                }
                Some(reason) => {
                    let close = closing(reason, value, c.credit, c.contracts, hs, comm);
                    cash -= close.cash_out_usd;
                    trade_pnl.push(close.pnl_usd);
                    open.remove(k);
                }
            }
        }
        let book = |open: &[Open], cash: f64| {
            equity_usd(cash, open.iter().map(|c| c.value * c.contracts as f64 * MULTIPLIER), 0.0)
        };
        if clock.due(spec.entry, &tape.cal, d.session, open.is_empty())
            && open.len() < spec.max_concurrent as usize
        {
            if let Some((expiry, legs, prices)) = tape.open_condor(s, j) {
                let qty = legs.map(|l| l.qty);
                let value = condor_value(prices.each_ref().map(|p| p[0]), qty);
                let credit = value - 4.0 * hs;
                let width = width_pts(legs.map(|l| l.strike));
                let margin: f64 = open.iter().map(|c| margin_usd(c.width, c.credit, c.contracts)).sum();
                let contracts = contracts_for(spec.sizing, 1.0, credit, width, book(&open, cash), margin);
                if contracts > 0 {
                    let n = contracts as f64;
                    cash += credit * MULTIPLIER * n - 4.0 * comm * n;
                    let am_settled = spec.expiries == Expiries::Monthly;
                    let avail = prices.iter().map(|p| p.len()).min().unwrap_or(0);
                    open.push(Open {
                        legs,
                        qty,
                        prices,
                        avail,
                        entry: j,
                        expiry,
                        am_settled,
                        contracts,
                        credit,
                        width,
                        value,
                    });
                }
            }
        }
        equity.push(book(&open, cash));
        in_market.push(!open.is_empty());
    }
    let metrics = compute(MetricInputs {
        dates: &tape.dates,
        equity: &equity,
        trade_pnl: &trade_pnl,
        in_market: &in_market,
        rf_annual: tape.rf_annual,
    });
    equity.remove(0);
    CondorRun { initial_usd: s.initial_usd, equity_usd: equity, metrics }
}

/// Tapes of one sweep, built on first use and shared (one per [`tape_key`]).
#[derive(Debug, Default)]
pub struct Tapes {
    built: Mutex<Vec<(String, Option<Arc<Tape>>)>>,
}

impl Tapes {
    /// The tape for `s` on `m` (`None` when the engine must run it: see [`Tape::build`]).
    pub fn get(&self, s: &Strategy, m: &Market) -> Option<Arc<Tape>> {
        let key = tape_key(s);
        let mut built = self.built.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, t)) = built.iter().find(|(k, _)| *k == key) {
            return t.clone();
        }
        let tape = Tape::build(s, m).map(Arc::new);
        built.push((key, tape.clone()));
        tape
    }
}
