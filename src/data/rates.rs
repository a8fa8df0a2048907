//! Risk-free rates by date (`date` plus a rate column), in percent or as a decimal as declared by
//! the caller, stored as a decimal per year. Empty cells (days without a fixing) are skipped.

use super::axis::{AxisSpec, Session, TimeAxis};
use super::findings::{load_with, Findings, Severity};
use super::parse::number_column;
use super::schema::RATE;
use super::table::Table;
use super::DataError;
use crate::time::Timestamp;
use std::path::Path;

/// The unit a rate file is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateUnit {
    /// 5.25 means 5.25% per year.
    Percent,
    /// 0.0525 means 5.25% per year.
    Decimal,
}

/// A rate series, ascending by date, as decimals per year.
#[derive(Debug, Clone, Default)]
pub struct RateSeries {
    pub start: Vec<Timestamp>,
    pub known_at: Vec<Timestamp>,
    pub rate: Vec<f64>,
}

/// Parse and validate every value column of a rate file; returns the series of `column` (or of
/// the `rate` column, or of the only value column).
pub fn analyse_rates(
    t: &Table,
    column: Option<&str>,
    unit: RateUnit,
    out: &mut Findings,
) -> Result<RateSeries, DataError> {
    let axis = TimeAxis::build(t, AxisSpec::periods(Session::NyseClose, None), out)?;
    let value_cols: Vec<String> = t.names().iter().filter(|n| **n != axis.column).cloned().collect();
    let chosen = match column {
        Some(c) => t.find(&[&c.to_ascii_lowercase()]).map(str::to_string).ok_or_else(|| t.missing(&[c]))?,
        None => match (t.find(RATE), value_cols.as_slice()) {
            (Some(r), _) => r.to_string(),
            (None, [one]) => one.clone(),
            _ => value_cols.first().cloned().ok_or_else(|| t.missing(RATE))?,
        },
    };
    let scale = match unit {
        RateUnit::Percent => 100.0,
        RateUnit::Decimal => 1.0,
    };
    let mut series = RateSeries::default();
    for c in &value_cols {
        let values = number_column(t, c, false, out)?;
        let mut missing = 0;
        for (row, v) in values.iter().enumerate() {
            let Some(x) = v else {
                missing += 1;
                continue;
            };
            let d = x / scale;
            if !d.is_finite() || d.abs() >= 1.0 {
                let hint = if unit == RateUnit::Decimal { " (is the file in percent?)" } else { "" };
                out.at(
                    Severity::Error,
                    "impossible value",
                    t.location(row),
                    c,
                    format!("a finite rate below 100% per year{hint}"),
                    x.to_string(),
                );
                continue;
            }
            if *c == chosen {
                if let (Some(s), Some(k)) = (axis.start[row], axis.known[row]) {
                    series.start.push(s);
                    series.known_at.push(k);
                    series.rate.push(d);
                }
            }
        }
        if missing > 0 {
            out.push(super::findings::Finding {
                severity: Severity::Note,
                category: "empty cells (no fixing)",
                location: None,
                column: c.clone(),
                expected: "a rate".into(),
                found: format!("{missing} empty cells"),
            });
        }
    }
    Ok(series)
}

/// Load a rate file; `column` picks one of several value columns.
pub fn load_rates(path: &Path, column: Option<&str>, unit: RateUnit) -> Result<RateSeries, DataError> {
    load_with(path, |t, out| analyse_rates(t, column, unit, out)).map(|(v, _)| v)
}
