//! `ironhedge sweep FILE` (run the strategy's `[sweep]`) and `ironhedge sweep merge DIR...` (join
//! shards): thin wrappers over `ironhedge::sweep`.

use super::Failure;
use clap::{Args, Subcommand};
use ironhedge::config::StrategySource;
use ironhedge::engine::Market;
use ironhedge::sweep::{self, Row, SweepOptions, SweepSpec, METRICS};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SweepArgs {
    #[command(subcommand)]
    pub command: Option<SweepCommand>,
    #[command(flatten)]
    pub run: SweepRunArgs,
}

#[derive(Debug, Subcommand)]
pub enum SweepCommand {
    /// Join the folders of `--shard` runs into one results table (the same bytes as one run).
    Merge(MergeArgs),
    /// Draw a heatmap of any metric over any two parameters of a finished sweep.
    Heatmap(HeatmapArgs),
}

#[derive(Debug, Args)]
pub struct HeatmapArgs {
    /// A finished sweep's folder (holding results.csv).
    pub dir: PathBuf,
    /// The metric to colour by (a column of results.csv).
    #[arg(long)]
    pub metric: String,
    /// Parameter across.
    #[arg(long)]
    pub x: String,
    /// Parameter up.
    #[arg(long)]
    pub y: String,
    /// Keep only rows where this parameter has this value (repeatable); the others: best-of.
    #[arg(long = "where", value_name = "KEY=VALUE")]
    pub fixed: Vec<String>,
    /// Lower is better (e.g. max_drawdown).
    #[arg(long)]
    pub minimize: bool,
    /// The PNG to write (default DIR/heatmap-<metric>-<x>-<y>.png).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SweepRunArgs {
    /// Strategy file with a [sweep] table.
    pub strategy: Option<PathBuf>,
    /// Output folder (default results/sweep-<name>-<fingerprint>[-shard-I-of-N]).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (default: every core).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Run only slice I of N (0-based): the combinations whose index is I modulo N.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Finish an interrupted sweep in --out without recomputing its finished combinations.
    #[arg(long)]
    pub resume: bool,
    /// Run more combinations than sweep.max_combinations.
    #[arg(long)]
    pub force: bool,
    /// Override any key of the strategy file (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// No progress output.
    #[arg(long)]
    pub quiet: bool,
    /// Run every combination through the event-driven engine, not the condor-only kernel
    /// (same numbers, slower; for cross-checking).
    #[arg(long)]
    pub engine_only: bool,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard output folders.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Where to write the joined table, the top-N results and the charts.
    #[arg(long)]
    pub out: PathBuf,
}

fn shard(text: &str) -> Result<(u64, u64), Failure> {
    let bad = || Failure::input(format!("--shard {text}: expected I/N with 0 <= I < N, e.g. 0/4"));
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (u64, u64) = (i.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if n == 0 || i >= n {
        return Err(bad());
    }
    Ok((i, n))
}

fn load(path: &Path, set: &[String], force: bool) -> Result<(StrategySource, SweepSpec, Market), Failure> {
    let source = StrategySource::read(path, set)?;
    let base = source.validate()?;
    for w in &base.warnings {
        eprintln!("warning: {w}");
    }
    let spec = sweep::parse(&source, force).map_err(Failure::input)?;
    let market = Market::load(&base)?;
    Ok((source, spec, market))
}

impl From<sweep::SweepError> for Failure {
    fn from(e: sweep::SweepError) -> Self {
        match e {
            sweep::SweepError::Io(_) => Failure::from(anyhow::Error::new(e)),
            _ => Failure::input(e),
        }
    }
}

pub fn run(a: &SweepArgs) -> Result<ExitCode, Failure> {
    match &a.command {
        Some(SweepCommand::Merge(m)) => merge(m),
        Some(SweepCommand::Heatmap(h)) => heatmap(h),
        None => run_sweep(&a.run),
    }
}

fn run_sweep(a: &SweepRunArgs) -> Result<ExitCode, Failure> {
    let path = a
        .strategy
        .as_deref()
        .ok_or_else(|| Failure::input("sweep: expected a strategy file (or `sweep merge`)"))?;
    let (source, spec, market) = load(path, &a.set, a.force)?;
    let shard = a.shard.as_deref().map(shard).transpose()?;
    let name = source.validate()?.name;
    let slug: String =
        name.to_ascii_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let print = sweep::fingerprint(&source, &spec);
    let suffix = shard.map_or(String::new(), |(i, n)| format!("-shard-{i}-of-{n}"));
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("results/sweep-{slug}-{}{suffix}", &print[..12])));
    let jobs = a.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let opts = SweepOptions {
        out: out.clone(),
        jobs,
        shard,
        resume: a.resume,
        progress: !a.quiet,
        kernel: !a.engine_only,
    };
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    // Ctrl-C: finish the chunk in flight (its rows are kept), then stop.
    let _ = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst));
    if !a.quiet {
        eprintln!(
            "sweep {name}: {} combinations{}, {jobs} threads -> {}",
            spec.combos.len(),
            shard.map_or(String::new(), |(i, n)| format!(" (shard {i}/{n})")),
            out.display()
        );
    }
    let outcome = sweep::run_sweep(&source, &spec, &market, &opts, &stop)?;
    if !a.quiet {
        eprintln!(
            "ran {} combinations: {} on the kernel, {} on the engine{}",
            outcome.ran_now,
            outcome.on_kernel,
            outcome.on_engine,
            engine_reason(&market, a.engine_only, outcome.on_engine)
        );
    }
    let again = {
        let mut cmd = format!("ironhedge sweep {} --out {} --resume", path.display(), out.display());
        for s in &a.set {
            cmd.push_str(&format!(" --set {s}"));
        }
        if let Some(s) = &a.shard {
            cmd.push_str(&format!(" --shard {s}"));
        }
        cmd
    };
    if outcome.interrupted {
        eprintln!(
            "interrupted: {} of {} combinations are done and kept in {}; resume with:\n  {again}",
            outcome.rows.len(),
            outcome.slice,
            out.join("rows.csv").display()
        );
        return Ok(ExitCode::from(130));
    }
    if let Some((i, n)) = shard {
        outln!("shard {i}/{n}: {} combinations in {}; join the shards with: ironhedge sweep merge DIR... --out OUT", outcome.rows.len(), out.display());
        return Ok(ExitCode::SUCCESS);
    }
    finish(&source, &spec, &market, &outcome.rows, &out, &name)
}

/// Why combinations ran on the engine (the kernel runs condor-only, model-priced strategies).
fn engine_reason(market: &Market, engine_only: bool, on_engine: u64) -> &'static str {
    match (on_engine, engine_only) {
        (0, _) => "",
        (_, true) => " (--engine-only)",
        _ if market.spx_chain.is_some() || market.vix_chain.is_some() => " (chain-priced legs)",
        _ => " (hedge layers, rules or adjustments, or AM settlement on a close-only SPX file)",
    }
}

fn merge(m: &MergeArgs) -> Result<ExitCode, Failure> {
    let (path, set) = sweep::origin(&m.dirs[0])?;
    let (source, spec, market) = load(&path, &set, true)?;
    let rows = sweep::merge(&source, &spec, &m.dirs, &m.out)?;
    let name = source.validate()?.name;
    finish(&source, &spec, &market, &rows, &m.out, &name)
}

/// The top N in full, the charts, and the table of the best combinations.
fn finish(
    source: &StrategySource,
    spec: &SweepSpec,
    market: &Market,
    rows: &[Row],
    out: &Path,
    name: &str,
) -> Result<ExitCode, Failure> {
    // The terminal shows at least the best 5; the best `top_n` are re-run in full.
    let top = sweep::ranked(spec, rows, spec.top_n.max(5));
    let written = sweep::write_top(source, spec, market, &top[..spec.top_n.min(top.len())], out)?;
    let curves: Vec<_> = written.iter().map(|(_, c)| c.clone()).collect();
    let charts = if spec.charts {
        sweep::draw_sweep_charts(spec, rows, &curves, name, out).map_err(Failure::input)?
    } else {
        Vec::new()
    };
    let invalid = rows.iter().filter(|r| r.status != "ok").count();
    outln!(
        "{name}: {} combinations ({invalid} invalid) -> {}",
        rows.len(),
        out.join("results.csv").display()
    );
    let objective = METRICS[spec.objective];
    let keys = spec.keys();
    outln!(
        "  {:>4} {:>14} {:>10} {:>10} {:>7}  {}",
        "rank",
        objective,
        "return",
        "max dd",
        "trades",
        keys.join(", ")
    );
    let col = |r: &Row, m: &str| r.metrics[METRICS.iter().position(|x| *x == m).unwrap_or(0)];
    let pct = |x: Option<f64>| x.map_or("n/a".into(), |v| format!("{:.2}%", 100.0 * v));
    for (i, r) in top.iter().enumerate() {
        outln!(
            "  {:>4} {:>14} {:>10} {:>10} {:>7}  {}",
            i + 1,
            r.metrics[spec.objective].map_or("n/a".into(), |v| format!("{v:.4}")),
            pct(col(r, "total_return")),
            pct(col(r, "max_drawdown")),
            col(r, "trades").map_or("n/a".into(), |v| format!("{v:.0}")),
            r.params.join(", ")
        );
    }
    if top.is_empty() {
        outln!("  no combination met the constraints");
    }
    for c in charts {
        outln!("  chart {}", c.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn heatmap(h: &HeatmapArgs) -> Result<ExitCode, Failure> {
    let fixed = h
        .fixed
        .iter()
        .map(|f| {
            f.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .ok_or_else(|| Failure::input(format!("--where {f}: expected KEY=VALUE")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let req = sweep::HeatmapRequest {
        metric: h.metric.clone(),
        x: h.x.clone(),
        y: h.y.clone(),
        fixed,
        minimize: h.minimize,
    };
    let out =
        h.out.clone().unwrap_or_else(|| h.dir.join(format!("heatmap-{}-{}-{}.png", h.metric, h.x, h.y)));
    sweep::heatmap_from_results(&h.dir, &req, &out).map_err(Failure::input)?;
    outln!("wrote {}", out.display());
    Ok(ExitCode::SUCCESS)
}
