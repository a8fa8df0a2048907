//! Reading named numeric columns of a dated CSV/Parquet file (e.g. a run's `equity.csv`), with the
//! same precise errors as the canonical loaders.

use super::findings::{load_with, Findings};
use super::parse::{number_column, time_column, TimeValue};
use super::schema::TIME;
use super::table::Table;
use super::DataError;
use chrono::NaiveDate;
use std::path::Path;

fn read(
    t: &Table,
    columns: &[&str],
    out: &mut Findings,
) -> Result<(Vec<NaiveDate>, Vec<Vec<f64>>), DataError> {
    let time = t.find(TIME).ok_or_else(|| t.missing(TIME))?.to_string();
    let dates: Vec<NaiveDate> = time_column(t, &time, out)?
        .into_iter()
        .map(|v| match v {
            Some(TimeValue::Date(d)) => d,
            Some(TimeValue::Instant(ts)) => ts.utc_date(),
            None => NaiveDate::MIN,
        })
        .collect();
    let mut values = Vec::with_capacity(columns.len());
    for c in columns {
        let name = t.find(&[c]).ok_or_else(|| t.missing(&[c]))?.to_string();
        values.push(number_column(t, &name, true, out)?.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect());
    }
    Ok((dates, values))
}

/// The dates and the named numeric columns of `path` (every cell required).
pub fn read_dated_columns(
    path: &Path,
    columns: &[&str],
) -> Result<(Vec<NaiveDate>, Vec<Vec<f64>>), DataError> {
    load_with(path, |t, out| read(t, columns, out)).map(|(v, _)| v)
}
