//! The kernel's memo: the work that the combinations one thread runs share
//! (see the parent module): per entry session the expiry choices, each expiry's terms, the strike
//! choices, and the leg prices and condor values, in one store, filled in blocks of [`BLOCK`]
//! sessions as open condors reach them.

use super::store::{Series, Store};
use super::{Tape, TapeDay, Terms};
use crate::config::{CondorSpec, EntrySchedule, Expiries, WingSpec};
use crate::engine::book::{condor_value, EntryClock};
use crate::engine::condor::{choose_expiry, legs, ChooserTerms, Leg, Quote, StrikeAdjust, StrikeChooser};
use crate::pricing::{OptionType, Spot, SpxSurface, StrikeError, StrikeRule, Strip};
use chrono::{Days, NaiveDate};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

type StrikeKey = (StrikeRule, StrikeRule, WingSpec);

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

/// What a cohort prices its legs from, per session from the entry while the date is before the
/// expiry.
#[derive(Debug)]
enum Inputs {
    /// No smile: every strike at the ATM vol, by column (vectorised: [`Strip`]).
    Flat(Strip),
    /// A smile: each strike's vol from the session's surface.
    Smile(Vec<Terms>),
}

impl Inputs {
    /// Values (8 bytes each) held per session.
    fn values_per_session(&self) -> usize {
        match self {
            Inputs::Flat(_) => Strip::VALUES_PER_SESSION,
            Inputs::Smile(_) => std::mem::size_of::<Terms>() / 8,
        }
    }

    fn sessions(&self) -> usize {
        match self {
            Inputs::Flat(s) => s.len(),
            Inputs::Smile(t) => t.len(),
        }
    }
}

/// Condors that can be opened on one session for one expiry.
#[derive(Debug)]
struct Cohort {
    expiry: NaiveDate,
    /// The session from which none of its values is read: its entry's plus its sessions.
    dies: usize,
    inputs: Inputs,
    /// By [`Keys`] strike id: `None` until tried, then the condor (`None`: no valid condor).
    condors: Vec<Option<Option<CondorPrices>>>,
    /// The strike choices' terms on the entry session (worked out on first use).
    chooser: Option<ChooserTerms>,
    /// What each (kind, rule) picked (the strike choices' expensive part, shared by wings).
    picks: Vec<((OptionType, StrikeRule), Result<f64, StrikeError>)>,
    legs: Vec<LegPrices>,
    /// `strike bits << 1 | call` -> slot in `legs`.
    index: HashMap<u64, usize, BuildHasherDefault<KeyHasher>>,
}

/// A hasher for the memo's integer keys (one multiply; no defence against chosen keys needed).
#[derive(Debug, Default)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0 ^ x ^ (x >> 32)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

impl Cohort {
    /// The slot of `leg` in `legs` (added, with no prices yet, on first use).
    fn slot(&mut self, store: &mut Store, leg: Leg) -> usize {
        // Strikes are positive: the sign bit is free for the kind.
        let key = leg.strike.to_bits() << 1 | u64::from(leg.kind == OptionType::Call);
        let legs = &mut self.legs;
        *self.index.entry(key).or_insert_with(|| {
            let prices = store.reserve(self.inputs.sessions(), self.dies);
            legs.push(LegPrices { kind: leg.kind, strike: Spot::new(leg.strike), prices });
            legs.len() - 1
        })
    }

    /// The strikes `spec` picks on session `q` (picks shared between strike rules).
    fn strikes(&mut self, spec: &CondorSpec, q: &Quote<'_>) -> Result<[f64; 4], StrikeError> {
        let expiry = self.expiry;
        let terms = *self.chooser.get_or_insert_with(|| ChooserTerms::new(q, expiry));
        let chooser = StrikeChooser::with_terms(q, terms)?;
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
            if out.is_empty() {
                // Shared with a condor that has priced it further.
                continue;
            }
            computed += out.len();
            match &self.inputs {
                Inputs::Flat(strip) => strip.price_into(at, leg.kind, leg.strike, out),
                Inputs::Smile(terms) => {
                    price_smile((&terms[at..], &days[at..], &surfaces[at..]), leg.kind, leg.strike, out)
                }
            }
        }
        let [p0, p1, p2, p3] = c.slots.map(|s| self.legs[s].prices.start + from);
        let qty = legs(c.strikes).map(|l| l.qty);
        let v0 = c.values.start + from;
        let added = store.fill(&mut c.values, to).len();
        // Five distinct series (a condor's four legs have four strike-kinds): disjoint ranges.
        let Ok([a, b, c, d, values]) =
            store.values.get_disjoint_mut([p0, p1, p2, p3, v0].map(|p| p..p + added))
        else {
            unreachable!("kernel: a condor's series overlap")
        };
        let prices = a.iter().zip(&*b).zip(&*c).zip(&*d);
        for (v, (((a, b), c), d)) in values.iter_mut().zip(prices) {
            *v = condor_value([*a, *b, *c, *d], qty);
        }
        (computed, added, from + added)
    }
}

/// Price a leg (`kind`, strike `k`) on a smile into `out`, one price per session of `terms`,
/// `days` and `surfaces` (which start at the first session to price).
fn price_smile(
    (terms, days, surfaces): (&[Terms], &[TapeDay], &[SpxSurface]),
    kind: OptionType,
    k: Spot,
    out: &mut [f64],
) {
    for (p, ((x, d), sf)) in out.iter_mut().zip(terms.iter().zip(days).zip(surfaces)) {
        let v = x.bsm.at_vol(sf.vol_at(k.value, x.forward, x.t, x.tenor));
        *p = x.bsm.price_at(kind, d.spot, k, v).0;
    }
}

/// What one entry session has worked out so far.
#[derive(Debug, Default)]
struct EntryMemo {
    /// By [`Keys`] expiry id: `None` until tried, then the expiry (`None`: none in the window).
    expiries: Vec<Option<Option<NaiveDate>>>,
    cohorts: Vec<Cohort>,
    /// Its part of [`Memo::held`].
    held: usize,
}

/// Sessions priced at a time when an open condor needs prices it does not have yet.
pub const BLOCK: usize = 12;

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

thread_local! {
    /// The store of this thread's last memo, for its next memo: its pages are mapped, and a
    /// fresh one would be zeroed again.
    static SPARE: std::cell::Cell<Vec<f64>> = const { std::cell::Cell::new(Vec::new()) };
}

impl Drop for Memo {
    fn drop(&mut self) {
        SPARE.set(std::mem::take(&mut self.store.values));
    }
}

/// The work shared by the combinations one thread runs on one tape (see the module doc).
#[derive(Debug)]
pub struct Memo {
    keys: Keys,
    /// Values the memo may hold before a run starts; beyond it the memo forgets its work.
    budget: usize,
    tape: u64,
    entries: Vec<Option<Box<EntryMemo>>>,
    pub(super) store: Store,
    /// The tape's entry days per schedule.
    due: Vec<(EntrySchedule, Rc<[bool]>)>,
    /// Values held (prices, each cohort's inputs per session, about 50 per strike choice).
    held: usize,
    /// Entries before it are all forgotten ([`Memo::release`]).
    released: usize,
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
            store: Store::over(SPARE.take()),
            due: Vec::new(),
            held: 0,
            released: 0,
            computed: 0,
        }
    }

    /// Ready for `tape`: forgets another tape's work, and its own when it holds more than the
    /// budget (a forgotten price is recomputed to the bit).
    pub(super) fn prepare(&mut self, tape: &Tape) {
        if self.tape != tape.id {
            self.due.clear();
        }
        if self.tape != tape.id || self.held > self.budget {
            self.tape = tape.id;
            self.entries.clear();
            self.entries.resize_with(tape.len(), || None);
            // Room for a large group's values up front (address space only until written):
            // growing by doubling copies them all, 3-5 ms of the condor grid's 90.
            self.store.reset((tape.len() * 1024).min(self.budget));
            self.held = 0;
        }
        // Runs start from the tape's first session again (no entry is missed by `release`).
        self.released = 0;
    }

    /// The ids of `spec`'s expiry rule and strike rules.
    pub(super) fn ids(&mut self, spec: &CondorSpec) -> (usize, usize) {
        (
            intern(&mut self.keys.expiries, (spec.target_dte_days, spec.expiries)),
            intern(&mut self.keys.strikes, (spec.short_put, spec.short_call, spec.wing)),
        )
    }

    /// The condor `s` (rule ids `ids`) opens on session `j0`: its expiry, cohort, strikes and
    /// where its values start in the store.
    pub(super) fn open(
        &mut self,
        tape: &Tape,
        s: &super::CondorRules,
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
        // Room for the strike choices a group typically brings (at least 32), so that a cohort's
        // tables do not grow by copying as later combinations add theirs (-5 ms on the grid).
        let room = self.keys.strikes.len().max(32);
        let c = match entry.cohorts.iter().position(|c| c.expiry == expiry) {
            Some(c) => c,
            None => {
                let terms = tape.terms(j0, expiry);
                let inputs = if s.flat_vol {
                    let mut strip = Strip::with_capacity(terms.len());
                    for (x, d) in terms.zip(&tape.days[j0..]) {
                        strip.push(d.spot, x.bsm, x.at_atm);
                    }
                    Inputs::Flat(strip)
                } else {
                    Inputs::Smile(terms.collect())
                };
                let held = inputs.values_per_session() * inputs.sessions();
                (self.held, entry.held) = (self.held + held, entry.held + held);
                entry.cohorts.push(Cohort {
                    expiry,
                    dies: j0 + inputs.sessions(),
                    inputs,
                    condors: Vec::with_capacity(room),
                    chooser: None,
                    picks: Vec::with_capacity(room),
                    legs: Vec::with_capacity(2 * room),
                    index: HashMap::with_capacity_and_hasher(2 * room, Default::default()),
                });
                entry.cohorts.len() - 1
            }
        };
        let cohort = &mut entry.cohorts[c];
        if slot_at(&mut cohort.condors, ids.1).is_none() {
            let store = &mut self.store;
            let condor = cohort.strikes(spec, &tape.quote(j0)).ok().filter(|k| k[1] < k[2]).map(|strikes| {
                let slots = legs(strikes).map(|l| cohort.slot(store, l));
                CondorPrices { strikes, slots, values: store.reserve(cohort.inputs.sessions(), cohort.dies) }
            });
            cohort.condors[ids.1] = Some(condor);
            (self.held, entry.held) = (self.held + 50, entry.held + 50);
        }
        let condor = cohort.condors[ids.1].as_ref().and_then(|c| c.as_ref())?;
        Some((expiry, c, condor.strikes, condor.values.start))
    }

    /// Extend the values of the condor opened on session `entry` (cohort `cohort`, strike id
    /// `sid`) to `to` sessions from the entry (at most to its expiry); returns how many it has
    /// (more than `to` when an earlier combination needed more).
    pub(super) fn extend(
        &mut self,
        tape: &Tape,
        (entry, cohort, sid): (usize, usize, usize),
        to: usize,
    ) -> usize {
        let Some(e) = self.entries[entry].as_deref_mut() else { return 0 };
        let cohort = &mut e.cohorts[cohort];
        let to = to.min(cohort.inputs.sessions());
        let store = &mut self.store;
        let (n, added, has) = cohort.values_to(store, &tape.days[entry..], &tape.surfaces[entry..], sid, to);
        (self.held, e.held) = (self.held + n + added, e.held + n + added);
        self.computed += n;
        has
    }

    /// Forget the entries before session `at` whose values no session from `at` on reads (every
    /// cohort's expiry reached), and free their store's slabs: for runs that have all reached
    /// `at` (see [`super::run_in_step`]). A forgotten entry is worked out again if a run asks.
    pub(super) fn release(&mut self, at: usize) {
        let at = at.min(self.entries.len());
        for e in &mut self.entries[self.released..at] {
            if e.as_ref().is_some_and(|m| m.cohorts.iter().all(|c| c.dies <= at)) {
                self.held -= e.take().map_or(0, |m| m.held);
            }
        }
        while self.released < at && self.entries[self.released].is_none() {
            self.released += 1;
        }
        self.store.release(at);
    }

    /// Whether each session is an entry day of `schedule` (not used for `WhenFlat`): the
    /// [`EntryClock`] run once over the tape.
    pub(super) fn due_days(&mut self, tape: &Tape, schedule: EntrySchedule) -> Rc<[bool]> {
        if let Some((_, d)) = self.due.iter().find(|(k, _)| *k == schedule) {
            return Rc::clone(d);
        }
        let mut clock = EntryClock::default();
        let d: Rc<[bool]> =
            tape.days.iter().map(|d| clock.due(schedule, &tape.cal, d.session, false)).collect();
        self.due.push((schedule, Rc::clone(&d)));
        d
    }
}
