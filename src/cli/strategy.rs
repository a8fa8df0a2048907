//! `ironhedge strategy check FILE [--set key=value ...]`: validate a strategy file and print the
//! resolved configuration (defaults filled in, overrides applied).

use super::Failure;
use clap::{Args, Subcommand};
use ironhedge::config::{load_strategy, ConfigError};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum StrategyCommand {
    /// Validate a strategy file and print it resolved (defaults filled, --set applied).
    Check(CheckArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The strategy file.
    pub file: PathBuf,
    /// Override any key: --set condor.short_put.value=0.12 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Self {
        Failure::input(e)
    }
}

pub fn run(cmd: StrategyCommand) -> Result<ExitCode, Failure> {
    match cmd {
        StrategyCommand::Check(a) => {
            let s = load_strategy(&a.file, &a.set)?;
            for w in &s.warnings {
                eprintln!("warning: {w}");
            }
            let text = toml::to_string(&s.resolved)
                .map_err(|e| Failure::from(anyhow::anyhow!("cannot print: {e}")))?;
            outln!("# {}: valid. Resolved configuration:\n{text}", a.file.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}
