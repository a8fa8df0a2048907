//! Writing a run's results to `results/<run-id>/`: the resolved configuration, `equity.csv`,
//! `trades.csv`, `attribution.csv` and `attribution.parquet`, `equity.png` (equity with a
//! drawdown panel) and `attribution.png` (cumulative Greek P&L), drawn when the run has two days
//! or more, and `summary.json` (written last:
//! its presence marks a complete run). Every file is written atomically (temporary file, then
//! rename), so a killed run leaves whole files or none. The run id is the strategy's name and a
//! hash (FNV-1a, 64 bits) of the resolved configuration and window: the same inputs always write
//! to the same folder, and the same bytes.

use super::run::RunResult;
use crate::data::{write_atomic, DataError, OutColumn, OutTable};
use crate::metrics::Metrics;
use chrono::NaiveDate;
use std::fmt::Write as _;
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

fn json_num(x: Option<f64>) -> String {
    match x {
        Some(v) if v.is_finite() => format!("{}", v + 0.0),
        _ => "null".into(),
    }
}

fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn metrics_json(m: &Metrics) -> String {
    let fields: [(&str, Option<f64>); 16] = [
        ("total_return", m.total_return),
        ("cagr", m.cagr),
        ("ann_vol", m.ann_vol),
        ("sharpe", m.sharpe),
        ("sortino", m.sortino),
        ("max_drawdown", m.max_drawdown),
        ("max_drawdown_days", Some(m.max_drawdown_days as f64)),
        ("calmar", m.calmar),
        ("win_rate", m.win_rate),
        ("profit_factor", m.profit_factor),
        ("avg_win_usd", m.avg_win),
        ("avg_loss_usd", m.avg_loss),
        ("worst_day", m.worst_day),
        ("worst_month", m.worst_month),
        ("cvar_95", m.cvar_95),
        ("time_in_market", m.time_in_market),
    ];
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("    \"{k}\": {}", json_num(*v))).collect();
    format!("{{\n{},\n    \"trades\": {}\n  }}", body.join(",\n"), m.trades)
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

fn attribution_table(r: &RunResult) -> OutTable {
    let a = &r.attribution;
    let mut t = OutTable::default();
    t.push("date", OutColumn::Date(dates(r)));
    t.push("group", OutColumn::Text(vec!["condor".into(); a.len()]));
    t.push("delta_usd", floats(r, |i| a[i].delta_usd));
    t.push("gamma_usd", floats(r, |i| a[i].gamma_usd));
    t.push("vega_usd", floats(r, |i| a[i].vega_usd));
    t.push("theta_usd", floats(r, |i| a[i].theta_usd));
    t.push("residual_usd", floats(r, |i| a[i].residual_usd));
    t.push("total_usd", floats(r, |i| a[i].total_usd));
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
    t
}

/// The daily attribution columns, in chart order: delta, gamma, vega, theta, residual, total.
fn attribution_columns(r: &RunResult) -> [Vec<f64>; 6] {
    let a = &r.attribution;
    [
        a.iter().map(|x| x.delta_usd).collect(),
        a.iter().map(|x| x.gamma_usd).collect(),
        a.iter().map(|x| x.vega_usd).collect(),
        a.iter().map(|x| x.theta_usd).collect(),
        a.iter().map(|x| x.residual_usd).collect(),
        a.iter().map(|x| x.total_usd).collect(),
    ]
}

/// Draw `equity.png` and `attribution.png` into `dir` (also used by `ironhedge report`).
pub fn draw_charts(
    dir: &Path,
    name: &str,
    dates: &[NaiveDate],
    equity: &[f64],
    initial: f64,
    attribution: &[Vec<f64>; 6],
) -> Result<(), DataError> {
    use crate::charts::{attribution_chart, equity_chart, AttributionSeries};
    use plotters::style::RGBColor;
    let write_err = |file: &str, e: crate::charts::ChartError| DataError::Write {
        path: dir.join(file),
        message: e.to_string(),
    };
    equity_chart(&dir.join("equity.png"), name, dates, equity, initial)
        .map_err(|e| write_err("equity.png", e))?;
    let labels = ["delta", "gamma", "vega", "theta", "residual", "total"];
    let colors = [
        RGBColor(31, 119, 180),
        RGBColor(214, 39, 40),
        RGBColor(148, 103, 189),
        RGBColor(44, 160, 44),
        RGBColor(127, 127, 127),
        RGBColor(0, 0, 0),
    ];
    let series: Vec<AttributionSeries<'_>> = (0..6)
        .map(|i| AttributionSeries { label: labels[i], color: colors[i], daily: &attribution[i] })
        .collect();
    attribution_chart(&dir.join("attribution.png"), name, dates, &series)
        .map_err(|e| write_err("attribution.png", e))
}

/// Write every result file into `out/<run_id>/`; returns that folder.
pub fn write_results(
    out: &Path,
    run_id: &str,
    name: &str,
    resolved_config: &str,
    r: &RunResult,
) -> Result<PathBuf, DataError> {
    let dir = out.join(run_id);
    write_atomic(&dir.join("config.toml"), resolved_config.as_bytes())?;
    equity_table(r).write(&dir.join("equity.csv"))?;
    trades_table(r).write(&dir.join("trades.csv"))?;
    let attribution = attribution_table(r);
    attribution.write(&dir.join("attribution.csv"))?;
    attribution.write(&dir.join("attribution.parquet"))?;
    let dates: Vec<NaiveDate> = r.days.iter().map(|d| d.date).collect();
    let equity: Vec<f64> = r.days.iter().map(|d| d.equity_usd).collect();
    if dates.len() >= 2 {
        draw_charts(&dir, name, &dates, &equity, r.initial_usd, &attribution_columns(r))?;
    }
    let (first, last) =
        (r.days.first().map(|d| d.date.to_string()), r.days.last().map(|d| d.date.to_string()));
    let summary = format!(
        "{{\n  \"strategy\": {},\n  \"run_id\": {},\n  \"from\": {},\n  \"to\": {},\n  \"days\": {},\n  \"initial_usd\": {},\n  \"final_equity_usd\": {},\n  \"metrics\": {}\n}}\n",
        json_str(name),
        json_str(run_id),
        json_str(&first.unwrap_or_default()),
        json_str(&last.unwrap_or_default()),
        r.days.len(),
        json_num(Some(r.initial_usd)),
        json_num(r.days.last().map(|d| d.equity_usd)),
        metrics_json(&r.metrics),
    );
    write_atomic(&dir.join("summary.json"), summary.as_bytes())?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_ids_and_json_escapes() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(
            run_id("My Strategy!", "x"),
            format!("my-strategy-{:012x}", fnv1a(b"x") & 0xffff_ffff_ffff)
        );
        assert_eq!(json_str("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000a\"");
        assert_eq!(json_num(Some(f64::INFINITY)), "null");
        assert_eq!(json_num(Some(-0.0)), "0");
    }
}
