//! Importers for daily index and rate files: Cboe index history, Yahoo OHLC, FRED series.

use super::{column, need, num, round_to, vendor_date, ImportOptions, ImportSummary};
use crate::data::table::{Cell, Table};
use crate::data::{DataError, OutColumn, OutTable};
use chrono::NaiveDate;

const DATE_EXPECTED: &str = "a date (MM/DD/YYYY or YYYY-MM-DD)";

fn dates(t: &Table, col: &str) -> Result<Vec<NaiveDate>, DataError> {
    column(t, col, DATE_EXPECTED, |c| match c {
        Cell::Text(s) => vendor_date(s),
        _ => None,
    })
}

fn prices(t: &Table, col: &str, opts: &ImportOptions) -> Result<Vec<f64>, DataError> {
    column(t, col, "a number", |c| num(c).map(|x| round_to(x, opts.decimals)))
}

/// Cboe index history: `DATE,OPEN,HIGH,LOW,CLOSE` or close-only `DATE,<SYMBOL>`.
pub fn cboe(t: &Table, opts: &ImportOptions) -> Result<(OutTable, ImportSummary), DataError> {
    let date_col = need(t, &["date", "trade date", "trade_date"])?;
    let mut out = OutTable::default();
    out.push("date", OutColumn::Date(dates(t, &date_col)?));
    if ["open", "high", "low", "close"].iter().all(|c| t.find(&[c]).is_some()) {
        for c in ["open", "high", "low", "close"] {
            out.push(c, OutColumn::Float(prices(t, c, opts)?));
        }
    } else {
        let values: Vec<&String> = t.names().iter().filter(|n| **n != date_col).collect();
        let [value] = values.as_slice() else {
            return Err(t.missing(&["open", "high", "low", "close"]));
        };
        out.push("close", OutColumn::Float(prices(t, value, opts)?));
    }
    Ok((out, ImportSummary::default()))
}

/// Yahoo-style OHLC: `Date,Open,High,Low,Close,Adj Close,Volume`. Rows whose prices read `null`
/// (days Yahoo has no quote for) are dropped and counted.
pub fn yahoo(t: &Table, opts: &ImportOptions) -> Result<(OutTable, ImportSummary), DataError> {
    let date_col = need(t, &["date"])?;
    let all_dates = dates(t, &date_col)?;
    let names = ["open", "high", "low", "close", "adj close", "volume"];
    for c in &names[..4] {
        need(t, &[c])?;
    }
    let mut cols: Vec<Vec<Option<f64>>> = Vec::new();
    for c in names {
        if t.find(&[c]).is_none() {
            cols.push(vec![None; t.height()]);
            continue;
        }
        let v = column(t, c, "a number or `null`", |cell| match cell {
            Cell::Text(s) if s.trim().eq_ignore_ascii_case("null") => Some(None),
            other => num(other).map(|x| Some(if c == "volume" { x } else { round_to(x, opts.decimals) })),
        })?;
        cols.push(v);
    }
    let keep: Vec<usize> = (0..t.height()).filter(|&i| cols[..4].iter().all(|c| c[i].is_some())).collect();
    let mut out = OutTable::default();
    out.push("date", OutColumn::Date(keep.iter().map(|&i| all_dates[i]).collect()));
    for (k, name) in ["open", "high", "low", "close", "adj_close", "volume"].iter().enumerate() {
        if k >= 4 && keep.iter().any(|&i| cols[k][i].is_none()) {
            continue; // optional column absent or incomplete
        }
        out.push(name, OutColumn::Float(keep.iter().map(|&i| cols[k][i].unwrap_or(0.0)).collect()));
    }
    let mut summary = ImportSummary::default();
    let dropped = t.height() - keep.len();
    if dropped > 0 {
        summary.notes.push(format!("{dropped} rows with `null` prices dropped"));
    }
    Ok((out, summary))
}

/// FRED series CSV: `DATE` or `observation_date`, then the series column, written out as
/// `date,<series id in lower case>` with values as published (rates in percent, index levels in
/// points), so one importer serves rates (`DFF`, `DTB3`) and close-only bars (`VIXCLS`).
/// `.` and empty cells mean no fixing that day (FRED lists every weekday) and are dropped.
pub fn fred(t: &Table) -> Result<(OutTable, ImportSummary), DataError> {
    let date_col = need(t, &["observation_date", "date"])?;
    let values: Vec<&String> = t.names().iter().filter(|n| **n != date_col).collect();
    let [value] = values.as_slice() else {
        return Err(DataError::MissingColumn {
            path: t.path().to_path_buf(),
            expected: "exactly one series column beside the date".into(),
            found: t.names().join(","),
        });
    };
    let all_dates = dates(t, &date_col)?;
    let v = column(t, value, "a number or `.`", |cell| match cell {
        Cell::Null => Some(None),
        Cell::Text(s) if s.trim() == "." || s.trim().is_empty() => Some(None),
        other => num(other).map(Some),
    })?;
    let keep: Vec<usize> = (0..t.height()).filter(|&i| v[i].is_some()).collect();
    let mut out = OutTable::default();
    out.push("date", OutColumn::Date(keep.iter().map(|&i| all_dates[i]).collect()));
    out.push(value, OutColumn::Float(keep.iter().filter_map(|&i| v[i]).collect()));
    let mut summary = ImportSummary::default();
    if keep.len() < t.height() {
        summary.notes.push(format!("{} days without a fixing (`.`) dropped", t.height() - keep.len()));
    }
    Ok((out, summary))
}
