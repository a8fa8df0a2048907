//! Option chains: the canonical chain schema, loaded into typed columns held by (date, time, root,
//! expiry, right, strike), and the row-level checks of `data check` for chains.
//!
//! Columns (CSV or Parquet; names case-insensitive; the vendor importers write exactly these):
//!
//! | column | meaning |
//! |---|---|
//! | `date` | quote date (`YYYY-MM-DD`) |
//! | `time` | optional quote time, New York `HH:MM`; absent or empty = the session close (16:00, 13:00 on early closes) |
//! | `root` | `SPX` (AM-settled monthlies), `SPXW` (PM-settled), `VIX`, `VIXW` (AM, the Wednesday SOQ) |
//! | `expiry` | expiration date |
//! | `right` | `call` or `put` (`c`, `p`, `C`, `P` accepted) |
//! | `strike` | strike in index points |
//! | `bid`, `ask` | quotes; an empty cell (or NaN) is a missing quote |
//! | `underlying`, `iv`, `delta`, `volume`, `open_interest` | optional: the vendor's underlying at the quote time, implied vol (decimal), delta, volume, open interest |
//!
//! A quote is known at its own time. Rows must come in date order (any order within a date: the
//! loader sorts each quote time's rows by root, expiry, right and strike).
//!
//! What the loader refuses (errors): unreadable dates, times, strikes or quotes, an unknown root or
//! right, a negative or non-finite quote, a strike <= 0, dates out of order. What it repairs (and
//! says so): a second row for the same contract at the same time (the first is kept), a quote
//! dated after its expiry (dropped). What it warns about and keeps: crossed quotes (ask < bid),
//! zero or missing bids, strikes off the root's listed grid, expiries that are not trading days, a
//! vendor underlying far from the others of that time, put-call parity outliers.

use super::findings::{load_with, Findings, Severity};
use super::parse::{number_column, time_column, TimeValue};
use super::table::{Cell, Table};
use super::DataError;
use crate::pricing::SettlementStyle;
use crate::time::{new_york_utc, nyse_close_utc, Calendar, Timestamp};
use chrono::{NaiveDate, NaiveTime};
use std::path::Path;

pub const DATE: &[&str] = &["date", "quote_date"];
pub const TIME_OF_DAY: &[&str] = &["time", "quote_time"];
pub const ROOT: &[&str] = &["root"];
pub const EXPIRY: &[&str] = &["expiry", "expiration"];
pub const RIGHT: &[&str] = &["right", "option_type"];
pub const STRIKE: &[&str] = &["strike"];
pub const BID: &[&str] = &["bid"];
pub const ASK: &[&str] = &["ask"];
const OPTIONAL: [(&str, &[&str]); 5] = [
    ("underlying", &["underlying"]),
    ("iv", &["iv", "implied_vol"]),
    ("delta", &["delta"]),
    ("volume", &["volume"]),
    ("open_interest", &["open_interest"]),
];

/// Call or put.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Right {
    Call,
    Put,
}

impl Right {
    /// `call`/`put`, or `c`/`p`, any case.
    pub fn parse(text: &str) -> Option<Right> {
        match text.trim().to_ascii_lowercase().as_str() {
            "call" | "c" => Some(Right::Call),
            "put" | "p" => Some(Right::Put),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Right::Call => "call",
            Right::Put => "put",
        }
    }
}

/// What a root's options are: how they settle and the step of their listed strikes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RootSpec {
    pub name: &'static str,
    pub settlement: SettlementStyle,
    /// Strikes are listed on multiples of this (index points).
    pub strike_step: f64,
}

/// The roots ironhedge knows: SPX monthlies settle AM on the expiry day's open (the special
/// opening quotation), SPXW PM on the close; VIX and VIXW AM on the expiry Wednesday's special
/// opening quotation. SPX strikes are listed on a 5-point grid (wider far out), VIX on 0.5.
pub const ROOTS: [RootSpec; 4] = [
    RootSpec { name: "SPX", settlement: SettlementStyle::AmOpen, strike_step: 5.0 },
    RootSpec { name: "SPXW", settlement: SettlementStyle::PmClose, strike_step: 5.0 },
    RootSpec { name: "VIX", settlement: SettlementStyle::AmOpen, strike_step: 0.5 },
    RootSpec { name: "VIXW", settlement: SettlementStyle::AmOpen, strike_step: 0.5 },
];

/// The spec of root `name` (case-insensitive).
pub fn root_spec(name: &str) -> Option<RootSpec> {
    ROOTS.iter().copied().find(|r| r.name.eq_ignore_ascii_case(name.trim()))
}

/// An option chain: one row per quote, ordered by (known_at, root, expiry, right, strike).
/// Optional columns hold NaN where the file has no value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OptionChain {
    pub date: Vec<NaiveDate>,
    /// When the quote became known (UTC).
    pub known_at: Vec<Timestamp>,
    /// Index into [`ROOTS`].
    pub root: Vec<u8>,
    pub expiry: Vec<NaiveDate>,
    pub right: Vec<Right>,
    pub strike: Vec<f64>,
    /// NaN: no bid quoted.
    pub bid: Vec<f64>,
    /// NaN: no ask quoted.
    pub ask: Vec<f64>,
    pub underlying: Vec<f64>,
    pub iv: Vec<f64>,
    pub delta: Vec<f64>,
    pub volume: Vec<f64>,
    pub open_interest: Vec<f64>,
}

impl OptionChain {
    pub fn len(&self) -> usize {
        self.date.len()
    }

    pub fn is_empty(&self) -> bool {
        self.date.is_empty()
    }

    /// The root's spec of row `i`.
    pub fn root_of(&self, i: usize) -> RootSpec {
        ROOTS[self.root[i] as usize]
    }

    /// Rows `i..j` quoted at the same instant, in order: the chain as it stood then.
    pub fn snapshots(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        let mut start = 0;
        std::iter::from_fn(move || {
            if start >= self.len() {
                return None;
            }
            let t = self.known_at[start];
            let end = start + self.known_at[start..].partition_point(|k| *k == t);
            let range = start..end;
            start = end;
            Some(range)
        })
    }
}

/// Load and validate a chain file (see the module doc).
pub fn load_chain(path: &Path) -> Result<OptionChain, DataError> {
    load_with(path, analyse_chain).map(|(chain, _)| chain)
}

/// One row as read, before ordering.
struct Quote {
    row: usize,
    known_at: Timestamp,
    date: NaiveDate,
    root: u8,
    expiry: NaiveDate,
    right: Right,
    strike: f64,
    values: [f64; 7],
}

/// Parse and validate `t` as a chain, recording every problem in `out`.
pub fn analyse_chain(t: &Table, out: &mut Findings) -> Result<OptionChain, DataError> {
    let col = |aliases: &[&str]| t.find(aliases).map(str::to_string).ok_or_else(|| t.missing(aliases));
    let (date_col, expiry_col) = (col(DATE)?, col(EXPIRY)?);
    let (root_col, right_col, strike_col) = (col(ROOT)?, col(RIGHT)?, col(STRIKE)?);
    let (bid_col, ask_col) = (col(BID)?, col(ASK)?);
    let dates = time_column(t, &date_col, out)?;
    let expiries = time_column(t, &expiry_col, out)?;
    let times = match t.find(TIME_OF_DAY) {
        Some(c) => Some((c.to_string(), text_cells(t, c)?)),
        None => None,
    };
    let roots = text_cells(t, &root_col)?;
    let rights = text_cells(t, &right_col)?;
    let strikes = number_column(t, &strike_col, true, out)?;
    let mut values: Vec<(String, Vec<Option<f64>>)> = Vec::new();
    for c in [&bid_col, &ask_col] {
        values.push((c.clone(), number_column(t, c, false, out)?));
    }
    for (_, aliases) in OPTIONAL {
        match t.find(aliases) {
            Some(c) => values.push((c.to_string(), number_column(t, c, false, out)?)),
            None => values.push((String::new(), Vec::new())),
        }
    }
    let cal = Calendar::nyse();
    let mut quotes = Vec::with_capacity(t.height());
    let mut last_date: Option<NaiveDate> = None;
    for row in 0..t.height() {
        let Some(date) = day(&dates[row], row, &date_col, t, out) else { continue };
        if let Some(prev) = last_date.filter(|p| date < *p) {
            let expected = format!("a date on or after {prev} (rows in date order)");
            out.at(Severity::Error, "unsorted", t.location(row), &date_col, expected, date.to_string());
            continue;
        }
        last_date = Some(date);
        let Some(expiry) = day(&expiries[row], row, &expiry_col, t, out) else { continue };
        let time = times.as_ref().map(|(c, v)| (c, v[row].as_deref()));
        let Some(known_at) = quote_time(&cal, date, time, row, t, out) else { continue };
        let Some(root) = roots[row]
            .as_deref()
            .and_then(|r| ROOTS.iter().position(|s| s.name.eq_ignore_ascii_case(r.trim())))
        else {
            let names: Vec<&str> = ROOTS.iter().map(|r| r.name).collect();
            let found = roots[row].clone().unwrap_or_else(|| "an empty cell".into());
            out.at(
                Severity::Error,
                "unknown root",
                t.location(row),
                &root_col,
                format!("one of {}", names.join(", ")),
                found,
            );
            continue;
        };
        let Some(right) = rights[row].as_deref().and_then(Right::parse) else {
            let found = rights[row].clone().unwrap_or_else(|| "an empty cell".into());
            out.at(Severity::Error, "bad right", t.location(row), &right_col, "call or put", found);
            continue;
        };
        let Some(strike) = strikes[row] else { continue };
        let mut row_values = [f64::NAN; 7];
        let mut ok = positive_strike(strike, row, &strike_col, t, out);
        for (k, (name, v)) in values.iter().enumerate() {
            // NaN is how a missing value reaches a Parquet file: the same as an empty cell.
            let x = v.get(row).copied().flatten().filter(|x| !x.is_nan());
            ok &= x.is_none_or(|x| valid_value(x, k < 2, row, name, t, out));
            row_values[k] = x.unwrap_or(f64::NAN);
        }
        if ok {
            super::chain_check::row_warnings(
                &cal,
                (ROOTS[root], expiry, right, strike),
                (row_values[0], row_values[1]),
                row,
                t,
                out,
            );
            quotes.push(Quote {
                row,
                known_at,
                date,
                root: root as u8,
                expiry,
                right,
                strike,
                values: row_values,
            });
        }
    }
    let chain = assemble(quotes, t, out);
    super::chain_check::snapshot_warnings(&chain, out);
    Ok(chain)
}

/// A column's cells as trimmed text (`None` for empty cells).
fn text_cells(t: &Table, col: &str) -> Result<Vec<Option<String>>, DataError> {
    let mut v = Vec::with_capacity(t.height());
    t.visit(col, |_, cell| {
        v.push(match cell {
            Cell::Text(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Cell::Float(x) => Some(x.to_string()),
            Cell::Int(x) => Some(x.to_string()),
            _ => None,
        })
    })?;
    Ok(v)
}

fn day(v: &Option<TimeValue>, row: usize, col: &str, t: &Table, out: &mut Findings) -> Option<NaiveDate> {
    match v {
        Some(TimeValue::Date(d)) => Some(*d),
        Some(TimeValue::Instant(ts)) => {
            out.at(Severity::Error, "bad time", t.location(row), col, "a date YYYY-MM-DD", ts.to_string());
            None
        }
        None => None,
    }
}

/// The instant a quote became known: its New York `time`, else the session close of its date.
fn quote_time(
    cal: &Calendar,
    date: NaiveDate,
    time: Option<(&String, Option<&str>)>,
    row: usize,
    t: &Table,
    out: &mut Findings,
) -> Option<Timestamp> {
    match time {
        Some((col, Some(text))) => {
            let parsed = NaiveTime::parse_from_str(text, "%H:%M")
                .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M:%S"))
                .ok()
                .and_then(|tm| new_york_utc(date, tm));
            if parsed.is_none() {
                out.at(Severity::Error, "bad time", t.location(row), col, "a New York time HH:MM", text);
            }
            parsed
        }
        _ => nyse_close_utc(cal, date).ok(),
    }
}

fn positive_strike(x: f64, row: usize, col: &str, t: &Table, out: &mut Findings) -> bool {
    let ok = x.is_finite() && x > 0.0;
    if !ok {
        out.at(Severity::Error, "bad strike", t.location(row), col, "a finite strike > 0", x.to_string());
    }
    ok
}

/// A quote (`quote`: bid or ask) must be finite and >= 0; the optional columns finite.
fn valid_value(x: f64, quote: bool, row: usize, col: &str, t: &Table, out: &mut Findings) -> bool {
    let ok = x.is_finite() && (!quote || x >= 0.0);
    if !ok {
        let expected = if quote { "a finite quote >= 0" } else { "a finite number" };
        out.at(Severity::Error, "bad value", t.location(row), col, expected, x.to_string());
    }
    ok
}

/// Order the quotes, drop what cannot stand (repairs), and build the chain.
fn assemble(mut quotes: Vec<Quote>, t: &Table, out: &mut Findings) -> OptionChain {
    quotes.sort_by(|a, b| {
        (a.known_at, a.root, a.expiry, a.right)
            .cmp(&(b.known_at, b.root, b.expiry, b.right))
            .then(a.strike.total_cmp(&b.strike))
            .then(a.row.cmp(&b.row))
    });
    let mut c = OptionChain::default();
    let mut prev: Option<(Timestamp, u8, NaiveDate, Right, f64)> = None;
    for q in quotes {
        let key = (q.known_at, q.root, q.expiry, q.right, q.strike);
        if prev == Some(key) {
            let found = format!(
                "a second {} {} {} {} quote",
                ROOTS[q.root as usize].name,
                q.expiry,
                q.right.as_str(),
                q.strike
            );
            out.at(
                Severity::Repair,
                "duplicate contract (later row dropped)",
                t.location(q.row),
                "strike",
                "one row per contract and quote time",
                found,
            );
            continue;
        }
        prev = Some(key);
        if q.date > q.expiry {
            out.at(
                Severity::Repair,
                "quote after expiry (row dropped)",
                t.location(q.row),
                "expiry",
                format!("an expiry on or after the quote date {}", q.date),
                q.expiry.to_string(),
            );
            continue;
        }
        c.date.push(q.date);
        c.known_at.push(q.known_at);
        c.root.push(q.root);
        c.expiry.push(q.expiry);
        c.right.push(q.right);
        c.strike.push(q.strike);
        let [bid, ask, underlying, iv, delta, volume, oi] = q.values;
        c.bid.push(bid);
        c.ask.push(ask);
        c.underlying.push(underlying);
        c.iv.push(iv);
        c.delta.push(delta);
        c.volume.push(volume);
        c.open_interest.push(oi);
    }
    c
}
