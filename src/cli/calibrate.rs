//! `ironhedge calibrate`: fit the SPX surface's `[model]` parameters to a real option chain and
//! report the model's error before and after (thin wrapper over `ironhedge::calibrate`).

use super::bars::bars;
use super::Failure;
use chrono::NaiveDate;
use clap::Args;
use ironhedge::calibrate::report::{
    bucket_lines, describe, fit_table, model_toml, smile_panels, Priced, BUCKETS,
};
use ironhedge::calibrate::{
    fit::fit, model_prices, select_quotes, weighted_error, with_implied_vols, Carry, FitQuote, Indices,
};
use ironhedge::charts::smile_chart;
use ironhedge::data::{load_chain, write_atomic};
use ironhedge::pricing::SurfaceParams;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// The chain (canonical CSV or Parquet: see `ironhedge data import`).
    #[arg(long)]
    pub chain: PathBuf,
    /// VIX daily bars (the surface's level on each quote date).
    #[arg(long)]
    pub vix: PathBuf,
    /// SPX daily bars: the underlying where the chain has none.
    #[arg(long)]
    pub spx: Option<PathBuf>,
    #[command(flatten)]
    pub term: super::bars::TermArgs,
    /// First and last quote dates used.
    #[arg(long)]
    pub from: Option<NaiveDate>,
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// Quotes from this date on are out of sample: reported, not fitted.
    #[arg(long)]
    pub holdout_from: Option<NaiveDate>,
    /// Risk-free rate and dividend yield (continuous decimals; the strategy defaults).
    #[arg(long, default_value_t = 0.02)]
    pub rate: f64,
    #[arg(long, default_value_t = 0.015)]
    pub div: f64,
    /// Output folder (default results/calibrate-<chain file name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(a: &CalibrateArgs) -> Result<ExitCode, Failure> {
    let chain = load_chain(&a.chain)?;
    let vix = bars(&a.vix)?;
    let spx = a.spx.as_deref().map(bars).transpose()?;
    let [v9, v3, v6] = a.term.load()?;
    let indices = Indices::on(chain.date.iter().copied(), &vix, [v9.as_ref(), v3.as_ref(), v6.as_ref()]);
    let carry = Carry { rate: a.rate, dividend_yield: a.div };
    let quotes = with_implied_vols(select_quotes(&chain, spx.as_ref(), &indices, a.from, a.to), carry);
    let in_sample: Vec<FitQuote> =
        quotes.iter().filter(|q| a.holdout_from.is_none_or(|h| q.date < h)).cloned().collect();
    if in_sample.len() < 10 {
        return Err(Failure::input(format!(
            "{}: expected at least 10 quotes to fit (SPX/SPXW, out of the money, with a bid, 5-60 days, mid >= 0.10, a VIX close that day, before --holdout-from), found {}",
            a.chain.display(),
            in_sample.len()
        )));
    }
    let start = SurfaceParams::default();
    let fitted = fit(&in_sample, &indices, start, carry);
    let price =
        |p| model_prices(&quotes, &indices, p, carry).ok_or_else(|| Failure::input("no valid surface"));
    let (before, after) = (price(start)?, price(fitted.params)?);
    let priced: Vec<Priced> = quotes
        .iter()
        .zip(before.iter().zip(&after))
        .map(|(q, (b, f))| Priced { before: b.0, after: f.0, delta: q.chain_delta.unwrap_or(b.1.abs()) })
        .collect();
    print_report(a, &quotes, in_sample.len(), &fitted, &priced);
    if let Some(h) = a.holdout_from {
        let out: Vec<(&FitQuote, &Priced)> =
            quotes.iter().zip(&priced).filter(|(q, _)| q.date >= h).collect();
        let mse = |m: fn(&Priced) -> f64| {
            out.iter().map(|(q, p)| weighted_error(q, m(p)).powi(2)).sum::<f64>() / out.len().max(1) as f64
        };
        outln!(
            "  out of sample (from {h}, {} quotes): mean squared weighted error {:.5} at the defaults -> {:.5} fitted",
            out.len(),
            mse(|p| p.before),
            mse(|p| p.after)
        );
    }
    let out = a.out.clone().unwrap_or_else(|| {
        let stem = a.chain.file_stem().map_or("chain".into(), |s| s.to_string_lossy().to_string());
        PathBuf::from(format!("results/calibrate-{stem}"))
    });
    let source = a.chain.display().to_string();
    write_atomic(&out.join("model.toml"), model_toml(&fitted, &source, in_sample.len()).as_bytes())?;
    fit_table(&quotes, &priced, a.rate, a.div, a.holdout_from).write(&out.join("fit.csv"))?;
    let vols: Vec<(f64, f64)> = before.iter().zip(&after).map(|(b, f)| (b.2, f.2)).collect();
    let panels = smile_panels(&quotes, &vols, a.holdout_from);
    let title = format!("Implied vol: {} against the model's smile", a.chain.display());
    smile_chart(&out.join("smile.png"), &title, &panels).map_err(|e| Failure::from(anyhow::Error::new(e)))?;
    outln!("wrote {}/model.toml, fit.csv and smile.png", out.display());
    Ok(ExitCode::SUCCESS)
}

fn print_report(
    a: &CalibrateArgs,
    quotes: &[FitQuote],
    fitted_on: usize,
    fit: &ironhedge::calibrate::fit::Fit,
    priced: &[Priced],
) {
    outln!(
        "{}: {} quotes ({} fitted); mean squared weighted error {:.5} at the defaults -> {:.5} fitted ({} evaluations)",
        a.chain.display(),
        quotes.len(),
        fitted_on,
        fit.loss_before,
        fit.loss_after,
        fit.evaluations
    );
    outln!("  fitted: {}", describe(&fit.params));
    outln!(
        "  {:<7} {:<5} {:>6} {:>7} {:>21} {:>21}",
        "sample",
        "type",
        "delta",
        "quotes",
        "defaults |err|, bias",
        "fitted |err|, bias"
    );
    let pct = |x: f64| format!("{:>6.1}%", 100.0 * x);
    for l in bucket_lines(quotes, priced, a.holdout_from) {
        let (lo, hi) = BUCKETS[l.bucket];
        outln!(
            "  {:<7} {:<5} {:>6} {:>7} {:>12} {:>8} {:>12} {:>8}",
            if l.out_of_sample { "out" } else { "in" },
            l.right.as_str(),
            format!("{:.0}-{:.0}", lo * 100.0, hi * 100.0),
            l.quotes,
            pct(l.before.0),
            pct(l.before.1),
            pct(l.after.0),
            pct(l.after.1)
        );
    }
}
