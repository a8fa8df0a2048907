//! Importer for Cfe VX settlement files: `Trade Date,Futures,Open,High,Low,Close,Settle,...` with
//! the contract named like `K (May 04)` or `F (Jan 2014)` (several files may be concatenated).
//!
//! The contract month gives the expiry by the VIX rule ([`crate::time::vix_expiry_for_month`]);
//! an explicit `expiry`/`expiration` column, when present, wins. Prices before 2007-03-26 were
//! quoted at ten times the index and are divided by ten. Rows with settle = 0 (no settlement:
//! pre-listing placeholders) are dropped and counted. Output rows are sorted by (date, expiry).

use super::{column, need, num, vendor_date, ImportSummary};
use crate::data::table::{Cell, Table};
use crate::data::{vx_rescale_date, DataError, OutColumn, OutTable};
use crate::time::{vix_expiry_for_month, Calendar};
use chrono::NaiveDate;

const MONTHS: [&str; 12] =
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// Contract month and year from a CFE label such as `K (May 04)` or `F (Jan 2014)`.
pub fn contract_month(label: &str) -> Option<(i32, u32)> {
    let inner = label.split_once('(')?.1.split_once(')')?.0.trim().to_ascii_lowercase();
    let (mon, yr) = inner.split_once(' ')?;
    let month = MONTHS.iter().position(|m| mon.starts_with(m))? as u32 + 1;
    let y: i32 = yr.trim().parse().ok()?;
    let year = match yr.trim().len() {
        2 => 2000 + y,
        4 => y,
        _ => return None,
    };
    Some((year, month))
}

/// Convert CFE VX settlement files to `date, expiry, settle` in index points.
pub fn cfe_vx(t: &Table) -> Result<(OutTable, ImportSummary), DataError> {
    let cal = Calendar::nyse();
    let date_col = need(t, &["trade date", "trade_date", "date"])?;
    let dates = column(t, &date_col, "a date (MM/DD/YYYY or YYYY-MM-DD)", |c| match c {
        Cell::Text(s) => vendor_date(s),
        _ => None,
    })?;
    let expiries: Vec<NaiveDate> = match t.find(&["expiry", "expiration", "expiration date"]) {
        Some(c) => column(t, c, "an expiry date", |cell| match cell {
            Cell::Text(s) => vendor_date(s),
            _ => None,
        })?,
        None => {
            let c = need(t, &["futures", "contract"])?;
            column(t, &c, "a contract label like `K (May 04)`", |cell| match cell {
                Cell::Text(s) => contract_month(s).and_then(|(y, m)| vix_expiry_for_month(&cal, y, m)),
                _ => None,
            })?
        }
    };
    let settle = column(t, &need(t, &["settle", "settlement"])?, "a settlement price", num)?;
    let mut rows: Vec<(NaiveDate, NaiveDate, f64)> = Vec::with_capacity(t.height());
    let (mut zero, mut rescaled) = (0, 0);
    for i in 0..t.height() {
        if settle[i] == 0.0 {
            zero += 1;
            continue;
        }
        let scale = if dates[i] < vx_rescale_date() {
            rescaled += 1;
            10.0
        } else {
            1.0
        };
        rows.push((dates[i], expiries[i], settle[i] / scale));
    }
    rows.sort_by_key(|r| (r.0, r.1));
    let mut summary = ImportSummary::default();
    if rescaled > 0 {
        summary
            .notes
            .push(format!("{rescaled} settlements before 2007-03-26 divided by 10 (CFE quoted x10)"));
    }
    if zero > 0 {
        summary.notes.push(format!("{zero} rows with settle = 0 (no settlement) dropped"));
    }
    let mut out = OutTable::default();
    out.push("date", OutColumn::Date(rows.iter().map(|r| r.0).collect()));
    out.push("expiry", OutColumn::Date(rows.iter().map(|r| r.1).collect()));
    out.push("settle", OutColumn::Float(rows.iter().map(|r| r.2).collect()));
    Ok((out, summary))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(contract_month("K (May 04)"), Some((2004, 5)));
        assert_eq!(contract_month("F (Jan 2014)"), Some((2014, 1)));
        assert_eq!(contract_month("VX"), None);
        assert_eq!(contract_month("K (Foo 04)"), None);
    }
}
