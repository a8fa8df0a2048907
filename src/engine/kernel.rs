//! The sweep's fast path for condor-only strategies (no hedge layers, no rules): the engine's own
//! book rules ([`super::book`]) run over a [`Tape`], the market's sessions replayed once and
//! shared read-only by every combination of a sweep, with a [`Memo`] of the work combinations
//! share.
//!
//! Work is shared where combinations agree. A memo belongs to one thread and serves the
//! combinations it runs one after another (the sweep gives a thread combinations that differ only
//! in their strikes, wings, exits and sizing): per entry session it keeps the expiry choices, the
//! terms of each expiry (time, discount factors, vol terms, per session to the expiry), the strike
//! choices, and each leg's daily prices (one strike of one expiry opened on one session). Prices
//! are computed in blocks of [`BLOCK`] sessions as an open condor reaches them, so a condor that
//! exits early prices little, and every later combination that opens the same leg there reuses
//! them. No locks and no reference counts on the hot path.
//!
//! The kernel gives the same bits as [`super::run`] on the same strategy (same arithmetic, same
//! order): `tests/integration` checks every row of the 1600-combination grid and strategies with
//! monthly expiries, smiles, risk sizing and interest against the engine, and `ironhedge sweep`
//! re-runs its top combinations through the engine and refuses to finish if they differ.

use super::book::{
    closing, condor_value, contracts_for, equity_usd, interest_usd, margin_usd, width_pts, EntryClock,
    ExitLevels, Session,
};
use super::condor::{choose_expiry, legs, settle_value, Leg, Quote, StrikeAdjust, StrikeChooser, MULTIPLIER};
use super::market::{stream, Market};
use super::run::MarketState;
use crate::config::{CondorSpec, EntrySchedule, Expiries, RateSpec, Strategy, WingSpec};
use crate::metrics::{compute, month_ends, MetricInputs, Metrics};
use crate::pricing::{
    vix_futures_on, AtVol, BsmExpiry, FuturesModel, OptionType, Spot, SpxSurface, StrikeError, StrikeRule,
    SurfaceParams, VolIndices,
};
use crate::replay::Replay;
use crate::time::Calendar;
use chrono::{Datelike, Days, NaiveDate};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// One SPX session of the run, as the engine sees it at the close.
#[derive(Debug, Clone)]
struct TapeDay {
    session: Session,
    /// Days since 0001-01-01 (day counts without calendar arithmetic).
    ord: i32,
    spot: Spot,
    /// The session's open (AM settlement print).
    open: f64,
    rate: f64,
    /// Years since the previous session (calendar days / 365; 0 on the first).
    dt: f64,
}

/// The market's sessions over a run window, replayed once; read-only and shared by every thread.
#[derive(Debug)]
pub struct Tape {
    id: u64,
    days: Vec<TapeDay>,
    /// Each session's vol surface (apart from `days`: the daily loop does not read it).
    surfaces: Vec<SpxSurface>,
    dates: Vec<NaiveDate>,
    month_ends: Vec<usize>,
    cal: Calendar,
    last_day: NaiveDate,
    /// The mean of the sessions' rates (the metrics' risk-free rate).
    rf_annual: f64,
    div: f64,
}

/// Whether the kernel runs this strategy exactly as the engine would: no hedge, no rules, and no
/// AM settlement on a close-only SPX file (an engine error the kernel leaves to the engine).
pub fn supports(s: &Strategy, m: &Market) -> bool {
    s.hedge.is_none() && s.rules.is_empty() && !(s.condor.expiries == Expiries::Monthly && m.spx.close_only)
}

/// What a tape depends on besides the market (window, rates, dividend yield, surface):
/// strategies with equal keys share a tape.
#[derive(Debug, Clone, PartialEq)]
pub struct TapeKey(Option<NaiveDate>, Option<NaiveDate>, RateSpec, u64, SurfaceParams);

/// The [`TapeKey`] of `s`.
pub fn tape_key(s: &Strategy) -> TapeKey {
    TapeKey(s.start, s.end, s.rate.clone(), s.dividend_yield.to_bits(), s.surface)
}

impl Tape {
    /// Replay `m` over `s`'s window. `None` when the engine would stop with an error on some
    /// session (no sessions, a bad VIX-family print, no futures curve): the engine reports it.
    pub fn build(s: &Strategy, m: &Market) -> Option<Tape> {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        let decisions = m.decision_times(s.start, s.end);
        let last = decisions.len().checked_sub(1)?;
        let window_last = (0..m.spx.len()).rev().find(|&i| m.spx.known_at[i] == decisions[last])?;
        let rate = match s.rate {
            RateSpec::Constant(r) => r,
            RateSpec::File { fallback, .. } => fallback,
        };
        let mut st = MarketState { rate, ..Default::default() };
        let mut days: Vec<TapeDay> = Vec::with_capacity(decisions.len());
        let mut surfaces = Vec::with_capacity(decisions.len());
        for ev in Replay::new(m.sources(decisions)).ok()? {
            if st.apply(ev.stream, &ev.payload, ev.seq) || ev.stream != stream::DECISION {
                continue;
            }
            let (Some(i), Some(vix)) = (st.spx_i, st.vix) else { continue };
            let date = m.spx.date(i);
            let ix = VolIndices { vix9d: st.vix9d, vix, vix3m: st.vix3m, vix6m: st.vix6m };
            surfaces.push(SpxSurface::new(ix, s.surface).ok()?);
            vix_futures_on(date, vix, m.vx_term.as_deref(), FuturesModel::default()).ok()?;
            let dt = days.last().map_or(0.0, |p| (date - p.session.date).num_days() as f64 / 365.0);
            days.push(TapeDay {
                session: Session::new(date, days.len()),
                ord: date.num_days_from_ce(),
                spot: Spot::new(m.spx.close[i]),
                open: m.spx.open[i],
                rate: st.rate,
                dt,
            });
        }
        if days.is_empty() {
            return None;
        }
        let rf_annual = days.iter().map(|d| d.rate).sum::<f64>() / days.len() as f64;
        let dates: Vec<NaiveDate> = days.iter().map(|d| d.session.date).collect();
        Some(Tape {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            month_ends: month_ends(&dates),
            dates,
            days,
            surfaces,
            cal: Calendar::nyse(),
            last_day: m.spx.date(window_last),
            rf_annual,
            div: s.dividend_yield,
        })
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
        Quote {
            date: d.session.date,
            spot: d.spot.value,
            rate: d.rate,
            div: self.div,
            surface: &self.surfaces[j],
        }
    }

    /// The terms of `expiry` on each session from `j0` while the date is before it.
    fn terms(&self, j0: usize, expiry: NaiveDate) -> Vec<Terms> {
        let n = self.dates[j0..].partition_point(|d| *d < expiry);
        self.days[j0..j0 + n]
            .iter()
            .zip(&self.surfaces[j0..])
            .map(|(d, surface)| {
                let t = (expiry - d.session.date).num_days().max(0) as f64 / 365.0;
                let atm = surface.atm_vol(t);
                let bsm = BsmExpiry::new(t, d.rate, self.div);
                Terms {
                    t,
                    forward: d.spot.value * ((d.rate - self.div) * t).exp(),
                    atm,
                    at_atm: bsm.at_vol(atm),
                    bsm,
                }
            })
            .collect()
    }
}

/// Per (session, expiry): what every strike shares.
#[derive(Debug, Clone, Copy)]
struct Terms {
    t: f64,
    forward: f64,
    atm: f64,
    bsm: BsmExpiry,
    /// The vol terms at the ATM vol (every strike's, without a smile).
    at_atm: AtVol,
}

type StrikeKey = (StrikeRule, StrikeRule, WingSpec);

/// A run of values in a memo's [`Store`]: `len` filled of `cap` reserved from `start`.
#[derive(Debug, Clone, Copy)]
struct Series {
    start: usize,
    len: usize,
    cap: usize,
}

/// A memo's values (leg prices, condor values) in one allocation, each series in a range
/// reserved for it up to its expiry. Kept (and reused) when the memo forgets: no allocation per
/// series, no free.
#[derive(Debug, Default)]
struct Store {
    values: Vec<f64>,
}

impl Store {
    /// Reserve a series of up to `cap` values.
    fn reserve(&mut self, cap: usize) -> Series {
        let start = self.values.len();
        self.values.resize(start + cap, f64::NAN);
        Series { start, len: 0, cap }
    }

    /// The unfilled part of `s` up to `to` (`to <= cap`), marked filled.
    fn fill(&mut self, s: &mut Series, to: usize) -> &mut [f64] {
        let from = s.len;
        s.len = to.min(s.cap).max(from);
        &mut self.values[s.start + from..s.start + s.len]
    }
}

/// One leg (a strike of a kind) of a cohort and where its prices per share from the entry are.
#[derive(Debug)]
struct LegPrices {
    kind: OptionType,
    strike: Spot,
    prices: Series,
}

/// The condor one strike choice opens in a cohort: its strikes, its legs' slots in
/// [`Cohort::legs`], and where its values per share from the entry are (shared by every
/// combination that opens it, whatever its exits or size).
#[derive(Debug)]
struct CondorPrices {
    strikes: [f64; 4],
    slots: [usize; 4],
    values: Series,
}

/// Condors that can be opened on one session for one expiry.
#[derive(Debug)]
struct Cohort {
    expiry: NaiveDate,
    /// Sessions from the entry while the date is before the expiry.
    terms: Vec<Terms>,
    /// No smile: every strike at the ATM vol.
    flat: bool,
    /// By [`Keys`] strike id: `None` until tried, then the condor (`None`: no valid condor).
    condors: Vec<Option<Option<CondorPrices>>>,
    /// What each (kind, rule) picked (the strike choices' expensive part, shared by wings).
    picks: Vec<((OptionType, StrikeRule), Result<f64, StrikeError>)>,
    legs: Vec<LegPrices>,
    /// `(strike bits << 1 | call, slot in legs)`, sorted.
    index: Vec<(u64, usize)>,
}

impl Cohort {
    /// The slot of `leg` in `legs` (added, with no prices yet, on first use).
    fn slot(&mut self, store: &mut Store, leg: Leg) -> usize {
        // Strikes are positive: the sign bit is free for the kind.
        let key = leg.strike.to_bits() << 1 | u64::from(leg.kind == OptionType::Call);
        match self.index.binary_search_by_key(&key, |e| e.0) {
            Ok(i) => self.index[i].1,
            Err(i) => {
                let prices = store.reserve(self.terms.len());
                self.legs.push(LegPrices { kind: leg.kind, strike: Spot::new(leg.strike), prices });
                self.index.insert(i, (key, self.legs.len() - 1));
                self.legs.len() - 1
            }
        }
    }

    /// The strikes `spec` picks on session `q` (picks shared between strike rules).
    fn strikes(&mut self, spec: &CondorSpec, q: &Quote<'_>) -> Result<[f64; 4], StrikeError> {
        let chooser = StrikeChooser::new(q, self.expiry)?;
        let picks = &mut self.picks;
        chooser.strikes(spec, StrikeAdjust::default(), |kind, rule| {
            if let Some((_, p)) = picks.iter().find(|(k, _)| *k == (kind, rule)) {
                return *p;
            }
            let p = chooser.pick(kind, rule);
            picks.push(((kind, rule), p));
            p
        })
    }

    /// Extend the values of the condor of strike id `sid` to `to` sessions from the entry,
    /// pricing its legs as far as needed (`days`, `surfaces` from the entry); returns how many
    /// leg prices it computed, how many values it added, and how many it has (at least `to`
    /// unless the expiry comes first: another combination may have gone further).
    fn values_to(
        &mut self,
        store: &mut Store,
        days: &[TapeDay],
        surfaces: &[SpxSurface],
        sid: usize,
        to: usize,
    ) -> (usize, usize, usize) {
        let Some(Some(Some(c))) = self.condors.get_mut(sid) else { return (0, 0, 0) };
        let from = c.values.len;
        if from >= to {
            return (0, 0, from);
        }
        let mut computed = 0;
        for slot in c.slots {
            let leg = &mut self.legs[slot];
            let at = leg.prices.len;
            let out = store.fill(&mut leg.prices, to);
            computed += out.len();
            let inputs = (&self.terms[at..], &days[at..], &surfaces[at..]);
            price_into(inputs, self.flat, leg.kind, leg.strike, out);
        }
        let [p0, p1, p2, p3] = c.slots.map(|s| self.legs[s].prices.start);
        let qty = legs(c.strikes).map(|l| l.qty);
        let v0 = c.values.start;
        let added = store.fill(&mut c.values, to).len();
        let x = &mut store.values;
        for i in from..from + added {
            x[v0 + i] = condor_value([x[p0 + i], x[p1 + i], x[p2 + i], x[p3 + i]], qty);
        }
        (computed, added, from + added)
    }
}

/// Price a leg (`kind`, strike `k`) into `out`, one price per session of `terms`, `days` and
/// `surfaces` (which start at the first session to price).
fn price_into(
    (terms, days, surfaces): (&[Terms], &[TapeDay], &[SpxSurface]),
    flat: bool,
    kind: OptionType,
    k: Spot,
    out: &mut [f64],
) {
    for (p, ((x, d), sf)) in out.iter_mut().zip(terms.iter().zip(days).zip(surfaces)) {
        let v = if flat { x.at_atm } else { x.bsm.at_vol(sf.vol_with_atm(k.value, x.forward, x.t, x.atm)) };
        *p = x.bsm.price_at(kind, d.spot, k, v).0;
    }
}

/// What one entry session has worked out so far.
#[derive(Debug, Default)]
struct EntryMemo {
    /// By [`Keys`] expiry id: `None` until tried, then the expiry (`None`: none in the window).
    expiries: Vec<Option<Option<NaiveDate>>>,
    cohorts: Vec<Cohort>,
}

/// Sessions priced at a time when an open condor needs prices it does not have yet.
pub const BLOCK: usize = 8;

/// Values (8 bytes each) a memo keeps at most (4M, 32 MB) before it forgets them.
const MEMO_BUDGET: usize = 4 << 20;

/// Small ids for the expiry rules and strike rules a memo has seen: a run looks its own up
/// once, and the memo's tables are indexed by them.
#[derive(Debug, Default)]
struct Keys {
    expiries: Vec<(u32, Expiries)>,
    strikes: Vec<StrikeKey>,
}

fn intern<T: PartialEq>(seen: &mut Vec<T>, key: T) -> usize {
    seen.iter().position(|k| *k == key).unwrap_or_else(|| {
        seen.push(key);
        seen.len() - 1
    })
}

/// Grow `v` to hold index `i` and return that slot.
fn slot_at<T: Default>(v: &mut Vec<T>, i: usize) -> &mut T {
    if v.len() <= i {
        v.resize_with(i + 1, T::default);
    }
    &mut v[i]
}

/// The work shared by the combinations one thread runs on one tape (see the module doc).
#[derive(Debug)]
pub struct Memo {
    keys: Keys,
    /// Values the memo may hold before a run starts; beyond it the memo forgets its work.
    budget: usize,
    tape: u64,
    entries: Vec<Option<Box<EntryMemo>>>,
    store: Store,
    /// The tape's entry days per schedule.
    due: Vec<(EntrySchedule, Vec<bool>)>,
    /// Values held (prices, 14 per session of terms, about 50 per strike choice).
    held: usize,
    /// Leg prices computed so far (for tests and measurements).
    pub computed: usize,
}

impl Default for Memo {
    fn default() -> Self {
        Memo::with_budget(MEMO_BUDGET)
    }
}

impl Memo {
    /// A memo that forgets its work when it holds more than `values` (8 bytes each) at the start
    /// of a run; the default is 4M (32 MB). No result depends on it.
    pub fn with_budget(values: usize) -> Self {
        Memo {
            keys: Keys::default(),
            budget: values,
            tape: 0,
            entries: Vec::new(),
            store: Store::default(),
            due: Vec::new(),
            held: 0,
            computed: 0,
        }
    }

    /// Ready for `tape`: forgets another tape's work, and its own when it holds more than the
    /// budget (a forgotten price is recomputed to the bit).
    fn prepare(&mut self, tape: &Tape) {
        if self.tape != tape.id {
            self.due.clear();
        }
        if self.tape != tape.id || self.held > self.budget {
            self.tape = tape.id;
            self.entries.clear();
            self.entries.resize_with(tape.len(), || None);
            self.store.values.clear();
            // Room for a typical group's values up front: growing by doubling copies them all.
            self.store.values.reserve(tape.len() * 256);
            self.held = 0;
        }
    }

    /// The ids of `spec`'s expiry rule and strike rules.
    fn ids(&mut self, spec: &CondorSpec) -> (usize, usize) {
        (
            intern(&mut self.keys.expiries, (spec.target_dte_days, spec.expiries)),
            intern(&mut self.keys.strikes, (spec.short_put, spec.short_call, spec.wing)),
        )
    }

    /// The condor `s` (rule ids `ids`) opens on session `j0`: its expiry, cohort, strikes and
    /// where its values start in the store.
    fn open(
        &mut self,
        tape: &Tape,
        s: &Strategy,
        ids: (usize, usize),
        j0: usize,
    ) -> Option<(NaiveDate, usize, [f64; 4], usize)> {
        let spec = &s.condor;
        let entry = self.entries[j0].get_or_insert_with(Default::default);
        let date = tape.days[j0].session.date;
        let expiry = *slot_at(&mut entry.expiries, ids.0).get_or_insert_with(|| {
            let target = date + Days::new(spec.target_dte_days as u64);
            choose_expiry(&tape.cal, date, spec.target_dte_days, spec.expiries)
                .filter(|e| *e <= tape.last_day && target <= tape.last_day)
        });
        let expiry = expiry?;
        let c = match entry.cohorts.iter().position(|c| c.expiry == expiry) {
            Some(c) => c,
            None => {
                let terms = tape.terms(j0, expiry);
                self.held += 14 * terms.len();
                let flat = s.surface.smile.is_flat();
                entry.cohorts.push(Cohort {
                    expiry,
                    terms,
                    flat,
                    condors: Vec::new(),
                    picks: Vec::new(),
                    legs: Vec::new(),
                    index: Vec::new(),
                });
                entry.cohorts.len() - 1
            }
        };
        let cohort = &mut entry.cohorts[c];
        if slot_at(&mut cohort.condors, ids.1).is_none() {
            let store = &mut self.store;
            let condor = cohort.strikes(spec, &tape.quote(j0)).ok().filter(|k| k[1] < k[2]).map(|strikes| {
                let slots = legs(strikes).map(|l| cohort.slot(store, l));
                CondorPrices { strikes, slots, values: store.reserve(cohort.terms.len()) }
            });
            cohort.condors[ids.1] = Some(condor);
            self.held += 50;
        }
        let condor = cohort.condors[ids.1].as_ref().and_then(|c| c.as_ref())?;
        Some((expiry, c, condor.strikes, condor.values.start))
    }

    /// Extend the values of the condor opened on session `entry` (cohort `cohort`, strike id
    /// `sid`) to `to` sessions from the entry (at most to its expiry); returns how many it has
    /// (more than `to` when an earlier combination needed more).
    fn extend(&mut self, tape: &Tape, (entry, cohort, sid): (usize, usize, usize), to: usize) -> usize {
        let Some(e) = self.entries[entry].as_deref_mut() else { return 0 };
        let cohort = &mut e.cohorts[cohort];
        let to = to.min(cohort.terms.len());
        let store = &mut self.store;
        let (n, added, has) = cohort.values_to(store, &tape.days[entry..], &tape.surfaces[entry..], sid, to);
        self.held += n + added;
        self.computed += n;
        has
    }

    /// Whether each session is an entry day of `schedule` (not used for `WhenFlat`): the
    /// [`EntryClock`] run once over the tape.
    fn due_days(&mut self, tape: &Tape, schedule: EntrySchedule) -> Vec<bool> {
        if let Some((_, d)) = self.due.iter().find(|(k, _)| *k == schedule) {
            return d.clone();
        }
        let mut clock = EntryClock::default();
        let d: Vec<bool> =
            tape.days.iter().map(|d| clock.due(schedule, &tape.cal, d.session, false)).collect();
        self.due.push((schedule, d.clone()));
        d
    }
}

/// An open condor in the kernel.
#[derive(Debug)]
struct Open {
    legs: [Leg; 4],
    /// Where its values live in the memo: entry session, cohort, strike id.
    key: (usize, usize, usize),
    /// Its values per share from the entry are `store[at..at + filled]`.
    at: usize,
    filled: usize,
    expiry_ord: i32,
    am_settled: bool,
    contracts: u32,
    credit: f64,
    exits: ExitLevels,
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

/// Book equity at a close: cash less the open condors' buy-back cost.
fn book_usd(open: &[Open], cash: f64) -> f64 {
    equity_usd(cash, open.iter().map(|c| c.value * c.contracts as f64 * MULTIPLIER), 0.0)
}

/// Run the condor-only strategy `s` (see [`supports`]) over `tape`, sharing work through `memo`:
/// the engine's result, bit for bit.
pub fn run_condors(s: &Strategy, tape: &Tape, memo: &mut Memo) -> CondorRun {
    memo.prepare(tape);
    let ids = memo.ids(&s.condor);
    let spec = &s.condor;
    let due = memo.due_days(tape, spec.entry);
    let (hs, comm) = (s.half_spread_usd, s.commission_usd);
    let mut cash = s.initial_usd;
    let mut open: Vec<Open> = Vec::new();
    let mut equity = Vec::with_capacity(tape.len() + 1);
    equity.push(s.initial_usd);
    let mut in_market = Vec::with_capacity(tape.len());
    let mut trade_pnl = Vec::with_capacity(tape.len() / 4);
    let mut j = 0;
    while j < tape.len() {
        if open.len() == 1 && spec.max_concurrent == 1 {
            // No entry until the one condor exits: the sessions up to its exit in a tight loop.
            j = hold(s, tape, memo, &mut open[0], j, &mut cash, &mut equity);
            in_market.resize(j, true);
            if j == tape.len() {
                break;
            }
        }
        let d = &tape.days[j];
        cash += interest_usd(s.interest_on_cash, cash, d.rate, d.dt);
        let mut k = 0;
        while k < open.len() {
            let c = &mut open[k];
            let (expiring, value) = value_on(tape, memo, c, j);
            match c.exits.reason(expiring, value, (c.expiry_ord - d.ord) as i64, false) {
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
        let due_now = if spec.entry == EntrySchedule::WhenFlat { open.is_empty() } else { due[j] };
        if due_now && open.len() < spec.max_concurrent as usize {
            if let Some(o) = open_condor(s, tape, memo, ids, j) {
                let margin: f64 = open.iter().map(|c| margin_usd(c.width, c.credit, c.contracts)).sum();
                let contracts =
                    contracts_for(spec.sizing, 1.0, o.credit, o.width, book_usd(&open, cash), margin);
                if contracts > 0 {
                    let n = contracts as f64;
                    cash += o.credit * MULTIPLIER * n - 4.0 * comm * n;
                    open.push(Open { contracts, ..o });
                }
            }
        }
        equity.push(book_usd(&open, cash));
        in_market.push(!open.is_empty());
        j += 1;
    }
    let metrics = compute(MetricInputs {
        dates: &tape.dates,
        month_ends: &tape.month_ends,
        equity: &equity,
        trade_pnl: &trade_pnl,
        in_market: &in_market,
        rf_annual: tape.rf_annual,
    });
    equity.remove(0);
    CondorRun { initial_usd: s.initial_usd, equity_usd: equity, metrics }
}

/// The open condor `c`'s value per share on session `j` (its entry's session or later).
#[inline]
fn value_on(tape: &Tape, memo: &mut Memo, c: &mut Open, j: usize) -> (bool, f64) {
    let d = &tape.days[j];
    if d.ord >= c.expiry_ord {
        return (true, settle_value(&c.legs, if c.am_settled { d.open } else { d.spot.value }));
    }
    let i = j - c.key.0;
    if i >= c.filled {
        c.filled = memo.extend(tape, c.key, i + BLOCK);
        // Sessions before the expiry all have terms (see `Tape::terms`).
        debug_assert!(i < c.filled);
    }
    (false, memo.store.values[c.at + i])
}

/// Run the sessions from `j` while `c`, the only condor open, stays open and no entry is
/// possible (`max_concurrent` 1): what the daily loop does on them, without its bookkeeping.
/// Returns the session it exits or expires on (not run: the daily loop closes it), or the
/// tape's end.
fn hold(
    s: &Strategy,
    tape: &Tape,
    memo: &mut Memo,
    c: &mut Open,
    mut j: usize,
    cash: &mut f64,
    equity: &mut Vec<f64>,
) -> usize {
    // The condor has values on the sessions before its expiry (see `Tape::terms`), in blocks.
    while j < tape.len() && tape.days[j].ord < c.expiry_ord {
        let i = j - c.key.0;
        if i >= c.filled {
            c.filled = memo.extend(tape, c.key, i + BLOCK);
        }
        let n = c.filled.saturating_sub(i).min(tape.len() - j);
        let values = &memo.store.values[c.at + i..c.at + i + n];
        for (&value, d) in values.iter().zip(&tape.days[j..j + n]) {
            if c.exits.reason(false, value, (c.expiry_ord - d.ord) as i64, false).is_some() {
                return j;
            }
            *cash += interest_usd(s.interest_on_cash, *cash, d.rate, d.dt);
            c.value = value;
            equity.push(book_usd(std::slice::from_ref(c), *cash));
            j += 1;
        }
    }
    j
}

/// The condor `s` would open on session `j` (no contracts yet), its first block priced.
fn open_condor(s: &Strategy, tape: &Tape, memo: &mut Memo, ids: (usize, usize), j: usize) -> Option<Open> {
    let (expiry, cohort, strikes, at) = memo.open(tape, s, ids, j)?;
    let key = (j, cohort, ids.1);
    let filled = memo.extend(tape, key, BLOCK);
    let value = memo.store.values[at];
    let credit = value - 4.0 * s.half_spread_usd;
    Some(Open {
        legs: legs(strikes),
        key,
        at,
        filled,
        expiry_ord: expiry.num_days_from_ce(),
        am_settled: s.condor.expiries == Expiries::Monthly,
        contracts: 0,
        credit,
        exits: ExitLevels::new(&s.condor, credit),
        width: width_pts(strikes),
        value,
    })
}

/// Tapes of one sweep, built on first use and shared (one per [`tape_key`]).
#[derive(Debug, Default)]
pub struct Tapes {
    built: Mutex<Vec<(TapeKey, Option<Arc<Tape>>)>>,
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
