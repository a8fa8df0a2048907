//! Event studies: does a signal (a liquidation cascade, a VIX term inversion, a MACD cross, an
//! RSI extreme, a funding extreme, a macro-calendar release) carry information for SPX and VIX
//! over the following sessions, and does a condor book's damage in the event windows look like
//! gamma or like vega?
//!
//! A study runs the strategy once (the engine, so the events and the books are exactly those of a
//! backtest), finds each signal's events ([`events`]), keeps the independent ones (cool-down),
//! measures forward SPX return, realised vol, VIX and VIX-future change at horizons 1..N against
//! the unconditional baseline with bootstrap intervals and random-date p-values ([`stats`]),
//! adjusts every p-value of the study for multiple comparisons (Holm), shows each half of the
//! sample side by side, and splits each book's Greek attribution between the event windows and
//! all other sessions ([`attribution`]).

pub mod attribution;
pub mod events;
pub mod stats;
mod write;

pub use attribution::{split_by_window, window_mask, WindowSplit};
pub use events::{cooldown, detect, Event, EventSignal, Sessions};
pub use stats::{cell, holm, Cell, Measure, Series};
pub use write::write_study;

use crate::data::MacroEvent;
use crate::engine::{Market, RunResult};

/// What a study looks at.
#[derive(Debug, Clone)]
pub struct StudySpec {
    /// The signals as written (`cascade`, `rsi_below:30`, ...) and parsed.
    pub signals: Vec<(String, EventSignal)>,
    /// Horizons 1..=`horizon` sessions.
    pub horizon: usize,
    /// Sessions an event must follow the previous kept one by.
    pub cooldown: usize,
    /// Sessions of the attribution window from each event's session on.
    pub window: usize,
}

/// The study of one signal.
#[derive(Debug, Clone)]
pub struct SignalStudy {
    pub name: String,
    /// Occurrences before the cool-down.
    pub raw: usize,
    /// The independent events.
    pub events: Vec<Event>,
    pub cells: Vec<Cell>,
    pub attribution: Vec<WindowSplit>,
}

/// A whole study.
#[derive(Debug, Clone)]
pub struct Study {
    pub sessions: Sessions,
    pub signals: Vec<SignalStudy>,
    /// Index of the first session of the sample's second half.
    pub split: usize,
    /// The number of p-values Holm's adjustment ran over.
    pub tests: usize,
    pub spec: StudySpec,
}

/// Run the study of `spec` on the finished run `r` of market `m`.
pub fn study(spec: &StudySpec, r: &RunResult, m: &Market, calendar: &[MacroEvent]) -> Study {
    let sessions = Sessions::of_run(r, m);
    let n = sessions.dates.len();
    let split = n / 2;
    let baseline: Vec<usize> = (0..n).collect();
    let series = Series { spx: &sessions.spx, vix: &sessions.vix, vx30: &sessions.vx30 };
    let mut signals: Vec<SignalStudy> = spec
        .signals
        .iter()
        .map(|(name, sig)| {
            let all = detect(sig, &sessions, r, m, calendar);
            let events = cooldown(&all, spec.cooldown);
            let at: Vec<usize> = events.iter().map(|e| e.session).collect();
            let cells = Measure::ALL
                .iter()
                .flat_map(|&ms| (1..=spec.horizon).map(move |h| (ms, h)))
                .filter_map(|(ms, h)| cell(&series, ms, h, &at, &baseline, split))
                .collect();
            let attribution = split_by_window(r, &at, spec.window);
            SignalStudy { name: name.clone(), raw: all.len(), events, cells, attribution }
        })
        .collect();
    let p: Vec<f64> = signals.iter().flat_map(|s| s.cells.iter().map(|c| c.p)).collect();
    let adjusted = holm(&p);
    let mut k = 0;
    for s in &mut signals {
        for c in &mut s.cells {
            c.p_adj = adjusted[k];
            k += 1;
        }
    }
    Study { sessions, signals, split, tests: p.len(), spec: spec.clone() }
}
