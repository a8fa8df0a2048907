//! Crypto perpetual-futures streams: individual liquidation events, aggregated liquidation buckets
//! and funding rates, loaded into typed, time-sorted columns.
//!
//! - Liquidation events: `timestamp, exchange, symbol, side, price, quantity, notional_usd`; `side`
//!   is the side that was liquidated (`long`/`short`). Equal timestamps are allowed (one order can
//!   liquidate many positions in the same millisecond); known at their own timestamp.
//! - Liquidation buckets: `timestamp` (bucket start), `long_liq_usd`, `short_liq_usd`, optional
//!   `bucket` (e.g. `4h`, `1d`); known at the bucket's end.
//! - Funding: `timestamp, symbol, rate` (a fraction per settlement, as the exchange publishes it);
//!   known at the settlement instant. One row per (timestamp, symbol).

use super::axis::{AxisSpec, Session, TimeAxis};
use super::findings::{load_with, Findings, Severity};
use super::parse::{number_column, text_column};
use super::schema::{BUCKET, EXCHANGE, LONG_LIQ, NOTIONAL, PRICE, QUANTITY, RATE, SHORT_LIQ, SIDE, SYMBOL};
use super::table::{Cell, Table};
use super::DataError;
use crate::time::Timestamp;
use std::path::Path;

/// The side of the position that was liquidated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    Long,
    Short,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Long => "long",
            Side::Short => "short",
        }
    }
}

/// Interned strings (exchange and symbol names): ids are assigned in order of first appearance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names(pub Vec<String>);

impl Names {
    pub fn intern(&mut self, s: &str) -> u16 {
        if let Some(i) = self.0.iter().position(|x| x == s) {
            return i as u16;
        }
        self.0.push(s.to_string());
        (self.0.len() - 1) as u16
    }
}

/// Individual liquidations, ascending in time.
#[derive(Debug, Clone, Default)]
pub struct LiquidationEvents {
    pub ts: Vec<Timestamp>,
    pub exchange: Vec<u16>,
    pub symbol: Vec<u16>,
    pub side: Vec<Side>,
    pub price: Vec<f64>,
    pub quantity: Vec<f64>,
    pub notional_usd: Vec<f64>,
    pub exchanges: Names,
    pub symbols: Names,
}

impl LiquidationEvents {
    pub fn len(&self) -> usize {
        self.ts.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ts.is_empty()
    }
}

/// Aggregated liquidations per bucket, ascending in time.
#[derive(Debug, Clone, Default)]
pub struct LiquidationBuckets {
    pub start: Vec<Timestamp>,
    pub known_at: Vec<Timestamp>,
    pub long_liq_usd: Vec<f64>,
    pub short_liq_usd: Vec<f64>,
    /// Bucket length in seconds (daily buckets: 86,400).
    pub bucket_s: i64,
}

/// Funding rates per settlement, ascending in time.
#[derive(Debug, Clone, Default)]
pub struct FundingRates {
    pub ts: Vec<Timestamp>,
    pub symbol: Vec<u16>,
    pub rate: Vec<f64>,
    pub symbols: Names,
}

fn non_negative(
    x: Option<f64>,
    row: usize,
    col: &str,
    strictly: bool,
    t: &Table,
    out: &mut Findings,
) -> Option<f64> {
    let x = x?;
    let ok = x.is_finite() && if strictly { x > 0.0 } else { x >= 0.0 };
    if !ok {
        let want = if strictly { "a finite number > 0" } else { "a finite number >= 0" };
        out.at(Severity::Error, "impossible value", t.location(row), col, want, x.to_string());
        return None;
    }
    Some(x)
}

fn col(t: &Table, aliases: &[&str]) -> Result<String, DataError> {
    t.find(aliases).map(str::to_string).ok_or_else(|| t.missing(aliases))
}

/// Parse and validate individual liquidation events.
pub fn analyse_liquidations(t: &Table, out: &mut Findings) -> Result<LiquidationEvents, DataError> {
    let axis = TimeAxis::build(t, AxisSpec::events(), out)?;
    let side_col = col(t, SIDE)?;
    let price = number_column(t, &col(t, PRICE)?, true, out)?;
    let qty = number_column(t, &col(t, QUANTITY)?, true, out)?;
    let notional = number_column(t, &col(t, NOTIONAL)?, true, out)?;
    let exchange = text_column(t, &col(t, EXCHANGE)?, out)?;
    let symbol = text_column(t, &col(t, SYMBOL)?, out)?;
    let mut sides = Vec::with_capacity(t.height());
    t.visit(&side_col, |row, cell| {
        let s = match cell {
            Cell::Text(s) => s.trim().to_ascii_lowercase(),
            _ => String::new(),
        };
        sides.push(match s.as_str() {
            "long" => Some(Side::Long),
            "short" => Some(Side::Short),
            _ => {
                let hint = if s == "buy" || s == "sell" {
                    " (an order side: import with --format binance-liquidations)"
                } else {
                    ""
                };
                out.at(
                    Severity::Error,
                    "bad side",
                    t.location(row),
                    &side_col,
                    "`long` or `short` (the liquidated side)",
                    format!("`{s}`{hint}"),
                );
                None
            }
        });
    })?;
    let mut ev = LiquidationEvents::default();
    for row in 0..t.height() {
        let p = non_negative(price[row], row, "price", true, t, out);
        let q = non_negative(qty[row], row, "quantity", true, t, out);
        let n = non_negative(notional[row], row, "notional_usd", false, t, out);
        if let (Some(ts), Some(side), Some(p), Some(q), Some(n), Some(x), Some(s)) =
            (axis.known[row], sides[row], p, q, n, &exchange[row], &symbol[row])
        {
            ev.ts.push(ts);
            let e = ev.exchanges.intern(x);
            ev.exchange.push(e);
            let s = ev.symbols.intern(s);
            ev.symbol.push(s);
            ev.side.push(side);
            ev.price.push(p);
            ev.quantity.push(q);
            ev.notional_usd.push(n);
        }
    }
    Ok(ev)
}

/// Parse a bucket label such as `4h`, `1d`, `30m`, `8h` into seconds.
pub fn parse_bucket(label: &str) -> Option<i64> {
    let s = label.trim().to_ascii_lowercase();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit())?);
    let n: i64 = num.parse().ok().filter(|n| *n > 0)?;
    let mult = match unit {
        "m" | "min" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return None,
    };
    Some(n * mult)
}

/// Parse and validate liquidation buckets. Daily buckets are UTC days.
pub fn analyse_buckets(t: &Table, out: &mut Findings) -> Result<LiquidationBuckets, DataError> {
    let mut declared = None;
    if let Some(b) = t.find(BUCKET).map(str::to_string) {
        t.visit(&b, |row, cell| {
            if let Cell::Text(s) = cell {
                match parse_bucket(s) {
                    Some(x) if declared.is_none() || declared == Some(x) => declared = Some(x),
                    _ => out.at(
                        Severity::Error,
                        "bad bucket",
                        t.location(row),
                        &b,
                        "a bucket length like 4h or 1d, the same on every row",
                        format!("`{s}`"),
                    ),
                }
            }
        })?;
    }
    let axis = TimeAxis::build(t, AxisSpec::periods(Session::UtcDayEnd, declared), out)?;
    let long = number_column(t, &col(t, LONG_LIQ)?, true, out)?;
    let short = number_column(t, &col(t, SHORT_LIQ)?, true, out)?;
    let mut b = LiquidationBuckets {
        bucket_s: if axis.daily { 86_400 } else { axis.period_s.unwrap_or(0) },
        ..Default::default()
    };
    for row in 0..t.height() {
        let l = non_negative(long[row], row, "long_liq_usd", false, t, out);
        let s = non_negative(short[row], row, "short_liq_usd", false, t, out);
        if let (Some(st), Some(k), Some(l), Some(s)) = (axis.start[row], axis.known[row], l, s) {
            b.start.push(st);
            b.known_at.push(k);
            b.long_liq_usd.push(l);
            b.short_liq_usd.push(s);
        }
    }
    Ok(b)
}

/// Parse and validate funding rates. With `--kind funding` an OHLC export of funding is accepted
/// with its `close` as the rate and the file's stem as the symbol.
pub fn analyse_funding(t: &Table, out: &mut Findings) -> Result<FundingRates, DataError> {
    let rate_col =
        t.find(RATE).or_else(|| t.find(&["close"])).map(str::to_string).ok_or_else(|| t.missing(RATE))?;
    let rates = number_column(t, &rate_col, true, out)?;
    let symbols = match t.find(SYMBOL) {
        Some(s) => text_column(t, s, out)?,
        None => {
            let stem = t.path().file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
            vec![Some(stem); t.height()]
        }
    };
    // An OHLC export of funding has one bar per period, known at the bar's end; a settlement
    // file lists instants.
    let spec = if t.find(RATE).is_none() {
        AxisSpec::periods(super::axis::Session::UtcDayEnd, None)
    } else {
        AxisSpec::events()
    };
    let axis = TimeAxis::build(t, spec, out)?;
    let mut f = FundingRates::default();
    let mut last: Option<(Timestamp, Vec<u16>)> = None;
    for row in 0..t.height() {
        let (Some(ts), Some(r), Some(sym)) = (axis.known[row], rates[row], &symbols[row]) else {
            continue;
        };
        if !r.is_finite() || r.abs() > 1.0 {
            out.at(
                Severity::Error,
                "impossible value",
                t.location(row),
                &rate_col,
                "a finite funding rate with |rate| <= 1 (a fraction per settlement)",
                r.to_string(),
            );
            continue;
        }
        let id = f.symbols.intern(sym);
        match &mut last {
            Some((lt, seen)) if *lt == ts => {
                if seen.contains(&id) {
                    out.at(
                        Severity::Error,
                        "duplicate time",
                        t.location(row),
                        &axis.column,
                        format!("one row per time and symbol `{sym}`"),
                        format!("a second row at {ts}"),
                    );
                    continue;
                }
                seen.push(id);
            }
            _ => last = Some((ts, vec![id])),
        }
        f.ts.push(ts);
        f.symbol.push(id);
        f.rate.push(r);
    }
    Ok(f)
}

/// Load and validate a liquidation-event file.
pub fn load_liquidations(path: &Path) -> Result<LiquidationEvents, DataError> {
    load_with(path, analyse_liquidations).map(|(v, _)| v)
}

/// Load and validate a liquidation-bucket file.
pub fn load_buckets(path: &Path) -> Result<LiquidationBuckets, DataError> {
    load_with(path, analyse_buckets).map(|(v, _)| v)
}

/// Load and validate a funding-rate file.
pub fn load_funding(path: &Path) -> Result<FundingRates, DataError> {
    load_with(path, analyse_funding).map(|(v, _)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_labels() {
        assert_eq!(parse_bucket("4h"), Some(14_400));
        assert_eq!(parse_bucket("1D"), Some(86_400));
        assert_eq!(parse_bucket("30m"), Some(1_800));
        assert_eq!(parse_bucket("h"), None);
        assert_eq!(parse_bucket("0h"), None);
        assert_eq!(parse_bucket("4x"), None);
    }
}

/// Liquidation data of either shape.
#[derive(Debug, Clone)]
pub enum LiquidationStream {
    Events(LiquidationEvents),
    Buckets(LiquidationBuckets),
}

/// Load a liquidation file, telling events from buckets by its header.
pub fn load_liquidation_stream(path: &Path) -> Result<LiquidationStream, DataError> {
    let t = Table::read(path)?;
    match super::schema::StreamKind::detect(&t)? {
        super::schema::StreamKind::LiquidationBuckets => load_buckets(path).map(LiquidationStream::Buckets),
        super::schema::StreamKind::LiquidationEvents => {
            load_liquidations(path).map(LiquidationStream::Events)
        }
        other => Err(DataError::Usage {
            path: path.to_path_buf(),
            message: format!("expected liquidation events or buckets, found a {other} file"),
        }),
    }
}
