//! `data check`: validate a file against its canonical schema and report everything found —
//! schema, ordering, duplicates, impossible values, and gaps against the trading calendar.
//!
//! Calendar checks for daily data: a series with more than 10% of its rows on weekends is taken to
//! be 24/7 (crypto) and checked against every calendar day; otherwise against the NYSE calendar,
//! inside the calendar's validity range (1990 onwards): trading days with no row are gaps, rows on
//! non-trading days are reported (VIX has rows on some US holidays; the SPX calendar decides
//! trading days in a run). Intraday periodic data is checked for steps longer than its period.
//! Gaps and non-trading-day rows are warnings; errors and repairs make a file "not clean".

use super::axis::modal_step;
use super::bars::{analyse_bars, BarOptions};
use super::chain::analyse_chain;
use super::chain_check::{chain_summary, index_warnings};
use super::crypto::{analyse_buckets, analyse_funding, analyse_liquidations};
use super::findings::{Finding, Findings, Severity};
use super::parse::{time_column, TimeValue};
use super::rates::{analyse_rates, RateUnit};
use super::schema::{StreamKind, TIME};
use super::table::Table;
use super::vx::{analyse_contracts, analyse_term};
use super::DataError;
use crate::time::{Calendar, Timestamp, CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR};
use chrono::{Datelike, NaiveDate, Weekday};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The outcome of checking one file.
#[derive(Debug, Clone)]
pub struct CheckReport {
    pub path: PathBuf,
    pub kind: StreamKind,
    pub rows: usize,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    pub daily: bool,
    pub findings: Findings,
    /// Per-kind summary lines (a chain: one per quote date).
    pub summary: Vec<String>,
}

impl CheckReport {
    /// No errors and no repairs (and, when `strict`, no warnings).
    pub fn is_clean(&self, strict: bool) -> bool {
        let f = &self.findings;
        f.count(Severity::Error) + f.count(Severity::Repair) == 0
            && (!strict || f.count(Severity::Warning) == 0)
    }

    /// A readable multi-line report.
    pub fn render(&self, examples: usize, strict: bool) -> String {
        let range = match (self.first, self.last) {
            (Some(a), Some(b)) if self.daily => format!("{} .. {}", a.utc_date(), b.utc_date()),
            (Some(a), Some(b)) => format!("{a} .. {b}"),
            _ => "no valid times".into(),
        };
        let f = &self.findings;
        let verdict = if self.is_clean(strict) { "clean" } else { "NOT CLEAN" };
        let mut out = format!(
            "{}: {} — {} rows, {}, {range}: {} errors, {} repairs, {} warnings\n",
            self.path.display(),
            self.kind,
            self.rows,
            if self.daily { "daily" } else { "intraday" },
            f.count(Severity::Error),
            f.count(Severity::Repair),
            f.count(Severity::Warning),
        );
        for line in &self.summary {
            let _ = writeln!(out, "  {line}");
        }
        out.push_str(&f.report(examples));
        let _ = writeln!(out, "  => {verdict}");
        out
    }
}

/// Check one file. `kind` overrides detection from the header.
pub fn check_file(path: &Path, kind: Option<StreamKind>) -> Result<CheckReport, DataError> {
    check_file_with(path, kind, None)
}

/// [`check_file`], comparing a chain's vendor underlying with the daily `index` bars (SPX for
/// SPX options, VIX for VIX options) when given.
pub fn check_file_with(
    path: &Path,
    kind: Option<StreamKind>,
    index: Option<&super::BarSeries>,
) -> Result<CheckReport, DataError> {
    let t = Table::read(path)?;
    let kind = match kind {
        Some(k) => k,
        None => StreamKind::detect(&t)?,
    };
    let mut out = Findings::default();
    let mut summary = Vec::new();
    match kind {
        StreamKind::Bars => drop(analyse_bars(&t, &BarOptions::default(), &mut out)?),
        StreamKind::LiquidationEvents => drop(analyse_liquidations(&t, &mut out)?),
        StreamKind::LiquidationBuckets => drop(analyse_buckets(&t, &mut out)?),
        StreamKind::Funding => drop(analyse_funding(&t, &mut out)?),
        StreamKind::VxTerm => drop(analyse_term(&t, &mut out)?),
        StreamKind::VxContracts => drop(analyse_contracts(&t, &mut out)?),
        StreamKind::Rates => drop(analyse_rates(&t, None, RateUnit::Percent, &mut out)?),
        StreamKind::Chain => {
            let chain = analyse_chain(&t, &mut out)?;
            if let Some(index) = index {
                index_warnings(&chain, index, &mut out);
            }
            summary = chain_summary(&chain);
        }
    }
    // Range and gaps come from every row with a readable time, not only the rows that passed
    // validation: a bad row is an error, not also a gap.
    let (mut times, daily) = readable_times(&t)?;
    times.dedup();
    if daily {
        calendar_gaps(&times, &mut out);
    } else if !matches!(kind, StreamKind::LiquidationEvents | StreamKind::Funding) {
        step_gaps(&times, &mut out);
    }
    Ok(CheckReport {
        path: path.to_path_buf(),
        kind,
        rows: t.height(),
        first: times.iter().min().copied(),
        last: times.iter().max().copied(),
        daily,
        findings: out,
        summary,
    })
}

/// The start instants of every row whose time parses, and whether they are dates.
fn readable_times(t: &Table) -> Result<(Vec<Timestamp>, bool), DataError> {
    let col = t.find(TIME).ok_or_else(|| t.missing(TIME))?.to_string();
    let mut scratch = Findings::default();
    let values = time_column(t, &col, &mut scratch)?;
    let daily = matches!(values.iter().flatten().next(), Some(TimeValue::Date(_)));
    let times = values
        .into_iter()
        .flatten()
        .filter_map(|v| match v {
            TimeValue::Date(d) => Timestamp::start_of_day(d).ok(),
            TimeValue::Instant(ts) => Some(ts),
        })
        .collect();
    Ok((times, daily))
}

/// Gaps and extra rows of a daily series against its calendar.
fn calendar_gaps(starts: &[Timestamp], out: &mut Findings) {
    let dates: BTreeSet<NaiveDate> = starts.iter().map(|s| s.utc_date()).collect();
    let (Some(&first), Some(&last)) = (dates.first(), dates.last()) else {
        return;
    };
    let weekend = dates.iter().filter(|d| matches!(d.weekday(), Weekday::Sat | Weekday::Sun)).count();
    if weekend * 10 > dates.len() {
        let missing: Vec<NaiveDate> =
            first.iter_days().take_while(|d| *d <= last).filter(|d| !dates.contains(d)).collect();
        report_missing(&missing, "every calendar day (24/7 series)", out);
        return;
    }
    let lo = NaiveDate::from_ymd_opt(CALENDAR_FIRST_YEAR, 1, 1).expect("valid").max(first);
    let hi = NaiveDate::from_ymd_opt(CALENDAR_LAST_YEAR, 12, 31).expect("valid").min(last);
    let cal = Calendar::nyse();
    let before = dates.iter().filter(|d| **d < lo).count();
    if before > 0 {
        out.push(Finding {
            severity: Severity::Note,
            category: "rows before the calendar's range (not calendar-checked)",
            location: None,
            column: String::new(),
            expected: format!("dates from {CALENDAR_FIRST_YEAR}-01-01"),
            found: format!("{before} rows from {first}"),
        });
    }
    if lo > hi {
        return;
    }
    let trading = cal.trading_days(lo, hi);
    let missing: Vec<NaiveDate> = trading.iter().filter(|d| !dates.contains(d)).copied().collect();
    report_missing(&missing, "a row on every NYSE trading day", out);
    for d in dates.range(lo..=hi).filter(|d| !cal.is_trading_day(**d)) {
        out.warn(
            "row on a non-trading day",
            "NYSE trading days only (ignored in a run)".into(),
            format!("{d} ({})", d.weekday()),
        );
    }
}

fn report_missing(missing: &[NaiveDate], expected: &str, out: &mut Findings) {
    // Group consecutive missing days into runs so the report reads as gaps, not a flood of dates.
    let mut runs: Vec<(NaiveDate, NaiveDate, usize)> = Vec::new();
    for d in missing {
        match runs.last_mut() {
            Some((_, end, n)) if (*d - *end).num_days() <= 4 => {
                *end = *d;
                *n += 1;
            }
            _ => runs.push((*d, *d, 1)),
        }
    }
    for (a, b, n) in runs {
        let found =
            if a == b { format!("no row for {a}") } else { format!("no rows for {n} days {a} .. {b}") };
        out.warn("gap", expected.to_string(), found);
    }
}

/// Steps longer than the modal period in intraday periodic data.
fn step_gaps(starts: &[Timestamp], out: &mut Findings) {
    let Some(step) = modal_step(starts) else {
        return;
    };
    for w in starts.windows(2) {
        let d = (w[1].nanos() - w[0].nanos()) / 1_000_000_000;
        if d > step {
            out.warn("gap", format!("a row every {step} s"), format!("{} s from {} to {}", d, w[0], w[1]));
        }
    }
}
