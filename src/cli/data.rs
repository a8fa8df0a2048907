//! `ironhedge data check` and `ironhedge data import`.

use super::Failure;
use clap::{Args, Subcommand};
use ironhedge::data::import::{import, ImportFormat, ImportOptions};
use ironhedge::data::{check_file, StreamKind};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Validate files: schema, order, duplicates, impossible values, gaps against the calendar.
    /// Exit 0 when every file is clean, 2 when any is not.
    Check(CheckArgs),
    /// Convert a vendor file to the canonical schema (CSV or Parquet by the output's extension).
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files to check (CSV or Parquet).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The stream kind, when the header alone does not tell (bars, liquidations,
    /// liquidation-buckets, funding, vx-term, vx-contracts, rates).
    #[arg(long)]
    pub kind: Option<StreamKind>,
    /// Treat warnings (gaps, rows on non-trading days) as failures too.
    #[arg(long)]
    pub strict: bool,
    /// How many example places to print per kind of finding.
    #[arg(long, default_value_t = 3)]
    pub examples: usize,
}

#[derive(Debug, Args)]
#[command(after_help = "Formats: cboe, yahoo, binance-liquidations, coinglass, cfe-vx, fred.\n\
Example: ironhedge data import --format cboe VIX_History.csv --out datasets/vix.csv")]
pub struct ImportArgs {
    /// The vendor format of the input.
    #[arg(long)]
    pub format: ImportFormat,
    /// The vendor file.
    pub input: PathBuf,
    /// Where to write the canonical file (.csv or .parquet).
    #[arg(long)]
    pub out: PathBuf,
    /// Symbol for Binance snapshots (default: from the file name).
    #[arg(long)]
    pub symbol: Option<String>,
    /// Round prices to this many decimals (e.g. 2 to remove float32 artefacts).
    #[arg(long)]
    pub decimals: Option<u32>,
}

pub fn run(cmd: DataCommand) -> Result<ExitCode, Failure> {
    match cmd {
        DataCommand::Check(a) => check(&a),
        DataCommand::Import(a) => import_file(&a),
    }
}

fn check(a: &CheckArgs) -> Result<ExitCode, Failure> {
    let mut clean = true;
    for f in &a.files {
        match check_file(f, a.kind) {
            Ok(report) => {
                print!("{}", report.render(a.examples, a.strict));
                clean &= report.is_clean(a.strict);
            }
            Err(e) => {
                println!("{}\n  => NOT CLEAN", e);
                clean = false;
            }
        }
    }
    let n = a.files.len();
    println!(
        "checked {n} file{}: {}",
        if n == 1 { "" } else { "s" },
        if clean { "all clean" } else { "problems found" }
    );
    Ok(ExitCode::from(if clean { 0 } else { 2 }))
}

fn import_file(a: &ImportArgs) -> Result<ExitCode, Failure> {
    let opts = ImportOptions { decimals: a.decimals, symbol: a.symbol.clone() };
    let summary = import(a.format, &a.input, &a.out, &opts)?;
    println!(
        "imported {} ({}): {} rows in, {} rows out -> {}",
        a.input.display(),
        a.format,
        summary.rows_in,
        summary.rows_out,
        a.out.display()
    );
    for n in &summary.notes {
        println!("  note: {n}");
    }
    let report = check_file(&a.out, None)?;
    print!("{}", report.render(3, false));
    Ok(ExitCode::SUCCESS)
}
