//! The sweep's fast path for condor-only strategies (no hedge layers, no rules): the engine's own
//! book rules (`engine::book`) run over a [`Tape`], the market's sessions replayed once and
//! shared read-only by every combination of a sweep, with a [`Memo`] of the work combinations
//! share.
//!
//! Work is shared where combinations agree. A memo belongs to one thread and serves the
//! combinations it runs (the sweep gives a thread combinations that differ only in their strikes,
//! wings, exits and sizing): per entry session it keeps the expiry choices, the terms of each
//! expiry (time, discount factors, vol terms, per session to the expiry), the strike choices, and
//! each leg's daily prices (one strike of one expiry opened on one session). Prices are computed
//! in blocks of [`BLOCK`] sessions as an open condor reaches them, so a condor that exits early
//! prices little, and every other combination that opens the same leg there reuses them. The
//! sweep advances a group's combinations in step, [`STEP`] sessions at a time
//! ([`run_in_step`]), and the memo forgets each entry once every combination is past its expiry:
//! it holds a few weeks of entries (a few hundred kB, hot in cache), not the whole tape's (8 MB a
//! thread on the condor grid). No locks and no reference counts on the hot path.
//!
//! The kernel gives the same bits as [`super::run`] on the same strategy (same arithmetic, same
//! order): `tests/integration` checks every row of the 1600-combination grid and strategies with
//! monthly expiries, smiles, risk sizing and interest against the engine, and `ironhedge sweep`
//! re-runs its top combinations through the engine and refuses to finish if they differ.

mod memo;
mod store;
mod tape;

pub use memo::{Memo, BLOCK};
pub use tape::{tape_key, Tape, TapeKey, Tapes};
use tape::{TapeDay, Terms};

use super::book::{
    closing, contracts_for, entry_cash_usd, entry_credit, equity_usd, interest_usd, margin_usd,
    model_spread_usd, settlement_print, width_pts, ExitLevels,
};
use super::condor::{legs, settle_value, Leg, MULTIPLIER};
use super::market::Market;
use crate::config::{CondorSpec, EntrySchedule, Expiries, Strategy};
use crate::metrics::{Metrics, MetricsAcc};
use chrono::Datelike;
use std::rc::Rc;

/// Whether the kernel runs this strategy exactly as the engine would: no hedge, no rules, no
/// chain-priced legs (the kernel prices on the model only), and no AM settlement on a close-only
/// SPX file (an engine error the kernel leaves to the engine).
pub fn supports(s: &Strategy, m: &Market) -> bool {
    s.hedge.is_none()
        && s.rules.is_empty()
        && m.spx_chain.is_none()
        && !(s.condor.expiries == Expiries::Monthly && m.spx.close_only)
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
    /// Equity at the last session's close (`None` on an empty tape).
    pub final_equity_usd: Option<f64>,
    pub metrics: Metrics,
}

/// Book equity at a close: cash less the open condors' buy-back cost.
fn book_usd(open: &[Open], cash: f64) -> f64 {
    equity_usd(cash, open.iter().map(|c| buy_back_usd(c.value, c.contracts)), 0.0)
}

/// The cost of buying back `contracts` condors worth `value` per share.
#[inline]
fn buy_back_usd(value: f64, contracts: u32) -> f64 {
    value * contracts as f64 * MULTIPLIER
}

/// What a kernel run reads of its strategy (besides its [`Tape`]): a few hundred bytes, where a
/// [`Strategy`] holds kilobytes and a dozen allocations.
#[derive(Debug, Clone)]
pub struct CondorRules {
    pub condor: CondorSpec,
    pub initial_usd: f64,
    pub interest_on_cash: bool,
    pub half_spread_usd: f64,
    pub commission_usd: f64,
    /// No smile: every strike at the ATM vol.
    pub flat_vol: bool,
}

impl CondorRules {
    /// The rules of the condor-only strategy `s` (see [`supports`]).
    pub fn of(s: &Strategy) -> Self {
        CondorRules {
            condor: s.condor.clone(),
            initial_usd: s.initial_usd,
            interest_on_cash: s.interest_on_cash,
            half_spread_usd: s.half_spread_usd,
            commission_usd: s.commission_usd,
            flat_vol: s.surface.smile.is_flat(),
        }
    }
}

/// Run the condor-only strategy whose rules are `s` (see [`supports`]) over `tape`, sharing work
/// through `memo`: the engine's result, bit for bit.
pub fn run_condors(s: &CondorRules, tape: &Tape, memo: &mut Memo) -> CondorRun {
    memo.prepare(tape);
    let mut run = CondorState::new(s, tape, memo);
    run.advance(tape, memo, tape.len());
    run.finish(tape)
}

/// A condor-only run (see [`run_condors`]) part-way through its tape: the sessions before `j`
/// have been run. Runs of one memo advance in step ([`run_in_step`]), so that the memo can
/// forget the entries every run has left behind ([`Memo::release`]). Its metrics are taken as it
/// goes ([`MetricsAcc`]): no equity curve is kept.
#[derive(Debug)]
struct CondorState<'s, 't> {
    s: &'s CondorRules,
    ids: (usize, usize),
    /// Per session: whether an entry is due (shared by the runs of one schedule).
    due: Rc<[bool]>,
    cash: f64,
    open: Vec<Open>,
    metrics: MetricsAcc<'t>,
    j: usize,
}

impl<'s, 't> CondorState<'s, 't> {
    /// `s` before its first session (`memo` prepared for `tape`).
    fn new(s: &'s CondorRules, tape: &'t Tape, memo: &mut Memo) -> Self {
        CondorState {
            s,
            ids: memo.ids(&s.condor),
            due: memo.due_days(tape, s.condor.entry),
            cash: s.initial_usd,
            open: Vec::new(),
            metrics: MetricsAcc::new(s.initial_usd, tape.len(), &tape.month_ends, tape.rf_annual),
            j: 0,
        }
    }

    /// Run the sessions from `self.j` up to `until` (excluded).
    fn advance(&mut self, tape: &Tape, memo: &mut Memo, until: usize) {
        let (s, spec) = (self.s, &self.s.condor);
        let (hs, comm) = (s.half_spread_usd, s.commission_usd);
        let until = until.min(tape.len());
        while self.j < until {
            if self.open.len() == 1 && spec.max_concurrent == 1 {
                // No entry until the one condor exits: the sessions up to its exit in a tight loop.
                self.j = hold(
                    s,
                    tape,
                    memo,
                    &mut self.open[0],
                    (self.j, until),
                    &mut self.cash,
                    &mut self.metrics,
                );
                if self.j == until {
                    break;
                }
            }
            let j = self.j;
            let d = &tape.days[j];
            self.cash += interest_usd(s.interest_on_cash, self.cash, d.rate, d.dt);
            let mut k = 0;
            while k < self.open.len() {
                let c = &mut self.open[k];
                let (expiring, value) = value_on(tape, memo, c, j);
                match c.exits.reason(expiring, value, (c.expiry_ord - d.ord) as i64, false) {
                    None => {
                        c.value = value;
                        k += 1;
                    }
                    Some(reason) => {
                        let close = closing(reason, value, c.credit, c.contracts, model_spread_usd(hs), comm);
                        self.cash -= close.cash_out_usd;
                        self.metrics.push_trade(close.pnl_usd);
                        self.open.remove(k);
                    }
                }
            }
            let due_now =
                if spec.entry == EntrySchedule::WhenFlat { self.open.is_empty() } else { self.due[j] };
            if due_now && self.open.len() < spec.max_concurrent as usize {
                self.enter(tape, memo);
            }
            self.metrics.push_day(book_usd(&self.open, self.cash), !self.open.is_empty());
            self.j += 1;
        }
    }

    /// Open the strategy's condor on session `self.j`, if it finds one and sizes it above zero.
    fn enter(&mut self, tape: &Tape, memo: &mut Memo) {
        let (s, open) = (self.s, &mut self.open);
        let Some(o) = open_condor(s, tape, memo, self.ids, self.j) else { return };
        let margin: f64 = open.iter().map(|c| margin_usd(c.width, c.credit, c.contracts)).sum();
        let contracts =
            contracts_for(s.condor.sizing, 1.0, o.credit, o.width, book_usd(open, self.cash), margin);
        if contracts > 0 {
            self.cash += entry_cash_usd(o.credit, contracts, s.commission_usd);
            open.push(Open { contracts, ..o });
        }
    }

    /// The finished run's final equity and metrics (every session run).
    fn finish(self, tape: &Tape) -> CondorRun {
        let final_equity_usd = self.metrics.last_equity_usd();
        let metrics = match (tape.dates.first(), tape.dates.last()) {
            (Some(&first), Some(&last)) => self.metrics.finish(first, last),
            _ => Metrics { trades: self.metrics.trades(), ..Metrics::default() },
        };
        CondorRun { initial_usd: self.s.initial_usd, final_equity_usd, metrics }
    }
}

/// Sessions the runs of [`run_in_step`] advance by between two of the memo's releases.
pub const STEP: usize = 32;

/// Run the condor-only strategies `runs` (see [`supports`]) over `tape` in step, [`STEP`]
/// sessions at a time, sharing work through `memo`, which forgets what every run has left behind
/// as they go: the same results as [`run_condors`] on each, with the memo's working set kept to
/// the entries still open (a few hundred kB, not the whole tape's). `go` is asked before each
/// step; when it says no, the runs are dropped unfinished (`None`).
pub fn run_in_step(
    runs: &[&CondorRules],
    tape: &Tape,
    memo: &mut Memo,
    mut go: impl FnMut() -> bool,
) -> Option<Vec<CondorRun>> {
    memo.prepare(tape);
    let mut states: Vec<CondorState<'_, '_>> = runs.iter().map(|s| CondorState::new(s, tape, memo)).collect();
    let mut until = 0;
    while until < tape.len() {
        if !go() {
            return None;
        }
        until = (until + STEP).min(tape.len());
        for st in &mut states {
            st.advance(tape, memo, until);
        }
        memo.release(until);
    }
    Some(states.into_iter().map(|st| st.finish(tape)).collect())
}

/// The open condor `c`'s value per share on session `j` (its entry's session or later).
#[inline]
fn value_on(tape: &Tape, memo: &mut Memo, c: &mut Open, j: usize) -> (bool, f64) {
    let d = &tape.days[j];
    if d.ord >= c.expiry_ord {
        return (true, settle_value(&c.legs, settlement_print(c.am_settled, d.open, d.spot.value)));
    }
    let i = fill_to(tape, memo, c, j);
    // Sessions before the expiry all have values (see `Tape::terms`): past them the store holds
    // another series, so stop rather than read it.
    assert!(i < c.filled, "kernel: no value for session {j} of a condor before its expiry");
    (false, memo.store.values[c.at + i])
}

/// Make sure the open condor `c` has its value on session `j` (before its expiry) if it can,
/// pricing the next block; returns `j`'s offset from its entry.
#[inline]
fn fill_to(tape: &Tape, memo: &mut Memo, c: &mut Open, j: usize) -> usize {
    let i = j - c.key.0;
    if i >= c.filled {
        c.filled = memo.extend(tape, c.key, i + BLOCK);
    }
    i
}

/// Run the sessions from `j` while `c`, the only condor open, stays open and no entry is
/// possible (`max_concurrent` 1): what the daily loop does on them, without its bookkeeping.
/// Returns the session it exits or expires on (not run: the daily loop closes it), or `until`
/// (at most the tape's end), whichever comes first.
fn hold(
    s: &CondorRules,
    tape: &Tape,
    memo: &mut Memo,
    c: &mut Open,
    (mut j, until): (usize, usize),
    cash: &mut f64,
    metrics: &mut MetricsAcc<'_>,
) -> usize {
    // The condor has values on the sessions before its expiry (see `Tape::terms`), in blocks.
    while j < until && tape.ords[j] < c.expiry_ord {
        let i = fill_to(tape, memo, c, j);
        let n = c.filled.saturating_sub(i).min(until - j);
        if n == 0 {
            // Cannot happen (see above); the daily loop's `value_on` reports it.
            return j;
        }
        let values = &memo.store.values[c.at + i..c.at + i + n];
        let ords = &tape.ords[j..j + n];
        if s.interest_on_cash {
            for (k, (&value, &ord)) in values.iter().zip(ords).enumerate() {
                if c.exits.reason(false, value, (c.expiry_ord - ord) as i64, false).is_some() {
                    return j + k;
                }
                let d = &tape.days[j + k];
                *cash += interest_usd(true, *cash, d.rate, d.dt);
                c.value = value;
                metrics.push_day(book_usd(std::slice::from_ref(c), *cash), true);
            }
        } else {
            // Cash is constant without interest: find the exit first, then write the equity of
            // the sessions before it straight into the metrics' blocks (the same arithmetic as
            // `book_usd`).
            let exits = &c.exits;
            let stay = values
                .iter()
                .zip(ords)
                .position(|(&v, &ord)| exits.reason(false, v, (c.expiry_ord - ord) as i64, false).is_some())
                .unwrap_or(n);
            if stay > 0 {
                // What the engine adds each session without interest: idempotent, and not a
                // no-op on -0.0.
                *cash += 0.0;
                let (cash, contracts) = (*cash, c.contracts);
                metrics.push_days_in_market(stay, |k| {
                    equity_usd(cash, std::iter::once(buy_back_usd(values[k], contracts)), 0.0)
                });
                c.value = values[stay - 1];
            }
            if stay < n {
                return j + stay;
            }
        }
        j += n;
    }
    j
}

/// The condor `s` would open on session `j` (no contracts yet), its first block priced.
fn open_condor(s: &CondorRules, tape: &Tape, memo: &mut Memo, ids: (usize, usize), j: usize) -> Option<Open> {
    let (expiry, cohort, strikes, at) = memo.open(tape, s, ids, j)?;
    let key = (j, cohort, ids.1);
    let filled = memo.extend(tape, key, BLOCK);
    let value = memo.store.values[at];
    let credit = entry_credit(value, model_spread_usd(s.half_spread_usd));
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
