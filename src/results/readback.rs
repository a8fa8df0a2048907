//! A run's saved result files read back into [`RunChartData`], so the charts of `ironhedge run`
//! and of `ironhedge report` come from the same bytes and are the same pixels.

use crate::charts::{CondorSpan, HedgeLayerDays, RunChartData};
use crate::data::{read_columns, DataError};
use std::path::Path;

fn invalid(path: &Path, message: impl Into<String>) -> DataError {
    DataError::Usage { path: path.to_path_buf(), message: message.into() }
}

/// Rows in (date, key) order, keys repeating in the same order each date: the distinct keys in
/// order and, per key, its values of `column`.
fn by_key(
    path: &Path,
    keys: &[String],
    column: &[f64],
    days: usize,
) -> Result<Vec<(String, Vec<f64>)>, DataError> {
    let mut names: Vec<String> = Vec::new();
    for k in keys {
        if names.contains(k) {
            break;
        }
        names.push(k.clone());
    }
    let g = names.len().max(1);
    if keys.len() != g * days || keys.iter().enumerate().any(|(i, k)| *k != names[i % g]) {
        return Err(invalid(
            path,
            format!("expected {g} rows per day in the same order for {days} days, found {} rows", keys.len()),
        ));
    }
    Ok(names
        .iter()
        .enumerate()
        .map(|(j, n)| (n.clone(), (0..days).map(|i| column[i * g + j]).collect()))
        .collect())
}

/// Read the chart inputs of the run saved in `dir`.
pub fn read_run(dir: &Path) -> Result<RunChartData, DataError> {
    let config_path = dir.join("config.toml");
    let text = std::fs::read_to_string(&config_path)
        .map_err(|e| invalid(&config_path, format!("cannot read: {e} (is this a results folder?)")))?;
    let config: toml::Table = toml::from_str(&text).map_err(|e| invalid(&config_path, e.to_string()))?;
    let name = config.get("strategy").and_then(|s| s.get("name")).and_then(|n| n.as_str()).unwrap_or("run");
    let initial = config.get("capital").and_then(|c| c.get("initial_usd")).and_then(|v| v.as_float());
    let initial = initial.ok_or_else(|| invalid(&config_path, "no capital.initial_usd"))?;
    let eq_path = dir.join("equity.csv");
    let eq_cols = [
        "equity_usd",
        "spx",
        "vix",
        "term_ratio",
        "long_liq_usd",
        "short_liq_usd",
        "cascades",
        "hedge_paid_usd",
        "hedge_recovered_usd",
    ];
    let eq = read_columns(&eq_path, &["date"], &eq_cols, &[])?;
    let dates = eq.dates[0].clone();
    let days = dates.len();
    let mut num = eq.numbers.into_iter();
    let mut next = || num.next().unwrap_or_default();
    let mut d = RunChartData {
        name: name.to_string(),
        initial_usd: initial,
        dates,
        equity: next(),
        spx: next(),
        vix: next(),
        term_ratio: next(),
        long_liq: next(),
        short_liq: next(),
        cascades: next(),
        hedge_paid: next(),
        hedge_recovered: next(),
        ..RunChartData::default()
    };
    let signals_path = dir.join("signals.csv");
    if signals_path.is_file() {
        d.rule_series = crate::data::read_named_numbers(&signals_path)?;
    }
    let at_path = dir.join("attribution.csv");
    let parts = crate::engine::Attribution::PARTS.map(|p| format!("{p}_usd"));
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    let at = read_columns(&at_path, &[], &parts, &["group"])?;
    let per_part: Vec<Vec<(String, Vec<f64>)>> =
        at.numbers.iter().map(|col| by_key(&at_path, &at.texts[0], col, days)).collect::<Result<_, _>>()?;
    d.groups = (0..per_part[0].len())
        .map(|g| (per_part[0][g].0.clone(), std::array::from_fn(|k| per_part[k][g].1.clone())))
        .collect();
    let tr = match read_columns(
        &dir.join("trades.csv"),
        &["entry_date", "exit_date", "expiry"],
        &["short_put", "short_call"],
        &[],
    ) {
        // A run without a closed condor writes only the header.
        Err(DataError::Empty { .. }) => {
            crate::data::Columns { dates: vec![vec![]; 3], numbers: vec![vec![]; 2], texts: vec![] }
        }
        other => other?,
    };
    d.condors = (0..tr.dates[0].len())
        .map(|i| CondorSpan {
            entry: tr.dates[0][i],
            exit: tr.dates[1][i],
            expiry: tr.dates[2][i],
            // A position with one side closed (an adjustment) has no strike on the other: its
            // band is the one strike it holds.
            short_put: if tr.numbers[0][i].is_nan() { tr.numbers[1][i] } else { tr.numbers[0][i] },
            short_call: if tr.numbers[1][i].is_nan() { tr.numbers[0][i] } else { tr.numbers[1][i] },
        })
        .collect();
    let hd_path = dir.join("hedge_daily.csv");
    if hd_path.exists() {
        let hd = read_columns(&hd_path, &[], &["contracts", "value_usd"], &["layer"])?;
        let contracts = by_key(&hd_path, &hd.texts[0], &hd.numbers[0], days)?;
        let values = by_key(&hd_path, &hd.texts[0], &hd.numbers[1], days)?;
        d.hedge_layers = contracts
            .into_iter()
            .zip(values)
            .map(|((name, contracts), (_, value_usd))| HedgeLayerDays { name, contracts, value_usd })
            .collect();
    }
    Ok(d)
}
