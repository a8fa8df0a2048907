//! Reading named columns of a CSV/Parquet file previously written by ironhedge (a run's
//! `equity.csv`, `trades.csv`, ...), with the same precise errors as the canonical loaders.

use super::findings::{load_with, Findings};
use super::parse::{number_column, text_column, time_column, TimeValue};
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

/// Every numeric column of `path` besides `date`, by name in file order (empty cells are NaN):
/// for files whose columns are not fixed, such as a run's `signals.csv`.
pub fn read_named_numbers(path: &Path) -> Result<Vec<(String, Vec<f64>)>, DataError> {
    load_with(path, |t, out| {
        let names: Vec<String> = t.names().iter().filter(|n| n.as_str() != "date").cloned().collect();
        names
            .into_iter()
            .map(|n| {
                let v = number_column(t, &n, false, out)?;
                Ok((n, v.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect()))
            })
            .collect()
    })
    .map(|(v, _)| v)
}

/// Columns read by [`read_columns`], in the order asked for.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Columns {
    pub dates: Vec<Vec<NaiveDate>>,
    /// Empty cells are NaN.
    pub numbers: Vec<Vec<f64>>,
    pub texts: Vec<Vec<String>>,
}

fn date_values(t: &Table, name: &str, out: &mut Findings) -> Result<Vec<NaiveDate>, DataError> {
    Ok(time_column(t, name, out)?
        .into_iter()
        .map(|v| match v {
            Some(TimeValue::Date(d)) => d,
            Some(TimeValue::Instant(ts)) => ts.utc_date(),
            None => NaiveDate::MIN,
        })
        .collect())
}

/// Named date, numeric (empty cells allowed, read as NaN) and text columns of `path`.
pub fn read_columns(
    path: &Path,
    dates: &[&str],
    numbers: &[&str],
    texts: &[&str],
) -> Result<Columns, DataError> {
    load_with(path, |t, out| {
        let find = |c: &str| t.find(&[c]).map(str::to_string).ok_or_else(|| t.missing(&[c]));
        let mut cols = Columns::default();
        for c in dates {
            cols.dates.push(date_values(t, &find(c)?, out)?);
        }
        for c in numbers {
            let v = number_column(t, &find(c)?, false, out)?;
            cols.numbers.push(v.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect());
        }
        for c in texts {
            cols.texts
                .push(text_column(t, &find(c)?, out)?.into_iter().map(Option::unwrap_or_default).collect());
        }
        Ok(cols)
    })
    .map(|(v, _)| v)
}
