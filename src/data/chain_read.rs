//! Reading a chain table's columns into typed vectors, a column at a time (see
//! [`super::chain::analyse_chain`]): each reader records the errors it finds and marks those
//! rows bad, so one pass over the file reports every problem.

use super::chain::{Right, ROOTS, TIME_OF_DAY};
use super::findings::{Findings, Severity};
use super::parse::{number, time, TimeValue};
use super::table::{Cell, Table};
use super::DataError;
use crate::time::{new_york_utc, nyse_close_utc, Calendar, Timestamp};
use chrono::{NaiveDate, NaiveTime};

/// Errors found while reading a chain: recorded in the findings, their rows marked bad.
pub(super) struct Rejects<'a> {
    pub(super) t: &'a Table,
    pub(super) out: &'a mut Findings,
    pub(super) bad: Vec<bool>,
}

impl Rejects<'_> {
    pub(super) fn reject(
        &mut self,
        row: usize,
        category: &'static str,
        col: &str,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) {
        self.out.at(Severity::Error, category, self.t.location(row), col, expected, found);
        self.bad[row] = true;
    }

    /// A date column (`YYYY-MM-DD`, or a Parquet date); unreadable or missing cells are errors.
    pub(super) fn dates(&mut self, col: &str) -> Result<Vec<NaiveDate>, DataError> {
        let t = self.t;
        let mut v = Vec::with_capacity(t.height());
        t.visit(col, |row, cell| {
            let found = match time(cell) {
                Ok(TimeValue::Date(d)) => return v.push(d),
                Ok(TimeValue::Instant(ts)) => ts.to_string(),
                Err(_) if matches!(cell, Cell::Null) => t.describe_empty(row),
                Err(found) => found,
            };
            self.reject(row, "bad time", col, "a date YYYY-MM-DD", found);
            v.push(NaiveDate::MIN);
        })?;
        Ok(v)
    }

    /// A numeric column: NaN for an empty cell (or NaN: how a missing value reaches Parquet);
    /// an empty cell is an error when `required`, unreadable text always.
    pub(super) fn floats(&mut self, col: &str, required: bool) -> Result<Vec<f64>, DataError> {
        let t = self.t;
        let mut v = Vec::with_capacity(t.height());
        t.visit(col, |row, cell| match number(cell) {
            Ok(Some(x)) if !(required && x.is_nan()) => v.push(x),
            Ok(_) if !required => v.push(f64::NAN),
            Ok(_) => {
                self.reject(row, "missing value", col, "a number", t.describe_empty(row));
                v.push(f64::NAN);
            }
            Err(found) => {
                self.reject(row, "not a number", col, "a number", found);
                v.push(f64::NAN);
            }
        })?;
        Ok(v)
    }

    /// A text column mapped through `code` (a root's index, a right); a cell it rejects is an
    /// error of `category`, expected to be one of `allowed`.
    pub(super) fn codes<T: Copy + Default>(
        &mut self,
        col: &str,
        category: &'static str,
        allowed: &str,
        code: impl Fn(&str) -> Option<T>,
    ) -> Result<Vec<T>, DataError> {
        let t = self.t;
        let mut v = Vec::with_capacity(t.height());
        t.visit(col, |row, cell| {
            let text = match cell {
                Cell::Text(s) => s.trim(),
                _ => "",
            };
            match code(text) {
                Some(c) => v.push(c),
                None => {
                    let found = if text.is_empty() { "an empty cell".to_string() } else { text.to_string() };
                    self.reject(row, category, col, allowed, found);
                    v.push(T::default());
                }
            }
        })?;
        Ok(v)
    }

    /// The root of each row, as an index into [`ROOTS`].
    pub(super) fn roots(&mut self, col: &str) -> Result<Vec<u8>, DataError> {
        let names: Vec<&str> = ROOTS.iter().map(|r| r.name).collect();
        let allowed = format!("one of {}", names.join(", "));
        self.codes(col, "unknown root", &allowed, |s| {
            ROOTS.iter().position(|r| r.name.eq_ignore_ascii_case(s)).map(|i| i as u8)
        })
    }

    /// The right of each row.
    pub(super) fn rights(&mut self, col: &str) -> Result<Vec<Right>, DataError> {
        self.codes(col, "bad right", "call or put", Right::parse)
    }

    /// When each quote became known: its New York `time`, else its date's session close.
    pub(super) fn quote_times(&mut self, date: &[NaiveDate]) -> Result<Vec<Timestamp>, DataError> {
        let cal = Calendar::nyse();
        let close = |d: NaiveDate| nyse_close_utc(&cal, d).unwrap_or(Timestamp::MIN);
        let t = self.t;
        let Some(col) = t.find(TIME_OF_DAY).map(str::to_string) else {
            return Ok(date.iter().map(|d| close(*d)).collect());
        };
        let mut v = Vec::with_capacity(t.height());
        t.visit(&col, |row, cell| {
            let text = match cell {
                Cell::Text(s) => s.trim(),
                _ => "",
            };
            if text.is_empty() {
                return v.push(close(date[row]));
            }
            let parsed = NaiveTime::parse_from_str(text, "%H:%M")
                .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M:%S"))
                .ok()
                .and_then(|tm| new_york_utc(date[row], tm));
            match parsed {
                Some(ts) => v.push(ts),
                None => {
                    self.reject(row, "bad time", &col, "a New York time HH:MM", text);
                    v.push(Timestamp::MIN);
                }
            }
        })?;
        Ok(v)
    }

    /// Rows must come in date order: a date before an earlier row's is an error.
    pub(super) fn date_order(&mut self, date: &[NaiveDate], col: &str) {
        let mut last: Option<NaiveDate> = None;
        for (row, d) in date.iter().enumerate() {
            if self.bad[row] {
                continue;
            }
            match last.filter(|p| d < p) {
                Some(prev) => {
                    let expected = format!("a date on or after {prev} (rows in date order)");
                    self.reject(row, "unsorted", col, expected, d.to_string());
                }
                None => last = Some(*d),
            }
        }
    }
}
