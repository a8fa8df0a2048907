//! Cell parsers: numbers and times out of [`Cell`]s, recording a finding for every cell that is not
//! what the column must hold. Used by every loader and by `data check`, so both say the same thing.

use super::findings::{Findings, Severity};
use super::table::{Cell, Table};
use super::DataError;
use crate::time::{parse_iso_date, Timestamp};
use chrono::{Days, NaiveDate};

/// A time cell: either a calendar date (daily data) or an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TimeValue {
    Date(NaiveDate),
    Instant(Timestamp),
}

fn describe(cell: Cell<'_>) -> String {
    match cell {
        Cell::Null => "an empty cell".into(),
        Cell::Text(s) if s.trim().is_empty() => "an empty cell".into(),
        Cell::Text(s) => format!("`{}`", s.chars().take(40).collect::<String>()),
        Cell::Float(x) => format!("{x}"),
        Cell::Int(x) => format!("integer {x}"),
        Cell::Date(d) => format!("date (day {d})"),
        Cell::DatetimeNs(n) => format!("datetime ({})", Timestamp::from_nanos(n)),
    }
}

/// A number, or `None` for an empty cell. `NaN`/`inf` text parses (the validators reject it with
/// a clearer message than "not a number").
pub fn number(cell: Cell<'_>) -> Result<Option<f64>, String> {
    match cell {
        Cell::Null => Ok(None),
        Cell::Float(x) => Ok(Some(x)),
        Cell::Int(x) => Ok(Some(x as f64)),
        Cell::Text(s) => {
            let t = s.trim();
            if t.is_empty() {
                return Ok(None);
            }
            t.parse::<f64>().map(Some).map_err(|_| describe(cell))
        }
        other => Err(describe(other)),
    }
}

/// A time: ISO date `YYYY-MM-DD`, ISO timestamp, or a typed Parquet date/datetime.
pub fn time(cell: Cell<'_>) -> Result<TimeValue, String> {
    match cell {
        Cell::Text(s) => {
            if let Some(d) = parse_iso_date(s) {
                return Ok(TimeValue::Date(d));
            }
            Timestamp::parse_iso(s).map(TimeValue::Instant).map_err(|_| describe(cell))
        }
        Cell::Date(days) => NaiveDate::from_ymd_opt(1970, 1, 1)
            .and_then(|e| {
                if days >= 0 {
                    e.checked_add_days(Days::new(days as u64))
                } else {
                    e.checked_sub_days(Days::new(days.unsigned_abs() as u64))
                }
            })
            .map(TimeValue::Date)
            .ok_or_else(|| describe(cell)),
        Cell::DatetimeNs(ns) => Ok(TimeValue::Instant(Timestamp::from_nanos(ns))),
        other => Err(describe(other)),
    }
}

pub const TIME_EXPECTED: &str = "an ISO date YYYY-MM-DD or timestamp YYYY-MM-DDTHH:MM:SSZ";

/// Parse a whole time column; unparseable or empty cells become errors and `None`.
pub fn time_column(t: &Table, col: &str, out: &mut Findings) -> Result<Vec<Option<TimeValue>>, DataError> {
    let mut v = Vec::with_capacity(t.height());
    t.visit(col, |row, cell| match time(cell) {
        Ok(x) => v.push(Some(x)),
        Err(found) => {
            out.at(Severity::Error, "bad time", t.location(row), col, TIME_EXPECTED, found);
            v.push(None);
        }
    })?;
    Ok(v)
}

/// Parse a whole numeric column. Empty cells are errors when `required`, else `None` silently.
pub fn number_column(
    t: &Table,
    col: &str,
    required: bool,
    out: &mut Findings,
) -> Result<Vec<Option<f64>>, DataError> {
    let mut v = Vec::with_capacity(t.height());
    t.visit(col, |row, cell| match number(cell) {
        Ok(Some(x)) => v.push(Some(x)),
        Ok(None) => {
            if required {
                out.at(
                    Severity::Error,
                    "missing value",
                    t.location(row),
                    col,
                    "a number",
                    t.describe_empty(row),
                );
            }
            v.push(None);
        }
        Err(found) => {
            out.at(Severity::Error, "not a number", t.location(row), col, "a number", found);
            v.push(None);
        }
    })?;
    Ok(v)
}

/// Parse a whole text column; empty cells are errors.
pub fn text_column(t: &Table, col: &str, out: &mut Findings) -> Result<Vec<Option<String>>, DataError> {
    let mut v = Vec::with_capacity(t.height());
    t.visit(col, |row, cell| match cell {
        Cell::Text(s) if !s.trim().is_empty() => v.push(Some(s.trim().to_string())),
        Cell::Int(i) => v.push(Some(i.to_string())),
        other => {
            out.at(
                Severity::Error,
                "missing value",
                t.location(row),
                col,
                "a non-empty text value",
                describe(other),
            );
            v.push(None);
        }
    })?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(number(Cell::Text(" 1.5 ")), Ok(Some(1.5)));
        assert_eq!(number(Cell::Text("")), Ok(None));
        assert_eq!(number(Cell::Int(3)), Ok(Some(3.0)));
        assert!(number(Cell::Text("NaN")).unwrap().unwrap().is_nan());
        assert_eq!(number(Cell::Text("12,5")), Err("`12,5`".into()));
    }

    #[test]
    fn times() {
        let d = NaiveDate::from_ymd_opt(2020, 1, 2).unwrap();
        assert_eq!(time(Cell::Text("2020-01-02")), Ok(TimeValue::Date(d)));
        assert_eq!(time(Cell::Date(18263)), Ok(TimeValue::Date(d)));
        assert!(matches!(time(Cell::Text("2020-01-02T00:00:00Z")), Ok(TimeValue::Instant(_))));
        assert_eq!(time(Cell::Text("01/02/2020")), Err("`01/02/2020`".into()));
        assert!(time(Cell::Int(5)).is_err());
    }
}
