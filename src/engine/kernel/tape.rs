//! The kernel's tape: the market's sessions over a run window, replayed once through the
//! engine's market state and shared read-only by every combination (and thread) of a sweep.

use super::super::book::{years_since, Session};
use super::super::condor::Quote;
use super::super::market::{stream, Market};
use super::super::run::MarketState;
use crate::config::{RateSpec, Strategy};
use crate::metrics::month_ends;
use crate::pricing::{
    vix_futures_on, AtVol, BsmExpiry, FuturesModel, Spot, SpxSurface, SurfaceParams, Tenor, VolIndices,
};
use crate::replay::Replay;
use crate::time::Calendar;
use chrono::{Datelike, NaiveDate};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// One SPX session of the run, as the engine sees it at the close.
#[derive(Debug, Clone)]
pub(super) struct TapeDay {
    pub(super) session: Session,
    /// Days since 0001-01-01 (day counts without calendar arithmetic).
    pub(super) ord: i32,
    pub(super) spot: Spot,
    /// The session's open (AM settlement print).
    pub(super) open: f64,
    pub(super) rate: f64,
    /// Years since the previous session (calendar days / 365; 0 on the first).
    pub(super) dt: f64,
}

/// The market's sessions over a run window, replayed once; read-only and shared by every thread.
#[derive(Debug)]
pub struct Tape {
    pub(super) id: u64,
    pub(super) days: Vec<TapeDay>,
    /// Each session's `ord` (apart from `days`: the hold loop reads only these, 4 bytes a session).
    pub(super) ords: Vec<i32>,
    /// Each session's vol surface (apart from `days`: the daily loop does not read it).
    pub(super) surfaces: Vec<SpxSurface>,
    pub(super) dates: Vec<NaiveDate>,
    pub(super) month_ends: Vec<usize>,
    pub(super) cal: Calendar,
    pub(super) last_day: NaiveDate,
    /// The mean of the sessions' rates (the metrics' risk-free rate).
    pub(super) rf_annual: f64,
    pub(super) div: f64,
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
            vix_futures_on(date, vix, m.vx_row_on(date), FuturesModel::default()).ok()?;
            let dt = years_since(days.last().map(|p: &TapeDay| p.session.date), date);
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
            ords: days.iter().map(|d| d.ord).collect(),
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

    pub(super) fn quote(&self, j: usize) -> Quote<'_> {
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
    pub(super) fn terms(&self, j0: usize, expiry: NaiveDate) -> impl ExactSizeIterator<Item = Terms> + '_ {
        let n = self.dates[j0..].partition_point(|d| *d < expiry);
        let expiry_ord = expiry.num_days_from_ce();
        self.days[j0..j0 + n].iter().zip(&self.surfaces[j0..]).map(move |(d, surface)| {
            // Calendar days by ordinals: the same count as the dates' difference, without its
            // calendar arithmetic.
            let t = i64::from(expiry_ord - d.ord).max(0) as f64 / 365.0;
            let tenor = surface.tenor(t);
            let bsm = BsmExpiry::new(t, d.rate, self.div);
            Terms {
                t,
                forward: d.spot.value * ((d.rate - self.div) * t).exp(),
                tenor,
                at_atm: bsm.at_vol(tenor.atm),
                bsm,
            }
        })
    }
}

/// Per (session, expiry): what every strike shares.
#[derive(Debug, Clone, Copy)]
pub(super) struct Terms {
    pub(super) t: f64,
    pub(super) forward: f64,
    /// The ATM vol and the wings' scale.
    pub(super) tenor: Tenor,
    pub(super) bsm: BsmExpiry,
    /// The vol terms at the ATM vol (every strike's, without a smile).
    pub(super) at_atm: AtVol,
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
