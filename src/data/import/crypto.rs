//! Importers for crypto liquidation data: Binance USD-M `liquidationSnapshot` files (individual
//! forced orders) and Coinglass-style aggregated long/short liquidation exports.

use super::{column, need, num, vendor_instant, ImportOptions, ImportSummary};
use crate::data::axis::modal_step;
use crate::data::table::{Cell, Table};
use crate::data::{DataError, OutColumn, OutTable};
use crate::time::Timestamp;

/// Binance USD-M `liquidationSnapshot`: `time,side,order_type,time_in_force,original_quantity,
/// price,average_price,order_status,last_fill_quantity,accumulated_fill_quantity`.
///
/// A SELL forced order closes (liquidates) a long position, a BUY one a short. Price is the
/// average fill price when it is above zero, else the order price; quantity is the accumulated
/// fill when the file has that column (orders that filled nothing are dropped: nothing was
/// liquidated), else the original quantity. USD-M contracts are quoted in
/// USDT, taken as USD: `notional_usd = price * quantity`. The symbol comes from `--symbol` or the
/// file name (`BTCUSDT-liquidationSnapshot-2024-01-01.csv` -> `BTCUSDT`). Rows are sorted by time
/// (stable) if they are not already.
pub fn binance(t: &Table, opts: &ImportOptions) -> Result<(OutTable, ImportSummary), DataError> {
    let symbol = match &opts.symbol {
        Some(s) => s.clone(),
        None => t
            .path()
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.split(['-', '_', '.']).next())
            .filter(|s| !s.is_empty())
            .map(str::to_ascii_uppercase)
            .ok_or_else(|| DataError::Usage {
                path: t.path().to_path_buf(),
                message: "cannot tell the symbol from the file name: pass --symbol".into(),
            })?,
    };
    let ts = column(t, &need(t, &["time"])?, "an epoch time in milliseconds", vendor_instant)?;
    let side = column(t, &need(t, &["side"])?, "`BUY` or `SELL`", |c| match c {
        Cell::Text(s) if s.trim().eq_ignore_ascii_case("sell") => Some("long"),
        Cell::Text(s) if s.trim().eq_ignore_ascii_case("buy") => Some("short"),
        _ => None,
    })?;
    let price = column(t, &need(t, &["price"])?, "a price", num)?;
    let optional = |names: &[&str]| -> Result<Vec<f64>, DataError> {
        match t.find(names) {
            Some(c) => column(t, c, "a number", |cell| num(cell).or(Some(0.0))),
            None => Ok(vec![0.0; t.height()]),
        }
    };
    let avg = optional(&["average_price"])?;
    let quantity = if t.find(&["accumulated_fill_quantity"]).is_some() {
        optional(&["accumulated_fill_quantity"])?
    } else {
        optional(&["original_quantity"])?
    };
    let mut rows: Vec<(Timestamp, usize)> = Vec::new();
    let (mut out_p, mut out_q) = (Vec::new(), Vec::new());
    for i in 0..t.height() {
        let p = if avg[i] > 0.0 { avg[i] } else { price[i] };
        let q = quantity[i];
        if p > 0.0 && q > 0.0 && p.is_finite() && q.is_finite() {
            rows.push((ts[i], i));
            out_p.push(p);
            out_q.push(q);
        }
    }
    let mut summary = ImportSummary::default();
    let mut order: Vec<usize> = (0..rows.len()).collect();
    if rows.windows(2).any(|w| w[1].0 < w[0].0) {
        order.sort_by_key(|&k| rows[k].0);
        summary.notes.push("rows were not in time order: sorted (stable)".into());
    }
    if rows.len() < t.height() {
        summary.notes.push(format!("{} orders with no fill or no price dropped", t.height() - rows.len()));
    }
    let mut out = OutTable::default();
    out.push("timestamp", OutColumn::Time(order.iter().map(|&k| rows[k].0).collect()));
    out.push("exchange", OutColumn::Text(vec!["binance".into(); order.len()]));
    out.push("symbol", OutColumn::Text(vec![symbol; order.len()]));
    out.push("side", OutColumn::Text(order.iter().map(|&k| side[rows[k].1].to_string()).collect()));
    out.push("price", OutColumn::Float(order.iter().map(|&k| out_p[k]).collect()));
    out.push("quantity", OutColumn::Float(order.iter().map(|&k| out_q[k]).collect()));
    out.push("notional_usd", OutColumn::Float(order.iter().map(|&k| out_p[k] * out_q[k]).collect()));
    Ok((out, summary))
}

const LONG: &[&str] = &[
    "long_liq_usd",
    "long_liquidation_usd",
    "longliquidationusd",
    "aggregated_long_liquidation_usd",
    "long liquidation(usd)",
    "longs",
    "long",
];
const SHORT: &[&str] = &[
    "short_liq_usd",
    "short_liquidation_usd",
    "shortliquidationusd",
    "aggregated_short_liquidation_usd",
    "short liquidation(usd)",
    "shorts",
    "short",
];

/// Label for a bucket length in seconds (`4h`, `1d`, `30m`, or `<n>s`).
fn bucket_label(s: i64) -> String {
    if s % 86_400 == 0 {
        format!("{}d", s / 86_400)
    } else if s % 3_600 == 0 {
        format!("{}h", s / 3_600)
    } else if s % 60 == 0 {
        format!("{}m", s / 60)
    } else {
        format!("{s}s")
    }
}

/// Coinglass-style aggregated liquidations: a time column (epoch in any unit, ISO timestamp or
/// date) and long/short liquidated notional in USD under any of the names Coinglass exports use.
/// Output: `timestamp` (bucket start) or `date` for daily buckets, `long_liq_usd`, `short_liq_usd`,
/// `bucket` (the modal step between rows).
pub fn coinglass(t: &Table) -> Result<(OutTable, ImportSummary), DataError> {
    let time_col = need(t, &["time", "timestamp", "date", "t", "bar_start_utc", "datetime"])?;
    let starts = column(t, &time_col, "an epoch time, ISO timestamp or date", |c| {
        vendor_instant(c).or_else(|| match c {
            Cell::Text(s) => super::vendor_date(s).and_then(|d| Timestamp::start_of_day(d).ok()),
            _ => None,
        })
    })?;
    let long = column(t, &need(t, LONG)?, "a USD amount", num)?;
    let short = column(t, &need(t, SHORT)?, "a USD amount", num)?;
    let step = modal_step(&starts).unwrap_or(86_400);
    let daily = step == 86_400 && starts.iter().all(|s| s.nanos() % 86_400_000_000_000 == 0);
    let mut out = OutTable::default();
    if daily {
        out.push("date", OutColumn::Date(starts.iter().map(|s| s.utc_date()).collect()));
    } else {
        out.push("timestamp", OutColumn::Time(starts));
    }
    out.push("long_liq_usd", OutColumn::Float(long));
    out.push("short_liq_usd", OutColumn::Float(short));
    out.push("bucket", OutColumn::Text(vec![bucket_label(step); t.height()]));
    Ok((out, ImportSummary::default()))
}
