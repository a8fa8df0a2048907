//! `ironhedge walk-forward FILE`: optimise the strategy's `[sweep]` in-sample, apply the best
//! combination out-of-sample, window after window (`ironhedge::sweep::walk`).

use super::Failure;
use clap::Args;
use ironhedge::config::StrategySource;
use ironhedge::engine::Market;
use ironhedge::sweep::{self, WalkSpec, METRICS};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct WalkArgs {
    /// Strategy file with a [sweep] table.
    pub strategy: PathBuf,
    /// In-sample window length in trading days.
    #[arg(long, default_value_t = 504)]
    pub train_days: usize,
    /// Out-of-sample window length in trading days (the step between windows).
    #[arg(long, default_value_t = 126)]
    pub test_days: usize,
    /// Every in-sample window starts at the first day (instead of rolling).
    #[arg(long)]
    pub anchored: bool,
    /// Worker threads (default: every core).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Output folder (default results/walk-<name>-<fingerprint>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Run more combinations per window than sweep.max_combinations.
    #[arg(long)]
    pub force: bool,
    /// Override any key of the strategy file (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

pub fn run(a: &WalkArgs) -> Result<ExitCode, Failure> {
    let source = StrategySource::read(&a.strategy, &a.set)?;
    let base = source.validate()?;
    let spec = sweep::parse(&source, a.force).map_err(Failure::input)?;
    let market = Market::load(&base)?;
    let jobs = a.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let w = WalkSpec { train_days: a.train_days, test_days: a.test_days, anchored: a.anchored };
    let windows = sweep::walk_forward(&source, &spec, &market, w, jobs).map_err(Failure::input)?;
    let slug: String = base
        .name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let print = sweep::fingerprint(&source, &spec);
    let kind = if a.anchored { "anchored" } else { "rolling" };
    let out = a.out.clone().unwrap_or_else(|| {
        PathBuf::from(format!("results/walk-{slug}-{}-{kind}-{}-{}", &print[..12], a.train_days, a.test_days))
    });
    let files = sweep::walk::write_walk(&out, &spec, &windows, base.initial_usd, &base.name)?;
    let obj = METRICS[spec.objective];
    outln!(
        "{}: {kind} walk-forward, {} windows (train {} / test {} trading days) -> {}",
        base.name,
        windows.len(),
        a.train_days,
        a.test_days,
        out.display()
    );
    outln!(
        "  {:>3} {:>23} {:>12} {:>12} {:>10} {:>10}  best in-sample",
        "#",
        "out-of-sample window",
        format!("IS {obj}"),
        format!("OOS {obj}"),
        "IS ret",
        "OOS ret"
    );
    let ret = METRICS.iter().position(|m| *m == "total_return").unwrap_or(0);
    let f = |x: Option<f64>| x.map_or("n/a".into(), |v| format!("{v:.4}"));
    let pct = |x: Option<f64>| x.map_or("n/a".into(), |v| format!("{:.2}%", 100.0 * v));
    for (i, w) in windows.iter().enumerate() {
        outln!(
            "  {:>3} {:>23} {:>12} {:>12} {:>10} {:>10}  {}",
            i + 1,
            format!("{}..{}", w.test.0, w.test.1),
            f(w.in_sample[spec.objective]),
            f(w.out_sample[spec.objective]),
            pct(w.in_sample[ret]),
            pct(w.out_sample[ret]),
            if w.params.is_empty() { "none eligible (flat)".to_string() } else { w.params.join(", ") }
        );
    }
    let stitched = sweep::stitch(&windows, base.initial_usd);
    if let (Some(first), Some(last)) = (stitched.first(), stitched.last()) {
        outln!(
            "  stitched out-of-sample: {} .. {}: {:.2}% total return",
            first.0,
            last.0,
            100.0 * (last.1 / base.initial_usd - 1.0)
        );
    }
    for f in files {
        outln!("  wrote {}", f.display());
    }
    Ok(ExitCode::SUCCESS)
}
