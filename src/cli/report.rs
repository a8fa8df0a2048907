//! `ironhedge report RESULTS_DIR`: redraw a finished run's charts from its saved files.

use super::Failure;
use clap::Args;
use ironhedge::results::draw_charts;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A run's results folder (results/<run-id>/).
    pub dir: PathBuf,
    /// Draw the equity chart on a logarithmic scale (for long runs).
    #[arg(long)]
    pub log_equity: bool,
}

pub fn run(a: &ReportArgs) -> Result<ExitCode, Failure> {
    let written = draw_charts(&a.dir, a.log_equity)?;
    if written.is_empty() {
        outln!("{}: fewer than two days in equity.csv: no chart to draw", a.dir.display());
    }
    for p in written {
        outln!("redrew {}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}
