//! The sweep's results table: one row per combination (its index, every parameter, a status and
//! every metric), its text form (one CSV line, the same bytes whichever thread or process made
//! it), the checkpoint file rows are appended to as they complete, and the final table.

use crate::data::{write_lines_atomic, DataError, OutColumn, OutTable};
use crate::engine::kernel::CondorRun;
use crate::engine::RunResult;
use crate::metrics::Metrics;
use crate::results::HedgeReport;
use std::io::Write as _;
use std::path::Path;

/// Every metric column of the table, in order (definitions: `ironhedge::metrics`; `_usd` columns
/// in dollars; `max_drawdown_usd` from the starting capital as the first peak).
pub const METRICS: [&str; 22] = [
    "total_return",
    "cagr",
    "ann_vol",
    "sharpe",
    "sortino",
    "max_drawdown",
    "max_drawdown_days",
    "calmar",
    "trades",
    "win_rate",
    "profit_factor",
    "avg_win_usd",
    "avg_loss_usd",
    "worst_day",
    "worst_month",
    "cvar_95",
    "time_in_market",
    "final_equity_usd",
    "total_pnl_usd",
    "max_drawdown_usd",
    "hedge_net_cost_usd",
    "hedge_cost_pct_of_credit",
];

/// One combination's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub index: u64,
    /// Parameter values as shown (see [`super::spec::show`]).
    pub params: Vec<String>,
    /// `ok`, or why the combination could not run.
    pub status: String,
    /// One per [`METRICS`] entry; `None` where undefined.
    pub metrics: Vec<Option<f64>>,
    /// The row as one CSV line (made once, by [`Row::new`]).
    line: String,
}

/// The metrics of a run, in [`METRICS`] order.
pub fn metrics_of(r: &RunResult) -> Vec<Option<f64>> {
    metric_values(&r.metrics, r.initial_usd, r.final_equity_usd, HedgeReport::of(r))
}

/// The metrics of a kernel run (no hedge), in [`METRICS`] order: the same as [`metrics_of`] of
/// the engine's run of the same strategy.
pub fn metrics_of_kernel(r: &CondorRun) -> Vec<Option<f64>> {
    metric_values(&r.metrics, r.initial_usd, r.final_equity_usd, None)
}

fn metric_values(
    m: &Metrics,
    initial_usd: f64,
    last: Option<f64>,
    hedge: Option<HedgeReport>,
) -> Vec<Option<f64>> {
    vec![
        m.total_return,
        m.cagr,
        m.ann_vol,
        m.sharpe,
        m.sortino,
        m.max_drawdown,
        Some(m.max_drawdown_days as f64),
        m.calmar,
        Some(m.trades as f64),
        m.win_rate,
        m.profit_factor,
        m.avg_win,
        m.avg_loss,
        m.worst_day,
        m.worst_month,
        m.cvar_95,
        m.time_in_market,
        last,
        last.map(|e| e - initial_usd),
        Some(m.max_drawdown_usd),
        hedge.as_ref().map(|h| h.total.net_cost_usd),
        hedge.and_then(|h| h.total.cost_pct_of_credit),
    ]
}

/// The header line of a table with these parameter keys.
pub fn header(keys: &[&str]) -> String {
    let mut cols = vec!["index".to_string()];
    cols.extend(keys.iter().map(|k| k.to_string()));
    cols.push("status".into());
    cols.extend(METRICS.iter().map(|m| m.to_string()));
    cols.join(",") + "\n"
}

impl Row {
    pub fn new(index: u64, params: Vec<String>, status: String, metrics: Vec<Option<f64>>) -> Row {
        let mut s = index.to_string();
        for p in &params {
            s.push(',');
            s.push_str(p);
        }
        s.push(',');
        s.push_str(&status.replace([',', '\n', '\r', '"'], ";"));
        for m in &metrics {
            s.push(',');
            if let Some(x) = m.filter(|x| x.is_finite()) {
                super::number::push_shortest(&mut s, x + 0.0);
            }
        }
        s.push('\n');
        Row { index, params, status, metrics, line: s }
    }

    /// The row of a combination that could not run, saying why.
    pub fn invalid(index: u64, params: Vec<String>, why: &str) -> Row {
        Row::new(index, params, format!("invalid: {why}"), vec![None; METRICS.len()])
    }

    /// The row as one CSV line (numbers in shortest round-trip form, empty where undefined).
    pub fn line(&self) -> &str {
        &self.line
    }

    /// Parse a line written by [`Row::line`] for a table of `n_params` parameters.
    pub fn parse(line: &str, n_params: usize) -> Option<Row> {
        let cells: Vec<&str> = line.trim_end_matches('\n').split(',').collect();
        if cells.len() != 2 + n_params + METRICS.len() {
            return None;
        }
        let metrics = cells[2 + n_params..]
            .iter()
            .map(|c| if c.is_empty() { Ok(None) } else { c.parse::<f64>().map(Some) })
            .collect::<Result<Vec<_>, _>>()
            .ok()?;
        Some(Row::new(
            cells[0].parse().ok()?,
            cells[1..=n_params].iter().map(|c| c.to_string()).collect(),
            cells[1 + n_params].to_string(),
            metrics,
        ))
    }

    /// Whether the row ran and meets every constraint.
    pub fn eligible(&self, spec: &super::SweepSpec) -> bool {
        self.status == "ok"
            && self.metrics[spec.objective].is_some()
            && spec.constraints.iter().all(|c| self.metrics[c.metric].is_some_and(|x| c.op.holds(x, c.value)))
    }
}

/// Read the complete rows of a checkpoint file (a torn last line, from a killed process, is
/// dropped and cut off the file so appending can go on).
pub fn read_checkpoint(path: &Path, head: &str, n_params: usize) -> Result<Vec<Row>, DataError> {
    let err = |m: String| DataError::Usage { path: path.to_path_buf(), message: m };
    let bytes = std::fs::read(path)
        .map_err(|e| DataError::Read { path: path.to_path_buf(), message: e.to_string() })?;
    let complete = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    if complete < bytes.len() {
        let f = std::fs::OpenOptions::new().write(true).open(path).map_err(|e| err(e.to_string()))?;
        f.set_len(complete as u64).map_err(|e| err(e.to_string()))?;
    }
    let text = std::str::from_utf8(&bytes[..complete]).map_err(|e| err(e.to_string()))?;
    let mut lines = text.split_inclusive('\n');
    if lines.next() != Some(head) {
        return Err(err(
            "the checkpoint's header differs from this sweep's: a different sweep wrote it".into()
        ));
    }
    lines
        .enumerate()
        .map(|(i, l)| {
            Row::parse(l, n_params).ok_or_else(|| err(format!("line {}: not a results row", i + 2)))
        })
        .collect()
}

/// Append rows to the checkpoint (one write; the caller syncs), through `buf`, which the caller
/// keeps from one call to the next: no new allocation (and no fresh memory) per append.
pub fn append(file: &mut std::fs::File, buf: &mut Vec<u8>, rows: &[Row]) -> std::io::Result<()> {
    buf.clear();
    for r in rows {
        buf.extend_from_slice(r.line().as_bytes());
    }
    file.write_all(buf)
}

/// Write the final table (rows sorted by index) as CSV and Parquet, atomically: the CSV file
/// beside (on `pool` when there is one, see [`super::groups::beside`]); the Parquet table, which
/// allocates the most, here, where freed memory is at hand (a new thread's allocations fault
/// fresh pages in).
pub fn write_final(
    dir: &Path,
    keys: &[&str],
    rows: &[Row],
    pool: Option<&rayon::ThreadPool>,
) -> Result<(), DataError> {
    let csv = || {
        let head = header(keys);
        let lines = std::iter::once(head.as_str()).chain(rows.iter().map(Row::line));
        write_lines_atomic(&dir.join("results.csv"), lines)
    };
    let (csv, parquet) =
        super::groups::beside(pool, csv, || final_table(keys, rows).write(&dir.join("results.parquet")));
    csv.and(parquet)
}

/// The final table's columns: index, parameters (numbers where every cell is one), status,
/// metrics.
fn final_table(keys: &[&str], rows: &[Row]) -> OutTable {
    let mut t = OutTable::default();
    t.push("index", OutColumn::Float(rows.iter().map(|r| r.index as f64).collect()));
    for (k, key) in keys.iter().enumerate() {
        let cells: Vec<&str> = rows.iter().map(|r| r.params[k].as_str()).collect();
        let numbers: Option<Vec<f64>> = cells.iter().map(|c| c.parse::<f64>().ok()).collect();
        t.push(
            key,
            numbers.map_or_else(
                || OutColumn::Text(cells.iter().map(|c| c.to_string()).collect()),
                OutColumn::Float,
            ),
        );
    }
    t.push("status", OutColumn::Text(rows.iter().map(|r| r.status.clone()).collect()));
    for (m, name) in METRICS.iter().enumerate() {
        t.push(name, OutColumn::Float(rows.iter().map(|r| r.metrics[m].unwrap_or(f64::NAN)).collect()));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_round_trip() {
        let mut metrics = vec![None; METRICS.len()];
        metrics[3] = Some(0.1 + 0.2);
        metrics[8] = Some(-0.0);
        let r = Row::new(7, vec!["0.16".into(), "spxw".into()], "ok".into(), metrics);
        let line = r.line();
        assert!(line.starts_with("7,0.16,spxw,ok,,,,0.30000000000000004,"), "{line}");
        let back = Row::parse(line, 2).unwrap();
        assert_eq!(back.metrics[3], Some(0.30000000000000004));
        assert_eq!(back.metrics[8], Some(0.0));
        assert!(Row::parse("7,0.16\n", 2).is_none());
    }
}
