//! The command line (clap): one thin function per subcommand, each calling the library. Errors
//! become exit codes here: 2 for bad input (data or arguments), 1 for runtime failures.

/// `println!` for the CLI: a reader that closed the pipe (`ironhedge ... | head`) ends the
/// program quietly with exit code 0 instead of a panic.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }};
}

/// `print!` counterpart of [`outln`].
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = write!(std::io::stdout(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }};
}

mod bars;
mod calendar;
mod calibrate;
mod data;
mod price;
mod report;
mod run;
mod strategy;
mod study;
mod sweep;
mod walk;

use clap::{Parser, Subcommand};
use ironhedge::data::DataError;
use std::process::ExitCode;

/// ironhedge: historical backtests of SPX iron condors with an adaptive layered VIX-call hedge.
#[derive(Debug, Parser)]
#[command(name = "ironhedge", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run one backtest: print a summary and write results to results/<run-id>/.
    Run(run::RunArgs),
    /// Redraw the charts of a finished run from its results folder.
    Report(report::ReportArgs),
    /// Validate and convert data files.
    #[command(subcommand)]
    Data(data::DataCommand),
    /// Show the NYSE trading calendar and the SPX / VIX expiries of a year.
    Calendar(calendar::CalendarArgs),
    /// Price one SPX (BSM) or VIX (Black-76) option and print its Greeks.
    Price(Box<price::PriceArgs>),
    /// Fit the SPX surface to a real option chain; report the model's error before and after.
    Calibrate(Box<calibrate::CalibrateArgs>),
    /// Work with strategy files.
    #[command(subcommand)]
    Strategy(strategy::StrategyCommand),
    /// Run a strategy's parameter sweep (parallel, resumable, shardable), or merge shards.
    Sweep(sweep::SweepArgs),
    /// Walk-forward: optimise in-sample, apply the best out-of-sample, window after window.
    WalkForward(walk::WalkArgs),
    /// Research: event studies of signals against SPX / VIX and the books' Greeks.
    #[command(subcommand)]
    Study(study::StudyCommand),
}

/// A failure with the exit code it maps to.
pub struct Failure {
    pub code: u8,
    pub error: anyhow::Error,
}

impl Failure {
    /// Bad input from the user (exit code 2).
    pub fn input(message: impl std::fmt::Display) -> Self {
        Failure { code: 2, error: anyhow::anyhow!("{message}") }
    }
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Self {
        let code = match error.downcast_ref::<DataError>() {
            Some(DataError::Write { .. }) => 1,
            Some(_) => 2,
            None => 1,
        };
        Failure { code, error }
    }
}

impl From<DataError> for Failure {
    fn from(e: DataError) -> Self {
        Failure::from(anyhow::Error::new(e))
    }
}

/// Parse arguments, run, and map the outcome to an exit code.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match cli.command {
        Command::Run(args) => run::run_cmd(&args),
        Command::Report(args) => report::run(&args),
        Command::Data(cmd) => data::run(cmd),
        Command::Calendar(args) => calendar::run(&args),
        Command::Price(args) => price::run(&args),
        Command::Calibrate(args) => calibrate::run(&args),
        Command::Strategy(cmd) => strategy::run(cmd),
        Command::Sweep(a) => sweep::run(&a),
        Command::WalkForward(a) => walk::run(&a),
        Command::Study(c) => study::run_study(&c),
    };
    match result {
        Ok(code) => code,
        Err(f) => {
            eprintln!("error: {:#}", f.error);
            ExitCode::from(f.code)
        }
    }
}
