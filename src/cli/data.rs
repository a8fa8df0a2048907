//! `ironhedge data check` and `ironhedge data import`.

use super::Failure;
use clap::{Args, Subcommand};
use ironhedge::data::import::{import, ImportFormat, ImportOptions};
use ironhedge::data::{check_file, check_file_with, load_bars, BarOptions, StreamKind};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Validate files: schema, order, duplicates, impossible values, gaps against the calendar.
    /// Exit 0 when every file is clean, 2 when any is not.
    Check(CheckArgs),
    /// Convert a vendor file to the canonical schema (CSV or Parquet by the output's extension).
    Import(ImportArgs),
    /// Write a SYNTHETIC liquidation stream from the seeded generator (events, or buckets with
    /// --bucket). For tests, demos and the bundled sample; never mistake it for market data.
    Synth(SynthArgs),
}

#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Generator seed (same seed, same bytes).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// First day (UTC).
    #[arg(long)]
    pub from: chrono::NaiveDate,
    /// Last day (UTC), inclusive.
    #[arg(long)]
    pub to: chrono::NaiveDate,
    /// Mean liquidations per day in calm periods.
    #[arg(long, default_value_t = 2000.0)]
    pub per_day: f64,
    /// Starting BTC price.
    #[arg(long, default_value_t = 500.0)]
    pub start_price: f64,
    /// Aggregate into buckets of this length (e.g. 4h, 1d) instead of writing every event.
    #[arg(long)]
    pub bucket: Option<String>,
    /// Output file (.csv or .parquet).
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files to check (CSV or Parquet).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The stream kind, when the header alone does not tell (bars, liquidations,
    /// liquidation-buckets, funding, vx-term, vx-contracts, rates, chain).
    #[arg(long)]
    pub kind: Option<StreamKind>,
    /// Treat warnings (gaps, rows on non-trading days) as failures too.
    #[arg(long)]
    pub strict: bool,
    /// How many example places to print per kind of finding.
    #[arg(long, default_value_t = 3)]
    pub examples: usize,
    /// For option chains: daily bars of the underlying index (SPX, or VIX for VIX options) to
    /// compare the vendor's underlying with.
    #[arg(long, value_name = "FILE")]
    pub index: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Formats: cboe, yahoo, binance-liquidations, coinglass, cfe-vx, fred (series); optionsdx, cboe-datashop, historicaloptiondata (option chains).\n\
Example: ironhedge data import --format cboe VIX_History.csv --out datasets/vix.csv"
)]
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
    /// Option root for chain files that name none (optionsdx; cboe-datashop without a `root`
    /// column): SPX, SPXW, VIX or VIXW. Default SPXW.
    #[arg(long)]
    pub root: Option<String>,
    /// Round prices to this many decimals (e.g. 2 to remove float32 artefacts).
    #[arg(long)]
    pub decimals: Option<u32>,
    /// Drop the rows that fail a hard check (e.g. high below low), list them, and write the rest.
    /// Without it, such rows make the import fail and nothing is written.
    #[arg(long)]
    pub drop_invalid: bool,
}

pub fn run(cmd: DataCommand) -> Result<ExitCode, Failure> {
    match cmd {
        DataCommand::Check(a) => check(&a),
        DataCommand::Import(a) => import_file(&a),
        DataCommand::Synth(a) => synth(&a),
    }
}

fn check(a: &CheckArgs) -> Result<ExitCode, Failure> {
    let index = a.index.as_deref().map(|p| load_bars(p, &BarOptions::default())).transpose()?;
    let mut clean = true;
    for f in &a.files {
        match check_file_with(f, a.kind, index.as_ref()) {
            Ok(report) => {
                out!("{}", report.render(a.examples, a.strict));
                clean &= report.is_clean(a.strict);
            }
            Err(e) => {
                outln!("{}\n  => NOT CLEAN", e);
                clean = false;
            }
        }
    }
    let n = a.files.len();
    outln!(
        "checked {n} file{}: {}",
        if n == 1 { "" } else { "s" },
        if clean { "all clean" } else { "problems found" }
    );
    Ok(ExitCode::from(if clean { 0 } else { 2 }))
}

fn import_file(a: &ImportArgs) -> Result<ExitCode, Failure> {
    let opts = ImportOptions {
        decimals: a.decimals,
        symbol: a.symbol.clone(),
        root: a.root.clone(),
        drop_invalid: a.drop_invalid,
    };
    let summary = import(a.format, &a.input, &a.out, &opts)?;
    outln!(
        "imported {} ({}): {} rows in, {} rows out -> {}",
        a.input.display(),
        a.format,
        summary.rows_in,
        summary.rows_out,
        a.out.display()
    );
    for n in &summary.notes {
        outln!("  note: {n}");
    }
    print_dropped(&summary.dropped);
    if let Some(report) = &summary.report {
        out!("{}", report.render(3, false));
    }
    Ok(ExitCode::SUCCESS)
}

/// Every dropped row when there are few; else the first ones and a count per kind of error.
fn print_dropped(dropped: &[ironhedge::data::import::DroppedRow]) {
    const SHOWN: usize = 20;
    for d in dropped.iter().take(if dropped.len() > SHOWN { SHOWN / 2 } else { SHOWN }) {
        outln!("  dropped {} ({}): {}", d.location, d.key, d.reason);
    }
    if dropped.len() > SHOWN {
        let mut kinds: Vec<(&str, usize)> = Vec::new();
        for d in dropped {
            let kind = d.reason.split(':').next().unwrap_or("");
            match kinds.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, n)) => *n += 1,
                None => kinds.push((kind, 1)),
            }
        }
        let counts: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
        outln!("  ... {} rows dropped in all: {}", dropped.len(), counts.join(", "));
    }
}

fn synth(a: &SynthArgs) -> Result<ExitCode, Failure> {
    use ironhedge::time::Timestamp;
    let positive = |x: f64| x.is_finite() && x > 0.0;
    if a.to < a.from || !positive(a.per_day) || !positive(a.start_price) {
        return Err(Failure::input(
            "--to must not be before --from; --per-day and --start-price must be > 0",
        ));
    }
    let start = Timestamp::start_of_day(a.from).map_err(|e| Failure::input(format!("--from: {e}")))?;
    let end = ironhedge::time::utc_day_end(a.to).map_err(|e| Failure::input(format!("--to: {e}")))?;
    let days = (a.to - a.from).num_days() as u32 + 1;
    let ev = ironhedge::synth::liquidation_events(a.seed, start, days, a.per_day, a.start_price);
    let table = match &a.bucket {
        None => ironhedge::synth::events_table(&ev),
        Some(label) => {
            let s = ironhedge::data::parse_bucket(label).ok_or_else(|| {
                Failure::input(format!("--bucket: expected a length like 4h or 1d, found `{label}`"))
            })?;
            ironhedge::synth::buckets_table(&ironhedge::synth::to_buckets(&ev, start, end, s), label)
        }
    };
    table.write(&a.out)?;
    outln!(
        "SYNTHETIC liquidations (seed {}): {} events {} .. {} -> {} ({} rows)",
        a.seed,
        ev.len(),
        a.from,
        a.to,
        a.out.display(),
        table.height()
    );
    let report = check_file(&a.out, None)?;
    out!("{}", report.render(3, false));
    Ok(ExitCode::SUCCESS)
}
