//! `ironhedge report RESULTS_DIR`: redraw a finished run's charts from its saved files.

use super::Failure;
use clap::Args;
use ironhedge::data::read_dated_columns;
use ironhedge::engine::draw_charts;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A run's results folder (results/<run-id>/).
    pub dir: PathBuf,
}

pub fn run(a: &ReportArgs) -> Result<ExitCode, Failure> {
    let config_path = a.dir.join("config.toml");
    let text = std::fs::read_to_string(&config_path).map_err(|e| {
        Failure::input(format!("{}: cannot read: {e} (is this a results folder?)", config_path.display()))
    })?;
    let config: toml::Table =
        toml::from_str(&text).map_err(|e| Failure::input(format!("{}: {e}", config_path.display())))?;
    let name = config
        .get("strategy")
        .and_then(|s| s.get("name"))
        .and_then(|n| n.as_str())
        .unwrap_or("run")
        .to_string();
    let initial = config
        .get("capital")
        .and_then(|c| c.get("initial_usd"))
        .and_then(|v| v.as_float())
        .unwrap_or(100_000.0);
    let (dates, eq) = read_dated_columns(&a.dir.join("equity.csv"), &["equity_usd"])?;
    let cols = ["delta_usd", "gamma_usd", "vega_usd", "theta_usd", "residual_usd", "total_usd"];
    let (rows, per_group) = read_dated_columns(&a.dir.join("attribution.csv"), &cols)?;
    // One row per (date, position group): sum the groups of each date.
    let (adates, attr) = sum_runs_of_dates(&rows, &per_group);
    if adates != dates {
        return Err(Failure::input(format!(
            "{}: dates differ from equity.csv",
            a.dir.join("attribution.csv").display()
        )));
    }
    let attribution: [Vec<f64>; 6] =
        attr.try_into().map_err(|_| Failure::input("attribution.csv: expected six columns"))?;
    draw_charts(&a.dir, &name, &dates, &eq[0], initial, &attribution)?;
    outln!("redrew {} and {}", a.dir.join("equity.png").display(), a.dir.join("attribution.png").display());
    Ok(ExitCode::SUCCESS)
}

/// Sum consecutive rows with the same date (the position groups of one day).
fn sum_runs_of_dates(
    dates: &[chrono::NaiveDate],
    cols: &[Vec<f64>],
) -> (Vec<chrono::NaiveDate>, Vec<Vec<f64>>) {
    let mut out_dates: Vec<chrono::NaiveDate> = Vec::new();
    let mut out: Vec<Vec<f64>> = vec![Vec::new(); cols.len()];
    for (i, d) in dates.iter().enumerate() {
        if out_dates.last() != Some(d) {
            out_dates.push(*d);
            out.iter_mut().for_each(|c| c.push(0.0));
        }
        for (o, c) in out.iter_mut().zip(cols) {
            *o.last_mut().expect("pushed above") += c[i];
        }
    }
    (out_dates, out)
}
