//! The warnings `data check` gives for a chain beyond what the loader refuses (see
//! [`super::chain`]): per row, crossed quotes, zero or missing bids, strikes off the root's grid
//! and expiries that are not trading days; per quote time, a vendor underlying far from the
//! others and put-call parity outliers; and a summary line per date.

use super::chain::{OptionChain, Right, RootSpec};
use super::findings::{Findings, Severity};
use super::table::Table;
use crate::time::Calendar;
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// A vendor underlying further than this fraction from the median of its quote time is flagged.
const UNDERLYING_TOLERANCE: f64 = 0.005;

/// A put-call parity residual is an outlier beyond both quotes' spreads plus this fraction of the
/// forward (0.1%: about 3 SPX points at 3,000).
const PARITY_TOLERANCE: f64 = 0.001;

fn warn_at(
    out: &mut Findings,
    row: usize,
    t: &Table,
    category: &'static str,
    column: &str,
    expected: &str,
    found: String,
) {
    out.at(Severity::Warning, category, t.location(row), column, expected, found);
}

/// Warnings of one row that the loader keeps.
pub(super) fn row_warnings(
    cal: &Calendar,
    (root, expiry, right, strike): (RootSpec, NaiveDate, Right, f64),
    (bid, ask): (f64, f64),
    row: usize,
    t: &Table,
    out: &mut Findings,
) {
    if bid.is_nan() {
        warn_at(out, row, t, "missing bid", "bid", "a bid quote", "an empty cell".into());
    } else if bid == 0.0 {
        warn_at(out, row, t, "zero bid", "bid", "a bid > 0 (a zero bid cannot be sold)", "0".into());
    }
    if ask.is_nan() {
        warn_at(out, row, t, "missing ask", "ask", "an ask quote", "an empty cell".into());
    } else if ask < bid {
        warn_at(out, row, t, "crossed quote", "ask", "ask >= bid", format!("ask {ask} < bid {bid}"));
    }
    let steps = strike / root.strike_step;
    if (steps - steps.round()).abs() > 1e-9 {
        let expected = format!("a multiple of {} for {}", root.strike_step, root.name);
        warn_at(
            out,
            row,
            t,
            "strike off the listed grid",
            "strike",
            &expected,
            format!("{strike} ({})", right.as_str()),
        );
    }
    if !cal.is_trading_day(expiry) {
        warn_at(out, row, t, "expiry not a trading day", "expiry", "an NYSE trading day", expiry.to_string());
    }
}

fn mid(c: &OptionChain, i: usize) -> Option<(f64, f64)> {
    let (b, a) = (c.bid[i], c.ask[i]);
    (b > 0.0 && a >= b).then(|| ((a + b) / 2.0, a - b))
}

/// Warnings across the rows of each quote time: underlyings and put-call parity.
pub(super) fn snapshot_warnings(c: &OptionChain, out: &mut Findings) {
    for snap in c.snapshots() {
        underlying_outliers(c, snap.clone(), out);
        let mut start = snap.start;
        while start < snap.end {
            let key = (c.root[start], c.expiry[start]);
            let end = (start..snap.end).find(|&i| (c.root[i], c.expiry[i]) != key).unwrap_or(snap.end);
            parity_outliers(c, start..end, out);
            start = end;
        }
    }
}

fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    Some(v[v.len() / 2])
}

fn underlying_outliers(c: &OptionChain, snap: std::ops::Range<usize>, out: &mut Findings) {
    let mut u: Vec<f64> = snap.clone().map(|i| c.underlying[i]).filter(|x| x.is_finite()).collect();
    let Some(m) = median(&mut u) else { return };
    for i in snap.filter(|&i| (c.underlying[i] - m).abs() > UNDERLYING_TOLERANCE * m) {
        let expected = format!("an underlying within 0.5% of the quote time's median {m}");
        let found = format!(
            "{} on {} {} {} {} {}",
            c.underlying[i],
            c.date[i],
            c.root_of(i).name,
            c.expiry[i],
            c.right[i].as_str(),
            c.strike[i]
        );
        out.warn("underlying far from the others", expected, found);
    }
}

/// One expiry of one root at one time (rows ordered by right, then strike): call minus put mid
/// against strike lies on a line, `C - P = D (F - K)`. `D` is the median of the slopes between
/// neighbouring strikes and `D F` the median intercept, so a few bad quotes do not move the line;
/// a strike whose residual exceeds both quotes' spreads plus [`PARITY_TOLERANCE`] of the forward
/// is an outlier.
fn parity_outliers(c: &OptionChain, rows: std::ops::Range<usize>, out: &mut Findings) {
    let first = rows.start;
    let calls: BTreeMap<u64, usize> =
        rows.clone().filter(|&i| c.right[i] == Right::Call).map(|i| (c.strike[i].to_bits(), i)).collect();
    let pairs: Vec<(f64, f64, f64)> = rows
        .filter(|&i| c.right[i] == Right::Put)
        .filter_map(|p| {
            let k = c.strike[p];
            let call = *calls.get(&k.to_bits())?;
            let ((cm, cs), (pm, ps)) = (mid(c, call)?, mid(c, p)?);
            Some((k, cm - pm, cs + ps))
        })
        .collect();
    if pairs.len() < 3 {
        return;
    }
    let mut slopes: Vec<f64> = pairs.windows(2).map(|w| -(w[1].1 - w[0].1) / (w[1].0 - w[0].0)).collect();
    let Some(d) = median(&mut slopes) else { return };
    let mut intercepts: Vec<f64> = pairs.iter().map(|p| p.1 + d * p.0).collect();
    let Some(df) = median(&mut intercepts) else { return };
    let f = df / d;
    if !(d > 0.5 && d < 1.5 && f.is_finite() && f > 0.0) {
        return; // no sensible forward: nothing to judge against
    }
    for (k, y, spreads) in pairs {
        let resid = y - (df - d * k);
        if resid.abs() > spreads + PARITY_TOLERANCE * f {
            let expected = format!("call - put within the spreads of D (F - K) with F = {f:.2}, D = {d:.4}");
            let found = format!(
                "{} {} {} strike {k}: off by {resid:.2}",
                c.date[first],
                c.root_of(first).name,
                c.expiry[first]
            );
            out.warn("put-call parity outlier", expected, found);
        }
    }
}

/// The index a chain is written on (SPX for SPX and SPXW, VIX for VIX options), as daily bars:
/// a quote time whose median vendor underlying is more than [`INDEX_TOLERANCE`] from the index
/// close of its date is flagged (a 15:45 snapshot sits a quarter of an hour from the close, well
/// inside it).
pub fn index_warnings(c: &OptionChain, index: &crate::data::BarSeries, out: &mut Findings) {
    for snap in c.snapshots() {
        let i = snap.start;
        let mut u: Vec<f64> = snap.map(|j| c.underlying[j]).filter(|x| x.is_finite()).collect();
        let (Some(m), Some(close)) = (median(&mut u), index.close_on(c.date[i])) else { continue };
        if (m - close).abs() > INDEX_TOLERANCE * close {
            let expected =
                format!("a vendor underlying within 1% of the index close {close} of {}", c.date[i]);
            let found = format!("a median underlying of {m} for the quotes at {}", c.known_at[i]);
            out.warn("underlying far from the index", expected, found);
        }
    }
}

/// See [`index_warnings`].
const INDEX_TOLERANCE: f64 = 0.01;

/// One line per quote date (contracts, roots, expiries, the strike range); for more than 12
/// dates the first and last 5 and a line for those between.
pub fn chain_summary(c: &OptionChain) -> Vec<String> {
    let mut lines = date_lines(c);
    if lines.len() > 12 {
        let hidden = lines.len() - 10;
        let tail = lines.split_off(lines.len() - 5);
        lines.truncate(5);
        lines.push(format!("... {hidden} more dates"));
        lines.extend(tail);
    }
    lines
}

/// What the summary says of one quote date.
struct DateSummary<'a> {
    quotes: usize,
    roots: Vec<&'a str>,
    expiries: Vec<NaiveDate>,
    strikes: (f64, f64),
}

fn date_lines(c: &OptionChain) -> Vec<String> {
    let mut by_date: BTreeMap<NaiveDate, DateSummary<'_>> = BTreeMap::new();
    for i in 0..c.len() {
        let e = by_date.entry(c.date[i]).or_insert(DateSummary {
            quotes: 0,
            roots: Vec::new(),
            expiries: Vec::new(),
            strikes: (f64::INFINITY, 0.0),
        });
        e.quotes += 1;
        let root = c.root_of(i).name;
        if !e.roots.contains(&root) {
            e.roots.push(root);
        }
        if !e.expiries.contains(&c.expiry[i]) {
            e.expiries.push(c.expiry[i]);
        }
        e.strikes = (e.strikes.0.min(c.strike[i]), e.strikes.1.max(c.strike[i]));
    }
    by_date.into_iter().map(|(d, s)| date_line(d, &s)).collect()
}

fn date_line(d: NaiveDate, s: &DateSummary<'_>) -> String {
    let (first, last) = (s.expiries.iter().min(), s.expiries.iter().max());
    let span = match (first, last) {
        (Some(a), Some(b)) if a != b => format!("{a} .. {b}"),
        (Some(a), _) => a.to_string(),
        _ => String::new(),
    };
    let quotes = if s.quotes == 1 { "quote" } else { "quotes" };
    let n = s.expiries.len();
    let expiries = if n == 1 { "expiry" } else { "expiries" };
    let (lo, hi) = s.strikes;
    format!("{d}: {} {quotes}, {}, {n} {expiries} {span}, strikes {lo} .. {hi}", s.quotes, s.roots.join("+"))
}
