//! A run's result files in `results/<run-id>/`, written and read back. This module sits above
//! the engine: the engine produces a [`RunResult`]; this module turns it into files, and the
//! charts are drawn from those files read back ([`readback`]), so `ironhedge report` redraws the
//! same pixels.
//!
//! The files: the resolved configuration, `equity.csv`, `trades.csv`, `attribution.csv` and
//! `attribution.parquet` (per day and position group), with a hedge `hedge_trades.csv` and
//! `hedge_daily.csv`, with rules `signals.csv` (each series and event the rules read, per day), with position
//! rules `adjustments.csv` (each adjustment taken or skipped, and why), the charts (when the run has two days or more: see [`crate::charts`]), and
//! `summary.json` (written last: its presence marks a complete run; see [`summary`]). Every file
//! is written atomically (temporary file, then rename), so a killed run leaves whole files or
//! none. The run id is the strategy's name and a hash (FNV-1a, 64 bits) of the resolved
//! configuration and window: the same inputs always write to the same folder, and the same bytes.

mod readback;
mod summary;

pub use readback::read_run;
pub use summary::{residual_share, HedgeLine, HedgeReport};

use crate::data::{write_atomic, DataError, OutColumn, OutTable};
use crate::engine::{Attribution, RunResult};
use chrono::NaiveDate;
use std::path::{Path, PathBuf};

/// FNV-1a, 64 bits: a stable hash (std's hasher may change between Rust versions).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ *b as u64).wrapping_mul(0x0100_0000_01b3))
}

/// `<name>-<12 hex digits>`, the name reduced to `[a-z0-9-]`.
pub fn run_id(name: &str, resolved_config: &str) -> String {
    let slug: String =
        name.to_ascii_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    format!("{}-{:012x}", slug.trim_matches('-'), fnv1a(resolved_config.as_bytes()) & 0xffff_ffff_ffff)
}

fn dates(r: &RunResult) -> Vec<NaiveDate> {
    r.days.iter().map(|d| d.date).collect()
}

fn floats(r: &RunResult, f: impl Fn(usize) -> f64) -> OutColumn {
    OutColumn::Float((0..r.days.len()).map(f).collect())
}

fn equity_table(r: &RunResult) -> OutTable {
    let mut t = OutTable::default();
    t.push("date", OutColumn::Date(dates(r)));
    let d = &r.days;
    t.push("equity_usd", floats(r, |i| d[i].equity_usd));
    t.push("cash_usd", floats(r, |i| d[i].cash_usd));
    t.push("margin_usd", floats(r, |i| d[i].margin_usd));
    t.push("open_condors", floats(r, |i| d[i].open_condors as f64));
    t.push("spx", floats(r, |i| d[i].spx));
    t.push("vix", floats(r, |i| d[i].vix));
    t.push("rate", floats(r, |i| d[i].rate));
    t.push("interest_usd", floats(r, |i| d[i].interest_usd));
    t.push("costs_usd", floats(r, |i| d[i].costs_usd));
    t.push("pnl_usd", floats(r, |i| d[i].pnl_usd));
    t.push("hedge_value_usd", floats(r, |i| d[i].hedge_value_usd));
    t.push("hedge_contracts", floats(r, |i| d[i].hedge_contracts as f64));
    t.push("hedge_paid_usd", floats(r, |i| d[i].hedge_paid_usd));
    t.push("hedge_recovered_usd", floats(r, |i| d[i].hedge_recovered_usd));
    t.push("term_ratio", floats(r, |i| d[i].term_ratio.unwrap_or(f64::NAN)));
    t.push("long_liq_usd", floats(r, |i| d[i].long_liq_usd));
    t.push("short_liq_usd", floats(r, |i| d[i].short_liq_usd));
    t.push("cascades", floats(r, |i| d[i].cascades as f64));
    let mut peak = r.initial_usd;
    let dd: Vec<f64> = d
        .iter()
        .map(|x| {
            peak = peak.max(x.equity_usd);
            if peak > 0.0 {
                (peak - x.equity_usd) / peak
            } else {
                0.0
            }
        })
        .collect();
    t.push("drawdown", OutColumn::Float(dd));
    t
}

/// One row per (date, group): the condor book, then each hedge layer, date by date.
fn attribution_table(r: &RunResult) -> OutTable {
    let g = r.groups.len();
    let rows = r.days.len() * g;
    let at = |i: usize| &r.group_attribution[i % g][i / g];
    let col = |f: &dyn Fn(&Attribution) -> f64| OutColumn::Float((0..rows).map(|i| f(at(i))).collect());
    let mut t = OutTable::default();
    t.push("date", OutColumn::Date((0..rows).map(|i| r.days[i / g].date).collect()));
    t.push("group", OutColumn::Text((0..rows).map(|i| r.groups[i % g].clone()).collect()));
    for (k, part) in Attribution::PARTS.iter().enumerate() {
        t.push(&format!("{part}_usd"), col(&|a| a.parts()[k]));
    }
    t
}

/// One row per adjustment a position rule took or skipped.
fn adjustments_table(a: &[crate::engine::AdjustmentLog]) -> OutTable {
    let mut t = OutTable::default();
    t.push("date", OutColumn::Date(a.iter().map(|x| x.date).collect()));
    t.push("position", OutColumn::Float(a.iter().map(|x| f64::from(x.position)).collect()));
    t.push("action", OutColumn::Text(a.iter().map(|x| x.action.to_string()).collect()));
    t.push(
        "new_position",
        OutColumn::Float(a.iter().map(|x| x.new_position.map_or(f64::NAN, f64::from)).collect()),
    );
    t.push("outcome", OutColumn::Text(a.iter().map(|x| x.outcome.clone()).collect()));
    t
}

/// One row per day: each series the rules read (empty while it has no value).
fn signals_table(r: &RunResult) -> OutTable {
    let mut t = OutTable::default();
    t.push("date", OutColumn::Date(dates(r)));
    for (name, v) in &r.signals {
        t.push(name, OutColumn::Float(v.iter().map(|x| x.unwrap_or(f64::NAN)).collect()));
    }
    t
}

/// One row per (date, hedge layer): contracts held and their value at mid.
fn hedge_daily_table(r: &RunResult) -> OutTable {
    let g = r.hedge_totals.len();
    let rows = r.days.len() * g;
    let mut t = OutTable::default();
    t.push("date", OutColumn::Date((0..rows).map(|i| r.days[i / g].date).collect()));
    t.push(
        "layer",
        OutColumn::Text((0..rows).map(|i| r.groups[i % g + 1].replacen("hedge:", "", 1)).collect()),
    );
    t.push(
        "contracts",
        OutColumn::Float((0..rows).map(|i| r.days[i / g].layer_contracts[i % g] as f64).collect()),
    );
    t.push("value_usd", OutColumn::Float((0..rows).map(|i| r.days[i / g].layer_value_usd[i % g]).collect()));
    t
}

fn hedge_trades_table(r: &RunResult) -> OutTable {
    let tr = &r.hedge_trades;
    let mut t = OutTable::default();
    let col = |f: &dyn Fn(usize) -> f64| OutColumn::Float((0..tr.len()).map(f).collect());
    t.push("id", col(&|i| tr[i].id as f64));
    t.push(
        "layer",
        OutColumn::Text(tr.iter().map(|x| r.groups[x.layer + 1].replacen("hedge:", "", 1)).collect()),
    );
    t.push("entry_date", OutColumn::Date(tr.iter().map(|x| x.entry_date).collect()));
    t.push("exit_date", OutColumn::Date(tr.iter().map(|x| x.exit_date).collect()));
    t.push("expiry", OutColumn::Date(tr.iter().map(|x| x.expiry).collect()));
    t.push("strike", col(&|i| tr[i].strike));
    t.push("contracts", col(&|i| tr[i].contracts as f64));
    t.push("entry_price", col(&|i| tr[i].entry_price));
    t.push("exit_price", col(&|i| tr[i].exit_price));
    t.push("entry_future", col(&|i| tr[i].entry_future));
    t.push("exit_future", col(&|i| tr[i].exit_future));
    t.push("exit_reason", OutColumn::Text(tr.iter().map(|x| x.reason.as_str().to_string()).collect()));
    t.push("pnl_usd", col(&|i| tr[i].pnl_usd));
    t.push("break_even_vix", col(&|i| tr[i].break_even_vix));
    if r.chain.as_ref().is_some_and(|c| c.hedge.is_some()) {
        let side = |q: bool| if q { "quote" } else { "model" };
        let label = |x: &crate::engine::HedgeTrade| {
            x.quoted.map_or(String::new(), |(entry, exit)| {
                format!("entry:{} exit:{}", side(entry), exit.map_or("index", side))
            })
        };
        t.push("priced_from", OutColumn::Text(tr.iter().map(label).collect()));
    }
    t
}

fn trades_table(r: &RunResult) -> OutTable {
    let tr = &r.trades;
    let mut t = OutTable::default();
    let col = |f: &dyn Fn(usize) -> f64| OutColumn::Float((0..tr.len()).map(f).collect());
    t.push("id", col(&|i| tr[i].id as f64));
    t.push("entry_date", OutColumn::Date(tr.iter().map(|x| x.entry_date).collect()));
    t.push("exit_date", OutColumn::Date(tr.iter().map(|x| x.exit_date).collect()));
    t.push("expiry", OutColumn::Date(tr.iter().map(|x| x.expiry).collect()));
    for (k, name) in ["long_put", "short_put", "short_call", "long_call"].iter().enumerate() {
        t.push(name, col(&|i| tr[i].strikes[k]));
    }
    t.push("contracts", col(&|i| tr[i].contracts as f64));
    t.push("credit", col(&|i| tr[i].credit));
    t.push("exit_price", col(&|i| tr[i].exit_price));
    t.push("entry_reason", OutColumn::Text(tr.iter().map(|x| x.entry_reason.to_string()).collect()));
    t.push("exit_reason", OutColumn::Text(tr.iter().map(|x| x.exit_reason.as_str().to_string()).collect()));
    t.push("pnl_usd", col(&|i| tr[i].pnl_usd));
    if r.chain.as_ref().is_some_and(|c| c.condor.is_some()) {
        let label = |x: &crate::engine::Trade| x.legs_quoted.map_or(String::new(), |l| l.label());
        t.push("priced_from", OutColumn::Text(tr.iter().map(label).collect()));
    }
    t
}

/// Draw every chart of the run saved in `dir` from its files (also `ironhedge report`); returns
/// the charts written. A run of fewer than two days has nothing to draw: no charts, no error.
pub fn draw_charts(dir: &Path, log_equity: bool) -> Result<Vec<PathBuf>, DataError> {
    let data = readback::read_run(dir)?;
    if data.dates.len() < 2 {
        return Ok(Vec::new());
    }
    crate::charts::draw_run_charts(dir, &data, log_equity)
        .map_err(|e| DataError::Write { path: dir.to_path_buf(), message: e.to_string() })
}

/// Write every result file into `out/<run_id>/`; returns that folder.
pub fn write_results(
    out: &Path,
    run_id: &str,
    name: &str,
    resolved_config: &str,
    r: &RunResult,
    log_equity: bool,
) -> Result<PathBuf, DataError> {
    let dir = out.join(run_id);
    crate::data::remove_stale_temps(&dir);
    write_atomic(&dir.join("config.toml"), resolved_config.as_bytes())?;
    equity_table(r).write(&dir.join("equity.csv"))?;
    trades_table(r).write(&dir.join("trades.csv"))?;
    if !r.hedge_totals.is_empty() {
        hedge_trades_table(r).write(&dir.join("hedge_trades.csv"))?;
        hedge_daily_table(r).write(&dir.join("hedge_daily.csv"))?;
    }
    if let Some(a) = &r.adjustments {
        adjustments_table(a).write(&dir.join("adjustments.csv"))?;
    }
    if !r.signals.is_empty() {
        signals_table(r).write(&dir.join("signals.csv"))?;
    }
    let attribution = attribution_table(r);
    attribution.write(&dir.join("attribution.csv"))?;
    attribution.write(&dir.join("attribution.parquet"))?;
    draw_charts(&dir, log_equity)?;
    let summary = summary::summary_json(name, run_id, r);
    write_atomic(&dir.join("summary.json"), summary.as_bytes())?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_ids() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(
            run_id("My Strategy!", "x"),
            format!("my-strategy-{:012x}", fnv1a(b"x") & 0xffff_ffff_ffff)
        );
    }
}
