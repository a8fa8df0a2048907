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

use super::chain_read::Rejects;
use super::findings::{load_with, Findings, Severity};
use super::table::Table;
use super::DataError;
use crate::time::{Calendar, Timestamp};
use chrono::NaiveDate;
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Right {
    #[default]
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
    /// Settled on the expiry day's special opening quotation (SPX monthlies; VIX options on the
    /// expiry Wednesday); else on the expiry day's close (SPXW).
    pub am_settled: bool,
    /// Strikes are listed on multiples of this (index points).
    pub strike_step: f64,
}

/// The roots ironhedge knows: SPX monthlies settle AM on the expiry day's open (the special
/// opening quotation), SPXW PM on the close; VIX and VIXW AM on the expiry Wednesday's special
/// opening quotation. SPX strikes are listed on a 5-point grid (wider far out), VIX on 0.5.
pub const ROOTS: [RootSpec; 4] = [
    RootSpec { name: "SPX", am_settled: true, strike_step: 5.0 },
    RootSpec { name: "SPXW", am_settled: false, strike_step: 5.0 },
    RootSpec { name: "VIX", am_settled: true, strike_step: 0.5 },
    RootSpec { name: "VIXW", am_settled: true, strike_step: 0.5 },
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

/// The columns as read, in file order; rows with an error are marked `bad`.
struct Raw {
    date: Vec<NaiveDate>,
    known_at: Vec<Timestamp>,
    root: Vec<u8>,
    expiry: Vec<NaiveDate>,
    right: Vec<Right>,
    strike: Vec<f64>,
    /// bid, ask, then the optional columns (NaN: no value).
    values: [Vec<f64>; 7],
    bad: Vec<bool>,
}

/// Parse and validate `t` as a chain, recording every problem in `out`. Works a column at a time
/// into typed vectors (a few tens of bytes a quote), so millions of quotes load in little memory.
pub fn analyse_chain(t: &Table, out: &mut Findings) -> Result<OptionChain, DataError> {
    let col = |aliases: &[&str]| t.find(aliases).map(str::to_string).ok_or_else(|| t.missing(aliases));
    let (date_col, expiry_col) = (col(DATE)?, col(EXPIRY)?);
    let (root_col, right_col, strike_col) = (col(ROOT)?, col(RIGHT)?, col(STRIKE)?);
    let (bid_col, ask_col) = (col(BID)?, col(ASK)?);
    let n = t.height();
    let mut r = Rejects { t, out, bad: vec![false; n] };
    let date = r.dates(&date_col)?;
    let expiry = r.dates(&expiry_col)?;
    let known_at = r.quote_times(&date)?;
    let root = r.roots(&root_col)?;
    let right = r.rights(&right_col)?;
    let strike = r.floats(&strike_col, true)?;
    for (row, k) in strike.iter().enumerate() {
        let valid = k.is_finite() && *k > 0.0;
        if !r.bad[row] && !valid {
            r.reject(row, "bad strike", &strike_col, "a finite strike > 0", k.to_string());
        }
    }
    let mut value_cols = vec![(bid_col, true), (ask_col, true)];
    for (_, aliases) in OPTIONAL {
        value_cols.push((t.find(aliases).unwrap_or("").to_string(), false));
    }
    let mut values: [Vec<f64>; 7] = Default::default();
    for (k, (c, quote)) in value_cols.iter().enumerate() {
        let column = if c.is_empty() { vec![f64::NAN; n] } else { r.floats(c, false)? };
        for (row, x) in column.iter().enumerate() {
            if !r.bad[row] && (x.is_infinite() || (*quote && *x < 0.0)) {
                let expected = if *quote { "a finite quote >= 0" } else { "a finite number" };
                r.reject(row, "bad value", c, expected, x.to_string());
            }
        }
        values[k] = column;
    }
    r.date_order(&date, &date_col);
    let raw = Raw { date, known_at, root, expiry, right, strike, values, bad: r.bad };
    let cal = Calendar::nyse();
    for row in (0..n).filter(|row| !raw.bad[*row]) {
        let contract = (ROOTS[raw.root[row] as usize], raw.expiry[row], raw.right[row], raw.strike[row]);
        let quote = (raw.values[0][row], raw.values[1][row]);
        super::chain_check::row_warnings(&cal, contract, quote, row, t, out);
    }
    let chain = assemble(raw, t, out);
    super::chain_check::snapshot_warnings(&chain, out);
    Ok(chain)
}

/// Order the good rows, drop what cannot stand (repairs), and build the chain.
fn assemble(raw: Raw, t: &Table, out: &mut Findings) -> OptionChain {
    let key = |i: usize| (raw.known_at[i], raw.root[i], raw.expiry[i], raw.right[i]);
    let mut order: Vec<u32> = (0..raw.date.len() as u32).filter(|&i| !raw.bad[i as usize]).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (a as usize, b as usize);
        key(a).cmp(&key(b)).then(raw.strike[a].total_cmp(&raw.strike[b])).then(a.cmp(&b))
    });
    let mut keep = Vec::with_capacity(order.len());
    let mut prev: Option<usize> = None;
    for &i in &order {
        let i = i as usize;
        if prev.is_some_and(|p| key(p) == key(i) && raw.strike[p] == raw.strike[i]) {
            let found = format!(
                "a second {} {} {} {} quote",
                ROOTS[raw.root[i] as usize].name,
                raw.expiry[i],
                raw.right[i].as_str(),
                raw.strike[i]
            );
            out.at(
                Severity::Repair,
                "duplicate contract (later row dropped)",
                t.location(i),
                "strike",
                "one row per contract and quote time",
                found,
            );
            continue;
        }
        prev = Some(i);
        if raw.date[i] > raw.expiry[i] {
            let expected = format!("an expiry on or after the quote date {}", raw.date[i]);
            out.at(
                Severity::Repair,
                "quote after expiry (row dropped)",
                t.location(i),
                "expiry",
                expected,
                raw.expiry[i].to_string(),
            );
            continue;
        }
        keep.push(i);
    }
    // Each column is moved out, picked and freed in turn: the raw and the final columns never
    // both exist whole.
    fn pick<T: Copy>(v: Vec<T>, keep: &[usize]) -> Vec<T> {
        keep.iter().map(|&i| v[i]).collect()
    }
    let Raw { date, known_at, root, expiry, right, strike, values, .. } = raw;
    let [bid, ask, underlying, iv, delta, volume, open_interest] = values;
    OptionChain {
        date: pick(date, &keep),
        known_at: pick(known_at, &keep),
        root: pick(root, &keep),
        expiry: pick(expiry, &keep),
        right: pick(right, &keep),
        strike: pick(strike, &keep),
        bid: pick(bid, &keep),
        ask: pick(ask, &keep),
        underlying: pick(underlying, &keep),
        iv: pick(iv, &keep),
        delta: pick(delta, &keep),
        volume: pick(volume, &keep),
        open_interest: pick(open_interest, &keep),
    }
}
