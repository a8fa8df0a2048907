//! Arguments and loading shared by the commands that read daily bars directly (`price`,
//! `calibrate`): the VIX family's term-structure files.

use super::Failure;
use clap::Args;
use ironhedge::data::{load_bars, BarOptions, BarSeries};
use std::path::{Path, PathBuf};

/// Daily bars of a file, with the canonical defaults.
pub fn bars(p: &Path) -> Result<BarSeries, Failure> {
    Ok(load_bars(p, &BarOptions::default())?)
}

/// Daily bars of an optional file.
pub fn opt_bars(p: &Option<PathBuf>) -> Result<Option<BarSeries>, Failure> {
    p.as_deref().map(bars).transpose()
}

/// The optional VIX9D / VIX3M / VIX6M files of the SPX surface's term structure.
#[derive(Debug, Args)]
pub struct TermArgs {
    /// Optional VIX9D / VIX3M / VIX6M bars for the SPX surface's term structure.
    #[arg(long)]
    pub vix9d: Option<PathBuf>,
    #[arg(long)]
    pub vix3m: Option<PathBuf>,
    #[arg(long)]
    pub vix6m: Option<PathBuf>,
}

impl TermArgs {
    /// The three series, loaded where given.
    pub fn load(&self) -> Result<[Option<BarSeries>; 3], Failure> {
        Ok([opt_bars(&self.vix9d)?, opt_bars(&self.vix3m)?, opt_bars(&self.vix6m)?])
    }
}
