//! Walk-forward analysis: the strategy's `[sweep]` optimised on an in-sample window, its best
//! combination (by the objective, constraints met) run on the following out-of-sample window,
//! window after window; rolling (a fixed-length in-sample window that moves) or anchored (the
//! in-sample window always starts at the first day). The out-of-sample equity segments are
//! stitched by compounding: each segment's returns continue from where the previous one ended.

use super::groups::groups;
use super::runner::run_one_in;
use super::spec::{show, SweepSpec};
use super::table::{metrics_of, Row, METRICS};
use crate::config::StrategySource;
use crate::engine::kernel::{Memo, Tapes};
use crate::engine::{run, Market};
use chrono::NaiveDate;

/// How the windows are laid out (in trading days of the SPX file inside the strategy's dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalkSpec {
    pub train_days: usize,
    pub test_days: usize,
    pub anchored: bool,
}

/// One window's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub train: Span,
    pub test: Span,
    /// The chosen combination (`None`: nothing in-sample was eligible; the window is flat).
    pub best: Option<u64>,
    pub params: Vec<String>,
    pub in_sample: Vec<Option<f64>>,
    pub out_sample: Vec<Option<f64>>,
    /// Out-of-sample daily equity of the chosen combination.
    pub oos: Vec<(NaiveDate, f64)>,
}

/// Why a walk-forward cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WalkError {
    #[error("walk-forward needs at least {need} trading days (train {train} + test {test}); the strategy's window has {have}")]
    TooShort { need: usize, train: usize, test: usize, have: usize },
    #[error("--train-days and --test-days must be at least 20 trading days each")]
    TooSmall,
}

/// A date range, first and last day included.
pub type Span = (NaiveDate, NaiveDate);

/// The (train, test) date windows over `days`.
pub fn windows(days: &[NaiveDate], w: WalkSpec) -> Result<Vec<(Span, Span)>, WalkError> {
    if w.train_days < 20 || w.test_days < 20 {
        return Err(WalkError::TooSmall);
    }
    let need = w.train_days + w.test_days;
    if days.len() < need {
        return Err(WalkError::TooShort { need, train: w.train_days, test: w.test_days, have: days.len() });
    }
    let mut out = Vec::new();
    let mut test_start = w.train_days;
    while test_start < days.len() {
        let test_end = (test_start + w.test_days).min(days.len()) - 1;
        let train_start = if w.anchored { 0 } else { test_start - w.train_days };
        out.push(((days[train_start], days[test_start - 1]), (days[test_start], days[test_end])));
        test_start += w.test_days;
    }
    Ok(out)
}

fn run_window(
    source: &StrategySource,
    spec: &SweepSpec,
    market: &Market,
    index: u64,
    from: NaiveDate,
    to: NaiveDate,
) -> (Row, Option<crate::engine::RunResult>) {
    let assignments = spec.assignments(index);
    let params = assignments.iter().map(|(_, v)| show(v)).collect();
    let outcome = source
        .with(&assignments, "sweep")
        .map_err(|e| e.to_string())
        .and_then(|s| run(&s, market, Some(from), Some(to)).map_err(|e| e.to_string()));
    match outcome {
        Ok(r) => (Row::new(index, params, "ok".into(), metrics_of(&r)), Some(r)),
        Err(e) => (Row::invalid(index, params, &e), None),
    }
}

/// Run the walk-forward on `jobs` threads.
pub fn walk_forward(
    source: &StrategySource,
    spec: &SweepSpec,
    market: &Market,
    w: WalkSpec,
    jobs: usize,
) -> Result<Vec<Window>, WalkError> {
    let base = source.validate().ok();
    let (start, end) = base.as_ref().map_or((None, None), |s| (s.start, s.end));
    let days: Vec<NaiveDate> = (0..market.spx.len())
        .map(|i| market.spx.date(i))
        .filter(|d| start.is_none_or(|s| *d >= s) && end.is_none_or(|e| *d <= e))
        .collect();
    let layout = windows(&days, w)?;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs.max(1)).build().expect("a thread pool");
    let all: Vec<u64> = (0..spec.combos.len()).collect();
    // In sample, the sweep's way: condor-only combinations on the kernel (the engine's numbers to
    // the bit), in groups that share a memo; one tape per training window.
    let parts = groups(spec, &all, all.len().div_ceil(8 * jobs.max(1)).clamp(1, 256));
    let tapes = Tapes::default();
    let mut out = Vec::new();
    for (train, test) in layout {
        let mut rows: Vec<Row> = pool.install(|| {
            use rayon::prelude::*;
            parts
                .par_iter()
                .flat_map_iter(|part| {
                    let mut memo = Memo::default();
                    let rows: Vec<Row> = part
                        .iter()
                        .map(|&i| run_one_in(source, spec, market, Some((&tapes, &mut memo)), i, Some(train)))
                        .collect();
                    rows
                })
                .collect()
        });
        rows.sort_by_key(|r| r.index);
        let best = super::report::ranked(spec, &rows, 1).first().map(|r| (*r).clone());
        let Some(best) = best else {
            out.push(Window {
                train,
                test,
                best: None,
                params: vec![],
                in_sample: vec![None; METRICS.len()],
                out_sample: vec![None; METRICS.len()],
                oos: vec![],
            });
            continue;
        };
        let (oos_row, oos_run) = run_window(source, spec, market, best.index, test.0, test.1);
        let oos = oos_run.map_or(Vec::new(), |r| r.days.iter().map(|d| (d.date, d.equity_usd)).collect());
        out.push(Window {
            train,
            test,
            best: Some(best.index),
            params: best.params.clone(),
            in_sample: best.metrics,
            out_sample: oos_row.metrics,
            oos,
        });
    }
    Ok(out)
}

/// The out-of-sample equity stitched across windows, starting at `initial` (a window with no
/// chosen combination stays flat).
pub fn stitch(windows: &[Window], initial: f64) -> Vec<(NaiveDate, f64)> {
    let mut level = initial;
    let mut out = Vec::new();
    for w in windows {
        for (d, e) in &w.oos {
            out.push((*d, level * e / initial));
        }
        if let Some((_, last)) = w.oos.last() {
            level *= last / initial;
        }
    }
    out
}

/// The metrics shown in-sample beside out-of-sample (the objective first).
fn side_by_side(spec: &SweepSpec) -> Vec<usize> {
    let mut cols = vec![spec.objective];
    for m in ["total_return", "sharpe", "max_drawdown", "trades"] {
        let i = METRICS.iter().position(|x| *x == m).expect("a metric name");
        if !cols.contains(&i) {
            cols.push(i);
        }
    }
    cols
}

/// Write `windows.csv`, `oos_equity.csv` and `walk_forward.png` into `dir`; returns the files.
pub fn write_walk(
    dir: &std::path::Path,
    spec: &SweepSpec,
    windows: &[Window],
    initial: f64,
    name: &str,
) -> Result<Vec<std::path::PathBuf>, crate::data::DataError> {
    use crate::data::{OutColumn, OutTable};
    let mut t = OutTable::default();
    let n = windows.len();
    t.push("window", OutColumn::Float((1..=n).map(|i| i as f64).collect()));
    t.push("train_from", OutColumn::Date(windows.iter().map(|w| w.train.0).collect()));
    t.push("train_to", OutColumn::Date(windows.iter().map(|w| w.train.1).collect()));
    t.push("test_from", OutColumn::Date(windows.iter().map(|w| w.test.0).collect()));
    t.push("test_to", OutColumn::Date(windows.iter().map(|w| w.test.1).collect()));
    t.push(
        "combination",
        OutColumn::Float(windows.iter().map(|w| w.best.map_or(f64::NAN, |b| b as f64)).collect()),
    );
    for (k, key) in spec.keys().iter().enumerate() {
        t.push(
            key,
            OutColumn::Text(windows.iter().map(|w| w.params.get(k).cloned().unwrap_or_default()).collect()),
        );
    }
    for m in side_by_side(spec) {
        for (prefix, side) in [("is", true), ("oos", false)] {
            let v = windows
                .iter()
                .map(|w| (if side { &w.in_sample } else { &w.out_sample })[m].unwrap_or(f64::NAN));
            t.push(&format!("{prefix}_{}", METRICS[m]), OutColumn::Float(v.collect()));
        }
    }
    t.write(&dir.join("windows.csv"))?;
    let stitched = stitch(windows, initial);
    let mut e = OutTable::default();
    e.push("date", OutColumn::Date(stitched.iter().map(|x| x.0).collect()));
    e.push("equity_usd", OutColumn::Float(stitched.iter().map(|x| x.1).collect()));
    e.write(&dir.join("oos_equity.csv"))?;
    let mut written = vec![dir.join("windows.csv"), dir.join("oos_equity.csv")];
    let pairs: Vec<(f64, f64)> = windows
        .iter()
        .map(|w| {
            (
                w.in_sample[spec.objective].unwrap_or(f64::NAN),
                w.out_sample[spec.objective].unwrap_or(f64::NAN),
            )
        })
        .collect();
    let starts: Vec<NaiveDate> = windows.iter().map(|w| w.test.0).collect();
    let title = match (stitched.first(), stitched.last()) {
        (Some(a), Some(b)) => format!("{name} — walk-forward, out-of-sample {} .. {}", a.0, b.0),
        _ => format!("{name} — walk-forward"),
    };
    let p = dir.join("walk_forward.png");
    crate::charts::walk_forward_chart(&p, &title, &stitched, &starts, METRICS[spec.objective], &pairs)
        .map_err(|e| crate::data::DataError::Write { path: p.clone(), message: e.to_string() })?;
    written.push(p);
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolling_and_anchored_windows() {
        let days: Vec<NaiveDate> =
            (0..100).map(|i| NaiveDate::from_ymd_opt(2020, 1, 1).unwrap() + chrono::Days::new(i)).collect();
        let w = windows(&days, WalkSpec { train_days: 40, test_days: 25, anchored: false }).unwrap();
        assert_eq!(w.len(), 3);
        assert_eq!(w[0], ((days[0], days[39]), (days[40], days[64])));
        assert_eq!(w[1], ((days[25], days[64]), (days[65], days[89])));
        assert_eq!(
            w[2],
            ((days[50], days[89]), (days[90], days[99])),
            "the last test window is cut at the end"
        );
        let a = windows(&days, WalkSpec { train_days: 40, test_days: 25, anchored: true }).unwrap();
        assert_eq!(a[2].0, (days[0], days[89]));
        assert!(windows(&days[..50], WalkSpec { train_days: 40, test_days: 25, anchored: false }).is_err());
    }

    #[test]
    fn stitching_compounds_segments() {
        let d = |i| NaiveDate::from_ymd_opt(2020, 1, i).unwrap();
        let seg = |a: Vec<(NaiveDate, f64)>| Window {
            train: (d(1), d(1)),
            test: (d(1), d(1)),
            best: Some(0),
            params: vec![],
            in_sample: vec![],
            out_sample: vec![],
            oos: a,
        };
        let s =
            stitch(&[seg(vec![(d(1), 100.0), (d(2), 110.0)]), seg(vec![(d(3), 100.0), (d(4), 90.0)])], 100.0);
        let want = [100.0, 110.0, 110.0, 99.0];
        assert_eq!(s.len(), 4);
        for ((_, got), want) in s.iter().zip(want) {
            assert!((got - want).abs() < 1e-9, "{got} vs {want}");
        }
    }
}
