//! VIX futures: the term structure (`date, m1..mN` settlements, nearest expiry first) or settlements
//! per contract (`date, expiry, settle`), in VIX index points.
//!
//! CFE quoted VX at ten times the index before 2007-03-26; canonical files
//! hold index points, so a pre-2007 value of 100 or more is an error that points at the importer
//! (`data import --format cfe-vx` divides those by ten; see [`vx_rescale_date`]). A contract row with settle = 0 is a
//! placeholder (no settlement that day) and is dropped as a reported repair.

use super::axis::{AxisSpec, Session, TimeAxis};
use super::findings::{load_with, Findings, Severity};
use super::parse::{number_column, time_column, TimeValue};
use super::schema::{EXPIRY, SETTLE};
use super::table::Table;
use super::DataError;
use crate::time::Timestamp;
use chrono::NaiveDate;
use std::path::Path;

/// First trade date on which CFE quoted VX in index points rather than ten times the index.
pub fn vx_rescale_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2007, 3, 26).expect("valid date")
}

/// Term structure: one row per date, `curve[i][k]` = settlement of the (k+1)-th nearest contract.
#[derive(Debug, Clone, Default)]
pub struct VxTermStructure {
    pub date: Vec<NaiveDate>,
    pub known_at: Vec<Timestamp>,
    pub curve: Vec<Vec<Option<f64>>>,
    /// Number of months (columns m1..mN).
    pub months: usize,
}

impl VxTermStructure {
    /// The curve m1..mN of `date` (index points, `None` for an unlisted month), if the file has
    /// a row for that date.
    pub fn row_on(&self, date: NaiveDate) -> Option<&[Option<f64>]> {
        self.date.binary_search(&date).ok().map(|i| &self.curve[i][..])
    }
}

/// Per-contract settlements, ascending by date.
#[derive(Debug, Clone, Default)]
pub struct VxContracts {
    pub date: Vec<NaiveDate>,
    pub known_at: Vec<Timestamp>,
    pub expiry: Vec<NaiveDate>,
    pub settle: Vec<f64>,
}

fn check_level(x: f64, date: NaiveDate, row: usize, col: &str, t: &Table, out: &mut Findings) -> bool {
    if !x.is_finite() || x <= 0.0 {
        out.at(
            Severity::Error,
            "impossible value",
            t.location(row),
            col,
            "a finite settlement > 0",
            x.to_string(),
        );
        return false;
    }
    if date < vx_rescale_date() && x >= 100.0 {
        out.at(
            Severity::Error,
            "x10-quoted VX",
            t.location(row),
            col,
            "VIX index points (CFE quoted x10 before 2007-03-26: import with --format cfe-vx)",
            x.to_string(),
        );
        return false;
    }
    if x < 5.0 {
        // VIX has never closed below 9; a future at a fraction of that is a placeholder.
        out.at(
            Severity::Warning,
            "implausible VX level",
            t.location(row),
            col,
            "a VIX future level of at least 5",
            x.to_string(),
        );
    }
    true
}

fn month_columns(t: &Table) -> Vec<(usize, String)> {
    let mut cols: Vec<(usize, String)> = t
        .names()
        .iter()
        .filter_map(|n| {
            let k: usize = n.strip_prefix('m')?.parse().ok()?;
            (k >= 1).then(|| (k, n.clone()))
        })
        .collect();
    cols.sort();
    cols
}

/// Parse and validate a term-structure file.
pub fn analyse_term(t: &Table, out: &mut Findings) -> Result<VxTermStructure, DataError> {
    let axis = TimeAxis::build(t, AxisSpec::periods(Session::NyseClose, None), out)?;
    let cols = month_columns(t);
    if cols.is_empty() {
        return Err(t.missing(&["m1"]));
    }
    let values: Vec<Vec<Option<f64>>> =
        cols.iter().map(|(_, c)| number_column(t, c, false, out)).collect::<Result<_, _>>()?;
    let mut ts = VxTermStructure { months: cols.len(), ..Default::default() };
    for (row, (start, known)) in axis.start.iter().zip(&axis.known).enumerate() {
        let (Some(s), Some(k)) = (*start, *known) else {
            continue;
        };
        let date = s.utc_date();
        let mut curve = Vec::with_capacity(cols.len());
        let mut ok = true;
        for (j, (_, c)) in cols.iter().enumerate() {
            let v = values[j][row];
            if let Some(x) = v {
                ok &= check_level(x, date, row, c, t, out);
            }
            curve.push(v);
        }
        if curve[0].is_none() {
            out.at(
                Severity::Error,
                "missing value",
                t.location(row),
                &cols[0].1,
                "a front-month settlement",
                "an empty cell",
            );
            ok = false;
        }
        if ok {
            ts.date.push(date);
            ts.known_at.push(k);
            ts.curve.push(curve);
        }
    }
    Ok(ts)
}

/// Parse and validate a per-contract file.
pub fn analyse_contracts(t: &Table, out: &mut Findings) -> Result<VxContracts, DataError> {
    let exp_col = t.find(EXPIRY).ok_or_else(|| t.missing(EXPIRY))?.to_string();
    let settle_col = t.find(SETTLE).ok_or_else(|| t.missing(SETTLE))?.to_string();
    let axis = TimeAxis::build(
        t,
        AxisSpec { allow_equal: true, ..AxisSpec::periods(Session::NyseClose, None) },
        out,
    )?;
    let expiries = time_column(t, &exp_col, out)?;
    let settle = number_column(t, &settle_col, true, out)?;
    let mut c = VxContracts::default();
    let mut seen: Vec<NaiveDate> = Vec::new();
    for row in 0..t.height() {
        let (Some(s), Some(k), Some(x)) = (axis.start[row], axis.known[row], settle[row]) else {
            continue;
        };
        let date = s.utc_date();
        let expiry = match expiries[row] {
            Some(TimeValue::Date(d)) => d,
            Some(TimeValue::Instant(ts)) => {
                out.at(
                    Severity::Error,
                    "bad time",
                    t.location(row),
                    &exp_col,
                    "an expiry date YYYY-MM-DD",
                    ts.to_string(),
                );
                continue;
            }
            None => continue,
        };
        if x == 0.0 {
            out.at(
                Severity::Repair,
                "placeholder settle = 0 (row dropped)",
                t.location(row),
                &settle_col,
                "a settlement > 0",
                "0",
            );
            continue;
        }
        if !check_level(x, date, row, &settle_col, t, out) {
            continue;
        }
        if expiry < date {
            out.at(
                Severity::Error,
                "expired contract",
                t.location(row),
                &exp_col,
                format!("an expiry on or after {date}"),
                expiry.to_string(),
            );
            continue;
        }
        if c.date.last() != Some(&date) {
            seen.clear();
        }
        if seen.contains(&expiry) {
            out.at(
                Severity::Error,
                "duplicate time",
                t.location(row),
                &exp_col,
                format!("one row per date and expiry on {date}"),
                format!("a second row for {expiry}"),
            );
            continue;
        }
        seen.push(expiry);
        c.date.push(date);
        c.known_at.push(k);
        c.expiry.push(expiry);
        c.settle.push(x);
    }
    Ok(c)
}

/// Load and validate a VX term-structure file.
pub fn load_vx_term(path: &Path) -> Result<VxTermStructure, DataError> {
    load_with(path, analyse_term).map(|(v, _)| v)
}

/// Load and validate a VX per-contract file.
pub fn load_vx_contracts(path: &Path) -> Result<VxContracts, DataError> {
    load_with(path, analyse_contracts).map(|(v, _)| v)
}
