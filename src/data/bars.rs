//! Bars: OHLC(V) or close-only price series (SPX, VIX and family, BTC ...), loaded into typed,
//! time-sorted columns.
//!
//! Accepted headers: `date|timestamp, open, high, low, close[, volume]`, or close-only
//! `date, close` / `date, <symbol>` (one value column). Validation: prices finite and > 0,
//! high >= low, volume >= 0 (errors); an open or close outside [low, high] is clamped into it and
//! reported as a repair (real Cboe VIX history 1992-2006 has 47 such bars).

use super::axis::{AxisSpec, Session, TimeAxis};
use super::findings::{analyse_with, load_with, Finding, Findings, Severity};
use super::parse::number_column;
use super::schema::{CLOSE, HIGH, LOW, OPEN, VOLUME};
use super::table::Table;
use super::DataError;
use crate::time::Timestamp;
use std::path::Path;

/// Options for loading bars.
#[derive(Debug, Clone)]
pub struct BarOptions {
    /// How daily dates become instants.
    pub session: Session,
    /// Intraday bar length in seconds, when it cannot be inferred from the rows.
    pub period_s: Option<i64>,
    /// Read this column as a close-only series (e.g. the `vix` column of a joined SPX/VIX file).
    pub value_column: Option<String>,
}

impl Default for BarOptions {
    fn default() -> Self {
        BarOptions { session: Session::NyseClose, period_s: None, value_column: None }
    }
}

/// A validated bar series, ascending in time.
#[derive(Debug, Clone, Default)]
pub struct BarSeries {
    /// Daily (dates) or intraday (timestamps).
    pub daily: bool,
    /// The close-only file had no open/high/low: those columns repeat the close.
    pub close_only: bool,
    /// The date (as midnight UTC) or bar start.
    pub start: Vec<Timestamp>,
    /// When the bar became known (session close, UTC day end, or bar end).
    pub known_at: Vec<Timestamp>,
    pub open: Vec<f64>,
    pub high: Vec<f64>,
    pub low: Vec<f64>,
    pub close: Vec<f64>,
    pub volume: Option<Vec<f64>>,
    /// Repairs applied while loading (e.g. clamped opens).
    pub repairs: Vec<Finding>,
}

impl BarSeries {
    pub fn len(&self) -> usize {
        self.close.len()
    }

    pub fn is_empty(&self) -> bool {
        self.close.is_empty()
    }

    /// The UTC calendar date of row `i` (the session date for daily bars).
    pub fn date(&self, i: usize) -> chrono::NaiveDate {
        self.start[i].utc_date()
    }

    /// Append one bar (the caller keeps time order).
    pub fn push(&mut self, start: Timestamp, known_at: Timestamp, ohlc: [f64; 4]) {
        self.start.push(start);
        self.known_at.push(known_at);
        self.open.push(ohlc[0]);
        self.high.push(ohlc[1]);
        self.low.push(ohlc[2]);
        self.close.push(ohlc[3]);
    }

    /// The row of a daily bar dated `date`, if any.
    pub fn index_of(&self, date: chrono::NaiveDate) -> Option<usize> {
        let i = self.start.partition_point(|s| s.utc_date() < date);
        (i < self.len() && self.date(i) == date).then_some(i)
    }

    /// The close of the daily bar dated `date`, if any.
    pub fn close_on(&self, date: chrono::NaiveDate) -> Option<f64> {
        self.index_of(date).map(|i| self.close[i])
    }
}

/// Load and validate a bar file. Errors name file, line, column, expected and found.
pub fn load_bars(path: &Path, opts: &BarOptions) -> Result<BarSeries, DataError> {
    let (bars, findings) = load_with(path, |t, out| analyse_bars(t, opts, out))?;
    Ok(with_repairs(bars, findings))
}

/// [`load_bars`] of one file with options `a` and with `b` (e.g. the SPX and VIX closes of one
/// table): the file read and parsed once, each series validated on its own (the same series and
/// errors as two loads).
pub fn load_bars_pair(
    path: &Path,
    a: &BarOptions,
    b: &BarOptions,
) -> Result<(BarSeries, BarSeries), DataError> {
    let table = Table::read(path)?;
    let spec = |o: &BarOptions| AxisSpec::periods(o.session, o.period_s);
    // Both series read the same time column the same way: its axis (and what it found) is
    // worked out once (the NYSE close of every date is a time-zone conversion).
    let mut axis_found = Findings::default();
    let shared = (spec(a) == spec(b)).then(|| TimeAxis::build(&table, spec(a), &mut axis_found));
    let one = |opts: &BarOptions| {
        analyse_with(&table, path, |t, out| match &shared {
            Some(Ok(axis)) => {
                out.extend(&axis_found);
                bars_on_axis(t, opts, axis.clone(), out)
            }
            // No shared axis, or one that failed: the series' own analysis (and its error).
            _ => analyse_bars(t, opts, out),
        })
        .map(|(b, f)| with_repairs(b, f))
    };
    Ok((one(a)?, one(b)?))
}

fn with_repairs(mut bars: BarSeries, findings: Vec<Finding>) -> BarSeries {
    bars.repairs = findings;
    bars.repairs.retain(|f| f.severity == Severity::Repair);
    bars
}

fn finite_positive(x: Option<f64>, row: usize, col: &str, t: &Table, out: &mut Findings) -> Option<f64> {
    let x = x?;
    if !x.is_finite() {
        out.at(Severity::Error, "not finite", t.location(row), col, "a finite price", x.to_string());
        None
    } else if x <= 0.0 {
        out.at(Severity::Error, "non-positive price", t.location(row), col, "a price > 0", x.to_string());
        None
    } else {
        Some(x)
    }
}

/// Parse and validate `t` as bars, recording every problem in `out`. Rows with errors are left
/// out of the returned series.
pub fn analyse_bars(t: &Table, opts: &BarOptions, out: &mut Findings) -> Result<BarSeries, DataError> {
    let axis = TimeAxis::build(t, AxisSpec::periods(opts.session, opts.period_s), out)?;
    bars_on_axis(t, opts, axis, out)
}

/// The close column's name: the caller's `value_column`, else `close`, else the one column
/// beside the time column.
fn close_column(t: &Table, opts: &BarOptions, axis: &TimeAxis) -> Result<String, DataError> {
    match opts.value_column.as_deref().or(t.find(CLOSE)) {
        Some(c) if t.find(&[c]).is_none() => Err(t.missing(&[c])),
        Some(c) => Ok(c.to_string()),
        None => {
            let others: Vec<&String> = t.names().iter().filter(|n| **n != axis.column).collect();
            match others.as_slice() {
                [one] => Ok(one.to_string()),
                _ => Err(t.missing(CLOSE)),
            }
        }
    }
}

/// [`analyse_bars`] with the time column already read into `axis`.
fn bars_on_axis(
    t: &Table,
    opts: &BarOptions,
    axis: TimeAxis,
    out: &mut Findings,
) -> Result<BarSeries, DataError> {
    let ohlc = opts.value_column.is_none() && [OPEN, HIGH, LOW, CLOSE].iter().all(|a| t.find(a).is_some());
    let close_col = close_column(t, opts, &axis)?;
    let close = number_column(t, &close_col, true, out)?;
    let (open, high, low) = if ohlc {
        (
            number_column(t, "open", true, out)?,
            number_column(t, "high", true, out)?,
            number_column(t, "low", true, out)?,
        )
    } else {
        (close.clone(), close.clone(), close.clone())
    };
    let volume = match t.find(VOLUME) {
        Some(v) => Some(number_column(t, v, false, out)?),
        None => None,
    };
    let mut bars = BarSeries { daily: axis.daily, close_only: !ohlc, ..Default::default() };
    let mut vols = Vec::new();
    for row in 0..t.height() {
        let c = finite_positive(close[row], row, &close_col, t, out);
        let (o, h, l) = if ohlc {
            (
                finite_positive(open[row], row, "open", t, out),
                finite_positive(high[row], row, "high", t, out),
                finite_positive(low[row], row, "low", t, out),
            )
        } else {
            (c, c, c)
        };
        let vol = volume.as_ref().and_then(|v| v[row]);
        if !volume_ok(vol, row, t, out) {
            continue;
        }
        let (Some(o), Some(h), Some(l), Some(c), Some(s), Some(k)) =
            (o, h, l, c, axis.start[row], axis.known[row])
        else {
            continue;
        };
        let Some(prices) = checked_ohlc([o, h, l, c], ohlc, row, t, out) else { continue };
        bars.push(s, k, prices);
        vols.push(vol.unwrap_or(0.0));
    }
    if volume.is_some() {
        bars.volume = Some(vols);
    }
    Ok(bars)
}

/// Whether a row's volume (if any) is finite and not negative; an error in `out` if not.
fn volume_ok(vol: Option<f64>, row: usize, t: &Table, out: &mut Findings) -> bool {
    match vol {
        Some(v) if !(v.is_finite() && v >= 0.0) => {
            out.at(
                Severity::Error,
                "bad volume",
                t.location(row),
                "volume",
                "a finite volume >= 0",
                v.to_string(),
            );
            false
        }
        _ => true,
    }
}

/// One row's [open, high, low, close] checked: `None` (an error) when high < low; an open or
/// close outside [low, high] clamped into it (a repair); a flat OHLC bar noted.
fn checked_ohlc(bar: [f64; 4], ohlc: bool, row: usize, t: &Table, out: &mut Findings) -> Option<[f64; 4]> {
    let [mut o, h, l, mut c] = bar;
    if h < l {
        out.at(
            Severity::Error,
            "high < low",
            t.location(row),
            "high",
            format!("high >= low ({l})"),
            h.to_string(),
        );
        return None;
    }
    for (name, v) in [("open", &mut o), ("close", &mut c)] {
        if *v < l || *v > h {
            let clamped = v.clamp(l, h);
            out.at(
                Severity::Repair,
                "outside [low, high]",
                t.location(row),
                name,
                format!("a value in [{l}, {h}]"),
                format!("{v} (clamped to {clamped})"),
            );
            *v = clamped;
        }
    }
    if ohlc && o == h && h == l && l == c {
        out.at(
            Severity::Note,
            "flat bar (open = high = low = close)",
            t.location(row),
            "",
            "a bar with a range",
            "a close-only bar",
        );
    }
    Some([o, h, l, c])
}
