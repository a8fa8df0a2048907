//! `data import`: convert vendor files to the canonical schemas of SPEC section 2.
//!
//! | format | input | output |
//! |---|---|---|
//! | `cboe` | Cboe index history `DATE,OPEN,HIGH,LOW,CLOSE` (MM/DD/YYYY) or close-only `DATE,<SYMBOL>` | bars |
//! | `yahoo` | `Date,Open,High,Low,Close,Adj Close,Volume` (`null` rows skipped) | bars |
//! | `binance-liquidations` | Binance USD-M `liquidationSnapshot` (a SELL order liquidates a long) | liquidation events |
//! | `coinglass` | aggregated long/short liquidation exports (epoch or ISO times) | liquidation buckets |
//! | `cfe-vx` | Cfe VX settlement files (`Trade Date,Futures,...,Settle`; x10 before 2007-03-26 divided by 10) | VX per contract |
//! | `fred` | FRED series CSV (`DATE`/`observation_date`, value; `.` = no fixing, skipped) | rates |
//!
//! Importers convert; they do not silently repair. Rows they must drop are counted in the
//! [`ImportSummary`], and every file is checked as `data check` would before it is written (see
//! `screen.rs`): the summary carries that report.

mod bars;
mod cfe;
mod chains;
pub use cfe::contract_month;
mod crypto;
mod screen;
pub use screen::DroppedRow;

use super::table::{Cell, Table};
#[cfg(doc)]
use super::OutTable;
use super::{DataError, InvalidValue};
use crate::time::Timestamp;
use chrono::NaiveDate;
use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// Supported vendor formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    Cboe,
    Yahoo,
    BinanceLiquidations,
    Coinglass,
    CfeVx,
    Fred,
    OptionsDx,
    CboeDataShop,
    HistoricalOptionData,
}

impl ImportFormat {
    pub const ALL: [ImportFormat; 9] = [
        ImportFormat::Cboe,
        ImportFormat::Yahoo,
        ImportFormat::BinanceLiquidations,
        ImportFormat::Coinglass,
        ImportFormat::CfeVx,
        ImportFormat::Fred,
        ImportFormat::OptionsDx,
        ImportFormat::CboeDataShop,
        ImportFormat::HistoricalOptionData,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ImportFormat::Cboe => "cboe",
            ImportFormat::Yahoo => "yahoo",
            ImportFormat::BinanceLiquidations => "binance-liquidations",
            ImportFormat::Coinglass => "coinglass",
            ImportFormat::CfeVx => "cfe-vx",
            ImportFormat::Fred => "fred",
            ImportFormat::OptionsDx => "optionsdx",
            ImportFormat::CboeDataShop => "cboe-datashop",
            ImportFormat::HistoricalOptionData => "historicaloptiondata",
        }
    }
}

impl fmt::Display for ImportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ImportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ImportFormat::ALL.into_iter().find(|f| f.name() == s).ok_or_else(|| {
            let all: Vec<&str> = ImportFormat::ALL.iter().map(|f| f.name()).collect();
            format!("expected one of {}, found `{s}`", all.join(", "))
        })
    }
}

/// Options of an import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Round prices to this many decimals (e.g. 2 for index levels stored as float32 artefacts).
    pub decimals: Option<u32>,
    /// Symbol for formats whose rows do not carry one (Binance snapshots: else from the file name).
    pub symbol: Option<String>,
    /// The root of chains whose files name none (OptionsDX; DataShop files without a `root`
    /// column); default `SPXW`.
    pub root: Option<String>,
    /// Drop the rows that fail a hard check (which the loaders would refuse) instead of failing.
    pub drop_invalid: bool,
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct ImportSummary {
    pub rows_in: usize,
    pub rows_out: usize,
    /// Human-readable remarks: rows dropped and why, rescaling applied, ordering fixed.
    pub notes: Vec<String>,
    /// Rows dropped by `drop_invalid`, each with its error.
    pub dropped: Vec<DroppedRow>,
    /// `data check` of the file written.
    pub report: Option<super::CheckReport>,
}

/// Convert `input` (vendor `format`) into a canonical file at `output` (CSV or Parquet by
/// extension), written atomically, and only when the loaders will accept it: a converted row
/// with an error is dropped with `opts.drop_invalid`, else the import fails and writes nothing.
pub fn import(
    format: ImportFormat,
    input: &Path,
    output: &Path,
    opts: &ImportOptions,
) -> Result<ImportSummary, DataError> {
    let table = match format {
        ImportFormat::OptionsDx | ImportFormat::CboeDataShop | ImportFormat::HistoricalOptionData => {
            Table::read_columns(input, &chains::wanted)?
        }
        _ => Table::read(input)?,
    };
    let rows_in = table.height();
    // The chain importers take the table and free it as soon as its columns are read.
    let (out, mut summary) = match format {
        ImportFormat::Cboe => bars::cboe(&table, opts)?,
        ImportFormat::Yahoo => bars::yahoo(&table, opts)?,
        ImportFormat::Fred => bars::fred(&table)?,
        ImportFormat::BinanceLiquidations => crypto::binance(&table, opts)?,
        ImportFormat::Coinglass => crypto::coinglass(&table)?,
        ImportFormat::CfeVx => cfe::cfe_vx(&table)?,
        ImportFormat::OptionsDx => chains::optionsdx(table, opts)?,
        ImportFormat::CboeDataShop => chains::cboe_datashop(table, opts)?,
        ImportFormat::HistoricalOptionData => chains::historicaloptiondata(table)?,
    };
    summary.rows_in = rows_in;
    if out.height() == 0 {
        return Err(DataError::Empty {
            path: input.to_path_buf(),
            found: "no usable rows after conversion".into(),
        });
    }
    let (dropped, report) = screen::write_checked(out, input, output, opts.drop_invalid)?;
    summary.rows_out = report.rows;
    summary.dropped = dropped;
    summary.report = Some(report);
    Ok(summary)
}

/// A vendor calendar date: `YYYY-MM-DD`, `M/D/YYYY`, `MM/DD/YYYY`, `YYYYMMDD`, optionally followed
/// by a time of day that is ignored (`20240102 00:00`, `2024-01-02 00:00:00`).
pub(crate) fn vendor_date(text: &str) -> Option<NaiveDate> {
    let s = text.trim();
    let day = s.split([' ', 'T']).next()?;
    for fmt in ["%Y-%m-%d", "%m/%d/%Y", "%Y%m%d", "%Y/%m/%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(day, fmt) {
            return Some(d);
        }
    }
    None
}

/// An epoch number with its unit guessed from its size: seconds, milliseconds, microseconds or
/// nanoseconds (values from 1973 to 2286 in each unit are unambiguous).
pub(crate) fn epoch(value: i64) -> Option<Timestamp> {
    let a = value.unsigned_abs();
    let ns = if a < 10_000_000_000 {
        value.checked_mul(1_000_000_000)?
    } else if a < 10_000_000_000_000 {
        value.checked_mul(1_000_000)?
    } else if a < 10_000_000_000_000_000 {
        value.checked_mul(1_000)?
    } else {
        value
    };
    Some(Timestamp::from_nanos(ns))
}

/// A vendor instant: epoch number (any unit) or ISO timestamp.
pub(crate) fn vendor_instant(cell: Cell<'_>) -> Option<Timestamp> {
    match cell {
        Cell::Int(i) => epoch(i),
        Cell::DatetimeNs(n) => Some(Timestamp::from_nanos(n)),
        Cell::Text(s) => {
            let t = s.trim();
            if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
                t.parse::<i64>().ok().and_then(epoch)
            } else {
                Timestamp::parse_iso(t).ok()
            }
        }
        _ => None,
    }
}

/// Round to `decimals` places when asked.
pub(crate) fn round_to(x: f64, decimals: Option<u32>) -> f64 {
    match decimals {
        Some(d) => {
            let m = 10f64.powi(d as i32);
            (x * m).round() / m
        }
        None => x,
    }
}

/// Error for a cell an importer cannot read.
pub(crate) fn bad_cell(t: &Table, row: usize, col: &str, expected: &str, cell: Cell<'_>) -> DataError {
    let found = match cell {
        Cell::Null => "an empty cell".to_string(),
        Cell::Text(s) => format!("`{}`", s.chars().take(40).collect::<String>()),
        other => format!("{other:?}"),
    };
    DataError::Invalid(Box::new(InvalidValue {
        path: t.path().to_path_buf(),
        location: t.location(row),
        column: col.to_string(),
        expected: expected.to_string(),
        found,
        more: String::new(),
    }))
}

/// Read a whole column through `parse`, failing on the first cell it rejects.
pub(crate) fn column<T>(
    t: &Table,
    col: &str,
    expected: &str,
    mut parse: impl FnMut(Cell<'_>) -> Option<T>,
) -> Result<Vec<T>, DataError> {
    let mut out = Vec::with_capacity(t.height());
    let mut err = None;
    t.visit(col, |row, cell| {
        if err.is_some() {
            return;
        }
        match parse(cell) {
            Some(v) => out.push(v),
            None => err = Some(bad_cell(t, row, col, expected, cell)),
        }
    })?;
    err.map_or(Ok(out), Err)
}

/// A number cell; `None` for anything else (including empty cells).
pub(crate) fn num(cell: Cell<'_>) -> Option<f64> {
    super::parse::number(cell).ok().flatten()
}

/// The first header among `aliases`, or a missing-column error.
pub(crate) fn need(t: &Table, aliases: &[&str]) -> Result<String, DataError> {
    t.find(aliases).map(str::to_string).ok_or_else(|| t.missing(aliases))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_dates() {
        let d = NaiveDate::from_ymd_opt(2004, 3, 5).unwrap();
        for s in ["2004-03-05", "3/5/2004", "03/05/2004", "20040305", "20040305 00:00", "2004-03-05 00:00:00"]
        {
            assert_eq!(vendor_date(s), Some(d), "{s}");
        }
        assert_eq!(vendor_date("13/05/2004"), None);
        assert_eq!(vendor_date("junk"), None);
    }

    #[test]
    fn epoch_units() {
        let want = Timestamp::parse_iso("2024-01-01T00:00:00Z").unwrap();
        assert_eq!(epoch(1_704_067_200), Some(want));
        assert_eq!(epoch(1_704_067_200_000), Some(want));
        assert_eq!(epoch(1_704_067_200_000_000), Some(want));
        assert_eq!(epoch(1_704_067_200_000_000_000), Some(want));
    }
}
